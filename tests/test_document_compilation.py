"""规范性文件汇编 (``zhenggai document compile``): the documents kept, revised and abolished, by
unit, with the day decided and the reason, read back with python-docx; and the CLI of the
registers of their own (``education``, ``commitment``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from zhenggai.adapters.reports.compilation import write_document_compilation
from zhenggai.engine import CampaignView, Engine

from tests.conftest import Actors
from tests.test_outcomes import cli  # noqa: F401 (the fixture: a database initialised today)

HOUSING = "housing_construction_bureau"
MARKET = "market_regulation_bureau"
OFFICE = ("--actor", "王主任", "--role", "leading_group_office", "--as-unit", "discipline_commission")


def _decide(engine: Engine, campaign: str, unit: str, title: str, trigger: str | None, reason: str) -> None:
    actor = Actors.unit(unit)
    doc = engine.list_document(
        campaign, actor, unit=unit, title=title, doc_number=f"{title[:2]}发〔2019〕1号"
    )
    if trigger is None:
        return
    engine.fire_document(doc.id, "start_review", actor)
    engine.fire_document(doc.id, trigger, actor, reason=reason)


def _text(path: Path) -> tuple[str, list[list[list[str]]]]:
    document = docx.Document(str(path))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    return paragraphs, tables


@pytest.mark.storage
def test_the_compilation_lists_each_decision_by_unit_with_date_and_reason(
    engine: Engine, campaign: CampaignView, tmp_path: Path
) -> None:
    _decide(engine, campaign.key, MARKET, "县市场监管局关于企业登记的规定", "retain", "符合上位法")
    _decide(engine, campaign.key, HOUSING, "县住建局关于招投标管理的若干规定", "abolish", "设置隐性门槛")
    _decide(engine, campaign.key, HOUSING, "县住建局施工许可办理规程", "revise", "时限过长, 压缩至15日")
    _decide(engine, campaign.key, HOUSING, "县住建局关于保证金的通知", "retain", "仍然适用")
    _decide(engine, campaign.key, MARKET, "县市场监管局关于检查的通知", None, "")
    path = write_document_compilation(engine, campaign.key, tmp_path)
    assert path == tmp_path / "规范性文件汇编.docx"
    text, tables = _text(path)
    assert "规范性文件清理汇编" in text
    assert "共列入清理规范性文件5件，已作出清理结论4件（" in text and "尚在清理1件" in text
    headings = [line for line in text.split("\n") if line.endswith("的文件")]
    assert len(headings) == 4  # three decisions and those still under review
    kept, revised, abolished, pending = tables
    assert kept[0] == ["序号", "制定单位", "文件名称", "文号", "决定日期", "理由"]
    # By unit in the definition's order (县住建局 before 县市场监管局), with the day and reason.
    assert [(r[1], r[2], r[4], r[5]) for r in kept[1:]] == [
        ("县住建局", "县住建局关于保证金的通知", "2023年7月3日", "仍然适用"),
        ("县市场监管局", "县市场监管局关于企业登记的规定", "2023年7月3日", "符合上位法"),
    ]
    assert [(r[2], r[5]) for r in revised[1:]] == [("县住建局施工许可办理规程", "时限过长, 压缩至15日")]
    assert [(r[2], r[5]) for r in abolished[1:]] == [("县住建局关于招投标管理的若干规定", "设置隐性门槛")]
    assert [r[2] for r in pending[1:]] == ["县市场监管局关于检查的通知"]
    # Written as a named .docx when --out names one.
    named = write_document_compilation(engine, campaign.key, tmp_path / "汇编" / "2023年汇编.docx")
    assert named.name == "2023年汇编.docx" and named.is_file()


def test_cli_education_commitment_and_compile(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    unit = ("--actor", "李科长", "--role", "responsible", "--as-unit", HOUSING)
    code, out, err = cli(
        "education", "add", "--unit", "县住建局", "--held-on", today.isoformat(), "--title", "以案促改警示教育大会",
        "--attendees", "85", "--cases", "某局吃拿卡要案", *unit,
    )  # fmt: skip
    assert code == 0, err
    assert "已登记警示教育 1" in out and "85 人参加" in out
    code, _, err = cli(
        "education", "add", "--unit", MARKET, "--held-on", today.isoformat(), "--title", "警示教育",
        "--attendees", "30", *unit,
    )  # fmt: skip
    assert code == 1 and err.startswith("错误: ")
    code, out, _ = cli("education", "list")
    assert "以案促改警示教育大会" in out and "共 1 场, 参加 85 人次" in out
    code, out, _ = cli("outcomes")
    assert code == 0 and "85" in out

    due = (today + dt.timedelta(days=10)).isoformat()
    assert (
        cli("commitment", "add", "--unit", HOUSING, "--text", "审批压缩至15个工作日", "--due", due, *unit)[0]
        == 0
    )
    code, _, err = cli("commitment", "broken", "1", *OFFICE)
    assert code == 2 and "--note" in err
    code, out, _ = cli("commitment", "kept", "1", "--note", "已压缩至12日", *OFFICE)
    assert code == 0 and "已兑现" in out
    code, _, err = cli("commitment", "kept", "1", *OFFICE)
    assert code == 1 and "不能再次认定" in err
    code, out, _ = cli("commitment", "list", "--state", "fulfilled")
    assert "审批压缩至15个工作日" in out and "已兑现" in out

    code, out, _ = cli("document", "add", "--unit", HOUSING, "--title", "县住建局关于保证金的通知", *unit)
    assert code == 0
    code, out, err = cli("document", "compile", "--out", str(tmp_path / "out"))
    assert code == 0, err
    text, tables = _text(tmp_path / "out" / "规范性文件汇编.docx")
    assert "尚在清理的文件" in text and tables[-1][1][2] == "县住建局关于保证金的通知"
