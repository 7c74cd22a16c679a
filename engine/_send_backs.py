"""退单 (issue 17, ``send_back``): the responsible unit sends an item that is not its duty back to
the office, and the office rules (审定).

A unit-bound role of the item's unit sends it back while it is assigned (交办, not yet
rectifying), within ``send_back.within`` days of its 交办 (counted like a deadline: from the day
it was received, the cutoff time moving a late assignment to the next working day), with one of
``send_back.reasons``. The send-back is a row of ``zg_send_back``, open until a role of
``send_back.ruled_by`` rules on it: ``reassign`` fires the lifecycle's 改派 (``reassign``) to the
unit the office names (optionally with a new due date); ``insist`` keeps the unit and restarts
nothing. With ``clock: stops`` the item's deadline clock stops while the send-back is open (its
working days left kept, as 暂停计时) and runs again when the office rules; an item whose clock
is already stopped, has no due date or is past it keeps its clock as it is.

Decisions: one open send-back per item; a unit sends back one 交办 once (after an ``insist`` it
cannot send the same assignment back again: the limit is not restarted); a reassigned unit's
own limit counts from the 改派. An item sent back ``flag_after`` times or more in all (by any
units) is flagged on every send-back view. Every write is one audit event of the item
(``send_back`` / ``rule_send_back``, the send-back's id in its data).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, func, select
from zhenggai.workflows.schema import NotifySpec, SendBackSpec

from ._access import check_actor
from ._admin_statements import SEND_BACK
from ._concerns import item_concerns
from ._inputs import check_id, check_version, checked_choice, checked_text, received_cutoff, unit_id_of
from ._raw import Tx
from ._rows import ItemRow, changed
from ._runtime import Runtime
from ._statements import ITEM
from ._steps import arm_item_steps
from ._transitions import fire_in, paused_clock, resumed_clock
from ._writes import Campaign, cas_update, item_note, item_payload
from .deadlines import add_days, received_day
from .errors import GuardFailedError, InvalidInputError, PermissionDeniedError, SendBackNotFound
from .views import SEND_BACK_STATES, Actor, SendBackTally, SendBackView

__all__ = ["reassign_trigger", "request_send_back", "rule_send_back", "send_back_tally", "send_backs"]

#: Names officials read in refusals.
NAMES = {
    "send_back_request": "退单",
    "send_back_ruling": "审定退单",
    "send_back_allowed": "可以退单",
    "within_limit": "在退单时限内",
}
#: The office's decisions, as officials read them.
DECISIONS = {"reassign": "改派", "insist": "坚持原交办"}


def _spec(camp: Campaign, item_id: int, action: str) -> SendBackSpec:
    spec = camp.setup.send_back if camp.setup is not None else None
    if spec is None:
        raise GuardFailedError(item_id, action, "send_back_allowed", "实施方案没有规定退单", NAMES)
    return spec


def _assigned_states(camp: Campaign) -> frozenset[str]:
    """The states an item is in right after 交办 / 改派 (the destinations of the transitions
    that set an assignment): the only states it may be sent back from."""
    return frozenset(t.dest for t in camp.lifecycle.spec.transitions if "set_assignment" in t.effects)


def reassign_trigger(camp: Campaign, state: str) -> str | None:
    """The definition's 改派 from ``state``: the transition that sets a new assignment and
    requires the unit to change (``set_assignment``, ``unit_changes``); None when it has none."""
    for t in camp.lifecycle.spec.transitions:
        if "set_assignment" in t.effects and "unit_changes" in t.guards and state in t.source:
            return t.trigger
    return None


def send_back_limit(camp: Campaign, spec: SendBackSpec, row: Mapping[str, Any]) -> dt.date:
    """The last day the item ``row`` (in an assigned state since its 交办) may be sent back."""
    received = received_day(camp.calendar, row["state_since"], camp.tz, received_cutoff(camp))
    return add_days(camp.calendar, received, spec.within.days, spec.within.count)


def request_send_back(
    rt: Runtime,
    item_id: int,
    actor: Actor,
    *,
    reason: str,
    note: str | None = None,
    expected_version: int | None = None,
) -> SendBackView:
    now = rt.now()
    st = rt.st
    with rt.store.transaction() as tx:
        row = rt.load_item(tx, item_id)
        camp = rt.campaign(tx, row["campaign_id"], row["campaign_version"])
        check_actor(camp, actor)
        check_version(item_id, expected_version, row["version"])
        spec = _spec(camp, item_id, "send_back_request")
        unit_id = row["responsible_unit_id"]
        if (
            not camp.roles[actor.role].unit_bound
            or unit_id is None
            or camp.unit_ids[actor.unit or ""] != unit_id
        ):
            raise PermissionDeniedError(
                actor.name, actor.role, "send_back_request", "只有问题的责任单位可以退单", NAMES
            )
        if row["state"] not in _assigned_states(camp):
            label = camp.lifecycle.labels[row["state"]]
            raise GuardFailedError(
                item_id,
                "send_back_request",
                "send_back_allowed",
                f"问题{label}, 只能在交办后、开始整改前退单",
                NAMES,
            )
        code = checked_choice("reason", reason, {r.id: r.label for r in spec.reasons})
        text = None if note is None else checked_text("note", note)
        earlier = tx.all(rt.admin.send_backs_of_item, {"item_id": item_id})
        _check_earlier(camp, item_id, row, earlier)
        today = now.astimezone(camp.tz).date()
        limit = send_back_limit(camp, spec, row)
        if today > limit:
            within = f"{spec.within.days} 个{'工作日' if spec.within.count == 'working' else '自然日'}"
            raise GuardFailedError(
                item_id,
                "send_back_request",
                "within_limit",
                f"退单须在交办后 {within}内 (至 {limit.isoformat()}) 提出, 已超过时限",
                NAMES,
            )
        due = row["due"]
        stops = spec.clock == "stops" and row["paused_at"] is None and due is not None and due >= today
        changes: dict[str, Any] = {**(paused_clock(camp, due, now) if stops and due is not None else {})}
        changes.update(updated_at=now, version=row["version"] + 1)
        values: dict[str, Any] = {
            "campaign_id": camp.id,
            "item_id": item_id,
            "unit_id": unit_id,
            "reason": code,
            "note": text,
            "clock_stopped": stops,
            "state": "open",
            "to_unit_id": None,
            "ruled_by": None,
            "ruled_at": None,
            "ruling_note": None,
            "created_by": actor.name,
            "created_at": now,
        }
        values["id"] = tx.scalar(rt.admin.send_back_insert, values)
        cas_update(tx, st, row, changes)
        after = changed(row, changes)
        count = len(earlier) + 1
        data: dict[str, Any] = {
            "send_back_id": values["id"],
            "unit": camp.unit_keys[unit_id],
            "reason": code,
            "limit": limit.isoformat(),
            "clock_stopped": stops,
            "count": count,
            "flagged": count >= spec.flag_after,
        }
        if text is not None:
            data["note"] = text
        notify = [NotifySpec(message=spec.requested, to=role) for role in spec.ruled_by]
        _record(
            tx,
            rt,
            camp,
            after,
            "send_back_request",
            actor,
            now,
            data,
            notify,
            {},
            _payload(camp, spec, after, values, count),
        )
        arm_item_steps(tx, st, camp, row, after, now)
    return send_back_view(camp, {**values, "number": row["number"], "title": row["title"]}, count)


def _check_earlier(camp: Campaign, item_id: int, row: ItemRow, earlier: Sequence[Mapping[str, Any]]) -> None:
    """One open send-back per item; a unit sends one 交办 back once."""
    for sb in earlier:
        if sb["state"] == "open":
            raise GuardFailedError(
                item_id,
                "send_back_request",
                "send_back_allowed",
                f"该问题已有待审定的退单 (编号 {sb['id']})",
                NAMES,
            )
        if sb["unit_id"] == row["responsible_unit_id"] and sb["created_at"] >= row["state_since"]:
            ruled = SEND_BACK_STATES[sb["state"]]
            raise GuardFailedError(
                item_id,
                "send_back_request",
                "send_back_allowed",
                f"你单位已对本次交办退单 (编号 {sb['id']}), 办公室已审定{ruled}, 不能再次退单",
                NAMES,
            )


def rule_send_back(
    rt: Runtime,
    send_back_id: int,
    actor: Actor,
    *,
    decision: str,
    unit: str | None = None,
    due: dt.date | str | None = None,
    note: str | None = None,
) -> SendBackView:
    now = rt.now()
    st = rt.st
    with rt.store.transaction() as tx:
        check_id("send_back_id", send_back_id, "退单")
        sb = tx.one(rt.admin.send_back, {"id": send_back_id})
        if sb is None:
            raise SendBackNotFound(send_back_id)
        row = rt.load_item(tx, sb["item_id"])
        camp = rt.campaign(tx, row["campaign_id"], row["campaign_version"])
        check_actor(camp, actor)
        spec = _spec(camp, row["id"], "send_back_ruling")
        if actor.role not in spec.ruled_by:
            raise PermissionDeniedError(actor.name, actor.role, "send_back_ruling", labels=NAMES)
        if sb["state"] != "open":
            at = sb["ruled_at"].astimezone(camp.tz)
            raise InvalidInputError(
                "send_back_id",
                f"退单 {send_back_id} 已于 {at:%Y-%m-%d %H:%M} 审定为{SEND_BACK_STATES[sb['state']]}, 不能再次审定",
            )
        chosen = checked_choice("decision", decision, DECISIONS)
        text = None if note is None else checked_text("note", note)
        if chosen == "insist" and (unit is not None or due is not None):
            raise InvalidInputError("unit", "坚持原交办不改派单位, 也不调整整改时限")
        to_unit_id = None
        if chosen == "reassign":
            if unit is None:
                raise InvalidInputError("unit", "改派须指明新的责任单位")
            to_unit_id = unit_id_of(camp, unit)
        data: dict[str, Any] = {
            "send_back_id": send_back_id,
            "decision": chosen,
            "unit": camp.unit_keys[sb["unit_id"]],
        }
        if sb["clock_stopped"] and row["paused_at"] is not None:  # the clock runs again
            changes = {**resumed_clock(camp, row, now), "updated_at": now, "version": row["version"] + 1}
            cas_update(tx, st, row, changes)
            data["clock_resumed"] = changes["due"].isoformat()
            resumed = changed(row, changes)
            arm_item_steps(tx, st, camp, row, resumed, now)
            row = resumed
        if to_unit_id is not None:
            data["to_unit"] = camp.unit_keys[to_unit_id]
            inputs = {"unit": unit, "due": due, "note": text or f"退单审定改派 (退单 {send_back_id})"}
            trigger = reassign_trigger(camp, row["state"])
            if trigger is None:
                raise GuardFailedError(
                    row["id"],
                    "send_back_ruling",
                    "send_back_allowed",
                    "流程在问题当前状态没有改派环节",
                    NAMES,
                )
            _, row, _ = fire_in(rt, tx, row["id"], trigger, actor, None, inputs, now)
        if text is not None:
            data["note"] = text
        ruling = {
            "state": "reassigned" if chosen == "reassign" else "insisted",
            "to_unit_id": to_unit_id,
            "ruled_by": actor.name,
            "ruled_at": now,
            "ruling_note": text,
        }
        if tx.run(rt.admin.send_back_rule, {"id": send_back_id, **ruling}) != 1:
            raise InvalidInputError("send_back_id", f"退单 {send_back_id} 已被他人审定, 请刷新后查看")
        ruled = {**sb, **ruling}
        count = len(tx.all(rt.admin.send_backs_of_item, {"item_id": row["id"]}))
        notify = [NotifySpec(message=spec.ruled, to="responsible_unit")]
        payload = _payload(camp, spec, row, ruled, count)
        units = {"responsible_unit": sb["unit_id"]}
        _record(tx, rt, camp, row, "send_back_ruling", actor, now, data, notify, units, payload)
    return send_back_view(camp, {**ruled, "number": row["number"], "title": row["title"]}, count)


def _payload(
    camp: Campaign, spec: SendBackSpec, row: Mapping[str, Any], sb: Mapping[str, Any], count: int
) -> dict[str, Any]:
    """The variables of a send-back message (``SEND_BACK_VARIABLES`` of :mod:`.messages`)."""
    reasons = {r.id: r.label for r in spec.reasons}
    decision = {"reassigned": "reassign", "insisted": "insist"}.get(sb["state"])
    return {
        **item_payload(camp, row),
        "send_back_id": sb["id"],
        "from_unit": camp.unit_keys[sb["unit_id"]],
        "from_unit_name": camp.unit_names[sb["unit_id"]],
        "reason": sb["reason"],
        "reason_label": reasons.get(sb["reason"], sb["reason"]),
        "note": sb["note"],
        "send_back_count": count,
        "flagged": count >= spec.flag_after,
        "decision": decision,
        "decision_label": None if decision is None else DECISIONS[decision],
        "ruling_note": sb["ruling_note"],
    }


def _record(
    tx: Tx,
    rt: Runtime,
    camp: Campaign,
    row: ItemRow,
    trigger: str,
    actor: Actor,
    now: dt.datetime,
    data: dict[str, Any],
    notify: Sequence[NotifySpec],
    units: Mapping[str, int | None],
    payload: Mapping[str, Any],
) -> None:
    """The item's event ``trigger`` (its state unchanged by the send-back itself) with its messages."""
    item_note(
        tx,
        rt.st,
        camp,
        row,
        trigger=trigger,
        actor=actor,
        now=now,
        data=data,
        notify=notify,
        key=f"item:{row['id']}:v{row['version']}:{trigger}:{data['send_back_id']}",
        payload=payload,
        units=units,
        concerns=item_concerns(row),
    )


def send_backs(
    rt: Runtime,
    campaign: str | int,
    *,
    unit: str | None = None,
    open_only: bool = False,
    item_id: int | None = None,
) -> list[SendBackView]:
    """The campaign's send-backs, oldest first: of one sending ``unit``, of one item, or only
    those awaiting the office's ruling."""
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        unit_id = None if unit is None else unit_id_of(camp, unit)
        if item_id is not None:
            check_id("item_id", item_id, "问题")
        views = _views(conn, camp)
    return [
        v
        for v in views
        if (unit_id is None or camp.unit_ids[v.unit] == unit_id)
        and (not open_only or v.state == "open")
        and (item_id is None or v.item_id == item_id)
    ]


def send_back_tally(rt: Runtime, campaign: str | int) -> list[SendBackTally]:
    """Each unit's send-backs (units that sent none left out), in the definition's unit order."""
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        views = _views(conn, camp)
    out: list[SendBackTally] = []
    for key in camp.unit_ids:
        mine = [v for v in views if v.unit == key]
        if mine:
            states = [v.state for v in mine]
            out.append(
                SendBackTally(
                    unit=key,
                    unit_name=camp.unit_names[camp.unit_ids[key]],
                    sent=len(mine),
                    open=states.count("open"),
                    reassigned=states.count("reassigned"),
                    insisted=states.count("insisted"),
                )
            )
    return out


def _views(conn: Connection, camp: Campaign) -> list[SendBackView]:
    counts: dict[int, int] = dict(
        conn.execute(
            select(SEND_BACK.c.item_id, func.count())
            .where(SEND_BACK.c.campaign_id == camp.id)
            .group_by(SEND_BACK.c.item_id)
        ).all()
    )
    query = (
        select(SEND_BACK, ITEM.c.number, ITEM.c.title)
        .join(ITEM, ITEM.c.id == SEND_BACK.c.item_id)
        .where(SEND_BACK.c.campaign_id == camp.id)
        .order_by(SEND_BACK.c.id)
    )
    return [send_back_view(camp, r, int(counts[r["item_id"]])) for r in conn.execute(query).mappings()]


def send_back_view(camp: Campaign, r: Mapping[Any, Any], count: int) -> SendBackView:
    spec = camp.setup.send_back if camp.setup is not None else None
    reasons = {x.id: x.label for x in spec.reasons} if spec is not None else {}
    to = r["to_unit_id"]
    return SendBackView(
        id=r["id"],
        campaign=camp.key,
        item_id=r["item_id"],
        item_number=r["number"],
        title=r["title"],
        unit=camp.unit_keys[r["unit_id"]],
        unit_name=camp.unit_names[r["unit_id"]],
        reason=r["reason"],
        reason_label=reasons.get(r["reason"], r["reason"]),
        note=r["note"],
        clock_stopped=bool(r["clock_stopped"]),
        state=r["state"],
        state_label=SEND_BACK_STATES[r["state"]],
        to_unit=None if to is None else camp.unit_keys[to],
        to_unit_name=None if to is None else camp.unit_names[to],
        ruled_by=r["ruled_by"],
        ruled_at=r["ruled_at"],
        ruling_note=r["ruling_note"],
        created_by=r["created_by"],
        created_at=r["created_at"],
        item_send_backs=count,
        flagged=spec is not None and count >= spec.flag_after,
    )
