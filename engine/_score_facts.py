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
- ``part_late``: co-units' parts (协办) due in the month, before today, not done by their due
  date (done late or still open; waived ones aside), counted against the co-unit (``zg_item_part``);
- ``unsatisfied``: 不满意 回访 recorded in the month (``zg_callback``, result ``unsatisfied``),
  counted for the unit answerable when the item was closed.

The statements are in :mod:`._score_statements` (the local day of a timestamp computed by the
database: PostgreSQL in the campaign's timezone, SQLite by its UTC offset in the month).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from ._raw import Row, Tx
from ._score_statements import ScoreStatements, score_statements
from ._statements import Statements
from ._writes import Campaign
from .errors import CalendarError

__all__ = ["Window", "month_facts", "month_window"]


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
            facts[term] = _counts(tx.all(ss.unsatisfied, span))
        elif term == "part_late":
            today = now.astimezone(camp.tz).date()
            days = {"first": window.first, "last": window.last, "today": today, "tz": tz}
            facts[term] = _counts(tx.all(ss.parts_late, {"cid": camp.id, **days}))
        else:
            facts[term] = {}
    return facts
