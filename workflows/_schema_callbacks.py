"""The definition block of 回访/满意度 (issue 17, 6): :class:`CallbackSpec`.

:class:`~zhenggai.workflows.schema.CampaignSetup` names it (``callbacks``); the schema
re-exports it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ._spec import DayCount, Key, MessageKey, RoleKey, TriggerKey, _Spec

__all__ = ["CALLBACK_RESULTS", "CallbackSpec", "CallbackWithin"]

#: The fixed results of a callback, as officials read them (满意 / 基本满意 / 不满意).
CALLBACK_RESULTS: dict[str, str] = {
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "unsatisfied": "不满意",
}


class CallbackWithin(_Spec):
    """How long after 销号 the reporter is to be called back: ``days`` counted ``count``."""

    days: int = Field(default=5, ge=1, le=60)
    count: DayCount = "working"


class CallbackSpec(_Spec):
    """回访 (issue 17, 6): when an item with a reporter is closed (销号: a transition with the
    effect ``record_close``), a callback task goes to ``role``, the reporter's custodian (a role
    listed in ``lifecycle.operations.read_reporter``: the only one who may contact the
    reporter), due ``within`` days later, on ``ladder`` (a ladder of subject ``callback``) while
    open; ``requested`` tells the role (never the unit). The custodian records 满意 / 基本满意 /
    不满意 (:data:`CALLBACK_RESULTS`) with a note. 不满意: ``reopen`` fires ``trigger`` (the
    lifecycle's reopening of a closed item, e.g. 回头看重新整改) with the note as its finding;
    ``follow_up`` gives the item a 回头看 review task (``follow_up.role``, ``follow_up.days``)
    instead. ``recorded`` tells the item's unit the result (never the reporter)."""

    role: RoleKey
    within: CallbackWithin = CallbackWithin()
    ladder: Key | None = None
    unsatisfied: Literal["reopen", "follow_up"] = "reopen"
    trigger: TriggerKey = "follow_up_review"
    requested: MessageKey = "callback_requested"
    recorded: MessageKey = "callback_recorded"
