"""What each audit event is about: ``zg_event.subject_kind`` and ``subject_id``, indexed

Revision ID: 0015_event_subject
Revises: 0014_issues
Create Date: 2026-12-07

Step 10: every subject's history (an item, a document, a duty occurrence, a contact, a
mechanism, a practice, or the campaign itself) is one indexed query instead of a scan of the
campaign's events. The subject is not new information: it follows from what the hash already
covers (the event's ``item_id``, or the id its data names, or the duty key, unit and due day its
data names), so ``audit verify`` re-derives it and reports a subject that does not match. Events
written before this revision get theirs here by the same rule (frozen in this file).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0015_event_subject"
down_revision = "0014_issues"
branch_labels = None
depends_on = None

#: Subject kinds an event names by id in its data.
DATA_SUBJECTS = ("document", "contact", "mechanism", "practice")


def upgrade() -> None:
    with op.batch_alter_table("zg_event") as batch:
        batch.add_column(sa.Column("subject_kind", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))
    conn = op.get_bind()
    for (cid,) in conn.execute(sa.text("SELECT id FROM zg_campaign ORDER BY id")).fetchall():
        duties = {
            (key, unit, str(due)): duty_id
            for duty_id, key, unit, due in conn.execute(
                sa.text(
                    "SELECT d.id, d.duty_key, u.key, d.due FROM zg_duty d JOIN zg_unit u ON u.id = d.unit_id"
                    " WHERE d.campaign_id = :cid"
                ),
                {"cid": cid},
            )
        }
        rows = conn.execute(
            sa.text("SELECT id, item_id, data FROM zg_event WHERE campaign_id = :cid"), {"cid": cid}
        ).fetchall()
        updates = []
        for event_id, item_id, data in rows:
            kind, sid = _subject(cid, item_id, _data(data), duties)
            updates.append({"k": kind, "s": sid, "i": event_id})
        if updates:
            conn.execute(
                sa.text("UPDATE zg_event SET subject_kind = :k, subject_id = :s WHERE id = :i"), updates
            )
    with op.batch_alter_table("zg_event") as batch:
        batch.alter_column("subject_kind", existing_type=sa.String(length=20), nullable=False)
        batch.alter_column("subject_id", existing_type=sa.Integer(), nullable=False)
        batch.create_index("ix_zg_event_subject", ["subject_kind", "subject_id", "seq"])


def _data(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _subject(
    cid: int, item_id: int | None, data: dict[str, Any], duties: dict[tuple[Any, Any, str], int]
) -> tuple[str, int]:
    if item_id is not None:
        return "item", item_id
    for kind in DATA_SUBJECTS:
        value = data.get(kind)
        if isinstance(value, int) and not isinstance(value, bool):
            return kind, value
    duty = duties.get((data.get("duty"), data.get("unit"), str(data.get("due"))))
    if duty is not None:
        return "duty", duty
    return "campaign", cid


def downgrade() -> None:
    with op.batch_alter_table("zg_event") as batch:
        batch.drop_index("ix_zg_event_subject")
        batch.drop_column("subject_id")
        batch.drop_column("subject_kind")
