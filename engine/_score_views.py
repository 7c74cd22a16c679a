"""The views of 考核 / 红黄牌 (issue 17, 7): a unit's month score and each term of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from ._item_views import _View

__all__ = ["CARD_LABELS", "ScoreTermView", "UnitScore"]

#: The cards, as officials name them.
CARD_LABELS: Mapping[str, str] = {"yellow": "黄牌", "red": "红牌"}


@dataclass(frozen=True, slots=True)
class ScoreTermView(_View):
    """One term of a unit's month score: what was counted (``count``), its points each, and
    ``points`` = count × each, within ``cap`` either way when the rule caps the term."""

    term: str
    label: str
    count: int
    each: float
    points: float
    cap: float | None = None


@dataclass(frozen=True, slots=True)
class UnitScore(_View):
    """A unit's 考核 for ``month`` (``YYYY-MM``): ``base`` plus every term's points is ``total``;
    ``card`` yellow / red / None (``card_label`` 黄牌 / 红牌 / ""); ``rank`` among the campaign's
    units (1: best; equal totals share a rank). ``computed_at``: when it was counted (for a
    stored month, when it was stored); ``stored``: whether the row is the stored one."""

    campaign: str
    month: str
    unit: str
    unit_name: str
    base: float
    terms: tuple[ScoreTermView, ...]
    total: float
    card: str | None
    card_label: str
    rank: int
    computed_at: dt.datetime
    stored: bool
