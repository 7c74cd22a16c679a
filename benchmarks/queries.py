"""Queries that follow the answer, not the table: one unit's ledger and the item lists by state,
light and track, at growing numbers of items, with the plan each statement runs on.

The fixture (untimed) is a campaign of the built-in ``county_2023`` plan. A few items are
imported through :meth:`Engine.import_items`; their rows are the templates of ``N`` items
bulk-inserted through the store (``Store.transaction`` and one ``executemany``), with one or two
measures for every third item and a file (验收材料) for every fifth. ``ANSWER`` of them (spread evenly over the ids) are the *needle*:
the unit ``U``'s items, in the track ``T``, in the state ``S``, with a red light. The rest belong
to the other units and tracks, in other states, with green lights. So every query answers the
same ``ANSWER`` items at every size: what grows is the rest of the table, and a query that
follows the answer costs the same at 10k and 1M items.

Timed, each the median of ``--rounds`` runs after a warm-up:

* **ledger**: ``list(Engine.ledger_pages(key, unit=U))`` (pages of 500, measures and files);
* **count**: ``Engine.count_items(key, unit=U)``;
* **state** / **light** / **track**: ``Engine.items(key, state=S)`` / ``(light="red")`` /
  ``(track=T)``;
* **progress**: ``Engine.progress(key, unit=U)`` (the bulletin's numbers of one unit).

Every statement a query sends is caught at the driver (SQLAlchemy's ``before_cursor_execute``)
and explained in the same database: ``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN`` on PostgreSQL.
A plan line that reads the item table whole (``SCAN zg_item`` / ``Seq Scan on zg_item``) is
reported as a scan. The target: each query at the largest size within 2× its cost at the
smallest (``ratio`` = largest ÷ smallest).

Run::

    python benchmarks/queries.py                         # SQLite and PostgreSQL, 10k and 100k
    python benchmarks/queries.py --sizes 10000 1000000 --backend sqlite
    python benchmarks/queries.py --smoke                 # 1k items: "does it work"
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    _HERE = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from sqlalchemy import create_engine, event, text
from zhenggai.engine import Engine, VirtualClock
from zhenggai.engine._admin_statements import ATTACHMENT
from zhenggai.engine._raw import Prepared
from zhenggai.engine._statements import ITEM, MEASURE, _insert
from zhenggai.workflows import load_setup

_REPORTS = Path(__file__).resolve().with_name("reports.py")
PLAN = "county_2023"
KEY = "bench"
TARGET = 2.0  # a query at the largest size over its cost at the smallest
ANSWER = 300  # the needle: the unit's items, every query's answer
SMOKE_ANSWER = 50
SEED_ITEMS = 12
BATCH = 20_000
PG_URL = os.environ.get(
    "ZHENGGAI_BENCH_PG_URL",
    os.environ.get("ZHENGGAI_TEST_PG_URL", "postgresql://zhenggai:zhenggai@127.0.0.1/zhenggai"),
)


def _reports() -> Any:
    spec = importlib.util.spec_from_file_location("zhenggai_bench_reports_for_queries", _REPORTS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class Needle:
    unit: str
    unit_id: int
    track: str
    state: str
    light: str = "red"


@dataclass
class Query:
    name: str
    seconds: float
    rows: int
    plans: list[str]
    scans: bool


@dataclass
class Size:
    items: int
    build_s: float
    queries: dict[str, Query] = field(default_factory=dict)


@dataclass
class Result:
    backend: str
    answer: int
    sizes: list[Size]
    ratios: dict[str, float]
    meets: dict[str, bool]


# ----------------------------------------------------------------------------- the fixture


def build(engine: Engine, n: int, answer: int) -> Needle:
    """The campaign ``KEY`` with ``n`` items, ``answer`` of them the needle (see the docstring)."""
    reports = _reports()
    setup = load_setup(PLAN)
    engine.start_campaign(setup, key=KEY)
    engine.import_items(KEY, reports.OFFICE, reports.make_entries(setup, SEED_ITEMS))
    rt = engine._rt  # the benchmark writes its fixture through the store
    store = rt.store
    with store.read() as conn:
        camp_id = conn.execute(text("SELECT id FROM zg_campaign WHERE key = :k"), {"k": KEY}).scalar_one()
        templates = [
            dict(r) for r in conn.execute(ITEM.select().where(ITEM.c.campaign_id == camp_id)).mappings()
        ]
        units = dict(
            conn.execute(
                text("SELECT key, id FROM zg_unit WHERE campaign_id = :c ORDER BY id"), {"c": camp_id}
            ).all()
        )
        states = sorted({str(s) for s in conn.execute(text("SELECT DISTINCT state FROM zg_item")).scalars()})
    lead = templates[0]
    unit_key = next(k for k, v in units.items() if v == lead["responsible_unit_id"])
    needle = Needle(
        unit=unit_key, unit_id=lead["responsible_unit_id"], track=lead["track"], state="needle_state"
    )
    others = [v for v in units.values() if v != needle.unit_id]
    other_tracks = sorted({t["track"] for t in templates if t["track"] != needle.track}) or ["other"]
    # The seed items leave the needle: the needle is exactly the bulk rows below.
    dialect = store.engine.dialect
    insert_item = Prepared(_insert(ITEM), dialect)
    insert_measure = Prepared(_insert(MEASURE), dialect)
    insert_file = Prepared(_insert(ATTACHMENT), dialect)
    with store.write() as conn:
        conn.execute(
            ITEM.update()
            .where(ITEM.c.campaign_id == camp_id)
            .values(responsible_unit_id=others[0], track=other_tracks[0])
        )
    every = max(1, n // answer)
    done = 0
    while done < n:
        rows = []
        for i in range(done, min(n, done + BATCH)):
            row = dict(templates[i % len(templates)])
            row.pop("id")
            row["number"] = f"Q-{i:08d}"
            if i % every == 0 and i // every < answer:
                row.update(
                    responsible_unit_id=needle.unit_id, track=needle.track, state=needle.state, light="red"
                )
            else:
                row.update(
                    responsible_unit_id=others[i % len(others)],
                    track=other_tracks[i % len(other_tracks)],
                    state=states[i % len(states)],
                    light="green",
                )
            rows.append(row)
        with store.transaction() as tx:
            tx.run_many(insert_item, rows)
        done += len(rows)
    # Measures: one or two for every third item, a file for every fifth (the needle's included).
    with store.read() as conn:
        ids = (
            conn.execute(
                text("SELECT id FROM zg_item WHERE campaign_id = :c AND number LIKE 'Q-%' ORDER BY id"),
                {"c": camp_id},
            )
            .scalars()
            .all()
        )
    created = lead["created_at"]
    for start in range(0, len(ids), BATCH):
        measures = [
            {
                "item_id": item_id,
                "text": f"措施 {k}",
                "due": lead["due"],
                "done_at": None,
                "done_by": None,
                "created_by": "bench",
                "created_at": created,
                "part_id": None,
            }
            for j, item_id in enumerate(ids[start : start + BATCH], start)
            if j % 3 == 0
            for k in range(1 + (j // 3) % 2)
        ]
        files = [
            {
                "campaign_id": camp_id,
                "item_id": item_id,
                "subject_kind": "verification",
                "subject_id": item_id,
                "unit_id": None,
                "file_name": f"证明材料-{item_id}.pdf",
                "kind": "file",
                "media_type": "application/pdf",
                "size": 1024,
                "sha256": "0" * 64,
                "created_by": "bench",
                "created_at": created,
            }
            for j, item_id in enumerate(ids[start : start + BATCH], start)
            if j % 5 == 0
        ]
        with store.transaction() as tx:
            tx.run_many(insert_measure, measures)
            tx.run_many(insert_file, files)
    with store.write() as conn:
        conn.exec_driver_sql("ANALYZE")
    return needle


# ----------------------------------------------------------------------------- the plans


@contextmanager
def caught(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The statements (and their parameters) the engine sends inside the block."""
    sa_engine = engine._rt.store.engine
    seen: list[tuple[str, Any]] = []

    def listen(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(sa_engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(sa_engine, "before_cursor_execute", listen)


def explain(engine: Engine, statements: Sequence[tuple[str, Any]]) -> list[str]:
    sa_engine = engine._rt.store.engine
    prefix = "EXPLAIN QUERY PLAN " if sa_engine.dialect.name == "sqlite" else "EXPLAIN "
    plans: list[str] = []
    unique: dict[str, Any] = {}
    for statement, parameters in statements:
        if any(table in statement for table in _TABLES):
            unique.setdefault(statement, parameters)
    with sa_engine.connect() as conn:
        for statement, parameters in unique.items():
            rows = conn.exec_driver_sql(prefix + statement, parameters).all()
            lines = [str(r[-1]) for r in rows]
            plans.append(" | ".join(line.strip() for line in lines))
    return plans


_TABLES = ("zg_item", "zg_measure", "zg_attachment")


def _scans(plans: Sequence[str]) -> bool:
    """A plan that reads an item, measure or attachment table whole."""
    for plan in plans:
        steps = [step.strip() for step in plan.split(" | ")] + [""]
        for step, following in itertools.pairwise(steps):
            for table in _TABLES:
                if step in (f"SCAN {table}", f"SCAN {table} AS lead") or f"Seq Scan on {table} " in step:
                    return True
                # PostgreSQL walking the whole primary key in id order, filtering every row.
                if f"Index Scan using {table}_pkey on {table} " in step and not following.startswith(
                    "Index Cond"
                ):
                    return True
    return False


# ----------------------------------------------------------------------------- the run


def queries(engine: Engine, needle: Needle) -> dict[str, Callable[[], int]]:
    return {
        "ledger": lambda: sum(1 for _ in engine.ledger_pages(KEY, unit=needle.unit)),
        "count": lambda: engine.count_items(KEY, unit=needle.unit),
        "state": lambda: len(engine.items(KEY, state=needle.state)),
        "light": lambda: len(engine.items(KEY, light=needle.light)),
        "track": lambda: len(engine.items(KEY, track=needle.track)),
        "progress": lambda: engine.progress(KEY, unit=needle.unit).total,
    }


def measure(built: Sequence[tuple[Engine, Needle]], rounds: int) -> list[dict[str, Query]]:
    """Every query on every size: a warm-up, then ``rounds`` rounds in which the sizes take
    turns query by query (in turn forwards and backwards), so a change in the machine's load
    hits them alike; then each statement's plan."""
    runs = [queries(engine, needle) for engine, needle in built]
    rows = [{name: run() for name, run in each.items()} for each in runs]  # warm-up
    times: list[dict[str, list[float]]] = [{name: [] for name in each} for each in runs]
    for k in range(rounds):
        order = list(range(len(runs)))
        if k % 2:
            order.reverse()
        for name in runs[0]:
            for i in order:
                t0 = time.perf_counter()
                runs[i][name]()
                times[i][name].append(time.perf_counter() - t0)
    out: list[dict[str, Query]] = []
    for (engine, _needle), each, counted, timed in zip(built, runs, rows, times, strict=True):
        found: dict[str, Query] = {}
        for name, run in each.items():
            with caught(engine) as seen:
                run()
            plans = explain(engine, seen)
            found[name] = Query(name, statistics.median(timed[name]), counted[name], plans, _scans(plans))
        out.append(found)
    return out


@contextmanager
def database(backend: str, folder: Path, pg_url: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'q-{uuid.uuid4().hex[:8]}.db'}"
        return
    schema = f"bench_q_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        sep = "&" if "?" in pg_url else "?"
        yield (
            pg_url.replace("postgresql://", "postgresql+psycopg://", 1)
            + f"{sep}options=-csearch_path%3D{schema}"
        )
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def run_backend(
    backend: str,
    sizes: Sequence[int],
    *,
    answer: int,
    rounds: int,
    pg_url: str = PG_URL,
    say: Callable[[str], None] = lambda _m: None,
) -> Result:
    import datetime as dt

    results: list[Size] = []
    built: list[tuple[Engine, Needle]] = []
    with tempfile.TemporaryDirectory(prefix="zhenggai-bench-queries-") as tmp, ExitStack() as stack:
        for n in sizes:
            url = stack.enter_context(database(backend, Path(tmp), pg_url))
            engine = Engine(url, clock=VirtualClock(dt.datetime(2023, 7, 3, 1, 0, tzinfo=dt.UTC)))
            stack.callback(engine.dispose)
            say(f"{backend}: building {n} items")
            t0 = time.perf_counter()
            built.append((engine, build(engine, n, answer)))
            results.append(Size(n, time.perf_counter() - t0))
        say(f"{backend}: measuring")
        for size, found in zip(results, measure(built, rounds), strict=True):
            size.queries = found
    first, last = results[0], results[-1]
    ratios = {k: last.queries[k].seconds / first.queries[k].seconds for k in first.queries}
    meets = {k: r <= TARGET and not last.queries[k].scans for k, r in ratios.items()}
    return Result(backend, answer, results, ratios, meets)


def table(results: Sequence[Result]) -> str:
    lines = []
    for r in results:
        sizes = [s.items for s in r.sizes]
        head = " | ".join(f"{n:>9,} items" for n in sizes)
        lines.append(f"{r.backend} (answer: {r.answer} items)")
        lines.append(f"  query    | {head} | ratio | rows | index used | target ≤ {TARGET}×")
        for name in r.ratios:
            cells = " | ".join(f"{s.queries[name].seconds * 1000:>11.1f} ms" for s in r.sizes)
            last = r.sizes[-1].queries[name]
            lines.append(
                f"  {name:<8} | {cells} | {r.ratios[name]:5.2f} | {last.rows:4} | "
                f"{'no (scan)' if last.scans else 'yes':>10} | {'met' if r.meets[name] else 'MISSED'}"
            )
        lines.append("  plans at the largest size:")
        for name in r.ratios:
            for plan in r.sizes[-1].queries[name].plans:
                lines.append(f"    {name}: {plan[:400]}")
    return "\n".join(lines)


def pg_unavailable(url: str) -> str | None:
    try:
        eng = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with eng.connect():
            pass
        eng.dispose()
    except Exception as err:  # noqa: BLE001 - report any reason the server is not there
        return f"PostgreSQL at {url} unavailable: {type(err).__name__}"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "all"], default="all")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--answer", type=int, default=ANSWER)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--smoke", action="store_true", help="1k items (and 2k), 1 round")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    sizes, answer, rounds = args.sizes, args.answer, args.rounds
    if args.smoke:
        sizes, answer, rounds = [1_000, 2_000], SMOKE_ANSWER, 1
    say: Callable[[str], None] = (lambda _m: None) if args.quiet else (lambda m: print(m, file=sys.stderr))
    backends = ["sqlite", "postgresql"] if args.backend == "all" else [args.backend]
    results, skipped = [], {}
    for backend in backends:
        if backend == "postgresql":
            reason = pg_unavailable(args.pg_url)
            if reason is not None:
                if args.backend == "postgresql":
                    print(reason, file=sys.stderr)
                    return 2
                skipped[backend] = reason
                continue
        results.append(run_backend(backend, sizes, answer=answer, rounds=rounds, pg_url=args.pg_url, say=say))
    print(table(results))
    if args.json is not None:
        doc = {
            "benchmark": "queries",
            "smoke": args.smoke,
            "sizes": sizes,
            "skipped": skipped,
            "results": [asdict(r) for r in results],
        }
        args.json.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
