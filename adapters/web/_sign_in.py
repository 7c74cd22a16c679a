"""Signing in and out (pages ``/login``, ``/logout``, ``/role``)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response
from zhenggai.engine import SignInRefused

from ._auth import SESSION_COOKIE, PagePrincipal, principal_from_session, remote_of
from ._context import web_context
from ._principal import Principal
from ._render import OPERATOR_ROLE, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_WHY = {"expired": "登录已过期, 请重新登录", "disabled": "账号已停用", "no_session": ""}


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host, no ``//``): no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


def home_of(principal: Principal) -> str:
    if principal.role == OPERATOR_ROLE:
        return "/admin"
    return "/inbox" if principal.unit_bound else "/office"


@router.get("/login")
def login_page(request: Request, next: str = "/", why: str = "") -> Response:
    return render(
        request, "login.html", title="登录", next=_safe_next(next), username="", message=_WHY.get(why, "")
    )


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    web = web_context(request)
    try:
        cookie, session = web.accounts.sign_in(username.strip(), password, remote=remote_of(request))
    except SignInRefused as err:
        status = 429 if err.reason == "locked" else 401
        return render(
            request,
            "login.html",
            title="登录",
            next=_safe_next(next),
            username=username,
            message=str(err),
            status_code=status,
        )
    if session.account.campaign != web.campaign:
        web.accounts.sign_out(cookie)
        return render(
            request,
            "login.html",
            title="登录",
            next="/",
            username=username,
            message="该账号不属于本工作台的专项行动",
            status_code=403,
        )
    target = _safe_next(next)
    if target == "/":
        target = home_of(principal_from_session(web, session))
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, cookie, httponly=True, samesite="lax", secure=web.settings.secure_cookies, path="/"
    )
    return response


@router.post("/logout")
def logout(request: Request, principal: PagePrincipal) -> Response:
    web = web_context(request)
    web.accounts.sign_out(request.cookies.get(SESSION_COOKIE, ""), remote=remote_of(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/role")
def switch_role(request: Request, role: Annotated[str, Form()], principal: PagePrincipal) -> Response:
    """Act in another of the account's roles (the choice is among its grants only)."""
    web = web_context(request)
    session = web.accounts.switch_role(request.cookies.get(SESSION_COOKIE, ""), role)
    return RedirectResponse(home_of(principal_from_session(web, session)), status_code=303)


@router.get("/")
def home(request: Request, principal: PagePrincipal) -> Response:
    return RedirectResponse(home_of(principal), status_code=303)
