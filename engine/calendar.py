"""Working days (工作日): the Chinese statutory calendar plus a county's own exceptions.

The statutory holidays and the weekend days made working days (调休) come from two sources:
the ``chinesecalendar`` package, which follows the State Council's yearly notices, and the
years a county loads itself from the notice (``zhenggai calendar load``, :class:`LoadedYears`),
for a year the package does not know yet — every December until the next release — or, when
the operator says so, instead of the package's data for that year. A loaded year always wins
over the package, so a later package release never moves a deadline by itself. A year neither
source knows is a :class:`CalendarError`, never a guess from weekdays. ``weekends`` is a plain
Monday-to-Friday calendar for campaigns that do not follow the statutory one.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar, cast

import chinese_calendar
from zhenggai.workflows.schema import CalendarSpec, CalendarYearSpec, HolidaySpec

from .errors import CalendarError

T = TypeVar("T")
#: Derived days a calendar remembers at most (then it starts afresh).
_MEMO_LIMIT = 10_000

__all__ = [
    "FESTIVALS",
    "LoadedYears",
    "WorkingCalendar",
    "package_year",
    "statutory_years",
    "year_days",
    "year_problems",
]

#: The seven festivals every yearly notice arranges (《全国年节及纪念日放假办法》), with the
#: words a holiday's name is recognised by.
FESTIVALS: Mapping[str, tuple[str, ...]] = {
    "元旦": ("元旦",),
    "春节": ("春节",),
    "清明节": ("清明",),
    "劳动节": ("劳动节", "五一"),
    "端午节": ("端午",),
    "中秋节": ("中秋",),
    "国庆节": ("国庆",),
}
#: The package's English holiday names, in Chinese.
_PACKAGE_NAMES: Mapping[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
#: No holiday of a notice is longer (春节 and 国庆 run eight or nine days with the weekends).
_LONGEST_HOLIDAY = 12

Days = tuple[frozenset[dt.date], frozenset[dt.date]]


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


def package_year(year: int) -> list[tuple[str, list[dt.date], list[dt.date]]]:
    """The installed package's arrangement of ``year``: each holiday (name in Chinese, a run of
    consecutive days off) with its make-up working days (those of the same festival nearest
    to it), in date order; empty for a year it does not know."""
    off: dict[str, list[dt.date]] = {}
    on: dict[str, list[dt.date]] = {}
    for day, name in sorted(chinese_calendar.holidays.items()):
        if day.year == year:
            off.setdefault(_PACKAGE_NAMES.get(name, name), []).append(day)
    for day, name in sorted(chinese_calendar.workdays.items()):
        if day.year == year:
            on.setdefault(_PACKAGE_NAMES.get(name, name), []).append(day)
    runs: list[tuple[str, list[dt.date], list[dt.date]]] = []
    for name, days in off.items():
        for day in days:
            if runs and runs[-1][0] == name and runs[-1][1][-1] == day - dt.timedelta(days=1):
                runs[-1][1].append(day)
            else:
                runs.append((name, [day], []))
    for name, days in on.items():
        mine = [r for r in runs if r[0] == name]
        for day in days:
            if mine:
                min(mine, key=lambda r: min(abs((day - d).days) for d in r[1]))[2].append(day)
            else:
                runs.append((name, [], [day]))
    return sorted(runs, key=lambda r: min(r[1] + r[2]))


def year_days(spec: CalendarYearSpec) -> Days:
    """A notice's days off (every day of every holiday) and its make-up working days."""
    off: set[dt.date] = set()
    on: set[dt.date] = set()
    for h in spec.holidays:
        end = h.end or h.start
        off.update(h.start + dt.timedelta(days=i) for i in range((end - h.start).days + 1))
        on.update(h.makeup)
    return frozenset(off), frozenset(on)


def year_problems(spec: CalendarYearSpec) -> list[str]:
    """What keeps a year's notice from deciding every day of its year (``path: message``, in
    file order): a date of another year, a holiday that ends before it starts or runs longer
    than any notice's, two holidays on one day, a day both off and a make-up working day, a
    make-up day that is not a Saturday or Sunday (a weekday is a working day already), a
    holiday wholly on a weekend, and a festival of the seven the notice arranges missing."""
    problems: list[str] = []
    seen: dict[dt.date, str] = {}
    makeup: dict[dt.date, str] = {}
    for i, h in enumerate(spec.holidays):
        problems += _holiday_problems(spec, f"holidays[{i}]", h, seen, makeup)
    for i, h in enumerate(spec.holidays):
        for k, day in enumerate(h.makeup):
            if day in seen:
                problems.append(f"holidays[{i}].makeup[{k}]: {day} 既是「{seen[day]}」的放假日又是调休上班日")
    names = " ".join(h.name for h in spec.holidays)
    missing = [f for f, words in FESTIVALS.items() if not any(w in names for w in words)]
    if missing:
        problems.append(
            f"holidays: 缺少 {'、'.join(missing)} 的安排 (每年的通知安排元旦、春节、清明节、劳动节、"
            "端午节、中秋节、国庆节七个节日; 几个节日连休时在名称中一并写明, 如「中秋节、国庆节」)"
        )
    return problems


def _holiday_problems(
    spec: CalendarYearSpec, path: str, h: HolidaySpec, seen: dict[dt.date, str], makeup: dict[dt.date, str]
) -> list[str]:
    """One holiday of :func:`year_problems`, its days entered in ``seen`` and its make-up days
    in ``makeup`` (the holidays before it are there already)."""
    problems: list[str] = []
    end = h.end or h.start
    for field, day in (("start", h.start), ("end", end)):
        if day.year != spec.year:
            problems.append(
                f"{path}.{field}: {day} 不在 {spec.year} 年内 (跨年的日子属于 {day.year} 年的日历)"
            )
    if end < h.start:
        problems.append(f"{path}.end: 结束日期 {end} 早于开始日期 {h.start}")
        return problems
    length = (end - h.start).days + 1
    if length > _LONGEST_HOLIDAY:
        problems.append(
            f"{path}.end: {h.name} 放假 {length} 天, 超过任何一年的安排 ({_LONGEST_HOLIDAY} 天); 请核对日期"
        )
        return problems
    days = [h.start + dt.timedelta(days=k) for k in range(length)]
    if all(d.isoweekday() > 5 for d in days):
        problems.append(f"{path}: {h.name} 只有周末 ({h.start} 至 {end}), 不需列为放假")
    for day in days:
        if day in seen:
            problems.append(f"{path}: {day} 已在「{seen[day]}」中放假, 不能重复安排")
            break
        seen[day] = h.name
    return problems + _makeup_problems(spec, path, h, makeup)


def _makeup_problems(
    spec: CalendarYearSpec, path: str, h: HolidaySpec, makeup: dict[dt.date, str]
) -> list[str]:
    """The make-up working days of one holiday: in the year, on a weekend, not another's."""
    problems: list[str] = []
    for k, day in enumerate(h.makeup):
        where = f"{path}.makeup[{k}]"
        if day.year != spec.year:
            problems.append(f"{where}: {day} 不在 {spec.year} 年内 (跨年的日子属于 {day.year} 年的日历)")
        elif day.isoweekday() <= 5:
            problems.append(
                f"{where}: {day} 是星期{'一二三四五'[day.weekday()]}, 本就是工作日, 不是调休上班日"
            )
        elif day in makeup:
            problems.append(f"{where}: {day} 已是「{makeup[day]}」的调休上班日")
        makeup.setdefault(day, h.name)
    return problems


class LoadedYears:
    """The years operators loaded (``zg_calendar_year``), shared by every campaign calendar of
    one engine and replaced as a whole when the engine reads them again (a load in another
    process is seen at the next sweep). ``fingerprint`` names what was read."""

    def __init__(self) -> None:
        self._years: dict[int, Days] = {}
        self.fingerprint: tuple[int, int] | None = None
        #: Bumped by every :meth:`replace`: what the calendars remembered before is stale.
        self.generation = 0
        self._lock = threading.Lock()

    def replace(self, years: Mapping[int, Days], fingerprint: tuple[int, int]) -> None:
        with self._lock:
            self._years = dict(years)
            self.fingerprint = fingerprint
            self.generation += 1

    def get(self, year: int) -> Days | None:
        return self._years.get(year)

    def years(self) -> list[int]:
        return sorted(self._years)


class WorkingCalendar:
    """A definition's calendar; implements the :class:`zhenggai.engine.ports.Calendar` port.

    ``loaded``: the years operators loaded, which take the place of the package's data for
    their year (the engine passes its own; without it, only the package is known)."""

    def __init__(self, spec: CalendarSpec | None = None, *, loaded: LoadedYears | None = None) -> None:
        spec = spec or CalendarSpec()
        self.spec = spec
        self._statutory = spec.base == "cn_statutory"
        self._years = statutory_years() if self._statutory else None
        self._loaded = loaded if self._statutory else None
        self._holidays = {o.date for o in spec.extra_holidays}
        self._workdays = {o.date for o in spec.extra_workdays}
        self._memo: dict[Hashable, Any] = {}
        self._memo_generation = self._generation()

    def _generation(self) -> int:
        return self._loaded.generation if self._loaded is not None else 0

    def remembered(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, remembered under ``key`` while this calendar's days stay as they are:
        derived days (a ladder rung's day, working days between two dates) are the same for
        every item with the same due date, so a sweep works each out once. Forgotten when the
        loaded years change (the spec's own days never do); an error is never remembered."""
        generation = self._generation()
        memo = self._memo
        if generation != self._memo_generation:
            memo.clear()
            self._memo_generation = generation
        try:
            return cast(T, memo[key])
        except KeyError:
            pass
        value = compute()
        if self._generation() == generation:  # not computed across a change of the years
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            memo[key] = value
        return value

    def covers(self, year: int) -> bool:
        return (
            self._years is None
            or year in self._years
            or (self._loaded is not None and self._loaded.get(year) is not None)
        )

    def describe_coverage(self) -> str:
        if self._years is None:
            return "任意年份 (仅按周末)"
        text = f"{self._years.start}-{self._years.stop - 1} 年"
        extra = [y for y in (self._loaded.years() if self._loaded else []) if y not in self._years]
        if extra:
            text += f", 另载入 {'、'.join(str(y) for y in extra)} 年"
        return text

    def _base(self, day: dt.date) -> Days:
        """The holidays and make-up days ``day``'s year is decided by."""
        loaded = self._loaded.get(day.year) if self._loaded is not None else None
        if loaded is not None:
            return loaded
        assert self._years is not None
        if day.year not in self._years:
            raise CalendarError(day, self.describe_coverage())
        holidays, workdays, _ = _statutory()
        return holidays, workdays

    def is_workday(self, day: dt.date) -> bool:
        if day in self._workdays:
            return True
        if day in self._holidays:
            return False
        if self._years is None:
            return day.isoweekday() <= 5
        holidays, workdays = self._base(day)
        return day in workdays or (day.isoweekday() <= 5 and day not in holidays)

    def is_statutory_holiday(self, day: dt.date) -> bool:
        """Whether ``day`` is a day off in the base calendar (weekend or holiday, no 调休)."""
        if self._years is None:
            return day.isoweekday() > 5
        holidays, workdays = self._base(day)
        return day not in workdays and (day.isoweekday() > 5 or day in holidays)
