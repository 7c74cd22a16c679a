"""``zhenggai simulate``: a campaign played on the virtual clock, with synthetic items and
plausible people, for an author to see what a definition will do before it goes live.

Everything the engine does is real (a throwaway SQLite database unless ``--db`` names one,
the sweeps the daemon would run, the draws, the outbox); only the people are simulated:

- **Items** arrive on working days over the first three quarters of the period (more early,
  as 问题查摆 finds most), across the tracks and channels, mostly 一般, some 较重 and 严重;
  the office assigns each within two working days (the definition's 整改时限), dismisses a few.
- **Units** have habits, drawn once: most finish well before the due date, some at the last
  moment, some (迟办单位) late, a few very late, so the ladder climbs to 挂牌督办 and 问责.
  Some verifications fail (退回重新整改); a few clocks are paused for a court ruling.
- **Duties**: units hand in what they owe (一报告四清单, weekly reports …) on time, late, or
  not at all, by their habit; the phase ends escalate the missing.
- **回头看**: the sample the engine draws when consolidation starts is reviewed item by item;
  some are reopened with a finding and rectified again.
- **五个一批**: when an item closed after 挂牌督办, the office records its outcome: a root cause
  and someone held accountable (made-up names), mildly (谈话提醒, 批评教育 …); one that went as
  far as 问责 is a typical case: one or two people, more severely, and the case is published;
  every sixth item a unit closes leads it to register a long-term
  mechanism; in the last phase the units that work on time submit a good practice, and the
  publicity role selects every other one for 晒成效. All of it by rule, not by the random
  draw, so a seed's timeline stays what it was.

The sweep runs at 00:05 every day (steps fall due at 00:00); people act in office hours. The
timeline prints one block per day with something to say; the same seed prints the same text.
Progress goes to standard error, so the output can be compared.
"""

from __future__ import annotations

import datetime as dt
import heapq
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TextIO

from zhenggai.engine import Engine, EventView, ReporterKeys, ZhenggaiError
from zhenggai.engine.deadlines import next_workday

from ._errors import CliError
from ._progress import progress_bar, wanted
from ._simulate_acts import ACTS, _Acts
from ._simulate_attachments import simulation_store
from ._simulate_cast import ACCOUNTABLE, DUTY_HABITS, KEY, TITLES, with_contacts
from ._simulate_instructions import arrival_channels, too_late
from ._simulate_registers import plan_registers
from ._simulate_research import plan_research
from ._simulate_text import _day, _day_lines, print_summary
from ._tables import WEEKDAYS

__all__ = ["ACCOUNTABLE", "Simulation", "simulate", "with_contacts"]

#: The sweep's daily tick, after the steps of the day fell due at 00:00.
TICK = dt.time(0, 5)


class Simulation(_Acts):
    """One run: ``run()`` plays it and prints to ``out``; the counts stay on the object."""

    # ----------------------------------------------------------------------------- the run

    def run(self, engine: Engine) -> int:
        setup = self.setup
        engine.start_campaign(setup, key=KEY)
        self._plan_arrivals()
        self._plan_duties(engine)
        self._plan_practices()
        self._plan_documents()
        plan_registers(self)
        plan_research(self)
        day = self.first
        total = (self.last - self.first).days + 1
        bar = progress_bar(self.progress, total=total, desc="模拟进度", unit="天")
        while day <= self.last:
            self.clock.set(self._at(day, TICK))
            engine.sweep()
            self._after_sweep(engine)
            tomorrow = self._at(day + dt.timedelta(days=1), dt.time(0))
            while self.agenda and self.agenda[0][0] < tomorrow:
                when, _, action, args = heapq.heappop(self.agenda)
                if when > self.clock.now():
                    self.clock.set(when)
                try:
                    ACTS[action](self, engine, *args)
                except ZhenggaiError as err:
                    self.refused[f"{action}: {type(err).__name__}"] += 1
            self._print_day(engine, day)
            if day in self.on_day:
                self.on_day[day](engine, KEY)
            bar.update(1)
            day += dt.timedelta(days=1)
        bar.close()
        self._summary(engine)
        return 0

    def _plan_arrivals(self) -> None:
        span = max(1, int(((self.last - self.first).days + 1) * 0.75))
        tracks = [t.id for t in self.setup.tracks]
        channels = arrival_channels(self)  # 领导批示交办's items: _simulate_instructions
        severities: list[str | None] = [s.id for s in self.setup.severities] or [None]
        weights = [75, 20, 5][: len(severities)] + [5] * max(0, len(severities) - 3)
        for n in range(self.count):
            day = self.first + dt.timedelta(days=int(self.rng.betavariate(1.3, 2.2) * span))
            day = next_workday(self.calendar, day)
            track = self.rng.choice(tracks)
            spec = {
                "track": track,
                "channel": self.rng.choice(channels),
                "severity": self.rng.choices(severities, weights)[0],
                "title": self.rng.choice(TITLES.get(track, ["作风问题"])),
                "unit": self.rng.choice(self._track_units(track)),
                "n": n + 1,
            }
            self._plan(self._office_hours(day), "report", spec)

    def _track_units(self, track: str) -> list[str]:
        spec = next(t for t in self.setup.tracks if t.id == track)
        named = [u for u in spec.units if u in self.unit_names]
        return named if len(named) == len(spec.units) else self.units

    def _plan_duties(self, engine: Engine) -> None:
        for duty in engine.duties(KEY, due_by=self.last):
            if duty.status != "open":  # due before the simulated campaign started: not applicable
                continue
            late, never = DUTY_HABITS[self.habit[duty.unit]]
            roll = self.rng.random()
            if roll < never:
                continue  # never handed in
            if roll < never + late:
                day = self._workday(duty.due, self.rng.randrange(1, 8))
            else:
                day = self._workday(duty.due, -self.rng.randrange(0, 3))
            self._plan(self._office_hours(max(day, self.first)), "duty", duty.id, duty.unit)

    def _plan_practices(self) -> None:
        """The units that work on time submit a good practice in the last phase (or in the
        last quarter of a campaign without phases), one after another at fixed hours."""
        if self._operation("submit_practice") is None:
            return
        if len(self.setup.phases) >= 2:
            start = max(self.setup.phases[-1].start, self.first)
        else:
            start = self.first + dt.timedelta(days=((self.last - self.first).days * 3) // 4)
        prompt = [u for u in self.units if self.habit[u] == "prompt"]
        for n, unit in enumerate(prompt):
            day = self._workday(start, 1 + n // 4)
            self._plan(self._at(day, dt.time(10 + n % 4, 0)), "practice", unit, n)

    def _plan_documents(self) -> None:
        """规范性文件清理: every third unit lists one of its documents in the second phase (or
        the first quarter of a campaign without phases), reviews it and decides as its habit
        says (a prompt unit in time, a very late one after the ladder has escalated)."""
        docs = self.setup.documents
        if docs is None:
            return
        if len(self.setup.phases) >= 2:
            start = max(self.setup.phases[1].start, self.first)
        else:
            start = self.first + dt.timedelta(days=(self.last - self.first).days // 4)
        for n, unit in enumerate(self.units[::3]):
            self._plan(
                self._at(self._workday(start, n // 6), dt.time(9, 30 + n % 6 * 5)), "list_document", unit, n
            )

    # --------------------------------------------------------------------------- reading

    def _after_sweep(self, engine: Engine) -> None:
        """React to what the sweep drew: the 回头看 sample is reviewed over the review days."""
        rule = self.setup.follow_up
        self.swept = self._new_events(engine)
        for event in self.swept:
            if event.trigger == "follow_up_draw" and rule is not None:
                reviews = event.data.get("reviews") or [None] * len(event.data["sample"])
                for item_id, review_id in zip(event.data["sample"], reviews, strict=True):
                    days = self.rng.randrange(1, max(2, rule.days))
                    self._plan(
                        self._office_hours(self._workday(self._today(), days)), "review", item_id, review_id
                    )
            elif event.trigger == "supervision_draw" and self.setup.supervision is not None:
                # Each team visits its units within the week after the draw (不打招呼, 直奔现场).
                for team, units in enumerate(event.data["teams"], 1):
                    for unit in units:
                        day = self._workday(self._today(), self.rng.randrange(1, 6))
                        self._plan(self._office_hours(day), "visit", team, unit)

    def _new_events(self, engine: Engine) -> list[EventView]:
        """The campaign's events since the last read (each read once)."""
        events = engine.events(campaign=KEY, after=self.cursor)
        if events:
            self.cursor = events[-1].seq
        return events

    def _person(self, engine: Engine, contact_id: int) -> str:
        """A roster person as the timeline names them: ``钱副县长 (县四套班子领导)``."""
        contact = engine.contact(contact_id)
        role = next((r.label for r in self.setup.roles if r.id == contact.role), contact.role)
        return f"{contact.name} ({role})"

    def _print_day(self, engine: Engine, day: dt.date) -> None:
        events = self.swept + self._new_events(engine)
        if not self.timeline:
            return
        lines = list(_day_lines(events, self.setup, self.unit_names, lambda c: self._person(engine, c)))
        if lines:
            print(f"{day.year}年{day.month}月{day.day}日(星期{WEEKDAYS[day.weekday()]})", file=self.out)
            for line in lines:
                print(f"  {line}", file=self.out)

    def _summary(self, engine: Engine) -> None:
        print_summary(
            engine,
            self.setup,
            self.out,
            first=self.first,
            last=self.last,
            seed=self.seed,
            reopened=self.reopened,
            paused=self.paused,
            tz=self.tz,
            habits=self.habit,
            refused=self.refused,
            late_extensions=too_late(self),
        )


def simulate(
    definition: str,
    *,
    items: int,
    start: str | dt.date | None = None,
    until: str | dt.date | None = None,
    seed: int = 1,
    db: str | None = None,
    progress: bool | None = None,
    timeline: bool = True,
    out: TextIO | None = None,
    then: Callable[[Engine, str], None] | None = None,
    on_day: Mapping[dt.date, Callable[[Engine, str], None]] | None = None,
    reporter_keys: ReporterKeys | None = None,
) -> int:
    """Play ``definition`` (a built-in id or a YAML file) from ``start`` to ``until`` (default:
    its phases' first and last day) and print the timeline and the summary.

    ``then``, when given, is called after the summary with the engine (its clock still on the
    last day) and the simulated campaign's key, before the engine is disposed: the demo writes
    its reports there. ``on_day`` maps days of the run to calls made the same way at the end of
    that day (its sweep and its work done, the clock on its last act): the demo's reports of a
    campaign in progress. ``reporter_keys``: the key reporters are sealed with (default: one of
    the run's own, discarded; ``zhenggai serve --demo`` keeps its key beside the database)."""
    from zhenggai.workflows import load_setup

    setup = with_contacts(load_setup(definition))
    first = _as_date(start, setup.phases[0].start if setup.phases else None, "--from")
    last = _as_date(until, setup.phases[-1].end if setup.phases else None, "--until")
    stream = out or sys.stdout
    show = wanted(progress)
    folder = None
    if db is None:
        folder = tempfile.mkdtemp(prefix="zhenggai-sim-")
        db = str(Path(folder) / "simulate.db")
    elif "://" not in db and Path(db).exists():
        raise CliError(f"模拟数据库 {db} 已存在; 换一个路径或先删除它 (模拟不会改动已有的数据库)")
    try:
        sim = Simulation(
            setup,
            items=items,
            start=first,
            until=last,
            seed=seed,
            out=stream,
            progress=sys.stderr if show else None,
            timeline=timeline,
            on_day=on_day,
        )
        # A scratch database: a commit lost to a power cut costs nothing, so no sync per commit.
        # 回访 needs reporters, sealed with a key of the run's own (a scratch database).
        keys = reporter_keys or (ReporterKeys.generate() if setup.callbacks is not None else None)
        engine = Engine(
            db,
            clock=sim.clock,
            seed=seed,
            durability="normal",
            reporter_keys=keys,
            attachments=simulation_store(db),
        )
        try:
            print(
                f"模拟: {setup.title} ({setup.definition_id} 版本 {setup.definition_version}), {items} 件问题, "
                f"{_day(first)} 至 {_day(last)}, 随机种子 {seed}",
                file=stream,
            )
            code = sim.run(engine)
            if then is not None:
                then(engine, KEY)
            return code
        finally:
            engine.dispose()
    finally:
        if folder is not None:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)


def _as_date(value: str | dt.date | None, default: dt.date | None, flag: str) -> dt.date:
    if value is None:
        if default is None:
            raise CliError(f"实施方案没有阶段, 请用 {flag} 给出日期")
        return default
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
