"""``zhenggai check`` and ``zhenggai definition``: for campaign authors, without a database.

Imports only the definition loader (pydantic, ruamel.yaml, the lifecycle checks), never
SQLAlchemy: checking a file is quick.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from typing import Any

from zhenggai.engine.errors import DefinitionError
from zhenggai.workflows import BUILTINS, builtin_path, check_definition, load_setup
from zhenggai.workflows.schema import OUTCOME_KEYS, CampaignSetup

__all__ = [
    "COMMANDS",
    "cmd_check",
    "cmd_definition_list",
    "cmd_definition_shift",
    "cmd_definition_show",
    "summary",
]

ActorTuple = tuple[str, str, str | None]


def summary(setup: CampaignSetup) -> dict[str, Any]:
    """The counts an author checks at a glance."""
    lifecycle = setup.lifecycle
    return {
        "id": setup.definition_id,
        "version": setup.definition_version,
        "title": setup.title,
        "county": setup.county,
        "units": len(setup.units),
        "tracks": len(setup.tracks),
        "roles": len(setup.roles),
        "channels": len(setup.channels),
        "phases": [
            {"id": p.id, "name": p.name, "start": p.start.isoformat(), "end": p.end.isoformat()}
            for p in setup.phases
        ],
        "states": len(lifecycle.states),
        "transitions": len(lifecycle.transitions),
        "timed": [t.trigger for t in lifecycle.transitions if t.after is not None],
        "lead_units": {t.id: t.units[0] for t in setup.tracks},
        "ladders": [
            {"id": ladder.id, "label": ladder.label, "steps": [s.id for s in ladder.steps]}
            for ladder in setup.ladders
        ],
        "ladder_steps": sum(len(ladder.steps) for ladder in setup.ladders),
        "duties": len(setup.duties),
        "templates": len(setup.notifications.templates),
        "outcomes": None
        if setup.outcomes is None
        else {
            "accountability": [e.label for e in setup.outcomes.accountability],
            "mechanism_kinds": [e.label for e in setup.outcomes.mechanism_kinds],
            "targets": {k: setup.outcomes.targets.target(k) for k in OUTCOME_KEYS},
        },
        "documents": None
        if setup.documents is None
        else {
            "label": setup.documents.label,
            "states": [s.id for s in setup.documents.lifecycle.states],
            "decisions": [s.label for s in setup.documents.lifecycle.states if s.final],
            "due_days": setup.documents.due.days,
            "due_count": setup.documents.due.count,
        },
    }


def cmd_check(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai check FILE…: load and check each definition; every located error, or a summary
    and the warnings (exit 0 with warnings, 1 when any file has an error)."""
    results: list[dict[str, Any]] = []
    for source in args.files:
        try:
            checked = check_definition(source)
        except DefinitionError as err:
            results.append({"file": source, "ok": False, "problems": list(err.problems), "warnings": []})
        else:
            results.append(
                {
                    "file": source,
                    "ok": True,
                    "summary": summary(checked.setup),
                    "problems": [],
                    "warnings": list(checked.warnings),
                }
            )
    failed = [r for r in results if not r["ok"]]
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return 1 if failed else 0
    for result in results:
        if result["ok"]:
            s = result["summary"]
            print(
                f"通过 {result['file']}: {s['title']} ({s['county']}; 实施方案 {s['id']} 版本 {s['version']})\n"
                f"  {s['tracks']} 个专项整治, {s['units']} 个单位, {s['roles']} 个角色, {s['channels']} 个来源渠道;"
                f" 流程 {s['states']} 个状态, {s['transitions']} 个触发"
                + (f" (其中 {len(s['timed'])} 个定时自动执行: {'、'.join(s['timed'])})" if s["timed"] else "")
            )
            phases = s["phases"]
            if phases:
                print(
                    f"  {len(phases)} 个阶段, {phases[0]['start']} 至 {phases[-1]['end']}: "
                    + "、".join(p["name"] for p in phases)
                )
            else:
                print("  不分阶段 (常态化)")
            ladders = "、".join(f"{x['label']} {len(x['steps'])} 步" for x in s["ladders"])
            print(
                f"  督办阶梯 {len(s['ladders'])} 个共 {s['ladder_steps']} 步"
                + (f" ({ladders})" if ladders else "")
                + f"; {s['duties']} 项职责, {s['templates']} 个消息模板"
            )
            outcomes = s["outcomes"]
            if outcomes is not None:
                targets = "、".join(
                    f"{OUTCOME_KEYS[k]} {v}" for k, v in outcomes["targets"].items() if v is not None
                )
                print(
                    f"  五个一批: 问责方式 {len(outcomes['accountability'])} 种 ({'、'.join(outcomes['accountability'])}),"
                    f" 长效机制 {len(outcomes['mechanism_kinds'])} 类; 目标: {targets or '未设'}"
                )
            docs = s["documents"]
            if docs is not None:
                days = f"{docs['due_days']} 个{'工作日' if docs['due_count'] == 'working' else '自然日'}"
                print(
                    f"  {docs['label']}: 流程 {len(docs['states'])} 个状态, 结论 {'、'.join(docs['decisions'])},"
                    f" 登记后 {days}内作出结论"
                )
            if result["warnings"]:
                print(f"  {len(result['warnings'])} 处警告 (不影响使用, 请确认):")
                for warning in result["warnings"]:
                    print(f"  警告 {warning}")
        else:
            print(f"未通过 {result['file']}: {len(result['problems'])} 处错误")
            for problem in result["problems"]:
                print(f"  {problem}")
    return 1 if failed else 0


def cmd_definition_list(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai definition list: the built-in definitions."""
    setups = {name: load_setup(name) for name in BUILTINS}
    if getattr(args, "json", False):
        rows = [
            {"name": name, "title": s.title, "county": s.county, "definition_version": s.definition_version}
            for name, s in setups.items()
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for name, setup in setups.items():
        print(f"{name}  {setup.title} ({setup.county}, 版本 {setup.definition_version})")
    return 0


def cmd_definition_show(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai definition show NAME: print a built-in definition, to start a county's own from."""
    print(builtin_path(args.name).read_text(encoding="utf-8"), end="")
    return 0


def cmd_definition_shift(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai definition shift: a definition re-dated (:mod:`._dated`)."""
    from ._dated import cmd_definition_shift as shift

    return shift(args, db, actor)


COMMANDS: Mapping[str, Any] = {
    "check": cmd_check,
    "definition_list": cmd_definition_list,
    "definition_show": cmd_definition_show,
    "definition_shift": cmd_definition_shift,
}
