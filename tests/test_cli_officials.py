"""The officials' CLI (issue 14, point 6): argparse in Chinese, uniform refusals, --json and
paging on listings, progress on stderr, shell completion."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from tests.test_cli import OFFICE, Cli, add_item, cli, db, init  # noqa: F401  (fixtures)


def test_help_headings_are_chinese(cli: Cli) -> None:
    """``--help``: 用法 / 参数 / 选项 / 显示帮助并退出, none of argparse's English."""
    result = cli("item", "list", "--help")
    assert result.code == 0
    assert result.out.startswith("用法: zhenggai item list")
    assert "选项:" in result.out and "显示帮助并退出" in result.out
    assert "usage:" not in result.out and "options:" not in result.out and "show this help" not in result.out
    top = cli("--help").out
    assert "参数:" in top and "positional arguments" not in top


@pytest.mark.parametrize(
    ("argv", "text"),
    [
        (["item", "add", "--title", "t"], "用法错误: 缺少必需的参数: --description"),
        (["frobnicate"], "用法错误: 参数 COMMAND: 无效的选择: 'frobnicate' (可选: "),
        (["item", "list", "--bogus"], "用法错误: 无法识别的参数: --bogus"),
        (["item", "list", "--state"], "用法错误: 参数 --state: 须给出一个值"),
    ],
    ids=["required", "invalid-choice", "unrecognized", "expected-one"],
)
def test_argparse_errors_are_chinese(cli: Cli, argv: list[str], text: str) -> None:
    """argparse's own error texts are Chinese, after 用法: and exit 2."""
    result = cli(*argv)
    assert result.code == 2
    assert result.err.startswith("用法: zhenggai")
    assert text in result.err
    assert "error:" not in result.err and "usage:" not in result.err


def test_other_parsers_in_the_process_keep_english(cli: Cli) -> None:
    """Only our parsers speak Chinese: argparse's texts are swapped only while they run."""
    cli("--help")
    other = argparse.ArgumentParser(prog="other")
    assert (
        other.format_help().startswith("usage: other")
        and "show this help message and exit" in other.format_help()
    )


def test_refusals_share_one_shape(cli: Cli, db: str) -> None:
    """Wrong state and missing permission both read ``… 不能执行「交办」(assign): reason``."""
    from tests.test_cli import BUREAU, FUTURE

    init(cli, db)
    add_item(cli, db)
    wrong_state = cli("--db", db, "item", "fire", "1", "close", *OFFICE)
    assert wrong_state.err.startswith(
        "错误: 问题 1 不能执行「销号」(close): 当前状态为「已查摆」(identified), "
    )
    denied = cli("--db", db, "item", "fire", "1", "assign", "--unit", "court", "--due", FUTURE, *BUREAU)
    assert denied.err.startswith(
        "错误: 无权操作: 李科长 (角色 responsible) 不能执行「交办」(assign): 该角色无此权限"
    )


def test_guard_refusals_share_the_shape() -> None:
    """A failed guard: ``问题 3 不能执行「核实」(verify): 条件…不满足 (…)``."""
    from zhenggai.engine import GuardFailedError

    err = GuardFailedError(3, "verify", "all_measures_done", "还有 1 项措施未完成", {"verify": "核实"})
    assert str(err) == "问题 3 不能执行「核实」(verify): 条件all_measures_done不满足 (还有 1 项措施未完成)"


def test_item_list_pages_with_limit_and_offset(cli: Cli, db: str) -> None:
    """``item list --limit 1 --offset 1`` is the second item; the table says which part it shows."""
    init(cli, db)
    for title in ("第一个问题", "第二个问题", "第三个问题"):
        add_item(cli, db, title)
    page = cli("--db", db, "item", "list", "--limit", "1", "--offset", "1", "--json")
    assert page.code == 0 and [i["id"] for i in page.json()] == [2]
    table = cli("--db", db, "item", "list", "--limit", "2")
    assert table.out.rstrip().endswith("共 3 个问题, 显示第 1–2 个") and "第三个问题" not in table.out
    assert cli("--db", db, "item", "list", "--limit", "-1").code == 2


def test_definition_list_has_json(cli: Cli) -> None:
    """Every listing takes --json: ``definition list --json`` names the built-in plans."""
    result = cli("definition", "list", "--json")
    assert result.code == 0
    assert "county_2023" in [d["name"] for d in result.json()]


def test_simulate_progress_is_tqdm_on_stderr_only_when_asked(cli: Cli) -> None:
    """``--progress``: a tqdm bar on stderr; without it (stderr not a terminal) nothing, stdout clean."""
    argv = (
        "simulate",
        "county_2023",
        "--items",
        "5",
        "--from",
        "2023-07-03",
        "--until",
        "2023-07-05",
        "--seed",
        "1",
        "--summary-only",
    )
    shown = cli(*argv, "--progress")
    assert shown.code == 0 and "模拟进度 |" in shown.err and "3/3 天 [已用 " in shown.err
    assert "模拟进度" not in shown.out
    quiet = cli(*argv)
    assert quiet.code == 0 and "模拟进度" not in quiet.err


def test_report_progress_is_tqdm_on_stderr_only_when_asked(cli: Cli, db: str, tmp_path: Path) -> None:
    """``report all --progress``: a bar over the kinds of report on stderr; stdout lists the files
    as before; without it (stderr not a terminal) stderr stays empty."""
    init(cli, db)
    add_item(cli, db, "第一个问题")
    shown = cli("--db", db, "report", "all", "--out", str(tmp_path / "a"), "--progress")
    assert shown.code == 0 and "出具报告 |" in shown.err and "类 [已用 " in shown.err
    assert "出具报告" not in shown.out and "整改台账" in shown.out
    quiet = cli("--db", db, "report", "all", "--out", str(tmp_path / "b"))
    assert quiet.code == 0 and quiet.err == ""


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_completion_prints_the_script(cli: Cli, shell: str) -> None:
    """``zhenggai completion bash|zsh``: a shtab script that knows the commands and their options."""
    result = cli("completion", shell)
    assert result.code == 0 and result.err == ""
    assert "zhenggai" in result.out and "item" in result.out and "--unit" in result.out
    assert result.out.startswith("#compdef zhenggai" if shell == "zsh" else "# AUTOMATICALLY GENERATED by")
    assert cli("completion", "fish").code == 2
