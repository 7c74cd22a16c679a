"""五个一批 and 规范性文件 over HTTP: what came of an item (outcome), 长效机制, 典型做法, 典型案例
(mark and publish), and the documents under review with their transitions.

Not offered over HTTP (the operator's and the office's work on the server, ``zhenggai`` CLI):
starting or migrating a campaign, loading calendar years, importing rosters and items in bulk,
rekeying reporters, the audit anchors; they are set-up, not a county system's daily work."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from zhenggai.engine import (
    AccountabilityEntry,
    DocumentNotFound,
    DocumentView,
    EventView,
    ItemView,
    MechanismView,
    OutcomeView,
    PracticeView,
)

from ._api_idempotency import ApiRoute
from ._api_models import (
    CaseIn,
    DocumentIn,
    DocumentTransitionIn,
    MechanismIn,
    MechanismUpdateIn,
    OutcomeIn,
    PracticeIn,
    PracticeSelectIn,
    PublishIn,
    RowId,
)
from ._api_scope import require_unit
from ._auth import ApiPrincipal, Web
from ._context import WebContext
from ._principal import Principal
from ._visibility import visible_item

__all__ = ["router"]

router = APIRouter(route_class=ApiRoute)


@router.post(
    "/items/{item_id}/outcomes", response_model=OutcomeView, tags=["五个一批"], summary="登记问题的处理结果"
)
def record_outcome(item_id: RowId, body: OutcomeIn, principal: ApiPrincipal, web: Web) -> OutcomeView:
    """根源分析, 问责 (people and outcomes), the mechanisms it led to; again replaces the record."""
    visible_item(web, principal, item_id)
    entries = [AccountabilityEntry(a.person, a.position, a.outcome) for a in body.accountability]
    return web.engine.record_outcome(
        item_id,
        principal.actor,
        root_cause=body.root_cause,
        accountability=entries,
        mechanisms=body.mechanisms,
    )


@router.get(
    "/items/{item_id}/outcomes",
    response_model=OutcomeView | None,
    tags=["五个一批"],
    summary="问题的处理结果",
)
def read_outcome(item_id: RowId, principal: ApiPrincipal, web: Web) -> OutcomeView | None:
    visible_item(web, principal, item_id)
    return web.engine.outcome(item_id, principal.actor)


@router.get("/outcomes", response_model=list[OutcomeView], tags=["五个一批"], summary="处理结果列表")
def list_outcomes(
    principal: ApiPrincipal, web: Web, unit: str | None = None, track: str | None = None
) -> list[OutcomeView]:
    return web.engine.outcomes(web.campaign, principal.actor, unit=require_unit(principal, unit), track=track)


@router.post(
    "/mechanisms", status_code=201, response_model=MechanismView, tags=["五个一批"], summary="登记长效机制"
)
def register_mechanism(body: MechanismIn, principal: ApiPrincipal, web: Web) -> MechanismView:
    return web.engine.register_mechanism(web.campaign, principal.actor, **body.model_dump())


@router.post(
    "/mechanisms/{mechanism_id}/status",
    response_model=MechanismView,
    tags=["五个一批"],
    summary="更新长效机制状态",
)
def update_mechanism(
    mechanism_id: RowId, body: MechanismUpdateIn, principal: ApiPrincipal, web: Web
) -> MechanismView:
    return web.engine.update_mechanism(mechanism_id, principal.actor, **body.model_dump())


@router.get("/mechanisms", response_model=list[MechanismView], tags=["五个一批"], summary="长效机制台账")
def list_mechanisms(
    principal: ApiPrincipal, web: Web, unit: str | None = None, track: str | None = None
) -> list[MechanismView]:
    return web.engine.mechanisms(web.campaign, unit=require_unit(principal, unit), track=track)


@router.post(
    "/practices", status_code=201, response_model=PracticeView, tags=["五个一批"], summary="报送典型做法"
)
def submit_practice(body: PracticeIn, principal: ApiPrincipal, web: Web) -> PracticeView:
    return web.engine.submit_practice(web.campaign, principal.actor, **body.model_dump())


@router.post(
    "/practices/{practice_id}/selection",
    response_model=PracticeView,
    tags=["五个一批"],
    summary="选用典型做法",
)
def select_practice(
    practice_id: RowId, body: PracticeSelectIn, principal: ApiPrincipal, web: Web
) -> PracticeView:
    return web.engine.select_practice(practice_id, principal.actor, selected=body.selected)


@router.get("/practices", response_model=list[PracticeView], tags=["五个一批"], summary="典型做法")
def list_practices(
    principal: ApiPrincipal, web: Web, selected: bool | None = None, unit: str | None = None
) -> list[PracticeView]:
    return web.engine.practices(web.campaign, selected=selected, unit=require_unit(principal, unit))


@router.post("/items/{item_id}/case", response_model=ItemView, tags=["五个一批"], summary="标记典型案例")
def mark_case(item_id: RowId, body: CaseIn, principal: ApiPrincipal, web: Web) -> ItemView:
    visible_item(web, principal, item_id)
    return web.engine.mark_case(item_id, principal.actor, note=body.note)


@router.post(
    "/items/{item_id}/case/publication",
    response_model=ItemView,
    tags=["五个一批"],
    summary="典型案例通报曝光",
)
def publish_case(item_id: RowId, body: PublishIn, principal: ApiPrincipal, web: Web) -> ItemView:
    visible_item(web, principal, item_id)
    return web.engine.publish_case(item_id, principal.actor, where=body.where, on=body.on)


@router.get("/cases", response_model=list[ItemView], tags=["五个一批"], summary="典型案例")
def list_cases(
    principal: ApiPrincipal, web: Web, unit: str | None = None, track: str | None = None
) -> list[ItemView]:
    return web.engine.cases(web.campaign, unit=require_unit(principal, unit), track=track)


def _document(web: WebContext, principal: Principal, document_id: RowId) -> DocumentView:
    doc = web.engine.document(document_id)
    if doc.campaign != web.campaign or not principal.sees_unit(doc.unit):
        raise DocumentNotFound(document_id)
    return doc


@router.post(
    "/documents",
    status_code=201,
    response_model=DocumentView,
    tags=["规范性文件"],
    summary="列入清理的规范性文件",
)
def list_document(body: DocumentIn, principal: ApiPrincipal, web: Web) -> DocumentView:
    return web.engine.list_document(web.campaign, principal.actor, **body.model_dump())


@router.get(
    "/documents", response_model=list[DocumentView], tags=["规范性文件"], summary="规范性文件清理台账"
)
def list_documents(
    principal: ApiPrincipal, web: Web, unit: str | None = None, state: str | None = None
) -> list[DocumentView]:
    return web.engine.documents(web.campaign, unit=require_unit(principal, unit), state=state)


@router.get(
    "/documents/{document_id}", response_model=DocumentView, tags=["规范性文件"], summary="规范性文件"
)
def read_document(document_id: RowId, principal: ApiPrincipal, web: Web) -> DocumentView:
    return _document(web, principal, document_id)


@router.get(
    "/documents/{document_id}/events",
    response_model=list[EventView],
    tags=["规范性文件"],
    summary="文件的操作记录",
)
def document_events(document_id: RowId, principal: ApiPrincipal, web: Web) -> list[EventView]:
    _document(web, principal, document_id)
    return web.engine.document_events(document_id)


@router.post(
    "/documents/{document_id}/transitions",
    response_model=DocumentView,
    tags=["规范性文件"],
    summary="文件审查流转",
)
def fire_document(document_id: RowId, body: DocumentTransitionIn, principal: ApiPrincipal, web: Web) -> Any:
    _document(web, principal, document_id)
    return web.engine.fire_document(
        document_id, body.trigger, principal.actor, reason=body.reason, note=body.note
    )
