"""The unit ranking for the supervision teams (单位排名): ``.xlsx`` and ``.html``.

The order and every figure are :meth:`Engine.ranking <zhenggai.engine.Engine.ranking>`'s: best
on-time rate first (按期办结率 = 按期销号 / (按期销号 + 超期销号 + 逾期未办结); units with
nothing due yet last), then fewest overdue, then fewest reopened after 回头看; each unit's 回访数
and 满意率 (:meth:`Engine.satisfaction <zhenggai.engine.Engine.satisfaction>`) last. After the
engine's figures (issue 17): 延期次数 (approved extensions), 退单次数 (send-backs by the unit) and
退单被驳回 (those the office ruled against it: 坚持原交办). The workbook has
a title, the header frozen under it, filters, percentages as percentages, and prints landscape
on one page width with the header repeated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zhenggai.adapters._tables import format_date

from ._files import cell_text, new_workbook, out_file
from ._html import file_stem, local_now, page, percent, render, scope_names, write_all
from ._supervision_notes import UnitCounts, unit_counts

if TYPE_CHECKING:  # pragma: no cover - typing only
    import datetime as dt

    from zhenggai.engine import Engine, PartView, SatisfactionView, UnitRanking

__all__ = ["HEADERS", "co_tally", "print_setup", "titled_sheet", "write_ranking"]

RANKING = "单位排名"
#: The columns, as the supervision teams name them.
HEADERS = (
    "排名",
    "责任单位",
    "问题总数",
    "已办结",
    "按期销号",
    "按期办结率",
    "逾期未办结",
    "回头看重新整改",
    "挂牌督办",
    "协办分工",
    "协办按期完成",
    "协办逾期",
    "延期次数",
    "退单次数",
    "退单被驳回",
    "回访数",
    "满意率",
)
#: Shown instead of a rate for a unit with nothing due yet.
NO_RATE = "暂无到期"
_WIDTHS = (6, 30, 10, 10, 10, 12, 12, 16, 10, 10, 12, 10, 10, 10, 12, 10, 10)
#: The percentage columns (按期办结率, 满意率).
_RATES = (5, HEADERS.index("满意率"))
RULE = (
    "按期办结率 = 按期销号 ÷ (按期销号 + 超期销号 + 逾期未办结); 排序: 按期办结率由高到低 (暂无到期问题的单位列后),"
    " 再按逾期未办结、回头看重新整改由少到多。满意率 = (满意 + 基本满意) ÷ 回访数 (销号后回访举报人, 全部专项)。"
)


def co_tally(parts: Sequence[PartView]) -> dict[str, tuple[int, int, int]]:
    """协办 per co-unit (by key): its parts, those done on time, those late (done late or open
    past their due date); waived parts count only in the first."""
    out: dict[str, tuple[int, int, int]] = {}
    for p in parts:
        total, on_time, late = out.get(p.unit, (0, 0, 0))
        out[p.unit] = (total + 1, on_time + (p.state == "done" and not p.late), late + p.late)
    return out


def _cells(
    row: UnitRanking,
    counts: UnitCounts,
    co: Mapping[str, tuple[int, int, int]],
    rates: Mapping[str | None, SatisfactionView],
) -> tuple[Any, ...]:
    called = rates.get(row.unit)
    return (
        row.rank,
        row.unit_name,
        row.total,
        row.closed,
        row.closed_on_time,
        row.on_time_rate,
        row.overdue,
        row.reopened,
        row.supervised,
        *co.get(row.unit, (0, 0, 0)),
        counts.extensions.get(row.unit, 0),
        counts.sent_back.get(row.unit, 0),
        counts.insisted.get(row.unit, 0),
        0 if called is None else called.called,
        None if called is None else called.rate,
    )


def _write_xlsx(
    path: Path,
    title: str,
    subtitle: str,
    rows: Sequence[UnitRanking],
    created: dt.datetime,
    counts: UnitCounts,
    co: Mapping[str, tuple[int, int, int]],
    rates: Mapping[str | None, SatisfactionView],
) -> None:
    workbook = new_workbook(path, created=created)
    try:
        sheet = titled_sheet(workbook, RANKING, title, f"{subtitle}\n{RULE}", HEADERS)
        text_format = workbook.add_format({"border": 1})
        number_format = workbook.add_format({"border": 1, "num_format": "0"})
        percent_format = workbook.add_format({"border": 1, "num_format": "0.0%"})
        none_format = workbook.add_format({"border": 1, "align": "right", "font_color": "#777777"})
        last = len(HEADERS) - 1
        for column, width in enumerate(_WIDTHS):
            sheet.set_column(column, column, width)
        for offset, row in enumerate(rows):
            line = 3 + offset
            for column, value in enumerate(_cells(row, counts, co, rates)):
                if column in _RATES:
                    if value is None:
                        sheet.write_string(line, column, NO_RATE if column == 5 else "-", none_format)
                    else:
                        sheet.write_number(line, column, value, percent_format)
                elif isinstance(value, str):
                    sheet.write_string(line, column, str(cell_text(value)), text_format)
                else:
                    sheet.write_number(line, column, value, number_format)
        print_setup(sheet, RANKING, len(rows), last)
    finally:
        workbook.close()


def titled_sheet(workbook: Any, kind: str, title: str, note: str, headers: Sequence[str]) -> Any:
    """A worksheet ``kind`` laid out as the ranking's: ``title`` merged over the columns, ``note``
    under it, the ``headers`` in row 3 (data from row 4)."""
    sheet = workbook.add_worksheet(kind)
    title_format = workbook.add_format(
        {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}
    )
    note_format = workbook.add_format({"font_size": 10, "text_wrap": True, "valign": "top"})
    header_format = workbook.add_format(
        {
            "bold": True,
            "bg_color": "#D9E1F2",
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
        }
    )
    last = len(headers) - 1
    sheet.set_row(0, 30)
    sheet.merge_range(0, 0, 0, last, cell_text(title), title_format)
    sheet.set_row(1, 42)
    sheet.merge_range(1, 0, 1, last, cell_text(note), note_format)
    # two lines of header: a long one (逾期工作日得分) wraps inside its cell, not over the title
    sheet.set_row(2, 32)
    for column, header in enumerate(headers):
        sheet.write_string(2, column, header, header_format)
    return sheet


def print_setup(sheet: Any, kind: str, rows: int, last: int) -> None:
    """The header frozen and filtered; landscape A4, one page wide, the header on every page."""
    sheet.freeze_panes(3, 0)
    sheet.autofilter(2, 0, 2 + max(rows, 1), last)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(2)
    sheet.set_header(f'&C&"宋体"{kind}')
    sheet.set_footer("&C第 &P 页, 共 &N 页")


_BODY = """
<p class="note">{{ rule }}</p>
<table id="ranking">
<tr>{% for h in headers %}<th{% if not loop.index == 2 %} class="n"{% endif %}>{{ h }}</th>{% endfor %}</tr>
{% for row in rows %}
<tr>{% for v in row %}<td{% if not loop.index == 2 %} class="n"{% endif %}>{{ v }}</td>{% endfor %}</tr>
{% endfor %}
</table>
{% if not rows %}<p class="note">尚无交办到责任单位的问题。</p>{% endif %}
"""


def write_ranking(engine: Engine, campaign: str, out: Path, *, track: str | None = None) -> list[Path]:
    """单位排名 for the campaign (or one track of it) into ``out``: ``.xlsx`` and ``.html``,
    from :meth:`Engine.ranking`. Returns the files written."""
    rows = engine.ranking(campaign, track=track)
    scoped = None if track is None else {i.id for i in engine.items(campaign, track=track)}
    co = co_tally([p for p in engine.parts(campaign) if scoped is None or p.item_id in scoped])  # 协办
    rates = {r.unit: r for r in engine.satisfaction(campaign)}  # 回访
    counts = unit_counts(engine, campaign, items=scoped)  # 延期, 退单
    view = engine.campaign(campaign)
    now = local_now(engine, view)
    scope = scope_names(engine, campaign, track=track)
    title = f"{view.title}{RANKING}"
    subtitle = f"{scope} · 截至{format_date(now.date())}"
    html_rows = [
        tuple(
            percent(v, none=NO_RATE if i == 5 else "-") if i in _RATES else v
            for i, v in enumerate(_cells(row, counts, co, rates))
        )
        for row in rows
    ]
    html = page(
        title,
        render(_BODY, rule=RULE, headers=HEADERS, rows=html_rows),
        subtitle=subtitle,
        footer=f"{view.county} · {now:%Y-%m-%d %H:%M}",
    )
    stem = file_stem(RANKING, scope if scope != "全县" else view.title, now.date())

    def xlsx(path: Path) -> None:
        _write_xlsx(path, title, subtitle, rows, now, counts, co, rates)

    return write_all(
        [(out_file(out, stem + ".xlsx"), xlsx), (out_file(out, stem + ".html"), html.encode("utf-8"))]
    )
