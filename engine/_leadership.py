"""领衔 (issue 16): the leadership's decider (``leadership.decided_by``) names the roster person
who personally leads an item (a holder of a role of ``leadership.roles``), within the dates of
``leadership.phase`` (its first day to its last, plus ``grace_days`` working days; any day
after its start with ``later``). The item keeps the person (``leader_contact_id``) and shows
their name (``leading_official``); the audit event names the contact by id only; the leader is
told (message ``item_led``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from zhenggai.workflows.schema import NotifySpec

from . import _research
from ._access import item_operation
from ._concerns import Concerns
from ._inputs import checked_text
from ._rows import changed
from ._runtime import Runtime
from ._viewing import item_view
from ._writes import Campaign, append_event, cas_update, item_payload, queue_messages
from .deadlines import add_days
from .errors import ContactNotFound, InvalidInputError
from .views import Actor, ItemView

__all__ = ["LEAD", "lead_item", "lead_window"]

#: The operation's name in a definition's ``operations``.
LEAD = "lead"
#: The message the leader gets.
ITEM_LED = "item_led"


def lead_window(camp: Campaign) -> tuple[dt.date, dt.date | None] | None:
    """The first and last day 领衔 may be decided (None: no end); None: no phase named."""
    setup = camp.setup
    if setup is None or setup.leadership is None or setup.leadership.phase is None:
        return None
    phase = next((p for p in setup.phases if p.id == setup.leadership.phase), None)
    if phase is None:
        return None
    if setup.leadership.later:
        return phase.start, None
    end = phase.end
    if setup.leadership.grace_days:
        end = add_days(camp.calendar, end, setup.leadership.grace_days, "working")
    return phase.start, end


def _check_day(camp: Campaign, today: dt.date) -> None:
    window = lead_window(camp)
    if window is None:
        return
    first, last = window
    if today < first or (last is not None and today > last):
        until = f"至 {last.isoformat()}" if last is not None else "起"
        raise InvalidInputError(
            "leader", f"领衔调研处理的问题只能在 {first.isoformat()} {until} 确定 (今天 {today})"
        )


def lead_item(rt: Runtime, item_id: int, actor: Actor, *, leader: int, note: str | None = None) -> ItemView:
    if not isinstance(leader, int) or isinstance(leader, bool):
        raise InvalidInputError("leader", "领衔领导须为通讯录中的联系人编号")
    now = rt.now()
    st = rt.st
    with rt.store.transaction() as tx:
        row, camp = item_operation(rt, tx, item_id, actor, LEAD, None)
        setup = camp.setup
        if setup is None or setup.leadership is None:
            raise InvalidInputError("leader", "实施方案没有规定领衔 (leadership)")
        if row["state"] in camp.lifecycle.final_states:
            label = camp.lifecycle.labels[row["state"]]
            raise InvalidInputError(
                "item_id", f"问题 {item_id} 已{label.removeprefix('已')}, 不能再确定领衔领导"
            )
        _check_day(camp, now.astimezone(camp.tz).date())
        found = tx.one(rt.admin.contact, {"id": leader})
        if found is None or found["campaign_id"] != camp.id:
            raise ContactNotFound(leader)
        person: dict[str, Any] = dict(found)
        today = now.astimezone(camp.tz).date()
        if (
            person["removed_at"] is not None
            or (person["active_from"] is not None and person["active_from"] > today)
            or (person["active_to"] is not None and person["active_to"] < today)
        ):
            raise InvalidInputError("leader", f"联系人 {leader} 已移除或不在有效期内, 不能领衔")
        if person["role"] not in setup.leadership.roles:
            allowed = "、".join(camp.roles[r].label for r in setup.leadership.roles if r in camp.roles)
            raise InvalidInputError("leader", f"联系人 {leader} 的角色不能领衔 (领衔领导须为: {allowed})")
        if row["leader_contact_id"] == leader:
            raise InvalidInputError("leader", f"问题 {item_id} 已由该领导领衔")
        text = checked_text("note", note) if note is not None else None
        changes = {
            "leader_contact_id": leader,
            "leading_official": person["name"],
            "updated_at": now,
            "version": row["version"] + 1,
        }
        if (research_due := _research.research_due(camp, row, today)) is not None:
            changes["research_due"] = research_due  # 领衔调研: the leader's own obligation
        cas_update(tx, st, row, changes)
        after = changed(row, changes)
        _research.arm_research_steps(tx, st, camp, after, now)
        queued = queue_messages(
            tx,
            st,
            camp,
            [NotifySpec(message=ITEM_LED, to=person["role"])],
            key=f"item:{item_id}:v{after['version']}:{LEAD}",
            payload=_research.research_payload(camp, after)
            if research_due is not None
            else item_payload(camp, after),
            units={},
            item_id=item_id,
            now=now,
            concerns=Concerns(item=True, leader_contact_id=leader),
        )
        data: dict[str, Any] = {"leader": leader, "role": person["role"]}
        if research_due is not None:
            data["research_due"] = research_due.isoformat()
        if row["leader_contact_id"] is not None:
            data["previous_leader"] = row["leader_contact_id"]
        if text is not None:
            data["note"] = text
        append_event(
            tx,
            st,
            camp.id,
            item_id=item_id,
            trigger=LEAD,
            from_state=row["state"],
            to_state=row["state"],
            actor=actor,
            at=now,
            data=data,
            outbox=queued,
        )
    return item_view(camp, after)
