"""Hostile YAML (issue 13, point 4): an alias bomb, a huge file, deep nesting and a flood of
nodes are each refused with ONE located error (``file:line: …``), quickly and in bounded
memory, never with an internal error — in definitions (``check_definition``, ``zhenggai
check``) and in calendar year files (``load_calendar_year``).

Wall times are not asserted (CI machines vary); the caps are what make these fast. The alias
bomb, which took minutes and gigabytes before the caps, also runs in a child process with an
address-space limit and a timeout, so a regression fails the test instead of taking the
machine down.
"""

from __future__ import annotations

import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from zhenggai.adapters.cli import main
from zhenggai.engine.errors import DefinitionError
from zhenggai.workflows import builtin_path, check_definition
from zhenggai.workflows._calendar_file import load_calendar_year
from zhenggai.workflows._loader import MAX_DEFINITION_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES

from tests.conftest import bounded_python

#: "Billion laughs": nine levels of nine aliases each, 9**9 (387 million) leaves in 300 bytes.
ALIAS_BOMB = "zhenggai: 1\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)


def _flow_nesting(depth: int) -> str:
    return "zhenggai: 1\nx: " + "[" * depth + "]" * depth + "\n"


def _block_nesting(depth: int) -> str:
    return "zhenggai: 1\nx:\n" + "- " * depth + "1\n"  # nested block sequences on one line


def _many_nodes(count: int) -> str:
    return "zhenggai: 1\nx: [" + "1, " * count + "1]\n"


#: name → (text, the message's start, its line); each under the calendar file's 64 KB cap too.
HOSTILE = {
    "alias_bomb": (ALIAS_BOMB, "不支持 YAML 别名 (*a)", 3),
    "flow_nesting": (_flow_nesting(10_000), f"嵌套过深 (最多 {MAX_YAML_DEPTH} 层)", 2),
    "block_nesting": (_block_nesting(10_000), f"嵌套过深 (最多 {MAX_YAML_DEPTH} 层)", 3),
    "many_nodes": (_many_nodes(MAX_YAML_NODES + 1_000), f"内容过多 (最多 {MAX_YAML_NODES} 个 YAML 节点)", 2),
}
LOADERS: dict[str, Callable[[Path], object]] = {
    "definition": check_definition,
    "calendar": load_calendar_year,
}


def _refusal(load: Callable[[Path], object], path: Path) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load(path)
    return list(caught.value.problems)


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_file_is_one_located_error(tmp_path: Path, name: str, loader: str) -> None:
    text, message, line = HOSTILE[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    assert len(text.encode()) < 64 * 1024
    problems = _refusal(LOADERS[loader], path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:{line}: {message}"), problems


@pytest.mark.parametrize("depth", [100_000])
@pytest.mark.parametrize("shape", [_flow_nesting, _block_nesting])
def test_100k_nesting_is_not_a_recursion_error(
    tmp_path: Path, depth: int, shape: Callable[[int], str]
) -> None:
    """The issue's 100,000 levels: refused by depth, never ``内部错误: RecursionError``."""
    path = tmp_path / "deep.yaml"
    path.write_text(shape(depth), encoding="utf-8")
    problems = _refusal(check_definition, path)
    assert len(problems) == 1 and f"嵌套过深 (最多 {MAX_YAML_DEPTH} 层)" in problems[0]


def test_huge_definition_is_refused_by_size_without_reading_it(tmp_path: Path) -> None:
    """50 MB: refused by its size, after reading little more than the cap (memory measured)."""
    path = tmp_path / "huge.yaml"
    with path.open("w", encoding="utf-8") as file:
        file.write("zhenggai: 1\ntitle: ")
        for _ in range(50):
            file.write("x" * 1024 * 1024)
        file.write("\n")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        problems = _refusal(check_definition, path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problems == [f"{path}: 文件过大 ({size} 字节; 定义文件不超过 {MAX_DEFINITION_BYTES} 字节)"]
    assert peak < 3 * MAX_DEFINITION_BYTES  # the cap's worth was read, not 50 MB


def test_huge_calendar_file_is_refused_by_size(tmp_path: Path) -> None:
    path = tmp_path / "year.yaml"
    path.write_text("zhenggai_calendar: 1\nsource: " + "x" * 1_000_000 + "\n", encoding="utf-8")
    problems = _refusal(load_calendar_year, path)
    assert len(problems) == 1 and problems[0].startswith(f"{path}: 文件过大 (")


def test_builtin_plans_are_far_below_the_caps() -> None:
    """The caps leave the built-in plans (and counties' larger ones) plenty of room."""
    for name in ("county_2023", "hotline_2024"):
        path = builtin_path(name)
        assert path.stat().st_size * 10 < MAX_DEFINITION_BYTES
        text = path.read_text(encoding="utf-8")
        assert text.count("\n") * 4 < MAX_YAML_NODES  # fewer than four nodes a line
        assert check_definition(name).setup is not None


def test_anchors_without_aliases_still_load(tmp_path: Path) -> None:
    """Only aliases are refused: an anchor alone is harmless (the schema judges the rest)."""
    text = builtin_path("county_2023").read_text(encoding="utf-8")
    path = tmp_path / "anchored.yaml"
    path.write_text(text.replace("\nunits:\n", "\nunits: &units\n", 1), encoding="utf-8")
    assert check_definition(path).setup is not None


@pytest.mark.parametrize("name", HOSTILE)
def test_check_cli_refuses_with_one_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    """``zhenggai check``: exit 1, the file 未通过 with one located error, no 内部错误."""
    text, message, line = HOSTILE[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert code == 1
    lines = [row.strip() for row in out.splitlines()]
    assert lines[0] == f"未通过 {path}: 1 处错误"
    assert lines[1].startswith(f"{path}:{line}: {message}")
    assert "内部错误" not in out + err and "Traceback" not in out + err


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")
def test_alias_bomb_in_bounded_memory(tmp_path: Path) -> None:
    """Before the caps this ran past 120 s and 775 MB; now a 1 GB child refuses it at once."""
    path = tmp_path / "bomb.yaml"
    path.write_text(ALIAS_BOMB, encoding="utf-8")
    result = bounded_python(f"""
        from zhenggai.adapters.cli import main
        raise SystemExit(main(["check", {str(path)!r}]))
    """)
    assert result.returncode == 1, result.stderr
    assert f"{path}:3: 不支持 YAML 别名 (*a)" in result.stdout
