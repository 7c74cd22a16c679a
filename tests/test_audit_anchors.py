"""Issue 13, point 12: an audit trail a database holder cannot rewrite unseen.

The red-team's attacks, each a trial on a campaign of its own, on SQLite and PostgreSQL:

* the chain's tail cut and its head moved back (13 trials), a whole chain deleted (6), the
  chain re-hashed after an edit (12): found by ``verify_audit`` against anchors of the chain
  heads taken before (kept outside the database);
* rows the engine obeys edited behind its back (30): items (state, due date, unit …), measures,
  the outbox, documents, the roster, the stored definition: found by ``verify_audit`` alone,
  since each event vouches for the rows it left.

Each kind of attack reports its figures (trials, detected) in the test output (section
"figures" of pytest's summary).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Connection, text
from zhenggai.engine import Anchor, CampaignSetup, Engine, NewContact, VirtualClock
from zhenggai.engine.audit import GENESIS, event_hash
from zhenggai.workflows import load_setup

from tests.conftest import Actors, due_in

UNIT = "housing_construction_bureau"
OTHER_UNIT = "natural_resources_bureau"


@pytest.fixture(scope="module")
def engine(module_engine: Engine) -> Engine:
    return module_engine


@pytest.fixture(scope="module")
def clock(module_clock: VirtualClock) -> VirtualClock:
    return module_clock


@pytest.fixture(scope="module")
def setup() -> CampaignSetup:
    return load_setup("county_2023")


def backend(engine: Engine) -> str:
    return engine.store.dialect.name


def scenario(
    engine: Engine, clock: VirtualClock, setup: CampaignSetup, *, lifecycles: int = 1
) -> dict[str, Any]:
    """A campaign of its own with a roster: ``lifecycles`` items from report to 回头看 (messages queued on the
    way), one item assigned and open with a due date, one document under review."""
    key = f"a-{uuid.uuid4().hex[:10]}"
    camp = engine.start_campaign(setup, key=key)
    engine.import_contacts(
        key,
        Actors.office,
        [
            NewContact(unit=UNIT, name="李科长", mobile="13800000001"),
            NewContact(
                unit="discipline_commission",
                name="王主任",
                role="leading_group_office",
                email="wang@example.test",
            ),
            NewContact(unit=OTHER_UNIT, name="赵科长", mobile="13800000002"),
        ],
    )
    tick = dt.timedelta(minutes=30)
    office, unit, supervision = Actors.office, Actors.unit(UNIT), Actors.supervision
    for _ in range(lifecycles):
        item = engine.report(
            key,
            office,
            title="审批超时",
            description="施工许可审批超时",
            track="construction",
            channel="hotline",
        ).id
        engine.assign(item, office, unit=UNIT, due=due_in(20))
        measure = engine.add_measure(item, unit, text="限期办结").id
        engine.start_rectification(item, unit)
        engine.complete_measure(measure, unit)
        engine.submit_for_verification(item, unit)
        engine.verify(item, supervision)
        engine.close(item, office)
        clock.advance(tick)
    open_item = engine.report(
        key,
        office,
        title="材料反复退回",
        description="企业反映材料多次退回",
        track="construction",
        channel="hotline",
    ).id
    engine.assign(open_item, office, unit=UNIT, due=due_in(15))
    engine.add_measure(open_item, unit, text="一次性告知")
    document = engine.list_document(key, unit, unit=UNIT, title="关于工程建设审批的若干规定").id
    engine.fire_document(document, "start_review", unit)
    return {"key": key, "id": camp.id, "open_item": open_item, "document": document}


def sql(engine: Engine, statement: str, **params: Any) -> None:
    with engine.store.engine.begin() as conn:
        conn.execute(text(statement), params)


def events(conn: Connection, cid: int) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in conn.execute(
            text("SELECT * FROM zg_event WHERE campaign_id = :cid ORDER BY seq"), {"cid": cid}
        ).mappings()
    ]


def detected(engine: Engine, case: dict[str, Any], anchors: list[Anchor] | None = None) -> bool:
    return not engine.verify_audit(None if anchors is not None else case["key"], anchors=anchors or ()).ok


def figures(
    record_property: Callable[[str, object], None], engine: Engine, what: str, trials: int, found: int
) -> None:
    record_property("figures", f"审计篡改试验 [{backend(engine)}] {what}: trials {trials}, detected {found}")


# ------------------------------------------------------------------ attacks anchors must catch


def cut_tail(engine: Engine, cid: int, k: int) -> None:
    """Delete the last ``k`` events and move the head back to the event before them."""
    with engine.store.engine.begin() as conn:
        chain = events(conn, cid)
        keep = chain[-k - 1]
        conn.execute(
            text("DELETE FROM zg_event WHERE campaign_id = :cid AND seq > :seq"),
            {"cid": cid, "seq": keep["seq"]},
        )
        conn.execute(
            text("UPDATE zg_audit_head SET seq = :seq, hash = :hash WHERE campaign_id = :cid"),
            {"cid": cid, "seq": keep["seq"], "hash": keep["hash"]},
        )


def rehash_from(engine: Engine, cid: int, seq: int) -> None:
    """Edit event ``seq`` (its actor), then recompute every hash from there and the head: the
    chain is consistent again."""
    with engine.store.engine.begin() as conn:
        chain = events(conn, cid)
        prev = GENESIS if seq == 1 else chain[seq - 2]["hash"]
        for row in chain[seq - 1 :]:
            if row["seq"] == seq:
                row["actor"] = "改写者"
            at = row["at"]
            if isinstance(at, str):  # SQLite through text(): read the stored text back as a time
                at = dt.datetime.fromisoformat(at)
            at = at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
            digest = event_hash(
                campaign_id=cid,
                seq=row["seq"],
                item_id=row["item_id"],
                trigger=row["trigger"],
                from_state=row["from_state"],
                to_state=row["to_state"],
                actor=row["actor"],
                role=row["role"],
                unit=row["unit"],
                at=at,
                data=row["data"],
                prev_hash=prev,
            )
            conn.execute(
                text("UPDATE zg_event SET actor = :actor, prev_hash = :prev, hash = :hash WHERE id = :id"),
                {"actor": row["actor"], "prev": prev, "hash": digest, "id": row["id"]},
            )
            prev = digest
        conn.execute(
            text("UPDATE zg_audit_head SET hash = :hash WHERE campaign_id = :cid"), {"cid": cid, "hash": prev}
        )


def _delete_campaign_rows(conn: Connection, cid: int, *, campaign_row: bool) -> None:
    items = "SELECT id FROM zg_item WHERE campaign_id = :cid"
    for statement in (
        "DELETE FROM zg_event WHERE campaign_id = :cid",
        "DELETE FROM zg_outbox WHERE campaign_id = :cid",
        f"DELETE FROM zg_measure WHERE item_id IN ({items})",
        "DELETE FROM zg_step WHERE campaign_id = :cid",
        "DELETE FROM zg_item WHERE campaign_id = :cid",
        "DELETE FROM zg_document WHERE campaign_id = :cid",
    ):
        conn.execute(text(statement), {"cid": cid})
    if campaign_row:
        for statement in (
            "DELETE FROM zg_audit_head WHERE campaign_id = :cid",
            "DELETE FROM zg_serial WHERE campaign_id = :cid",
            "DELETE FROM zg_issue WHERE campaign_id = :cid",
            "DELETE FROM zg_duty WHERE campaign_id = :cid",
            "DELETE FROM zg_contact WHERE unit_id IN (SELECT id FROM zg_unit WHERE campaign_id = :cid)",
            "DELETE FROM zg_unit WHERE campaign_id = :cid",
            "DELETE FROM zg_track WHERE campaign_id = :cid",
            "DELETE FROM zg_campaign WHERE id = :cid",
        ):
            conn.execute(text(statement), {"cid": cid})


def delete_chain(engine: Engine, cid: int, variant: int) -> None:
    """Six ways to make a campaign's history disappear."""
    with engine.store.engine.begin() as conn:
        if variant == 0:  # the events, the head back to the start
            conn.execute(text("DELETE FROM zg_event WHERE campaign_id = :cid"), {"cid": cid})
            conn.execute(
                text("UPDATE zg_audit_head SET seq = 0, hash = :g WHERE campaign_id = :cid"),
                {"cid": cid, "g": GENESIS},
            )
        elif variant == 1:  # the events and the head
            conn.execute(text("DELETE FROM zg_event WHERE campaign_id = :cid"), {"cid": cid})
            conn.execute(text("DELETE FROM zg_audit_head WHERE campaign_id = :cid"), {"cid": cid})
        elif variant == 2:  # everything the campaign did, its events with it
            _delete_campaign_rows(conn, cid, campaign_row=False)
            conn.execute(
                text("UPDATE zg_audit_head SET seq = 0, hash = :g WHERE campaign_id = :cid"),
                {"cid": cid, "g": GENESIS},
            )
        elif variant == 3:  # the whole campaign
            _delete_campaign_rows(conn, cid, campaign_row=True)
        elif variant == 4:  # everything, then a chain of one plausible start event
            _delete_campaign_rows(conn, cid, campaign_row=False)
            at = dt.datetime(2023, 7, 3, 1, 0, tzinfo=dt.UTC)
            digest = event_hash(
                campaign_id=cid,
                seq=1,
                item_id=None,
                trigger="start_campaign",
                from_state=None,
                to_state=None,
                actor="system",
                role="system",
                unit=None,
                at=at,
                data="{}",
                prev_hash=GENESIS,
            )
            conn.execute(
                text(
                    "INSERT INTO zg_event (campaign_id, seq, item_id, trigger, from_state, to_state, actor, role, unit,"
                    " at, data, prev_hash, hash, subject_kind, subject_id) VALUES (:cid, 1, NULL, 'start_campaign', NULL,"
                    " NULL, 'system', 'system', NULL, :at, '{}', :g, :h, 'campaign', :cid)"
                ),
                {"cid": cid, "at": at, "g": GENESIS, "h": digest},
            )
            conn.execute(
                text("UPDATE zg_audit_head SET seq = 1, hash = :h WHERE campaign_id = :cid"),
                {"cid": cid, "h": digest},
            )
        else:  # the whole campaign, and another campaign renamed to take its key
            key = conn.execute(text("SELECT key FROM zg_campaign WHERE id = :cid"), {"cid": cid}).scalar()
            _delete_campaign_rows(conn, cid, campaign_row=True)
            other = conn.execute(text("SELECT min(id) FROM zg_campaign")).scalar()
            conn.execute(text("UPDATE zg_campaign SET key = :key WHERE id = :id"), {"key": key, "id": other})


def test_a_cut_tail_with_the_head_moved_back_is_found_by_the_anchors(
    engine: Engine, clock: VirtualClock, setup: CampaignSetup, record_property: Callable[[str, object], None]
) -> None:
    trials = found = 0
    for k in range(1, 14):
        case = scenario(engine, clock, setup, lifecycles=2)
        anchors = engine.audit_anchors(case["key"])
        assert engine.verify_audit(case["key"], anchors=anchors).ok
        cut_tail(engine, case["id"], k)
        trials += 1
        report = engine.verify_audit(case["key"], anchors=anchors)
        found += any("末尾记录被截去" in p for p in report.problems)
    figures(record_property, engine, "截去链尾并回拨链头", trials, found)
    assert (trials, found) == (13, 13)


def test_a_deleted_chain_is_found_by_the_anchors(
    engine: Engine, clock: VirtualClock, setup: CampaignSetup, record_property: Callable[[str, object], None]
) -> None:
    trials = found = 0
    for variant in range(6):
        case = scenario(engine, clock, setup)
        anchors = engine.audit_anchors(case["key"])
        delete_chain(engine, case["id"], variant)
        trials += 1
        report = engine.verify_audit(anchors=anchors)  # every campaign: this one may be gone
        found += any(f"专项行动 {case['id']} ({case['key']}) 对照" in p for p in report.problems)
        if variant == 5:  # the campaign renamed into the gap: give it its key back for the next trials
            sql(
                engine,
                "UPDATE zg_campaign SET key = :key WHERE id = (SELECT min(id) FROM zg_campaign)",
                key=f"renamed-{uuid.uuid4().hex[:8]}",
            )
    figures(record_property, engine, "删除整条审计链", trials, found)
    assert (trials, found) == (6, 6)


def test_a_rehashed_chain_is_found_by_the_anchors_and_not_without(
    engine: Engine, clock: VirtualClock, setup: CampaignSetup, record_property: Callable[[str, object], None]
) -> None:
    trials = found = unseen_without = 0
    for seq in range(1, 13):
        case = scenario(engine, clock, setup)
        anchors = engine.audit_anchors(case["key"])
        rehash_from(engine, case["id"], seq)
        trials += 1
        unseen_without += engine.verify_audit(case["key"]).ok  # consistent: the chain alone cannot tell
        report = engine.verify_audit(case["key"], anchors=anchors)
        found += any("审计链被改写" in p for p in report.problems)
    figures(record_property, engine, "改动后重算整条链的哈希", trials, found)
    assert (trials, found) == (12, 12)
    assert unseen_without == 12  # why anchors are needed: a re-hashed chain is consistent in itself


def test_anchors_of_an_untouched_database_find_nothing_and_older_anchors_still_hold(
    engine: Engine, clock: VirtualClock, setup: CampaignSetup
) -> None:
    case = scenario(engine, clock, setup)
    first = engine.audit_anchors(case["key"])
    engine.report(
        case["key"],
        Actors.office,
        title="又一问题",
        description="群众反映",
        track="construction",
        channel="hotline",
    )
    second = engine.audit_anchors(case["key"])
    assert second[0].seq > first[0].seq
    report = engine.verify_audit(case["key"], anchors=[*first, *second])
    assert report.ok and report.anchors == 2
    assert Anchor.from_json(first[0].to_json()) == first[0]


# ------------------------------------------------------------ rows edited behind the engine's back


def _first(conn: Connection, query: str, **params: Any) -> Any:
    return conn.execute(text(query), params).scalar()


ROW_EDITS: dict[str, str] = {
    # items
    "item state": "UPDATE zg_item SET state = 'closed' WHERE id = :item",
    "item due date": "UPDATE zg_item SET due = :later WHERE id = :item",
    "item responsible unit": "UPDATE zg_item SET responsible_unit_id = :other_unit WHERE id = :item",
    "item light": "UPDATE zg_item SET light = 'red' WHERE id = :item",
    "item escalation level": "UPDATE zg_item SET escalation_level = 3 WHERE id = :item",
    "item title": "UPDATE zg_item SET title = '已改标题' WHERE id = :item",
    "item closed by": "UPDATE zg_item SET closed_by = '冒名者' WHERE id = :item",
    "item leading official": "UPDATE zg_item SET leading_official = '某领导' WHERE id = :item",
    "item severity": "UPDATE zg_item SET severity = 'serious' WHERE id = :item",
    "item reopen count": "UPDATE zg_item SET reopen_count = reopen_count + 1 WHERE id = :item",
    "item version": "UPDATE zg_item SET version = version + 1 WHERE id = :item",
    "item inserted": (
        "INSERT INTO zg_item (campaign_id, track, channel, title, description, severity, state, light,"
        " escalation_level, reopen_count, has_reporter, created_by, created_at, updated_at, version)"
        " SELECT campaign_id, track, channel, '伪造的问题', description, severity, state, light, escalation_level,"
        " reopen_count, has_reporter, created_by, created_at, updated_at, 1 FROM zg_item WHERE id = :item"
    ),
    # measures
    "measure text": "UPDATE zg_measure SET text = '已改措施' WHERE item_id = :item",
    "measure done": "UPDATE zg_measure SET done_at = created_at, done_by = '冒名者' WHERE item_id = :item",
    "measure deleted": "DELETE FROM zg_measure WHERE item_id = :item",
    "measure inserted": (
        "INSERT INTO zg_measure (item_id, text, created_by, created_at)"
        " SELECT item_id, '伪造的措施', created_by, created_at FROM zg_measure WHERE item_id = :item"
    ),
    # the outbox
    "message recipient": "UPDATE zg_outbox SET recipient = '13900000000' WHERE id = :message",
    "message payload": "UPDATE zg_outbox SET payload = '{}' WHERE id = :message",
    "message channel": "UPDATE zg_outbox SET channel = 'unrouted' WHERE id = :message",
    "message kind": "UPDATE zg_outbox SET kind = 'item_closed_forged' WHERE id = :message",
    "message deleted": "DELETE FROM zg_outbox WHERE id = :message",
    "message inserted": (
        "INSERT INTO zg_outbox (campaign_id, item_id, kind, channel, recipient, contact_id, idempotency_key, payload,"
        " status, attempts, next_try_at, last_error, created_at, sent_at, audit_seq)"
        " SELECT campaign_id, item_id, kind, channel, '13900000000', contact_id, idempotency_key || '-forged',"
        " payload, 'pending', 0, next_try_at, NULL, created_at, NULL, audit_seq FROM zg_outbox WHERE id = :message"
    ),
    # documents
    "document due date": "UPDATE zg_document SET due = :later WHERE id = :document",
    "document state": "UPDATE zg_document SET state = 'kept' WHERE id = :document",
    "document unit": "UPDATE zg_document SET responsible_unit_id = :other_unit WHERE id = :document",
    # the roster
    "contact mobile": "UPDATE zg_contact SET mobile = '13900000000' WHERE id = :contact",
    "contact removed": "DELETE FROM zg_contact WHERE id = :spare_contact",
    "contact inserted": (
        "INSERT INTO zg_contact (unit_id, name, role, mobile, email, channels, created_at, updated_at)"
        " SELECT unit_id, '伪造的联系人', role, '13900000000', NULL, channels, created_at, updated_at"
        " FROM zg_contact WHERE id = :contact"
    ),
    # the stored definition
    "definition lifecycle": "UPDATE zg_campaign SET lifecycle_json = REPLACE(lifecycle_json, 'leading_group_office',"
    " 'responsible') WHERE id = :cid",
    "definition roles": "UPDATE zg_campaign SET roles_json = REPLACE(roles_json, 'custodian', 'responsible')"
    " WHERE id = :cid",
}


def _targets(engine: Engine, case: dict[str, Any]) -> dict[str, Any]:
    cid = case["id"]
    with engine.store.engine.connect() as conn:
        units = "SELECT id FROM zg_unit WHERE campaign_id = :cid"
        return {
            "cid": cid,
            "item": case["open_item"],
            "document": case["document"],
            "later": dt.date(2031, 1, 6),
            "other_unit": _first(
                conn, "SELECT id FROM zg_unit WHERE campaign_id = :cid AND key = :k", cid=cid, k=OTHER_UNIT
            ),
            "message": _first(
                conn,
                "SELECT max(id) FROM zg_outbox WHERE campaign_id = :cid AND contact_id IS NOT NULL",
                cid=cid,
            ),
            "contact": _first(conn, f"SELECT min(id) FROM zg_contact WHERE unit_id IN ({units})", cid=cid),
            # a contact no message went to (its removal is not stopped by the outbox's foreign key)
            "spare_contact": _first(
                conn,
                f"SELECT max(id) FROM zg_contact WHERE unit_id IN ({units}) AND id NOT IN"
                " (SELECT contact_id FROM zg_outbox WHERE contact_id IS NOT NULL)",
                cid=cid,
            ),
        }


def test_rows_edited_behind_the_engine_are_found(
    engine: Engine, clock: VirtualClock, setup: CampaignSetup, record_property: Callable[[str, object], None]
) -> None:
    assert len(ROW_EDITS) == 30
    missed = []
    for what, statement in ROW_EDITS.items():
        case = scenario(engine, clock, setup)
        assert engine.verify_audit(case["key"]).ok, what
        targets = _targets(engine, case)
        params = {name: targets[name] for name in targets if f":{name}" in statement}
        assert all(v is not None for v in params.values()), (what, params)
        sql(engine, statement, **params)
        if not detected(engine, case):
            missed.append(what)
    figures(
        record_property,
        engine,
        "绕过程序改动问题、期限、措施、消息、文件、通讯录、实施方案",
        30,
        30 - len(missed),
    )
    assert missed == []


def test_what_verify_says_about_an_edited_item_and_message(
    engine: Engine, clock: VirtualClock, setup: CampaignSetup
) -> None:
    case = scenario(engine, clock, setup)
    targets = _targets(engine, case)
    sql(engine, ROW_EDITS["item due date"], item=targets["item"], later=targets["later"])
    sql(engine, ROW_EDITS["message recipient"], message=targets["message"])
    problems = engine.verify_audit(case["key"]).problems
    assert (
        f"专项行动 {case['id']} 问题 {case['open_item']}: 当前记录与其最后一条审计记录不符 (问题记录被改动)"
        in problems
    )
    assert any("消息队列中的" in p and "消息被改动、插入或删除" in p for p in problems), problems
    assert len(problems) == 2, problems


def test_event_data_shown_to_readers_has_no_binding_but_the_chain_does(
    engine: Engine, clock: VirtualClock, setup: CampaignSetup
) -> None:
    case = scenario(engine, clock, setup)
    shown = engine.events(item_id=case["open_item"])
    assert shown and all("bind" not in e.data for e in shown)
    with engine.store.engine.connect() as conn:
        stored = [
            json.loads(r["data"]) for r in events(conn, case["id"]) if r["item_id"] == case["open_item"]
        ]
    assert all(len(s["bind"]["row"]) == 64 for s in stored)
    assert any("outbox" in s["bind"] for s in stored)  # 交办 queued messages to the unit


def test_a_dead_letter_routed_again_stays_vouched_for(engine: Engine, setup: CampaignSetup) -> None:
    """A message nobody could receive, routed again once the roster has someone: the event of
    the re-routing vouches for the rows as they are now (and says which row of an earlier
    event it changed), so the chain still verifies, and an edit afterwards is still found."""
    key = f"r-{uuid.uuid4().hex[:10]}"
    engine.start_campaign(setup, key=key)
    item = engine.report(
        key,
        Actors.office,
        title="审批超时",
        description="施工许可审批超时",
        track="construction",
        channel="hotline",
    ).id
    engine.assign(item, Actors.office, unit=UNIT, due=due_in(20))
    dead = [m for m in engine.outbox(key, status="dead") if m.channel == "unrouted"]
    assert dead
    engine.add_contact(key, Actors.office, NewContact(unit=UNIT, name="李科长", mobile="13800000001"))
    engine.add_contact(key, Actors.office, NewContact(unit=UNIT, name="张科员", mobile="13800000003"))
    assert engine.outbox_retry([m.id for m in dead]) == [m.id for m in dead]
    assert engine.verify_audit(key).ok
    rerouted = [e for e in engine.events(campaign=key) if e.trigger == "reroute_messages"]
    assert len(rerouted) == 1 and rerouted[0].data["messages"] == 2 * len(dead)
    sql(engine, "UPDATE zg_outbox SET recipient = '13900000000' WHERE id = :id", id=dead[0].id)
    assert any("消息被改动、插入或删除" in p for p in engine.verify_audit(key).problems)
