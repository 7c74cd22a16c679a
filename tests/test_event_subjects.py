"""Every audit event names its subject (zg_event.subject_kind / subject_id, revision 0015):
one subject's history is one indexed query, the subject follows from what the hash covers,
and a database from before 0015 gets the same subjects on upgrade."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select
from zhenggai.engine import Actor, Engine, NewContact, VirtualClock, migrate
from zhenggai.engine._statements import EVENT
from zhenggai.testing import DEFAULT_START
from zhenggai.workflows import load_setup

from tests.conftest import Actors

pytestmark = pytest.mark.storage

HOUSING = "housing_construction_bureau"
BUREAU = Actors.unit(HOUSING)


def subjects(engine: Engine) -> dict[int, tuple[str, int]]:
    with engine.store.read() as conn:
        rows = conn.execute(select(EVENT.c.id, EVENT.c.subject_kind, EVENT.c.subject_id)).all()
    return {event_id: (kind, sid) for event_id, kind, sid in rows}


def one_of_each(engine: Engine, clock: VirtualClock) -> dict[str, int]:
    """Acts whose events are about each kind of subject; the subjects' ids by kind."""
    camp = engine.start_campaign(load_setup("county_2023"), key="test")
    item = engine.report(
        camp.key,
        Actors.office,
        title="审批超时",
        description="施工许可审批超时",
        track="construction",
        channel="hotline",
    )
    engine.assign(item.id, Actors.office, unit=HOUSING, due="2023-08-31")
    document = engine.list_document(camp.key, BUREAU, unit=HOUSING, title="县住建局关于招投标管理的若干规定")
    contact = engine.add_contact(
        camp.key, Actors.office, NewContact(unit=HOUSING, name="李科长", mobile="13800000001")
    )
    mechanism = engine.register_mechanism(
        camp.key,
        BUREAU,
        unit=HOUSING,
        title="施工许可限时办结制度",
        kind="rule",
        status="established",
        date=dt.date(2023, 7, 3),
    )
    practice = engine.submit_practice(camp.key, BUREAU, title="拿地即开工", summary="审批提速")
    (duty,) = [d for d in engine.duties(camp.key, unit=HOUSING) if d.duty == "self_inspection_pack"]
    engine.complete_duty(duty.id, Actor("李科长", "responsible", HOUSING))
    clock.advance(dt.timedelta(days=40))
    engine.sweep()  # ladder steps, phase actions, duty reminders
    return {
        "campaign": camp.id,
        "item": item.id,
        "document": document.id,
        "contact": contact.id,
        "mechanism": mechanism.id,
        "practice": practice.id,
        "duty": duty.id,
    }


def test_every_subject_has_its_history_and_verify_derives_the_same(db_url: str) -> None:
    clock = VirtualClock(DEFAULT_START)
    with Engine(db_url, clock=clock) as engine:
        ids = one_of_each(engine, clock)
        found = subjects(engine)
        kinds = Counter(kind for kind, _ in found.values())
        assert set(kinds) >= set(ids), kinds
        for kind, sid in ids.items():
            assert (kind, sid) in found.values(), kind
        triggers = [e.trigger for e in engine.document_events(ids["document"])]
        assert triggers[0] == "list_document" and "document_step" in triggers  # its ladder ran too
        assert all(e.item_id == ids["item"] for e in engine.events(ids["item"]))
        assert engine.verify_audit().ok, engine.verify_audit().problems


def test_an_upgrade_from_0014_gives_every_event_the_subject_it_is_written_with(db_url: str) -> None:
    clock = VirtualClock(DEFAULT_START)
    engine = Engine(db_url, clock=clock)
    try:
        one_of_each(engine, clock)
        written = subjects(engine)
        with engine.store.write() as conn:  # back to before revision 0015
            from alembic import command

            cfg = migrate._config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0014_issues")
    finally:
        engine.dispose()
    with Engine(db_url, clock=clock) as engine:  # upgraded on open
        assert subjects(engine) == written
        assert engine.verify_audit().ok
