"""The building blocks of the definition strategies: labels and ids, sublists, notifications
and dates, and the two composite parts other parts refer to, the lifecycle and a ladder."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import TypeVar

from hypothesis import strategies as st
from zhenggai.engine.lifecycle import OPERATIONS, UNIT_RECIPIENTS
from zhenggai.workflows.schema import (
    LADDER_ACTIONS,
    LadderSpec,
    LadderStep,
    LifecycleSpec,
    NotifySpec,
    StateSpec,
    TimerSpec,
    TransitionSpec,
)

T = TypeVar("T")

_SUFFIX = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=6)
_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
_PUNCT = st.sampled_from(list(":#\"'{}[]-,&*!|>% ·、。"))
#: Punctuation that Jinja2 reads as its own syntax stays out of template text.
_PLAIN_PUNCT = st.sampled_from(list(":\"'[]-,&*!|> ·、。"))


def labels(max_size: int = 10, *, template_safe: bool = False) -> st.SearchStrategy[str]:
    """A Chinese label, sometimes with YAML-hostile punctuation inside, never blank at its ends
    (``template_safe``: without the braces, ``%`` and ``#`` Jinja2 would read as syntax)."""
    return st.tuples(
        st.text(alphabet=_CJK, min_size=1, max_size=max_size),
        st.text(alphabet=st.one_of(_CJK, _PLAIN_PUNCT if template_safe else _PUNCT), max_size=4),
        st.text(alphabet=_CJK, min_size=1, max_size=3),
    ).map(lambda parts: "".join(parts))


def _ids(prefix: str, count: int) -> st.SearchStrategy[list[str]]:
    """``count`` distinct ids of one kind (``u_ab``, ``u_x1`` …)."""
    return st.lists(_SUFFIX, min_size=count, max_size=count, unique=True).map(
        lambda xs: [f"{prefix}{x}" for x in xs]
    )


def _subset(
    draw: st.DrawFn, items: Sequence[T], *, min_size: int = 0, max_size: int | None = None
) -> list[T]:
    """A sublist of ``items`` in their order."""
    if not items:
        return []
    picked = draw(
        st.sets(
            st.sampled_from(range(len(items))),
            min_size=min(min_size, len(items)),
            max_size=len(items) if max_size is None else min(max_size, len(items)),
        )
    )
    return [items[i] for i in sorted(picked)]


def _notify(
    draw: st.DrawFn, messages: Sequence[str], recipients: Sequence[str], max_size: int = 3
) -> list[NotifySpec]:
    return draw(
        st.lists(
            st.builds(NotifySpec, message=st.sampled_from(messages), to=st.sampled_from(recipients)),
            max_size=max_size,
        )
    )


def _date(draw: st.DrawFn, low: dt.date, high: dt.date) -> dt.date:
    return low + dt.timedelta(days=draw(st.integers(0, max(0, (high - low).days))))


@st.composite
def _lifecycle(draw: st.DrawFn, roles: Sequence[str], messages: Sequence[str]) -> LifecycleSpec:
    """A lifecycle whose every state is reachable and can reach an end: a forward chain from
    the initial state to a closing final state, plus optional side transitions."""
    chain_len = draw(st.integers(2, 5))
    finals_len = draw(st.integers(1, 3))
    ids = draw(_ids("s_", chain_len + finals_len))
    chain, finals = ids[:chain_len], ids[chain_len:]
    states = [StateSpec(id=s, label=draw(labels(6))) for s in chain]
    states += [StateSpec(id=s, label=draw(labels(6)), final=True) for s in finals]
    order = draw(st.permutations(range(1, len(states))))  # initial first, the rest in any order
    states = [states[0], *(states[i] for i in order)]
    recipients = [*roles, *sorted(UNIT_RECIPIENTS)]
    counter = iter(range(1000))

    def transition(
        source: list[str], dest: str, guards: list[str], effects: list[str], after: TimerSpec | None = None
    ) -> TransitionSpec:
        return TransitionSpec(
            trigger=f"t{next(counter)}{draw(_SUFFIX)}",
            label=draw(labels(6)),
            source=source,
            dest=dest,
            roles=_subset(draw, roles, min_size=1),
            guards=guards,
            effects=effects,
            notify=_notify(draw, messages, recipients, 2),
            after=after,
        )

    transitions = [
        transition(
            [chain[0]], chain[1], _subset(draw, ["has_responsible_unit", "has_due"]), ["set_assignment"]
        )
    ]
    for here, there in itertools.pairwise(chain):
        guards = _subset(
            draw, ["has_measure", "all_measures_done", "actor_outside_unit", "has_due"], max_size=2
        )
        timer = draw(
            st.none()
            | st.builds(TimerSpec, days=st.integers(1, 30), count=st.sampled_from(["working", "calendar"]))
        )
        transitions.append(transition([here], there, guards, _subset(draw, ["record_verification"]), timer))
    close_guards = ["actor_outside_unit"] if draw(st.booleans()) else []
    transitions.append(transition([chain[-1]], finals[0], close_guards, ["record_close"]))
    if len(chain) > 2 and draw(st.booleans()):  # rework
        back_from = _subset(draw, chain[2:], min_size=1)
        transitions.append(transition(back_from, chain[1], ["has_reason"], ["clear_verification"]))
    if draw(st.booleans()):  # reassignment to another unit
        transitions.append(
            transition(
                _subset(draw, chain[1:], min_size=1),
                chain[1],
                ["unit_changes", *_subset(draw, ["due_not_passed"])],
                ["set_assignment"],
            )
        )
    if draw(st.booleans()):  # 回头看: reopen a closed item
        transitions.append(
            transition(
                [finals[0]],
                draw(st.sampled_from(chain[1:])),
                ["has_finding", *_subset(draw, ["due_not_passed"])],
                ["record_reopen"],
            )
        )
    if len(finals) > 1:  # dismissal
        transitions.append(
            transition(_subset(draw, chain, min_size=1), finals[1], ["has_reason"], ["record_dismissal"])
        )
    if len(finals) > 2:  # merge into another open item
        transitions.append(
            transition(_subset(draw, chain, min_size=1), finals[2], ["has_open_survivor"], ["record_merge"])
        )
    for _ in range(draw(st.integers(0, 2))):  # arbitrary extra edges from the vocabularies
        guards = draw(
            st.lists(
                st.sampled_from(
                    [
                        "has_responsible_unit",
                        "has_due",
                        "has_measure",
                        "all_measures_done",
                        "actor_outside_unit",
                        "has_finding",
                        "has_reason",
                        "unit_changes",
                        "due_not_passed",
                    ]
                ),
                max_size=2,
                unique=True,
            )
        )
        effects = draw(
            st.lists(
                st.sampled_from(["set_assignment", "record_verification", "clear_verification"]), max_size=1
            )
        )
        transitions.append(
            transition(_subset(draw, chain, min_size=1), draw(st.sampled_from(ids)), guards, effects)
        )
    return LifecycleSpec(
        id=f"l_{draw(_SUFFIX)}",
        initial=chain[0],
        states=states,
        transitions=transitions,
        operations={op: _subset(draw, roles, min_size=1) for op in OPERATIONS},
        measure_states=_subset(draw, chain[1:]),
    )


@st.composite
def _ladder(
    draw: st.DrawFn,
    ladder_id: str,
    subject: str,
    non_final: Sequence[str],
    messages: Sequence[str],
    recipients: Sequence[str],
) -> LadderSpec:
    """Steps strictly later one after the other; escalation actions rising, each at most once;
    ``notify`` steps anywhere."""
    count = draw(st.integers(1, 5))
    offsets = sorted(draw(st.sets(st.integers(-10, 30), min_size=count, max_size=count)))
    escalation = [a for a in LADDER_ACTIONS if a != "notify"]
    rising = _subset(draw, escalation, max_size=count)
    slots = sorted(draw(st.sets(st.sampled_from(range(count)), min_size=len(rising), max_size=len(rising))))
    actions = ["notify"] * count
    for slot, action in zip(slots, rising, strict=True):
        actions[slot] = action
    step_ids = draw(_ids("p_", count))
    return LadderSpec(
        id=ladder_id,
        label=draw(labels(8)),
        subject=subject,
        states=_subset(draw, non_final, min_size=1) if subject == "item" else [],
        steps=[
            LadderStep(
                id=step_ids[k],
                label=draw(labels(6)),
                offset=offsets[k],
                count=draw(st.sampled_from(["working", "calendar"])),
                action=actions[k],
                notify=_notify(draw, messages, recipients, 2),
                catch_up=draw(st.sampled_from(["collapse", "fire_late", "record_missed"])),
            )
            for k in range(count)
        ],
    )
