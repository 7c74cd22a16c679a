"""What every write of an item does, on a :class:`~zhenggai.engine._raw.Tx`: the prepared
statements, the compare-and-set update, the audit event, the outbox rows and the step rows.

All statements are SQLAlchemy Core, compiled once per dialect (:class:`Statements`).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, literal, literal_column, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect as SADialect
from sqlalchemy.sql.elements import ColumnClause
from zhenggai.workflows.schema import (
    CampaignSetup,
    DutySpec,
    LadderSpec,
    NotifySpec,
    RoleSpec,
    TransitionSpec,
)

from . import models as m
from ._raw import Prepared, Tx
from .audit import (
    BIND,
    canonical_json,
    event_hash,
    item_digest,
    outbox_digest,
    outbox_row_digest,
    rows_digest,
)
from .errors import ConflictError
from .lifecycle import CompiledLifecycle
from .ports import Calendar
from .views import Actor, CampaignView

__all__ = [
    "WEEKDAYS",
    "Campaign",
    "Statements",
    "Vouch",
    "append_event",
    "cas_update",
    "contact_address",
    "item_number",
    "item_payload",
    "item_units",
    "queue_messages",
    "transition_payload",
]

ITEM = m.Item.__table__  # type: ignore[attr-defined]
UNIT = m.Unit.__table__  # type: ignore[attr-defined]
TRACK = m.Track.__table__  # type: ignore[attr-defined]
CAMPAIGN = m.Campaign.__table__  # type: ignore[attr-defined]
CONTACT = m.Contact.__table__  # type: ignore[attr-defined]
MEASURE = m.Measure.__table__  # type: ignore[attr-defined]
EVENT = m.Event.__table__  # type: ignore[attr-defined]
HEAD = m.AuditHead.__table__  # type: ignore[attr-defined]
OUTBOX = m.Outbox.__table__  # type: ignore[attr-defined]
STEP = m.Step.__table__  # type: ignore[attr-defined]
HEARTBEAT = m.Heartbeat.__table__  # type: ignore[attr-defined]
DUTY = m.Duty.__table__  # type: ignore[attr-defined]
REPORTER = m.ItemReporter.__table__  # type: ignore[attr-defined]
SERIAL = m.Serial.__table__  # type: ignore[attr-defined]
ISSUE = m.Issue.__table__  # type: ignore[attr-defined]
DUPLICATE = m.DuplicateFlag.__table__  # type: ignore[attr-defined]
DOCUMENT = m.Document.__table__  # type: ignore[attr-defined]

#: 关联研判 compares a new item with at most this many of the newest items of its track (and
#: unit), so reporting stays fast in a large campaign.
DUPLICATE_WINDOW = 500


@dataclass(frozen=True, slots=True)
class Campaign:
    """A started campaign as the engine runs it (immutable once started)."""

    id: int
    key: str
    view: CampaignView
    tz: zoneinfo.ZoneInfo
    lifecycle: CompiledLifecycle
    roles: Mapping[str, RoleSpec]
    operations: Mapping[str, frozenset[str]]
    channels: frozenset[str]
    severities: Mapping[str, str]
    #: The whole definition as stored (None for campaigns started before it was kept).
    setup: CampaignSetup | None
    #: Working days of the campaign: the statutory base and the definition's county overrides.
    calendar: Calendar
    #: The escalation ladder items run on (``deadlines.ladder``), if the definition has one.
    item_ladder: LadderSpec | None
    #: Each track's lead unit (牵头单位): the first unit it lists.
    lead_units: Mapping[str, str]
    #: The definition's duties and ladders by id (empty for campaigns started before step 2).
    duties: Mapping[str, DutySpec]
    ladders: Mapping[str, LadderSpec]
    unit_ids: Mapping[str, int]
    unit_keys: Mapping[int, str]
    unit_names: Mapping[int, str]
    tracks: Mapping[str, str]
    #: The document-review lifecycle (规范性文件清理) and its ladder, when the definition has one.
    documents: CompiledLifecycle | None = None
    document_ladder: LadderSpec | None = None


#: A step whose day needs a year the calendar does not know yet (待日历): never claimed, armed
#: when the year is known (see ``_steps``).
AWAITING = "awaiting_calendar"
#: A step row still to act on: pending, or waiting for the calendar.
OPEN_STEP: tuple[ColumnClause[str], ColumnClause[str]] = (
    literal_column("'pending'"), literal_column(f"'{AWAITING}'")
)

#: ``status = 'pending'`` written into the SQL, not bound, so the planner can match the partial
#: index on pending steps (PostgreSQL's generic plans cannot see a bound value).
PENDING: ColumnClause[str] = literal_column("'pending'")


def _insert(table: Any, returning: bool = False) -> Any:
    """INSERT of every column but the generated ``id``, each from a bind of its own name."""
    stmt = insert(table).values({c.name: bindparam(c.name) for c in table.c if c.name != "id"})
    return stmt.returning(table.c.id) if returning else stmt


class Statements:
    """Every statement of the write paths, compiled once for one dialect."""

    def __init__(self, dialect: SADialect, *, row_locks: bool) -> None:
        def p(stmt: Any) -> Prepared:
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
        self.item = p(item_by_id)
        # Another item a guard relies on (the survivor of a merge): share-locked where row
        # locks exist, so it cannot change between the guard's check and the commit.
        self.item_shared = p(item_by_id.with_for_update(read=True, of=ITEM)) if row_locks else self.item
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
        self.event_insert = p(_insert(EVENT))
        # What an event vouches for (audit.py's ``bind``): read back as the database holds it.
        self.bind_item = p(select(ITEM).where(ITEM.c.id == bindparam("id")))
        self.bind_measures = p(select(MEASURE).where(MEASURE.c.item_id == bindparam("id")).order_by(MEASURE.c.id))
        self.bind_document = p(select(DOCUMENT).where(DOCUMENT.c.id == bindparam("id")))
        self.bind_roster = p(
            select(CONTACT).join(UNIT, UNIT.c.id == CONTACT.c.unit_id)
            .where(UNIT.c.campaign_id == bindparam("cid")).order_by(CONTACT.c.id)
        )
        self.measure_counts = p(
            select(
                func.count(MEASURE.c.id).label("total"),
                func.count(MEASURE.c.id).filter(MEASURE.c.done_at.is_(None)).label("open"),
            ).where(MEASURE.c.item_id == bindparam("item_id"))
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
        self.outbox_insert = p(_insert(OUTBOX))
        item_steps = and_(
            STEP.c.subject_kind == literal("item"),
            STEP.c.subject_id == bindparam("item_id"),
        )
        self.item_steps = p(
            select(STEP.c.id, STEP.c.step_key, STEP.c.status).where(item_steps).order_by(STEP.c.id)
        )
        # The ladder's pending (and awaiting) steps (not the timed transitions', ``timer.…``).
        self.item_steps_cancel = p(
            update(STEP)
            .where(item_steps, STEP.c.status.in_(OPEN_STEP), STEP.c.step_key.not_like(literal_column("'timer.%'")))
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
            {c.name: bindparam(c.name) for c in STEP.c if c.name != "id"})
        self.step_insert_once = p(marker.on_conflict_do_nothing(
            index_elements=[STEP.c.subject_kind, STEP.c.subject_id, STEP.c.step_key]))
        # The next number of a campaign's kind (问题编号, a document's 期数): the counter row
        # made or moved on under its lock, in the caller's transaction.
        serial = (pg_insert if dialect.name == "postgresql" else sqlite_insert)(SERIAL).values(
            campaign_id=bindparam("cid"), kind=bindparam("kind"), last=literal(1))
        self.serial_next = p(serial.on_conflict_do_update(
            index_elements=[SERIAL.c.campaign_id, SERIAL.c.kind], set_={"last": SERIAL.c.last + 1}
        ).returning(SERIAL.c.last))
        # A numbered document's 期数 (zg_issue): the number already given for the day, and
        # the insert that gives one (nothing when a concurrent writer gave that day its number).
        self.issue_number = p(select(ISSUE.c.number).where(
            ISSUE.c.campaign_id == bindparam("cid"), ISSUE.c.kind == bindparam("kind"),
            ISSUE.c.as_of == bindparam("as_of")))
        issue = (pg_insert if dialect.name == "postgresql" else sqlite_insert)(ISSUE).values(
            {c.name: bindparam(c.name) for c in ISSUE.c if c.name != "id"})
        self.issue_insert_once = p(issue.on_conflict_do_nothing(
            index_elements=[ISSUE.c.campaign_id, ISSUE.c.kind, ISSUE.c.as_of]).returning(ISSUE.c.number))
        self.steps_await = p(
            update(STEP).where(STEP.c.id == bindparam("id"), STEP.c.status == PENDING).values(status=literal(AWAITING))
        )
        # A step leaves ``pending`` once, whoever gets there first: the conditional update is the
        # claim on SQLite (writers are serialised) and a second guard on PostgreSQL.
        self.step_settle = p(
            update(STEP)
            .where(STEP.c.id == bindparam("id"), STEP.c.status == PENDING)
            .values(status=bindparam("status"), fired_at=bindparam("now"))
        )
        self.step_mark = p(update(STEP).where(STEP.c.id == bindparam("id")).values(status=bindparam("status")))
        # Through the partial index of pending steps by due_at (see models.Step), oldest first.
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
        self.claim_steps = p(claim.with_for_update(skip_locked=True) if row_locks else claim)
        self.duty_insert = p(_insert(DUTY))
        self.duty_ids = p(
            select(DUTY.c.id, DUTY.c.duty_key, DUTY.c.unit_id, DUTY.c.due).where(DUTY.c.campaign_id == bindparam("cid"))
        )
        self.duty = p(
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
            .where(STEP.c.subject_kind == literal("duty"), STEP.c.subject_id == bindparam("duty_id"),
                   STEP.c.status.in_(OPEN_STEP))
            .values(status=literal("cancelled"), fired_at=bindparam("now"))
        )
        self.duties_open_by = p(
            select(DUTY)
            .where(DUTY.c.campaign_id == bindparam("cid"), DUTY.c.duty_key == bindparam("duty_key"),
                   DUTY.c.status == literal("open"), DUTY.c.due <= bindparam("due_by"))
            .order_by(DUTY.c.unit_id, DUTY.c.due)
        )
        self.duty_steps_supersede = p(
            update(STEP)
            .where(STEP.c.subject_kind == literal("duty"), STEP.c.subject_id == bindparam("duty_id"),
                   STEP.c.status.in_(OPEN_STEP), STEP.c.step_key.not_like(bindparam("keep")))
            .values(status=literal("superseded"), fired_at=bindparam("now"))
        )
        # The campaign's items (the 回头看 draw, 重算整改时限), its open duties, any subject's steps.
        self.items_of_campaign = p(select(ITEM).where(ITEM.c.campaign_id == bindparam("cid")).order_by(ITEM.c.id))
        # 关联研判: the newest items of a track (and unit) a new one may duplicate.
        candidates = (
            select(ITEM.c.id)
            .where(ITEM.c.campaign_id == bindparam("cid"), ITEM.c.track == bindparam("track"),
                   ITEM.c.id != bindparam("id"), ITEM.c.merged_into_id.is_(None))
            .order_by(ITEM.c.id.desc())
            .limit(DUPLICATE_WINDOW)
        )
        self.duplicate_candidates = p(candidates)
        self.duplicate_candidates_of_unit = p(candidates.where(ITEM.c.responsible_unit_id == bindparam("unit_id")))
        self.duplicate_insert = p(_insert(DUPLICATE, returning=True))
        self.duplicate = p(select(DUPLICATE).where(DUPLICATE.c.id == bindparam("id")))
        self.duplicates_from = p(
            select(DUPLICATE)
            .where(DUPLICATE.c.campaign_id == bindparam("cid"), DUPLICATE.c.item_id >= bindparam("first"))
            .order_by(DUPLICATE.c.id)
        )
        self.item_title = p(select(ITEM.c.title).where(ITEM.c.id == bindparam("id")))
        # 规范性文件清理: documents on their own lifecycle.
        self.document = p(select(DOCUMENT).where(DOCUMENT.c.id == bindparam("id")))
        self.document_insert = p(_insert(DOCUMENT, returning=True))
        self.document_update = p(
            update(DOCUMENT)
            .where(DOCUMENT.c.id == bindparam("id"), DOCUMENT.c.version == bindparam("old_version"))
            .values(state=bindparam("state"), state_since=bindparam("state_since"), light=bindparam("light"),
                    escalation_level=bindparam("escalation_level"), decision_note=bindparam("decision_note"),
                    decided_at=bindparam("decided_at"), updated_at=bindparam("updated_at"),
                    version=bindparam("version"))
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
            .values(resolved_at=bindparam("resolved_at"), resolved_by=bindparam("resolved_by"),
                    resolution=bindparam("resolution"))
        )
        self.duties_open = p(
            select(DUTY).where(DUTY.c.campaign_id == bindparam("cid"), DUTY.c.status == literal("open"))
            .order_by(DUTY.c.id)
        )
        self.subject_steps = p(
            select(STEP.c.id, STEP.c.step_key, STEP.c.due_at)
            .where(STEP.c.subject_kind == bindparam("kind"), STEP.c.subject_id == bindparam("sid"),
                   STEP.c.status == PENDING)
            .order_by(STEP.c.id)
        )
        self.step_retime = p(
            update(STEP).where(STEP.c.id == bindparam("id"), STEP.c.status == PENDING).values(due_at=bindparam("due_at"))
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
            .values(status=bindparam("status"), next_try_at=bindparam("next_try_at"), last_error=bindparam("error"),
                    sent_at=bindparam("sent_at"), attempts=OUTBOX.c.attempts + bindparam("counted"))
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
            .values(channel=bindparam("channel"), recipient=bindparam("recipient"), contact_id=bindparam("contact_id"),
                    idempotency_key=bindparam("key"), status=bindparam("status"), last_error=bindparam("error"),
                    next_try_at=OUTBOX.c.created_at, attempts=0, audit_seq=bindparam("audit_seq"))
        )
        self.oldest_pending = p(select(func.min(STEP.c.due_at)).where(STEP.c.status == PENDING))
        self.campaign_id_by_key = p(select(CAMPAIGN.c.id).where(CAMPAIGN.c.key == bindparam("key")))
        self.campaign_ref_by_key = p(
            select(CAMPAIGN.c.id, CAMPAIGN.c.definition_version).where(CAMPAIGN.c.key == bindparam("key"))
        )
        self.campaign_version = p(select(CAMPAIGN.c.definition_version).where(CAMPAIGN.c.id == bindparam("id")))
        self.campaign = p(select(CAMPAIGN).where(CAMPAIGN.c.id == bindparam("id")))
        # The newest event that recorded which definition the campaign runs on (its hash).
        self.definition_event = p(
            select(EVENT.c.data)
            .where(EVENT.c.campaign_id == bindparam("cid"),
                   EVENT.c.trigger.in_([literal("start_campaign"), literal("migrate_campaign")]))
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
            .where(DUTY.c.campaign_id == bindparam("cid"), DUTY.c.status == literal("open"),
                   DUTY.c.due < bindparam("day"))
            .values(status=not_applicable)
        )
        inapplicable_duties = select(DUTY.c.id).where(
            DUTY.c.campaign_id == bindparam("cid"), DUTY.c.status == not_applicable
        )
        self.steps_not_applicable = p(
            update(STEP)
            .where(STEP.c.campaign_id == bindparam("cid"),
                   or_(and_(STEP.c.status == PENDING, STEP.c.due_at < bindparam("now")),
                       and_(STEP.c.status.in_(OPEN_STEP), STEP.c.subject_kind == literal_column("'duty'"),
                            STEP.c.subject_id.in_(inapplicable_duties))))
            .values(status=not_applicable, fired_at=bindparam("now"))
        )
        self._dialect = dialect
        self._cas: dict[tuple[str, ...], Prepared] = {}

    def cas(self, columns: tuple[str, ...]) -> Prepared:
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


def cas_update(tx: Tx, st: Statements, row: Mapping[str, Any], changes: Mapping[str, Any]) -> None:
    """Write ``changes`` only if the item still has the version it was read with."""
    columns = tuple(sorted(changes))
    values = {f"v_{c}": changes[c] for c in columns}
    values["w_id"] = row["id"]
    values["w_version"] = row["version"]
    if tx.run(st.cas(columns), values) != 1:
        raise ConflictError(row["id"], row["version"], tx.scalar(st.item_version, {"id": row["id"]}))


@dataclass(slots=True)
class Vouch:
    """The messages :func:`queue_messages` wrote for the campaign's next audit event (``seq``)
    to vouch for: give it to that :func:`append_event` as ``outbox``."""

    campaign_id: int
    seq: int
    #: The hash of event ``seq - 1`` (the head, read and locked in this transaction), so the
    #: event need not read the head again; None: unknown, the event reads it.
    prev_hash: str | None = None
    digests: list[str] = field(default_factory=list)
    #: Rows an earlier event vouched for that this one changes (a dead letter routed again):
    #: that event's ``seq`` and the row's digest as it vouched for it.
    moved: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def next_event(cls, tx: Tx, st: Statements, campaign_id: int) -> Vouch:
        """For the campaign's next event (the head's ``seq`` + 1, read in this transaction)."""
        head = tx.one(st.head, {"cid": campaign_id})
        assert head is not None, "every campaign has an audit head"
        return cls(campaign_id, head["seq"] + 1, head["hash"])


def append_event(
    tx: Tx,
    st: Statements,
    campaign_id: int,
    *,
    item_id: int | None,
    trigger: str,
    from_state: str | None,
    to_state: str | None,
    actor: Actor,
    at: dt.datetime,
    data: Mapping[str, Any],
    outbox: Vouch | None = None,
    roster: bool = False,
) -> None:
    """Append one audit event to the campaign's hash chain and move the chain's head (with the
    engine's origin, when it has one, in the event's data).

    The event vouches (``bind``, :mod:`.audit`) for the rows as this transaction leaves them,
    so call it after writing them: the item's row and measures (``item_id``), the document's
    row (``data["document"]``), the roster (``roster``), the messages ``outbox`` queued."""
    if outbox is not None and outbox.prev_hash is not None and outbox.campaign_id == campaign_id:
        # The head as queue_messages read (and locked) it: an event appended in between would
        # make this seq a duplicate, refused by the chain's unique (campaign, seq).
        seq, prev = outbox.seq, outbox.prev_hash
    else:
        head = tx.one(st.head, {"cid": campaign_id})
        assert head is not None, "every campaign has an audit head"
        seq = head["seq"] + 1
        prev = head["hash"]
    bind: dict[str, Any] = {}
    if item_id is not None:
        item = tx.one(st.bind_item, {"id": item_id})
        assert item is not None, f"an event about item {item_id} that does not exist"
        bind["row"] = item_digest(item, tx.all(st.bind_measures, {"id": item_id}))
    elif isinstance(data.get("document"), int):
        document = tx.one(st.bind_document, {"id": data["document"]})
        assert document is not None, f"an event about document {data['document']} that does not exist"
        bind["row"] = rows_digest([document])
    if roster:
        bind["roster"] = rows_digest(tx.all(st.bind_roster, {"cid": campaign_id}))
    if outbox is not None and (outbox.digests or outbox.moved):
        assert (outbox.campaign_id, outbox.seq) == (campaign_id, seq), "messages vouched for by another event"
        bind["outbox"] = outbox_digest(outbox.digests)
        if outbox.moved:
            bind["moved"] = outbox.moved
    data = {**data, BIND: bind}
    if st.origin:
        data["origin"] = dict(st.origin)
    text = canonical_json(data)
    digest = event_hash(
        campaign_id=campaign_id, seq=seq, item_id=item_id, trigger=trigger, from_state=from_state,
        to_state=to_state, actor=actor.name, role=actor.role, unit=actor.unit, at=at, data=text,
        prev_hash=prev,
    )
    tx.run(
        st.event_insert,
        {
            "campaign_id": campaign_id, "seq": seq, "item_id": item_id, "trigger": trigger,
            "from_state": from_state, "to_state": to_state, "actor": actor.name, "role": actor.role,
            "unit": actor.unit, "at": at, "data": text, "prev_hash": prev, "hash": digest,
        },
    )
    tx.run(st.head_update, {"cid": campaign_id, "new_seq": seq, "new_hash": digest})


def queue_messages(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    notify: Sequence[NotifySpec],
    *,
    key: str,
    payload: Mapping[str, Any],
    units: Mapping[str, int | None],
    item_id: int | None,
    now: dt.datetime,
    vouch: Vouch | None = None,
) -> Vouch:
    """Outbox rows for a ``notify`` list, one per recipient contact, for the campaign's next
    audit event to vouch for: it returns them as a :class:`Vouch` (``vouch``, when given, with
    them added: several lists of one event) to give to that :func:`append_event`.

    ``key`` makes the idempotency keys unique per event (``item:5:v3:assign`` for a transition
    to version 3, ``item:5:step:item_overdue.red@2023-08-15`` for a ladder step). ``units``
    resolves the unit recipients the event knows (``responsible_unit``, ``previous_unit``,
    ``lead_unit``: a unit id, or None when there is none); any other recipient is a role,
    reached through its contacts, or ``all_units`` / ``lead_units`` (every unit, every track's
    lead unit). A unit with no contact still gets a row, dead-lettered with the reason, so an
    operator sees the message that could not be routed instead of it vanishing. A contact
    reached twice with the same message gets it once, and so does a recipient without contacts
    named twice (one dead letter, not a failed write).
    """
    if not notify:
        return vouch if vouch is not None else Vouch(camp.id, 0)  # nothing to vouch for
    if vouch is None:
        vouch = Vouch.next_event(tx, st, camp.id)
    text = canonical_json(payload)
    queued: set[str] = set()
    routes = {r.to: r.delivery for r in camp.setup.notifications.routes} if camp.setup is not None else {}
    day = now.astimezone(camp.tz).date()  # contacts active on the message's day
    for n in notify:
        targets: list[tuple[list[dict[str, Any]], str]] = []
        if n.to in units:
            unit_id = units[n.to]
            if unit_id is None:
                continue
            targets.append(
                (tx.all(st.contacts_of_unit, {"unit_id": unit_id, "day": day}), f"unit:{camp.unit_keys[unit_id]}")
            )
        elif n.to in ("all_units", "lead_units"):
            keys = camp.unit_ids if n.to == "all_units" else dict.fromkeys(camp.lead_units.values())
            for unit_key in keys:
                unit_id = camp.unit_ids[unit_key]
                targets.append((tx.all(st.contacts_of_unit, {"unit_id": unit_id, "day": day}), f"unit:{unit_key}"))
        else:
            targets.append((tx.all(st.contacts_of_role, {"cid": camp.id, "role": n.to, "day": day}), f"role:{n.to}"))
        key_base = f"{key}:{n.message}"
        row = {
            "campaign_id": camp.id, "item_id": item_id, "kind": n.message, "payload": text,
            "attempts": 0, "next_try_at": now, "created_at": now, "sent_at": None, "audit_seq": vouch.seq,
        }
        for contacts, fallback in targets:
            if not contacts:
                dead_key = f"{key_base}:{fallback}"
                if dead_key not in queued:
                    queued.add(dead_key)
                    dead = {
                        **row, "channel": "unrouted", "recipient": fallback, "contact_id": None,
                        "idempotency_key": dead_key, "status": "dead", "last_error": "没有可接收消息的联系人",
                    }
                    tx.run(st.outbox_insert, dead)
                    vouch.digests.append(outbox_row_digest(dead))
                continue
            for contact in contacts:
                contact_key = f"{key_base}:contact:{contact['id']}"
                if contact_key in queued:
                    continue
                queued.add(contact_key)
                channel, address = _route(contact, routes.get(n.to))
                message = {
                    **row, "channel": channel, "recipient": address, "contact_id": contact["id"],
                    "idempotency_key": contact_key, "status": "pending" if address else "dead",
                    "last_error": None if address else "联系人没有可用的联系方式",
                }
                tx.run(st.outbox_insert, message)
                vouch.digests.append(outbox_row_digest(message))
    return vouch


def item_number(camp: Campaign, serial: int, now: dt.datetime) -> str:
    """问题编号 ``ZG-<year the campaign starts>-<serial, four digits or more>`` (a campaign
    without its stored definition, or one without a start: the year it is reported in)."""
    start = camp.setup.start if camp.setup is not None else None
    year = start.year if start is not None else now.astimezone(camp.tz).year
    return f"ZG-{year}-{serial:04d}"


def item_units(camp: Campaign, before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, int | None]:
    """The unit recipients of a message about an item: its responsible unit (after the write),
    the previous one (when it changed), its track's lead unit."""
    now_unit, was_unit = after["responsible_unit_id"], before["responsible_unit_id"]
    lead = camp.lead_units.get(after["track"])
    return {
        "responsible_unit": now_unit,
        "previous_unit": was_unit if was_unit != now_unit else None,
        "lead_unit": camp.unit_ids.get(lead) if lead is not None else None,
    }


#: 星期一 … 星期日, by ``date.weekday()``.
WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def item_payload(camp: Campaign, after: Mapping[str, Any]) -> dict[str, Any]:
    """The variables every message about an item gets (``ITEM_VARIABLES`` of
    :mod:`zhenggai.engine.messages`). Never the reporter's identity."""
    uid = after["responsible_unit_id"]
    due = after["due"]
    return {
        "campaign": camp.view.title,
        "item_id": after["id"],
        "title": after["title"],
        "track": after["track"],
        "track_name": camp.tracks.get(after["track"], after["track"]),
        "state": after["state"],
        "state_label": camp.lifecycle.labels[after["state"]],
        "unit": None if uid is None else camp.unit_keys[uid],
        "unit_name": None if uid is None else camp.unit_names[uid],
        "due": None if due is None else due.isoformat(),
        "due_weekday": None if due is None else WEEKDAYS[due.weekday()],
    }


def transition_payload(
    camp: Campaign, spec: TransitionSpec, after: Mapping[str, Any], event_data: Mapping[str, Any]
) -> dict[str, Any]:
    """What a message queued by a transition gets: the item's variables, the trigger's, and the
    inputs its guards make sure are there (:func:`zhenggai.engine.messages.transition_variables`)."""
    return {
        **item_payload(camp, after),
        "trigger": spec.trigger,
        "trigger_label": spec.label,
        **{k: v for k, v in event_data.items() if k in ("reason", "finding", "from_unit")},
    }


def _route(contact: Mapping[str, Any], default: Sequence[str] | None = None) -> tuple[str, str]:
    """The channel and address a contact is reached by: the first of its own preferences that
    has an address; without preferences, the definition's route for the kind of recipient
    (``notifications.routes``, e.g. a responsible unit by SMS then email), else email then SMS."""
    prefs = [c for c in (contact["channels"] or "").split(",") if c] or list(default or ()) or ["email", "sms"]
    for channel in prefs:
        address = contact_address(contact, channel)
        if address:
            return channel, address
    return prefs[0], ""


def contact_address(contact: Mapping[str, Any], channel: str) -> str | None:
    """A contact's address on ``channel``: email → the mailbox; SMS → the mobile; the WeCom and
    DingTalk group robots → the contact's user id there (@-mentioned by id), else the mobile
    (@-mentioned by number)."""
    if channel == "email":
        return contact["email"] or None
    if channel in ("wecom", "dingtalk"):
        return contact.get(f"{channel}_id") or contact["mobile"] or None
    if channel == "sms":
        return contact["mobile"] or None
    return None
