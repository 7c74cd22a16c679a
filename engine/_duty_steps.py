"""Units' duty occurrences (一报告四清单, weekly reports …) as scheduled steps: which units owe a
duty and when (:func:`duty_units`, :func:`duty_dates`), arming every occurrence's reminder and
ladder when the campaign starts (:func:`arm_duties`), and firing them (:func:`fire_duty_steps`)
with the same catch-up policy as an item's ladder (:mod:`._steps`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, cast

from zhenggai.workflows.schema import DutySpec, LadderStep

from ._concerns import duty_concerns
from ._raw import Tx
from ._rows import DutyRow
from ._statements import Statements
from ._steps import (
    SYSTEM,
    SweepReport,
    Wanted,
    _ladder_wanted,
    _settle,
    _step_data,
    moment,
    placement,
    raise_level,
    step_payload,
)
from ._writes import WEEKDAYS, Campaign, append_event, queue_messages
from .deadlines import occurrences, offset_day, stated_day

__all__ = ["arm_duties", "duty_dates", "duty_payload", "duty_steps", "duty_units", "fire_duty_steps"]


def duty_units(camp: Campaign, duty: DutySpec) -> list[str]:
    """The units a duty is laid on, in the definition's order: named units; ``all_units``
    (every unit); ``county_units`` (县直有关单位: every unit but the localities); ``lead_units``
    (each track's lead unit)."""
    assert camp.setup is not None
    out: dict[str, None] = {}
    for selector in duty.units:
        if selector == "all_units":
            out.update(dict.fromkeys(u.id for u in camp.setup.units))
        elif selector == "county_units":
            out.update(dict.fromkeys(u.id for u in camp.setup.units if u.kind != "locality"))
        elif selector == "lead_units":
            out.update(dict.fromkeys(camp.lead_units.values()))
        else:
            out[selector] = None
    return list(out)


def duty_dates(camp: Campaign, duty: DutySpec) -> list[dt.date]:
    """The days a duty is due in the campaign: its occurrences, each on a day off moved to the
    next working day (a moved weekly occurrence never meets the next one)."""
    return list(dict.fromkeys(stated_day(camp.calendar, day) for day in occurrences(duty)))


def duty_steps(camp: Campaign, duty: DutySpec, due: dt.date) -> Wanted:
    """A duty occurrence's steps: the reminder (``remind_before`` working days ahead, with the
    duty's own messages) and its ladder's rungs."""
    wanted: Wanted = {}
    if duty.notify:
        reminder = LadderStep(
            id="remind", label="到期前提醒", offset=-duty.remind_before, action="remind", notify=duty.notify
        )
        wanted[f"remind@{due.isoformat()}"] = (
            reminder,
            moment(camp, offset_day, camp.calendar, due, reminder.offset, "working"),
        )
    if duty.ladder is not None:
        wanted.update(_ladder_wanted(camp, camp.ladders[duty.ladder], due))
    return wanted


def arm_duties(tx: Tx, st: Statements, camp: Campaign, now: dt.datetime) -> int:
    """Every occurrence of every duty for every unit it is laid on, with its steps (bulk
    inserts); returns how many occurrences."""
    if camp.setup is None:
        return 0
    rows = []
    plans: dict[tuple[str, int, dt.date], Wanted] = {}
    for duty in camp.setup.duties:
        for due in duty_dates(camp, duty):
            wanted = duty_steps(camp, duty, due)
            for unit in duty_units(camp, duty):
                uid = camp.unit_ids[unit]
                rows.append(
                    {
                        "campaign_id": camp.id,
                        "duty_key": duty.id,
                        "unit_id": uid,
                        "due": due,
                        "status": "open",
                        "light": "green",
                        "escalation_level": 0,
                        "done_at": None,
                        "done_by": None,
                    }
                )
                plans[(duty.id, uid, due)] = wanted
    tx.run_many(st.duty_insert, rows)
    steps = []
    for r in tx.all(st.duty_ids, {"cid": camp.id}):
        for key, (_, when) in plans[(r["duty_key"], r["unit_id"], r["due"])].items():
            due_at, status = placement(camp, when)
            steps.append(
                {
                    "campaign_id": camp.id,
                    "subject_kind": "duty",
                    "subject_id": r["id"],
                    "step_key": key,
                    "due_at": due_at,
                    "status": status,
                    "fired_at": None,
                    "created_at": now,
                }
            )
    tx.run_many(st.step_insert, steps)
    return len(rows)


def duty_payload(camp: Campaign, duty: DutySpec, row: Mapping[str, Any]) -> dict[str, Any]:
    """The variables of a message about a duty (``MESSAGE_SOURCES["duty"]``)."""
    return {
        "campaign": camp.view.title,
        "duty": duty.id,
        "duty_label": duty.label,
        "deliverable": duty.deliverable or duty.label,
        "unit": camp.unit_keys[row["unit_id"]],
        "unit_name": camp.unit_names[row["unit_id"]],
        "due": row["due"].isoformat(),
        "due_weekday": WEEKDAYS[row["due"].weekday()],
    }


def fire_duty_steps(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    row: DutyRow,
    claimed: Sequence[Mapping[str, Any]],
    now: dt.datetime,
    report: SweepReport,
) -> None:
    """Settle a duty occurrence's claimed steps: none fires once the unit has discharged it."""
    assert camp.setup is not None
    duty = camp.duties.get(row["duty_key"])
    current = duty_steps(camp, duty, row["due"]) if duty is not None and row["status"] == "open" else {}
    state = {"row": row}
    unit_key = camp.unit_keys[row["unit_id"]]

    def fire(
        step_row: Mapping[str, Any], step: LadderStep, late: bool, folded: list[str], missed: list[str]
    ) -> None:
        assert duty is not None
        before = state["row"]
        changes = raise_level(before, step)
        if changes:
            tx.run(
                st.duty_level,
                {
                    "id": before["id"],
                    "light": changes.get("light", before["light"]),
                    "escalation_level": changes.get("escalation_level", before["escalation_level"]),
                },
            )
        after = cast(DutyRow, {**before, **changes})
        data = {
            "duty": duty.id,
            "unit": unit_key,
            "due": before["due"].isoformat(),
            **_step_data(step, late, folded, missed),
        }
        data.update({k: changes[k] for k in ("light", "escalation_level") if k in changes})
        payload = duty_payload(camp, duty, before)
        if not step_row["step_key"].startswith("remind@"):  # a ladder rung: what it is, how late
            payload.update(step_payload(camp, step, before["due"], now))
        # The unit that owes the duty; a duty belongs to no track, so it has no lead unit.
        queued = queue_messages(
            tx,
            st,
            camp,
            step.notify,
            key=f"duty:{before['id']}:step:{step_row['step_key']}",
            payload=payload,
            units={"responsible_unit": before["unit_id"], "lead_unit": None},
            item_id=None,
            now=now,
            concerns=duty_concerns(camp, duty, before["unit_id"]),
        )
        append_event(
            tx,
            st,
            camp.id,
            item_id=None,
            trigger="duty_step",
            from_state=None,
            to_state=None,
            actor=SYSTEM,
            at=now,
            data=data,
            outbox=queued,
            duty_id=before["id"],
        )
        report.events.append(f"duty:{before['id']}:{step.id}")
        state["row"] = after

    left = _settle(tx, st, claimed, current, now, report, fire)
    if left and duty is not None:
        append_event(
            tx,
            st,
            camp.id,
            item_id=None,
            trigger="duty_missed",
            from_state=None,
            to_state=None,
            actor=SYSTEM,
            at=now,
            data={"duty": duty.id, "unit": unit_key, "missed": left, "due": row["due"].isoformat()},
            duty_id=row["id"],
        )
