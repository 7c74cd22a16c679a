"""``zhenggai import``: problem lists from .xlsx and .csv, checked row by row and imported all or
nothing; hostile files (zip and XML bombs, formulas, merged cells, hidden sheets, huge row
counts) refused deliberately; the template; the 整改台账 export read back.

Library tests run on a virtual clock (2023-07-03) against SQLite and PostgreSQL; CLI tests use
the system clock, so their due dates lie in 2099 (see tests/test_cli.py).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import itertools
import subprocess
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from zhenggai.adapters import _import, _sheets
from zhenggai.adapters._import import (
    ImportFileError,
    IntakeRejected,
    Problem,
    Vocabulary,
    check_table,
    import_file,
    read_table,
)
from zhenggai.adapters.cli import main
from zhenggai.engine import Actor, Engine, ImportProblem, ImportRejected
from zhenggai.workflows import load_setup

from .conftest import Actors
from .test_cli import FUTURE, OFFICE, Run, dated_now

HEADERS = ["问题标题", "问题描述", "所属领域", "来源渠道", "问题程度", "责任单位", "整改时限", "牵头领导"]
OFFICE_ACTOR = Actors.office
_keys = itertools.count(1)


@pytest.fixture
def engine(module_engine: Engine) -> Engine:
    """One engine per module and backend; each test starts its own campaign (``key``)."""
    return module_engine


@pytest.fixture
def key(engine: Engine) -> str:
    """A fresh campaign of the built-in plan on the module's engine (clock at 2023-07-03)."""
    return engine.start_campaign(load_setup("county_2023"), key=f"imp{next(_keys)}").key


def good_rows() -> list[list[Any]]:
    """Three problems as officials write them: names (not keys), dates in several forms."""
    return [
        [
            "施工许可审批超时",
            "某项目施工许可审批超过法定时限 30 天",
            "工程领域专项整治",
            "公开举报电话",
            "一般",
            "县住建局",
            dt.date(2023, 8, 15),
            None,  # 领衔领导: only `item lead` names one (issue 16)
        ],
        [
            "窗口推诿扯皮",
            "政务服务中心窗口对企业材料一次不告知",
            "government_services",
            "forum",
            "较重",
            None,
            None,
            None,
        ],
        [
            "拖欠工程款",
            "原班子承诺的工程款至今未付",
            "“新官不理旧账”专项整治",
            "信访",
            None,
            "县财政局",
            "2023年8月31日",
            None,
        ],
    ]


def text_rows() -> list[list[Any]]:
    """``good_rows`` with every cell as text (a CSV file)."""
    return [
        [v.isoformat() if isinstance(v, dt.date) else ("" if v is None else v) for v in r]
        for r in good_rows()
    ]


def write_xlsx(
    path: Path, rows: Sequence[Sequence[Any]], headers: Sequence[Any] = HEADERS, *, title: str | None = None
) -> Path:
    """A workbook as openpyxl writes it (no cached formula values; real dates)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "问题清单"
    if title is not None:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def write_csv(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    encoding: str = "utf-8-sig",
    headers: Sequence[str] = HEADERS,
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def snapshot(engine: Engine, key: str) -> tuple[int, int, int]:
    """What an import may change: items, audit events, 关联研判 flags."""
    return (
        len(engine.items(key)),
        len(engine.events(campaign=key)),
        len(engine.duplicates(key, unresolved=False)),
    )


def rejected(engine: Engine, key: str, path: Path, **kwargs: Any) -> list[str]:
    """The problems of a refused import as the official reads them; the database unchanged."""
    before = snapshot(engine, key)
    with pytest.raises(IntakeRejected) as caught:
        import_file(engine, key, OFFICE_ACTOR, path, **kwargs)
    assert snapshot(engine, key) == before
    return [str(p) for p in caught.value.problems]


def refused(engine: Engine, key: str, path: Path, **kwargs: Any) -> str:
    """The one error of a file that cannot be read; the database unchanged."""
    before = snapshot(engine, key)
    with pytest.raises(ImportFileError) as caught:
        import_file(engine, key, OFFICE_ACTOR, path, **kwargs)
    assert snapshot(engine, key) == before
    return str(caught.value)


def fields(engine: Engine, key: str) -> list[tuple[Any, ...]]:
    return [
        (i.title, i.description, i.track, i.channel, i.severity, i.unit, i.due, i.leading_official)
        for i in engine.items(key)
    ]


EXPECTED = [
    (
        "施工许可审批超时",
        "某项目施工许可审批超过法定时限 30 天",
        "construction",
        "hotline",
        "normal",
        "housing_construction_bureau",
        dt.date(2023, 8, 15),
        None,
    ),
    (
        "窗口推诿扯皮",
        "政务服务中心窗口对企业材料一次不告知",
        "government_services",
        "forum",
        "serious",
        None,
        None,
        None,
    ),
    (
        "拖欠工程款",
        "原班子承诺的工程款至今未付",
        "legacy_commitments",
        "petition",
        "normal",
        "finance_bureau",
        dt.date(2023, 8, 31),
        None,
    ),
]


# --------------------------------------------------------------------------- good files


def test_xlsx_with_a_title_row_imports_every_row(engine: Engine, key: str, tmp_path: Path) -> None:
    """A title row (merged) above the header, an ignored 序号 column, real dates and text dates:
    every row imported; a row with a unit is assigned, the others wait in 已查摆."""
    headers = ["序号", *HEADERS]
    rows = [[n, *r] for n, r in enumerate(good_rows(), 1)]
    path = write_xlsx(tmp_path / "清单.xlsx", rows, headers, title="某县问题清单")
    done = import_file(engine, key, OFFICE_ACTOR, path)
    assert fields(engine, key) == EXPECTED
    assert [i.state for i in done.result.items] == ["assigned", "identified", "assigned"]
    assert [n for n, _ in done.intake.entries] == [3, 4, 5]  # Excel's row numbers
    assert done.intake.header_row == 2
    assert done.intake.ignored == ("序号",)
    assert done.intake.sheet == "问题清单"
    assert done.result.duplicates == ()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030", "gbk"])
def test_csv_in_every_encoding_excel_saves(engine: Engine, key: str, tmp_path: Path, encoding: str) -> None:
    """UTF-8 with and without BOM, and GBK/GB18030 (what Chinese Excel saves as CSV)."""
    path = write_csv(tmp_path / "清单.csv", text_rows(), encoding=encoding)
    done = import_file(engine, key, OFFICE_ACTOR, path)
    assert fields(engine, key) == EXPECTED
    assert done.intake.notes == (() if encoding.startswith("utf-8") else ("文件按 GB18030 编码读取",))


def test_excel_unicode_text_is_read(engine: Engine, key: str, tmp_path: Path) -> None:
    """Excel's "Unicode 文本" (.txt): UTF-16 with BOM, tab-separated."""
    lines = ["\t".join(HEADERS), *("\t".join(r) for r in text_rows())]
    path = tmp_path / "清单.txt"
    path.write_text("\r\n".join(lines), encoding="utf-16")
    done = import_file(engine, key, OFFICE_ACTOR, path)
    assert fields(engine, key) == EXPECTED
    assert done.intake.notes == ("文件按 UTF-16 编码读取",)


def test_neutralised_values_are_restored(engine: Engine, key: str, tmp_path: Path) -> None:
    """``'=…`` / ``'-…`` / ``'@…`` (the export's guard) read back without the apostrophe; other
    apostrophes stay."""
    rows = [
        ['\'=HYPERLINK("x")', "'-5 天仍未整改", "construction", "hotline", "", "", "", ""],
        ["'@某人 推诿", "'普通引号开头", "construction", "hotline", "", "", "", ""],
    ]
    import_file(engine, key, OFFICE_ACTOR, write_csv(tmp_path / "a.csv", rows))
    assert [(i.title, i.description) for i in engine.items(key)] == [
        ('=HYPERLINK("x")', "-5 天仍未整改"),
        ("@某人 推诿", "'普通引号开头"),
    ]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2023-08-15", dt.date(2023, 8, 15)),
        ("2023/8/15", dt.date(2023, 8, 15)),
        ("2023.8.5", dt.date(2023, 8, 5)),
        ("2023年8月15日", dt.date(2023, 8, 15)),
        ("２０２３年８月１５日", dt.date(2023, 8, 15)),
        ("20230815", dt.date(2023, 8, 15)),
        ("2023-08-15 (周二)", dt.date(2023, 8, 15)),
        ("2023年8月15日（星期二）", dt.date(2023, 8, 15)),
        ("2023-08-15 00:00:00", dt.date(2023, 8, 15)),
    ],
)
def test_due_dates_in_the_forms_officials_write(text: str, day: dt.date) -> None:
    assert _import._parse_due(text) == (day, None)


def test_formula_with_a_cached_value_uses_the_value(engine: Engine, key: str, tmp_path: Path) -> None:
    """A formula Excel has calculated imports as its result (``data_only``)."""
    path = tmp_path / "f.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("问题清单")
    ws.write_row(0, 0, HEADERS)
    ws.write_row(1, 0, ["标题", "描述", "construction", "hotline"])
    ws.write_formula(1, 0, '="审批"&"超时"', None, "审批超时")
    wb.close()
    import_file(engine, key, OFFICE_ACTOR, path)
    assert [i.title for i in engine.items(key)] == ["审批超时"]


# --------------------------------------------------------------------------- bad rows


def test_every_bad_row_is_listed_and_nothing_is_imported(engine: Engine, key: str, tmp_path: Path) -> None:
    """Bad dates, unknown names, missing texts, dates without a unit, an over-long title and a
    duplicate row: all of them, in row and column order, with Excel's row numbers."""
    ok = ["标题", "描述", "construction", "hotline", None, "县住建局", "2023-08-15", None]
    rows: list[list[Any]] = [
        ok,
        ["标题二", "描述", "工程", "举报电话", "很严重", "县住房和城乡建设局", "2023-02-30", None],
        ["", "  ", "construction", "hotline", None, None, "2023-08-15", "李四"],
        ["标题四", "描述", "construction", "hotline", None, "县住建局", "下周五", None],
        ["标题五", "描述", "construction", "hotline", None, "县住建局", "2023-06-30", None],
        ["标题六", "描述", "construction", "hotline", None, "县住建局", "2023-08-15 (周三)", None],
        ["标" * 201, "描述", "construction", "hotline", None, "县住建局", 45153, None],
        ok,
    ]
    assert rejected(engine, key, write_xlsx(tmp_path / "bad.xlsx", rows)) == [
        (
            "第3行 [所属领域]: 未知的所属领域「工程」, 是否为: 工程领域专项整治? (可填: “股梗阻”专项整治、"
            "“新官不理旧账”专项整治、工程领域专项整治、要素保障专项整治、政务服务专项整治、法治保障专项整治)"
        ),
        (
            "第3行 [来源渠道]: 未知的来源渠道「举报电话」, 是否为: 公开举报电话? "
            "(可填的名称见导入模板的填写说明: zhenggai import --template 文件.xlsx)"
        ),
        "第3行 [问题程度]: 未知的问题程度「很严重」, 是否为: 严重? (可填: 一般、较重、严重)",
        (
            "第3行 [责任单位]: 未知的责任单位「县住房和城乡建设局」, 是否为: 县住建局? "
            "(可填的名称见导入模板的填写说明: zhenggai import --template 文件.xlsx)"
        ),
        "第3行 [整改时限]: 没有这一天「2023-02-30」",
        "第4行 [问题标题]: 必填, 不能为空",
        "第4行 [问题描述]: 必填, 不能为空",
        "第4行 [整改时限]: 填写了整改时限, 但没有填写责任单位 (交办时才有整改时限)",
        "第4行 [牵头领导]: 填写了牵头领导, 但没有填写责任单位 (交办时才有牵头领导)",
        "第5行 [整改时限]: 日期无法识别「下周五」(可写作 2023-08-15、2023/8/15 或 2023年8月15日)",
        "第5行 [整改时限]: 整改时限 2023-06-30 早于今天 2023-07-03".replace("第5行", "第6行"),
        "第7行 [整改时限]: 2023-08-15 是周二, 不是周三「2023-08-15 (周三)」",
        "第8行 [问题标题]: 过长 (201 字, 最多 200 字)",
        "第8行 [整改时限]: 须为日期, 如 2023-08-15 (收到 45153; 若为 Excel 日期, 请把单元格格式设为日期)",
        "第9行 [整行]: 与第2行重复",
    ]


def test_wrong_headers_are_named(engine: Engine, key: str, tmp_path: Path) -> None:
    """No header in the first rows: said so, with the required columns; a header missing
    required columns or naming one twice: each named."""
    path = write_xlsx(tmp_path / "none.xlsx", [["a", "b"]], ["标题", "描述", "专项", "渠道"])
    assert rejected(engine, key, path) == [
        "第1行 [表头]: 前 10 行中没有找到表头 (须有列: 问题标题、问题描述、所属领域、来源渠道)"
    ]
    path = write_xlsx(
        tmp_path / "some.xlsx", [["a", "b", "张", "李"]], ["问题标题", "问题描述*", "牵头领导", "领衔领导"]
    )
    assert rejected(engine, key, path) == [
        "第1行 [领衔领导]: 与「牵头领导」列重复 (都是牵头领导), 请只保留一列",
        "第1行 [所属领域]: 缺少此列",
        "第1行 [来源渠道]: 缺少此列",
    ]


def test_the_header_is_looked_for_in_the_first_ten_rows(tmp_path: Path) -> None:
    vocabulary = Vocabulary({"t": "专项甲"}, {"c": "渠道"}, {}, {}, dt.date(2023, 7, 3))
    for title_rows, found in ((8, True), (9, False)):  # plus the file's first line: the header on row 10, 11
        rows = [[f"说明{n}"] for n in range(title_rows)]
        path = write_csv(
            tmp_path / f"h{title_rows}.csv", [*rows, HEADERS[:4], ["题", "述", "t", "c"]], headers=["标题行"]
        )
        intake = check_table(read_table(path), vocabulary, path=path)
        if found:
            assert (intake.header_row, len(intake.entries), intake.problems) == (title_rows + 2, 1, ())
        else:
            assert [str(p) for p in intake.problems] == [
                "第1行 [表头]: 前 10 行中没有找到表头 (须有列: 问题标题、问题描述、所属领域、来源渠道)"
            ]


def test_duplicate_rows_inside_the_file(engine: Engine, key: str, tmp_path: Path) -> None:
    """Exact duplicates (ignoring white space and the 序号 column) name the first row."""
    row = ["审批超时", "描述", "construction", "hotline", "", "", "", ""]
    rows = [["1", *row], ["2", *row], ["3", *row[:1], "另一描述", *row[2:]], ["4", " 审批超时 ", *row[1:]]]
    path = write_csv(tmp_path / "dup.csv", rows, headers=["序号", *HEADERS])
    assert rejected(engine, key, path) == ["第3行 [整行]: 与第2行重复", "第5行 [整行]: 与第2行重复"]


def test_an_engine_refusal_is_mapped_to_rows_and_columns(
    engine: Engine, key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Problems the engine finds (entry index, field) come back as Excel rows and the file's headers."""
    path = write_csv(tmp_path / "a.csv", text_rows(), headers=[*HEADERS[:-1], "领衔领导"])

    def refuse(campaign: str, actor: Actor, entries: Sequence[Any]) -> Any:
        assert len(entries) == 3
        raise ImportRejected(
            [ImportProblem(2, "leading_official", "不认识"), ImportProblem(0, "unit", "不收")]
        )

    monkeypatch.setattr(engine, "import_items", refuse)
    assert rejected(engine, key, path) == ["第4行 [领衔领导]: 不认识", "第2行 [责任单位]: 不收"]


# ---------------------------------------------------------------------- spreadsheet rules


def test_a_formula_without_a_cached_value_is_an_error_of_its_cell(
    engine: Engine, key: str, tmp_path: Path
) -> None:
    rows = [["=B2", "描述", "construction", "hotline"], ["标题", "描述", "construction", "=1/0"]]
    path = write_xlsx(tmp_path / "f.xlsx", rows)
    assert rejected(engine, key, path) == [
        "第2行 [问题标题]: 公式没有计算结果, 请另存为数值",
        "第3行 [来源渠道]: 公式没有计算结果, 请另存为数值",
    ]


def test_an_error_value_is_an_error_of_its_cell(engine: Engine, key: str, tmp_path: Path) -> None:
    path = tmp_path / "e.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, HEADERS)
    ws.write_row(1, 0, ["标题", "描述", "construction", "hotline"])
    ws.write_formula(1, 1, "=1/0", None, "#DIV/0!")
    wb.close()
    assert rejected(engine, key, path) == ["第2行 [问题描述]: 单元格是错误值 #DIV/0!, 请改正后另存"]


def test_merged_cells_in_the_data_are_refused_with_the_range(
    engine: Engine, key: str, tmp_path: Path
) -> None:
    path = tmp_path / "m.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADERS)
    ws.append(["标题一", "描述", "construction", "hotline"])
    ws.append(["标题二", "描述", None, "hotline"])
    ws.merge_cells("C2:C3")
    ws.merge_cells("E1:F1")
    wb.save(path)
    assert rejected(engine, key, path) == [
        "第1行 [问题程度]: 合并单元格 E1:F1: 合并的单元格只有第一格有内容, 请取消合并, 在每一行填写完整后再导入",
        "第2行 [所属领域]: 合并单元格 C2:C3: 合并的单元格只有第一格有内容, 请取消合并, 在每一行填写完整后再导入",
        "第3行 [所属领域]: 必填, 不能为空",
    ]


def test_only_the_first_visible_sheet_is_read(engine: Engine, key: str, tmp_path: Path) -> None:
    """A hidden first sheet (with rows that would fail) and a later visible sheet are not read,
    and the notes say so."""
    path = tmp_path / "h.xlsx"
    wb = openpyxl.Workbook()
    hidden = wb.active
    assert hidden is not None
    hidden.title = "旧数据"
    hidden.append(HEADERS)
    hidden.append(["x", "y", "不存在", "不存在"])
    hidden.sheet_state = "hidden"
    sheet = wb.create_sheet("问题清单")
    sheet.append(HEADERS)
    for row in good_rows():
        sheet.append(row)
    wb.create_sheet("说明").append(["随便写的"])
    wb.save(path)
    done = import_file(engine, key, OFFICE_ACTOR, path)
    assert fields(engine, key) == EXPECTED
    assert done.intake.notes == ("已忽略隐藏的工作表: 旧数据", "只读取第一个工作表「问题清单」, 未读取: 说明")


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_empty_files_are_refused(engine: Engine, key: str, tmp_path: Path, kind: str) -> None:
    empty = tmp_path / f"empty.{kind}"
    empty.write_bytes(b"")
    assert refused(engine, key, empty) == f"文件是空的: {empty}"
    only_header = tmp_path / f"header.{kind}"
    if kind == "xlsx":
        write_xlsx(only_header, [[None, None], ["1"]], ["序号", *HEADERS])
    else:
        write_csv(only_header, [[], ["", " ", ""]])
    assert refused(engine, key, only_header) == f"header.{kind} 第1行表头下面没有数据行"
    blank = tmp_path / f"blank.{kind}"
    if kind == "xlsx":
        openpyxl.Workbook().save(blank)
    else:
        blank.write_text("\n , \n\n", encoding="utf-8")
    assert refused(engine, key, blank) == f"blank.{kind} 没有任何内容"


# ---------------------------------------------------------------------------- caps and bombs


def test_a_declared_huge_sheet_is_refused_before_its_rows_are_read(
    engine: Engine, key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """XlsxWriter declares the sheet's dimension; 20,001 data rows are refused from it, before
    a single row is read (reading one fails the test)."""
    path = tmp_path / "big.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("问题清单")
    ws.write_row(0, 0, HEADERS)
    for n in range(1, 20_012):
        ws.write_row(n, 0, [f"问题{n}", "描述", "construction", "hotline"])
    wb.close()

    def no_row(*args: object) -> object:
        raise AssertionError("a row was read before the declared size was checked")

    monkeypatch.setattr(_sheets, "_row_values", no_row)
    assert (
        refused(engine, key, path)
        == "工作表「问题清单」有 20012 行 (最多 20000 行数据), 请分批导入或删除多余的空行"
    )


def test_rows_beyond_the_cap_are_refused_while_reading(engine: Engine, key: str, tmp_path: Path) -> None:
    """Without a declared dimension (openpyxl's write-only mode writes none) the reader counts:
    past the cap it stops."""
    path = tmp_path / "nodim.xlsx"
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("问题清单")
    ws.append(HEADERS)
    for n in range(70):
        ws.append([f"问题{n}", "描述", "construction", "hotline"])
    wb.save(path)
    assert openpyxl.load_workbook(path, read_only=True).worksheets[0].max_row is None
    assert refused(engine, key, path, max_rows=50) == "工作表「问题清单」超过 50 行数据, 拒绝读取, 请分批导入"
    assert len(read_table(path, max_rows=61).rows) == 71  # the header and 70 rows: within 61 + 10 header rows


def test_more_than_100_columns_are_refused(engine: Engine, key: str, tmp_path: Path) -> None:
    """Declared by the sheet (refused before reading rows), or found in a CSV row."""
    path = tmp_path / "wide.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("问题清单")
    ws.write_row(0, 0, HEADERS)
    ws.write_string(1, 149, "备注")
    wb.close()
    assert refused(engine, key, path) == "工作表「问题清单」有 150 列 (最多 100 列), 请删除多余的列"
    wide = write_csv(tmp_path / "wide.csv", [["题", "述", "construction", "hotline", *[""] * 96, "备注"]])
    assert refused(engine, key, wide) == "第2行有 101 列: 表格最多 100 列"


def test_a_csv_of_20001_rows_is_refused(engine: Engine, key: str, tmp_path: Path) -> None:
    rows = [[f"问题{n}", "描述", "construction", "hotline"] for n in range(20_001)]
    path = write_csv(tmp_path / "big.csv", rows, headers=HEADERS[:4])
    assert refused(engine, key, path) == "big.csv 有 20001 行数据 (最多 20000 行), 请分批导入"


def bomb(path: Path, *, megabytes: int) -> Path:
    """A workbook whose sheet XML inflates to ``megabytes`` MiB of one repeated row."""
    good = write_xlsx(path.with_suffix(".seed.xlsx"), [])
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info, src.read(info))
        row = b'<row><c t="inlineStr"><is><t>' + b"A" * 1000 + b"</t></is></c></row>"
        head = (
            b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            b'2006/main"><sheetData>'
        )
        with dst.open(zipfile.ZipInfo("xl/worksheets/sheet1.xml"), "w", force_zip64=True) as member:
            member.write(head)
            for _ in range(megabytes * 1024):
                member.write(row)
            member.write(b"</sheetData></worksheet>")
    return path


MIB = 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"
LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b"]>\n"
)


def replaced(path: Path, name: str, write: Any, *, compress: int = zipfile.ZIP_DEFLATED) -> Path:
    """A copy of a good workbook with member ``name`` written by ``write(stream)`` (streamed:
    a bomb is never whole in memory)."""
    seed = write_xlsx(path.with_name(path.stem + "-seed.xlsx"), [["标题", "描述", "construction", "hotline"]])
    with zipfile.ZipFile(seed) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != name:
                dst.writestr(info, src.read(info))
        info = zipfile.ZipInfo(name)
        info.compress_type = compress
        with dst.open(info, "w", force_zip64=True) as member:
            write(member)
    return path


def inflating_sheet(megabytes: int) -> Any:
    """A sheet of ``megabytes`` MiB: one row repeated, packed a thousand to one."""
    row = b'<row><c t="inlineStr"><is><t>' + b"A" * 990 + b"</t></is></c></row>"

    def write(member: Any) -> None:
        member.write(SHEET_HEAD)
        for _ in range(megabytes * 1024):
            member.write(row)
        member.write(SHEET_TAIL)

    return write


@contextlib.contextmanager
def quick_and_small(seconds: float = 30.0, peak: int = 16 * MIB) -> Iterator[None]:
    """The block allocates at most ``peak`` bytes at once: a bomb is refused without being
    unpacked. ``seconds`` is only a hang guard, far above the second or so it takes (no speed
    target in the test suite; a machine under load must not fail it)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < seconds, elapsed
    assert top < peak, top


def test_a_zip_bomb_is_refused_in_seconds_with_little_memory(
    engine: Engine, key: str, tmp_path: Path
) -> None:
    """A sheet that inflates to 200 MiB (from about 200 KiB) is refused from the zip directory."""
    path = replaced(tmp_path / "bomb.xlsx", SHEET, inflating_sheet(200))
    assert path.stat().st_size < 2 * MIB
    with quick_and_small():
        message = refused(engine, key, path)
    assert message == "bomb.xlsx 解压后超过 64 MiB, 拒绝读取 (疑似压缩炸弹, 或表格过大请分批导入)"


def test_a_member_packed_too_tightly_is_refused(engine: Engine, key: str, tmp_path: Path) -> None:
    """Under the total cap, but 20 MiB from a few KiB: the ratio gives it away."""
    path = replaced(tmp_path / "dense.xlsx", SHEET, inflating_sheet(20))
    with quick_and_small():
        message = refused(engine, key, path)
    assert message.startswith(f"dense.xlsx 的部件 {SHEET} 压缩比异常 (")
    assert message.endswith(":1), 拒绝读取 (疑似压缩炸弹)")


def test_a_member_larger_than_its_directory_says_fails_its_check(
    engine: Engine, key: str, tmp_path: Path
) -> None:
    """The zip directory understates a member's size: zipfile stops at the declared size and the
    CRC check fails; nothing inflates further."""
    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n * 7919) for n in range(1, 200_000)
    )
    path = tmp_path / "liar.xlsx"
    seed = write_xlsx(tmp_path / "seed.xlsx", [])
    with zipfile.ZipFile(seed) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, SHEET_HEAD + rows + SHEET_TAIL if info.filename == SHEET else src.read(info))
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02")  # the central directory's entries: find the sheet's
    while not data[entry + 46 :].startswith(SHEET.encode()):
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 24 : entry + 28] = (1000).to_bytes(4, "little")  # uncompressed size, as the directory says
    path.write_bytes(bytes(data))
    assert zipfile.ZipFile(path).getinfo(SHEET).file_size == 1000
    with quick_and_small():
        message = refused(engine, key, path)
    assert message.startswith("liar.xlsx 已损坏, 无法读取 (Bad CRC-32 for file 'xl/worksheets/sheet1.xml')")


@pytest.mark.parametrize("member", [SHEET, "xl/sharedStrings.xml", "xl/workbook.xml"])
def test_an_xml_bomb_is_refused_before_parsing(engine: Engine, key: str, tmp_path: Path, member: str) -> None:
    """Billion laughs: any part with a DTD is refused by the scan, in no time."""

    def write(stream: Any) -> None:
        stream.write(
            LAUGHS + SHEET_HEAD.split(b"\n", 1)[1] + b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;'
            b"</t></is></c></row>" + SHEET_TAIL
        )

    path = replaced(tmp_path / "laughs.xlsx", member, write)
    with quick_and_small(peak=4 * MIB):
        message = refused(engine, key, path)
    assert (
        message
        == f"laughs.xlsx 的部件 {member} 含有 DTD 声明 (<!DOCTYPE / <!ENTITY), 拒绝读取 (疑似 XML 炸弹)"
    )


def test_openpyxl_parses_with_defusedxml() -> None:
    """The second line of defence: openpyxl's sheet and shared-string parser is defusedxml's."""
    import defusedxml.ElementTree
    import openpyxl.reader.strings
    import openpyxl.worksheet._reader
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True
    assert openpyxl.worksheet._reader.iterparse is defusedxml.ElementTree.iterparse
    assert openpyxl.reader.strings.iterparse is defusedxml.ElementTree.iterparse
    assert _import.openpyxl_module() is openpyxl


def test_without_the_scan_defusedxml_still_refuses_the_bomb(
    engine: Engine, key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With our DTD scan switched off, openpyxl (through defusedxml) refuses the entities."""

    def write(stream: Any) -> None:
        stream.write(
            LAUGHS + SHEET_HEAD.split(b"\n", 1)[1] + b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;'
            b"</t></is></c></row>" + SHEET_TAIL
        )

    path = replaced(tmp_path / "laughs.xlsx", SHEET, write)
    monkeypatch.setattr(_sheets, "_check_zip", lambda path: None)
    with quick_and_small(peak=8 * MIB):
        message = refused(engine, key, path)
    assert message.startswith("laughs.xlsx 无法作为 .xlsx 读取: XML 含有被禁止的结构 (EntitiesForbidden: ")
    assert message.endswith("疑似 XML 炸弹")


def test_no_xlsx_is_read_without_defusedxml(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import openpyxl.xml

    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    path = write_xlsx(tmp_path / "a.xlsx", good_rows())
    with pytest.raises(ImportFileError, match=r"读取 \.xlsx 需要 defusedxml 的防护"):
        read_table(path)


def test_files_that_are_not_workbooks(engine: Engine, key: str, tmp_path: Path) -> None:
    """Not a zip; an encrypted workbook (an OLE file, like an old .xls); an encrypted zip
    member; a truncated zip; an unknown file type; a missing file."""
    plain = tmp_path / "plain.xlsx"
    plain.write_text("问题标题,问题描述\n", encoding="utf-8")
    assert (
        refused(engine, key, plain)
        == "plain.xlsx 不是有效的 .xlsx 文件 (不是 zip 格式), 请在 Excel 中另存为 .xlsx"
    )
    ole = tmp_path / "locked.xlsx"
    ole.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504))
    assert refused(engine, key, ole) == (
        "locked.xlsx 是加密的工作簿或旧版 .xls 文件, 无法读取: 请在 Excel 中取消密码, 另存为 .xlsx 后再导入"
    )
    flagged = tmp_path / "flagged.xlsx"
    data = bytearray(write_xlsx(tmp_path / "f.xlsx", good_rows()).read_bytes())
    at = data.index(b"PK\x01\x02")
    data[at + 8] |= 1  # the first member's "encrypted" flag in the central directory
    flagged.write_bytes(bytes(data))
    assert refused(engine, key, flagged) == "flagged.xlsx 是加密的, 无法读取: 请取消密码后另存为 .xlsx"
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(write_xlsx(tmp_path / "c.xlsx", good_rows()).read_bytes()[:600])
    assert refused(engine, key, cut).startswith("cut.xlsx 已损坏, 无法读取 (")
    other = tmp_path / "list.docx"
    other.write_text("x", encoding="utf-8")
    assert refused(engine, key, other) == "不支持的文件类型: list.docx (请用 .xlsx 或 .csv)"
    assert refused(engine, key, tmp_path / "missing.csv") == f"文件不存在: {tmp_path / 'missing.csv'}"


def test_a_csv_in_an_unknown_encoding_is_refused(engine: Engine, key: str, tmp_path: Path) -> None:
    path = tmp_path / "bytes.csv"
    path.write_bytes(b"\x81\x30\xff\xfe\x00,\x80\x80\n")
    assert refused(engine, key, path) == (
        "bytes.csv 的编码无法识别 (不是 UTF-8 也不是 GBK/GB18030), 请另存为 UTF-8 CSV"
    )


# ------------------------------------------------------------------- 关联研判 and round trip


def test_importing_the_same_file_twice_flags_every_row(engine: Engine, key: str, tmp_path: Path) -> None:
    """The second import is written (nothing merged) and each row is flagged against the first's."""
    path = write_xlsx(tmp_path / "a.xlsx", good_rows())
    first = import_file(engine, key, OFFICE_ACTOR, path)
    assert first.result.duplicates == ()
    second = import_file(engine, key, OFFICE_ACTOR, path)
    pairs = [(d.item_id, d.other_id, d.score) for d in second.result.duplicates]
    assert pairs == [
        (new.id, old.id, 1.0) for new, old in zip(second.result.items, first.result.items, strict=True)
    ]
    assert len(engine.items(key)) == 6
    assert all(i.merged_into is None for i in engine.items(key))
    assert [d.item_id for d in engine.duplicates(key)] == [i.id for i in second.result.items]


def test_the_ledger_export_reads_back(engine: Engine, key: str, tmp_path: Path) -> None:
    """整改台账 → import into a fresh campaign: title, description, track, channel, severity, unit,
    due and 牵头领导 come back; its other columns are named as ignored; neutralised texts restored."""
    from zhenggai.adapters.reports.ledger import write_ledger

    office = OFFICE_ACTOR
    a = engine.report(
        key,
        office,
        title="=SUM(A1:A9) 审批超时",
        description="-项目审批超时",
        track="construction",
        channel="hotline",
        severity="critical",
    )
    engine.assign(a.id, office, unit="housing_construction_bureau", due="2023-08-15")
    engine.add_measure(a.id, Actors.unit(), text="限期办结")
    b = engine.report(
        key, office, title="窗口推诿", description="一次不告知", track="government_services", channel="forum"
    )
    engine.assign(b.id, office, unit="government_service_center")  # due by the plan's rule
    engine.report(
        key,
        office,
        title="拖欠工程款",
        description="原班子承诺未兑现",
        track="legacy_commitments",
        channel="petition",
        severity="serious",
    )
    [ledger] = write_ledger(engine, key, tmp_path / "out")
    fresh = engine.start_campaign(load_setup("county_2023"), key=f"imp{next(_keys)}").key
    done = import_file(engine, fresh, office, ledger)
    assert fields(engine, fresh) == fields(engine, key)
    assert fields(engine, fresh)[0][:2] == ("=SUM(A1:A9) 审批超时", "-项目审批超时")
    assert done.intake.header_row == 3
    assert done.intake.ignored == (
        "序号",
        "问题编号",
        "整改措施",
        "状态",
        "预警",
        "督办等级",
        "销号日期",
        "回头看次数",
        "领导批示",  # issue 17's columns: the ledger's own record, not an item's fields
        "延期",
        "退单",
        "主办单位",
        "协办单位",
        "佐证材料",
    )


# ------------------------------------------------------------------------------- the CLI


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """``zhenggai --db <fresh SQLite file> ARGS`` in-process, on a database with one campaign."""
    for name in ("ZHENGGAI_DB", "ZHENGGAI_ACTOR", "ZHENGGAI_ROLE", "ZHENGGAI_UNIT"):
        monkeypatch.delenv(name, raising=False)
    db = str(tmp_path / "zhenggai.db")

    def run(*argv: str) -> Run:
        code = main(["--db", db, *argv])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    assert run("init", *dated_now()).code == 0
    return run


def cli_rows() -> list[list[str]]:
    return [
        [
            "施工许可审批超时",
            "某项目施工许可审批超过法定时限 30 天",
            "工程领域专项整治",
            "公开举报电话",
            "一般",
            "县住建局",
            FUTURE,
            "",
        ],
        ["窗口推诿扯皮", "政务服务中心窗口对企业材料一次不告知", "政务服务专项整治", "座谈", "", "", "", ""],
    ]


def test_cli_imports_and_reports_duplicates(cli: Any, tmp_path: Path) -> None:
    """Success: what was read, what was imported; a second import shows each 疑似重复, unmerged."""
    path = write_csv(tmp_path / "清单.csv", cli_rows(), headers=[*HEADERS[:-1], "领衔领导"])
    first = cli("import", str(path), *OFFICE)
    assert first.code == 0, first.err
    assert first.out.splitlines() == [
        "已读取 清单.csv (表头在第1行, 2 行数据)",
        "已导入 2 个问题 (编号 1–2), 其中 1 个已交办责任单位",
    ]
    second = cli("import", str(path), *OFFICE)
    assert second.code == 0, second.err
    assert second.out.splitlines()[1:] == [
        "已导入 2 个问题 (编号 3–4), 其中 1 个已交办责任单位",
        "疑似重复: 新问题#3 与 #1 (相似度 1.00), 请人工研判 (「施工许可审批超时」/「施工许可审批超时」)",
        "疑似重复: 新问题#4 与 #2 (相似度 1.00), 请人工研判 (「窗口推诿扯皮」/「窗口推诿扯皮」)",
        "共 2 处疑似重复, 未自动合并: zhenggai duplicate list 查看, zhenggai duplicate resolve 编号 --merge 或 --distinct 研判",
    ]
    listed = cli("item", "list", "--json")
    assert [i["state"] for i in json_of(listed)] == ["assigned", "identified", "assigned", "identified"]
    flags = json_of(cli("duplicate", "list", "--json"))
    assert [(f["item_id"], f["other_id"], f["resolution"]) for f in flags] == [(3, 1, None), (4, 2, None)]


def json_of(run: Run) -> Any:
    assert run.code == 0, run.err
    return run.json()


def test_cli_lists_every_problem_and_imports_nothing(cli: Any, tmp_path: Path) -> None:
    rows = [*cli_rows(), ["", "描述", "工程", "座谈", "", "", "2020-01-01", ""]]
    path = write_xlsx(tmp_path / "bad.xlsx", [[n, *r] for n, r in enumerate(rows, 1)], ["序号", *HEADERS])
    result = cli("import", str(path), *OFFICE)
    assert result.code == 1
    assert result.out == "未导入的列: 序号\n"
    assert result.err.splitlines()[0] == "错误: 导入被拒绝, 文件中有 3 处问题, 未导入任何问题:"
    assert len(result.err.splitlines()) == 4
    path = write_xlsx(tmp_path / "bad2.xlsx", rows)
    result = cli("import", str(path), *OFFICE, "--json")
    assert result.code == 1
    assert result.json()["problems"] == [
        {"row": 4, "column": "问题标题", "reason": "必填, 不能为空"},
        {
            "row": 4,
            "column": "所属领域",
            "reason": "未知的所属领域「工程」, 是否为: 工程领域专项整治? (可填: "
            "“股梗阻”专项整治、“新官不理旧账”专项整治、工程领域专项整治、要素保障专项整治、政务服务专项整治、法治保障专项整治)",
        },
        {"row": 4, "column": "整改时限", "reason": result.json()["problems"][2]["reason"]},
    ]
    assert result.json()["problems"][2]["reason"].startswith("整改时限 2020-01-01 早于今天 ")
    assert json_of(cli("item", "list", "--json")) == []


def test_cli_template_lists_the_campaign_and_reads_back(cli: Any, tmp_path: Path) -> None:
    """The template: headers, drop-down lists fed from 填写说明, which lists the campaign's
    names; filled in, it imports; it never overwrites a file; it needs no actor."""
    path = tmp_path / "模板.xlsx"
    result = cli("import", "--template", str(path))
    assert result.code == 0, result.err
    assert result.out == f"已写出导入模板: {path} (专项行动 county_2023; 填写说明见第二个工作表)\n"
    wb = openpyxl.load_workbook(path)
    sheet, guide = wb.worksheets
    assert (sheet.title, guide.title) == ("问题清单", "填写说明")
    assert [c.value for c in sheet[1]] == HEADERS
    validations = {str(v.sqref): (v.type, v.formula1) for v in sheet.data_validations.dataValidation}
    guide_rows = list(guide.iter_rows(values_only=True))
    lists_at = next(
        n for n, row in enumerate(guide_rows, 1) if row[0] == "所属领域" and row[1] == "所属领域标识"
    )
    tracks = [row[0] for row in guide_rows[lists_at:] if row[0]]
    units = [row[6] for row in guide_rows[lists_at:] if row[6]]
    assert tracks[:3] == ["“股梗阻”专项整治", "“新官不理旧账”专项整治", "工程领域专项整治"]
    assert "县住建局" in units and len(units) == 37
    assert validations["C2:C20001"] == ("list", f"'填写说明'!$A${lists_at + 1}:$A${lists_at + 6}")
    assert validations["F2:F20001"] == ("list", f"'填写说明'!$G${lists_at + 1}:$G${lists_at + 37}")
    assert validations["G2:G20001"][0] == "date"
    assert validations["A2:A20001"] == ("textLength", "200")
    assert any("zhenggai import 文件.xlsx --campaign county_2023" in str(row[0]) for row in guide_rows)
    for row in cli_rows():
        sheet.append(row)
    wb.save(path)
    imported = cli("import", str(path), *OFFICE)
    assert imported.code == 0, imported.err
    assert "只读取第一个工作表「问题清单」, 未读取: 填写说明" in imported.out
    again = cli("import", "--template", str(path))
    assert again.code == 1 and again.err == f"错误: 文件已存在, 不覆盖: {path}\n"


def test_cli_usage(cli: Any, tmp_path: Path) -> None:
    """A file or --template, not both nor neither; importing needs an actor."""
    assert cli("import").code == 2
    assert cli("import", "a.csv", "--template", "b.xlsx").code == 2
    missing_actor = cli("import", "a.csv")
    assert missing_actor.code == 2 and "缺少操作人" in missing_actor.err
    assert cli("import", "--template", str(tmp_path / "t.csv")).err == "错误: 模板须为 .xlsx 文件: t.csv\n"
    assert (
        cli("import", str(tmp_path / "nope.csv"), *OFFICE).err
        == f"错误: 文件不存在: {tmp_path / 'nope.csv'}\n"
    )


def test_help_imports_no_spreadsheet_library() -> None:
    """``zhenggai --help`` and ``zhenggai import --help`` import neither openpyxl, XlsxWriter,
    defusedxml nor the engine's heavy dependencies."""
    code = """
import contextlib, io, sys
from zhenggai.adapters.cli import main
for argv in (["--help"], ["import", "--help"], ["import"]):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(argv) in (0, 2), argv
heavy = {"openpyxl", "xlsxwriter", "defusedxml", "lxml", "sqlalchemy", "sqlmodel", "pydantic", "docx"}
print(sorted(m for m in sys.modules if m.split(".")[0] in heavy))
"""
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_problem_lines_read_as_officials_expect() -> None:
    assert str(Problem(12, "整改时限", "日期无法识别")) == "第12行 [整改时限]: 日期无法识别"


def test_check_table_needs_no_database(tmp_path: Path) -> None:
    """The checker works on any vocabulary (keys and labels), without an engine."""
    vocabulary = Vocabulary({"t": "专项甲"}, {"c": "渠道"}, {"n": "一般"}, {"u": "单位"}, dt.date(2023, 7, 3))
    table = read_table(
        write_csv(tmp_path / "a.csv", [["题", "述", "专项甲", "c", "", "单位", "2023-07-03", ""]])
    )
    intake = check_table(table, vocabulary, path=tmp_path / "a.csv")
    assert intake.problems == ()
    assert [(n, e.track, e.channel, e.unit, e.due) for n, e in intake.entries] == [
        (2, "t", "c", "u", dt.date(2023, 7, 3))
    ]


def test_a_sheet_of_blank_rows_is_refused_at_the_blank_row_cap(
    engine: Engine, key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13, point 8: a header and then a hundred thousand empty rows, no declared
    dimension: the blank rows count against their own cap and the reader stops there instead of
    parsing to the end (a sheet of three million took 166 s before); the same for a CSV."""
    header = b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + "标题".encode() + b"</t></is></c></row>"

    def write(member: Any) -> None:
        member.write(SHEET_HEAD + header)
        for n in range(2, 100_002):
            member.write(b'<row r="%d"/>' % n)
        member.write(SHEET_TAIL)

    path = replaced(tmp_path / "blank.xlsx", SHEET, write)
    seen = []
    real = _sheets._row_values
    monkeypatch.setattr(
        _sheets, "_row_values", lambda number, cells: seen.append(number) or real(number, cells)
    )
    message = refused(engine, key, path)
    assert "超过 20000 个空行" in message and "请删除多余的空行" in message
    assert len(seen) <= _sheets.MAX_BLANK_ROWS + 2  # stopped at the cap, not at row 100,001
    blank_csv = tmp_path / "blank.csv"
    blank_csv.write_text("标题,描述\n" + ",\n" * 30_000, encoding="utf-8")
    assert "超过 20000 个空行" in refused(engine, key, blank_csv)
