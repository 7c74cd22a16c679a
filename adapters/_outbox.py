"""Operator commands for the outbox: ``zhenggai outbox list | show | retry | send``."""

from __future__ import annotations

import argparse
import zoneinfo
from collections.abc import Mapping
from typing import Any

from zhenggai.engine import OutboxView

from ._context import ActorTuple, _campaign_key, _print_json, open_engine
from ._errors import CliError
from ._tables import format_time, render_table, truncate

__all__ = ["LOCAL", "OUTBOX_COMMANDS", "dispatcher_for", "send_due"]

#: Operators read times in the county's time (the built-in plans' timezone).
LOCAL = zoneinfo.ZoneInfo("Asia/Shanghai")

STATUS_LABELS = {"pending": "待发送", "sending": "发送中", "sent": "已发送", "dead": "死信"}


def dispatcher_for(engine: Any, config: str | None) -> Any:
    """A dispatcher for ``engine`` from the delivery configuration ``config`` (or
    ``$ZHENGGAI_CONFIG``)."""
    from zhenggai.notifications.config import load_config
    from zhenggai.notifications.dispatcher import Dispatcher
    from zhenggai.notifications.webhooks import WebhookChannel

    delivery = load_config(config)
    channels = list(delivery.channels)
    if not any(c.name == "webhook" for c in channels):  # subscriptions' URLs, under [network]
        channels.append(WebhookChannel(engine, policy=delivery.policy, timeout=delivery.webhook_timeout))
    return Dispatcher(engine, channels, **delivery.dispatcher_options())


def send_due(dispatcher: Any, *, once: bool = False) -> dict[str, int]:
    """Dispatch passes until nothing more goes now (only deferrals left), or one with ``once``."""
    totals = {"sent": 0, "retried": 0, "dead": 0, "deferred": 0}
    while True:
        report = dispatcher.dispatch()
        for key in totals:
            totals[key] += getattr(report, key)
        if once or report.sent + report.dead + report.retried == 0:
            return totals


def cmd_outbox_list(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    with open_engine(db) as engine:
        campaign = (
            _campaign_key(engine, args.campaign) if args.campaign or len(engine.campaigns()) == 1 else None
        )
        rows = engine.outbox(campaign, status=args.status)
    if args.json:
        _print_json([r.to_dict() for r in rows])
        return 0
    if not rows:
        print("没有消息")
        return 0
    table = [
        [
            str(r.id),
            STATUS_LABELS.get(r.status, r.status),
            r.channel,
            truncate(r.recipient, 28),
            r.kind,
            str(r.attempts),
            format_time(r.next_try_at, LOCAL) if r.status in ("pending", "sending") else "",
            truncate(r.last_error or "", 40),
        ]
        for r in rows
    ]
    print(
        render_table(
            ["编号", "状态", "渠道", "接收方", "类别", "尝试", "下次发送", "原因"],
            table,
            aligns=[">", "<", "<", "<", "<", ">", "<", "<"],
        )
    )
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    print("共 " + " · ".join(f"{STATUS_LABELS.get(k, k)} {n}" for k, n in counts.items()))
    return 0


def cmd_outbox_show(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    with open_engine(db) as engine:
        row = engine.outbox_message(args.outbox_id)
    if args.json:
        _print_json(row.to_dict())
        return 0
    print(_show(row))
    return 0


def _show(row: OutboxView) -> str:
    lines = [
        f"消息 {row.id}: {row.kind}",
        f"  状态      {STATUS_LABELS.get(row.status, row.status)} (已尝试 {row.attempts} 次)",
        f"  渠道      {row.channel} → {row.recipient}",
        f"  幂等键    {row.idempotency_key}",
        f"  创建      {format_time(row.created_at, LOCAL)}",
    ]
    if row.sent_at:
        lines.append(f"  发送      {format_time(row.sent_at, LOCAL)}")
    elif row.status in ("pending", "sending"):
        lines.append(f"  下次发送  {format_time(row.next_try_at, LOCAL)}")
    if row.last_error:
        lines.append(f"  原因      {row.last_error}")
    lines.append("  内容变量:")
    lines += [f"    {k} = {v}" for k, v in row.payload.items()]
    return "\n".join(lines)


def cmd_outbox_retry(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    if not args.ids and not args.all_dead:
        raise CliError("请给出消息编号, 或用 --all-dead 重发全部死信")
    with open_engine(db) as engine:
        campaign = _campaign_key(engine, args.campaign) if args.campaign else None
        done = engine.outbox_retry(args.ids or None, campaign=campaign)
        skipped = [i for i in (args.ids or []) if i not in done]
    if args.json:
        _print_json({"requeued": done, "not_dead": skipped})
        return 0
    print(f"已重新排队 {len(done)} 条死信" + (f": {', '.join(map(str, done))}" if done else ""))
    if skipped:
        print(f"未处理 (不是死信): {', '.join(map(str, skipped))}")
    return 0


def cmd_outbox_send(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """One pass (--once), or passes until nothing is due now."""
    with open_engine(db) as engine:
        totals = send_due(dispatcher_for(engine, args.config), once=args.once)
    if args.json:
        _print_json(totals)
    else:
        print(
            f"发送完成: 已发送 {totals['sent']} 条, 待重试 {totals['retried']} 条, 死信 {totals['dead']} 条, "
            f"顺延 {totals['deferred']} 条"
        )
    return 0


OUTBOX_COMMANDS: Mapping[str, Any] = {
    "outbox_list": cmd_outbox_list,
    "outbox_show": cmd_outbox_show,
    "outbox_retry": cmd_outbox_retry,
    "outbox_send": cmd_outbox_send,
}
