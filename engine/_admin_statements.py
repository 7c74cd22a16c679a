"""The statements of the administrative write paths, compiled once per dialect.

:mod:`._statements` holds the hot paths' (items, steps, the outbox, the audit chain); this module
the rest that writes: moving a campaign to a new definition version, the roster (通讯录), the
outcomes (五个一批: outcomes, mechanisms, practices), re-sealing reporters and the daemons'
heartbeats. They run the same way, as :class:`~._raw.Prepared` text on a :class:`~._raw.Tx`
(:meth:`~.store.Store.transaction`), the reads inside those transactions included. An ``IN``
list is never bound: ids are checked one at a time with a single-row select, rows inserted
with :meth:`~._raw.Tx.run_many`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, func, literal, null, select, update
from sqlalchemy.engine import Dialect as SADialect

from . import models as m
from ._raw import Prepared, Row
from ._rows import ContactRow, MechanismRow, PracticeRow
from ._sealing import IDENTITY_FIELDS
from ._statements import (
    CAMPAIGN,
    CONTACT,
    HEARTBEAT,
    ITEM,
    MEASURE,
    REPORTER,
    REVIEW,
    STEP,
    TRACK,
    UNIT,
    _insert,
)

__all__ = [
    "ACCOUNTABILITY",
    "ATTACHMENT",
    "BLOB",
    "CALLBACK",
    "COMMITMENT",
    "EDUCATION",
    "EDUCATION_CASE",
    "INSTRUCTION",
    "MECHANISM",
    "MECHANISM_ITEM",
    "OUTCOME",
    "OUTCOME_MECHANISM",
    "PART",
    "PRACTICE",
    "SEND_BACK",
    "STRANDED_COLUMNS",
    "AdminStatements",
]

OUTCOME = m.Outcome.__table__
ACCOUNTABILITY = m.Accountability.__table__
MECHANISM = m.Mechanism.__table__
MECHANISM_ITEM = m.MechanismItem.__table__
OUTCOME_MECHANISM = m.OutcomeMechanism.__table__
PRACTICE = m.Practice.__table__
EDUCATION = m.Education.__table__
EDUCATION_CASE = m.EducationCase.__table__
COMMITMENT = m.Commitment.__table__
EXTENSION = m.Extension.__table__
SEND_BACK = m.SendBack.__table__
PART = m.ItemPart.__table__
ATTACHMENT = m.Attachment.__table__
BLOB = m.Blob.__table__
INSTRUCTION = m.Instruction.__table__
CALLBACK = m.Callback.__table__

#: The item columns ``migrate_campaign`` checks against the new version (each value still used).
STRANDED_COLUMNS = ("state", "track", "channel", "severity")


class AdminStatements:
    """The administrative write paths' statements, compiled once for one dialect."""

    def __init__(self, dialect: SADialect) -> None:
        def p(stmt: Any) -> Prepared[Any]:
            return Prepared(stmt, dialect)

        # migrate_campaign: the campaign row, its units and tracks as the new version has them.
        self.campaign_migrate = p(
            update(CAMPAIGN)
            .where(CAMPAIGN.c.id == bindparam("cid"))
            .values(
                {
                    c: bindparam(c)
                    for c in (
                        "definition_version",
                        "title",
                        "lifecycle_json",
                        "roles_json",
                        "channels_json",
                        "definition_json",
                    )
                }
            )
        )
        self.unit_update = p(
            update(UNIT)
            .where(UNIT.c.id == bindparam("id"))
            .values(name=bindparam("name"), kind=bindparam("kind"))
        )
        self.track_update = p(
            update(TRACK)
            .where(TRACK.c.campaign_id == bindparam("cid"), TRACK.c.key == bindparam("key"))
            .values(name=bindparam("name"), unit_keys_json=bindparam("unit_keys_json"))
        )
        # What the campaign's items use, per value of a column: how many, and the first of them.
        self.stranded: dict[str, Prepared[Row]] = {
            name: p(
                select(
                    ITEM.c[name].label("value"),
                    func.count().label("count"),
                    func.min(ITEM.c.id).label("first"),
                )
                .where(ITEM.c.campaign_id == bindparam("cid"))
                .group_by(ITEM.c[name])
                .order_by(ITEM.c[name])
            )
            for name in STRANDED_COLUMNS
        }
        self.stranded_units = p(
            select(
                ITEM.c.responsible_unit_id.label("value"),
                func.count().label("count"),
                func.min(ITEM.c.id).label("first"),
            )
            .where(ITEM.c.campaign_id == bindparam("cid"), ITEM.c.responsible_unit_id.is_not(None))
            .group_by(ITEM.c.responsible_unit_id)
        )
        # The roster's people (unit, name, role), removed ones included.
        self.roster_people = p(
            select(CONTACT.c.unit_id, CONTACT.c.name, CONTACT.c.role)
            .join(UNIT, UNIT.c.id == CONTACT.c.unit_id)
            .where(UNIT.c.campaign_id == bindparam("cid"))
        )

        # The roster (通讯录): one contact with its campaign, a new one, one removed.
        self.contact: Prepared[ContactRow] = p(
            select(CONTACT, UNIT.c.campaign_id)
            .join(UNIT, UNIT.c.id == CONTACT.c.unit_id)
            .where(CONTACT.c.id == bindparam("id"))
        )
        self.contact_insert = p(_insert(CONTACT, returning=True))
        self.contact_remove = p(
            update(CONTACT)
            .where(CONTACT.c.id == bindparam("id"))
            .values(removed_at=bindparam("removed_at"), updated_at=bindparam("updated_at"))
        )

        # 五个一批: an item's outcome replaced whole, the mechanisms it may link.
        self.outcome_exists = p(select(OUTCOME.c.item_id).where(OUTCOME.c.item_id == bindparam("item_id")))
        self.accountability_delete = p(
            delete(ACCOUNTABILITY).where(ACCOUNTABILITY.c.item_id == bindparam("item_id"))
        )
        self.outcome_mechanism_delete = p(
            delete(OUTCOME_MECHANISM).where(OUTCOME_MECHANISM.c.item_id == bindparam("item_id"))
        )
        self.outcome_delete = p(delete(OUTCOME).where(OUTCOME.c.item_id == bindparam("item_id")))
        self.outcome_insert = p(_insert(OUTCOME))
        self.accountability_insert = p(_insert(ACCOUNTABILITY))
        self.outcome_mechanism_insert = p(_insert(OUTCOME_MECHANISM))
        self.mechanism_of_campaign = p(
            select(MECHANISM.c.id).where(
                MECHANISM.c.id == bindparam("id"), MECHANISM.c.campaign_id == bindparam("cid")
            )
        )
        self.item_of_campaign = p(
            select(ITEM.c.id).where(ITEM.c.id == bindparam("id"), ITEM.c.campaign_id == bindparam("cid"))
        )
        # The mechanisms an item led to when they were registered (the outcome's own are written).
        self.item_mechanisms = p(
            select(MECHANISM_ITEM.c.mechanism_id)
            .join(MECHANISM, MECHANISM.c.id == MECHANISM_ITEM.c.mechanism_id)
            .where(
                MECHANISM_ITEM.c.item_id == bindparam("item_id"), MECHANISM.c.campaign_id == bindparam("cid")
            )
        )
        # A mechanism's items: given when it was registered, and linked by items' outcomes.
        self.mechanism_items = p(
            select(MECHANISM_ITEM.c.item_id).where(MECHANISM_ITEM.c.mechanism_id == bindparam("id"))
        )
        self.mechanism_outcome_items = p(
            select(OUTCOME_MECHANISM.c.item_id).where(OUTCOME_MECHANISM.c.mechanism_id == bindparam("id"))
        )
        self.mechanism: Prepared[MechanismRow] = p(select(MECHANISM).where(MECHANISM.c.id == bindparam("id")))
        self.mechanism_insert = p(_insert(MECHANISM, returning=True))
        self.mechanism_item_insert = p(_insert(MECHANISM_ITEM))
        mechanism_status: dict[str, Any] = {
            c: bindparam(c) for c in ("status", "date", "updated_by", "updated_at")
        }
        self.mechanism_update = p(
            update(MECHANISM).where(MECHANISM.c.id == bindparam("id")).values(mechanism_status)
        )
        self.mechanism_update_note = p(
            update(MECHANISM)
            .where(MECHANISM.c.id == bindparam("id"))
            .values({**mechanism_status, "note": bindparam("note")})
        )
        self.practice: Prepared[PracticeRow] = p(select(PRACTICE).where(PRACTICE.c.id == bindparam("id")))
        self.practice_insert = p(_insert(PRACTICE, returning=True))
        self.practice_select = p(
            update(PRACTICE)
            .where(PRACTICE.c.id == bindparam("id"))
            .values(
                selected=bindparam("selected"),
                selected_by=bindparam("selected_by"),
                selected_at=bindparam("selected_at"),
            )
        )

        # Reporters re-sealed under the current key (the plaintext identity columns cleared).
        self.reporters_of_campaign = p(
            select(REPORTER, ITEM.c.campaign_id)
            .join(ITEM, ITEM.c.id == REPORTER.c.item_id)
            .where(ITEM.c.campaign_id == bindparam("cid"))
            .order_by(REPORTER.c.item_id)
        )
        self.reporter_reseal = p(
            update(REPORTER)
            .where(REPORTER.c.item_id == bindparam("b_item_id"))
            .values(
                sealed=bindparam("b_sealed"),
                key_id=bindparam("b_key_id"),
                **dict.fromkeys(IDENTITY_FIELDS, null()),
            )
        )

        # The daemons' heartbeats (``zhenggai run``).
        # (Not the whole row: a float column has no result processor without the driver's type code.)
        self.heartbeat = p(
            select(HEARTBEAT.c.id, HEARTBEAT.c.sweeps, HEARTBEAT.c.fired).where(
                HEARTBEAT.c.name == bindparam("name")
            )
        )
        self.heartbeat_insert = p(_insert(HEARTBEAT))
        self.heartbeat_beat = p(
            update(HEARTBEAT)
            .where(HEARTBEAT.c.id == bindparam("id"))
            .values({c: bindparam(c) for c in ("beat_at", "stopped_at", "sweeps", "fired")})
        )

        # Registers of their own (issue 16): 警示教育 sessions with their cases, 践诺 commitments
        # (settled once: the update holds only while the commitment is still open).
        self.education_insert = p(_insert(EDUCATION, returning=True))
        self.education_case_insert = p(_insert(EDUCATION_CASE))
        self.commitment: Prepared[Row] = p(select(COMMITMENT).where(COMMITMENT.c.id == bindparam("id")))
        self.commitment_insert = p(_insert(COMMITMENT, returning=True))
        self.commitment_settle = p(
            update(COMMITMENT)
            .where(COMMITMENT.c.id == bindparam("id"), COMMITMENT.c.state == "open")
            .values(
                {c: bindparam(c) for c in ("state", "settled_on", "settle_note", "settled_by", "settled_at")}
            )
        )

        # 延期申请 (issue 17): one row per request; a decision holds only while the request is
        # still pending at the stage the decider saw (two approvers at once: one wins).
        self.extension: Prepared[Row] = p(select(EXTENSION).where(EXTENSION.c.id == bindparam("id")))
        self.extension_insert = p(_insert(EXTENSION, returning=True))
        self.extensions_of_item: Prepared[Row] = p(
            select(EXTENSION).where(EXTENSION.c.item_id == bindparam("item_id")).order_by(EXTENSION.c.id)
        )
        self.extension_decide = p(
            update(EXTENSION)
            .where(
                EXTENSION.c.id == bindparam("id"),
                EXTENSION.c.state == "pending",
                EXTENSION.c.stage == bindparam("w_stage"),
            )
            .values({c: bindparam(c) for c in ("state", "stage", "decided_by", "decided_at", "note")})
        )

        # 退单 (issue 17): a send-back, an item's send-backs, and the office's ruling (once: the
        # update holds only while the send-back is still open).
        self.send_back: Prepared[Row] = p(select(SEND_BACK).where(SEND_BACK.c.id == bindparam("id")))
        self.send_backs_of_item: Prepared[Row] = p(
            select(SEND_BACK).where(SEND_BACK.c.item_id == bindparam("item_id")).order_by(SEND_BACK.c.id)
        )
        self.send_back_insert = p(_insert(SEND_BACK, returning=True))
        self.send_back_rule = p(
            update(SEND_BACK)
            .where(SEND_BACK.c.id == bindparam("id"), SEND_BACK.c.state == "open")
            .values({c: bindparam(c) for c in ("state", "to_unit_id", "ruled_by", "ruled_at", "ruling_note")})
        )

        # 协办 (issue 17): a co-unit's part, an item's parts, its settling (once: the update
        # holds only while the part is still open), its light, its ladder steps and measures.
        self.part: Prepared[Row] = p(select(PART).where(PART.c.id == bindparam("id")))
        self.parts_of_item: Prepared[Row] = p(
            select(PART).where(PART.c.item_id == bindparam("item_id")).order_by(PART.c.id)
        )
        self.part_insert = p(_insert(PART, returning=True))
        self.part_settle = p(
            update(PART)
            .where(PART.c.id == bindparam("id"), PART.c.state == "open")
            .values(
                {c: bindparam(c) for c in ("state", "done_by", "done_at", "waived_by", "waived_at", "note")}
            )
        )
        self.part_light = p(update(PART).where(PART.c.id == bindparam("id")).values(light=bindparam("light")))
        self.part_steps: Prepared[Row] = p(
            select(STEP.c.id, STEP.c.step_key, STEP.c.status)
            .where(STEP.c.subject_kind == literal("part"), STEP.c.subject_id == bindparam("sid"))
            .order_by(STEP.c.id)
        )
        self.part_measures: Prepared[Row] = p(
            select(MEASURE).where(MEASURE.c.part_id == bindparam("part_id")).order_by(MEASURE.c.id)
        )
        # 佐证材料 (issue 17): an attachment, those of one subject, and the blobs of a definition
        # that keeps the bytes in the database (one row per content).
        self.attachment: Prepared[Row] = p(select(ATTACHMENT).where(ATTACHMENT.c.id == bindparam("id")))
        self.attachment_insert = p(_insert(ATTACHMENT, returning=True))
        self.attachments_of_subject: Prepared[Row] = p(
            select(ATTACHMENT.c.id)
            .where(
                ATTACHMENT.c.subject_kind == bindparam("kind"), ATTACHMENT.c.subject_id == bindparam("sid")
            )
            .order_by(ATTACHMENT.c.id)
        )
        self.blob_exists: Prepared[Row] = p(select(BLOB.c.sha256).where(BLOB.c.sha256 == bindparam("sha256")))
        self.blob_insert = p(_insert(BLOB, returning=False))
        self.blob_data: Prepared[Row] = p(select(BLOB.c.data).where(BLOB.c.sha256 == bindparam("sha256")))
        # 领导批示 (issue 17): an instruction recorded, an item's instructions.
        self.instruction_insert = p(_insert(INSTRUCTION, returning=True))
        self.instructions_of_item: Prepared[Row] = p(
            select(INSTRUCTION)
            .where(INSTRUCTION.c.item_id == bindparam("item_id"))
            .order_by(INSTRUCTION.c.id)
        )
        # 回访 (issue 17): a callback task, its result (once: the update holds only while the
        # task is still open), its ladder light, and its ladder steps.
        self.callback: Prepared[Row] = p(select(CALLBACK).where(CALLBACK.c.id == bindparam("id")))
        self.callback_insert = p(_insert(CALLBACK, returning=True))
        self.callback_done = p(
            update(CALLBACK)
            .where(CALLBACK.c.id == bindparam("id"), CALLBACK.c.state == "open")
            .values({c: bindparam(c) for c in ("state", "result", "note", "late", "done_by", "done_at")})
        )
        self.callback_level = p(
            update(CALLBACK)
            .where(CALLBACK.c.id == bindparam("id"))
            .values(light=bindparam("light"), escalation_level=bindparam("escalation_level"))
        )
        self.callback_steps: Prepared[Row] = p(
            select(STEP.c.id, STEP.c.step_key, STEP.c.status)
            .where(STEP.c.subject_kind == literal("callback"), STEP.c.subject_id == bindparam("sid"))
            .order_by(STEP.c.id)
        )
        self.reviews_of_item: Prepared[Row] = p(
            select(REVIEW.c.id, REVIEW.c.state, REVIEW.c.draw_day).where(
                REVIEW.c.item_id == bindparam("item_id")
            )
        )

        self._dialect = dialect
        self._contact_updates: dict[tuple[str, ...], Prepared[Row]] = {}

    def contact_update(self, columns: tuple[str, ...]) -> Prepared[Row]:
        """``UPDATE zg_contact SET <columns> WHERE id = :w_id``, one compiled statement per set
        of columns (each value bound as ``v_<column>``)."""
        stmt = self._contact_updates.get(columns)
        if stmt is None:
            stmt = Prepared(
                update(CONTACT)
                .where(CONTACT.c.id == bindparam("w_id"))
                .values({c: bindparam(f"v_{c}") for c in columns}),
                self._dialect,
            )
            self._contact_updates[columns] = stmt
        return stmt
