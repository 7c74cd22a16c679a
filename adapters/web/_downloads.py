"""A file as a download: its bytes, its media type and its (Chinese) name, encoded as RFC 6266's
``filename*=UTF-8''…`` so every browser keeps the name (the API and the pages alike)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response

__all__ = ["file_response"]


def file_response(data: bytes, name: str, media_type: str) -> Response:
    disposition = f"attachment; filename*=UTF-8''{quote(name, safe='')}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})
