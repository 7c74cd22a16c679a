"""Sweeps fire an item's escalation ladder (提醒 → 黄灯 → 红灯 → 挂牌督办 → 问责) on the right
working days, each step once; catch up after downtime by each step's policy; and leave alone
items that left the ladder's states. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import threading
import zoneinfo
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import select
from zhenggai.engine import Actor, CampaignView, Engine, VirtualClock
from zhenggai.engine._statements import STEP
from zhenggai.engine.calendar import WorkingCalendar
from zhenggai.engine.deadlines import next_workday
from zhenggai.testing import DEFAULT_START, items_only, throwaway_engine
from zhenggai.workflows import dump_setup, load_setup

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
UNIT = "housing_construction_bureau"
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
BUREAU = Actor("李科长", "responsible", UNIT)
SUPERVISION = Actor("督查一组", "supervision_team", "organization_department")


def at(day: str, hh: int = 0, mm: int = 5) -> dt.datetime:
    """``day`` at hh:mm in Shanghai."""
    return dt.datetime.fromisoformat(day).replace(hour=hh, minute=mm, tzinfo=SHANGHAI)


def assigned(engine: Engine, due: str, campaign: str = "test") -> int:
    item = engine.report(
        campaign,
        OFFICE,
        title="施工许可审批超时",
        description="审批超过承诺时限",
        track="construction",
        channel="hotline",
    ).id
    engine.assign(item, OFFICE, unit=UNIT, due=due)
    return item


def ladder_events(engine: Engine, item: int) -> list[dict[str, Any]]:
    return [e.data for e in engine.events(item) if e.trigger in ("ladder_step", "ladder_missed")]


def step_statuses(engine: Engine, item: int) -> dict[str, str]:
    with engine.store.read() as conn:
        rows = conn.execute(
            select(STEP.c.step_key, STEP.c.status).where(
                STEP.c.subject_kind == "item", STEP.c.subject_id == item
            )
        ).all()
    return {key.partition("@")[0].removeprefix("item_overdue."): status for key, status in rows}


@pytest.fixture
def campaign(engine: Engine) -> CampaignView:
    """The built-in plan without its unit duties (test_duties.py), so sweeps fire item steps only."""
    return engine.start_campaign(items_only(load_setup("county_2023")), key="test")


def test_every_rung_fires_on_its_working_day_once(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    """Due Thursday 2023-08-31: reminder on 8-24, yellow on 8-29, red on 9-01, 挂牌督办 on 9-07,
    问责 on 9-21 (working days, from 00:00 of the day); each exactly once, with its light,
    escalation level, audit event and messages; nothing early, nothing twice."""
    item = assigned(engine, "2023-08-31")
    schedule = [
        ("2023-08-24", "reminder", "green", 0, "item_due_soon"),
        ("2023-08-29", "yellow", "yellow", 0, "item_light"),
        ("2023-09-01", "red", "red", 0, "item_light"),
        ("2023-09-07", "listed_supervision", "red", 1, "item_listed"),
        ("2023-09-21", "accountability", "red", 2, "item_accountability"),
    ]
    fired: list[str] = []
    for day, step, light, level, message in schedule:
        clock.set(at(day, 0, 0) - dt.timedelta(minutes=1))
        assert engine.sweep().fired == 0, f"something fired before {step} was due"
        outbox_before = len(engine.outbox("test"))
        clock.set(at(day))
        report = engine.sweep()
        assert (report.fired, report.collapsed, report.missed) == (1, 0, 0), step
        fired.append(step)
        view = engine.item(item)
        assert (view.light, view.escalation_level) == (light, level), step
        events = ladder_events(engine, item)
        assert [e["step"] for e in events] == fired
        assert events[-1]["action"] == step.replace("reminder", "remind") and "late" not in events[-1]
        new = engine.outbox("test")[outbox_before:]
        assert new and {m.kind for m in new} == {message}
        assert engine.sweep().settled == 0, "a second sweep did something"
    assert set(step_statuses(engine, item).values()) == {"fired"}
    assert engine.verify_audit("test").ok


def test_catch_up_after_downtime_over_national_day(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    """Due 2023-09-28; the daemon is down from 9-20 to 10-16 (over the National Day holiday;
    10-07 was worked). One sweep then fires 挂牌督办 once, late, with the reminder and the
    yellow and red lights folded into it, and one message kind; 问责, found five days late,
    is recorded as missed for a person instead of acting."""
    item = assigned(engine, "2023-09-28")
    clock.set(at("2023-09-20"))
    assert engine.sweep().fired == 0
    clock.set(at("2023-10-16", 9, 0))
    report = engine.sweep()
    assert (report.fired, report.collapsed, report.missed) == (1, 3, 0)
    (event,) = ladder_events(engine, item)
    assert event["step"] == "listed_supervision" and event["late"] is True
    assert event["caught_up"] == ["reminder", "yellow", "red"]
    assert {m.kind for m in engine.outbox("test") if m.item_id == item and "step:" in m.idempotency_key} == {
        "item_listed"
    }
    view = engine.item(item)
    assert (view.light, view.escalation_level) == ("red", 1)
    clock.set(at("2023-11-01", 9, 0))
    report = engine.sweep()
    assert (report.fired, report.missed) == (0, 1)
    assert ladder_events(engine, item)[-1] == {
        "ladder": "item_overdue",
        "missed": ["accountability"],
        "due": "2023-09-28",
    }
    assert engine.item(item).escalation_level == 1
    assert step_statuses(engine, item) == {
        "reminder": "collapsed",
        "yellow": "collapsed",
        "red": "collapsed",
        "listed_supervision": "fired",
        "accountability": "missed",
    }


def test_an_item_off_the_ladder_gets_no_steps_and_rework_brings_them_back(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    """An item waiting for verification is not reminded (its steps are cancelled); returned for
    rework after the red date, its ladder is armed again and the sweep catches up at once."""
    item = assigned(engine, "2023-08-31")
    measure = engine.add_measure(item, BUREAU, text="限期办结").id
    engine.start_rectification(item, BUREAU)
    engine.complete_measure(measure, BUREAU)
    engine.submit_for_verification(item, BUREAU)
    clock.set(at("2023-09-04", 10, 0))
    assert engine.sweep().settled == 0
    assert ladder_events(engine, item) == []
    engine.return_for_rework(item, SUPERVISION, reason="整改不到位")
    report = engine.sweep()
    assert (report.fired, report.collapsed) == (1, 2)  # red, with reminder and yellow folded in
    assert ladder_events(engine, item)[-1]["step"] == "red"
    assert engine.item(item).light == "red"


def test_a_new_due_date_rearms_and_resets_the_light(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    """Reassigned with a new due date after the yellow light: the old date's steps never fire,
    the light is green again, and the new date's ladder runs."""
    item = assigned(engine, "2023-08-31")
    clock.set(at("2023-08-29", 9, 0))
    engine.sweep()
    assert engine.item(item).light == "yellow"
    engine.reassign(item, OFFICE, unit="natural_resources_bureau", due="2023-09-15")
    assert engine.item(item).light == "green"
    clock.set(at("2023-09-01", 9, 0))  # the old red date
    assert engine.sweep().fired == 0
    clock.set(at("2023-09-18", 9, 0))  # red of the new date (Monday after Friday 9-15)
    engine.sweep()
    events = ladder_events(engine, item)
    assert [(e["step"], e["due"], e.get("caught_up")) for e in events] == [
        ("yellow", "2023-08-31", ["reminder"]),
        ("red", "2023-09-15", ["reminder", "yellow"]),
    ]
    assert engine.item(item).light == "red"


def test_two_engines_sweeping_at_once_fire_each_step_once(
    engine: Engine, campaign: CampaignView, clock: VirtualClock, db_url: str
) -> None:
    """Two engines (two daemons) sweep the same database at the same moment: every due step is
    settled exactly once (PostgreSQL: SKIP LOCKED; SQLite: serialised writers)."""
    items = [assigned(engine, "2023-08-31") for _ in range(12)]
    clock.set(at("2023-09-08", 9, 0))  # reminder, yellow, red, 挂牌督办 due for each
    other = Engine(db_url, clock=clock)
    reports: list[Any] = []
    errors: list[BaseException] = []

    def run(e: Engine) -> None:
        try:
            reports.append(e.sweep(batch=3))
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    try:
        threads = [threading.Thread(target=run, args=(e,)) for e in (engine, other)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        other.dispose()
    assert errors == []
    assert sum(r.settled for r in reports) == 12 * 4
    assert sum(r.fired for r in reports) == 12
    for item in items:
        assert [e["step"] for e in ladder_events(engine, item)] == ["listed_supervision"]
    assert engine.sweep().settled == 0


def test_a_subject_that_fails_in_a_batch_leaves_the_others_settled(
    engine: Engine, campaign: CampaignView, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Subjects are settled a batch per transaction, each in a savepoint of its own: one whose
    settling fails goes back whole (its steps stay pending, no event of it), the subjects
    before it keep what they did, and the error reaches the caller as it always did; the next
    sweep settles the rest."""
    from zhenggai.engine import _sweep
    from zhenggai.engine.errors import StorageError

    items = [assigned(engine, "2023-08-31") for _ in range(4)]
    clock.set(at("2023-08-24"))  # each item's reminder is due
    settle = _sweep.SETTLE["item"]
    broken = items[2]

    def fail_one(rt: Any, tx: Any, sid: int, *args: Any) -> None:
        settle(rt, tx, sid, *args)  # writes first, then fails: the savepoint takes it back
        if sid == broken:
            raise StorageError("磁盘读写失败")

    monkeypatch.setitem(_sweep.SETTLE, "item", fail_one)  # type: ignore[arg-type]
    with pytest.raises(StorageError, match="磁盘读写失败"):
        engine.sweep()
    assert [step_statuses(engine, i)["reminder"] for i in items] == ["fired", "fired", "pending", "pending"]
    assert ladder_events(engine, broken) == []
    monkeypatch.setitem(_sweep.SETTLE, "item", settle)  # type: ignore[arg-type]
    report = engine.sweep()
    assert report.fired == 2
    assert all(step_statuses(engine, i)["reminder"] == "fired" for i in items)
    assert [len(ladder_events(engine, i)) for i in items] == [1, 1, 1, 1]
    assert engine.verify_audit("test").ok


def test_a_subject_that_waits_for_the_calendar_mid_batch_leaves_the_chain_whole(
    engine: Engine, campaign: CampaignView, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch keeps the audit head it wrote (``Tx.heads``) so each subject's event does not
    read it again. A subject that wrote its event and then fails for a year the calendar does
    not know goes back to its savepoint, event and all, and the batch goes on: the subjects
    after it must chain onto the head as the savepoint left it, not onto the event taken back."""
    from zhenggai.engine import _sweep
    from zhenggai.engine.errors import CalendarError

    items = [assigned(engine, "2023-08-31") for _ in range(4)]
    clock.set(at("2023-08-24"))  # each item's reminder is due
    settle = _sweep.SETTLE["item"]
    waiting = items[1]

    def wait_one(rt: Any, tx: Any, sid: int, *args: Any) -> None:
        settle(rt, tx, sid, *args)  # its event is written, then the calendar fails it
        if sid == waiting:
            raise CalendarError(dt.date(2099, 1, 1), "2023")

    monkeypatch.setitem(_sweep.SETTLE, "item", wait_one)  # type: ignore[arg-type]
    report = engine.sweep()
    assert report.fired == 3 and report.awaiting == 1
    assert [step_statuses(engine, i)["reminder"] for i in items] == [
        "fired",
        "awaiting_calendar",
        "fired",
        "fired",
    ]
    assert [len(ladder_events(engine, i)) for i in items] == [1, 0, 1, 1]
    assert engine.verify_audit("test").ok


def test_steps_waiting_for_the_calendar_are_found_by_their_index(
    engine: Engine, campaign: CampaignView
) -> None:
    """Every sweep asks which steps wait for the calendar (待日历) past their earliest moment, and
    a calendar change which subjects have such steps: both through the partial index of waiting
    steps (revision 0036), not a read of every step the campaign ever had. PostgreSQL is told
    not to scan the table, so a plan that cannot use the index shows as a scan."""
    assigned(engine, "2023-08-31")
    st = engine._rt.st
    queries = [(st.awaiting_due, {"now": at("2023-09-01")}), (st.awaiting_subjects, {})]
    with engine.store.engine.connect() as conn:
        cursor = conn.connection.cursor()
        sqlite = conn.dialect.name == "sqlite"
        if not sqlite:
            cursor.execute("SET enable_seqscan = off")
        for stmt, values in queries:
            cursor.execute(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + stmt.sql, stmt.params(values))
            plan = " | ".join(str(row[-1] if sqlite else row[0]) for row in cursor.fetchall())
            assert "ix_zg_step_awaiting_due" in plan, plan
            # A scan of the partial index reads the waiting steps only; a scan of the table reads all.
            assert "Seq Scan" not in plan and not re.search(r"SCAN zg_step(?! USING)", plan), plan


def test_a_batch_stops_at_its_subject_limit(
    engine: Engine, campaign: CampaignView, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch transaction takes at most BATCH_SUBJECTS subjects (the audit head and the write
    lock are not held for long); the sweep goes on with the next batch."""
    from zhenggai.engine import _sweep

    monkeypatch.setattr(_sweep, "BATCH_SUBJECTS", 2)
    items = [assigned(engine, "2023-08-31") for _ in range(5)]
    clock.set(at("2023-08-24"))
    commits: list[int] = []
    batch = _sweep._sweep_batch

    def counting(*args: Any) -> int:
        taken = batch(*args)
        commits.append(taken)
        return taken

    monkeypatch.setattr(_sweep, "_sweep_batch", counting)
    report = engine.sweep()
    assert report.fired == 5 and commits == [2, 2, 1]
    assert all(step_statuses(engine, i)["reminder"] == "fired" for i in items)


def test_the_calendar_remembers_derived_days_until_its_years_change() -> None:
    """A ladder rung's day and the working days between two dates are worked out once per
    calendar while its days stay as they are, and afresh when the loaded years change."""
    from zhenggai.engine.calendar import LoadedYears
    from zhenggai.engine.deadlines import offset_day, working_days_between
    from zhenggai.workflows.schema import CalendarSpec

    loaded = LoadedYears()
    cal = WorkingCalendar(CalendarSpec(), loaded=loaded)
    calls: list[dt.date] = []
    real = cal.is_workday

    def counting(day: dt.date) -> bool:
        calls.append(day)
        return real(day)

    cal.is_workday = counting  # type: ignore[method-assign]
    due = dt.date(2023, 9, 28)
    first = offset_day(cal, due, 5, "working")
    assert first == dt.date(2023, 10, 11) and calls  # over the National Day holiday (10-07, 10-08 worked)
    between = working_days_between(cal, due, dt.date(2023, 10, 16))
    n = len(calls)
    assert offset_day(cal, due, 5, "working") == first
    assert working_days_between(cal, due, dt.date(2023, 10, 16)) == between
    assert len(calls) == n, "worked out again"
    # The operators load 2023 afresh (here: every day a working day): the calendar forgets.
    every = {dt.date(2023, 1, 1) + dt.timedelta(days=i) for i in range(365)}
    loaded.replace({2023: (frozenset(), frozenset(every))}, (1, 1))
    assert offset_day(cal, due, 5, "working") == dt.date(2023, 10, 3)
    assert len(calls) > n


def test_status_shows_the_oldest_pending_step(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    """oldest_pending_step is when the longest-waiting step fell due (None without steps)."""
    assert engine.oldest_pending_step() is None
    assigned(engine, "2023-08-31")
    assert engine.oldest_pending_step() == at("2023-08-24", 0, 0).astimezone(dt.UTC)
    clock.set(at("2023-08-24"))
    engine.sweep()
    assert engine.oldest_pending_step() == at("2023-08-29", 0, 0).astimezone(dt.UTC)


# --------------------------------------------------------------------------- property test


class LadderMachine(RuleBasedStateMachine):
    """Random item histories (assign, rework, reassignment with a new date, pauses, sign-off) and
    random forward clock jumps, with sweeps in between: after every sweep no due step is
    pending, none fired before it was due, and no step of an item fired twice."""

    items = Bundle("items")

    def __init__(self) -> None:
        super().__init__()
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8") as f:
            f.write(dump_setup(items_only(load_setup("county_2023"))))
        self.definition = f.name
        self.stack = throwaway_engine(clock=VirtualClock(DEFAULT_START), definition=self.definition)
        self.sandbox = self.stack.__enter__()
        self.engine, self.clock = self.sandbox.engine, self.sandbox.clock
        self.measures: dict[int, int] = {}

    def teardown(self) -> None:
        self.stack.__exit__(None, None, None)
        os.unlink(self.definition)

    def today(self) -> dt.date:
        return self.clock.now().astimezone(SHANGHAI).date()

    def workday(self, days: int) -> dt.date:
        """The first working day ``days`` or more after today (a due date a person gives is
        never a day off)."""
        return next_workday(WorkingCalendar(), self.today() + dt.timedelta(days=days))

    @rule(target=items, days=st.integers(0, 40))
    def assign(self, days: int) -> int:
        return assigned(self.engine, self.workday(days).isoformat())

    @rule(hours=st.integers(1, 24 * 12))
    def wait(self, hours: int) -> None:
        self.clock.advance(dt.timedelta(hours=hours))

    @rule()
    def sweep(self) -> None:
        self.engine.sweep()
        self.check_swept()

    @rule(item=items, days=st.integers(0, 30))
    def new_due(self, item: int, days: int) -> None:
        if (
            self.engine.item(item).state in ("assigned", "rectifying")
            and self.engine.item(item).paused_at is None
        ):
            unit = "natural_resources_bureau" if self.engine.item(item).unit == UNIT else UNIT
            self.engine.reassign(item, OFFICE, unit=unit, due=self.workday(days).isoformat())

    @rule(item=items)
    def pause_or_resume(self, item: int) -> None:
        """暂停计时 while the item is on the ladder and not yet late; 恢复计时 when paused."""
        view = self.engine.item(item)
        if view.paused_at is not None:
            self.engine.resume_clock(item, OFFICE)
        elif view.state in ("assigned", "rectifying") and view.due is not None and view.due >= self.today():
            self.engine.pause_clock(item, OFFICE, reason="等待法院判决")

    @rule(item=items)
    def submit(self, item: int) -> None:
        view = self.engine.item(item)
        unit = Actor("联络员", "responsible", view.unit)
        if view.state == "assigned":
            measure = self.engine.add_measure(item, unit, text="限期办结").id
            self.engine.start_rectification(item, unit)
            self.engine.complete_measure(measure, unit)
            view = self.engine.item(item)
        if view.state == "rectifying" and all(m.done_at for m in self.engine.measures(item)):
            self.engine.submit_for_verification(item, unit)

    @rule(item=items, close=st.booleans())
    def judge(self, item: int, close: bool) -> None:
        view = self.engine.item(item)
        if view.state != "submitted":
            return
        if close:
            self.engine.verify(item, SUPERVISION)
            self.engine.close(item, OFFICE)
        elif view.due is not None and view.due >= self.today():
            self.engine.return_for_rework(item, SUPERVISION, reason="整改不到位")

    def check_swept(self) -> None:
        now = self.clock.now()
        with self.engine.store.read() as conn:
            rows = conn.execute(select(STEP)).mappings().all()
        paused = {i.id for i in self.engine.items("test") if i.paused_at is not None}
        assert not [r for r in rows if r["subject_id"] in paused and r["status"] == "pending"], (
            "a paused clock has steps"
        )
        for r in rows:
            assert not (r["status"] == "pending" and r["due_at"] <= now), f"due step left pending: {dict(r)}"
            if r["status"] in ("fired", "collapsed", "missed"):
                assert r["fired_at"] >= r["due_at"], f"step settled before it was due: {dict(r)}"

    @invariant()
    def each_step_fires_at_most_once(self) -> None:
        seen: set[tuple[int | None, str, str]] = set()
        for event in self.engine.events(campaign="test"):
            if event.trigger == "ladder_step":
                key = (event.item_id, event.data["step"], event.data["due"])
                assert key not in seen, f"step fired twice: {key}"
                seen.add(key)
        assert self.engine.verify_audit("test").ok


def test_ladder_property() -> None:
    """Hypothesis: random histories and forward clock jumps keep every due step firing once."""
    run_state_machine_as_test(
        LadderMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_every_kind_of_subject_has_a_claim_lock_key() -> None:
    """The batch claim's advisory lock (PostgreSQL) is keyed by the subject's kind: every kind the
    sweep settles has a key of its own."""
    from zhenggai.engine._statements import CLAIM_KEYS
    from zhenggai.engine._sweep import SETTLE

    assert set(CLAIM_KEYS) == set(SETTLE)
    assert len(set(CLAIM_KEYS.values())) == len(CLAIM_KEYS)
