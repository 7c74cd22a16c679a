"""zhenggai check / definition: an author checks a definition file before it goes live."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import zhenggai.engine
import zhenggai.workflows
from zhenggai.adapters.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_builtin_passes_with_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """check on the built-in exits 0 and prints what it holds."""
    code, out, _ = _run(capsys, "check", "county_2023")
    assert code == 0
    assert out.startswith("通过 county_2023: 2023年持续深化作风整顿优化营商环境专项行动")
    assert "6 个专项整治, 37 个单位" in out
    assert (
        "督办阶梯 9 个共 26 步 (问题整改督办阶梯 5 步、职责未落实督办阶梯 4 步、回头看督办阶梯 2 步、"
        "信息报送未按时督办阶梯 2 步、移送初核督办阶梯 2 步、领衔调研督办阶梯 3 步、协办分工督办阶梯 3 步、回访督办阶梯 2 步、"
        "规范性文件清理督办阶梯 3 步); 10 项职责, 42 个消息模板"
    ) in out
    assert "  规范性文件清理: 流程 5 个状态, 结论 保留、修订、废止, 登记后 20 个工作日内作出结论" in out
    assert (
        "  五个一批: 问责方式 7 种 (谈话提醒、批评教育、责令检查、诫勉、组织处理、党纪政务处分、移送司法机关), 长效机制 3 类;"
        " 目标: 排查发现问题线索 300、通报曝光典型案例 10、警示教育党员干部 60、解决难点堵点 250、健全长效机制 40"
    ) in out
    assert "4 个阶段, 2023-06-01 至 2023-12-31: 动员部署阶段、问题查摆阶段、整改落实阶段、巩固提升阶段" in out


def test_warnings_are_listed_and_do_not_fail(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A legal but suspicious definition passes (exit 0) and lists its warnings, located."""
    text = zhenggai.workflows.builtin_path("county_2023").read_text(encoding="utf-8")
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        text.replace(
            "  - {id: custodian, label: 举报信息保管人}\n",
            "  - {id: custodian, label: 举报信息保管人}\n  - {id: auditor, label: 审计组}\n",
        ),
        encoding="utf-8",
    )
    code, out, _ = _run(capsys, "check", str(mine))
    assert code == 0, out
    line = mine.read_text(encoding="utf-8").split("\n").index("  - {id: auditor, label: 审计组}") + 1
    assert "  11 处警告 (不影响使用, 请确认):" in out  # also the nine dates moved off a day off
    assert (
        f"  警告 {mine}:{line}: roles[9].id: 角色 auditor 未被任何触发、操作、职责或通知使用"
        in out.splitlines()
    )
    code, out, _ = _run(capsys, "check", "--json", str(mine))
    result = json.loads(out)[0]
    assert code == 0 and result["ok"] and len(result["warnings"]) == 11
    assert result["summary"]["ladder_steps"] == 26  # 协办 and 回访 ladders (issue 17) add 3 and 2
    assert result["summary"]["ladders"][0] == {
        "id": "item_overdue",
        "label": "问题整改督办阶梯",
        "steps": ["reminder", "yellow", "red", "listed_supervision", "accountability"],
    }


def test_shown_definition_saved_as_a_file_passes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """definition show prints the built-in; saved as a county's own file it checks clean."""
    code, text, _ = _run(capsys, "definition", "show", "county_2023")
    assert code == 0 and text.startswith("# 2023年")
    mine = tmp_path / "my_county.yaml"
    mine.write_text(text, encoding="utf-8")
    code, out, _ = _run(capsys, "check", str(mine))
    assert code == 0, out


def test_broken_copy_lists_every_located_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A copy with two mistakes exits 1 and names both, each as file:line: path: message;
    the good file checked alongside still passes."""
    text = zhenggai.workflows.builtin_path("county_2023").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        text.replace(
            "guards: [all_measures_done, co_parts_done]", "guards: [all_measures_finished, co_parts_done]"
        ).replace("initial: identified", "initial: found"),
        encoding="utf-8",
    )
    code, out, _ = _run(capsys, "check", str(broken), "county_2023")
    assert code == 1
    text = broken.read_text(encoding="utf-8")
    initial_line = text[: text.index("initial: found")].count("\n") + 1
    guard_line = text[: text.index("all_measures_finished")].count("\n") + 1
    lines = [line.strip() for line in out.splitlines()]
    assert lines[0] == f"未通过 {broken}: 2 处错误"
    assert lines[1] == f"{broken}:{initial_line}: lifecycle.initial: 未知状态 found"
    assert lines[2].startswith(f"{broken}:{guard_line}: lifecycle.transitions[2].guards[0]: ")
    assert "未知条件 all_measures_finished" in lines[2]
    assert lines[3].startswith("通过 county_2023")


def test_json_output(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--json gives one object per file with ok, summary and problems."""
    missing = tmp_path / "missing.yaml"
    code, out, _ = _run(capsys, "check", "--json", "county_2023", str(missing))
    assert code == 1
    results = json.loads(out)
    assert [r["ok"] for r in results] == [True, False]
    assert results[0]["summary"]["lead_units"]["construction"] == "housing_construction_bureau"
    assert results[1]["problems"] == [f"{missing}: 文件不存在"]


def test_unknown_builtin_name_is_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    """definition show with an unknown name: one 错误 line, exit 1."""
    code, out, err = _run(capsys, "definition", "show", "nowhere_2030")
    assert code == 1 and out == ""
    assert err.startswith("错误: ") and "county_2023" in err


def test_check_does_not_import_sqlalchemy() -> None:
    """Checking a definition needs no database: SQLAlchemy and SQLModel stay unimported."""
    code = (
        "import sys\n"
        "from zhenggai.adapters.cli import main\n"
        "assert main(['check', 'county_2023']) == 0\n"
        "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'alembic') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_lazy_exports_cover_the_public_api() -> None:
    """Every name of zhenggai.engine.__all__ has a lazy-import entry, and nothing else does."""
    assert set(zhenggai.engine._EXPORTS) == set(zhenggai.engine.__all__)
