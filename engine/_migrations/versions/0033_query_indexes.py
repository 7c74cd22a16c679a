"""Indexes for the listing and report queries (issue 19)

Revision ID: 0033_query_indexes
Revises: 0032_title_grams
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0033_query_indexes"
down_revision = "0032_title_grams"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
