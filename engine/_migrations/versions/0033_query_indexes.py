"""Indexes for the listing and report queries (issue 19)

The items of a unit, a track or a light within a campaign, in id order: the ledger of one
unit, ``Engine.items`` by unit / track / light and the bulletins of one unit or track read
only their answer, not the campaign's whole table.

Revision ID: 0033_query_indexes
Revises: 0032_title_grams
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0033_query_indexes"
down_revision = "0032_title_grams"
branch_labels = None
depends_on = None

_INDEXES = (
    ("ix_zg_item_campaign_unit", ["campaign_id", "responsible_unit_id", "id"]),
    ("ix_zg_item_campaign_track", ["campaign_id", "track", "id"]),
    ("ix_zg_item_campaign_light", ["campaign_id", "light", "id"]),
)


def upgrade() -> None:
    for name, columns in _INDEXES:
        op.create_index(name, "zg_item", columns)


def downgrade() -> None:
    for name, _columns in reversed(_INDEXES):
        op.drop_index(name, table_name="zg_item")
