"""What both bulletins share: Chinese numbering, punctuation and dates for their text, and the
blocks of a .docx body (tables, charts, paragraphs)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from zhenggai.adapters._tables import format_date

from ._docx import (
    BODY_FONT,
    BODY_PT,
    TABLE_PT,
    add_picture,
    column_widths,
    set_run_font,
    single_spaced,
    text_width_cm,
)
from ._files import doc_text

#: Width of a chart in the .docx (narrower where the template's page is).
_PICTURE_CM = 15.5


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def _ordinal(n: int) -> str:
    """一, 二, … 十, 十一, … 九十九 (Chinese numbering of sections and cases)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    if n < 100:
        return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")
    return str(n)


def _is_number(value: object) -> bool:
    """A count, a rate (``14.8%``) or a ``12/50``: set centred in a table."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int | float) or (isinstance(value, str) and bool(_FIGURE.fullmatch(value)))


_FIGURE = re.compile(r"[0-9][0-9.,/%]*|—|未设")


def zh_quotes(text: str) -> str:
    """Straight double quotes paired into Chinese quotes: ``"肠梗阻"`` → ``“肠梗阻”`` (an odd
    one left as it is). For names from the definition, in the .docx only."""
    if text.count('"') < 2:
        return text
    parts = text.split('"')
    out = [parts[0]]
    for index, part in enumerate(parts[1:], 1):
        if index == len(parts) - 1 and index % 2 == 1:
            out.append('"' + part)  # the unpaired last one
        else:
            out.append(("“" if index % 2 == 1 else "”") + part)
    return "".join(out)


def _doc_table(
    document: Any, headers: Sequence[str], rows: Sequence[Sequence[object]], *, size_pt: float = TABLE_PT
) -> None:
    """A bordered table with a bold header row (repeated on every page; rows never split across
    pages), set at ``size_pt`` single-spaced, its columns sized for Chinese text in ``text_cm``
    (see :func:`~._docx.column_widths`); numbers centred."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    widths = column_widths(headers, rows, size_pt, text_width_cm(document))
    table = document.add_table(rows=1, cols=len(headers))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    if widths is not None:
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)

    def fill(row: Any, values: Sequence[object], *, head: bool) -> None:
        trpr = row._tr.get_or_add_trPr()
        no_split = OxmlElement("w:cantSplit")
        trpr.append(no_split)
        if head:
            repeat = OxmlElement("w:tblHeader")
            repeat.set(qn("w:val"), "true")
            trpr.append(repeat)
        for index, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            if widths is not None:
                cell.width = Cm(widths[index])
            paragraph = cell.paragraphs[0]
            single_spaced(paragraph)
            if head or _is_number(value):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run(doc_text(zh_quotes(str(value))))
            set_run_font(run, BODY_FONT, size_pt=size_pt, bold=head)

    fill(table.rows[0], headers, head=True)
    for values in rows:
        fill(table.add_row(), values, head=False)


def _fits_page(document: Any, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> bool:
    """The table fits the current page at 小四 (and has at most six columns)."""
    return column_widths(headers, rows, TABLE_PT, text_width_cm(document)) is not None and len(headers) <= 6


def _doc_picture(document: Any, png: bytes, caption: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    add_picture(document, png, min(_PICTURE_CM, text_width_cm(document)))
    note = document.add_paragraph()
    single_spaced(note)
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    note.paragraph_format.space_after = Pt(8)
    set_run_font(note.add_run(doc_text(caption)), BODY_FONT, size_pt=TABLE_PT)


def _doc_body(document: Any, text: str) -> Any:
    """A body paragraph: first line in by two characters (公文 正文)."""
    from docx.shared import Pt

    paragraph = document.add_paragraph(doc_text(zh_quotes(text)))
    paragraph.paragraph_format.first_line_indent = Pt(2 * BODY_PT)
    return paragraph


def _zh(text: str) -> str:
    """Our own generated phrases in Chinese punctuation: ``(…)`` → ``（…）``; ``, ; :`` after
    or before Chinese text → ``，；：``; the spaces around numbers dropped. User text is
    never passed through this."""
    text = text.replace(" (", "（").replace("(", "（").replace(")", "）")
    text = text.replace(", ", "，").replace("; ", "；").replace(": ", "：")
    return _CJK_SPACE.sub("", text)


#: A space between Chinese text and a number (or the reverse), which Chinese typesetting omits.
_CJK_SPACE = re.compile(
    r"(?<=[\u3000-\u9fff\uff00-\uffef]) +(?=[0-9])|(?<=[0-9%]) +(?=[\u3000-\u9fff\uff00-\uffef])"
)


def zh_date(day: dt.date | None) -> str:
    """``2023年8月15日（星期二）``: :func:`format_date` with full-width brackets."""
    return format_date(day).replace("(", "（").replace(")", "）")
