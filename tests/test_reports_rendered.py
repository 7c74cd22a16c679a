"""The Word bulletins as an official reads them: rendered by LibreOffice, read back from the PDF.

The .docx files of one small simulated campaign (工作进展通报 and 典型案例通报) are converted to
PDF in one ``soffice --headless`` call, shared by the module; ``pdftotext -layout`` and
``pdfinfo`` read them back. Skipped (with the reason) where LibreOffice or poppler is missing;
CI installs them (``.ci/run``). A few pages are kept as PNG (``pdftoppm``) under the pytest
temporary folder, or under ``$ZHENGGAI_RENDER_DIR`` when set; their paths are printed in the
run's ``figures`` section.

Also here: :meth:`Engine.issue_number`, the 期数 the bulletins print.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from sqlalchemy import select
from zhenggai.adapters.reports._docx import chinese_date
from zhenggai.adapters.reports.bulletin import write_cases, write_progress
from zhenggai.adapters.reports.unit_pack import write_unit_packs
from zhenggai.engine import Actor, Engine, InvalidInputError
from zhenggai.engine.models import Issue
from zhenggai.engine.views import ProgressReport

from tests._rendering import (
    LANDSCAPE,
    PORTRAIT,
    keep_png,
    page_sizes,
    page_texts,
    pages,
    pictures_folder,
    simulated_campaign,
    skip_without_tools,
    to_pdf,
)

OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
ISSUER = "XX县干部作风整顿领导小组办公室"


# ------------------------------------------------------------------------------ 期数


def test_issue_number_is_given_once_per_day_and_kind(engine: Engine, campaign: object) -> None:
    """期数 run 1, 2, … per campaign and kind; the same day gets the same number again."""
    day = dt.date(2023, 7, 3)
    assert engine.issue_number("test", "progress_bulletin", day, "王主任") == 1
    assert engine.issue_number("test", "progress_bulletin", day, "李四") == 1
    assert engine.issue_number("test", "progress_bulletin", day + dt.timedelta(days=7), "王主任") == 2
    assert engine.issue_number("test", "case_bulletin", day, "王主任") == 1
    assert engine.issue_number("test", "progress_bulletin", day, "王主任") == 1
    with engine.store.read() as conn:
        rows = conn.execute(select(Issue.__table__).order_by(Issue.__table__.c.id)).mappings().all()
    assert [(r["kind"], r["number"], r["as_of"], r["issued_by"]) for r in rows] == [
        ("progress_bulletin", 1, day, "王主任"),
        ("progress_bulletin", 2, day + dt.timedelta(days=7), "王主任"),
        ("case_bulletin", 1, day, "王主任"),
    ]


def test_issue_number_refuses_an_empty_kind_or_a_datetime(engine: Engine, campaign: object) -> None:
    with pytest.raises(InvalidInputError):
        engine.issue_number("test", "", dt.date(2023, 7, 3), "王主任")
    with pytest.raises(InvalidInputError):
        engine.issue_number("test", "progress_bulletin", dt.datetime(2023, 7, 3, tzinfo=dt.UTC), "王主任")


def test_chinese_date_is_written_in_chinese_numerals() -> None:
    assert chinese_date(dt.date(2023, 8, 15)) == "二〇二三年八月十五日"
    assert chinese_date(dt.date(2024, 10, 1)) == "二〇二四年十月一日"
    assert chinese_date(dt.date(2020, 12, 20)) == "二〇二〇年十二月二十日"


# ------------------------------------------------------------------------------ rendering


@dataclass
class Rendered:
    report: ProgressReport
    progress_docx: Path
    cases_docx: Path
    progress_pdf: Path
    cases_pdf: Path
    self_check_pdf: Path
    self_check_unit: str
    pictures: Path

    def text(self, pdf: Path) -> list[str]:
        """The PDF's text (``pdftotext -layout``), one string per page."""
        return page_texts(pdf)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    skip_without_tools()
    folder = tmp_path_factory.mktemp("rendered")
    out = folder / "out"
    with simulated_campaign(folder) as engine:
        for item in [i for i in engine.items("sim") if i.closed_at is not None][:2]:
            engine.mark_case(item.id, OFFICE, note=f"以案促改：{item.title}")
        progress = next(
            p for p in write_progress(engine, "sim", out, issued_by="王主任") if p.suffix == ".docx"
        )
        cases = next(p for p in write_cases(engine, "sim", out, issued_by="王主任") if p.suffix == ".docx")
        report = engine.progress("sim")
        busiest = max(report.by_unit, key=lambda u: u.total)
        self_check = next(
            p for p in write_unit_packs(engine, "sim", out, unit=busiest.unit) if p.suffix == ".docx"
        )
    progress_pdf, cases_pdf, self_check_pdf = to_pdf([progress, cases, self_check], folder)
    return Rendered(
        report,
        progress,
        cases,
        progress_pdf,
        cases_pdf,
        self_check_pdf,
        busiest.unit_name,
        pictures_folder(folder),
    )


def test_rendered_pages_are_kept_as_png(rendered: Rendered, record_property: pytest.RecordProperty) -> None:
    """The first page of each bulletin and the unit table's page, as PNG for a person to look at."""
    unit_page = next(
        n for n, text in enumerate(rendered.text(rendered.progress_pdf), 1) if "五、各责任单位进展" in text
    )
    kept = []
    for pdf, first, last, name in (
        (rendered.progress_pdf, 1, 1, "progress"),
        (rendered.progress_pdf, unit_page, unit_page, "progress-units"),
        (rendered.cases_pdf, 1, 1, "cases"),
        (rendered.self_check_pdf, 1, 1, "self-check"),
    ):
        kept.extend(keep_png(pdf, first, last, rendered.pictures / name))
    assert len(kept) >= 4
    record_property("figures", "rendered bulletin pages: " + ", ".join(str(p) for p in kept))


def test_every_page_has_its_number_odd_right_even_left(rendered: Rendered) -> None:
    """``— N —`` at the foot of every page; odd pages at the right, even pages at the left
    (read from the words' boxes, ``pdftotext -bbox``: a page with little text, such as the
    落款 page, lays out narrower in ``-layout`` text)."""
    for pdf in (rendered.progress_pdf, rendered.cases_pdf, rendered.self_check_pdf):
        texts = rendered.text(pdf)
        assert len(texts) == pages(pdf) >= 2
        for number, text in enumerate(texts, 1):
            lines = [line for line in text.splitlines() if line.strip()]
            assert re.fullmatch(rf"\s*—\s*{number}\s*—\s*", lines[-1]), (pdf.name, number, lines[-1])
        for number, (width, x_min, x_max) in enumerate(_page_number_boxes(pdf), 1):
            if number % 2:
                assert x_min > width / 2, (pdf.name, number, x_min, width)
            else:
                assert x_max < width / 2, (pdf.name, number, x_max, width)


def _page_number_boxes(pdf: Path) -> list[tuple[float, float, float]]:
    """Each page's width and the left and right edges of its foot's ``— N —``."""
    import subprocess

    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    boxes = []
    for number, page in enumerate(re.findall(r"<page (.*?)</page>", html, re.DOTALL), 1):
        width = float(re.search(r'width="([\d.]+)"', page).group(1))  # type: ignore[union-attr]
        words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>(.*?)</word>', page)
        foot = max(float(y) for _, y, _, _ in words)
        edges = [(float(a), float(b)) for a, y, b, _ in words if float(y) == foot]
        boxes.append((width, min(a for a, _ in edges), max(b for _, b in edges)))
        assert any(w == str(number) for _, y, _, w in words if float(y) == foot), (pdf.name, number)
    return boxes


def test_the_unit_table_is_on_a_landscape_page_one_name_a_line(rendered: Rendered) -> None:
    """The 11-column unit table gets landscape pages; the longest unit name stays on one line."""
    texts = rendered.text(rendered.progress_pdf)
    sizes = page_sizes(rendered.progress_pdf)
    unit_pages = [n for n, text in enumerate(texts) if "五、各责任单位进展" in text]
    assert len(unit_pages) == 1
    assert sizes[unit_pages[0]] == LANDSCAPE
    assert sizes[0] == PORTRAIT and sizes[-1] == PORTRAIT
    lines = [line for text in texts for line in text.splitlines()]
    longest = max((u.unit_name for u in rendered.report.by_unit), key=len)
    assert len(longest) >= 9  # e.g. 县公共资源交易中心
    assert any(longest in line for line in lines)
    for unit in rendered.report.by_unit:
        # pdftotext puts a space between Latin and Chinese text (``XX 高新区``).
        name = r"\s?".join(re.escape(char) for char in unit.unit_name)
        assert any(re.match(rf"\s*{name}\s+{unit.total}\s+{unit.closed}\s", line) for line in lines), (
            unit.unit_name
        )
    # No table cell broken one character a line: no line is a single Chinese character.
    lonely = [line for line in lines if re.fullmatch(r"\s*[\u4e00-\u9fff]\s*", line)]
    assert lonely == []


def test_charts_are_single_spaced_and_shown_at_full_height(rendered: Rendered) -> None:
    """Each chart's paragraph is single-spaced (an exact 28 pt would cut it to a strip), the
    seven captions are printed, and the pages hold the charts at full height."""
    document = docx.Document(str(rendered.progress_docx))
    pictures = [p for p in document.paragraphs if p._p.findall(f".//{qn('w:drawing')}")]
    assert len(pictures) == 7
    for paragraph in pictures:
        assert paragraph.paragraph_format.line_spacing_rule == WD_LINE_SPACING.SINGLE
    normal = document.styles["Normal"].paragraph_format
    assert normal.line_spacing_rule == WD_LINE_SPACING.EXACTLY  # the body keeps 28 pt
    text = "".join(rendered.text(rendered.progress_pdf))
    assert [int(n) for n in re.findall(r"图\s*(\d+)\s", text)] == [1, 2, 3, 4, 5, 6, 7]
    # Seven charts of 8.7 cm and the tables do not fit in five pages; cut to strips they did.
    assert pages(rendered.progress_pdf) >= 7


def test_bulletins_carry_the_official_document_parts(rendered: Rendered) -> None:
    """发文机关标志, 第N期, 主送, 落款 and 成文日期 in Chinese numerals, in that order."""
    day = chinese_date(rendered.report.today)
    for pdf in (rendered.progress_pdf, rendered.cases_pdf):
        text = re.sub(r"[ \t]+", "", "\n".join(rendered.text(pdf)))
        first = text.index(ISSUER)
        assert (
            first < text.index("第1期") < text.index("各成员单位：") < text.rindex(ISSUER) < text.rindex(day)
        )
        assert text.count(ISSUER) >= 2


def test_the_self_check_report_reads_as_a_report_to_the_office(rendered: Rendered) -> None:
    """自查报告: title, 主送 the leading group's office, the four parts, then the unit's 落款 and
    the 成文日期 in Chinese numerals; portrait A4 throughout, no 发文机关标志 (a unit's report)."""
    text = re.sub(r"[ \t]+", "", "\n".join(rendered.text(rendered.self_check_pdf)))
    unit = re.sub(r"\s", "", rendered.self_check_unit)
    title = f"{unit}关于"
    order = [
        text.index(title),
        text.index(f"{ISSUER}："),
        text.index("一、基本情况"),
        text.index("二、存在的问题"),
        text.index("三、整改措施"),
        text.index("四、下一步工作"),
        text.rindex(unit),
        text.rindex(chinese_date(rendered.report.today)),
    ]
    assert order == sorted(order)
    assert set(page_sizes(rendered.self_check_pdf)) == {PORTRAIT}
    assert text.count(ISSUER) == 1


def test_generated_text_uses_chinese_punctuation(rendered: Rendered) -> None:
    """Our own sentences use ，；：（） and Chinese quotes, not ASCII punctuation."""
    document = docx.Document(str(rendered.progress_docx))
    summary = next(p.text for p in document.paragraphs if p.text.startswith("截至"))
    assert "，" in summary and "（办结率" in summary
    assert not re.search(r"[,;:()]", summary)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert "四、预警情况（未办结问题）" in headings
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert "“股梗阻”专项整治" in cells
    assert not any('"' in c for c in cells)
