"""移送 and 领衔: an item that lands with the channel's transfer unit first (初核) and the decision of who leads an item

Revision ID: 0017_transfer
Revises: 0016_roster_scope
Create Date: 2026-12-07

Step 11 (issue 16).
"""

from __future__ import annotations

revision = "0017_transfer"
down_revision = "0016_roster_scope"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
