"""Property tests of definitions (issue 3, point 8): every generated definition passes the
validator and round-trips through a file (dump → load → equal); a catalogue of single mutations
(dangling reference, overlap, gap, unreachable state, dead end, ladder disorder, unknown guard,
bad template variable, bad date, duplicate id, a year the calendar does not know) is each refused
with an error that names the mutated element's own line.

Generated definitions come from :func:`zhenggai.testing.strategies.definitions`. The expected
line is read from the written file independently of the loader's own bookkeeping: the file is
parsed again with ruamel.yaml's round-trip loader and the mutated element's path walked to its
key or list item.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from zhenggai.engine import DefinitionError
from zhenggai.engine.checks import check_setup
from zhenggai.testing.strategies import definitions
from zhenggai.workflows import check_definition, dump_setup, template_problems
from zhenggai.workflows.schema import CampaignSetup

#: ZHENGGAI_PROPERTY_EXAMPLES=N runs N examples per property instead (a longer soak).
SOAK = int(os.environ.get("ZHENGGAI_PROPERTY_EXAMPLES", "0"))
SETTINGS = settings(max_examples=SOAK or 50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Each mutation is its own property; together they get about as many examples as one.
MUTATION_SETTINGS = settings(SETTINGS, max_examples=SOAK or 12)


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="zg-defs-") as name:
        yield Path(name)


def _write(folder: Path, text: str) -> Path:
    path = folder / "generated.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@SETTINGS
@given(setup=definitions())
def test_generated_definitions_pass_every_check(setup: CampaignSetup) -> None:
    """The strategy only makes definitions the engine would run."""
    assert check_setup(setup) == []
    assert template_problems(setup) == []


@SETTINGS
@given(setup=definitions())
def test_dump_then_load_gives_the_same_definition(folder: Path, setup: CampaignSetup) -> None:
    """A definition written as a file reads back equal, with no error (warnings allowed)."""
    checked = check_definition(_write(folder, dump_setup(setup)))
    assert checked.setup == setup
    assert all(w.startswith(f"{checked.path}:") for w in checked.warnings)


# ---------------------------------------------------------------------------- mutations

#: A mutation edits the file's data in place and returns (path, message fragment): the path of
#: the mutated element, as the loader names it.
Mutation = Callable[[dict[str, Any], st.DataObject], tuple[str, str]]


def _pick(data: st.DataObject, items: list[Any], label: str) -> int:
    assume(items)
    return data.draw(st.integers(0, len(items) - 1), label=label)


def dangling_unit(d: dict[str, Any], data: st.DataObject) -> tuple[str, str]:
    i = _pick(data, d["tracks"], "track")
    k = _pick(data, d["tracks"][i]["units"], "unit")
    d["tracks"][i]["units"][k] = "u_ghost_unit_x"
    return f"tracks[{i}].units[{k}]", "未知单位 u_ghost_unit_x"


def dangling_role(d: dict[str, Any], data: st.DataObject) -> tuple[str, str]:
    transitions = d["lifecycle"]["transitions"]
    i = _pick(data, transitions, "transition")
    transitions[i]["roles"].append("r_ghost_role_x")
    return f"lifecycle.transitions[{i}].roles[{len(transitions[i]['roles']) - 1}]", "未知角色"


def phase_overlap(d: dict[str, Any], data: st.DataObject) -> tuple[str, str]:
    phases = d.get("phases", [])
    assume(len(phases) >= 2)
    i = data.draw(st.integers(1, len(phases) - 1), label="phase")
    prev_end = dt.date.fromisoformat(phases[i - 1]["end"])
    phases[i]["start"] = (prev_end - dt.timedelta(days=data.draw(st.integers(0, 3)))).isoformat()
    return f"phases[{i}].start", "重叠"


def phase_gap(d: dict[str, Any], data: st.DataObject) -> tuple[str, str]:
    phases = d.get("phases", [])
    assume(len(phases) >= 2)
    i = data.draw(st.integers(1, len(phases) - 1), label="phase")
    prev_end = dt.date.fromisoformat(phases[i - 1]["end"])
    phases[i]["start"] = (prev_end + dt.timedelta(days=data.draw(st.integers(2, 5)))).isoformat()
    return f"phases[{i}].start", "之间有空档"


def unreachable_state(d: dict[str, Any], data: st.DataObject) -> tuple[str, str]:
    states = d["lifecycle"]["states"]
    states.append({"id": "s_orphan_state_x", "label": "孤立状态"})
    return f"lifecycle.states[{len(states) - 1}]", "从初始状态不可达"


def dead_end(d: dict[str, Any], data: st.DataObject) -> tuple[str, str]:
    lifecycle = d["lifecycle"]
    lifecycle["states"].append({"id": "s_dead_end_x", "label": "死胡同"})
    lifecycle["transitions"].append(
        {
            "trigger": "t_into_dead_end_x",
            "label": "进入死胡同",
            "source": [lifecycle["initial"]],
            "dest": "s_dead_end_x",
            "roles": [d["roles"][0]["id"]],
        }
    )
    return f"lifecycle.states[{len(lifecycle['states']) - 1}]", "无法到达任何终止状态"


def ladder_disorder(d: dict[str, Any], data: st.DataObject) -> tuple[str, str]:
    ladders = [i for i, ladder in enumerate(d.get("ladders", [])) if len(ladder["steps"]) >= 2]
    i = ladders[_pick(data, ladders, "ladder")]
    steps = d["ladders"][i]["steps"]
    j = data.draw(st.integers(1, len(steps) - 1), label="step")
    steps[j]["offset"] = steps[j - 1]["offset"] - data.draw(st.integers(0, 3))
    return f"ladders[{i}].steps[{j}].offset", "顺序错误"


def unknown_guard(d: dict[str, Any], data: st.DataObject) -> tuple[str, str]:
    transitions = d["lifecycle"]["transitions"]
    i = _pick(data, transitions, "transition")
    guards = transitions[i].setdefault("guards", [])
    guards.append("no_such_guard_x")
    return f"lifecycle.transitions[{i}].guards[{len(guards) - 1}]", "未知条件 no_such_guard_x"


def bad_template_variable(d: dict[str, Any], data: st.DataObject) -> tuple[str, str]:
    templates = d.get("notifications", {}).get("templates", {})
    kinds = sorted(templates)
    kind = kinds[_pick(data, kinds, "template")]
    templates[kind]["body"] += " {{ ghost_variable_x }}"
    return f"notifications.templates.{kind}.body", "没有的变量 ghost_variable_x"


def bad_date(d: dict[str, Any], data: st.DataObject) -> tuple[str, str]:
    phases = d.get("phases", [])
    if phases:
        i = _pick(data, phases, "phase")
        phases[i]["end"] = "2023-02-30"
        return f"phases[{i}].end", "须为日期"
    d["start"] = "2023-02-30"
    return "start", "须为日期"


def duplicate_unit(d: dict[str, Any], data: st.DataObject) -> tuple[str, str]:
    i = _pick(data, d["units"], "unit")
    d["units"].append({"id": d["units"][i]["id"], "name": "重复单位"})
    return f"units[{len(d['units']) - 1}].id", "重复定义"


def year_outside_calendar(d: dict[str, Any], data: st.DataObject) -> tuple[str, str]:
    d.setdefault("calendar", {})["base"] = "cn_statutory"
    d["start"] = "2049-10-01"
    return "start", "超出工作日历已知的年份"


def timer_needs_a_person(d: dict[str, Any], data: st.DataObject) -> tuple[str, str]:
    """A transition made timed although a guard of it wants someone's reason."""
    transitions = d["lifecycle"]["transitions"]
    i = _pick(data, transitions, "transition")
    finals = {s["id"] for s in d["lifecycle"]["states"] if s.get("final")}
    assume(not set(transitions[i]["source"]) & finals)
    transitions[i]["after"] = {"days": data.draw(st.integers(1, 20)), "count": "working"}
    guards = transitions[i].setdefault("guards", [])
    if "has_reason" not in guards:
        guards.append("has_reason")
    return f"lifecycle.transitions[{i}].guards[{guards.index('has_reason')}]", "需要人工填写"


def term_without_a_secret(d: dict[str, Any], data: st.DataObject) -> tuple[str, str]:
    """A 保密期限 on a document that is not secret (no 密级, or 内部)."""
    kind = data.draw(st.sampled_from(["progress_bulletin", "case_bulletin", "self_check"]), label="kind")
    marks = d.setdefault("reports", {}).setdefault(kind, {})
    marks["classification"] = data.draw(st.sampled_from([None, "内部"]), label="classification")
    if marks["classification"] is None:
        del marks["classification"]
    marks["secrecy_term"] = "1年"
    return f"reports.{kind}.secrecy_term", "保密期限"


# 延期申请 and 退单 (issue 17): a generated definition that has no such block gets a minimal one
# first, so every mutation applies to every example.


def _extensions(d: dict[str, Any]) -> dict[str, Any]:
    block: dict[str, Any] = d.setdefault("extensions", {"approvers": [d["roles"][0]["id"]]})
    return block


def _send_back(d: dict[str, Any]) -> dict[str, Any]:
    block: dict[str, Any] = d.setdefault(
        "send_back",
        {
            "within": {"days": 3},
            "reasons": [{"id": "b_not_ours", "label": "不属于本单位职责"}],
            "ruled_by": [d["roles"][0]["id"]],
        },
    )
    return block


def extension_unknown_approver(d: dict[str, Any], data: st.DataObject) -> tuple[str, str]:
    approvers = _extensions(d)["approvers"]
    k = data.draw(st.integers(0, len(approvers)), label="approver")
    approvers.insert(k, "r_ghost_role_x")
    return f"extensions.approvers[{k}]", "未知角色 r_ghost_role_x"


def _unit_bound_last(d: dict[str, Any], data: st.DataObject, roles: list[str], path: str) -> tuple[str, str]:
    """A unit-bound role of the definition put last in ``roles`` (found at ``path``)."""
    bound = [r["id"] for r in d["roles"] if r.get("unit_bound")]
    role = bound[_pick(data, bound, "unit-bound role")]
    roles[:] = [r for r in roles if r != role] + [role]
    return f"{path}[{len(roles) - 1}]", "属于单位"


def extension_unit_bound_approver(d: dict[str, Any], data: st.DataObject) -> tuple[str, str]:
    """A unit would approve its own extension."""
    return _unit_bound_last(d, data, _extensions(d)["approvers"], "extensions.approvers")


def extension_max_zero(d: dict[str, Any], data: st.DataObject) -> tuple[str, str]:
    _extensions(d)["max_per_item"] = 0
    return "extensions.max_per_item", "须至少为 1"


def send_back_unknown_ruler(d: dict[str, Any], data: st.DataObject) -> tuple[str, str]:
    ruled_by = _send_back(d)["ruled_by"]
    ruled_by.append("r_ghost_role_x")
    return f"send_back.ruled_by[{len(ruled_by) - 1}]", "未知角色 r_ghost_role_x"


def send_back_unit_bound_ruler(d: dict[str, Any], data: st.DataObject) -> tuple[str, str]:
    """A unit would rule on its own send-back."""
    return _unit_bound_last(d, data, _send_back(d)["ruled_by"], "send_back.ruled_by")


def send_back_duplicate_reason(d: dict[str, Any], data: st.DataObject) -> tuple[str, str]:
    reasons = _send_back(d)["reasons"]
    i = _pick(data, reasons, "reason")
    reasons.append({"id": reasons[i]["id"], "label": "重复的理由"})
    return f"send_back.reasons[{len(reasons) - 1}].id", "重复定义"


def send_back_within_zero(d: dict[str, Any], data: st.DataObject) -> tuple[str, str]:
    _send_back(d)["within"]["days"] = 0
    return "send_back.within.days", "取值无效"


MUTATIONS: dict[str, Mutation] = {
    f.__name__: f
    for f in (
        dangling_unit,
        dangling_role,
        phase_overlap,
        phase_gap,
        unreachable_state,
        dead_end,
        ladder_disorder,
        unknown_guard,
        bad_template_variable,
        bad_date,
        duplicate_unit,
        year_outside_calendar,
        timer_needs_a_person,
        term_without_a_secret,
        extension_unknown_approver,
        extension_unit_bound_approver,
        extension_max_zero,
        send_back_unknown_ruler,
        send_back_unit_bound_ruler,
        send_back_duplicate_reason,
        send_back_within_zero,
    )
}


def _data(setup: CampaignSetup) -> dict[str, Any]:
    yaml = YAML(typ="safe", pure=True)
    loaded: dict[str, Any] = yaml.load(dump_setup(setup))
    return loaded


def _text(d: dict[str, Any]) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096
    out = io.StringIO()
    yaml.dump(d, out)
    return out.getvalue()


def _line_at(text: str, where: str) -> int:
    """The 1-based line of the element at ``where`` (``ladders[0].steps[2].offset``) in ``text``."""
    node: Any = YAML(typ="rt", pure=True).load(text)
    line = 0
    for part in re.findall(r"[^.\[\]]+", where):
        if isinstance(node, list):
            line, node = node.lc.item(int(part))[0], node[int(part)]
        else:
            line, node = node.lc.key(part)[0], node[part]
    return line + 1


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_single_mutation_is_refused_at_its_line(folder: Path, name: str) -> None:
    """One mistake in a valid generated definition: refused, with a problem at the line of the
    mutated element naming its path."""

    @MUTATION_SETTINGS
    @given(setup=definitions(), data=st.data())
    def check(setup: CampaignSetup, data: st.DataObject) -> None:
        d = _data(setup)
        where, fragment = MUTATIONS[name](d, data)
        text = _text(d)
        path = _write(folder, text)
        with pytest.raises(DefinitionError) as err:
            check_definition(path)
        prefix = f"{path}:{_line_at(text, where)}: {where}: "
        hits = [p for p in err.value.problems if p.startswith(prefix)]
        assert hits, f"{name}: no problem starts with {prefix!r}:\n" + "\n".join(err.value.problems)
        assert any(fragment in p for p in hits), hits

    check()
