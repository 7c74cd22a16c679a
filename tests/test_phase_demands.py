"""Phase demands per role (issue 16, point 2): each demand of the plan is addressed to whom the
plan names; a phase notice lists to each recipient the demands addressed to it, in the plan's
words; an unknown recipient of a demand is a problem of ``zhenggai check``."""

from __future__ import annotations

import pytest
from zhenggai.engine import Engine, VirtualClock
from zhenggai.engine._campaign_steps import phase_demands
from zhenggai.engine.checks import check_setup
from zhenggai.workflows import load_setup
from zhenggai.workflows.schema import DemandSpec

from tests.test_campaign_steps import at, without_duties

PLAN = load_setup("county_2023")
PHASES = {p.id: p for p in PLAN.phases}


def test_the_plan_addresses_each_demand_as_it_says() -> None:
    text = (__import__("pathlib").Path(__file__).parent / "data" / "plan_county_2023.txt").read_text("utf-8")
    flat = text.replace("\n", "")
    addressed = {d.text: set(d.to) for p in PLAN.phases for d in p.demands if isinstance(d, DemandSpec)}
    assert addressed["县四套班子领导深入分管领域和联挂乡镇、重点项目、企业征求意见, 梳理存在的问题"] == {
        "county_leader"
    }
    assert addressed["各专项整治工作组组长组织召开专项整治动员部署会"] == {"track_group_leader"}
    assert addressed["县优化营商环境工作领导小组听取查摆情况汇报, 确定领衔调研处理的具体问题"] == {
        "business_environment_group"
    }
    assert all("all_units" in to for text, to in addressed.items() if text.startswith("各地各单位"))
    # the words as the definition had them before they were addressed (issue 16 kept them)
    assert len(addressed) == 12 and "成立专门工作专班" in flat and "领衔调研处理的具体问题" in flat


def test_each_recipient_gets_its_own_demands() -> None:
    inspection = PHASES["inspection"]
    leaders = phase_demands(inspection, "county_leader")
    assert leaders == "1. 县四套班子领导深入分管领域和联挂乡镇、重点项目、企业征求意见, 梳理存在的问题"
    groups = phase_demands(inspection, "track_group_leader").splitlines()
    assert len(groups) == 2 and groups[1].startswith("2. 各地各单位、各专项整治工作组召开问题查摆会")
    assert phase_demands(inspection, "publicity") == "请按实施方案要求开展工作。"
    assert phase_demands(PHASES["consolidation"], "all_units").count("\n") == 1


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(at("2023-06-30", 23, 0))


@pytest.mark.storage
def test_the_phase_notice_lists_the_demands_per_recipient(engine: Engine, clock: VirtualClock) -> None:
    engine.start_campaign(without_duties(load_setup("county_2023")), key="test")
    clock.set(at("2023-07-03", 0, 5))  # inspection starts (07-01 a Saturday: notice on Monday)
    engine.sweep()
    notices = {
        m.recipient: m.payload["demands"]
        for m in engine.outbox("test")
        if m.kind == "phase_started" and m.payload["phase"] == "inspection"
    }
    assert notices["role:county_leader"].startswith("1. 县四套班子领导")
    assert notices["role:business_environment_group"].startswith(
        "1. 县优化营商环境工作领导小组听取查摆情况汇报"
    )
    assert (
        notices["unit:finance_bureau"] == '1. 各地各单位、各专项整治工作组召开问题查摆会, 形成"一报告四清单"'
    )
    assert notices["role:publicity"] == "请按实施方案要求开展工作。"


def test_an_unknown_recipient_of_a_demand_is_a_problem() -> None:
    phases = [
        p.model_copy(update={"demands": [DemandSpec(text="召开会议", to=["nobody"])]}) for p in PLAN.phases
    ]
    problems = check_setup(PLAN.model_copy(update={"phases": phases}))
    assert "phases[0].demands[0].to[0]: 未知角色或单位 nobody" in problems
