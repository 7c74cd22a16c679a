"""pending steps found by time through a partial index

Revision ID: 0003_step_pending_index
Revises: 0002_definition_json
Create Date: 2026-11-29

Step 3: the sweep asks for pending steps that are due; every transition that takes an item off
its ladder cancels that item's pending steps. ``ix_zg_step_due (status, due_at)`` served the
first but lured the second away from the unique (subject) index into scanning every pending
step. The new index covers pending rows only, by ``due_at``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_step_pending_index"
down_revision = "0002_definition_json"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_zg_step_due", table_name="zg_step")
    op.create_index(
        "ix_zg_step_pending_due",
        "zg_step",
        ["due_at"],
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_zg_step_pending_due", table_name="zg_step")
    op.create_index("ix_zg_step_due", "zg_step", ["status", "due_at"])
