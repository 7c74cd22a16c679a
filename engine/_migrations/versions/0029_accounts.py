"""Sign-in: accounts, web sessions, API tokens and the access log

Revision ID: 0029_accounts
Revises: 0028_scores
Create Date: 2026-12-07

Step 13 (issue 18): ``zg_account`` (a person's sign-in, bound to a campaign's unit and roles,
argon2 hash), ``zg_web_session`` (a browser's session, stored by the SHA-256 of its cookie, with
its CSRF token and acting role), ``zg_api_token`` (a county system's token, stored by its
SHA-256, with its roles and units), ``zg_access_log`` (every sign-in, failure and account
change, append-only).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029_accounts"
down_revision = "0028_scores"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zg_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("unit_key", sa.String(length=100), nullable=True),
        sa.Column("roles", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("password_set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "zg_web_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["zg_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_zg_web_session_account", "zg_web_session", ["account_id"])
    op.create_table(
        "zg_api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("roles", sa.Text(), nullable=False),
        sa.Column("units", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "zg_access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("remote", sa.String(length=100), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_zg_access_log_at", "zg_access_log", ["at"])


def downgrade() -> None:
    op.drop_index("ix_zg_access_log_at", table_name="zg_access_log")
    op.drop_table("zg_access_log")
    op.drop_table("zg_api_token")
    op.drop_index("ix_zg_web_session_account", table_name="zg_web_session")
    op.drop_table("zg_web_session")
    op.drop_table("zg_account")
