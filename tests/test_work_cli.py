"""``zhenggai follow-up list | done`` and ``zhenggai supervision visit | bulletin`` and
``contact add --team``: Chinese output, one clear Chinese error and nothing changed."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import pytest
from docx import Document
from zhenggai.adapters.cli import main
from zhenggai.engine import Engine, VirtualClock
from zhenggai.workflows import load_setup

from tests.test_campaign_steps import OFFICE, close, rectifying, without_duties

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OFFICE_ARGS = ["--actor", "王主任", "--role", "leading_group_office", "--as-unit", "discipline_commission"]
TEAM_ARGS = ["--actor", "督查一组", "--role", "supervision_team", "--as-unit", "organization_department"]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    for name in ("ZHENGGAI_DB", "ZHENGGAI_ACTOR", "ZHENGGAI_ROLE", "ZHENGGAI_UNIT", "ZHENGGAI_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    path = str(tmp_path / "zg.db")
    clock = VirtualClock(dt.datetime(2023, 6, 1, tzinfo=SHANGHAI))
    engine = Engine(path, clock=clock, seed=3)
    try:
        engine.start_campaign(without_duties(load_setup("county_2023")), key="test")
        for unit in ("finance_bureau", "court"):
            close(engine, rectifying(engine, unit))
        clock.set(dt.datetime(2023, 9, 1, 0, 5, tzinfo=SHANGHAI))
        engine.sweep()
    finally:
        engine.dispose()
    return path


def run(db: str, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--db", db, *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_follow_up_list_and_done(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(db, capsys, "follow-up", "list", "--open")
    assert code == 0 and "待回头看" in out and "共 2 项, 待核查 2 项" in out
    code, out, err = run(db, capsys, "follow-up", "done", "1", *OFFICE_ARGS)
    assert code != 0 and "二者选一" in err
    code, out, err = run(db, capsys, "follow-up", "done", "1", "--confirmed", *TEAM_ARGS)
    assert code != 0 and "无权操作" in err
    code, out, _ = run(db, capsys, "follow-up", "done", "1", "--confirmed", *OFFICE_ARGS)
    assert code == 0 and "整改到位" in out
    code, out, _ = run(
        db, capsys, "follow-up", "done", "2", "--finding", "台账不实", "--due", "2035-03-06", *OFFICE_ARGS
    )
    # the CLI runs on the real clock: a due date ahead of it (a year no calendar knows yet)
    assert code == 0 and "重新整改" in out and "2035年3月6日" in out
    code, out, _ = run(db, capsys, "follow-up", "list", "--open")
    assert code == 0 and "没有待办的回头看任务" in out


def test_supervision_visit_and_bulletin(db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    engine = Engine(db)
    try:
        (draw,) = [e.data for e in engine.events(campaign="test") if e.trigger == "supervision_draw"][-1:]
        names = dict(engine.campaign_info("test").units)
    finally:
        engine.dispose()
    unit = draw["teams"][0][0]
    code, out, _ = run(
        db, capsys, "supervision", "visit", "--team", "1", "--unit", names[unit], "--day", draw["day"],
        "--finding", "窗口人员脱岗", *TEAM_ARGS,
    )  # fmt: skip
    assert code == 0 and f"明察暗访{names[unit]}" in out and "发现问题 1 个" in out
    code, _, err = run(
        db, capsys, "supervision", "visit", "--team", "1", "--unit", unit, "--day", draw["day"], *TEAM_ARGS
    )
    assert code != 0 and "已记录" in err
    code, out, _ = run(db, capsys, "supervision", "bulletin", "--draw", draw["day"], "--out", str(tmp_path))
    assert code == 0 and "发现问题 1 个" in out
    (path,) = tmp_path.glob("*督查通报*.docx")
    cells = [c.text for t in Document(str(path)).tables for r in t.rows for c in r.cells]
    assert "窗口人员脱岗" in cells


def test_contact_team(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        db, capsys, "contact", "add", "--unit", "organization_department", "--name", "督查员甲",
        "--contact-role", "supervision_team", "--mobile", "13900000001", "--team", "2", "--json", *OFFICE_ARGS,
    )  # fmt: skip
    assert code == 0 and '"team": 2' in out
    code, _, err = run(
        db, capsys, "contact", "add", "--unit", "finance_bureau", "--name", "乙", "--mobile", "13900000002",
        "--team", "x", *OFFICE_ARGS,
    )  # fmt: skip
    assert code != 0 and "督查组编号须为正整数" in err
    assert OFFICE.role == "leading_group_office"
