"""The definition block of 领导批示 (issue 17, 4): :class:`InstructionSpec`.

:class:`~zhenggai.workflows.schema.CampaignSetup` names it (``instructions``) and the schema
re-exports it.
"""

from __future__ import annotations

from pydantic import Field

from ._spec import ChannelKey, MessageKey, RoleKey, _Spec

__all__ = ["InstructionSpec"]


class InstructionSpec(_Spec):
    """领导批示 (issue 17, 4): a leader's instruction on an item (who, the day given, the text),
    recorded by a role of ``recorded_by``. ``leaders``: the roles whose instructions count (the
    county's leaders): when the roster names holders of them, the leader must be one; otherwise
    a name as written. ``channel``: the intake channel (领导批示交办) whose items start from an
    instruction (a report on it must carry one); None: none does. ``notify``: the message the
    item's responsible unit gets of a new instruction. Absent block: no instructions."""

    recorded_by: list[RoleKey] = Field(min_length=1, max_length=10)
    leaders: list[RoleKey] = Field(min_length=1, max_length=10)
    channel: ChannelKey | None = None
    notify: MessageKey = "instruction_recorded"
