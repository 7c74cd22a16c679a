"""Reading items for people: item lists, the ledger, measures, audit events, cases and the bulletins' numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, select

from . import _reports
from ._admin_statements import PART
from ._attachments import attachment_names
from ._inputs import checked_choice, checked_text, item_number_key, unit_id_of
from ._runtime import Runtime
from ._statements import EVENT, ISSUE, ITEM, MEASURE, UNIT
from ._viewing import event_view, item_view, measure_view
from ._writes import Campaign
from .errors import InvalidInputError, ItemNotFound, TrackNotFound, UnitNotFound
from .views import EventView, ItemView, LedgerRow, MeasureView, ProgressReport, UnitRanking


def item(rt: Runtime, item_id: int) -> ItemView:
    with rt.store.read() as conn:
        row = rt.load_item(conn, item_id)
        return item_view(rt.campaign(conn, row["campaign_id"], row["campaign_version"]), row)


def items(
    rt: Runtime,
    campaign: str | int | None = None,
    *,
    state: str | None = None,
    unit: str | None = None,
    track: str | None = None,
    number: str | None = None,
    light: str | None = None,
) -> list[ItemView]:
    with rt.store.read() as conn:
        query = select(ITEM).order_by(ITEM.c.id)
        camp = None
        if campaign is not None:
            camp = rt.campaign(conn, campaign)
            query = query.where(ITEM.c.campaign_id == camp.id)
        if number is not None:
            query = query.where(ITEM.c.number == item_number_key(number))
        if state is not None:
            query = query.where(ITEM.c.state == state)
        if track is not None:
            query = query.where(ITEM.c.track == track)
        if light is not None:
            query = query.where(ITEM.c.light == light)
        if unit is not None:
            if camp is None:
                unit_ids = conn.execute(select(UNIT.c.id).where(UNIT.c.key == unit)).scalars().all()
                if not unit_ids:
                    raise UnitNotFound(unit)
                query = query.where(_of_units(None, unit_ids))
            else:
                query = query.where(_of_units(camp.id, [unit_id_of(camp, unit)]))
        rows = conn.execute(query).mappings().all()
        camps: dict[int, Campaign] = {}
        for r in rows:
            if r["campaign_id"] not in camps:
                camps[r["campaign_id"]] = rt.campaign(conn, r["campaign_id"])
        return [item_view(camps[r["campaign_id"]], r) for r in rows]


def _of_units(camp_id: int | None, unit_ids: Sequence[int]) -> Any:
    """A WHERE clause on ``zg_item``: the items ``unit_ids`` lead or co-handle (协办), as
    :func:`co_handled` says, written as one set of ids (the led items through
    ``ix_zg_item_campaign_unit`` / ``ix_zg_item_unit``, the co-handled through
    ``ix_zg_item_part_unit``) so both databases read only the units' items rather than walking
    the campaign's items by id and testing each against an ``OR``."""
    lead = ITEM.alias("lead")
    led = select(lead.c.id).where(lead.c.responsible_unit_id.in_(list(unit_ids)))
    if camp_id is not None:
        led = led.where(lead.c.campaign_id == camp_id)
    return ITEM.c.id.in_(led.union(select(PART.c.item_id).where(PART.c.unit_id.in_(list(unit_ids)))))


def item_by_number(rt: Runtime, campaign: str | int, number: str) -> ItemView:
    found = items(rt, campaign, number=number)
    if not found:
        raise ItemNotFound(item_number_key(number))
    return found[0]


def measures(rt: Runtime, item_id: int) -> list[MeasureView]:
    with rt.store.read() as conn:
        rt.load_item(conn, item_id)
        rows = conn.execute(
            select(MEASURE).where(MEASURE.c.item_id == item_id).order_by(MEASURE.c.id)
        ).mappings()
        return [measure_view(r) for r in rows]


def events(
    rt: Runtime, item_id: int | None = None, *, campaign: str | int | None = None, after: int | None = None
) -> list[EventView]:
    with rt.store.read() as conn:
        query = select(EVENT).order_by(EVENT.c.campaign_id, EVENT.c.seq)
        if after is not None:
            query = query.where(EVENT.c.seq > after)
        if item_id is not None:
            rt.load_item(conn, item_id)
            query = query.where(EVENT.c.item_id == item_id)
        if campaign is not None:
            query = query.where(EVENT.c.campaign_id == rt.campaign(conn, campaign).id)
        return [event_view(r) for r in conn.execute(query).mappings()]


def ledger(
    rt: Runtime,
    campaign: str | int,
    *,
    unit: str | None = None,
    track: str | None = None,
    after: int | None = None,
    limit: int | None = None,
) -> list[LedgerRow]:
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        query = select(ITEM).where(ITEM.c.campaign_id == camp.id).order_by(ITEM.c.id)
        if unit is not None:
            # the items it leads and those it co-handles (协办)
            query = query.where(_of_units(camp.id, [unit_id_of(camp, unit)]))
        if track is not None:
            query = query.where(ITEM.c.track == checked_choice("track", track, camp.tracks, TrackNotFound))
        if after is not None:
            query = query.where(ITEM.c.id > after)
        if limit is not None:
            query = query.limit(limit)
        rows = conn.execute(query).mappings().all()
        if not rows:
            return []
        measures: dict[int, list[MeasureView]] = {}
        # The page's own items' measures, by their ids (ix_zg_measure_item_id): a range of ids
        # would read every measure between the page's first and last item, the whole campaign's
        # for a unit whose items are spread over it.
        page_ids = [r["id"] for r in rows]
        # Each item's measures in id order, as before: ordered by item first, so the index is
        # walked as it is (ordering by id alone makes SQLite scan the table in id order).
        measure_query = (
            select(MEASURE).where(MEASURE.c.item_id.in_(page_ids)).order_by(MEASURE.c.item_id, MEASURE.c.id)
        )
        for mr in conn.execute(measure_query).mappings():
            measures.setdefault(mr["item_id"], []).append(measure_view(mr))
        files = attachment_names(conn, camp.id, page_ids)
        return [
            LedgerRow(item_view(camp, r), tuple(measures.get(r["id"], ())), tuple(files.get(r["id"], ())))
            for r in rows
        ]


def count_items(
    rt: Runtime, campaign: str | int, *, unit: str | None = None, track: str | None = None
) -> int:
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        if unit is not None and track is None:
            # The ids alone, from the indexes (the unit's led items, its parts of the campaign's
            # items): no item row is read, so the count costs what the unit has.
            unit_id = unit_id_of(camp, unit)
            led = select(ITEM.c.id).where(
                ITEM.c.campaign_id == camp.id, ITEM.c.responsible_unit_id == unit_id
            )
            parts = select(PART.c.item_id).where(PART.c.campaign_id == camp.id, PART.c.unit_id == unit_id)
            return int(
                conn.execute(select(func.count()).select_from(led.union(parts).subquery())).scalar_one()
            )
        query = select(func.count()).select_from(ITEM).where(ITEM.c.campaign_id == camp.id)
        if unit is not None:
            # the items it leads and those it co-handles (协办)
            query = query.where(_of_units(camp.id, [unit_id_of(camp, unit)]))
        if track is not None:
            query = query.where(ITEM.c.track == checked_choice("track", track, camp.tracks, TrackNotFound))
        return int(conn.execute(query).scalar_one())


def ledger_pages(
    rt: Runtime, campaign: str | int, *, unit: str | None = None, track: str | None = None, page: int = 500
) -> Iterator[LedgerRow]:
    after: int | None = None
    while True:
        rows = ledger(rt, campaign, unit=unit, track=track, after=after, limit=page)
        yield from rows
        if len(rows) < page:
            return
        after = rows[-1].item.id


def progress(
    rt: Runtime, campaign: str | int, *, unit: str | None = None, track: str | None = None
) -> ProgressReport:
    now = rt.now()
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        unit_id = None if unit is None else unit_id_of(camp, unit)
        if track is not None:
            checked_choice("track", track, camp.tracks, TrackNotFound)
        return _reports.progress(conn, camp, now, unit_id=unit_id, unit=unit, track=track)


def ranking(rt: Runtime, campaign: str | int, *, track: str | None = None) -> list[UnitRanking]:
    now = rt.now()
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        if track is not None:
            checked_choice("track", track, camp.tracks, TrackNotFound)
        return _reports.ranking(conn, camp, now, track=track)


def cases(
    rt: Runtime, campaign: str | int, *, unit: str | None = None, track: str | None = None
) -> list[ItemView]:
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        query = select(ITEM).where(ITEM.c.campaign_id == camp.id, ITEM.c.case_marked_at.is_not(None))
        if unit is not None:
            query = query.where(ITEM.c.responsible_unit_id == unit_id_of(camp, unit))
        if track is not None:
            query = query.where(ITEM.c.track == checked_choice("track", track, camp.tracks, TrackNotFound))
        rows = conn.execute(query.order_by(ITEM.c.case_marked_at, ITEM.c.id)).mappings()
        return [item_view(camp, r) for r in rows]


def issue_number(rt: Runtime, campaign: str | int, kind: str, as_of: dt.date, issued_by: str) -> int:
    kind = checked_text("kind", kind)
    if len(kind) > 40:
        raise InvalidInputError("kind", "不得超过 40 个字符")
    issued_by = checked_text("issued_by", issued_by)
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise InvalidInputError("as_of", "须为日期")
    st = rt.st
    while True:  # a lost race is followed by a read that sees the winner's number
        with rt.store.read() as conn:
            camp = rt.campaign(conn, campaign)
            number = conn.execute(
                select(ISSUE.c.number).where(
                    ISSUE.c.campaign_id == camp.id, ISSUE.c.kind == kind, ISSUE.c.as_of == as_of
                )
            ).scalar()
        if number is not None:
            return int(number)
        now = rt.now()
        try:
            with rt.store.transaction() as tx:
                number = tx.scalar(st.issue_number, {"cid": camp.id, "kind": kind, "as_of": as_of})
                if number is not None:
                    return int(number)
                serial = tx.scalar(st.serial_next, {"cid": camp.id, "kind": kind})
                number = tx.scalar(
                    st.issue_insert_once,
                    {
                        "campaign_id": camp.id,
                        "kind": kind,
                        "number": serial,
                        "as_of": as_of,
                        "issued_at": now,
                        "issued_by": issued_by,
                    },
                )
                if number is None:
                    raise _IssueRace
                return int(number)
        except _IssueRace:
            continue  # rolled back, counter included: read the winner's number


class _IssueRace(Exception):
    """Inside :meth:`Engine.issue_number`: another writer numbered the day first (roll back)."""
