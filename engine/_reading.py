"""The engine's queries: what people, reports and host systems read, each a delegation to the
module that owns it; the base of :class:`~.service.Engine` (which adds the operations that act)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence

from zhenggai.workflows.schema import CalendarSpec, CampaignSetup, LifecycleSpec

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
    _roster,
    _scores,
    _sweep,
    _timekeeping,
)
from ._runtime import Runtime
from ._score_views import UnitScore
from .audit import Anchor, AuditReport
from .calendar import WorkingCalendar
from .views import (
    Actor,
    CalendarYearView,
    CampaignInfo,
    CampaignView,
    ContactView,
    DocumentView,
    DuplicateView,
    DutyView,
    EventView,
    FiveOutcomes,
    ImportProblem,
    ItemView,
    LedgerRow,
    MeasureView,
    MechanismView,
    NewContact,
    OutboxView,
    PracticeView,
    ProgressReport,
    StatusView,
    UnitRanking,
    UnreachableView,
)

__all__ = ["EngineReads"]


class EngineReads:
    """The read-only half of :class:`~.service.Engine`'s API (campaigns, items, the ledger, audit
    events, reports' numbers, the roster, the daemons' status). Reading the people held
    accountable (:meth:`~.service.Engine.outcome`) is audited, so it is with the operations."""

    _rt: Runtime

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

    def working_calendar(self, spec: CalendarSpec | None = None) -> WorkingCalendar:
        """The statutory calendar as this database has it now (the package's years and those
        loaded, read afresh) with the county overrides of ``spec``: what a campaign with that
        ``calendar`` section would count working days on (``zhenggai init`` checks a re-dated
        plan on it)."""
        return _timekeeping.working_calendar(self._rt, spec)

    def calendar_years(self) -> list[CalendarYearView]:
        """Every year the database can count working days in, by year: the package's and the
        loaded ones (a replaced package year and earlier loads of a year as history, not in force)."""
        return _timekeeping.calendar_years(self._rt)

    def calendar_year(self, year: int) -> CalendarYearView:
        """The arrangement in force for ``year``; :class:`CalendarError` for a year no source knows."""
        return _timekeeping.calendar_year(self._rt, year)

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
        light: str | None = None,
    ) -> list[ItemView]:
        """Items, oldest first, optionally filtered by campaign, state, unit key, track,
        问题编号 (``number``, case and surrounding blanks ignored) and light (``green``,
        ``yellow``, ``red``)."""
        return _queries.items(
            self._rt, campaign, state=state, unit=unit, track=track, number=number, light=light
        )

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
        self,
        campaign: str | int,
        *,
        unit: str | None = None,
        track: str | None = None,
        after: int | None = None,
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

    def cases(
        self, campaign: str | int, *, unit: str | None = None, track: str | None = None
    ) -> list[ItemView]:
        """The items marked as typical cases (典型案例), in the order they were marked."""
        return _queries.cases(self._rt, campaign, unit=unit, track=track)

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

    def progress(
        self, campaign: str | int, *, unit: str | None = None, track: str | None = None
    ) -> ProgressReport:
        """The numbers of a progress bulletin (工作进展通报) as of now: for the campaign, or one
        responsible unit or track of it (definitions in :mod:`zhenggai.engine._reports`)."""
        return _queries.progress(self._rt, campaign, unit=unit, track=track)

    def ranking(self, campaign: str | int, *, track: str | None = None) -> list[UnitRanking]:
        """The responsible units best first, for the supervision teams: on-time rate, then
        fewest overdue, then fewest reopened after 回头看."""
        return _queries.ranking(self._rt, campaign, track=track)

    def duplicates(self, campaign: str | int, *, unresolved: bool = True) -> list[DuplicateView]:
        """关联研判 flags of the campaign, oldest first: only those still to judge, or all."""
        return _intake.duplicates(self._rt, campaign, unresolved=unresolved)

    def five_outcomes(
        self, campaign: str | int, *, unit: str | None = None, track: str | None = None
    ) -> FiveOutcomes:
        """The 五个一批 dashboard as of now: the plan's five outcomes counted from the records,
        against the definition's targets (definitions in :mod:`zhenggai.engine._outcomes`)."""
        return _outcomes.five_outcomes_of(self._rt, campaign, unit=unit, track=track)

    def mechanisms(
        self, campaign: str | int, *, unit: str | None = None, track: str | None = None
    ) -> list[MechanismView]:
        """The campaign's long-term mechanisms (长效机制台账), in the order they were registered:
        all, or one unit's, or those registered for one track."""
        return _mechanisms.mechanisms(self._rt, campaign, unit=unit, track=track)

    def practices(
        self, campaign: str | int, *, selected: bool | None = None, unit: str | None = None
    ) -> list[PracticeView]:
        """The practices units submitted, in the order submitted: all, or only the selected (or
        not selected) ones, of one unit."""
        return _mechanisms.practices(self._rt, campaign, selected=selected, unit=unit)

    def outbox(self, campaign: str | int | None = None, *, status: str | None = None) -> list[OutboxView]:
        """Queued messages, oldest first: of one campaign, with one status (``pending``,
        ``sending``, ``sent``, ``dead``)."""
        return _outbox.outbox(self._rt, campaign, status=status)

    def outbox_message(self, outbox_id: int) -> OutboxView:
        """One queued message by id."""
        return _outbox.outbox_message(self._rt, outbox_id)

    def contact(self, contact_id: int) -> ContactView:
        """One contact of a roster by id (also a removed one)."""
        return _roster.contact(self._rt, contact_id)

    def contacts(
        self,
        campaign: str | int,
        *,
        unit: str | None = None,
        role: str | None = None,
        include_removed: bool = False,
    ) -> list[ContactView]:
        """The campaign's roster, by id: of one unit, of one role, with removed contacts or not."""
        return _roster.contacts(self._rt, campaign, unit=unit, role=role, include_removed=include_removed)

    def check_contacts(self, campaign: str | int, entries: Sequence[NewContact]) -> list[ImportProblem]:
        """Every problem :meth:`import_contacts` would refuse ``entries`` for, writing nothing."""
        return _roster.check_contacts(self._rt, campaign, entries)

    def unreachable(self, campaign: str | int) -> UnreachableView:
        """The units (all) and roles (those the definition sends messages to) with no contact
        that could receive a message today: their messages would be dead letters."""
        return _roster.unreachable(self._rt, campaign)

    def duties(
        self,
        campaign: str | int,
        *,
        unit: str | None = None,
        status: str | None = None,
        due_by: dt.date | None = None,
    ) -> list[DutyView]:
        """The campaign's duty occurrences, by due date then unit: of one unit, with one status
        (``open``, ``done``, or ``not_applicable``: due before the campaign was created), due on
        or before a day."""
        return _duties.duties(self._rt, campaign, unit=unit, status=status, due_by=due_by)

    def oldest_pending_step(self) -> dt.datetime | None:
        """When the longest-waiting pending step fell (or falls) due, for ``zhenggai status``."""
        return _sweep.oldest_pending_step(self._rt)

    def status(self) -> StatusView:
        """The daemons' heartbeats (newest first), the steps waiting, the outbox by status."""
        return _sweep.status(self._rt)

    def audit_anchors(self, campaign: str | int | None = None) -> list[Anchor]:
        """Every campaign's (or one's) audit chain head now, to keep outside the database
        (``zhenggai audit anchor``; the daemon, daily): :meth:`verify_audit` with them finds a
        chain cut short, rewritten or deleted since."""
        return _chain.audit_anchors(self._rt, campaign)

    def verify_audit(
        self, campaign: str | int | None = None, *, anchors: Iterable[Anchor] = ()
    ) -> AuditReport:
        """Re-check every audit chain (or one campaign's): altered, inserted or deleted events,
        and the rows the events vouch for (items and their measures, documents, the roster,
        queued messages, the stored definition); against ``anchors`` (of :meth:`audit_anchors`,
        kept outside the database, those of other campaigns ignored when ``campaign`` is
        given), a chain cut short, rewritten or deleted."""
        return _chain.verify_audit(self._rt, campaign, anchors=anchors)

    # 考核 / 红黄牌 (issue 17): the definition's ``scoring``, per unit and month.

    def scores(self, campaign: str | int, month: str) -> list[UnitScore]:
        """Every unit's 考核 for ``month`` (``YYYY-MM``, begun already) as the records stand now,
        best first: each term's count and points, the total, the card. Writes nothing."""
        return _scores.scores(self._rt, campaign, month)

    def store_scores(self, campaign: str | int, actor: Actor, month: str) -> list[UnitScore]:
        """Store ``month``'s scores (the office; the month-end step does it by itself) and send
        the 黄牌/红牌 notices to each carded unit's ``scoring.to`` (一把手). Again for a stored
        month: only what changed is written, a unit told only of a new card."""
        return _scores.store_scores(self._rt, campaign, actor, month)

    def stored_scores(
        self, campaign: str | int, *, unit: str | None = None, month: str | None = None
    ) -> list[UnitScore]:
        """The stored month scores (of one unit, of one month), oldest month first."""
        return _scores.stored_scores(self._rt, campaign, unit=unit, month=month)
