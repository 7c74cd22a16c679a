"""The roster (通讯录) of a running campaign from the command line: ``zhenggai contact add | list |
update | remove | import 通讯录.xlsx | template 通讯录.xlsx``.

Units and roles are given by Chinese name or key; channels by Chinese name or key, in order of
preference. The table of ``contact list`` masks mobiles and mailboxes (``138****1234``,
``z***@example.gov.cn``): it is what ends up on screens and in screenshots; ``--json`` gives the
full values, for a machine or to keep a copy to import again. Personal data never reaches the
audit trail (the engine writes ids and the names of fields changed).

``contact import`` reads the county's 通讯录 with the machinery of ``zhenggai import``
(:mod:`._import`: .xlsx or .csv, the same caps against hostile files, the header found in the
top rows, located problems, all or nothing). Columns (order free; other columns ignored)::

    表头          别名                          字段          必填  内容
    单位          所属单位, 单位名称            unit          是    the unit's name or key
    姓名          联系人                        name          是    at most 100 characters
    角色          接收角色                      role          否    a role's name or key; empty: 联系人 (contact)
    手机          手机号, 手机号码, 联系电话    mobile        否    11 digits (+86 and separators allowed)
    邮箱          电子邮箱, 电子邮件            email         否
    企业微信ID    企业微信账号, 企业微信        wecom_id      否    the WeCom user id robots @-mention
    钉钉ID        钉钉账号, 钉钉                dingtalk_id   否    the DingTalk user id robots @-mention
    接收渠道      通知方式                      channels      否    e.g. 短信、电子邮件 (in order)
    生效日期      起始日期                      active_from   否    a date
    失效日期      截止日期                      active_to     否    a date
    所属专项整治组 专项整治组, 工作组           track         否    a track's name or key (its 组长 …)

At least one of 手机, 邮箱, 企业微信ID, 钉钉ID. Every problem is reported as ``第N行 [列名]: 原因``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zhenggai.engine import ContactView, Engine, NewContact, UnreachableView

from . import _import, _import_template, _names
from ._context import ActorTuple, _actor, _campaign_key, _print_json, open_engine, print_rejection
from ._errors import CliError
from ._import import WHOLE_ROW, Column, Intake, IntakeRejected, Problem
from ._labels import Labels
from ._sheets import Unreadable, Value
from ._tables import render_table

__all__ = [
    "CONTACT_COLUMNS",
    "CONTACT_COMMANDS",
    "import_contacts_file",
    "print_unreachable",
    "unreachable_lines",
]

#: Delivery channels a contact may prefer, as officials name them (the engine's keys).
CHANNEL_LABELS: Mapping[str, str] = {
    "email": "电子邮件",
    "sms": "短信",
    "wecom": "企业微信",
    "dingtalk": "钉钉",
}
#: Other names officials use for them.
CHANNEL_ALIASES: Mapping[str, str] = {"邮件": "email", "邮箱": "email", "手机短信": "sms", "微信": "wecom"}
PLAIN_ROLE = ("contact", "联系人")
TEMPLATE_COMMAND = "zhenggai contact template 通讯录.xlsx"

CONTACT_COLUMNS: tuple[Column, ...] = (
    Column("单位", "unit", True, "从下拉列表选择 (也可填单位标识)", ("所属单位", "单位名称")),
    Column("姓名", "name", True, "联系人姓名, 不超过 100 字", ("联系人",)),
    Column("角色", "role", False, "不填为本单位联系人; 领导小组办公室等角色从下拉列表选择", ("接收角色",)),
    Column("手机", "mobile", False, "11 位手机号码", ("手机号", "手机号码", "联系电话")),
    Column("邮箱", "email", False, "电子邮箱", ("电子邮箱", "电子邮件")),
    Column(
        "企业微信ID",
        "wecom_id",
        False,
        "企业微信账号 (群机器人按此 @ 提醒; 不填按手机)",
        ("企业微信账号", "企业微信"),
    ),
    Column(
        "钉钉ID", "dingtalk_id", False, "钉钉 userId (群机器人按此 @ 提醒; 不填按手机)", ("钉钉账号", "钉钉")
    ),
    Column(
        "接收渠道",
        "channels",
        False,
        "按先后填写, 用顿号分隔, 如 短信、电子邮件; 不填按实施方案",
        ("通知方式",),
    ),
    Column("生效日期", "active_from", False, "日期, 如 2023-08-01; 不填为即日起", ("起始日期",)),
    Column("失效日期", "active_to", False, "日期; 不填为长期有效", ("截止日期",)),
    Column(
        "所属专项整治组",
        "track",
        False,
        "专项整治工作组组长等填所属专项整治领域; 只接收该领域问题的消息",
        ("专项整治组", "工作组"),
    ),
)
_BY_FIELD = {c.field: c for c in CONTACT_COLUMNS}
_DATES = ("active_from", "active_to")
_SEPARATORS = re.compile(r"[、,，;；/\s]+")


@dataclass(frozen=True)
class Roster:
    """What a campaign's roster accepts: units, roles (key → Chinese name), today."""

    key: str
    units: Mapping[str, str]
    roles: Mapping[str, str]
    tz: dt.tzinfo
    today: dt.date
    tracks: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def load(cls, engine: Engine, campaign: str) -> Roster:
        labels = Labels.load(engine, campaign)
        roles = {PLAIN_ROLE[0]: PLAIN_ROLE[1], **{k: v for k, v in labels.roles.items() if k != "system"}}
        tz = zoneinfo.ZoneInfo(labels.campaign.timezone)
        today = engine.clock.now().astimezone(tz).date()
        return cls(labels.campaign.key, labels.units, roles, tz, today, dict(labels.tracks))

    def pick(self, what: str, given: str, choices: Mapping[str, str]) -> str:
        """A key of ``choices`` given by key or Chinese name (compared loosely)."""
        key = find(choices, given)
        if key is None:
            raise CliError(_names.unknown(what, given, choices))
        return key


def find(choices: Mapping[str, str], given: str) -> str | None:
    """The key of ``choices`` (key → name) ``given`` names (:func:`._names.find`), else the one
    name that contains it (领导小组办公室 → 县干部作风整顿领导小组办公室): the roster only, where a
    wrong guess adds a contact the official sees listed (not an act on an item)."""
    key = _names.find(choices, given)
    wanted = _names.squash(given)
    if key is None and wanted:
        within = [k for k, label in choices.items() if wanted in _names.squash(label)]
        key = within[0] if len(within) == 1 else None
    return key


def _channels(text: str) -> tuple[tuple[str, ...], list[str]]:
    """Channels in order, and the names not known."""
    table = {**_names.lookup(CHANNEL_LABELS), **{_names.squash(k): v for k, v in CHANNEL_ALIASES.items()}}
    out: list[str] = []
    unknown: list[str] = []
    for part in _SEPARATORS.split(text.strip()):
        if not part:
            continue
        key = table.get(_names.squash(part))
        if key is None:
            unknown.append(part)
        elif key not in out:
            out.append(key)
    return tuple(out), unknown


def _cli_channels(text: str) -> tuple[str, ...]:
    channels, unknown = _channels(text)
    if unknown:
        raise CliError(f"未知接收渠道「{'、'.join(unknown)}」(可用: {'、'.join(CHANNEL_LABELS.values())})")
    return channels


def _cli_date(option: str, text: str) -> dt.date | None:
    if not text.strip():
        return None
    day, reason = _import._parse_due(text)
    if reason is not None:
        raise CliError(f"{option}: {reason}")
    return day


# ------------------------------------------------------------------------------ showing


def mask_mobile(mobile: str | None) -> str:
    """``138****1234``."""
    if not mobile:
        return ""
    return mobile[:3] + "****" + mobile[-4:] if len(mobile) >= 8 else "****"


def mask_email(email: str | None) -> str:
    """``z***@example.gov.cn``."""
    if not email:
        return ""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def _mask_id(account: str | None) -> str:
    return "" if not account else f"{account[:2]}***"


def _state(contact: ContactView, today: dt.date) -> str:
    if contact.removed_at is not None:
        return "已移除"
    if contact.active_from is not None and today < contact.active_from:
        return "未生效"
    if contact.active_to is not None and contact.active_to < today:
        return "已失效"
    return "有效"


def _period(contact: ContactView) -> str:
    if contact.active_from is None and contact.active_to is None:
        return "长期"
    start = contact.active_from.isoformat() if contact.active_from else ""
    end = contact.active_to.isoformat() if contact.active_to else ""
    return f"{start}~{end}"


def contact_table(contacts: Sequence[ContactView], roster: Roster) -> str:
    rows = [
        [
            str(c.id),
            c.unit_name,
            c.name,
            roster.roles.get(c.role, c.role),
            mask_mobile(c.mobile),
            mask_email(c.email),
            _mask_id(c.wecom_id),
            _mask_id(c.dingtalk_id),
            "、".join(CHANNEL_LABELS.get(x, x) for x in c.channels),
            roster.tracks.get(c.track, c.track) if c.track else "",
            _period(c),
            _state(c, roster.today),
        ]
        for c in contacts
    ]
    headers = [
        "编号",
        "单位",
        "姓名",
        "角色",
        "手机",
        "邮箱",
        "企业微信",
        "钉钉",
        "接收渠道",
        "所属专项整治组",
        "有效期",
        "状态",
    ]
    return render_table(headers, rows, aligns=[">"] + ["<"] * 11)


def _one_line(contact: ContactView, roster: Roster) -> str:
    how = " · ".join(x for x in (mask_mobile(contact.mobile), mask_email(contact.email)) if x)
    return f"{contact.name} ({contact.unit_name} · {roster.roles.get(contact.role, contact.role)}){' ' + how if how else ''}"


def unreachable_lines(view: UnreachableView, *, hint: bool = True) -> list[str]:
    """``无可达联系人的单位 (N): …`` and ``无可达联系人的角色 (N): …`` (nothing when all are
    reachable), with ``hint`` a line on what to do."""
    lines = []
    if view.units:
        lines.append(f"无可达联系人的单位 ({len(view.units)}): {'、'.join(name for _, name in view.units)}")
    if view.roles:
        lines.append(f"无可达联系人的角色 ({len(view.roles)}): {'、'.join(name for _, name in view.roles)}")
    if lines and hint:
        lines.append(
            "  发给它们的消息将成为死信; 请用 zhenggai contact add 或 zhenggai contact import 通讯录.xlsx 补充"
            f" (模板: {TEMPLATE_COMMAND}), 再用 zhenggai outbox retry --all-dead 重发"
        )
    return lines


def print_unreachable(db: str, campaign: str) -> None:
    """The units and roles of ``campaign`` nobody can receive a message for (zhenggai init)."""
    with open_engine(db) as engine:
        lines = unreachable_lines(engine.unreachable(campaign))
    for line in lines:
        print(line)


# ------------------------------------------------------------------------------ commands


def _new_contact(args: argparse.Namespace, roster: Roster) -> NewContact:
    return NewContact(
        unit=roster.pick("单位", args.unit, roster.units),
        name=args.name,
        role=roster.pick("角色", args.contact_role, roster.roles) if args.contact_role else PLAIN_ROLE[0],
        mobile=args.mobile,
        email=args.email,
        wecom_id=args.wecom_id,
        dingtalk_id=args.dingtalk_id,
        channels=_cli_channels(args.channels or ""),
        active_from=_cli_date("--from", args.active_from or ""),
        active_to=_cli_date("--to", args.active_to or ""),
        team=_cli_team(args.team or ""),
        track=roster.pick("专项整治领域", args.track, roster.tracks) if args.track else None,
    )


def _cli_team(text: str) -> int | None:
    """``--team``: a supervision team's number (empty: none)."""
    if not text.strip():
        return None
    if not text.strip().isdigit():
        raise CliError(f"--team: 督查组编号须为正整数, 收到 {text!r}")
    return int(text.strip())


def _show(contact: ContactView, roster: Roster, verb: str, as_json: bool, dead: int = 0) -> int:
    if as_json:
        _print_json(contact.to_dict())
    else:
        print(f"{verb}联系人 {contact.id}: {_one_line(contact, roster)}")
        for line in dead_hint(dead):
            print(line)
    return 0


def unrouted(engine: Engine, campaign: str) -> int:
    """How many of the campaign's dead letters had nobody to go to."""
    return sum(1 for m in engine.outbox(campaign, status="dead") if m.channel == "unrouted")


def dead_hint(dead: int) -> list[str]:
    if not dead:
        return []
    return [
        f"有 {dead} 条消息此前因无人接收成为死信: 用 zhenggai outbox retry --all-dead 按现在的通讯录重新投递"
    ]


def cmd_contact_add(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai contact add: one person into the roster."""
    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign)
        roster = Roster.load(engine, key)
        contact = engine.add_contact(key, _actor(actor), _new_contact(args, roster))
        dead = unrouted(engine, key)
    return _show(contact, roster, "已添加", args.json, dead)


def cmd_contact_list(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai contact list: the roster (masked addresses; --json: full), and who has nobody."""
    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign)
        roster = Roster.load(engine, key)
        unit = roster.pick("单位", args.unit, roster.units) if args.unit else None
        role = roster.pick("角色", args.contact_role, roster.roles) if args.contact_role else None
        contacts = engine.contacts(key, unit=unit, role=role, include_removed=args.all)
        unreachable = engine.unreachable(key)
    if args.json:
        _print_json({"contacts": [c.to_dict() for c in contacts], "unreachable": unreachable.to_dict()})
        return 0
    if contacts:
        print(contact_table(contacts, roster))
        print(f"共 {len(contacts)} 人")
    else:
        print("通讯录中没有符合条件的联系人")
    if unit is None and role is None:
        for line in unreachable_lines(unreachable):
            print(line)
    return 0


def cmd_contact_update(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai contact update ID: change the fields given (an empty value clears an optional one)."""
    with open_engine(db) as engine:
        roster = Roster.load(engine, engine.contact(args.contact_id).campaign)
        changes: dict[str, object] = {}
        if args.unit is not None:
            changes["unit"] = roster.pick("单位", args.unit, roster.units)
        if args.contact_role is not None:
            changes["role"] = roster.pick("角色", args.contact_role, roster.roles)
        if args.name is not None:
            changes["name"] = args.name
        for field in ("mobile", "email", "wecom_id", "dingtalk_id"):
            value = getattr(args, field)
            if value is not None:
                changes[field] = value.strip() or None
        if args.channels is not None:
            changes["channels"] = _cli_channels(args.channels)
        for field, option in (("active_from", "--from"), ("active_to", "--to")):
            if getattr(args, field) is not None:
                changes[field] = _cli_date(option, getattr(args, field))
        if getattr(args, "team", None) is not None:
            changes["team"] = _cli_team(args.team)
        if args.track is not None:
            changes["track"] = (
                roster.pick("专项整治领域", args.track, roster.tracks) if args.track.strip() else None
            )
        if not changes:
            raise CliError("请给出要修改的项 (如 --mobile、--email、--to)")
        contact = engine.update_contact(args.contact_id, _actor(actor), **changes)
    return _show(contact, roster, "已修改", args.json)


def cmd_contact_remove(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai contact remove ID: the contact receives nothing more (kept, marked removed)."""
    with open_engine(db) as engine:
        roster = Roster.load(engine, engine.contact(args.contact_id).campaign)
        contact = engine.remove_contact(args.contact_id, _actor(actor))
    return _show(contact, roster, "已移除", args.json)


def cmd_contact_template(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai contact template FILE.xlsx: the empty 通讯录 with 填写说明 and drop-down lists."""
    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign)
        path = write_contact_template(engine, key, Path(args.file))
    if args.json:
        _print_json({"template": str(path)})
    else:
        print(f"已写出通讯录模板: {path} (专项行动 {key}; 填写说明见第二个工作表)")
    return 0


def cmd_contact_import(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai contact import FILE: the county's 通讯录, all or nothing."""
    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign)
        try:
            intake, contacts = import_contacts_file(engine, key, _actor(actor), Path(args.file))
        except IntakeRejected as rejected:
            return print_rejection(rejected, args.json)
        unreachable = engine.unreachable(key)
        engine_dead = unrouted(engine, key)
    if args.json:
        _print_json(
            {
                "imported": len(contacts),
                "contacts": [c.to_dict() for c in contacts],
                "ignored_columns": list(intake.ignored),
                "notes": list(intake.notes),
                "unreachable": unreachable.to_dict(),
            }
        )
        return 0
    sheet = f"工作表「{intake.sheet}」, " if intake.sheet else ""
    print(f"已读取 {Path(args.file).name} ({sheet}表头在第{intake.header_row}行, {len(contacts)} 行数据)")
    for note in (*intake.notes, *([f"未导入的列: {'、'.join(intake.ignored)}"] if intake.ignored else [])):
        print(note)
    units = {c.unit for c in contacts}
    print(
        f"已导入 {len(contacts)} 名联系人 (编号 {contacts[0].id}–{contacts[-1].id}), 涉及 {len(units)} 个单位"
    )
    for line in unreachable_lines(unreachable) + dead_hint(engine_dead):
        print(line)
    return 0


# ------------------------------------------------------------------------------ the file


def import_contacts_file(
    engine: Engine, campaign: str, actor: Any, path: Path
) -> tuple[Intake, list[ContactView]]:
    """Read ``path``, check every row (here and in the engine), import all or nothing;
    :class:`IntakeRejected` with every problem, located."""
    roster = Roster.load(engine, campaign)
    table = _import.read_table(path)
    header_row, columns, ignored, problems = _import.header_of(table, CONTACT_COLUMNS, path=path)
    headers = {name: text for name, (_, text) in columns.items()}

    def rejected(found: Sequence[Problem]) -> IntakeRejected:
        return _import.rejection(path, table, header_row, columns, ignored, found, "联系人")

    if problems:
        raise rejected(problems)
    data = _import.data_rows(table, header_row, columns, path=path)
    problems.extend(_import._merge_problems(table.merged, header_row, columns))
    seen: dict[tuple[str, ...], int] = {}
    entries: list[tuple[int, NewContact]] = []
    for number, cells in data:
        entry, found = _check_row(number, cells, headers, roster)
        problems.extend(found)
        repeated = _import.repeated_row(seen, number, cells, CONTACT_COLUMNS)
        if repeated is not None:
            problems.append(repeated)
        elif entry is not None:
            entries.append((number, entry))

    def located(index: int, field: str, message: str) -> Problem:
        column = headers.get(field) or (_BY_FIELD[field].header if field in _BY_FIELD else WHOLE_ROW)
        return Problem(entries[index][0] if 0 <= index < len(entries) else header_row, column, message)

    if entries:
        problems += [
            located(p.index, p.field, p.message)
            for p in engine.check_contacts(campaign, [e for _, e in entries])
        ]
    if problems:
        raise rejected(problems)
    from zhenggai.engine import ImportRejected

    try:
        contacts = engine.import_contacts(campaign, actor, [e for _, e in entries])
    except ImportRejected as err:  # changed in between: the same problems, located
        raise rejected([located(p.index, p.field, p.message) for p in err.problems]) from None
    intake = Intake(path, table.sheet, header_row, (), (), tuple(ignored), table.notes, headers)
    return intake, contacts


def _check_row(
    number: int, cells: Mapping[str, Value], headers: Mapping[str, str], roster: Roster
) -> tuple[NewContact | None, list[Problem]]:
    """One row of the 通讯录: the contact, or its problems (the shapes of numbers and mailboxes
    are the engine's to check)."""
    problems: list[Problem] = []
    fields: dict[str, Any] = {}

    def problem(name: str, reason: str) -> None:
        problems.append(Problem(number, headers.get(name, _BY_FIELD[name].header), reason))

    for name, value in cells.items():
        column = _BY_FIELD[name]
        if isinstance(value, Unreadable):
            problem(name, value.reason)
            continue
        text = _import._plain(value)
        if not text or (not column.required and text in _import._EMPTY_MARKS):
            if column.required:
                problem(name, "必填, 不能为空")
            continue
        if name in _DATES:
            day, reason = _import._parse_due(value)
            if reason is not None:
                problem(name, reason)
            fields[name] = day
        elif name in ("unit", "role", "track"):
            choices = roster.units if name == "unit" else roster.roles if name == "role" else roster.tracks
            key = find(choices, text)
            if key is None:
                problem(name, _import._unknown(column, text, choices, TEMPLATE_COMMAND))
            fields[name] = key
        elif name == "channels":
            fields[name], unknown = _channels(text)
            if unknown:
                problem(
                    name, f"未知接收渠道「{'、'.join(unknown)}」(可填: {'、'.join(CHANNEL_LABELS.values())})"
                )
        else:
            fields[name] = text
    if problems:
        return None, problems
    return NewContact(**fields), problems


def write_contact_template(engine: Engine, campaign: str, path: Path) -> Path:
    """An empty 通讯录 at ``path`` (.xlsx), never over an existing file: the header with input
    hints, drop-down lists of units, roles and channels, date checks, and a 填写说明 sheet."""
    target = _import_template.template_target(path)
    roster = Roster.load(engine, campaign)
    view = engine.campaign(campaign)
    rules = [
        "每行填写一名联系人; 第一行是表头, 请勿改动表头文字; 只读取第一个工作表, 空行不读取。",
        "单位、姓名必填; 手机、邮箱、企业微信ID、钉钉ID 至少填一项。",
        (
            "单位、角色: 从下拉列表选择, 即下表的名称 (也可填标识)。角色不填为本单位联系人 (接收发给本单位的消息);"
            " 填写角色的, 同时接收发给该角色的消息 (如领导小组办公室)。"
        ),
        "接收渠道: 按先后填写, 用顿号分隔 (如 短信、电子邮件), 每种渠道须有对应的联系方式; 不填按实施方案的规定。",
        "手机为 11 位号码; 企业微信ID、钉钉ID 是群机器人 @ 提醒用的账号, 不填则按手机号 @。",
        "生效日期、失效日期: 只在此期间接收消息 (如轮岗、借调), 不填为长期有效。",
        "导入全部成功或全部不导入: 有问题时逐条列出行号、列名和原因, 改正后重新导入。",
        f"导入命令: zhenggai contact import 通讯录.xlsx --campaign {view.key}",
    ]
    date_check = {
        "validate": "date",
        "criteria": ">=",
        "value": dt.date(2000, 1, 1),
        "error_message": "须为日期, 如 2023-08-01",
    }
    return _import_template.write_list_template(
        target,
        created=engine.clock.now(),
        sheet_name="通讯录",
        title=f"通讯录填写说明: {view.title}",
        subtitle=f"专项行动标识 {view.key}; 模板生成于 {roster.today.isoformat()}",
        layout=CONTACT_COLUMNS,
        # 接收渠道 takes several channels, so it gets no drop-down: the names are listed in 填写说明.
        lists=[
            ("单位", roster.units),
            ("角色", roster.roles),
            ("可选接收渠道", CHANNEL_LABELS),
            ("所属专项整治组", roster.tracks),
        ],
        rules=rules,
        widths={
            "unit": 24,
            "name": 12,
            "role": 22,
            "mobile": 14,
            "email": 26,
            "wecom_id": 16,
            "dingtalk_id": 16,
            "channels": 18,
            "active_from": 12,
            "active_to": 12,
            "track": 24,
        },
        checks={
            "name": {"validate": "length", "criteria": "<=", "value": 100, "error_message": "不超过 100 字"},
            "active_from": date_check,
            "active_to": date_check,
        },
        dates=_DATES,
    )


CONTACT_COMMANDS: Mapping[str, Any] = {
    "contact_add": cmd_contact_add,
    "contact_list": cmd_contact_list,
    "contact_update": cmd_contact_update,
    "contact_remove": cmd_contact_remove,
    "contact_import": cmd_contact_import,
    "contact_template": cmd_contact_template,
}
