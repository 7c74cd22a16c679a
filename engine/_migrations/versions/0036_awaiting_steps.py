"""Steps waiting for the calendar (待日历) by index (issue 19, point 3)

Every sweep ends by asking which steps wait for a calendar year and are past their earliest
moment (``calendar_alerts``), and the sweep after a calendar change asks which subjects have
such steps. Both read ``status = 'awaiting_calendar'``, which no index held, so each sweep read
the whole step table: every step an item ever had (armed, fired, cancelled), growing with the
campaign, while the steps that wait are usually none. A partial index of the waiting steps,
by ``due_at``, makes both follow the answer.

Revision ID: 0036_awaiting_steps
Revises: 0035_due_steps
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0036_awaiting_steps"
down_revision = "0035_due_steps"
branch_labels = None
depends_on = None

_AWAITING = "status = 'awaiting_calendar'"


def upgrade() -> None:
    op.create_index(
        "ix_zg_step_awaiting_due",
        "zg_step",
        ["due_at"],
        sqlite_where=sa.text(_AWAITING),
        postgresql_where=sa.text(_AWAITING),
    )


def downgrade() -> None:
    op.drop_index("ix_zg_step_awaiting_due", table_name="zg_step")
