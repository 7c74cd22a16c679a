"""Word documents in the layout of a Chinese official document: :func:`new_document` (A4; body
仿宋_GB2312, headings 黑体, title 方正小标宋简体, each with the ``w:eastAsia`` font set in the
styles, so Word picks a Chinese font for Chinese text), page numbers, orientation, pictures,
table column widths and Chinese dates."""

from __future__ import annotations

import datetime as dt
import importlib
import math
from collections.abc import Sequence
from typing import Any

from zhenggai.adapters._tables import display_width

from ._files import _naive_utc, doc_text

__all__ = [
    "BODY_FONT",
    "HEADING_FONT",
    "SUBHEADING_FONT",
    "TITLE_FONT",
    "add_picture",
    "chinese_date",
    "column_widths",
    "new_document",
    "set_orientation",
    "set_run_font",
    "single_spaced",
    "text_width_cm",
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
#: The landscape page's margins.
_LANDSCAPE_MARGINS_CM = (2.6, 2.5, 2.5, 2.5)  # top, bottom, left, right
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
    for footer, alignment in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
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


def column_widths(
    headers: Sequence[str], rows: Sequence[Sequence[object]], size_pt: float, text_cm: float
) -> list[float] | None:
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
