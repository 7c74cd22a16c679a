"""The API's scoping and versions: a unit-bound principal asks only for its own unit's data (what
it may see is :mod:`._visibility`'s, shared with the pages); the item's ETag, If-Match, and the
opaque page cursor."""

from __future__ import annotations

import base64
import binascii

from zhenggai.engine import ItemView, PermissionDeniedError

from ._api_errors import InvalidRequest, PreconditionFailed
from ._principal import Principal

__all__ = ["decode_cursor", "encode_cursor", "etag", "expected_version", "require_unit"]


def require_unit(principal: Principal, unit: str | None, action: str = "查看") -> str | None:
    """A unit-bound principal asks only for its own unit (another unit: 403); None means its own."""
    if not principal.unit_bound:
        return unit
    if unit is not None and unit not in principal.units:
        raise PermissionDeniedError(
            principal.name, principal.role, action, f"只能{action}本单位 ({principal.unit}) 的数据"
        )
    return principal.unit


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(if_match: str | None, item: ItemView) -> int | None:
    """The version ``If-Match`` names (None: no precondition); a stale one is refused (412)."""
    if if_match is None:
        return None
    value = if_match.strip()
    if value == "*":
        return None
    value = value.removeprefix("W/")
    value = value.strip('"')
    if not value.isdigit() or int(value) != item.version:
        raise PreconditionFailed(item.id, if_match, item.version)
    return item.version


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if cursor is None or cursor == "":
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.isdigit():
        raise InvalidRequest("cursor", "翻页游标无效, 请使用上一页返回的 next")
    return int(text)
