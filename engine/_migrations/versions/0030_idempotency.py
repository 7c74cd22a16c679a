"""HTTP idempotency keys (filled in by the API work)

Revision ID: 0030_idempotency
Revises: 0029_accounts
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0030_idempotency"
down_revision = "0029_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
