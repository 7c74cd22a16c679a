"""``zhenggai serve`` as a real process on a free port: it answers, runs the daemon in the same
process when asked (its heartbeat appears), and stops cleanly on SIGTERM; ``--demo`` builds the
demo database and prints accounts that sign in over HTTP."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from zhenggai.engine import Engine
from zhenggai.workflows import load_setup

TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(*argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "zhenggai.adapters.cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )


def wait_for(url: str, process: subprocess.Popen[str]) -> int:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                return int(answer.status)
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=20)
    assert process.returncode == 0, out
    return out


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_serve_answers_runs_the_daemon_and_stops_cleanly(tmp_path: Path) -> None:
    db = str(tmp_path / "z.db")
    engine = Engine(db)
    try:
        engine.start_campaign(load_setup("county_2023"), key="only")
    finally:
        engine.dispose()
    port = free_port()
    process = start("--db", db, "serve", "--port", str(port), "--with-daemon", "--interval", "0.5")
    try:
        assert wait_for(f"http://127.0.0.1:{port}/login", process) == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/openapi.json", timeout=5) as answer:
            assert b'"openapi"' in answer.read()
        engine = Engine(db)
        try:
            deadline = time.monotonic() + 10
            while not engine.status().daemons and time.monotonic() < deadline:
                time.sleep(0.2)
            (daemon,) = engine.status().daemons
            assert daemon.pid == process.pid
        finally:
            engine.dispose()
    finally:
        if process.poll() is None:
            out = stop(process)
    assert "守护进程" in out and "已停止" in out and "网页工作台已停止" in out


def test_serve_demo_prints_accounts_that_sign_in(tmp_path: Path) -> None:
    port = free_port()
    process = start("serve", "--demo", "--demo-dir", str(tmp_path / "demo"), "--port", str(port))
    lines: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
            if line.startswith("网页工作台"):
                break
        text = "".join(lines)
        accounts = dict(re.findall(r"^(\w+)\s.*\s(\S{16})$", text, flags=re.MULTILINE))
        assert {"office", "unit1", "unit2", "supervision", "custodian", "leader", "admin"} <= set(accounts)
        assert "只显示这一次" in text
        assert wait_for(f"http://127.0.0.1:{port}/login", process) == 200
        opener = urllib.request.build_opener(_NoRedirect)
        for username, home in (("office", "/office"), ("unit1", "/inbox"), ("admin", "/admin")):
            body = urllib.parse.urlencode({"username": username, "password": accounts[username]}).encode()
            with pytest.raises(urllib.error.HTTPError) as redirect:
                opener.open(f"http://127.0.0.1:{port}/login", data=body, timeout=10)
            assert redirect.value.code == 303 and redirect.value.headers["Location"] == home
            assert "zg_session=" in redirect.value.headers["Set-Cookie"]
            redirect.value.close()
        wrong = urllib.parse.urlencode({"username": "office", "password": "not-the-password-1"}).encode()
        with pytest.raises(urllib.error.HTTPError) as refused:
            opener.open(f"http://127.0.0.1:{port}/login", data=wrong, timeout=10)
        assert refused.value.code == 401
        refused.value.close()
    finally:
        if process.poll() is None:
            stop(process)
    assert (tmp_path / "demo" / "demo.db").exists()
    assert (tmp_path / "demo" / "demo.db.reporter.key").stat().st_mode & 0o777 == 0o600
