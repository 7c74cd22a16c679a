"""The ``zhenggai score`` subcommands of 考核 / 红黄牌 (issue 17): ``score month`` (count a
month, show it; ``--store`` makes it the month's record and sends the card notices) and
``score list`` (the stored months)."""

from __future__ import annotations

from typing import Any

from ._argparse_zh import _Parser
from ._parser_args import _add_actor, _add_json

__all__ = ["add_score_commands"]


def add_score_commands(commands: Any) -> None:
    """``zhenggai score month --month YYYY-MM [--store] [--xlsx FILE]`` and ``zhenggai score
    list [--unit UNIT] [--month YYYY-MM]``."""
    score = commands.add_parser(
        "score",
        help="考核: 月度考核表, 红黄牌",
        description="按实施方案的考核规则 (scoring) 计算各单位月度得分;\n"
        "低于黄牌、红牌分数线的单位, 由系统通知其主要负责同志。\n"
        "每月第一个工作日系统自动确定上月考核。",
    )
    cmds = score.add_subparsers(dest="score_command", metavar="ACTION", required=True, parser_class=_Parser)
    p = cmds.add_parser(
        "month",
        help="计算并显示某月考核 (--store 确定并通知)",
        description="计算某月各单位得分 (只显示, 不写入);\n"
        "加 --store 则确定该月考核 (领导小组办公室), 写入并向亮牌单位主要负责同志发通知;\n"
        "再次确定同一月份: 结果未变的单位不重复写入、不重复通知。",
    )
    p.add_argument("--month", required=True, metavar="YYYY-MM", help="考核月份")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--store", action="store_true", help="确定该月考核并发送红黄牌通知 (须指明操作人)")
    p.add_argument("--xlsx", metavar="FILE", help="同时写出月度考核表 (.xlsx)")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="score_month", needs_actor="if_given")
    p = cmds.add_parser(
        "list", help="已确定的月度考核", description="列出已确定的月度考核 (按月份, 月内按名次)。"
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", metavar="UNIT", help="单位 (名称或标识)")
    p.add_argument("--month", metavar="YYYY-MM", help="只列该月")
    _add_json(p)
    p.set_defaults(command="score_list")
