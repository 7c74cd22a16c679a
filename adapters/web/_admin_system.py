"""The operator's calendar years and dead letters (``/admin/calendar``, ``/admin/outbox``).

The calendar page lists the years the database counts working days in (the package's, and those
loaded), says which of this year and next are missing and how many steps wait for a year
(待日历), and loads a year from an uploaded file the way ``zhenggai calendar load`` does (the
same checks; the file's SHA-256 kept). The outbox page lists the campaign's dead letters with
their last error and re-queues one, or all of them (``zhenggai outbox retry``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path, PurePath
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from starlette.responses import Response
from zhenggai.engine import ZhenggaiError

from .._calendar import calendar_rows
from .._outbox import LOCAL
from .._tables import format_time
from ._admin_common import Flash, Operator, admin_labels, refusal, render_admin
from ._auth import Web
from ._context import WebContext
from ._principal import Principal

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: Read no more of an upload than this (a year's notice is a page of text; the loader itself
#: refuses a file over 64 KiB with its own message).
MAX_CALENDAR_UPLOAD = 256 * 1024


# ------------------------------------------------------------------------------ calendar


def _calendar_page(
    request: Request,
    principal: Principal,
    web: WebContext,
    *,
    flashes: Sequence[Flash] = (),
    status_code: int = 200,
    problems: Sequence[str] = (),
) -> Response:
    views = web.engine.calendar_years()
    known = {v.year for v in views if v.in_force}
    this_year = web.engine.clock.now().astimezone(admin_labels(web).tz).year
    return render_admin(
        request,
        "admin_calendar.html",
        principal,
        title="工作日历",
        flashes=flashes,
        status_code=status_code,
        rows=calendar_rows(views),
        last=max(known) if known else None,
        missing=[y for y in (this_year, this_year + 1) if y not in known],
        awaiting=web.engine.status().awaiting_calendar,
        problems=problems,
    )


@router.get("/admin/calendar")
def calendar_page(request: Request, principal: Operator, web: Web) -> Response:
    return _calendar_page(request, principal, web)


@router.post("/admin/calendar")
def load_calendar(
    request: Request,
    principal: Operator,
    web: Web,
    file: Annotated[UploadFile | None, File()] = None,
    replace: Annotated[str, Form()] = "",
) -> Response:
    from zhenggai.workflows import load_calendar_year

    name = PurePath(file.filename or "").name if file is not None else ""
    data = file.file.read(MAX_CALENDAR_UPLOAD + 1) if file is not None else b""
    if not name or not data:
        return _calendar_page(
            request, principal, web, flashes=[("error", "请选择节假日安排文件 (.yaml)")], status_code=422
        )
    if len(data) > MAX_CALENDAR_UPLOAD:
        return _calendar_page(
            request,
            principal,
            web,
            flashes=[("error", "文件过大 (超过 256 KB): 不是一年的节假日安排")],
            status_code=422,
        )
    waiting = web.engine.status().awaiting_calendar
    with tempfile.TemporaryDirectory(prefix="zg-calendar-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            checked = load_calendar_year(path)
            view = web.engine.load_calendar_year(
                checked.spec, principal.actor, replace=bool(replace), sha256=checked.sha256
            )
        except ZhenggaiError as err:
            lines = [line.replace(str(path), name) for line in getattr(err, "problems", ())]
            message = refusal(err).replace(str(path), name).splitlines()[0]
            return _calendar_page(
                request, principal, web, flashes=[("error", message)], status_code=422, problems=lines
            )
    armed = waiting - web.engine.status().awaiting_calendar
    said = [
        (
            "ok",
            f"已载入 {view.year} 年节假日安排: {view.source}" + (f" ({view.notice})" if view.notice else ""),
        )
    ]
    said.append(("ok", f"待日历的督办步骤: {armed} 个已按新日历启用" if armed else "没有待日历的督办步骤"))
    said.append(
        (
            "ok",
            "按规则计算的整改时限不会自动改变; 请运行 "
            + "; ".join(f"zhenggai campaign recompute --campaign {c.key}" for c in web.engine.campaigns()),
        )
    )
    return _calendar_page(request, principal, web, flashes=said)


# ------------------------------------------------------------------------------ outbox


def _outbox_page(
    request: Request,
    principal: Principal,
    web: WebContext,
    *,
    flashes: Sequence[Flash] = (),
    status_code: int = 200,
) -> Response:
    dead: list[dict[str, Any]] = [
        {"view": m, "created": format_time(m.created_at, LOCAL)}
        for m in web.engine.outbox(web.campaign, status="dead")
    ]
    return render_admin(
        request,
        "admin_outbox.html",
        principal,
        title="死信",
        flashes=flashes,
        status_code=status_code,
        dead=dead,
    )


@router.get("/admin/outbox")
def outbox_page(request: Request, principal: Operator, web: Web) -> Response:
    return _outbox_page(request, principal, web)


@router.post("/admin/outbox/retry")
def retry_all(request: Request, principal: Operator, web: Web) -> Response:
    done = web.engine.outbox_retry(None, campaign=web.campaign)
    said = f"已重新排队 {len(done)} 条死信" if done else "没有死信需要重发"
    return _outbox_page(request, principal, web, flashes=[("ok", said)])


@router.post("/admin/outbox/{outbox_id}/retry")
def retry_one(request: Request, outbox_id: int, principal: Operator, web: Web) -> Response:
    if outbox_id not in {m.id for m in web.engine.outbox(web.campaign, status="dead")}:
        return _outbox_page(
            request,
            principal,
            web,
            flashes=[("error", f"消息 {outbox_id} 不是本专项行动的死信")],
            status_code=404,
        )
    web.engine.outbox_retry([outbox_id])
    return _outbox_page(request, principal, web, flashes=[("ok", f"已重新排队消息 {outbox_id}")])
