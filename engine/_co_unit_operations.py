"""The engine's 主办/协办 operations (issue 17, ``co_handling``): co-units and their parts
(:mod:`._co_units`). :class:`~.service.Engine` builds on :class:`CoUnitOperations`."""

from __future__ import annotations

import datetime as dt

from . import _co_units
from ._runtime import Runtime
from .views import Actor, MeasureView, PartView

__all__ = ["CoUnitOperations"]


class CoUnitOperations:
    """协办: the office adds co-units with their parts; a co-unit adds measures to its part and
    reports it done; the office waives a part."""

    _rt: Runtime

    def add_co_unit(
        self, item_id: int, actor: Actor, *, unit: str, part: str, due: dt.date | str | None = None
    ) -> PartView:
        """协办: a role of ``co_handling.decided_by`` names ``unit`` a co-unit of the item (in a
        state after 交办, before 提请验收) with its ``part`` (分工), due ``due`` (else
        ``co_handling.part_due`` from today, else the item's due date). The co-unit is told
        (``co_handling.assigned``) and the part runs on ``co_handling.ladder`` until settled.
        Refused, nothing written, for the lead unit itself, a unit with an open part of the item
        already, or a definition without ``co_handling``."""
        return _co_units.add_co_unit(self._rt, item_id, actor, unit=unit, part=part, due=due)

    def add_part_measure(
        self, part_id: int, actor: Actor, *, text: str, due: dt.date | str | None = None
    ) -> MeasureView:
        """A co-unit's measure (整改措施) of its own open part (a unit-bound role of the co-unit)."""
        return _co_units.add_part_measure(self._rt, part_id, actor, text=text, due=due)

    def complete_part(self, part_id: int, actor: Actor, *, note: str | None = None) -> PartView:
        """The co-unit reports its part done (its open measures done with it); the lead unit is
        told (``co_handling.part_done``) and the part's ladder stops."""
        return _co_units.complete_part(self._rt, part_id, actor, note=note)

    def waive_part(self, part_id: int, actor: Actor, *, note: str) -> PartView:
        """A role of ``co_handling.waived_by`` waives an open part (免除) with its reason; the lead
        and the co-unit are told and the part's ladder stops."""
        return _co_units.waive_part(self._rt, part_id, actor, note=note)

    def parts(
        self,
        campaign: str | int,
        *,
        item_id: int | None = None,
        unit: str | None = None,
        open_only: bool = False,
    ) -> list[PartView]:
        """The campaign's co-unit parts, oldest first: of one item, of one co-unit, or open only."""
        return _co_units.parts(self._rt, campaign, item_id=item_id, unit=unit, open_only=open_only)
