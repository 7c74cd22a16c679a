"""Rendering a page: the Jinja2 templates (autoescaped) with what every page shows (who is
signed in, in which role and unit, the menu for that role)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ._context import web_context
from ._principal import Principal

__all__ = ["OPERATOR_ROLE", "menu", "render", "templates"]

TEMPLATES = Path(__file__).parent / "templates"
OPERATOR_ROLE = "operator"

#: The menu by what the acting role is: a unit's people, the office and the other county roles,
#: the operator. (href, label); pages add theirs here.
UNIT_MENU: list[tuple[str, str]] = [("/inbox", "我的待办"), ("/ledger", "整改台账"), ("/reports", "报表下载")]
OFFICE_MENU: list[tuple[str, str]] = [
    ("/office", "办公室待办"),
    ("/ledger", "整改台账"),
    ("/dashboard", "五个一批"),
    ("/reports", "报表下载"),
]
OPERATOR_MENU: list[tuple[str, str]] = [("/admin", "运维管理")]


def templates() -> Jinja2Templates:
    return Jinja2Templates(directory=str(TEMPLATES))


def menu(principal: Principal) -> list[tuple[str, str]]:
    if principal.role == OPERATOR_ROLE:
        return list(OPERATOR_MENU)
    if principal.unit_bound:
        return list(UNIT_MENU)
    return list(OFFICE_MENU)


def render(
    request: Request,
    template: str,
    principal: Principal | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    web = web_context(request)
    role_label = unit_label = ""
    if principal is not None:
        info = web.engine.campaign_info(web.campaign, cached=True)
        roles = {role.id: role.label for role in info.definition.roles} if info.definition else {}
        roles[OPERATOR_ROLE] = "系统管理员"
        role_label = roles.get(principal.role, principal.role)
        unit_label = dict(info.units).get(principal.unit or "", "") if principal.unit else ""
    page = {
        "principal": principal,
        "nav": menu(principal) if principal is not None else [],
        "role_label": role_label,
        "unit_label": unit_label,
        **context,
    }
    response: HTMLResponse = web.templates.TemplateResponse(request, template, page, status_code=status_code)
    return response
