"""Reading a problem list or roster file (.xlsx or .csv) into its raw cells, within caps and safely.

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
import warnings
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._errors import CliError

__all__ = [
    "HEADER_ROWS",
    "MAX_BLANK_ROWS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "ImportFileError",
    "Table",
    "Unreadable",
    "Value",
    "openpyxl_module",
    "read_table",
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


_DTD_MARKS = tuple(
    mark.encode(encoding)
    for mark in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


class ImportFileError(CliError):
    """The file as a whole cannot be read (not a workbook, too large, a zip bomb, empty, …).

    One ``错误:`` line, exit 1; nothing imported."""


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A cell whose value cannot be used (a formula without a cached value, an error value)."""

    reason: str


Value = str | int | float | bool | dt.datetime | dt.date | dt.time | dt.timedelta | Unreadable | None


@dataclass(frozen=True, slots=True)
class Table:
    """The raw cells of the sheet read: ``rows`` as (Excel row number, values from column A),
    blank rows left out; ``merged`` the merged ranges (``A1:C1``); ``notes`` what the reader
    wants the official to know (sheets not read, the encoding it guessed)."""

    rows: tuple[tuple[int, tuple[Value, ...]], ...]
    sheet: str | None = None
    merged: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


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
        raise ImportFileError(
            f"文件过大: {size / MIB:.1f} MiB (最多 {MAX_FILE_BYTES // MIB} MiB), 请分批导入"
        )
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
                raise ImportFileError(
                    f"{path.name} 含有 {len(members)} 个部件 (最多 {MAX_MEMBERS}), 拒绝读取"
                )
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
                raise ImportFileError(f"工作表「{sheet.title}」超过 {max_rows} 行数据, 拒绝读取, 请分批导入")
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
        book._archive.open(sheet._worksheet_path),
        sheet._shared_strings,
        data_only=True,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
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
    return (
        f"{where} 读到第{number}行已有超过 {MAX_BLANK_ROWS} 个空行, 拒绝读取:"
        " 请删除多余的空行 (在 Excel 中选中数据以下的行并删除) 后重试"
    )


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
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
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
