"""整改台账 rows (issue 14, point 2): heights follow the wrapped text as a spreadsheet wraps it
(Chinese two units, ASCII one, a date never split), 问题编号 is the engine's number, and an item
that ended without 销号 shows no light. Files are read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from pathlib import Path

import openpyxl
import pytest
from zhenggai.adapters._tables import display_width
from zhenggai.adapters.reports import write_reports
from zhenggai.adapters.reports._files import Column, new_workbook, wrapped_lines, write_table
from zhenggai.adapters.reports.ledger import COLUMNS, LIGHT_STYLES, NO_LIGHT
from zhenggai.engine import Actor, Engine, VirtualClock
from zhenggai.testing import items_only
from zhenggai.workflows import load_setup

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
HOUSING = Actor("李科长", "responsible", "housing_construction_bureau")
LINE_HEIGHT = 14.5  # points per line of 11 pt text (adapters/reports/_files.py)
#: A 整改措施 with dates at the end of long Chinese lines: the text whose dates went missing.
LONG_MEASURE = (
    "对全县在建工程项目施工许可审批情况开展全面排查，逐一核实审批时限、办理环节和群众反映的问题，"
    "形成问题清单并明确整改责任人（时限2023-07-20 周四）【已完成 2023-07-19】"
)


def test_wrapped_lines_counts_chinese_twice_and_keeps_a_date_whole() -> None:
    """20 Chinese characters fill a 44-wide column's line, 21 need two; a date that would
    straddle the end of a line goes whole to the next; each newline starts a line."""
    assert wrapped_lines("", 44) == 1
    assert wrapped_lines("中" * 20, 44) == 1 and wrapped_lines("中" * 21, 44) == 2
    assert wrapped_lines("a" * 40, 44) == 1 and wrapped_lines("a" * 41, 44) == 2
    line = "中" * 18 + "2023-07-20"  # 36 + 10 units: the date does not fit after the Chinese
    assert wrapped_lines(line, 44) == 2
    assert wrapped_lines(line + "\n" + line, 44) == 4
    assert wrapped_lines("中" * 19 + "）", 44) == 1  # the closing bracket stays on its line


@pytest.mark.parametrize("width", [10, 17, 24, 44, 56])
def test_wrapped_lines_never_counts_fewer_than_the_plain_measure(width: int) -> None:
    """However words fall, the lines are at least the text's width over the column's."""
    for text in (
        LONG_MEASURE,
        "1. " + LONG_MEASURE + "\n2. 建立审批超时预警机制（时限2023-08-31 周四）【未完成】",
    ):
        plain = sum(math.ceil(display_width(p) / width) for p in text.split("\n"))
        assert wrapped_lines(text, width) >= plain


def test_row_heights_grow_with_the_wrapped_text(tmp_path: Path) -> None:
    """A sheet's row is as tall as its wrapped text: one line for a short measure, and every line
    of a long one with its dates (height ≥ lines × line height), more lines taller."""
    path = tmp_path / "rows.xlsx"
    columns = (Column("序号", 6), Column("整改措施", 44, wrap=True))
    texts = ["短", LONG_MEASURE, LONG_MEASURE + "\n" + LONG_MEASURE]
    workbook = new_workbook(path)
    try:
        write_table(workbook, "表", columns, [[n, t] for n, t in enumerate(texts, 1)], title="标题")
    finally:
        workbook.close()
    sheet = openpyxl.load_workbook(path)["表"]
    heights = [sheet.row_dimensions[row].height for row in (3, 4, 5)]
    for text, height in zip(texts, heights, strict=True):
        assert height is not None and height >= wrapped_lines(text, 44) * LINE_HEIGHT
    assert wrapped_lines(LONG_MEASURE, 44) >= 4
    assert heights[0] < heights[1] < heights[2]


def test_ledger_rows_numbers_and_lights(tmp_path: Path) -> None:
    """In the 整改台账: 问题编号 is the engine's number, the long measure's row is tall enough for
    all its lines, a dismissed item has no light (—, no fill) and one in hand its coloured light."""
    clock = VirtualClock(dt.datetime(2023, 7, 3, 9, tzinfo=SHANGHAI))
    engine = Engine(tmp_path / "zg.db", clock=clock)
    try:
        engine.start_campaign(items_only(load_setup("county_2023")), key="r")
        kept = engine.report(
            "r",
            OFFICE,
            title="审批超时",
            description="施工许可审批超时",
            track="construction",
            channel="hotline",
        )
        dropped = engine.report(
            "r", OFFICE, title="反映不实", description="经核查不属实", track="obstruction", channel="forum"
        )
        engine.assign(kept.id, OFFICE, unit=HOUSING.unit, due=dt.date(2023, 8, 15))
        engine.add_measure(kept.id, HOUSING, text=LONG_MEASURE, due=dt.date(2023, 7, 20))
        engine.dismiss(dropped.id, OFFICE, reason="经核查, 反映问题不属实")
        (path,) = write_reports(engine, "r", "ledger", tmp_path / "out")
        sheet = openpyxl.load_workbook(path)["整改台账"]
        headings = [c.heading for c in COLUMNS]
        number, light, measures = (headings.index(h) + 1 for h in ("问题编号", "预警", "整改措施"))
        assert [sheet.cell(r, number).value for r in (4, 5)] == ["ZG-2023-0001", "ZG-2023-0002"]
        text = sheet.cell(4, measures).value
        assert "2023-07-20" in text
        height = sheet.row_dimensions[4].height
        assert height is not None and height >= wrapped_lines(text, COLUMNS[measures - 1].width) * LINE_HEIGHT
        word, fill, _ = LIGHT_STYLES["green"]
        assert sheet.cell(4, light).value == word and sheet.cell(4, light).fill.fgColor.rgb == "FF" + fill[1:]
        assert sheet.cell(5, light).value == NO_LIGHT and sheet.cell(5, light).fill.fill_type is None
    finally:
        engine.dispose()
