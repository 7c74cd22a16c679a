"""``zhenggai account`` and ``zhenggai token`` end to end through the real ``main``: passwords
and tokens printed once (the list never shows them), names resolved, an import refused as a
whole with its row, the roster seeding, the access log in Chinese, and the one line said when
the web extra is missing. One database per module."""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from zhenggai.adapters.cli import main
from zhenggai.engine import Accounts, Engine, NewContact
from zhenggai.engine import _accounts as accounts_module
from zhenggai.engine.views import Actor
from zhenggai.workflows import load_setup

from .test_cli import Run

OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
Cli = Callable[..., Run]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ZHENGGAI_DB", "ZHENGGAI_ACTOR", "ZHENGGAI_ROLE", "ZHENGGAI_UNIT", "ZHENGGAI_CONFIG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from argon2 import PasswordHasher

    path = str(tmp_path_factory.mktemp("acli") / "zg.db")
    engine = Engine(path)
    try:
        engine.start_campaign(load_setup("county_2023"), key="cli")
        engine.add_contact(
            "cli", OFFICE, NewContact(unit="commerce_bureau", name="周科长", mobile="13900000011")
        )
        engine.add_contact(
            "cli",
            OFFICE,
            NewContact(unit="government_office", name="钱副县长", role="county_leader", email="q@x.gov.cn"),
        )
    finally:
        engine.dispose()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            accounts_module, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
        )
        yield path


@pytest.fixture
def cli(db: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    def run(*argv: str) -> Run:
        code = main(["--db", db, *argv])
        out = capsys.readouterr()
        return Run(code, out.out, out.err)

    return run


def password_of(out: str) -> str:
    match = re.search(r"密码: (\S+)", out)
    assert match, out
    return match.group(1)


def sign_in_works(db: str, username: str, password: str) -> bool:
    engine = Engine(db)
    try:
        Accounts(engine).sign_in(username, password)
        return True
    except Exception:  # noqa: BLE001
        return False
    finally:
        engine.dispose()


def test_account_add_by_chinese_names_prints_the_password_once(cli: Cli, db: str) -> None:
    added = cli(
        "account", "add", "--username", "li", "--name", "李科长", "--role", "责任单位", "--unit", "县住建局"
    )
    assert added.code == 0, added.err
    assert "已添加账号 li" in added.out and "只显示这一次" in added.out
    password = password_of(added.out)
    assert sign_in_works(db, "li", password)
    listed = cli("account", "list")
    assert "li" in listed.out and "县住建局" in listed.out and "责任单位" in listed.out
    assert password not in listed.out
    rows = cli("account", "list", "--json").json()
    assert {
        "username": "li",
        "roles": ["responsible"],
        "unit": "housing_construction_bureau",
    }.items() <= next(r for r in rows if r["username"] == "li").items()


def test_account_add_refusals_are_one_chinese_line(cli: Cli) -> None:
    for argv, words in (
        (("--username", "x1", "--name", "某", "--role", "县长"), "未知角色「县长」"),
        (("--username", "x1", "--name", "某", "--role", "responsible"), "须绑定单位"),
        (("--username", "x1", "--name", "某", "--role", "responsible", "--unit", "县外星局"), "未知单位"),
    ):
        refused = cli("account", "add", *argv)
        assert refused.code == 1 and refused.err.startswith("错误: ") and words in refused.err
    assert "x1" not in json.dumps(cli("account", "list", "--json").json())


def test_password_stdin_and_reset(cli: Cli, db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("given-password-9\n"))
    added = cli(
        "account", "add", "--username", "op", "--name", "管理员", "--role", "系统管理员", "--password-stdin"
    )
    assert added.code == 0 and "given-password-9" not in added.out and "密码:" not in added.out
    assert sign_in_works(db, "op", "given-password-9")
    reset = cli("account", "reset", "op")
    assert reset.code == 0 and "只显示这一次" in reset.out
    new = re.search(r"新密码: (\S+)", reset.out).group(1)  # type: ignore[union-attr]
    assert not sign_in_works(db, "op", "given-password-9") and sign_in_works(db, "op", new)


def test_disable_enable_and_the_access_log(cli: Cli, db: str) -> None:
    password = password_of(
        cli(
            "account",
            "add",
            "--username",
            "zhou",
            "--name",
            "周科长",
            "--role",
            "responsible",
            "--unit",
            "commerce_bureau",
        ).out
    )
    assert cli("account", "disable", "zhou").code == 0
    assert not sign_in_works(db, "zhou", password)
    assert "已停用" in cli("account", "list").out
    assert cli("account", "enable", "zhou").code == 0
    assert sign_in_works(db, "zhou", password)
    log = cli("account", "log", "--limit", "5")
    assert log.code == 0
    lines = log.out.splitlines()
    assert "登录" in lines[2] and "zhou" in lines[2]
    assert any("登录失败" in line and "账号已停用" in line for line in lines)
    assert any("启用账号" in line and "由 命令行" in line for line in lines)
    assert cli("account", "disable", "nobody").code == 1


def test_import_is_all_or_none_with_the_row_number(cli: Cli, db: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "用户名,姓名,角色,单位\nimp1,甲,责任单位,县住建局\nimp2,乙,责任单位、督查工作组,县外星局\nimp3,丙,领导小组办公室,\n",
        encoding="utf-8",
    )
    refused = cli("account", "import", str(bad))
    assert refused.code == 1 and "第3行 [单位]" in refused.err and "未知单位" in refused.err
    assert "imp1" not in cli("account", "list").out
    assert cli("account", "add", "--username", "early", "--name", "戊", "--role", "operator").code == 0
    taken = tmp_path / "taken.csv"
    taken.write_text(
        "用户名,姓名,角色,单位\nimp1,甲,责任单位,县住建局\nearly,乙,责任单位,县住建局\n", encoding="utf-8"
    )
    refused = cli("account", "import", str(taken))
    assert refused.code == 1 and "第3行" in refused.err and "用户名已存在" in refused.err
    assert "imp1" not in cli("account", "list").out
    good = tmp_path / "good.csv"
    good.write_text(
        '用户名,姓名,角色,单位\nimp1,甲,责任单位,县住建局\nimp2,乙,"督查工作组,县四套班子领导",县委组织部\n',
        encoding="utf-8",
    )
    done = cli("account", "import", str(good))
    assert done.code == 0, done.err
    assert "已添加 2 个账号" in done.out and "只显示这一次" in done.out
    table = {line.split()[0]: line.split()[-1] for line in done.out.splitlines() if line.startswith("imp")}
    assert sign_in_works(db, "imp2", table["imp2"])
    roles = next(r for r in cli("account", "list", "--json").json() if r["username"] == "imp2")["roles"]
    assert roles == ["supervision_team", "county_leader"]


def test_import_passwords_out_writes_a_private_new_file(cli: Cli, db: str, tmp_path: Path) -> None:
    sheet = tmp_path / "a.csv"
    sheet.write_text("用户名,姓名,角色,单位\nfile1,丁,责任单位,县商务局\n", encoding="utf-8")
    out = tmp_path / "passwords.csv"
    done = cli("account", "import", str(sheet), "--passwords-out", str(out))
    assert done.code == 0 and str(out) in done.out
    (row,) = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert row["用户名"] == "file1" and row["密码"] not in done.out
    assert os.stat(out).st_mode & 0o777 == 0o600
    assert sign_in_works(db, "file1", row["密码"])
    again = cli("account", "import", str(sheet), "--passwords-out", str(out))
    assert again.code == 1 and "已存在" in again.err


def test_import_from_the_roster_makes_one_account_per_contact(cli: Cli, db: str) -> None:
    done = cli("account", "import", "--from-roster")
    assert done.code == 0, done.err
    assert "13900000011" in done.out and "q@x.gov.cn" in done.out
    rows = {r["username"]: r for r in cli("account", "list", "--json").json()}
    assert (
        rows["13900000011"]["roles"] == ["responsible"] and rows["13900000011"]["unit"] == "commerce_bureau"
    )
    assert rows["q@x.gov.cn"]["roles"] == ["county_leader"]
    again = cli("account", "import", "--from-roster")
    assert again.code == 0 and "都已有账号" in again.out


def test_tokens_are_printed_once_listed_by_prefix_and_revoked(cli: Cli, db: str) -> None:
    issued = cli(
        "token",
        "add",
        "--name",
        "12345热线",
        "--role",
        "责任单位",
        "--unit",
        "县住建局",
        "--unit",
        "commerce_bureau",
    )
    assert issued.code == 0, issued.err
    token = re.search(r"令牌: (zgt_\S+)", issued.out).group(1)  # type: ignore[union-attr]
    listed = cli("token", "list")
    assert token not in listed.out and token[:10] + "…" in listed.out and "县住建局、县商务局" in listed.out
    (row,) = cli("token", "list", "--json").json()
    assert row["units"] == ["housing_construction_bureau", "commerce_bureau"] and "token" not in row
    assert cli("token", "revoke", str(row["id"])).code == 0
    assert "已吊销" in cli("token", "list").out
    assert cli("token", "revoke", "999").code == 1


def test_without_the_web_extra_account_and_serve_say_what_to_install(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "argon2", None)  # import argon2 → ImportError
    for argv in (("account", "add", "--username", "y", "--name", "某", "--role", "operator"), ("serve",)):
        refused = cli(*argv)
        assert refused.code == 1
        assert refused.err.strip().count("\n") == 0
        assert "pip install 'zhenggai[web]'" in refused.err
