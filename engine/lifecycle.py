"""Lifecycles: the fixed vocabularies of guards and effects, their checks, and the one shared
``transitions`` Machine per lifecycle.

A lifecycle spec names guards and effects; this module is the explicit registry they are
looked up in (no dispatch by naming convention). :func:`check_lifecycle` collects every problem
of a spec before anything runs. :class:`CompiledLifecycle` wraps ONE ``transitions.Machine``
built with ``model=None`` and shared by every item of every campaign using that lifecycle;
items are never added to it as models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from transitions import EventData, Machine
from zhenggai.workflows.schema import LifecycleSpec, TransitionSpec

__all__ = [
    "EFFECTS",
    "GUARDS",
    "OPERATIONS",
    "TIMER_GUARDS",
    "CompiledLifecycle",
    "EffectDef",
    "GuardDef",
    "TransitionContext",
    "check_lifecycle",
    "split_problem",
]


@dataclass(slots=True)
class TransitionContext:
    """What guards and effects see: the item before, the actor, the operation's input and
    whatever the engine loaded for the guards that need it."""

    item: Mapping[str, Any]
    actor_name: str
    actor_unit_id: int | None
    actor_unit_key: str | None
    now: dt.datetime
    data: Mapping[str, Any]
    #: Today in the campaign's timezone (due dates are dates there).
    today: dt.date | None = None
    measure_count: int = 0
    open_measure_count: int = 0
    survivor: Mapping[str, Any] | None = None
    #: 协办: the names of the co-units whose parts are still open (guard ``co_parts_done``).
    open_parts: tuple[str, ...] = ()
    final_states: frozenset[str] = frozenset()
    failed_guard: str | None = None
    failed_reason: str = ""
    changes: dict[str, Any] = field(default_factory=dict)

    def value(self, column: str) -> Any:
        """The item's value after the changes this operation proposes."""
        if column in self.changes:
            return self.changes[column]
        if column == "responsible_unit_id" and self.data.get("unit_id") is not None:
            return self.data["unit_id"]
        if column == "due" and self.data.get("due") is not None:
            return self.data["due"]
        return self.item.get(column)


GuardCheck = Callable[[TransitionContext], str | None]
EffectApply = Callable[[TransitionContext], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class GuardDef:
    """A guard: ``check`` returns None when satisfied, else a Chinese explanation."""

    name: str
    label: str
    check: GuardCheck
    accepts: frozenset[str] = frozenset()
    needs: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class EffectDef:
    """An effect: the columns a transition writes besides ``state``."""

    name: str
    label: str
    apply: EffectApply
    accepts: frozenset[str] = frozenset()
    required: frozenset[str] = frozenset()


def _has_unit(ctx: TransitionContext) -> str | None:
    return None if ctx.value("responsible_unit_id") is not None else "未指定责任单位"


def _has_due(ctx: TransitionContext) -> str | None:
    return None if ctx.value("due") is not None else "未指定整改时限"


def _has_measure(ctx: TransitionContext) -> str | None:
    return None if ctx.measure_count > 0 else "尚无整改措施"


def _all_measures_done(ctx: TransitionContext) -> str | None:
    if ctx.measure_count == 0:
        return "尚无整改措施"
    if ctx.open_measure_count:
        return f"还有 {ctx.open_measure_count} 项整改措施未完成"
    return None


def _actor_outside_unit(ctx: TransitionContext) -> str | None:
    unit = ctx.item.get("responsible_unit_id")
    if unit is not None and ctx.actor_unit_id == unit:
        return "须由责任单位以外的人员办理"
    return None


def _has_text(name: str, missing: str) -> GuardCheck:
    def check(ctx: TransitionContext) -> str | None:
        value = ctx.data.get(name)
        return None if isinstance(value, str) and value.strip() else missing

    return check


def _has_open_survivor(ctx: TransitionContext) -> str | None:
    survivor = ctx.survivor
    if survivor is None:
        return "未指定保留的问题"
    if survivor["id"] == ctx.item["id"]:
        return "不能合并到自身"
    if survivor["campaign_id"] != ctx.item["campaign_id"]:
        return "保留的问题不属于同一专项行动"
    if survivor["state"] in ctx.final_states:
        return f"保留的问题 {survivor['id']} 已办结 ({survivor['state']})"
    return None


def _due_not_passed(ctx: TransitionContext) -> str | None:
    due = ctx.value("due")
    if due is None:
        return "未指定整改时限"
    if ctx.today is not None and due < ctx.today:
        return f"整改时限 {due.isoformat()} 已过, 须重新确定整改时限"
    return None


def _unit_changes(ctx: TransitionContext) -> str | None:
    new = ctx.data.get("unit_id")
    if new is None:
        return "未指定新的责任单位"
    if new == ctx.item.get("responsible_unit_id"):
        return "新的责任单位与原单位相同"
    return None


def _preliminary_check_done(ctx: TransitionContext) -> str | None:
    if ctx.item.get("transfer_unit_id") is not None and ctx.item.get("transfer_checked_at") is None:
        return "移送问题须先由移送单位初核, 再交办"
    return None


def _co_parts_done(ctx: TransitionContext) -> str | None:
    if ctx.open_parts:
        return f"协办单位{'、'.join(ctx.open_parts)}的分工尚未完成 (或经办公室免除), 不能提请验收"
    return None


GUARDS: Mapping[str, GuardDef] = {
    g.name: g
    for g in (
        GuardDef("has_responsible_unit", "已指定责任单位", _has_unit, frozenset({"unit"})),
        GuardDef("has_due", "已指定整改时限", _has_due, frozenset({"due"})),
        GuardDef("has_measure", "至少有一项整改措施", _has_measure, needs=frozenset({"measures"})),
        GuardDef("all_measures_done", "整改措施全部完成", _all_measures_done, needs=frozenset({"measures"})),
        GuardDef("actor_outside_unit", "办理人不属于责任单位", _actor_outside_unit),
        GuardDef(
            "has_finding",
            "有回头看发现的问题",
            _has_text("finding", "未填写回头看发现"),
            frozenset({"finding"}),
        ),
        GuardDef("has_reason", "有理由", _has_text("reason", "未填写理由"), frozenset({"reason"})),
        GuardDef(
            "has_open_survivor",
            "合并到一个未办结的问题",
            _has_open_survivor,
            frozenset({"survivor_id"}),
            frozenset({"survivor"}),
        ),
        GuardDef("unit_changes", "责任单位发生变化", _unit_changes, frozenset({"unit"})),
        GuardDef("due_not_passed", "整改时限未过", _due_not_passed, frozenset({"due"})),
        GuardDef("preliminary_check_done", "移送问题已初核", _preliminary_check_done),
        GuardDef("co_parts_done", "协办分工均已完成或免除", _co_parts_done, needs=frozenset({"parts"})),
    )
}


def _set_assignment(ctx: TransitionContext) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if ctx.data.get("unit_id") is not None:
        changes["responsible_unit_id"] = ctx.data["unit_id"]
    if ctx.data.get("due") is not None:
        changes["due"] = ctx.data["due"]
    if ctx.data.get("leading_official") is not None:
        changes["leading_official"] = ctx.data["leading_official"]
    return changes


def _record_verification(ctx: TransitionContext) -> dict[str, Any]:
    return {"verified_at": ctx.now}


def _clear_verification(ctx: TransitionContext) -> dict[str, Any]:
    return {"verified_at": None}


def _record_close(ctx: TransitionContext) -> dict[str, Any]:
    return {"closed_at": ctx.now, "closed_by": ctx.actor_name, "closed_by_unit": ctx.actor_unit_key}


def _record_reopen(ctx: TransitionContext) -> dict[str, Any]:
    new_due = {"due": ctx.data["due"]} if ctx.data.get("due") is not None else {}
    return {
        **new_due,
        "reopen_count": int(ctx.item.get("reopen_count") or 0) + 1,
        "last_finding": str(ctx.data["finding"]).strip(),
        "closed_at": None,
        "closed_by": None,
        "closed_by_unit": None,
        "verified_at": None,
    }


def _record_dismissal(ctx: TransitionContext) -> dict[str, Any]:
    return {"dismiss_reason": str(ctx.data["reason"]).strip()}


def _record_merge(ctx: TransitionContext) -> dict[str, Any]:
    return {"merged_into_id": ctx.data["survivor_id"]}


EFFECTS: Mapping[str, EffectDef] = {
    e.name: e
    for e in (
        EffectDef(
            "set_assignment",
            "写入责任单位、整改时限、领衔领导",
            _set_assignment,
            frozenset({"unit", "due", "leading_official"}),
        ),
        EffectDef("record_verification", "记录验收时间", _record_verification),
        EffectDef("clear_verification", "清除验收记录", _clear_verification, frozenset({"reason"})),
        EffectDef("record_close", "记录销号人和销号时间", _record_close),
        EffectDef(
            "record_reopen",
            "记录回头看发现, 重新整改 (可定新的整改时限)",
            _record_reopen,
            frozenset({"finding", "due"}),
            frozenset({"finding"}),
        ),
        EffectDef(
            "record_dismissal",
            "记录撤销理由",
            _record_dismissal,
            frozenset({"reason"}),
            frozenset({"reason"}),
        ),
        EffectDef(
            "record_merge",
            "记录合并去向",
            _record_merge,
            frozenset({"survivor_id"}),
            frozenset({"survivor_id"}),
        ),
    )
}

#: Operations outside the state machine; the lifecycle's ``operations`` names who may do them.
OPERATIONS: Mapping[str, str] = {
    "report": "登记问题",
    "add_measure": "添加整改措施",
    "complete_measure": "完成整改措施",
    "read_reporter": "查阅举报人信息",
    "migrate_campaign": "专项行动改用新版本实施方案",
    "pause_clock": "暂停计时",
    "resume_clock": "恢复计时",
    "recompute_deadlines": "重算整改时限",
    "mark_case": "标记典型案例",
    "resolve_duplicate": "关联研判 (疑似重复问题的合并或区分)",
    "record_outcome": "记录办理结果",
    "read_named_people": "查阅被问责人员信息",
    "publish_case": "通报曝光典型案例",
    "register_mechanism": "登记长效机制",
    "submit_practice": "报送典型做法和创新案例",
    "select_practice": "遴选典型做法和创新案例",
    "manage_contacts": "维护通讯录",
    "record_education": "登记警示教育",
    "record_commitment": "登记和认定践诺承诺",
    "preliminary_check": "初核移送的问题",
    "lead": "确定领衔领导",
    "report_research": "报告领衔调研完成",
}

#: Operations a definition may leave out (added after definitions were first written): then
#: nobody may do them in its campaigns.
OPTIONAL_OPERATIONS = frozenset(
    {
        "pause_clock",
        "resume_clock",
        "recompute_deadlines",
        "mark_case",
        "resolve_duplicate",
        "record_outcome",
        "read_named_people",
        "publish_case",
        "register_mechanism",
        "submit_practice",
        "select_practice",
        "manage_contacts",
        "record_education",
        "record_commitment",
        "preliminary_check",
        "lead",
        "report_research",
    }
)

#: Message recipients a transition may name besides contact roles.
UNIT_RECIPIENTS = frozenset({"responsible_unit", "previous_unit"})

#: Guards a timed transition may have: they hold or fail on the item as it is, with no one's
#: input (the others want a reason, a finding, a new unit or a survivor).
TIMER_GUARDS = frozenset(
    {
        "has_responsible_unit",
        "has_due",
        "has_measure",
        "all_measures_done",
        "actor_outside_unit",
        "due_not_passed",
        "preliminary_check_done",
        "co_parts_done",
    }
)

#: Input fields every transition accepts (free remark kept in the audit trail).
COMMON_FIELDS = frozenset({"note"})


def check_lifecycle(
    spec: LifecycleSpec, roles: Mapping[str, object], operations: Mapping[str, list[str]]
) -> list[str]:
    """Every problem of ``spec`` as ``path: message`` lines (empty when it can run).

    ``path`` points at the offending element (``lifecycle.transitions[3].roles[1]``), so a
    loader can turn it into a file line (see :func:`split_problem`).
    """
    states = {s.id for s in spec.states}
    problems = _state_problems(spec, states)
    seen: set[tuple[str, str]] = set()
    for i, t in enumerate(spec.transitions):
        problems += _transition_problems(f"lifecycle.transitions[{i}]", t, spec, states, roles, seen)
    problems += _operation_problems(roles, operations)
    problems += _measure_state_problems(spec, states)
    problems += _reachability_problems(spec, states)
    return problems


def _state_problems(spec: LifecycleSpec, states: set[str]) -> list[str]:
    """State ids unique; the initial state known and not final."""
    problems: list[str] = []
    state_ids = [s.id for s in spec.states]
    for i, sid in enumerate(state_ids):
        if sid in state_ids[:i]:
            problems.append(f"lifecycle.states[{i}].id: 状态 {sid} 重复定义")
    if spec.initial not in states:
        problems.append(f"lifecycle.initial: 未知状态 {spec.initial}")
    if spec.initial in spec.final_states:
        problems.append(f"lifecycle.initial: 初始状态 {spec.initial} 不能是终止状态")
    return problems


def _transition_problems(
    path: str,
    t: TransitionSpec,
    spec: LifecycleSpec,
    states: set[str],
    roles: Mapping[str, object],
    seen: set[tuple[str, str]],
) -> list[str]:
    """One transition: its states, roles, guards, effects and recipients known, no (trigger,
    source) pair defined twice (``seen`` holds the pairs of the transitions before it), and
    a timed one runnable by the system alone."""
    problems: list[str] = []
    for k, src in enumerate(t.source):
        if src not in states:
            problems.append(f"{path}.source[{k}]: 触发 {t.trigger}: 未知状态 {src}")
        if (t.trigger, src) in seen:
            problems.append(f"{path}.source[{k}]: 触发 {t.trigger} 在状态 {src} 下重复定义")
        seen.add((t.trigger, src))
    if t.dest not in states:
        problems.append(f"{path}.dest: 触发 {t.trigger}: 未知状态 {t.dest}")
    for k, role in enumerate(t.roles):
        if role not in roles:
            problems.append(f"{path}.roles[{k}]: 触发 {t.trigger}: 未知角色 {role}")
    for k, guard in enumerate(t.guards):
        if guard not in GUARDS:
            problems.append(
                f"{path}.guards[{k}]: 触发 {t.trigger}: 未知条件 {guard} (可用: {', '.join(GUARDS)})"
            )
    for k, effect in enumerate(t.effects):
        if effect not in EFFECTS:
            problems.append(
                f"{path}.effects[{k}]: 触发 {t.trigger}: 未知效果 {effect} (可用: {', '.join(EFFECTS)})"
            )
    if t.after is not None:
        problems += _timer_problems(path, t, spec)
    for k, n in enumerate(t.notify):
        if n.to not in UNIT_RECIPIENTS and n.to not in roles:
            problems.append(f"{path}.notify[{k}].to: 触发 {t.trigger}: 未知接收方 {n.to}")
    return problems


def _timer_problems(path: str, t: TransitionSpec, spec: LifecycleSpec) -> list[str]:
    """A timed transition: no guard or effect that wants someone's input, no final source."""
    problems: list[str] = []
    for k, guard in enumerate(t.guards):
        if guard in GUARDS and guard not in TIMER_GUARDS:
            problems.append(
                f"{path}.guards[{k}]: 定时触发 {t.trigger} 由系统自动执行, 条件 {guard} "
                "需要人工填写, 不能用于定时触发"
            )
    for k, effect in enumerate(t.effects):
        if effect in EFFECTS and EFFECTS[effect].required:
            problems.append(
                f"{path}.effects[{k}]: 定时触发 {t.trigger} 由系统自动执行, 效果 {effect} "
                "需要人工填写, 不能用于定时触发"
            )
    for k, src in enumerate(t.source):
        if src in spec.final_states:
            problems.append(f"{path}.source[{k}]: 定时触发 {t.trigger} 不能从终止状态 {src} 自动执行")
    return problems


def _operation_problems(roles: Mapping[str, object], operations: Mapping[str, list[str]]) -> list[str]:
    """Every required operation granted, to known roles, and no unknown operation."""
    problems: list[str] = []
    for op in OPERATIONS:
        if op not in operations and op not in OPTIONAL_OPERATIONS:
            problems.append(f"lifecycle.operations.{op}: 未指定可执行 {OPERATIONS[op]} 的角色")
    for op, op_roles in operations.items():
        if op not in OPERATIONS:
            problems.append(f"lifecycle.operations.{op}: 未知操作 {op} (可用: {', '.join(OPERATIONS)})")
        for k, role in enumerate(op_roles):
            if role not in roles:
                problems.append(f"lifecycle.operations.{op}[{k}]: 操作 {op}: 未知角色 {role}")
    return problems


def _measure_state_problems(spec: LifecycleSpec, states: set[str]) -> list[str]:
    """The states in which measures are worked on: known, none final."""
    problems: list[str] = []
    for k, state in enumerate(spec.measure_states):
        if state not in states:
            problems.append(f"lifecycle.measure_states[{k}]: 未知状态 {state}")
        elif state in spec.final_states:
            problems.append(f"lifecycle.measure_states[{k}]: 终止状态 {state} 不能再办理整改措施")
    return problems


def split_problem(problem: str) -> tuple[list[str | int], str]:
    """``"a.b[3].c: message"`` → ``(["a", "b", 3, "c"], "message")``, for locating a problem."""
    path_text, _, message = problem.partition(": ")
    path: list[str | int] = []
    for part in path_text.split("."):
        name, *indices = part.replace("]", "").split("[")
        if name:
            path.append(name)
        path.extend(int(i) for i in indices if i.isdigit())
    return path, message


def _reachability_problems(spec: LifecycleSpec, states: set[str]) -> list[str]:
    """Every state reachable from the initial one, and a final state reachable from each."""
    edges: dict[str, set[str]] = {s: set() for s in states}
    for t in spec.transitions:
        for src in t.source:
            if src in edges and t.dest in states:
                edges[src].add(t.dest)
    index = {s.id: i for i, s in reversed(list(enumerate(spec.states)))}
    problems: list[str] = []
    if spec.initial in states:
        reached = {spec.initial}
        todo = [spec.initial]
        while todo:
            for nxt in edges[todo.pop()]:
                if nxt not in reached:
                    reached.add(nxt)
                    todo.append(nxt)
        for s in sorted(states - reached, key=index.__getitem__):
            problems.append(f"lifecycle.states[{index[s]}]: 状态 {s} 从初始状态不可达")
    if not spec.final_states:
        problems.append("lifecycle.states: 没有终止状态 (final)")
        return problems
    can_finish = set(spec.final_states)
    changed = True
    while changed:
        changed = False
        for s in states - can_finish:
            if edges[s] & can_finish:
                can_finish.add(s)
                changed = True
    for s in sorted(states - can_finish, key=index.__getitem__):
        problems.append(f"lifecycle.states[{index[s]}]: 从状态 {s} 无法到达任何终止状态")
    return problems


class _Subject:
    """The stand-in the shared Machine moves: just a ``state``. Never a table row."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


class CompiledLifecycle:
    """A checked lifecycle and its ONE shared ``transitions.Machine``."""

    def __init__(self, spec: LifecycleSpec) -> None:
        self.spec = spec
        self.final_states = spec.final_states
        self.labels = {s.id: s.label for s in spec.states}
        #: Chinese names of states, triggers, guards and operations, for messages.
        self.names = {
            **{g.name: g.label for g in GUARDS.values()},
            **OPERATIONS,
            **{t.trigger: t.label for t in spec.transitions},
            **self.labels,
        }
        #: What each trigger's guards need loaded (measure counts, the merge survivor).
        self.needs: dict[str, frozenset[str]] = {
            t.trigger: frozenset().union(*(GUARDS[g].needs for g in t.guards)) for t in spec.transitions
        }
        self.by_trigger = {t.trigger: t for t in spec.transitions}
        self.by_trigger_source = {(t.trigger, s): t for t in spec.transitions for s in t.source}
        #: Timed transitions (``after``) by source state, in definition order.
        self.timed: dict[str, list[TransitionSpec]] = {}
        for t in spec.transitions:
            if t.after is not None:
                for src in t.source:
                    self.timed.setdefault(src, []).append(t)
        self.machine = Machine(
            model=None,
            states=[s.id for s in spec.states],
            initial=spec.initial,
            transitions=[
                {
                    "trigger": t.trigger,
                    "source": list(t.source),
                    "dest": t.dest,
                    "conditions": [_condition(GUARDS[g]) for g in t.guards],
                }
                for t in spec.transitions
            ],
            auto_transitions=False,
            send_event=True,
            model_attribute="state",
            ignore_invalid_triggers=False,
        )

    def allowed_triggers(self, state: str) -> list[str]:
        return [t.trigger for t in self.spec.transitions if state in t.source]

    def fire(self, trigger: str, state: str, ctx: TransitionContext) -> str | None:
        """Run the guards through the shared Machine. Returns the new state, or None when a
        guard refused (its name and reason are then in ``ctx``)."""
        subject = _Subject(state)
        if not self.machine.events[trigger].trigger(subject, ctx=ctx):
            return None
        return subject.state


def _condition(guard: GuardDef) -> Callable[[EventData], bool]:
    def condition(event: EventData) -> bool:
        ctx: TransitionContext = event.kwargs["ctx"]
        reason = guard.check(ctx)
        if reason is None:
            return True
        if ctx.failed_guard is None:
            ctx.failed_guard = guard.name
            ctx.failed_reason = reason
        return False

    condition.__name__ = f"guard_{guard.name}"
    return condition
