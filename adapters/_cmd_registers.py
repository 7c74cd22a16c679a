"""The commands of the registers of their own (issue 16): ``zhenggai education add | list``
(警示教育), ``commitment add | kept | broken | list`` (践诺) and ``document compile``
(规范性文件汇编)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._context import ActorTuple, _actor, _campaign_key, _print_json, open_engine
from ._render import _flat
from ._tables import format_date, render_table, truncate

__all__ = ["REGISTER_COMMANDS"]


def cmd_education_add(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai education add: record a 警示教育 session."""
    with open_engine(db) as engine:
        view = engine.record_education(
            _campaign_key(engine, args.campaign),
            _actor(actor),
            unit=args.unit,
            held_on=args.held_on,
            title=args.title,
            attendees=args.attendees,
            cases=args.cases,
            case_items=args.case_items,
            track=args.track,
        )
    if args.json:
        _print_json(view.to_dict())
    else:
        print(
            f"已登记警示教育 {view.id}: {view.title} ({view.unit_name}; {format_date(view.held_on)}; "
            f"{view.attendees} 人参加)"
        )
    return 0


def cmd_education_list(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai education list: the 警示教育 register, with the total attendance."""
    with open_engine(db) as engine:
        campaign = _campaign_key(engine, args.campaign)
        views = engine.educations(campaign, unit=args.unit, track=args.track)
    if args.json:
        _print_json([v.to_dict() for v in views])
        return 0
    if not views:
        print("没有警示教育记录。")
        return 0
    rows = [
        [
            str(v.id),
            format_date(v.held_on),
            v.unit_name,
            truncate(_flat(v.title), 30),
            str(v.attendees),
            truncate(_flat(v.cases or ""), 24) or "-",
            "、".join(str(i) for i in v.case_items) or "-",
        ]
        for v in views
    ]
    print(render_table(["编号", "日期", "单位", "主题", "人数", "案例", "案例问题"], rows))
    print(f"共 {len(views)} 场, 参加 {sum(v.attendees for v in views)} 人次")
    return 0


def cmd_commitment_add(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai commitment add: register a unit's public commitment (践诺)."""
    with open_engine(db) as engine:
        view = engine.add_commitment(
            _campaign_key(engine, args.campaign), _actor(actor), unit=args.unit, text=args.text, due=args.due
        )
    if args.json:
        _print_json(view.to_dict())
    else:
        print(f"已登记承诺 {view.id}: {view.text} ({view.unit_name}; 兑现期限 {format_date(view.due)})")
    return 0


def _settle(args: argparse.Namespace, db: str, actor: ActorTuple | None, kept: bool) -> int:
    with open_engine(db) as engine:
        view = engine.settle_commitment(
            args.commitment_id, _actor(actor), kept=kept, on=args.on, note=args.note
        )
    if args.json:
        _print_json(view.to_dict())
    else:
        day = format_date(view.settled_on) if view.settled_on else "-"
        print(f"承诺 {view.id} ({view.unit_name}): {view.state_label} ({day})")
    return 0


def cmd_commitment_kept(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai commitment kept ID: the commitment was kept (已兑现)."""
    return _settle(args, db, actor, True)


def cmd_commitment_broken(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai commitment broken ID --note …: the commitment was broken (未兑现)."""
    return _settle(args, db, actor, False)


def cmd_commitment_list(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai commitment list: the commitments by due day, overdue ones flagged."""
    with open_engine(db) as engine:
        views = engine.commitments(
            _campaign_key(engine, args.campaign),
            unit=args.unit,
            state=args.commitment_state,
            overdue=args.overdue,
        )
    if args.json:
        _print_json([v.to_dict() for v in views])
        return 0
    if not views:
        print("没有承诺。")
        return 0
    rows = [
        [
            str(v.id),
            v.unit_name,
            truncate(_flat(v.text), 36),
            format_date(v.due),
            v.state_label + (" (逾期)" if v.overdue else ""),
            format_date(v.settled_on) if v.settled_on else "-",
            truncate(_flat(v.settle_note or ""), 20) or "-",
        ]
        for v in views
    ]
    print(render_table(["编号", "单位", "承诺", "兑现期限", "状态", "认定日期", "说明"], rows))
    overdue = sum(v.overdue for v in views)
    if overdue:
        print(f"逾期未兑现 {overdue} 项")
    return 0


def cmd_document_compile(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai document compile --out PATH: the 规范性文件汇编 (.docx)."""
    from .reports._templates import Templates
    from .reports.compilation import write_document_compilation

    with open_engine(db) as engine:
        path = write_document_compilation(
            engine,
            _campaign_key(engine, args.campaign),
            Path(args.out),
            templates=Templates(Path(args.templates)) if args.templates else None,
        )
    if args.json:
        _print_json({"path": str(path)})
    else:
        print(f"已写出规范性文件汇编: {path}")
    return 0


REGISTER_COMMANDS = {
    "education_add": cmd_education_add,
    "education_list": cmd_education_list,
    "commitment_add": cmd_commitment_add,
    "commitment_kept": cmd_commitment_kept,
    "commitment_broken": cmd_commitment_broken,
    "commitment_list": cmd_commitment_list,
    "document_compile": cmd_document_compile,
}
