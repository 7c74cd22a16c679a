"""Signing in to the web workbench (issue 18) through HTTP (Starlette's TestClient): the login
page, refusals (401, 429), the session cookie's flags, redirects home by role and never to
another host, sign-out and role switches guarded by the CSRF token, idle expiry and a disabled
account on the next request. One app and database per module; each test its own account."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from zhenggai.adapters.web import WebSettings, create_app
from zhenggai.engine import Accounts, Engine, NewAccount, VirtualClock
from zhenggai.engine import _accounts as accounts_module
from zhenggai.testing import DEFAULT_START
from zhenggai.workflows import load_setup

PASSWORD = "correct-horse-7"
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def clock() -> VirtualClock:
    return VirtualClock(DEFAULT_START)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, clock: VirtualClock) -> Iterator[Engine]:
    from argon2 import PasswordHasher

    eng = Engine(Path(tmp_path_factory.mktemp("web")) / "z.db", clock=clock)
    eng.start_campaign(load_setup("county_2023"), key="web")
    with pytest.MonkeyPatch.context() as patch:  # cheap hashes: the rules are what is tested
        patch.setattr(
            accounts_module, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
        )
        yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def app(engine: Engine):  # type: ignore[no-untyped-def]
    return create_app(engine, WebSettings("web"))


@pytest.fixture(scope="module")
def accounts(engine: Engine) -> Accounts:
    return Accounts(engine)


def person(accounts: Accounts, *roles: str, unit: str | None = "housing_construction_bureau") -> str:
    name = f"w{next(_numbers)}"
    accounts.add("web", NewAccount(name, "李科长", roles or ("responsible",), unit, PASSWORD))
    return name


@pytest.fixture
def client(app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app, follow_redirects=False)


def sign_in(client: TestClient, username: str, password: str = PASSWORD, next_: str | None = None):  # type: ignore[no-untyped-def]
    data = {"username": username, "password": password, **({"next": next_} if next_ is not None else {})}
    return client.post("/login", data=data)


def csrf(accounts: Accounts, client: TestClient) -> str:
    return accounts.session(client.cookies["zg_session"], touch=False).csrf


def test_the_login_page_has_labelled_fields(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    for field in ("username", "password"):
        assert re.search(rf'<label for="{field}">', page.text)
        assert re.search(rf'<input id="{field}" name="{field}"', page.text)
    assert '<html lang="zh-CN">' in page.text


def test_a_wrong_password_is_401_and_too_many_are_429(client: TestClient, accounts: Accounts) -> None:
    name = person(accounts)
    answer = sign_in(client, name, "wrong-password-1")
    assert answer.status_code == 401 and "用户名或密码错误" in answer.text
    assert "zg_session" not in answer.cookies
    assert sign_in(client, "nobody-here", PASSWORD).status_code == 401
    codes = [sign_in(client, name, "wrong-password-1").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    locked = sign_in(client, name)
    assert locked.status_code == 429 and "锁定" in locked.text
    log = [e for e in accounts.access_log(limit=100) if e["username"] == name]
    assert log[0]["kind"] == "sign_in_failed" and log[0]["remote"] == "testclient"


@pytest.mark.parametrize(
    ("roles", "unit", "home"),
    [
        (("responsible",), "housing_construction_bureau", "/inbox"),
        (("leading_group_office",), "discipline_commission", "/office"),
        (("operator",), None, "/admin"),
    ],
)
def test_signing_in_sets_a_safe_cookie_and_goes_home_by_role(
    client: TestClient, accounts: Accounts, roles: tuple[str, ...], unit: str | None, home: str
) -> None:
    answer = sign_in(client, person(accounts, *roles, unit=unit))
    assert answer.status_code == 303 and answer.headers["location"] == home
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("zg_session=")
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http://127.0.0.1 unless --secure-cookies


@pytest.mark.parametrize(
    "target", ["//evil.example", "https://evil.example/x", "evil", "javascript:alert(1)"]
)
def test_next_never_leaves_the_site(client: TestClient, accounts: Accounts, target: str) -> None:
    answer = sign_in(client, person(accounts), next_=target)
    assert answer.headers["location"] == "/inbox"


def test_a_backslash_next_stays_a_path_on_this_site(client: TestClient, accounts: Accounts) -> None:
    """``/\\evil.example`` (which browsers read as ``//evil.example``) goes out percent-encoded."""
    location = sign_in(client, person(accounts), next_="/\\evil.example").headers["location"]
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location


def test_next_within_the_site_is_followed(client: TestClient, accounts: Accounts) -> None:
    assert (
        sign_in(client, person(accounts), next_="/items/7?tab=history").headers["location"]
        == "/items/7?tab=history"
    )


def test_sign_out_needs_the_csrf_token(client: TestClient, accounts: Accounts) -> None:
    name = person(accounts)
    sign_in(client, name)
    for data in ({}, {"csrf_token": "forged"}):
        refused = client.post("/logout", data=data)
        assert refused.status_code == 403 and "CSRF" in refused.text
        assert client.get("/").headers["location"] == "/inbox"  # still signed in
    done = client.post("/logout", data={"csrf_token": csrf(accounts, client)})
    assert done.status_code == 303 and done.headers["location"] == "/login"
    client.cookies.clear()
    assert client.get("/").headers["location"].startswith("/login")
    kinds = [
        e["kind"] for e in accounts.access_log(limit=200) if e["account_id"] == accounts.account(name).id
    ]
    assert kinds[0] == "signed_out"


def test_an_idle_session_expires_on_the_engine_clock(
    client: TestClient, accounts: Accounts, clock: VirtualClock
) -> None:
    sign_in(client, person(accounts))
    clock.advance(dt.timedelta(minutes=31))
    answer = client.get("/")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/&why=expired"
    assert "登录已过期" in client.get(answer.headers["location"]).text


def test_a_disabled_account_is_sent_to_sign_in_on_its_next_request(
    client: TestClient, accounts: Accounts
) -> None:
    name = person(accounts)
    sign_in(client, name)
    assert client.get("/").headers["location"] == "/inbox"
    accounts.disable(name)
    assert client.get("/").headers["location"].startswith("/login?next=/")
    again = sign_in(client, name)
    assert again.status_code == 401 and "停用" in again.text


def test_switching_role_only_among_the_grants(client: TestClient, accounts: Accounts) -> None:
    name = person(accounts, "track_group_leader", "supervision_team", unit="organization_department")
    sign_in(client, name)
    token = csrf(accounts, client)
    refused = client.post("/role", data={"role": "leading_group_office", "csrf_token": token})
    assert refused.status_code == 403 and "未授予该角色" in refused.text
    assert client.post("/role", data={"role": "supervision_team"}).status_code == 403  # no CSRF token
    assert accounts.session(client.cookies["zg_session"], touch=False).role == "track_group_leader"
    switched = client.post("/role", data={"role": "supervision_team", "csrf_token": token})
    assert switched.status_code == 303 and switched.headers["location"] == "/office"
    assert accounts.session(client.cookies["zg_session"], touch=False).role == "supervision_team"
