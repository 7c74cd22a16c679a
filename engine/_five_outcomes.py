"""The 五个一批 dashboard: the plan's five outcomes counted from the records (definitions in
:mod:`._outcomes`), each against the definition's target, for the campaign or one unit or track,
with a weekly trend."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, select
from zhenggai.workflows.schema import OUTCOME_KEYS, OutcomeTargets

from ._admin_statements import EDUCATION, MECHANISM
from ._statements import ITEM
from ._writes import Campaign
from .views import FiveOutcomes, OutcomeTally

__all__ = ["COUNTED_STATUSES", "five_outcomes"]

#: The mechanism statuses 健全完善一批长效机制 counts.
COUNTED_STATUSES = frozenset({"established", "amended"})


#: One countable record: the outcome key, its unit id, its track, the day it counts from, and
#: how many it counts (1, or a 警示教育 session's attendees).
_Record = tuple[str, int | None, str | None, dt.date, int]


def _records(conn: Connection, camp: Campaign) -> list[_Record]:
    """Everything the five outcomes count, one record per unit counted (see the module)."""
    tz = camp.tz
    final = camp.lifecycle.final_states
    records: list[_Record] = []
    items = (
        conn.execute(
            select(
                ITEM.c.id,
                ITEM.c.track,
                ITEM.c.state,
                ITEM.c.responsible_unit_id,
                ITEM.c.created_at,
                ITEM.c.closed_at,
                ITEM.c.case_marked_at,
                ITEM.c.case_published_at,
            )
            .where(ITEM.c.campaign_id == camp.id)
            .order_by(ITEM.c.id)
        )
        .mappings()
        .all()
    )
    for r in items:
        unit, track = r["responsible_unit_id"], r["track"]
        records.append(("problems_found", unit, track, r["created_at"].astimezone(tz).date(), 1))
        if r["case_marked_at"] is not None and r["case_published_at"] is not None:
            records.append(("cases_published", unit, track, r["case_published_at"], 1))
        if r["state"] in final and r["closed_at"] is not None:
            records.append(("problems_solved", unit, track, r["closed_at"].astimezone(tz).date(), 1))
    # 警示教育一批党员干部: the cadres who attended the units' 警示教育 sessions (its register).
    query = select(EDUCATION.c.unit_id, EDUCATION.c.track, EDUCATION.c.held_on, EDUCATION.c.attendees)
    for er in conn.execute(query.where(EDUCATION.c.campaign_id == camp.id).order_by(EDUCATION.c.id)):
        records.append(("people_educated", er.unit_id, er.track, er.held_on, er.attendees))
    query = select(MECHANISM.c.unit_id, MECHANISM.c.track, MECHANISM.c.status, MECHANISM.c.date).where(
        MECHANISM.c.campaign_id == camp.id
    )
    for mr in conn.execute(query):
        if mr.status in COUNTED_STATUSES:
            records.append(("mechanisms_established", mr.unit_id, mr.track, mr.date, 1))
    return records


def _tallies(records: Iterable[_Record], targets: OutcomeTargets | None) -> tuple[OutcomeTally, ...]:
    counts: Counter[str] = Counter()
    for r in records:
        counts[r[0]] += r[4]
    return tuple(
        OutcomeTally(key, label, counts[key], None if targets is None else targets.target(key))
        for key, label in OUTCOME_KEYS.items()
    )


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _trend(records: Sequence[_Record], today: dt.date) -> tuple[tuple[dt.date, tuple[int, ...]], ...]:
    if not records:
        return ()
    keys = list(OUTCOME_KEYS)
    per_week: dict[dt.date, Counter[str]] = {}
    for key, _, _, day, n in records:
        per_week.setdefault(_monday(day), Counter())[key] += n
    week, last = min(per_week), max(_monday(today), max(per_week))
    running: Counter[str] = Counter()
    points = []
    while week <= last:
        running.update(per_week.get(week, Counter()))
        points.append((week, tuple(running[k] for k in keys)))
        week += dt.timedelta(days=7)
    return tuple(points)


def five_outcomes(
    conn: Connection,
    camp: Campaign,
    now: dt.datetime,
    *,
    unit_id: int | None,
    unit: str | None,
    track: str | None,
) -> FiveOutcomes:
    """The 五个一批 dashboard as of ``now`` for the campaign or one unit / track of it. Targets
    are the definition's: the campaign's for the whole, the track's (``by_track``) for a track,
    none for a unit."""
    today = now.astimezone(camp.tz).date()
    spec = camp.setup.outcomes.targets if camp.setup is not None and camp.setup.outcomes is not None else None
    records = [
        r
        for r in _records(conn, camp)
        if (unit_id is None or r[1] == unit_id) and (track is None or r[2] == track)
    ]
    if spec is None:
        targets: OutcomeTargets | None = None
    elif track is not None:
        targets = spec.by_track.get(track)
    else:
        targets = None if unit_id is not None else spec
    track_keys = [track] if track is not None else list(camp.tracks)
    by_track = tuple(
        (
            key,
            camp.tracks[key],
            _tallies(
                [r for r in records if r[2] == key],
                None if spec is None or unit_id is not None else spec.by_track.get(key),
            ),
        )
        for key in track_keys
    )
    units = sorted({r[1] for r in records if r[1] is not None})
    by_unit = tuple(
        (camp.unit_keys[uid], camp.unit_names[uid], _tallies([r for r in records if r[1] == uid], None))
        for uid in units
    )
    return FiveOutcomes(
        campaign=camp.view,
        as_of=now,
        today=today,
        unit=unit,
        track=track,
        totals=_tallies(records, targets),
        by_track=by_track,
        by_unit=by_unit,
        trend=_trend(records, today),
        education_sessions=sum(1 for r in records if r[0] == "people_educated"),
    )
