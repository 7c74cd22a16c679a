"""What every report writer shares (zhenggai.adapters.reports._files): safe file names, files
that stay under --out, neutralised cells, and Word documents with the East-Asian fonts set."""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from hypothesis import given
from hypothesis import strategies as st
from zhenggai.adapters.cli import CliError
from zhenggai.adapters.reports._docx import BODY_FONT, HEADING_FONT, new_document, set_run_font
from zhenggai.adapters.reports._files import (
    ReportError,
    cell_text,
    doc_text,
    format_due,
    new_workbook,
    out_file,
    safe_name,
)

WINDOWS_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{n}" for n in range(1, 10)),
    *(f"LPT{n}" for n in range(1, 10)),
}


# --------------------------------------------------------------------------------- safe_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("住房和城乡建设局", "住房和城乡建设局"),
        ("../etc/passwd", "_etc_passwd"),
        ("/etc/passwd", "_etc_passwd"),
        ("..\\..\\windows\\system32", "_.._windows_system32"),
        ("CON", "_CON"),
        ("nul", "_nul"),
        ("NUL.txt", "_NUL.txt"),
        ("com1", "_com1"),
        ("LPT9.docx", "_LPT9.docx"),
        ("CONSOLE", "CONSOLE"),
        ("=cmd|' /C calc'!A0", "=cmd_' _C calc'!A0"),
        ("a\x00b\x1fc\x7fd", "abcd"),
        ("行\n政\r审\t批", "行政审批"),
        ("\u202egnp.exe", "gnp.exe"),  # right-to-left override dropped
        ("...hidden", "hidden"),
        ("-rf", "rf"),
        ("名称. ", "名称"),
        ('a<b>c:d"e|f?g*h', "a_b_c_d_e_f_g_h"),
        ("a   b\u3000c", "a b c"),
        ("", "报告"),
        ("..", "报告"),
        ("\x00\x01", "报告"),
    ],
)
def test_safe_name(text: str, expected: str) -> None:
    assert safe_name(text) == expected


def test_safe_name_fallback_and_length() -> None:
    assert safe_name("///", fallback="单位") == "___"
    assert safe_name("...", fallback="单位") == "单位"
    assert safe_name("...", fallback="../CON") == "_CON"  # the fallback is made safe too
    assert len(safe_name("问" * 500)) == 80
    assert safe_name("a" * 79 + " .b") == "a" * 79  # no trailing space or dot after the cut


@given(st.text(max_size=200))
def test_safe_name_is_always_one_harmless_part(text: str) -> None:
    name = safe_name(text)
    assert 1 <= len(name) <= 80
    assert not set(name) & set('<>:"/\\|?*')
    assert all(ord(c) >= 32 and c != "\x7f" for c in name)
    assert not name.startswith((".", "-", " "))
    assert not name.endswith((".", " "))
    assert name.split(".")[0].upper() not in WINDOWS_RESERVED
    assert Path(name).name == name and Path(name).parent == Path(".")


# ---------------------------------------------------------------------------------- out_file


def test_out_file_creates_folders_inside_out(tmp_path: Path) -> None:
    out = tmp_path / "reports" / "2023"
    path = out_file(out, "一报告四清单/住建局-自查报告.docx")
    assert path == (out / "一报告四清单" / "住建局-自查报告.docx").resolve()
    assert path.parent.is_dir()
    assert not path.exists()  # only the folders are made


@pytest.mark.parametrize(
    "name", ["../escape.xlsx", "a/../../escape.xlsx", "/etc/passwd", "", ".", "a/..", "x\x00y"]
)
def test_out_file_refuses_names_outside_out(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out"
    with pytest.raises(ReportError):
        out_file(out, name)
    assert not (tmp_path / "escape.xlsx").exists()


def test_out_file_refuses_symlink_escapes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    outside = tmp_path / "outside"
    outside.mkdir()
    out.mkdir()
    (out / "linked").symlink_to(outside, target_is_directory=True)
    (out / "report.xlsx").symlink_to(outside / "stolen.xlsx")
    with pytest.raises(ReportError, match="输出目录之外"):
        out_file(out, "linked/台账.xlsx")
    with pytest.raises(ReportError, match="输出目录之外"):
        out_file(out, "report.xlsx")
    with pytest.raises(ReportError, match="输出目录之外"):
        out_file(out, "linked/new/deeper.xlsx")
    assert list(outside.iterdir()) == []  # not even a folder was made there
    # a link that stays inside out is fine
    (out / "inner").mkdir()
    (out / "alias").symlink_to(out / "inner", target_is_directory=True)
    assert out_file(out, "alias/a.xlsx") == (out / "inner" / "a.xlsx").resolve()


def test_out_file_errors_are_cli_errors(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(CliError, match="输出"):
        out_file(tmp_path / "file", "a.xlsx")  # out is a file
    (tmp_path / "out" / "taken").mkdir(parents=True)
    with pytest.raises(ReportError, match="已有目录"):
        out_file(tmp_path / "out", "taken")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_out_file_unwritable_folder_is_one_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(ReportError, match="无法创建"):
            out_file(locked / "out", "a.xlsx")
    finally:
        locked.chmod(0o700)


# --------------------------------------------------------------------------------- cell_text


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://evil","点我")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"],
)
def test_cell_text_neutralises_formula_starts(value: str) -> None:
    assert cell_text(value) == "'" + value


@pytest.mark.parametrize("value", ["住建局", "1+1", " =1", "", "a=b", "'=1", "＝1"])
def test_cell_text_leaves_harmless_text(value: str) -> None:
    assert cell_text(value) == value


def test_cell_text_leaves_other_values() -> None:
    day = dt.date(2023, 8, 15)
    assert cell_text(-5) == -5
    assert cell_text(None) is None
    assert cell_text(day) is day


def test_neutralised_cells_read_back_as_text(tmp_path: Path) -> None:
    """Through new_workbook a guarded string stays a string: openpyxl sees no formula."""
    path = tmp_path / "a.xlsx"
    workbook = new_workbook(path, created=dt.datetime(2023, 7, 3, 9, 0, tzinfo=dt.UTC))
    sheet = workbook.add_worksheet("表")
    hostile = ["=1+1", "+SUM(A1)", "-1", "@A1", '=HYPERLINK("http://x")', "http://example.com", "00123"]
    for row, value in enumerate(hostile):
        sheet.write_string(row, 0, str(cell_text(value)))
        sheet.write(row, 1, value)  # even unguarded, new_workbook infers nothing from a string
    workbook.close()
    book = openpyxl.load_workbook(path)
    ws = book["表"]
    for row, value in enumerate(hostile, start=1):
        guarded = ws.cell(row, 1)
        raw = ws.cell(row, 2)
        assert guarded.data_type == "s" and raw.data_type == "s"
        assert guarded.value == cell_text(value)
        assert raw.value == value
        assert raw.hyperlink is None
    assert book.properties.created == dt.datetime(2023, 7, 3, 9, 0)
    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml


def test_doc_text_drops_what_xml_cannot_hold() -> None:
    assert doc_text("a\x00b\x0bc\td\r\ne\rf") == "abc\td\ne\nf"


# -------------------------------------------------------------------------------- format_due


def test_format_due() -> None:
    assert format_due(dt.date(2023, 8, 15)) == "2023-08-15 (周二)"
    assert format_due(dt.date(2023, 8, 20)) == "2023-08-20 (周日)"
    assert format_due(None) == "未定"


# ------------------------------------------------------------------------------ new_document


def _fonts(element: object) -> dict[str, str]:
    rpr = element.find(qn("w:rPr"))  # type: ignore[attr-defined]
    assert rpr is not None
    fonts = rpr.find(qn("w:rFonts"))
    assert fonts is not None
    return {key.split("}")[1]: value for key, value in fonts.attrib.items()}


def test_new_document_sets_east_asian_fonts_in_styles(tmp_path: Path) -> None:
    created = dt.datetime(2023, 7, 3, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    document = new_document("=住建局自查报告", created=created)
    document.add_paragraph("正文", style="Title")
    document.add_heading("一、基本情况", level=1)
    run = document.add_paragraph().add_run("楷体文字")
    set_run_font(run, "楷体_GB2312", size_pt=14, bold=True)
    path = tmp_path / "a.docx"
    document.save(path)

    read = docx.Document(str(path))
    styles = {s.name: s for s in read.styles}
    assert _fonts(styles["Normal"].element)["eastAsia"] == BODY_FONT
    assert _fonts(styles["Heading 1"].element)["eastAsia"] == HEADING_FONT
    assert _fonts(styles["Heading 2"].element)["eastAsia"] == "楷体_GB2312"
    for name in ("Normal", "Heading 1", "Title"):
        fonts = _fonts(styles[name].element)
        assert not [k for k in fonts if k.lower().endswith("theme")], (name, fonts)  # a theme font would win
    assert styles["Normal"].font.size.pt == 16
    assert styles["Heading 1"].font.color.rgb == (0, 0, 0)
    # no theme font left anywhere in the styles (table styles, character styles, defaults)
    with zipfile.ZipFile(path) as archive:
        styles_xml = archive.read("word/styles.xml").decode()
        font_table = archive.read("word/fontTable.xml").decode()
    assert "eastAsiaTheme" not in styles_xml and "asciiTheme" not in styles_xml
    assert 'w:eastAsia="zh-CN"' in styles_xml
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in font_table
    # the run carries its own East-Asian font
    paragraph = read.paragraphs[-1]
    run_fonts = _fonts(paragraph.runs[0]._element)
    assert run_fonts["eastAsia"] == "楷体_GB2312"
    assert paragraph.runs[0].font.size == Pt(14) and paragraph.runs[0].font.bold
    # A4 with the 公文 margins
    section = read.sections[0]
    for length, expected in (
        (section.page_width, 21.0),
        (section.page_height, 29.7),
        (section.top_margin, 3.7),
        (section.left_margin, 2.8),
    ):
        assert length is not None and abs(length - Cm(expected)) < Cm(0.01)
    # properties: the title given, the engine's time, no python-docx boilerplate
    props = read.core_properties
    assert props.title == "=住建局自查报告"
    assert props.created == dt.datetime(2023, 7, 3, 1, 0, tzinfo=dt.UTC)
    assert props.modified == dt.datetime(2023, 7, 3, 1, 0, tzinfo=dt.UTC)
    assert props.author == "zhenggai" and "python-docx" not in (props.comments + props.last_modified_by)
