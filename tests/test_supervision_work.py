"""督查 as work (issue 16, point 4): draws on working days drawn at random (不定期, seeded), each
team told its units and the focus (its own contacts only, never a unit), the teams' own units
visited only by the other team, visits recorded with findings that become 明察暗访 items, and
the 督查通报 of a draw. SQLite and PostgreSQL for storage."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zhenggai.engine import Actor, CampaignView, Engine, NewContact, VirtualClock
from zhenggai.engine._campaign_steps import supervision_teams
from zhenggai.engine._supervision import supervision_draw_days
from zhenggai.engine.calendar import WorkingCalendar
from zhenggai.engine.errors import InvalidInputError, PermissionDeniedError
from zhenggai.workflows import load_setup

from tests.test_campaign_steps import OFFICE, SUPERVISION, at, events, without_duties

PLAN = load_setup("county_2023")
RULE = PLAN.supervision
assert RULE is not None


@given(seed=st.integers(min_value=0, max_value=2**63))
@settings(max_examples=60, deadline=None)
def test_draw_days_are_working_days_one_per_fortnight(seed: int) -> None:
    assert RULE is not None
    calendar = WorkingCalendar(PLAN.calendar)
    days = supervision_draw_days(RULE, PLAN.phases, calendar, seed)
    assert len(days) == 13  # 2023-07-01 .. 12-31 in fortnights
    assert all(calendar.is_workday(d) for d in days)
    assert days == sorted(days) and len(set(days)) == len(days)
    start = dt.date(2023, 7, 1)
    for k, day in enumerate(days):
        assert start + dt.timedelta(days=14 * k) <= day < start + dt.timedelta(days=14 * (k + 1))


def test_the_old_saturday_rhythm_is_gone() -> None:
    """Before issue 16 every draw fell on 07-01 + 14n, all Saturdays; now hardly any does."""
    assert RULE is not None
    days = supervision_draw_days(RULE, PLAN.phases, WorkingCalendar(PLAN.calendar), "any seed")
    assert not [d for d in days if d.weekday() == 5 and not WorkingCalendar(PLAN.calendar).is_workday(d)]
    assert any(d.weekday() != 5 for d in days)


@given(seed=st.integers(min_value=0, max_value=2**63))
@settings(max_examples=100, deadline=None)
def test_teams_never_visit_their_own_units(seed: int) -> None:
    assert RULE is not None
    units = sorted(u.id for u in PLAN.units)
    teams = supervision_teams(seed, units, RULE)
    own = RULE.units_of_team()
    assert [len(t) for t in teams] == [3, 3] and len({u for t in teams for u in t}) == 6
    for team, mine in zip(teams, own, strict=True):
        assert not set(team) & set(mine)


def test_own_units_are_supervised_by_the_other_team() -> None:
    assert RULE is not None
    units = sorted(u.id for u in PLAN.units)
    own = RULE.units_of_team()
    by_team: list[set[str]] = [set(), set()]
    for seed in range(200):
        for k, team in enumerate(supervision_teams(seed, units, RULE)):
            by_team[k].update(team)
    assert set(own[0]) <= by_team[1] and set(own[1]) <= by_team[0]
    assert not set(own[0]) & by_team[0] and not set(own[1]) & by_team[1]


# ---------------------------------------------------------------------------------- storage


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(at("2023-06-01", 0, 0))


TEAM_1 = Actor("督查一组", "supervision_team", "organization_department")


@pytest.fixture
def campaign(engine: Engine) -> CampaignView:
    camp = engine.start_campaign(without_duties(load_setup("county_2023")), key="test")
    for team, (unit, mobile) in enumerate(
        [("organization_department", "13900000001"), ("party_committee_office", "13900000002")], 1
    ):
        engine.add_contact(
            camp.key,
            OFFICE,
            NewContact(unit=unit, name=f"督查员{team}", role="supervision_team", mobile=mobile, team=team),
        )
    return camp


@pytest.mark.storage
def test_each_team_is_told_its_units_and_no_unit_is(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    clock.set(at("2023-07-15", 9, 0))
    engine.sweep()
    (draw,) = events(engine, "supervision_draw")
    notices = [m for m in engine.outbox("test") if m.kind == "supervision_drawn"]
    assert sorted((m.recipient, m.payload["team"]) for m in notices) == [
        ("13900000001", 1),
        ("13900000002", 2),
    ]
    names = {u.id: u.name for u in PLAN.units}
    for m in notices:
        assert m.payload["units"] == "、".join(names[u] for u in draw["teams"][m.payload["team"] - 1])
        assert "承诺不兑现" in m.payload["focus"]
    drawn_units = {u for t in draw["teams"] for u in t}
    assert not [
        m for m in engine.outbox("test") if m.kind == "supervision_drawn" and m.recipient.startswith("unit:")
    ]
    assert drawn_units


def test_an_announced_draw_tells_the_units_too(engine: Engine, clock: VirtualClock) -> None:
    """``unannounced: false``: each drawn unit gets its team's notice as well (a dead letter
    where it has nobody in the roster), besides the teams."""
    plan = without_duties(load_setup("county_2023"))
    assert plan.supervision is not None
    announced = plan.model_copy(
        update={"supervision": plan.supervision.model_copy(update={"unannounced": False})}
    )
    engine.start_campaign(announced, key="test")
    clock.set(at("2023-07-15", 9, 0))
    engine.sweep()
    (draw,) = events(engine, "supervision_draw")
    told = {m.recipient for m in engine.outbox("test") if m.kind == "supervision_drawn"}
    assert {f"unit:{u}" for t in draw["teams"] for u in t} <= told


@pytest.mark.storage
def test_a_visit_with_findings_makes_items_and_a_bulletin(
    engine: Engine, campaign: CampaignView, clock: VirtualClock, tmp_path: object
) -> None:
    clock.set(at("2023-07-15", 9, 0))
    engine.sweep()
    (draw,) = events(engine, "supervision_draw")
    unit = draw["teams"][0][0]
    visit = engine.record_visit(
        "test", 1, unit, draw["day"], findings=["窗口人员脱岗", "惠企政策未公示"], actor=TEAM_1
    )
    assert visit.team == 1 and visit.unit == unit and visit.draw_day.isoformat() == draw["day"]
    assert len(visit.items) == 2
    for item_id in visit.items:
        item = engine.item(item_id)
        assert item.channel == "undercover_check" and item.state == "identified"
        assert "第1督查组" in item.description and item.title.startswith("督查发现")
    (event,) = [e for e in engine.events(campaign="test") if e.trigger == "record_visit"]
    assert event.data["supervision_visit"] == visit.id and event.data["items"] == list(visit.items)
    assert [v.id for v in engine.visits("test")] == [visit.id]
    bulletin = engine.supervision_bulletin("test", draw["day"])
    assert [f.item_id for f in bulletin.findings] == list(visit.items)
    assert bulletin.copy_to == "县委组织部" and len(bulletin.teams) == 2

    from docx import Document
    from zhenggai.adapters.reports.supervision import write_supervision_bulletin

    path = write_supervision_bulletin(bulletin, tmp_path)  # type: ignore[arg-type]
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    tables = "\n".join(c.text for t in Document(str(path)).tables for r in t.rows for c in r.cells)
    assert "督查通报" in text and "抄送: 县委组织部" in text
    assert "窗口人员脱岗" in tables and "惠企政策未公示" in tables


@pytest.mark.storage
def test_visit_refusals_change_nothing(engine: Engine, campaign: CampaignView, clock: VirtualClock) -> None:
    clock.set(at("2023-07-15", 9, 0))
    engine.sweep()
    (draw,) = events(engine, "supervision_draw")
    other = draw["teams"][1][0]
    with pytest.raises(InvalidInputError, match="未被抽派到"):
        engine.record_visit("test", 1, other, draw["day"], actor=TEAM_1)
    with pytest.raises(PermissionDeniedError):
        engine.record_visit("test", 1, draw["teams"][0][0], draw["day"], actor=OFFICE)
    with pytest.raises(InvalidInputError, match="督查组须为"):
        engine.record_visit("test", 3, draw["teams"][0][0], draw["day"], actor=SUPERVISION)
    with pytest.raises(InvalidInputError, match="晚于今天"):
        engine.record_visit("test", 1, draw["teams"][0][0], "2023-08-01", actor=TEAM_1)
    with pytest.raises(InvalidInputError, match="没有督查抽签"):
        engine.supervision_bulletin("test", "2023-07-02")
    assert engine.visits("test") == []
    engine.record_visit("test", 1, draw["teams"][0][0], draw["day"], actor=TEAM_1)
    with pytest.raises(InvalidInputError, match="已记录"):
        engine.record_visit("test", 1, draw["teams"][0][0], draw["day"], actor=TEAM_1)


@pytest.mark.storage
def test_a_contact_team_is_checked(engine: Engine, campaign: CampaignView) -> None:
    with pytest.raises(InvalidInputError, match="督查组"):
        engine.add_contact(
            "test", OFFICE, NewContact(unit="finance_bureau", name="张三", mobile="13900000003", team=1)
        )
    with pytest.raises(InvalidInputError, match="督查组须为"):
        engine.add_contact(
            "test",
            OFFICE,
            NewContact(
                unit="finance_bureau", name="张三", role="supervision_team", mobile="13900000003", team=5
            ),
        )
    added = engine.add_contact(
        "test",
        OFFICE,
        NewContact(unit="finance_bureau", name="张三", role="supervision_team", mobile="13900000003", team=2),
    )
    assert added.team == 2
    assert engine.update_contact(added.id, OFFICE, team=1).team == 1
