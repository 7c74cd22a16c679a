"""Issue 5's done-when, end to end: a simulated campaign (``zhenggai simulate``'s people on the
built-in plan) queues its reminders, lights, 挂牌督办 and duty chasers; the daemon (``Daemon`` with
the dispatcher, as ``zhenggai run --config`` wires it) delivers them as real SMTP mail to aiosmtpd
(STARTTLS + AUTH), as signed Aliyun SMS requests and as WeCom and DingTalk robot posts to local
servers that check the signatures — each message exactly once. A mailbox that refuses makes
dead letters; the CLI lists them and re-queues them, and the daemon delivers them once the
mailbox is back. SQLite (the daemon's one database file)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from zhenggai.adapters._daemon import Daemon
from zhenggai.adapters._simulate import Simulation, with_contacts
from zhenggai.adapters.cli import main
from zhenggai.engine import Engine
from zhenggai.notifications.dispatcher import Dispatcher
from zhenggai.notifications.mail import EmailChannel
from zhenggai.notifications.robots import DingTalkRobot, WeComRobot
from zhenggai.notifications.sms import AliyunSms
from zhenggai.notifications.web import HostPolicy
from zhenggai.workflows import load_setup

from . import providers as p
from .test_dispatch import PASSWORD, USER, client_context, smtp_server
from .test_dispatch import at as local

LOCAL = HostPolicy(internal=frozenset({"127.0.0.1"}))


def wait_until(check: Any, clock: Any, *, step_seconds: float = 61, timeout: float = 60) -> None:
    """Let virtual minutes pass (the robots' window) while the daemon ticks, until ``check()``."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, (
            f"the daemon did not deliver everything in time: {check.__doc__ or ''}"
        )
        clock.advance(dt.timedelta(seconds=step_seconds))
        time.sleep(0.3)


def test_a_simulated_campaign_is_delivered_once_to_every_peer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = contextlib.ExitStack()
    recorder, port = stack.enter_context(smtp_server())
    setup = with_contacts(load_setup("county_2023"))
    sim_out = io.StringIO()
    simulation = Simulation(
        setup,
        items=40,
        start=local("2023-07-20").date(),
        until=local("2023-08-20").date(),
        seed=11,
        out=sim_out,
    )
    clock = simulation.clock
    db = str(tmp_path / "e2e.db")
    engine = Engine(db, clock=clock, seed=11)
    virtual_seconds = lambda: clock.now().timestamp()
    try:
        with (
            p.serve("aliyun") as sms,
            p.serve("wecom", now=virtual_seconds) as wecom,
            p.serve("dingtalk", now=virtual_seconds) as ding,
        ):
            ding.keywords = ()  # this robot is secured by signing alone
            simulation.run(engine)
            clock.set(local("2023-08-21", 10))  # office hours: no SMS quiet time in the way
            queued = engine.outbox("sim")
            channels = Counter(r.channel for r in queued)
            assert {"email", "sms", "wecom", "dingtalk"} <= set(channels), channels
            refused = min({r.recipient for r in queued if r.channel == "email"})
            recorder.refuse.add(refused)
            dispatcher = Dispatcher(
                engine,
                [
                    EmailChannel(
                        host="localhost",
                        port=port,
                        sender=USER,
                        username=USER,
                        password=PASSWORD,
                        ssl_context=client_context(),
                        timeout=5.0,
                    ),
                    AliyunSms(
                        access_key_id=p.ALIYUN_KEY_ID,
                        access_key_secret=p.ALIYUN_SECRET,
                        sign_name="XX县作风办",
                        policy=LOCAL,
                        endpoint=sms.url,
                        timeout=5.0,
                    ),
                    WeComRobot(key=p.WECOM_KEY, policy=LOCAL, endpoint=wecom.url + "cgi-bin/webhook/send"),
                    DingTalkRobot(
                        access_token=p.DINGTALK_TOKEN,
                        secret=p.DINGTALK_SECRET,
                        keywords=(),
                        policy=LOCAL,
                        endpoint=ding.url + "robot/send",
                    ),
                ],
                seed=11,
            )
            daemon = Daemon(engine, interval=0.2, dispatch=dispatcher.dispatch, log=io.StringIO())
            daemon.start()
            try:

                def settled() -> bool:
                    waiting = engine.outbox("sim", status="pending") + engine.outbox("sim", status="sending")
                    settled.__doc__ = str(Counter((r.channel, r.last_error) for r in waiting).most_common(4))
                    return not waiting

                wait_until(settled, clock)
                dead = engine.outbox("sim", status="dead")
                assert dead and {r.recipient for r in dead} == {refused}, Counter(
                    (r.channel, r.last_error) for r in dead
                )
                listed = main(["--db", db, "outbox", "list", "--status", "dead"])
                shown = capsys.readouterr().out
                assert listed == 0 and "死信" in shown and "550" in shown
                recorder.refuse.clear()
                assert main(["--db", db, "outbox", "retry", "--all-dead"]) == 0
                assert f"已重新排队 {len(dead)} 条死信" in capsys.readouterr().out
                wait_until(settled, clock)
            finally:
                daemon.stop()
            rows = engine.outbox("sim")
            assert {r.status for r in rows} == {"sent"}, Counter(r.status for r in rows)
            sent = Counter(r.channel for r in rows)
            # Exactly once: every peer received as many messages as rows were sent through it.
            ids = [m["Message-ID"] for m in recorder.messages]
            assert len(ids) == len(set(ids)) == sent["email"]
            assert len(sms.accepted) == sent["sms"] and not sms.refused
            assert len(wecom.posts) == sent["wecom"] and len(ding.posts) == sent["dingtalk"]
            kinds = Counter(r.kind for r in rows)
            assert kinds["item_due_soon"] and kinds["item_light"] and kinds["duty_due_soon"], kinds
    finally:
        engine.dispose()
        stack.close()
