"""The stateful lifecycle test's rules and model for 主办/协办, 领导批示, 回访, 佐证材料 and 考核
(issue 17, point 8): a mixin :class:`SupervisionRules` that ``tests/test_stateful.py``'s machine
inherits, with the model parts it keeps (:class:`MPart`, :class:`MInstruction`,
:class:`MCallback`, :class:`MAttachment`) and the shared :class:`Op` / :data:`Problem`.

The model predicts, on the built-in and the generated definitions (a rule is skipped when the
definition lacks the block):

- 协办: ``add_co_unit`` by a role of ``co_handling.decided_by`` only, in a working state (after
  交办, or one submitted for verification from), not for the lead unit, one open part per
  co-unit, its due given, else ``part_due``, else the item's; ``complete_part`` by the co-unit's
  own unit-bound actor only; ``waive_part`` by ``waived_by`` with a note; each bumps the item's
  version with one event. The guard ``co_parts_done`` fails while a part is open (the lead's
  submit is refused).
- 领导批示: ``record_instruction`` by ``instructions.recorded_by`` only, the leader a roster holder
  of ``instructions.leaders`` (any name when the roster names none), the day not after today;
  one event, the version unchanged. A report on ``instructions.channel`` without one is refused.
- 回访: a task exactly when an item with a reporter is closed (a transition with
  ``record_close``; campaign events ``callback_requested`` / ``record_callback``); recorded by
  ``callbacks.role`` only, once; 不满意 needs a note and fires ``callbacks.trigger`` from the
  item's state (``reopen``, its guards as any firing's) or queues a 回头看 task (``follow_up``).
- 佐证材料: a small PDF / PNG on a measure by the item's unit is kept (refused when the definition
  does not take the type, or the measure has ``max_per_subject`` files), by another unit or
  renamed from an executable refused; one event, the version unchanged.
- 考核: at teardown, each unit's ``Engine.scores`` of every month so far: the total is base +
  Σ count × points, and the counts the model knows (approved extensions, insisted send-backs,
  不满意 callbacks, on-time 销号; no 挂牌督办 or 问责 without a sweep; the overdue days recounted
  from the items as they stand) are those.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule
from zhenggai.engine import (
    Actor,
    AttachmentRefused,
    CallbackNotFound,
    DefinitionError,
    GuardFailedError,
    InvalidInputError,
    LeaderInstruction,
    MeasureNotFound,
    PartNotFound,
    PermissionDeniedError,
    UnitNotFound,
    ZhenggaiError,
)
from zhenggai.engine.deadlines import add_days, next_workday, rectification_due
from zhenggai.testing import DEFAULT_START

if TYPE_CHECKING:
    from zhenggai.workflows.schema import TransitionSpec

Problem = tuple[type[ZhenggaiError], str | None]

TEXT_LIMITS = {
    "title": 200,
    "description": 5000,
    "text": 2000,
    "finding": 2000,
    "reason": 2000,
    "note": 2000,
    "leading_official": 100,
    "actor": 100,
}


def text_problem(name: str, value: object) -> Problem | None:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > TEXT_LIMITS.get(name, 2000):
        return (InvalidInputError, name)
    return None


@dataclass
class Op:
    """One engine call, what the model expects of it, and how to update the model on success."""

    what: str
    call: Callable[[], Any]
    expected: list[Problem]
    on_success: Callable[[Any], None]
    item: Any = None
    expected_version: int | None = None
    read_only: bool = False
    #: Ids of the items a successful report created.
    created: list[int] = field(default_factory=list)


@dataclass
class MPart:
    id: int
    item_id: int
    unit: str
    due: dt.date
    state: str = "open"
    done_at: dt.datetime | None = None


@dataclass
class MInstruction:
    id: int
    item_id: int
    leader: str
    given_on: dt.date
    text: str


@dataclass
class MCallback:
    id: int
    item_id: int
    unit: str | None
    role: str
    due: dt.date
    state: str = "open"
    result: str | None = None
    late: bool = False
    done_at: dt.datetime | None = None


@dataclass
class MAttachment:
    id: int
    item_id: int
    measure_id: int
    unit: str | None
    kind: str


# ------------------------------------------------------------------------------- files


def pdf_bytes(text: str = "整改") -> bytes:
    body = f"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj % {text}".encode()
    return b"%PDF-1.4\n" + body + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"


#: A 1×1 PNG (the signature, IHDR, IDAT, IEND).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8ffff3f0005fe02fea7d6a4c80000000049454e44ae426082"
)
#: An executable renamed to look like a report: refused by its content.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
FILES: dict[str, tuple[str | None, bytes]] = {
    "整改报告.pdf": ("pdf", pdf_bytes()),
    "现场照片.png": ("png", PNG),
    "整改材料.pdf": (None, EXE),
}
CALLBACK_ANSWERS = {"satisfied": "satisfied", "满意": "satisfied", "基本满意": "basically_satisfied"}
CALLBACK_ANSWERS |= {"不满意": "unsatisfied", "unsatisfied": "unsatisfied"}
BAD_TEXTS = st.sampled_from(["", "   ", "字" * 2001])


def _often(common: st.SearchStrategy[Any], rare: st.SearchStrategy[Any], one_in: int = 6) -> Any:
    return st.integers(0, one_in - 1).flatmap(lambda i: rare if i == one_in - 1 else common)


class SupervisionRules:
    """Rules and invariants of 协办, 领导批示, 回访, 佐证材料 and 考核 for the lifecycle machine
    (whose model helpers — ``run``, ``combine``, ``actor_problems``, ``record``, ``bump``,
    ``target``, ``fire_plan`` … — they use)."""

    def init_supervision(self) -> None:
        self.parts: dict[int, MPart] = {}
        self.instructions_m: dict[int, MInstruction] = {}
        self.callbacks_m: dict[int, MCallback] = {}
        self.attached: dict[int, MAttachment] = {}
        #: Campaign events (no item) after start_campaign, by trigger, in order.
        self.campaign_log: list[str] = []
        #: When each item was closed (销号), while it is.
        self.closed_at: dict[int, dt.datetime] = {}
        #: Items with an open 回头看 task queued by a 不满意 callback (and the day queued).
        self.reviews: dict[int, dt.date] = {}
        #: (unit, when) of every approved 延期 and every 退单 ruled 坚持原交办 (考核 counts them).
        self.extension_decisions: list[tuple[str | None, dt.datetime]] = []
        self.send_back_rulings: list[tuple[str, str | None, dt.datetime]] = []

    # --------------------------------------------------------------------- hooks of the model

    def open_parts(self, item_id: int) -> list[MPart]:
        return [p for p in self.parts.values() if p.item_id == item_id and p.state == "open"]

    def after_fire(self: Any, item: Any, spec: TransitionSpec) -> None:
        """What a successful firing does besides the item: 销号 opens a callback task."""
        if "record_reopen" in spec.effects:
            self.closed_at.pop(item.id, None)
        if "record_close" not in spec.effects:
            return
        self.closed_at[item.id] = self.h.clock.now()
        cb = self.d.setup.callbacks
        if cb is None or not item.has_reporter:
            return
        due = add_days(self.d.calendar, self.today(), cb.within.days, cb.within.count)
        # The task's id is the engine's (the firing has committed): the item's newest task.
        found = [
            v.id for v in self.engine.callbacks(self.key, item_id=item.id) if v.id not in self.callbacks_m
        ]
        assert len(found) == 1, f"item {item.id} closed: new callback tasks {found}, the model expects one"
        self.callbacks_m[found[0]] = MCallback(found[0], item.id, item.unit, cb.role, due)
        self.campaign_log.append("callback_requested")
        self.campaign_events += 1

    def report_instruction(self: Any, channel: object) -> LeaderInstruction | None:
        """The instruction a report on the 领导批示交办 channel carries (else none)."""
        spec = self.d.setup.instructions
        if spec is None or spec.channel != channel:
            return None
        leader = min(self.leader_holders(), default="钱副县长")
        return LeaderInstruction(leader, self.today(), "请县纪委监委牵头督办")

    def after_report(self: Any, item: Any, actor: Actor, instruction: LeaderInstruction | None) -> None:
        """A report's instruction is recorded with it (its id the engine's)."""
        if instruction is None:
            return
        (view,) = self.engine.instructions(item_id=item.id)
        self.instructions_m[view.id] = MInstruction(
            view.id, item.id, str(instruction.leader), self.today(), instruction.text
        )
        item.log.append(("record_instruction", item.state, item.state, actor.name, actor.role, actor.unit))
        self.campaign_events += 1

    # ----------------------------------------------------------------------------- helpers

    def anyone(self: Any, data: st.DataObject, item: Any, label: str) -> Actor:
        d = self.d
        return Actor(
            data.draw(_often(st.sampled_from(["王主任", "李科长"]), st.sampled_from(["", "名" * 101]), 12)),
            data.draw(_often(st.sampled_from(d.roles), st.just("mayor"), 10), label=f"{label} role"),
            data.draw(
                _often(st.sampled_from([None, item.unit, *d.pool]), st.just("atlantis_bureau"), 12),
                label=f"{label} unit",
            ),
        )

    def office_actor(self: Any, data: st.DataObject, roles: list[str], item: Any, label: str) -> Actor:
        """Mostly someone in ``roles`` (of the item's unit when unit-bound), else anyone."""
        role = data.draw(st.sampled_from(sorted(roles)), label=f"{label} role")
        unit = item.unit or self.d.pool[0] if role in self.d.unit_bound else None
        right = Actor("办公室王主任", role, unit)
        return data.draw(_often(st.just(right), st.just(self.anyone(data, item, label)), 4), label=label)

    def reach(
        self: Any, data: st.DataObject, wanted: Callable[[Any], bool], steps: int = 8, reporter: bool = False
    ) -> Any:
        """Mostly an item ``wanted`` finds; else an open item (one with a reporter first) moved
        on by valid forward moves, those into a state ``wanted`` would like first, until it is
        (so that the rules meet items they apply to); None when there is no open item."""
        found = sorted(i for i, m in self.model.items() if wanted(m))
        if found and data.draw(_often(st.just(True), st.just(False), 8), label="a wanted item"):
            return self.model[data.draw(st.sampled_from(found), label="item")]
        # (an item awaiting its 初核 moves nowhere here; for a 回访, an item with a reporter)
        live = [
            m
            for m in self.model.values()
            if m.state not in self.d.final and not m.transfer_pending and (m.has_reporter or not reporter)
        ]
        if not live:
            return self.model[data.draw(st.sampled_from(sorted(self.model)), label="item")]
        m = data.draw(st.sampled_from(sorted(live, key=lambda m: m.id)), label="item to move on")
        for _ in range(steps):
            if wanted(m):
                break
            moves = self.forward_moves(m)
            closer = [
                x
                for x in moves
                if x not in ("add_measure", "complete_measure")
                and self.d.by_trigger_source[(x, m.state)].dest in self.d.states
                and wanted(_ahead(m, self.d.by_trigger_source[(x, m.state)].dest))
            ]
            if not moves:
                break
            op = self.build_move(data.draw(st.sampled_from(closer or moves), label="move"), m, data, None)
            if op is not None:
                assert self.run(op), f"{op.what}: a valid move was refused"
        return m

    def rule_due(self: Any, item: Any) -> dt.date:
        """The definition's rectification time for the item's track and severity, from now."""
        return rectification_due(
            self.d.calendar,
            self.d.setup.deadlines,
            track=item.track,
            severity=item.severity,
            assigned_at=self.h.clock.now(),
            tz=self.d.tz,
        )

    def working_day(self: Any, days: int) -> dt.date:
        """``days`` from today, moved on to a working day (a past day as it is)."""
        day = self.today() + dt.timedelta(days=days)
        if days >= 0 and self.d.calendar.covers(day.year):
            day = next_workday(self.d.calendar, day)
        return day

    # ------------------------------------------------------------------------ 主办/协办

    def op_add_co_unit(self: Any, item: Any, actor: Actor, unit: str, part: object, due: object) -> Op:
        spec = self.d.setup.co_handling
        assert spec is not None
        rest: list[Problem] = []
        if actor.role not in spec.decided_by:
            rest.append((PermissionDeniedError, None))
        working = self.d.assigned_states | {
            s for t in self.d.lifecycle.transitions if "co_parts_done" in t.guards for s in t.source
        }
        if item.state not in working:
            rest.append((GuardFailedError, "co_handling"))
        if unit not in self.d.units:
            rest.append((UnitNotFound, None))
        elif unit == item.unit or any(p.unit == unit for p in self.open_parts(item.id)):
            rest.append((InvalidInputError, "unit"))
        if text_problem("part", part):
            rest.append((InvalidInputError, "part"))
        part_due: dt.date | None = None
        if due is not None:
            part_due, problem = self.due_problem(due)
            if problem:
                rest.append(problem)
        elif spec.part_due is not None:
            part_due = add_days(self.d.calendar, self.today(), spec.part_due.days, spec.part_due.count)
        elif item.due is not None:
            part_due = item.due
        else:
            rest.append((InvalidInputError, "due"))
        expected = self.combine(self.actor_problems(actor), False, rest)

        def on_success(view: Any) -> None:
            assert part_due is not None
            got = (view.item_id, view.unit, view.due, view.state, view.lead_unit)
            assert got == (item.id, unit, part_due, "open", item.unit), got
            self.parts[view.id] = MPart(view.id, item.id, unit, part_due)
            self.record(item, "add_co_unit", item.state, item.state, actor, change=True)

        return Op(
            what=f"add_co_unit({item.id}, {actor}, unit={unit!r}, part={part!r}, due={due!r}) in state "
            f"{item.state}, lead {item.unit}, due {item.due}",
            call=lambda: self.engine.add_co_unit(item.id, actor, unit=unit, part=part, due=due),
            expected=expected,
            on_success=on_success,
            item=item,
        )

    def op_settle_part(self: Any, part_id: int, actor: Actor, waive: bool, note: object) -> Op:
        part, spec = self.parts.get(part_id), self.d.setup.co_handling
        name = "waive_part" if waive else "complete_part"

        def call() -> Any:
            if waive:
                return self.engine.waive_part(part_id, actor, note=note)
            return self.engine.complete_part(part_id, actor, note=note)

        what = f"{name}({part_id}, {actor}, note={note!r})"
        if part is None or spec is None:
            return Op(what, call, [(PartNotFound, None)], lambda _: None)
        item = self.model[part.item_id]
        rest: list[Problem] = []
        if waive and actor.role not in spec.waived_by:
            rest.append((PermissionDeniedError, None))
        if not waive and (actor.role not in self.d.unit_bound or actor.unit != part.unit):
            rest.append((PermissionDeniedError, None))  # the co-unit's own actor only
        if part.state != "open":
            rest.append((InvalidInputError, "part_id"))
        if (note is not None or waive) and text_problem("note", note):
            rest.append((InvalidInputError, "note"))
        expected = self.combine(self.actor_problems(actor), False, rest)

        def on_success(view: Any) -> None:
            part.state = "waived" if waive else "done"
            part.done_at = None if waive else view.done_at
            assert (view.id, view.state, view.unit) == (part.id, part.state, part.unit), view
            self.record(item, name, item.state, item.state, actor, change=True)

        return Op(
            what=f"{what} of item {item.id}, part {part}",
            call=call,
            expected=expected,
            on_success=on_success,
            item=item,
        )

    @precondition(lambda self: self.d.setup.co_handling is not None)
    @rule(data=st.data())
    def add_co_unit(self: Any, data: st.DataObject) -> None:
        """协办: mostly an assigned item, by mostly the office, of mostly another unit of the pool."""
        spec = self.d.setup.co_handling
        working = self.d.assigned_states | {
            s for t in self.d.lifecycle.transitions if "co_parts_done" in t.guards for s in t.source
        }
        m = self.reach(data, lambda m: m.state in working)
        actor = self.office_actor(data, spec.decided_by, m, "decider")
        taken = {m.unit, *(p.unit for p in self.open_parts(m.id))}
        others = [u for u in self.d.pool if u not in taken] or [u for u in self.d.pool if u != m.unit]
        unit = data.draw(
            _often(st.sampled_from(others), st.sampled_from([m.unit or "court", "atlantis_bureau"]), 6),
            label="co-unit",
        )
        part = data.draw(_often(st.just("配合做好整改, 提供相关材料"), BAD_TEXTS, 10), label="part")
        days = data.draw(_often(st.none(), st.integers(-2, 30), 4), label="part due in days")
        due = None if days is None else self.working_day(days)
        self.run(self.op_add_co_unit(m, actor, unit, part, due))

    @precondition(lambda self: self.parts)
    @rule(waive=_often(st.just(False), st.just(True), 3), data=st.data())
    def settle_part(self: Any, waive: bool, data: st.DataObject) -> None:
        """A co-unit reports its part done (mostly its own actor), or the office waives it."""
        spec = self.d.setup.co_handling
        open_ = sorted(p.id for p in self.parts.values() if p.state == "open")
        every = st.sampled_from(sorted(self.parts))
        part_id = data.draw(
            _often(st.sampled_from(open_) if open_ else every, every | st.just(10**9), 6), label="part"
        )
        part = self.parts.get(part_id)
        item = self.model[part.item_id] if part is not None else next(iter(self.model.values()))
        if waive:
            actor = self.office_actor(data, spec.waived_by, item, "waiver")
            note: object = data.draw(_often(st.just("协办单位职责已调整"), BAD_TEXTS | st.none(), 8))
        else:
            bound = sorted(self.d.unit_bound)
            unit = part.unit if part is not None else self.d.pool[0]
            right = [Actor("协办李科长", r, unit) for r in bound]
            lead = [Actor("主办李科长", r, item.unit) for r in bound if item.unit is not None]
            if right:
                choices = _often(st.sampled_from(right), st.sampled_from(lead or right), 5)
                actor = data.draw(choices, label="co-unit")
            else:
                actor = self.anyone(data, item, "co-unit")
            if data.draw(st.integers(0, 7), label="anyone") == 0:
                actor = self.anyone(data, item, "co-unit")
            note = data.draw(st.none() | st.just("已按分工完成"), label="note")
        self.run(self.op_settle_part(part_id, actor, waive, note))

    @precondition(lambda self: any(p.state == "open" for p in self.parts.values()))
    @rule(data=st.data())
    def submit_with_open_part(self: Any, data: st.DataObject) -> None:
        """The lead fires a transition guarded by ``co_parts_done`` while a part is open (refused,
        or by an earlier guard)."""
        items = sorted({p.item_id for p in self.parts.values() if p.state == "open"})
        m = self.model[data.draw(st.sampled_from(items), label="item with an open part")]
        guarded = [
            t for t in self.d.lifecycle.transitions if "co_parts_done" in t.guards and m.state in t.source
        ]
        if not guarded:
            return
        spec = data.draw(st.sampled_from(guarded), label="submit")
        actor = self.member(data, spec.roles, m)
        if actor is not None:
            op = self.op_fire(m, spec.trigger, actor, None, {})
            assert op.expected, f"{op.what}: the model lets the lead submit with an open part"
            self.run(op)

    # ------------------------------------------------------------------------ 领导批示

    def leader_holders(self: Any) -> set[str]:
        spec = self.d.setup.instructions
        assert spec is not None
        return {c.name for u in self.d.setup.units for c in u.contacts if c.role in spec.leaders}

    @precondition(lambda self: self.d.setup.instructions is not None)
    @rule(data=st.data())
    def record_instruction(self: Any, data: st.DataObject) -> None:
        """A 领导批示 on any item by mostly a recording role, of mostly a known leader, given mostly
        on a day not after today."""
        spec = self.d.setup.instructions
        m = self.model[data.draw(st.sampled_from(sorted(self.model)), label="item")]
        actor = self.office_actor(data, spec.recorded_by, m, "recorder")
        holders = sorted(self.leader_holders())
        leader = data.draw(
            _often(st.sampled_from(holders or ["钱副县长"]), st.sampled_from(["无名氏", "", "长" * 2001]), 6),
            label="leader",
        )
        days = data.draw(_often(st.integers(0, 30), st.integers(-3, -1), 6), label="days ago")
        day_given = self.today() - dt.timedelta(days=days)
        given = data.draw(
            _often(st.sampled_from([day_given, day_given.isoformat()]), st.sampled_from(["昨天", 7]), 10),
            label="given on",
        )
        text = data.draw(_often(st.just("要求限期整改到位, 举一反三"), BAD_TEXTS, 8), label="text")
        rest: list[Problem] = []
        if actor.role not in spec.recorded_by:
            rest.append((PermissionDeniedError, None))
        day: dt.date | None = None
        if isinstance(given, dt.date) or (isinstance(given, str) and given[:1].isdigit()):
            day = given if isinstance(given, dt.date) else dt.date.fromisoformat(given)
        if day is None or day > self.today():
            rest.append((InvalidInputError, "given_on"))
        if text_problem("instruction", text):
            rest.append((InvalidInputError, "instruction"))
        if text_problem("leader", leader) or (holders and leader not in holders):
            rest.append((InvalidInputError, "leader"))
        expected = self.combine(self.actor_problems(actor), False, rest)

        def on_success(view: Any) -> None:
            assert day is not None
            got = (view.item_id, view.leader, view.given_on, view.text, view.recorded_by)
            assert got == (m.id, leader.strip(), day, text.strip(), actor.name), got
            self.instructions_m[view.id] = MInstruction(view.id, m.id, leader.strip(), day, text.strip())
            self.record(m, "record_instruction", m.state, m.state, actor, change=False)

        self.run(
            Op(
                what=f"record_instruction({m.id}, {actor}, leader={leader!r}, given_on={given!r}, text={text!r})",
                call=lambda: self.engine.record_instruction(
                    m.id, actor, leader=leader, given_on=given, text=text
                ),
                expected=expected,
                on_success=on_success,
                item=m,
            )
        )

    # ------------------------------------------------------------------------------ 回访

    def reopen_plan(
        self: Any, item: Any, cb_id: int, actor: Actor
    ) -> tuple[TransitionSpec | None, dict[str, Any], list[Problem]]:
        """What 不满意's reopening does: ``callbacks.trigger`` from the item's state, if any, with
        the callback's words as its finding (or reason, or note), a due by the definition's rule
        when the item's own has passed; the problems its guards and inputs see."""
        spec = self.d.setup.callbacks
        t = self.d.by_trigger_source.get((spec.trigger, item.state))
        if t is None:
            return None, {}, []
        names = set(t.guards) | set(t.effects)
        key = "finding" if "has_finding" in names else "reason" if "has_reason" in names else "note"
        data: dict[str, Any] = {key: f"举报人回访不满意 (回访任务 {cb_id})"}
        if (item.due is None or item.due < self.today()) and self.d.setup.deadlines is not None:
            data["due"] = self.rule_due(item)
        inputs, problems = self.inputs(t, data)
        if not problems:
            failed = [g for g in t.guards if self.guard_fails(g, item, actor, inputs)]
            if failed:
                problems.append((GuardFailedError, failed[0]))
            elif item.paused_days is not None and self.moves_due(t, item, inputs):
                problems.append((GuardFailedError, "clock_running"))
        return t, inputs, problems

    @precondition(lambda self: self.d.setup.callbacks is not None)
    @rule(data=st.data())
    def record_callback(self: Any, data: st.DataObject) -> None:
        """A 回访 of mostly an open task by mostly the custodian: 满意 / 基本满意 / 不满意 (with a note
        or not), sometimes an answer that is none of them. Without a task yet: an item with a
        reporter moved on towards 销号 first."""
        spec = self.d.setup.callbacks
        if not any(c.state == "open" for c in self.callbacks_m.values()):
            closed = {t.dest for t in self.d.lifecycle.transitions if "record_close" in t.effects}
            self.reach(data, lambda m: m.state in closed and m.has_reporter, steps=20, reporter=True)
        if not self.callbacks_m:
            return
        open_ = sorted(c.id for c in self.callbacks_m.values() if c.state == "open")
        every = st.sampled_from(sorted(self.callbacks_m))
        cb_id = data.draw(_often(st.sampled_from(open_) if open_ else every, every | st.just(10**9), 6))
        cb = self.callbacks_m.get(cb_id)
        item = self.model[cb.item_id] if cb is not None else next(iter(self.model.values()))
        actor = self.office_actor(data, [spec.role], item, "custodian")
        answer = data.draw(_often(st.sampled_from(sorted(CALLBACK_ANSWERS)), st.just("很好"), 10))
        note = data.draw(_often(st.none() | st.just("群众表示问题仍未解决"), BAD_TEXTS, 8), label="note")
        code = CALLBACK_ANSWERS.get(answer)
        rest: list[Problem] = []
        if code is None:
            rest.append((InvalidInputError, "result"))
        if (note is not None and text_problem("note", note)) or (note is None and code == "unsatisfied"):
            rest.append((InvalidInputError, "note"))
        if cb is None:
            rest.append((CallbackNotFound, None))
            expected = rest + self.actor_problems(actor)
        else:
            pre = self.actor_problems(actor)
            if actor.role != cb.role:
                rest.append((PermissionDeniedError, None))
            if cb.state != "open":
                rest.append((InvalidInputError, "callback_id"))
            plan: tuple[Any, dict[str, Any], list[Problem]] = (None, {}, [])
            if code == "unsatisfied" and spec.unsatisfied == "reopen" and not pre and not rest:
                plan = self.reopen_plan(item, cb.id, actor)
                rest += plan[2]
            if code == "unsatisfied" and spec.unsatisfied == "follow_up" and self.d.setup.follow_up is None:
                rest.append((DefinitionError, None))
            expected = self.combine(pre, False, rest)

        def on_success(view: Any) -> None:
            assert cb is not None and code is not None
            now = self.h.clock.now()
            cb.state, cb.result, cb.done_at, cb.late = "done", code, now, self.today() > cb.due
            assert (view.id, view.state, view.result, view.late) == (cb.id, "done", code, cb.late), view
            if code == "unsatisfied" and spec.unsatisfied == "reopen" and plan[0] is not None:
                self.apply_fire(item, plan[0], plan[1], actor, plan[0].trigger)
            elif code == "unsatisfied" and spec.unsatisfied == "follow_up":
                queued = self.reviews.get(item.id)
                if queued is None:
                    self.reviews[item.id] = self.today()
            self.campaign_log.append("record_callback")
            self.campaign_events += 1

        self.run(
            Op(
                what=f"record_callback({cb_id}, {actor}, result={answer!r}, note={note!r}) of "
                f"{cb}, item in {item.state}, due {item.due}",
                call=lambda: self.engine.record_callback(cb_id, actor, result=answer, note=note),
                expected=expected,
                on_success=on_success,
                item=item,
            )
        )

    # ------------------------------------------------------------------------- 佐证材料

    @precondition(lambda self: self.d.setup.attachments is not None)
    @rule(data=st.data())
    def attach_evidence(self: Any, data: st.DataObject) -> None:
        """A file on a measure: mostly a PDF or PNG by the item's unit, else by another unit or
        an executable renamed ``.pdf``."""
        spec = self.d.setup.attachments
        m = self.reach(data, lambda m: bool(m.measures) or not self.measures_closed(m))
        if not m.measures and not self.measures_closed(m):
            op = self.build_move("add_measure", m, data, None)
            if op is not None:
                assert self.run(op), f"{op.what}: a valid move was refused"
        measure_id = data.draw(st.sampled_from(sorted(m.measures)), label="measure") if m.measures else 10**9
        bound = sorted(self.d.unit_bound)
        if bound and m.unit is not None:
            role = data.draw(st.sampled_from(bound), label="role")
            other = [u for u in self.d.pool if u != m.unit]
            unit = data.draw(_often(st.just(m.unit), st.sampled_from(other), 5), label="unit")
            actor = Actor("李科长", role, unit)
        else:
            actor = self.anyone(data, m, "uploader")
        name = data.draw(_often(st.sampled_from(list(FILES)[:2]), st.just(list(FILES)[2]), 6), label="file")
        kind, raw = FILES[name]
        rest: list[Problem] = []
        if measure_id == 10**9:
            expected = [(MeasureNotFound, None)]
        else:
            if not (actor.role in self.d.unit_bound and m.unit is not None and actor.unit == m.unit):
                rest.append((PermissionDeniedError, None))
            full = sum(a.measure_id == measure_id for a in self.attached.values()) >= spec.max_per_subject
            if kind is None or kind not in spec.types or len(raw) > spec.max_bytes or full:
                rest.append((AttachmentRefused, None))
            expected = self.combine(self.actor_problems(actor), False, rest)

        def on_success(view: Any) -> None:
            got = (view.item_id, view.subject_kind, view.subject_id, view.unit, view.kind, view.file_name)
            assert got == (m.id, "measure", measure_id, m.unit, kind, name), got
            self.attached[view.id] = MAttachment(view.id, m.id, measure_id, m.unit, str(kind))
            self.record(m, "attach_file", m.state, m.state, actor, change=False)

        self.run(
            Op(
                what=f"attach(measure {measure_id} of item {m.id}, {name}, {actor}), unit {m.unit}",
                call=lambda: self.engine.attach("measure", measure_id, raw, name, actor),
                expected=expected,
                on_success=on_success,
                item=m,
            )
        )

    # ------------------------------------------------------------------------ invariants

    @invariant()
    def supervision_agrees(self: Any) -> None:
        """The engine's parts, instructions, callback tasks and attachments as the model has them."""
        setup = self.d.setup
        if setup.co_handling is not None and self.parts:
            got = [(p.id, p.item_id, p.unit, p.due, p.state) for p in self.engine.parts(self.key)]
            want = [(p.id, p.item_id, p.unit, p.due, p.state) for _, p in sorted(self.parts.items())]
            assert got == want, f"parts (engine, model):\n  {got}\n  {want}"
        if setup.instructions is not None and self.instructions_m:
            got_i = [
                (i.id, i.item_id, i.leader, i.given_on, i.text) for i in self.engine.instructions(self.key)
            ]
            want_i = [
                (i.id, i.item_id, i.leader, i.given_on, i.text)
                for _, i in sorted(self.instructions_m.items())
            ]
            assert got_i == want_i, f"instructions (engine, model):\n  {got_i}\n  {want_i}"
        if setup.callbacks is not None and self.callbacks_m:  # (a closing firing asks for them)
            got_c = [
                (c.id, c.item_id, c.unit, c.role, c.due, c.state, c.result, c.late)
                for c in self.engine.callbacks(self.key)
            ]
            want_c = [
                (c.id, c.item_id, c.unit, c.role, c.due, c.state, c.result, c.late)
                for _, c in sorted(self.callbacks_m.items())
            ]
            assert got_c == want_c, f"callback tasks (engine, model):\n  {got_c}\n  {want_c}"
        if setup.attachments is not None and self.attached:
            office = Actor("核查员", next(r for r in self.d.roles if r not in self.d.unit_bound))
            for item_id in sorted({a.item_id for a in self.attached.values()}):
                got_a = [(a.id, a.subject_id, a.kind) for a in self.engine.attachments(item_id, office)]
                want_a = [
                    (a.id, a.measure_id, a.kind)
                    for _, a in sorted(self.attached.items())
                    if a.item_id == item_id
                ]
                assert got_a == want_a, f"item {item_id} attachments (engine, model):\n  {got_a}\n  {want_a}"

    def check_scores(self: Any) -> None:
        """考核 of every month so far: base + Σ count × points, the counts as the model has them."""
        spec = self.d.setup.scoring
        if spec is None or not hasattr(self, "camp"):
            return
        # The month the example started and the last two (as cheap as it gets: a month is a
        # query per working day).
        today, first = self.today(), DEFAULT_START.astimezone(self.d.tz).date()
        back = today.replace(day=1) - dt.timedelta(days=1)
        months = sorted({(d.year, d.month) for d in (first, back, today) if d >= first})
        views = (
            {r.item.id: r.item for r in self.engine.ledger(self.key)} if "overdue_day" in spec.terms else {}
        )
        for year, month in months:
            label = f"{year:04d}-{month:02d}"
            want = self.month_counts(label, views)
            for score in self.engine.scores(self.key, label):
                counts = {t.term: t.count for t in score.terms}
                # each term within its cap either way (扣完为止), the month not below the floor
                capped = {t: counts[t] * p for t, p in spec.terms.items()}
                capped = {
                    t: max(-spec.caps[t], min(spec.caps[t], v)) if t in spec.caps else v
                    for t, v in capped.items()
                }
                total = spec.base + sum(capped.values())
                total = total if spec.floor is None else max(spec.floor, total)
                assert abs(score.total - round(total, 2)) < 1e-6, (label, score)
                mine = {t: want[t].get(score.unit, 0) for t in spec.terms}
                assert counts == mine, f"{label} {score.unit}: scores (engine, model)\n  {counts}\n  {mine}"

    def month_counts(self: Any, month: str, views: dict[int, Any]) -> dict[str, dict[str, int]]:
        tz = self.d.tz
        in_month = lambda at: at is not None and at.astimezone(tz).strftime("%Y-%m") == month
        counts: dict[str, dict[str, int]] = {t: {} for t in self.d.setup.scoring.terms}

        def add(term: str, unit: str | None, n: int = 1) -> None:
            if term in counts and unit is not None and n:
                counts[term][unit] = counts[term].get(unit, 0) + n

        for e in self.extension_decisions:
            if in_month(e[1]):
                add("extension", e[0])
        for ruling, unit, at in self.send_back_rulings:
            if ruling == "insisted" and in_month(at):
                add("send_back_ruled_against", unit)
        for c in self.callbacks_m.values():
            if c.result == "unsatisfied" and in_month(c.done_at):
                add("unsatisfied", c.unit)
        for item_id, at in self.closed_at.items():
            item = self.model[item_id]
            if in_month(at) and item.due is not None and at.astimezone(tz).date() <= item.due:
                add("closed_on_time", item.unit)
        for unit in self.late_parts(month):
            add("part_late", unit)
        if "overdue_day" in counts:
            for item in self.model.values():
                add("overdue_day", item.unit, self.overdue_days(views[item.id], month))
        return counts

    def late_parts(self: Any, month: str) -> list[str]:
        """The co-units of 协办 parts due in ``month`` before today not done by their due date
        (done late or still open; waived ones aside), one entry per part."""
        today, tz = self.today(), self.d.tz
        return [
            part.unit
            for part in self.parts.values()
            if part.state != "waived"
            and part.due.strftime("%Y-%m") == month
            and part.due < today
            and (part.done_at is None or part.done_at.astimezone(tz).date() > part.due)
        ]

    def overdue_days(self: Any, view: Any, month: str) -> int:
        """Working days of ``month`` up to today on which the item (as it stands) was overdue."""
        if view.unit is None or view.due is None:
            return 0
        year, number = (int(x) for x in month.split("-"))
        day, n = dt.date(year, number, 1), 0
        ladder = self.d.setup.deadlines.ladder if self.d.setup.deadlines is not None else None
        clocked = next((lad.states for lad in self.d.setup.ladders if lad.id == ladder), None)
        while day.month == number and day <= self.today():
            end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=self.d.tz)
            closed_later = view.closed_at is not None and view.closed_at >= end
            counted = closed_later or (
                view.state not in self.d.final and (clocked is None or view.state in clocked)
            )
            cal = self.d.calendar
            workday = cal.is_workday(day) if cal.covers(day.year) else day.weekday() < 5
            if (
                workday
                and view.due < day
                and (view.closed_at is None or view.closed_at >= end)
                and (view.paused_at is None or view.paused_at >= end)
                and counted
            ):
                n += 1
            day += dt.timedelta(days=1)
        return n


def _ahead(item: Any, state: str) -> Any:
    """``item`` as it would be in ``state`` (to ask whether a move leads where a rule wants)."""
    ahead = copy.copy(item)
    ahead.state = state
    return ahead
