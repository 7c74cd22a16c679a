"""The operator's accounts and tokens (``/admin/accounts``, ``/admin/tokens``): list, add with
the password shown once, disable / enable, reset with the new password shown once, the access
log; issue a county system's API token (shown once) and revoke one. Only this workbench's
campaign's accounts and tokens are shown or touched."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response
from zhenggai.engine import AccountNotFound, AccountView, InvalidInputError, NewAccount, ZhenggaiError

from .._labels import Labels
from .._tables import format_time
from ._admin_common import Flash, Operator, admin_labels, refusal, render_admin
from ._auth import Web
from ._context import WebContext
from ._principal import Principal

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: The access log's kinds as the operator reads them.
LOG_KINDS: Mapping[str, str] = {
    "signed_in": "登录",
    "sign_in_failed": "登录失败",
    "signed_out": "退出登录",
    "session_expired": "会话过期",
    "session_refused": "会话被拒",
    "role_switched": "切换角色",
    "account_added": "新增账号",
    "account_disabled": "停用账号",
    "account_enabled": "启用账号",
    "password_reset": "重置密码",
    "token_issued": "签发令牌",
    "token_revoked": "吊销令牌",
    "token_refused": "令牌被拒",
}
_REASONS = {
    "unknown": "用户名不存在",
    "password": "密码错误",
    "disabled": "账号已停用",
    "locked": "账号已锁定",
}
LOG_ROWS = 100

RoleList = Annotated[list[str] | None, Form()]


# ------------------------------------------------------------------------------ showing


def _state(account: AccountView, web: WebContext) -> str:
    if account.disabled:
        return "已停用"
    if account.locked_until is not None and account.locked_until > web.engine.clock.now():
        return "已锁定"
    return "正常"


def _roles(roles: Sequence[str], labels: Labels) -> str:
    return "、".join(labels.role(r) for r in roles)


def _detail(entry: Mapping[str, Any], labels: Labels) -> str:
    detail = entry["detail"]
    parts = []
    if "reason" in detail:
        parts.append(_REASONS.get(detail["reason"], str(detail["reason"])))
    if detail.get("locked"):
        parts.append("已锁定")
    if "role" in detail:
        parts.append(f"角色 {labels.role(detail['role'])}")
    if "roles" in detail:
        parts.append(f"角色 {_roles(detail['roles'], labels)}")
    if detail.get("unit"):
        parts.append(f"单位 {labels.unit(detail['unit'])}")
    if detail.get("units"):
        parts.append("单位 " + "、".join(labels.unit(u) for u in detail["units"]))
    if "name" in detail:
        parts.append(f"令牌 {detail['name']}")
    if "by" in detail:
        parts.append(f"操作人 {detail['by']}")
    return "; ".join(parts)


def _log(web: WebContext, labels: Labels) -> list[dict[str, str]]:
    """The newest entries of the access log that concern this campaign's accounts and tokens
    (and failed sign-ins of unknown names)."""
    accounts = {a.id for a in web.accounts.accounts(web.campaign)}
    tokens = {t.id for t in web.accounts.tokens(web.campaign)}
    rows = []
    for entry in web.accounts.access_log(limit=LOG_ROWS * 5):
        mine = entry["account_id"] in accounts or entry["token_id"] in tokens
        if not mine and (entry["account_id"] is not None or entry["token_id"] is not None):
            continue
        rows.append(
            {
                "at": format_time(entry["at"], labels.tz),
                "kind": LOG_KINDS.get(entry["kind"], entry["kind"]),
                "username": entry["username"] or "",
                "remote": entry["remote"] or "",
                "detail": _detail(entry, labels),
            }
        )
        if len(rows) == LOG_ROWS:
            break
    return rows


def _accounts(web: WebContext, labels: Labels) -> dict[str, Any]:
    accounts = [
        {
            "view": a,
            "roles": _roles(a.roles, labels),
            "unit": labels.unit(a.unit),
            "state": _state(a, web),
            "created": format_time(a.created_at, labels.tz),
        }
        for a in web.accounts.accounts(web.campaign)
    ]
    return {"title": "账号管理", "accounts": accounts, "log": _log(web, labels)}


def _tokens(web: WebContext, labels: Labels) -> dict[str, Any]:
    tokens = [
        {
            "view": t,
            "roles": _roles(t.roles, labels),
            "units": "、".join(labels.unit(u) for u in t.units),
            "created": format_time(t.created_at, labels.tz),
            "used": format_time(t.last_used_at, labels.tz) or "从未使用",
        }
        for t in web.accounts.tokens(web.campaign)
    ]
    return {"title": "接口令牌", "tokens": tokens}


ACCOUNTS = "admin_accounts.html"
TOKENS = "admin_tokens.html"
_CONTEXTS = {ACCOUNTS: _accounts, TOKENS: _tokens}


def _page(
    request: Request,
    principal: Principal,
    web: WebContext,
    template: str,
    *,
    flashes: Sequence[Flash] = (),
    status_code: int = 200,
    shown: Mapping[str, str] | None = None,
    form: Mapping[str, Any] | None = None,
) -> Response:
    """The accounts or the tokens page; ``shown``: the password or token made just now."""
    labels = admin_labels(web)
    return render_admin(
        request,
        template,
        principal,
        flashes=flashes,
        status_code=status_code,
        secret=shown is not None,
        role_choices=[(k, v) for k, v in labels.roles.items() if k != "system"],
        units=list(labels.units.items()),
        shown=shown,
        form=form or {},
        **_CONTEXTS[template](web, labels),
    )


def _own(web: WebContext, username: str) -> AccountView:
    """An account of this workbench's campaign (another campaign's is not found here)."""
    account = web.accounts.account(username)
    if account.campaign != web.campaign:
        raise AccountNotFound(username)
    return account


# ------------------------------------------------------------------------------ accounts


@router.get("/admin/accounts")
def accounts_page(request: Request, principal: Operator, web: Web) -> Response:
    return _page(request, principal, web, ACCOUNTS)


@router.post("/admin/accounts")
def add_account(
    request: Request,
    principal: Operator,
    web: Web,
    username: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    roles: RoleList = None,
    unit: Annotated[str, Form()] = "",
) -> Response:
    form = {"username": username, "display_name": display_name, "roles": roles or [], "unit": unit}
    try:
        account, password = web.accounts.add(
            web.campaign,
            NewAccount(username, display_name, tuple(roles or ()), unit or None),
            by=principal.username or principal.name,
        )
    except ZhenggaiError as err:
        return _page(
            request, principal, web, ACCOUNTS, flashes=[("error", refusal(err))], status_code=422, form=form
        )
    return _page(
        request,
        principal,
        web,
        ACCOUNTS,
        flashes=[("ok", f"已新增账号 {account.username} ({account.display_name})")],
        shown={"username": account.username, "password": password},
    )


def _account_act(
    request: Request, principal: Principal, web: WebContext, username: str, act: str
) -> Response:
    by = principal.username or principal.name
    try:
        account = _own(web, username)
        if act == "disable":
            if account.id == principal.account_id:
                raise InvalidInputError("username", "不能停用自己正在使用的账号")
            web.accounts.disable(username, by=by)
            return _page(
                request, principal, web, ACCOUNTS, flashes=[("ok", f"已停用账号 {username}, 其会话已结束")]
            )
        if act == "enable":
            web.accounts.enable(username, by=by)
            return _page(request, principal, web, ACCOUNTS, flashes=[("ok", f"已启用账号 {username}")])
        password = web.accounts.reset(username, by=by)
    except ZhenggaiError as err:
        status = 404 if isinstance(err, AccountNotFound) else 422
        return _page(request, principal, web, ACCOUNTS, flashes=[("error", refusal(err))], status_code=status)
    return _page(
        request,
        principal,
        web,
        ACCOUNTS,
        flashes=[("ok", f"已重置账号 {username} 的密码, 其会话已结束")],
        shown={"username": username, "password": password},
    )


@router.post("/admin/accounts/{username}/disable")
def disable_account(request: Request, username: str, principal: Operator, web: Web) -> Response:
    return _account_act(request, principal, web, username, "disable")


@router.post("/admin/accounts/{username}/enable")
def enable_account(request: Request, username: str, principal: Operator, web: Web) -> Response:
    return _account_act(request, principal, web, username, "enable")


@router.post("/admin/accounts/{username}/reset")
def reset_account(request: Request, username: str, principal: Operator, web: Web) -> Response:
    return _account_act(request, principal, web, username, "reset")


# ------------------------------------------------------------------------------ tokens


@router.get("/admin/tokens")
def tokens_page(request: Request, principal: Operator, web: Web) -> Response:
    return _page(request, principal, web, TOKENS)


@router.post("/admin/tokens")
def issue_token(
    request: Request,
    principal: Operator,
    web: Web,
    name: Annotated[str, Form()] = "",
    roles: RoleList = None,
    units: RoleList = None,
) -> Response:
    form = {"name": name, "roles": roles or [], "units": units or []}
    try:
        token, secret = web.accounts.issue_token(
            web.campaign, name, roles or (), units or (), by=principal.username or principal.name
        )
    except ZhenggaiError as err:
        return _page(
            request, principal, web, TOKENS, flashes=[("error", refusal(err))], status_code=422, form=form
        )
    return _page(
        request,
        principal,
        web,
        TOKENS,
        flashes=[("ok", f"已签发令牌「{token.name}」")],
        shown={"name": token.name, "token": secret},
    )


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: int, principal: Operator, web: Web) -> Response:
    if token_id not in {t.id for t in web.accounts.tokens(web.campaign)}:
        return _page(
            request,
            principal,
            web,
            TOKENS,
            flashes=[("error", f"没有编号为 {token_id} 的令牌")],
            status_code=404,
        )
    token = web.accounts.revoke_token(token_id, by=principal.username or principal.name)
    return _page(request, principal, web, TOKENS, flashes=[("ok", f"已吊销令牌「{token.name}」")])
