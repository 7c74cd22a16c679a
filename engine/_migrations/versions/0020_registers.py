"""Registers of their own: 警示教育 sessions and 践诺 commitments

Revision ID: 0020_registers
Revises: 0019_supervision_visits
Create Date: 2026-12-07

Step 11 (issue 16): the 警示教育 sessions units hold (``zg_education``: unit, day held, topic,
attendees, the cases used as text and as the campaign's items in ``zg_education_case``), counted
in 五个一批 by attendees; the units' public commitments (践诺, ``zg_commitment``: text, due day,
open / kept / broken with the day settled and a note).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_registers"
down_revision = "0019_supervision_visits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zg_education",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("track", sa.String(length=100), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("attendees", sa.Integer(), nullable=False),
        sa.Column("cases", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["zg_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_zg_education_campaign", "zg_education", ["campaign_id", "unit_id"])
    op.create_table(
        "zg_education_case",
        sa.Column("education_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["education_id"], ["zg_education.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["zg_item.id"]),
        sa.PrimaryKeyConstraint("education_id", "item_id"),
    )
    op.create_table(
        "zg_commitment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("settle_note", sa.Text(), nullable=True),
        sa.Column("settled_by", sa.String(length=100), nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["zg_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_zg_commitment_campaign", "zg_commitment", ["campaign_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_zg_commitment_campaign", table_name="zg_commitment")
    op.drop_table("zg_commitment")
    op.drop_table("zg_education_case")
    op.drop_index("ix_zg_education_campaign", table_name="zg_education")
    op.drop_table("zg_education")
