"""What the engine hands out: immutable views, never table rows.

Views a unit may see carry no reporter identity; :class:`ReporterView` is returned only by
``Engine.read_reporter`` (custodian role, audited).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Actor",
    "CampaignView",
    "DutyView",
    "EventView",
    "HeartbeatView",
    "ItemView",
    "LedgerRow",
    "MeasureView",
    "OutboxView",
    "Reporter",
    "ReporterView",
    "StatusView",
]


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

    @property
    def behind(self) -> dt.timedelta:
        """How long the oldest step that is due has waited (zero when none is due)."""
        if self.oldest_due is None or self.oldest_due > self.now:
            return dt.timedelta(0)
        return self.now - self.oldest_due


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
