"""Queries and downloads over HTTP: the 整改台账 (JSON, paged), 进展, 排名, 五个一批, 关联研判,
考核, the report files (台账 .xlsx, 一报告四清单, 工作进展通报 .docx), and the outbox for the
operator. A unit-bound principal reads its own unit's numbers only."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel
from zhenggai.adapters.reports._files import ReportError
from zhenggai.adapters.reports.bulletin import write_progress
from zhenggai.adapters.reports.ledger import write_ledger
from zhenggai.adapters.reports.unit_pack import write_unit_packs
from zhenggai.engine import (
    DuplicateView,
    FiveOutcomes,
    InvalidInputError,
    LedgerRow,
    OutboxView,
    PermissionDeniedError,
    ProgressReport,
    UnitRanking,
    UnitScore,
)

from ._api_idempotency import ApiRoute
from ._api_models import RowId
from ._api_scope import decode_cursor, encode_cursor, require_unit
from ._auth import ApiPrincipal, Web
from ._downloads import file_response
from ._principal import Principal
from ._render import OPERATOR_ROLE

__all__ = ["router"]

router = APIRouter(route_class=ApiRoute)

Month = Annotated[str, Query(pattern=r"^(19|20)\d{2}-(0[1-9]|1[0-2])$", description="月份 YYYY-MM")]


class LedgerPage(BaseModel):
    """A page of the 整改台账; ``next`` the cursor of the next page (None: the last)."""

    rows: list[LedgerRow]
    next: str | None


class Retried(BaseModel):
    retried: list[int]


def _county_wide(principal: Principal, what: str) -> None:
    if principal.unit_bound:
        raise PermissionDeniedError(principal.name, principal.role, what, "本单位角色不能查看全县数据")


def _operator(principal: Principal, what: str) -> None:
    if principal.role != OPERATOR_ROLE:
        raise PermissionDeniedError(principal.name, principal.role, what, "仅系统管理员可操作")


@router.get("/ledger", response_model=LedgerPage, tags=["查询"], summary="整改台账 (分页)")
def ledger(
    principal: ApiPrincipal,
    web: Web,
    request: Request,
    response: Response,
    unit: str | None = None,
    track: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: str | None = None,
) -> dict[str, Any]:
    after = decode_cursor(cursor)
    scope = require_unit(principal, unit)
    rows = web.engine.ledger(web.campaign, unit=scope, track=track, after=after, limit=limit + 1)
    following = encode_cursor(rows[limit - 1].item.id) if len(rows) > limit else None
    if following is not None:
        response.headers["Link"] = f'<{request.url.include_query_params(cursor=following)}>; rel="next"'
    return {"rows": rows[:limit], "next": following}


@router.get("/progress", response_model=ProgressReport, tags=["查询"], summary="工作进展 (数字)")
def progress(
    principal: ApiPrincipal, web: Web, unit: str | None = None, track: str | None = None
) -> ProgressReport:
    return web.engine.progress(web.campaign, unit=require_unit(principal, unit), track=track)


@router.get("/ranking", response_model=list[UnitRanking], tags=["查询"], summary="责任单位排名")
def ranking(principal: ApiPrincipal, web: Web, track: str | None = None) -> list[UnitRanking]:
    return web.engine.ranking(web.campaign, track=track)


@router.get("/five-outcomes", response_model=FiveOutcomes, tags=["查询"], summary="五个一批")
def five_outcomes(
    principal: ApiPrincipal, web: Web, unit: str | None = None, track: str | None = None
) -> FiveOutcomes:
    return web.engine.five_outcomes(web.campaign, unit=require_unit(principal, unit), track=track)


@router.get("/duplicates", response_model=list[DuplicateView], tags=["查询"], summary="关联研判 (疑似重复)")
def duplicates(principal: ApiPrincipal, web: Web, all: bool = False) -> list[DuplicateView]:
    _county_wide(principal, "duplicates")
    return web.engine.duplicates(web.campaign, unresolved=not all)


@router.get("/scores", response_model=list[UnitScore], tags=["查询"], summary="考核 (按月)")
def scores(principal: ApiPrincipal, web: Web, month: Month) -> list[UnitScore]:
    """The month's scores as the records stand (a unit-bound principal: its unit's row)."""
    rows = web.engine.scores(web.campaign, month)
    return [r for r in rows if principal.sees_unit(r.unit)]


def _download(write: Callable[[Path], list[Path]], suffix: str, media_type: str) -> Response:
    with tempfile.TemporaryDirectory(prefix="zg-api-") as folder:
        try:
            paths = [p for p in write(Path(folder)) if p.suffix == suffix]
        except ReportError as err:  # an unknown unit or track: the caller's input
            raise InvalidInputError("unit", str(err)) from None
        data = paths[0].read_bytes()
        name = paths[0].name
    return file_response(data, name, media_type)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_FILE: dict[int | str, dict[str, Any]] = {200: {"content": {XLSX: {}, DOCX: {}}, "description": "文件"}}


@router.get(
    "/reports/ledger.xlsx", tags=["报表"], summary="整改台账 .xlsx", response_class=Response, responses=_FILE
)
def ledger_file(
    principal: ApiPrincipal, web: Web, unit: str | None = None, track: str | None = None
) -> Response:
    scope = require_unit(principal, unit)
    return _download(
        lambda out: write_ledger(web.engine, web.campaign, out, unit=scope, track=track), ".xlsx", XLSX
    )


@router.get(
    "/reports/unit-pack.{kind}",
    tags=["报表"],
    summary="一报告四清单 (.docx 报告, .xlsx 清单)",
    response_class=Response,
    responses=_FILE,
)
def unit_pack_file(
    kind: Literal["docx", "xlsx"], principal: ApiPrincipal, web: Web, unit: str | None = None
) -> Response:
    scope = require_unit(principal, unit)
    if scope is None:
        raise PermissionDeniedError(principal.name, principal.role, "unit_pack", "请指定单位 (unit)")
    return _download(
        lambda out: write_unit_packs(web.engine, web.campaign, out, unit=scope),
        f".{kind}",
        DOCX if kind == "docx" else XLSX,
    )


@router.get(
    "/reports/progress.docx",
    tags=["报表"],
    summary="工作进展通报 .docx",
    response_class=Response,
    responses=_FILE,
)
def progress_file(
    principal: ApiPrincipal, web: Web, unit: str | None = None, track: str | None = None
) -> Response:
    """Numbered as the next 期 of the bulletin (the office's publication)."""
    _county_wide(principal, "progress_bulletin")
    return _download(
        lambda out: write_progress(
            web.engine, web.campaign, out, unit=unit, track=track, issued_by=principal.name
        ),
        ".docx",
        DOCX,
    )


@router.get("/outbox", response_model=list[OutboxView], tags=["运维"], summary="消息队列 (系统管理员)")
def outbox(principal: ApiPrincipal, web: Web, status: str | None = None) -> list[OutboxView]:
    _operator(principal, "outbox")
    return web.engine.outbox(web.campaign, status=status)


@router.post(
    "/outbox/{outbox_id}/retry", response_model=Retried, tags=["运维"], summary="重发死信 (系统管理员)"
)
def outbox_retry(outbox_id: RowId, principal: ApiPrincipal, web: Web) -> dict[str, list[int]]:
    _operator(principal, "outbox_retry")
    message = web.engine.outbox_message(outbox_id)
    if message.campaign_id != web.engine.campaign(web.campaign).id:
        raise PermissionDeniedError(principal.name, principal.role, "outbox_retry", "不属于本专项行动")
    return {"retried": web.engine.outbox_retry([outbox_id])}
