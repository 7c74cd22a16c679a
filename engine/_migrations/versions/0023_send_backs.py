"""退单: send-backs within a limit, and the office's 审定

Revision ID: 0023_send_backs
Revises: 0022_extensions
Create Date: 2026-12-07

Step 12 (issue 17).
"""

from __future__ import annotations

revision = "0023_send_backs"
down_revision = "0022_extensions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
