"""移送 (二、(一) 部门联动 … 及时向县纪委县监委移送): items that land with a unit for 初核 first.

An item reported on a channel with ``transfer_to`` lands with that unit (``zg_item.
transfer_unit_id``) in the lifecycle's initial state, its 初核 (preliminary check) due
``channels[].transfer.days`` after the day it is received (``transfer_due``, counted like a
deadline: after the cutoff or on a day off, from the next working day). Its audit trail shows
``report`` then ``transfer`` (移送); the channel's ``transfer.notify`` tells the unit. While the
初核 is pending, the steps of the channel's transfer ladder (subject ``transfer``; step rows of
subject kind ``transfer`` keyed by the item's id) remind and chase the unit; the
``preliminary_check_done`` guard keeps the assigning transition (交办) shut. The 初核
(:func:`preliminary_check`, operation ``preliminary_check``; a unit-bound role only for the
transfer unit) records who did it, when, and the finding, cancels the ladder and opens the
item to the roles that assign it onward: 移送 → 初核 → 交办. A lead found untrue after 初核 is
dismissed by the existing transition.

Only a channel's ``source_units`` may report on it in a unit-bound role; a role that is not
unit-bound (the office) may report on their behalf. The 初核 due date is fixed when the item
lands: a later calendar change does not move it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from zhenggai.workflows.schema import ChannelSpec, LadderSpec, LadderStep, NotifySpec, TransferSpec

from ._access import check_actor
from ._inputs import check_version, checked_text, received_cutoff
from ._raw import Tx
from ._rows import ItemRow, changed
from ._runtime import Runtime
from ._statements import Statements
from ._steps import (
    SYSTEM,
    SweepReport,
    Wanted,
    _ladder_wanted,
    _settle,
    _step_data,
    reconcile_steps,
    step_payload,
)
from ._viewing import item_view
from ._writes import WEEKDAYS, Campaign, append_event, cas_update, item_note, item_payload
from .deadlines import add_days, received_day
from .errors import GuardFailedError, PermissionDeniedError
from .views import Actor, ItemView

__all__ = [
    "arm_transfer_steps",
    "check_source",
    "fire_transfer_steps",
    "land",
    "landing",
    "preliminary_check",
    "transfer_steps",
]

#: Names officials read in refusals.
NAMES = {"report": "登记问题", "preliminary_check": "初核", "transfer_pending": "初核尚未完成"}


def channel_spec(camp: Campaign, channel: str) -> ChannelSpec | None:
    if camp.setup is None:
        return None
    return next((c for c in camp.setup.channels if c.id == channel), None)


def _transfer(spec: ChannelSpec) -> TransferSpec:
    return spec.transfer if spec.transfer is not None else TransferSpec()


def check_source(camp: Campaign, actor: Actor, channel: str) -> None:
    """Refuse a unit-bound reporter whose unit is not one of the channel's ``source_units``."""
    spec = channel_spec(camp, channel)
    if spec is None or not spec.source_units or not camp.roles[actor.role].unit_bound:
        return
    if actor.unit in spec.source_units:
        return
    names = "、".join(camp.unit_names[camp.unit_ids[u]] for u in spec.source_units if u in camp.unit_ids)
    raise PermissionDeniedError(
        actor.name,
        actor.role,
        "report",
        f"来源渠道「{spec.label}」只由 {names} 报送 (领导小组办公室可代为登记)",
        NAMES,
    )


def landing(camp: Campaign, channel: str, now: dt.datetime) -> dict[str, Any]:
    """The transfer columns of an item reported on ``channel`` at ``now``."""
    spec = channel_spec(camp, channel)
    if spec is None or spec.transfer_to is None or spec.transfer_to not in camp.unit_ids:
        return {
            "transfer_unit_id": None,
            "transfer_due": None,
            "transfer_checked_at": None,
            "transfer_checked_by": None,
        }
    rule = _transfer(spec)
    start = received_day(camp.calendar, now, camp.tz, received_cutoff(camp))
    return {
        "transfer_unit_id": camp.unit_ids[spec.transfer_to],
        "transfer_due": add_days(camp.calendar, start, rule.days, rule.count),
        "transfer_checked_at": None,
        "transfer_checked_by": None,
    }


def _units(camp: Campaign, row: Mapping[str, Any]) -> dict[str, int | None]:
    lead = camp.lead_units.get(row["track"])
    return {
        "transfer_unit": row.get("transfer_unit_id"),
        "lead_unit": camp.unit_ids.get(lead) if lead is not None else None,
    }


def transfer_payload(camp: Campaign, row: Mapping[str, Any]) -> dict[str, Any]:
    """The variables of a 移送 message (``TRANSFER_VARIABLES`` of :mod:`.messages`)."""
    uid, due = row.get("transfer_unit_id"), row.get("transfer_due")
    spec = channel_spec(camp, row["channel"])
    return {
        **item_payload(camp, row),
        "channel": row["channel"],
        "channel_label": spec.label if spec is not None else row["channel"],
        "transfer_unit": None if uid is None else camp.unit_keys[uid],
        "transfer_unit_name": None if uid is None else camp.unit_names[uid],
        "transfer_due": None if due is None else due.isoformat(),
        "transfer_due_weekday": None if due is None else WEEKDAYS[due.weekday()],
    }


def land(
    tx: Tx, st: Statements, camp: Campaign, row: Mapping[str, Any], actor: Actor, now: dt.datetime
) -> None:
    """After a transferred item's ``report`` event: its ``transfer`` event (移送), the
    channel's messages to the transfer unit, and its 初核 ladder."""
    uid = row.get("transfer_unit_id")
    spec = channel_spec(camp, row["channel"])
    if uid is None or spec is None:
        return
    data = {
        "channel": row["channel"],
        "transfer_to": camp.unit_keys[uid],
        "transfer_due": row["transfer_due"].isoformat(),
    }
    _record(
        tx, st, camp, row, "transfer", actor, now, data, _transfer(spec).notify, transfer_payload(camp, row)
    )
    arm_transfer_steps(tx, st, camp, row, now)


def _record(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    row: Mapping[str, Any],
    trigger: str,
    actor: Actor,
    now: dt.datetime,
    data: dict[str, Any],
    notify: Sequence[NotifySpec],
    payload: dict[str, Any],
    key: str = "transfer",
) -> None:
    """The item's 移送 event ``trigger`` (its state unchanged) with ``notify``'s messages."""
    item_note(
        tx,
        st,
        camp,
        row,
        trigger=trigger,
        actor=actor,
        now=now,
        data=data,
        notify=notify,
        key=f"item:{row['id']}:{key}",
        payload=payload,
        units=_units(camp, row),
    )


def transfer_ladder(camp: Campaign, channel: str) -> LadderSpec | None:
    spec = channel_spec(camp, channel)
    if spec is None or spec.transfer is None or spec.transfer.ladder is None:
        return None
    return camp.ladders.get(spec.transfer.ladder)


def pending(camp: Campaign, row: Mapping[str, Any]) -> bool:
    """Whether the item waits for its 初核 (transferred, not checked, not ended)."""
    return (
        row.get("transfer_unit_id") is not None
        and row.get("transfer_checked_at") is None
        and row["state"] not in camp.lifecycle.final_states
    )


def transfer_steps(camp: Campaign, row: Mapping[str, Any]) -> Wanted:
    """The 初核 ladder steps the item should have pending: none once its 初核 is done."""
    ladder = transfer_ladder(camp, row["channel"])
    if ladder is None or not pending(camp, row) or row.get("transfer_due") is None:
        return {}
    return _ladder_wanted(camp, ladder, row["transfer_due"])


def arm_transfer_steps(
    tx: Tx, st: Statements, camp: Campaign, row: Mapping[str, Any], now: dt.datetime
) -> None:
    """The item's 初核 step rows made to match :func:`transfer_steps` after a write."""
    if row.get("transfer_unit_id") is None:
        return
    existing = {r["step_key"]: r for r in tx.all(st.transfer_steps, {"sid": row["id"]})}
    reconcile_steps(tx, st, camp, "transfer", row["id"], existing, transfer_steps(camp, row), now)


def fire_transfer_steps(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    row: ItemRow,
    claimed: Sequence[Mapping[str, Any]],
    now: dt.datetime,
    report: SweepReport,
) -> None:
    """Settle the item's claimed 初核 steps: their messages and one ``transfer_step`` event
    each; none fires once the 初核 is done (void). They change neither the item's light nor its
    escalation level: those measure its rectification."""
    ladder = transfer_ladder(camp, row["channel"])

    def fire(
        step_row: Mapping[str, Any], step: LadderStep, late: bool, folded: list[str], missed: list[str]
    ) -> None:
        assert ladder is not None and row.get("transfer_due") is not None
        due = row["transfer_due"]
        assert due is not None
        payload = {**transfer_payload(camp, row), **step_payload(camp, step, due, now)}
        data = {
            "ladder": ladder.id,
            "transfer_due": due.isoformat(),
            **_step_data(step, late, folded, missed),
        }
        key = f"transfer_step:{step_row['step_key']}"
        _record(tx, st, camp, row, "transfer_step", SYSTEM, now, data, step.notify, payload, key)
        report.events.append(f"transfer:{row['id']}:{step.id}")

    _settle(tx, st, claimed, transfer_steps(camp, row), now, report, fire)


def preliminary_check(
    rt: Runtime, item_id: int, actor: Actor, *, finding: str, expected_version: int | None = None
) -> ItemView:
    """初核: the transfer unit (or a role that is not unit-bound and may do the operation) records
    its finding on a transferred item, which may then be assigned onward (交办)."""
    now = rt.now()
    st = rt.st
    with rt.store.transaction() as tx:
        row = rt.load_item(tx, item_id)
        camp = rt.campaign(tx, row["campaign_id"], row["campaign_version"])
        check_actor(camp, actor)
        check_version(row["id"], expected_version, row["version"])
        roles = camp.operations.get("preliminary_check", frozenset())
        if actor.role not in roles:
            raise PermissionDeniedError(actor.name, actor.role, "preliminary_check", labels=NAMES)
        uid = row.get("transfer_unit_id")
        if camp.roles[actor.role].unit_bound and (uid is None or camp.unit_ids.get(actor.unit or "") != uid):
            raise PermissionDeniedError(
                actor.name, actor.role, "preliminary_check", "只有问题移送到的单位可以初核", NAMES
            )
        text = checked_text("finding", finding)
        if not pending(camp, row):
            checked = row.get("transfer_checked_at")
            reason = (
                "该问题不是移送的问题"
                if uid is None
                else "该问题已办结"
                if checked is None
                else f"该问题已于 {checked.astimezone(camp.tz):%Y-%m-%d %H:%M} 初核"
            )
            raise GuardFailedError(row["id"], "preliminary_check", "transfer_pending", reason, NAMES)
        changes = {
            "transfer_checked_at": now,
            "transfer_checked_by": actor.name,
            "updated_at": now,
            "version": row["version"] + 1,
        }
        cas_update(tx, st, row, changes)
        after = changed(row, changes)
        append_event(
            tx,
            st,
            camp.id,
            item_id=row["id"],
            trigger="preliminary_check",
            from_state=row["state"],
            to_state=row["state"],
            actor=actor,
            at=now,
            data={"finding": text, "transfer_to": camp.unit_keys[uid] if uid is not None else None},
        )
        arm_transfer_steps(tx, st, camp, after, now)
    return item_view(camp, after)
