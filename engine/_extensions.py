"""延期申请 (issue 17, 1): the unit answerable for an item asks, before its due date, for a new
due date with a reason and a progress note; the definition's ``extensions.approvers`` decide in
order (a role that is a track's ``leader_role``: the 组长 of the item's track); the last
approval moves the item's due date and re-arms its ladder, a refusal ends the request.

Rules: the item open (not ended) with a due date and its clock running (not stopped by a
退单 awaiting its ruling, nor for the last approval); today before that date (on or after it the
request is refused: a late request counts as overdue); the new date after the current one; one
pending request per item; at most ``max_per_item`` approved. Every refusal changes nothing.
Each request and each decision is one audit event of the item (data names the ``extension``);
the next approver is told of a pending request (``extensions.requested``, routed by concern:
a track role reaches the item's track's 组长 only), the unit of the outcome (``extensions.decided``).

An approved extension moves the due date to a fixed day: the item no longer counts its due
date from a start (``due_from`` / ``due_days`` cleared), so ``recompute`` leaves it where the
approvers put it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from zhenggai.workflows.schema import ExtensionSpec, NotifySpec

from ._access import check_actor
from ._admin_statements import EXTENSION
from ._concerns import item_concerns
from ._inputs import check_id, checked_due, checked_text, unit_id_of
from ._raw import Tx
from ._rows import changed
from ._runtime import Runtime
from ._steps import arm_item_steps
from ._writes import Campaign, append_event, cas_update, item_payload, queue_messages
from .errors import ExtensionNotFound, ExtensionRefused, InvalidInputError, PermissionDeniedError
from .views import EXTENSION_STATES, Actor, ExtensionView

__all__ = ["decide_extension", "extension_spec", "extensions", "request_extension"]

REQUEST = "request_extension"
DECIDE = "decide_extension"
NAMES = {REQUEST: "申请延期", DECIDE: "审批延期申请"}


def extension_spec(camp: Campaign) -> ExtensionSpec | None:
    return None if camp.setup is None else camp.setup.extensions


def _spec(camp: Campaign, item_id: int) -> ExtensionSpec:
    spec = extension_spec(camp)
    if spec is None:
        raise ExtensionRefused(item_id, "实施方案没有规定延期申请")
    return spec


def _role_label(camp: Campaign, role: str) -> str:
    spec = camp.roles.get(role)
    return spec.label if spec is not None else role


def _payload(
    camp: Campaign, item: Mapping[str, Any], ext: Mapping[str, Any], spec: ExtensionSpec
) -> dict[str, Any]:
    stage = ext["stage"]
    nxt = spec.approvers[stage] if ext["state"] == "pending" and stage < len(spec.approvers) else None
    return {
        **item_payload(camp, item),
        "extension_id": ext["id"],
        "old_due": ext["old_due"].isoformat(),
        "new_due": ext["new_due"].isoformat(),
        "reason": ext["reason"],
        "progress": ext["progress"] or "",
        "approver": None if nxt is None else _role_label(camp, nxt),
        "outcome": EXTENSION_STATES[ext["state"]],
        "note": ext["note"] or "",
    }


def _notify(
    tx: Tx,
    rt: Runtime,
    camp: Campaign,
    item: Mapping[str, Any],
    ext: Mapping[str, Any],
    spec: ExtensionSpec,
    key: str,
    now: dt.datetime,
) -> Any:
    """The next approver told of a pending request; the unit told of a decided one."""
    if ext["state"] == "pending":
        notify = [NotifySpec(message=spec.requested, to=spec.approvers[ext["stage"]])]
    else:
        notify = [NotifySpec(message=spec.decided, to="responsible_unit")]
    return queue_messages(
        tx,
        rt.st,
        camp,
        notify,
        key=f"extension:{ext['id']}:{key}",
        payload=_payload(camp, item, ext, spec),
        units={"responsible_unit": item["responsible_unit_id"]},
        item_id=item["id"],
        now=now,
        concerns=item_concerns(item),
    )


def _refuse_unless_requester(camp: Campaign, actor: Actor, row: Mapping[str, Any]) -> None:
    role = camp.roles[actor.role]
    own = (
        row["responsible_unit_id"] is not None
        and camp.unit_ids.get(actor.unit or "") == row["responsible_unit_id"]
    )
    if not role.unit_bound or not own:
        raise PermissionDeniedError(
            actor.name, actor.role, REQUEST, "只有该问题的责任单位可以申请延期", NAMES
        )


def request_extension(
    rt: Runtime,
    item_id: int,
    actor: Actor,
    *,
    new_due: dt.date | str,
    reason: str,
    progress: str | None = None,
) -> ExtensionView:
    now = rt.now()
    check_id("item_id", item_id, "问题")
    with rt.store.transaction() as tx:
        row = rt.load_item(tx, item_id)
        camp = rt.campaign(tx, row["campaign_id"], row["campaign_version"])
        check_actor(camp, actor)
        spec = _spec(camp, item_id)
        _refuse_unless_requester(camp, actor, row)
        text = checked_text("reason", reason)
        if spec.reasons and text not in spec.reasons:
            raise InvalidInputError("reason", f"延期理由须为以下之一: {'、'.join(spec.reasons)}")
        note = None if progress is None else checked_text("progress", progress)
        day = checked_due(new_due, camp, now, "new_due")
        due = row["due"]
        if row["state"] in camp.lifecycle.final_states or due is None:
            raise ExtensionRefused(item_id, "问题已办结或没有整改时限")
        if row["paused_at"] is not None:
            raise ExtensionRefused(item_id, "计时已暂停 (如退单待审定), 恢复计时后再申请延期")
        today = now.astimezone(camp.tz).date()
        if today >= due:
            raise ExtensionRefused(item_id, f"已逾期, 不能申请延期 (整改时限 {due.isoformat()})")
        if day <= due:
            raise ExtensionRefused(item_id, f"新时限 {day.isoformat()} 须晚于现时限 {due.isoformat()}")
        earlier = tx.all(rt.admin.extensions_of_item, {"item_id": item_id})
        if any(e["state"] == "pending" for e in earlier):
            raise ExtensionRefused(item_id, "已有一项延期申请待审批")
        if sum(e["state"] == "approved" for e in earlier) >= spec.max_per_item:
            raise ExtensionRefused(item_id, f"每个问题至多延期 {spec.max_per_item} 次, 已用完")
        values: dict[str, Any] = {
            "campaign_id": camp.id,
            "item_id": item_id,
            "unit_id": row["responsible_unit_id"],
            "old_due": due,
            "new_due": day,
            "reason": text,
            "progress": note,
            "state": "pending",
            "stage": 0,
            "requested_by": actor.name,
            "requested_at": now,
            "decided_by": None,
            "decided_at": None,
            "note": None,
        }
        values["id"] = tx.scalar(rt.admin.extension_insert, values)
        queued = _notify(tx, rt, camp, row, values, spec, "requested", now)
        append_event(
            tx,
            rt.st,
            camp.id,
            item_id=item_id,
            trigger=REQUEST,
            from_state=row["state"],
            to_state=row["state"],
            actor=actor,
            at=now,
            data={
                "extension": values["id"],
                "old_due": due.isoformat(),
                "new_due": day.isoformat(),
                "reason": text,
                **({"progress": note} if note is not None else {}),
                "next_approver": spec.approvers[0],
            },
            outbox=queued,
        )
    return extension_view(camp, values)


def _check_approver(
    rt: Runtime, tx: Tx, camp: Campaign, actor: Actor, role: str, item: Mapping[str, Any]
) -> None:
    """``actor`` is the approver of this stage: holds ``role``; when it is the item's track's
    ``leader_role`` and the roster names that track's 组长, is one of them."""
    if actor.role != role:
        raise PermissionDeniedError(
            actor.name, actor.role, DECIDE, f"该申请现由{_role_label(camp, role)}审批", NAMES
        )
    setup = camp.setup
    track = next((t for t in setup.tracks if t.id == item["track"]), None) if setup is not None else None
    if track is None or track.leader_role != role:
        return
    day = rt.now().astimezone(camp.tz).date()
    leaders = tx.all(
        rt.st.contacts_of_role_track, {"cid": camp.id, "role": role, "track": track.id, "day": day}
    )
    if leaders and actor.name not in {c["name"] for c in leaders}:
        raise PermissionDeniedError(
            actor.name, actor.role, DECIDE, f"只有「{track.name}」工作组组长可以审批", NAMES
        )


def decide_extension(
    rt: Runtime, extension_id: int, actor: Actor, *, approve: bool, note: str | None = None
) -> ExtensionView:
    now = rt.now()
    check_id("extension_id", extension_id, "延期申请")
    if not isinstance(approve, bool):
        raise InvalidInputError("approve", "须为 True 或 False")
    st = rt.st
    with rt.store.transaction() as tx:
        ext = tx.one(rt.admin.extension, {"id": extension_id})
        if ext is None:
            raise ExtensionNotFound(extension_id)
        row = rt.load_item(tx, ext["item_id"])
        camp = rt.campaign(tx, row["campaign_id"], row["campaign_version"])
        check_actor(camp, actor)
        spec = _spec(camp, row["id"])
        text = None if note is None else checked_text("note", note)
        if not approve and text is None:
            raise InvalidInputError("note", "不予批准须说明理由")
        if ext["state"] != "pending":
            raise ExtensionRefused(
                row["id"], f"延期申请 {extension_id} 已审批完毕 ({EXTENSION_STATES[ext['state']]})"
            )
        stage = ext["stage"]
        role = spec.approvers[min(stage, len(spec.approvers) - 1)]
        _check_approver(rt, tx, camp, actor, role, row)
        last = stage + 1 >= len(spec.approvers)
        state = "refused" if not approve else "approved" if last else "pending"
        if approve and last and (row["state"] in camp.lifecycle.final_states or row["due"] != ext["old_due"]):
            raise ExtensionRefused(row["id"], "问题已办结或整改时限已变更, 请重新申请")
        if approve and last and row["paused_at"] is not None:  # the due is frozen while stopped
            raise ExtensionRefused(row["id"], "计时已暂停 (如退单待审定), 恢复计时后再审批")
        decided = {
            "state": state,
            "stage": stage + 1 if approve else stage,
            "decided_by": actor.name if state != "pending" else None,
            "decided_at": now if state != "pending" else None,
            "note": text if state != "pending" else None,
        }
        if tx.run(rt.admin.extension_decide, {"id": extension_id, "w_stage": stage, **decided}) != 1:
            raise ExtensionRefused(row["id"], f"延期申请 {extension_id} 已由他人审批, 请刷新后再试")
        after_ext = {**ext, **decided}
        after = row
        if state == "approved":
            changes: dict[str, Any] = {
                "due": ext["new_due"],
                "due_from": None,
                "due_days": None,
                "due_count": None,
                "light": "green",
                "updated_at": now,
                "version": row["version"] + 1,
            }
            cas_update(tx, st, row, changes)
            after = changed(row, changes)
            arm_item_steps(tx, st, camp, row, after, now)
        queued = _notify(tx, rt, camp, after, after_ext, spec, f"{stage}:{state}", now)
        append_event(
            tx,
            st,
            camp.id,
            item_id=row["id"],
            trigger=DECIDE,
            from_state=row["state"],
            to_state=row["state"],
            actor=actor,
            at=now,
            data={
                "extension": extension_id,
                "approver": role,
                "approve": approve,
                "state": state,
                **({"note": text} if text is not None else {}),
                **(
                    {"old_due": ext["old_due"].isoformat(), "due": ext["new_due"].isoformat()}
                    if state == "approved"
                    else {}
                ),
            },
            outbox=queued,
        )
    return extension_view(camp, after_ext)


def extensions(
    rt: Runtime,
    campaign: str | int,
    *,
    unit: str | None = None,
    state: str | None = None,
    item_id: int | None = None,
) -> list[ExtensionView]:
    """The campaign's extension requests, oldest first: of one unit, in one state, of one item."""
    if state is not None and state not in EXTENSION_STATES:
        raise InvalidInputError("state", f"状态须为以下之一: {'、'.join(EXTENSION_STATES)}")
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        query = select(EXTENSION).where(EXTENSION.c.campaign_id == camp.id)
        if unit is not None:
            query = query.where(EXTENSION.c.unit_id == unit_id_of(camp, unit))
        if state is not None:
            query = query.where(EXTENSION.c.state == state)
        if item_id is not None:
            query = query.where(EXTENSION.c.item_id == item_id)
        rows = conn.execute(query.order_by(EXTENSION.c.id)).mappings().all()
        return [extension_view(camp, r) for r in rows]


def extension_view(camp: Campaign, r: Mapping[Any, Any]) -> ExtensionView:
    spec = extension_spec(camp)
    nxt = (
        spec.approvers[r["stage"]]
        if spec is not None and r["state"] == "pending" and r["stage"] < len(spec.approvers)
        else None
    )
    return ExtensionView(
        id=r["id"],
        campaign=camp.key,
        item_id=r["item_id"],
        unit=camp.unit_keys[r["unit_id"]],
        unit_name=camp.unit_names[r["unit_id"]],
        old_due=r["old_due"],
        new_due=r["new_due"],
        reason=r["reason"],
        progress=r["progress"],
        state=r["state"],
        state_label=EXTENSION_STATES[r["state"]],
        stage=r["stage"],
        next_approver=nxt,
        requested_by=r["requested_by"],
        requested_at=r["requested_at"],
        decided_by=r["decided_by"],
        decided_at=r["decided_at"],
        note=r["note"],
    )
