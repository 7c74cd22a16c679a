"""The web workbench's accounts and API tokens from the command line (issue 18), for the
operator on the server: ``zhenggai account add | import | list | disable | enable | reset | log``
and ``zhenggai token add | list | revoke``.

Roles are given by id or by the definition's Chinese name (``operator`` / 系统管理员 too), units
by key or name (:mod:`._names`). A password or token is printed once and never again: the
database keeps only its hash. These commands need the ``web`` extra (argon2); without it they
say what to install (:func:`need_web`). The file import and the roster seeding live in
:mod:`._account_import`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from zhenggai.engine import Accounts, AccountView, Engine, NewAccount, TokenView

from . import _names
from ._context import ActorTuple, _campaign_key, _print_json, cli_origin, open_engine
from ._errors import CliError
from ._labels import Labels
from ._tables import format_time, render_table

__all__ = [
    "ACCOUNT_COMMANDS",
    "OPERATOR_LABEL",
    "account_table",
    "need_web",
    "operator_name",
    "password_table",
    "role_choices",
]

OPERATOR_ROLE, OPERATOR_LABEL = "operator", "系统管理员"
WEB_EXTRA = "pip install 'zhenggai[web]'"
ONCE = "密码只显示这一次, 请当面或以安全方式交给本人; 忘记后用 zhenggai account reset 重置"

#: The access log's kinds, as officials read them.
LOG_KINDS: Mapping[str, str] = {
    "signed_in": "登录",
    "sign_in_failed": "登录失败",
    "signed_out": "退出登录",
    "session_expired": "会话过期",
    "session_refused": "会话被拒",
    "role_switched": "切换角色",
    "account_added": "添加账号",
    "account_disabled": "停用账号",
    "account_enabled": "启用账号",
    "password_reset": "重置密码",
    "token_issued": "签发令牌",
    "token_revoked": "吊销令牌",
    "token_refused": "令牌被拒",
}
#: Why a sign-in failed.
FAILURE_REASONS: Mapping[str, str] = {
    "unknown": "无此用户",
    "password": "密码错误",
    "locked": "账号锁定中",
    "disabled": "账号已停用",
}


def need_web(*modules: str) -> None:
    """Refuse in one Chinese line when the ``web`` extra is missing (argon2, FastAPI, uvicorn)."""
    import importlib

    for module in modules or ("argon2",):
        try:
            importlib.import_module(module)
        except ImportError:
            raise CliError(f"需要安装 web 组件 (缺少 {module}): {WEB_EXTRA}") from None


def operator_name() -> str:
    """Who changed an account, for the access log: the operating-system user of the CLI."""
    return f"命令行 {cli_origin()['os_user']}"


def role_choices(labels: Labels) -> dict[str, str]:
    """Role id → Chinese name of the roles an account may hold (the definition's and operator)."""
    return {**{k: v for k, v in labels.roles.items() if k != "system"}, OPERATOR_ROLE: OPERATOR_LABEL}


def _roles_text(roles: Sequence[str], labels: Labels) -> str:
    choices = role_choices(labels)
    return "、".join(choices.get(r, r) for r in roles)


def _state(account: AccountView, engine: Engine) -> str:
    if account.disabled:
        return "已停用"
    if account.locked_until is not None and account.locked_until > engine.clock.now():
        return "锁定中"
    return "正常"


def account_table(accounts: Sequence[AccountView], labels: Labels, engine: Engine) -> str:
    rows = [
        [
            str(a.id),
            a.username,
            a.display_name,
            _roles_text(a.roles, labels),
            labels.units.get(a.unit, a.unit) if a.unit else "",
            _state(a, engine),
            format_time(a.created_at, labels.tz),
        ]
        for a in accounts
    ]
    headers = ["编号", "用户名", "姓名", "角色", "单位", "状态", "创建时间"]
    return render_table(headers, rows, aligns=[">"] + ["<"] * 6)


def password_table(made: Sequence[tuple[AccountView, str]], labels: Labels) -> str:
    """用户名, 姓名, 角色, 单位, 密码: the new accounts with their passwords (printed once)."""
    rows = [
        [
            a.username,
            a.display_name,
            _roles_text(a.roles, labels),
            labels.units.get(a.unit, a.unit) if a.unit else "",
            password,
        ]
        for a, password in made
    ]
    return render_table(["用户名", "姓名", "角色", "单位", "密码"], rows)


def _account_json(account: AccountView) -> dict[str, Any]:
    return {
        "id": account.id,
        "campaign": account.campaign,
        "username": account.username,
        "display_name": account.display_name,
        "roles": list(account.roles),
        "unit": account.unit,
        "disabled": account.disabled,
        "locked_until": account.locked_until.isoformat() if account.locked_until else None,
        "created_at": account.created_at.isoformat(),
    }


def _token_json(token: TokenView) -> dict[str, Any]:
    return {
        "id": token.id,
        "campaign": token.campaign,
        "name": token.name,
        "prefix": token.prefix,
        "roles": list(token.roles),
        "units": list(token.units),
        "created_at": token.created_at.isoformat(),
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        "revoked": token.revoked,
    }


def _stdin_password() -> str:
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise CliError("标准输入中没有密码 (--password-stdin 读取一行)")
    return line


def resolve_roles(given: Sequence[str], labels: Labels) -> tuple[str, ...]:
    """Role ids of the roles ``given`` by id or Chinese name; one Chinese error for a miss."""
    choices = role_choices(labels)
    return tuple(_names.resolve("角色", text.strip(), choices) for text in given if text.strip())


def resolve_unit(given: str | None, labels: Labels) -> str | None:
    if given is None or not given.strip():
        return None
    return _names.resolve("单位", given.strip(), labels.units)


# ------------------------------------------------------------------------------ accounts


def cmd_account_add(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai account add: one account; its password printed once."""
    need_web()
    password = _stdin_password() if args.password_stdin else None
    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign)
        labels = Labels.load(engine, key)
        entry = NewAccount(
            args.username,
            args.name,
            resolve_roles(args.roles, labels),
            resolve_unit(args.unit, labels),
            password,
        )
        account, password = Accounts(engine).add(key, entry, by=operator_name())
    if args.json:
        _print_json(
            {"account": _account_json(account), "password": None if args.password_stdin else password}
        )
        return 0
    print(f"已添加账号 {account.username} ({account.display_name} · {_roles_text(account.roles, labels)})")
    if not args.password_stdin:
        print(f"密码: {password}")
        print(ONCE)
    return 0


def cmd_account_list(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai account list: the accounts (never their passwords)."""
    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign)
        labels = Labels.load(engine, key)
        accounts = Accounts(engine).accounts(key)
        if args.json:
            _print_json([_account_json(a) for a in accounts])
            return 0
        if not accounts:
            print("还没有登录账号 (用 zhenggai account add 或 zhenggai account import 添加)")
            return 0
        print(account_table(accounts, labels, engine))
    print(f"共 {len(accounts)} 个账号")
    return 0


def _switch(args: argparse.Namespace, db: str, verb: str) -> int:
    need_web()
    with open_engine(db) as engine:
        accounts = Accounts(engine)
        change = accounts.disable if verb == "停用" else accounts.enable
        account = change(args.username, by=operator_name())
    if args.json:
        _print_json(_account_json(account))
    else:
        tail = ", 其登录会话已全部结束" if verb == "停用" else ", 锁定已解除"
        print(f"已{verb}账号 {account.username} ({account.display_name}){tail}")
    return 0


def cmd_account_disable(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai account disable U: off at once, its sessions ended."""
    return _switch(args, db, "停用")


def cmd_account_enable(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai account enable U: on again, unlocked."""
    return _switch(args, db, "启用")


def cmd_account_reset(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai account reset U: a new password (printed once), unlocked, sessions ended."""
    need_web()
    given = _stdin_password() if args.password_stdin else None
    with open_engine(db) as engine:
        password = Accounts(engine).reset(args.username, given, by=operator_name())
    if args.json:
        _print_json({"username": args.username, "password": None if given else password})
        return 0
    print(f"已重置账号 {args.username} 的密码, 锁定已解除, 其登录会话已全部结束")
    if given is None:
        print(f"新密码: {password}")
        print(ONCE)
    return 0


def _log_detail(entry: Mapping[str, Any], labels: Labels | None) -> str:
    detail = entry["detail"]
    parts = []
    if entry["kind"] == "sign_in_failed" and detail.get("reason"):
        parts.append(FAILURE_REASONS.get(detail["reason"], detail["reason"]))
    if detail.get("locked"):
        parts.append("已锁定")
    if detail.get("role"):
        roles = role_choices(labels) if labels else {}
        parts.append(f"角色 {roles.get(detail['role'], detail['role'])}")
    if detail.get("name"):
        parts.append(f"令牌 {detail['name']}")
    if detail.get("by"):
        parts.append(f"由 {detail['by']}")
    return "; ".join(parts)


def cmd_account_log(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai account log: the access log, newest first."""
    if args.limit < 1:
        raise CliError("--limit 须为正整数")
    with open_engine(db) as engine:
        entries = Accounts(engine).access_log(limit=args.limit)
        campaigns = engine.campaigns()
        labels = Labels.load(engine, campaigns[0].key) if len(campaigns) == 1 else None
    if args.json:
        _print_json([{**e, "at": e["at"].isoformat()} for e in entries])
        return 0
    if not entries:
        print("访问日志为空")
        return 0
    import zoneinfo

    tz = labels.tz if labels else zoneinfo.ZoneInfo("Asia/Shanghai")
    rows = [
        [
            str(e["id"]),
            format_time(e["at"], tz),
            LOG_KINDS.get(e["kind"], e["kind"]),
            e["username"] or (f"令牌 {e['token_id']}" if e["token_id"] else ""),
            e["remote"] or "",
            _log_detail(e, labels),
        ]
        for e in entries
    ]
    print(render_table(["编号", "时间", "事项", "用户", "来源地址", "说明"], rows, aligns=[">"] + ["<"] * 5))
    print(f"共 {len(entries)} 条 (最新的在前)")
    return 0


# ------------------------------------------------------------------------------ tokens


def cmd_token_add(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai token add: a county system's token, printed once."""
    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign)
        labels = Labels.load(engine, key)
        roles = resolve_roles(args.roles, labels)
        units = tuple(u for u in (resolve_unit(text, labels) for text in args.units) if u)
        view, token = Accounts(engine).issue_token(key, args.name, roles, units, by=operator_name())
    if args.json:
        _print_json({"token": token, **_token_json(view)})
        return 0
    print(f"已签发令牌 {view.id} ({view.name} · {_roles_text(view.roles, labels)})")
    print(f"令牌: {token}")
    print("令牌只显示这一次, 请配置到该系统中 (请求头 Authorization: Bearer 令牌); 遗失后吊销并重新签发")
    return 0


def cmd_token_list(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai token list: the tokens by prefix (never the token)."""
    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign)
        labels = Labels.load(engine, key)
        tokens = Accounts(engine).tokens(key)
    if args.json:
        _print_json([_token_json(t) for t in tokens])
        return 0
    if not tokens:
        print("还没有 API 令牌 (用 zhenggai token add 签发)")
        return 0
    rows = [
        [
            str(t.id),
            t.name,
            f"{t.prefix}…",
            _roles_text(t.roles, labels),
            "、".join(labels.units.get(u, u) for u in t.units),
            format_time(t.last_used_at, labels.tz) or "未使用",
            "已吊销" if t.revoked else "有效",
        ]
        for t in tokens
    ]
    headers = ["编号", "名称", "前缀", "角色", "单位", "最近使用", "状态"]
    print(render_table(headers, rows, aligns=[">"] + ["<"] * 6))
    print(f"共 {len(tokens)} 个令牌")
    return 0


def cmd_token_revoke(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai token revoke ID: the token stops working at once."""
    with open_engine(db) as engine:
        view = Accounts(engine).revoke_token(args.token_id, by=operator_name())
    if args.json:
        _print_json(_token_json(view))
    else:
        print(f"已吊销令牌 {view.id} ({view.name}, {view.prefix}…)")
    return 0


ACCOUNT_COMMANDS = {
    "account_add": cmd_account_add,
    "account_list": cmd_account_list,
    "account_disable": cmd_account_disable,
    "account_enable": cmd_account_enable,
    "account_reset": cmd_account_reset,
    "account_log": cmd_account_log,
    "token_add": cmd_token_add,
    "token_list": cmd_token_list,
    "token_revoke": cmd_token_revoke,
}
