"""The progress bulletin (工作进展通报) and the typical-case bulletin (典型案例通报).

Both come as a self-contained ``.html`` (style inline, charts embedded as ``data:`` PNGs, no
script and no link to anywhere) and as a ``.docx`` in the layout of an official document.

- :func:`write_progress` prints only the numbers of :meth:`Engine.progress
  <zhenggai.engine.Engine.progress>` (one place counts): the totals, items by track, state
  and light, each responsible unit's figures, the weekly trend, and the five charts of
  :func:`~zhenggai.adapters.reports.charts.progress_charts`; then the 五个一批 dashboard, only
  the numbers of :meth:`Engine.five_outcomes <zhenggai.engine.Engine.five_outcomes>` for the
  same unit and track: each outcome's count, target and 完成率, the five per track and per
  unit, and the two charts of :func:`~zhenggai.adapters.reports.charts.five_outcomes_charts`;
  then 问题来源 and 督办情况 (issue 17: a line each for 延期申请 and 退单, the items with 领导批示
  and their state, :func:`._supervision_notes.supervision_section`).
- :func:`write_cases` prints the items marked as typical cases (:meth:`Engine.cases
  <zhenggai.engine.Engine.cases>`): title, responsible unit, track, what was found, what was
  done (the measures), the outcome and the case note. It names no reporter, no leading
  official and no one who acted on the item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._bulletin_shared import (
    _doc_body,
    _doc_picture,
    _doc_table,
    _fits_page,
    _ordinal,
    _rate,
    _zh,
    zh_date,
    zh_quotes,  # noqa: F401 (importable from here, as before)
)
from ._docx import TABLE_PT, WIDE_TABLE_PT, set_orientation
from ._files import doc_text, out_file
from ._html import data_uri, file_stem, local_now, local_time, page, percent, render, scope_names, write_all
from ._supervision_notes import supervision_section
from ._templates import DocumentFields, Templates, leading_office

if TYPE_CHECKING:  # pragma: no cover - typing only
    from zhenggai.engine import (
        CampaignView,
        Engine,
        FiveOutcomes,
        ItemView,
        MeasureView,
        OutcomeTally,
        ProgressReport,
    )
    from zhenggai.workflows.schema import CampaignSetup

    from .charts import Chart

__all__ = ["write_cases", "write_progress"]

PROGRESS = "工作进展通报"
CASES = "典型案例通报"
#: The kinds numbered in ``zg_issue`` (期数 per campaign and kind).
PROGRESS_KIND = "progress_bulletin"
CASES_KIND = "case_bulletin"
#: 主送 when neither the caller nor the definition's ``reports.<kind>.recipients`` names one.
DEFAULT_RECIPIENTS = "各成员单位"


def _fields(
    engine: Engine,
    view: CampaignView,
    setup: CampaignSetup | None,
    kind: str,
    day: dt.date,
    *,
    title: str,
    subtitle: str,
    issuer: str | None,
    recipients: str | None,
    issued_by: str | None,
) -> DocumentFields:
    """A bulletin's template fields: its 期数 (stored, per campaign, kind and day), the
    definition's marks for ``kind`` (密级, 紧急程度, 主送), the caller's issuer and 主送 first.
    The 发文机关 is the leading group's office named in the definition, else the county."""
    return DocumentFields(
        title=title,
        subtitle=subtitle,
        issuer=issuer or leading_office(setup) or view.county,
        day=day,
        county=view.county,
        campaign=view.title,
        default_recipients=DEFAULT_RECIPIENTS,
        recipients=recipients,
        number=engine.issue_number(view.key, kind, day, issued_by or "system"),
        marks=getattr(setup.reports, kind) if setup is not None else None,
    )


# -------------------------------------------------------------------- progress bulletin


def _summary(report: ProgressReport, scope: str) -> str:
    lights = {t.key: t.count for t in report.by_light}
    return (
        f"截至{zh_date(report.today)}，{scope}共收集问题{report.total}件，已办结{report.closed}件"
        f"（办结率{percent(_rate(report.closed, report.total))}），未办结{report.open}件，其中逾期未办结"
        f"{report.overdue}件；未办结问题中红灯{lights.get('red', 0)}件、黄灯{lights.get('yellow', 0)}件。"
    )


_UNIT_HEADERS = (
    "责任单位",
    "问题总数",
    "已办结",
    "未办结",
    "逾期",
    "红灯",
    "黄灯",
    "挂牌督办",
    "按期销号",
    "超期销号",
    "回头看重新整改",
)
_TREND_HEADERS = ("周（周一）", "新增", "办结", "周末未办结")

_PROGRESS_BODY = """
<h2>一、总体情况</h2>
<p id="summary">{{ summary }}</p>
<table id="totals">
<tr>{% for h in totals_headers %}<th class="n">{{ h }}</th>{% endfor %}</tr>
<tr>{% for v in totals %}<td class="n">{{ v }}</td>{% endfor %}</tr>
</table>
{% for section in sections %}
<h2>{{ section.heading }}</h2>
{% if section.intro is defined and section.intro %}<p id="{{ section.id }}-summary">{{ section.intro }}</p>{% endif %}
<table id="{{ section.id }}">
<tr>{% for h in section.headers %}<th{% if not loop.first %} class="n"{% endif %}>{{ h }}</th>{% endfor %}</tr>
{% for row in section.rows %}
<tr>{% for v in row %}<td{% if not loop.first %} class="n"{% endif %}>{{ v }}</td>{% endfor %}</tr>
{% endfor %}
</table>
{% if section.empty %}<p class="note">{{ section.empty }}</p>{% endif %}
{% for chart in section.charts %}
<figure id="chart-{{ chart.key }}">
<img src="{{ chart.uri }}" alt="{{ chart.title }}: {{ chart.summary }}" width="800" height="450">
<figcaption>图{{ chart.number }} {{ chart.title }}</figcaption>
</figure>
{% endfor %}
{% endfor %}
"""


def _progress_sections(report: ProgressReport, charts: Sequence[Chart]) -> list[dict[str, Any]]:
    chart = {c.key: c for c in charts}
    total = report.total
    unit_rows = [
        (
            u.unit_name,
            u.total,
            u.closed,
            u.open,
            u.overdue,
            u.red,
            u.yellow,
            u.supervised,
            u.closed_on_time,
            u.closed_late,
            u.reopened,
        )
        for u in report.by_unit
    ]
    return [
        {
            "id": "by-track",
            "heading": "二、分领域情况",
            "headers": ("领域", "问题数", "占比"),
            "rows": [(t.label, t.count, percent(_rate(t.count, total))) for t in report.by_track],
            "charts": [chart["by_track"]],
            "empty": "",
        },
        {
            "id": "by-state",
            "heading": "三、办理状态",
            "headers": ("状态", "问题数", "占比"),
            "rows": [(t.label, t.count, percent(_rate(t.count, total))) for t in report.by_state],
            "charts": [chart["by_state"]],
            "empty": "",
        },
        {
            "id": "by-light",
            "heading": "四、预警情况（未办结问题）",
            "headers": ("预警", "问题数", "占未办结"),
            "rows": [(t.label, t.count, percent(_rate(t.count, report.open))) for t in report.by_light],
            "charts": [chart["by_light"]],
            "empty": "",
        },
        {
            "id": "by-unit",
            "heading": "五、各责任单位进展",
            "headers": _UNIT_HEADERS,
            "rows": unit_rows,
            "charts": [chart["overdue_by_unit"]],
            "empty": "" if unit_rows else "尚无交办到责任单位的问题。",
        },
        {
            "id": "trend",
            "heading": "六、推进趋势（按周）",
            "headers": _TREND_HEADERS,
            "rows": [(p.week_start.isoformat(), p.reported, p.closed, p.open) for p in report.trend],
            "charts": [chart["trend"]],
            "empty": "" if report.trend else "尚无问题。",
        },
    ]


def _source_section(report: ProgressReport) -> dict[str, Any]:
    """十、问题来源: items by the plan's mechanisms (二、信息收集 / 跟踪问效 …) and their channels;
    a mechanism's name once, on its first channel's row."""
    rows = []
    shown = None
    for t in report.by_source:
        name = t.mechanism or "其他"
        rows.append(("" if name == shown else name, t.label, t.count, percent(_rate(t.count, report.total))))
        shown = name
    return {
        "id": "by-source",
        "heading": "十、问题来源（按工作机制）",
        "headers": ("工作机制", "来源渠道", "问题数", "占比"),
        "rows": rows,
        "charts": [],
        "empty": "" if report.total else "尚无问题。",
    }


#: The 回访满意度 table's columns (:meth:`Engine.satisfaction`).
SATISFACTION_HEADERS = ("责任单位", "回访数", "满意", "基本满意", "不满意", "待回访", "满意率")


def _callback_section(engine: Engine, campaign: str, unit: str | None) -> dict[str, Any] | None:
    """十二、回访满意度: each unit's callbacks after 销号 and its rate (满意 + 基本满意) ÷ 回访数,
    then the total; none when the campaign has called nobody back yet."""
    rates = engine.satisfaction(campaign, unit=unit)
    if not any(r.called or r.open for r in rates):
        return None
    rows = [
        (r.unit_name, r.called, r.satisfied, r.basically, r.unsatisfied, r.open, percent(r.rate, none="-"))
        for r in rates
    ]
    return {
        "id": "satisfaction",
        "heading": "十二、回访满意度（销号后回访举报人）",
        "headers": SATISFACTION_HEADERS,
        "rows": rows,
        "charts": [],
        "empty": "满意率 = (满意 + 基本满意) ÷ 回访数。",
    }


#: The 五个一批 table's columns.
FIVE_HEADERS = ("成效", "数量", "目标", "完成率")
#: What a target cell says when the definition sets none.
NO_TARGET = "未设"


def tally_cell(tally: OutcomeTally) -> str:
    """One outcome in a per-track or per-unit row: ``12/50`` against a target, ``12`` without."""
    return str(tally.count) if tally.target is None else f"{tally.count}/{tally.target}"


def _five_sections(five: FiveOutcomes, charts: Sequence[Chart]) -> list[dict[str, Any]]:
    """七、八、九: the 五个一批 totals (with both charts), per track, per unit."""
    from .charts import outcome_summary

    chart = {c.key: c for c in charts}
    totals = five.totals
    rows = [
        (
            t.label,
            t.count,
            NO_TARGET if t.target is None else t.target,
            percent(_rate(t.count, t.target) if t.target else None),
        )
        for t in totals
    ]
    intro = (
        "“五个一批”："
        + "；".join(_zh(outcome_summary(t.key, t.label, t.count, t.target)) for t in totals)
        + "。"
    )
    headers = ("领域", *(t.label for t in totals))
    by_track = [(name, *(tally_cell(t) for t in tallies)) for _, name, tallies in five.by_track]
    by_unit = [(name, *(tally_cell(t) for t in tallies)) for _, name, tallies in five.by_unit]
    note = "数量/目标；未设目标的只列数量。"
    return [
        {
            "id": "five-outcomes",
            "heading": "七、“五个一批”成效",
            "intro": intro,
            "headers": FIVE_HEADERS,
            "rows": rows,
            "charts": [chart["five_outcomes"], chart["five_outcomes_trend"]],
            "empty": "",
        },
        {
            "id": "five-by-track",
            "heading": "八、“五个一批”分领域情况",
            "headers": headers,
            "rows": by_track,
            "charts": [],
            "empty": note if by_track else "尚无。",
        },
        {
            "id": "five-by-unit",
            "heading": "九、“五个一批”分单位情况",
            "headers": ("责任单位", *headers[1:]),
            "rows": by_unit,
            "charts": [],
            "empty": note if by_unit else "尚无。",
        },
    ]


def write_progress(
    engine: Engine,
    campaign: str,
    out: Path,
    *,
    unit: str | None = None,
    track: str | None = None,
    issued_by: str | None = None,
    issuer: str | None = None,
    recipients: str | None = None,
    templates: Templates | None = None,
) -> list[Path]:
    """工作进展通报 for the campaign (or one unit / track of it) into ``out``: ``.html`` and
    ``.docx``, both from :meth:`Engine.progress`. Returns the files written.

    The .docx is laid out as a 公文 (GB/T 9704-2012): the red 发文机关标志 (``issuer``, default
    the definition's leading-group office), ``第N期`` (:meth:`Engine.issue_number`, kind
    ``progress_bulletin``, per as-of day; ``issued_by`` is recorded with it, default the
    campaign's system actor), 主送 (``recipients``, default 各成员单位), 落款 and 成文日期."""
    from .charts import five_outcomes_charts, progress_charts
    from .scores import score_sections

    report = engine.progress(campaign, unit=unit, track=track)
    five = engine.five_outcomes(campaign, unit=unit, track=track)
    view = report.campaign
    scope = scope_names(engine, campaign, unit=unit, track=track)
    title = f"{view.title}{PROGRESS}"
    subtitle = f"{scope} · 截至{zh_date(report.today)}"
    charts = [*progress_charts(report), *five_outcomes_charts(five)]
    numbered = [
        {"key": c.key, "title": c.title, "summary": c.summary, "uri": data_uri(c.png), "number": i}
        for i, c in enumerate(charts, 1)
    ]
    sections = [
        *_progress_sections(report, charts),
        *_five_sections(five, charts),
        _source_section(report),
        supervision_section(engine, campaign, unit=unit, track=track),  # 领导批示, 延期, 退单
    ]
    callback_section = _callback_section(engine, campaign, unit)
    if callback_section is not None:
        sections.append(callback_section)
    if track is None:  # 考核 (issue 17): the last stored month's top and bottom units, its cards
        sections += score_sections(engine, campaign, unit=unit)
    for n, section in enumerate(sections, start=2):  # after 一、总体情况, whichever sections are there
        section["heading"] = f"{_ordinal(n)}、{section['heading'].split('、', 1)[1]}"
    by_key = {c["key"]: c for c in numbered}
    for section in sections:
        section["charts"] = [by_key[c.key] for c in section["charts"]]
    summary = _summary(report, scope)
    totals_headers = ("问题总数", "已办结", "未办结", "逾期未办结", "办结率")
    totals = (
        report.total,
        report.closed,
        report.open,
        report.overdue,
        percent(_rate(report.closed, report.total)),
    )
    body = render(
        _PROGRESS_BODY, summary=summary, totals_headers=totals_headers, totals=totals, sections=sections
    )
    footer = f"数据截至 {local_time(report.as_of, view.timezone):%Y-%m-%d %H:%M} · {view.county}"
    html = page(title, body, subtitle=subtitle, footer=footer)

    def write_body(document: Any) -> None:
        _doc_body(document, f"现将{scope}{PROGRESS[:-2]}情况通报如下。")
        document.add_heading("一、总体情况", level=1)
        _doc_body(document, summary)
        _doc_table(document, totals_headers, [totals])
        for section in sections:
            wide = bool(section["rows"]) and not _fits_page(document, section["headers"], section["rows"])
            if wide:
                set_orientation(document, landscape=True)
            document.add_heading(section["heading"], level=1)
            if section.get("intro"):
                _doc_body(document, section["intro"])
            if section["rows"]:
                _doc_table(
                    document, section["headers"], section["rows"], size_pt=WIDE_TABLE_PT if wide else TABLE_PT
                )
            if section["empty"]:
                _doc_body(document, section["empty"])
            if wide:
                set_orientation(document, landscape=False)
            for c in section["charts"]:
                _doc_picture(document, charts[c["number"] - 1].png, f"图{c['number']} {c['title']}")

    doc_fields = _fields(
        engine,
        view,
        engine.definition(campaign),
        PROGRESS_KIND,
        report.today,
        title=title,
        subtitle=subtitle,
        issuer=issuer,
        recipients=recipients,
        issued_by=issued_by,
    )
    docx_bytes = (templates or Templates()).fill(PROGRESS_KIND, doc_fields, write_body, created=report.as_of)

    stem = file_stem(PROGRESS, scope if scope != "全县" else view.title, report.today)
    return write_all(
        [(out_file(out, stem + ".html"), html.encode("utf-8")), (out_file(out, stem + ".docx"), docx_bytes)]
    )


# -------------------------------------------------------------------- case bulletin


def _case_fields(
    item: ItemView, measures: Sequence[MeasureView], severities: dict[str, str], timezone: str
) -> dict[str, Any]:
    done = [
        f"{m.text}（已于{zh_date(local_time(m.done_at, timezone).date())}完成）"
        if m.done_at is not None
        else f"{m.text}（推进中）"
        for m in measures
    ]
    outcome = item.state_label
    if item.closed_at is not None:
        outcome += f"，{zh_date(local_time(item.closed_at, timezone).date())}销号"
    if item.reopen_count:
        outcome += f"；回头看重新整改{item.reopen_count}次"
    return {
        "title": item.title,
        "facts": (
            ("责任单位", item.unit_name or "未交办"),
            ("所属领域", item.track_name),
            ("问题程度", severities.get(item.severity, item.severity)),
        ),
        "found": item.description,
        "measures": done,
        "outcome": outcome,
        "note": item.case_note or "",
    }


_CASES_BODY = """
<p id="intro">{{ intro }}</p>
{% for case in cases %}
<section class="case">
<h2>{{ case.ordinal }}、{{ case.title }}</h2>
<table class="facts">
{% for label, value in case.facts %}<tr><th>{{ label }}</th><td>{{ value }}</td></tr>
{% endfor %}
</table>
<h3>（一）发现问题</h3>
<p>{{ case.found }}</p>
<h3>（二）整改措施</h3>
{% if case.measures %}<ol>{% for m in case.measures %}<li>{{ m }}</li>{% endfor %}</ol>
{% else %}<p>尚未制定整改措施。</p>{% endif %}
<h3>（三）整改结果</h3>
<p>{{ case.outcome }}</p>
<h3>（四）案例点评</h3>
<p>{{ case.note }}</p>
</section>
{% endfor %}
"""


def write_cases(
    engine: Engine,
    campaign: str,
    out: Path,
    *,
    unit: str | None = None,
    track: str | None = None,
    issued_by: str | None = None,
    issuer: str | None = None,
    recipients: str | None = None,
    templates: Templates | None = None,
) -> list[Path]:
    """典型案例通报 for the campaign (or one unit / track of it) into ``out``: ``.html`` and
    ``.docx``, from :meth:`Engine.cases`. Returns the files written. The .docx is a 公文 like
    :func:`write_progress`'s (期数 of kind ``case_bulletin``, per day)."""
    items = engine.cases(campaign, unit=unit, track=track)
    view = engine.campaign(campaign)
    now = local_now(engine, view)
    setup = engine.definition(campaign)
    severities = {s.id: s.label for s in setup.severities} if setup is not None else {}
    scope = scope_names(engine, campaign, unit=unit, track=track)
    title = f"{view.title}{CASES}"
    subtitle = f"{scope} · {zh_date(now.date())}"
    cases = []
    for n, item in enumerate(items, 1):
        fields = _case_fields(item, engine.measures(item.id), severities, view.timezone)
        fields["ordinal"] = _ordinal(n)
        cases.append(fields)
    intro = (
        f"为发挥典型案例警示教育作用，现将{scope}{len(cases)}起典型案例通报如下。"
        if cases
        else f"{scope}本期暂无典型案例。"
    )
    html = page(
        title,
        render(_CASES_BODY, intro=intro, cases=cases),
        subtitle=subtitle,
        footer=f"{view.county} · {now:%Y-%m-%d %H:%M}",
    )

    def write_body(document: Any) -> None:
        _doc_body(document, intro)
        for case in cases:
            document.add_heading(doc_text(f"{case['ordinal']}、{case['title']}"), level=1)
            _doc_table(document, ("项目", "内容"), case["facts"])
            document.add_heading("（一）发现问题", level=2)
            _doc_body(document, case["found"])
            document.add_heading("（二）整改措施", level=2)
            if case["measures"]:
                for n, measure in enumerate(case["measures"], 1):
                    _doc_body(document, f"{n}．{measure}")
            else:
                _doc_body(document, "尚未制定整改措施。")
            document.add_heading("（三）整改结果", level=2)
            _doc_body(document, case["outcome"])
            document.add_heading("（四）案例点评", level=2)
            _doc_body(document, case["note"])

    doc_fields = _fields(
        engine,
        view,
        setup,
        CASES_KIND,
        now.date(),
        title=title,
        subtitle=subtitle,
        issuer=issuer,
        recipients=recipients,
        issued_by=issued_by,
    )
    docx_bytes = (templates or Templates()).fill(CASES_KIND, doc_fields, write_body, created=now)

    stem = file_stem(CASES, scope if scope != "全县" else view.title, now.date())
    return write_all(
        [(out_file(out, stem + ".html"), html.encode("utf-8")), (out_file(out, stem + ".docx"), docx_bytes)]
    )
