"""回访/满意度 (issue 17, ``callbacks``): calling the reporter back after 销号.

When an item with a reporter (``has_reporter``) is closed — a transition with the effect
``record_close`` — the same transaction gives it a callback task (``zg_callback``) for the
holders of ``callbacks.role``, the reporter's custodian (the only role that may read and
contact the reporter), due ``callbacks.within`` days after the day it was closed, armed on the
ladder ``callbacks.ladder`` (steps of subject ``callback``), and tells that role (``requested``;
never the unit). An item without a reporter gets none: there is nobody to call back.

The custodian records the result (满意 / 基本满意 / 不满意, codes satisfied /
basically_satisfied / unsatisfied) with a note (required for 不满意); the task is done, its
ladder stops, ``late`` says whether it was recorded after its due day. The item's unit is told
the result (``recorded``), never the note or the reporter. 不满意: ``unsatisfied: reopen`` fires
``callbacks.trigger`` (the lifecycle's own reopening of a closed item, as a 回头看 finding does)
with a finding that names the callback (the note stays with the custodian), a new due date by
the definition's rule when the item's own has passed; ``unsatisfied: follow_up`` gives the item
a 回头看 review task (``follow_up.role``, due ``follow_up.days`` from today) instead. An item
reopened and closed again gets a new callback.

Events: ``callback_requested``, ``record_callback`` and ``callback_step``, all of subject
``callback`` (their data names the task in ``callback`` and the item in ``item``).
:func:`satisfaction` counts the recorded results per unit (the unit answerable when the item
was closed): 考核 reads the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from zhenggai.workflows.schema import CALLBACK_RESULTS, CallbackSpec, NotifySpec

from ._access import check_actor
from ._admin_statements import CALLBACK
from ._callback_tasks import arm_callback, callback_payload, callback_spec
from ._follow_ups import create_review
from ._inputs import check_id, checked_choice, checked_text, due_by_rule, trigger_inputs, unit_id_of
from ._raw import Tx
from ._runtime import Runtime
from ._statements import ITEM
from ._transitions import transition
from ._writes import Campaign, append_event, queue_messages
from .deadlines import add_days
from .errors import CallbackNotFound, DefinitionError, InvalidInputError, PermissionDeniedError
from .views import CALLBACK_STATES, Actor, CallbackView, SatisfactionView

__all__ = ["callback_result", "callbacks", "record_callback", "satisfaction"]

#: The Chinese labels officials may type for a result, with the codes.
_BY_LABEL = {label: code for code, label in CALLBACK_RESULTS.items()}


def callback_result(value: object) -> str:
    """A result's code from its code or its Chinese label (满意 / 基本满意 / 不满意)."""
    if isinstance(value, str) and value.strip() in _BY_LABEL:
        return _BY_LABEL[value.strip()]
    if isinstance(value, str) and value.strip() in CALLBACK_RESULTS:
        return value.strip()
    raise InvalidInputError("result", f"未知回访结果 {value!r} (可用: 满意, 基本满意, 不满意)")


# -------------------------------------------------------------------------------- operations


def record_callback(
    rt: Runtime, callback_id: int, actor: Actor, *, result: str, note: str | None = None
) -> CallbackView:
    """The custodian's result of a callback (满意 / 基本满意 / 不满意, with a note; 不满意 needs
    one), and what 不满意 does as the definition says (reopen, or a 回头看 task)."""
    check_id("callback_id", callback_id, "回访任务")
    code = callback_result(result)
    text = None if note is None else checked_text("note", note)
    if code == "unsatisfied" and text is None:
        raise InvalidInputError("note", "回访不满意须说明原因 (--note)")
    now = rt.now()
    with rt.store.transaction() as tx:
        row = tx.one(rt.admin.callback, {"id": callback_id})
        if row is None:
            raise CallbackNotFound(callback_id)
        camp = rt.campaign(tx, row["campaign_id"])
        spec = callback_spec(camp)
        if spec is None:
            raise DefinitionError([f"专项行动 {camp.key} 的实施方案没有回访 (callbacks)"])
        check_actor(camp, actor)
        if actor.role != row["role"]:
            raise PermissionDeniedError(
                actor.name,
                actor.role,
                "回访",
                f"回访由{camp.roles[row['role']].label}办理 (只有举报信息保管人可以联系举报人)",
            )
        if row["state"] != "open":
            at = row["done_at"].astimezone(camp.tz)
            label = CALLBACK_RESULTS.get(row["result"] or "", "")
            raise InvalidInputError(
                "callback_id", f"回访任务 {callback_id} 已于 {at:%Y-%m-%d %H:%M} 回访 ({label})"
            )
        late = now.astimezone(camp.tz).date() > row["due"]
        values = {
            "state": "done",
            "result": code,
            "note": text,
            "late": late,
            "done_by": actor.name,
            "done_at": now,
        }
        if tx.run(rt.admin.callback_done, {"id": callback_id, **values}) != 1:
            raise InvalidInputError("callback_id", f"回访任务 {callback_id} 已被他人记录, 请刷新后查看")
        done = {**row, **values}
        arm_callback(rt, tx, camp, done, now)
        data: dict[str, Any] = {"callback": callback_id, "item": row["item_id"], "result": code, "late": late}
        if text is not None:
            data["note"] = text
        if code == "unsatisfied":
            data.update(_unsatisfied(rt, tx, camp, spec, done, actor, now))
        item = rt.load_item(tx, row["item_id"])
        queued = queue_messages(
            tx,
            rt.st,
            camp,
            [NotifySpec(message=spec.recorded, to="responsible_unit")],
            key=f"callback:{callback_id}:recorded",
            payload=callback_payload(camp, done, item),
            units={"responsible_unit": row["unit_id"]},
            item_id=None,
            now=now,
        )
        append_event(
            tx,
            rt.st,
            camp.id,
            item_id=None,
            trigger="record_callback",
            from_state="open",
            to_state="done",
            actor=actor,
            at=now,
            data=data,
            outbox=queued,
        )
    return _view(camp, {**done, **{k: item[k] for k in ("number", "title")}})


def _unsatisfied(
    rt: Runtime,
    tx: Tx,
    camp: Campaign,
    spec: CallbackSpec,
    cb: Mapping[str, Any],
    actor: Actor,
    now: dt.datetime,
) -> dict[str, Any]:
    """不满意: the item reopened by ``spec.trigger`` (when it is still closed), or queued for
    回头看; what the callback's event records of it."""
    item = rt.load_item(tx, cb["item_id"])
    today = now.astimezone(camp.tz).date()
    if spec.unsatisfied == "follow_up":
        rule = camp.setup.follow_up if camp.setup is not None else None
        if rule is None:
            raise DefinitionError([f"专项行动 {camp.key} 的实施方案没有回头看 (follow_up)"])
        earlier = tx.all(rt.admin.reviews_of_item, {"item_id": item["id"]})
        if any(r["state"] == "open" or r["draw_day"] == today for r in earlier):
            return {"outcome": "follow_up", "review_task": None}  # already queued
        due = add_days(camp.calendar, today, rule.days, rule.count)
        review = create_review(tx, rt.st, camp, rule, item["id"], today, due, now)
        return {"outcome": "follow_up", "review_task": review}
    t = camp.lifecycle.by_trigger_source.get((spec.trigger, item["state"]))
    if t is None:  # reopened already (a 回头看 finding, an earlier callback)
        return {"outcome": "reopen", "reopened": False}
    data: dict[str, Any] = {}
    words = f"举报人回访不满意 (回访任务 {cb['id']})"
    names = set(t.guards) | set(t.effects)
    data["finding" if "has_finding" in names else "reason" if "has_reason" in names else "note"] = words
    if item["due"] is None or item["due"] < today:
        probe: dict[str, Any] = {}
        due_by_rule(camp, item, probe, now)
        if "due" in probe:
            data["due"] = probe["due"]
    inputs = trigger_inputs(tx, rt.st, camp, t, data, now)
    after, _ = transition(rt, tx, camp, item, t, actor, inputs, now)
    return {"outcome": "reopen", "reopened": True, "state": after["state"]}


def _view(camp: Campaign, r: Mapping[Any, Any]) -> CallbackView:
    uid = r["unit_id"]
    return CallbackView(
        id=r["id"],
        campaign=camp.key,
        item_id=r["item_id"],
        item_number=r["number"],
        title=r["title"],
        unit=None if uid is None else camp.unit_keys[uid],
        unit_name=None if uid is None else camp.unit_names[uid],
        role=r["role"],
        due=r["due"],
        state=r["state"],
        state_label=CALLBACK_STATES[r["state"]],
        result=r["result"],
        result_label=None if r["result"] is None else CALLBACK_RESULTS[r["result"]],
        note=r["note"],
        late=bool(r["late"]),
        light=r["light"],
        escalation_level=r["escalation_level"],
        done_by=r["done_by"],
        done_at=r["done_at"],
        created_at=r["created_at"],
    )


def callbacks(
    rt: Runtime,
    campaign: str | int,
    *,
    state: str | None = None,
    unit: str | None = None,
    item_id: int | None = None,
) -> list[CallbackView]:
    """The campaign's callback tasks, oldest first: ``state`` open / done, of one ``unit`` (the
    unit answerable when the item was closed), of one item."""
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        query = select(CALLBACK, ITEM.c.number, ITEM.c.title).join(ITEM, ITEM.c.id == CALLBACK.c.item_id)
        query = query.where(CALLBACK.c.campaign_id == camp.id)
        if state is not None:
            query = query.where(CALLBACK.c.state == checked_choice("state", state, CALLBACK_STATES))
        if unit is not None:
            query = query.where(CALLBACK.c.unit_id == unit_id_of(camp, unit))
        if item_id is not None:
            check_id("item_id", item_id, "问题")
            query = query.where(CALLBACK.c.item_id == item_id)
        rows = conn.execute(query.order_by(CALLBACK.c.id)).mappings().all()
    return [_view(camp, r) for r in rows]


def satisfaction(rt: Runtime, campaign: str | int, *, unit: str | None = None) -> list[SatisfactionView]:
    """回访 results per unit (the unit answerable when the item was closed), in the definition's
    unit order, units without a callback left out, then the campaign's total (``unit`` None);
    with ``unit``, that unit's row only. ``rate`` = (满意 + 基本满意) / 回访数."""
    views = callbacks(rt, campaign, unit=unit)
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
    out: list[SatisfactionView] = []
    for key in camp.unit_ids:
        mine = [v for v in views if v.unit == key]
        if mine:
            out.append(_tally(key, camp.unit_names[camp.unit_ids[key]], mine))
    if unit is None:
        out.append(_tally(None, "合计", views))
    return out


def _tally(unit: str | None, name: str, views: list[CallbackView]) -> SatisfactionView:
    results = [v.result for v in views if v.state == "done"]
    called = len(results)
    satisfied, basically = results.count("satisfied"), results.count("basically_satisfied")
    return SatisfactionView(
        unit=unit,
        unit_name=name,
        called=called,
        satisfied=satisfied,
        basically=basically,
        unsatisfied=results.count("unsatisfied"),
        open=len(views) - called,
        rate=None if called == 0 else (satisfied + basically) / called,
    )
