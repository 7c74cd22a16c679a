"""Checks of the plan's people (issue 16): unit groups, contacts' tracks, 领衔, and duties owed
to the party that should receive them."""

from __future__ import annotations

from zhenggai.workflows.schema import CampaignSetup

from ._checks_common import DUTY_UNIT_SELECTORS
from .calendar import WorkingCalendar

__all__ = ["people_problems", "people_warnings"]


def people_problems(setup: CampaignSetup) -> list[str]:
    """Unit groups (members known units, not empty, no group in a group, no id shared with a
    unit or a selector; a track's lead unit not a group), contacts' tracks, 领衔's phase."""
    problems = _group_problems(setup)
    groups = {g.id for g in setup.unit_groups}
    for i, track in enumerate(setup.tracks):
        if track.units[0] in groups:
            problems.append(
                f"tracks[{i}].units[0]: 专项 {track.id}: 牵头单位须为具体单位, 不能是单位组 {track.units[0]}"
            )
    tracks = {t.id for t in setup.tracks}
    for i, unit in enumerate(setup.units):
        for k, contact in enumerate(unit.contacts):
            if contact.track is not None and contact.track not in tracks:
                problems.append(f"units[{i}].contacts[{k}].track: 未知专项 {contact.track}")
    phase = setup.leadership.phase if setup.leadership is not None else None
    if phase is not None and phase not in {p.id for p in setup.phases}:
        problems.append(f"leadership.phase: 未知阶段 {phase}")
    return problems


def _group_problems(setup: CampaignSetup) -> list[str]:
    problems: list[str] = []
    units = {u.id for u in setup.units}
    groups = {g.id for g in setup.unit_groups}
    seen: set[str] = set()
    for i, group in enumerate(setup.unit_groups):
        path = f"unit_groups[{i}]"
        if group.id in seen:
            problems.append(f"{path}.id: 单位组 {group.id} 重复定义")
        seen.add(group.id)
        if group.id in units:
            problems.append(f"{path}.id: 单位组 {group.id} 与单位同名 (单位组不是单位, 请改用另一标识)")
        if group.id in DUTY_UNIT_SELECTORS:
            problems.append(
                f"{path}.id: 单位组 {group.id} 与单位选择符 {group.id} ({DUTY_UNIT_SELECTORS[group.id]}) 同名"
            )
        if not group.units:
            problems.append(f"{path}.units: 单位组 {group.id} ({group.name}) 没有成员单位")
        for k, member in enumerate(group.units):
            if member in groups:
                problems.append(f"{path}.units[{k}]: 单位组 {group.id} 不能包含单位组 {member}")
            elif member not in units:
                problems.append(f"{path}.units[{k}]: 单位组 {group.id}: 未知单位 {member}")
    return problems


def people_warnings(setup: CampaignSetup, calendar: WorkingCalendar) -> list[str]:
    """A duty laid on ``lead_units`` owed to the tracks' own ``leader_role`` (the 组长 would
    report to himself: the lead unit is the 组长's own), unless the duty also notifies that
    role (a report the lead unit makes to its track's 组长, routed to that 组长 only, is meant)."""
    leader_roles = {t.leader_role for t in setup.tracks if t.leader_role is not None}
    warnings = [
        f"duties[{i}].to: 职责 {duty.id} 由各专项牵头单位承担, 却报给专项整治工作组组长 ({duty.to}):"
        " 组长可能向自己报告; 请核对实施方案 (如报领导小组办公室); 确为牵头单位向本专项组长汇报的,"
        f" 请在 notify 中发给 {duty.to} (只送达本专项的组长)"
        for i, duty in enumerate(setup.duties)
        if "lead_units" in duty.units
        and duty.to in leader_roles
        and not any(n.to == duty.to for n in duty.notify)
    ]
    return warnings  # 领衔 decided by nobody: engine/_checks_unacted.py
