"""What ``zhenggai check`` says about 退单 (``send_back``)."""

from __future__ import annotations

from zhenggai.workflows.schema import CampaignSetup

from ._checks_common import duplicates, unknown

__all__ = ["send_back_problems"]


def send_back_problems(setup: CampaignSetup) -> list[str]:
    """``send_back``: its reasons named once each, its ruling roles known roles that are not
    bound to a unit (the office rules, not a unit on its own item), some unit-bound role to
    send items back, and its messages' templates (checked with every message use)."""
    spec = setup.send_back
    if spec is None:
        return []
    problems = duplicates("send_back.reasons", [r.id for r in spec.reasons], "退单理由")
    roles = {r.id: r for r in setup.roles}
    problems += unknown("send_back.ruled_by", spec.ruled_by, roles, "角色")
    for k, role in enumerate(spec.ruled_by):
        if role in roles and roles[role].unit_bound:
            problems.append(f"send_back.ruled_by[{k}]: 角色 {role} 属于单位, 不能审定本单位的退单")
    if not any(r.unit_bound for r in setup.roles):
        problems.append("send_back: 没有属于单位的角色 (unit_bound), 无人可以退单")
    if not any(
        "set_assignment" in t.effects and "unit_changes" in t.guards for t in setup.lifecycle.transitions
    ):
        problems.append(
            "send_back: 流程没有改派环节 (effects: set_assignment, guards: unit_changes), 退单审定无法改派"
        )
    return problems
