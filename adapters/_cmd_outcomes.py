"""The outcome commands (五个一批): ``zhenggai item outcome | publish``, ``mechanism``, ``practice``,
``outcomes``."""

from __future__ import annotations

import argparse
import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence

from zhenggai.engine import (
    MECHANISM_STATUSES,
    AccountabilityEntry,
    Engine,
    InvalidInputError,
    OutcomeTally,
    OutcomeView,
)

from ._context import ActorTuple, _actor, _campaign_key, _print_json, open_engine
from ._render import _field_lines, _flat
from ._tables import format_date, format_time, render_table, truncate


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
    return (
        {a.id: a.label for a in setup.outcomes.accountability},
        {k.id: k.label for k in setup.outcomes.mechanism_kinds},
    )


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
            if view.named
            else e.outcome_label
            for e in view.accountability
        ]
        label = "问责处理" if view.named else "问责处理 (不显示姓名)"
        pairs.append((label, "\n".join(people) + f"\n共 {view.people} 人"))
    else:
        pairs.append(("问责处理", "无"))
    pairs.append(
        (
            "长效机制",
            "\n".join(f"{mid} {mechanisms.get(mid, '')}".rstrip() for mid in view.mechanisms) or "无",
        )
    )
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
                args.item_id,
                _actor(actor),
                root_cause=args.root_cause,
                accountability=_accountability(args.accountability, outcomes),
                mechanisms=args.mechanisms,
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
        item = engine.publish_case(
            args.item_id,
            _actor(actor),
            where=args.where,
            on=dt.date.fromisoformat(args.on),
            expected_version=args.expected_version,
        )
    if args.json:
        _print_json(item.to_dict())
    else:
        print(
            f"典型案例 问题 {item.id} 已于 {format_date(item.case_published_at)} 在 {item.case_published_where} "
            f"通报曝光 (第 {item.version} 版)"
        )
    return 0


def _mechanism_status(given: str) -> str:
    return _vocabulary_id(given, MECHANISM_STATUSES)


def cmd_mechanism_add(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai mechanism add: register a long-term mechanism (长效机制)."""
    with open_engine(db) as engine:
        campaign = _campaign_key(engine, args.campaign)
        _, kinds = _outcome_vocabulary(engine, campaign)
        view = engine.register_mechanism(
            campaign,
            _actor(actor),
            unit=args.unit,
            title=args.title,
            kind=_vocabulary_id(args.kind, kinds),
            status=_mechanism_status(args.status),
            date=dt.date.fromisoformat(args.date),
            items=args.items,
            track=args.track,
            note=args.note,
        )
    if args.json:
        _print_json(view.to_dict())
    else:
        print(
            f"已登记长效机制 {view.id}: {view.title} ({view.unit_name}; {view.kind_label}; "
            f"{view.status_label} {format_date(view.date)})"
        )
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
        [
            str(v.id),
            truncate(_flat(v.title), 36),
            v.kind_label,
            v.unit_name,
            tracks.get(v.track, "-") if v.track else "-",
            v.status_label,
            format_date(v.date),
            "、".join(str(i) for i in v.items) or "-",
        ]
        for v in views
    ]
    print(render_table(["编号", "机制", "类别", "单位", "专项", "状态", "日期", "促成问题"], rows))
    return 0


def cmd_mechanism_update(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai mechanism update: a mechanism's new status (e.g. established, revised)."""
    with open_engine(db) as engine:
        view = engine.update_mechanism(
            args.mechanism_id,
            _actor(actor),
            status=_mechanism_status(args.status),
            date=dt.date.fromisoformat(args.date),
            note=args.note,
        )
    if args.json:
        _print_json(view.to_dict())
    else:
        print(f"长效机制 {view.id} {view.title}: {view.status_label} ({format_date(view.date)})")
    return 0


def cmd_practice_add(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai practice add: a unit submits a good practice (典型做法和创新案例)."""
    with open_engine(db) as engine:
        view = engine.submit_practice(
            _campaign_key(engine, args.campaign),
            _actor(actor),
            title=args.title,
            summary=args.summary,
            track=args.track,
        )
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
        [
            str(v.id),
            truncate(_flat(v.title), 36),
            v.unit_name,
            format_time(v.submitted_at, tz),
            "已入选" if v.selected else "未入选",
        ]
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
    rows = [
        [t.label, str(t.count), "-" if t.target is None else str(t.target), _rate(t)] for t in five.totals
    ]
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
