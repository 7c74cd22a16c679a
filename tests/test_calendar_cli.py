"""``zhenggai calendar list | show | load`` and the calendar lines of ``status`` and ``check``:
Chinese output, --json, located errors, nothing stored on a bad file, exit codes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from zhenggai.adapters import _ops
from zhenggai.adapters.cli import main
from zhenggai.engine import Engine, StatusView

YEAR_2027 = Path(__file__).parent / "data" / "calendar_2027.yaml"
OPERATOR = ["--actor", "运维张工", "--role", "operator"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_load_list_show_a_year(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A county loads 2027 into a new database (before its first campaign): the summary in
    Chinese, `list` shows the package years on one line and 2027 as loaded, `show` every
    holiday with its weekdays and make-up days, `--json` the same as data."""
    db = str(tmp_path / "zg.db")
    code, out, err = run(capsys, "--db", db, "calendar", "load", str(YEAR_2027), *OPERATOR)
    assert code == 0, err
    assert (
        "已载入 2027 年节假日安排" in out and "放假 7 段, 调休上班 7 天" in out and "全年工作日 248 天" in out
    )
    code, out, _ = run(capsys, "--db", db, "calendar", "list")
    assert code == 0
    assert "2004-2026  内置  使用中" in out
    assert "2027       载入  使用中" in out and "运维张工 于" in out
    assert "2028 年及以后没有节假日安排" in out
    code, out, _ = run(capsys, "--db", db, "calendar", "show", "2027")
    assert (
        "春节    2027-02-05 (星期五) 至 2027-02-13 (星期六), 放假 9 天; 调休上班: 2027-01-31 (星期日)、2027-02-20 (星期六)"
        in out
    )
    assert "中秋节  2027-09-15 (星期三), 放假 1 天" in out
    code, out, _ = run(capsys, "--db", db, "calendar", "show", "2027", "--json")
    data = json.loads(out)
    assert data["year"] == 2027 and data["origin"] == "loaded" and len(data["holidays"]) == 7
    code, out, _ = run(capsys, "--db", db, "calendar", "show", "2026")
    assert code == 0 and "2026 年节假日安排 (内置" in out and "国庆节" in out


def test_loading_twice_needs_replace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "zg.db")
    assert run(capsys, "--db", db, "calendar", "load", str(YEAR_2027), *OPERATOR)[0] == 0
    code, _, err = run(capsys, "--db", db, "calendar", "load", str(YEAR_2027), *OPERATOR)
    assert code == 1 and err.startswith("错误:") and "--replace" in err and len(err.strip().splitlines()) == 1
    code, out, _ = run(capsys, "--db", db, "calendar", "load", str(YEAR_2027), "--replace", *OPERATOR)
    assert code == 0 and "替换此前载入" in out
    code, out, _ = run(capsys, "--db", db, "calendar", "list", "--json")
    assert [(v["year"], v["in_force"]) for v in json.loads(out) if v["year"] == 2027] == [
        (2027, False),
        (2027, True),
    ]


def test_a_bad_file_lists_every_problem_by_line_and_stores_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "zg.db")
    bad = tmp_path / "2027.yaml"
    bad.write_text(
        YEAR_2027.read_text(encoding="utf-8")
        .replace("makeup: [2027-06-12]", "makeup: [2027-06-10]")
        .replace("  - {name: 中秋节, start: 2027-09-15}\n", ""),
        encoding="utf-8",
    )
    code, out, err = run(capsys, "--db", db, "calendar", "load", str(bad), *OPERATOR)
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert lines[0] == "错误: 日历文件有误 (3 处)"  # a weekday, and one already off; a festival missing
    assert sum(f"{bad}:19: holidays[4].makeup[0]: 2027-06-10" in line for line in lines) == 2
    assert any("缺少 中秋节" in line for line in lines)
    assert not Path(db).exists()  # checked before any database is opened
    code, _, err = run(capsys, "--db", db, "calendar", "load", str(tmp_path), *OPERATOR)
    assert code == 1 and "不是文件" in err


def test_an_unknown_year_and_a_missing_actor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "zg.db")
    Engine(db).dispose()
    code, _, err = run(capsys, "--db", db, "calendar", "show", "2028")
    assert code == 1 and "2028" in err and "已知: 2004-2026 年" in err
    code, _, err = run(capsys, "--db", db, "calendar", "load", str(YEAR_2027))
    assert code == 2 and "缺少操作人" in err


def test_status_names_the_years_steps_wait_for_and_fails_monitoring(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With steps past the earliest moment they could be due and no calendar for their year,
    `status` says so and `--max-behind` exits 1 even when nothing else is late."""
    db = str(tmp_path / "zg.db")
    Engine(db).dispose()
    now = dt.datetime(2027, 1, 5, 1, 0, tzinfo=dt.UTC)
    view = StatusView(
        now=now,
        daemons=(),
        pending_steps=0,
        due_steps=0,
        oldest_due=None,
        outbox={},
        awaiting_calendar=7,
        awaiting_due=3,
        awaiting_years=(2027,),
    )
    monkeypatch.setattr(Engine, "status", lambda self: view)
    code, out, _ = run(capsys, "--db", db, "status", "--max-behind", "60")
    assert code == 1
    assert "待日历: 7 个督办步骤等待 2027 年的节假日安排, 其中 3 个已过最早可能的到期时间, 无法执行" in out
    quiet = StatusView(
        now=now,
        daemons=(),
        pending_steps=0,
        due_steps=0,
        oldest_due=None,
        outbox={},
        awaiting_calendar=7,
        awaiting_due=0,
        awaiting_years=(2027,),
    )
    monkeypatch.setattr(Engine, "status", lambda self: quiet)
    assert run(capsys, "--db", db, "status", "--max-behind", "60")[0] == 0
    assert "待日历" not in _ops._status_text(
        StatusView(now=now, daemons=(), pending_steps=0, due_steps=0, oldest_due=None, outbox={})
    )


def test_check_lists_moved_dates(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "county_2023")
    assert code == 0
    assert (
        "phases[1].start: 阶段 问题查摆阶段 的开始日期 2023-07-01 (星期六) 是休息日: 开始通知顺延至 2023-07-03 (星期一)"
        in out
    )
