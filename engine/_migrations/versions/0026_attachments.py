"""佐证材料: evidence files, content-addressed

Revision ID: 0026_attachments
Revises: 0025_instructions
Create Date: 2026-12-07

Step 12 (issue 17): ``zg_attachment``, one row per file attached to a measure, a duty
occurrence, a verification, a 回头看 finding or a reporter (name, type decided by content, size,
SHA-256, who and when); ``zg_blob``, the bytes by SHA-256 when a definition keeps them in the
database (``attachments.store: database``; the default keeps them as files in a folder).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026_attachments"
down_revision = "0025_instructions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zg_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["zg_item.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["zg_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_zg_attachment_item", "zg_attachment", ["item_id"])
    op.create_index("ix_zg_attachment_unit", "zg_attachment", ["campaign_id", "unit_id"])
    op.create_index("ix_zg_attachment_subject", "zg_attachment", ["subject_kind", "subject_id"])
    op.create_table(
        "zg_blob",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )


def downgrade() -> None:
    op.drop_table("zg_blob")
    op.drop_index("ix_zg_attachment_subject", table_name="zg_attachment")
    op.drop_index("ix_zg_attachment_unit", table_name="zg_attachment")
    op.drop_index("ix_zg_attachment_item", table_name="zg_attachment")
    op.drop_table("zg_attachment")
