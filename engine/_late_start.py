"""A campaign started after some of its dates: what fell due before it existed.

A county that starts this year's campaign in December (its plan re-dated to June, the months
before run on spreadsheets) must not get June's reminders, lights and 挂牌督办 at the first
sweep, nor "逾期 120 个工作日未报送" for every weekly report it already handed in on paper. So,
right after :meth:`Engine.start_campaign` armed the campaign's steps and the units' duties, one
post-pass (two statements) marks as ``not_applicable``:

- every duty occurrence due before the day of creation (in the campaign's timezone), with all
  its steps, also those after creation (its chase after the due date);
- every other step due before the moment of creation (a phase's start or end action, a draw, a
  reminder of a duty due today or later).

They never fire: no message, no light, no event of their own; the start event counts them
(``not_applicable``). A duty due on the day of creation stays open. What falls due after creation
fires as usual.
"""

from __future__ import annotations

import datetime as dt

from ._raw import Tx
from ._statements import Statements
from ._writes import Campaign

__all__ = ["NOT_APPLICABLE", "settle_before_start"]

#: The status of a step or duty occurrence that fell due before its campaign was created.
NOT_APPLICABLE = "not_applicable"


def settle_before_start(tx: Tx, st: Statements, camp: Campaign, now: dt.datetime) -> dict[str, int]:
    """Mark what fell due before ``now`` (the moment of creation) not applicable; how many
    duty occurrences and steps (``{"duties": …, "steps": …}``)."""
    day = now.astimezone(camp.tz).date()
    duties = tx.run(st.duties_not_applicable, {"cid": camp.id, "day": day})
    steps = tx.run(st.steps_not_applicable, {"cid": camp.id, "now": now})
    return {"duties": duties, "steps": steps}
