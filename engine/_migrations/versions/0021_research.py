"""领衔调研: the leader's research of an item they lead, with its due date and report

Revision ID: 0021_research
Revises: 0020_registers
Create Date: 2026-12-08

Step 11 (issue 16): ``zg_item.research_due`` (when the 领衔领导's research is due, set by the
领衔 decision), ``research_done_at`` (when it was reported done; NULL while pending) and
``research_note`` (what it found: 问题原因、解决办法). Items led before this revision have no
research due: all three stay NULL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_research"
down_revision = "0020_registers"
branch_labels = None
depends_on = None


COLUMNS = ("research_due", "research_done_at", "research_note")


def upgrade() -> None:
    # Plain ADD COLUMN (see 0008 and 0017): batch mode would copy zg_item on SQLite.
    op.add_column("zg_item", sa.Column("research_due", sa.Date(), nullable=True))
    op.add_column("zg_item", sa.Column("research_done_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("zg_item", sa.Column("research_note", sa.Text(), nullable=True))


def downgrade() -> None:
    for column in reversed(COLUMNS):
        op.execute(f"ALTER TABLE zg_item DROP COLUMN {column}")
