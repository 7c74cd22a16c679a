"""The simulated 退单 (issue 17): a few units (:data:`SHARE` of the items assigned) send an
item back the next working day, mostly as not their duty; the office rules one to three working
days later, reassigning half of them to another unit of the item's track and insisting on the
rest; either way the unit then holding the item starts on it as after a 交办."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zhenggai.engine import Engine

__all__ = ["SEND_BACK_ACTS", "plan_send_back", "send_back_summary"]

#: The share of assigned items a unit sends back (县里的经验: a few in a hundred).
SHARE = 0.05
#: What a unit writes when it sends an item back.
NOTES = ("该事项属其他部门法定职责", "与已交办问题重复", "问题线索不清, 请补充具体地点和时间")


def plan_send_back(sim: Any, item_id: int) -> bool:
    """Plan the unit's send-back of a just-assigned item (True), when the definition has
    ``send_back``, the track has another unit to reassign to and the draw says so."""
    if sim.setup.send_back is None:
        return False
    item = sim.items[item_id]
    if len(set(sim._track_units(item.track))) < 2 or sim.rng.random() >= SHARE:
        return False
    sim._plan(sim._office_hours(sim._workday(sim._today(), 1)), "send_back", item_id)
    return True


def _do_send_back(sim: Any, engine: Engine, item_id: int) -> None:
    spec = sim.setup.send_back
    item = sim.items[item_id]
    reasons = [r.id for r in spec.reasons]
    reason = reasons[0] if sim.rng.random() < 0.7 else sim.rng.choice(reasons)
    view = engine.send_back(
        item_id, sim._unit_actor(sim.roles.start, item), reason=reason, note=sim.rng.choice(NOTES)
    )
    sim.sent_back += 1
    when = sim._office_hours(sim._workday(sim._today(), sim.rng.randrange(1, 4)))
    sim._plan(when, "rule_send_back", item_id, view.id)


def _do_rule_send_back(sim: Any, engine: Engine, item_id: int, send_back_id: int) -> None:
    item = sim.items[item_id]
    actor = sim._actor(None, item, role=sim.setup.send_back.ruled_by[0])
    others = sorted(set(sim._track_units(item.track)) - {item.unit})
    if others and sim.rng.random() < 0.5:
        unit = sim.rng.choice(others)
        engine.rule_send_back(
            send_back_id, actor, decision="reassign", unit=unit, note="经审定, 改由该单位办理"
        )
        item.unit = unit
    else:
        engine.rule_send_back(send_back_id, actor, decision="insist", note="经审定, 属你单位职责, 请抓紧整改")
    sim._plan(sim._office_hours(sim._workday(sim._today(), sim.rng.randrange(1, 4))), "start", item_id)


def send_back_summary(engine: Engine, key: str) -> str | None:
    """The summary's 退单 line: sent back, reassigned, insisted, still open, flagged items."""
    views = engine.send_backs(key)
    if not views:
        return None
    states = [v.state for v in views]
    flagged = len({v.item_id for v in views if v.flagged})
    return (
        f"  退单 {len(views)} 件: 改派 {states.count('reassigned')} 件, 坚持原交办 {states.count('insisted')} 件, "
        f"待审定 {states.count('open')} 件; 多次退单的问题 {flagged} 件"
    )


#: The agenda's 退单 actions (merged into ``ACTS`` of :mod:`._simulate_acts`).
SEND_BACK_ACTS: dict[str, Callable[..., None]] = {
    "send_back": _do_send_back,
    "rule_send_back": _do_rule_send_back,
}
