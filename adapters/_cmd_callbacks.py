"""The commands of 回访/满意度 (issue 17): ``zhenggai callback list | record``
(``Engine.callbacks`` / ``satisfaction`` / ``record_callback``)."""

from __future__ import annotations

import argparse

from zhenggai.engine import CallbackView, SatisfactionView

from ._context import ActorTuple, _actor, _campaign_key, _print_json, open_engine
from ._render import _flat
from ._tables import render_table, truncate

__all__ = ["CALLBACK_COMMANDS", "rate_text"]


def rate_text(row: SatisfactionView) -> str:
    """满意率 as officials read it: a percentage, or 「-」 when nobody was called back."""
    return "-" if row.rate is None else f"{row.rate:.1%}"


def _said(view: CallbackView) -> str:
    line = f"回访任务 {view.id} (问题 {view.item_id}, {view.unit_name or '未交办'}): {view.state_label}"
    if view.result_label is not None:
        line += f", {view.result_label}" + (" (逾期回访)" if view.late else "")
    return line


def cmd_callback_record(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai callback record ID --result 满意|基本满意|不满意 [--note …]: the custodian's result."""
    with open_engine(db) as engine:
        view = engine.record_callback(args.callback_id, _actor(actor), result=args.result, note=args.note)
        item = engine.item(view.item_id)
    if args.json:
        _print_json(view.to_dict())
        return 0
    print(_said(view))
    if view.result == "unsatisfied":
        print(f"问题 {item.id} 现为「{item.state_label}」")
    return 0


def cmd_callback_list(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai callback list [--open] [--unit UNIT]: the callbacks, then 满意率 per unit."""
    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign)
        views = engine.callbacks(key, unit=args.unit, state="open" if args.open else None)
        rates = engine.satisfaction(key, unit=args.unit)
    if args.json:
        _print_json({"callbacks": [v.to_dict() for v in views], "satisfaction": [r.to_dict() for r in rates]})
        return 0
    if not views:
        print("没有回访任务。")
    else:
        rows = [
            [
                str(v.id),
                str(v.item_id),
                truncate(_flat(v.title), 20),
                v.unit_name or "-",
                v.due.isoformat(),
                v.state_label + (" (逾期)" if v.late else ""),
                v.result_label or "-",
            ]
            for v in views
        ]
        print(render_table(["编号", "问题", "标题", "责任单位", "回访时限", "状态", "结果"], rows))
    if any(r.called for r in rates):
        table = [
            [r.unit_name, str(r.called), str(r.satisfied), str(r.basically), str(r.unsatisfied), rate_text(r)]
            for r in rates
        ]
        print()
        print(render_table(["单位", "回访数", "满意", "基本满意", "不满意", "满意率"], table))
    return 0


CALLBACK_COMMANDS = {"callback_list": cmd_callback_list, "callback_record": cmd_callback_record}
