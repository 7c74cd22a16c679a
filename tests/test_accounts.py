"""Accounts, sessions and API tokens (issue 18) on SQLite and PostgreSQL: what is refused and
leaves nothing behind, what is stored (hashes only), the lockout and expiry rules on the
engine's clock, and the access log each of them writes.

One engine and campaign per module and backend; each test makes accounts of its own. Hashing
uses argon2id with small costs here (the parameters are the hasher's; the rules are not), so
a property test can sign in hundreds of times."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zhenggai.engine import (
    Accounts,
    Engine,
    InvalidInputError,
    NewAccount,
    SignInPolicy,
    SignInRefused,
    VirtualClock,
)
from zhenggai.engine import _accounts as accounts_module
from zhenggai.engine.models import Account, ApiToken
from zhenggai.workflows import load_setup

pytestmark = pytest.mark.storage

PASSWORD = "correct-horse-7"
_names = itertools.count(1)


def fresh(prefix: str = "u") -> str:
    return f"{prefix}{next(_names)}"


@pytest.fixture(scope="module", autouse=True)
def _cheap_hashes() -> Iterator[None]:
    from argon2 import PasswordHasher

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            accounts_module, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
        )
        yield


@pytest.fixture(scope="module")
def engine(module_engine: Engine) -> Engine:
    module_engine.start_campaign(load_setup("county_2023"), key="acc")
    return module_engine


@pytest.fixture(scope="module")
def accounts(engine: Engine) -> Accounts:
    return Accounts(engine)


@pytest.fixture
def clock(module_clock: VirtualClock) -> VirtualClock:
    return module_clock


def clerk(username: str, password: str | None = PASSWORD) -> NewAccount:
    return NewAccount(username, "李科长", ("responsible",), "housing_construction_bureau", password)


def log_of(accounts: Accounts, username: str) -> list[tuple[str, Any, Any]]:
    """(kind, remote, detail) of ``username``'s access-log rows, oldest first."""
    rows = [e for e in accounts.access_log(limit=10_000) if e["username"] == username]
    return [(e["kind"], e["remote"], e["detail"]) for e in reversed(rows)]


def row_values(engine: Engine, table: Any, **where: Any) -> list[str]:
    with engine.store.read() as conn:
        row = conn.execute(
            sa.select(table.__table__).where(*(table.__table__.c[k] == v for k, v in where.items()))
        ).one()
    return [str(value) for value in row]


# ---------------------------------------------------------------------------- adding


@pytest.mark.parametrize(
    ("entry", "field", "words"),
    [
        (NewAccount("x", "某人", ("mayor",), None, PASSWORD), "roles", "没有角色"),
        (NewAccount("x", "某人", ("responsible",), None, PASSWORD), "unit", "须绑定单位"),
        (NewAccount("x", "某人", ("responsible",), "no_such_bureau", PASSWORD), "unit", "没有单位"),
        (NewAccount("x", "某人", ("leading_group_office",), None, "short7a"), "password", "至少 10 位"),
        (NewAccount("x", "某人", ("leading_group_office",), None, "1234567890"), "password", "字母和数字"),
        (NewAccount("x y", "某人", ("leading_group_office",), None, PASSWORD), "username", "空格"),
        (NewAccount("x", " ", ("leading_group_office",), None, PASSWORD), "display_name", "姓名"),
        (NewAccount("x", "某人", (), None, PASSWORD), "roles", "至少"),
    ],
)
def test_a_bad_account_is_refused_in_chinese_and_nothing_is_written(
    accounts: Accounts, entry: NewAccount, field: str, words: str
) -> None:
    before = (len(accounts.accounts()), len(accounts.access_log(limit=10_000)))
    with pytest.raises(InvalidInputError) as refused:
        accounts.add("acc", entry)
    assert refused.value.field == field and words in refused.value.reason
    assert (len(accounts.accounts()), len(accounts.access_log(limit=10_000))) == before


def test_a_taken_username_is_refused_and_the_first_account_stays(accounts: Accounts) -> None:
    name = fresh()
    accounts.add("acc", clerk(name))
    with pytest.raises(InvalidInputError, match="用户名已存在"):
        accounts.add("acc", NewAccount(name, "另一人", ("leading_group_office",), None, PASSWORD))
    assert accounts.account(name).display_name == "李科长"
    assert [kind for kind, _, _ in log_of(accounts, name)] == ["account_added"]


def test_add_many_is_all_or_none_and_names_the_bad_entry(accounts: Accounts) -> None:
    names = [fresh(), fresh(), fresh()]
    entries = [clerk(names[0]), NewAccount(names[1], "王", ("responsible",), None), clerk(names[2])]
    before = len(accounts.accounts())
    with pytest.raises(InvalidInputError) as refused:
        accounts.add_many("acc", entries)
    assert refused.value.reason.startswith("第 2 条: ")
    assert len(accounts.accounts()) == before
    made = accounts.add_many("acc", [clerk(names[0], None), clerk(names[2], None)])
    assert [a.username for a, _ in made] == [names[0], names[2]]
    assert all(len(password) == 16 for _, password in made)


def test_the_password_is_stored_as_an_argon2id_hash_only(engine: Engine, accounts: Accounts) -> None:
    name = fresh()
    view, password = accounts.add("acc", clerk(name, None))
    values = row_values(engine, Account, username=name)
    assert any(v.startswith("$argon2id$") for v in values)
    assert not any(password in v for v in values)
    assert view.roles == ("responsible",) and view.unit == "housing_construction_bureau"


# ---------------------------------------------------------------------------- signing in


def test_sign_in_and_a_wrong_password_are_logged_with_the_remote(accounts: Accounts) -> None:
    name = fresh()
    accounts.add("acc", clerk(name))
    cookie, session = accounts.sign_in(name, PASSWORD, remote="10.0.0.7")
    assert session.actor.role == "responsible" and session.actor.unit == "housing_construction_bureau"
    assert accounts.session(cookie).id == session.id
    with pytest.raises(SignInRefused) as refused:
        accounts.sign_in(name, "wrong-password-1", remote="10.0.0.8")
    assert refused.value.reason == "bad_credentials" and "用户名或密码错误" in str(refused.value)
    with pytest.raises(SignInRefused, match="用户名或密码错误"):
        accounts.sign_in(fresh("nobody"), PASSWORD)
    log = log_of(accounts, name)
    assert [(k, r) for k, r, _ in log] == [
        ("account_added", None),
        ("signed_in", "10.0.0.7"),
        ("sign_in_failed", "10.0.0.8"),
    ]
    assert log[-1][2]["reason"] == "password"


def test_five_failures_lock_the_account_until_the_lock_time_passes(
    accounts: Accounts, clock: VirtualClock
) -> None:
    name = fresh()
    accounts.add("acc", clerk(name))
    reasons = []
    for _ in range(5):
        with pytest.raises(SignInRefused) as refused:
            accounts.sign_in(name, "wrong-password-1")
        reasons.append(refused.value.reason)
    assert reasons == ["bad_credentials"] * 4 + ["locked"]
    with pytest.raises(SignInRefused) as refused:
        accounts.sign_in(name, PASSWORD)  # the right password during the lock
    assert refused.value.reason == "locked" and "暂时锁定" in str(refused.value)
    clock.advance(dt.timedelta(minutes=14))
    with pytest.raises(SignInRefused, match="锁定"):
        accounts.sign_in(name, PASSWORD)
    clock.advance(dt.timedelta(minutes=1, seconds=1))
    accounts.sign_in(name, PASSWORD)
    failed = [d for k, _, d in log_of(accounts, name) if k == "sign_in_failed"]
    assert [d["reason"] for d in failed] == ["password"] * 5 + ["locked", "locked"]
    assert failed[4]["locked"] is True


def test_a_disabled_account_is_refused_and_its_sessions_end(accounts: Accounts) -> None:
    name = fresh()
    accounts.add("acc", clerk(name))
    cookie, _ = accounts.sign_in(name, PASSWORD)
    assert accounts.disable(name, by="admin").disabled
    with pytest.raises(SignInRefused) as refused:
        accounts.session(cookie)
    assert refused.value.reason == "no_session"
    with pytest.raises(SignInRefused) as refused:
        accounts.sign_in(name, PASSWORD)
    assert refused.value.reason == "disabled" and "停用" in str(refused.value)
    accounts.enable(name)
    accounts.sign_in(name, PASSWORD)
    kinds = [k for k, _, _ in log_of(accounts, name)]
    assert kinds == [
        "account_added",
        "signed_in",
        "account_disabled",
        "sign_in_failed",
        "account_enabled",
        "signed_in",
    ]


def test_a_reset_ends_sessions_unlocks_and_only_the_new_password_works(accounts: Accounts) -> None:
    name = fresh()
    accounts.add("acc", clerk(name))
    cookie, _ = accounts.sign_in(name, PASSWORD)
    for _ in range(5):
        with pytest.raises(SignInRefused):
            accounts.sign_in(name, "wrong-password-1")
    new = accounts.reset(name)
    with pytest.raises(SignInRefused):
        accounts.session(cookie)
    with pytest.raises(SignInRefused, match="用户名或密码错误"):
        accounts.sign_in(name, PASSWORD)
    accounts.sign_in(name, new)
    assert "password_reset" in [k for k, _, _ in log_of(accounts, name)]
    with pytest.raises(InvalidInputError, match="至少"):
        accounts.reset(name, "short")


def test_a_session_expires_when_idle_and_when_too_old(accounts: Accounts, clock: VirtualClock) -> None:
    name = fresh()
    accounts.add("acc", clerk(name))
    idle, _ = accounts.sign_in(name, PASSWORD)
    clock.advance(dt.timedelta(minutes=29))
    accounts.session(idle)  # touched: the idle time starts again
    clock.advance(dt.timedelta(minutes=29))
    accounts.session(idle)
    clock.advance(dt.timedelta(minutes=31))
    with pytest.raises(SignInRefused) as refused:
        accounts.session(idle, remote="10.0.0.9")
    assert refused.value.reason == "expired" and "登录已过期" in str(refused.value)
    old, _ = accounts.sign_in(name, PASSWORD)
    for _ in range(12 * 3):  # busy all day: touched every 20 minutes for 12 hours
        clock.advance(dt.timedelta(minutes=20))
        accounts.session(old)
    clock.advance(dt.timedelta(minutes=1))
    with pytest.raises(SignInRefused, match="登录已过期"):
        accounts.session(old)
    expired = [(k, r) for k, r, _ in log_of(accounts, name) if k == "session_expired"]
    assert expired == [("session_expired", "10.0.0.9"), ("session_expired", None)]


def test_switching_role_only_among_the_grants(accounts: Accounts) -> None:
    name = fresh()
    accounts.add(
        "acc",
        NewAccount(
            name, "赵组长", ("track_group_leader", "supervision_team"), "organization_department", PASSWORD
        ),
    )
    cookie, session = accounts.sign_in(name, PASSWORD)
    assert session.role == "track_group_leader"
    assert accounts.switch_role(cookie, "supervision_team").actor.role == "supervision_team"
    assert accounts.session(cookie).role == "supervision_team"
    with pytest.raises(SignInRefused) as refused:
        accounts.switch_role(cookie, "leading_group_office")
    assert refused.value.reason == "role"
    assert accounts.session(cookie).role == "supervision_team"
    switched = [d["role"] for k, _, d in log_of(accounts, name) if k == "role_switched"]
    assert switched == ["supervision_team"]


# ---------------------------------------------------------------------------- tokens


def test_a_token_is_stored_as_its_sha256_only_and_can_be_revoked(engine: Engine, accounts: Accounts) -> None:
    view, token = accounts.issue_token("acc", "12345 热线", ["responsible"], ["housing_construction_bureau"])
    assert token.startswith("zgt_") and view.prefix == token[:10]
    values = row_values(engine, ApiToken, id=view.id)
    assert hashlib.sha256(token.encode()).hexdigest() in values
    assert not any(token in v for v in values)
    assert accounts.token(token, remote="10.1.1.1").units == ("housing_construction_bureau",)
    with pytest.raises(SignInRefused) as refused:
        accounts.token(token[:-1] + ("A" if token[-1] != "A" else "B"), remote="10.6.6.6")
    assert refused.value.reason == "bad_token"
    assert accounts.revoke_token(view.id, by="admin").revoked
    with pytest.raises(SignInRefused, match="令牌无效或已吊销"):
        accounts.token(token, remote="10.1.1.1")
    log = [e for e in accounts.access_log(limit=10_000) if e["token_id"] == view.id]
    assert [e["kind"] for e in reversed(log)] == ["token_issued", "token_revoked", "token_refused"]
    assert log[0]["remote"] == "10.1.1.1" and log[0]["detail"]["revoked"] is True
    with pytest.raises(InvalidInputError, match="须绑定单位"):
        accounts.issue_token("acc", "无单位", ["responsible"])


# ---------------------------------------------------------------------------- the rule, generated

_STEPS = st.lists(
    st.one_of(st.sampled_from(["right", "wrong"]), st.integers(min_value=1, max_value=20)),
    min_size=1,
    max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_STEPS)
def test_lockout_follows_a_small_model(accounts: Accounts, clock: VirtualClock, steps: list[Any]) -> None:
    """Right and wrong passwords and clock advances (minutes), against the rule: the fifth
    failure in a row locks for 15 minutes; during the lock everything is refused and counts
    nothing; a success clears the count."""
    policy = SignInPolicy()
    name = fresh("p")
    accounts.add("acc", clerk(name))
    failures, locked_until = 0, None
    for step in steps:
        if isinstance(step, int):
            clock.advance(dt.timedelta(minutes=step))
            continue
        now = clock.now()
        if locked_until is not None and locked_until > now:
            expected = "locked"
        elif step == "right":
            expected, failures, locked_until = "ok", 0, None
        else:
            failures += 1
            if failures >= policy.max_failures:
                expected, failures, locked_until = "locked", 0, now + policy.lock
            else:
                expected = "bad_credentials"
        try:
            accounts.sign_in(name, PASSWORD if step == "right" else "wrong-password-1")
            outcome = "ok"
        except SignInRefused as err:
            outcome = err.reason
        assert outcome == expected, (steps, step)
