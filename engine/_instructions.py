"""领导批示 (issue 17, 4): a county leader's instruction on an item (who, the day given, the
text), recorded by a role of the definition's ``instructions.recorded_by``.

Rules: the leader is a holder of a role of ``instructions.leaders``, given as a roster contact
id or by name (a name the roster does not name among those holders is refused; when the roster
names none of them, the name stands as written); the day not after today; the text not empty.
Every refusal changes nothing. Each instruction is one audit event of the item (data names the
``instruction``), and the item's responsible unit, when it has one, is told (``instructions.
notify``, with the leader and the text). The 交办 notice shows the item's instructions (the
``instructions`` variable every transition message gets, :func:`instructions_text`).

Items reported on ``instructions.channel`` (领导批示交办) start from an instruction: the report
carries it and records it in the same transaction (:func:`record_in`), refused without it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from zhenggai.workflows.schema import InstructionSpec, NotifySpec

from ._access import check_actor
from ._admin_statements import INSTRUCTION
from ._concerns import item_concerns
from ._inputs import check_id, checked_date, checked_text
from ._raw import Tx
from ._runtime import Runtime
from ._writes import Campaign, item_note, item_payload
from .errors import ContactNotFound, InvalidInputError, PermissionDeniedError
from .views import Actor, InstructionView, LeaderInstruction

__all__ = [
    "RECORD",
    "check_channel",
    "instruction_spec",
    "instructions",
    "instructions_payload",
    "instructions_text",
    "record_in",
    "record_instruction",
]

#: The audit event's trigger, and the operation's name.
RECORD = "record_instruction"
NAMES = {RECORD: "记录领导批示"}


def instruction_spec(camp: Campaign) -> InstructionSpec | None:
    return None if camp.setup is None else camp.setup.instructions


def _spec(camp: Campaign) -> InstructionSpec:
    spec = instruction_spec(camp)
    if spec is None:
        raise InvalidInputError("instruction", "实施方案没有规定领导批示 (instructions)")
    return spec


def _given_on(value: object, camp: Campaign, now: dt.datetime) -> dt.date:
    value = checked_date("given_on", value, "批示日期")
    today = now.astimezone(camp.tz).date()
    if value > today:
        raise InvalidInputError("given_on", f"批示日期 {value.isoformat()} 晚于今天 {today.isoformat()}")
    return value


def _leader(
    rt: Runtime, tx: Tx, camp: Campaign, spec: InstructionSpec, leader: object, day: dt.date
) -> tuple[str, int | None]:
    """The leader's name and roster contact (None: a name the roster cannot check)."""
    allowed = "、".join(camp.roles[r].label for r in spec.leaders if r in camp.roles)
    if isinstance(leader, int) and not isinstance(leader, bool):
        found = tx.one(rt.admin.contact, {"id": leader})
        if found is None or found["campaign_id"] != camp.id:
            raise ContactNotFound(leader)
        if found["role"] not in spec.leaders:
            raise InvalidInputError("leader", f"联系人 {leader} 不是作出批示的领导 (须为: {allowed})")
        return str(found["name"]), leader
    name = checked_text("leader", leader)
    holders = [
        c
        for role in spec.leaders
        for c in tx.all(rt.st.contacts_of_role, {"cid": camp.id, "role": role, "day": day})
    ]
    if not holders:
        return name, None
    match = next((c for c in holders if c["name"] == name), None)
    if match is None:
        raise InvalidInputError("leader", f"通讯录中没有名为 {name} 的领导 (作出批示的领导须为: {allowed})")
    return name, int(match["id"])


def check_channel(camp: Campaign, channel: str, instruction: LeaderInstruction | None) -> None:
    """A report on the 领导批示交办 channel carries its instruction (refused without it)."""
    spec = instruction_spec(camp)
    if instruction is None and spec is not None and spec.channel == channel:
        assert camp.setup is not None
        label = next((c.label for c in camp.setup.channels if c.id == channel), channel)
        raise InvalidInputError(
            "instruction", f"来源渠道「{label}」的问题须附领导批示 (批示领导、批示日期、批示内容)"
        )


def record_in(
    rt: Runtime,
    tx: Tx,
    camp: Campaign,
    row: Mapping[str, Any],
    actor: Actor,
    now: dt.datetime,
    instruction: LeaderInstruction,
) -> dict[str, Any]:
    """Check ``instruction`` and record it on the item ``row`` in ``tx`` (its audit event, the
    responsible unit's message); the row as written."""
    spec = _spec(camp)
    if not isinstance(instruction, LeaderInstruction):
        raise InvalidInputError("instruction", "须为 LeaderInstruction (批示领导、日期、内容)")
    given_on = _given_on(instruction.given_on, camp, now)
    text = checked_text("instruction", instruction.text)
    name, contact = _leader(rt, tx, camp, spec, instruction.leader, now.astimezone(camp.tz).date())
    values: dict[str, Any] = {
        "campaign_id": camp.id,
        "item_id": row["id"],
        "leader": name,
        "leader_contact_id": contact,
        "given_on": given_on,
        "text": text,
        "recorded_by": actor.name,
        "recorded_at": now,
    }
    values["id"] = tx.scalar(rt.admin.instruction_insert, values)
    item_note(
        tx,
        rt.st,
        camp,
        row,
        trigger=RECORD,
        actor=actor,
        now=now,
        data={
            "instruction": values["id"],
            "leader": name,
            **({"leader_contact": contact} if contact is not None else {}),
            "given_on": given_on.isoformat(),
            "text": text,
        },
        notify=[NotifySpec(message=spec.notify, to="responsible_unit")],
        key=f"instruction:{values['id']}",
        payload={
            **item_payload(camp, row),
            "instruction_id": values["id"],
            "leader": name,
            "given_on": given_on.isoformat(),
            "instruction": text,
        },
        units={"responsible_unit": row["responsible_unit_id"]},
        concerns=item_concerns(row),
    )
    return values


def record_instruction(
    rt: Runtime, item_id: int, actor: Actor, *, leader: int | str, given_on: dt.date | str, text: str
) -> InstructionView:
    now = rt.now()
    check_id("item_id", item_id, "问题")
    with rt.store.transaction() as tx:
        row = rt.load_item(tx, item_id)
        camp = rt.campaign(tx, row["campaign_id"], row["campaign_version"])
        check_actor(camp, actor)
        spec = _spec(camp)
        if actor.role not in spec.recorded_by:
            allowed = "、".join(camp.roles[r].label for r in spec.recorded_by if r in camp.roles)
            raise PermissionDeniedError(
                actor.name, actor.role, RECORD, f"只有{allowed}可以记录领导批示", NAMES
            )
        values = record_in(rt, tx, camp, row, actor, now, LeaderInstruction(leader, given_on, text))
    return instruction_view(camp, values)


def instructions_text(rt: Runtime, tx: Tx, camp: Campaign, item_id: int) -> str:
    """The item's instructions as one line for a notice (empty when it has none)."""
    if instruction_spec(camp) is None:
        return ""
    rows = tx.all(rt.admin.instructions_of_item, {"item_id": item_id})
    return "; ".join(f"{r['leader']} {r['given_on'].isoformat()}: {r['text']}" for r in rows)


def instructions_payload(rt: Runtime, tx: Tx, camp: Campaign, item_id: int) -> dict[str, str]:
    """What every transition's messages get of the item's instructions (the 交办 notice)."""
    return {"instructions": instructions_text(rt, tx, camp, item_id)}


def instructions(
    rt: Runtime, campaign: str | int | None = None, *, item_id: int | None = None
) -> list[InstructionView]:
    """The instructions of one item, or of a campaign, oldest first."""
    if (campaign is None) == (item_id is None):
        raise InvalidInputError("campaign", "须指明专项行动或问题其中之一")
    with rt.store.read() as conn:
        if item_id is not None:
            check_id("item_id", item_id, "问题")
            row = rt.load_item(conn, item_id)
            camp = rt.campaign(conn, row["campaign_id"], row["campaign_version"])
            query = select(INSTRUCTION).where(INSTRUCTION.c.item_id == item_id)
        else:
            assert campaign is not None
            camp = rt.campaign(conn, campaign)
            query = select(INSTRUCTION).where(INSTRUCTION.c.campaign_id == camp.id)
        rows = conn.execute(query.order_by(INSTRUCTION.c.id)).mappings().all()
        return [instruction_view(camp, r) for r in rows]


def instruction_view(camp: Campaign, r: Mapping[Any, Any]) -> InstructionView:
    return InstructionView(
        id=r["id"],
        campaign=camp.key,
        item_id=r["item_id"],
        leader=r["leader"],
        leader_contact_id=r["leader_contact_id"],
        given_on=r["given_on"],
        text=r["text"],
        recorded_by=r["recorded_by"],
        recorded_at=r["recorded_at"],
    )
