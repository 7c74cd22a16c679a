"""The 督办 blocks of a generated definition (issue 17): 延期申请 (``extensions``) and 退单
(``send_back``), each drawn by a helper of its own for :func:`~.strategies.definitions`, valid
by construction: their roles are roles of the definition that are not bound to a unit (a unit
neither approves its own extension nor rules on its own send-back).
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st
from zhenggai.workflows.schema import (
    ExtensionSpec,
    LifecycleSpec,
    RoleSpec,
    SendBackSpec,
    SendBackWithin,
    TrackSpec,
    VocabularyEntry,
)

from ._drawing import _ids, _subset, labels


def _office_roles(roles: Sequence[RoleSpec]) -> list[str]:
    """The roles that may approve or rule: those not bound to a unit (the first role never is)."""
    return [r.id for r in roles if not r.unit_bound]


def _draw_extensions(
    draw: st.DrawFn, roles: Sequence[RoleSpec], tracks: Sequence[TrackSpec]
) -> ExtensionSpec | None:
    """Perhaps 延期申请: one to three approvers in a drawn order, the track's 组长 role among
    them when a track has a leader role that may approve; at most one to three per item; a
    reason list, sometimes."""
    if not draw(st.booleans()):
        return None
    office = _office_roles(roles)
    leaders: list[str] = sorted({t.leader_role for t in tracks if t.leader_role is not None} & set(office))
    chosen = _subset(draw, office, min_size=1, max_size=3)
    if len(leaders) > 0 and draw(st.booleans()):
        leader = draw(st.sampled_from(leaders))
        chosen = [leader, *(r for r in chosen if r != leader)][:3]
    approvers = draw(st.permutations(chosen))
    return ExtensionSpec(
        approvers=list(approvers),
        max_per_item=draw(st.integers(1, 3)),
        reasons=draw(st.lists(labels(8), max_size=3, unique=True)) if draw(st.booleans()) else [],
    )


def _draw_send_back(
    draw: st.DrawFn, roles: Sequence[RoleSpec], lifecycle: LifecycleSpec
) -> SendBackSpec | None:
    """Perhaps 退单, when a unit-bound role can send items back and the lifecycle has a 改派
    (a transition that sets the assignment and wants the unit changed) for the ruling."""
    reassigns = any(
        "set_assignment" in t.effects and "unit_changes" in t.guards for t in lifecycle.transitions
    )
    if not (reassigns and any(r.unit_bound for r in roles) and draw(st.booleans())):
        return None
    reasons = draw(_ids("b_", draw(st.integers(1, 4))))
    return SendBackSpec(
        label=draw(labels(4)),
        within=SendBackWithin(
            days=draw(st.integers(1, 5)), count=draw(st.sampled_from(["working", "calendar"]))
        ),
        reasons=[VocabularyEntry(id=r, label=draw(labels(8))) for r in reasons],
        clock=draw(st.sampled_from(["stops", "runs"])),
        ruled_by=_subset(draw, _office_roles(roles), min_size=1, max_size=2),
        flag_after=draw(st.integers(1, 3)),
    )
