"""What ``zhenggai check`` says about 领导批示 (``instructions``)."""

from __future__ import annotations

from zhenggai.workflows.schema import CampaignSetup

from ._checks_common import duplicates, unknown

__all__ = ["instruction_problems"]


def instruction_problems(setup: CampaignSetup) -> list[str]:
    """``instructions``: its recording and leader roles known (none twice), the leaders not
    bound to a unit (a unit does not instruct itself), its channel one of the definition's
    channels; its message's template is checked with every message use."""
    spec = setup.instructions
    if spec is None:
        return []
    roles = {r.id: r for r in setup.roles}
    problems = unknown("instructions.recorded_by", spec.recorded_by, roles, "角色")
    problems += unknown("instructions.leaders", spec.leaders, roles, "角色")
    problems += duplicates("instructions.recorded_by", spec.recorded_by, "角色", with_id=False)
    problems += duplicates("instructions.leaders", spec.leaders, "角色", with_id=False)
    for k, role in enumerate(spec.leaders):
        if role in roles and roles[role].unit_bound:
            problems.append(f"instructions.leaders[{k}]: 角色 {role} 属于单位, 不是作出批示的领导")
    if spec.channel is not None and spec.channel not in {c.id for c in setup.channels}:
        problems.append(f"instructions.channel: 未知来源渠道 {spec.channel}")
    return problems
