"""Compact storage per item (issue 19, point 4)

Revision ID: 0036_compact_storage
Revises: 0035_due_steps
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0036_compact_storage"
down_revision = "0035_due_steps"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
