"""The commands of 退单 (issue 17): ``zhenggai item send-back`` and ``sendback list | rule``."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping

from zhenggai.engine.views import SendBackView

from ._context import ActorTuple, _actor, _campaign_key, _print_json, open_engine
from ._render import _flat
from ._tables import format_date, render_table, truncate

__all__ = ["SEND_BACK_COMMANDS"]


def _said(view: SendBackView) -> str:
    flag = f"; 该问题已被退单 {view.item_send_backs} 次 (多次退单)" if view.flagged else ""
    return f"退单 {view.id} (问题 {view.item_id}, {view.unit_name}, {view.reason_label}): {view.state_label}{flag}"


def cmd_item_send_back(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item send-back ID --reason CODE [--note TEXT]."""
    with open_engine(db) as engine:
        view = engine.send_back(
            args.item_id,
            _actor(actor),
            reason=args.reason,
            note=args.note,
            expected_version=args.expected_version,
        )
    if args.json:
        _print_json(view.to_dict())
    else:
        stopped = ", 整改计时暂停至审定" if view.clock_stopped else ""
        print(f"问题 {view.item_id} 已退单{stopped}。{_said(view)}")
    return 0


def cmd_sendback_list(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai sendback list [--open]: the send-backs, repeated ones flagged."""
    with open_engine(db) as engine:
        views = engine.send_backs(_campaign_key(engine, args.campaign), open_only=args.open_only)
    if args.json:
        _print_json([v.to_dict() for v in views])
        return 0
    if not views:
        print("没有退单。")
        return 0
    rows = [
        [
            str(v.id),
            str(v.item_id),
            truncate(_flat(v.title), 24),
            v.unit_name,
            v.reason_label,
            format_date(v.created_at.date()),
            v.state_label + (f" → {v.to_unit_name}" if v.to_unit_name else ""),
            f"{v.item_send_backs} 次 (多次退单)" if v.flagged else f"{v.item_send_backs} 次",
        ]
        for v in views
    ]
    print(render_table(["编号", "问题", "标题", "退单单位", "理由", "退单日期", "审定", "该问题退单"], rows))
    waiting = sum(v.state == "open" for v in views)
    if waiting:
        print(f"待审定 {waiting} 项")
    return 0


def cmd_sendback_rule(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai sendback rule ID (--reassign UNIT [--due DATE] | --insist) [--note TEXT]."""
    with open_engine(db) as engine:
        view = engine.rule_send_back(
            args.send_back_id,
            _actor(actor),
            decision="insist" if args.insist else "reassign",
            unit=args.unit,
            due=args.due,
            note=args.note,
        )
    if args.json:
        _print_json(view.to_dict())
    else:
        to = f", 改派 {view.to_unit_name}" if view.to_unit_name else ""
        print(f"已审定{to}。{_said(view)}")
    return 0


SEND_BACK_COMMANDS: Mapping[str, Callable[[argparse.Namespace, str, ActorTuple | None], int]] = {
    "item_send_back": cmd_item_send_back,
    "sendback_list": cmd_sendback_list,
    "sendback_rule": cmd_sendback_rule,
}
