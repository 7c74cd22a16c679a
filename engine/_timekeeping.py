"""The calendar's effect on running campaigns: loading a year, arming the steps that waited for it, recomputing deadlines, and alerts for a year nobody loaded."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from zhenggai.workflows.schema import CalendarSpec, CalendarYearSpec, CampaignSetup

from ._access import check_actor, check_operation
from ._calendar_years import load_year, read_loaded, year_view, year_views
from ._callback_tasks import callback_wanted
from ._campaign_steps import campaign_steps
from ._co_units import part_moments
from ._documents import document_steps
from ._duty_steps import duty_steps
from ._follow_ups import review_wanted
from ._inputs import checked_text, local_day
from ._raw import Tx
from ._research import research_steps
from ._rows import changed
from ._runtime import Runtime
from ._steps import (
    SYSTEM,
    SweepReport,
    Wanted,
    arm_awaiting,
    arm_item_steps,
    item_steps,
    retime_steps,
    timer_steps,
)
from ._transfer import transfer_steps
from ._writes import Campaign, append_event, cas_update, queue_messages
from .calendar import WorkingCalendar
from .checks import check_setup
from .deadlines import add_days
from .errors import CalendarError, DefinitionError
from .views import Actor, CalendarYearView, RecomputeView


def recompute_deadlines(
    rt: Runtime, campaign: str | int, actor: Actor, *, progress: Callable[[int, int], None] | None = None
) -> RecomputeView:
    rt.refresh_years()  # a year loaded by another process since this engine read them
    now = rt.now()
    st = rt.st
    with rt.store.transaction() as tx:
        camp = rt.campaign(tx, campaign)
        check_actor(camp, actor)
        check_operation(camp, actor, "recompute_deadlines", None)
        moved: list[tuple[int, dt.date, dt.date]] = []
        retimed = 0
        rows = tx.all(st.items_of_campaign, {"cid": camp.id})
        duties = tx.all(st.duties_open, {"cid": camp.id})
        total = len(rows) + len(duties)
        for done, row in enumerate(rows, 1):
            if progress is not None:
                progress(done - 1, total)
            if row["state"] in camp.lifecycle.final_states:
                continue
            after = row
            if (
                row["due"] is not None
                and row["due_from"] is not None
                and row["due_days"] is not None
                and row["due_count"] is not None
                and row["paused_at"] is None
            ):
                due = add_days(camp.calendar, row["due_from"], row["due_days"], row["due_count"])
                if due != row["due"]:
                    changes: dict[str, Any] = {"due": due, "updated_at": now, "version": row["version"] + 1}
                    if row["light"] != "green":
                        changes["light"] = "green"
                    cas_update(tx, st, row, changes)
                    after = changed(row, changes)
                    moved.append((row["id"], row["due"], due))
                    append_event(
                        tx,
                        st,
                        camp.id,
                        item_id=row["id"],
                        trigger="recompute_deadline",
                        from_state=row["state"],
                        to_state=row["state"],
                        actor=actor,
                        at=now,
                        data={"old_due": row["due"].isoformat(), "due": due.isoformat()},
                    )
                    arm_item_steps(tx, st, camp, row, after, now)
            if after["due"] is not None or camp.lifecycle.timed:
                wanted = {**item_steps(camp, after), **timer_steps(camp, after)}
                retimed += retime_steps(tx, st, "item", row["id"], wanted)
        for done, duty in enumerate(duties, len(rows) + 1):
            if progress is not None:
                progress(done - 1, total)
            spec = camp.duties.get(duty["duty_key"])
            if spec is not None:
                retimed += retime_steps(tx, st, "duty", duty["id"], duty_steps(camp, spec, duty["due"]))
        if progress is not None:
            progress(total, total)
        data = {
            "moved": [{"item": i, "old_due": a.isoformat(), "due": b.isoformat()} for i, a, b in moved],
            "retimed": retimed,
            "definition_version": camp.view.definition_version,
        }
        append_event(
            tx,
            st,
            camp.id,
            item_id=None,
            trigger="recompute_deadlines",
            from_state=None,
            to_state=None,
            actor=actor,
            at=now,
            data=data,
        )
    arm_all_awaiting(rt, now)  # steps that waited for a year the calendar now knows
    return RecomputeView(campaign=camp.key, moved=tuple(moved), retimed=retimed)


def check_definition(rt: Runtime, setup: CampaignSetup) -> None:
    """What ``zhenggai check`` refuses, on this database's calendar (with its loaded years)."""
    rt.refresh_years()
    calendar = rt.calendar_for(setup.calendar)
    problems = check_setup(setup, calendar=calendar if isinstance(calendar, WorkingCalendar) else None)
    if problems:
        raise DefinitionError(problems)


def working_calendar(rt: Runtime, spec: CalendarSpec | None = None) -> WorkingCalendar:
    rt.refresh_years()
    return WorkingCalendar(spec, loaded=rt.loaded_years)


def load_calendar_year(
    rt: Runtime, spec: CalendarYearSpec, actor: Actor, *, replace: bool = False, sha256: str | None = None
) -> CalendarYearView:
    now = rt.now()
    name = checked_text("actor", actor.name)
    digest = sha256 or hashlib.sha256(spec.model_dump_json().encode()).hexdigest()
    st = rt.st
    with rt.store.transaction() as tx:
        _, replaces = load_year(tx, rt.cal_st, spec, sha256=digest, actor=name, replace=replace, now=now)
        read_loaded(tx, rt.cal_st, rt.loaded_years)
        data = {
            "year": spec.year,
            "source": spec.source,
            "notice": spec.notice,
            "sha256": digest,
            "replaces": replaces,
            "holidays": len(spec.holidays),
            "makeup_days": sum(len(h.makeup) for h in spec.holidays),
        }
        for cid in tx.all(rt.cal_st.campaign_ids):
            camp = rt.campaign(tx, cid["id"])
            if camp.setup is None or camp.setup.calendar.base == "cn_statutory":
                append_event(
                    tx,
                    st,
                    camp.id,
                    item_id=None,
                    trigger="calendar_loaded",
                    from_state=None,
                    to_state=None,
                    actor=actor,
                    at=now,
                    data=data,
                )
        rows = tx.all(rt.cal_st.rows)
    arm_all_awaiting(rt, now)
    view = year_view(rows, spec.year)
    assert view is not None
    return view


def calendar_years(rt: Runtime) -> list[CalendarYearView]:
    with rt.store.read() as conn:
        return year_views(Tx.on(conn).all(rt.cal_st.rows))


def calendar_year(rt: Runtime, year: int) -> CalendarYearView:
    with rt.store.read() as conn:
        rows = Tx.on(conn).all(rt.cal_st.rows)
    view = year_view(rows, year)
    if view is None:
        covered = WorkingCalendar(CalendarSpec()).describe_coverage()
        loaded = sorted({r["year"] for r in rows})
        if loaded:
            covered += f", 另载入 {'、'.join(str(y) for y in loaded)} 年"
        raise CalendarError(dt.date(year, 1, 1), covered)
    return view


def calendar_changes(rt: Runtime, now: dt.datetime) -> int:
    """Read the loaded years again (another process may have loaded one); when they changed,
    or on this engine's first sweep (a package upgrade comes with a restart), arm the steps
    that waited for the calendar. Returns how many were armed."""
    changed = rt.refresh_years()
    if not changed and rt.armed_for == rt.loaded_years.fingerprint:
        return 0
    rt.armed_for = rt.loaded_years.fingerprint
    return arm_all_awaiting(rt, now)


def arm_all_awaiting(rt: Runtime, now: dt.datetime) -> int:
    with rt.store.read() as conn:
        subjects = Tx.on(conn).all(rt.st.awaiting_subjects)
    armed = 0
    for subject in subjects:
        with rt.store.transaction() as tx:
            kind, sid = subject["subject_kind"], subject["subject_id"]
            armed += arm_awaiting(tx, rt.st, kind, sid, moments(rt, tx, kind, sid), now)
    return armed


def moments(rt: Runtime, tx: Tx, kind: str, sid: int) -> dict[str, Any]:
    """When each step a subject should have is due now (the calendar as it is now)."""
    wanted: Wanted
    if kind == "item":
        row = rt.load_item(tx, sid)
        camp = rt.campaign(tx, row["campaign_id"], row["campaign_version"])
        wanted = {**item_steps(camp, row), **timer_steps(camp, row)}
    elif kind == "transfer":
        row = rt.load_item(tx, sid)
        wanted = transfer_steps(rt.campaign(tx, row["campaign_id"], row["campaign_version"]), row)
    elif kind == "research":
        row = rt.load_item(tx, sid)
        wanted = research_steps(rt.campaign(tx, row["campaign_id"], row["campaign_version"]), row)
    elif kind == "document":
        document = rt.load_document(tx, sid)
        wanted = document_steps(rt.campaign(tx, document["campaign_id"]), document)
    elif kind == "duty":
        duty = rt.load_duty(tx, sid)
        camp = rt.campaign(tx, duty["campaign_id"], duty["campaign_version"])
        spec = camp.duties.get(duty["duty_key"])
        wanted = duty_steps(camp, spec, duty["due"]) if spec is not None and duty["status"] == "open" else {}
    elif kind == "review":
        wanted = review_wanted(rt, tx, sid)
    elif kind == "part":
        wanted = part_moments(rt, tx, sid)
    elif kind == "callback":
        wanted = callback_wanted(rt, tx, sid)
    else:
        return dict(campaign_steps(rt.campaign(tx, sid)))
    return {key: when for key, (_, when) in wanted.items()}


def calendar_alerts(rt: Runtime, now: dt.datetime, report: SweepReport) -> None:
    """Once per campaign and missing year, when steps wait for that year past the earliest
    moment they could be due: a ``calendar_missing`` event, the campaign's
    ``calendar.alert`` messages, and a marker step (``calendar_missing@YEAR``) so it is said
    once, by whichever daemon gets there first."""
    waiting: dict[int, dict[int, tuple[int, dt.datetime]]] = {}
    with rt.store.read() as conn:
        for row in Tx.on(conn).all(rt.st.awaiting_due, {"now": now}):
            camp = rt.campaign(conn, row["campaign_id"])
            for year in missing_years(camp, row["due_at"], now):
                steps, first = waiting.setdefault(camp.id, {}).get(year, (0, row["due_at"]))
                waiting[camp.id][year] = (steps + row["steps"], min(first, row["due_at"]))
    st = rt.st
    for cid, years in waiting.items():
        for year, (steps, first) in sorted(years.items()):
            key = f"calendar_missing@{year}"
            with rt.store.transaction() as tx:
                if not tx.run(
                    st.step_insert_once,
                    {
                        "campaign_id": cid,
                        "subject_kind": "campaign",
                        "subject_id": cid,
                        "step_key": key,
                        "due_at": now,
                        "status": "fired",
                        "fired_at": now,
                        "created_at": now,
                    },
                ):
                    continue
                camp = rt.campaign(tx, cid)
                data = {"year": year, "steps": steps, "first_due": first.isoformat()}
                queued = None
                if camp.setup is not None:
                    payload = {
                        "campaign": camp.view.title,
                        "year": year,
                        "steps": steps,
                        "first_due": local_day(camp, first),
                    }
                    queued = queue_messages(
                        tx,
                        st,
                        camp,
                        camp.setup.calendar.alert,
                        key=f"campaign:{cid}:{key}",
                        payload=payload,
                        units={},
                        item_id=None,
                        now=now,
                    )
                append_event(
                    tx,
                    st,
                    cid,
                    item_id=None,
                    trigger="calendar_missing",
                    from_state=None,
                    to_state=None,
                    actor=SYSTEM,
                    at=now,
                    data=data,
                    outbox=queued,
                )
                report.alerts += 1


def missing_years(camp: Campaign, due_at: dt.datetime, now: dt.datetime) -> list[int]:
    """The years from a waiting step's moment to now the campaign's calendar does not know."""
    first, last = due_at.astimezone(camp.tz).year, now.astimezone(camp.tz).year
    return [year for year in range(first, max(first, last) + 1) if not camp.calendar.covers(year)]
