"""The commands of 领导批示 (issue 17): ``zhenggai item instruct`` (``Engine.record_instruction``)
and the instruction ``zhenggai item add`` carries (:func:`instruction_of`)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from zhenggai.engine import InstructionView, LeaderInstruction

from ._context import ActorTuple, _actor, _print_json, open_engine
from ._errors import CliError

__all__ = ["INSTRUCTION_COMMANDS", "instruction_line", "instruction_of"]


def _leader(value: str) -> int | str:
    """A contact id given as digits, else a leader's name."""
    return int(value) if value.strip().isdigit() else value


def instruction_of(args: argparse.Namespace) -> LeaderInstruction | None:
    """The instruction ``item add`` was given (all three of its options, or none)."""
    leader: str | None = getattr(args, "leader", None)
    day: str | None = getattr(args, "instruction_date", None)
    text: str | None = getattr(args, "instruction", None)
    if leader is None and day is None and text is None:
        return None
    if leader is None or day is None or text is None:
        raise CliError("领导批示须同时给出 --leader、--instruction-date 和 --instruction")
    return LeaderInstruction(_leader(leader), day, text)


def instruction_line(views: Sequence[InstructionView]) -> str:
    """An item's instructions on one line (empty when none)."""
    return "; ".join(f"{v.leader} {v.given_on.isoformat()}: {v.text}" for v in views)


def cmd_item_instruct(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai item instruct ID --leader NAME --date DATE --text …: record a 领导批示."""
    with open_engine(db) as engine:
        view = engine.record_instruction(
            args.item_id, _actor(actor), leader=_leader(args.leader), given_on=args.given_on, text=args.text
        )
    if args.json:
        _print_json(view.to_dict())
    else:
        print(
            f"已记录领导批示 {view.id} (问题 {view.item_id}): {view.leader} {view.given_on.isoformat()}: {view.text}"
        )
    return 0


INSTRUCTION_COMMANDS = {"item_instruct": cmd_item_instruct}
