"""The unit ranking for the supervision teams (单位排名): ``.xlsx`` and ``.html``.

The order and every figure are :meth:`Engine.ranking <zhenggai.engine.Engine.ranking>`'s: best
on-time rate first (按期办结率 = 按期销号 / (按期销号 + 超期销号 + 逾期未办结); units with
nothing due yet last), then fewest overdue, then fewest reopened after 回头看; then each unit's
回访数 and 满意率 (:meth:`Engine.satisfaction <zhenggai.engine.Engine.satisfaction>`). The workbook has
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

if TYPE_CHECKING:  # pragma: no cover - typing only
    import datetime as dt

    from zhenggai.engine import Engine, SatisfactionView, UnitRanking

__all__ = ["HEADERS", "write_ranking"]

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
    "回访数",
    "满意率",
)
#: Shown instead of a rate for a unit with nothing due yet.
NO_RATE = "暂无到期"
_WIDTHS = (6, 30, 10, 10, 10, 12, 12, 16, 10, 10, 10)
#: The percentage columns (按期办结率, 满意率).
_RATES = (5, 10)
RULE = (
    "按期办结率 = 按期销号 ÷ (按期销号 + 超期销号 + 逾期未办结); 排序: 按期办结率由高到低 (暂无到期问题的单位列后),"
    " 再按逾期未办结、回头看重新整改由少到多。满意率 = (满意 + 基本满意) ÷ 回访数 (销号后回访举报人, 全部专项)。"
)


def _cells(row: UnitRanking, rates: Mapping[str | None, SatisfactionView]) -> tuple[Any, ...]:
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
        0 if called is None else called.called,
        None if called is None else called.rate,
    )


def _write_xlsx(
    path: Path,
    title: str,
    subtitle: str,
    rows: Sequence[UnitRanking],
    rates: Mapping[str | None, SatisfactionView],
    created: dt.datetime,
) -> None:
    workbook = new_workbook(path, created=created)
    try:
        sheet = workbook.add_worksheet(RANKING)
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
        text_format = workbook.add_format({"border": 1})
        number_format = workbook.add_format({"border": 1, "num_format": "0"})
        percent_format = workbook.add_format({"border": 1, "num_format": "0.0%"})
        none_format = workbook.add_format({"border": 1, "align": "right", "font_color": "#777777"})
        last = len(HEADERS) - 1
        for column, width in enumerate(_WIDTHS):
            sheet.set_column(column, column, width)
        sheet.set_row(0, 30)
        sheet.merge_range(0, 0, 0, last, cell_text(title), title_format)
        sheet.set_row(1, 42)
        sheet.merge_range(1, 0, 1, last, cell_text(f"{subtitle}\n{RULE}"), note_format)
        for column, header in enumerate(HEADERS):
            sheet.write_string(2, column, header, header_format)
        for offset, row in enumerate(rows):
            line = 3 + offset
            for column, value in enumerate(_cells(row, rates)):
                if column in _RATES:
                    if value is None:
                        sheet.write_string(line, column, NO_RATE if column == 5 else "-", none_format)
                    else:
                        sheet.write_number(line, column, value, percent_format)
                elif isinstance(value, str):
                    sheet.write_string(line, column, str(cell_text(value)), text_format)
                else:
                    sheet.write_number(line, column, value, number_format)
        sheet.freeze_panes(3, 0)
        sheet.autofilter(2, 0, 2 + max(len(rows), 1), last)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(2)
        sheet.set_header(f'&C&"宋体"{RANKING}')
        sheet.set_footer("&C第 &P 页, 共 &N 页")
    finally:
        workbook.close()


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
    rates = {r.unit: r for r in engine.satisfaction(campaign)}
    view = engine.campaign(campaign)
    now = local_now(engine, view)
    scope = scope_names(engine, campaign, track=track)
    title = f"{view.title}{RANKING}"
    subtitle = f"{scope} · 截至{format_date(now.date())}"
    html_rows = [
        tuple(
            percent(v, none=NO_RATE if i == 5 else "-") if i in _RATES else v
            for i, v in enumerate(_cells(row, rates))
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
        _write_xlsx(path, title, subtitle, rows, rates, now)

    return write_all(
        [(out_file(out, stem + ".xlsx"), xlsx), (out_file(out, stem + ".html"), html.encode("utf-8"))]
    )
