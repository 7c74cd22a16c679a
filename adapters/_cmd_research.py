"""zhenggai item research-done: 领衔调研 reported done (``Engine.complete_research``)."""

from __future__ import annotations

import argparse

from ._context import ActorTuple, _actor, _print_json, open_engine

__all__ = ["cmd_item_research_done"]


def cmd_item_research_done(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item research-done ID --note TEXT: the leader's research of the item is done."""
    with open_engine(db) as engine:
        item = engine.complete_research(
            args.item_id, _actor(actor), note=args.note, expected_version=args.expected_version
        )
    if args.json:
        _print_json(item.to_dict())
    else:
        due = item.research_due.isoformat() if item.research_due is not None else ""
        print(
            f"问题 {item.id} 的领衔调研已完成 (领衔领导 {item.leading_official}, 时限 {due}, "
            f"第 {item.version} 版); 已报告"
        )
    return 0
