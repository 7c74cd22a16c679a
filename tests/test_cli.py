"""The ``zhenggai`` command line: commands, Chinese output, --json, exit codes, lazy imports.

Most tests call ``main(argv)`` in-process; a few run the installed console script in a real
subprocess. The full lifecycle runs on SQLite and on PostgreSQL (``db_url``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import unicodedata
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from zhenggai.adapters import _commands
from zhenggai.adapters._tables import display_width, format_date, format_time, pad, render_table, truncate
from zhenggai.adapters.cli import main
from zhenggai.engine import Engine
from zhenggai.workflows import builtin_path

from tests.conftest import DemoRun

# The CLI runs on the system clock, so due dates lie far ahead: in 2099, a year the statutory
# holiday data does not cover, so the campaigns here count working days Monday to Friday
# (WEEKENDS_PLAN: the built-in plan with ``calendar: {base: weekends}``).
FUTURE = "2099-08-17"  # a Monday
FUTURE_TEXT = "2099年8月17日(星期一)"
OFFICE = ["--actor", "王主任", "--role", "leading_group_office", "--as-unit", "discipline_commission"]
BUREAU = ["--actor", "李科长", "--role", "responsible", "--as-unit", "housing_construction_bureau"]
SUPERVISION = ["--actor", "督查一组", "--role", "supervision_team", "--as-unit", "organization_department"]
ENV_NAMES = ("ZHENGGAI_DB", "ZHENGGAI_ACTOR", "ZHENGGAI_ROLE", "ZHENGGAI_UNIT", "ZHENGGAI_DEBUG")
HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "transitions", "pydantic")
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Cli = Callable[..., Run]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run ``zhenggai ARGS`` in-process; returns exit code, stdout and stderr."""

    def run(*argv: str) -> Run:
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A SQLite file path (plain path, as an official would type it)."""
    return str(tmp_path / "zhenggai.db")


def _script() -> str:
    found = shutil.which("zhenggai") or str(Path(sys.executable).with_name("zhenggai"))
    if not Path(found).exists():
        pytest.fail("the zhenggai console script is not installed next to the interpreter or on PATH")
    return found


def run_script(*argv: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    """Run the installed ``zhenggai`` console script in a subprocess."""
    full_env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    full_env.update(env or {})
    proc = subprocess.run(
        [_script(), *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=full_env,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


@functools.cache
def weekends_plan() -> str:
    """The built-in plan with working days Monday to Friday in any year (see FUTURE), as a file
    for the whole run."""
    text = builtin_path("county_2023").read_text(encoding="utf-8")
    assert "calendar:\n  base: cn_statutory" in text
    text = text.replace("calendar:\n  base: cn_statutory", "calendar:\n  base: weekends")
    path = Path(tempfile.mkdtemp(prefix="zg-cli-")) / "county_2023_weekends.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def today() -> str:
    """Today in the plan's timezone, by the real clock (the CLI's): ``init`` refuses a plan whose
    phases have all ended, so the CLI tests start the built-in plan re-dated to today."""
    return dt.datetime.now(SHANGHAI).date().isoformat()


def dated_now() -> tuple[str, ...]:
    """``init`` options for the built-in plan on the weekend calendar, re-dated to start today
    (any year: the weekend calendar knows them all)."""
    return ("--definition", weekends_plan(), "--start", today())


def init(cli: Cli, db: str, *extra: str) -> Run:
    """``zhenggai init`` of the built-in plan on the weekend calendar, started today (or what
    ``extra`` says)."""
    if "--definition" not in extra:
        extra = (*extra, "--definition", weekends_plan())
    if "--start" not in extra and "--to-year" not in extra:
        extra = (*extra, "--start", today())
    result = cli("--db", db, "init", *extra)
    assert result.code == 0, result.err
    return result


def add_item(cli: Cli, db: str, title: str = "施工许可审批超时", *extra: str) -> int:
    result = cli(
        "--db",
        db,
        "item",
        "add",
        "--title",
        title,
        "--description",
        "某项目施工许可审批超过承诺时限",
        "--track",
        "construction",
        "--channel",
        "hotline",
        *OFFICE,
        *extra,
        "--json",
    )
    assert result.code == 0, result.err
    item_id = result.json()["id"]
    assert isinstance(item_id, int)
    return item_id


def reporter_config(cli: Cli, folder: Path) -> str:
    """A configuration file whose [reporter] key is a new key file (``reporter keygen``)."""
    key = folder / "reporter.key"
    assert cli("reporter", "keygen", "--out", str(key)).code == 0
    config = folder / "zhenggai.toml"
    config.write_text(f'[reporter]\nkey_file = "{key}"\n', encoding="utf-8")
    return str(config)


def fire(cli: Cli, db: str, item_id: int, trigger: str, *extra: str) -> Run:
    result = cli("--db", db, "item", "fire", str(item_id), trigger, *extra)
    assert result.code == 0, result.err
    return result


def add_measure(cli: Cli, db: str, item_id: int, text: str = "七个工作日内办结") -> int:
    result = cli("--db", db, "item", "measure", "add", str(item_id), "--text", text, *BUREAU, "--json")
    assert result.code == 0, result.err
    measure_id = result.json()["id"]
    assert isinstance(measure_id, int)
    return measure_id


def columns(text: str) -> int:
    """Terminal columns of ``text``, computed here independently of the code under test."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def snapshot(db: str) -> dict[str, Any]:
    """Everything a refused command must leave unchanged: items, measures, audit events."""
    with Engine(db) as engine:
        items = engine.items()
        return {
            "items": [i.to_dict() for i in items],
            "measures": [m.to_dict() for i in items for m in engine.measures(i.id)],
            "events": [e.hash for e in engine.events()],
            "outbox": [o.idempotency_key for o in engine.outbox()],
        }


# ---------------------------------------------------------------------------------- _tables


def test_display_width_counts_cjk_as_two_columns() -> None:
    """Wide (CJK) characters take two columns, ASCII one, combining marks none."""
    assert display_width("整改") == 4
    assert display_width("a整b") == 4
    assert display_width("e\u0301") == 1
    assert display_width("（全角）") == 8


def test_pad_truncate_and_table_align_by_display_width() -> None:
    """Padding and truncation count display columns, so a table lines up with Chinese text."""
    assert pad("整改", 6) == "整改  "
    assert pad("12", 4, ">") == "  12"
    assert truncate("施工许可审批超时两个月", 10) == "施工许..."
    assert truncate("施工许可审批超时两个月", 11) == "施工许可..."
    assert truncate("短标题", 10) == "短标题"
    table = render_table(
        ["编号", "名称"], [["1", "县住建局"], ["22", "XX高新区"]], aligns=[">", "<"]
    ).splitlines()
    starts = {
        display_width(line[: line.index(name)])
        for line, name in zip(table[2:], ["县住建局", "XX高新区"], strict=True)
    }
    assert starts == {display_width(table[0][: table[0].index("名称")])}


def test_dates_read_as_officials_write_them() -> None:
    """Dates as 2023年8月15日(星期二); times in the campaign's timezone."""
    assert format_date(dt.date(2023, 8, 15)) == "2023年8月15日(星期二)"
    assert format_date(dt.date(2023, 7, 2)) == "2023年7月2日(星期日)"
    assert format_time(dt.datetime(2023, 7, 3, 1, 0, tzinfo=dt.UTC), SHANGHAI) == "2023年7月3日(星期一) 09:00"
    assert (
        format_time(dt.datetime(2023, 7, 3, 17, 30, tzinfo=dt.UTC), SHANGHAI) == "2023年7月4日(星期二) 01:30"
    )


# ------------------------------------------------------------------------------------- init


def test_init_starts_the_builtin_campaign_and_prints_a_chinese_summary(cli: Cli, db: str) -> None:
    """init creates the schema, starts county_2023 and names title, county, units and tracks."""
    out = init(cli, db).out
    assert f"已启动专项行动: {today()[:4]}年持续深化作风整顿优化营商环境专项行动" in out
    assert "XX县" in out
    assert "37 个" in out
    assert "6 项" in out
    assert "“股梗阻”专项整治 (obstruction): 牵头单位 县纪委县监委" in out
    assert "工程领域专项整治 (construction): 牵头单位 县住建局" in out
    listed = cli("--db", db, "item", "list", "--campaign", "county_2023", "--json")
    assert listed.code == 0 and listed.json() == []


def test_init_takes_a_campaign_key_and_json(cli: Cli, db: str) -> None:
    """--campaign names the campaign; --json prints the campaign view."""
    data = init(cli, db, "--campaign", "xx-2023", "--json").json()
    assert data["key"] == "xx-2023"
    assert data["definition_id"] == "county_2023"
    assert data["timezone"] == "Asia/Shanghai"


def test_init_twice_is_refused_with_one_line(cli: Cli, db: str) -> None:
    """A second campaign with the same key is an error: one line, exit 1."""
    init(cli, db)
    result = cli("--db", db, "init", *dated_now())
    assert result.code == 1
    assert result.err.splitlines() == ["错误: 输入无效: key: 专项行动 county_2023 已存在"]


def test_init_with_a_broken_definition_lists_located_problems(cli: Cli, db: str, tmp_path: Path) -> None:
    """A definition error prints 错误: and then each located problem, one per line; no database."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("zhenggai: 1\nid: Bad Id\nversion: '1'\ntitle: t\n", encoding="utf-8")
    result = cli("--db", db, "init", "--definition", str(bad))
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0].startswith("错误: 定义有误")
    assert any(re.search(rf"{re.escape(str(bad))}:2: id: ", line) for line in lines[1:])
    assert any("county: 缺少必填项" in line for line in lines[1:])
    assert "Traceback" not in result.err


# ------------------------------------------------------------------------------- lifecycle


def test_full_lifecycle_through_the_cli(cli: Cli, db_url: str, tmp_path: Path) -> None:
    """report → assign → rectify → verify → close → 回头看 reopen → close, on SQLite and PostgreSQL."""
    init(cli, db_url, "--campaign", "xx")
    item = add_item(
        cli,
        db_url,
        "施工许可审批超时",
        "--campaign",
        "xx",
        "--reporter-name",
        "张某",
        "--config",
        reporter_config(cli, tmp_path),
    )

    assert (
        fire(
            cli, db_url, item, "assign", "--unit", "housing_construction_bureau", "--due", FUTURE, *OFFICE
        ).out
        == f"问题 {item} 交办: 已查摆 → 已交办 (第 2 版)\n"
    )
    measure = add_measure(cli, db_url, item)
    assert fire(cli, db_url, item, "start_rectification", *BUREAU).out.startswith(
        f"问题 {item} 开始整改: 已交办 → 整改中"
    )
    done = cli("--db", db_url, "item", "measure", "done", str(measure), *BUREAU)
    assert done.code == 0 and done.out.startswith(f"整改措施 {measure} 已完成 (问题 {item})")
    assert "整改中 → 待验收" in fire(cli, db_url, item, "submit_for_verification", *BUREAU).out
    assert "待验收 → 已验收" in fire(cli, db_url, item, "verify", *SUPERVISION).out
    assert "已验收 → 已销号" in fire(cli, db_url, item, "close", *OFFICE).out
    reopened = fire(
        cli, db_url, item, "follow_up_review", "--finding", "回头看发现同类审批仍有拖延", *SUPERVISION
    )
    assert reopened.out.startswith(f"问题 {item} 回头看重新整改: 已销号 → 整改中")
    second = add_measure(cli, db_url, item, "建立审批超时预警")
    assert cli("--db", db_url, "item", "measure", "done", str(second), *BUREAU).code == 0
    fire(cli, db_url, item, "submit_for_verification", *BUREAU)
    fire(cli, db_url, item, "verify", *SUPERVISION)
    closed = cli("--db", db_url, "item", "fire", str(item), "close", *OFFICE, "--json")
    assert closed.code == 0

    data = closed.json()
    assert data["state"] == "closed" and data["reopen_count"] == 1 and data["closed_by"] == "王主任"
    shown = cli("--db", db_url, "item", "show", str(item), "--json").json()
    assert [e["trigger"] for e in shown["events"]] == [
        "report",
        "assign",
        "add_measure",
        "start_rectification",
        "complete_measure",
        "submit_for_verification",
        "verify",
        "close",
        "follow_up_review",
        "add_measure",
        "complete_measure",
        "submit_for_verification",
        "verify",
        "close",
    ]
    assert [m["done_by"] for m in shown["measures"]] == ["李科长", "李科长"]
    assert "张某" not in json.dumps(shown, ensure_ascii=False)  # the reporter never shows
    audit = cli("--db", db_url, "audit", "verify")
    assert audit.code == 0
    # the item's 14 events, the campaign's start, and a 回访 task for its reporter at each 销号
    assert audit.out.startswith("审计链完整: 1 个专项行动, 共 17 条审计记录")


def test_fire_accepts_the_chinese_name_of_a_trigger(cli: Cli, db: str) -> None:
    """`item fire 1 交办` is the same as `item fire 1 assign`."""
    init(cli, db)
    item = add_item(cli, db)
    result = fire(cli, db, item, "交办", "--unit", "housing_construction_bureau", "--due", FUTURE, *OFFICE)
    assert result.out.startswith(f"问题 {item} 交办: 已查摆 → 已交办")


def test_return_for_rework_dismiss_and_merge(cli: Cli, db: str) -> None:
    """The other transitions: return with a reason, dismiss with a reason, merge into a survivor."""
    init(cli, db)
    first, dup, untrue = add_item(cli, db, "甲"), add_item(cli, db, "乙"), add_item(cli, db, "丙")
    fire(cli, db, first, "assign", "--unit", "housing_construction_bureau", "--due", FUTURE, *OFFICE)
    measure = add_measure(cli, db, first)
    fire(cli, db, first, "start_rectification", *BUREAU)
    cli("--db", db, "item", "measure", "done", str(measure), *BUREAU)
    fire(cli, db, first, "submit_for_verification", *BUREAU)
    back = fire(cli, db, first, "return_for_rework", "--reason", "整改不到位", *SUPERVISION)
    assert "退回重新整改: 待验收 → 整改中" in back.out
    merged = cli(
        "--db", db, "item", "fire", str(dup), "merge", "--survivor", str(first), *OFFICE, "--json"
    ).json()
    assert merged["state"] == "merged" and merged["merged_into"] == first
    dismissed = cli(
        "--db", db, "item", "fire", str(untrue), "dismiss", "--reason", "经核查不属实", *OFFICE, "--json"
    )
    assert dismissed.json()["dismiss_reason"] == "经核查不属实"
    shown = cli("--db", db, "item", "show", str(dup)).out
    assert "合并到    问题 1" in shown


# ------------------------------------------------------------------------------- list/show


@pytest.fixture
def populated(cli: Cli, db: str) -> str:
    """Item 1 identified (ASCII in its title), item 2 assigned to 县住建局, item 3 in another track."""
    init(cli, db)
    add_item(cli, db, "ABC 审批超时")
    second = add_item(cli, db, "施工许可审批超时两个多月仍未办结")
    fire(cli, db, second, "assign", "--unit", "housing_construction_bureau", "--due", FUTURE, *OFFICE)
    result = cli(
        "--db",
        db,
        "item",
        "add",
        "--title",
        "窗口推诿",
        "--description",
        "一次性告知不落实",
        "--track",
        "government_services",
        "--channel",
        "undercover_check",
        *OFFICE,
    )
    assert result.code == 0 and result.out.startswith(
        "已登记问题 3: 窗口推诿 (专项: 政务服务专项整治; 状态: 已查摆)"
    )
    return db


def test_item_list_is_a_chinese_table_aligned_for_wide_characters(cli: Cli, populated: str) -> None:
    """Headers in Chinese; state, unit and due as officials read them; columns line up."""
    result = cli("--db", populated, "item", "list")
    assert result.code == 0
    lines = result.out.splitlines()
    header = lines[0]
    assert header.split() == ["编号", "问题编号", "标题", "专项", "状态", "责任单位", "整改时限", "版本"]
    assert set(lines[1]) == {"-", " "}
    rows = lines[2:5]
    assert lines[5] == "共 3 个问题"
    assert "已交办" in rows[1] and "县住建局" in rows[1] and FUTURE_TEXT in rows[1]
    assert "已查摆" in rows[0] and "已查摆" in rows[2]
    for column, cells in (
        ("状态", ["已查摆", "已交办", "已查摆"]),
        ("专项", ["工程领域", "工程领域", "政务服务"]),
    ):
        start = columns(header[: header.index(column)])
        assert [columns(row[: row.index(cell)]) for row, cell in zip(rows, cells, strict=True)] == [start] * 3
    version_end = columns(header)
    assert [columns(row) for row in rows] == [version_end] * 3  # right-aligned last column


def test_item_list_filters(cli: Cli, populated: str) -> None:
    """--state, --unit, --track and --campaign narrow the list."""

    def ids(*args: str) -> list[int]:
        result = cli("--db", populated, "item", "list", *args, "--json")
        assert result.code == 0, result.err
        return [i["id"] for i in result.json()]

    assert ids() == [1, 2, 3]
    assert ids("--state", "assigned") == [2]
    assert ids("--unit", "housing_construction_bureau") == [2]
    assert ids("--track", "government_services") == [3]
    assert ids("--campaign", "county_2023", "--state", "identified") == [1, 3]
    empty = cli("--db", populated, "item", "list", "--state", "closed")
    assert empty.code == 0 and empty.out == "没有符合条件的问题\n"


def test_item_list_json_is_the_item_views(cli: Cli, populated: str) -> None:
    """--json prints the item views, Chinese kept as is."""
    result = cli("--db", populated, "item", "list", "--json")
    data = result.json()
    assert data[1]["unit_name"] == "县住建局" and data[1]["due"] == FUTURE
    assert "县住建局" in result.out  # ensure_ascii=False


def test_item_show_has_chinese_labels_measures_and_events_in_shanghai_time(cli: Cli, populated: str) -> None:
    """show: fields with Chinese labels, the measures, the audit events in Asia/Shanghai time."""
    add_measure(cli, populated, 2, "七个工作日内办结")
    result = cli("--db", populated, "item", "show", "2")
    assert result.code == 0
    out = result.out
    assert out.startswith("问题 2: 施工许可审批超时两个多月仍未办结\n")
    for expected in (
        "问题描述  某项目施工许可审批超过承诺时限",
        "状态      已交办 (assigned)",
        "责任单位  县住建局 (housing_construction_bureau)",
        f"整改时限  {FUTURE_TEXT}",
        "来源渠道  公开举报电话",
        "整改措施 (1 项, 已完成 0 项)",
        "七个工作日内办结",
        "审计记录 (3 条)",
        "新登记 → 已查摆",
        "交办",
        "已查摆 → 已交办",
        "王主任 (县干部作风整顿领导小组办公室, 县纪委县监委)",
        "李科长 (责任单位, 县住建局)",
        "说明: 责任单位: 县住建局; 整改时限: " + FUTURE_TEXT,
    ):
        assert expected in out, expected
    with Engine(populated) as engine:
        events = engine.events(2)
    for event in events:
        assert format_time(event.at, SHANGHAI) in out


def test_item_show_json(cli: Cli, populated: str) -> None:
    """show --json has the item, its measures and its events."""
    data = cli("--db", populated, "item", "show", "2", "--json").json()
    assert set(data) == {"item", "measures", "events"}
    assert data["item"]["state"] == "assigned"
    assert [e["trigger"] for e in data["events"]] == ["report", "assign"]


# ------------------------------------------------------------------------------ error paths


@pytest.fixture
def two_items(cli: Cli, db: str) -> str:
    """Item 1 identified, item 2 assigned (no measure yet)."""
    init(cli, db)
    add_item(cli, db)
    add_item(cli, db, "第二个问题")
    fire(cli, db, 2, "assign", "--unit", "housing_construction_bureau", "--due", FUTURE, *OFFICE)
    return db


ERROR_CASES = [
    pytest.param(
        ["item", "fire", "99", "assign", "--unit", "court", "--due", FUTURE, *OFFICE],
        "问题不存在: 99",
        id="unknown-item",
    ),
    pytest.param(["item", "show", "99"], "问题不存在: 99", id="unknown-item-show"),
    pytest.param(
        ["item", "fire", "1", "close", *OFFICE],
        "问题 1 不能执行「销号」(close): 当前状态为「已查摆」(identified), 该状态下可执行: ",
        id="wrong-state",
    ),
    pytest.param(
        ["item", "fire", "1", "assign", "--unit", "court", "--due", FUTURE, *BUREAU],
        "无权操作: 李科长",
        id="wrong-role",
    ),
    pytest.param(
        ["item", "fire", "1", "assign", "--unit", "nowhere", "--due", FUTURE, *OFFICE],
        "未知单位「nowhere」",
        id="unknown-unit",
    ),
    pytest.param(
        ["item", "fire", "1", "assign", "--unit", "court", "--due", "2023-13-01", *OFFICE],
        "日期格式应为 YYYY-MM-DD",
        id="bad-date",
    ),
    pytest.param(
        ["item", "fire", "1", "assign", "--unit", "court", "--due", "2020-01-01", *OFFICE],
        "早于今天",
        id="past-date",
    ),
    pytest.param(
        [
            "item",
            "add",
            "--title",
            "  ",
            "--description",
            "d",
            "--track",
            "construction",
            "--channel",
            "hotline",
            *OFFICE,
        ],
        "title: 不能为空",
        id="empty-title",
    ),
    pytest.param(
        [
            "item",
            "add",
            "--title",
            "t",
            "--description",
            "d",
            "--track",
            "nowhere",
            "--channel",
            "hotline",
            *OFFICE,
        ],
        "未知专项整治「nowhere」",
        id="unknown-track",
    ),
    pytest.param(
        [
            "item",
            "add",
            "--campaign",
            "nope",
            "--title",
            "t",
            "--description",
            "d",
            "--track",
            "construction",
            "--channel",
            "hotline",
            *OFFICE,
        ],
        "专项行动不存在: nope",
        id="unknown-campaign",
    ),
    pytest.param(
        ["item", "fire", "2", "start_rectification", *BUREAU],
        "条件「至少有一项整改措施」(has_measure)不满足",
        id="guard",
    ),
    pytest.param(
        [
            "item",
            "fire",
            "2",
            "reassign",
            "--unit",
            "court",
            "--due",
            FUTURE,
            "--expected-version",
            "1",
            *OFFICE,
        ],
        "已被他人修改",
        id="stale-version",
    ),
    pytest.param(
        [
            "item",
            "fire",
            "2",
            "start_rectification",
            "--actor",
            "x",
            "--role",
            "responsible",
            "--as-unit",
            "court",
        ],
        "只能办理本单位负责的问题",
        id="other-unit",
    ),
    pytest.param(
        ["item", "fire", "1", "assign", "--unit", "court", "--due", FUTURE, "--actor", "x", "--role", "king"],
        "(角色 king) 不能执行任何操作: 本专项行动没有该角色",
        id="unknown-role",
    ),
    pytest.param(
        ["item", "measure", "add", "1", "--text", "x", *OFFICE],
        "不能执行「添加整改措施」(add_measure)",
        id="measure-early",
    ),
    pytest.param(["item", "measure", "done", "42", *BUREAU], "整改措施不存在: 42", id="unknown-measure"),
    pytest.param(
        ["item", "list", "--state", "nope"],
        "未知状态「nope」 (可用: 已查摆 (identified)、",
        id="unknown-state-filter",
    ),
    pytest.param(["item", "list", "--unit", "nope"], "未知单位「nope」", id="unknown-unit-filter"),
    pytest.param(
        ["audit", "verify", "--campaign", "nope"], "专项行动不存在: nope", id="audit-unknown-campaign"
    ),
]


@pytest.mark.parametrize(("argv", "message"), ERROR_CASES)
def test_every_refusal_is_one_line_exit_1_and_changes_nothing(
    cli: Cli, two_items: str, argv: list[str], message: str
) -> None:
    """A refused command prints one 错误: line on stderr, exits 1 and leaves the database as it was."""
    before = snapshot(two_items)
    result = cli("--db", two_items, *argv)
    assert result.code == 1
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("错误: ")
    assert message in lines[0]
    assert snapshot(two_items) == before


def test_json_mode_errors_are_also_one_line(cli: Cli, two_items: str) -> None:
    """--json does not change how errors look: stderr, one line, exit 1, nothing on stdout."""
    result = cli("--db", two_items, "item", "fire", "1", "close", *OFFICE, "--json")
    assert (result.code, result.out, len(result.err.splitlines())) == (1, "", 1)


def test_a_missing_database_file_is_an_error_not_a_new_database(cli: Cli, tmp_path: Path) -> None:
    """Commands other than init refuse a SQLite file that does not exist (and do not create it)."""
    missing = tmp_path / "typo.db"
    result = cli("--db", str(missing), "item", "list")
    assert result.code == 1
    assert result.err.startswith("错误: 数据库文件不存在") and len(result.err.splitlines()) == 1
    assert not missing.exists()


def test_add_needs_a_campaign_when_the_database_has_several(cli: Cli, db: str) -> None:
    """Without --campaign, add uses the only campaign; with two it asks which."""
    init(cli, db)
    add_item(cli, db)
    init(cli, db, "--campaign", "second")
    result = cli(
        "--db",
        db,
        "item",
        "add",
        "--title",
        "t",
        "--description",
        "d",
        "--track",
        "construction",
        "--channel",
        "hotline",
        *OFFICE,
    )
    assert result.code == 1
    assert result.err == "错误: 数据库中有多个专项行动, 请用 --campaign 指明 (现有: county_2023、second)\n"


def test_unexpected_exceptions_are_one_line_unless_debugging(
    cli: Cli, populated: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An internal error prints 内部错误: in one line (exit 1); ZHENGGAI_DEBUG=1 adds the traceback."""

    def boom(*args: object) -> int:
        raise RuntimeError("出错了\n第二行")

    monkeypatch.setitem(_commands.COMMANDS, "item_list", boom)  # type: ignore[index]
    result = cli("--db", populated, "item", "list")
    assert (result.code, result.err) == (1, "内部错误: RuntimeError: 出错了; 第二行\n")
    monkeypatch.setenv("ZHENGGAI_DEBUG", "1")
    debug = cli("--db", populated, "item", "list")
    assert debug.code == 1
    assert "Traceback" in debug.err and debug.err.endswith("内部错误: RuntimeError: 出错了; 第二行\n")


def test_keyboard_interrupt_exits_130(cli: Cli, populated: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C ends with exit code 130 and no traceback."""

    def interrupted(*args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setitem(_commands.COMMANDS, "item_list", interrupted)  # type: ignore[index]
    result = cli("--db", populated, "item", "list")
    assert (result.code, result.err) == (130, "已中断\n")


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["item"],
        ["item", "measure"],
        ["audit"],
        ["frobnicate"],
        ["--bogus", "item", "list"],
        ["item", "show"],
        ["item", "show", "abc"],
        ["item", "fire", "1"],
        ["item", "fire", "1", "close", "--survivor", "x", *OFFICE],
        ["item", "add", "--title", "t", *OFFICE],
    ],
    ids=lambda argv: " ".join(argv) or "(nothing)",
)
def test_usage_errors_exit_2(cli: Cli, db: str, argv: list[str]) -> None:
    """argparse usage errors exit 2 with the usage and a 用法错误 line; nothing touches the database."""
    result = cli("--db", db, *argv)
    assert result.code == 2
    assert "用法: zhenggai" in result.err
    assert "用法错误: " in result.err
    assert not Path(db).exists()


def test_missing_actor_is_a_usage_error(cli: Cli, two_items: str) -> None:
    """A command that acts needs --actor and --role (or the environment): exit 2, database unchanged."""
    before = snapshot(two_items)
    for argv in (
        ["item", "fire", "1", "close"],
        ["item", "fire", "1", "close", "--actor", "王主任"],
        [
            "item",
            "add",
            "--title",
            "t",
            "--description",
            "d",
            "--track",
            "construction",
            "--channel",
            "hotline",
        ],
        ["item", "measure", "done", "1", "--role", "responsible"],
    ):
        result = cli("--db", two_items, *argv)
        assert result.code == 2, argv
        assert "用法错误: 缺少操作人" in result.err
    assert snapshot(two_items) == before


def test_actor_and_database_from_the_environment(
    cli: Cli, two_items: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ZHENGGAI_DB, ZHENGGAI_ACTOR, ZHENGGAI_ROLE and ZHENGGAI_UNIT stand in for the options."""
    monkeypatch.setenv("ZHENGGAI_DB", two_items)
    monkeypatch.setenv("ZHENGGAI_ACTOR", "王主任")
    monkeypatch.setenv("ZHENGGAI_ROLE", "leading_group_office")
    monkeypatch.setenv("ZHENGGAI_UNIT", "discipline_commission")
    result = cli("item", "fire", "1", "assign", "--unit", "court", "--due", FUTURE, "--json")
    assert result.code == 0, result.err
    event = cli("item", "show", "1", "--json").json()["events"][-1]
    assert (event["actor"], event["role"], event["unit"]) == (
        "王主任",
        "leading_group_office",
        "discipline_commission",
    )


def test_an_actor_named_on_the_command_line_does_not_take_the_environments_unit(
    cli: Cli, two_items: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--actor replaces the environment's person whole: role and unit come from the command line."""
    monkeypatch.setenv("ZHENGGAI_ROLE", "responsible")
    monkeypatch.setenv("ZHENGGAI_UNIT", "housing_construction_bureau")
    result = cli("--db", two_items, "item", "measure", "add", "2", "--text", "x", "--actor", "张三")
    assert result.code == 2 and "缺少操作人: 请给出 --role" in result.err


def test_default_database_is_zhenggai_db_in_the_current_directory(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --db or ZHENGGAI_DB the database is ./zhenggai.db."""
    monkeypatch.chdir(tmp_path)
    assert cli("init", *dated_now()).code == 0
    assert (tmp_path / "zhenggai.db").exists()
    assert cli("item", "list").out == "没有符合条件的问题\n"


# ------------------------------------------------------------------------------------ audit


def test_audit_verify_reports_tampering_and_exits_1(cli: Cli, populated: str) -> None:
    """An altered audit row is found: exit 1, the problem listed; --json says ok false."""
    assert cli("--db", populated, "audit", "verify", "--json").json() == {
        "ok": True,
        "events": 5,
        "campaigns": 1,
        "anchors": 0,
        "problems": [],
    }
    with sqlite3.connect(populated) as conn:
        conn.execute("UPDATE zg_event SET actor = '某人' WHERE seq = 3")
    conn.close()
    result = cli("--db", populated, "audit", "verify")
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0].startswith("审计链不完整: 发现 1 处问题")
    assert "#3" in lines[1] and "内容与哈希不符" in lines[1]
    data = cli("--db", populated, "audit", "verify", "--json")
    assert data.code == 1 and data.json()["ok"] is False


# ------------------------------------------------------------------------------------- demo


def test_demo_plays_the_campaign_and_prints_timeline_ledger_and_audit(demo: DemoRun) -> None:
    """demo runs the scripted lifecycle on a throwaway database and prints it in Chinese; it never
    writes to the database ZHENGGAI_DB names."""
    assert not demo.real_db.exists()
    assert demo.code == 0, demo.err
    out = demo.out
    assert "2023年7月3日(星期一) 09:30" in out
    for step in (
        "登记问题",
        "查阅举报人信息",
        "交办",
        "添加整改措施",
        "开始整改",
        "完成整改措施",
        "提请验收",
        "验收通过",
        "销号",
        "回头看重新整改",
        "退回重新整改",
        "撤销(不属实)",
        "合并重复问题",
    ):
        assert step in out, step
    assert "已销号 → 整改中" in out and "待验收 → 整改中" in out and "已查摆 → 已合并" in out
    assert "王主任 (县干部作风整顿领导小组办公室, 县纪委县监委)" in out
    assert "【整改台账】" in out
    ledger = out[out.index("【整改台账】") : out.index("【模拟】")]
    assert ledger.count("已销号") == 2 and "已撤销" in ledger and "已合并" in ledger and "整改中" in ledger
    assert "审计链完整: 共" in out
    assert "张某" not in out  # the reporter's name stays confidential
    simulated = out[out.index("【模拟】") :]
    assert "【模拟汇总】" in simulated and "挂牌督办" in simulated
    found = re.search(r"\n问题 (\d+) 件\n", simulated)  # the 300 reported, and what 督查 visits found
    assert found is not None and int(found.group(1)) >= 300


def test_demo_keeps_its_database_when_asked_and_refuses_an_existing_file(cli: Cli, demo: DemoRun) -> None:
    """demo --db PATH leaves a database the other commands read; an existing file is refused."""
    assert demo.code == 0, demo.err
    listed = cli("--db", str(demo.db), "item", "list", "--json").json()
    assert [i["state"] for i in listed] == ["closed", "closed", "dismissed", "rectifying", "merged"]
    again = cli("demo", "--db", str(demo.db))
    assert again.code == 1 and again.err.startswith("错误: 演示数据库") and len(again.err.splitlines()) == 1


# ------------------------------------------------------------------- the installed script


def test_help_imports_nothing_heavy() -> None:
    """--help of the CLI and of each command imports no SQLAlchemy/SQLModel/Alembic/transitions/pydantic."""
    code = f"""
import contextlib, io, sys
from zhenggai.adapters.cli import main
for argv in (["--help"], ["init", "--help"], ["item", "--help"], ["item", "add", "--help"],
             ["item", "list", "--help"], ["item", "show", "--help"], ["item", "fire", "--help"],
             ["item", "measure", "add", "--help"], ["item", "measure", "done", "--help"],
             ["audit", "verify", "--help"], ["demo", "--help"], ["simulate", "--help"], ["outbox", "send", "--help"],
             ["item", "pause", "--help"], ["campaign", "recompute", "--help"], ["item", "fire", "1", "close"]):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(argv)
    assert code in (0, 2), (argv, code)
print(sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r}))
"""
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_installed_script_help_is_fast_and_lazy() -> None:
    """`zhenggai --help` through the console script: exit 0, Chinese help, no heavy import."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", _script(), "item", "fire", "--help"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0
    assert "回头看" in proc.stdout
    imported = {
        line.rsplit("|", 1)[-1].strip().split(".")[0] for line in proc.stderr.splitlines() if "|" in line
    }
    assert "zhenggai" in imported  # -X importtime did report
    assert not imported & set(HEAVY)
    started = time.perf_counter()
    assert run_script("--help").code == 0
    assert time.perf_counter() - started < 5


def test_installed_script_runs_commands(db_url: str, tmp_path: Path) -> None:
    """The console script: init, add, fire, list and show in a real process (SQLite and PostgreSQL)."""
    env = {
        "ZHENGGAI_DB": db_url,
        "ZHENGGAI_ACTOR": "王主任",
        "ZHENGGAI_ROLE": "leading_group_office",
        "ZHENGGAI_UNIT": "discipline_commission",
    }
    assert run_script("init", *dated_now(), env=env, cwd=tmp_path).code == 0
    added = run_script(
        "item",
        "add",
        "--title",
        "审批超时",
        "--description",
        "d",
        "--track",
        "construction",
        "--channel",
        "hotline",
        "--json",
        env=env,
        cwd=tmp_path,
    )
    assert added.code == 0, added.err
    item = added.json()["id"]
    fired = run_script(
        "item",
        "fire",
        str(item),
        "assign",
        "--unit",
        "housing_construction_bureau",
        "--due",
        FUTURE,
        env=env,
        cwd=tmp_path,
    )
    assert fired.out == f"问题 {item} 交办: 已查摆 → 已交办 (第 2 版)\n"
    listed = run_script("item", "list", env=env, cwd=tmp_path)
    assert listed.code == 0 and "县住建局" in listed.out and FUTURE_TEXT in listed.out
    assert run_script("item", "show", str(item), env=env, cwd=tmp_path).out.startswith(
        f"问题 {item}: 审批超时"
    )
    assert run_script("audit", "verify", env=env, cwd=tmp_path).out.startswith("审计链完整")


def test_installed_script_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    """Through the console script: a refusal is one 错误: line with exit 1; a usage error exits 2."""
    db = str(tmp_path / "z.db")
    assert run_script("--db", db, "init", *dated_now()).code == 0
    refused = run_script("--db", db, "item", "fire", "7", "close", *OFFICE)
    assert (refused.code, refused.out, refused.err) == (1, "", "错误: 问题不存在: 7\n")
    usage = run_script("--db", db, "item", "fire")
    assert usage.code == 2 and "Traceback" not in usage.err


def test_installed_script_demo_runs_end_to_end(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`zhenggai demo` (the README's main job) runs end to end through the installed script and
    leaves nothing in the working directory (its reports go where --reports says)."""
    reports = tmp_path_factory.mktemp("demo-reports")
    result = run_script("demo", "--reports", str(reports), cwd=tmp_path)
    assert result.code == 0, result.err
    assert "回头看重新整改" in result.out and "审计链完整" in result.out and str(reports) in result.out
    assert list(tmp_path.iterdir()) == []  # nothing left behind in the working directory


@pytest.fixture(autouse=True)
def _no_stray_files() -> Iterator[None]:
    """No test leaves a zhenggai.db in the repository checkout."""
    stray = Path(__file__).resolve().parent.parent / "zhenggai.db"
    existed = stray.exists()
    yield
    assert existed or not stray.exists()


def test_pause_resume_and_recompute_through_the_cli(cli: Cli, db: str) -> None:
    """暂停计时 needs a reason and the office; the item shows it; resuming the same day gives the
    same due date back; 重算整改时限 on an unchanged calendar moves nothing and is audited."""
    init(cli, db)
    item = add_item(cli, db)
    fire(cli, db, item, "assign", "--unit", "housing_construction_bureau", "--due", FUTURE, *OFFICE)
    before = snapshot(db)
    refused = cli("--db", db, "item", "pause", str(item), "--reason", "等待判决", *BUREAU)
    assert refused.code != 0 and "无权操作" in refused.err and snapshot(db) == before
    missing = cli("--db", db, "item", "pause", str(item), *OFFICE)
    assert missing.code == 2 and "--reason" in missing.err
    paused = cli("--db", db, "item", "pause", str(item), "--reason", "等待法院判决", *OFFICE)
    assert paused.code == 0, paused.err
    assert f"问题 {item} 已暂停计时: 原整改时限 {FUTURE_TEXT}, 剩余" in paused.out
    shown = cli("--db", db, "item", "show", str(item)).out
    assert "暂停计时" in shown and "等待法院判决" in shown and "批准角色" in shown
    resumed = cli("--db", db, "item", "resume", str(item), "--note", "判决已下达", *OFFICE)
    assert resumed.code == 0 and f"新的整改时限 {FUTURE_TEXT}" in resumed.out
    again = cli("--db", db, "item", "resume", str(item), *OFFICE)
    assert again.code == 1 and "计时未暂停" in again.err
    recomputed = cli("--db", db, "campaign", "recompute", *OFFICE)
    assert recomputed.code == 0, recomputed.err
    assert "0 个问题的整改时限变更" in recomputed.out
    with Engine(db) as engine:
        events = [e.trigger for e in engine.events()]
    assert events[-3:] == ["pause_clock", "resume_clock", "recompute_deadlines"]
