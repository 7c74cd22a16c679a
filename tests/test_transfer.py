"""移送 (二、(一) 部门联动 … 及时向县纪委县监委移送): an item reported on 部门联动 lands with
县纪委县监委 first, for 初核 within 5 working days, chased by its ladder; it is assigned
onward (交办) only after the 初核; only the channel's source units report on it (the office on
their behalf). SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from zhenggai.engine import (
    Actor,
    CampaignSetup,
    ContactSpec,
    Engine,
    GuardFailedError,
    PermissionDeniedError,
    VirtualClock,
)
from zhenggai.engine.checks import check_setup
from zhenggai.testing import items_only
from zhenggai.workflows import load_setup
from zhenggai.workflows.schema import TransferSpec

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
CHECKER = Actor("纪委初核员", "responsible", "discipline_commission")
BUREAU = Actor("李科长", "responsible", "housing_construction_bureau")
PETITION = Actor("信访局联络员", "responsible", "petition_bureau")


def at(day: str, hh: int = 0, mm: int = 5) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hh, minute=mm, tzinfo=SHANGHAI)


def with_contacts(setup: CampaignSetup) -> CampaignSetup:
    units = [
        u.model_copy(
            update={"contacts": [ContactSpec(name=f"{u.name}联络员", email=f"{u.id}@example.gov.cn")]}
        )
        for u in setup.units
    ]
    return setup.model_copy(update={"units": units})


@pytest.fixture
def started(engine: Engine, clock: VirtualClock) -> Engine:
    clock.set(at("2023-07-03", 9, 0))  # Monday
    engine.start_campaign(with_contacts(items_only(load_setup("county_2023"))), key="test")
    return engine


def referral(engine: Engine, actor: Actor = OFFICE, channel: str = "department_referral") -> int:
    return engine.report(
        "test",
        actor,
        title="项目审批卡压",
        description="企业反映审批久拖",
        track="construction",
        channel=channel,
    ).id


def messages(engine: Engine, kind: str) -> list[tuple[str, str]]:
    return sorted(
        (m.recipient, m.payload.get("transfer_due", "")) for m in engine.outbox("test") if m.kind == kind
    )


def test_a_referral_lands_with_the_discipline_commission_for_its_preliminary_check(started: Engine) -> None:
    item = referral(started)
    events = started.events(item)
    assert [e.trigger for e in events] == ["report", "transfer"]
    assert events[1].data == {
        "channel": "department_referral",
        "transfer_to": "discipline_commission",
        "transfer_due": "2023-07-10",  # 5 working days from Monday 7-03
    }
    assert messages(started, "item_transferred") == [("discipline_commission@example.gov.cn", "2023-07-10")]
    (sent,) = [m for m in started.outbox("test") if m.kind == "item_transferred"]
    assert sent.item_id == item and sent.payload["transfer_unit_name"] == "县纪委县监委"
    assert sent.payload["channel_label"] == "部门联动"


def test_it_is_assigned_onward_only_after_the_preliminary_check(started: Engine) -> None:
    item = referral(started)
    with pytest.raises(GuardFailedError, match="初核") as err:
        started.assign(item, OFFICE, unit="housing_construction_bureau", due="2023-08-31")
    assert err.value.guard == "preliminary_check_done"
    assert started.item(item).state == "identified" and started.item(item).unit is None
    with pytest.raises(PermissionDeniedError, match="移送到的单位"):
        started.preliminary_check(item, BUREAU, finding="属实")
    with pytest.raises(PermissionDeniedError):
        started.preliminary_check(item, Actor("赵组长", "track_group_leader"), finding="属实")
    assert [e.trigger for e in started.events(item)] == ["report", "transfer"]  # nothing written
    started.preliminary_check(item, CHECKER, finding="线索属实, 建议交办住建局")
    with pytest.raises(GuardFailedError, match="已于"):
        started.preliminary_check(item, OFFICE, finding="再核")
    started.assign(item, OFFICE, unit="housing_construction_bureau", due="2023-08-31")
    events = started.events(item)
    assert [e.trigger for e in events] == ["report", "transfer", "preliminary_check", "assign"]
    assert (events[2].actor, events[2].unit, events[2].data["finding"]) == (
        "纪委初核员",
        "discipline_commission",
        "线索属实, 建议交办住建局",
    )
    assert started.item(item).state == "assigned"


def test_items_of_other_channels_are_not_transferred(started: Engine) -> None:
    item = referral(started, channel="hotline")
    assert [e.trigger for e in started.events(item)] == ["report"]
    with pytest.raises(GuardFailedError, match="不是移送"):
        started.preliminary_check(item, OFFICE, finding="无")
    started.assign(item, OFFICE, unit="housing_construction_bureau", due="2023-08-31")
    assert started.item(item).state == "assigned"


def test_only_the_source_units_report_on_the_channel(started: Engine) -> None:
    """县水利局 is no source of 部门联动 (县住建局 is: one of the key-project service units)."""
    before = len(started.items("test"))
    with pytest.raises(PermissionDeniedError, match="县委信访局") as err:
        referral(started, Actor("水利局科员", "responsible", "water_resources_bureau"))
    assert "部门联动" in str(err.value)
    assert len(started.items("test")) == before  # nothing written
    item = referral(started, PETITION)  # a source unit's own staff
    assert started.events(item)[0].unit == "petition_bureau"
    referral(started, OFFICE)  # the office on their behalf
    assert len(started.items("test")) == before + 2


def test_a_late_preliminary_check_is_reminded_then_chased_until_it_is_done(
    started: Engine, clock: VirtualClock
) -> None:
    """初核 due Monday 7-10: reminded on Friday 7-07 (one working day before), chased on 7-11
    (unit and office); the 初核 cancels what is left."""
    item = referral(started)
    clock.set(at("2023-07-06"))
    started.sweep()
    assert [e.trigger for e in started.events(item)] == ["report", "transfer"]
    clock.set(at("2023-07-07"))
    started.sweep()
    assert messages(started, "transfer_due_soon") == [("discipline_commission@example.gov.cn", "2023-07-10")]
    clock.set(at("2023-07-11"))
    started.sweep()
    steps = [e.data["step"] for e in started.events(item) if e.trigger == "transfer_step"]
    assert steps == ["reminder", "overdue"]
    overdue = [m for m in started.outbox("test") if m.kind == "transfer_overdue"]
    assert {m.recipient for m in overdue} == {
        "discipline_commission@example.gov.cn",
        "role:leading_group_office",  # no contact holds the office role here: dead-lettered, named
    }
    assert all(m.payload["days_overdue"] == 1 for m in overdue)
    assert started.item(item).light == "green"  # the 初核 ladder does not colour the item
    started.preliminary_check(item, CHECKER, finding="属实")
    assert [e.trigger for e in started.events(item)][-1] == "preliminary_check"


def test_a_preliminary_check_in_time_leaves_nothing_to_chase(started: Engine, clock: VirtualClock) -> None:
    item = referral(started)
    started.preliminary_check(item, OFFICE, finding="属实")
    clock.set(at("2023-07-20"))
    started.sweep()
    assert [e.trigger for e in started.events(item)] == ["report", "transfer", "preliminary_check"]
    assert messages(started, "transfer_due_soon") == messages(started, "transfer_overdue") == []


def test_the_definition_checks_transfer_blocks() -> None:
    plan = load_setup("county_2023")
    channels = [
        c.model_copy(update={"transfer": TransferSpec(ladder="item_overdue")})
        if c.id == "department_referral"
        else c.model_copy(update={"transfer": TransferSpec()})
        if c.id == "hotline"
        else c
        for c in plan.channels
    ]
    problems = check_setup(plan.model_copy(update={"channels": channels}))
    assert (
        "channels[0].transfer.ladder: 督办阶梯 item_overdue 不是移送初核督办阶梯 (subject: transfer)"
        in problems
    )
    assert any(p.startswith("channels[1].transfer: 来源渠道 hotline 没有移送单位") for p in problems)
