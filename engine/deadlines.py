"""Deadline arithmetic (整改时限) over any :class:`~zhenggai.engine.ports.Calendar`.

The rules, as officials count (and as the README states them):

- **Received day.** An item assigned on a working day up to the definition's cut-off time
  (``deadlines.cutoff``, 17:30 by default), in the campaign's timezone, counts as received that
  day; assigned later, or on a day off, it counts as received on the next working day.
- **Working days** (``count: working``): the day received does not count; the due date is the
  N-th working day after it ("5个工作日内办结" received on a Monday is due the next Monday).
- **Calendar days** (``count: calendar``): the due date is N days after the day received; when
  that day is a day off, the deadline runs to the next working day (the rule of 民法典 第二百零三条
  for a period whose last day is a statutory holiday).
- A day in a year the calendar has no holiday data for raises :class:`CalendarError`: never
  a guess from weekdays.

Ladder offsets use the same two counts, from the due date: ``offset_day(cal, due, -5,
"working")`` is five working days before it.
"""

from __future__ import annotations

import calendar as monthdays
import datetime as dt
import zoneinfo

from zhenggai.workflows.schema import DayCount, DeadlineRule, DeadlinesSpec, DutySpec

from .calendar import WorkingCalendar
from .errors import CalendarError
from .ports import Calendar

__all__ = [
    "add_days",
    "next_workday",
    "occurrences",
    "offset_day",
    "received_day",
    "rectification_due",
    "recurring",
    "rule_for",
    "stated_day",
    "working_days_between",
]

#: No calendar has a year without working days; a search that finds none is a broken override.
_SEARCH_LIMIT = 3660


def next_workday(cal: Calendar, day: dt.date) -> dt.date:
    """The first working day on or after ``day``."""
    for _ in range(_SEARCH_LIMIT):
        if cal.is_workday(day):
            return day
        day += dt.timedelta(days=1)
    raise CalendarError(day, "十年内没有工作日 (请检查县定节假日)")


def stated_day(cal: Calendar, day: dt.date) -> dt.date:
    """A date a definition states (a duty's due date, a phase's first or last day) as it is
    kept: on a day off it moves to the next working day (民法典 第二百零三条); in a year the
    calendar does not know it stands as stated (the validator refuses such dates unless the
    year is known where the campaign runs)."""
    try:
        return next_workday(cal, day)
    except CalendarError:
        if cal.covers(day.year):
            raise
        return day


def _step_workdays(cal: Calendar, day: dt.date, n: int) -> dt.date:
    """The ``|n|``-th working day after (n > 0) or before (n < 0) ``day``; ``day`` itself for 0."""
    step = dt.timedelta(days=1 if n > 0 else -1)
    left = abs(n)
    for _ in range(_SEARCH_LIMIT * max(1, left)):
        if left == 0:
            return day
        day += step
        if cal.is_workday(day):
            left -= 1
    raise CalendarError(day, "十年内没有足够的工作日 (请检查县定节假日)")


def add_days(cal: Calendar, start: dt.date, days: int, count: DayCount) -> dt.date:
    """``days`` (≥ 0) after ``start``: the ``days``-th working day after it, or that many
    calendar days later, moved on to the next working day when it is a day off."""
    if days < 0:
        raise ValueError("days must not be negative")
    if count == "working":
        return _step_workdays(cal, start, days)
    return next_workday(cal, start + dt.timedelta(days=days))


def offset_day(cal: Calendar, due: dt.date, offset: int, count: DayCount) -> dt.date:
    """The day of a ladder step ``offset`` days from ``due`` (negative: before it). In working
    days a step lands on a working day; in calendar days it is the plain date."""
    if count == "working":
        if type(cal) is WorkingCalendar:  # the same for every item due that day (not a subclass)
            return cal.remembered(("offset", due, offset), lambda: _step_workdays(cal, due, offset))
        return _step_workdays(cal, due, offset)
    return due + dt.timedelta(days=offset)


def working_days_between(cal: Calendar, start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
    if type(cal) is WorkingCalendar and start < end:
        return cal.remembered(("between", start, end), lambda: _count_workdays(cal, start, end))
    return _count_workdays(cal, start, end)


def _count_workdays(cal: Calendar, start: dt.date, end: dt.date) -> int:
    days = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        days += cal.is_workday(day)
    return days


def received_day(cal: Calendar, at: dt.datetime, tz: zoneinfo.ZoneInfo, cutoff: dt.time) -> dt.date:
    """The day an item assigned at ``at`` (aware) counts as received, in ``tz``."""
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    local = at.astimezone(tz)
    day = local.date()
    if cal.is_workday(day) and local.time() <= cutoff:
        return day
    return next_workday(cal, day + dt.timedelta(days=1))


def rule_for(deadlines: DeadlinesSpec, track: str, severity: str) -> DeadlineRule:
    """The most specific rule for an item: track and severity, then track, then severity, then
    the default."""
    for wanted in ((track, severity), (track, None), (None, severity)):
        for rule in deadlines.rules:
            if (rule.track, rule.severity) == wanted:
                return rule
    return deadlines.default


def rectification_due(
    cal: Calendar,
    deadlines: DeadlinesSpec,
    *,
    track: str,
    severity: str,
    assigned_at: dt.datetime,
    tz: zoneinfo.ZoneInfo,
) -> dt.date:
    """The due date of an item of ``track`` and ``severity`` assigned at ``assigned_at``."""
    rule = rule_for(deadlines, track, severity)
    return add_days(cal, received_day(cal, assigned_at, tz, deadlines.cutoff), rule.days, rule.count)


def occurrences(duty: DutySpec) -> list[dt.date]:
    """The due dates of a duty: its ``due``, or every week / fortnight (on ``weekday``) or month
    (on the day of ``start``, the month's last day when shorter) from ``start`` to ``end``."""
    if duty.due is not None:
        return [duty.due]
    assert duty.start is not None and duty.end is not None and duty.every is not None
    start = duty.start
    if duty.every != "month":
        assert duty.weekday is not None
        start += dt.timedelta(days=(duty.weekday - duty.start.isoweekday()) % 7)
    return recurring(start, duty.end, duty.every)


def recurring(start: dt.date, end: dt.date, every: str) -> list[dt.date]:
    """``start`` and every week, fortnight or month after it up to ``end``; monthly on the day
    of ``start`` (the month's last day when shorter, without drifting)."""
    days: list[dt.date] = []
    if every == "month":
        year, month = start.year, start.month
        while (day := dt.date(year, month, min(start.day, monthdays.monthrange(year, month)[1]))) <= end:
            days.append(day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return days
    step = dt.timedelta(days=7 if every == "week" else 14)
    day = start
    while day <= end:
        days.append(day)
        day += step
    return days
