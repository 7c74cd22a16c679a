"""The definition blocks of 督办 as Chinese offices run it (issue 17, step 12): 延期申请
(:class:`ExtensionSpec`), 退单 (:class:`SendBackSpec`) and the blocks that follow them.

One module per family of blocks keeps :mod:`zhenggai.workflows.schema` readable;
:class:`~zhenggai.workflows.schema.CampaignSetup` names them and the schema re-exports them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ._spec import DayCount, Label, MessageKey, RoleKey, VocabularyEntry, _Spec, no_items

__all__ = ["ExtensionSpec", "SendBackSpec", "SendBackWithin"]


class ExtensionSpec(_Spec):
    """延期申请 (issue 17, 1): the responsible unit asks, before the item's due date, for a new
    due date with a reason and a progress note; ``approvers`` decide in order (a role that is a
    track's ``leader_role`` means the item's track's 组长). The last approval moves the due date
    and re-arms the ladder; a refusal ends the request. At most ``max_per_item`` approved per
    item (``zhenggai check`` says when it is below 1). ``reasons``: the reason codes a request
    names one of (empty: a free reason). ``requested`` tells the next approver of a pending
    request, ``decided`` tells the unit the outcome."""

    approvers: list[RoleKey] = Field(min_length=1, max_length=10)
    max_per_item: int = Field(default=1, le=100)
    reasons: list[Label] = Field(default_factory=no_items)
    requested: MessageKey = "extension_requested"
    decided: MessageKey = "extension_decided"


class SendBackWithin(_Spec):
    """How long after 交办 a unit may still send an item back: ``days`` counted ``count``."""

    days: int = Field(ge=1, le=60)
    count: DayCount = "working"


class SendBackSpec(_Spec):
    """退单 (issue 17): the responsible unit sends an item that is not its duty back ``within``
    days of its 交办, with one of ``reasons``; while the office's 审定 is pending the deadline
    clock ``stops`` (its working days left kept, as 暂停计时) or ``runs``. A role of
    ``ruled_by`` rules: reassign (改派) or insist (the unit keeps it). An item sent back
    ``flag_after`` times or more (by any units) is flagged. ``requested`` tells the ``ruled_by``
    roles of a send-back; ``ruled`` tells the unit that sent it back of the ruling."""

    label: Label = "退单"
    within: SendBackWithin
    reasons: list[VocabularyEntry] = Field(min_length=1)
    clock: Literal["stops", "runs"] = "stops"
    ruled_by: list[RoleKey] = Field(min_length=1)
    flag_after: int = Field(default=2, ge=1, le=20)
    requested: MessageKey = "send_back_requested"
    ruled: MessageKey = "send_back_ruled"
