"""The ``zhenggai`` subcommands of 延期申请 (issue 17): ``item extend`` (the unit asks) and
``extension list | approve | refuse`` (the approvers decide)."""

from __future__ import annotations

from typing import Any

from ._argparse_zh import _Parser
from ._parser_args import _add_actor, _add_json, _date

__all__ = ["add_extension_commands"]


def add_extension_commands(commands: Any, item_cmds: Any) -> None:
    """``zhenggai item extend ID --to DATE --reason … [--progress …]`` and ``zhenggai extension
    list [--pending] | approve ID [--note] | refuse ID --note …``."""
    p = item_cmds.add_parser(
        "extend",
        help="申请延期 (责任单位, 须在整改时限之前)",
        description="责任单位在整改时限之前申请延期, 写明理由、新时限和整改进展;\n"
        "按实施方案的审批顺序 (内置方案: 专项整治工作组组长, 再领导小组办公室) 审批,\n"
        "全部批准后整改时限改为新时限, 督办阶梯按新时限重新计算。逾期后不能申请。",
    )
    p.add_argument("item_id", type=int, metavar="ID", help="问题编号")
    p.add_argument(
        "--to", dest="new_due", required=True, type=_date, metavar="YYYY-MM-DD", help="申请的新时限"
    )
    p.add_argument("--reason", required=True, help="延期理由 (实施方案列有理由时须为其中之一)")
    p.add_argument("--progress", help="目前整改进展")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="item_extend", needs_actor=True)

    extension = commands.add_parser(
        "extension",
        help="延期申请: 列表、批准、不予批准",
        description="责任单位的延期申请, 按实施方案规定的顺序逐级审批。",
    )
    cmds = extension.add_subparsers(
        dest="extension_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = cmds.add_parser("list", help="延期申请列表", description="列出延期申请 (按申请先后)。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", metavar="UNIT", help="申请单位 (名称或标识)")
    p.add_argument("--pending", action="store_true", help="只列待审批的申请")
    _add_json(p)
    p.set_defaults(command="extension_list")
    for action, label, needs_note in (("approve", "批准", False), ("refuse", "不予批准", True)):
        p = cmds.add_parser(
            action, help=f"{label}延期申请", description=f"以当前审批人的角色{label}一项延期申请。"
        )
        p.add_argument("extension_id", type=int, metavar="ID", help="延期申请编号")
        p.add_argument(
            "--note", required=needs_note, help="审批意见" + (" (须写明理由)" if needs_note else "")
        )
        _add_actor(p)
        _add_json(p)
        p.set_defaults(command=f"extension_{action}", needs_actor=True)
