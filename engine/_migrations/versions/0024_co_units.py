"""主办/协办: an item's lead unit and co-units, each with its own part

Revision ID: 0024_co_units
Revises: 0023_send_backs
Create Date: 2026-12-07

Step 12 (issue 17). (Filled by the engineer who builds it.)
"""

from __future__ import annotations

revision = "0024_co_units"
down_revision = "0023_send_backs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
