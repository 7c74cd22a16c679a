"""The commands of webhook subscriptions (issue 18): ``zhenggai webhook add | list | disable |
relay`` (:class:`zhenggai.engine.Webhooks`)."""

from __future__ import annotations

import argparse

from zhenggai.engine import Webhooks, WebhookView

from ._context import ActorTuple, _campaign_key, _print_json, open_engine
from ._outbox import LOCAL
from ._tables import format_time, render_table, truncate

__all__ = ["WEBHOOK_COMMANDS"]


def _kinds(view: WebhookView) -> str:
    return "全部" if view.kinds == ("*",) else ", ".join(view.kinds)


def cmd_webhook_add(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai webhook add NAME URL [--kinds …] [--secret …]: the secret is shown once."""
    kinds = args.kinds.split(",")
    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign)
        view, secret = Webhooks(engine).add(key, args.name, args.url, kinds, secret=args.secret, by="cli")
    if args.json:
        _print_json({**view.to_dict(), "secret": secret})
        return 0
    print(f"已新增推送订阅 {view.id}: {view.name} → {view.url} (事件: {_kinds(view)})")
    print(f"签名密钥 (只显示这一次, 请交给对方系统保存): {secret}")
    return 0


def cmd_webhook_list(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign) if args.campaign else None
        views = Webhooks(engine).webhooks(key)
    if args.json:
        _print_json([v.to_dict() for v in views])
        return 0
    if not views:
        print("还没有推送订阅")
        return 0
    rows = [
        [
            str(v.id),
            truncate(v.name, 20),
            truncate(v.url, 40),
            truncate(_kinds(v), 24),
            str(v.cursor),
            "已停用" if v.disabled else "启用",
            format_time(v.created_at, LOCAL),
        ]
        for v in views
    ]
    print(render_table(["编号", "名称", "推送地址", "事件", "已推送至", "状态", "创建时间"], rows))
    return 0


def cmd_webhook_disable(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    with open_engine(db) as engine:
        view = Webhooks(engine).disable(args.webhook_id, by="cli")
    if args.json:
        _print_json(view.to_dict())
    else:
        print(f"已停用推送订阅 {view.id}: {view.name}")
    return 0


def cmd_webhook_relay(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign) if args.campaign else None
        queued = Webhooks(engine).relay(key)
    if args.json:
        _print_json({"queued": queued})
    else:
        print(f"已放入推送队列 {queued} 条" if queued else "没有新的办理记录需要推送")
    return 0


WEBHOOK_COMMANDS = {
    "webhook_add": cmd_webhook_add,
    "webhook_list": cmd_webhook_list,
    "webhook_disable": cmd_webhook_disable,
    "webhook_relay": cmd_webhook_relay,
}
