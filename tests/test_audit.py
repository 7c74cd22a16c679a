"""The hash-chained audit trail: one event per change, and every kind of tampering with the
stored rows is found by ``Engine.verify_audit()``.

Runs on SQLite and PostgreSQL, one database per backend for the module. Chains are per
campaign, so each test starts a campaign of its own and tampers with (and verifies) only that
one; the database stays shared, which keeps the module fast.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Connection, select, text
from zhenggai.engine import Actor, CampaignSetup, CampaignView, Engine, VirtualClock
from zhenggai.engine.audit import GENESIS, event_hash
from zhenggai.engine.models import Event
from zhenggai.workflows import load_setup

EVENT = Event.__table__
UNIT = "housing_construction_bureau"
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
BUREAU = Actor("李科长", "responsible", UNIT)
SUPERVISION = Actor("督查一组", "supervision_team", "organization_department")


def report(engine: Engine, campaign: str) -> int:
    return engine.report(
        campaign,
        OFFICE,
        title="审批超时",
        description="审批超过承诺时限",
        track="construction",
        channel="hotline",
    ).id


def full_lifecycle(engine: Engine, clock: VirtualClock, campaign: str) -> int:
    """report → assign → measure → rectify → submit → verify → close → 回头看, an hour apart."""
    tick = dt.timedelta(hours=1)
    item = report(engine, campaign)
    clock.advance(tick)
    engine.assign(item, OFFICE, unit=UNIT, due="2023-08-31")
    clock.advance(tick)
    measure = engine.add_measure(item, BUREAU, text="限期办结").id
    clock.advance(tick)
    engine.start_rectification(item, BUREAU)
    clock.advance(tick)
    engine.complete_measure(measure, BUREAU)
    clock.advance(tick)
    engine.submit_for_verification(item, BUREAU)
    clock.advance(tick)
    engine.verify(item, SUPERVISION)
    clock.advance(tick)
    engine.close(item, OFFICE)
    clock.advance(tick)
    engine.follow_up_review(item, SUPERVISION, finding="同类问题反弹")
    return item


def rows(engine: Engine, campaign_id: int) -> list[dict[str, Any]]:
    """The stored events of a campaign in seq order (``at`` as aware UTC on both backends)."""
    with engine.store.engine.connect() as conn:
        query = select(EVENT).where(EVENT.c.campaign_id == campaign_id).order_by(EVENT.c.seq)
        return [dict(r) for r in conn.execute(query).mappings()]


def sql(engine: Engine, statement: str, **params: Any) -> None:
    with engine.store.engine.begin() as conn:
        conn.execute(text(statement), params)


@pytest.fixture(scope="module")
def clock(module_clock: VirtualClock) -> VirtualClock:
    return module_clock


@pytest.fixture(scope="module")
def engine(module_engine: Engine) -> Engine:
    return module_engine


@pytest.fixture(scope="module")
def setup() -> CampaignSetup:
    return load_setup("county_2023")


@pytest.fixture
def campaign(engine: Engine, setup: CampaignSetup) -> CampaignView:
    """A campaign of this test's own (its own audit chain)."""
    return engine.start_campaign(setup, key=f"c-{uuid.uuid4().hex[:10]}")


def campaign_ids(problems: list[str]) -> set[int]:
    """The campaign ids the problem lines are about."""
    found = set()
    for problem in problems:
        match = re.match(r"专项行动 (\d+)[ :]", problem)
        assert match, problem
        found.add(int(match[1]))
    return found


# --------------------------------------------------------------------------- one event per change


def test_each_change_appends_exactly_one_event_with_its_facts(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    """Every operation appends one event carrying actor, role, unit, trigger, from/to, time, data."""
    item = report(engine, campaign.key)
    ops: list[tuple[Callable[[], object], Actor, str, str, str, dict[str, Any]]] = [
        (
            lambda: engine.assign(item, OFFICE, unit=UNIT, due="2023-08-31"),
            OFFICE, "assign", "identified", "assigned",
            {"unit": UNIT, "due": "2023-08-31"},
        ),
        (
            lambda: engine.add_measure(item, BUREAU, text="限期办结", due="2023-08-15"),
            BUREAU, "add_measure", "assigned", "assigned",
            {"text": "限期办结", "due": "2023-08-15"},
        ),
        (lambda: engine.start_rectification(item, BUREAU), BUREAU, "start_rectification", "assigned",
         "rectifying", {}),
        (
            lambda: engine.fire(item, "reassign", OFFICE, unit="natural_resources_bureau", note="职责调整"),
            OFFICE, "reassign", "rectifying", "assigned",
            {"unit": "natural_resources_bureau", "from_unit": UNIT, "note": "职责调整"},
        ),
        (lambda: engine.dismiss(item, OFFICE, reason="经核查不属实"), OFFICE, "dismiss", "assigned",
         "dismissed", {"reason": "经核查不属实"}),
    ]  # fmt: skip
    for call, actor, trigger, src, dest, data in ops:
        before = engine.events(item)
        clock.advance(dt.timedelta(minutes=7))
        call()
        after = engine.events(item)
        assert after[:-1] == before, "earlier events changed"
        event = after[-1]
        assert (event.trigger, event.from_state, event.to_state) == (trigger, src, dest)
        assert (event.actor, event.role, event.unit) == (actor.name, actor.role, actor.unit)
        assert event.at == clock.now()
        assert {k: event.data[k] for k in data} == data


def test_report_event_starts_the_item_history(engine: Engine, campaign: CampaignView) -> None:
    """The report event has no from-state and lands in the initial state."""
    (event,) = engine.events(report(engine, campaign.key))
    assert (event.trigger, event.from_state, event.to_state) == ("report", None, "identified")
    assert event.data["track"] == "construction"


def test_events_form_a_hash_chain_from_genesis(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    """seq counts 1, 2, 3 …; each prev_hash is the previous hash; each hash is recomputable."""
    full_lifecycle(engine, clock, campaign.key)
    chain = rows(engine, campaign.id)
    assert [r["seq"] for r in chain] == list(range(1, len(chain) + 1))
    prev = GENESIS
    for r in chain:
        assert r["prev_hash"] == prev
        fields = {k: r[k] for k in ("item_id", "trigger", "from_state", "to_state", "actor", "role", "unit")}
        at = r["at"] if r["at"].tzinfo else r["at"].replace(tzinfo=dt.UTC)
        recomputed = event_hash(
            campaign_id=campaign.id, seq=r["seq"], at=at, data=r["data"], prev_hash=prev, **fields
        )
        assert recomputed == r["hash"]
        prev = r["hash"]


def test_intact_chain_verifies(engine: Engine, campaign: CampaignView, clock: VirtualClock) -> None:
    """After a full lifecycle the audit report is clean and counts every event."""
    full_lifecycle(engine, clock, campaign.key)
    report_ = engine.verify_audit(campaign.key)
    assert report_.ok, report_.problems
    assert (report_.events, report_.campaigns) == (len(rows(engine, campaign.id)), 1)


def test_events_of_two_campaigns_chain_independently(
    engine: Engine, campaign: CampaignView, clock: VirtualClock, setup: CampaignSetup
) -> None:
    """Each campaign has its own seq 1..n and chain; tampering with one leaves the other valid."""
    other = engine.start_campaign(setup, key=f"{campaign.key}-other")
    for _ in range(2):
        full_lifecycle(engine, clock, campaign.key)
        full_lifecycle(engine, clock, other.key)
    for camp in (campaign, other):
        chain = rows(engine, camp.id)
        assert [r["seq"] for r in chain] == list(range(1, len(chain) + 1))
        assert chain[0]["prev_hash"] == GENESIS
        assert engine.verify_audit(camp.key).ok
    sql(engine, "UPDATE zg_event SET actor = '冒名' WHERE campaign_id = :c AND seq = 5", c=other.id)
    assert engine.verify_audit(campaign.key).ok
    broken = engine.verify_audit(other.key)
    assert not broken.ok and campaign_ids(broken.problems) == {other.id}
    overall = engine.verify_audit()
    assert other.id in campaign_ids(overall.problems) and campaign.id not in campaign_ids(overall.problems)


# ----------------------------------------------------------------------------------- tampering


def _middle(chain: list[dict[str, Any]]) -> dict[str, Any]:
    return chain[len(chain) // 2]


def alter_actor(engine: Engine, cid: int, chain: list[dict[str, Any]]) -> None:
    sql(engine, "UPDATE zg_event SET actor = '冒名顶替' WHERE id = :id", id=_middle(chain)["id"])


def alter_to_state(engine: Engine, cid: int, chain: list[dict[str, Any]]) -> None:
    sql(engine, "UPDATE zg_event SET to_state = 'closed' WHERE id = :id", id=_middle(chain)["id"])


def alter_time(engine: Engine, cid: int, chain: list[dict[str, Any]]) -> None:
    middle = _middle(chain)
    earlier = middle["at"] - dt.timedelta(days=3)
    value: object = earlier if engine.store.dialect.name != "sqlite" else earlier.replace(tzinfo=None)
    sql(engine, "UPDATE zg_event SET at = :at WHERE id = :id", at=value, id=middle["id"])


def alter_data_value(engine: Engine, cid: int, chain: list[dict[str, Any]]) -> None:
    target = next(r for r in chain if r["trigger"] == "assign")
    data = json.loads(target["data"])
    data["due"] = "2024-12-31"
    sql(engine, "UPDATE zg_event SET data = :d WHERE id = :id", d=json.dumps(data), id=target["id"])


def reorder_data(engine: Engine, cid: int, chain: list[dict[str, Any]]) -> None:
    """Same content, keys in another order: the stored text is what is hashed."""
    target = next(r for r in chain if r["trigger"] == "assign")
    data = json.loads(target["data"])
    assert len(data) > 1
    reordered = json.dumps(dict(reversed(list(data.items()))), ensure_ascii=False, separators=(",", ":"))
    assert reordered != target["data"] and json.loads(reordered) == data
    sql(engine, "UPDATE zg_event SET data = :d WHERE id = :id", d=reordered, id=target["id"])


def delete_middle(engine: Engine, cid: int, chain: list[dict[str, Any]]) -> None:
    sql(engine, "DELETE FROM zg_event WHERE id = :id", id=_middle(chain)["id"])


def delete_last(engine: Engine, cid: int, chain: list[dict[str, Any]]) -> None:
    sql(engine, "DELETE FROM zg_event WHERE id = :id", id=chain[-1]["id"])


def delete_last_two(engine: Engine, cid: int, chain: list[dict[str, Any]]) -> None:
    sql(engine, "DELETE FROM zg_event WHERE id IN (:a, :b)", a=chain[-1]["id"], b=chain[-2]["id"])


def _forge(cid: int, seq: int, prev_hash: str, at: dt.datetime) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "campaign_id": cid, "seq": seq, "item_id": None, "trigger": "close", "from_state": "verified",
        "to_state": "closed", "actor": "伪造者", "role": "leading_group_office", "unit": None, "at": at,
        "data": "{}", "prev_hash": prev_hash,
    }  # fmt: skip
    return {**fields, "hash": event_hash(**fields)}


def _insert(engine: Engine, conn: Connection, event: dict[str, Any]) -> None:
    values = dict(event)
    if engine.store.dialect.name == "sqlite":
        values["at"] = values["at"].astimezone(dt.UTC).replace(tzinfo=None)
    conn.execute(
        text(
            "INSERT INTO zg_event (campaign_id, seq, item_id, trigger, from_state, to_state, actor, role, unit,"
            " at, data, prev_hash, hash, subject_kind, subject_id) VALUES (:campaign_id, :seq, :item_id, :trigger,"
            " :from_state, :to_state, :actor, :role, :unit, :at, :data, :prev_hash, :hash, 'campaign', :campaign_id)"
        ),
        values,
    )


def forge_at_end(engine: Engine, cid: int, chain: list[dict[str, Any]]) -> None:
    """A well-formed event chained onto the tail (the audit head was not moved)."""
    last = chain[-1]
    at = dt.datetime(2023, 7, 10, tzinfo=dt.UTC)
    with engine.store.engine.begin() as conn:
        _insert(engine, conn, _forge(cid, last["seq"] + 1, last["hash"], at))


def forge_in_middle(engine: Engine, cid: int, chain: list[dict[str, Any]]) -> None:
    """Renumber the later events one up and slip a well-formed event into the gap."""
    middle = _middle(chain)
    with engine.store.engine.begin() as conn:
        for r in reversed(chain):
            if r["seq"] >= middle["seq"]:
                conn.execute(text("UPDATE zg_event SET seq = seq + 1 WHERE id = :id"), {"id": r["id"]})
        prev = chain[chain.index(middle) - 1]["hash"]
        _insert(engine, conn, _forge(cid, middle["seq"], prev, dt.datetime(2023, 7, 3, 2, tzinfo=dt.UTC)))


def swap_two(engine: Engine, cid: int, chain: list[dict[str, Any]]) -> None:
    """Exchange the order of two neighbouring events."""
    a, b = chain[3], chain[4]
    with engine.store.engine.begin() as conn:
        conn.execute(text("UPDATE zg_event SET seq = -1 WHERE id = :id"), {"id": a["id"]})
        conn.execute(text("UPDATE zg_event SET seq = :s WHERE id = :id"), {"s": a["seq"], "id": b["id"]})
        conn.execute(text("UPDATE zg_event SET seq = :s WHERE id = :id"), {"s": b["seq"], "id": a["id"]})


def rehash_after_alteration(engine: Engine, cid: int, chain: list[dict[str, Any]]) -> None:
    """Alter a middle event and re-hash it and every later event: the rows alone form a valid
    chain again, only the audit head (which pins the tail's hash) shows the rewrite."""
    start = chain.index(_middle(chain))
    prev = chain[start - 1]["hash"]
    with engine.store.engine.begin() as conn:
        for i, r in enumerate(chain[start:]):
            fields = {
                k: r[k] for k in ("seq", "item_id", "trigger", "from_state", "to_state", "role", "unit")
            }
            actor = "冒名顶替" if i == 0 else r["actor"]
            digest = event_hash(
                campaign_id=cid, actor=actor, at=r["at"], data=r["data"], prev_hash=prev, **fields
            )
            conn.execute(
                text("UPDATE zg_event SET actor = :a, prev_hash = :p, hash = :h WHERE id = :id"),
                {"a": actor, "p": prev, "h": digest, "id": r["id"]},
            )
            prev = digest
    problems = engine.verify_audit(cid).problems
    assert len(problems) == 1 and "末端" in problems[0], problems


def move_to_other_campaign(engine: Engine, cid: int, chain: list[dict[str, Any]]) -> None:
    other = engine.start_campaign(load_setup("county_2023"), key=f"other-{uuid.uuid4().hex[:10]}")
    sql(
        engine,
        "UPDATE zg_event SET campaign_id = :o, seq = 99 WHERE id = :id",
        o=other.id,
        id=_middle(chain)["id"],
    )


def alter_subject(engine: Engine, cid: int, chain: list[dict[str, Any]]) -> None:
    """Make an event about another subject than its content names (its history moves)."""
    with engine.store.engine.begin() as conn:
        conn.execute(
            text("UPDATE zg_event SET subject_kind = 'document', subject_id = 1 WHERE id = :id"),
            {"id": _middle(chain)["id"]},
        )


TAMPERING = [
    alter_actor,
    alter_subject,
    alter_to_state,
    alter_time,
    alter_data_value,
    reorder_data,
    delete_middle,
    delete_last,
    delete_last_two,
    forge_at_end,
    forge_in_middle,
    swap_two,
    rehash_after_alteration,
    move_to_other_campaign,
]


@pytest.mark.parametrize("tamper", TAMPERING, ids=[t.__name__ for t in TAMPERING])
def test_verify_audit_finds_tampering(
    engine: Engine, campaign: CampaignView, clock: VirtualClock, tamper: Callable[..., None]
) -> None:
    """Altering, reordering, deleting (middle or tail) or inserting events breaks verification."""
    full_lifecycle(engine, clock, campaign.key)
    chain = rows(engine, campaign.id)
    assert engine.verify_audit(campaign.key).ok
    tamper(engine, campaign.id, chain)
    result = engine.verify_audit(campaign.key)
    assert not result.ok
    assert campaign_ids(result.problems) == {campaign.id}


def test_tampering_report_locates_the_altered_event(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    """The problem line names the campaign and the seq of the altered event."""
    full_lifecycle(engine, clock, campaign.key)
    middle = _middle(rows(engine, campaign.id))
    alter_actor(engine, campaign.id, rows(engine, campaign.id))
    problems = engine.verify_audit(campaign.key).problems
    assert problems[0].startswith(f"专项行动 {campaign.id} 审计记录 #{middle['seq']} ")
    assert "哈希" in problems[0]
