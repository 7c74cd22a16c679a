"""``Engine.fire_transition``: the item and the audit event one transition wrote, in the one
write; a trigger named by its label; ``campaign_info`` from the engine's cache without a read."""

from __future__ import annotations

import pytest
from zhenggai.engine import CampaignView, Engine, FiredTransition, TransitionNotAllowedError

from tests.conftest import Actors

pytestmark = pytest.mark.storage

HOUSING = "housing_construction_bureau"


def _report(engine: Engine, campaign: CampaignView) -> int:
    return engine.report(
        campaign.key,
        Actors.office,
        title="审批超时",
        description="施工许可审批超时",
        track="construction",
        channel="hotline",
    ).id


def test_the_event_returned_is_the_one_in_the_chain(engine: Engine, campaign: CampaignView) -> None:
    item = _report(engine, campaign)
    fired = engine.fire_transition(item, "assign", Actors.office, unit=HOUSING, due="2023-08-31")
    assert isinstance(fired, FiredTransition)
    assert fired.item == engine.item(item)
    assert fired.event == engine.events(item)[-1]
    assert (fired.event.trigger, fired.event.from_state, fired.event.to_state) == (
        "assign",
        "identified",
        "assigned",
    )
    assert fired.event.data["unit"] == HOUSING and "bind" not in fired.event.data


def test_a_trigger_may_be_named_by_its_label(engine: Engine, campaign: CampaignView) -> None:
    item = _report(engine, campaign)
    with pytest.raises(TransitionNotAllowedError, match="销号"):  # a label of another state's transition
        engine.fire(item, "销号", Actors.office)
    assert engine.fire(item, "交办", Actors.office, unit=HOUSING, due="2023-08-31").state == "assigned"
    with pytest.raises(TransitionNotAllowedError):
        engine.fire(item, "没有这个操作", Actors.office)


def test_campaign_info_from_the_cache_reads_nothing(
    engine: Engine, campaign: CampaignView, checkouts: list[object]
) -> None:
    info = engine.campaign_info(campaign.key)
    assert len(checkouts) == 1 and info.view == campaign
    assert dict(info.units)[HOUSING] == dict(engine.units(campaign.key))[HOUSING]
    assert [t for t, _ in info.tracks] == [t for t, _ in engine.tracks(campaign.key)]
    assert info.lifecycle == engine.lifecycle(campaign.key) and info.definition == engine.definition(
        campaign.key
    )
    checkouts.clear()
    assert engine.campaign_info(campaign.key, cached=True) == info
    assert engine.campaigns(cached=True) == [campaign]
    assert checkouts == []


def test_a_preloading_engine_reads_the_campaigns_with_the_schema(
    engine: Engine, campaign: CampaignView, db_url: str, checkouts: list[object]
) -> None:
    checkouts.clear()
    with Engine(db_url, preload=True) as again:
        assert len(checkouts) == 1
        assert again.campaigns(cached=True) == [campaign]
        assert again.campaign_info(campaign.key, cached=True).view == campaign
        assert len(checkouts) == 1
