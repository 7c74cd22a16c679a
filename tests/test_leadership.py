"""领衔 as an operation (issue 16): ``Engine.lead_item`` / ``zhenggai item lead`` by the role
``leadership.decided_by``, within the dates of ``leadership.phase`` (plus ``grace_days``
working days), naming a roster person of ``leadership.roles``; refused otherwise with nothing
changed; the free-text 领衔领导 is no input any more. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest
from zhenggai.engine import (
    Actor,
    CampaignView,
    Engine,
    InvalidInputError,
    NewContact,
    NewItem,
    PermissionDeniedError,
    VirtualClock,
)
from zhenggai.engine.errors import ImportRejected
from zhenggai.testing import items_only
from zhenggai.workflows import load_setup

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
DECIDER = Actor("孙组长", "business_environment_group")
UNIT = "housing_construction_bureau"


def at(day: str, hh: int = 9, mm: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hh, minute=mm, tzinfo=SHANGHAI)


@pytest.fixture
def campaign(engine: Engine) -> CampaignView:
    return engine.start_campaign(items_only(load_setup("county_2023")), key="test")


def contact(engine: Engine, name: str, role: str, unit: str = "government_office") -> int:
    return engine.add_contact(
        "test", OFFICE, NewContact(unit=unit, name=name, role=role, mobile="13800138000")
    ).id


def item(engine: Engine) -> int:
    return engine.report(
        "test",
        OFFICE,
        title="招商承诺未兑现",
        description="承诺的补贴未发放",
        track="construction",
        channel="hotline",
    ).id


def test_lead_sets_the_leader_audits_the_id_and_tells_the_leader(
    engine: Engine, campaign: CampaignView
) -> None:
    leader = contact(engine, "钱副县长", "county_leader")
    problem = item(engine)
    view = engine.lead_item(problem, DECIDER, leader=leader)
    assert view.leading_official == "钱副县长"
    event = [e for e in engine.events(problem) if e.trigger == "lead"][-1]
    assert event.data["leader"] == leader and "钱副县长" not in json.dumps(event.data, ensure_ascii=False)
    (told,) = [m for m in engine.outbox("test") if m.kind == "item_led"]
    assert told.idempotency_key.endswith(f":contact:{leader}") and told.recipient == "13800138000"
    assert engine.verify_audit("test").ok


@pytest.mark.parametrize(
    ("when", "allowed"),
    [("2023-07-03", True), ("2023-07-31", True), ("2023-08-07", True), ("2023-08-08", False)],
)
def test_lead_only_within_the_phase_and_its_grace_days(
    engine: Engine, campaign: CampaignView, clock: VirtualClock, when: str, allowed: bool
) -> None:
    """问题查摆阶段 2023-07-01..07-31, plus 5 working days (县定): through 2023-08-07."""
    leader = contact(engine, "钱副县长", "county_leader")
    problem = item(engine)
    clock.set(at(when))
    if allowed:
        assert engine.lead_item(problem, DECIDER, leader=leader).leading_official == "钱副县长"
    else:
        with pytest.raises(InvalidInputError, match="只能在 2023-07-01 至 2023-08-07 确定"):
            engine.lead_item(problem, DECIDER, leader=leader)
        assert engine.item(problem).leading_official is None


def test_lead_refused_before_the_phase(engine: Engine) -> None:
    setup = items_only(load_setup("county_2023"))
    assert setup.leadership is not None
    later = setup.model_copy(
        update={
            "leadership": setup.leadership.model_copy(update={"phase": "consolidation", "research": None})
        }
    )
    engine.start_campaign(later, key="test")
    leader = contact(engine, "钱副县长", "county_leader")
    with pytest.raises(InvalidInputError, match="只能在 2023-09-01 至 2024-01-08 确定"):
        engine.lead_item(item(engine), DECIDER, leader=leader)


def test_lead_refusals_change_nothing(engine: Engine, campaign: CampaignView) -> None:
    plain = contact(engine, "李科长", "contact", UNIT)
    leader = contact(engine, "钱副县长", "county_leader")
    gone = contact(engine, "周副县长", "county_leader")
    engine.remove_contact(gone, OFFICE)
    problem = item(engine)
    with pytest.raises(PermissionDeniedError):
        engine.lead_item(problem, OFFICE, leader=leader)
    with pytest.raises(InvalidInputError, match="角色不能领衔"):
        engine.lead_item(problem, DECIDER, leader=plain)
    with pytest.raises(InvalidInputError, match="已移除"):
        engine.lead_item(problem, DECIDER, leader=gone)
    engine.fire(problem, "dismiss", OFFICE, reason="不属实")
    with pytest.raises(InvalidInputError, match="已撤销"):
        engine.lead_item(problem, DECIDER, leader=leader)
    view = engine.item(problem)
    assert view.leading_official is None
    assert not [e for e in engine.events(problem) if e.trigger == "lead"]
    assert not [m for m in engine.outbox("test") if m.kind == "item_led"]


def test_free_text_leader_is_no_input_any_more(engine: Engine, campaign: CampaignView) -> None:
    problem = item(engine)
    with pytest.raises(InvalidInputError, match="zhenggai item lead"):
        engine.assign(problem, OFFICE, unit=UNIT, due="2023-08-31", leading_official="钱副县长")
    assert engine.item(problem).state == "identified"
    entry = NewItem(
        title="t",
        description="d",
        track="construction",
        channel="hotline",
        unit=UNIT,
        leading_official="钱副县长",
    )
    with pytest.raises(ImportRejected) as err:
        engine.import_items("test", OFFICE, [entry])
    assert [(p.index, p.field) for p in err.value.problems] == [(0, "leading_official")]


def test_an_item_with_a_leader_who_is_a_county_leader_reaches_no_other(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    """No leader: a message to 县领导 about the item reaches nobody (no dead letter)."""
    contact(engine, "钱副县长", "county_leader")
    problem = item(engine)
    engine.assign(problem, OFFICE, unit=UNIT, due="2023-08-31")
    clock.set(at("2023-09-07", 0, 5))
    engine.sweep()
    listed = [m for m in engine.outbox("test") if m.kind == "item_listed"]
    assert listed and not [
        m for m in listed if "county_leader" in m.recipient or m.recipient == "13800138000"
    ]
