"""Test helpers for host systems that embed zhenggai: a throwaway engine on a temporary
SQLite file, started with a built-in campaign, on a virtual clock.

::

    from zhenggai.testing import throwaway_engine

    def test_my_integration():
        with throwaway_engine() as sandbox:
            item = sandbox.engine.report(sandbox.campaign.key, sandbox.office, title=..., ...)
            sandbox.clock.advance(datetime.timedelta(days=3))
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from zhenggai.engine import Actor, CampaignSetup, CampaignView, Engine, ReporterKeys, VirtualClock

__all__ = ["Sandbox", "VirtualClock", "items_only", "throwaway_engine"]

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
    end actions, the 回头看 and supervision draws. For tests about items, whose sweeps should
    fire only the items' steps (and whose campaigns start without arming hundreds of duty
    occurrences)."""
    phases = [p.model_copy(update={"on_start": [], "on_end": []}) for p in setup.phases]
    return setup.model_copy(update={"duties": [], "phases": phases, "follow_up": None, "supervision": None})
