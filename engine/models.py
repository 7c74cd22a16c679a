"""The tables (SQLAlchemy Core: one :class:`~sqlalchemy.Table` per class below, all in
:data:`metadata`). Table names carry a ``zg_`` prefix so a host system can keep them in its own
database beside its tables.

The item row is the source of truth for an item's state. The reporter's identity lives in
``zg_item_reporter`` only; nothing a unit sees joins it (see ``Engine.read_reporter``).

All datetimes are stored as UTC and come back timezone-aware (:class:`UTCDateTime`). Due
dates are calendar dates in the campaign's timezone: an item is late after the end of its due
date there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from sqlalchemy import (
    Boolean,
    Column,
    ColumnClause,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.schema import SchemaItem
from sqlalchemy.types import LargeBinary, TypeDecorator, TypeEngine

__all__ = [
    "AccessLog",
    "Account",
    "Accountability",
    "ApiToken",
    "Attachment",
    "AuditHead",
    "Blob",
    "CalendarYear",
    "Campaign",
    "Contact",
    "Document",
    "DuplicateFlag",
    "Event",
    "IdempotencyRecord",
    "Item",
    "ItemReporter",
    "Measure",
    "Mechanism",
    "MechanismItem",
    "Outbox",
    "Outcome",
    "OutcomeMechanism",
    "Practice",
    "Step",
    "Track",
    "UTCDateTime",
    "Unit",
    "WebSession",
    "metadata",
]

_T = TypeVar("_T")

#: Every table of the engine (what the migrations are compared with: tests/test_storage.py).
metadata = MetaData()


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend; naive values are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime refused: zhenggai stores timezone-aware UTC only")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)

    # On SQLite the two steps (ours, then the DATETIME type's text format) are one function
    # each way: the write path binds several datetimes per transition (BENCHMARKS.md). Same
    # text as SQLAlchemy's SQLite DATETIME (``2023-07-03 01:02:03.004567``); a test holds this.

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def process(value: dt.datetime | None) -> str | None:
            if value is None:
                return None
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError("naive datetime refused: zhenggai stores timezone-aware UTC only")
            v = value.astimezone(dt.UTC)
            return (
                f"{v.year:04d}-{v.month:02d}-{v.day:02d} {v.hour:02d}:{v.minute:02d}:{v.second:02d}"
                f".{v.microsecond:06d}"
            )

        return process

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        def process(value: str | None) -> dt.datetime | None:
            return None if value is None else dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)

        return process


def _column(
    type_: type[TypeEngine[_T]] | TypeEngine[_T], *args: SchemaItem, **kwargs: Any
) -> ColumnClause[_T]:
    """A :class:`~sqlalchemy.Column` of a table class below, named after its attribute. Typed as
    the column expression statements use (``Item.id == 3``): SQLAlchemy 2.1 types a ``Column``
    read off a class as ``Never``, which it keeps for its own ``TypedColumns``."""
    return Column(type_, *args, **kwargs)


class _Table:
    """A table written as a class: each :class:`~sqlalchemy.Column` attribute is a column named
    after the attribute, in the order written (``Item.id``); ``__table_args__`` adds
    constraints and indexes. ``__table__`` is the :class:`~sqlalchemy.Table`, in
    :data:`metadata`, and ``select(Item)`` / ``insert(Item)`` take it (``__clause_element__``).
    Never instantiated: rows are read and written by Core statements."""

    __tablename__: ClassVar[str]
    __table_args__: ClassVar[tuple[SchemaItem, ...]] = ()
    __table__: ClassVar[Table]

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        columns: list[Column[Any]] = []
        for key, value in vars(cls).items():
            if isinstance(value, Column):
                value.name = value.key = key
                columns.append(value)
        cls.__table__ = Table(cls.__tablename__, metadata, *columns, *cls.__table_args__)

    @classmethod
    def __clause_element__(cls) -> Table:
        return cls.__table__


class Campaign(_Table):
    """One run of a plan (专项行动): a definition id + version, started for a county."""

    __tablename__: ClassVar[str] = "zg_campaign"

    id = _column(Integer, primary_key=True)
    key = _column(String(100), nullable=False, unique=True)
    title = _column(String(200), nullable=False)
    county = _column(String(100), nullable=False)
    definition_id = _column(String(100), nullable=False)
    definition_version = _column(String(40), nullable=False)
    timezone = _column(String(64), nullable=False, default="Asia/Shanghai")
    lifecycle_json = _column(Text, nullable=False)
    roles_json = _column(Text, nullable=False)
    channels_json = _column(Text, nullable=False)
    created_at = _column(UTCDateTime, nullable=False)
    #: The whole definition (CampaignSetup as JSON); NULL for campaigns started before it was kept.
    definition_json = _column(Text)


class Unit(_Table):
    """A unit (责任单位) of a campaign."""

    __tablename__: ClassVar[str] = "zg_unit"
    __table_args__ = (UniqueConstraint("campaign_id", "key"),)

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False, index=True)
    key = _column(String(100), nullable=False)
    name = _column(String(200), nullable=False)
    kind = _column(String(40), nullable=False, default="unit")


class Track(_Table):
    """A focus track (专项整治); ``unit_keys`` in the plan's order, the first is the lead unit."""

    __tablename__: ClassVar[str] = "zg_track"
    __table_args__ = (UniqueConstraint("campaign_id", "key"),)

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False, index=True)
    key = _column(String(100), nullable=False)
    name = _column(String(200), nullable=False)
    unit_keys_json = _column(Text, nullable=False)


class Contact(_Table):
    """A person of a unit who receives messages (通讯录): campaign data, not part of a
    definition version. Personal data: never in an audit event's payload. A removed contact
    stays (``removed_at``) so the messages it was sent keep their recipient."""

    __tablename__: ClassVar[str] = "zg_contact"

    id = _column(Integer, primary_key=True)
    unit_id = _column(Integer, ForeignKey("zg_unit.id"), nullable=False, index=True)
    name = _column(String(100), nullable=False)
    role = _column(String(100), nullable=False, default="contact")
    email = _column(String(200))
    mobile = _column(String(40))
    channels = _column(String(200), nullable=False, default="")
    wecom_id = _column(String(100))
    dingtalk_id = _column(String(100))
    active_from = _column(Date)
    active_to = _column(Date)
    created_at = _column(UTCDateTime)
    updated_at = _column(UTCDateTime)
    removed_at = _column(UTCDateTime)
    #: The supervision team (督查工作组) a supervision-role contact belongs to (0019).
    team = _column(Integer)
    #: The track whose working group the contact belongs to (e.g. its 组长): a role message
    #: about an item of that track reaches it, not the same role of other tracks (0016).
    track = _column(String(100))


class CalendarYear(_Table):
    """A year's holiday notice loaded by an operator (``zhenggai calendar load``). Rows are never
    deleted: the newest row of a year is in force, older ones are its history. ``replaces`` says
    what it took the place of: ``package`` (the installed statutory data, only with
    ``--replace``), ``loaded`` (an earlier row), or nothing."""

    __tablename__: ClassVar[str] = "zg_calendar_year"

    id = _column(Integer, primary_key=True)
    year = _column(Integer, nullable=False, index=True)
    holidays_json = _column(Text, nullable=False)
    workdays_json = _column(Text, nullable=False)
    source = _column(String(300), nullable=False)
    notice = _column(String(200))
    sha256 = _column(String(64), nullable=False)
    replaces = _column(String(20))
    loaded_by = _column(String(100), nullable=False)
    loaded_at = _column(UTCDateTime, nullable=False)


class Item(_Table):
    """A problem item (问题 / 问题线索): the unit of the state machine.

    ``version`` starts at 1 and grows by one with every change, written by compare-and-set.
    """

    __tablename__: ClassVar[str] = "zg_item"
    __table_args__ = (
        Index("ix_zg_item_campaign_state", "campaign_id", "state"),
        Index("ix_zg_item_unit", "responsible_unit_id"),
        Index("ix_zg_item_number", "campaign_id", "number", unique=True),
        # The listings and reports of a unit, a track and a light, in id order (revision 0033).
        Index("ix_zg_item_campaign_unit", "campaign_id", "responsible_unit_id", "id"),
        Index("ix_zg_item_campaign_track", "campaign_id", "track", "id"),
        Index("ix_zg_item_campaign_light", "campaign_id", "light", "id"),
    )

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    track = _column(String(100), nullable=False)
    channel = _column(String(40), nullable=False)
    title = _column(String(200), nullable=False)
    description = _column(Text, nullable=False)
    severity = _column(String(20), nullable=False, default="normal")
    state = _column(String(40), nullable=False)
    responsible_unit_id = _column(Integer, ForeignKey("zg_unit.id"))
    leading_official = _column(String(100))
    due = _column(Date)
    #: What a due date given by the definition's rule counts from (received day, days, count),
    #: so a calendar change can recompute it; NULL for a due date a person chose.
    due_from = _column(Date)
    due_days = _column(Integer)
    due_count = _column(String(10))
    #: A paused deadline clock (暂停计时): since when, and the working days it had left.
    paused_at = _column(UTCDateTime)
    paused_days = _column(Integer)
    #: When the item entered its state (timed transitions count from it).
    state_since = _column(UTCDateTime)
    light = _column(String(10), nullable=False, default="green")
    escalation_level = _column(Integer, nullable=False, default=0)
    reopen_count = _column(Integer, nullable=False, default=0)
    merged_into_id = _column(Integer, ForeignKey("zg_item.id"))
    dismiss_reason = _column(Text)
    last_finding = _column(Text)
    has_reporter = _column(Boolean, nullable=False, default=False)
    created_by = _column(String(100), nullable=False)
    created_at = _column(UTCDateTime, nullable=False)
    updated_at = _column(UTCDateTime, nullable=False)
    verified_at = _column(UTCDateTime)
    closed_at = _column(UTCDateTime)
    closed_by = _column(String(100))
    closed_by_unit = _column(String(100))
    #: 典型案例: marked for the case bulletin, with the note it prints.
    case_note = _column(Text)
    case_marked_at = _column(UTCDateTime)
    case_marked_by = _column(String(100))
    #: Where and when the typical case was published (通报曝光).
    case_published_at = _column(Date)
    case_published_where = _column(String(200))
    version = _column(Integer, nullable=False)
    #: 问题编号: stable within the campaign (e.g. ``ZG-2023-0001``), given when reported.
    number = _column(String(40))
    #: 移送: the unit an item reported on a channel with ``transfer_to`` lands with first, the
    #: day its 初核 is due, and when and by whom the 初核 was done (NULL: pending).
    #: (A zg_unit id; no foreign key: see migration 0017.)
    transfer_unit_id = _column(Integer)
    transfer_due = _column(Date)
    transfer_checked_at = _column(UTCDateTime)
    transfer_checked_by = _column(String(100))
    #: 领衔领导: the roster person who leads the item (``Engine.lead_item``, 0016);
    #: ``leading_official`` shows their name.
    leader_contact_id = _column(Integer, ForeignKey("zg_contact.id"))
    #: 领衔调研: when the leader's research is due (set by 领衔), when it was reported done and
    #: what it found (问题原因、解决办法; NULL: pending). See migration 0021.
    research_due = _column(Date)
    research_done_at = _column(UTCDateTime)
    research_note = _column(Text)


class Serial(_Table):
    """The last number given per campaign and kind (``item``: 问题编号; a numbered document's
    kind: its 期数), taken under the row's lock."""

    __tablename__: ClassVar[str] = "zg_serial"

    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), primary_key=True)
    kind = _column(String(40), primary_key=True)
    last = _column(Integer, nullable=False)


class Issue(_Table):
    """A numbered document issued (工作进展通报 第N期): once per campaign, kind and as-of day."""

    __tablename__: ClassVar[str] = "zg_issue"
    __table_args__ = (
        UniqueConstraint("campaign_id", "kind", "number"),
        UniqueConstraint("campaign_id", "kind", "as_of"),
    )

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    kind = _column(String(40), nullable=False)
    number = _column(Integer, nullable=False)
    as_of = _column(Date, nullable=False)
    issued_at = _column(UTCDateTime, nullable=False)
    issued_by = _column(String(100), nullable=False)


class ItemReporter(_Table):
    """The reporter (举报人) of an item, kept apart. Read only through ``Engine.read_reporter``."""

    __tablename__: ClassVar[str] = "zg_item_reporter"

    item_id = _column(Integer, ForeignKey("zg_item.id"), primary_key=True)
    name = _column(String(100))
    phone = _column(String(40))
    contact = _column(String(200))
    note = _column(Text)
    #: The identity sealed (AES-GCM, bound to the item) with the key ``key_id`` names; the
    #: plaintext columns above are only for rows written before revision 0011, until rekeyed.
    sealed = _column(Text)
    key_id = _column(String(16))


class Measure(_Table):
    """A rectification measure (整改措施) of an item."""

    __tablename__: ClassVar[str] = "zg_measure"

    id = _column(Integer, primary_key=True)
    item_id = _column(Integer, ForeignKey("zg_item.id"), nullable=False, index=True)
    text = _column(Text, nullable=False)
    due = _column(Date)
    done_at = _column(UTCDateTime)
    done_by = _column(String(100))
    created_by = _column(String(100), nullable=False)
    created_at = _column(UTCDateTime, nullable=False)
    #: 协办: the co-unit's part (``zg_item_part.id``) this measure belongs to; NULL: the lead
    #: unit's own measure (revision 0024; a plain column, the part row names the item).
    part_id = _column(Integer)


class Event(_Table):
    """The append-only audit trail, one hash chain per campaign.

    ``seq`` counts 1, 2, 3 … within a campaign; ``hash`` covers every field and ``prev_hash``,
    so an altered, inserted or deleted row breaks the chain (``zg_audit_head`` pins the tail).
    """

    __tablename__: ClassVar[str] = "zg_event"
    __table_args__ = (
        UniqueConstraint("campaign_id", "seq"),
        Index("ix_zg_event_subject", "subject_kind", "subject_id", "seq"),
    )

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    seq = _column(Integer, nullable=False)
    item_id = _column(Integer, ForeignKey("zg_item.id"), index=True)
    #: What the event is about (``item``, ``document``, ``duty``, ``contact``, ``mechanism``,
    #: ``practice``, or the ``campaign``) and its id: one subject's history is one indexed query.
    #: Derived from what the hash covers (:func:`zhenggai.engine.audit.event_subject`).
    subject_kind = _column(String(20), nullable=False)
    subject_id = _column(Integer, nullable=False)
    trigger = _column(String(60), nullable=False)
    from_state = _column(String(40))
    to_state = _column(String(40))
    actor = _column(String(100), nullable=False)
    role = _column(String(60), nullable=False)
    unit = _column(String(100))
    at = _column(UTCDateTime, nullable=False)
    data = _column(Text, nullable=False)
    prev_hash = _column(String(64), nullable=False)
    hash = _column(String(64), nullable=False)


class AuditHead(_Table):
    """The tail of a campaign's audit chain: last ``seq`` and ``hash``. Locked per write."""

    __tablename__: ClassVar[str] = "zg_audit_head"

    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), primary_key=True)
    seq = _column(Integer, nullable=False, default=0)
    hash = _column(String(64), nullable=False)


class Outbox(_Table):
    """A message to send, written in the same transaction as the change that caused it.

    ``payload`` holds the message's variables (never the reporter's identity); templates
    render it at dispatch time. ``idempotency_key`` = subject + trigger/step + recipient.
    """

    __tablename__: ClassVar[str] = "zg_outbox"
    __table_args__ = (
        Index("ix_zg_outbox_due", "status", "next_try_at"),
        Index("ix_zg_outbox_audit", "campaign_id", "audit_seq"),
    )

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    item_id = _column(Integer, ForeignKey("zg_item.id"))
    kind = _column(String(60), nullable=False)
    channel = _column(String(40), nullable=False)
    recipient = _column(String(200), nullable=False)
    contact_id = _column(Integer, ForeignKey("zg_contact.id"))
    idempotency_key = _column(String(300), nullable=False, unique=True)
    payload = _column(Text, nullable=False)
    status = _column(String(20), nullable=False, default="pending")
    attempts = _column(Integer, nullable=False, default=0)
    next_try_at = _column(UTCDateTime, nullable=False)
    last_error = _column(Text)
    created_at = _column(UTCDateTime, nullable=False)
    sent_at = _column(UTCDateTime)
    #: The ``seq`` of the audit event that vouches for this row (its hashed data holds the
    #: digest of the rows queued with it); None for rows queued before revision 0012.
    audit_seq = _column(Integer)


class Step(_Table):
    """A scheduled step of an item or unit duty; unique per (subject, step key), so it fires once."""

    __tablename__: ClassVar[str] = "zg_step"
    __table_args__ = (
        UniqueConstraint("subject_kind", "subject_id", "step_key"),
        # Only pending steps are ever looked for by time (the sweep): a partial index stays
        # small as fired steps pile up, and it leaves a subject's rows to the unique index.
        # In the sweep's order (due_at, id), so a LIMIT batch reads only its rows (on due_at
        # alone PostgreSQL sorted every due row for each batch).
        Index(
            "ix_zg_step_pending_due_id",
            "due_at",
            "id",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        # The steps waiting for the calendar (待日历), usually none: every sweep asks for those
        # past their earliest moment, which without it read the whole table (0036).
        Index(
            "ix_zg_step_awaiting_due",
            "due_at",
            sqlite_where=text("status = 'awaiting_calendar'"),
            postgresql_where=text("status = 'awaiting_calendar'"),
        ),
    )

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    subject_kind = _column(String(20), nullable=False)
    subject_id = _column(Integer, nullable=False)
    step_key = _column(String(120), nullable=False)
    due_at = _column(UTCDateTime, nullable=False)
    status = _column(String(20), nullable=False, default="pending")
    fired_at = _column(UTCDateTime)
    created_at = _column(UTCDateTime, nullable=False)


class Heartbeat(_Table):
    """A scheduler daemon's sign of life (``zhenggai run``), one row per daemon process: when it
    started, when it last swept, and what it has done; ``stopped_at`` once it stopped cleanly."""

    __tablename__: ClassVar[str] = "zg_heartbeat"

    id = _column(Integer, primary_key=True)
    name = _column(String(200), nullable=False, unique=True)
    host = _column(String(200), nullable=False)
    pid = _column(Integer, nullable=False)
    started_at = _column(UTCDateTime, nullable=False)
    beat_at = _column(UTCDateTime, nullable=False)
    stopped_at = _column(UTCDateTime)
    interval = _column(Float, nullable=False, default=60.0)
    sweeps = _column(Integer, nullable=False, default=0)
    fired = _column(Integer, nullable=False, default=0)


class Duty(_Table):
    """One occurrence of a unit's duty (职责): the unit owes ``duty_key`` by ``due`` (e.g. its
    一报告四清单 by 2023-07-31, or this week's 部门联动 report). Its reminder and escalation
    steps are ``zg_step`` rows of subject ``duty``; completing it cancels them."""

    __tablename__: ClassVar[str] = "zg_duty"
    __table_args__ = (
        UniqueConstraint("campaign_id", "duty_key", "unit_id", "due"),
        Index("ix_zg_duty_unit", "unit_id", "status"),
    )

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    duty_key = _column(String(100), nullable=False)
    unit_id = _column(Integer, ForeignKey("zg_unit.id"), nullable=False)
    due = _column(Date, nullable=False)
    status = _column(String(20), nullable=False, default="open")
    light = _column(String(10), nullable=False, default="green")
    escalation_level = _column(Integer, nullable=False, default=0)
    done_at = _column(UTCDateTime)
    done_by = _column(String(100))


class Outcome(_Table):
    """What came of a closed or dismissed item: the root cause, who recorded it and when. The
    people held accountable are :class:`Accountability` rows; the mechanisms it produced are
    :class:`OutcomeMechanism` rows."""

    __tablename__: ClassVar[str] = "zg_outcome"

    item_id = _column(Integer, ForeignKey("zg_item.id"), primary_key=True)
    root_cause = _column(Text)
    recorded_by = _column(String(100), nullable=False)
    recorded_at = _column(UTCDateTime, nullable=False)


class Accountability(_Table):
    """One person held accountable for an item (问责 / 处理), in the definition's vocabulary.
    Personal data: read only through ``Engine.outcome`` by the roles the definition allows
    (``operations.read_named_people``); never in audit event data."""

    __tablename__: ClassVar[str] = "zg_accountability"
    __table_args__ = (Index("ix_zg_accountability_item", "item_id"),)

    id = _column(Integer, primary_key=True)
    item_id = _column(Integer, ForeignKey("zg_item.id"), nullable=False)
    ordinal = _column(Integer, nullable=False)
    person = _column(String(100), nullable=False)
    position = _column(String(100))
    outcome = _column(String(100), nullable=False)


class Mechanism(_Table):
    """A long-term mechanism (长效机制: a rule, procedure or system) a unit establishes or
    revises because of the campaign; ``status`` is drafting / established / revised /
    abolished as of ``date``."""

    __tablename__: ClassVar[str] = "zg_mechanism"
    __table_args__ = (Index("ix_zg_mechanism_campaign", "campaign_id", "unit_id"),)

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    unit_id = _column(Integer, ForeignKey("zg_unit.id"), nullable=False)
    track = _column(String(100))
    title = _column(String(200), nullable=False)
    kind = _column(String(100), nullable=False)
    status = _column(String(20), nullable=False)
    date = _column(Date, nullable=False)
    note = _column(Text)
    created_by = _column(String(100), nullable=False)
    created_at = _column(UTCDateTime, nullable=False)
    updated_by = _column(String(100), nullable=False)
    updated_at = _column(UTCDateTime, nullable=False)


class MechanismItem(_Table):
    """An item that led to a mechanism, given when the mechanism was registered."""

    __tablename__: ClassVar[str] = "zg_mechanism_item"

    mechanism_id = _column(Integer, ForeignKey("zg_mechanism.id"), primary_key=True)
    item_id = _column(Integer, ForeignKey("zg_item.id"), primary_key=True)


class OutcomeMechanism(_Table):
    """A mechanism an item's outcome links (replaced with the outcome)."""

    __tablename__: ClassVar[str] = "zg_outcome_mechanism"

    item_id = _column(Integer, ForeignKey("zg_item.id"), primary_key=True)
    mechanism_id = _column(Integer, ForeignKey("zg_mechanism.id"), primary_key=True)


class Practice(_Table):
    """A good practice or innovative case (典型做法和创新案例) a unit submits; the publicity
    role selects it for the public digest's 晒成效 column."""

    __tablename__: ClassVar[str] = "zg_practice"
    __table_args__ = (Index("ix_zg_practice_campaign", "campaign_id", "unit_id"),)

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    unit_id = _column(Integer, ForeignKey("zg_unit.id"), nullable=False)
    track = _column(String(100))
    title = _column(String(200), nullable=False)
    summary = _column(Text, nullable=False)
    submitted_by = _column(String(100), nullable=False)
    submitted_at = _column(UTCDateTime, nullable=False)
    selected = _column(Boolean, nullable=False, default=False)
    selected_by = _column(String(100))
    selected_at = _column(UTCDateTime)


class DuplicateFlag(_Table):
    """关联研判: ``item_id`` looks like ``other_id`` (same track and unit, similar text), flagged
    when the item was reported or imported, for a person to judge: ``same`` (merged) or
    ``distinct``.
    The engine never merges on its own."""

    __tablename__: ClassVar[str] = "zg_duplicate"
    __table_args__ = (
        UniqueConstraint("item_id", "other_id"),
        Index("ix_zg_duplicate_campaign", "campaign_id", "resolved_at"),
    )

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    item_id = _column(Integer, ForeignKey("zg_item.id"), nullable=False)
    other_id = _column(Integer, ForeignKey("zg_item.id"), nullable=False)
    #: Similarity in thousandths (0–1000): an integer, the same on every backend.
    score = _column(Integer, nullable=False)
    created_at = _column(UTCDateTime, nullable=False)
    resolved_at = _column(UTCDateTime)
    resolved_by = _column(String(100))
    resolution = _column(String(20))


class Document(_Table):
    """A normative document a unit lists for re-study (规范性文件清理): a subject of its own on
    the definition's document lifecycle (``documents.lifecycle``); its final state is the
    decision (保留 / 修订 / 废止), reached on ``decided_at``. ``due`` and the ladder's light and
    level work as an item's do; ``version`` grows with every change (compare-and-set)."""

    __tablename__: ClassVar[str] = "zg_document"
    __table_args__ = (Index("ix_zg_document_campaign", "campaign_id", "state"),)

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    responsible_unit_id = _column(Integer, ForeignKey("zg_unit.id"), nullable=False)
    title = _column(String(200), nullable=False)
    #: 文号, e.g. 县政办发〔2019〕12号.
    doc_number = _column(String(100))
    note = _column(Text)
    state = _column(String(40), nullable=False)
    state_since = _column(UTCDateTime, nullable=False)
    due = _column(Date, nullable=False)
    light = _column(String(10), nullable=False, default="green")
    escalation_level = _column(Integer, nullable=False, default=0)
    decision_note = _column(Text)
    decided_at = _column(UTCDateTime)
    created_by = _column(String(100), nullable=False)
    created_at = _column(UTCDateTime, nullable=False)
    updated_at = _column(UTCDateTime, nullable=False)
    version = _column(Integer, nullable=False, default=1)


class Education(_Table):
    """A 警示教育 session (一、(三) 警示教育一批党员干部) a unit held: when, on what, how many
    cadres attended and the cases used (text, and the campaign's items as :class:`EducationCase`
    rows). 五个一批's 警示教育 figure is the sum of ``attendees``."""

    __tablename__: ClassVar[str] = "zg_education"
    __table_args__ = (Index("ix_zg_education_campaign", "campaign_id", "unit_id"),)

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    unit_id = _column(Integer, ForeignKey("zg_unit.id"), nullable=False)
    track = _column(String(100))
    held_on = _column(Date, nullable=False)
    title = _column(String(200), nullable=False)
    attendees = _column(Integer, nullable=False)
    cases = _column(Text)
    created_by = _column(String(100), nullable=False)
    created_at = _column(UTCDateTime, nullable=False)


class EducationCase(_Table):
    """An item of the campaign used as a case in a 警示教育 session."""

    __tablename__: ClassVar[str] = "zg_education_case"

    education_id = _column(Integer, ForeignKey("zg_education.id"), primary_key=True)
    item_id = _column(Integer, ForeignKey("zg_item.id"), primary_key=True)


class Commitment(_Table):
    """A unit's public commitment (践诺, 二、(二)): what it promised, by when, and whether it
    was kept or broken (``state`` open / fulfilled / broken, settled on ``settled_on`` with a note)."""

    __tablename__: ClassVar[str] = "zg_commitment"
    __table_args__ = (Index("ix_zg_commitment_campaign", "campaign_id", "state"),)

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    unit_id = _column(Integer, ForeignKey("zg_unit.id"), nullable=False)
    text = _column(Text, nullable=False)
    due = _column(Date, nullable=False)
    state = _column(String(20), nullable=False, default="open")
    settled_on = _column(Date)
    settle_note = _column(Text)
    settled_by = _column(String(100))
    settled_at = _column(UTCDateTime)
    created_by = _column(String(100), nullable=False)
    created_at = _column(UTCDateTime, nullable=False)


class Review(_Table):
    """A 回头看 review task: one item drawn on ``draw_day``, for the holders of ``role``
    (``follow_up.role``) to check by ``due``; ``state`` open / confirmed / finding. A finding
    reopens the item (``follow_up.trigger``). ``light`` and ``escalation_level`` as an item's,
    on the ladder ``follow_up.ladder`` (steps of subject ``review``)."""

    __tablename__: ClassVar[str] = "zg_review"
    __table_args__ = (
        UniqueConstraint("campaign_id", "item_id", "draw_day"),
        Index("ix_zg_review_campaign", "campaign_id", "state"),
    )

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    item_id = _column(Integer, ForeignKey("zg_item.id"), nullable=False)
    draw_day = _column(Date, nullable=False)
    role = _column(String(100), nullable=False)
    due = _column(Date, nullable=False)
    state = _column(String(20), nullable=False, default="open")
    finding = _column(Text)
    light = _column(String(10), nullable=False, default="green")
    escalation_level = _column(Integer, nullable=False, default=0)
    done_by = _column(String(100))
    done_at = _column(UTCDateTime)
    created_at = _column(UTCDateTime, nullable=False)


class Visit(_Table):
    """A 督查 visit: team ``team`` visited ``unit_id`` on ``day`` (unannounced), sent there by
    the draw of ``draw_day``; its findings are items (``zg_visit_finding``)."""

    __tablename__: ClassVar[str] = "zg_visit"
    __table_args__ = (Index("ix_zg_visit_campaign", "campaign_id", "draw_day"),)

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    team = _column(Integer, nullable=False)
    unit_id = _column(Integer, ForeignKey("zg_unit.id"), nullable=False)
    draw_day = _column(Date, nullable=False)
    day = _column(Date, nullable=False)
    recorded_by = _column(String(100), nullable=False)
    recorded_at = _column(UTCDateTime, nullable=False)


class VisitFinding(_Table):
    """A finding of a visit and the item (明察暗访) it became."""

    __tablename__: ClassVar[str] = "zg_visit_finding"

    visit_id = _column(Integer, ForeignKey("zg_visit.id"), primary_key=True)
    item_id = _column(Integer, ForeignKey("zg_item.id"), primary_key=True)
    ordinal = _column(Integer, nullable=False)


class Extension(_Table):
    """A 延期申请: the unit ``unit_id`` answerable for item ``item_id`` asked to move its due date
    from ``old_due`` to ``new_due`` with ``reason`` and ``progress``; ``state`` pending /
    approved / refused; ``stage``: how many of ``extensions.approvers`` have approved so far.
    ``decided_by`` / ``decided_at`` / ``note``: the decision that ended it (each decision is
    an audit event)."""

    __tablename__: ClassVar[str] = "zg_extension"
    __table_args__ = (
        Index("ix_zg_extension_campaign", "campaign_id", "state"),
        Index("ix_zg_extension_item", "item_id"),
    )

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    item_id = _column(Integer, ForeignKey("zg_item.id"), nullable=False)
    unit_id = _column(Integer, ForeignKey("zg_unit.id"), nullable=False)
    old_due = _column(Date, nullable=False)
    new_due = _column(Date, nullable=False)
    reason = _column(Text, nullable=False)
    progress = _column(Text)
    state = _column(String(20), nullable=False, default="pending")
    stage = _column(Integer, nullable=False, default=0)
    requested_by = _column(String(100), nullable=False)
    requested_at = _column(UTCDateTime, nullable=False)
    decided_by = _column(String(100))
    decided_at = _column(UTCDateTime)
    note = _column(Text)


class SendBack(_Table):
    """退单: the unit ``unit_id`` sent item ``item_id`` back (``reason``: a code of
    ``send_back.reasons``), ``clock_stopped`` when that stopped the item's deadline clock;
    ``state`` open until the office rules (审定): ``reassigned`` (to ``to_unit_id``) or
    ``insisted`` (the unit keeps it), by ``ruled_by`` at ``ruled_at`` with ``ruling_note``."""

    __tablename__: ClassVar[str] = "zg_send_back"
    __table_args__ = (
        Index("ix_zg_send_back_campaign", "campaign_id", "state"),
        Index("ix_zg_send_back_item", "item_id"),
    )

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    item_id = _column(Integer, ForeignKey("zg_item.id"), nullable=False)
    unit_id = _column(Integer, ForeignKey("zg_unit.id"), nullable=False)
    reason = _column(String(100), nullable=False)
    note = _column(Text)
    clock_stopped = _column(Boolean, nullable=False, default=False)
    state = _column(String(20), nullable=False, default="open")
    to_unit_id = _column(Integer, ForeignKey("zg_unit.id"))
    ruled_by = _column(String(100))
    ruled_at = _column(UTCDateTime)
    ruling_note = _column(Text)
    created_by = _column(String(100), nullable=False)
    created_at = _column(UTCDateTime, nullable=False)


class ItemPart(_Table):
    """协办: the co-unit ``unit_id``'s part (``part``, its 分工) of item ``item_id``, due ``due``;
    ``state`` open until the co-unit reports it done (``done_by`` / ``done_at``) or the office
    waives it (``waived_by`` / ``waived_at``), with ``note``; ``light``: how far its ladder has
    gone. The item's responsible unit is its lead unit (主办)."""

    __tablename__: ClassVar[str] = "zg_item_part"
    __table_args__ = (
        Index("ix_zg_item_part_campaign", "campaign_id", "state"),
        Index("ix_zg_item_part_item", "item_id"),
        Index("ix_zg_item_part_unit", "unit_id"),
    )

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    item_id = _column(Integer, ForeignKey("zg_item.id"), nullable=False)
    unit_id = _column(Integer, ForeignKey("zg_unit.id"), nullable=False)
    part = _column(Text, nullable=False)
    due = _column(Date, nullable=False)
    state = _column(String(20), nullable=False, default="open")
    light = _column(String(10), nullable=False, default="green")
    done_by = _column(String(100))
    done_at = _column(UTCDateTime)
    waived_by = _column(String(100))
    waived_at = _column(UTCDateTime)
    note = _column(Text)
    created_by = _column(String(100), nullable=False)
    created_at = _column(UTCDateTime, nullable=False)


class Score(_Table):
    """考核 (issue 17): unit ``unit_id``'s score for ``month`` (``YYYY-MM``) as the definition's
    ``scoring`` counted it at ``computed_at``: ``total``, the ``card`` it earned (yellow / red,
    NULL for none) and each term's count and points (``terms``, JSON). One row per campaign,
    unit and month; recomputing the month updates it only when the result changed."""

    __tablename__: ClassVar[str] = "zg_score"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id", "month"),)

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    unit_id = _column(Integer, ForeignKey("zg_unit.id"), nullable=False)
    month = _column(String(7), nullable=False)
    total = _column(Float, nullable=False)
    card = _column(String(10))
    terms = _column(Text, nullable=False)
    computed_at = _column(UTCDateTime, nullable=False)


class Attachment(_Table):
    """佐证材料: a file attached to a subject (``subject_kind`` measure / duty / verification /
    review / reporter, ``subject_id`` its row: the measure, duty occurrence, item, review task,
    item) of ``item_id`` (None for a duty's), answerable to ``unit_id`` (None for a reporter's).
    ``file_name`` as given (sanitised); ``media_type`` and ``kind`` decided by the content;
    the bytes kept by ``sha256`` in the store the definition names (one copy per content)."""

    __tablename__: ClassVar[str] = "zg_attachment"
    __table_args__ = (
        Index("ix_zg_attachment_item", "item_id"),
        Index("ix_zg_attachment_unit", "campaign_id", "unit_id"),
        Index("ix_zg_attachment_subject", "subject_kind", "subject_id"),
    )

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    item_id = _column(Integer, ForeignKey("zg_item.id"))
    subject_kind = _column(String(20), nullable=False)
    subject_id = _column(Integer, nullable=False)
    unit_id = _column(Integer, ForeignKey("zg_unit.id"))
    file_name = _column(String(200), nullable=False)
    kind = _column(String(10), nullable=False)
    media_type = _column(String(100), nullable=False)
    size = _column(Integer, nullable=False)
    sha256 = _column(String(64), nullable=False)
    created_by = _column(String(100), nullable=False)
    created_at = _column(UTCDateTime, nullable=False)


class Blob(_Table):
    """The bytes of an attachment kept in the database (``attachments.store: database``), once
    per content, by their SHA-256."""

    __tablename__: ClassVar[str] = "zg_blob"

    sha256 = _column(String(64), primary_key=True)
    size = _column(Integer, nullable=False)
    data = _column(LargeBinary, nullable=False)
    created_at = _column(UTCDateTime, nullable=False)


class Instruction(_Table):
    """领导批示: the leader ``leader`` (their name; ``leader_contact_id`` when the roster names
    them) instructed on item ``item_id`` on ``given_on`` with ``text``; recorded by
    ``recorded_by`` at ``recorded_at`` (an audit event of the item)."""

    __tablename__: ClassVar[str] = "zg_instruction"
    __table_args__ = (
        Index("ix_zg_instruction_campaign", "campaign_id"),
        Index("ix_zg_instruction_item", "item_id"),
    )

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    item_id = _column(Integer, ForeignKey("zg_item.id"), nullable=False)
    leader = _column(String(100), nullable=False)
    leader_contact_id = _column(Integer, ForeignKey("zg_contact.id"))
    given_on = _column(Date, nullable=False)
    text = _column(Text, nullable=False)
    recorded_by = _column(String(100), nullable=False)
    recorded_at = _column(UTCDateTime, nullable=False)


class Callback(_Table):
    """A 回访 task (issue 17): item ``item_id``, closed (销号) while ``unit_id`` was answerable for
    it, is to be called back by the holders of ``role`` (``callbacks.role``, the reporter's
    custodian) by ``due``; ``state`` open / done. ``result``: satisfied / basically_satisfied /
    unsatisfied (满意 / 基本满意 / 不满意), with ``note``, recorded by ``done_by`` at ``done_at``;
    ``late`` when recorded after ``due``. ``light`` and ``escalation_level`` as an item's, on
    the ladder ``callbacks.ladder`` (steps of subject ``callback``). Scoring (考核) counts
    ``result`` per ``unit_id``; the reporter is never stored here."""

    __tablename__: ClassVar[str] = "zg_callback"
    __table_args__ = (
        Index("ix_zg_callback_campaign", "campaign_id", "state"),
        Index("ix_zg_callback_item", "item_id"),
    )

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    item_id = _column(Integer, ForeignKey("zg_item.id"), nullable=False)
    unit_id = _column(Integer, ForeignKey("zg_unit.id"))
    role = _column(String(100), nullable=False)
    due = _column(Date, nullable=False)
    state = _column(String(20), nullable=False, default="open")
    result = _column(String(30))
    note = _column(Text)
    late = _column(Boolean, nullable=False, default=False)
    light = _column(String(10), nullable=False, default="green")
    escalation_level = _column(Integer, nullable=False, default=0)
    done_by = _column(String(100))
    done_at = _column(UTCDateTime)
    created_at = _column(UTCDateTime, nullable=False)


class Account(_Table):
    """A person's sign-in (issue 18): ``username`` (unique in the database) of campaign
    ``campaign_id``, shown as ``display_name`` (the actor name of what they do), acting in one
    of ``roles`` (JSON list of definition roles; the first is the default) for ``unit_key``
    (required when a role is unit-bound). ``password_hash``: argon2id, never the password.
    ``failures`` and ``locked_until``: login throttling; ``disabled_at``: the operator turned
    the account off (its sessions end)."""

    __tablename__: ClassVar[str] = "zg_account"
    __table_args__ = (UniqueConstraint("username"),)

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    username = _column(String(100), nullable=False)
    display_name = _column(String(100), nullable=False)
    unit_key = _column(String(100))
    roles = _column(Text, nullable=False)
    password_hash = _column(String(255), nullable=False)
    failures = _column(Integer, nullable=False, default=0)
    locked_until = _column(UTCDateTime)
    disabled_at = _column(UTCDateTime)
    password_set_at = _column(UTCDateTime, nullable=False)
    created_at = _column(UTCDateTime, nullable=False)


class WebSession(_Table):
    """A signed-in browser (issue 18): ``token_hash`` is the SHA-256 of the cookie's random
    value (the cookie alone opens it; a database reader cannot), ``csrf`` the token every form
    and unsafe request must echo, ``role`` the account's role acting now. Ends at
    ``last_seen_at`` + the idle limit, at ``created_at`` + the absolute limit, on sign-out
    (``ended_at``) and when the account is disabled or its password reset."""

    __tablename__: ClassVar[str] = "zg_web_session"
    __table_args__ = (UniqueConstraint("token_hash"), Index("ix_zg_web_session_account", "account_id"))

    id = _column(Integer, primary_key=True)
    account_id = _column(Integer, ForeignKey("zg_account.id"), nullable=False)
    token_hash = _column(String(64), nullable=False)
    csrf = _column(String(64), nullable=False)
    role = _column(String(100), nullable=False)
    created_at = _column(UTCDateTime, nullable=False)
    last_seen_at = _column(UTCDateTime, nullable=False)
    ended_at = _column(UTCDateTime)


class ApiToken(_Table):
    """An API token of a county system (issue 18): ``name`` (the actor name of what it does),
    ``prefix`` (the first characters, shown in lists), ``token_hash`` (SHA-256 of the whole
    token: shown once, never stored), the ``roles`` and ``units`` (JSON lists) it may act in
    and for, ``revoked_at`` once revoked, ``last_used_at``."""

    __tablename__: ClassVar[str] = "zg_api_token"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    name = _column(String(100), nullable=False)
    prefix = _column(String(20), nullable=False)
    token_hash = _column(String(64), nullable=False)
    roles = _column(Text, nullable=False)
    units = _column(Text, nullable=False)
    created_at = _column(UTCDateTime, nullable=False)
    last_used_at = _column(UTCDateTime)
    revoked_at = _column(UTCDateTime)


class AccessLog(_Table):
    """The access log (issue 18), append-only: every sign-in, failed sign-in, sign-out, expiry
    and every account or token change (``kind``), by whom (``username`` as typed, ``account_id``
    when known, ``token_id``), from where (``remote``), with ``detail`` (JSON, no secret)."""

    __tablename__: ClassVar[str] = "zg_access_log"
    __table_args__ = (Index("ix_zg_access_log_at", "at"),)

    id = _column(Integer, primary_key=True)
    at = _column(UTCDateTime, nullable=False)
    kind = _column(String(40), nullable=False)
    username = _column(String(100))
    account_id = _column(Integer)
    token_id = _column(Integer)
    remote = _column(String(100))
    detail = _column(Text, nullable=False)


class IdempotencyRecord(_Table):
    """An HTTP ``Idempotency-Key`` (issue 18): the first answer to a POST of ``principal``
    (``token:<id>`` or ``account:<id>``) with ``key``: ``method`` and ``path``, the SHA-256 of
    the request body (``request_hash``), the answer's ``status`` and ``body`` (both None while
    the first request still runs). A repeat gets the stored answer; rows older than a day may
    be purged."""

    __tablename__: ClassVar[str] = "zg_idempotency"
    __table_args__ = (UniqueConstraint("principal", "key"), Index("ix_zg_idempotency_created", "created_at"))

    id = _column(Integer, primary_key=True)
    principal = _column(String(60), nullable=False)
    key = _column(String(255), nullable=False)
    method = _column(String(10), nullable=False)
    path = _column(String(500), nullable=False)
    request_hash = _column(String(64), nullable=False)
    status = _column(Integer)
    body = _column(Text)
    created_at = _column(UTCDateTime, nullable=False)


class Webhook(_Table):
    """A county system's webhook subscription (issue 18): committed audit events of the
    campaign whose trigger is in ``kinds`` (a JSON list, or ``["*"]``) are POSTed to ``url``,
    signed with ``secret`` (HMAC-SHA256; stored as given, since signing needs it: the operator
    rotates it by adding a new subscription and disabling the old). ``cursor`` is the ``seq`` of
    the last audit event the relay has looked at; ``disabled_at`` once turned off."""

    __tablename__: ClassVar[str] = "zg_webhook"
    __table_args__ = (UniqueConstraint("campaign_id", "name"),)

    id = _column(Integer, primary_key=True)
    campaign_id = _column(Integer, ForeignKey("zg_campaign.id"), nullable=False)
    name = _column(String(100), nullable=False)
    url = _column(String(500), nullable=False)
    secret = _column(String(200), nullable=False)
    kinds = _column(Text, nullable=False)
    cursor = _column(Integer, nullable=False, default=0)
    created_at = _column(UTCDateTime, nullable=False)
    disabled_at = _column(UTCDateTime)
