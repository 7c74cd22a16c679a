"""Checks of the blocks that make 回头看, 督查 and phase demands work (issue 16): whom each
phase demand is addressed to, the review ladder, the teams' units, the team of each contact;
and the warning when the teams' contacts do not add up to ``supervision.members``."""

from __future__ import annotations

from zhenggai.workflows.schema import CampaignSetup

from ._checks_common import PHASE_RECIPIENTS
from .calendar import WorkingCalendar

__all__ = ["work_problems", "work_warnings"]


def work_problems(setup: CampaignSetup) -> list[str]:
    return _demand_problems(setup) + _review_problems(setup) + _team_problems(setup)


def _demand_problems(setup: CampaignSetup) -> list[str]:
    known = {r.id for r in setup.roles} | {u.id for u in setup.units} | PHASE_RECIPIENTS
    return [
        f"phases[{i}].demands[{j}].to[{k}]: 未知角色或单位 {to}"
        for i, phase in enumerate(setup.phases)
        for j, demand in enumerate(phase.demands)
        if not isinstance(demand, str)
        for k, to in enumerate(demand.to)
        if to not in known
    ]


def _review_problems(setup: CampaignSetup) -> list[str]:
    rule = setup.follow_up
    problems: list[str] = []
    ladders = {ladder.id: ladder for ladder in setup.ladders}
    if rule is not None and rule.ladder is not None:
        ladder = ladders.get(rule.ladder)
        if ladder is None:
            problems.append(f"follow_up.ladder: 未知督办阶梯 {rule.ladder}")
        elif ladder.subject != "review":
            problems.append(f"follow_up.ladder: 督办阶梯 {rule.ladder} 不是回头看督办阶梯 (subject: review)")
    roles = {r.id for r in setup.roles}
    for i, ladder in enumerate(setup.ladders):
        if ladder.subject != "review":
            continue
        if rule is None or rule.ladder != ladder.id:
            problems.append(f"ladders[{i}].subject: 回头看督办阶梯 {ladder.id} 须由 follow_up.ladder 引用")
        for j, step in enumerate(ladder.steps):
            for k, n in enumerate(step.notify):
                if n.to not in roles:
                    problems.append(
                        f"ladders[{i}].steps[{j}].notify[{k}].to: 回头看不通知被抽查单位, 只能通知角色 (收到 {n.to})"
                    )
    return problems


def _team_problems(setup: CampaignSetup) -> list[str]:
    rule = setup.supervision
    problems: list[str] = []
    teams = rule.teams if rule is not None else 0
    for i, unit in enumerate(setup.units):
        for j, contact in enumerate(unit.contacts):
            if contact.team is None:
                continue
            path = f"units[{i}].contacts[{j}].team"
            if rule is None or contact.role != rule.role:
                problems.append(f"{path}: 只有督查组成员 (supervision.role) 才分督查组")
            elif contact.team > teams:
                problems.append(f"{path}: 只有 {teams} 个督查组, 没有第 {contact.team} 组")
    return problems + (_supervision_problems(setup) if rule is not None else [])


def _supervision_problems(setup: CampaignSetup) -> list[str]:
    rule = setup.supervision
    assert rule is not None
    problems: list[str] = []
    if rule.channel is not None and rule.channel not in {c.id for c in setup.channels}:
        problems.append(f"supervision.channel: 未知渠道 {rule.channel}")
    if rule.channel is None:
        problems.append("supervision.channel: 须指定督查发现问题登记的来源渠道 (如 明察暗访)")
    if rule.track is not None and rule.track not in {t.id for t in setup.tracks}:
        problems.append(f"supervision.track: 未知专项 {rule.track}")
    if rule.team_units:
        if len(rule.team_units) != rule.teams:
            problems.append(f"supervision.team_units: 须为 {rule.teams} 个督查组各列出抽调单位")
        listed = [u for units in rule.team_units for u in units]
        for u in listed:
            if u not in rule.drawn_from:
                problems.append(f"supervision.team_units: {u} 不在抽调单位 (drawn_from) 之中")
        for u in rule.drawn_from:
            if listed.count(u) != 1:
                problems.append(f"supervision.team_units: 抽调单位 {u} 须恰好属于一个督查组")
    if rule.teams < 2:
        problems.append("supervision.teams: 督查组所在单位须由别的督查组督查, 至少要 2 个督查组")
    return problems


def work_warnings(setup: CampaignSetup, calendar: WorkingCalendar) -> list[str]:
    """The teams' contacts in the definition against ``supervision.members`` and ``teams``."""
    rule = setup.supervision
    if rule is None:
        return []
    members = [c for u in setup.units for c in u.contacts if c.role == rule.role]
    warnings: list[str] = []
    if members and len(members) != rule.members:
        warnings.append(
            f"supervision.members: 督查组成员 {rule.members} 人, 通讯录中有 {len(members)} 人 ({rule.role})"
        )
    unassigned = [c for c in members if c.team is None]
    if unassigned:
        warnings.append(f"supervision.teams: {len(unassigned)} 名督查组成员未分组 (team), 收不到抽签通知")
    return warnings
