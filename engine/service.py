"""The engine's public face: :class:`Engine`, one method per operation, each a delegation to
the module that owns the work. Its queries are in :class:`~._reading.EngineReads` and the
operations on one item in :class:`~._item_operations.ItemOperations`, which it builds on; this
module adds the rest (campaigns, the calendar, documents, intake, outcomes, the outbox,
reporters, the roster, duties, sweeps).

What an operation does lives in one module by concern: :mod:`._campaigns` (start, migrate,
read), :mod:`._transitions` (report, fire, measures, the deadline clock), :mod:`._timekeeping`
(calendar years, recomputing deadlines), :mod:`._queries` (lists, ledger, events),
:mod:`._documents`, :mod:`._intake` (imports, 关联研判), :mod:`._outcomes` and
:mod:`._mechanisms` (五个一批), :mod:`._outbox`, :mod:`._reporters`, :mod:`._chain` (audit
verification), :mod:`._roster`, :mod:`._duties`, :mod:`._sweep`; what they all run on (store,
compiled statements, clock, campaign cache) is one :class:`~._runtime.Runtime` per engine,
who may act is :mod:`._access`, and what officials type is checked in :mod:`._inputs`.

A transition is: load the item row → check the trigger, the actor's role and the guards (on
the lifecycle's one shared Machine) → write the new state with ``version + 1`` by
compare-and-set → append the audit event, outbox rows and step rows — all in one database
transaction. Anything refused raises before the first write, and any failure rolls the whole
transaction back, so nothing half-written survives. Writes run on the DBAPI cursor with
statements compiled once per dialect (:mod:`._raw`, :mod:`._statements`); queries for people
(lists, ledger, audit) use Core on SQLAlchemy connections.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Self

from sqlalchemy import Engine as SAEngine
from zhenggai.workflows.schema import CalendarSpec, CalendarYearSpec, CampaignSetup

from . import (
    _campaigns,
    _documents,
    _duties,
    _follow_ups,
    _intake,
    _mechanisms,
    _outbox,
    _outcomes,
    _queries,
    _registers,
    _reporters,
    _roster,
    _supervision,
    _sweep,
    _timekeeping,
)
from ._attachment_operations import AttachmentOperations, attachment_store_of
from ._co_unit_operations import CoUnitOperations
from ._item_operations import ItemOperations
from ._runtime import Runtime
from ._sealing import ReporterKeys
from ._steps import SweepReport
from .ports import AttachmentStore, Calendar, Clock
from .store import Store
from .views import (
    AccountabilityEntry,
    Actor,
    CalendarYearView,
    CampaignView,
    CommitmentView,
    ContactView,
    DocumentView,
    DuplicateView,
    DutyView,
    EducationView,
    ImportResult,
    MechanismView,
    NewContact,
    NewItem,
    OutboxView,
    OutcomeView,
    PracticeView,
    RecomputeView,
    RekeyReport,
    ReporterView,
    ReviewView,
    VisitView,
)

__all__ = ["Engine"]


class Engine(ItemOperations, CoUnitOperations, AttachmentOperations):
    """The zhenggai engine on one database.

    ``db`` is a SQLAlchemy URL, a SQLite file path, or a SQLAlchemy ``Engine`` the host system
    already has. The schema is brought to the current revision on open (``migrate=False`` to
    skip, e.g. when the host runs migrations itself). ``clock`` defaults to the system clock.
    ``durability`` (SQLite): ``full`` by default, ``normal`` to trade the last commits before an
    OS crash for speed. ``origin`` (e.g. ``{"os_user": …, "host": …}``) is recorded in the data
    of every audit event this engine appends. ``reporter_keys`` seal reporters' identities
    (:class:`ReporterKeys`; the key is kept outside the database): without them an item cannot
    be reported with a reporter, nor a sealed identity read. ``calendar`` makes a campaign's
    working-day calendar from its definition's ``calendar`` section (default: the statutory
    calendar with the years loaded into the database); ``seed`` fixes the random draws (回头看,
    督查) for a reproducible run. ``preload`` reads every campaign in the read that checks the
    schema, for a short-lived process (the CLI) whose first acts need them: one read for both.
    ``attachments``: the folder evidence files (佐证材料) are kept in (or an
    :class:`AttachmentStore` of the host's own); by default ``<file>.attachments`` beside a
    SQLite database file. Two engines in one process share nothing.
    """

    def __init__(
        self,
        db: str | os.PathLike[str] | SAEngine,
        *,
        clock: Clock | None = None,
        calendar: Callable[[CalendarSpec], Calendar] | None = None,
        seed: int | None = None,
        migrate: bool = True,
        durability: str = "full",
        origin: Mapping[str, str] | None = None,
        reporter_keys: ReporterKeys | None = None,
        preload: bool = False,
        attachments: str | os.PathLike[str] | AttachmentStore | None = None,
    ) -> None:
        store = attachment_store_of(attachments)
        self._rt = Runtime(
            db,
            clock=clock,
            calendar=calendar,
            seed=seed,
            migrate=migrate,
            durability=durability,
            origin=origin,
            reporter_keys=reporter_keys,
            preload=preload,
        )
        self._rt.attachment_store = store

    # ------------------------------------------------------------------ lifecycle of the engine

    @property
    def store(self) -> Store:
        return self._rt.store

    @property
    def clock(self) -> Clock:
        """The clock every operation reads its now from."""
        return self._rt.clock

    @property
    def calendar_for(self) -> Callable[[CalendarSpec], Calendar]:
        """Makes a campaign's working-day calendar from its definition's ``calendar`` section."""
        return self._rt.calendar_for

    def dispose(self) -> None:
        """Release the database connections (a host's own SQLAlchemy engine is left open).

        (``close`` is 销号, the lifecycle operation.)"""
        self._rt.store.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()

    # ------------------------------------------------------------------------ campaigns

    def start_campaign(self, setup: CampaignSetup, *, key: str | None = None) -> CampaignView:
        """Start a campaign from a setup (units, tracks, roles, lifecycle). Checks it first."""
        return _campaigns.start_campaign(self._rt, setup, key=key)

    def migrate_campaign(self, campaign: str | int, setup: CampaignSetup, actor: Actor) -> CampaignView:
        """Move a running campaign to a new version of its definition (an explicit step: items
        otherwise keep the version they started with).

        Refused as a whole, with every problem listed (:class:`DefinitionError`), when the new
        version is not runnable, is another definition or the same version, or would strand
        an item: a state, track, channel or responsible unit some item has must still exist.
        Units and tracks the new version adds are created; names and unit lists are updated.
        The actor must have a role the new version's ``migrate_campaign`` operation allows.
        """
        return _campaigns.migrate_campaign(self._rt, campaign, setup, actor)

    # --------------------------------------------------------------- the deadline clock

    def recompute_deadlines(
        self, campaign: str | int, actor: Actor, *, progress: Callable[[int, int], None] | None = None
    ) -> RecomputeView:
        """Recompute every open deadline on the calendar as it is now, after a calendar change
        (a new year's holiday notice in the calendar data, a county override in a new definition
        version): due dates the definition's rule gave are counted again from their received
        day (due dates a person chose stay, and so do paused clocks' days left); every pending
        ladder and duty step is re-timed. One audited act (an event for the campaign, one per
        item whose due date moved); running it again changes nothing.

        ``progress(done, total)`` is called inside the transaction after each of the campaign's
        items and open duties (``total`` of them) is looked at; what it raises rolls all back."""
        return _timekeeping.recompute_deadlines(self._rt, campaign, actor, progress=progress)

    # ------------------------------------------------------------- the calendar (节假日安排)

    def load_calendar_year(
        self, spec: CalendarYearSpec, actor: Actor, *, replace: bool = False, sha256: str | None = None
    ) -> CalendarYearView:
        """Load a year's holiday notice (``zhenggai calendar load``): checked to decide every day
        of its year (:class:`DefinitionError` with every problem otherwise), stored with who
        loaded it and when, and recorded in the audit chain of every campaign on the statutory
        calendar. A year the package knows, or one loaded before, is replaced only with
        ``replace``. Steps that waited for the year (待日历) are armed at once; deadlines a rule
        counted move only when someone runs :meth:`recompute_deadlines`."""
        return _timekeeping.load_calendar_year(self._rt, spec, actor, replace=replace, sha256=sha256)

    # -------------------------------------------------------------- documents (规范性文件清理)

    def list_document(
        self,
        campaign: str | int,
        actor: Actor,
        *,
        unit: str,
        title: str,
        doc_number: str | None = None,
        note: str | None = None,
    ) -> DocumentView:
        """List a normative document of ``unit`` for re-study (规范性文件清理), in the document
        lifecycle's initial state; its decision is due by the definition's ``documents.due``
        (counted from today as an item's deadline is) and its ladder is armed. A role from the
        document lifecycle's ``operations.report``; a unit-bound role lists its own unit's."""
        return _documents.list_document(
            self._rt, campaign, actor, unit=unit, title=title, doc_number=doc_number, note=note
        )

    def fire_document(
        self,
        document_id: int,
        trigger: str,
        actor: Actor,
        *,
        reason: str | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> DocumentView:
        """Fire a document-lifecycle ``trigger`` (e.g. 开始审查, 决定保留 / 修订 / 废止) as ``actor``;
        a transition into a final state records the decision and its date."""
        return _documents.fire_document(
            self._rt, document_id, trigger, actor, reason=reason, note=note, expected_version=expected_version
        )

    # -------------------------------------------------------------------------- reports

    def issue_number(self, campaign: str | int, kind: str, as_of: dt.date, issued_by: str) -> int:
        """The 期数 of a numbered document (``kind``, e.g. ``progress_bulletin``: 工作进展通报
        第N期) of the campaign for the day ``as_of``: the next number of the campaign's ``kind``
        the first time, stored (``zg_issue``, with ``issued_by`` and the clock's now) in one
        transaction; the same number every later time for that day, so rendering a bulletin
        again gives it the number it was issued with. Numbers run 1, 2, … per campaign and kind
        without gaps (a writer that lost a race for the day rolls its counter back)."""
        return _queries.issue_number(self._rt, campaign, kind, as_of, issued_by)

    # ------------------------------------------------------------------ intake and 关联研判

    def import_items(
        self,
        campaign: str | int,
        actor: Actor,
        entries: Sequence[NewItem],
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportResult:
        """Import problems (a spreadsheet's rows) all or nothing, in one transaction: each is
        reported and, when it names a unit, assigned to it by the lifecycle's assigning
        transition from the initial state (with its due date, or by the definition's rule).

        Every entry is checked first; :class:`ImportRejected` lists every problem (entry,
        field, reason) and nothing is written. Possible duplicates (关联研判: same track and
        unit, similar text, also among the imported rows) are flagged and returned, never merged.
        ``progress(done, total)`` is called inside the transaction after each entry is written
        (and with 0 before the first); what it raises rolls all back.
        """
        return _intake.import_items(self._rt, campaign, actor, entries, progress=progress)

    def resolve_duplicate(
        self, flag_id: int, actor: Actor, *, merge: bool, note: str | None = None
    ) -> DuplicateView:
        """Judge a 关联研判 flag: ``merge`` fires the lifecycle's merging transition (the one
        with the ``record_merge`` effect) on the flagged item, into the one it looks like, which
        must be open (resolution ``same``); else the two are recorded as ``distinct``.
        A role from ``operations.resolve_duplicate``; audited on the flagged item."""
        return _intake.resolve_duplicate(self._rt, flag_id, actor, merge=merge, note=note)

    # ------------------------------------------------------------------ outcomes (五个一批)

    def record_outcome(
        self,
        item_id: int,
        actor: Actor,
        *,
        root_cause: str | None = None,
        accountability: Sequence[AccountabilityEntry | Sequence[str | None]] = (),
        mechanisms: Sequence[int] = (),
        expected_version: int | None = None,
    ) -> OutcomeView:
        """What came of a closed or dismissed item (the item must be in a final state): the root
        cause (根源分析), the people held accountable with an outcome of the definition's
        vocabulary (``outcomes.accountability``: 诫勉, 组织处理 …), the long-term mechanisms it led
        to. Recording again replaces the whole record. A role from ``operations.record_outcome``.

        The people's names and positions are personal data, kept in a table of their own: the
        audit event keeps only how many people and which outcomes, never who."""
        return _outcomes.record_outcome(
            self._rt,
            item_id,
            actor,
            root_cause=root_cause,
            accountability=accountability,
            mechanisms=mechanisms,
            expected_version=expected_version,
        )

    def outcome(self, item_id: int, actor: Actor) -> OutcomeView | None:
        """What came of the item (None: nothing recorded). The people held accountable are named
        only for a role from ``operations.read_named_people`` (a unit-bound one: for its own
        unit's items), and each such read is audited; any other reader gets the entries with
        the outcomes and the count but no names (``named`` False)."""
        return _outcomes.outcome(self._rt, item_id, actor)

    def outcomes(
        self, campaign: str | int, actor: Actor, *, unit: str | None = None, track: str | None = None
    ) -> list[OutcomeView]:
        """The recorded outcomes of the campaign's items (of one responsible unit or track), by
        item id; people named as :meth:`outcome` says (one audit event per read that names)."""
        return _outcomes.outcomes(self._rt, campaign, actor, unit=unit, track=track)

    # -------------------------------------------------------------------- 长效机制 and 典型做法

    def register_mechanism(
        self,
        campaign: str | int,
        actor: Actor,
        *,
        unit: str,
        title: str,
        kind: str,
        status: str,
        date: dt.date,
        items: Sequence[int] = (),
        track: str | None = None,
        note: str | None = None,
    ) -> MechanismView:
        """Register a long-term mechanism (长效机制) ``unit`` established, revised or is drafting
        because of the campaign: a ``kind`` of the definition's ``outcomes.mechanism_kinds``, a
        status (drafting / established / revised / abolished) as of ``date`` (not after today),
        the campaign's items that led to it. A role from ``operations.register_mechanism``; a
        unit-bound role registers its own unit's."""
        return _mechanisms.register_mechanism(
            self._rt,
            campaign,
            actor,
            unit=unit,
            title=title,
            kind=kind,
            status=status,
            date=date,
            items=items,
            track=track,
            note=note,
        )

    def update_mechanism(
        self, mechanism_id: int, actor: Actor, *, status: str, date: dt.date, note: str | None = None
    ) -> MechanismView:
        """A mechanism's new status (e.g. drafting → established, established → revised or
        abolished) as of ``date``: not after today, not before its last status date. A role
        from ``operations.register_mechanism``; a unit-bound role for its own unit's only."""
        return _mechanisms.update_mechanism(
            self._rt, mechanism_id, actor, status=status, date=date, note=note
        )

    def submit_practice(
        self, campaign: str | int, actor: Actor, *, title: str, summary: str, track: str | None = None
    ) -> PracticeView:
        """A unit submits a good practice or innovative case (典型做法和创新案例, 五、(三)): the
        actor's unit is the practice's. A role from ``operations.submit_practice``."""
        return _mechanisms.submit_practice(
            self._rt, campaign, actor, title=title, summary=summary, track=track
        )

    def select_practice(self, practice_id: int, actor: Actor, *, selected: bool) -> PracticeView:
        """Select a practice for the public digest's 晒成效 column (``selected`` True), or take it
        out again. A role from ``operations.select_practice`` (the publicity department)."""
        return _mechanisms.select_practice(self._rt, practice_id, actor, selected=selected)

    # ---------------------------------------------------- registers: 警示教育, 践诺 (issue 16)

    def record_education(
        self,
        campaign: str | int,
        actor: Actor,
        *,
        unit: str,
        held_on: dt.date | str,
        title: str,
        attendees: int,
        cases: str | None = None,
        case_items: Sequence[int] = (),
        track: str | None = None,
    ) -> EducationView:
        """Record a 警示教育 session ``unit`` held (一、(三)): day, topic, attendees, the cases used
        (text and/or the campaign's items). A role from ``operations.record_education``; a
        unit-bound role for its own unit only. 五个一批 counts the attendees."""
        return _registers.record_education(
            self._rt, campaign, actor, unit=unit, held_on=held_on, title=title, attendees=attendees,
            cases=cases, case_items=case_items, track=track,
        )  # fmt: skip

    def educations(
        self, campaign: str | int, *, unit: str | None = None, track: str | None = None
    ) -> list[EducationView]:
        """The campaign's 警示教育 sessions by day held, of one unit or track."""
        return _registers.educations(self._rt, campaign, unit=unit, track=track)

    def add_commitment(
        self, campaign: str | int, actor: Actor, *, unit: str, text: str, due: dt.date | str
    ) -> CommitmentView:
        """Register ``unit``'s public commitment (践诺) due by ``due`` (not before today). A role
        from ``operations.record_commitment``; a unit-bound role for its own unit only."""
        return _registers.add_commitment(self._rt, campaign, actor, unit=unit, text=text, due=due)

    def settle_commitment(
        self,
        commitment_id: int,
        actor: Actor,
        *,
        kept: bool,
        on: dt.date | str | None = None,
        note: str | None = None,
    ) -> CommitmentView:
        """Settle an open commitment as kept (已兑现) or broken (未兑现, ``note`` required) on
        ``on`` (today by default). A role from ``operations.record_commitment``."""
        return _registers.settle_commitment(self._rt, commitment_id, actor, kept=kept, on=on, note=note)

    def commitments(
        self, campaign: str | int, *, unit: str | None = None, state: str | None = None, overdue: bool = False
    ) -> list[CommitmentView]:
        """The campaign's commitments by due day; ``overdue``: only those open after their due day."""
        return _registers.commitments(self._rt, campaign, unit=unit, state=state, overdue=overdue)

    # ----------------------------------------------------------------------- the outbox

    def outbox_claim(self, *, limit: int = 50, lease: float = 300.0) -> list[OutboxView]:
        """Claim up to ``limit`` messages due by now for sending: each becomes ``sending`` until
        ``lease`` seconds from now and counts an attempt. A message whose dispatcher died after
        sending but before recording it comes due again when the lease runs out, so it is sent
        at most once more (email keeps its Message-ID). On PostgreSQL rows another dispatcher
        holds are skipped, not waited for."""
        return _outbox.claim(self._rt, limit=limit, lease=lease)

    def outbox_sent(self, outbox_id: int) -> bool:
        """Record a claimed message as sent; False when it was not (or no longer) claimed."""
        return _outbox.sent(self._rt, outbox_id)

    def outbox_failed(self, outbox_id: int, reason: str, *, retry_at: dt.datetime | None) -> bool:
        """Record a failed attempt: due again at ``retry_at``, or dead-lettered (``retry_at``
        None) with ``reason``, which must carry no secret."""
        return _outbox.failed(self._rt, outbox_id, reason, retry_at=retry_at)

    def outbox_defer(self, outbox_id: int, until: dt.datetime, reason: str) -> bool:
        """Put a claimed message back until ``until`` without counting the attempt (quiet hours,
        a channel's rate limit): deferred, not lost."""
        return _outbox.defer(self._rt, outbox_id, until, reason)

    def outbox_retry(
        self, outbox_ids: Iterable[int] | None = None, *, campaign: str | int | None = None
    ) -> list[int]:
        """Re-queue dead letters (those named, or every dead letter of ``campaign``, or all):
        due at once (from the time they were first queued), attempts from zero. Returns the ids re-queued; a message that is not dead is
        left alone. A letter nobody could receive (``unrouted``) is routed again against the
        roster as it is now: it goes to the contacts added since, or stays dead (:func:`_roster.requeue`)."""
        return _outbox.retry(self._rt, outbox_ids, campaign=campaign)

    # ---------------------------------------------------- reporters and the audit chain

    def read_reporter(self, item_id: int, actor: Actor) -> ReporterView | None:
        """The reporter's identity, for the custodian role only; every read is audited (also one
        that then fails to open). A sealed identity opens with the engine's ``reporter_keys``;
        :class:`ReporterKeyError` when none are configured, when the key that sealed it is not
        among them (lost), or when the stored value is altered or belongs to another item."""
        return _reporters.read_reporter(self._rt, item_id, actor)

    def rekey_reporters(self, campaign: str | int | None, actor: Actor) -> RekeyReport:
        """Re-seal with the current reporter key every identity (of ``campaign``, or of every
        campaign when None) that is not sealed with it: those sealed with a previous key of the
        ring (key rotation: afterwards the previous keys can be dropped), and those stored in
        plain text before sealing existed (sealed, their plain text cleared).

        One transaction, by a role the campaigns' ``operations.read_reporter`` allows (the
        custodian), audited on each campaign with counts only. Refused whole, nothing changed,
        with every identity that does not open listed (:class:`ReporterKeyError`). Then the
        database is rewritten so that what was replaced is not left readable in its files
        (:meth:`Store.scrub`; ``RekeyReport.scrubbed``)."""
        return _reporters.rekey_reporters(self._rt, campaign, actor)

    # ----------------------------------------------------------------- the roster (通讯录)

    def add_contact(self, campaign: str | int, actor: Actor, contact: NewContact) -> ContactView:
        """Add a person to the campaign's roster (:mod:`zhenggai.engine._roster`): checked
        (unit, role, an address, mobile and email shape, channels, dates, not already there),
        by a role of ``operations.manage_contacts``; audited without personal data."""
        return _roster.add_contact(self._rt, campaign, actor, contact)

    def update_contact(self, contact_id: int, actor: Actor, **changes: object) -> ContactView:
        """Change fields of a contact (``unit``, ``name``, ``role``, ``mobile``, ``email``,
        ``wecom_id``, ``dingtalk_id``, ``channels``, ``active_from``, ``active_to``; None clears an
        optional one); the audit event names the fields changed, not their values."""
        return _roster.update_contact(self._rt, contact_id, actor, changes)

    def remove_contact(self, contact_id: int, actor: Actor) -> ContactView:
        """Remove a contact from the roster (kept with ``removed_at``; it receives nothing more)."""
        return _roster.remove_contact(self._rt, contact_id, actor)

    def import_contacts(
        self, campaign: str | int, actor: Actor, entries: Sequence[NewContact]
    ) -> list[ContactView]:
        """Add many contacts all or nothing, in one transaction: every entry is checked first and
        :class:`ImportRejected` lists every problem (entry, field, reason); one audit event."""
        return _roster.import_contacts(self._rt, campaign, actor, entries)

    # --------------------------------------------------------------------------- duties

    def complete_duty(self, duty_id: int, actor: Actor, *, note: str | None = None) -> DutyView:
        """The unit has discharged a duty occurrence (e.g. handed in its 一报告四清单): its
        reminder and escalation steps are cancelled, and the act is audited. Done by someone of
        the unit (a unit-bound role acting for it) or by its receiver (the duty's ``to``: that
        role, or someone of that unit)."""
        return _duties.complete_duty(self._rt, duty_id, actor, note=note)

    # ------------------------------------------------------- 回头看 and 督查 as work (issue 16)

    def follow_ups(self, campaign: str | int, *, state: str | None = None) -> list[ReviewView]:
        """The campaign's 回头看 review tasks (``state``: open / confirmed / finding)."""
        return _follow_ups.follow_ups(self._rt, campaign, state=state)

    def complete_follow_up(
        self,
        review_id: int,
        actor: Actor,
        *,
        finding: str | None = None,
        confirmed: bool = False,
        due: dt.date | str | None = None,
    ) -> ReviewView:
        """A reviewer (``follow_up.role``) closes a review task: ``confirmed`` (整改到位), or a
        ``finding`` that reopens the item by ``follow_up.trigger`` (回头看重新整改) in the same
        transaction, with ``due`` as its new deadline (default, when its own has passed:
        ``follow_up.days`` from today)."""
        return _follow_ups.complete_follow_up(
            self._rt, review_id, actor, finding=finding, confirmed=confirmed, due=due
        )

    def record_visit(
        self,
        campaign: str | int,
        team: int,
        unit: str,
        day: dt.date | str,
        *,
        findings: Sequence[str] = (),
        actor: Actor,
    ) -> VisitView:
        """A 督查 team's visit to a unit it was drawn to (by the latest draw on or before
        ``day``), by ``supervision.role``; each finding becomes an item on
        ``supervision.channel`` (明察暗访), linked to the visit."""
        return _supervision.record_visit(
            self._rt, campaign, actor, team=team, unit=unit, day=day, findings=findings
        )

    def visits(self, campaign: str | int, *, draw_day: dt.date | None = None) -> list[VisitView]:
        """The recorded 督查 visits (of one draw)."""
        return _supervision.visits(self._rt, campaign, draw_day=draw_day)

    def supervision_bulletin(
        self, campaign: str | int, draw_day: dt.date | str
    ) -> _supervision.SupervisionBulletin:
        """What the 督查通报 of the draw of ``draw_day`` lists."""
        return _supervision.supervision_bulletin(self._rt, campaign, draw_day)

    # --------------------------------------------------------------- sweeps and daemons

    def sweep(self, *, batch: int = 200) -> SweepReport:
        """Fire every step that is due by now (the clock's), each once, and return what was done.

        Steps are taken a subject (an item) at a time, in order of the earliest due step: the
        subject's due steps are claimed (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so a subject
        another engine is sweeping is skipped; a conditional update on SQLite, where writers
        are serialised) and settled in the same transaction as their effects (light, escalation
        level, audit event, messages). A second sweep at the same time finds nothing to do.
        """
        return _sweep.sweep(self._rt, batch=batch)

    def heartbeat(
        self,
        name: str,
        *,
        host: str,
        pid: int,
        started_at: dt.datetime,
        interval: float = 60.0,
        fired: int = 0,
        stopped: bool = False,
    ) -> None:
        """Record that the daemon ``name`` (``host:pid``) is alive, after a sweep that fired
        ``fired`` steps; ``stopped`` when it stops cleanly."""
        _sweep.heartbeat(
            self._rt,
            name,
            host=host,
            pid=pid,
            started_at=started_at,
            interval=interval,
            fired=fired,
            stopped=stopped,
        )
