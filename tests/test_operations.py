"""Inputs of the named operations: remarks (note) reach the audit trail; unknown fields are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from zhenggai.engine import (
    CampaignView,
    DefinitionError,
    Engine,
    GuardFailedError,
    InvalidInputError,
    TransitionNotAllowedError,
    VirtualClock,
)
from zhenggai.workflows import load_setup

UNIT = "housing_construction_bureau"


def _report(engine: Engine, campaign: CampaignView, actors: type) -> int:
    return engine.report(
        campaign.key,
        actors.office,
        title="审批超时",
        description="施工许可审批超时",
        track="construction",
        channel="hotline",
    ).id


def test_named_operations_record_their_note(engine: Engine, campaign: CampaignView, actors: type) -> None:
    """A note given to a named operation is kept in that operation's audit event."""
    item = _report(engine, campaign, actors)
    engine.assign(item, actors.office, unit=UNIT, due="2023-08-15", note="请于月中前反馈")
    engine.add_measure(item, actors.unit(), text="限时办结")
    engine.start_rectification(item, actors.unit(), note="已成立专班")
    notes = {e.trigger: e.data.get("note") for e in engine.events(item)}
    assert notes["assign"] == "请于月中前反馈"
    assert notes["start_rectification"] == "已成立专班"


def test_unknown_field_is_refused_even_when_empty(
    engine: Engine, campaign: CampaignView, actors: type
) -> None:
    """fire() names a field the trigger does not take, even if its value is None; nothing changes."""
    item = _report(engine, campaign, actors)
    with pytest.raises(InvalidInputError) as err:
        engine.fire(item, "assign", actors.office, unit=UNIT, due="2023-08-15", finding=None)
    assert err.value.field == "finding"
    assert engine.item(item).state == "identified"
    assert engine.item(item).version == 1


def _closed(engine: Engine, campaign: CampaignView, actors: type, due: str = "2023-07-20") -> int:
    """An item taken through the whole lifecycle to closed, due on ``due``."""
    item = _report(engine, campaign, actors)
    bureau = actors.unit()
    engine.assign(item, actors.office, unit=UNIT, due=due)
    measure = engine.add_measure(item, bureau, text="限时办结")
    engine.start_rectification(item, bureau)
    engine.complete_measure(measure.id, bureau)
    engine.submit_for_verification(item, bureau)
    engine.verify(item, actors.office)
    engine.close(item, actors.office)
    return item


def test_reopen_after_the_due_date_needs_a_new_one(
    engine: Engine, campaign: CampaignView, actors: type, clock: VirtualClock
) -> None:
    """回头看 after the old due date has passed is refused by due_not_passed, and goes through
    with a new due date, which the item then carries (and its deadline step follows)."""
    item = _closed(engine, campaign, actors)
    clock.advance(dt.timedelta(days=60))  # 2023-09-01: the old due (07-20) has passed
    before = engine.item(item)
    with pytest.raises(GuardFailedError) as err:
        engine.follow_up_review(item, actors.supervision, finding="回头看发现反弹")
    assert err.value.guard == "due_not_passed"
    assert "已过" in str(err.value)
    assert engine.item(item) == before
    reopened = engine.follow_up_review(item, actors.supervision, finding="回头看发现反弹", due="2023-10-09")
    assert reopened.state == "rectifying"
    assert reopened.due == dt.date(2023, 10, 9)
    assert engine.events(item)[-1].data["due"] == "2023-10-09"


def test_reopen_before_the_due_date_keeps_it(engine: Engine, campaign: CampaignView, actors: type) -> None:
    """回头看 while the due date is still ahead needs no new one."""
    item = _closed(engine, campaign, actors, due="2023-12-29")
    reopened = engine.follow_up_review(item, actors.supervision, finding="回头看发现反弹")
    assert reopened.due == dt.date(2023, 12, 29)


@pytest.mark.parametrize("stage", ["submitted", "verified"])
def test_measures_are_frozen_once_verification_is_asked(
    engine: Engine, campaign: CampaignView, actors: type, stage: str
) -> None:
    """The built-in lifecycle's measure_states: no new or completed measure once the unit has
    asked for verification (so a verified item cannot carry an open measure)."""
    item = _report(engine, campaign, actors)
    bureau = actors.unit()
    engine.assign(item, actors.office, unit=UNIT, due="2023-08-15")
    done = engine.add_measure(item, bureau, text="限时办结")
    engine.start_rectification(item, bureau)
    engine.complete_measure(done.id, bureau)
    engine.submit_for_verification(item, bureau)
    if stage == "verified":
        engine.verify(item, actors.office)
    with pytest.raises(TransitionNotAllowedError) as err:
        engine.add_measure(item, bureau, text="补一项")
    assert err.value.state == stage
    assert "添加整改措施" in str(err.value)


def test_measure_states_must_name_known_open_states(engine: Engine) -> None:
    """A lifecycle whose measure_states names an unknown or a final state is refused whole."""
    setup = load_setup("county_2023")
    lifecycle = setup.lifecycle.model_copy(update={"measure_states": ["rectifying", "limbo", "closed"]})
    with pytest.raises(DefinitionError) as err:
        engine.start_campaign(setup.model_copy(update={"lifecycle": lifecycle}), key="bad")
    text = str(err.value)
    assert "未知状态 limbo" in text and "终止状态 closed" in text


def test_reassign_after_the_due_date_needs_a_new_one(
    engine: Engine, campaign: CampaignView, actors: type, clock: VirtualClock
) -> None:
    """改派 once the due date has passed is refused by due_not_passed; with a new date it goes."""
    item = _report(engine, campaign, actors)
    engine.assign(item, actors.office, unit=UNIT, due="2023-07-10")
    clock.advance(dt.timedelta(days=14))
    with pytest.raises(GuardFailedError) as err:
        engine.reassign(item, actors.office, unit="government_office")
    assert err.value.guard == "due_not_passed"
    moved = engine.reassign(item, actors.office, unit="government_office", due="2023-08-31")
    assert (moved.unit, moved.due) == ("government_office", dt.date(2023, 8, 31))
