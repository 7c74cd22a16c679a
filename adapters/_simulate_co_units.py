"""The simulated 主办/协办 (issue 17, 3): as it assigns an item, the office names one co-unit
(another unit of the item's track) for :data:`SHARE` of them, with a part due a few working
days before the item; the co-unit adds a measure of its part and reports it done, mostly before
its due date, :data:`LATE` of them after it (its ladder fires), and the office waives
:data:`WAIVED` of the parts. A lead that would submit while a part is still open waits and
asks again a working day or two later, so the ``co_parts_done`` guard never refuses it.

Its draws come from a generator of its own (seeded from the run's seed), so adding co-units
leaves the rest of a seed's run drawn as it was."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from zhenggai.engine import Engine

from ._simulate_cast import KEY, _Item

__all__ = ["CO_UNIT_ACTS", "add_co_unit", "co_unit_summary", "waits_for_parts"]

#: The share of assigned items that get a co-unit (县里的经验: one in ten is a joint matter).
SHARE = 0.10
#: The share of parts the co-unit reports after their due date.
LATE = 0.12
#: The share of parts the office waives (the lead could do without them after all).
WAIVED = 0.06
#: A part falls due this many working days before the item (the lead needs it to finish).
AHEAD = 8
#: What a co-unit is asked to do, and its measure.
PARTS = (
    ("提供相关审批材料并出具书面意见", "梳理审批材料, 指定专人对接主办单位"),
    ("配合开展联合核查", "抽调执法人员参加联合核查"),
    ("落实本部门职责范围内的整改事项", "制定本部门整改清单, 明确完成时限"),
    ("协调资金拨付", "会同财政部门核定资金, 按程序拨付"),
)
#: Why the office waives a part.
WAIVE_NOTES = ("主办单位已自行解决, 无需协办", "经核实该分工已不再需要")


@dataclasses.dataclass
class _CoUnits:
    """The simulated co-units' own draws and the items that have a part (item → part)."""

    rng: random.Random
    parts: dict[int, int] = dataclasses.field(default_factory=dict)


def _state(sim: Any) -> _CoUnits:
    state: _CoUnits | None = sim.__dict__.get("co_units")
    if state is None:
        state = sim.__dict__["co_units"] = _CoUnits(random.Random(f"co_units:{sim.seed}"))
    return state


def _at(sim: Any, rng: random.Random, day: dt.date) -> dt.datetime:
    at: dt.datetime = sim._at(day, dt.time(9 + rng.randrange(8), rng.randrange(60)))
    return at


def _co_actor(sim: Any, item: _Item, unit: str) -> Any:
    return sim._unit_actor(sim.roles.start, _Item(0, unit, item.track))


def add_co_unit(sim: Any, engine: Engine, item_id: int) -> None:
    """As it assigns the item, the office names a co-unit (when the definition has
    ``co_handling``, the track another unit and the draw says so) and plans the co-unit's work."""
    spec = sim.setup.co_handling
    if spec is None:
        return
    state = _state(sim)
    item = sim.items[item_id]
    others = sorted(set(sim._track_units(item.track)) - {item.unit})
    if not others or state.rng.random() >= SHARE:
        return
    due = engine.item(item_id).due
    if due is None:
        return
    rng = state.rng
    today = sim._today()
    part_due = max(sim._workday(due, -AHEAD), sim._workday(today, 5))
    part, measure = rng.choice(PARTS)
    view = engine.add_co_unit(
        item_id,
        sim._actor(None, item, role=spec.decided_by[0]),
        unit=rng.choice(others),
        part=part,
        due=part_due,
    )
    state.parts[item_id] = view.id
    start = sim._workday(today, rng.randrange(1, 4))
    sim._plan(_at(sim, rng, start), "part_measure", item_id, view.id, view.unit, measure)
    roll = rng.random()
    if roll < WAIVED:
        day = sim._workday(start, rng.randrange(1, 6))
        sim._plan(_at(sim, rng, day), "waive_part", item_id, view.id)
        return
    if roll < WAIVED + LATE:
        day = sim._workday(part_due, rng.randint(2, 8))
    else:
        day = max(sim._workday(part_due, -rng.randint(0, 6)), sim._workday(start, 1))
    sim._plan(_at(sim, rng, day), "complete_part", item_id, view.id, view.unit)


def waits_for_parts(sim: Any, engine: Engine, item_id: int, finish: int) -> bool:
    """Whether the lead, about to submit, waits for an open part (True: it asks again a working
    day or two later)."""
    state = _state(sim)
    if item_id not in state.parts or not engine.parts(KEY, item_id=item_id, open_only=True):
        return False
    day = sim._workday(sim._today(), state.rng.randrange(1, 3))
    sim._plan(_at(sim, state.rng, day), "submit", item_id, finish)
    return True


def _do_part_measure(sim: Any, engine: Engine, item_id: int, part_id: int, unit: str, text: str) -> None:
    engine.add_part_measure(part_id, _co_actor(sim, sim.items[item_id], unit), text=text)


def _do_complete_part(sim: Any, engine: Engine, item_id: int, part_id: int, unit: str) -> None:
    engine.complete_part(
        part_id, _co_actor(sim, sim.items[item_id], unit), note="协办分工已落实, 材料已送主办单位"
    )


def _do_waive_part(sim: Any, engine: Engine, item_id: int, part_id: int) -> None:
    item = sim.items[item_id]
    actor = sim._actor(None, item, role=sim.setup.co_handling.waived_by[0])
    engine.waive_part(part_id, actor, note=_state(sim).rng.choice(WAIVE_NOTES))


def co_unit_summary(engine: Engine, key: str) -> str | None:
    """The summary's 协办 line: parts, done on time, late (done late or open past due), waived."""
    views = engine.parts(key)
    if not views:
        return None
    on_time = sum(v.state == "done" and not v.late for v in views)
    late = sum(v.late for v in views)
    waived = sum(v.state == "waived" for v in views)
    pending = len(views) - on_time - late - waived
    return f"  协办: {len(views)} 项, 按期完成 {on_time}, 逾期 {late}, 免除 {waived}" + (
        f", 未到期 {pending}" if pending else ""
    )


#: The agenda's 协办 actions (merged into ``ACTS`` of :mod:`._simulate_acts`).
CO_UNIT_ACTS: dict[str, Callable[..., None]] = {
    "part_measure": _do_part_measure,
    "complete_part": _do_complete_part,
    "waive_part": _do_waive_part,
}
