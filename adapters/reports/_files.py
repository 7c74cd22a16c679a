"""What every report writer shares: safe file names, safe cells, the workbook and document setup.

- :func:`safe_name` turns a unit or campaign name into one file-name part (no path separators,
  no control characters, no leading dots or dashes, no Windows-reserved names or characters,
  at most 80 characters).
- :func:`fit_name` cuts a whole file name to the 255 *bytes* (UTF-8) a file system allows a
  name: 80 Chinese characters are 240 bytes before the rest of the name is added.
- :func:`out_file` resolves a file name under ``--out`` (each part fitted by :func:`fit_name`)
  and refuses anything that would land outside it, symbolic links included.
- :func:`cell_text` neutralises a string a spreadsheet would take for a formula (one beginning
  with ``= + - @``, a tab or a carriage return) by putting an apostrophe in front of it.
  Every user-supplied string written to xlsx or csv goes through it.
- :func:`new_workbook` opens an XlsxWriter workbook that never turns strings into formulas,
  links or numbers; :func:`write_table` fills one sheet of it the way officials lay out a
  list (title, header row frozen with filters, Chinese column widths, wrapped text, A4
  landscape one page wide, header row repeated on every page, page numbers).
  Word documents are :mod:`._docx`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zhenggai.adapters._errors import CliError
from zhenggai.adapters._tables import WEEKDAYS, display_width

if TYPE_CHECKING:  # pragma: no cover - typing only
    import xlsxwriter

__all__ = [
    "Column",
    "ReportError",
    "Styled",
    "cell_text",
    "doc_text",
    "fit_name",
    "format_due",
    "new_workbook",
    "out_dir",
    "out_file",
    "safe_name",
    "write_table",
]


_MAX_NAME = 80
#: The longest file name (one path component) Linux file systems take, in bytes (NAME_MAX).
MAX_NAME_BYTES = 255
#: How much of a cut name's end is kept: the document kind, date and extension
#: (``-一报告四清单.xlsx``, ``-工作进展通报-20231231.html``).
_KEEP_END_BYTES = 80
#: Characters Windows refuses in a file name (besides control characters).
_RESERVED_CHARS = frozenset('<>:"/\\|?*')
#: Names Windows reserves, with or without an extension ("CON", "nul.txt", "COM1").
_RESERVED_NAMES = re.compile(
    r"^(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$", re.IGNORECASE
)
#: Unicode categories dropped from names and documents: controls, format characters (bidi
#: overrides, zero-width joiners), surrogates, private use, unassigned, line/paragraph separators.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
#: A spreadsheet reads a cell starting with one of these as a formula (or DDE command).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ReportError(CliError):
    """A report could not be written (a file outside ``--out``, an unknown unit, …).

    Reported like every CLI error: one ``错误:`` line, exit 1.
    """


def safe_name(text: str, *, fallback: str = "报告") -> str:
    """A file-name part made from ``text`` (a unit or campaign name), safe on Linux and Windows.

    Path separators and Windows-reserved characters become ``_``; control and invisible
    format characters are dropped; runs of white space become one space; leading dots,
    dashes and spaces and trailing dots and spaces are removed; a Windows-reserved device
    name gets a ``_`` in front; the result is cut to 80 characters. An empty result gives
    ``fallback`` (itself made safe the same way).
    """
    name = _clean_name(text)
    if not name:
        name = _clean_name(fallback) or "报告"
    return name


def _clean_name(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    chars: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if char in _RESERVED_CHARS:
            chars.append("_")
        elif category in _DROPPED_CATEGORIES:
            continue
        elif category == "Zs":
            chars.append(" ")
        else:
            chars.append(char)
    name = re.sub(r" +", " ", "".join(chars))
    name = name.lstrip(" .-").rstrip(" .")
    if _RESERVED_NAMES.match(name):
        name = "_" + name
    name = name[:_MAX_NAME].rstrip(" .")
    return name


def fit_name(name: str) -> str:
    """``name`` (one file name, no folders) cut to :data:`MAX_NAME_BYTES` UTF-8 bytes.

    A name that fits is returned unchanged. A longer one keeps its end from a ``-`` (the kind
    of document, its date and extension; else only the extension) and as much of its start as
    fits, never splitting a character, joined by ``~`` and eight hex digits of the SHA-256 of
    the whole name, so two long names that differ only in what was cut stay two files, and the
    same name is always cut the same way.
    """
    if len(name.encode("utf-8")) <= MAX_NAME_BYTES:
        return name
    end = Path(name).suffix if len(Path(name).suffix.encode("utf-8")) <= 16 else ""
    for index, char in enumerate(name):
        if char == "-" and len(name[index:].encode("utf-8")) <= _KEEP_END_BYTES:
            end = name[index:]
            break
    marker = "~" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    room = MAX_NAME_BYTES - len(marker.encode("utf-8")) - len(end.encode("utf-8"))
    start = name[: len(name) - len(end)].encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return start.rstrip(" .-") + marker + end


def out_dir(out: Path) -> Path:
    """``out`` made if missing and resolved (links followed): the folder reports go into."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        root = out.resolve(strict=True)
    except OSError as error:
        raise ReportError(f"无法创建输出目录 {out}: {error.strerror or error}") from error
    if not root.is_dir():
        raise ReportError(f"输出位置不是目录: {out}")
    return root


def out_file(out: Path, name: str) -> Path:
    """``out / name`` as an absolute path, refused if it would land outside ``out``.

    ``name`` may hold subfolders (``一报告四清单/x.docx``), which are created; each part is cut
    to 255 bytes by :func:`fit_name`. ``out`` is
    created if missing. Symbolic links are followed before the check, so a link under
    ``out`` pointing elsewhere is refused like ``../``; an absolute ``name`` is refused too.
    """
    if not name or Path(name).is_absolute() or "\x00" in name:
        raise ReportError(f"报告文件名不合法: {name!r}")
    name = "/".join(fit_name(part) for part in name.split("/"))
    root = out_dir(out)
    target = (root / name).resolve()
    if target == root or not target.is_relative_to(root):
        raise ReportError(f"拒绝写到输出目录之外: {name}")
    if target.is_dir():
        raise ReportError(f"报告文件名与已有目录重名: {target}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ReportError(f"无法创建目录 {target.parent}: {error.strerror or error}") from error
    # The parent now exists: resolve once more, in case a link appeared on the way.
    if not target.parent.resolve(strict=True).is_relative_to(root):
        raise ReportError(f"拒绝写到输出目录之外: {name}")
    return target


def cell_text(value: object) -> object:
    """``value`` fit for an xlsx/csv cell: a formula-looking string gets a leading ``'``.

    A string beginning with ``= + - @``, a tab or a carriage return would be read as a
    formula (or DDE command) by a spreadsheet; prefixing ``'`` keeps it text. Other values
    (numbers, dates, ``None``, harmless strings) are returned unchanged.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def doc_text(text: str) -> str:
    """``text`` without the characters XML (and so a .docx) cannot hold.

    Control characters other than tab and line feed are dropped (python-docx refuses them);
    carriage returns become line feeds.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        char
        for char in text
        if char in "\t\n" or not (unicodedata.category(char) in ("Cc", "Cs") or char in "\ufffe\uffff")
    )


def format_due(day: dt.date | None) -> str:
    """A due date with its weekday, ``2023-08-15 (周二)``; ``未定`` when there is none."""
    if day is None:
        return "未定"
    return f"{day.isoformat()} (周{WEEKDAYS[day.weekday()]})"


def new_workbook(path: Path, *, created: dt.datetime | None = None) -> xlsxwriter.Workbook:
    """An XlsxWriter workbook at ``path`` that writes every string as a string.

    ``constant_memory`` keeps memory flat for large ledgers (rows must then be written in
    order); formulas, links and numbers are never inferred from strings. ``created`` (the
    engine clock's time) goes into the document properties, instead of the wall clock.
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    properties: dict[str, Any] = {"author": "zhenggai", "comments": ""}
    if created is not None:
        properties["created"] = _naive_utc(created)
    workbook.set_properties(properties)
    return workbook


@dataclass(frozen=True, slots=True)
class Column:
    """A column of :func:`write_table`: heading, width in Excel character units (a Chinese
    character takes two), whether long text wraps, and the alignment."""

    heading: str
    width: float
    wrap: bool = False
    align: str = "left"


@dataclass(frozen=True, slots=True)
class Styled:
    """A cell value with a fill colour (and font colour), such as a 红/黄/绿灯 cell."""

    value: object
    fill: str | None = None
    font_color: str | None = None
    bold: bool = False


#: Fonts of the spreadsheet cells (what an official's Excel shows).
SHEET_FONT = "宋体"
SHEET_TITLE_FONT = "黑体"
_SHEET_SIZE = 11
#: Points per line of 11 pt text, and the most Excel allows for a row.
_LINE_HEIGHT = 14.5
_MAX_ROW_HEIGHT = 409


def write_table(
    workbook: Any,
    sheet_name: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[object]],
    *,
    title: str | None = None,
    subtitle: str | None = None,
    page_header: str | None = None,
) -> Any:
    """Add a sheet laid out as officials lay out a list, and return it.

    ``title`` (merged over the columns, bold) and ``subtitle`` (e.g. ``截至 …``) come first
    when given; then the header row, frozen and with filters; then ``rows``. Every string
    (headings and titles too) goes through :func:`cell_text`; dates are written as dates
    (``yyyy-mm-dd``), numbers as numbers; a :class:`Styled` value gets its fill. Row heights
    follow the wrapped text; printing is A4 landscape, one page wide, the header row repeated,
    ``page_header`` (default ``title``) at the top of each page and 第 N 页 共 M 页 below.
    The workbook is in ``constant_memory`` mode, so the sheet is written top to bottom here.
    """
    sheet = workbook.add_worksheet(sheet_name)
    formats = _Formats(workbook)
    last_col = len(columns) - 1
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width)

    row = 0
    if title is not None:
        sheet.set_row(row, 30)
        sheet.merge_range(row, 0, row, last_col, str(cell_text(title)), formats.get("title"))
        row += 1
    if subtitle is not None:
        sheet.set_row(row, 20)
        sheet.merge_range(row, 0, row, last_col, str(cell_text(subtitle)), formats.get("subtitle"))
        row += 1
    header_row = row
    header_lines = max(_lines(c.heading, c.width) for c in columns)
    sheet.set_row(row, min(_MAX_ROW_HEIGHT, header_lines * _LINE_HEIGHT + 6))
    for index, column in enumerate(columns):
        sheet.write_string(row, index, str(cell_text(column.heading)), formats.get("header"))
    row += 1

    for values in rows:
        lines = 1
        for column, value in zip(columns, values, strict=True):
            plain = value.value if isinstance(value, Styled) else value
            if column.wrap and isinstance(plain, str):
                lines = max(lines, _lines(plain, column.width))
        sheet.set_row(row, min(_MAX_ROW_HEIGHT, lines * _LINE_HEIGHT + 4))
        for index, (column, value) in enumerate(zip(columns, values, strict=True)):
            _write_cell(sheet, row, index, value, column, formats)
        row += 1

    sheet.freeze_panes(header_row + 1, 0)
    sheet.autofilter(header_row, 0, max(header_row, row - 1), last_col)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(header_row)
    sheet.center_horizontally()
    sheet.set_margins(left=0.5, right=0.5, top=0.8, bottom=0.8)
    top = page_header if page_header is not None else title
    if top:
        sheet.set_header("&C" + _header_text(top, 200), {"margin": 0.3})
    sheet.set_footer("&C第 &P 页 共 &N 页", {"margin": 0.3})
    return sheet


def _write_cell(sheet: Any, row: int, col: int, value: object, column: Column, formats: _Formats) -> None:
    fill = font_color = None
    bold = False
    if isinstance(value, Styled):
        fill, font_color, bold, value = value.fill, value.font_color, value.bold, value.value
    kind = "date" if isinstance(value, dt.date) else "wrap" if column.wrap else column.align
    cell_format = formats.get(kind, fill=fill, font_color=font_color, bold=bold)
    if value is None or value == "":
        sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, bool):
        sheet.write_string(row, col, "是" if value else "否", cell_format)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, cell_format)
    elif isinstance(value, dt.datetime):
        raise TypeError("write_table takes dates, not datetimes (convert to the campaign's local day)")
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), cell_format)
    else:
        sheet.write_string(row, col, str(cell_text(str(value))), cell_format)


class _Formats:
    """The workbook's cell formats, made once per combination."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.made: dict[tuple[str, str | None, str | None, bool], Any] = {}

    def get(
        self, kind: str, *, fill: str | None = None, font_color: str | None = None, bold: bool = False
    ) -> Any:
        key = (kind, fill, font_color, bold)
        if key not in self.made:
            spec: dict[str, Any] = {"font_name": SHEET_FONT, "font_size": _SHEET_SIZE, "valign": "vcenter"}
            if kind == "title":
                spec.update(font_name=SHEET_TITLE_FONT, font_size=16, bold=True, align="center")
            elif kind == "subtitle":
                spec.update(align="right")
            else:
                spec.update(border=1, text_wrap=True)
                if kind == "header":
                    spec.update(font_name=SHEET_TITLE_FONT, bold=True, align="center", bg_color="#D9D9D9")
                elif kind == "date":
                    spec.update(num_format="yyyy-mm-dd", align="center")
                elif kind in ("center", "right"):
                    spec.update(align=kind)
                else:
                    spec.update(align="left")
            if fill is not None:
                spec.update(bg_color=fill, pattern=1)
            if font_color is not None:
                spec["font_color"] = font_color
            if bold:
                spec["bold"] = True
            self.made[key] = self.workbook.add_format(spec)
        return self.made[key]


def _lines(text: str, width: float) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` characters wide."""
    return wrapped_lines(text, width)


def _header_text(text: str, limit: int) -> str:
    """``text`` for an Excel page header: ``&`` doubled (it starts a code), control characters
    dropped, cut to ``limit`` characters (Excel allows 255 with the codes)."""
    clean = "".join(c for c in text if unicodedata.category(c) not in _DROPPED_CATEGORIES)[:limit]
    return clean.replace("&", "&&")


def _naive_utc(at: dt.datetime) -> dt.datetime:
    """A naive UTC datetime (what XlsxWriter and python-docx's core properties expect)."""
    if at.tzinfo is None:
        return at
    return at.astimezone(dt.UTC).replace(tzinfo=None)


# ------------------------------------------------------------------- wrapped text (row heights)

#: What one unit of :func:`wrapped_lines` (an ASCII character; a Chinese character takes two)
#: takes of an Excel column width unit: 11 pt 宋体 draws a Chinese character about 15 px wide,
#: an ASCII one 7.5 px, while a width unit is 7 px (the default font's digit) plus 5 px padding.
_UNITS_PER_WIDTH = 7 / 7.5
_WORD = re.compile(r"[!-~]+ ?| ")
#: Punctuation a line may not start with (避头): it stays on the line of the character before.
_NO_LINE_START = set("，。、；：？！）》」』】〕…—,.;:?!)]}%")


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes in a wrapped cell of an Excel column ``width`` wide.

    Measured as a spreadsheet wraps: a Chinese (wide) character is two units and may end a
    line anywhere, an ASCII character one unit and a run of them (a word, a date such as
    ``2023-07-14``) moves to the next line whole unless it is longer than a line; closing
    punctuation never starts a line. A line holds what the column's width holds, less its
    padding, in those units. Every ``\n`` starts a line; an empty text is one line."""
    capacity = max(2.0, (width - 1) * _UNITS_PER_WIDTH)
    total = 0
    for paragraph in text.split("\n"):
        lines, used = 1, 0.0
        position = 0
        while position < len(paragraph):
            match = _WORD.match(paragraph, position)
            if match is not None:
                token = match.group()
            else:
                token = paragraph[position]
                while (
                    position + len(token) < len(paragraph)
                    and paragraph[position + len(token)] in _NO_LINE_START
                ):
                    token += paragraph[position + len(token)]
            position += len(token)
            size = float(display_width(token.rstrip(" ")))
            if used + size <= capacity or used == 0:
                used += size + (display_width(token) - size)
                while used > capacity and size > capacity:  # a word longer than a line is cut
                    lines += 1
                    used -= capacity
                    size -= capacity
                continue
            lines += 1
            used = size + (display_width(token) - size)
            while used > capacity:
                lines += 1
                used -= capacity
        total += lines
    return total
