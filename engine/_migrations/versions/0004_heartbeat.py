"""scheduler daemons' heartbeats

Revision ID: 0004_heartbeat
Revises: 0003_step_pending_index
Create Date: 2026-11-29

Step 3: ``zhenggai run`` records a heartbeat after every sweep, so ``zhenggai status`` can say
whether a daemon is alive and how far behind the oldest pending step is.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_heartbeat"
down_revision = "0003_step_pending_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zg_heartbeat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("host", sa.String(length=200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("interval", sa.Float(), nullable=False),
        sa.Column("sweeps", sa.Integer(), nullable=False),
        sa.Column("fired", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("zg_heartbeat")
