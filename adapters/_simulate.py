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

import dataclasses
import datetime as dt
import heapq
import random
import sys
import tempfile
import zoneinfo
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

from zhenggai.engine import (
    Actor,
    CampaignSetup,
    Engine,
    EventView,
    VirtualClock,
    ZhenggaiError,
)
from zhenggai.engine.calendar import WorkingCalendar
from zhenggai.engine.deadlines import next_workday, offset_day
from zhenggai.workflows.schema import TransitionSpec

from ._errors import CliError
from ._progress import progress_bar, wanted
from ._simulate_cast import (
    ACCOUNTABLE,
    DOCUMENTS,
    DUTY_HABITS,
    FINDINGS,
    HABITS,
    KEY,
    MECHANISM_EVERY,
    MECHANISMS,
    PAUSE_REASONS,
    POSITIONS,
    PRACTICES,
    PUBLISHED_IN,
    ROOT_CAUSES,
    TITLES,
    _Item,
    _roles,
    with_contacts,
)
from ._simulate_text import _day, _day_lines, print_summary
from ._tables import WEEKDAYS

__all__ = ["ACCOUNTABLE", "Simulation", "simulate", "with_contacts"]

#: The sweep's daily tick, after the steps of the day fell due at 00:00.
TICK = dt.time(0, 5)


class Simulation:
    """One run: ``run()`` plays it and prints to ``out``; the counts stay on the object."""

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
            raise CliError(f"工作日历不含 {missing[0]} 年的节假日安排 (已知: {self.calendar.describe_coverage()}),"
                           " 无法在这段时间上模拟; 请更新日历数据或改用 calendar: {base: weekends}")
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
        self.paused = 0
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
        return next_workday(self.calendar, day) if after == 0 else offset_day(self.calendar, day, after, "working")

    def _actor(self, spec: TransitionSpec | None, item: _Item, *, role: str | None = None) -> Actor:
        """Someone who may fire ``spec`` on ``item``: of the item's unit for a unit-bound role,
        otherwise of the office's (or the supervision teams') unit, never the item's unit."""
        roles = {r.id: r for r in self.setup.roles}
        chosen = role or (spec.roles[0] if spec is not None else self.setup.lifecycle.operations["report"][0])
        if roles[chosen].unit_bound:
            return Actor(f"{self.unit_names[item.unit]}联络员", chosen, item.unit)
        unit = self.supervision_unit if self.setup.supervision and chosen == self.setup.supervision.role \
            else self.office_unit
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

    # ----------------------------------------------------------------------------- the run

    def run(self, engine: Engine) -> int:
        setup = self.setup
        engine.start_campaign(setup, key=KEY)
        self._plan_arrivals()
        self._plan_duties(engine)
        self._plan_practices()
        self._plan_documents()
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
                    getattr(self, f"_do_{action}")(engine, *args)
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
        channels = [c.id for c in self.setup.channels]
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

    # --------------------------------------------------------------------------- actions

    def _do_report(self, engine: Engine, spec: dict[str, Any]) -> None:
        reporter_role = self.setup.lifecycle.operations["report"][0]
        item = _Item(0, spec["unit"], spec["track"])
        view = engine.report(
            KEY, self._actor(None, item, role=reporter_role), title=f"{spec['title']} (模拟 {spec['n']})",
            description=f"模拟问题 {spec['n']}: {spec['title']}", track=spec["track"], channel=spec["channel"],
            severity=spec["severity"],
        )
        item.id = view.id
        self.items[view.id] = item
        today = self.clock.now().astimezone(self.tz).date()
        if self.roles.dismiss is not None and self.rng.random() < 0.04:
            self._plan(self._office_hours(self._workday(today, self.rng.randrange(1, 4))), "dismiss", view.id)
            return
        self._plan(self._office_hours(self._workday(today, self.rng.randrange(0, 3))), "assign", view.id)

    def _do_assign(self, engine: Engine, item_id: int) -> None:
        item = self.items[item_id]
        due = None if self.setup.deadlines else self._workday(self._today(), 15)
        engine.fire(item_id, self.roles.assign.trigger, self._actor(self.roles.assign, item), unit=item.unit, due=due)
        self._plan(self._office_hours(self._workday(self._today(), self.rng.randrange(1, 4))), "start", item_id)
        if self.rng.random() < 0.015 and self.setup.lifecycle.operations.get("pause_clock"):
            self._plan(self._office_hours(self._workday(self._today(), self.rng.randrange(2, 6))), "pause", item_id)

    def _plan_finish(self, item_id: int, due: dt.date) -> None:
        low, high = HABITS[self.habit[self.items[item_id].unit]][1]
        day = self._workday(due, self.rng.randint(low, high))
        day = max(day, self._workday(self._today(), 1))
        item = self.items[item_id]
        item.finish += 1
        self._plan(self._office_hours(day), "submit", item_id, item.finish)

    def _today(self) -> dt.date:
        return self.clock.now().astimezone(self.tz).date()

    def _do_start(self, engine: Engine, item_id: int) -> None:
        item = self.items[item_id]
        actor = self._unit_actor(self.roles.start, item)
        item.measure = engine.add_measure(item_id, actor, text="制定整改方案, 明确责任人和完成时限").id
        view = engine.item(item_id)
        if view.state != self.roles.start.dest:  # not started by a timed transition already
            view = engine.fire(item_id, self.roles.start.trigger, actor)
        if not item.paused:  # a paused item's work is planned when its clock resumes
            assert view.due is not None
            self._plan_finish(item_id, view.due)

    def _do_submit(self, engine: Engine, item_id: int, finish: int) -> None:
        item = self.items[item_id]
        if item.paused or finish != item.finish:
            return  # paused, or planned anew since (the resumption or reopening did)
        spec = self.roles.submit
        unit = self._unit_actor(self.roles.start, item)
        if item.measure is not None:
            engine.complete_measure(item.measure, unit)
            item.measure = None
        bound = any(r.id in spec.roles and r.unit_bound for r in self.setup.roles)
        engine.fire(item_id, spec.trigger, unit if bound else self._checker(spec, item))
        item.submitted = True
        if "record_close" in spec.effects:
            self._outcomes(engine, item)
            return  # finishing closes it (a hotline's 办结)
        then = "verify" if self.roles.verify is not None else "close"
        self._plan(self._office_hours(self._workday(self._today(), self.rng.randrange(1, 4))), then, item_id)

    def _do_verify(self, engine: Engine, item_id: int) -> None:
        item = self.items[item_id]
        rework = self.roles.rework
        if rework is not None and self.rng.random() < 0.12:
            engine.fire(item_id, rework.trigger, self._checker(rework, item), reason="验收未通过: 整改不到位")
            item.submitted = False
            actor = self._unit_actor(self.roles.start, item)
            item.measure = engine.add_measure(item_id, actor, text="按验收意见重新整改").id
            item.finish += 1
            back = self._workday(self._today(), self.rng.randrange(3, 9))
            self._plan(self._office_hours(back), "submit", item_id, item.finish)
            return
        assert self.roles.verify is not None
        engine.fire(item_id, self.roles.verify.trigger, self._checker(self.roles.verify, item))
        self._plan(self._office_hours(self._workday(self._today(), self.rng.randrange(0, 3))), "close", item_id)

    def _do_close(self, engine: Engine, item_id: int) -> None:
        item = self.items[item_id]
        view = engine.fire(item_id, self.roles.close.trigger, self._actor(self.roles.close, item))
        # 通报曝光一批典型案例: the office picks the items that went as far as 问责 (by rule, not
        # by the random draw, so the rest of a seed's run stays as it was).
        cases = self.setup.lifecycle.operations.get("mark_case")
        if cases and view.escalation_level >= 2 and view.case_marked_at is None:
            engine.mark_case(item_id, self._actor(None, item, role=cases[0]),
                             note=f"{view.unit_name}整改不力被问责, 以案为鉴、举一反三")
        self._outcomes(engine, item)

    # -------------------------------------------------------------------- 五个一批 (by rule)

    def _operation(self, name: str) -> str | None:
        """The first role the definition lets do ``name`` (None: nobody, the step is skipped)."""
        roles = self.setup.lifecycle.operations.get(name)
        return roles[0] if roles else None

    def _outcomes(self, engine: Engine, item: _Item) -> None:
        """After 销号: an item that went as far as 挂牌督办 gets its outcome recorded with one
        person and the vocabulary's milder outcomes; one that went as far as 问责, with one or
        two people and the severer ones (recorded again when an item went further since), and,
        as a marked typical case, it is published; every MECHANISM_EVERY-th item a unit closes
        leads it to a long-term mechanism. No random draw: the rest of the run stays as it was."""
        view = engine.item(item.id)
        outcomes = self.setup.outcomes
        record = self._operation("record_outcome")
        if (outcomes is not None and outcomes.accountability and record is not None and view.escalation_level >= 1
                and view.escalation_level > self.recorded.get(item.id, 0)):
            vocabulary = outcomes.accountability  # in order of severity
            mild = max(1, len(vocabulary) // 3)
            kinds = vocabulary[:mild] if view.escalation_level < 2 else vocabulary[mild:mild + 4] or vocabulary
            people = 1 if view.escalation_level < 2 else 1 + item.id % 2
            entries = [
                (ACCOUNTABLE[(item.id * 3 + k) % len(ACCOUNTABLE)],
                 f"{self.unit_names[item.unit]}{POSITIONS[(item.id + k) % len(POSITIONS)]}",
                 kinds[(item.id + k) % len(kinds)].id)
                for k in range(people)
            ]
            engine.record_outcome(item.id, self._actor(None, item, role=record),
                                  root_cause=ROOT_CAUSES[item.id % len(ROOT_CAUSES)], accountability=entries)
            self.recorded[item.id] = view.escalation_level
        publish = self._operation("publish_case")
        if publish is not None and view.case_marked_at is not None and view.case_published_at is None:
            engine.publish_case(item.id, self._actor(None, item, role=publish),
                                where=PUBLISHED_IN[item.id % len(PUBLISHED_IN)], on=self._today())
        self.closes[item.unit] += 1
        register = self._operation("register_mechanism")
        if (outcomes is not None and outcomes.mechanism_kinds and register is not None
                and self.closes[item.unit] % MECHANISM_EVERY == 0):
            count = sum(self.closes.values())
            kind = outcomes.mechanism_kinds[count % len(outcomes.mechanism_kinds)].id
            roles = self.setup.lifecycle.operations["register_mechanism"]
            bound = [r for r in roles if any(x.id == r and x.unit_bound for x in self.setup.roles)]
            engine.register_mechanism(
                KEY, self._actor(None, item, role=bound[0] if bound else register), unit=item.unit,
                title=f"{self.unit_names[item.unit]}{MECHANISMS[count % len(MECHANISMS)]}", kind=kind,
                status="established", date=self._today(), items=(item.id,), track=item.track,
            )

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
            self._plan(self._at(self._workday(start, n // 6), dt.time(9, 30 + n % 6 * 5)), "list_document", unit, n)

    def _do_list_document(self, engine: Engine, unit: str, n: int) -> None:
        docs = self.setup.documents
        assert docs is not None
        roles = docs.lifecycle.operations["report"]
        bound = [r for r in roles if any(x.id == r and x.unit_bound for x in self.setup.roles)]
        actor = self._actor(None, _Item(0, unit, ""), role=bound[0] if bound else roles[0])
        title, number = DOCUMENTS[n % len(DOCUMENTS)]
        doc = engine.list_document(KEY, actor, unit=unit, title=f"{self.unit_names[unit]}{title}",
                                   doc_number=f"{self.unit_names[unit]}发{number}")
        _, (early, late) = HABITS[self.habit[unit]]
        # Working days from listing to the decision: the habit's lateness around the due date.
        span = max(1, docs.due.days + (early + late) // 2) if docs.due.count == "working" else docs.due.days
        self._plan(self._at(self._workday(self._today(), 1), dt.time(10, 0)), "review_document", doc.id, unit)
        self._plan(self._at(self._workday(self._today(), span), dt.time(16, 0)), "decide_document", doc.id, unit, n)

    def _document_step(self, engine: Engine, document_id: int, unit: str, final: bool, reason: str | None = None) -> None:
        docs = self.setup.documents
        assert docs is not None
        state = engine.document(document_id).state
        finals = docs.lifecycle.final_states
        options = [t for t in docs.lifecycle.transitions if state in t.source and (t.dest in finals) == final]
        if not options:
            return
        spec = options[(document_id if final else 0) % len(options)]
        engine.fire_document(document_id, spec.trigger, self._unit_actor(spec, _Item(0, unit, "")), reason=reason)

    def _do_review_document(self, engine: Engine, document_id: int, unit: str) -> None:
        self._document_step(engine, document_id, unit, False)

    def _do_decide_document(self, engine: Engine, document_id: int, unit: str, n: int) -> None:
        self._document_step(engine, document_id, unit, False)  # still listed: review first
        self._document_step(engine, document_id, unit, True, reason="经再学习, 对照现行法规和优化营商环境要求作出结论")

    def _do_practice(self, engine: Engine, unit: str, n: int) -> None:
        roles = self.setup.lifecycle.operations["submit_practice"]
        bound = [r for r in roles if any(x.id == r and x.unit_bound for x in self.setup.roles)]
        actor = self._actor(None, _Item(0, unit, ""), role=bound[0] if bound else roles[0])
        title, summary = PRACTICES[n % len(PRACTICES)]
        tracks = [t.id for t in self.setup.tracks if unit in t.units]
        practice = engine.submit_practice(KEY, actor, title=f"{self.unit_names[unit]}{title}",
                                          summary=f"{self.unit_names[unit]}{summary}。", track=tracks[0] if tracks else None)
        if n % 2 == 0 and self._operation("select_practice") is not None:
            day = self._workday(self._today(), 5)
            self._plan(self._at(day, dt.time(15, n % 60)), "select", practice.id)

    def _do_select(self, engine: Engine, practice_id: int) -> None:
        role = self._operation("select_practice")
        assert role is not None
        # A person, not the role's label as a name (the public digest removes every actor's name,
        # and 县委宣传部 is also a unit that submits practices).
        actor = self._actor(None, _Item(0, "", ""), role=role)
        engine.select_practice(practice_id, dataclasses.replace(actor, name=f"{actor.name}联系人"), selected=True)

    def _do_dismiss(self, engine: Engine, item_id: int) -> None:
        assert self.roles.dismiss is not None
        engine.fire(item_id, self.roles.dismiss.trigger, self._actor(self.roles.dismiss, self.items[item_id]),
                    reason="经核实, 反映问题不属实")

    def _do_pause(self, engine: Engine, item_id: int) -> None:
        item = self.items[item_id]
        if item.submitted:
            return  # finished before anyone asked to pause
        role = self.setup.lifecycle.operations["pause_clock"][0]
        engine.pause_clock(item_id, self._actor(None, item, role=role), reason=self.rng.choice(PAUSE_REASONS))
        item.paused = True
        self.paused += 1
        back = self._workday(self._today(), self.rng.randrange(10, 30))
        self._plan(self._office_hours(back), "resume", item_id)

    def _do_resume(self, engine: Engine, item_id: int) -> None:
        item = self.items[item_id]
        role = self.setup.lifecycle.operations["resume_clock"][0]
        view = engine.resume_clock(item_id, self._actor(None, item, role=role), note="已取得结论, 恢复整改")
        item.paused = False
        assert view.due is not None
        self._plan_finish(item_id, view.due)

    def _do_review(self, engine: Engine, item_id: int) -> None:
        """回头看 of one sampled item: most hold; some are reopened with a finding."""
        item = self.items.get(item_id)
        reopen = self.roles.reopen
        if item is None or reopen is None or self.rng.random() >= 0.25:
            return
        due = self._workday(self._today(), 15)
        actor = self._checker(reopen, item)
        engine.fire(item_id, reopen.trigger, actor, finding=self.rng.choice(FINDINGS), due=due)
        item.submitted = False
        self.reopened += 1
        unit = self._unit_actor(self.roles.start, item)
        item.measure = engine.add_measure(item_id, unit, text="回头看问题再整改, 建立长效机制").id
        self._plan_finish(item_id, due)

    def _do_duty(self, engine: Engine, duty_id: int, unit: str) -> None:
        engine.complete_duty(duty_id, Actor(f"{self.unit_names[unit]}联络员", self._duty_role(), unit))

    def _duty_role(self) -> str:
        return next(r.id for r in self.setup.roles if r.unit_bound)

    # --------------------------------------------------------------------------- reading

    def _after_sweep(self, engine: Engine) -> None:
        """React to what the sweep drew: the 回头看 sample is reviewed over the review days."""
        rule = self.setup.follow_up
        self.swept = self._new_events(engine)
        for event in self.swept:
            if event.trigger == "follow_up_draw" and rule is not None:
                for item_id in event.data["sample"]:
                    days = self.rng.randrange(1, max(2, rule.days))
                    self._plan(self._office_hours(self._workday(self._today(), days)), "review", item_id)

    def _new_events(self, engine: Engine) -> list[EventView]:
        """The campaign's events since the last read (each read once)."""
        events = engine.events(campaign=KEY, after=self.cursor)
        if events:
            self.cursor = events[-1].seq
        return events

    def _print_day(self, engine: Engine, day: dt.date) -> None:
        events = self.swept + self._new_events(engine)
        if not self.timeline:
            return
        lines = list(_day_lines(events, self.setup, self.unit_names))
        if lines:
            print(f"{day.year}年{day.month}月{day.day}日(星期{WEEKDAYS[day.weekday()]})", file=self.out)
            for line in lines:
                print(f"  {line}", file=self.out)

    def _summary(self, engine: Engine) -> None:
        print_summary(engine, self.setup, self.out, first=self.first, last=self.last, seed=self.seed,
                      reopened=self.reopened, paused=self.paused, tz=self.tz, habits=self.habit,
                      refused=self.refused)


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
) -> int:
    """Play ``definition`` (a built-in id or a YAML file) from ``start`` to ``until`` (default:
    its phases' first and last day) and print the timeline and the summary.

    ``then``, when given, is called after the summary with the engine (its clock still on the
    last day) and the simulated campaign's key, before the engine is disposed: the demo writes
    its reports there. ``on_day`` maps days of the run to calls made the same way at the end of
    that day (its sweep and its work done, the clock on its last act): the demo's reports of a
    campaign in progress."""
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
        sim = Simulation(setup, items=items, start=first, until=last, seed=seed, out=stream,
                         progress=sys.stderr if show else None, timeline=timeline, on_day=on_day)
        # A scratch database: a commit lost to a power cut costs nothing, so no sync per commit.
        engine = Engine(db, clock=sim.clock, seed=seed, durability="normal")
        try:
            print(f"模拟: {setup.title} ({setup.definition_id} 版本 {setup.definition_version}), {items} 件问题, "
                  f"{_day(first)} 至 {_day(last)}, 随机种子 {seed}", file=stream)
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
