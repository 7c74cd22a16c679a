"""The web workbench and HTTP API as one ASGI application (FastAPI on Starlette).

Handlers are plain ``def`` functions: the engine is synchronous (SQLAlchemy), and Starlette runs
them on its thread pool. Every :class:`ZhenggaiError` becomes one answer with a stable code
(:mod:`._errors`): JSON on ``/api/…``, the error page elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import JSONResponse, Response
from zhenggai.engine import Accounts, Engine, ZhenggaiError

from . import _api, _pages, _pages_admin, _sign_in
from ._api_errors import install_validation_handler
from ._api_idempotency import purge_keys
from ._context import WebContext
from ._errors import error_body, error_status
from ._render import render, templates
from ._settings import WebSettings

__all__ = ["create_app"]

OPENAPI_PATH = "/api/openapi.json"


def create_app(engine: Engine, settings: WebSettings) -> FastAPI:
    """The workbench for ``settings.campaign`` on ``engine`` (which the caller owns and
    disposes)."""
    engine.campaign_info(settings.campaign)  # CampaignNotFound now, not on the first request
    app = FastAPI(
        title="整改工作台 API",
        version="1",
        description="整改专项行动的 HTTP 接口: 每个操作以令牌或登录会话的身份执行。",
        openapi_url=OPENAPI_PATH,
        docs_url="/api/docs",
        redoc_url=None,
    )
    purge_keys(engine)  # idempotency keys older than a day: a repeat that late is a new request
    app.state.zhenggai = WebContext(
        engine=engine,
        accounts=Accounts(engine, policy=settings.policy),
        settings=settings,
        templates=templates(),
    )
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")
    app.include_router(_sign_in.router)
    app.include_router(_api.router)
    install_validation_handler(app)
    app.include_router(_pages.router)
    app.include_router(_pages_admin.router)

    @app.exception_handler(ZhenggaiError)
    def _zhenggai_error(request: Request, err: ZhenggaiError) -> Response:
        status = error_status(err)
        if request.url.path.startswith("/api/"):
            return JSONResponse(error_body(err), status_code=status)
        principal = getattr(request.state, "principal", None)
        return render(
            request,
            "error.html",
            principal,
            status_code=status,
            title="操作未完成",
            heading="操作未完成",
            message=str(err),
            back=request.headers.get("referer") or "/",
        )

    return app
