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


#: The foreign key of zg_item.leader_contact_id (PostgreSQL; SQLite keeps it inline).
FK = "fk_zg_item_leader_contact_id_zg_contact"


def upgrade() -> None:
    # Plain ALTER TABLE on both: a batch copy of zg_item on SQLite would drop a table other
    # tables reference (foreign keys are on).
    op.add_column("zg_contact", sa.Column("track", sa.String(length=100), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE zg_item ADD COLUMN leader_contact_id INTEGER REFERENCES zg_contact (id)")
    else:
        op.add_column("zg_item", sa.Column("leader_contact_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FK, "zg_item", "zg_contact", ["leader_contact_id"], ["id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE zg_item DROP COLUMN leader_contact_id")
    else:
        op.drop_constraint(FK, "zg_item", type_="foreignkey")
        op.drop_column("zg_item", "leader_contact_id")
    op.drop_column("zg_contact", "track")
