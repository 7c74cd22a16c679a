"""考核/红黄牌: unit scoring and card notices

Revision ID: 0028_scores
Revises: 0027_callbacks
Create Date: 2026-12-07

Step 12 (issue 17): ``zg_score``, one row per campaign, unit and month (``YYYY-MM``): the
month's total, the card it earned (yellow / red or none) and each term's count and points as
JSON, with when it was computed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028_scores"
down_revision = "0027_callbacks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zg_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("card", sa.String(length=10), nullable=True),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["zg_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "unit_id", "month"),
    )


def downgrade() -> None:
    op.drop_table("zg_score")
