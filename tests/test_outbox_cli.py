"""The operators' outbox commands end to end: a delivery config (TOML, the password from an
environment variable), ``zhenggai outbox list | show | send --once | retry`` and ``zhenggai run
--once --config`` against an aiosmtpd server with STARTTLS and AUTH; dead letters visible and
re-queueable; secrets never printed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from zhenggai.adapters.cli import main
from zhenggai.workflows import dump_setup, load_setup

from .test_cli import FUTURE, OFFICE, Run, today, weekends_plan
from .test_dispatch import DATA, PASSWORD, USER, Recorder, smtp_server, with_email_contacts


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ZHENGGAI_DB", "ZHENGGAI_ACTOR", "ZHENGGAI_ROLE", "ZHENGGAI_UNIT", "ZHENGGAI_CONFIG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def env(
    tmp_path: Path,
    smtp: tuple[Recorder, int],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> dict[str, Any]:
    """A database with the weekend-calendar plan whose units have email contacts, and a config."""
    _, port = smtp
    plan = tmp_path / "plan.yaml"
    plan.write_text(dump_setup(with_email_contacts(load_setup(weekends_plan()))), encoding="utf-8")
    config = tmp_path / "delivery.toml"
    config.write_text(
        f"""
[dispatch]
max_attempts = 3
backoff_seconds = 1

[email]
host = "localhost"
port = {port}
security = "starttls"
username = "{USER}"
password_env = "TEST_SMTP_PASSWORD"
sender = "{USER}"
sender_name = "县作风办"
ca_file = "{DATA / "localhost.crt"}"
timeout_seconds = 5
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("TEST_SMTP_PASSWORD", PASSWORD)
    db = str(tmp_path / "zg.db")

    def cli(*argv: str) -> Run:
        code = main(["--db", db, *argv])
        out = capsys.readouterr()
        return Run(code, out.out, out.err)

    assert cli("init", "--definition", str(plan), "--start", today()).code == 0
    return {"cli": cli, "config": str(config), "db": db}


def add_assigned(cli: Any) -> int:
    result = cli(
        "item",
        "add",
        "--title",
        "施工许可审批超时",
        "--description",
        "审批超时",
        "--track",
        "construction",
        "--channel",
        "hotline",
        *OFFICE,
        "--json",
    )
    item = result.json()["id"]
    assert (
        cli(
            "item",
            "fire",
            str(item),
            "assign",
            "--unit",
            "housing_construction_bureau",
            "--due",
            FUTURE,
            *OFFICE,
        ).code
        == 0
    )
    return int(item)


def test_send_list_show_through_the_cli(env: dict[str, Any], smtp: tuple[Recorder, int]) -> None:
    recorder, _ = smtp
    cli = env["cli"]
    add_assigned(cli)
    listed = cli("outbox", "list")
    assert listed.code == 0 and "待发送" in listed.out and "item_assigned" in listed.out
    sent = cli("outbox", "send", "--once", "--config", env["config"])
    assert sent.code == 0, sent.err
    assert "已发送 1 条" in sent.out
    (mail,) = recorder.messages
    assert mail["Subject"] == "【交办】施工许可审批超时"
    rows = cli("outbox", "list", "--json").json()
    assert [r["status"] for r in rows] == ["sent"]
    shown = cli("outbox", "show", str(rows[0]["id"]))
    assert "已发送" in shown.out and "housing_construction_bureau@example.gov.cn" in shown.out
    assert PASSWORD not in shown.out + sent.out + sent.err
    assert cli("outbox", "send", "--config", env["config"]).out.startswith("发送完成: 已发送 0 条")


def test_dead_letters_are_listed_and_requeued(env: dict[str, Any], smtp: tuple[Recorder, int]) -> None:
    recorder, _ = smtp
    cli = env["cli"]
    add_assigned(cli)
    recorder.rcpt_reply = "550 5.1.1 no such user"
    assert "死信 1 条" in cli("outbox", "send", "--once", "--config", env["config"]).out
    dead = cli("outbox", "list", "--status", "dead")
    assert "死信" in dead.out and "550" in dead.out
    refused = cli("outbox", "retry")
    assert refused.code == 1 and "--all-dead" in refused.err
    recorder.rcpt_reply = None
    requeued = cli("outbox", "retry", "--all-dead")
    assert requeued.code == 0 and "已重新排队 1 条死信" in requeued.out
    # A sweep, then a dispatch pass. (The plan's dates are in 2023: the sweep also catches up
    # every phase action and duty reminder since, and they go out by email too.)
    assert cli("run", "--once", "--config", env["config"]).code == 0
    rows = cli("outbox", "list", "--json").json()
    assigned = [r for r in rows if r["kind"] == "item_assigned"]
    assert [r["status"] for r in assigned] == ["sent"]
    assert [m["Subject"] for m in recorder.messages].count("【交办】施工许可审批超时") == 1
    routed = [r for r in rows if r["channel"] != "unrouted"]  # roles here have no contacts
    assert {r["status"] for r in routed} == {"sent"}  # run --once sends everything due
    assert len(recorder.messages) == len(routed)  # each message, once


def test_a_bad_config_is_one_line_naming_the_setting(
    env: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = env["cli"]
    monkeypatch.delenv("TEST_SMTP_PASSWORD")
    missing = cli("outbox", "send", "--once", "--config", env["config"])
    assert missing.code == 1 and "email.password_env" in missing.err and "TEST_SMTP_PASSWORD" in missing.err
    assert len(missing.err.strip().splitlines()) == 1
    bad = tmp_path / "bad.toml"
    bad.write_text(
        "[email]\nhost = 'x'\nsender = 'a@b'\npassword = 'p'\npassword_env = 'Q'\n", encoding="utf-8"
    )
    both = cli("outbox", "send", "--config", str(bad))
    assert both.code == 1 and "只能给出" in both.err and "'p'" not in both.err
    nothing = cli("outbox", "send")
    assert nothing.code == 1 and "ZHENGGAI_CONFIG" in nothing.err


@pytest.mark.parametrize(
    ("text", "setting"),
    [
        ("[emial]\nhost = 'x'\n", "[emial]"),
        ("[email]\nhost = 'x'\nsender = 'a@b'\nport = 70000\n", "email.port"),
        ("[email]\nhost = 'x'\nsender = 'a@b'\nsecurity = 'tls'\n", "email.security"),
        ("[email]\nsender = 'a@b'\n", "email.host"),
        ("[dispatch]\nmax_attempts = 0\n", "dispatch.max_attempts"),
        ("[sms]\nprovider = 'huawei'\n", "sms.provider"),
        ("[file]\nchannels = ['sms']\n", "file.path"),
        ("[email\nhost = 'x'\n", "TOML"),
    ],
)
def test_every_bad_config_names_its_setting(tmp_path: Path, text: str, setting: str) -> None:
    from zhenggai.engine import ConfigError
    from zhenggai.notifications.config import load_config

    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert setting in str(err.value)
