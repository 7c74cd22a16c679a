"""考核 in the simulated campaign (issue 17, 7): nothing to act; the month-end campaign steps
score each month by themselves as the simulated clock passes the first working day of the
next. The summary's 考核 line: the months stored and the cards issued."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zhenggai.engine import Engine

__all__ = ["score_line", "score_summary"]


def score_summary(engine: Engine, key: str) -> str | None:
    """``  考核 N 个月 (…): 黄牌 X 张, 红牌 Y 张; 最低 …`` — None without scoring or months."""
    setup = engine.definition(key)
    if setup is None or setup.scoring is None:
        return None
    views = engine.stored_scores(key)
    if not views:
        return None
    months = sorted({v.month for v in views})
    yellow = sum(v.card == "yellow" for v in views)
    red = sum(v.card == "red" for v in views)
    low = min(views, key=lambda v: v.total)
    return (
        f"  考核 {len(months)} 个月 ({months[0]}~{months[-1]}): 黄牌 {yellow} 张, 红牌 {red} 张;"
        f" 最低 {low.unit_name} {low.month} {low.total:g} 分"
    )


def score_line(d: Mapping[str, Any], unit_names: Mapping[str, str]) -> str:
    """The timeline's line of a month-end 考核 (a ``score_month`` event)."""
    labels = {"yellow": "黄牌", "red": "红牌"}
    cards = "、".join(f"{unit_names.get(u, u)} {labels.get(c, c)}" for u, c in sorted(d["cards"].items()))
    return f"月度考核: {d['month']} 确定 {len(d['units'])} 个单位得分; 亮牌: {cards or '无'}"
