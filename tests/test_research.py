"""领衔调研 (issue 16 point 2): the 领衔领导 of an item is chased for their research — its due
date set by the 领衔 decision, its ladder (subject ``research``) firing on the sweep to the
leader only (and the office at red), reported done with ``Engine.complete_research`` /
``zhenggai item research-done``, refused with nothing changed otherwise. The built-in
definition's checks. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import pytest
from zhenggai.engine import (
    Actor,
    CampaignView,
    Engine,
    GuardFailedError,
    InvalidInputError,
    NewContact,
    PermissionDeniedError,
    VirtualClock,
)
from zhenggai.engine.checks import check_setup
from zhenggai.testing import items_only
from zhenggai.workflows import load_setup
from zhenggai.workflows.schema import CampaignSetup

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
DECIDER = Actor("孙组长", "business_environment_group")
UNIT = "housing_construction_bureau"


def at(day: str, hh: int = 9, mm: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hh, minute=mm, tzinfo=SHANGHAI)


def research_setup() -> CampaignSetup:
    """The built-in plan without duties and draws, but with its 领衔调研 and that ladder."""
    full = load_setup("county_2023")
    bare = items_only(full)
    ladder = next(x for x in full.ladders if x.subject == "research")
    return bare.model_copy(update={"leadership": full.leadership, "ladders": [*bare.ladders, ladder]})


@pytest.fixture
def campaign(engine: Engine) -> CampaignView:
    return engine.start_campaign(research_setup(), key="test")


def person(engine: Engine, unit: str, name: str, role: str) -> int:
    entry = NewContact(unit=unit, name=name, role=role, email=f"p{abs(hash(name)) % 10**8}@x.gov.cn")
    return engine.add_contact("test", OFFICE, entry).id


@pytest.fixture
def people(engine: Engine, campaign: CampaignView) -> dict[str, int]:
    return {
        "leader": person(engine, "government_office", "钱副县长", "county_leader"),
        "other_leader": person(engine, "government_office", "孙副县长", "county_leader"),
        "principal": person(engine, "government_office", "赵主任", "unit_principal"),
        "unit_contact": person(engine, "government_office", "刘科员", "contact"),
        "housing_principal": person(engine, UNIT, "郑局长", "unit_principal"),
        "office": person(engine, "discipline_commission", "王主任", "leading_group_office"),
        "group": person(engine, "government_office", "孙组长", "business_environment_group"),
    }


def an_item(engine: Engine) -> int:
    return engine.report(
        "test",
        OFFICE,
        title="施工许可审批超时",
        description="审批超过承诺时限",
        track="construction",
        channel="hotline",
    ).id


def reached(engine: Engine, kind: str) -> set[int]:
    """The contact ids messages of ``kind`` went to."""
    return {
        int(m.idempotency_key.rsplit(":contact:", 1)[1])
        for m in engine.outbox("test")
        if m.kind == kind and ":contact:" in m.idempotency_key
    }


def research_events(engine: Engine, item_id: int) -> list[str]:
    return [e.data["step"] for e in engine.events(item_id) if e.trigger == "research_step"]


def test_lead_sets_the_due_and_tells_the_leader_when(
    engine: Engine, people: dict[str, int], clock: VirtualClock
) -> None:
    clock.set(at("2023-07-20"))
    problem = an_item(engine)
    view = engine.lead_item(problem, DECIDER, leader=people["leader"])
    assert view.research_due == dt.date(2023, 8, 25) and view.research_done_at is None
    (told,) = [m for m in engine.outbox("test") if m.kind == "item_led"]
    assert (told.payload["research_due"], told.payload["research_due_weekday"]) == ("2023-08-25", "星期五")
    assert told.payload["report_to"] == "县优化营商环境工作领导小组"
    assert reached(engine, "item_led") == {people["leader"]}
    lead = [e for e in engine.events(problem) if e.trigger == "lead"][-1]
    assert lead.data["research_due"] == "2023-08-25"


def test_ladder_chases_the_leader_only_then_the_office(
    engine: Engine, people: dict[str, int], clock: VirtualClock
) -> None:
    """Due Fri 8-25: reminder Tue 8-22 (−3 working days), 催办 Mon 8-28 (+1), 红灯 Wed 8-30
    (+3, also the office). Never the other 县领导, the leader's unit or its 一把手."""
    clock.set(at("2023-07-20"))
    problem = an_item(engine)
    engine.lead_item(problem, DECIDER, leader=people["leader"])
    clock.set(at("2023-08-21"))
    engine.sweep()
    assert research_events(engine, problem) == []
    clock.set(at("2023-08-22"))
    engine.sweep()
    assert research_events(engine, problem) == ["reminder"]
    assert reached(engine, "research_due_soon") == {people["leader"]}
    clock.set(at("2023-08-28"))
    engine.sweep()
    assert research_events(engine, problem) == ["reminder", "chase"]
    assert reached(engine, "research_overdue") == {people["leader"]}
    clock.set(at("2023-08-30"))
    engine.sweep()
    assert research_events(engine, problem) == ["reminder", "chase", "red"]
    assert reached(engine, "research_overdue") == {people["leader"], people["office"]}
    red = [m for m in engine.outbox("test") if m.kind == "research_overdue"][-1]
    assert red.payload["days_overdue"] == 3 and red.payload["leader_name"] == "钱副县长"
    assert engine.sweep().settled == 0
    # the item's light and level measure its rectification, not the research
    assert engine.item(problem).escalation_level == 0
    assert engine.verify_audit("test").ok


def test_done_cancels_the_ladder_and_reports_to_the_group(
    engine: Engine, people: dict[str, int], clock: VirtualClock
) -> None:
    clock.set(at("2023-07-20"))
    problem = an_item(engine)
    engine.lead_item(problem, DECIDER, leader=people["leader"])
    clock.set(at("2023-08-10"))
    done = engine.complete_research(
        problem, Actor("钱副县长", "county_leader"), note="原因: 审批环节多; 办法: 并联审批"
    )
    assert done.research_done_at == at("2023-08-10").astimezone(dt.UTC)
    assert done.research_note == "原因: 审批环节多; 办法: 并联审批"
    assert reached(engine, "research_done") == {people["group"]}
    event = [e for e in engine.events(problem) if e.trigger == "report_research"][-1]
    assert event.data["late"] is False and event.data["leader"] == people["leader"]
    clock.set(at("2023-09-05"))
    engine.sweep()
    assert research_events(engine, problem) == []
    assert not reached(engine, "research_due_soon") and not reached(engine, "research_overdue")


def test_refusals_change_nothing(engine: Engine, people: dict[str, int], clock: VirtualClock) -> None:
    clock.set(at("2023-07-20"))
    problem = an_item(engine)
    with pytest.raises(GuardFailedError, match="尚未确定领衔领导"):
        engine.complete_research(problem, OFFICE, note="已调研")
    engine.lead_item(problem, DECIDER, leader=people["leader"])
    version = engine.item(problem).version
    with pytest.raises(InvalidInputError, match="不能为空"):
        engine.complete_research(problem, OFFICE, note="  ")
    with pytest.raises(PermissionDeniedError, match="只有该问题的领衔领导"):
        engine.complete_research(problem, Actor("孙副县长", "county_leader"), note="已调研")
    with pytest.raises(PermissionDeniedError):
        engine.complete_research(problem, Actor("李科长", "responsible", UNIT), note="已调研")
    assert engine.item(problem).version == version and engine.item(problem).research_done_at is None
    engine.complete_research(problem, OFFICE, note="领导小组办公室代为报告")  # the office may
    with pytest.raises(GuardFailedError, match="已于 2023-07-20 09:00 报告完成"):
        engine.complete_research(problem, OFFICE, note="再次报告")
    assert engine.item(problem).research_note == "领导小组办公室代为报告"


def test_a_new_leader_takes_the_research_over(
    engine: Engine, people: dict[str, int], clock: VirtualClock
) -> None:
    """With a fixed due date the due stays; the steps fire for whoever leads when they fire."""
    clock.set(at("2023-07-20"))
    problem = an_item(engine)
    engine.lead_item(problem, DECIDER, leader=people["leader"])
    clock.set(at("2023-08-01"))
    view = engine.lead_item(problem, DECIDER, leader=people["other_leader"])
    assert view.research_due == dt.date(2023, 8, 25)
    clock.set(at("2023-08-22"))
    engine.sweep()
    assert reached(engine, "research_due_soon") == {people["other_leader"]}
    with pytest.raises(PermissionDeniedError):
        engine.complete_research(problem, Actor("钱副县长", "county_leader"), note="已调研")
    assert engine.complete_research(problem, Actor("孙副县长", "county_leader"), note="已调研").research_note


def test_days_after_the_decision(engine: Engine, clock: VirtualClock) -> None:
    """``days``: the due counts from the 领衔 decision (10 working days from Thu 7-20: 8-03)."""
    setup = research_setup()
    assert setup.leadership is not None and setup.leadership.research is not None
    research = setup.leadership.research.model_copy(update={"due": None, "days": 10})
    engine.start_campaign(
        setup.model_copy(update={"leadership": setup.leadership.model_copy(update={"research": research})}),
        key="test",
    )
    leader = person(engine, "government_office", "钱副县长", "county_leader")
    clock.set(at("2023-07-20"))
    assert engine.lead_item(an_item(engine), DECIDER, leader=leader).research_due == dt.date(2023, 8, 3)


def test_cli_research_done_and_item_show(
    engine: Engine,
    people: dict[str, int],
    clock: VirtualClock,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from zhenggai.adapters.cli import main

    clock.set(at("2023-07-20"))
    problem = an_item(engine)
    engine.lead_item(problem, DECIDER, leader=people["leader"])
    base = ["--db", db_url]
    actor = ["--actor", "钱副县长", "--role", "county_leader"]
    code = main([*base, "item", "show", str(problem)])
    out = capsys.readouterr().out
    assert code == 0 and "钱副县长" in out and "2023年8月25日" in out and "未完成" in out
    code = main([*base, "item", "research-done", str(problem), "--note", "原因已查明", *actor])
    out = capsys.readouterr().out
    assert code == 0 and f"问题 {problem} 的领衔调研已完成" in out
    code = main([*base, "item", "research-done", str(problem), "--note", "再报", *actor])
    captured = capsys.readouterr()
    assert code == 1 and "已于" in captured.err + captured.out
    main([*base, "item", "show", str(problem)])
    assert "原因已查明" in capsys.readouterr().out


def _problems(**changes: object) -> list[str]:
    setup = load_setup("county_2023")
    assert setup.leadership is not None and setup.leadership.research is not None
    research = setup.leadership.research.model_copy(update=changes)
    leadership = setup.leadership.model_copy(update={"research": research})
    return check_setup(setup.model_copy(update={"leadership": leadership}))


def test_check_reports_research_problems() -> None:
    assert _problems() == []
    assert any("leadership.research.ladder: 未知督办阶梯 nope" in p for p in _problems(ladder="nope"))
    assert any("不是领衔调研督办阶梯" in p for p in _problems(ladder="item_overdue"))
    assert any("leadership.research.to: 未知角色 nobody" in p for p in _problems(to="nobody"))
    assert any("不在专项行动期间" in p for p in _problems(due=dt.date(2024, 3, 1)))
    assert any("早于确定领衔的阶段" in p for p in _problems(due=dt.date(2023, 6, 20)))
    setup = load_setup("county_2023")
    assert setup.leadership is not None
    bare = setup.model_copy(update={"leadership": setup.leadership.model_copy(update={"research": None})})
    assert any("不能有领衔调研督办阶梯" in p for p in check_setup(bare))


def test_built_in_replaces_the_unit_duty(tmp_path: Path) -> None:
    setup = load_setup("county_2023")
    assert setup.leadership is not None and setup.leadership.research is not None
    research = setup.leadership.research
    assert (research.due, research.ladder, research.to) == (
        dt.date(2023, 8, 25),
        "research_overdue",
        "business_environment_group",
    )
    assert "rectification_progress_report" not in {d.id for d in setup.duties}
    ladder = next(x for x in setup.ladders if x.id == "research_overdue")
    assert [(s.offset, [n.to for n in s.notify]) for s in ladder.steps] == [
        (-3, ["leader"]),
        (1, ["leader"]),
        (3, ["leader", "leading_group_office"]),
    ]
