"""回访 tasks (issue 17, ``callbacks``): the callback task an item with a reporter gets when it is
closed (销号), in the closing transition's transaction (:func:`open_callback`, called by
:mod:`._transitions`), and its ladder (steps of subject ``callback``, swept like a 回头看 task's).
Recording a callback and the views are :mod:`._callbacks`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from zhenggai.workflows.schema import CALLBACK_RESULTS, CallbackSpec, LadderSpec, NotifySpec

from ._raw import Tx
from ._rows import ItemRow
from ._runtime import Runtime
from ._steps import SYSTEM, SweepReport, Wanted, _ladder_wanted, reconcile_steps
from ._task_steps import settle_task_steps
from ._writes import WEEKDAYS, Campaign, append_event, item_payload, queue_messages
from .deadlines import add_days

__all__ = [
    "arm_callback",
    "callback_ladder",
    "callback_payload",
    "callback_spec",
    "callback_wanted",
    "fire_callback_steps",
    "open_callback",
]


def callback_spec(camp: Campaign) -> CallbackSpec | None:
    return camp.setup.callbacks if camp.setup is not None else None


def callback_ladder(camp: Campaign) -> LadderSpec | None:
    spec = callback_spec(camp)
    return None if spec is None or spec.ladder is None else camp.ladders.get(spec.ladder)


def callback_payload(camp: Campaign, cb: Mapping[str, Any], item: Mapping[str, Any]) -> dict[str, Any]:
    """What every message about a callback gets (``MESSAGE_SOURCES["callback"]``): the item's
    variables and the task's; never the reporter."""
    due = cb["due"]
    result = cb.get("result")
    return {
        **item_payload(camp, item),
        "callback_id": cb["id"],
        "callback_due": due.isoformat(),
        "callback_due_weekday": WEEKDAYS[due.weekday()],
        "result": result,
        "result_label": None if result is None else CALLBACK_RESULTS[result],
    }


def open_callback(rt: Runtime, tx: Tx, camp: Campaign, after: ItemRow, now: dt.datetime) -> int | None:
    """In the closing transition's transaction: the callback task of the item just closed
    (``after``), when the campaign has callbacks and the item a reporter; its id, else None."""
    spec = callback_spec(camp)
    if spec is None or not after["has_reporter"]:
        return None
    today = now.astimezone(camp.tz).date()
    values: dict[str, Any] = {
        "campaign_id": camp.id,
        "item_id": after["id"],
        "unit_id": after["responsible_unit_id"],
        "role": spec.role,
        "due": add_days(camp.calendar, today, spec.within.days, spec.within.count),
        "state": "open",
        "result": None,
        "note": None,
        "late": False,
        "light": "green",
        "escalation_level": 0,
        "done_by": None,
        "done_at": None,
        "created_at": now,
    }
    values["id"] = tx.scalar(rt.admin.callback_insert, values)
    arm_callback(rt, tx, camp, values, now)
    queued = queue_messages(
        tx,
        rt.st,
        camp,
        [NotifySpec(message=spec.requested, to=spec.role)],
        key=f"callback:{values['id']}:requested",
        payload=callback_payload(camp, values, after),
        units={},
        item_id=None,
        now=now,
    )
    append_event(
        tx,
        rt.st,
        camp.id,
        item_id=None,
        trigger="callback_requested",
        from_state=None,
        to_state="open",
        actor=SYSTEM,
        at=now,
        data={
            "callback": values["id"],
            "item": after["id"],
            "role": spec.role,
            "due": values["due"].isoformat(),
        },
        outbox=queued,
    )
    return int(values["id"])


# ------------------------------------------------------------------------------------ ladder


def _wanted(camp: Campaign, row: Mapping[str, Any]) -> Wanted:
    ladder = callback_ladder(camp)
    if ladder is None or row["state"] != "open":
        return {}
    return _ladder_wanted(camp, ladder, row["due"])


def callback_wanted(rt: Runtime, tx: Tx, sid: int) -> Wanted:
    """The steps callback task ``sid`` should have (the calendar as it is now)."""
    row = tx.one(rt.admin.callback, {"id": sid})
    return {} if row is None else _wanted(rt.campaign(tx, row["campaign_id"]), row)


def arm_callback(rt: Runtime, tx: Tx, camp: Campaign, row: Mapping[str, Any], now: dt.datetime) -> None:
    existing = {r["step_key"]: r for r in tx.all(rt.admin.callback_steps, {"sid": row["id"]})}
    if existing or callback_ladder(camp) is not None:
        reconcile_steps(tx, rt.st, camp, "callback", row["id"], existing, _wanted(camp, row), now)


def fire_callback_steps(
    rt: Runtime, tx: Tx, sid: int, claimed: list[Any], now: dt.datetime, report: SweepReport
) -> None:
    """Settle a callback task's claimed ladder steps (the sweep's ``callback`` subjects): none
    fires once the callback is recorded. The steps' messages go to roles only."""
    row = tx.one(rt.admin.callback, {"id": sid})
    assert row is not None
    camp = rt.campaign(tx, row["campaign_id"])
    item = rt.load_item(tx, row["item_id"])
    settle_task_steps(
        tx,
        rt.st,
        camp,
        "callback",
        row,
        callback_ladder(camp),
        _wanted(camp, row),
        rt.admin.callback_level,
        lambda after: callback_payload(camp, after, item),
        claimed,
        now,
        report,
        {"item": row["item_id"]},
    )
