"""Who a role message concerns (issue 16): a message about an item or a unit's duty reaches
the holders of a role the item concerns, never every holder of the role.

- A track's ``leader_role`` (专项整治工作组组长): the contacts of that role whose ``track`` is
  the item's track (for a duty owed by a track's lead unit, the tracks that unit leads).
  Nobody there: one dead letter ``role:ROLE@TRACK``.
- A role of ``leadership.roles`` (县领导 …) about an item: the item's 领衔领导 only, when that
  person holds the role; nobody else, and no dead letter when the item has no leader (a
  message to "the item's leader" of an item nobody leads has no one it is meant for).
- A unit-bound role (一把手 ``unit_principal``, …): the contacts of that role in the unit
  responsible (the item's, or the unit owing the duty). Nobody there: ``role:ROLE@UNIT``.

The rules add up: a 组长 who leads an item of another track hears of it as its leader too.
A message to a unit does not reach those of its contacts who hold such a role (:func:`unit_people`).
- Otherwise (no item or unit, e.g. a phase notice or a calendar alert): every holder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from zhenggai.workflows.schema import CampaignSetup, DutySpec, RoleSpec

from ._raw import Tx
from ._statements import Statements

__all__ = ["Concerns", "duty_concerns", "item_concerns", "role_targets", "scoped_contacts", "unit_people"]


class Campaign(Protocol):
    """What routing reads of a campaign (:class:`~._writes.Campaign`, which imports this module)."""

    @property
    def id(self) -> int: ...
    @property
    def setup(self) -> CampaignSetup | None: ...
    @property
    def roles(self) -> Mapping[str, RoleSpec]: ...
    @property
    def lead_units(self) -> Mapping[str, str]: ...
    @property
    def unit_ids(self) -> Mapping[str, int]: ...
    @property
    def unit_keys(self) -> Mapping[int, str]: ...
    @property
    def tracks(self) -> Mapping[str, str]: ...


#: The recipients of a role message: (the contacts, the dead letter's recipient if none).
Targets = list[tuple[list[dict[str, Any]], str]]


@dataclass(frozen=True, slots=True)
class Concerns:
    """What a message is about, for its role recipients: the tracks (the item's; those a lead
    unit leads), the unit responsible, and — for a message about an item — its leader."""

    tracks: tuple[str, ...] = ()
    unit_id: int | None = None
    item: bool = False
    leader_contact_id: int | None = None


def item_concerns(row: Mapping[str, Any]) -> Concerns:
    """A message about the item ``row`` (as it is after the write)."""
    return Concerns(
        tracks=(row["track"],),
        unit_id=row["responsible_unit_id"],
        item=True,
        leader_contact_id=row.get("leader_contact_id"),
    )


def duty_concerns(camp: Campaign, duty: DutySpec | None, unit_id: int) -> Concerns:
    """A message about a unit's duty occurrence: its unit; the tracks it leads when the duty is
    laid on ``lead_units``."""
    tracks: tuple[str, ...] = ()
    if duty is not None and "lead_units" in duty.units:
        unit_key = camp.unit_keys[unit_id]
        tracks = tuple(t for t, lead in camp.lead_units.items() if lead == unit_key)
    return Concerns(tracks=tracks, unit_id=unit_id)


def _track_roles(camp: Campaign) -> dict[str, str]:
    """Track id → its ``leader_role``."""
    if camp.setup is None:
        return {}
    return {t.id: t.leader_role for t in camp.setup.tracks if t.leader_role is not None}


def role_targets(
    tx: Tx, st: Statements, camp: Campaign, role: str, concerns: Concerns | None, day: dt.date
) -> Targets | None:
    """The contacts of ``role`` a message with ``concerns`` reaches, per the rules above; None:
    the message concerns no one in particular (every holder of the role)."""
    if concerns is None or camp.setup is None:
        return None
    targets: Targets = []
    scoped = False
    leading = camp.setup.leadership is not None and role in camp.setup.leadership.roles
    track_roles = _track_roles(camp)
    tracks = [t for t in concerns.tracks if track_roles.get(t) == role]
    if tracks:
        scoped = True
        for track in tracks:
            found = tx.all_once(
                st.contacts_of_role_track, {"cid": camp.id, "role": role, "track": track, "day": day}
            )
            targets.append((found, f"role:{role}@{track}"))
    if concerns.unit_id is not None and role in camp.roles and camp.roles[role].unit_bound:
        scoped = True
        found = tx.all_once(st.contacts_of_unit_role, {"unit_id": concerns.unit_id, "role": role, "day": day})
        targets.append((found, f"role:{role}@{camp.unit_keys[concerns.unit_id]}"))
    if concerns.item and leading:
        scoped = True
        if concerns.leader_contact_id is not None:
            leader = tx.one(st.contact_active, {"id": concerns.leader_contact_id, "role": role, "day": day})
            if leader is not None:
                targets.append(([dict(leader)], f"role:{role}@leader"))
    return targets if scoped else None


def scoped_contacts(tx: Tx, st: Statements, camp: Campaign, who: str, day: dt.date) -> list[dict[str, Any]]:
    """A dead letter's recipient ``ROLE@SCOPE`` routed again: the role's contacts of that track
    or of that unit."""
    role, _, scope = who.partition("@")
    if scope in camp.tracks:
        return tx.all_once(
            st.contacts_of_role_track, {"cid": camp.id, "role": role, "track": scope, "day": day}
        )
    if scope in camp.unit_ids:
        return tx.all_once(
            st.contacts_of_unit_role, {"unit_id": camp.unit_ids[scope], "role": role, "day": day}
        )
    return []


def unit_people(camp: Campaign, contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Who a message to a unit reaches: its contacts but those holding a role of their own that
    messages reach by concern — a county-level role (not unit-bound: a 县领导, a 组长, the
    office's staff sitting in the unit) or a role of ``leadership.roles`` (一把手). They hear
    what concerns them through that role, not everything of the unit they sit in."""
    lead = set(camp.setup.leadership.roles) if camp.setup is not None and camp.setup.leadership else set()
    own = {r for r, spec in camp.roles.items() if not spec.unit_bound} | lead
    return [c for c in contacts if c["role"] not in own]
