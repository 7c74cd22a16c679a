"""Campaigns dated now (issue 12, point 5): re-dating a definition (``shift_setup``, ``zhenggai
definition shift``), ``zhenggai init`` refusing a plan whose phases have all ended and warning
for the ended ones, and the first sweep of a campaign started late, which never escalates what
fell due before the campaign was created. Engine tests on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import os
import zoneinfo
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from zhenggai.adapters._dated import dated_check, setup_for_init
from zhenggai.adapters.cli import CliError, main
from zhenggai.engine import Actor, CampaignSetup, DefinitionError, Engine, InvalidInputError, VirtualClock
from zhenggai.engine._statements import STEP
from zhenggai.engine.checks import setup_warnings
from zhenggai.workflows import dated_fields, dump_setup, load_setup, shift_notes, shift_setup
from zhenggai.workflows.schema import DayOverride

from .test_cli import Run, today, weekends_plan

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
#: 2026-12-07 09:00 in Shanghai: the county of the issue starts this year's campaign in zhenggai.
CREATED = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)
REFUSAL = (
    "错误: 实施方案 county_2023 的各阶段均已结束 (最后一个阶段 巩固提升阶段 于 2023-12-31 结束); "
    "用 --start 日期 或 --to-year 年份 重新安排日期"
)
EXAMPLES = int(os.environ.get("ZHENGGAI_PROPERTY_EXAMPLES", "0")) or 8


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture(scope="module")
def plan() -> CampaignSetup:
    return load_setup("county_2023")


@pytest.fixture(scope="module")
def plan_2026(plan: CampaignSetup) -> CampaignSetup:
    return shift_setup(plan, to_year=2026)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    for name in ("ZHENGGAI_DB", "ZHENGGAI_ACTOR", "ZHENGGAI_ROLE", "ZHENGGAI_UNIT"):
        monkeypatch.delenv(name, raising=False)

    def run(*argv: str) -> Run:
        code = main(list(argv))
        out = capsys.readouterr()
        return Run(code, out.out, out.err)

    return run


# ---------------------------------------------------------------------------------- re-dating


def test_shift_by_start_moves_every_date_by_the_same_days(plan: CampaignSetup) -> None:
    """start=: every date of the definition (found in the models, wherever it is) moves by the
    days from the plan's start to the new one; ids and version stay, the title gets the year."""
    moved = shift_setup(plan, start=d("2026-06-01"))
    before, after = dated_fields(plan), dated_fields(moved)
    assert len(before) == 23 and [p for p, _ in before] == [p for p, _ in after]  # 领衔调研's due too
    delta = d("2026-06-01") - d("2023-06-01")
    assert all(new == old + delta for (_, old), (_, new) in zip(before, after, strict=True))
    assert {p.split("[")[0].split(".")[0] for p, _ in before} == {"start", "phases", "duties", "leadership"}
    assert [(p.start, p.end) for p in moved.phases][-1] == (d("2026-09-01"), d("2026-12-31"))
    assert moved.title == "2026年持续深化作风整顿优化营商环境专项行动"
    assert (moved.definition_id, moved.definition_version) == ("county_2023", "2023.1")
    assert shift_setup(moved, start=d("2023-06-01")) == plan  # and back, title included


def test_shift_to_year_keeps_month_and_day_and_moves_county_days_too() -> None:
    """to_year=: the same month and day, years on; the county's own holiday and working day move
    with the plan, and the validator warns where the moved day already was off / working."""
    hotline = load_setup("hotline_2024")
    moved = shift_setup(hotline, to_year=2026)
    assert [(p, (day.month, day.day)) for p, day in dated_fields(moved)] == [
        (p, (day.month, day.day)) for p, day in dated_fields(hotline)
    ]
    assert {day.year for _, day in dated_fields(moved)} == {2026}
    assert moved.calendar.extra_holidays[0].date == d("2026-03-15")  # a Sunday in 2026
    warnings = setup_warnings(moved)
    assert "calendar.extra_holidays[0].date: 2026-03-15 本来就是休息日" in warnings
    assert moved.title == hotline.title  # does not start with its year: unchanged


def test_29_february_becomes_28_february_and_is_named() -> None:
    """A 29 February moved to a year without one is 28 February, and shift_notes says so."""
    hotline = load_setup("hotline_2024")
    leap = hotline.model_copy(
        update={
            "calendar": hotline.calendar.model_copy(
                update={
                    "extra_holidays": [
                        *hotline.calendar.extra_holidays,
                        DayOverride(date=d("2024-02-29"), name="县庆"),
                    ]
                }
            )
        }
    )
    moved = shift_setup(leap, to_year=2026)
    assert moved.calendar.extra_holidays[1].date == d("2026-02-28")
    assert shift_notes(leap, to_year=2026) == [
        "calendar.extra_holidays[1].date: 2024-02-29 → 2026-02-28 (2026 年没有 2月29日)"
    ]
    assert shift_setup(leap, to_year=2020).calendar.extra_holidays[1].date == d("2020-02-29")
    assert shift_notes(leap, to_year=2020) == []


def test_a_date_in_a_year_the_calendar_does_not_know_is_refused_located(plan: CampaignSetup) -> None:
    """The re-dated plan goes through the engine's validator: a year without holiday data is
    refused with the path of each date."""
    with pytest.raises(DefinitionError) as refused:
        shift_setup(plan, to_year=2999)
    assert any(p.startswith("phases[0].start: ") and "2999-06-01" in p for p in refused.value.problems)
    unchecked = shift_setup(plan, to_year=2999, check=False)
    assert unchecked.phases[0].start == d("2999-06-01")


def test_shift_needs_exactly_one_of_start_and_to_year(plan: CampaignSetup) -> None:
    with pytest.raises(InvalidInputError):
        shift_setup(plan)
    with pytest.raises(InvalidInputError):
        shift_setup(plan, start=d("2026-06-01"), to_year=2026)


def test_the_shifted_file_dumps_reloads_equal_and_passes_check(
    cli: Callable[..., Run], tmp_path: Path, plan_2026: CampaignSetup
) -> None:
    """zhenggai definition shift --out writes a file that loads into the re-dated setup and passes
    zhenggai check; without --out the YAML goes to stdout."""
    out = tmp_path / "county_2026.yaml"
    result = cli("definition", "shift", "county_2023", "--to-year", "2026", "--out", str(out))
    assert result.code == 0, result.err
    assert result.out.startswith(f"已写入 {out}: 2026年持续深化作风整顿优化营商环境专项行动")
    assert load_setup(out) == plan_2026
    assert cli("check", str(out)).code == 0
    printed = cli("definition", "shift", "county_2023", "--start", "2026-06-01")
    assert printed.code == 0 and printed.out == dump_setup(
        shift_setup(load_setup("county_2023"), start=d("2026-06-01"))
    )
    assert cli("definition", "shift", "county_2023").code == 2  # --start or --to-year is required


# --------------------------------------------------------------------------------------- init


def test_dated_check_refuses_ended_plans_and_warns_for_ended_phases(
    plan: CampaignSetup, plan_2026: CampaignSetup
) -> None:
    """On a given day: every phase ended → one refusal; some → one 注意 line each (a phase that
    ends today still runs); a plan without phases is judged by its duties' last date."""
    refusal = dated_check(plan, d("2026-12-07")).refusal
    assert refusal is not None and f"错误: {refusal}" == REFUSAL
    warnings = dated_check(plan_2026, d("2026-12-07")).warnings
    assert [w.split(" ")[2] for w in warnings] == ["动员部署阶段", "问题查摆阶段", "整改落实阶段"]
    assert warnings[0].startswith("注意: 阶段 动员部署阶段 已于 2026-06-30 结束")
    assert dated_check(plan_2026, d("2026-06-30")).warnings == ()
    assert dated_check(plan_2026, d("2026-07-01")).warnings != ()
    assert dated_check(plan_2026, d("2026-12-31")).refusal is None
    assert dated_check(plan_2026, d("2027-01-01")).refusal is not None
    hotline = load_setup("hotline_2024")
    assert "不分阶段" in (dated_check(hotline, d("2026-12-07")).refusal or "")
    assert dated_check(shift_setup(hotline, to_year=2026), d("2026-12-07")) == dated_check(
        hotline, d("2024-06-01")
    )
    no_duties = hotline.model_copy(update={"duties": []})
    assert dated_check(no_duties, d("2026-12-07")).refusal is None


def test_init_start_2026_06_01_warns_for_the_three_ended_phases() -> None:
    """The county of the issue: on 2026-12-07, init --start 2026-06-01 starts the plan re-dated
    (consolidation to 2026-12-31) with a warning naming each ended phase."""
    setup, warnings = setup_for_init("county_2023", start=d("2026-06-01"), to_year=None, now=CREATED)
    assert setup.phases[-1].end == d("2026-12-31")
    assert len(warnings) == 3 and all(w.startswith("注意: 阶段 ") for w in warnings)
    with pytest.raises(CliError) as refused:
        setup_for_init("county_2023", start=None, to_year=None, now=CREATED)
    assert f"错误: {refused.value}" == REFUSAL


def test_init_refuses_the_2023_plan_today_in_one_line(cli: Callable[..., Run], tmp_path: Path) -> None:
    """zhenggai init of the built-in plan as it is: one line, exit 1, no database left behind."""
    db = tmp_path / "z.db"
    result = cli("--db", str(db), "init")
    assert (result.code, result.out, result.err) == (1, "", REFUSAL + "\n")
    assert not db.exists()


def test_init_into_a_year_the_calendar_does_not_know_is_one_line(
    cli: Callable[..., Run], tmp_path: Path
) -> None:
    """init --start into an unknown year: the validator's located problem in one line, with the
    way out (load that year's calendar, or start earlier)."""
    db = tmp_path / "z.db"
    result = cli("--db", str(db), "init", "--start", "2999-06-01")
    assert result.code == 1 and len(result.err.splitlines()) == 1
    line = result.err.strip()
    assert line.startswith(
        "错误: 实施方案 county_2023 按 --start 2999-06-01 重新安排后, 22 处日期落在工作日历还不知道的"
        " 2999 年, 如 start: "
    )
    assert "zhenggai calendar load" in line and "更早的 --start" in line and "2999" in line
    assert not db.exists()


def test_init_warns_for_ended_phases_and_nothing_before_today_escalates(
    cli: Callable[..., Run], tmp_path: Path
) -> None:
    """The plan (weekend calendar) re-dated so that two phases ended: two 注意 lines, the campaign
    starts; its duties due before today are not applicable, and a sweep sends nothing."""
    db = str(tmp_path / "z.db")
    start = d(today()) - dt.timedelta(days=61)  # 动员部署 ended a month ago, 问题查摆 yesterday
    result = cli("--db", db, "init", "--definition", weekends_plan(), "--start", start.isoformat())
    assert result.code == 0, result.err
    assert [line.split(" ")[2] for line in result.err.splitlines()] == ["动员部署阶段", "问题查摆阶段"]
    assert "已启动专项行动" in result.out
    listed = cli("--db", db, "duty", "list", "--json").json()
    assert {x["status"] for x in listed if x["due"] < today()} == {"not_applicable"}
    assert {x["status"] for x in listed if x["due"] >= today()} == {"open"}
    assert "不适用" in cli("--db", db, "duty", "list").out
    assert cli("--db", db, "run", "--once").code == 0
    assert cli("--db", db, "outbox", "list", "--json").json() == []


# ------------------------------------------------------------------------ the first sweep


def test_the_first_sweep_after_a_late_start_escalates_nothing_due_before(
    db_url: str, plan_2026: CampaignSetup
) -> None:
    """The 2026 plan started on 2026-12-07: what fell due before (phase actions, draws, every
    duty occurrence due earlier with all its steps) is not applicable, counted in the start
    event; the first sweep queues nothing; what is due later fires on time."""
    clock = VirtualClock(CREATED)
    with Engine(db_url, clock=clock) as engine:
        engine.start_campaign(plan_2026, key="k")
        (started,) = engine.events(campaign="k")
        counts = started.data["not_applicable"]
        duties = engine.duties("k")
        moot = [x for x in duties if x.status == "not_applicable"]
        assert counts["duties"] == len(moot) > 0 and counts["steps"] > counts["duties"]
        assert {x.status for x in duties if x.due < d("2026-12-07")} == {"not_applicable"}
        assert {x.status for x in duties if x.due >= d("2026-12-07")} == {"open"}
        assert engine.duties("k", status="open", due_by=d("2026-12-06")) == []
        report = engine.sweep()
        assert report.fired == 0 and engine.outbox("k") == [] and len(engine.events(campaign="k")) == 1
        oldest = engine.oldest_pending_step()
        assert oldest is None or oldest >= CREATED
        with pytest.raises(InvalidInputError, match="不适用"):
            engine.complete_duty(moot[0].id, Actor("李科长", "responsible", moot[0].unit))
        # 12-10: the reminder of the weekly 部门联动 report due Friday 12-11 fires, on time; the
        # fortnightly report due 12-04 (before creation) is never chased, though its red light
        # would be due on 12-09.
        for day in (8, 9, 10):  # the daemon sweeps every day
            clock.set(dt.datetime(2026, 12, day, 9, 0, tzinfo=SHANGHAI))
            engine.sweep()
        fired = [e.data for e in engine.events(campaign="k") if e.trigger == "duty_step"]
        dues = {e["due"] for e in fired}
        assert "2026-12-11" in dues and min(dues) >= "2026-12-07"  # (and the 12-15 report's reminder)
        assert {e["step"] for e in fired} == {"remind"} and not any("late" in e for e in fired)
        assert all(m.payload.get("due", "9999") >= "2026-12-07" for m in engine.outbox("k"))
        assert engine.outbox("k")


def test_a_campaign_started_with_its_plan_loses_nothing(db_url: str, plan_2026: CampaignSetup) -> None:
    """Started before its first date, nothing is not applicable (the start event says 0)."""
    with Engine(db_url, clock=VirtualClock(dt.datetime(2026, 5, 31, 16, 0, tzinfo=dt.UTC))) as engine:
        engine.start_campaign(plan_2026, key="k")
        assert engine.events(campaign="k")[0].data["not_applicable"] == {"duties": 0, "steps": 0}
        assert {x.status for x in engine.duties("k")} == {"open"}


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.datetimes(min_value=dt.datetime(2026, 5, 25), max_value=dt.datetime(2026, 12, 20)),
    later=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=10)),
)
def test_no_step_due_before_creation_ever_fires(
    tmp_path_factory: pytest.TempPathFactory,
    plan_2026: CampaignSetup,
    start: dt.datetime,
    later: dt.timedelta,
) -> None:
    """Property: whenever the campaign is created, every step due before that moment is
    recorded not applicable (never fired, no message), and sweeps afterwards leave no due step
    pending and fire nothing about a duty due before the day of creation."""
    created = start.replace(tzinfo=SHANGHAI).astimezone(dt.UTC)
    clock = VirtualClock(created)
    db = tmp_path_factory.mktemp("prop") / "z.db"
    with Engine(db, clock=clock) as engine:
        engine.start_campaign(plan_2026, key="k")
        engine.sweep()
        assert engine.outbox("k") == [] or all(m.created_at >= created for m in engine.outbox("k"))
        clock.advance(later)
        engine.sweep()
        with engine.store.read() as conn:
            rows = conn.execute(select(STEP.c.status, STEP.c.due_at, STEP.c.fired_at)).mappings().all()
        for r in rows:
            if r["due_at"] < created:
                assert (r["status"], r["fired_at"]) == ("not_applicable", created), dict(r)
            elif r["due_at"] <= clock.now():
                assert r["status"] != "pending", dict(r)
        day = created.astimezone(SHANGHAI).date().isoformat()
        for event in engine.events(campaign="k"):
            if event.trigger in ("duty_step", "duty_missed"):
                assert event.data["due"] >= day, json.dumps(event.data, ensure_ascii=False)
