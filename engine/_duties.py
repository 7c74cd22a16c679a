"""Units' duty occurrences (一报告四清单 and the like): listing them and marking one done."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from ._access import check_actor
from ._inputs import checked_text
from ._late_start import NOT_APPLICABLE
from ._runtime import Runtime
from ._statements import DUTY
from ._writes import Campaign, append_event
from .errors import InvalidInputError, PermissionDeniedError, UnitNotFound
from .views import Actor, DutyView


def duties(
    rt: Runtime,
    campaign: str | int,
    *,
    unit: str | None = None,
    status: str | None = None,
    due_by: dt.date | None = None,
) -> list[DutyView]:
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        query = select(DUTY).where(DUTY.c.campaign_id == camp.id)
        if unit is not None:
            if unit not in camp.unit_ids:
                raise UnitNotFound(unit)
            query = query.where(DUTY.c.unit_id == camp.unit_ids[unit])
        if status is not None:
            query = query.where(DUTY.c.status == status)
        if due_by is not None:
            query = query.where(DUTY.c.due <= due_by)
        rows = conn.execute(query.order_by(DUTY.c.due, DUTY.c.unit_id, DUTY.c.id)).mappings().all()
    return [duty_view(camp, r) for r in rows]


def complete_duty(rt: Runtime, duty_id: int, actor: Actor, *, note: str | None = None) -> DutyView:
    now = rt.now()
    st = rt.st
    with rt.store.transaction() as tx:
        row = rt.load_duty(tx, duty_id)
        camp = rt.campaign(tx, row["campaign_id"], row["campaign_version"])
        check_actor(camp, actor)
        spec = camp.duties.get(row["duty_key"])
        unit_key = camp.unit_keys[row["unit_id"]]
        own = camp.roles[actor.role].unit_bound and actor.unit == unit_key
        receiver = spec is not None and spec.to in (actor.role, actor.unit)
        if not (own or receiver):
            raise PermissionDeniedError(actor.name, actor.role, "complete_duty", "须为本单位或接收方")
        if row["status"] == NOT_APPLICABLE:
            raise InvalidInputError("duty_id", f"职责 {duty_id} 在专项行动启动前已到期, 不适用")
        if row["status"] != "open":
            raise InvalidInputError("duty_id", f"职责 {duty_id} 已于 {row['done_at']:%Y-%m-%d} 完成")
        text = checked_text("note", note) if note is not None else None
        tx.run(st.duty_complete, {"id": duty_id, "done_at": now, "done_by": actor.name})
        tx.run(st.duty_steps_cancel, {"duty_id": duty_id, "now": now})
        data: dict[str, Any] = {"duty": row["duty_key"], "unit": unit_key, "due": row["due"].isoformat()}
        if text is not None:
            data["note"] = text
        append_event(
            tx,
            st,
            camp.id,
            item_id=None,
            trigger="complete_duty",
            from_state=None,
            to_state=None,
            actor=actor,
            at=now,
            data=data,
            duty_id=duty_id,
        )
        done = tx.one(st.duty, {"id": duty_id})
        assert done is not None
    return duty_view(camp, done)


def duty_view(camp: Campaign, r: Mapping[Any, Any]) -> DutyView:
    spec = camp.duties.get(r["duty_key"])
    return DutyView(
        id=r["id"],
        campaign=camp.key,
        duty=r["duty_key"],
        label=spec.label if spec else r["duty_key"],
        deliverable=(spec.deliverable or spec.label) if spec else r["duty_key"],
        unit=camp.unit_keys[r["unit_id"]],
        unit_name=camp.unit_names[r["unit_id"]],
        due=r["due"],
        status=r["status"],
        light=r["light"],
        escalation_level=r["escalation_level"],
        done_at=r["done_at"],
        done_by=r["done_by"],
    )
