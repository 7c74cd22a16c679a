"""Webhook subscriptions to county systems

Revision ID: 0031_webhooks
Revises: 0030_idempotency
Create Date: 2026-12-07

Step 13 (issue 18): ``zg_webhook``, a county system's subscription to a campaign's committed
audit events (by trigger), with the URL, the HMAC secret and the relay's cursor (the ``seq``
of the last audit event looked at).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0031_webhooks"
down_revision = "0030_idempotency"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zg_webhook",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("kinds", sa.Text(), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "name"),
    )


def downgrade() -> None:
    op.drop_table("zg_webhook")
