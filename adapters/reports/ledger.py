"""整改台账: the campaign's ledger as one .xlsx sheet, one row per item.

Columns, as a 整改台账 has them: 序号, 问题编号, 问题标题, 问题描述, 所属领域, 来源渠道,
问题程度, 责任单位, 牵头领导, 整改措施 (one per line, each marked done or not), 整改时限 (with
the weekday), 状态, 预警 (红灯/黄灯/绿灯 as the cell's colour), 督办等级 (the label of the
definition's ladder step, or 无), 销号日期 (the local day of 销号) and 回头看次数; then (issue
17) 领导批示 (leader, day, text), 延期 (approved: 原时限 → 新时限) and 退单 (with the ruling).

主办单位 is the responsible unit; 协办单位 its co-units (issue 17), one per line with its part
and the part's state (``县自然资源局: 核实用地【已完成】``).

问题编号 is the number the engine gave the item when it was reported (``ZG-2023-0001``), not the
序号 of the row. 预警 is shown while the item is in hand and, once 销号 (a final state with a
``closed_at``), as it stood at 销号; an item that ended otherwise (撤销, 合并) has no light: "—".
Row heights follow the wrapped text (:func:`._files.wrapped_lines`).

A title row and a 截至 row come first; the header row below them is frozen and has filters;
the sheet prints A4 landscape, one page wide, the header repeated on every page, the campaign
title at the top and page numbers at the bottom. Every user string is neutralised
(:func:`._files.cell_text`). Nothing about reporters is read or written: the engine's item
views carry none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from zhenggai.adapters._tables import WEEKDAYS

from ._files import Column, Styled, fit_name, format_due, new_workbook, out_file, safe_name, write_table
from ._supervision_notes import ItemNotes, item_notes

if TYPE_CHECKING:  # pragma: no cover - typing only
    from zhenggai.adapters._labels import Labels
    from zhenggai.engine import Engine, ItemView, LedgerRow, MeasureView, PartView

__all__ = [
    "LIGHT_STYLES",
    "NO_LIGHT",
    "ReportLabels",
    "co_unit_lines",
    "ledger_name",
    "light_cell",
    "measure_lines",
    "write_ledger",
]

#: 预警 cells: the Chinese word, the fill and the font colour.
LIGHT_STYLES: Mapping[str, tuple[str, str, str]] = {
    "green": ("绿灯", "#00B050", "#FFFFFF"),
    "yellow": ("黄灯", "#FFFF00", "#000000"),
    "red": ("红灯", "#FF0000", "#FFFFFF"),
}
#: 预警 of an item that ended without 销号 (撤销, 合并): its light means nothing any more.
NO_LIGHT = "—"
#: Ladder actions and the escalation level they raise an item to (as the engine counts).
_LEVEL_ACTIONS: Mapping[str, int] = {"listed_supervision": 1, "accountability": 2}

COLUMNS: Sequence[Column] = (
    Column("序号", 6, align="center"),
    Column("问题编号", 14, align="center"),
    Column("问题标题", 24, wrap=True),
    Column("问题描述", 40, wrap=True),
    Column("所属领域", 14, wrap=True),
    Column("来源渠道", 12, wrap=True),
    Column("问题程度", 9, align="center"),
    Column("责任单位", 16, wrap=True),
    Column("牵头领导", 10, wrap=True),
    Column("整改措施", 44, wrap=True),
    Column("整改时限", 17, align="center"),
    Column("状态", 10, align="center"),
    Column("预警", 7, align="center"),
    Column("督办等级", 10, align="center"),
    Column("销号日期", 12),
    Column("回头看次数", 8, align="center"),
    Column("领导批示", 30, wrap=True),
    Column("延期", 24, wrap=True),
    Column("退单", 30, wrap=True),
    Column("主办单位", 16, wrap=True),
    Column("协办单位", 30, wrap=True),
    Column("佐证材料", 30, wrap=True),
)


@dataclass(frozen=True)
class ReportLabels:
    """What the reports need to name beyond :class:`~zhenggai.adapters._labels.Labels`:
    the escalation levels (from the definition's item ladder) and the final states."""

    base: Labels
    levels: Mapping[int, str]
    final_states: frozenset[str]
    today: dt.date

    @classmethod
    def load(cls, engine: Engine, campaign: str) -> ReportLabels:
        import zoneinfo

        from zhenggai.adapters._labels import Labels
        from zhenggai.engine import ESCALATION_LABELS

        base = Labels.load(engine, campaign)
        setup = engine.definition(base.campaign.key)
        levels: dict[int, str] = {0: "无"}
        ladder_id = setup.deadlines.ladder if setup is not None and setup.deadlines is not None else None
        ladder = next((x for x in setup.ladders if x.id == ladder_id), None) if setup is not None else None
        for level, label in ESCALATION_LABELS.items():
            if level:
                levels[level] = label
        if ladder is not None:
            for step in ladder.steps:
                raised = _LEVEL_ACTIONS.get(step.action)
                if raised is not None:
                    levels[raised] = step.label
        lifecycle = engine.lifecycle(base.campaign.key)
        today = engine.clock.now().astimezone(zoneinfo.ZoneInfo(base.campaign.timezone)).date()
        return cls(base, levels, frozenset(s.id for s in lifecycle.states if s.final), today)

    def level(self, level: int) -> str:
        return self.levels.get(level, f"{level} 级")

    def local_day(self, at: dt.datetime | None) -> dt.date | None:
        return None if at is None else at.astimezone(self.base.tz).date()

    @property
    def as_of(self) -> str:
        return f"截至 {self.today.year}年{self.today.month}月{self.today.day}日"


def measure_lines(measures: Sequence[MeasureView], labels: ReportLabels, *, numbered: bool = True) -> str:
    """The measures, one per line: ``1. 文字（时限2023-07-20 周四）【已完成 2023-07-19】`` or ``…【未完成】``."""
    lines = []
    for n, measure in enumerate(measures, start=1):
        due = (
            f"（时限{measure.due.isoformat()} 周{WEEKDAYS[measure.due.weekday()]}）"
            if measure.due is not None
            else ""
        )
        done_day = labels.local_day(measure.done_at)
        status = f"【已完成 {done_day.isoformat()}】" if done_day is not None else "【未完成】"
        prefix = f"{n}. " if numbered else ""
        lines.append(f"{prefix}{measure.text}{due}{status}")
    return "\n".join(lines)


def ledger_name(campaign_title: str, *, unit_name: str | None = None, track_name: str | None = None) -> str:
    """``<campaign>-整改台账.xlsx``; with the unit and/or track when the ledger is limited to them."""
    parts = [safe_name(campaign_title, fallback="专项行动")]
    parts += [safe_name(name) for name in (unit_name, track_name) if name]
    return fit_name("-".join(parts) + "-整改台账.xlsx")


def write_ledger(
    engine: Engine,
    campaign: str,
    out: Path,
    *,
    unit: str | None = None,
    track: str | None = None,
    keep: Callable[[LedgerRow], bool] | None = None,
) -> list[Path]:
    """Write the 整改台账 of ``campaign`` (only ``unit``'s / ``track``'s items when given, and of
    those only the rows ``keep`` keeps: the web ledger's filters) into ``out``; returns the file
    written."""
    labels = ReportLabels.load(engine, campaign)
    view = labels.base.campaign
    # Page by page: the workbook streams (constant_memory), and so does the ledger; the count
    # for the heading comes first, from one COUNT.
    rows: Iterable[LedgerRow] = engine.ledger_pages(view.key, unit=unit, track=track)
    if keep is None:
        total = engine.count_items(view.key, unit=unit, track=track)
    else:
        rows = [row for row in rows if keep(row)]
        total = len(rows)
    co_units = co_unit_lines(engine.parts(view.key))
    notes = item_notes(engine, view.key)  # 领导批示, 延期, 退单
    unit_name = labels.base.unit(unit) if unit else None
    track_name = labels.base.tracks.get(track, track) if track else None
    path = out_file(out, ledger_name(view.title, unit_name=unit_name, track_name=track_name))
    scope = "".join(f"({name})" for name in (unit_name, track_name) if name)
    title = f"{view.title}整改台账{scope}"
    subtitle = f"{view.county}  {labels.as_of}  共 {total} 个问题"
    workbook = new_workbook(path, created=engine.clock.now())
    try:
        write_table(
            workbook,
            "整改台账",
            COLUMNS,
            (
                [
                    *_row(n, row, labels, notes),
                    row.item.unit_name or "",
                    co_units.get(row.item.id, ""),
                    attachment_cell(row.attachments),
                ]
                for n, row in enumerate(rows, start=1)
            ),
            title=title,
            subtitle=subtitle,
            page_header=title,
        )
    finally:
        workbook.close()
    return [path]


def co_unit_lines(parts: Sequence[PartView]) -> dict[int, str]:
    """协办单位 by item: one line per part, ``单位: 分工【状态】`` (逾期 marked)."""
    out: dict[int, list[str]] = {}
    for p in parts:
        late = ", 逾期" if p.late else ""
        out.setdefault(p.item_id, []).append(f"{p.unit_name}: {p.part}【{p.state_label}{late}】")
    return {k: "\n".join(v) for k, v in out.items()}


def light_cell(item: ItemView, labels: ReportLabels) -> object:
    """The 预警 cell of ``item``: the light as a coloured cell while in hand and when 销号 (as it
    stood then); :data:`NO_LIGHT` for an item in a final state without 销号 (撤销, 合并)."""
    if item.state in labels.final_states and item.closed_at is None:
        return NO_LIGHT
    word, fill, font = LIGHT_STYLES.get(item.light, (item.light, "#FFFFFF", "#000000"))
    return Styled(word, fill=fill, font_color=font, bold=True)


def _row(n: int, row: LedgerRow, labels: ReportLabels, notes: ItemNotes) -> list[object]:
    item = row.item
    base = labels.base
    return [
        n,
        item.number or "",
        item.title,
        item.description,
        item.track_name,
        base.channels.get(item.channel, item.channel),
        base.severities.get(item.severity, item.severity),
        item.unit_name or "",
        item.leading_official or "",
        measure_lines(row.measures, labels) or "尚未制定",
        format_due(item.due) if item.due is not None else "",
        item.state_label,
        light_cell(item, labels),
        labels.level(item.escalation_level),
        labels.local_day(item.closed_at),
        item.reopen_count,
        notes.instructions.get(item.id, ""),
        notes.extensions.get(item.id, ""),
        notes.send_backs.get(item.id, ""),
    ]


def attachment_cell(names: Sequence[str]) -> str:
    """The 佐证材料 cell: how many files and their names, one per line (empty without)."""
    return "\n".join([f"共 {len(names)} 份", *names]) if names else ""
