"""What a principal may see, for the API and the pages alike: a unit-bound principal sees only
its unit's items and those it co-handles (协办); another unit's item is "not found" to it (it is
not told the item exists). Everyone else (the office, the county roles) sees the campaign."""

from __future__ import annotations

from zhenggai.engine import ItemNotFound, ItemView

from ._context import WebContext
from ._principal import Principal

__all__ = ["co_handled", "sees_item", "visible_item"]


def co_handled(web: WebContext, principal: Principal) -> set[int]:
    """The items the principal's unit co-handles (协办 parts, open or settled)."""
    if not principal.unit_bound or principal.unit is None:
        return set()
    return {part.item_id for part in web.engine.parts(web.campaign, unit=principal.unit)}


def sees_item(web: WebContext, principal: Principal, item: ItemView) -> bool:
    """The item is this principal's to see: anyone not unit-bound; a unit its own items and those
    it co-handles."""
    if item.campaign != web.campaign:
        return False
    if principal.sees_unit(item.unit):
        return True
    return any(p.unit in principal.units for p in web.engine.parts(web.campaign, item_id=item.id))


def visible_item(web: WebContext, principal: Principal, item_id: int) -> ItemView:
    """The item, or :class:`ItemNotFound` (404) when it is not of this campaign or not this
    principal's to see."""
    item = web.engine.item(item_id)
    if not sees_item(web, principal, item):
        raise ItemNotFound(item_id)
    return item
