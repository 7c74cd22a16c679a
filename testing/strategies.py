"""Hypothesis strategies that generate valid workflow definitions (needs ``hypothesis``, which
the ``test`` extra installs).

:func:`definitions` draws a :class:`~zhenggai.workflows.schema.CampaignSetup` that passes every
check of ``zhenggai check``: random units, roles, tracks (lead unit first, wildcards after),
channels and severities; dated phases back to back, with start and end actions; a lifecycle
with a random number of states on a forward chain plus optional side transitions built from
the guard and effect vocabularies (rework, reassignment, 回头看 from a final state, dismissal,
merge, arbitrary extra edges); escalation ladders for items and for duties, steps in order of
time and escalation; deadline rules; dated and recurring duties; the 回头看 rule; supervision
teams; routes, quiet hours and templates that use only the variables their messages provide.

Ids carry a prefix per kind (``u_`` units, ``r_`` roles, ``s_`` states, ``t`` triggers, ``m_``
messages …), so a generated id never collides with another kind's or with a reserved word
(``system``, ``all_units``, ``responsible_unit``). Labels are Chinese with YAML-hostile
punctuation (``: # " ' { } [ ] -``) mixed in, so a round trip through a file is a real test.

::

    from hypothesis import given
    from zhenggai.testing.strategies import definitions

    @given(definitions())
    def test_my_county_tool_accepts_any_valid_definition(setup):
        ...
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any, TypeVar

from hypothesis import strategies as st
from zhenggai.engine.lifecycle import OPERATIONS, UNIT_RECIPIENTS
from zhenggai.engine.messages import message_uses
from zhenggai.workflows.schema import (
    DELIVERY_CHANNELS,
    LADDER_ACTIONS,
    UNIT_WILDCARDS,
    CalendarSpec,
    CampaignSetup,
    ChannelSpec,
    ContactSpec,
    DayOverride,
    DeadlineRule,
    DeadlinesSpec,
    DocumentMarksSpec,
    DutySpec,
    FollowUpSpec,
    LadderSpec,
    LadderStep,
    LeadershipSpec,
    LeadingGroupSpec,
    LifecycleSpec,
    NotificationsSpec,
    NotifySpec,
    PhaseAction,
    PhaseSpec,
    QuietHours,
    ReportsSpec,
    RoleSpec,
    RouteSpec,
    SeveritySpec,
    StateSpec,
    SupervisionSpec,
    TemplateSpec,
    TimerSpec,
    TrackSpec,
    TransitionSpec,
    UnitSpec,
)

__all__ = ["FIRST_YEAR", "LAST_YEAR", "definitions", "labels"]

T = TypeVar("T")

#: Generated campaigns lie in these years (the statutory calendar data covers them).
FIRST_YEAR, LAST_YEAR = 2020, 2026

_SUFFIX = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=6)
_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
_PUNCT = st.sampled_from(list(":#\"'{}[]-,&*!|>% ·、。"))
#: Punctuation that Jinja2 reads as its own syntax stays out of template text.
_PLAIN_PUNCT = st.sampled_from(list(":\"'[]-,&*!|> ·、。"))


def labels(max_size: int = 10, *, template_safe: bool = False) -> st.SearchStrategy[str]:
    """A Chinese label, sometimes with YAML-hostile punctuation inside, never blank at its ends
    (``template_safe``: without the braces, ``%`` and ``#`` Jinja2 would read as syntax)."""
    return st.tuples(
        st.text(alphabet=_CJK, min_size=1, max_size=max_size),
        st.text(alphabet=st.one_of(_CJK, _PLAIN_PUNCT if template_safe else _PUNCT), max_size=4),
        st.text(alphabet=_CJK, min_size=1, max_size=3),
    ).map(lambda parts: "".join(parts))


def _ids(prefix: str, count: int) -> st.SearchStrategy[list[str]]:
    """``count`` distinct ids of one kind (``u_ab``, ``u_x1`` …)."""
    return st.lists(_SUFFIX, min_size=count, max_size=count, unique=True).map(
        lambda xs: [f"{prefix}{x}" for x in xs]
    )


def _subset(draw: st.DrawFn, items: Sequence[T], *, min_size: int = 0, max_size: int | None = None) -> list[T]:
    """A sublist of ``items`` in their order."""
    if not items:
        return []
    picked = draw(st.sets(st.sampled_from(range(len(items))), min_size=min(min_size, len(items)),
                          max_size=len(items) if max_size is None else min(max_size, len(items))))
    return [items[i] for i in sorted(picked)]


def _notify(draw: st.DrawFn, messages: Sequence[str], recipients: Sequence[str], max_size: int = 3) -> list[NotifySpec]:
    return draw(st.lists(
        st.builds(NotifySpec, message=st.sampled_from(messages), to=st.sampled_from(recipients)),
        max_size=max_size,
    ))


def _date(draw: st.DrawFn, low: dt.date, high: dt.date) -> dt.date:
    return low + dt.timedelta(days=draw(st.integers(0, max(0, (high - low).days))))


@st.composite
def _lifecycle(draw: st.DrawFn, roles: Sequence[str], messages: Sequence[str]) -> LifecycleSpec:
    """A lifecycle whose every state is reachable and can reach an end: a forward chain from
    the initial state to a closing final state, plus optional side transitions."""
    chain_len = draw(st.integers(2, 5))
    finals_len = draw(st.integers(1, 3))
    ids = draw(_ids("s_", chain_len + finals_len))
    chain, finals = ids[:chain_len], ids[chain_len:]
    states = [StateSpec(id=s, label=draw(labels(6))) for s in chain]
    states += [StateSpec(id=s, label=draw(labels(6)), final=True) for s in finals]
    order = draw(st.permutations(range(1, len(states))))  # initial first, the rest in any order
    states = [states[0], *(states[i] for i in order)]
    recipients = [*roles, *sorted(UNIT_RECIPIENTS)]
    counter = iter(range(1000))

    def transition(source: list[str], dest: str, guards: list[str], effects: list[str],
                   after: TimerSpec | None = None) -> TransitionSpec:
        return TransitionSpec(
            trigger=f"t{next(counter)}{draw(_SUFFIX)}",
            label=draw(labels(6)),
            source=source,
            dest=dest,
            roles=_subset(draw, roles, min_size=1),
            guards=guards,
            effects=effects,
            notify=_notify(draw, messages, recipients, 2),
            after=after,
        )

    transitions = [
        transition([chain[0]], chain[1], _subset(draw, ["has_responsible_unit", "has_due"]), ["set_assignment"])
    ]
    for here, there in itertools.pairwise(chain):
        guards = _subset(draw, ["has_measure", "all_measures_done", "actor_outside_unit", "has_due"], max_size=2)
        timer = draw(st.none() | st.builds(TimerSpec, days=st.integers(1, 30), count=st.sampled_from(["working", "calendar"])))
        transitions.append(transition([here], there, guards, _subset(draw, ["record_verification"]), timer))
    close_guards = ["actor_outside_unit"] if draw(st.booleans()) else []
    transitions.append(transition([chain[-1]], finals[0], close_guards, ["record_close"]))
    if len(chain) > 2 and draw(st.booleans()):  # rework
        back_from = _subset(draw, chain[2:], min_size=1)
        transitions.append(transition(back_from, chain[1], ["has_reason"], ["clear_verification"]))
    if draw(st.booleans()):  # reassignment to another unit
        transitions.append(transition(_subset(draw, chain[1:], min_size=1), chain[1],
                                      ["unit_changes", *_subset(draw, ["due_not_passed"])], ["set_assignment"]))
    if draw(st.booleans()):  # 回头看: reopen a closed item
        transitions.append(transition([finals[0]], draw(st.sampled_from(chain[1:])),
                                      ["has_finding", *_subset(draw, ["due_not_passed"])], ["record_reopen"]))
    if len(finals) > 1:  # dismissal
        transitions.append(transition(_subset(draw, chain, min_size=1), finals[1], ["has_reason"], ["record_dismissal"]))
    if len(finals) > 2:  # merge into another open item
        transitions.append(transition(_subset(draw, chain, min_size=1), finals[2], ["has_open_survivor"], ["record_merge"]))
    for _ in range(draw(st.integers(0, 2))):  # arbitrary extra edges from the vocabularies
        guards = draw(st.lists(st.sampled_from([
            "has_responsible_unit", "has_due", "has_measure", "all_measures_done", "actor_outside_unit",
            "has_finding", "has_reason", "unit_changes", "due_not_passed",
        ]), max_size=2, unique=True))
        effects = draw(st.lists(st.sampled_from(["set_assignment", "record_verification", "clear_verification"]),
                                max_size=1))
        transitions.append(transition(_subset(draw, chain, min_size=1), draw(st.sampled_from(ids)), guards, effects))
    return LifecycleSpec(
        id=f"l_{draw(_SUFFIX)}",
        initial=chain[0],
        states=states,
        transitions=transitions,
        operations={op: _subset(draw, roles, min_size=1) for op in OPERATIONS},
        measure_states=_subset(draw, chain[1:]),
    )


@st.composite
def _ladder(draw: st.DrawFn, ladder_id: str, subject: str, non_final: Sequence[str],
            messages: Sequence[str], recipients: Sequence[str]) -> LadderSpec:
    """Steps strictly later one after the other; escalation actions rising, each at most once;
    ``notify`` steps anywhere."""
    count = draw(st.integers(1, 5))
    offsets = sorted(draw(st.sets(st.integers(-10, 30), min_size=count, max_size=count)))
    escalation = [a for a in LADDER_ACTIONS if a != "notify"]
    rising = _subset(draw, escalation, max_size=count)
    slots = sorted(draw(st.sets(st.sampled_from(range(count)), min_size=len(rising), max_size=len(rising))))
    actions = ["notify"] * count
    for slot, action in zip(slots, rising, strict=True):
        actions[slot] = action
    step_ids = draw(_ids("p_", count))
    return LadderSpec(
        id=ladder_id,
        label=draw(labels(8)),
        subject=subject,
        states=_subset(draw, non_final, min_size=1) if subject == "item" else [],
        steps=[
            LadderStep(
                id=step_ids[k], label=draw(labels(6)), offset=offsets[k],
                count=draw(st.sampled_from(["working", "calendar"])),
                action=actions[k],
                notify=_notify(draw, messages, recipients, 2),
                catch_up=draw(st.sampled_from(["collapse", "fire_late", "record_missed"])),
            )
            for k in range(count)
        ],
    )


@st.composite
def definitions(draw: st.DrawFn) -> CampaignSetup:
    """A valid definition: passes ``check_setup`` and the template checks, round-trips through
    :func:`zhenggai.workflows.dump_setup` and the loader.

    Each part is drawn by a helper of its own, in a fixed order (later parts refer to earlier
    ones: tracks to units, duties to ladders, phase actions to duties …)."""
    year = draw(st.integers(FIRST_YEAR, LAST_YEAR - 1))
    start = dt.date(year, 1, 1) + dt.timedelta(days=draw(st.integers(0, 200)))
    unit_ids = draw(_ids("u_", draw(st.integers(3, 7))))
    role_ids = draw(_ids("r_", draw(st.integers(2, 5))))
    messages = draw(_ids("m_", draw(st.integers(1, 4))))
    roles = _draw_roles(draw, role_ids)
    units = _draw_units(draw, unit_ids, role_ids)
    tracks = _draw_tracks(draw, unit_ids, role_ids)
    channels = _draw_channels(draw, unit_ids)
    severities = [SeveritySpec(id=v, label=draw(labels(4))) for v in draw(_ids("v_", draw(st.integers(1, 3))))]
    phases = _draw_phases(draw, start)
    last = phases[-1].end if phases else dt.date(year + 1, 12, 31)
    lifecycle = draw(_lifecycle(role_ids, messages))
    non_final = [s.id for s in lifecycle.states if not s.final]
    item_ladder_ids = draw(_ids("li_", draw(st.integers(0, 2))))
    duty_ladder_ids = draw(_ids("ld_", draw(st.integers(0, 2))))
    ladders = _draw_ladders(draw, item_ladder_ids, duty_ladder_ids, non_final, messages, role_ids)
    deadlines = _draw_deadlines(draw, tracks, severities, item_ladder_ids)
    duties = _draw_duties(draw, start, last, unit_ids, role_ids, messages, duty_ladder_ids)
    phases = _draw_phase_actions(draw, phases, duties, duty_ladder_ids, messages, role_ids)
    follow_up = _draw_follow_up(draw, lifecycle, phases)
    supervision = _draw_supervision(draw, unit_ids, role_ids, phases)
    calendar = _draw_calendar(draw, start, last)
    quiet_start = dt.time(draw(st.integers(18, 23)))  # drawn before the header fields, as always
    setup = CampaignSetup(
        definition_id=f"def_{draw(_SUFFIX)}",
        definition_version=draw(st.sampled_from(["1", "2024.1", "v2", "2025.3-县定"])),
        title=draw(labels(20)),
        county=draw(labels(6)),
        timezone=draw(st.sampled_from(["Asia/Shanghai", "Asia/Urumqi", "Asia/Hong_Kong"])),
        start=start,
        calendar=calendar,
        channels=channels,
        severities=severities,
        roles=roles,
        units=units,
        leading_group=_draw_leading_group(draw, unit_ids, role_ids),
        leadership=_draw_leadership(draw, role_ids, phases),
        tracks=tracks,
        phases=phases,
        lifecycle=lifecycle,
        deadlines=deadlines,
        ladders=ladders,
        duties=duties,
        follow_up=follow_up,
        supervision=supervision,
        reports=ReportsSpec(**{kind: draw(_marks()) for kind in ReportsSpec.model_fields
                               if draw(st.booleans())}),
        notifications=_draw_notifications(draw, role_ids, quiet_start),
    )
    return setup.model_copy(update={"notifications": setup.notifications.model_copy(
        update={"templates": draw(_templates(setup))})})


# The parts of a definition. Plain functions taking ``draw`` (not composites), so that the
# draws happen in the same order as when they were one function.


def _draw_roles(draw: st.DrawFn, role_ids: Sequence[str]) -> list[RoleSpec]:
    """The roles, some bound to a unit (never the first)."""
    bound = draw(st.sets(st.sampled_from(role_ids[1:])))  # the first role is never unit-bound
    return [RoleSpec(id=r, label=draw(labels(8)), unit_bound=r in bound) for r in role_ids]


def _draw_units(draw: st.DrawFn, unit_ids: Sequence[str], role_ids: Sequence[str]) -> list[UnitSpec]:
    """The units, each with at most one contact in one of the roles."""
    return [
        UnitSpec(
            id=u, name=draw(labels(10)), kind=draw(st.sampled_from(["unit", "county_party", "locality"])),
            contacts=draw(st.lists(st.builds(
                ContactSpec,
                name=labels(4),
                role=st.sampled_from(role_ids),
                email=st.just(f"{u}@county.example"),
                mobile=st.sampled_from([None, "13800000000"]),
                channels=st.lists(st.sampled_from(sorted(DELIVERY_CHANNELS)), max_size=2, unique=True),
            ), max_size=1)),
        )
        for u in unit_ids
    ]


def _draw_tracks(draw: st.DrawFn, unit_ids: Sequence[str], role_ids: Sequence[str]) -> list[TrackSpec]:
    """The tracks: their units (lead unit first, a wildcard perhaps after), group and leader."""
    tracks = []
    for t in draw(_ids("k_", draw(st.integers(1, 4)))):
        members = draw(st.permutations(unit_ids))[: draw(st.integers(1, len(unit_ids)))]
        wildcard = draw(st.sampled_from([[], [], *([w] for w in UNIT_WILDCARDS)]))
        tracks.append(TrackSpec(
            id=t, name=draw(labels(10)), units=[*members, *wildcard],
            group=draw(st.none() | labels(8)),
            leader_role=draw(st.none() | st.sampled_from(role_ids)),
            scope=draw(st.lists(labels(8), max_size=2)),
        ))
    return tracks


def _draw_channels(draw: st.DrawFn, unit_ids: Sequence[str]) -> list[ChannelSpec]:
    """The source channels, some transferring their items to a unit."""
    return [
        ChannelSpec(
            id=c, label=draw(labels(6)), mechanism=draw(st.none() | labels(6)),
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
        phases.append(PhaseSpec(id=p, name=draw(labels(6)), start=day, end=end,
                                demands=draw(st.lists(labels(12), max_size=2))))
        day = end + dt.timedelta(days=1)
    return phases


def _draw_ladders(draw: st.DrawFn, item_ladder_ids: Sequence[str], duty_ladder_ids: Sequence[str],
                  non_final: Sequence[str], messages: Sequence[str], role_ids: Sequence[str]) -> list[LadderSpec]:
    """The item ladders, then the duty ladders."""
    recipients = [*role_ids, "responsible_unit", "lead_unit"]
    ladders = [draw(_ladder(x, "item", non_final, messages, recipients)) for x in item_ladder_ids]
    ladders += [draw(_ladder(x, "duty", non_final, messages, recipients)) for x in duty_ladder_ids]
    return ladders


def _draw_deadlines(draw: st.DrawFn, tracks: Sequence[TrackSpec], severities: Sequence[SeveritySpec],
                    item_ladder_ids: Sequence[str]) -> DeadlinesSpec | None:
    """Perhaps deadline rules: a default and rules per track and/or severity, each scope once."""
    if not draw(st.booleans()):
        return None
    scopes = draw(st.lists(
        st.tuples(st.none() | st.sampled_from([t.id for t in tracks]),
                  st.none() | st.sampled_from([s.id for s in severities])).filter(lambda x: x != (None, None)),
        max_size=3, unique=True,
    ))
    return DeadlinesSpec(
        default=DeadlineRule(days=draw(st.integers(1, 60)), count=draw(st.sampled_from(["working", "calendar"]))),
        rules=[DeadlineRule(track=tr, severity=sv, days=draw(st.integers(1, 60))) for tr, sv in scopes],
        cutoff=dt.time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30, 45]))),
        ladder=draw(st.none() | st.sampled_from(item_ladder_ids)) if item_ladder_ids else None,
    )


def _draw_duties(draw: st.DrawFn, start: dt.date, last: dt.date, unit_ids: Sequence[str],
                 role_ids: Sequence[str], messages: Sequence[str], duty_ladder_ids: Sequence[str]) -> list[DutySpec]:
    """Dated and recurring duties within the campaign, perhaps on a duty ladder."""
    duties: list[DutySpec] = []
    for d in draw(_ids("d_", draw(st.integers(0, 4)))):
        common: dict[str, Any] = {
            "id": d, "label": draw(labels(8)), "deliverable": draw(st.none() | labels(8)),
            "units": _subset(draw, [*unit_ids, "all_units", "county_units", "lead_units"], min_size=1, max_size=3),
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
            duties.append(DutySpec(
                **common, every=every, start=first, end=_date(draw, first, last),
                weekday=draw(st.integers(1, 7)) if every != "month" else None,
            ))
    return duties


def _draw_phase_actions(draw: st.DrawFn, phases: Sequence[PhaseSpec], duties: Sequence[DutySpec],
                        duty_ladder_ids: Sequence[str], messages: Sequence[str],
                        role_ids: Sequence[str]) -> list[PhaseSpec]:
    """The phases with their actions: notices, and escalation of duties already due at the
    phase's edge."""
    with_actions = []
    for phase in phases:
        actions: dict[str, list[PhaseAction]] = {"on_start": [], "on_end": []}
        for when, edge in (("on_start", phase.start), ("on_end", phase.end)):
            if draw(st.booleans()):
                actions[when].append(PhaseAction(
                    action="notify",
                    notify=[NotifySpec(message=draw(st.sampled_from(messages)),
                                       to=draw(st.sampled_from([*role_ids, "all_units", "lead_units"])))],
                ))
            due_by_then = [x for x in duties if (x.due or x.end or edge) <= edge]
            for duty in _subset(draw, due_by_then, max_size=2):
                if duty.ladder is None and not duty_ladder_ids:
                    continue
                ladder = None if duty.ladder is not None else draw(st.sampled_from(duty_ladder_ids))
                actions[when].append(PhaseAction(action="escalate_missing", duty=duty.id, ladder=ladder))
        with_actions.append(phase.model_copy(update=actions))
    return with_actions


def _draw_follow_up(draw: st.DrawFn, lifecycle: LifecycleSpec, phases: Sequence[PhaseSpec]) -> FollowUpSpec | None:
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


def _draw_supervision(draw: st.DrawFn, unit_ids: Sequence[str], role_ids: Sequence[str],
                      phases: Sequence[PhaseSpec]) -> SupervisionSpec | None:
    """Perhaps supervision teams, when there are phases to run in."""
    if not (len(phases) > 0 and draw(st.booleans())):
        return None
    drawn_from = _subset(draw, unit_ids, min_size=1)
    teams = draw(st.integers(1, 3))
    return SupervisionSpec(
        role=draw(st.sampled_from(role_ids)), lead_unit=draw(st.sampled_from(drawn_from)),
        drawn_from=drawn_from, teams=teams, members=teams + draw(st.integers(0, 8)),
        every=draw(st.sampled_from(["week", "fortnight", "month"])),
        phases=_subset(draw, [p.id for p in phases], min_size=1),
        units_per_draw=draw(st.integers(1, len(unit_ids))),
        focus=draw(st.lists(labels(6), max_size=2)),
    )


def _draw_calendar(draw: st.DrawFn, start: dt.date, last: dt.date) -> CalendarSpec:
    """The calendar base and a few county holidays and working days in the campaign's years."""
    years = range(start.year, last.year + 1)
    override_days = draw(st.lists(st.builds(dt.date, st.sampled_from(years), st.integers(1, 12), st.integers(1, 28)),
                                  max_size=4, unique=True))
    split = draw(st.integers(0, len(override_days)))
    return CalendarSpec(
        base=draw(st.sampled_from(["cn_statutory", "weekends"])),
        extra_holidays=[DayOverride(date=x, name=draw(labels(6))) for x in override_days[:split]],
        extra_workdays=[DayOverride(date=x, name=draw(labels(6))) for x in override_days[split:]],
    )


def _draw_leading_group(draw: st.DrawFn, unit_ids: Sequence[str], role_ids: Sequence[str]) -> LeadingGroupSpec | None:
    """Perhaps the leading group and its office."""
    return draw(st.none() | st.builds(
        LeadingGroupSpec, name=labels(10), office_name=labels(10),
        office_unit=st.sampled_from(unit_ids), office_role=st.sampled_from(role_ids),
    ))


def _draw_leadership(draw: st.DrawFn, role_ids: Sequence[str], phases: Sequence[PhaseSpec]) -> LeadershipSpec | None:
    """Perhaps the rule of who leads problems in person (领衔), decided in a phase or any time."""
    return draw(st.none() | st.builds(
        LeadershipSpec, roles=st.lists(st.sampled_from(role_ids), min_size=1, max_size=2, unique=True),
        decided_by=st.sampled_from(role_ids),
        phase=st.none() | st.sampled_from([p.id for p in phases]) if phases else st.none(),
    ))


def _draw_notifications(draw: st.DrawFn, role_ids: Sequence[str], quiet_start: dt.time) -> NotificationsSpec:
    """Routes for some recipients and perhaps quiet hours from ``quiet_start``; the templates
    are added last (:func:`_templates`), once the messages the setup queues are known."""
    recipients = [*role_ids, "responsible_unit", "previous_unit", "lead_unit", "all_units", "lead_units"]
    delivery = st.lists(st.sampled_from(sorted(DELIVERY_CHANNELS)), min_size=1, max_size=2, unique=True)
    return NotificationsSpec(
        routes=[RouteSpec(to=r, delivery=draw(delivery)) for r in _subset(draw, recipients, max_size=4)],
        quiet_hours=draw(st.lists(st.builds(QuietHours, start=st.just(quiet_start),
                                            end=st.builds(dt.time, st.integers(5, 9)), delivery=delivery),
                                  max_size=1)),
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
