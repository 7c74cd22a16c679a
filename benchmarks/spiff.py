#!/usr/bin/env python
"""zhenggai's durable step against SpiffWorkflow 3's, the same item lifecycle on SQLite (WAL).

What is measured
----------------
* **spiff**: SpiffWorkflow 3 runs ``benchmarks/item_lifecycle.bpmn`` (上报 → 交办 → 提交验收 →
  验收 → 销号, five user tasks, a boundary timer on the rectification: the deadline), persisted
  as its users do: after every step the workflow is serialized to JSON with its
  ``BpmnWorkflowSerializer`` and written, in a transaction of its own, into a SQLite table
  (``INSERT`` for the first step, ``UPDATE`` for the others). Each step puts the form data a
  person would give into the task's data (title, unit, due date, a note). The workflow object
  stays in memory between steps: the cheapest honest Spiff, against which the targets are
  judged.
* **spiff_reload**: the same, but every step after the first reads the row back and
  deserializes the workflow in its transaction, as a server answering one request per step
  does (zhenggai's step reads its item row the same way). Shown beside it, not the target's.
* **zhenggai**: the same item through the public API on a database the engine made: ``report``
  · ``assign`` · ``add_measure`` · ``start_rectification`` · ``complete_measure`` ·
  ``submit_for_verification`` · ``verify`` · ``close``. Eight durable steps, since the plan asks
  for a measure before rectification and for it done before verification; each is one
  transaction with its role and guard checks, its hash-chained audit event, its outbox rows
  (three per item) and its escalation ladder (armed on assign, cancelled on submit).

Both on SQLite in WAL mode with the same ``synchronous`` setting, ``NORMAL`` and ``FULL`` in
turn. A *round* runs N new items' whole lifecycles on each side, the two sides taking turns
(zhenggai first, then Spiff first). A side's rate is its **durable steps per second** (median
round); the ratio is zhenggai's over Spiff's. Per item (a whole lifecycle) is shown beside it.
Client CPU per step (``time.process_time``) too: on SQLite nearly the whole cost at NORMAL.

**Storage per item**: the bytes of every table and index page (SQLite's ``dbstat``), after the
runs minus before them (the campaign's own setup excluded), over the items made; measured on
both databases the same way, after a WAL checkpoint.

**PostgreSQL**: zhenggai's API against the raw-driver floor (``benchmarks/transitions.py``'s
``run_backend``, the same run): ``API ÷ floor`` in ops/s (target ≥ 80 %).

Usage::

    python benchmarks/spiff.py [--items N] [--rounds R] [--no-pg] [--pg-url URL] [--json FILE]
    python benchmarks/spiff.py --smoke       # tiny: does it work
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import importlib.util
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if __name__ == "__main__":
    # benchmarks/transitions.py shares its name with the ``transitions`` library: keep this
    # folder off the path (it is loaded by file below).
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

BPMN = HERE / "item_lifecycle.bpmn"
PROCESS = "zhenggai_item"
SPIFF_STEPS = ("report", "assign", "submit", "verify", "close")
ZG_STEPS = (
    "report",
    "assign",
    "add_measure",
    "start_rectification",
    "complete_measure",
    "submit_for_verification",
    "verify",
    "close",
)
DURABILITIES = ("normal", "full")
TARGETS = {"normal": 8.0, "full": 3.5}
PG_TARGET = 0.8  # API ops/s ÷ floor ops/s


def spiff_unavailable() -> str | None:
    """Why SpiffWorkflow cannot run here, or None."""
    try:
        import SpiffWorkflow  # noqa: F401
    except ImportError:
        return "SpiffWorkflow is not installed (pip install -e '.[bench]')"
    return None


def _load_transitions() -> Any:
    name = "zhenggai_bench_transitions_for_spiff"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE / "transitions.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _titles(n: int, seed: int) -> list[tuple[str, str]]:
    """Distinct, plausible titles and descriptions (so 关联研判 flags none of them)."""
    rng = random.Random(seed)
    words = "审批材料重复提交窗口办理时限超期收费标准公示不到位项目资金拨付滞后工程质量验收监管缺位"
    out = []
    for i in range(n):
        title = "".join(rng.sample(words, 10)) + f"问题{seed}-{i}"
        out.append((title, "".join(rng.sample(words, 30))))
    return out


def _connect(path: str, durability: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={durability.upper()}")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def stored_bytes(path: str) -> int:
    """Bytes of every table and index page of the SQLite file at ``path`` (dbstat), after a
    checkpoint; the free pages are not counted."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (total,) = conn.execute("SELECT coalesce(sum(pgsize), 0) FROM dbstat").fetchone()
        return int(total)
    finally:
        conn.close()


# ------------------------------------------------------------------------------ the Spiff side


class SpiffSide:
    """SpiffWorkflow 3, the workflow serialized to JSON after every step into a SQLite table."""

    steps = len(SPIFF_STEPS)

    def __init__(self, path: str, durability: str, *, reload: bool = False) -> None:
        #: ``reload``: every step after the first reads the workflow back from its row and
        #: deserializes it, as a server answering one request per step does.
        self.reload = reload
        self.name = "spiff_reload" if reload else "spiff"
        from SpiffWorkflow.bpmn import BpmnWorkflow
        from SpiffWorkflow.bpmn.parser import BpmnParser
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
        from SpiffWorkflow.util.task import TaskState

        parser = BpmnParser()
        parser.add_bpmn_file(str(BPMN))
        self.spec = parser.get_spec(PROCESS)
        self.workflow_class = BpmnWorkflow
        self.serializer = BpmnWorkflowSerializer()
        self.ready = TaskState.READY
        self.path = path
        self.conn = _connect(path, durability)
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS spiff_workflow ("
            " id INTEGER PRIMARY KEY, status TEXT NOT NULL, updated_at TEXT NOT NULL,"
            " serialization TEXT NOT NULL)"
        )
        self.made = 0

    def close(self) -> None:
        self.conn.close()

    def _step(self, workflow: Any, name: str, data: dict[str, Any]) -> str:
        task = workflow.get_next_task(state=self.ready, manual=True)
        assert task is not None and task.task_spec.name == name, (name, task)
        task.data.update(data)
        task.run()
        workflow.do_engine_steps()
        # The deadline timer (``refresh_waiting_tasks`` before 3.2 named it).
        if hasattr(workflow, "refresh_timers"):
            workflow.refresh_timers()
        else:  # pragma: no cover - SpiffWorkflow before 3.2
            workflow.refresh_waiting_tasks()
        return str(self.serializer.serialize_json(workflow))

    def lifecycles(self, n: int, seed: int) -> Callable[[], None]:
        titles = _titles(n, seed)
        conn, step = self.conn, self._step
        spec, workflow_class = self.spec, self.workflow_class
        reload, deserialize = self.reload, self.serializer.deserialize_json

        def run() -> None:
            for title, description in titles:
                now = dt.datetime.now(dt.UTC).isoformat()
                workflow = workflow_class(spec)
                workflow.do_engine_steps()
                blob = step(
                    workflow,
                    "report",
                    {
                        "title": title,
                        "description": description,
                        "track": "construction",
                        "channel": "hotline",
                    },
                )
                conn.execute("BEGIN IMMEDIATE")
                cur = conn.execute(
                    "INSERT INTO spiff_workflow (status, updated_at, serialization) VALUES (?, ?, ?)",
                    ("report", now, blob),
                )
                conn.execute("COMMIT")
                wid = cur.lastrowid
                for name, data in (
                    ("assign", {"unit": "finance_bureau", "due": "2023-09-28"}),
                    ("submit", {"measures": ["精简材料清单"], "note": None}),
                    ("verify", {"verified_by": "督查一组"}),
                    ("close", {"closed_by": "王主任"}),
                ):
                    if reload:
                        conn.execute("BEGIN IMMEDIATE")
                        (stored,) = conn.execute(
                            "SELECT serialization FROM spiff_workflow WHERE id = ?", (wid,)
                        ).fetchone()
                        workflow = deserialize(stored)
                        blob = step(workflow, name, data)
                    else:
                        blob = step(workflow, name, data)
                        conn.execute("BEGIN IMMEDIATE")
                    conn.execute(
                        "UPDATE spiff_workflow SET status = ?, updated_at = ?, serialization = ? WHERE id = ?",
                        (name, now, blob, wid),
                    )
                    conn.execute("COMMIT")
                assert workflow.is_completed()
            self.made += n

        return run


# ------------------------------------------------------------------------------ the zhenggai side


class ZhenggaiSide:
    """zhenggai's public API on a database of its own."""

    name = "zhenggai"
    steps = len(ZG_STEPS)

    def __init__(self, path: str, durability: str) -> None:
        tr = _load_transitions()
        self.tr = tr
        self.path = path
        self.engine = tr.Engine(f"sqlite:///{path}", clock=tr.VirtualClock(tr.START), durability=durability)
        self.engine.start_campaign(tr.bench_setup(), key="bench")
        self.made = 0

    def close(self) -> None:
        self.engine.dispose()

    def lifecycles(self, n: int, seed: int) -> Callable[[], None]:
        tr, engine = self.tr, self.engine
        titles = _titles(n, seed)
        office, supervision = tr.OFFICE, tr.SUPERVISION

        def run() -> None:
            for i, (title, description) in enumerate(titles):
                unit = tr.ITEM_UNITS[i % len(tr.ITEM_UNITS)]
                actor = tr.Actor("责任单位联络员", "responsible", unit)
                item = engine.report(
                    "bench",
                    office,
                    title=title,
                    description=description,
                    track="construction",
                    channel="hotline",
                )
                engine.assign(item.id, office, unit=unit, due=tr.DUE)
                measure = engine.add_measure(item.id, actor, text="精简材料清单")
                engine.start_rectification(item.id, actor)
                engine.complete_measure(measure.id, actor)
                engine.submit_for_verification(item.id, actor)
                engine.verify(item.id, supervision)
                view = engine.close(item.id, office)
                assert view.state == "closed", view.state
            self.made += n

        return run


# ------------------------------------------------------------------------------ measuring


@dataclass
class SideFigures:
    steps_per_item: int
    step_ops_s: float  # durable steps per second (median round)
    item_ops_s: float  # whole lifecycles per second
    cpu_us_per_step: float
    bytes_per_item: float


@dataclass
class DurabilityResult:
    durability: str
    items: int
    rounds: int
    zhenggai: SideFigures
    spiff: SideFigures
    spiff_reload: SideFigures  # Spiff reading and deserializing the workflow at every step
    step_ratio: float  # zhenggai steps/s ÷ Spiff steps/s (the workflow kept in memory)
    reload_step_ratio: float  # zhenggai steps/s ÷ Spiff's reloading at every step
    item_ratio: float  # zhenggai lifecycles/s ÷ Spiff lifecycles/s
    cpu_ratio: float  # Spiff CPU per step ÷ zhenggai's
    storage_ratio: float  # Spiff bytes per item ÷ zhenggai's
    target: float
    met: bool


@dataclass
class PgResult:
    api_ops_s: float
    floor_ops_s: float
    api_over_floor: float
    target: float = PG_TARGET
    met: bool = False


@dataclass
class Run:
    results: list[DurabilityResult] = field(default_factory=list)
    postgresql: PgResult | None = None
    skipped: dict[str, str] = field(default_factory=dict)
    smoke: bool = False


def _timed(fn: Callable[[], None]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def run_durability(durability: str, items: int, rounds: int, warmup: int = 1) -> DurabilityResult:
    with tempfile.TemporaryDirectory(prefix="zhenggai-spiff-") as folder:
        zg = ZhenggaiSide(f"{folder}/zhenggai.db", durability)
        sp = SpiffSide(f"{folder}/spiff.db", durability)
        sr = SpiffSide(f"{folder}/spiff_reload.db", durability, reload=True)
        sides: list[ZhenggaiSide | SpiffSide] = [zg, sp, sr]
        try:
            base = {side.name: stored_bytes(side.path) for side in sides}
            seed = 0
            for _ in range(warmup):
                for side in sides:
                    seed += 1
                    side.lifecycles(items, seed)()
            times: dict[str, list[tuple[float, float]]] = {side.name: [] for side in sides}
            for r in range(rounds):
                seed += 1
                order = sides if r % 2 == 0 else sides[::-1]
                for side in order:
                    run = side.lifecycles(items, seed)
                    times[side.name].append(_timed(run))
            figures = {}
            for side in sides:
                wall = statistics.median(w for w, _ in times[side.name])
                cpu = statistics.median(c for _, c in times[side.name])
                side.close()
                stored = stored_bytes(side.path) - base[side.name]
                figures[side.name] = SideFigures(
                    steps_per_item=side.steps,
                    step_ops_s=items * side.steps / wall,
                    item_ops_s=items / wall,
                    cpu_us_per_step=cpu / (items * side.steps) * 1e6,
                    bytes_per_item=stored / side.made,
                )
        finally:
            for side in sides:
                with contextlib.suppress(Exception):
                    side.close()
    z, s, s_reload = figures["zhenggai"], figures["spiff"], figures["spiff_reload"]
    ratio = z.step_ops_s / s.step_ops_s
    return DurabilityResult(
        durability=durability,
        items=items,
        rounds=rounds,
        zhenggai=z,
        spiff=s,
        spiff_reload=s_reload,
        step_ratio=ratio,
        reload_step_ratio=z.step_ops_s / s_reload.step_ops_s,
        item_ratio=z.item_ops_s / s.item_ops_s,
        cpu_ratio=s.cpu_us_per_step / z.cpu_us_per_step,
        storage_ratio=s.bytes_per_item / z.bytes_per_item,
        target=TARGETS[durability],
        met=ratio >= TARGETS[durability],
    )


def run_pg(pg_url: str, items: int, rounds: int) -> PgResult:
    tr = _load_transitions()
    result = tr.run_backend("postgresql", items=items, rounds=rounds, pg_url=pg_url)
    share = result.api_ops_s / result.floor_ops_s
    return PgResult(result.api_ops_s, result.floor_ops_s, share, met=share >= PG_TARGET)


def table(run: Run) -> str:
    lines = ["durability  side          steps/item  steps/s  items/s  cpu us/step  bytes/item", "-" * 81]
    for r in run.results:
        for name in ("zhenggai", "spiff", "spiff_reload"):
            f: SideFigures = getattr(r, name)
            lines.append(
                f"{r.durability:<11} {name:<13} {f.steps_per_item:>10} {f.step_ops_s:>8,.0f} {f.item_ops_s:>8,.1f}"
                f" {f.cpu_us_per_step:>12,.0f} {f.bytes_per_item:>11,.0f}"
            )
        lines.append(
            f"{r.durability:<11} zhenggai / spiff: per step {r.step_ratio:.2f}x (target >= {r.target}x:"
            f" {'met' if r.met else 'MISSED'}), per item {r.item_ratio:.2f}x, cpu {r.cpu_ratio:.2f}x,"
            f" against spiff_reload {r.reload_step_ratio:.2f}x per step,"
            f" storage {r.storage_ratio:.2f}x less"
        )
    if run.postgresql is not None:
        p = run.postgresql
        lines.append(
            f"postgresql  api {p.api_ops_s:,.0f} ops/s, floor {p.floor_ops_s:,.0f} ops/s:"
            f" api/floor {p.api_over_floor:.0%} (target >= {p.target:.0%}: {'met' if p.met else 'MISSED'})"
        )
    for what, why in run.skipped.items():
        lines.append(f"skipped {what}: {why}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=100, help="lifecycles per side per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--durability", choices=(*DURABILITIES, "both"), default="both")
    parser.add_argument(
        "--pg-url", default=None, help="PostgreSQL for API vs floor (default as transitions.py)"
    )
    parser.add_argument("--pg-items", type=int, default=200)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: does it work")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    reason = spiff_unavailable()
    if reason is not None:
        print(reason, file=sys.stderr)
        return 2
    items, rounds, pg_items = (3, 1, 2) if args.smoke else (args.items, args.rounds, args.pg_items)
    run = Run(smoke=args.smoke)
    for durability in DURABILITIES if args.durability == "both" else (args.durability,):
        run.results.append(run_durability(durability, items, rounds, warmup=0 if args.smoke else 1))
    if not args.no_pg:
        tr = _load_transitions()
        url = args.pg_url or tr.DEFAULT_PG_URL
        why = tr.pg_unavailable(url)
        if why is None:
            run.postgresql = run_pg(url, pg_items, rounds)
        else:
            run.skipped["postgresql"] = why
    if not args.quiet:
        print(table(run))
    if args.json is not None:
        args.json.write_text(
            json.dumps(dataclasses.asdict(run), indent=2, ensure_ascii=False), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
