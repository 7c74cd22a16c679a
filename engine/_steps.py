"""Scheduled steps: arming an item's escalation ladder for its due date, and firing the steps
that have fallen due (one sweep).

A step is a row of ``zg_step``, unique per (subject, step key), so it can fire once. An item's
ladder steps are keyed ``LADDER.STEP@DUE`` (``item_overdue.red@2023-08-15``): a new due date
means new rows, and the old date's pending rows are cancelled, so they no longer fire. The
rows of an item are reconciled after every transition (:func:`arm_item_steps`): pending while
the item is in one of the ladder's states with a due date, cancelled otherwise, re-armed
(pending again) when it comes back.

A step is due from the start (00:00, the campaign's timezone) of its day: ``offset`` days from
the due date, counted as the step says (:func:`zhenggai.engine.deadlines.offset_day`).
Messages it sends respect quiet hours when they are delivered, not when they are queued.

Firing (:func:`fire_item_steps`) happens in the transaction that claimed the steps, with all
its effects: the light (黄灯/红灯) and escalation level (挂牌督办 1, 问责 2) of the item, which
only ever rise; one audit event per step that fires; the step's messages. Steps a sweep finds
due together, or more than a day late, are caught up by their policy (``catch_up``):

- ``collapse``: a step overtaken by a later one that fires is folded into it (no message of
  its own; the later step's event lists it under ``caught_up``);
- ``fire_late``: it fires anyway, once, marked ``late``;
- ``record_missed``: it does not act; it is marked ``missed`` for a person to decide, and the
  event of the step that fires (or one of its own) says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from zhenggai.workflows.schema import LADDER_ACTIONS, LadderSpec, LadderStep

from ._raw import Tx
from ._writes import Campaign, Statements, append_event, cas_update, item_payload, item_units, queue_messages
from .deadlines import offset_day, working_days_between
from .views import Actor

__all__ = [
    "LATE_AFTER",
    "LIGHT_RANK",
    "SweepReport",
    "arm_item_steps",
    "fire_item_steps",
    "ladder_steps",
]

#: A step found due more than this after its time was missed (the daemon was down).
LATE_AFTER = dt.timedelta(days=1)
#: Traffic lights in rising order.
LIGHT_RANK = {"green": 0, "yellow": 1, "red": 2}
#: Escalation level an action puts an item on (it never goes down by a step).
LEVELS = {"listed_supervision": 1, "accountability": 2}
SYSTEM = Actor("系统", "system")


@dataclass
class SweepReport:
    """What one sweep did: steps fired, folded into later ones, recorded missed, void (their
    item had left the ladder's states), and subjects another daemon held (PostgreSQL)."""

    fired: int = 0
    collapsed: int = 0
    missed: int = 0
    void: int = 0
    skipped: int = 0
    subjects: int = 0
    events: list[str] = field(default_factory=list)

    @property
    def settled(self) -> int:
        return self.fired + self.collapsed + self.missed + self.void


def step_key(ladder: LadderSpec, step: LadderStep, due: dt.date) -> str:
    return f"{ladder.id}.{step.id}@{due.isoformat()}"


def ladder_steps(camp: Campaign, item: Mapping[str, Any]) -> dict[str, dt.datetime]:
    """The ladder steps ``item`` should have pending, by key, with the moment each is due (UTC):
    none unless it is in one of the ladder's states and has a due date."""
    ladder = camp.item_ladder
    due = item["due"]
    if ladder is None or due is None or item["state"] not in ladder.states:
        return {}
    out = {}
    for step in ladder.steps:
        day = offset_day(camp.calendar, due, step.offset, step.count)
        out[step_key(ladder, step, due)] = dt.datetime.combine(day, dt.time(0), tzinfo=camp.tz).astimezone(dt.UTC)
    return out


def arm_item_steps(
    tx: Tx, st: Statements, camp: Campaign, before: Mapping[str, Any], after: Mapping[str, Any], now: dt.datetime
) -> None:
    """Bring the item's step rows in line with its state and due date after a write."""
    ladder = camp.item_ladder
    if ladder is None:
        return
    was_on = before["state"] in ladder.states and before["due"] is not None
    is_on = after["state"] in ladder.states and after["due"] is not None
    if not was_on and not is_on:
        return  # off the ladder before and after
    if was_on and is_on and before["due"] == after["due"]:
        return  # same ladder, same date: nothing to change
    if not is_on:  # off the ladder: every pending step of the item is cancelled
        tx.run(st.item_steps_cancel, {"item_id": after["id"], "now": now})
        return
    wanted = ladder_steps(camp, after)
    existing = {r["step_key"]: r for r in tx.all(st.item_steps, {"item_id": after["id"]})}
    for key, row in existing.items():
        if row["status"] == "pending" and key not in wanted:
            tx.run(st.step_settle, {"id": row["id"], "status": "cancelled", "now": now})
    for key, due_at in wanted.items():
        found = existing.get(key)
        if found is None:
            tx.run(st.step_insert, {
                "campaign_id": camp.id, "subject_kind": "item", "subject_id": after["id"], "step_key": key,
                "due_at": due_at, "status": "pending", "fired_at": None, "created_at": now,
            })
        elif found["status"] == "cancelled":
            tx.run(st.step_rearm, {"id": found["id"], "due_at": due_at})


def _step_of(ladder: LadderSpec, key: str) -> LadderStep | None:
    name = key.partition("@")[0].removeprefix(f"{ladder.id}.")
    return next((s for s in ladder.steps if s.id == name), None)


def fire_item_steps(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    item: dict[str, Any],
    claimed: Sequence[Mapping[str, Any]],
    now: dt.datetime,
    report: SweepReport,
) -> None:
    """Settle the item's claimed steps (due, pending, locked by this transaction) as the module
    docstring says, with their effects."""
    ladder = camp.item_ladder
    steps = [(row, _step_of(ladder, row["step_key"]) if ladder else None) for row in claimed]
    live = ladder is not None and item["due"] is not None and item["state"] in ladder.states
    current = ladder_steps(camp, item) if live else {}
    plan: list[tuple[Mapping[str, Any], LadderStep | None, str]] = []
    later_fires = False
    for row, step in reversed(steps):
        late = now - row["due_at"] >= LATE_AFTER
        overtaken = bool(plan)  # a later claimed step exists
        if step is None or row["step_key"] not in current:
            outcome = "void"
        elif step.catch_up == "record_missed" and (late or overtaken):
            outcome = "missed"
        elif step.catch_up == "collapse" and later_fires:
            outcome = "collapsed"
        else:
            outcome = "fired"
        later_fires = later_fires or outcome == "fired"
        plan.append((row, step, outcome))
    plan.reverse()
    folded: list[str] = []
    missed: list[str] = []
    for row, step, outcome in plan:
        if tx.run(st.step_settle, {"id": row["id"], "status": outcome, "now": now}) != 1:
            continue  # settled meanwhile (cannot happen under the claim; kept as a guard)
        if outcome == "void":
            report.void += 1
            continue
        assert step is not None and ladder is not None
        if outcome == "collapsed":
            report.collapsed += 1
            folded.append(step.id)
            continue
        if outcome == "missed":
            report.missed += 1
            missed.append(step.id)
            continue
        late = now - row["due_at"] >= LATE_AFTER
        item = _fire(tx, st, camp, item, ladder, step, row, now, late=late, folded=folded, missed=missed)
        report.fired += 1
        report.events.append(f"{item['id']}:{step.id}")
        folded, missed = [], []
    if missed and ladder is not None:  # missed steps with nothing after them that fired: recorded on their own
        _record_missed(tx, st, camp, item, ladder, missed, now)


def _fire(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    item: dict[str, Any],
    ladder: LadderSpec,
    step: LadderStep,
    row: Mapping[str, Any],
    now: dt.datetime,
    *,
    late: bool,
    folded: list[str],
    missed: list[str],
) -> dict[str, Any]:
    """One step's effects, event and messages; returns the item as it is afterwards."""
    changes: dict[str, Any] = {}
    light = {"yellow": "yellow", "red": "red"}.get(step.action)
    if light is not None and LIGHT_RANK[light] > LIGHT_RANK.get(item["light"], 0):
        changes["light"] = light
    level = LEVELS.get(step.action)
    if level is not None and level > item["escalation_level"]:
        changes["escalation_level"] = level
        if LIGHT_RANK.get(item["light"], 0) < LIGHT_RANK["red"]:
            changes["light"] = "red"  # 挂牌督办 and 问责 come with a red light
    after = item
    if changes:
        changes.update(updated_at=now, version=item["version"] + 1)
        cas_update(tx, st, item, changes)
        after = {**item, **changes}
    today = now.astimezone(camp.tz).date()
    data: dict[str, Any] = {
        "ladder": ladder.id, "step": step.id, "step_label": step.label, "action": step.action,
        "due": item["due"].isoformat(),
    }
    if late:
        data["late"] = True
    if folded:
        data["caught_up"] = list(folded)
    if missed:
        data["missed"] = list(missed)
    for name in ("light", "escalation_level"):
        if name in changes:
            data[name] = changes[name]
    append_event(
        tx, st, camp.id, item_id=item["id"], trigger="ladder_step", from_state=item["state"],
        to_state=item["state"], actor=SYSTEM, at=now, data=data,
    )
    overdue = working_days_between(camp.calendar, item["due"], today) if today > item["due"] else 0
    payload = {
        **item_payload(camp, after),
        "step": step.id, "step_label": step.label, "action": step.action,
        "action_label": LADDER_ACTIONS[step.action], "days_overdue": overdue,
    }
    queue_messages(
        tx, st, camp, step.notify, key=f"item:{item['id']}:step:{row['step_key']}", payload=payload,
        units=item_units(camp, item, after), item_id=item["id"], now=now,
    )
    return after


def _record_missed(
    tx: Tx, st: Statements, camp: Campaign, item: Mapping[str, Any], ladder: LadderSpec, missed: list[str],
    now: dt.datetime,
) -> None:
    append_event(
        tx, st, camp.id, item_id=item["id"], trigger="ladder_missed", from_state=item["state"],
        to_state=item["state"], actor=SYSTEM, at=now,
        data={"ladder": ladder.id, "missed": missed, "due": item["due"].isoformat()},
    )
