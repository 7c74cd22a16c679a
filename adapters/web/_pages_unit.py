"""A unit's inbox (``/inbox``): its items and those it co-handles (协办), what waits on it first,
its duties (一报告四清单 …) with their due dates."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response
from zhenggai.engine import DutyView, ItemView, PartView

from ._auth import PagePrincipal, Web
from ._page_data import actions_for, field, labels_of, page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: How many open duties the inbox lists (the nearest due first); the rest are counted.
DUTY_ROWS = 30


@dataclass(frozen=True, slots=True)
class InboxRow:
    """One line of the inbox: the item, the part this unit co-handles (None: its own item), and
    what waits on the unit now (the buttons' labels; empty: nothing)."""

    item: ItemView
    part: PartView | None
    waiting: tuple[str, ...]


@router.get("/inbox")
def inbox(request: Request, principal: PagePrincipal, web: Web, state: str = "", light: str = "") -> Response:
    if not principal.unit_bound:
        return RedirectResponse("/", status_code=303)
    labels = labels_of(web)
    engine, campaign = web.engine, web.campaign
    rows: list[InboxRow] = []
    duties: list[DutyView] = []
    for unit in principal.units:
        for item in engine.items(campaign, unit=unit):  # with the items it co-handles: below
            if item.unit != unit:
                continue
            waiting = tuple(a.label for a in actions_for(web, principal, item))
            rows.append(InboxRow(item, None, waiting))
        for part in engine.parts(campaign, unit=unit):
            waiting = ("完成协办分工",) if part.state == "open" else ()
            rows.append(InboxRow(engine.item(part.item_id), part, waiting))
        duties += engine.duties(campaign, unit=unit, status="open")
    wanted_state, wanted_light = field(state), field(light)
    shown = [
        r
        for r in rows
        if (wanted_state is None or r.item.state == wanted_state)
        and (wanted_light is None or r.item.light == wanted_light)
    ]
    first = [r for r in shown if r.waiting]
    others = [r for r in shown if not r.waiting]
    duties.sort(key=lambda d: (d.due, d.id))
    return page(
        request,
        "inbox.html",
        principal,
        title="我的待办",
        labels=labels,
        waiting=first,
        others=others,
        duties=duties[:DUTY_ROWS],
        duty_count=len(duties),
        state=wanted_state or "",
        light_filter=wanted_light or "",
        states=list(labels.states.items()),
        total=len(rows),
    )
