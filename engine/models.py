"""The tables (SQLModel). Table names carry a ``zg_`` prefix so a host system can keep them in
its own database beside its tables.

The item row is the source of truth for an item's state. The reporter's identity lives in
``zg_item_reporter`` only; nothing a unit sees joins it (see ``Engine.read_reporter``).

All datetimes are stored as UTC and come back timezone-aware (:class:`UTCDateTime`). Due
dates are calendar dates in the campaign's timezone: an item is late after the end of its due
date there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, ClassVar

from sqlalchemy import Column, Date, DateTime, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import LargeBinary, TypeDecorator
from sqlmodel import Field, SQLModel

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

metadata = SQLModel.metadata


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


def _utc_column(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


class Campaign(SQLModel, table=True):
    """One run of a plan (专项行动): a definition id + version, started for a county."""

    __tablename__: ClassVar[str] = "zg_campaign"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=100, unique=True)
    title: str = Field(max_length=200)
    county: str = Field(max_length=100)
    definition_id: str = Field(max_length=100)
    definition_version: str = Field(max_length=40)
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    lifecycle_json: str = Field(sa_column=Column(Text, nullable=False))
    roles_json: str = Field(sa_column=Column(Text, nullable=False))
    channels_json: str = Field(sa_column=Column(Text, nullable=False))
    created_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    #: The whole definition (CampaignSetup as JSON); NULL for campaigns started before it was kept.
    definition_json: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Unit(SQLModel, table=True):
    """A unit (责任单位) of a campaign."""

    __tablename__: ClassVar[str] = "zg_unit"
    __table_args__ = (UniqueConstraint("campaign_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id", index=True)
    key: str = Field(max_length=100)
    name: str = Field(max_length=200)
    kind: str = Field(default="unit", max_length=40)


class Track(SQLModel, table=True):
    """A focus track (专项整治); ``unit_keys`` in the plan's order, the first is the lead unit."""

    __tablename__: ClassVar[str] = "zg_track"
    __table_args__ = (UniqueConstraint("campaign_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id", index=True)
    key: str = Field(max_length=100)
    name: str = Field(max_length=200)
    unit_keys_json: str = Field(sa_column=Column(Text, nullable=False))


class Contact(SQLModel, table=True):
    """A person of a unit who receives messages (通讯录): campaign data, not part of a
    definition version. Personal data: never in an audit event's payload. A removed contact
    stays (``removed_at``) so the messages it was sent keep their recipient."""

    __tablename__: ClassVar[str] = "zg_contact"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="zg_unit.id", index=True)
    name: str = Field(max_length=100)
    role: str = Field(default="contact", max_length=100)
    email: str | None = Field(default=None, max_length=200)
    mobile: str | None = Field(default=None, max_length=40)
    channels: str = Field(default="", max_length=200)
    wecom_id: str | None = Field(default=None, max_length=100)
    dingtalk_id: str | None = Field(default=None, max_length=100)
    active_from: dt.date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    active_to: dt.date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    created_at: dt.datetime | None = _utc_column()
    updated_at: dt.datetime | None = _utc_column()
    removed_at: dt.datetime | None = _utc_column()
    #: The supervision team (督查工作组) a supervision-role contact belongs to (0019).
    team: int | None = Field(default=None)
    #: The track whose working group the contact belongs to (e.g. its 组长): a role message
    #: about an item of that track reaches it, not the same role of other tracks (0016).
    track: str | None = Field(default=None, max_length=100)


class CalendarYear(SQLModel, table=True):
    """A year's holiday notice loaded by an operator (``zhenggai calendar load``). Rows are never
    deleted: the newest row of a year is in force, older ones are its history. ``replaces`` says
    what it took the place of: ``package`` (the installed statutory data, only with
    ``--replace``), ``loaded`` (an earlier row), or nothing."""

    __tablename__: ClassVar[str] = "zg_calendar_year"

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    holidays_json: str = Field(sa_column=Column(Text, nullable=False))
    workdays_json: str = Field(sa_column=Column(Text, nullable=False))
    source: str = Field(max_length=300)
    notice: str | None = Field(default=None, max_length=200)
    sha256: str = Field(max_length=64)
    replaces: str | None = Field(default=None, max_length=20)
    loaded_by: str = Field(max_length=100)
    loaded_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)


_ITEM_VERSION = Column("version", Integer, nullable=False)


class Item(SQLModel, table=True):
    """A problem item (问题 / 问题线索): the unit of the state machine.

    ``version`` starts at 1 and grows by one with every change, written by compare-and-set.
    """

    __tablename__: ClassVar[str] = "zg_item"
    # ORM writes compare-and-set on the same Column object the field uses; the Core hot
    # path (engine/_service.py) does the same by hand.
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _ITEM_VERSION}
    __table_args__ = (
        Index("ix_zg_item_campaign_state", "campaign_id", "state"),
        Index("ix_zg_item_unit", "responsible_unit_id"),
        Index("ix_zg_item_number", "campaign_id", "number", unique=True),
        # The listings and reports of a unit, a track and a light, in id order (revision 0033).
        Index("ix_zg_item_campaign_unit", "campaign_id", "responsible_unit_id", "id"),
        Index("ix_zg_item_campaign_track", "campaign_id", "track", "id"),
        Index("ix_zg_item_campaign_light", "campaign_id", "light", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    track: str = Field(max_length=100)
    channel: str = Field(max_length=40)
    title: str = Field(max_length=200)
    description: str = Field(sa_column=Column(Text, nullable=False))
    severity: str = Field(default="normal", max_length=20)
    state: str = Field(max_length=40)
    responsible_unit_id: int | None = Field(default=None, foreign_key="zg_unit.id")
    leading_official: str | None = Field(default=None, max_length=100)
    due: dt.date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    #: What a due date given by the definition's rule counts from (received day, days, count),
    #: so a calendar change can recompute it; NULL for a due date a person chose.
    due_from: dt.date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    due_days: int | None = Field(default=None)
    due_count: str | None = Field(default=None, max_length=10)
    #: A paused deadline clock (暂停计时): since when, and the working days it had left.
    paused_at: dt.datetime | None = _utc_column()
    paused_days: int | None = Field(default=None)
    #: When the item entered its state (timed transitions count from it).
    state_since: dt.datetime | None = _utc_column()
    light: str = Field(default="green", max_length=10)
    escalation_level: int = Field(default=0)
    reopen_count: int = Field(default=0)
    merged_into_id: int | None = Field(default=None, foreign_key="zg_item.id")
    dismiss_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    last_finding: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    has_reporter: bool = Field(default=False)
    created_by: str = Field(max_length=100)
    created_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    verified_at: dt.datetime | None = _utc_column()
    closed_at: dt.datetime | None = _utc_column()
    closed_by: str | None = Field(default=None, max_length=100)
    closed_by_unit: str | None = Field(default=None, max_length=100)
    #: 典型案例: marked for the case bulletin, with the note it prints.
    case_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    case_marked_at: dt.datetime | None = _utc_column()
    case_marked_by: str | None = Field(default=None, max_length=100)
    #: Where and when the typical case was published (通报曝光).
    case_published_at: dt.date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    case_published_where: str | None = Field(default=None, max_length=200)
    version: int = Field(default=1, sa_column=_ITEM_VERSION)
    #: 问题编号: stable within the campaign (e.g. ``ZG-2023-0001``), given when reported.
    number: str | None = Field(default=None, max_length=40)
    #: 移送: the unit an item reported on a channel with ``transfer_to`` lands with first, the
    #: day its 初核 is due, and when and by whom the 初核 was done (NULL: pending).
    #: (A zg_unit id; no foreign key: see migration 0017.)
    transfer_unit_id: int | None = Field(default=None)
    transfer_due: dt.date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    transfer_checked_at: dt.datetime | None = _utc_column()
    transfer_checked_by: str | None = Field(default=None, max_length=100)
    #: 领衔领导: the roster person who leads the item (``Engine.lead_item``, 0016);
    #: ``leading_official`` shows their name.
    leader_contact_id: int | None = Field(default=None, foreign_key="zg_contact.id")
    #: 领衔调研: when the leader's research is due (set by 领衔), when it was reported done and
    #: what it found (问题原因、解决办法; NULL: pending). See migration 0021.
    research_due: dt.date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    research_done_at: dt.datetime | None = _utc_column()
    research_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Serial(SQLModel, table=True):
    """The last number given per campaign and kind (``item``: 问题编号; a numbered document's
    kind: its 期数), taken under the row's lock."""

    __tablename__: ClassVar[str] = "zg_serial"

    campaign_id: int = Field(foreign_key="zg_campaign.id", primary_key=True)
    kind: str = Field(max_length=40, primary_key=True)
    last: int


class Issue(SQLModel, table=True):
    """A numbered document issued (工作进展通报 第N期): once per campaign, kind and as-of day."""

    __tablename__: ClassVar[str] = "zg_issue"
    __table_args__ = (
        UniqueConstraint("campaign_id", "kind", "number"),
        UniqueConstraint("campaign_id", "kind", "as_of"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    kind: str = Field(max_length=40)
    number: int
    as_of: dt.date = Field(sa_type=Date, nullable=False)
    issued_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    issued_by: str = Field(max_length=100)


class ItemReporter(SQLModel, table=True):
    """The reporter (举报人) of an item, kept apart. Read only through ``Engine.read_reporter``."""

    __tablename__: ClassVar[str] = "zg_item_reporter"

    item_id: int = Field(foreign_key="zg_item.id", primary_key=True)
    name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    contact: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    #: The identity sealed (AES-GCM, bound to the item) with the key ``key_id`` names; the
    #: plaintext columns above are only for rows written before revision 0011, until rekeyed.
    sealed: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    key_id: str | None = Field(default=None, max_length=16)


class Measure(SQLModel, table=True):
    """A rectification measure (整改措施) of an item."""

    __tablename__: ClassVar[str] = "zg_measure"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="zg_item.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    due: dt.date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    done_at: dt.datetime | None = _utc_column()
    done_by: str | None = Field(default=None, max_length=100)
    created_by: str = Field(max_length=100)
    created_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    #: 协办: the co-unit's part (``zg_item_part.id``) this measure belongs to; NULL: the lead
    #: unit's own measure (revision 0024; a plain column, the part row names the item).
    part_id: int | None = Field(default=None, nullable=True)


class Event(SQLModel, table=True):
    """The append-only audit trail, one hash chain per campaign.

    ``seq`` counts 1, 2, 3 … within a campaign; ``hash`` covers every field and ``prev_hash``,
    so an altered, inserted or deleted row breaks the chain (``zg_audit_head`` pins the tail).
    """

    __tablename__: ClassVar[str] = "zg_event"
    __table_args__ = (
        UniqueConstraint("campaign_id", "seq"),
        Index("ix_zg_event_subject", "subject_kind", "subject_id", "seq"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    seq: int
    item_id: int | None = Field(default=None, foreign_key="zg_item.id", index=True)
    #: What the event is about (``item``, ``document``, ``duty``, ``contact``, ``mechanism``,
    #: ``practice``, or the ``campaign``) and its id: one subject's history is one indexed query.
    #: Derived from what the hash covers (:func:`zhenggai.engine.audit.event_subject`).
    subject_kind: str = Field(max_length=20)
    subject_id: int
    trigger: str = Field(max_length=60)
    from_state: str | None = Field(default=None, max_length=40)
    to_state: str | None = Field(default=None, max_length=40)
    actor: str = Field(max_length=100)
    role: str = Field(max_length=60)
    unit: str | None = Field(default=None, max_length=100)
    at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    data: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The tail of a campaign's audit chain: last ``seq`` and ``hash``. Locked per write."""

    __tablename__: ClassVar[str] = "zg_audit_head"

    campaign_id: int = Field(foreign_key="zg_campaign.id", primary_key=True)
    seq: int = Field(default=0)
    hash: str = Field(max_length=64)


class Outbox(SQLModel, table=True):
    """A message to send, written in the same transaction as the change that caused it.

    ``payload`` holds the message's variables (never the reporter's identity); templates
    render it at dispatch time. ``idempotency_key`` = subject + trigger/step + recipient.
    """

    __tablename__: ClassVar[str] = "zg_outbox"
    __table_args__ = (
        Index("ix_zg_outbox_due", "status", "next_try_at"),
        Index("ix_zg_outbox_audit", "campaign_id", "audit_seq"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    item_id: int | None = Field(default=None, foreign_key="zg_item.id")
    kind: str = Field(max_length=60)
    channel: str = Field(max_length=40)
    recipient: str = Field(max_length=200)
    contact_id: int | None = Field(default=None, foreign_key="zg_contact.id")
    idempotency_key: str = Field(sa_column=Column(String(300), nullable=False, unique=True))
    payload: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", max_length=20)
    attempts: int = Field(default=0)
    next_try_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    sent_at: dt.datetime | None = _utc_column()
    #: The ``seq`` of the audit event that vouches for this row (its hashed data holds the
    #: digest of the rows queued with it); None for rows queued before revision 0012.
    audit_seq: int | None = Field(default=None)


class Step(SQLModel, table=True):
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
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    subject_kind: str = Field(max_length=20)
    subject_id: int
    step_key: str = Field(max_length=120)
    due_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    status: str = Field(default="pending", max_length=20)
    fired_at: dt.datetime | None = _utc_column()
    created_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)


class Heartbeat(SQLModel, table=True):
    """A scheduler daemon's sign of life (``zhenggai run``), one row per daemon process: when it
    started, when it last swept, and what it has done; ``stopped_at`` once it stopped cleanly."""

    __tablename__: ClassVar[str] = "zg_heartbeat"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    host: str = Field(max_length=200)
    pid: int
    started_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    beat_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    stopped_at: dt.datetime | None = _utc_column()
    interval: float = Field(default=60.0)
    sweeps: int = Field(default=0)
    fired: int = Field(default=0)


class Duty(SQLModel, table=True):
    """One occurrence of a unit's duty (职责): the unit owes ``duty_key`` by ``due`` (e.g. its
    一报告四清单 by 2023-07-31, or this week's 部门联动 report). Its reminder and escalation
    steps are ``zg_step`` rows of subject ``duty``; completing it cancels them."""

    __tablename__: ClassVar[str] = "zg_duty"
    __table_args__ = (
        UniqueConstraint("campaign_id", "duty_key", "unit_id", "due"),
        Index("ix_zg_duty_unit", "unit_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    duty_key: str = Field(max_length=100)
    unit_id: int = Field(foreign_key="zg_unit.id")
    due: dt.date = Field(sa_type=Date, nullable=False)
    status: str = Field(default="open", max_length=20)
    light: str = Field(default="green", max_length=10)
    escalation_level: int = Field(default=0)
    done_at: dt.datetime | None = _utc_column()
    done_by: str | None = Field(default=None, max_length=100)


class Outcome(SQLModel, table=True):
    """What came of a closed or dismissed item: the root cause, who recorded it and when. The
    people held accountable are :class:`Accountability` rows; the mechanisms it produced are
    :class:`OutcomeMechanism` rows."""

    __tablename__: ClassVar[str] = "zg_outcome"

    item_id: int = Field(foreign_key="zg_item.id", primary_key=True)
    root_cause: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    recorded_by: str = Field(max_length=100)
    recorded_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)


class Accountability(SQLModel, table=True):
    """One person held accountable for an item (问责 / 处理), in the definition's vocabulary.
    Personal data: read only through ``Engine.outcome`` by the roles the definition allows
    (``operations.read_named_people``); never in audit event data."""

    __tablename__: ClassVar[str] = "zg_accountability"
    __table_args__ = (Index("ix_zg_accountability_item", "item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="zg_item.id")
    ordinal: int = Field(nullable=False)
    person: str = Field(max_length=100)
    position: str | None = Field(default=None, max_length=100)
    outcome: str = Field(max_length=100)


class Mechanism(SQLModel, table=True):
    """A long-term mechanism (长效机制: a rule, procedure or system) a unit establishes or
    revises because of the campaign; ``status`` is drafting / established / revised /
    abolished as of ``date``."""

    __tablename__: ClassVar[str] = "zg_mechanism"
    __table_args__ = (Index("ix_zg_mechanism_campaign", "campaign_id", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    unit_id: int = Field(foreign_key="zg_unit.id")
    track: str | None = Field(default=None, max_length=100)
    title: str = Field(max_length=200)
    kind: str = Field(max_length=100)
    status: str = Field(max_length=20)
    date: dt.date = Field(sa_type=Date, nullable=False)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_by: str = Field(max_length=100)
    created_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    updated_by: str = Field(max_length=100)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)


class MechanismItem(SQLModel, table=True):
    """An item that led to a mechanism, given when the mechanism was registered."""

    __tablename__: ClassVar[str] = "zg_mechanism_item"

    mechanism_id: int = Field(foreign_key="zg_mechanism.id", primary_key=True)
    item_id: int = Field(foreign_key="zg_item.id", primary_key=True)


class OutcomeMechanism(SQLModel, table=True):
    """A mechanism an item's outcome links (replaced with the outcome)."""

    __tablename__: ClassVar[str] = "zg_outcome_mechanism"

    item_id: int = Field(foreign_key="zg_item.id", primary_key=True)
    mechanism_id: int = Field(foreign_key="zg_mechanism.id", primary_key=True)


class Practice(SQLModel, table=True):
    """A good practice or innovative case (典型做法和创新案例) a unit submits; the publicity
    role selects it for the public digest's 晒成效 column."""

    __tablename__: ClassVar[str] = "zg_practice"
    __table_args__ = (Index("ix_zg_practice_campaign", "campaign_id", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    unit_id: int = Field(foreign_key="zg_unit.id")
    track: str | None = Field(default=None, max_length=100)
    title: str = Field(max_length=200)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    submitted_by: str = Field(max_length=100)
    submitted_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    selected: bool = Field(default=False)
    selected_by: str | None = Field(default=None, max_length=100)
    selected_at: dt.datetime | None = _utc_column()


class DuplicateFlag(SQLModel, table=True):
    """关联研判: ``item_id`` looks like ``other_id`` (same track and unit, similar text), flagged
    when the item was reported or imported, for a person to judge: ``same`` (merged) or
    ``distinct``.
    The engine never merges on its own."""

    __tablename__: ClassVar[str] = "zg_duplicate"
    __table_args__ = (
        UniqueConstraint("item_id", "other_id"),
        Index("ix_zg_duplicate_campaign", "campaign_id", "resolved_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    item_id: int = Field(foreign_key="zg_item.id")
    other_id: int = Field(foreign_key="zg_item.id")
    #: Similarity in thousandths (0–1000): an integer, the same on every backend.
    score: int = Field(nullable=False)
    created_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    resolved_at: dt.datetime | None = _utc_column()
    resolved_by: str | None = Field(default=None, max_length=100)
    resolution: str | None = Field(default=None, max_length=20)


class Document(SQLModel, table=True):
    """A normative document a unit lists for re-study (规范性文件清理): a subject of its own on
    the definition's document lifecycle (``documents.lifecycle``); its final state is the
    decision (保留 / 修订 / 废止), reached on ``decided_at``. ``due`` and the ladder's light and
    level work as an item's do; ``version`` grows with every change (compare-and-set)."""

    __tablename__: ClassVar[str] = "zg_document"
    __table_args__ = (Index("ix_zg_document_campaign", "campaign_id", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    responsible_unit_id: int = Field(foreign_key="zg_unit.id")
    title: str = Field(max_length=200)
    #: 文号, e.g. 县政办发〔2019〕12号.
    doc_number: str | None = Field(default=None, max_length=100)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    state: str = Field(max_length=40)
    state_since: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    due: dt.date = Field(sa_type=Date, nullable=False)
    light: str = Field(default="green", max_length=10)
    escalation_level: int = Field(default=0)
    decision_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    decided_at: dt.datetime | None = _utc_column()
    created_by: str = Field(max_length=100)
    created_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1)


class Education(SQLModel, table=True):
    """A 警示教育 session (一、(三) 警示教育一批党员干部) a unit held: when, on what, how many
    cadres attended and the cases used (text, and the campaign's items as :class:`EducationCase`
    rows). 五个一批's 警示教育 figure is the sum of ``attendees``."""

    __tablename__: ClassVar[str] = "zg_education"
    __table_args__ = (Index("ix_zg_education_campaign", "campaign_id", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    unit_id: int = Field(foreign_key="zg_unit.id")
    track: str | None = Field(default=None, max_length=100)
    held_on: dt.date = Field(sa_type=Date, nullable=False)
    title: str = Field(max_length=200)
    attendees: int = Field(nullable=False)
    cases: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_by: str = Field(max_length=100)
    created_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)


class EducationCase(SQLModel, table=True):
    """An item of the campaign used as a case in a 警示教育 session."""

    __tablename__: ClassVar[str] = "zg_education_case"

    education_id: int = Field(foreign_key="zg_education.id", primary_key=True)
    item_id: int = Field(foreign_key="zg_item.id", primary_key=True)


class Commitment(SQLModel, table=True):
    """A unit's public commitment (践诺, 二、(二)): what it promised, by when, and whether it
    was kept or broken (``state`` open / fulfilled / broken, settled on ``settled_on`` with a note)."""

    __tablename__: ClassVar[str] = "zg_commitment"
    __table_args__ = (Index("ix_zg_commitment_campaign", "campaign_id", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    unit_id: int = Field(foreign_key="zg_unit.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    due: dt.date = Field(sa_type=Date, nullable=False)
    state: str = Field(default="open", max_length=20)
    settled_on: dt.date | None = Field(default=None, sa_type=Date, nullable=True)
    settle_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    settled_by: str | None = Field(default=None, max_length=100)
    settled_at: dt.datetime | None = _utc_column()
    created_by: str = Field(max_length=100)
    created_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)


class Review(SQLModel, table=True):
    """A 回头看 review task: one item drawn on ``draw_day``, for the holders of ``role``
    (``follow_up.role``) to check by ``due``; ``state`` open / confirmed / finding. A finding
    reopens the item (``follow_up.trigger``). ``light`` and ``escalation_level`` as an item's,
    on the ladder ``follow_up.ladder`` (steps of subject ``review``)."""

    __tablename__: ClassVar[str] = "zg_review"
    __table_args__ = (
        UniqueConstraint("campaign_id", "item_id", "draw_day"),
        Index("ix_zg_review_campaign", "campaign_id", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    item_id: int = Field(foreign_key="zg_item.id")
    draw_day: dt.date = Field(sa_type=Date, nullable=False)
    role: str = Field(max_length=100)
    due: dt.date = Field(sa_type=Date, nullable=False)
    state: str = Field(default="open", max_length=20)
    finding: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    light: str = Field(default="green", max_length=10)
    escalation_level: int = Field(default=0)
    done_by: str | None = Field(default=None, max_length=100)
    done_at: dt.datetime | None = _utc_column()
    created_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)


class Visit(SQLModel, table=True):
    """A 督查 visit: team ``team`` visited ``unit_id`` on ``day`` (unannounced), sent there by
    the draw of ``draw_day``; its findings are items (``zg_visit_finding``)."""

    __tablename__: ClassVar[str] = "zg_visit"
    __table_args__ = (Index("ix_zg_visit_campaign", "campaign_id", "draw_day"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    team: int = Field(nullable=False)
    unit_id: int = Field(foreign_key="zg_unit.id")
    draw_day: dt.date = Field(sa_type=Date, nullable=False)
    day: dt.date = Field(sa_type=Date, nullable=False)
    recorded_by: str = Field(max_length=100)
    recorded_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)


class VisitFinding(SQLModel, table=True):
    """A finding of a visit and the item (明察暗访) it became."""

    __tablename__: ClassVar[str] = "zg_visit_finding"

    visit_id: int = Field(foreign_key="zg_visit.id", primary_key=True)
    item_id: int = Field(foreign_key="zg_item.id", primary_key=True)
    ordinal: int = Field(nullable=False)


class Extension(SQLModel, table=True):
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

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    item_id: int = Field(foreign_key="zg_item.id")
    unit_id: int = Field(foreign_key="zg_unit.id")
    old_due: dt.date = Field(sa_type=Date, nullable=False)
    new_due: dt.date = Field(sa_type=Date, nullable=False)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    progress: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    state: str = Field(default="pending", max_length=20)
    stage: int = Field(default=0)
    requested_by: str = Field(max_length=100)
    requested_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    decided_by: str | None = Field(default=None, max_length=100)
    decided_at: dt.datetime | None = _utc_column()
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class SendBack(SQLModel, table=True):
    """退单: the unit ``unit_id`` sent item ``item_id`` back (``reason``: a code of
    ``send_back.reasons``), ``clock_stopped`` when that stopped the item's deadline clock;
    ``state`` open until the office rules (审定): ``reassigned`` (to ``to_unit_id``) or
    ``insisted`` (the unit keeps it), by ``ruled_by`` at ``ruled_at`` with ``ruling_note``."""

    __tablename__: ClassVar[str] = "zg_send_back"
    __table_args__ = (
        Index("ix_zg_send_back_campaign", "campaign_id", "state"),
        Index("ix_zg_send_back_item", "item_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    item_id: int = Field(foreign_key="zg_item.id")
    unit_id: int = Field(foreign_key="zg_unit.id")
    reason: str = Field(max_length=100)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    clock_stopped: bool = Field(default=False)
    state: str = Field(default="open", max_length=20)
    to_unit_id: int | None = Field(default=None, foreign_key="zg_unit.id", nullable=True)
    ruled_by: str | None = Field(default=None, max_length=100)
    ruled_at: dt.datetime | None = _utc_column()
    ruling_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_by: str = Field(max_length=100)
    created_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)


class ItemPart(SQLModel, table=True):
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

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    item_id: int = Field(foreign_key="zg_item.id")
    unit_id: int = Field(foreign_key="zg_unit.id")
    part: str = Field(sa_column=Column(Text, nullable=False))
    due: dt.date = Field(sa_type=Date, nullable=False)
    state: str = Field(default="open", max_length=20)
    light: str = Field(default="green", max_length=10)
    done_by: str | None = Field(default=None, max_length=100)
    done_at: dt.datetime | None = _utc_column()
    waived_by: str | None = Field(default=None, max_length=100)
    waived_at: dt.datetime | None = _utc_column()
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_by: str = Field(max_length=100)
    created_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)


class Score(SQLModel, table=True):
    """考核 (issue 17): unit ``unit_id``'s score for ``month`` (``YYYY-MM``) as the definition's
    ``scoring`` counted it at ``computed_at``: ``total``, the ``card`` it earned (yellow / red,
    NULL for none) and each term's count and points (``terms``, JSON). One row per campaign,
    unit and month; recomputing the month updates it only when the result changed."""

    __tablename__: ClassVar[str] = "zg_score"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    unit_id: int = Field(foreign_key="zg_unit.id")
    month: str = Field(max_length=7)
    total: float = Field(nullable=False)
    card: str | None = Field(default=None, max_length=10, nullable=True)
    terms: str = Field(sa_column=Column(Text, nullable=False))
    computed_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)


class Attachment(SQLModel, table=True):
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

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    item_id: int | None = Field(default=None, foreign_key="zg_item.id", nullable=True)
    subject_kind: str = Field(max_length=20)
    subject_id: int = Field(nullable=False)
    unit_id: int | None = Field(default=None, foreign_key="zg_unit.id", nullable=True)
    file_name: str = Field(max_length=200)
    kind: str = Field(max_length=10)
    media_type: str = Field(max_length=100)
    size: int = Field(nullable=False)
    sha256: str = Field(max_length=64)
    created_by: str = Field(max_length=100)
    created_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)


class Blob(SQLModel, table=True):
    """The bytes of an attachment kept in the database (``attachments.store: database``), once
    per content, by their SHA-256."""

    __tablename__: ClassVar[str] = "zg_blob"

    sha256: str = Field(primary_key=True, max_length=64)
    size: int = Field(nullable=False)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)


class Instruction(SQLModel, table=True):
    """领导批示: the leader ``leader`` (their name; ``leader_contact_id`` when the roster names
    them) instructed on item ``item_id`` on ``given_on`` with ``text``; recorded by
    ``recorded_by`` at ``recorded_at`` (an audit event of the item)."""

    __tablename__: ClassVar[str] = "zg_instruction"
    __table_args__ = (
        Index("ix_zg_instruction_campaign", "campaign_id"),
        Index("ix_zg_instruction_item", "item_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    item_id: int = Field(foreign_key="zg_item.id")
    leader: str = Field(max_length=100)
    leader_contact_id: int | None = Field(default=None, foreign_key="zg_contact.id", nullable=True)
    given_on: dt.date = Field(sa_type=Date, nullable=False)
    text: str = Field(sa_column=Column(Text, nullable=False))
    recorded_by: str = Field(max_length=100)
    recorded_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)


class Callback(SQLModel, table=True):
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

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    item_id: int = Field(foreign_key="zg_item.id")
    unit_id: int | None = Field(default=None, foreign_key="zg_unit.id", nullable=True)
    role: str = Field(max_length=100)
    due: dt.date = Field(sa_type=Date, nullable=False)
    state: str = Field(default="open", max_length=20)
    result: str | None = Field(default=None, max_length=30)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    late: bool = Field(default=False)
    light: str = Field(default="green", max_length=10)
    escalation_level: int = Field(default=0)
    done_by: str | None = Field(default=None, max_length=100)
    done_at: dt.datetime | None = _utc_column()
    created_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)


class Account(SQLModel, table=True):
    """A person's sign-in (issue 18): ``username`` (unique in the database) of campaign
    ``campaign_id``, shown as ``display_name`` (the actor name of what they do), acting in one
    of ``roles`` (JSON list of definition roles; the first is the default) for ``unit_key``
    (required when a role is unit-bound). ``password_hash``: argon2id, never the password.
    ``failures`` and ``locked_until``: login throttling; ``disabled_at``: the operator turned
    the account off (its sessions end)."""

    __tablename__: ClassVar[str] = "zg_account"
    __table_args__ = (UniqueConstraint("username"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    username: str = Field(max_length=100)
    display_name: str = Field(max_length=100)
    unit_key: str | None = Field(default=None, max_length=100, nullable=True)
    roles: str = Field(sa_column=Column(Text, nullable=False))
    password_hash: str = Field(max_length=255)
    failures: int = Field(default=0)
    locked_until: dt.datetime | None = _utc_column()
    disabled_at: dt.datetime | None = _utc_column()
    password_set_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    created_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)


class WebSession(SQLModel, table=True):
    """A signed-in browser (issue 18): ``token_hash`` is the SHA-256 of the cookie's random
    value (the cookie alone opens it; a database reader cannot), ``csrf`` the token every form
    and unsafe request must echo, ``role`` the account's role acting now. Ends at
    ``last_seen_at`` + the idle limit, at ``created_at`` + the absolute limit, on sign-out
    (``ended_at``) and when the account is disabled or its password reset."""

    __tablename__: ClassVar[str] = "zg_web_session"
    __table_args__ = (UniqueConstraint("token_hash"), Index("ix_zg_web_session_account", "account_id"))

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="zg_account.id")
    token_hash: str = Field(max_length=64)
    csrf: str = Field(max_length=64)
    role: str = Field(max_length=100)
    created_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    last_seen_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    ended_at: dt.datetime | None = _utc_column()


class ApiToken(SQLModel, table=True):
    """An API token of a county system (issue 18): ``name`` (the actor name of what it does),
    ``prefix`` (the first characters, shown in lists), ``token_hash`` (SHA-256 of the whole
    token: shown once, never stored), the ``roles`` and ``units`` (JSON lists) it may act in
    and for, ``revoked_at`` once revoked, ``last_used_at``."""

    __tablename__: ClassVar[str] = "zg_api_token"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=20)
    token_hash: str = Field(max_length=64)
    roles: str = Field(sa_column=Column(Text, nullable=False))
    units: str = Field(sa_column=Column(Text, nullable=False))
    created_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    last_used_at: dt.datetime | None = _utc_column()
    revoked_at: dt.datetime | None = _utc_column()


class AccessLog(SQLModel, table=True):
    """The access log (issue 18), append-only: every sign-in, failed sign-in, sign-out, expiry
    and every account or token change (``kind``), by whom (``username`` as typed, ``account_id``
    when known, ``token_id``), from where (``remote``), with ``detail`` (JSON, no secret)."""

    __tablename__: ClassVar[str] = "zg_access_log"
    __table_args__ = (Index("ix_zg_access_log_at", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    kind: str = Field(max_length=40)
    username: str | None = Field(default=None, max_length=100, nullable=True)
    account_id: int | None = Field(default=None, nullable=True)
    token_id: int | None = Field(default=None, nullable=True)
    remote: str | None = Field(default=None, max_length=100, nullable=True)
    detail: str = Field(sa_column=Column(Text, nullable=False))


class IdempotencyRecord(SQLModel, table=True):
    """An HTTP ``Idempotency-Key`` (issue 18): the first answer to a POST of ``principal``
    (``token:<id>`` or ``account:<id>``) with ``key``: ``method`` and ``path``, the SHA-256 of
    the request body (``request_hash``), the answer's ``status`` and ``body`` (both None while
    the first request still runs). A repeat gets the stored answer; rows older than a day may
    be purged."""

    __tablename__: ClassVar[str] = "zg_idempotency"
    __table_args__ = (UniqueConstraint("principal", "key"), Index("ix_zg_idempotency_created", "created_at"))

    id: int | None = Field(default=None, primary_key=True)
    principal: str = Field(max_length=60)
    key: str = Field(max_length=255)
    method: str = Field(max_length=10)
    path: str = Field(max_length=500)
    request_hash: str = Field(max_length=64)
    status: int | None = Field(default=None, nullable=True)
    body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)


class Webhook(SQLModel, table=True):
    """A county system's webhook subscription (issue 18): committed audit events of the
    campaign whose trigger is in ``kinds`` (a JSON list, or ``["*"]``) are POSTed to ``url``,
    signed with ``secret`` (HMAC-SHA256; stored as given, since signing needs it: the operator
    rotates it by adding a new subscription and disabling the old). ``cursor`` is the ``seq`` of
    the last audit event the relay has looked at; ``disabled_at`` once turned off."""

    __tablename__: ClassVar[str] = "zg_webhook"
    __table_args__ = (UniqueConstraint("campaign_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="zg_campaign.id")
    name: str = Field(max_length=100)
    url: str = Field(max_length=500)
    secret: str = Field(max_length=200)
    kinds: str = Field(sa_column=Column(Text, nullable=False))
    cursor: int = Field(default=0)
    created_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    disabled_at: dt.datetime | None = _utc_column()
