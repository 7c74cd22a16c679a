"""The ``zhenggai`` subcommands of the registers of their own (issue 16): ``education``
(警示教育) and ``commitment`` (践诺); ``document compile`` (规范性文件汇编) is added to the
``document`` group by :func:`add_document_compile`."""

from __future__ import annotations

import argparse
from typing import Any

from ._argparse_zh import _Parser
from ._parser_args import _add_actor, _add_json, _date

__all__ = ["add_commitment_commands", "add_document_compile", "add_education_commands"]


def _attendees(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"须为整数: {text}") from None


def add_education_commands(commands: Any) -> None:
    """``zhenggai education add | list`` (警示教育)."""
    education = commands.add_parser(
        "education",
        help="警示教育: 登记警示教育活动、列表",
        description="各单位开展的警示教育 (一、(三) 警示教育一批党员干部): 日期、主题、参加人数、所用案例。\n"
        "五个一批的「警示教育党员干部」按参加人数合计。",
    )
    cmds = education.add_subparsers(
        dest="education_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = cmds.add_parser("add", help="登记一次警示教育", description="登记一次警示教育活动。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", required=True, metavar="UNIT", help="开展警示教育的单位 (名称或标识)")
    p.add_argument(
        "--held-on", dest="held_on", required=True, type=_date, metavar="YYYY-MM-DD", help="举办日期"
    )
    p.add_argument("--title", required=True, help="主题, 如 以案促改警示教育大会")
    p.add_argument("--attendees", required=True, type=_attendees, metavar="N", help="参加的党员干部人数")
    p.add_argument("--cases", help="所用案例 (文字)")
    p.add_argument(
        "--case-item",
        dest="case_items",
        action="append",
        type=int,
        default=[],
        metavar="ID",
        help="用作案例的问题编号 (可重复)",
    )
    p.add_argument("--track", metavar="TRACK", help="所属专项 (名称或标识)")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="education_add", needs_actor=True)
    p = cmds.add_parser("list", help="警示教育台账", description="列出警示教育活动 (可按单位、专项)。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", metavar="UNIT", help="单位 (名称或标识)")
    p.add_argument("--track", metavar="TRACK", help="所属专项 (名称或标识)")
    _add_json(p)
    p.set_defaults(command="education_list")


def add_commitment_commands(commands: Any) -> None:
    """``zhenggai commitment add | kept ID | broken ID | list`` (践诺)."""
    commitment = commands.add_parser(
        "commitment",
        help="践诺: 登记单位承诺、认定兑现或未兑现、列表",
        description="各单位的公开承诺 (二、(二) 践诺): 承诺内容、兑现期限、已兑现或未兑现;\n"
        "逾期未兑现的承诺在列表中标出, 并在公开摘要的「践诺」专栏公布。",
    )
    cmds = commitment.add_subparsers(
        dest="commitment_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = cmds.add_parser("add", help="登记承诺", description="登记一项单位承诺。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", required=True, metavar="UNIT", help="作出承诺的单位 (名称或标识)")
    p.add_argument("--text", required=True, help="承诺内容")
    p.add_argument("--due", required=True, type=_date, metavar="YYYY-MM-DD", help="兑现期限 (不早于今天)")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="commitment_add", needs_actor=True)
    for action, label, needs_note in (("kept", "已兑现", False), ("broken", "未兑现", True)):
        p = cmds.add_parser(action, help=f"认定承诺{label}", description=f"认定一项承诺{label}。")
        p.add_argument("commitment_id", type=int, metavar="ID", help="承诺编号")
        p.add_argument("--on", type=_date, metavar="YYYY-MM-DD", help="认定日期 (默认今天)")
        p.add_argument(
            "--note", required=needs_note, help="说明" + (" (须写明未兑现的原因)" if needs_note else "")
        )
        _add_actor(p)
        _add_json(p)
        p.set_defaults(command=f"commitment_{action}", needs_actor=True)
    p = cmds.add_parser("list", help="承诺列表", description="列出单位承诺 (逾期未兑现的标出)。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", metavar="UNIT", help="单位 (名称或标识)")
    p.add_argument(
        "--state",
        dest="commitment_state",
        choices=["open", "fulfilled", "broken"],
        help="状态: open 践诺中、fulfilled 已兑现、broken 未兑现",
    )
    p.add_argument("--overdue", action="store_true", help="只列逾期未兑现的承诺")
    _add_json(p)
    p.set_defaults(command="commitment_list")


def add_document_compile(document_cmds: Any) -> None:
    """``zhenggai document compile --out PATH`` (规范性文件汇编)."""
    p = document_cmds.add_parser(
        "compile",
        help="编印规范性文件汇编 (.docx)",
        description="按保留、修订、废止列出清理结论 (分单位, 含决定日期和理由), 写成规范性文件汇编 (.docx)。",
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--out", required=True, metavar="PATH", help="输出目录或 .docx 文件")
    p.add_argument("--templates", metavar="DIR", help="本县的 Word 模板目录")
    _add_json(p)
    p.set_defaults(command="document_compile")
