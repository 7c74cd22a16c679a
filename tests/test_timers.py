"""Timed transitions (``after`` in a definition): the scheduler fires them by itself when an item
has stayed long enough in a state, once, also late after downtime; not when the item moved on;
recorded, not forced, when a guard refuses; refused by the validator when they would need a
person's input. On the hotline definition's 超时自动签收. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import tempfile
import zoneinfo
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from zhenggai.engine import Actor, CampaignSetup, DefinitionError, Engine, VirtualClock
from zhenggai.engine._statements import STEP
from zhenggai.engine.calendar import WorkingCalendar
from zhenggai.engine.checks import check_setup
from zhenggai.engine.deadlines import add_days
from zhenggai.testing import advance_and_sweep, items_only
from zhenggai.workflows import dump_setup, load_setup

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
CENTER = Actor("热线中心", "hotline_center", "complaint_center")
UNIT = "market_regulation_bureau"


def at(day: str, hh: int = 0, mm: int = 5) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hh, minute=mm, tzinfo=SHANGHAI)


def hotline(**changes: Any) -> CampaignSetup:
    """The hotline without its weekly duty; ``changes`` replace fields of the auto_accept timer."""
    setup = items_only(load_setup("hotline_2024"))
    if changes:
        transitions = [
            t.model_copy(update=changes) if t.trigger == "auto_accept" else t
            for t in setup.lifecycle.transitions
        ]
        setup = setup.model_copy(
            update={"lifecycle": setup.lifecycle.model_copy(update={"transitions": transitions})}
        )
    return setup


def dispatched(engine: Engine, clock: VirtualClock, when: dt.datetime) -> int:
    clock.set(when)
    item = engine.report(
        "test",
        CENTER,
        title="窗口推诿",
        description="办事窗口推诿",
        track=_track(engine),
        channel=_channel(engine),
    ).id
    engine.fire(item, "dispatch", CENTER, unit=UNIT)
    return item


def _track(engine: Engine) -> str:
    return engine.definition("test").tracks[0].id


def _channel(engine: Engine) -> str:
    return engine.definition("test").channels[0].id


def timer_events(engine: Engine, item: int) -> list[Any]:
    return [e for e in engine.events(item) if e.trigger in ("auto_accept", "timer_refused")]


def timer_rows(engine: Engine, item: int) -> dict[str, str]:
    with engine.store.read() as conn:
        rows = conn.execute(
            select(STEP.c.step_key, STEP.c.status).where(
                STEP.c.subject_kind == "item", STEP.c.subject_id == item, STEP.c.step_key.like("timer.%")
            )
        ).all()
    return dict(rows)


@pytest.fixture
def started(engine: Engine, clock: VirtualClock) -> Engine:
    clock.set(at("2024-02-29", 9))
    engine.start_campaign(hotline(), key="test")
    return engine


def test_the_timer_fires_on_the_next_working_day_once(started: Engine, clock: VirtualClock) -> None:
    """Dispatched Friday 2024-03-01: not signed for by Monday 00:00 (one working day after the
    day it entered 已派单), the system signs for it; a second sweep does nothing."""
    engine = started
    item = dispatched(engine, clock, at("2024-03-01", 10))
    assert timer_rows(engine, item) == {"timer.auto_accept@2024-03-01": "pending"}
    clock.set(at("2024-03-03", 23, 59))
    engine.sweep()
    assert engine.item(item).state == "dispatched"
    clock.set(at("2024-03-04", 0, 5))
    engine.sweep()
    view = engine.item(item)
    assert view.state == "handling"
    (event,) = timer_events(engine, item)
    assert (event.actor, event.role, event.from_state, event.to_state) == (
        "系统",
        "system",
        "dispatched",
        "handling",
    )
    assert event.data == {"timer": "1 个工作日"}
    assert engine.sweep().settled == 0 and len(timer_events(engine, item)) == 1
    assert timer_rows(engine, item) == {"timer.auto_accept@2024-03-01": "fired"}
    assert engine.verify_audit("test").ok


def test_signing_for_it_in_time_cancels_the_timer(started: Engine, clock: VirtualClock) -> None:
    engine = started
    item = dispatched(engine, clock, at("2024-03-01", 10))
    unit = Actor("联络员", "responsible", UNIT)
    engine.add_measure(item, unit, text="当日回复企业")
    clock.set(at("2024-03-01", 15))
    engine.fire(item, "accept", unit)
    assert timer_rows(engine, item) == {"timer.auto_accept@2024-03-01": "cancelled"}
    clock.set(at("2024-03-20"))
    engine.sweep()
    assert timer_events(engine, item) == []


def test_after_downtime_it_fires_once_marked_late(started: Engine, clock: VirtualClock) -> None:
    """The daemon was down from Friday to the next Wednesday: the timer fires once, late."""
    engine = started
    item = dispatched(engine, clock, at("2024-03-01", 10))
    clock.set(at("2024-03-06", 9))
    engine.sweep()
    (event,) = timer_events(engine, item)
    assert event.data == {"timer": "1 个工作日", "late": True}
    assert engine.sweep().settled == 0


def test_a_new_dispatch_restarts_the_timer(started: Engine, clock: VirtualClock) -> None:
    """send_back on Monday morning (before the sweep) re-enters 已派单 for another unit: the
    Friday timer is cancelled and the new unit gets its own working day, to Tuesday."""
    engine = started
    item = dispatched(engine, clock, at("2024-03-01", 10))
    clock.set(at("2024-03-04", 0, 1))
    engine.fire(item, "send_back", CENTER, unit="approval_bureau", due="2024-03-18")
    assert timer_rows(engine, item) == {
        "timer.auto_accept@2024-03-01": "cancelled",
        "timer.auto_accept@2024-03-04": "pending",
    }
    clock.set(at("2024-03-04", 23, 0))
    engine.sweep()
    assert engine.item(item).state == "dispatched"
    clock.set(at("2024-03-05", 0, 5))
    engine.sweep()
    assert engine.item(item).state == "handling"
    assert timer_rows(engine, item)["timer.auto_accept@2024-03-04"] == "fired"


def test_a_guard_that_refuses_is_recorded_not_forced(engine: Engine, clock: VirtualClock) -> None:
    """With ``has_measure`` on the timer, an order without a measure stays 已派单: the refusal is
    in the audit trail and the step is missed (not retried at every sweep)."""
    clock.set(at("2024-02-29", 9))
    engine.start_campaign(hotline(guards=["has_measure"]), key="test")
    item = dispatched(engine, clock, at("2024-03-01", 10))
    clock.set(at("2024-03-04", 0, 5))
    report = engine.sweep()
    assert report.missed == 1 and engine.item(item).state == "dispatched"
    (event,) = timer_events(engine, item)
    assert event.trigger == "timer_refused" and event.data["guard"] == "has_measure"
    assert "尚无整改措施" in event.data["reason"]
    assert timer_rows(engine, item) == {"timer.auto_accept@2024-03-01": "missed"}
    assert engine.sweep().settled == 0


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"guards": ["has_reason"]}, "条件 has_reason 需要人工填写"),
        ({"effects": ["record_dismissal"]}, "效果 record_dismissal 需要人工填写"),
        ({"source": ["resolved"]}, "不能从终止状态 resolved 自动执行"),
    ],
)
def test_the_validator_refuses_timers_that_need_a_person(change: dict[str, Any], problem: str) -> None:
    problems = check_setup(hotline(**change))
    assert any(problem in p for p in problems), problems


def test_a_timer_is_located_in_the_file(tmp_path: Any) -> None:
    """A bad ``after`` is refused at its line by the loader."""
    text = dump_setup(hotline()).replace("days: 1\n", "days: 0\n", 1)
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError) as err:
        load_setup(str(path))
    line = next(n for n, x in enumerate(text.splitlines(), 1) if "days: 0" in x)
    assert f"bad.yaml:{line}:" in str(err.value)


def test_a_calendar_change_retimes_the_timer(db_url: str) -> None:
    """The county makes Monday 2024-03-04 a day off: after 重算整改时限 the timer counts to Tuesday."""
    from zhenggai.workflows.schema import CalendarSpec, DayOverride

    def monday_off(spec: CalendarSpec) -> WorkingCalendar:
        extra = [*spec.extra_holidays, DayOverride(date=dt.date(2024, 3, 4), name="县定休息日")]
        return WorkingCalendar(spec.model_copy(update={"extra_holidays": extra}))

    clock = VirtualClock(at("2024-02-29", 9))
    with Engine(db_url, clock=clock) as engine:
        engine.start_campaign(hotline(), key="test")
        item = dispatched(engine, clock, at("2024-03-01", 10))
    with Engine(db_url, clock=clock, calendar=monday_off) as engine:
        report = engine.recompute_deadlines("test", CENTER)
        assert report.retimed >= 1
        with engine.store.read() as conn:
            due_at = conn.execute(
                select(STEP.c.due_at).where(
                    STEP.c.subject_id == item, STEP.c.step_key == "timer.auto_accept@2024-03-01"
                )
            ).scalar_one()
        assert due_at == at("2024-03-05", 0, 0)
        clock.set(at("2024-03-04", 12))
        engine.sweep()
        assert engine.item(item).state == "dispatched"
        clock.set(at("2024-03-05", 0, 5))
        engine.sweep()
        assert engine.item(item).state == "handling"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    plan=st.lists(
        st.tuples(st.sampled_from(["dispatch", "accept", "wait", "sweep"]), st.integers(1, 60)),
        min_size=1,
        max_size=25,
    )
)
def test_random_histories_fire_each_timer_once_and_never_early(plan: list[tuple[str, int]]) -> None:
    """Hypothesis: dispatches, sign-offs by the unit and forward clock jumps in any order; after
    every sweep no due timer is pending and none fired before it was due; at the end each order
    was signed for once, by the unit or by the timer, never both. (SQLite, a file per example.)"""
    clock = VirtualClock(at("2024-02-29", 9))
    with tempfile.TemporaryDirectory() as folder, Engine(f"{folder}/h.db", clock=clock) as engine:
        engine.start_campaign(hotline(), key="test")
        unit = Actor("联络员", "responsible", UNIT)
        items: list[int] = []
        due: dict[int, dt.datetime] = {}  # the oracle: 00:00 of the first working day after dispatch
        calendar = WorkingCalendar()
        for action, n in plan:
            if action == "dispatch":
                items.append(dispatched(engine, clock, clock.now()))
                day = add_days(calendar, clock.now().astimezone(SHANGHAI).date(), 1, "working")
                due[items[-1]] = dt.datetime.combine(day, dt.time(0), SHANGHAI)
            elif action == "accept" and items:
                item = items[n % len(items)]
                if engine.item(item).state == "dispatched":
                    engine.add_measure(item, unit, text="签收办理")
                    engine.fire(item, "accept", unit)
            elif action == "wait":
                clock.advance(dt.timedelta(hours=n))
            else:
                engine.sweep()
                now = clock.now()
                with engine.store.read() as conn:
                    rows = conn.execute(select(STEP).where(STEP.c.step_key.like("timer.%"))).mappings().all()
                assert not [r for r in rows if r["status"] == "pending" and r["due_at"] <= now]
                assert all(r["fired_at"] >= r["due_at"] for r in rows if r["status"] == "fired")
                for item in items:
                    view = engine.item(item)
                    assert view.state == "handling" or now < due[item], (
                        f"order {item} not signed for by {due[item]}"
                    )
                    auto = [e for e in engine.events(item) if e.trigger == "auto_accept"]
                    assert all(e.at >= due[item] for e in auto), "signed for by the timer too early"
        advance_and_sweep(engine, clock, dt.timedelta(days=10))
        for item in items:
            signed = [e for e in engine.events(item) if e.trigger in ("accept", "auto_accept")]
            assert len(signed) == 1 and engine.item(item).state == "handling"
