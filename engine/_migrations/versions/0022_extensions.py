"""延期申请: extension requests with their approval chain

Revision ID: 0022_extensions
Revises: 0021_research
Create Date: 2026-12-07

Step 12 (issue 17).
"""

from __future__ import annotations

revision = "0022_extensions"
down_revision = "0021_research"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
