"""What ``zhenggai check`` says about 主办/协办 (``co_handling``)."""

from __future__ import annotations

from zhenggai.workflows.schema import CampaignSetup

from ._checks_common import unknown

__all__ = ["PART_RECIPIENTS", "co_handling_problems"]

#: Recipients (besides roles) of a part ladder's messages: the co-unit and the lead unit.
PART_RECIPIENTS = frozenset({"co_unit", "responsible_unit"})
#: The lifecycle guard that keeps the lead from submitting while a part is open.
GUARD = "co_parts_done"


def co_handling_problems(setup: CampaignSetup) -> list[str]:
    """``co_handling``: its deciding and waiving roles known roles not bound to a unit (the
    office, not a unit on its own item), its ladder a known ladder of subject ``part``, some
    unit-bound role for the co-unit to act with, and some transition guarded by
    ``co_parts_done`` (else nothing waits for the parts). A part ladder no block names is a
    problem too. Its messages' templates are checked with every message use."""
    spec = setup.co_handling
    ladders = {ladder.id: ladder for ladder in setup.ladders}
    problems = [
        f"ladders[{i}].subject: 协办督办阶梯 {ladder.id} 须由 co_handling.ladder 引用"
        for i, ladder in enumerate(setup.ladders)
        if ladder.subject == "part" and (spec is None or spec.ladder != ladder.id)
    ]
    if spec is None:
        return problems
    roles = {r.id: r for r in setup.roles}
    for field in ("decided_by", "waived_by"):
        names = getattr(spec, field)
        problems += unknown(f"co_handling.{field}", names, roles, "角色")
        for k, role in enumerate(names):
            if role in roles and roles[role].unit_bound:
                problems.append(f"co_handling.{field}[{k}]: 角色 {role} 属于单位, 不能确定或免除协办分工")
    if spec.ladder is not None:
        ladder = ladders.get(spec.ladder)
        if ladder is None:
            problems.append(f"co_handling.ladder: 未知督办阶梯 {spec.ladder}")
        elif ladder.subject != "part":
            problems.append(f"co_handling.ladder: 督办阶梯 {spec.ladder} 不是协办督办阶梯 (subject: part)")
    if not any(r.unit_bound for r in setup.roles):
        problems.append("co_handling: 没有属于单位的角色 (unit_bound), 协办单位无人办理")
    if not any(GUARD in t.guards for t in setup.lifecycle.transitions):
        problems.append(f"co_handling: 流程没有带 {GUARD} 条件的环节, 主办单位提请验收不等协办分工完成")
    return problems
