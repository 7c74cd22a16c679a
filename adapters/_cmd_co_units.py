"""The commands of 主办/协办 (issue 17): ``zhenggai item co-unit`` and ``part list | measure |
done | waive``."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping

from zhenggai.engine.views import PartView

from ._context import ActorTuple, _actor, _campaign_key, _print_json, open_engine
from ._render import _flat
from ._tables import format_date, render_table, truncate

__all__ = ["CO_UNIT_COMMANDS"]


def _said(view: PartView) -> str:
    late = ", 逾期" if view.late else ""
    return (
        f"协办分工 {view.id} (问题 {view.item_id}, 主办 {view.lead_unit_name or '未交办'}, "
        f"协办 {view.unit_name}: {view.part}; 时限 {view.due.isoformat()}): {view.state_label}{late}"
    )


def _print(args: argparse.Namespace, view: PartView, lead: str) -> int:
    if args.json:
        _print_json(view.to_dict())
    else:
        print(f"{lead}。{_said(view)}")
    return 0


def cmd_item_co_unit(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item co-unit ID --unit U --part TEXT [--due DATE]."""
    with open_engine(db) as engine:
        view = engine.add_co_unit(args.item_id, _actor(actor), unit=args.unit, part=args.part, due=args.due)
    return _print(args, view, f"已确定 {view.unit_name} 为问题 {view.item_id} 的协办单位")


def cmd_part_list(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai part list [--item ID] [--unit U] [--open]."""
    with open_engine(db) as engine:
        views = engine.parts(
            _campaign_key(engine, args.campaign),
            item_id=args.item_id,
            unit=args.unit,
            open_only=args.open_only,
        )
    if args.json:
        _print_json([v.to_dict() for v in views])
        return 0
    if not views:
        print("没有协办分工。")
        return 0
    rows = [
        [
            str(v.id),
            str(v.item_id),
            truncate(_flat(v.title), 20),
            v.lead_unit_name or "",
            v.unit_name,
            truncate(_flat(v.part), 20),
            format_date(v.due),
            v.state_label + (" (逾期)" if v.late else ""),
        ]
        for v in views
    ]
    print(render_table(["编号", "问题", "标题", "主办单位", "协办单位", "分工", "时限", "状态"], rows))
    waiting = sum(v.state == "open" for v in views)
    if waiting:
        print(f"办理中 {waiting} 项")
    return 0


def cmd_part_measure(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai part measure ID --text TEXT [--due DATE]."""
    with open_engine(db) as engine:
        view = engine.add_part_measure(args.part_id, _actor(actor), text=args.text, due=args.due)
    if args.json:
        _print_json(view.to_dict())
    else:
        print(f"已为协办分工 {args.part_id} 添加整改措施 {view.id}: {view.text}")
    return 0


def cmd_part_done(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai part done ID [--note TEXT]."""
    with open_engine(db) as engine:
        view = engine.complete_part(args.part_id, _actor(actor), note=args.note)
    return _print(args, view, "已报告协办分工完成")


def cmd_part_waive(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai part waive ID --note TEXT."""
    with open_engine(db) as engine:
        view = engine.waive_part(args.part_id, _actor(actor), note=args.note)
    return _print(args, view, "已免除协办分工")


CO_UNIT_COMMANDS: Mapping[str, Callable[[argparse.Namespace, str, ActorTuple | None], int]] = {
    "item_co_unit": cmd_item_co_unit,
    "part_list": cmd_part_list,
    "part_measure": cmd_part_measure,
    "part_done": cmd_part_done,
    "part_waive": cmd_part_waive,
}
