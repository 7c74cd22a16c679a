"""The operator's pages (issue 18 point 3): overview, roster, accounts, tokens, calendar years,
dead letters — each page, each act, and the refusals (not the operator: 403; no session: to the
sign-in page; no or a wrong CSRF token: 403; bad input: one Chinese message, nothing changed).

One app and SQLite database for the module (the accounts and pages are the foundation's storage,
tested on both backends there); each test makes what it changes its own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from zhenggai.adapters.web import WebSettings, create_app
from zhenggai.engine import (
    AccountNotFound,
    Accounts,
    Engine,
    NewAccount,
    NewContact,
    SignInRefused,
    VirtualClock,
)
from zhenggai.testing import DEFAULT_START
from zhenggai.workflows import load_setup

from .conftest import Actors, today_plus

CAMPAIGN = "xx"
UNIT = "housing_construction_bureau"
DATA = Path(__file__).parent / "data"
PAGES = ("/admin", "/admin/roster", "/admin/accounts", "/admin/tokens", "/admin/calendar", "/admin/outbox")


@dataclass
class Site:
    engine: Engine
    accounts: Accounts
    app: object
    admin: TestClient
    admin_csrf: str
    clerk: TestClient
    clerk_csrf: str
    passwords: dict[str, str]

    def client(self) -> TestClient:
        return TestClient(self.app)  # type: ignore[arg-type]

    def sign_in(self, username: str, password: str | None = None) -> tuple[TestClient, str]:
        client = self.client()
        answer = client.post(
            "/login",
            data={"username": username, "password": password or self.passwords[username]},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        # Every page (the 403 page too) carries the session's token in its sign-out form.
        return client, csrf_of(client.get("/admin").text)


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("admin")
    engine = Engine(f"sqlite:///{folder / 'z.db'}", clock=VirtualClock(DEFAULT_START))
    engine.start_campaign(load_setup("county_2023"), key=CAMPAIGN)
    accounts = Accounts(engine)
    passwords = {}
    for entry in (
        NewAccount("admin", "王运维", ("operator", "leading_group_office")),
        NewAccount("plainop", "孙运维", ("operator",)),
        NewAccount("li", "李科长", ("responsible",), UNIT),
    ):
        passwords[entry.username] = accounts.add(CAMPAIGN, entry)[1]
    app = create_app(engine, WebSettings(CAMPAIGN))
    site = Site(engine, accounts, app, None, "", None, "", passwords)  # type: ignore[arg-type]
    site.admin, site.admin_csrf = site.sign_in("admin")
    site.clerk, site.clerk_csrf = site.sign_in("li")
    try:
        yield site
    finally:
        engine.dispose()


def post(site: Site, path: str, data: dict[str, object] | None = None, **kw: object) -> object:
    return site.admin.post(path, data={"csrf_token": site.admin_csrf, **(data or {})}, **kw)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ refusals


def test_every_admin_page_is_refused_to_a_unit_clerk_and_to_nobody(site: Site) -> None:
    for path in PAGES:
        refused = site.clerk.get(path)
        assert refused.status_code == 403, path
        assert "仅系统管理员" in refused.text and "李科长" in refused.text
    anonymous = site.client()
    for path in PAGES:
        answer = anonymous.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith(f"/login?next={path}")


def test_a_clerk_cannot_act_as_the_operator_even_with_its_own_csrf_token(site: Site) -> None:
    before = len(site.accounts.accounts(CAMPAIGN))
    refused = site.clerk.post(
        "/admin/accounts",
        data={
            "csrf_token": site.clerk_csrf,
            "username": "mole",
            "display_name": "内鬼",
            "roles": ["operator"],
        },
    )
    assert refused.status_code == 403 and "仅系统管理员" in refused.text
    refused = site.clerk.post("/admin/accounts/admin/disable", data={"csrf_token": site.clerk_csrf})
    assert refused.status_code == 403
    assert len(site.accounts.accounts(CAMPAIGN)) == before
    assert not site.accounts.account("admin").disabled


def test_a_form_without_or_with_a_wrong_csrf_token_is_refused_and_changes_nothing(site: Site) -> None:
    before = len(site.accounts.accounts(CAMPAIGN))
    data = {"username": "forged", "display_name": "伪造", "roles": ["leading_group_office"]}
    missing = site.admin.post("/admin/accounts", data=data)
    wrong = site.admin.post("/admin/accounts", data={**data, "csrf_token": "x" * 43})
    other = site.admin.post("/admin/accounts", data={**data, "csrf_token": site.clerk_csrf})
    for answer in (missing, wrong, other):
        assert answer.status_code == 403
        assert "操作未完成" in answer.text
    revoke = site.admin.post("/admin/tokens/1/revoke")
    assert revoke.status_code == 403
    assert len(site.accounts.accounts(CAMPAIGN)) == before
    with pytest.raises(AccountNotFound):
        site.accounts.account("forged")


# ------------------------------------------------------------------------------ pages


def test_the_overview_counts_what_needs_the_operator(site: Site) -> None:
    page = site.admin.get("/admin")
    assert page.status_code == 200
    text = page.text
    assert "运维管理" in text and "活动标识 xx" in text
    assert f"账号 {len(site.accounts.accounts(CAMPAIGN))} 个" in text
    assert "无人可接收消息" in text  # the built-in plan's roster starts empty
    assert "以「县干部作风整顿领导小组办公室」身份维护" in text
    assert 'href="/admin/outbox"' in text and 'href="/admin/calendar"' in text
    assert '<a href="/admin" aria-current="page">运维管理</a>' in text  # the operator's menu


# ------------------------------------------------------------------------------ accounts


def test_add_an_account_shows_its_password_once_and_it_signs_in(site: Site) -> None:
    added = post(
        site,
        "/admin/accounts",
        {"username": "zhao", "display_name": "赵干事", "roles": ["responsible"], "unit": UNIT},
    )
    assert added.status_code == 200  # type: ignore[attr-defined]
    assert added.headers["cache-control"] == "no-store"  # type: ignore[attr-defined]
    password = re.search(r'id="shown-password">([^<]+)<', added.text).group(1)  # type: ignore[attr-defined,union-attr]
    assert "已新增账号 zhao (赵干事)" in added.text  # type: ignore[attr-defined]
    account = site.accounts.account("zhao")
    assert (account.roles, account.unit, account.campaign) == (("responsible",), UNIT, CAMPAIGN)
    client, _ = site.sign_in("zhao", password)
    assert client.get("/", follow_redirects=False).headers["location"] == "/inbox"
    assert client.get("/admin").status_code == 403
    again = site.admin.get("/admin/accounts")
    assert password not in again.text and "zhao" in again.text and "赵干事" in again.text
    log = again.text[again.text.index("访问日志") :]
    assert "新增账号" in log and "操作人 admin" in log and "登录" in log


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"username": "bad one", "display_name": "某人", "roles": ["responsible"], "unit": UNIT},
            "不能含空格",
        ),
        ({"username": "nounit", "display_name": "某人", "roles": ["responsible"]}, "须绑定单位"),
        ({"username": "noroles", "display_name": "某人"}, "至少授予一个角色"),
        ({"username": "admin", "display_name": "重名", "roles": ["leading_group_office"]}, "用户名已存在"),
        ({"username": "norole", "display_name": "某人", "roles": ["emperor"]}, "实施方案中没有角色"),
    ],
)
def test_a_bad_account_is_refused_with_one_chinese_message_and_nothing_added(
    site: Site, data: dict[str, object], message: str
) -> None:
    before = site.accounts.accounts(CAMPAIGN)
    refused = post(site, "/admin/accounts", data)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    errors = re.findall(r'<p class="flash error" role="alert">([^<]+)</p>', refused.text)  # type: ignore[attr-defined]
    assert len(errors) == 1 and message in errors[0]
    assert "shown-password" not in refused.text  # type: ignore[attr-defined]
    assert site.accounts.accounts(CAMPAIGN) == before


def test_disable_ends_the_sessions_enable_and_reset_show_the_new_password_once(site: Site) -> None:
    site.accounts.add(
        CAMPAIGN, NewAccount("qian", "钱科员", ("responsible",), UNIT, password="first-pass-123")
    )
    client, _ = site.sign_in("qian", "first-pass-123")
    assert client.get("/admin", follow_redirects=False).status_code == 403  # signed in
    disabled = post(site, "/admin/accounts/qian/disable")
    assert disabled.status_code == 200 and "已停用账号 qian" in disabled.text  # type: ignore[attr-defined]
    assert site.accounts.account("qian").disabled
    assert client.get("/admin", follow_redirects=False).headers["location"].startswith("/login")
    with pytest.raises(SignInRefused):
        site.accounts.sign_in("qian", "first-pass-123")
    enabled = post(site, "/admin/accounts/qian/enable")
    assert "已启用账号 qian" in enabled.text and not site.accounts.account("qian").disabled  # type: ignore[attr-defined]
    reset = post(site, "/admin/accounts/qian/reset")
    assert reset.headers["cache-control"] == "no-store"  # type: ignore[attr-defined]
    new = re.search(r'id="shown-password">([^<]+)<', reset.text).group(1)  # type: ignore[attr-defined,union-attr]
    with pytest.raises(SignInRefused):
        site.accounts.sign_in("qian", "first-pass-123")
    site.sign_in("qian", new)
    kinds = [e["kind"] for e in site.accounts.access_log(limit=20) if e["username"] == "qian"]
    assert {"account_disabled", "account_enabled", "password_reset"} <= set(kinds)


def test_the_operator_cannot_disable_itself_nor_an_unknown_account(site: Site) -> None:
    itself = post(site, "/admin/accounts/admin/disable")
    assert itself.status_code == 422 and "不能停用自己" in itself.text  # type: ignore[attr-defined]
    assert not site.accounts.account("admin").disabled
    unknown = post(site, "/admin/accounts/nobody/reset")
    assert unknown.status_code == 404 and "nobody" in unknown.text  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------ tokens


def test_issue_a_token_shown_once_then_revoke_it(site: Site) -> None:
    issued = post(
        site, "/admin/tokens", {"name": "县12345平台", "roles": ["leading_group_office"], "units": [UNIT]}
    )
    assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"  # type: ignore[attr-defined]
    secret = re.search(r'id="shown-token">(zgt_[^<]+)<', issued.text).group(1)  # type: ignore[attr-defined,union-attr]
    token = site.accounts.token(secret)
    assert (token.name, token.roles, token.units) == ("县12345平台", ("leading_group_office",), (UNIT,))
    listed = site.admin.get("/admin/tokens").text
    assert secret not in listed and token.prefix in listed and "县12345平台" in listed
    revoked = post(site, f"/admin/tokens/{token.id}/revoke")
    assert "已吊销令牌「县12345平台」" in revoked.text  # type: ignore[attr-defined]
    with pytest.raises(SignInRefused):
        site.accounts.token(secret)
    unknown = post(site, "/admin/tokens/9999/revoke")
    assert unknown.status_code == 404 and "没有编号为 9999 的令牌" in unknown.text  # type: ignore[attr-defined]


def test_a_bad_token_is_refused_and_none_issued(site: Site) -> None:
    before = site.accounts.tokens(CAMPAIGN)
    for data, message in (
        ({"name": "", "roles": ["leading_group_office"]}, "令牌名称不能为空"),
        ({"name": "无角色"}, "至少授予一个角色"),
        ({"name": "坏单位", "roles": ["responsible"], "units": ["atlantis"]}, "活动中没有单位"),
    ):
        refused = post(site, "/admin/tokens", data)
        assert refused.status_code == 422 and message in refused.text  # type: ignore[attr-defined]
        assert "shown-token" not in refused.text  # type: ignore[attr-defined]
    assert site.accounts.tokens(CAMPAIGN) == before


# ------------------------------------------------------------------------------ roster


def test_add_change_and_remove_a_contact_in_the_office_role(site: Site) -> None:
    added = post(
        site,
        "/admin/roster",
        {
            "unit": "finance_bureau",
            "name": "周会计",
            "mobile": "13800138000",
            "channels": ["sms", "email"],
            "email": "zhou@example.gov.cn",
        },
    )
    assert added.status_code == 200 and "已添加联系人 周会计" in added.text  # type: ignore[attr-defined]
    contact = next(c for c in site.engine.contacts(CAMPAIGN) if c.name == "周会计")
    assert (contact.unit, contact.role, contact.mobile, contact.channels) == (
        "finance_bureau",
        "contact",
        "13800138000",
        ("sms", "email"),
    )
    listed = site.admin.get("/admin/roster").text
    assert "138****8000" in listed and "13800138000" not in listed and "z***@example.gov.cn" in listed
    page = site.admin.get(f"/admin/roster/{contact.id}").text
    assert 'value="13800138000"' in page
    changed = post(
        site,
        f"/admin/roster/{contact.id}",
        {
            "unit": "finance_bureau",
            "name": "周会计",
            "role": "contact",
            "mobile": "13900139000",
            "email": "",
            "channels": ["sms"],
        },
    )
    assert "已修改联系人 周会计" in changed.text  # type: ignore[attr-defined]
    now = site.engine.contact(contact.id)
    assert (now.mobile, now.email, now.channels) == ("13900139000", None, ("sms",))
    removed = post(site, f"/admin/roster/{contact.id}/remove")
    assert "已移除联系人 周会计" in removed.text  # type: ignore[attr-defined]
    assert site.engine.contact(contact.id).removed_at is not None
    assert contact.id not in {c.id for c in site.engine.contacts(CAMPAIGN)}


def test_a_bad_contact_is_refused_and_nothing_added(site: Site) -> None:
    before = site.engine.contacts(CAMPAIGN)
    for data in (
        {"unit": "finance_bureau", "name": "吴某", "mobile": "12345"},
        {"unit": "finance_bureau", "name": "吴某"},
        {"unit": "", "name": "吴某", "mobile": "13800138001"},
    ):
        refused = post(site, "/admin/roster", data)
        assert refused.status_code in (404, 422)  # type: ignore[attr-defined]
        errors = re.findall(r'<p class="flash error" role="alert">([^<]+)</p>', refused.text)  # type: ignore[attr-defined]
        assert len(errors) == 1 and re.search(r"[\u4e00-\u9fff]", errors[0])
        assert 'value="吴某"' in refused.text  # type: ignore[attr-defined]  # the form keeps what was typed
    assert site.engine.contacts(CAMPAIGN) == before


def test_an_operator_without_a_roster_role_sees_the_roster_read_only(site: Site) -> None:
    site.engine.add_contact(
        CAMPAIGN, Actors.office, NewContact(unit="audit_bureau", name="郑审计", mobile="13700137000")
    )
    client, csrf = site.sign_in("plainop")
    page = client.get("/admin/roster").text
    assert "只能查看" in page and "郑审计" in page and "添加联系人</button>" not in page
    before = site.engine.contacts(CAMPAIGN)
    refused = client.post(
        "/admin/roster",
        data={"csrf_token": csrf, "unit": "audit_bureau", "name": "冯某", "mobile": "13700137001"},
    )
    assert refused.status_code == 422 and "未授予可维护通讯录的角色" in refused.text
    assert site.engine.contacts(CAMPAIGN) == before


# ------------------------------------------------------------------------------ calendar


def test_the_calendar_lists_years_and_loads_one_from_an_upload(site: Site) -> None:
    page = site.admin.get("/admin/calendar").text
    assert re.search(r"<td>2004-2026</td><td>内置</td><td>使用中</td>", page)
    assert "缺少" not in page  # 2023 and 2024 are known
    assert 2027 not in {v.year for v in site.engine.calendar_years()}
    bad = post(
        site,
        "/admin/calendar",
        files={"file": ("2027.yaml", b"zhenggai_calendar: 1\nyear: 2027\n", "text/yaml")},
    )
    assert bad.status_code == 422 and "日历文件有误" in bad.text and "2027.yaml" in bad.text  # type: ignore[attr-defined]
    assert "/tmp" not in bad.text and "zg-calendar" not in bad.text  # type: ignore[attr-defined]
    empty = post(site, "/admin/calendar")
    assert empty.status_code == 422 and "请选择节假日安排文件" in empty.text  # type: ignore[attr-defined]
    assert 2027 not in {v.year for v in site.engine.calendar_years()}
    loaded = post(
        site,
        "/admin/calendar",
        files={"file": ("calendar_2027.yaml", (DATA / "calendar_2027.yaml").read_bytes(), "text/yaml")},
    )
    assert loaded.status_code == 200 and "已载入 2027 年节假日安排" in loaded.text  # type: ignore[attr-defined]
    assert re.search(r"<td>2027</td><td>载入</td><td>使用中</td><td>[^<]*王运维 于", loaded.text)  # type: ignore[attr-defined]
    view = site.engine.calendar_year(2027)
    assert view.origin == "loaded" and view.loaded_by == "王运维"
    again = post(
        site,
        "/admin/calendar",
        files={"file": ("calendar_2027.yaml", (DATA / "calendar_2027.yaml").read_bytes(), "text/yaml")},
    )
    assert again.status_code == 422 and "2027" in again.text  # type: ignore[attr-defined]  # replace not ticked


# ------------------------------------------------------------------------------ outbox


def test_dead_letters_are_listed_with_their_error_and_one_is_requeued(site: Site) -> None:
    unit = "water_resources_bureau"
    item = site.engine.report(
        CAMPAIGN,
        Actors.office,
        title="取水许可审批超时",
        description="超过时限",
        track="construction",
        channel="hotline",
    ).id
    site.engine.assign(item, Actors.office, unit=unit, due=today_plus(30))
    dead = [m for m in site.engine.outbox(CAMPAIGN, status="dead") if m.item_id == item]
    assert dead and dead[0].last_error
    page = site.admin.get("/admin/outbox").text
    assert f"重发消息 {dead[0].id}" in page and dead[0].last_error in page
    site.engine.add_contact(
        CAMPAIGN, Actors.office, NewContact(unit=unit, name="陈水利", mobile="13600136000")
    )
    requeued = post(site, f"/admin/outbox/{dead[0].id}/retry")
    assert f"已重新排队消息 {dead[0].id}" in requeued.text  # type: ignore[attr-defined]
    assert site.engine.outbox_message(dead[0].id).status != "dead"
    not_dead = post(site, f"/admin/outbox/{dead[0].id}/retry")
    assert not_dead.status_code == 404 and "不是本专项行动的死信" in not_dead.text  # type: ignore[attr-defined]
    everything = post(site, "/admin/outbox/retry")
    assert everything.status_code == 200 and (
        "已重新排队" in everything.text or "没有死信" in everything.text
    )  # type: ignore[attr-defined]


def test_the_calendar_says_which_of_this_year_and_next_is_missing(tmp_path: Path) -> None:
    clock = VirtualClock(DEFAULT_START)
    engine = Engine(f"sqlite:///{tmp_path / 'z.db'}", clock=clock)
    try:
        engine.start_campaign(load_setup("county_2023"), key=CAMPAIGN)
        clock.set(dt.datetime(2026, 12, 1, 1, tzinfo=dt.UTC))
        _, password = Accounts(engine).add(CAMPAIGN, NewAccount("op", "运维", ("operator",)))
        client = TestClient(create_app(engine, WebSettings(CAMPAIGN)))
        client.post("/login", data={"username": "op", "password": password})
        page = client.get("/admin/calendar").text
        assert "缺少 2027 年的节假日安排" in page and "已有至 2026 年" in page
        assert "节假日安排已有至 2026 年" in client.get("/admin").text
    finally:
        engine.dispose()
