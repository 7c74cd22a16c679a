"""Schema migrations (Alembic), run programmatically when an :class:`Engine` opens.

The baseline revision creates every table; later steps add revisions, never edit the
baseline, so existing databases upgrade in place.

Alembic is imported only when a migration has to run: opening a database that is already at
:data:`HEAD_REVISION` reads one row and costs no Alembic import (the CLI starts faster).
A test keeps :data:`HEAD_REVISION` equal to the newest script's revision.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

from .errors import StorageError
from .store import Store

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

__all__ = ["HEAD_REVISION", "current_revision", "head_revision", "upgrade"]

#: The newest revision in ``_migrations/versions`` (bump it with every new revision).
HEAD_REVISION = "0036_awaiting_steps"

_SCRIPTS = Path(__file__).with_name("_migrations")
_VERSION_TABLE = "zg_alembic_version"
_PG_LOCK_KEY = 0x7A68656E  # "zhen": serialises concurrent migrations on PostgreSQL


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    return cfg


def head_revision() -> str:
    """The newest revision according to the migration scripts themselves."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    """The database's schema revision, or None for a database without zhenggai's tables."""
    if not inspect(conn).has_table(_VERSION_TABLE):
        return None
    return conn.execute(text(f"SELECT version_num FROM {_VERSION_TABLE}")).scalar()


def upgrade(
    store: Store, revision: str = "head", *, at_head: Callable[[Connection], None] | None = None
) -> None:
    """Bring the schema to ``revision`` in one write transaction (a no-op when already there).
    ``at_head`` is called with the connection of the read that found the schema at the head
    revision (one read for both: a short-lived process's first look at the data).

    A database whose revision this code does not know (made by a newer zhenggai) and any
    other Alembic failure raise :class:`StorageError`, not Alembic's own exceptions.
    """
    if revision == "head":
        # Already there (every command of a running county): a read, so a read-only database
        # still serves reads, and no write lock is taken for nothing.
        with store.read() as conn:
            if current_revision(conn) == HEAD_REVISION:
                if at_head is not None:
                    at_head(conn)
                return
    with store.write() as conn:
        if store.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        current = current_revision(conn)
        if revision == "head" and current == HEAD_REVISION:
            return
        from alembic import command
        from alembic.script import ScriptDirectory
        from alembic.script.revision import RevisionError
        from alembic.util.exc import CommandError

        cfg = _config()
        scripts = ScriptDirectory.from_config(cfg)
        if current is not None and not _known(scripts, current):
            raise StorageError(
                f"数据库结构版本 {current} 不是本程序已知的版本 (可能由较新版本的 zhenggai 创建), "
                "请升级 zhenggai 后再打开"
            )
        cfg.attributes["connection"] = conn
        try:
            command.upgrade(cfg, revision)
        except (CommandError, RevisionError) as err:
            raise StorageError(f"数据库结构迁移失败: {err}") from err


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    from alembic.script.revision import RevisionError
    from alembic.util.exc import CommandError

    try:
        return scripts.get_revision(revision) is not None
    except (CommandError, RevisionError):
        return False
