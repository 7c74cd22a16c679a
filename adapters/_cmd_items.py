"""The item commands: ``zhenggai item add | list | show | fire | pause | resume | case``, ``item
measure``, ``duplicate`` (关联研判) and ``document`` (规范性文件清理)."""

from __future__ import annotations

import argparse
import zoneinfo
from collections.abc import Sequence

from zhenggai.engine import (
    ESCALATION_LABELS,
    CampaignView,
    Engine,
    InvalidInputError,
    ItemNotFound,
    ItemView,
    Reporter,
    TrackNotFound,
)
from zhenggai.engine.views import SendBackView

from ._cmd_instructions import instruction_line, instruction_of
from ._context import ActorTuple, _actor, _campaign_key, _print_json, open_engine
from ._errors import CliError
from ._labels import Labels
from ._render import _field_lines, _flat, event_lines, item_table
from ._tables import LIGHT_LABELS, format_date, format_time, render_table, truncate


def cmd_item_add(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item add: register a problem item."""
    reporter = keys = None
    if args.reporter_name or args.reporter_phone:
        from ._reporter import configured_keys

        reporter = Reporter(name=args.reporter_name, phone=args.reporter_phone)
        keys = configured_keys(args.config)  # sealed with the [reporter] key of --config
    instruction = instruction_of(args)  # 领导批示交办: the instruction the item starts from
    with open_engine(db, reporter_keys=keys) as engine:
        key = _campaign_key(engine, args.campaign)
        item = engine.report(
            key,
            _actor(actor),
            title=args.title,
            description=args.description,
            track=args.track,
            channel=args.channel,
            severity=args.severity,
            reporter=reporter,
            instruction=instruction,
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
    items = items[offset:] if args.limit is None else items[offset : offset + args.limit]
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
        raise InvalidInputError(
            "number", f"问题编号 {ref.upper()} 在多个专项行动中都有 ({keys}), 请加 --campaign 指明"
        )
    return found[0]


def _check_filters(
    engine: Engine, campaigns: Sequence[CampaignView], *, state: str | None, track: str | None
) -> None:
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


def send_back_line(views: Sequence[SendBackView]) -> str:
    """An item's send-backs in one line: how many, flagged, the latest and its ruling."""
    if not views:
        return ""
    last = views[-1]
    flag = " (多次退单)" if last.flagged else ""
    return f"{len(views)} 次{flag}; 最近: {last.unit_name} {last.reason_label}, {last.state_label}"


def cmd_item_show(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item show: an item's fields, its measures and its audit events; the item by
    its id or by its 问题编号 (ZG-2023-0001)."""
    with open_engine(db) as engine:
        item = _item_by_id_or_number(engine, args.item_id, getattr(args, "campaign", None))
        measures = engine.measures(item.id)
        events = engine.events(item.id)
        sent_back = engine.send_backs(item.campaign, item_id=item.id)  # 退单
        instructed = engine.instructions(item_id=item.id)  # 领导批示
        labels = None if args.json else Labels.load(engine, item.campaign)
    if args.json:
        _print_json(
            {
                "item": item.to_dict(),
                "measures": [m.to_dict() for m in measures],
                "events": [e.to_dict() for e in events],
            }
        )
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
        ("调研时限", format_date(item.research_due) if item.research_due is not None else ""),
        (
            "调研完成",
            f"{format_time(item.research_done_at, tz)} {item.research_note or ''}".strip()
            if item.research_done_at is not None
            else ("未完成" if item.research_due is not None else ""),
        ),
        ("整改时限", format_date(item.due)),
        (
            "暂停计时",
            f"自 {format_time(item.paused_at, tz)} 起暂停, 剩余 {item.paused_days} 个工作日"
            if item.paused_at
            else "",
        ),
        ("退单", send_back_line(sent_back)),
        ("领导批示", instruction_line(instructed)),
        ("预警状态", LIGHT_LABELS.get(item.light, item.light)),
        ("督办等级", ESCALATION_LABELS.get(item.escalation_level, str(item.escalation_level))),
        ("回头看次数", str(item.reopen_count) if item.reopen_count else ""),
        ("回头看发现", item.last_finding or ""),
        ("撤销理由", item.dismiss_reason or ""),
        ("合并到", f"问题 {item.merged_into}" if item.merged_into is not None else ""),
        ("典型案例", item.case_note or ""),
        (
            "通报曝光",
            f"{format_date(item.case_published_at)} {item.case_published_where}"
            if item.case_published_at is not None
            else "",
        ),
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
            [
                str(m.id),
                truncate(_flat(m.text), 40),
                format_date(m.due) or "-",
                f"已完成 {format_time(m.done_at, tz)} {m.done_by or ''}".strip() if m.done_at else "未完成",
            ]
            for m in measures
        ]
        for line in render_table(
            ["编号", "措施", "完成时限", "完成情况"], rows, aligns=[">", "<", "<", "<"]
        ).splitlines():
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
        # One write (a Chinese label such as 销号 is resolved by the engine); the names come
        # from the campaign the engine read in it, not from further reads.
        fired = engine.fire_transition(
            args.item_id, args.trigger, _actor(actor), expected_version=args.expected_version, **data
        )
        item, event = fired.item, fired.event
        labels = None if args.json else Labels.load(engine, item.campaign)
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
        measure = engine.complete_measure(
            args.measure_id, _actor(actor), expected_version=args.expected_version
        )
    if args.json:
        _print_json(measure.to_dict())
    else:
        print(f"整改措施 {measure.id} 已完成 (问题 {measure.item_id}): {measure.text}")
    return 0


def cmd_item_pause(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item pause: 暂停计时 (with a reason, by the approving role)."""
    with open_engine(db) as engine:
        item = engine.pause_clock(
            args.item_id, _actor(actor), reason=args.reason, expected_version=args.expected_version
        )
    if args.json:
        _print_json(item.to_dict())
    else:
        print(
            f"问题 {item.id} 已暂停计时: 原整改时限 {format_date(item.due)}, 剩余 {item.paused_days} 个工作日"
            f" (第 {item.version} 版)"
        )
    return 0


def cmd_item_resume(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item resume: 恢复计时; the new due date keeps the working days consumed."""
    with open_engine(db) as engine:
        item = engine.resume_clock(
            args.item_id, _actor(actor), note=args.note, expected_version=args.expected_version
        )
    if args.json:
        _print_json(item.to_dict())
    else:
        print(f"问题 {item.id} 已恢复计时: 新的整改时限 {format_date(item.due)} (第 {item.version} 版)")
    return 0


def cmd_item_case(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item case: mark an item as a typical case (典型案例) with its note."""
    with open_engine(db) as engine:
        item = engine.mark_case(
            args.item_id, _actor(actor), note=args.note, expected_version=args.expected_version
        )
    if args.json:
        _print_json(item.to_dict())
    else:
        print(f"问题 {item.id} 已标记为典型案例: {item.case_note} (第 {item.version} 版)")
    return 0


def cmd_item_lead(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item lead ID --leader CONTACT: 领衔 (the leader by contact id, or unique name)."""
    with open_engine(db) as engine:
        campaign = engine.item(args.item_id).campaign
        leader = _leader_id(engine, campaign, args.leader)
        item = engine.lead_item(args.item_id, _actor(actor), leader=leader, note=args.note)
    if args.json:
        _print_json(item.to_dict())
    else:
        print(
            f"问题 {item.id} 由 {item.leading_official} 领衔 (联系人 {leader}, 第 {item.version} 版); 已通知该领导"
        )
    return 0


def _leader_id(engine: Engine, campaign: str, given: str) -> int:
    """A contact id, or the id of the one contact (not removed) of a leadership role so named."""
    text = given.strip()
    if text.isdigit():
        return int(text)
    setup = engine.definition(campaign)
    roles = set(setup.leadership.roles) if setup is not None and setup.leadership is not None else set()
    found = [c for c in engine.contacts(campaign) if c.name == text and c.role in roles]
    if len(found) != 1:
        why = "没有" if not found else f"有 {len(found)} 名"
        raise CliError(f"通讯录中{why}可领衔的联系人「{text}」: 请用联系人编号 (zhenggai contact list)")
    return found[0].id


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
        [
            str(f.id),
            f"#{f.item_id} {f.item_title}",
            f"#{f.other_id} {f.other_title}",
            f"{f.score:.2f}",
            verdicts.get(f.resolution or "", "待研判"),
        ]
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
        doc = engine.list_document(
            _campaign_key(engine, args.campaign),
            _actor(actor),
            unit=args.unit,
            title=args.title,
            doc_number=args.doc_number,
            note=args.note,
        )
    if args.json:
        _print_json(doc.to_dict())
    else:
        print(
            f"已登记规范性文件 {doc.id}: {doc.title} ({doc.unit_name}; 状态: {doc.state_label}; "
            f"清理期限 {format_date(doc.due)})"
        )
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
        [
            str(d.id),
            d.title + (f" {d.doc_number}" if d.doc_number else ""),
            d.unit_name,
            d.state_label,
            format_date(d.due),
            LIGHT_LABELS.get(d.light, d.light),
            format_time(d.decided_at, tz) if d.decided_at else "",
        ]
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
        doc = engine.fire_document(
            args.document_id,
            trigger,
            _actor(actor),
            reason=args.reason,
            note=args.note,
            expected_version=args.expected_version,
        )
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
