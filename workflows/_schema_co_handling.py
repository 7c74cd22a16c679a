"""The definition block of 主办/协办 (issue 17, 3): an item's lead unit (主办, its responsible
unit) and co-units (协办), each answerable for its own part (:class:`CoHandlingSpec`).

:class:`~zhenggai.workflows.schema.CampaignSetup` names it (``co_handling``) and the schema
re-exports it; absent, items have no co-units.
"""

from __future__ import annotations

from pydantic import Field

from ._spec import DayCount, Key, MessageKey, RoleKey, _Spec

__all__ = ["CoHandlingSpec", "PartDue"]


class PartDue(_Spec):
    """A part's due date when the office names none: ``days`` after the part is added, counted
    ``count``."""

    days: int = Field(ge=1, le=365)
    count: DayCount = "working"


class CoHandlingSpec(_Spec):
    """主办/协办: a role of ``decided_by`` adds a co-unit (协办单位) to an assigned or rectifying
    item with its part (分工) and the part's due date (given, else ``part_due``, else the
    item's own due date); a role of ``waived_by`` may waive an open part (免除). An open part
    runs on ``ladder`` (a ladder of subject ``part``) until the co-unit reports it done. The
    lead unit cannot submit the item for verification (guard ``co_parts_done``) while a part
    is open. ``assigned`` tells the co-unit of its part; ``part_done`` tells the lead unit (and
    the office) that a part was done or waived."""

    decided_by: list[RoleKey] = Field(min_length=1, max_length=10)
    waived_by: list[RoleKey] = Field(min_length=1, max_length=10)
    ladder: Key | None = None
    part_due: PartDue | None = None
    assigned: MessageKey = "co_unit_assigned"
    part_done: MessageKey = "co_part_done"
