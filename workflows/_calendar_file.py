"""Read a year's holiday notice (``zhenggai calendar load FILE``) with every problem located.

The file is YAML, like a definition, in a format of its own::

    zhenggai_calendar: 1
    year: 2027
    source: 国务院办公厅关于2027年部分节假日安排的通知
    notice: 国办发明电〔2026〕X号
    holidays:
      - {name: 元旦, start: 2027-01-01, end: 2027-01-03}
      - {name: 春节, start: 2027-02-05, end: 2027-02-13, makeup: [2027-02-20]}
      …

Each holiday lists its days off (``start`` to ``end``) and the weekend days worked for it
(``makeup``, 调休上班). Every other day of the year is a working day from Monday to Friday and
a day off at the weekend. The checks that every day is decided exactly once are the engine's
(:func:`zhenggai.engine.calendar.year_problems`), so a year built in code is held to them too.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from zhenggai.engine.calendar import year_problems
from zhenggai.engine.errors import DefinitionError

from ._loader import line_of, locate_problems, located, plain, read_bytes, read_yaml, schema_problems
from .schema import CalendarYearSpec

__all__ = ["CalendarYearFile", "load_calendar_year"]

_FORMAT_KEY = "zhenggai_calendar"
_FORMAT_VERSION = 1
#: A year's notice is a page of text; anything far larger is not one.
_MAX_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class CalendarYearFile:
    """A checked year file: where it came from, the year, and the SHA-256 of its bytes (kept
    with the loaded year, so what was loaded can be matched to the file)."""

    path: Path
    spec: CalendarYearSpec
    sha256: str


def load_calendar_year(source: str | os.PathLike[str]) -> CalendarYearFile:
    """Read and check a year file. Raises :class:`DefinitionError` with every problem as
    ``file:line: path: message``, in file order."""
    path = Path(os.fspath(source))
    data = read_bytes(path, "日历文件", _MAX_BYTES, "一年的节假日安排")
    doc = read_yaml(path, "日历文件", data)
    problems: list[tuple[int, str]] = []
    if doc.get(_FORMAT_KEY) != _FORMAT_VERSION:
        problems.append(
            (
                line_of(doc, [_FORMAT_KEY]),
                f"{_FORMAT_KEY}: 须为 {_FORMAT_VERSION} (日历文件格式版本; 第一行写 {_FORMAT_KEY}: 1)",
            )
        )
    fields = {str(k): plain(v) for k, v in doc.items() if k != _FORMAT_KEY}
    try:
        spec = CalendarYearSpec.model_validate(fields)
    except ValidationError as err:
        raise DefinitionError(located(path, problems + schema_problems(err, doc)), what="日历文件") from None
    problems += locate_problems(doc, year_problems(spec))
    if problems:
        raise DefinitionError(located(path, problems), what="日历文件")
    return CalendarYearFile(path=path, spec=spec, sha256=hashlib.sha256(data).hexdigest())
