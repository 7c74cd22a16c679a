"""What ``zhenggai check`` says about 考核 / 红黄牌 (``scoring``)."""

from __future__ import annotations

from zhenggai.workflows.schema import SCORE_TERMS, CampaignSetup

__all__ = ["scoring_problems"]


def scoring_problems(setup: CampaignSetup) -> list[str]:
    """``scoring``: every term one the engine counts; the red card's line below the yellow
    card's; its notice to a known role bound to a unit (the carded unit's own holders, never
    every holder of the role); its message's template (checked with every message use)."""
    spec = setup.scoring
    if spec is None:
        return []
    problems = [
        f"scoring.terms.{term}: 未知考核项 {term} (可用: {', '.join(SCORE_TERMS)})"
        for term in spec.terms
        if term not in SCORE_TERMS
    ]
    problems += [
        f"scoring.caps.{term}: 考核项 {term} 未在 terms 中给出分值, 不能设上限"
        for term in spec.caps
        if term not in spec.terms
    ]
    problems += [
        f"scoring.caps.{term}: 上限须大于 0 (现为 {cap:g})" for term, cap in spec.caps.items() if cap <= 0
    ]
    if spec.cards.red >= spec.cards.yellow:
        problems.append(
            f"scoring.cards: 红牌分数线 ({spec.cards.red:g}) 须低于黄牌分数线 ({spec.cards.yellow:g})"
        )
    roles = {r.id: r for r in setup.roles}
    if spec.to not in roles:
        problems.append(f"scoring.to: 未知角色 {spec.to}")
    elif not roles[spec.to].unit_bound:
        problems.append(f"scoring.to: 角色 {spec.to} 不属于单位, 红黄牌通知须发给被亮牌单位的人员")
    return problems
