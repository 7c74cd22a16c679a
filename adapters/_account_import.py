"""``zhenggai account import FILE | --from-roster``: many accounts at once, all or none.

The file (.xlsx or .csv, read by the machinery of ``zhenggai import``: the header found in the
top rows, problems located as ``第N行 [列名]: 原因``) has the columns 用户名, 姓名, 角色 (several
separated by 、 or ,) and 单位 (by name or key). ``--from-roster`` makes one account per live
contact of the roster (通讯录) that has none yet: the username is the contact's mobile, else
its mailbox; its role the contact's role when the definition has it, else 责任单位 for the
contact's unit. New passwords are printed once, or written to a new file (0600).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from zhenggai.engine import Accounts, AccountView, Engine, InvalidInputError, NewAccount

from . import _import
from ._cmd_accounts import ONCE, need_web, operator_name, password_table, resolve_roles, resolve_unit
from ._context import ActorTuple, _campaign_key, _print_json, open_engine, print_rejection
from ._errors import CliError
from ._import import WHOLE_ROW, Column, Intake, IntakeRejected, Problem
from ._labels import Labels
from ._reporter import new_private_file

__all__ = ["ACCOUNT_COLUMNS", "cmd_account_import", "roster_entries"]

ACCOUNT_COLUMNS: tuple[Column, ...] = (
    Column("用户名", "username", True, "登录用的用户名, 不含空格", ("账号", "登录名")),
    Column("姓名", "display_name", True, "姓名", ("联系人",)),
    Column("角色", "roles", True, "角色名称或标识, 多个用 、 或 , 分隔; 第一个为默认角色"),
    Column("单位", "unit", False, "所属单位 (名称或标识); 责任单位等角色必填", ("所属单位",)),
)
_SPLIT = re.compile(r"[、,，;；]+")
#: The role a plain contact of a unit (通讯录 联系人) is given.
UNIT_ROLE = "responsible"


def _file_entries(engine: Engine, key: str, path: Path) -> list[tuple[int, NewAccount]]:
    """(row number, account) of every row of ``path``; :class:`IntakeRejected` with every problem."""
    labels = Labels.load(engine, key)
    table = _import.read_table(path)
    header_row, columns, ignored, problems = _import.header_of(table, ACCOUNT_COLUMNS, path=path)
    headers = {name: text for name, (_, text) in columns.items()}

    def rejected(found: Sequence[Problem]) -> IntakeRejected:
        return _import.rejection(path, table, header_row, columns, ignored, found, "账号")

    if problems:
        raise rejected(problems)
    entries: list[tuple[int, NewAccount]] = []
    for number, cells in _import.data_rows(table, header_row, columns, path=path):
        text = {
            field: _import._plain(cells.get(field)) for field in ("username", "display_name", "roles", "unit")
        }
        found = [
            Problem(number, headers.get(field, field), "不能为空")
            for field in ("username", "display_name", "roles")
            if not text[field]
        ]
        roles: tuple[str, ...] = ()
        unit = None
        try:
            roles = resolve_roles(_SPLIT.split(text["roles"]), labels)
        except CliError as err:
            found.append(Problem(number, headers["roles"], str(err)))
        try:
            unit = resolve_unit(text["unit"], labels)
        except CliError as err:
            found.append(Problem(number, headers.get("unit", "单位"), str(err)))
        problems.extend(found)
        if not found:
            entries.append((number, NewAccount(text["username"], text["display_name"], roles, unit)))
    if problems:
        raise rejected(problems)
    return entries


def roster_entries(engine: Engine, key: str) -> tuple[list[NewAccount], int]:
    """An account for every live contact without one (by username), and how many contacts
    were left out for having neither mobile nor mailbox."""
    labels = Labels.load(engine, key)
    roles = set(labels.roles) - {"system"}
    taken = {a.username for a in Accounts(engine).accounts()}
    out: list[NewAccount] = []
    skipped = 0
    for contact in engine.contacts(key):
        username = contact.mobile or contact.email
        if not username:
            skipped += 1
            continue
        if username in taken:
            continue
        taken.add(username)
        role = contact.role if contact.role in roles else UNIT_ROLE
        out.append(NewAccount(username, contact.name, (role,), contact.unit))
    return out, skipped


def _located(err: InvalidInputError, rows: Sequence[int], usernames: Mapping[str, int]) -> Problem:
    """The engine's refusal of entry N (``第 N 条: …``) or of a username taken, at its row."""
    match = re.match(r"第 (\d+) 条: (.*)", err.reason)
    if match and 0 < int(match.group(1)) <= len(rows):
        return Problem(rows[int(match.group(1)) - 1], WHOLE_ROW, match.group(2))
    taken = [usernames[name] for name in re.split(r"[,\s]+", err.reason.split(":")[-1]) if name in usernames]
    return Problem(min(taken) if taken else 0, "用户名" if taken else WHOLE_ROW, err.reason)


@contextlib.contextmanager
def _secret_file(path: Path | None):  # type: ignore[no-untyped-def]
    """A new file only its owner reads (0600), removed again when the import fails."""
    if path is None:
        yield None
        return
    fd = new_private_file(path, "密码文件")
    handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
    try:
        yield handle
    except BaseException:
        handle.close()
        path.unlink(missing_ok=True)
        raise
    handle.close()


def cmd_account_import(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai account import FILE | --from-roster: all or none; passwords printed once."""
    need_web()
    if bool(args.file) == bool(args.from_roster):
        raise CliError("请给出账号清单文件, 或 --from-roster (二者选一)")
    out_path = Path(args.passwords_out).expanduser() if args.passwords_out else None
    with open_engine(db) as engine:
        key = _campaign_key(engine, args.campaign)
        labels = Labels.load(engine, key)
        skipped = 0
        if args.file:
            try:
                located = _file_entries(engine, key, Path(args.file))
            except IntakeRejected as rejected:
                return print_rejection(rejected, args.json)
        else:
            entries, skipped = roster_entries(engine, key)
            located = [(number, entry) for number, entry in enumerate(entries, start=1)]
        if not located:
            print(f"通讯录中的联系人都已有账号, 未添加 (没有手机和邮箱的 {skipped} 人除外)")
            return 0
        rows = [number for number, _ in located]
        with _secret_file(out_path) as secrets_out:
            try:
                made = Accounts(engine).add_many(key, [e for _, e in located], by=operator_name())
            except InvalidInputError as err:
                if not args.file:
                    raise
                usernames = {e.username: n for n, e in located}
                problem = _located(err, rows, usernames)
                intake = Intake(Path(args.file), None, 1, (), (problem,), (), ())
                return print_rejection(IntakeRejected([problem], intake, "账号"), args.json)
            if secrets_out is not None:
                secrets_out.write("用户名,姓名,密码\n")
                secrets_out.writelines(f"{a.username},{a.display_name},{p}\n" for a, p in made)
    return _show_made(args, made, labels, out_path, skipped)


def _show_made(
    args: argparse.Namespace,
    made: Sequence[tuple[AccountView, str]],
    labels: Labels,
    out_path: Path | None,
    skipped: int,
) -> int:
    if args.json:
        _print_json(
            {
                "imported": len(made),
                "accounts": [
                    {"username": a.username, "password": None if out_path else p, "id": a.id} for a, p in made
                ],
                "passwords_out": str(out_path) if out_path else None,
                "skipped_without_address": skipped,
            }
        )
        return 0
    print(f"已添加 {len(made)} 个账号")
    if skipped:
        print(f"通讯录中 {skipped} 人没有手机和邮箱, 未建账号")
    if out_path is not None:
        print(f"密码已写入 {out_path} (仅本人可读; 交付后请删除)")
        return 0
    print(password_table(made, labels))
    print(ONCE)
    return 0
