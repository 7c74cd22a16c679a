"""What the workbench's pages share: the campaign's Chinese names, the items a principal may see,
the transitions it may fire now, flash messages after a form (Post/Redirect/Get), form values."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from zhenggai.adapters._labels import Labels
from zhenggai.adapters._tables import LIGHT_LABELS, format_date, format_time
from zhenggai.engine import InvalidInputError, ItemView, ZhenggaiError

from ._context import WebContext
from ._errors import error_status
from ._principal import Principal
from ._render import OPERATOR_ROLE, render

__all__ = [
    "FLASH_COOKIE",
    "Action",
    "act_then",
    "actions_for",
    "done",
    "field",
    "labels_of",
    "light_text",
    "page",
    "refused",
]

FLASH_COOKIE = "zg_flash"

#: What a transition asks for in its form, by the guards and effects it has.
_NEEDS: Mapping[str, tuple[str, ...]] = {
    "set_assignment": ("unit", "due"),
    "has_reason": ("reason",),
    "has_finding": ("finding", "due"),
    "has_open_survivor": ("survivor_id",),
}


@dataclass(frozen=True, slots=True)
class Action:
    """A transition this principal may fire on the item now: its trigger, its Chinese label
    (the button) and the fields its form asks for (``unit``, ``due``, ``reason``, …)."""

    trigger: str
    label: str
    fields: tuple[str, ...]


def labels_of(web: WebContext) -> Labels:
    return Labels.load(web.engine, web.campaign)


def light_text(light: str | None) -> str:
    """红灯 / 黄灯 / 绿灯 (the light as a word: never colour alone)."""
    return LIGHT_LABELS.get(light or "", light or "")


def field(value: str | None) -> str | None:
    """A form value stripped; None when left empty."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def actions_for(web: WebContext, principal: Principal, item: ItemView) -> list[Action]:
    """The lifecycle's transitions from the item's state that the principal's role may fire (a
    unit-bound role only on its own unit's items); their guards are the engine's to judge."""
    if principal.unit_bound and (item.unit is None or item.unit not in principal.units):
        return []
    lifecycle = web.engine.campaign_info(web.campaign, cached=True).lifecycle
    out = []
    for spec in lifecycle.transitions:
        if item.state not in spec.source or principal.role not in spec.roles:
            continue
        needs: list[str] = []
        for key in (*spec.effects, *spec.guards):
            needs += [n for n in _NEEDS.get(key, ()) if n not in needs]
        out.append(Action(spec.trigger, spec.label, tuple(needs)))
    return out


def is_office(principal: Principal) -> bool:
    return not principal.unit_bound and principal.role != OPERATOR_ROLE


def _flashes(request: Request) -> list[tuple[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    kind, _, text = unquote(raw).partition(":")
    return [(kind if kind in ("ok", "error") else "ok", text)]


def page(
    request: Request,
    template: str,
    principal: Principal,
    *,
    status_code: int = 200,
    error: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render a page with the flash the last form left (then cleared) and ``error`` (a refusal
    of the form just posted) as messages; dates and times in the campaign's words."""
    flashes = _flashes(request)
    if error:
        flashes.append(("error", error))
    labels = context.pop("labels", None) or labels_of(request.app.state.zhenggai)
    response = render(
        request,
        template,
        principal,
        status_code=status_code,
        flashes=flashes,
        labels=labels,
        day=format_date,
        when=lambda at: format_time(at, labels.tz),
        light=light_text,
        **context,
    )
    if request.cookies.get(FLASH_COOKIE):
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def done(url: str, text: str) -> Response:
    """Post/Redirect/Get: back to ``url`` with ``text`` shown once there."""
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        FLASH_COOKIE, quote(f"ok:{text}"), max_age=60, httponly=True, samesite="lax", path="/"
    )
    return response


def refused(request: Request, principal: Principal, message: str, status_code: int = 403) -> HTMLResponse:
    """The error page with one Chinese message (a page this principal may not open)."""
    return render(
        request,
        "error.html",
        principal,
        status_code=status_code,
        title="无权访问",
        heading="无权访问",
        message=message,
        back="/",
    )


#: Form fields as a refusal names them (the engine names its arguments).
FIELD_LABELS: Mapping[str, str] = {
    "text": "措施内容",
    "due": "时限",
    "new_due": "新时限",
    "reason": "理由",
    "note": "备注",
    "unit": "单位",
    "finding": "回头看发现",
    "survivor_id": "合并到问题",
    "version": "版本",
    "subject": "材料所属",
    "file": "佐证材料",
    "measure": "整改措施",
    "part": "协办分工",
    "result": "回访结果",
    "progress": "进展情况",
    "decision": "处理决定",
}


def refusal(err: ZhenggaiError) -> tuple[str, int]:
    """An engine refusal as the page shows it: its Chinese message and the status."""
    if isinstance(err, InvalidInputError) and err.field in FIELD_LABELS:
        return f"输入无效: {FIELD_LABELS[err.field]}: {err.reason}", error_status(err)
    return str(err), error_status(err)


def act_then(back: str, act: Callable[[], str], again: Callable[[str, int], Response]) -> Response:
    """Run a form's ``act`` (the engine call, as the principal): back to ``back`` with the
    message it returns (Post/Redirect/Get), or, when the engine refuses, ``again(message,
    status)``: the page of the form, showing the refusal (nothing changed)."""
    try:
        message = act()
    except ZhenggaiError as err:
        return again(*refusal(err))
    return done(back, message)
