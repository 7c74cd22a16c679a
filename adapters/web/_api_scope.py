"""What a principal may see over the API: a unit-bound principal sees only its unit's items
and those it co-handles (协办); another unit's item is "not found" to it (it is not told the
item exists). Also the item's ETag, If-Match, and the opaque page cursor."""

from __future__ import annotations

import base64
import binascii

from zhenggai.engine import ItemNotFound, ItemView, PermissionDeniedError

from ._api_errors import InvalidRequest, PreconditionFailed
from ._context import WebContext
from ._principal import Principal

__all__ = [
    "co_handled",
    "decode_cursor",
    "encode_cursor",
    "etag",
    "expected_version",
    "require_unit",
    "visible_item",
]


def co_handled(web: WebContext, principal: Principal) -> set[int]:
    """The items the principal's unit co-handles (协办 parts, open or settled)."""
    if not principal.unit_bound or principal.unit is None:
        return set()
    return {part.item_id for part in web.engine.parts(web.campaign, unit=principal.unit)}


def sees_item(web: WebContext, principal: Principal, item: ItemView) -> bool:
    if item.campaign != web.campaign:
        return False
    return principal.sees_unit(item.unit) or item.id in co_handled(web, principal)


def visible_item(web: WebContext, principal: Principal, item_id: int) -> ItemView:
    """The item, or ``ItemNotFound`` when it is not of this campaign or not the principal's to see."""
    item = web.engine.item(item_id)
    if not sees_item(web, principal, item):
        raise ItemNotFound(item_id)
    return item


def require_unit(principal: Principal, unit: str | None, action: str = "查看") -> str | None:
    """A unit-bound principal asks only for its own unit (another unit: 403); None means its own."""
    if not principal.unit_bound:
        return unit
    if unit is not None and unit not in principal.units:
        raise PermissionDeniedError(
            principal.name, principal.role, action, f"只能{action}本单位 ({principal.unit}) 的数据"
        )
    return principal.unit


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(if_match: str | None, item: ItemView) -> int | None:
    """The version ``If-Match`` names (None: no precondition); a stale one is refused (412)."""
    if if_match is None:
        return None
    value = if_match.strip()
    if value == "*":
        return None
    value = value.removeprefix("W/")
    value = value.strip('"')
    if not value.isdigit() or int(value) != item.version:
        raise PreconditionFailed(item.id, if_match, item.version)
    return item.version


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if cursor is None or cursor == "":
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.isdigit():
        raise InvalidRequest("cursor", "翻页游标无效, 请使用上一页返回的 next")
    return int(text)
