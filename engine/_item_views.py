"""The views of one campaign's work: its items, measures and events, the outbox, the ledger,
the engine's status, calendar years, duties and documents, with the base every view shares.

:mod:`zhenggai.engine.views` re-exports all of them; import them from there.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zhenggai.workflows.schema import CampaignSetup, LifecycleSpec

__all__ = [
    "ESCALATION_LABELS",
    "Actor",
    "CalendarHolidayView",
    "CalendarYearView",
    "CampaignInfo",
    "CampaignView",
    "DocumentView",
    "DutyView",
    "EventView",
    "FiredTransition",
    "HeartbeatView",
    "ItemView",
    "LedgerRow",
    "MeasureView",
    "OutboxView",
    "RecomputeView",
    "RekeyReport",
    "Reporter",
    "ReporterView",
    "StatusView",
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
class CampaignInfo:
    """What a campaign runs on, in one read: its view, lifecycle, whole definition (None for a
    campaign started before definitions were kept whole), units and tracks as (key, name) in the
    definition's order. What adapters name the campaign's codes with."""

    view: CampaignView
    lifecycle: LifecycleSpec
    definition: CampaignSetup | None
    units: tuple[tuple[str, str], ...]
    tracks: tuple[tuple[str, str], ...]


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
    #: 领衔调研: when the leader's research is due, when it was reported done and its note
    #: (None: no 领衔 / not yet).
    #: 领衔领导 as a roster contact (``Engine.lead_item``; ``leading_official`` is the name).
    leader_contact_id: int | None = None
    research_due: dt.date | None = None
    research_done_at: dt.datetime | None = None
    research_note: str | None = None


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
class FiredTransition(_View):
    """A transition as fired: the item as it left it, and the audit event it wrote."""

    item: ItemView
    event: EventView


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
    #: The roster contact it is for (None: a dead letter of a recipient without contacts).
    contact_id: int | None = None


@dataclass(frozen=True, slots=True)
class LedgerRow(_View):
    """One row of the 整改台账: the item and its measures, and the names of its 佐证材料 (no
    reporter's)."""

    item: ItemView
    measures: tuple[MeasureView, ...]
    attachments: tuple[str, ...] = ()


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
