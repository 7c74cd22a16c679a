"""Report queries: the numbers every report prints, computed in one place; and the search for
likely duplicates of a new item (:func:`find_duplicates`, bigram overlap of the texts).

Adapters render these views (xlsx, docx, html); none of them counts on its own, so the
progress bulletin, the ranking, the 一报告四清单 and the public digest agree.

Definitions (the campaign's lifecycle decides what is final):

- *open*: not in a final state; *closed*: in a final state (销号, 撤销, 合并, …);
- *overdue*: open, on the clock (in a state of the item ladder when the definition has one,
  not paused) and its due date before today in the campaign's timezone;
- *supervised*: escalation level 挂牌督办 or above; *reopened*: reopened by 回头看 at least once;
- *closed on time* / *late*: 销号 (``closed_at``) on or before / after the due date, local day;
- lights (``by_light``) count the open items: a finished item's light no longer matters;
- on-time rate (ranking): on time / (on time + late + overdue), the items whose deadline has
  been put to the test; None for a unit with none yet.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, select

from ._raw import Tx
from ._statements import EVENT, ITEM, Statements
from ._writes import Campaign
from .views import ProgressReport, SourceTally, Tally, TrendPoint, UnitRanking, UnitTally

__all__ = [
    "LIGHTS",
    "GramCache",
    "Texts",
    "find_duplicates",
    "progress",
    "ranking",
    "score_candidates",
    "texts_of",
]

#: 红/黄/绿灯, in the order reports show them.
LIGHTS: Mapping[str, str] = {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}

_COLUMNS = (
    ITEM.c.id,
    ITEM.c.track,
    ITEM.c.channel,
    ITEM.c.state,
    ITEM.c.light,
    ITEM.c.escalation_level,
    ITEM.c.reopen_count,
    ITEM.c.due,
    ITEM.c.paused_at,
    ITEM.c.responsible_unit_id,
    ITEM.c.created_at,
    ITEM.c.closed_at,
)


def _items(
    conn: Connection, camp: Campaign, unit_id: int | None, track: str | None
) -> list[Mapping[str, Any]]:
    query = select(*_COLUMNS).where(ITEM.c.campaign_id == camp.id).order_by(ITEM.c.id)
    if unit_id is not None:
        query = query.where(ITEM.c.responsible_unit_id == unit_id)
    if track is not None:
        query = query.where(ITEM.c.track == track)
    return [dict(r) for r in conn.execute(query).mappings()]


class _Judge:
    """What each figure means for one item, on ``today``."""

    def __init__(self, camp: Campaign, today: dt.date) -> None:
        self.final = camp.lifecycle.final_states
        self.clocked = camp.item_ladder.states if camp.item_ladder is not None else None
        self.tz = camp.tz
        self.today = today

    def overdue(self, r: Mapping[str, Any]) -> bool:
        if r["state"] in self.final or r["due"] is None or r["paused_at"] is not None:
            return False
        if self.clocked is not None and r["state"] not in self.clocked:
            return False
        return bool(r["due"] < self.today)

    def closed_on_time(self, r: Mapping[str, Any]) -> bool | None:
        """True / False for an item 销号 on time / late; None when that does not apply."""
        if r["state"] not in self.final or r["closed_at"] is None or r["due"] is None:
            return None
        return bool(r["closed_at"].astimezone(self.tz).date() <= r["due"])


def _unit_tally(camp: Campaign, uid: int, rows: Sequence[Mapping[str, Any]], judge: _Judge) -> UnitTally:
    on_time = [judge.closed_on_time(r) for r in rows]
    open_rows = [r for r in rows if r["state"] not in judge.final]
    return UnitTally(
        unit=camp.unit_keys[uid],
        unit_name=camp.unit_names[uid],
        total=len(rows),
        open=len(open_rows),
        closed=len(rows) - len(open_rows),
        overdue=sum(judge.overdue(r) for r in rows),
        red=sum(r["light"] == "red" for r in open_rows),
        yellow=sum(r["light"] == "yellow" for r in open_rows),
        supervised=sum(r["escalation_level"] >= 1 for r in rows),
        closed_on_time=sum(v is True for v in on_time),
        closed_late=sum(v is False for v in on_time),
        reopened=sum(r["reopen_count"] > 0 for r in rows),
    )


def _by_unit(camp: Campaign, rows: Sequence[Mapping[str, Any]], judge: _Judge) -> tuple[UnitTally, ...]:
    grouped: dict[int, list[Mapping[str, Any]]] = {}
    for r in rows:
        if r["responsible_unit_id"] is not None:
            grouped.setdefault(r["responsible_unit_id"], []).append(r)
    # Units in the definition's order (unit ids grow in it).
    return tuple(_unit_tally(camp, uid, grouped[uid], judge) for uid in sorted(grouped))


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _trend(
    conn: Connection, camp: Campaign, rows: Sequence[Mapping[str, Any]], today: dt.date
) -> tuple[TrendPoint, ...]:
    """Week by week from the first report: reported, finished (entered a final state from an
    open one; an item reopened by 回头看 and closed again counts each time) and open at the
    week's end, replayed from the audit trail."""
    if not rows:
        return ()
    ids = {r["id"] for r in rows}
    tz, final = camp.tz, camp.lifecycle.final_states
    reported: Counter[dt.date] = Counter(_monday(r["created_at"].astimezone(tz).date()) for r in rows)
    finished: Counter[dt.date] = Counter()
    reopened: Counter[dt.date] = Counter()
    query = (
        select(EVENT.c.item_id, EVENT.c.from_state, EVENT.c.to_state, EVENT.c.at)
        .where(EVENT.c.campaign_id == camp.id, EVENT.c.item_id.is_not(None), EVENT.c.from_state.is_not(None))
        .order_by(EVENT.c.seq)
    )
    for e in conn.execute(query).mappings():
        if e["item_id"] not in ids or e["to_state"] is None:
            continue
        week = _monday(e["at"].astimezone(tz).date())
        if e["from_state"] not in final and e["to_state"] in final:
            finished[week] += 1
        elif e["from_state"] in final and e["to_state"] not in final:
            reopened[week] += 1
    week, last = min(reported), _monday(today)
    points: list[TrendPoint] = []
    open_count = 0
    while week <= last:
        open_count += reported[week] - finished[week] + reopened[week]
        points.append(
            TrendPoint(week_start=week, reported=reported[week], closed=finished[week], open=open_count)
        )
        week += dt.timedelta(days=7)
    return tuple(points)


def _by_source(camp: Campaign, rows: Sequence[Mapping[str, Any]]) -> tuple[SourceTally, ...]:
    """Items by intake channel, grouped by the plan's mechanism the channel belongs to (the
    definition's ``channels[].mechanism``, e.g. 信息收集机制·部门联动), in the definition's order;
    channels of no mechanism, and channels the definition no longer has, last."""
    counts = Counter(r["channel"] for r in rows)
    channels = camp.setup.channels if camp.setup is not None else []
    known = [(c.mechanism or "", c.id, c.label) for c in channels]
    order = {m: i for i, m in enumerate(dict.fromkeys(m for m, _, _ in known if m))}
    known.sort(key=lambda m: order.get(m[0], len(order)))
    gone = sorted(k for k in counts if k not in {c for _, c, _ in known})
    return tuple(
        SourceTally(mechanism=m or None, channel=c, label=label, count=counts[c])
        for m, c, label in [*known, *(("", k, k) for k in gone)]
    )


def progress(
    conn: Connection,
    camp: Campaign,
    now: dt.datetime,
    *,
    unit_id: int | None,
    unit: str | None,
    track: str | None,
) -> ProgressReport:
    """The campaign's figures as of ``now``, for all of it or one unit / track."""
    today = now.astimezone(camp.tz).date()
    judge = _Judge(camp, today)
    rows = _items(conn, camp, unit_id, track)
    final = camp.lifecycle.final_states
    tracks = Counter(r["track"] for r in rows)
    states = Counter(r["state"] for r in rows)
    lights = Counter(r["light"] for r in rows if r["state"] not in final)
    track_keys = [track] if track is not None else list(camp.tracks)
    open_count = sum(r["state"] not in final for r in rows)
    return ProgressReport(
        campaign=camp.view,
        as_of=now,
        today=today,
        unit=unit,
        track=track,
        total=len(rows),
        open=open_count,
        closed=len(rows) - open_count,
        overdue=sum(judge.overdue(r) for r in rows),
        by_track=tuple(Tally(k, camp.tracks[k], tracks[k]) for k in track_keys),
        by_state=tuple(
            Tally(s.id, camp.lifecycle.labels.get(s.id, s.id), states[s.id])
            for s in camp.lifecycle.spec.states
        ),
        by_light=tuple(Tally(k, label, lights[k]) for k, label in LIGHTS.items()),
        by_source=_by_source(camp, rows),
        by_unit=_by_unit(camp, rows, judge),
        trend=_trend(conn, camp, rows, today),
    )


def ranking(conn: Connection, camp: Campaign, now: dt.datetime, *, track: str | None) -> list[UnitRanking]:
    """Units best first for the supervision teams (see the module's definitions)."""
    judge = _Judge(camp, now.astimezone(camp.tz).date())
    tallies = _by_unit(camp, _items(conn, camp, None, track), judge)

    def rate(t: UnitTally) -> float | None:
        tested = t.closed_on_time + t.closed_late + t.overdue
        return None if tested == 0 else t.closed_on_time / tested

    order = sorted(
        tallies,
        key=lambda t: (rate(t) is None, -(rate(t) or 0.0), t.overdue, t.reopened, t.unit_name, t.unit),
    )
    return [
        UnitRanking(
            rank=i,
            unit=t.unit,
            unit_name=t.unit_name,
            total=t.total,
            closed=t.closed,
            closed_on_time=t.closed_on_time,
            on_time_rate=rate(t),
            overdue=t.overdue,
            reopened=t.reopened,
            supervised=t.supervised,
        )
        for i, t in enumerate(order, 1)
    ]


# --------------------------------------------------------------------------- 关联研判

#: Characters that carry no meaning for similarity: whitespace and punctuation, ASCII and
#: full-width.
_NOISE = frozenset(" \t\r\n,.;:!?'\"()[]{}<>/\\|-_=+*&^%$#@~`，。；：！？、“”‘’（）【】《》—…·")


def _grams(text: str) -> frozenset[str]:
    """Character bigrams of ``text`` without noise (Chinese has no spaces to split words)."""
    chars = [c for c in text.lower() if c not in _NOISE]
    if len(chars) < 2:
        return frozenset(chars)
    return frozenset(a + b for a, b in itertools.pairwise(chars))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)  # |a ∪ b| without building the union


#: Flag a pair when its similarity reaches this; at most this many flags per new item.
DUPLICATE_THRESHOLD = 0.6
DUPLICATE_FLAGS = 3


#: An item's texts as 关联研判 compares them: the title's bigrams, the whole text's (title and
#: description), and the sizes of the two sets.
Texts = tuple[frozenset[str], frozenset[str], int, int]


def texts_of(title: str, description: str) -> Texts:
    """The bigram sets of an item's title and whole text, with their sizes."""
    title_grams, text_grams = _grams(title), _grams(title + description)
    return title_grams, text_grams, len(title_grams), len(text_grams)


class GramCache:
    """Bigram sets of items' texts by item id (titles and descriptions never change), bounded."""

    def __init__(self, size: int = 50_000) -> None:
        self.size = size
        self._texts: dict[int, Texts] = {}

    def put(self, item_id: int, title: str, description: str) -> Texts:
        if len(self._texts) >= self.size:
            self._texts.clear()
        texts = self._texts[item_id] = texts_of(title, description)
        return texts

    def get(self, item_id: int) -> Texts | None:
        return self._texts.get(item_id)


def score_candidates(new: Texts, candidates: Iterable[tuple[int, Texts]]) -> list[tuple[int, float]]:
    """(item id, score) of the candidates whose score reaches :data:`DUPLICATE_THRESHOLD`, best
    first, at most :data:`DUPLICATE_FLAGS`. The score is the better of the titles' and the whole
    texts' Jaccard similarity (:func:`_jaccard`), the same float for float.

    A report compares itself with up to :data:`DUPLICATE_WINDOW` candidates, so this is the hot
    loop of 关联研判 (issue 19): the similarity is written out here rather than called, and a
    pair whose sizes alone keep it under the threshold is not intersected. That is exact:
    ``|a ∩ b| / |a ∪ b| ≤ min(|a|, |b|) / max(|a|, |b|)``, and a correctly rounded division
    keeps that order, so the skipped score is under the threshold as a float too and could
    not have been the better of the two."""
    threshold = DUPLICATE_THRESHOLD
    title, text, n_title, n_text = new
    scored = []
    for cid, (other_title, other_text, n_other_title, n_other_text) in candidates:
        best = 0.0
        if n_title and n_other_title:
            low, high = (n_title, n_other_title) if n_title <= n_other_title else (n_other_title, n_title)
            if low / high >= threshold:
                shared = len(title & other_title)
                best = shared / (n_title + n_other_title - shared)
        if n_text and n_other_text:
            low, high = (n_text, n_other_text) if n_text <= n_other_text else (n_other_text, n_text)
            if low / high >= threshold:
                shared = len(text & other_text)
                score = shared / (n_text + n_other_text - shared)
                best = max(best, score)
        if best >= threshold:
            scored.append((cid, round(best, 3)))
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    return scored[:DUPLICATE_FLAGS]


def find_duplicates(
    tx: Tx, st: Statements, camp: Campaign, row: Mapping[str, Any], unit_id: int | None, cache: GramCache
) -> list[tuple[int, float]]:
    """(item id, score) of the items ``row`` (just inserted) most likely duplicates, best first:
    same track, and same responsible unit when ``unit_id`` is given. The score is the better of
    the titles' and the whole texts' bigram overlap (Jaccard), so a reworded description of the
    same title still counts. Only the candidates' ids are read; their texts only when the cache
    does not have them yet."""
    params = {"cid": camp.id, "track": row["track"], "id": row["id"]}
    if unit_id is None:
        ids = tx.column(st.duplicate_candidates, params)
    else:
        ids = tx.column(st.duplicate_candidates_of_unit, {**params, "unit_id": unit_id})
    new = cache.put(row["id"], row["title"], row["description"])

    def candidates() -> Iterator[tuple[int, Texts]]:
        for cid in ids:
            texts = cache.get(cid)
            if texts is None:
                other = tx.one(st.item_texts, {"id": cid})
                assert other is not None
                texts = cache.put(cid, other["title"], other["description"])
            yield cid, texts

    return score_candidates(new, candidates())
