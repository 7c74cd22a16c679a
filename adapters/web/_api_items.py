"""Items over HTTP: report, list (paged), read (with ETag), fire a transition (If-Match),
history, measures, and the reporter for the custodian."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from zhenggai.engine import (
    EventView,
    ItemView,
    LeaderInstruction,
    MeasureView,
    PermissionDeniedError,
    Reporter,
    ReporterView,
    UnitNotFound,
)

from ._api_idempotency import ApiRoute
from ._api_models import ItemDetail, ItemPage, MeasureIn, ReportIn, RowId, TransitionIn
from ._api_scope import decode_cursor, encode_cursor, etag, expected_version, require_unit
from ._auth import ApiPrincipal, Web
from ._context import WebContext
from ._principal import Principal
from ._visibility import co_handled, visible_item

__all__ = ["item_detail", "router"]

router = APIRouter(route_class=ApiRoute, tags=["问题"])

IfMatch = Annotated[str | None, Header(alias="If-Match", description='问题的版本 ETag, 如 "3"')]


def allowed_triggers(web: WebContext, principal: Principal, item: ItemView) -> list[str]:
    """The transitions of the item's state this principal's role may fire (a unit-bound role:
    only on its unit's item)."""
    if principal.unit_bound and item.unit != principal.unit:
        return []
    lifecycle = web.engine.campaign_info(web.campaign, cached=True).lifecycle
    return [t.trigger for t in lifecycle.transitions if item.state in t.source and principal.role in t.roles]


def item_detail(web: WebContext, principal: Principal, item: ItemView) -> dict[str, Any]:
    engine = web.engine
    parts = engine.parts(web.campaign, item_id=item.id)
    if principal.unit_bound and item.unit != principal.unit:
        parts = [p for p in parts if p.unit == principal.unit]  # a co-unit sees its own part
    own = not principal.unit_bound or item.unit == principal.unit
    return {
        **item.to_dict(),
        "measures": [m.to_dict() for m in engine.measures(item.id)],
        "parts": [p.to_dict() for p in parts],
        "extensions": [e.to_dict() for e in engine.extensions(web.campaign, item_id=item.id)] if own else [],
        "send_backs": [s.to_dict() for s in engine.send_backs(web.campaign, item_id=item.id)] if own else [],
        "attachments": [a.to_dict() for a in engine.attachments(item.id, principal.actor)] if own else [],
        "allowed_triggers": allowed_triggers(web, principal, item),
    }


def _check_assign(web: WebContext, principal: Principal, unit: str) -> None:
    """Before reporting with ``unit``: the unit exists and the role may assign (nothing written
    when either fails)."""
    info = web.engine.campaign_info(web.campaign, cached=True)
    if unit not in dict(info.units):
        raise UnitNotFound(unit)
    assign = [t for t in info.lifecycle.transitions if t.trigger == "assign"]
    if not assign or principal.role not in assign[0].roles:
        raise PermissionDeniedError(principal.name, principal.role, "assign", "该角色不能交办")


@router.post("/items", status_code=201, response_model=ItemView, summary="受理问题线索 (可同时交办)")
def report_item(body: ReportIn, principal: ApiPrincipal, web: Web, response: Response) -> ItemView:
    if body.unit is not None:
        _check_assign(web, principal, body.unit)
    reporter = Reporter(**body.reporter.model_dump()) if body.reporter is not None else None
    instruction = LeaderInstruction(**body.instruction.model_dump()) if body.instruction is not None else None
    item = web.engine.report(
        web.campaign,
        principal.actor,
        title=body.title,
        description=body.description,
        track=body.track,
        channel=body.channel,
        severity=body.severity,
        reporter=reporter,
        instruction=instruction,
    )
    if body.unit is not None:
        item = web.engine.assign(
            item.id, principal.actor, unit=body.unit, due=body.due, leading_official=body.leader
        )
    response.headers["Location"] = f"/api/v1/items/{item.id}"
    response.headers["ETag"] = etag(item.version)
    return item


@router.get("/items", response_model=ItemPage, summary="问题列表 (分页)")
def list_items(
    principal: ApiPrincipal,
    web: Web,
    request: Request,
    response: Response,
    state: str | None = None,
    unit: str | None = None,
    track: str | None = None,
    light: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """A unit-bound principal gets its unit's items and those it co-handles; asking for
    another unit is refused (403)."""
    after = decode_cursor(cursor)
    engine = web.engine
    scope = require_unit(principal, unit)
    items = engine.items(web.campaign, state=state, unit=scope, track=track, light=light)
    if principal.unit_bound and unit is None:
        known = {i.id for i in items}
        for item_id in sorted(co_handled(web, principal) - known):
            extra = engine.item(item_id)
            if (
                (state is None or extra.state == state)
                and (track is None or extra.track == track)
                and (light is None or extra.light == light)
            ):
                items.append(extra)
        items.sort(key=lambda i: i.id)
    chosen = [i for i in items if (after is None or i.id > after) and (light is None or i.light == light)]
    page = chosen[:limit]
    following = encode_cursor(page[-1].id) if len(chosen) > limit else None
    if following is not None:
        link = request.url.include_query_params(cursor=following)
        response.headers["Link"] = f'<{link}>; rel="next"'
    return {"items": page, "next": following}


@router.get("/items/{item_id}", response_model=ItemDetail, summary="问题详情")
def read_item(item_id: RowId, principal: ApiPrincipal, web: Web, response: Response) -> dict[str, Any]:
    """The item with its measures, parts, 延期申请, 退单, files and the triggers this principal
    may fire; ``ETag`` its version. Never the reporter."""
    item = visible_item(web, principal, item_id)
    response.headers["ETag"] = etag(item.version)
    return item_detail(web, principal, item)


@router.post(
    "/items/{item_id}/transitions",
    response_model=ItemView,
    summary="流转 (交办、开始整改、提请验收、验收、销号 …)",
    responses={412: {"description": "If-Match 的版本已过期"}},
)
def fire_transition(
    item_id: RowId,
    body: TransitionIn,
    principal: ApiPrincipal,
    web: Web,
    response: Response,
    if_match: IfMatch = None,
) -> ItemView:
    item = visible_item(web, principal, item_id)
    version = expected_version(if_match, item)
    data = body.model_dump(exclude={"trigger"}, exclude_none=True)
    fired = web.engine.fire(item_id, body.trigger, principal.actor, expected_version=version, **data)
    response.headers["ETag"] = etag(fired.version)
    return fired


@router.get("/items/{item_id}/events", response_model=list[EventView], summary="问题的操作记录")
def item_events(item_id: RowId, principal: ApiPrincipal, web: Web) -> list[EventView]:
    visible_item(web, principal, item_id)
    return web.engine.events(item_id)


@router.post("/items/{item_id}/measures", status_code=201, response_model=MeasureView, summary="添加整改措施")
def add_measure(
    item_id: RowId,
    body: MeasureIn,
    principal: ApiPrincipal,
    web: Web,
    response: Response,
    if_match: IfMatch = None,
) -> MeasureView:
    item = visible_item(web, principal, item_id)
    version = expected_version(if_match, item)
    measure = web.engine.add_measure(
        item_id, principal.actor, text=body.text, due=body.due, expected_version=version
    )
    response.headers["ETag"] = etag(web.engine.item(item_id).version)
    return measure


@router.post("/measures/{measure_id}/complete", response_model=MeasureView, summary="整改措施完成")
def complete_measure(measure_id: RowId, principal: ApiPrincipal, web: Web) -> MeasureView:
    return web.engine.complete_measure(measure_id, principal.actor)


@router.get(
    "/items/{item_id}/reporter",
    response_model=ReporterView | None,
    summary="举报人信息 (仅保管人, 每次读取留痕)",
)
def read_reporter(item_id: RowId, principal: ApiPrincipal, web: Web) -> ReporterView | None:
    visible_item(web, principal, item_id)
    return web.engine.read_reporter(item_id, principal.actor)
