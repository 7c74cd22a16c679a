"""Registers of their own (issue 16): the 警示教育 sessions units hold (一、(三) 警示教育一批党员干部,
counted in 五个一批 by attendees) and the units' public commitments (践诺, 二、(二): open until
kept or broken, flagged when still open after their due day, published in the digest).

Who records them is the definition's: ``operations.record_education`` and
``operations.record_commitment`` (a unit-bound role for its own unit only; the office for any).
Each write is one audit event naming its subject (``education`` / ``commitment`` and the id).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, select

from . import _outcomes
from ._access import check_actor, check_operation
from ._admin_statements import COMMITMENT, EDUCATION, EDUCATION_CASE
from ._inputs import check_id, checked_choice, checked_date, checked_text, unit_id_of
from ._mechanisms import campaign_item_ids
from ._raw import Tx
from ._runtime import Runtime
from ._writes import Campaign, append_event
from .errors import CommitmentNotFound, InvalidInputError, TrackNotFound
from .views import COMMITMENT_STATES, Actor, CommitmentView, EducationView

__all__ = ["add_commitment", "commitments", "educations", "record_education", "settle_commitment"]

#: The most attendees one session may record (a typo guard: a county's cadres, not a city's).
MAX_ATTENDEES = 100_000


def _attendees(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInputError("attendees", "参加人数须为整数")
    if not 0 < value <= MAX_ATTENDEES:
        raise InvalidInputError("attendees", f"参加人数须在 1 到 {MAX_ATTENDEES} 之间, 收到 {value}")
    return value


def record_education(
    rt: Runtime,
    campaign: str | int,
    actor: Actor,
    *,
    unit: str,
    held_on: dt.date | str,
    title: str,
    attendees: int,
    cases: str | None = None,
    case_items: Sequence[int] = (),
    track: str | None = None,
) -> EducationView:
    now = rt.now()
    with rt.store.transaction() as tx:
        camp = rt.campaign(tx, campaign)
        check_actor(camp, actor)
        unit_id = unit_id_of(camp, unit)
        check_operation(camp, actor, "record_education", {"responsible_unit_id": unit_id})
        values: dict[str, Any] = {
            "campaign_id": camp.id,
            "unit_id": unit_id,
            "track": None if track is None else checked_choice("track", track, camp.tracks, TrackNotFound),
            "held_on": _outcomes.past_day("held_on", held_on, camp, now),
            "title": checked_text("title", title),
            "attendees": _attendees(attendees),
            "cases": None if cases is None else checked_text("cases", cases),
            "created_by": actor.name,
            "created_at": now,
        }
        item_ids = campaign_item_ids(rt, tx, camp, case_items)
        values["id"] = tx.scalar(rt.admin.education_insert, values)
        tx.run_many(
            rt.admin.education_case_insert, [{"education_id": values["id"], "item_id": i} for i in item_ids]
        )
        append_event(
            tx,
            rt.st,
            camp.id,
            item_id=None,
            trigger="record_education",
            from_state=None,
            to_state=None,
            actor=actor,
            at=now,
            data={
                "education": values["id"],
                "unit": unit,
                "title": values["title"],
                "held_on": values["held_on"].isoformat(),
                "attendees": values["attendees"],
                "case_items": list(item_ids),
                **({"track": values["track"]} if values["track"] else {}),
            },
        )
    return education_view(camp, values, item_ids)


def educations(
    rt: Runtime, campaign: str | int, *, unit: str | None = None, track: str | None = None
) -> list[EducationView]:
    """The campaign's 警示教育 sessions, oldest first (by day held), of one unit or track."""
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        unit_id = None if unit is None else unit_id_of(camp, unit)
        if track is not None:
            checked_choice("track", track, camp.tracks, TrackNotFound)
        return education_views(conn, camp, unit_id=unit_id, track=track)


def education_views(
    conn: Connection, camp: Campaign, *, unit_id: int | None = None, track: str | None = None
) -> list[EducationView]:
    query = select(EDUCATION).where(EDUCATION.c.campaign_id == camp.id)
    if unit_id is not None:
        query = query.where(EDUCATION.c.unit_id == unit_id)
    if track is not None:
        query = query.where(EDUCATION.c.track == track)
    rows = conn.execute(query.order_by(EDUCATION.c.held_on, EDUCATION.c.id)).mappings().all()
    cases: dict[int, list[int]] = {}
    linked = (
        select(EDUCATION_CASE.c.education_id, EDUCATION_CASE.c.item_id)
        .join(EDUCATION, EDUCATION.c.id == EDUCATION_CASE.c.education_id)
        .where(EDUCATION.c.campaign_id == camp.id)
    )
    for education_id, item_id in conn.execute(linked):
        cases.setdefault(education_id, []).append(item_id)
    return [education_view(camp, r, cases.get(r["id"], ())) for r in rows]


def education_view(camp: Campaign, r: Mapping[Any, Any], items: Sequence[int]) -> EducationView:
    return EducationView(
        id=r["id"],
        campaign=camp.key,
        unit=camp.unit_keys[r["unit_id"]],
        unit_name=camp.unit_names[r["unit_id"]],
        track=r["track"],
        held_on=r["held_on"],
        title=r["title"],
        attendees=r["attendees"],
        cases=r["cases"],
        case_items=tuple(sorted(set(items))),
        created_by=r["created_by"],
        created_at=r["created_at"],
    )


# ------------------------------------------------------------------------------ 践诺


def _due_day(value: object, camp: Campaign, now: dt.datetime) -> dt.date:
    """A commitment's due day: a date (or ``YYYY-MM-DD``) not before today."""
    value = checked_date("due", value, "兑现期限")
    today = now.astimezone(camp.tz).date()
    if value < today:
        raise InvalidInputError("due", f"兑现期限 {value.isoformat()} 早于今天 {today.isoformat()}")
    return value


def add_commitment(
    rt: Runtime, campaign: str | int, actor: Actor, *, unit: str, text: str, due: dt.date | str
) -> CommitmentView:
    now = rt.now()
    with rt.store.transaction() as tx:
        camp = rt.campaign(tx, campaign)
        check_actor(camp, actor)
        unit_id = unit_id_of(camp, unit)
        check_operation(camp, actor, "record_commitment", {"responsible_unit_id": unit_id})
        values: dict[str, Any] = {
            "campaign_id": camp.id,
            "unit_id": unit_id,
            "text": checked_text("text", text),
            "due": _due_day(due, camp, now),
            "state": "open",
            "settled_on": None,
            "settle_note": None,
            "settled_by": None,
            "settled_at": None,
            "created_by": actor.name,
            "created_at": now,
        }
        values["id"] = tx.scalar(rt.admin.commitment_insert, values)
        append_event(
            tx,
            rt.st,
            camp.id,
            item_id=None,
            trigger="add_commitment",
            from_state=None,
            to_state="open",
            actor=actor,
            at=now,
            data={"commitment": values["id"], "unit": unit, "due": values["due"].isoformat()},
        )
    return commitment_view(camp, values, now.astimezone(camp.tz).date())


def settle_commitment(
    rt: Runtime,
    commitment_id: int,
    actor: Actor,
    *,
    kept: bool,
    on: dt.date | str | None = None,
    note: str | None = None,
) -> CommitmentView:
    now = rt.now()
    if not isinstance(kept, bool):
        raise InvalidInputError("result", "认定结果须为 True (已兑现) 或 False (未兑现)")
    with rt.store.transaction() as tx:
        row = load_commitment(rt, tx, commitment_id)
        camp = rt.campaign(tx, row["campaign_id"])
        check_actor(camp, actor)
        check_operation(camp, actor, "record_commitment", {"responsible_unit_id": row["unit_id"]})
        if row["state"] != "open":
            raise InvalidInputError(
                "commitment_id",
                f"承诺 {commitment_id} 已于 {row['settled_on']} 认定为{COMMITMENT_STATES[row['state']]}, 不能再次认定",
            )
        today = now.astimezone(camp.tz).date()
        day = today if on is None else _outcomes.past_day("on", on, camp, now)
        created = row["created_at"].astimezone(camp.tz).date()
        if day < created:
            raise InvalidInputError("on", f"日期 {day.isoformat()} 早于承诺登记日 {created.isoformat()}")
        if not kept and note is None:
            raise InvalidInputError("note", "认定未兑现须说明原因")
        state = "fulfilled" if kept else "broken"
        values: dict[str, Any] = {
            "state": state,
            "settled_on": day,
            "settle_note": None if note is None else checked_text("note", note),
            "settled_by": actor.name,
            "settled_at": now,
        }
        if tx.run(rt.admin.commitment_settle, {"id": commitment_id, **values}) != 1:
            raise InvalidInputError("commitment_id", f"承诺 {commitment_id} 已被他人认定, 请刷新后查看")
        data: dict[str, Any] = {
            "commitment": commitment_id,
            "state": state,
            "on": day.isoformat(),
            "late": day > row["due"],
        }
        if values["settle_note"]:
            data["note"] = values["settle_note"]
        append_event(
            tx,
            rt.st,
            camp.id,
            item_id=None,
            trigger="settle_commitment",
            from_state="open",
            to_state=state,
            actor=actor,
            at=now,
            data=data,
        )
    return commitment_view(camp, {**row, **values}, today)


def commitments(
    rt: Runtime,
    campaign: str | int,
    *,
    unit: str | None = None,
    state: str | None = None,
    overdue: bool = False,
) -> list[CommitmentView]:
    """The campaign's commitments by due day, of one unit or ``state``; ``overdue`` only those
    still open after their due day."""
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        unit_id = None if unit is None else unit_id_of(camp, unit)
        wanted = None if state is None else checked_choice("state", state, COMMITMENT_STATES)
        views = commitment_views(conn, camp, rt.now(), unit_id=unit_id, state=wanted)
    return [v for v in views if v.overdue] if overdue else views


def commitment_views(
    conn: Connection,
    camp: Campaign,
    now: dt.datetime,
    *,
    unit_id: int | None = None,
    state: str | None = None,
) -> list[CommitmentView]:
    query = select(COMMITMENT).where(COMMITMENT.c.campaign_id == camp.id)
    if unit_id is not None:
        query = query.where(COMMITMENT.c.unit_id == unit_id)
    if state is not None:
        query = query.where(COMMITMENT.c.state == state)
    today = now.astimezone(camp.tz).date()
    rows = conn.execute(query.order_by(COMMITMENT.c.due, COMMITMENT.c.id)).mappings()
    return [commitment_view(camp, r, today) for r in rows]


def commitment_view(camp: Campaign, r: Mapping[Any, Any], today: dt.date) -> CommitmentView:
    return CommitmentView(
        id=r["id"],
        campaign=camp.key,
        unit=camp.unit_keys[r["unit_id"]],
        unit_name=camp.unit_names[r["unit_id"]],
        text=r["text"],
        due=r["due"],
        state=r["state"],
        state_label=COMMITMENT_STATES[r["state"]],
        overdue=r["state"] == "open" and r["due"] < today,
        settled_on=r["settled_on"],
        settle_note=r["settle_note"],
        settled_by=r["settled_by"],
        created_by=r["created_by"],
        created_at=r["created_at"],
    )


def load_commitment(rt: Runtime, tx: Tx, commitment_id: int) -> Mapping[str, Any]:
    check_id("commitment_id", commitment_id, "承诺")
    row = tx.one(rt.admin.commitment, {"id": commitment_id})
    if row is None:
        raise CommitmentNotFound(commitment_id)
    return row
