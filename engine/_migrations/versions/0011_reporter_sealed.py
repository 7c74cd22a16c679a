"""Reporter identity sealed with a key kept outside the database

Revision ID: 0011_reporter_sealed
Revises: 0010_calendar_roster
Create Date: 2026-12-07

Step 8: a reporter's identity (举报人) is stored as ``sealed`` (AES-GCM ciphertext of the
identity, bound to its item) with the ``key_id`` of the key that sealed it; the key is named in
the operations configuration, never stored here. The plaintext columns stay for rows written
before this revision, until ``zhenggai reporter rekey`` seals them and clears the plaintext.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_reporter_sealed"
down_revision = "0010_calendar_roster"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("zg_item_reporter") as batch:
        batch.add_column(sa.Column("sealed", sa.Text(), nullable=True))
        batch.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("zg_item_reporter") as batch:
        batch.drop_column("key_id")
        batch.drop_column("sealed")
