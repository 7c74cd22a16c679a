"""Calendar years a county supplies; the roster (通讯录) as campaign data

Revision ID: 0010_calendar_roster
Revises: 0009_documents
Create Date: 2026-12-06

Step 7: a year's holiday notice loaded by an operator is a row of ``zg_calendar_year`` (rows
are never deleted: the newest row of a year is the one in force, older ones are its history).
Contacts gain what a county's 通讯录 holds beyond name, role, mobile and email: WeCom and
DingTalk ids, the days a contact is active, when it was added, changed and removed (a removed
contact stays, so the messages it was sent keep their recipient).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_calendar_roster"
down_revision = "0009_documents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zg_calendar_year",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("holidays_json", sa.Text(), nullable=False),
        sa.Column("workdays_json", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("notice", sa.String(length=200), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("replaces", sa.String(length=20), nullable=True),
        sa.Column("loaded_by", sa.String(length=100), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_zg_calendar_year_year", "zg_calendar_year", ["year"])
    with op.batch_alter_table("zg_contact") as batch:
        batch.add_column(sa.Column("wecom_id", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("dingtalk_id", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("active_from", sa.Date(), nullable=True))
        batch.add_column(sa.Column("active_to", sa.Date(), nullable=True))
        batch.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("zg_contact") as batch:
        for column in (
            "removed_at",
            "updated_at",
            "created_at",
            "active_to",
            "active_from",
            "dingtalk_id",
            "wecom_id",
        ):
            batch.drop_column(column)
    op.drop_index("ix_zg_calendar_year_year", table_name="zg_calendar_year")
    op.drop_table("zg_calendar_year")
