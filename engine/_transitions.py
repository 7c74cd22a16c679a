"""Item transitions and the item writes beside them: report, fire, measures, the deadline clock, 典型案例 marks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, cast

from zhenggai.workflows.schema import TransitionSpec

from . import _instructions
from ._access import check_actor, check_measure_state, check_operation, check_role, item_operation
from ._callback_tasks import open_callback
from ._concerns import item_concerns
from ._inputs import (
    check_version,
    checked_choice,
    checked_due,
    checked_text,
    due_by_rule,
    local_day,
    reporter_fields,
    trigger_inputs,
)
from ._raw import Tx
from ._reports import find_duplicates
from ._rows import EventRow, ItemRow, changed
from ._runtime import Runtime
from ._sealing import IDENTITY_FIELDS
from ._steps import arm_item_steps
from ._transfer import check_source, land, landing
from ._viewing import event_view, item_view, measure_view
from ._writes import (
    Campaign,
    append_event,
    cas_update,
    cas_write,
    item_number,
    item_units,
    queue_messages,
    transition_payload,
)
from .deadlines import add_days, next_workday, working_days_between
from .errors import (
    GuardFailedError,
    InvalidInputError,
    MeasureNotFound,
    ReporterKeyError,
    TrackNotFound,
    TransitionNotAllowedError,
)
from .lifecycle import EFFECTS, TransitionContext
from .views import Actor, FiredTransition, ItemView, LeaderInstruction, MeasureView, Reporter


def report(
    rt: Runtime,
    campaign: str | int,
    actor: Actor,
    *,
    title: str,
    description: str,
    track: str,
    channel: str,
    severity: str | None = None,
    reporter: Reporter | None = None,
    instruction: LeaderInstruction | None = None,
) -> ItemView:
    now = rt.now()
    with rt.store.transaction() as tx:
        camp = rt.campaign(tx, campaign)
        check_actor(camp, actor)
        check_operation(camp, actor, "report", None)
        values = report_in(
            rt,
            tx,
            camp,
            actor,
            now,
            title=title,
            description=description,
            track=track,
            channel=channel,
            severity=severity,
            reporter=reporter,
            instruction=instruction,
        )
    return item_view(camp, values)


def report_in(
    rt: Runtime,
    tx: Tx,
    camp: Campaign,
    actor: Actor,
    now: dt.datetime,
    *,
    title: str,
    description: str,
    track: str,
    channel: str,
    severity: str | None,
    reporter: Reporter | None,
    unit_id: int | None = None,
    instruction: LeaderInstruction | None = None,
) -> ItemRow:
    """Insert a reported item in ``tx`` (the actor and role already checked), its reporter,
    its 关联研判 flags (against the items of its track, and of ``unit_id`` when given) and its
    audit event; the row as written."""
    st = rt.st
    values = {
        "campaign_id": camp.id,
        "title": checked_text("title", title),
        "description": checked_text("description", description),
        "track": checked_choice("track", track, camp.tracks, TrackNotFound),
        "channel": checked_choice("channel", channel, camp.channels),
        "severity": next(iter(camp.severities))
        if severity is None
        else checked_choice("severity", severity, camp.severities),
        "state": camp.lifecycle.spec.initial,
        "responsible_unit_id": None,
        "leading_official": None,
        "leader_contact_id": None,
        **dict.fromkeys(("research_due", "research_done_at", "research_note")),  # 领衔调研
        "due": None,
        "due_from": None,
        "due_days": None,
        "due_count": None,
        "paused_at": None,
        "paused_days": None,
        "state_since": now,
        "light": "green",
        "escalation_level": 0,
        "reopen_count": 0,
        "merged_into_id": None,
        "dismiss_reason": None,
        "last_finding": None,
        "has_reporter": reporter is not None,
        "created_by": actor.name,
        "created_at": now,
        "updated_at": now,
        "verified_at": None,
        "closed_at": None,
        "closed_by": None,
        "closed_by_unit": None,
        "case_note": None,
        "case_marked_at": None,
        "case_marked_by": None,
        "case_published_at": None,
        "case_published_where": None,
        "version": 1,
        "number": item_number(camp, tx.scalar(st.serial_next, {"cid": camp.id, "kind": "item"}), now),
    }
    check_source(camp, actor, str(values["channel"]))  # 部门联动: only its source units report on it
    _instructions.check_channel(camp, str(values["channel"]), instruction)  # 领导批示交办
    values.update(landing(camp, str(values["channel"]), now))  # 移送: lands with the transfer unit
    reporter_values = reporter_fields(reporter) if reporter is not None else None
    keys = rt.reporter_keys
    if reporter_values is not None and keys is None:
        raise ReporterKeyError.no_key("举报人信息须加密保存, 但未配置举报人密钥 (未登记任何内容)")
    item_id = tx.scalar(st.item_insert, values)
    if reporter_values is not None:
        assert keys is not None
        sealed, key_id = keys.seal(item_id, reporter_values)
        # Only the sealed identity: the plaintext columns are for rows from before 0011.
        tx.run(
            st.reporter_insert,
            {"item_id": item_id, **dict.fromkeys(IDENTITY_FIELDS), "sealed": sealed, "key_id": key_id},
        )
    # 关联研判: possible duplicates are flagged for a person (see :meth:`duplicates`),
    # named in the report's audit event, and never merged here.
    duplicates = find_duplicates(tx, st, camp, {**values, "id": item_id}, unit_id, rt.grams)
    for other_id, score in duplicates:
        tx.scalar(
            st.duplicate_insert,
            {
                "campaign_id": camp.id,
                "item_id": item_id,
                "other_id": other_id,
                "score": round(score * 1000),
                "created_at": now,
                "resolved_at": None,
                "resolved_by": None,
                "resolution": None,
            },
        )
    append_event(
        tx,
        st,
        camp.id,
        item_id=item_id,
        trigger="report",
        from_state=None,
        to_state=camp.lifecycle.spec.initial,
        actor=actor,
        at=now,
        data={
            "title": values["title"],
            "track": values["track"],
            "channel": values["channel"],
            "severity": values["severity"],
            "has_reporter": reporter is not None,
            **({"possible_duplicates": [other for other, _ in duplicates]} if duplicates else {}),
        },
    )
    land(tx, st, camp, {**values, "id": item_id}, actor, now)
    if instruction is not None:  # 领导批示: recorded with the report, in its transaction
        _instructions.record_in(rt, tx, camp, {**values, "id": item_id}, actor, now, instruction)
    return cast(ItemRow, {**values, "id": item_id})


def fire(
    rt: Runtime, item_id: int, trigger: str, actor: Actor, *, expected_version: int | None = None, **data: Any
) -> ItemView:
    now = rt.now()
    with rt.store.transaction() as tx:
        camp, after, _ = fire_in(rt, tx, item_id, trigger, actor, expected_version, data, now)
    return item_view(camp, after)


def fire_transition(
    rt: Runtime, item_id: int, trigger: str, actor: Actor, *, expected_version: int | None = None, **data: Any
) -> FiredTransition:
    """:func:`fire`, with the audit event it wrote."""
    now = rt.now()
    with rt.store.transaction() as tx:
        camp, after, event = fire_in(rt, tx, item_id, trigger, actor, expected_version, data, now)
    return FiredTransition(item_view(camp, after), event_view(event))


def fire_in(
    rt: Runtime,
    tx: Tx,
    item_id: int,
    trigger: str,
    actor: Actor,
    expected_version: int | None,
    data: Mapping[str, Any],
    now: dt.datetime,
) -> tuple[Campaign, ItemRow, EventRow]:
    """:meth:`fire` in ``tx``: the campaign, the row as written and the event.

    ``trigger`` is a transition's code, or its label in the definition (销号) as officials name
    it, when one transition from the item's state has that label."""
    row = rt.load_item(tx, item_id)
    camp = rt.campaign(tx, row["campaign_id"], row["campaign_version"])
    check_actor(camp, actor)
    check_version(item_id, expected_version, row["version"])
    state = row["state"]
    lifecycle = camp.lifecycle
    spec = lifecycle.by_trigger_source.get((trigger, state))
    if spec is None and not trigger.isascii():
        labelled = [t for t in lifecycle.spec.transitions if t.label == trigger and state in t.source]
        spec = labelled[0] if len(labelled) == 1 else None
    if spec is None:
        raise TransitionNotAllowedError(
            item_id, state, trigger, lifecycle.allowed_triggers(state), lifecycle.names
        )
    check_role(camp, actor, spec.trigger, spec.roles, row)
    inputs = trigger_inputs(tx, rt.st, camp, spec, data, now)
    if "set_assignment" in spec.effects and inputs.get("due") is None and row["due"] is None:
        due_by_rule(camp, row, inputs, now)
    after, event = transition(rt, tx, camp, row, spec, actor, inputs, now)
    return camp, after, event


def transition(
    rt: Runtime,
    tx: Tx,
    camp: Campaign,
    row: ItemRow,
    spec: TransitionSpec,
    actor: Actor,
    inputs: dict[str, Any],
    now: dt.datetime,
) -> tuple[ItemRow, EventRow]:
    """Fire ``spec`` on the loaded ``row`` in ``tx``, the role already checked: guards,
    effects, the compare-and-set write, the audit event, the messages, the steps. Returns the
    row as written; raises :class:`GuardFailedError` when a guard refuses."""
    st = rt.st
    lifecycle = camp.lifecycle
    item_id, state, trigger = row["id"], row["state"], spec.trigger
    ctx = TransitionContext(
        item=row,
        actor_name=actor.name,
        actor_unit_id=camp.unit_ids.get(actor.unit) if actor.unit else None,
        actor_unit_key=actor.unit,
        now=now,
        data=inputs,
        today=now.astimezone(camp.tz).date(),
        final_states=lifecycle.final_states,
    )
    needs = lifecycle.needs[spec.trigger]
    if "measures" in needs:
        counts = tx.one(st.measure_counts, {"item_id": item_id})
        assert counts is not None
        ctx.measure_count, ctx.open_measure_count = counts["total"], counts["open"]
    if "survivor" in needs and inputs.get("survivor_id") is not None:
        ctx.survivor = tx.one(st.item_shared, {"id": inputs["survivor_id"]})
    if "parts" in needs:  # 协办: the co-units whose parts are open (engine/_co_units.py)
        parts = tx.all(rt.admin.parts_of_item, {"item_id": item_id})
        ctx.open_parts = tuple(camp.unit_names[p["unit_id"]] for p in parts if p["state"] == "open")
    new_state = lifecycle.fire(trigger, state, ctx)
    if new_state is None:
        assert ctx.failed_guard is not None
        raise GuardFailedError(item_id, trigger, ctx.failed_guard, ctx.failed_reason, lifecycle.names)
    changes: dict[str, Any] = {}
    for effect in spec.effects:
        changes.update(EFFECTS[effect].apply(ctx))
    if changes.get("due", row["due"]) != row["due"]:
        if row["paused_at"] is not None:
            raise GuardFailedError(
                item_id,
                trigger,
                "clock_running",
                "计时已暂停, 恢复计时后再调整整改时限",
                {**lifecycle.names, **CLOCK_NAMES},
            )
        if row["light"] != "green":
            changes["light"] = "green"  # a new deadline starts with a green light
    if "due_basis" in inputs:  # counted by the definition's rule: kept for recomputing
        changes.update(inputs["due_basis"])
    elif "due" in changes and row["due_from"] is not None and changes["due"] != row["due"]:
        changes.update(due_from=None, due_days=None, due_count=None)  # a date a person chose
    if new_state in lifecycle.final_states and row["paused_at"] is not None:
        changes.update(paused_at=None, paused_days=None)  # nothing left to count
    # Every transition enters its destination, also one back into the same state (a new
    # dispatch): timed transitions count from here.
    changes.update(state=new_state, state_since=now, updated_at=now, version=row["version"] + 1)
    written = cas_write(tx, st, row, changes)
    event_data = _event_data(camp, inputs, row, changes)
    after = changed(row, changes)
    # The messages first: the event vouches for them (and for the item's row as written).
    queued = queue_messages(
        tx,
        st,
        camp,
        spec.notify,
        key=f"item:{item_id}:v{after['version']}:{spec.trigger}",
        payload={
            **transition_payload(camp, spec, after, event_data),
            **(_instructions.instructions_payload(rt, tx, camp, item_id) if spec.notify else {}),  # 领导批示
        },
        units=item_units(camp, row, after),
        item_id=item_id,
        now=now,
        concerns=item_concerns(after),
    )
    event = append_event(
        tx,
        st,
        camp.id,
        item_id=item_id,
        trigger=trigger,
        from_state=state,
        to_state=new_state,
        actor=actor,
        at=now,
        data=event_data,
        outbox=queued,
        item_row=written,
    )
    arm_item_steps(tx, st, camp, row, after, now)
    if "record_close" in spec.effects:  # 销号: the reporter is called back (回访)
        open_callback(rt, tx, camp, after, now)
    return after, event


def add_measure(
    rt: Runtime,
    item_id: int,
    actor: Actor,
    *,
    text: str,
    due: dt.date | str | None = None,
    expected_version: int | None = None,
) -> MeasureView:
    now = rt.now()
    st = rt.st
    with rt.store.transaction() as tx:
        row = rt.load_item(tx, item_id)
        camp = rt.campaign(tx, row["campaign_id"], row["campaign_version"])
        check_actor(camp, actor)
        check_version(item_id, expected_version, row["version"])
        check_measure_state(camp, row, "add_measure")
        check_operation(camp, actor, "add_measure", row)
        values = {
            "item_id": item_id,
            "text": checked_text("text", text),
            "due": None if due is None else checked_due(due, camp, now, "due"),
            "done_at": None,
            "done_by": None,
            "created_by": actor.name,
            "created_at": now,
            "part_id": None,  # the lead unit's own measure (协办 parts: engine/_co_units.py)
        }
        measure_id = tx.scalar(st.measure_insert, values)
        written = cas_write(tx, st, row, {"version": row["version"] + 1, "updated_at": now})
        append_event(
            tx,
            st,
            camp.id,
            item_id=item_id,
            trigger="add_measure",
            from_state=row["state"],
            to_state=row["state"],
            actor=actor,
            at=now,
            data={"measure_id": measure_id, "text": values["text"], "due": values["due"]},
            item_row=written,
        )
    return measure_view({**values, "id": measure_id})


def complete_measure(
    rt: Runtime, measure_id: int, actor: Actor, *, expected_version: int | None = None
) -> MeasureView:
    now = rt.now()
    st = rt.st
    with rt.store.transaction() as tx:
        if not isinstance(measure_id, int) or isinstance(measure_id, bool):
            raise InvalidInputError("measure_id", "整改措施编号须为整数")
        measure = tx.one(st.measure, {"id": measure_id})
        if measure is None:
            raise MeasureNotFound(measure_id)
        row = rt.load_item(tx, measure["item_id"])
        camp = rt.campaign(tx, row["campaign_id"], row["campaign_version"])
        check_actor(camp, actor)
        check_version(row["id"], expected_version, row["version"])
        check_measure_state(camp, row, "complete_measure")
        check_operation(camp, actor, "complete_measure", row)
        if measure["done_at"] is not None:
            raise InvalidInputError("measure", f"整改措施 {measure_id} 已完成")
        tx.run(st.measure_done, {"id": measure_id, "done_at_v": now, "done_by_v": actor.name})
        written = cas_write(tx, st, row, {"version": row["version"] + 1, "updated_at": now})
        append_event(
            tx,
            st,
            camp.id,
            item_id=row["id"],
            trigger="complete_measure",
            from_state=row["state"],
            to_state=row["state"],
            actor=actor,
            at=now,
            data={"measure_id": measure_id},
            item_row=written,
        )
    return measure_view({**measure, "done_at": now, "done_by": actor.name})


def pause_clock(
    rt: Runtime, item_id: int, actor: Actor, *, reason: str, expected_version: int | None = None
) -> ItemView:
    now = rt.now()
    st = rt.st
    with rt.store.transaction() as tx:
        row, camp = item_operation(rt, tx, item_id, actor, "pause_clock", expected_version)
        text = checked_text("reason", reason)
        ladder = camp.item_ladder
        due = row["due"]
        running = row["state"] not in camp.lifecycle.final_states and (
            ladder is None or row["state"] in ladder.states
        )
        if row["paused_at"] is not None:
            raise GuardFailedError(
                item_id,
                "pause_clock",
                "clock_running",
                f"计时已于 {local_day(camp, row['paused_at'])} 暂停",
                CLOCK_NAMES,
            )
        if due is None or not running:
            raise GuardFailedError(
                item_id,
                "pause_clock",
                "clock_running",
                "问题不在整改计时中 (未交办、未定整改时限或已办结)",
                CLOCK_NAMES,
            )
        today = now.astimezone(camp.tz).date()
        if due < today:
            raise GuardFailedError(
                item_id,
                "pause_clock",
                "due_not_passed",
                f"整改时限 {due.isoformat()} 已过, 不能暂停计时",
                CLOCK_NAMES,
            )
        stopped = paused_clock(camp, due, now)
        left = stopped["paused_days"]
        changes = {**stopped, "updated_at": now, "version": row["version"] + 1}
        cas_update(tx, st, row, changes)
        after = changed(row, changes)
        append_event(
            tx,
            st,
            camp.id,
            item_id=item_id,
            trigger="pause_clock",
            from_state=row["state"],
            to_state=row["state"],
            actor=actor,
            at=now,
            data={"reason": text, "approved_by": actor.role, "due": due.isoformat(), "days_left": left},
        )
        arm_item_steps(tx, st, camp, row, after, now)
    return item_view(camp, after)


def resume_clock(
    rt: Runtime, item_id: int, actor: Actor, *, note: str | None = None, expected_version: int | None = None
) -> ItemView:
    now = rt.now()
    st = rt.st
    with rt.store.transaction() as tx:
        row, camp = item_operation(rt, tx, item_id, actor, "resume_clock", expected_version)
        paused_at, old_due = row["paused_at"], row["due"]
        if paused_at is None:
            raise GuardFailedError(item_id, "resume_clock", "clock_paused", "计时未暂停", CLOCK_NAMES)
        assert old_due is not None, "a paused clock has a due date (pause_clock needs one)"
        text = checked_text("note", note) if note is not None else None
        changes: dict[str, Any] = {
            **resumed_clock(camp, row, now),
            "updated_at": now,
            "version": row["version"] + 1,
        }
        due, left = changes["due"], changes["due_days"]
        cas_update(tx, st, row, changes)
        after = changed(row, changes)
        data: dict[str, Any] = {
            "paused_since": paused_at.isoformat(),
            "days_left": left,
            "old_due": old_due.isoformat(),
            "due": due.isoformat(),
            "approved_by": actor.role,
        }
        if text is not None:
            data["note"] = text
        append_event(
            tx,
            st,
            camp.id,
            item_id=item_id,
            trigger="resume_clock",
            from_state=row["state"],
            to_state=row["state"],
            actor=actor,
            at=now,
            data=data,
        )
        arm_item_steps(tx, st, camp, row, after, now)
    return item_view(camp, after)


def paused_clock(camp: Campaign, due: dt.date, now: dt.datetime) -> dict[str, Any]:
    """The item columns of a clock stopped ``now`` with ``due`` ahead: the working days left
    to it kept (the day of stopping counts as used)."""
    today = now.astimezone(camp.tz).date()
    return {"paused_at": now, "paused_days": working_days_between(camp.calendar, today, due)}


def resumed_clock(camp: Campaign, row: ItemRow, now: dt.datetime) -> dict[str, Any]:
    """The item columns of the stopped clock of ``row`` restarted ``now``: the working days it
    had left counted from today (the day of resuming does not count), the light green again.
    With none left, resumed on a day off, the due is the next working day (never a day off)."""
    start = now.astimezone(camp.tz).date()  # the day of resuming does not count
    left = int(row["paused_days"] or 0)
    changes: dict[str, Any] = {
        "paused_at": None,
        "paused_days": None,
        "due": next_workday(camp.calendar, add_days(camp.calendar, start, left, "working")),
        "due_from": start,
        "due_days": left,
        "due_count": "working",
    }
    if row["light"] != "green":
        changes["light"] = "green"  # a new deadline starts with a green light
    return changes


def mark_case(
    rt: Runtime, item_id: int, actor: Actor, *, note: str, expected_version: int | None = None
) -> ItemView:
    now = rt.now()
    st = rt.st
    with rt.store.transaction() as tx:
        row, camp = item_operation(rt, tx, item_id, actor, "mark_case", expected_version)
        text = checked_text("note", note)
        changes = {
            "case_note": text,
            "case_marked_at": now,
            "case_marked_by": actor.name,
            "updated_at": now,
            "version": row["version"] + 1,
        }
        cas_update(tx, st, row, changes)
        append_event(
            tx,
            st,
            camp.id,
            item_id=item_id,
            trigger="mark_case",
            from_state=row["state"],
            to_state=row["state"],
            actor=actor,
            at=now,
            data={"note": text},
        )
    return item_view(camp, changed(row, changes))


#: Names of the deadline clock's operations and conditions, for refusals officials read.
CLOCK_NAMES = {
    "pause_clock": "暂停计时",
    "resume_clock": "恢复计时",
    "clock_running": "计时进行中",
    "clock_paused": "计时已暂停",
    "due_not_passed": "整改时限未过",
}


def _event_data(
    camp: Campaign, inputs: Mapping[str, Any], before: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in ("unit", "finding", "reason", "note", "leading_official", "survivor_id", "timer", "late"):
        if name in inputs:
            data[name] = inputs[name]
    if "due" in inputs:
        data["due"] = inputs["due"].isoformat()
    if "due_rule" in inputs:
        data["due_rule"] = inputs["due_rule"]
    if "responsible_unit_id" in changes and before["responsible_unit_id"] not in (
        None,
        changes["responsible_unit_id"],
    ):
        data["from_unit"] = camp.unit_keys[before["responsible_unit_id"]]
    return data
