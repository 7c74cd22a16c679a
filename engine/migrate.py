"""Schema migrations (Alembic), run programmatically when an :class:`Engine` opens.

The baseline revision creates every table; later steps add revisions, never edit the
baseline, so existing databases upgrade in place.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util.exc import CommandError
from sqlalchemy import Connection, text

from .errors import StorageError
from .store import Store

__all__ = ["current_revision", "head_revision", "upgrade"]

_SCRIPTS = Path(__file__).with_name("_migrations")
_VERSION_TABLE = "zg_alembic_version"
_PG_LOCK_KEY = 0x7A68656E  # "zhen": serialises concurrent migrations on PostgreSQL


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    ctx = MigrationContext.configure(conn, opts={"version_table": _VERSION_TABLE})
    return ctx.get_current_revision()


def upgrade(store: Store, revision: str = "head") -> None:
    """Bring the schema to ``revision`` in one write transaction (a no-op when already there).

    A database whose revision this code does not know (made by a newer zhenggai) and any
    other Alembic failure raise :class:`StorageError`, not Alembic's own exceptions.
    """
    with store.write() as conn:
        if store.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        cfg = _config()
        scripts = ScriptDirectory.from_config(cfg)
        current = current_revision(conn)
        if current is not None and not _known(scripts, current):
            raise StorageError(
                f"数据库结构版本 {current} 不是本程序已知的版本 (可能由较新版本的 zhenggai 创建), "
                "请升级 zhenggai 后再打开"
            )
        if revision == "head" and current == scripts.get_current_head():
            return
        cfg.attributes["connection"] = conn
        try:
            command.upgrade(cfg, revision)
        except (CommandError, RevisionError) as err:
            raise StorageError(f"数据库结构迁移失败: {err}") from err


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    try:
        return scripts.get_revision(revision) is not None
    except (CommandError, RevisionError):
        return False
