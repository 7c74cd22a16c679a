"""A template CPU bomb must not stop the daemon (issue 13, point 2). Two nested loops of
``range(1000)`` pass ``zhenggai check`` (two levels are allowed, ``range`` gives 1000 numbers), and
``range(1000)|join`` in the inner loop makes every turn cost a thousand more: before the fix one
message held the dispatcher for minutes, and ``zhenggai run`` stopped sweeping and ignored
SIGTERM. Now rendering has a budget of operations (and a wall-clock backstop), a message past it
is dead at once with the reason, and the daemon's dispatch stops for its next sweep and for
SIGTERM.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from zhenggai.engine import Engine, OutboxView, OutgoingMessage
from zhenggai.notifications.dispatcher import Dispatcher
from zhenggai.testing import RecordingChannel, items_only
from zhenggai.workflows import builtin_path, check_definition

from .test_daemon import OFFICE, _env, _script, _status
from .test_dispatch import with_email_contacts

SUBJECT = 'subject: "【交办】{{ title }}"'
BOMB_TITLE = "炸弹"
#: A million turns, each joining a thousand numbers, for the title 炸弹 only; what passes the check.
BOMB = (
    "【交办】{% if title == '" + BOMB_TITLE + "' %}{% for a in range(1000) %}{% for b in range(1000) %}"
    "{% if range(1000)|join == '' %}x{% endif %}{% endfor %}{% endfor %}{% endif %}{{ title }}"
)
REASON = "模板渲染超出限制: 超过 100000 步运算 (模板 item_assigned)"  # MAX_OPERATIONS


def _campaign(tmp_path: Path) -> str:
    """A SQLite database whose plan (checked by ``zhenggai check``) has the bomb in
    ``item_assigned``, on the weekend calendar, every unit reached by email; one item titled 炸弹
    and one ordinary item, both assigned (due in two days: their reminders are due now)."""
    text = builtin_path("county_2023").read_text(encoding="utf-8")
    assert SUBJECT in text
    plan = tmp_path / "bomb.yaml"
    plan.write_text(
        text.replace(SUBJECT, "subject: " + json.dumps(BOMB, ensure_ascii=False)), encoding="utf-8"
    )
    setup = check_definition(plan).setup  # the check lets it through: that is the point
    assert setup is not None
    setup = with_email_contacts(items_only(setup))
    setup = setup.model_copy(update={"calendar": setup.calendar.model_copy(update={"base": "weekends"})})
    db = str(tmp_path / "zhenggai.db")
    engine = Engine(db)
    try:
        engine.start_campaign(setup, key="test")
        due = engine.clock.now().date() + dt.timedelta(days=2)
        for title in (BOMB_TITLE, "审批超时"):
            item = engine.report(
                "test",
                OFFICE,
                title=title,
                description="施工许可审批超时",
                track="construction",
                channel="hotline",
            ).id
            engine.assign(item, OFFICE, unit="housing_construction_bureau", due=due)
    finally:
        engine.dispose()
    return db


def _bomb_rows(engine: Engine) -> list[OutboxView]:
    return [r for r in engine.outbox() if r.kind == "item_assigned" and r.payload.get("title") == BOMB_TITLE]


def test_a_bomb_that_passes_check_is_dead_at_once_and_others_go(tmp_path: Path) -> None:
    """The dispatcher stops the bomb within its budget of operations (well under its 2-second
    backstop), dead-letters it with the reason after one attempt, sends every other message, and
    a second pass leaves it dead. Before the fix the pass rendered for minutes (the thread is
    given 30 s) and then sent it."""
    db = _campaign(tmp_path)
    channel = RecordingChannel("email")
    engine = Engine(db)
    try:
        dispatcher = Dispatcher(engine, [channel])
        reports: list[Any] = []
        started = time.monotonic()
        worker = threading.Thread(target=lambda: reports.append(dispatcher.dispatch()), daemon=True)
        worker.start()
        worker.join(30)
        assert not worker.is_alive(), "the dispatcher is still rendering the bomb after 30 s"
        assert time.monotonic() - started < 15
        bombs = _bomb_rows(engine)
        assert len(bombs) == 1
        bomb = bombs[0]
        assert bomb.status == "dead" and bomb.attempts == 1
        assert bomb.last_error == REASON
        others = [r for r in engine.outbox() if r.id != bomb.id]
        assert others and all(r.status == "sent" for r in others), [
            (r.kind, r.status, r.last_error) for r in others
        ]
        assert len(channel.messages) == len(others) and "【交办】审批超时" in [
            m.subject for m in channel.messages
        ]
        again = dispatcher.dispatch()
        assert again.handled == 0 and _bomb_rows(engine)[0].status == "dead"
    finally:
        engine.dispose()


def test_the_daemon_keeps_sweeping_and_stops_on_sigterm(tmp_path: Path) -> None:
    """``zhenggai run --interval 1 --config FILE`` with the bomb in the outbox: the daemon sweeps
    again and again (status counts its sweeps), the bomb is dead with the reason, the rest is
    delivered, and SIGTERM stops it within a few seconds. Before the fix the first dispatch held
    the daemon: one sweep, then none, and SIGTERM waited for the render."""
    db = _campaign(tmp_path)
    out = tmp_path / "sent.jsonl"
    config = tmp_path / "delivery.toml"
    config.write_text(f'[file]\npath = "{out}"\nchannels = ["email", "sms"]\n', encoding="utf-8")
    proc = subprocess.Popen(
        [_script(), "run", "--interval", "1", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(db),
    )
    try:
        deadline = time.monotonic() + 30
        status = _status(db)
        while time.monotonic() < deadline:
            status = _status(db)
            if status["daemons"] and status["daemons"][0]["sweeps"] >= 4:
                break
            if proc.poll() is not None:
                pytest.fail(f"the daemon exited {proc.returncode}: {proc.communicate()}")
            time.sleep(0.3)
        else:
            pytest.fail(f"the daemon stopped sweeping: {status.get('daemons')}")
        engine = Engine(db)
        try:
            bomb = _bomb_rows(engine)[0]
            assert bomb.status == "dead" and bomb.last_error == REASON
            others = [r for r in engine.outbox() if r.id != bomb.id]
            assert others and all(r.status == "sent" for r in others)
        finally:
            engine.dispose()
        proc.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail("the daemon did not stop within 10 s of SIGTERM")
        assert time.monotonic() - stopped < 5
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    events = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert events[-1]["event"] == "stopped"
    assert sum(e.get("dead", 0) for e in events if e["event"] == "dispatch") == 1


class _SlowChannel(RecordingChannel):
    def send(self, message: OutgoingMessage) -> str | None:
        time.sleep(0.3)
        return super().send(message)


def test_a_pass_stops_on_its_time_and_on_stop(tmp_path: Path) -> None:
    """A pass claims nothing more once its seconds are spent or ``stop()`` says so (the daemon
    gives it half its interval and its SIGTERM flag): a slow channel delays the next sweep by one
    message at most."""
    db = _campaign(tmp_path)
    engine = Engine(db)
    try:
        dispatcher = Dispatcher(engine, [_SlowChannel("email")])
        assert dispatcher.dispatch(stop=lambda: True).handled == 0
        # Its time spent, a pass claims nothing more: at most one slow send (0.3 s) past 0.1 s (the
        # bomb's dead letter, rendered to its limit, may come first and use the time up alone).
        started = time.monotonic()
        first = dispatcher.dispatch(seconds=0.1)
        assert first.handled >= 1 and first.sent <= 1 and first.handled <= 2
        assert time.monotonic() - started < 0.1 + 2 * 0.3 + 2.0  # one send and one bounded render
        from zhenggai.adapters._daemon import DISPATCH_SHARE, Daemon

        calls: list[dict[str, Any]] = []

        def dispatch(**kw: Any) -> Any:
            calls.append(kw)
            return dispatcher.dispatch(**kw)

        daemon = Daemon(engine, interval=4, dispatch=dispatch, log=io.StringIO())
        daemon.tick()
        assert calls[0]["seconds"] == 4 * DISPATCH_SHARE and calls[0]["stop"]() is False
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "source",
    [
        # a macro doubling a text: 2**60 characters, from sixty calls and no output to speak of
        "{% macro m(x, n) %}{% if n %}{{ m(x ~ x, n - 1) }}{% else %}{{ x|length }}{% endif %}{% endmacro %}{{ m(t, 60) }}",
        "{% macro m(x, n) %}{% if n %}{{ m(x + x, n - 1) }}{% else %}{{ x|length }}{% endif %}{% endmacro %}{{ m(t, 60) }}",
        # loops nested through macros, which the check's loop depth cannot see: a billion turns
        (
            "{% macro c() %}{% for i in range(1000) %}{% endfor %}{% endmacro %}{% macro b() %}{% for i in range(1000) %}"
            "{{ c() }}{% endfor %}{% endmacro %}{% for i in range(1000) %}{{ b() }}{% endfor %}"
        ),
        BOMB.replace("title == '" + BOMB_TITLE + "'", "true"),
    ],
)
def test_render_is_bounded_in_time_and_memory(source: str) -> None:
    from jinja2.exceptions import SecurityError
    from zhenggai.workflows import template_environment

    started = time.monotonic()
    with pytest.raises(SecurityError):
        template_environment().from_string(source).render(t="ab", title="x")
    assert time.monotonic() - started < 5
