"""典型案例 marking and 关联研判 flags

Revision ID: 0007_reports
Revises: 0006_clock
Create Date: 2026-11-29

Step 5: an item marked as a typical case (典型案例) keeps who marked it, when, and the note the
case bulletin prints (``case_note``, ``case_marked_at``, ``case_marked_by``); ``zg_duplicate``
holds the possible duplicates (关联研判) that reporting and importing flag for a person to judge:
merged or distinct, never merged by the engine.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_reports"
down_revision = "0006_clock"
branch_labels = None
depends_on = None

COLUMNS = ("case_note", "case_marked_at", "case_marked_by")


def upgrade() -> None:
    op.add_column("zg_item", sa.Column("case_note", sa.Text(), nullable=True))
    op.add_column("zg_item", sa.Column("case_marked_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("zg_item", sa.Column("case_marked_by", sa.String(length=100), nullable=True))
    op.create_table(
        "zg_duplicate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.Column("resolution", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["zg_item.id"]),
        sa.ForeignKeyConstraint(["other_id"], ["zg_item.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "other_id"),
    )
    op.create_index("ix_zg_duplicate_campaign", "zg_duplicate", ["campaign_id", "resolved_at"])


def downgrade() -> None:
    op.drop_index("ix_zg_duplicate_campaign", table_name="zg_duplicate")
    op.drop_table("zg_duplicate")
    for column in reversed(COLUMNS):
        op.execute(f"ALTER TABLE zg_item DROP COLUMN {column}")
