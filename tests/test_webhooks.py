"""Webhooks to county systems (issue 18): committed audit events relayed into the outbox and
POSTed, signed, to a real local receiver that checks the signature and the timestamp itself."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from zhenggai.adapters.cli import main
from zhenggai.engine import Engine, InvalidInputError, Reporter, VirtualClock, WebhookNotFound, Webhooks
from zhenggai.notifications.dispatcher import Dispatcher
from zhenggai.notifications.web import HostPolicy
from zhenggai.notifications.webhooks import WebhookChannel, verify
from zhenggai.workflows import load_setup

from tests.conftest import Actors, due_in

OFFICE = Actors.office
UNIT = "housing_construction_bureau"


@dataclass
class Hook:
    """What one path of the receiver answers and what it got (each request checked)."""

    secret: str = ""
    answers: list[int] = field(default_factory=list)
    got: list[dict[str, Any]] = field(default_factory=list)


class Receiver:
    """A county system: an HTTP server on 127.0.0.1 that checks each request's HMAC itself
    (not with the code under test) against the secret of its path, and its timestamp against
    ``clock`` (the engine's virtual now)."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self.hooks: dict[str, Hook] = {}
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook = receiver.hooks.setdefault(self.path, Hook())
                hook.got.append(
                    {
                        "headers": dict(self.headers),
                        "body": body,
                        "ok": receiver.check(hook, self.headers, body),
                    }
                )
                self.send_response(hook.answers.pop(0) if hook.answers else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def check(self, hook: Hook, headers: Any, body: bytes) -> bool:
        timestamp = headers.get("X-Zhenggai-Timestamp", "")
        expected = (
            "sha256="
            + hmac.new(hook.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        )
        fresh = abs(int(timestamp) - self.clock.now().timestamp()) <= 300
        return fresh and hmac.compare_digest(expected, headers.get("X-Zhenggai-Signature", ""))

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def receiver(module_clock: VirtualClock) -> Iterator[Receiver]:
    r = Receiver(module_clock)
    yield r
    r.close()


@pytest.fixture
def engine(module_engine: Engine) -> Engine:
    return module_engine


def _dispatcher(engine: Engine) -> Dispatcher:
    channel = WebhookChannel(engine, policy=HostPolicy(internal=frozenset({"127.0.0.1"})), timeout=5)
    return Dispatcher(engine, [channel], max_attempts=3, backoff=10, seed=1)


def _subscribe(engine: Engine, receiver: Receiver, key: str, path: str, kinds: list[str]) -> int:
    view, secret = Webhooks(engine).add(key, path, receiver.url(path), kinds)
    receiver.hooks[path] = Hook(secret=secret)
    return view.id


def _campaign(engine: Engine, key: str) -> str:
    engine.start_campaign(load_setup("county_2023"), key=key)
    return key


def _webhook_rows(engine: Engine, webhook_id: int) -> list[Any]:
    return [m for m in engine.outbox() if m.recipient == f"webhook:{webhook_id}"]


def _report(engine: Engine, key: str, **kw: Any) -> Any:
    return engine.report(
        key,
        OFFICE,
        title="违规收费",
        description="窗口多收费用",
        track="construction",
        channel="hotline",
        **kw,
    )


def test_committed_events_reach_the_receiver_signed_and_nothing_rolled_back(
    engine: Engine, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = _campaign(engine, "wh_commit")
    hook_id = _subscribe(engine, receiver, key, "/commit", ["*"])
    item = _report(engine, key)
    engine.fire(item.id, "assign", OFFICE, unit=UNIT, due=due_in(20))
    engine.add_measure(item.id, Actors.unit(), text="退还多收费用")
    # An operation whose transaction fails after its event was written announces nothing.
    from zhenggai.engine import _transitions

    real = _transitions.append_event

    def failing(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise RuntimeError("boom after the event")

    monkeypatch.setattr(_transitions, "append_event", failing)
    with pytest.raises(RuntimeError):
        engine.fire(item.id, "start_rectification", Actors.unit())
    monkeypatch.undo()
    assert engine.item(item.id).state == "assigned"

    assert Webhooks(engine).relay(key) == 3
    report = _dispatcher(engine).dispatch()
    assert report.sent == 3
    got = receiver.hooks["/commit"].got
    assert [g["ok"] for g in got] == [True, True, True]
    payloads = [json.loads(g["body"]) for g in got]
    assert [p["kind"] for p in payloads] == ["report", "assign", "add_measure"]
    assert [g["headers"]["X-Zhenggai-Event"] for g in got] == ["report", "assign", "add_measure"]
    assign = payloads[1]
    assert assign["item"] == {"id": item.id, "number": engine.item(item.id).number}
    assert (assign["from_state"], assign["to_state"], assign["actor"]) == ("identified", "assigned", "王主任")
    assert assign["campaign"] == key and assign["detail"]["unit"] == UNIT
    rows = _webhook_rows(engine, hook_id)
    assert {r.status for r in rows} == {"sent"}
    assert {g["headers"]["X-Zhenggai-Delivery"] for g in got} == {str(r.id) for r in rows}
    # The relay's rows are vouched for by the audit chain.
    assert engine.verify_audit(key).ok


def test_kinds_filter_and_replay_sends_nothing_twice(engine: Engine, receiver: Receiver) -> None:
    key = _campaign(engine, "wh_kinds")
    only_assign = _subscribe(engine, receiver, key, "/assign", ["assign"])
    everything = _subscribe(engine, receiver, key, "/all", ["*"])
    item = _report(engine, key)
    engine.fire(item.id, "assign", OFFICE, unit=UNIT, due=due_in(20))
    engine.add_measure(item.id, Actors.unit(), text="退还多收费用")
    engine.fire(item.id, "start_rectification", Actors.unit())
    webhooks = Webhooks(engine)
    assert webhooks.relay(key) == 1 + 4
    assert webhooks.relay(key) == 0  # the cursor moved: nothing is queued again
    dispatcher = _dispatcher(engine)
    assert dispatcher.dispatch().sent == 5
    assert dispatcher.dispatch().sent == 0
    assert [json.loads(g["body"])["kind"] for g in receiver.hooks["/assign"].got] == ["assign"]
    kinds = [json.loads(g["body"])["kind"] for g in receiver.hooks["/all"].got]
    assert kinds == ["report", "assign", "add_measure", "start_rectification"]  # no relay_webhooks
    assert len(_webhook_rows(engine, only_assign)) == 1 and len(_webhook_rows(engine, everything)) == 4
    assert webhooks.webhook(everything).cursor == engine.verify_audit(key).events  # past its own event


def test_a_500_is_retried_then_delivered(
    engine: Engine, receiver: Receiver, module_clock: VirtualClock
) -> None:
    key = _campaign(engine, "wh_retry")
    hook_id = _subscribe(engine, receiver, key, "/flaky", ["report"])
    receiver.hooks["/flaky"].answers = [500]
    _report(engine, key)
    assert Webhooks(engine).relay(key) == 1
    dispatcher = _dispatcher(engine)
    assert dispatcher.dispatch().retried == 1
    (row,) = _webhook_rows(engine, hook_id)
    assert row.status == "pending" and "HTTP 500" in (row.last_error or "")
    module_clock.advance(dt.timedelta(seconds=30))
    assert dispatcher.dispatch().sent == 1
    (row,) = _webhook_rows(engine, hook_id)
    assert (row.status, row.attempts) == ("sent", 2)
    got = receiver.hooks["/flaky"].got
    assert len(got) == 2 and all(g["ok"] for g in got)
    assert got[0]["headers"]["X-Zhenggai-Delivery"] == got[1]["headers"]["X-Zhenggai-Delivery"]


def test_a_4xx_is_dead_lettered_at_once(engine: Engine, receiver: Receiver) -> None:
    key = _campaign(engine, "wh_dead")
    hook_id = _subscribe(engine, receiver, key, "/gone", ["report"])
    receiver.hooks["/gone"].answers = [410]
    _report(engine, key)
    Webhooks(engine).relay(key)
    assert _dispatcher(engine).dispatch().dead == 1
    (row,) = _webhook_rows(engine, hook_id)
    assert (row.status, row.attempts) == ("dead", 1)
    assert "HTTP 410" in (row.last_error or "")


def test_a_tampered_body_or_an_old_timestamp_fails_the_check(engine: Engine, receiver: Receiver) -> None:
    key = _campaign(engine, "wh_tamper")
    _subscribe(engine, receiver, key, "/tamper", ["report"])
    _report(engine, key)
    Webhooks(engine).relay(key)
    _dispatcher(engine).dispatch()
    hook = receiver.hooks["/tamper"]
    (got,) = hook.got
    assert got["ok"]
    body, headers = got["body"], got["headers"]
    tampered = body.replace(b'"report"', b'"close"')
    assert tampered != body
    assert not receiver.check(hook, headers, tampered)
    now = engine.clock.now().timestamp()
    assert verify(hook.secret, headers, body, now=now)
    assert not verify(hook.secret, headers, tampered, now=now)
    assert not verify("another-secret-0123456789", headers, body, now=now)
    assert not verify(hook.secret, headers, body, now=now + 600)  # a replay ten minutes later


def test_no_reporter_data_in_any_payload(engine: Engine, receiver: Receiver) -> None:
    key = _campaign(engine, "wh_reporter")
    hook_id = _subscribe(engine, receiver, key, "/reporter", ["*"])
    item = _report(engine, key, reporter=Reporter(name="举报人孙某", phone="13912345678"))
    engine.fire(item.id, "assign", OFFICE, unit=UNIT, due=due_in(20))
    assert engine.read_reporter(item.id, Actors.custodian) is not None
    Webhooks(engine).relay(key)
    _dispatcher(engine).dispatch()
    bodies = [g["body"].decode() for g in receiver.hooks["/reporter"].got]
    assert len(bodies) == len(_webhook_rows(engine, hook_id)) >= 3
    for text in bodies:
        assert "孙某" not in text and "13912345678" not in text
        assert "reporter" not in json.dumps(json.loads(text)["detail"])
        assert "has_reporter" not in text


def test_bad_subscriptions_are_refused_and_disabled_ones_get_nothing(
    engine: Engine, receiver: Receiver
) -> None:
    key = _campaign(engine, "wh_manage")
    webhooks = Webhooks(engine)
    before = webhooks.webhooks(key)
    for kwargs, field_name in (
        ({"url": "ftp://example.org/x"}, "url"),
        ({"url": "http://u:p@example.org/x"}, "url"),
        ({"kinds": ["Assign!"]}, "kinds"),
        ({"kinds": ["relay_webhooks"]}, "kinds"),
        ({"name": " "}, "name"),
        ({"secret": "short"}, "secret"),
    ):
        args = {"name": "x", "url": "https://oa.example.org/hook", "kinds": ["*"], **kwargs}
        with pytest.raises(InvalidInputError) as refused:
            webhooks.add(key, args["name"], args["url"], args["kinds"], secret=kwargs.get("secret"))
        assert refused.value.field == field_name
    assert webhooks.webhooks(key) == before
    hook_id = _subscribe(engine, receiver, key, "/off", ["*"])
    with pytest.raises(InvalidInputError, match="已有名为"):
        webhooks.add(key, "/off", receiver.url("/off"))
    _report(engine, key)
    assert webhooks.relay(key) == 1
    assert webhooks.disable(hook_id).disabled
    _report(engine, key)
    assert webhooks.relay(key) == 0
    assert _dispatcher(engine).dispatch().dead == 1  # queued before, refused now: not sent
    assert receiver.hooks["/off"].got == []
    with pytest.raises(WebhookNotFound):
        webhooks.disable(99999)


def test_the_cli_adds_lists_relays_and_disables(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "z.db")
    clock = VirtualClock(dt.datetime(2023, 7, 3, 1, tzinfo=dt.UTC))
    with Engine(db, clock=clock) as engine:
        engine.start_campaign(load_setup("county_2023"), key="cli")
        _report(engine, "cli")
    assert (
        main(
            [
                "--db",
                db,
                "webhook",
                "add",
                "县12345平台",
                "https://oa.example.org/hook",
                "--kinds",
                "assign,close",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "已新增推送订阅 1" in out and "签名密钥" in out
    assert main(["--db", db, "webhook", "list"]) == 0
    out = capsys.readouterr().out
    assert "县12345平台" in out and "assign, close" in out and "签名密钥" not in out
    assert main(["--db", db, "webhook", "relay"]) == 0
    assert "没有新的办理记录" in capsys.readouterr().out
    assert main(["--db", db, "webhook", "add", "坏的", "oa.example.org"]) != 0
    assert "推送地址" in capsys.readouterr().err
    assert main(["--db", db, "webhook", "disable", "1"]) == 0
    assert "已停用推送订阅 1" in capsys.readouterr().out
    assert main(["--db", db, "webhook", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(w["id"], w["disabled"]) for w in listed] == [(1, True)]


def test_the_api_manages_subscriptions_for_the_office_and_operator_only(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient
    from zhenggai.adapters.web import WebSettings, create_app
    from zhenggai.engine import Accounts

    with Engine(tmp_path / "z.db", clock=VirtualClock(dt.datetime(2023, 7, 3, 1, tzinfo=dt.UTC))) as engine:
        engine.start_campaign(load_setup("county_2023"), key="api")
        accounts = Accounts(engine)
        _, operator = accounts.issue_token("api", "运维", ["operator"])
        _, clerk = accounts.issue_token("api", "住建局系统", ["responsible"], [UNIT])
        client = TestClient(create_app(engine, WebSettings("api")))

        def auth(token: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {token}"}

        body = {"name": "县OA", "url": "https://oa.example.org/hook", "kinds": ["assign", "close"]}
        refused = client.post("/api/v1/webhooks", json=body, headers=auth(clerk))
        assert refused.status_code == 403 and refused.json()["code"] == "permission_denied_error"
        assert "推送订阅" in refused.json()["message"]
        assert client.get("/api/v1/webhooks").status_code == 401
        bad = client.post("/api/v1/webhooks", json={**body, "url": "oa.example.org"}, headers=auth(operator))
        assert bad.status_code == 422 and "推送地址" in bad.json()["message"]
        assert Webhooks(engine).webhooks("api") == []
        made = client.post("/api/v1/webhooks", json=body, headers=auth(operator))
        assert made.status_code == 201 and len(made.json()["secret"]) >= 32
        listed = client.get("/api/v1/webhooks", headers=auth(operator)).json()
        assert [(w["name"], w["kinds"]) for w in listed] == [("县OA", ["assign", "close"])]
        assert "secret" not in listed[0] and made.json()["secret"] not in json.dumps(listed)
        assert client.delete(f"/api/v1/webhooks/{made.json()['id']}", headers=auth(clerk)).status_code == 403
        gone = client.delete(f"/api/v1/webhooks/{made.json()['id']}", headers=auth(operator))
        assert gone.status_code == 200 and gone.json()["disabled"] is True
        missing = client.delete("/api/v1/webhooks/999", headers=auth(operator))
        assert missing.status_code == 404 and missing.json()["code"] == "webhook_not_found"
