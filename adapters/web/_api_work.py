"""The work around an item over HTTP: evidence files, 延期申请, 退单 and 审定, 协办 parts,
领导批示, 回访, and the units' duties (职责)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile
from zhenggai.engine import (
    ATTACHMENT_SUBJECTS,
    AttachmentView,
    CallbackNotFound,
    CallbackView,
    DutyView,
    ExtensionView,
    InstructionView,
    InvalidInputError,
    PartView,
    SendBackView,
)

from ._api_idempotency import ApiRoute
from ._api_models import (
    CallbackIn,
    CoUnitIn,
    DutyIn,
    ExtensionDecisionIn,
    ExtensionIn,
    InstructionIn,
    NoteIn,
    RowId,
    RulingIn,
    SendBackIn,
    WaiveIn,
)
from ._api_scope import require_unit
from ._auth import ApiPrincipal, Web
from ._downloads import file_response
from ._visibility import visible_item

__all__ = ["router"]

router = APIRouter(route_class=ApiRoute)

_SUBJECTS = "、".join(f"{k} ({v})" for k, v in ATTACHMENT_SUBJECTS.items())


@router.post(
    "/items/{item_id}/attachments",
    status_code=201,
    response_model=AttachmentView,
    tags=["佐证材料"],
    summary="上传佐证材料",
)
def upload_attachment(
    item_id: RowId,
    principal: ApiPrincipal,
    web: Web,
    file: Annotated[UploadFile, File(description="文件 (类型按内容判断)")],
    subject: Annotated[str, Form(description=f"材料所属: {_SUBJECTS}")] = "verification",
    subject_id: Annotated[
        int | None, Form(description="措施、职责或回头看任务的编号; 验收材料可省略")
    ] = None,
) -> AttachmentView:
    """``subject`` measure (``subject_id`` a measure of the item), verification or reporter
    (the item itself), review (a 回头看 task); a duty's files go to ``/duties/{id}/attachments``."""
    visible_item(web, principal, item_id)
    if subject not in ATTACHMENT_SUBJECTS or subject == "duty":
        raise InvalidInputError("subject", f"应为 {_SUBJECTS} 之一 (职责材料请传到职责)")
    if subject in ("verification", "reporter"):
        subject_id = item_id
    elif subject_id is None:
        raise InvalidInputError("subject_id", "请给出措施或任务的编号")
    elif subject == "measure" and subject_id not in {m.id for m in web.engine.measures(item_id)}:
        raise InvalidInputError("subject_id", f"措施 {subject_id} 不属于问题 {item_id}")
    data = file.file.read()
    return web.engine.attach(subject, subject_id, data, file.filename or "file", principal.actor)


@router.post(
    "/duties/{duty_id}/attachments",
    status_code=201,
    response_model=AttachmentView,
    tags=["职责"],
    summary="上传职责报送材料",
)
def upload_duty_attachment(
    duty_id: RowId, principal: ApiPrincipal, web: Web, file: Annotated[UploadFile, File()]
) -> AttachmentView:
    return web.engine.attach("duty", duty_id, file.file.read(), file.filename or "file", principal.actor)


@router.get(
    "/attachments/{attachment_id}",
    tags=["佐证材料"],
    summary="下载佐证材料",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "文件内容"}},
)
def download_attachment(attachment_id: RowId, principal: ApiPrincipal, web: Web) -> Response:
    """Another unit's file is refused; a reporter's only to the roles that read reporters."""
    view, data = web.engine.attachment(attachment_id, principal.actor)
    if view.campaign != web.campaign:
        raise InvalidInputError("attachment_id", "不属于本专项行动")
    return file_response(data, view.file_name, view.media_type)


@router.post(
    "/items/{item_id}/extensions",
    status_code=201,
    response_model=ExtensionView,
    tags=["延期申请"],
    summary="申请延期",
)
def request_extension(item_id: RowId, body: ExtensionIn, principal: ApiPrincipal, web: Web) -> ExtensionView:
    visible_item(web, principal, item_id)
    return web.engine.request_extension(
        item_id, principal.actor, new_due=body.new_due, reason=body.reason, progress=body.progress
    )


@router.get("/extensions", response_model=list[ExtensionView], tags=["延期申请"], summary="延期申请列表")
def list_extensions(
    principal: ApiPrincipal, web: Web, state: str | None = None, unit: str | None = None
) -> list[ExtensionView]:
    return web.engine.extensions(web.campaign, unit=require_unit(principal, unit), state=state)


@router.post(
    "/extensions/{request_id}/decision",
    response_model=ExtensionView,
    tags=["延期申请"],
    summary="审批延期申请",
)
def decide_extension(
    request_id: RowId, body: ExtensionDecisionIn, principal: ApiPrincipal, web: Web
) -> ExtensionView:
    return web.engine.decide_extension(request_id, principal.actor, approve=body.approve, note=body.note)


@router.post(
    "/items/{item_id}/send-backs", status_code=201, response_model=SendBackView, tags=["退单"], summary="退单"
)
def send_back(item_id: RowId, body: SendBackIn, principal: ApiPrincipal, web: Web) -> SendBackView:
    visible_item(web, principal, item_id)
    return web.engine.send_back(item_id, principal.actor, reason=body.reason, note=body.note)


@router.get("/send-backs", response_model=list[SendBackView], tags=["退单"], summary="退单列表")
def list_send_backs(
    principal: ApiPrincipal, web: Web, open_only: bool = False, unit: str | None = None
) -> list[SendBackView]:
    return web.engine.send_backs(web.campaign, unit=require_unit(principal, unit), open_only=open_only)


@router.post(
    "/send-backs/{send_back_id}/ruling", response_model=SendBackView, tags=["退单"], summary="审定退单"
)
def rule_send_back(send_back_id: RowId, body: RulingIn, principal: ApiPrincipal, web: Web) -> SendBackView:
    return web.engine.rule_send_back(
        send_back_id, principal.actor, decision=body.decision, unit=body.unit, due=body.due, note=body.note
    )


@router.post(
    "/items/{item_id}/co-units",
    status_code=201,
    response_model=PartView,
    tags=["协办"],
    summary="指定协办单位",
)
def add_co_unit(item_id: RowId, body: CoUnitIn, principal: ApiPrincipal, web: Web) -> PartView:
    visible_item(web, principal, item_id)
    return web.engine.add_co_unit(item_id, principal.actor, unit=body.unit, part=body.part, due=body.due)


@router.post("/parts/{part_id}/complete", response_model=PartView, tags=["协办"], summary="协办部分完成")
def complete_part(part_id: RowId, body: NoteIn, principal: ApiPrincipal, web: Web) -> PartView:
    return web.engine.complete_part(part_id, principal.actor, note=body.note)


@router.post("/parts/{part_id}/waive", response_model=PartView, tags=["协办"], summary="免除协办部分")
def waive_part(part_id: RowId, body: WaiveIn, principal: ApiPrincipal, web: Web) -> PartView:
    return web.engine.waive_part(part_id, principal.actor, note=body.note)


@router.post(
    "/items/{item_id}/instructions",
    status_code=201,
    response_model=InstructionView,
    tags=["领导批示"],
    summary="登记领导批示",
)
def record_instruction(
    item_id: RowId, body: InstructionIn, principal: ApiPrincipal, web: Web
) -> InstructionView:
    visible_item(web, principal, item_id)
    return web.engine.record_instruction(
        item_id, principal.actor, leader=body.leader, given_on=body.given_on, text=body.text
    )


@router.get(
    "/items/{item_id}/instructions",
    response_model=list[InstructionView],
    tags=["领导批示"],
    summary="问题的领导批示",
)
def item_instructions(item_id: RowId, principal: ApiPrincipal, web: Web) -> list[InstructionView]:
    visible_item(web, principal, item_id)
    return web.engine.instructions(item_id=item_id)


@router.post("/items/{item_id}/callbacks", response_model=CallbackView, tags=["回访"], summary="登记回访结果")
def record_callback(item_id: RowId, body: CallbackIn, principal: ApiPrincipal, web: Web) -> CallbackView:
    """The item's open 回访 task (or ``callback_id``), by the custodian."""
    visible_item(web, principal, item_id)
    tasks = web.engine.callbacks(web.campaign, item_id=item_id, state="open")
    chosen = [t for t in tasks if body.callback_id in (None, t.id)]
    if not chosen:
        raise CallbackNotFound(body.callback_id or f"问题 {item_id} 的待回访任务")
    return web.engine.record_callback(chosen[0].id, principal.actor, result=body.result, note=body.note)


@router.get("/duties", response_model=list[DutyView], tags=["职责"], summary="职责报送列表")
def list_duties(
    principal: ApiPrincipal, web: Web, unit: str | None = None, status: str | None = None
) -> list[DutyView]:
    return web.engine.duties(web.campaign, unit=require_unit(principal, unit), status=status)


@router.post("/duties/{duty_id}/complete", response_model=DutyView, tags=["职责"], summary="职责已报送")
def complete_duty(duty_id: RowId, body: DutyIn, principal: ApiPrincipal, web: Web) -> DutyView:
    return web.engine.complete_duty(duty_id, principal.actor, note=body.note)
