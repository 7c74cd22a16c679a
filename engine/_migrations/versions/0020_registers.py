"""Registers of their own: 警示教育 sessions and 践诺 commitments

Revision ID: 0020_registers
Revises: 0019_supervision_visits
Create Date: 2026-12-07

Step 11 (issue 16).
"""

from __future__ import annotations

revision = "0020_registers"
down_revision = "0019_supervision_visits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
