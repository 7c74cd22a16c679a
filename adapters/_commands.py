"""The CLI's commands. Imported only when a command runs (it pulls in the engine).

Each command takes the parsed arguments, the database URL or path, and the actor
(name, role, unit) for commands that act; it prints its result and returns the exit code.
Refusals are raised (``ZhenggaiError`` or :class:`~zhenggai.adapters.cli.CliError`) and turned
into one line by :func:`zhenggai.adapters.cli.main`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import json
import os
import re
import socket
import sys
import zoneinfo
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zhenggai.engine import (
    ESCALATION_LABELS,
    MECHANISM_STATUSES,
    OPERATIONS,
    AccountabilityEntry,
    Actor,
    CampaignSetup,
    CampaignView,
    Engine,
    EventView,
    InvalidInputError,
    ItemNotFound,
    ItemView,
    MeasureView,
    OutcomeTally,
    OutcomeView,
    Reporter,
    TrackNotFound,
)

from ._tables import (
    LIGHT_LABELS,
    display_width,
    format_date,
    format_time,
    pad,
    render_table,
    truncate,
)
from .cli import CliError

__all__ = ["COMMANDS", "Labels", "event_lines", "item_table", "open_engine", "print_rejection", "print_report_files"]

ActorTuple = tuple[str, str, str | None]
Command = Callable[[argparse.Namespace, str, ActorTuple | None], int]

#: Trigger labels for audit events that are not transitions of the lifecycle.
EXTRA_TRIGGER_LABELS: Mapping[str, str] = {
    "start_campaign": "启动专项行动",
    "ladder_step": "督办阶梯",
    "ladder_missed": "督办步骤错过(待人工处理)",
    "recompute_deadline": "重算整改时限",
    "phase_action": "阶段节点",
    "follow_up_draw": "回头看抽查",
    "supervision_draw": "督查抽签",
    "complete_duty": "完成职责",
    "update_mechanism": "更新长效机制状态",
    "contact_added": "添加联系人",
    "contact_updated": "修改联系人",
    "contact_removed": "移除联系人",
    "contacts_imported": "导入通讯录",
    "rekey_reporters": "重新加密举报人信息",
    **OPERATIONS,
}
#: Columns of the longest time text: 2023年12月31日(星期一) 09:00.
TIME_WIDTH = 28
#: Labels of event data keys shown in the timeline's 说明.
DATA_LABELS: Mapping[str, str] = {
    "title": "标题",
    "track": "专项",
    "channel": "来源渠道",
    "severity": "问题程度",
    "unit": "责任单位",
    "from_unit": "原责任单位",
    "due": "整改时限",
    "due_rule": "整改时限依据",
    "leading_official": "领衔领导",
    "text": "措施",
    "measure_id": "措施编号",
    "finding": "回头看发现",
    "reason": "理由",
    "survivor_id": "合并到问题",
    "note": "备注",
    "step_label": "督办步骤",
    "caught_up": "补办(已合并)",
    "missed": "错过(待人工处理)",
    "approved_by": "批准角色",
    "days_left": "剩余工作日",
    "old_due": "原整改时限",
    "root_cause": "根源分析",
    "people": "被问责人数",
    "mechanisms": "长效机制",
    "where": "通报载体",
    "on": "通报日期",
    "key_id": "现用密钥",
    "resealed": "改用现用密钥",
    "sealed_plaintext": "明文改为加密",
    "unchanged": "已是现用密钥",
}


# ------------------------------------------------------------------------------ the database


def _sqlite_file(db: str) -> Path | None:
    """The file a SQLite ``db`` (plain path or ``sqlite:///`` URL) names; None otherwise."""
    if "://" not in db:
        return Path(db).expanduser()
    match = re.match(r"sqlite(\+\w+)?:///(.*)$", db)
    if match is None:
        return None
    path = match.group(2).split("?", 1)[0]
    if not path or path == ":memory:":
        return None
    return Path(path)


def shown_db(db: str) -> str:
    """``db`` as it may be printed: any password hidden."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", db)


@contextlib.contextmanager
def open_engine(db: str, *, create: bool = False, clock: Any = None, reporter_keys: Any = None) -> Iterator[Engine]:
    """An engine on ``db``, disposed afterwards. Unless ``create``, a SQLite file that does not
    exist is an error (rather than a new empty database next to a typo). ``reporter_keys``: for
    the commands that write or read a reporter's identity (:func:`._reporter.configured_keys`)."""
    path = _sqlite_file(db)
    if not create and path is not None and not path.exists():
        raise CliError(f"数据库文件不存在: {path} (先运行 zhenggai init, 或用 --db / ZHENGGAI_DB 指明数据库)")
    # SQLite durability: FULL unless the operator chose otherwise (ZHENGGAI_DURABILITY=normal).
    # Every act is audited with the operating-system user and host it came from: until sign-in
    # (step 13) a claimed --role is only as good as the account that ran the command.
    engine = Engine(db, clock=clock, durability=os.environ.get("ZHENGGAI_DURABILITY", "full").strip().lower(),
                    origin=cli_origin(), reporter_keys=reporter_keys)
    try:
        yield engine
    finally:
        engine.dispose()


def cli_origin() -> dict[str, str]:
    """The operating-system user and host a CLI command runs as, for the audit trail."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER (some containers)
        user = f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return {"os_user": user[:100], "host": socket.gethostname()[:200]}


def _campaign_key(engine: Engine, given: str | None) -> str:
    """``given``, or the only campaign in the database."""
    if given:
        return engine.campaign(given).key
    campaigns = engine.campaigns()
    if not campaigns:
        raise CliError("数据库中还没有专项行动, 请先运行 zhenggai init")
    if len(campaigns) > 1:
        keys = "、".join(c.key for c in campaigns)
        raise CliError(f"数据库中有多个专项行动, 请用 --campaign 指明 (现有: {keys})")
    return campaigns[0].key


def _actor(actor: ActorTuple | None) -> Actor:
    assert actor is not None, "the parser resolves the actor of every command that acts"
    return Actor(*actor)


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


# -------------------------------------------------------------------------------- labels


@dataclass(frozen=True)
class Labels:
    """The Chinese names of one campaign's codes: states, triggers, units, tracks, roles."""

    campaign: CampaignView
    tz: dt.tzinfo
    states: Mapping[str, str]
    triggers: Mapping[str, str]
    units: Mapping[str, str]
    tracks: Mapping[str, str]
    roles: Mapping[str, str]
    channels: Mapping[str, str]
    severities: Mapping[str, str]

    @classmethod
    def load(cls, engine: Engine, campaign: str | CampaignView) -> Labels:
        """The labels of the definition version the campaign runs on."""
        view = campaign if isinstance(campaign, CampaignView) else engine.campaign(campaign)
        lifecycle = engine.lifecycle(view.key)
        setup = engine.definition(view.key) or _builtin_setup(view)
        return cls(
            campaign=view,
            tz=zoneinfo.ZoneInfo(view.timezone),
            states={s.id: s.label for s in lifecycle.states},
            triggers={**EXTRA_TRIGGER_LABELS, **{t.trigger: t.label for t in lifecycle.transitions}},
            units=dict(engine.units(view.key)),
            tracks=dict(engine.tracks(view.key)),
            roles={"system": "系统", **({r.id: r.label for r in setup.roles} if setup else {})},
            channels={c.id: c.label for c in setup.channels} if setup else {},
            severities={s.id: s.label for s in setup.severities} if setup else {},
        )

    def state(self, state: str | None) -> str:
        return "" if state is None else self.states.get(state, state)

    def trigger(self, trigger: str) -> str:
        return self.triggers.get(trigger, trigger)

    def unit(self, unit: str | None) -> str:
        return "" if unit is None else self.units.get(unit, unit)

    def role(self, role: str) -> str:
        return self.roles.get(role, role)


def _builtin_setup(view: CampaignView) -> CampaignSetup | None:
    """For a campaign started before the engine kept whole definitions: the built-in definition
    of the same id and version, if there is one (else codes are shown instead of labels)."""
    from zhenggai.workflows import BUILTINS, load_setup

    if view.definition_id not in BUILTINS:
        return None
    setup = load_setup(view.definition_id)
    return setup if setup.definition_version == view.definition_version else None


class _LabelCache:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._by_key: dict[str, Labels] = {}

    def __call__(self, key: str) -> Labels:
        if key not in self._by_key:
            self._by_key[key] = Labels.load(self.engine, key)
        return self._by_key[key]


# ----------------------------------------------------------------------------- rendering


def item_table(items: Sequence[ItemView], *, measures: Mapping[int, Sequence[MeasureView]] | None = None,
               campaign_column: bool = False) -> str:
    """The readable item table (编号, 问题编号, 标题, 专项, 状态, 责任单位, 整改时限, 版本)."""
    headers = ["编号", "问题编号", "标题", "专项", "状态", "责任单位", "整改时限", "版本"]
    aligns = [">", "<", "<", "<", "<", "<", "<", ">"]
    if measures is not None:
        headers.insert(7, "措施(完成/总数)")
        aligns.insert(7, ">")
    if campaign_column:
        headers.insert(1, "专项行动")
        aligns.insert(1, "<")
    rows = []
    for item in items:
        row = [
            str(item.id),
            item.number or "-",
            truncate(_flat(item.title), 36),
            truncate(item.track_name, 28),
            item.state_label,
            item.unit_name or "-",
            format_date(item.due) or "-",
            str(item.version),
        ]
        if measures is not None:
            ms = measures.get(item.id, ())
            row.insert(7, f"{sum(1 for m in ms if m.done_at is not None)}/{len(ms)}")
        if campaign_column:
            row.insert(1, item.campaign)
        rows.append(row)
    return render_table(headers, rows, aligns=aligns)


def _flat(text: str) -> str:
    """``text`` on one line (a table cell or a timeline entry must not break)."""
    return " ".join(text.split())


def _details(event: EventView, labels: Labels) -> str:
    parts = []
    for key in DATA_LABELS:
        value = event.data.get(key)
        if value is None or value == "":
            continue
        if key in ("unit", "from_unit"):
            value = labels.unit(value)
        elif key == "due":
            value = format_date(dt.date.fromisoformat(value))
        elif key == "track":
            value = labels.tracks.get(value, value)
        elif key == "channel":
            value = labels.channels.get(value, value)
        elif key == "severity":
            value = labels.severities.get(value, value)
        elif key in ("survivor_id", "measure_id"):
            value = str(value)
        elif isinstance(value, list):
            value = "、".join(str(v) for v in value)
        label = "措施完成时限" if key == "due" and event.trigger == "add_measure" else DATA_LABELS[key]
        parts.append(f"{label}: {_flat(str(value))}")
    return "; ".join(parts)


def _state_change(event: EventView, labels: Labels) -> str:
    if event.from_state is None and event.to_state is None:
        return ""
    if event.from_state == event.to_state:
        return f"{labels.state(event.to_state)} (状态不变)"
    return f"{labels.state(event.from_state) or '新登记'} → {labels.state(event.to_state)}"


def event_lines(event: EventView, labels: Labels, *, item_column: bool = False) -> list[str]:
    """One audit event as a timeline entry: time, (item), 操作, from → to, actor and role;
    its details on an indented second line."""
    actor = f"{event.actor} ({labels.role(event.role)}"
    actor += f", {labels.unit(event.unit)})" if event.unit else ")"
    cells = [pad(format_time(event.at, labels.tz), TIME_WIDTH)]
    if item_column:
        cells.append(pad(f"问题{event.item_id}" if event.item_id is not None else "", 7))
    cells += [pad(labels.trigger(event.trigger), 14), pad(_state_change(event, labels), 22), actor]
    lines = ["  ".join(cells).rstrip()]
    details = _details(event, labels)
    if details:
        indent = TIME_WIDTH + 2 + (9 if item_column else 0)
        lines.append(" " * indent + "说明: " + details)
    return lines


def _field_lines(pairs: Sequence[tuple[str, str]]) -> list[str]:
    """``label  value`` lines, labels padded to one width; a value's further lines indented."""
    width = max(display_width(label) for label, _ in pairs)
    indent = "\n" + " " * (width + 4)
    return [f"  {pad(label, width)}  {indent.join(value.splitlines())}" for label, value in pairs]


# ------------------------------------------------------------------------------- commands


def cmd_init(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai init: create the schema and start a campaign from a definition (re-dated with
    ``--start`` / ``--to-year``); refused, before any database is made, when all its phases have
    ended (see :mod:`._dated`)."""
    from zhenggai.engine import SystemClock
    from zhenggai.workflows.schema import UNIT_WILDCARDS

    from ._dated import setup_for_init

    clock = SystemClock()
    start = dt.date.fromisoformat(args.start) if getattr(args, "start", None) else None
    calendar = None
    path = _sqlite_file(db)
    if path is None or path.exists():  # a database already there may have calendar years loaded
        from zhenggai.workflows import load_setup

        with open_engine(db, clock=clock) as engine:
            calendar = engine.working_calendar(load_setup(args.definition).calendar)
    setup, warnings = setup_for_init(args.definition, start=start, to_year=getattr(args, "to_year", None),
                                     now=clock.now(), calendar=calendar)
    for warning in warnings:
        print(warning, file=sys.stderr)
    with open_engine(db, create=True, clock=clock) as engine:
        view = engine.start_campaign(setup, key=args.campaign)
    if args.json:
        _print_json(view.to_dict())
        return 0
    units = {u.id: u.name for u in setup.units}
    print(f"已启动专项行动: {view.title}")
    print(f"  标识      {view.key} (实施方案 {view.definition_id}, 版本 {view.definition_version})")
    print(f"  县        {view.county}")
    print(f"  时区      {view.timezone}")
    print(f"  单位      {len(setup.units)} 个")
    print(f"  专项整治  {len(setup.tracks)} 项")
    for i, track in enumerate(setup.tracks, 1):
        named = [units.get(u) or UNIT_WILDCARDS.get(u, u) for u in track.units]
        print(f"    {i}. {track.name} ({track.id}): 牵头单位 {named[0]}; 责任单位 {len(track.units)} 个")
    print(f"  数据库    {shown_db(db)}")
    from ._contacts import print_unreachable

    print_unreachable(db, view.key)  # who has no contact yet: their messages would be dead letters
    return 0


def cmd_item_add(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item add: register a problem item."""
    reporter = keys = None
    if args.reporter_name or args.reporter_phone:
        from ._reporter import configured_keys

        reporter = Reporter(name=args.reporter_name, phone=args.reporter_phone)
        keys = configured_keys(args.config)  # sealed with the [reporter] key of --config
    with open_engine(db, reporter_keys=keys) as engine:
        key = _campaign_key(engine, args.campaign)
        item = engine.report(
            key, _actor(actor), title=args.title, description=args.description, track=args.track,
            channel=args.channel, severity=args.severity, reporter=reporter,
        )
    if args.json:
        _print_json(item.to_dict())
    else:
        print(f"已登记问题 {item.id}: {item.title} (专项: {item.track_name}; 状态: {item.state_label})")
    return 0


def cmd_item_list(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item list: items as a table, filtered by campaign, state, unit, track."""
    with open_engine(db) as engine:
        campaigns = [engine.campaign(args.campaign)] if args.campaign else engine.campaigns()
        _check_filters(engine, campaigns, state=args.state, track=args.track)
        items = engine.items(args.campaign, state=args.state, unit=args.unit, track=args.track)
    total = len(items)
    offset = args.offset or 0
    items = items[offset:] if args.limit is None else items[offset:offset + args.limit]
    if args.json:
        _print_json([i.to_dict() for i in items])
        return 0
    if not items:
        print("没有符合条件的问题" if not total else f"共 {total} 个问题, 第 {offset + 1} 个起没有了")
        return 0
    print(item_table(items, campaign_column=len({i.campaign for i in items}) > 1))
    paged = f", 显示第 {offset + 1}–{offset + len(items)} 个" if len(items) < total else ""
    print(f"共 {total} 个问题{paged}")
    return 0


def _item_by_id_or_number(engine: Engine, ref: str, campaign: str | None) -> ItemView:
    """An item by its id (digits) or its 问题编号; a number several campaigns gave needs
    ``--campaign``."""
    ref = str(ref).strip()
    if ref.isdigit():
        return engine.item(int(ref))
    if campaign:
        return engine.item_by_number(campaign, ref)
    found = engine.items(number=ref)
    if not found:
        raise ItemNotFound(ref.upper())
    if len(found) > 1:
        keys = ", ".join(i.campaign for i in found)
        raise InvalidInputError("number", f"问题编号 {ref.upper()} 在多个专项行动中都有 ({keys}), 请加 --campaign 指明")
    return found[0]


def _check_filters(engine: Engine, campaigns: Sequence[CampaignView], *, state: str | None,
                   track: str | None) -> None:
    """Unknown states and tracks are errors, not silently empty lists."""
    if not campaigns:
        return
    if state is not None:
        known: dict[str, str] = {}
        for c in campaigns:
            known.update({s.id: s.label for s in engine.lifecycle(c.key).states})
        if state not in known:
            choices = ", ".join(f"{k} ({v})" for k, v in known.items())
            raise InvalidInputError("state", f"未知状态 {state!r} (可用: {choices})")
    if track is not None and not any(track in dict(engine.tracks(c.key)) for c in campaigns):
        raise TrackNotFound(track)


def cmd_item_show(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item show: an item's fields, its measures and its audit events; the item by
    its id or by its 问题编号 (ZG-2023-0001)."""
    with open_engine(db) as engine:
        item = _item_by_id_or_number(engine, args.item_id, getattr(args, "campaign", None))
        measures = engine.measures(item.id)
        events = engine.events(item.id)
        labels = None if args.json else Labels.load(engine, item.campaign)
    if args.json:
        _print_json({
            "item": item.to_dict(),
            "measures": [m.to_dict() for m in measures],
            "events": [e.to_dict() for e in events],
        })
        return 0
    assert labels is not None
    tz = labels.tz
    pairs: list[tuple[str, str]] = [
        ("问题编号", item.number or ""),
        ("专项行动", f"{labels.campaign.title} ({item.campaign})"),
        ("所属专项", f"{item.track_name} ({item.track})"),
        ("来源渠道", labels.channels.get(item.channel, item.channel)),
        ("问题程度", labels.severities.get(item.severity, item.severity)),
        ("问题描述", item.description),
        ("状态", f"{item.state_label} ({item.state})"),
        ("责任单位", f"{item.unit_name} ({item.unit})" if item.unit else "未交办"),
        ("领衔领导", item.leading_official or ""),
        ("整改时限", format_date(item.due)),
        ("暂停计时", f"自 {format_time(item.paused_at, tz)} 起暂停, 剩余 {item.paused_days} 个工作日"
         if item.paused_at else ""),
        ("预警状态", LIGHT_LABELS.get(item.light, item.light)),
        ("督办等级", ESCALATION_LABELS.get(item.escalation_level, str(item.escalation_level))),
        ("回头看次数", str(item.reopen_count) if item.reopen_count else ""),
        ("回头看发现", item.last_finding or ""),
        ("撤销理由", item.dismiss_reason or ""),
        ("合并到", f"问题 {item.merged_into}" if item.merged_into is not None else ""),
        ("典型案例", item.case_note or ""),
        ("通报曝光", f"{format_date(item.case_published_at)} {item.case_published_where}"
         if item.case_published_at is not None else ""),
        ("登记人", item.created_by),
        ("登记时间", format_time(item.created_at, tz)),
        ("验收时间", format_time(item.verified_at, tz)),
        ("销号时间", format_time(item.closed_at, tz)),
        ("销号人", item.closed_by or ""),
        ("更新时间", format_time(item.updated_at, tz)),
        ("版本", str(item.version)),
    ]
    print(f"问题 {item.id}: {item.title}")
    for line in _field_lines([(k, v) for k, v in pairs if v]):
        print(line)
    done = sum(1 for m in measures if m.done_at is not None)
    print()
    print(f"整改措施 ({len(measures)} 项, 已完成 {done} 项)")
    if measures:
        rows = [
            [str(m.id), truncate(_flat(m.text), 40), format_date(m.due) or "-",
             f"已完成 {format_time(m.done_at, tz)} {m.done_by or ''}".strip() if m.done_at else "未完成"]
            for m in measures
        ]
        for line in render_table(["编号", "措施", "完成时限", "完成情况"], rows, aligns=[">", "<", "<", "<"]).splitlines():
            print(f"  {line}")
    print()
    print(f"审计记录 ({len(events)} 条)")
    for event in events:
        for line in event_lines(event, labels):
            print(f"  {line}")
    return 0


def cmd_item_fire(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item fire: fire a trigger (assign, verify, close, follow_up_review, …) on an item."""
    data = {
        name: getattr(args, name)
        for name in ("unit", "due", "leading_official", "finding", "reason", "survivor_id", "note")
        if getattr(args, name) is not None
    }
    with open_engine(db) as engine:
        trigger = args.trigger
        labels = None
        if not trigger.isascii():  # a Chinese label such as 销号
            labels = Labels.load(engine, engine.item(args.item_id).campaign)
            by_label = {label: code for code, label in labels.triggers.items()}
            trigger = by_label.get(trigger, trigger)
        item = engine.fire(args.item_id, trigger, _actor(actor), expected_version=args.expected_version, **data)
        event = engine.events(item.id)[-1]
        if labels is None and not args.json:
            labels = Labels.load(engine, item.campaign)
    if args.json:
        _print_json(item.to_dict())
        return 0
    assert labels is not None
    print(
        f"问题 {item.id} {labels.trigger(event.trigger)}: {labels.state(event.from_state)} → "
        f"{item.state_label} (第 {item.version} 版)"
    )
    return 0


def cmd_measure_add(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item measure add: add a rectification measure (整改措施) to an item."""
    with open_engine(db) as engine:
        measure = engine.add_measure(
            args.item_id, _actor(actor), text=args.text, due=args.due, expected_version=args.expected_version
        )
    if args.json:
        _print_json(measure.to_dict())
    else:
        due = f" (完成时限 {format_date(measure.due)})" if measure.due else ""
        print(f"已为问题 {measure.item_id} 添加整改措施 {measure.id}: {measure.text}{due}")
    return 0


def cmd_measure_done(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item measure done: mark a measure done."""
    with open_engine(db) as engine:
        measure = engine.complete_measure(args.measure_id, _actor(actor), expected_version=args.expected_version)
    if args.json:
        _print_json(measure.to_dict())
    else:
        print(f"整改措施 {measure.id} 已完成 (问题 {measure.item_id}): {measure.text}")
    return 0


def cmd_item_pause(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item pause: 暂停计时 (with a reason, by the approving role)."""
    with open_engine(db) as engine:
        item = engine.pause_clock(args.item_id, _actor(actor), reason=args.reason,
                                  expected_version=args.expected_version)
    if args.json:
        _print_json(item.to_dict())
    else:
        print(f"问题 {item.id} 已暂停计时: 原整改时限 {format_date(item.due)}, 剩余 {item.paused_days} 个工作日"
              f" (第 {item.version} 版)")
    return 0


def cmd_item_resume(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item resume: 恢复计时; the new due date keeps the working days consumed."""
    with open_engine(db) as engine:
        item = engine.resume_clock(args.item_id, _actor(actor), note=args.note,
                                   expected_version=args.expected_version)
    if args.json:
        _print_json(item.to_dict())
    else:
        print(f"问题 {item.id} 已恢复计时: 新的整改时限 {format_date(item.due)} (第 {item.version} 版)")
    return 0


def cmd_item_case(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item case: mark an item as a typical case (典型案例) with its note."""
    with open_engine(db) as engine:
        item = engine.mark_case(args.item_id, _actor(actor), note=args.note, expected_version=args.expected_version)
    if args.json:
        _print_json(item.to_dict())
    else:
        print(f"问题 {item.id} 已标记为典型案例: {item.case_note} (第 {item.version} 版)")
    return 0


def cmd_duplicate_list(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai duplicate list: the 关联研判 flags still to judge (or all)."""
    with open_engine(db) as engine:
        flags = engine.duplicates(_campaign_key(engine, args.campaign), unresolved=not args.all)
    if args.json:
        _print_json([f.to_dict() for f in flags])
        return 0
    if not flags:
        print("没有待研判的疑似重复问题。" if not args.all else "没有疑似重复问题。")
        return 0
    verdicts = {"same": "已合并", "distinct": "确认不同"}
    rows = [
        [str(f.id), f"#{f.item_id} {f.item_title}", f"#{f.other_id} {f.other_title}", f"{f.score:.2f}",
         verdicts.get(f.resolution or "", "待研判")]
        for f in flags
    ]
    print(render_table(["编号", "问题", "疑似重复于", "相似度", "研判"], rows))
    return 0


def cmd_duplicate_resolve(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai duplicate resolve: merge the flagged item into the one it looks like, or keep both."""
    with open_engine(db) as engine:
        flag = engine.resolve_duplicate(args.flag_id, _actor(actor), merge=args.merge, note=args.note)
    if args.json:
        _print_json(flag.to_dict())
    elif flag.resolution == "same":
        print(f"疑似重复 {flag.id}: 问题 {flag.item_id} 已合并到问题 {flag.other_id}")
    else:
        print(f"疑似重复 {flag.id}: 问题 {flag.item_id} 与问题 {flag.other_id} 确认不是同一问题, 各自办理")
    return 0


def cmd_document_add(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai document add: list a normative document for re-study (规范性文件清理)."""
    with open_engine(db) as engine:
        doc = engine.list_document(_campaign_key(engine, args.campaign), _actor(actor), unit=args.unit,
                                   title=args.title, doc_number=args.doc_number, note=args.note)
    if args.json:
        _print_json(doc.to_dict())
    else:
        print(f"已登记规范性文件 {doc.id}: {doc.title} ({doc.unit_name}; 状态: {doc.state_label}; "
              f"清理期限 {format_date(doc.due)})")
    return 0


def cmd_document_list(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai document list: the documents under review with state, due date and light."""
    with open_engine(db) as engine:
        docs = engine.documents(_campaign_key(engine, args.campaign), unit=args.unit, state=args.state)
        tz = zoneinfo.ZoneInfo(engine.campaign(_campaign_key(engine, args.campaign)).timezone)
    if args.json:
        _print_json([d.to_dict() for d in docs])
        return 0
    if not docs:
        print("没有规范性文件。")
        return 0
    rows = [
        [str(d.id), d.title + (f" {d.doc_number}" if d.doc_number else ""), d.unit_name, d.state_label,
         format_date(d.due), LIGHT_LABELS.get(d.light, d.light), format_time(d.decided_at, tz) if d.decided_at else ""]
        for d in docs
    ]
    print(render_table(["编号", "文件", "单位", "状态", "清理期限", "预警", "结论时间"], rows))
    return 0


def cmd_document_fire(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai document fire: a step of the document-review lifecycle (a Chinese label works too)."""
    with open_engine(db) as engine:
        doc = engine.document(args.document_id)
        trigger, trigger_label = _document_trigger(engine, doc.campaign, args.trigger)
        before = doc.state_label
        doc = engine.fire_document(args.document_id, trigger, _actor(actor), reason=args.reason, note=args.note,
                                   expected_version=args.expected_version)
    if args.json:
        _print_json(doc.to_dict())
    else:
        print(f"规范性文件 {doc.id} {trigger_label}: {before} → {doc.state_label} (第 {doc.version} 版)")
    return 0


def _document_trigger(engine: Engine, campaign: str, given: str) -> tuple[str, str]:
    """A document trigger by id or by its Chinese label, and its label."""
    setup = engine.definition(campaign)
    if setup is None or setup.documents is None:
        return given, given
    for t in setup.documents.lifecycle.transitions:
        if given in (t.trigger, t.label):
            return t.trigger, t.label
    return given, given


def cmd_campaign_recompute(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai campaign recompute: recompute every open deadline after a calendar change."""
    from ._progress import progress_callback, wanted

    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign)
        # One transaction: the bar counts the items and open duties looked at inside it.
        with progress_callback(sys.stderr if wanted(args.progress) else None, desc="重算整改时限",
                               unit="项") as bar:
            report = engine.recompute_deadlines(key, _actor(actor), progress=bar)
    if args.json:
        _print_json(report.to_dict())
        return 0
    print(f"专项行动 {report.campaign}: 按现行工作日历重算整改时限, {len(report.moved)} 个问题的整改时限变更,"
          f" {report.retimed} 个待办督办步骤改期")
    for item_id, old, new in report.moved:
        print(f"  问题 {item_id}: {format_date(old)} → {format_date(new)}")
    return 0


def cmd_campaign_migrate(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai campaign migrate: move a running campaign to a new version of its definition."""
    from zhenggai.workflows import load_setup

    setup = load_setup(args.definition)
    with open_engine(db) as engine:
        before = engine.campaign(args.campaign)
        view = engine.migrate_campaign(args.campaign, setup, _actor(actor))
    if args.json:
        _print_json(view.to_dict())
        return 0
    print(f"专项行动 {view.key} 已改用实施方案 {view.definition_id} 版本 {view.definition_version}"
          f" (原版本 {before.definition_version})")
    return 0


def cmd_audit_verify(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai audit verify [--anchors FILE]: re-check the hash chains and what they vouch for
    (against anchors kept outside the database, when given); exit 1 when anything was tampered with."""
    from ._anchors import read_anchors

    anchors = read_anchors(args.anchors) if args.anchors else []
    with open_engine(db) as engine:
        report = engine.verify_audit(args.campaign, anchors=anchors)
    if args.json:
        _print_json({
            "ok": report.ok, "events": report.events, "campaigns": report.campaigns, "anchors": report.anchors,
            "problems": list(report.problems),
        })
        return 0 if report.ok else 1
    against = f", 对照 {report.anchors} 个库外锚点" if args.anchors else ""
    if report.ok:
        print(f"审计链完整: {report.campaigns} 个专项行动, 共 {report.events} 条审计记录{against}, 未发现改动、插入或删除")
        return 0
    print(f"审计链不完整: 发现 {len(report.problems)} 处问题 ({report.campaigns} 个专项行动, 共 {report.events} 条审计记录{against})")
    for problem in report.problems:
        print(f"  {problem}")
    return 1


def cmd_audit_anchor(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai audit anchor [--out FILE]: the chain heads, appended to a file outside the
    database (or printed, one JSON line each, for the operator to send on)."""
    from ._anchors import summary, write_anchors

    with open_engine(db) as engine:
        campaign = _campaign_key(engine, args.campaign) if args.campaign else None
        if args.out is None:
            for anchor in engine.audit_anchors(campaign):
                print(anchor.to_json())
            return 0
        anchors = write_anchors(engine, args.out, campaign)
    if args.json:
        _print_json({"file": args.out, "anchors": [json.loads(a.to_json()) for a in anchors]})
    else:
        print(f"{summary(anchors)} (写入 {args.out})")
    return 0


#: 疑似重复 lines an import prints (the rest: --json).
IMPORT_FLAGS_SHOWN = 50


def cmd_import(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai import FILE | --template FILE: import a problem list all or nothing (see :mod:`._import`)."""
    from . import _import

    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign)
        if args.template:
            path = _import.write_template(engine, key, Path(args.template))
            if args.json:
                _print_json({"template": str(path)})
            else:
                print(f"已写出导入模板: {path} (专项行动 {key}; 填写说明见第二个工作表)")
            return 0
        try:
            from ._progress import wanted

            done = _import.import_file(engine, key, _actor(actor), Path(args.file),
                                       progress=sys.stderr if wanted(args.progress) else None)
        except _import.IntakeRejected as rejected:
            return print_rejection(rejected, args.json)
    intake, result = done.intake, done.result
    if args.json:
        _print_json({"imported": len(result.items), "items": [i.to_dict() for i in result.items],
                     "duplicates": [d.to_dict() for d in result.duplicates],
                     "ignored_columns": list(intake.ignored), "notes": list(intake.notes)})
        return 0
    sheet = f"工作表「{intake.sheet}」, " if intake.sheet else ""
    print(f"已读取 {Path(args.file).name} ({sheet}表头在第{intake.header_row}行, {len(intake.entries)} 行数据)")
    for note in (*intake.notes, *_ignored_note(intake.ignored)):
        print(note)
    ids = [i.id for i in result.items]
    assigned = sum(1 for i in result.items if i.unit is not None)
    print(f"已导入 {len(ids)} 个问题 (编号 {min(ids)}–{max(ids)}), 其中 {assigned} 个已交办责任单位")
    for flag in result.duplicates[:IMPORT_FLAGS_SHOWN]:
        print(f"疑似重复: 新问题#{flag.item_id} 与 #{flag.other_id} (相似度 {flag.score:.2f}), 请人工研判"
              f" (「{_flat(flag.item_title)}」/「{_flat(flag.other_title)}」)")
    if len(result.duplicates) > IMPORT_FLAGS_SHOWN:
        print(f"…… 其余 {len(result.duplicates) - IMPORT_FLAGS_SHOWN} 处未列出")
    if result.duplicates:
        print(f"共 {len(result.duplicates)} 处疑似重复, 未自动合并: zhenggai duplicate list 查看,"
              " zhenggai duplicate resolve 编号 --merge 或 --distinct 研判")
    return 0


def print_rejection(rejected: Any, as_json: bool) -> int:
    """A refused import (:class:`._import.IntakeRejected`): its notes, then ``错误: …:`` and every
    problem, one a line, on stderr (or all of it as JSON); exit code 1."""
    if as_json:
        _print_json({"imported": 0, "problems": [p.to_dict() for p in rejected.problems],
                     "ignored_columns": list(rejected.intake.ignored), "notes": list(rejected.intake.notes)})
        return 1
    for note in (*rejected.intake.notes, *_ignored_note(rejected.intake.ignored)):
        print(note)
    print(f"错误: {rejected}:", file=sys.stderr)
    for problem in rejected.problems:
        print(str(problem), file=sys.stderr)
    return 1


def _ignored_note(ignored: Sequence[str]) -> list[str]:
    return [f"未导入的列: {'、'.join(ignored)}"] if ignored else []


def cmd_demo(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai demo: the scripted campaign on a throwaway database."""
    from ._demo import run_demo

    return run_demo(args.demo_db, keep=args.keep, reports=args.reports, progress=args.progress)


def cmd_report(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai report KIND: write reports into --out (see :mod:`zhenggai.adapters.reports`)."""
    from .reports import KIND_LABELS, write_reports

    out = Path(args.out).expanduser()
    if args.kind == "templates":
        return _write_templates(args, out)
    from zhenggai.notifications.config import report_templates

    folder = Path(args.templates).expanduser() if args.templates else report_templates(args.config)
    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign)
        from ._progress import wanted

        files = write_reports(
            engine, key, args.kind, out, unit=args.unit, track=args.track,
            redact=Path(args.redact).expanduser() if args.redact else None,
            actor=Actor(*actor) if actor is not None else None,
            progress=sys.stderr if wanted(args.progress) else None, templates=folder,
        )
    if args.json:
        _print_json({"campaign": key, "kind": args.kind, "files": [str(f) for f in files]})
        return 0
    print_report_files(KIND_LABELS[args.kind], files)
    return 0


def _write_templates(args: argparse.Namespace, out: Path) -> int:
    """zhenggai report templates --out DIR: the built-in Word templates, for a county to edit."""
    from .reports._files import ReportError, out_dir
    from .reports._templates import write_builtin

    given = [flag for flag, value in (("--campaign", args.campaign), ("--unit", args.unit), ("--track", args.track),
                                      ("--redact", args.redact), ("--templates", args.templates)) if value]
    if given:
        raise ReportError(f"写出内置模板时不用 {given[0]}")
    files = write_builtin(out_dir(out))
    if args.json:
        _print_json({"kind": "templates", "files": [str(f) for f in files]})
        return 0
    print_report_files("内置 Word 模板", files)
    print("修改后以 --templates 目录 或配置文件 [reports] templates 指定; 可用字段见 模板说明.txt。")
    return 0


def print_report_files(what: str, files: Sequence[Path]) -> None:
    """``已出具…: N 个文件`` and the files, one per line (also used by the demo)."""
    print(f"已出具{what}, 共 {len(files)} 个文件:")
    for path in files:
        print(f"  {path}")


def cmd_simulate(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai simulate: a campaign played on the virtual clock (see :mod:`._simulate`)."""
    from ._simulate import simulate

    return simulate(args.definition, items=args.items, start=args.start, until=args.until, seed=args.seed,
                    db=args.sim_db, progress=args.progress, timeline=not args.summary_only)


# ------------------------------------------------------------------- outcomes (五个一批)


def _vocabulary_id(given: str, vocabulary: Mapping[str, str]) -> str:
    """An id of ``vocabulary`` (id → label) given by id or by its Chinese label; else as given
    (the engine refuses it with the ids it knows)."""
    if given in vocabulary:
        return given
    for key, label in vocabulary.items():
        if given == label:
            return key
    return given


def _outcome_vocabulary(engine: Engine, campaign: str) -> tuple[dict[str, str], dict[str, str]]:
    """The campaign's accountability outcomes and mechanism kinds (id → label)."""
    setup = engine.definition(campaign)
    if setup is None or setup.outcomes is None:
        return {}, {}
    return ({a.id: a.label for a in setup.outcomes.accountability},
            {k.id: k.label for k in setup.outcomes.mechanism_kinds})


def _accountability(given: Sequence[str], outcomes: Mapping[str, str]) -> list[AccountabilityEntry]:
    """``姓名|职务|处理方式`` options as entries (职务 may be empty)."""
    entries = []
    for k, text in enumerate(given):
        parts = [p.strip() for p in text.split("|")]
        if len(parts) != 3:
            raise InvalidInputError(f"accountability[{k}]", f"格式应为 姓名|职务|处理方式, 收到 {text!r}")
        person, position, outcome = parts
        entries.append(AccountabilityEntry(person, position or None, _vocabulary_id(outcome, outcomes)))
    return entries


def _outcome_lines(view: OutcomeView, mechanisms: Mapping[int, str], tz: dt.tzinfo) -> list[str]:
    pairs = [("根源分析", view.root_cause or "-")]
    if view.accountability:
        people = [
            (f"{e.person}" + (f" ({e.position})" if e.position else "") + f": {e.outcome_label}")
            if view.named else e.outcome_label
            for e in view.accountability
        ]
        label = "问责处理" if view.named else "问责处理 (不显示姓名)"
        pairs.append((label, "\n".join(people) + f"\n共 {view.people} 人"))
    else:
        pairs.append(("问责处理", "无"))
    pairs.append(("长效机制", "\n".join(f"{mid} {mechanisms.get(mid, '')}".rstrip() for mid in view.mechanisms) or "无"))
    pairs.append(("记录", f"{view.recorded_by} {format_time(view.recorded_at, tz)}"))
    return _field_lines(pairs)


def cmd_item_outcome(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item outcome: record what came of a finished item (or show it)."""
    recording = args.root_cause is not None or args.accountability or args.mechanisms
    with open_engine(db) as engine:
        item = engine.item(args.item_id)
        tz = zoneinfo.ZoneInfo(engine.campaign(item.campaign).timezone)
        if recording:
            outcomes, _ = _outcome_vocabulary(engine, item.campaign)
            view: OutcomeView | None = engine.record_outcome(
                args.item_id, _actor(actor), root_cause=args.root_cause,
                accountability=_accountability(args.accountability, outcomes), mechanisms=args.mechanisms,
                expected_version=args.expected_version,
            )
        else:
            view = engine.outcome(args.item_id, _actor(actor))
        titles = {m.id: m.title for m in engine.mechanisms(item.campaign)} if view and view.mechanisms else {}
    if args.json:
        _print_json(None if view is None else view.to_dict())
        return 0
    if view is None:
        print(f"问题 {item.id} 尚未记录办理结果。")
        return 0
    head = f"问题 {item.id} 的办理结果已记录" if recording else f"问题 {item.id} 的办理结果"
    print(f"{head}: {_flat(item.title)}")
    print("\n".join(_outcome_lines(view, titles, tz)))
    return 0


def cmd_item_publish(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item publish: where and when a typical case was published (通报曝光)."""
    with open_engine(db) as engine:
        item = engine.publish_case(args.item_id, _actor(actor), where=args.where, on=dt.date.fromisoformat(args.on),
                                   expected_version=args.expected_version)
    if args.json:
        _print_json(item.to_dict())
    else:
        print(f"典型案例 问题 {item.id} 已于 {format_date(item.case_published_at)} 在 {item.case_published_where} "
              f"通报曝光 (第 {item.version} 版)")
    return 0


def _mechanism_status(given: str) -> str:
    return _vocabulary_id(given, MECHANISM_STATUSES)


def cmd_mechanism_add(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai mechanism add: register a long-term mechanism (长效机制)."""
    with open_engine(db) as engine:
        campaign = _campaign_key(engine, args.campaign)
        _, kinds = _outcome_vocabulary(engine, campaign)
        view = engine.register_mechanism(
            campaign, _actor(actor), unit=args.unit, title=args.title, kind=_vocabulary_id(args.kind, kinds),
            status=_mechanism_status(args.status), date=dt.date.fromisoformat(args.date), items=args.items,
            track=args.track, note=args.note,
        )
    if args.json:
        _print_json(view.to_dict())
    else:
        print(f"已登记长效机制 {view.id}: {view.title} ({view.unit_name}; {view.kind_label}; "
              f"{view.status_label} {format_date(view.date)})")
    return 0


def cmd_mechanism_list(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai mechanism list: the register of long-term mechanisms (长效机制台账)."""
    with open_engine(db) as engine:
        campaign = _campaign_key(engine, args.campaign)
        views = engine.mechanisms(campaign, unit=args.unit, track=args.track)
        tracks = dict(engine.tracks(campaign))
    if args.json:
        _print_json([v.to_dict() for v in views])
        return 0
    if not views:
        print("没有长效机制。")
        return 0
    rows = [
        [str(v.id), truncate(_flat(v.title), 36), v.kind_label, v.unit_name, tracks.get(v.track, "-") if v.track else "-",
         v.status_label, format_date(v.date), "、".join(str(i) for i in v.items) or "-"]
        for v in views
    ]
    print(render_table(["编号", "机制", "类别", "单位", "专项", "状态", "日期", "促成问题"], rows))
    return 0


def cmd_mechanism_update(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai mechanism update: a mechanism's new status (e.g. established, revised)."""
    with open_engine(db) as engine:
        view = engine.update_mechanism(args.mechanism_id, _actor(actor), status=_mechanism_status(args.status),
                                       date=dt.date.fromisoformat(args.date), note=args.note)
    if args.json:
        _print_json(view.to_dict())
    else:
        print(f"长效机制 {view.id} {view.title}: {view.status_label} ({format_date(view.date)})")
    return 0


def cmd_practice_add(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai practice add: a unit submits a good practice (典型做法和创新案例)."""
    with open_engine(db) as engine:
        view = engine.submit_practice(_campaign_key(engine, args.campaign), _actor(actor), title=args.title,
                                      summary=args.summary, track=args.track)
    if args.json:
        _print_json(view.to_dict())
    else:
        print(f"已报送典型做法 {view.id}: {view.title} ({view.unit_name})")
    return 0


def cmd_practice_list(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai practice list: the practices units submitted, selected or not."""
    with open_engine(db) as engine:
        campaign = _campaign_key(engine, args.campaign)
        views = engine.practices(campaign, selected=args.selected, unit=args.unit)
        tz = zoneinfo.ZoneInfo(engine.campaign(campaign).timezone)
    if args.json:
        _print_json([v.to_dict() for v in views])
        return 0
    if not views:
        print("没有典型做法。")
        return 0
    rows = [
        [str(v.id), truncate(_flat(v.title), 36), v.unit_name, format_time(v.submitted_at, tz),
         "已入选" if v.selected else "未入选"]
        for v in views
    ]
    print(render_table(["编号", "典型做法", "报送单位", "报送时间", "晒成效"], rows))
    return 0


def cmd_practice_select(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai practice select: the publicity department selects a practice (or takes it out)."""
    with open_engine(db) as engine:
        view = engine.select_practice(args.practice_id, _actor(actor), selected=not args.undo)
    if args.json:
        _print_json(view.to_dict())
    else:
        print(f"典型做法 {view.id} {view.title}: {'已入选晒成效' if view.selected else '已撤下'}")
    return 0


def _tally_cell(tally: OutcomeTally) -> str:
    return str(tally.count) if tally.target is None else f"{tally.count}/{tally.target}"


def _rate(tally: OutcomeTally) -> str:
    rate = tally.rate
    return "-" if rate is None else f"{rate:.0%}"


def cmd_outcomes(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai outcomes: the 五个一批 dashboard (count / target / 完成率), per track and unit."""
    with open_engine(db) as engine:
        campaign = _campaign_key(engine, args.campaign)
        five = engine.five_outcomes(campaign, unit=args.unit, track=args.track)
        names = {**dict(engine.tracks(campaign)), **dict(engine.units(campaign))}
    if args.json:
        _print_json(five.to_dict())
        return 0
    scope = "".join(f" · {names.get(key, key)}" for key in (five.track, five.unit) if key is not None)
    print(f"{five.campaign.title}{scope}: 五个一批 (截至 {format_date(five.today)})")
    rows = [[t.label, str(t.count), "-" if t.target is None else str(t.target), _rate(t)] for t in five.totals]
    print(render_table(["成效", "完成数", "目标", "完成率"], rows, aligns=["<", ">", ">", ">"]))
    headers = [t.label for t in five.totals]
    if five.track is None:
        print("\n分专项 (完成数/目标):")
        rows = [[name, *(_tally_cell(t) for t in tallies)] for _, name, tallies in five.by_track]
        print(render_table(["专项", *headers], rows, aligns=["<"] + [">"] * len(headers)))
    if five.unit is None and five.by_unit:
        print("\n分单位:")
        rows = [[name, *(str(t.count) for t in tallies)] for _, name, tallies in five.by_unit]
        print(render_table(["单位", *headers], rows, aligns=["<"] + [">"] * len(headers)))
    return 0


#: The command table: the parser's ``command`` names, explicitly (no dispatch by name).
def _ops(name: str) -> Command:
    """An operator command of :mod:`zhenggai.adapters._ops`, imported when it runs."""

    def run(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
        from ._ops import OPS_COMMANDS

        return int(OPS_COMMANDS[name](args, db, actor))

    return run


def _contacts(name: str) -> Command:
    """A roster command of :mod:`zhenggai.adapters._contacts`, imported when it runs."""

    def run(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
        from ._contacts import CONTACT_COMMANDS

        return int(CONTACT_COMMANDS[name](args, db, actor))

    return run


def _reporter(name: str) -> Command:
    """A reporter-identity command of :mod:`zhenggai.adapters._reporter`, imported when it runs."""

    def run(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
        from ._reporter import REPORTER_COMMANDS

        return int(REPORTER_COMMANDS[name](args, db, actor))

    return run


def _calendar(name: str) -> Command:
    """A calendar command of :mod:`zhenggai.adapters._calendar`, imported when it runs."""

    def run(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
        from ._calendar import CALENDAR_COMMANDS

        return int(CALENDAR_COMMANDS[name](args, db, actor))

    return run


COMMANDS: Mapping[str, Command] = {
    "init": cmd_init,
    "item_add": cmd_item_add,
    "item_list": cmd_item_list,
    "item_show": cmd_item_show,
    "item_fire": cmd_item_fire,
    "measure_add": cmd_measure_add,
    "measure_done": cmd_measure_done,
    "audit_verify": cmd_audit_verify,
    "audit_anchor": cmd_audit_anchor,
    "campaign_migrate": cmd_campaign_migrate,
    "campaign_recompute": cmd_campaign_recompute,
    "item_pause": cmd_item_pause,
    "item_resume": cmd_item_resume,
    "item_case": cmd_item_case,
    "document_add": cmd_document_add,
    "document_list": cmd_document_list,
    "document_fire": cmd_document_fire,
    "item_outcome": cmd_item_outcome,
    "item_publish": cmd_item_publish,
    "mechanism_add": cmd_mechanism_add,
    "mechanism_list": cmd_mechanism_list,
    "mechanism_update": cmd_mechanism_update,
    "practice_add": cmd_practice_add,
    "practice_list": cmd_practice_list,
    "practice_select": cmd_practice_select,
    "outcomes": cmd_outcomes,
    "duplicate_list": cmd_duplicate_list,
    "duplicate_resolve": cmd_duplicate_resolve,
    "import": cmd_import,
    "demo": cmd_demo,
    "report": cmd_report,
    "simulate": cmd_simulate,
    "run": _ops("run"),
    "status": _ops("status"),
    "duty_list": _ops("duty_list"),
    "duty_done": _ops("duty_done"),
    "outbox_list": _ops("outbox_list"),
    "outbox_show": _ops("outbox_show"),
    "outbox_retry": _ops("outbox_retry"),
    "outbox_send": _ops("outbox_send"),
    **{name: _calendar(name) for name in ("calendar_list", "calendar_show", "calendar_load")},
    **{name: _reporter(name) for name in ("item_reporter", "reporter_keygen", "reporter_rekey")},
    **{name: _contacts(name) for name in ("contact_add", "contact_list", "contact_update", "contact_remove",
                                          "contact_import", "contact_template")},
}
