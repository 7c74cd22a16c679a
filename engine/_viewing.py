"""The views officials and host systems read, made from the rows the engine reads."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ._writes import Campaign
from .audit import BIND
from .views import EventView, ItemView, MeasureView


def item_view(camp: Campaign, r: Mapping[Any, Any]) -> ItemView:
    uid = r["responsible_unit_id"]
    return ItemView(
        id=r["id"],
        campaign=camp.key,
        track=r["track"],
        track_name=camp.tracks.get(r["track"], r["track"]),
        channel=r["channel"],
        title=r["title"],
        description=r["description"],
        severity=r["severity"],
        state=r["state"],
        state_label=camp.lifecycle.labels.get(r["state"], r["state"]),
        unit=None if uid is None else camp.unit_keys[uid],
        unit_name=None if uid is None else camp.unit_names[uid],
        leading_official=r["leading_official"],
        due=r["due"],
        light=r["light"],
        escalation_level=r["escalation_level"],
        reopen_count=r["reopen_count"],
        paused_at=r["paused_at"],
        paused_days=r["paused_days"],
        merged_into=r["merged_into_id"],
        dismiss_reason=r["dismiss_reason"],
        last_finding=r["last_finding"],
        created_by=r["created_by"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        verified_at=r["verified_at"],
        closed_at=r["closed_at"],
        closed_by=r["closed_by"],
        version=r["version"],
        case_note=r["case_note"],
        case_marked_at=r["case_marked_at"],
        case_published_at=r["case_published_at"],
        case_published_where=r["case_published_where"],
        number=r["number"],
        leader_contact_id=r.get("leader_contact_id"),
        research_due=r.get("research_due"),
        research_done_at=r.get("research_done_at"),
        research_note=r.get("research_note"),
    )


def measure_view(r: Mapping[Any, Any]) -> MeasureView:
    return MeasureView(
        id=r["id"],
        item_id=r["item_id"],
        text=r["text"],
        due=r["due"],
        done_at=r["done_at"],
        done_by=r["done_by"],
        created_by=r["created_by"],
        created_at=r["created_at"],
    )


def event_view(r: Mapping[Any, Any]) -> EventView:
    """An event as readers see it: its data without ``bind`` (what the chain vouches for is
    ``audit verify``'s business, not the event's content)."""
    data = json.loads(r["data"])
    data.pop(BIND, None)
    return EventView(
        id=r["id"],
        campaign_id=r["campaign_id"],
        seq=r["seq"],
        item_id=r["item_id"],
        trigger=r["trigger"],
        from_state=r["from_state"],
        to_state=r["to_state"],
        actor=r["actor"],
        role=r["role"],
        unit=r["unit"],
        at=r["at"],
        data=data,
        hash=r["hash"],
    )
