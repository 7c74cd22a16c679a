"""Stateful property test of the item lifecycle (issue 2, point 11; issue 3, point 8).

A hypothesis ``RuleBasedStateMachine`` drives the public API (``zhenggai.engine.Engine`` on a
virtual clock) with random valid AND invalid operations by random actors: every role of the
definition, unknown roles, units right and wrong, people of the item's own unit trying to sign
it off, the custodian, empty or over-long names and texts, due dates in the past or unparsable,
survivors that are closed, foreign, missing or the item itself, and, interleaved with all of it,
stale writes (an ``expected_version`` the item has already left behind), which must raise
``ConflictError`` and change nothing.

It runs twice: on the built-in ``county_2023`` campaign (``LifecycleMachine``), and on a
definition generated for each example by :func:`zhenggai.testing.strategies.definitions`
(``GeneratedLifecycleMachine``: random units and roles, lifecycles with extra states and side
transitions built from the guard and effect vocabularies). Nothing in the machine names a state,
trigger, role or unit: it reads them from the definition (:class:`Defn`), and finds the
rework, 回头看, dismissal, merge and sign-off triggers by the guards and effects they carry.

Next to the engine the machine keeps its own model of every item (state, unit, due, measures,
version, audit log, stopped clock) following the lifecycle rules, and of every 延期申请 and 退单
(issue 17): a request refused on or after the due date, beyond ``max_per_item``, with one
pending or while the clock is stopped; approvals in the definition's order by the right role
(a track's 组长 when the roster names them), the due moving on the last one only; a send-back
refused outside its window (working or calendar days from the day the 交办 counts as received),
outside an assigned state, twice for one 交办 or with one open; the clock stopping and running
again with the working days it had left; the ruling's 改派 checked like any firing; the flag
after ``flag_after`` send-backs; and (rules and model in ``tests/_stateful_supervision.py``) of
协办 parts, 领导批示, 回访 tasks, 佐证材料 and the month's 考核. For every operation the model computes the
problems it can see (wrong actor, stale version, trigger not allowed in the state, role not
allowed, bad input, the first guard that fails). An operation must succeed exactly when the
model sees no problem, and a refusal must be one of the problems the model saw (a stale write
by a valid actor must be a ``ConflictError``); anything that is not a ``ZhenggaiError`` fails
the test. A refused operation must leave every ``zg_*`` table as it was.

After every step the invariants read the database back (through the engine and raw SQL):
known states only; the model's view of every item; one audit event per operation and exactly
one per state change; the audit chain verifies; versions grow by one with every change and never
otherwise; signed-off items were signed off by someone outside the responsible unit. After the
run, the test checks it went somewhere: a quarter of the examples (an eighth on generated
definitions) took an item to a final state,
and the built-in run entered every state of the lifecycle.

One engine serves all examples of a run; each example starts a campaign of its own (a unique
key) on a fresh virtual clock, so the schema is migrated once per database. On SQLite the
built-in run does 200 examples and the generated one 100; on PostgreSQL (same machine, database
from the ``db_url`` fixture, which decides whether it skips or fails) 25 and 15;
``ZHENGGAI_STATEFUL_EXAMPLES=N`` runs N on each for a soak. A failure prints the minimal step
sequence (with the drawn definition) and a ``@reproduce_failure`` blob; hypothesis's example
database replays it on the next run, and ``--hypothesis-seed=N`` fixes the seed.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import os
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from zhenggai.engine import (
    Actor,
    ConflictError,
    Engine,
    ExtensionNotFound,
    ExtensionRefused,
    ExtensionView,
    GuardFailedError,
    InvalidInputError,
    ItemNotFound,
    ItemView,
    LifecycleSpec,
    MeasureNotFound,
    MeasureView,
    PermissionDeniedError,
    Reporter,
    ReporterKeys,
    ReporterView,
    TrackNotFound,
    TransitionNotAllowedError,
    TransitionSpec,
    UnitNotFound,
    VirtualClock,
    ZhenggaiError,
)
from zhenggai.engine.calendar import WorkingCalendar
from zhenggai.engine.deadlines import next_workday
from zhenggai.engine.errors import SendBackNotFound
from zhenggai.engine.views import SendBackView
from zhenggai.testing import DEFAULT_START, items_only
from zhenggai.testing.strategies import definitions
from zhenggai.workflows import load_setup
from zhenggai.workflows.schema import CampaignSetup

from tests._stateful_supervision import Op, Problem, SupervisionRules, text_problem

SQLITE_EXAMPLES = 200
POSTGRES_EXAMPLES = 25
GENERATED_SQLITE_EXAMPLES = 100
GENERATED_POSTGRES_EXAMPLES = 15
STEPS = 25
#: ZHENGGAI_STATEFUL_EXAMPLES=N runs N examples on each database instead (a longer soak).
SOAK = int(os.environ.get("ZHENGGAI_STATEFUL_EXAMPLES", "0"))

# --------------------------------------------------------------------------- the definition

#: The model's reading of the guard and effect vocabulary: which input fields each accepts,
#: which it requires. Written here from the vocabulary's meaning, not imported from the engine.
GUARD_FIELDS: dict[str, frozenset[str]] = {
    "has_responsible_unit": frozenset({"unit"}),
    "has_due": frozenset({"due"}),
    "has_finding": frozenset({"finding"}),
    "has_reason": frozenset({"reason"}),
    "has_open_survivor": frozenset({"survivor_id"}),
    "unit_changes": frozenset({"unit"}),
    "due_not_passed": frozenset({"due"}),
}
EFFECT_FIELDS: dict[str, frozenset[str]] = {
    "set_assignment": frozenset({"unit", "due", "leading_official"}),
    "clear_verification": frozenset({"reason"}),
    "record_reopen": frozenset({"finding", "due"}),
    "record_dismissal": frozenset({"reason"}),
    "record_merge": frozenset({"survivor_id"}),
}
EFFECT_REQUIRED: dict[str, frozenset[str]] = {
    "record_reopen": frozenset({"finding"}),
    "record_dismissal": frozenset({"reason"}),
    "record_merge": frozenset({"survivor_id"}),
}
REPORTER_LIMITS = {"name": 100, "phone": 40, "contact": 200, "note": 2000}


def accepted_fields(spec: TransitionSpec) -> frozenset[str]:
    """The input fields ``spec`` takes (its guards' and effects', and the free note)."""
    return frozenset({"note"}).union(
        *(GUARD_FIELDS.get(g, ()) for g in spec.guards), *(EFFECT_FIELDS.get(e, ()) for e in spec.effects)
    )


def step_workdays(cal: WorkingCalendar, day: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``day`` (``day`` itself for 0)."""
    while n > 0:
        day += dt.timedelta(days=1)
        n -= cal.is_workday(day)
    return day


def workdays_between(cal: WorkingCalendar, start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``."""
    return sum(cal.is_workday(start + dt.timedelta(days=k)) for k in range(1, (end - start).days + 1))


@dataclass(frozen=True)
class Defn:
    """The definition under test, as the model reads it."""

    setup: CampaignSetup
    #: A few units so that items and actors meet often.
    pool: tuple[str, ...]
    #: Someone who may report items (the first items of every example).
    reporter: Actor

    @classmethod
    def of(cls, setup: CampaignSetup, pool: Sequence[str] | None = None) -> Defn:
        units = [u.id for u in setup.units]
        chosen = tuple(pool) if pool is not None else tuple(units[:4])
        ops = setup.lifecycle.operations
        bound = {r.id for r in setup.roles if r.unit_bound}
        role = min(ops["report"], key=lambda r: (r in bound, r))
        unit = chosen[0]
        if role in bound and all(c.source_units and unit not in c.source_units for c in setup.channels):
            unit = setup.channels[0].source_units[0]  # only source units report on its channels
        return cls(setup=setup, pool=chosen, reporter=Actor("王主任", role, unit))

    @cached_property
    def reporter_channels(self) -> list[str]:
        """The channels :attr:`reporter` may report on (a unit-bound one: its unit a source)."""
        bound = self.reporter.role in self.unit_bound
        return [
            c.id
            for c in self.setup.channels
            if not (bound and c.source_units and self.reporter.unit not in c.source_units)
        ]

    @cached_property
    def lifecycle(self) -> LifecycleSpec:
        return self.setup.lifecycle

    @cached_property
    def states(self) -> frozenset[str]:
        return frozenset(s.id for s in self.lifecycle.states)

    @cached_property
    def final(self) -> frozenset[str]:
        return self.lifecycle.final_states

    @cached_property
    def roles(self) -> list[str]:
        return [r.id for r in self.setup.roles]

    @cached_property
    def unit_bound(self) -> frozenset[str]:
        return frozenset(r.id for r in self.setup.roles if r.unit_bound)

    @cached_property
    def units(self) -> frozenset[str]:
        return frozenset(u.id for u in self.setup.units)

    @cached_property
    def tracks(self) -> list[str]:
        return [t.id for t in self.setup.tracks]

    @cached_property
    def channels(self) -> list[str]:
        return [c.id for c in self.setup.channels]

    @cached_property
    def severities(self) -> list[str]:
        return [s.id for s in self.setup.severities]

    @cached_property
    def operations(self) -> dict[str, frozenset[str]]:
        return {op: frozenset(roles) for op, roles in self.lifecycle.operations.items()}

    @cached_property
    def by_trigger_source(self) -> dict[tuple[str, str], TransitionSpec]:
        return {(t.trigger, s): t for t in self.lifecycle.transitions for s in t.source}

    @cached_property
    def by_trigger(self) -> dict[str, TransitionSpec]:
        return {t.trigger: t for t in self.lifecycle.transitions}

    @cached_property
    def triggers(self) -> list[str]:
        return list(self.by_trigger)

    @cached_property
    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar(self.setup.calendar)

    @cached_property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.setup.timezone)

    @cached_property
    def measure_states(self) -> frozenset[str]:
        """States in which measures may be added or completed (every state if the lifecycle
        says nothing)."""
        return frozenset(self.lifecycle.measure_states) or frozenset(s.id for s in self.lifecycle.states)

    @cached_property
    def depth(self) -> dict[str, int]:
        """Fewest steps from the initial state (onward moves go deeper)."""
        depth = {self.lifecycle.initial: 0}
        todo = [self.lifecycle.initial]
        while todo:
            here = todo.pop(0)
            for t in self.lifecycle.transitions:
                if here in t.source and t.dest not in depth:
                    depth[t.dest] = depth[here] + 1
                    todo.append(t.dest)
        return {s: depth.get(s, 0) for s in self.states}

    @cached_property
    def close_guarded(self) -> bool:
        """Every sign-off (a transition recording 销号) needs someone outside the unit."""
        closing = [t for t in self.lifecycle.transitions if "record_close" in t.effects]
        return bool(closing) and all("actor_outside_unit" in t.guards for t in closing)

    @cached_property
    def assigned_states(self) -> frozenset[str]:
        """States an item is in right after 交办 / 改派 (where 退单 is possible)."""
        return frozenset(t.dest for t in self.lifecycle.transitions if "set_assignment" in t.effects)

    def reassign_trigger(self, state: str) -> str | None:
        """The 改派 a send-back ruling fires from ``state``: the first transition that sets the
        assignment and wants the unit changed."""
        for t in self.lifecycle.transitions:
            if "set_assignment" in t.effects and "unit_changes" in t.guards and state in t.source:
                return t.trigger
        return None

    def track_leaders(self, track: str, role: str) -> frozenset[str]:
        """The roster's 组长 of ``track`` in ``role`` (empty: anyone in ``role`` may act)."""
        spec = next((t for t in self.setup.tracks if t.id == track), None)
        if spec is None or spec.leader_role != role:
            return frozenset()
        return frozenset(
            c.name for u in self.setup.units for c in u.contacts if c.role == role and c.track == track
        )

    def with_guard(self, *names: str, effects: Sequence[str] = ()) -> list[TransitionSpec]:
        """Transitions that have any of the guards ``names`` or any of ``effects``."""
        return [
            t
            for t in self.lifecycle.transitions
            if set(t.guards) & set(names) or set(t.effects) & set(effects)
        ]


BUILTIN = Defn.of(
    # Without the plan's unit duties: this test is about items (duties: test_duties.py), and
    # every example starts a campaign of its own.
    # 考核 kept: the machine checks the month scores (nothing sweeps, so no month is stored).
    items_only(load_setup("county_2023")).model_copy(update={"scoring": load_setup("county_2023").scoring}),
    pool=["discipline_commission", "housing_construction_bureau", "finance_bureau", "court"],
)

# ------------------------------------------------------------------------------- strategies

#: Stands for "the item's responsible unit" in generated actors, resolved when the rule runs.
ITEM_UNIT = "<item's unit>"
#: An item id no campaign has.
MISSING_ID = 10**9
#: Survivor choices besides the items of the bundle.
SELF, FOREIGN, MISSING = "<the item itself>", "<item of another campaign>", "<no such item>"


def mostly(
    common: st.SearchStrategy[Any], rare: st.SearchStrategy[Any], one_in: int = 6
) -> st.SearchStrategy[Any]:
    """``common`` most of the time, ``rare`` about once in ``one_in`` draws (shrinks to common)."""
    return st.integers(0, one_in - 1).flatmap(lambda i: rare if i == one_in - 1 else common)


@dataclass(frozen=True)
class Who:
    """A generated actor; ``unit`` may be ITEM_UNIT."""

    name: str
    role: str
    unit: str | None


@dataclass(frozen=True)
class Due:
    """A due date relative to the clock's today, as a date or an ISO string: the first working
    day on or after it, or (``raw``) the day as drawn, which may be a day off (refused)."""

    days: int
    as_text: bool = False
    raw: bool = False


NAMES = st.sampled_from(["王主任", "赵组长", "督查一组", "李科长", "保管员", "钱副县长"])
BAD_NAMES = st.sampled_from(["", "   ", "名" * 101])
DUE_VALUES = st.one_of(
    st.builds(Due, st.integers(-3, 60), st.booleans(), mostly(st.just(False), st.just(True), 4)),
    st.sampled_from(["2023-02-30", "明天", "", 7, dt.datetime(2023, 9, 1, tzinfo=dt.UTC)]),
)
TEXTS = mostly(
    st.sampled_from(["材料不全", "  仍有吃拿卡要现象  ", "群众反映未解决"]),
    st.sampled_from(["", "   ", "字" * 2001]),
    4,
)
LEADING = mostly(st.sampled_from(["钱副县长", "孙书记"]), st.sampled_from(["", "长" * 101]), 4)
VERSION_CHOICE = st.sampled_from(["none", "none", "current", "stale", "future"])


def who(d: Defn) -> st.SearchStrategy[Who]:
    """Anyone: mostly a role of the definition, sometimes an unknown one or the engine's own."""
    return st.builds(
        Who,
        name=mostly(NAMES, BAD_NAMES, 12),
        role=mostly(st.sampled_from(d.roles), st.sampled_from(["mayor", "system"]), 10),
        unit=mostly(
            st.sampled_from([None, ITEM_UNIT, ITEM_UNIT, *d.pool]),
            st.sampled_from(["atlantis_bureau", "all_units"]),
            12,
        ),
    )


def field_values(d: Defn, items: st.SearchStrategy[int]) -> st.SearchStrategy[dict[str, Any]]:
    """Random input for ``fire``: any subset of the fields, valid or not, plus stray keys."""
    units = mostly(
        st.sampled_from([*d.pool, ITEM_UNIT]), st.sampled_from(["atlantis_bureau", "all_units", ""]), 5
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "unit": units,
            "due": DUE_VALUES,
            "leading_official": LEADING,
            "finding": TEXTS,
            "reason": TEXTS,
            "note": TEXTS,
            "survivor_id": st.one_of(items, st.sampled_from([SELF, FOREIGN, MISSING, "12"])),
            "priority": st.just("urgent"),
        },
    )


# ----------------------------------------------------------------------------------- model

#: Why a 延期申请 was refused, told apart by its explanation's words.
EXTENSION_REFUSALS = {
    "没有规定": "off",
    "已办结或没有": "ended",
    "计时已暂停": "paused",
    "已逾期": "overdue",
    "须晚于": "not_later",
    "待审批": "pending",
    "至多延期": "max",
    "审批完毕": "decided",
    "已变更": "changed",
}


def error_key(err: ZhenggaiError) -> str | None:
    """The detail the model predicts besides the class."""
    if isinstance(err, ExtensionRefused):
        return next(
            (k for words, k in EXTENSION_REFUSALS.items() if words in err.explanation), err.explanation
        )
    if isinstance(err, GuardFailedError):
        return err.guard
    if isinstance(err, InvalidInputError):
        return err.field
    if isinstance(err, TransitionNotAllowedError):
        return err.trigger
    return None


def show(problems: list[Problem]) -> str:
    return ", ".join(f"{cls.__name__}({key})" if key else cls.__name__ for cls, key in problems)


@dataclass
class MItem:
    """What the model expects of one item."""

    id: int
    state: str
    has_reporter: bool
    reporter: tuple[str | None, ...] | None
    track: str = ""
    severity: str = ""
    unit: str | None = None
    due: dt.date | None = None
    leading_official: str | None = None
    version: int = 1
    measures: dict[int, bool] = field(default_factory=dict)
    reopen_count: int = 0
    last_finding: str | None = None
    dismiss_reason: str | None = None
    merged_into: int | None = None
    closed_by: str | None = None
    verified: bool = False
    #: Reported on a channel with ``transfer_to`` (移送): waits for its 初核 (never done here).
    transfer_pending: bool = False
    #: (trigger, from, to, actor, role, unit) of every event the item should have, in order.
    log: list[tuple[str, str | None, str | None, str, str, str | None]] = field(default_factory=list)
    state_changes: int = 0
    seen_versions: set[int] = field(default_factory=lambda: {1})
    #: Version read back by the last invariant check, and changes the model recorded since.
    checked_version: int = 1
    changes_since_check: int = 0
    #: When the item entered its state (退单's window counts from its 交办).
    state_since: dt.datetime | None = None
    #: 暂停计时 by a send-back: the working days it had left (None while the clock runs).
    paused_days: int | None = None
    #: 延期申请: the pending request's id; how many were approved.
    pending_extension: int | None = None
    extensions_approved: int = 0
    #: 退单: the open send-back's id; (unit, when) of every send-back of the item.
    open_send_back: int | None = None
    send_backs: list[tuple[str | None, dt.datetime]] = field(default_factory=list)


@dataclass
class MExtension:
    """What the model expects of one 延期申请."""

    id: int
    item_id: int
    unit: str | None
    old_due: dt.date
    new_due: dt.date
    state: str = "pending"
    stage: int = 0


@dataclass
class MSendBack:
    """What the model expects of one 退单."""

    id: int
    item_id: int
    unit: str | None
    clock_stopped: bool
    state: str = "open"
    to_unit: str | None = None


# --------------------------------------------------------------------------- the harness


class _ExampleClock:
    """The engine's clock: delegates to the current example's VirtualClock."""

    def __init__(self) -> None:
        self.current = VirtualClock(DEFAULT_START)

    def now(self) -> dt.datetime:
        return self.current.now()


class Harness:
    """One engine on one database, shared by all examples of a run."""

    def __init__(self, engine: Engine, clock: _ExampleClock) -> None:
        self.engine = engine
        self.clock = clock
        self.keys = itertools.count(1)
        #: How often each state was entered over the run, how many examples ran, and how many
        #: took at least one item to a final state (the test checks the run got somewhere).
        self.reached: Counter[str] = Counter()
        self.examples = 0
        self.finished = 0
        office = Actor("外部办公室", "leading_group_office", "discipline_commission")
        self.engine.start_campaign(BUILTIN.setup, key="foreign")
        self.foreign_item = self.engine.report(
            "foreign",
            office,
            title="别的专项行动的问题",
            description="用于跨专项合并",
            track=BUILTIN.tracks[0],
            channel=BUILTIN.channels[0],
        ).id
        sa_engine = engine.store.engine
        metadata = sa.MetaData()
        metadata.reflect(bind=sa_engine, only=lambda name, _md: name.startswith("zg_"))
        self.tables = sorted(metadata.tables.values(), key=lambda t: t.name)
        assert {"zg_item", "zg_event", "zg_measure", "zg_campaign"} <= {t.name for t in self.tables}

    def id_marks(self) -> dict[str, int]:
        """The highest integer ``id`` of every table that has one (taken before a campaign starts,
        so every row of that campaign lies above the mark)."""
        with self.engine.store.engine.connect() as conn:
            return {
                t.name: conn.execute(sa.select(sa.func.coalesce(sa.func.max(t.c.id), 0))).scalar_one()
                for t in self.tables
                if "id" in t.c and list(t.primary_key.columns) == [t.c.id]
            }

    def snapshot_queries(
        self, cid: int, marks: dict[str, int]
    ) -> tuple[sa.Select[Any], list[tuple[str, sa.Select[Any]]]]:
        """One query counting the rows of every zg_* table, and per table its rows of campaign
        ``cid`` in key order (above the table's id mark, so an index range, not a full scan)."""
        tables = {t.name: t for t in self.tables}
        item_ids = sa.select(tables["zg_item"].c.id).where(
            tables["zg_item"].c.campaign_id == cid, tables["zg_item"].c.id > marks["zg_item"]
        )
        unit_ids = sa.select(tables["zg_unit"].c.id).where(
            tables["zg_unit"].c.campaign_id == cid, tables["zg_unit"].c.id > marks["zg_unit"]
        )
        counts = sa.select(
            *(sa.select(sa.func.count()).select_from(t).scalar_subquery().label(t.name) for t in self.tables)
        )
        rows = []
        for t in self.tables:
            query = sa.select(t)
            if t.name in marks:
                query = query.where(t.c.id > marks[t.name])
            if t.name == "zg_campaign":
                query = query.where(t.c.id == cid)
            elif "campaign_id" in t.c:
                query = query.where(t.c.campaign_id == cid)
            elif "item_id" in t.c:
                query = query.where(t.c.item_id.in_(item_ids))
            elif "unit_id" in t.c:
                query = query.where(t.c.unit_id.in_(unit_ids))
            rows.append((t.name, query.order_by(*(list(t.primary_key.columns) or list(t.c)))))
        return counts, rows


# -------------------------------------------------------------------------- the machine


class LifecycleMachine(SupervisionRules, RuleBasedStateMachine):
    """Random operations on a few items of one campaign, checked against a model. This class
    runs the built-in definition; :class:`GeneratedLifecycleMachine` draws a new one per example."""

    #: Set by the test function for the duration of a run.
    harness: Harness | None = None
    #: Draw the definition of each example (else the built-in county plan).
    generated = False

    items: Bundle[int] = Bundle("items")

    def __init__(self) -> None:
        super().__init__()
        harness = type(self).harness
        assert harness is not None, "LifecycleMachine runs only inside test_lifecycle_state_machine"
        self.h = harness
        self.engine = harness.engine
        harness.clock.current = VirtualClock(DEFAULT_START)
        self.key = f"sm{next(harness.keys)}"
        self.d = BUILTIN
        self.model: dict[int, MItem] = {}
        self.extensions: dict[int, MExtension] = {}
        self.send_backs: dict[int, MSendBack] = {}
        self.campaign_events = 1  # start_campaign
        self.finished = False
        self.init_supervision()

    def teardown(self) -> None:
        self.check_scores()
        self.h.examples += 1
        self.h.finished += self.finished

    def start(self, d: Defn) -> None:
        """Start this example's campaign on ``d`` (before any item exists)."""
        self.d = d
        marks = self.h.id_marks()
        self.camp = self.engine.start_campaign(d.setup, key=self.key)
        self.counts, self.queries = self.h.snapshot_queries(self.camp.id, marks)

    # ------------------------------------------------------------------------ model helpers

    def today(self) -> dt.date:
        return self.h.clock.now().astimezone(self.d.tz).date()

    def actor(self, who: Who, item: MItem | None) -> Actor:
        unit = who.unit
        if unit == ITEM_UNIT:
            unit = item.unit if item is not None and item.unit is not None else self.d.pool[1]
        return Actor(who.name, who.role, unit)

    def resolve_due(self, value: object) -> object:
        if isinstance(value, Due):
            day = self.today() + dt.timedelta(days=value.days)
            calendar = self.d.calendar
            if not value.raw and calendar.covers(day.year):
                day = next_workday(calendar, day)
            return day.isoformat() if value.as_text else day
        return value

    def resolve_unit(self, value: object, item: MItem) -> object:
        if value == ITEM_UNIT:
            return item.unit if item.unit is not None else self.d.pool[2]
        return value

    def resolve_survivor(self, value: object, item: MItem) -> object:
        return {SELF: item.id, FOREIGN: self.h.foreign_item, MISSING: MISSING_ID}.get(value, value)  # type: ignore[call-overload]

    def prefer(self, data: st.DataObject, item: int, states: set[str] | frozenset[str]) -> MItem:
        """Mostly an item in one of ``states`` if the campaign has one, else ``item``."""
        ids = sorted(i for i, m in self.model.items() if m.state in states)
        if ids:
            item = data.draw(
                mostly(st.sampled_from(ids), st.just(item), 4), label=f"item in {sorted(states)}"
            )
        return self.model[item]

    def resolve_fields(self, fields: dict[str, Any], item: MItem) -> dict[str, Any]:
        resolved = dict(fields)
        if "unit" in resolved:
            resolved["unit"] = self.resolve_unit(resolved["unit"], item)
        if "due" in resolved:
            resolved["due"] = self.resolve_due(resolved["due"])
        if "survivor_id" in resolved:
            resolved["survivor_id"] = self.resolve_survivor(resolved["survivor_id"], item)
        return resolved

    def version_for(self, choice: str, item: MItem, data: st.DataObject) -> int | None:
        if choice == "current":
            return item.version
        if choice == "future":
            return item.version + data.draw(st.integers(1, 3), label="versions ahead")
        if choice == "stale":
            stale = sorted(v for v in item.seen_versions if v < item.version)
            if stale:
                return data.draw(st.sampled_from(stale), label="stale version")
            return item.version + 1
        return None

    def actor_problems(self, actor: Actor) -> list[Problem]:
        problems: list[Problem] = []
        if text_problem("actor", actor.name):
            problems.append((InvalidInputError, "actor"))
        if actor.role not in self.d.roles:
            problems.append((PermissionDeniedError, None))
        if actor.unit is not None and actor.unit not in self.d.units:
            problems.append((UnitNotFound, None))
        if actor.role in self.d.unit_bound and actor.unit is None:
            problems.append((PermissionDeniedError, None))
        return problems

    def role_problems(
        self, actor: Actor, roles: frozenset[str] | list[str], item: MItem | None
    ) -> list[Problem]:
        if actor.role not in roles:
            return [(PermissionDeniedError, None)]
        if (
            actor.role in self.d.unit_bound
            and item is not None
            and (item.unit is None or actor.unit != item.unit)
        ):
            return [(PermissionDeniedError, None)]
        return []

    @staticmethod
    def combine(pre: list[Problem], conflict: bool, rest: list[Problem]) -> list[Problem]:
        """All problems the engine may report. A stale write by a valid actor must conflict."""
        if pre:
            return pre + ([(ConflictError, None)] if conflict else []) + rest
        if conflict:
            return [(ConflictError, None)]
        return rest

    def due_problem(self, value: object) -> tuple[dt.date | None, Problem | None]:
        if isinstance(value, dt.datetime):
            return None, (InvalidInputError, "due")
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                return None, (InvalidInputError, "due")
        if not isinstance(value, dt.date) or value < self.today():
            return None, (InvalidInputError, "due")
        calendar = self.d.calendar
        if calendar.covers(value.year) and not calendar.is_workday(value):
            return None, (InvalidInputError, "due")  # a deadline never falls on a day off
        return value, None

    @staticmethod
    def input_fields(spec: TransitionSpec) -> tuple[set[str], set[str]]:
        """The input fields ``spec`` accepts, and those it requires that no guard checks."""
        accepted = {"note"}
        required: set[str] = set()
        for g in spec.guards:
            accepted |= GUARD_FIELDS.get(g, frozenset())
        for e in spec.effects:
            accepted |= EFFECT_FIELDS.get(e, frozenset())
            required |= EFFECT_REQUIRED.get(e, frozenset())
        # A missing field that one of the transition's guards checks is that guard's refusal.
        for g in spec.guards:
            required -= GUARD_FIELDS.get(g, frozenset())
        return accepted, required

    def inputs(self, spec: TransitionSpec, data: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
        accepted, required = self.input_fields(spec)
        given = {k: v for k, v in data.items() if v is not None}
        problems: list[Problem] = [(InvalidInputError, k) for k in sorted(set(given) - accepted)]
        out: dict[str, Any] = {}
        if "unit" in given and "unit" in accepted:
            if isinstance(given["unit"], str) and given["unit"] in self.d.units:
                out["unit"] = given["unit"]
            else:
                problems.append((UnitNotFound, None))
        if "due" in given and "due" in accepted:
            due, problem = self.due_problem(given["due"])
            if problem:
                problems.append(problem)
            else:
                out["due"] = due
        if "leading_official" in given and "leading_official" in accepted:
            # Issue 16: 领衔领导 is named by lead_item only; any free text is refused.
            problems.append((InvalidInputError, "leading_official"))
        for name in ("finding", "reason", "note"):
            if name in given and name in accepted:
                problem = text_problem(name, given[name])
                if problem:
                    problems.append(problem)
                else:
                    out[name] = given[name].strip()
            elif name in required:
                problems.append((InvalidInputError, name))
        if "survivor_id" in given and "survivor_id" in accepted:
            sid = given["survivor_id"]
            if not isinstance(sid, int) or isinstance(sid, bool):
                problems.append((InvalidInputError, "survivor_id"))
            elif sid not in self.model and sid != self.h.foreign_item:
                problems.append((ItemNotFound, None))
            else:
                out["survivor_id"] = sid
        elif "survivor_id" in required:
            problems.append((InvalidInputError, "survivor_id"))
        return out, problems

    def due_by_rule(self, spec: TransitionSpec, item: MItem, inputs: dict[str, Any]) -> None:
        """An assignment without a due date (given or held) gets the definition's rectification
        time for the item's track and severity, counted from now."""
        deadlines = self.d.setup.deadlines
        if (
            "set_assignment" in spec.effects
            and "due" not in inputs
            and item.due is None
            and deadlines is not None
        ):
            inputs["due"] = self.rule_due(item)

    def measures_closed(self, item: MItem) -> bool:
        """Measures cannot be added or completed in this item's state."""
        return item.state in self.d.final or item.unit is None or item.state not in self.d.measure_states

    def guard_fails(self, guard: str, item: MItem, actor: Actor, inputs: dict[str, Any]) -> bool:
        if guard == "has_responsible_unit":
            return (inputs.get("unit") or item.unit) is None
        if guard == "has_due":
            return (inputs.get("due") or item.due) is None
        if guard == "has_measure":
            return not item.measures
        if guard == "all_measures_done":
            return not item.measures or not all(item.measures.values())
        if guard == "actor_outside_unit":
            return item.unit is not None and actor.unit == item.unit
        if guard == "has_finding":
            return "finding" not in inputs
        if guard == "has_reason":
            return "reason" not in inputs
        if guard == "has_open_survivor":
            sid = inputs.get("survivor_id")
            return (
                sid is None
                or sid == item.id
                or sid not in self.model
                or self.model[sid].state in self.d.final
            )
        if guard == "unit_changes":
            return inputs.get("unit") is None or inputs["unit"] == item.unit
        if guard == "preliminary_check_done":
            return item.transfer_pending
        if guard == "due_not_passed":
            due = inputs.get("due") or item.due
            return due is None or due < self.today()
        if guard == "co_parts_done":
            return bool(self.open_parts(item.id))
        raise AssertionError(f"the model does not know guard {guard}")

    def record(
        self, item: MItem, trigger: str, before: str, after: str, actor: Actor, *, change: bool
    ) -> None:
        item.log.append((trigger, before, after, actor.name, actor.role, actor.unit))
        self.campaign_events += 1
        if change:
            item.version += 1
            item.seen_versions.add(item.version)
            item.changes_since_check += 1
        if before != after:
            item.state_changes += 1
            item.state = after
            self.h.reached[after] += 1
            self.finished = self.finished or after in self.d.final

    def check_view(self, view: ItemView, item: MItem, where: str) -> None:
        item.seen_versions.add(view.version)
        got = (
            view.state,
            view.unit,
            view.due,
            view.leading_official,
            view.version,
            view.reopen_count,
            view.last_finding,
            view.dismiss_reason,
            view.merged_into,
            view.closed_by,
            view.verified_at is not None,
            view.closed_at is not None,
            view.paused_at is not None,
            view.paused_days,
        )
        want = (
            item.state,
            item.unit,
            item.due,
            item.leading_official,
            item.version,
            item.reopen_count,
            item.last_finding,
            item.dismiss_reason,
            item.merged_into,
            item.closed_by,
            item.verified,
            item.closed_by is not None,
            item.paused_days is not None,
            item.paused_days,
        )
        names = (
            "state",
            "unit",
            "due",
            "leading_official",
            "version",
            "reopen_count",
            "last_finding",
            "dismiss_reason",
            "merged_into",
            "closed_by",
            "verified",
            "closed",
            "paused",
            "paused_days",
        )
        diff = {n: (g, w) for n, g, w in zip(names, got, want, strict=True) if g != w}
        assert not diff, f"{where}: item {item.id} differs from the model (engine, model): {diff}"

    # --------------------------------------------------------------------- operation builders

    def fire_plan(
        self, item: MItem, trigger: str, actor: Actor, data: dict[str, Any]
    ) -> tuple[TransitionSpec | None, dict[str, Any], list[Problem]]:
        """What firing ``trigger`` on ``item`` needs besides a valid actor and version: the
        transition, its inputs and the problems the model sees."""
        spec = self.d.by_trigger_source.get((trigger, item.state))
        known = spec or self.d.by_trigger.get(trigger)
        rest: list[Problem] = []
        inputs: dict[str, Any] = {}
        if spec is None:
            rest.append((TransitionNotAllowedError, trigger))
        if known is not None:
            rest += self.role_problems(actor, known.roles, item)
            inputs, input_problems = self.inputs(known, data)
            rest += input_problems
            if spec is not None and not input_problems:
                self.due_by_rule(spec, item, inputs)
                failed = [g for g in spec.guards if self.guard_fails(g, item, actor, inputs)]
                if failed:
                    rest.append((GuardFailedError, failed[0]))
                elif item.paused_days is not None and self.moves_due(spec, item, inputs):
                    rest.append((GuardFailedError, "clock_running"))  # 计时已暂停: the due stays
        return spec, inputs, rest

    @staticmethod
    def moves_due(spec: TransitionSpec, item: MItem, inputs: dict[str, Any]) -> bool:
        return (
            bool({"set_assignment", "record_reopen"} & set(spec.effects))
            and inputs.get("due", item.due) != item.due
        )

    def apply_fire(
        self, item: MItem, spec: TransitionSpec, inputs: dict[str, Any], actor: Actor, trigger: str
    ) -> None:
        """The model after a successful ``trigger`` (its effects, its event, the state entered)."""
        before = item.state
        for effect in spec.effects:
            if effect == "set_assignment":
                item.unit = inputs.get("unit", item.unit)
                item.due = inputs.get("due", item.due)
                item.leading_official = inputs.get("leading_official", item.leading_official)
            elif effect == "record_verification":
                item.verified = True
            elif effect == "clear_verification":
                item.verified = False
            elif effect == "record_close":
                item.closed_by = actor.name
            elif effect == "record_reopen":
                item.due = inputs.get("due", item.due)
                item.reopen_count += 1
                item.last_finding = inputs["finding"]
                item.closed_by = None
                item.verified = False
            elif effect == "record_dismissal":
                item.dismiss_reason = inputs["reason"]
            elif effect == "record_merge":
                item.merged_into = inputs["survivor_id"]
        if spec.dest in self.d.final:
            item.paused_days = None  # an ended item's stopped clock has nothing left to count
        item.state_since = self.h.clock.now()  # every transition enters its destination anew
        self.record(item, trigger, before, spec.dest, actor, change=True)
        self.after_fire(item, spec)

    def op_fire(self, item: MItem, trigger: str, actor: Actor, ev: int | None, data: dict[str, Any]) -> Op:
        spec, inputs, rest = self.fire_plan(item, trigger, actor, data)
        expected = self.combine(self.actor_problems(actor), ev is not None and ev != item.version, rest)

        def on_success(view: ItemView) -> None:
            assert spec is not None
            self.apply_fire(item, spec, inputs, actor, trigger)
            self.check_view(view, item, f"fire {trigger}")

        return Op(
            what=f"fire({item.id}, {trigger!r}, {actor}, expected_version={ev}, {data}) in state {item.state}",
            call=lambda: self.engine.fire(item.id, trigger, actor, expected_version=ev, **data),
            expected=expected,
            on_success=on_success,
            item=item,
            expected_version=ev,
        )

    def op_add_measure(self, item: MItem, actor: Actor, ev: int | None, text: object, due: object) -> Op:
        rest: list[Problem] = []
        if self.measures_closed(item):
            rest.append((TransitionNotAllowedError, "add_measure"))
        rest += self.role_problems(actor, self.d.operations["add_measure"], item)
        if text_problem("text", text):
            rest.append((InvalidInputError, "text"))
        if due is not None and self.due_problem(due)[1]:
            rest.append((InvalidInputError, "due"))
        expected = self.combine(self.actor_problems(actor), ev is not None and ev != item.version, rest)

        def on_success(measure: MeasureView) -> None:
            assert isinstance(measure, MeasureView) and measure.item_id == item.id
            assert measure.id not in item.measures and measure.done_at is None
            assert measure.text == str(text).strip()
            item.measures[measure.id] = False
            self.record(item, "add_measure", item.state, item.state, actor, change=True)

        return Op(
            what=f"add_measure({item.id}, {actor}, text={text!r}, due={due!r}, expected_version={ev})",
            call=lambda: self.engine.add_measure(item.id, actor, text=text, due=due, expected_version=ev),  # type: ignore[arg-type]
            expected=expected,
            on_success=on_success,
            item=item,
            expected_version=ev,
        )

    def op_complete_measure(self, item: MItem, measure_id: int, actor: Actor, ev: int | None) -> Op:
        if measure_id not in item.measures:
            expected: list[Problem] = [(MeasureNotFound, None), *self.actor_problems(actor)]
        else:
            rest: list[Problem] = []
            if self.measures_closed(item):
                rest.append((TransitionNotAllowedError, "complete_measure"))
            rest += self.role_problems(actor, self.d.operations["complete_measure"], item)
            if item.measures[measure_id]:
                rest.append((InvalidInputError, "measure"))
            expected = self.combine(self.actor_problems(actor), ev is not None and ev != item.version, rest)

        def on_success(measure: MeasureView) -> None:
            assert measure.id == measure_id and measure.done_at is not None and measure.done_by == actor.name
            item.measures[measure_id] = True
            self.record(item, "complete_measure", item.state, item.state, actor, change=True)

        return Op(
            what=f"complete_measure({measure_id} of item {item.id}, {actor}, expected_version={ev})",
            call=lambda: self.engine.complete_measure(measure_id, actor, expected_version=ev),
            expected=expected,
            on_success=on_success,
            item=item,
            expected_version=ev,
        )

    def op_read_reporter(self, item: MItem, actor: Actor) -> Op:
        expected = self.actor_problems(actor) + self.role_problems(
            actor, self.d.operations["read_reporter"], None
        )

        def on_success(found: ReporterView | None) -> None:
            if item.reporter is None:
                assert found is None, f"item {item.id} has no reporter but read_reporter returned {found}"
            else:
                assert isinstance(found, ReporterView) and found.item_id == item.id
                assert (found.name, found.phone, found.contact, found.note) == item.reporter
            self.record(item, "read_reporter", item.state, item.state, actor, change=False)

        return Op(
            what=f"read_reporter({item.id}, {actor})",
            call=lambda: self.engine.read_reporter(item.id, actor),
            expected=expected,
            on_success=on_success,
            item=item,
            read_only=True,
        )

    def op_report(self, actor: Actor, fields: dict[str, Any], reporter: Reporter | None) -> Op:
        problems = self.actor_problems(actor) + self.role_problems(actor, self.d.operations["report"], None)
        for name in ("title", "description"):
            if text_problem(name, fields[name]):
                problems.append((InvalidInputError, name))
        if fields["track"] not in self.d.tracks:
            problems.append((TrackNotFound, None))
        if fields["channel"] not in self.d.channels:
            problems.append((InvalidInputError, "channel"))
        if fields["severity"] not in self.d.severities:
            problems.append((InvalidInputError, "severity"))
        channel = next((c for c in self.d.setup.channels if c.id == fields["channel"]), None)
        if (
            channel is not None
            and channel.source_units
            and actor.role in self.d.unit_bound
            and actor.unit not in channel.source_units
        ):
            problems.append((PermissionDeniedError, None))  # only its source units report on it
        stored: tuple[str | None, ...] | None = None
        if reporter is not None:
            values: list[str | None] = []
            for name, limit in REPORTER_LIMITS.items():
                value = getattr(reporter, name)
                if value is not None and not isinstance(value, str):
                    problems.append((InvalidInputError, f"reporter.{name}"))
                    value = None
                value = (value.strip() or None) if value is not None else None
                if value is not None and len(value) > limit:
                    problems.append((InvalidInputError, f"reporter.{name}"))
                values.append(value)
            stored = tuple(values)
        instruction = self.report_instruction(fields["channel"])

        def on_success(view: ItemView) -> None:
            assert view.id not in self.model
            item = MItem(
                id=view.id,
                state=self.d.lifecycle.initial,
                has_reporter=reporter is not None,
                reporter=stored,
                track=fields["track"],
                severity=fields["severity"],
                state_since=self.h.clock.now(),
            )
            self.model[view.id] = item
            item.log.append(("report", None, self.d.lifecycle.initial, actor.name, actor.role, actor.unit))
            self.campaign_events += 1
            if channel is not None and channel.transfer_to is not None:  # 移送: lands for 初核
                initial = self.d.lifecycle.initial
                item.log.append(("transfer", initial, initial, actor.name, actor.role, actor.unit))
                self.campaign_events += 1
                item.transfer_pending = True
            self.after_report(item, actor, instruction)  # 领导批示交办: the report's instruction
            self.check_view(view, item, "report")
            assert (view.title, view.track, view.channel, view.severity) == (
                fields["title"].strip(),
                fields["track"],
                fields["channel"],
                fields["severity"],
            )
            op.created.append(view.id)

        op = Op(
            what=f"report({actor}, {fields}, reporter={reporter})",
            call=lambda: self.engine.report(
                self.key, actor, reporter=reporter, instruction=instruction, **fields
            ),
            expected=problems,
            on_success=on_success,
        )
        return op

    # ------------------------------------------------ 延期申请 and 退单 (issue 17): builders

    def bump(self, item: MItem) -> None:
        """A change of the item's row without an event of its own (the clock resumed)."""
        item.version += 1
        item.seen_versions.add(item.version)
        item.changes_since_check += 1

    def unit_acts(self, actor: Actor, item: MItem) -> bool:
        """``actor`` acts for the item's responsible unit (a unit-bound role of that unit)."""
        return actor.role in self.d.unit_bound and item.unit is not None and actor.unit == item.unit

    def op_request_extension(
        self, item: MItem, actor: Actor, new_due: object, reason: object, progress: object
    ) -> Op:
        spec = self.d.setup.extensions
        rest: list[Problem] = []
        day: dt.date | None = None
        if spec is None:
            rest.append((ExtensionRefused, "off"))
        else:
            if not self.unit_acts(actor, item):
                rest.append((PermissionDeniedError, None))
            if text_problem("reason", reason) or (spec.reasons and str(reason).strip() not in spec.reasons):
                rest.append((InvalidInputError, "reason"))
            if progress is not None and text_problem("progress", progress):
                rest.append((InvalidInputError, "progress"))
            day, problem = self.due_problem(new_due)
            if problem:
                rest.append((InvalidInputError, "new_due"))
            if item.state in self.d.final or item.due is None:
                rest.append((ExtensionRefused, "ended"))
            elif item.paused_days is not None:
                rest.append((ExtensionRefused, "paused"))  # the due is frozen while 退单 is ruled on
            elif self.today() >= item.due:
                rest.append((ExtensionRefused, "overdue"))  # a late request counts as overdue
            elif day is not None and day <= item.due:
                rest.append((ExtensionRefused, "not_later"))
            if item.pending_extension is not None:
                rest.append((ExtensionRefused, "pending"))
            if item.extensions_approved >= spec.max_per_item:
                rest.append((ExtensionRefused, "max"))
        expected = self.combine(self.actor_problems(actor), False, rest)

        def on_success(view: ExtensionView) -> None:
            assert spec is not None and day is not None and item.due is not None
            got = (
                view.item_id,
                view.unit,
                view.state,
                view.stage,
                view.old_due,
                view.new_due,
                view.next_approver,
            )
            assert got == (item.id, item.unit, "pending", 0, item.due, day, spec.approvers[0]), got
            self.extensions[view.id] = MExtension(view.id, item.id, item.unit, item.due, day)
            item.pending_extension = view.id
            self.record(item, "request_extension", item.state, item.state, actor, change=False)

        return Op(
            what=f"request_extension({item.id}, {actor}, new_due={new_due!r}, reason={reason!r}, "
            f"progress={progress!r}) in state {item.state}, due {item.due}, paused {item.paused_days}",
            call=lambda: self.engine.request_extension(
                item.id,
                actor,
                new_due=new_due,  # type: ignore[arg-type]
                reason=reason,  # type: ignore[arg-type]
                progress=progress,  # type: ignore[arg-type]
            ),
            expected=expected,
            on_success=on_success,
            item=item,
        )

    def op_decide_extension(self, ext_id: int, actor: Actor, approve: bool, note: str | None) -> Op:
        ext = self.extensions.get(ext_id)
        spec = self.d.setup.extensions
        if ext is None or spec is None:
            return Op(
                what=f"decide_extension({ext_id}, {actor}, approve={approve})",
                call=lambda: self.engine.decide_extension(ext_id, actor, approve=approve, note=note),
                expected=[(ExtensionNotFound, None)],
                on_success=lambda _: None,
            )
        item = self.model[ext.item_id]
        rest: list[Problem] = []
        if (note is not None and text_problem("note", note)) or (not approve and note is None):
            rest.append((InvalidInputError, "note"))
        last = ext.stage + 1 >= len(spec.approvers)
        if ext.state != "pending":
            rest.append((ExtensionRefused, "decided"))
        else:
            role = spec.approvers[ext.stage]
            leaders = self.d.track_leaders(item.track, role)
            if actor.role != role or (leaders and actor.name not in leaders):
                rest.append((PermissionDeniedError, None))  # not this stage's approver
            if approve and last:
                if item.state in self.d.final or item.due != ext.old_due:
                    rest.append((ExtensionRefused, "changed"))
                elif item.paused_days is not None:
                    rest.append((ExtensionRefused, "paused"))
        expected = self.combine(self.actor_problems(actor), False, rest)

        def on_success(view: ExtensionView) -> None:
            state = "refused" if not approve else "approved" if last else "pending"
            ext.state, ext.stage = state, ext.stage + approve
            nxt = spec.approvers[ext.stage] if state == "pending" else None
            assert (view.id, view.state, view.stage, view.next_approver) == (ext.id, state, ext.stage, nxt), (
                view
            )
            if state != "pending":
                item.pending_extension = None
            if state == "approved":  # the due moves on the last approval only
                item.due = ext.new_due
                item.extensions_approved += 1
                self.extension_decisions.append((ext.unit, self.h.clock.now()))
            self.record(item, "decide_extension", item.state, item.state, actor, change=state == "approved")

        return Op(
            what=f"decide_extension({ext_id} of item {item.id} at stage {ext.stage}, {actor}, "
            f"approve={approve}, note={note!r}) due {item.due}, paused {item.paused_days}",
            call=lambda: self.engine.decide_extension(ext_id, actor, approve=approve, note=note),
            expected=expected,
            on_success=on_success,
            item=item,
        )

    def send_back_limit(self, item: MItem) -> dt.date:
        """The last day ``item`` may be sent back: ``within`` days counted from the day its
        交办 counts as received (after the cutoff or on a day off: the next working day)."""
        spec, cal = self.d.setup.send_back, self.d.calendar
        assert spec is not None and item.state_since is not None
        deadlines = self.d.setup.deadlines
        cutoff = deadlines.cutoff if deadlines is not None else dt.time(17, 30)
        local = item.state_since.astimezone(self.d.tz)
        day = local.date()
        if not (cal.is_workday(day) and local.time() <= cutoff):
            day = next_workday(cal, day + dt.timedelta(days=1))
        if spec.within.count == "working":
            return step_workdays(cal, day, spec.within.days)
        return next_workday(cal, day + dt.timedelta(days=spec.within.days))

    def op_send_back(self, item: MItem, actor: Actor, ev: int | None, reason: object, note: object) -> Op:
        spec = self.d.setup.send_back
        rest: list[Problem] = []
        if spec is None:
            rest.append((GuardFailedError, "send_back_allowed"))
        else:
            if not self.unit_acts(actor, item):
                rest.append((PermissionDeniedError, None))
            if item.state not in self.d.assigned_states:
                rest.append((GuardFailedError, "send_back_allowed"))  # only after 交办, before 整改
            else:
                if reason not in {r.id for r in spec.reasons}:
                    rest.append((InvalidInputError, "reason"))
                if note is not None and text_problem("note", note):
                    rest.append((InvalidInputError, "note"))
                assert item.state_since is not None
                if item.open_send_back is not None or any(
                    u == item.unit and at >= item.state_since for u, at in item.send_backs
                ):
                    rest.append((GuardFailedError, "send_back_allowed"))  # one open; one per 交办
                if self.today() > self.send_back_limit(item):
                    rest.append((GuardFailedError, "within_limit"))
        expected = self.combine(self.actor_problems(actor), ev is not None and ev != item.version, rest)

        def on_success(view: SendBackView) -> None:
            assert spec is not None
            today = self.today()
            stops = (
                spec.clock == "stops"
                and item.paused_days is None
                and item.due is not None
                and item.due >= today
            )
            if stops:
                assert item.due is not None
                item.paused_days = workdays_between(self.d.calendar, today, item.due)
            item.send_backs.append((item.unit, self.h.clock.now()))
            item.open_send_back = view.id
            self.send_backs[view.id] = MSendBack(view.id, item.id, item.unit, stops)
            self.record(item, "send_back_request", item.state, item.state, actor, change=True)
            count = len(item.send_backs)
            got = (
                view.item_id,
                view.unit,
                view.state,
                view.clock_stopped,
                view.item_send_backs,
                view.flagged,
            )
            assert got == (item.id, item.unit, "open", stops, count, count >= spec.flag_after), got

        return Op(
            what=f"send_back({item.id}, {actor}, reason={reason!r}, note={note!r}, expected_version={ev}) "
            f"in state {item.state} since {item.state_since}, due {item.due}",
            call=lambda: self.engine.send_back(
                item.id,
                actor,
                reason=reason,  # type: ignore[arg-type]
                note=note,  # type: ignore[arg-type]
                expected_version=ev,
            ),
            expected=expected,
            on_success=on_success,
            item=item,
            expected_version=ev,
        )

    def resumed_due(self, paused_days: int) -> dt.date:
        """The due of a stopped clock run again today: the working days it had left, from today
        (a deadline never falls on a day off)."""
        cal = self.d.calendar
        return next_workday(cal, step_workdays(cal, self.today(), paused_days))

    def op_rule_send_back(
        self, sb_id: int, actor: Actor, decision: str, unit: str | None, due: object, note: str | None
    ) -> Op:
        sb = self.send_backs.get(sb_id)
        spec = self.d.setup.send_back
        call = lambda: self.engine.rule_send_back(
            sb_id,
            actor,
            decision=decision,
            unit=unit,
            due=due,  # type: ignore[arg-type]
            note=note,
        )
        what = f"rule_send_back({sb_id}, {actor}, decision={decision!r}, unit={unit!r}, due={due!r}, note={note!r})"
        if sb is None or spec is None:
            return Op(what=what, call=call, expected=[(SendBackNotFound, None)], on_success=lambda _: None)
        item = self.model[sb.item_id]
        pre = self.actor_problems(actor)
        rest: list[Problem] = []
        if actor.role not in spec.ruled_by:
            rest.append((PermissionDeniedError, None))
        if sb.state != "open":
            rest.append((InvalidInputError, "send_back_id"))
        if decision not in ("reassign", "insist"):
            rest.append((InvalidInputError, "decision"))
        if note is not None and text_problem("note", note):
            rest.append((InvalidInputError, "note"))
        if decision == "insist" and (unit is not None or due is not None):
            rest.append((InvalidInputError, "unit"))
        if decision == "reassign" and unit is None:
            rest.append((InvalidInputError, "unit"))
        elif decision == "reassign" and unit not in self.d.units:
            rest.append((UnitNotFound, None))
        resumes = sb.clock_stopped and item.paused_days is not None
        plan: tuple[TransitionSpec | None, dict[str, Any], str] | None = None
        if decision == "reassign" and not pre and not rest:
            ahead = copy.deepcopy(item)  # the item as the 改派 finds it: its clock running again
            if resumes:
                assert item.paused_days is not None
                ahead.due, ahead.paused_days = self.resumed_due(item.paused_days), None
            trigger = self.d.reassign_trigger(item.state)
            if trigger is None:
                rest.append((GuardFailedError, "send_back_allowed"))
            else:
                text = note.strip() if note is not None else f"退单审定改派 (退单 {sb_id})"
                fields = {"unit": unit, "due": due, "note": text}
                spec_t, inputs, problems = self.fire_plan(ahead, trigger, actor, fields)
                rest += problems
                plan = (spec_t, inputs, trigger)
        expected = self.combine(pre, False, rest)

        def on_success(view: SendBackView) -> None:
            if resumes:  # the clock the send-back stopped runs again
                assert item.paused_days is not None
                item.due, item.paused_days = self.resumed_due(item.paused_days), None
                self.bump(item)
            if plan is not None:
                spec_t, inputs, trigger = plan
                assert spec_t is not None
                self.apply_fire(item, spec_t, inputs, actor, trigger)
            self.record(item, "send_back_ruling", item.state, item.state, actor, change=False)
            sb.state = "reassigned" if decision == "reassign" else "insisted"
            self.send_back_rulings.append((sb.state, sb.unit, self.h.clock.now()))
            sb.to_unit = unit if decision == "reassign" else None
            item.open_send_back = None
            got = (view.id, view.state, view.to_unit, view.unit)
            assert got == (sb.id, sb.state, sb.to_unit, sb.unit), got

        return Op(
            what=f"{what} of item {item.id} in state {item.state}, due {item.due}, paused {item.paused_days}",
            call=call,
            expected=expected,
            on_success=on_success,
            item=item,
        )

    # ------------------------------------------------------------------------------ running

    def snapshot(self) -> dict[str, tuple[int, list[tuple[Any, ...]]]]:
        """Every zg_* table: its row count, and its rows that belong to this example's campaign."""
        with self.engine.store.engine.connect() as conn:
            counts = conn.execute(self.counts).one()._mapping
            return {
                name: (counts[name], [tuple(r) for r in conn.execute(rows)]) for name, rows in self.queries
            }

    def run(self, op: Op) -> bool:
        """Run ``op``; check the outcome against the model; True when it succeeded."""
        before = self.snapshot() if op.expected or op.read_only else None
        try:
            result = op.call()
        except ZhenggaiError as err:
            got = (type(err), error_key(err))
            assert op.expected, (
                f"{op.what}: the engine refused it ({type(err).__name__}: {err}) but the model expected success"
            )
            assert got in op.expected, (
                f"{op.what}: the engine raised {show([got])} ({err}); the model expected one of: {show(op.expected)}"
            )
            if isinstance(err, ConflictError):
                assert op.item is not None
                assert (err.item_id, err.expected, err.actual) == (
                    op.item.id,
                    op.expected_version,
                    op.item.version,
                )
            if isinstance(err, TransitionNotAllowedError) and op.item is not None:
                allowed = [t.trigger for t in self.d.lifecycle.transitions if op.item.state in t.source]
                assert (err.item_id, err.state, list(err.allowed)) == (op.item.id, op.item.state, allowed), (
                    err
                )
            assert str(err).strip(), "an error without a message"
            self.assert_unchanged(before, op.what, err)
            return False
        assert not op.expected, (
            f"{op.what}: the engine accepted it, but the model expected a refusal: {show(op.expected)}"
        )
        op.on_success(result)
        if op.read_only:
            # A read changes nothing but the audit trail (one event, the chain's head).
            assert before is not None
            after = self.snapshot()
            for name in before:
                if name not in ("zg_event", "zg_audit_head"):
                    assert before[name] == after[name], f"{op.what} changed {name}"
            assert after["zg_event"][0] == before["zg_event"][0] + 1
        return True

    def assert_unchanged(self, before: dict[str, Any] | None, what: str, err: ZhenggaiError) -> None:
        assert before is not None
        after = self.snapshot()
        if after == before:
            return
        lines = []
        for name in before:
            if before[name] != after[name]:
                old, new = set(before[name][1]), set(after[name][1])
                lines.append(
                    f"  {name}: rows {before[name][0]} -> {after[name][0]}; "
                    f"gone {sorted(old - new, key=repr)[:3]}; new {sorted(new - old, key=repr)[:3]}"
                )
        raise AssertionError(
            f"{what} was refused ({type(err).__name__}: {err}) but changed:\n" + "\n".join(lines)
        )

    # ----------------------------------------------------------------- valid forward moves

    def forward_moves(self, item: MItem) -> list[str]:
        """Kinds of valid moves for ``item``, repeated by weight: measures where the way on
        needs them, triggers that lead deeper into the lifecycle more often than others."""
        d = self.d
        outgoing = [t for t in d.lifecycle.transitions if item.state in t.source]
        moves: list[str] = []
        open_measures = [m for m, done in item.measures.items() if not done]
        if not self.measures_closed(item):
            needs = {g for t in outgoing for g in t.guards} & {"has_measure", "all_measures_done"}
            if needs and not item.measures:
                moves += ["add_measure"] * 10
            elif "all_measures_done" in needs and open_measures:
                moves += ["complete_measure"] * 10
            moves.append("add_measure")
        for t in outgoing:
            if ("has_measure" in t.guards and not item.measures) or (
                "all_measures_done" in t.guards and (open_measures or not item.measures)
            ):
                continue  # its guard fails until the measures are there
            onward = (
                t.dest not in d.final and d.depth[t.dest] > d.depth[item.state]
            ) or "record_close" in t.effects
            moves += [t.trigger] * (5 if onward else 1)
        return moves

    def member(self, data: st.DataObject, roles: Sequence[str] | frozenset[str], item: MItem) -> Actor | None:
        """Someone in one of ``roles`` who may act on ``item`` (unit-bound roles act for its unit)."""
        usable = sorted(r for r in roles if r not in self.d.unit_bound or item.unit is not None)
        if not usable:
            return None
        role = data.draw(st.sampled_from(usable), label="role")
        if role in self.d.unit_bound:
            return Actor("李科长", role, item.unit)
        return Actor(
            data.draw(NAMES, label="name"),
            role,
            data.draw(st.sampled_from([None, *self.d.pool]), label="unit"),
        )

    def outsider(
        self, data: st.DataObject, roles: Sequence[str] | frozenset[str], item: MItem
    ) -> Actor | None:
        """Someone in one of ``roles`` outside the item's unit."""
        usable = sorted(r for r in roles if r not in self.d.unit_bound)
        if not usable:
            return None
        role = data.draw(st.sampled_from(usable), label="role")
        unit = data.draw(st.sampled_from([None] + [u for u in self.d.pool if u != item.unit]), label="unit")
        return Actor(data.draw(NAMES, label="name"), role, unit)

    def build_move(self, move: str, item: MItem, data: st.DataObject, ev: int | None) -> Op | None:
        """An operation of kind ``move`` on ``item`` with what its guards ask for, by someone
        allowed to do it; None when the model sees no way to make it valid now."""
        if move in ("add_measure", "complete_measure"):
            who = self.member(data, self.d.operations[move], item)
            if who is None:
                return None
            if move == "add_measure":
                due = data.draw(st.none() | st.builds(Due, st.integers(0, 30)), label="measure due")
                op = self.op_add_measure(item, who, ev, "建立问题台账, 逐项整改", self.resolve_due(due))
            else:
                open_measures = sorted(m for m, done in item.measures.items() if not done)
                if not open_measures:
                    return None
                op = self.op_complete_measure(item, data.draw(st.sampled_from(open_measures)), who, ev)
            return op if not op.expected else None
        spec = self.d.by_trigger_source[(move, item.state)]
        guards, taken = set(spec.guards), accepted_fields(spec)
        who = (self.outsider if "actor_outside_unit" in guards else self.member)(data, spec.roles, item)
        if who is None:
            return None
        fields: dict[str, Any] = {}
        if "unit" in taken and (
            guards & {"has_responsible_unit", "unit_changes"}
            or item.unit is None
            or data.draw(st.booleans(), label="new unit")
        ):
            choices = [u for u in self.d.pool if "unit_changes" not in guards or u != item.unit]
            fields["unit"] = data.draw(st.sampled_from(choices), label="unit")
        # Without a due date an assignment takes the definition's rectification time, if it has one.
        rule_fills = (
            "set_assignment" in spec.effects and item.due is None and self.d.setup.deadlines is not None
        )
        due_needed = not rule_fills and (
            ("has_due" in guards and item.due is None)
            or ("due_not_passed" in guards and (item.due is None or item.due < self.today()))
        )
        if "due" in taken and (due_needed or data.draw(st.booleans(), label="new due")):
            fields["due"] = self.resolve_due(data.draw(st.builds(Due, st.integers(0, 60)), label="due"))
        if "leading_official" in taken and data.draw(st.booleans(), label="with leading official"):
            fields["leading_official"] = "钱副县长"
        if "reason" in taken:
            fields["reason"] = "材料不全, 群众仍有反映"
        if "finding" in taken:
            fields["finding"] = "回头看发现问题反弹"
        if "survivor_id" in taken:
            others = sorted(
                o.id for o in self.model.values() if o.id != item.id and o.state not in self.d.final
            )
            if not others:
                return None
            fields["survivor_id"] = data.draw(st.sampled_from(others), label="survivor")
        op = self.op_fire(item, move, who, ev, fields)
        return op if not op.expected else None

    # ----------------------------------------------------------------------------- the rules

    @initialize(target=items, count=st.integers(1, 3), data=st.data())
    def first_items(self, count: int, data: st.DataObject) -> Any:
        """The campaign starts (on a generated definition in GeneratedLifecycleMachine) and its
        first items are reported (the first one with a reporter)."""
        if type(self).generated:
            setup = data.draw(definitions(), label="definition")
            self.start(Defn.of(setup))
        else:
            self.start(BUILTIN)
        d = self.d
        created = []
        for n in range(count):
            op = self.op_report(
                d.reporter,
                {
                    "title": f"项目审批久拖不决 {n + 1}",
                    "description": "企业反映审批超时",
                    "track": d.tracks[n % len(d.tracks)],
                    "channel": d.reporter_channels[n % len(d.reporter_channels)],
                    "severity": d.severities[n % len(d.severities)],
                },
                Reporter(name="张某", phone=" 13800000000 ") if n == 0 else None,
            )
            assert self.run(op)
            created += op.created
        return multiple(*created)

    @rule(
        target=items,
        title=TEXTS,
        data=st.data(),
        reporter=st.none()
        | st.builds(
            Reporter,
            name=st.none() | st.sampled_from(["张某", "  ", "名" * 101]),
            phone=st.none() | st.sampled_from(["13800000000", 13800000000]),
            note=st.none() | st.just("匿名"),
        ),
    )
    def report(self, title: str, data: st.DataObject, reporter: Reporter | None) -> Any:
        """Report an item, valid or not, by anyone."""
        d = self.d
        fields = {
            "title": title,
            "description": "问题描述",
            "track": data.draw(mostly(st.sampled_from(d.tracks), st.just("no_track"), 5), label="track"),
            "channel": data.draw(mostly(st.sampled_from(d.channels), st.just("tiktok"), 5), label="channel"),
            "severity": data.draw(
                mostly(st.sampled_from(d.severities), st.just("huge"), 5), label="severity"
            ),
        }
        actor = mostly(st.just(Who(d.reporter.name, d.reporter.role, d.reporter.unit)), who(d), 2)
        op = self.op_report(self.actor(data.draw(actor, label="who"), None), fields, reporter)
        self.run(op)
        return multiple(*op.created)

    @rule(item=items, steps=st.integers(1, 12), data=st.data())
    def advance(self, item: int, steps: int, data: st.DataObject) -> None:
        """Valid forward moves by the right people (so items get far through the lifecycle)."""
        m = self.model[item]
        for _ in range(steps):
            moves = self.forward_moves(m)
            if not moves:
                return
            move = data.draw(st.sampled_from(moves), label=f"move of item {item} in {m.state}")
            ev = data.draw(st.sampled_from([None, m.version]), label="expected_version")
            op = self.build_move(move, m, data, ev)
            if op is not None:
                assert self.run(op), f"{op.what}: a valid move was refused"

    @rule(steps=st.integers(1, 12), data=st.data())
    def push_on(self, steps: int, data: st.DataObject) -> None:
        """Valid forward moves on the open item furthest along (so sign-off and 回头看 come often)."""
        live = [m for m in self.model.values() if m.state not in self.d.final or self.forward_moves(m)]
        if live:
            item = max(live, key=lambda m: (self.d.depth[m.state], -m.id))
            self.advance(item.id, steps, data)

    @rule(item=items, version=VERSION_CHOICE, data=st.data())
    def fire_random(self, item: int, version: str, data: st.DataObject) -> None:
        """Any trigger, by anyone, with any input."""
        m = self.model[item]
        trigger = data.draw(st.sampled_from([*self.d.triggers, "approve"]), label="trigger")
        actor, ev = self.actor(data.draw(who(self.d), label="who"), m), self.version_for(version, m, data)
        fields = data.draw(field_values(self.d, self.items_strategy()), label="fields")
        self.run(self.op_fire(m, trigger, actor, ev, self.resolve_fields(fields, m)))

    def items_strategy(self) -> st.SearchStrategy[int]:
        """Items of this example (the bundle cannot be drawn from inside a rule)."""
        return st.sampled_from(sorted(self.model))

    @rule(item=items, data=st.data())
    def fire_in_state(self, item: int, data: st.DataObject) -> None:
        """A trigger the state allows, by a role allowed to fire it, with any input (exercises the
        guards and the input checks rather than the state and role checks)."""
        lifecycle = self.d.lifecycle
        m = self.prefer(
            data, item, {s for t in lifecycle.transitions for s in t.source} - {lifecycle.initial}
        )
        triggers = [t.trigger for t in lifecycle.transitions if m.state in t.source]
        if not triggers:
            return
        spec = self.d.by_trigger_source[(data.draw(st.sampled_from(triggers), label="trigger"), m.state)]
        role = data.draw(st.sampled_from(sorted(spec.roles)), label="role")
        unit: str | None = m.unit or self.d.pool[0]
        if role not in self.d.unit_bound:
            unit = data.draw(st.sampled_from([None, *self.d.pool]), label="unit")
        fields = data.draw(field_values(self.d, self.items_strategy()), label="fields")
        if not data.draw(
            mostly(st.just(False), st.just(True), 4), label="keep fields the trigger does not take"
        ):
            taken = accepted_fields(spec)
            fields = {k: v for k, v in fields.items() if k in taken}
        self.run(
            self.op_fire(m, spec.trigger, Actor("办理人", role, unit), None, self.resolve_fields(fields, m))
        )

    def by_someone(self, data: st.DataObject, spec: TransitionSpec) -> Actor:
        """Mostly someone allowed to fire ``spec``, sometimes anyone."""
        allowed = [Actor("王主任", r, self.d.pool[0]) for r in sorted(spec.roles)]
        return data.draw(
            mostly(st.sampled_from(allowed), who(self.d).map(lambda w: self.actor(w, None)), 4), label="actor"
        )

    @rule(
        item=items,
        survivor=st.one_of(items, st.sampled_from([SELF, FOREIGN, MISSING])),
        note=st.none() | TEXTS,
        data=st.data(),
    )
    def merge(self, item: int, survivor: int | str, note: str | None, data: st.DataObject) -> None:
        """A merge (a trigger with has_open_survivor) into mostly an open item of the campaign,
        else any item of the bundle (final, itself), one of another campaign or a missing one."""
        specs = self.d.with_guard("has_open_survivor", effects=["record_merge"])
        if not specs:
            return
        spec = data.draw(st.sampled_from(specs), label="merge trigger")
        m = self.prefer(data, item, set(spec.source))
        open_others = sorted(
            o.id for o in self.model.values() if o.id != m.id and o.state not in self.d.final
        )
        if open_others:
            survivor = data.draw(st.sampled_from(open_others) | st.just(survivor), label="survivor")
        fields = {"survivor_id": self.resolve_survivor(survivor, m), "note": note}
        self.run(self.op_fire(m, spec.trigger, self.by_someone(data, spec), None, fields))

    @rule(item=items, finding=mostly(TEXTS, st.none(), 3), data=st.data())
    def review(self, item: int, finding: str | None, data: st.DataObject) -> None:
        """回头看 (a trigger with has_finding or record_reopen) on an item it applies to, with a
        finding or without, with a new due date or keeping the old one (which may have passed)."""
        specs = self.d.with_guard("has_finding", effects=["record_reopen"])
        if not specs:
            return
        spec = data.draw(st.sampled_from(specs), label="review trigger")
        m = self.prefer(data, item, set(spec.source))
        fields: dict[str, Any] = {"finding": finding}
        if data.draw(st.booleans(), label="new due"):
            fields["due"] = self.resolve_due(data.draw(DUE_VALUES, label="due"))
        self.run(self.op_fire(m, spec.trigger, self.by_someone(data, spec), None, fields))

    @rule(item=items, reason=mostly(st.none() | st.sampled_from(["", "  "]), TEXTS, 3), data=st.data())
    def dismiss(self, item: int, reason: str | None, data: st.DataObject) -> None:
        """A trigger that needs a reason (dismissal, rework), mostly without a usable one."""
        specs = self.d.with_guard("has_reason", effects=["record_dismissal"])
        if not specs:
            return
        spec = data.draw(st.sampled_from(specs), label="trigger with a reason")
        m = self.prefer(data, item, set(spec.source))
        self.run(self.op_fire(m, spec.trigger, self.by_someone(data, spec), None, {"reason": reason}))

    @rule(item=items, data=st.data())
    def insider_signoff(self, item: int, data: st.DataObject) -> None:
        """Someone of the item's own unit fires a trigger that needs an outsider (验收, 销号)."""
        specs = self.d.with_guard("actor_outside_unit")
        if not specs:
            return
        spec = data.draw(st.sampled_from(specs), label="outsider trigger")
        m = self.prefer(data, item, set(spec.source))
        role = data.draw(
            st.sampled_from(sorted({*spec.roles, *self.d.unit_bound} or spec.roles)), label="role"
        )
        self.run(self.op_fire(m, spec.trigger, Actor("本单位的人", role, m.unit or self.d.pool[0]), None, {}))

    @rule(item=items, version=VERSION_CHOICE, text=TEXTS, due=st.none() | DUE_VALUES, data=st.data())
    def add_measure(self, item: int, version: str, text: str, due: object, data: st.DataObject) -> None:
        m = self.model[item]
        actor = self.actor(data.draw(who(self.d), label="who"), m)
        self.run(
            self.op_add_measure(m, actor, self.version_for(version, m, data), text, self.resolve_due(due))
        )

    @rule(item=items, version=VERSION_CHOICE, data=st.data())
    def complete_measure(self, item: int, version: str, data: st.DataObject) -> None:
        m = self.model[item]
        choices = st.sampled_from(sorted(m.measures)) if m.measures else st.just(MISSING_ID)
        measure = data.draw(mostly(choices, st.just(MISSING_ID), 8), label="measure")
        actor = self.actor(data.draw(who(self.d), label="who"), m)
        self.run(self.op_complete_measure(m, measure, actor, self.version_for(version, m, data)))

    @rule(item=items, data=st.data())
    def read_reporter(self, item: int, data: st.DataObject) -> None:
        m = self.model[item]
        custodians = [Who("保管员", r, self.d.pool[0]) for r in sorted(self.d.operations["read_reporter"])]
        self.run(
            self.op_read_reporter(
                m, self.actor(data.draw(mostly(st.sampled_from(custodians), who(self.d), 2)), m)
            )
        )

    # ---------------------------------------------------- 延期申请 and 退单 (issue 17): rules

    def requester(self, data: st.DataObject, item: MItem) -> Actor:
        """Mostly someone of the item's unit in a unit-bound role (who may ask for an extension
        or send the item back), else anyone."""
        bound = sorted(self.d.unit_bound)
        anyone = who(self.d).map(lambda w: self.actor(w, item))
        if not bound or item.unit is None:
            return data.draw(anyone, label="requester")
        unit = item.unit
        right = st.sampled_from(bound).map(lambda r: Actor("李科长", r, unit))
        return data.draw(mostly(right, anyone, 8), label="requester")

    def assigned(self, data: st.DataObject, item: MItem) -> MItem:
        """``item``, after a valid 交办 / 改派 (a transition that sets the assignment) when it is
        in no assigned state and one leads there from its state (so that 延期 and 退单 meet
        items they apply to)."""
        if item.state in self.d.assigned_states or item.state in self.d.final:
            return item
        moves = sorted(
            t.trigger
            for t in self.d.lifecycle.transitions
            if "set_assignment" in t.effects and item.state in t.source
        )
        if moves:
            op = self.build_move(data.draw(st.sampled_from(moves), label="assignment"), item, data, None)
            if op is not None:
                assert self.run(op), f"{op.what}: a valid move was refused"
        return item

    def target(self, data: st.DataObject, item: int, wanted: Callable[[MItem], bool]) -> MItem:
        """Mostly an item ``wanted`` finds if the campaign has one, else an open item after a
        valid 交办 (so that 延期 and 退单 meet items they apply to); sometimes ``item`` as it is."""
        ids = sorted(i for i, m in self.model.items() if wanted(m))
        if ids:
            return self.model[data.draw(mostly(st.sampled_from(ids), st.just(item), 8), label="item")]
        open_ = sorted(i for i, m in self.model.items() if m.state not in self.d.final)
        if not open_ or not data.draw(mostly(st.just(True), st.just(False), 8), label="assign first"):
            return self.model[item]
        return self.assigned(data, self.model[data.draw(st.sampled_from(open_), label="item to assign")])

    @precondition(lambda self: self.d.setup.extensions is not None)
    @rule(
        item=items, progress=mostly(st.none() | st.just("已完成主体整改, 待验收"), TEXTS, 8), data=st.data()
    )
    def request_extension(self, item: int, progress: str | None, data: st.DataObject) -> None:
        """延期申请 on mostly an open item not yet due (else one just assigned), by mostly its
        unit, mostly for a later working day, with a reason of the definition's list or any."""
        today = self.today()
        m = self.target(
            data,
            item,
            lambda m: (
                m.state not in self.d.final and m.due is not None and m.due > today and m.paused_days is None
            ),
        )
        new_due: object
        if m.due is not None and data.draw(mostly(st.just(True), st.just(False), 8), label="later day"):
            day = m.due + dt.timedelta(days=data.draw(st.integers(-2, 30), label="days later"))
            new_due = next_workday(self.d.calendar, day) if self.d.calendar.covers(day.year) else day
        else:
            new_due = self.resolve_due(data.draw(DUE_VALUES, label="new due"))
        spec = self.d.setup.extensions
        reasons = st.sampled_from(spec.reasons) if spec is not None and spec.reasons else TEXTS
        reason = data.draw(mostly(reasons, TEXTS, 8), label="reason")
        self.run(self.op_request_extension(m, self.requester(data, m), new_due, reason, progress))

    @precondition(lambda self: self.extensions)
    @rule(approve=mostly(st.just(True), st.just(False), 3), note=st.none() | TEXTS, data=st.data())
    def decide_extension(self, approve: bool, note: str | None, data: st.DataObject) -> None:
        """A decision on mostly a pending request by mostly its next approver (the right role,
        one of the track's 组长 when the roster names them), else by another approver or anyone."""
        pending = sorted(e.id for e in self.extensions.values() if e.state == "pending")
        every = st.sampled_from(sorted(self.extensions))
        ext_id = data.draw(
            mostly(st.sampled_from(pending) if pending else every, every | st.just(MISSING_ID), 6),
            label="request",
        )
        ext, spec = self.extensions.get(ext_id), self.d.setup.extensions
        anyone = who(self.d).map(lambda w: self.actor(w, None))
        actor = data.draw(anyone, label="approver")
        if ext is not None and spec is not None:
            role = spec.approvers[min(ext.stage, len(spec.approvers) - 1)]
            leaders = sorted(self.d.track_leaders(self.model[ext.item_id].track, role))
            right = st.builds(
                Actor,
                st.sampled_from(leaders) if leaders else NAMES,
                st.just(role),
                st.sampled_from([None, *self.d.pool]),
            )
            other = st.sampled_from(spec.approvers).map(lambda r: Actor("赵组长", r, None))
            actor = data.draw(mostly(right, other | anyone, 4), label="approver")
        self.run(self.op_decide_extension(ext_id, actor, approve, note))

    @precondition(lambda self: self.d.setup.send_back is not None)
    @rule(
        item=items,
        version=mostly(st.sampled_from(["none", "current"]), st.sampled_from(["stale", "future"]), 8),
        note=mostly(st.none() | st.just("不属于本单位职责范围"), TEXTS, 8),
        data=st.data(),
    )
    def send_back(self, item: int, version: str, note: str | None, data: st.DataObject) -> None:
        """退单 of mostly a just-assigned item by mostly its unit, with a reason code or not."""
        m = self.target(data, item, lambda m: m.state in self.d.assigned_states and m.open_send_back is None)
        spec = self.d.setup.send_back
        codes = st.sampled_from([r.id for r in spec.reasons]) if spec is not None else st.just("not_our_duty")
        reason = data.draw(mostly(codes, st.sampled_from(["no_such_reason", "", 7]), 8), label="reason")
        actor = self.requester(data, m)
        self.run(self.op_send_back(m, actor, self.version_for(version, m, data), reason, note))

    @precondition(lambda self: self.send_backs)
    @rule(note=st.none() | TEXTS, data=st.data())
    def rule_send_back(self, note: str | None, data: st.DataObject) -> None:
        """审定 of mostly an open send-back by mostly a ruling role: 改派 to mostly another unit
        of the pool, or 坚持原交办; sometimes a stray unit, due date or decision."""
        open_ = sorted(s.id for s in self.send_backs.values() if s.state == "open")
        every = st.sampled_from(sorted(self.send_backs))
        sb_id = data.draw(
            mostly(st.sampled_from(open_) if open_ else every, every | st.just(MISSING_ID), 6),
            label="send-back",
        )
        spec, sb = self.d.setup.send_back, self.send_backs.get(sb_id)
        anyone = who(self.d).map(lambda w: self.actor(w, None))
        actor = data.draw(anyone, label="ruler")
        if spec is not None:
            right = st.builds(
                Actor, NAMES, st.sampled_from(spec.ruled_by), st.sampled_from([None, *self.d.pool])
            )
            actor = data.draw(mostly(right, anyone, 5), label="ruler")
        decision = data.draw(
            mostly(st.sampled_from(["reassign", "insist"]), st.sampled_from(["reject", ""]), 10),
            label="decision",
        )
        current = self.model[sb.item_id].unit if sb is not None else None
        others = [u for u in self.d.pool if u != current]
        stray = st.sampled_from([current, "atlantis_bureau", None])
        units = (
            mostly(st.sampled_from(others), stray, 6)
            if decision == "reassign"
            else mostly(st.none(), st.sampled_from(others), 6)
        )
        unit = data.draw(units, label="unit")
        due = data.draw(mostly(st.none(), DUE_VALUES, 4), label="due")
        self.run(self.op_rule_send_back(sb_id, actor, decision, unit, self.resolve_due(due), note))

    @rule(item=items, data=st.data())
    def stale_write(self, item: int, data: st.DataObject) -> None:
        """A write based on a version of the item it has already left: ConflictError, no change."""
        m = self.model[item]
        stale = sorted(v for v in m.seen_versions if v < m.version)
        ev = data.draw(
            st.sampled_from(stale) if stale else st.integers(m.version + 1, m.version + 3),
            label="stale version",
        )
        # Any operation by a valid actor: the conflict is found before whether it could be done.
        actor = Actor(
            "王主任",
            data.draw(st.sampled_from(sorted(self.d.operations["add_measure"])), label="role"),
            m.unit or self.d.pool[0],
        )
        op = self.op_add_measure(m, actor, ev, "补充措施", None)
        moves = [x for x in self.forward_moves(m) if x not in ("add_measure", "complete_measure")]
        if moves:
            move = data.draw(st.sampled_from(sorted(set(moves))), label="operation")
            op = self.op_fire(
                m,
                move,
                Actor(
                    "王主任", min(self.d.by_trigger_source[(move, m.state)].roles), m.unit or self.d.pool[0]
                ),
                ev,
                {},
            )
        assert op.expected == [(ConflictError, None)], f"test bug: {op.what} expected {show(op.expected)}"
        assert not self.run(op)

    @rule(op=st.sampled_from(["fire", "add_measure", "complete_measure", "read_reporter"]), data=st.data())
    def unknown_item(self, op: str, data: st.DataObject) -> None:
        actor = self.actor(data.draw(who(self.d), label="who"), None)
        expected: list[Problem] = [
            (MeasureNotFound if op == "complete_measure" else ItemNotFound, None),
            *self.actor_problems(actor),
        ]
        trigger = self.d.triggers[0]
        calls: dict[str, Callable[[], Any]] = {
            "fire": lambda: self.engine.fire(MISSING_ID, trigger, actor),
            "add_measure": lambda: self.engine.add_measure(MISSING_ID, actor, text="措施"),
            "complete_measure": lambda: self.engine.complete_measure(MISSING_ID, actor),
            "read_reporter": lambda: self.engine.read_reporter(MISSING_ID, actor),
        }
        self.run(
            Op(
                what=f"{op} on item/measure {MISSING_ID} by {actor}",
                call=calls[op],
                expected=expected,
                on_success=lambda _: None,
            )
        )

    @rule(hours=st.integers(1, 24 * 20))
    def advance_clock(self, hours: int) -> None:
        self.h.clock.current.advance(dt.timedelta(hours=hours))

    # ------------------------------------------------------------------------- invariants

    @invariant()
    def engine_agrees_with_model(self) -> None:
        """Known states only; each item as the model expects; versions grow by one per change."""
        ledger = self.engine.ledger(self.key)
        assert sorted(row.item.id for row in ledger) == sorted(self.model)
        for row in ledger:
            view, item = row.item, self.model[row.item.id]
            assert view.state in self.d.states, f"item {view.id} is in unknown state {view.state!r}"
            grew = view.version - item.checked_version
            assert grew == item.changes_since_check, (
                f"item {view.id}: version went {item.checked_version} -> {view.version} "
                f"over {item.changes_since_check} successful change(s)"
            )
            item.checked_version, item.changes_since_check = view.version, 0
            self.check_view(view, item, "database")
            assert {ms.id: ms.done_at is not None for ms in row.measures} == item.measures, (
                f"item {view.id}: measures {[(ms.id, ms.done_at) for ms in row.measures]} vs model {item.measures}"
            )

    @invariant()
    def audit_trail(self) -> None:
        """One event per successful operation, exactly one per state change; the chain verifies."""
        events = self.engine.events(campaign=self.key)
        by_item: dict[int | None, list[tuple[Any, ...]]] = {}
        for e in events:
            by_item.setdefault(e.item_id, []).append(
                (e.trigger, e.from_state, e.to_state, e.actor, e.role, e.unit)
            )
        assert [t[0] for t in by_item.pop(None, [])] == ["start_campaign", *self.campaign_log]
        for item_id, item in self.model.items():
            got = by_item.pop(item_id, [])
            assert got == item.log, (
                f"item {item_id}: audit events (trigger, from, to, actor, role, unit)\n  engine: {got}\n  model:  {item.log}"
            )
        assert not by_item, f"audit events of items the campaign does not have: {by_item}"
        assert len(events) == self.campaign_events, (
            f"{len(events)} audit events, the model expects {self.campaign_events}"
        )
        assert [e.seq for e in events] == list(range(1, len(events) + 1)), "audit seq is not 1, 2, 3, ..."
        report = self.engine.verify_audit(self.key)
        assert report.ok, report.problems
        assert report.events == len(events)
        # The same from raw SQL: state changes per item.
        ev = next(t for t in self.h.tables if t.name == "zg_event")
        with self.engine.store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(ev.c.item_id, sa.func.count())
                .where(
                    ev.c.campaign_id == self.camp.id,
                    ev.c.from_state.is_not(None),
                    ev.c.from_state != ev.c.to_state,
                )
                .group_by(ev.c.item_id)
            ).all()
        changes = Counter({item_id: count for item_id, count in rows})
        for item_id, item in self.model.items():
            assert changes[item_id] == item.state_changes, (
                f"item {item_id}: {changes[item_id]} state-change events, {item.state_changes} state changes"
            )

    @invariant()
    def closed_by_outsider(self) -> None:
        """Signed-off items (销号: a transition recording it) were signed off by someone outside
        the responsible unit, when every sign-off of the definition needs an outsider."""
        if not self.d.close_guarded:
            return
        closing = {t.trigger for t in self.d.lifecycle.transitions if "record_close" in t.effects}
        for item in self.model.values():
            if item.closed_by is None:
                continue
            close = [e for e in item.log if e[0] in closing][-1]
            assert close[5] is None or close[5] != item.unit, (
                f"item {item.id} closed by its own unit: {close}"
            )
            assert close[4] in self.d.by_trigger[close[0]].roles and close[3] == item.closed_by
        # The same from the item rows themselves: closed_by_unit is never the responsible unit.
        tables = {t.name: t for t in self.h.tables}
        it, unit = tables["zg_item"], tables["zg_unit"]
        with self.engine.store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(it.c.id, it.c.closed_by_unit, unit.c.key)
                .join(unit, unit.c.id == it.c.responsible_unit_id, isouter=True)
                .where(it.c.campaign_id == self.camp.id, it.c.closed_at.is_not(None))
            ).all()
        assert sorted(r.id for r in rows) == sorted(
            i for i, m in self.model.items() if m.closed_by is not None
        )
        for row in rows:
            # (A lifecycle may let an item reach sign-off without a unit: then anyone is outside it.)
            assert row.key is None or row.closed_by_unit != row.key, f"item {row.id} closed by its own unit"
            if BUILTIN.setup == self.d.setup:
                assert row.key is not None, f"item {row.id} signed off without a responsible unit"

    @invariant()
    def extensions_and_send_backs(self) -> None:
        """The engine's 延期申请 and 退单 as the model expects them: each request's state, stage
        and dates; each send-back's unit, ruling, stopped clock, count and flag."""
        if self.extensions:
            got = [
                (e.id, e.item_id, e.unit, e.old_due, e.new_due, e.state, e.stage)
                for e in self.engine.extensions(self.key)
            ]
            want = [
                (e.id, e.item_id, e.unit, e.old_due, e.new_due, e.state, e.stage)
                for _, e in sorted(self.extensions.items())
            ]
            assert got == want, f"extensions (engine, model):\n  {got}\n  {want}"
        spec = self.d.setup.send_back
        if self.send_backs and spec is not None:
            got_sb = [
                (v.id, v.item_id, v.unit, v.state, v.to_unit, v.clock_stopped, v.item_send_backs, v.flagged)
                for v in self.engine.send_backs(self.key)
            ]
            want_sb = []
            for _, s in sorted(self.send_backs.items()):
                count = len(self.model[s.item_id].send_backs)
                want_sb.append(
                    (
                        s.id,
                        s.item_id,
                        s.unit,
                        s.state,
                        s.to_unit,
                        s.clock_stopped,
                        count,
                        count >= spec.flag_after,
                    )
                )
            assert got_sb == want_sb, f"send-backs (engine, model):\n  {got_sb}\n  {want_sb}"


class GeneratedLifecycleMachine(LifecycleMachine):
    """The same rules and invariants on a definition drawn for each example (random units,
    roles, tracks, lifecycles with extra states and side transitions)."""

    generated = True


# ------------------------------------------------------------------------------- the test


@pytest.fixture
def harness(db_url: str, tmp_path: Path) -> Iterator[Harness]:
    clock = _ExampleClock()
    keys, files = ReporterKeys.generate(), tmp_path / "attachments"
    with Engine(db_url, clock=clock, reporter_keys=keys, attachments=files) as engine:
        yield Harness(engine, clock)


MACHINES: dict[str, tuple[type[LifecycleMachine], int, int]] = {
    # machine, examples on SQLite, examples on PostgreSQL
    "builtin": (LifecycleMachine, SQLITE_EXAMPLES, POSTGRES_EXAMPLES),
    "generated": (GeneratedLifecycleMachine, GENERATED_SQLITE_EXAMPLES, GENERATED_POSTGRES_EXAMPLES),
}


@pytest.mark.storage
@pytest.mark.parametrize("kind", list(MACHINES))
def test_lifecycle_state_machine(harness: Harness, db_url: str, kind: str) -> None:
    """Random valid and invalid operations, stale writes included, keep every invariant: on the
    built-in county plan, and on a generated definition per example."""
    machine, on_sqlite, on_postgres = MACHINES[kind]
    examples = SOAK or (on_postgres if db_url.startswith("postgresql") else on_sqlite)
    LifecycleMachine.harness = harness
    check_coverage = kind == "builtin" and examples >= SQLITE_EXAMPLES
    try:
        # A random run may not walk the longest path (seen: 已提交 never reached in 200 examples
        # of 25 steps). Coverage is judged on what the runs reached together: up to two more
        # runs of fresh random examples when a state was missed, every one checking every
        # invariant, so a miss that is luck passes and an unreachable state still fails.
        for _run in range(3 if check_coverage else 1):
            run_state_machine_as_test(
                machine,
                settings=settings(
                    max_examples=examples,
                    stateful_step_count=STEPS,
                    deadline=None,
                    derandomize=False,
                    print_blob=True,
                    # One minimal failing sequence at a time: shrinking each distinct assertion
                    # of a broken engine separately can take many minutes.
                    report_multiple_bugs=False,
                    # Every step is several database round trips; that is the point, not a slow
                    # strategy.
                    suppress_health_check=[HealthCheck.too_slow],
                ),
            )
            if not check_coverage or not _missing(harness):
                break
    finally:
        LifecycleMachine.harness = None
    # The run went somewhere: items got through their lifecycles, not only refusals. (Judged on
    # the long runs only: hypothesis starts with its smallest examples, so a run of 25 may hold
    # few long ones; on SQLite about two in three examples reach a final state.)
    assert harness.examples >= examples // 2
    if examples >= 100:
        # A generated lifecycle is often long or guarded: an eighth of its examples suffices.
        assert harness.finished >= harness.examples // (4 if kind == "builtin" else 8), (
            f"only {harness.finished} of {harness.examples} examples took an item to a final state"
        )
    if check_coverage:
        # Every state is reached, over the runs above.
        assert not _missing(harness), harness.reached


def _missing(harness: Harness) -> set[str]:
    """The built-in plan's states no example has reached yet."""
    return set(BUILTIN.states - {BUILTIN.lifecycle.initial} - set(harness.reached))
