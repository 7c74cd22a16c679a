"""Shared fixtures. Every test that takes ``db_url`` (or ``engine``) runs on SQLite and on
PostgreSQL.

PostgreSQL comes from ``ZHENGGAI_TEST_PG_URL`` (default
``postgresql://zhenggai:zhenggai@127.0.0.1/zhenggai``, the role and database ``.ci/run``
creates). Each test gets its own schema, dropped afterwards. Without a reachable server the
PostgreSQL variants skip with the reason shown; under ``CI=true`` they fail instead, so CI can
never pass without having run them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import resource
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from zhenggai.engine import Actor, CampaignView, Engine, ReporterKeys, VirtualClock
from zhenggai.engine.calendar import WorkingCalendar
from zhenggai.engine.deadlines import next_workday
from zhenggai.testing import DEFAULT_START
from zhenggai.workflows import load_setup

PG_URL = os.environ.get("ZHENGGAI_TEST_PG_URL", "postgresql://zhenggai:zhenggai@127.0.0.1/zhenggai")
IN_CI = os.environ.get("CI", "").lower() == "true"

_pg_state: dict[str, str | None] = {}

#: The reporter key of the test session (reporters are sealed: 举报人信息加密保存). Engines a test
#: makes itself pass ``reporter_keys=REPORTER_KEYS`` when they report with a reporter.
REPORTER_KEY = os.urandom(32)
REPORTER_KEYS = ReporterKeys(REPORTER_KEY)


def _pg_unavailable() -> str | None:
    """None when the PostgreSQL server answers, else why not (probed once per session)."""
    if "reason" not in _pg_state:
        try:
            import psycopg

            with psycopg.connect(PG_URL, connect_timeout=3) as conn:
                conn.execute("SELECT 1")
            _pg_state["reason"] = None
        except Exception as err:  # noqa: BLE001 - any failure to reach the server means: not available
            _pg_state["reason"] = f"PostgreSQL not reachable at {PG_URL}: {type(err).__name__}: {err}"
    return _pg_state["reason"]


def pg_schema_url(schema: str) -> str:
    """A URL whose connections use ``schema`` (search_path) on the test server."""
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"


def _database(backend: str, folder: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file in ``folder``, or a new schema on the server."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'zhenggai.db'}"
        return
    reason = _pg_unavailable()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    import psycopg

    schema = f"zg_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield pg_schema_url(schema)
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database per test, on each backend."""
    yield from _database(request.param, tmp_path)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database per test module and backend (same servers, same skip rules as ``db_url``),
    for modules whose tests each start a campaign of their own and can share the schema."""
    yield from _database(request.param, tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="module")
def module_clock() -> VirtualClock:
    """One virtual clock per test module (see ``module_engine``)."""
    return VirtualClock(DEFAULT_START)


@pytest.fixture(scope="module")
def module_engine(module_db_url: str, module_clock: VirtualClock) -> Iterator[Engine]:
    """One engine per test module and backend: opening an engine runs the Alembic baseline,
    which on PostgreSQL costs more than most tests. Modules that use it alias it as ``engine``
    and make their own items (or campaigns), so their tests stay independent."""
    eng = Engine(module_db_url, clock=module_clock, reporter_keys=REPORTER_KEYS)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def clock() -> VirtualClock:
    """Monday 2023-07-03, 09:00 in Asia/Shanghai."""
    return VirtualClock(DEFAULT_START)


@pytest.fixture
def engine(db_url: str, clock: VirtualClock) -> Iterator[Engine]:
    eng = Engine(db_url, clock=clock, reporter_keys=REPORTER_KEYS)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def campaign(engine: Engine) -> CampaignView:
    """The built-in 2023 county plan, started as campaign ``test``."""
    return engine.start_campaign(load_setup("county_2023"), key="test")


class Actors:
    """The people of the built-in plan's roles."""

    office = Actor("王主任", "leading_group_office", "discipline_commission")
    track_leader = Actor("赵组长", "track_group_leader")
    supervision = Actor("督查一组", "supervision_team", "organization_department")
    custodian = Actor("保管员", "custodian", "discipline_commission")
    county_leader = Actor("钱副县长", "county_leader")

    @staticmethod
    def unit(key: str = "housing_construction_bureau", name: str = "李科长") -> Actor:
        return Actor(name, "responsible", key)


@dataclass(frozen=True)
class DemoRun:
    """One play of ``zhenggai demo --db DB --keep --reports REPORTS``: its exit code, output,
    the database it kept and its reports folder; ``real_db`` is where ``ZHENGGAI_DB`` pointed
    during the play (the demo must never write there)."""

    code: int
    out: str
    err: str
    db: Path
    reports: Path
    real_db: Path


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """The demo played once per test process (about 45 s of simulation and reports), shared by
    the tests that read what it prints and writes. Tests must not change its files."""
    from zhenggai.adapters.cli import main

    folder = tmp_path_factory.mktemp("demo")
    db, reports, real = folder / "demo.db", folder / "reports", folder / "real.db"
    with (
        pytest.MonkeyPatch.context() as patch,
        contextlib.redirect_stdout(io.StringIO()) as out,
        contextlib.redirect_stderr(io.StringIO()) as err,
    ):
        patch.setenv("ZHENGGAI_DB", str(real))
        code = main(["demo", "--db", str(db), "--keep", "--reports", str(reports)])
    return DemoRun(code, out.getvalue(), err.getvalue(), db, reports, real)


@pytest.fixture
def actors() -> type[Actors]:
    return Actors


def today_plus(days: int) -> dt.date:
    """A date ``days`` after the fixtures' start day (2023-07-03)."""
    return dt.date(2023, 7, 3) + dt.timedelta(days=days)


def due_in(days: int) -> dt.date:
    """A due date a person gives ``days`` or a little more after the fixtures' start day: the
    first working day on or after it (a deadline is never a day off)."""
    return next_workday(WorkingCalendar(), today_plus(days))


def bounded_python(
    code: str, *, memory: int = 1 << 30, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a child Python limited to ``memory`` bytes of address space (Linux), so a
    resource bomb that is not refused fails the test instead of taking the machine down."""

    def limit() -> None:  # pragma: no cover - runs in the child
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        preexec_fn=limit,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The figures tests record (``record_property("figures", "…")``: trials and what was
    found, e.g. the audit trail's tamper trials), printed at the end of the run (also under
    xdist: the properties travel with each test's report)."""
    lines = sorted(
        str(value)
        for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", [])
        if getattr(report, "when", "call") == "call"
        for name, value in getattr(report, "user_properties", ())
        if name == "figures"
    )
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture
def checkouts() -> Iterator[list[object]]:
    """Every connection checked out of any pool while the test runs: each transaction and each
    read checks one out, so this counts what an operation costs the database."""
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    seen: list[object] = []

    def count(dbapi_connection: object, record: object, proxy: object) -> None:
        seen.append(dbapi_connection)

    event.listen(Pool, "checkout", count)
    try:
        yield seen
    finally:
        event.remove(Pool, "checkout", count)
