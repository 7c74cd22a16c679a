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


def upgrade() -> None:
    with op.batch_alter_table("zg_item") as batch:
        batch.add_column(sa.Column("transfer_unit_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("transfer_due", sa.Date(), nullable=True))
        batch.add_column(sa.Column("transfer_checked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("transfer_checked_by", sa.String(length=100), nullable=True))
        batch.create_foreign_key(
            "fk_zg_item_transfer_unit_id_zg_unit", "zg_unit", ["transfer_unit_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("zg_item") as batch:
        batch.drop_constraint("fk_zg_item_transfer_unit_id_zg_unit", type_="foreignkey")
        for column in ("transfer_checked_by", "transfer_checked_at", "transfer_due", "transfer_unit_id"):
            batch.drop_column(column)
