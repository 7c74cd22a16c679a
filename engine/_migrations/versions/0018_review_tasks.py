"""回头看 as work: the review tasks each draw creates for its reviewers, and what they found

Revision ID: 0018_review_tasks
Revises: 0017_transfer
Create Date: 2026-12-07

Step 11 (issue 16).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_review_tasks"
down_revision = "0017_transfer"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zg_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("draw_day", sa.Date(), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("finding", sa.Text(), nullable=True),
        sa.Column("light", sa.String(length=10), nullable=False),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("done_by", sa.String(length=100), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["zg_item.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "item_id", "draw_day"),
    )
    op.create_index("ix_zg_review_campaign", "zg_review", ["campaign_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_zg_review_campaign", table_name="zg_review")
    op.drop_table("zg_review")
