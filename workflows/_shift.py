"""Re-dating a definition (重新安排日期): the same plan, another year.

A county that runs this year's campaign on last year's definition (or on the built-in 2023
plan) moves every date of it at once: :func:`shift_setup` with ``start=`` moves each date by the
days between the definition's anchor day and ``start``; with ``to_year=`` each date goes to the
same month and day in its year plus the difference between ``to_year`` and the anchor's year
(29 February, in a year without one, becomes 28 February: :func:`shift_notes` names each such
date).

The anchor is the definition's ``start``, else its first phase's start, else its earliest date.

*Every* date is found generically: the models of the setup are walked for ``datetime.date``
values (the campaign start, phases, duties, the county's extra holidays and working days, and
whatever dated field the schema grows), so a new dated field is re-dated without touching this
module. County holiday overrides move like everything else (a county's own 物资交流大会 is
usually on the same day each year); when the moved day is already off (or already a working
day) the validator warns, and the author fixes the file.

Identity: ``id`` and ``version`` are kept (it is the same plan; a county that keeps both years
gives the copy its own ``version``). The title gets the new year when it starts with the
anchor's year (``2023年…`` → ``2026年…``); no other text changes (the plan's own words, such as a
phase's ``demands``, say what they say).

The result is checked again with the engine's validator (:func:`zhenggai.engine.checks.check_setup`):
a date that lands in a year the working-day calendar does not know is refused there, with its
path (``phases[3].end: 日期 2027-… 超出工作日历已知的年份 …``), as :class:`DefinitionError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel
from zhenggai.engine.checks import check_setup
from zhenggai.engine.errors import DefinitionError, InvalidInputError

from .schema import CampaignSetup

__all__ = ["anchor_day", "dated_fields", "shift_notes", "shift_setup"]

_M = TypeVar("_M", bound=BaseModel)
#: Names of setup fields as a definition file spells them (the loader's renaming).
_FILE_NAMES = {"definition_id": "id", "definition_version": "version"}


def dated_fields(setup: BaseModel) -> list[tuple[str, dt.date]]:
    """Every date of ``setup`` with its path as the validator writes paths
    (``phases[0].start``, ``calendar.extra_holidays[1].date``), in schema order."""
    found: list[tuple[str, dt.date]] = []

    def note(day: dt.date, path: str) -> dt.date:
        found.append((path, day))
        return day

    _walk(setup, note, "")
    return found


def anchor_day(setup: CampaignSetup) -> dt.date:
    """The day re-dating counts from: ``start``, else the first phase's start, else the
    earliest date of the definition. A definition without any date cannot be re-dated."""
    if setup.start is not None:
        return setup.start
    if setup.phases:
        return setup.phases[0].start
    days = [day for _, day in dated_fields(setup)]
    if not days:
        raise InvalidInputError("start", f"实施方案 {setup.definition_id} 没有任何日期, 无需重新安排")
    return min(days)


def shift_setup(
    setup: CampaignSetup, *, start: dt.date | None = None, to_year: int | None = None, check: bool = True
) -> CampaignSetup:
    """``setup`` with every date moved: by ``start - anchor`` days, or to the same month and day
    ``to_year - anchor.year`` years on (29 February → 28 February where the year has none).

    Exactly one of ``start`` and ``to_year`` is given (else :class:`InvalidInputError`). With
    ``check`` (the default) the result must pass the engine's validator: every problem raises
    :class:`DefinitionError` at once, each ``path: message`` (e.g. a date in a year the calendar
    does not know)."""
    if (start is None) == (to_year is None):
        raise InvalidInputError("start", "须二选一: 新的开始日期 (start) 或新的年份 (to_year)")
    anchor = anchor_day(setup)
    move: Callable[[dt.date], dt.date]
    if start is not None:
        delta = start - anchor
        move = lambda day: day + delta
        new_year = start.year
    else:
        assert to_year is not None
        if not dt.MINYEAR <= to_year <= dt.MAXYEAR:
            raise InvalidInputError("to_year", f"年份无效: {to_year}")
        years = to_year - anchor.year
        move = lambda day: _same_day(day, day.year + years)
        new_year = to_year
    try:
        shifted: CampaignSetup = _walk_model(setup, lambda day, _path: move(day), "")
    except (OverflowError, ValueError) as err:
        raise InvalidInputError("start", f"重新安排后的日期超出范围 ({err})") from None
    old_prefix = f"{anchor.year}年"
    if setup.title.startswith(old_prefix) and new_year != anchor.year:
        shifted = shifted.model_copy(update={"title": f"{new_year}年{setup.title[len(old_prefix) :]}"})
    if check:
        problems = check_setup(shifted)
        if problems:
            raise DefinitionError([_file_path(p) for p in problems])
    return shifted


def shift_notes(setup: CampaignSetup, *, to_year: int) -> list[str]:
    """What moving ``setup`` to ``to_year`` cannot keep as it was: each 29 February that lands
    in a year without one (``phases[0].start: 2024-02-29 → 2026-02-28``)."""
    years = to_year - anchor_day(setup).year
    notes = []
    for path, day in dated_fields(setup):
        moved = _same_day(day, day.year + years)
        if (moved.month, moved.day) != (day.month, day.day):
            notes.append(f"{path}: {day} → {moved} ({moved.year} 年没有 2月29日)")
    return notes


def _same_day(day: dt.date, year: int) -> dt.date:
    """``day``'s month and day in ``year``; 29 February → 28 February when ``year`` has none."""
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return day.replace(year=year, day=28)


def _file_path(problem: str) -> str:
    """A validator problem with its top-level field named as a file names it (``id``)."""
    for internal, name in _FILE_NAMES.items():
        if problem.startswith((f"{internal}:", f"{internal}.")):
            return name + problem[len(internal) :]
    return problem


def _walk(value: Any, fn: Callable[[dt.date, str], dt.date], path: str) -> Any:
    """``value`` with ``fn`` applied to every date inside it (models, lists, tuples, dicts);
    parts without a changed date are returned as they are (the same objects)."""
    if isinstance(value, dt.datetime):  # a moment, not a day: no definition field is one
        return value
    if isinstance(value, dt.date):
        return fn(value, path)
    if isinstance(value, BaseModel):
        return _walk_model(value, fn, path)
    if isinstance(value, list | tuple):
        items = [_walk(v, fn, f"{path}[{i}]") for i, v in enumerate(value)]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return type(value)(items)
    if isinstance(value, dict):
        changed = {k: _walk(v, fn, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
        if all(changed[k] is v for k, v in value.items()):
            return value
        return changed
    return value


def _walk_model(model: _M, fn: Callable[[dt.date, str], dt.date], path: str) -> _M:
    changes = {}
    for name in type(model).model_fields:
        old = getattr(model, name)
        new = _walk(old, fn, f"{path}.{name}" if path else name)
        if new is not old:
            changes[name] = new
    return model.model_copy(update=changes) if changes else model
