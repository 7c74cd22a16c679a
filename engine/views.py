"""What the engine hands out: immutable views, never table rows.

Views a unit may see carry no reporter identity; :class:`ReporterView` is returned only by
``Engine.read_reporter`` (custodian role, audited). This module holds the views of the roster,
intake, reports and outcomes, and re-exports the views of items, measures, events and the rest
of a campaign's work from ``_item_views``, so every view is importable from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from ._item_views import (
    ESCALATION_LABELS,
    Actor,
    CalendarHolidayView,
    CalendarYearView,
    CampaignInfo,
    CampaignView,
    DocumentView,
    DutyView,
    EventView,
    FiredTransition,
    HeartbeatView,
    ItemView,
    LedgerRow,
    MeasureView,
    OutboxView,
    RecomputeView,
    RekeyReport,
    Reporter,
    ReporterView,
    StatusView,
    _View,
)

__all__ = [
    "ESCALATION_LABELS",
    "EXTENSION_STATES",
    "MECHANISM_STATUSES",
    "PART_STATES",
    "AccountabilityEntry",
    "Actor",
    "CalendarHolidayView",
    "CalendarYearView",
    "CampaignInfo",
    "CampaignView",
    "ContactView",
    "DocumentView",
    "DuplicateView",
    "DutyView",
    "EventView",
    "ExtensionView",
    "FiredTransition",
    "FiveOutcomes",
    "HeartbeatView",
    "ImportProblem",
    "ImportResult",
    "InstructionView",
    "ItemView",
    "LeaderInstruction",
    "LedgerRow",
    "MeasureView",
    "MechanismView",
    "NewContact",
    "NewItem",
    "OutboxView",
    "OutcomeTally",
    "OutcomeView",
    "PartView",
    "PracticeView",
    "ProgressReport",
    "RecomputeView",
    "RekeyReport",
    "Reporter",
    "ReporterView",
    "SourceTally",
    "StatusView",
    "Tally",
    "TrendPoint",
    "UnitRanking",
    "UnitTally",
    "UnreachableView",
]


# ------------------------------------------------------------------------------ the roster


@dataclass(frozen=True, slots=True)
class ContactView(_View):
    """A person of the campaign's roster (通讯录) who receives messages for ``unit`` and, when
    ``role`` is a role of the definition, for that role. Personal data (name, addresses): shown
    to the people who run the campaign, never written into audit events. ``removed_at`` set:
    removed from the roster (kept, so messages sent to it keep their recipient)."""

    id: int
    campaign: str
    unit: str
    unit_name: str
    name: str
    role: str
    mobile: str | None
    email: str | None
    wecom_id: str | None
    dingtalk_id: str | None
    channels: tuple[str, ...]
    active_from: dt.date | None
    active_to: dt.date | None
    created_at: dt.datetime | None
    updated_at: dt.datetime | None
    removed_at: dt.datetime | None
    team: int | None = None
    #: The track whose working group the contact belongs to (e.g. its 组长); None: none.
    track: str | None = None

    def active_on(self, day: dt.date) -> bool:
        """Whether the contact receives messages on ``day`` (not removed, within its dates)."""
        return (
            self.removed_at is None
            and (self.active_from is None or self.active_from <= day)
            and (self.active_to is None or day <= self.active_to)
        )


@dataclass(frozen=True, slots=True)
class NewContact(_View):
    """One contact to add (:meth:`Engine.add_contact`, :meth:`Engine.import_contacts`): ``unit``
    and ``role`` as keys (``role`` a role of the definition, or ``contact``); at least one
    address; ``channels`` the contact's own order of delivery channels (empty: the definition's
    route for the kind of recipient)."""

    unit: str
    name: str
    role: str = "contact"
    mobile: str | None = None
    email: str | None = None
    wecom_id: str | None = None
    dingtalk_id: str | None = None
    channels: tuple[str, ...] = ()
    active_from: dt.date | None = None
    active_to: dt.date | None = None
    #: The supervision team (督查工作组) of a ``supervision.role`` contact.
    team: int | None = None
    #: A track id: the contact belongs to that track's working group (its 组长 …).
    track: str | None = None


@dataclass(frozen=True, slots=True)
class UnreachableView(_View):
    """Who in a campaign has no reachable contact today (:meth:`Engine.unreachable`): units
    (every unit of the campaign) and roles (those the definition sends messages to), each as
    (key, Chinese name). A message for them becomes a dead letter until a contact is added."""

    campaign: str
    day: dt.date
    units: tuple[tuple[str, str], ...]
    roles: tuple[tuple[str, str], ...]


# ------------------------------------------------------------------------------ intake


@dataclass(frozen=True, slots=True)
class NewItem(_View):
    """One problem to import (:meth:`Engine.import_items`): reported, and assigned to ``unit``
    when one is given (by ``due``, or by the definition's rule when ``due`` is None)."""

    title: str
    description: str
    track: str
    channel: str
    severity: str | None = None
    unit: str | None = None
    due: dt.date | None = None
    leading_official: str | None = None
    reporter: Reporter | None = None


@dataclass(frozen=True, slots=True)
class ImportProblem(_View):
    """Why entry ``index`` (0-based) of an import was refused: the :class:`NewItem` field, and
    the reason in Chinese."""

    index: int
    field: str
    message: str


@dataclass(frozen=True, slots=True)
class DuplicateView(_View):
    """关联研判: item ``item_id`` looks like ``other_id`` (``score`` from 0 to 1), flagged for a
    person to judge; ``resolution`` is ``same`` (merged) or ``distinct`` once judged."""

    id: int
    campaign: str
    item_id: int
    other_id: int
    score: float
    item_title: str
    other_title: str
    created_at: dt.datetime
    resolved_at: dt.datetime | None
    resolved_by: str | None
    resolution: str | None


@dataclass(frozen=True, slots=True)
class ImportResult(_View):
    """What an import wrote: the items, and the possible duplicates it flagged."""

    items: tuple[ItemView, ...]
    duplicates: tuple[DuplicateView, ...]


# ----------------------------------------------------------------------------- reports


@dataclass(frozen=True, slots=True)
class Tally(_View):
    """How many items have ``key`` (a track, state or light), with its Chinese label."""

    key: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class SourceTally(_View):
    """How many items came in on one intake channel (来源渠道), with the plan's mechanism the
    channel belongs to (``channels[].mechanism``; None: none named)."""

    mechanism: str | None
    channel: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class UnitTally(_View):
    """One responsible unit's figures. ``overdue``: open with the due date passed;
    ``supervised``: at 挂牌督办 or above; ``closed_on_time`` / ``closed_late``: 销号 on or
    before / after the due date; ``reopened``: reopened by 回头看 at least once."""

    unit: str
    unit_name: str
    total: int
    open: int
    closed: int
    overdue: int
    red: int
    yellow: int
    supervised: int
    closed_on_time: int
    closed_late: int
    reopened: int


@dataclass(frozen=True, slots=True)
class TrendPoint(_View):
    """One week (Monday ``week_start``): items reported and finished in it, open at its end."""

    week_start: dt.date
    reported: int
    closed: int
    open: int


@dataclass(frozen=True, slots=True)
class ProgressReport(_View):
    """The numbers of a progress bulletin (工作进展通报), as of ``as_of`` (``today`` in the
    campaign's timezone), for the campaign or one unit / track of it. ``closed`` counts items in
    a final state (销号, 撤销, 合并); ``by_state`` tells them apart."""

    campaign: CampaignView
    as_of: dt.datetime
    today: dt.date
    unit: str | None
    track: str | None
    total: int
    open: int
    closed: int
    overdue: int
    by_track: tuple[Tally, ...]
    by_state: tuple[Tally, ...]
    by_light: tuple[Tally, ...]
    by_source: tuple[SourceTally, ...]
    by_unit: tuple[UnitTally, ...]
    trend: tuple[TrendPoint, ...]


@dataclass(frozen=True, slots=True)
class UnitRanking(_View):
    """A unit's place in the supervision teams' ranking: best on-time rate first (units with
    nothing due yet last), then fewest overdue, then fewest reopened."""

    rank: int
    unit: str
    unit_name: str
    total: int
    closed: int
    closed_on_time: int
    on_time_rate: float | None
    overdue: int
    reopened: int
    supervised: int


# ------------------------------------------------------------------------------ outcomes


@dataclass(frozen=True, slots=True)
class AccountabilityEntry(_View):
    """One person held accountable for an item: ``outcome`` is an id of the definition's
    accountability vocabulary (``outcomes.accountability``), ``outcome_label`` its name (诫勉 …).
    ``person`` is "" and ``position`` None for a reader who may not see named people. Given to
    :meth:`Engine.record_outcome`, ``outcome_label`` may be left out (the engine fills it)."""

    person: str
    position: str | None
    outcome: str
    outcome_label: str = ""


@dataclass(frozen=True, slots=True)
class OutcomeView(_View):
    """What came of a closed or dismissed item: the root cause (根源分析), the people held
    accountable (``people`` of them) and the long-term mechanisms it led to. ``named`` is
    False when the reader's role may not see the people (``operations.read_named_people``):
    the entries then keep their outcomes but not who."""

    item_id: int
    root_cause: str | None
    accountability: tuple[AccountabilityEntry, ...]
    people: int
    mechanisms: tuple[int, ...]
    recorded_by: str
    recorded_at: dt.datetime
    named: bool


#: A long-term mechanism's status, with its Chinese name.
MECHANISM_STATUSES: Mapping[str, str] = {
    "drafting": "起草中",
    "established": "已建立",
    "amended": "已修订",
    "repealed": "已废止",
}


@dataclass(frozen=True, slots=True)
class MechanismView(_View):
    """A long-term mechanism (长效机制): a rule, procedure or system ``unit`` established or
    revised because of the campaign (``kind`` from the definition's ``outcomes.mechanism_kinds``),
    its status as of ``date`` and the items that led to it."""

    id: int
    campaign: str
    unit: str
    unit_name: str
    track: str | None
    title: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    date: dt.date
    items: tuple[int, ...]
    note: str | None
    created_by: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class PracticeView(_View):
    """A good practice or innovative case (典型做法和创新案例) a unit submitted; ``selected`` by
    the publicity role for the public digest's 晒成效 column."""

    id: int
    campaign: str
    unit: str
    unit_name: str
    track: str | None
    title: str
    summary: str
    submitted_by: str
    submitted_at: dt.datetime
    selected: bool
    selected_by: str | None
    selected_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class OutcomeTally(_View):
    """One of the five outcomes (五个一批): how many so far against the target (None: none set)."""

    key: str
    label: str
    count: int
    target: int | None

    @property
    def rate(self) -> float | None:
        """完成率: count / target (None without a positive target)."""
        return None if not self.target else self.count / self.target


@dataclass(frozen=True, slots=True)
class FiveOutcomes(_View):
    """The 五个一批 dashboard as of ``as_of``: the five outcomes (in the plan's order) for the
    campaign or one unit / track of it, per track and per unit (units with anything), and week
    by week (Monday ``week_start``, the five cumulative counts at the week's end)."""

    campaign: CampaignView
    as_of: dt.datetime
    today: dt.date
    unit: str | None
    track: str | None
    totals: tuple[OutcomeTally, ...]
    by_track: tuple[tuple[str, str, tuple[OutcomeTally, ...]], ...]
    by_unit: tuple[tuple[str, str, tuple[OutcomeTally, ...]], ...]
    trend: tuple[tuple[dt.date, tuple[int, ...]], ...]
    #: 警示教育 sessions held (the people_educated figure counts their attendees).
    education_sessions: int = 0


# ------------------------------------------------------------------ registers (issue 16)


@dataclass(frozen=True, slots=True)
class EducationView(_View):
    """A 警示教育 session ``unit`` held on ``held_on`` (一、(三) 警示教育一批党员干部): its topic,
    how many cadres attended, the cases used (``cases`` as text, ``case_items`` the campaign's
    items shown)."""

    id: int
    campaign: str
    unit: str
    unit_name: str
    track: str | None
    held_on: dt.date
    title: str
    attendees: int
    cases: str | None
    case_items: tuple[int, ...]
    created_by: str
    created_at: dt.datetime


#: A 践诺 commitment's state, with its Chinese name.
COMMITMENT_STATES: Mapping[str, str] = {"open": "践诺中", "fulfilled": "已兑现", "broken": "未兑现"}


@dataclass(frozen=True, slots=True)
class CommitmentView(_View):
    """A unit's public commitment (践诺, 二、(二)): ``text`` due by ``due``; ``state`` open /
    fulfilled / broken (settled on ``settled_on`` with ``settle_note``). ``overdue``: still open
    after its due day, as of the reading."""

    id: int
    campaign: str
    unit: str
    unit_name: str
    text: str
    due: dt.date
    state: str
    state_label: str
    overdue: bool
    settled_on: dt.date | None
    settle_note: str | None
    settled_by: str | None
    created_by: str
    created_at: dt.datetime


#: The states of a 延期申请, as officials name them.
EXTENSION_STATES: Mapping[str, str] = {"pending": "待审批", "approved": "已批准", "refused": "未批准"}


@dataclass(frozen=True, slots=True)
class ExtensionView(_View):
    """A 延期申请 of item ``item_id`` by ``unit``: from ``old_due`` to ``new_due``; ``state``
    pending / approved / refused; ``next_approver``: the role that decides next (None once
    decided); ``stage``: approvals given so far."""

    id: int
    campaign: str
    item_id: int
    unit: str
    unit_name: str
    old_due: dt.date
    new_due: dt.date
    reason: str
    progress: str | None
    state: str
    state_label: str
    stage: int
    next_approver: str | None
    requested_by: str
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    note: str | None


@dataclass(frozen=True, slots=True)
class ReviewView(_View):
    """A 回头看 review task (``Engine.follow_ups``): the drawn item, the draw's day, who reviews
    it (``role``) by ``due``; ``state`` open / confirmed / finding."""

    id: int
    campaign: str
    item_id: int
    item_number: str | None
    title: str
    unit: str | None
    unit_name: str | None
    draw_day: dt.date
    role: str
    due: dt.date
    state: str
    state_label: str
    finding: str | None
    light: str
    escalation_level: int
    done_by: str | None
    done_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class VisitView(_View):
    """A 督查 visit (``Engine.record_visit``): team, unit, day, the draw that sent the team and
    the items its findings became."""

    id: int
    campaign: str
    team: int
    unit: str
    unit_name: str
    draw_day: dt.date
    day: dt.date
    items: tuple[int, ...]
    recorded_by: str
    recorded_at: dt.datetime


#: The states of a send-back (退单), as officials read them.
SEND_BACK_STATES = {"open": "待审定", "reassigned": "已改派", "insisted": "坚持原交办"}


@dataclass(frozen=True, slots=True)
class SendBackView(_View):
    """A send-back (退单, ``Engine.send_back``): ``unit`` sent item ``item_id`` back with
    ``reason`` (a code of ``send_back.reasons``); ``state`` open until the office rules
    (reassigned to ``to_unit``, or insisted). ``item_send_backs``: how many times the item has
    been sent back in all (by any units); ``flagged`` when that reaches ``send_back.flag_after``."""

    id: int
    campaign: str
    item_id: int
    item_number: str | None
    title: str
    unit: str
    unit_name: str
    reason: str
    reason_label: str
    note: str | None
    clock_stopped: bool
    state: str
    state_label: str
    to_unit: str | None
    to_unit_name: str | None
    ruled_by: str | None
    ruled_at: dt.datetime | None
    ruling_note: str | None
    created_by: str
    created_at: dt.datetime
    item_send_backs: int
    flagged: bool


@dataclass(frozen=True, slots=True)
class SendBackTally(_View):
    """One unit's send-backs (``Engine.send_back_tally``): sent, still open, reassigned away
    (the office agreed) and insisted (ruled against the unit)."""

    unit: str
    unit_name: str
    sent: int
    open: int
    reassigned: int
    insisted: int


#: The states of a co-unit's part (协办), as officials read them.
PART_STATES = {"open": "办理中", "done": "已完成", "waived": "已免除"}


@dataclass(frozen=True, slots=True)
class PartView(_View):
    """A co-unit's part of an item (协办, ``Engine.add_co_unit``): ``unit`` answers for
    ``part`` by ``due``; ``lead_unit`` is the item's responsible unit (主办). ``state`` open
    until the co-unit reports it done or the office waives it; ``late`` when it was done (or
    is still open) after its due date; ``light`` how far its ladder has gone."""

    id: int
    campaign: str
    item_id: int
    item_number: str | None
    title: str
    lead_unit: str | None
    lead_unit_name: str | None
    unit: str
    unit_name: str
    part: str
    due: dt.date
    state: str
    state_label: str
    light: str
    late: bool
    done_by: str | None
    done_at: dt.datetime | None
    waived_by: str | None
    waived_at: dt.datetime | None
    note: str | None
    created_by: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class LeaderInstruction(_View):
    """A 领导批示 as given to an operation (``Engine.report`` on the 领导批示交办 channel):
    ``leader`` a roster contact id or a leader's name, ``given_on`` the day (a date or
    ``YYYY-MM-DD``), ``text`` the instruction."""

    leader: int | str
    given_on: dt.date | str
    text: str


@dataclass(frozen=True, slots=True)
class InstructionView(_View):
    """A 领导批示 recorded on item ``item_id`` (``Engine.record_instruction``): ``leader`` (the
    name; ``leader_contact_id`` when the roster names them) gave ``text`` on ``given_on``."""

    id: int
    campaign: str
    item_id: int
    leader: str
    leader_contact_id: int | None
    given_on: dt.date
    text: str
    recorded_by: str
    recorded_at: dt.datetime


#: The states of a 回访 task, as officials read them.
CALLBACK_STATES = {"open": "待回访", "done": "已回访"}


@dataclass(frozen=True, slots=True)
class CallbackView(_View):
    """A 回访 task (``Engine.callbacks``): item ``item_id``, closed (销号) while ``unit`` answered
    for it, to be called back by ``role`` (the reporter's custodian) by ``due``; ``state``
    open / done; ``result`` satisfied / basically_satisfied / unsatisfied (``result_label``
    满意 / 基本满意 / 不满意) with ``note``; ``late`` when recorded after ``due``. Never the
    reporter: the custodian reads them with ``Engine.read_reporter``."""

    id: int
    campaign: str
    item_id: int
    item_number: str | None
    title: str
    unit: str | None
    unit_name: str | None
    role: str
    due: dt.date
    state: str
    state_label: str
    result: str | None
    result_label: str | None
    note: str | None
    late: bool
    light: str
    escalation_level: int
    done_by: str | None
    done_at: dt.datetime | None
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class SatisfactionView(_View):
    """One unit's 回访 results (``Engine.satisfaction``): callbacks recorded (``called``, 回访数)
    and how many were satisfied (满意), basically satisfied (基本满意) and unsatisfied (不满意);
    ``open``: callbacks not yet made. ``rate`` = (满意 + 基本满意) / 回访数, None when none was
    recorded. ``unit`` None: the campaign's total."""

    unit: str | None
    unit_name: str
    called: int
    satisfied: int
    basically: int
    unsatisfied: int
    open: int
    rate: float | None
