"""benchmarks/transitions.py keeps working: a tiny run on SQLite and PostgreSQL.

Not a timed test: it checks that both sides ran, that the rates and the ratio are sane numbers,
that the statement traces were taken, and (inside the benchmark) that the floor wrote exactly
the rows the API wrote and both audit chains verify. The script is not part of the installed
package, so it is loaded from the checkout by path.
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
# As tests/conftest.py: the server .ci/run starts; skip without it, except under CI=true.
PG_URL = os.environ.get("ZHENGGAI_TEST_PG_URL", "postgresql://zhenggai:zhenggai@127.0.0.1/zhenggai")
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("zhenggai_bench_transitions", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


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
