#!/usr/bin/env python
"""Transitions per second through zhenggai's public API, against the raw-driver floor.

What is measured
----------------
N items are brought (untimed, through the API) to ``submitted``. A *round* then fires, on every
item, ``verify`` → ``return_for_rework`` → ``submit_for_verification``: three real state
changes per item, each one its own write transaction with its guards, its compare-and-set
``UPDATE``, its hash-chained audit event and, for the two triggers that notify, its outbox row.
The items end the round where they began, so every round does the same work.

* **api**: the public API, ``Engine.verify`` / ``Engine.return_for_rework`` /
  ``Engine.submit_for_verification``, on a database created by the engine's own migrations.
* **floor**: the same transitions written by hand with the raw driver (``sqlite3`` /
  ``psycopg``) on a second database of the same shape (also created and populated by the
  engine, untimed), issuing the statements a transition *needs*, in the engine's order:

  ``BEGIN [IMMEDIATE]`` · ``SELECT`` the item · (``SELECT`` the measure counts, for
  ``all_measures_done``, and the open 协办 parts' count, for ``co_parts_done``) · ``UPDATE zg_item
  … WHERE id=? AND version=? RETURNING`` the row as written · (``SELECT`` the item's 领导批示, which every notifying
  transition's messages carry as ``instructions``) · ``SELECT`` the audit head (``FOR UPDATE`` on
  PostgreSQL) · (``SELECT`` the recipients' contacts and ``INSERT`` one outbox row each, where the
  trigger notifies) · ``SELECT`` its measures (the
  event vouches for them and the returned row: their digest and the messages' go into its data) · ``INSERT`` the
  event (SHA-256 over the canonical content, computed in Python with the engine's
  :func:`event_hash`) · ``UPDATE`` the head ·
  (the item's escalation ladder: ``UPDATE`` its pending steps to cancelled when it leaves the
  ladder's states, ``SELECT`` them and one ``UPDATE`` setting them back to pending in place, each with its
  moment computed from the due date on the working-day calendar, when it returns) · ``COMMIT``.

  The floor checks state, role, unit and guard in Python like the engine does, but builds no
  returned view. At the end both databases' audit chains are verified by the engine
  (``verify_audit``), so the floor provably wrote the same kind of rows.

The rate of a side is ops / wall time of a round; each side runs a warm-up round first, then
``--rounds`` timed rounds, alternating api and floor; the reported rate is the median round.
``ratio = floor ops/s ÷ api ops/s`` (1.0 = the API costs nothing over the raw driver; target ≤ 2).
An untimed traced pass records, at the driver, the statements each side sends per trigger.

Usage::

    python benchmarks/transitions.py [--items N] [--rounds R] [--backend sqlite|postgresql|all]
                                     [--pg-url URL] [--smoke] [--json FILE]

PostgreSQL: ``--pg-url`` (default ``$ZHENGGAI_BENCH_PG_URL``, ``$ZHENGGAI_TEST_PG_URL`` or
``postgresql://zhenggai:zhenggai@127.0.0.1/zhenggai``); each side gets a fresh schema, dropped
afterwards. With ``--backend all`` an unreachable server is reported and skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import gc
import json
import os
import platform
import re
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
import zoneinfo
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

if __name__ == "__main__":
    # This file shares its name with the ``transitions`` library the engine is built on; run as
    # a script, its folder heads sys.path and would shadow it. Take the folder off the path.
    _HERE = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import sqlalchemy as sa
from zhenggai.engine import Actor, CampaignSetup, ContactSpec, Engine, VirtualClock, models
from zhenggai.engine.audit import canonical_json, event_hash, item_digest, outbox_digest, outbox_row_digest
from zhenggai.engine.calendar import WorkingCalendar
from zhenggai.engine.deadlines import offset_day
from zhenggai.workflows import load_setup

DEFAULT_PG_URL = (
    os.environ.get("ZHENGGAI_BENCH_PG_URL")
    or os.environ.get("ZHENGGAI_TEST_PG_URL")
    or "postgresql://zhenggai:zhenggai@127.0.0.1/zhenggai"
)
BACKENDS = ("sqlite", "postgresql")
TRIGGERS = ("verify", "return_for_rework", "submit_for_verification")

#: 2023-07-03 09:00 Asia/Shanghai, inside the plan's inspection phase.
START = dt.datetime(2023, 7, 3, 1, 0, tzinfo=dt.UTC)
DUE = dt.date(2023, 9, 28)  # a Thursday: a due date a person gives is a working day
#: Units the items are spread over (each gets one contact, so notifications route).
ITEM_UNITS = (
    "housing_construction_bureau",
    "development_reform_commission",
    "public_resources_trading_center",
    "finance_bureau",
    "natural_resources_bureau",
    "transport_bureau",
)
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
SUPERVISION = Actor("督查一组", "supervision_team", "organization_department")
REASON = "验收抽查发现整改不到位"

SQLITE_BUSY_TIMEOUT_MS = 30_000  # the engine's (zhenggai.engine.store.BUSY_TIMEOUT_MS)


# ------------------------------------------------------------------------------------ setup


def bench_setup() -> CampaignSetup:
    """The built-in 2023 county plan, with one contact per unit and an office contact, so the
    notifying triggers write real (routable) outbox rows."""
    setup = load_setup("county_2023")
    units = []
    for unit in setup.units:
        contacts = [ContactSpec(name=f"{unit.name}联络员", email=f"{unit.id}@example.cn")]
        if unit.id == OFFICE.unit:
            contacts.append(
                ContactSpec(name="领导小组办公室", role="leading_group_office", email="office@example.cn")
            )
        units.append(unit.model_copy(update={"contacts": contacts}))
    return setup.model_copy(update={"units": units})


def populate(engine: Engine, n_items: int) -> list[tuple[int, Actor]]:
    """A campaign and ``n_items`` items in ``submitted`` (one completed measure each), made
    through the public API. Returns (item id, an actor of the item's responsible unit)."""
    engine.start_campaign(bench_setup(), key="bench")
    items = []
    for i in range(n_items):
        unit = ITEM_UNITS[i % len(ITEM_UNITS)]
        actor = Actor("责任单位联络员", "responsible", unit)
        item = engine.report(
            "bench",
            OFFICE,
            title=f"基准问题 {i}",
            description="审批环节要求企业重复提交材料",
            track="construction",
            channel="hotline",
        )
        engine.assign(item.id, OFFICE, unit=unit, due=DUE)
        measure = engine.add_measure(item.id, actor, text="精简材料清单")
        engine.complete_measure(measure.id, actor)
        engine.start_rectification(item.id, actor)
        engine.submit_for_verification(item.id, actor)
        items.append((item.id, actor))
    return items


# ------------------------------------------------------------------------------ the API side


class ApiSide:
    """Transitions through the public API."""

    name = "api"

    def __init__(self, engine: Engine, items: Sequence[tuple[int, Actor]]) -> None:
        self.engine = engine
        self.items = items

    def phase(self, trigger: str) -> Callable[[], None]:
        engine, items = self.engine, self.items
        if trigger == "verify":

            def run() -> None:
                for item_id, _ in items:
                    engine.verify(item_id, SUPERVISION)
        elif trigger == "return_for_rework":

            def run() -> None:
                for item_id, _ in items:
                    engine.return_for_rework(item_id, OFFICE, reason=REASON)
        else:

            def run() -> None:
                for item_id, unit_actor in items:
                    engine.submit_for_verification(item_id, unit_actor)

        return run

    @contextlib.contextmanager
    def tracing(self) -> Iterator[list[str]]:
        """Every statement the API sends to the driver (BEGIN/COMMIT included) while inside,
        traced on each pooled DBAPI connection as it is checked out: whatever path the engine
        takes to the driver (Core, ``exec_driver_sql`` or its own cursor), it is seen."""
        from sqlalchemy import event

        sa = self.engine.store.engine
        log: list[str] = []
        active: dict[int, contextlib.ExitStack] = {}

        def on_checkout(dbapi_conn: Any, record: Any, proxy: Any) -> None:
            stack = active[id(dbapi_conn)] = contextlib.ExitStack()
            stack.enter_context(driver_trace(dbapi_conn, log))

        def on_checkin(dbapi_conn: Any, record: Any) -> None:
            stack = active.pop(id(dbapi_conn), None)
            if stack is not None:
                stack.close()

        event.listen(sa, "checkout", on_checkout)
        event.listen(sa, "checkin", on_checkin)
        try:
            yield log
        finally:
            event.remove(sa, "checkout", on_checkout)
            event.remove(sa, "checkin", on_checkin)
            for stack in active.values():
                stack.close()


@contextlib.contextmanager
def driver_trace(dbapi_conn: Any, log: list[str]) -> Iterator[None]:
    """Log every statement ``dbapi_conn`` sends while inside, at the driver.

    sqlite3: its trace callback (sees BEGIN and COMMIT too). psycopg: cursors made while
    inside log their ``execute`` calls, the implicit ``BEGIN`` psycopg sends before the first
    statement of a transaction, and ``commit()``."""
    if isinstance(dbapi_conn, sqlite3.Connection):
        dbapi_conn.set_trace_callback(log.append)
        try:
            yield
        finally:
            dbapi_conn.set_trace_callback(None)
        return
    import psycopg
    from psycopg.pq import TransactionStatus

    conn = dbapi_conn

    class TracingCursor(psycopg.Cursor[Any]):
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            if not conn.autocommit and conn.info.transaction_status == TransactionStatus.IDLE:
                log.append("BEGIN")
            log.append(query if isinstance(query, str) else repr(query))
            return super().execute(query, params, **kwargs)

    real_commit = conn.commit

    def commit() -> None:
        if conn.info.transaction_status != TransactionStatus.IDLE:
            log.append("COMMIT")
        real_commit()

    factory = conn.cursor_factory
    conn.cursor_factory = TracingCursor
    conn.commit = commit
    try:
        yield
    finally:
        conn.cursor_factory = factory
        del conn.commit


# ---------------------------------------------------------------------------- the floor side


@dataclass
class _FloorCampaign:
    id: int
    title: str
    unit_ids: dict[str, int]
    unit_keys: dict[int, str]
    unit_names: dict[int, str]
    tracks: dict[str, str]
    labels: dict[str, str]
    transitions: dict[tuple[str, str], Any]
    unit_bound: frozenset[str]


class FloorSide:
    """The same transitions by hand with the raw driver: the statements a transition needs."""

    name = "floor"

    def __init__(self, conn: Any, dialect: str, items: Sequence[tuple[int, Actor]]) -> None:
        self.conn = conn
        self.dialect = dialect
        self.items = items
        p = "?" if dialect == "sqlite" else "%s"
        self.cur = conn.cursor()
        item_cols = self._columns("zg_item")
        contact_cols = self._columns("zg_contact")
        self.col = {c: i for i, c in enumerate(item_cols)}
        self.ccol = {c: i for i, c in enumerate(contact_cols)}
        self.sql_item = f"SELECT {', '.join(item_cols)} FROM zg_item WHERE id = {p}"
        self.sql_counts = (
            f"SELECT count(id), count(id) FILTER (WHERE done_at IS NULL) FROM zg_measure WHERE item_id = {p}"
        )
        # 协办: the co-units' parts still open (guard co_parts_done).
        self.sql_open_parts = f"SELECT count(id) FROM zg_item_part WHERE item_id = {p} AND state = 'open'"
        self.sql_head = f"SELECT seq, hash FROM zg_audit_head WHERE campaign_id = {p}"
        if dialect != "sqlite":
            self.sql_head += " FOR UPDATE"
        self.sql_update = {
            "verify": f"UPDATE zg_item SET state={p}, state_since={p}, updated_at={p}, verified_at={p}, version={p} "
            f"WHERE id = {p} AND version = {p}",
            "return_for_rework": f"UPDATE zg_item SET state={p}, state_since={p}, updated_at={p}, verified_at={p}, "
            f"version={p} WHERE id = {p} AND version = {p}",
            "submit_for_verification": f"UPDATE zg_item SET state={p}, state_since={p}, updated_at={p}, version={p} "
            f"WHERE id = {p} AND version = {p}",
        }
        # The row as written comes back (the event vouches for it): not read again.
        returning = f" RETURNING {', '.join(item_cols)}"
        self.sql_update = {trigger: sql + returning for trigger, sql in self.sql_update.items()}
        self.sql_event = (
            'INSERT INTO zg_event (campaign_id, seq, item_id, "trigger", from_state, to_state, actor, '
            f"role, unit, at, data, prev_hash, hash, subject_kind, subject_id) VALUES ({', '.join([p] * 15)})"
        )
        self.sql_head_update = f"UPDATE zg_audit_head SET seq={p}, hash={p} WHERE campaign_id = {p}"
        ccols = ", ".join(f"c.{c}" for c in contact_cols)
        self.sql_unit_contacts = f"SELECT {ccols} FROM zg_contact c WHERE c.unit_id = {p} ORDER BY c.id"
        # 领导批示: every notifying transition's messages carry the item's instructions.
        self.sql_instructions = (
            f"SELECT leader, given_on, text FROM zg_instruction WHERE item_id = {p} ORDER BY id"
        )
        self.sql_role_contacts = (
            f"SELECT {ccols} FROM zg_contact c JOIN zg_unit u ON u.id = c.unit_id "
            f"WHERE u.campaign_id = {p} AND c.role = {p} ORDER BY c.id"
        )
        self.sql_outbox = (
            "INSERT INTO zg_outbox (campaign_id, item_id, kind, channel, recipient, contact_id, "
            "idempotency_key, payload, status, attempts, next_try_at, last_error, created_at, audit_seq) "
            f"VALUES ({', '.join([p] * 14)})"
        )
        # What the event vouches for (the engine's audit ``bind``): the item's row and measures.
        self.measure_cols = self._columns("zg_measure")
        self.sql_bind_item = self.sql_item
        self.sql_bind_measures = (
            f"SELECT {', '.join(self.measure_cols)} FROM zg_measure WHERE item_id = {p} ORDER BY id"
        )
        self.item_cols = item_cols
        # The item's escalation ladder (zg_step): cancelled when it leaves the ladder's states
        # (submit_for_verification), re-armed when it comes back (return_for_rework).
        self.sql_steps_cancel = (
            f"UPDATE zg_step SET status='cancelled', fired_at={p} "
            f"WHERE subject_kind='item' AND subject_id={p} AND status='pending'"
        )
        self.sql_item_steps = f"SELECT id, step_key, status FROM zg_step WHERE subject_kind='item' AND subject_id={p} ORDER BY id"
        setup = bench_setup()
        assert setup.deadlines is not None
        self.ladder = next(x for x in setup.ladders if x.id == setup.deadlines.ladder)
        self.calendar = WorkingCalendar(setup.calendar)
        self.instructions = setup.instructions is not None
        self.tz = zoneinfo.ZoneInfo(setup.timezone)
        self.camp = self._campaign()

    # -- setup (untimed)

    def _columns(self, table: str) -> list[str]:
        if self.dialect == "sqlite":
            rows = self.conn.execute(f"PRAGMA table_info({table})").fetchall()
            cols = [r[1] for r in rows]
        else:
            rows = self.conn.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s ORDER BY ordinal_position",
                (table,),
            ).fetchall()
            cols = [r[0] for r in rows]
            self.conn.commit()
        return cols

    def _campaign(self) -> _FloorCampaign:
        setup = bench_setup()
        cur = self.conn.cursor()
        cid, title = cur.execute("SELECT id, title FROM zg_campaign WHERE key = 'bench'").fetchone()
        units = cur.execute(
            f"SELECT id, key, name FROM zg_unit WHERE campaign_id = {cid} ORDER BY id"
        ).fetchall()
        tracks = cur.execute(f"SELECT key, name FROM zg_track WHERE campaign_id = {cid}").fetchall()
        cur.close()
        self.conn.commit()
        spec = setup.lifecycle
        return _FloorCampaign(
            id=cid,
            title=title,
            unit_ids={k: i for i, k, _ in units},
            unit_keys={i: k for i, k, _ in units},
            unit_names={i: n for i, _, n in units},
            tracks=dict(tracks),
            labels={s.id: s.label for s in spec.states},
            transitions={(t.trigger, s): t for t in spec.transitions for s in t.source},
            unit_bound=frozenset(r.id for r in setup.roles if r.unit_bound),
        )

    # -- the hot path

    def _ex(self, sql: str, params: Sequence[Any]) -> Any:
        return self.cur.execute(sql, params)

    def _typed(self, table: str, raw: Sequence[Any]) -> dict[str, Any]:
        """A row as the engine reads it (its digest is taken of typed values): on SQLite, times
        stored as text and booleans as integers are converted the way SQLAlchemy's types do."""
        cols = self.item_cols if table == "item" else self.measure_cols
        values = dict(zip(cols, raw, strict=True))
        if self.dialect == "sqlite":
            for name in _SQLITE_TIMES[table]:
                if isinstance(values.get(name), str):
                    values[name] = dt.datetime.fromisoformat(values[name]).replace(tzinfo=dt.UTC)
            for name in _SQLITE_BOOLS[table]:
                if values.get(name) is not None:
                    values[name] = bool(values[name])
        return values

    def _stamp(self, now: dt.datetime) -> Any:
        if self.dialect == "sqlite":  # what SQLAlchemy's SQLite DateTime stores: naive UTC text
            return now.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        return now

    def fire(self, item_id: int, trigger: str, actor: Actor, reason: str | None, now: dt.datetime) -> None:
        conn, camp, col = self.conn, self.camp, self.col
        if self.dialect == "sqlite":
            self._ex("BEGIN IMMEDIATE", ())
        # (psycopg sends BEGIN itself before the first statement)
        try:
            row = self._ex(self.sql_item, (item_id,)).fetchone()
            if row is None:
                raise LookupError(item_id)
            state = row[col["state"]]
            spec = camp.transitions.get((trigger, state))
            if spec is None:
                raise RuntimeError(f"{trigger} not allowed in {state}")
            unit_id = row[col["responsible_unit_id"]]
            actor_unit_id = camp.unit_ids.get(actor.unit) if actor.unit else None
            if actor.role not in spec.roles:
                raise PermissionError(actor.role)
            if actor.role in camp.unit_bound and actor_unit_id != unit_id:
                raise PermissionError(actor.unit)
            stamp = self._stamp(now)
            version = row[col["version"]]
            data: dict[str, Any] = {}
            params = self._guarded(
                trigger, spec, item_id, version, actor_unit_id != unit_id, reason, stamp, data
            )
            written = self._ex(self.sql_update[trigger], params).fetchone()  # RETURNING the row
            if written is None:
                raise RuntimeError(f"conflict on item {item_id} v{version}")
            if spec.notify and self.instructions:  # the item's 领导批示, as one line (empty: none)
                rows = self._ex(self.sql_instructions, (item_id,)).fetchall()
                data_out = {**data, "instructions": "; ".join(f"{n} {_iso(d)}: {t}" for n, d, t in rows)}
            else:
                data_out = data
            seq, prev = self._ex(self.sql_head, (camp.id,)).fetchone()
            seq += 1
            # The messages first (each names the event that vouches for them), then the event.
            queued = (
                self._queue(spec, row, item_id, trigger, version, data_out, stamp, now, seq)
                if spec.notify
                else []
            )
            after = self._typed("item", written)
            measures = [
                self._typed("measure", m) for m in self._ex(self.sql_bind_measures, (item_id,)).fetchall()
            ]
            bind: dict[str, Any] = {"row": item_digest(after, measures)}
            if queued:
                bind["outbox"] = outbox_digest(queued)
            text = canonical_json({**data, "bind": bind})
            digest = event_hash(
                campaign_id=camp.id,
                seq=seq,
                item_id=item_id,
                trigger=trigger,
                from_state=state,
                to_state=spec.dest,
                actor=actor.name,
                role=actor.role,
                unit=actor.unit,
                at=now,
                data=text,
                prev_hash=prev,
            )
            self._ex(
                self.sql_event,
                (
                    camp.id,
                    seq,
                    item_id,
                    trigger,
                    state,
                    spec.dest,
                    actor.name,
                    actor.role,
                    actor.unit,
                    stamp,
                    text,
                    prev,
                    digest,
                    "item",
                    item_id,
                ),
            )
            self._ex(self.sql_head_update, (seq, digest, camp.id))
            if trigger == "submit_for_verification":  # leaves the ladder's states
                self._ex(self.sql_steps_cancel, (stamp, item_id))
            elif trigger == "return_for_rework":  # back on the ladder, same due date
                self._rearm(item_id, row[col["due"]])
            conn.commit()
        except BaseException:
            conn.rollback()
            raise

    def _guarded(
        self,
        trigger: str,
        spec: Any,
        item_id: int,
        version: int,
        outside: bool,
        reason: str | None,
        stamp: Any,
        data: dict[str, Any],
    ) -> tuple[Any, ...]:
        """The transition's guard checked (``outside``: the actor is not of the item's unit) and
        its update's parameters; a reason goes into ``data``."""
        if trigger == "verify":  # guard actor_outside_unit; effect record_verification
            if not outside:
                raise RuntimeError("actor_outside_unit")
            return (spec.dest, stamp, stamp, stamp, version + 1, item_id, version)
        if trigger == "return_for_rework":  # guard has_reason; effect clear_verification
            if not (reason and reason.strip()):
                raise RuntimeError("has_reason")
            data["reason"] = reason.strip()
            return (spec.dest, stamp, stamp, None, version + 1, item_id, version)
        # submit_for_verification: guards all_measures_done, co_parts_done
        total, open_ = self._ex(self.sql_counts, (item_id,)).fetchone()
        if total == 0 or open_:
            raise RuntimeError("all_measures_done")
        if self._ex(self.sql_open_parts, (item_id,)).fetchone()[0]:
            raise RuntimeError("co_parts_done")
        return (spec.dest, stamp, stamp, version + 1, item_id, version)

    def _rearm(self, item_id: int, due: Any) -> None:
        """The item's cancelled ladder steps for its ``due`` date scheduled again."""
        due = dt.date.fromisoformat(due) if isinstance(due, str) else due
        wanted = {}
        for step in self.ladder.steps:
            day = offset_day(self.calendar, due, step.offset, step.count)
            at = dt.datetime.combine(day, dt.time(0), tzinfo=self.tz).astimezone(dt.UTC)
            wanted[f"{self.ladder.id}.{step.id}@{due.isoformat()}"] = at
        rearm = [
            (step_id, self._stamp(wanted[key]))
            for step_id, key, status in self._ex(self.sql_item_steps, (item_id,)).fetchall()
            if status == "cancelled" and key in wanted
        ]
        if rearm:  # in place, one UPDATE for all of them
            p = "?" if self.dialect == "sqlite" else "%s"
            whens = " ".join(f"WHEN {p} THEN {p}" for _ in rearm)
            self._ex(
                f"UPDATE zg_step SET status='pending', fired_at=NULL, due_at=CASE id {whens} END "
                f"WHERE id IN ({', '.join([p] * len(rearm))})",
                [v for pair in rearm for v in pair] + [step_id for step_id, _ in rearm],
            )

    def _queue(
        self,
        spec: Any,
        row: Sequence[Any],
        item_id: int,
        trigger: str,
        version: int,
        data: dict[str, Any],
        stamp: Any,
        now: dt.datetime,
        seq: int,
    ) -> list[str]:
        """The outbox rows of a notifying transition (vouched for by event ``seq``): their digests.
        ``data``: the payload's extra variables (the event's data and the instructions)."""
        camp, col = self.camp, self.col
        unit_id = row[col["responsible_unit_id"]]
        digests: list[str] = []
        for notify in spec.notify:
            if notify.to == "responsible_unit":
                contacts = self._ex(self.sql_unit_contacts, (unit_id,)).fetchall()
            else:
                contacts = self._ex(self.sql_role_contacts, (camp.id, notify.to)).fetchall()
            due = row[col["due"]]
            payload = canonical_json(
                {
                    "campaign": camp.title,
                    "item_id": item_id,
                    "title": row[col["title"]],
                    "track": row[col["track"]],
                    "track_name": camp.tracks[row[col["track"]]],
                    "state": spec.dest,
                    "state_label": camp.labels[spec.dest],
                    "trigger": trigger,
                    "trigger_label": spec.label,
                    "unit": camp.unit_keys[unit_id],
                    "unit_name": camp.unit_names[unit_id],
                    "due": due if due is None or isinstance(due, str) else due.isoformat(),
                    "due_weekday": _weekday(due),
                    **data,
                }
            )
            key = f"item:{item_id}:v{version + 1}:{trigger}:{notify.message}"
            cc = self.ccol
            for c in contacts:
                channel, address = _route(c[cc["channels"]], c[cc["email"]], c[cc["mobile"]])
                self._ex(
                    self.sql_outbox,
                    (
                        camp.id,
                        item_id,
                        notify.message,
                        channel,
                        address,
                        c[cc["id"]],
                        f"{key}:contact:{c[cc['id']]}",
                        payload,
                        "pending" if address else "dead",
                        0,
                        stamp,
                        None if address else "联系人没有可用的联系方式",
                        stamp,
                        seq,
                    ),
                )
                digests.append(
                    outbox_row_digest(
                        {
                            "item_id": item_id,
                            "kind": notify.message,
                            "channel": channel,
                            "recipient": address,
                            "contact_id": c[cc["id"]],
                            "idempotency_key": f"{key}:contact:{c[cc['id']]}",
                            "payload": payload,
                            "created_at": now,
                        }
                    )
                )
        return digests

    def phase(self, trigger: str) -> Callable[[], None]:
        fire, items = self.fire, self.items
        if trigger == "verify":

            def run() -> None:
                for item_id, _ in items:
                    fire(item_id, "verify", SUPERVISION, None, START)
        elif trigger == "return_for_rework":

            def run() -> None:
                for item_id, _ in items:
                    fire(item_id, "return_for_rework", OFFICE, REASON, START)
        else:

            def run() -> None:
                for item_id, unit_actor in items:
                    fire(item_id, "submit_for_verification", unit_actor, None, START)

        return run

    @contextlib.contextmanager
    def tracing(self) -> Iterator[list[str]]:
        """Every statement the floor sends to the driver while inside."""
        log: list[str] = []
        cursor = self.cur
        with driver_trace(self.conn, log):
            self.cur = self.conn.cursor()  # a cursor made under the trace (psycopg)
            try:
                yield log
            finally:
                self.cur.close()
                self.cur = cursor


def _kinds(model: Any, kind: type) -> frozenset[str]:
    """The columns of ``model`` of SQL type ``kind`` (also behind a TypeDecorator: UTCDateTime)."""
    return frozenset(
        c.name
        for c in model.__table__.columns
        if isinstance(c.type, kind) or isinstance(getattr(c.type, "impl_instance", None), kind)
    )


#: The columns SQLite stores as text times and integer booleans, which the digest reads typed.
_SQLITE_TIMES = {"item": _kinds(models.Item, sa.DateTime), "measure": _kinds(models.Measure, sa.DateTime)}
_SQLITE_BOOLS = {"item": _kinds(models.Item, sa.Boolean), "measure": _kinds(models.Measure, sa.Boolean)}


def _iso(day: Any) -> str:
    """A date column's value as ISO text (SQLite stores it as text already)."""
    return day if isinstance(day, str) else day.isoformat()


def _weekday(due: Any) -> str | None:
    if due is None:
        return None
    day = dt.date.fromisoformat(due) if isinstance(due, str) else due
    return ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")[day.weekday()]


def _route(channels: str | None, email: str | None, mobile: str | None) -> tuple[str, str]:
    """A contact's preferred channel and address (the engine's rule)."""
    prefs = [c for c in (channels or "").split(",") if c] or ["email", "sms"]
    for channel in prefs:
        if channel == "email" and email:
            return "email", email
        if channel in ("sms", "wecom", "dingtalk") and mobile:
            return channel, mobile
    return prefs[0], ""


# ------------------------------------------------------------------------------ databases


def pg_schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={quote(f'-csearch_path={schema}')}"


def pg_unavailable(url: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as err:  # noqa: BLE001 - any failure to reach the server means: not available
        return f"PostgreSQL not reachable at {url}: {type(err).__name__}: {err}"
    return None


@contextlib.contextmanager
def databases(
    backend: str, pg_url: str, durability: str = "full"
) -> Iterator[tuple[str, str, Callable[[str], Any]]]:
    """Two fresh databases (api, floor) and a function opening a raw connection to one."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="zhenggai-bench-") as folder:

            def connect_sqlite(url: str) -> sqlite3.Connection:
                conn = sqlite3.connect(
                    url.removeprefix("sqlite:///"),
                    timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
                    check_same_thread=False,
                    isolation_level=None,
                )
                conn.execute("PRAGMA foreign_keys=ON")
                conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(f"PRAGMA synchronous={durability.upper()}")  # as the engine's
                return conn

            yield (f"sqlite:///{folder}/api.db", f"sqlite:///{folder}/floor.db", connect_sqlite)
        return
    import psycopg

    tag = uuid.uuid4().hex[:10]
    schemas = [f"zg_bench_api_{tag}", f"zg_bench_floor_{tag}"]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        for schema in schemas:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield (
            pg_schema_url(pg_url, schemas[0]),
            pg_schema_url(pg_url, schemas[1]),
            lambda url: psycopg.connect(url),
        )
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            for schema in schemas:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


# ------------------------------------------------------------------------------ measuring


@dataclass
class Result:
    backend: str
    items: int
    rounds: int
    ops_per_round: int
    api_ops_s: float
    floor_ops_s: float
    ratio: float
    api_rounds_ops_s: list[float]
    floor_rounds_ops_s: list[float]
    api_cpu_us_per_op: float
    floor_cpu_us_per_op: float
    cpu_ratio: float
    per_trigger: dict[str, dict[str, float]]
    statements: dict[str, dict[str, list[str]]]
    statements_per_op: dict[str, float]
    audit_events: dict[str, int]
    server: str = ""


#: What both sides must have written identically (same ids, clock and inputs on both).
_COMPARED = (
    "SELECT campaign_id, seq, hash FROM zg_audit_head ORDER BY campaign_id",
    "SELECT id, state, version, verified_at, updated_at, closed_at FROM zg_item ORDER BY id",
    "SELECT subject_id, step_key, status, due_at, fired_at FROM zg_step ORDER BY id",
    "SELECT item_id, seq, data, hash FROM zg_event ORDER BY campaign_id, seq",
    (
        "SELECT item_id, kind, channel, recipient, contact_id, idempotency_key, payload, status,"
        " attempts, next_try_at, last_error, created_at, audit_seq FROM zg_outbox ORDER BY id"
    ),
)


def same_writes(connect: Callable[[str], Any], api_url: str, floor_url: str) -> None:
    """Raise unless the floor wrote exactly what the API wrote: items, the audit chain (hash
    for hash, so every event's content) and the outbox rows."""
    dumps = []
    for url in (api_url, floor_url):
        conn = connect(url)
        try:
            dumps.append([conn.execute(q).fetchall() for q in _COMPARED])
        finally:
            conn.close()
    for query, api_rows, floor_rows in zip(_COMPARED, *dumps, strict=True):
        if api_rows != floor_rows:
            diff = next(
                (a, f) for a, f in zip([*api_rows, None], [*floor_rows, None], strict=False) if a != f
            )
            raise AssertionError(f"the floor wrote other rows than the API: {query}: {diff}")


def _rounds(
    api: ApiSide, floor: FloorSide, count: int, progress: Callable[[str], None] | None = None
) -> tuple[list[dict[str, tuple[float, float]]], list[dict[str, tuple[float, float]]]]:
    """``count`` rounds of both sides, interleaved phase by phase (api and floor take turns
    going first), so a change in the machine's load hits both alike. Per round and trigger:
    (wall seconds, client CPU seconds)."""
    api_runs: list[dict[str, tuple[float, float]]] = []
    floor_runs: list[dict[str, tuple[float, float]]] = []
    for r in range(count):
        gc.collect()
        api_run: dict[str, tuple[float, float]] = {}
        floor_run: dict[str, tuple[float, float]] = {}
        for i, trigger in enumerate(TRIGGERS):
            sides = (api, floor) if (r + i) % 2 == 0 else (floor, api)
            for side in sides:
                run = side.phase(trigger)
                c0, t0 = time.process_time(), time.perf_counter()
                run()
                wall, cpu = time.perf_counter() - t0, time.process_time() - c0
                (api_run if side is api else floor_run)[trigger] = (wall, cpu)
        api_runs.append(api_run)
        floor_runs.append(floor_run)
        if progress is not None:
            progress(f"round {r + 1}/{count}")
    return api_runs, floor_runs


def _short(sql: str) -> str:
    """A statement in a word or three: verb, table, FOR UPDATE / JOIN."""
    s = " ".join(sql.split())
    verb = s.split(" ", 1)[0].upper()
    if verb in ("BEGIN", "COMMIT", "ROLLBACK"):
        return s.upper()
    m = re.search(r"\b(?:FROM|INTO|UPDATE)\s+(\w+)", s, flags=re.IGNORECASE)
    text = f"{verb} {m.group(1) if m else '?'}"
    if verb == "SELECT" and re.search(r"\bcount\(", s, flags=re.IGNORECASE):
        text += " (counts)"
    if re.search(r"\bJOIN\b", s, flags=re.IGNORECASE):
        text += " JOIN"
    if re.search(r"\bFOR UPDATE\b", s, flags=re.IGNORECASE):
        text += " FOR UPDATE"
    return text


def _trace(side: ApiSide | FloorSide) -> dict[str, list[str]]:
    """The statements of one transition of each trigger (on the first item, untimed)."""
    out = {}
    items = side.items
    side.items = items[:1]
    try:
        for trigger in TRIGGERS:
            with side.tracing() as log:
                side.phase(trigger)()
            out[trigger] = [_short(s) for s in log]
    finally:
        side.items = items
    return out


def run_backend(
    backend: str,
    *,
    items: int,
    rounds: int,
    warmup: int = 1,
    pg_url: str = DEFAULT_PG_URL,
    progress: Callable[[str], None] | None = None,
    durability: str = "full",
) -> Result:
    """Measure one backend. ``items`` ≥ 1, ``rounds`` ≥ 1 timed rounds after ``warmup``;
    ``durability`` (SQLite's synchronous setting, on both sides alike)."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}")
    say = progress or (lambda _msg: None)
    with contextlib.ExitStack() as stack:
        api_url, floor_url, connect = stack.enter_context(databases(backend, pg_url, durability))
        say(f"{backend}: populating {items} items (api database)")
        api_engine = Engine(api_url, clock=VirtualClock(START), durability=durability)
        stack.callback(api_engine.dispose)
        api_items = populate(api_engine, items)
        say(f"{backend}: populating {items} items (floor database)")
        with Engine(floor_url, clock=VirtualClock(START)) as floor_engine:
            floor_items = populate(floor_engine, items)
        raw = connect(floor_url)
        stack.callback(raw.close)  # idempotent on both drivers
        api = ApiSide(api_engine, api_items)
        floor = FloorSide(raw, backend, floor_items)

        say(f"{backend}: warm-up")
        _rounds(api, floor, warmup)
        api_runs, floor_runs = _rounds(api, floor, rounds, lambda msg: say(f"{backend}: {msg}"))

        statements = {"api": _trace(api), "floor": _trace(floor)}
        server = ""
        if backend == "postgresql":
            server = raw.execute("SHOW server_version").fetchone()[0]
            raw.commit()
        else:
            server = f"SQLite {sqlite3.sqlite_version}"
        floor.cur.close()
        raw.close()

        audit = {"api": api_engine.verify_audit(), "floor": None}
        with Engine(floor_url, clock=VirtualClock(START), migrate=False) as floor_engine:
            audit["floor"] = floor_engine.verify_audit()
        for side_name, report in audit.items():
            if not report.ok:
                raise AssertionError(f"{backend} {side_name}: audit chain broken: {report.problems[:3]}")
        same_writes(connect, api_url, floor_url)

    n = len(api_items)
    ops = n * len(TRIGGERS)

    def rates(runs: list[dict[str, tuple[float, float]]], i: int = 0) -> list[float]:
        return [ops / sum(v[i] for v in run.values()) for run in runs]

    api_rates, floor_rates = rates(api_runs), rates(floor_runs)
    api_rate, floor_rate = statistics.median(api_rates), statistics.median(floor_rates)
    # Client CPU per op (the benchmark process only: on PostgreSQL the server's work is not in it).
    api_cpu_us = 1e6 / statistics.median(rates(api_runs, 1))
    floor_cpu_us = 1e6 / statistics.median(rates(floor_runs, 1))
    per_trigger = {}
    for trigger in TRIGGERS:
        a = statistics.median(n / run[trigger][0] for run in api_runs)
        f = statistics.median(n / run[trigger][0] for run in floor_runs)
        per_trigger[trigger] = {"api_ops_s": a, "floor_ops_s": f, "ratio": f / a}
    per_op = {side: sum(len(v) for v in s.values()) / len(TRIGGERS) for side, s in statements.items()}
    return Result(
        backend=backend,
        items=n,
        rounds=rounds,
        ops_per_round=ops,
        api_ops_s=api_rate,
        floor_ops_s=floor_rate,
        ratio=floor_rate / api_rate,
        api_rounds_ops_s=api_rates,
        floor_rounds_ops_s=floor_rates,
        api_cpu_us_per_op=api_cpu_us,
        floor_cpu_us_per_op=floor_cpu_us,
        cpu_ratio=api_cpu_us / floor_cpu_us,
        per_trigger=per_trigger,
        statements=statements,
        statements_per_op=per_op,
        audit_events={k: v.events for k, v in audit.items()},
        server=server,
    )


# ------------------------------------------------------------------------------ reporting


def machine() -> dict[str, Any]:
    import sqlalchemy

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "sqlalchemy": sqlalchemy.__version__,
        "sqlite": sqlite3.sqlite_version,
    }


def table(results: Sequence[Result]) -> str:
    head = (
        f"{'backend':<11} {'ops':>5} {'api ops/s':>10} {'floor ops/s':>12} {'ratio':>7}"
        f" {'cpu us/op api':>14} {'floor':>6} {'ratio':>7} {'stmts/op api':>13} {'floor':>6}"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(
            f"{r.backend:<11} {r.ops_per_round:>5} {r.api_ops_s:>10,.0f} {r.floor_ops_s:>12,.0f}"
            f" {r.ratio:>6.2f}x {r.api_cpu_us_per_op:>14,.0f} {r.floor_cpu_us_per_op:>6,.0f}"
            f" {r.cpu_ratio:>6.2f}x {r.statements_per_op['api']:>13.2f} {r.statements_per_op['floor']:>6.2f}"
        )
    lines.append("")
    lines.append("per trigger (median ops/s, api / floor, ratio; statements api / floor):")
    for r in results:
        for trigger, v in r.per_trigger.items():
            sa, sf = len(r.statements["api"][trigger]), len(r.statements["floor"][trigger])
            lines.append(
                f"  {r.backend:<11} {trigger:<24} {v['api_ops_s']:>8,.0f} / {v['floor_ops_s']:>8,.0f}"
                f"  {v['ratio']:>5.2f}x   {sa} / {sf}"
            )
    return "\n".join(lines)


def statement_listing(results: Sequence[Result]) -> str:
    lines = []
    for r in results:
        for trigger in TRIGGERS:
            api, floor = r.statements["api"][trigger], r.statements["floor"][trigger]
            lines.append(f"{r.backend} {trigger}: api {len(api)}, floor {len(floor)}")
            lines.append(f"  api:   {' · '.join(api)}")
            lines.append(f"  floor: {' · '.join(floor)}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="zhenggai transitions per second: public API vs the raw-driver floor"
    )
    parser.add_argument("--items", type=int, default=200, help="items cycled per round (default 200)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per side (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    parser.add_argument("--backend", choices=[*BACKENDS, "all"], default="all")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="PostgreSQL server URL")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks it works, measures nothing")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON ('-' = stdout)")
    parser.add_argument("--statements", action="store_true", help="list each side's statements per trigger")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument(
        "--durability",
        choices=["full", "normal"],
        default="full",
        help="SQLite synchronous=FULL (the engine's default) or NORMAL, on both sides",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.items, args.rounds, args.warmup = 3, 1, 1
    if args.items < 1 or args.rounds < 1 or args.warmup < 0:
        parser.error("--items and --rounds must be at least 1, --warmup at least 0")

    def progress(msg: str) -> None:
        if not args.quiet:
            print(msg, file=sys.stderr, flush=True)

    backends = list(BACKENDS) if args.backend == "all" else [args.backend]
    results: list[Result] = []
    skipped: dict[str, str] = {}
    for backend in backends:
        if backend == "postgresql":
            reason = pg_unavailable(args.pg_url)
            if reason is not None:
                if args.backend == "postgresql":
                    print(f"error: {reason}", file=sys.stderr)
                    return 1
                print(f"skipped postgresql: {reason}", file=sys.stderr)
                skipped[backend] = reason
                continue
        results.append(
            run_backend(
                backend,
                items=args.items,
                rounds=args.rounds,
                warmup=args.warmup,
                pg_url=args.pg_url,
                progress=progress,
                durability=args.durability,
            )
        )
    info = machine()
    print(
        f"zhenggai transitions: {args.items} items x 3 triggers per round, {args.rounds} timed rounds"
        f" (median), {info['cpus']} CPUs, Python {info['python']}"
    )
    for r in results:
        print(f"  {r.backend}: {r.server}")
    print(table(results))
    if args.statements:
        print()
        print(statement_listing(results))
    if args.json:
        doc = {
            "benchmark": "transitions",
            "smoke": args.smoke,
            "items": args.items,
            "rounds": args.rounds,
            "warmup": args.warmup,
            "machine": info,
            "results": [dataclasses.asdict(r) for r in results],
            "skipped": skipped,
        }
        text = json.dumps(doc, ensure_ascii=False, indent=2)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
