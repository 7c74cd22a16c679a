"""督查 as work (五、(四) 严格督查问效): when the teams are drawn, who they visit, what they tell
the teams, the visits they record and what each draw's 督查通报 lists.

Draw days are "不定期": one working day drawn at random in each ``supervision.every`` window
while a supervised phase runs, seeded by the campaign (:func:`draw_seed`), so the days are the
same whenever the campaign's steps are recomputed (a calendar change). Each draw tells every team — the ``supervision.role`` contacts of that team — the
units it is to visit and the focus of the 督查; no unit is told. A visit's findings become
items on ``supervision.channel`` (明察暗访), reported by the visiting team, for the office to
assign as any other item.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from zhenggai.workflows.schema import NotifySpec, PhaseSpec, SupervisionSpec

from ._access import check_actor
from ._inputs import checked_text, unit_id_of
from ._raw import Tx
from ._runtime import Runtime
from ._statements import ITEM, VISIT, VISIT_FINDING, Statements
from ._writes import Campaign, Vouch, append_event, queue_messages
from .deadlines import recurring
from .errors import CalendarError, DefinitionError, InvalidInputError, PermissionDeniedError
from .ports import Calendar
from .views import Actor, VisitView

__all__ = [
    "SupervisionBulletin",
    "draw_seed",
    "notify_teams",
    "record_visit",
    "supervision_bulletin",
    "supervision_draw_days",
    "visits",
]

#: At most this many findings per visit (each becomes an item).
MAX_FINDINGS = 50


def draw_seed(camp: Campaign) -> str:
    """What seeds a campaign's 督查 draw days: its county, definition and title, so the days
    stay the same whenever the steps are recomputed (and a rerun of a campaign, e.g. under
    ``zhenggai simulate``, draws the same days)."""
    return f"supervision:{camp.view.county}:{camp.view.definition_id}:{camp.view.title}"


def _working(calendar: Calendar, day: dt.date) -> bool:
    try:
        return calendar.is_workday(day)
    except CalendarError:  # a year the calendar does not know: Monday to Friday
        return day.weekday() < 5


def supervision_draw_days(
    rule: SupervisionSpec, phases: Sequence[PhaseSpec], calendar: Calendar, seed: str | int
) -> list[dt.date]:
    """One working day drawn at random in each ``rule.every`` window from the first day of the
    first supervised phase to the last of the last, on a day a supervised phase runs."""
    chosen = [p for p in phases if p.id in rule.phases]
    if not chosen:
        return []
    first, last = min(p.start for p in chosen), max(p.end for p in chosen)
    starts = recurring(first, last, rule.every)
    rng = random.Random(str(seed))
    days: list[dt.date] = []
    for k, start in enumerate(starts):
        end = starts[k + 1] - dt.timedelta(days=1) if k + 1 < len(starts) else last
        candidates = [
            day
            for n in range((end - start).days + 1)
            if any(p.start <= (day := start + dt.timedelta(days=n)) <= p.end for p in chosen)
            and _working(calendar, day)
        ]
        if candidates:
            days.append(rng.choice(candidates))
    return days


def notify_teams(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    rule: SupervisionSpec,
    teams: Sequence[Sequence[str]],
    day: str,
    now: dt.datetime,
) -> Vouch:
    """Each team told its units and the focus, reaching only that team's contacts; with
    ``unannounced: false`` (督查 announced beforehand) each drawn unit is told the same notice."""
    vouch = Vouch.next_event(tx, st, camp.id)
    for number, units in enumerate(teams, 1):
        payload = {
            "campaign": camp.view.title,
            "draw_day": day,
            "team": number,
            "units": "、".join(camp.unit_names[camp.unit_ids[u]] for u in units) or "本次无",
            "focus": "、".join(rule.focus) or "按实施方案要求",
        }
        queue_messages(
            tx,
            st,
            camp,
            [NotifySpec(message=rule.message, to=rule.role)],
            key=f"campaign:{camp.id}:supervision_draw@{day}:team:{number}",
            payload=payload,
            units={},
            item_id=None,
            now=now,
            vouch=vouch,
            team=number,
        )
        for unit in [] if rule.unannounced else units:
            queue_messages(
                tx,
                st,
                camp,
                [NotifySpec(message=rule.message, to="responsible_unit")],
                key=f"campaign:{camp.id}:supervision_draw@{day}:team:{number}:unit:{unit}",
                payload=payload,
                units={"responsible_unit": camp.unit_ids[unit]},
                item_id=None,
                now=now,
                vouch=vouch,
            )
    return vouch


def _rule(camp: Campaign) -> SupervisionSpec:
    rule = camp.setup.supervision if camp.setup is not None else None
    if rule is None:
        raise DefinitionError([f"专项行动 {camp.key} 的实施方案没有督查 (supervision)"])
    return rule


def _draws(tx: Tx, st: Statements, camp: Campaign) -> list[dict[str, Any]]:
    return [json.loads(r["data"]) for r in tx.all(st.supervision_draws, {"cid": camp.id})]


def _track_of(camp: Campaign, rule: SupervisionSpec, unit: str) -> str:
    """The track a finding's item goes on: ``supervision.track``, else the first track that
    names the visited unit, else the first it answers in as one of 各地各单位 / 县直有关单位,
    else the first track."""
    assert camp.setup is not None
    if rule.track is not None:
        return rule.track
    named = [t for t in camp.setup.tracks if unit in t.units]
    return (named or camp.setup.tracks_of(unit) or camp.setup.tracks)[0].id


def _day(value: object, today: dt.date) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError as err:
            raise InvalidInputError("day", f"日期格式应为 YYYY-MM-DD, 收到 {value!r}") from err
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise InvalidInputError("day", "督查日期须为日期")
    if value > today:
        raise InvalidInputError("day", f"督查日期 {value.isoformat()} 晚于今天 {today.isoformat()}")
    return value


def record_visit(
    rt: Runtime,
    campaign: str | int,
    actor: Actor,
    *,
    team: int,
    unit: str,
    day: dt.date | str,
    findings: Sequence[str] = (),
) -> VisitView:
    from ._transitions import report_in  # the items' write path

    now = rt.now()
    st = rt.st
    with rt.store.transaction() as tx:
        camp = rt.campaign(tx, campaign)
        rule = _rule(camp)
        check_actor(camp, actor)
        if actor.role != rule.role:
            raise PermissionDeniedError(
                actor.name, actor.role, "记录督查", f"督查由 {camp.roles[rule.role].label} 记录"
            )
        if not isinstance(team, int) or isinstance(team, bool) or not 1 <= team <= rule.teams:
            raise InvalidInputError("team", f"督查组须为 1 至 {rule.teams} 之间的整数")
        unit_id = unit_id_of(camp, unit)
        visited = _day(day, now.astimezone(camp.tz).date())
        texts = [checked_text("finding", f) for f in findings]
        if len(texts) > MAX_FINDINGS:
            raise InvalidInputError("findings", f"一次督查至多记录 {MAX_FINDINGS} 条发现")
        sent = [
            d["day"]
            for d in _draws(tx, st, camp)
            if d["day"] <= visited.isoformat()
            and unit in (d["teams"][team - 1] if len(d["teams"]) >= team else [])
        ]
        name = camp.unit_names[unit_id]
        if not sent:
            raise InvalidInputError("unit", f"第{team}督查组截至 {visited.isoformat()} 未被抽派到{name}")
        # The latest draw that sent the team there and has no visit recorded yet.
        pending = [
            d
            for d in reversed(sent)
            if tx.one(
                st.visit_of_draw,
                {"cid": camp.id, "team": team, "unit_id": unit_id, "draw_day": dt.date.fromisoformat(d)},
            )
            is None
        ]
        if not pending:
            raise InvalidInputError("unit", f"第{team}督查组 {sent[-1]} 抽派到{name}的督查已记录")
        draw_day = dt.date.fromisoformat(pending[0])
        channel = rule.channel
        assert channel is not None  # zhenggai check: supervision.channel is required
        if channel not in camp.channels:
            raise DefinitionError([f"supervision.channel: 未知渠道 {channel}"])
        values: dict[str, Any] = {
            "campaign_id": camp.id,
            "team": team,
            "unit_id": unit_id,
            "draw_day": draw_day,
            "day": visited,
            "recorded_by": actor.name,
            "recorded_at": now,
        }
        values["id"] = tx.scalar(st.visit_insert, values)
        items: list[int] = []
        for k, text in enumerate(texts, 1):
            item = report_in(
                rt,
                tx,
                camp,
                actor,
                now,
                title=f"督查发现: {text[:80]}",
                description=f"第{team}督查组 {visited.isoformat()} 明察暗访{name}发现: {text}",
                track=_track_of(camp, rule, unit),
                channel=channel,
                severity=None,
                reporter=None,
                unit_id=unit_id,
            )
            items.append(item["id"])
            tx.run(st.visit_finding_insert, {"visit_id": values["id"], "item_id": item["id"], "ordinal": k})
        append_event(
            tx,
            st,
            camp.id,
            item_id=None,
            trigger="record_visit",
            from_state=None,
            to_state=None,
            actor=actor,
            at=now,
            data={
                "supervision_visit": values["id"],
                "team": team,
                "unit": unit,
                "day": visited.isoformat(),
                "draw_day": draw_day.isoformat(),
                "items": items,
            },
        )
    return _view(camp, values, items)


def _view(camp: Campaign, r: Mapping[str, Any], items: Sequence[int]) -> VisitView:
    return VisitView(
        id=r["id"],
        campaign=camp.key,
        team=r["team"],
        unit=camp.unit_keys[r["unit_id"]],
        unit_name=camp.unit_names[r["unit_id"]],
        draw_day=r["draw_day"],
        day=r["day"],
        items=tuple(items),
        recorded_by=r["recorded_by"],
        recorded_at=r["recorded_at"],
    )


def visits(rt: Runtime, campaign: str | int, *, draw_day: dt.date | None = None) -> list[VisitView]:
    """The campaign's recorded visits (of one draw), by draw, team and unit."""
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        query = select(VISIT).where(VISIT.c.campaign_id == camp.id)
        if draw_day is not None:
            query = query.where(VISIT.c.draw_day == draw_day)
        rows = conn.execute(query.order_by(VISIT.c.draw_day, VISIT.c.team, VISIT.c.id)).mappings().all()
        found: dict[int, list[int]] = {}
        if rows:
            links = select(VISIT_FINDING).where(VISIT_FINDING.c.visit_id.in_([r["id"] for r in rows]))
            for link in conn.execute(links.order_by(VISIT_FINDING.c.ordinal)).mappings():
                found.setdefault(link["visit_id"], []).append(link["item_id"])
        return [_view(camp, dict(r), found.get(r["id"], [])) for r in rows]


@dataclass(frozen=True, slots=True)
class BulletinFinding:
    team: int
    unit_name: str
    item_id: int
    number: str | None
    title: str
    state_label: str


@dataclass(frozen=True, slots=True)
class SupervisionBulletin:
    """What a draw's 督查通报 lists: the teams and their units, the visits, the findings and the
    items they became; ``copy_to`` the lead unit (抄送)."""

    campaign: str
    county: str
    draw_day: dt.date
    teams: tuple[tuple[int, tuple[str, ...]], ...]
    focus: tuple[str, ...]
    visits: tuple[VisitView, ...]
    findings: tuple[BulletinFinding, ...]
    copy_to: str


def supervision_bulletin(rt: Runtime, campaign: str | int, draw_day: dt.date | str) -> SupervisionBulletin:
    day = _day(draw_day, dt.date.max)
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        rule = _rule(camp)
        draw = next((d for d in _draws(Tx.on(conn), rt.st, camp) if d["day"] == day.isoformat()), None)
        if draw is None:
            raise InvalidInputError("draw", f"{day.isoformat()} 没有督查抽签")
    recorded = visits(rt, campaign, draw_day=day)
    ids = [i for v in recorded for i in v.items]
    team_of = {i: v for v in recorded for i in v.items}
    findings: list[BulletinFinding] = []
    if ids:
        with rt.store.read() as conn:
            query = select(ITEM.c.id, ITEM.c.number, ITEM.c.title, ITEM.c.state).where(ITEM.c.id.in_(ids))
            for r in conn.execute(query.order_by(ITEM.c.id)).mappings():
                visit = team_of[r["id"]]
                findings.append(
                    BulletinFinding(
                        team=visit.team,
                        unit_name=visit.unit_name,
                        item_id=r["id"],
                        number=r["number"],
                        title=r["title"],
                        state_label=camp.lifecycle.labels.get(r["state"], r["state"]),
                    )
                )
    names = camp.unit_names
    return SupervisionBulletin(
        campaign=camp.view.title,
        county=camp.view.county,
        draw_day=day,
        teams=tuple(
            (k, tuple(names[camp.unit_ids[u]] for u in units)) for k, units in enumerate(draw["teams"], 1)
        ),
        focus=tuple(rule.focus),
        visits=tuple(recorded),
        findings=tuple(findings),
        copy_to=names[camp.unit_ids[rule.lead_unit]] if rule.lead_unit in camp.unit_ids else "",
    )
