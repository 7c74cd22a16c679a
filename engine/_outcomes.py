"""The plan's outcomes (五个一批): what came of items, long-term mechanisms, good practices and
the dashboard that counts them, computed in one place.

Definitions (the campaign's lifecycle and definition decide the words):

- *problems found* (排查发现问题线索): items reported;
- *cases published* (通报曝光典型案例): items marked as typical cases with a publication recorded;
- *people educated* (警示教育党员干部): the cadres who attended the 警示教育 sessions units
  recorded (:mod:`._registers`), summed; the sessions are counted too (``education_sessions``);
- *problems solved* (解决难点堵点): items 销号, in a final state with ``closed_at``;
- *mechanisms established* (健全长效机制): mechanisms whose status is established or revised.

A unit's figures count the items it is responsible for and the mechanisms it registered; a
track's, the items of the track and the mechanisms registered for it. Over time (``trend``) each
counts from its own date: reported, published, outcome recorded, 销号, the mechanism's status
date. The people held accountable are personal data: they are read here only for a reader the
caller has found allowed (``named``); otherwise the entries keep their outcome but not who.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, select

from ._access import check_actor, item_operation, may_read_people
from ._admin_statements import ACCOUNTABILITY, MECHANISM, MECHANISM_ITEM, OUTCOME, OUTCOME_MECHANISM, PRACTICE
from ._five_outcomes import COUNTED_STATUSES, five_outcomes
from ._inputs import checked_choice, checked_text, unit_id_of
from ._raw import Tx
from ._runtime import Runtime
from ._statements import ITEM
from ._viewing import item_view
from ._writes import Campaign, append_event, cas_update
from .errors import GuardFailedError, InvalidInputError, MechanismNotFound, TrackNotFound
from .lifecycle import OPERATIONS
from .views import (
    MECHANISM_STATUSES,
    AccountabilityEntry,
    Actor,
    FiveOutcomes,
    ItemView,
    MechanismView,
    OutcomeView,
    PracticeView,
)

__all__ = [
    "ACCOUNTABILITY",
    "COUNTED_STATUSES",
    "MECHANISM",
    "MECHANISM_ITEM",
    "OUTCOME",
    "OUTCOME_MECHANISM",
    "OUTCOME_NAMES",
    "PRACTICE",
    "accountability_labels",
    "accountability_values",
    "id_list",
    "mechanism_kinds",
    "mechanism_views",
    "outcome_views",
    "past_day",
    "people_count",
    "practice_view",
]


#: Column limits of an accountability entry (zg_accountability).
PERSON_LIMIT = 100
POSITION_LIMIT = 100


#: Names of the outcome operations and their conditions, for refusals officials read.
OUTCOME_NAMES: Mapping[str, str] = {
    "record_outcome": OPERATIONS["record_outcome"],
    "publish_case": OPERATIONS["publish_case"],
    "item_finished": "问题已办结",
    "marked_case": "已标记为典型案例",
}


def past_day(field: str, value: object, camp: Campaign, now: dt.datetime) -> dt.date:
    """``value`` as a date (a date or ``YYYY-MM-DD``) that is not after today in the campaign's
    timezone: the day something happened."""
    if isinstance(value, dt.datetime):
        raise InvalidInputError(field, "须为日期, 不是时刻")
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError as err:
            raise InvalidInputError(field, f"日期格式应为 YYYY-MM-DD, 收到 {value!r}") from err
    if not isinstance(value, dt.date):
        raise InvalidInputError(field, "须为日期")
    today = now.astimezone(camp.tz).date()
    if value > today:
        raise InvalidInputError(field, f"日期 {value.isoformat()} 晚于今天 {today.isoformat()}")
    return value


def id_list(field: str, ids: object) -> list[int]:
    """``ids`` as a list of integer ids, each once, in the order given."""
    if isinstance(ids, str | bytes) or not isinstance(ids, Iterable):
        raise InvalidInputError(field, "须为编号列表")
    out: list[int] = []
    for value in ids:
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidInputError(field, f"编号须为整数, 收到 {value!r}")
        if value not in out:
            out.append(value)
    return out


def accountability_labels(camp: Campaign) -> dict[str, str]:
    """The definition's accountability vocabulary (id → label), in order of severity."""
    spec = camp.setup.outcomes if camp.setup is not None else None
    return {} if spec is None else {a.id: a.label for a in spec.accountability}


def mechanism_kinds(camp: Campaign) -> dict[str, str]:
    """The definition's kinds of long-term mechanism (id → label)."""
    spec = camp.setup.outcomes if camp.setup is not None else None
    return {} if spec is None else {k.id: k.label for k in spec.mechanism_kinds}


def _short(field: str, value: object, limit: int) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(field, "须为文本")
    text = value.strip()
    if not text:
        raise InvalidInputError(field, "不能为空")
    if len(text) > limit:
        raise InvalidInputError(field, f"过长 ({len(text)} 字, 最多 {limit} 字)")
    return text


def accountability_values(
    camp: Campaign, entries: Iterable[AccountabilityEntry | Sequence[str | None]]
) -> list[tuple[str, str | None, str]]:
    """(person, position, outcome) of each entry, checked: a name, an optional position, an
    outcome of the definition's vocabulary. An entry is an :class:`AccountabilityEntry` (its
    ``outcome_label`` is ignored) or a (person, position, outcome) triple."""
    labels = accountability_labels(camp)
    if isinstance(entries, str | bytes):
        raise InvalidInputError("accountability", "须为问责处理条目的列表")
    out: list[tuple[str, str | None, str]] = []
    for k, entry in enumerate(entries):
        field = f"accountability[{k}]"
        raw: tuple[object, object, object]
        if isinstance(entry, AccountabilityEntry):
            raw = (entry.person, entry.position, entry.outcome)
        elif isinstance(entry, tuple | list) and len(entry) == 3:
            raw = (entry[0], entry[1], entry[2])
        else:
            raise InvalidInputError(field, "须为 AccountabilityEntry 或 (姓名, 职务, 处理方式)")
        person, position, outcome = raw
        name = _short(f"{field}.person", person, PERSON_LIMIT)
        post: str | None = None
        if isinstance(position, str) and position.strip():
            post = _short(f"{field}.position", position, POSITION_LIMIT)
        elif position is not None and not isinstance(position, str):
            raise InvalidInputError(f"{field}.position", "须为文本")
        if not labels:
            raise InvalidInputError(
                f"{field}.outcome", "实施方案未定义问责处理方式 (outcomes.accountability)"
            )
        if not isinstance(outcome, str) or outcome not in labels:
            raise InvalidInputError(
                f"{field}.outcome", f"未知问责处理方式 {outcome!r} (可用: {', '.join(labels)})"
            )
        out.append((name, post, outcome))
    return out


def people_count(rows: Iterable[tuple[str, str | None]]) -> int:
    """How many people an outcome names: each (name, position) once."""
    return len(set(rows))


# ------------------------------------------------------------------------------- reading


def _links(
    conn: Connection, item_ids: Sequence[int] | None, mechanism_ids: Sequence[int] | None, campaign_id: int
) -> set[tuple[int, int]]:
    """(item id, mechanism id) of every link of the campaign: given when a mechanism was
    registered, or by an item's outcome. Restricted to ``item_ids`` / ``mechanism_ids``."""
    pairs: set[tuple[int, int]] = set()
    for table in (MECHANISM_ITEM, OUTCOME_MECHANISM):
        query = (
            select(table.c.item_id, table.c.mechanism_id)
            .join(MECHANISM, MECHANISM.c.id == table.c.mechanism_id)
            .where(MECHANISM.c.campaign_id == campaign_id)
        )
        if item_ids is not None:
            query = query.where(table.c.item_id.in_(item_ids))
        if mechanism_ids is not None:
            query = query.where(table.c.mechanism_id.in_(mechanism_ids))
        pairs |= {(r.item_id, r.mechanism_id) for r in conn.execute(query)}
    return pairs


def outcome_views(
    conn: Connection, camp: Campaign, item_ids: Sequence[int] | None, named: Mapping[int, bool] | bool
) -> list[OutcomeView]:
    """The recorded outcomes of ``item_ids`` (all the campaign's when None), by item id.
    ``named``: whether the reader may see the people, for all items or per item."""
    query = (
        select(OUTCOME)
        .join(ITEM, ITEM.c.id == OUTCOME.c.item_id)
        .where(ITEM.c.campaign_id == camp.id)
        .order_by(OUTCOME.c.item_id)
    )
    if item_ids is not None:
        query = query.where(OUTCOME.c.item_id.in_(item_ids))
    rows = [dict(r) for r in conn.execute(query).mappings()]
    if not rows:
        return []
    ids = [r["item_id"] for r in rows]
    people: dict[int, list[Mapping[str, Any]]] = {}
    query = (
        select(ACCOUNTABILITY)
        .where(ACCOUNTABILITY.c.item_id.in_(ids))
        .order_by(ACCOUNTABILITY.c.item_id, ACCOUNTABILITY.c.ordinal)
    )
    for a in conn.execute(query).mappings():
        people.setdefault(a["item_id"], []).append(dict(a))
    links: dict[int, set[int]] = {}
    for item_id, mechanism_id in _links(conn, ids, None, camp.id):
        links.setdefault(item_id, set()).add(mechanism_id)
    labels = accountability_labels(camp)
    views = []
    for r in rows:
        item_id = r["item_id"]
        shown = named if isinstance(named, bool) else named.get(item_id, False)
        entries = people.get(item_id, [])
        views.append(
            OutcomeView(
                item_id=item_id,
                root_cause=r["root_cause"],
                accountability=tuple(
                    AccountabilityEntry(
                        person=a["person"] if shown else "",
                        position=a["position"] if shown else None,
                        outcome=a["outcome"],
                        outcome_label=labels.get(a["outcome"], a["outcome"]),
                    )
                    for a in entries
                ),
                people=people_count((a["person"], a["position"]) for a in entries),
                mechanisms=tuple(sorted(links.get(item_id, ()))),
                recorded_by=r["recorded_by"],
                recorded_at=r["recorded_at"],
                named=shown,
            )
        )
    return views


def mechanism_views(
    conn: Connection,
    camp: Campaign,
    *,
    ids: Sequence[int] | None = None,
    unit_id: int | None = None,
    track: str | None = None,
) -> list[MechanismView]:
    """The campaign's long-term mechanisms in the order they were registered."""
    query = select(MECHANISM).where(MECHANISM.c.campaign_id == camp.id).order_by(MECHANISM.c.id)
    if ids is not None:
        query = query.where(MECHANISM.c.id.in_(ids))
    if unit_id is not None:
        query = query.where(MECHANISM.c.unit_id == unit_id)
    if track is not None:
        query = query.where(MECHANISM.c.track == track)
    rows = [dict(r) for r in conn.execute(query).mappings()]
    if not rows:
        return []
    items: dict[int, set[int]] = {}
    for item_id, mechanism_id in _links(conn, None, [r["id"] for r in rows], camp.id):
        items.setdefault(mechanism_id, set()).add(item_id)
    kinds = mechanism_kinds(camp)
    return [
        MechanismView(
            id=r["id"],
            campaign=camp.key,
            unit=camp.unit_keys[r["unit_id"]],
            unit_name=camp.unit_names[r["unit_id"]],
            track=r["track"],
            title=r["title"],
            kind=r["kind"],
            kind_label=kinds.get(r["kind"], r["kind"]),
            status=r["status"],
            status_label=MECHANISM_STATUSES.get(r["status"], r["status"]),
            date=r["date"],
            items=tuple(sorted(items.get(r["id"], ()))),
            note=r["note"],
            created_by=r["created_by"],
            created_at=r["created_at"],
        )
        for r in rows
    ]


def practice_view(camp: Campaign, r: Mapping[str, Any]) -> PracticeView:
    return PracticeView(
        id=r["id"],
        campaign=camp.key,
        unit=camp.unit_keys[r["unit_id"]],
        unit_name=camp.unit_names[r["unit_id"]],
        track=r["track"],
        title=r["title"],
        summary=r["summary"],
        submitted_by=r["submitted_by"],
        submitted_at=r["submitted_at"],
        selected=bool(r["selected"]),
        selected_by=r["selected_by"],
        selected_at=r["selected_at"],
    )


def record_outcome(
    rt: Runtime,
    item_id: int,
    actor: Actor,
    *,
    root_cause: str | None = None,
    accountability: Sequence[AccountabilityEntry | Sequence[str | None]] = (),
    mechanisms: Sequence[int] = (),
    expected_version: int | None = None,
) -> OutcomeView:
    now = rt.now()
    st, ad = rt.st, rt.admin
    with rt.store.transaction() as tx:
        row, camp = item_operation(rt, tx, item_id, actor, "record_outcome", expected_version)
        if row["state"] not in camp.lifecycle.final_states:
            raise GuardFailedError(
                item_id,
                "record_outcome",
                "item_finished",
                f"问题处于「{camp.lifecycle.labels.get(row['state'], row['state'])}」, 办结后才能记录",
                OUTCOME_NAMES,
            )
        cause = None if root_cause is None else checked_text("root_cause", root_cause)
        people = accountability_values(camp, accountability)
        linked = mechanism_ids(rt, tx, camp, mechanisms)
        if cause is None and not people and not linked:
            raise InvalidInputError("outcome", "办理结果为空: 须填写根源分析、问责处理或长效机制")
        key = {"item_id": item_id}
        replaced = tx.one(ad.outcome_exists, key) is not None
        for stmt in (ad.accountability_delete, ad.outcome_mechanism_delete, ad.outcome_delete):
            tx.run(stmt, key)
        tx.run(
            ad.outcome_insert,
            {"item_id": item_id, "root_cause": cause, "recorded_by": actor.name, "recorded_at": now},
        )
        tx.run_many(
            ad.accountability_insert,
            [
                {"item_id": item_id, "ordinal": k, "person": person, "position": position, "outcome": outcome}
                for k, (person, position, outcome) in enumerate(people)
            ],
        )
        tx.run_many(
            ad.outcome_mechanism_insert, [{"item_id": item_id, "mechanism_id": mid} for mid in linked]
        )
        cas_update(tx, st, row, {"updated_at": now, "version": row["version"] + 1})
        outcomes = Counter(outcome for _, _, outcome in people)
        data: dict[str, Any] = {
            "people": people_count((p, q) for p, q, _ in people),
            "accountability": {k: outcomes[k] for k in accountability_labels(camp) if outcomes[k]},
            "mechanisms": list(linked),
            "replaced": replaced,
        }
        if cause is not None:
            data["root_cause"] = cause
        append_event(
            tx,
            st,
            camp.id,
            item_id=item_id,
            trigger="record_outcome",
            from_state=row["state"],
            to_state=row["state"],
            actor=actor,
            at=now,
            data=data,
        )
        # The item's mechanisms: those registered naming it, and those the outcome links.
        registered = {
            r["mechanism_id"] for r in tx.all(ad.item_mechanisms, {"item_id": item_id, "cid": camp.id})
        }
        shown = may_read_people(camp, actor, row)
    # The outcome as written (what outcome_views reads back).
    labels = accountability_labels(camp)
    return OutcomeView(
        item_id=item_id,
        root_cause=cause,
        accountability=tuple(
            AccountabilityEntry(
                person=person if shown else "",
                position=position if shown else None,
                outcome=outcome,
                outcome_label=labels.get(outcome, outcome),
            )
            for person, position, outcome in people
        ),
        people=people_count((person, position) for person, position, _ in people),
        mechanisms=tuple(sorted(registered | set(linked))),
        recorded_by=actor.name,
        recorded_at=now,
        named=shown,
    )


def outcome(rt: Runtime, item_id: int, actor: Actor) -> OutcomeView | None:
    with rt.store.read() as conn:
        row = rt.load_item(conn, item_id)
        camp = rt.campaign(conn, row["campaign_id"], row["campaign_version"])
        check_actor(camp, actor)
        named = may_read_people(camp, actor, row)
        views = outcome_views(conn, camp, [item_id], named)
    view = views[0] if views else None
    if view is not None and named and view.people:
        audit_people_read(rt, camp, actor, [view], item_id=item_id)
    return view


def outcomes(
    rt: Runtime, campaign: str | int, actor: Actor, *, unit: str | None = None, track: str | None = None
) -> list[OutcomeView]:
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        check_actor(camp, actor)
        query = select(ITEM.c.id, ITEM.c.responsible_unit_id).where(ITEM.c.campaign_id == camp.id)
        if unit is not None:
            query = query.where(ITEM.c.responsible_unit_id == unit_id_of(camp, unit))
        if track is not None:
            query = query.where(ITEM.c.track == checked_choice("track", track, camp.tracks, TrackNotFound))
        rows = conn.execute(query).mappings().all()
        named = {r["id"]: may_read_people(camp, actor, dict(r)) for r in rows}
        views = outcome_views(conn, camp, list(named), named)
    shown = [v for v in views if v.named and v.people]
    if shown:
        audit_people_read(rt, camp, actor, shown, item_id=None)
    return views


def publish_case(
    rt: Runtime, item_id: int, actor: Actor, *, where: str, on: dt.date, expected_version: int | None = None
) -> ItemView:
    now = rt.now()
    st = rt.st
    with rt.store.transaction() as tx:
        row, camp = item_operation(rt, tx, item_id, actor, "publish_case", expected_version)
        if row["case_marked_at"] is None:
            raise GuardFailedError(
                item_id, "publish_case", "marked_case", "问题未标记为典型案例", OUTCOME_NAMES
            )
        place = checked_text("where", where)
        if len(place) > 200:
            raise InvalidInputError("where", f"过长 ({len(place)} 字, 最多 200 字)")
        day = past_day("on", on, camp, now)
        changes = {
            "case_published_at": day,
            "case_published_where": place,
            "updated_at": now,
            "version": row["version"] + 1,
        }
        cas_update(tx, st, row, changes)
        append_event(
            tx,
            st,
            camp.id,
            item_id=item_id,
            trigger="publish_case",
            from_state=row["state"],
            to_state=row["state"],
            actor=actor,
            at=now,
            data={"where": place, "on": day.isoformat()},
        )
    return item_view(camp, {**row, **changes})


def five_outcomes_of(
    rt: Runtime, campaign: str | int, *, unit: str | None = None, track: str | None = None
) -> FiveOutcomes:
    now = rt.now()
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        unit_id = None if unit is None else unit_id_of(camp, unit)
        if track is not None:
            checked_choice("track", track, camp.tracks, TrackNotFound)
        return five_outcomes(conn, camp, now, unit_id=unit_id, unit=unit, track=track)


def audit_people_read(
    rt: Runtime, camp: Campaign, actor: Actor, views: Sequence[OutcomeView], *, item_id: int | None
) -> None:
    """One audit event for a read that named people: whose items, how many people."""
    now = rt.now()
    with rt.store.transaction() as tx:
        append_event(
            tx,
            rt.st,
            camp.id,
            item_id=item_id,
            trigger="read_named_people",
            from_state=None,
            to_state=None,
            actor=actor,
            at=now,
            data={"items": [v.item_id for v in views], "people": sum(v.people for v in views)},
        )


def mechanism_ids(rt: Runtime, tx: Tx, camp: Campaign, ids: Sequence[int]) -> list[int]:
    """``ids`` as the campaign's mechanisms, each once, in order; MechanismNotFound else."""
    wanted = id_list("mechanisms", ids)
    for mid in wanted:
        if tx.one(rt.admin.mechanism_of_campaign, {"id": mid, "cid": camp.id}) is None:
            raise MechanismNotFound(mid)
    return wanted
