"""督查 as work: each draw's teams and units, and the visits the teams record

Revision ID: 0019_supervision_visits
Revises: 0018_review_tasks
Create Date: 2026-12-07

Step 11 (issue 16).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_supervision_visits"
down_revision = "0018_review_tasks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE (SQLite ≥ 3.35 adds and drops a column in place): no table copy, so the
    # outbox rows that reference contacts keep their foreign keys on a downgrade too.
    op.add_column("zg_contact", sa.Column("team", sa.Integer(), nullable=True))
    op.create_table(
        "zg_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("team", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("draw_day", sa.Date(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["zg_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_zg_visit_campaign", "zg_visit", ["campaign_id", "draw_day"])
    op.create_table(
        "zg_visit_finding",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["visit_id"], ["zg_visit.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["zg_item.id"]),
        sa.PrimaryKeyConstraint("visit_id", "item_id"),
    )


def downgrade() -> None:
    op.drop_table("zg_visit_finding")
    op.drop_index("ix_zg_visit_campaign", table_name="zg_visit")
    op.drop_table("zg_visit")
    op.drop_column("zg_contact", "team")
