"""Unit groups (issue 16): a group's id in a unit list stands for its members; a group is not a
unit; bad groups are problems of ``zhenggai check``; a campaign whose unit became a group is
refused by name while items are still with it."""

from __future__ import annotations

from typing import Any

import pytest
from zhenggai.engine import Actor, Engine
from zhenggai.engine.checks import check_setup, setup_warnings
from zhenggai.workflows import load_setup
from zhenggai.workflows.schema import CampaignSetup

OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")


def variant(**changes: Any) -> CampaignSetup:
    data = load_setup("county_2023").model_dump(mode="json")
    for key, value in changes.items():
        data[key] = value(data) if callable(value) else value
    return CampaignSetup.model_validate(data)


def test_builtin_groups_expand_and_are_not_units() -> None:
    setup = load_setup("county_2023")
    units = {u.id for u in setup.units}
    groups = {g.id: g for g in setup.unit_groups}
    assert groups["key_project_service_units"].name == "县委县政府重点项目跟踪服务单位"
    assert groups["localities"].name == "各地 (乡镇)" and "high_tech_zone" in groups["localities"].units
    assert not set(groups) & units
    referral = next(c for c in setup.channels if c.id == "department_referral")
    assert referral.source_units[:4] == groups["key_project_service_units"].units
    duty = next(d for d in setup.duties if d.id == "department_referral_collection")
    assert "key_project_service_units" not in duty.units and "project_service_center" in duty.units
    assert check_setup(setup) == []


def test_builtin_duties_owed_to_the_right_party() -> None:
    setup = load_setup("county_2023")
    duties = {d.id: d for d in setup.duties}
    assert duties["track_mobilization_meeting"].to == "leading_group_office"
    assert not [w for w in setup_warnings(setup) if "组长可能向自己报告" in w]


@pytest.mark.parametrize(
    ("groups", "problem"),
    [
        ([{"id": "g", "name": "组", "units": ["nowhere"]}], "未知单位 nowhere"),
        ([{"id": "g", "name": "组", "units": []}], "没有成员单位"),
        ([{"id": "court", "name": "组", "units": ["procuratorate"]}], "与单位同名"),
        ([{"id": "all_units", "name": "组", "units": ["court"]}], "与单位选择符 all_units"),
        (
            [{"id": "a", "name": "甲", "units": ["court"]}, {"id": "b", "name": "乙", "units": ["a"]}],
            "不能包含单位组 a",
        ),
    ],
)
def test_bad_groups_are_problems(groups: list[dict[str, Any]], problem: str) -> None:
    setup = variant(unit_groups=groups)
    assert any(problem in p for p in check_setup(setup)), check_setup(setup)


def test_a_group_cannot_lead_a_track() -> None:
    def lead_by_group(data: dict[str, Any]) -> list[dict[str, Any]]:
        data["tracks"][0]["units"] = ["localities", *data["tracks"][0]["units"]]
        return data["tracks"]

    problems = check_setup(variant(tracks=lead_by_group))
    assert any("牵头单位须为具体单位, 不能是单位组 localities" in p for p in problems)


def test_warning_for_a_lead_unit_duty_owed_to_its_own_leader() -> None:
    def self_report(data: dict[str, Any]) -> list[dict[str, Any]]:
        duty = next(d for d in data["duties"] if d["id"] == "track_mobilization_meeting")
        duty["to"] = "track_group_leader"
        return data["duties"]

    warnings = setup_warnings(variant(duties=self_report))
    assert any("track_mobilization_meeting" in w and "组长可能向自己报告" in w for w in warnings)


def test_migrating_to_a_version_where_a_unit_became_a_group_names_the_items(
    db_url: str, tmp_path: Any
) -> None:
    """Version A has 县项目服务中心 as a unit with an item; version B makes its id a group:
    migrate_campaign is refused, naming the unit, the group and the item."""
    from zhenggai.engine import VirtualClock
    from zhenggai.testing import DEFAULT_START

    engine = Engine(db_url, clock=VirtualClock(DEFAULT_START))
    try:
        engine.start_campaign(load_setup("county_2023"), key="test")
        item = engine.report(
            "test", OFFICE, title="t", description="d", track="construction", channel="hotline"
        ).id
        engine.assign(item, OFFICE, unit="project_service_center", due="2023-08-31")

        def as_group(data: dict[str, Any]) -> list[dict[str, Any]]:
            return [u for u in data["units"] if u["id"] != "project_service_center"]

        def groups(data: dict[str, Any]) -> list[dict[str, Any]]:
            for g in data["unit_groups"]:
                g["units"] = [u for u in g["units"] if u != "project_service_center"]
            data["unit_groups"].append(
                {"id": "project_service_center", "name": "项目服务单位", "units": ["court"]}
            )
            return data["unit_groups"]

        def tracks(data: dict[str, Any]) -> list[dict[str, Any]]:
            for t in data["tracks"]:
                t["units"] = [u for u in t["units"] if u != "project_service_center"]
            return data["tracks"]

        newer = variant(units=as_group, unit_groups=groups, tracks=tracks, definition_version="2023.2")
        with pytest.raises(Exception, match="单位组「项目服务单位」") as err:
            engine.migrate_campaign("test", newer, OFFICE)
        assert f"问题 {item}" in str(err.value)
        assert engine.campaign("test").definition_version == "2023.1"
    finally:
        engine.dispose()
