"""佐证材料: evidence files, content-addressed

Revision ID: 0026_attachments
Revises: 0025_instructions
Create Date: 2026-12-07

Step 12 (issue 17). (Filled by the engineer who builds it.)
"""

from __future__ import annotations

revision = "0026_attachments"
down_revision = "0025_instructions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
