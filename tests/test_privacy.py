"""Reporter privacy (举报人保密): the reporter's identity is stored apart, never appears in
anything units or officials see (views, ledger, audit data, outbox payloads, any other table),
and reading it takes the custodian role and is itself audited.

Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import inspect, select, text
from zhenggai.engine import Actor, CampaignView, Engine, PermissionDeniedError, Reporter
from zhenggai.engine.models import metadata as MODELS
from zhenggai.workflows import load_setup
from zhenggai.workflows.schema import ContactSpec

NAME = "甄秘密"
PHONE = "13912345678"
ADDRESS = "某小区三栋二单元"
UNIT = "housing_construction_bureau"
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
BUREAU = Actor("李科长", "responsible", UNIT)
CUSTODIAN = Actor("保管员", "custodian", "discipline_commission")


# One database per backend for the module (opening an engine runs the Alembic baseline, the
# slow part); the tests only read or append reads. Same servers and skips as conftest's db_url.


@pytest.fixture(scope="module")
def engine(module_engine: Engine) -> Engine:
    return module_engine


@pytest.fixture(scope="module")
def campaign(engine: Engine) -> CampaignView:
    """The built-in campaign, with contacts so that messages are routed to real recipients."""
    setup = load_setup("county_2023")
    units = []
    for unit in setup.units:
        if unit.id == UNIT:
            unit = unit.model_copy(
                update={"contacts": [ContactSpec(name="住建联络员", email="zj@example.cn")]}
            )
        elif unit.id == "discipline_commission":
            office = ContactSpec(
                name="办公室", role="leading_group_office", mobile="13800000000", channels=["sms"]
            )
            unit = unit.model_copy(update={"contacts": [office]})
        units.append(unit)
    return engine.start_campaign(setup.model_copy(update={"units": units}), key="test")


@pytest.fixture(scope="module")
def item_id(engine: Engine, campaign: CampaignView) -> int:
    """An item reported with a reporter, taken through the whole lifecycle and reopened."""
    item = engine.report(
        "test", OFFICE, title="审批超时", description="审批超过承诺时限", track="construction",
        channel="hotline", reporter=Reporter(name=f" {NAME} ", phone=PHONE, contact=ADDRESS, note="担心打击报复"),
    ).id  # fmt: skip
    engine.assign(item, OFFICE, unit=UNIT, due="2023-08-31")
    measure = engine.add_measure(item, BUREAU, text="限期办结").id
    engine.start_rectification(item, BUREAU)
    engine.complete_measure(measure, BUREAU)
    engine.submit_for_verification(item, BUREAU)
    engine.return_for_rework(item, OFFICE, reason="材料不全")
    engine.submit_for_verification(item, BUREAU)
    engine.verify(item, OFFICE)
    engine.close(item, OFFICE)
    engine.follow_up_review(item, OFFICE, finding="回头看发现反弹")
    engine.reassign(item, OFFICE, unit="natural_resources_bureau")
    return item


def leaks(value: Any) -> list[str]:
    """Which pieces of the reporter's identity occur in ``value`` rendered as JSON text."""
    rendered = json.dumps(value, ensure_ascii=False, default=str)
    return [secret for secret in (NAME, PHONE, ADDRESS, "担心打击报复") if secret in rendered]


def test_item_view_and_dict_carry_no_identity(engine: Engine, item_id: int) -> None:
    """ItemView (and its to_dict, and its repr) never contains the reporter's identity."""
    item = engine.item(item_id)
    assert leaks(item.to_dict()) == []
    assert leaks(repr(item)) == []
    assert not any("reporter" in name for name in item.to_dict())


def test_item_lists_carry_no_identity(engine: Engine, item_id: int) -> None:
    """Listing items (by campaign, unit, state) shows no identity."""
    views = (
        engine.items("test") + engine.items(unit="natural_resources_bureau") + engine.items(state="assigned")
    )
    assert views and leaks([v.to_dict() for v in views]) == []


def test_ledger_carries_no_identity(engine: Engine, item_id: int) -> None:
    """The 整改台账 shows no identity."""
    ledger = engine.ledger("test")
    assert ledger and leaks([row.to_dict() for row in ledger]) == []


def test_audit_events_carry_no_identity(engine: Engine, item_id: int) -> None:
    """No audit event's data (or any other field) contains the identity, reads included."""
    engine.read_reporter(item_id, CUSTODIAN)
    events = engine.events(campaign="test")
    assert any(e.trigger == "read_reporter" for e in events)
    assert leaks([e.to_dict() for e in events]) == []


def test_outbox_payloads_carry_no_identity(engine: Engine, item_id: int) -> None:
    """Every queued message (to the unit, to the office) is free of the identity."""
    messages = engine.outbox("test")
    assert {m.kind for m in messages} >= {
        "item_assigned",
        "item_closed",
        "item_reopened",
        "item_reassigned_away",
    }
    assert any(m.recipient == "zj@example.cn" for m in messages)
    assert leaks([m.to_dict() for m in messages]) == []


def test_identity_is_stored_in_no_table_in_clear(engine: Engine, item_id: int) -> None:
    """No zg_* table holds the name, phone or contact in clear, zg_item_reporter included (it
    holds them sealed; tests/test_reporter_sealing.py scans the database files themselves)."""
    with engine.store.engine.connect() as conn:
        names = [n for n in inspect(conn).get_table_names() if n.startswith("zg_")]
        found = {}
        for name in names:
            table = MODELS.tables.get(name)
            query = select(table) if table is not None else text(f"SELECT * FROM {name}")
            hits = leaks([list(r) for r in conn.execute(query)])
            if hits:
                found[name] = hits
    assert found == {}


def test_custodian_reads_the_identity(engine: Engine, item_id: int) -> None:
    """The custodian role gets the identity back (trimmed as stored)."""
    reporter = engine.read_reporter(item_id, CUSTODIAN)
    assert reporter is not None
    assert (reporter.item_id, reporter.name, reporter.phone, reporter.contact) == (
        item_id,
        NAME,
        PHONE,
        ADDRESS,
    )


def test_every_read_is_audited_without_identity(engine: Engine, item_id: int) -> None:
    """Each read appends one event naming the reader, with no identity in it; the chain holds."""
    before = engine.events(item_id)
    engine.read_reporter(item_id, CUSTODIAN)
    engine.read_reporter(item_id, CUSTODIAN)
    after = engine.events(item_id)
    assert after[: len(before)] == before
    reads = after[len(before) :]
    assert [e.trigger for e in reads] == ["read_reporter", "read_reporter"]
    for event in reads:
        assert (event.actor, event.role, event.unit) == (CUSTODIAN.name, "custodian", CUSTODIAN.unit)
        assert event.from_state == event.to_state == engine.item(item_id).state
        assert event.data == {"found": True}
    assert engine.verify_audit().ok


def test_read_of_item_without_reporter_is_audited_too(engine: Engine, campaign: CampaignView) -> None:
    """Asking for the reporter of an item that has none returns None and is still recorded."""
    item = engine.report(
        "test",
        OFFICE,
        title="窗口推诿",
        description="窗口人员推诿",
        track="government_services",
        channel="visit",
    )
    assert engine.read_reporter(item.id, CUSTODIAN) is None
    assert engine.events(item.id)[-1].data == {"found": False}


NON_CUSTODIANS = [
    Actor("王主任", "leading_group_office", "discipline_commission"),
    Actor("营商办", "business_environment_group"),
    Actor("赵组长", "track_group_leader"),
    Actor("督查一组", "supervision_team"),
    Actor("钱副县长", "county_leader"),
    Actor("宣传部", "publicity"),
    Actor("李科长", "responsible", UNIT),
    Actor("周科长", "responsible", "natural_resources_bureau"),
]


@pytest.mark.parametrize("actor", NON_CUSTODIANS, ids=[f"{a.role}-{a.unit}" for a in NON_CUSTODIANS])
def test_non_custodian_roles_are_refused_and_nothing_is_recorded(
    engine: Engine, item_id: int, actor: Actor
) -> None:
    """Every role but custodian gets PermissionDeniedError naming actor and role; no event."""
    before = engine.events(campaign="test")
    with pytest.raises(PermissionDeniedError) as info:
        engine.read_reporter(item_id, actor)
    assert (info.value.actor, info.value.role) == (actor.name, actor.role)
    assert leaks(str(info.value)) == []
    assert engine.events(campaign="test") == before
