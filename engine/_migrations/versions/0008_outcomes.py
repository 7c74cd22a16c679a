"""the plan's outcomes: accountability, root causes, published cases, mechanisms, practices

Revision ID: 0008_outcomes
Revises: 0007_reports
Create Date: 2026-11-30

Step 6: what came of a closed or dismissed item (``zg_outcome``: the root cause; who recorded
it), the people held accountable (``zg_accountability``: personal data, read only through the
engine by the roles the definition allows, never in audit event data), the long-term
mechanisms (长效机制, ``zg_mechanism``) with the items that led to them (``zg_mechanism_item``)
and those an outcome links (``zg_outcome_mechanism``), the good practices units submit
(典型做法和创新案例, ``zg_practice``), and where and when a typical case was published
(``case_published_at``, ``case_published_where`` on ``zg_item``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_outcomes"
down_revision = "0007_reports"
branch_labels = None
depends_on = None

COLUMNS = ("case_published_at", "case_published_where")


def upgrade() -> None:
    op.add_column("zg_item", sa.Column("case_published_at", sa.Date(), nullable=True))
    op.add_column("zg_item", sa.Column("case_published_where", sa.String(length=200), nullable=True))
    op.create_table(
        "zg_outcome",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("root_cause", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["zg_item.id"]),
        sa.PrimaryKeyConstraint("item_id"),
    )
    op.create_table(
        "zg_accountability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=100), nullable=False),
        sa.Column("position", sa.String(length=100), nullable=True),
        sa.Column("outcome", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["zg_item.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_zg_accountability_item", "zg_accountability", ["item_id"])
    op.create_table(
        "zg_mechanism",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("track", sa.String(length=100), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["zg_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_zg_mechanism_campaign", "zg_mechanism", ["campaign_id", "unit_id"])
    op.create_table(
        "zg_mechanism_item",
        sa.Column("mechanism_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["mechanism_id"], ["zg_mechanism.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["zg_item.id"]),
        sa.PrimaryKeyConstraint("mechanism_id", "item_id"),
    )
    op.create_table(
        "zg_outcome_mechanism",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("mechanism_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["zg_item.id"]),
        sa.ForeignKeyConstraint(["mechanism_id"], ["zg_mechanism.id"]),
        sa.PrimaryKeyConstraint("item_id", "mechanism_id"),
    )
    op.create_table(
        "zg_practice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("track", sa.String(length=100), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("submitted_by", sa.String(length=100), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("selected", sa.Boolean(), nullable=False),
        sa.Column("selected_by", sa.String(length=100), nullable=True),
        sa.Column("selected_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["zg_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_zg_practice_campaign", "zg_practice", ["campaign_id", "unit_id"])


def downgrade() -> None:
    op.drop_index("ix_zg_practice_campaign", table_name="zg_practice")
    op.drop_table("zg_practice")
    op.drop_table("zg_outcome_mechanism")
    op.drop_table("zg_mechanism_item")
    op.drop_index("ix_zg_mechanism_campaign", table_name="zg_mechanism")
    op.drop_table("zg_mechanism")
    op.drop_index("ix_zg_accountability_item", table_name="zg_accountability")
    op.drop_table("zg_accountability")
    op.drop_table("zg_outcome")
    # Plain ALTER TABLE … DROP COLUMN (see 0002): batch mode would copy zg_item on SQLite.
    for column in reversed(COLUMNS):
        op.execute(f"ALTER TABLE zg_item DROP COLUMN {column}")
