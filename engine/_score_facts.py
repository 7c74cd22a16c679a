"""The facts 考核 counts, per unit and month, from what the engine records (issue 17, 7). Each
term of :data:`~zhenggai.workflows.schema.SCORE_TERMS` is one grouped SQL count per unit:

- ``closed_on_time``: items 销号 in the month (``closed_at``) on or before their due date
  (the local day of ``closed_at``, as the ranking judges it);
- ``overdue_day``: for each working day of the month up to today, the items overdue that day
  (due before it, not yet 销号 by its end, the clock not paused): one count per item and day;
  one statement per working day, grouped by unit and state (the lifecycle's final and
  unclocked states are dropped from the grouped rows, never item by item);
- ``listed_supervision`` / ``accountability``: the items' ladder steps of that action
  (挂牌督办 / 问责) that fired in the month, counted for the item's unit;
- ``extension``: 延期申请 approved in the month (``zg_extension``);
- ``send_back_ruled_against``: 退单 the office ruled ``insisted`` in the month (``zg_send_back``);
- ``unsatisfied``: 不满意 回访 in the month (``zg_callback``, result ``unsatisfied``), counted
  only when that table is part of the schema (回访 is built separately: until it is merged the
  term counts nothing).

The local day of a timestamp is computed by the database (:class:`local_day`): PostgreSQL
converts in the campaign's timezone; SQLite shifts by the timezone's UTC offset in the month.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Date, String, and_, bindparam, case, func, literal, or_, select, type_coerce, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import NullType

from . import models as m
from ._admin_statements import EXTENSION, SEND_BACK
from ._raw import Prepared, Row, Tx
from ._statements import EVENT, ITEM, Statements, _insert
from ._writes import Campaign
from .errors import CalendarError

__all__ = ["SCORE", "Window", "callback_table", "month_facts", "month_window", "score_statements"]

#: 回访 (built separately, issue 17 point 6): its table when it is part of the schema.
CALLBACK_TABLE = "zg_callback"
SCORE = m.Score.__table__  # type: ignore[attr-defined]


class local_day(FunctionElement[dt.date]):
    """The local calendar day of a UTC timestamp column, in the zone bound as ``:tz``."""

    type = Date()
    inherit_cache = True


@compiles(local_day, "postgresql")
def _local_day_pg(element: local_day, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    tz = compiler.process(bindparam("tz", type_=String()), **kw)
    return f"CAST(({compiler.process(column, **kw)} AT TIME ZONE {tz}) AS DATE)"


@compiles(local_day)
def _local_day_sqlite(element: local_day, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    tz = compiler.process(bindparam("tz", type_=String()), **kw)
    return f"date({compiler.process(column, **kw)}, {tz})"


def callback_table() -> Any | None:
    """``zg_callback`` when 回访 is part of the schema, else None."""
    return m.SQLModel.metadata.tables.get(CALLBACK_TABLE)


def _first(table: Any, names: tuple[str, ...]) -> Any | None:
    return next((table.c[n] for n in names if n in table.c), None)


class ScoreStatements:
    """The fact counts, compiled once per dialect."""

    def __init__(self, st: Statements) -> None:
        def p(stmt: Any) -> Prepared[Row]:
            return Prepared(stmt, st.dialect)

        unit = ITEM.c.responsible_unit_id
        window = (bindparam("start", type_=m.UTCDateTime()), bindparam("end", type_=m.UTCDateTime()))

        def within(column: Any) -> Any:
            return and_(column >= window[0], column < window[1])

        self.closed_on_time = p(
            select(unit.label("unit_id"), func.count().label("n"))
            .where(
                ITEM.c.campaign_id == bindparam("cid"),
                unit.is_not(None),
                ITEM.c.due.is_not(None),
                within(ITEM.c.closed_at),
                local_day(ITEM.c.closed_at) <= ITEM.c.due,
            )
            .group_by(unit)
        )
        day_end = bindparam("day_end", type_=m.UTCDateTime())
        later = case((ITEM.c.closed_at.is_(None), literal(0)), else_=literal(1))
        self.overdue_on = p(
            select(unit.label("unit_id"), ITEM.c.state, later.label("closed_later"), func.count().label("n"))
            .where(
                ITEM.c.campaign_id == bindparam("cid"),
                unit.is_not(None),
                ITEM.c.due < bindparam("day", type_=Date()),
                or_(ITEM.c.closed_at.is_(None), ITEM.c.closed_at >= day_end),
                or_(ITEM.c.paused_at.is_(None), ITEM.c.paused_at >= day_end),
            )
            .group_by(unit, ITEM.c.state, later)
        )
        self.ladder_steps = p(
            select(unit.label("unit_id"), func.count().label("n"))
            .select_from(EVENT.join(ITEM, ITEM.c.id == EVENT.c.item_id))
            .where(
                EVENT.c.campaign_id == bindparam("cid"),
                EVENT.c.trigger == literal("ladder_step"),
                within(EVENT.c.at),
                EVENT.c.data.like(bindparam("pattern", type_=String())),
                unit.is_not(None),
            )
            .group_by(unit)
        )
        self.extensions = p(
            select(EXTENSION.c.unit_id, func.count().label("n"))
            .where(
                EXTENSION.c.campaign_id == bindparam("cid"),
                EXTENSION.c.state == literal("approved"),
                within(EXTENSION.c.decided_at),
            )
            .group_by(EXTENSION.c.unit_id)
        )
        self.send_backs_insisted = p(
            select(SEND_BACK.c.unit_id, func.count().label("n"))
            .where(
                SEND_BACK.c.campaign_id == bindparam("cid"),
                SEND_BACK.c.state == literal("insisted"),
                within(SEND_BACK.c.ruled_at),
            )
            .group_by(SEND_BACK.c.unit_id)
        )
        self.unsatisfied = self._unsatisfied(p, within)
        # zg_score: a unit's stored month, its first storing and a changed result.
        # (the total read as the driver gives it: a float column has no result processor here)
        total = type_coerce(SCORE.c.total, NullType()).label("total")
        self.score_of = p(
            select(SCORE.c.id, SCORE.c.card, SCORE.c.terms, total).where(
                SCORE.c.campaign_id == bindparam("cid"),
                SCORE.c.unit_id == bindparam("unit_id"),
                SCORE.c.month == bindparam("month"),
            )
        )
        self.score_insert = p(_insert(SCORE))
        self.score_update = p(
            update(SCORE)
            .where(SCORE.c.id == bindparam("id"))
            .values({c: bindparam(c) for c in ("total", "card", "terms", "computed_at")})
        )

    @staticmethod
    def _unsatisfied(p: Any, within: Any) -> Prepared[Row] | None:
        """不满意 回访 per unit: the callback's own unit column, else its item's unit; counted
        at the moment the answer was recorded (the first of the usual column names present)."""
        table = callback_table()
        if table is None:
            return None
        result = _first(table, ("result", "satisfaction", "answer"))
        at = _first(table, ("recorded_at", "answered_at", "called_at", "done_at", "decided_at", "created_at"))
        if result is None or at is None:
            return None
        unit = _first(table, ("unit_id",))
        source: Any = table
        if unit is None and "item_id" in table.c:
            source = table.join(ITEM, ITEM.c.id == table.c.item_id)
            unit = ITEM.c.responsible_unit_id
        if unit is None or "campaign_id" not in table.c:
            return None
        return p(
            select(unit.label("unit_id"), func.count().label("n"))
            .select_from(source)
            .where(
                table.c.campaign_id == bindparam("cid"),
                result == literal("unsatisfied"),
                within(at),
                unit.is_not(None),
            )
            .group_by(unit)
        )


_COMPILED: weakref.WeakKeyDictionary[Statements, ScoreStatements] = weakref.WeakKeyDictionary()


def score_statements(st: Statements) -> ScoreStatements:
    found = _COMPILED.get(st)
    if found is None:
        found = _COMPILED[st] = ScoreStatements(st)
    return found


class Window:
    """A month of a campaign: its first and last local day, and its bounds in UTC."""

    def __init__(self, camp: Campaign, month: str) -> None:
        year, number = (int(part) for part in month.split("-"))
        self.month = month
        self.first = dt.date(year, number, 1)
        following = dt.date(year + number // 12, number % 12 + 1, 1)
        self.last = following - dt.timedelta(days=1)
        self.start = dt.datetime.combine(self.first, dt.time(0), tzinfo=camp.tz).astimezone(dt.UTC)
        self.end = dt.datetime.combine(following, dt.time(0), tzinfo=camp.tz).astimezone(dt.UTC)
        middle = dt.datetime.combine(self.first + dt.timedelta(days=14), dt.time(12), tzinfo=camp.tz)
        offset = middle.utcoffset() or dt.timedelta(0)
        self.sqlite_tz = f"{int(offset.total_seconds()):+d} seconds"
        self.tz_name = str(camp.tz)


def month_window(camp: Campaign, month: str) -> Window:
    return Window(camp, month)


def _counts(rows: list[Row]) -> dict[int, int]:
    return {int(r["unit_id"]): int(r["n"]) for r in rows}


def _working_days(camp: Campaign, window: Window, today: dt.date) -> list[dt.date]:
    days: list[dt.date] = []
    day = window.first
    while day <= min(window.last, today):
        try:
            if camp.calendar.is_workday(day):
                days.append(day)
        except CalendarError:  # a year the calendar does not know: Monday to Friday
            if day.weekday() < 5:
                days.append(day)
        day += dt.timedelta(days=1)
    return days


def _overdue_days(
    tx: Tx, ss: ScoreStatements, camp: Campaign, window: Window, today: dt.date
) -> dict[int, int]:
    final = camp.lifecycle.final_states
    clocked = camp.item_ladder.states if camp.item_ladder is not None else None
    totals: dict[int, int] = {}
    for day in _working_days(camp, window, today):
        day_end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=camp.tz).astimezone(
            dt.UTC
        )
        for r in tx.all(ss.overdue_on, {"cid": camp.id, "day": day, "day_end": day_end}):
            if not r["closed_later"] and (
                r["state"] in final or (clocked is not None and r["state"] not in clocked)
            ):
                continue
            totals[int(r["unit_id"])] = totals.get(int(r["unit_id"]), 0) + int(r["n"])
    return totals


def month_facts(
    tx: Tx, st: Statements, camp: Campaign, window: Window, terms: Mapping[str, float], now: dt.datetime
) -> dict[str, dict[int, int]]:
    """Each term of ``terms``: its count per unit id (units with none left out)."""
    ss = score_statements(st)
    span = {"cid": camp.id, "start": window.start, "end": window.end}
    tz = window.sqlite_tz if tx.dialect_name == "sqlite" else window.tz_name
    facts: dict[str, dict[int, int]] = {}
    for term in terms:
        if term == "closed_on_time":
            facts[term] = _counts(tx.all(ss.closed_on_time, {**span, "tz": tz}))
        elif term == "overdue_day":
            facts[term] = _overdue_days(tx, ss, camp, window, now.astimezone(camp.tz).date())
        elif term in ("listed_supervision", "accountability"):
            pattern = f'%"action":"{term}"%'
            facts[term] = _counts(tx.all(ss.ladder_steps, {**span, "pattern": pattern}))
        elif term == "extension":
            facts[term] = _counts(tx.all(ss.extensions, span))
        elif term == "send_back_ruled_against":
            facts[term] = _counts(tx.all(ss.send_backs_insisted, span))
        elif term == "unsatisfied":
            facts[term] = {} if ss.unsatisfied is None else _counts(tx.all(ss.unsatisfied, span))
        else:
            facts[term] = {}
    return facts
