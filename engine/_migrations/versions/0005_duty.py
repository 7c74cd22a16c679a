"""unit duties (职责) and their occurrences

Revision ID: 0005_duty
Revises: 0004_heartbeat
Create Date: 2026-11-29

Step 3: every occurrence of a unit's duty (一报告四清单 by the end of inspection, the weekly
部门联动 report, …) is a row; its reminder and escalation steps are ``zg_step`` rows of subject
``duty``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_duty"
down_revision = "0004_heartbeat"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zg_duty",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("duty_key", sa.String(length=100), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("light", sa.String(length=10), nullable=False),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["zg_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "duty_key", "unit_id", "due"),
    )
    op.create_index("ix_zg_duty_unit", "zg_duty", ["unit_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_zg_duty_unit", table_name="zg_duty")
    op.drop_table("zg_duty")
