"""the whole definition kept with the campaign

Revision ID: 0002_definition_json
Revises: 0001_baseline
Create Date: 2026-11-25

Step 2: a campaign keeps the complete definition it runs on (calendar, severities, deadlines,
ladders, duties, 回头看, supervision, notifications), not only its lifecycle, roles and
channels. Campaigns started before this revision have none (NULL); the engine then uses the
three standard severities, as it did before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_definition_json"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("zg_campaign", sa.Column("definition_json", sa.Text(), nullable=True))


def downgrade() -> None:
    # A plain ALTER TABLE … DROP COLUMN (SQLite 3.35+ and PostgreSQL): batch mode would copy
    # zg_campaign on SQLite, and dropping the old copy fails on the rows that reference it.
    op.execute("ALTER TABLE zg_campaign DROP COLUMN definition_json")
