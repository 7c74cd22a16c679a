"""回头看 as work: the review tasks each draw creates for its reviewers, and what they found

Revision ID: 0018_review_tasks
Revises: 0017_transfer
Create Date: 2026-12-07

Step 11 (issue 16).
"""

from __future__ import annotations

revision = "0018_review_tasks"
down_revision = "0017_transfer"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
