"""baseline: campaign, units, tracks, contacts, items, reporters, measures, audit, outbox, steps

Revision ID: 0001_baseline
Revises: (none)
Create Date: 2026-11-25

The first schema. Later steps add revisions; this file is never edited, so existing
databases upgrade in place.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zg_campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("county", sa.String(length=100), nullable=False),
        sa.Column("definition_id", sa.String(length=100), nullable=False),
        sa.Column("definition_version", sa.String(length=40), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("lifecycle_json", sa.Text(), nullable=False),
        sa.Column("roles_json", sa.Text(), nullable=False),
        sa.Column("channels_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "zg_audit_head",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.PrimaryKeyConstraint("campaign_id"),
    )
    op.create_table(
        "zg_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("step_key", sa.String(length=120), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subject_kind", "subject_id", "step_key"),
    )
    with op.batch_alter_table("zg_step", schema=None) as batch_op:
        batch_op.create_index("ix_zg_step_due", ["status", "due_at"], unique=False)

    op.create_table(
        "zg_track",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit_keys_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "key"),
    )
    with op.batch_alter_table("zg_track", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zg_track_campaign_id"), ["campaign_id"], unique=False)

    op.create_table(
        "zg_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "key"),
    )
    with op.batch_alter_table("zg_unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zg_unit_campaign_id"), ["campaign_id"], unique=False)

    op.create_table(
        "zg_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("mobile", sa.String(length=40), nullable=True),
        sa.Column("channels", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["zg_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("zg_contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zg_contact_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "zg_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("track", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=40), nullable=False),
        sa.Column("responsible_unit_id", sa.Integer(), nullable=True),
        sa.Column("leading_official", sa.String(length=100), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("light", sa.String(length=10), nullable=False),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("dismiss_reason", sa.Text(), nullable=True),
        sa.Column("last_finding", sa.Text(), nullable=True),
        sa.Column("has_reporter", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.Column("closed_by_unit", sa.String(length=100), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.ForeignKeyConstraint(["merged_into_id"], ["zg_item.id"]),
        sa.ForeignKeyConstraint(["responsible_unit_id"], ["zg_unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("zg_item", schema=None) as batch_op:
        batch_op.create_index("ix_zg_item_campaign_state", ["campaign_id", "state"], unique=False)
        batch_op.create_index("ix_zg_item_unit", ["responsible_unit_id"], unique=False)

    op.create_table(
        "zg_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("trigger", sa.String(length=60), nullable=False),
        sa.Column("from_state", sa.String(length=40), nullable=True),
        sa.Column("to_state", sa.String(length=40), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=60), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["zg_item.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "seq"),
    )
    with op.batch_alter_table("zg_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zg_event_item_id"), ["item_id"], unique=False)

    op.create_table(
        "zg_item_reporter",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("contact", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["zg_item.id"]),
        sa.PrimaryKeyConstraint("item_id"),
    )
    op.create_table(
        "zg_measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["zg_item.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("zg_measure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zg_measure_item_id"), ["item_id"], unique=False)

    op.create_table(
        "zg_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=300), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["zg_campaign.id"]),
        sa.ForeignKeyConstraint(["contact_id"], ["zg_contact.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["zg_item.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    with op.batch_alter_table("zg_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_zg_outbox_due", ["status", "next_try_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("zg_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_zg_outbox_due")

    op.drop_table("zg_outbox")
    with op.batch_alter_table("zg_measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zg_measure_item_id"))

    op.drop_table("zg_measure")
    op.drop_table("zg_item_reporter")
    with op.batch_alter_table("zg_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zg_event_item_id"))

    op.drop_table("zg_event")
    with op.batch_alter_table("zg_item", schema=None) as batch_op:
        batch_op.drop_index("ix_zg_item_unit")
        batch_op.drop_index("ix_zg_item_campaign_state")

    op.drop_table("zg_item")
    with op.batch_alter_table("zg_contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zg_contact_unit_id"))

    op.drop_table("zg_contact")
    with op.batch_alter_table("zg_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zg_unit_campaign_id"))

    op.drop_table("zg_unit")
    with op.batch_alter_table("zg_track", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zg_track_campaign_id"))

    op.drop_table("zg_track")
    with op.batch_alter_table("zg_step", schema=None) as batch_op:
        batch_op.drop_index("ix_zg_step_due")

    op.drop_table("zg_step")
    op.drop_table("zg_audit_head")
    op.drop_table("zg_campaign")
