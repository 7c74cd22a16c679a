"""Working days (工作日) and deadline arithmetic: the statutory calendar checked against the State
Council's notices for 2023–2026 (written out here by hand, not read from the package), county
overrides, years without data, and the counting rules of engine/deadlines.py."""

from __future__ import annotations

import datetime as dt
import tempfile
import zoneinfo
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from zhenggai.engine import Actor, CalendarError, Engine, VirtualClock
from zhenggai.engine.calendar import WorkingCalendar
from zhenggai.engine.deadlines import (
    add_days,
    next_workday,
    offset_day,
    received_day,
    rectification_due,
    rule_for,
    working_days_between,
)
from zhenggai.engine.ports import Calendar
from zhenggai.testing import DEFAULT_START, throwaway_engine
from zhenggai.workflows import load_setup
from zhenggai.workflows.schema import CalendarSpec, DayOverride, DeadlineRule, DeadlinesSpec

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
STATUTORY = WorkingCalendar()


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


#: Weekend days made working days (调休), from the yearly notices.
MAKE_UP_DAYS = {
    2023: ["01-28", "01-29", "04-23", "05-06", "06-25", "10-07", "10-08"],
    2024: ["02-04", "02-18", "04-07", "04-28", "05-11", "09-14", "09-29", "10-12"],
    2025: ["01-26", "02-08", "04-27", "09-28", "10-11"],
    2026: ["01-04", "02-14", "02-28", "05-09", "09-20", "10-10"],
}
#: Weekdays that were holidays, from the same notices.
WEEKDAY_HOLIDAYS = {
    2023: [
        "01-02",
        "01-23",
        "01-24",
        "01-25",
        "01-26",
        "01-27",
        "04-05",
        "05-01",
        "05-02",
        "05-03",
        "06-22",
        "06-23",
        "09-29",
        "10-02",
        "10-03",
        "10-04",
        "10-05",
        "10-06",
    ],
    2024: [
        "01-01",
        "02-12",
        "02-13",
        "02-14",
        "02-15",
        "02-16",
        "04-04",
        "04-05",
        "05-01",
        "05-02",
        "05-03",
        "06-10",
        "09-16",
        "09-17",
        "10-01",
        "10-02",
        "10-03",
        "10-04",
        "10-07",
    ],
    2025: [
        "01-01",
        "01-28",
        "01-29",
        "01-30",
        "01-31",
        "02-03",
        "02-04",
        "04-04",
        "05-01",
        "05-02",
        "05-05",
        "06-02",
        "10-01",
        "10-02",
        "10-03",
        "10-06",
        "10-07",
        "10-08",
    ],
    2026: [
        "01-01",
        "01-02",
        "02-16",
        "02-17",
        "02-18",
        "02-19",
        "02-20",
        "02-23",
        "04-06",
        "05-01",
        "05-04",
        "05-05",
        "06-19",
        "09-25",
        "10-01",
        "10-02",
        "10-05",
        "10-06",
        "10-07",
    ],
}


@pytest.mark.parametrize("year", sorted(MAKE_UP_DAYS))
def test_statutory_year_matches_the_notice(year: int) -> None:
    """Every day of the year: a working day exactly when it is a weekday that was not a holiday
    or a weekend day made a working day."""
    make_up = {d(f"{year}-{x}") for x in MAKE_UP_DAYS[year]}
    holidays = {d(f"{year}-{x}") for x in WEEKDAY_HOLIDAYS[year]}
    day = dt.date(year, 1, 1)
    wrong = []
    while day.year == year:
        expected = day in make_up or (day.isoweekday() <= 5 and day not in holidays)
        if STATUTORY.is_workday(day) != expected:
            wrong.append(day.isoformat())
        day += dt.timedelta(days=1)
    assert wrong == []


def test_the_issue_s_reference_days() -> None:
    """2023-06-25 and 2023-10-07/08 were working weekend days; 2023-09-29..10-06 were holidays."""
    assert all(STATUTORY.is_workday(d(x)) for x in ("2023-06-25", "2023-10-07", "2023-10-08"))
    assert not any(STATUTORY.is_workday(d("2023-09-29") + dt.timedelta(days=k)) for k in range(8))


def test_county_overrides_win_over_the_statutory_base() -> None:
    """hotline_2024: YY县's fair day (2024-03-15, a Friday) off, Saturday 2024-03-23 worked."""
    cal = WorkingCalendar(load_setup("hotline_2024").calendar)
    assert isinstance(cal, Calendar)
    assert not cal.is_workday(d("2024-03-15")) and STATUTORY.is_workday(d("2024-03-15"))
    assert cal.is_workday(d("2024-03-23")) and not STATUTORY.is_workday(d("2024-03-23"))


def test_a_year_without_data_is_an_error_not_a_guess() -> None:
    """2031 has no holiday notice in the data: a CalendarError in Chinese, naming the years known;
    a county override in that year is still known; the weekends base covers any year."""
    with pytest.raises(CalendarError, match=r"工作日历不含 2031-05-06 所在年份.*2004-2026") as err:
        STATUTORY.is_workday(d("2031-05-06"))
    assert err.value.day == d("2031-05-06")
    with pytest.raises(CalendarError):
        add_days(STATUTORY, d("2026-12-28"), 5, "working")
    county = WorkingCalendar(CalendarSpec(extra_workdays=[DayOverride(date=d("2031-05-04"), name="补班")]))
    assert county.is_workday(d("2031-05-04"))
    weekends = WorkingCalendar(CalendarSpec(base="weekends"))
    assert weekends.is_workday(d("2031-05-06")) and not weekends.is_workday(d("2031-05-04"))


@pytest.mark.parametrize(
    ("at", "days", "count", "due"),
    [
        ("2023-07-03T10:00", 5, "working", "2023-07-10"),  # Monday morning: due next Monday
        ("2023-07-03T17:30", 5, "working", "2023-07-10"),  # at the cut-off still counts that day
        ("2023-07-03T17:31", 5, "working", "2023-07-11"),  # after it: received Tuesday
        ("2023-07-08T10:00", 5, "working", "2023-07-17"),  # Saturday: received Monday
        ("2023-09-28T10:00", 3, "working", "2023-10-09"),  # over National Day: 10-07, 10-08 worked
        ("2023-09-28T18:00", 3, "working", "2023-10-10"),  # late: received 10-07
        ("2023-10-03T09:00", 1, "working", "2023-10-08"),  # in the holiday: received 10-07
        ("2023-06-21T09:00", 2, "working", "2023-06-26"),  # Dragon Boat 6-22..24, 6-25 worked
        ("2023-09-20T09:00", 10, "calendar", "2023-10-07"),  # 9-30 is a holiday: to the next working day
        ("2023-07-03T09:00", 30, "calendar", "2023-08-02"),
        ("2024-02-09T18:00", 1, "working", "2024-02-19"),  # 除夕 evening: received 2-18 (a Sunday worked)
        ("2026-09-30T09:00", 1, "working", "2026-10-08"),  # 2026 National Day, 10-10 worked after
    ],
)
def test_due_dates(at: str, days: int, count: str, due: str) -> None:
    """The documented counting rules on known dates (times are Asia/Shanghai)."""
    deadlines = DeadlinesSpec(default=DeadlineRule(days=days, count=count))  # type: ignore[arg-type]
    assigned = dt.datetime.fromisoformat(at).replace(tzinfo=SHANGHAI)
    got = rectification_due(
        STATUTORY, deadlines, track="any", severity="any", assigned_at=assigned, tz=SHANGHAI
    )
    assert got == d(due)


def test_the_cut_off_is_judged_in_the_campaign_s_timezone() -> None:
    """09:45 UTC is 17:45 in Shanghai (after 17:30) but 15:45 in Urumqi (before it)."""
    at = dt.datetime(2023, 7, 3, 9, 45, tzinfo=dt.UTC)
    assert received_day(STATUTORY, at, SHANGHAI, dt.time(17, 30)) == d("2023-07-04")
    assert received_day(STATUTORY, at, zoneinfo.ZoneInfo("Asia/Urumqi"), dt.time(17, 30)) == d("2023-07-03")
    with pytest.raises(ValueError, match="aware"):
        received_day(STATUTORY, dt.datetime(2023, 7, 3, 9, 45), SHANGHAI, dt.time(17, 30))


def test_the_most_specific_rule_wins() -> None:
    """Built-in plan: 15 working days; 20 for 较重; 30 for 严重 and for 新官不理旧账; track+severity first."""
    deadlines = load_setup("county_2023").deadlines
    assert deadlines is not None
    assert rule_for(deadlines, "construction", "normal").days == 15
    assert rule_for(deadlines, "construction", "serious").days == 20
    assert rule_for(deadlines, "legacy_commitments", "serious").days == 30
    both = deadlines.model_copy(
        update={
            "rules": [*deadlines.rules, DeadlineRule(track="legacy_commitments", severity="serious", days=40)]
        }
    )
    assert rule_for(both, "legacy_commitments", "serious").days == 40
    assert rule_for(both, "legacy_commitments", "normal").days == 30


def test_ladder_offsets() -> None:
    """Working-day offsets skip days off both ways; calendar offsets are plain dates."""
    due = d("2023-10-09")  # Monday after National Day
    assert offset_day(STATUTORY, due, -2, "working") == d("2023-10-07")
    assert offset_day(STATUTORY, due, -3, "working") == d("2023-09-28")
    assert offset_day(STATUTORY, due, 1, "working") == d("2023-10-10")
    assert offset_day(STATUTORY, due, 0, "working") == due
    assert offset_day(STATUTORY, due, -10, "calendar") == d("2023-09-29")


DAYS = st.dates(dt.date(2023, 1, 1), dt.date(2026, 10, 31))


@given(start=DAYS, days=st.integers(0, 40))
def test_working_day_sums_hold(start: dt.date, days: int) -> None:
    """add_days in working days lands on a working day (or on the start, for 0), exactly
    ``days`` working days after the start, and going back as many lands before it."""
    due = add_days(STATUTORY, start, days, "working")
    assert working_days_between(STATUTORY, start, due) == days
    if days:
        assert STATUTORY.is_workday(due)
        assert offset_day(STATUTORY, due, -days, "working") <= start
    assert add_days(STATUTORY, start, days + 1, "working") > due


@given(start=DAYS, days=st.integers(0, 60))
def test_calendar_day_deadlines_end_on_the_first_working_day_from_the_plain_date(
    start: dt.date, days: int
) -> None:
    """A calendar-day deadline is the plain date when that is a working day, else the next one."""
    due = add_days(STATUTORY, start, days, "calendar")
    plain = start + dt.timedelta(days=days)
    assert due >= plain and STATUTORY.is_workday(due)
    assert all(not STATUTORY.is_workday(plain + dt.timedelta(days=k)) for k in range((due - plain).days))
    assert next_workday(STATUTORY, plain) == due


def test_assigning_in_a_year_without_data_is_refused_by_rule_and_waits_with_a_date() -> None:
    """At run time a deadline *rule* counted in a year the calendar does not know is a
    CalendarError and the item stays as it was; a due date a person gives is taken, and the
    ladder's working-day steps it cannot place wait for the calendar (待日历)."""
    clock = VirtualClock(dt.datetime(2031, 3, 3, 1, 0, tzinfo=dt.UTC))
    with throwaway_engine(clock=clock) as sandbox:
        engine = sandbox.engine
        item = engine.report(
            "test",
            sandbox.office,
            title="审批超时",
            description="施工许可审批超时",
            track="construction",
            channel="hotline",
        )
        with pytest.raises(CalendarError, match="2031"):
            engine.assign(item.id, sandbox.office, unit="housing_construction_bureau")
        assert engine.item(item.id) == item
        assert len(engine.events(item.id)) == 1
        assigned = engine.assign(
            item.id, sandbox.office, unit="housing_construction_bureau", due="2031-03-31"
        )
        assert assigned.due == dt.date(2031, 3, 31)
        assert engine.status().awaiting_calendar == 5


def test_a_host_calendar_is_used_for_deadlines() -> None:
    """Engine(calendar=…) makes each campaign's calendar from its definition's section: here one
    where every day is a working day, so 15 working days are 15 days."""

    class EveryDay:
        def __init__(self, spec: CalendarSpec) -> None:
            self.spec = spec

        def covers(self, year: int) -> bool:
            return True

        def is_workday(self, day: dt.date) -> bool:
            return True

    with tempfile.TemporaryDirectory() as folder:
        engine = Engine(Path(folder) / "zg.db", clock=VirtualClock(DEFAULT_START), calendar=EveryDay)
        try:
            engine.start_campaign(load_setup("county_2023"), key="test")
            office = Actor("王主任", "leading_group_office", "discipline_commission")
            item = engine.report(
                "test",
                office,
                title="审批超时",
                description="施工许可审批超时",
                track="construction",
                channel="hotline",
            )
            assigned = engine.assign(item.id, office, unit="housing_construction_bureau")
            assert assigned.due == d("2023-07-18")  # received Monday 2023-07-03, + 15 days
        finally:
            engine.dispose()
