#!/usr/bin/env python
"""Cost of a sweep per due step, against one API transition measured in the same run.

What is measured
----------------
A database holds N items of the built-in 2023 plan, K of them with a ladder step due (the 黄灯
rung, ``yellow``: it raises the light, so each step writes the item, its outbox rows and its
audit event). The rest of the items have a pending step that is not due yet, so the due-step
index holds N rows and the sweep must find the K among them.

Population (untimed): the campaign and ``--api-items`` items are made through the public API
(in ``submitted``, as ``benchmarks/transitions.py`` makes them), plus two template items,
assigned with a due date (one due soon, one much later); the template's reminder fires by a
sweep; then the templates' rows are cloned with SQL into K due items (each with the
template's step rows) and the fillers (each with one pending step), so a million items take
seconds, not hours. Everything else due before the measured moment is swept (untimed).

Measured (in a child process, so its peak RSS is the sweep's): a fresh ``Engine`` opens the
database with the clock one hour after the yellow rung's moment, and ``Engine.sweep()`` runs
once: wall and CPU time, steps settled, peak RSS. A second sweep must find nothing. Then, in the
same process and database, one untimed and ``--rounds`` timed rounds of
``verify`` → ``return_for_rework`` → ``submit_for_verification`` through the API on the
``--api-items`` items give the cost of one API transition (median round).
``ratio = sweep cost per due step ÷ API cost per transition`` (target on PostgreSQL ≤ 1.5).

The parent also records the plan of the due-step query (``EXPLAIN`` / ``EXPLAIN QUERY PLAN``).

Usage::

    python benchmarks/sweeps.py [--items N[,N…]] [--due K] [--api-items M] [--rounds R]
                                [--backend sqlite|postgresql|all] [--pg-url URL]
                                [--durability full|normal] [--smoke] [--json FILE]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

_HERE = Path(__file__).resolve().parent
if __name__ == "__main__":
    # benchmarks/transitions.py shares its name with the ``transitions`` library: keep the folder
    # off the path (see that script).
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import sqlalchemy as sa
from zhenggai.engine import Actor, Engine, VirtualClock, models


def _load_transitions() -> ModuleType:
    name = "zhenggai_bench_transitions_for_sweeps"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, _HERE / "transitions.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


T = _load_transitions()
BACKENDS = ("sqlite", "postgresql")
DUE_SOON = T.DUE  # 2023-09-28
DUE_LATER = dt.date(2023, 12, 28)
ITEM_COLUMNS = [c.name for c in models.Item.__table__.c if c.name not in ("id", "number")]


# ------------------------------------------------------------------------------------ setup


def _template(engine: Engine, due: dt.date, unit: str) -> int:
    item = engine.report(
        "bench",
        T.OFFICE,
        title="基准督办问题",
        description="审批环节要求企业重复提交材料",
        track="construction",
        channel="hotline",
    )
    engine.assign(item.id, T.OFFICE, unit=unit, due=due)
    return item.id


def _clone(conn: sa.Connection, dialect: str, template: int, count: int, prefix: str) -> tuple[int, int]:
    """``count`` copies of item ``template`` (numbered ``prefix``1…); returns their id range."""
    before = conn.exec_driver_sql("SELECT max(id) FROM zg_item").scalar_one()
    cols = ", ".join(ITEM_COLUMNS)
    picked = ", ".join(f"t.{c}" for c in ITEM_COLUMNS)
    if dialect == "sqlite":
        sql = (
            f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {count}) "
            f"INSERT INTO zg_item ({cols}, number) SELECT {picked}, '{prefix}' || s.n "
            f"FROM zg_item t, s WHERE t.id = {template} ORDER BY s.n"
        )
    else:
        sql = (
            f"INSERT INTO zg_item ({cols}, number) SELECT {picked}, '{prefix}' || s.n "
            f"FROM zg_item t, generate_series(1, {count}) AS s(n) WHERE t.id = {template} ORDER BY s.n"
        )
    conn.exec_driver_sql(sql)
    after = conn.exec_driver_sql("SELECT max(id) FROM zg_item").scalar_one()
    assert after - before == count
    return before + 1, after


def _clone_steps(conn: sa.Connection, template: int, lo: int, hi: int, where: str = "") -> None:
    conn.exec_driver_sql(
        "INSERT INTO zg_step (campaign_id, subject_kind, subject_id, step_key, due_at, status,"
        " fired_at, created_at) SELECT t.campaign_id, t.subject_kind, i.id, t.step_key, t.due_at,"
        " t.status, t.fired_at, t.created_at FROM zg_item i JOIN zg_step t ON t.subject_kind = 'item'"
        f" AND t.subject_id = {template} {where} WHERE i.id BETWEEN {lo} AND {hi} ORDER BY i.id, t.id"
    )


def _step_due(conn: sa.Connection, item_id: int, step: str) -> dt.datetime:
    value = conn.execute(
        sa.select(models.Step.due_at).where(
            models.Step.subject_kind == "item",
            models.Step.subject_id == item_id,
            models.Step.step_key.startswith(f"item_overdue.{step}@"),
        )
    ).scalar_one()
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass
class Population:
    url: str
    api_items: list[int]
    sweep_at: dt.datetime
    due_plan: list[str]
    populate_s: float


def populate(
    url: str,
    dialect: str,
    *,
    items: int,
    due: int,
    api_items: int,
    durability: str,
    progress: Callable[[str], None],
) -> Population:
    t0 = time.perf_counter()
    clock = VirtualClock(T.START)
    engine = Engine(url, clock=clock, durability=durability)
    try:
        made = T.populate(engine, api_items)
        soon = _template(engine, DUE_SOON, T.ITEM_UNITS[0])
        later = _template(engine, DUE_LATER, T.ITEM_UNITS[1])
        sa_engine = engine.store.engine
        with sa_engine.connect() as conn:
            reminder_at = _step_due(conn, soon, "reminder")
            yellow_at = _step_due(conn, soon, "yellow")
        clock.set(reminder_at + dt.timedelta(hours=1))
        engine.sweep()  # the template's reminder fires (and the duties due by then)
        fillers = items - api_items - 2 - due
        assert fillers >= 0, "--items must hold --api-items + --due + 2"
        with sa_engine.begin() as conn:
            lo, hi = _clone(conn, dialect, soon, due, "D")
            _clone_steps(conn, soon, lo, hi)
            if fillers:
                flo, fhi = _clone(conn, dialect, later, fillers, "F")
                _clone_steps(
                    conn, later, flo, fhi, "AND substr(t.step_key, 1, 22) = 'item_overdue.reminder@'"
                )
        if dialect == "postgresql":
            with sa_engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM ANALYZE zg_item, zg_step"
                )
        else:
            with sa_engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        clock.set(yellow_at - dt.timedelta(minutes=1))
        engine.sweep()  # anything else due before the measured moment (untimed)
        progress(f"  populated {items} items ({due} due) in {time.perf_counter() - t0:.1f} s")
        sweep_at = yellow_at + dt.timedelta(hours=1)
        plan = explain(sa_engine, dialect, sweep_at)
    finally:
        engine.dispose()
    return Population(url, [i for i, _ in made], sweep_at, plan, time.perf_counter() - t0)


DUE_QUERY = (
    "SELECT subject_kind, subject_id, due_at FROM zg_step WHERE status = 'pending' AND due_at <= {now}"
    " ORDER BY due_at, id LIMIT 200"
)


def explain(sa_engine: sa.Engine, dialect: str, now: dt.datetime) -> list[str]:
    with sa_engine.connect() as conn:
        if dialect == "postgresql":
            sql = "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + DUE_QUERY.format(now="%(now)s")
            rows = conn.exec_driver_sql(sql, {"now": now}).all()
            return [r[0] for r in rows]
        sql = "EXPLAIN QUERY PLAN " + DUE_QUERY.format(now="?")
        rows = conn.exec_driver_sql(sql, (now.strftime("%Y-%m-%d %H:%M:%S.%f"),)).all()
        return [str(r[-1]) for r in rows]


# ------------------------------------------------------------------------------ the child


def traced_child(url: str, at: str, durability: str) -> dict[str, Any]:
    """The sweep, its statements traced at the driver (untimed: tracing costs)."""
    clock = VirtualClock(dt.datetime.fromisoformat(at))
    engine = Engine(url, clock=clock, durability=durability, migrate=False)
    try:
        with T.ApiSide(engine, []).tracing() as log:
            report = engine.sweep()
    finally:
        engine.dispose()
    kinds: dict[str, int] = {}
    for statement in log:
        word = statement.split(None, 1)[0].upper() if statement.strip() else "?"
        kinds[word] = kinds.get(word, 0) + 1
    return {"settled": report.settled, "statements": len(log), "kinds": kinds}


def child(url: str, at: str, api_items: list[int], rounds: int, durability: str) -> dict[str, Any]:
    clock = VirtualClock(dt.datetime.fromisoformat(at))
    engine = Engine(url, clock=clock, durability=durability, migrate=False)
    try:
        c0, t0 = time.process_time(), time.perf_counter()
        report = engine.sweep()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        again = engine.sweep()
        actors = {
            i: Actor("责任单位联络员", "responsible", T.ITEM_UNITS[n % len(T.ITEM_UNITS)])
            for n, i in enumerate(api_items)
        }
        side = T.ApiSide(engine, [(i, actors[i]) for i in api_items])
        phases = [side.phase(trigger) for trigger in T.TRIGGERS]
        per_round: list[float] = []
        for r in range(rounds + 1):
            t1 = time.perf_counter()
            for phase in phases:
                phase()
            if r:  # the first round warms up
                per_round.append((time.perf_counter() - t1) / (3 * len(api_items)))
    finally:
        engine.dispose()
    return {
        "sweep_s": wall,
        "sweep_cpu_s": cpu,
        "settled": report.settled,
        "fired": report.fired,
        "subjects": report.subjects,
        "again": again.settled,
        "rss_mb": rss_kb / 1024,
        "transition_ms_rounds": [x * 1000 for x in per_round],
    }


# ------------------------------------------------------------------------------ measuring


@dataclass
class Result:
    backend: str
    items: int
    due: int
    settled: int
    sweep_s: float
    sweep_cpu_s: float
    step_ms: float
    step_cpu_ms: float
    transition_ms: float
    ratio: float
    rss_mb: float
    populate_s: float
    due_plan: list[str]
    statements_per_step: float
    statement_kinds: dict[str, float]
    server: str = ""


#: Due steps in the traced run.
TRACED = 20


def run_child(spec: dict[str, Any]) -> Any:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child failed:\n{proc.stderr}")
    return json.loads(proc.stdout)


def run_size(
    backend: str,
    *,
    items: int,
    due: int,
    api_items: int,
    rounds: int,
    pg_url: str,
    durability: str,
    progress: Callable[[str], None],
) -> Result:
    with T.databases(backend, pg_url, durability) as (url, _unused, _connect):
        pop = populate(
            url, backend, items=items, due=due, api_items=api_items, durability=durability, progress=progress
        )
        got = run_child(
            {
                "url": url,
                "at": pop.sweep_at.isoformat(),
                "api_items": pop.api_items,
                "rounds": rounds,
                "durability": durability,
            }
        )
        server = ""
        if backend == "postgresql":
            probe = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
            try:  # disposed, so its pooled connection is closed, not left to the collector
                with probe.connect() as conn:
                    server = str(conn.exec_driver_sql("SHOW server_version").scalar_one())
            finally:
                probe.dispose()
    # The statements per due step, from a small database of the same shape (tracing costs).
    with T.databases(backend, pg_url, durability) as (url, _unused, _connect):
        small = populate(
            url, backend, items=TRACED + 3, due=TRACED, api_items=1, durability=durability, progress=progress
        )
        traced = run_child(
            {"url": url, "at": small.sweep_at.isoformat(), "durability": durability, "trace": True}
        )
    assert got["again"] == 0, "a second sweep found steps left"
    assert got["settled"] >= due, (got["settled"], due)
    step_ms = got["sweep_s"] * 1000 / got["settled"]
    transition_ms = statistics.median(got["transition_ms_rounds"])
    result = Result(
        backend=backend,
        items=items,
        due=due,
        settled=got["settled"],
        sweep_s=got["sweep_s"],
        sweep_cpu_s=got["sweep_cpu_s"],
        step_ms=step_ms,
        step_cpu_ms=got["sweep_cpu_s"] * 1000 / got["settled"],
        transition_ms=transition_ms,
        ratio=step_ms / transition_ms,
        rss_mb=got["rss_mb"],
        populate_s=pop.populate_s,
        due_plan=pop.due_plan,
        statements_per_step=traced["statements"] / traced["settled"],
        statement_kinds={k: v / traced["settled"] for k, v in traced["kinds"].items()},
        server=server,
    )
    progress(
        f"  {backend} {items} items: {result.settled} steps in {result.sweep_s:.2f} s"
        f" ({step_ms:.2f} ms/step, transition {transition_ms:.2f} ms, ratio {result.ratio:.2f}, RSS"
        f" {result.rss_mb:.0f} MB, {result.statements_per_step:.1f} statements/step)"
    )
    return result


def table(results: Sequence[Result]) -> str:
    lines = [
        "backend      items    due  sweep s  ms/step  cpu ms/step  transition ms  ratio  RSS MB  stmts/step"
    ]
    for r in results:
        lines.append(
            f"{r.backend:<10} {r.items:>8} {r.settled:>6} {r.sweep_s:>8.2f} {r.step_ms:>8.2f}"
            f" {r.step_cpu_ms:>12.2f} {r.transition_ms:>14.2f} {r.ratio:>6.2f} {r.rss_mb:>7.0f}"
            f" {r.statements_per_step:>11.1f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="zhenggai sweep cost per due step vs one API transition")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--items", default="100000", help="items in the database, comma-separated sizes")
    parser.add_argument("--due", type=int, default=10_000, help="items with a step due (default 10000)")
    parser.add_argument(
        "--api-items", type=int, default=100, help="items cycled through the API (default 100)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="timed API rounds (default 3)")
    parser.add_argument("--backend", choices=[*BACKENDS, "all"], default="all")
    parser.add_argument("--pg-url", default=T.DEFAULT_PG_URL, help="PostgreSQL server URL")
    parser.add_argument("--durability", choices=["full", "normal"], default="full")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks it works, measures nothing")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON ('-' = stdout)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    if args.child:
        spec = json.loads(args.child)
        if spec.get("trace"):
            out = traced_child(spec["url"], spec["at"], spec["durability"])
        else:
            out = child(spec["url"], spec["at"], spec["api_items"], spec["rounds"], spec["durability"])
        print(json.dumps(out))
        return 0
    sizes = [int(x) for x in str(args.items).split(",")]
    if args.smoke:
        sizes, args.due, args.api_items, args.rounds = [40], 12, 3, 1

    def progress(msg: str) -> None:
        if not args.quiet:
            print(msg, file=sys.stderr, flush=True)

    backends = list(BACKENDS) if args.backend == "all" else [args.backend]
    results: list[Result] = []
    skipped: dict[str, str] = {}
    for backend in backends:
        if backend == "postgresql":
            reason = T.pg_unavailable(args.pg_url)
            if reason is not None:
                if args.backend == "postgresql":
                    print(f"error: {reason}", file=sys.stderr)
                    return 1
                print(f"skipped postgresql: {reason}", file=sys.stderr)
                skipped[backend] = reason
                continue
        for size in sizes:
            results.append(
                run_size(
                    backend,
                    items=size,
                    due=args.due,
                    api_items=args.api_items,
                    rounds=args.rounds,
                    pg_url=args.pg_url,
                    durability=args.durability,
                    progress=progress,
                )
            )
    print(
        f"zhenggai sweeps: {args.due} due steps, API transition median of {args.rounds} rounds on"
        f" {args.api_items} items, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(table(results))
    for r in results:
        print(f"  {r.backend} {r.items} due-step query plan: {' | '.join(r.due_plan)}")
    if args.json:
        doc = {
            "benchmark": "sweeps",
            "smoke": args.smoke,
            "due": args.due,
            "machine": T.machine(),
            "results": [dataclasses.asdict(r) for r in results],
            "skipped": skipped,
        }
        text = json.dumps(doc, ensure_ascii=False, indent=2, default=str)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
