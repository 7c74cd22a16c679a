"""回头看 as work: the review tasks each draw creates, their ladder, and what reviewers do.

Each 回头看 draw (:mod:`._campaign_steps`) gives every drawn item a review task (``zg_review``)
for the holders of ``follow_up.role``, due ``follow_up.days`` after the draw, and tells them
which items were drawn in one message (never the units: a 回头看 is not announced). An open
task runs on the ladder ``follow_up.ladder`` (steps of subject ``review``, swept like a
document's). A reviewer confirms the rectification, or records a finding: the item is reopened
by ``follow_up.trigger`` (回头看重新整改) in the same transaction, with a new due date when its
own has passed (given, or ``follow_up.days`` from today).

With ``follow_up.every`` the draw is repeated within the phase over the items that entered
``follow_up.states`` since the previous draw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from zhenggai.workflows.schema import FollowUpSpec, LadderSpec, NotifySpec

from ._access import check_actor
from ._inputs import check_id, checked_choice, checked_due, checked_text
from ._raw import Tx
from ._runtime import Runtime
from ._statements import ITEM, REVIEW, Statements
from ._steps import SweepReport, Wanted, _ladder_wanted, reconcile_steps, start_of
from ._task_steps import settle_task_steps
from ._writes import WEEKDAYS, Campaign, append_event, queue_messages
from .deadlines import add_days, recurring, stated_day
from .errors import ConflictError, DefinitionError, InvalidInputError, PermissionDeniedError, ReviewNotFound
from .views import Actor, ReviewView

__all__ = [
    "REVIEW_STATES",
    "complete_follow_up",
    "create_review",
    "create_reviews",
    "fire_review_steps",
    "follow_up_days",
    "follow_ups",
    "review_ladder",
    "review_wanted",
]

#: A review task's states, as officials read them.
REVIEW_STATES = {"open": "待回头看", "confirmed": "整改到位", "finding": "发现问题, 重新整改"}


def follow_up_days(camp: Campaign, rule: FollowUpSpec) -> list[dt.date]:
    """The days (as the definition states them) of the 回头看 draws: the first day of
    ``rule.phase``, then every ``rule.every`` after it within the phase."""
    assert camp.setup is not None
    phase = next(p for p in camp.setup.phases if p.id == rule.phase)
    if rule.every is None:
        return [phase.start]
    return recurring(phase.start, phase.end, rule.every)


def review_ladder(camp: Campaign) -> LadderSpec | None:
    rule = camp.setup.follow_up if camp.setup is not None else None
    if rule is None or rule.ladder is None:
        return None
    return camp.ladders.get(rule.ladder)


def draw_population(
    tx: Tx, st: Statements, camp: Campaign, rule: FollowUpSpec, day: str
) -> list[tuple[int, str | None, int]]:
    """What a draw of ``day`` (the step key's date) draws from: the items in ``rule.states``;
    for a later draw, only those that entered them since the previous draw."""
    days = follow_up_days(camp, rule)
    stated = dt.date.fromisoformat(day)
    earlier = [d for d in days if d < stated]
    since = start_of(camp, stated_day(camp.calendar, earlier[-1])) if earlier else None
    return [
        (
            r["id"],
            camp.unit_keys.get(r["responsible_unit_id"]) if r["responsible_unit_id"] else None,
            r["escalation_level"],
        )
        for r in tx.all(st.items_of_campaign, {"cid": camp.id})
        if r["state"] in rule.states
        and (since is None or (r["state_since"] is not None and r["state_since"] >= since))
    ]


def create_reviews(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    rule: FollowUpSpec,
    sample: Sequence[int],
    day: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """One review task per drawn item, armed on the review ladder, and one message to the
    reviewers listing the items; what the draw's event records of it."""
    draw_day = stated_day(camp.calendar, dt.date.fromisoformat(day))
    due = add_days(camp.calendar, max(draw_day, now.astimezone(camp.tz).date()), rule.days, rule.count)
    items = {r["id"]: r for r in tx.all(st.items_of_campaign, {"cid": camp.id}) if r["id"] in set(sample)}
    reviews = [create_review(tx, st, camp, rule, item_id, draw_day, due, now) for item_id in sample]
    lines = [
        f"{k}. {items[i]['number'] or f'#{i}'} {items[i]['title']} ({_unit_name(camp, items[i])})"
        for k, i in enumerate(sample, 1)
    ]
    payload = {
        "campaign": camp.view.title,
        "draw_day": draw_day.isoformat(),
        "count": len(sample),
        "due": due.isoformat(),
        "due_weekday": WEEKDAYS[due.weekday()],
        "items": "\n".join(lines) if lines else "本次没有抽中的问题",
    }
    queued = queue_messages(
        tx,
        st,
        camp,
        [NotifySpec(message=rule.message, to=rule.role)],
        key=f"campaign:{camp.id}:follow_up_draw@{day}",
        payload=payload,
        units={},
        item_id=None,
        now=now,
    )
    return {"reviews": reviews, "due": due.isoformat(), "outbox": queued}


def create_review(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    rule: FollowUpSpec,
    item_id: int,
    draw_day: dt.date,
    due: dt.date,
    now: dt.datetime,
) -> int:
    """One review task of item ``item_id`` for ``rule.role`` (drawn on ``draw_day``, due
    ``due``), armed on the review ladder: a draw's, or a 回访不满意's (:mod:`._callbacks`)."""
    values: dict[str, Any] = {
        "campaign_id": camp.id,
        "item_id": item_id,
        "draw_day": draw_day,
        "role": rule.role,
        "due": due,
        "state": "open",
        "finding": None,
        "light": "green",
        "escalation_level": 0,
        "done_by": None,
        "done_at": None,
        "created_at": now,
    }
    values["id"] = tx.scalar(st.review_insert, values)
    _arm(tx, st, camp, values, now)
    return int(values["id"])


def _unit_name(camp: Campaign, item: Mapping[str, Any]) -> str:
    uid = item["responsible_unit_id"]
    return camp.unit_names[uid] if uid is not None else "未交办"


def _wanted(camp: Campaign, row: Mapping[str, Any]) -> Wanted:
    ladder = review_ladder(camp)
    if ladder is None or row["state"] != "open":
        return {}
    return _ladder_wanted(camp, ladder, row["due"])


def review_wanted(rt: Runtime, tx: Tx, sid: int) -> Wanted:
    """The steps review task ``sid`` should have (the calendar as it is now)."""
    row = tx.one(rt.st.review, {"id": sid})
    return {} if row is None else _wanted(rt.campaign(tx, row["campaign_id"]), row)


def _arm(tx: Tx, st: Statements, camp: Campaign, row: Mapping[str, Any], now: dt.datetime) -> None:
    if review_ladder(camp) is None:
        return
    existing = {r["step_key"]: r for r in tx.all(st.review_steps, {"sid": row["id"]})}
    reconcile_steps(tx, st, camp, "review", row["id"], existing, _wanted(camp, row), now)


def _payload(camp: Campaign, row: Mapping[str, Any], item: Mapping[str, Any]) -> dict[str, Any]:
    """What every message about a review task gets (``MESSAGE_SOURCES["review"]``)."""
    return {
        "campaign": camp.view.title,
        "review_id": row["id"],
        "item_id": row["item_id"],
        "title": item["title"],
        "unit_name": _unit_name(camp, item),
        "draw_day": row["draw_day"].isoformat(),
        "due": row["due"].isoformat(),
        "due_weekday": WEEKDAYS[row["due"].weekday()],
    }


def fire_review_steps(
    rt: Runtime, tx: Tx, sid: int, claimed: list[Any], now: dt.datetime, report: SweepReport
) -> None:
    """Settle a review task's claimed ladder steps (the sweep's ``review`` subjects): none
    fires once the task is done."""
    st = rt.st
    row = tx.one(st.review, {"id": sid})
    assert row is not None
    camp = rt.campaign(tx, row["campaign_id"])
    item = rt.load_item(tx, row["item_id"])
    settle_task_steps(
        tx,
        st,
        camp,
        "review",
        row,
        review_ladder(camp),
        _wanted(camp, row),
        st.review_level,
        lambda after: _payload(camp, after, item),
        claimed,
        now,
        report,
    )


# ------------------------------------------------------------------------------- operations


def _view(camp: Campaign, r: Mapping[str, Any]) -> ReviewView:
    uid = r["responsible_unit_id"]
    return ReviewView(
        id=r["id"],
        campaign=camp.key,
        item_id=r["item_id"],
        item_number=r["number"],
        title=r["title"],
        unit=camp.unit_keys[uid] if uid is not None else None,
        unit_name=camp.unit_names[uid] if uid is not None else None,
        draw_day=r["draw_day"],
        role=r["role"],
        due=r["due"],
        state=r["state"],
        state_label=REVIEW_STATES.get(r["state"], r["state"]),
        finding=r["finding"],
        light=r["light"],
        escalation_level=r["escalation_level"],
        done_by=r["done_by"],
        done_at=r["done_at"],
    )


def _query() -> Any:
    return select(REVIEW, ITEM.c.number, ITEM.c.title, ITEM.c.responsible_unit_id).join(
        ITEM, ITEM.c.id == REVIEW.c.item_id
    )


def follow_ups(rt: Runtime, campaign: str | int, *, state: str | None = None) -> list[ReviewView]:
    """The campaign's review tasks, by draw and item; ``state`` open / confirmed / finding."""
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        query = _query().where(REVIEW.c.campaign_id == camp.id)
        if state is not None:
            query = query.where(REVIEW.c.state == checked_choice("state", state, REVIEW_STATES))
        rows = conn.execute(query.order_by(REVIEW.c.draw_day, REVIEW.c.item_id)).mappings().all()
        return [_view(camp, dict(r)) for r in rows]


def complete_follow_up(
    rt: Runtime,
    review_id: int,
    actor: Actor,
    *,
    finding: str | None = None,
    confirmed: bool = False,
    due: dt.date | str | None = None,
) -> ReviewView:
    """The reviewer's result: ``confirmed`` (整改到位) or a ``finding`` that reopens the item."""
    from ._transitions import fire_in  # the item lifecycle's write path (imports this module's peers)

    check_id("review_id", review_id, "回头看任务")
    if (finding is None) == (not confirmed):
        raise InvalidInputError(
            "finding", "须填写回头看发现 (--finding) 或确认整改到位 (--confirmed), 二者选一"
        )
    if confirmed and due is not None:
        raise InvalidInputError("due", "确认整改到位时无须新的整改时限")
    now = rt.now()
    st = rt.st
    with rt.store.transaction() as tx:
        row = tx.one(st.review, {"id": review_id})
        if row is None:
            raise ReviewNotFound(review_id)
        camp = rt.campaign(tx, row["campaign_id"])
        rule = camp.setup.follow_up if camp.setup is not None else None
        if rule is None:
            raise DefinitionError([f"专项行动 {camp.key} 的实施方案没有回头看 (follow_up)"])
        check_actor(camp, actor)
        if actor.role != row["role"]:
            raise PermissionDeniedError(
                actor.name, actor.role, "回头看", f"回头看由 {camp.roles[row['role']].label} 办理"
            )
        if row["state"] != "open":
            raise InvalidInputError(
                "review_id", f"回头看任务 {review_id} 已办结 ({REVIEW_STATES[row['state']]})"
            )
        data: dict[str, Any] = {"review": review_id, "item": row["item_id"]}
        if finding is not None:
            text = checked_text("finding", finding)
            inputs: dict[str, Any] = {"finding": text}
            if due is not None:
                inputs["due"] = checked_due(due, camp, now, "due")
            else:
                item = rt.load_item(tx, row["item_id"])
                today = now.astimezone(camp.tz).date()
                if item["due"] is None or item["due"] < today:
                    inputs["due"] = add_days(camp.calendar, today, rule.days, rule.count)
            fire_in(rt, tx, row["item_id"], rule.trigger, actor, None, inputs, now)
            state, data["finding"] = "finding", text
        else:
            state, text = "confirmed", None
        values = {"id": review_id, "state": state, "finding": text, "done_by": actor.name, "done_at": now}
        if tx.run(st.review_done, values) != 1:
            raise ConflictError(review_id, 0, None)
        after = {**row, **values}
        _arm(tx, st, camp, after, now)
        data["result"] = state
        append_event(
            tx,
            st,
            camp.id,
            item_id=None,
            trigger="complete_follow_up",
            from_state="open",
            to_state=state,
            actor=actor,
            at=now,
            data=data,
        )
        item_row = rt.load_item(tx, row["item_id"])
    return _view(camp, {**after, **{k: item_row[k] for k in ("number", "title", "responsible_unit_id")}})
