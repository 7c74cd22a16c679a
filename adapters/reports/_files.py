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
  landscape one page wide, header row repeated on every page, page numbers);
  :func:`new_document` a python-docx document in the layout of a Chinese
  official document (A4; body 仿宋_GB2312, headings 黑体, title 方正小标宋简体, each with the
  ``w:eastAsia`` font set in the styles, so Word picks a Chinese font for Chinese text).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zhenggai.adapters._tables import WEEKDAYS, display_width
from zhenggai.adapters.cli import CliError

if TYPE_CHECKING:  # pragma: no cover - typing only
    import xlsxwriter

__all__ = [
    "BODY_FONT",
    "HEADING_FONT",
    "SUBHEADING_FONT",
    "TITLE_FONT",
    "Column",
    "ReportError",
    "Styled",
    "add_picture",
    "cell_text",
    "chinese_date",
    "column_widths",
    "doc_text",
    "fit_name",
    "format_due",
    "new_document",
    "new_workbook",
    "out_dir",
    "out_file",
    "safe_name",
    "set_orientation",
    "set_run_font",
    "single_spaced",
    "text_width_cm",
    "write_table",
]

#: Body text: 仿宋_GB2312 (Word falls back to 仿宋 where it is missing).
BODY_FONT = "仿宋_GB2312"
#: 一级标题.
HEADING_FONT = "黑体"
#: 二级标题.
SUBHEADING_FONT = "楷体_GB2312"
#: 文件标题.
TITLE_FONT = "方正小标宋简体"
#: Fonts Word should substitute when the preferred one is not installed (font table ``w:altName``).
_ALT_FONTS = {BODY_FONT: "仿宋", SUBHEADING_FONT: "楷体", TITLE_FONT: "宋体", HEADING_FONT: "SimHei"}
_LATIN_FONT = "Times New Roman"

_MAX_NAME = 80
#: The longest file name (one path component) Linux file systems take, in bytes (NAME_MAX).
MAX_NAME_BYTES = 255
#: How much of a cut name's end is kept: the document kind, date and extension
#: (``-一报告四清单.xlsx``, ``-工作进展通报-20231231.html``).
_KEEP_END_BYTES = 80
#: Characters Windows refuses in a file name (besides control characters).
_RESERVED_CHARS = frozenset('<>:"/\\|?*')
#: Names Windows reserves, with or without an extension ("CON", "nul.txt", "COM1").
_RESERVED_NAMES = re.compile(r"^(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$", re.IGNORECASE)
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
        if char in "\t\n"
        or not (unicodedata.category(char) in ("Cc", "Cs") or char in "\ufffe\uffff")
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

    def get(self, kind: str, *, fill: str | None = None, font_color: str | None = None, bold: bool = False) -> Any:
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


def new_document(title: str, *, created: dt.datetime | None = None) -> Any:
    """A python-docx document laid out as a Chinese official document.

    A4 with the 公文 margins (top 3.7 cm, bottom 3.5 cm, left 2.8 cm, right 2.6 cm); styles:
    Normal 仿宋_GB2312 三号 (16 pt), Title 方正小标宋简体 二号 (22 pt, centred), Heading 1
    黑体 三号, Heading 2 楷体_GB2312 三号, all black, with ``w:eastAsia`` set and the theme
    fonts removed (a theme font would override it). The font table names the fallbacks Word
    substitutes when a font is missing (仿宋_GB2312 → 仿宋, …). ``title`` becomes the document's
    title property; ``created`` (the engine clock's time) its creation and modification time.
    Page numbers ``— N —`` in the footer, odd pages right, even pages left (GB/T 9704-2012).
    """
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    # Document defaults: Chinese as the East-Asian language, so Word lays out CJK punctuation.
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            _set_east_asia(rpr, BODY_FONT)
            lang = rpr.find(qn("w:lang"))
            if lang is None:
                lang = rpr.makeelement(qn("w:lang"), {})
                rpr.append(lang)
            lang.set(qn("w:eastAsia"), "zh-CN")

    styles = document.styles
    layout = [
        ("Normal", BODY_FONT, 16, False),
        ("Title", TITLE_FONT, 22, False),
        ("Heading 1", HEADING_FONT, 16, False),
        ("Heading 2", SUBHEADING_FONT, 16, True),
        ("Heading 3", BODY_FONT, 16, True),
        ("Table Grid", BODY_FONT, 12, False),
    ]
    for style_name, east_asia, size, bold in layout:
        style = styles[style_name]
        font = style.font
        font.size = Pt(size)
        font.bold = bold
        font.italic = False
        font.color.rgb = RGBColor(0, 0, 0)
        _set_east_asia(style.element.get_or_add_rPr(), east_asia)
        if style_name != "Normal":
            style.paragraph_format.space_before = Pt(0)
            style.paragraph_format.space_after = Pt(0)
            style.paragraph_format.keep_with_next = style_name != "Table Grid"
    # Every other place in the styles that still takes its fonts from the theme (Heading 4–9,
    # Subtitle, character styles, table styles' header rows, …) gets explicit fonts too, so
    # no Chinese text falls back to a theme font.
    for fonts in list(styles.element.iter(qn("w:rFonts"))):
        if not any(key.endswith(("Theme", "theme")) for key in fonts.attrib):
            continue
        style_element = next(fonts.iterancestors(qn("w:style")), None)
        name_element = style_element.find(qn("w:name")) if style_element is not None else None
        name = name_element.get(qn("w:val"), "") if name_element is not None else ""
        heading = name.startswith(("heading", "Heading", "Title", "Subtitle"))
        _set_east_asia(fonts.getparent(), HEADING_FONT if heading else BODY_FONT)
    styles["Normal"].paragraph_format.line_spacing = Pt(28)
    title_style = styles["Title"]
    title_style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title_style.paragraph_format.space_after = Pt(16)
    title_rpr = title_style.element.get_or_add_rPr()
    for border in title_style.element.findall(f"{qn('w:pPr')}/{qn('w:pBdr')}"):
        border.getparent().remove(border)
    for spacing in title_rpr.findall(qn("w:spacing")):
        title_rpr.remove(spacing)

    _add_font_fallbacks(document)
    _add_page_numbers(document)

    properties = document.core_properties
    properties.title = doc_text(title)
    properties.author = "zhenggai"
    properties.last_modified_by = "zhenggai"
    properties.comments = ""
    properties.keywords = ""
    properties.subject = ""
    properties.category = ""
    properties.revision = 1
    if created is not None:
        properties.created = _naive_utc(created)
        properties.modified = _naive_utc(created)
    return document


def set_run_font(run: Any, east_asia: str, *, size_pt: float | None = None, bold: bool | None = None) -> None:
    """Set a run's East-Asian font (``w:eastAsia``; Latin text stays in Times New Roman)."""
    from docx.shared import Pt

    _set_east_asia(run._element.get_or_add_rPr(), east_asia)
    if size_pt is not None:
        run.font.size = Pt(size_pt)
    if bold is not None:
        run.font.bold = bold


def _set_east_asia(rpr: Any, east_asia: str) -> None:
    """Give an ``w:rPr`` element explicit fonts: ``east_asia`` for CJK, Times New Roman otherwise."""
    from docx.oxml.ns import qn

    if hasattr(rpr, "get_or_add_rFonts"):
        fonts = rpr.get_or_add_rFonts()
    else:  # pragma: no cover - every w:rPr python-docx parses is a CT_RPr
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), _LATIN_FONT)
    fonts.set(qn("w:hAnsi"), _LATIN_FONT)
    fonts.set(qn("w:cs"), _LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _add_font_fallbacks(document: Any) -> None:
    """Declare the Chinese fonts in the font table, each with the font Word should substitute."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.ns import qn

    part = None
    for rel in document.part.rels.values():
        if rel.reltype == RT.FONT_TABLE and not rel.is_external:
            part = rel.target_part
            break
    if part is None or not hasattr(part, "_blob"):
        return
    etree: Any = importlib.import_module("lxml.etree")
    root = etree.fromstring(part._blob)
    known = {font.get(qn("w:name")) for font in root.findall(qn("w:font"))}
    for name, alt in _ALT_FONTS.items():
        if name in known:
            continue
        font = etree.SubElement(root, qn("w:font"), {qn("w:name"): name})
        etree.SubElement(font, qn("w:altName"), {qn("w:val"): alt})
        etree.SubElement(font, qn("w:charset"), {qn("w:val"): "86"})  # GB2312
        etree.SubElement(font, qn("w:family"), {qn("w:val"): "modern" if name == HEADING_FONT else "roman"})
        etree.SubElement(font, qn("w:pitch"), {qn("w:val"): "variable"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


#: Size of the page number (四号) and its font; 公文 set it in 宋体 with 一字线 either side.
_PAGE_NUMBER_PT = 14
_PAGE_NUMBER_FONT = "宋体"
#: A4 portrait text width with the 公文 margins, and the landscape page's margins and width.
PORTRAIT_TEXT_CM = 21.0 - 2.8 - 2.6
_LANDSCAPE_MARGINS_CM = (2.6, 2.5, 2.5, 2.5)  # top, bottom, left, right
LANDSCAPE_TEXT_CM = 29.7 - 2.5 - 2.5
#: Body text size (三号) and a table's: 小四 in portrait, 五号 when it needs a landscape page.
BODY_PT = 16
TABLE_PT = 12
WIDE_TABLE_PT = 10.5
_CELL_PAD_CM = 0.55  # left and right cell margins together (0.19 cm each) and a little air
_CM_PER_PT = 2.54 / 72


def _add_page_numbers(document: Any) -> None:
    """``— N —`` (a PAGE field) in the footer: odd pages at the right, even pages at the left,
    each one character in from the edge (GB/T 9704-2012 7.5), 宋体 四号."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    section.footer_distance = Cm(2.5)
    for footer, alignment in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                              (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        paragraph.alignment = alignment
        single_spaced(paragraph)
        inset = Pt(_PAGE_NUMBER_PT)
        if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = inset
        else:
            paragraph.paragraph_format.left_indent = inset
        _page_run(paragraph, "— ")
        _page_field(paragraph)
        _page_run(paragraph, " —")


def _page_run(paragraph: Any, text: str) -> Any:
    run = paragraph.add_run(text)
    set_run_font(run, _PAGE_NUMBER_FONT, size_pt=_PAGE_NUMBER_PT)
    return run


def _page_field(paragraph: Any) -> None:
    """A PAGE field as Word writes one (begin, instruction, separate, cached ``1``, end)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = _page_run(paragraph, "")
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text


def single_spaced(paragraph: Any) -> None:
    """Single line spacing and no space around ``paragraph`` (the body's exact 28 pt would cut a
    picture or a table row to a strip)."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(0)


def add_picture(document: Any, png: bytes, width_cm: float) -> Any:
    """A centred, single-spaced paragraph holding ``png`` at ``width_cm`` (full height: a
    picture in a paragraph of exact line spacing is cut to that height), kept with the caption
    that follows. Returns the paragraph."""
    import io

    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    paragraph = document.add_paragraph()
    single_spaced(paragraph)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True
    paragraph.add_run().add_picture(io.BytesIO(png), width=Cm(width_cm))
    return paragraph


def set_orientation(document: Any, *, landscape: bool) -> Any:
    """Start a new section (on a new page) in landscape, or back in the document's own portrait
    page (its first section's size and margins: the template's); the footer (page numbers)
    carries on from the section before. Returns the section."""
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Cm

    first = document.sections[0]
    width, height = first.page_width, first.page_height
    margins: tuple[Any, ...] = (first.top_margin, first.bottom_margin, first.left_margin, first.right_margin)
    section = document.add_section(WD_SECTION.NEW_PAGE)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = max(width, height), min(width, height)
        margins = tuple(Cm(m) for m in _LANDSCAPE_MARGINS_CM)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = width, height
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = margins
    return section


def text_width_cm(document: Any) -> float:
    """The text width of ``document``'s current (last) section, in cm."""
    section = document.sections[-1]
    return float((section.page_width - section.left_margin - section.right_margin) / 360000)


def column_widths(headers: Sequence[str], rows: Sequence[Sequence[object]], size_pt: float,
                  text_cm: float) -> list[float] | None:
    """Column widths in cm for a table set at ``size_pt`` in ``text_cm``, or None if it does not
    fit. A Chinese character takes one em, a Latin one half; a heading of up to four characters
    stays on one line, a longer one may wrap onto two; a column that holds text longer than its
    share wraps: the text columns share what the others leave. A table narrower than
    ``text_cm`` is widened to it, each column by the same amount."""
    em = size_pt * _CM_PER_PT
    natural = []
    least = []
    for index, heading in enumerate(headers):
        cells = [str(row[index]) for row in rows]
        body = max((display_width(line) / 2 for c in cells for line in c.split("\n")), default=0)
        head = display_width(heading) / 2
        head_min = head if head <= 4 else max(4.0, math.ceil(head / 2))
        natural.append(max(body, head_min) * em + _CELL_PAD_CM)
        # A text column may wrap down to six characters (or its heading, if wider).
        least.append(max(min(body, 6.0), head_min) * em + _CELL_PAD_CM)
    if sum(natural) <= text_cm:
        spare = (text_cm - sum(natural)) / len(natural)
        return [w + spare for w in natural]
    if sum(least) > text_cm:
        return None
    # Shrink the columns that can wrap, in proportion to how much each could give.
    give = [n - m for n, m in zip(natural, least, strict=True)]
    need = sum(natural) - text_cm
    total_give = sum(give)
    return [n - g * need / total_give for n, g in zip(natural, give, strict=True)]


def chinese_date(day: dt.date) -> str:
    """A 成文日期 in Chinese numerals: ``二〇二三年八月十五日``."""
    digits = "〇一二三四五六七八九"

    def small(n: int) -> str:
        tens, ones = divmod(n, 10)
        if tens == 0:
            return digits[ones]
        return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")

    return "".join(digits[int(c)] for c in f"{day.year:04d}") + f"年{small(day.month)}月{small(day.day)}日"


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
                while position + len(token) < len(paragraph) and paragraph[position + len(token)] in _NO_LINE_START:
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
