"""The simulated 领导批示 and 延期申请 (issue 17).

领导批示: a county leader instructs on :data:`INSTRUCTED` of the items, the office recording it
within a few working days of the report; a few items (:data:`FROM_INSTRUCTION` of them) are
reported on the 领导批示交办 channel, with the instruction they start from.

延期申请: once a unit has started on an item, some units (:data:`EXTENDED`, by their habit:
mostly those that would finish late) ask for more time a few working days before the due date (:data:`TOO_LATE` of those only on or after it, and are
refused: a late request counts as overdue); each approver approves (:data:`APPROVED`) or
refuses one to two working days later; an approved extension moves the unit's finish.

The draws use a random stream of their own (from the simulation's seed), so that switching
these on leaves the rest of the simulated campaign's draws as they were.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from zhenggai.engine import Actor, Engine, ExtensionRefused, LeaderInstruction

from ._simulate_cast import KEY

__all__ = [
    "INSTRUCTION_ACTS",
    "arrival_channels",
    "extension_summary",
    "instruction_for",
    "instruction_summary",
    "plan_extension",
    "plan_instruction",
    "too_late",
]

#: The share of items a county leader instructs on (a few in a hundred).
INSTRUCTED = 0.025
#: The share of arrivals reported on the 领导批示交办 channel.
FROM_INSTRUCTION = 0.015
#: The chance a unit asks for an extension of a started item, by its habit: mostly the units
#: that would finish late (about 6–7% of the items in all).
EXTENDED = {"prompt": 0.03, "last_minute": 0.1, "late": 0.3, "very_late": 0.3}
#: The share of those asked too late (on or after the due date: refused).
TOO_LATE = 0.15
#: The chance each approver approves.
APPROVED = 0.9
#: What the leaders write.
TEXTS = (
    "请责任单位限期整改到位, 举一反三",
    "此事群众反映强烈, 要抓紧解决, 结果报我",
    "请领导小组办公室跟踪督办, 按期销号",
    "要查清原因, 建立长效机制",
)
REASONS = ("涉及多部门会商, 需延长办理时间", "需上级部门批复", "受施工季节影响")


@dataclasses.dataclass
class Tally:
    """What the simulation's summary says of 延期申请 beyond the engine's rows."""

    too_late: int = 0


def _rng(sim: Any) -> random.Random:
    rng = getattr(sim, "_supervision_rng", None)
    if rng is None:
        rng = random.Random(f"{sim.seed}:instructions")
        sim._supervision_rng = rng
        sim.extension_tally = Tally()
    return rng


def arrival_channels(sim: Any) -> list[str]:
    """The channels arrivals are drawn from: all but 领导批示交办 (its items come from
    :func:`instruction_for`)."""
    spec = sim.setup.instructions
    return [c.id for c in sim.setup.channels if spec is None or c.id != spec.channel]


def _leader(sim: Any, engine: Engine) -> str:
    spec = sim.setup.instructions
    names = sorted({c.name for c in engine.contacts(KEY) if c.role in spec.leaders and c.removed_at is None})
    return _rng(sim).choice(names) if names else "县委主要领导"


def instruction_for(sim: Any, engine: Engine, spec: dict[str, Any]) -> LeaderInstruction | None:
    """For a few arrivals: the channel becomes 领导批示交办 (``spec`` changed) and the report
    carries the instruction it starts from; None for the rest."""
    setup = sim.setup.instructions
    if setup is None or setup.channel is None or _rng(sim).random() >= FROM_INSTRUCTION:
        return None
    spec["channel"] = setup.channel
    yesterday = sim._today() - dt.timedelta(days=_rng(sim).randrange(0, 3))
    return LeaderInstruction(_leader(sim, engine), yesterday, _rng(sim).choice(TEXTS))


def plan_instruction(sim: Any, item_id: int) -> None:
    """Plan a leader's instruction on a just-reported item, for :data:`INSTRUCTED` of them."""
    if sim.setup.instructions is None or _rng(sim).random() >= INSTRUCTED:
        return
    when = sim._workday(sim._today(), _rng(sim).randrange(0, 6))
    sim._plan(sim._office_hours(when), "instruct", item_id)


def _do_instruct(sim: Any, engine: Engine, item_id: int) -> None:
    spec = sim.setup.instructions
    actor = sim._actor(None, sim.items[item_id], role=spec.recorded_by[0])
    given = sim._workday(sim._today(), -_rng(sim).randrange(0, 2))
    engine.record_instruction(
        item_id,
        actor,
        leader=_leader(sim, engine),
        given_on=min(given, sim._today()),
        text=_rng(sim).choice(TEXTS),
    )


def plan_extension(sim: Any, item_id: int, due: dt.date) -> None:
    """Plan a unit's 延期申请 on a just-started item, by :data:`EXTENDED`: a few
    working days before ``due``, or (:data:`TOO_LATE`) on or after it."""
    chance = EXTENDED.get(sim.habit[sim.items[item_id].unit], 0.05)
    if sim.setup.extensions is None or _rng(sim).random() >= chance:
        return
    rng = _rng(sim)
    late = rng.random() < TOO_LATE
    day = sim._workday(due, rng.randrange(0, 3)) if late else sim._workday(due, -rng.randrange(2, 6))
    day = max(day, sim._workday(sim._today(), 1))
    sim._plan(sim._office_hours(day), "request_extension", item_id)


def _do_request_extension(sim: Any, engine: Engine, item_id: int) -> None:
    item = sim.items[item_id]
    view = engine.item(item_id)
    if view.due is None or item.submitted or view.state != sim.roles.start.dest or view.paused_at is not None:
        return  # asked only while the unit is at work on it, its clock running (not while 退单 stops it)
    rng = _rng(sim)
    new_due = sim._workday(view.due, rng.randrange(5, 16))
    try:
        ext = engine.request_extension(
            item_id,
            sim._unit_actor(sim.roles.start, item),
            new_due=new_due,
            reason=rng.choice(REASONS),
            progress="已完成部分整改措施, 余下事项正在推进",
        )
    except ExtensionRefused:
        if sim._today() >= view.due:
            sim.extension_tally.too_late += 1  # 已逾期: a late request counts as overdue
            return
        raise
    _plan_decision(sim, item_id, ext.id, 0)


def _plan_decision(sim: Any, item_id: int, extension_id: int, stage: int) -> None:
    when = sim._workday(sim._today(), _rng(sim).randrange(1, 3))
    sim._plan(sim._office_hours(when), "decide_extension", item_id, extension_id, stage)


def _approver(sim: Any, item_id: int, role: str) -> Actor:
    item = sim.items[item_id]
    track = next(t for t in sim.setup.tracks if t.id == item.track)
    if track.leader_role == role:
        return Actor(f"{track.name}组长", role, track.units[0])
    actor: Actor = sim._actor(None, item, role=role)
    return actor


def _do_decide_extension(sim: Any, engine: Engine, item_id: int, extension_id: int, stage: int) -> None:
    role = sim.setup.extensions.approvers[stage]
    item = sim.items[item_id]
    asked = next(e for e in engine.extensions(KEY, item_id=item_id) if e.id == extension_id)
    now = engine.item(item_id)
    # work handed in, or the due date moved (a pause, a reopening) meanwhile: nothing to extend
    moot = (
        item.submitted
        or now.due != asked.old_due
        or now.state != sim.roles.start.dest
        or now.paused_at is not None  # its clock stopped (退单): refused, the unit asks again later
    )
    approve = _rng(sim).random() < APPROVED and not moot
    note = None if approve else "情况已变化, 无需延期" if moot else "理由不充分, 请按原时限完成"
    view = engine.decide_extension(extension_id, _approver(sim, item_id, role), approve=approve, note=note)
    if view.state == "pending":
        _plan_decision(sim, item_id, extension_id, stage + 1)
    elif view.state == "approved" and not item.paused:
        sim._plan_finish(item_id, view.new_due)  # the unit works to the new date


def instruction_summary(engine: Engine, key: str, channel: str | None) -> str | None:
    """The summary's 领导批示 line: instructions, the items they concern, those reported on
    the 领导批示交办 ``channel``."""
    views = engine.instructions(key)
    if not views:
        return None
    items = {v.item_id for v in views}
    started = sum(engine.item(i).channel == channel for i in items)
    return f"  领导批示 {len(views)} 条, 涉及问题 {len(items)} 件 (其中领导批示交办 {started} 件)"


def extension_summary(engine: Engine, key: str, too_late: int) -> str | None:
    """The summary's 延期申请 line: requested, approved, refused, pending; ``too_late``: asked
    on or after the due date and refused (not a row: nothing was written)."""
    views = engine.extensions(key)
    if not views and not too_late:
        return None
    states = [v.state for v in views]
    return (
        f"  延期申请 {len(views)} 件: 批准 {states.count('approved')} 件, 未批准 {states.count('refused')} 件, "
        f"待审批 {states.count('pending')} 件; 逾期后申请被拒 {too_late} 件"
    )


def too_late(sim: Any) -> int:
    """How many simulated extension requests came too late (refused)."""
    tally = getattr(sim, "extension_tally", None)
    return 0 if tally is None else int(tally.too_late)


#: The agenda's 领导批示 and 延期 actions (merged into ``ACTS`` of :mod:`._simulate_acts`).
INSTRUCTION_ACTS: dict[str, Callable[..., None]] = {
    "instruct": _do_instruct,
    "request_extension": _do_request_extension,
    "decide_extension": _do_decide_extension,
}
