"""The built-in definition holds every element of the county plan (../shared/seed/), section by
section: tracks with every unit in the plan's order, the units named outside the tracks, the
organisation (leading group and office, track groups, supervision teams, county leaders who
personally lead problems), every intake channel, the four phases with what each demands and
what the scheduler does at their edges, 挂牌督办 and the escalation ladder, the periodic duties,
回头看 in consolidation, and notification templates in Chinese."""

from __future__ import annotations

import datetime as dt

import pytest
from zhenggai.workflows import load_setup
from zhenggai.workflows.schema import CampaignSetup

#: 三、重点整治内容: each track's 责任单位 as the plan lists them (unit names; 各地各单位 = all_units,
#: 县直有关单位 = county_units).
PLAN_TRACKS = {
    "obstruction": "县纪委县监委、县委办、县政府办、各地各单位",
    "legacy_commitments": "县发改委、县商务局、县政府办、县工信局、县纪委县监委、县法院、县财政局、县审计局、"
    "县政务服务中心、XX高新区、各地各单位",
    "construction": "县住建局、县发改委、县纪委县监委、县公共资源交易中心、县财政局、县审计局、县项目服务中心、"
    "县自然资源局、县市政公用事业服务中心、县水利局、县交通运输局、县生态环境局、县应急管理局、"
    "XX高新区、各地各单位",
    "factor_supply": "县政府办、县发改委、县自然资源局、县人社局、县林业局、县水利局、县供电公司、县住建局、"
    "县金融工作服务中心、县税务局、县交通运输局、县生态环境局、县商务局、XX高新区",
    "government_services": "县政务服务中心、县政府办、县住建局、县大数据中心、县直有关单位",
    "rule_of_law": "县委政法委、县法院、县司法局、县公安局、县检察院、县市场监管局、县工商联、县发改委、县工信局、"
    "县人社局、XX高新区",
}
WILDCARDS = {"all_units": "各地各单位", "county_units": "县直有关单位"}


@pytest.fixture(scope="module")
def plan() -> CampaignSetup:
    return load_setup("county_2023")


def _unit_names(plan: CampaignSetup) -> dict[str, str]:
    return {u.id: u.name for u in plan.units} | WILDCARDS


def test_every_track_lists_the_plans_units_in_order(plan: CampaignSetup) -> None:
    """三、(一)…(六): six tracks, each with exactly the plan's units in the plan's order."""
    names = _unit_names(plan)
    assert {t.id: "、".join(names[u] for u in t.units) for t in plan.tracks} == PLAN_TRACKS


def test_units_the_plan_names_outside_the_tracks(plan: CampaignSetup) -> None:
    """二、(一) 部门联动 sources, 五、(三) 县委宣传部, 五、(四) 县委组织部: declared units."""
    names = set(_unit_names(plan).values()) | {
        g.name for g in plan.unit_groups
    }  # a class of units is a group
    for name in (
        "县委信访局",
        "县委组织部",
        "县委宣传部",
        "县检察院",
        "县委县政府重点项目跟踪服务单位",
        "县商务局",
    ):
        assert name in names, name


def test_leading_group_office_sits_in_the_discipline_commission(plan: CampaignSetup) -> None:
    """五、(一): 干部作风整顿领导小组, its office in 县纪委县监委, acting in the office role."""
    group = plan.leading_group
    assert group is not None
    assert (group.name, group.office_unit, group.office_role) == (
        "XX县干部作风整顿领导小组",
        "discipline_commission",
        "leading_group_office",
    )


def test_six_track_groups_with_leaders(plan: CampaignSetup) -> None:
    """五、(一): 6个专项整治工作组, each led by a track-group leader who dispatches."""
    assert len({t.group for t in plan.tracks}) == 6
    assert all(
        t.group and t.group.endswith("工作组") and t.leader_role == "track_group_leader" for t in plan.tracks
    )


def test_supervision_is_eight_people_in_two_teams_led_by_the_organisation_department(
    plan: CampaignSetup,
) -> None:
    """五、(四): 县委组织部牵头, 8人 from 县纪委县监委、县委组织部、县委办、县政府办, 2个督查工作组, 不定期."""
    rule = plan.supervision
    assert rule is not None
    assert (rule.lead_unit, rule.members, rule.teams, rule.unannounced) == (
        "organization_department",
        8,
        2,
        True,
    )
    assert set(rule.drawn_from) == {
        "discipline_commission",
        "organization_department",
        "party_committee_office",
        "government_office",
    }
    assert {'惠企政策"空转"', "新官不理旧账", "不担当不作为乱作为"} <= set(rule.focus)


def test_county_leaders_personally_lead_problems_decided_by_the_business_environment_group(
    plan: CampaignSetup,
) -> None:
    """四、(二)(三): 县优化营商环境工作领导小组 decides in inspection which problems 县四套班子领导,
    track-group leaders and unit heads personally lead (领衔)."""
    lead = plan.leadership
    assert lead is not None
    assert set(lead.roles) == {"county_leader", "track_group_leader", "unit_principal"}
    assert (lead.decided_by, lead.phase) == ("business_environment_group", "inspection")
    roles = {r.id: r.label for r in plan.roles}
    assert roles["county_leader"] == "县四套班子领导"


def test_every_intake_channel_of_the_plan(plan: CampaignSetup) -> None:
    """二、(一) 三联制 (部门联动 moved to 县纪委县监委, 外部联络 by hotline / forum / 连心卡, 关联研判)
    and 二、(三) 信访, 走访调研, 明察暗访, 案卷抽查; 督查; 自查."""
    channels = {c.id: c for c in plan.channels}
    assert set(channels) == {
        "department_referral",
        "hotline",
        "forum",
        "liaison_card",
        "correlation",
        "petition",
        "visit",
        "undercover_check",
        "file_audit",
        "supervision",
        "self_inspection",
        "department_inspection",
        "key_project_follow_up",
        "leader_instruction",  # 领导批示交办 (issue 17, 县定: the plan names no such channel)
    }
    # 二、(三) 通过部门查纠, 综合信访、走访调研、明察暗访、案卷抽查、对重点项目跟踪问效等方式
    assert (channels["department_inspection"].label, channels["department_inspection"].mechanism) == (
        "部门查纠",
        "跟踪问效机制",
    )
    assert (channels["key_project_follow_up"].label, channels["key_project_follow_up"].mechanism) == (
        "对重点项目跟踪问效",
        "跟踪问效机制",
    )
    referral = channels["department_referral"]
    assert referral.transfer_to == "discipline_commission"
    groups = {g.id: g.units for g in plan.unit_groups}
    assert set(referral.source_units) == {
        *groups["key_project_service_units"],  # a group stands for its members (issue 16)
        "government_office",
        "petition_bureau",
        "development_reform_commission",
        "commerce_bureau",
    }
    assert {c.id for c in plan.channels if c.mechanism == "信息收集机制·外部联络"} == {
        "hotline",
        "forum",
        "liaison_card",
    }


def test_four_phases_with_their_demands_and_edge_actions(plan: CampaignSetup) -> None:
    """四、: the four phases with the plan's dates; what each demands; every edge does something."""
    phases = {p.id: p for p in plan.phases}
    assert [(p.id, p.start, p.end) for p in plan.phases] == [
        ("mobilization", dt.date(2023, 6, 1), dt.date(2023, 6, 30)),
        ("inspection", dt.date(2023, 7, 1), dt.date(2023, 7, 31)),
        ("rectification", dt.date(2023, 8, 1), dt.date(2023, 8, 31)),
        ("consolidation", dt.date(2023, 9, 1), dt.date(2023, 12, 31)),
    ]
    demands = {p.id: " ".join(p.demand_texts()) for p in plan.phases}
    assert "成立专门工作专班" in demands["mobilization"] and "动员部署会议" in demands["mobilization"]
    assert "一报告四清单" in demands["inspection"]
    assert "建立整改台账, 实行销号管理" in demands["rectification"]
    assert "回头看" in demands["consolidation"]
    escalated = {p.id: [a.duty for a in p.on_end if a.action == "escalate_missing"] for p in plan.phases}
    assert escalated["mobilization"] == ["task_force", "mobilization_meeting", "track_mobilization_meeting"]
    assert escalated["inspection"] == [
        "self_inspection_pack"
    ]  # 一报告四清单 missing at the end of inspection
    # 领衔调研 is the leaders' own obligation (leadership.research), not a duty of every unit
    assert escalated["rectification"] == ["rectification_ledger"]
    assert all(p.on_start for p in phases.values())


def test_duties_of_the_plan(plan: CampaignSetup) -> None:
    """Dated duties by the phase ends, 部门联动 collection from the plan's units, lead units'
    progress reports to the track leaders, the publicity column; each on the duty ladder."""
    duties = {d.id: d for d in plan.duties}
    assert duties["self_inspection_pack"].due == dt.date(2023, 7, 31)
    assert duties["self_inspection_pack"].units == ["all_units"]
    assert "问题清单、责任清单、措施清单、时间清单" in (duties["self_inspection_pack"].deliverable or "")
    assert duties["task_force"].due == dt.date(2023, 6, 30)
    collection = duties["department_referral_collection"]
    assert (collection.every, collection.to) == ("week", "discipline_commission")
    assert set(collection.units) == set(
        next(c for c in plan.channels if c.id == "department_referral").source_units
    )
    progress = duties["lead_unit_progress_report"]
    assert (progress.units, progress.to, progress.every) == (
        ["lead_units"],
        "track_group_leader",
        "fortnight",
    )
    assert duties["publicity_column"].units == ["publicity_department"]
    # Information reports (信息报送) are chased up to 红灯, never to 挂牌督办 or 问责.
    reports = {"department_referral_collection", "lead_unit_progress_report", "publicity_column"}
    assert all(
        d.ladder == ("duty_report_missing" if d.id in reports else "duty_missing") for d in plan.duties
    )


def test_escalation_ladder_up_to_listed_supervision_and_accountability(plan: CampaignSetup) -> None:
    """二、(三) 挂牌督办 and 五、(四) 问责: reminder → yellow → red → 挂牌督办 → 问责 on open items."""
    ladders = {ladder.id: ladder for ladder in plan.ladders}
    items = ladders["item_overdue"]
    assert [s.action for s in items.steps] == [
        "remind",
        "yellow",
        "red",
        "listed_supervision",
        "accountability",
    ]
    assert items.states == ["assigned", "rectifying"]
    assert plan.deadlines is not None and plan.deadlines.ladder == "item_overdue"
    listed = next(s for s in items.steps if s.action == "listed_supervision")
    assert {n.to for n in listed.notify} >= {"responsible_unit", "leading_group_office", "county_leader"}


def test_follow_up_review_in_consolidation(plan: CampaignSetup) -> None:
    """四、(四) 回头看: when consolidation starts, closed items are sampled (and every item once
    under 挂牌督办) and reopened through follow_up_review."""
    rule = plan.follow_up
    assert rule is not None
    assert (rule.phase, rule.states, rule.trigger, rule.include_listed) == (
        "consolidation",
        ["closed"],
        "follow_up_review",
        True,
    )
    assert 0 < rule.share <= 1 and rule.min_per_unit >= 1


def test_every_message_has_a_chinese_template(plan: CampaignSetup) -> None:
    """Each message kind the plan's definition queues has a Chinese subject and body."""
    for kind, template in plan.notifications.templates.items():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in template.subject + template.body), kind
