"""Reporter identity commands (举报人信息加密保存): ``zhenggai reporter keygen | rekey`` and
``zhenggai item reporter ID``.

The reporter key is named in the configuration file's ``[reporter]`` section (``--config`` or
``ZHENGGAI_CONFIG``; see :mod:`zhenggai.notifications.config`); it is never in the database and
never printed, only its key id.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from zhenggai.engine import ReporterKeys

from ._context import ActorTuple, Command, _actor, _campaign_key, _print_json, open_engine
from ._errors import CliError

__all__ = ["REPORTER_COMMANDS", "configured_keys", "write_key_file"]


def configured_keys(config: str | None) -> ReporterKeys | None:
    """The reporter keys of ``config`` (or ``$ZHENGGAI_CONFIG``); None when neither names a
    configuration (the engine then refuses to seal or open, saying how to configure a key)."""
    from zhenggai.notifications.config import reporter_keys

    return reporter_keys(config)


def new_private_file(path: Path, what: str) -> int:
    """The descriptor of a new file ``path`` only its owner may read (mode 0600); an existing
    file is never overwritten. ``what`` names it in the refusal (密钥文件, 密码文件)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CliError(f"{what}已存在: {path} (不覆盖已有文件; 请换一个文件名)") from None
    except OSError as err:
        raise CliError(f"无法创建{what} {path}: {err.strerror}") from None
    return fd


def write_key_file(path: Path, text: str | None = None) -> str:
    """A new key (``text``, or a fresh one) in a new file ``path`` (mode 0600; an existing file
    is never overwritten); returns its key id."""
    text = text or ReporterKeys.new_key_text()
    fd = new_private_file(path, "密钥文件")
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, (text + "\n").encode("ascii"))
        os.fsync(fd)
    except OSError as err:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise CliError(f"无法写入密钥文件 {path}: {err.strerror}") from None
    os.close(fd)
    return ReporterKeys.from_text(text).current_id


def cmd_reporter_keygen(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai reporter keygen --out FILE: a new reporter key file (no database needed)."""
    path = Path(args.out).expanduser()
    key_id = write_key_file(path)
    if args.json:
        _print_json({"file": str(path), "key_id": key_id})
        return 0
    print(f"已生成举报人密钥: {path} (密钥编号 {key_id}; 文件权限 0600)")
    print(f'使用: 在配置文件 [reporter] 段写 key_file = "{path.resolve()}"')
    print("更换密钥: 原密钥文件移入 old_key_files, 再运行 zhenggai reporter rekey; 之后可删去原密钥")
    print("请另行安全备份此文件, 不要与数据库备份放在一起: 密钥遗失则它加密的举报人信息无法恢复")
    return 0


def cmd_reporter_rekey(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai reporter rekey: every identity sealed with the current key (after a rotation)."""
    keys = configured_keys(args.config)
    with open_engine(db, reporter_keys=keys) as engine:
        campaign = _campaign_key(engine, args.campaign) if args.campaign else None
        report = engine.rekey_reporters(campaign, _actor(actor))
    if args.json:
        _print_json(report.to_dict())
        return 0
    print(f"已重新加密举报人信息 (现用密钥 {report.key_id}; 专项行动 {'、'.join(report.campaigns) or '无'}):")
    print(
        f"  由旧密钥改用现用密钥 {report.resealed} 条, 原明文记录加密并清除明文 {report.sealed_plaintext} 条, "
        f"已是现用密钥 {report.unchanged} 条"
    )
    if report.resealed or report.sealed_plaintext:
        if report.scrubbed:
            print(
                "  数据库已整理: 被替换的旧内容不再留在数据库文件中 (此前的数据库备份仍含旧内容, 请按规定处置)"
            )
        else:
            print(
                "  注意: 数据库未能整理 (可能有其他程序正在使用): 被替换的旧内容可能仍留在数据库文件中, "
                "请在无人使用时再运行一次本命令, 或由管理员执行 VACUUM"
            )
    if campaign is None:
        print(
            "  全部专项行动的举报人信息都已使用现用密钥: 可从配置中删去旧密钥 (old_key_files / old_keys_env)"
        )
    return 0


def cmd_item_reporter(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item reporter ID: the custodian reads an item's reporter (audited)."""
    keys = configured_keys(args.config)
    with open_engine(db, reporter_keys=keys) as engine:
        view = engine.read_reporter(args.item_id, _actor(actor))
    if args.json:
        _print_json(None if view is None else view.to_dict())
        return 0
    if view is None:
        print(f"问题 {args.item_id} 没有举报人信息 (本次查阅已记入审计记录)")
        return 0
    fields: Mapping[str, Any] = {
        "姓名": view.name,
        "电话": view.phone,
        "联系方式": view.contact,
        "备注": view.note,
    }
    print(f"问题 {args.item_id} 的举报人信息 (保密; 本次查阅已记入审计记录):")
    for label, value in fields.items():
        print(f"  {label}  {value or ''}".rstrip())
    return 0


REPORTER_COMMANDS: Mapping[str, Command] = {
    "item_reporter": cmd_item_reporter,
    "reporter_keygen": cmd_reporter_keygen,
    "reporter_rekey": cmd_reporter_rekey,
}
