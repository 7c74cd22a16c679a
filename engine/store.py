"""Database access: engine creation, SQLite settings, transactions, migrations, error translation.

SQLite (the embedded default): WAL journal for file databases, foreign keys on, a busy
timeout, ``synchronous=FULL`` by default (``durability="normal"`` trades the last commits before
an OS crash or power loss for speed; see BENCHMARKS.md), and every write transaction opened with ``BEGIN IMMEDIATE`` so a read-then-write
never fails on a stale snapshot; reads use a plain deferred ``BEGIN``. The settings are
applied on the first transaction of each DBAPI connection, so they hold on an engine a host
system created and passed in as well.

PostgreSQL: writes run at READ COMMITTED (the compare-and-set ``UPDATE … WHERE version = ?``
re-checks the row a concurrent writer committed, and matches nothing: ConflictError); the
per-campaign audit head is locked with ``FOR UPDATE``. Reads run at REPEATABLE READ, so every
statement of one read transaction sees the same snapshot (at READ COMMITTED each statement
would see a newer one, and e.g. ``verify_audit`` could read the audit head before and the
events after a concurrent commit and report tampering that is not there).

Every write of the engine runs on the DBAPI cursor (:meth:`Store.transaction`, statements
compiled once in :mod:`zhenggai.engine._statements` and :mod:`zhenggai.engine._admin_statements`,
run by :mod:`zhenggai.engine._raw`) under the same discipline; the schema migrations use a
SQLAlchemy connection (:meth:`Store.write`), reads one each (:meth:`Store.read`).

Dialect differences are probed once into :class:`Dialect` flags, not tested in queries.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, event
from sqlalchemy import Engine as SAEngine
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from ._raw import Tx
from .errors import StorageError, ZhenggaiError

__all__ = ["Dialect", "Store", "database_url"]

BUSY_TIMEOUT_MS = 30_000
_WRITE = "zhenggai_write"
#: SQLite's ``synchronous`` setting by durability: ``full`` syncs the WAL at every commit (a
#: commit survives an OS crash or power loss); ``normal`` only at checkpoints (the last commits
#: may be lost then; the database stays consistent either way).
DURABILITY = {"full": "FULL", "normal": "NORMAL"}
#: The durability each SQLite engine was opened with (a host's own engine gets the default).
_SYNCHRONOUS: weakref.WeakKeyDictionary[SAEngine, str] = weakref.WeakKeyDictionary()


def database_url(db: str | os.PathLike[str]) -> str:
    """A SQLAlchemy URL from a URL or a plain file path (``zhenggai.db`` → SQLite file)."""
    text = os.fspath(db)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


@dataclass(frozen=True, slots=True)
class Dialect:
    """What differs between the databases, probed once."""

    name: str
    for_update: bool  # SELECT … FOR UPDATE is meaningful (row locks)
    returning: bool  # INSERT … RETURNING is supported
    read_isolation: str | None  # isolation level that gives a read transaction one snapshot


class Store:
    """One SQLAlchemy engine plus the transaction discipline zhenggai needs."""

    def __init__(self, db: str | os.PathLike[str] | SAEngine, *, durability: str = "full") -> None:
        if durability not in DURABILITY:
            raise StorageError(f"未知的持久性设置 {durability!r} (可用: {', '.join(DURABILITY)})")
        self.synchronous = DURABILITY[durability]
        if isinstance(db, SAEngine):
            self.engine = db
            self.owns_engine = False
        else:
            url = make_url(database_url(db))
            if url.get_backend_name() == "postgresql" and url.get_driver_name() in ("", "postgresql"):
                url = url.set(drivername="postgresql+psycopg")
            kwargs: dict[str, Any] = {}
            if url.get_backend_name() == "sqlite":
                kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
            try:
                self.engine = create_engine(url, **kwargs)
            except (sa_exc.ArgumentError, ImportError) as err:
                raise StorageError(
                    f"无法打开数据库 {url.render_as_string(hide_password=True)}: {err}"
                ) from err
            self.owns_engine = True
        name = self.engine.dialect.name
        self.dialect = Dialect(
            name=name,
            for_update=name != "sqlite",
            returning=bool(getattr(self.engine.dialect, "insert_returning", False)),
            # SQLite: a read transaction in WAL mode already keeps its snapshot.
            read_isolation="REPEATABLE READ" if name == "postgresql" else None,
        )
        if name == "sqlite":
            _SYNCHRONOUS[self.engine] = self.synchronous
            _install_sqlite_discipline(self.engine)

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction (``BEGIN IMMEDIATE`` on SQLite); commits or rolls back whole."""
        with translate_errors(), self.engine.connect() as conn:
            conn = conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A write transaction on the DBAPI cursor (``BEGIN IMMEDIATE`` on SQLite; READ
        COMMITTED on PostgreSQL); commits on success, rolls back whole on any error, and turns
        driver errors into :class:`StorageError`."""
        dbapi_error = self.engine.dialect.loaded_dbapi.Error
        with translate_errors():
            pooled = self.engine.raw_connection()
        try:
            cursor = pooled.cursor()
            try:
                if self.dialect.name == "sqlite":
                    _sqlite_prepare(pooled.dbapi_connection, pooled.info, self.synchronous)
                    cursor.execute("BEGIN IMMEDIATE")
                yield Tx(cursor, self.dialect.name)
                pooled.commit()
            except BaseException:
                pooled.rollback()
                raise
            finally:
                cursor.close()
        except dbapi_error as err:
            raise StorageError(_detail(err)) from err
        finally:
            pooled.close()

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction: one consistent snapshot for everything read inside it."""
        with translate_errors(), self.engine.connect() as conn:
            if self.dialect.read_isolation is not None:
                conn = conn.execution_options(isolation_level=self.dialect.read_isolation)
            with conn.begin():
                yield conn

    def scrub(self, tables: Sequence[str]) -> bool:
        """After values in ``tables`` were overwritten or cleared (reporter identities rekeyed):
        rewrite the storage so the old values are not left readable in the database's files.

        SQLite: ``VACUUM`` (every page written afresh, so no free page or slack space keeps old
        bytes; ``PRAGMA secure_delete`` alone leaves them in pages an update rebalanced), then a
        WAL checkpoint that truncates the ``-wal`` file. PostgreSQL: ``VACUUM FULL`` of
        ``tables`` (a new table file; the server's WAL and backups age out by the operator's
        retention). False when it could not complete (another connection held it up, or the
        database user may not vacuum): the operator runs it later."""
        if self.dialect.name == "sqlite":
            pooled = self.engine.raw_connection()
            try:
                _sqlite_prepare(pooled.dbapi_connection, pooled.info, self.synchronous)
                cursor = pooled.cursor()
                try:
                    cursor.execute("VACUUM")
                    busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                finally:
                    cursor.close()
            except sqlite3.Error:
                return False
            finally:
                pooled.close()
            return busy is None or busy[0] == 0
        if self.dialect.name == "postgresql":
            try:
                with self.engine.connect() as conn:
                    conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                    for table in tables:
                        conn.exec_driver_sql(
                            f"VACUUM FULL {self.engine.dialect.identifier_preparer.quote(table)}"
                        )
            except sa_exc.SQLAlchemyError:
                return False
            return True
        return False

    def dispose(self) -> None:
        if self.owns_engine:
            self.engine.dispose()


@contextlib.contextmanager
def translate_errors() -> Iterator[None]:
    """Turn SQLAlchemy and driver errors (also those the SQLite connection set-up raises before
    SQLAlchemy sees them) into one :class:`StorageError` line (ours pass through)."""
    try:
        yield
    except ZhenggaiError:
        raise
    except sa_exc.SQLAlchemyError as err:
        raise StorageError(_detail(getattr(err, "orig", None) or err)) from err
    except sqlite3.Error as err:
        raise StorageError(_detail(err)) from err


def _detail(err: BaseException) -> str:
    """A driver error as one line, with what an operator can do about the usual ones."""
    text = (str(err).strip().splitlines() or [type(err).__name__])[0]
    lowered = text.lower()
    if "readonly" in lowered or "read-only" in lowered or "unable to open database file" in lowered:
        return f"{text} (数据库文件或其所在目录不可写: 请检查权限和磁盘挂载; SQLite 的 WAL 模式读取也需在同一目录建立 -shm 文件)"
    if "disk i/o error" in lowered or "database or disk is full" in lowered or "no space" in lowered:
        return f"{text} (磁盘读写失败或已满: 请检查磁盘空间和设备)"
    return text


def _install_sqlite_discipline(engine: SAEngine) -> None:
    if event.contains(engine, "begin", _sqlite_begin):
        return
    event.listen(engine, "begin", _sqlite_begin)


def _sqlite_begin(conn: Connection) -> None:
    _sqlite_prepare(
        conn.connection.dbapi_connection, conn.connection.info, _SYNCHRONOUS.get(conn.engine, "FULL")
    )
    if conn.get_execution_options().get(_WRITE):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def _sqlite_prepare(dbapi: Any, info: dict[Any, Any], synchronous: str) -> None:
    """Once per DBAPI connection: our own BEGINs, foreign keys, busy timeout, WAL, durability."""
    if not info.get("zhenggai_ready"):
        # pysqlite must not open transactions by itself; we say BEGIN explicitly below.
        dbapi.isolation_level = None
        cursor = dbapi.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "memory":
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()
        info["zhenggai_ready"] = True
