#!/usr/bin/env python
"""The HTTP API under concurrent clients, against the library's own cost, in one run.

What is measured
----------------
The app (``create_app``) is served by uvicorn in a process of its own on a fresh database
(SQLite file or a PostgreSQL schema). ``--clients`` threads (default 50), each with keep-alive
``http.client`` connections and two API tokens (the office's, and the responsible unit's),
repeat ``--rounds`` times:

``POST /api/v1/items`` (受理) · ``POST /api/v1/items/{id}/transitions`` ``assign`` with
``If-Match`` · ``POST /api/v1/items/{id}/measures`` · ``POST …/transitions``
``start_rectification`` with ``If-Match`` · ``GET /api/v1/ledger?limit=50`` (the items page
``GET /api/v1/items?limit=50`` while the ledger route is not there).

Reported: the latency of each transition request (p50, p95, as the client sees it: queueing in
the server included), the transitions per second over the whole run, and the reads' p50.

* **library**: the same sequence through ``Engine.report`` / ``Engine.fire`` / ``add_measure``
  in one thread, on a second fresh database of the same backend, in the same run: the p50 of
  ``Engine.fire`` and its transitions per second.
* **ratio** = API p50 ÷ library p50 (what one transition costs over HTTP under that load; with
  50 clients on 2 cores most of it is waiting for a turn, see BENCHMARKS.md), and
  library/API throughput.

Usage::

    python benchmarks/api_load.py [--clients N] [--rounds R] [--backend sqlite|postgresql|all]
                                  [--pg-url URL] [--smoke] [--quiet] [--json FILE]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import http.client
import json
import os
import socket
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

_HERE = Path(__file__).resolve().parent
if __name__ == "__main__":
    # As a script, this folder heads sys.path, and its transitions.py would shadow the
    # `transitions` package the engine imports. Take the folder off the path.
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from zhenggai.engine import Accounts, Actor, Engine
from zhenggai.workflows import load_setup

PG_URL = os.environ.get(
    "ZHENGGAI_BENCH_PG_URL",
    os.environ.get("ZHENGGAI_TEST_PG_URL", "postgresql://zhenggai:zhenggai@127.0.0.1/zhenggai"),
)
CAMPAIGN = "load"
UNIT = "housing_construction_bureau"
DUE = "2030-06-28"
ITEM = {"title": "窗口收费不规范", "description": "多收工本费", "track": "construction", "channel": "hotline"}


@dataclasses.dataclass
class Result:
    backend: str
    clients: int
    rounds: int
    transitions: int
    api_p50_ms: float
    api_p95_ms: float
    api_tps: float
    read_p50_ms: float
    read_path: str
    library_p50_ms: float
    library_p95_ms: float
    library_tps: float
    ratio_p50: float
    ratio_tps: float
    errors: int


def pg_unavailable(url: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as err:  # noqa: BLE001 - any failure: not available
        return f"PostgreSQL not reachable: {type(err).__name__}"
    return None


@contextmanager
def database(backend: str, pg_url: str) -> Iterator[str]:
    """A fresh database: a SQLite file, or a new schema dropped afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'load.db'}"
        return
    import psycopg

    schema = f"zg_load_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        sep = "&" if "?" in pg_url else "?"
        yield f"{pg_url}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _engine(url: str) -> Engine:
    engine = Engine(url)
    engine.start_campaign(load_setup("county_2023"), key=CAMPAIGN)
    return engine


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


# ------------------------------------------------------------------------------ the library


def library_side(url: str, rounds: int) -> tuple[list[float], float]:
    """Per-transition seconds of ``Engine.fire`` and the transitions per second."""
    office, clerk = Actor("办公室", "leading_group_office"), Actor("住建局", "responsible", UNIT)
    times: list[float] = []
    with _engine(url) as engine:
        started = time.perf_counter()
        for _ in range(rounds):
            item = engine.report(CAMPAIGN, office, **ITEM)
            t0 = time.perf_counter()
            engine.fire(item.id, "assign", office, expected_version=item.version, unit=UNIT, due=DUE)
            times.append(time.perf_counter() - t0)
            engine.add_measure(item.id, clerk, text="退还多收费用")
            t0 = time.perf_counter()
            engine.fire(item.id, "start_rectification", clerk)
            times.append(time.perf_counter() - t0)
        wall = time.perf_counter() - started
    return times, len(times) / wall


# ------------------------------------------------------------------------------ over HTTP


class Client:
    """One county system: keep-alive connections, its two tokens."""

    def __init__(self, port: int, office: str, clerk: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.office, self.clerk = office, clerk
        self.transitions: list[float] = []
        self.reads: list[float] = []
        self.errors = 0

    def call(
        self, method: str, path: str, token: str, body: Any = None, **headers: str
    ) -> tuple[int, Any, Any]:
        sent = {"Authorization": f"Bearer {token}", **headers}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=sent)
        reply = self.conn.getresponse()
        raw = reply.read()
        return reply.status, (json.loads(raw) if raw else None), reply.getheader("ETag")

    def timed(self, into: list[float], *args: Any, **kwargs: Any) -> tuple[int, Any, Any]:
        t0 = time.perf_counter()
        answer = self.call(*args, **kwargs)
        into.append(time.perf_counter() - t0)
        return answer

    def round(self, read_path: str) -> None:
        status, item, etag = self.call("POST", "/api/v1/items", self.office, ITEM)
        if status != 201:
            self.errors += 1
            return
        path = f"/api/v1/items/{item['id']}"
        assign = {"trigger": "assign", "unit": UNIT, "due": DUE}
        status, _, etag = self.timed(
            self.transitions, "POST", f"{path}/transitions", self.office, assign, **{"If-Match": etag}
        )
        status2, _, _ = self.call("POST", f"{path}/measures", self.clerk, {"text": "退还多收费用"})
        _, _, etag = self.call("GET", path, self.clerk)
        status3, _, _ = self.timed(
            self.transitions,
            "POST",
            f"{path}/transitions",
            self.clerk,
            {"trigger": "start_rectification"},
            **{"If-Match": etag or ""},
        )
        status4, _, _ = self.timed(self.reads, "GET", read_path, self.office)
        self.errors += sum(s not in (200, 201) for s in (status, status2, status3, status4))


#: The server process: the app on the benchmark's database, served by uvicorn on ``port``.
_SERVER = """
import sys, uvicorn
from zhenggai.engine import Engine
from zhenggai.adapters.web import WebSettings, create_app
engine = Engine(sys.argv[1])
uvicorn.run(create_app(engine, WebSettings(sys.argv[2])), host="127.0.0.1", port=int(sys.argv[3]),
            log_level="error", access_log=False)
"""


@contextmanager
def serving(url: str) -> Iterator[int]:
    """uvicorn in a process of its own (as ``zhenggai serve`` runs), so the clients' threads do not
    share its interpreter: what the clients measure is the server's work and its queue."""
    import subprocess

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVER, url, CAMPAIGN, str(port)],
        cwd=tempfile.gettempdir(),  # not this folder: its transitions.py would shadow the package
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("uvicorn did not start") from None
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def api_side(url: str, clients: int, rounds: int) -> dict[str, Any]:
    with _engine(url) as engine:
        accounts = Accounts(engine)
        _, office = accounts.issue_token(CAMPAIGN, "县OA", ["leading_group_office"])
        _, clerk = accounts.issue_token(CAMPAIGN, "住建局系统", ["responsible"], [UNIT])
        with serving(url) as port:
            probe = Client(port, office, clerk)
            status, _, _ = probe.call("GET", "/api/v1/ledger?limit=50", office)
            read_path = "/api/v1/ledger?limit=50" if status == 200 else "/api/v1/items?limit=50"
            pool = [Client(port, office, clerk) for _ in range(clients)]
            barrier = threading.Barrier(clients + 1)

            def work(client: Client) -> None:
                barrier.wait()
                for _ in range(rounds):
                    try:
                        client.round(read_path)
                    except (OSError, http.client.HTTPException, ValueError):
                        client.errors += 1
                        client.conn.close()

            threads = [threading.Thread(target=work, args=(c,)) for c in pool]
            for t in threads:
                t.start()
            barrier.wait()
            started = time.perf_counter()
            for t in threads:
                t.join()
            wall = time.perf_counter() - started
            for c in [probe, *pool]:
                c.conn.close()
    transitions = [s for c in pool for s in c.transitions]
    return {
        "transitions": transitions,
        "reads": [s for c in pool for s in c.reads],
        "tps": len(transitions) / wall,
        "errors": sum(c.errors for c in pool),
        "read_path": read_path.split("?")[0],
    }


def run_backend(backend: str, *, clients: int, rounds: int, pg_url: str = PG_URL) -> Result:
    with database(backend, pg_url) as url:
        library, library_tps = library_side(url, max(rounds * 4, 20))
    with database(backend, pg_url) as url:
        api = api_side(url, clients, rounds)
    ms = 1000.0
    api_p50, lib_p50 = _quantile(api["transitions"], 0.5), _quantile(library, 0.5)
    return Result(
        backend=backend,
        clients=clients,
        rounds=rounds,
        transitions=len(api["transitions"]),
        api_p50_ms=api_p50 * ms,
        api_p95_ms=_quantile(api["transitions"], 0.95) * ms,
        api_tps=api["tps"],
        read_p50_ms=_quantile(api["reads"], 0.5) * ms,
        read_path=api["read_path"],
        library_p50_ms=lib_p50 * ms,
        library_p95_ms=_quantile(library, 0.95) * ms,
        library_tps=library_tps,
        ratio_p50=api_p50 / lib_p50,
        ratio_tps=library_tps / api["tps"],
        errors=api["errors"],
    )


def table(results: list[Result]) -> str:
    lines = [
        (
            "backend     clients  api p50 ms  api p95 ms  api tr/s  read p50 ms  lib p50 ms  lib tr/s"
            "  ratio p50  ratio tr/s  errors"
        )
    ]
    for r in results:
        lines.append(
            f"{r.backend:<11} {r.clients:>7}  {r.api_p50_ms:>10.1f}  {r.api_p95_ms:>10.1f}  {r.api_tps:>8.1f}"
            f"  {r.read_p50_ms:>11.1f}  {r.library_p50_ms:>10.2f}  {r.library_tps:>8.1f}"
            f"  {r.ratio_p50:>9.1f}  {r.ratio_tps:>10.2f}  {r.errors:>6}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10, help="rounds per client (2 transitions each)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "all"], default="all")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--smoke", action="store_true", help="a tiny run (4 clients, 2 rounds)")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    clients, rounds = (4, 2) if args.smoke else (args.clients, args.rounds)
    backends = ["sqlite", "postgresql"] if args.backend == "all" else [args.backend]
    results, skipped = [], {}
    for backend in backends:
        if backend == "postgresql" and (reason := pg_unavailable(args.pg_url)) is not None:
            if args.backend != "all":
                print(reason, file=sys.stderr)
                return 1
            skipped[backend] = reason
            continue
        results.append(run_backend(backend, clients=clients, rounds=rounds, pg_url=args.pg_url))
        if not args.quiet:
            print(f"{backend}: done", file=sys.stderr)
    print(table(results))
    if args.json:
        doc = {
            "smoke": args.smoke,
            "at": dt.datetime.now(dt.UTC).isoformat(),
            "cpus": os.cpu_count(),
            "results": [dataclasses.asdict(r) for r in results],
            "skipped": skipped,
        }
        Path(args.json).write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
