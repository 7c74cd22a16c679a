"""The ``zhenggai`` subcommands of 退单 (issue 17): ``item send-back`` (the responsible unit) and
``sendback list | rule`` (the office's 审定)."""

from __future__ import annotations

from typing import Any

from ._argparse_zh import _Parser
from ._parser_args import _add_actor, _add_json, _date, _item_write

__all__ = ["add_send_back_commands"]


def add_send_back_commands(commands: Any, item_cmds: Any) -> None:
    """``zhenggai item send-back ID --reason CODE`` and ``zhenggai sendback list | rule ID``."""
    p = item_cmds.add_parser(
        "send-back",
        help="退单: 责任单位认为问题不属本单位职责, 退回领导小组办公室审定",
        description="责任单位 (以本单位角色) 在交办后规定时限内 (send_back.within, 内置方案: 3 个工作日)、\n"
        "开始整改前退回问题, 须选择退单理由 (send_back.reasons, 内置方案: not_our_duty 不属于本单位职责、\n"
        "duplicate 重复交办、unclear 问题不清需补充、other 其他); 审定前整改计时暂停 (内置方案)。",
    )
    p.add_argument("item_id", type=int, metavar="ID", help="问题编号")
    p.add_argument("--reason", required=True, metavar="CODE", help="退单理由代码")
    p.add_argument("--note", help="说明")
    _item_write(p, "item_send_back")

    sendback = commands.add_parser(
        "sendback",
        help="退单审定: 列出退单、改派或坚持原交办",
        description="领导小组办公室审定责任单位的退单: 改派其他单位 (可定新的整改时限), 或坚持原交办\n"
        "(不重新计时, 暂停的计时恢复)。同一问题被退单达到规定次数的标为「多次退单」。",
    )
    cmds = sendback.add_subparsers(
        dest="sendback_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = cmds.add_parser(
        "list", help="退单列表", description="列出退单 (理由、状态、审定结果, 多次退单标出)。"
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--open", dest="open_only", action="store_true", help="只列待审定的退单")
    _add_json(p)
    p.set_defaults(command="sendback_list")
    p = cmds.add_parser(
        "rule", help="审定退单", description="审定一项退单: --reassign 改派, 或 --insist 坚持原交办。"
    )
    p.add_argument("send_back_id", type=int, metavar="ID", help="退单编号")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--reassign", dest="unit", metavar="UNIT", help="改派给该单位 (名称或标识)")
    how.add_argument("--insist", action="store_true", help="坚持原交办")
    p.add_argument("--due", type=_date, metavar="YYYY-MM-DD", help="改派后的整改时限 (默认沿用)")
    p.add_argument("--note", help="审定说明")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="sendback_rule", needs_actor=True)
