"""The options and argument types several ``zhenggai`` commands share (actor, ``--json``, dates,
counts, re-dating, a contact's fields). Standard library only."""

from __future__ import annotations

import argparse
from typing import Any


def _add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="输出 JSON (供程序读取)")


def _add_actor(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group(
        "操作人",
        "也可用环境变量 ZHENGGAI_ACTOR / ZHENGGAI_ROLE / ZHENGGAI_UNIT;\n给出 --actor 时, 角色和单位只取命令行。",
    )
    g.add_argument("--actor", metavar="NAME", help="操作人姓名")
    g.add_argument(
        "--role",
        metavar="ROLE",
        help="操作人角色 (名称或标识), 如 领导小组办公室的 leading_group_office、责任单位 responsible",
    )
    g.add_argument(
        "--as-unit",
        dest="as_unit",
        metavar="UNIT",
        help="操作人所属单位 (名称或标识, 如 县住建局 或 housing_construction_bureau)",
    )


def _item_write(p: argparse.ArgumentParser, command: str) -> None:
    """The options every command that changes an item takes (version, actor, --json)."""
    _add_expected_version(p)
    _add_actor(p)
    _add_json(p)
    p.set_defaults(command=command, needs_actor=True)


def _add_expected_version(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--expected-version",
        dest="expected_version",
        type=int,
        metavar="N",
        help="只在问题仍为第 N 版时执行 (防止覆盖他人的修改)",
    )


class _TemplateAction(argparse.Action):
    """``import --template FILE``: writing a template changes nothing, so no actor is needed."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
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
    group.add_argument(
        "--start", type=_date, metavar="YYYY-MM-DD", help="把实施方案的全部日期平移, 使专项行动从这一天开始"
    )
    group.add_argument(
        "--to-year",
        dest="to_year",
        type=_year,
        metavar="YEAR",
        help="把实施方案的全部日期移到该年的同月同日 (2月29日 → 2月28日)",
    )


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
    p.add_argument(
        "--contact-role",
        dest="contact_role",
        metavar="ROLE",
        help="联系人的角色 (名称或标识, 如 领导小组办公室); 不填为本单位联系人" if adding else "联系人的角色",
    )
    p.add_argument("--mobile", metavar="MOBILE", help="手机号码 (11 位)" + clear)
    p.add_argument("--email", metavar="EMAIL", help="电子邮箱" + clear)
    p.add_argument("--wecom-id", dest="wecom_id", metavar="ID", help="企业微信账号 (群机器人按此 @)" + clear)
    p.add_argument(
        "--dingtalk-id", dest="dingtalk_id", metavar="ID", help="钉钉 userId (群机器人按此 @)" + clear
    )
    p.add_argument(
        "--channels",
        metavar="CHANNELS",
        help="接收渠道, 按先后用逗号或顿号分隔, 如 sms,email 或 短信、电子邮件; 不填按实施方案" + clear,
    )
    p.add_argument(
        "--from", dest="active_from", metavar="YYYY-MM-DD", help="生效日期 (此前不接收消息)" + clear
    )
    p.add_argument("--to", dest="active_to", metavar="YYYY-MM-DD", help="失效日期 (此后不接收消息)" + clear)
    p.add_argument("--team", metavar="N", help="督查组编号 (仅督查组成员; 抽签通知只发本组)" + clear)
    p.add_argument(
        "--track",
        metavar="TRACK",
        help="所属专项整治工作组 (专项整治领域的名称或标识; 如该组组长只接收本领域问题的消息)" + clear,
    )


def _add_reporter_config(p: argparse.ArgumentParser) -> None:
    """``--config``: where the reporter key is named (its ``[reporter]`` section)."""
    p.add_argument(
        "--config",
        metavar="FILE",
        help="配置文件 (TOML), 其 [reporter] 段指明举报人密钥 (默认取环境变量 ZHENGGAI_CONFIG)",
    )
