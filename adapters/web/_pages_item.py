"""An item's page (``/items/{id}``): its facts, history, measures with their files, and the forms
for what this principal may do on it now; each form posts to ``/items/{id}/…`` and comes back
here (Post/Redirect/Get), or shows the engine's refusal and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from starlette.responses import Response
from zhenggai.adapters._render import _details, _state_change
from zhenggai.engine import InvalidInputError, ItemView, PermissionDeniedError

from ._auth import PagePrincipal, Web
from ._context import WebContext
from ._page_data import act_then, actions_for, field, labels_of, page
from ._principal import Principal
from ._visibility import visible_item

__all__ = ["item_page", "router"]

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form()]


def _history(web: WebContext, item_id: int) -> list[dict[str, Any]]:
    labels = labels_of(web)
    return [
        {
            "at": e.at,
            "trigger": labels.trigger(e.trigger),
            "change": _state_change(e, labels),
            "actor": e.actor,
            "role": labels.role(e.role),
            "unit": labels.unit(e.unit) if e.unit else "",
            "details": _details(e, labels),
        }
        for e in web.engine.events(item_id)
    ]


def _own(principal: Principal, item: ItemView) -> bool:
    """The item is this principal's unit's own (not one it only co-handles)."""
    return not principal.unit_bound or (item.unit is not None and item.unit in principal.units)


def item_page(
    request: Request,
    principal: Principal,
    web: WebContext,
    item: ItemView,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    engine, campaign = web.engine, web.campaign
    info = engine.campaign_info(campaign, cached=True)
    setup, lifecycle = info.definition, info.lifecycle
    ops = lifecycle.operations
    own = _own(principal, item)
    final = item.state in {s.id for s in lifecycle.states if s.final}
    in_measure_state = (
        not final
        and item.unit is not None
        and (not lifecycle.measure_states or item.state in lifecycle.measure_states)
    )
    try:
        files = engine.attachments(item.id, principal.actor)
    except PermissionDeniedError:
        files = []
    measures = engine.measures(item.id)
    files_of: dict[int, list[Any]] = {}
    for f in files:
        if f.subject_kind == "measure":
            files_of.setdefault(f.subject_id, []).append(f)
    parts = engine.parts(campaign, item_id=item.id)
    send_back = setup.send_back if setup is not None else None
    extensions = setup.extensions if setup is not None else None
    return page(
        request,
        "item.html",
        principal,
        status_code=status_code,
        error=error,
        title=f"问题 {item.number or item.id}",
        item=item,
        instructions=engine.instructions(item_id=item.id),
        measures=measures,
        files_of=files_of,
        other_files=[f for f in files if f.subject_kind != "measure"],
        parts=parts,
        my_parts=[p for p in parts if p.state == "open" and p.unit in principal.units],
        extension_requests=engine.extensions(campaign, item_id=item.id),
        send_backs=engine.send_backs(campaign, item_id=item.id),
        history=_history(web, item.id),
        actions=actions_for(web, principal, item),
        units=[u for u in info.units if u[0] != item.unit],
        may_add_measure=own and in_measure_state and principal.role in ops.get("add_measure", ()),
        may_complete=own and in_measure_state and principal.role in ops.get("complete_measure", ()),
        may_upload=not final and item.unit is not None and (own or not principal.unit_bound),
        verifies=not principal.unit_bound,
        may_extend=extensions is not None
        and own
        and principal.unit_bound
        and not final
        and item.due is not None,
        extension_reasons=list(extensions.reasons) if extensions is not None else [],
        may_send_back=send_back is not None and own and principal.unit_bound and item.state == "assigned",
        send_back_reasons=[(r.id, r.label) for r in send_back.reasons] if send_back is not None else [],
        may_read_reporter=principal.role in ops.get("read_reporter", ()),
    )


@router.get("/items/{item_id}")
def show_item(request: Request, item_id: int, principal: PagePrincipal, web: Web) -> Response:
    return item_page(request, principal, web, visible_item(web, principal, item_id))


def _act(
    request: Request, principal: Principal, web: WebContext, item_id: int, act: Callable[[ItemView], str]
) -> Response:
    """Run ``act`` on the item (visible to the principal, else 404) as the principal; back to the
    item with its message, or the item page with the engine's refusal (nothing changed)."""
    item = visible_item(web, principal, item_id)

    def again(error: str, status: int) -> Response:
        return item_page(request, principal, web, web.engine.item(item_id), error=error, status_code=status)

    return act_then(f"/items/{item_id}", lambda: act(item), again)


@router.post("/items/{item_id}/fire")
def fire(
    request: Request,
    item_id: int,
    principal: PagePrincipal,
    web: Web,
    trigger: Text = "",
    version: Text = "",
    unit: Text = "",
    due: Text = "",
    reason: Text = "",
    finding: Text = "",
    survivor_id: Text = "",
    note: Text = "",
) -> Response:
    """One transition by its trigger (the button), with what its form asks for."""
    data: dict[str, Any] = {
        k: v for k, v in (("unit", unit), ("due", due), ("finding", finding), ("note", note)) if field(v)
    }
    if field(reason):
        data["reason"] = reason.strip()

    def act(item: ItemView) -> str:
        if field(survivor_id):
            data["survivor_id"] = _number("survivor_id", survivor_id)
        expected = _number("version", version) if field(version) else None
        fired = web.engine.fire_transition(
            item.id, trigger, principal.actor, expected_version=expected, **data
        )
        return f"已{labels_of(web).trigger(fired.event.trigger)}: 问题现为「{fired.item.state_label}」"

    return _act(request, principal, web, item_id, act)


def _number(name: str, value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise InvalidInputError(name, "须为数字") from None


@router.post("/items/{item_id}/measures")
def add_measure(
    request: Request, item_id: int, principal: PagePrincipal, web: Web, text: Text = "", due: Text = ""
) -> Response:
    def act(item: ItemView) -> str:
        web.engine.add_measure(item.id, principal.actor, text=text, due=field(due))
        return "已添加整改措施"

    return _act(request, principal, web, item_id, act)


@router.post("/items/{item_id}/measures/{measure_id}/done")
def complete_measure(
    request: Request, item_id: int, measure_id: int, principal: PagePrincipal, web: Web
) -> Response:
    def act(item: ItemView) -> str:
        if measure_id not in {m.id for m in web.engine.measures(item.id)}:
            raise InvalidInputError("measure", "该措施不属于本问题")
        web.engine.complete_measure(measure_id, principal.actor)
        return "已完成整改措施"

    return _act(request, principal, web, item_id, act)


@router.post("/items/{item_id}/attachments")
def upload(
    request: Request,
    item_id: int,
    principal: PagePrincipal,
    web: Web,
    subject: Text = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """上传佐证材料: ``subject`` is ``measure:<id>`` (a measure of this item) or ``verification``."""

    def act(item: ItemView) -> str:
        kind, _, sid = subject.partition(":")
        if kind == "measure" and sid.isdigit() and int(sid) in {m.id for m in web.engine.measures(item.id)}:
            subject_id = int(sid)
        elif kind == "verification" and not sid:
            subject_id = item.id
        else:
            raise InvalidInputError("subject", "请选择材料所属的整改措施或验收")
        if file is None or not file.filename:
            raise InvalidInputError("file", "请选择要上传的文件")
        data = file.file.read(web.settings.max_upload + 1)
        if len(data) > web.settings.max_upload:
            raise InvalidInputError("file", f"文件过大 (最大 {web.settings.max_upload // (1024 * 1024)} MB)")
        view = web.engine.attach(kind, subject_id, data, file.filename, principal.actor)
        return f"已上传佐证材料「{view.file_name}」"

    return _act(request, principal, web, item_id, act)


@router.post("/items/{item_id}/extension")
def request_extension(
    request: Request,
    item_id: int,
    principal: PagePrincipal,
    web: Web,
    new_due: Text = "",
    reason: Text = "",
    progress: Text = "",
) -> Response:
    def act(item: ItemView) -> str:
        if not field(new_due):
            raise InvalidInputError("new_due", "请填写新时限")
        view = web.engine.request_extension(
            item.id, principal.actor, new_due=new_due.strip(), reason=reason, progress=field(progress)
        )
        return f"已提交延期申请 (申请延至 {view.new_due.isoformat()})"

    return _act(request, principal, web, item_id, act)


@router.post("/items/{item_id}/send-back")
def send_back(
    request: Request, item_id: int, principal: PagePrincipal, web: Web, reason: Text = "", note: Text = ""
) -> Response:
    def act(item: ItemView) -> str:
        view = web.engine.send_back(item.id, principal.actor, reason=reason, note=field(note))
        return f"已退单 ({view.reason_label}), 等待办公室审定"

    return _act(request, principal, web, item_id, act)


def _part_of(web: WebContext, item: ItemView, part_id: int) -> int:
    if part_id not in {p.id for p in web.engine.parts(web.campaign, item_id=item.id)}:
        raise InvalidInputError("part", "该协办分工不属于本问题")
    return part_id


@router.post("/items/{item_id}/parts/{part_id}/measures")
def add_part_measure(
    request: Request,
    item_id: int,
    part_id: int,
    principal: PagePrincipal,
    web: Web,
    text: Text = "",
    due: Text = "",
) -> Response:
    def act(item: ItemView) -> str:
        web.engine.add_part_measure(_part_of(web, item, part_id), principal.actor, text=text, due=field(due))
        return "已添加协办措施"

    return _act(request, principal, web, item_id, act)


@router.post("/items/{item_id}/parts/{part_id}/done")
def complete_part(
    request: Request, item_id: int, part_id: int, principal: PagePrincipal, web: Web, note: Text = ""
) -> Response:
    def act(item: ItemView) -> str:
        web.engine.complete_part(_part_of(web, item, part_id), principal.actor, note=field(note))
        return "已完成协办分工"

    return _act(request, principal, web, item_id, act)
