"""The simulated 回访/满意度 (issue 17): about half of the items reported through a public channel
name a reporter (:data:`REPORTED`); when such an item is closed, the custodian calls the
reporter back within ``callbacks.within`` (a few, :data:`LATE`, after it, so the callback
ladder fires), and records 满意 / 基本满意 / 不满意 at about 75% / 18% / 7%. An item reopened
by a 不满意 goes round again (a measure, then submitted, verified and closed anew).

The draws here come from a random generator of their own (seeded from the run's seed), so
the rest of a seed's timeline stays as it was without callbacks."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from zhenggai.engine import Engine, Reporter

from ._simulate_cast import KEY

__all__ = ["CALLBACK_ACTS", "callback_summary", "plan_callback", "reporter_for"]

#: The share of items (of channels other than the supervision teams') that name a reporter.
REPORTED = 0.5
#: The share of callbacks made after their due day.
LATE = 0.08
#: 满意 / 基本满意 / 不满意, and how often each is the answer.
RESULTS = (("satisfied", 0.75), ("basically_satisfied", 0.18), ("unsatisfied", 0.07))
#: What the custodian writes of an unsatisfied reporter.
NOTES = ("群众反映问题仍未解决", "整改只做表面文章", "承诺事项未兑现")


def _rng(sim: Any) -> random.Random:
    rng = getattr(sim, "callback_rng", None)
    if rng is None:
        rng = random.Random(f"{sim.seed}:callbacks")
        sim.callback_rng = rng
        sim.callbacks_reopened = 0
    return rng


def reporter_for(sim: Any, channel: str, n: int) -> Reporter | None:
    """The reporter of the ``n``-th simulated item, when the definition calls reporters back
    and the draw says this one named one (never for the supervision teams' findings)."""
    spec = sim.setup.callbacks
    if spec is None or (sim.setup.supervision is not None and channel == sim.setup.supervision.channel):
        return None
    rng = _rng(sim)
    if rng.random() >= REPORTED:
        return None
    return Reporter(name=f"模拟举报人{n}", phone=f"139{rng.randrange(10**8):08d}")


def plan_callback(sim: Any, engine: Engine, item_id: int) -> None:
    """After 销号: the custodian's callback of the item's reporter, planned (when it has one)."""
    spec = sim.setup.callbacks
    if spec is None:
        return
    mine = engine.callbacks(KEY, state="open", item_id=item_id)
    if not mine:
        return
    rng = _rng(sim)
    callback = mine[-1]
    if rng.random() < LATE:
        day = sim._workday(callback.due, rng.randrange(1, 5))
    else:
        day = sim._workday(sim._today(), rng.randrange(1, spec.within.days + 1))
        day = min(day, callback.due)
    sim._plan(sim._office_hours(day), "callback", item_id, callback.id)


def _do_callback(sim: Any, engine: Engine, item_id: int, callback_id: int) -> None:
    spec = sim.setup.callbacks
    rng = _rng(sim)
    roll, result = rng.random(), RESULTS[-1][0]
    for code, share in RESULTS:
        if roll < share:
            result = code
            break
        roll -= share
    note = rng.choice(NOTES) if result == "unsatisfied" else None
    item = sim.items[item_id]
    engine.record_callback(callback_id, sim._actor(None, item, role=spec.role), result=result, note=note)
    view = engine.item(item_id)
    if result == "unsatisfied" and view.state not in sim.setup.lifecycle.final_states:
        sim.callbacks_reopened += 1  # reopened: rectified, verified and closed again
        item.submitted = False
        unit = sim._unit_actor(sim.roles.start, item)
        item.measure = engine.add_measure(item_id, unit, text="针对回访意见重新整改").id
        assert view.due is not None
        sim._plan_finish(item_id, view.due)


def callback_summary(engine: Engine, key: str) -> str | None:
    """The summary's 回访 line: callbacks made (late), open, and the results with the rate."""
    views = engine.callbacks(key)
    if not views:
        return None
    total = engine.satisfaction(key)[-1]
    late = sum(v.late for v in views)
    rate = "-" if total.rate is None else f"{total.rate:.1%}"
    return (
        f"  回访 {total.called} 件 (逾期回访 {late} 件, 待回访 {total.open} 件): 满意 {total.satisfied}、"
        f"基本满意 {total.basically}、不满意 {total.unsatisfied}, 满意率 {rate}"
    )


#: The agenda's 回访 actions (merged into ``ACTS`` of :mod:`._simulate_acts`).
CALLBACK_ACTS: dict[str, Callable[..., None]] = {"callback": _do_callback}
