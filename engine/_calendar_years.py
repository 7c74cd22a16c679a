"""Calendar years a county loads (``zg_calendar_year``): storing a year's notice, reading the
years in force into an engine's :class:`~zhenggai.engine.calendar.LoadedYears`, and the views
``zhenggai calendar list | show`` print.

Rows are never deleted: the newest row of a year is in force, older ones are its history. A year
the installed package knows is loaded only with ``replace`` (the operator's word that the file,
not the package, decides that year); a year loaded before is replaced the same way. Either way a
later package release changes nothing: a loaded year always wins.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, func, select
from zhenggai.workflows.schema import CalendarYearSpec

from . import models as m
from ._raw import Prepared, Row, Tx
from .calendar import Days, LoadedYears, package_year, statutory_years, year_days, year_problems
from .errors import DefinitionError, InvalidInputError
from .views import CalendarHolidayView, CalendarYearView

__all__ = ["CalendarStatements", "load_year", "read_loaded", "year_view", "year_views"]

CALENDAR_YEAR = m.CalendarYear.__table__


class CalendarStatements:
    """The statements of this module, compiled once for a dialect."""

    def __init__(self, dialect: Any) -> None:
        t = CALENDAR_YEAR
        fingerprint: Any = select(func.count().label("n"), func.coalesce(func.max(t.c.id), 0).label("last"))
        self.fingerprint: Prepared[Row] = Prepared(fingerprint, dialect)
        self.rows: Prepared[Row] = Prepared(select(t).order_by(t.c.year, t.c.id), dialect)
        self.campaign_ids: Prepared[Row] = Prepared(
            select(m.Campaign.__table__.c.id).order_by(m.Campaign.__table__.c.id), dialect
        )
        self.rows_of_year: Prepared[Row] = Prepared(
            select(t).where(t.c.year == bindparam("year")).order_by(t.c.id), dialect
        )
        self.insert: Prepared[Row] = Prepared(
            t.insert().values({c.name: bindparam(c.name) for c in t.c if c.name != "id"}).returning(t.c.id),
            dialect,
        )


def _days(row: Mapping[str, Any]) -> Days:
    holidays = json.loads(row["holidays_json"])
    off: set[dt.date] = set()
    for h in holidays:
        start, end = dt.date.fromisoformat(h["start"]), dt.date.fromisoformat(h["end"])
        off.update(start + dt.timedelta(days=i) for i in range((end - start).days + 1))
    return frozenset(off), frozenset(dt.date.fromisoformat(d) for d in json.loads(row["workdays_json"]))


def read_loaded(tx: Tx, cs: CalendarStatements, loaded: LoadedYears) -> bool:
    """Bring ``loaded`` in line with the database (one small query when nothing changed);
    returns whether it changed."""
    found = tx.one(cs.fingerprint)
    assert found is not None
    fingerprint = (int(found["n"]), int(found["last"]))
    if fingerprint == loaded.fingerprint:
        return False
    in_force: dict[int, Days] = {}
    for row in tx.all(cs.rows):  # by year, then id: the newest row of a year comes last
        in_force[row["year"]] = _days(row)
    loaded.replace(in_force, fingerprint)
    return True


def load_year(
    tx: Tx,
    cs: CalendarStatements,
    spec: CalendarYearSpec,
    *,
    sha256: str,
    actor: str,
    replace: bool,
    now: dt.datetime,
) -> tuple[int, str | None]:
    """Store a year's notice; returns the new row's id and what it replaced (``package``,
    ``loaded`` or None). Refused (nothing stored) when the notice does not decide every day
    of its year, or when the year is known and ``replace`` is not given."""
    problems = year_problems(spec)
    if problems:
        raise DefinitionError(problems, what="节假日安排")
    earlier = tx.all(cs.rows_of_year, {"year": spec.year})
    replaces: str | None = None
    if earlier:
        last = earlier[-1]
        if not replace:
            raise InvalidInputError(
                "year",
                f"{spec.year} 年的节假日安排已于 {_local(last['loaded_at'])} 由 {last['loaded_by']} 载入"
                f" (来源: {last['source']}); 以本文件替换时加 --replace",
            )
        replaces = "loaded"
    elif spec.year in statutory_years():
        if not replace:
            raise InvalidInputError(
                "year",
                f"内置日历 (chinesecalendar) 已有 {spec.year} 年的节假日安排; 确认以本文件为准时加 --replace"
                " (此后内置数据的更新不再改变该年)",
            )
        replaces = "package"
    holidays, workdays = _holiday_rows(spec), sorted(d.isoformat() for d in year_days(spec)[1])
    row_id = tx.scalar(
        cs.insert,
        {
            "year": spec.year,
            "holidays_json": json.dumps(holidays, ensure_ascii=False),
            "workdays_json": json.dumps(workdays),
            "source": spec.source,
            "notice": spec.notice,
            "sha256": sha256,
            "replaces": replaces,
            "loaded_by": actor,
            "loaded_at": now,
        },
    )
    return int(row_id), replaces


def _holiday_rows(spec: CalendarYearSpec) -> list[dict[str, Any]]:
    return [
        {
            "name": h.name,
            "start": h.start.isoformat(),
            "end": (h.end or h.start).isoformat(),
            "makeup": [d.isoformat() for d in h.makeup],
        }
        for h in spec.holidays
    ]


def _local(at: dt.datetime) -> str:
    return at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")


def _counts(year: int, off: frozenset[dt.date], on: frozenset[dt.date]) -> tuple[int, int]:
    """Working days and days off of ``year`` by the statutory rule (no county overrides)."""
    day, work, rest = dt.date(year, 1, 1), 0, 0
    while day.year == year:
        if day in on or (day.isoweekday() <= 5 and day not in off):
            work += 1
        else:
            rest += 1
        day += dt.timedelta(days=1)
    return work, rest


def _loaded_view(row: Mapping[str, Any], in_force: bool) -> CalendarYearView:
    holidays = tuple(
        CalendarHolidayView(
            name=h["name"],
            start=dt.date.fromisoformat(h["start"]),
            end=dt.date.fromisoformat(h["end"]),
            makeup=tuple(dt.date.fromisoformat(d) for d in h["makeup"]),
        )
        for h in json.loads(row["holidays_json"])
    )
    off, on = _days(row)
    work, rest = _counts(row["year"], off, on)
    return CalendarYearView(
        year=row["year"],
        origin="loaded",
        in_force=in_force,
        source=row["source"],
        notice=row["notice"],
        loaded_by=row["loaded_by"],
        loaded_at=row["loaded_at"],
        replaces=row["replaces"],
        sha256=row["sha256"],
        holidays=holidays,
        working_days=work,
        days_off=rest,
    )


def _package_view(year: int, in_force: bool) -> CalendarYearView:
    arranged = package_year(year)
    holidays = tuple(
        CalendarHolidayView(name=name, start=min(off), end=max(off), makeup=tuple(on))
        for name, off, on in arranged
        if off
    )
    off_days = frozenset(d for _, off, _ in arranged for d in off)
    on_days = frozenset(d for _, _, on in arranged for d in on)
    work, rest = _counts(year, off_days, on_days)
    return CalendarYearView(
        year=year,
        origin="package",
        in_force=in_force,
        source="chinesecalendar (国务院办公厅历年节假日安排通知)",
        notice=None,
        loaded_by=None,
        loaded_at=None,
        replaces=None,
        sha256=None,
        holidays=holidays,
        working_days=work,
        days_off=rest,
    )


def year_views(
    rows: Sequence[Mapping[str, Any]], years: Sequence[int] | None = None
) -> list[CalendarYearView]:
    """Every year the database can use, by year: the package's years and every loaded row (a
    year's newest loaded row in force, its earlier rows and a replaced package year not)."""
    newest: dict[int, int] = {}
    for row in rows:
        newest[row["year"]] = row["id"]
    views: list[CalendarYearView] = []
    wanted = set(years) if years is not None else None
    for year in sorted(set(statutory_years()) | set(newest)):
        if wanted is not None and year not in wanted:
            continue
        if year in statutory_years():
            views.append(_package_view(year, in_force=year not in newest))
        views.extend(_loaded_view(r, r["id"] == newest[year]) for r in rows if r["year"] == year)
    return views


def year_view(rows: Sequence[Mapping[str, Any]], year: int) -> CalendarYearView | None:
    """The arrangement in force for ``year`` (None when neither source knows it)."""
    return next((v for v in year_views(rows, [year]) if v.in_force), None)
