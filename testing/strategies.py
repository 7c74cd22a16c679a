"""Hypothesis strategies that generate valid workflow definitions (needs ``hypothesis``, which
the ``test`` extra installs).

:func:`definitions` draws a :class:`~zhenggai.workflows.schema.CampaignSetup` that passes every
check of ``zhenggai check``: random units, roles, tracks (lead unit first, wildcards after),
channels and severities; dated phases back to back, with start and end actions; a lifecycle
with a random number of states on a forward chain plus optional side transitions built from
the guard and effect vocabularies (rework, reassignment, 回头看 from a final state, dismissal,
merge, arbitrary extra edges); escalation ladders for items and for duties, steps in order of
time and escalation; deadline rules; dated and recurring duties; the 回头看 rule; supervision
teams; 延期申请 and 退单 (their roles drawn from the definition's); routes, quiet hours and
templates that use only the variables their messages provide.

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

from hypothesis import strategies as st
from zhenggai.workflows.schema import CampaignSetup, ReportsSpec, SeveritySpec

from ._drawing import _SUFFIX, _ids, _lifecycle, labels
from ._drawing_parts import (
    _draw_attachments,
    _draw_calendar,
    _draw_callbacks,
    _draw_channels,
    _draw_co_handling,
    _draw_deadlines,
    _draw_duties,
    _draw_follow_up,
    _draw_instructions,
    _draw_ladders,
    _draw_leadership,
    _draw_leading_group,
    _draw_notifications,
    _draw_phase_actions,
    _draw_phases,
    _draw_roles,
    _draw_scoring,
    _draw_supervision,
    _draw_tracks,
    _draw_units,
    _marks,
    _templates,
)
from ._drawing_supervision import _draw_extensions, _draw_send_back

__all__ = ["FIRST_YEAR", "LAST_YEAR", "definitions", "labels"]

#: Generated campaigns lie in these years (the statutory calendar data covers them).
FIRST_YEAR, LAST_YEAR = 2020, 2026


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
    severities = [
        SeveritySpec(id=v, label=draw(labels(4))) for v in draw(_ids("v_", draw(st.integers(1, 3))))
    ]
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
    supervision = _draw_supervision(draw, unit_ids, role_ids, phases, [c.id for c in channels])
    calendar = _draw_calendar(draw, start, last)
    quiet_start = dt.time(draw(st.integers(18, 23)))  # drawn before the header fields, as always
    co_handling, lifecycle, ladders = _draw_co_handling(draw, roles, lifecycle, ladders, messages)
    extensions = _draw_extensions(draw, roles, tracks)
    send_back = _draw_send_back(draw, roles, lifecycle)
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
        co_handling=co_handling,
        scoring=_draw_scoring(draw, roles, messages),
        instructions=_draw_instructions(draw, roles, channels, messages),
        callbacks=_draw_callbacks(draw, roles, lifecycle, follow_up, messages),
        reports=ReportsSpec(
            **{kind: draw(_marks()) for kind in ReportsSpec.model_fields if draw(st.booleans())}
        ),
        notifications=_draw_notifications(draw, role_ids, quiet_start),
        extensions=extensions,
        send_back=send_back,
    )
    return setup.model_copy(
        update={
            "notifications": setup.notifications.model_copy(update={"templates": draw(_templates(setup))}),
            "attachments": _draw_attachments(draw),  # drawn last: the parts before draw as they did
        }
    )
