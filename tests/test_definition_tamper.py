"""Issue 13, point 12 (first part): the definition a campaign runs on is anchored in its audit
chain. Its SHA-256 is recorded when the campaign starts or migrates; an engine refuses a stored
definition that no longer matches (an edit that let a unit close its own item is not obeyed), and
`audit verify` names it. On SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update
from zhenggai.engine import Engine, StorageError, VirtualClock
from zhenggai.engine._statements import CAMPAIGN
from zhenggai.testing import DEFAULT_START
from zhenggai.workflows import load_setup

from tests.conftest import Actors, due_in


def test_an_edited_stored_definition_is_refused_and_reported(db_url: str) -> None:
    clock = VirtualClock(DEFAULT_START)
    with Engine(db_url, clock=clock) as engine:
        engine.start_campaign(load_setup("county_2023"), key="t")
        started = [e for e in engine.events(campaign="t") if e.trigger == "start_campaign"]
        assert len(started[0].data["definition_sha256"]) == 64
        item = engine.report(
            "t",
            Actors.office,
            title="审批超时",
            description="施工许可审批超时",
            track="construction",
            channel="hotline",
        ).id
        engine.assign(item, Actors.office, unit="housing_construction_bureau", due=due_in(10))
        with engine.store.write() as conn:  # a database holder lets units close their own items
            row = conn.execute(CAMPAIGN.select().where(CAMPAIGN.c.key == "t")).mappings().one()
            lifecycle = json.loads(row["lifecycle_json"])
            for t in lifecycle["transitions"]:
                if t["trigger"] == "close":
                    t["roles"].append("responsible")
                    t["guards"] = [g for g in t["guards"] if g != "actor_outside_unit"]
            conn.execute(
                update(CAMPAIGN).where(CAMPAIGN.c.key == "t").values(lifecycle_json=json.dumps(lifecycle))
            )
    with Engine(db_url, clock=clock) as engine:
        with pytest.raises(StorageError, match="哈希不符"):
            engine.fire(item, "start_rectification", Actors.unit())
        report = engine.verify_audit()
        assert not report.ok and any("实施方案被改动" in p for p in report.problems)
        assert any("实施方案被改动" in p for p in engine.verify_audit("t").problems)


def test_a_migration_records_the_new_definition(db_url: str) -> None:
    clock = VirtualClock(DEFAULT_START)
    setup = load_setup("county_2023")
    with Engine(db_url, clock=clock) as engine:
        engine.start_campaign(setup, key="t")
        newer = setup.model_copy(update={"definition_version": "2023.2", "title": setup.title + " (修订)"})
        engine.migrate_campaign("t", newer, Actors.office)
        migrated = [e for e in engine.events(campaign="t") if e.trigger == "migrate_campaign"]
        assert (
            len(migrated) == 1
            and migrated[0].data["definition_sha256"]
            != (
                next(e for e in engine.events(campaign="t") if e.trigger == "start_campaign").data[
                    "definition_sha256"
                ]
            )
        )
    with Engine(db_url, clock=clock) as engine:
        assert engine.campaign("t").definition_version == "2023.2"
        assert engine.verify_audit().ok
