"""The campaign-wide commands: ``zhenggai init``, ``campaign``, ``audit``, ``import``, ``report``,
``demo`` and ``simulate``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from zhenggai.engine import Actor

from ._context import (
    ActorTuple,
    _actor,
    _campaign_key,
    _ignored_note,
    _print_json,
    _sqlite_file,
    open_engine,
    print_rejection,
    print_report_files,
    shown_db,
)
from ._render import _flat
from ._tables import format_date


def cmd_init(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai init: create the schema and start a campaign from a definition (re-dated with
    ``--start`` / ``--to-year``); refused, before any database is made, when all its phases have
    ended (see :mod:`._dated`)."""
    from zhenggai.engine import SystemClock
    from zhenggai.workflows.schema import UNIT_WILDCARDS

    from ._dated import setup_for_init

    clock = SystemClock()
    start = dt.date.fromisoformat(args.start) if getattr(args, "start", None) else None
    calendar = None
    path = _sqlite_file(db)
    if path is None or path.exists():  # a database already there may have calendar years loaded
        from zhenggai.workflows import load_setup

        with open_engine(db, clock=clock) as engine:
            calendar = engine.working_calendar(load_setup(args.definition).calendar)
    setup, warnings = setup_for_init(
        args.definition,
        start=start,
        to_year=getattr(args, "to_year", None),
        now=clock.now(),
        calendar=calendar,
    )
    for warning in warnings:
        print(warning, file=sys.stderr)
    with open_engine(db, create=True, clock=clock) as engine:
        view = engine.start_campaign(setup, key=args.campaign)
    if args.json:
        _print_json(view.to_dict())
        return 0
    units = {u.id: u.name for u in setup.units}
    print(f"已启动专项行动: {view.title}")
    print(f"  标识      {view.key} (实施方案 {view.definition_id}, 版本 {view.definition_version})")
    print(f"  县        {view.county}")
    print(f"  时区      {view.timezone}")
    print(f"  单位      {len(setup.units)} 个")
    print(f"  专项整治  {len(setup.tracks)} 项")
    for i, track in enumerate(setup.tracks, 1):
        named = [units.get(u) or UNIT_WILDCARDS.get(u, u) for u in track.units]
        print(f"    {i}. {track.name} ({track.id}): 牵头单位 {named[0]}; 责任单位 {len(track.units)} 个")
    print(f"  数据库    {shown_db(db)}")
    from ._contacts import print_unreachable

    print_unreachable(db, view.key)  # who has no contact yet: their messages would be dead letters
    return 0


def cmd_campaign_recompute(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai campaign recompute: recompute every open deadline after a calendar change."""
    from ._progress import progress_callback, wanted

    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign)
        # One transaction: the bar counts the items and open duties looked at inside it.
        with progress_callback(
            sys.stderr if wanted(args.progress) else None, desc="重算整改时限", unit="项"
        ) as bar:
            report = engine.recompute_deadlines(key, _actor(actor), progress=bar)
    if args.json:
        _print_json(report.to_dict())
        return 0
    print(
        f"专项行动 {report.campaign}: 按现行工作日历重算整改时限, {len(report.moved)} 个问题的整改时限变更,"
        f" {report.retimed} 个待办督办步骤改期"
    )
    for item_id, old, new in report.moved:
        print(f"  问题 {item_id}: {format_date(old)} → {format_date(new)}")
    return 0


def cmd_campaign_migrate(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai campaign migrate: move a running campaign to a new version of its definition."""
    from zhenggai.workflows import load_setup

    setup = load_setup(args.definition)
    with open_engine(db) as engine:
        before = engine.campaign(args.campaign)
        view = engine.migrate_campaign(args.campaign, setup, _actor(actor))
    if args.json:
        _print_json(view.to_dict())
        return 0
    print(
        f"专项行动 {view.key} 已改用实施方案 {view.definition_id} 版本 {view.definition_version}"
        f" (原版本 {before.definition_version})"
    )
    return 0


def cmd_audit_verify(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai audit verify [--anchors FILE]: re-check the hash chains and what they vouch for
    (against anchors kept outside the database, when given); exit 1 when anything was tampered with."""
    from ._anchors import read_anchors

    anchors = read_anchors(args.anchors) if args.anchors else []
    with open_engine(db) as engine:
        report = engine.verify_audit(args.campaign, anchors=anchors)
    if args.json:
        _print_json(
            {
                "ok": report.ok,
                "events": report.events,
                "campaigns": report.campaigns,
                "anchors": report.anchors,
                "problems": list(report.problems),
            }
        )
        return 0 if report.ok else 1
    against = f", 对照 {report.anchors} 个库外锚点" if args.anchors else ""
    if report.ok:
        print(
            f"审计链完整: {report.campaigns} 个专项行动, 共 {report.events} 条审计记录{against}, 未发现改动、插入或删除"
        )
        return 0
    print(
        f"审计链不完整: 发现 {len(report.problems)} 处问题 ({report.campaigns} 个专项行动, 共 {report.events} 条审计记录{against})"
    )
    for problem in report.problems:
        print(f"  {problem}")
    return 1


def cmd_audit_anchor(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai audit anchor [--out FILE]: the chain heads, appended to a file outside the
    database (or printed, one JSON line each, for the operator to send on)."""
    from ._anchors import summary, write_anchors

    with open_engine(db) as engine:
        campaign = _campaign_key(engine, args.campaign) if args.campaign else None
        if args.out is None:
            for anchor in engine.audit_anchors(campaign):
                print(anchor.to_json())
            return 0
        anchors = write_anchors(engine, args.out, campaign)
    if args.json:
        _print_json({"file": args.out, "anchors": [json.loads(a.to_json()) for a in anchors]})
    else:
        print(f"{summary(anchors)} (写入 {args.out})")
    return 0


#: 疑似重复 lines an import prints (the rest: --json).
IMPORT_FLAGS_SHOWN = 50


def cmd_import(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai import FILE | --template FILE: import a problem list all or nothing (see :mod:`._import`)."""
    from . import _import, _import_template

    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign)
        if args.template:
            path = _import_template.write_template(engine, key, Path(args.template))
            if args.json:
                _print_json({"template": str(path)})
            else:
                print(f"已写出导入模板: {path} (专项行动 {key}; 填写说明见第二个工作表)")
            return 0
        try:
            from ._progress import wanted

            done = _import.import_file(
                engine,
                key,
                _actor(actor),
                Path(args.file),
                progress=sys.stderr if wanted(args.progress) else None,
            )
        except _import.IntakeRejected as rejected:
            return print_rejection(rejected, args.json)
    intake, result = done.intake, done.result
    if args.json:
        _print_json(
            {
                "imported": len(result.items),
                "items": [i.to_dict() for i in result.items],
                "duplicates": [d.to_dict() for d in result.duplicates],
                "ignored_columns": list(intake.ignored),
                "notes": list(intake.notes),
            }
        )
        return 0
    sheet = f"工作表「{intake.sheet}」, " if intake.sheet else ""
    print(
        f"已读取 {Path(args.file).name} ({sheet}表头在第{intake.header_row}行, {len(intake.entries)} 行数据)"
    )
    for note in (*intake.notes, *_ignored_note(intake.ignored)):
        print(note)
    ids = [i.id for i in result.items]
    assigned = sum(1 for i in result.items if i.unit is not None)
    print(f"已导入 {len(ids)} 个问题 (编号 {min(ids)}–{max(ids)}), 其中 {assigned} 个已交办责任单位")
    for flag in result.duplicates[:IMPORT_FLAGS_SHOWN]:
        print(
            f"疑似重复: 新问题#{flag.item_id} 与 #{flag.other_id} (相似度 {flag.score:.2f}), 请人工研判"
            f" (「{_flat(flag.item_title)}」/「{_flat(flag.other_title)}」)"
        )
    if len(result.duplicates) > IMPORT_FLAGS_SHOWN:
        print(f"…… 其余 {len(result.duplicates) - IMPORT_FLAGS_SHOWN} 处未列出")
    if result.duplicates:
        print(
            f"共 {len(result.duplicates)} 处疑似重复, 未自动合并: zhenggai duplicate list 查看,"
            " zhenggai duplicate resolve 编号 --merge 或 --distinct 研判"
        )
    return 0


def cmd_demo(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai demo: the scripted campaign on a throwaway database."""
    from ._demo import run_demo

    return run_demo(args.demo_db, keep=args.keep, reports=args.reports, progress=args.progress)


def cmd_report(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai report KIND: write reports into --out (see :mod:`zhenggai.adapters.reports`)."""
    from .reports import KIND_LABELS, write_reports

    out = Path(args.out).expanduser()
    if args.kind == "templates":
        return _write_templates(args, out)
    from zhenggai.notifications.config import report_templates

    folder = Path(args.templates).expanduser() if args.templates else report_templates(args.config)
    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign)
        from ._progress import wanted

        files = write_reports(
            engine,
            key,
            args.kind,
            out,
            unit=args.unit,
            track=args.track,
            redact=Path(args.redact).expanduser() if args.redact else None,
            actor=Actor(*actor) if actor is not None else None,
            progress=sys.stderr if wanted(args.progress) else None,
            templates=folder,
        )
    if args.json:
        _print_json({"campaign": key, "kind": args.kind, "files": [str(f) for f in files]})
        return 0
    print_report_files(KIND_LABELS[args.kind], files)
    return 0


def _write_templates(args: argparse.Namespace, out: Path) -> int:
    """zhenggai report templates --out DIR: the built-in Word templates, for a county to edit."""
    from .reports._files import ReportError, out_dir
    from .reports._templates import write_builtin

    given = [
        flag
        for flag, value in (
            ("--campaign", args.campaign),
            ("--unit", args.unit),
            ("--track", args.track),
            ("--redact", args.redact),
            ("--templates", args.templates),
        )
        if value
    ]
    if given:
        raise ReportError(f"写出内置模板时不用 {given[0]}")
    files = write_builtin(out_dir(out))
    if args.json:
        _print_json({"kind": "templates", "files": [str(f) for f in files]})
        return 0
    print_report_files("内置 Word 模板", files)
    print("修改后以 --templates 目录 或配置文件 [reports] templates 指定; 可用字段见 模板说明.txt。")
    return 0


def cmd_simulate(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai simulate: a campaign played on the virtual clock (see :mod:`._simulate`)."""
    from ._simulate import simulate

    return simulate(
        args.definition,
        items=args.items,
        start=args.start,
        until=args.until,
        seed=args.seed,
        db=args.sim_db,
        progress=args.progress,
        timeline=not args.summary_only,
    )
