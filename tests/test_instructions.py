"""领导批示 (issue 17 point 4): the office records a county leader's instruction on an item
(who, when, the text); the responsible unit is told, the 交办 notice shows it; items on the
channel 领导批示交办 start from one (refused without it); refusals change nothing; the
definition's checks; a CLI round trip. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from zhenggai.engine import (
    Actor,
    CampaignView,
    ContactNotFound,
    Engine,
    InvalidInputError,
    LeaderInstruction,
    NewContact,
    PermissionDeniedError,
    VirtualClock,
)
from zhenggai.engine.checks import check_setup
from zhenggai.testing import items_only
from zhenggai.workflows import load_setup
from zhenggai.workflows._templates import template_environment, template_problems
from zhenggai.workflows.schema import InstructionSpec

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
UNIT = "housing_construction_bureau"
CLERK = Actor("李科长", "responsible", UNIT)


def at(day: str, hh: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hh, tzinfo=SHANGHAI)


@pytest.fixture
def campaign(engine: Engine) -> CampaignView:
    return engine.start_campaign(items_only(load_setup("county_2023")), key="test")


def person(engine: Engine, unit: str, name: str, role: str) -> int:
    entry = NewContact(unit=unit, name=name, role=role, email=f"p{abs(hash(name)) % 10**8}@x.gov.cn")
    return engine.add_contact("test", OFFICE, entry).id


@pytest.fixture
def people(engine: Engine, campaign: CampaignView) -> dict[str, int]:
    return {
        "leader": person(engine, "government_office", "赵县长", "county_leader"),
        "office": person(engine, "discipline_commission", "王主任", "leading_group_office"),
        "unit": person(engine, UNIT, "住建局联络员", "contact"),
        "other": person(engine, "commerce_bureau", "商务局联络员", "contact"),
    }


def reported(engine: Engine, clock: VirtualClock, channel: str = "hotline", **kw: object) -> int:
    clock.set(at("2023-07-20"))
    return engine.report(
        "test",
        OFFICE,
        title="施工许可审批超时",
        description="审批超过承诺时限",
        track="construction",
        channel=channel,
        **kw,  # type: ignore[arg-type]
    ).id


def snapshot(engine: Engine) -> tuple[int, int, int, int]:
    return (
        len(engine.items("test")),
        len(engine.instructions("test")),
        len(engine.events(campaign="test")),
        len(engine.outbox("test")),
    )


def test_recorded_with_event_and_the_unit_is_told(
    engine: Engine, people: dict[str, int], clock: VirtualClock
) -> None:
    item = reported(engine, clock)
    engine.assign(item, OFFICE, unit=UNIT, due="2023-08-15")
    clock.set(at("2023-07-25"))
    view = engine.record_instruction(
        item, OFFICE, leader="赵县长", given_on="2023-07-24", text="限期办结, 举一反三"
    )
    assert (view.leader, view.leader_contact_id, view.given_on) == (
        "赵县长",
        people["leader"],
        dt.date(2023, 7, 24),
    )
    assert engine.instructions(item_id=item) == [view] == engine.instructions("test")
    event = engine.events(item)[-1]
    assert event.trigger == "record_instruction" and event.from_state == event.to_state == "assigned"
    assert event.data["instruction"] == view.id and event.data["text"] == "限期办结, 举一反三"
    told = [m for m in engine.outbox("test") if m.kind == "instruction_recorded"]
    assert {m.contact_id for m in told} == {people["unit"]}
    assert told[0].payload["leader"] == "赵县长" and told[0].payload["instruction"] == "限期办结, 举一反三"
    # by contact id too
    by_id = engine.record_instruction(
        item, OFFICE, leader=people["leader"], given_on=dt.date(2023, 7, 25), text="再催办"
    )
    assert by_id.leader == "赵县长"


def test_the_assignment_notice_shows_the_instructions(
    engine: Engine, people: dict[str, int], clock: VirtualClock
) -> None:
    item = reported(engine, clock)
    engine.record_instruction(item, OFFICE, leader="赵县长", given_on="2023-07-20", text="请县住建局牵头解决")
    assert not [m for m in engine.outbox("test") if m.kind == "instruction_recorded" and m.contact_id]
    engine.assign(item, OFFICE, unit=UNIT, due="2023-08-15")
    notice = next(m for m in engine.outbox("test") if m.kind == "item_assigned")
    assert notice.contact_id == people["unit"]
    assert notice.payload["instructions"] == "赵县长 2023-07-20: 请县住建局牵头解决"
    body = load_setup("county_2023").notifications.templates["item_assigned"].body
    text = template_environment().from_string(body).render(**notice.payload)
    assert "领导批示: 赵县长 2023-07-20: 请县住建局牵头解决" in text
    other = reported(engine, clock)
    engine.assign(other, OFFICE, unit=UNIT, due="2023-08-15")
    plain = next(m for m in engine.outbox("test") if m.kind == "item_assigned" and m.item_id == other)
    assert "领导批示" not in template_environment().from_string(body).render(**plain.payload)


def test_refusals_change_nothing(engine: Engine, people: dict[str, int], clock: VirtualClock) -> None:
    item = reported(engine, clock)
    before = snapshot(engine)
    cases: list[tuple[type[Exception], str, dict[str, object], Actor]] = [
        (PermissionDeniedError, "只有", {}, CLERK),
        (InvalidInputError, "通讯录中没有名为", {"leader": "钱书记"}, OFFICE),
        (InvalidInputError, "不是作出批示的领导", {"leader": people["unit"]}, OFFICE),
        (ContactNotFound, "99999", {"leader": 99999}, OFFICE),
        (InvalidInputError, "晚于今天", {"given_on": "2023-07-21"}, OFFICE),
        (InvalidInputError, "日期格式", {"given_on": "7月20日"}, OFFICE),
        (InvalidInputError, "不能为空", {"text": "  "}, OFFICE),
    ]
    for error, words, change, actor in cases:
        kw: dict[str, object] = {"leader": "赵县长", "given_on": "2023-07-20", "text": "批示", **change}
        with pytest.raises(error, match=words):
            engine.record_instruction(item, actor, **kw)  # type: ignore[arg-type]
        assert snapshot(engine) == before


def test_channel_requires_the_instruction_and_records_it_with_the_item(
    engine: Engine, people: dict[str, int], clock: VirtualClock
) -> None:
    before = snapshot(engine)
    with pytest.raises(InvalidInputError, match="领导批示交办」的问题须附领导批示"):
        reported(engine, clock, channel="leader_instruction")
    with pytest.raises(InvalidInputError, match="通讯录中没有名为"):
        reported(
            engine,
            clock,
            channel="leader_instruction",
            instruction=LeaderInstruction("无名氏", "2023-07-19", "查一查"),
        )
    assert snapshot(engine) == before
    item = reported(
        engine,
        clock,
        channel="leader_instruction",
        instruction=LeaderInstruction("赵县长", "2023-07-19", "请领导小组办公室交办"),
    )
    [view] = engine.instructions(item_id=item)
    assert (view.text, view.recorded_by) == ("请领导小组办公室交办", "王主任")
    assert [e.trigger for e in engine.events(item)] == ["report", "record_instruction"]


def test_without_the_block_nothing_and_a_name_stands_without_roster(
    engine: Engine, clock: VirtualClock
) -> None:
    setup = items_only(load_setup("county_2023"))
    engine.start_campaign(setup.model_copy(update={"instructions": None}), key="test")
    item = reported(engine, clock)
    with pytest.raises(InvalidInputError, match="没有规定领导批示"):
        engine.record_instruction(item, OFFICE, leader="赵县长", given_on="2023-07-20", text="批示")
    engine.start_campaign(setup, key="other")
    other = engine.report(
        "other", OFFICE, title="t", description="d", track="construction", channel="hotline"
    )
    view = engine.record_instruction(other.id, OFFICE, leader="钱书记", given_on="2023-07-20", text="批示")
    assert (view.leader, view.leader_contact_id) == ("钱书记", None)


def test_the_definition_checks() -> None:
    setup = load_setup("county_2023")
    bad = setup.model_copy(
        update={
            "instructions": InstructionSpec(
                recorded_by=["nobody"], leaders=["responsible", "ghost"], channel="no_channel"
            )
        }
    )
    problems = "\n".join(check_setup(bad))
    assert "instructions.recorded_by[0]: 未知角色 nobody" in problems
    assert "instructions.leaders[1]: 未知角色 ghost" in problems
    assert "instructions.leaders[0]: 角色 responsible 属于单位" in problems
    assert "instructions.channel: 未知来源渠道 no_channel" in problems
    missing = setup.model_copy(
        update={
            "instructions": InstructionSpec(
                recorded_by=["leading_group_office"], leaders=["county_leader"], notify="no_message"
            )
        }
    )
    assert (
        "instructions.notify: 消息 no_message 没有模板 (notifications.templates.no_message)"
        in template_problems(missing)
    )


def test_cli_round_trip(
    engine: Engine,
    people: dict[str, int],
    clock: VirtualClock,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from zhenggai.adapters.cli import main

    base = ["--db", db_url]
    office = ["--actor", "王主任", "--role", "leading_group_office", "--as-unit", "discipline_commission"]
    add = [*base, "item", "add", "--title", "批示件", "--description", "d", "--track", "construction"]
    code = main([*add, "--channel", "leader_instruction", *office])
    assert code != 0 and "须附领导批示" in capsys.readouterr().err
    code = main([*add, "--channel", "领导批示交办", "--leader", "赵县长", *office])
    assert code != 0 and "须同时给出" in capsys.readouterr().err
    today = dt.date.today().isoformat()
    code = main(
        [
            *add,
            "--channel",
            "leader_instruction",
            "--leader",
            "赵县长",
            "--instruction-date",
            today,
            "--instruction",
            "马上办",
            *office,
        ]
    )
    assert code == 0, capsys.readouterr().err
    item = engine.items("test")[-1].id
    code = main(
        [
            *base,
            "item",
            "instruct",
            str(item),
            "--leader",
            "赵县长",
            "--date",
            today,
            "--text",
            "抓紧落实",
            *office,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "已记录领导批示" in out and "抓紧落实" in out
    assert [v.text for v in engine.instructions(item_id=item)] == ["马上办", "抓紧落实"]
    code = main([*base, "item", "show", str(item)])
    out = capsys.readouterr().out
    assert code == 0 and f"赵县长 {today}: 马上办; 赵县长 {today}: 抓紧落实" in out
    unit = ["--actor", "李科长", "--role", "responsible", "--as-unit", UNIT]
    code = main(
        [*base, "item", "instruct", str(item), "--leader", "赵县长", "--date", today, "--text", "x", *unit]
    )
    assert code != 0 and "只有" in capsys.readouterr().err
