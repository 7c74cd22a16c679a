"""What every setup check shares: the recipient and unit vocabularies beyond roles, and the
helpers that find repeats, unknown references and ``notify`` lists."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from zhenggai.workflows.schema import UNIT_WILDCARDS, CampaignSetup, NotifySpec

__all__ = [
    "DUTY_UNIT_SELECTORS",
    "LADDER_RECIPIENTS",
    "PHASE_RECIPIENTS",
    "duplicates",
    "notify_lists",
    "notify_problems",
    "unknown",
]

#: Besides unit ids, who a duty can be laid on: every unit, the county-level units, every
#: track's lead unit (牵头单位).
DUTY_UNIT_SELECTORS: Mapping[str, str] = {**UNIT_WILDCARDS, "lead_units": "各专项整治牵头单位"}
#: Recipients (besides roles) of a ladder step: the unit answerable and its track's lead unit.
LADDER_RECIPIENTS = frozenset({"responsible_unit", "lead_unit"})
#: Recipients (besides roles) of a phase action's messages.
PHASE_RECIPIENTS = frozenset({"all_units", "lead_units"})


def duplicates(path: str, ids: Sequence[str], label: str, *, with_id: bool = True) -> list[str]:
    """One problem per repeated id, at the repeat."""
    problems: list[str] = []
    for i, value in enumerate(ids):
        if value in ids[:i]:
            where = f"{path}[{i}].id" if with_id else f"{path}[{i}]"
            problems.append(f"{where}: {label} {value} 重复定义")
    return problems


def unknown(
    path: str, values: Iterable[str], known: Mapping[str, object] | set[str], label: str
) -> list[str]:
    """One problem per value of ``values`` not in ``known``, at the value."""
    return [f"{path}[{k}]: 未知{label} {v}" for k, v in enumerate(values) if v not in known]


def notify_problems(
    path: str, notify: Sequence[NotifySpec], extra: frozenset[str], setup: CampaignSetup
) -> list[str]:
    """One problem per message of ``notify`` sent to neither a role nor one of ``extra``."""
    roles = {r.id for r in setup.roles}
    return [
        f"{path}[{k}].to: 未知接收方 {n.to}"
        for k, n in enumerate(notify)
        if n.to not in roles and n.to not in extra
    ]


def notify_lists(setup: CampaignSetup) -> Iterator[tuple[str, Sequence[NotifySpec]]]:
    """Every ``notify`` list of ``setup`` with its path."""
    for i, t in enumerate(setup.lifecycle.transitions):
        yield f"lifecycle.transitions[{i}].notify", t.notify
    for i, phase in enumerate(setup.phases):
        for when in ("on_start", "on_end"):
            for j, action in enumerate(getattr(phase, when)):
                yield f"phases[{i}].{when}[{j}].notify", action.notify
    for i, ladder in enumerate(setup.ladders):
        for j, step in enumerate(ladder.steps):
            yield f"ladders[{i}].steps[{j}].notify", step.notify
    for i, duty in enumerate(setup.duties):
        yield f"duties[{i}].notify", duty.notify
    yield "calendar.alert", setup.calendar.alert
