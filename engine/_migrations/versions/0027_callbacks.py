"""回访/满意度: callbacks to the reporter after 销号

Revision ID: 0027_callbacks
Revises: 0026_attachments
Create Date: 2026-12-07

Step 12 (issue 17): ``zg_callback``, one 回访 task per 销号 of an item with a reporter, for the
reporter's custodian role, due a few working days later; its result (satisfied /
basically_satisfied / unsatisfied), note, who recorded it and when, whether late, and its
ladder light and level.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027_callbacks"
down_revision = "0026_attachments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zg_callback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("result", sa.String(length=30), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("light", sa.String(length=10), nullable=False),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("done_by", sa.String(length=100), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["zg_item.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["zg_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_zg_callback_campaign", "zg_callback", ["campaign_id", "state"])
    op.create_index("ix_zg_callback_item", "zg_callback", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_zg_callback_item", table_name="zg_callback")
    op.drop_index("ix_zg_callback_campaign", table_name="zg_callback")
    op.drop_table("zg_callback")
