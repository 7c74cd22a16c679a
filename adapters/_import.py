"""Intake of problem lists: ``zhenggai import FILE.xlsx|csv`` and its template.

Officials keep their problem lists (问题清单) in Excel. A file is read, every row is checked
against the campaign, and the rows are imported all or nothing by
:meth:`zhenggai.engine.Engine.import_items`; possible duplicates (关联研判) are flagged for a
person to judge, never merged.

Columns (the header row; order free; other columns are ignored and named as ignored)::

    表头        别名                            字段                必填  内容
    问题标题    -                               title               是    at most 200 characters
    问题描述    -                               description         是    at most 5000 characters
    所属领域    所属专项, 整治领域,              track               是    the track's name or key
                所属专项(整治领域)
    来源渠道    问题来源                        channel             是    the channel's label or key
    问题程度    -                               severity            否    label or key; empty: the plan's first
    责任单位    -                               unit                否    unit name or key; given: the item is assigned
    整改时限    -                               due                 否    a date; needs 责任单位; empty: the plan's rule
    牵头领导    领衔领导                        leading_official    否    needs 责任单位

A header may carry a ``*`` (required mark) or line breaks; full-width and half-width forms
are the same. Names and keys are matched ignoring white space, quotes and full/half width.
Dates: ``2023-08-15``, ``2023/8/15``, ``2023.8.15``, ``2023年8月15日``, ``20230815``, each
optionally followed by its weekday as the ledger prints it (``2023-08-15 (周二)``, checked), or
a real Excel date. ``未定``, ``无``, ``-`` in an optional column mean empty.

The 整改台账 export (:mod:`zhenggai.adapters.reports.ledger`) reads back as is: its 序号,
问题编号, 整改措施, 状态, 预警, 督办等级, 销号日期 and 回头看次数 columns are ignored (and
named so), a title row above the header is skipped (the header is looked for in the first
ten rows: the first row with at least two of the columns above), and a value the export
neutralised with a leading ``'`` (a text starting with ``= + - @``, tab or CR) is restored.

Deliberate rules for what spreadsheets can hold:

- only the first *visible* worksheet is read; hidden and further sheets are named as not read;
- formulas: the value Excel last calculated is used; a formula without one is an error for
  its cell ("公式没有计算结果, 请另存为数值"), as is an error value such as ``#REF!``;
- merged cells: refused with the range named when they reach the header or data rows (a
  merged title above the header is fine): a merged block holds its value in its first cell
  only, so the other rows would silently lose it;
- hidden rows and columns are read like any other (hiding is a display setting);
- blank rows are skipped; row numbers in messages are Excel's (the header's row + 1 onwards).

Safety, checked before openpyxl parses anything:

- the file is at most 32 MiB; an .xlsx must be a zip (an encrypted workbook or an old .xls is
  an OLE file and is refused with that said), at most 2000 members, none encrypted, only
  stored or deflated, at most 64 MiB unpacked in all, and no member over 1 MiB packed more
  than 100 to 1 (a zip bomb); the declared sizes are what :mod:`zipfile` enforces while
  reading (a member that inflates beyond its declared size fails its CRC check);
- every member is streamed once and refused if it holds a DTD (``<!DOCTYPE`` / ``<!ENTITY``):
  no part of an xlsx needs one, and entity expansion is how XML bombs work;
- openpyxl itself must run with defusedxml in place (``openpyxl.xml.DEFUSEDXML``; its sheet
  and shared-string parser is ``defusedxml.ElementTree.iterparse``, its other parts go
  through lxml with entity resolution off): :func:`openpyxl_module` refuses to read otherwise.
  We do not call ``defusedxml.defuse_stdlib()``: patching the standard library for the
  whole process is an import-time side effect; openpyxl's own switch is what it reads;
- the sheet's declared dimension and the rows actually read are capped at 20,000 data rows,
  and columns at 100; blank rows count too (at most 20,000 of them besides the data), so a
  sheet of millions of empty rows is refused after the cap, not read to its end; workbook read only (``read_only=True, data_only=True``), so memory
  stays flat.

CSV: UTF-8 with or without BOM, else GB18030 (which Chinese Excel's "CSV" is, a superset of
GBK), or UTF-16 with BOM; comma-separated, or tab-separated when the first line has more tabs
than commas; the same caps and rules.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ._names import lookup, nearest
from ._names import squash as _squash
from .cli import CliError

if TYPE_CHECKING:  # pragma: no cover - typing only
    from zhenggai.engine import Actor, Engine, ImportResult, NewItem

__all__ = [
    "COLUMNS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "Column",
    "ImportFileError",
    "Imported",
    "Intake",
    "IntakeRejected",
    "Problem",
    "Table",
    "Unreadable",
    "Vocabulary",
    "check_table",
    "data_rows",
    "header_of",
    "import_file",
    "lookup",
    "openpyxl_module",
    "ranked",
    "read_table",
    "repeated_row",
    "template_target",
    "write_list_template",
    "write_template",
]

MIB = 1024 * 1024
#: The largest file read (an .xlsx as stored, or a .csv).
MAX_FILE_BYTES = 32 * MIB
#: The most an .xlsx may unpack to, all members together.
MAX_UNPACKED_BYTES = 64 * MIB
#: A member larger than RATIO_FLOOR unpacked may be at most this many times its packed size.
MAX_RATIO = 100
RATIO_FLOOR = 1 * MIB
MAX_MEMBERS = 2000
#: Data rows (below the header) one file may hold.
MAX_ROWS = 20_000
#: Blank rows a file may hold besides its data rows (read, skipped, and counted: a sheet of
#: three million empty rows is refused at this cap instead of parsed for minutes).
MAX_BLANK_ROWS = 20_000
MAX_COLUMNS = 100
#: The header is looked for in this many rows from the top.
HEADER_ROWS = 10

NO_CACHED_VALUE = "公式没有计算结果, 请另存为数值"
#: What marks a whole-row problem in place of a column header.
WHOLE_ROW = "整行"
#: Values meaning "empty" in an optional column (the ledger prints 未定 for no due date).
_EMPTY_MARKS = frozenset({"-", "—", "–", "－", "/", "无", "未定", "未交办", "暂无"})
#: A spreadsheet reads a cell starting with one of these as a formula; the export puts ``'`` first.
_NEUTRALISED = ("'=", "'+", "'-", "'@", "'\t", "'\r")
_DTD_MARKS = tuple(
    mark.encode(encoding) for mark in ("<!DOCTYPE", "<!ENTITY") for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


class ImportFileError(CliError):
    """The file as a whole cannot be read (not a workbook, too large, a zip bomb, empty, …).

    One ``错误:`` line, exit 1; nothing imported."""


class IntakeRejected(CliError):
    """The file was read but has problems: all of them, each with its row and column.
    Nothing was imported."""

    def __init__(self, problems: Sequence[Problem], intake: Intake, what: str = "问题") -> None:
        super().__init__(f"导入被拒绝, 文件中有 {len(problems)} 处问题, 未导入任何{what}")
        self.problems = tuple(problems)
        self.intake = intake


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A cell whose value cannot be used (a formula without a cached value, an error value)."""

    reason: str


Value = str | int | float | bool | dt.datetime | dt.date | dt.time | dt.timedelta | Unreadable | None


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the problem list: its header, the other headers accepted for it, the
    :class:`~zhenggai.engine.NewItem` field it fills, and what the template says about it."""

    header: str
    field: str
    required: bool
    hint: str
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("问题标题", "title", True, "简要概括问题, 不超过 200 字"),
    Column("问题描述", "description", True, "问题的具体情况, 不超过 5000 字"),
    Column("所属领域", "track", True, "所属专项整治, 从下拉列表选择",
           ("所属专项", "整治领域", "所属专项(整治领域)")),
    Column("来源渠道", "channel", True, "问题来源, 从下拉列表选择", ("问题来源",)),
    Column("问题程度", "severity", False, "不填为实施方案的第一项"),
    Column("责任单位", "unit", False, "填写则导入时即交办该单位"),
    Column("整改时限", "due", False, "日期, 如 2023-08-15; 须同时填写责任单位; 不填按实施方案规定计算"),
    Column("牵头领导", "leading_official", False, "领衔督办的领导; 须同时填写责任单位", ("领衔领导",)),
)
_TEXT_LIMITS: Mapping[str, int] = {"title": 200, "description": 5000, "leading_official": 100}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the file: Excel row number, column header, reason (Chinese)."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"第{self.row}行 [{self.column}]: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Table:
    """The raw cells of the sheet read: ``rows`` as (Excel row number, values from column A),
    blank rows left out; ``merged`` the merged ranges (``A1:C1``); ``notes`` what the reader
    wants the official to know (sheets not read, the encoding it guessed)."""

    rows: tuple[tuple[int, tuple[Value, ...]], ...]
    sheet: str | None = None
    merged: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What a campaign accepts: key → label of its tracks, channels, severities and units, and
    today (in the campaign's timezone, by the engine's clock)."""

    tracks: Mapping[str, str]
    channels: Mapping[str, str]
    severities: Mapping[str, str]
    units: Mapping[str, str]
    today: dt.date

    @classmethod
    def load(cls, engine: Engine, campaign: str) -> Vocabulary:
        import zoneinfo

        from ._commands import Labels

        labels = Labels.load(engine, campaign)
        today = engine.clock.now().astimezone(zoneinfo.ZoneInfo(labels.campaign.timezone)).date()
        return cls(labels.tracks, labels.channels, labels.severities, labels.units, today)

    def choices(self, field_name: str) -> Mapping[str, str]:
        return {"track": self.tracks, "channel": self.channels, "severity": self.severities,
                "unit": self.units}[field_name]


@dataclass(frozen=True, slots=True)
class Intake:
    """A file read and checked against a campaign: the rows to import (Excel row number and
    entry), the header row, the columns ignored, the notes of the reader; or its problems."""

    path: Path
    sheet: str | None
    header_row: int
    entries: tuple[tuple[int, NewItem], ...]
    problems: tuple[Problem, ...]
    ignored: tuple[str, ...]
    notes: tuple[str, ...]
    #: field → the header the file uses for it (to name columns in messages).
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Imported:
    """An import done: what was read, and what the engine wrote and flagged."""

    intake: Intake
    result: ImportResult


# ------------------------------------------------------------------------------ reading


def read_table(path: Path, *, max_rows: int = MAX_ROWS) -> Table:
    """The cells of ``path`` (.xlsx or .csv), within the caps; :class:`ImportFileError` when
    the file cannot or must not be read."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except FileNotFoundError:
        raise ImportFileError(f"文件不存在: {path}") from None
    except IsADirectoryError:
        raise ImportFileError(f"不是文件: {path}") from None
    except OSError as err:
        raise ImportFileError(f"无法读取文件 {path}: {err.strerror or err}") from None
    if size == 0:
        raise ImportFileError(f"文件是空的: {path}")
    if size > MAX_FILE_BYTES:
        raise ImportFileError(f"文件过大: {size / MIB:.1f} MiB (最多 {MAX_FILE_BYTES // MIB} MiB), 请分批导入")
    suffix = path.suffix.lower()
    if head.startswith(_OLE_MAGIC):
        raise ImportFileError(
            f"{path.name} 是加密的工作簿或旧版 .xls 文件, 无法读取: 请在 Excel 中取消密码, 另存为 .xlsx 后再导入"
        )
    if head.startswith(b"PK"):
        return _read_xlsx(path, max_rows)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        raise ImportFileError(f"{path.name} 不是有效的 .xlsx 文件 (不是 zip 格式), 请在 Excel 中另存为 .xlsx")
    if suffix in (".csv", ".txt"):
        return _read_csv(path, max_rows)
    raise ImportFileError(f"不支持的文件类型: {path.name} (请用 .xlsx 或 .csv)")


def openpyxl_module() -> Any:
    """openpyxl, after checking that it parses with defusedxml (see the module docstring).

    Refused (:class:`ImportFileError`) when defusedxml is missing or switched off
    (``OPENPYXL_DEFUSEDXML=False``)."""
    import openpyxl
    import openpyxl.reader.strings
    import openpyxl.worksheet._reader
    import openpyxl.xml

    parsers = (openpyxl.worksheet._reader.iterparse, openpyxl.reader.strings.iterparse)
    if not openpyxl.xml.DEFUSEDXML or not all(p.__module__.startswith("defusedxml") for p in parsers):
        raise ImportFileError(
            "读取 .xlsx 需要 defusedxml 的防护 (XML 炸弹), 但它没有启用: 请安装 defusedxml, "
            "并不要设置 OPENPYXL_DEFUSEDXML=False"
        )
    return openpyxl


def _check_zip(path: Path) -> None:
    """The zip-level caps and the DTD scan (module docstring), before openpyxl opens it."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise ImportFileError(f"{path.name} 含有 {len(members)} 个部件 (最多 {MAX_MEMBERS}), 拒绝读取")
            total = 0
            for info in members:
                if info.flag_bits & 0x1:
                    raise ImportFileError(f"{path.name} 是加密的, 无法读取: 请取消密码后另存为 .xlsx")
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise ImportFileError(f"{path.name} 的部件 {info.filename} 使用了不支持的压缩方式")
                total += info.file_size
                if total > MAX_UNPACKED_BYTES:
                    raise ImportFileError(
                        f"{path.name} 解压后超过 {MAX_UNPACKED_BYTES // MIB} MiB, 拒绝读取 (疑似压缩炸弹, 或表格过大请分批导入)"
                    )
                if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise ImportFileError(
                        f"{path.name} 的部件 {info.filename} 压缩比异常 ({info.file_size // max(info.compress_size, 1)}:1), "
                        "拒绝读取 (疑似压缩炸弹)"
                    )
            for info in members:
                if not info.is_dir() and _holds_dtd(archive, info):
                    raise ImportFileError(
                        f"{path.name} 的部件 {info.filename} 含有 DTD 声明 (<!DOCTYPE / <!ENTITY), "
                        "拒绝读取 (疑似 XML 炸弹)"
                    )
    except zipfile.BadZipFile as err:
        raise ImportFileError(f"{path.name} 已损坏, 无法读取 ({err}); 请在 Excel 中另存为 .xlsx") from None
    except (OSError, EOFError, zipfile.LargeZipFile, NotImplementedError, RuntimeError) as err:
        raise ImportFileError(f"{path.name} 无法读取: {err}") from None


def _holds_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether the member holds a DTD mark, streamed in 1 MiB pieces (bounded memory);
    reading it through also checks its CRC, so a member that inflates past its declared
    size is refused by :mod:`zipfile`."""
    keep = max(len(mark) for mark in _DTD_MARKS) - 1
    tail = b""
    with archive.open(info) as member:
        while chunk := member.read(MIB):
            window = tail + chunk
            if any(mark in window for mark in _DTD_MARKS):
                return True
            tail = window[-keep:]
    return False


def _read_xlsx(path: Path, max_rows: int) -> Table:
    openpyxl = openpyxl_module()
    _check_zip(path)
    # The file is ours to close: openpyxl leaves its own open when a workbook fails to load.
    with path.open("rb") as handle, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about features it drops; they do not matter here
        try:
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True, keep_links=False)
        except Exception as err:  # noqa: BLE001 - whatever openpyxl raises on a malformed workbook
            raise ImportFileError(f"{path.name} 无法作为 .xlsx 读取: {_foreign(err)}") from None
        try:
            return _read_sheet(path, workbook, max_rows)
        finally:
            workbook.close()


def _foreign(err: BaseException) -> str:
    """A foreign exception in one line; defusedxml's (which openpyxl may wrap in its own)
    names the forbidden construct."""
    cause: BaseException | None = err
    while cause is not None:
        if type(cause).__module__.startswith("defusedxml"):
            return f"XML 含有被禁止的结构 ({type(cause).__name__}: {_one_line(cause)}), 疑似 XML 炸弹"
        cause = cause.__cause__ or cause.__context__
    text = _one_line(err)
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split())


def _read_sheet(path: Path, workbook: Any, max_rows: int) -> Table:
    sheets = list(workbook.worksheets)
    visible = [ws for ws in sheets if ws.sheet_state == "visible"]
    if not visible:
        raise ImportFileError(f"{path.name} 没有可见的工作表")
    sheet = visible[0]
    notes = []
    hidden = [ws.title for ws in sheets if ws.sheet_state != "visible"]
    others = [ws.title for ws in visible[1:]]
    if hidden:
        notes.append(f"已忽略隐藏的工作表: {'、'.join(hidden)}")
    if others:
        notes.append(f"只读取第一个工作表「{sheet.title}」, 未读取: {'、'.join(others)}")
    limit = max_rows + HEADER_ROWS
    declared_rows, declared_cols = sheet.max_row, sheet.max_column
    if declared_rows is not None and declared_rows > limit:
        raise ImportFileError(
            f"工作表「{sheet.title}」有 {declared_rows} 行 (最多 {max_rows} 行数据), 请分批导入或删除多余的空行"
        )
    if declared_cols is not None and declared_cols > MAX_COLUMNS:
        raise ImportFileError(
            f"工作表「{sheet.title}」有 {declared_cols} 列 (最多 {MAX_COLUMNS} 列), 请删除多余的列"
        )
    rows: list[tuple[int, tuple[Value, ...]]] = []
    parser = _sheet_parser(sheet)
    blank = 0
    try:
        for number, cells in parser.parse():
            values = _row_values(number, cells)
            if values is None:
                blank += 1
                if blank > MAX_BLANK_ROWS:
                    raise ImportFileError(_too_many_blank(f"工作表「{sheet.title}」", number))
                continue
            rows.append((number, values))
            if len(rows) > limit:
                raise ImportFileError(
                    f"工作表「{sheet.title}」超过 {max_rows} 行数据, 拒绝读取, 请分批导入"
                )
    except ImportFileError:
        raise
    except Exception as err:  # noqa: BLE001 - whatever openpyxl raises on a malformed sheet
        raise ImportFileError(f"工作表「{sheet.title}」无法读取: {_foreign(err)}") from None
    finally:
        parser.source.close()
    merges = parser.merged_cells
    merged = tuple(str(m.coord) for m in merges.mergeCell) if merges is not None else ()
    return Table(tuple(rows), sheet.title, merged, tuple(notes))


def _sheet_parser(sheet: Any) -> Any:
    """openpyxl's streaming sheet parser, with cached values (``data_only``), marking what
    it cannot give: a formula without a cached value, an error value."""
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]  # openpyxl is untyped
        def parse_cell(self, element: Any) -> Any:
            cell = super().parse_cell(element)
            if cell["data_type"] == "e":
                cell["value"] = Unreadable(f"单元格是错误值 {cell['value']}, 请改正后另存")
            elif cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["value"] = Unreadable(NO_CACHED_VALUE)
            return cell

    book = sheet.parent
    # The same arguments as openpyxl's own read-only sheet (worksheet/_read_only.py).
    return Parser(
        book._archive.open(sheet._worksheet_path), sheet._shared_strings, data_only=True, epoch=book.epoch,
        date_formats=book._date_formats, timedelta_formats=book._timedelta_formats,
    )


def _row_values(number: int, cells: Iterable[Mapping[str, Any]]) -> tuple[Value, ...] | None:
    """A parsed row as values from column A; None when it is blank."""
    values: dict[int, Value] = {}
    for cell in cells:
        value = cell["value"]
        if _blank(value):
            continue
        column = int(cell["column"])
        if column > MAX_COLUMNS:
            raise ImportFileError(f"第{number}行第{column}列有内容: 表格最多 {MAX_COLUMNS} 列")
        values[column] = value
    if not values:
        return None
    return tuple(values.get(c) for c in range(1, max(values) + 1))


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _too_many_blank(where: str, number: int) -> str:
    return (f"{where} 读到第{number}行已有超过 {MAX_BLANK_ROWS} 个空行, 拒绝读取:"
            " 请删除多余的空行 (在 Excel 中选中数据以下的行并删除) 后重试")


def _read_csv(path: Path, max_rows: int) -> Table:
    data = path.read_bytes()
    text, encoding = _decode(path, data)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    notes = [] if encoding in ("utf-8", "utf-8-sig") else [f"文件按 {encoding.upper()} 编码读取"]
    rows: list[tuple[int, tuple[Value, ...]]] = []
    limit = max_rows + HEADER_ROWS
    number = blank = 0
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
            if all(_blank(v) for v in record):
                blank += 1
                if blank > MAX_BLANK_ROWS:
                    raise ImportFileError(_too_many_blank(path.name, number))
                continue
            while record and _blank(record[-1]):
                record.pop()
            if len(record) > MAX_COLUMNS:
                raise ImportFileError(f"第{number}行有 {len(record)} 列: 表格最多 {MAX_COLUMNS} 列")
            rows.append((number, tuple(v if v.strip() else None for v in record)))
            if len(rows) > limit:
                raise ImportFileError(f"{path.name} 超过 {max_rows} 行数据, 拒绝读取, 请分批导入")
    except csv.Error as err:
        raise ImportFileError(f"{path.name} 第{number + 1}行无法读取: {err}") from None
    return Table(tuple(rows), None, (), tuple(notes))


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in (see the module docstring)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ImportFileError(f"{path.name} 的编码无法识别 (UTF-16 有误), 请另存为 UTF-8 CSV") from None
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ImportFileError(f"{path.name} 的编码无法识别 (不是 UTF-8 也不是 GBK/GB18030), 请另存为 UTF-8 CSV")


# ----------------------------------------------------------------------------- checking


def _header_key(text: str) -> str:
    return _squash(text).rstrip("*").removesuffix("(必填)").removesuffix("(选填)")


def _header_fields(layout: Sequence[Column]) -> dict[str, Column]:
    """Loosely compared header text (the header and its aliases) → its column."""
    return {_header_key(name): column for column in layout for name in (column.header, *column.aliases)}


def _find_header(
    table: Table, layout: Sequence[Column] = COLUMNS
) -> tuple[int, dict[str, tuple[int, str]], list[str], list[Problem]]:
    """The header row, field → (column index, header text), the ignored headers, and the
    header's problems (missing or repeated columns), for a sheet of the ``layout`` columns."""
    fields = _header_fields(layout)
    top = itertools.takewhile(lambda row: row[0] <= HEADER_ROWS, table.rows)
    header = next(
        (row for row in top if sum(isinstance(v, str) and _header_key(v) in fields for v in row[1]) >= 2), None
    )
    if header is None:
        first = table.rows[0][0] if table.rows else 1
        needed = "、".join(c.header for c in layout if c.required)
        return first, {}, [], [Problem(first, "表头", f"前 {HEADER_ROWS} 行中没有找到表头 (须有列: {needed})")]
    number, values = header
    columns: dict[str, tuple[int, str]] = {}
    ignored: list[str] = []
    problems: list[Problem] = []
    for index, value in enumerate(values):
        if _blank(value):
            continue
        text = " ".join(str(value).split())
        column = fields.get(_header_key(text)) if isinstance(value, str) else None
        if column is None:
            ignored.append(text)
        elif column.field in columns:
            earlier = columns[column.field][1]
            problems.append(Problem(number, text, f"与「{earlier}」列重复 (都是{column.header}), 请只保留一列"))
        else:
            columns[column.field] = (index, text)
    for column in layout:
        if column.required and column.field not in columns:
            problems.append(Problem(number, column.header, "缺少此列"))
    return number, columns, ignored, problems


def ranked(found: Sequence[Problem], columns: Mapping[str, tuple[int, str]]) -> tuple[Problem, ...]:
    """Problems in row order, and within a row in the sheet's column order (whole-row first)."""
    order = {text: i for i, (_, text) in enumerate(sorted(columns.values()))}
    return tuple(sorted(found, key=lambda p: (p.row, order.get(p.column, -1 if p.column == WHOLE_ROW else 999))))


def data_rows(
    table: Table, header_row: int, columns: Mapping[str, tuple[int, str]], *, path: Path, max_rows: int = MAX_ROWS
) -> list[tuple[int, dict[str, Value]]]:
    """The rows below the header as (Excel row number, field → value), values the export
    neutralised restored; rows with only ignored columns filled are left out. None at all, or
    more than ``max_rows``: :class:`ImportFileError`."""
    data = []
    for number, values in table.rows:
        if number <= header_row:
            continue
        cells = {name: values[i] if i < len(values) else None for name, (i, _) in columns.items()}
        if all(_blank(v) for v in cells.values()):
            continue  # a row with only ignored columns filled (a 序号 left in a template)
        data.append((number, {name: _restored(v) for name, v in cells.items()}))
    if not data:
        raise ImportFileError(f"{path.name} 第{header_row}行表头下面没有数据行")
    if len(data) > max_rows:
        raise ImportFileError(f"{path.name} 有 {len(data)} 行数据 (最多 {max_rows} 行), 请分批导入")
    return data


def check_table(
    table: Table, vocabulary: Vocabulary, *, path: Path, max_rows: int = MAX_ROWS, progress: TextIO | None = None
) -> Intake:
    """Every row of ``table`` checked against ``vocabulary``: the entries to import, or every
    problem (row, column, reason), in row and column order. With ``progress`` (standard
    error), a bar counts the data rows checked."""
    from zhenggai.engine import NewItem

    from ._progress import progress_bar

    header_row, columns, ignored, problems = header_of(table, COLUMNS, path=path)
    headers = {name: text for name, (_, text) in columns.items()}

    def intake(entries: Sequence[tuple[int, NewItem]], found: Sequence[Problem]) -> Intake:
        return Intake(path, table.sheet, header_row, tuple(entries), ranked(found, columns), tuple(ignored),
                      table.notes, headers)

    if problems:
        return intake((), problems)
    data = data_rows(table, header_row, columns, path=path, max_rows=max_rows)
    problems.extend(_merge_problems(table.merged, header_row, columns))
    entries: list[tuple[int, NewItem]] = []
    seen: dict[tuple[str, ...], int] = {}
    lookups = {name: lookup(vocabulary.choices(name)) for name in ("track", "channel", "severity", "unit")}
    with progress_bar(progress, total=len(data), desc="检查问题清单", unit="行") as bar:
        for number, cells in data:
            fields, found = _check_row(number, cells, headers, vocabulary, lookups)
            problems.extend(found)
            repeated = repeated_row(seen, number, cells, COLUMNS)
            if repeated is not None:
                problems.append(repeated)
            if not found:
                entries.append((number, NewItem(**fields)))
            bar.update(1)
    return intake(entries if not problems else (), problems)


def header_of(
    table: Table, layout: Sequence[Column], *, path: Path
) -> tuple[int, dict[str, tuple[int, str]], list[str], list[Problem]]:
    """:func:`_find_header` of a sheet that must not be empty."""
    if not table.rows:
        raise ImportFileError(f"{path.name} 没有任何内容")
    return _find_header(table, layout)


def repeated_row(
    seen: dict[tuple[str, ...], int], number: int, cells: Mapping[str, Value], layout: Sequence[Column]
) -> Problem | None:
    """``与第N行重复`` when row ``number`` repeats an earlier row of ``seen`` exactly (else it
    is remembered there)."""
    key = tuple(" ".join(_plain(cells.get(c.field)).split()) for c in layout)
    if key in seen:
        return Problem(number, WHOLE_ROW, f"与第{seen[key]}行重复")
    seen[key] = number
    return None


def _restored(value: Value) -> Value:
    """A value the export neutralised (``'=…``) back as it was."""
    if isinstance(value, str) and value.startswith(_NEUTRALISED):
        return value[1:]
    return value


def _merge_problems(merged: Sequence[str], header_row: int, columns: Mapping[str, tuple[int, str]]) -> list[Problem]:
    from openpyxl.utils.cell import range_boundaries

    by_index = {i: text for i, text in columns.values()}
    problems = []
    for ref in merged:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if max_row < header_row:
            continue  # a title above the header
        named = [by_index[c - 1] for c in range(min_col, max_col + 1) if c - 1 in by_index]
        problems.append(Problem(
            max(min_row, header_row), named[0] if named else WHOLE_ROW,
            f"合并单元格 {ref}: 合并的单元格只有第一格有内容, 请取消合并, 在每一行填写完整后再导入",
        ))
    return problems


def _plain(value: Value) -> str:
    """A cell as text: numbers without a spurious ``.0``, dates as ISO dates."""
    if value is None or isinstance(value, Unreadable):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _check_row(
    number: int, cells: Mapping[str, Value], headers: Mapping[str, str], vocabulary: Vocabulary,
    lookups: Mapping[str, Mapping[str, str]],
) -> tuple[dict[str, Any], list[Problem]]:
    """One data row: the NewItem fields, or its problems."""
    problems: list[Problem] = []
    fields: dict[str, Any] = {}
    by_field = {c.field: c for c in COLUMNS}

    def problem(name: str, reason: str) -> None:
        problems.append(Problem(number, headers.get(name, by_field[name].header), reason))

    for name, value in cells.items():
        column = by_field[name]
        if isinstance(value, Unreadable):
            problem(name, value.reason)
            continue
        if name == "due":
            text = _plain(value)
            if _blank(value) or text in _EMPTY_MARKS:
                fields[name] = None
                continue
            day, reason = _parse_due(value)
            if reason is not None:
                problem(name, reason)
            elif day is not None and day < vocabulary.today:
                problem(name, f"整改时限 {day.isoformat()} 早于今天 {vocabulary.today.isoformat()}")
            else:
                fields[name] = day
            continue
        text = _plain(value)
        if not text or (not column.required and text in _EMPTY_MARKS):
            if column.required:
                problem(name, "必填, 不能为空")
            else:
                fields[name] = None
            continue
        if name in _TEXT_LIMITS:
            if len(text) > _TEXT_LIMITS[name]:
                problem(name, f"过长 ({len(text)} 字, 最多 {_TEXT_LIMITS[name]} 字)")
            elif _CONTROL.search(text):
                problem(name, "含有不可见的控制字符, 请删除")
            else:
                fields[name] = text
            continue
        key = lookups[name].get(_squash(text))
        if key is None:
            problem(name, _unknown(column, text, vocabulary.choices(name)))
        else:
            fields[name] = key
    if fields.get("unit") is None and not any(p.column == headers.get("unit") for p in problems):
        for name in ("due", "leading_official"):
            if fields.get(name) is not None:
                problem(name, f"填写了{by_field[name].header}, 但没有填写责任单位 (交办时才有{by_field[name].header})")
    return fields, problems


def _unknown(column: Column, text: str, choices: Mapping[str, str],
             template: str = "zhenggai import --template 文件.xlsx") -> str:
    reason = f"未知的{column.header}「{text}」"
    close = [choices[key] for key in nearest(choices, text, 3)]
    if close:
        reason += f", 是否为: {'、'.join(close)}?"
    if len(choices) <= 12:
        return f"{reason} (可填: {'、'.join(choices.values())})"
    return f"{reason} (可填的名称见导入模板的填写说明: {template})"


_DATE = re.compile(
    r"(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{2})(\d{2}))"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
    r"(?:\s*[(（]\s*(?:周|星期)([一二三四五六日天])\s*[)）])?"
)
_WEEKDAYS = "一二三四五六日"
#: Control characters a text may not hold (tab and line breaks may).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _parse_due(value: Value) -> tuple[dt.date | None, str | None]:
    """A due date from a cell: (date, None) or (None, reason)."""
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if not isinstance(value, str):
        return None, f"须为日期, 如 2023-08-15 (收到 {_plain(value)}; 若为 Excel 日期, 请把单元格格式设为日期)"
    text = unicodedata.normalize("NFKC", value).strip()
    match = _DATE.fullmatch(text)
    if match is None:
        return None, f"日期无法识别「{value.strip()}」(可写作 2023-08-15、2023/8/15 或 2023年8月15日)"
    year, month, day = int(match[1]), int(match[2] or match[4]), int(match[3] or match[5])
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None, f"没有这一天「{value.strip()}」"
    weekday = match[6]
    if weekday is not None and _WEEKDAYS[date.weekday()] != weekday.replace("天", "日"):
        return None, f"{date.isoformat()} 是周{_WEEKDAYS[date.weekday()]}, 不是周{weekday}「{value.strip()}」"
    return date, None


# ----------------------------------------------------------------------------- importing


def import_file(
    engine: Engine, campaign: str, actor: Actor, path: Path, *, max_rows: int = MAX_ROWS,
    progress: TextIO | None = None,
) -> Imported:
    """Read ``path``, check every row, import all of it or nothing.

    :class:`ImportFileError` when the file cannot be read; :class:`IntakeRejected` with every
    problem (the engine's too, mapped back to rows and columns) when anything is wrong.
    With ``progress`` (standard error), two bars: the rows checked, then the rows the engine
    has written (inside its one transaction: nothing is kept until the bar is full).
    """
    from zhenggai.engine import ImportRejected

    from ._progress import progress_callback

    table = read_table(path, max_rows=max_rows)
    intake = check_table(table, Vocabulary.load(engine, campaign), path=path, max_rows=max_rows, progress=progress)
    if intake.problems:
        raise IntakeRejected(intake.problems, intake)
    entries = [entry for _, entry in intake.entries]
    try:
        with progress_callback(progress, desc="导入问题", unit="行") as report:
            # Only when shown: a stand-in for the engine (tests) need not take the keyword.
            result = (engine.import_items(campaign, actor, entries) if report is None
                      else engine.import_items(campaign, actor, entries, progress=report))
    except ImportRejected as err:
        by_field = {c.field: c.header for c in COLUMNS}
        problems = [
            Problem(
                intake.entries[p.index][0] if 0 <= p.index < len(intake.entries) else intake.header_row,
                intake.headers.get(p.field) or by_field.get(p.field, WHOLE_ROW),
                p.message,
            )
            for p in err.problems
        ]
        raise IntakeRejected(problems, intake) from None
    return Imported(intake, result)


# ----------------------------------------------------------------------------- template


def write_template(engine: Engine, campaign: str, path: Path) -> Path:
    """An empty problem list at ``path`` (.xlsx): the header row with input hints and drop-down
    lists, and a 填写说明 sheet with the rules and the campaign's tracks, channels, severities
    and units (the lists' source). An existing file is never overwritten."""
    target = template_target(path)
    vocabulary = Vocabulary.load(engine, campaign)
    view = engine.campaign(campaign)
    lists = [
        ("所属领域", vocabulary.tracks),
        ("来源渠道", vocabulary.channels),
        ("问题程度", vocabulary.severities),
        ("责任单位", vocabulary.units),
    ]
    rules = [
        "每行填写一个问题; 第一行是表头, 请勿改动表头文字; 只读取第一个工作表, 空行不读取。",
        "问题标题、问题描述、所属领域、来源渠道必填; 其余各列可不填。",
        "所属领域、来源渠道、问题程度、责任单位: 从下拉列表选择, 即下表的名称 (也可填标识)。",
        ("整改时限填日期, 如 2023-08-15、2023/8/15 或 2023年8月15日, 不能早于导入当天; "
         "填写整改时限或牵头领导须同时填写责任单位; 不填整改时限时按实施方案的规定计算。"),
        "填写了责任单位的问题, 导入时即交办该单位。",
        "不要合并单元格; 公式须有计算结果 (最好另存为数值); 最多 20000 行。",
        "导入全部成功或全部不导入: 有问题时逐条列出行号、列名和原因, 改正后重新导入。",
        f"导入命令: zhenggai import 文件.xlsx --campaign {view.key}",
    ]
    checks: dict[str, dict[str, Any]] = {
        "due": {"validate": "date", "criteria": ">=", "value": vocabulary.today,
                "error_message": f"须为不早于 {vocabulary.today.isoformat()} 的日期"},
    }
    for name, limit in _TEXT_LIMITS.items():
        checks[name] = {"validate": "length", "criteria": "<=", "value": limit, "error_message": f"不超过 {limit} 字"}
    widths = {"title": 30, "description": 50, "track": 24, "channel": 16, "severity": 10, "unit": 24,
              "due": 14, "leading_official": 12}
    return write_list_template(
        target, created=engine.clock.now(), sheet_name="问题清单", title=f"问题清单填写说明: {view.title}",
        subtitle=f"专项行动标识 {view.key}; 模板生成于 {vocabulary.today.isoformat()}", layout=COLUMNS,
        lists=lists, rules=rules, widths=widths, checks=checks, dates=("due",),
    )


def template_target(path: Path) -> Path:
    """Where a template named ``path`` is written: an .xlsx that does not exist yet."""
    from .reports._files import out_file

    if path.suffix.lower() != ".xlsx":
        raise ImportFileError(f"模板须为 .xlsx 文件: {path.name}")
    target = out_file(path.parent, path.name)
    if target.exists():
        raise ImportFileError(f"文件已存在, 不覆盖: {target}")
    return target


def write_list_template(
    target: Path, *, created: dt.datetime, sheet_name: str, title: str, subtitle: str, layout: Sequence[Column],
    lists: Sequence[tuple[str, Mapping[str, str]]], rules: Sequence[str], widths: Mapping[str, int],
    checks: Mapping[str, Mapping[str, Any]], dates: Sequence[str] = (),
) -> Path:
    """An empty list to fill in at ``target``: a sheet ``sheet_name`` with the ``layout``'s header
    (required columns marked), an input hint on each column, a drop-down list on each column
    named like one of ``lists`` (header → key → label), the data validation ``checks`` gives
    the others (``validate``, ``criteria``, ``value``, ``error_message``); and a 填写说明 sheet with
    ``title``, ``rules``, the columns and the lists' names and keys (the drop-downs' source)."""
    from .reports._files import cell_text, new_workbook

    guide = "填写说明"
    list_row = 4 + len(rules) + 2 + len(layout) + 2  # 0-based row of the lists' header
    workbook = new_workbook(target, created=created)
    try:
        bold = workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True,
                                    "valign": "vcenter"})
        required = workbook.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True,
                                        "valign": "vcenter"})
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        text_format = workbook.add_format({"num_format": "@", "text_wrap": True})
        sheet = workbook.add_worksheet(sheet_name)
        last = MAX_ROWS  # 0-based last data row
        for col, column in enumerate(layout):
            sheet.set_column(col, col, widths.get(column.field, 16),
                             date_format if column.field in dates else text_format)
            sheet.write_string(0, col, column.header, required if column.required else bold)
            hint = f"{'必填' if column.required else '选填'}: {column.hint}"
            options: dict[str, Any] = {"input_title": column.header, "input_message": hint[:255]}
            choice = next((i for i, (name, _) in enumerate(lists) if name == column.header), None)
            if choice is not None:
                size = max(len(lists[choice][1]), 1)
                first = list_row + 2  # 1-based first row of the list
                letter = "ABCDEFGHIJKLMNOP"[choice * 2]
                options.update({"validate": "list",
                                "source": f"='{guide}'!${letter}${first}:${letter}${first + size - 1}",
                                "error_title": column.header,
                                "error_message": f"请从下拉列表选择 (见「{guide}」工作表)"})
            elif column.field in checks:
                options.update({"error_title": column.header, **checks[column.field]})
            else:
                options["validate"] = "any"
            sheet.data_validation(1, col, last, col, options)
        sheet.set_row(0, 30)
        sheet.freeze_panes(1, 0)

        notes = workbook.add_worksheet(guide)
        notes.set_column(0, 2 * len(lists) - 1, 22)
        heading = workbook.add_format({"bold": True, "font_size": 14})
        notes.write_string(0, 0, cell_text(title), heading)
        notes.write_string(1, 0, cell_text(subtitle))
        for i, rule in enumerate(rules, 1):
            notes.write_string(2 + i, 0, f"{i}. {rule}")
        row = 4 + len(rules)
        for col, text in enumerate(("列名", "是否必填", "填写内容")):
            notes.write_string(row, col, text, bold)
        for i, column in enumerate(layout, 1):
            notes.write_string(row + i, 0, column.header)
            notes.write_string(row + i, 1, "必填" if column.required else "选填")
            notes.write_string(row + i, 2, column.hint)
        for choice, (name, _) in enumerate(lists):
            notes.write_string(list_row, choice * 2, name, bold)
            notes.write_string(list_row, choice * 2 + 1, f"{name}标识", bold)
        longest = max(len(values) for _, values in lists)
        columns = [list(values.items()) for _, values in lists]
        for r in range(longest):
            for choice, pairs in enumerate(columns):
                if r < len(pairs):
                    key, label = pairs[r]
                    notes.write_string(list_row + 1 + r, choice * 2, str(cell_text(label)))
                    notes.write_string(list_row + 1 + r, choice * 2 + 1, str(cell_text(key)))
    finally:
        workbook.close()
    return target
