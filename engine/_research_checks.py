"""What ``zhenggai check`` says about 领衔调研 (``leadership.research``)."""

from __future__ import annotations

from zhenggai.workflows.schema import CampaignSetup

from ._checks_common import notify_problems

__all__ = ["RESEARCH_RECIPIENTS", "research_problems"]

#: Recipients (besides roles) of 领衔调研 messages: the item's 领衔领导 (that person only).
RESEARCH_RECIPIENTS = frozenset({"leader"})


def research_problems(setup: CampaignSetup) -> list[str]:
    """``leadership.research``: its role known, its due date within the campaign's phases (and
    not before 领衔 may be decided), its ladder a known ladder of subject ``research``, its
    messages to known recipients; a research ladder only where the leadership researches."""
    problems: list[str] = []
    research = setup.leadership.research if setup.leadership is not None else None
    if research is None:
        for i, ladder in enumerate(setup.ladders):
            if ladder.subject == "research":
                problems.append(
                    f"ladders[{i}].subject: 实施方案没有规定领衔调研 (leadership.research), 不能有领衔调研督办阶梯"
                )
        return problems
    assert setup.leadership is not None
    path = "leadership.research"
    roles = {r.id for r in setup.roles}
    if research.to not in roles:
        problems.append(f"{path}.to: 未知角色 {research.to}")
    if research.due is not None and setup.phases:
        first = min(p.start for p in setup.phases)
        last = max(p.end for p in setup.phases)
        if not first <= research.due <= last:
            problems.append(f"{path}.due: 领衔调研时限 {research.due} 不在专项行动期间 ({first} 至 {last})")
        phase = next((p for p in setup.phases if p.id == setup.leadership.phase), None)
        if phase is not None and research.due < phase.start:
            problems.append(
                f"{path}.due: 领衔调研时限 {research.due} 早于确定领衔的阶段 {phase.id} ({phase.start} 起)"
            )
    if research.ladder is not None:
        ladders = {ladder.id: ladder for ladder in setup.ladders}
        if research.ladder not in ladders:
            problems.append(f"{path}.ladder: 未知督办阶梯 {research.ladder}")
        elif ladders[research.ladder].subject != "research":
            problems.append(
                f"{path}.ladder: 督办阶梯 {research.ladder} 不是领衔调研督办阶梯 (subject: research)"
            )
    problems += notify_problems(f"{path}.notify", research.notify, RESEARCH_RECIPIENTS, setup)
    return problems
