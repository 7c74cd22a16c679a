"""The simulation's world: the run's state, the people who act (with their habits, their
office hours and their working days) and the agenda their acts are planned on."""

from __future__ import annotations

import datetime as dt
import heapq
import random
import zoneinfo
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from zhenggai.engine import Actor, CampaignSetup, Engine, EventView, VirtualClock
from zhenggai.engine.calendar import WorkingCalendar
from zhenggai.engine.deadlines import next_workday, offset_day
from zhenggai.workflows.schema import TransitionSpec

from ._errors import CliError
from ._simulate_cast import HABITS, _Item, _roles


class _World:
    """A run's state and people; :class:`~._simulate.Simulation` plays it."""

    def __init__(
        self,
        setup: CampaignSetup,
        *,
        items: int,
        start: dt.date,
        until: dt.date,
        seed: int,
        out: TextIO,
        progress: TextIO | None = None,
        timeline: bool = True,
        on_day: Mapping[dt.date, Callable[[Engine, str], None]] | None = None,
    ) -> None:
        if items < 0:
            raise CliError("--items 不能为负数")
        if until < start:
            raise CliError(f"--until {until.isoformat()} 早于 --from {start.isoformat()}")
        self.setup = setup
        self.count = items
        self.first = start
        self.last = until
        self.rng = random.Random(seed)
        self.seed = seed
        self.out = out
        self.progress = progress
        self.timeline = timeline
        self.on_day = dict(on_day or {})
        self.tz = zoneinfo.ZoneInfo(setup.timezone)
        self.calendar = WorkingCalendar(setup.calendar)
        missing = [y for y in range(start.year, until.year + 1) if not self.calendar.covers(y)]
        if missing:
            raise CliError(
                f"工作日历不含 {missing[0]} 年的节假日安排 (已知: {self.calendar.describe_coverage()}),"
                " 无法在这段时间上模拟; 请更新日历数据或改用 calendar: {base: weekends}"
            )
        self.roles = _roles(setup)
        self.units = [u.id for u in setup.units]
        self.unit_names = {u.id: u.name for u in setup.units}
        self.habit = {u: self._draw_habit() for u in self.units}
        self.office_unit = setup.leading_group.office_unit if setup.leading_group else self.units[0]
        self.supervision_unit = setup.supervision.lead_unit if setup.supervision else self.office_unit
        self.agenda: list[tuple[dt.datetime, int, str, tuple[Any, ...]]] = []
        self.order = 0
        self.items: dict[int, _Item] = {}
        self.refused: Counter[str] = Counter()
        self.reopened = 0
        self.visits = 0
        self.visit_findings = 0
        self.paused = 0
        self.sent_back = 0  # 退单
        self.cursor = 0
        self.swept: list[EventView] = []  # the day's events read after its sweep
        self.closes: Counter[str] = Counter()  # items closed per unit (every N-th: a mechanism)
        self.recorded: dict[int, int] = {}  # items whose outcome was recorded: at which escalation level
        # The campaign is created at 00:00 of the first day, so what falls due that day (the
        # first phase's start) lies ahead of it; what fell due before --from is not applicable.
        self.clock = VirtualClock(self._at(start, dt.time(0)))

    # ------------------------------------------------------------------------------ people

    def _draw_habit(self) -> str:
        roll = self.rng.random()
        for habit, (share, _) in HABITS.items():
            if roll < share:
                return habit
            roll -= share
        return "prompt"

    def _at(self, day: dt.date, at: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, at, tzinfo=self.tz)

    def _office_hours(self, day: dt.date) -> dt.datetime:
        return self._at(day, dt.time(9 + self.rng.randrange(8), self.rng.randrange(60)))

    def _workday(self, day: dt.date, after: int) -> dt.date:
        """``after`` working days from ``day`` (or before, when negative); never before it when
        ``after`` ≥ 0."""
        return (
            next_workday(self.calendar, day)
            if after == 0
            else offset_day(self.calendar, day, after, "working")
        )

    def _actor(self, spec: TransitionSpec | None, item: _Item, *, role: str | None = None) -> Actor:
        """Someone who may fire ``spec`` on ``item``: of the item's unit for a unit-bound role,
        otherwise of the office's (or the supervision teams') unit, never the item's unit."""
        roles = {r.id: r for r in self.setup.roles}
        chosen = role or (spec.roles[0] if spec is not None else self.setup.lifecycle.operations["report"][0])
        if roles[chosen].unit_bound:
            return Actor(f"{self.unit_names[item.unit]}联络员", chosen, item.unit)
        unit = (
            self.supervision_unit
            if self.setup.supervision and chosen == self.setup.supervision.role
            else self.office_unit
        )
        if unit == item.unit:
            unit = next(u for u in self.units if u != item.unit)
        return Actor(roles[chosen].label, chosen, unit)

    def _unit_actor(self, spec: TransitionSpec, item: _Item) -> Actor:
        bound = [r for r in spec.roles if any(x.id == r and x.unit_bound for x in self.setup.roles)]
        return self._actor(spec, item, role=bound[0] if bound else None)

    def _checker(self, spec: TransitionSpec, item: _Item) -> Actor:
        """Verification by the supervision teams where they may, else the spec's first role."""
        sup = self.setup.supervision.role if self.setup.supervision else None
        return self._actor(spec, item, role=sup if sup in spec.roles else None)

    def _plan(self, when: dt.datetime, action: str, *args: Any) -> None:
        if when.date() > self.last:
            return
        self.order += 1
        heapq.heappush(self.agenda, (max(when, self.clock.now()), self.order, action, args))

    def _today(self) -> dt.date:
        return self.clock.now().astimezone(self.tz).date()

    def _operation(self, name: str) -> str | None:
        """The first role the definition lets do ``name`` (None: nobody, the step is skipped)."""
        roles = self.setup.lifecycle.operations.get(name)
        return roles[0] if roles else None
