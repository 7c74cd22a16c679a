"""Test helpers for host systems that embed zhenggai: a throwaway engine on a temporary
SQLite file, started with a built-in campaign, on a virtual clock; moving that clock and
sweeping (:meth:`Sandbox.advance`, :func:`advance_and_sweep`); and a channel that records what
the dispatcher sends instead of sending it (:class:`RecordingChannel`).

::

    from zhenggai.notifications.dispatcher import Dispatcher
    from zhenggai.testing import RecordingChannel, throwaway_engine

    def test_my_integration():
        with throwaway_engine() as sandbox:
            item = sandbox.engine.report(sandbox.campaign.key, sandbox.office, title=..., ...)
            report = sandbox.advance(datetime.timedelta(days=3))  # the steps due by then fire
            channel = RecordingChannel("email")
            Dispatcher(sandbox.engine, [channel]).dispatch()
            assert [m.kind for m in channel.messages] == [...]
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from zhenggai.engine import (
    Actor,
    CampaignSetup,
    CampaignView,
    DeliveryError,
    Engine,
    ItemView,
    OutgoingMessage,
    ReporterKeys,
    VirtualClock,
)

if TYPE_CHECKING:
    from zhenggai.engine._steps import SweepReport

__all__ = [
    "RecordingChannel",
    "Sandbox",
    "VirtualClock",
    "advance_and_sweep",
    "items_only",
    "lead_by_name",
    "throwaway_engine",
]

#: 2023-07-03 09:00 in Asia/Shanghai: a Monday in the plan's inspection phase.
DEFAULT_START = dt.datetime(2023, 7, 3, 1, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Sandbox:
    """A throwaway engine, its virtual clock, the started campaign and ready-made actors."""

    engine: Engine
    clock: VirtualClock
    campaign: CampaignView
    office: Actor
    track_leader: Actor
    supervision: Actor
    custodian: Actor

    def unit_actor(self, unit: str, name: str = "责任单位联络员") -> Actor:
        """An actor of the responsible-unit role for ``unit`` (a unit key)."""
        return Actor(name, "responsible", unit)

    def advance(self, delta: dt.timedelta) -> SweepReport:
        """Move the clock forward by ``delta`` and sweep until nothing more is due: see
        :func:`advance_and_sweep`."""
        return advance_and_sweep(self.engine, self.clock, delta)


#: How many sweeps :func:`advance_and_sweep` runs at most before it gives up.
MAX_SWEEPS = 100


def advance_and_sweep(engine: Engine, clock: VirtualClock, delta: dt.timedelta) -> SweepReport:
    """Move ``clock`` forward by ``delta``, then run ``engine.sweep()`` until a sweep settles no
    subject (steps a sweep's own effects made due fire in the next one), and return the sweeps'
    reports added up (counts summed, events in order). A step due later than the new now does
    not fire. Raises :class:`RuntimeError` if :data:`MAX_SWEEPS` sweeps still find work."""
    clock.advance(delta)
    total = engine.sweep()
    report = total
    for _ in range(MAX_SWEEPS - 1):
        if not report.subjects:
            return total
        report = engine.sweep()
        for f in dataclasses.fields(total):
            setattr(total, f.name, getattr(total, f.name) + getattr(report, f.name))
    if report.subjects:
        raise RuntimeError(f"{MAX_SWEEPS} 次扫描后仍有到期步骤")
    return total


class RecordingChannel:
    """A delivery channel (the :class:`zhenggai.engine.Channel` port) that keeps each message it
    is given, in memory, instead of sending it: hand it to a
    :class:`zhenggai.notifications.dispatcher.Dispatcher` and read :attr:`messages`.

    ``name`` is the delivery channel it stands in for (``email``, ``sms``, …); ``rate``, as on a
    real channel, is how many messages a minute the dispatcher may give it. A message to an
    address in :attr:`refuse` is not recorded: it raises a :class:`DeliveryError` (permanent,
    unless the address is also in :attr:`transient`), as a provider refusing it would.
    Thread-safe, so several dispatchers may share one.
    """

    def __init__(self, name: str = "email", *, rate: int | None = None) -> None:
        self.name = name
        self.rate = rate
        #: Every message delivered, in the order it was sent (retries included).
        self.messages: list[OutgoingMessage] = []
        #: Recipients whose messages are refused.
        self.refuse: set[str] = set()
        #: Of those, the ones refused with a transient error (the dispatcher retries).
        self.transient: set[str] = set()
        self._lock = threading.Lock()

    def send(self, message: OutgoingMessage) -> str | None:
        """Record ``message`` (or refuse it, see :attr:`refuse`); no provider id."""
        if message.recipient in self.refuse:
            raise DeliveryError(
                f"接收方 {message.recipient} 拒收", permanent=message.recipient not in self.transient
            )
        with self._lock:
            self.messages.append(message)
        return None

    def to(self, recipient: str) -> list[OutgoingMessage]:
        """The messages delivered to ``recipient``."""
        with self._lock:
            return [m for m in self.messages if m.recipient == recipient]


@contextlib.contextmanager
def throwaway_engine(
    *,
    db: str | os.PathLike[str] | None = None,
    clock: VirtualClock | None = None,
    definition: str | os.PathLike[str] = "county_2023",
    campaign_key: str = "test",
    reporter_keys: ReporterKeys | None = None,
) -> Iterator[Sandbox]:
    """An engine on a fresh SQLite file (or ``db``), deleted afterwards when it made one.
    Reporters are sealed with ``reporter_keys``, by default a throwaway key made for it."""
    from zhenggai.workflows import load_setup

    clock = clock or VirtualClock(DEFAULT_START)
    with contextlib.ExitStack() as stack:
        if db is None:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="zhenggai-"))
            db = Path(folder) / "zhenggai.db"
        engine = Engine(db, clock=clock, reporter_keys=reporter_keys or ReporterKeys.generate())
        stack.callback(engine.dispose)
        campaign = engine.start_campaign(load_setup(definition), key=campaign_key)
        yield Sandbox(
            engine=engine,
            clock=clock,
            campaign=campaign,
            office=Actor("领导小组办公室", "leading_group_office", "discipline_commission"),
            track_leader=Actor("专项整治工作组组长", "track_group_leader"),
            supervision=Actor("督查工作组", "supervision_team"),
            custodian=Actor("举报信息保管人", "custodian", "discipline_commission"),
        )


def items_only(setup: CampaignSetup) -> CampaignSetup:
    """``setup`` without what a campaign does by itself: its unit duties, its phases' start and
    end actions, the 回头看 and supervision draws, the month-end 考核 (and the 回头看 tasks' ladder), the 领衔调研's
    ladder (a led item still gets its research due; nobody chases it). For tests about items, whose sweeps should fire only the items' steps
    (and whose campaigns start without arming hundreds of duty occurrences)."""
    phases = [p.model_copy(update={"on_start": [], "on_end": []}) for p in setup.phases]
    ladders = [x for x in setup.ladders if x.subject not in ("review", "research")]
    leadership = setup.leadership
    if leadership is not None and leadership.research is not None:  # kept, unchased: its words stay valid
        leadership = leadership.model_copy(
            update={"research": leadership.research.model_copy(update={"ladder": None})}
        )
    return setup.model_copy(
        update={
            "duties": [],
            "phases": phases,
            "follow_up": None,
            "supervision": None,
            "scoring": None,
            "ladders": ladders,
            "leadership": leadership,
        }
    )


def lead_by_name(
    engine: Engine,
    item_id: int,
    name: str,
    *,
    role: str = "county_leader",
    unit: str = "government_office",
    decider: Actor | None = None,
) -> ItemView:
    """领衔 in a test: ``name`` (a contact of ``role`` in ``unit``, added to the item's campaign's
    roster unless there) leads the item, decided by ``decider`` (default: the built-in plan's
    县优化营商环境工作领导小组). The clock must be within the definition's 领衔 dates."""
    from zhenggai.engine import NewContact

    campaign = engine.item(item_id).campaign
    office = Actor("测试办公室", "leading_group_office", "discipline_commission")
    known = [c for c in engine.contacts(campaign) if c.name == name and c.role == role and c.unit == unit]
    contact = (
        known[0]
        if known
        else engine.add_contact(
            campaign, office, NewContact(unit=unit, name=name, role=role, mobile="13900000000")
        )
    )
    who = decider or Actor("测试领导小组", "business_environment_group")
    return engine.lead_item(item_id, who, leader=contact.id)
