"""benchmarks/transitions.py, reports.py, api_load.py, queries.py, startup.py and storage.py keep
working: tiny runs.

Not timed tests. transitions.py runs on SQLite and PostgreSQL: both sides ran, the rates and
the ratio are sane numbers, the statement traces were taken, and (inside the benchmark) the
floor wrote exactly the rows the API wrote and both audit chains verify. reports.py runs on
SQLite: the ledger export and the import check each have sane times, ratios and memory peaks,
and (inside the benchmark) the export and its floor hold the same rows and titles, the import
reads every row back without a problem and ``import_file`` brings back the ledger's titles.
duplicates.py (关联研判's scan as the track grows, both backends) and simulate.py (N and 2N
items in fresh processes) answer with sane times and their ratios. targets.py runs issue 19's
scripts one after the other from their command lines and judges every target from their JSON:
one test makes its run and checks its folder, the command lines of startup.py, spiff.py and
simulate.py among it.
The scripts are not part of the installed package, so they are loaded from the checkout by path.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "transitions.py"
REPORTS_SCRIPT = SCRIPT.with_name("reports.py")
# As tests/conftest.py: the server .ci/run starts; skip without it, except under CI=true.
PG_URL = os.environ.get("ZHENGGAI_TEST_PG_URL", "postgresql://zhenggai:zhenggai@127.0.0.1/zhenggai")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _load(name: str, path: Path) -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    yield from _load("zhenggai_bench_transitions", SCRIPT)


@pytest.fixture(scope="module")
def reports_bench() -> Iterator[ModuleType]:
    yield from _load("zhenggai_bench_reports", REPORTS_SCRIPT)


def _pg_or_skip(bench: ModuleType) -> None:
    reason = bench.pg_unavailable(PG_URL)
    if reason is not None:
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)


def _check(result: dict[str, Any], backend: str) -> None:
    assert result["backend"] == backend
    for key in ("api_ops_s", "floor_ops_s", "ratio", "api_cpu_us_per_op", "floor_cpu_us_per_op"):
        value = result[key]
        assert isinstance(value, float) and math.isfinite(value) and value > 0, (key, value)
    assert result["ratio"] == pytest.approx(result["floor_ops_s"] / result["api_ops_s"])
    assert result["ops_per_round"] == 3 * result["items"]
    assert set(result["per_trigger"]) == {"verify", "return_for_rework", "submit_for_verification"}
    for side in ("api", "floor"):
        trace = result["statements"][side]
        for trigger, statements in trace.items():
            assert statements[0].startswith("BEGIN") and statements[-1] == "COMMIT", (side, trigger)
            assert "UPDATE zg_item" in statements and "INSERT zg_event" in statements, (side, trigger)
    # Both sides wrote the same audit events (the benchmark also compares them row by row).
    assert result["audit_events"]["api"] == result["audit_events"]["floor"] > 0


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_smoke_in_process(bench: ModuleType, backend: str) -> None:
    if backend == "postgresql":
        _pg_or_skip(bench)
    result = bench.run_backend(backend, items=2, rounds=1, warmup=1, pg_url=PG_URL)
    _check(bench.dataclasses.asdict(result), backend)
    assert backend in bench.table([result])


def test_smoke_cli_writes_json(tmp_path: Path) -> None:
    """The command line as BENCHMARKS.md shows it, with --smoke and --json, on SQLite."""
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--smoke", "--backend", "sqlite", "--quiet", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "api ops/s" in proc.stdout and "ratio" in proc.stdout
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["smoke"] is True and doc["skipped"] == {}
    (result,) = doc["results"]
    _check(result, "sqlite")


# ------------------------------------------------------------------------- benchmarks/reports.py


def _check_reports(result: dict[str, Any], items: int, scale: int) -> None:
    for name in ("ledger", "check"):
        c = result[name]
        for key in ("api_s", "floor_s", "ratio", "api_cpu_s", "floor_cpu_s", "cpu_ratio"):
            assert isinstance(c[key], float) and math.isfinite(c[key]) and c[key] > 0, (name, key, c[key])
        assert c["ratio"] == pytest.approx(c["api_s"] / c["floor_s"])
        assert isinstance(c["meets"], bool)
    assert [m["items"] for m in result["memory"]] == [items, items * scale]
    for m in result["memory"]:
        assert m["api_peak"] > 0 and m["floor_peak"] > 0 and m["read_peak"] > 0, m
    assert result["setup"]["items"] == result["import_rows"] == items
    assert result["import_rows_s"] > 0 and result["import_flags"] >= 0
    honesty = result["honesty"]
    assert honesty["data_rows"] == honesty["intake_entries"] == items
    assert honesty["same_titles"] and honesty["same_cells"] and honesty["reimported_titles_equal"]
    assert honesty["neutralised_titles"] >= 1  # item 0's title starts like a formula
    assert "序号" in honesty["intake_ignored"]  # the export's own columns, named as ignored


def test_reports_smoke_in_process(reports_bench: ModuleType) -> None:
    result = reports_bench.run(items=6, rounds=1, scale=2, warmup=0)
    _check_reports(result.to_dict(), 6, 2)
    assert "ledger export" in reports_bench.table(result)


def test_reports_smoke_cli_writes_json(tmp_path: Path) -> None:
    """The command line as BENCHMARKS.md shows it, with --smoke and --json."""
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(REPORTS_SCRIPT), "--smoke", "--quiet", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "ledger export" in proc.stdout and "import check" in proc.stdout and "rows/s" in proc.stdout
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["benchmark"] == "reports" and doc["smoke"] is True
    _check_reports(doc["result"], doc["items"], doc["scale"])


# ------------------------------------------------------------------------- benchmarks/api_load.py


@pytest.fixture(scope="module")
def load_bench() -> Iterator[ModuleType]:
    yield from _load("zhenggai_bench_api_load", SCRIPT.with_name("api_load.py"))


def test_api_load_smoke(load_bench: ModuleType) -> None:
    """A tiny run over HTTP (uvicorn, 3 clients) and through the library, on SQLite: every
    request answered as the contract says, both sides measured, the ratios their quotients."""
    result = load_bench.run_backend("sqlite", clients=3, rounds=2)
    assert result.errors == 0
    assert result.transitions == 3 * 2 * 2
    for key in ("api_p50_ms", "api_p95_ms", "api_tps", "read_p50_ms", "library_p50_ms", "library_tps"):
        value = getattr(result, key)
        assert math.isfinite(value) and value > 0, (key, value)
    assert result.ratio_p50 == pytest.approx(result.api_p50_ms / result.library_p50_ms)
    assert result.ratio_tps == pytest.approx(result.library_tps / result.api_tps)
    assert "sqlite" in load_bench.table([result])


# ------------------------------------------------------------------------- benchmarks/queries.py


@pytest.fixture(scope="module")
def queries_bench() -> Iterator[ModuleType]:
    yield from _load("zhenggai_bench_queries", SCRIPT.with_name("queries.py"))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_queries_smoke(queries_bench: ModuleType, backend: str) -> None:
    """Two tiny sizes: every query answers the needle and no more, at both sizes, each with a
    time, a plan per statement, and a ratio that is the quotient of its times."""
    if backend == "postgresql":
        reason = queries_bench.pg_unavailable(PG_URL)
        if reason is not None:
            if IN_CI:
                pytest.fail(f"CI=true but {reason}")
            pytest.skip(reason)
    result = queries_bench.run_backend(backend, [300, 600], answer=20, rounds=1, pg_url=PG_URL)
    assert [s.items for s in result.sizes] == [300, 600]
    for size in result.sizes:
        assert set(size.queries) == {"ledger", "count", "state", "light", "track", "progress"}
        for name, q in size.queries.items():
            assert q.rows == 20, (size.items, name, q.rows)
            assert math.isfinite(q.seconds) and q.seconds > 0 and q.plans, (size.items, name)
    first, last = result.sizes
    for name, ratio in result.ratios.items():
        assert ratio == pytest.approx(last.queries[name].seconds / first.queries[name].seconds)
    if backend == "sqlite":  # the planner's choice is fixed by the data here: the indexes
        plans = " ".join(p for q in last.queries.values() for p in q.plans)
        for index in ("ix_zg_item_campaign_unit", "ix_zg_item_campaign_light", "ix_zg_item_campaign_track"):
            assert index in plans
    assert "ledger" in queries_bench.table([result])


# ------------------------------------------------------------------------- benchmarks/startup.py


def _startup_cli_wrote_json(folder: Path) -> None:
    """One round of every command against ``python -c pass``: sane times and ratios, and the
    imports each command's process made (``--help`` none of the heavy ones). The command line
    with ``--smoke --json``, as ``targets.py`` runs it."""
    doc = json.loads((folder / "startup.json").read_text(encoding="utf-8"))
    assert doc["benchmark"] == "startup" and doc["smoke"] is True
    results = {r["command"]: r for r in doc["results"]}
    assert {"python -c pass", "zhenggai --help", "zhenggai check county_2023", "zhenggai item list"} <= set(
        results
    )
    for r in results.values():
        assert math.isfinite(r["median_s"]) and r["median_s"] > 0
        assert r["ratio"] == pytest.approx(r["median_s"] / doc["floor_s"])
    assert results["zhenggai --help"]["imports"] == []
    assert "sqlalchemy" in results["zhenggai item list"]["imports"]


# ------------------------------------------------------------------------- benchmarks/storage.py


@pytest.fixture(scope="module")
def storage_bench() -> Iterator[ModuleType]:
    yield from _load("zhenggai_bench_storage", SCRIPT.with_name("storage.py"))


def test_storage_smoke(storage_bench: ModuleType) -> None:
    """A few items through the five-step life: bytes per item per table and index, from
    SQLite's dbstat; the rows each life writes; the ratio to SpiffWorkflow's figure."""
    doc = storage_bench.run(3)
    assert doc["bytes_per_item"] > 0 and doc["content_bytes_per_item"] > 0
    assert doc["ratio_vs_spiff"] == pytest.approx(doc["spiff_bytes_per_item"] / doc["bytes_per_item"])
    rows = {r["name"]: r for r in doc["objects"]}
    assert rows["zg_item"]["rows_per_item"] == 1
    assert rows["zg_event"]["rows_per_item"] >= 5  # reported, assigned, …, verified: audited
    assert doc["columns_per_item"]["zg_event.hash"] > 0
    assert "zg_event" in storage_bench.table(doc)


# ------------------------------------------------------------------------- benchmarks/spiff.py


@pytest.fixture(scope="module")
def spiff_bench() -> Iterator[ModuleType]:
    yield from _load("zhenggai_bench_spiff", SCRIPT.with_name("spiff.py"))


def test_spiff_smoke(spiff_bench: ModuleType) -> None:
    """Both sides run the whole lifecycle of a few items at NORMAL (the script runs FULL the
    same way): sane rates, storage measured on both databases, the ratios their quotients."""
    reason = spiff_bench.spiff_unavailable()
    if reason is not None:  # a benchmark-only dependency (the bench and test extras)
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    result = spiff_bench.run_durability("normal", items=2, rounds=1, warmup=0)
    z, s = result.zhenggai, result.spiff
    assert (z.steps_per_item, s.steps_per_item) == (8, 5)
    for side in (z, s):
        for key in ("step_ops_s", "item_ops_s", "cpu_us_per_step", "bytes_per_item"):
            value = getattr(side, key)
            assert math.isfinite(value) and value > 0, (key, value)
    assert result.step_ratio == pytest.approx(z.step_ops_s / s.step_ops_s)
    assert result.storage_ratio == pytest.approx(s.bytes_per_item / z.bytes_per_item)
    assert isinstance(result.met, bool) and result.target == 8.0
    run = spiff_bench.Run(results=[result], smoke=True)
    assert "spiff" in spiff_bench.table(run)


def _spiff_cli_wrote_json(folder: Path) -> None:
    """The command line as BENCHMARKS.md shows it, as ``targets.py`` runs it (with PostgreSQL
    when the server is there: the floor beside the API)."""
    assert "per step" in (folder / "spiff.txt").read_text(encoding="utf-8")
    doc = json.loads((folder / "spiff.json").read_text(encoding="utf-8"))
    assert doc["smoke"] is True
    assert [r["durability"] for r in doc["results"]] == ["normal", "full"]


# ---------------------------------------------------------------------- benchmarks/duplicates.py


@pytest.fixture(scope="module")
def duplicates_bench() -> Iterator[ModuleType]:
    yield from _load("zhenggai_bench_duplicates", SCRIPT.with_name("duplicates.py"))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_duplicates_smoke(duplicates_bench: ModuleType, backend: str) -> None:
    """A small track filled in bulk, a few reports through the API and the scan alone: sane
    times, and the table reports the ratio against its target."""
    if backend == "postgresql":
        _pg_or_skip(duplicates_bench)
    with duplicates_bench.database(backend, PG_URL) as url:
        result = duplicates_bench.measure(backend, url, 60, 3, duplicates_bench.SEED)
    assert result["items"] == 60 and result["reports"] == 3 and result["flags"] >= 0
    for side in duplicates_bench.SIDES:
        for key in ("ms", "cpu_ms"):
            assert math.isfinite(result[side][key]) and result[side][key] > 0, (side, key)
    assert "report: 60 ÷ 60 items" in duplicates_bench.table([result])


# ------------------------------------------------------------------------ benchmarks/simulate.py


def _simulate_cli_wrote_json(folder: Path) -> None:
    """``zhenggai simulate`` of N and 2N items in fresh processes: sane times, the same seed's
    output digest reported for each (the command line, as ``targets.py`` runs it)."""
    doc = json.loads((folder / "simulate.json").read_text(encoding="utf-8"))
    small, large = doc["runs"]
    assert (small["items"], large["items"]) == (150, 300)
    for r in (small, large):
        assert r["code"] == 0 and r["wall_s"] > 0 and r["cpu_s"] > 0 and len(r["output_sha256"]) == 64
    assert doc["ratio"] == pytest.approx(large["wall_s"] / small["wall_s"])


# ------------------------------------------------------------------------- benchmarks/sweeps.py


@pytest.fixture(scope="module")
def sweeps_bench() -> Iterator[ModuleType]:
    yield from _load("zhenggai_bench_sweeps", SCRIPT.with_name("sweeps.py"))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_sweeps_smoke(sweeps_bench: ModuleType, backend: str) -> None:
    """A tiny database: the sweep settles every due step (a second finds none, checked inside),
    the costs and the ratio are sane quotients, the statements per step were traced, and the
    due-step query runs on the index in the sweep's order (no sort)."""
    if backend == "postgresql":
        _pg_or_skip(sweeps_bench.T)
    result = sweeps_bench.run_size(
        backend,
        items=30,
        due=8,
        api_items=2,
        rounds=1,
        pg_url=PG_URL,
        durability="normal",
        progress=lambda _msg: None,
    )
    assert result.settled >= 8
    for key in ("sweep_s", "step_ms", "transition_ms", "ratio", "rss_mb", "statements_per_step"):
        value = getattr(result, key)
        assert isinstance(value, float) and math.isfinite(value) and value > 0, (key, value)
    assert result.ratio == pytest.approx(result.step_ms / result.transition_ms)
    assert result.statement_kinds.get("INSERT", 0) > 0
    plan = " ".join(result.due_plan)
    assert "ix_zg_step_pending_due_id" in plan and "Sort" not in plan and "TEMP B-TREE" not in plan
    assert backend in sweeps_bench.table([result])


# ------------------------------------------------------------------------ benchmarks/targets.py


@pytest.fixture(scope="module")
def targets_bench() -> Iterator[ModuleType]:
    yield from _load("zhenggai_bench_targets", SCRIPT.with_name("targets.py"))


def test_targets_smoke(bench: ModuleType, targets_bench: ModuleType, tmp_path: Path) -> None:
    """``targets.py --smoke``: every script of issue 19 at its smoke size, one after the other,
    each in its own process with ``--json`` (PostgreSQL too when the server is there, as in CI),
    then the checks below on the folder it leaves (each script's JSON and what it printed).
    One test, so the run is made once and on one worker (it takes ~50 s) while the other
    workers go on: startup.py's, spiff.py's and simulate.py's command lines are checked on
    its folder rather than run again."""
    out = tmp_path / "targets"
    _run_targets(bench, out)
    _startup_cli_wrote_json(out)
    _spiff_cli_wrote_json(out)
    _simulate_cli_wrote_json(out)
    _targets_built_the_table(targets_bench, out)
    _targets_judge_each_target_at_its_line(targets_bench, out)
    _targets_from_an_earlier_run(targets_bench, out, tmp_path)


def _run_targets(bench: ModuleType, out: Path) -> None:
    reason = bench.pg_unavailable(PG_URL)
    if reason is not None and IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pg = ["--no-pg"] if reason is not None else ["--pg-url", PG_URL]
    json_out = ["--json", str(out / "targets.json")]
    proc = subprocess.run(
        [sys.executable, str(SCRIPT.with_name("targets.py")), "--smoke", "--out", str(out), *pg, *json_out],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (out / "targets.md").write_text(proc.stdout, encoding="utf-8")


def _targets_built_the_table(targets_bench: ModuleType, folder: Path) -> None:
    """Every script ran and left its JSON; the table has a row for each point of the issue;
    a smoke run judges no timing target, but does judge what is not a timing (the n-gram
    index is missing; listings import nothing they do not use)."""
    docs = targets_bench.read_docs(folder)
    assert set(docs) == {s.name for s in targets_bench.SCRIPTS}
    assert targets_bench.was_smoke(folder)
    written = json.loads((folder / "targets.json").read_text(encoding="utf-8"))
    rows = [targets_bench.Row(**r) for r in written["rows"]]
    assert rows == targets_bench.targets(docs, smoke=True)
    assert {r.point.split()[0] for r in rows} == {"1", "2", "3", "4", "5", "6"}
    by_target = {r.target: r for r in rows}
    assert by_target["candidates by an index of n-grams, not a scan"].met is False
    assert by_target["listing commands import nothing they do not use"].met is True
    timed = [r for r in rows if r.ratio != "–" and not r.target.startswith("listing")]
    assert len(timed) >= 10 and all(r.met is None for r in timed)
    printed = (folder / "targets.md").read_text(encoding="utf-8")
    assert printed.startswith("| point | target | figure | ratio | met |")
    assert all(f"| {r.target} |" in printed for r in rows)


def _targets_judge_each_target_at_its_line(targets_bench: ModuleType, folder: Path) -> None:
    """At full size every target is judged, on the right side of its line: figures put at the
    line pass, just past it fail."""
    t = targets_bench

    def met(docs: dict[str, Any], target: str) -> bool | None:
        (row,) = [r for r in t.targets(docs, smoke=False) if r.target.startswith(target)]
        return row.met

    docs = t.read_docs(folder)  # the smoke run's figures, judged as if at full size
    simulate = docs["simulate"]
    for wall, ok in ((29.9, True), (30.0, False)):
        simulate["runs"][0]["wall_s"] = wall
        assert met(docs, f"{simulate['runs'][0]['items']:,} items over the 2023 plan") is ok
    for ratio, ok in ((2.2, True), (2.21, False)):
        simulate["cpu_ratio"] = ratio
        assert met(docs, f"{simulate['runs'][1]['items']:,} items ≤ 2.2×") is ok

    check = next(r for r in docs["startup"]["results"] if r["command"] == "zhenggai check county_2023")
    for over, ok in ((0.3, True), (0.301, False)):
        check["over_floor_s"] = over
        assert met(docs, "`zhenggai check county_2023` within") is ok
    listing = next(r for r in docs["startup"]["results"] if r["command"] == "zhenggai item list")
    listing["imports"] = [*listing["imports"], "openpyxl"]
    assert met(docs, "listing commands import") is False

    normal = next(r for r in docs["spiff"]["results"] if r["durability"] == "normal")
    for ratio, ok in ((8.0, True), (7.99, False)):
        normal["step_ratio"] = ratio
        assert met(docs, "a durable step ≥ 8.0×") is ok
    for r in docs["spiff"]["results"]:
        r["storage_ratio"] = 3.5
    docs["storage"]["ratio_vs_spiff"] = 2.9  # the lower of the two ratios judges
    assert met(docs, "≥ 3× less per item") is False
    docs["storage"]["ratio_vs_spiff"] = 3.0
    assert met(docs, "≥ 3× less per item") is True

    sqlite_queries = next(r for r in docs["queries"]["results"] if r["backend"] == "sqlite")
    for ratio, ok in ((2.0, True), (2.01, False)):
        sqlite_queries["ratios"]["ledger"] = ratio
        assert met(docs, "one unit's ledger at 2,000 items ≤ 2× at 1,000 (sqlite)") is ok
    sqlite_queries["sizes"][-1]["queries"]["track"]["scans"] = True
    assert met(docs, "every listing and report query by an index (sqlite)") is False

    sqlite_sweep = next(r for r in docs["sweeps"]["results"] if r["backend"] == "sqlite")
    for seconds, ok in ((59.9, True), (60.0, False)):
        sqlite_sweep["sweep_s"] = seconds
        assert met(docs, "10,000 due steps among 1M items: seconds (sqlite)") is ok

    sqlite_dups = [r for r in docs["duplicates"]["results"] if r["backend"] == "sqlite"]
    small = min(sqlite_dups, key=lambda r: r["items"])
    large = max(sqlite_dups, key=lambda r: r["items"])
    for factor, ok in ((1.5, True), (1.51, False)):
        large["report"]["ms"] = small["report"]["ms"] * factor
        assert met(docs, "report cost independent of the track's size (sqlite)") is ok


def _targets_from_an_earlier_run(targets_bench: ModuleType, folder: Path, tmp_path: Path) -> None:
    """``--from DIR`` runs nothing and builds the same table from the folder."""
    out = tmp_path / "again.json"
    assert targets_bench.main(["--from", str(folder), "--json", str(out)]) == 0
    again = json.loads(out.read_text(encoding="utf-8"))
    first = json.loads((folder / "targets.json").read_text(encoding="utf-8"))
    assert again["rows"] == first["rows"] and again["took_s"] == {}


def test_targets_arguments_with_and_without_a_server(targets_bench: ModuleType) -> None:
    """Each script gets the server's URL; without a server, SQLite alone: a ``--backend``
    set to sqlite, or ``--no-pg`` where the script has no ``--backend``; a script that never
    touches PostgreSQL gets neither. (The smoke run above takes the server's side in CI.)"""
    t = targets_bench
    by = {s.name: s for s in t.SCRIPTS}
    url = "postgresql://u:p@h/db"
    assert t.arguments(by["sweeps"], smoke=True, pg_url=url) == [*by["sweeps"].smoke, "--pg-url", url]
    assert t.arguments(by["spiff"], smoke=False, pg_url=url) == [*by["spiff"].full, "--pg-url", url]
    for script in t.SCRIPTS:
        for smoke in (True, False):
            alone = t.arguments(script, smoke=smoke, pg_url=None)
            assert "--pg-url" not in alone and "all" not in alone, (script.name, alone)
            if not script.pg:
                assert alone == list(script.smoke if smoke else script.full)
            elif "--backend" in alone:
                assert alone[alone.index("--backend") + 1] == "sqlite" and "--no-pg" not in alone
            else:
                assert alone[-1] == "--no-pg"
    assert t.arguments(by["queries"], smoke=False, pg_url=None)[:3] == ["--backend", "sqlite", "--sizes"]
