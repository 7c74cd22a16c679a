"""The HTTP API (issue 18, point 2) with a county system's tokens: an item's whole life over
HTTP, every refusal (no token, revoked token, a role not granted, another unit's item, a role
that may not, wrong state, bad body, stale If-Match), idempotency keys, pagination, and the
reporter never in what a unit reads. One app per backend for the module."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from zhenggai.adapters.web import WebSettings, create_app
from zhenggai.engine import Accounts, Engine, VirtualClock
from zhenggai.testing import DEFAULT_START
from zhenggai.workflows import load_setup

from tests.conftest import REPORTER_KEYS

pytestmark = pytest.mark.storage

UNIT = "housing_construction_bureau"
OTHER = "commerce_bureau"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
REPORTER = {"name": "欧阳举报", "phone": "13912345678", "contact": "微信 oy_jb", "note": "匿名"}


@dataclass
class Api:
    engine: Engine
    client: TestClient
    accounts: Accounts
    office: dict[str, str]
    unit: dict[str, str]
    other: dict[str, str]
    custodian: dict[str, str]
    revoked: dict[str, str]

    def report(self, title: str = "审批超时", **extra: Any) -> dict[str, Any]:
        body = {
            "title": title,
            "description": "企业反映审批超时",
            "track": "construction",
            "channel": "hotline",
        }
        answer = self.client.post("/api/v1/items", json={**body, **extra}, headers=self.office)
        assert answer.status_code == 201, answer.text
        return dict(answer.json())


def _bearer(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


@pytest.fixture(scope="module")
def api(module_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    files = tmp_path_factory.mktemp("files")
    engine = Engine(
        module_db_url, clock=VirtualClock(DEFAULT_START), reporter_keys=REPORTER_KEYS, attachments=files
    )
    engine.start_campaign(load_setup("county_2023"), key="api")
    accounts = Accounts(engine)
    _, office = accounts.issue_token(
        "api", "县12345平台", ["leading_group_office"], ["discipline_commission"]
    )
    _, unit = accounts.issue_token("api", "住建局OA", ["responsible"], [UNIT])
    _, other = accounts.issue_token("api", "商务局OA", ["responsible"], [OTHER])
    _, custodian = accounts.issue_token("api", "保管系统", ["custodian"], ["discipline_commission"])
    gone, revoked = accounts.issue_token("api", "旧系统", ["leading_group_office"], ["discipline_commission"])
    accounts.revoke_token(gone.id)
    try:
        with TestClient(create_app(engine, WebSettings("api"))) as client:
            yield Api(
                engine,
                client,
                accounts,
                _bearer(office),
                _bearer(unit),
                _bearer(other),
                _bearer(custodian),
                _bearer(revoked),
            )
    finally:
        engine.dispose()


def test_an_item_runs_its_whole_life_over_http(api: Api) -> None:
    c = api.client
    item = api.report(reporter=REPORTER)
    item_id = item["id"]
    assert item["state"] == "identified"
    read = c.get(f"/api/v1/items/{item_id}", headers=api.office)
    assert read.headers["etag"] == f'"{item["version"]}"'
    assigned = c.post(
        f"/api/v1/items/{item_id}/transitions",
        json={"trigger": "assign", "unit": UNIT, "due": "2023-09-28"},
        headers={**api.office, "If-Match": read.headers["etag"]},
    )
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["state"] == "assigned" and assigned.json()["unit"] == UNIT
    assert assigned.headers["etag"] == f'"{assigned.json()["version"]}"'
    detail = c.get(f"/api/v1/items/{item_id}", headers=api.unit).json()
    assert detail["allowed_triggers"] and "close" not in detail["allowed_triggers"]
    measure = c.post(f"/api/v1/items/{item_id}/measures", json={"text": "压缩审批时限"}, headers=api.unit)
    assert measure.status_code == 201, measure.text
    started = c.post(
        f"/api/v1/items/{item_id}/transitions", json={"trigger": "start_rectification"}, headers=api.unit
    )
    assert started.json()["state"] == "rectifying", started.text
    upload = c.post(
        f"/api/v1/items/{item_id}/attachments",
        data={"subject": "measure", "subject_id": str(measure.json()["id"])},
        files={"file": ("整改照片.png", PNG, "image/png")},
        headers=api.unit,
    )
    assert upload.status_code == 201, upload.text
    attachment = upload.json()
    download = c.get(f"/api/v1/attachments/{attachment['id']}", headers=api.unit)
    assert download.status_code == 200 and download.content == PNG
    # The Chinese name survives the download (RFC 6266's UTF-8 form, percent-encoded).
    assert (
        download.headers["content-disposition"]
        == "attachment; filename*=UTF-8''%E6%95%B4%E6%94%B9%E7%85%A7%E7%89%87.png"
    )
    assert c.get(f"/api/v1/attachments/{attachment['id']}", headers=api.other).status_code == 403
    done = c.post(f"/api/v1/measures/{measure.json()['id']}/complete", headers=api.unit)
    assert done.json()["done_at"] is not None
    submitted = c.post(
        f"/api/v1/items/{item_id}/transitions", json={"trigger": "submit_for_verification"}, headers=api.unit
    )
    assert submitted.json()["state"] == "submitted", submitted.text
    verified = c.post(f"/api/v1/items/{item_id}/transitions", json={"trigger": "verify"}, headers=api.office)
    assert verified.json()["state"] == "verified", verified.text
    refused = c.post(f"/api/v1/items/{item_id}/transitions", json={"trigger": "close"}, headers=api.unit)
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied_error"
    closed = c.post(f"/api/v1/items/{item_id}/transitions", json={"trigger": "销号"}, headers=api.office)
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    history = c.get(f"/api/v1/items/{item_id}/events", headers=api.unit).json()
    assert [e["trigger"] for e in history][-2:] == ["verify", "close"]
    for answer in (
        read,
        detail_text := c.get(f"/api/v1/items/{item_id}", headers=api.unit),
        c.get(f"/api/v1/items/{item_id}/events", headers=api.unit),
        c.get("/api/v1/items", headers=api.unit),
        c.get("/api/v1/ledger", headers=api.unit),
    ):
        assert answer.status_code == 200, answer.text
        for secret in (REPORTER["name"], REPORTER["phone"], "oy_jb"):
            assert secret not in answer.text
    assert detail_text.json()["state"] == "closed"
    assert c.get(f"/api/v1/items/{item_id}/reporter", headers=api.office).status_code == 403
    opened = c.get(f"/api/v1/items/{item_id}/reporter", headers=api.custodian)
    assert opened.status_code == 200 and opened.json()["phone"] == REPORTER["phone"]


def test_refusals(api: Api) -> None:
    c = api.client
    item = api.report("拒绝测试")
    item_id = item["id"]
    c.post(
        f"/api/v1/items/{item_id}/transitions", json={"trigger": "assign", "unit": UNIT}, headers=api.office
    )
    no_token = c.get("/api/v1/items")
    assert no_token.status_code == 401 and no_token.json()["code"] == "sign_in_refused.no_session"
    revoked = c.get("/api/v1/items", headers=api.revoked)
    assert revoked.status_code == 401 and revoked.json()["code"].startswith("sign_in_refused")
    not_granted = c.get("/api/v1/items", headers={**api.unit, "X-Zhenggai-Role": "leading_group_office"})
    assert not_granted.status_code == 403
    hidden = c.get(f"/api/v1/items/{item_id}", headers=api.other)
    assert hidden.status_code == 404 and hidden.json()["code"] == "item_not_found"
    assert c.get(f"/api/v1/items/{item_id}/events", headers=api.other).status_code == 404
    other_unit = c.get(f"/api/v1/items?unit={UNIT}", headers=api.other)
    assert other_unit.status_code == 403
    wrong_state = c.post(
        f"/api/v1/items/{item_id}/transitions", json={"trigger": "verify"}, headers=api.office
    )
    assert wrong_state.status_code == 409, wrong_state.text
    assert wrong_state.json()["code"] == "transition_not_allowed_error"
    before = api.engine.item(item_id)
    bad = c.post(f"/api/v1/items/{item_id}/transitions", json={"trigger": ""}, headers=api.office)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_request"
    assert "请求无效" in bad.json()["message"]
    bad_date = c.post(
        "/api/v1/items",
        json={"title": "x", "description": "y", "track": "construction", "channel": "hotline", "due": "明天"},
        headers=api.office,
    )
    assert bad_date.status_code == 422 and "日期" in bad_date.json()["message"]
    stale = c.post(
        f"/api/v1/items/{item_id}/transitions",
        json={"trigger": "reassign", "unit": OTHER},
        headers={**api.office, "If-Match": f'"{before.version - 1}"'},
    )
    assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"
    bad_cursor = c.get("/api/v1/items?cursor=%%%", headers=api.office)
    assert bad_cursor.status_code == 422 and bad_cursor.json()["code"] == "invalid_request"
    assert api.engine.item(item_id).version == before.version  # nothing changed


def test_an_idempotency_key_makes_a_repeat_change_nothing(api: Api) -> None:
    c = api.client
    body = {"title": "幂等测试", "description": "重复提交", "track": "construction", "channel": "hotline"}
    headers = {**api.office, "Idempotency-Key": "k-report-1"}
    first = c.post("/api/v1/items", json=body, headers=headers)
    again = c.post("/api/v1/items", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true" and "idempotent-replayed" not in first.headers
    assert again.json() == first.json()
    assert [i.title for i in api.engine.items("api")].count("幂等测试") == 1
    reused = c.post("/api/v1/items", json={**body, "title": "另一个"}, headers=headers)
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    assert [i.title for i in api.engine.items("api")].count("另一个") == 0
    # another principal's same key is its own
    other = c.post(
        "/api/v1/items",
        json={**body, "title": "幂等测试"},
        headers={**api.unit, "Idempotency-Key": "k-report-1"},
    )
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    # a refused request releases its key
    bad = {**api.office, "Idempotency-Key": "k-fire"}
    refused = c.post(
        f"/api/v1/items/{first.json()['id']}/transitions", json={"trigger": "verify"}, headers=bad
    )
    assert refused.status_code == 409
    with api.engine.store.read() as conn:
        keys = conn.execute(sa.text("SELECT key, status FROM zg_idempotency")).all()
    assert ("k-fire", None) not in keys and any(k == "k-report-1" and s == 201 for k, s in keys)


def test_pagination_walks_every_item_exactly_once(api: Api) -> None:
    for n in range(7):
        api.report(f"翻页{n}")
    expected = [i.id for i in api.engine.items("api")]
    seen: list[int] = []
    url: str | None = "/api/v1/items?limit=3"
    pages = 0
    while url is not None:
        answer = api.client.get(url, headers=api.office)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        seen += [i["id"] for i in page["items"]]
        pages += 1
        if page["next"] is None:
            assert "link" not in answer.headers
            url = None
        else:
            link = answer.headers["link"]
            assert link.endswith('rel="next"') and page["next"] in link
            url = link[1 : link.index(">")]
    assert seen == expected and pages == -(-len(expected) // 3)


def test_a_unit_lists_only_its_own_items(api: Api) -> None:
    mine = api.report("本单位的")
    api.client.post(
        f"/api/v1/items/{mine['id']}/transitions",
        json={"trigger": "assign", "unit": UNIT},
        headers=api.office,
    )
    theirs = api.report("别单位的")
    api.client.post(
        f"/api/v1/items/{theirs['id']}/transitions",
        json={"trigger": "assign", "unit": OTHER},
        headers=api.office,
    )
    listed = api.client.get("/api/v1/items?limit=500", headers=api.unit).json()["items"]
    units = {i["unit"] for i in listed}
    assert units == {UNIT} and mine["id"] in {i["id"] for i in listed}
    assert theirs["id"] not in {i["id"] for i in listed}
    assert json.dumps(listed).count("别单位的") == 0


def test_idempotency_keys_older_than_a_day_are_purged_when_the_app_starts(tmp_path: Path) -> None:
    """A key kept for a day answers its repeats; a new app (a server start) forgets older ones."""
    import datetime as dt

    from zhenggai.adapters.web._api_idempotency import KEEP, finish, purge_keys, reserve

    clock = VirtualClock(dt.datetime(2023, 7, 3, 1, 0, tzinfo=dt.UTC))
    engine = Engine(tmp_path / "keys.db", clock=clock)
    try:
        engine.start_campaign(load_setup("county_2023"), key="keys")
        assert reserve(engine, "token:1", "k1", "POST", "/api/v1/items", "abc") is None
        finish(engine, "token:1", "k1", 201, "{}")
        assert reserve(engine, "token:1", "k1", "POST", "/api/v1/items", "abc") is not None  # a replay
        assert purge_keys(engine) == 0
        clock.advance(KEEP + dt.timedelta(minutes=1))
        create_app(engine, WebSettings("keys"))
        assert reserve(engine, "token:1", "k1", "POST", "/api/v1/items", "abc") is None  # forgotten
    finally:
        engine.dispose()
