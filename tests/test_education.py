"""警示教育 (一、(三) 警示教育一批党员干部) as a register of its own: sessions a unit holds (day,
topic, attendees, cases used), recorded by the unit or the office, audited under their own
subject, and counted in 五个一批 as the sum of their attendees (sessions counted too)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from sqlalchemy import func, select
from zhenggai.engine import (
    CampaignView,
    Engine,
    InvalidInputError,
    ItemNotFound,
    PermissionDeniedError,
    TrackNotFound,
    UnitNotFound,
)
from zhenggai.engine._admin_statements import EDUCATION, EDUCATION_CASE
from zhenggai.engine._statements import EVENT

from tests.conftest import Actors

pytestmark = pytest.mark.storage

HOUSING = "housing_construction_bureau"
BUREAU = Actors.unit(HOUSING)
_KEYS = itertools.count(1)


def _item(engine: Engine, campaign: CampaignView) -> int:
    return engine.report(
        campaign.key,
        Actors.office,
        title="审批超时",
        description="施工许可审批超时",
        track="construction",
        channel="hotline",
    ).id


def _count(engine: Engine, table: object) -> int:
    with engine.store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_a_unit_records_its_session_audited_and_counted(engine: Engine, campaign: CampaignView) -> None:
    item = _item(engine, campaign)
    view = engine.record_education(
        campaign.key,
        BUREAU,
        unit=HOUSING,
        held_on=dt.date(2023, 7, 3),
        title="以案促改警示教育大会",
        attendees=85,
        cases="某局工作人员吃拿卡要案",
        case_items=[item, item],
        track="construction",
    )
    assert (view.unit, view.unit_name, view.attendees, view.case_items) == (HOUSING, "县住建局", 85, (item,))
    assert view.held_on == dt.date(2023, 7, 3) and view.created_by == "李科长"
    # The office records any unit's session.
    engine.record_education(
        campaign.key,
        Actors.office,
        unit="market_regulation_bureau",
        held_on="2023-07-01",
        title="警示教育",
        attendees=40,
    )
    listed = engine.educations(campaign.key)
    assert [e.attendees for e in listed] == [40, 85]  # by day held
    assert [e.id for e in engine.educations(campaign.key, unit=HOUSING)] == [view.id]
    assert [e.id for e in engine.educations(campaign.key, track="construction")] == [view.id]
    with engine.store.read() as conn:
        events = conn.execute(
            select(EVENT.c.trigger, EVENT.c.subject_kind, EVENT.c.subject_id, EVENT.c.actor).where(
                EVENT.c.trigger == "record_education"
            )
        ).all()
    assert (events[0].subject_kind, events[0].subject_id, events[0].actor) == ("education", view.id, "李科长")
    assert len(events) == 2
    assert engine.verify_audit(campaign.key).ok
    five = engine.five_outcomes(campaign.key)
    educated = next(t for t in five.totals if t.key == "people_educated")
    assert (educated.count, educated.target, five.education_sessions) == (125, 60, 2)
    unit_five = engine.five_outcomes(campaign.key, unit=HOUSING)
    assert next(t.count for t in unit_five.totals if t.key == "people_educated") == 85
    assert unit_five.education_sessions == 1
    track_five = engine.five_outcomes(campaign.key, track="construction")
    assert next(t.count for t in track_five.totals if t.key == "people_educated") == 85


def test_people_held_accountable_no_longer_count_as_educated(engine: Engine, campaign: CampaignView) -> None:
    """BREAKING: 问责 outcomes name people held accountable, not cadres educated."""
    five = engine.five_outcomes(campaign.key)
    assert next(t.count for t in five.totals if t.key == "people_educated") == 0
    assert five.education_sessions == 0


@pytest.mark.parametrize(
    ("actor", "unit", "fields", "error"),
    [
        (BUREAU, "market_regulation_bureau", {}, PermissionDeniedError),  # another unit's
        (Actors.supervision, HOUSING, {}, PermissionDeniedError),  # a role not allowed
        (Actors.office, "nowhere", {}, UnitNotFound),
        (Actors.office, HOUSING, {"attendees": 0}, InvalidInputError),
        (Actors.office, HOUSING, {"attendees": True}, InvalidInputError),
        (Actors.office, HOUSING, {"attendees": "30"}, InvalidInputError),
        (Actors.office, HOUSING, {"held_on": dt.date(2099, 1, 1)}, InvalidInputError),  # the future
        (Actors.office, HOUSING, {"held_on": "七月三日"}, InvalidInputError),
        (Actors.office, HOUSING, {"title": "  "}, InvalidInputError),
        (Actors.office, HOUSING, {"track": "nope"}, TrackNotFound),
        (Actors.office, HOUSING, {"case_items": [99999]}, ItemNotFound),
    ],
)
def test_bad_sessions_are_refused_in_chinese_and_nothing_is_written(
    engine: Engine, campaign: CampaignView, actor: object, unit: str, fields: dict[str, object], error: type
) -> None:
    given_ = {"held_on": dt.date(2023, 7, 3), "title": "警示教育", "attendees": 30, **fields}
    events = _count(engine, EVENT)
    with pytest.raises(error) as caught:
        engine.record_education(campaign.key, actor, unit=unit, **given_)  # type: ignore[arg-type]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(caught.value))
    assert (_count(engine, EDUCATION), _count(engine, EDUCATION_CASE), _count(engine, EVENT)) == (
        0,
        0,
        events,
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sessions=hs.lists(
        hs.tuples(
            hs.sampled_from([HOUSING, "market_regulation_bureau", "taxation_bureau"]), hs.integers(1, 500)
        ),
        max_size=6,
    )
)
def test_people_educated_is_the_sum_of_attendees(
    module_engine: Engine, sessions: list[tuple[str, int]]
) -> None:
    """Whatever sessions are held, 五个一批's figure is their attendees summed, per unit too."""
    from zhenggai.workflows import load_setup

    camp = module_engine.start_campaign(load_setup("county_2023"), key=f"edu{next(_KEYS)}")
    for unit, attendees in sessions:
        module_engine.record_education(
            camp.key,
            Actors.office,
            unit=unit,
            held_on=dt.date(2023, 7, 3),
            title="警示教育",
            attendees=attendees,
        )
    five = module_engine.five_outcomes(camp.key)
    assert next(t.count for t in five.totals if t.key == "people_educated") == sum(a for _, a in sessions)
    assert five.education_sessions == len(sessions)
    for unit_key, _, tallies in five.by_unit:
        expected = sum(a for u, a in sessions if u == unit_key)
        assert next(t.count for t in tallies if t.key == "people_educated") == expected
