"""Messages vouched for by the audit event of their transaction

Revision ID: 0012_audit_binding
Revises: 0011_reporter_sealed
Create Date: 2026-12-07

Step 8: each outbox row records ``audit_seq``, the ``seq`` of the audit event (of its campaign)
written in the same transaction, whose hashed data holds the digest of the rows it queued, so
``zhenggai audit verify`` finds an edited, inserted or deleted message. Rows queued before this
revision have none.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_audit_binding"
down_revision = "0011_reporter_sealed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("zg_outbox") as batch:
        batch.add_column(sa.Column("audit_seq", sa.Integer(), nullable=True))
        batch.create_index("ix_zg_outbox_audit", ["campaign_id", "audit_seq"])


def downgrade() -> None:
    with op.batch_alter_table("zg_outbox") as batch:
        batch.drop_index("ix_zg_outbox_audit")
        batch.drop_column("audit_seq")
