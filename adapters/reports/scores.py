"""The monthly 考核表 (issue 17, 7): one row per unit with each term of the definition's
``scoring`` (its count and its points), the total, the rank and the card, from
:meth:`Engine.stored_scores <zhenggai.engine.Engine.stored_scores>` when the month is stored,
else :meth:`Engine.scores` as the records stand (the subtitle says which). Laid out as the
ranking is: a title, the rule under it, the header frozen, filters, landscape on one page
width with the header repeated.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zhenggai.adapters._tables import format_date

from ._files import cell_text, new_workbook, out_file
from ._html import file_stem, local_now, write_all
from .ranking import print_setup, titled_sheet

if TYPE_CHECKING:  # pragma: no cover - typing only
    import datetime as dt

    from zhenggai.engine import Engine, UnitScore

__all__ = ["HEADERS", "month_scores", "score_headers", "write_scores", "write_scores_file"]

SCORES = "月度考核表"
#: The columns every 考核表 has; each term of the definition adds its count and its points
#: between 责任单位 and 总分.
HEADERS = ("排名", "责任单位", "总分", "红黄牌")


def score_headers(rows: Sequence[UnitScore]) -> list[str]:
    terms = rows[0].terms if rows else ()
    middle = [h for t in terms for h in (t.label, f"{t.label}得分")]
    return [*HEADERS[:2], *middle, *HEADERS[2:]]


def _cells(row: UnitScore) -> list[Any]:
    middle = [v for t in row.terms for v in (t.count, t.points)]
    return [row.rank, row.unit_name, *middle, row.total, row.card_label or "无"]


def month_scores(engine: Engine, campaign: str, month: str) -> tuple[list[UnitScore], bool]:
    """The month's rows (best first) and whether they are the stored ones."""
    stored = engine.stored_scores(campaign, month=month)
    if stored:
        return stored, True
    return engine.scores(campaign, month), False


def _rule(rows: Sequence[UnitScore]) -> str:
    if not rows:
        return ""
    terms = "、".join(
        f"{t.label} {t.each:+g}" + (f" (至多 {t.cap:g} 分)" if t.cap is not None else "")
        for t in rows[0].terms
    )
    return (
        f"得分 = 基础分 {rows[0].base:g} + Σ 次数 × 分值 ({terms}), 单项扣分扣完为止;"
        " 低于黄牌、红牌分数线的单位亮牌。"
    )


def _write_xlsx(
    path: Path, title: str, subtitle: str, rows: Sequence[UnitScore], created: dt.datetime
) -> None:
    headers = score_headers(rows)
    workbook = new_workbook(path, created=created)
    try:
        sheet = titled_sheet(workbook, SCORES, title, f"{subtitle}\n{_rule(rows)}", headers)
        text_format = workbook.add_format({"border": 1})
        number_format = workbook.add_format({"border": 1, "num_format": "0.##"})
        red_format = workbook.add_format({"border": 1, "font_color": "#C00000", "bold": True})
        yellow_format = workbook.add_format({"border": 1, "bg_color": "#FFF2CC", "bold": True})
        last = len(headers) - 1
        sheet.set_column(0, 0, 6)
        sheet.set_column(1, 1, 30)
        sheet.set_column(2, last, 10)
        for offset, row in enumerate(rows):
            line = 3 + offset
            for column, value in enumerate(_cells(row)):
                if isinstance(value, str):
                    fmt = {"red": red_format, "yellow": yellow_format}.get(row.card or "", text_format)
                    sheet.write_string(
                        line, column, str(cell_text(value)), fmt if column == last else text_format
                    )
                else:
                    sheet.write_number(line, column, value, number_format)
        print_setup(sheet, SCORES, len(rows), last)
    finally:
        workbook.close()


def _titles(engine: Engine, campaign: str, month: str, stored: bool) -> tuple[str, str, dt.datetime]:
    view = engine.campaign(campaign)
    now = local_now(engine, view)
    year, number = month.split("-")
    title = f"{view.title}{year}年{int(number)}月{SCORES}"
    state = "已确定" if stored else f"试算, 截至{format_date(now.date())}"
    return title, f"{view.county} · {month} ({state})", now


def write_scores_file(engine: Engine, campaign: str, month: str, path: Path) -> Path:
    """The month's 考核表 as the ``.xlsx`` file ``path``."""
    rows, stored = month_scores(engine, campaign, month)
    title, subtitle, now = _titles(engine, campaign, month, stored)

    def xlsx(target: Path) -> None:
        _write_xlsx(target, title, subtitle, rows, now)

    (written,) = write_all([(path.absolute(), xlsx)])
    return written


def write_scores(engine: Engine, campaign: str, month: str, out: Path) -> list[Path]:
    """The month's 考核表 into the folder ``out``; returns the files written."""
    view = engine.campaign(campaign)
    stem = file_stem(SCORES, view.title, local_now(engine, view).date())
    return [write_scores_file(engine, campaign, month, out_file(out, f"{stem}-{month}.xlsx"))]


def score_sections(engine: Engine, campaign: str, *, unit: str | None = None) -> list[dict[str, Any]]:
    """The progress bulletin's 考核 section: the last stored month's top and bottom units (or
    the one unit's row) and its cards; none without scoring or a stored month."""
    setup = engine.definition(campaign)
    if setup is None or setup.scoring is None:
        return []
    stored = engine.stored_scores(campaign)
    if not stored:
        return []
    month = max(v.month for v in stored)
    rows = [v for v in stored if v.month == month]
    if unit is not None:
        shown = [v for v in rows if unit in (v.unit, v.unit_name)]
    else:
        shown = rows[:3] + [v for v in rows[-3:] if v not in rows[:3]]
    cards = [v for v in rows if v.card]
    intro = f"{month} 月度考核 ({len(rows)} 个单位): " + (
        "亮牌 " + "、".join(f"{v.unit_name}{v.card_label}" for v in cards) if cards else "无单位亮牌"
    )
    return [
        {
            "id": "scores",
            "heading": "十三、月度考核（红黄牌）",
            "intro": intro + "。",
            "headers": ("排名", "责任单位", "得分", "红黄牌"),
            "rows": [(v.rank, v.unit_name, f"{v.total:g}", v.card_label or "无") for v in shown],
            "charts": [],
            "empty": "",
        }
    ]
