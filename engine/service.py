"""The engine's public face: :class:`Engine`, one method per operation, each a delegation to
the module that owns the work.

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
statements compiled once per dialect (:mod:`._raw`, :mod:`._writes`); queries for people
(lists, ledger, audit) use Core on SQLAlchemy connections.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Self

from sqlalchemy import Engine as SAEngine
from zhenggai.workflows.schema import (
    CalendarSpec,
    CalendarYearSpec,
    CampaignSetup,
    LifecycleSpec,
)

from . import (
    _campaigns,
    _chain,
    _documents,
    _duties,
    _intake,
    _mechanisms,
    _outbox,
    _outcomes,
    _queries,
    _reporters,
    _roster,
    _sweep,
    _timekeeping,
    _transitions,
)
from ._runtime import Runtime
from ._sealing import ReporterKeys
from ._steps import (
    SweepReport,
)
from .audit import (
    Anchor,
    AuditReport,
)
from .calendar import WorkingCalendar
from .ports import Calendar, Clock
from .store import Store
from .views import (
    AccountabilityEntry,
    Actor,
    CalendarYearView,
    CampaignInfo,
    CampaignView,
    ContactView,
    DocumentView,
    DuplicateView,
    DutyView,
    EventView,
    FiredTransition,
    FiveOutcomes,
    ImportProblem,
    ImportResult,
    ItemView,
    LedgerRow,
    MeasureView,
    MechanismView,
    NewContact,
    NewItem,
    OutboxView,
    OutcomeView,
    PracticeView,
    ProgressReport,
    RecomputeView,
    RekeyReport,
    Reporter,
    ReporterView,
    StatusView,
    UnitRanking,
    UnreachableView,
)

__all__ = ["Engine"]


class Engine:
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
    Two engines in one process share nothing.
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
    ) -> None:
        self._rt = Runtime(db, clock=clock, calendar=calendar, seed=seed, migrate=migrate, durability=durability,
                           origin=origin, reporter_keys=reporter_keys, preload=preload)

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

    def campaign(self, key: str | int) -> CampaignView:
        """A campaign by key or id."""
        return _campaigns.campaign(self._rt, key)

    def campaigns(self, *, cached: bool = False) -> list[CampaignView]:
        """Every campaign, by id. With ``cached``, those this engine has read (no database read),
        when it has read any (e.g. ``preload``); a campaign started elsewhere since is missing."""
        return _campaigns.campaigns(self._rt, cached=cached)

    def units(self, campaign: str | int) -> list[tuple[str, str]]:
        """The campaign's units as (key, name), in the definition's order."""
        return _campaigns.units(self._rt, campaign)

    def tracks(self, campaign: str | int) -> list[tuple[str, str]]:
        return _campaigns.tracks(self._rt, campaign)

    def campaign_info(self, campaign: str | int, *, cached: bool = False) -> CampaignInfo:
        """What the campaign runs on in one read (view, lifecycle, definition, units, tracks): what
        adapters name its codes with. With ``cached``, as this engine last read it, without a
        database read when it has (a campaign another process migrated since may show its
        previous version's names)."""
        return _campaigns.campaign_info(self._rt, campaign, cached=cached)

    def lifecycle(self, campaign: str | int) -> LifecycleSpec:
        return _campaigns.lifecycle(self._rt, campaign)

    def definition(self, campaign: str | int) -> CampaignSetup | None:
        """The whole definition the campaign runs on (the version it started with or was
        migrated to); None for a campaign started before definitions were kept whole."""
        return _campaigns.definition(self._rt, campaign)

    # ---------------------------------------------------------------------------- items

    def report(
        self,
        campaign: str | int,
        actor: Actor,
        *,
        title: str,
        description: str,
        track: str,
        channel: str,
        severity: str | None = None,
        reporter: Reporter | None = None,
    ) -> ItemView:
        """Register a problem item (问题线索) in the lifecycle's initial state.

        ``severity`` is one of the definition's severities (问题程度); None: its first.

        ``reporter`` (举报人) is stored apart, sealed with the engine's ``reporter_keys`` (refused
        with :class:`ReporterKeyError`, nothing written, when it has none), and never appears in
        what units see.
        """
        return _transitions.report(self._rt, campaign, actor, title=title, description=description, track=track, channel=channel, severity=severity, reporter=reporter)

    def fire(
        self,
        item_id: int,
        trigger: str,
        actor: Actor,
        *,
        expected_version: int | None = None,
        **data: Any,
    ) -> ItemView:
        """Fire ``trigger`` (a transition's code, or its label in the definition, 销号) on an
        item as ``actor``. ``data`` holds the trigger's input
        (``unit``, ``due``, ``leading_official``, ``finding``, ``reason``, ``survivor_id``,
        ``note``). With ``expected_version`` the call fails with :class:`ConflictError` if the
        item has changed since the caller read it."""
        return _transitions.fire(self._rt, item_id, trigger, actor, expected_version=expected_version, **data)

    def fire_transition(
        self,
        item_id: int,
        trigger: str,
        actor: Actor,
        *,
        expected_version: int | None = None,
        **data: Any,
    ) -> FiredTransition:
        """:meth:`fire`, returning the item and the audit event the transition wrote (what a
        caller prints or forwards without reading the chain again). ``trigger`` may also be the
        transition's label in the definition (销号), as officials name it."""
        return _transitions.fire_transition(
            self._rt, item_id, trigger, actor, expected_version=expected_version, **data
        )

    def assign(
        self,
        item_id: int,
        actor: Actor,
        *,
        unit: str,
        due: dt.date | str | None = None,
        leading_official: str | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> ItemView:
        """交办: hand the item to a responsible unit with a due date (and its 领衔领导). Without
        ``due`` the definition's rectification time for the item's track and severity applies."""
        return self.fire(
            item_id, "assign", actor, unit=unit, due=due, leading_official=leading_official, note=note,
            expected_version=expected_version,
        )

    def start_rectification(
        self, item_id: int, actor: Actor, *, note: str | None = None, expected_version: int | None = None
    ) -> ItemView:
        """开始整改 (needs at least one measure)."""
        return self.fire(item_id, "start_rectification", actor, note=note, expected_version=expected_version)

    def submit_for_verification(
        self, item_id: int, actor: Actor, *, note: str | None = None, expected_version: int | None = None
    ) -> ItemView:
        """提请验收 (every measure done)."""
        return self.fire(item_id, "submit_for_verification", actor, note=note, expected_version=expected_version)

    def verify(
        self, item_id: int, actor: Actor, *, note: str | None = None, expected_version: int | None = None
    ) -> ItemView:
        """验收通过 (by someone outside the responsible unit)."""
        return self.fire(item_id, "verify", actor, note=note, expected_version=expected_version)

    def return_for_rework(
        self, item_id: int, actor: Actor, *, reason: str, note: str | None = None,
        expected_version: int | None = None,
    ) -> ItemView:
        """退回重新整改, with the reason."""
        return self.fire(
            item_id, "return_for_rework", actor, reason=reason, note=note, expected_version=expected_version
        )

    def close(
        self, item_id: int, actor: Actor, *, note: str | None = None, expected_version: int | None = None
    ) -> ItemView:
        """销号: sign the item off (by someone outside the responsible unit)."""
        return self.fire(item_id, "close", actor, note=note, expected_version=expected_version)

    def follow_up_review(
        self,
        item_id: int,
        actor: Actor,
        *,
        finding: str,
        due: dt.date | str | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> ItemView:
        """回头看: reopen a closed item with the review's finding, and a new due date when the
        old one has passed (the standard lifecycle's ``due_not_passed`` guard)."""
        return self.fire(
            item_id, "follow_up_review", actor, finding=finding, due=due, note=note,
            expected_version=expected_version,
        )

    def reassign(
        self,
        item_id: int,
        actor: Actor,
        *,
        unit: str,
        due: dt.date | str | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> ItemView:
        """改派 to another unit (optionally with a new due date)."""
        return self.fire(
            item_id, "reassign", actor, unit=unit, due=due, note=note, expected_version=expected_version
        )

    def dismiss(
        self, item_id: int, actor: Actor, *, reason: str, note: str | None = None,
        expected_version: int | None = None,
    ) -> ItemView:
        """撤销: the lead was found untrue; terminal, with the reason."""
        return self.fire(item_id, "dismiss", actor, reason=reason, note=note, expected_version=expected_version)

    def merge(
        self, item_id: int, actor: Actor, *, survivor_id: int, note: str | None = None,
        expected_version: int | None = None,
    ) -> ItemView:
        """合并: the item duplicates ``survivor_id``, which must still be open."""
        return self.fire(
            item_id, "merge", actor, survivor_id=survivor_id, note=note, expected_version=expected_version
        )

    # ------------------------------------------------------------------------- measures

    def add_measure(
        self,
        item_id: int,
        actor: Actor,
        *,
        text: str,
        due: dt.date | str | None = None,
        expected_version: int | None = None,
    ) -> MeasureView:
        """Add a rectification measure (整改措施) to an item with a responsible unit."""
        return _transitions.add_measure(self._rt, item_id, actor, text=text, due=due, expected_version=expected_version)

    def complete_measure(
        self, measure_id: int, actor: Actor, *, expected_version: int | None = None
    ) -> MeasureView:
        """Mark a measure done. ``expected_version`` is the item's version."""
        return _transitions.complete_measure(self._rt, measure_id, actor, expected_version=expected_version)

    # --------------------------------------------------------------- the deadline clock

    def pause_clock(
        self, item_id: int, actor: Actor, *, reason: str, expected_version: int | None = None
    ) -> ItemView:
        """暂停计时 / 中止: stop the item's deadline clock (e.g. while it waits on a court ruling),
        approved by a role the definition's ``operations.pause_clock`` names, with a reason. The
        working days left to the due date are kept (the day of pausing counts as used); its
        ladder steps stop (cancelled). An item past its due date cannot be paused: its time
        has run out already."""
        return _transitions.pause_clock(self._rt, item_id, actor, reason=reason, expected_version=expected_version)

    def resume_clock(
        self, item_id: int, actor: Actor, *, note: str | None = None, expected_version: int | None = None
    ) -> ItemView:
        """恢复计时: restart a paused clock. The new due date is the working days the item had
        left, counted from today (the day of pausing counted as used, the day of resuming does
        not, so pausing and resuming the same day changes nothing); the time consumed before the
        pause stays consumed; the ladder is armed for the new date and the light starts green."""
        return _transitions.resume_clock(self._rt, item_id, actor, note=note, expected_version=expected_version)

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

    def mark_case(self, item_id: int, actor: Actor, *, note: str, expected_version: int | None = None) -> ItemView:
        """典型案例: mark the item for the case bulletin, with the note it prints (what the case
        teaches); marking again replaces the note. A role from ``operations.mark_case``."""
        return _transitions.mark_case(self._rt, item_id, actor, note=note, expected_version=expected_version)

    # ------------------------------------------------------------- the calendar (节假日安排)

    def working_calendar(self, spec: CalendarSpec | None = None) -> WorkingCalendar:
        """The statutory calendar as this database has it now (the package's years and those
        loaded, read afresh) with the county overrides of ``spec``: what a campaign with that
        ``calendar`` section would count working days on (``zhenggai init`` checks a re-dated
        plan on it)."""
        return _timekeeping.working_calendar(self._rt, spec)

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

    def calendar_years(self) -> list[CalendarYearView]:
        """Every year the database can count working days in, by year: the package's and the
        loaded ones (a replaced package year and earlier loads of a year as history, not in force)."""
        return _timekeeping.calendar_years(self._rt)

    def calendar_year(self, year: int) -> CalendarYearView:
        """The arrangement in force for ``year``; :class:`CalendarError` for a year no source knows."""
        return _timekeeping.calendar_year(self._rt, year)

    # -------------------------------------------------------------------------- reading

    def item(self, item_id: int) -> ItemView:
        return _queries.item(self._rt, item_id)

    def items(
        self,
        campaign: str | int | None = None,
        *,
        state: str | None = None,
        unit: str | None = None,
        track: str | None = None,
        number: str | None = None,
    ) -> list[ItemView]:
        """Items, oldest first, optionally filtered by campaign, state, unit key, track and
        问题编号 (``number``, case and surrounding blanks ignored)."""
        return _queries.items(self._rt, campaign, state=state, unit=unit, track=track, number=number)

    def item_by_number(self, campaign: str | int, number: str) -> ItemView:
        """The item a campaign numbered ``number`` (问题编号, e.g. ``ZG-2023-0001``; case and
        surrounding blanks ignored). Raises ``ItemNotFound`` if the campaign has none such."""
        return _queries.item_by_number(self._rt, campaign, number)

    def measures(self, item_id: int) -> list[MeasureView]:
        return _queries.measures(self._rt, item_id)

    def events(
        self, item_id: int | None = None, *, campaign: str | int | None = None, after: int | None = None
    ) -> list[EventView]:
        """Audit events of one item, or of one campaign, or all, in chain order; with ``after``,
        only those of a higher ``seq`` (a follower's cursor, with ``campaign``)."""
        return _queries.events(self._rt, item_id, campaign=campaign, after=after)

    def ledger(
        self, campaign: str | int, *, unit: str | None = None, track: str | None = None, after: int | None = None,
        limit: int | None = None,
    ) -> list[LedgerRow]:
        """The 整改台账: the campaign's items (of one unit / track when given) with their
        measures, by id, no reporter data. ``after`` and ``limit`` page through a large ledger
        (items with an id above ``after``, at most ``limit`` of them): see :meth:`ledger_pages`."""
        return _queries.ledger(self._rt, campaign, unit=unit, track=track, after=after, limit=limit)

    def count_items(self, campaign: str | int, *, unit: str | None = None, track: str | None = None) -> int:
        """How many items the campaign has (of one unit / track): one ``COUNT``, nothing loaded."""
        return _queries.count_items(self._rt, campaign, unit=unit, track=track)

    def ledger_pages(
        self, campaign: str | int, *, unit: str | None = None, track: str | None = None, page: int = 500
    ) -> Iterator[LedgerRow]:
        """The ledger row by row, read ``page`` items at a time (each page its own short read),
        so an export of a large campaign holds one page in memory, not the whole ledger."""
        return _queries.ledger_pages(self._rt, campaign, unit=unit, track=track, page=page)

    def cases(self, campaign: str | int, *, unit: str | None = None, track: str | None = None) -> list[ItemView]:
        """The items marked as typical cases (典型案例), in the order they were marked."""
        return _queries.cases(self._rt, campaign, unit=unit, track=track)

    # -------------------------------------------------------------- documents (规范性文件清理)

    def list_document(
        self, campaign: str | int, actor: Actor, *, unit: str, title: str, doc_number: str | None = None,
        note: str | None = None,
    ) -> DocumentView:
        """List a normative document of ``unit`` for re-study (规范性文件清理), in the document
        lifecycle's initial state; its decision is due by the definition's ``documents.due``
        (counted from today as an item's deadline is) and its ladder is armed. A role from the
        document lifecycle's ``operations.report``; a unit-bound role lists its own unit's."""
        return _documents.list_document(self._rt, campaign, actor, unit=unit, title=title, doc_number=doc_number, note=note)

    def fire_document(
        self, document_id: int, trigger: str, actor: Actor, *, reason: str | None = None, note: str | None = None,
        expected_version: int | None = None,
    ) -> DocumentView:
        """Fire a document-lifecycle ``trigger`` (e.g. 开始审查, 决定保留 / 修订 / 废止) as ``actor``;
        a transition into a final state records the decision and its date."""
        return _documents.fire_document(self._rt, document_id, trigger, actor, reason=reason, note=note, expected_version=expected_version)

    def document(self, document_id: int) -> DocumentView:
        return _documents.document(self._rt, document_id)

    def documents(
        self, campaign: str | int, *, unit: str | None = None, state: str | None = None
    ) -> list[DocumentView]:
        """The campaign's documents under review, in the order they were listed."""
        return _documents.documents(self._rt, campaign, unit=unit, state=state)

    def document_events(self, document_id: int) -> list[EventView]:
        """A document's audit events (its id is in their data), in chain order."""
        return _documents.document_events(self._rt, document_id)

    # -------------------------------------------------------------------------- reports

    def progress(self, campaign: str | int, *, unit: str | None = None, track: str | None = None) -> ProgressReport:
        """The numbers of a progress bulletin (工作进展通报) as of now: for the campaign, or one
        responsible unit or track of it (definitions in :mod:`zhenggai.engine._reports`)."""
        return _queries.progress(self._rt, campaign, unit=unit, track=track)

    def ranking(self, campaign: str | int, *, track: str | None = None) -> list[UnitRanking]:
        """The responsible units best first, for the supervision teams: on-time rate, then
        fewest overdue, then fewest reopened after 回头看."""
        return _queries.ranking(self._rt, campaign, track=track)

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
        self, campaign: str | int, actor: Actor, entries: Sequence[NewItem], *,
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

    def duplicates(self, campaign: str | int, *, unresolved: bool = True) -> list[DuplicateView]:
        """关联研判 flags of the campaign, oldest first: only those still to judge, or all."""
        return _intake.duplicates(self._rt, campaign, unresolved=unresolved)

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
        self, item_id: int, actor: Actor, *, root_cause: str | None = None,
        accountability: Sequence[AccountabilityEntry | Sequence[str | None]] = (),
        mechanisms: Sequence[int] = (), expected_version: int | None = None,
    ) -> OutcomeView:
        """What came of a closed or dismissed item (the item must be in a final state): the root
        cause (根源分析), the people held accountable with an outcome of the definition's
        vocabulary (``outcomes.accountability``: 诫勉, 组织处理 …), the long-term mechanisms it led
        to. Recording again replaces the whole record. A role from ``operations.record_outcome``.

        The people's names and positions are personal data, kept in a table of their own: the
        audit event keeps only how many people and which outcomes, never who."""
        return _outcomes.record_outcome(self._rt, item_id, actor, root_cause=root_cause, accountability=accountability, mechanisms=mechanisms, expected_version=expected_version)

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

    def publish_case(self, item_id: int, actor: Actor, *, where: str, on: dt.date,
                     expected_version: int | None = None) -> ItemView:
        """通报曝光: record where and when a typical case (marked by :meth:`mark_case`) was
        published; publishing again replaces the record. ``on`` may not be after today. A role
        from ``operations.publish_case``."""
        return _outcomes.publish_case(self._rt, item_id, actor, where=where, on=on, expected_version=expected_version)

    def five_outcomes(
        self, campaign: str | int, *, unit: str | None = None, track: str | None = None
    ) -> FiveOutcomes:
        """The 五个一批 dashboard as of now: the plan's five outcomes counted from the records,
        against the definition's targets (definitions in :mod:`zhenggai.engine._outcomes`)."""
        return _outcomes.five_outcomes_of(self._rt, campaign, unit=unit, track=track)

    # -------------------------------------------------------------------- 长效机制 and 典型做法

    def register_mechanism(
        self, campaign: str | int, actor: Actor, *, unit: str, title: str, kind: str, status: str,
        date: dt.date, items: Sequence[int] = (), track: str | None = None, note: str | None = None,
    ) -> MechanismView:
        """Register a long-term mechanism (长效机制) ``unit`` established, revised or is drafting
        because of the campaign: a ``kind`` of the definition's ``outcomes.mechanism_kinds``, a
        status (drafting / established / revised / abolished) as of ``date`` (not after today),
        the campaign's items that led to it. A role from ``operations.register_mechanism``; a
        unit-bound role registers its own unit's."""
        return _mechanisms.register_mechanism(self._rt, campaign, actor, unit=unit, title=title, kind=kind, status=status, date=date, items=items, track=track, note=note)

    def update_mechanism(
        self, mechanism_id: int, actor: Actor, *, status: str, date: dt.date, note: str | None = None
    ) -> MechanismView:
        """A mechanism's new status (e.g. drafting → established, established → revised or
        abolished) as of ``date``: not after today, not before its last status date. A role
        from ``operations.register_mechanism``; a unit-bound role for its own unit's only."""
        return _mechanisms.update_mechanism(self._rt, mechanism_id, actor, status=status, date=date, note=note)

    def mechanisms(
        self, campaign: str | int, *, unit: str | None = None, track: str | None = None
    ) -> list[MechanismView]:
        """The campaign's long-term mechanisms (长效机制台账), in the order they were registered:
        all, or one unit's, or those registered for one track."""
        return _mechanisms.mechanisms(self._rt, campaign, unit=unit, track=track)

    def submit_practice(
        self, campaign: str | int, actor: Actor, *, title: str, summary: str, track: str | None = None
    ) -> PracticeView:
        """A unit submits a good practice or innovative case (典型做法和创新案例, 五、(三)): the
        actor's unit is the practice's. A role from ``operations.submit_practice``."""
        return _mechanisms.submit_practice(self._rt, campaign, actor, title=title, summary=summary, track=track)

    def select_practice(self, practice_id: int, actor: Actor, *, selected: bool) -> PracticeView:
        """Select a practice for the public digest's 晒成效 column (``selected`` True), or take it
        out again. A role from ``operations.select_practice`` (the publicity department)."""
        return _mechanisms.select_practice(self._rt, practice_id, actor, selected=selected)

    def practices(
        self, campaign: str | int, *, selected: bool | None = None, unit: str | None = None
    ) -> list[PracticeView]:
        """The practices units submitted, in the order submitted: all, or only the selected (or
        not selected) ones, of one unit."""
        return _mechanisms.practices(self._rt, campaign, selected=selected, unit=unit)

    # ----------------------------------------------------------------------- the outbox

    def outbox(self, campaign: str | int | None = None, *, status: str | None = None) -> list[OutboxView]:
        """Queued messages, oldest first: of one campaign, with one status (``pending``,
        ``sending``, ``sent``, ``dead``)."""
        return _outbox.outbox(self._rt, campaign, status=status)

    def outbox_message(self, outbox_id: int) -> OutboxView:
        """One queued message by id."""
        return _outbox.outbox_message(self._rt, outbox_id)

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

    def outbox_retry(self, outbox_ids: Iterable[int] | None = None, *, campaign: str | int | None = None) -> list[int]:
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

    def audit_anchors(self, campaign: str | int | None = None) -> list[Anchor]:
        """Every campaign's (or one's) audit chain head now, to keep outside the database
        (``zhenggai audit anchor``; the daemon, daily): :meth:`verify_audit` with them finds a
        chain cut short, rewritten or deleted since."""
        return _chain.audit_anchors(self._rt, campaign)

    def verify_audit(self, campaign: str | int | None = None, *, anchors: Iterable[Anchor] = ()) -> AuditReport:
        """Re-check every audit chain (or one campaign's): altered, inserted or deleted events,
        and the rows the events vouch for (items and their measures, documents, the roster,
        queued messages, the stored definition); against ``anchors`` (of :meth:`audit_anchors`,
        kept outside the database, those of other campaigns ignored when ``campaign`` is
        given), a chain cut short, rewritten or deleted."""
        return _chain.verify_audit(self._rt, campaign, anchors=anchors)

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

    def contact(self, contact_id: int) -> ContactView:
        """One contact of a roster by id (also a removed one)."""
        return _roster.contact(self._rt, contact_id)

    def contacts(
        self, campaign: str | int, *, unit: str | None = None, role: str | None = None, include_removed: bool = False
    ) -> list[ContactView]:
        """The campaign's roster, by id: of one unit, of one role, with removed contacts or not."""
        return _roster.contacts(self._rt, campaign, unit=unit, role=role, include_removed=include_removed)

    def check_contacts(self, campaign: str | int, entries: Sequence[NewContact]) -> list[ImportProblem]:
        """Every problem :meth:`import_contacts` would refuse ``entries`` for, writing nothing."""
        return _roster.check_contacts(self._rt, campaign, entries)

    def import_contacts(self, campaign: str | int, actor: Actor, entries: Sequence[NewContact]) -> list[ContactView]:
        """Add many contacts all or nothing, in one transaction: every entry is checked first and
        :class:`ImportRejected` lists every problem (entry, field, reason); one audit event."""
        return _roster.import_contacts(self._rt, campaign, actor, entries)

    def unreachable(self, campaign: str | int) -> UnreachableView:
        """The units (all) and roles (those the definition sends messages to) with no contact
        that could receive a message today: their messages would be dead letters."""
        return _roster.unreachable(self._rt, campaign)

    # --------------------------------------------------------------------------- duties

    def duties(
        self, campaign: str | int, *, unit: str | None = None, status: str | None = None,
        due_by: dt.date | None = None,
    ) -> list[DutyView]:
        """The campaign's duty occurrences, by due date then unit: of one unit, with one status
        (``open``, ``done``, or ``not_applicable``: due before the campaign was created), due on
        or before a day."""
        return _duties.duties(self._rt, campaign, unit=unit, status=status, due_by=due_by)

    def complete_duty(self, duty_id: int, actor: Actor, *, note: str | None = None) -> DutyView:
        """The unit has discharged a duty occurrence (e.g. handed in its 一报告四清单): its
        reminder and escalation steps are cancelled, and the act is audited. Done by someone of
        the unit (a unit-bound role acting for it) or by its receiver (the duty's ``to``: that
        role, or someone of that unit)."""
        return _duties.complete_duty(self._rt, duty_id, actor, note=note)

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

    def oldest_pending_step(self) -> dt.datetime | None:
        """When the longest-waiting pending step fell (or falls) due, for ``zhenggai status``."""
        return _sweep.oldest_pending_step(self._rt)

    def heartbeat(
        self, name: str, *, host: str, pid: int, started_at: dt.datetime, interval: float = 60.0, fired: int = 0,
        stopped: bool = False,
    ) -> None:
        """Record that the daemon ``name`` (``host:pid``) is alive, after a sweep that fired
        ``fired`` steps; ``stopped`` when it stops cleanly."""
        _sweep.heartbeat(self._rt, name, host=host, pid=pid, started_at=started_at, interval=interval, fired=fired, stopped=stopped)

    def status(self) -> StatusView:
        """The daemons' heartbeats (newest first), the steps waiting, the outbox by status."""
        return _sweep.status(self._rt)
