"""The HTTP API for county systems (issue 18), under ``/api/v1``.

Every handler acts as ``principal.actor`` (a token's or a session's grant, never a field of the
body). JSON in and out; refusals as ``{code, message, detail}`` with a Chinese message
(:mod:`._errors`, :mod:`._api_errors`); POSTs take an ``Idempotency-Key``
(:mod:`._api_idempotency`); an item's version is its ``ETag`` and ``If-Match`` guards a change
(412 when stale, 409 when it changed meanwhile); lists page with an opaque ``cursor``. The
OpenAPI document is at ``/api/openapi.json``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Security
from fastapi.security import HTTPBearer

from . import _api_items, _api_outcomes, _api_queries, _api_work, _webhooks
from ._api_idempotency import ApiRoute
from ._api_models import ErrorBody

__all__ = ["router"]

bearer = HTTPBearer(auto_error=False, description="县级系统的 API 令牌 (zgt_…); 浏览器可用登录会话")

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "未登录, 或令牌无效、已吊销"},
    403: {"model": ErrorBody, "description": "角色或单位无权操作"},
    404: {"model": ErrorBody, "description": "不存在 (或不属于本单位)"},
    409: {"model": ErrorBody, "description": "当前状态不允许, 或已被他人修改"},
    412: {"model": ErrorBody, "description": "If-Match 的版本已过期"},
    422: {"model": ErrorBody, "description": "请求内容无效"},
    429: {"model": ErrorBody, "description": "登录尝试过多"},
}

router = APIRouter(prefix="/api/v1", route_class=ApiRoute, responses=ERRORS, dependencies=[Security(bearer)])
for _module in (_api_items, _api_work, _api_outcomes, _api_queries, _webhooks):
    router.include_router(_module.router)
