"""What the engine needs from a workflow definition, as plain pydantic data.

A lifecycle is data, not code: states, triggers, the guards and effects each trigger runs
(named from the fixed vocabularies in :mod:`zhenggai.engine.lifecycle`), the roles allowed to
fire it and the messages it queues. Step 2's definition schema (``zhenggai.workflows``) carries
these models; the engine stores them with the campaign, so running items keep the lifecycle
they started with.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

__all__ = [
    "UNIT_WILDCARDS",
    "CampaignSetup",
    "ContactSpec",
    "LifecycleSpec",
    "NotifySpec",
    "PhaseSpec",
    "RoleSpec",
    "StateSpec",
    "TrackSpec",
    "TransitionSpec",
    "UnitSpec",
]

_KEY = r"^[a-z][a-z0-9_]*$"
Key = Annotated[str, StringConstraints(pattern=_KEY, max_length=100)]
Label = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
# Limits below match the columns the values are stored in (engine/models.py): a longer value
# would be truncated silently by SQLite and refused by PostgreSQL at the first write, so it is
# refused here, when the definition is loaded.
StateKey = Annotated[str, StringConstraints(pattern=_KEY, max_length=40)]  # zg_item.state
TriggerKey = Annotated[str, StringConstraints(pattern=_KEY, max_length=60)]  # zg_event.trigger
RoleKey = Annotated[str, StringConstraints(pattern=_KEY, max_length=60)]  # zg_event.role
ChannelKey = Annotated[str, StringConstraints(pattern=_KEY, max_length=40)]  # zg_item/zg_outbox.channel
MessageKey = Annotated[str, StringConstraints(pattern=_KEY, max_length=60)]  # zg_outbox.kind
KindKey = Annotated[str, StringConstraints(pattern=_KEY, max_length=40)]  # zg_unit.kind
ShortLabel = Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]


#: Wildcards in a track's unit list: 各地各单位 and 县直有关单位.
UNIT_WILDCARDS: dict[str, str] = {"all_units": "各地各单位", "county_units": "县直有关单位"}


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StateSpec(_Spec):
    """One state. ``final`` states count as ends of the lifecycle (closed, dismissed, merged)."""

    id: StateKey
    label: Label
    final: bool = False


class NotifySpec(_Spec):
    """A message a trigger queues in the outbox: message kind and who receives it.

    ``to`` is ``responsible_unit`` (the item's unit after the transition), ``previous_unit``
    (the unit before it, e.g. on reassignment) or a contact role such as ``leading_group_office``.
    """

    message: MessageKey
    to: Key


class TransitionSpec(_Spec):
    trigger: TriggerKey
    label: Label
    source: list[StateKey] = Field(min_length=1)
    dest: StateKey
    roles: list[RoleKey] = Field(min_length=1)
    guards: list[Key] = Field(default_factory=list)
    effects: list[Key] = Field(default_factory=list)
    notify: list[NotifySpec] = Field(default_factory=list)


class LifecycleSpec(_Spec):
    """A lifecycle: the item's states, its initial state and its transitions."""

    id: Key
    initial: StateKey
    states: list[StateSpec] = Field(min_length=1)
    transitions: list[TransitionSpec] = Field(min_length=1)
    #: Who may do the operations outside the state machine (report, add_measure, …).
    operations: dict[Key, list[RoleKey]] = Field(default_factory=dict)
    #: States in which measures may be added or completed. Empty: every state that is not
    #: final, once the item has a responsible unit.
    measure_states: list[StateKey] = Field(default_factory=list)

    def state(self, state_id: str) -> StateSpec:
        for state in self.states:
            if state.id == state_id:
                return state
        raise KeyError(state_id)

    @property
    def final_states(self) -> frozenset[str]:
        return frozenset(s.id for s in self.states if s.final)


class RoleSpec(_Spec):
    """A role an actor can act in. ``unit_bound`` roles act only for their own unit."""

    id: RoleKey
    label: Label
    unit_bound: bool = False


class ContactSpec(_Spec):
    name: ShortLabel
    role: Key = "contact"
    email: str | None = Field(default=None, max_length=200)
    mobile: str | None = Field(default=None, max_length=40)
    channels: list[ChannelKey] = Field(default_factory=list)

    @field_validator("channels")
    @classmethod
    def _channels_fit(cls, channels: list[str]) -> list[str]:
        if len(",".join(channels)) > 200:  # stored comma-joined in zg_contact.channels
            raise ValueError("联系渠道过多 (合计不超过 200 字符)")
        return channels


class UnitSpec(_Spec):
    id: Key
    name: Label
    kind: KindKey = "unit"
    contacts: list[ContactSpec] = Field(default_factory=list)


class TrackSpec(_Spec):
    """A focus track; ``units`` in the plan's order, first = lead unit; ``all_units`` allowed."""

    id: Key
    name: Label
    units: list[Key] = Field(min_length=1)


class PhaseSpec(_Spec):
    """A dated window of the campaign (阶段), both days included, in the campaign's timezone.

    Phases follow each other without gap or overlap. (What a phase demands at its start and
    end, e.g. escalating units without their 一报告四清单, comes with the scheduler, step 3.)
    """

    id: Key
    name: Label
    start: dt.date
    end: dt.date


class CampaignSetup(_Spec):
    """Everything the engine needs to start a campaign."""

    definition_id: Key
    definition_version: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    title: Label
    county: ShortLabel
    timezone: str = "Asia/Shanghai"
    start: dt.date | None = None
    channels: list[ChannelKey] = Field(min_length=1)
    roles: list[RoleSpec] = Field(min_length=1)
    units: list[UnitSpec] = Field(min_length=1)
    tracks: list[TrackSpec] = Field(min_length=1)
    #: Dated phases, in order; empty for a campaign without phases (e.g. a year-round hotline).
    phases: list[PhaseSpec] = Field(default_factory=list)
    lifecycle: LifecycleSpec
    # How the engine names itself in the audit trail for automatic changes.
    system_actor: Literal["system"] = "system"
