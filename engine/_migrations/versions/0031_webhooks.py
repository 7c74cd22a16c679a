"""Webhook subscriptions to county systems (filled in by the webhook work)

Revision ID: 0031_webhooks
Revises: 0030_idempotency
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0031_webhooks"
down_revision = "0030_idempotency"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
