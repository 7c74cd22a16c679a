"""A plain HTTP client against the API served by uvicorn on a free port (issue 18): only
``urllib.request`` and ``json``, as a county system in another language would do it."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from zhenggai.adapters.web import WebSettings, create_app
from zhenggai.engine import Accounts, Engine, VirtualClock
from zhenggai.testing import DEFAULT_START
from zhenggai.workflows import load_setup


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    folder: Path = tmp_path_factory.mktemp("http")
    engine = Engine(folder / "z.db", clock=VirtualClock(DEFAULT_START))
    engine.start_campaign(load_setup("county_2023"), key="ht")
    _, token = Accounts(engine).issue_token("ht", "县OA", ["leading_group_office"], ["discipline_commission"])
    port = _free_port()
    config = uvicorn.Config(
        create_app(engine, WebSettings("ht")), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    config.install_signal_handlers = False  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}", token
    server.should_exit = True
    thread.join(10)
    engine.dispose()


def _call(
    url: str, token: str, method: str = "GET", body: Any = None, **headers: str
) -> tuple[int, dict[str, str], Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in headers.items():
        request.add_header(name.replace("_", "-"), value)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), json.loads(answer.read().decode("utf-8"))
    except urllib.error.HTTPError as err:
        with err:
            return err.code, dict(err.headers), json.loads(err.read().decode("utf-8"))


def test_report_list_and_fire_with_if_match_over_real_http(served: tuple[str, str]) -> None:
    base, token = served
    body = {"title": "窗口推诿", "description": "群众反映", "track": "construction", "channel": "hotline"}
    status, headers, item = _call(f"{base}/api/v1/items", token, "POST", body)
    assert status == 201 and headers["location"] == f"/api/v1/items/{item['id']}"
    status, headers, listed = _call(f"{base}/api/v1/items", token)
    assert status == 200 and [i["id"] for i in listed["items"]] == [item["id"]] and listed["next"] is None
    status, headers, read = _call(f"{base}/api/v1/items/{item['id']}", token)
    etag = headers["etag"]
    assert etag == f'"{read["version"]}"'
    fire = {"trigger": "assign", "unit": "housing_construction_bureau"}
    status, headers, fired = _call(
        f"{base}/api/v1/items/{item['id']}/transitions", token, "POST", fire, If_Match=etag
    )
    assert (
        status == 200 and fired["state"] == "assigned" and headers["etag"] == f'"{fired["version"]}"' != etag
    )
    status, _, refused = _call(
        f"{base}/api/v1/items/{item['id']}/transitions", token, "POST", fire, If_Match=etag
    )
    assert status == 412 and refused["code"] == "precondition_failed" and "版" in refused["message"]
    status, _, schema = _call(f"{base}/api/openapi.json", token)
    assert status == 200 and "/api/v1/items" in schema["paths"]
