"""The simulated units' registers of their own (issue 16): 警示教育 sessions held with the
campaign's typical cases as material, and 践诺 commitments made at the start of the 整改 phase
and kept or broken by their due day as each unit's habit says."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from zhenggai.engine import Actor, Engine

from ._simulate_cast import KEY, _Item

__all__ = ["REGISTER_ACTS", "plan_registers"]

#: What the units promise (践诺): the promise, and the days it is due after being made.
PROMISES = (
    ("承诺涉企审批事项承诺时限再压缩三分之一", 30),
    ("承诺群众反映问题 5 个工作日内答复", 20),
    ("承诺公开办事指南, 一次性告知办理要件", 15),
    ("承诺对历史遗留问题逐件建立台账, 限期销号", 45),
)
EDUCATION_TOPICS = ("以案促改警示教育大会", "典型案例警示教育专题学习", "观看警示教育片并交流研讨")


def _unit_actor(sim: Any, unit: str, operation: str) -> Actor | None:
    """A person of ``unit`` (a unit-bound role the definition lets do ``operation``), else the
    office's; None when nobody may."""
    roles = sim.setup.lifecycle.operations.get(operation) or []
    if not roles:
        return None
    bound = [r for r in roles if any(x.id == r and x.unit_bound for x in sim.setup.roles)]
    actor: Actor = sim._actor(None, _Item(0, unit, ""), role=bound[0] if bound else roles[0])
    return actor


def _phase_start(sim: Any, index: int, share: int) -> dt.date:
    first: dt.date = sim.first
    if len(sim.setup.phases) > index:
        start: dt.date = sim.setup.phases[index].start
        return max(start, first)
    last: dt.date = sim.last
    return first + dt.timedelta(days=((last - first).days * share) // 4)


def plan_registers(sim: Any) -> None:
    """Every second unit holds a 警示教育 session in the 整改 phase (the second phase, or the
    second quarter); every third makes a public commitment at that phase's start."""
    start = _phase_start(sim, 1, 1)
    if sim._operation("record_education") is not None:
        for n, unit in enumerate(sim.units[::2]):
            day = sim._workday(start, 10 + 2 * (n // 5))
            sim._plan(sim._at(day, dt.time(15, n % 5 * 10)), "education", unit, n)
    if sim._operation("record_commitment") is not None:
        for n, unit in enumerate(sim.units[1::3]):
            sim._plan(sim._at(sim._workday(start, n // 6), dt.time(11, n % 6 * 5)), "commitment", unit, n)


def _do_education(sim: Any, engine: Engine, unit: str, n: int) -> None:
    actor = _unit_actor(sim, unit, "record_education")
    if actor is None:
        return
    cases = [c.id for c in engine.cases(KEY)][-2:]
    tracks = [t.id for t in sim.setup.tracks if unit in t.units]
    engine.record_education(
        KEY,
        actor,
        unit=unit,
        held_on=sim._today(),
        title=f"{sim.unit_names[unit]}{EDUCATION_TOPICS[n % len(EDUCATION_TOPICS)]}",
        attendees=20 + sim.rng.randrange(80),
        cases="本县通报曝光的典型案例" if cases else "上级通报的典型案例",
        case_items=cases,
        track=tracks[0] if tracks else None,
    )


def _do_commitment(sim: Any, engine: Engine, unit: str, n: int) -> None:
    actor = _unit_actor(sim, unit, "record_commitment")
    if actor is None:
        return
    text, days = PROMISES[n % len(PROMISES)]
    due = sim._workday(sim._today(), days)
    view = engine.add_commitment(KEY, actor, unit=unit, text=text, due=due)
    habit = sim.habit[unit]
    if habit == "very_late":
        return  # left open: overdue by the end
    late = habit == "late"
    day = sim._workday(due, 3 if late else -2)
    if day <= sim.last:
        sim._plan(sim._at(day, dt.time(16, 0)), "settle_commitment", view.id, unit, not late)


def _do_settle_commitment(sim: Any, engine: Engine, commitment_id: int, unit: str, kept: bool) -> None:
    actor = _unit_actor(sim, unit, "record_commitment")
    if actor is None:
        return
    note = "已按承诺兑现" if kept else "未能在承诺期限内兑现, 已说明原因并重新承诺"
    engine.settle_commitment(commitment_id, actor, kept=kept, note=note)


REGISTER_ACTS: dict[str, Callable[..., None]] = {
    "education": _do_education,
    "commitment": _do_commitment,
    "settle_commitment": _do_settle_commitment,
}
