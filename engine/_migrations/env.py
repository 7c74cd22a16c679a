"""Alembic environment for zhenggai's own tables.

Run through :func:`zhenggai.engine.migrate.upgrade`, which hands over an open connection in
``config.attributes["connection"]``; the version table is ``zg_alembic_version`` so a host
system's own Alembic history in the same database is left alone.
"""

from __future__ import annotations

from alembic import context
from zhenggai.engine.models import metadata

VERSION_TABLE = "zg_alembic_version"

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when alembic is run by hand
    raise RuntimeError("run migrations through zhenggai.engine.migrate.upgrade()")

context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
