"""Files and the reporter: a 佐证材料's download (``/attachments/{id}``, on the engine's rules of
who may read it) and the custodian's page of an item's reporter (``/items/{id}/reporter``,
every read audited by the engine)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from ._auth import PagePrincipal, Web
from ._downloads import file_response
from ._page_data import page, refused
from ._visibility import visible_item

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/attachments/{attachment_id}")
def download(attachment_id: int, principal: PagePrincipal, web: Web) -> Response:
    view, data = web.engine.attachment(attachment_id, principal.actor)
    if view.campaign != web.campaign:
        return Response(status_code=404)
    return file_response(data, view.file_name, view.media_type)


@router.get("/items/{item_id}/reporter")
def reporter(request: Request, item_id: int, principal: PagePrincipal, web: Web) -> Response:
    """Only a role the definition lets read reporters (the custodian); anyone else: 403."""
    item = visible_item(web, principal, item_id)
    ops = web.engine.campaign_info(web.campaign, cached=True).lifecycle.operations
    if principal.role not in ops.get("read_reporter", ()):
        return refused(request, principal, "只有举报信息保管人可以查阅举报人信息")
    view = web.engine.read_reporter(item.id, principal.actor)
    return page(request, "reporter.html", principal, title="举报人信息", item=item, reporter=view)
