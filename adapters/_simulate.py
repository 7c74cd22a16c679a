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
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from zhenggai.engine import (
    ESCALATION_LABELS,
    Actor,
    CampaignSetup,
    Engine,
    EventView,
    VirtualClock,
    ZhenggaiError,
)
from zhenggai.engine.calendar import WorkingCalendar
from zhenggai.engine.deadlines import next_workday, offset_day
from zhenggai.workflows.schema import LADDER_ACTIONS, ContactSpec, TransitionSpec

from ._progress import progress_bar, wanted
from ._tables import LIGHT_LABELS, WEEKDAYS, format_date
from .cli import CliError

__all__ = ["Simulation", "simulate"]

KEY = "sim"
#: The sweep's daily tick, after the steps of the day fell due at 00:00.
TICK = dt.time(0, 5)
#: How many items a day's block names one by one before it says "等 N 件".
NAMED = 6

#: Unit habits: (share of units, days before (−) or after (+) the due date they finish, in
#: working days, as a range).
HABITS: dict[str, tuple[float, tuple[int, int]]] = {
    "prompt": (0.60, (-8, -2)),
    "last_minute": (0.22, (-1, 1)),
    "late": (0.13, (2, 9)),
    "very_late": (0.05, (10, 22)),
}
#: How units of each habit deal with a duty occurrence: (share handed in late, share never).
DUTY_HABITS: dict[str, tuple[float, float]] = {
    "prompt": (0.03, 0.02),
    "last_minute": (0.15, 0.06),
    "late": (0.40, 0.25),
    "very_late": (0.30, 0.50),
}
HABIT_LABELS = {"prompt": "按时", "last_minute": "临期", "late": "迟办", "very_late": "严重迟办"}
TITLES = {
    "obstruction": ["审批环节层层设卡", "窗口办事推诿刁难", "频繁重复检查企业", "执法自由裁量随意"],
    "unfulfilled_commitments": ["招商承诺政策未兑现", "奖补资金迟迟不到位", "新官不理旧账"],
    "policy_idling": ["惠企政策落地打折扣", "政策申报门槛过高", "助企资金拨付滞后"],
    "construction": ["施工许可审批超时", "工程款拖欠未结算", "竣工验收久拖不决"],
    "services": ["一次性告知未落实", "网上办事系统难用", "证明材料重复提交"],
    "legacy_commitments": ["历史遗留土地证办理难", "历史欠款长期未清偿", "遗留项目手续不全"],
}
FINDINGS = ["抽查发现同类问题仍有发生", "整改措施未落实到位, 群众反映依旧", "制度建立但未执行"]
PAUSE_REASONS = ["等待法院判决", "等待上级部门政策答复", "涉及司法鉴定, 等待鉴定结论"]
#: Made-up people held accountable (realistic names, so that privacy tests have names to miss).
ACCOUNTABLE = ["张建国", "李卫东", "王秀英", "刘志强", "陈国华", "杨丽娟", "赵文斌", "黄海燕", "周明辉", "吴建平",
               "徐晓东", "孙玉梅", "马俊杰", "朱红霞", "胡振宇", "郭永刚"]
POSITIONS = ["副局长", "科长", "副科长", "股长", "工作人员"]
ROOT_CAUSES = ["制度执行不严, 审批环节缺乏时限约束", "主体责任落实不到位, 分管负责人履职不力",
               "监督检查流于形式, 问题长期未被发现", "服务意识淡薄, 推诿扯皮、敷衍塞责"]
PUBLISHED_IN = ["县纪委监委网站", "县融媒体中心", "县政府门户网站"]
MECHANISMS = ["审批事项限时办结制度", "企业诉求首问负责制", "涉企检查计划备案制度", "惠企资金兑现工作规程",
              "工程款支付监管办法", "政务服务“好差评”系统", "新官理旧账工作规程", "容缺受理工作规程"]
#: Every how many-th item a unit closes leads it to a long-term mechanism.
MECHANISM_EVERY = 6
#: Normative documents units list for re-study (规范性文件清理), as "<unit>关于…".
DOCUMENTS = [
    ("关于进一步规范涉企检查的若干规定", "〔2019〕8号"),
    ("行政审批事项办理暂行办法", "〔2018〕21号"),
    ("关于招商引资优惠政策兑现的实施细则", "〔2020〕3号"),
    ("工程建设项目招投标管理办法", "〔2017〕15号"),
]
PRACTICES = [("推行“一窗受理、集成服务”", "整合办事窗口, 企业办事只进一扇门、只跑一次"),
             ("建立企业诉求“直通车”", "企业诉求专人受理、限时答复, 办理结果回访"),
             ("开展“局长走流程”体验", "班子成员以办事人身份体验办事流程, 查找堵点、现场整改"),
             ("推出惠企政策“免申即享”", "符合条件的企业无需申报, 奖补资金直接兑现到账"),
             ("实行重大项目“全程代办”", "为重大项目配备代办专员, 审批手续全程帮办"),
             ("推行“容缺受理”", "次要材料暂缺时先行受理, 限期补齐, 审批提速")]


@dataclasses.dataclass
class _Roles:
    """Which trigger of the definition does what (found by guards and effects) and who does it."""

    assign: TransitionSpec
    start: TransitionSpec
    submit: TransitionSpec
    verify: TransitionSpec | None
    rework: TransitionSpec | None
    close: TransitionSpec
    reopen: TransitionSpec | None
    dismiss: TransitionSpec | None


def _find(setup: CampaignSetup, test: Callable[[TransitionSpec], bool]) -> TransitionSpec | None:
    return next((t for t in setup.lifecycle.transitions if test(t)), None)


def _need(setup: CampaignSetup, name: str, test: Callable[[TransitionSpec], bool]) -> TransitionSpec:
    found = _find(setup, test)
    if found is None:
        raise CliError(f"实施方案 {setup.definition_id} 的流程里没有「{name}」这一步, 无法模拟 (zhenggai simulate 需要"
                       "交办、开始整改 (须有措施)、办结 (措施全部完成) 和销号)")
    return found


def _roles(setup: CampaignSetup) -> _Roles:
    life = setup.lifecycle
    submit = _need(setup, "提请验收", lambda t: "all_measures_done" in t.guards)
    return _Roles(
        assign=_need(setup, "交办", lambda t: "set_assignment" in t.effects and life.initial in t.source),
        start=_need(setup, "开始整改", lambda t: "has_measure" in t.guards),
        submit=submit,
        verify=_find(setup, lambda t: "record_verification" in t.effects),
        rework=_find(setup, lambda t: "clear_verification" in t.effects and submit.dest in t.source),
        close=_need(setup, "销号", lambda t: "record_close" in t.effects),
        reopen=_find(setup, lambda t: "record_reopen" in t.effects),
        dismiss=_find(setup, lambda t: "record_dismissal" in t.effects),
    )


@dataclasses.dataclass
class _Item:
    id: int
    unit: str
    track: str
    measure: int | None = None
    paused: bool = False
    submitted: bool = False
    #: The latest planned finish; an older one (planned before a pause or a reopening) is void.
    finish: int = 0


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

    def _outcome_summary(self, engine: Engine) -> None:
        """五个一批 (counts against targets) and the registers, when the definition has outcomes."""
        if self.setup.outcomes is None:
            return
        five = engine.five_outcomes(KEY)
        print("五个一批 (数量/目标): " + " · ".join(_tally(t.label, t.count, t.target) for t in five.totals),
              file=self.out)
        practices = engine.practices(KEY)
        people = next((t.count for t in five.totals if t.key == "people_educated"), 0)
        print(f"  长效机制 {len(engine.mechanisms(KEY))} 项; 典型做法 {len(practices)} 项"
              f" (选入晒成效 {sum(p.selected for p in practices)} 项); 问责 {people} 人", file=self.out)

    def _document_summary(self, engine: Engine) -> None:
        """规范性文件清理: the listed documents by state, and how many the ladder escalated."""
        docs = self.setup.documents
        if docs is None:
            return
        listed = engine.documents(KEY)
        if not listed:
            return
        by_state = Counter(d.state_label for d in listed)
        order = [s.label for s in docs.lifecycle.states]
        escalated = sum(d.escalation_level > 0 for d in listed)
        print(f"{docs.label} {len(listed)} 份: " + _counts(_ordered(by_state, order))
              + (f"; 逾期挂牌督办 {escalated} 份" if escalated else ""), file=self.out)

    def _summary(self, engine: Engine) -> None:
        labels = {s.id: s.label for s in self.setup.lifecycle.states}
        items = engine.items(KEY)
        out = self.out
        print(file=out)
        print(f"【模拟汇总】{self.setup.title}  {_day(self.first)} 至 {_day(self.last)}, 随机种子 {self.seed}",
              file=out)
        print(f"问题 {len(items)} 件", file=out)
        states = Counter(i.state for i in items)
        print("  按状态: " + _counts((labels.get(s, s), n) for s, n in _ordered(states, list(labels))), file=out)
        lights = Counter(i.light for i in items)
        print("  按预警: " + _counts((LIGHT_LABELS.get(k, k), n) for k, n in _ordered(lights, list(LIGHT_LABELS))),
              file=out)
        levels = Counter(i.escalation_level for i in items)
        print("  按督办等级: " + _counts((ESCALATION_LABELS.get(k, str(k)), n) for k, n in sorted(levels.items())),
              file=out)
        cases = sum(i.case_marked_at is not None for i in items)
        print(f"  回头看重新整改 {self.reopened} 件; 暂停计时 {self.paused} 件; 典型案例 {cases} 件", file=out)
        self._outcome_summary(engine)
        self._document_summary(engine)
        duties = engine.duties(KEY, due_by=self.last)
        print(f"职责 {len(duties)} 项 (截至 {_day(self.last)} 到期)", file=out)
        by_duty: dict[str, Counter[str]] = {}
        for d in duties:
            c = by_duty.setdefault(d.label, Counter())
            c["不适用" if d.status == "not_applicable" else
              "按时完成" if d.done_at and d.done_at.astimezone(self.tz).date() <= d.due else
              "逾期完成" if d.done_at else "未完成"] += 1
            if d.escalation_level:
                c[ESCALATION_LABELS.get(d.escalation_level, "督办")] += 1
        for label, c in by_duty.items():
            print(f"  {label}: " + _counts(_ordered(c, ["按时完成", "逾期完成", "未完成", "不适用", "挂牌督办", "问责"])),
                  file=out)
        messages = engine.outbox(KEY)
        print(f"消息 {len(messages)} 条 (待发送, 按渠道和类别)", file=out)
        by_channel: dict[str, Counter[str]] = {}
        for m in messages:
            by_channel.setdefault(m.channel, Counter())[m.kind] += 1
        names = _kind_labels(self.setup)
        for channel in sorted(by_channel):
            kinds = by_channel[channel]
            print(f"  {channel} {sum(kinds.values())} 条: " + _counts((names.get(k, k), n) for k, n in sorted(kinds.items())),
                  file=out)
        habits = Counter(self.habit.values())
        print("单位习惯 (模拟设定): " + _counts((HABIT_LABELS[h], habits[h]) for h in HABITS if habits[h]), file=out)
        if self.refused:
            print("被引擎拒绝的模拟操作: " + _counts(sorted(self.refused.items())), file=out)


def _tally(label: str, count: int, target: int | None) -> str:
    return f"{label} {count}" + (f"/{target}" if target is not None else "")


def with_contacts(setup: CampaignSetup) -> CampaignSetup:
    """``setup`` with a made-up 联络员 for every unit and a contact for every role that is not
    bound to a unit (in the office's unit; the supervision teams' in theirs), when the
    definition has no contacts at all: so the summary shows messages by delivery channel,
    not all of them unroutable. Addresses are example.gov.cn / 1380000xxxx."""
    if any(u.contacts for u in setup.units):
        return setup
    prefs = [["sms", "email"], ["email"], ["wecom", "email"], ["dingtalk", "sms"]]
    office = setup.leading_group.office_unit if setup.leading_group else setup.units[0].id
    home = {r.id: office for r in setup.roles if not r.unit_bound}
    if setup.supervision is not None:
        home[setup.supervision.role] = setup.supervision.lead_unit
    units = []
    for n, unit in enumerate(setup.units):
        contacts = [ContactSpec(name=f"{unit.name}联络员", email=f"unit{n + 1}@example.gov.cn",
                                mobile=f"1380000{n + 1:04d}", channels=prefs[n % len(prefs)])]
        contacts += [
            ContactSpec(name=f"{role.label}联系人", role=role.id, email=f"{role.id}@example.gov.cn",
                        mobile=f"1390000{k + 1:04d}", channels=["email", "wecom"])
            for k, role in enumerate(setup.roles) if home.get(role.id) == unit.id
        ]
        units.append(unit.model_copy(update={"contacts": contacts}))
    return setup.model_copy(update={"units": units})


def _kind_labels(setup: CampaignSetup) -> dict[str, str]:
    """A message kind's name for officials: the 【…】 its subject starts with, when fixed."""
    names = {}
    for kind, template in setup.notifications.templates.items():
        subject = template.subject
        if not (subject.startswith("【") and "】" in subject):
            continue
        head, rest = subject[1:subject.index("】")], subject[subject.index("】") + 1:]
        about = ("职责" if "duty_label" in rest else "文件清理" if "规范性文件" in rest
                 else "问题" if "title" in rest else "阶段" if "campaign" in rest else "")
        if "{" in head:
            names[kind] = f"{about}预警" if about in ("职责", "问题", "文件清理") else f"{about}通知"
        else:
            names[kind] = f"{about}{head}" if about == "职责" else head
    return names


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _ordered(counts: Counter[Any], order: Sequence[Any]) -> list[tuple[Any, int]]:
    known = [(k, counts[k]) for k in order if counts.get(k)]
    return known + [(k, n) for k, n in counts.items() if k not in order]


def _counts(pairs: Iterable[tuple[Any, int]]) -> str:
    text = " · ".join(f"{k} {n}" for k, n in pairs)
    return text or "无"


def _named(ids: Sequence[int]) -> str:
    shown = "、".join(str(i) for i in ids[:NAMED])
    return f"{shown} 等 {len(ids)} 件" if len(ids) > NAMED else shown


#: Transition triggers counted per day, by the effect or guard that makes them what they are.
def _day_lines(events: Sequence[EventView], setup: CampaignSetup, unit_names: dict[str, str]) -> Iterable[str]:
    """A day's events, said briefly: counts of the routine, named items for what officials
    must see (挂牌督办, 问责, 回头看, pauses), each campaign step in full."""
    labels = {t.trigger: t.label for t in setup.lifecycle.transitions}
    duties = {d.id: d.label for d in setup.duties}
    routine: Counter[str] = Counter()
    ladder: dict[str, list[int]] = {}
    duty_steps: dict[tuple[str, str], int] = {}
    done: Counter[str] = Counter()
    docs = setup.documents
    doc_labels = {st.id: st.label for st in docs.lifecycle.states} if docs is not None else {}
    doc_final = docs.lifecycle.final_states if docs is not None else frozenset()
    listed = 0
    doc_steps: dict[str, list[int]] = {}
    for e in events:
        if "document" in e.data and e.item_id is None:
            if e.trigger == "list_document":
                listed += 1
            elif e.trigger == "document_step":
                label = e.data.get("step_label") or e.data["action"]
                doc_steps.setdefault(label + ("(补办)" if e.data.get("caught_up") else ""), []).append(e.data["document"])
            elif e.to_state in doc_final and e.from_state != e.to_state:
                yield (f"规范性文件清理结论: 文件 {e.data['document']}「{e.data['title']}」"
                       f"{doc_labels.get(e.to_state, e.to_state)} ({e.actor})")
            continue
        if e.trigger == "phase_action":
            d = e.data
            edge = "开始" if d["edge"] == "start" else "结束"
            if d["action"] == "notify":
                yield f"阶段{edge}: {d['phase_name']}, 已通知"
            else:
                duty = duties.get(d["duty"], d["duty"])
                units = "、".join(unit_names.get(u, u) for u in d["units"][:NAMED])
                more = f" 等 {d['count']} 个单位" if d["count"] > NAMED else ""
                yield (f"阶段{edge}: {d['phase_name']} — {d['count']} 个单位未完成「{duty}」"
                       f", 挂牌督办" + (f": {units}{more}" if d["count"] else ""))
                waiting = d.get("on_ladder", [])
                if waiting:  # due too lately for 挂牌督办 yet: 催报 and 红灯 first, then its rung
                    chased = "、".join(unit_names.get(w["unit"], w["unit"]) for w in waiting[:NAMED])
                    more = f" 等 {len(waiting)} 个单位" if len(waiting) > NAMED else ""
                    yield (f"阶段{edge}: {d['phase_name']} — 未完成「{duty}」, 按职责督办阶梯催报, "
                           f"{waiting[0]['listed_on']} 起挂牌督办: {chased}{more}")
        elif e.trigger == "follow_up_draw":
            d = e.data
            yield (f"回头看抽查: 从 {len(d['population'])} 件已销号问题中抽取 {len(d['sample'])} 件"
                   f" (含曾挂牌督办 {len(d['listed'])} 件), 随机种子 {d['seed']}")
        elif e.trigger == "supervision_draw":
            teams = "; ".join(f"第{k + 1}组 → " + "、".join(unit_names.get(u, u) for u in t)
                              for k, t in enumerate(e.data["teams"]))
            yield f"督查抽签 (不打招呼): {teams}"
        elif e.trigger == "ladder_step":
            label = e.data.get("step_label") or LADDER_ACTIONS.get(e.data["action"], e.data["action"])
            if e.data.get("caught_up"):
                label += "(补办)"
            assert e.item_id is not None
            ladder.setdefault(label, []).append(e.item_id)
        elif e.trigger == "duty_step":
            key = (duties.get(e.data["duty"], e.data["duty"]), e.data.get("step_label") or e.data["action"])
            duty_steps[key] = duty_steps.get(key, 0) + 1
        elif e.trigger == "complete_duty":
            done[duties.get(e.data["duty"], e.data["duty"])] += 1
        elif e.trigger in ("follow_up_review", "pause_clock", "resume_clock", "recompute_deadline"):
            name = labels.get(e.trigger) or {"pause_clock": "暂停计时", "resume_clock": "恢复计时"}.get(e.trigger, e.trigger)
            detail = e.data.get("finding") or e.data.get("reason") or (
                f"新的整改时限 {format_date(dt.date.fromisoformat(e.data['due']))}" if "due" in e.data else "")
            yield f"{name}: 问题 {e.item_id} — {detail} ({e.actor})" if detail else f"{name}: 问题 {e.item_id} ({e.actor})"
        elif e.trigger in labels or e.trigger in ("report", "add_measure", "complete_measure"):
            routine[e.trigger] += 1
    if routine:
        names = {"report": "登记", "add_measure": "添加措施", "complete_measure": "完成措施", **labels}
        yield "办理: " + _counts((names[k], n) for k, n in routine.items() if k not in ("add_measure", "complete_measure"))
    for label, ids in ladder.items():
        yield f"{label}: 问题 {_named(ids)}"
    for (duty, step), n in duty_steps.items():
        yield f"职责督办 {duty} {step}: {n} 个单位"
    if done:
        yield "职责完成: " + _counts(done.items())
    if listed:
        yield f"规范性文件清理: 登记待清理文件 {listed} 份"
    for label, ids in doc_steps.items():
        yield f"规范性文件清理 {label}: 文件 {_named(ids)}"


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
