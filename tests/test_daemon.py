"""``zhenggai run`` and ``zhenggai status`` in real processes: the daemon sweeps, beats, refuses a
second daemon on the same SQLite file, and stops cleanly on SIGTERM; ``run --once`` sweeps once."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from zhenggai.engine import Actor, DaemonRunningError, Engine
from zhenggai.testing import items_only
from zhenggai.workflows import load_setup

OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")


def _script() -> str:
    found = shutil.which("zhenggai") or str(Path(sys.executable).with_name("zhenggai"))
    assert Path(found).exists(), "the zhenggai console script is not installed"
    return found


def _env(db: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHENGGAI_")}
    env["ZHENGGAI_DB"] = db
    return env


def _status(db: str) -> dict[str, Any]:
    out = subprocess.run(
        [_script(), "status", "--json"], capture_output=True, text=True, env=_env(db), timeout=60, check=True
    ).stdout
    result: dict[str, Any] = json.loads(out)
    return result


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A SQLite database with the built-in plan (on the weekend calendar, since the daemons run
    on the system clock, in any year) and one item due in two days: its reminder, five working
    days before, is due now."""
    path = str(tmp_path / "zhenggai.db")
    engine = Engine(path)
    try:
        setup = load_setup("county_2023")
        weekends = setup.calendar.model_copy(update={"base": "weekends"})
        # Items only: the plan's duties, phase actions and draws (dated 2023) would all be due here.
        engine.start_campaign(items_only(setup).model_copy(update={"calendar": weekends}), key="test")
        item = engine.report(
            "test",
            OFFICE,
            title="审批超时",
            description="施工许可审批超时",
            track="construction",
            channel="hotline",
        ).id
        today = engine.clock.now().date()
        engine.assign(item, OFFICE, unit="housing_construction_bureau", due=today + dt.timedelta(days=2))
    finally:
        engine.dispose()
    return path


def test_daemon_sweeps_beats_refuses_a_second_and_stops_on_sigterm(db: str) -> None:
    """Started, the daemon records a heartbeat after its first sweep (status: alive, a JSON log
    line per sweep); a second daemon on the same SQLite file exits 1 at once with one line;
    SIGTERM lets the daemon finish and exit 0, and status shows it stopped."""
    proc = subprocess.Popen(
        [_script(), "run", "--interval", "0.3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(db),
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status = _status(db)
            if status["alive"] and status["daemons"][0]["sweeps"] >= 2:
                break
            if proc.poll() is not None:
                pytest.fail(f"the daemon exited {proc.returncode}: {proc.communicate()}")
            time.sleep(0.2)
        else:
            proc.kill()
            pytest.fail(f"no heartbeat within 60 s: {status}; daemon said {proc.communicate()}")
        second = subprocess.run(
            [_script(), "run"], capture_output=True, text=True, env=_env(db), timeout=60, check=False
        )
        assert second.returncode == 1
        assert second.stderr.startswith("错误: 另一个守护进程已在使用此 SQLite 数据库")
        assert len(second.stderr.strip().splitlines()) == 1
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "已启动" in out and "已停止" in out
    events = [json.loads(line)["event"] for line in err.splitlines() if line.startswith("{")]
    assert events[0] == "started" and events[-1] == "stopped" and "sweep" in events
    status = _status(db)
    assert status["alive"] == [] and status["daemons"][0]["stopped_at"] is not None


def test_run_once_sweeps_and_records_a_heartbeat(db: str) -> None:
    """run --once fires what is due, once; a second run finds nothing; status counts it."""
    first = subprocess.run(
        [_script(), "run", "--once", "--json"],
        capture_output=True,
        text=True,
        env=_env(db),
        timeout=60,
        check=True,
    )
    second = subprocess.run(
        [_script(), "run", "--once", "--json"],
        capture_output=True,
        text=True,
        env=_env(db),
        timeout=60,
        check=True,
    )
    assert json.loads(first.stdout)["fired"] == 1  # the reminder (2 days to go, 5 working days ahead of due)
    assert json.loads(second.stdout)["fired"] == 0
    status = _status(db)
    assert status["daemons"][0]["name"].endswith(":once") and status["daemons"][0]["sweeps"] == 2
    assert status["daemons"][0]["fired"] == json.loads(first.stdout)["fired"]


def test_a_second_daemon_in_process_is_refused(db: str) -> None:
    """The library's Daemon takes the same lock: a second one on the file raises."""
    from zhenggai.adapters._daemon import Daemon

    engines = [Engine(db), Engine(db)]
    first = Daemon(engines[0], interval=3600)
    try:
        first.start()
        with pytest.raises(DaemonRunningError, match="SQLite 只支持一个守护进程"):
            Daemon(engines[1], interval=3600).start()
    finally:
        first.stop()
        for e in engines:
            e.dispose()
    again = Engine(db)
    try:
        second = Daemon(again, interval=3600)
        second.start()  # the lock was released with the first
        second.stop()
    finally:
        again.dispose()
