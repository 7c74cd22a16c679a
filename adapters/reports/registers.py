"""The campaign's outcome registers (成效台账) as one ``.xlsx``: three sheets, and a fourth when
the definition has a document review.

- **长效机制台账**: every long-term mechanism a unit established or revised (:meth:`Engine.mechanisms
  <zhenggai.engine.Engine.mechanisms>`): 序号, 责任单位, 所属领域, 机制名称, 类别, 状态, 日期,
  关联问题编号, 备注.
- **典型做法和创新案例**: the good practices units submitted (:meth:`Engine.practices
  <zhenggai.engine.Engine.practices>`): 序号, 单位, 领域, 标题, 简介, 提交日期, 是否选入晒成效.
- **问责处理情况**: the items whose outcome held people accountable (:meth:`Engine.outcomes
  <zhenggai.engine.Engine.outcomes>`): 问题编号, 问题标题, 责任单位, 处理方式 (each kind with its
  number of people), 人数. The people's names and positions are personal data: they are
  written (a column 被问责人员) only when the register is made for an ``actor`` whose role the
  definition lets read them, which the engine decides (an outcome read for anyone else carries
  no names); without an actor, nobody's name is read at all.
- **规范性文件清理台账** (when the definition has ``documents``): every document a unit listed for
  re-study (:meth:`Engine.documents <zhenggai.engine.Engine.documents>`): 序号, 制定单位, 文件名称,
  文号, 状态, 清理期限, 预警, 结论日期, 结论理由.

Each sheet has a title and a 截至 row, the header frozen with filters, and prints A4
landscape one page wide (:func:`._files.write_table`); every user string is neutralised
(:func:`._files.cell_text`). ``unit`` and ``track`` limit every sheet to one responsible unit
or one 专项 (a practice or mechanism without a track is outside every track).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ._files import (
    Column,
    ReportError,
    Styled,
    fit_name,
    format_due,
    new_workbook,
    out_file,
    safe_name,
    write_table,
)
from ._html import local_time
from .ledger import LIGHT_STYLES

if TYPE_CHECKING:  # pragma: no cover - typing only
    from zhenggai.engine import (
        Actor,
        DocumentView,
        Engine,
        ItemView,
        MechanismView,
        OutcomeView,
        PracticeView,
    )

__all__ = [
    "MECHANISM_COLUMNS",
    "OUTCOME_COLUMNS",
    "PRACTICE_COLUMNS",
    "REGISTERS",
    "SHEETS",
    "accountability_summary",
    "registers_name",
    "write_registers",
]

REGISTERS = "成效台账"
#: The sheets, in order (the fourth only for a definition with a document review).
SHEETS = ("长效机制台账", "典型做法和创新案例", "问责处理情况", "规范性文件清理台账")

MECHANISM_COLUMNS: Sequence[Column] = (
    Column("序号", 6, align="center"),
    Column("责任单位", 18, wrap=True),
    Column("所属领域", 14, wrap=True),
    Column("机制名称", 30, wrap=True),
    Column("类别", 10, align="center"),
    Column("状态", 9, align="center"),
    Column("日期", 12),
    Column("关联问题编号", 14, wrap=True),
    Column("备注", 30, wrap=True),
)
PRACTICE_COLUMNS: Sequence[Column] = (
    Column("序号", 6, align="center"),
    Column("单位", 18, wrap=True),
    Column("领域", 14, wrap=True),
    Column("标题", 28, wrap=True),
    Column("简介", 50, wrap=True),
    Column("提交日期", 12),
    Column("是否选入晒成效", 16, align="center"),  # the heading on one line, as printed
)
OUTCOME_COLUMNS: Sequence[Column] = (
    Column("问题编号", 14, align="center"),
    Column("问题标题", 28, wrap=True),
    Column("责任单位", 18, wrap=True),
    Column("处理方式", 30, wrap=True),
    Column("人数", 6, align="center"),
)
DOCUMENT_COLUMNS: Sequence[Column] = (
    Column("序号", 6, align="center"),
    Column("制定单位", 18, wrap=True),
    Column("文件名称", 32, wrap=True),
    Column("文号", 20, wrap=True),
    Column("状态", 10, align="center"),
    Column("清理期限", 16),
    Column("预警", 8, align="center"),
    Column("结论日期", 12),
    Column("结论理由", 36, wrap=True),
)
#: The column added when the reader may see who was held accountable.
NAMES_COLUMN = Column("被问责人员 (职务): 处理方式", 40, wrap=True)


def registers_name(
    campaign_title: str, *, unit_name: str | None = None, track_name: str | None = None
) -> str:
    """``<campaign>-成效台账.xlsx``; with the unit and/or track when limited to them."""
    parts = [safe_name(campaign_title, fallback="专项行动")]
    parts += [safe_name(name) for name in (unit_name, track_name) if name]
    return fit_name("-".join(parts) + f"-{REGISTERS}.xlsx")


def accountability_summary(outcome: OutcomeView) -> str:
    """``诫勉 1 人、批评教育 2 人``: the kinds of accountability of an outcome, in the order they
    first appear, each with its number of people (no names)."""
    counts: dict[str, int] = {}
    for entry in outcome.accountability:
        counts[entry.outcome_label] = counts.get(entry.outcome_label, 0) + 1
    return "、".join(f"{label} {n} 人" for label, n in counts.items())


def _names(outcome: OutcomeView) -> str:
    lines = []
    for entry in outcome.accountability:
        who = entry.person + (f" ({entry.position})" if entry.position else "")
        lines.append(f"{who}: {entry.outcome_label}")
    return "\n".join(lines)


def write_registers(
    engine: Engine,
    campaign: str,
    out: Path,
    *,
    unit: str | None = None,
    track: str | None = None,
    actor: Actor | None = None,
) -> list[Path]:
    """Write the 成效台账 of ``campaign`` (only ``unit``'s / ``track``'s when given) into ``out``;
    returns the file written. Names of people held accountable only for an ``actor`` the
    engine lets read them (see the module's docstring)."""
    view = engine.campaign(campaign)
    key = view.key
    units = dict(engine.units(key))
    tracks = dict(engine.tracks(key))
    unit_name = units.get(unit, unit) if unit else None
    track_name = tracks.get(track, track) if track else None
    mechanisms = engine.mechanisms(key, unit=unit, track=track)
    practices = [p for p in engine.practices(key, unit=unit) if track is None or p.track == track]
    items = {i.id: i for i in engine.items(key)}
    outcomes = [
        o
        for o in engine.outcomes(key, actor if actor is not None else unnamed_reader(engine, key))
        if o.people > 0 and _in_scope(items.get(o.item_id), unit, track)
    ]
    outcomes.sort(key=lambda o: o.item_id)
    named = actor is not None and bool(outcomes) and all(o.named for o in outcomes)

    now = local_time(engine.clock.now(), view.timezone)
    scope = "".join(f"({name})" for name in (unit_name, track_name) if name)
    as_of = f"截至 {now.year}年{now.month}月{now.day}日"
    path = out_file(out, registers_name(view.title, unit_name=unit_name, track_name=track_name))
    workbook = new_workbook(path, created=engine.clock.now())
    try:
        title = f"{view.title}长效机制台账{scope}"
        write_table(
            workbook,
            SHEETS[0],
            MECHANISM_COLUMNS,
            [_mechanism_row(n, m, tracks, items) for n, m in enumerate(mechanisms, 1)],
            title=title,
            subtitle=f"{view.county}  {as_of}  共 {len(mechanisms)} 项",
            page_header=title,
        )
        title = f"{view.title}典型做法和创新案例{scope}"
        selected = sum(p.selected for p in practices)
        write_table(
            workbook,
            SHEETS[1],
            PRACTICE_COLUMNS,
            [_practice_row(n, p, tracks, view.timezone) for n, p in enumerate(practices, 1)],
            title=title,
            subtitle=f"{view.county}  {as_of}  共 {len(practices)} 项, 选入晒成效 {selected} 项",
            page_header=title,
        )
        title = f"{view.title}问责处理情况{scope}"
        people = sum(o.people for o in outcomes)
        note = "  含被问责人员姓名, 注意保密" if named else ""
        write_table(
            workbook,
            SHEETS[2],
            (*OUTCOME_COLUMNS, NAMES_COLUMN) if named else OUTCOME_COLUMNS,
            [_outcome_row(o, items, named) for o in outcomes],
            title=title,
            subtitle=f"{view.county}  {as_of}  共 {len(outcomes)} 个问题, {people} 人{note}",
            page_header=title,
        )
        setup = engine.definition(key)
        if setup is not None and setup.documents is not None and track is None:
            documents = engine.documents(key, unit=unit)
            decided = sum(d.decided for d in documents)
            title = f"{view.title}{setup.documents.label}台账{scope}"
            write_table(
                workbook,
                SHEETS[3],
                DOCUMENT_COLUMNS,
                [_document_row(n, d, view.timezone) for n, d in enumerate(documents, 1)],
                title=title,
                subtitle=f"{view.county}  {as_of}  共 {len(documents)} 份, 已作出结论 {decided} 份",
                page_header=title,
            )
    finally:
        workbook.close()
    return [path]


def unnamed_reader(engine: Engine, campaign: str) -> Actor:
    """Who reads the outcomes when the register is made for no one: a role of the definition
    that may not read the people held accountable (the engine then returns the entries
    without names, and audits no read of them). Refused when every role may."""
    from zhenggai.engine import Actor

    setup = engine.definition(campaign)
    allowed = set(setup.lifecycle.operations.get("read_named_people", ())) if setup is not None else set()
    roles = [r for r in setup.roles if r.id not in allowed] if setup is not None else []
    role = next((r for r in roles if not r.unit_bound), roles[0] if roles else None)
    if role is None:
        raise ReportError(
            "实施方案的每个角色都可查阅被问责人员, 无法出具不含姓名的问责处理情况; 请用 --actor/--role 指明查阅人"
        )
    unit = engine.units(campaign)[0][0] if role.unit_bound else None
    return Actor(f"{REGISTERS}出具", role.id, unit)


def _in_scope(item: ItemView | None, unit: str | None, track: str | None) -> bool:
    if item is None:
        return unit is None and track is None
    return (unit is None or item.unit == unit) and (track is None or item.track == track)


def _document_row(n: int, doc: DocumentView, timezone: str) -> list[object]:
    decided = local_time(doc.decided_at, timezone).date() if doc.decided_at is not None else None
    word, fill, font = LIGHT_STYLES.get(doc.light, (doc.light, "#FFFFFF", "#000000"))
    return [
        n,
        doc.unit_name,
        doc.title,
        doc.doc_number or "",
        doc.state_label,
        format_due(doc.due),
        Styled(word, fill=fill, font_color=font, bold=True),
        decided if decided is not None else "",
        doc.decision_note or "",
    ]


def _number(item_id: int, items: dict[int, ItemView]) -> str:
    """An item's 问题编号 (``ZG-2023-0001``); its id where it has none (a legacy row)."""
    item = items.get(item_id)
    return item.number if item is not None and item.number else str(item_id)


def _mechanism_row(
    n: int, mechanism: MechanismView, tracks: dict[str, str], items: dict[int, ItemView]
) -> list[object]:
    return [
        n,
        mechanism.unit_name,
        tracks.get(mechanism.track, mechanism.track) if mechanism.track else "",
        mechanism.title,
        mechanism.kind_label,
        mechanism.status_label,
        mechanism.date,
        "、".join(_number(i, items) for i in mechanism.items),
        mechanism.note or "",
    ]


def _practice_row(n: int, practice: PracticeView, tracks: dict[str, str], timezone: str) -> list[object]:
    return [
        n,
        practice.unit_name,
        tracks.get(practice.track, practice.track) if practice.track else "",
        practice.title,
        practice.summary,
        local_time(practice.submitted_at, timezone).date(),
        practice.selected,
    ]


def _outcome_row(outcome: OutcomeView, items: dict[int, ItemView], named: bool) -> list[object]:
    item = items.get(outcome.item_id)
    row: list[object] = [
        _number(outcome.item_id, items),
        item.title if item is not None else "",
        (item.unit_name or "") if item is not None else "",
        accountability_summary(outcome),
        outcome.people,
    ]
    if named:
        row.append(_names(outcome))
    return row
