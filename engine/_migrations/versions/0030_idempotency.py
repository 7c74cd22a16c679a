"""HTTP idempotency keys

Revision ID: 0030_idempotency
Revises: 0029_accounts
Create Date: 2026-12-07

Step 13 (issue 18): ``zg_idempotency``, the first answer to an API POST carrying an
``Idempotency-Key`` (per principal and key: the request's method, path and body hash, the
answer's status and body), so that a repeat gets the same answer and changes nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030_idempotency"
down_revision = "0029_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zg_idempotency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("principal", sa.String(length=60), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("principal", "key"),
    )
    op.create_index("ix_zg_idempotency_created", "zg_idempotency", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_zg_idempotency_created", table_name="zg_idempotency")
    op.drop_table("zg_idempotency")
