"""一报告四清单: for each responsible unit, a 自查报告 (.docx) and its four lists (.xlsx).

The 自查报告 is titled ``<unit>关于<campaign>的自查报告`` and has the four parts a unit's
self-inspection report has: 一、基本情况 (the unit's numbers: total, finished, in hand, overdue,
lights, by track; then the tracks it answers in, each with its working group and 整治重点, the
definition's ``tracks[].scope``), 二、存在的问题 (each problem in prose: title, description, state),
三、整改措施 (each problem's measures, done or not) and 四、下一步工作; signed with the unit's
name and the date.

The workbook has one sheet per list, with the columns officials use:

- 问题清单: 序号, 问题编号, 问题名称, 问题描述, 所属领域, 来源, 问题程度;
- 责任清单: 序号, 问题名称, 责任单位, 牵头领导, 责任人;
- 措施清单: 序号, 问题名称, 整改措施, 完成情况;
- 时间清单: 序号, 问题名称, 整改时限, 当前状态, 销号日期.

Under each list's title a line names the campaign, 填报单位 (the unit), 填报人 (the unit's
contacts in the definition, else who added or completed its measures, else a blank to fill in
by hand), 填报日期 (the day the pack is as of) and the count. 问题编号 is the engine's number
of the item (``ZG-2023-0001``); 序号 is the same problem in all four lists. Every number comes from
:meth:`zhenggai.engine.Engine.progress` for the unit, so the pack agrees with the progress
bulletin and the ranking. 责任人 is who added or completed the problem's measures (else the
unit's contacts in the definition): people of the unit, never a reporter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zhenggai.adapters._tables import WEEKDAYS

from ._docx import SUBHEADING_FONT, set_run_font
from ._files import Column, ReportError, doc_text, format_due, new_workbook, out_file, safe_name, write_table
from ._templates import DocumentFields, Templates, leading_office
from .ledger import ReportLabels, attachment_cell, measure_lines

if TYPE_CHECKING:  # pragma: no cover - typing only
    from zhenggai.engine import Engine, LedgerRow, ProgressReport
    from zhenggai.workflows.schema import CampaignSetup, DocumentMarksSpec

__all__ = ["FILL_IN", "FOLDER", "chinese_number", "pack_units", "write_unit_packs"]

#: 填报人 when nobody is known: a blank to fill in by hand.
FILL_IN = "＿＿＿＿＿＿"
#: The kind of the 自查报告's template.
SELF_CHECK_KIND = "self_check"
#: The subfolder of ``--out`` the packs go into.
FOLDER = "一报告四清单"

PROBLEM_COLUMNS = (
    Column("序号", 6, align="center"),
    Column("问题编号", 14, align="center"),
    Column("问题名称", 28, wrap=True),
    Column("问题描述", 50, wrap=True),
    Column("所属领域", 16, wrap=True),
    Column("来源", 14, wrap=True),
    Column("问题程度", 10, align="center"),
)
DUTY_COLUMNS = (
    Column("序号", 6, align="center"),
    Column("问题名称", 32, wrap=True),
    Column("责任单位", 20, wrap=True),
    Column("牵头领导", 14, wrap=True),
    Column("责任人", 20, wrap=True),
)
MEASURE_COLUMNS = (
    Column("序号", 6, align="center"),
    Column("问题名称", 28, wrap=True),
    Column("整改措施", 48, wrap=True),
    Column("完成情况", 24, wrap=True),
    Column("佐证材料", 22, wrap=True),
)
TIME_COLUMNS = (
    Column("序号", 6, align="center"),
    Column("问题名称", 32, wrap=True),
    Column("整改时限", 18, align="center"),
    Column("当前状态", 12, align="center"),
    Column("销号日期", 13),
)

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五 (1 to 9999), for （一）（二）… numbering."""
    if not 0 < n < 10000:
        return str(n)
    parts: list[str] = []
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            zero = bool(parts)
            continue
        if zero:
            parts.append("零")
            zero = False
        parts.append(_DIGITS[digit] + unit)
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


@dataclass(frozen=True)
class UnitPack:
    """One unit's items (ledger rows) and its numbers."""

    unit: str
    unit_name: str
    rows: tuple[LedgerRow, ...]
    report: ProgressReport


def pack_units(
    engine: Engine, campaign: str, *, unit: str | None = None, track: str | None = None
) -> list[UnitPack]:
    """The units a pack is written for: ``unit`` alone when given (even with no items), else
    every unit with items (in the definition's order); with their rows and numbers."""
    view = engine.campaign(campaign)
    units = engine.units(view.key)
    names = dict(units)
    if unit is not None and unit not in names:
        raise ReportError(f"专项行动 {view.key} 没有单位「{unit}」")
    ledger = [row for row in engine.ledger(view.key) if track is None or row.item.track == track]
    if unit is not None:
        chosen = [unit]
    else:
        with_items = {row.item.unit for row in ledger}
        chosen = [key for key, _ in units if key in with_items]
    return [
        UnitPack(
            unit=key,
            unit_name=names[key],
            rows=tuple(row for row in ledger if row.item.unit == key),
            report=engine.progress(view.key, unit=key, track=track),
        )
        for key in chosen
    ]


def write_unit_packs(
    engine: Engine,
    campaign: str,
    out: Path,
    *,
    unit: str | None = None,
    track: str | None = None,
    templates: Templates | None = None,
) -> list[Path]:
    """Write the 一报告四清单 of every unit with items (or of ``unit``) into ``out/一报告四清单/``;
    returns the files written, two per unit (the .docx, then the .xlsx)."""
    labels = ReportLabels.load(engine, campaign)
    packs = pack_units(engine, labels.base.campaign.key, unit=unit, track=track)
    setup = engine.definition(labels.base.campaign.key)
    people = _unit_contacts(setup)
    templates = templates or Templates()
    marks = setup.reports.self_check if setup is not None else None
    office = leading_office(setup)
    written: list[Path] = []
    used: set[str] = set()
    for pack in packs:
        stem = safe_name(pack.unit_name, fallback=pack.unit)
        if stem.casefold() in used:  # two names that sanitise (or cut) alike: keep both files apart
            stem = f"{stem}-{safe_name(pack.unit)}"  # not cut again: out_file fits it, with a hash
        used.add(stem.casefold())
        written.append(
            _write_report(
                engine,
                labels,
                pack,
                out_file(out, f"{FOLDER}/{stem}-自查报告.docx"),
                templates,
                marks,
                office,
                _tasks(setup, pack.unit),
            )
        )
        written.append(
            _write_lists(
                engine,
                labels,
                pack,
                people.get(pack.unit, ()),
                out_file(out, f"{FOLDER}/{stem}-一报告四清单.xlsx"),
            )
        )
    return written


# ----------------------------------------------------------------------------- 自查报告


def _write_report(
    engine: Engine,
    labels: ReportLabels,
    pack: UnitPack,
    path: Path,
    templates: Templates,
    marks: DocumentMarksSpec | None,
    office: str | None,
    tasks: Sequence[str],
) -> Path:
    """The unit's 自查报告, addressed to the definition's 主送 for it, else to ``office`` (the
    leading group's office), else the county; signed by the unit."""
    campaign = labels.base.campaign
    report = pack.report
    title = f"{pack.unit_name}关于{campaign.title}的自查报告"
    day = _prose_day(report.today, weekday=False)

    def write_body(document: Any) -> None:
        _body(
            document,
            f"按照{campaign.title}的部署要求，{pack.unit_name}对照问题清单逐项自查、逐项整改。"
            f"现将截至{day}的整改情况报告如下。",
        )

        document.add_heading("一、基本情况", level=1)
        for text in _basic_facts(labels, pack, day):
            _body(document, text)
        for text in tasks:
            _body(document, text)

        document.add_heading("二、存在的问题", level=1)
        if not pack.rows:
            _body(document, "本单位暂无交办的问题。")
        for n, row in enumerate(pack.rows, start=1):
            item = row.item
            due = f"，整改时限{_prose_day(item.due)}" if item.due is not None else ""
            detail = (
                f"{_sentence(item.description)}（问题编号{item.number or item.id}；"
                f"来源：{labels.base.channels.get(item.channel, item.channel)}；"
                f"问题程度：{labels.base.severities.get(item.severity, item.severity)}；"
                f"当前状态：{item.state_label}{due}。）"
            )
            _body(document, detail, lead=f"（{chinese_number(n)}）{_sentence(item.title)}")

        document.add_heading("三、整改措施", level=1)
        if not pack.rows:
            _body(document, "无。")
        for n, row in enumerate(pack.rows, start=1):
            measures = measure_lines(row.measures, labels)
            text = measures.replace("\n", "；") + "。" if measures else "尚未制定整改措施。"
            _body(document, text, lead=f"（{chinese_number(n)}）针对“{row.item.title}”问题：")

        document.add_heading("四、下一步工作", level=1)
        for n, text in enumerate(_next_steps(pack), start=1):
            _body(document, text, lead=f"（{chinese_number(n)}）")

    fields = DocumentFields(
        title=title,
        subtitle=f"截至{day}",
        issuer=pack.unit_name,
        day=report.today,
        county=campaign.county,
        campaign=campaign.title,
        default_recipients=office or campaign.county,
        marks=marks,
    )
    path.write_bytes(templates.fill(SELF_CHECK_KIND, fields, write_body, created=engine.clock.now()))
    return path


def _basic_facts(labels: ReportLabels, pack: UnitPack, day: str) -> list[str]:
    report = pack.report
    final = [t for t in report.by_state if t.key in labels.final_states and t.count]
    in_hand = [t for t in report.by_state if t.key not in labels.final_states and t.count]
    closed_detail = f"（其中{_tallies(final)}）" if final else ""
    open_detail = f"（其中{_tallies(in_hand)}）" if in_hand else ""
    facts = [
        (
            f"截至{day}，本单位共承担整改问题{report.total}个，已办结{report.closed}个{closed_detail}，"
            f"正在整改{report.open}个{open_detail}，逾期未完成{report.overdue}个。"
        )
    ]
    if report.open:
        facts.append("在办问题预警情况：" + _tallies(report.by_light) + "。")
    tally = next((t for t in report.by_unit if t.unit == pack.unit), None)
    if tally is not None and (
        tally.supervised or tally.reopened or tally.closed_on_time or tally.closed_late
    ):
        facts.append(
            f"按期销号{tally.closed_on_time}个，逾期销号{tally.closed_late}个；"
            f"{labels.level(1)}{tally.supervised}个；“回头看”重新整改{tally.reopened}个。"
        )
    tracks = [t for t in report.by_track if t.count]
    if tracks:
        facts.append("按专项分：" + _tallies(tracks) + "。")
    return facts


def _tasks(setup: CampaignSetup | None, unit: str) -> list[str]:
    """The tracks the unit answers in, each with its working group and what it targets (整治
    重点, the definition's ``tracks[].scope`` in the plan's words): what the self-inspection is
    measured against."""
    if setup is None:
        return []
    tracks = setup.tracks_of(unit)
    if not tracks:
        return []
    lines = [
        f"本单位承担{'、'.join(t.name for t in tracks)}{'等' if len(tracks) > 1 else ''}{len(tracks)}项专项整治任务。"
    ]
    for t in tracks:
        group = f"（{t.group}）" if t.group else ""
        lead = "，本单位为牵头单位" if t.units and t.units[0] == unit else ""
        scope = f"，整治重点：{'；'.join(t.scope)}" if t.scope else ""
        lines.append(f"{t.name}{group}{lead}{scope}。")
    return lines


def _prose_day(day: dt.date, *, weekday: bool = True) -> str:
    """``2023年8月15日（周二）`` (or without the weekday), for running text."""
    text = f"{day.year}年{day.month}月{day.day}日"
    return text + f"（周{WEEKDAYS[day.weekday()]}）" if weekday else text


def _sentence(text: str) -> str:
    """``text`` ending with a full stop (unless it ends with punctuation already)."""
    text = text.strip()
    return text if text.endswith(("。", "！", "？", ".", "!", "?", "；", "…")) else text + "。"


def _tallies(tallies: Sequence[Any]) -> str:
    return "、".join(f"{t.label}{t.count}个" for t in tallies)


def _next_steps(pack: UnitPack) -> list[str]:
    report = pack.report
    steps = []
    if report.open:
        text = (
            f"对尚未办结的{report.open}个问题，逐项明确责任人和完成时限，倒排工期、挂图作战，"
            "确保按期整改到位。"
        )
        if report.overdue:
            text += f"其中已逾期的{report.overdue}个问题，由主要负责同志督促，限期整改完毕并说明逾期原因。"
        steps.append(text)
    if report.closed:
        steps.append(f"对已办结的{report.closed}个问题开展“回头看”，巩固整改成果，坚决防止问题反弹回潮。")
    steps.append("举一反三、建章立制，把整改中形成的好做法固化为长效机制，持续巩固整改成效。")
    return steps


def _body(document: Any, text: str, *, lead: str | None = None) -> None:
    """A body paragraph, indented two characters; ``lead`` (a numbered title) in 楷体, bold."""
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = Pt(32)
    if lead is not None:
        run = paragraph.add_run(doc_text(lead))
        set_run_font(run, SUBHEADING_FONT, bold=True)
    paragraph.add_run(doc_text(text))


# ------------------------------------------------------------------------------ 四清单


def _write_lists(
    engine: Engine, labels: ReportLabels, pack: UnitPack, contacts: Sequence[str], path: Path
) -> Path:
    base = labels.base
    reporter = "、".join(contacts or _unit_people(pack.rows)) or FILL_IN
    subtitle = (
        f"{base.campaign.title}  填报单位：{pack.unit_name}  填报人：{reporter}  "
        f"填报日期：{_prose_day(labels.today, weekday=False)}  共 {len(pack.rows)} 个问题"
    )
    numbered = list(enumerate(pack.rows, start=1))
    sheets: list[tuple[str, Sequence[Column], list[list[object]]]] = [
        (
            "问题清单",
            PROBLEM_COLUMNS,
            [
                [
                    n,
                    row.item.number or "",
                    row.item.title,
                    row.item.description,
                    row.item.track_name,
                    base.channels.get(row.item.channel, row.item.channel),
                    base.severities.get(row.item.severity, row.item.severity),
                ]
                for n, row in numbered
            ],
        ),
        (
            "责任清单",
            DUTY_COLUMNS,
            [
                [
                    n,
                    row.item.title,
                    row.item.unit_name or pack.unit_name,
                    row.item.leading_official or "",
                    "、".join(_responsible_people(row) or contacts),
                ]
                for n, row in numbered
            ],
        ),
        (
            "措施清单",
            MEASURE_COLUMNS,
            [
                [
                    n,
                    row.item.title,
                    measure_lines(row.measures, labels) or "尚未制定",
                    _progress_text(row, labels),
                    attachment_cell(row.attachments) or "无",
                ]
                for n, row in numbered
            ],
        ),
        (
            "时间清单",
            TIME_COLUMNS,
            [
                [
                    n,
                    row.item.title,
                    format_due(row.item.due) if row.item.due is not None else "",
                    row.item.state_label,
                    labels.local_day(row.item.closed_at),
                ]
                for n, row in numbered
            ],
        ),
    ]
    workbook = new_workbook(path, created=engine.clock.now())
    try:
        for name, columns, rows in sheets:
            title = f"{pack.unit_name}{name}"
            write_table(workbook, name, columns, rows, title=title, subtitle=subtitle, page_header=title)
    finally:
        workbook.close()
    return path


def _unit_people(rows: Sequence[LedgerRow]) -> list[str]:
    """Who added or completed the measures of any of ``rows``, in order of appearance."""
    names: list[str] = []
    for row in rows:
        names += [name for name in _responsible_people(row) if name not in names]
    return names


def _responsible_people(row: LedgerRow) -> list[str]:
    """Who added or completed the item's measures, in order of appearance."""
    names: list[str] = []
    for measure in row.measures:
        for name in (measure.created_by, measure.done_by):
            if name and name not in names:
                names.append(name)
    return names


def _progress_text(row: LedgerRow, labels: ReportLabels) -> str:
    """完成情况: how many measures are done, and the item's state (with its 销号 day)."""
    measures = row.measures
    done = sum(m.done_at is not None for m in measures)
    parts = [f"措施已完成 {done}/{len(measures)} 项" if measures else "尚未制定措施"]
    closed = labels.local_day(row.item.closed_at)
    state = row.item.state_label + (f" ({closed.isoformat()})" if closed is not None else "")
    parts.append(f"问题{state}")
    return "\n".join(parts)


def _unit_contacts(setup: CampaignSetup | None) -> dict[str, tuple[str, ...]]:
    """The contacts' names the definition gives for each unit (None known: empty)."""
    if setup is None:
        return {}
    return {u.id: tuple(c.name for c in u.contacts) for u in setup.units}
