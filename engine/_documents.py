"""规范性文件清理: documents units list for re-study, a second kind of subject.

A document runs on the definition's document lifecycle (``documents.lifecycle``), compiled
into the same shared state machine as the items' (:class:`CompiledLifecycle`), written the same
way (compare-and-set, one hash-chained audit event per change, outbox rows in the same
transaction) and scheduled by the same sweep: ``zg_step`` rows of subject ``document`` for the
ladder ``documents.ladder`` names, armed while the document is in one of the ladder's states
and due from its decision date. The final states are the decisions; the day one is reached is
the decision's date. Nothing here knows the state names: they are the definition's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import select
from zhenggai.workflows.schema import LadderStep, TransitionSpec

from ._access import check_actor, check_role
from ._inputs import checked_choice, checked_text, received_cutoff, unit_id_of
from ._raw import Tx
from ._rows import DocumentRow
from ._runtime import Runtime
from ._statements import DOCUMENT, EVENT, Statements
from ._steps import (
    SYSTEM,
    SweepReport,
    Wanted,
    _ladder_wanted,
    _settle,
    _step_data,
    raise_level,
    reconcile_steps,
    step_payload,
)
from ._viewing import event_view
from ._writes import WEEKDAYS, Campaign, append_event, queue_messages
from .deadlines import add_days, received_day
from .errors import ConflictError, DefinitionError, GuardFailedError, TransitionNotAllowedError
from .lifecycle import CompiledLifecycle, TransitionContext
from .views import Actor, DocumentView, EventView

__all__ = [
    "DOCUMENT_SUBJECT",
    "arm_document_steps",
    "document_payload",
    "document_steps",
    "document_view",
    "fire_document_steps",
    "transition_document",
]


#: What a document's id is called in refusals (问题 for items).
DOCUMENT_SUBJECT = "规范性文件"


def document_view(camp: Campaign, lifecycle: CompiledLifecycle, r: Mapping[str, Any]) -> DocumentView:
    uid = r["responsible_unit_id"]
    return DocumentView(
        id=r["id"],
        campaign=camp.key,
        unit=camp.unit_keys[uid],
        unit_name=camp.unit_names[uid],
        title=r["title"],
        doc_number=r["doc_number"],
        note=r["note"],
        state=r["state"],
        state_label=lifecycle.labels.get(r["state"], r["state"]),
        decided=r["state"] in lifecycle.final_states,
        due=r["due"],
        light=r["light"],
        escalation_level=r["escalation_level"],
        decision_note=r["decision_note"],
        decided_at=r["decided_at"],
        created_by=r["created_by"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        version=r["version"],
    )


def document_payload(camp: Campaign, lifecycle: CompiledLifecycle, row: Mapping[str, Any]) -> dict[str, Any]:
    """What every message about a document gets (``MESSAGE_SOURCES["document"]``)."""
    uid = row["responsible_unit_id"]
    return {
        "campaign": camp.view.title,
        "document_id": row["id"],
        "title": row["title"],
        "doc_number": row["doc_number"] or "",
        "state": row["state"],
        "state_label": lifecycle.labels.get(row["state"], row["state"]),
        "unit": camp.unit_keys[uid],
        "unit_name": camp.unit_names[uid],
        "due": row["due"].isoformat(),
        "due_weekday": WEEKDAYS[row["due"].weekday()],
    }


def _units(row: Mapping[str, Any]) -> dict[str, int | None]:
    # A document belongs to no track: no lead unit.
    return {"responsible_unit": row["responsible_unit_id"], "lead_unit": None}


def document_steps(camp: Campaign, row: Mapping[str, Any]) -> Wanted:
    """The ladder steps the document should have pending: none unless it is in one of the
    document ladder's states."""
    ladder = camp.document_ladder
    if ladder is None or row["state"] not in ladder.states:
        return {}
    return _ladder_wanted(camp, ladder, row["due"])


def arm_document_steps(
    tx: Tx, st: Statements, camp: Campaign, row: Mapping[str, Any], now: dt.datetime
) -> None:
    """The document's step rows made to match :func:`document_steps` after a write."""
    if camp.document_ladder is None:
        return
    existing = {r["step_key"]: r for r in tx.all(st.document_steps, {"sid": row["id"]})}
    reconcile_steps(tx, st, camp, "document", row["id"], existing, document_steps(camp, row), now)


def _write(tx: Tx, st: Statements, before: DocumentRow, changes: Mapping[str, Any]) -> DocumentRow:
    after = cast(DocumentRow, {**before, **changes, "version": before["version"] + 1})
    if tx.run(st.document_update, {**after, "old_version": before["version"]}) != 1:
        raise ConflictError(before["id"], before["version"], None)
    return after


def transition_document(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    row: DocumentRow,
    spec: TransitionSpec,
    actor: Actor,
    inputs: Mapping[str, Any],
    now: dt.datetime,
) -> DocumentRow:
    """Fire ``spec`` on the loaded document ``row`` in ``tx`` (the role already checked): its
    guards through the shared machine, the compare-and-set write, the audit event (the
    document's id in its data), the messages and the ladder. Returns the row as written."""
    lifecycle = camp.documents
    assert lifecycle is not None
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
    new_state = lifecycle.fire(spec.trigger, row["state"], ctx)
    if new_state is None:
        assert ctx.failed_guard is not None
        raise GuardFailedError(
            row["id"],
            spec.trigger,
            ctx.failed_guard,
            ctx.failed_reason,
            lifecycle.names,
            subject=DOCUMENT_SUBJECT,
        )
    decided = new_state in lifecycle.final_states
    note = inputs.get("reason") or inputs.get("note")
    changes: dict[str, Any] = {"state": new_state, "state_since": now, "updated_at": now}
    if decided:
        changes.update(decided_at=now, decision_note=note)
    after = _write(tx, st, row, changes)
    data: dict[str, Any] = {"document": row["id"], "title": row["title"]}
    if note:
        data["reason" if inputs.get("reason") else "note"] = note
    payload = {
        **document_payload(camp, lifecycle, after),
        "trigger": spec.trigger,
        "trigger_label": spec.label,
    }
    queued = queue_messages(
        tx,
        st,
        camp,
        spec.notify,
        key=f"document:{row['id']}:v{after['version']}:{spec.trigger}",
        payload=payload,
        units=_units(after),
        item_id=None,
        now=now,
    )
    append_event(
        tx,
        st,
        camp.id,
        item_id=None,
        trigger=spec.trigger,
        from_state=row["state"],
        to_state=new_state,
        actor=actor,
        at=now,
        data=data,
        outbox=queued,
    )
    arm_document_steps(tx, st, camp, after, now)
    return after


def fire_document_steps(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    row: DocumentRow,
    claimed: Sequence[Mapping[str, Any]],
    now: dt.datetime,
    report: SweepReport,
) -> None:
    """Settle the document's claimed ladder steps: none fires once it is decided (out of the
    ladder's states)."""
    lifecycle = camp.documents
    state = {"row": row}

    def fire(
        step_row: Mapping[str, Any], step: LadderStep, late: bool, folded: list[str], missed: list[str]
    ) -> None:
        assert lifecycle is not None and camp.document_ladder is not None
        before = state["row"]
        changes = raise_level(before, step)
        after = _write(tx, st, before, {**changes, "updated_at": now}) if changes else before
        data = {
            "document": before["id"],
            "ladder": camp.document_ladder.id,
            "due": before["due"].isoformat(),
            **_step_data(step, late, folded, missed),
        }
        data.update({k: changes[k] for k in ("light", "escalation_level") if k in changes})
        payload = {**document_payload(camp, lifecycle, after), **step_payload(camp, step, before["due"], now)}
        queued = queue_messages(
            tx,
            st,
            camp,
            step.notify,
            key=f"document:{before['id']}:step:{step_row['step_key']}",
            payload=payload,
            units=_units(before),
            item_id=None,
            now=now,
        )
        append_event(
            tx,
            st,
            camp.id,
            item_id=None,
            trigger="document_step",
            from_state=before["state"],
            to_state=before["state"],
            actor=SYSTEM,
            at=now,
            data=data,
            outbox=queued,
        )
        report.events.append(f"document:{before['id']}:{step.id}")
        state["row"] = after

    current = document_steps(camp, row) if lifecycle is not None else {}
    left = _settle(tx, st, claimed, current, now, report, fire)
    if left and camp.document_ladder is not None:
        append_event(
            tx,
            st,
            camp.id,
            item_id=None,
            trigger="document_missed",
            from_state=row["state"],
            to_state=row["state"],
            actor=SYSTEM,
            at=now,
            data={
                "document": row["id"],
                "ladder": camp.document_ladder.id,
                "missed": left,
                "due": row["due"].isoformat(),
            },
        )


def list_document(
    rt: Runtime,
    campaign: str | int,
    actor: Actor,
    *,
    unit: str,
    title: str,
    doc_number: str | None = None,
    note: str | None = None,
) -> DocumentView:
    now = rt.now()
    st = rt.st
    with rt.store.transaction() as tx:
        camp = rt.campaign(tx, campaign)
        lifecycle = documents_of(camp)
        check_actor(camp, actor)
        unit_id = unit_id_of(camp, unit)
        check_role(
            camp,
            actor,
            "report",
            lifecycle.spec.operations.get("report", []),
            {"responsible_unit_id": unit_id},
        )
        assert camp.setup is not None and camp.setup.documents is not None
        rule = camp.setup.documents.due
        received = received_day(camp.calendar, now, camp.tz, received_cutoff(camp))
        values: dict[str, Any] = {
            "campaign_id": camp.id,
            "responsible_unit_id": unit_id,
            "title": checked_text("title", title),
            "doc_number": None if doc_number is None else checked_text("doc_number", doc_number),
            "note": None if note is None else checked_text("note", note),
            "state": lifecycle.spec.initial,
            "state_since": now,
            "due": add_days(camp.calendar, received, rule.days, rule.count),
            "light": "green",
            "escalation_level": 0,
            "decision_note": None,
            "decided_at": None,
            "created_by": actor.name,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        values["id"] = tx.scalar(st.document_insert, values)
        append_event(
            tx,
            st,
            camp.id,
            item_id=None,
            trigger="list_document",
            from_state=None,
            to_state=lifecycle.spec.initial,
            actor=actor,
            at=now,
            data={
                "document": values["id"],
                "title": values["title"],
                "unit": unit,
                "due": values["due"].isoformat(),
            },
        )
        arm_document_steps(tx, st, camp, values, now)
    return document_view(camp, lifecycle, values)


def fire_document(
    rt: Runtime,
    document_id: int,
    trigger: str,
    actor: Actor,
    *,
    reason: str | None = None,
    note: str | None = None,
    expected_version: int | None = None,
) -> DocumentView:
    now = rt.now()
    with rt.store.transaction() as tx:
        row = rt.load_document(tx, document_id)
        camp = rt.campaign(tx, row["campaign_id"])
        lifecycle = documents_of(camp)
        check_actor(camp, actor)
        if expected_version is not None and expected_version != row["version"]:
            raise ConflictError(document_id, expected_version, row["version"])
        spec = lifecycle.by_trigger_source.get((trigger, row["state"]))
        if spec is None:
            raise TransitionNotAllowedError(
                document_id,
                row["state"],
                trigger,
                lifecycle.allowed_triggers(row["state"]),
                lifecycle.names,
                subject=DOCUMENT_SUBJECT,
            )
        check_role(camp, actor, spec.trigger, spec.roles, row)
        inputs = {k: checked_text(k, v) for k, v in (("reason", reason), ("note", note)) if v is not None}
        after = transition_document(tx, rt.st, camp, row, spec, actor, inputs, now)
    return document_view(camp, lifecycle, after)


def document(rt: Runtime, document_id: int) -> DocumentView:
    with rt.store.read() as conn:
        row = rt.load_document(Tx.on(conn), document_id)
        camp = rt.campaign(conn, row["campaign_id"])
        return document_view(camp, documents_of(camp), row)


def documents(
    rt: Runtime, campaign: str | int, *, unit: str | None = None, state: str | None = None
) -> list[DocumentView]:
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        lifecycle = documents_of(camp)
        query = select(DOCUMENT).where(DOCUMENT.c.campaign_id == camp.id).order_by(DOCUMENT.c.id)
        if unit is not None:
            query = query.where(DOCUMENT.c.responsible_unit_id == unit_id_of(camp, unit))
        if state is not None:
            query = query.where(DOCUMENT.c.state == checked_choice("state", state, lifecycle.labels))
        return [document_view(camp, lifecycle, dict(r)) for r in conn.execute(query).mappings()]


def document_events(rt: Runtime, document_id: int) -> list[EventView]:
    with rt.store.read() as conn:
        rt.load_document(Tx.on(conn), document_id)
        query = select(EVENT).where(EVENT.c.subject_kind == "document", EVENT.c.subject_id == document_id)
        return [event_view(r) for r in conn.execute(query.order_by(EVENT.c.seq)).mappings()]


def documents_of(camp: Campaign) -> CompiledLifecycle:
    """The campaign's document lifecycle, or a clear refusal when its definition has none."""
    if camp.documents is None:
        raise DefinitionError([f"专项行动 {camp.key} 的实施方案没有规范性文件清理 (documents)"])
    return camp.documents
