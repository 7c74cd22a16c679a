"""问题编号: a stable campaign-level number for every item; counters per campaign and kind

Revision ID: 0013_item_numbers
Revises: 0012_audit_binding
Create Date: 2026-12-07

Step 9: ``zg_item.number`` (e.g. ``ZG-2023-0001``) is given when the item is reported, unique
within its campaign, searchable; items reported before this revision get theirs here, in id
order. ``zg_serial`` holds the last number given per campaign and kind (items, and each kind of
numbered document), taken under the row's lock.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0013_item_numbers"
down_revision = "0012_audit_binding"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zg_serial",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.PrimaryKeyConstraint("campaign_id", "kind"),
    )
    with op.batch_alter_table("zg_item") as batch:
        batch.add_column(sa.Column("number", sa.String(length=40), nullable=True))
        batch.create_index("ix_zg_item_number", ["campaign_id", "number"], unique=True)
    # Items reported before: numbered in id order, the year the campaign starts (its stored
    # definition's ``start``, else the year it was created), as new items will be.
    conn = op.get_bind()
    campaigns = conn.execute(sa.text("SELECT id, definition_json, created_at FROM zg_campaign")).fetchall()
    for cid, definition, created in campaigns:
        year = _start_year(definition, created)
        ids = [
            r[0]
            for r in conn.execute(
                sa.text("SELECT id FROM zg_item WHERE campaign_id = :cid ORDER BY id"), {"cid": cid}
            )
        ]
        for n, item_id in enumerate(ids, start=1):
            conn.execute(
                sa.text("UPDATE zg_item SET number = :number WHERE id = :id"),
                {"number": f"ZG-{year}-{n:04d}", "id": item_id},
            )
        if ids:
            conn.execute(
                sa.text("INSERT INTO zg_serial (campaign_id, kind, last) VALUES (:cid, 'item', :n)"),
                {"cid": cid, "n": len(ids)},
            )


def _start_year(definition: str | None, created: object) -> int:
    try:
        return int(str(json.loads(definition or "{}")["start"])[:4])
    except (KeyError, ValueError, TypeError):
        return int(str(created)[:4])


def downgrade() -> None:
    with op.batch_alter_table("zg_item") as batch:
        batch.drop_index("ix_zg_item_number")
        batch.drop_column("number")
    op.drop_table("zg_serial")
