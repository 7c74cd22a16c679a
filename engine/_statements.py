"""The statements of the hot write paths and the tables they run on, compiled once per dialect
(the administrative writes' are in :mod:`._admin_statements`).

SQLAlchemy Core defines each statement once, portable across SQLite and PostgreSQL;
:class:`Statements` compiles them for one dialect (:class:`~._raw.Prepared`), and the write
paths run the compiled text on the DBAPI cursor (:class:`~._raw.Tx`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, bindparam, case, func, insert, literal, literal_column, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect as SADialect
from sqlalchemy.sql.elements import BindParameter, ColumnClause

from . import models as m
from ._raw import Prepared, Row
from ._rows import DocumentRow, DutyRow, ItemRow, StepRow

__all__ = ["Statements"]

ITEM = m.Item.__table__
UNIT = m.Unit.__table__
TRACK = m.Track.__table__
CAMPAIGN = m.Campaign.__table__
CONTACT = m.Contact.__table__
MEASURE = m.Measure.__table__
EVENT = m.Event.__table__
HEAD = m.AuditHead.__table__
OUTBOX = m.Outbox.__table__
STEP = m.Step.__table__
HEARTBEAT = m.Heartbeat.__table__
DUTY = m.Duty.__table__
REPORTER = m.ItemReporter.__table__
SERIAL = m.Serial.__table__
ISSUE = m.Issue.__table__
DUPLICATE = m.DuplicateFlag.__table__
DOCUMENT = m.Document.__table__
REVIEW = m.Review.__table__
VISIT = m.Visit.__table__
VISIT_FINDING = m.VisitFinding.__table__

#: 关联研判 compares a new item with at most this many of the newest items of its track (and
#: unit), so reporting stays fast in a large campaign.
DUPLICATE_WINDOW = 500


#: A step whose day needs a year the calendar does not know yet (待日历): never claimed, armed
#: when the year is known (see ``_steps``).
AWAITING = "awaiting_calendar"
#: A step row still to act on: pending, or waiting for the calendar.
OPEN_STEP: tuple[ColumnClause[str], ColumnClause[str]] = (
    literal_column("'pending'"),
    literal_column(f"'{AWAITING}'"),
)

#: Subjects whose due steps one statement claims (``Statements.claim_many``): a sweep's batch.
CLAIM_WIDTH = 50
#: The first key of a subject's advisory lock on PostgreSQL (``claim_many``), by its kind; the
#: second is its id. In a range of their own ("ZG" and a number), apart from a host's locks.
#: Written out rather than derived from the sweep's kinds (``_sweep.SETTLE``, which a test keeps
#: in step): a kind's key must never change, or two daemons of different versions sweeping one
#: database during an upgrade would lock the same subject under different keys. A new kind
#: takes the next number at the end.
CLAIM_KEYS: Mapping[str, int] = {
    kind: 0x5A470000 + n
    for n, kind in enumerate(
        ("campaign", "item", "document", "duty", "review", "transfer", "research", "part", "callback")
    )
}

#: ``status = 'pending'`` written into the SQL, not bound, so the planner can match the partial
#: index on pending steps (PostgreSQL's generic plans cannot see a bound value).
PENDING: ColumnClause[str] = literal_column("'pending'")


def _insert(table: Any, returning: bool = False) -> Any:
    """INSERT of every column but the generated ``id``, each from a bind of its own name."""
    stmt = insert(table).values({c.name: bindparam(c.name) for c in table.c if c.name != "id"})
    return stmt.returning(table.c.id) if returning else stmt


class Statements:
    """The statements of the hot write paths, compiled once for one dialect."""

    def __init__(self, dialect: SADialect, *, row_locks: bool) -> None:
        def p(stmt: Any) -> Prepared[Any]:
            return Prepared(stmt, dialect)

        #: Where this engine's acts come from (the CLI: the operating-system user and host),
        #: recorded in every audit event it appends; None for a host's library use.
        self.origin: Mapping[str, str] | None = None

        # The item row, with its campaign's current definition version (for the campaign cache).
        item_by_id = (
            select(ITEM, CAMPAIGN.c.definition_version.label("campaign_version"))
            .join(CAMPAIGN, CAMPAIGN.c.id == ITEM.c.campaign_id)
            .where(ITEM.c.id == bindparam("id"))
        )
        head = select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.campaign_id == bindparam("cid"))
        self.item: Prepared[ItemRow] = p(item_by_id)
        # Another item a guard relies on (the survivor of a merge): share-locked where row
        # locks exist, so it cannot change between the guard's check and the commit.
        self.item_shared: Prepared[ItemRow] = (
            p(item_by_id.with_for_update(read=True, of=ITEM)) if row_locks else self.item
        )
        self.item_exists = p(select(ITEM.c.id).where(ITEM.c.id == bindparam("id")))
        self.item_version = p(select(ITEM.c.version).where(ITEM.c.id == bindparam("id")))
        self.item_insert = p(_insert(ITEM, returning=True))
        self.reporter_insert = p(_insert(REPORTER))
        self.reporter = p(select(REPORTER).where(REPORTER.c.item_id == bindparam("item_id")))
        self.head = p(head.with_for_update() if row_locks else head)
        self.head_insert = p(_insert(HEAD))
        self.head_update = p(
            update(HEAD)
            .where(HEAD.c.campaign_id == bindparam("cid"))
            .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
        )
        self.event_insert = p(_insert(EVENT, returning=True))
        # What an event vouches for (audit.py's ``bind``): read back as the database holds it.
        self.bind_item: Prepared[ItemRow] = p(select(ITEM).where(ITEM.c.id == bindparam("id")))
        self.bind_measures = p(
            select(MEASURE).where(MEASURE.c.item_id == bindparam("id")).order_by(MEASURE.c.id)
        )
        self.bind_document = p(select(DOCUMENT).where(DOCUMENT.c.id == bindparam("id")))
        self.bind_roster = p(
            select(CONTACT)
            .join(UNIT, UNIT.c.id == CONTACT.c.unit_id)
            .where(UNIT.c.campaign_id == bindparam("cid"))
            .order_by(CONTACT.c.id)
        )
        self.measure_counts = p(
            select(
                func.count(MEASURE.c.id).label("total"),
                func.count(MEASURE.c.id).filter(MEASURE.c.done_at.is_(None)).label("open"),
            ).where(MEASURE.c.item_id == bindparam("item_id"), MEASURE.c.part_id.is_(None))
        )
        self.measure = p(select(MEASURE).where(MEASURE.c.id == bindparam("id")))
        self.measure_insert = p(_insert(MEASURE, returning=True))
        self.measure_done = p(
            update(MEASURE)
            .where(MEASURE.c.id == bindparam("id"))
            .values(done_at=bindparam("done_at_v"), done_by=bindparam("done_by_v"))
        )
        # The roster (通讯录): only contacts not removed and active on ``day`` (the campaign's
        # local date of the message) receive anything.
        active = and_(
            CONTACT.c.removed_at.is_(None),
            or_(CONTACT.c.active_from.is_(None), CONTACT.c.active_from <= bindparam("day")),
            or_(CONTACT.c.active_to.is_(None), CONTACT.c.active_to >= bindparam("day")),
        )
        self.contacts_of_unit = p(
            select(CONTACT).where(CONTACT.c.unit_id == bindparam("unit_id"), active).order_by(CONTACT.c.id)
        )
        self.contacts_of_role = p(
            select(CONTACT)
            .join(UNIT, UNIT.c.id == CONTACT.c.unit_id)
            .where(UNIT.c.campaign_id == bindparam("cid"), CONTACT.c.role == bindparam("role"), active)
            .order_by(CONTACT.c.id)
        )
        # Who a role message concerns (:mod:`._concerns`): the role's contacts of one track's
        # group, of one unit, or one person (the item's 领衔领导).
        self.contacts_of_role_track = p(
            select(CONTACT)
            .join(UNIT, UNIT.c.id == CONTACT.c.unit_id)
            .where(
                UNIT.c.campaign_id == bindparam("cid"),
                CONTACT.c.role == bindparam("role"),
                CONTACT.c.track == bindparam("track"),
                active,
            )
            .order_by(CONTACT.c.id)
        )
        self.contacts_of_unit_role = p(
            select(CONTACT)
            .where(CONTACT.c.unit_id == bindparam("unit_id"), CONTACT.c.role == bindparam("role"), active)
            .order_by(CONTACT.c.id)
        )
        self.contact_active = p(
            select(CONTACT).where(
                CONTACT.c.id == bindparam("id"), CONTACT.c.role == bindparam("role"), active
            )
        )
        self.outbox_insert = p(_insert(OUTBOX))
        item_steps = and_(STEP.c.subject_kind == literal("item"), STEP.c.subject_id == bindparam("item_id"))
        self.item_steps = p(
            select(STEP.c.id, STEP.c.step_key, STEP.c.status).where(item_steps).order_by(STEP.c.id)
        )
        # The ladder's pending (and awaiting) steps (not the timed transitions', ``timer.…``).
        self.item_steps_cancel = p(
            update(STEP)
            .where(
                item_steps,
                STEP.c.status.in_(OPEN_STEP),
                STEP.c.step_key.not_like(literal_column("'timer.%'")),
            )
            .values(status=literal("cancelled"), fired_at=bindparam("now"))
        )
        self.step_insert = p(_insert(STEP))
        self.step_rearm = p(
            update(STEP)
            .where(STEP.c.id == bindparam("id"))
            .values(status=bindparam("status"), fired_at=None, due_at=bindparam("due_at"))
        )
        self.step_cancel = p(
            update(STEP)
            .where(STEP.c.id == bindparam("id"), STEP.c.status.in_(OPEN_STEP))
            .values(status=literal("cancelled"), fired_at=bindparam("now"))
        )
        # 待日历: the subjects with steps waiting for the calendar, a subject's such steps, and
        # how many of each campaign are past their placeholder (the earliest they could be due).
        awaiting = STEP.c.status == literal_column(f"'{AWAITING}'")
        self.awaiting_subjects = p(
            select(STEP.c.campaign_id, STEP.c.subject_kind, STEP.c.subject_id).where(awaiting).distinct()
        )
        self.subject_awaiting = p(
            select(STEP.c.id, STEP.c.step_key, STEP.c.due_at)
            .where(awaiting, STEP.c.subject_kind == bindparam("kind"), STEP.c.subject_id == bindparam("sid"))
            .order_by(STEP.c.id)
        )
        self.awaiting_due = p(
            select(STEP.c.campaign_id, STEP.c.due_at, func.count().label("steps"))
            .where(awaiting, STEP.c.due_at <= bindparam("now"))
            .group_by(STEP.c.campaign_id, STEP.c.due_at)
            .order_by(STEP.c.campaign_id, STEP.c.due_at)
        )
        # One operator alert per campaign and missing year: a fired campaign step, inserted
        # once whoever gets there first (several daemons on PostgreSQL).
        marker = (pg_insert if dialect.name == "postgresql" else sqlite_insert)(STEP).values(
            {c.name: bindparam(c.name) for c in STEP.c if c.name != "id"}
        )
        self.step_insert_once = p(
            marker.on_conflict_do_nothing(
                index_elements=[STEP.c.subject_kind, STEP.c.subject_id, STEP.c.step_key]
            )
        )
        # The next number of a campaign's kind (问题编号, a document's 期数): the counter row
        # made or moved on under its lock, in the caller's transaction.
        serial = (pg_insert if dialect.name == "postgresql" else sqlite_insert)(SERIAL).values(
            campaign_id=bindparam("cid"), kind=bindparam("kind"), last=literal(1)
        )
        self.serial_next = p(
            serial.on_conflict_do_update(
                index_elements=[SERIAL.c.campaign_id, SERIAL.c.kind], set_={"last": SERIAL.c.last + 1}
            ).returning(SERIAL.c.last)
        )
        # A numbered document's 期数 (zg_issue): the number already given for the day, and
        # the insert that gives one (nothing when a concurrent writer gave that day its number).
        self.issue_number = p(
            select(ISSUE.c.number).where(
                ISSUE.c.campaign_id == bindparam("cid"),
                ISSUE.c.kind == bindparam("kind"),
                ISSUE.c.as_of == bindparam("as_of"),
            )
        )
        issue = (pg_insert if dialect.name == "postgresql" else sqlite_insert)(ISSUE).values(
            {c.name: bindparam(c.name) for c in ISSUE.c if c.name != "id"}
        )
        self.issue_insert_once = p(
            issue.on_conflict_do_nothing(
                index_elements=[ISSUE.c.campaign_id, ISSUE.c.kind, ISSUE.c.as_of]
            ).returning(ISSUE.c.number)
        )
        self.steps_await = p(
            update(STEP)
            .where(STEP.c.id == bindparam("id"), STEP.c.status == PENDING)
            .values(status=literal(AWAITING))
        )
        # A step leaves ``pending`` once, whoever gets there first: the conditional update is the
        # claim on SQLite (writers are serialised) and a second guard on PostgreSQL.
        self.step_settle = p(
            update(STEP)
            .where(STEP.c.id == bindparam("id"), STEP.c.status == PENDING)
            .values(status=bindparam("status"), fired_at=bindparam("now"))
        )
        self.step_mark = p(
            update(STEP).where(STEP.c.id == bindparam("id")).values(status=bindparam("status"))
        )
        # Through the partial index of pending steps by (due_at, id) (see models.Step), oldest first.
        due = and_(STEP.c.status == PENDING, STEP.c.due_at <= bindparam("now"))
        self.due_steps = p(
            select(STEP.c.subject_kind, STEP.c.subject_id, STEP.c.due_at)
            .where(due)
            .order_by(STEP.c.due_at, STEP.c.id)
            .limit(bindparam("limit"))
        )
        claim = (
            select(STEP)
            .where(due, STEP.c.subject_kind == bindparam("kind"), STEP.c.subject_id == bindparam("sid"))
            .order_by(STEP.c.due_at, STEP.c.id)
        )
        # Several daemons on PostgreSQL: a subject another one is working on is skipped, not waited for.
        self.claim_steps: Prepared[StepRow] = p(
            claim.with_for_update(skip_locked=True) if row_locks else claim
        )
        # The due steps of up to CLAIM_WIDTH subjects of one kind at once (a sweep's batch; the
        # ids not needed are bound to 0, which no subject has).
        claim_many = (
            select(STEP)
            .where(
                due,
                STEP.c.subject_kind == bindparam("kind"),
                STEP.c.subject_id.in_([bindparam(f"sid{i}") for i in range(CLAIM_WIDTH)]),
            )
            .order_by(STEP.c.due_at, STEP.c.id)
        )
        if row_locks:
            # A subject is claimed whole or not at all: row locks alone (SKIP LOCKED) let two
            # daemons claiming the same subjects at once each take part of a subject's steps
            # (seen: one item's rungs fired by both, two events). A transaction-scoped advisory
            # lock per subject, tried (never waited for), decides which daemon has it.
            claim_many = claim_many.where(
                func.pg_try_advisory_xact_lock(bindparam("kind_key"), STEP.c.subject_id)
            ).with_for_update(skip_locked=True)
        self.claim_many: Prepared[StepRow] = p(claim_many)
        self.duty_insert = p(_insert(DUTY))
        self.duty_ids = p(
            select(DUTY.c.id, DUTY.c.duty_key, DUTY.c.unit_id, DUTY.c.due).where(
                DUTY.c.campaign_id == bindparam("cid")
            )
        )
        self.duty: Prepared[DutyRow] = p(
            select(DUTY, CAMPAIGN.c.definition_version.label("campaign_version"))
            .join(CAMPAIGN, CAMPAIGN.c.id == DUTY.c.campaign_id)
            .where(DUTY.c.id == bindparam("id"))
        )
        self.duty_level = p(
            update(DUTY)
            .where(DUTY.c.id == bindparam("id"))
            .values(light=bindparam("light"), escalation_level=bindparam("escalation_level"))
        )
        self.duty_complete = p(
            update(DUTY)
            .where(DUTY.c.id == bindparam("id"), DUTY.c.status == literal("open"))
            .values(status=literal("done"), done_at=bindparam("done_at"), done_by=bindparam("done_by"))
        )
        self.duty_steps_cancel = p(
            update(STEP)
            .where(
                STEP.c.subject_kind == literal("duty"),
                STEP.c.subject_id == bindparam("duty_id"),
                STEP.c.status.in_(OPEN_STEP),
            )
            .values(status=literal("cancelled"), fired_at=bindparam("now"))
        )
        self.duties_open_by: Prepared[DutyRow] = p(
            select(DUTY)
            .where(
                DUTY.c.campaign_id == bindparam("cid"),
                DUTY.c.duty_key == bindparam("duty_key"),
                DUTY.c.status == literal("open"),
                DUTY.c.due <= bindparam("due_by"),
            )
            .order_by(DUTY.c.unit_id, DUTY.c.due)
        )
        self.duty_steps_supersede = p(
            update(STEP)
            .where(
                STEP.c.subject_kind == literal("duty"),
                STEP.c.subject_id == bindparam("duty_id"),
                STEP.c.status.in_(OPEN_STEP),
                STEP.c.step_key.not_like(bindparam("keep")),
            )
            .values(status=literal("superseded"), fired_at=bindparam("now"))
        )
        # The campaign's items (the 回头看 draw, 重算整改时限), its open duties, any subject's steps.
        self.items_of_campaign: Prepared[ItemRow] = p(
            select(ITEM).where(ITEM.c.campaign_id == bindparam("cid")).order_by(ITEM.c.id)
        )
        # 关联研判: the newest items of a track (and unit) a new one may duplicate.
        candidates = (
            select(ITEM.c.id)
            .where(
                ITEM.c.campaign_id == bindparam("cid"),
                ITEM.c.track == bindparam("track"),
                ITEM.c.id != bindparam("id"),
                ITEM.c.merged_into_id.is_(None),
            )
            .order_by(ITEM.c.id.desc())
            .limit(DUPLICATE_WINDOW)
        )
        self.duplicate_candidates = p(candidates)
        self.duplicate_candidates_of_unit = p(
            candidates.where(ITEM.c.responsible_unit_id == bindparam("unit_id"))
        )
        self.duplicate_insert = p(_insert(DUPLICATE, returning=True))
        self.duplicate = p(select(DUPLICATE).where(DUPLICATE.c.id == bindparam("id")))
        self.duplicates_from = p(
            select(DUPLICATE)
            .where(DUPLICATE.c.campaign_id == bindparam("cid"), DUPLICATE.c.item_id >= bindparam("first"))
            .order_by(DUPLICATE.c.id)
        )
        self.item_title = p(select(ITEM.c.title).where(ITEM.c.id == bindparam("id")))
        # 规范性文件清理: documents on their own lifecycle.
        self.document: Prepared[DocumentRow] = p(select(DOCUMENT).where(DOCUMENT.c.id == bindparam("id")))
        self.document_insert = p(_insert(DOCUMENT, returning=True))
        self.document_update = p(
            update(DOCUMENT)
            .where(DOCUMENT.c.id == bindparam("id"), DOCUMENT.c.version == bindparam("old_version"))
            .values(
                state=bindparam("state"),
                state_since=bindparam("state_since"),
                light=bindparam("light"),
                escalation_level=bindparam("escalation_level"),
                decision_note=bindparam("decision_note"),
                decided_at=bindparam("decided_at"),
                updated_at=bindparam("updated_at"),
                version=bindparam("version"),
            )
        )
        self.transfer_steps = p(
            select(STEP.c.id, STEP.c.step_key, STEP.c.status)
            .where(STEP.c.subject_kind == literal("transfer"), STEP.c.subject_id == bindparam("sid"))
            .order_by(STEP.c.id)
        )
        self.research_steps = p(
            select(STEP.c.id, STEP.c.step_key, STEP.c.status)
            .where(STEP.c.subject_kind == literal("research"), STEP.c.subject_id == bindparam("sid"))
            .order_by(STEP.c.id)
        )
        self.document_steps = p(
            select(STEP.c.id, STEP.c.step_key, STEP.c.status)
            .where(STEP.c.subject_kind == literal("document"), STEP.c.subject_id == bindparam("sid"))
            .order_by(STEP.c.id)
        )
        self.item_texts = p(select(ITEM.c.title, ITEM.c.description).where(ITEM.c.id == bindparam("id")))
        self.duplicate_resolve = p(
            update(DUPLICATE)
            .where(DUPLICATE.c.id == bindparam("id"), DUPLICATE.c.resolved_at.is_(None))
            .values(
                resolved_at=bindparam("resolved_at"),
                resolved_by=bindparam("resolved_by"),
                resolution=bindparam("resolution"),
            )
        )
        self.duties_open: Prepared[DutyRow] = p(
            select(DUTY)
            .where(DUTY.c.campaign_id == bindparam("cid"), DUTY.c.status == literal("open"))
            .order_by(DUTY.c.id)
        )
        self.subject_steps = p(
            select(STEP.c.id, STEP.c.step_key, STEP.c.due_at)
            .where(
                STEP.c.subject_kind == bindparam("kind"),
                STEP.c.subject_id == bindparam("sid"),
                STEP.c.status == PENDING,
            )
            .order_by(STEP.c.id)
        )
        self.step_retime = p(
            update(STEP)
            .where(STEP.c.id == bindparam("id"), STEP.c.status == PENDING)
            .values(due_at=bindparam("due_at"))
        )
        # The outbox, for the dispatcher: rows due (pending, or claimed by a dispatcher whose lease
        # ran out: it crashed between sending and recording), claimed with a lease; settled once.
        waiting = OUTBOX.c.status.in_([literal("pending"), literal("sending")])
        due_rows = (
            select(OUTBOX)
            .where(waiting, OUTBOX.c.next_try_at <= bindparam("now"))
            .order_by(OUTBOX.c.next_try_at, OUTBOX.c.id)
            .limit(bindparam("limit"))
        )
        self.outbox_due = p(due_rows.with_for_update(skip_locked=True) if row_locks else due_rows)
        self.outbox_claim = p(
            update(OUTBOX)
            .where(OUTBOX.c.id == bindparam("id"), waiting, OUTBOX.c.next_try_at <= bindparam("now"))
            .values(status=literal("sending"), attempts=OUTBOX.c.attempts + 1, next_try_at=bindparam("lease"))
        )
        self.outbox_settle = p(
            update(OUTBOX)
            .where(OUTBOX.c.id == bindparam("id"), OUTBOX.c.status == literal("sending"))
            .values(
                status=bindparam("status"),
                next_try_at=bindparam("next_try_at"),
                last_error=bindparam("error"),
                sent_at=bindparam("sent_at"),
                attempts=OUTBOX.c.attempts + bindparam("counted"),
            )
        )
        self.outbox_requeue = p(
            update(OUTBOX)
            .where(OUTBOX.c.id == bindparam("id"), OUTBOX.c.status == literal("dead"))
            # Due at once, in its first place in the queue (whichever process's clock asks).
            .values(status=literal("pending"), next_try_at=OUTBOX.c.created_at, attempts=0)
        )
        self.outbox_row = p(select(OUTBOX).where(OUTBOX.c.id == bindparam("id")))
        # A dead letter nobody could receive, routed again once the roster has a contact for it.
        self.outbox_key_exists = p(select(OUTBOX.c.id).where(OUTBOX.c.idempotency_key == bindparam("key")))
        self.outbox_reroute = p(
            update(OUTBOX)
            .where(OUTBOX.c.id == bindparam("id"), OUTBOX.c.status == literal("dead"))
            .values(
                channel=bindparam("channel"),
                recipient=bindparam("recipient"),
                contact_id=bindparam("contact_id"),
                idempotency_key=bindparam("key"),
                status=bindparam("status"),
                last_error=bindparam("error"),
                next_try_at=OUTBOX.c.created_at,
                attempts=0,
                audit_seq=bindparam("audit_seq"),
            )
        )
        self.oldest_pending = p(select(func.min(STEP.c.due_at)).where(STEP.c.status == PENDING))
        self.campaign_id_by_key = p(select(CAMPAIGN.c.id).where(CAMPAIGN.c.key == bindparam("key")))
        self.campaign_ref_by_key = p(
            select(CAMPAIGN.c.id, CAMPAIGN.c.definition_version).where(CAMPAIGN.c.key == bindparam("key"))
        )
        self.campaign_version = p(
            select(CAMPAIGN.c.definition_version).where(CAMPAIGN.c.id == bindparam("id"))
        )
        self.campaign = p(select(CAMPAIGN).where(CAMPAIGN.c.id == bindparam("id")))
        # The newest event that recorded which definition the campaign runs on (its hash).
        self.definition_event = p(
            select(EVENT.c.data)
            .where(
                EVENT.c.campaign_id == bindparam("cid"),
                EVENT.c.trigger.in_([literal("start_campaign"), literal("migrate_campaign")]),
            )
            .order_by(EVENT.c.seq.desc())
            .limit(1)
        )
        self.campaign_insert = p(_insert(CAMPAIGN, returning=True))
        self.units = p(select(UNIT).where(UNIT.c.campaign_id == bindparam("cid")).order_by(UNIT.c.id))
        self.unit_insert = p(_insert(UNIT, returning=True))
        self.contact_insert = p(_insert(CONTACT))
        self.tracks = p(select(TRACK).where(TRACK.c.campaign_id == bindparam("cid")).order_by(TRACK.c.id))
        self.track_insert = p(_insert(TRACK))
        # A campaign started after some of its dates (a plan re-dated to a day already past, or
        # started late): what fell due before it existed is not applicable, never caught up.
        not_applicable: ColumnClause[str] = literal_column("'not_applicable'")
        self.duties_not_applicable = p(
            update(DUTY)
            .where(
                DUTY.c.campaign_id == bindparam("cid"),
                DUTY.c.status == literal("open"),
                DUTY.c.due < bindparam("day"),
            )
            .values(status=not_applicable)
        )
        inapplicable_duties = select(DUTY.c.id).where(
            DUTY.c.campaign_id == bindparam("cid"), DUTY.c.status == not_applicable
        )
        self.steps_not_applicable = p(
            update(STEP)
            .where(
                STEP.c.campaign_id == bindparam("cid"),
                or_(
                    and_(STEP.c.status == PENDING, STEP.c.due_at < bindparam("now")),
                    and_(
                        STEP.c.status.in_(OPEN_STEP),
                        STEP.c.subject_kind == literal_column("'duty'"),
                        STEP.c.subject_id.in_(inapplicable_duties),
                    ),
                ),
            )
            .values(status=not_applicable, fired_at=bindparam("now"))
        )
        # 回头看 review tasks and 督查 visits (issue 16).
        self.review = p(select(REVIEW).where(REVIEW.c.id == bindparam("id")))
        self.review_insert = p(_insert(REVIEW, returning=True))
        self.review_done = p(
            update(REVIEW)
            .where(REVIEW.c.id == bindparam("id"), REVIEW.c.state == literal_column("'open'"))
            .values(
                state=bindparam("state"),
                finding=bindparam("finding"),
                done_by=bindparam("done_by"),
                done_at=bindparam("done_at"),
            )
        )
        self.review_level = p(
            update(REVIEW)
            .where(REVIEW.c.id == bindparam("id"))
            .values(light=bindparam("light"), escalation_level=bindparam("escalation_level"))
        )
        self.review_steps = p(
            select(STEP.c.id, STEP.c.step_key, STEP.c.status)
            .where(STEP.c.subject_kind == literal("review"), STEP.c.subject_id == bindparam("sid"))
            .order_by(STEP.c.id)
        )
        self.visit_insert = p(_insert(VISIT, returning=True))
        self.visit_finding_insert = p(_insert(VISIT_FINDING))
        self.supervision_draws = p(
            select(EVENT.c.data)
            .where(EVENT.c.campaign_id == bindparam("cid"), EVENT.c.trigger == literal("supervision_draw"))
            .order_by(EVENT.c.seq)
        )
        self.visit_of_draw = p(
            select(VISIT.c.id).where(
                VISIT.c.campaign_id == bindparam("cid"),
                VISIT.c.team == bindparam("team"),
                VISIT.c.unit_id == bindparam("unit_id"),
                VISIT.c.draw_day == bindparam("draw_day"),
            )
        )
        self._dialect = dialect
        self._cas: dict[tuple[str, ...], Prepared[Row]] = {}
        self._cas_returning: dict[tuple[str, ...], Prepared[ItemRow]] = {}
        self._steps_insert: dict[int, Prepared[Row]] = {}
        self._steps_rearm: dict[int, Prepared[Row]] = {}

    def cas(self, columns: tuple[str, ...]) -> Prepared[Row]:
        """``UPDATE zg_item SET <columns> WHERE id = :w_id AND version = :w_version``, one
        compiled statement per set of columns."""
        stmt = self._cas.get(columns)
        if stmt is None:
            stmt = Prepared(
                update(ITEM)
                .where(ITEM.c.id == bindparam("w_id"), ITEM.c.version == bindparam("w_version"))
                .values({c: bindparam(f"v_{c}") for c in columns}),
                self._dialect,
            )
            self._cas[columns] = stmt
        return stmt

    def cas_returning(self, columns: tuple[str, ...]) -> Prepared[ItemRow]:
        """:meth:`cas` returning the item's row as written (every column, as ``bind_item``
        reads it): the audit event vouches for that row without reading it again."""
        stmt = self._cas_returning.get(columns)
        if stmt is None:
            stmt = Prepared(
                update(ITEM)
                .where(ITEM.c.id == bindparam("w_id"), ITEM.c.version == bindparam("w_version"))
                .values({c: bindparam(f"v_{c}") for c in columns})
                .returning(*ITEM.c),
                self._dialect,
            )
            self._cas_returning[columns] = stmt
        return stmt

    def steps_insert(self, n: int) -> Prepared[Row]:
        """``n`` step rows in one ``INSERT … VALUES (…), (…)``: row ``i``'s values are bound as
        ``<column><i>`` (``step_insert``'s columns)."""
        stmt = self._steps_insert.get(n)
        if stmt is None:
            columns = [c.name for c in STEP.c if c.name != "id"]
            stmt = Prepared(
                insert(STEP).values([{c: bindparam(f"{c}{i}") for c in columns} for i in range(n)]),
                self._dialect,
            )
            self._steps_insert[n] = stmt
        return stmt

    def steps_rearm(self, n: int) -> Prepared[Row]:
        """``step_rearm`` of ``n`` rows in one ``UPDATE`` (row ``i``: ``id<i>``, ``due_at<i>``,
        ``status<i>``): each set back to its status and moment, in place."""
        stmt = self._steps_rearm.get(n)
        if stmt is None:
            ids: list[BindParameter[Any]] = [bindparam(f"id{i}") for i in range(n)]
            stmt = Prepared(
                update(STEP)
                .where(STEP.c.id.in_(ids))
                .values(
                    status=case(
                        *[
                            (STEP.c.id == ids[i], bindparam(f"status{i}", type_=STEP.c.status.type))
                            for i in range(n)
                        ]
                    ),
                    fired_at=None,
                    due_at=case(
                        *[
                            (STEP.c.id == ids[i], bindparam(f"due_at{i}", type_=STEP.c.due_at.type))
                            for i in range(n)
                        ]
                    ),
                ),
                self._dialect,
            )
            self._steps_rearm[n] = stmt
        return stmt

    @property
    def dialect(self) -> SADialect:
        """The dialect these statements are compiled for (a concern's own statements, e.g.
        :mod:`._score_facts`, compile for it too)."""
        return self._dialect
