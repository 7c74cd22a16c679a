"""What the engine hands out: immutable views, never table rows.

Views a unit may see carry no reporter identity; :class:`ReporterView` is returned only by
``Engine.read_reporter`` (custodian role, audited).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ESCALATION_LABELS",
    "MECHANISM_STATUSES",
    "AccountabilityEntry",
    "Actor",
    "CalendarHolidayView",
    "CalendarYearView",
    "CampaignView",
    "ContactView",
    "DocumentView",
    "DuplicateView",
    "DutyView",
    "EventView",
    "FiveOutcomes",
    "HeartbeatView",
    "ImportProblem",
    "ImportResult",
    "ItemView",
    "LedgerRow",
    "MeasureView",
    "MechanismView",
    "NewContact",
    "NewItem",
    "OutboxView",
    "OutcomeTally",
    "OutcomeView",
    "PracticeView",
    "ProgressReport",
    "RekeyReport",
    "Reporter",
    "ReporterView",
    "StatusView",
    "Tally",
    "TrendPoint",
    "UnitRanking",
    "UnitTally",
    "UnreachableView",
]


#: An item's or duty's escalation level as officials name it (0: none yet).
ESCALATION_LABELS: Mapping[int, str] = {0: "未督办", 1: "挂牌督办", 2: "问责"}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


class _View:
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (dates as ISO strings)."""
        result = _plain(self)
        assert isinstance(result, dict)
        return result


@dataclass(frozen=True, slots=True)
class Actor(_View):
    """Who acts: a person's name, the role they act in, and their unit's key if any.

    The host system authenticates people; the engine checks that the role may do what is
    asked and, for unit-bound roles (``responsible``), that the unit is the item's.
    """

    name: str
    role: str
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class Reporter(_View):
    """A reporter's identity (举报人), given when an item is reported. Kept confidential."""

    name: str | None = None
    phone: str | None = None
    contact: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ReporterView(Reporter):
    item_id: int = 0


@dataclass(frozen=True, slots=True)
class RekeyReport(_View):
    """What ``Engine.rekey_reporters`` did: ``resealed`` identities moved from an older key to
    the current one (``key_id``), ``sealed_plaintext`` identities stored in plain text before
    sealing existed now sealed and their plain text cleared, ``unchanged`` already under the
    current key. ``scrubbed``: the database was then rewritten so that the values replaced are
    not left readable in its files (SQLite: VACUUM and a truncating WAL checkpoint; PostgreSQL:
    VACUUM FULL of the reporter table)."""

    key_id: str
    campaigns: tuple[str, ...]
    resealed: int
    sealed_plaintext: int
    unchanged: int
    scrubbed: bool


@dataclass(frozen=True, slots=True)
class CampaignView(_View):
    id: int
    key: str
    title: str
    county: str
    definition_id: str
    definition_version: str
    timezone: str


@dataclass(frozen=True, slots=True)
class ItemView(_View):
    """An item as officials and units see it (no reporter identity)."""

    id: int
    campaign: str
    track: str
    track_name: str
    channel: str
    title: str
    description: str
    severity: str
    state: str
    state_label: str
    unit: str | None
    unit_name: str | None
    leading_official: str | None
    due: dt.date | None
    light: str
    escalation_level: int
    reopen_count: int
    #: 暂停计时: when the deadline clock was paused (None while it runs) and the working days
    #: it had left, which it gets back when resumed.
    paused_at: dt.datetime | None
    paused_days: int | None
    merged_into: int | None
    dismiss_reason: str | None
    last_finding: str | None
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    verified_at: dt.datetime | None
    closed_at: dt.datetime | None
    closed_by: str | None
    version: int
    #: 典型案例: the note the case bulletin prints, and when the item was marked (None: not a case).
    case_note: str | None = None
    case_marked_at: dt.datetime | None = None
    #: 通报曝光: when and where the typical case was published (None: not yet).
    case_published_at: dt.date | None = None
    case_published_where: str | None = None
    #: 问题编号 (``ZG-2023-0001``): given when the item is reported, unique in its campaign.
    number: str | None = None


@dataclass(frozen=True, slots=True)
class MeasureView(_View):
    id: int
    item_id: int
    text: str
    due: dt.date | None
    done_at: dt.datetime | None
    done_by: str | None
    created_by: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class EventView(_View):
    id: int
    campaign_id: int
    seq: int
    item_id: int | None
    trigger: str
    from_state: str | None
    to_state: str | None
    actor: str
    role: str
    unit: str | None
    at: dt.datetime
    data: dict[str, Any]
    hash: str


@dataclass(frozen=True, slots=True)
class OutboxView(_View):
    """A queued message: ``pending`` (waiting for ``next_try_at``), ``sending`` (claimed by a
    dispatcher until ``next_try_at``), ``sent`` or ``dead`` (with ``last_error``)."""

    id: int
    item_id: int | None
    kind: str
    channel: str
    recipient: str
    idempotency_key: str
    payload: dict[str, Any]
    status: str
    attempts: int
    last_error: str | None
    campaign_id: int
    next_try_at: dt.datetime
    created_at: dt.datetime
    sent_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class LedgerRow(_View):
    """One row of the 整改台账: the item and its measures."""

    item: ItemView
    measures: tuple[MeasureView, ...]


@dataclass(frozen=True, slots=True)
class HeartbeatView(_View):
    """A scheduler daemon's last sign of life (``zhenggai run``)."""

    name: str
    host: str
    pid: int
    started_at: dt.datetime
    beat_at: dt.datetime
    stopped_at: dt.datetime | None
    #: Seconds between its sweeps.
    interval: float
    sweeps: int
    fired: int

    def alive(self, now: dt.datetime) -> bool:
        """Not stopped, and heard from within three intervals (plus a little slack)."""
        return self.stopped_at is None and now - self.beat_at <= dt.timedelta(seconds=3 * self.interval + 10)


@dataclass(frozen=True, slots=True)
class StatusView(_View):
    """What an operator checks: the daemons, the steps waiting, the outbox by status."""

    now: dt.datetime
    daemons: tuple[HeartbeatView, ...]
    pending_steps: int
    due_steps: int
    oldest_due: dt.datetime | None
    outbox: dict[str, int]
    #: Steps waiting for a year of the calendar (待日历), how many of them are past the
    #: earliest moment they could be due (they cannot fire until the year is loaded), and the
    #: years they wait for.
    awaiting_calendar: int = 0
    awaiting_due: int = 0
    awaiting_years: tuple[int, ...] = ()

    @property
    def behind(self) -> dt.timedelta:
        """How long the oldest step that is due has waited (zero when none is due)."""
        if self.oldest_due is None or self.oldest_due > self.now:
            return dt.timedelta(0)
        return self.now - self.oldest_due


@dataclass(frozen=True, slots=True)
class CalendarHolidayView(_View):
    """One holiday of a year's arrangement: its days off and its make-up working days (调休)."""

    name: str
    start: dt.date
    end: dt.date
    makeup: tuple[dt.date, ...]


@dataclass(frozen=True, slots=True)
class CalendarYearView(_View):
    """A year of the statutory calendar as the database has it: from the installed package
    (``origin`` ``package``) or loaded by an operator (``loaded``: who, when, from which
    notice, the file's SHA-256, what it replaced). ``in_force``: the one deadlines count on."""

    year: int
    origin: str
    in_force: bool
    source: str
    notice: str | None
    loaded_by: str | None
    loaded_at: dt.datetime | None
    replaces: str | None
    sha256: str | None
    holidays: tuple[CalendarHolidayView, ...]
    working_days: int
    days_off: int


@dataclass(frozen=True, slots=True)
class DutyView(_View):
    """One occurrence of a unit's duty (职责): what it owes, by when, and whether it has."""

    id: int
    campaign: str
    duty: str
    label: str
    deliverable: str
    unit: str
    unit_name: str
    due: dt.date
    status: str
    light: str
    escalation_level: int
    done_at: dt.datetime | None
    done_by: str | None


@dataclass(frozen=True, slots=True)
class RecomputeView(_View):
    """What 重算整改时限 (:meth:`Engine.recompute_deadlines`) changed: the items whose due date
    moved (id, old, new) and how many pending steps were re-timed."""

    campaign: str
    moved: tuple[tuple[int, dt.date, dt.date], ...]
    retimed: int


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

    def active_on(self, day: dt.date) -> bool:
        """Whether the contact receives messages on ``day`` (not removed, within its dates)."""
        return (self.removed_at is None and (self.active_from is None or self.active_from <= day)
                and (self.active_to is None or day <= self.active_to))


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


# ----------------------------------------------------------------------------- documents


@dataclass(frozen=True, slots=True)
class DocumentView(_View):
    """A normative document under review (规范性文件清理): listed by ``unit``, on the
    definition's document lifecycle; ``decided`` once in a final state (the decision, e.g.
    保留 / 修订 / 废止, with its date ``decided_at``)."""

    id: int
    campaign: str
    unit: str
    unit_name: str
    title: str
    doc_number: str | None
    note: str | None
    state: str
    state_label: str
    decided: bool
    due: dt.date
    light: str
    escalation_level: int
    decision_note: str | None
    decided_at: dt.datetime | None
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


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
