"""The loader reports what keeps a definition from running, each problem at its own line."""

from __future__ import annotations

from pathlib import Path

import pytest
from zhenggai.engine import DefinitionError
from zhenggai.workflows import builtin_path, load_setup


def _line_of(text: str, needle: str, after: str = "") -> int:
    """1-based line of the first ``needle`` at or after the first ``after``."""
    start = text.index(after) if after else 0
    return text[: text.index(needle, start)].count("\n") + 1


def _broken_copy(tmp_path: Path, *replacements: tuple[str, str]) -> tuple[Path, str]:
    text = builtin_path("county_2023").read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def test_reference_problems_are_located_and_in_file_order(tmp_path: Path) -> None:
    """An unknown unit in a track, an unknown role and an unknown guard in the lifecycle are
    all reported at once, each as file:line: path: message on its own line, in file order."""
    path, text = _broken_copy(
        tmp_path,
        (
            "units: [discipline_commission, party_committee_office",
            "units: [discipline_commission, party_office",
        ),
        (
            "roles: [responsible]\n      guards: [has_measure]",
            "roles: [responsible, mayor]\n      guards: [has_measure]",
        ),
        ("guards: [all_measures_done, co_parts_done]", "guards: [all_measures_finished, co_parts_done]"),
    )
    with pytest.raises(DefinitionError) as err:
        load_setup(path)
    problems = err.value.problems
    assert len(problems) == 3, problems
    unit_line = _line_of(text, "party_office")
    role_line = _line_of(text, "mayor")
    guard_line = _line_of(text, "all_measures_finished")
    assert (
        problems[0].startswith(f"{path}:{unit_line}: tracks[0].units[1]: ")
        and "未知单位 party_office" in problems[0]
    )
    assert problems[1].startswith(f"{path}:{role_line}: lifecycle.transitions[1].roles[1]: ")
    assert "未知角色 mayor" in problems[1]
    assert problems[2].startswith(f"{path}:{guard_line}: lifecycle.transitions[2].guards[0]: ")
    assert "未知条件 all_measures_finished" in problems[2]


def test_unreachable_state_points_at_the_state(tmp_path: Path) -> None:
    """A state no transition leads to is reported at that state's line."""
    path, text = _broken_copy(
        tmp_path,
        (
            "    - {id: merged, label: 已合并, final: true}\n",
            "    - {id: merged, label: 已合并, final: true}\n    - {id: parked, label: 搁置}\n",
        ),
    )
    with pytest.raises(DefinitionError) as err:
        load_setup(path)
    line = _line_of(text, "id: parked")
    assert any(
        p.startswith(f"{path}:{line}: lifecycle.states[8]: ") and "不可达" in p for p in err.value.problems
    )


def test_internal_field_names_are_not_accepted(tmp_path: Path) -> None:
    """``definition_id`` is the engine's name; a file says ``id`` (and only that)."""
    path, text = _broken_copy(tmp_path, ("id: county_2023\n", "id: county_2023\ndefinition_id: other\n"))
    with pytest.raises(DefinitionError) as err:
        load_setup(path)
    assert err.value.problems == (f"{path}:{_line_of(text, 'definition_id')}: definition_id: 未知字段",)


def test_schema_errors_read_in_chinese(tmp_path: Path) -> None:
    """Wrong types and lengths are reported in Chinese, with the limit where there is one."""
    path, text = _broken_copy(
        tmp_path,
        ('version: "2023.1"', "version: [2023]"),
        ("title: 2023年持续深化作风整顿优化营商环境专项行动", "title: " + "长" * 201),
        ("start: 2023-06-01", "start: 2023-06-31"),
    )
    with pytest.raises(DefinitionError) as err:
        load_setup(path)
    problems = err.value.problems
    assert problems == (
        f"{path}:{_line_of(text, 'version: [2023]')}: version: 须为文本",
        f"{path}:{_line_of(text, 'title: 长')}: title: 过长 (最多 200 个字符)",
        f"{path}:{_line_of(text, 'start: 2023-06-31')}: start: 须为日期 (YYYY-MM-DD)",
    )


def test_builtin_phases_follow_the_plan() -> None:
    """四、实施方法步骤: the four phases with the plan's dates, back to back."""
    phases = [
        (p.id, p.name, p.start.isoformat(), p.end.isoformat()) for p in load_setup("county_2023").phases
    ]
    assert phases == [
        ("mobilization", "动员部署阶段", "2023-06-01", "2023-06-30"),
        ("inspection", "问题查摆阶段", "2023-07-01", "2023-07-31"),
        ("rectification", "整改落实阶段", "2023-08-01", "2023-08-31"),
        ("consolidation", "巩固提升阶段", "2023-09-01", "2023-12-31"),
    ]
    assert load_setup("hotline_2024").phases == []


@pytest.mark.parametrize(
    ("old", "new", "needle", "expected"),
    [
        (
            "start: 2023-08-01\n",
            "start: 2023-07-25\n",
            "start: 2023-07-25",
            "phases[2].start: 阶段 整改落实阶段 与上一阶段 问题查摆阶段 重叠 (上一阶段至 2023-07-31 结束, 本阶段 2023-07-25 开始)",
        ),
        (
            "start: 2023-08-01\n",
            "start: 2023-08-05\n",
            "start: 2023-08-05",
            "phases[2].start: 阶段 整改落实阶段 与上一阶段 问题查摆阶段 之间有空档 (2023-08-01 至 2023-08-04)",
        ),
        (
            "end: 2023-12-31\n",
            "end: 2023-08-31\n",
            "end: 2023-08-31\n    demands:\n      - {text: '各地各单位扎实",
            "phases[3].end: 阶段 巩固提升阶段 的结束日期 2023-08-31 早于开始日期 2023-09-01",
        ),
        (
            "id: inspection\n",
            "id: mobilization\n",
            "id: mobilization\n    name: 问题查摆阶段",
            "phases[1].id: 阶段 mobilization 重复定义",
        ),
        (
            "start: 2023-06-01\n    end",
            "start: 2023-05-20\n    end",
            "start: 2023-05-20",
            "phases[0].start: 阶段 动员部署阶段 早于专项行动开始日期 2023-06-01",
        ),
    ],
    ids=["overlap", "gap", "end-before-start", "duplicate", "before-campaign-start"],
)
def test_phase_mistakes_are_located(tmp_path: Path, old: str, new: str, needle: str, expected: str) -> None:
    """Each phase mistake is reported at the phase's line (with what it breaks elsewhere, e.g.
    duties after the campaign's end, at their own lines)."""
    path, text = _broken_copy(tmp_path, (old, new))
    with pytest.raises(DefinitionError) as err:
        load_setup(path)
    assert f"{path}:{_line_of(text, needle)}: {expected}" in err.value.problems
    assert all(p.startswith(f"{path}:") for p in err.value.problems)
