"""The office's queues (``/office``): 待交办, 待验收, 待销号, 延期申请, 退单裁决, 回访, 关联研判,
each a table with links and, where this role decides, its forms; the forms post to
``/extensions/{id}``, ``/send-backs/{id}``, ``/callbacks/{id}``, ``/duplicates/{id}`` and come
back here (Post/Redirect/Get), or show the engine's refusal and change nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response
from zhenggai.engine import InvalidInputError
from zhenggai.workflows.schema import CALLBACK_RESULTS

from ._auth import PagePrincipal, Web
from ._context import WebContext
from ._page_data import act_then, field, is_office, labels_of, page, refused
from ._principal import Principal

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form()]
NOT_OFFICE = "办公室待办只供领导小组办公室和县级各组使用; 责任单位请从「我的待办」办理"


def office_page(
    request: Request,
    principal: Principal,
    web: WebContext,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    engine, campaign = web.engine, web.campaign
    info = engine.campaign_info(campaign, cached=True)
    setup, ops = info.definition, info.lifecycle.operations
    labels = labels_of(web)
    send_back = setup.send_back if setup is not None else None
    callbacks = setup.callbacks if setup is not None else None
    queues = [
        ("待交办", engine.items(campaign, state="identified")),
        ("待验收", engine.items(campaign, state="submitted")),
        ("待销号", engine.items(campaign, state="verified")),
    ]
    return page(
        request,
        "office.html",
        principal,
        status_code=status_code,
        error=error,
        title="办公室待办",
        labels=labels,
        queues=queues,
        extensions=engine.extensions(campaign, state="pending"),
        send_backs=engine.send_backs(campaign, open_only=True),
        may_rule=send_back is not None and principal.role in send_back.ruled_by,
        callbacks=engine.callbacks(campaign, state="open"),
        may_call=callbacks is not None and principal.role == callbacks.role,
        results=list(CALLBACK_RESULTS.items()),
        duplicates=engine.duplicates(campaign),
        may_judge=principal.role in ops.get("resolve_duplicate", ()),
        units=list(info.units),
    )


@router.get("/office")
def office(request: Request, principal: PagePrincipal, web: Web) -> Response:
    if not is_office(principal):
        return refused(request, principal, NOT_OFFICE)
    return office_page(request, principal, web)


def _act(request: Request, principal: Principal, web: WebContext, act: Callable[[], str]) -> Response:
    if not is_office(principal):
        return refused(request, principal, NOT_OFFICE)

    def again(error: str, status: int) -> Response:
        return office_page(request, principal, web, error=error, status_code=status)

    return act_then("/office", act, again)


def _decision(value: str, choices: tuple[str, str]) -> bool:
    if value not in choices:
        raise InvalidInputError("decision", f"须为 {' 或 '.join(choices)}")
    return value == choices[0]


@router.post("/extensions/{request_id}")
def decide_extension(
    request: Request,
    request_id: int,
    principal: PagePrincipal,
    web: Web,
    decision: Text = "",
    note: Text = "",
) -> Response:
    """批准 (decision=approve) or 不批准 (decision=refuse, with a note) a pending 延期申请."""

    def act() -> str:
        approve = _decision(decision, ("approve", "refuse"))
        view = web.engine.decide_extension(request_id, principal.actor, approve=approve, note=field(note))
        return f"延期申请 {request_id}: {view.state_label}"

    return _act(request, principal, web, act)


@router.post("/send-backs/{send_back_id}")
def rule_send_back(
    request: Request,
    send_back_id: int,
    principal: PagePrincipal,
    web: Web,
    decision: Text = "",
    unit: Text = "",
    due: Text = "",
    note: Text = "",
) -> Response:
    """审定 of a 退单: 改派 (decision=reassign, to a unit, with a due date) or 维持 (insist)."""

    def act() -> str:
        _decision(decision, ("reassign", "insist"))
        view = web.engine.rule_send_back(
            send_back_id,
            principal.actor,
            decision=decision,
            unit=field(unit),
            due=field(due),
            note=field(note),
        )
        return f"退单 {send_back_id} 已审定: {view.state_label}"

    return _act(request, principal, web, act)


@router.post("/callbacks/{callback_id}")
def record_callback(
    request: Request, callback_id: int, principal: PagePrincipal, web: Web, result: Text = "", note: Text = ""
) -> Response:
    def act() -> str:
        view = web.engine.record_callback(callback_id, principal.actor, result=result, note=field(note))
        return f"已记录回访: {view.result_label}"

    return _act(request, principal, web, act)


@router.post("/duplicates/{flag_id}")
def resolve_duplicate(
    request: Request, flag_id: int, principal: PagePrincipal, web: Web, decision: Text = "", note: Text = ""
) -> Response:
    """关联研判: 合并 (decision=merge) or 不是重复 (distinct)."""

    def act() -> str:
        merge = _decision(decision, ("merge", "distinct"))
        web.engine.resolve_duplicate(flag_id, principal.actor, merge=merge, note=field(note))
        return "已合并重复问题" if merge else "已认定为不同问题"

    return _act(request, principal, web, act)
