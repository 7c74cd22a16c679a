"""Working days (工作日): the Chinese statutory calendar plus a county's own exceptions.

The statutory holidays and the weekend days made working days (调休) come from the
``chinesecalendar`` package, which follows the State Council's yearly notices; a year it has no
notice for is a :class:`CalendarError`, never a guess from weekdays. ``weekends`` is a plain
Monday-to-Friday calendar for campaigns that do not follow the statutory one.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

import chinese_calendar
from zhenggai.workflows.schema import CalendarSpec

from .errors import CalendarError

__all__ = ["WorkingCalendar", "statutory_years"]


@functools.cache
def _statutory() -> tuple[frozenset[dt.date], frozenset[dt.date], range]:
    """The installed statutory data, read once: days off on weekdays and weekends alike
    (holidays), weekend days made working days (调休), and the years covered. (The package's
    own ``is_workday`` recomputes the covered years on every call: 25 µs a day asked.)"""
    holidays = frozenset(chinese_calendar.holidays)
    workdays = frozenset(chinese_calendar.workdays)
    years = {day.year for day in holidays}
    return holidays, workdays, range(min(years), max(years) + 1)


def statutory_years() -> range:
    """The years the installed statutory data covers (e.g. 2004..2026)."""
    return _statutory()[2]


class WorkingCalendar:
    """A definition's calendar; implements the :class:`zhenggai.engine.ports.Calendar` port."""

    def __init__(self, spec: CalendarSpec | None = None) -> None:
        spec = spec or CalendarSpec()
        self.spec = spec
        self._years = statutory_years() if spec.base == "cn_statutory" else None
        self._holidays = {o.date for o in spec.extra_holidays}
        self._workdays = {o.date for o in spec.extra_workdays}

    def covers(self, year: int) -> bool:
        return self._years is None or year in self._years

    def describe_coverage(self) -> str:
        if self._years is None:
            return "任意年份 (仅按周末)"
        return f"{self._years.start}-{self._years.stop - 1} 年"

    def uncovered(self, days: Iterable[dt.date]) -> list[dt.date]:
        """The days among ``days`` whose year the calendar does not know."""
        return [d for d in days if not self.covers(d.year)]

    def is_workday(self, day: dt.date) -> bool:
        if day in self._workdays:
            return True
        if day in self._holidays:
            return False
        if not self.covers(day.year):
            raise CalendarError(day, self.describe_coverage())
        if self._years is None:
            return day.isoweekday() <= 5
        holidays, workdays, _ = _statutory()
        return day in workdays or (day.isoweekday() <= 5 and day not in holidays)

    def is_statutory_holiday(self, day: dt.date) -> bool:
        """Whether ``day`` is a day off in the base calendar (weekend or holiday, no 调休)."""
        if not self.covers(day.year):
            raise CalendarError(day, self.describe_coverage())
        if self._years is None:
            return day.isoweekday() > 5
        holidays, workdays, _ = _statutory()
        return day not in workdays and (day.isoweekday() > 5 or day in holidays)
