"""Storage: Alembic baseline, SQLite discipline (WAL, foreign keys, busy timeout, BEGIN
IMMEDIATE), a host's own SQLAlchemy engine, UTC datetimes, outbox and step rows in the
transition's transaction, and the compare-and-set under a real lost race on PostgreSQL.

Tests taking ``db_url`` / ``engine`` run on SQLite and PostgreSQL (conftest); the SQLite
settings are checked on SQLite files of their own.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import time
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pydantic
import pytest
import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import DateTime, MetaData, Table, event, insert, inspect, select, text, update
from sqlalchemy.engine import make_url
from zhenggai.engine import (
    Actor,
    CampaignNotFound,
    CampaignSetup,
    CampaignView,
    ConflictError,
    Engine,
    GuardFailedError,
    InvalidInputError,
    StorageError,
    VirtualClock,
    _campaigns,
    _transitions,
)
from zhenggai.engine import migrate as zg_migrate
from zhenggai.engine import models as m
from zhenggai.testing import DEFAULT_START
from zhenggai.workflows import load_setup

ITEM = m.Item.__table__
MEASURE = m.Measure.__table__
OUTBOX = m.Outbox.__table__
STEP = m.Step.__table__
EVENT = m.Event.__table__

UNIT = "housing_construction_bureau"
OTHER_UNIT = "natural_resources_bureau"
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
BUREAU = Actor("李科长", "responsible", UNIT)


# ----------------------------------------------------------------------------------- helpers


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ``zg_*`` table."""
    with engine.store.engine.connect() as conn:
        names = sorted(n for n in inspect(conn).get_table_names() if n.startswith("zg_"))
        tables = [
            m.metadata.tables[n] if n in m.metadata.tables else Table(n, MetaData(), autoload_with=conn)
            for n in names
        ]
        return {t.name: sorted((tuple(r) for r in conn.execute(select(t))), key=repr) for t in tables}


def report(engine: Engine) -> int:
    return engine.report(
        "test",
        OFFICE,
        title="审批超时",
        description="审批超过承诺时限",
        track="construction",
        channel="hotline",
    ).id


def steps(engine: Engine, item_id: int) -> dict[str, tuple[str, dt.datetime]]:
    with engine.store.read() as conn:
        query = select(STEP).where(STEP.c.subject_kind == "item", STEP.c.subject_id == item_id)
        return {r["step_key"]: (r["status"], r["due_at"]) for r in conn.execute(query).mappings()}


def sqlite_engine(tmp_path: Path, name: str = "zhenggai.db") -> Engine:
    return Engine(tmp_path / name, clock=VirtualClock(DEFAULT_START))


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


class Runner(threading.Thread):
    """Runs ``call`` in a thread and keeps its result or exception."""

    def __init__(self, call: Callable[[], object]) -> None:
        super().__init__(daemon=True)
        self.call = call
        self.result: object = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.call()
        except BaseException as err:  # noqa: BLE001 - handed to the test
            self.error = err


# ------------------------------------------------------------------------------- migrations


def test_schema_is_the_alembic_baseline_at_head(engine: Engine) -> None:
    """zg_alembic_version holds the head revision, whose history starts at 0001_baseline."""
    with engine.store.engine.connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM zg_alembic_version")).scalars().all()
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(zg_migrate.__file__).with_name("_migrations")))
    scripts = ScriptDirectory.from_config(cfg)
    assert versions == [scripts.get_current_head()]
    assert scripts.get_base() == "0001_baseline"


def test_schema_matches_the_models(engine: Engine) -> None:
    """The migrated schema has exactly the models' tables, columns and indexes (no drift)."""
    with engine.store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": "zg_alembic_version"})
        assert compare_metadata(context, m.metadata) == []


def test_table_classes_are_their_tables() -> None:
    """Each table class's column attributes are its Table's columns, in the order written, and
    select() / insert() take the class for its table (engine/models.py: Core, no ORM)."""
    classes = [v for v in vars(m).values() if isinstance(v, type) and "__tablename__" in vars(v)]
    assert sorted(cls.__table__.name for cls in classes) == sorted(m.metadata.tables)
    for cls in classes:
        declared = [c for c in vars(cls).values() if isinstance(c, sqlalchemy.Column)]
        assert [c.key for c in declared] == cls.__table__.c.keys()
        assert all(c is cls.__table__.c[c.key] for c in declared)
    assert str(select(m.Item).where(m.Item.id == 1)) == str(select(m.Item.__table__).where(m.Item.id == 1))
    assert str(insert(m.Step)) == str(insert(m.Step.__table__))


def test_reopening_a_database_runs_no_ddl(engine: Engine, campaign: CampaignView, db_url: str) -> None:
    """A second engine on the same database issues no DDL and sees the data (no-op migration)."""
    item = report(engine)
    before = dump(engine)
    host = sqlalchemy.create_engine(_driver_url(db_url))
    statements: list[str] = []
    event.listen(host, "before_cursor_execute", lambda *args: statements.append(args[2]))
    try:
        second = Engine(host)
        assert second.item(item).title == "审批超时"
        second.dispose()
    finally:
        host.dispose()
    ddl = [s for s in statements if s.lstrip().split(" ", 1)[0].upper() in ("CREATE", "ALTER", "DROP")]
    assert ddl == []
    assert dump(engine) == before


def test_database_from_a_newer_version_is_refused_clearly(engine: Engine, db_url: str) -> None:
    """A schema revision this code does not know gives StorageError in Chinese, not an Alembic error."""
    with engine.store.engine.begin() as conn:
        conn.execute(text("UPDATE zg_alembic_version SET version_num = '9999_future'"))
    with pytest.raises(StorageError) as info:
        Engine(db_url)
    assert "9999_future" in str(info.value) and "版本" in str(info.value)


def test_migrate_false_leaves_the_schema_alone(tmp_path: Path) -> None:
    """Engine(migrate=False) creates no tables (a host running migrations itself)."""
    engine = Engine(tmp_path / "bare.db", migrate=False)
    try:
        with engine.store.engine.connect() as conn:
            assert inspect(conn).get_table_names() == []
    finally:
        engine.dispose()


def test_unreachable_database_raises_storage_error() -> None:
    """Connection failures and unknown URLs are StorageError, not SQLAlchemy's exceptions."""
    with pytest.raises(StorageError):
        Engine("postgresql://nobody:wrong@127.0.0.1:1/none")
    with pytest.raises(StorageError):
        Engine("nosuchdialect://x")


# --------------------------------------------------------------------------- SQLite discipline


def test_sqlite_connection_settings(tmp_path: Path) -> None:
    """SQLite files run in WAL mode with foreign keys on, a busy timeout and synchronous=FULL
    (every commit synced; see tests/test_durability.py for NORMAL)."""
    engine = sqlite_engine(tmp_path)
    try:
        with engine.store.read() as conn:
            pragma = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
    finally:
        engine.dispose()
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30_000, "synchronous": 2}


def test_foreign_keys_are_enforced(engine: Engine, campaign: CampaignView) -> None:
    """A measure for an item that does not exist is refused by the database (StorageError)."""
    with pytest.raises(StorageError), engine.store.write() as conn:
        conn.execute(
            insert(MEASURE), {"item_id": 9999, "text": "x", "created_by": "x", "created_at": DEFAULT_START}
        )


def test_write_transactions_begin_immediate(tmp_path: Path) -> None:
    """A write transaction holds the write lock from its start (BEGIN IMMEDIATE); a read does not."""
    engine = sqlite_engine(tmp_path)
    other = sqlite3.connect(tmp_path / "zhenggai.db", timeout=0, isolation_level=None)
    try:
        with engine.store.read():
            other.execute("BEGIN IMMEDIATE")  # a read leaves the write lock free
            other.execute("ROLLBACK")
        with engine.store.write(), pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    finally:
        other.close()
        engine.dispose()


def test_concurrent_write_waits_for_the_lock_then_succeeds(tmp_path: Path) -> None:
    """While another connection holds the write lock, a transition waits (busy timeout) rather than
    failing, and goes through once the lock is released."""
    engine = sqlite_engine(tmp_path)
    engine.start_campaign(load_setup("county_2023"), key="test")
    item = report(engine)
    other = sqlite3.connect(tmp_path / "zhenggai.db", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        runner = Runner(lambda: engine.assign(item, OFFICE, unit=UNIT, due="2023-08-31"))
        runner.start()
        time.sleep(0.3)
        assert runner.is_alive(), "the write did not wait for the lock"
        other.execute("ROLLBACK")
        runner.join(10)
        assert not runner.is_alive() and runner.error is None, runner.error
        assert engine.item(item).state == "assigned"
    finally:
        other.close()
        engine.dispose()


def test_two_engines_on_one_sqlite_file_serialise(tmp_path: Path) -> None:
    """Two Engine objects writing the same item concurrently never lose an update or break the
    chain: BEGIN IMMEDIATE makes each read-then-write atomic."""
    first, second = sqlite_engine(tmp_path), sqlite_engine(tmp_path)
    try:
        first.start_campaign(load_setup("county_2023"), key="test")
        item = report(first)
        first.assign(item, OFFICE, unit=UNIT, due="2023-08-31")
        runners = [
            Runner(
                lambda eng=eng, tag=tag: [eng.add_measure(item, BUREAU, text=f"{tag}{i}") for i in range(15)]
            )
            for tag, eng in (("甲", first), ("乙", second), ("丙", first), ("丁", second))
        ]
        for r in runners:
            r.start()
        for r in runners:
            r.join(30)
        assert [r.error for r in runners] == [None] * 4
        assert second.item(item).version == 2 + 60
        assert len(first.measures(item)) == 60
        assert first.verify_audit().ok
    finally:
        first.dispose()
        second.dispose()


# ------------------------------------------------------------------------- host's own engine


def _driver_url(db_url: str) -> str:
    url = make_url(db_url)
    if url.get_backend_name() == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def test_host_sqlalchemy_engine_works_and_stays_open(db_url: str, clock: VirtualClock) -> None:
    """A host passes its own SQLAlchemy Engine: the schema is migrated, transitions work, and
    dispose() leaves the host's engine usable."""
    host = sqlalchemy.create_engine(_driver_url(db_url))
    try:
        engine = Engine(host, clock=clock)
        engine.start_campaign(load_setup("county_2023"), key="test")
        item = report(engine)
        assert engine.assign(item, OFFICE, unit=UNIT, due="2023-08-31").state == "assigned"
        assert engine.verify_audit().ok
        engine.dispose()
        with host.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM zg_item")).scalar() == 1
    finally:
        host.dispose()


def test_host_sqlite_engine_gets_the_sqlite_discipline(tmp_path: Path) -> None:
    """The SQLite settings are applied to a host's engine too (WAL, foreign keys, busy timeout)."""
    host = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'host.db'}")
    try:
        engine = Engine(host)
        with engine.store.read() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        engine.dispose()
    finally:
        host.dispose()


# --------------------------------------------------------------------------------- datetimes


def test_datetimes_come_back_aware_utc(db_url: str) -> None:
    """Times stored from a clock in another timezone come back as the same instant, in UTC,
    to the microsecond."""
    shanghai = dt.datetime(2023, 7, 3, 9, 30, 15, 123456, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    engine = Engine(db_url, clock=VirtualClock(shanghai))
    try:
        engine.start_campaign(load_setup("county_2023"), key="test")
        item = engine.item(report(engine))
        (event,) = engine.events(item.id)
        for value in (item.created_at, item.updated_at, event.at):
            assert value.tzinfo == dt.UTC
            assert value == shanghai
            assert value.hour == 1 and value.microsecond == 123456
    finally:
        engine.dispose()


def test_due_dates_are_judged_in_the_campaigns_timezone(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    """At 2023-07-03 17:00 UTC it is already 07-04 in Shanghai: 07-03 is in the past there."""
    clock.set(dt.datetime(2023, 7, 3, 17, tzinfo=dt.UTC))
    item = report(engine)
    with pytest.raises(InvalidInputError, match="早于今天 2023-07-04"):
        engine.assign(item, OFFICE, unit=UNIT, due="2023-07-03")
    assert engine.assign(item, OFFICE, unit=UNIT, due="2023-07-04").due == dt.date(2023, 7, 4)


def test_naive_datetime_is_refused_by_the_column(engine: Engine, campaign: CampaignView) -> None:
    """Writing a naive datetime into a zhenggai table fails; nothing is written."""
    item = report(engine)
    before = dump(engine)
    with pytest.raises(StorageError, match="naive"), engine.store.write() as conn:
        conn.execute(update(ITEM).where(ITEM.c.id == item).values(updated_at=dt.datetime(2023, 7, 4, 9)))
    assert dump(engine) == before


def test_naive_datetime_is_refused_on_the_compiled_statements_too(
    engine: Engine, campaign: CampaignView
) -> None:
    """A naive datetime given to a write on the compiled statements (a daemon's heartbeat) fails
    as on a connection: StorageError with the column's reason; nothing is written."""
    before = dump(engine)
    with pytest.raises(StorageError, match="naive datetime refused"):
        engine.heartbeat("d", host="h", pid=1, started_at=dt.datetime(2023, 7, 3, 9))
    assert dump(engine) == before


def test_clock_returning_naive_time_is_refused(db_url: str) -> None:
    """A host clock that breaks the Clock contract (naive now) makes operations fail, writing nothing."""

    class NaiveClock:
        def now(self) -> dt.datetime:
            return dt.datetime(2023, 7, 3, 9)

    engine = Engine(db_url, clock=NaiveClock())
    try:
        before = dump(engine)
        with pytest.raises(InvalidInputError, match="时区"):
            engine.start_campaign(load_setup("county_2023"), key="test")
        assert dump(engine) == before
    finally:
        engine.dispose()


def test_virtual_clock_refuses_naive_start() -> None:
    """VirtualClock does not accept a naive datetime."""
    with pytest.raises(InvalidInputError):
        VirtualClock(dt.datetime(2023, 7, 3, 9))


# ------------------------------------------------------------------------------------- outbox


def test_outbox_rows_are_written_with_the_transition(engine: Engine, campaign: CampaignView) -> None:
    """assign queues its message in the same change: one row per recipient, keyed by the new version."""
    item = engine.assign(report(engine), OFFICE, unit=UNIT, due="2023-08-31")
    (row,) = engine.outbox("test")
    assert (row.item_id, row.kind, row.recipient) == (item.id, "item_assigned", f"unit:{UNIT}")
    assert row.idempotency_key.startswith(f"item:{item.id}:v{item.version}:assign:")


def test_refused_transition_writes_no_outbox_row(engine: Engine, campaign: CampaignView) -> None:
    """A transition refused by a guard queues nothing."""
    item = report(engine)
    with pytest.raises(Exception, match="has_responsible_unit"):
        engine.fire(item, "assign", OFFICE, due="2023-08-31")
    assert engine.outbox("test") == []


def test_failure_after_outbox_write_rolls_everything_back(
    engine: Engine, campaign: CampaignView, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the transition fails after its outbox rows were written, the state change, the audit
    event and the outbox rows all vanish together (one transaction); the engine stays usable."""
    item = report(engine)
    before = dump(engine)

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("step table unavailable")

    monkeypatch.setattr(_transitions, "arm_item_steps", explode)
    with pytest.raises(RuntimeError):
        engine.assign(item, OFFICE, unit=UNIT, due="2023-08-31")
    assert dump(engine) == before
    monkeypatch.undo()
    assert engine.assign(item, OFFICE, unit=UNIT, due="2023-08-31").state == "assigned"
    assert len(engine.outbox("test")) == 1


def test_idempotency_keys_are_unique(engine: Engine, campaign: CampaignView) -> None:
    """Keys differ across repeated transitions, and the database refuses a duplicate key."""
    item = engine.assign(report(engine), OFFICE, unit=UNIT, due="2023-08-31").id
    engine.reassign(item, OFFICE, unit=OTHER_UNIT)
    engine.reassign(item, OFFICE, unit=UNIT)
    keys = [row.idempotency_key for row in engine.outbox("test")]
    assert len(keys) == 5 and len(set(keys)) == 5
    with engine.store.read() as conn:
        row = dict(conn.execute(select(OUTBOX).order_by(OUTBOX.c.id)).mappings().first())
    del row["id"]
    with pytest.raises(StorageError), engine.store.write() as conn:
        conn.execute(insert(OUTBOX), row)
    assert len(engine.outbox("test")) == 5


def test_contact_reached_twice_gets_the_message_once(engine: Engine) -> None:
    """A transition that notifies the responsible unit and a unit-bound role, where one contact
    is both (the unit's clerk of role ``responsible``), queues that contact one message instead
    of failing on the duplicate idempotency key."""
    data = load_setup("county_2023").model_dump(mode="json")
    data["lifecycle"]["transitions"][0]["notify"] = [
        {"message": "item_assigned", "to": "responsible_unit"},
        {"message": "item_assigned", "to": "responsible"},
    ]
    for unit in data["units"]:
        if unit["id"] == "discipline_commission":
            unit["contacts"] = [{"name": "办公室", "role": "responsible", "email": "office@example.cn"}]
    engine.start_campaign(CampaignSetup.model_validate(data), key="test")
    item = engine.assign(report(engine), OFFICE, unit="discipline_commission", due="2023-08-31")
    assert item.state == "assigned"
    assert [(m.kind, m.recipient) for m in engine.outbox("test")] == [("item_assigned", "office@example.cn")]


def test_unrouted_recipient_named_twice_is_one_dead_letter(engine: Engine) -> None:
    """A notify list naming the same message to the same recipient twice, where nobody can
    receive it, dead-letters it once instead of failing the transition on the duplicate key
    (found by the stateful test on generated definitions)."""
    data = load_setup("county_2023").model_dump(mode="json")
    data["lifecycle"]["transitions"][0]["notify"] = [
        {"message": "item_assigned", "to": "leading_group_office"},
        {"message": "item_assigned", "to": "leading_group_office"},
        {"message": "item_assigned", "to": "responsible_unit"},
        {"message": "item_assigned", "to": "responsible_unit"},
    ]
    engine.start_campaign(CampaignSetup.model_validate(data), key="test")
    item = engine.assign(report(engine), OFFICE, unit=UNIT, due="2023-08-31")
    assert item.state == "assigned"
    assert sorted((m.recipient, m.status) for m in engine.outbox("test")) == [
        ("role:leading_group_office", "dead"),
        (f"unit:{UNIT}", "dead"),
    ]


# -------------------------------------------------------------------------------------- steps


def _midnight(day: str) -> dt.datetime:
    """The start of ``day`` in Asia/Shanghai, in UTC (when a step of that day falls due)."""
    return (
        dt.datetime.fromisoformat(day).replace(tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")).astimezone(dt.UTC)
    )


#: The built-in ladder for an item due Thursday 2023-08-31: reminder 5 working days before,
#: yellow 2 before, red 1 after, 挂牌督办 5 after, 问责 15 after (working days).
LADDER_0831 = {
    "item_overdue.reminder@2023-08-31": _midnight("2023-08-24"),
    "item_overdue.yellow@2023-08-31": _midnight("2023-08-29"),
    "item_overdue.red@2023-08-31": _midnight("2023-09-01"),
    "item_overdue.listed_supervision@2023-08-31": _midnight("2023-09-07"),
    "item_overdue.accountability@2023-08-31": _midnight("2023-09-21"),
}


def test_assign_arms_the_ladder(engine: Engine, campaign: CampaignView) -> None:
    """assign creates one pending step per rung of the item ladder, each due at the start of its
    day in the campaign's timezone."""
    item = engine.assign(report(engine), OFFICE, unit=UNIT, due="2023-08-31").id
    assert steps(engine, item) == {k: ("pending", at) for k, at in LADDER_0831.items()}
    assert _midnight("2023-08-24") == dt.datetime(2023, 8, 23, 16, tzinfo=dt.UTC)


def test_reassign_with_new_due_replaces_the_steps(engine: Engine, campaign: CampaignView) -> None:
    """A new due date cancels the old date's pending steps and arms the new date's."""
    item = engine.assign(report(engine), OFFICE, unit=UNIT, due="2023-08-31").id
    engine.reassign(item, OFFICE, unit=OTHER_UNIT, due="2023-09-15")
    got = {k: s for k, (s, _) in steps(engine, item).items()}
    assert {k for k, s in got.items() if s == "cancelled"} == set(LADDER_0831)
    assert {k for k, s in got.items() if s == "pending"} == {
        k.replace("2023-08-31", "2023-09-15") for k in LADDER_0831
    }


def test_reassign_keeping_due_keeps_the_steps(engine: Engine, campaign: CampaignView) -> None:
    """Reassigning without a new due date leaves the pending steps as they are."""
    item = engine.assign(report(engine), OFFICE, unit=UNIT, due="2023-08-31").id
    before = steps(engine, item)
    engine.reassign(item, OFFICE, unit=OTHER_UNIT)
    assert steps(engine, item) == before


def _to_verified(engine: Engine, item: int) -> None:
    measure = engine.add_measure(item, BUREAU, text="限期办结").id
    engine.start_rectification(item, BUREAU)
    engine.complete_measure(measure, BUREAU)
    engine.submit_for_verification(item, BUREAU)
    engine.verify(item, OFFICE)


def test_leaving_the_ladder_states_cancels_and_closing_keeps_them_cancelled(
    engine: Engine, campaign: CampaignView
) -> None:
    """Asking for verification takes the item off the ladder (its steps are cancelled); 销号
    leaves them so."""
    item = engine.assign(report(engine), OFFICE, unit=UNIT, due="2023-08-31").id
    _to_verified(engine, item)
    assert {s for s, _ in steps(engine, item).values()} == {"cancelled"}
    engine.close(item, OFFICE)
    assert {s for s, _ in steps(engine, item).values()} == {"cancelled"}


@pytest.mark.parametrize("trigger", ["dismiss", "merge"])
def test_terminal_triggers_cancel_pending_steps(engine: Engine, campaign: CampaignView, trigger: str) -> None:
    """dismiss and merge end the item, so its ladder steps are cancelled too."""
    item = engine.assign(report(engine), OFFICE, unit=UNIT, due="2023-08-31").id
    if trigger == "dismiss":
        engine.dismiss(item, OFFICE, reason="不属实")
    else:
        engine.merge(item, OFFICE, survivor_id=report(engine))
    assert {s for s, _ in steps(engine, item).values()} == {"cancelled"}


def test_reopening_rearms_the_steps(engine: Engine, campaign: CampaignView) -> None:
    """回头看 brings a closed item back to work, so its ladder steps are pending again (once)."""
    item = engine.assign(report(engine), OFFICE, unit=UNIT, due="2023-08-31").id
    _to_verified(engine, item)
    engine.close(item, OFFICE)
    engine.follow_up_review(item, OFFICE, finding="反弹")
    assert steps(engine, item) == {k: ("pending", at) for k, at in LADDER_0831.items()}


# ---------------------------------------------------------------------------------- lost race


@pytest.fixture
def pg_only(engine: Engine) -> None:
    if engine.store.dialect.name == "sqlite":
        pytest.skip(
            "SQLite: BEGIN IMMEDIATE serialises writers, so a transition cannot lose a race "
            "(see test_two_engines_on_one_sqlite_file_serialise)"
        )


@pytest.mark.usefixtures("pg_only")
def test_lost_race_raises_conflict_and_writes_nothing(engine: Engine, campaign: CampaignView) -> None:
    """Another connection bumps the item's version while holding its row lock; the engine's
    UPDATE … WHERE version = ? blocks on that lock, then matches no row once the other commits:
    ConflictError naming both versions, and nothing of the transition is written."""
    item = report(engine)
    before = dump(engine)
    with engine.store.engine.connect() as other, engine.store.engine.connect() as watcher:
        other_pid = other.execute(text("SELECT pg_backend_pid()")).scalar()
        other.execute(text("UPDATE zg_item SET version = version + 1 WHERE id = :id"), {"id": item})
        runner = Runner(lambda: engine.dismiss(item, OFFICE, reason="不属实"))
        runner.start()

        def engine_waits_on_other() -> bool:
            watcher.rollback()  # a fresh snapshot of pg_stat_activity each time
            blocked = watcher.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE :pid = ANY(pg_blocking_pids(pid)) AND query LIKE 'UPDATE zg_item%'"
                ),
                {"pid": other_pid},
            ).scalar()
            return bool(blocked)

        wait_until(engine_waits_on_other)
        assert runner.is_alive()
        other.commit()
        runner.join(10)
    assert isinstance(runner.error, ConflictError), runner.error
    assert (runner.error.item_id, runner.error.expected, runner.error.actual) == (item, 1, 2)
    after = dump(engine)
    assert {name for name in after if after[name] != before[name]} == {"zg_item"}
    assert engine.item(item).state == "identified" and engine.item(item).version == 2
    assert engine.outbox("test") == [] and len(engine.events(item)) == 1
    # The chain is whole; the one thing it finds is the other connection's raw edit of the row.
    assert engine.verify_audit().problems == [
        f"专项行动 {campaign.id} 问题 {item}: 当前记录与其最后一条审计记录不符 (问题记录被改动)"
    ]


def _blocked_by(watcher: Any, pid: int, query_prefix: str) -> Callable[[], bool]:
    def check() -> bool:
        watcher.rollback()  # a fresh look at pg_stat_activity each time
        found = watcher.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE :pid = ANY(pg_blocking_pids(pid)) AND query LIKE :prefix"
            ),
            {"pid": pid, "prefix": f"{query_prefix}%"},
        ).scalar()
        return bool(found)

    return check


@pytest.mark.usefixtures("pg_only")
def test_merge_racing_the_survivors_close_is_refused(engine: Engine, campaign: CampaignView) -> None:
    """While another transaction is closing the survivor (row changed, not yet committed), a merge
    into it waits for that transaction instead of trusting the old snapshot, then sees the
    survivor closed and refuses (has_open_survivor): no item ends merged into a closed one."""
    survivor, duplicate = report(engine), report(engine)
    with engine.store.engine.connect() as other, engine.store.engine.connect() as watcher:
        other_pid = other.execute(text("SELECT pg_backend_pid()")).scalar()
        other.execute(
            text("UPDATE zg_item SET state = 'closed', version = version + 1 WHERE id = :id"),
            {"id": survivor},
        )
        runner = Runner(lambda: engine.merge(duplicate, OFFICE, survivor_id=survivor))
        runner.start()
        try:
            wait_until(_blocked_by(watcher, other_pid, "SELECT"), timeout=3)
        finally:
            other.commit()
            runner.join(10)
    assert isinstance(runner.error, GuardFailedError), runner.error or runner.result
    assert runner.error.guard == "has_open_survivor"
    assert engine.item(duplicate).state == "identified"


@pytest.mark.usefixtures("pg_only")
def test_concurrent_writers_on_postgresql_never_lose_an_update(
    engine: Engine, campaign: CampaignView
) -> None:
    """Threads adding measures to one item: each call either commits (version + 1, one event) or
    raises ConflictError having written nothing; versions and events always agree."""
    item = engine.assign(report(engine), OFFICE, unit=UNIT, due="2023-08-31").id
    outcomes: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        for i in range(10):
            try:
                engine.add_measure(item, BUREAU, text=f"措施{i}")
                result = "ok"
            except ConflictError:
                result = "conflict"
            with lock:
                outcomes.append(result)

    runners = [Runner(work) for _ in range(4)]
    for r in runners:
        r.start()
    for r in runners:
        r.join(30)
    assert [r.error for r in runners] == [None] * 4
    committed = outcomes.count("ok")
    assert engine.item(item).version == 2 + committed
    assert len(engine.measures(item)) == committed
    assert [e.trigger for e in engine.events(item)].count("add_measure") == committed
    assert engine.verify_audit().ok


# ------------------------------------------------------------------------------ consistency


def test_failed_start_campaign_leaves_no_trace(
    engine: Engine, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A start_campaign that fails after its rows were written rolls back completely, including
    the engine's cache: the key can be started afresh and then works."""
    setup = load_setup("county_2023")
    before = dump(engine)

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("audit unavailable")

    with monkeypatch.context() as patch:
        patch.setattr(_campaigns, "append_event", explode)
        with pytest.raises(RuntimeError):
            engine.start_campaign(setup, key="test")
    assert dump(engine) == before
    with pytest.raises(CampaignNotFound):
        engine.campaign("test")
    assert engine.campaigns() == []
    other = setup.model_copy(update={"title": "另一个专项行动"})
    started = engine.start_campaign(other, key="fresh")
    assert engine.campaign("fresh") == started
    with pytest.raises(CampaignNotFound):
        engine.campaign("test")
    started = engine.start_campaign(setup, key="test")
    assert engine.campaign("test") == started
    assert engine.campaign(started.id).key == "test"
    item = report(engine)
    assert engine.item(item).campaign == "test"


def test_reads_see_one_snapshot(engine: Engine, db_url: str, clock: VirtualClock) -> None:
    """Everything read inside one read transaction comes from the same snapshot, even when
    another engine commits in between (so verify_audit never reports a concurrent write as a
    deleted or inserted event)."""
    engine.start_campaign(load_setup("county_2023"), key="test")
    writer = Engine(db_url, clock=clock)
    try:
        count = text("SELECT count(*) FROM zg_event")
        with engine.store.read() as conn:
            first = conn.execute(count).scalar()
            report(writer)
            assert conn.execute(count).scalar() == first
        with engine.store.read() as conn:
            assert conn.execute(count).scalar() == first + 1
    finally:
        writer.dispose()


def test_verify_audit_is_not_fooled_by_a_concurrent_write(
    engine: Engine, db_url: str, clock: VirtualClock
) -> None:
    """An event committed by another engine while verify_audit is between reading the audit head
    and reading the events is not mistaken for tampering."""
    engine.start_campaign(load_setup("county_2023"), key="test")
    writer = Engine(db_url, clock=clock)
    written: list[int] = []

    def write_once(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not written and "FROM zg_event" in statement and "zg_event.seq" in statement:
            written.append(report(writer))

    event.listen(engine.store.engine, "before_cursor_execute", write_once)
    try:
        result = engine.verify_audit()
    finally:
        event.remove(engine.store.engine, "before_cursor_execute", write_once)
        writer.dispose()
    assert written, "the concurrent write did not happen"
    assert result.ok, result.problems
    assert engine.verify_audit().ok


def test_identifiers_at_their_column_limits_work(engine: Engine) -> None:
    """The longest state, trigger, role, channel, message and unit-kind ids a definition may
    use fit their columns on both databases (PostgreSQL refuses what SQLite would accept)."""
    longest = {
        "identified": "s" * 40,  # state
        "assign": "t" * 60,  # trigger
        "leading_group_office": "r" * 60,  # role
        "hotline": "c" * 40,  # channel
        "item_assigned": "m" * 60,  # message kind
    }
    data = load_setup("county_2023").model_dump(mode="json")
    text_ = json.dumps(data)
    for short, long in longest.items():
        text_ = text_.replace(f'"{short}"', f'"{long}"')
    data = json.loads(text_)
    data["county"] = "县" * 100
    data["units"][0]["kind"] = "k" * 40
    setup = CampaignSetup.model_validate(data)
    engine.start_campaign(setup, key="test")
    office = Actor("王主任", "r" * 60, "discipline_commission")
    item = engine.report(
        "test", office, title="审批超时", description="审批超时", track="construction", channel="c" * 40
    )
    after = engine.fire(item.id, "t" * 60, office, unit=UNIT, due="2023-08-31")
    assert (item.state, after.state) == ("s" * 40, "assigned")
    assert engine.outbox("test")[0].kind == "m" * 60
    assert engine.events(item.id)[-1].role == "r" * 60


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("lifecycle", "states", 0, "id"), "s" * 41),
        (("lifecycle", "transitions", 0, "trigger"), "t" * 61),
        (("roles", 0, "id"), "r" * 61),
        (("channels", 0, "id"), "c" * 41),
        (("lifecycle", "transitions", 0, "notify", 0, "message"), "m" * 61),
        (("units", 0, "kind"), "k" * 41),
        (("county",), "县" * 101),
    ],
    ids=["state", "trigger", "role", "channel", "message", "unit kind", "county"],
)
def test_identifiers_longer_than_their_columns_are_refused(path: tuple[Any, ...], value: str) -> None:
    """One character more than the column holds is a validation error, before anything is stored."""
    data = load_setup("county_2023").model_dump(mode="json")
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    with pytest.raises(pydantic.ValidationError, match="at most"):
        CampaignSetup.model_validate(data)


def test_parallel_reports_keep_one_unbroken_chain(engine: Engine, campaign: CampaignView) -> None:
    """Threads reporting into one campaign at once all succeed (different items never conflict),
    and the audit head lock keeps the event numbers 1..n without gaps or duplicates."""
    runners = [Runner(lambda: [report(engine) for _ in range(8)]) for _ in range(4)]
    for r in runners:
        r.start()
    for r in runners:
        r.join(30)
    assert [r.error for r in runners] == [None] * 4
    seqs = [e.seq for e in engine.events(campaign="test")]
    assert seqs == list(range(1, 1 + 1 + 32))  # start_campaign's event, then 32 reports
    assert engine.verify_audit().ok


@settings(max_examples=300, deadline=None)
@given(
    value=st.datetimes(
        min_value=dt.datetime(1900, 1, 1),
        max_value=dt.datetime(2200, 1, 1),
        timezones=st.sampled_from(
            [dt.UTC, zoneinfo.ZoneInfo("Asia/Shanghai"), dt.timezone(dt.timedelta(hours=-5, minutes=-30))]
        ),
    )
)
@example(value=dt.datetime(1991, 4, 14, 2, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")))  # in a DST gap
def test_sqlite_datetime_processors_match_sqlalchemy_s(value: dt.datetime) -> None:
    """UTCDateTime's one-step SQLite processors write and read exactly what our bind step
    followed by SQLAlchemy's SQLite DATETIME would."""
    from sqlalchemy.dialects import sqlite
    from zhenggai.engine.models import UTCDateTime

    dialect = sqlite.dialect()
    ours = UTCDateTime()
    base = DateTime(timezone=True).dialect_impl(dialect)
    base_bind, base_result = base.bind_processor(dialect), base.result_processor(dialect, None)
    assert base_bind is not None and base_result is not None
    fused_bind = ours.bind_processor(dialect)
    fused_result = ours.result_processor(dialect, None)
    assert fused_bind is not None and fused_result is not None
    text = fused_bind(value)
    assert text == base_bind(ours.process_bind_param(value, dialect))
    # (against the value in UTC: a time in a DST gap, e.g. Shanghai 1991-04-14 02:00, compares
    # unequal across zones by Python's rules even to itself)
    assert (
        fused_result(text)
        == ours.process_result_value(base_result(text), dialect)
        == value.astimezone(dt.UTC)
    )
    with pytest.raises(ValueError, match="naive"):
        fused_bind(value.replace(tzinfo=None))
