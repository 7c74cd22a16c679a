"""Deciding who acts on a request (issue 18).

- An API request carries ``Authorization: Bearer zgt_…`` (a county system's token) and may
  choose, among the token's grants, the role and unit it acts in with the headers
  ``X-Zhenggai-Role`` / ``X-Zhenggai-Unit`` (defaults: the token's first role; for a unit-bound
  role its only unit).
- A browser carries the session cookie :data:`SESSION_COOKIE` (HttpOnly, SameSite=Lax); an
  unsafe request (POST, PUT, PATCH, DELETE) must echo the session's CSRF token in the form
  field ``csrf_token`` or the header ``X-CSRF-Token`` (a synchronizer token: a forged form from
  another site cannot know it).

The seam for single sign-on (OIDC / CAS): a callback route maps the identity provider's user to
an account and calls :meth:`Accounts.open_session` (``method="oidc"``), then sets the same
cookie as ``/login`` does; everything after that (CSRF, expiry, the actor) is the same.
"""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.exceptions import HTTPException
from zhenggai.engine import SessionView, SignInRefused, TokenView

from ._context import WebContext, web_context
from ._principal import Principal

__all__ = [
    "SESSION_COOKIE",
    "ApiPrincipal",
    "PagePrincipal",
    "SignInRequired",
    "Web",
    "api_principal",
    "page_principal",
    "principal_from_session",
    "principal_from_token",
]

SESSION_COOKIE = "zg_session"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class SignInRequired(HTTPException):
    """A page asked for without a live session: the handler redirects to the sign-in page."""

    def __init__(self, next_url: str, reason: str) -> None:
        super().__init__(status_code=303, headers={"Location": f"/login?next={quote(next_url)}&why={reason}"})


def remote_of(request: Request) -> str | None:
    return request.client.host if request.client else None


def principal_from_session(context: WebContext, session: SessionView) -> Principal:
    account = session.account
    bound = session.role in context.accounts.unit_bound_roles(account.campaign)
    units = (account.unit,) if account.unit else ()
    return Principal(
        kind="session",
        name=account.display_name,
        campaign=account.campaign,
        role=session.role,
        unit=account.unit,
        roles=account.roles,
        units=units,
        unit_bound=bound,
        csrf=session.csrf,
        account_id=account.id,
        username=account.username,
    )


def principal_from_token(
    context: WebContext, token: TokenView, role: str | None, unit: str | None
) -> Principal:
    role = role or token.roles[0]
    if role not in token.roles:
        raise SignInRefused("role", role)
    bound = role in context.accounts.unit_bound_roles(token.campaign)
    if unit is not None and unit not in token.units:
        raise SignInRefused("role", unit)
    if unit is None and (bound or len(token.units) == 1) and token.units:
        unit = token.units[0]
    return Principal(
        kind="token",
        name=token.name,
        campaign=token.campaign,
        role=role,
        unit=unit,
        roles=token.roles,
        units=token.units,
        unit_bound=bound,
        token_id=token.id,
    )


async def _check_csrf(request: Request, principal: Principal) -> None:
    if request.method not in UNSAFE:
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or principal.csrf is None or not hmac.compare_digest(sent, principal.csrf):
        raise SignInRefused("csrf")


async def api_principal(request: Request, context: Annotated[WebContext, Depends(web_context)]) -> Principal:
    """The principal of an API request: its bearer token, else its session (with CSRF)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = context.accounts.token(header[7:].strip(), remote=remote_of(request))
        principal = principal_from_token(
            context, token, request.headers.get("x-zhenggai-role"), request.headers.get("x-zhenggai-unit")
        )
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            raise SignInRefused("no_session")
        principal = principal_from_session(
            context, context.accounts.session(cookie, remote=remote_of(request))
        )
        await _check_csrf(request, principal)
    if principal.campaign != context.campaign:
        raise SignInRefused("role", f"账号属于活动 {principal.campaign}")
    request.state.principal = principal
    return principal


async def page_principal(request: Request, context: Annotated[WebContext, Depends(web_context)]) -> Principal:
    """The principal of a page: its session (with CSRF on forms), else a redirect to sign in."""
    cookie = request.cookies.get(SESSION_COOKIE)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if not cookie:
        raise SignInRequired(target, "no_session")
    try:
        session = context.accounts.session(cookie, remote=remote_of(request))
    except SignInRefused as err:
        raise SignInRequired(target, err.reason) from None
    principal = principal_from_session(context, session)
    await _check_csrf(request, principal)
    request.state.principal = principal
    return principal


#: Parameter types for handlers: ``def handler(principal: ApiPrincipal, web: Web)``.
ApiPrincipal = Annotated[Principal, Depends(api_principal)]
PagePrincipal = Annotated[Principal, Depends(page_principal)]
Web = Annotated[WebContext, Depends(web_context)]
