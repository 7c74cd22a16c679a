"""The parts of a generated definition (roles, units, tracks, phases, ladders, deadlines,
duties, …, templates), each drawn by a helper of its own for :func:`~.strategies.definitions`.

Plain functions taking ``draw`` (not composites), so that the draws happen in the same order as
when they were one function; ``_marks`` and ``_templates`` are composites, drawn as such.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st
from zhenggai.engine.messages import message_uses
from zhenggai.workflows.schema import (
    ATTACHMENT_TYPES,
    DELIVERY_CHANNELS,
    SCORE_TERMS,
    UNIT_WILDCARDS,
    AttachmentSpec,
    CalendarSpec,
    CallbackSpec,
    CallbackWithin,
    CampaignSetup,
    CardThresholds,
    ChannelSpec,
    CoHandlingSpec,
    ContactSpec,
    DayOverride,
    DeadlineRule,
    DeadlinesSpec,
    DocumentMarksSpec,
    DutySpec,
    FollowUpSpec,
    InstructionSpec,
    LadderSpec,
    LeadershipSpec,
    LeadingGroupSpec,
    LifecycleSpec,
    NotificationsSpec,
    NotifySpec,
    PartDue,
    PhaseAction,
    PhaseSpec,
    QuietHours,
    RoleSpec,
    RouteSpec,
    ScoringSpec,
    SeveritySpec,
    SupervisionSpec,
    TemplateSpec,
    TrackSpec,
    UnitSpec,
)

from ._drawing import _date, _ids, _ladder, _notify, _subset, labels


def _draw_roles(draw: st.DrawFn, role_ids: Sequence[str]) -> list[RoleSpec]:
    """The roles, some bound to a unit (never the first)."""
    bound = draw(st.sets(st.sampled_from(role_ids[1:])))  # the first role is never unit-bound
    return [RoleSpec(id=r, label=draw(labels(8)), unit_bound=r in bound) for r in role_ids]


def _draw_units(draw: st.DrawFn, unit_ids: Sequence[str], role_ids: Sequence[str]) -> list[UnitSpec]:
    """The units, each with at most one contact in one of the roles."""
    return [
        UnitSpec(
            id=u,
            name=draw(labels(10)),
            kind=draw(st.sampled_from(["unit", "county_party", "locality"])),
            contacts=draw(
                st.lists(
                    st.builds(
                        ContactSpec,
                        name=labels(4),
                        role=st.sampled_from(role_ids),
                        email=st.just(f"{u}@county.example"),
                        mobile=st.sampled_from([None, "13800000000"]),
                        channels=st.lists(
                            st.sampled_from(sorted(DELIVERY_CHANNELS)), max_size=2, unique=True
                        ),
                    ),
                    max_size=1,
                )
            ),
        )
        for u in unit_ids
    ]


def _draw_tracks(draw: st.DrawFn, unit_ids: Sequence[str], role_ids: Sequence[str]) -> list[TrackSpec]:
    """The tracks: their units (lead unit first, a wildcard perhaps after), group and leader."""
    tracks = []
    for t in draw(_ids("k_", draw(st.integers(1, 4)))):
        members = draw(st.permutations(unit_ids))[: draw(st.integers(1, len(unit_ids)))]
        wildcard = draw(st.sampled_from([[], [], *([w] for w in UNIT_WILDCARDS)]))
        tracks.append(
            TrackSpec(
                id=t,
                name=draw(labels(10)),
                units=[*members, *wildcard],
                group=draw(st.none() | labels(8)),
                leader_role=draw(st.none() | st.sampled_from(role_ids)),
                scope=draw(st.lists(labels(8), max_size=2)),
            )
        )
    return tracks


def _draw_channels(draw: st.DrawFn, unit_ids: Sequence[str]) -> list[ChannelSpec]:
    """The source channels, some transferring their items to a unit."""
    return [
        ChannelSpec(
            id=c,
            label=draw(labels(6)),
            mechanism=draw(st.none() | labels(6)),
            transfer_to=draw(st.none() | st.sampled_from(unit_ids)),
            source_units=_subset(draw, unit_ids, max_size=2),
        )
        for c in draw(_ids("c_", draw(st.integers(1, 4))))
    ]


def _draw_phases(draw: st.DrawFn, start: dt.date) -> list[PhaseSpec]:
    """Phases back to back from the start, without actions yet; the campaign ends with the last
    one (or runs on)."""
    phases: list[PhaseSpec] = []
    day = start
    for p in draw(_ids("h_", draw(st.integers(0, 4)))):
        end = day + dt.timedelta(days=draw(st.integers(0, 60)))
        phases.append(
            PhaseSpec(
                id=p, name=draw(labels(6)), start=day, end=end, demands=draw(st.lists(labels(12), max_size=2))
            )
        )
        day = end + dt.timedelta(days=1)
    return phases


def _draw_ladders(
    draw: st.DrawFn,
    item_ladder_ids: Sequence[str],
    duty_ladder_ids: Sequence[str],
    non_final: Sequence[str],
    messages: Sequence[str],
    role_ids: Sequence[str],
) -> list[LadderSpec]:
    """The item ladders, then the duty ladders."""
    recipients = [*role_ids, "responsible_unit", "lead_unit"]
    ladders = [draw(_ladder(x, "item", non_final, messages, recipients)) for x in item_ladder_ids]
    ladders += [draw(_ladder(x, "duty", non_final, messages, recipients)) for x in duty_ladder_ids]
    return ladders


def _draw_deadlines(
    draw: st.DrawFn,
    tracks: Sequence[TrackSpec],
    severities: Sequence[SeveritySpec],
    item_ladder_ids: Sequence[str],
) -> DeadlinesSpec | None:
    """Perhaps deadline rules: a default and rules per track and/or severity, each scope once."""
    if not draw(st.booleans()):
        return None
    scopes = draw(
        st.lists(
            st.tuples(
                st.none() | st.sampled_from([t.id for t in tracks]),
                st.none() | st.sampled_from([s.id for s in severities]),
            ).filter(lambda x: x != (None, None)),
            max_size=3,
            unique=True,
        )
    )
    return DeadlinesSpec(
        default=DeadlineRule(
            days=draw(st.integers(1, 60)), count=draw(st.sampled_from(["working", "calendar"]))
        ),
        rules=[DeadlineRule(track=tr, severity=sv, days=draw(st.integers(1, 60))) for tr, sv in scopes],
        cutoff=dt.time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30, 45]))),
        ladder=draw(st.none() | st.sampled_from(item_ladder_ids)) if item_ladder_ids else None,
    )


def _draw_duties(
    draw: st.DrawFn,
    start: dt.date,
    last: dt.date,
    unit_ids: Sequence[str],
    role_ids: Sequence[str],
    messages: Sequence[str],
    duty_ladder_ids: Sequence[str],
) -> list[DutySpec]:
    """Dated and recurring duties within the campaign, perhaps on a duty ladder."""
    duties: list[DutySpec] = []
    for d in draw(_ids("d_", draw(st.integers(0, 4)))):
        common: dict[str, Any] = {
            "id": d,
            "label": draw(labels(8)),
            "deliverable": draw(st.none() | labels(8)),
            "units": _subset(
                draw, [*unit_ids, "all_units", "county_units", "lead_units"], min_size=1, max_size=3
            ),
            "to": draw(st.sampled_from([*role_ids, *unit_ids])),
            "remind_before": draw(st.integers(0, 5)),
            "ladder": draw(st.none() | st.sampled_from(duty_ladder_ids)) if duty_ladder_ids else None,
            "notify": _notify(draw, messages, [*role_ids, "responsible_unit"], 2),
        }
        every = draw(st.sampled_from([None, "week", "fortnight", "month"]))
        if every is None:
            duties.append(DutySpec(**common, due=_date(draw, start, last)))
        else:
            first = _date(draw, start, last)
            duties.append(
                DutySpec(
                    **common,
                    every=every,
                    start=first,
                    end=_date(draw, first, last),
                    weekday=draw(st.integers(1, 7)) if every != "month" else None,
                )
            )
    return duties


def _draw_phase_actions(
    draw: st.DrawFn,
    phases: Sequence[PhaseSpec],
    duties: Sequence[DutySpec],
    duty_ladder_ids: Sequence[str],
    messages: Sequence[str],
    role_ids: Sequence[str],
) -> list[PhaseSpec]:
    """The phases with their actions: notices, and escalation of duties already due at the
    phase's edge."""
    with_actions = []
    for phase in phases:
        actions: dict[str, list[PhaseAction]] = {"on_start": [], "on_end": []}
        for when, edge in (("on_start", phase.start), ("on_end", phase.end)):
            if draw(st.booleans()):
                actions[when].append(
                    PhaseAction(
                        action="notify",
                        notify=[
                            NotifySpec(
                                message=draw(st.sampled_from(messages)),
                                to=draw(st.sampled_from([*role_ids, "all_units", "lead_units"])),
                            )
                        ],
                    )
                )
            due_by_then = [x for x in duties if (x.due or x.end or edge) <= edge]
            for duty in _subset(draw, due_by_then, max_size=2):
                if duty.ladder is None and not duty_ladder_ids:
                    continue
                ladder = None if duty.ladder is not None else draw(st.sampled_from(duty_ladder_ids))
                actions[when].append(PhaseAction(action="escalate_missing", duty=duty.id, ladder=ladder))
        with_actions.append(phase.model_copy(update=actions))
    return with_actions


def _draw_follow_up(
    draw: st.DrawFn, lifecycle: LifecycleSpec, phases: Sequence[PhaseSpec]
) -> FollowUpSpec | None:
    """Perhaps the 回头看 rule, when some transition reopens a final state."""
    reopen = [t for t in lifecycle.transitions if set(t.source) & lifecycle.final_states]
    if not (reopen and phases and draw(st.booleans())):
        return None
    review = reopen[0]
    return FollowUpSpec(
        phase=draw(st.sampled_from([p.id for p in phases])),
        states=sorted(set(review.source) & lifecycle.final_states),
        share=draw(st.sampled_from([0.1, 0.2, 0.5, 1.0])),
        min_per_unit=draw(st.integers(0, 3)),
        role=draw(st.sampled_from(review.roles)),
        trigger=review.trigger,
        days=draw(st.integers(1, 40)),
    )


def _draw_supervision(
    draw: st.DrawFn,
    unit_ids: Sequence[str],
    role_ids: Sequence[str],
    phases: Sequence[PhaseSpec],
    channel_ids: Sequence[str],
) -> SupervisionSpec | None:
    """Perhaps supervision teams (at least two: each team's own units are visited by another),
    when there are phases to run in: their findings' channel, and perhaps which units each team
    is drawn from (else ``drawn_from`` split in order)."""
    if not (len(phases) > 0 and draw(st.booleans())):
        return None
    drawn_from = _subset(draw, unit_ids, min_size=1)
    teams = draw(st.integers(2, 3))
    team_units: list[list[str]] = []
    if draw(st.booleans()):
        team_units = [[] for _ in range(teams)]
        for unit in drawn_from:
            team_units[draw(st.integers(0, teams - 1))].append(unit)
    return SupervisionSpec(
        channel=draw(st.sampled_from(channel_ids)),
        team_units=team_units,
        role=draw(st.sampled_from(role_ids)),
        lead_unit=draw(st.sampled_from(drawn_from)),
        drawn_from=drawn_from,
        teams=teams,
        members=teams + draw(st.integers(0, 8)),
        every=draw(st.sampled_from(["week", "fortnight", "month"])),
        phases=_subset(draw, [p.id for p in phases], min_size=1),
        units_per_draw=draw(st.integers(1, len(unit_ids))),
        focus=draw(st.lists(labels(6), max_size=2)),
    )


def _draw_co_handling(
    draw: st.DrawFn,
    roles: Sequence[RoleSpec],
    lifecycle: LifecycleSpec,
    ladders: Sequence[LadderSpec],
    messages: Sequence[str],
) -> tuple[CoHandlingSpec | None, LifecycleSpec, list[LadderSpec]]:
    """Perhaps 主办/协办, when some role may decide (one not bound to a unit) and some unit-bound
    role can act for a co-unit: perhaps its own part ladder (subject ``part``), and the guard
    ``co_parts_done`` on a transition that submits (one from a state the item is in after
    交办, as the lifecycle's forward chain has). Returns the block with the lifecycle and the
    ladders it needs (unchanged when the block is absent)."""
    office = [r.id for r in roles if not r.unit_bound]
    if not (office and any(r.unit_bound for r in roles) and draw(st.booleans())):
        return None, lifecycle, list(ladders)
    assigned = {t.dest for t in lifecycle.transitions if "set_assignment" in t.effects}
    submits = [
        k
        for k, t in enumerate(lifecycle.transitions)
        if set(t.source) & assigned and t.dest not in lifecycle.final_states and t.dest not in t.source
    ] or list(range(len(lifecycle.transitions)))
    k = draw(st.sampled_from(submits))
    submit = lifecycle.transitions[k]
    guarded = submit.model_copy(update={"guards": [*submit.guards, "co_parts_done"]})
    transitions = [*lifecycle.transitions[:k], guarded, *lifecycle.transitions[k + 1 :]]
    ladder = None
    if draw(st.booleans()):
        recipients = [*(r.id for r in roles), "co_unit", "responsible_unit"]
        ladder = draw(_ladder(draw(_ids("lp_", 1))[0], "part", [], messages, recipients))
    spec = CoHandlingSpec(
        decided_by=_subset(draw, office, min_size=1),
        waived_by=_subset(draw, office, min_size=1),
        ladder=None if ladder is None else ladder.id,
        part_due=draw(
            st.none()
            | st.builds(PartDue, days=st.integers(1, 60), count=st.sampled_from(["working", "calendar"]))
        ),
        assigned=draw(st.sampled_from(messages)),
        part_done=draw(st.sampled_from(messages)),
    )
    return (
        spec,
        lifecycle.model_copy(update={"transitions": transitions}),
        [*ladders, *([] if ladder is None else [ladder])],
    )


def _draw_calendar(draw: st.DrawFn, start: dt.date, last: dt.date) -> CalendarSpec:
    """The calendar base and a few county holidays and working days in the campaign's years."""
    years = range(start.year, last.year + 1)
    override_days = draw(
        st.lists(
            st.builds(dt.date, st.sampled_from(years), st.integers(1, 12), st.integers(1, 28)),
            max_size=4,
            unique=True,
        )
    )
    split = draw(st.integers(0, len(override_days)))
    return CalendarSpec(
        base=draw(st.sampled_from(["cn_statutory", "weekends"])),
        extra_holidays=[DayOverride(date=x, name=draw(labels(6))) for x in override_days[:split]],
        extra_workdays=[DayOverride(date=x, name=draw(labels(6))) for x in override_days[split:]],
    )


def _draw_leading_group(
    draw: st.DrawFn, unit_ids: Sequence[str], role_ids: Sequence[str]
) -> LeadingGroupSpec | None:
    """Perhaps the leading group and its office."""
    return draw(
        st.none()
        | st.builds(
            LeadingGroupSpec,
            name=labels(10),
            office_name=labels(10),
            office_unit=st.sampled_from(unit_ids),
            office_role=st.sampled_from(role_ids),
        )
    )


def _draw_leadership(
    draw: st.DrawFn, role_ids: Sequence[str], phases: Sequence[PhaseSpec]
) -> LeadershipSpec | None:
    """Perhaps the rule of who leads problems in person (领衔), decided in a phase or any time."""
    return draw(
        st.none()
        | st.builds(
            LeadershipSpec,
            roles=st.lists(st.sampled_from(role_ids), min_size=1, max_size=2, unique=True),
            decided_by=st.sampled_from(role_ids),
            phase=st.none() | st.sampled_from([p.id for p in phases]) if phases else st.none(),
        )
    )


def _draw_notifications(draw: st.DrawFn, role_ids: Sequence[str], quiet_start: dt.time) -> NotificationsSpec:
    """Routes for some recipients and perhaps quiet hours from ``quiet_start``; the templates
    are added last (:func:`_templates`), once the messages the setup queues are known."""
    recipients = [*role_ids, "responsible_unit", "previous_unit", "lead_unit", "all_units", "lead_units"]
    delivery = st.lists(st.sampled_from(sorted(DELIVERY_CHANNELS)), min_size=1, max_size=2, unique=True)
    return NotificationsSpec(
        routes=[RouteSpec(to=r, delivery=draw(delivery)) for r in _subset(draw, recipients, max_size=4)],
        quiet_hours=draw(
            st.lists(
                st.builds(
                    QuietHours,
                    start=st.just(quiet_start),
                    end=st.builds(dt.time, st.integers(5, 9)),
                    delivery=delivery,
                ),
                max_size=1,
            )
        ),
    )


@st.composite
def _marks(draw: st.DrawFn) -> DocumentMarksSpec:
    """密级 (with a 保密期限 only for a real secret), 紧急程度 and 主送 of one kind of document."""
    classification = draw(st.none() | st.sampled_from(["绝密", "机密", "秘密", "内部"]))
    secret = classification not in (None, "内部")
    return DocumentMarksSpec(
        classification=classification,
        secrecy_term=draw(st.none() | st.sampled_from(["1年", "6个月", "长期"])) if secret else None,
        urgency=draw(st.none() | st.sampled_from(["特急", "加急"])),
        recipients=draw(st.none() | labels(12)),
    )


@st.composite
def _templates(draw: st.DrawFn, setup: CampaignSetup) -> dict[str, TemplateSpec]:
    """A template for every message the setup queues, using only variables every place that
    queues it provides."""
    provided: dict[str, frozenset[str]] = {}
    for use in message_uses(setup):
        provided[use.kind] = provided[use.kind] & use.variables if use.kind in provided else use.variables
    templates: dict[str, TemplateSpec] = {}
    for kind, variables in provided.items():
        names = sorted(variables)
        used = draw(st.lists(st.sampled_from(names), max_size=3, unique=True)) if names else []
        head = draw(labels(6, template_safe=True))
        templates[kind] = TemplateSpec(
            subject=f"【{head}】" + "".join("{{ " + v + " }}" for v in used[:1]),
            body=draw(labels(12, template_safe=True)) + "".join(f" {v}: " + "{{ " + v + " }}" for v in used),
            sms_template=draw(st.none() | st.just("SMS_TEST_0001")),
            sms_params={v: v for v in used[:2]},
        )
    return templates


def _draw_scoring(draw: st.DrawFn, roles: Sequence[RoleSpec], messages: Sequence[str]) -> ScoringSpec | None:
    """Sometimes a 考核 rule (issue 17): some known terms with quarter points, the red card's
    line below the yellow card's, the notice to a unit-bound role (none: no scoring)."""
    bound = [r.id for r in roles if r.unit_bound]
    if not bound or not draw(st.booleans()):
        return None
    terms = draw(
        st.lists(st.sampled_from(sorted(SCORE_TERMS)), min_size=1, max_size=len(SCORE_TERMS), unique=True)
    )
    red = draw(st.integers(0, 90))
    capped = draw(st.lists(st.sampled_from(terms), unique=True))
    return ScoringSpec(
        base=draw(st.integers(60, 120)),
        terms={t: draw(st.integers(-40, 20)) / 4 for t in terms},
        caps={t: float(draw(st.integers(1, 40))) for t in capped},
        floor=draw(st.none() | st.integers(-20, 40).map(float)),
        cards=CardThresholds(yellow=red + draw(st.integers(1, 30)), red=red),
        notify=draw(st.sampled_from(messages)),
        to=draw(st.sampled_from(bound)),
    )


def _draw_attachments(draw: st.DrawFn) -> AttachmentSpec | None:
    """佐证材料, sometimes: a store, a size limit within what the store allows, some types."""
    if not draw(st.booleans()):
        return None
    store = draw(st.sampled_from(["folder", "database"]))
    top = 100 * 1024 * 1024 if store == "database" else 1024 * 1024 * 1024
    types = draw(st.lists(st.sampled_from(sorted(ATTACHMENT_TYPES)), min_size=1, max_size=5, unique=True))
    return AttachmentSpec(
        store=store,
        max_bytes=draw(st.integers(1024, top)),
        types=types,
        max_per_subject=draw(st.integers(1, 50)),
    )


def _draw_instructions(
    draw: st.DrawFn, roles: Sequence[RoleSpec], channels: Sequence[ChannelSpec], messages: Sequence[str]
) -> InstructionSpec | None:
    """Perhaps 领导批示 (issue 17): recorded by some roles, the leaders' roles none bound to a
    unit, perhaps one channel whose items start from an instruction."""
    free = [r.id for r in roles if not r.unit_bound]  # the first role is never unit-bound
    return draw(
        st.none()
        | st.builds(
            InstructionSpec,
            recorded_by=st.lists(st.sampled_from([r.id for r in roles]), min_size=1, max_size=2, unique=True),
            leaders=st.lists(st.sampled_from(free), min_size=1, max_size=2, unique=True),
            channel=st.none() | st.sampled_from([c.id for c in channels]),
            notify=st.sampled_from(messages),
        )
    )


def _draw_callbacks(
    draw: st.DrawFn,
    roles: Sequence[RoleSpec],
    lifecycle: LifecycleSpec,
    follow_up: FollowUpSpec | None,
    messages: Sequence[str],
) -> CallbackSpec | None:
    """Perhaps 回访 (issue 17): for a role that may read the reporter and is bound to no unit;
    不满意 reopens by a transition out of a closed state, or queues for 回头看 when there is one."""
    readers = set(lifecycle.operations.get("read_reporter", []))
    custodians = [r.id for r in roles if r.id in readers and not r.unit_bound]
    closed = {t.dest for t in lifecycle.transitions if "record_close" in t.effects}
    reopen = [t.trigger for t in lifecycle.transitions if closed & set(t.source)]
    ways = (["reopen"] if reopen else []) + (["follow_up"] if follow_up is not None else [])
    if not (custodians and closed and ways and draw(st.booleans())):
        return None
    return CallbackSpec(
        role=draw(st.sampled_from(custodians)),
        within=CallbackWithin(
            days=draw(st.integers(1, 20)), count=draw(st.sampled_from(["working", "calendar"]))
        ),
        unsatisfied=(way := draw(st.sampled_from(ways))),
        trigger=draw(st.sampled_from(reopen)) if way == "reopen" else "follow_up_review",
        requested=draw(st.sampled_from(messages)),
        recorded=draw(st.sampled_from(messages)),
    )
