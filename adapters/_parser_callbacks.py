"""The ``zhenggai`` subcommands of 回访/满意度 (issue 17): ``callback list | record``."""

from __future__ import annotations

from typing import Any

from ._argparse_zh import _Parser
from ._parser_args import _add_actor, _add_json

__all__ = ["add_callback_commands"]


def add_callback_commands(commands: Any) -> None:
    """``zhenggai callback list [--open] [--unit UNIT]`` and ``zhenggai callback record ID
    --result 满意|基本满意|不满意 [--note …]``."""
    callback = commands.add_parser(
        "callback",
        help="回访: 销号后回访举报人, 记录满意度",
        description="有举报人的问题销号后, 由举报信息保管人在规定时限内回访举报人,\n"
        "记录 满意 / 基本满意 / 不满意; 不满意的问题按实施方案重新整改或列入回头看。",
    )
    cmds = callback.add_subparsers(
        dest="callback_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = cmds.add_parser("list", help="回访任务列表", description="列出回访任务 (按销号先后) 和各单位满意率。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", metavar="UNIT", help="销号时的责任单位 (名称或标识)")
    p.add_argument("--open", action="store_true", help="只列待回访的任务")
    _add_json(p)
    p.set_defaults(command="callback_list")
    p = cmds.add_parser(
        "record",
        help="记录回访结果 (举报信息保管人)",
        description="举报信息保管人记录回访结果; 不满意须写明原因 (--note)。",
    )
    p.add_argument("callback_id", type=int, metavar="ID", help="回访任务编号")
    p.add_argument(
        "--result",
        required=True,
        metavar="RESULT",
        help="满意 / 基本满意 / 不满意 (或 satisfied / basically_satisfied / unsatisfied)",
    )
    p.add_argument("--note", help="回访情况 (不满意时必填; 不告知责任单位)")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="callback_record", needs_actor=True)
