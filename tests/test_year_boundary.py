"""A county runs through the year boundary (issue 12, points 1–3): on a VirtualClock in December
2026 against the real package data (which stops at 2026), assignments whose ladder reaches 2027
succeed with those rungs waiting for the calendar (待日历); the sweep keeps going into January
with one operator alert; a 2027 notice loaded later arms them, and everything fires once.
Calendar files are checked before anything is stored. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import zoneinfo
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from zhenggai.engine import (
    Actor,
    CalendarError,
    DefinitionError,
    Engine,
    InvalidInputError,
    NewContact,
    VirtualClock,
)
from zhenggai.engine._statements import STEP
from zhenggai.engine.calendar import (
    LoadedYears,
    WorkingCalendar,
    package_year,
    statutory_years,
    year_days,
    year_problems,
)
from zhenggai.engine.deadlines import offset_day
from zhenggai.testing import items_only
from zhenggai.workflows import check_definition, dump_setup, load_calendar_year, load_setup
from zhenggai.workflows._shift import shift_setup
from zhenggai.workflows.schema import CalendarYearSpec, CampaignSetup, HolidaySpec

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DATA = Path(__file__).parent / "data"
YEAR_2027 = DATA / "calendar_2027.yaml"
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
OPERATOR = Actor("运维张工", "operator")
UNIT = "housing_construction_bureau"


def at(day: str, hh: int = 9, mm: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hh, minute=mm, tzinfo=SHANGHAI)


def steps(engine: Engine, kind: str, sid: int) -> dict[str, str]:
    with engine.store.read() as conn:
        rows = conn.execute(
            select(STEP.c.step_key, STEP.c.status).where(
                STEP.c.subject_kind == kind, STEP.c.subject_id == sid
            )
        ).all()
    return {k: s for k, s in rows}


def ladder_events(engine: Engine, item: int) -> list[str]:
    return [e.data["step"] for e in engine.events(item) if e.trigger == "ladder_step"]


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(at("2026-12-07"))


@pytest.fixture
def engine(db_url: str, clock: VirtualClock) -> Engine:
    """This year's plan (the built-in one re-dated to 2026), started on 2026-12-07."""
    engine = Engine(db_url, clock=clock)
    engine.start_campaign(shift_setup(load_setup("county_2023"), to_year=2026), key="xx-2026")
    yield engine  # type: ignore[misc]
    engine.dispose()


def assigned(engine: Engine, due: str | None = None) -> int:
    item = engine.report(
        "xx-2026",
        OFFICE,
        title="施工许可审批超时",
        description="某项目施工许可审批超过承诺时限",
        track="construction",
        channel="hotline",
    ).id
    engine.assign(item, OFFICE, unit=UNIT, due=due)
    return item


def test_the_package_stops_at_2026_and_2027_is_unknown() -> None:
    """The premise: the newest published package knows 2026 and not 2027."""
    assert statutory_years().stop - 1 == 2026
    with pytest.raises(CalendarError, match="2027"):
        WorkingCalendar().is_workday(dt.date(2027, 1, 4))


def test_assigning_in_december_with_rungs_in_2027(engine: Engine) -> None:
    """15 working days from 2026-12-07 is 2026-12-28: the assignment succeeds; the rungs in 2026
    are pending, the 挂牌督办 (+5) and 问责 (+15) rungs in 2027 wait for the calendar. An
    explicit 2026-12-30 does the same."""
    item = assigned(engine)
    assert engine.item(item).due == dt.date(2026, 12, 28)
    rows = steps(engine, "item", item)
    assert rows == {
        "item_overdue.reminder@2026-12-28": "pending",
        "item_overdue.yellow@2026-12-28": "pending",
        "item_overdue.red@2026-12-28": "pending",
        "item_overdue.listed_supervision@2026-12-28": "awaiting_calendar",
        "item_overdue.accountability@2026-12-28": "awaiting_calendar",
    }
    explicit = assigned(engine, "2026-12-30")
    assert Counter(steps(engine, "item", explicit).values()) == {"pending": 3, "awaiting_calendar": 2}


def test_a_rule_that_needs_2027_is_refused_and_changes_nothing(engine: Engine, clock: VirtualClock) -> None:
    """On 12-15 the 15-working-day rule would count into 2027: refused with the calendar error,
    the item unchanged; the same item assigned with an explicit date in 2027 is accepted."""
    clock.set(at("2026-12-15"))
    item = engine.report(
        "xx-2026",
        OFFICE,
        title="审批超时",
        description="施工许可审批超时",
        track="construction",
        channel="hotline",
    )
    with pytest.raises(CalendarError, match="2027"):
        engine.assign(item.id, OFFICE, unit=UNIT)
    assert engine.item(item.id) == item
    engine.assign(item.id, OFFICE, unit=UNIT, due="2027-01-15")
    assert set(steps(engine, "item", item.id).values()) == {"awaiting_calendar"}


def test_an_explicit_due_date_on_a_day_off_is_refused_with_the_next_working_day(engine: Engine) -> None:
    """2026-12-26 is a Saturday: refused, naming Monday 12-28; nothing is written."""
    item = engine.report(
        "xx-2026",
        OFFICE,
        title="审批超时",
        description="施工许可审批超时",
        track="construction",
        channel="hotline",
    )
    with pytest.raises(InvalidInputError, match=r"2026-12-26 \(星期六\).*2026-12-28 \(星期一\)"):
        engine.assign(item.id, OFFICE, unit=UNIT, due="2026-12-26")
    assert engine.item(item.id) == item and len(engine.events(item.id)) == 1


def test_sweeping_into_january_then_loading_2027(engine: Engine, clock: VirtualClock) -> None:
    """Into January 2027 the sweep fires what it can (the 12-29 red light), skips what waits for
    2027 with one alert — a `calendar_missing` event, one message to the office, a status line
    — and a second sweep says nothing more. Loading the notice arms the waiting steps; the next
    sweep fires each once (挂牌督办 late, 问责 on its day); recompute
    moves nothing of a date a person chose; nothing fires twice."""
    engine.add_contact(
        "xx-2026",
        OFFICE,
        NewContact(
            unit="discipline_commission", name="王主任", role="leading_group_office", email="office@xx.gov.cn"
        ),
    )
    item = assigned(engine)
    for day in ("2026-12-21", "2026-12-24", "2026-12-29", "2027-01-04", "2027-01-05"):
        clock.set(at(day, 0, 30))
        engine.sweep()
    assert ladder_events(engine, item) == ["reminder", "yellow", "red"]
    alerts = [e for e in engine.events(campaign="xx-2026") if e.trigger == "calendar_missing"]
    assert len(alerts) == 1 and alerts[0].data["year"] == 2027
    assert alerts[0].at == at("2027-01-04", 0, 30)
    messages = [m for m in engine.outbox("xx-2026") if m.kind == "calendar_missing"]
    assert len(messages) == 1 and messages[0].recipient == "office@xx.gov.cn"
    status = engine.status()
    assert status.awaiting_years == (2027,) and status.awaiting_due >= 2
    clock.set(at("2027-01-11", 0, 30))
    engine.sweep()
    assert len([e for e in engine.events(campaign="xx-2026") if e.trigger == "calendar_missing"]) == 1

    checked = load_calendar_year(YEAR_2027)
    view = engine.load_calendar_year(checked.spec, OPERATOR, sha256=checked.sha256)
    assert (view.year, view.origin, view.in_force, view.loaded_by) == (2027, "loaded", True, "运维张工")
    assert steps(engine, "item", item)["item_overdue.listed_supervision@2026-12-28"] == "pending"
    assert engine.status().awaiting_calendar == 0
    loaded = [e for e in engine.events(campaign="xx-2026") if e.trigger == "calendar_loaded"]
    assert len(loaded) == 1 and loaded[0].data["sha256"] == checked.sha256 and loaded[0].actor == "运维张工"
    clock.set(at("2027-01-11", 1, 0))
    engine.sweep()
    assert ladder_events(engine, item) == ["reminder", "yellow", "red", "listed_supervision"]
    listed = next(
        e
        for e in engine.events(item)
        if e.trigger == "ladder_step" and e.data["step"] == "listed_supervision"
    )
    assert listed.data["late"] is True
    # 2026-12-28 + 5 working days on the 2027 notice: 29, 30, 31, 01-04, 01-05.
    assert engine.item(item).escalation_level == 1
    engine.recompute_deadlines("xx-2026", OFFICE)
    assert engine.item(item).due == dt.date(2026, 12, 28)
    clock.set(at("2027-01-19", 0, 30))  # +15 working days on the 2027 notice: 问责 on time
    engine.sweep()
    assert engine.sweep().settled == 0
    assert Counter(ladder_events(engine, item)) == Counter(
        {"reminder": 1, "yellow": 1, "red": 1, "listed_supervision": 1, "accountability": 1}
    )
    assert engine.verify_audit().ok


def escalating_weekly_duty(setup: CampaignSetup) -> CampaignSetup:
    """The plan with its weekly 部门联动 collection on the full duty ladder (催报 … 问责), as a
    county may choose (the built-in plan stops information reports at 红灯, issue 16)."""
    duties = [
        d.model_copy(update={"ladder": "duty_missing"}) if d.id == "department_referral_collection" else d
        for d in setup.duties
    ]
    return setup.model_copy(update={"duties": duties})


def test_a_weekly_duty_ladder_waits_for_the_new_year(db_url: str, clock: VirtualClock) -> None:
    """The 部门联动 collection due Friday 2026-12-25: 催报 12-28 and 红灯 12-30 are pending, its
    挂牌督办 and 问责 wait for 2027; `check` names it as a warning."""
    engine = Engine(db_url, clock=clock)
    try:
        plan = escalating_weekly_duty(shift_setup(load_setup("county_2023"), to_year=2026))
        engine.start_campaign(plan, key="xx-2026")
        duties = [
            d
            for d in engine.duties("xx-2026")
            if d.duty == "department_referral_collection" and d.due == dt.date(2026, 12, 25)
        ]
        assert duties, "the weekly duty has an occurrence on 2026-12-25"
        for duty in duties:
            rows = steps(engine, "duty", duty.id)
            assert rows["duty_missing.chase@2026-12-25"] == "pending"
            assert rows["duty_missing.listed_supervision@2026-12-25"] == "awaiting_calendar"
            assert rows["duty_missing.accountability@2026-12-25"] == "awaiting_calendar"
    finally:
        engine.dispose()


def test_the_built_in_information_report_never_waits_for_the_new_year(engine: Engine) -> None:
    """Built in, the weekly collection stops at 红灯 (12-30): nothing of it waits for 2027."""
    duty = next(
        d
        for d in engine.duties("xx-2026")
        if d.duty == "department_referral_collection" and d.due == dt.date(2026, 12, 25)
    )
    rows = steps(engine, "duty", duty.id)
    assert rows == {
        "remind@2026-12-25": "pending",
        "duty_report_missing.chase@2026-12-25": "pending",
        "duty_report_missing.red@2026-12-25": "pending",
    }


def test_check_warns_of_rungs_in_an_unknown_year_and_refuses_dates_in_one(tmp_path: Path) -> None:
    """`check` of the plan re-dated to 2026: warnings, each with its line, for the weekly duty
    whose rungs reach 2027 and for the item ladder's rungs from the last phase's end; re-dated
    to 2027, every dated field is an error naming `calendar load`."""
    plan = tmp_path / "plan_2026.yaml"
    plan.write_text(
        dump_setup(escalating_weekly_duty(shift_setup(load_setup("county_2023"), to_year=2026))),
        encoding="utf-8",
    )
    warnings = check_definition(plan).warnings
    weekly = [d.id for d in load_setup("county_2023").duties].index("department_referral_collection")
    assert any(f"duties[{weekly}]" in w and "2027" in w and "待日历" in w for w in warnings), warnings
    assert any("ladders[0].steps[3]" in w and "2027" in w for w in warnings), warnings
    assert all(w.startswith(f"{plan}:") and w.split(":")[1].isdigit() for w in warnings)
    later = tmp_path / "plan_2027.yaml"
    later.write_text(
        dump_setup(shift_setup(load_setup("county_2023"), to_year=2026, check=False)).replace(
            "2026-", "2027-"
        ),
        encoding="utf-8",
    )
    with pytest.raises(DefinitionError) as caught:
        check_definition(later)
    assert any("phases[0].start" in p and "calendar load" in p for p in caught.value.problems)


def test_check_lists_each_date_moved_off_a_day_off() -> None:
    """The built-in plan: a phase start on Saturday 2023-07-01 and the monthly 践诺 column on
    2023-10-03 (National Day) move to the next working day, each a located warning."""
    warnings = check_definition("county_2023").warnings
    moved = [w for w in warnings if "顺延" in w]
    assert any("phases[1].start" in w and "2023-07-03 (星期一)" in w for w in moved)
    assert any("2023-10-03 (星期二)" in w and "2023-10-07 (星期六)" in w for w in moved)
    assert len(moved) == 9


def test_duty_dates_and_phase_actions_move_to_the_next_working_day(db_url: str) -> None:
    """At run time: the 践诺 column of 2023-10-03 is due 2023-10-07 (the make-up Saturday), and
    the inspection phase's start notice goes out at 00:00 on Monday 07-03, not Saturday."""
    clock = VirtualClock(at("2023-06-01", 0, 0))
    engine = Engine(db_url, clock=clock)
    try:
        engine.start_campaign(load_setup("county_2023"), key="x")
        column = sorted(d.due for d in engine.duties("x") if d.duty == "publicity_column")
        assert dt.date(2023, 10, 7) in column and dt.date(2023, 10, 3) not in column
        rows = steps(engine, "campaign", engine.campaign("x").id)
        assert rows["inspection.start@2023-07-01"] == "pending"
        with engine.store.read() as conn:
            due_at = conn.execute(
                select(STEP.c.due_at).where(STEP.c.step_key == "inspection.start@2023-07-01")
            ).scalar()
        assert due_at == at("2023-07-03", 0, 0)
    finally:
        engine.dispose()


# ------------------------------------------------------------------------------ calendar files


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "year.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = YEAR_2027.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("{name: 中秋节, start: 2027-09-15}", "{name: 中秋节, start: 2027-10-01}"),
            "已在「中秋节」中放假",
        ),  # overlap
        (
            ("makeup: [2027-06-12]", "makeup: [2027-06-10]"),
            "既是「端午节」的放假日又是调休上班日",
        ),  # both ways
        (("makeup: [2027-06-12]", "makeup: [2027-06-14]"), "本就是工作日"),  # weekday make-up
        (("  - {name: 中秋节, start: 2027-09-15}\n", ""), "缺少 中秋节"),  # a day undecided
        (
            ("start: 2027-01-01, end: 2027-01-03", "start: 2026-12-31, end: 2027-01-03"),
            "跨年的日子属于 2026 年",
        ),
        (("year: 2027", "year: 2028"), "不在 2028 年内"),  # wrong year
        (("end: 2027-10-07", "end: 2027-10-30"), "超过任何一年的安排"),
        (("zhenggai_calendar: 1", "zhenggai_calendar: 2"), "zhenggai_calendar: 须为 1"),
        (("source: ", "sourse: "), "未知字段"),
    ],
)
def test_a_bad_calendar_file_is_refused_located_and_nothing_is_stored(
    tmp_path: Path, change: tuple[str, str], expected: str, engine: Engine
) -> None:
    path = _write(tmp_path, GOOD.replace(*change))
    assert GOOD.replace(*change) != GOOD
    with pytest.raises(DefinitionError) as caught:
        load_calendar_year(path)
    assert any(expected in p for p in caught.value.problems), caught.value.problems
    assert all(p.startswith(f"{path}:") for p in caught.value.problems)
    assert [v.year for v in engine.calendar_years() if v.origin == "loaded"] == []


def test_not_a_file_and_not_yaml(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="不是文件"):
        load_calendar_year(tmp_path)
    with pytest.raises(DefinitionError, match="文件不存在"):
        load_calendar_year(tmp_path / "missing.yaml")
    with pytest.raises(DefinitionError, match="YAML 格式错误"):
        load_calendar_year(_write(tmp_path, "year: [2027\n"))
    with pytest.raises(DefinitionError, match="须为映射"):
        load_calendar_year(_write(tmp_path, "- 2027\n"))


def test_the_engine_holds_a_year_built_in_code_to_the_same_checks(engine: Engine) -> None:
    spec = load_calendar_year(YEAR_2027).spec
    broken = spec.model_copy(update={"holidays": spec.holidays[1:]})
    with pytest.raises(DefinitionError, match="缺少 元旦"):
        engine.load_calendar_year(broken, OPERATOR)
    assert engine.calendar_years()[-1].year == 2026


def test_a_package_year_is_replaced_only_when_the_operator_says_so(engine: Engine, tmp_path: Path) -> None:
    """2026 is the package's: refused without replace; with it the file decides 2026, the package
    year stays listed as replaced, and a reload of 2027 also needs replace."""
    lines = [
        "zhenggai_calendar: 1",
        "year: 2026",
        "source: 国务院办公厅关于2026年部分节假日安排的通知",
        "holidays:",
    ]
    for name, off, on in package_year(2026):
        if off and off[0].year == 2026:
            lines.append(
                f"  - {{name: {name}, start: {off[0]}, end: {off[-1]}, makeup: [{', '.join(map(str, on))}]}}"
            )
    spec_2026 = load_calendar_year(_write(tmp_path, "\n".join(lines) + "\n")).spec
    with pytest.raises(InvalidInputError, match="--replace"):
        engine.load_calendar_year(spec_2026, OPERATOR)
    view = engine.load_calendar_year(spec_2026, OPERATOR, replace=True)
    assert (view.replaces, view.in_force) == ("package", True)
    years = [(v.year, v.origin, v.in_force) for v in engine.calendar_years() if v.year == 2026]
    assert years == [(2026, "package", False), (2026, "loaded", True)]
    spec_2027 = load_calendar_year(YEAR_2027).spec
    engine.load_calendar_year(spec_2027, OPERATOR)
    with pytest.raises(InvalidInputError, match="已于"):
        engine.load_calendar_year(spec_2027, OPERATOR)
    assert engine.load_calendar_year(spec_2027, OPERATOR, replace=True).replaces == "loaded"


def test_a_year_loaded_in_another_process_is_seen_at_the_next_sweep(db_url: str, clock: VirtualClock) -> None:
    """Two engines on one database (the daemon and an operator's CLI): the daemon's waiting
    steps are armed at its next sweep after the other engine loads 2027."""
    daemon = Engine(db_url, clock=clock)
    operator = Engine(db_url, clock=clock)
    try:
        daemon.start_campaign(shift_setup(load_setup("county_2023"), to_year=2026), key="xx-2026")
        item = assigned(daemon)
        clock.set(at("2027-01-06", 0, 30))
        daemon.sweep()
        assert (
            steps(daemon, "item", item)["item_overdue.listed_supervision@2026-12-28"] == "awaiting_calendar"
        )
        with operator.store.transaction() as tx:  # load without the operator engine's arming
            from zhenggai.engine._calendar_years import load_year

            load_year(
                tx,
                operator._rt.cal_st,
                load_calendar_year(YEAR_2027).spec,
                sha256="0" * 64,
                actor="运维张工",
                replace=False,
                now=clock.now(),
            )
        report = daemon.sweep()
        assert report.armed >= 2 and ladder_events(daemon, item)[-1] == "listed_supervision"
        assert daemon.status().awaiting_calendar == 0
    finally:
        daemon.dispose()
        operator.dispose()


def test_a_copy_of_the_year_file_loads_from_anywhere(tmp_path: Path) -> None:
    copy = tmp_path / "2027年放假安排.yaml"
    shutil.copy(YEAR_2027, copy)
    checked = load_calendar_year(copy)
    assert checked.spec.year == 2027 and len(checked.sha256) == 64


# ------------------------------------------------------------------------------ properties

SOAK = int(os.environ.get("ZHENGGAI_PROPERTY_EXAMPLES", "0"))
FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")


@st.composite
def year_notices(draw: st.DrawFn) -> CalendarYearSpec:
    """A valid notice of a generated year: seven festivals, each starting on a weekday and
    ending before the next begins, make-up days on weekends outside every holiday."""
    year = draw(st.integers(2027, 2060))
    first = dt.date(year, 1, 1)
    days = [first + dt.timedelta(days=i) for i in range(366) if (first + dt.timedelta(days=i)).year == year]
    weekdays = [d for d in days if d.isoweekday() <= 5]
    starts = sorted(draw(st.lists(st.sampled_from(weekdays), min_size=7, max_size=7, unique=True)))
    holidays: list[HolidaySpec] = []
    taken: set[dt.date] = set()
    for k, (start, name) in enumerate(zip(starts, FESTIVALS, strict=True)):
        limit = starts[k + 1] if k + 1 < len(starts) else dt.date(year + 1, 1, 1)
        length = min(draw(st.integers(1, 9)), (limit - start).days)
        end = start + dt.timedelta(days=length - 1)
        taken.update(start + dt.timedelta(days=i) for i in range(length))
        holidays.append(HolidaySpec(name=name, start=start, end=end))
    weekends = [d for d in days if d.isoweekday() > 5 and d not in taken]
    makeup = draw(st.lists(st.sampled_from(weekends), max_size=6, unique=True))
    for day in makeup:
        k = draw(st.integers(0, 6))
        holidays[k] = holidays[k].model_copy(update={"makeup": [*holidays[k].makeup, day]})
    return CalendarYearSpec(year=year, source="生成的通知", holidays=holidays)


@settings(
    max_examples=SOAK or 40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(year_notices())
def test_a_valid_notice_decides_every_day_as_it_says(spec: CalendarYearSpec) -> None:
    """Every generated notice passes, and a calendar with it loaded calls a day off exactly
    the holidays and the weekends not worked; the package's own years are untouched."""
    assert year_problems(spec) == []
    off, on = year_days(spec)
    loaded = LoadedYears()
    loaded.replace({spec.year: (off, on)}, (1, 1))
    calendar = WorkingCalendar(loaded=loaded)
    day = dt.date(spec.year, 1, 1)
    while day.year == spec.year:
        assert calendar.is_workday(day) == (day in on or (day.isoweekday() <= 5 and day not in off)), day
        day += dt.timedelta(days=1)
    assert calendar.is_workday(dt.date(2026, 10, 1)) is False
    with pytest.raises(CalendarError):
        calendar.is_workday(
            dt.date(spec.year + 1, 3, 1) if spec.year + 1 not in statutory_years() else dt.date(1990, 1, 1)
        )


@settings(
    max_examples=SOAK or 40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(year_notices(), st.data())
def test_a_single_flaw_is_refused_at_its_place(spec: CalendarYearSpec, data: st.DataObject) -> None:
    """One flaw added to a valid notice — a make-up day inside a holiday, a weekday made a
    make-up day, a festival dropped, a date of the next year — gives a problem naming it."""
    k = data.draw(st.integers(0, 6))
    h = spec.holidays[k]
    flaw = data.draw(st.sampled_from(["both", "weekday", "missing", "next_year"]))
    holidays = list(spec.holidays)
    if flaw == "both":
        holidays[k] = h.model_copy(update={"makeup": [*h.makeup, h.start]})
        expected = f"holidays[{k}].makeup"
    elif flaw == "weekday":
        weekday = next(
            dt.date(spec.year, 3, d) for d in range(1, 8) if dt.date(spec.year, 3, d).isoweekday() == 3
        )
        holidays[k] = h.model_copy(update={"makeup": [*h.makeup, weekday]})
        expected = "本就是工作日"
    elif flaw == "missing":
        del holidays[k]
        expected = "缺少"
    else:
        holidays[k] = h.model_copy(
            update={"end": dt.date(spec.year + 1, 1, 1), "start": dt.date(spec.year, 12, 31)}
        )
        expected = f"holidays[{k}].end"
    problems = year_problems(spec.model_copy(update={"holidays": holidays}))
    assert any(expected in p for p in problems), (flaw, problems)


@settings(max_examples=SOAK or 8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    dues=st.lists(st.integers(0, 13), min_size=1, max_size=4),
    sweeps=st.lists(st.integers(0, 60 * 24), min_size=1, max_size=8),
    load_at=st.integers(0, 60 * 24),
)
def test_across_the_year_every_step_fires_once_never_early(
    dues: list[int], sweeps: list[int], load_at: int
) -> None:
    """Items due on generated December working days, sweeps at generated hours from 12-20 to
    mid-February, the 2027 notice loaded at a generated moment: no step fires twice or before
    its moment on the 2027 calendar, and after a last sweep nothing waits or is pending and due."""
    spec = load_calendar_year(YEAR_2027).spec
    later = WorkingCalendar(loaded=_loaded(spec))
    start = dt.datetime(2026, 12, 18, 1, 0, tzinfo=dt.UTC)
    clock = VirtualClock(start)
    with tempfile.TemporaryDirectory() as folder:
        engine = Engine(Path(folder) / "zg.db", clock=clock)
        try:
            engine.start_campaign(
                items_only(shift_setup(load_setup("county_2023"), to_year=2026)), key="xx-2026"
            )
            days = [
                d
                for d in (dt.date(2026, 12, 18) + dt.timedelta(days=i) for i in range(14))
                if WorkingCalendar().is_workday(d)
            ]
            items = [assigned(engine, days[n % len(days)].isoformat()) for n in dues]
            moments = sorted(
                {start + dt.timedelta(hours=h) for h in sweeps} | {start + dt.timedelta(hours=load_at)}
            )
            for moment in moments:
                clock.set(moment)
                if moment == start + dt.timedelta(hours=load_at):
                    engine.load_calendar_year(spec, OPERATOR)
                engine.sweep()
            clock.set(dt.datetime(2027, 3, 1, 1, 0, tzinfo=dt.UTC))
            if engine.calendar_years()[-1].year != 2027:
                engine.load_calendar_year(spec, OPERATOR)
            engine.sweep()
            with engine.store.read() as conn:
                rows = conn.execute(
                    select(STEP.c.step_key, STEP.c.status, STEP.c.fired_at, STEP.c.due_at).where(
                        STEP.c.subject_kind == "item"
                    )
                ).all()
            assert not [r for r in rows if r.status in ("pending", "awaiting_calendar")]
            for item in items:
                fired = ladder_events(engine, item)
                assert len(fired) == len(set(fired)), fired
                due = engine.item(item).due
                assert due is not None
                for event in engine.events(item):
                    if event.trigger != "ladder_step":
                        continue
                    step = next(s for s in LADDER.steps if s.id == event.data["step"])
                    day = offset_day(later, due, step.offset, step.count)
                    assert event.at >= dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI), (step.id, day)
        finally:
            engine.dispose()


def _loaded(spec: CalendarYearSpec) -> LoadedYears:
    loaded = LoadedYears()
    loaded.replace({spec.year: year_days(spec)}, (1, 1))
    return loaded


LADDER = next(x for x in load_setup("county_2023").ladders if x.id == "item_overdue")
