"""The ``zhenggai`` command line.

::

    zhenggai [--db PATH|URL] COMMAND …        # --db or ZHENGGAI_DB; default ./zhenggai.db
    zhenggai init [--definition county_2023|FILE] [--campaign KEY] [--start DATE | --to-year YEAR]
    zhenggai definition list | show NAME | shift NAME|FILE (--start DATE | --to-year YEAR) [--out FILE]
    zhenggai item add | list | show | fire | pause | resume | case | measure add | measure done
    zhenggai duplicate list | resolve ID --merge|--distinct     # 关联研判
    zhenggai document add | list | fire ID TRIGGER              # 规范性文件清理
    zhenggai item outcome ID [--root-cause T] [--accountability "姓名|职务|处理方式" …] [--mechanism ID …]
    zhenggai item reporter ID [--config FILE]                  # 举报人 (custodian; audited)
    zhenggai reporter keygen --out FILE | rekey [--campaign KEY] [--config FILE]   # 举报人密钥
    zhenggai item publish ID --where T --on DATE                # 典型案例通报曝光
    zhenggai mechanism add | list | update ID                   # 长效机制
    zhenggai practice add | list | select ID                    # 典型做法和创新案例
    zhenggai education add | list                               # 警示教育
    zhenggai commitment add | kept ID | broken ID | list        # 践诺
    zhenggai document compile --out PATH                        # 规范性文件汇编
    zhenggai outcomes [--campaign KEY] [--unit U] [--track T]   # 五个一批
    zhenggai audit verify [--campaign KEY]
    zhenggai duty list | done ID
    zhenggai contact add | list | update ID | remove ID | import FILE | template FILE   # 通讯录
    zhenggai run [--once] [--interval SECONDS]   # the scheduler daemon
    zhenggai status [--max-behind MINUTES]
    zhenggai import FILE.xlsx|FILE.csv [--campaign KEY]   # or: import --template FILE.xlsx
    zhenggai demo [--db PATH] [--keep] [--reports DIR]
    zhenggai report KIND --out DIR [--campaign KEY] [--unit U] [--track T] [--redact FILE]
                    [--actor NAME --role ROLE]   # registers: names of people held accountable
    zhenggai account add | import | list | disable | enable | reset | log   # 工作台登录账号
    zhenggai token add | list | revoke                                      # API 令牌
    zhenggai serve [--campaign KEY] [--port N] [--with-daemon] [--demo]    # 网页工作台

This module builds the top of the argument parser, resolves the actor and the database, and
turns outcomes into exit codes (:mod:`._errors`, where :class:`CliError` lives; it is re-exported
here). The subcommands are added by group in :mod:`._parser_items` and :mod:`._parser_ops`, in
Chinese through :mod:`._argparse_zh`. The commands live in :mod:`zhenggai.adapters._commands`
and are imported only once a command runs, so ``zhenggai --help`` and ``zhenggai <command>
--help`` never import SQLAlchemy, Alembic, transitions or pydantic (a test pins this).

Exit codes: 0 done; 1 a refused operation or failed check (one line on stderr starting with
``错误: ``; a definition error adds its located problems, one per line), or an unexpected
failure (``内部错误: …``; set ``ZHENGGAI_DEBUG=1`` for the traceback); 2 a usage error;
130 interrupted.

Output for officials is Chinese; ``--json`` gives machines the engine's views as JSON
(UTF-8, not ASCII-escaped).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from ._argparse_zh import _chinese_argparse, _Parser
from ._errors import CliError, exit_code, report_error
from ._parser_accounts import add_account_commands, add_serve_command
from ._parser_attachments import add_attachment_commands
from ._parser_callbacks import add_callback_commands
from ._parser_co_units import add_co_unit_commands
from ._parser_extensions import add_extension_commands
from ._parser_instructions import add_instruction_commands
from ._parser_items import (
    add_document_commands,
    add_duplicate_commands,
    add_item_commands,
    add_measure_commands,
    add_mechanism_commands,
    add_outcomes_command,
    add_practice_commands,
    add_reporter_commands,
)
from ._parser_ops import (
    add_audit_commands,
    add_calendar_commands,
    add_campaign_commands,
    add_completion_command,
    add_contact_commands,
    add_daemon_commands,
    add_demo_command,
    add_duty_commands,
    add_import_command,
    add_outbox_commands,
    add_report_command,
    add_setup_commands,
    add_simulate_command,
)
from ._parser_registers import add_commitment_commands, add_education_commands
from ._parser_scores import add_score_commands
from ._parser_send_backs import add_send_back_commands
from ._parser_webhooks import add_webhook_commands
from ._parser_work import add_work_commands

__all__ = ["CliError", "build_parser", "main"]

ENV_DB = "ZHENGGAI_DB"
ENV_ACTOR = "ZHENGGAI_ACTOR"
ENV_ROLE = "ZHENGGAI_ROLE"
ENV_UNIT = "ZHENGGAI_UNIT"
DEFAULT_DB = "zhenggai.db"


def build_parser(*, lazy: bool = False) -> argparse.ArgumentParser:
    """The whole command tree. Each leaf sets ``command`` to its name in the command table.

    With ``lazy`` (what :func:`main` uses) every command is listed with its help up front, but
    a command's own parser (its sub-commands and arguments) is built only when that command is
    named: ``zhenggai --help`` and ``zhenggai item list`` do not pay for 53 sub-commands."""
    parser = _Parser(
        prog="zhenggai",
        description="整改专项行动工作流引擎: 问题查摆、交办、整改、验收、销号、回头看, 全程留痕。",
        epilog="示例: zhenggai init; zhenggai item list; zhenggai demo",
    )
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        help=f"数据库: SQLite 文件路径或 SQLAlchemy URL (postgresql://…); 默认取环境变量 {ENV_DB}, "
        f"否则为当前目录下的 {DEFAULT_DB}",
    )
    options: dict[str, Any] = {"action": _LazyCommands} if lazy else {}
    commands = parser.add_subparsers(
        dest="group", metavar="COMMAND", required=True, parser_class=_Parser, **options
    )
    _add_commands(commands)
    return parser


def _add_commands(commands: Any) -> None:
    """Every command, in the order ``zhenggai --help`` lists them."""
    add_setup_commands(commands)
    item_cmds = add_item_commands(commands)
    add_duplicate_commands(commands)
    add_document_commands(commands)
    add_mechanism_commands(commands)
    add_practice_commands(commands)
    add_education_commands(commands)
    add_commitment_commands(commands)
    add_send_back_commands(commands, item_cmds)
    add_co_unit_commands(commands, item_cmds)
    add_outcomes_command(commands)
    add_measure_commands(item_cmds)
    add_extension_commands(commands, item_cmds)
    add_score_commands(commands)
    add_attachment_commands(commands)
    add_instruction_commands(item_cmds)
    add_callback_commands(commands)
    add_campaign_commands(commands)
    add_audit_commands(commands)
    add_duty_commands(commands)
    add_contact_commands(commands)
    add_work_commands(commands)
    add_calendar_commands(commands)
    add_reporter_commands(commands, item_cmds)
    add_outbox_commands(commands)
    add_webhook_commands(commands)
    add_daemon_commands(commands)
    add_simulate_command(commands)
    add_import_command(commands)
    add_demo_command(commands)
    add_report_command(commands)
    add_completion_command(commands)
    add_account_commands(commands)
    add_serve_command(commands)


class _Sink:
    """Stands in for the parsers of the commands not named: every call is accepted and
    dropped (``add_argument``, ``add_subparsers``, ``set_defaults``, ``choices["add"]``, …)."""

    def __getattr__(self, name: str) -> _Sink:
        return self

    def __getitem__(self, key: object) -> _Sink:
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> _Sink:
        return self


_SINK = _Sink()


class _LazyCommands(argparse._SubParsersAction):  # type: ignore[type-arg]
    """The top-level commands of :func:`build_parser` with ``lazy``: first every command's name
    and help are registered (the ``add_*`` functions run against :class:`_Sink` parsers); when
    argparse looks a command up (it was named, or ``_leaf_parser`` walks to it), the ``add_*``
    functions run again and only that command gets real parsers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._name_parser_map = self.choices = _LazyMap(self)
        self._wanted: str | None = None  # None: registering names and help

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        if self._wanted is None:
            if name in self._name_parser_map:
                raise argparse.ArgumentError(self, f"conflicting subparser: {name}")
            if "help" in kwargs:
                self._choices_actions.append(self._ChoicesPseudoAction(name, (), kwargs["help"]))
            dict.__setitem__(self._name_parser_map, name, None)
            return _SINK
        if name != self._wanted:
            return _SINK
        kwargs.pop("help", None)
        kwargs.setdefault("prog", f"{self._prog_prefix} {name}")
        parser = self._parser_class(**kwargs)
        dict.__setitem__(self._name_parser_map, name, parser)
        return parser

    def build(self, name: str) -> None:
        self._wanted = name
        try:
            _add_commands(self)
        finally:
            self._wanted = None


class _LazyMap(dict):  # type: ignore[type-arg]
    """Command name → parser, each built on first look-up."""

    def __init__(self, action: _LazyCommands) -> None:
        super().__init__()
        self._action = action

    def __getitem__(self, name: str) -> Any:
        parser = super().__getitem__(name)
        if parser is None:
            self._action.build(name)
            parser = super().__getitem__(name)
        return parser


def _completion(parser: argparse.ArgumentParser, shell: str) -> int:
    """``zhenggai completion bash|zsh``: the completion script (:mod:`shtab`) of ``parser``."""
    import shtab

    with _chinese_argparse():
        print(shtab.complete(parser, shell=shell, root_prefix="zhenggai"), end="")
    return 0


def resolve_actor(args: argparse.Namespace, parser: argparse.ArgumentParser) -> tuple[str, str, str | None]:
    """The acting person: ``--actor/--role/--as-unit``, or ``ZHENGGAI_ACTOR/ROLE/UNIT``.

    When ``--actor`` is given, role and unit come from the command line only, so a person
    named there never acts with the role or unit left in the environment for someone else.
    A missing name or role is a usage error (exit 2)."""
    if args.actor:  # a person named on the command line is not mixed with the environment's
        name, role, unit = args.actor, args.role or "", args.as_unit or None
    else:
        name = os.environ.get(ENV_ACTOR) or ""
        role = args.role or os.environ.get(ENV_ROLE) or ""
        unit = args.as_unit or os.environ.get(ENV_UNIT) or None
    missing = [flag for flag, value in (("--actor", name), ("--role", role)) if not value.strip()]
    if missing:
        parser.error(f"缺少操作人: 请给出 {' 和 '.join(missing)} (或设置环境变量 {ENV_ACTOR} / {ENV_ROLE})")
    return name, role, unit


def database(args: argparse.Namespace) -> str:
    """The database the global ``--db`` (or ``ZHENGGAI_DB``) names; ``zhenggai.db`` by default."""
    return str(args.db or os.environ.get(ENV_DB) or DEFAULT_DB)


def _leaf_parser(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The subcommand's own parser, so usage errors found after parsing show its usage."""
    path = [args.group] + [
        name
        for name in (
            getattr(args, "item_command", None),
            getattr(args, "measure_command", None),
            getattr(args, "audit_command", None),
            getattr(args, "definition_command", None),
            getattr(args, "campaign_command", None),
            getattr(args, "duty_command", None),
            getattr(args, "mechanism_command", None),
            getattr(args, "practice_command", None),
            getattr(args, "education_command", None),
            getattr(args, "commitment_command", None),
            getattr(args, "contact_command", None),
            getattr(args, "calendar_command", None),
            getattr(args, "reporter_command", None),
        )
        if name
    ]
    current = parser
    for name in path:
        action = next(a for a in current._actions if isinstance(a, argparse._SubParsersAction))
        current = action.choices[name]
    return current


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (the console script passes it to ``sys.exit``)."""
    parser = build_parser(lazy=True)
    try:
        args = parser.parse_args(argv)
        needs = getattr(args, "needs_actor", False)
        if needs == "if_given":  # an actor only when one is named (zhenggai report registers)
            needs = bool(args.actor or args.role or args.as_unit)
        actor = resolve_actor(args, _leaf_parser(parser, args)) if needs else None
    except SystemExit as stop:
        return exit_code(stop.code)
    try:
        if args.command == "completion":
            return _completion(build_parser(), args.shell)  # every command's parser
        if args.command in ("check", "definition_list", "definition_show", "definition_shift"):
            from ._check import COMMANDS as light  # no database, no SQLAlchemy import

            return int(light[args.command](args, database(args), actor))
        from ._commands import COMMANDS
        from ._context import command_engines
        from ._names import resolve_args

        with command_engines():  # the names and the command on one engine
            actor = resolve_args(args, database(args), actor)  # 县住建局 → housing_construction_bureau
            return COMMANDS[args.command](args, database(args), actor)
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return 1
    except SystemExit as stop:
        return exit_code(stop.code)
    except Exception as err:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        return report_error(err)


def _silence_stdout() -> None:
    """After the reader of a pipe went away (``zhenggai item list | head``): no second error
    when Python flushes stdout at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":  # python -m zhenggai.adapters.cli
    sys.exit(main())
