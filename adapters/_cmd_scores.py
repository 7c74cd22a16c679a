"""The commands of 考核 / 红黄牌 (issue 17): ``zhenggai score month`` and ``zhenggai score
list`` (``Engine.scores`` / ``store_scores`` / ``stored_scores``)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from zhenggai.engine import UnitScore

from ._context import ActorTuple, _actor, _campaign_key, _print_json, open_engine
from ._errors import CliError
from ._tables import render_table

__all__ = ["SCORE_COMMANDS"]


def _table(views: Sequence[UnitScore], with_month: bool) -> str:
    terms = views[0].terms if views else ()
    head = (["月份"] if with_month else []) + ["排名", "单位", *(t.label for t in terms), "总分", "红黄牌"]
    rows = [
        ([v.month] if with_month else [])
        + [
            str(v.rank),
            v.unit_name,
            *(f"{t.count} ({t.points:+g})" for t in v.terms),
            f"{v.total:g}",
            v.card_label or "-",
        ]
        for v in views
    ]
    return render_table(head, rows)


def cmd_score_month(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai score month --month YYYY-MM [--store] [--xlsx FILE]."""
    if args.store and actor is None:
        raise CliError("确定月度考核须指明操作人 (--actor / --role / --as-unit, 领导小组办公室)")
    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign)
        if args.store:
            views = engine.store_scores(key, _actor(actor), args.month)
        else:
            views = engine.scores(key, args.month)
        written = None
        if args.xlsx:
            from .reports.scores import write_scores_file

            written = write_scores_file(engine, key, args.month, Path(args.xlsx))
    if args.json:
        _print_json([v.to_dict() for v in views])
        return 0
    state = "已确定" if args.store else "试算 (未确定; --store 确定并通知)"
    print(f"{args.month} 月度考核 ({state})")
    print(_table(views, with_month=False))
    cards = [f"{v.unit_name} {v.card_label}" for v in views if v.card]
    print("亮牌: " + ("、".join(cards) if cards else "无"))
    if written is not None:
        print(f"已写出: {written}")
    return 0


def cmd_score_list(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai score list [--unit UNIT] [--month YYYY-MM]: the stored months."""
    with open_engine(db) as engine:
        views = engine.stored_scores(_campaign_key(engine, args.campaign), unit=args.unit, month=args.month)
    if args.json:
        _print_json([v.to_dict() for v in views])
        return 0
    if not views:
        print("还没有确定的月度考核。")
        return 0
    print(_table(views, with_month=True))
    return 0


SCORE_COMMANDS = {"score_month": cmd_score_month, "score_list": cmd_score_list}
