"""The published OpenAPI document against the API (issue 18): schemathesis generates requests
for every operation from ``/api/openapi.json`` and checks that none answers a server error and
every answer matches the document (status, content type, body schema). Bounded examples."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from zhenggai.adapters.web import OPENAPI_PATH, WebSettings, create_app
from zhenggai.engine import Accounts, Actor, Engine, VirtualClock
from zhenggai.testing import DEFAULT_START
from zhenggai.workflows import load_setup

from tests.conftest import REPORTER_KEYS

HEADERS: dict[str, str] = {}
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")


def _app() -> Any:
    """The app on a fresh SQLite database (made at collection: schemathesis parametrizes the
    tests from the document, so the app must exist before them)."""
    folder = Path(tempfile.mkdtemp(prefix="zg-schema-"))
    atexit.register(shutil.rmtree, folder, True)
    engine = Engine(
        folder / "z.db",
        clock=VirtualClock(DEFAULT_START),
        reporter_keys=REPORTER_KEYS,
        attachments=folder / "files",
    )
    atexit.register(engine.dispose)
    engine.start_campaign(load_setup("county_2023"), key="fz")
    for n in range(3):
        item = engine.report(
            "fz", OFFICE, title=f"问题{n}", description="d", track="construction", channel="hotline"
        )
        if n:
            engine.assign(item.id, OFFICE, unit="housing_construction_bureau")
    _, token = Accounts(engine).issue_token(
        "fz", "模糊测试", ["leading_group_office"], ["discipline_commission"]
    )
    HEADERS["Authorization"] = f"Bearer {token}"
    return create_app(engine, WebSettings("fz"))


schema = schemathesis.openapi.from_asgi(OPENAPI_PATH, _app())


@schema.parametrize()
@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_every_operation_answers_as_documented(case: Any) -> None:
    case.call_and_validate(headers=HEADERS, checks=[not_a_server_error, response_schema_conformance])


def test_the_document_names_the_bearer_scheme_and_the_error_form() -> None:
    raw = schema.raw_schema
    assert raw["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    fire = raw["paths"]["/api/v1/items/{item_id}/transitions"]["post"]
    assert {"401", "403", "404", "409", "412", "422"} <= set(fire["responses"])
    assert fire["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    assert any(p["name"] == "Idempotency-Key" for p in fire["parameters"])
    assert any(p["name"] == "If-Match" for p in fire["parameters"])
