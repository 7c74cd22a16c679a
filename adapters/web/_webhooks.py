"""Webhook subscriptions over HTTP (issue 18): ``GET /api/v1/webhooks`` (the campaign's
subscriptions, never their secrets), ``POST /api/v1/webhooks`` (a new one; 201 with its secret,
shown this once) and ``DELETE /api/v1/webhooks/{id}`` (disable it).

Only the operator (系统管理员) and the leading group office (领导小组办公室) manage them,
signed in or with a token; a subscription of another campaign is not found. What is sent and
how a receiver checks it: :mod:`zhenggai.notifications.webhooks`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from zhenggai.engine import PermissionDeniedError, WebhookNotFound, Webhooks

from ._api_idempotency import ApiRoute
from ._auth import ApiPrincipal, Web
from ._principal import Principal

__all__ = ["MANAGERS", "router"]

#: The roles that may manage webhook subscriptions.
MANAGERS = frozenset({"operator", "leading_group_office"})

router = APIRouter(prefix="/webhooks", route_class=ApiRoute, tags=["推送订阅"])


class NewWebhook(BaseModel):
    """A subscription to add: ``kinds`` are audit event triggers (``assign``, ``close`` …) or
    ``*``; ``secret`` None: one is generated."""

    name: str = Field("", description="订阅名称")
    url: str = Field("", description="推送地址 (http:// 或 https://)")
    kinds: list[str] = Field(default_factory=lambda: ["*"], description="事件类别, 或 * 表示全部")
    secret: str | None = Field(None, description="签名密钥 (至少 16 位); 不填则自动生成")


def _manager(principal: Principal) -> None:
    if principal.role not in MANAGERS:
        raise PermissionDeniedError(
            principal.name,
            principal.role,
            "manage_webhooks",
            "只有系统管理员或领导小组办公室可以管理推送订阅",
        )


@router.get("", summary="推送订阅列表")
def list_webhooks(principal: ApiPrincipal, web: Web) -> list[dict[str, Any]]:
    _manager(principal)
    return [view.to_dict() for view in Webhooks(web.engine).webhooks(principal.campaign)]


@router.post("", status_code=201, summary="新增推送订阅 (签名密钥只返回这一次)")
def add_webhook(body: NewWebhook, principal: ApiPrincipal, web: Web) -> dict[str, Any]:
    _manager(principal)
    view, secret = Webhooks(web.engine).add(
        principal.campaign, body.name, body.url, body.kinds, secret=body.secret, by=principal.name
    )
    return {**view.to_dict(), "secret": secret}


@router.delete("/{webhook_id}", summary="停用推送订阅")
def disable_webhook(webhook_id: int, principal: ApiPrincipal, web: Web) -> dict[str, Any]:
    _manager(principal)
    webhooks = Webhooks(web.engine)
    if webhooks.webhook(webhook_id).campaign != principal.campaign:
        raise WebhookNotFound(webhook_id)
    return webhooks.disable(webhook_id, by=principal.name).to_dict()
