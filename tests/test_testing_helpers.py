"""zhenggai.testing, the helpers host systems use in their own tests: the throwaway engine
(built-in campaign, ready-made actors, temporary directory removed afterwards), the virtual
clock (aware UTC, never backwards, thread-safe), moving it and sweeping (``Sandbox.advance``,
``advance_and_sweep``) and the recording channel."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

import pytest
import zhenggai.testing
from zhenggai.engine import Channel, Engine, InvalidInputError, OutgoingMessage, SystemClock, VirtualClock
from zhenggai.engine._steps import SweepReport
from zhenggai.notifications.dispatcher import Dispatcher
from zhenggai.testing import DEFAULT_START, RecordingChannel, advance_and_sweep, items_only, throwaway_engine
from zhenggai.workflows import load_setup

from .test_dispatch import UNIT, assigned, at, with_email_contacts

UTC = dt.UTC


def _db_file(sandbox: zhenggai.testing.Sandbox) -> Path:
    database = sandbox.engine.store.engine.url.database
    assert database is not None
    return Path(database)


# ---------------------------------------------------------------------------- throwaway_engine


def test_throwaway_engine_runs_a_full_lifecycle() -> None:
    """The sandbox's engine, campaign and actors are enough for report → … → close."""
    with throwaway_engine() as sb:
        engine, unit = sb.engine, sb.unit_actor("housing_construction_bureau")
        item = engine.report(
            sb.campaign.key, sb.office, title="审批超时", description="审批超时", track="construction",
            channel="hotline",
        ).id  # fmt: skip
        engine.assign(item, sb.track_leader, unit="housing_construction_bureau", due="2023-08-31")
        measure = engine.add_measure(item, unit, text="限期办结").id
        engine.start_rectification(item, unit)
        engine.complete_measure(measure, unit)
        engine.submit_for_verification(item, unit)
        engine.verify(item, sb.supervision)
        assert engine.close(item, sb.office).state == "closed"
        assert engine.read_reporter(item, sb.custodian) is None
        assert engine.verify_audit().ok


def test_throwaway_engine_starts_at_the_default_time_with_the_builtin() -> None:
    """Defaults: the built-in county_2023 campaign as ``test``, on a virtual clock at DEFAULT_START."""
    with throwaway_engine() as sb:
        assert (sb.campaign.key, sb.campaign.definition_id) == ("test", "county_2023")
        assert sb.clock.now() == DEFAULT_START
        assert sb.engine.clock is sb.clock


def test_throwaway_engine_removes_its_directory() -> None:
    """The temporary directory with the database is gone after the block."""
    with throwaway_engine() as sb:
        folder = _db_file(sb).parent
        assert folder.is_dir()
    assert not folder.exists()


def test_throwaway_engine_cleans_up_after_an_exception() -> None:
    """The directory is removed even when the test body fails."""
    with pytest.raises(RuntimeError), throwaway_engine() as sb:
        folder = _db_file(sb).parent
        raise RuntimeError("test body failed")
    assert not folder.exists()


def test_throwaway_engine_on_a_given_file_keeps_it(tmp_path: Path) -> None:
    """With ``db=`` the caller owns the file: it is used and left in place."""
    path = tmp_path / "keep.db"
    with throwaway_engine(db=path, campaign_key="mine") as sb:
        assert _db_file(sb) == path
        assert sb.campaign.key == "mine"
    assert path.exists()


def test_throwaway_engine_uses_a_given_clock() -> None:
    """A clock passed in is the sandbox's clock and the engine's."""
    clock = VirtualClock(dt.datetime(2023, 8, 1, tzinfo=UTC))
    with throwaway_engine(clock=clock) as sb:
        assert sb.clock is clock
        item = sb.engine.report(
            "test", sb.office, title="标题", description="描述", track="obstruction", channel="forum"
        )
        assert item.created_at == dt.datetime(2023, 8, 1, tzinfo=UTC)


def test_two_sandboxes_are_independent() -> None:
    """Two throwaway engines at once do not see each other's items."""
    with throwaway_engine() as a, throwaway_engine() as b:
        a.engine.report("test", a.office, title="甲", description="甲", track="obstruction", channel="forum")
        assert len(a.engine.items()) == 1 and b.engine.items() == []
        assert _db_file(a) != _db_file(b)


def test_testing_reexports_the_engines_virtual_clock() -> None:
    """zhenggai.testing.VirtualClock is the engine's class, not a copy."""
    assert zhenggai.testing.VirtualClock is VirtualClock


# ------------------------------------------------------------------------------- VirtualClock


def test_virtual_clock_only_moves_when_told() -> None:
    """now() is stable until advanced; advance returns the new now."""
    clock = VirtualClock(DEFAULT_START)
    assert clock.now() == clock.now() == DEFAULT_START
    assert clock.advance(dt.timedelta(hours=2)) == DEFAULT_START + dt.timedelta(hours=2) == clock.now()
    assert clock.advance(dt.timedelta(0)) == clock.now()


def test_virtual_clock_refuses_to_go_backwards() -> None:
    """A negative advance or a set() to an earlier time is refused, and time stays put."""
    clock = VirtualClock(DEFAULT_START)
    with pytest.raises(InvalidInputError, match="倒退"):
        clock.advance(dt.timedelta(seconds=-1))
    with pytest.raises(InvalidInputError, match="倒退"):
        clock.set(DEFAULT_START - dt.timedelta(microseconds=1))
    assert clock.now() == DEFAULT_START


def test_virtual_clock_set_moves_forward() -> None:
    """set() jumps forward to a later instant (or stays at the same one)."""
    clock = VirtualClock(DEFAULT_START)
    later = DEFAULT_START + dt.timedelta(days=30)
    assert clock.set(later) == later == clock.now()
    assert clock.set(later) == later


@pytest.mark.parametrize("where", ["start", "set"])
def test_virtual_clock_refuses_naive_datetimes(where: str) -> None:
    """Naive datetimes are refused at construction and by set()."""
    naive = dt.datetime(2023, 7, 3, 9)
    with pytest.raises(InvalidInputError, match="时区"):
        if where == "start":
            VirtualClock(naive)
        else:
            VirtualClock(DEFAULT_START).set(naive + dt.timedelta(days=1))


def test_virtual_clock_reports_utc_whatever_zone_it_was_given() -> None:
    """A start in Asia/Shanghai is the same instant, reported in UTC."""
    shanghai = dt.datetime(2023, 7, 3, 9, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    now = VirtualClock(shanghai).now()
    assert now == shanghai and now.tzinfo == UTC and now.hour == 1


def test_virtual_clock_is_thread_safe() -> None:
    """Concurrent advances all count: 8 threads × 500 one-second steps = 4000 s."""
    clock = VirtualClock(DEFAULT_START)

    def tick() -> None:
        for _ in range(500):
            clock.advance(dt.timedelta(seconds=1))

    threads = [threading.Thread(target=tick) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert clock.now() == DEFAULT_START + dt.timedelta(seconds=4000)


def test_system_clock_is_aware_utc() -> None:
    """SystemClock.now() is timezone-aware UTC and close to the real time."""
    now = SystemClock().now()
    assert now.tzinfo == UTC
    assert abs(now - dt.datetime.now(UTC)) < dt.timedelta(seconds=5)


# ------------------------------------------------------------------------- advance and sweep


def _reported_and_assigned(sb: zhenggai.testing.Sandbox, due: str) -> int:
    item = sb.engine.report(
        sb.campaign.key,
        sb.office,
        title="审批超时",
        description="审批超时",
        track="construction",
        channel="hotline",
    ).id
    sb.engine.assign(item, sb.track_leader, unit="housing_construction_bureau", due=due)
    return item


def test_advance_fires_the_ladder_step_that_is_due_and_not_the_next() -> None:
    """Due 2023-07-31 (a Monday): the reminder (5 working days before, 07-24) fires once the
    clock passes it, the yellow light (2 working days before, 07-27) does not yet."""
    with throwaway_engine() as sb:
        item = _reported_and_assigned(sb, "2023-07-31")
        before = sb.advance(dt.timedelta(days=20))  # 07-23, a Sunday
        assert sb.clock.now() == DEFAULT_START + dt.timedelta(days=20)
        assert not [e for e in before.events if e.startswith(f"item:{item}:")]
        report = sb.advance(dt.timedelta(days=2))  # 07-25
        assert [e for e in report.events if e.startswith(f"item:{item}:")] == [f"item:{item}:reminder"]
        assert [e.trigger for e in sb.engine.events(item)] == ["report", "assign", "ladder_step"]
        assert sb.engine.item(item).light == "green"
        assert not [e for e in sb.advance(dt.timedelta(0)).events if e.startswith(f"item:{item}:")]


class _ScriptedEngine:
    """Stands in for an engine whose sweeps return the given reports, one per call, and note
    the time on ``clock`` they ran at."""

    def __init__(self, clock: VirtualClock, reports: list[SweepReport]) -> None:
        self.clock = clock
        self.reports = reports
        self.swept_at: list[dt.datetime] = []

    @property
    def calls(self) -> int:
        return len(self.swept_at)

    def sweep(self) -> SweepReport:
        self.swept_at.append(self.clock.now())
        return self.reports.pop(0) if self.reports else SweepReport(fired=1, subjects=1, events=["again"])


def test_advance_and_sweep_sweeps_again_until_nothing_is_settled_and_adds_the_reports_up() -> None:
    """A sweep that settled subjects is followed by another; the reports are summed, events in order."""
    clock = VirtualClock(DEFAULT_START)
    engine = _ScriptedEngine(
        clock,
        [
            SweepReport(fired=2, collapsed=1, subjects=2, events=["item:1:red", "item:2:red"]),
            SweepReport(fired=1, subjects=1, events=["item:1:listed_supervision"], alerts=1),
            SweepReport(skipped=1),
        ],
    )
    report = advance_and_sweep(engine, clock, dt.timedelta(days=3))  # type: ignore[arg-type]
    assert clock.now() == DEFAULT_START + dt.timedelta(days=3)
    assert engine.swept_at == [DEFAULT_START + dt.timedelta(days=3)] * 3  # after the clock moved
    assert report == SweepReport(
        fired=3,
        collapsed=1,
        skipped=1,
        subjects=3,
        alerts=1,
        events=["item:1:red", "item:2:red", "item:1:listed_supervision"],
    )


def test_advance_and_sweep_gives_up_on_sweeps_that_never_settle() -> None:
    """An engine that always finds work again is not swept forever."""
    clock = VirtualClock(DEFAULT_START)
    engine = _ScriptedEngine(clock, [])
    with pytest.raises(RuntimeError):
        advance_and_sweep(engine, clock, dt.timedelta(0))  # type: ignore[arg-type]
    assert engine.calls == zhenggai.testing.MAX_SWEEPS


# ---------------------------------------------------------------------------- RecordingChannel


@pytest.fixture
def mailed(tmp_path: Path) -> Iterator[Engine]:
    """The plan (items only) started 2023-08-01 09:00, every unit reached by email."""
    clock = VirtualClock(at("2023-08-01", 9))
    with Engine(tmp_path / "z.db", clock=clock) as engine:
        engine.start_campaign(with_email_contacts(items_only(load_setup("county_2023"))), key="test")
        yield engine


def test_recording_channel_satisfies_the_channel_port() -> None:
    """It is a ``Channel``: a name, a rate and ``send``."""
    channel = RecordingChannel("sms", rate=5)
    assert isinstance(channel, Channel)
    assert (channel.name, channel.rate, channel.messages) == ("sms", 5, [])


def test_recording_channel_records_exactly_what_the_dispatcher_sends(mailed: Engine) -> None:
    """Each pending outbox row is handed over once, as the dispatcher renders it; a second pass
    sends nothing more."""
    for n in range(3):
        assigned(mailed, title=f"问题 {n}")
    pending = mailed.outbox("test", status="pending")
    channel = RecordingChannel("email")
    assert Dispatcher(mailed, [channel]).dispatch().sent == len(pending) == 3
    assert sorted(m.outbox_id for m in channel.messages) == sorted(r.id for r in pending)
    assert all(
        isinstance(m, OutgoingMessage) and m.channel == "email" and m.attempt == 1 for m in channel.messages
    )
    assert {m.recipient for m in channel.messages} == {f"{UNIT}@example.gov.cn"}
    assert sorted(m.subject for m in channel.messages) == [f"【交办】问题 {n}" for n in range(3)]
    assert channel.to(f"{UNIT}@example.gov.cn") == channel.messages and channel.to("nobody") == []
    assert Dispatcher(mailed, [channel]).dispatch().handled == 0
    assert len(channel.messages) == 3


@pytest.mark.parametrize("transient", [False, True])
def test_recording_channel_refuses_as_a_provider_would(mailed: Engine, transient: bool) -> None:
    """A refused recipient's message is not recorded: permanently refused it is a dead letter,
    transiently refused it waits for another attempt."""
    assigned(mailed)
    channel = RecordingChannel("email")
    channel.refuse.add(f"{UNIT}@example.gov.cn")
    if transient:
        channel.transient.add(f"{UNIT}@example.gov.cn")
    report = Dispatcher(mailed, [channel]).dispatch()
    assert channel.messages == []
    (row,) = mailed.outbox("test")
    assert (report.dead, row.status) == ((0, "pending") if transient else (1, "dead"))
    assert "拒收" in (row.last_error or "")
