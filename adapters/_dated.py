"""Campaigns dated now: ``zhenggai init [--start DATE | --to-year YEAR]`` and ``zhenggai
definition shift``.

``init`` compares a definition's phases with today (the engine's clock, in the campaign's
timezone) before it starts anything: a plan whose phases have all ended is refused in one line
(start it re-dated instead), and each phase that has ended gets a ``注意:`` line (what fell due in
it is recorded as not applicable when the campaign starts, never caught up). A definition
without phases is judged by its duties: refused when the last of them fell due before today;
without duties nothing is said (a year-round hotline has nothing to be late for).

Re-dating is :func:`zhenggai.workflows.shift_setup`; when it moves a date into a year the
working-day calendar does not know, the validator's located problem is printed as one line with
the way out (load that year's holiday notice, or start earlier).

Imports only the definition side (pydantic, the loader, the validator), never SQLAlchemy:
``zhenggai definition shift`` needs no database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from zhenggai.engine.calendar import WorkingCalendar
from zhenggai.engine.checks import check_setup
from zhenggai.engine.errors import DefinitionError
from zhenggai.engine.lifecycle import split_problem
from zhenggai.workflows import dated_fields, dump_setup, load_setup, shift_notes, shift_setup
from zhenggai.workflows.schema import CampaignSetup

from ._errors import CliError

__all__ = ["DatedCheck", "cmd_definition_shift", "dated_check", "redate", "setup_for_init"]

ActorTuple = tuple[str, str, str | None]
REDATE_HINT = "用 --start 日期 或 --to-year 年份 重新安排日期"


@dataclass(frozen=True, slots=True)
class DatedCheck:
    """What ``init`` says about a definition's dates on ``today``: a refusal (the one line, no
    ``错误:``) or the ``注意:`` lines, one per ended phase."""

    refusal: str | None
    warnings: tuple[str, ...]


def dated_check(setup: CampaignSetup, today: dt.date) -> DatedCheck:
    """Phases that ended before ``today`` (a phase ending today still runs): all of them → a
    refusal; some → a warning each. Without phases, the duties' last due date decides."""
    name = setup.definition_id
    if setup.phases:
        ended = [p for p in setup.phases if p.end < today]
        if len(ended) == len(setup.phases):
            last = setup.phases[-1]
            return DatedCheck(
                f"实施方案 {name} 的各阶段均已结束 (最后一个阶段 {last.name} 于 {last.end.isoformat()} 结束); "
                + REDATE_HINT,
                (),
            )
        return DatedCheck(
            None,
            tuple(
                f"注意: 阶段 {p.name} 已于 {p.end.isoformat()} 结束, 其间到期的职责和动作记为不适用, 不再提醒或督办"
                for p in ended
            ),
        )
    lasts = [d.due or d.end for d in setup.duties]
    days = [day for day in lasts if day is not None]
    if days and max(days) < today:
        return DatedCheck(
            f"实施方案 {name} 不分阶段, 其职责最后于 {max(days).isoformat()} 到期, 均已过去; " + REDATE_HINT,
            (),
        )
    return DatedCheck(None, ())


def redate(
    setup: CampaignSetup,
    *,
    start: dt.date | None = None,
    to_year: int | None = None,
    calendar: WorkingCalendar | None = None,
) -> CampaignSetup:
    """:func:`shift_setup`, checked on ``calendar`` (the database's, with the years loaded there;
    default: the installed package's), with a date in a year the calendar does not know turned
    into one line: the validator's first such problem and the way out. Other problems stay a
    :class:`DefinitionError` (every located problem)."""
    unchecked = shift_setup(setup, start=start, to_year=to_year, check=False)
    calendar = calendar or WorkingCalendar(unchecked.calendar)
    problems = check_setup(unchecked, calendar=calendar)
    if not problems:
        return unchecked
    unknown = _unknown_years(unchecked, calendar)
    if not unknown:
        raise DefinitionError(problems)
    how = f"--start {start.isoformat()}" if start is not None else f"--to-year {to_year}"
    paths = {path for path, day in dated_fields(unchecked) if day.year in unknown}
    located = [p for p in problems if _path_of(p) in paths] or list(problems)
    years = "、".join(str(y) for y in unknown)
    # The validator may already name the way out (zhenggai calendar load): not twice.
    load = "" if "calendar load" in located[0] else f"先用 zhenggai calendar load 载入 {years} 年的放假安排, "
    raise CliError(
        f"实施方案 {setup.definition_id} 按 {how} 重新安排后, {len(located)} 处日期落在工作日历还不知道的"
        f" {years} 年, 如 {located[0]}; {load}或用更早的 --start"
    ) from None


def setup_for_init(
    source: str,
    *,
    start: dt.date | None,
    to_year: int | None,
    now: dt.datetime,
    calendar: WorkingCalendar | None = None,
) -> tuple[CampaignSetup, tuple[str, ...]]:
    """The setup ``zhenggai init`` starts (re-dated when asked, checked on ``calendar``: the
    database's when it has one) and the warnings to print; :class:`CliError` when every phase
    has ended by today (``now``, the engine clock's, in the campaign's timezone)."""
    original = setup = load_setup(source)
    if start is not None or to_year is not None:
        setup = redate(original, start=start, to_year=to_year, calendar=calendar)
    checked = dated_check(setup, now.astimezone(zoneinfo.ZoneInfo(setup.timezone)).date())
    if checked.refusal is not None:
        raise CliError(checked.refusal)
    notes = shift_notes(original, to_year=to_year) if to_year is not None else []
    return setup, tuple(f"注意: {n}" for n in notes) + checked.warnings


def cmd_definition_shift(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai definition shift NAME|FILE (--start DATE | --to-year YEAR) [--out FILE]: the
    definition re-dated, as a definition file (stdout, or ``--out``); notes and the validator's
    warnings on stderr."""
    from zhenggai.engine.checks import setup_warnings

    original = load_setup(args.source)
    start = dt.date.fromisoformat(args.start) if args.start else None
    shifted = redate(original, start=start, to_year=args.to_year)
    text = dump_setup(shifted)
    notes = shift_notes(original, to_year=args.to_year) if args.to_year is not None else []
    for note in notes:
        print(f"注意: {note}", file=sys.stderr)
    for warning in setup_warnings(shifted):
        print(f"警告 {warning}", file=sys.stderr)
    if args.out is None:
        print(text, end="")
        return 0
    out = Path(args.out)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as err:
        raise CliError(f"无法写入 {out}: {err.strerror or err}") from None
    phases = shifted.phases
    span = f", {len(phases)} 个阶段 {phases[0].start} 至 {phases[-1].end}" if phases else ""
    print(f"已写入 {out}: {shifted.title} (实施方案 {shifted.definition_id}{span})")
    print(f"  上线前请检查: zhenggai check {out}")
    return 0


def _unknown_years(setup: CampaignSetup, calendar: WorkingCalendar) -> list[int]:
    return sorted({day.year for _, day in dated_fields(setup) if not calendar.covers(day.year)})


def _path_of(problem: str) -> str:
    """The path of a ``path: message`` problem, written as :func:`dated_fields` writes it."""
    parts: Sequence[str | int] = split_problem(problem)[0]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
