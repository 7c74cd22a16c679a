"""The CLI's command table: each parser ``command`` name to the function that runs it.

Imported only when a command runs (it pulls in the engine). Each command takes the parsed
arguments, the database URL or path, and the actor (name, role, unit) for commands that act; it
prints its result and returns the exit code. Refusals are raised (``ZhenggaiError`` or
:class:`~zhenggai.adapters._errors.CliError`) and turned into one line by
:func:`zhenggai.adapters.cli.main`. The commands live by group in ``_cmd_items``,
``_cmd_outcomes`` and ``_cmd_campaign``; the operator, roster, reporter and calendar commands
are imported only when one of them runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from ._cmd_attachments import ATTACHMENT_COMMANDS
from ._cmd_callbacks import CALLBACK_COMMANDS
from ._cmd_campaign import (
    cmd_audit_anchor,
    cmd_audit_verify,
    cmd_campaign_migrate,
    cmd_campaign_recompute,
    cmd_demo,
    cmd_import,
    cmd_init,
    cmd_report,
    cmd_simulate,
)
from ._cmd_co_units import CO_UNIT_COMMANDS
from ._cmd_extensions import EXTENSION_COMMANDS
from ._cmd_instructions import INSTRUCTION_COMMANDS
from ._cmd_items import (
    cmd_document_add,
    cmd_document_fire,
    cmd_document_list,
    cmd_duplicate_list,
    cmd_duplicate_resolve,
    cmd_item_add,
    cmd_item_case,
    cmd_item_fire,
    cmd_item_lead,
    cmd_item_list,
    cmd_item_pause,
    cmd_item_resume,
    cmd_item_show,
    cmd_measure_add,
    cmd_measure_done,
)
from ._cmd_outcomes import (
    cmd_item_outcome,
    cmd_item_publish,
    cmd_mechanism_add,
    cmd_mechanism_list,
    cmd_mechanism_update,
    cmd_outcomes,
    cmd_practice_add,
    cmd_practice_list,
    cmd_practice_select,
)
from ._cmd_registers import REGISTER_COMMANDS
from ._cmd_research import cmd_item_research_done
from ._cmd_scores import SCORE_COMMANDS
from ._cmd_send_backs import SEND_BACK_COMMANDS
from ._cmd_webhooks import WEBHOOK_COMMANDS
from ._context import ActorTuple, Command, open_engine

__all__ = ["COMMANDS", "open_engine"]


def _work(name: str) -> Command:
    """A 回头看 / 督查 command of :mod:`zhenggai.adapters._cmd_work`, imported when it runs."""

    def run(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
        from ._cmd_work import WORK_COMMANDS

        return int(WORK_COMMANDS[name](args, db, actor))

    return run


def _ops(name: str) -> Command:
    """An operator command of :mod:`zhenggai.adapters._ops`, imported when it runs."""

    def run(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
        from ._ops import OPS_COMMANDS

        return int(OPS_COMMANDS[name](args, db, actor))

    return run


def _contacts(name: str) -> Command:
    """A roster command of :mod:`zhenggai.adapters._contacts`, imported when it runs."""

    def run(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
        from ._contacts import CONTACT_COMMANDS

        return int(CONTACT_COMMANDS[name](args, db, actor))

    return run


def _reporter(name: str) -> Command:
    """A reporter-identity command of :mod:`zhenggai.adapters._reporter`, imported when it runs."""

    def run(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
        from ._reporter import REPORTER_COMMANDS

        return int(REPORTER_COMMANDS[name](args, db, actor))

    return run


def _calendar(name: str) -> Command:
    """A calendar command of :mod:`zhenggai.adapters._calendar`, imported when it runs."""

    def run(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
        from ._calendar import CALENDAR_COMMANDS

        return int(CALENDAR_COMMANDS[name](args, db, actor))

    return run


def _accounts(name: str) -> Command:
    """An account, token or serve command (:mod:`._cmd_accounts`, :mod:`._serve`), imported when it runs."""

    def run(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
        if name == "serve":
            from ._serve import cmd_serve

            return int(cmd_serve(args, db, actor))
        if name == "account_import":
            from ._account_import import cmd_account_import

            return int(cmd_account_import(args, db, actor))
        from ._cmd_accounts import ACCOUNT_COMMANDS

        return int(ACCOUNT_COMMANDS[name](args, db, actor))

    return run


#: The command table: the parser's ``command`` names, explicitly (no dispatch by name).
COMMANDS: Mapping[str, Command] = {
    "init": cmd_init,
    "item_add": cmd_item_add,
    "item_list": cmd_item_list,
    "item_show": cmd_item_show,
    "item_fire": cmd_item_fire,
    "measure_add": cmd_measure_add,
    "measure_done": cmd_measure_done,
    "audit_verify": cmd_audit_verify,
    "audit_anchor": cmd_audit_anchor,
    "campaign_migrate": cmd_campaign_migrate,
    "campaign_recompute": cmd_campaign_recompute,
    "item_pause": cmd_item_pause,
    "item_resume": cmd_item_resume,
    "item_case": cmd_item_case,
    "item_lead": cmd_item_lead,
    "item_research_done": cmd_item_research_done,
    "document_add": cmd_document_add,
    "document_list": cmd_document_list,
    "document_fire": cmd_document_fire,
    "item_outcome": cmd_item_outcome,
    "item_publish": cmd_item_publish,
    "mechanism_add": cmd_mechanism_add,
    "mechanism_list": cmd_mechanism_list,
    "mechanism_update": cmd_mechanism_update,
    "practice_add": cmd_practice_add,
    "practice_list": cmd_practice_list,
    "practice_select": cmd_practice_select,
    **REGISTER_COMMANDS,
    **EXTENSION_COMMANDS,
    **SCORE_COMMANDS,
    **ATTACHMENT_COMMANDS,
    **INSTRUCTION_COMMANDS,
    **SEND_BACK_COMMANDS,
    **CO_UNIT_COMMANDS,
    **CALLBACK_COMMANDS,
    **WEBHOOK_COMMANDS,
    "outcomes": cmd_outcomes,
    "duplicate_list": cmd_duplicate_list,
    "duplicate_resolve": cmd_duplicate_resolve,
    "import": cmd_import,
    "demo": cmd_demo,
    "report": cmd_report,
    "simulate": cmd_simulate,
    "run": _ops("run"),
    "status": _ops("status"),
    "follow_up_list": _work("follow_up_list"),
    "follow_up_done": _work("follow_up_done"),
    "supervision_visit": _work("supervision_visit"),
    "supervision_bulletin": _work("supervision_bulletin"),
    "duty_list": _ops("duty_list"),
    "duty_done": _ops("duty_done"),
    "outbox_list": _ops("outbox_list"),
    "outbox_show": _ops("outbox_show"),
    "outbox_retry": _ops("outbox_retry"),
    "outbox_send": _ops("outbox_send"),
    **{name: _calendar(name) for name in ("calendar_list", "calendar_show", "calendar_load")},
    **{name: _reporter(name) for name in ("item_reporter", "reporter_keygen", "reporter_rekey")},
    **{
        name: _contacts(name)
        for name in (
            "contact_add",
            "contact_list",
            "contact_update",
            "contact_remove",
            "contact_import",
            "contact_template",
        )
    },
    **{
        name: _accounts(name)
        for name in (
            "account_add",
            "account_import",
            "account_list",
            "account_disable",
            "account_enable",
            "account_reset",
            "account_log",
            "token_add",
            "token_list",
            "token_revoke",
            "serve",
        )
    },
}
