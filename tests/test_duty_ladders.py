"""Duty ladders without 问责: the plan's information reports (部门联动信息报送, 牵头单位调度汇报,
专栏更新) run on ``duty_report_missing`` (催报 → 红灯) and never reach 挂牌督办 or 提请问责;
the other duties keep ``duty_missing``. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from zhenggai.engine import CampaignView, Engine, VirtualClock
from zhenggai.workflows import load_setup

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
INFORMATION_REPORTS = {"department_referral_collection", "lead_unit_progress_report", "publicity_column"}


def at(day: str, hh: int = 0, mm: int = 5) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hh, minute=mm, tzinfo=SHANGHAI)


def steps(engine: Engine, duty: str, unit: str, due: str) -> list[dict[str, Any]]:
    return [
        {"step": e.data["step"], "action": e.data["action"]}
        for e in engine.events(campaign="test")
        if e.trigger == "duty_step"
        and e.data["duty"] == duty
        and e.data["unit"] == unit
        and e.data["due"] == due
    ]


def test_information_reports_stop_at_the_red_light() -> None:
    plan = load_setup("county_2023")
    ladders = {x.id: x for x in plan.ladders}
    for duty in plan.duties:
        ladder = ladders[duty.ladder or ""]
        actions = {s.action for s in ladder.steps}
        if duty.id in INFORMATION_REPORTS:
            assert ladder.id == "duty_report_missing", duty.id
            assert actions.isdisjoint({"listed_supervision", "accountability"}), duty.id
            assert "red" in actions
        else:
            assert {"listed_supervision", "accountability"} <= actions, duty.id


def test_a_missed_weekly_referral_report_is_chased_to_red_and_no_further(
    engine: Engine, clock: VirtualClock
) -> None:
    """县委信访局's 部门联动信息报送 due Friday 7-07: 催报 on 7-10, 红灯 on 7-12; three weeks later
    still no 挂牌督办 or 问责 for it, while its 一报告四清单 (on ``duty_missing``) does reach 挂牌督办."""
    campaign: CampaignView = engine.start_campaign(load_setup("county_2023"), key="test")
    assert campaign.key == "test"
    for day in ("2023-07-10", "2023-07-12", "2023-08-08"):
        clock.set(at(day))
        engine.sweep()
    assert steps(engine, "department_referral_collection", "petition_bureau", "2023-07-07") == [
        {"step": "chase", "action": "notify"},
        {"step": "red", "action": "red"},
    ]
    (occurrence,) = [
        d
        for d in engine.duties("test", unit="petition_bureau")
        if d.duty == "department_referral_collection" and d.due == dt.date(2023, 7, 7)
    ]
    assert (occurrence.light, occurrence.escalation_level) == ("red", 0)
    events = [
        e
        for e in engine.events(campaign="test")
        if e.trigger == "duty_step" and e.data["duty"] in INFORMATION_REPORTS
    ]
    assert events and all(e.data["action"] in ("notify", "red") for e in events)
    (pack,) = [d for d in engine.duties("test", unit="petition_bureau") if d.duty == "self_inspection_pack"]
    assert (pack.light, pack.escalation_level) == ("red", 1)  # 挂牌督办 on duty_missing
