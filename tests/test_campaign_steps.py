"""The campaign's own dated steps: phase start and end actions, the 回头看 draw when
consolidation starts (its seed in the audit trail, reproducible), the supervision teams'
unannounced draws. Each fires once, also after downtime. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from typing import Any

import pytest
from zhenggai.engine import Actor, CampaignSetup, CampaignView, Engine, VirtualClock
from zhenggai.engine._campaign_steps import follow_up_sample, supervision_teams
from zhenggai.workflows import load_setup

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
SUPERVISION = Actor("督查一组", "supervision_team", "organization_department")
UNITS = ["housing_construction_bureau", "finance_bureau", "court", "commerce_bureau"]


def at(day: str, hh: int = 0, mm: int = 5) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hh, minute=mm, tzinfo=SHANGHAI)


def without_duties(setup: CampaignSetup) -> CampaignSetup:
    """The plan without its unit duties and their escalation (test_duties.py's)."""
    phases = [
        p.model_copy(
            update={
                "on_start": [a for a in p.on_start if a.action == "notify"],
                "on_end": [a for a in p.on_end if a.action == "notify"],
            }
        )
        for p in setup.phases
    ]
    return setup.model_copy(update={"duties": [], "phases": phases})


@pytest.fixture
def clock() -> VirtualClock:
    """00:00 on 2023-06-01 in Shanghai: the campaign starts with its plan, so every phase action
    and draw lies ahead of it (a campaign started later records the earlier ones as not
    applicable: test_dated_now.py)."""
    return VirtualClock(at("2023-06-01", 0, 0))


@pytest.fixture
def campaign(engine: Engine) -> CampaignView:
    return engine.start_campaign(without_duties(load_setup("county_2023")), key="test")


def events(engine: Engine, trigger: str) -> list[dict[str, Any]]:
    return [e.data for e in engine.events(campaign="test") if e.trigger == trigger]


def rectifying(engine: Engine, unit: str, due: str = "2023-08-31") -> int:
    actor = Actor("联络员", "responsible", unit)
    item = engine.report(
        "test", OFFICE, title="审批超时", description="审批超时", track="construction", channel="hotline"
    ).id
    engine.assign(item, OFFICE, unit=unit, due=due)
    measure = engine.add_measure(item, actor, text="限期办结").id
    engine.start_rectification(item, actor)
    engine.complete_measure(measure, actor)
    return item


def close(engine: Engine, item: int) -> int:
    engine.submit_for_verification(item, Actor("联络员", "responsible", engine.item(item).unit))
    engine.verify(item, SUPERVISION)
    engine.close(item, OFFICE)
    return item


def test_phase_edges_fire_once_with_their_messages(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    """At 00:00 of 8-01 inspection ends (the hearing notice to the business-environment group)
    and rectification starts (the notice to every unit and the publicity department); each once."""
    clock.set(at("2023-07-31", 23, 0))
    engine.sweep()
    before = Counter(e["phase"] + "." + e["edge"] for e in events(engine, "phase_action"))
    clock.set(at("2023-08-01"))
    engine.sweep()
    after = Counter(e["phase"] + "." + e["edge"] for e in events(engine, "phase_action"))
    assert after - before == Counter({"inspection.end": 1, "rectification.start": 1})
    messages = [m for m in engine.outbox("test") if m.payload.get("phase") in ("inspection", "rectification")]
    hearing = [m for m in messages if m.kind == "inspection_hearing"]
    assert [m.recipient for m in hearing] == ["role:business_environment_group"]
    started = {
        m.recipient for m in messages if m.kind == "phase_started" and m.payload["phase"] == "rectification"
    }
    # every unit, the publicity role, and the roles the phase's demands are addressed to (issue 16)
    assert len(started) == 37 + 3 and "role:publicity" in started
    assert {"role:county_leader", "role:business_environment_group"} <= started
    assert hearing[0].payload == {
        "campaign": "2023年持续深化作风整顿优化营商环境专项行动",
        "phase": "inspection",
        "phase_name": "问题查摆阶段",
        "phase_start": "2023-07-01",
        "phase_end": "2023-07-31",
        # the demands of the phase addressed to the group (issue 16)
        "demands": "1. 县优化营商环境工作领导小组听取查摆情况汇报, 确定领衔调研处理的具体问题",
    }
    assert engine.sweep().settled == 0


def test_follow_up_draw_when_consolidation_starts(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    """四、(四): when consolidation starts (9-01) 20% of the closed items are drawn, at least one per
    unit, plus every item once under 挂牌督办; the seed is in the event and the same seed draws
    the same sample."""
    listed = rectifying(engine, "court", due="2023-08-01")
    clock.set(at("2023-08-09", 9, 0))  # 挂牌督办: five working days after 8-01
    engine.sweep()
    assert engine.item(listed).escalation_level == 1
    closed = [close(engine, rectifying(engine, unit)) for unit in UNITS for _ in range(4)] + [
        close(engine, listed)
    ]
    rectifying(engine, "finance_bureau")  # still open: not in the draw
    clock.set(at("2023-09-01", 0, 5))
    engine.sweep()
    (draw,) = events(engine, "follow_up_draw")
    assert "late" not in draw and sorted(draw["population"]) == sorted(closed)
    sample = draw["sample"]
    assert listed in sample and draw["listed"] == [listed]
    units_of = {i: engine.item(i).unit for i in closed}
    assert {units_of[i] for i in sample} == set(UNITS)  # at least one per unit
    assert len(sample) >= -(-len(closed) * 2 // 10)
    rule = load_setup("county_2023").follow_up
    assert rule is not None
    population = [(i, units_of[i], engine.item(i).escalation_level) for i in sorted(closed)]
    assert follow_up_sample(draw["seed"], population, rule) == sample
    assert engine.sweep().settled == 0 and len(events(engine, "follow_up_draw")) == 1


def test_follow_up_sample_takes_every_listed_item_and_is_reproducible() -> None:
    """The draw itself: listed items always in; the same seed, the same sample; another seed,
    (almost surely) another."""
    rule = load_setup("county_2023").follow_up
    assert rule is not None
    population = [(i, f"u{i % 5}", 1 if i in (7, 31) else 0) for i in range(1, 101)]
    first = follow_up_sample(12345, population, rule)
    assert first == follow_up_sample(12345, population, rule)
    assert {7, 31} <= set(first) and len(first) >= 20
    assert {f"u{i % 5}" for i in first} == {f"u{k}" for k in range(5)}
    assert any(follow_up_sample(seed, population, rule) != first for seed in range(5))


def test_supervision_draws_are_unannounced_and_fair(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    """五、(四): one draw in each fortnight from inspection on, on a working day (不定期, issue 16:
    no longer every other Saturday); two teams each get three units, never their own units, no
    unit twice in one draw; each team is told (its own contacts), no unit is."""
    clock.set(at("2023-08-20", 9, 0))
    engine.sweep()
    draws = events(engine, "supervision_draw")
    days = [dt.date.fromisoformat(d["day"]) for d in draws]
    windows = [dt.date(2023, 7, 1) + dt.timedelta(days=14 * k) for k in range(4)]
    assert len(days) == 4 and all(
        w <= d < w + dt.timedelta(days=14) for w, d in zip(windows, days, strict=True)
    )
    assert all(d.weekday() < 5 for d in days)
    rule = load_setup("county_2023").supervision
    assert rule is not None
    own = rule.units_of_team()
    for draw in draws:
        teams = draw["teams"]
        assert len(teams) == 2 and all(len(t) == 3 for t in teams)
        visited = [u for team in teams for u in team]
        assert len(set(visited)) == 6
        assert not set(teams[0]) & set(own[0]) and not set(teams[1]) & set(own[1])
        assert supervision_teams(draw["seed"], draw["units"], rule) == teams
    notices = [m for m in engine.outbox("test") if m.kind == "supervision_drawn"]
    assert sorted(m.recipient for m in notices) == sorted(
        f"role:supervision_team:team:{k}" for _ in draws for k in (1, 2)
    )


def test_a_fixed_seed_repeats_the_draws(db_url: str) -> None:
    """Engine(seed=…) makes a run's draws repeatable (zhenggai simulate relies on it)."""
    teams = []
    for key in ("a", "b"):
        clock = VirtualClock(at("2023-06-01", 0, 0))  # started with the plan, swept late
        engine = Engine(db_url, clock=clock, seed=7)
        try:
            engine.start_campaign(without_duties(load_setup("county_2023")), key=key)
            clock.set(at("2023-07-20"))
            engine.sweep()
            teams.append(
                [e.data["teams"] for e in engine.events(campaign=key) if e.trigger == "supervision_draw"]
            )
        finally:
            engine.dispose()
    assert teams[0] == teams[1] and teams[0]
