"""The ``zhenggai attachment`` subcommands of 佐证材料 (issue 17): ``add``, ``list``, ``get``
and ``export``."""

from __future__ import annotations

from typing import Any

from ._argparse_zh import _Parser
from ._parser_args import _add_actor, _add_json

__all__ = ["ENV_ATTACHMENTS", "add_attachment_commands"]

#: The folder evidence files are kept in, when ``--attachments`` is not given.
ENV_ATTACHMENTS = "ZHENGGAI_ATTACHMENTS"


def _add_folder(p: Any) -> None:
    p.add_argument(
        "--attachments",
        metavar="DIR",
        help=f"佐证材料存放目录; 默认取环境变量 {ENV_ATTACHMENTS}, 否则为 SQLite 数据库文件旁的 <文件名>.attachments",
    )


def add_attachment_commands(commands: Any) -> None:
    """``zhenggai attachment add (--measure ID | --duty ID | --review ID | --item ID
    --verification | --item ID --reporter) FILE``, ``list ITEM``, ``get ID --out FILE`` and
    ``export --unit U --out FILE.zip``."""
    attachment = commands.add_parser(
        "attachment",
        help="佐证材料: 上传、列表、下载、按单位导出",
        description="整改措施、职责报送、验收、回头看的佐证材料 (办公文档、PDF、图片; 按文件内容判断类型)。",
    )
    cmds = attachment.add_subparsers(
        dest="attachment_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = cmds.add_parser(
        "add",
        help="上传佐证材料",
        description="为整改措施 (--measure, 责任单位)、职责报送 (--duty, 该单位)、验收 (--item ID --verification,\n"
        "验收人员)、回头看 (--review, 回头看人员) 或举报人 (--item ID --reporter, 举报信息保管人) 上传一份文件。",
    )
    subject = p.add_mutually_exclusive_group(required=True)
    subject.add_argument("--measure", type=int, metavar="ID", help="整改措施编号")
    subject.add_argument("--duty", type=int, metavar="ID", help="职责编号")
    subject.add_argument("--review", type=int, metavar="ID", help="回头看任务编号")
    subject.add_argument(
        "--item", type=int, metavar="ID", help="问题编号 (与 --verification 或 --reporter 同用)"
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument("--verification", action="store_true", help="验收材料")
    which.add_argument("--reporter", action="store_true", help="举报人提供的材料 (只有举报信息保管人可查阅)")
    p.add_argument("file", metavar="FILE", help="文件路径")
    p.add_argument("--name", help="文件名 (默认取 FILE 的文件名)")
    _add_folder(p)
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="attachment_add", needs_actor=True)

    p = cmds.add_parser(
        "list",
        help="列出问题的佐证材料",
        description="列出一个问题的佐证材料 (本单位的; 举报人材料只对保管人列出)。",
    )
    p.add_argument("item_id", type=int, metavar="ITEM", help="问题编号")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="attachment_list", needs_actor=True)

    p = cmds.add_parser("get", help="下载一份佐证材料", description="把一份佐证材料写入文件 (核对 SHA-256)。")
    p.add_argument("attachment_id", type=int, metavar="ID", help="佐证材料编号")
    p.add_argument("--out", required=True, metavar="FILE", help="写入的文件 (或目录: 用原文件名)")
    _add_folder(p)
    _add_actor(p)
    p.set_defaults(command="attachment_get", needs_actor=True)

    p = cmds.add_parser(
        "export",
        help="导出一个单位的全部佐证材料 (zip)",
        description="把一个单位的佐证材料导出为一个 zip 文件, 每个问题一个文件夹 (按问题编号);\n"
        "不含其他单位的材料, 也不含举报人材料。",
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", required=True, metavar="UNIT", help="单位 (名称或标识)")
    p.add_argument("--out", required=True, metavar="FILE.zip", help="写入的 zip 文件")
    _add_folder(p)
    _add_actor(p)
    p.set_defaults(command="attachment_export", needs_actor=True)
