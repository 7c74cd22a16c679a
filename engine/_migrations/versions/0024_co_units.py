"""主办/协办: an item's lead unit and co-units, each with its own part

Revision ID: 0024_co_units
Revises: 0023_send_backs
Create Date: 2026-12-07

Step 12 (issue 17): ``zg_item_part`` (a co-unit's part of an item: its text, due date, state
open / done / waived, who did or waived it and when, a note) and ``zg_measure.part_id`` (a
co-unit's measure of its part; NULL for every measure before this revision: the lead unit's).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024_co_units"
down_revision = "0023_send_backs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zg_item_part",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.Text(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("light", sa.String(length=10), nullable=False),
        sa.Column("done_by", sa.String(length=100), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("waived_by", sa.String(length=100), nullable=True),
        sa.Column("waived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["zg_item.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["zg_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_zg_item_part_campaign", "zg_item_part", ["campaign_id", "state"])
    op.create_index("ix_zg_item_part_item", "zg_item_part", ["item_id"])
    op.create_index("ix_zg_item_part_unit", "zg_item_part", ["unit_id"])
    op.add_column("zg_measure", sa.Column("part_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("zg_measure") as batch:
        batch.drop_column("part_id")
    op.drop_index("ix_zg_item_part_unit", table_name="zg_item_part")
    op.drop_index("ix_zg_item_part_item", table_name="zg_item_part")
    op.drop_index("ix_zg_item_part_campaign", table_name="zg_item_part")
    op.drop_table("zg_item_part")
