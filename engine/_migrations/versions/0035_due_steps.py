"""The due-step order and batched sweeps (issue 19, point 3)

Revision ID: 0035_due_steps
Revises: 0034_title_grams
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0035_due_steps"
down_revision = "0034_title_grams"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
