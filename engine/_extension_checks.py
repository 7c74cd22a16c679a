"""What ``zhenggai check`` says about 延期申请 (``extensions``)."""

from __future__ import annotations

from zhenggai.workflows.schema import CampaignSetup

from ._checks_common import duplicates

__all__ = ["extension_problems"]


def extension_problems(setup: CampaignSetup) -> list[str]:
    """``extensions``: its approvers known roles, none twice and none bound to a unit (a unit
    does not approve its own extension); at least one extension per item; reason codes once."""
    spec = setup.extensions
    if spec is None:
        return []
    roles = {r.id: r for r in setup.roles}
    problems: list[str] = []
    for k, role in enumerate(spec.approvers):
        if role not in roles:
            problems.append(f"extensions.approvers[{k}]: 未知角色 {role}")
        elif roles[role].unit_bound:
            problems.append(f"extensions.approvers[{k}]: 角色 {role} 属于单位, 不能审批本单位的延期申请")
    if len(set(spec.approvers)) != len(spec.approvers):
        problems.append("extensions.approvers: 审批角色重复列出")
    if spec.max_per_item < 1:
        problems.append(f"extensions.max_per_item: 每个问题至多延期次数须至少为 1, 收到 {spec.max_per_item}")
    problems += duplicates("extensions.reasons", spec.reasons, "延期理由", with_id=False)
    return problems
