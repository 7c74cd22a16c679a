#!/usr/bin/env python
"""The 整改台账 export and the problem-list import, against their file-format floors.

What is measured
----------------
N items are made (untimed) on the built-in ``county_2023`` plan on a virtual clock, in one
:meth:`Engine.import_items` call: each with a responsible unit and a due date, spread over the
plan's tracks, channels (not 领导批示交办: its reports must carry a leader's instruction),
severities and units; one in three gets measures through
:meth:`Engine.add_measure` (some completed), one in 25 is taken through to 销号, one in 40 is a
reworded copy of an earlier item (关联研判 flags it), one in 97 has a title a spreadsheet would
read as a formula (the export neutralises it with a leading ``'``).

1. **Ledger export**

   * **api**: :func:`zhenggai.adapters.reports.ledger.write_ledger`: it reads
     :meth:`Engine.ledger` (the database query and the item views are in its time), builds each
     row (labels, measures one per line, due dates with the weekday) and writes the formatted
     sheet with XlsxWriter in ``constant_memory`` mode.
   * **floor**: the same cells' plain values written with XlsxWriter directly, same workbook
     options (``constant_memory``, nothing inferred from strings), one ``write_row`` per row, no
     formats, no row heights, no print setup. The values are computed untimed from the same
     ledger (with the export's own row builder and its 领导批示/延期/退单, 主办/协办 and 佐证材料
     cells, so both files hold the same cells).
   * **memory**: the peak of :mod:`tracemalloc` during one call of each side (a pass of its own,
     after the timed rounds: tracemalloc slows Python down), at N items and again at
     ``--scale`` × N items, so one sees what grows with N. tracemalloc sees Python's
     allocations (XlsxWriter is pure Python), not the SQLite library's own.
   * **honesty, every run**: both files are read back with openpyxl (read only); they must hold
     the same number of data rows (N) and the same cells, titles included, or the run fails.

2. **Import parse and check**

   * **api**: :func:`zhenggai.adapters._import.read_table` (zip and DTD checks, openpyxl's
     streaming parser in read-only, data-only mode) + :meth:`Vocabulary.load` +
     :func:`check_table` (every row checked against the campaign), on the ledger file just
     written; the engine's write is left out. Every row must come back as an entry, with no
     problem, or the run fails.
   * **floor**: ``openpyxl.load_workbook(read_only=True, data_only=True)`` iterating the values
     of every row of the same file.
   * **import_file**, for information (no floor): the whole import, the engine's writes
     included, into a fresh campaign, once per run; reported as rows/s with the number of
     关联研判 flags it raised. Its titles must equal the ledger's.

A side's time is the median of ``--rounds`` timed rounds after one warm-up round; in each round
the two sides take turns going first. ``ratio = api time ÷ floor time`` (1.0 = the API costs
nothing over writing or reading the bare cells). Client CPU (``time.process_time``) is reported
too: on a shared machine it moves less than wall time.

SQLite only: these are the costs of the file formats and of the code around them; the
database's part of the engine is what ``benchmarks/transitions.py`` measures on both backends.

Usage::

    python benchmarks/reports.py [--items N] [--rounds R] [--scale K] [--smoke] [--json FILE]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gc
import json
import os
import platform
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    # Run as a script, this folder heads sys.path; keep it from shadowing any top-level module
    # (benchmarks/transitions.py shares its name with the ``transitions`` library).
    _HERE = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from zhenggai.adapters._import import Vocabulary, check_table, import_file, read_table
from zhenggai.adapters.reports._files import Styled, cell_text
from zhenggai.adapters.reports._supervision_notes import item_notes
from zhenggai.adapters.reports.ledger import (
    COLUMNS,
    ReportLabels,
    _row,
    attachment_cell,
    co_unit_lines,
    write_ledger,
)
from zhenggai.engine import Actor, CampaignSetup, Engine, NewItem, VirtualClock
from zhenggai.engine.calendar import WorkingCalendar
from zhenggai.workflows import load_setup

PLAN = "county_2023"
#: 2023-07-03 09:00 Asia/Shanghai, inside the plan's inspection phase.
START = dt.datetime(2023, 7, 3, 1, 0, tzinfo=dt.UTC)
FIRST_DUE = dt.date(2023, 8, 1)
#: The due dates entries take in turn: the working days of the 90 days from FIRST_DUE (a due
#: date a person gives is never a day off).
DUE_DAYS = [
    FIRST_DUE + dt.timedelta(days=k)
    for k in range(90)
    if WorkingCalendar().is_workday(FIRST_DUE + dt.timedelta(days=k))
]
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
SUPERVISION = Actor("督查一组", "supervision_team", "organization_department")
#: Their actors verify and close, which the plan allows only from outside the item's unit.
_NOT_ASSIGNED = frozenset({OFFICE.unit, SUPERVISION.unit})
LEADERS = ("张副县长", "李副县长", "赵常务副县长", None)
MEASURES_EVERY = 3
CLOSE_EVERY = 25
REWORDED_EVERY = 40
FORMULA_EVERY = 97
SEED = 2023

#: Targets (BENCHMARKS.md says why).
LEDGER_TARGET = 3.0
CHECK_TARGET = 2.0
FLAT_TARGET = 1.5  # a side's peak at K×N items over its peak at N items (flat in N)

XLSX_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


# ------------------------------------------------------------------------------------ setup


def _characters(setup: CampaignSetup) -> str:
    """The Chinese characters of the plan's own texts: what random titles are made of."""
    text = json.dumps(setup.model_dump(mode="json"), ensure_ascii=False)
    return "".join(sorted(set(re.findall(r"[\u4e00-\u9fff]", text))))


def make_entries(setup: CampaignSetup, n: int, *, seed: int = SEED) -> list[NewItem]:
    """``n`` problems to import: unique, each with a unit, a due date and mostly a 牵头领导.

    A title is a scope phrase of its track and random characters, so unrelated items are far
    below the 关联研判 threshold; every ``REWORDED_EVERY``-th is an earlier item of the same
    track and unit with a character or two changed (flagged); every ``FORMULA_EVERY``-th title
    starts like a formula."""
    rng = random.Random(seed)
    chars = _characters(setup)
    unit_ids = {u.id for u in setup.units}
    tracks = [(t, [u for u in t.units if u in unit_ids and u not in _NOT_ASSIGNED]) for t in setup.tracks]
    # 移送 items are checked first; 领导批示交办 reports must carry an instruction (left out).
    needs_instruction = setup.instructions.channel if setup.instructions is not None else None
    channels = [c.id for c in setup.channels if c.transfer_to is None and c.id != needs_instruction]
    severities = [s.id for s in setup.severities]

    def text(k: int) -> str:
        return "".join(rng.choices(chars, k=k))

    entries: list[NewItem] = []
    for i in range(n):
        track, units = tracks[i % len(tracks)]
        channel = channels[i % len(channels)]
        severity = severities[(i // 5) % len(severities)]
        if i % REWORDED_EVERY == REWORDED_EVERY - 1 and i >= len(tracks):
            src = entries[i - len(tracks)]  # the same track, and the same unit below
            entries.append(
                dataclasses.replace(
                    src,
                    title=src.title[:-1] + text(1),
                    description=src.description[:-2] + text(2),
                    channel=channel,
                    severity=severity,
                )
            )
            continue
        scope = track.scope[(i // len(tracks)) % len(track.scope)] if track.scope else track.name
        title = f"{scope}: {text(rng.randint(8, 16))}"
        if i % FORMULA_EVERY == 0:
            title = "=+-@"[(i // FORMULA_EVERY) % 4] + title
        entries.append(
            NewItem(
                title=title,
                description=f"经核查, {text(rng.randint(40, 110))}。",
                track=track.id,
                channel=channel,
                severity=severity,
                unit=units[(i // len(tracks)) % len(units)],
                due=DUE_DAYS[i % len(DUE_DAYS)],
            )
        )
    return entries


def populate(engine: Engine, key: str, n: int) -> dict[str, int]:
    """A campaign ``key`` with ``n`` items (see the module docstring), made untimed."""
    setup = load_setup(PLAN)
    engine.start_campaign(setup, key=key)
    rng = random.Random(SEED + n)
    chars = _characters(setup)
    result = engine.import_items(key, OFFICE, make_entries(setup, n))
    measures = closed = 0
    for i, item in enumerate(result.items):
        if i % MEASURES_EVERY and i % CLOSE_EVERY:
            continue
        assert item.unit is not None and item.due is not None
        actor = Actor("责任单位联络员", "responsible", item.unit)
        made = [
            engine.add_measure(
                item.id,
                actor,
                text="".join(rng.choices(chars, k=rng.randint(10, 24))),
                due=item.due if k == 0 else None,
            )
            for k in range(1 + (i % 2))
        ]
        measures += len(made)
        if i % CLOSE_EVERY == 0:
            engine.start_rectification(item.id, actor)
            for measure in made:
                engine.complete_measure(measure.id, actor)
            engine.submit_for_verification(item.id, actor)
            engine.verify(item.id, SUPERVISION)
            engine.close(item.id, OFFICE)
            closed += 1
        elif i % 4 == 0:
            engine.start_rectification(item.id, actor)
            engine.complete_measure(made[0].id, actor)
    return {
        "items": len(result.items),
        "measures": measures,
        "closed": closed,
        "flags": len(result.duplicates),
    }


# ----------------------------------------------------------------------------- the two sides


@dataclass
class LedgerFloor:
    """The ledger's cells as plain values, computed untimed: what the floor writes."""

    rows: list[list[object]]

    @classmethod
    def load(cls, engine: Engine, key: str) -> LedgerFloor:
        labels = ReportLabels.load(engine, key)
        view = labels.base.campaign
        ledger = engine.ledger(key)
        co_units = co_unit_lines(engine.parts(key))
        notes = item_notes(engine, key)  # 领导批示, 延期, 退单
        data = [
            [
                cell_text(v.value if isinstance(v, Styled) else v)
                for v in (
                    *_row(n, row, labels, notes),
                    row.item.unit_name or "",  # 主办单位
                    co_units.get(row.item.id, ""),  # 协办单位
                    attachment_cell(row.attachments),  # 佐证材料
                )
            ]
            for n, row in enumerate(ledger, start=1)
        ]
        head = [
            [f"{view.title}整改台账"],
            [f"{view.county}  {labels.as_of}  共 {len(ledger)} 个问题"],
            [c.heading for c in COLUMNS],
        ]
        return cls(head + data)

    def write(self, path: Path) -> None:
        import xlsxwriter

        workbook = xlsxwriter.Workbook(str(path), XLSX_OPTIONS)
        sheet = workbook.add_worksheet("整改台账")
        for number, values in enumerate(self.rows):
            sheet.write_row(number, 0, values)
        workbook.close()


def ledger_api(engine: Engine, key: str, out: Path) -> Callable[[], Path]:
    def run() -> Path:
        [path] = write_ledger(engine, key, out)
        return path

    return run


def check_api(engine: Engine, key: str, path: Path) -> Callable[[], Any]:
    def run() -> Any:
        table = read_table(path)
        return check_table(table, Vocabulary.load(engine, key), path=path)

    return run


def check_floor(path: Path) -> Callable[[], list[tuple[Any, ...]]]:
    def run() -> list[tuple[Any, ...]]:
        import openpyxl

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # as the import does
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                return list(workbook.worksheets[0].iter_rows(values_only=True))
            finally:
                workbook.close()

    return run


# ------------------------------------------------------------------------------ measuring


@dataclass
class Comparison:
    """One api/floor pair: median wall and CPU seconds over the rounds."""

    name: str
    target: float
    api_s: float
    floor_s: float
    ratio: float
    api_cpu_s: float
    floor_cpu_s: float
    cpu_ratio: float
    api_rounds_s: list[float]
    floor_rounds_s: list[float]

    @property
    def meets(self) -> bool:
        return self.ratio <= self.target


@dataclass
class Memory:
    """tracemalloc peaks (bytes above what was allocated before the call) of one call each."""

    items: int
    api_peak: int
    floor_peak: int
    #: engine.ledger alone (the list of rows write_ledger starts from), for information.
    read_peak: int

    @property
    def ratio(self) -> float:
        return self.api_peak / self.floor_peak


@dataclass
class Result:
    items: int
    rounds: int
    scale: int
    setup: dict[str, int]
    ledger: Comparison
    check: Comparison
    #: engine.ledger alone (the database read inside write_ledger), median seconds.
    ledger_read_s: float
    memory: list[Memory]
    import_rows: int
    import_s: float
    import_rows_s: float
    import_flags: int
    file_bytes: dict[str, int]
    honesty: dict[str, Any] = field(default_factory=dict)

    @property
    def growth(self) -> dict[str, float]:
        """Peak at scale×N over peak at N, per side (1.0 = flat in N)."""
        small, large = self.memory[0], self.memory[-1]
        return {"api": large.api_peak / small.api_peak, "floor": large.floor_peak / small.floor_peak}

    @property
    def api_bytes_per_item(self) -> float:
        """What the API's peak grows by per item (slope between N and scale×N)."""
        small, large = self.memory[0], self.memory[-1]
        return (large.api_peak - small.api_peak) / max(1, large.items - small.items)

    def to_dict(self) -> dict[str, Any]:
        doc = dataclasses.asdict(self)
        doc["ledger"]["meets"] = self.ledger.meets
        doc["check"]["meets"] = self.check.meets
        doc["memory"] = [{**dataclasses.asdict(m), "ratio": m.ratio} for m in self.memory]
        doc["growth"] = self.growth
        doc["api_bytes_per_item"] = self.api_bytes_per_item
        doc["flat"] = {side: growth <= FLAT_TARGET for side, growth in self.growth.items()}
        return doc


def _timed(run: Callable[[], object]) -> tuple[float, float]:
    c0, t0 = time.process_time(), time.perf_counter()
    run()
    return time.perf_counter() - t0, time.process_time() - c0


def compare(
    name: str, target: float, api: Callable[[], object], floor: Callable[[], object], rounds: int, warmup: int
) -> Comparison:
    """``warmup`` then ``rounds`` rounds of both sides, taking turns going first."""
    for _ in range(warmup):
        api()
        floor()
    api_runs: list[tuple[float, float]] = []
    floor_runs: list[tuple[float, float]] = []
    for r in range(rounds):
        gc.collect()
        for side in (api, floor) if r % 2 == 0 else (floor, api):
            (api_runs if side is api else floor_runs).append(_timed(side))
    api_s = statistics.median(w for w, _ in api_runs)
    floor_s = statistics.median(w for w, _ in floor_runs)
    api_cpu = statistics.median(c for _, c in api_runs)
    floor_cpu = statistics.median(c for _, c in floor_runs)
    return Comparison(
        name=name,
        target=target,
        api_s=api_s,
        floor_s=floor_s,
        ratio=api_s / floor_s,
        api_cpu_s=api_cpu,
        floor_cpu_s=floor_cpu,
        cpu_ratio=api_cpu / max(floor_cpu, 1e-9),
        api_rounds_s=[w for w, _ in api_runs],
        floor_rounds_s=[w for w, _ in floor_runs],
    )


def peak(run: Callable[[], object]) -> int:
    """Bytes allocated at the peak of ``run()``, above what was allocated before it."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        run()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def _sheet_rows(path: Path) -> list[tuple[Any, ...]]:
    """The data rows (below the 序号 header) of the first sheet, dates made comparable: the
    export writes them as dates, the floor as bare serial numbers."""
    from openpyxl.utils.datetime import from_excel

    rows = check_floor(path)()
    header = next(i for i, row in enumerate(rows) if row and row[0] == COLUMNS[0].heading)
    closed_col = next(i for i, c in enumerate(COLUMNS) if c.heading == "销号日期")
    out = []
    for row in rows[header + 1 :]:
        values = list(row)
        if isinstance(values[closed_col], int | float):
            values[closed_col] = from_excel(values[closed_col])
        out.append(tuple(values))
    return out


def same_files(api_path: Path, floor_path: Path, n: int) -> dict[str, Any]:
    """Raise unless both files hold ``n`` data rows with the same cells (titles included)."""
    api_rows, floor_rows = _sheet_rows(api_path), _sheet_rows(floor_path)
    title_col = next(i for i, c in enumerate(COLUMNS) if c.heading == "问题标题")
    if not len(api_rows) == len(floor_rows) == n:
        raise AssertionError(f"data rows: export {len(api_rows)}, floor {len(floor_rows)}, items {n}")
    api_titles = [r[title_col] for r in api_rows]
    if api_titles != [r[title_col] for r in floor_rows]:
        raise AssertionError("the export and the floor hold different titles")
    if api_rows != floor_rows:
        diff = next((a, f) for a, f in zip(api_rows, floor_rows, strict=True) if a != f)
        raise AssertionError(f"the export and the floor hold different cells: {diff}")
    return {
        "data_rows": n,
        "same_titles": True,
        "same_cells": True,
        "neutralised_titles": sum(str(t).startswith("'") for t in api_titles),
    }


def run(
    *, items: int, rounds: int, scale: int = 4, warmup: int = 1, progress: Callable[[str], None] | None = None
) -> Result:
    """Measure at ``items`` (memory also at ``scale`` × ``items``). ``items``, ``rounds`` ≥ 1,
    ``scale`` ≥ 2."""
    say = progress or (lambda _msg: None)
    with tempfile.TemporaryDirectory(prefix="zhenggai-bench-reports-") as tmp:
        folder = Path(tmp)
        engine = Engine(f"sqlite:///{folder / 'bench.db'}", clock=VirtualClock(START))
        try:
            return _run(engine, folder, items, rounds, scale, warmup, say)
        finally:
            engine.dispose()


def _run(
    engine: Engine, folder: Path, items: int, rounds: int, scale: int, warmup: int, say: Callable[[str], None]
) -> Result:
    say(f"populating {items} items")
    setup_counts = populate(engine, "bench", items)
    floor_values = LedgerFloor.load(engine, "bench")
    floor_path = folder / "floor.xlsx"
    api = ledger_api(engine, "bench", folder / "api")

    say("ledger export")
    ledger = compare(
        "ledger export", LEDGER_TARGET, api, lambda: floor_values.write(floor_path), rounds, warmup
    )
    ledger_read_s = statistics.median(_timed(lambda: engine.ledger("bench"))[0] for _ in range(rounds))
    api_path = api()
    floor_values.write(floor_path)
    honesty = same_files(api_path, floor_path, items)

    say("import parse and check")
    check = compare(
        "import check",
        CHECK_TARGET,
        check_api(engine, "bench", api_path),
        check_floor(api_path),
        rounds,
        warmup,
    )
    intake = check_api(engine, "bench", api_path)()
    if intake.problems or len(intake.entries) != items:
        raise AssertionError(
            f"the ledger did not read back: {len(intake.entries)} entries, {intake.problems[:3]}"
        )
    honesty["intake_entries"] = len(intake.entries)
    honesty["intake_ignored"] = list(intake.ignored)

    say("memory")
    memory = [
        Memory(
            items,
            peak(api),
            peak(lambda: floor_values.write(floor_path)),
            peak(lambda: engine.ledger("bench")),
        )
    ]
    big = items * scale
    say(f"memory at {big} items: populating")
    populate(engine, "bench-large", big)
    big_floor = LedgerFloor.load(engine, "bench-large")
    big_api = ledger_api(engine, "bench-large", folder / "api-large")
    big_api()  # warm
    memory.append(
        Memory(
            big,
            peak(big_api),
            peak(lambda: big_floor.write(folder / "floor-large.xlsx")),
            peak(lambda: engine.ledger("bench-large")),
        )
    )

    say("import_file into a fresh campaign")
    engine.start_campaign(load_setup(PLAN), key="bench-import")
    done: list[Any] = []
    import_s, _ = _timed(lambda: done.append(import_file(engine, "bench-import", OFFICE, api_path)))
    imported = done[0]
    ledger_titles = [r.item.title for r in engine.ledger("bench")]
    if [i.title for i in imported.result.items] != ledger_titles:
        raise AssertionError("import_file did not bring back the ledger's titles")
    honesty["reimported_titles_equal"] = True

    return Result(
        items=items,
        rounds=rounds,
        scale=scale,
        setup=setup_counts,
        ledger=ledger,
        check=check,
        ledger_read_s=ledger_read_s,
        memory=memory,
        import_rows=len(imported.result.items),
        import_s=import_s,
        import_rows_s=len(imported.result.items) / import_s,
        import_flags=len(imported.result.duplicates),
        file_bytes={"export": api_path.stat().st_size, "floor": floor_path.stat().st_size},
        honesty=honesty,
    )


# ------------------------------------------------------------------------------ reporting


def machine() -> dict[str, Any]:
    import openpyxl
    import sqlalchemy
    import xlsxwriter

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "sqlalchemy": sqlalchemy.__version__,
        "sqlite": sqlite3.sqlite_version,
        "xlsxwriter": xlsxwriter.__version__,
        "openpyxl": openpyxl.__version__,
    }


def _mib(n: float) -> str:
    return f"{n / 2**20:.1f}"


def table(r: Result) -> str:
    head = f"{'comparison':<16} {'api s':>8} {'floor s':>8} {'ratio':>7} {'cpu ratio':>10} {'target':>9}"
    lines = [head, "-" * len(head)]
    for c in (r.ledger, r.check):
        mark = "ok" if c.meets else "MISSED"
        lines.append(
            f"{c.name:<16} {c.api_s:>8.3f} {c.floor_s:>8.3f} {c.ratio:>6.2f}x {c.cpu_ratio:>9.2f}x"
            f"  <={c.target:.0f}x {mark}"
        )
    lines.append(
        f"  (engine.ledger alone, inside the export's time: {r.ledger_read_s:.3f} s;"
        f" files: export {r.file_bytes['export']:,} B, floor {r.file_bytes['floor']:,} B)"
    )
    lines.append("")
    mhead = f"{'peak memory':<16} {'api MiB':>8} {'floor MiB':>10} {'ratio':>7} {'engine.ledger MiB':>18}"
    lines += [mhead, "-" * len(mhead)]
    for m in r.memory:
        lines.append(
            f"{f'{m.items:,} items':<16} {_mib(m.api_peak):>8} {_mib(m.floor_peak):>10} {m.ratio:>6.2f}x"
            f" {_mib(m.read_peak):>18}"
        )
    g = r.growth
    marks = {side: "flat" if growth <= FLAT_TARGET else "NOT FLAT" for side, growth in g.items()}
    lines.append(
        f"{f'growth, x{r.scale} items':<16} {g['api']:>7.2f}x {g['floor']:>9.2f}x"
        f"   target <= {FLAT_TARGET}x: api {marks['api']}, floor {marks['floor']}"
        f" (the api's peak grows {r.api_bytes_per_item / 1024:.2f} KiB per item)"
    )
    lines.append("")
    lines.append(
        f"import_file (read, check and the engine's writes; no floor): {r.import_rows:,} rows in"
        f" {r.import_s:.2f} s = {r.import_rows_s:,.0f} rows/s, {r.import_flags} 关联研判 flags"
    )
    h = r.honesty
    lines.append(
        f"honesty: both files {h['data_rows']:,} data rows, same titles and cells"
        f" ({h['neutralised_titles']} titles neutralised); the import read {h['intake_entries']:,} entries,"
        " no problem; re-imported titles equal"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="zhenggai reports and intake: the ledger export and the import check vs their file floors"
    )
    parser.add_argument("--items", type=int, default=5000, help="items in the ledger (default 5000)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per side (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    parser.add_argument(
        "--scale",
        type=int,
        default=4,
        help="peak memory also measured at this many times --items (default 4)",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks it works, measures nothing")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON ('-' = stdout)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    if args.smoke:
        args.items, args.rounds, args.warmup, args.scale = 30, 1, 1, 4
    if args.items < 1 or args.rounds < 1 or args.warmup < 0 or args.scale < 2:
        parser.error("--items and --rounds must be at least 1, --warmup at least 0, --scale at least 2")

    def progress(msg: str) -> None:
        if not args.quiet:
            print(msg, file=sys.stderr, flush=True)

    result = run(
        items=args.items, rounds=args.rounds, scale=args.scale, warmup=args.warmup, progress=progress
    )
    info = machine()
    print(
        f"zhenggai reports: {args.items} items, {args.rounds} timed rounds (median), SQLite {info['sqlite']},"
        f" XlsxWriter {info['xlsxwriter']}, openpyxl {info['openpyxl']}, {info['cpus']} CPUs,"
        f" Python {info['python']}"
    )
    s = result.setup
    print(f"  setup: {s['items']} items, {s['measures']} measures, {s['closed']} closed, {s['flags']} flags")
    print(table(result))
    if args.json:
        doc = {
            "benchmark": "reports",
            "smoke": args.smoke,
            "items": args.items,
            "rounds": args.rounds,
            "warmup": args.warmup,
            "scale": args.scale,
            "machine": info,
            "result": result.to_dict(),
        }
        text = json.dumps(doc, ensure_ascii=False, indent=2)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
