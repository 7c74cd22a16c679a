"""The due-step order and batched sweeps (issue 19, point 3)

The sweep reads pending steps in order of ``due_at, id``, a batch at a time (``LIMIT``). The
partial index of pending steps held ``due_at`` alone, so PostgreSQL sorted every due row again
for each batch (an Incremental Sort over all 10,000 due rows for a batch of 200); it now holds
``due_at, id``, the query's order, and a batch reads only its own rows.

Revision ID: 0035_due_steps
Revises: 0033_query_indexes
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0035_due_steps"
down_revision = "0033_query_indexes"
branch_labels = None
depends_on = None

_PENDING = "status = 'pending'"


def upgrade() -> None:
    op.drop_index("ix_zg_step_pending_due", table_name="zg_step")
    op.create_index(
        "ix_zg_step_pending_due_id",
        "zg_step",
        ["due_at", "id"],
        sqlite_where=sa.text(_PENDING),
        postgresql_where=sa.text(_PENDING),
    )


def downgrade() -> None:
    op.drop_index("ix_zg_step_pending_due_id", table_name="zg_step")
    op.create_index(
        "ix_zg_step_pending_due",
        "zg_step",
        ["due_at"],
        sqlite_where=sa.text(_PENDING),
        postgresql_where=sa.text(_PENDING),
    )
