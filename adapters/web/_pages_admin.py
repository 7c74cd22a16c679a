"""The operator's pages (系统管理员, issue 18 point 3): ``/admin`` (overview), ``/admin/roster``,
``/admin/accounts``, ``/admin/tokens``, ``/admin/calendar``, ``/admin/outbox``.

Only a session acting in the role ``operator`` opens them (anyone else: the 403 page). Every
form carries the session's ``csrf_token``. A refused act shows the page again with one Chinese
message and changes nothing; a password or token is shown once, on the answer to the act that
made it, and never again (the page is not cached).

How the operator acts on the roster: the engine lets only a role of the definition's
``manage_contacts`` (county_2023: 领导小组办公室) change it, so the operator's account is
granted that role too (``roles: operator, leading_group_office``) and the roster pages act in
it, as ``Actor(display name, that role)`` — the grant decides, never a form field. An operator
account without such a role sees the roster read-only.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from . import _admin_accounts, _admin_roster, _admin_system
from ._admin_common import Operator, admin_labels, render_admin, roster_role
from ._auth import Web

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/admin")
def overview(request: Request, principal: Operator, web: Web) -> Response:
    labels = admin_labels(web)
    accounts = web.accounts.accounts(web.campaign)
    tokens = web.accounts.tokens(web.campaign)
    views = web.engine.calendar_years()
    unreachable = web.engine.unreachable(web.campaign)
    role = roster_role(web, principal)
    return render_admin(
        request,
        "admin_overview.html",
        principal,
        title="运维管理",
        campaign=labels.campaign,
        accounts=len(accounts),
        disabled=sum(1 for a in accounts if a.disabled),
        tokens=sum(1 for t in tokens if not t.revoked),
        contacts=len(web.engine.contacts(web.campaign)),
        unreachable=len(unreachable.units) + len(unreachable.roles),
        last_year=max((v.year for v in views if v.in_force), default=None),
        awaiting=web.engine.status().awaiting_calendar,
        dead=len(web.engine.outbox(web.campaign, status="dead")),
        roster_role=labels.role(role) if role else None,
    )


router.include_router(_admin_roster.router)
router.include_router(_admin_accounts.router)
router.include_router(_admin_system.router)
