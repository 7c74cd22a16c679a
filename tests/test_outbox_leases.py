"""Issue 13, point 5: a slow channel must not make two dispatchers send the same message. Two
dispatchers (two engines, as two daemons) work one outbox against a real SMTP server on loopback
that takes 0.2 s per message, with a 2-second lease and a clock that runs in real time: every
message is delivered exactly once, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from typing import Any

from zhenggai.engine import Engine, VirtualClock
from zhenggai.notifications.dispatcher import Dispatcher

from tests.test_dispatch import Recorder, assigned, mail_channel, smtp_server, start_reached_by

MESSAGES = 24


class RunningClock(VirtualClock):
    """The fixtures' day (2023-08-01 09:00 in Shanghai), advancing with real time: leases run out
    as they would in production."""

    def __init__(self) -> None:
        super().__init__(dt.datetime(2023, 8, 1, 1, 0, tzinfo=dt.UTC))
        self._origin = time.monotonic()

    def now(self) -> dt.datetime:
        return super().now() + dt.timedelta(seconds=time.monotonic() - self._origin)


class Slow(Recorder):
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.2)
        return await super().handle_DATA(server, session, envelope)


def test_a_slow_channel_and_two_dispatchers_send_each_message_once(db_url: str) -> None:
    clock = RunningClock()
    first = Engine(db_url, clock=clock)
    second = Engine(db_url, clock=clock)
    try:
        start_reached_by(first, VirtualClock(dt.datetime(2023, 8, 1, 1, 0, tzinfo=dt.UTC)), ["email"])
        for n in range(MESSAGES):
            assigned(first, title=f"问题 {n}")
        waiting = [m for m in first.outbox("test") if m.status == "pending"]
        assert len(waiting) == MESSAGES
        with smtp_server() as (recorder, port):
            recorder.__class__ = Slow  # the running server's handler takes 0.2 s per message
            dispatchers = [
                Dispatcher(engine, [mail_channel(port)], lease=2.0, seed=k)
                for k, engine in enumerate((first, second))
            ]
            barrier = threading.Barrier(2)

            deadline = time.monotonic() + 60

            def work(dispatcher: Dispatcher) -> None:
                """As a daemon does: a pass, and again, until nothing is left to send."""
                barrier.wait()
                while time.monotonic() < deadline:
                    dispatcher.dispatch(limit=100)
                    if all(m.status == "sent" for m in dispatcher.engine.outbox("test")):
                        return
                    time.sleep(0.05)

            threads = [threading.Thread(target=work, args=(d,)) for d in dispatchers]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            ids = [m["Message-ID"] for m in recorder.messages]
        assert len(ids) == MESSAGES, f"{len(ids) - len(set(ids))} duplicates of {MESSAGES}"
        assert len(set(ids)) == MESSAGES
        assert {m.status for m in first.outbox("test")} == {"sent"}
    finally:
        first.dispose()
        second.dispose()
