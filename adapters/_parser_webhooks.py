"""The ``zhenggai webhook`` subcommands (issue 18): ``webhook add | list | disable | relay``."""

from __future__ import annotations

from typing import Any

from ._argparse_zh import _Parser
from ._parser_args import _add_json

__all__ = ["add_webhook_commands"]


def add_webhook_commands(commands: Any) -> None:
    """``zhenggai webhook add NAME URL [--kinds assign,close]``, ``webhook list``, ``webhook
    disable ID`` and ``webhook relay``."""
    webhook = commands.add_parser(
        "webhook",
        help="推送订阅: 把已提交的办理记录推送给县里的其他系统",
        description="县里的 OA、12345 平台等系统订阅专项行动的办理记录 (按事件类别),\n"
        "每条记录提交后经消息队列推送到订阅地址, 以 HMAC-SHA256 签名, 失败按退避重试。",
    )
    cmds = webhook.add_subparsers(
        dest="webhook_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = cmds.add_parser(
        "add",
        help="新增推送订阅 (签名密钥只显示一次)",
        description="新增推送订阅; 订阅从现在起的办理记录。签名密钥不指定则自动生成, 只显示这一次。",
    )
    p.add_argument("name", metavar="NAME", help="订阅名称 (如 县12345平台)")
    p.add_argument("url", metavar="URL", help="推送地址 (http:// 或 https://; 主机须在发送配置的允许列表中)")
    p.add_argument(
        "--kinds",
        default="*",
        metavar="KINDS",
        help="订阅的事件类别, 逗号分隔 (如 assign,close); 默认 * 全部",
    )
    p.add_argument("--secret", metavar="SECRET", help="签名密钥 (至少 16 位; 默认自动生成)")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    _add_json(p)
    p.set_defaults(command="webhook_add")
    p = cmds.add_parser("list", help="推送订阅列表", description="列出推送订阅 (含已停用的)。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    _add_json(p)
    p.set_defaults(command="webhook_list")
    p = cmds.add_parser("disable", help="停用推送订阅", description="停用推送订阅; 尚未送达的推送不再发送。")
    p.add_argument("webhook_id", type=int, metavar="ID", help="订阅编号")
    _add_json(p)
    p.set_defaults(command="webhook_disable")
    p = cmds.add_parser(
        "relay",
        help="把新的办理记录放入推送队列 (守护进程每次扫描后自动执行)",
        description="把订阅游标之后已提交的办理记录放入消息队列; 发送由 zhenggai outbox send 或守护进程完成。",
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识 (默认: 所有有订阅的专项行动)")
    _add_json(p)
    p.set_defaults(command="webhook_relay")
