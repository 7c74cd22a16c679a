"""延期申请: extension requests with their approval chain

Revision ID: 0022_extensions
Revises: 0021_research
Create Date: 2026-12-07

Step 12 (issue 17): ``zg_extension``, one row per request: the item, the unit that asked, the
due date it had and the one asked for, reason and progress note, its state (pending / approved /
refused), how many approvers have approved so far (``stage``) and the decision that ended it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_extensions"
down_revision = "0021_research"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zg_extension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("old_due", sa.Date(), nullable=False),
        sa.Column("new_due", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("progress", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["zg_item.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["zg_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_zg_extension_campaign", "zg_extension", ["campaign_id", "state"])
    op.create_index("ix_zg_extension_item", "zg_extension", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_zg_extension_item", table_name="zg_extension")
    op.drop_index("ix_zg_extension_campaign", table_name="zg_extension")
    op.drop_table("zg_extension")
