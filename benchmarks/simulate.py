#!/usr/bin/env python
"""``zhenggai simulate`` of the built-in plan (issue 19, point 5): N and 2N items.

What is measured
----------------
:func:`zhenggai.adapters._simulate.simulate` of ``county_2023`` over the whole plan (its phases'
first to last day), in process, seed 1, the timeline printed to a buffer (not the terminal), on
its own scratch SQLite database, once with N items (``--items``, default 10,000) and once with
2N. Each run is a fresh subprocess of this script, so one run's caches and memory do not help
the other. Reported per run: wall time, CPU time (``time.process_time`` of that process), and
the SHA-256 of what it printed (the same seed must print the same thing). Targets: N = 10,000
in under 30 s wall, and 2N ≤ 2.2× N (linear in items).

Usage::

    python benchmarks/simulate.py [--items N] [--smoke] [--json FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    _HERE = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

PLAN = "county_2023"
WALL_TARGET_S = 30.0  # at 10,000 items
LINEAR_TARGET = 2.2  # 2N items ÷ N items


def one(items: int, seed: int = 1) -> dict[str, Any]:
    """One run in this process: wall, CPU, and the digest of what it printed."""
    from zhenggai.adapters._simulate import simulate

    out = io.StringIO()
    c0, t0 = time.process_time(), time.perf_counter()
    code = simulate(PLAN, items=items, seed=seed, progress=False, out=out)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "items": items,
        "code": code,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "output_sha256": hashlib.sha256(out.getvalue().encode()).hexdigest(),
        "output_lines": out.getvalue().count("\n"),
    }


def run(items: int) -> dict[str, Any]:
    """:func:`one` in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, __file__, "--one", str(items)], check=True, capture_output=True, text=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="zhenggai simulate: N and 2N items")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--smoke", action="store_true", help="tiny: 150 and 300 items")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(one(args.one)))
        return 0
    n = 150 if args.smoke else args.items
    small = run(n)
    large = run(2 * n)
    ratio = large["wall_s"] / small["wall_s"]
    cpu_ratio = large["cpu_s"] / small["cpu_s"]
    print(f"zhenggai simulate {PLAN}, whole plan, seed 1 (Python {sys.version.split()[0]})")
    for r in (small, large):
        print(
            f"  {r['items']:>6} items: {r['wall_s']:>8.2f} s wall  {r['cpu_s']:>8.2f} s cpu  output {r['output_sha256'][:12]}"
        )
    print(f"  {2 * n} ÷ {n} items: {ratio:.2f}× wall, {cpu_ratio:.2f}× cpu (target ≤ {LINEAR_TARGET}×)")
    if n == 10_000:
        verdict = "met" if small["wall_s"] < WALL_TARGET_S else "missed"
        print(f"  10,000 items in {small['wall_s']:.1f} s (target < {WALL_TARGET_S:.0f} s): {verdict}")
    if args.json is not None:
        args.json.write_text(
            json.dumps({"runs": [small, large], "ratio": ratio, "cpu_ratio": cpu_ratio}, indent=2)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
