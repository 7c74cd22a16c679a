"""领衔调研 (四、(三) 整改落实阶段): the 领衔领导 of an item researches it — 分析问题原因, 提出解决办法
— and the business environment group hears how it went (``leadership.research``).

When 领衔 is decided (:func:`~._leadership.lead_item`), the item's ``research_due`` is set:
the definition's ``due`` date, or ``days`` (``count``) after the decision. While the research is
pending (a leader named, not reported done, the item not ended) the steps of ``research.
ladder`` (subject ``research``; step rows of subject kind ``research`` keyed by the item's id)
remind and chase the leader: their recipient ``leader`` is the item's 领衔领导 only, never the
leader's unit nor every holder of the leader's role. :func:`complete_research` (operation
``report_research``) records the research done with its note, cancels the steps and sends
``research.notify``.

Decisions: a new leader replacing the old one takes the research over; with ``days`` its due
date is counted again from the new decision (the new leader gets the full time), with a fixed
``due`` it stays. Research already reported stays reported when the leader changes (the item's
causes and remedies are known). The due date is fixed when it is set: a later calendar change
moves only the ladder's working-day steps, as for 移送's 初核.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from zhenggai.workflows.schema import LadderSpec, LadderStep, NotifySpec, ResearchSpec

from ._access import check_actor, check_role
from ._concerns import Concerns
from ._inputs import check_version, checked_text
from ._raw import Tx
from ._rows import ItemRow, changed
from ._runtime import Runtime
from ._statements import Statements
from ._steps import (
    SYSTEM,
    SweepReport,
    Wanted,
    _ladder_wanted,
    _settle,
    _step_data,
    reconcile_steps,
    step_payload,
)
from ._viewing import item_view
from ._writes import WEEKDAYS, Campaign, cas_update, item_note, item_payload
from .deadlines import add_days
from .errors import GuardFailedError, PermissionDeniedError
from .views import Actor, ItemView

__all__ = [
    "LEADER",
    "REPORT_RESEARCH",
    "arm_research_steps",
    "complete_research",
    "fire_research_steps",
    "research_due",
    "research_payload",
    "research_spec",
    "research_steps",
]

#: The operation's name in a definition's ``operations``.
REPORT_RESEARCH = "report_research"
#: The recipient of a research message that is the item's 领衔领导.
LEADER = "leader"
#: Names officials read in refusals.
NAMES = {REPORT_RESEARCH: "报告领衔调研完成", "research_pending": "领衔调研待完成"}


def research_spec(camp: Campaign) -> ResearchSpec | None:
    setup = camp.setup
    if setup is None or setup.leadership is None:
        return None
    return setup.leadership.research


def research_due(camp: Campaign, row: Mapping[str, Any], today: dt.date) -> dt.date | None:
    """The research due date of the item ``row`` led from ``today`` (None: no research)."""
    spec = research_spec(camp)
    if spec is None:
        return None
    if spec.due is not None:
        return spec.due
    reported: dt.date | None = row.get("research_due")
    if reported is not None and row.get("research_done_at") is not None:
        return reported  # reported: the date it was due stays
    assert spec.days is not None
    return add_days(camp.calendar, today, spec.days, spec.count)


def research_payload(camp: Campaign, row: Mapping[str, Any]) -> dict[str, Any]:
    """The variables of a 领衔调研 message (``RESEARCH_VARIABLES`` of :mod:`.messages`)."""
    spec = research_spec(camp)
    due = row.get("research_due")
    to = spec.to if spec is not None else None
    return {
        **item_payload(camp, row),
        "leader_name": row.get("leading_official"),
        "research_label": spec.label if spec is not None else None,
        "deliverable": spec.deliverable if spec is not None else None,
        "research_due": None if due is None else due.isoformat(),
        "research_due_weekday": None if due is None else WEEKDAYS[due.weekday()],
        "research_note": row.get("research_note"),
        "report_to": camp.roles[to].label if to is not None and to in camp.roles else to,
    }


def _routed(camp: Campaign, notify: Sequence[NotifySpec]) -> list[NotifySpec]:
    """``notify`` with ``leader`` spelled as the leadership's roles (each reaches the item's
    leader only, when that person holds it: :mod:`._concerns`)."""
    setup = camp.setup
    roles = setup.leadership.roles if setup is not None and setup.leadership is not None else []
    out: list[NotifySpec] = []
    for n in notify:
        if n.to == LEADER:
            out += [NotifySpec(message=n.message, to=role) for role in roles]
        else:
            out.append(n)
    return out


def _record(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    row: Mapping[str, Any],
    trigger: str,
    actor: Actor,
    now: dt.datetime,
    data: dict[str, Any],
    notify: Sequence[NotifySpec],
    key: str,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """The item's event ``trigger`` (its state unchanged) with ``notify``'s messages, which
    concern the item's leader and nobody else of the leadership's roles."""
    item_note(
        tx,
        st,
        camp,
        row,
        trigger=trigger,
        actor=actor,
        now=now,
        data=data,
        notify=_routed(camp, notify),
        key=f"item:{row['id']}:{key}",
        payload={**research_payload(camp, row), **(extra or {})},
        units={},
        concerns=Concerns(item=True, leader_contact_id=row.get("leader_contact_id")),
    )


def research_ladder(camp: Campaign) -> LadderSpec | None:
    spec = research_spec(camp)
    if spec is None or spec.ladder is None:
        return None
    return camp.ladders.get(spec.ladder)


def pending(camp: Campaign, row: Mapping[str, Any]) -> bool:
    """Whether the item waits for its leader's research (led, not reported, not ended)."""
    return (
        row.get("leader_contact_id") is not None
        and row.get("research_due") is not None
        and row.get("research_done_at") is None
        and row["state"] not in camp.lifecycle.final_states
    )


def research_steps(camp: Campaign, row: Mapping[str, Any]) -> Wanted:
    """The research ladder steps the item should have pending: none once it is reported."""
    ladder = research_ladder(camp)
    if ladder is None or not pending(camp, row):
        return {}
    return _ladder_wanted(camp, ladder, row["research_due"])


def arm_research_steps(
    tx: Tx, st: Statements, camp: Campaign, row: Mapping[str, Any], now: dt.datetime
) -> None:
    """The item's research step rows made to match :func:`research_steps` after a write."""
    existing = {r["step_key"]: r for r in tx.all(st.research_steps, {"sid": row["id"]})}
    if not existing and research_ladder(camp) is None:
        return
    reconcile_steps(tx, st, camp, "research", row["id"], existing, research_steps(camp, row), now)


def fire_research_steps(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    row: ItemRow,
    claimed: Sequence[Mapping[str, Any]],
    now: dt.datetime,
    report: SweepReport,
) -> None:
    """Settle the item's claimed research steps: their messages and one ``research_step`` event
    each; none fires once the research is reported (void). They change neither the item's
    light nor its escalation level: those measure its rectification."""
    ladder = research_ladder(camp)

    def fire(
        step_row: Mapping[str, Any], step: LadderStep, late: bool, folded: list[str], missed: list[str]
    ) -> None:
        due = row.get("research_due")
        assert ladder is not None and due is not None
        data = {
            "ladder": ladder.id,
            "research_due": due.isoformat(),
            "leader": row.get("leader_contact_id"),
            **_step_data(step, late, folded, missed),
        }
        key = f"research_step:{step_row['step_key']}"
        extra = step_payload(camp, step, due, now)
        _record(tx, st, camp, row, "research_step", SYSTEM, now, data, step.notify, key, extra)
        report.events.append(f"research:{row['id']}:{step.id}")

    _settle(tx, st, claimed, research_steps(camp, row), now, report, fire)


def _check_reporter(camp: Campaign, actor: Actor, row: Mapping[str, Any]) -> None:
    """A holder of a leadership role reports only the research of an item they lead; any other
    role the definition allows (the office) as the operation's role check says."""
    roles = camp.operations.get(REPORT_RESEARCH, frozenset())
    setup = camp.setup
    leading = setup is not None and setup.leadership is not None and actor.role in setup.leadership.roles
    if actor.role in roles and leading:
        if actor.name != row.get("leading_official"):
            raise PermissionDeniedError(
                actor.name, actor.role, REPORT_RESEARCH, "只有该问题的领衔领导可以报告调研完成", NAMES
            )
        return
    check_role(camp, actor, REPORT_RESEARCH, roles, row)


def complete_research(
    rt: Runtime, item_id: int, actor: Actor, *, note: str, expected_version: int | None = None
) -> ItemView:
    """领衔调研 done: the item's leader (or the office) reports the research with its note
    (问题原因、解决办法); the steps are cancelled and ``research.notify`` is sent."""
    now = rt.now()
    st = rt.st
    with rt.store.transaction() as tx:
        row = rt.load_item(tx, item_id)
        camp = rt.campaign(tx, row["campaign_id"], row["campaign_version"])
        check_actor(camp, actor)
        check_version(row["id"], expected_version, row["version"])
        _check_reporter(camp, actor, row)
        spec = research_spec(camp)
        if spec is None:
            raise GuardFailedError(
                item_id, REPORT_RESEARCH, "research_pending", "实施方案没有规定领衔调研", NAMES
            )
        text = checked_text("note", note)
        if not pending(camp, row):
            done = row.get("research_done_at")
            reason = (
                "该问题尚未确定领衔领导"
                if row.get("leader_contact_id") is None or row.get("research_due") is None
                else f"该问题的{spec.label}已于 {done.astimezone(camp.tz):%Y-%m-%d %H:%M} 报告完成"
                if done is not None
                else "该问题已办结"
            )
            raise GuardFailedError(item_id, REPORT_RESEARCH, "research_pending", reason, NAMES)
        changes = {
            "research_done_at": now,
            "research_note": text,
            "updated_at": now,
            "version": row["version"] + 1,
        }
        cas_update(tx, st, row, changes)
        after = changed(row, changes)
        due = row.get("research_due")
        assert due is not None  # pending: it has a due date
        today = now.astimezone(camp.tz).date()
        data = {
            "leader": row.get("leader_contact_id"),
            "research_due": due.isoformat(),
            "note": text,
            "late": today > due,
        }
        _record(
            tx,
            st,
            camp,
            after,
            REPORT_RESEARCH,
            actor,
            now,
            data,
            spec.notify,
            f"v{after['version']}:research",
        )
        arm_research_steps(tx, st, camp, after, now)
    return item_view(camp, after)
