"""The scheduler daemon (``zhenggai run``): APScheduler ticks, the database decides what is due.

APScheduler 3.11 holds one job in memory, the sweep, run every ``interval`` seconds: coalescing
on, one instance at a time, and no misfire grace limit, since APScheduler's defaults would
drop a sweep that falls due while the process is busy or suspended. Nothing durable lives in
the scheduler: every deadline is a row, and a sweep fires what the rows say is due (see
``Engine.sweep``), so a restart loses nothing and fires nothing twice.

A host that embeds the library runs :class:`Daemon` in its own process (``start`` / ``stop``);
the CLI runs it in the foreground until SIGTERM or SIGINT, which let the current sweep finish.
After every sweep the daemon records a heartbeat (``zhenggai status`` reads it) and logs one
JSON line (``ts``, ``event``, ``daemon`` and the sweep's counts) on its log stream.

With delivery configured, each tick dispatches after its sweep, but never for long (issue 13,
point 2): the pass stops claiming after half the interval (:data:`DISPATCH_SHARE`) or as soon as
the daemon is asked to stop, and each message's rendering is bounded (operations and seconds;
past them the message is dead, not retried). So the next sweep waits at most half an interval
and one message, and SIGTERM at most one message.

Each tick also relays the committed audit events that webhook subscriptions want into the
outbox (``Webhooks.relay``), before dispatching, so they go out in the same tick.

With an anchor file (``zhenggai run --anchor-file``), a tick after its sweep appends every audit
chain's head to it when the file's last anchor is a day old (:mod:`._anchors`): the database's
holder then cannot cut or rewrite a chain unseen by ``audit verify --anchors``.

SQLite is one daemon's database: a second daemon on the same file is refused (an exclusive
lock on ``<file>.daemon.lock``, released by the operating system if the process dies).
Several daemons need PostgreSQL, where sweeps skip what another daemon holds.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import IO, Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from zhenggai.engine import Anchor, DaemonRunningError, Engine

__all__ = ["DISPATCH_SHARE", "Daemon"]

#: The share of the interval a tick may spend dispatching after its sweep.
DISPATCH_SHARE = 0.5


class Daemon:
    """Sweeps ``engine`` every ``interval`` seconds in a background scheduler thread."""

    def __init__(
        self,
        engine: Engine,
        *,
        interval: float = 60.0,
        log: IO[str] | None = None,
        dispatch: Callable[..., Any] | None = None,
        anchor: Callable[[], Sequence[Anchor] | None] | None = None,
        relay: Callable[[], int] | None = None,
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.engine = engine
        self.interval = interval
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.name = f"{self.host}:{self.pid}"
        self.log_stream = log or sys.stderr
        self.started_at = engine.clock.now()
        self.sweeps = 0
        #: After each sweep, send what is due, when delivery is configured: called as
        #: ``dispatch(seconds=…, stop=…)`` (``Dispatcher.dispatch``), stopping when ``stop()`` is true.
        self.dispatch = dispatch
        #: After each sweep, anchor the audit chain heads outside the database when due (once a
        #: day: :func:`._anchors.anchor_if_due`); returns the anchors written, None when not due.
        self.anchor = anchor
        #: After each sweep, before dispatching, queue the committed audit events webhook
        #: subscriptions want (``Webhooks.relay``); returns how many messages it queued.
        self.relay = relay
        self._scheduler: BackgroundScheduler | None = None
        self._lock_file: IO[bytes] | None = None
        self._stopping = threading.Event()
        self._running_forever = False

    # ------------------------------------------------------------------------------ one tick

    def tick(self) -> None:
        """One sweep, its heartbeat and its log line; an error is logged, not raised, so the
        next tick tries again (a database that is briefly away)."""
        try:
            report = self.engine.sweep()
            self.engine.heartbeat(
                self.name,
                host=self.host,
                pid=self.pid,
                started_at=self.started_at,
                interval=self.interval,
                fired=report.fired,
            )
        except Exception as err:  # noqa: BLE001 - the daemon outlives a failed sweep
            self.log("sweep_failed", error=f"{type(err).__name__}: {err}")
            return
        self.sweeps += 1
        self.log(
            "sweep",
            fired=report.fired,
            collapsed=report.collapsed,
            missed=report.missed,
            void=report.void,
            skipped=report.skipped,
            subjects=report.subjects,
        )
        if self.anchor is not None:
            try:
                anchored = self.anchor()
            except Exception as err:  # noqa: BLE001 - logged; the next tick tries again
                self.log("anchor_failed", error=f"{type(err).__name__}: {err}")
            else:
                if anchored is not None:
                    self.log("anchored", campaigns=len(anchored), heads={a.campaign: a.seq for a in anchored})
        if self.relay is not None:
            try:
                relayed = self.relay()
            except Exception as err:  # noqa: BLE001 - logged; the next tick relays from the cursor
                self.log("relay_failed", error=f"{type(err).__name__}: {err}")
            else:
                if relayed:
                    self.log("relayed", messages=relayed)
        if self.dispatch is None:
            return
        try:
            sent = self.dispatch(seconds=self.interval * DISPATCH_SHARE, stop=self._stopping.is_set)
        except Exception as err:  # noqa: BLE001 - a failed dispatch is logged; the next tick retries
            self.log("dispatch_failed", error=type(err).__name__)
            return
        self.log("dispatch", sent=sent.sent, retried=sent.retried, dead=sent.dead, deferred=sent.deferred)

    def log(self, event: str, **fields: Any) -> None:
        line = {
            "ts": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "event": event,
            "daemon": self.name,
            **fields,
        }
        print(json.dumps(line, ensure_ascii=False), file=self.log_stream, flush=True)

    # ------------------------------------------------------------------------ start and stop

    def start(self) -> None:
        """Take the database (the SQLite lock), then sweep now and every ``interval`` seconds
        in a background thread."""
        if self._scheduler is None and not self._running_forever:
            self._stopping.clear()  # started again after a stop
        self._lock()
        scheduler = BackgroundScheduler(
            jobstores={"default": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=dt.UTC,
        )
        scheduler.add_job(
            self.tick,
            IntervalTrigger(seconds=self.interval, timezone=dt.UTC),
            id="sweep",
            next_run_time=dt.datetime.now(dt.UTC),
        )
        scheduler.start()
        self._scheduler = scheduler
        self.log("started", interval=self.interval, database=self.engine.store.engine.url.render_as_string())

    def stop(self) -> None:
        """Let a running sweep finish (its dispatch stops after the message in hand), record the
        stop, release the database."""
        self._stopping.set()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None
            try:
                self.engine.heartbeat(
                    self.name,
                    host=self.host,
                    pid=self.pid,
                    started_at=self.started_at,
                    interval=self.interval,
                    stopped=True,
                )
            except Exception as err:  # noqa: BLE001 - stopping goes on
                self.log("heartbeat_failed", error=f"{type(err).__name__}: {err}")
            self.log("stopped", sweeps=self.sweeps)
        self._unlock()

    def run_forever(self) -> int:
        """``zhenggai run``: start, wait for SIGTERM or SIGINT, stop cleanly. Returns 0."""

        def on_signal(signum: int, frame: FrameType | None) -> None:
            self._stopping.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        self._running_forever = True  # a signal that came before start() still counts
        try:
            self.start()
            while not self._stopping.wait(0.5):
                pass
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    # ---------------------------------------------------------------------- the SQLite lock

    def _lock(self) -> None:
        store = self.engine.store
        if store.dialect.name != "sqlite":
            return
        database = store.engine.url.database
        if not database or database == ":memory:":
            return
        import fcntl

        path = f"{database}.daemon.lock"
        handle = open(path, "a+b")  # noqa: SIM115 - held open while the daemon runs
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise DaemonRunningError(database) from None
        self._lock_file = handle

    def _unlock(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()  # closing releases the flock
            self._lock_file = None
