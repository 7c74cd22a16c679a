"""规范性文件清理: documents on a lifecycle of their own

Revision ID: 0009_documents
Revises: 0008_outcomes
Create Date: 2026-11-29

Step 6: each normative document a unit lists for re-study is a row of ``zg_document``, on the
definition's document lifecycle; its final state is the decision (保留 / 修订 / 废止) and
``decided_at`` its date. Its ladder steps are ``zg_step`` rows of subject ``document``; its
audit events carry its id in their data.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_documents"
down_revision = "0008_outcomes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zg_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("responsible_unit_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("doc_number", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("state_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("light", sa.String(length=10), nullable=False),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.ForeignKeyConstraint(["responsible_unit_id"], ["zg_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_zg_document_campaign", "zg_document", ["campaign_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_zg_document_campaign", table_name="zg_document")
    op.drop_table("zg_document")
