"""Every unsafe operation of the published API is refused to the wrong person (issue 18, "done
when"): a table keyed by the OpenAPI operation (method + path template) gives each one its path
ids from a small world of unit A's objects and a body unit A or the office could send. Unit B's
clerk and two roles with almost no rights are refused (401/403/404/409, never 2xx, 422 or 500)
and the database is left exactly as it was. A new endpoint without a row fails the test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from zhenggai.adapters.web import WebSettings, create_app
from zhenggai.engine import Accounts, Actor, Engine, NewContact, Reporter, VirtualClock, Webhooks
from zhenggai.testing import DEFAULT_START
from zhenggai.workflows import load_setup

from tests.conftest import REPORTER_KEYS
from tests.pages_world import fingerprint, run_to

KEY = "refusals"
UNIT = "housing_construction_bureau"  # unit A
OTHER = "commerce_bureau"  # unit B
THIRD = "natural_resources_bureau"
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
CLERK = Actor("李科员", "responsible", UNIT)
THIRD_CLERK = Actor("张科员", "responsible", THIRD)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
#: The wrong people: unit B's clerk and two county-level roles with almost no rights.
WRONG = ("unit_b", "publicity", "custodian")
REFUSED = {401, 403, 404, 409}


def report(engine: Engine, title: str, *, unit: str = UNIT, reporter: Reporter | None = None) -> int:
    item = engine.report(
        KEY,
        OFFICE,
        title=title,
        description=f"{title}的情况",
        track="construction",
        channel="hotline",
        reporter=reporter,
    )
    engine.assign(item.id, OFFICE, unit=unit, due="2023-09-28")
    return item.id


def objects(engine: Engine, tag: str) -> dict[str, int]:
    """Unit A's objects in every state an operation needs (``tag`` keeps titles apart)."""
    e, ids = engine, {}
    ids["assigned"] = report(e, f"{tag}已交办")
    ids["to_start"] = report(e, f"{tag}待开始整改")
    e.add_measure(ids["to_start"], CLERK, text="先行核查")
    ids["rectifying"] = report(e, f"{tag}整改中")
    measure = e.add_measure(ids["rectifying"], CLERK, text="压缩审批时限")
    ids["measure"] = measure.id
    e.start_rectification(ids["rectifying"], CLERK)
    ids["attachment"] = e.attach("measure", measure.id, PNG, "整改照片.png", CLERK).id
    ids["extension"] = e.request_extension(
        ids["rectifying"], CLERK, new_due="2023-10-20", reason="需协调多部门", progress="已完成一半"
    ).id
    ids["submitted"] = report(e, f"{tag}待验收")
    run_to(e, ids["submitted"], CLERK, "submitted")
    ids["closed"] = report(e, f"{tag}已销号", reporter=Reporter(name="赵举报人", phone="13900000000"))
    run_to(e, ids["closed"], CLERK, "closed")
    (callback,) = e.callbacks(KEY, item_id=ids["closed"])
    ids["callback"] = callback.id
    ids["sent_back"] = report(e, f"{tag}退单")
    ids["send_back"] = e.send_back(ids["sent_back"], CLERK, reason="not_our_duty").id
    ids["co_item"] = report(e, f"{tag}联合整治", unit=THIRD)
    ids["part"] = e.add_co_unit(ids["co_item"], OFFICE, unit=UNIT, part="核实住建审批材料").id
    ids["document"] = e.list_document(KEY, OFFICE, unit=UNIT, title=f"{tag}住建局规范性文件").id
    ids["mechanism"] = e.register_mechanism(
        KEY, OFFICE, unit=UNIT, title=f"{tag}审批制度", kind="rule", status="drafting", date="2023-07-03"
    ).id
    ids["practice"] = e.submit_practice(KEY, CLERK, title=f"{tag}一窗通办", summary="做法").id
    return ids


@dataclass
class World:
    engine: Engine
    client: TestClient
    headers: dict[str, dict[str, str]]
    ids: dict[str, int] = field(default_factory=dict)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("api_refusals")
    engine = Engine(
        tmp / "refusals.db", clock=VirtualClock(DEFAULT_START), reporter_keys=REPORTER_KEYS, attachments=tmp
    )
    engine.start_campaign(load_setup("county_2023"), key=KEY)
    engine.add_contact(
        KEY,
        OFFICE,
        NewContact(unit="government_office", name="赵县长", role="county_leader", email="z@x.gov.cn"),
    )
    accounts = Accounts(engine)
    grants = {
        "office": (["leading_group_office"], ["discipline_commission"]),
        "unit_a": (["responsible"], [UNIT]),
        "unit_b": (["responsible"], [OTHER]),
        "publicity": (["publicity"], ["discipline_commission"]),
        "custodian": (["custodian"], ["discipline_commission"]),
        "operator": (["operator"], ["discipline_commission"]),
        "track_leader": (["track_group_leader"], ["discipline_commission"]),
    }
    headers = {}
    for name, (roles, units) in grants.items():
        _, token = accounts.issue_token(KEY, name, roles, units)
        headers[name] = {"Authorization": f"Bearer {token}"}
    world = World(engine, TestClient(create_app(engine, WebSettings(KEY))), headers)
    world.ids = objects(engine, "甲")
    # a duty delivered to the office (one delivered to a unit may be confirmed by that unit's people)
    (duty,) = [d for d in engine.duties(KEY, unit=UNIT, status="open") if d.duty == "self_inspection_pack"]
    world.ids["duty"] = duty.id
    world.ids["outbox"] = engine.outbox(KEY)[0].id
    hook, _ = Webhooks(engine).add(KEY, "县平台", "https://example.org/hook", ["*"])
    world.ids["webhook"] = hook.id
    try:
        with world.client:
            yield world
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Case:
    """How to call one operation: its path ids (names in the world's ``ids``), a valid JSON body
    or multipart form, the principal it succeeds for, and who of WRONG may do it (and why)."""

    ids: dict[str, str] = field(default_factory=dict)
    json: dict[str, Any] | None = None
    form: dict[str, str] | None = None
    file: bool = False
    right: str = "office"
    allowed: tuple[str, ...] = ()


ITEM_FORM = {"subject": "measure", "subject_id": "{measure}"}
TABLE: dict[tuple[str, str], Case] = {
    ("POST", "/api/v1/items"): Case(
        json={
            "title": "越权受理",
            "description": "说明",
            "track": "construction",
            "channel": "hotline",
            "unit": UNIT,
            "due": "2023-09-28",
        }
    ),
    ("POST", "/api/v1/items/{item_id}/transitions"): Case(
        {"item_id": "to_start"}, json={"trigger": "start_rectification"}, right="unit_a"
    ),
    ("POST", "/api/v1/items/{item_id}/measures"): Case(
        {"item_id": "rectifying"}, json={"text": "越权措施"}, right="unit_a"
    ),
    ("POST", "/api/v1/measures/{measure_id}/complete"): Case({"measure_id": "measure"}, right="unit_a"),
    ("POST", "/api/v1/items/{item_id}/attachments"): Case(
        {"item_id": "rectifying"}, form=ITEM_FORM, file=True, right="unit_a"
    ),
    ("POST", "/api/v1/duties/{duty_id}/attachments"): Case({"duty_id": "duty"}, file=True, right="unit_a"),
    ("POST", "/api/v1/items/{item_id}/extensions"): Case(
        {"item_id": "assigned"}, json={"new_due": "2023-10-20", "reason": "需协调"}, right="unit_a"
    ),
    ("POST", "/api/v1/extensions/{request_id}/decision"): Case(
        {"request_id": "extension"}, json={"approve": True}, right="track_leader"
    ),
    ("POST", "/api/v1/items/{item_id}/send-backs"): Case(
        {"item_id": "assigned"}, json={"reason": "not_our_duty"}, right="unit_a"
    ),
    ("POST", "/api/v1/send-backs/{send_back_id}/ruling"): Case(
        {"send_back_id": "send_back"}, json={"decision": "insist"}
    ),
    ("POST", "/api/v1/items/{item_id}/co-units"): Case(
        {"item_id": "rectifying"}, json={"unit": THIRD, "part": "协助核查"}
    ),
    ("POST", "/api/v1/parts/{part_id}/complete"): Case(
        {"part_id": "part"}, json={"note": "已完成"}, right="unit_a"
    ),
    ("POST", "/api/v1/parts/{part_id}/waive"): Case({"part_id": "part"}, json={"note": "无需协办"}),
    ("POST", "/api/v1/items/{item_id}/instructions"): Case(
        {"item_id": "assigned"}, json={"leader": "赵县长", "given_on": "2023-07-03", "text": "限期办结"}
    ),
    ("POST", "/api/v1/items/{item_id}/callbacks"): Case(
        {"item_id": "closed"}, json={"result": "satisfied"}, right="custodian", allowed=("custodian",)
    ),
    ("POST", "/api/v1/duties/{duty_id}/complete"): Case(
        {"duty_id": "duty"}, json={"note": "已报送"}, right="unit_a"
    ),
    ("POST", "/api/v1/items/{item_id}/outcomes"): Case(
        {"item_id": "closed"}, json={"root_cause": "审批环节过多"}
    ),
    ("POST", "/api/v1/mechanisms"): Case(
        json={"unit": UNIT, "title": "越权制度", "kind": "rule", "status": "drafting", "date": "2023-07-03"}
    ),
    ("POST", "/api/v1/mechanisms/{mechanism_id}/status"): Case(
        {"mechanism_id": "mechanism"}, json={"status": "issued", "date": "2023-07-03"}
    ),
    # unit B may submit ITS OWN unit's practice (the body names no unit): not a refusal case for it
    ("POST", "/api/v1/practices"): Case(
        json={"title": "做法", "summary": "摘要"}, right="unit_a", allowed=("unit_b",)
    ),
    ("POST", "/api/v1/practices/{practice_id}/selection"): Case(
        {"practice_id": "practice"}, json={"selected": True}, right="publicity", allowed=("publicity",)
    ),
    ("POST", "/api/v1/items/{item_id}/case"): Case({"item_id": "closed"}, json={"note": "典型"}),
    ("POST", "/api/v1/items/{item_id}/case/publication"): Case(
        {"item_id": "closed"}, json={"where": "县电视台", "on": "2023-07-03"}
    ),
    ("POST", "/api/v1/documents"): Case(json={"unit": UNIT, "title": "越权列入的文件"}),
    ("POST", "/api/v1/documents/{document_id}/transitions"): Case(
        {"document_id": "document"}, json={"trigger": "start_review"}, right="unit_a"
    ),
    ("POST", "/api/v1/outbox/{outbox_id}/retry"): Case({"outbox_id": "outbox"}, right="operator"),
    ("POST", "/api/v1/webhooks"): Case(
        json={"name": "越权订阅", "url": "https://example.org/x", "kinds": ["*"]}
    ),
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): Case({"webhook_id": "webhook"}),
}


def unsafe_operations(world: World) -> set[tuple[str, str]]:
    document = world.client.get("/api/openapi.json").json()
    return {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if method.upper() in {"POST", "PUT", "PATCH", "DELETE"}
    }


def call(world: World, who: str, op: tuple[str, str], case: Case, ids: dict[str, int]) -> Any:
    method, template = op
    path = template.format(**{name: ids[key] for name, key in case.ids.items()})
    kwargs: dict[str, Any] = {"headers": world.headers[who]}
    if case.json is not None:
        kwargs["json"] = case.json
    if case.form is not None:
        kwargs["data"] = {k: v.format(**ids) for k, v in case.form.items()}
    if case.file:
        kwargs["files"] = {"file": ("整改照片.png", PNG, "image/png")}
    return world.client.request(method, path, **kwargs)


def test_the_table_covers_every_unsafe_operation_of_the_published_document(world: World) -> None:
    published = unsafe_operations(world)
    missing = sorted(f"{m} {p}" for m, p in published - TABLE.keys())
    assert not missing, f"operations without a refusal row: {missing}"
    assert not TABLE.keys() - published, (
        f"rows for operations no longer published: {TABLE.keys() - published}"
    )


@pytest.mark.parametrize("op", sorted(TABLE), ids=lambda op: f"{op[0]} {op[1]}")
def test_the_wrong_people_are_refused_and_nothing_changes(world: World, op: tuple[str, str]) -> None:
    case = TABLE[op]
    for who in WRONG:
        if who in case.allowed:
            continue
        before = fingerprint(world.engine)
        answer = call(world, who, op, case, world.ids)
        assert answer.status_code in REFUSED, f"{who}: {answer.status_code} {answer.text}"
        body = answer.json()
        assert body["code"] and any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body
        assert fingerprint(world.engine) == before, f"{who} changed something"


ITEM_READS = (
    "/api/v1/items/{id}",
    "/api/v1/items/{id}/events",
    "/api/v1/items/{id}/instructions",
    "/api/v1/items/{id}/outcomes",
    "/api/v1/items/{id}/reporter",
)


def test_unit_b_cannot_read_unit_as_item_measures_files_events_or_reporter(world: World) -> None:
    ids, unit_b = world.ids, world.headers["unit_b"]
    for item in ("rectifying", "closed"):
        for template in ITEM_READS:
            answer = world.client.get(template.format(id=ids[item]), headers=unit_b)
            assert answer.status_code in {403, 404}, (template, answer.text)
            assert "压缩审批时限" not in answer.text and "赵举报人" not in answer.text
    for path in (
        f"/api/v1/attachments/{ids['attachment']}",
        f"/api/v1/documents/{ids['document']}",
        f"/api/v1/documents/{ids['document']}/events",
    ):
        assert world.client.get(path, headers=unit_b).status_code in {403, 404}, path
    listed = world.client.get("/api/v1/items?limit=500", headers=unit_b).json()["items"]
    assert not {i["id"] for i in listed} & set(ids.values())
    assert (
        world.client.get(f"/api/v1/items/{ids['rectifying']}", headers=world.headers["unit_a"]).status_code
        == 200
    )


RIGHT_ONES = (
    ("POST", "/api/v1/items"),
    ("POST", "/api/v1/items/{item_id}/transitions"),
    ("POST", "/api/v1/items/{item_id}/measures"),
    ("POST", "/api/v1/measures/{measure_id}/complete"),
    ("POST", "/api/v1/items/{item_id}/attachments"),
    ("POST", "/api/v1/extensions/{request_id}/decision"),
    ("POST", "/api/v1/items/{item_id}/send-backs"),
    ("POST", "/api/v1/items/{item_id}/callbacks"),
    ("POST", "/api/v1/practices/{practice_id}/selection"),
    ("POST", "/api/v1/documents/{document_id}/transitions"),
    ("POST", "/api/v1/webhooks"),
)


def test_the_same_bodies_succeed_for_the_right_person_on_fresh_objects(world: World) -> None:
    fresh = {**world.ids, **objects(world.engine, "乙")}
    for op in RIGHT_ONES:
        case = TABLE[op]
        answer = call(world, case.right, op, case, fresh)
        assert 200 <= answer.status_code < 300, f"{op} as {case.right}: {answer.status_code} {answer.text}"
