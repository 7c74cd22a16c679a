"""Reserved for the 关联研判 title n-gram index (issue 19): ships empty, changes nothing

The index was built on a branch but not merged (no benchmark yet); when it lands, its table
comes in a new revision after 0033, so databases already at this one get it too.

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
