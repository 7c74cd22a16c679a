"""What every command shares: the database it opens, the campaign and actor it acts as, its JSON
and file-list output."""

from __future__ import annotations

import argparse
import contextlib
import contextvars
import getpass
import json
import os
import re
import socket
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from zhenggai.engine import Actor, Engine

from ._errors import CliError

__all__ = [
    "ActorTuple",
    "Command",
    "cli_origin",
    "open_engine",
    "print_rejection",
    "print_report_files",
    "shown_db",
]


ActorTuple = tuple[str, str, str | None]
Command = Callable[[argparse.Namespace, str, ActorTuple | None], int]


def _sqlite_file(db: str) -> Path | None:
    """The file a SQLite ``db`` (plain path or ``sqlite:///`` URL) names; None otherwise."""
    if "://" not in db:
        return Path(db).expanduser()
    match = re.match(r"sqlite(\+\w+)?:///(.*)$", db)
    if match is None:
        return None
    path = match.group(2).split("?", 1)[0]
    if not path or path == ":memory:":
        return None
    return Path(path)


def shown_db(db: str) -> str:
    """``db`` as it may be printed: any password hidden."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", db)


#: The engines of the command running now (:func:`command_engines`), by database: the names on
#: its command line are resolved and the command runs on one engine, which checked the schema
#: and read the campaigns in one read.
_SHARED: contextvars.ContextVar[dict[str, Engine] | None] = contextvars.ContextVar(
    "zhenggai_engines", default=None
)


@contextlib.contextmanager
def command_engines() -> Iterator[None]:
    """While one command runs: :func:`open_engine` of a database opened before gives the same
    engine (without a clock or reporter keys of its own), disposed when the command ends."""
    engines: dict[str, Engine] = {}
    token = _SHARED.set(engines)
    try:
        yield
    finally:
        _SHARED.reset(token)
        for engine in engines.values():
            engine.dispose()


@contextlib.contextmanager
def open_engine(
    db: str,
    *,
    create: bool = False,
    clock: Any = None,
    reporter_keys: Any = None,
    attachments: str | None = None,
) -> Iterator[Engine]:
    """An engine on ``db``, disposed afterwards. Unless ``create``, a SQLite file that does not
    exist is an error (rather than a new empty database next to a typo). ``reporter_keys``: for
    the commands that write or read a reporter's identity (:func:`._reporter.configured_keys`).
    Inside :func:`command_engines`, a plain one is the command's shared engine."""
    path = _sqlite_file(db)
    if not create and path is not None and not path.exists():
        raise CliError(f"数据库文件不存在: {path} (先运行 zhenggai init, 或用 --db / ZHENGGAI_DB 指明数据库)")
    shared = (
        _SHARED.get()
        if not create and clock is None and reporter_keys is None and attachments is None
        else None
    )
    if shared is not None and db in shared:
        yield shared[db]
        return
    # SQLite durability: FULL unless the operator chose otherwise (ZHENGGAI_DURABILITY=normal).
    # Every act is audited with the operating-system user and host it came from: until sign-in
    # (step 13) a claimed --role is only as good as the account that ran the command.
    engine = Engine(
        db,
        clock=clock,
        durability=os.environ.get("ZHENGGAI_DURABILITY", "full").strip().lower(),
        origin=cli_origin(),
        reporter_keys=reporter_keys,
        preload=shared is not None,
        # 佐证材料: --attachments, else ZHENGGAI_ATTACHMENTS, else beside a SQLite database file.
        attachments=attachments or os.environ.get("ZHENGGAI_ATTACHMENTS") or None,
    )
    if shared is not None:
        shared[db] = engine  # disposed by command_engines
        yield engine
        return
    try:
        yield engine
    finally:
        engine.dispose()


def cli_origin() -> dict[str, str]:
    """The operating-system user and host a CLI command runs as, for the audit trail."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER (some containers)
        user = f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return {"os_user": user[:100], "host": socket.gethostname()[:200]}


def _campaign_key(engine: Engine, given: str | None) -> str:
    """``given``, or the only campaign in the database."""
    if given:
        return engine.campaign(given).key
    campaigns = engine.campaigns()
    if not campaigns:
        raise CliError("数据库中还没有专项行动, 请先运行 zhenggai init")
    if len(campaigns) > 1:
        keys = "、".join(c.key for c in campaigns)
        raise CliError(f"数据库中有多个专项行动, 请用 --campaign 指明 (现有: {keys})")
    return campaigns[0].key


def _actor(actor: ActorTuple | None) -> Actor:
    assert actor is not None, "the parser resolves the actor of every command that acts"
    return Actor(*actor)


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def print_rejection(rejected: Any, as_json: bool) -> int:
    """A refused import (:class:`._import.IntakeRejected`): its notes, then ``错误: …:`` and every
    problem, one a line, on stderr (or all of it as JSON); exit code 1."""
    if as_json:
        _print_json(
            {
                "imported": 0,
                "problems": [p.to_dict() for p in rejected.problems],
                "ignored_columns": list(rejected.intake.ignored),
                "notes": list(rejected.intake.notes),
            }
        )
        return 1
    for note in (*rejected.intake.notes, *_ignored_note(rejected.intake.ignored)):
        print(note)
    print(f"错误: {rejected}:", file=sys.stderr)
    for problem in rejected.problems:
        print(str(problem), file=sys.stderr)
    return 1


def _ignored_note(ignored: Sequence[str]) -> list[str]:
    return [f"未导入的列: {'、'.join(ignored)}"] if ignored else []


def print_report_files(what: str, files: Sequence[Path]) -> None:
    """``已出具…: N 个文件`` and the files, one per line (also used by the demo)."""
    print(f"已出具{what}, 共 {len(files)} 个文件:")
    for path in files:
        print(f"  {path}")
