"""A campaign's own dated steps (subject ``campaign``): what happens when a phase starts or ends,
the 回头看 draw, the supervision teams' draws. Armed when the campaign starts; fired by the
sweep, each once, also late (an event says so): a phase's actions are not skipped because the
daemon was down.

Keys: ``PHASE.start@DATE`` (00:00 of the phase's first day), ``PHASE.end@DATE`` (00:00 of the
day after its last), ``follow_up_draw@DATE`` (the start of the 回头看 phase, and every ``follow_up.every`` after it
within the phase), ``supervision_draw@DATE`` (one working day drawn at random in each
``every`` window from the first day of the first supervised phase, while a supervised phase
runs: see :mod:`._supervision`), ``score_month@YYYY-MM`` (考核: the first working day after
each month a phase runs in; see :mod:`._scores`).

Draws are random and reproducible: each draws a seed, records it in its audit event with what
it drew from, and :func:`follow_up_sample` / :func:`supervision_teams` give the same result for
the same seed and population.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

from zhenggai.workflows.schema import (
    FollowUpSpec,
    LadderSpec,
    LadderStep,
    PhaseAction,
    PhaseSpec,
    SupervisionSpec,
)

from ._concerns import duty_concerns
from ._duty_steps import duty_payload
from ._follow_ups import create_reviews, draw_population, follow_up_days
from ._raw import Tx
from ._scores import month_steps, score_step
from ._statements import Statements
from ._steps import LATE_AFTER, SYSTEM, Awaiting, SweepReport, moment, raise_level, start_of, step_payload
from ._supervision import draw_seed, notify_teams, supervision_draw_days
from ._writes import Campaign, Vouch, append_event, queue_messages
from .deadlines import offset_day, stated_day
from .ports import Calendar

__all__ = [
    "arm_campaign_steps",
    "campaign_steps",
    "fire_campaign_steps",
    "follow_up_sample",
    "phase_days",
    "phase_demands",
    "supervision_teams",
]


def _draw_days(
    rule: SupervisionSpec, phases: Sequence[PhaseSpec], calendar: Calendar, seed: str
) -> list[dt.date]:
    return supervision_draw_days(rule, phases, calendar, seed)


def phase_days(camp: Campaign, phase: PhaseSpec) -> tuple[dt.date, dt.date]:
    """The first and last day of a phase as its actions keep them: a start or end on a day off
    moves to the next working day (the phase's notice goes out, and what it demands is due, on
    a working day); keys keep the stated dates."""
    return stated_day(camp.calendar, phase.start), stated_day(camp.calendar, phase.end)


def campaign_steps(camp: Campaign) -> dict[str, dt.datetime]:
    """Every campaign step of the definition, by key, with the moment it is due (UTC)."""
    setup = camp.setup
    if setup is None:
        return {}
    steps: dict[str, dt.datetime] = {}
    for phase in setup.phases:
        first, last = phase_days(camp, phase)
        if phase.on_start:
            steps[f"{phase.id}.start@{phase.start.isoformat()}"] = start_of(camp, first)
        if phase.on_end:
            steps[f"{phase.id}.end@{phase.end.isoformat()}"] = start_of(camp, last + dt.timedelta(days=1))
    rule = setup.follow_up
    if rule is not None:
        for day in follow_up_days(camp, rule):
            steps[f"follow_up_draw@{day.isoformat()}"] = start_of(camp, stated_day(camp.calendar, day))
    if setup.supervision is not None:
        for day in _draw_days(setup.supervision, setup.phases, camp.calendar, draw_seed(camp)):
            steps[f"supervision_draw@{day.isoformat()}"] = start_of(camp, day)
    for key, day in month_steps(camp, lambda d: stated_day(camp.calendar, d)).items():
        steps[key] = start_of(camp, day)  # 考核: the month before scored (._scores)
    return steps


def arm_campaign_steps(tx: Tx, st: Statements, camp: Campaign, now: dt.datetime) -> int:
    steps = [
        {
            "campaign_id": camp.id,
            "subject_kind": "campaign",
            "subject_id": camp.id,
            "step_key": key,
            "due_at": due_at,
            "status": "pending",
            "fired_at": None,
            "created_at": now,
        }
        for key, due_at in campaign_steps(camp).items()
    ]
    tx.run_many(st.step_insert, steps)
    return len(steps)


# -------------------------------------------------------------------------------------- draws


def follow_up_sample(
    seed: int, population: Sequence[tuple[int, str | None, int]], rule: FollowUpSpec
) -> list[int]:
    """The 回头看 sample: from ``population`` ((item id, unit key, escalation level), in item id
    order), at least ``min_per_unit`` per unit, then more at random up to ``share`` of all, plus
    every item once under 挂牌督办 when ``include_listed``. Sorted ids; the same for the same seed."""
    rng = random.Random(seed)
    by_unit: dict[str | None, list[int]] = {}
    for item_id, unit, _ in population:
        by_unit.setdefault(unit, []).append(item_id)
    chosen: set[int] = set()
    for unit in sorted(by_unit, key=lambda u: u or ""):
        ids = by_unit[unit]
        chosen.update(rng.sample(ids, min(rule.min_per_unit, len(ids))))
    target = math.ceil(rule.share * len(population))
    rest = [i for i, _, _ in population if i not in chosen]
    if len(chosen) < target and rest:
        chosen.update(rng.sample(rest, min(target - len(chosen), len(rest))))
    if rule.include_listed:
        chosen.update(i for i, _, level in population if level >= 1)
    return sorted(chosen)


def supervision_teams(seed: int, units: Sequence[str], rule: SupervisionSpec) -> list[list[str]]:
    """Which units each team visits, unannounced: ``units_per_draw`` each, no unit twice in a
    draw; the units the teams are drawn from are in the draw too, but never visited by the team
    drawn from them (``supervision.team_units``); the same for the same seed."""
    rng = random.Random(seed)
    order = rng.sample(list(units), len(units))
    own = rule.units_of_team()
    taken: set[str] = set()
    teams: list[list[str]] = []
    for i in range(rule.teams):
        mine = set(own[i]) if i < len(own) else set()
        picked = [u for u in order if u not in taken and u not in mine][: rule.units_per_draw]
        taken.update(picked)
        teams.append(sorted(picked))
    return teams


# ------------------------------------------------------------------------------------- firing


def fire_campaign_steps(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    claimed: Sequence[Mapping[str, Any]],
    now: dt.datetime,
    report: SweepReport,
    seeds: random.Random,
) -> None:
    """Every claimed campaign step fires (late ones marked so), in order."""
    setup = camp.setup
    for row in claimed:
        if tx.run(st.step_settle, {"id": row["id"], "status": "fired", "now": now}) != 1:
            continue
        late = now - row["due_at"] >= LATE_AFTER
        name, _, day = row["step_key"].partition("@")
        if setup is None:
            report.void += 1
            continue
        report.fired += 1
        report.events.append(f"campaign:{name}")
        if name == "follow_up_draw" and setup.follow_up is not None:
            _follow_up_draw(tx, st, camp, setup.follow_up, seeds.getrandbits(63), day, now, late)
        elif name == "supervision_draw" and setup.supervision is not None:
            _supervision_draw(tx, st, camp, setup.supervision, seeds.getrandbits(63), day, now, late)
        elif name == "score_month" and setup.scoring is not None:
            report.events.extend(f"score_card:{unit}" for unit in score_step(tx, st, camp, day, now, late))
        else:
            phase_id, _, edge = name.rpartition(".")
            phase = next((p for p in setup.phases if p.id == phase_id), None)
            if phase is None:
                continue
            for action in phase.on_start if edge == "start" else phase.on_end:
                _phase_action(tx, st, camp, phase, edge, action, now, late)


def _phase_payload(camp: Campaign, phase: PhaseSpec) -> dict[str, Any]:
    return {
        "campaign": camp.view.title,
        "phase": phase.id,
        "phase_name": phase.name,
        "phase_start": phase.start.isoformat(),
        "phase_end": phase.end.isoformat(),
    }


def phase_demands(phase: PhaseSpec, to: str | None) -> str:
    """The phase's demands addressed to the recipient ``to`` (a role or unit selector of a
    phase notice; None: only those addressed to everyone), numbered, in the plan's words."""
    texts: list[str] = []
    for demand in phase.demands:
        if isinstance(demand, str):
            texts.append(demand)
        elif to is not None and to in demand.to:
            texts.append(demand.text)
    if not texts:
        return "请按实施方案要求开展工作。"
    return "\n".join(f"{k}. {text}" for k, text in enumerate(texts, 1))


def _phase_action(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    phase: PhaseSpec,
    edge: str,
    action: PhaseAction,
    now: dt.datetime,
    late: bool,
) -> None:
    data: dict[str, Any] = {
        "phase": phase.id,
        "phase_name": phase.name,
        "edge": edge,
        "action": action.action,
    }
    if late:
        data["late"] = True
    if action.action == "notify":
        key = f"campaign:{camp.id}:phase:{phase.id}.{edge}"
        if all(isinstance(d, str) for d in phase.demands):  # the same demands for everyone
            queued = queue_messages(
                tx,
                st,
                camp,
                action.notify,
                key=key,
                payload={**_phase_payload(camp, phase), "demands": phase_demands(phase, None)},
                units={},
                item_id=None,
                now=now,
            )
        else:  # each recipient told the demands addressed to it
            queued = Vouch.next_event(tx, st, camp.id)
            for n in action.notify:
                queue_messages(
                    tx,
                    st,
                    camp,
                    [n],
                    key=f"{key}:to:{n.to}",
                    payload={**_phase_payload(camp, phase), "demands": phase_demands(phase, n.to)},
                    units={},
                    item_id=None,
                    now=now,
                    vouch=queued,
                )
        append_event(
            tx,
            st,
            camp.id,
            item_id=None,
            trigger="phase_action",
            from_state=None,
            to_state=None,
            actor=SYSTEM,
            at=now,
            data=data,
            outbox=queued,
        )
        return
    # escalate_missing: every unit that has not delivered the duty by this edge goes to 挂牌督办.
    assert action.duty is not None
    duty = camp.duties[action.duty]
    ladder = camp.ladders[action.ladder or duty.ladder or ""]
    listed = next((s for s in ladder.steps if s.action == "listed_supervision"), None)
    step = listed or LadderStep(
        id="listed_supervision", label="挂牌督办", offset=0, action="listed_supervision"
    )
    edge_day = phase_days(camp, phase)[0 if edge == "start" else 1]
    missing = tx.all(st.duties_open_by, {"cid": camp.id, "duty_key": duty.id, "due_by": edge_day})
    units: list[str] = []
    on_ladder: list[dict[str, str]] = []
    queued = Vouch.next_event(tx, st, camp.id)  # every unit's 挂牌督办 notice, vouched for by the one event
    own = camp.ladders.get(duty.ladder or "")
    own_listed = next((s for s in own.steps if s.action == "listed_supervision"), None) if own else None
    for row in missing:
        if own_listed is not None:
            when = moment(camp, offset_day, camp.calendar, row["due"], own_listed.offset, own_listed.count)
            if isinstance(when, Awaiting) or when > now:
                # Due so lately that the duty's own ladder has not reached 挂牌督办 yet (a duty
                # due the day the phase ends): 催报 and 红灯 come first, 挂牌督办 at its rung.
                on_ladder.append(
                    {
                        "unit": camp.unit_keys[row["unit_id"]],
                        "listed_on": "待日历" if isinstance(when, Awaiting) else _local(camp, when),
                    }
                )
                continue
        changes = raise_level(row, step)
        if changes:
            tx.run(
                st.duty_level,
                {
                    "id": row["id"],
                    "light": changes.get("light", row["light"]),
                    "escalation_level": changes.get("escalation_level", row["escalation_level"]),
                },
            )
        # What the ladder would still have said up to 挂牌督办 is said now: those steps are done.
        tx.run(st.duty_steps_supersede, {"duty_id": row["id"], "now": now, "keep": f"%.{_highest(ladder)}@%"})
        units.append(camp.unit_keys[row["unit_id"]])
        payload = {**duty_payload(camp, duty, row), **step_payload(camp, step, row["due"], now)}
        queue_messages(
            tx,
            st,
            camp,
            step.notify,
            key=f"duty:{row['id']}:phase:{phase.id}.{edge}",
            payload=payload,
            units={"responsible_unit": row["unit_id"], "lead_unit": None},
            item_id=None,
            now=now,
            vouch=queued,
            concerns=duty_concerns(camp, duty, row["unit_id"]),
        )
    data.update(duty=duty.id, units=units, count=len(units))
    if on_ladder:
        data["on_ladder"] = on_ladder
    append_event(
        tx,
        st,
        camp.id,
        item_id=None,
        trigger="phase_action",
        from_state=None,
        to_state=None,
        actor=SYSTEM,
        at=now,
        data=data,
        outbox=queued,
    )


def _local(camp: Campaign, at: dt.datetime) -> str:
    return at.astimezone(camp.tz).date().isoformat()


def _highest(ladder: LadderSpec) -> str:
    """The id of the ladder's accountability step (kept pending by escalate_missing), if any."""
    return next((s.id for s in ladder.steps if s.action == "accountability"), "\u0000")


def _follow_up_draw(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    rule: FollowUpSpec,
    seed: int,
    day: str,
    now: dt.datetime,
    late: bool,
) -> None:
    population = draw_population(tx, st, camp, rule, day)
    sample = follow_up_sample(seed, population, rule)
    work = create_reviews(tx, st, camp, rule, sample, day, now)
    data: dict[str, Any] = {
        "seed": seed,
        "share": rule.share,
        "min_per_unit": rule.min_per_unit,
        "population": [p[0] for p in population],
        "sample": sample,
        "listed": [p[0] for p in population if p[2] >= 1 and rule.include_listed],
        "day": day,
        "reviews": work["reviews"],
        "due": work["due"],
    }
    if late:
        data["late"] = True
    append_event(
        tx,
        st,
        camp.id,
        item_id=None,
        trigger="follow_up_draw",
        from_state=None,
        to_state=None,
        actor=SYSTEM,
        at=now,
        data=data,
        outbox=work["outbox"],
    )


def _supervision_draw(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    rule: SupervisionSpec,
    seed: int,
    day: str,
    now: dt.datetime,
    late: bool,
) -> None:
    units = sorted(camp.unit_ids)
    teams = supervision_teams(seed, units, rule)
    data: dict[str, Any] = {"seed": seed, "day": day, "teams": teams, "units": units}
    if late:
        data["late"] = True
    # Unannounced: each team is told its units (only that team's contacts); no unit is told.
    queued = notify_teams(tx, st, camp, rule, teams, day, now)
    append_event(
        tx,
        st,
        camp.id,
        item_id=None,
        trigger="supervision_draw",
        from_state=None,
        to_state=None,
        actor=SYSTEM,
        at=now,
        data=data,
        outbox=queued,
    )
