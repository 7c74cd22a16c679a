"""退单: send-backs within a limit, and the office's 审定

Revision ID: 0023_send_backs
Revises: 0022_extensions
Create Date: 2026-12-07

Step 12 (issue 17): ``zg_send_back``, one row per send-back of an item by its responsible unit
(reason code, note, whether it stopped the deadline clock), open until the office rules
(``reassigned`` to ``to_unit_id`` or ``insisted``, by whom, when, with a note).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_send_backs"
down_revision = "0022_extensions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zg_send_back",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("clock_stopped", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("to_unit_id", sa.Integer(), nullable=True),
        sa.Column("ruled_by", sa.String(length=100), nullable=True),
        sa.Column("ruled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ruling_note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["zg_item.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["zg_unit.id"]),
        sa.ForeignKeyConstraint(["to_unit_id"], ["zg_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_zg_send_back_campaign", "zg_send_back", ["campaign_id", "state"])
    op.create_index("ix_zg_send_back_item", "zg_send_back", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_zg_send_back_item", table_name="zg_send_back")
    op.drop_index("ix_zg_send_back_campaign", table_name="zg_send_back")
    op.drop_table("zg_send_back")
