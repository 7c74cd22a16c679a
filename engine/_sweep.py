"""The daemons' side: sweeping due steps, heartbeats, and the status view."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import func, select

from ._callback_tasks import fire_callback_steps
from ._campaign_steps import fire_campaign_steps
from ._co_units import fire_part_steps
from ._documents import fire_document_steps
from ._duty_steps import fire_duty_steps
from ._follow_ups import fire_review_steps
from ._inputs import due_by_rule
from ._raw import Tx
from ._research import fire_research_steps
from ._rows import ItemRow, StepRow
from ._runtime import Runtime
from ._statements import AWAITING, CLAIM_KEYS, CLAIM_WIDTH, HEARTBEAT, OUTBOX, STEP
from ._steps import LATE_AFTER, SYSTEM, TIMER, SweepReport, fire_item_steps, timer_steps
from ._timekeeping import calendar_alerts, calendar_changes, missing_years
from ._transfer import fire_transfer_steps
from ._transitions import transition
from ._writes import Campaign, append_event
from .errors import CalendarError, GuardFailedError
from .views import HeartbeatView, StatusView

#: A batch transaction settles at most this many subjects, and takes no new one after this
#: long: it holds the campaign's audit head (API transitions of the campaign wait for it), the
#: write lock on SQLite, and on PostgreSQL one subtransaction per subject (kept under the 64 a
#: backend caches, past which every snapshot of the server gets slower).
BATCH_SUBJECTS = CLAIM_WIDTH
BATCH_SECONDS = 0.1
#: The savepoint each subject of a batch is settled in (re-used: a rollback goes to the latest).
_SAVEPOINT = "zg_subject"


def sweep(rt: Runtime, *, batch: int = 200) -> SweepReport:
    now = rt.now()
    report = SweepReport()
    seen: set[tuple[str, int]] = set()
    st = rt.st
    report.armed = calendar_changes(rt, now)
    while True:
        with rt.store.read() as conn:
            due = Tx.on(conn).all(st.due_steps, {"now": now, "limit": batch})
        fresh = list(dict.fromkeys((r["subject_kind"], r["subject_id"]) for r in due))
        fresh = [s for s in fresh if s not in seen]
        if not fresh:
            calendar_alerts(rt, now, report)
            return report
        seen.update(fresh)
        while fresh:
            fresh = fresh[_sweep_batch(rt, fresh, now, report) :]


def _sweep_batch(rt: Runtime, subjects: list[tuple[str, int]], now: dt.datetime, report: SweepReport) -> int:
    """Settle the first of ``subjects`` in one transaction, each subject in a savepoint of its
    own (one atomic unit per subject: one that fails goes back to its savepoint, the others
    commit); returns how many were taken. Their due steps are claimed first, one statement per
    kind of subject. A subject that fails for a year the calendar does not know waits for it
    (待日历); one that fails otherwise ends the batch (the subjects before it commit) and is
    swept again alone, in a transaction of its own, which raises the error as a sweep always
    did. Subjects claimed but not reached (the batch ran out of time) are released by the
    commit and taken by the next batch."""
    retry: tuple[str, int] | None = None
    taken = 0
    chosen = subjects[:BATCH_SUBJECTS]
    with rt.store.transaction() as tx:
        # Every write of the batch goes through this Tx: the audit head, once read (and locked),
        # is kept, so each subject's event does not read it again.
        tx.heads = {}
        # The contacts messages go to are read once per batch (the batch's subjects are settled
        # as at its start, a fraction of a second): no sweep writes a contact.
        tx.once = {}
        started = time.monotonic()
        claims = _claim(rt, tx, chosen, now)
        for kind, sid in chosen:
            if taken and time.monotonic() - started >= BATCH_SECONDS:
                break
            taken += 1
            claimed = claims.get((kind, sid))
            if not claimed:
                report.skipped += 1  # settled meanwhile, or another daemon holds it
                continue
            mark = report.mark()
            tx.cursor.execute(f"SAVEPOINT {_SAVEPOINT}")
            try:
                report.subjects += 1
                SETTLE[kind](rt, tx, sid, claimed, now, report)
            except Exception as err:  # noqa: BLE001 - this subject only: back to its savepoint
                report.rollback(mark)
                tx.cursor.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
                tx.heads = {}  # the heads as the savepoint had them: read again (and re-locked)
                if not isinstance(err, CalendarError):
                    retry = (kind, sid)
                    break
                for row in claimed:
                    report.awaiting += tx.run(rt.st.steps_await, {"id": row["id"]})
    if retry is not None:
        sweep_alone(rt, *retry, now, report)
    return taken


def _claim(
    rt: Runtime, tx: Tx, subjects: list[tuple[str, int]], now: dt.datetime
) -> dict[tuple[str, int], list[StepRow]]:
    """The due steps of ``subjects``, claimed (locked on PostgreSQL, skipping subjects another
    daemon holds), by subject, each subject's in order of due time."""
    claims: dict[tuple[str, int], list[StepRow]] = {}
    kinds: dict[str, list[int]] = {}
    for kind, sid in subjects:
        kinds.setdefault(kind, []).append(sid)
    for kind, ids in kinds.items():
        for at in range(0, len(ids), CLAIM_WIDTH):
            part = ids[at : at + CLAIM_WIDTH]
            values: dict[str, Any] = {"now": now, "kind": kind, "kind_key": CLAIM_KEYS[kind]}
            values.update({f"sid{i}": part[i] if i < len(part) else 0 for i in range(CLAIM_WIDTH)})
            for row in tx.all(rt.st.claim_many, values):
                claims.setdefault((kind, row["subject_id"]), []).append(row)
    return claims


def _await_calendar(rt: Runtime, tx: Tx, kind: str, sid: int, now: dt.datetime, report: SweepReport) -> None:
    """A year the calendar does not know: this subject's due steps wait for it (待日历) and
    every other subject is swept on; one alert per campaign and year."""
    for row in tx.all(rt.st.claim_steps, {"now": now, "kind": kind, "sid": sid}):
        report.awaiting += tx.run(rt.st.steps_await, {"id": row["id"]})


def sweep_alone(rt: Runtime, kind: str, sid: int, now: dt.datetime, report: SweepReport) -> None:
    """Claim and settle one subject's due steps in a transaction of its own."""
    mark = report.mark()
    try:
        with rt.store.transaction() as tx:
            settle_subject(rt, tx, kind, sid, now, report)
    except CalendarError:
        report.rollback(mark)
        with rt.store.transaction() as tx:
            _await_calendar(rt, tx, kind, sid, now, report)


def settle_subject(rt: Runtime, tx: Tx, kind: str, sid: int, now: dt.datetime, report: SweepReport) -> None:
    """Claim and settle one subject's due steps, in ``tx``."""
    claimed = tx.all(rt.st.claim_steps, {"now": now, "kind": kind, "sid": sid})
    if not claimed:
        report.skipped += 1
        return
    report.subjects += 1
    SETTLE[kind](rt, tx, sid, claimed, now, report)


def _settle_campaign(
    rt: Runtime, tx: Tx, sid: int, claimed: list[StepRow], now: dt.datetime, report: SweepReport
) -> None:
    camp = rt.campaign(tx, sid)
    with rt.lock:  # the draws take the engine's seeded random in turn
        fire_campaign_steps(tx, rt.st, camp, claimed, now, report, rt.seeds)


def _settle_item(
    rt: Runtime, tx: Tx, sid: int, claimed: list[StepRow], now: dt.datetime, report: SweepReport
) -> None:
    row = rt.load_item(tx, sid)
    camp = rt.campaign(tx, row["campaign_id"], row["campaign_version"])
    rungs = [r for r in claimed if not r["step_key"].startswith(TIMER)]
    timers = [r for r in claimed if r["step_key"].startswith(TIMER)]
    if rungs:  # lateness up to now first, then what the timers change
        fire_item_steps(tx, rt.st, camp, row, rungs, now, report)
    if timers:
        fire_timers(rt, tx, camp, rt.load_item(tx, sid), timers, now, report)


def _settle_document(
    rt: Runtime, tx: Tx, sid: int, claimed: list[StepRow], now: dt.datetime, report: SweepReport
) -> None:
    document = rt.load_document(tx, sid)
    fire_document_steps(tx, rt.st, rt.campaign(tx, document["campaign_id"]), document, claimed, now, report)


def _settle_duty(
    rt: Runtime, tx: Tx, sid: int, claimed: list[StepRow], now: dt.datetime, report: SweepReport
) -> None:
    duty = rt.load_duty(tx, sid)
    camp = rt.campaign(tx, duty["campaign_id"], duty["campaign_version"])
    fire_duty_steps(tx, rt.st, camp, duty, claimed, now, report)


def _settle_transfer(
    rt: Runtime, tx: Tx, sid: int, claimed: list[StepRow], now: dt.datetime, report: SweepReport
) -> None:
    row = rt.load_item(tx, sid)
    camp = rt.campaign(tx, row["campaign_id"], row["campaign_version"])
    fire_transfer_steps(tx, rt.st, camp, row, claimed, now, report)


def _settle_research(
    rt: Runtime, tx: Tx, sid: int, claimed: list[StepRow], now: dt.datetime, report: SweepReport
) -> None:
    row = rt.load_item(tx, sid)
    camp = rt.campaign(tx, row["campaign_id"], row["campaign_version"])
    fire_research_steps(tx, rt.st, camp, row, claimed, now, report)


#: What settles a subject's claimed steps, by the steps' subject kind.
SETTLE: Mapping[str, Callable[[Runtime, Tx, int, list[StepRow], dt.datetime, SweepReport], None]] = {
    "campaign": _settle_campaign,
    "item": _settle_item,
    "document": _settle_document,
    "duty": _settle_duty,
    "review": fire_review_steps,
    "transfer": _settle_transfer,
    "research": _settle_research,
    "part": fire_part_steps,
    "callback": fire_callback_steps,
}


def fire_timers(
    rt: Runtime,
    tx: Tx,
    camp: Campaign,
    row: ItemRow,
    claimed: list[StepRow],
    now: dt.datetime,
    report: SweepReport,
) -> None:
    """Fire the item's due timed transitions as the system, each once (also late). One whose
    guard refuses is recorded (``timer_refused``, the step ``missed``), not retried: the item
    stays for a person to move. A timer of a state the item has left is void."""
    st = rt.st
    for step in claimed:
        wanted = timer_steps(camp, row)
        trigger = step["step_key"][len(TIMER) :].partition("@")[0]
        spec = camp.lifecycle.by_trigger_source.get((trigger, row["state"]))
        if step["step_key"] not in wanted or spec is None or spec.after is None:
            if tx.run(st.step_settle, {"id": step["id"], "status": "void", "now": now}):
                report.void += 1
            continue
        inputs: dict[str, Any] = {
            "timer": f"{spec.after.days} 个{'工作日' if spec.after.count == 'working' else '自然日'}"
        }
        if now - step["due_at"] >= LATE_AFTER:
            inputs["late"] = True
        if "set_assignment" in spec.effects and row["due"] is None:
            due_by_rule(camp, row, inputs, now)
        if not tx.run(st.step_settle, {"id": step["id"], "status": "fired", "now": now}):
            continue
        try:
            after, _ = transition(rt, tx, camp, row, spec, SYSTEM, inputs, now)
        except GuardFailedError as err:  # refused before anything was written
            tx.run(st.step_mark, {"id": step["id"], "status": "missed"})
            report.missed += 1
            append_event(
                tx,
                st,
                camp.id,
                item_id=row["id"],
                trigger="timer_refused",
                from_state=row["state"],
                to_state=row["state"],
                actor=SYSTEM,
                at=now,
                data={"timer": trigger, "guard": err.guard, "reason": str(err)},
            )
            continue
        report.fired += 1
        report.events.append(f"item:{row['id']}:{trigger}")
        row = after


def oldest_pending_step(rt: Runtime) -> dt.datetime | None:
    with rt.store.read() as conn:
        value = Tx.on(conn).scalar(rt.st.oldest_pending)
    return None if value is None else value


def heartbeat(
    rt: Runtime,
    name: str,
    *,
    host: str,
    pid: int,
    started_at: dt.datetime,
    interval: float = 60.0,
    fired: int = 0,
    stopped: bool = False,
) -> None:
    now = rt.now()
    ad = rt.admin
    with rt.store.transaction() as tx:
        row = tx.one(ad.heartbeat, {"name": name})
        if row is None:
            tx.run(
                ad.heartbeat_insert,
                {
                    "name": name,
                    "host": host,
                    "pid": pid,
                    "started_at": started_at,
                    "beat_at": now,
                    "interval": interval,
                    "stopped_at": now if stopped else None,
                    "sweeps": 0 if stopped else 1,
                    "fired": fired,
                },
            )
        else:
            tx.run(
                ad.heartbeat_beat,
                {
                    "id": row["id"],
                    "beat_at": now,
                    "stopped_at": now if stopped else None,
                    "sweeps": row["sweeps"] + (0 if stopped else 1),
                    "fired": row["fired"] + fired,
                },
            )


def status(rt: Runtime) -> StatusView:
    now = rt.now()
    with rt.store.read() as conn:
        beats = conn.execute(select(HEARTBEAT).order_by(HEARTBEAT.c.beat_at.desc())).mappings().all()
        pending = conn.execute(
            select(func.count(), func.min(STEP.c.due_at)).where(STEP.c.status == "pending")
        ).one()
        due = conn.execute(
            select(func.count()).where(STEP.c.status == "pending", STEP.c.due_at <= now)
        ).scalar_one()
        outbox: dict[str, int] = {
            str(k): int(v)
            for k, v in conn.execute(select(OUTBOX.c.status, func.count()).group_by(OUTBOX.c.status))
        }
        awaiting = conn.execute(select(func.count()).where(STEP.c.status == AWAITING)).scalar_one()
        past = Tx.on(conn).all(rt.st.awaiting_due, {"now": now}) if awaiting else []
        years: set[int] = set()
        waiting = (
            conn.execute(
                select(STEP.c.campaign_id, STEP.c.due_at).where(STEP.c.status == AWAITING).distinct()
            ).all()
            if awaiting
            else []
        )
        for cid, due_at in waiting:
            years.update(missing_years(rt.campaign(conn, cid), due_at, now))
    return StatusView(
        now=now,
        daemons=tuple(
            HeartbeatView(**{f.name: r[f.name] for f in dataclasses.fields(HeartbeatView)}) for r in beats
        ),
        pending_steps=pending[0],
        due_steps=due,
        oldest_due=pending[1],
        outbox=outbox,
        awaiting_calendar=awaiting,
        awaiting_due=sum(r["steps"] for r in past),
        awaiting_years=tuple(sorted(years)),
    )
