"""主办/协办 (issue 17, ``co_handling``): an item's lead unit (主办: its responsible unit) and its
co-units (协办), each answerable for its own part.

A role of ``co_handling.decided_by`` (the office) adds a co-unit to an item in one of its
working states (those an item is in after 交办, and those it is submitted for verification
from) with its part (分工) and due date: given, else ``part_due`` from today, else the item's
own. The part is a row of ``zg_item_part``, open until a unit-bound role of the co-unit reports
it done (:func:`complete_part`, which also marks its open measures done) or a role of
``waived_by`` waives it (:func:`waive_part`, with a note). The co-unit is told of its part
(``assigned``, recipient ``co_unit``); the lead unit is told when a part is done or waived
(``part_done``). While a part is open it runs on ``co_handling.ladder`` (steps of subject kind
``part`` keyed by the part's id; recipients ``co_unit`` and ``responsible_unit``); its steps are
void once it is settled. The lifecycle guard ``co_parts_done`` keeps the lead from submitting
the item for verification while a part is open.

A co-unit's clerk adds measures to its own part (:func:`add_part_measure`: ``zg_measure`` rows
with ``part_id``); they are not the lead's measures (the ``has_measure`` / ``all_measures_done``
guards count the lead's only). A co-unit acts on nothing else of the item.

Decisions: one open part per co-unit and item (a second part for the same unit waits until the
first is settled); the lead unit cannot be its own co-unit; every write is one audit event of
the item (``add_co_unit``, ``add_part_measure``, ``complete_part``, ``waive_part``,
``part_step``), the part's id in its data (``part``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import or_, select
from zhenggai.workflows.schema import CoHandlingSpec, LadderSpec, LadderStep, NotifySpec

from ._access import check_actor
from ._admin_statements import PART
from ._concerns import item_concerns
from ._inputs import check_id, checked_due, checked_text, unit_id_of
from ._raw import Tx
from ._rows import changed
from ._runtime import Runtime
from ._statements import ITEM
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
from ._viewing import measure_view
from ._writes import WEEKDAYS, Campaign, cas_update, item_note, item_payload
from .deadlines import add_days
from .errors import GuardFailedError, InvalidInputError, PartNotFound, PermissionDeniedError
from .views import PART_STATES, Actor, MeasureView, PartView

__all__ = [
    "CO_UNIT",
    "GUARD",
    "add_co_unit",
    "add_part_measure",
    "co_handled",
    "complete_part",
    "fire_part_steps",
    "part_moments",
    "part_wanted",
    "parts",
    "waive_part",
]

#: The recipient of a part's messages that is the co-unit (besides ``responsible_unit``: the lead).
CO_UNIT = "co_unit"
#: The lifecycle guard that keeps the lead from submitting while a part is open.
GUARD = "co_parts_done"
#: Names officials read in refusals.
NAMES = {
    "add_co_unit": "确定协办单位",
    "complete_part": "报告协办分工完成",
    "waive_part": "免除协办分工",
    "add_part_measure": "添加协办整改措施",
    "co_handling": "可以协办",
}


def _spec(camp: Campaign, item_id: int, action: str) -> CoHandlingSpec:
    spec = camp.setup.co_handling if camp.setup is not None else None
    if spec is None:
        raise GuardFailedError(item_id, action, "co_handling", "实施方案没有规定主办/协办", NAMES)
    return spec


def working_states(camp: Campaign) -> frozenset[str]:
    """The states an item takes co-units in: those it is in right after 交办 / 改派 and those it
    is submitted for verification from (the sources of the transitions the guard keeps)."""
    spec = camp.lifecycle.spec
    assigned = {t.dest for t in spec.transitions if "set_assignment" in t.effects}
    submitting = {s for t in spec.transitions if GUARD in t.guards for s in t.source}
    return frozenset(assigned | submitting)


def _ladder(camp: Campaign) -> LadderSpec | None:
    spec = camp.setup.co_handling if camp.setup is not None else None
    if spec is None or spec.ladder is None:
        return None
    return camp.ladders.get(spec.ladder)


def part_wanted(camp: Campaign, part: Mapping[str, Any], item: Mapping[str, Any]) -> Wanted:
    """The ladder steps an open part of a live item should have pending."""
    ladder = _ladder(camp)
    if ladder is None or part["state"] != "open" or item["state"] in camp.lifecycle.final_states:
        return {}
    return _ladder_wanted(camp, ladder, part["due"])


def _arm(
    rt: Runtime, tx: Tx, camp: Campaign, part: Mapping[str, Any], item: Mapping[str, Any], now: dt.datetime
) -> None:
    existing = {r["step_key"]: r for r in tx.all(rt.admin.part_steps, {"sid": part["id"]})}
    if not existing and _ladder(camp) is None:
        return
    reconcile_steps(tx, rt.st, camp, "part", part["id"], existing, part_wanted(camp, part, item), now)


def part_payload(camp: Campaign, item: Mapping[str, Any], part: Mapping[str, Any]) -> dict[str, Any]:
    """The variables of a part's message (``PART_VARIABLES`` of :mod:`.messages`)."""
    due = part["due"]
    return {
        **item_payload(camp, item),
        "part_id": part["id"],
        "co_unit": camp.unit_keys[part["unit_id"]],
        "co_unit_name": camp.unit_names[part["unit_id"]],
        "part": part["part"],
        "part_due": due.isoformat(),
        "part_due_weekday": WEEKDAYS[due.weekday()],
        "part_state_label": PART_STATES[part["state"]],
        "part_note": part["note"],
    }


def _record(
    rt: Runtime,
    tx: Tx,
    camp: Campaign,
    item: Mapping[str, Any],
    part: Mapping[str, Any],
    trigger: str,
    actor: Actor,
    now: dt.datetime,
    data: dict[str, Any],
    notify: Sequence[NotifySpec],
    key: str,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """The item's event ``trigger`` (its state unchanged) about ``part``, with its messages."""
    item_note(
        tx,
        rt.st,
        camp,
        item,
        trigger=trigger,
        actor=actor,
        now=now,
        data={"part": part["id"], "co_unit": camp.unit_keys[part["unit_id"]], **data},
        notify=notify,
        key=f"item:{item['id']}:part:{part['id']}:{key}",
        payload={**part_payload(camp, item, part), **(extra or {})},
        units={CO_UNIT: part["unit_id"], "responsible_unit": item["responsible_unit_id"]},
        concerns=item_concerns(item),
    )


def _bump(tx: Tx, rt: Runtime, item: Any, now: dt.datetime) -> Any:
    changes = {"updated_at": now, "version": item["version"] + 1}
    cas_update(tx, rt.st, item, changes)
    return changed(item, changes)


def add_co_unit(
    rt: Runtime, item_id: int, actor: Actor, *, unit: str, part: str, due: dt.date | str | None = None
) -> PartView:
    now = rt.now()
    with rt.store.transaction() as tx:
        row = rt.load_item(tx, item_id)
        camp = rt.campaign(tx, row["campaign_id"], row["campaign_version"])
        check_actor(camp, actor)
        spec = _spec(camp, item_id, "add_co_unit")
        if actor.role not in spec.decided_by:
            raise PermissionDeniedError(actor.name, actor.role, "add_co_unit", labels=NAMES)
        if row["state"] not in working_states(camp):
            label = camp.lifecycle.labels[row["state"]]
            raise GuardFailedError(
                item_id,
                "add_co_unit",
                "co_handling",
                f"问题{label}, 只能在交办后、提请验收前确定协办单位",
                NAMES,
            )
        unit_id = unit_id_of(camp, unit)
        if unit_id == row["responsible_unit_id"]:
            raise InvalidInputError("unit", f"{camp.unit_names[unit_id]}是该问题的主办单位, 不能同时协办")
        text = checked_text("part", part)
        for other in tx.all(rt.admin.parts_of_item, {"item_id": item_id}):
            if other["unit_id"] == unit_id and other["state"] == "open":
                raise InvalidInputError(
                    "unit", f"{camp.unit_names[unit_id]}已是该问题的协办单位 (分工 {other['id']}), 尚未办结"
                )
        today = now.astimezone(camp.tz).date()
        if due is not None:
            part_due = checked_due(due, camp, now, "due")
        elif spec.part_due is not None:
            part_due = add_days(camp.calendar, today, spec.part_due.days, spec.part_due.count)
        elif row["due"] is not None:
            part_due = row["due"]
        else:
            raise InvalidInputError("due", "问题尚无整改时限, 须指明协办分工的完成时限")
        values: dict[str, Any] = {
            "campaign_id": camp.id,
            "item_id": item_id,
            "unit_id": unit_id,
            "part": text,
            "due": part_due,
            "state": "open",
            "light": "green",
            "done_by": None,
            "done_at": None,
            "waived_by": None,
            "waived_at": None,
            "note": None,
            "created_by": actor.name,
            "created_at": now,
        }
        values["id"] = tx.scalar(rt.admin.part_insert, values)
        after = _bump(tx, rt, row, now)
        notify = [NotifySpec(message=spec.assigned, to=CO_UNIT)]
        data = {"text": text, "due": part_due.isoformat()}
        _record(rt, tx, camp, after, values, "add_co_unit", actor, now, data, notify, "added")
        _arm(rt, tx, camp, values, after, now)
    return part_view(camp, {**values, **_item_columns(after)}, today)


def _load(rt: Runtime, tx: Tx, part_id: int) -> tuple[Any, Any, Campaign]:
    check_id("part_id", part_id, "协办分工")
    part = tx.one(rt.admin.part, {"id": part_id})
    if part is None:
        raise PartNotFound(part_id)
    row = rt.load_item(tx, part["item_id"])
    return part, row, rt.campaign(tx, row["campaign_id"], row["campaign_version"])


def _check_co_unit(camp: Campaign, actor: Actor, part: Mapping[str, Any], action: str) -> None:
    role = camp.roles[actor.role]
    if not role.unit_bound or camp.unit_ids.get(actor.unit or "") != part["unit_id"]:
        raise PermissionDeniedError(
            actor.name, actor.role, action, f"只有协办单位{camp.unit_names[part['unit_id']]}可以办理", NAMES
        )


def _check_open(camp: Campaign, part: Mapping[str, Any]) -> None:
    if part["state"] != "open":
        at = part["done_at"] or part["waived_at"]
        raise InvalidInputError(
            "part_id",
            f"协办分工 {part['id']} 已于 {at.astimezone(camp.tz):%Y-%m-%d %H:%M} {PART_STATES[part['state']]}",
        )


def add_part_measure(
    rt: Runtime, part_id: int, actor: Actor, *, text: str, due: dt.date | str | None = None
) -> MeasureView:
    """A co-unit's measure of its own open part."""
    now = rt.now()
    with rt.store.transaction() as tx:
        part, row, camp = _load(rt, tx, part_id)
        check_actor(camp, actor)
        _check_co_unit(camp, actor, part, "add_part_measure")
        _check_open(camp, part)
        values = {
            "item_id": row["id"],
            "text": checked_text("text", text),
            "due": None if due is None else checked_due(due, camp, now, "due"),
            "done_at": None,
            "done_by": None,
            "created_by": actor.name,
            "created_at": now,
            "part_id": part_id,
        }
        measure_id = tx.scalar(rt.st.measure_insert, values)
        after = _bump(tx, rt, row, now)
        data = {"measure_id": measure_id, "text": values["text"], "due": values["due"]}
        _record(rt, tx, camp, after, part, "add_part_measure", actor, now, data, [], f"measure:{measure_id}")
    return measure_view({**values, "id": measure_id})


def complete_part(rt: Runtime, part_id: int, actor: Actor, *, note: str | None = None) -> PartView:
    """The co-unit reports its part done: its open measures are marked done with it."""
    now = rt.now()
    with rt.store.transaction() as tx:
        part, row, camp = _load(rt, tx, part_id)
        check_actor(camp, actor)
        spec = _spec(camp, row["id"], "complete_part")
        _check_co_unit(camp, actor, part, "complete_part")
        _check_open(camp, part)
        text = None if note is None else checked_text("note", note)
        ruling = {
            "state": "done",
            "done_by": actor.name,
            "done_at": now,
            "waived_by": None,
            "waived_at": None,
        }
        return _settle_part(
            rt, tx, camp, spec, part, row, actor, now, {**ruling, "note": text}, "complete_part"
        )


def waive_part(rt: Runtime, part_id: int, actor: Actor, *, note: str) -> PartView:
    """The office waives an open part (免除), with its reason."""
    now = rt.now()
    with rt.store.transaction() as tx:
        part, row, camp = _load(rt, tx, part_id)
        check_actor(camp, actor)
        spec = _spec(camp, row["id"], "waive_part")
        if actor.role not in spec.waived_by:
            raise PermissionDeniedError(actor.name, actor.role, "waive_part", labels=NAMES)
        _check_open(camp, part)
        text = checked_text("note", note)
        ruling = {
            "state": "waived",
            "done_by": None,
            "done_at": None,
            "waived_by": actor.name,
            "waived_at": now,
        }
        return _settle_part(rt, tx, camp, spec, part, row, actor, now, {**ruling, "note": text}, "waive_part")


def _settle_part(
    rt: Runtime,
    tx: Tx,
    camp: Campaign,
    spec: CoHandlingSpec,
    part: Mapping[str, Any],
    row: Any,
    actor: Actor,
    now: dt.datetime,
    ruling: dict[str, Any],
    trigger: str,
) -> PartView:
    if tx.run(rt.admin.part_settle, {"id": part["id"], **ruling}) != 1:
        raise InvalidInputError("part_id", f"协办分工 {part['id']} 已被他人办结, 请刷新后查看")
    closed = 0
    if trigger == "complete_part":
        for m in tx.all(rt.admin.part_measures, {"part_id": part["id"]}):
            if m["done_at"] is None:
                tx.run(rt.st.measure_done, {"id": m["id"], "done_at_v": now, "done_by_v": actor.name})
                closed += 1
    settled = {**part, **ruling}
    after = _bump(tx, rt, row, now)
    today = now.astimezone(camp.tz).date()
    data: dict[str, Any] = {
        "due": part["due"].isoformat(),
        "late": trigger == "complete_part" and today > part["due"],
    }
    if ruling["note"] is not None:
        data["note"] = ruling["note"]
    if closed:
        data["measures_done"] = closed
    notify = [NotifySpec(message=spec.part_done, to="responsible_unit")]
    if trigger == "waive_part":
        notify.append(NotifySpec(message=spec.part_done, to=CO_UNIT))
    _record(rt, tx, camp, after, settled, trigger, actor, now, data, notify, ruling["state"])
    _arm(rt, tx, camp, settled, after, now)
    return part_view(camp, {**settled, **_item_columns(after)}, today)


def fire_part_steps(
    rt: Runtime, tx: Tx, sid: int, claimed: list[Any], now: dt.datetime, report: SweepReport
) -> None:
    """Settle a part's claimed ladder steps (the sweep's ``part`` subjects): each that fires is
    one ``part_step`` event of the item with its messages; none fires once the part is settled."""
    part = tx.one(rt.admin.part, {"id": sid})
    assert part is not None
    item = rt.load_item(tx, part["item_id"])
    camp = rt.campaign(tx, item["campaign_id"], item["campaign_version"])
    ladder = _ladder(camp)
    state = {"part": dict(part)}

    def fire(
        step_row: Mapping[str, Any], step: LadderStep, late: bool, folded: list[str], missed: list[str]
    ) -> None:
        assert ladder is not None
        before = state["part"]
        changes = raise_level({"light": before["light"], "escalation_level": 0}, step)
        light = changes.get("light")
        if light is not None:
            tx.run(rt.admin.part_light, {"id": before["id"], "light": light})
        after = {**before, "light": light or before["light"]}
        data = {"ladder": ladder.id, **_step_data(step, late, folded, missed)}
        if light is not None:
            data["light"] = light
        extra = step_payload(camp, step, before["due"], now)
        key = f"step:{step_row['step_key']}"
        _record(rt, tx, camp, item, after, "part_step", SYSTEM, now, data, step.notify, key, extra)
        report.events.append(f"part:{before['id']}:{step.id}")
        state["part"] = after

    _settle(tx, rt.st, claimed, part_wanted(camp, part, item), now, report, fire)


def part_moments(rt: Runtime, tx: Tx, sid: int) -> Wanted:
    """The steps part ``sid`` should have (the calendar as it is now)."""
    part = tx.one(rt.admin.part, {"id": sid})
    if part is None:
        return {}
    item = rt.load_item(tx, part["item_id"])
    return part_wanted(rt.campaign(tx, item["campaign_id"], item["campaign_version"]), part, item)


# ------------------------------------------------------------------------------------- reading


def _item_columns(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"number": row["number"], "title": row["title"], "responsible_unit_id": row["responsible_unit_id"]}


def parts(
    rt: Runtime,
    campaign: str | int,
    *,
    item_id: int | None = None,
    unit: str | None = None,
    open_only: bool = False,
) -> list[PartView]:
    """The campaign's parts, oldest first: of one item, of one co-unit, or only open ones."""
    now = rt.now()
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        query = (
            select(PART, ITEM.c.number, ITEM.c.title, ITEM.c.responsible_unit_id)
            .join(ITEM, ITEM.c.id == PART.c.item_id)
            .where(PART.c.campaign_id == camp.id)
            .order_by(PART.c.id)
        )
        if item_id is not None:
            check_id("item_id", item_id, "问题")
            query = query.where(PART.c.item_id == item_id)
        if unit is not None:
            query = query.where(PART.c.unit_id == unit_id_of(camp, unit))
        if open_only:
            query = query.where(PART.c.state == "open")
        rows = conn.execute(query).mappings().all()
    today = now.astimezone(camp.tz).date()
    return [part_view(camp, r, today) for r in rows]


def co_handled(leads: Any, unit_ids: Sequence[int]) -> Any:
    """A WHERE clause on ``zg_item``: ``leads`` (the items the units lead) or an item one of
    ``unit_ids`` co-handles (has a part of, open or settled)."""
    return or_(leads, ITEM.c.id.in_(select(PART.c.item_id).where(PART.c.unit_id.in_(list(unit_ids)))))


def part_view(camp: Campaign, r: Mapping[Any, Any], today: dt.date) -> PartView:
    lead = r["responsible_unit_id"]
    done_at = r["done_at"]
    if r["state"] == "done" and done_at is not None:
        late = done_at.astimezone(camp.tz).date() > r["due"]
    else:
        late = r["state"] == "open" and today > r["due"]
    return PartView(
        id=r["id"],
        campaign=camp.key,
        item_id=r["item_id"],
        item_number=r["number"],
        title=r["title"],
        lead_unit=None if lead is None else camp.unit_keys[lead],
        lead_unit_name=None if lead is None else camp.unit_names[lead],
        unit=camp.unit_keys[r["unit_id"]],
        unit_name=camp.unit_names[r["unit_id"]],
        part=r["part"],
        due=r["due"],
        state=r["state"],
        state_label=PART_STATES[r["state"]],
        light=r["light"],
        late=late,
        done_by=r["done_by"],
        done_at=done_at,
        waived_by=r["waived_by"],
        waived_at=r["waived_at"],
        note=r["note"],
        created_by=r["created_by"],
        created_at=r["created_at"],
    )
