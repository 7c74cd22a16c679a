"""The statements of 考核 (issue 17, 7), compiled once per dialect: the fact counts of
:mod:`._score_facts` (grouped per unit) and the ``zg_score`` rows of :mod:`._scores`.

The local day of a timestamp is computed by the database (:class:`local_day`): PostgreSQL
converts in the campaign's timezone (bound as ``:tz``); SQLite shifts by the timezone's UTC
offset (bound as ``:tz``, ``+28800 seconds``).
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import Date, String, and_, bindparam, case, func, literal, or_, select, type_coerce, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import NullType

from . import models as m
from ._admin_statements import CALLBACK, EXTENSION, PART, SEND_BACK
from ._raw import Prepared, Row
from ._statements import EVENT, ITEM, Statements, _insert

__all__ = ["SCORE", "ScoreStatements", "local_day", "score_statements"]

#: 回访 (built separately, issue 17 point 6): its table when it is part of the schema.
SCORE = m.Score.__table__


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
        # 协办: co-unit parts due in the month (before today) not done by their due date, waived
        # ones aside, counted against the co-unit
        self.parts_late = p(
            select(PART.c.unit_id, func.count().label("n"))
            .where(
                PART.c.campaign_id == bindparam("cid"),
                PART.c.state != literal("waived"),
                PART.c.due >= bindparam("first", type_=Date()),
                PART.c.due <= bindparam("last", type_=Date()),
                PART.c.due < bindparam("today", type_=Date()),
                or_(PART.c.state == literal("open"), local_day(PART.c.done_at) > PART.c.due),
            )
            .group_by(PART.c.unit_id)
        )
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
    def _unsatisfied(p: Callable[[Any], Prepared[Row]], within: Any) -> Prepared[Row]:
        """不满意 回访 per unit (the unit answerable when the item was closed), counted in the
        month the custodian recorded the answer."""
        return p(
            select(CALLBACK.c.unit_id, func.count().label("n"))
            .where(
                CALLBACK.c.campaign_id == bindparam("cid"),
                CALLBACK.c.result == literal("unsatisfied"),
                within(CALLBACK.c.done_at),
                CALLBACK.c.unit_id.is_not(None),
            )
            .group_by(CALLBACK.c.unit_id)
        )


_COMPILED: weakref.WeakKeyDictionary[Statements, ScoreStatements] = weakref.WeakKeyDictionary()


def score_statements(st: Statements) -> ScoreStatements:
    found = _COMPILED.get(st)
    if found is None:
        found = _COMPILED[st] = ScoreStatements(st)
    return found
