"""The deadline clock: 暂停计时 with a reason and an approving role, resumed with the working time
already consumed kept consumed; and 重算整改时限 after a calendar change, one audited command.
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from zhenggai.engine import (
    Actor,
    CampaignView,
    Engine,
    GuardFailedError,
    InvalidInputError,
    PermissionDeniedError,
    VirtualClock,
)
from zhenggai.engine._statements import STEP
from zhenggai.engine.calendar import WorkingCalendar
from zhenggai.engine.deadlines import add_days, working_days_between
from zhenggai.testing import items_only
from zhenggai.workflows import load_setup
from zhenggai.workflows.schema import CalendarSpec, DayOverride

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
UNIT = "housing_construction_bureau"
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
BUREAU = Actor("李科长", "responsible", UNIT)


def at(day: str, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hh, minute=mm, tzinfo=SHANGHAI)


@pytest.fixture
def campaign(engine: Engine, clock: VirtualClock) -> CampaignView:
    clock.set(at("2023-09-01", 9))
    return engine.start_campaign(items_only(load_setup("county_2023")), key="test")


def assigned(engine: Engine, due: str | None = None) -> int:
    item = engine.report(
        "test",
        OFFICE,
        title="施工许可审批超时",
        description="审批超过承诺时限",
        track="construction",
        channel="hotline",
    ).id
    engine.assign(item, OFFICE, unit=UNIT, due=due)
    return item


def events(engine: Engine, item: int | None = None, trigger: str | None = None) -> list[Any]:
    found = engine.events(item) if item is not None else engine.events(campaign="test")
    return [e for e in found if trigger is None or e.trigger == trigger]


def pending_steps(engine: Engine, item: int) -> dict[str, dt.datetime]:
    with engine.store.read() as conn:
        rows = conn.execute(
            select(STEP.c.step_key, STEP.c.due_at).where(
                STEP.c.subject_kind == "item", STEP.c.subject_id == item, STEP.c.status == "pending"
            )
        ).all()
    return {key: due_at for key, due_at in rows}


def test_pause_and_resume_keep_the_working_time_consumed(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    """Assigned Mon 2023-09-25 10:00: 15 working days over the National Day holiday (9-29..10-06
    off, 10-07/08 worked) is due Fri 10-20. Paused Wed 9-27 (9-26 and 9-27 used: 13 left);
    resumed Mon 10-09 09:00: 13 working days after 10-09 is Thu 10-26."""
    clock.set(at("2023-09-25"))
    item = assigned(engine)
    assert engine.item(item).due == dt.date(2023, 10, 20)
    clock.set(at("2023-09-27"))
    paused = engine.pause_clock(item, OFFICE, reason="等待法院判决")
    assert (
        paused.paused_days == 13 and paused.paused_at == clock.now() and paused.due == dt.date(2023, 10, 20)
    )
    assert pending_steps(engine, item) == {}
    (event,) = events(engine, item, "pause_clock")
    assert event.data == {
        "reason": "等待法院判决",
        "approved_by": "leading_group_office",
        "due": "2023-10-20",
        "days_left": 13,
    }
    clock.set(at("2023-10-09", 9))
    resumed = engine.resume_clock(item, OFFICE, note="已收到判决书")
    assert resumed.due == dt.date(2023, 10, 26) and resumed.paused_at is None and resumed.paused_days is None
    (event,) = events(engine, item, "resume_clock")
    assert event.data["old_due"] == "2023-10-20" and event.data["due"] == "2023-10-26"
    assert event.data["days_left"] == 13 and event.data["note"] == "已收到判决书"
    assert set(pending_steps(engine, item)) == {
        f"item_overdue.{s}@2023-10-26"
        for s in ("reminder", "yellow", "red", "listed_supervision", "accountability")
    }


def test_no_step_fires_while_paused_and_the_ladder_runs_for_the_new_date(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    """Paused for two months over the old due date: no reminder, no light, no 挂牌督办; after
    resuming, the ladder counts from the new due date, and the old date's steps never fire."""
    clock.set(at("2023-09-04"))
    item = assigned(engine, due="2023-09-15")
    engine.pause_clock(item, OFFICE, reason="等待上级政策答复")
    clock.set(at("2023-11-06"))
    assert engine.sweep().fired == 0
    assert engine.item(item).light == "green" and engine.item(item).escalation_level == 0
    resumed = engine.resume_clock(item, OFFICE)
    left = 9  # 9-05 .. 9-15 after the pause day 9-04
    assert resumed.due == add_days(WorkingCalendar(), dt.date(2023, 11, 6), left, "working")
    clock.set(dt.datetime.combine(resumed.due, dt.time(9), SHANGHAI) + dt.timedelta(days=30))
    engine.sweep()
    fired = [e.data for e in events(engine, item, "ladder_step")]
    assert fired and all(e["due"] == resumed.due.isoformat() for e in fired)
    assert engine.sweep().fired == 0


def test_pause_refusals_change_nothing(engine: Engine, campaign: CampaignView, clock: VirtualClock) -> None:
    clock.set(at("2023-09-04"))
    fresh = engine.report(
        "test", OFFICE, title="未交办", description="未交办", track="construction", channel="hotline"
    ).id
    item = assigned(engine, due="2023-09-15")
    version = engine.item(item).version
    with pytest.raises(InvalidInputError, match="reason"):
        engine.pause_clock(item, OFFICE, reason="  ")
    with pytest.raises(PermissionDeniedError, match="pause_clock"):
        engine.pause_clock(item, BUREAU, reason="单位自己要求暂停")
    with pytest.raises(GuardFailedError, match="计时未暂停"):
        engine.resume_clock(item, OFFICE)
    with pytest.raises(GuardFailedError, match="不在整改计时中"):
        engine.pause_clock(fresh, OFFICE, reason="等待")
    engine.pause_clock(item, OFFICE, reason="等待法院判决")
    with pytest.raises(GuardFailedError, match="计时已于 2023-09-04 暂停"):
        engine.pause_clock(item, OFFICE, reason="再次暂停")
    with pytest.raises(GuardFailedError, match="恢复计时后再调整整改时限"):
        engine.fire(item, "reassign", OFFICE, unit="finance_bureau", due="2023-10-31")
    with pytest.raises(PermissionDeniedError, match="resume_clock"):
        engine.resume_clock(item, BUREAU)
    assert engine.item(item).version == version + 1  # the one pause, nothing else
    late = assigned(engine, due="2023-09-05")
    clock.set(at("2023-09-06"))
    with pytest.raises(GuardFailedError, match="已过, 不能暂停计时"):
        engine.pause_clock(late, OFFICE, reason="补办暂停")
    assert engine.item(late).paused_at is None


def test_a_paused_item_that_is_dismissed_is_no_longer_paused(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    clock.set(at("2023-09-04"))
    item = assigned(engine, due="2023-09-15")
    engine.pause_clock(item, OFFICE, reason="等待核实")
    gone = engine.dismiss(item, OFFICE, reason="经核实不属实")
    assert gone.paused_at is None and gone.paused_days is None and pending_steps(engine, item) == {}


def test_a_definition_without_the_operation_lets_nobody_pause(engine: Engine, clock: VirtualClock) -> None:
    """Definitions written before pause existed keep working; nobody may pause in them."""
    setup = items_only(load_setup("county_2023"))
    ops = {k: v for k, v in setup.lifecycle.operations.items() if k not in ("pause_clock", "resume_clock")}
    setup = setup.model_copy(update={"lifecycle": setup.lifecycle.model_copy(update={"operations": ops})})
    clock.set(at("2023-09-04"))
    engine.start_campaign(setup, key="test")
    item = assigned(engine, due="2023-09-15")
    with pytest.raises(PermissionDeniedError):
        engine.pause_clock(item, OFFICE, reason="等待")


def holiday_calendar(spec: CalendarSpec) -> WorkingCalendar:
    """The county's calendar after a new notice: 2023-10-16 (Mon) became a day off."""
    extra = [*spec.extra_holidays, DayOverride(date=dt.date(2023, 10, 16), name="县定补休")]
    return WorkingCalendar(spec.model_copy(update={"extra_holidays": extra}))


def test_recompute_moves_rule_deadlines_and_retimes_steps_once(db_url: str) -> None:
    """After a calendar change, the command recomputes the due dates the rule gave (counted
    from their received day again) and re-times every pending step; a date a person chose
    stays, its steps re-timed; paused clocks keep their days; a second run changes nothing."""
    clock = VirtualClock(at("2023-09-25"))
    engine = Engine(db_url, clock=clock)
    try:
        engine.start_campaign(items_only(load_setup("county_2023")), key="test")
        by_rule = assigned(engine)
        chosen = assigned(engine, due="2023-10-20")
        paused = assigned(engine)
        engine.pause_clock(paused, OFFICE, reason="等待法院判决")
        steps_before = pending_steps(engine, chosen)
    finally:
        engine.dispose()
    engine = Engine(db_url, clock=clock, calendar=holiday_calendar)
    try:
        with pytest.raises(PermissionDeniedError):
            engine.recompute_deadlines("test", BUREAU)
        report = engine.recompute_deadlines("test", OFFICE)
        assert report.moved == ((by_rule, dt.date(2023, 10, 20), dt.date(2023, 10, 23)),)
        assert engine.item(by_rule).due == dt.date(2023, 10, 23)
        assert engine.item(chosen).due == dt.date(2023, 10, 20)
        assert engine.item(paused).paused_days == 15
        assert set(pending_steps(engine, by_rule)) == {
            f"item_overdue.{s}@2023-10-23"
            for s in ("reminder", "yellow", "red", "listed_supervision", "accountability")
        }
        after = pending_steps(engine, chosen)
        assert (
            set(after) == set(steps_before) and after != steps_before
        )  # the reminder: 10-12, no longer 10-13
        assert report.retimed >= 1
        (moved,) = events(engine, by_rule, "recompute_deadline")
        assert moved.data == {"old_due": "2023-10-20", "due": "2023-10-23"} and moved.actor == "王主任"
        again = engine.recompute_deadlines("test", OFFICE)
        assert again.moved == () and again.retimed == 0
        audit = [e.data for e in events(engine, trigger="recompute_deadlines")]
        assert len(audit) == 2 and audit[0]["moved"] == [
            {"item": by_rule, "old_due": "2023-10-20", "due": "2023-10-23"}
        ]
        assert engine.verify_audit("test").ok
    finally:
        engine.dispose()


@settings(max_examples=60, deadline=None)
@given(
    assigned_on=st.dates(dt.date(2023, 1, 1), dt.date(2026, 5, 31)),  # all within the data (to 2026)
    days=st.integers(1, 40),
    used=st.integers(0, 60),
    paused_for=st.integers(0, 90),
)
def test_pausing_never_gains_or_loses_working_time(
    assigned_on: dt.date, days: int, used: int, paused_for: int
) -> None:
    """Over any pause, the working days between the received day and the old due date equal
    those used before the pause plus those left after resuming (the rule the engine applies)."""
    cal = WorkingCalendar()
    due = add_days(cal, assigned_on, days, "working")
    pause_day = min(assigned_on + dt.timedelta(days=used), due)
    left = working_days_between(cal, pause_day, due)
    consumed = working_days_between(cal, assigned_on, pause_day)
    assert consumed + left == days
    resume_day = pause_day + dt.timedelta(days=paused_for)
    new_due = add_days(cal, resume_day, left, "working")
    assert working_days_between(cal, resume_day, new_due) == left
    assert new_due >= due if left else new_due == resume_day
