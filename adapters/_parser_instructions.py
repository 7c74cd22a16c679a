"""The ``zhenggai`` arguments of 领导批示 (issue 17): ``item instruct`` (the office records a
leader's instruction) and the instruction of ``item add`` on the 领导批示交办 channel."""

from __future__ import annotations

from typing import Any

from ._parser_args import _add_actor, _add_json, _date

__all__ = ["add_instruction_commands"]


def add_instruction_commands(item_cmds: Any) -> None:
    """``zhenggai item instruct ID --leader NAME --date DATE --text …``; ``zhenggai item add``
    gains ``--leader / --instruction-date / --instruction`` (required on the channel
    领导批示交办, recorded with the item)."""
    p = item_cmds.add_parser(
        "instruct",
        help="记录领导批示 (领导小组办公室)",
        description="在问题上记录县领导的批示 (批示领导、批示日期、批示内容);\n"
        "责任单位收到批示通知, 台账、进展通报和问题详情中显示批示。",
    )
    p.add_argument("item_id", type=int, metavar="ID", help="问题编号")
    p.add_argument("--leader", required=True, help="批示领导 (通讯录中的姓名, 或联系人编号)")
    p.add_argument(
        "--date", dest="given_on", required=True, type=_date, metavar="YYYY-MM-DD", help="批示日期"
    )
    p.add_argument("--text", required=True, help="批示内容")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="item_instruct", needs_actor=True)

    add = item_cmds.choices["add"]
    add.add_argument("--leader", help="批示领导 (来源渠道为领导批示交办时必填)")
    add.add_argument(
        "--instruction-date", dest="instruction_date", type=_date, metavar="YYYY-MM-DD", help="批示日期"
    )
    add.add_argument("--instruction", help="批示内容")
