"""领导批示: leaders' instructions recorded on items

Revision ID: 0025_instructions
Revises: 0024_co_units
Create Date: 2026-12-07

Step 12 (issue 17). (Filled by the engineer who builds it.)
"""

from __future__ import annotations

revision = "0025_instructions"
down_revision = "0024_co_units"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
