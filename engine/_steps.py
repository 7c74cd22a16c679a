"""Scheduled steps: arming them (an item's escalation ladder for its due date; an item's timed
transitions, ``after``, for the state it is in; a unit duty's reminder and ladder for each
occurrence), re-timing them when the calendar changes, and firing the item and duty steps that
have fallen due (one sweep).

A step is a row of ``zg_step``, unique per (subject, step key), so it can fire once. Keys name
the rung and the date it counts from: ``item_overdue.red@2023-08-15`` (ladder ``item_overdue``,
step ``red``, due date 2023-08-15), ``remind@2023-07-31`` (a duty's reminder). A new due date
means new rows, and the old date's pending rows are cancelled, so they no longer fire. An
item's rows are reconciled after every transition (:func:`arm_item_steps`): pending while the
item is in one of the ladder's states with a due date and its clock running (not paused,
:func:`on_ladder`), cancelled otherwise, re-armed (pending
again) when it comes back. A duty's rows are armed when the campaign starts, one set per
occurrence and unit (:func:`arm_duties`), and cancelled when the unit discharges it.

A step is due from the start (00:00, the campaign's timezone) of its day: ``offset`` days from
the due date, counted as the step says (:func:`zhenggai.engine.deadlines.offset_day`).
Messages it sends respect quiet hours when they are delivered, not when they are queued.

A step whose day needs a year the calendar does not know (a rung in January of a year whose
holiday notice is not out yet) waits in a status of its own, ``awaiting_calendar`` (待日历),
with a placeholder moment: 00:00 of that year's first day, the earliest it could be due. It is
never claimed by a sweep; it is armed (made pending at its real moment) when the year becomes
known (:func:`arm_awaiting`), and the sweep raises one operator alert per campaign and year once
the placeholder has passed.

Firing happens in the transaction that claimed the steps, with all their effects: the light
(黄灯/红灯) and escalation level (挂牌督办 1, 问责 2) of the item or duty, which only ever rise;
one audit event per step that fires; the step's messages. Steps a sweep finds due together,
or more than a day late, are caught up by their policy (``catch_up``, :func:`plan`):

- ``collapse``: a step overtaken by a later one that fires is folded into it (no message of
  its own; the later step's event lists it under ``caught_up``);
- ``fire_late``: it fires anyway, once, marked ``late``;
- ``record_missed``: it does not act; it is marked ``missed`` for a person to decide, and the
  event of the step that fires (or one of its own) says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from zhenggai.workflows.schema import LADDER_ACTIONS, LadderSpec, LadderStep

from ._concerns import item_concerns
from ._raw import Tx
from ._rows import ItemRow
from ._statements import AWAITING, Statements
from ._writes import Campaign, append_event, cas_write, item_payload, item_units, queue_messages
from .deadlines import add_days, occurrences, offset_day, recurring, working_days_between
from .errors import CalendarError
from .views import Actor

__all__ = [
    "AWAITING",
    "LATE_AFTER",
    "LIGHT_RANK",
    "TIMER",
    "Awaiting",
    "Moment",
    "SweepReport",
    "arm_awaiting",
    "arm_item_steps",
    "arm_timers",
    "fire_item_steps",
    "item_steps",
    "moment",
    "occurrences",
    "on_ladder",
    "placement",
    "plan",
    "raise_level",
    "reconcile_steps",
    "recurring",
    "retime_steps",
    "start_of",
    "step_payload",
    "timer_steps",
]

#: A step found due more than this after its time was missed (the daemon was down).
LATE_AFTER = dt.timedelta(days=1)
#: Traffic lights in rising order.
LIGHT_RANK = {"green": 0, "yellow": 1, "red": 2}
#: Escalation level an action puts a subject on (it never goes down by a step).
LEVELS = {"listed_supervision": 1, "accountability": 2}
SYSTEM = Actor("系统", "system")


@dataclass(frozen=True, slots=True)
class Awaiting:
    """When a step is due cannot be told yet: its day needs ``year``, which the calendar does
    not know (待日历)."""

    year: int


#: When a step is due (UTC), or that it waits for a year of the calendar.
Moment = dt.datetime | Awaiting
#: What a step is and when it is due, by key.
Wanted = dict[str, tuple[LadderStep, Moment]]


@dataclass
class SweepReport:
    """What one sweep did: steps fired, folded into later ones, recorded missed, void (their
    subject had left the ladder or was discharged), and subjects another daemon held."""

    fired: int = 0
    collapsed: int = 0
    missed: int = 0
    void: int = 0
    skipped: int = 0
    subjects: int = 0
    events: list[str] = field(default_factory=list)
    #: Steps that could not fire for a year the calendar does not know (待日历), and steps
    #: armed because a year became known.
    awaiting: int = 0
    armed: int = 0
    #: Operator alerts raised for a missing calendar year (one per campaign and year).
    alerts: int = 0

    def mark(self) -> tuple[int, ...]:
        """The counts so far, to go back to when a subject's transaction rolls back."""
        return (
            self.fired,
            self.collapsed,
            self.missed,
            self.void,
            self.skipped,
            self.subjects,
            len(self.events),
        )

    def rollback(self, mark: tuple[int, ...]) -> None:
        self.fired, self.collapsed, self.missed, self.void, self.skipped, self.subjects, events = mark
        del self.events[events:]

    @property
    def settled(self) -> int:
        return self.fired + self.collapsed + self.missed + self.void


def start_of(camp: Campaign, day: dt.date) -> dt.datetime:
    """00:00 of ``day`` in the campaign's timezone, in UTC: when a step of that day falls due."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=camp.tz).astimezone(dt.UTC)


def moment(camp: Campaign, day: Callable[..., dt.date], *args: Any) -> Moment:
    """00:00 of the day ``day(*args)`` computes, or :class:`Awaiting` when it needs a year the
    campaign's calendar does not know (any other calendar problem is raised)."""
    try:
        return start_of(camp, day(*args))
    except CalendarError as err:
        if isinstance(err.day, dt.date) and not camp.calendar.covers(err.day.year):
            return Awaiting(err.day.year)
        raise


def placement(camp: Campaign, when: Moment) -> tuple[dt.datetime, str]:
    """The row values of a step due ``when``: its moment and ``pending``, or the placeholder
    (00:00 of the unknown year's first day) and ``awaiting_calendar``."""
    if isinstance(when, Awaiting):
        return start_of(camp, dt.date(when.year, 1, 1)), AWAITING
    return when, "pending"


def _ladder_wanted(camp: Campaign, ladder: LadderSpec, due: dt.date) -> Wanted:
    return {
        f"{ladder.id}.{step.id}@{due.isoformat()}": (
            step,
            moment(camp, offset_day, camp.calendar, due, step.offset, step.count),
        )
        for step in ladder.steps
    }


# ----------------------------------------------------------------------------------- planning


def plan(
    claimed: Sequence[Mapping[str, Any]], current: Wanted, now: dt.datetime
) -> Iterator[tuple[Mapping[str, Any], LadderStep | None, str, list[str], list[str]]]:
    """The outcome of each claimed step (``fired``, ``collapsed``, ``missed`` or ``void``), in
    order; for a step that fires, the steps folded into it and those recorded missed before it.
    A step not in ``current`` (the subject's steps as they should be now) is void."""
    outcomes: list[tuple[Mapping[str, Any], LadderStep | None, str]] = []
    later_fires = False
    for row in reversed(claimed):
        found = current.get(row["step_key"])
        step = found[0] if found else None
        late = now - row["due_at"] >= LATE_AFTER
        overtaken = bool(outcomes)
        if step is None:
            outcome = "void"
        elif step.catch_up == "record_missed" and (late or overtaken):
            outcome = "missed"
        elif step.catch_up == "collapse" and later_fires:
            outcome = "collapsed"
        else:
            outcome = "fired"
        later_fires = later_fires or outcome == "fired"
        outcomes.append((row, step, outcome))
    folded: list[str] = []
    missed: list[str] = []
    for row, step, outcome in reversed(outcomes):
        if outcome == "collapsed" and step is not None:
            folded.append(step.id)
        elif outcome == "missed" and step is not None:
            missed.append(step.id)
        yield row, step, outcome, folded, missed
        if outcome == "fired":
            folded, missed = [], []


def _settle(
    tx: Tx,
    st: Statements,
    claimed: Sequence[Mapping[str, Any]],
    current: Wanted,
    now: dt.datetime,
    report: SweepReport,
    fire: Any,
) -> list[str]:
    """Settle the claimed steps by :func:`plan`, calling ``fire(row, step, late, folded, missed)``
    for each that fires; returns the steps recorded missed after the last that fired."""
    left: list[str] = []
    for row, step, outcome, folded, missed in plan(claimed, current, now):
        if tx.run(st.step_settle, {"id": row["id"], "status": outcome, "now": now}) != 1:
            continue  # settled meanwhile (cannot happen under the claim; kept as a guard)
        if outcome == "void":
            report.void += 1
        elif outcome == "collapsed":
            report.collapsed += 1
        elif outcome == "missed":
            report.missed += 1
            left = list(missed)
        else:
            assert step is not None
            fire(row, step, now - row["due_at"] >= LATE_AFTER, list(folded), list(missed))
            report.fired += 1
            left = []
    return left


def _step_data(step: LadderStep, late: bool, folded: list[str], missed: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {"step": step.id, "step_label": step.label, "action": step.action}
    if late:
        data["late"] = True
    if folded:
        data["caught_up"] = folded
    if missed:
        data["missed"] = missed
    return data


def raise_level(row: Mapping[str, Any], step: LadderStep) -> dict[str, Any]:
    """The light and escalation level ``step`` raises ``row`` to (only what changes)."""
    changes: dict[str, Any] = {}
    light = {"yellow": "yellow", "red": "red"}.get(step.action)
    if light is not None and LIGHT_RANK[light] > LIGHT_RANK.get(row["light"], 0):
        changes["light"] = light
    level = LEVELS.get(step.action)
    if level is not None and level > row["escalation_level"]:
        changes["escalation_level"] = level
        if LIGHT_RANK.get(row["light"], 0) < LIGHT_RANK["red"]:
            changes["light"] = "red"  # 挂牌督办 and 问责 come with a red light
    return changes


def days_overdue(camp: Campaign, due: dt.date, now: dt.datetime) -> int:
    """Working days from ``due`` to today; when today lies in a year the calendar does not know
    (a step fired late in January before the year's notice is loaded), the working days up to
    the last day it knows (a lower bound, never a guess)."""
    today = now.astimezone(camp.tz).date()
    if today <= due:
        return 0
    try:
        return working_days_between(camp.calendar, due, today)
    except CalendarError as err:
        if not isinstance(err.day, dt.date) or camp.calendar.covers(err.day.year):
            raise
        return working_days_between(camp.calendar, due, dt.date(err.day.year - 1, 12, 31))


def step_payload(camp: Campaign, step: LadderStep, due: dt.date, now: dt.datetime) -> dict[str, Any]:
    overdue = days_overdue(camp, due, now)
    return {
        "step": step.id,
        "step_label": step.label,
        "action": step.action,
        "action_label": LADDER_ACTIONS[step.action],
        "days_overdue": overdue,
    }


# -------------------------------------------------------------------------------------- items


def item_steps(camp: Campaign, item: Mapping[str, Any]) -> Wanted:
    """The ladder steps ``item`` should have pending, by key, with the moment each is due (UTC):
    none unless it is in one of the ladder's states and has a due date."""
    ladder = camp.item_ladder
    if ladder is None or not on_ladder(ladder, item):
        return {}
    return _ladder_wanted(camp, ladder, item["due"])


def on_ladder(ladder: LadderSpec, item: Mapping[str, Any]) -> bool:
    """Whether ``item``'s deadline clock runs: in one of the ladder's states, with a due date,
    not paused (暂停计时)."""
    return item["state"] in ladder.states and item["due"] is not None and item.get("paused_at") is None


def arm_item_steps(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    now: dt.datetime,
) -> None:
    """Bring the item's step rows in line with its state and due date after a write: its
    ladder's and its timed transitions'."""
    _arm_ladder(tx, st, camp, before, after, now)
    arm_timers(tx, st, camp, before, after, now)


def _arm_ladder(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    now: dt.datetime,
) -> None:
    ladder = camp.item_ladder
    if ladder is None:
        return
    was_on = on_ladder(ladder, before)
    is_on = on_ladder(ladder, after)
    if not was_on and not is_on:
        return  # off the ladder before and after
    if was_on and is_on and before["due"] == after["due"]:
        return  # same ladder, same date: nothing to change
    if not is_on:  # off the ladder: every pending step of the item is cancelled
        tx.run(st.item_steps_cancel, {"item_id": after["id"], "now": now})
        return
    _reconcile(tx, st, camp, after["id"], item_steps(camp, after), now, timers=False)


def _reconcile(
    tx: Tx, st: Statements, camp: Campaign, item_id: int, wanted: Wanted, now: dt.datetime, *, timers: bool
) -> None:
    """The item's ladder rows (``timers=False``) or timed-transition rows (``timers=True``) made
    to match ``wanted``."""
    existing = {
        r["step_key"]: r
        for r in tx.all(st.item_steps, {"item_id": item_id})
        if r["step_key"].startswith(TIMER) == timers
    }
    reconcile_steps(tx, st, camp, "item", item_id, existing, wanted, now)


def reconcile_steps(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    kind: str,
    subject_id: int,
    existing: Mapping[str, Mapping[str, Any]],
    wanted: Wanted,
    now: dt.datetime,
) -> None:
    """A subject's step rows (``existing``, by key) made to match ``wanted``: pending (or
    awaiting) ones not wanted cancelled, wanted ones inserted or re-armed, awaiting ones armed
    once their day can be told."""
    for key, row in existing.items():
        if row["status"] in ("pending", AWAITING) and key not in wanted:
            tx.run(st.step_cancel, {"id": row["id"], "now": now})
    inserts: list[dict[str, Any]] = []
    rearms: list[dict[str, Any]] = []
    for key, (_, when) in wanted.items():
        due_at, status = placement(camp, when)
        found = existing.get(key)
        if found is None:
            inserts.append(
                {
                    "campaign_id": camp.id,
                    "subject_kind": kind,
                    "subject_id": subject_id,
                    "step_key": key,
                    "due_at": due_at,
                    "status": status,
                    "fired_at": None,
                    "created_at": now,
                }
            )
        elif found["status"] == "cancelled" or (found["status"] == AWAITING and status == "pending"):
            rearms.append({"id": found["id"], "due_at": due_at, "status": status})
    # One statement each, however many rungs (a ladder's five re-armed in place by one UPDATE).
    if len(inserts) == 1:
        tx.run(st.step_insert, inserts[0])
    elif inserts:
        tx.run(st.steps_insert(len(inserts)), _numbered(inserts))
    if len(rearms) == 1:
        tx.run(st.step_rearm, rearms[0])
    elif rearms:
        tx.run(st.steps_rearm(len(rearms)), _numbered(rearms))


def _numbered(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Rows' values as the binds of one multi-row statement: row ``i``'s ``name`` as ``name<i>``."""
    return {f"{name}{i}": value for i, row in enumerate(rows) for name, value in row.items()}


def arm_awaiting(
    tx: Tx, st: Statements, kind: str, subject_id: int, wanted: Mapping[str, Moment], now: dt.datetime
) -> int:
    """Arm the subject's steps that wait for the calendar and whose day can be told now (the
    year became known): pending at their moment (a moment already past fires at the next
    sweep, late by its catch-up policy); cancel those no longer wanted. Returns how many were
    armed."""
    armed = 0
    for row in tx.all(st.subject_awaiting, {"kind": kind, "sid": subject_id}):
        when = wanted.get(row["step_key"])
        if when is None:
            tx.run(st.step_cancel, {"id": row["id"], "now": now})
        elif not isinstance(when, Awaiting):
            armed += tx.run(st.step_rearm, {"id": row["id"], "due_at": when, "status": "pending"})
    return armed


# ------------------------------------------------------------------------------ timed transitions

#: Key prefix of a timed transition's step: ``timer.TRIGGER@DAY`` (DAY: the day the item entered
#: the state the timer counts in).
TIMER = "timer."


def timer_steps(camp: Campaign, item: Mapping[str, Any]) -> Wanted:
    """The timed transitions ``item`` should have pending in its state, by key, each due at
    00:00 of the day ``after`` its entering the state (counted as deadlines are)."""
    timed = camp.lifecycle.timed.get(item["state"])
    if not timed or item.get("state_since") is None:
        return {}
    entered = item["state_since"].astimezone(camp.tz).date()
    wanted: Wanted = {}
    for t in timed:
        assert t.after is not None
        # Not a rung of a ladder, but planned and caught up like one: it fires once, also late.
        step = LadderStep.model_construct(
            id=f"{TIMER}{t.trigger}",
            label=t.label,
            offset=t.after.days,
            count=t.after.count,
            action="notify",
            notify=[],
            catch_up="fire_late",
        )
        when = moment(camp, add_days, camp.calendar, entered, t.after.days, t.after.count)
        wanted[f"{TIMER}{t.trigger}@{entered.isoformat()}"] = (step, when)
    return wanted


def arm_timers(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    now: dt.datetime,
) -> None:
    """Bring the item's timed-transition rows in line with its state after a write: pending
    for the timers of the state it is in (re-armed when it comes back to it the same day),
    cancelled for any other."""
    if not camp.lifecycle.timed:
        return
    wanted = timer_steps(camp, after)
    if wanted == timer_steps(camp, before):
        return  # same state entered the same day (or no transition at all): the timers stand
    _reconcile(tx, st, camp, after["id"], wanted, now, timers=True)


def retime_steps(tx: Tx, st: Statements, kind: str, subject_id: int, wanted: Wanted) -> int:
    """Move the subject's pending steps to the moments ``wanted`` gives them now (after a
    calendar change); returns how many moved. Steps not in ``wanted`` are left to the sweep
    (void when they come due)."""
    moved = 0
    for row in tx.all(st.subject_steps, {"kind": kind, "sid": subject_id}):
        found = wanted.get(row["step_key"])
        if found is not None and not isinstance(found[1], Awaiting) and found[1] != row["due_at"]:
            moved += tx.run(st.step_retime, {"id": row["id"], "due_at": found[1]})
    return moved


def fire_item_steps(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    item: ItemRow,
    claimed: Sequence[Mapping[str, Any]],
    now: dt.datetime,
    report: SweepReport,
) -> None:
    """Settle the item's claimed steps (due, pending, locked by this transaction)."""
    state = {"item": item}

    def fire(
        row: Mapping[str, Any], step: LadderStep, late: bool, folded: list[str], missed: list[str]
    ) -> None:
        before = state["item"]
        due = before["due"]
        assert due is not None, "ladder steps are armed only for an item with a due date"
        changes = raise_level(before, step)
        after = before
        written: ItemRow | None = None  # the row as the UPDATE wrote it: the event need not read it
        if changes:
            changes.update(updated_at=now, version=before["version"] + 1)
            after = written = cas_write(tx, st, before, changes)
        data = {
            "ladder": camp.item_ladder.id if camp.item_ladder else None,
            **_step_data(step, late, folded, missed),
            "due": due.isoformat(),
        }
        data.update({k: changes[k] for k in ("light", "escalation_level") if k in changes})
        payload = {**item_payload(camp, after), **step_payload(camp, step, due, now)}
        queued = queue_messages(
            tx,
            st,
            camp,
            step.notify,
            key=f"item:{before['id']}:step:{row['step_key']}",
            payload=payload,
            units=item_units(camp, before, after),
            item_id=before["id"],
            now=now,
            concerns=item_concerns(after),
        )
        append_event(
            tx,
            st,
            camp.id,
            item_id=before["id"],
            trigger="ladder_step",
            from_state=before["state"],
            to_state=before["state"],
            actor=SYSTEM,
            at=now,
            data=data,
            outbox=queued,
            item_row=written,
        )
        report.events.append(f"item:{before['id']}:{step.id}")
        state["item"] = after

    left = _settle(tx, st, claimed, item_steps(camp, item), now, report, fire)
    if left and camp.item_ladder is not None:  # missed steps with nothing after them that fired
        append_event(
            tx,
            st,
            camp.id,
            item_id=item["id"],
            trigger="ladder_missed",
            from_state=item["state"],
            to_state=item["state"],
            actor=SYSTEM,
            at=now,
            data={
                "ladder": camp.item_ladder.id,
                "missed": left,
                "due": None if item["due"] is None else item["due"].isoformat(),
            },
        )


# ------------------------------------------------------------------------------------- duties
