"""The 关联研判 title n-gram index (issue 19, point 1)

Revision ID: 0034_title_grams
Revises: 0033_query_indexes
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0034_title_grams"
down_revision = "0033_query_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
