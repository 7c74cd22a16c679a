"""The commands of 延期申请 (issue 17): ``zhenggai item extend`` and ``zhenggai extension
list | approve | refuse`` (``Engine.request_extension`` / ``decide_extension`` / ``extensions``)."""

from __future__ import annotations

import argparse

from zhenggai.engine import ExtensionView

from ._context import ActorTuple, _actor, _campaign_key, _print_json, open_engine
from ._render import _flat
from ._tables import render_table, truncate

__all__ = ["EXTENSION_COMMANDS"]


def _said(view: ExtensionView) -> str:
    line = (
        f"延期申请 {view.id} (问题 {view.item_id}, {view.unit_name}): "
        f"{view.old_due.isoformat()} → {view.new_due.isoformat()}, {view.state_label}"
    )
    if view.next_approver is not None:
        line += f", 待{view.next_approver}审批"
    return line


def cmd_item_extend(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item extend ID --to DATE --reason …: the responsible unit asks for more time."""
    with open_engine(db) as engine:
        view = engine.request_extension(
            args.item_id, _actor(actor), new_due=args.new_due, reason=args.reason, progress=args.progress
        )
    _print_json(view.to_dict()) if args.json else print(_said(view))
    return 0


def _decide(args: argparse.Namespace, db: str, actor: ActorTuple | None, approve: bool) -> int:
    with open_engine(db) as engine:
        view = engine.decide_extension(args.extension_id, _actor(actor), approve=approve, note=args.note)
        item = engine.item(view.item_id)
    if args.json:
        _print_json(view.to_dict())
    else:
        print(_said(view))
        if view.state == "approved":
            print(f"问题 {item.id} 的整改时限已改为 {view.new_due.isoformat()}, 督办阶梯按新时限重新计算")
    return 0


def cmd_extension_approve(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai extension approve ID [--note …]: the next approver approves."""
    return _decide(args, db, actor, True)


def cmd_extension_refuse(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai extension refuse ID --note …: the next approver refuses (the due stays)."""
    return _decide(args, db, actor, False)


def cmd_extension_list(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai extension list [--pending] [--unit UNIT]: the requests, oldest first."""
    with open_engine(db) as engine:
        views = engine.extensions(
            _campaign_key(engine, args.campaign), unit=args.unit, state="pending" if args.pending else None
        )
    if args.json:
        _print_json([v.to_dict() for v in views])
        return 0
    if not views:
        print("没有延期申请。")
        return 0
    rows = [
        [
            str(v.id),
            str(v.item_id),
            v.unit_name,
            v.old_due.isoformat(),
            v.new_due.isoformat(),
            truncate(_flat(v.reason), 24),
            v.state_label + (f" (待{v.next_approver})" if v.next_approver else ""),
            truncate(_flat(v.note or ""), 20) or "-",
        ]
        for v in views
    ]
    print(render_table(["编号", "问题", "申请单位", "原时限", "新时限", "理由", "状态", "审批意见"], rows))
    return 0


EXTENSION_COMMANDS = {
    "item_extend": cmd_item_extend,
    "extension_list": cmd_extension_list,
    "extension_approve": cmd_extension_approve,
    "extension_refuse": cmd_extension_refuse,
}
