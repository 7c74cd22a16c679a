"""考核/红黄牌: unit scoring and card notices

Revision ID: 0028_scores
Revises: 0027_callbacks
Create Date: 2026-12-07

Step 12 (issue 17). (Filled by the engineer who builds it.)
"""

from __future__ import annotations

revision = "0028_scores"
down_revision = "0027_callbacks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
