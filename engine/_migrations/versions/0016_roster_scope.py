"""Who a role message concerns: a contact's track (the 组长 of one track group) and the item's 领衔领导 as a person

Revision ID: 0016_roster_scope
Revises: 0015_event_subject
Create Date: 2026-12-07

Step 11 (issue 16): ``zg_contact.track`` (the track whose working group a contact belongs
to; NULL: none) and ``zg_item.leader_contact_id`` (the roster person who leads the item,
领衔; the display ``leading_official`` keeps the name). Both NULL for existing rows, so the
audit digests of rows written before stay as they were.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_roster_scope"
down_revision = "0015_event_subject"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("zg_contact") as batch:
        batch.add_column(sa.Column("track", sa.String(length=100), nullable=True))
    with op.batch_alter_table("zg_item") as batch:
        batch.add_column(sa.Column("leader_contact_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_zg_item_leader_contact_id_zg_contact", "zg_contact", ["leader_contact_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("zg_item") as batch:
        batch.drop_constraint("fk_zg_item_leader_contact_id_zg_contact", type_="foreignkey")
        batch.drop_column("leader_contact_id")
    with op.batch_alter_table("zg_contact") as batch:
        batch.drop_column("track")
