"""期数: each numbered document a campaign issues (工作进展通报 第N期 …)

Revision ID: 0014_issues
Revises: 0013_item_numbers
Create Date: 2026-12-07

Step 9: a document of a numbered kind gets its 期数 once per campaign, kind and as-of day, so
rendering it again gives the same number; the next number comes from ``zg_serial``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_issues"
down_revision = "0013_item_numbers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zg_issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "kind", "number"),
        sa.UniqueConstraint("campaign_id", "kind", "as_of"),
    )


def downgrade() -> None:
    op.drop_table("zg_issue")
