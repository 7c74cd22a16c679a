"""长效机制 and 典型做法: registering, updating, selecting and listing them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select

from . import _outcomes
from ._access import check_actor, check_operation, check_role
from ._inputs import check_id, checked_choice, checked_text, unit_id_of
from ._raw import Tx
from ._rows import MechanismRow, PracticeRow
from ._runtime import Runtime
from ._writes import Campaign, append_event
from .errors import InvalidInputError, ItemNotFound, MechanismNotFound, PracticeNotFound, TrackNotFound
from .views import MECHANISM_STATUSES, Actor, MechanismView, PracticeView


def register_mechanism(
    rt: Runtime,
    campaign: str | int,
    actor: Actor,
    *,
    unit: str,
    title: str,
    kind: str,
    status: str,
    date: dt.date,
    items: Sequence[int] = (),
    track: str | None = None,
    note: str | None = None,
) -> MechanismView:
    now = rt.now()
    st = rt.st
    with rt.store.transaction() as tx:
        camp = rt.campaign(tx, campaign)
        check_actor(camp, actor)
        unit_id = unit_id_of(camp, unit)
        check_role(
            camp,
            actor,
            "register_mechanism",
            camp.operations.get("register_mechanism", frozenset()),
            {"responsible_unit_id": unit_id},
        )
        values: dict[str, Any] = {
            "campaign_id": camp.id,
            "unit_id": unit_id,
            "track": None if track is None else checked_choice("track", track, camp.tracks, TrackNotFound),
            "title": checked_text("title", title),
            "kind": checked_choice("kind", kind, _outcomes.mechanism_kinds(camp)),
            "status": checked_choice("status", status, MECHANISM_STATUSES),
            "date": _outcomes.past_day("date", date, camp, now),
            "note": None if note is None else checked_text("note", note),
            "created_by": actor.name,
            "created_at": now,
            "updated_by": actor.name,
            "updated_at": now,
        }
        item_ids = campaign_item_ids(rt, tx, camp, items)
        mechanism_id = tx.scalar(rt.admin.mechanism_insert, values)
        tx.run_many(
            rt.admin.mechanism_item_insert, [{"mechanism_id": mechanism_id, "item_id": i} for i in item_ids]
        )
        append_event(
            tx,
            st,
            camp.id,
            item_id=None,
            trigger="register_mechanism",
            from_state=None,
            to_state=None,
            actor=actor,
            at=now,
            data={
                "mechanism": mechanism_id,
                "unit": unit,
                "title": values["title"],
                "kind": values["kind"],
                "status": values["status"],
                "date": values["date"].isoformat(),
                "items": list(item_ids),
                **({"track": values["track"]} if values["track"] else {}),
            },
        )
    # A new mechanism: its items are those it was registered with (no outcome links it yet).
    return mechanism_view(camp, {**values, "id": mechanism_id}, item_ids)


def update_mechanism(
    rt: Runtime, mechanism_id: int, actor: Actor, *, status: str, date: dt.date, note: str | None = None
) -> MechanismView:
    now = rt.now()
    st, ad = rt.st, rt.admin
    with rt.store.transaction() as tx:
        row = load_mechanism(rt, tx, mechanism_id)
        camp = rt.campaign(tx, row["campaign_id"])
        check_actor(camp, actor)
        check_role(
            camp,
            actor,
            "register_mechanism",
            camp.operations.get("register_mechanism", frozenset()),
            {"responsible_unit_id": row["unit_id"]},
        )
        new_status = checked_choice("status", status, MECHANISM_STATUSES)
        day = _outcomes.past_day("date", date, camp, now)
        if day < row["date"]:
            raise InvalidInputError(
                "date", f"日期 {day.isoformat()} 早于上次状态日期 {row['date'].isoformat()}"
            )
        values: dict[str, Any] = {
            "status": new_status,
            "date": day,
            "updated_by": actor.name,
            "updated_at": now,
        }
        if note is not None:
            values["note"] = checked_text("note", note)
        tx.run(
            ad.mechanism_update if note is None else ad.mechanism_update_note, {"id": mechanism_id, **values}
        )
        data: dict[str, Any] = {
            "mechanism": mechanism_id,
            "from_status": row["status"],
            "status": new_status,
            "date": day.isoformat(),
        }
        if note is not None:
            data["note"] = values["note"]
        append_event(
            tx,
            st,
            camp.id,
            item_id=None,
            trigger="update_mechanism",
            from_state=None,
            to_state=None,
            actor=actor,
            at=now,
            data=data,
        )
        items = [r["item_id"] for r in tx.all(ad.mechanism_items, {"id": mechanism_id})]
        items += [r["item_id"] for r in tx.all(ad.mechanism_outcome_items, {"id": mechanism_id})]
    return mechanism_view(camp, {**row, **values}, items)


def mechanisms(
    rt: Runtime, campaign: str | int, *, unit: str | None = None, track: str | None = None
) -> list[MechanismView]:
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        unit_id = None if unit is None else unit_id_of(camp, unit)
        if track is not None:
            checked_choice("track", track, camp.tracks, TrackNotFound)
        return _outcomes.mechanism_views(conn, camp, unit_id=unit_id, track=track)


def submit_practice(
    rt: Runtime, campaign: str | int, actor: Actor, *, title: str, summary: str, track: str | None = None
) -> PracticeView:
    now = rt.now()
    st = rt.st
    with rt.store.transaction() as tx:
        camp = rt.campaign(tx, campaign)
        check_actor(camp, actor)
        check_operation(camp, actor, "submit_practice", None)
        if actor.unit is None:
            raise InvalidInputError("actor.unit", "报送典型做法须指明报送单位")
        values: dict[str, Any] = {
            "campaign_id": camp.id,
            "unit_id": camp.unit_ids[actor.unit],
            "track": None if track is None else checked_choice("track", track, camp.tracks, TrackNotFound),
            "title": checked_text("title", title),
            "summary": checked_text("summary", summary),
            "submitted_by": actor.name,
            "submitted_at": now,
            "selected": False,
            "selected_by": None,
            "selected_at": None,
        }
        values["id"] = tx.scalar(rt.admin.practice_insert, values)
        append_event(
            tx,
            st,
            camp.id,
            item_id=None,
            trigger="submit_practice",
            from_state=None,
            to_state=None,
            actor=actor,
            at=now,
            data={
                "practice": values["id"],
                "unit": actor.unit,
                "title": values["title"],
                **({"track": values["track"]} if values["track"] else {}),
            },
        )
    return _outcomes.practice_view(camp, values)


def select_practice(rt: Runtime, practice_id: int, actor: Actor, *, selected: bool) -> PracticeView:
    now = rt.now()
    st = rt.st
    if not isinstance(selected, bool):
        raise InvalidInputError("selected", "须为 True 或 False")
    with rt.store.transaction() as tx:
        row = load_practice(rt, tx, practice_id)
        camp = rt.campaign(tx, row["campaign_id"])
        check_actor(camp, actor)
        check_operation(camp, actor, "select_practice", None)
        values: dict[str, Any] = {
            "selected": selected,
            "selected_by": actor.name if selected else None,
            "selected_at": now if selected else None,
        }
        tx.run(rt.admin.practice_select, {"id": practice_id, **values})
        append_event(
            tx,
            st,
            camp.id,
            item_id=None,
            trigger="select_practice",
            from_state=None,
            to_state=None,
            actor=actor,
            at=now,
            data={"practice": practice_id, "selected": selected, "was_selected": bool(row["selected"])},
        )
    return _outcomes.practice_view(camp, {**row, **values})


def practices(
    rt: Runtime, campaign: str | int, *, selected: bool | None = None, unit: str | None = None
) -> list[PracticeView]:
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        query = select(_outcomes.PRACTICE).where(_outcomes.PRACTICE.c.campaign_id == camp.id)
        if selected is not None:
            query = query.where(_outcomes.PRACTICE.c.selected == bool(selected))
        if unit is not None:
            query = query.where(_outcomes.PRACTICE.c.unit_id == unit_id_of(camp, unit))
        rows = conn.execute(query.order_by(_outcomes.PRACTICE.c.id)).mappings()
        return [_outcomes.practice_view(camp, dict(r)) for r in rows]


def campaign_item_ids(rt: Runtime, tx: Tx, camp: Campaign, ids: Sequence[int]) -> list[int]:
    """``ids`` as the campaign's items, each once, in order; ItemNotFound else."""
    wanted = _outcomes.id_list("items", ids)
    for item_id in wanted:
        if tx.one(rt.admin.item_of_campaign, {"id": item_id, "cid": camp.id}) is None:
            raise ItemNotFound(item_id)
    return wanted


def mechanism_view(camp: Campaign, r: Mapping[str, Any], items: Iterable[int]) -> MechanismView:
    """A mechanism as written (its row's values) with its ``items``: what
    :func:`~._outcomes.mechanism_views` reads back."""
    kinds = _outcomes.mechanism_kinds(camp)
    return MechanismView(
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
        items=tuple(sorted(set(items))),
        note=r["note"],
        created_by=r["created_by"],
        created_at=r["created_at"],
    )


def load_mechanism(rt: Runtime, tx: Tx, mechanism_id: int) -> MechanismRow:
    check_id("mechanism_id", mechanism_id, "长效机制")
    row = tx.one(rt.admin.mechanism, {"id": mechanism_id})
    if row is None:
        raise MechanismNotFound(mechanism_id)
    return row


def load_practice(rt: Runtime, tx: Tx, practice_id: int) -> PracticeRow:
    check_id("practice_id", practice_id, "典型做法")
    row = tx.one(rt.admin.practice, {"id": practice_id})
    if row is None:
        raise PracticeNotFound(practice_id)
    return row
