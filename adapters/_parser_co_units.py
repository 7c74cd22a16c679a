"""The ``zhenggai`` subcommands of 主办/协办 (issue 17): ``item co-unit`` (the office names a
co-unit with its part) and ``part list | measure | done | waive``."""

from __future__ import annotations

from typing import Any

from ._argparse_zh import _Parser
from ._parser_args import _add_actor, _add_json, _date

__all__ = ["add_co_unit_commands"]


def add_co_unit_commands(commands: Any, item_cmds: Any) -> None:
    """``zhenggai item co-unit ID --unit U --part TEXT [--due DATE]`` and ``zhenggai part ...``."""
    p = item_cmds.add_parser(
        "co-unit",
        help="协办: 确定问题的协办单位及其分工",
        description="领导小组办公室 (co_handling.decided_by) 为已交办、提请验收前的问题确定协办单位及其分工;\n"
        "问题的责任单位为主办单位。协办分工完成或经办公室免除前, 主办单位不能提请验收。",
    )
    p.add_argument("item_id", type=int, metavar="ID", help="问题编号")
    p.add_argument("--unit", required=True, metavar="UNIT", help="协办单位 (名称或标识)")
    p.add_argument("--part", required=True, metavar="TEXT", help="协办分工")
    p.add_argument("--due", type=_date, metavar="YYYY-MM-DD", help="分工完成时限 (默认: 问题的整改时限)")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="item_co_unit", needs_actor=True)

    part = commands.add_parser(
        "part",
        help="协办分工: 列出、添加措施、报告完成、免除",
        description="协办单位办理本单位的分工 (添加整改措施、报告完成); 领导小组办公室可免除分工。",
    )
    cmds = part.add_subparsers(dest="part_command", metavar="ACTION", required=True, parser_class=_Parser)
    p = cmds.add_parser(
        "list", help="协办分工列表", description="列出协办分工 (主办、协办单位、时限、状态)。"
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--item", dest="item_id", type=int, metavar="ID", help="只列该问题的分工")
    p.add_argument("--unit", metavar="UNIT", help="只列该协办单位的分工")
    p.add_argument("--open", dest="open_only", action="store_true", help="只列办理中的分工")
    _add_json(p)
    p.set_defaults(command="part_list")
    p = cmds.add_parser("measure", help="协办单位为本单位分工添加整改措施")
    p.add_argument("part_id", type=int, metavar="ID", help="分工编号")
    p.add_argument("--text", required=True, help="整改措施")
    p.add_argument("--due", type=_date, metavar="YYYY-MM-DD", help="措施完成时限")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="part_measure", needs_actor=True)
    p = cmds.add_parser("done", help="协办单位报告分工完成 (其整改措施一并完成)")
    p.add_argument("part_id", type=int, metavar="ID", help="分工编号")
    p.add_argument("--note", help="说明")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="part_done", needs_actor=True)
    p = cmds.add_parser("waive", help="领导小组办公室免除协办分工 (须说明理由)")
    p.add_argument("part_id", type=int, metavar="ID", help="分工编号")
    p.add_argument("--note", required=True, help="免除理由")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="part_waive", needs_actor=True)
