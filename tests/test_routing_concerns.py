"""Messages go to the people an item concerns (issue 16): a 工程领域 item's 挂牌督办 reaches the
construction 组长, its responsible unit's 一把手 and the item's 领衔领导 — not the other 组长,
the other 县领导, nor other units' 一把手; a track with no 组长 gets one dead letter, never a
broadcast; a duty owed by a lead unit reaches its own track's 组长. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from zhenggai.engine import Actor, CampaignView, Engine, InvalidInputError, NewContact, VirtualClock
from zhenggai.testing import items_only
from zhenggai.workflows import load_setup

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
DECIDER = Actor("孙组长", "business_environment_group")
UNIT = "housing_construction_bureau"


def at(day: str, hh: int = 0, mm: int = 5) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hh, minute=mm, tzinfo=SHANGHAI)


def person(engine: Engine, unit: str, name: str, role: str, track: str | None = None) -> int:
    entry = NewContact(
        unit=unit, name=name, role=role, email=f"p{abs(hash(name)) % 10**8}@x.gov.cn", track=track
    )
    return engine.add_contact("test", OFFICE, entry).id


@pytest.fixture
def campaign(engine: Engine) -> CampaignView:
    return engine.start_campaign(items_only(load_setup("county_2023")), key="test")


@pytest.fixture
def people(engine: Engine, campaign: CampaignView) -> dict[str, int]:
    return {
        "construction_leader": person(engine, UNIT, "周组长", "track_group_leader", "construction"),
        "obstruction_leader": person(
            engine, "discipline_commission", "吴组长", "track_group_leader", "obstruction"
        ),
        "county_leader_a": person(engine, "government_office", "钱副县长", "county_leader"),
        "county_leader_b": person(engine, "government_office", "孙副县长", "county_leader"),
        "housing_principal": person(engine, UNIT, "郑局长", "unit_principal"),
        "commerce_principal": person(engine, "commerce_bureau", "冯局长", "unit_principal"),
        "housing_contact": person(engine, UNIT, "李科长", "contact"),
        "office": person(engine, "discipline_commission", "王主任", "leading_group_office"),
    }


def construction_item(engine: Engine, due: str = "2023-08-31") -> int:
    item = engine.report(
        "test",
        OFFICE,
        title="施工许可审批超时",
        description="审批超过承诺时限",
        track="construction",
        channel="hotline",
    ).id
    engine.assign(item, OFFICE, unit=UNIT, due=due)
    return item


def reached(engine: Engine, kind: str) -> set[int]:
    return {
        int(m.idempotency_key.rpartition(":contact:")[2])
        for m in engine.outbox("test")
        if m.kind == kind and ":contact:" in m.idempotency_key
    }


def test_listed_supervision_reaches_only_the_people_the_item_concerns(
    engine: Engine, people: dict[str, int], clock: VirtualClock
) -> None:
    item = construction_item(engine)
    led = engine.lead_item(item, DECIDER, leader=people["county_leader_a"], note="县领导领衔")
    assert (led.leading_official, led.version) == ("钱副县长", 3)
    assert reached(engine, "item_led") == {people["county_leader_a"]}
    clock.set(at("2023-09-07"))
    engine.sweep()
    assert reached(engine, "item_listed") == {
        people["construction_leader"],
        people["county_leader_a"],
        people["housing_principal"],
        people["housing_contact"],
        people["office"],
    }
    assert not [m for m in engine.outbox("test") if m.kind == "item_listed" and m.channel == "unrouted"]
    # 提请问责 reaches the unit's 一把手 as well, and the office; no other 一把手.
    clock.set(at("2023-09-21"))
    engine.sweep()
    assert reached(engine, "item_accountability") == {people["office"], people["housing_principal"]}
    assert engine.verify_audit("test").ok


def test_a_track_without_its_leader_gets_one_dead_letter_not_a_broadcast(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    """Only the obstruction 组长 is in the roster: the construction item's 挂牌督办 for the 组长
    is one dead letter naming the track; no 县领导 (the item has no leader) is told."""
    other = person(engine, "discipline_commission", "吴组长", "track_group_leader", "obstruction")
    person(engine, "government_office", "钱副县长", "county_leader")
    item = construction_item(engine)
    clock.set(at("2023-09-07"))
    engine.sweep()
    listed = [m for m in engine.outbox("test") if m.kind == "item_listed" and m.item_id == item]
    assert other not in reached(engine, "item_listed")
    dead = [m.recipient for m in listed if m.channel == "unrouted"]
    assert "role:track_group_leader@construction" in dead
    assert not any(r.startswith("role:county_leader") for r in dead)
    # Once the construction 组长 is added, retrying the dead letters reaches that person only.
    added = person(engine, UNIT, "周组长", "track_group_leader", "construction")
    engine.outbox_retry(campaign="test")
    assert added in reached(engine, "item_listed") and other not in reached(engine, "item_listed")


def test_contacts_track_is_checked(engine: Engine, campaign: CampaignView) -> None:
    with pytest.raises(InvalidInputError, match="没有专项整治领域"):
        person(engine, UNIT, "周组长", "track_group_leader", "nowhere")
    contact = person(engine, UNIT, "周组长", "track_group_leader", "construction")
    assert engine.contact(contact).track == "construction"
    changed = engine.update_contact(contact, OFFICE, track="factor_supply")
    assert changed.track == "factor_supply"
    with pytest.raises(InvalidInputError, match="没有专项整治领域"):
        engine.update_contact(contact, OFFICE, track="nowhere")
    assert engine.contact(contact).track == "factor_supply"


def test_lead_unit_progress_report_reaches_its_own_track_leader(engine: Engine, clock: VirtualClock) -> None:
    """The fortnightly report of each track's lead unit: its reminder reaches that track's 组长
    only (住建局 leads 工程领域)."""
    engine.start_campaign(load_setup("county_2023"), key="test")
    mine = person(engine, UNIT, "周组长", "track_group_leader", "construction")
    other = person(engine, "discipline_commission", "吴组长", "track_group_leader", "obstruction")
    clock.set(at("2023-07-13", 9, 0))
    engine.sweep()
    reminders = [
        m
        for m in engine.outbox("test")
        if m.kind == "duty_due_soon" and m.payload.get("duty") == "lead_unit_progress_report"
    ]
    by_unit: dict[str, set[int]] = {}
    for m in reminders:
        if ":contact:" in m.idempotency_key:
            by_unit.setdefault(m.payload["unit"], set()).add(
                int(m.idempotency_key.rpartition(":contact:")[2])
            )
    assert mine in by_unit[UNIT] and other not in by_unit[UNIT]
    assert other in by_unit["discipline_commission"] and mine not in by_unit["discipline_commission"]


def test_a_unit_message_reaches_its_clerks_not_the_leaders_who_sit_in_it(
    engine: Engine, people: dict[str, int], clock: VirtualClock
) -> None:
    """The construction 组长 and the 一把手 sit in 县住建局: a 要素保障 item assigned to the
    bureau is told (交办) to its clerk only; its 挂牌督办 reaches the bureau's 一把手 through the
    role, and no 组长 at all (the factor-supply track has none in the roster: a dead letter)."""
    item = engine.report(
        "test",
        OFFICE,
        title="用地报批慢",
        description="用地报批超时",
        track="factor_supply",
        channel="hotline",
    ).id
    engine.assign(item, OFFICE, unit=UNIT, due="2023-08-31")
    assert reached(engine, "item_assigned") == {people["housing_contact"]}
    clock.set(at("2023-09-07"))
    engine.sweep()
    listed = reached(engine, "item_listed")
    assert people["housing_principal"] in listed and people["housing_contact"] in listed
    assert people["construction_leader"] not in listed and people["obstruction_leader"] not in listed
    dead = [m.recipient for m in engine.outbox("test") if m.kind == "item_listed" and m.channel == "unrouted"]
    assert dead == ["role:track_group_leader@factor_supply"]
