"""督查 as work: each draw's teams and units, and the visits the teams record

Revision ID: 0019_supervision_visits
Revises: 0018_review_tasks
Create Date: 2026-12-07

Step 11 (issue 16).
"""

from __future__ import annotations

revision = "0019_supervision_visits"
down_revision = "0018_review_tasks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
