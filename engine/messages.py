"""What each kind of message knows: the variables its template may use.

A message is queued by an item's or a document's transition, a ladder step, a duty reminder,
a phase action or a calendar alert (:func:`message_uses` lists every such place). Each
source hands the template a flat set of variables, listed here as the contract between the
engine (which fills them) and the definition's templates (checked against them when the file
is checked). None of them carries the reporter's identity: a template cannot leak what it is
never given.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from zhenggai.workflows.schema import CampaignSetup, TransitionSpec

__all__ = ["MESSAGE_SOURCES", "MessageUse", "message_uses", "transition_variables"]

#: Variables of every message about an item.
ITEM_VARIABLES = frozenset(
    {
        "campaign",
        "item_id",
        "title",
        "track",
        "track_name",
        "state",
        "state_label",
        "unit",
        "unit_name",
        "due",
        "due_weekday",
    }
)

#: Variables of a 红黄牌 notice (考核, engine/_scores.py).
SCORE_VARIABLES = frozenset(
    {
        "campaign",
        "month",
        "unit",
        "unit_name",
        "total",
        "card",
        "card_label",
        "rank",
        "units",
        "threshold",
        "terms",
    }
)

#: Variables by message source (transition variables also depend on the transition).
MESSAGE_SOURCES: Mapping[str, frozenset[str]] = {
    "transition": ITEM_VARIABLES | {"trigger", "trigger_label"},
    "ladder": ITEM_VARIABLES | {"step", "step_label", "action", "action_label", "days_overdue"},
    "duty": frozenset(
        {"campaign", "duty", "duty_label", "deliverable", "unit", "unit_name", "due", "due_weekday"}
    ),
    "phase": frozenset({"campaign", "phase", "phase_name", "phase_start", "phase_end", "demands"}),
    # The operator alert when steps wait for a year the calendar does not know (待日历).
    "calendar": frozenset({"campaign", "year", "steps", "first_due"}),
    # 规范性文件清理: a document's transitions and ladder steps.
    "document": frozenset(
        {
            "campaign",
            "document_id",
            "title",
            "doc_number",
            "state",
            "state_label",
            "unit",
            "unit_name",
            "due",
            "due_weekday",
            "trigger",
            "trigger_label",
        }
    ),
    # 回头看: a draw's message to the reviewers, a review task's ladder steps; 督查: a team's draw.
    "follow_up": frozenset({"campaign", "draw_day", "count", "due", "due_weekday", "items"}),
    "review_ladder": frozenset(
        {
            "campaign",
            "review_id",
            "item_id",
            "title",
            "unit_name",
            "draw_day",
            "due",
            "due_weekday",
            "step",
            "step_label",
            "action",
            "action_label",
            "days_overdue",
        }
    ),
    "supervision_draw": frozenset({"campaign", "draw_day", "team", "units", "focus"}),
    "document_ladder": frozenset(
        {
            "campaign",
            "document_id",
            "title",
            "doc_number",
            "state",
            "state_label",
            "unit",
            "unit_name",
            "due",
            "due_weekday",
            "step",
            "step_label",
            "action",
            "action_label",
            "days_overdue",
        }
    ),
}
#: 移送: an item landing with its channel's transfer unit, and the 初核 ladder's steps.
TRANSFER_VARIABLES = ITEM_VARIABLES | {
    "channel",
    "channel_label",
    "transfer_unit",
    "transfer_unit_name",
    "transfer_due",
    "transfer_due_weekday",
}
MESSAGE_SOURCES = {
    **MESSAGE_SOURCES,
    "transfer": TRANSFER_VARIABLES,
    "transfer_ladder": TRANSFER_VARIABLES | {"step", "step_label", "action", "action_label", "days_overdue"},
}
#: 领衔调研: the leader's research of an item (its due, its report), and its ladder's steps.
RESEARCH_VARIABLES = ITEM_VARIABLES | {
    "leader_name",
    "research_label",
    "deliverable",
    "research_due",
    "research_due_weekday",
    "research_note",
    "report_to",
}
MESSAGE_SOURCES = {
    **MESSAGE_SOURCES,
    "research": RESEARCH_VARIABLES,
    "research_ladder": RESEARCH_VARIABLES | {"step", "step_label", "action", "action_label", "days_overdue"},
}
#: 退单: a unit's send-back of an item (to the office) and the office's ruling (to the unit).
SEND_BACK_VARIABLES = ITEM_VARIABLES | {
    "send_back_id",
    "from_unit",
    "from_unit_name",
    "reason",
    "reason_label",
    "note",
    "send_back_count",
    "flagged",
    "decision",
    "decision_label",
    "ruling_note",
}
MESSAGE_SOURCES = {**MESSAGE_SOURCES, "send_backs": SEND_BACK_VARIABLES}
MESSAGE_SOURCES = {**MESSAGE_SOURCES, "scores": SCORE_VARIABLES}

#: 延期申请: the item's, the request's (old and new due date, reason, progress note), and the
#: decision so far (the approver told next, the outcome with its note).
EXTENSION_VARIABLES = ITEM_VARIABLES | {
    "extension_id",
    "old_due",
    "new_due",
    "reason",
    "progress",
    "approver",
    "outcome",
    "note",
}
MESSAGE_SOURCES = {**MESSAGE_SOURCES, "extension": EXTENSION_VARIABLES}

#: 协办: the item's, and the co-unit's part (its text, due date, state, note); a part's ladder
#: steps add the step's.
PART_VARIABLES = ITEM_VARIABLES | {
    "part_id",
    "co_unit",
    "co_unit_name",
    "part",
    "part_due",
    "part_due_weekday",
    "part_state_label",
    "part_note",
}
MESSAGE_SOURCES = {
    **MESSAGE_SOURCES,
    "part": PART_VARIABLES,
    "part_ladder": PART_VARIABLES | {"step", "step_label", "action", "action_label", "days_overdue"},
}
#: 领导批示: the item's and the instruction's (leader, day given, text); every transition's
#: messages also get ``instructions`` (the item's instructions as one text, empty when none:
#: the 交办 notice shows them).
INSTRUCTION_VARIABLES = ITEM_VARIABLES | {"instruction_id", "leader", "given_on", "instruction"}
MESSAGE_SOURCES = {
    **MESSAGE_SOURCES,
    "instruction": INSTRUCTION_VARIABLES,
    "transition": MESSAGE_SOURCES["transition"] | {"instructions"},
}
#: 回访: the item's variables and the callback task's (its due day, and once recorded its
#: result); never the reporter, never the custodian's note.
CALLBACK_VARIABLES = ITEM_VARIABLES | {
    "callback_id",
    "callback_due",
    "callback_due_weekday",
    "result",
    "result_label",
}
MESSAGE_SOURCES = {
    **MESSAGE_SOURCES,
    "callback": CALLBACK_VARIABLES,
    "callback_ladder": CALLBACK_VARIABLES | {"step", "step_label", "action", "action_label", "days_overdue"},
}

#: Input fields a transition passes on to its messages when it requires them.
_PASSED_ON = {"has_reason": "reason", "has_finding": "finding", "unit_changes": "from_unit"}


def transition_variables(spec: TransitionSpec) -> frozenset[str]:
    """The variables a message queued by ``spec`` gets: the item's, the trigger's, and the
    inputs the transition's guards make sure are there (理由, 回头看发现, 原责任单位)."""
    extra = {_PASSED_ON[g] for g in spec.guards if g in _PASSED_ON}
    return MESSAGE_SOURCES["transition"] | extra


class MessageUse:
    """One place a message kind is queued: its ``path`` in the definition and the variables
    its template gets there."""

    __slots__ = ("kind", "path", "variables")

    def __init__(self, kind: str, path: str, variables: frozenset[str]) -> None:
        self.kind = kind
        self.path = path
        self.variables = variables


def message_uses(setup: CampaignSetup) -> Iterator[MessageUse]:
    """Every place ``setup`` queues a message, in file order of the sections."""
    for i, t in enumerate(setup.lifecycle.transitions):
        variables = transition_variables(t)
        for k, n in enumerate(t.notify):
            yield MessageUse(n.message, f"lifecycle.transitions[{i}].notify[{k}].message", variables)
    yield from _phase_uses(setup)
    if setup.documents is not None:
        for i, t in enumerate(setup.documents.lifecycle.transitions):
            for k, n in enumerate(t.notify):
                yield MessageUse(
                    n.message,
                    f"documents.lifecycle.transitions[{i}].notify[{k}].message",
                    MESSAGE_SOURCES["document"],
                )
    yield from _ladder_uses(setup)
    for i, channel in enumerate(setup.channels):
        for k, n in enumerate(channel.transfer.notify if channel.transfer is not None else ()):
            yield MessageUse(
                n.message, f"channels[{i}].transfer.notify[{k}].message", MESSAGE_SOURCES["transfer"]
            )
    for i, duty in enumerate(setup.duties):
        for k, n in enumerate(duty.notify):
            yield MessageUse(n.message, f"duties[{i}].notify[{k}].message", MESSAGE_SOURCES["duty"])
    for k, n in enumerate(setup.calendar.alert):
        yield MessageUse(n.message, f"calendar.alert[{k}].message", MESSAGE_SOURCES["calendar"])
    if setup.follow_up is not None:
        yield MessageUse(setup.follow_up.message, "follow_up.message", MESSAGE_SOURCES["follow_up"])
    yield from _extension_uses(setup)
    if setup.supervision is not None:
        yield MessageUse(
            setup.supervision.message, "supervision.message", MESSAGE_SOURCES["supervision_draw"]
        )
    if setup.leadership is not None and "lead" in setup.lifecycle.operations:
        # 领衔: the leader is told of the item they lead (engine/_leadership.py).
        research = setup.leadership.research
        # with 领衔调研, the leader's message names its due date too (engine/_research.py)
        variables = ITEM_VARIABLES if research is None else RESEARCH_VARIABLES
        yield MessageUse("item_led", "lifecycle.operations.lead", variables)
        for k, n in enumerate(research.notify if research is not None else ()):
            yield MessageUse(
                n.message, f"leadership.research.notify[{k}].message", MESSAGE_SOURCES["research"]
            )

    yield from _send_back_uses(setup)
    yield from _co_handling_uses(setup)
    yield from _score_uses(setup)
    yield from _instruction_uses(setup)
    yield from _callback_uses(setup)


def _co_handling_uses(setup: CampaignSetup) -> Iterator[MessageUse]:
    """协办 (engine/_co_units.py): the co-unit told of its part, the lead of a part settled."""
    spec = setup.co_handling
    if spec is not None:
        yield MessageUse(spec.assigned, "co_handling.assigned", MESSAGE_SOURCES["part"])
        yield MessageUse(spec.part_done, "co_handling.part_done", MESSAGE_SOURCES["part"])


def _score_uses(setup: CampaignSetup) -> Iterator[MessageUse]:
    """考核: a carded unit's 一把手 told of its 黄牌/红牌 (engine/_scores.py)."""
    if setup.scoring is not None:
        yield MessageUse(setup.scoring.notify, "scoring.notify", MESSAGE_SOURCES["scores"])


def _callback_uses(setup: CampaignSetup) -> Iterator[MessageUse]:
    """回访 (engine/_callbacks.py): the custodian told of a callback to make, the unit of its result."""
    if setup.callbacks is not None:
        for field in ("requested", "recorded"):
            kind = getattr(setup.callbacks, field)
            yield MessageUse(kind, f"callbacks.{field}", MESSAGE_SOURCES["callback"])


def _send_back_uses(setup: CampaignSetup) -> Iterator[MessageUse]:
    """退单 (engine/_send_backs.py): the office told of a send-back, the unit of the ruling."""
    if setup.send_back is not None:
        for field in ("requested", "ruled"):
            kind = getattr(setup.send_back, field)
            yield MessageUse(kind, f"send_back.{field}", MESSAGE_SOURCES["send_backs"])


def _instruction_uses(setup: CampaignSetup) -> Iterator[MessageUse]:
    """领导批示 (engine/_instructions.py): the responsible unit told of an instruction."""
    if setup.instructions is not None:
        yield MessageUse(setup.instructions.notify, "instructions.notify", INSTRUCTION_VARIABLES)


def _extension_uses(setup: CampaignSetup) -> Iterator[MessageUse]:
    """延期申请: the next approver told of a request, the unit told of the outcome."""
    if setup.extensions is not None:
        yield MessageUse(setup.extensions.requested, "extensions.requested", EXTENSION_VARIABLES)
        yield MessageUse(setup.extensions.decided, "extensions.decided", EXTENSION_VARIABLES)


def _phase_uses(setup: CampaignSetup) -> Iterator[MessageUse]:
    """The messages of the phases' start and end actions."""
    for i, phase in enumerate(setup.phases):
        for when in ("on_start", "on_end"):
            for j, action in enumerate(getattr(phase, when)):
                for k, n in enumerate(action.notify):
                    yield MessageUse(
                        n.message, f"phases[{i}].{when}[{j}].notify[{k}].message", MESSAGE_SOURCES["phase"]
                    )


def _ladder_uses(setup: CampaignSetup) -> Iterator[MessageUse]:
    """The messages of the ladders' steps, with the variables of the ladder's subject (a duty
    ladder's also name the step and how many days the duty is overdue)."""
    for i, ladder in enumerate(setup.ladders):
        if ladder.subject == "document":
            source = MESSAGE_SOURCES["document_ladder"]
        elif ladder.subject == "review":
            source = MESSAGE_SOURCES["review_ladder"]
        elif ladder.subject == "transfer":
            source = MESSAGE_SOURCES["transfer_ladder"]
        elif ladder.subject == "research":
            source = MESSAGE_SOURCES["research_ladder"]
        elif ladder.subject == "part":
            source = MESSAGE_SOURCES["part_ladder"]
        elif ladder.subject == "callback":
            source = MESSAGE_SOURCES["callback_ladder"]
        else:
            source = MESSAGE_SOURCES["ladder" if ladder.subject == "item" else "duty"]
        if ladder.subject == "duty":
            source = source | {"step", "step_label", "action", "action_label", "days_overdue"}
        for j, step in enumerate(ladder.steps):
            for k, n in enumerate(step.notify):
                yield MessageUse(n.message, f"ladders[{i}].steps[{j}].notify[{k}].message", source)
