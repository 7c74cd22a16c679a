"""The simulated 领衔 and 领衔调研 (issue 16): at the hearing after the phase that decides 领衔
(its last day plus the ``grace_days`` less two, 县定), the deciding role names leaders — 县领导, 组长,
一把手 of the simulated roster, in turn — for the most serious open items (at most
:data:`MOST_LED`); most leaders report their research within a fortnight, every fourth one
after its due date (so the ladder shows); an item closed meanwhile is not researched."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from zhenggai.engine import Actor, Engine
from zhenggai.engine.deadlines import add_days

from ._simulate_cast import KEY

__all__ = ["RESEARCH_ACTS", "plan_research"]

#: At most this many items are led (the plan's leaders lead a handful each, not every item).
MOST_LED = 10
#: What a leader's research finds (问题原因、解决办法).
FINDINGS = (
    "原因: 审批环节多、标准不一; 办法: 推行并联审批, 统一办事指南",
    "原因: 历史遗留、部门推诿; 办法: 建立专班, 逐件明确责任单位和时限",
    "原因: 监督缺位; 办法: 纳入日常督查, 每月通报进展",
)


def plan_research(sim: Any) -> None:
    """Plan the 领衔 decision on the hearing day, when the definition has 领衔 as an operation."""
    lead = sim.setup.leadership
    if lead is None or lead.phase is None or not sim.setup.lifecycle.operations.get("lead"):
        return
    phase = next((p for p in sim.setup.phases if p.id == lead.phase), None)
    if phase is None:
        return
    day = add_days(sim.calendar, phase.end, max(lead.grace_days - 2, 0), "working")
    if sim.first <= day <= sim.last:
        sim._plan(sim._at(day, dt.time(15, 0)), "lead")


def _leaders(sim: Any, engine: Engine) -> list[Any]:
    """The roster's people of the leadership's roles, in the order of those roles."""
    lead = sim.setup.leadership
    people = [engine.contacts(KEY, role=role) for role in lead.roles]
    ordered = []
    for n in range(max((len(p) for p in people), default=0)):
        ordered += [p[n] for p in people if n < len(p)]
    return ordered


def _do_lead(sim: Any, engine: Engine) -> None:
    lead = sim.setup.leadership
    leaders = _leaders(sim, engine)
    if not leaders:
        return
    final = sim.setup.lifecycle.final_states
    rank = {s.id: n for n, s in enumerate(sim.setup.severities)}  # 一般 < 较重 < 严重
    open_items = [
        i
        for i in engine.items(KEY)
        if i.state not in final and i.leading_official is None and rank.get(i.severity, 0) > 0
    ]
    chosen = sorted(open_items, key=lambda i: (-rank[i.severity], i.id))[:MOST_LED]
    label = next((r.label for r in sim.setup.roles if r.id == lead.decided_by), lead.decided_by)
    decider = Actor(f"{label}会议", lead.decided_by)
    for n, item in enumerate(chosen):
        person = leaders[n % len(leaders)]
        view = engine.lead_item(item.id, decider, leader=person.id)
        if view.research_due is None or not sim.setup.lifecycle.operations.get("report_research"):
            continue
        late = n % 4 == 3
        today = sim._today()
        day = sim._workday(view.research_due, 2 + n % 3) if late else sim._workday(today, 3 + n % 8)
        if day <= sim.last:
            sim._plan(sim._at(day, dt.time(16, n % 6 * 5)), "research_done", item.id, person, n)


def _do_research_done(sim: Any, engine: Engine, item_id: int, person: Any, n: int) -> None:
    if engine.item(item_id).state in sim.setup.lifecycle.final_states:
        return  # closed meanwhile: the research is no longer chased nor reported
    bound = any(r.id == person.role and r.unit_bound for r in sim.setup.roles)
    actor = Actor(person.name, person.role, person.unit if bound else None)
    engine.complete_research(item_id, actor, note=FINDINGS[n % len(FINDINGS)])


RESEARCH_ACTS: dict[str, Callable[..., None]] = {"lead": _do_lead, "research_done": _do_research_done}
