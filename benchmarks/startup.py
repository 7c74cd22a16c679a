#!/usr/bin/env python
"""Start-up of the ``zhenggai`` command line, against ``python -c pass`` in the same run.

What is measured
----------------
Each command runs as its own process, as an official runs it (the ``zhenggai`` console script
next to this Python, else ``python -m zhenggai.adapters.cli``), output to /dev/null:

* **floor**: ``python -c pass``, the same interpreter and site-packages (the editable install's
  path hook included): what any Python command costs before it does anything.
* ``zhenggai --help`` (target: within 0.1 s of the floor), ``zhenggai item --help``,
  ``zhenggai check county_2023`` (the built-in plan, 61 KB of YAML, loaded and checked in full;
  target: within 0.3 s of the floor), ``zhenggai item list`` and ``zhenggai duty list`` on a
  database made untimed with ``zhenggai init``.

The commands take turns round by round (every command once per round, in a rotating order), so
a change in machine load hits them alike. A command's time is the **median wall time** over the
rounds; reported as the difference from the floor and as the ratio to it. The median **CPU
time** (user + system, of the process) over the floor's is reported beside it: on a shared
machine it moves less with the load than wall time does.

**Imports, every run (untimed)**: each command runs once more in a process that then lists the
heavy packages in ``sys.modules`` (SQLAlchemy, SQLModel, pydantic, the engine, openpyxl, the web,
…), so a command that imports what it does not use shows up in the table.

Usage::

    python benchmarks/startup.py [--rounds R] [--smoke] [--json FILE] [--quiet]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

#: Packages whose import a command should pay only when it uses them.
HEAVY = (
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "pydantic",
    "transitions",
    "ruamel",
    "jinja2",
    "openpyxl",
    "xlsxwriter",
    "docx",
    "matplotlib",
    "fastapi",
    "starlette",
    "uvicorn",
    "zhenggai.engine",
    "zhenggai.workflows",
    "zhenggai.adapters.reports",
    "zhenggai.adapters.web",
)

#: (label, arguments after ``zhenggai``, target seconds over the floor or None).
COMMANDS: tuple[tuple[str, tuple[str, ...], float | None], ...] = (
    ("zhenggai --help", ("--help",), 0.1),
    ("zhenggai item --help", ("item", "--help"), 0.1),
    ("zhenggai check county_2023", ("check", "county_2023"), 0.3),
    ("zhenggai item list", ("item", "list", "--limit", "30"), None),  # listing commands
    ("zhenggai duty list", ("duty", "list"), None),
)

_PROBE = (
    "import sys\n"
    "from zhenggai.adapters.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "finally:\n"
    "    import json\n"
    "    heavy = json.loads(HEAVY)\n"
    "    sys.stderr.write('\\nIMPORTED ' + json.dumps(sorted(h for h in heavy if h in sys.modules)) + '\\n')\n"
)


def cli_prefix() -> list[str]:
    """How an official starts the CLI: the console script beside this Python, if installed."""
    script = Path(sys.executable).with_name("zhenggai")
    return [str(script)] if script.exists() else [sys.executable, "-m", "zhenggai.adapters.cli"]


def _run(argv: list[str], env: dict[str, str], cwd: str) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd, check=False
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def imported(args: tuple[str, ...], env: dict[str, str], cwd: str) -> list[str]:
    """The heavy packages a command's process had imported when it finished."""
    code = _PROBE.replace("HEAVY", repr(json.dumps(HEAVY)))
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=cwd, check=False
    )
    marker = [line for line in proc.stderr.splitlines() if line.startswith("IMPORTED ")]
    if proc.returncode != 0 or not marker:
        raise RuntimeError(f"probe of {args} failed ({proc.returncode}): {proc.stderr[-500:]}")
    return list(json.loads(marker[-1][len("IMPORTED ") :]))


def run(rounds: int = 9, warmup: int = 1) -> dict[str, Any]:
    """Every command ``rounds`` times (after ``warmup`` untimed rounds), round-robin."""
    with tempfile.TemporaryDirectory(prefix="zhenggai-startup-") as tmp:
        env = dict(os.environ, ZHENGGAI_DB=str(Path(tmp) / "bench.db"), PYTHONDONTWRITEBYTECODE="")
        env.pop("ZHENGGAI_DEBUG", None)
        prefix = cli_prefix()
        subprocess.run(
            [*prefix, "init", "--to-year", str(time.localtime().tm_year)],
            env=env,
            cwd=tmp,
            check=True,
            capture_output=True,
        )
        jobs: list[tuple[str, list[str], float | None]] = [
            ("python -c pass", [sys.executable, "-c", "pass"], None)
        ]
        jobs += [(label, [*prefix, *args], target) for label, args, target in COMMANDS]
        times: dict[str, list[float]] = {label: [] for label, _, _ in jobs}
        cpu: dict[str, list[float]] = {label: [] for label, _, _ in jobs}
        for r in range(warmup + rounds):
            shift = r % len(jobs)
            for label, argv, _ in jobs[shift:] + jobs[:shift]:
                elapsed, used = _run(argv, env, tmp)
                if r >= warmup:
                    times[label].append(elapsed)
                    cpu[label].append(used)
        floor = statistics.median(times["python -c pass"])
        cpu_floor = statistics.median(cpu["python -c pass"])
        results = []
        for label, argv, target in jobs:
            median = statistics.median(times[label])
            args = tuple(argv[len(prefix) :]) if label != "python -c pass" else ()
            results.append(
                {
                    "command": label,
                    "median_s": median,
                    "min_s": min(times[label]),
                    "over_floor_s": median - floor,
                    "ratio": median / floor,
                    "target_over_floor_s": target,
                    "meets": None if target is None else (median - floor) <= target,
                    "cpu_median_s": statistics.median(cpu[label]),
                    "cpu_over_floor_s": statistics.median(cpu[label]) - cpu_floor,
                    "imports": [] if not args else imported(args, env, tmp),
                }
            )
    return {
        "benchmark": "startup",
        "rounds": rounds,
        "floor_s": floor,
        "cpu_floor_s": cpu_floor,
        "load_average": os.getloadavg(),
        "results": results,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }


def table(doc: dict[str, Any]) -> str:
    lines = [
        (
            f"{'command':<28} {'median':>8} {'- floor':>8} {'ratio':>6} {'target':>7} {'meets':>5} "
            f"{'cpu - floor':>11}  heavy imports"
        )
    ]
    for r in doc["results"]:
        target = "" if r["target_over_floor_s"] is None else f"+{r['target_over_floor_s']:.1f}s"
        meets = "" if r["meets"] is None else ("yes" if r["meets"] else "NO")
        lines.append(
            f"{r['command']:<28} {r['median_s'] * 1000:>6.0f}ms {r['over_floor_s'] * 1000:>+6.0f}ms "
            f"{r['ratio']:>5.2f}x {target:>7} {meets:>5} {r['cpu_over_floor_s'] * 1000:>+9.0f}ms  "
            f"{', '.join(r['imports']) or '-'}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="timed rounds (default 15)")
    parser.add_argument("--smoke", action="store_true", help="one round, no warm-up: does it work")
    parser.add_argument("--json", metavar="FILE", help="write the results as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    ns = parser.parse_args(argv)
    doc = run(rounds=1, warmup=0) if ns.smoke else run(rounds=ns.rounds)
    doc["smoke"] = ns.smoke
    print(table(doc))
    if ns.json:
        Path(ns.json).write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
