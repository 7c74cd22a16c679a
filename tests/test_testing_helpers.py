"""zhenggai.testing, the helpers host systems use in their own tests: the throwaway engine
(built-in campaign, ready-made actors, temporary directory removed afterwards) and the
virtual clock (aware UTC, never backwards, thread-safe)."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from pathlib import Path

import pytest
import zhenggai.testing
from zhenggai.engine import InvalidInputError, SystemClock, VirtualClock
from zhenggai.testing import DEFAULT_START, throwaway_engine

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
