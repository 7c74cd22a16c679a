"""What the operator's pages (``/admin/…``) share: the operator check, the campaign's labels,
how a refusal reads on a page, and rendering a page that shows a secret once.

Only a session acting in the role ``operator`` (系统管理员) opens these pages; anyone else gets
the 403 page. The operator's own acts on accounts and tokens are logged with ``by`` its
username; what the engine role-checks (the roster) is done in a definition role the operator's
account also holds (:func:`roster_role`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.responses import HTMLResponse
from zhenggai.engine import Actor, InvalidInputError, PermissionDeniedError, ZhenggaiError
from zhenggai.engine._roster import FALLBACK_OPERATIONS, OPERATION

from .._labels import Labels
from ._auth import PagePrincipal
from ._context import WebContext
from ._principal import Principal
from ._render import OPERATOR_ROLE, render

__all__ = ["Operator", "admin_labels", "operator", "refusal", "render_admin", "roster_actor", "roster_role"]

Flash = tuple[str, str]


def operator(principal: PagePrincipal) -> Principal:
    """The signed-in principal when it acts as the operator; the 403 page otherwise."""
    if principal.role != OPERATOR_ROLE:
        raise PermissionDeniedError(
            principal.name, principal.role, "运维管理", "仅系统管理员 (operator) 可以进入运维管理页面"
        )
    return principal


#: Parameter type of the operator's handlers.
Operator = Annotated[Principal, Depends(operator)]


def admin_labels(web: WebContext) -> Labels:
    """The campaign's Chinese names, the operator's role among the roles."""
    labels = Labels.load(web.engine, web.campaign)
    return dataclasses.replace(labels, roles={**labels.roles, OPERATOR_ROLE: "系统管理员"})


def refusal(err: ZhenggaiError) -> str:
    """A refusal as the operator reads it (an invalid input: its reason alone)."""
    return err.reason if isinstance(err, InvalidInputError) else str(err)


def roster_role(web: WebContext, principal: Principal) -> str | None:
    """The definition role the operator changes the roster in: the first of its account's roles
    the definition allows ``manage_contacts`` (else the engine's fallback operations, as
    :func:`zhenggai.engine._roster.managers`). None: the account holds no such role, and the
    roster is read-only to it (the account must be granted e.g. 领导小组办公室)."""
    operations = web.engine.campaign_info(web.campaign, cached=True).lifecycle.operations
    allowed: Sequence[str] = operations.get(OPERATION) or next(
        (operations[op] for op in FALLBACK_OPERATIONS if op in operations), ()
    )
    return next((role for role in principal.roles if role in allowed), None)


def roster_actor(web: WebContext, principal: Principal) -> Actor:
    """The actor of a roster change: the operator, in its roster role (never a form field)."""
    role = roster_role(web, principal)
    if role is None:
        raise PermissionDeniedError(
            principal.name, principal.role, "维护通讯录", "该账号未授予可维护通讯录的角色 (如领导小组办公室)"
        )
    return Actor(principal.name, role, principal.unit)


def render_admin(
    request: Request,
    template: str,
    principal: Principal,
    *,
    flashes: Sequence[Flash] = (),
    status_code: int = 200,
    secret: bool = False,
    **context: Any,
) -> HTMLResponse:
    """An operator's page; ``secret``: it shows a password or token once, so no cache keeps it."""
    response = render(request, template, principal, status_code=status_code, flashes=list(flashes), **context)
    if secret:
        response.headers["Cache-Control"] = "no-store"
    return response
