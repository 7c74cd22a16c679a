"""``zhenggai follow-up list | done`` (回头看 review tasks) and ``zhenggai supervision visit |
bulletin`` (督查 visits and the 督查通报 of a draw)."""

from __future__ import annotations

import argparse
from pathlib import Path

from zhenggai.engine import ESCALATION_LABELS

from ._context import ActorTuple, _actor, _campaign_key, _print_json, open_engine
from ._errors import CliError
from ._tables import LIGHT_LABELS, format_date, render_table

__all__ = ["WORK_COMMANDS"]


def cmd_follow_up_list(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai follow-up list [--open]: the 回头看 review tasks, by draw."""
    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign)
        tasks = engine.follow_ups(key, state="open" if args.open else None)
    if args.json:
        _print_json([t.to_dict() for t in tasks])
        return 0
    if not tasks:
        print("没有回头看任务" if not args.open else "没有待办的回头看任务")
        return 0
    rows = [
        [
            str(t.id),
            format_date(t.draw_day),
            t.item_number or f"#{t.item_id}",
            t.title,
            t.unit_name or "",
            format_date(t.due),
            t.state_label,
            LIGHT_LABELS.get(t.light, t.light),
            ESCALATION_LABELS.get(t.escalation_level, "") if t.escalation_level else "",
        ]
        for t in tasks
    ]
    print(
        render_table(
            ["编号", "抽查日", "问题编号", "问题", "责任单位", "核查期限", "状态", "预警", "督办"],
            rows,
            aligns=[">"] + ["<"] * 8,
        )
    )
    left = sum(t.state == "open" for t in tasks)
    print(f"共 {len(tasks)} 项, 待核查 {left} 项")
    return 0


def cmd_follow_up_done(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai follow-up done ID (--finding TEXT | --confirmed) [--due DATE]."""
    if (args.finding is None) == (not args.confirmed):
        raise CliError("请给出 --finding 回头看发现 或 --confirmed (整改到位), 二者选一")
    with open_engine(db) as engine:
        task = engine.complete_follow_up(
            args.review_id, _actor(actor), finding=args.finding, confirmed=args.confirmed, due=args.due
        )
        item = engine.item(task.item_id) if task.state == "finding" else None
    if args.json:
        _print_json(task.to_dict())
    elif item is not None:
        print(
            f"回头看任务 {task.id}: 发现问题, 问题 {task.item_number or task.item_id} 重新整改"
            f" (整改时限 {format_date(item.due) if item.due else '未定'})"
        )
    else:
        print(f"回头看任务 {task.id}: 整改到位 ({task.title})")
    return 0


def cmd_supervision_visit(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai supervision visit --team N --unit UNIT --day DATE [--finding TEXT]..."""
    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign)
        units = {name: unit for unit, name in engine.campaign_info(key).units}
        unit = units.get(args.unit, args.unit)
        visit = engine.record_visit(
            key, args.team, unit, args.day, findings=args.finding or [], actor=_actor(actor)
        )
    if args.json:
        _print_json(visit.to_dict())
        return 0
    found = f", 发现问题 {len(visit.items)} 个, 已登记为问题 {'、'.join(str(i) for i in visit.items)}"
    print(
        f"已记录督查 {visit.id}: 第{visit.team}督查组 {format_date(visit.day)} 明察暗访{visit.unit_name}"
        f" (抽签日 {format_date(visit.draw_day)})" + (found if visit.items else ", 未发现问题")
    )
    return 0


def cmd_supervision_bulletin(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai supervision bulletin --draw DATE [--out DIR]: the draw's 督查通报 (.docx)."""
    from .reports.supervision import write_supervision_bulletin

    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign)
        bulletin = engine.supervision_bulletin(key, args.draw)
    path = write_supervision_bulletin(bulletin, Path(args.out))
    print(
        f"督查通报 ({format_date(bulletin.draw_day)} 抽签): 督查 {len(bulletin.visits)} 次,"
        f" 发现问题 {len(bulletin.findings)} 个 → {path}"
    )
    return 0


WORK_COMMANDS = {
    "follow_up_list": cmd_follow_up_list,
    "follow_up_done": cmd_follow_up_done,
    "supervision_visit": cmd_supervision_visit,
    "supervision_bulletin": cmd_supervision_bulletin,
}
