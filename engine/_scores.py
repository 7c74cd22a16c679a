"""考核 / 红黄牌 (issue 17, 7): each unit's month score by the definition's ``scoring`` rule,
stored once a month, and the card notices.

A unit's month score is ``base`` + Σ count × points over the rule's terms (the counts:
:mod:`._score_facts`); below ``cards.yellow`` it earns a 黄牌, below ``cards.red`` a 红牌. Every
unit of the campaign gets a row (a unit with nothing counted keeps ``base``); ranks: highest
total first, equal totals sharing a rank.

:func:`scores` counts a month without writing anything. :func:`store_month` (the month-end
campaign step ``score_month@YYYY-MM``, on the first working day of the next month, and
``zhenggai score month --store``) writes ``zg_score`` and tells each carded unit's holders of
``scoring.to`` (its 一把手; routed by concern, never every holder) with ``scoring.notify``, in
one audit event of the campaign (trigger ``score_month``). Storing a month again is idempotent:
a unit whose result did not change is not written again and not told again; a changed result
is updated, and its unit told only when its card is new or different.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from zhenggai.workflows.schema import SCORE_TERMS, NotifySpec, ScoringSpec

from ._access import check_actor
from ._concerns import Concerns
from ._inputs import unit_id_of
from ._raw import Tx
from ._runtime import Runtime
from ._score_facts import Window, month_facts
from ._score_statements import SCORE, score_statements
from ._score_views import CARD_LABELS, ScoreTermView, UnitScore
from ._statements import Statements
from ._steps import SYSTEM
from ._writes import Campaign, Vouch, append_event, queue_messages
from .errors import InvalidInputError, PermissionDeniedError
from .views import Actor

__all__ = ["month_steps", "score_step", "scores", "store_month", "stored_scores"]

MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
STORE = "store_scores"


def scoring_spec(camp: Campaign) -> ScoringSpec:
    spec = None if camp.setup is None else camp.setup.scoring
    if spec is None:
        raise InvalidInputError("scoring", "实施方案没有规定考核 (scoring)")
    return spec


def checked_month(camp: Campaign, month: str, now: dt.datetime) -> Window:
    """``YYYY-MM`` of a month already begun in the campaign's timezone."""
    if not isinstance(month, str) or MONTH.fullmatch(month) is None:
        raise InvalidInputError("month", f"月份须为 YYYY-MM 格式, 收到 {month!r}")
    window = Window(camp, month)
    if window.first > now.astimezone(camp.tz).date():
        raise InvalidInputError("month", f"{month} 尚未开始, 不能考核")
    return window


def card_of(spec: ScoringSpec, total: float) -> str | None:
    if total < spec.cards.red:
        return "red"
    if total < spec.cards.yellow:
        return "yellow"
    return None


def term_points(spec: ScoringSpec, term: str, count: int) -> float:
    """count × the term's points, within its cap (either way) when it has one, to two decimals."""
    points = count * spec.terms[term]
    cap = spec.caps.get(term)
    if cap is not None:
        points = max(-cap, min(cap, points))
    return round(points, 2)


def total_of(spec: ScoringSpec, counts: Mapping[str, int]) -> float:
    """``base`` + Σ each term's points (:func:`term_points`), not below ``floor`` when set, to
    two decimals."""
    total = spec.base + sum(term_points(spec, t, counts.get(t, 0)) for t in spec.terms)
    return round(total if spec.floor is None else max(spec.floor, total), 2)


def _terms(spec: ScoringSpec, counts: Mapping[str, int]) -> tuple[ScoreTermView, ...]:
    return tuple(
        ScoreTermView(
            term=t,
            label=SCORE_TERMS.get(t, t),
            count=counts.get(t, 0),
            each=p,
            points=term_points(spec, t, counts.get(t, 0)),
            cap=spec.caps.get(t),
        )
        for t, p in spec.terms.items()
    )


def _ranked(rows: list[dict[str, Any]]) -> None:
    ordered = sorted(rows, key=lambda r: -r["total"])
    for k, row in enumerate(ordered):
        row["rank"] = k + 1 if k == 0 or ordered[k - 1]["total"] != row["total"] else ordered[k - 1]["rank"]


def _view(camp: Campaign, spec: ScoringSpec, row: Mapping[str, Any]) -> UnitScore:
    return UnitScore(
        campaign=camp.key,
        month=row["month"],
        unit=camp.unit_keys[row["unit_id"]],
        unit_name=camp.unit_names[row["unit_id"]],
        base=spec.base,
        terms=row["terms"],
        total=row["total"],
        card=row["card"],
        card_label=CARD_LABELS.get(row["card"] or "", ""),
        rank=row["rank"],
        computed_at=row["computed_at"],
        stored=row["stored"],
    )


def _count(
    tx: Tx, st: Statements, camp: Campaign, spec: ScoringSpec, window: Window, now: dt.datetime
) -> list[dict[str, Any]]:
    facts = month_facts(tx, st, camp, window, spec.terms, now)
    rows = []
    for uid in sorted(camp.unit_keys):
        counts = {t: facts[t].get(uid, 0) for t in spec.terms}
        total = total_of(spec, counts)
        rows.append(
            {
                "month": window.month,
                "unit_id": uid,
                "counts": counts,
                "terms": _terms(spec, counts),
                "total": total,
                "card": card_of(spec, total),
                "computed_at": now,
                "stored": False,
            }
        )
    _ranked(rows)
    return rows


def scores(rt: Runtime, campaign: str | int, month: str) -> list[UnitScore]:
    """Every unit's score for ``month`` as the records stand now (nothing written), best first."""
    now = rt.now()
    with rt.store.transaction() as tx:
        camp = rt.campaign(tx, campaign)
        spec = scoring_spec(camp)
        rows = _count(tx, rt.st, camp, spec, checked_month(camp, month, now), now)
    return [_view(camp, spec, r) for r in sorted(rows, key=lambda r: (r["rank"], r["unit_id"]))]


def _payload(camp: Campaign, row: Mapping[str, Any], window: Window) -> dict[str, Any]:
    spec = scoring_spec(camp)
    return {
        "campaign": camp.view.title,
        "month": window.month,
        "unit": camp.unit_keys[row["unit_id"]],
        "unit_name": camp.unit_names[row["unit_id"]],
        "total": f"{row['total']:g}",
        "card": row["card"],
        "card_label": CARD_LABELS[row["card"]],
        "rank": row["rank"],
        "units": len(camp.unit_keys),
        "threshold": f"{(spec.cards.red if row['card'] == 'red' else spec.cards.yellow):g}",
        "terms": "; ".join(f"{t.label} {t.count} 次 {t.points:+g} 分" for t in row["terms"] if t.count),
    }


def _stored_terms(row: Mapping[str, Any]) -> str:
    return json.dumps(
        {t.term: {"count": t.count, "points": t.points} for t in row["terms"]},
        sort_keys=True,
        ensure_ascii=False,
    )


def store_month(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    month: str,
    now: dt.datetime,
    actor: Actor | None,
    late: bool = False,
) -> dict[str, Any]:
    """Count ``month``, write what changed into ``zg_score``, tell the carded units' holders of
    ``scoring.to``; one audit event when anything changed. Returns what was done."""
    spec = scoring_spec(camp)
    window = checked_month(camp, month, now)
    ss = score_statements(st)
    rows = _count(tx, st, camp, spec, window, now)
    queued = Vouch.next_event(tx, st, camp.id)
    changed: list[str] = []
    cards: dict[str, str] = {}
    for row in rows:
        unit = camp.unit_keys[row["unit_id"]]
        terms = _stored_terms(row)
        before = tx.one(ss.score_of, {"cid": camp.id, "unit_id": row["unit_id"], "month": month})
        values = {"total": row["total"], "card": row["card"], "terms": terms, "computed_at": now}
        if before is None:
            tx.run(
                ss.score_insert, {"campaign_id": camp.id, "unit_id": row["unit_id"], "month": month, **values}
            )
        elif (before["total"], before["card"], before["terms"]) == (row["total"], row["card"], terms):
            continue
        else:
            tx.run(ss.score_update, {"id": before["id"], **values})
        changed.append(unit)
        if row["card"] is not None and (before is None or before["card"] != row["card"]):
            cards[unit] = row["card"]
            queue_messages(
                tx,
                st,
                camp,
                [NotifySpec(message=spec.notify, to=spec.to)],
                key=f"score:{month}:{unit}:{row['card']}",
                payload=_payload(camp, row, window),
                units={},
                item_id=None,
                now=now,
                vouch=queued,
                concerns=Concerns(unit_id=row["unit_id"]),
            )
    if changed:
        data: dict[str, Any] = {
            "month": month,
            "units": changed,
            "cards": cards,
            "totals": {camp.unit_keys[r["unit_id"]]: r["total"] for r in rows},
        }
        if late:
            data["late"] = True
        append_event(
            tx,
            st,
            camp.id,
            item_id=None,
            trigger="score_month",
            from_state=None,
            to_state=None,
            actor=actor if actor is not None else SYSTEM,
            at=now,
            data=data,
            outbox=queued,
        )
    return {"month": month, "changed": changed, "cards": cards}


def store_scores(rt: Runtime, campaign: str | int, actor: Actor, month: str) -> list[UnitScore]:
    """``store_month`` by a person (the office), then the stored month."""
    now = rt.now()
    with rt.store.transaction() as tx:
        camp = rt.campaign(tx, campaign)
        check_actor(camp, actor)
        scoring_spec(camp)
        office = camp.setup.leading_group.office_role if camp.setup and camp.setup.leading_group else None
        if camp.roles[actor.role].unit_bound or (office is not None and actor.role != office):
            raise PermissionDeniedError(
                actor.name, actor.role, STORE, "只有领导小组办公室可以确定月度考核", {STORE: "确定月度考核"}
            )
        store_month(tx, rt.st, camp, month, now, actor)
    return stored_scores(rt, campaign, month=month)


def stored_scores(
    rt: Runtime, campaign: str | int, *, unit: str | None = None, month: str | None = None
) -> list[UnitScore]:
    """The stored month scores, month by month (oldest first), best first within a month."""
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        spec = scoring_spec(camp)
        query = select(SCORE).where(SCORE.c.campaign_id == camp.id)
        if unit is not None:
            query = query.where(SCORE.c.unit_id == unit_id_of(camp, unit))
        if month is not None:
            query = query.where(SCORE.c.month == month)
        found = conn.execute(query).mappings().all()
        everyone = conn.execute(
            select(SCORE.c.month, SCORE.c.total).where(SCORE.c.campaign_id == camp.id)
        ).all()
    out = []
    for r in found:
        higher = sum(1 for mo, total in everyone if mo == r["month"] and total > r["total"])
        stored = json.loads(r["terms"])
        counts = {t: int(stored.get(t, {}).get("count", 0)) for t in spec.terms}
        row = {**r, "terms": _terms(spec, counts), "rank": higher + 1, "stored": True}
        out.append(_view(camp, spec, row))
    return sorted(out, key=lambda v: (v.month, v.rank, camp.unit_ids[v.unit]))


# ----------------------------------------------------------------------------- campaign steps


def month_steps(camp: Campaign, first_workday: Any) -> dict[str, dt.date]:
    """``score_month@YYYY-MM`` for every month a phase of the campaign runs in, due on the
    first working day of the month after it (``first_workday``: a day → the working day it is
    kept on)."""
    setup = camp.setup
    if setup is None or setup.scoring is None or not setup.phases:
        return {}
    start = min(p.start for p in setup.phases)
    end = max(p.end for p in setup.phases)
    steps: dict[str, dt.date] = {}
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        steps[f"score_month@{year:04d}-{month:02d}"] = first_workday(following)
        year, month = following.year, following.month
    return steps


def score_step(
    tx: Tx, st: Statements, camp: Campaign, month: str, now: dt.datetime, late: bool
) -> Sequence[str]:
    """The month-end step: the month stored by the system; returns the carded units."""
    return list(store_month(tx, st, camp, month, now, None, late)["cards"])
