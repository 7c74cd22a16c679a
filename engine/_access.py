"""Who may do what: the actor, role and unit checks an operation makes before it writes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from zhenggai.workflows.schema import CampaignSetup

from ._inputs import check_version, checked_text
from ._raw import Tx
from ._rows import ItemRow
from ._runtime import Runtime
from ._writes import Campaign
from .errors import InvalidInputError, PermissionDeniedError, TransitionNotAllowedError, UnitNotFound
from .views import Actor


def may_read_people(camp: Campaign, actor: Actor, row: Mapping[str, Any]) -> bool:
    """Whether ``actor`` may see who was held accountable for the item ``row``."""
    try:
        check_operation(camp, actor, "read_named_people", row)
    except PermissionDeniedError:
        return False
    return True


def check_actor_against(setup: CampaignSetup, actor: Actor) -> None:
    """An administrative act under a definition: the actor's role must be allowed the
    ``migrate_campaign`` operation there."""
    if not isinstance(actor, Actor):
        raise InvalidInputError("actor", "须为 Actor")
    checked_text("actor", actor.name)
    if actor.role not in setup.lifecycle.operations.get("migrate_campaign", []):
        raise PermissionDeniedError(actor.name, actor.role, "migrate_campaign")


def check_actor(camp: Campaign, actor: Actor) -> None:
    if not isinstance(actor, Actor):
        raise InvalidInputError("actor", "须为 Actor")
    checked_text("actor", actor.name)
    if actor.role not in camp.roles:
        raise PermissionDeniedError(actor.name, actor.role, "任何操作", "本专项行动没有该角色")
    if actor.unit is not None and actor.unit not in camp.unit_ids:
        raise UnitNotFound(actor.unit)
    if camp.roles[actor.role].unit_bound and actor.unit is None:
        raise PermissionDeniedError(actor.name, actor.role, "任何操作", "该角色须指明所属单位")


def check_role(
    camp: Campaign, actor: Actor, action: str, roles: Iterable[str], row: Mapping[str, Any] | None
) -> None:
    if actor.role not in roles:
        raise PermissionDeniedError(actor.name, actor.role, action, labels=camp.lifecycle.names)
    own_unit = row is None or (
        row["responsible_unit_id"] is not None
        and camp.unit_ids.get(actor.unit or "") == row["responsible_unit_id"]
    )
    if camp.roles[actor.role].unit_bound and not own_unit:
        raise PermissionDeniedError(
            actor.name, actor.role, action, "只能办理本单位负责的问题", camp.lifecycle.names
        )


def item_operation(
    rt: Runtime, tx: Tx, item_id: int, actor: Actor, op: str, expected_version: int | None
) -> tuple[ItemRow, Campaign]:
    """The item and its campaign for operation ``op`` by ``actor``: known actor, expected
    version, a role the definition allows."""
    row = rt.load_item(tx, item_id)
    camp = rt.campaign(tx, row["campaign_id"], row["campaign_version"])
    check_actor(camp, actor)
    check_version(item_id, expected_version, row["version"])
    check_operation(camp, actor, op, row)
    return row, camp


def check_operation(camp: Campaign, actor: Actor, op: str, row: Mapping[str, Any] | None) -> None:
    check_role(camp, actor, op, camp.operations.get(op, frozenset()), row)


def check_measure_state(camp: Campaign, row: Mapping[str, Any], op: str) -> None:
    state = row["state"]
    allowed = camp.lifecycle.spec.measure_states
    if (
        state in camp.lifecycle.final_states
        or row["responsible_unit_id"] is None
        or (allowed and state not in allowed)
    ):
        raise TransitionNotAllowedError(
            row["id"], state, op, camp.lifecycle.allowed_triggers(state), camp.lifecycle.names
        )
