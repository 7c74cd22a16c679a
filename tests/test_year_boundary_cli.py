"""Issue 12's "done when", through the README's commands: on 2026-12-07 a county starts this
year's campaign, adds its people, assigns items with the 15-working-day rule and with explicit
dates, keeps the scheduler sweeping into January 2027 (the package knows 2026 only), loads the
2027 holiday notice when it is out, recomputes, and adds the person it forgot — whose dead
letters are then delivered. The CLI runs in-process on the system clock, which the test moves
(``SystemClock.now`` patched): nothing else is faked; messages go to the file channel."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from pathlib import Path

import pytest
from zhenggai.adapters.cli import main
from zhenggai.engine import SystemClock

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
YEAR_2027 = Path(__file__).parent / "data" / "calendar_2027.yaml"
OFFICE = ["--actor", "王主任", "--role", "leading_group_office", "--as-unit", "discipline_commission"]
BUREAU = ["--actor", "李科长", "--role", "responsible", "--as-unit", "housing_construction_bureau"]
OPERATOR = ["--actor", "运维张工", "--role", "operator"]


class Now:
    """The system clock, as the test sets it."""

    def __init__(self) -> None:
        self.at = dt.datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI)

    def set(self, day: str, hh: int = 9, mm: int = 0) -> None:
        self.at = dt.datetime.fromisoformat(day).replace(hour=hh, minute=mm, tzinfo=SHANGHAI)


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> Now:
    clock = Now()
    monkeypatch.setattr(SystemClock, "now", lambda self: clock.at.astimezone(dt.UTC))
    for name in ("ZHENGGAI_DB", "ZHENGGAI_ACTOR", "ZHENGGAI_ROLE", "ZHENGGAI_UNIT", "ZHENGGAI_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    return clock


def test_a_county_runs_through_the_new_year(
    now: Now, tmp_path: Path, capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    sent = tmp_path / "sent.jsonl"
    config = tmp_path / "delivery.toml"
    config.write_text(
        f'[file]\npath = "{sent}"\nchannels = ["email", "sms", "wecom", "dingtalk"]\n', encoding="utf-8"
    )

    def zg(*argv: str, code: int = 0) -> str:
        got = main(["--db", db_url, *argv])
        out = capsys.readouterr()
        assert got == code, (argv, out.out, out.err)
        return out.out + out.err

    # 2026-12-07: this year's plan, started now; three phases have ended (warned), the fourth runs.
    out = zg("init", "--to-year", "2026", "--campaign", "xx-2026")
    assert "已启动专项行动: 2026年持续深化作风整顿优化营商环境专项行动" in out
    assert out.count("注意:") >= 3
    zg(
        "contact",
        "add",
        "--unit",
        "discipline_commission",
        "--name",
        "王主任",
        "--contact-role",
        "leading_group_office",
        "--email",
        "office@xx.gov.cn",
        *OFFICE,
    )
    zg(
        "contact",
        "add",
        "--unit",
        "housing_construction_bureau",
        "--name",
        "李科长",
        "--mobile",
        "13800000001",
        *OFFICE,
    )

    def add(title: str) -> int:
        out = zg(
            "item",
            "add",
            "--campaign",
            "xx-2026",
            "--title",
            title,
            "--description",
            f"{title}, 群众反映",
            "--track",
            "construction",
            "--channel",
            "hotline",
            "--json",
            *OFFICE,
        )
        return int(json.loads(out)["id"])

    by_rule, by_date, weekend = add("施工许可审批超时"), add("竣工验收久拖不办"), add("周末到期的问题")
    zg("item", "fire", str(by_rule), "assign", "--unit", "housing_construction_bureau", *OFFICE)
    zg(
        "item",
        "fire",
        str(by_date),
        "assign",
        "--unit",
        "housing_construction_bureau",
        "--due",
        "2026-12-30",
        *OFFICE,
    )
    refused = zg(
        "item",
        "fire",
        str(weekend),
        "assign",
        "--unit",
        "housing_construction_bureau",
        "--due",
        "2026-12-26",
        *OFFICE,
        code=1,
    )
    assert "2026-12-26 (星期六)" in refused and "2026-12-28 (星期一)" in refused
    shown = json.loads(zg("item", "show", str(by_rule), "--json"))["item"]
    assert shown["due"] == "2026-12-28"

    # The scheduler keeps sweeping into January; what waits for 2027 is named, once.
    for day in ("2026-12-21", "2026-12-24", "2026-12-29", "2027-01-04", "2027-01-06"):
        now.set(day, 0, 30)
        zg("run", "--once", "--config", str(config))
    now.set("2027-01-06", 9, 0)
    status = zg("status", "--max-behind", "60", code=1)
    assert "待日历:" in status and "2027 年的节假日安排" in status
    alerts = [
        json.loads(line) for line in sent.read_text(encoding="utf-8").splitlines() if "日历待更新" in line
    ]
    assert len(alerts) == 1 and alerts[0]["to"] == "office@xx.gov.cn"

    # The notice is out: load it, sweep, recompute.
    now.set("2027-01-08", 10, 0)
    out = zg("calendar", "load", str(YEAR_2027), *OPERATOR)
    assert "已载入 2027 年节假日安排" in out and "个已按新日历启用" in out
    now.set("2027-01-08", 10, 5)
    zg("run", "--once", "--config", str(config))
    zg("campaign", "recompute", "--campaign", "xx-2026", *OFFICE)
    assert json.loads(zg("item", "show", str(by_rule), "--json"))["item"]["escalation_level"] == 1
    assert "待日历" not in zg("status")
    zg("status", "--max-behind", "60")

    # The housing bureau's 一把手 was forgotten: the 挂牌督办 SMS to it (only its own unit's
    # 一把手, issue 16) is a dead letter until added.
    dead = json.loads(zg("outbox", "list", "--status", "dead", "--json"))
    missing = "role:unit_principal@housing_construction_bureau"
    assert any(m["recipient"] == missing for m in dead)
    assert not any(m["recipient"] == "role:county_leader" for m in dead)  # no 领衔领导: nobody to tell
    zg(
        "contact",
        "add",
        "--unit",
        "housing_construction_bureau",
        "--name",
        "住建局局长",
        "--contact-role",
        "unit_principal",
        "--mobile",
        "13900000002",
        *OFFICE,
    )
    zg("outbox", "retry", "--all-dead")
    zg("outbox", "send", "--once", "--config", str(config))
    delivered = [json.loads(line) for line in sent.read_text(encoding="utf-8").splitlines()]
    assert any(m["to"] == "13900000002" for m in delivered)
    after = json.loads(zg("outbox", "list", "--status", "dead", "--json"))
    assert not any(m["recipient"] == missing for m in after)
    assert "审计记录完整" in zg("audit", "verify") or "完整" in zg("audit", "verify")


def test_a_plan_into_next_year_starts_once_the_year_is_loaded(
    now: Now, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`init --start 2026-12-07` puts the plan's phases into 2027: refused in one line naming
    `calendar load` while 2027 is unknown (no database left behind), started once the year is
    loaded into the database — `init` checks on the database's calendar."""
    db = str(tmp_path / "zg.db")
    assert main(["--db", db, "init", "--start", "2026-12-07"]) == 1
    err = capsys.readouterr().err
    assert (
        err.startswith("错误: 实施方案 county_2023 按 --start 2026-12-07 重新安排后")
        and "calendar load" in err
    )
    assert len(err.strip().splitlines()) == 1 and not Path(db).exists()
    assert main(["--db", db, "calendar", "load", str(YEAR_2027), *OPERATOR]) == 0
    assert main(["--db", db, "init", "--start", "2026-12-07", "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out[out.index("{") : out.rindex("}") + 1])["definition_id"] == "county_2023"
