"""the deadline clock: what a due date was counted from, pauses, time in a state

Revision ID: 0006_clock
Revises: 0005_duty
Create Date: 2026-11-29

Step 3: an item whose due date the definition's rule gave keeps what it was counted from
(``due_from``, ``due_days``, ``due_count``), so a calendar change can recompute it
(``zhenggai campaign recompute``); a paused clock (暂停计时) keeps when it stopped and the
working days it had left (``paused_at``, ``paused_days``); ``state_since`` is when the item
entered its state, from which timed transitions count (existing items: their last change).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_clock"
down_revision = "0005_duty"
branch_labels = None
depends_on = None

COLUMNS = ("due_from", "due_days", "due_count", "paused_at", "paused_days", "state_since")


def upgrade() -> None:
    op.add_column("zg_item", sa.Column("due_from", sa.Date(), nullable=True))
    op.add_column("zg_item", sa.Column("due_days", sa.Integer(), nullable=True))
    op.add_column("zg_item", sa.Column("due_count", sa.String(length=10), nullable=True))
    op.add_column("zg_item", sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("zg_item", sa.Column("paused_days", sa.Integer(), nullable=True))
    op.add_column("zg_item", sa.Column("state_since", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE zg_item SET state_since = updated_at")


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (see 0002): batch mode would copy zg_item on SQLite.
    for column in reversed(COLUMNS):
        op.execute(f"ALTER TABLE zg_item DROP COLUMN {column}")
