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

Reading the file (caps, zip and XML safety, CSV encodings) is :mod:`._sheets`; the blank
template is :mod:`._import_template`."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ._errors import CliError
from ._names import lookup, nearest
from ._names import squash as _squash

if TYPE_CHECKING:  # pragma: no cover - typing only
    from zhenggai.engine import Actor, Engine, ImportResult, NewItem

from ._sheets import (
    HEADER_ROWS,
    MAX_COLUMNS,
    MAX_ROWS,
    ImportFileError,
    Table,
    Unreadable,
    Value,
    _blank,
    openpyxl_module,
    read_table,
)

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
    "Value",
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
]


#: What marks a whole-row problem in place of a column header.
WHOLE_ROW = "整行"
#: Values meaning "empty" in an optional column (the ledger prints 未定 for no due date).
_EMPTY_MARKS = frozenset({"-", "—", "–", "－", "/", "无", "未定", "未交办", "暂无"})
#: A spreadsheet reads a cell starting with one of these as a formula; the export puts ``'`` first.
_NEUTRALISED = ("'=", "'+", "'-", "'@", "'\t", "'\r")


class IntakeRejected(CliError):
    """The file was read but has problems: all of them, each with its row and column.
    Nothing was imported."""

    def __init__(self, problems: Sequence[Problem], intake: Intake, what: str = "问题") -> None:
        super().__init__(f"导入被拒绝, 文件中有 {len(problems)} 处问题, 未导入任何{what}")
        self.problems = tuple(problems)
        self.intake = intake


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
    Column(
        "所属领域",
        "track",
        True,
        "所属专项整治, 从下拉列表选择",
        ("所属专项", "整治领域", "所属专项(整治领域)"),
    ),
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

        from ._labels import Labels

        labels = Labels.load(engine, campaign)
        today = engine.clock.now().astimezone(zoneinfo.ZoneInfo(labels.campaign.timezone)).date()
        return cls(labels.tracks, labels.channels, labels.severities, labels.units, today)

    def choices(self, field_name: str) -> Mapping[str, str]:
        return {
            "track": self.tracks,
            "channel": self.channels,
            "severity": self.severities,
            "unit": self.units,
        }[field_name]


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
        (row for row in top if sum(isinstance(v, str) and _header_key(v) in fields for v in row[1]) >= 2),
        None,
    )
    if header is None:
        first = table.rows[0][0] if table.rows else 1
        needed = "、".join(c.header for c in layout if c.required)
        return (
            first,
            {},
            [],
            [Problem(first, "表头", f"前 {HEADER_ROWS} 行中没有找到表头 (须有列: {needed})")],
        )
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
            problems.append(
                Problem(number, text, f"与「{earlier}」列重复 (都是{column.header}), 请只保留一列")
            )
        else:
            columns[column.field] = (index, text)
    for column in layout:
        if column.required and column.field not in columns:
            problems.append(Problem(number, column.header, "缺少此列"))
    return number, columns, ignored, problems


def ranked(found: Sequence[Problem], columns: Mapping[str, tuple[int, str]]) -> tuple[Problem, ...]:
    """Problems in row order, and within a row in the sheet's column order (whole-row first)."""
    order = {text: i for i, (_, text) in enumerate(sorted(columns.values()))}
    return tuple(
        sorted(found, key=lambda p: (p.row, order.get(p.column, -1 if p.column == WHOLE_ROW else 999)))
    )


def data_rows(
    table: Table,
    header_row: int,
    columns: Mapping[str, tuple[int, str]],
    *,
    path: Path,
    max_rows: int = MAX_ROWS,
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
    table: Table,
    vocabulary: Vocabulary,
    *,
    path: Path,
    max_rows: int = MAX_ROWS,
    progress: TextIO | None = None,
) -> Intake:
    """Every row of ``table`` checked against ``vocabulary``: the entries to import, or every
    problem (row, column, reason), in row and column order. With ``progress`` (standard
    error), a bar counts the data rows checked."""
    from zhenggai.engine import NewItem

    from ._progress import progress_bar

    header_row, columns, ignored, problems = header_of(table, COLUMNS, path=path)
    headers = {name: text for name, (_, text) in columns.items()}

    def intake(entries: Sequence[tuple[int, NewItem]], found: Sequence[Problem]) -> Intake:
        return Intake(
            path,
            table.sheet,
            header_row,
            tuple(entries),
            ranked(found, columns),
            tuple(ignored),
            table.notes,
            headers,
        )

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


def rejection(
    path: Path,
    table: Table,
    header_row: int,
    columns: Mapping[str, tuple[int, str]],
    ignored: Sequence[str],
    found: Sequence[Problem],
    what: str,
) -> IntakeRejected:
    """The refusal of a whole file (a sheet of contacts, accounts…) with every problem
    ``found``, ranked by row and column: nothing of it is imported."""
    headers = {name: text for name, (_, text) in columns.items()}
    intake = Intake(
        path, table.sheet, header_row, (), ranked(found, columns), tuple(ignored), table.notes, headers
    )
    return IntakeRejected(intake.problems, intake, what)


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


def _merge_problems(
    merged: Sequence[str], header_row: int, columns: Mapping[str, tuple[int, str]]
) -> list[Problem]:
    from openpyxl.utils.cell import range_boundaries

    by_index = {i: text for i, text in columns.values()}
    problems = []
    for ref in merged:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if max_row < header_row:
            continue  # a title above the header
        named = [by_index[c - 1] for c in range(min_col, max_col + 1) if c - 1 in by_index]
        problems.append(
            Problem(
                max(min_row, header_row),
                named[0] if named else WHOLE_ROW,
                f"合并单元格 {ref}: 合并的单元格只有第一格有内容, 请取消合并, 在每一行填写完整后再导入",
            )
        )
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
    number: int,
    cells: Mapping[str, Value],
    headers: Mapping[str, str],
    vocabulary: Vocabulary,
    lookups: Mapping[str, Mapping[str, str]],
) -> tuple[dict[str, Any], list[Problem]]:
    """One data row: the NewItem fields, or its problems."""
    problems: list[Problem] = []
    fields: dict[str, Any] = {}
    by_field = {c.field: c for c in COLUMNS}

    def problem(name: str, reason: str) -> None:
        problems.append(Problem(number, headers.get(name, by_field[name].header), reason))

    for name, value in cells.items():
        field, reason = _check_cell(by_field[name], value, vocabulary, lookups)
        if reason is not None:
            problem(name, reason)
        else:
            fields[name] = field
    if fields.get("unit") is None and not any(p.column == headers.get("unit") for p in problems):
        for name in ("due", "leading_official"):
            if fields.get(name) is not None:
                problem(
                    name,
                    f"填写了{by_field[name].header}, 但没有填写责任单位 (交办时才有{by_field[name].header})",
                )
    return fields, problems


def _check_cell(
    column: Column, value: Value, vocabulary: Vocabulary, lookups: Mapping[str, Mapping[str, str]]
) -> tuple[Any, str | None]:
    """One cell of a data row: its field's value and None, or None and what is wrong with it."""
    name = column.field
    if isinstance(value, Unreadable):
        return None, value.reason
    if name == "due":
        return _check_due(value, vocabulary)
    text = _plain(value)
    if not text or (not column.required and text in _EMPTY_MARKS):
        return (None, "必填, 不能为空") if column.required else (None, None)
    if name in _TEXT_LIMITS:
        if len(text) > _TEXT_LIMITS[name]:
            return None, f"过长 ({len(text)} 字, 最多 {_TEXT_LIMITS[name]} 字)"
        if _CONTROL.search(text):
            return None, "含有不可见的控制字符, 请删除"
        return text, None
    key = lookups[name].get(_squash(text))
    if key is None:
        return None, _unknown(column, text, vocabulary.choices(name))
    return key, None


def _check_due(value: Value, vocabulary: Vocabulary) -> tuple[dt.date | None, str | None]:
    """The 整改时限 cell: empty (None), a day not before today, or what is wrong with it."""
    if _blank(value) or _plain(value) in _EMPTY_MARKS:
        return None, None
    day, reason = _parse_due(value)
    if reason is not None:
        return None, reason
    if day is not None and day < vocabulary.today:
        return None, f"整改时限 {day.isoformat()} 早于今天 {vocabulary.today.isoformat()}"
    return day, None


def _unknown(
    column: Column,
    text: str,
    choices: Mapping[str, str],
    template: str = "zhenggai import --template 文件.xlsx",
) -> str:
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
        return (
            None,
            f"须为日期, 如 2023-08-15 (收到 {_plain(value)}; 若为 Excel 日期, 请把单元格格式设为日期)",
        )
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


def import_file(
    engine: Engine,
    campaign: str,
    actor: Actor,
    path: Path,
    *,
    max_rows: int = MAX_ROWS,
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
    intake = check_table(
        table, Vocabulary.load(engine, campaign), path=path, max_rows=max_rows, progress=progress
    )
    if intake.problems:
        raise IntakeRejected(intake.problems, intake)
    entries = [entry for _, entry in intake.entries]
    try:
        with progress_callback(progress, desc="导入问题", unit="行") as report:
            # Only when shown: a stand-in for the engine (tests) need not take the keyword.
            result = (
                engine.import_items(campaign, actor, entries)
                if report is None
                else engine.import_items(campaign, actor, entries, progress=report)
            )
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
