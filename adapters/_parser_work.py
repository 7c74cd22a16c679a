"""The parsers of ``zhenggai follow-up`` (回头看) and ``zhenggai supervision`` (督查)."""

from __future__ import annotations

from typing import Any

from ._argparse_zh import _Parser
from ._parser_args import _add_actor, _add_json, _date

__all__ = ["add_work_commands"]


def add_work_commands(commands: Any) -> None:
    """``zhenggai follow-up list | done`` and ``zhenggai supervision visit | bulletin``."""
    follow = commands.add_parser(
        "follow-up", help="回头看: 抽查的已销号问题及核查结果", description="回头看抽查任务 (巩固提升阶段)。"
    )
    cmds = follow.add_subparsers(
        dest="follow_up_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = cmds.add_parser("list", help="回头看任务列表", description="按抽查日列出回头看任务及核查结果。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--open", action="store_true", help="只列待核查的")
    _add_json(p)
    p.set_defaults(command="follow_up_list")
    p = cmds.add_parser(
        "done",
        help="登记回头看核查结果",
        description="登记回头看核查结果: 发现问题 (--finding, 问题重新整改) 或整改到位 (--confirmed)。",
    )
    p.add_argument("review_id", type=int, metavar="ID", help="回头看任务编号 (见 zhenggai follow-up list)")
    p.add_argument("--finding", metavar="TEXT", help="回头看发现的问题 (问题将重新整改)")
    p.add_argument("--confirmed", action="store_true", help="整改到位")
    p.add_argument(
        "--due", metavar="YYYY-MM-DD", type=_date, help="重新整改的时限 (默认: 原时限已过时按回头看期限)"
    )
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="follow_up_done", needs_actor=True)

    supervision = commands.add_parser(
        "supervision",
        help="督查: 明察暗访记录和督查通报",
        description="督查工作组的明察暗访 (不打招呼、直奔现场)。",
    )
    cmds = supervision.add_subparsers(
        dest="supervision_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = cmds.add_parser(
        "visit",
        help="记录一次督查",
        description="记录督查组对抽签单位的一次明察暗访; 每条发现登记为一个明察暗访问题。",
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--team", type=int, required=True, metavar="N", help="督查组编号")
    p.add_argument("--unit", required=True, metavar="UNIT", help="被督查单位 (名称或标识)")
    p.add_argument("--day", required=True, metavar="YYYY-MM-DD", type=_date, help="督查日期")
    p.add_argument("--finding", action="append", metavar="TEXT", help="发现的问题 (可多次给出)")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="supervision_visit", needs_actor=True)
    p = cmds.add_parser(
        "bulletin", help="督查通报 (.docx)", description="生成一次督查抽签的督查通报 (Word)。"
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument(
        "--draw", required=True, metavar="YYYY-MM-DD", type=_date, help="抽签日期 (见审计记录或通知)"
    )
    p.add_argument("--out", default=".", metavar="DIR", help="输出目录 (默认当前目录)")
    p.set_defaults(command="supervision_bulletin")
