"""The Excel reports as an office prints them: rendered by LibreOffice, read back from the PDF.

The 整改台账, one unit's 一报告四清单 (.xlsx) and the 成效台账 of one small simulated campaign
(the size of ``test_reports_rendered``) are converted to PDF in one ``soffice --headless``
call, shared by the module; ``pdftotext -raw`` (each cell's wrapped lines together, in the
order LibreOffice draws the cells) and ``pdfinfo`` read them back. Skipped (with the reason)
where LibreOffice or poppler is missing. A few pages are kept as PNG (``pdftoppm``) under the
pytest temporary folder, or under ``$ZHENGGAI_RENDER_DIR`` when set; their paths are printed
in the run's ``figures`` section.

LibreOffice leaves out the lines of a wrapped cell that do not fit its row, so a measure found
whole in the PDF text was printed whole.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from zhenggai.adapters.reports.ledger import COLUMNS as LEDGER_COLUMNS
from zhenggai.adapters.reports.ledger import NO_LIGHT, ReportLabels, measure_lines, write_ledger
from zhenggai.adapters.reports.registers import OUTCOME_COLUMNS, PRACTICE_COLUMNS, SHEETS, write_registers
from zhenggai.adapters.reports.unit_pack import (
    DUTY_COLUMNS,
    MEASURE_COLUMNS,
    PROBLEM_COLUMNS,
    TIME_COLUMNS,
    write_unit_packs,
)
from zhenggai.engine import ItemView

from tests._rendering import (
    LANDSCAPE,
    keep_png,
    page_sizes,
    page_texts,
    pages,
    pictures_folder,
    simulated_campaign,
    skip_without_tools,
    to_pdf,
)

LIGHT_WORDS = ("绿灯", "黄灯", "红灯")
PACK_SHEETS = (
    ("问题清单", PROBLEM_COLUMNS),
    ("责任清单", DUTY_COLUMNS),
    ("措施清单", MEASURE_COLUMNS),
    ("时间清单", TIME_COLUMNS),
)


@dataclass
class Rendered:
    ledger: Path
    pack: Path
    registers: Path
    pictures: Path
    #: Every item of the campaign, and its 整改措施 as the ledger writes them.
    items: tuple[ItemView, ...]
    measures: dict[int, str]
    unit: str
    unit_name: str
    today: dt.date
    seconds: float

    def page_texts(self, pdf: Path) -> list[str]:
        """The PDF's text (``pdftotext -raw``), one string per page."""
        return page_texts(pdf, mode="-raw")

    def lines(self, pdf: Path) -> list[str]:
        return [line for text in self.page_texts(pdf) for line in text.splitlines()]

    @property
    def pdfs(self) -> tuple[Path, Path, Path]:
        return self.ledger, self.pack, self.registers


def squeezed(text: str) -> str:
    """``text`` without white space: a cell's wrapped lines joined back."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    skip_without_tools()
    started = time.perf_counter()
    folder = tmp_path_factory.mktemp("xlsx-rendered")
    out = folder / "out"
    with simulated_campaign(folder) as engine:
        labels = ReportLabels.load(engine, "sim")
        rows = engine.ledger("sim")
        # The unit with the most items: its pack has the most measures to print.
        counts: dict[str, int] = {}
        for row in rows:
            if row.item.unit is not None:
                counts[row.item.unit] = counts.get(row.item.unit, 0) + 1
        unit = max(counts, key=lambda u: (counts[u], u))
        [ledger] = write_ledger(engine, "sim", out)
        pack = next(p for p in write_unit_packs(engine, "sim", out, unit=unit) if p.suffix == ".xlsx")
        [registers] = write_registers(engine, "sim", out)
        items = tuple(row.item for row in rows)
        measures = {row.item.id: measure_lines(row.measures, labels) for row in rows}
        unit_name = labels.base.unit(unit)
        today = labels.today
    # The three workbooks in one LibreOffice call.
    ledger_pdf, pack_pdf, registers_pdf = to_pdf([ledger, pack, registers], folder)
    return Rendered(
        ledger_pdf,
        pack_pdf,
        registers_pdf,
        pictures_folder(folder),
        items,
        measures,
        unit,
        unit_name,
        today,
        time.perf_counter() - started,
    )


def test_rendered_pages_are_kept_as_png(rendered: Rendered, record_property: pytest.RecordProperty) -> None:
    """The first page of each workbook (and the ledger's last), as PNG for a person to look at."""
    kept = []
    last = pages(rendered.ledger)
    for pdf, first, final, name in (
        (rendered.ledger, 1, 1, "ledger"),
        (rendered.ledger, last, last, "ledger-last"),
        (rendered.pack, 1, pages(rendered.pack), "unit-pack"),
        (rendered.registers, 1, 1, "registers"),
    ):
        kept.extend(keep_png(pdf, first, final, rendered.pictures / name))
    assert len(kept) >= 4
    record_property(
        "figures",
        f"simulated, written and rendered in {rendered.seconds:.1f} s; pages: "
        + ", ".join(str(p) for p in kept),
    )


def test_every_page_is_a4_landscape_and_numbered(rendered: Rendered) -> None:
    """Each sheet prints on A4 landscape; ``第 N 页 共 M 页`` at the foot of every page."""
    for pdf in rendered.pdfs:
        count = pages(pdf)
        assert page_sizes(pdf) == [LANDSCAPE] * count, pdf.name
        for number, text in enumerate(rendered.page_texts(pdf), 1):
            assert f"第{number}页共{count}页" in squeezed(text), (pdf.name, number)


def _headings_on_one_line(lines: Sequence[str], headings: Sequence[str]) -> bool:
    """A line holds all of ``headings`` in order, each whole (the header row, as drawn)."""
    for line in lines:
        words = line.split()
        if [w for w in words if w in headings] == list(headings):
            return True
    return False


def test_the_ledger_repeats_its_whole_header_row_on_every_page(rendered: Rendered) -> None:
    """One page wide: every page of the 整改台账 has all 16 column headings, on one row, in order,
    so no column is printed on a page of its own and each page can be read alone."""
    texts = rendered.page_texts(rendered.ledger)
    assert len(texts) >= 2  # the repetition is seen
    headings = [c.heading for c in LEDGER_COLUMNS]
    for number, text in enumerate(texts, 1):
        assert _headings_on_one_line(text.splitlines(), headings), number


def test_every_list_prints_its_headings_whole(rendered: Rendered) -> None:
    """The four lists of the unit pack and the registers' sheets: each heading on one line (a
    heading wrapped to leave one character on a line reads as two columns)."""
    lines = rendered.lines(rendered.pack)
    for name, columns in PACK_SHEETS:
        assert _headings_on_one_line(lines, [c.heading for c in columns]), name
    lines = rendered.lines(rendered.registers)
    for columns in (PRACTICE_COLUMNS, OUTCOME_COLUMNS):
        assert _headings_on_one_line(lines, [c.heading for c in columns]), columns[1].heading


def test_every_measure_is_printed_whole_with_its_dates(rendered: Rendered) -> None:
    """Each item's 整改措施 (wrapped over several lines) is in the ledger's PDF to its last
    character: every measure's text, its 时限 and its 【已完成 date】 or 【未完成】."""
    text = squeezed("".join(rendered.page_texts(rendered.ledger)))
    checked = 0
    for item in rendered.items:
        for line in rendered.measures[item.id].splitlines():
            assert squeezed(line) in text, (item.number, line)
            for date in re.findall(r"\d{4}-\d{2}-\d{2}", line):
                assert date in text
                checked += 1
    assert checked >= len(rendered.items)  # every item has a measure with a date
    dues = [i.due.isoformat() for i in rendered.items if i.due is not None]
    assert dues and all(due in text for due in dues)


def test_the_unit_pack_prints_its_measures_whole(rendered: Rendered) -> None:
    """措施清单 of the unit: each measure complete, as in the ledger."""
    text = squeezed("".join(rendered.page_texts(rendered.pack)))
    mine = [i for i in rendered.items if i.unit == rendered.unit]
    assert len(mine) >= 2
    for item in mine:
        for line in rendered.measures[item.id].splitlines():
            assert squeezed(line) in text, (item.number, line)


def test_item_numbers_are_printed_whole(rendered: Rendered) -> None:
    """问题编号 (``ZG-2023-0001``) of every item on one line in the ledger, and of the unit's items
    in its 问题清单."""
    lines = rendered.lines(rendered.ledger)
    numbers = [i.number for i in rendered.items]
    assert all(n is not None and re.fullmatch(r"ZG-2023-\d{4}", n) for n in numbers)
    for number in numbers:
        assert any(re.search(rf"(^|\s){number}(\s|$)", line) for line in lines), number
    lines = rendered.lines(rendered.pack)
    for item in rendered.items:
        if item.unit == rendered.unit:
            assert any(item.number in line for line in lines), item.number


def test_the_accountability_register_prints_item_numbers(rendered: Rendered) -> None:
    """问责处理情况 names each problem by its 问题编号, as the ledger does."""
    texts = rendered.page_texts(rendered.registers)
    sheet = next(t for t in texts if SHEETS[2] in t)
    assert re.search(r"ZG-2023-\d{4}", sheet)


def test_the_unit_pack_says_who_filled_it_in_on_every_list(rendered: Rendered) -> None:
    """Each of the four lists prints 填报单位, 填报人 and 填报日期 under its title."""
    day = f"{rendered.today.year}年{rendered.today.month}月{rendered.today.day}日"
    texts = rendered.page_texts(rendered.pack)
    for name, _ in PACK_SHEETS:
        page = next(squeezed(t) for t in texts if f"{rendered.unit_name}{name}" in squeezed(t))
        assert f"填报单位：{rendered.unit_name}" in page, name
        assert re.search(r"填报人：\S+填报日期", page), name
        assert f"填报日期：{day}" in page, name


def test_items_that_ended_without_close_show_no_light(rendered: Rendered) -> None:
    """An item ended without 销号 (撤销, 合并) prints — under 预警, no 绿灯 or any light; a
    销号 item prints its light."""
    lines = rendered.lines(rendered.ledger)

    def row_of(item: ItemView) -> str:
        found = [line for line in lines if re.match(rf"\d+ {item.number}(\s|$)", line)]
        assert len(found) == 1, item.number
        return found[0]

    ended = [
        i
        for i in rendered.items
        if i.state == "dismissed" or (i.closed_at is None and i.state in ("merged", "withdrawn"))
    ]
    assert ended  # the simulation dismisses one
    for item in ended:
        row = row_of(item)
        assert NO_LIGHT in row.split() and not any(word in row for word in LIGHT_WORDS), row
    closed = [i for i in rendered.items if i.closed_at is not None]
    assert closed and all(any(word in row_of(i).split() for word in LIGHT_WORDS) for i in closed)
