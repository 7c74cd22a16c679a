"""关联研判 title n-gram index (issue 19)

Revision ID: 0032_title_grams
Revises: 0031_webhooks
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0032_title_grams"
down_revision = "0031_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
