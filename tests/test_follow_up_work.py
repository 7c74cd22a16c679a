"""回头看 as work (issue 16, point 3): each draw gives every drawn item a review task for the
reviewers (``follow_up.role``), due ``follow_up.days`` later and on the review ladder; the
reviewers get one message listing the drawn items, no unit is told; a finding reopens the item
(回头看重新整改), a confirmation closes the task; items closed after a draw enter the next
monthly draw. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from zhenggai.engine import Actor, CampaignView, Engine, NewContact, VirtualClock
from zhenggai.engine.errors import InvalidInputError, PermissionDeniedError, ReviewNotFound
from zhenggai.workflows import load_setup

from tests.test_campaign_steps import (
    OFFICE,
    SUPERVISION,
    UNITS,
    at,
    close,
    events,
    rectifying,
    without_duties,
)

pytestmark = pytest.mark.storage


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(at("2023-06-01", 0, 0))


@pytest.fixture
def campaign(engine: Engine) -> CampaignView:
    camp = engine.start_campaign(without_duties(load_setup("county_2023")), key="test")
    engine.add_contact(
        camp.key,
        OFFICE,
        NewContact(
            unit="discipline_commission", name="孙干事", role="leading_group_office", mobile="13800000009"
        ),
    )
    return camp


def drawn(engine: Engine, clock: VirtualClock) -> list[int]:
    """Closed items in four units, swept past the first 回头看 draw (2023-09-01)."""
    closed = [close(engine, rectifying(engine, unit)) for unit in UNITS for _ in range(3)]
    clock.set(at("2023-09-01", 0, 5))
    engine.sweep()
    return closed


def test_a_draw_creates_review_tasks_and_tells_only_the_reviewers(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    closed = drawn(engine, clock)
    (draw,) = events(engine, "follow_up_draw")
    tasks = engine.follow_ups("test")
    assert sorted(t.item_id for t in tasks) == sorted(draw["sample"]) and draw["reviews"] == [
        t.id for t in tasks
    ]
    assert set(draw["sample"]) <= set(closed)
    assert {t.state for t in tasks} == {"open"} and {t.role for t in tasks} == {"leading_group_office"}
    # 20 working days after Friday 9-01 (National Day off, Saturday 10-07 a make-up working day)
    assert {t.due for t in tasks} == {dt.date(2023, 10, 7)}
    (message,) = [m for m in engine.outbox("test") if m.kind == "follow_up_drawn"]
    assert message.recipient == "13800000009" and message.payload["count"] == len(tasks)
    for task in tasks:
        assert task.title in message.payload["items"]
    assert not [
        m for m in engine.outbox("test") if m.kind == "follow_up_drawn" and m.recipient.startswith("unit:")
    ]


def test_a_finding_reopens_the_item_and_a_confirmation_closes_the_task(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    drawn(engine, clock)
    first, second, *_ = engine.follow_ups("test", state="open")
    done = engine.complete_follow_up(first.id, OFFICE, finding="整改台账与现场不符")
    assert done.state == "finding" and done.finding == "整改台账与现场不符" and done.done_by == "王主任"
    item = engine.item(first.item_id)
    assert item.state == "rectifying" and item.due is not None and item.due > dt.date(2023, 9, 1)
    assert [e.trigger for e in engine.events(first.item_id)][-1] == "follow_up_review"
    ok = engine.complete_follow_up(second.id, OFFICE, confirmed=True)
    assert ok.state == "confirmed" and engine.item(second.item_id).state == "closed"
    assert {t.id for t in engine.follow_ups("test", state="open")}.isdisjoint({first.id, second.id})
    results = [e.data for e in engine.events(campaign="test") if e.trigger == "complete_follow_up"]
    assert [(r["review"], r["result"]) for r in results] == [(first.id, "finding"), (second.id, "confirmed")]


def test_refusals_change_nothing(engine: Engine, campaign: CampaignView, clock: VirtualClock) -> None:
    drawn(engine, clock)
    task = engine.follow_ups("test")[0]
    with pytest.raises(PermissionDeniedError, match="无权操作"):
        engine.complete_follow_up(task.id, SUPERVISION, confirmed=True)
    with pytest.raises(PermissionDeniedError):
        engine.complete_follow_up(task.id, Actor("李科长", "responsible", UNITS[0]), confirmed=True)
    with pytest.raises(InvalidInputError, match="二者选一"):
        engine.complete_follow_up(task.id, OFFICE)
    with pytest.raises(InvalidInputError, match="二者选一"):
        engine.complete_follow_up(task.id, OFFICE, finding="x", confirmed=True)
    with pytest.raises(InvalidInputError, match="整改时限"):
        engine.complete_follow_up(task.id, OFFICE, finding="未整改", due="2023-08-01")
    with pytest.raises(ReviewNotFound, match="回头看任务不存在"):
        engine.complete_follow_up(99999, OFFICE, confirmed=True)
    assert engine.follow_ups("test")[0].state == "open" and engine.item(task.item_id).state == "closed"
    engine.complete_follow_up(task.id, OFFICE, confirmed=True)
    with pytest.raises(InvalidInputError, match="已办结"):
        engine.complete_follow_up(task.id, OFFICE, finding="再查")


def test_an_overdue_task_goes_on_the_review_ladder(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    drawn(engine, clock)
    task = engine.follow_ups("test")[0]
    engine.complete_follow_up(task.id, OFFICE, confirmed=True)  # done: off the ladder
    clock.set(at("2023-09-27", 9, 0))  # three working days before 10-07: the reminder
    engine.sweep()
    assert {t.light for t in engine.follow_ups("test", state="open")} == {"green"}
    clock.set(at("2023-10-13", 9, 0))  # past the red light, one working day after 10-07
    engine.sweep()
    open_tasks = engine.follow_ups("test", state="open")
    assert open_tasks and {t.light for t in open_tasks} == {"red"}
    assert engine.follow_ups("test", state="confirmed")[0].light == "green"
    steps = [e.data for e in engine.events(campaign="test") if e.trigger == "review_step"]
    assert {d["review"] for d in steps} == {t.id for t in open_tasks}
    assert {d["step"] for d in steps} == {"reminder", "red"}
    overdue = [m for m in engine.outbox("test") if m.kind == "review_overdue"]
    assert overdue and {m.recipient for m in overdue} == {"13800000009"}


def test_items_closed_after_a_draw_enter_the_next_monthly_draw(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    first = set(drawn(engine, clock))
    later = [close(engine, rectifying(engine, unit, due="2023-09-28")) for unit in UNITS]
    clock.set(at("2023-10-01", 0, 5))  # the monthly draw of 10-01 (National Day) waits
    engine.sweep()
    assert len(events(engine, "follow_up_draw")) == 1
    clock.set(at("2023-10-07", 0, 5))  # for the next working day (a make-up Saturday)
    engine.sweep()
    draws = events(engine, "follow_up_draw")
    assert [d["day"] for d in draws] == ["2023-09-01", "2023-10-01"]
    assert sorted(draws[1]["population"]) == sorted(later) and not set(draws[1]["sample"]) & first
    assert set(draws[1]["sample"]) == set(later)  # at least one per unit: every one of them here
    assert {t.draw_day for t in engine.follow_ups("test") if t.item_id in later} == {dt.date(2023, 10, 7)}
