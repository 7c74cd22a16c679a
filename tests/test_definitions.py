"""Definitions, step 1: the built-in county plan loads as the plan says, a broken file is
reported as located ``file:line: path: message`` lines (all at once), and a lifecycle the
engine cannot run is refused by ``Engine.start_campaign`` with every problem listed.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from zhenggai.engine import CampaignSetup, DefinitionError, Engine, VirtualClock
from zhenggai.testing import DEFAULT_START
from zhenggai.workflows import BUILTINS, builtin_path, load_setup

LEAD_UNITS = {
    "obstruction": "discipline_commission",
    "legacy_commitments": "development_reform_commission",
    "construction": "housing_construction_bureau",
    "factor_supply": "government_office",
    "government_services": "government_service_center",
    "rule_of_law": "political_legal_committee",
}
LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<path>[^:]+): (?P<message>.+)$")


@pytest.fixture(scope="module")
def builtin() -> CampaignSetup:
    return load_setup("county_2023")


def write(tmp_path: Path, body: str, name: str = "def.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(DefinitionError) as info:
        load_setup(path)
    assert str(info.value).startswith("定义有误")
    return list(info.value.problems)


def located(problems: list[str]) -> dict[str, tuple[int, str]]:
    """{path: (line, message)} from ``file:line: path: message`` lines (each must match)."""
    out: dict[str, tuple[int, str]] = {}
    for problem in problems:
        match = LOCATED.match(problem)
        assert match, f"not of the form file:line: path: message: {problem!r}"
        out[match["path"]] = (int(match["line"]), match["message"])
    return out


# ---------------------------------------------------------------------------------- built-in


def test_builtin_has_the_six_tracks_in_the_plans_order(builtin: CampaignSetup) -> None:
    """The six 专项整治 of the plan, in its order (三、(一)…(六))."""
    assert [t.id for t in builtin.tracks] == list(LEAD_UNITS)


def test_builtin_lead_units_come_first(builtin: CampaignSetup) -> None:
    """Each track's first unit is its 牵头单位 as the plan names it."""
    assert {t.id: t.units[0] for t in builtin.tracks} == LEAD_UNITS


def test_builtin_track_units_are_all_declared(builtin: CampaignSetup) -> None:
    """Every unit a track names is a declared unit or a wildcard (各地各单位, 县直有关单位)."""
    declared = {u.id for u in builtin.units} | {"all_units", "county_units"}
    assert {u for t in builtin.tracks for u in t.units} <= declared


def test_builtin_identity_and_lifecycle(builtin: CampaignSetup) -> None:
    """Identity from the file (id/version renamed), YAML dates as dates, the standard lifecycle."""
    assert (builtin.definition_id, builtin.definition_version) == ("county_2023", "2023.1")
    assert builtin.start == dt.date(2023, 6, 1)
    assert builtin.lifecycle.id == "standard" and builtin.lifecycle.initial == "identified"
    assert builtin.lifecycle.final_states == {"closed", "dismissed", "merged"}


def test_builtin_by_name_and_by_path_agree(builtin: CampaignSetup) -> None:
    """load_setup accepts the built-in's name or its file path."""
    assert list(BUILTINS) == ["county_2023", "hotline_2024"]
    assert load_setup(builtin_path("county_2023")) == builtin


def test_unknown_builtin_and_missing_file_are_definition_errors(tmp_path: Path) -> None:
    """An unknown built-in name and a missing file give DefinitionError, not OSError."""
    with pytest.raises(DefinitionError, match="没有这个内置定义"):
        builtin_path("county_1999")
    with pytest.raises(DefinitionError, match="文件不存在"):
        load_setup(tmp_path / "absent.yaml")


# ------------------------------------------------------------------------------ broken files

BROKEN = """
zhenggai: 2
id: county_x
version: "1"
title: 测试
county: XX县
colour: red
channels: [{id: hotline, label: 举报电话}]
roles:
  - {id: office, label: 办公室}
  - {id: Bad-Role, label: 坏角色}
units:
  - {id: u1, name: 单位一}
  - {id: u2}
tracks:
  - id: t1
    name: 专项一
    units: [u1]
    leader: someone
lifecycle:
  id: standard
  initial: a
  states:
    - {id: a, label: A}
  transitions: []
"""


def test_every_schema_error_is_reported_at_once_with_its_line(tmp_path: Path) -> None:
    """Six mistakes in one file give six located problems, each on its own line."""
    path = write(tmp_path, BROKEN)
    problems = problems_of(path)
    assert all(p.startswith(f"{path}:") for p in problems)
    assert located(problems) == {
        "zhenggai": (1, "须为 1 (文件格式版本)"),
        "colour": (6, "未知字段"),
        "roles[1].id": (10, "须为小写英文标识 (a-z, 0-9, _)"),
        "units[1].name": (13, "缺少必填项"),
        "tracks[0].leader": (18, "未知字段"),
        "lifecycle.transitions": (24, "不能为空"),
    }


def test_renamed_top_level_keys_are_reported_by_their_file_name(tmp_path: Path) -> None:
    """A bad ``id`` is reported as ``id`` (the file's key), not the model's definition_id."""
    body = (
        builtin_path("county_2023").read_text(encoding="utf-8").replace("id: county_2023", "id: County-2023")
    )
    path = write(tmp_path, body)
    line = next(i for i, text in enumerate(body.splitlines(), 1) if text.startswith("id: County-2023"))
    assert located(problems_of(path)) == {"id": (line, "须为小写英文标识 (a-z, 0-9, _)")}


def test_duplicate_keys_are_refused_with_their_line(tmp_path: Path) -> None:
    """A key given twice is an error at the second occurrence (YAML would silently keep one)."""
    path = write(
        tmp_path,
        """
        zhenggai: 1
        id: county_x
        title: 第一个标题
        county: XX县
        title: 第二个标题
        """,
    )
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:5: ")
    assert "title" in problem and "duplicate" in problem


def test_yaml_syntax_error_is_located(tmp_path: Path) -> None:
    """A syntax error names the file and the line where the parser stopped."""
    path = write(
        tmp_path,
        """
        zhenggai: 1
        id: county_x
        title: 测试
        county: XX县: 多余
        """,
    )
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:4: YAML 格式错误")


def test_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    """A YAML list at the top is refused with a located message."""
    path = write(tmp_path, "- a\n- b\n")
    assert problems_of(path) == [f"{path}:1: 定义文件须为映射 (键: 值)"]


def test_yaml_1_2_keeps_times_and_no_as_strings(tmp_path: Path) -> None:
    """``17:30`` stays a string (YAML 1.1 reads 1050) and ``no`` stays a string (1.1: False)."""
    body = builtin_path("county_2023").read_text(encoding="utf-8")
    body = body.replace("title: 2023年持续深化作风整顿优化营商环境专项行动", "title: 17:30").replace(
        "county: XX县", "county: no"
    )
    setup = load_setup(write(tmp_path, body))
    assert (setup.title, setup.county) == ("17:30", "no")


# -------------------------------------------------------------------- lifecycle the engine refuses


def _broken_lifecycle(builtin: CampaignSetup) -> CampaignSetup:
    """The built-in with four mistakes in its lifecycle: an unknown guard, an unreachable state,
    a dead-end state and an unknown role."""
    data: dict[str, Any] = builtin.model_dump()
    life = data["lifecycle"]
    life["states"] += [
        {"id": "archived", "label": "已归档", "final": False},  # nothing leads here
        {"id": "on_hold", "label": "暂缓", "final": False},  # nothing leads out of here
    ]
    life["transitions"] += [
        {"trigger": "hold", "label": "暂缓", "source": ["assigned"], "dest": "on_hold", "roles": ["mayor"],
         "guards": ["moon_is_full"]},
        {"trigger": "unarchive", "label": "销档", "source": ["archived"], "dest": "closed",
         "roles": ["leading_group_office"]},
    ]  # fmt: skip
    return CampaignSetup.model_validate(data)


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    eng = Engine(tmp_path / "zhenggai.db", clock=VirtualClock(DEFAULT_START))
    yield eng
    eng.dispose()


def test_start_campaign_lists_every_lifecycle_problem(engine: Engine, builtin: CampaignSetup) -> None:
    """Unknown guard, unreachable state, dead-end state and unknown role: all four reported."""
    with pytest.raises(DefinitionError) as info:
        engine.start_campaign(_broken_lifecycle(builtin), key="broken")
    text = "\n".join(info.value.problems)
    assert len(info.value.problems) == 4, text
    assert "moon_is_full" in text and "未知条件" in text
    assert "archived" in text and "不可达" in text
    assert "on_hold" in text and "无法到达任何终止状态" in text
    assert "mayor" in text and "未知角色" in text
    assert engine.campaigns() == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda life: life["transitions"][0].update(guards=["has_due", "is_friday"]), "未知条件 is_friday"),
        (lambda life: life["transitions"][0].update(effects=["make_tea"]), "未知效果 make_tea"),
        (lambda life: life["transitions"][0].update(roles=["emperor"]), "未知角色 emperor"),
        (lambda life: life["transitions"][0].update(dest="nowhere"), "未知状态 nowhere"),
        (lambda life: life.update(initial="limbo"), "未知状态 limbo"),
        (lambda life: life["operations"].pop("read_reporter"), "operations.read_reporter"),
        (lambda life: life["operations"].update(read_reporter=["nobody"]), "未知角色 nobody"),
        (
            lambda life: [s.update(final=False) for s in life["states"]],
            "没有终止状态",
        ),
        (
            lambda life: life["transitions"].append(dict(life["transitions"][0])),
            "重复定义",
        ),
    ],
    ids=[
        "unknown guard", "unknown effect", "unknown role", "unknown dest", "unknown initial",
        "operation without roles", "operation with unknown role", "no final state", "duplicate trigger",
    ],
)  # fmt: skip
def test_start_campaign_refuses_each_lifecycle_mistake(
    engine: Engine, builtin: CampaignSetup, change: Any, expected: str
) -> None:
    """Each kind of lifecycle mistake is caught before anything is written."""
    data: dict[str, Any] = builtin.model_dump()
    change(data["lifecycle"])
    with pytest.raises(DefinitionError) as info:
        engine.start_campaign(CampaignSetup.model_validate(data), key="broken")
    assert any(expected in p for p in info.value.problems), info.value.problems
    assert engine.campaigns() == []


def test_start_campaign_refuses_unknown_track_unit(engine: Engine, builtin: CampaignSetup) -> None:
    """A track naming an undeclared unit, or a wildcard as lead unit, is refused."""
    data: dict[str, Any] = builtin.model_dump()
    data["tracks"][0]["units"] = ["all_units", "ghost_bureau"]
    with pytest.raises(DefinitionError) as info:
        engine.start_campaign(CampaignSetup.model_validate(data), key="broken")
    text = "\n".join(info.value.problems)
    assert "未知单位 ghost_bureau" in text and "牵头单位" in text


def test_ids_too_long_for_the_database_are_located(tmp_path: Path) -> None:
    """A state id longer than its column (40) is reported at its line when the file is loaded,
    not by PostgreSQL at the first transition."""
    long_state = "identified_and_waiting_for_the_office_now"
    assert len(long_state) == 41
    body = builtin_path("county_2023").read_text(encoding="utf-8")
    body = body.replace("- {id: identified, label: 已查摆}", f"- {{id: {long_state}, label: 已查摆}}")
    line = next(i for i, text in enumerate(body.splitlines(), 1) if long_state in text)
    path = write(tmp_path, body)
    assert located(problems_of(path))["lifecycle.states[0].id"] == (line, "过长 (最多 40 个字符)")
