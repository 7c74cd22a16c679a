"""Who a role message concerns: a contact's track (the 组长 of one track group) and team (a 督查组 member), the item's 领衔领导 as a person, and 一把手

Revision ID: 0016_roster_scope
Revises: 0015_event_subject
Create Date: 2026-12-07

Step 11 (issue 16).
"""

from __future__ import annotations

revision = "0016_roster_scope"
down_revision = "0015_event_subject"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
