"""The definition block of 考核 / 红黄牌 (issue 17, 7): how a unit's month is scored
(:class:`ScoringSpec`) and at which scores it is shown a yellow or a red card
(:class:`CardThresholds`).

:class:`~zhenggai.workflows.schema.CampaignSetup` names it (``scoring``); absent: no scoring.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field

from ._spec import MessageKey, RoleKey, _Spec

__all__ = ["SCORE_TERMS", "CardThresholds", "ScoringSpec"]

#: The terms a scoring rule may give points for, each counted per unit and month from what the
#: engine records (engine/_score_facts.py), with the name officials read.
SCORE_TERMS: Mapping[str, str] = {
    "closed_on_time": "按期销号",
    "overdue_day": "逾期工作日",
    "listed_supervision": "挂牌督办",
    "accountability": "问责",
    "extension": "批准延期",
    "send_back_ruled_against": "退单未获支持",
    "unsatisfied": "回访不满意",
    "part_late": "协办逾期",
}


class CardThresholds(_Spec):
    """A unit whose month score is below ``yellow`` is shown a 黄牌, below ``red`` a 红牌
    (``red`` must be below ``yellow``: ``zhenggai check`` says so)."""

    yellow: float = Field(ge=-10_000, le=10_000)
    red: float = Field(ge=-10_000, le=10_000)


class ScoringSpec(_Spec):
    """考核 (issue 17, 7): each unit starts a month at ``base`` points; each of ``terms`` (a
    key of :data:`SCORE_TERMS`: its count that month) adds count × its points (negative:
    deducts), at most ``caps[term]`` points either way when the term has a cap (扣完为止: a unit
    with many overdue days loses that term's share, not the whole month); the month's score is
    never below ``floor`` when set. A month score below a threshold of ``cards`` is a card; the card's notice
    ``notify`` goes to the holders of ``to`` (a unit-bound role: the unit's 一把手) in that
    unit only. The month is scored on the first working day of the next one."""

    base: float = Field(default=100, ge=-10_000, le=10_000)
    terms: dict[str, float] = Field(min_length=1, max_length=20)
    caps: dict[str, float] = Field(default_factory=dict, max_length=20)
    floor: float | None = Field(default=None, ge=-10_000, le=10_000)
    cards: CardThresholds
    notify: MessageKey = "score_card"
    to: RoleKey = "unit_principal"
