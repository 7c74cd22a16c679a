"""移送 and 领衔: an item that lands with the channel's transfer unit first (初核) and the decision of who leads an item

Revision ID: 0017_transfer
Revises: 0016_roster_scope
Create Date: 2026-12-07

Step 11 (issue 16): ``zg_item.transfer_unit_id`` (the unit an item from a channel with
``transfer_to`` lands with first), ``transfer_due`` (its 初核 deadline), ``transfer_checked_at``
and ``transfer_checked_by`` (the 初核; NULL while pending). Items reported before this revision
were never transferred: all four stay NULL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_transfer"
down_revision = "0016_roster_scope"
branch_labels = None
depends_on = None


COLUMNS = ("transfer_unit_id", "transfer_due", "transfer_checked_at", "transfer_checked_by")


def upgrade() -> None:
    # Plain ADD COLUMN (see 0008): batch mode would copy zg_item on SQLite, which the tables
    # referring to it refuse. ``transfer_unit_id`` carries no foreign key for the same reason
    # (SQLite cannot drop a column that has one); the engine writes only its campaign's units.
    op.add_column("zg_item", sa.Column("transfer_unit_id", sa.Integer(), nullable=True))
    op.add_column("zg_item", sa.Column("transfer_due", sa.Date(), nullable=True))
    op.add_column("zg_item", sa.Column("transfer_checked_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("zg_item", sa.Column("transfer_checked_by", sa.String(length=100), nullable=True))


def downgrade() -> None:
    for column in reversed(COLUMNS):
        op.execute(f"ALTER TABLE zg_item DROP COLUMN {column}")
