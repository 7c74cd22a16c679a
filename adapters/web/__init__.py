"""The web workbench and HTTP API (issue 18): ``zhenggai serve``, or embedded as an ASGI app::

    from zhenggai.adapters.web import WebSettings, create_app
    app = create_app(engine, WebSettings(campaign="xx-2023"))

Needs the ``web`` extra (``pip install 'zhenggai[web]'``: FastAPI, uvicorn, python-multipart,
argon2-cffi).
"""

from __future__ import annotations

from ._app import OPENAPI_PATH, create_app
from ._principal import Principal
from ._settings import WebSettings

__all__ = ["OPENAPI_PATH", "Principal", "WebSettings", "create_app"]
