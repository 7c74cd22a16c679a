"""领导批示: leaders' instructions recorded on items

Revision ID: 0025_instructions
Revises: 0024_co_units
Create Date: 2026-12-07

Step 12 (issue 17): ``zg_instruction``, one row per leader's instruction on an item (the
leader's name and roster contact when known, the day given, the text, who recorded it, when).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025_instructions"
down_revision = "0024_co_units"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zg_instruction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("leader", sa.String(length=100), nullable=False),
        sa.Column("leader_contact_id", sa.Integer(), nullable=True),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["zg_item.id"]),
        sa.ForeignKeyConstraint(["leader_contact_id"], ["zg_contact.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_zg_instruction_campaign", "zg_instruction", ["campaign_id"])
    op.create_index("ix_zg_instruction_item", "zg_instruction", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_zg_instruction_item", table_name="zg_instruction")
    op.drop_index("ix_zg_instruction_campaign", table_name="zg_instruction")
    op.drop_table("zg_instruction")
