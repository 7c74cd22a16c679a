"""The ``zhenggai`` command line.

::

    zhenggai [--db PATH|URL] COMMAND …        # --db or ZHENGGAI_DB; default ./zhenggai.db
    zhenggai init [--definition county_2023|FILE] [--campaign KEY] [--start DATE | --to-year YEAR]
    zhenggai definition list | show NAME | shift NAME|FILE (--start DATE | --to-year YEAR) [--out FILE]
    zhenggai item add | list | show | fire | pause | resume | case | measure add | measure done
    zhenggai duplicate list | resolve ID --merge|--distinct     # 关联研判
    zhenggai document add | list | fire ID TRIGGER              # 规范性文件清理
    zhenggai item outcome ID [--root-cause T] [--accountability "姓名|职务|处理方式" …] [--mechanism ID …]
    zhenggai item reporter ID [--config FILE]                  # 举报人 (custodian; audited)
    zhenggai reporter keygen --out FILE | rekey [--campaign KEY] [--config FILE]   # 举报人密钥
    zhenggai item publish ID --where T --on DATE                # 典型案例通报曝光
    zhenggai mechanism add | list | update ID                   # 长效机制
    zhenggai practice add | list | select ID                    # 典型做法和创新案例
    zhenggai outcomes [--campaign KEY] [--unit U] [--track T]   # 五个一批
    zhenggai audit verify [--campaign KEY]
    zhenggai duty list | done ID
    zhenggai contact add | list | update ID | remove ID | import FILE | template FILE   # 通讯录
    zhenggai run [--once] [--interval SECONDS]   # the scheduler daemon
    zhenggai status [--max-behind MINUTES]
    zhenggai import FILE.xlsx|FILE.csv [--campaign KEY]   # or: import --template FILE.xlsx
    zhenggai demo [--db PATH] [--keep] [--reports DIR]
    zhenggai report KIND --out DIR [--campaign KEY] [--unit U] [--track T] [--redact FILE]
                    [--actor NAME --role ROLE]   # registers: names of people held accountable

This module only builds the argument parser and turns outcomes into exit codes; the commands
live in :mod:`zhenggai.adapters._commands` and are imported only once a command runs, so
``zhenggai --help`` and ``zhenggai <command> --help`` never import SQLAlchemy, SQLModel,
Alembic, transitions or pydantic (a test pins this).

Exit codes: 0 done; 1 a refused operation or failed check (one line on stderr starting with
``错误: ``; a definition error adds its located problems, one per line), or an unexpected
failure (``内部错误: …``; set ``ZHENGGAI_DEBUG=1`` for the traceback); 2 a usage error;
130 interrupted.

Output for officials is Chinese; ``--json`` gives machines the engine's views as JSON
(UTF-8, not ASCII-escaped).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

__all__ = ["CliError", "build_parser", "main"]

ENV_DB = "ZHENGGAI_DB"
ENV_ACTOR = "ZHENGGAI_ACTOR"
ENV_ROLE = "ZHENGGAI_ROLE"
ENV_UNIT = "ZHENGGAI_UNIT"
ENV_DEBUG = "ZHENGGAI_DEBUG"
DEFAULT_DB = "zhenggai.db"


class CliError(Exception):
    """A problem the CLI itself found (no campaign yet, missing database file, …).

    Reported like a :class:`zhenggai.engine.ZhenggaiError`: one ``错误:`` line, exit 1.
    """


#: argparse's own texts (Python 3.11 to 3.13) in Chinese; texts not listed stay as they are.
ARGPARSE_TEXTS: dict[str, str] = {
    "usage: ": "用法: ",
    "options": "选项",
    "optional arguments": "选项",
    "positional arguments": "参数",
    "show this help message and exit": "显示帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "the following arguments are required: %s": "缺少必需的参数: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择: %(value)r (可选: %(choices)s)",
    "invalid choice: %(value)r, maybe you meant %(closest)r? (choose from %(choices)s)":
        "无效的选择: %(value)r, 是否为 %(closest)r? (可选: %(choices)s)",
    "unrecognized arguments: %s": "无法识别的参数: %s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s: %(message)s",
    "expected one argument": "须给出一个值",
    "expected at most one argument": "最多给出一个值",
    "expected at least one argument": "须至少给出一个值",
    "expected %s argument": "须给出 %s 个值",
    "expected %s arguments": "须给出 %s 个值",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "须给出参数 %s 之一",
    "invalid %(type)s value: %(value)r": "%(type)s 值无效: %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "选项不明确: %(option)s 可指 %(matches)s",
    "ignored explicit argument %r": "多余的参数值 %r",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知的命令 %(parser_name)r (可选: %(choices)s)",
    "can't open '%(filename)s': %(error)s": "无法打开 '%(filename)s': %(error)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: 错误: %(message)s\n",
}


def _gettext(message: str) -> str:
    return ARGPARSE_TEXTS.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


@contextlib.contextmanager
def _chinese_argparse() -> Iterator[None]:
    """argparse's own texts in Chinese while our parsers build, parse and print.

    argparse looks its texts up through its module's ``_`` and ``ngettext`` (gettext) when it
    needs them (3.11 and later alike); they are swapped only for that time, so other parsers in
    the same process keep theirs."""
    saved = getattr(argparse, "_"), getattr(argparse, "ngettext")  # noqa: B009 - not in the stubs
    setattr(argparse, "_", _gettext)  # noqa: B010
    setattr(argparse, "ngettext", _ngettext)  # noqa: B010
    try:
        yield
    finally:
        setattr(argparse, "_", saved[0])  # noqa: B010
        setattr(argparse, "ngettext", saved[1])  # noqa: B010


class _Parser(argparse.ArgumentParser):
    """argparse in Chinese: its headings, help and errors (:data:`ARGPARSE_TEXTS`), the usage
    error as ``用法错误: …`` (exit code 2, as argparse does).

    Descriptions keep their own line breaks: argparse wraps by ``len()``, which splits
    Chinese text (two columns a character) and English words at the wrong places.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        with _chinese_argparse():
            super().__init__(*args, **kwargs)

    def parse_args(self, *args: Any, **kwargs: Any) -> Any:
        with _chinese_argparse():
            return super().parse_args(*args, **kwargs)

    def parse_known_args(self, *args: Any, **kwargs: Any) -> Any:
        with _chinese_argparse():
            return super().parse_known_args(*args, **kwargs)

    def format_usage(self) -> str:
        with _chinese_argparse():
            return super().format_usage()

    def format_help(self) -> str:
        with _chinese_argparse():
            return super().format_help()

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"用法错误: {message}\n")


def _add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="输出 JSON (供程序读取)")


def _add_actor(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group(
        "操作人",
        "也可用环境变量 ZHENGGAI_ACTOR / ZHENGGAI_ROLE / ZHENGGAI_UNIT;\n给出 --actor 时, 角色和单位只取命令行。",
    )
    g.add_argument("--actor", metavar="NAME", help="操作人姓名")
    g.add_argument("--role", metavar="ROLE", help="操作人角色 (名称或标识), 如 领导小组办公室的 leading_group_office、责任单位 responsible")
    g.add_argument("--as-unit", dest="as_unit", metavar="UNIT", help="操作人所属单位 (名称或标识, 如 县住建局 或 housing_construction_bureau)")


def _item_write(p: argparse.ArgumentParser, command: str) -> None:
    """The options every command that changes an item takes (version, actor, --json)."""
    _add_expected_version(p)
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command=command, needs_actor=True)


def _add_expected_version(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--expected-version", dest="expected_version", type=int, metavar="N",
        help="只在问题仍为第 N 版时执行 (防止覆盖他人的修改)",
    )


class _TemplateAction(argparse.Action):
    """``import --template FILE``: writing a template changes nothing, so no actor is needed."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        setattr(namespace, self.dest, values)
        namespace.needs_actor = False


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"须为整数: {text}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"不能为负数: {text}")
    return value


def _date(text: str) -> str:
    import datetime as dt

    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"须为日期 YYYY-MM-DD: {text}") from None
    return text


def _item_ref(text: str) -> str:
    """An item's id (digits) or its 问题编号 (``ZG-2023-0001``)."""
    import re

    if not re.fullmatch(r"\d+|[A-Za-z]+-\d{4}-\d+", text.strip()):
        raise argparse.ArgumentTypeError(f"须为问题 ID 或问题编号 (如 ZG-2023-0001): {text}")
    return text.strip()


def _year(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"须为年份 (如 2026): {text}") from None
    if not 1000 <= value <= 9998:
        raise argparse.ArgumentTypeError(f"年份无效: {text}")
    return value


def _add_redating(p: argparse.ArgumentParser, *, required: bool) -> None:
    """``--start DATE | --to-year YEAR``: re-date the definition (campaigns dated now)."""
    group = p.add_mutually_exclusive_group(required=required)
    group.add_argument("--start", type=_date, metavar="YYYY-MM-DD",
                       help="把实施方案的全部日期平移, 使专项行动从这一天开始")
    group.add_argument("--to-year", dest="to_year", type=_year, metavar="YEAR",
                       help="把实施方案的全部日期移到该年的同月同日 (2月29日 → 2月28日)")


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"须为秒数: {text}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"须大于 0: {text}")
    return value


def _contact_fields(p: argparse.ArgumentParser, *, adding: bool) -> None:
    """The fields of a contact (``contact add`` / ``contact update``; in an update an empty value
    clears an optional field). ``--contact-role``: ``--role`` is the acting person's role."""
    clear = "" if adding else "; 给空值清除"
    p.add_argument("--unit", required=adding, metavar="UNIT", help="单位 (名称或标识)")
    p.add_argument("--name", required=adding, help="姓名")
    p.add_argument("--contact-role", dest="contact_role", metavar="ROLE",
                   help="联系人的角色 (名称或标识, 如 领导小组办公室); 不填为本单位联系人" if adding else "联系人的角色")
    p.add_argument("--mobile", metavar="MOBILE", help="手机号码 (11 位)" + clear)
    p.add_argument("--email", metavar="EMAIL", help="电子邮箱" + clear)
    p.add_argument("--wecom-id", dest="wecom_id", metavar="ID", help="企业微信账号 (群机器人按此 @)" + clear)
    p.add_argument("--dingtalk-id", dest="dingtalk_id", metavar="ID", help="钉钉 userId (群机器人按此 @)" + clear)
    p.add_argument("--channels", metavar="CHANNELS",
                   help="接收渠道, 按先后用逗号或顿号分隔, 如 sms,email 或 短信、电子邮件; 不填按实施方案" + clear)
    p.add_argument("--from", dest="active_from", metavar="YYYY-MM-DD", help="生效日期 (此前不接收消息)" + clear)
    p.add_argument("--to", dest="active_to", metavar="YYYY-MM-DD", help="失效日期 (此后不接收消息)" + clear)


def _add_contact_commands(commands: Any) -> None:
    """``zhenggai contact add | list | update | remove | import | template``: the roster (通讯录)."""
    contact = commands.add_parser(
        "contact", help="通讯录: 添加、列表、修改、移除、导入联系人",
        description="运行中的专项行动的通讯录: 谁接收发给各单位、各角色的消息。\n"
        "实施方案中的联系人只是初始名单; 之后由实施方案规定的角色 (manage_contacts) 维护。\n"
        "移除或不在有效期内的联系人不接收消息。因无人接收而成为死信的消息, 补充联系人后\n"
        "用 zhenggai outbox retry --all-dead 重新投递。",
    )
    cmds = contact.add_subparsers(dest="contact_command", metavar="ACTION", required=True, parser_class=_Parser)
    p = cmds.add_parser("add", help="添加联系人", description="向通讯录添加一名联系人 (至少一种联系方式)。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识 (库中只有一个专项行动时可省略)")
    _contact_fields(p, adding=True)
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="contact_add", needs_actor=True)
    p = cmds.add_parser("list", help="通讯录列表 (手机、邮箱部分隐去; --json 为完整信息)",
                        description="列出通讯录, 以及没有可达联系人的单位和角色。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", metavar="UNIT", help="只列此单位的 (名称或标识)")
    p.add_argument("--contact-role", dest="contact_role", metavar="ROLE", help="只列此角色的")
    p.add_argument("--all", action="store_true", help="包括已移除的")
    _add_json(p)
    p.set_defaults(command="contact_list")
    p = cmds.add_parser("update", help="修改联系人", description="修改联系人的各项 (只改给出的项; 空值清除可选项)。")
    p.add_argument("contact_id", type=int, metavar="ID", help="联系人编号 (contact list 的第一列)")
    _contact_fields(p, adding=False)
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="contact_update", needs_actor=True)
    p = cmds.add_parser("remove", help="移除联系人 (不再接收消息)", description="移除联系人: 保留记录, 不再接收消息。")
    p.add_argument("contact_id", type=int, metavar="ID", help="联系人编号")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="contact_remove", needs_actor=True)
    p = cmds.add_parser(
        "import", help="导入通讯录 (.xlsx / .csv), 全部成功或全部不导入",
        description="从 .xlsx 或 .csv 导入通讯录: 表头为 单位、姓名 (必填), 角色、手机、邮箱、企业微信ID、\n"
        "钉钉ID、接收渠道、生效日期、失效日期 (选填); 单位和角色可填名称或标识。\n"
        "逐行检查; 全部无误才导入, 否则逐条列出 第N行 [列名]: 原因, 一个也不导入 (退出码 1)。",
    )
    p.add_argument("file", metavar="FILE", help="通讯录文件 (.xlsx 或 .csv)")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="contact_import", needs_actor=True)
    p = cmds.add_parser("template", help="写出空白通讯录模板 (含填写说明和下拉列表)",
                        description="写出空白通讯录模板 (不覆盖已有文件), 不需要操作人。")
    p.add_argument("file", metavar="FILE.xlsx", help="模板文件")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    _add_json(p)
    p.set_defaults(command="contact_template")


def _add_reporter_config(p: argparse.ArgumentParser) -> None:
    """``--config``: where the reporter key is named (its ``[reporter]`` section)."""
    p.add_argument("--config", metavar="FILE",
                   help="配置文件 (TOML), 其 [reporter] 段指明举报人密钥 (默认取环境变量 ZHENGGAI_CONFIG)")


def _add_reporter_commands(commands: Any, item_cmds: Any) -> None:
    """``zhenggai item reporter ID`` and ``zhenggai reporter keygen | rekey``: 举报人信息加密保存."""
    p = item_cmds.add_parser(
        "reporter", help="查阅问题的举报人信息 (保管人; 每次查阅记入审计记录)",
        description="查阅一个问题的举报人信息: 只有实施方案允许的角色 (read_reporter, 内置方案为 custodian) 可以查阅,\n"
        "每次查阅记入审计记录。举报人信息加密保存, 须用配置文件 [reporter] 段的密钥解密。",
    )
    p.add_argument("item_id", type=int, metavar="ID", help="问题编号")
    _add_reporter_config(p)
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="item_reporter", needs_actor=True)

    reporter = commands.add_parser(
        "reporter", help="举报人密钥: 生成、更换后重新加密",
        description="举报人信息 (姓名、电话等) 在数据库中加密保存, 密钥不在数据库中: 在配置文件 [reporter] 段\n"
        "用 key_file 或 key_env 指明。更换密钥: 生成新密钥, 原密钥移入 old_key_files, 运行 reporter rekey,\n"
        "之后即可删去原密钥。密钥遗失则它加密的举报人信息无法恢复: 请另行安全备份密钥文件。",
    )
    cmds = reporter.add_subparsers(dest="reporter_command", metavar="ACTION", required=True, parser_class=_Parser)
    p = cmds.add_parser(
        "keygen", help="生成新的举报人密钥文件 (权限 0600, 不覆盖已有文件)",
        description="生成一个新的举报人密钥 (32 字节随机数的 base64) 写入文件, 权限 0600, 不覆盖已有文件;\n"
        "只打印密钥编号, 不打印密钥。不需要数据库。",
    )
    p.add_argument("--out", required=True, metavar="FILE", help="密钥文件 (须尚不存在)")
    _add_json(p)
    p.set_defaults(command="reporter_keygen")
    p = cmds.add_parser(
        "rekey", help="用现用密钥重新加密全部举报人信息 (更换密钥后; 旧的明文记录一并加密)",
        description="把不是用现用密钥加密的举报人信息, 用配置的旧密钥解密后以现用密钥重新加密; 早于加密功能的\n"
        "明文记录也加密并清除明文。一个事务, 全部成功或不改动; 记入审计记录 (只有条数)。\n"
        "须由实施方案允许查阅举报人信息的角色 (read_reporter, 内置方案为 custodian) 执行。",
    )
    p.add_argument("--campaign", metavar="KEY", help="只处理这个专项行动 (默认: 全部)")
    _add_reporter_config(p)
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="reporter_rekey", needs_actor=True)


def _add_calendar_commands(commands: Any) -> None:
    """``zhenggai calendar list | show YEAR | load FILE [--replace]``: the working-day calendar."""
    calendar = commands.add_parser(
        "calendar", help="工作日历: 各年节假日安排的列表、详情、载入",
        description="工作日历 (节假日和调休上班日)。内置数据到最近一次国务院办公厅通知为止;\n"
        "新一年的通知发布后, 用 zhenggai calendar load 载入 (格式见 README)。库中所有按法定节假日\n"
        "计算的专项行动都按它计算; 待日历的督办步骤随即启用。",
    )
    cmds = calendar.add_subparsers(dest="calendar_command", metavar="ACTION", required=True, parser_class=_Parser)
    p = cmds.add_parser("list", help="已知的年份及其来源", description="列出工作日历已知的年份: 内置的和载入的 (含被替换的)。")
    _add_json(p)
    p.set_defaults(command="calendar_list")
    p = cmds.add_parser("show", help="某年的节假日安排", description="列出某年的放假安排、调休上班日和全年工作日数。")
    p.add_argument("year", type=int, metavar="YEAR", help="年份, 如 2027")
    _add_json(p)
    p.set_defaults(command="calendar_show")
    p = cmds.add_parser(
        "load", help="载入一年的节假日安排 (国务院办公厅通知)",
        description="检查并载入一年的节假日安排文件: 每一天都须确定 (放假日、调休上班日不重叠, 调休上班日须是周末,\n"
        "元旦、春节、清明节、劳动节、端午节、中秋节、国庆节都已安排, 日期都在该年内)。有误时逐条列出 文件:行号, 不载入。\n"
        "内置数据已有的年份或已载入的年份, 只有加 --replace 才替换。载入记入各专项行动的审计记录。",
    )
    p.add_argument("file", metavar="FILE", help="节假日安排文件 (YAML)")
    p.add_argument("--replace", action="store_true", help="替换内置数据或此前载入的同一年份")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="calendar_load", needs_actor=True)


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree. Each leaf sets ``command`` to its name in the command table."""
    parser = _Parser(
        prog="zhenggai",
        description="整改专项行动工作流引擎: 问题查摆、交办、整改、验收、销号、回头看, 全程留痕。",
        epilog="示例: zhenggai init; zhenggai item list; zhenggai demo",
    )
    parser.add_argument(
        "--db", metavar="PATH|URL",
        help=f"数据库: SQLite 文件路径或 SQLAlchemy URL (postgresql://…); 默认取环境变量 {ENV_DB}, "
        f"否则为当前目录下的 {DEFAULT_DB}",
    )
    commands = parser.add_subparsers(dest="group", metavar="COMMAND", required=True, parser_class=_Parser)

    p = commands.add_parser("init", help="建库并按实施方案启动专项行动", description="建库并按实施方案启动专项行动。")
    p.add_argument(
        "--definition", default="county_2023", metavar="NAME|FILE",
        help="内置定义名或定义文件 (YAML); 默认 county_2023",
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识; 默认为定义的 id")
    _add_redating(p, required=False)
    _add_json(p)
    p.set_defaults(command="init")

    p = commands.add_parser(
        "check", help="检查实施方案 (定义文件), 不需要数据库",
        description="加载并检查定义文件: 格式、引用 (单位、角色、条件)、流程可达性。\n"
        "全部通过时退出码 0 并打印摘要; 否则逐条列出 文件:行号: 位置: 问题, 退出码 1。",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="定义文件 (YAML) 或内置定义名 (county_2023)")
    _add_json(p)
    p.set_defaults(command="check")

    definition = commands.add_parser(
        "definition", help="内置实施方案: 列表、打印", description="内置的实施方案 (定义文件)。"
    )
    definition_cmds = definition.add_subparsers(
        dest="definition_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = definition_cmds.add_parser("list", help="列出内置定义", description="列出内置的实施方案。")
    _add_json(p)
    p.set_defaults(command="definition_list")
    p = definition_cmds.add_parser(
        "show", help="打印内置定义 (可另存为本县的定义文件)",
        description="打印内置定义的 YAML 原文, 可重定向保存后修改为本县的实施方案:\n"
        "  zhenggai definition show county_2023 > my_county.yaml",
    )
    p.add_argument("name", metavar="NAME", help="内置定义名, 如 county_2023")
    p.set_defaults(command="definition_show")
    p = definition_cmds.add_parser(
        "shift", help="把实施方案重新安排到另一个开始日期或年份",
        description="把实施方案的全部日期 (开始、阶段、职责、县定节假日…) 平移到新的开始日期, 或移到另一年的同月同日,\n"
        "并重新检查; 输出定义文件 (默认打印, --out 写入文件):\n"
        "  zhenggai definition shift county_2023 --to-year 2026 --out county_2026.yaml",
    )
    p.add_argument("source", metavar="NAME|FILE", help="内置定义名或定义文件 (YAML)")
    _add_redating(p, required=True)
    p.add_argument("--out", metavar="FILE", help="写入的定义文件; 默认打印到标准输出")
    p.set_defaults(command="definition_shift")

    item = commands.add_parser("item", help="问题: 登记、列表、详情、流转、整改措施、暂停计时", description="问题的登记、查询和流转。")
    item_cmds = item.add_subparsers(dest="item_command", metavar="ACTION", required=True, parser_class=_Parser)

    p = item_cmds.add_parser("add", help="登记问题", description="登记一个问题 (问题线索)。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识 (库中只有一个专项行动时可省略)")
    p.add_argument("--title", required=True, help="问题标题")
    p.add_argument("--description", required=True, help="问题描述")
    p.add_argument("--track", required=True, help="所属专项 (名称或标识), 如 工程领域专项整治 或 construction")
    p.add_argument("--channel", required=True, help="来源渠道 (名称或标识), 如 公开举报电话 或 hotline")
    p.add_argument("--severity", default=None, help="问题程度 (名称或标识), 按实施方案 (内置方案: 一般 normal、较重 serious、严重 critical); 缺省为方案的第一项")
    p.add_argument("--reporter-name", dest="reporter_name", metavar="NAME", help="举报人姓名 (保密)")
    p.add_argument("--reporter-phone", dest="reporter_phone", metavar="PHONE", help="举报人电话 (保密)")
    _add_reporter_config(p)
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="item_add", needs_actor=True)

    p = item_cmds.add_parser("list", help="问题列表 (整改台账)", description="按条件列出问题。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--state", metavar="STATE", help="状态 (名称或标识), 如 整改中 或 rectifying")
    p.add_argument("--unit", metavar="UNIT", help="责任单位 (名称或标识)")
    p.add_argument("--track", metavar="TRACK", help="所属专项 (名称或标识)")
    p.add_argument("--limit", type=_count, metavar="N", help="最多列出 N 个")
    p.add_argument("--offset", type=_count, default=0, metavar="N", help="跳过前 N 个 (与 --limit 一起分页)")
    _add_json(p)
    p.set_defaults(command="item_list")

    p = item_cmds.add_parser("show", help="问题详情、整改措施和审计记录", description="显示一个问题的详情。")
    p.add_argument("item_id", type=_item_ref, metavar="ID", help="问题 ID, 或问题编号 (如 ZG-2023-0001)")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识 (问题编号在多个专项行动中都有时)")
    _add_json(p)
    p.set_defaults(command="item_show")

    p = item_cmds.add_parser(
        "fire", help="流转问题 (交办、开始整改、提请验收、验收、销号、回头看 …)",
        description="对问题执行一个流转操作 (trigger), 也可用中文名称 (如 销号)。标准流程的操作:\n"
        "  assign 交办 (--unit, --due, 可选 --leading-official)\n"
        "  start_rectification 开始整改 · submit_for_verification 提请验收\n"
        "  verify 验收通过 · return_for_rework 退回重新整改 (--reason) · close 销号\n"
        "  follow_up_review 回头看重新整改 (--finding) · reassign 改派 (--unit, --due)\n"
        "  dismiss 撤销 (--reason) · merge 合并重复问题 (--survivor)",
    )
    p.add_argument("item_id", type=int, metavar="ID", help="问题编号")
    p.add_argument("trigger", metavar="TRIGGER", help="操作 (名称或标识), 如 交办 或 assign")
    p.add_argument("--unit", metavar="UNIT", help="责任单位 (名称或标识; 交办、改派)")
    p.add_argument("--due", metavar="YYYY-MM-DD", help="整改时限 (交办、改派)")
    p.add_argument("--leading-official", dest="leading_official", metavar="NAME", help="领衔领导")
    p.add_argument("--finding", help="回头看发现的问题 (follow_up_review)")
    p.add_argument("--reason", help="理由 (退回、撤销)")
    p.add_argument("--survivor", dest="survivor_id", type=int, metavar="ID", help="合并到的问题编号 (merge)")
    p.add_argument("--note", help="备注 (记入审计记录)")
    _item_write(p, "item_fire")

    p = item_cmds.add_parser(
        "pause", help="暂停计时 (中止, 如等待法院判决)",
        description="暂停问题的整改计时 (须有理由, 由实施方案规定的角色批准)。\n"
        "保留剩余的工作日; 暂停期间不提醒、不亮灯、不督办。",
    )
    p.add_argument("item_id", type=int, metavar="ID", help="问题编号")
    p.add_argument("--reason", required=True, help="暂停理由 (记入审计记录)")
    _item_write(p, "item_pause")
    p = item_cmds.add_parser(
        "resume", help="恢复计时",
        description="恢复问题的整改计时: 新的整改时限 = 从今天起算 (今天不计) 的剩余工作日; 暂停当天计为已用。",
    )
    p.add_argument("item_id", type=int, metavar="ID", help="问题编号")
    p.add_argument("--note", help="备注 (记入审计记录)")
    _item_write(p, "item_resume")

    p = item_cmds.add_parser(
        "case", help="标记为典型案例 (供典型案例通报)",
        description="把问题标记为典型案例, 附通报用的案例说明; 再次标记则替换说明。",
    )
    p.add_argument("item_id", type=int, metavar="ID", help="问题编号")
    p.add_argument("--note", required=True, help="案例说明 (印入典型案例通报)")
    _item_write(p, "item_case")

    p = item_cmds.add_parser(
        "outcome", help="记录办理结果: 问责处理、根源分析、长效机制 (办结或撤销后)",
        description="记录已办结 (销号、撤销、合并) 问题的办理结果; 再次记录则整体替换。\n"
        "  --accountability \"姓名|职务|处理方式\" 可重复, 职务可空 (\"张三||批评教育\");\n"
        "  处理方式用实施方案的标识或名称 (内置方案: 谈话提醒、批评教育、责令检查、诫勉、\n"
        "  组织处理、党纪政务处分、移送司法机关)。被问责人员姓名属个人信息, 不记入审计记录。\n"
        "不给 --root-cause / --accountability / --mechanism 时显示已记录的结果\n"
        "(姓名只对实施方案允许查阅的角色显示, 每次查阅记入审计记录)。",
    )
    p.add_argument("item_id", type=int, metavar="ID", help="问题编号")
    p.add_argument("--root-cause", dest="root_cause", metavar="TEXT", help="根源分析 (问题产生的原因、制度漏洞)")
    p.add_argument("--accountability", action="append", default=[], metavar="姓名|职务|处理方式",
                   help="一名被问责人员及其处理方式 (可重复)")
    p.add_argument("--mechanism", dest="mechanisms", action="append", type=int, default=[], metavar="ID",
                   help="由此健全的长效机制编号 (可重复; 见 mechanism list)")
    _item_write(p, "item_outcome")

    p = item_cmds.add_parser(
        "publish", help="记录典型案例的通报曝光 (何处、何日)",
        description="记录已标记为典型案例的问题在何处、何日通报曝光; 再次记录则替换。",
    )
    p.add_argument("item_id", type=int, metavar="ID", help="问题编号")
    p.add_argument("--where", required=True, metavar="TEXT", help="通报曝光的载体, 如 县纪委监委网站、XXXX公众号")
    p.add_argument("--on", required=True, type=_date, metavar="YYYY-MM-DD", help="通报曝光的日期 (不晚于今天)")
    _item_write(p, "item_publish")

    duplicate = commands.add_parser(
        "duplicate", help="关联研判: 疑似重复问题的列表和研判",
        description="登记和导入问题时, 与同一领域、同一责任单位中相似的问题标为疑似重复,\n"
        "由人研判: 合并 (--merge) 或确认不是同一问题 (--distinct); 系统从不自动合并。",
    )
    duplicate_cmds = duplicate.add_subparsers(dest="duplicate_command", metavar="ACTION", required=True,
                                              parser_class=_Parser)
    p = duplicate_cmds.add_parser("list", help="疑似重复列表", description="列出待研判 (或 --all 全部) 的疑似重复问题。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--all", action="store_true", help="包括已研判的")
    _add_json(p)
    p.set_defaults(command="duplicate_list")
    p = duplicate_cmds.add_parser("resolve", help="研判一条疑似重复", description="研判一条疑似重复: 合并到相似的问题, 或确认不同。")
    p.add_argument("flag_id", type=int, metavar="ID", help="疑似重复编号 (duplicate list 的第一列)")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--merge", action="store_true", help="合并: 该问题并入相似的问题")
    how.add_argument("--distinct", action="store_true", help="不是同一问题, 各自办理")
    p.add_argument("--note", help="备注 (记入审计记录)")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="duplicate_resolve", needs_actor=True)

    document = commands.add_parser(
        "document", help="规范性文件清理: 登记待清理文件、审查、作出保留 / 修订 / 废止结论",
        description="各单位列入清理的规范性文件, 按实施方案的文件清理流程办理 (documents),\n"
        "清理结论须在期限内作出, 逾期由调度程序提醒和督办。",
    )
    document_cmds = document.add_subparsers(dest="document_command", metavar="ACTION", required=True,
                                            parser_class=_Parser)
    p = document_cmds.add_parser("add", help="登记待清理的规范性文件", description="登记一份待清理的规范性文件。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", required=True, metavar="UNIT", help="制定 (负责清理) 的单位 (名称或标识)")
    p.add_argument("--title", required=True, help="文件名称")
    p.add_argument("--doc-number", dest="doc_number", metavar="文号", help="文号, 如 县政办发〔2019〕12号")
    p.add_argument("--note", help="备注")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="document_add", needs_actor=True)
    p = document_cmds.add_parser("list", help="待清理文件列表", description="列出规范性文件及其清理状态、期限和预警。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", metavar="UNIT", help="单位 (名称或标识)")
    p.add_argument("--state", metavar="STATE", help="状态 (名称或标识)")
    _add_json(p)
    p.set_defaults(command="document_list")
    p = document_cmds.add_parser(
        "fire", help="办理文件 (开始审查、决定保留 / 修订 / 废止)",
        description="对规范性文件执行文件清理流程中的一个操作, 也可用中文名称 (如 决定废止)。",
    )
    p.add_argument("document_id", type=int, metavar="ID", help="文件编号")
    p.add_argument("trigger", metavar="TRIGGER", help="操作 (名称或标识), 如 start_review")
    p.add_argument("--reason", help="理由 (清理结论须写明)")
    p.add_argument("--note", help="备注 (记入审计记录)")
    _item_write(p, "document_fire")

    mechanism = commands.add_parser(
        "mechanism", help="长效机制: 登记、列表、更新状态",
        description="各单位因专项行动建立、修订的制度、工作规程、信息系统 (长效机制台账)。\n"
        "状态: drafting 起草中 · established 已建立 · revised 已修订 · abolished 已废止 (也可用中文)。",
    )
    mechanism_cmds = mechanism.add_subparsers(dest="mechanism_command", metavar="ACTION", required=True,
                                              parser_class=_Parser)
    p = mechanism_cmds.add_parser("add", help="登记长效机制", description="登记一项长效机制。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", required=True, metavar="UNIT", help="建立机制的单位 (名称或标识)")
    p.add_argument("--title", required=True, help="机制名称, 如 工程建设项目审批限时办结制度")
    p.add_argument("--kind", required=True, metavar="KIND", help="类别, 按实施方案 (内置方案: rule 制度、procedure 工作规程、system 信息系统)")
    p.add_argument("--status", required=True, metavar="STATUS", help="状态: drafting、established、revised、abolished")
    p.add_argument("--date", required=True, type=_date, metavar="YYYY-MM-DD", help="达到该状态的日期 (不晚于今天)")
    p.add_argument("--item", dest="items", action="append", type=int, default=[], metavar="ID",
                   help="促成该机制的问题编号 (可重复)")
    p.add_argument("--track", metavar="TRACK", help="所属专项 (名称或标识)")
    p.add_argument("--note", help="备注")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="mechanism_add", needs_actor=True)
    p = mechanism_cmds.add_parser("list", help="长效机制台账", description="列出长效机制 (可按单位、专项)。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", metavar="UNIT", help="单位 (名称或标识)")
    p.add_argument("--track", metavar="TRACK", help="所属专项 (名称或标识)")
    _add_json(p)
    p.set_defaults(command="mechanism_list")
    p = mechanism_cmds.add_parser("update", help="更新长效机制的状态", description="更新一项长效机制的状态 (如 起草中 → 已建立)。")
    p.add_argument("mechanism_id", type=int, metavar="ID", help="长效机制编号")
    p.add_argument("--status", required=True, metavar="STATUS", help="新状态: drafting、established、revised、abolished")
    p.add_argument("--date", required=True, type=_date, metavar="YYYY-MM-DD", help="达到该状态的日期")
    p.add_argument("--note", help="备注")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="mechanism_update", needs_actor=True)

    practice = commands.add_parser(
        "practice", help="典型做法和创新案例: 报送、列表、遴选",
        description="各单位报送优化营商环境的典型做法和创新案例 (可复制、易推广、有特色);\n"
        "宣传部门遴选后刊入公开摘要的「晒成效」专栏。",
    )
    practice_cmds = practice.add_subparsers(dest="practice_command", metavar="ACTION", required=True,
                                            parser_class=_Parser)
    p = practice_cmds.add_parser("add", help="报送典型做法", description="以操作人所属单位报送一项典型做法或创新案例。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--title", required=True, help="标题")
    p.add_argument("--summary", required=True, help="主要做法和成效")
    p.add_argument("--track", metavar="TRACK", help="所属专项 (名称或标识)")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="practice_add", needs_actor=True)
    p = practice_cmds.add_parser("list", help="典型做法列表", description="列出报送的典型做法和创新案例。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", metavar="UNIT", help="报送单位 (名称或标识)")
    chosen = p.add_mutually_exclusive_group()
    chosen.add_argument("--selected", dest="selected", action="store_const", const=True, default=None,
                        help="只列已入选的")
    chosen.add_argument("--not-selected", dest="selected", action="store_const", const=False, help="只列未入选的")
    _add_json(p)
    p.set_defaults(command="practice_list")
    p = practice_cmds.add_parser("select", help="遴选典型做法 (刊入晒成效)", description="遴选一项典型做法刊入「晒成效」专栏; --undo 撤下。")
    p.add_argument("practice_id", type=int, metavar="ID", help="典型做法编号")
    p.add_argument("--undo", action="store_true", help="撤下 (不再入选)")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="practice_select", needs_actor=True)

    p = commands.add_parser(
        "outcomes", help="五个一批: 各项成效的完成数、目标和完成率",
        description="专项行动的五个一批 (排查发现问题线索、通报曝光典型案例、警示教育党员干部、\n"
        "解决难点堵点、健全长效机制): 按记录统计的完成数、实施方案的目标和完成率,\n"
        "并分专项、分单位列出。",
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", metavar="UNIT", help="只统计这个责任单位的 (名称或标识)")
    p.add_argument("--track", metavar="TRACK", help="只统计这个专项的 (名称或标识)")
    _add_json(p)
    p.set_defaults(command="outcomes")

    measure = item_cmds.add_parser("measure", help="整改措施: 添加、完成", description="问题的整改措施。")
    measure_cmds = measure.add_subparsers(dest="measure_command", metavar="ACTION", required=True, parser_class=_Parser)
    p = measure_cmds.add_parser("add", help="添加整改措施", description="为问题添加一项整改措施。")
    p.add_argument("item_id", type=int, metavar="ID", help="问题编号")
    p.add_argument("--text", required=True, help="措施内容")
    p.add_argument("--due", metavar="YYYY-MM-DD", help="措施完成时限")
    _item_write(p, "measure_add")
    p = measure_cmds.add_parser("done", help="完成整改措施", description="把一项整改措施标记为已完成。")
    p.add_argument("measure_id", type=int, metavar="MEASURE_ID", help="措施编号")
    _item_write(p, "measure_done")

    campaign = commands.add_parser("campaign", help="专项行动: 改用新版本实施方案、重算整改时限", description="专项行动的管理。")
    campaign_cmds = campaign.add_subparsers(
        dest="campaign_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    p = campaign_cmds.add_parser(
        "migrate", help="改用新版本实施方案 (逐项检查在办问题)",
        description="把运行中的专项行动改用同一实施方案的新版本。\n"
        "新版本若缺少在办问题所处的状态、专项、来源渠道或责任单位, 整体拒绝并逐条列出。",
    )
    p.add_argument("--campaign", metavar="KEY", required=True, help="专项行动标识")
    p.add_argument("--definition", metavar="FILE", required=True, help="新版本的定义文件 (YAML)")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="campaign_migrate", needs_actor=True)

    p = campaign_cmds.add_parser(
        "recompute", help="工作日历变更后重算全部在办整改时限 (留痕)",
        description="节假日安排或县定调整变更后, 按现行工作日历重算全部在办问题的整改时限 (按规则计算的),\n"
        "并调整全部待办的提醒和督办步骤。人工指定的整改时限不变。操作记入审计记录。",
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识 (库中只有一个时可省略)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="在标准错误显示重算进度条 (按问题和待办职责计; 默认: 标准错误是终端时显示)")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="campaign_recompute", needs_actor=True)

    audit = commands.add_parser("audit", help="审计记录", description="审计记录 (哈希链)。")
    audit_cmds = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True, parser_class=_Parser)
    p = audit_cmds.add_parser(
        "verify", help="校验审计链 (可对照库外的锚点文件)",
        description="逐条校验审计记录的哈希链: 发现改动、插入或删除的记录; 并核对问题、整改措施、\n"
        "规范性文件、通讯录、消息队列和实施方案与其审计记录是否相符 (发现绕过程序直接改库)。\n"
        "给出 --anchors 时再对照库外保存的锚点: 发现末尾被截去、整条链被改写或删除。",
    )
    p.add_argument("--campaign", metavar="KEY", help="只校验这个专项行动")
    p.add_argument("--anchors", metavar="FILE", help="锚点文件 (zhenggai audit anchor 写出的, 保存在数据库之外)")
    _add_json(p)
    p.set_defaults(command="audit_verify")
    p = audit_cmds.add_parser(
        "anchor", help="记录审计链锚点 (链头) 到库外文件",
        description="把各专项行动审计链当前的链头 (条数和哈希) 追加到数据库之外的锚点文件, 每行一个。\n"
        "锚点文件应保存在数据库管理者不能改写的地方 (另一台主机、只追加的共享目录、发给作风办的邮件);\n"
        "之后用 zhenggai audit verify --anchors FILE 核对。守护进程可每天自动记录 (zhenggai run --anchor-file)。\n"
        "不给 --out 时把锚点打印到标准输出。",
    )
    p.add_argument("--campaign", metavar="KEY", help="只记录这个专项行动的")
    p.add_argument("--out", metavar="FILE", help="追加到这个锚点文件")
    _add_json(p)
    p.set_defaults(command="audit_anchor")

    duty = commands.add_parser("duty", help="职责: 各单位应报送的材料和应完成的事项", description="各单位的职责 (如一报告四清单)。")
    duty_cmds = duty.add_subparsers(dest="duty_command", metavar="ACTION", required=True, parser_class=_Parser)
    p = duty_cmds.add_parser("list", help="职责列表", description="按到期日列出各单位的职责及完成情况。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--unit", metavar="UNIT", help="单位 (名称或标识)")
    p.add_argument("--open", action="store_true", help="只列未完成的")
    p.add_argument("--due-by", dest="due_by", metavar="YYYY-MM-DD", type=_date, help="只列此日及以前到期的")
    _add_json(p)
    p.set_defaults(command="duty_list")
    p = duty_cmds.add_parser(
        "done", help="登记职责已完成 (停止提醒和催报)",
        description="登记某单位已完成一项职责 (如已报送一报告四清单): 之后不再提醒、催报或督办。\n"
        "须由本单位人员或接收方 (如领导小组办公室) 登记。",
    )
    p.add_argument("duty_id", type=int, metavar="ID", help="职责编号 (见 zhenggai duty list)")
    p.add_argument("--note", help="备注 (记入审计记录)")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="duty_done", needs_actor=True)

    _add_contact_commands(commands)
    _add_calendar_commands(commands)
    _add_reporter_commands(commands, item_cmds)

    outbox = commands.add_parser("outbox", help="消息队列: 列表、详情、重发死信、发送", description="待发送和已发送的消息。")
    outbox_cmds = outbox.add_subparsers(dest="outbox_command", metavar="ACTION", required=True, parser_class=_Parser)
    p = outbox_cmds.add_parser("list", help="消息列表", description="按编号列出消息及其状态 (待发送、发送中、已发送、死信)。")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识")
    p.add_argument("--status", choices=["pending", "sending", "sent", "dead"], help="只列此状态的消息")
    _add_json(p)
    p.set_defaults(command="outbox_list")
    p = outbox_cmds.add_parser("show", help="消息详情", description="显示一条消息: 接收方、状态、尝试次数、失败原因、内容变量。")
    p.add_argument("outbox_id", type=int, metavar="ID", help="消息编号")
    _add_json(p)
    p.set_defaults(command="outbox_show")
    p = outbox_cmds.add_parser(
        "retry", help="重发死信", description="把死信重新排队 (立即到期, 尝试次数清零); 不是死信的消息不受影响。",
    )
    p.add_argument("ids", type=int, nargs="*", metavar="ID", help="消息编号")
    p.add_argument("--all-dead", dest="all_dead", action="store_true", help="全部死信")
    p.add_argument("--campaign", metavar="KEY", help="与 --all-dead 同用: 只重发此专项行动的死信")
    _add_json(p)
    p.set_defaults(command="outbox_retry")
    p = outbox_cmds.add_parser(
        "send", help="发送到期的消息 (--once: 只发一轮)",
        description="按投递配置 (--config 或 ZHENGGAI_CONFIG) 发送到期的消息: 失败的按退避重试, 永久失败的记为死信。",
    )
    p.add_argument("--once", action="store_true", help="只发送一轮")
    p.add_argument("--config", metavar="FILE", help="投递配置文件 (TOML; 默认取环境变量 ZHENGGAI_CONFIG)")
    _add_json(p)
    p.set_defaults(command="outbox_send")

    p = commands.add_parser(
        "run", help="调度守护进程: 按时触发提醒、预警、挂牌督办等 (或 --once 只扫描一次)",
        description="启动调度守护进程: 每隔一段时间扫描到期的步骤 (到期提醒、黄灯、红灯、挂牌督办、问责),\n"
        "逐个触发一次并写入审计记录和消息队列; 停机期间错过的步骤按各自的补办规则处理。\n"
        "Ctrl-C 或 SIGTERM 时做完当前一次扫描再退出。SQLite 数据库只允许一个守护进程;\n"
        "多个守护进程请用 PostgreSQL。--once 只扫描一次后退出, 供 cron 等定时调用。",
    )
    p.add_argument("--once", action="store_true", help="只扫描一次, 然后退出")
    p.add_argument("--interval", type=_positive_seconds, default=60.0, metavar="SECONDS",
                   help="两次扫描之间的秒数 (默认 60)")
    p.add_argument("--config", metavar="FILE",
                   help="投递配置文件: 给出时每次扫描后发送到期的消息 (默认取环境变量 ZHENGGAI_CONFIG; 都没有则只扫描)")
    p.add_argument("--anchor-file", dest="anchor_file", metavar="FILE",
                   help="每天把审计链锚点追加到这个库外文件 (启动时先记一次; 默认取环境变量 ZHENGGAI_ANCHOR_FILE)")
    _add_json(p)
    p.set_defaults(command="run")

    p = commands.add_parser(
        "status", help="运行状态: 守护进程心跳、待办步骤、消息队列",
        description="显示守护进程是否在运行 (最后心跳)、待办步骤和最早一个已到期步骤逾期多久、消息队列。\n"
        "给出 --max-behind 时, 若有已到期步骤等待超过这么多分钟, 或有待日历的步骤已过最早可能的到期时间, 退出码为 1 (供监控使用)。",
    )
    p.add_argument("--max-behind", dest="max_behind", type=int, metavar="MINUTES",
                   help="已到期步骤最多可等待的分钟数; 超过则退出码 1")
    _add_json(p)
    p.set_defaults(command="status")

    p = commands.add_parser(
        "simulate", help="模拟: 在虚拟时钟上按实施方案跑一遍专项行动, 打印时间线和汇总",
        description="在临时数据库和虚拟时钟上按实施方案 (内置标识或 YAML 文件) 跑一遍专项行动:\n"
        "生成各专项、各渠道的模拟问题, 模拟各单位的办理习惯 (有的按时、有的迟办)、验收不通过、\n"
        "暂停计时、职责报送与漏报、回头看重新整改; 调度扫描每天 00:05 运行, 与守护进程相同。\n"
        "打印中文时间线 (每天一段) 和汇总 (问题状态、预警、督办等级、职责、按渠道和类别的消息)。\n"
        "同一随机种子得到相同输出。进度条写到标准错误。",
    )
    p.add_argument("definition", metavar="DEFINITION", help="内置实施方案标识 (如 county_2023) 或 YAML 文件")
    p.add_argument("--items", type=_count, default=2000, metavar="N", help="模拟问题数 (默认 2000)")
    p.add_argument("--from", dest="start", type=_date, metavar="YYYY-MM-DD", help="起始日 (默认第一阶段开始日)")
    p.add_argument("--until", type=_date, metavar="YYYY-MM-DD", help="结束日 (默认最后阶段结束日)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="随机种子 (默认 1)")
    p.add_argument("--sim-db", dest="sim_db", metavar="PATH|URL",
                   help="模拟用的数据库 (须为新文件或空库; 默认临时 SQLite 文件, 结束后删除)")
    p.add_argument("--summary-only", dest="summary_only", action="store_true", help="只打印汇总, 不打印时间线")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="显示进度条 (默认: 标准错误是终端时显示)")
    p.set_defaults(command="simulate")

    p = commands.add_parser(
        "import", help="导入问题清单 (.xlsx / .csv), 或写出导入模板",
        description="从 .xlsx 或 .csv 问题清单导入问题: 表头为中文列名 (问题标题、问题描述、所属领域、\n"
        "来源渠道必填; 问题程度、责任单位、整改时限、牵头领导选填), 整改台账导出的文件也可直接导入。\n"
        "逐行检查; 全部无误才导入, 否则逐条列出 第N行 [列名]: 原因, 一个也不导入 (退出码 1)。\n"
        "填写了责任单位的问题导入时即交办。与已有问题相似的, 标为疑似重复供人工研判, 不自动合并。\n"
        "--template 写出空白模板 (含填写说明和下拉列表), 不导入。",
    )
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识 (库中只有一个专项行动时可省略)")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", metavar="FILE", help="问题清单文件 (.xlsx 或 .csv)")
    source.add_argument("--template", metavar="FILE.xlsx", action=_TemplateAction,
                        help="写出空白导入模板到此文件 (不覆盖已有文件), 不需要操作人")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="在标准错误显示检查和导入的进度条 (按行计; 默认: 标准错误是终端时显示)")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="import", needs_actor=True)

    p = commands.add_parser(
        "demo", help="演示: 在临时数据库上跑一遍完整的整改流程",
        description="在一个临时 SQLite 数据库上启动内置专项行动, 按脚本办理几个问题\n"
        "(交办、整改、验收、销号、回头看、退回、撤销、合并), 逐步打印时间线,\n"
        "最后打印整改台账和审计校验结果。不会改动 --db / ZHENGGAI_DB 指定的正式数据库。",
    )
    p.add_argument("--db", dest="demo_db", metavar="PATH", help="演示数据库文件 (默认放在临时目录, 结束后删除)")
    p.add_argument("--keep", action="store_true", help="保留临时目录中的演示数据库并打印其路径")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="在标准错误显示模拟和出具报告的进度条 (默认: 标准错误是终端时显示)")
    p.add_argument("--reports", metavar="DIR",
                   help="把模拟专项行动的全部报告写到此目录 (默认: 演示数据库旁的 zhenggai-reports 目录)")
    p.set_defaults(command="demo")

    from .reports import KIND_LABELS  # the kinds only: the writers are imported when a report runs

    p = commands.add_parser(
        "report", help="出具报告: 整改台账、一报告四清单、工作进展通报、典型案例通报、单位排名、公开摘要、成效台账",
        description="把专项行动的报告写到 --out 目录 (已有的同名文件被替换; 不会写到目录之外):\n"
        + "\n".join(f"  {kind:<10} {label}" for kind, label in KIND_LABELS.items())
        + "\n--unit 只出具一个责任单位的 (单位排名和公开摘要除外), --track 只出具一个专项的。\n"
        "公开摘要不含举报人、人名、电话、身份证号和电子邮箱; --redact 给出再要删去的词和正则 (TOML)。\n"
        "成效台账 (registers) 的问责处理情况默认只有处理方式和人数; 给出 --actor/--role 且该角色\n"
        "依实施方案可查阅被问责人员时, 才列出姓名和职务 (未在命令行给出时不认定操作人)。\n"
        "Word 文件 (通报、自查报告) 按模板生成: --templates 或配置文件 [reports] templates 指定本县的\n"
        "模板目录 (工作进展通报.docx、典型案例通报.docx、自查报告.docx, 缺的用内置模板);\n"
        "  zhenggai report templates --out DIR   写出内置模板, 供修改。",
    )
    p.add_argument("kind", choices=[*KIND_LABELS, "templates"], metavar="KIND",
                   help="报告类型: " + "、".join(KIND_LABELS) + "; templates 写出内置 Word 模板")
    p.add_argument("--campaign", metavar="KEY", help="专项行动标识 (库中只有一个专项行动时可省略)")
    p.add_argument("--unit", metavar="UNIT", help="只出具这个责任单位的 (单位名称或标识, 如 县住建局 或 housing_construction_bureau)")
    p.add_argument("--track", metavar="TRACK", help="只出具这个专项的 (专项名称或标识, 如 工程领域专项整治 或 construction)")
    p.add_argument("--redact", metavar="FILE", help="公开摘要的脱敏配置 (TOML: 要删去的词和正则)")
    p.add_argument("--out", required=True, metavar="DIR", help="输出目录 (不存在时创建)")
    p.add_argument("--templates", metavar="DIR", help="本县 Word 模板目录 (默认取配置文件 [reports] templates, 否则用内置模板)")
    p.add_argument("--config", metavar="FILE", help="配置文件 (TOML; 默认取环境变量 ZHENGGAI_CONFIG), 读其 [reports] 段")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="在标准错误显示进度条 (默认: 标准错误是终端时显示)")
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command="report", needs_actor="if_given")

    p = commands.add_parser(
        "completion", help="打印命令行补全脚本 (bash、zsh)",
        description="打印 zhenggai 的命令行补全脚本。例如:\n"
        "  zhenggai completion bash > ~/.local/share/bash-completion/completions/zhenggai\n"
        "  zhenggai completion zsh > ~/.zfunc/_zhenggai   (~/.zfunc 须在 fpath 中)",
    )
    p.add_argument("shell", choices=["bash", "zsh"], metavar="SHELL", help="bash 或 zsh")
    p.set_defaults(command="completion")
    return parser


def _completion(parser: argparse.ArgumentParser, shell: str) -> int:
    """``zhenggai completion bash|zsh``: the completion script (:mod:`shtab`) of ``parser``."""
    import shtab

    with _chinese_argparse():
        print(shtab.complete(parser, shell=shell, root_prefix="zhenggai"), end="")
    return 0


def resolve_actor(args: argparse.Namespace, parser: argparse.ArgumentParser) -> tuple[str, str, str | None]:
    """The acting person: ``--actor/--role/--as-unit``, or ``ZHENGGAI_ACTOR/ROLE/UNIT``.

    When ``--actor`` is given, role and unit come from the command line only, so a person
    named there never acts with the role or unit left in the environment for someone else.
    A missing name or role is a usage error (exit 2)."""
    if args.actor:  # a person named on the command line is not mixed with the environment's
        name, role, unit = args.actor, args.role or "", args.as_unit or None
    else:
        name = os.environ.get(ENV_ACTOR) or ""
        role = args.role or os.environ.get(ENV_ROLE) or ""
        unit = args.as_unit or os.environ.get(ENV_UNIT) or None
    missing = [flag for flag, value in (("--actor", name), ("--role", role)) if not value.strip()]
    if missing:
        parser.error(
            f"缺少操作人: 请给出 {' 和 '.join(missing)} (或设置环境变量 {ENV_ACTOR} / {ENV_ROLE})"
        )
    return name, role, unit


def database(args: argparse.Namespace) -> str:
    """The database the global ``--db`` (or ``ZHENGGAI_DB``) names; ``zhenggai.db`` by default."""
    return str(args.db or os.environ.get(ENV_DB) or DEFAULT_DB)


def _leaf_parser(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The subcommand's own parser, so usage errors found after parsing show its usage."""
    path = [args.group] + [
        name for name in (getattr(args, "item_command", None), getattr(args, "measure_command", None),
                          getattr(args, "audit_command", None), getattr(args, "definition_command", None),
                          getattr(args, "campaign_command", None), getattr(args, "duty_command", None),
                          getattr(args, "mechanism_command", None), getattr(args, "practice_command", None),
                          getattr(args, "contact_command", None), getattr(args, "calendar_command", None),
                          getattr(args, "reporter_command", None))
        if name
    ]
    current = parser
    for name in path:
        action = next(a for a in current._actions if isinstance(a, argparse._SubParsersAction))
        current = action.choices[name]
    return current


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (the console script passes it to ``sys.exit``)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        needs = getattr(args, "needs_actor", False)
        if needs == "if_given":  # an actor only when one is named (zhenggai report registers)
            needs = bool(args.actor or args.role or args.as_unit)
        actor = resolve_actor(args, _leaf_parser(parser, args)) if needs else None
    except SystemExit as stop:
        return _code(stop.code)
    try:
        if args.command == "completion":
            return _completion(parser, args.shell)
        if args.command in ("check", "definition_list", "definition_show", "definition_shift"):
            from ._check import COMMANDS as light  # no database, no SQLAlchemy import

            return int(light[args.command](args, database(args), actor))
        from ._commands import COMMANDS
        from ._names import resolve_args

        actor = resolve_args(args, database(args), actor)  # 县住建局 → housing_construction_bureau
        return COMMANDS[args.command](args, database(args), actor)
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return 1
    except SystemExit as stop:
        return _code(stop.code)
    except Exception as err:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        return _report(err)


def _report(err: Exception) -> int:
    """Print ``err`` as the one line an official reads (plus located problems of a definition)."""
    errors = sys.modules.get("zhenggai.engine.errors")  # loaded by then if the engine raised it
    root: Any = getattr(errors, "ZhenggaiError", None)
    definition_error: Any = getattr(errors, "DefinitionError", None)
    if definition_error is not None and isinstance(err, definition_error):
        problems = list(err.problems)
        print(f"错误: {getattr(err, 'what', '定义')}有误 ({len(problems)} 处)", file=sys.stderr)
        for problem in problems:
            print(f"  {_one_line(problem)}", file=sys.stderr)
        return 1
    if isinstance(err, CliError) or (root is not None and isinstance(err, root)):
        print(f"错误: {_one_line(str(err))}", file=sys.stderr)
        return 1
    if os.environ.get(ENV_DEBUG, "") not in ("", "0"):
        traceback.print_exc()
    print(f"内部错误: {type(err).__name__}: {_one_line(str(err))}", file=sys.stderr)
    return 1


def _one_line(text: str) -> str:
    return "; ".join(part.strip() for part in text.strip().splitlines() if part.strip())


def _code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _silence_stdout() -> None:
    """After the reader of a pipe went away (``zhenggai item list | head``): no second error
    when Python flushes stdout at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":  # python -m zhenggai.adapters.cli
    sys.exit(main())
