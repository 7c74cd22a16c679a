"""The ladder steps of a task on a ladder of its own (a 回头看 review task, a 回访 task), settled
by the sweep: :func:`settle_task_steps`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from zhenggai.workflows.schema import LadderSpec, LadderStep

from ._raw import Prepared, Tx
from ._statements import Statements
from ._steps import SYSTEM, SweepReport, Wanted, _settle, _step_data, raise_level, step_payload
from ._writes import Campaign, append_event, queue_messages

__all__ = ["settle_task_steps"]


def settle_task_steps(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    kind: str,
    row: Mapping[str, Any],
    ladder: LadderSpec | None,
    wanted: Wanted,
    level: Prepared[Any],
    payload: Callable[[Mapping[str, Any]], Mapping[str, Any]],
    claimed: list[Any],
    now: dt.datetime,
    report: SweepReport,
    named: Mapping[str, Any] | None = None,
) -> None:
    """Settle the claimed ladder steps of a task on a ladder of its own (a 回头看 review task, a
    回访 task): each step that fires raises the task's light and level (``level``: its update
    statement), queues the step's messages (to roles only: no unit) with ``payload`` of the task
    as raised, and appends a ``<kind>_step`` event whose data names the task (``kind``: its id)
    and what ``named`` adds."""
    state = {"row": dict(row)}

    def fire(
        step_row: Mapping[str, Any], step: LadderStep, late: bool, folded: list[str], missed: list[str]
    ) -> None:
        assert ladder is not None
        before = state["row"]
        changes = raise_level(before, step)
        after = {**before, **changes}
        if changes:
            tx.run(
                level,
                {"id": before["id"], "light": after["light"], "escalation_level": after["escalation_level"]},
            )
        data = {kind: before["id"], **(named or {}), "ladder": ladder.id, "due": before["due"].isoformat()}
        data.update(_step_data(step, late, folded, missed))
        data.update({k: changes[k] for k in ("light", "escalation_level") if k in changes})
        queued = queue_messages(
            tx,
            st,
            camp,
            step.notify,
            key=f"{kind}:{before['id']}:step:{step_row['step_key']}",
            payload={**payload(after), **step_payload(camp, step, before["due"], now)},
            units={},
            item_id=None,
            now=now,
        )
        append_event(
            tx,
            st,
            camp.id,
            item_id=None,
            trigger=f"{kind}_step",
            from_state=None,
            to_state=None,
            actor=SYSTEM,
            at=now,
            data=data,
            outbox=queued,
        )
        report.events.append(f"{kind}:{before['id']}:{step.id}")
        state["row"] = after

    _settle(tx, st, claimed, wanted, now, report, fire)
