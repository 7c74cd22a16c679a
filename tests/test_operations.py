"""Inputs of the named operations: remarks (note) reach the audit trail; unknown fields are refused."""

from __future__ import annotations

import pytest

from zhenggai.engine import CampaignView, Engine, InvalidInputError

UNIT = "housing_construction_bureau"


def _report(engine: Engine, campaign: CampaignView, actors: type) -> int:
    return engine.report(
        campaign.key, actors.office, title="审批超时", description="施工许可审批超时", track="construction",
        channel="hotline",
    ).id


def test_named_operations_record_their_note(engine: Engine, campaign: CampaignView, actors: type) -> None:
    """A note given to a named operation is kept in that operation's audit event."""
    item = _report(engine, campaign, actors)
    engine.assign(item, actors.office, unit=UNIT, due="2023-08-15", note="请于月中前反馈")
    engine.add_measure(item, actors.unit(), text="限时办结")
    engine.start_rectification(item, actors.unit(), note="已成立专班")
    notes = {e.trigger: e.data.get("note") for e in engine.events(item)}
    assert notes["assign"] == "请于月中前反馈"
    assert notes["start_rectification"] == "已成立专班"


def test_unknown_field_is_refused_even_when_empty(engine: Engine, campaign: CampaignView, actors: type) -> None:
    """fire() names a field the trigger does not take, even if its value is None; nothing changes."""
    item = _report(engine, campaign, actors)
    with pytest.raises(InvalidInputError) as err:
        engine.fire(item, "assign", actors.office, unit=UNIT, due="2023-08-15", finding=None)
    assert err.value.field == "finding"
    assert engine.item(item).state == "identified"
    assert engine.item(item).version == 1
