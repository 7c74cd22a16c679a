"""The 整改台账 (``/ledger``: filters 专项, 单位, 状态, 灯, 关键词 as a GET form, paginated; its
"导出 Excel" at ``/ledger/export`` with the same filters) and the dashboard (``/dashboard``:
五个一批 and the lights by unit and by track). A unit-bound principal sees its own unit only."""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response
from zhenggai.engine import LedgerRow, ZhenggaiError

from ._auth import PagePrincipal, Web
from ._context import WebContext
from ._downloads import file_response
from ._page_data import field, labels_of, page, refusal

__all__ = ["LedgerFilter", "router"]

router = APIRouter(include_in_schema=False)

#: Ledger rows per page.
PAGE_ROWS = 50
LIGHTS = ("red", "yellow", "green")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True, slots=True)
class LedgerFilter:
    """The ledger's filters as the GET form sends them (empty: any); ``unit`` is forced to a
    unit-bound principal's own unit."""

    track: str | None = None
    unit: str | None = None
    state: str | None = None
    light: str | None = None
    q: str | None = None

    def keep(self, row: LedgerRow) -> bool:
        item = row.item
        if self.state is not None and item.state != self.state:
            return False
        if self.light is not None and item.light != self.light:
            return False
        if self.q is not None:
            words = self.q.casefold()
            text = " ".join((item.number or "", item.title, item.description)).casefold()
            return words in text
        return True

    def query(self, **more: object) -> str:
        values = {k: v for k in ("track", "unit", "state", "light", "q") if (v := getattr(self, k))}
        values.update({k: str(v) for k, v in more.items()})
        return urlencode(values)


def ledger_filter(
    principal: PagePrincipal, track: str = "", unit: str = "", state: str = "", light: str = "", q: str = ""
) -> LedgerFilter:
    """The filters of the query (a dependency of the ledger and its export)."""
    if principal.unit_bound:
        unit = principal.unit or ""
    return LedgerFilter(field(track), field(unit), field(state), field(light), field(q))


Filters = Annotated[LedgerFilter, Depends(ledger_filter)]


def _rows(web: WebContext, wanted: LedgerFilter) -> list[LedgerRow]:
    rows = web.engine.ledger(web.campaign, unit=wanted.unit, track=wanted.track)
    return [row for row in rows if wanted.keep(row)]


@router.get("/ledger")
def ledger(
    request: Request,
    principal: PagePrincipal,
    web: Web,
    wanted: Filters,
    page_no: Annotated[str, Query(alias="page")] = "1",
) -> Response:
    labels = labels_of(web)
    error, status, rows = None, 200, []
    try:
        rows = _rows(web, wanted)
    except ZhenggaiError as err:
        error, status = refusal(err)
    pages = max(1, -(-len(rows) // PAGE_ROWS))
    number = min(max(int(page_no), 1), pages) if page_no.strip().isdigit() else 1
    return page(
        request,
        "ledger.html",
        principal,
        status_code=status,
        error=error,
        title="整改台账",
        labels=labels,
        rows=rows[(number - 1) * PAGE_ROWS : number * PAGE_ROWS],
        total=len(rows),
        page_no=number,
        pages=pages,
        wanted=wanted,
        tracks=list(labels.tracks.items()),
        units=list(labels.units.items()),
        states=list(labels.states.items()),
        lights=LIGHTS,
    )


@router.get("/ledger/export")
def export(web: Web, wanted: Filters) -> Response:
    """The ledger workbook (``adapters/reports``' 整改台账) of the rows the filters keep."""
    from zhenggai.adapters.reports.ledger import write_ledger

    with tempfile.TemporaryDirectory(prefix="zhenggai-web-") as folder:
        (path,) = write_ledger(
            web.engine, web.campaign, Path(folder), unit=wanted.unit, track=wanted.track, keep=wanted.keep
        )
        return file_response(path.read_bytes(), path.name, XLSX)


@router.get("/dashboard")
def dashboard(request: Request, principal: PagePrincipal, web: Web) -> Response:
    """五个一批 (the engine's numbers) and the open items' lights counted by unit and by track."""
    unit = principal.unit if principal.unit_bound else None
    labels = labels_of(web)
    lifecycle = web.engine.campaign_info(web.campaign, cached=True).lifecycle
    final = {s.id for s in lifecycle.states if s.final}
    items = [i for i in web.engine.items(web.campaign, unit=unit) if i.state not in final]
    if unit is not None:
        items = [i for i in items if i.unit == unit]
    by_unit: dict[str, Counter[str]] = {}
    by_track: dict[str, Counter[str]] = {}
    for item in items:
        by_unit.setdefault(item.unit_name or "未交办", Counter())[item.light] += 1
        by_track.setdefault(item.track_name, Counter())[item.light] += 1
    return page(
        request,
        "dashboard.html",
        principal,
        title="五个一批",
        labels=labels,
        five=web.engine.five_outcomes(web.campaign, unit=unit),
        by_unit=sorted(by_unit.items(), key=lambda kv: (-kv[1]["red"], -kv[1]["yellow"], kv[0])),
        by_track=sorted(by_track.items()),
        lights=LIGHTS,
        open_items=len(items),
    )
