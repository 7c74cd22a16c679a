"""Plain-text rendering for officials: CJK-aware column widths, tables, Chinese dates.

Standard library only (``unicodedata``, ``datetime``), so the CLI can import it without
paying for the database stack.

Width rule: East Asian Wide and Fullwidth characters take two terminal columns, combining
marks none, everything else one (Ambiguous characters count as one, as most terminals
outside CJK locales draw them; the tables therefore use only ASCII for their own rules).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence

__all__ = ["LIGHT_LABELS", "display_width", "format_date", "format_time", "pad", "render_table", "truncate"]

WEEKDAYS = "一二三四五六日"

#: 红/黄/绿灯预警.
LIGHT_LABELS: Mapping[str, str] = {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: 2 per wide/fullwidth character, 0 per combining mark."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def truncate(text: str, width: int, ellipsis: str = "...") -> str:
    """``text`` cut to at most ``width`` columns, ending in ``ellipsis`` when cut."""
    if display_width(text) <= width:
        return text
    budget = width - display_width(ellipsis)
    out: list[str] = []
    used = 0
    for char in text:
        w = display_width(char)
        if used + w > budget:
            break
        out.append(char)
        used += w
    return "".join(out) + ellipsis


def pad(text: str, width: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``width`` columns (``<`` left, ``>`` right)."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if align == ">" else text + fill


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    aligns: Sequence[str] | None = None,
    gap: int = 2,
) -> str:
    """A plain-text table: header, a rule of ``-``, then the rows; columns padded by display
    width so Chinese text lines up. No trailing spaces."""
    aligns = aligns or ["<"] * len(headers)
    widths = [display_width(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], display_width(cell))
    sep = " " * gap

    def line(cells: Sequence[str]) -> str:
        return sep.join(pad(c, widths[i], aligns[i]) for i, c in enumerate(cells)).rstrip()

    out = [line(headers), sep.join("-" * w for w in widths)]
    out.extend(line(row) for row in rows)
    return "\n".join(out)


def format_date(day: dt.date | None) -> str:
    """``2023年8月15日(星期二)``, as officials write dates; empty for None."""
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日(星期{WEEKDAYS[day.weekday()]})"


def format_time(at: dt.datetime | None, tz: dt.tzinfo) -> str:
    """``2023年7月3日(星期一) 09:00`` in the campaign's timezone (naive values are UTC)."""
    if at is None:
        return ""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    local = at.astimezone(tz)
    return f"{format_date(local.date())} {local:%H:%M}"
