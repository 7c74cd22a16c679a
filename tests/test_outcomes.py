"""The plan's outcomes (五个一批) in the engine, on SQLite and PostgreSQL: what came of a finished
item (accountability, root cause, mechanisms), the privacy of the people held accountable, the
register of long-term mechanisms, good practices, the published typical cases, and the
dashboard counted against the records (also over generated histories, hypothesis); the
definitions' outcome blocks checked with located errors; the CLI commands end to end."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import MetaData, Table, inspect, select
from zhenggai.adapters.cli import main
from zhenggai.engine import (
    AccountabilityEntry,
    Actor,
    CampaignView,
    Engine,
    FiveOutcomes,
    GuardFailedError,
    InvalidInputError,
    ItemNotFound,
    ItemView,
    MechanismNotFound,
    PermissionDeniedError,
    PracticeNotFound,
    TrackNotFound,
    UnitNotFound,
    VirtualClock,
)
from zhenggai.engine.calendar import WorkingCalendar
from zhenggai.engine.deadlines import next_workday
from zhenggai.engine.models import metadata as MODELS
from zhenggai.workflows import check_definition, load_setup

from tests.conftest import Actors, due_in, today_plus
from tests.test_validator import _copy, _line_of

pytestmark = pytest.mark.storage

HOUSING = "housing_construction_bureau"
COMMERCE = "commerce_bureau"
PUBLICITY = Actor("孙部长", "publicity", "publicity_department")
NAMES = ("欧阳明远", "司马晓晴", "上官建国")
TODAY = dt.date(2023, 7, 3)


def _report(engine: Engine, campaign: CampaignView, title: str, *, track: str = "construction") -> ItemView:
    return engine.report(
        campaign.key,
        Actors.office,
        title=title,
        description=f"{title}的详细情况",
        track=track,
        channel="hotline",
    )


def _close(engine: Engine, item_id: int, unit: str = HOUSING, due: dt.date | None = None) -> ItemView:
    bureau = Actors.unit(unit)
    engine.assign(item_id, Actors.office, unit=unit, due=due or due_in(10))
    measure = engine.add_measure(item_id, bureau, text="立行立改")
    engine.start_rectification(item_id, bureau)
    engine.complete_measure(measure.id, bureau)
    engine.submit_for_verification(item_id, bureau)
    engine.verify(item_id, Actors.office)
    return engine.close(item_id, Actors.office)


def _closed(
    engine: Engine, campaign: CampaignView, title: str = "施工许可审批超时", unit: str = HOUSING
) -> ItemView:
    return _close(engine, _report(engine, campaign, title).id, unit)


def _people() -> list[AccountabilityEntry]:
    return [
        AccountabilityEntry(NAMES[0], "审批科科长", "admonishment"),
        AccountabilityEntry(NAMES[1], None, "criticism"),
    ]


def _dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ``zg_*`` table."""
    with engine.store.engine.connect() as conn:
        names = sorted(n for n in inspect(conn).get_table_names() if n.startswith("zg_"))
        tables = [
            MODELS.tables[n] if n in MODELS.tables else Table(n, MetaData(), autoload_with=conn)
            for n in names
        ]
        return {t.name: [tuple(r) for r in conn.execute(select(t))] for t in tables}


# ------------------------------------------------------------------------- outcomes on items


def test_outcome_of_a_closed_item_is_recorded_audited_and_replaced(
    engine: Engine, campaign: CampaignView
) -> None:
    item = _closed(engine, campaign)
    mechanism = engine.register_mechanism(
        campaign.key,
        Actors.unit(),
        unit=HOUSING,
        title="施工许可限时办结制度",
        kind="rule",
        status="established",
        date=TODAY,
    )
    view = engine.record_outcome(
        item.id,
        Actors.office,
        root_cause="审批环节过多, 无限时办结要求",
        accountability=_people(),
        mechanisms=[mechanism.id],
    )
    assert view.named and view.people == 2 and view.mechanisms == (mechanism.id,)
    assert [(e.person, e.position, e.outcome, e.outcome_label) for e in view.accountability] == [
        (NAMES[0], "审批科科长", "admonishment", "诫勉"),
        (NAMES[1], None, "criticism", "批评教育"),
    ]
    assert view.recorded_by == Actors.office.name and view.root_cause == "审批环节过多, 无限时办结要求"
    assert engine.item(item.id).version == item.version + 1
    assert engine.mechanisms(campaign.key)[0].items == (item.id,)  # the link reads both ways
    event = engine.events(item.id)[-1]
    assert event.trigger == "record_outcome" and event.from_state == event.to_state == "closed"
    assert event.data == {
        "people": 2,
        "accountability": {"criticism": 1, "admonishment": 1},
        "mechanisms": [mechanism.id],
        "replaced": False,
        "root_cause": "审批环节过多, 无限时办结要求",
    }
    # Recording again replaces the whole record (people, cause, links).
    again = engine.record_outcome(
        item.id, Actors.office, accountability=[(NAMES[2], "副局长", "organisational")]
    )
    assert again.root_cause is None and again.mechanisms == () and again.people == 1
    assert [e.person for e in again.accountability] == [NAMES[2]]
    assert engine.events(item.id)[-1].data["replaced"] is True
    assert engine.mechanisms(campaign.key)[0].items == ()
    assert [o.item_id for o in engine.outcomes(campaign.key, Actors.office)] == [item.id]


def test_a_person_with_two_outcomes_counts_once(engine: Engine, campaign: CampaignView) -> None:
    item = _closed(engine, campaign)
    view = engine.record_outcome(
        item.id,
        Actors.office,
        accountability=[
            (NAMES[0], "科长", "admonishment"),
            (NAMES[0], "科长", "organisational"),
            (NAMES[1], None, "criticism"),
        ],
    )
    assert view.people == 2 and len(view.accountability) == 3
    # BREAKING (issue 16): 警示教育党员干部 counts the 警示教育 register's attendees, not the people
    # held accountable.
    assert engine.five_outcomes(campaign.key).totals[2].count == 0


def test_outcome_of_dismissed_and_merged_items(engine: Engine, campaign: CampaignView) -> None:
    dismissed = _report(engine, campaign, "反映的问题经核实不属实")
    engine.dismiss(dismissed.id, Actors.office, reason="经核实不属实")
    view = engine.record_outcome(dismissed.id, Actors.office, root_cause="诬告, 已澄清正名")
    assert view.people == 0 and view.accountability == ()
    survivor = _report(engine, campaign, "水电气报装难")
    merged = _report(engine, campaign, "报装难重复反映")
    engine.merge(merged.id, Actors.office, survivor_id=survivor.id)
    assert engine.record_outcome(merged.id, Actors.office, root_cause="重复反映").item_id == merged.id
    # Dismissed items are not 销号: they count as found, not solved.
    totals = {t.key: t.count for t in engine.five_outcomes(campaign.key).totals}
    assert totals["problems_found"] == 3 and totals["problems_solved"] == 0


def test_outcome_is_refused_on_an_open_item_and_nothing_is_written(
    engine: Engine, campaign: CampaignView
) -> None:
    item = _report(engine, campaign, "窗口推诿扯皮")
    engine.assign(item.id, Actors.office, unit=HOUSING, due=due_in(5))
    before = _dump(engine)
    with pytest.raises(GuardFailedError) as err:
        engine.record_outcome(item.id, Actors.office, root_cause="作风问题", accountability=_people())
    assert "记录办理结果" in str(err.value) and "问题已办结" in str(err.value) and "已交办" in str(err.value)
    assert _dump(engine) == before
    assert engine.outcome(item.id, Actors.office) is None


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        (
            {"accountability": [("张某", None, "dismissal")]},
            InvalidInputError,
            "未知问责处理方式 'dismissal'",
        ),
        ({"accountability": [("", None, "criticism")]}, InvalidInputError, "accountability[0].person"),
        ({"accountability": [("张" * 101, None, "criticism")]}, InvalidInputError, "最多 100 字"),
        ({"accountability": [("张某", None)]}, InvalidInputError, "姓名, 职务, 处理方式"),
        ({"accountability": "张某"}, InvalidInputError, "列表"),
        ({"mechanisms": [999]}, MechanismNotFound, "长效机制不存在: 999"),
        ({"mechanisms": ["1"]}, InvalidInputError, "编号须为整数"),
        ({}, InvalidInputError, "办理结果为空"),
        ({"root_cause": "  "}, InvalidInputError, "root_cause"),
    ],
    ids=[
        "unknown outcome",
        "no name",
        "long name",
        "bad entry",
        "not a list",
        "unknown mechanism",
        "mechanism not an id",
        "empty",
        "blank cause",
    ],
)
def test_bad_outcomes_are_refused_clearly(
    engine: Engine, campaign: CampaignView, kwargs: dict[str, Any], error: type[Exception], fragment: str
) -> None:
    item = _closed(engine, campaign)
    with pytest.raises(error) as err:
        engine.record_outcome(item.id, Actors.office, **kwargs)
    assert fragment in str(err.value)
    assert engine.outcome(item.id, Actors.office) is None


def test_outcome_roles_and_unknown_items(engine: Engine, campaign: CampaignView) -> None:
    item = _closed(engine, campaign)
    for actor in (Actors.unit(), PUBLICITY, Actors.track_leader):
        with pytest.raises(PermissionDeniedError):
            engine.record_outcome(item.id, actor, root_cause="原因")
    with pytest.raises(ItemNotFound):
        engine.record_outcome(999, Actors.office, root_cause="原因")
    with pytest.raises(PermissionDeniedError):
        engine.outcome(item.id, Actor("某人", "no_such_role"))
    other = engine.start_campaign(load_setup("county_2023"), key="other")
    foreign = engine.register_mechanism(
        other.key,
        Actors.office,
        unit=HOUSING,
        title="别处的机制",
        kind="rule",
        status="established",
        date=TODAY,
    )
    with pytest.raises(MechanismNotFound):  # a mechanism of another campaign
        engine.record_outcome(item.id, Actors.office, mechanisms=[foreign.id])


# ------------------------------------------------------------------------------ privacy


def test_people_are_named_only_for_the_roles_allowed(engine: Engine, campaign: CampaignView) -> None:
    item = _closed(engine, campaign)
    engine.record_outcome(item.id, Actors.office, root_cause="审批环节过多", accountability=_people())
    for reader in (Actors.unit(), PUBLICITY, Actors.supervision, Actors.custodian, Actors.county_leader):
        view = engine.outcome(item.id, reader)
        assert view is not None and not view.named and view.people == 2
        assert [(e.person, e.position) for e in view.accountability] == [("", None), ("", None)]
        assert [e.outcome_label for e in view.accountability] == ["诫勉", "批评教育"]
        assert not any(name in json.dumps(view.to_dict(), ensure_ascii=False) for name in NAMES)
        listed = engine.outcomes(campaign.key, reader)
        assert [v.named for v in listed] == [False] and listed[0].accountability == view.accountability
    events = len(engine.events(campaign=campaign.key))
    assert engine.outcome(item.id, Actors.unit()) is not None
    assert len(engine.events(campaign=campaign.key)) == events  # a read without names is not audited
    named = engine.outcome(item.id, Actors.office)
    assert named is not None and named.named and [e.person for e in named.accountability] == list(NAMES[:2])
    read = engine.events(campaign=campaign.key)[-1]
    assert (read.trigger, read.item_id, read.actor, read.data) == (
        "read_named_people",
        item.id,
        Actors.office.name,
        {"items": [item.id], "people": 2},
    )
    engine.outcomes(campaign.key, Actors.office)
    assert engine.events(campaign=campaign.key)[-1].data == {"items": [item.id], "people": 2}
    assert engine.verify_audit(campaign.key).ok


def test_named_people_appear_nowhere_but_their_own_table(engine: Engine, campaign: CampaignView) -> None:
    item = _closed(engine, campaign)
    engine.mark_case(item.id, Actors.office, note="审批超时, 以案示警")
    engine.record_outcome(item.id, Actors.office, root_cause="审批环节过多", accountability=_people())
    engine.publish_case(item.id, Actors.office, where="县纪委监委网站", on=TODAY)
    engine.outcome(item.id, Actors.office)
    engine.outcomes(campaign.key, Actors.office)
    visible = json.dumps(
        [
            [e.to_dict() for e in engine.events(campaign=campaign.key)],
            [r.to_dict() for r in engine.ledger(campaign.key)],
            [i.to_dict() for i in engine.items(campaign.key)],
            [o.to_dict() for o in engine.outbox(campaign.key)],
            engine.five_outcomes(campaign.key).to_dict(),
            [m.to_dict() for m in engine.mechanisms(campaign.key)],
        ],
        ensure_ascii=False,
        default=str,
    )
    assert not any(name in visible for name in NAMES)
    assert "审批科科长" not in visible
    holding = {
        table
        for table, rows in _dump(engine).items()
        if any(name in str(value) for row in rows for value in row for name in NAMES)
    }
    assert holding == {"zg_accountability"}


def test_a_unit_bound_role_reads_names_of_its_own_units_items_only(db_url: str, clock: VirtualClock) -> None:
    setup = load_setup("county_2023")
    ops = dict(setup.lifecycle.operations)
    ops["read_named_people"] = ["leading_group_office", "unit_principal"]
    setup = setup.model_copy(update={"lifecycle": setup.lifecycle.model_copy(update={"operations": ops})})
    with Engine(db_url, clock=clock) as engine:
        campaign = engine.start_campaign(setup, key="principal")
        mine = _closed(engine, campaign, "住建局的问题", HOUSING)
        theirs = _closed(engine, campaign, "商务局的问题", COMMERCE)
        for item in (mine, theirs):
            engine.record_outcome(item.id, Actors.office, accountability=_people())
        principal = Actor("住建局局长", "unit_principal", HOUSING)
        views = {v.item_id: v for v in engine.outcomes(campaign.key, principal)}
        assert views[mine.id].named and not views[theirs.id].named
        assert views[theirs.id].accountability[0].person == ""


# ------------------------------------------------------------------------- typical cases


def test_publish_case_needs_a_marked_case(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    item = _closed(engine, campaign)
    with pytest.raises(GuardFailedError) as err:
        engine.publish_case(item.id, Actors.office, where="县纪委监委网站", on=TODAY)
    assert "未标记为典型案例" in str(err.value)
    engine.mark_case(item.id, Actors.office, note="审批超时, 以案示警")
    with pytest.raises(PermissionDeniedError):
        engine.publish_case(item.id, Actors.unit(), where="县纪委监委网站", on=TODAY)
    with pytest.raises(InvalidInputError, match="晚于今天"):
        engine.publish_case(item.id, Actors.office, where="县纪委监委网站", on=TODAY + dt.timedelta(days=1))
    with pytest.raises(InvalidInputError, match="where"):
        engine.publish_case(item.id, Actors.office, where=" ", on=TODAY)
    assert engine.five_outcomes(campaign.key).totals[1].count == 0  # marked, not yet published
    published = engine.publish_case(item.id, Actors.office, where="县纪委监委网站", on=TODAY)
    assert (published.case_published_at, published.case_published_where) == (TODAY, "县纪委监委网站")
    assert engine.item(item.id).case_published_at == TODAY
    assert engine.events(item.id)[-1].data == {"where": "县纪委监委网站", "on": "2023-07-03"}
    clock.advance(dt.timedelta(days=2))
    again = engine.publish_case(item.id, Actors.office, where="XXXX公众号", on="2023-07-05")  # type: ignore[arg-type]
    assert again.case_published_where == "XXXX公众号" and again.version == published.version + 1
    assert engine.five_outcomes(campaign.key).totals[1].count == 1


# ------------------------------------------------------------------------------ mechanisms


def test_mechanism_register_lifecycle_and_permissions(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    item = _closed(engine, campaign)
    bureau = Actors.unit()
    mech = engine.register_mechanism(
        campaign.key,
        bureau,
        unit=HOUSING,
        title="施工许可限时办结制度",
        kind="rule",
        status="drafting",
        date=TODAY,
        items=[item.id, item.id],
        track="construction",
        note="征求意见中",
    )
    assert (mech.unit_name, mech.kind_label, mech.status_label, mech.items, mech.track) == (
        "县住建局",
        "制度",
        "起草中",
        (item.id,),
        "construction",
    )
    with pytest.raises(PermissionDeniedError, match="只能办理本单位"):  # another unit's register
        engine.register_mechanism(
            campaign.key,
            bureau,
            unit=COMMERCE,
            title="别人的制度",
            kind="rule",
            status="established",
            date=TODAY,
        )
    with pytest.raises(PermissionDeniedError):
        engine.register_mechanism(
            campaign.key,
            PUBLICITY,
            unit=HOUSING,
            title="宣传的制度",
            kind="rule",
            status="established",
            date=TODAY,
        )
    office = engine.register_mechanism(
        campaign.key,
        Actors.office,
        unit=COMMERCE,
        title="惠企政策兑现工作规程",
        kind="procedure",
        status="established",
        date=TODAY,
    )
    refusals: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"kind": "law"}, InvalidInputError, "未知取值 'law'"),
        ({"status": "planned"}, InvalidInputError, "未知取值 'planned'"),
        ({"date": TODAY + dt.timedelta(days=1)}, InvalidInputError, "晚于今天"),
        ({"items": [999]}, ItemNotFound, "999"),
        ({"track": "nowhere"}, TrackNotFound, "nowhere"),
        ({"unit": "nowhere"}, UnitNotFound, "nowhere"),
        ({"title": ""}, InvalidInputError, "title"),
    ]
    for change, error, fragment in refusals:
        args: dict[str, Any] = {
            "unit": HOUSING,
            "title": "制度",
            "kind": "rule",
            "status": "established",
            "date": TODAY,
            **change,
        }
        with pytest.raises(error, match=fragment):
            engine.register_mechanism(campaign.key, bureau, **args)
    clock.advance(dt.timedelta(days=7))
    established = engine.update_mechanism(mech.id, bureau, status="established", date=today_plus(7))
    assert (established.status, established.date, established.note) == (
        "established",
        today_plus(7),
        "征求意见中",
    )
    with pytest.raises(InvalidInputError, match="早于上次状态日期"):
        engine.update_mechanism(mech.id, bureau, status="amended", date=TODAY)
    with pytest.raises(PermissionDeniedError):
        engine.update_mechanism(office.id, bureau, status="repealed", date=today_plus(7))
    with pytest.raises(MechanismNotFound):
        engine.update_mechanism(999, bureau, status="repealed", date=today_plus(7))
    engine.update_mechanism(
        office.id, Actors.office, status="repealed", date=today_plus(7), note="并入新规程"
    )
    assert [m.id for m in engine.mechanisms(campaign.key, unit=HOUSING)] == [mech.id]
    assert [m.id for m in engine.mechanisms(campaign.key, track="construction")] == [mech.id]
    assert [m.status for m in engine.mechanisms(campaign.key)] == ["established", "repealed"]
    events = [e for e in engine.events(campaign=campaign.key) if e.data.get("mechanism") is not None]
    assert [(e.trigger, e.data["mechanism"]) for e in events] == [
        ("register_mechanism", mech.id),
        ("register_mechanism", office.id),
        ("update_mechanism", mech.id),
        ("update_mechanism", office.id),
    ]
    assert events[2].data == {
        "mechanism": mech.id,
        "from_status": "drafting",
        "status": "established",
        "date": today_plus(7).isoformat(),
    }
    # Established and revised count; drafting and abolished do not.
    assert engine.five_outcomes(campaign.key).totals[4].count == 1


# ------------------------------------------------------------------------------- practices


def test_practices_are_submitted_by_units_and_selected_by_publicity(
    engine: Engine, campaign: CampaignView
) -> None:
    bureau = Actors.unit()
    first = engine.submit_practice(
        campaign.key, bureau, title="拿地即开工", summary="带方案出让, 拿地即发证", track="construction"
    )
    second = engine.submit_practice(
        campaign.key, Actors.unit(COMMERCE), title="惠企政策免申即享", summary="数据比对, 自动兑现"
    )
    assert (first.unit, first.unit_name, first.selected, first.track) == (
        HOUSING,
        "县住建局",
        False,
        "construction",
    )
    for actor in (Actors.office, PUBLICITY):
        with pytest.raises(PermissionDeniedError):
            engine.submit_practice(campaign.key, actor, title="做法", summary="内容")
    with pytest.raises(InvalidInputError, match="summary"):
        engine.submit_practice(campaign.key, bureau, title="做法", summary="")
    for actor in (bureau, Actors.office):
        with pytest.raises(PermissionDeniedError):
            engine.select_practice(first.id, actor, selected=True)
    with pytest.raises(PracticeNotFound):
        engine.select_practice(999, PUBLICITY, selected=True)
    chosen = engine.select_practice(first.id, PUBLICITY, selected=True)
    assert chosen.selected and chosen.selected_by == PUBLICITY.name and chosen.selected_at is not None
    assert [p.id for p in engine.practices(campaign.key, selected=True)] == [first.id]
    assert [p.id for p in engine.practices(campaign.key, selected=False)] == [second.id]
    assert [p.id for p in engine.practices(campaign.key, unit=COMMERCE)] == [second.id]
    taken_out = engine.select_practice(first.id, PUBLICITY, selected=False)
    assert not taken_out.selected and taken_out.selected_by is None
    assert engine.practices(campaign.key, selected=True) == []
    triggers = [e.trigger for e in engine.events(campaign=campaign.key) if e.data.get("practice") is not None]
    assert triggers == ["submit_practice", "submit_practice", "select_practice", "select_practice"]


# ------------------------------------------------------------------------------- dashboard


def _counted(
    engine: Engine, campaign: str, *, unit: str | None = None, track: str | None = None
) -> dict[str, int]:
    """The five outcomes counted from the views, the slow and obvious way."""
    final = {s.id for s in engine.lifecycle(campaign).states if s.final}
    items = [
        i
        for i in engine.items(campaign)
        if (unit is None or i.unit == unit) and (track is None or i.track == track)
    ]
    mechanisms = [m for m in engine.mechanisms(campaign, unit=unit, track=track)]
    return {
        "problems_found": len(items),
        "cases_published": sum(i.case_note is not None and i.case_published_at is not None for i in items),
        # 警示教育一批党员干部: the cadres who attended the 警示教育 sessions (no longer people named in 问责).
        "people_educated": sum(e.attendees for e in engine.educations(campaign, unit=unit, track=track)),
        "problems_solved": sum(i.state in final and i.closed_at is not None for i in items),
        "mechanisms_established": sum(m.status in ("established", "amended") for m in mechanisms),
    }


def _check(engine: Engine, five: FiveOutcomes) -> None:
    key = five.campaign.key
    assert {t.key: t.count for t in five.totals} == _counted(engine, key, unit=five.unit, track=five.track)
    for track, _, tallies in five.by_track:
        assert {t.key: t.count for t in tallies} == _counted(engine, key, unit=five.unit, track=track)
    for unit, _, tallies in five.by_unit:
        assert {t.key: t.count for t in tallies} == _counted(engine, key, unit=unit, track=five.track)
    if five.trend:
        assert five.trend[-1][1] == tuple(t.count for t in five.totals)
        assert all(
            a <= b
            for (_, x), (_, y) in zip(five.trend, five.trend[1:], strict=False)
            for a, b in zip(x, y, strict=True)
        )
        assert five.trend[-1][0] <= five.today < five.trend[-1][0] + dt.timedelta(days=7)


def test_five_outcomes_count_the_records_against_targets(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    empty = engine.five_outcomes(campaign.key)
    assert [(t.key, t.count, t.target) for t in empty.totals] == [
        ("problems_found", 0, 300),
        ("cases_published", 0, 10),
        ("people_educated", 0, 60),
        ("problems_solved", 0, 250),
        ("mechanisms_established", 0, 40),
    ]
    assert [t.label for t in empty.totals] == [
        "排查发现问题线索",
        "通报曝光典型案例",
        "警示教育党员干部",
        "解决难点堵点",
        "健全长效机制",
    ]
    assert empty.trend == () and empty.by_unit == () and empty.totals[0].rate == 0.0
    item = _closed(engine, campaign)
    _report(engine, campaign, "政务窗口推诿", track="government_services")
    clock.advance(dt.timedelta(days=7))
    engine.mark_case(item.id, Actors.office, note="以案示警")
    engine.publish_case(item.id, Actors.office, where="县纪委监委网站", on=today_plus(7))
    engine.record_outcome(item.id, Actors.office, accountability=_people())
    # 警示教育一批党员干部: the register's attendees (issue 16), with the case as its material.
    engine.record_education(
        campaign.key,
        Actors.unit(),
        unit=HOUSING,
        held_on=today_plus(7),
        title="以案促改警示教育",
        attendees=2,
        case_items=[item.id],
        track="construction",
    )
    engine.register_mechanism(
        campaign.key,
        Actors.unit(),
        unit=HOUSING,
        title="限时办结制度",
        kind="rule",
        status="amended",
        date=today_plus(7),
        track="construction",
        items=[item.id],
    )
    five = engine.five_outcomes(campaign.key)
    assert [t.count for t in five.totals] == [2, 1, 2, 1, 1]
    assert five.trend == ((TODAY, (2, 0, 0, 1, 0)), (today_plus(7), (2, 1, 2, 1, 1)))
    tracks = {key: tallies for key, _, tallies in five.by_track}
    assert [key for key, _, _ in five.by_track] == [k for k, _ in engine.tracks(campaign.key)]
    assert [(t.count, t.target) for t in tracks["construction"]] == [
        (1, 50),
        (1, None),
        (2, None),
        (1, 40),
        (1, None),
    ]
    assert next((t.count, t.target) for t in tracks["government_services"]) == (1, 60)
    assert [key for key, _, _ in five.by_unit] == [HOUSING]  # the unassigned item has no unit
    one_track = engine.five_outcomes(campaign.key, track="construction")
    assert next((t.count, t.target) for t in one_track.totals) == (1, 50)
    assert [k for k, _, _ in one_track.by_track] == ["construction"]
    one_unit = engine.five_outcomes(campaign.key, unit=HOUSING)
    assert [(t.count, t.target) for t in one_unit.totals] == [
        (1, None),
        (1, None),
        (2, None),
        (1, None),
        (1, None),
    ]
    assert all(t.target is None for _, _, tallies in one_unit.by_track for t in tallies)
    assert abs((five.totals[2].rate or 0) - 2 / 60) < 1e-9
    for view in (five, one_track, one_unit):
        _check(engine, view)
    with pytest.raises(TrackNotFound):
        engine.five_outcomes(campaign.key, track="nowhere")
    with pytest.raises(UnitNotFound):
        engine.five_outcomes(campaign.key, unit="nowhere")


def test_a_definition_without_outcomes_has_no_targets_and_no_vocabulary(
    db_url: str, clock: VirtualClock
) -> None:
    setup = load_setup("county_2023")
    ops = {k: v for k, v in setup.lifecycle.operations.items() if k != "register_mechanism"}
    setup = setup.model_copy(
        update={"outcomes": None, "lifecycle": setup.lifecycle.model_copy(update={"operations": ops})}
    )
    with Engine(db_url, clock=clock) as engine:
        campaign = engine.start_campaign(setup, key="bare")
        item = _closed(engine, campaign)
        with pytest.raises(InvalidInputError, match="未定义问责处理方式"):
            engine.record_outcome(item.id, Actors.office, accountability=[("张某", None, "criticism")])
        assert engine.record_outcome(item.id, Actors.office, root_cause="原因").people == 0
        with pytest.raises(PermissionDeniedError):
            engine.register_mechanism(
                campaign.key,
                Actors.office,
                unit=HOUSING,
                title="制度",
                kind="rule",
                status="established",
                date=TODAY,
            )
        assert all(t.target is None for t in engine.five_outcomes(campaign.key).totals)


def test_the_hotline_uses_its_own_vocabulary_and_targets(db_url: str) -> None:
    clock = VirtualClock(dt.datetime(2024, 3, 4, 1, 0, tzinfo=dt.UTC))
    center = Actor("热线员", "hotline_center", "complaint_center")
    inspector = Actor("督查员", "inspector", "government_inspection_office")
    with Engine(db_url, clock=clock) as engine:
        campaign = engine.start_campaign(load_setup("hotline_2024"), key="hotline")
        item = engine.report(
            campaign.key,
            center,
            title="报装三个月未通水",
            description="企业反映报装迟迟不通水",
            track="utilities",
            channel="hotline",
        )
        engine.fire(item.id, "reject", center, reason="不属于受理范围")
        with pytest.raises(
            InvalidInputError, match="reminder_talk"
        ):  # the county's 诫勉 is not the hotline's
            engine.record_outcome(item.id, inspector, accountability=[("张某", None, "admonishment")])
        with pytest.raises(PermissionDeniedError):
            engine.record_outcome(item.id, center, root_cause="原因")
        view = engine.record_outcome(
            item.id, inspector, accountability=[("钱某", "营业厅主任", "performance_deduction")]
        )
        assert view.accountability[0].outcome_label == "扣减绩效考核分" and view.named
        assert not engine.outcome(item.id, center).named  # type: ignore[union-attr]
        mech = engine.register_mechanism(
            campaign.key,
            Actor("王经理", "responsible", "water_company"),
            unit="water_company",
            title="报装限时办结承诺",
            kind="service_standard",
            status="established",
            date=dt.date(2024, 3, 4),
            track="utilities",
        )
        assert mech.kind_label == "服务标准"
        five = engine.five_outcomes(campaign.key)
        assert [t.target for t in five.totals] == [1200, 6, 20, 1100, 12]
        assert [t.target for t in {k: v for k, _, v in five.by_track}["utilities"]] == [
            None,
            None,
            None,
            300,
            None,
        ]
        # 警示教育 counts the register's attendees (issue 16), not the person held accountable.
        assert [t.count for t in five.totals] == [1, 0, 0, 0, 1]


# ---------------------------------------------------------------------- generated histories

STEPS = ["close", "dismiss", "case", "publish", "outcome", "mechanism", "revise", "days", "practice"]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    plan=st.lists(
        st.tuples(
            st.sampled_from(["construction", "government_services", "legacy_commitments"]),
            st.sampled_from([HOUSING, COMMERCE]),
            st.lists(st.sampled_from(STEPS), max_size=6),
            st.lists(
                st.tuples(
                    st.sampled_from(NAMES),
                    st.sampled_from(["talk_reminder", "criticism", "admonishment", "discipline"]),
                ),
                max_size=3,
            ),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_five_outcomes_equal_the_records_over_generated_histories(
    plan: list[tuple[str, str, list[str], list[tuple[str, str]]]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    clock = VirtualClock(dt.datetime(2023, 7, 3, 1, 0, tzinfo=dt.UTC))
    with Engine(tmp_path_factory.mktemp("five") / "z.db", clock=clock) as engine:
        campaign = engine.start_campaign(load_setup("county_2023"), key="gen")
        mechanisms: list[int] = []
        for n, (track, unit, steps, people) in enumerate(plan):
            item = _report(engine, campaign, f"第{n}号问题", track=track)
            for step in steps:
                view = engine.item(item.id)
                today = clock.now().astimezone(dt.timezone(dt.timedelta(hours=8))).date()
                finished = view.state in ("closed", "dismissed")
                if step == "days":
                    clock.advance(dt.timedelta(days=4))
                elif step == "close" and view.state == "identified":
                    _close(
                        engine, item.id, unit, next_workday(WorkingCalendar(), today + dt.timedelta(days=10))
                    )
                elif step == "dismiss" and view.state == "identified":
                    engine.dismiss(item.id, Actors.office, reason="经核实不属实")
                elif step == "case":
                    engine.mark_case(item.id, Actors.office, note="典型")
                elif step == "publish" and view.case_note is not None:
                    engine.publish_case(item.id, Actors.office, where="县纪委监委网站", on=today)
                elif step == "outcome" and finished:
                    engine.record_outcome(
                        item.id,
                        Actors.office,
                        root_cause="原因",
                        accountability=[(p, None, o) for p, o in people],
                        mechanisms=mechanisms[-1:],
                    )
                    if people:  # the case used in a 警示教育 session of the unit's cadres
                        engine.record_education(
                            campaign.key,
                            Actors.office,
                            unit=unit,
                            held_on=today,
                            title="以案促改",
                            attendees=len(people),
                            case_items=[item.id],
                            track=track,
                        )
                elif step == "mechanism":
                    mechanisms.append(
                        engine.register_mechanism(
                            campaign.key,
                            Actors.unit(unit),
                            unit=unit,
                            title=f"第{n}号制度",
                            kind="rule",
                            status="drafting" if len(mechanisms) % 2 else "established",
                            date=today,
                            track=track,
                            items=[item.id],
                        ).id
                    )
                elif step == "revise" and mechanisms:
                    engine.update_mechanism(mechanisms[-1], Actors.office, status="amended", date=today)
                elif step == "practice":
                    engine.submit_practice(
                        campaign.key, Actors.unit(unit), title=f"第{n}号做法", summary="做法"
                    )
        five = engine.five_outcomes(campaign.key)
        _check(engine, five)
        for unit in (HOUSING, COMMERCE):
            _check(engine, engine.five_outcomes(campaign.key, unit=unit))
        _check(engine, engine.five_outcomes(campaign.key, track="construction"))
        assert sum(e.attendees for e in engine.educations(campaign.key)) == five.totals[2].count
        assert five.education_sessions == len(engine.educations(campaign.key))
        assert engine.verify_audit(campaign.key).ok


# ----------------------------------------------------------------------------- definitions


def test_outcome_operations_without_a_vocabulary_are_warned(tmp_path: Path) -> None:
    path, text = _copy(
        tmp_path,
        "hotline_2024",
        [
            (
                "    - {id: service_standard, label: 服务标准}\n    - {id: handling_rule, label: 办理规范}\n",
                "",
            ),
            ("  mechanism_kinds:\n", "  mechanism_kinds: []\n"),
        ],
    )
    warnings = check_definition(path).warnings
    prefix = f"{path}:{_line_of(text, 'mechanism_kinds: []')}: outcomes.mechanism_kinds: "
    assert any(w.startswith(prefix) and "未定义长效机制类别" in w for w in warnings), warnings


def test_shipped_definitions_use_different_outcome_vocabularies() -> None:
    county, hotline = load_setup("county_2023"), load_setup("hotline_2024")
    assert county.outcomes is not None and hotline.outcomes is not None
    assert [a.label for a in county.outcomes.accountability] == [
        "谈话提醒",
        "批评教育",
        "责令检查",
        "诫勉",
        "组织处理",
        "党纪政务处分",
        "移送司法机关",
    ]
    assert not {a.id for a in county.outcomes.accountability} & {
        a.id for a in hotline.outcomes.accountability
    }
    assert county.outcomes.targets.problems_found == 300 and hotline.outcomes.targets.problems_found == 1200
    for setup in (county, hotline):
        ops = setup.lifecycle.operations
        assert all(
            ops.get(op)
            for op in (
                "record_outcome",
                "read_named_people",
                "publish_case",
                "register_mechanism",
                "submit_practice",
                "select_practice",
            )
        )
    assert county.lifecycle.operations["select_practice"] == ["publicity"]


# ------------------------------------------------------------------------------------- CLI

OFFICE = ["--actor", "王主任", "--role", "leading_group_office", "--as-unit", "discipline_commission"]
BUREAU = ["--actor", "李科长", "--role", "responsible", "--as-unit", HOUSING]
PRESS = ["--actor", "孙部长", "--role", "publicity"]


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[..., tuple[int, str, str]]:
    for name in ("ZHENGGAI_DB", "ZHENGGAI_ACTOR", "ZHENGGAI_ROLE", "ZHENGGAI_UNIT"):
        monkeypatch.delenv(name, raising=False)
    db = str(tmp_path / "zhenggai.db")

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--db", db, *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    from .test_cli import dated_now

    assert run("init", *dated_now())[0] == 0  # the built-in plan (weekend calendar) from today
    return run


def test_cli_records_outcomes_mechanisms_practices_and_prints_the_dashboard(
    cli: Callable[..., tuple[int, str, str]],
) -> None:
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    assert (
        cli(
            "item",
            "add",
            "--title",
            "施工许可审批超时",
            "--description",
            "超过承诺时限",
            "--track",
            "construction",
            "--channel",
            "hotline",
            *OFFICE,
        )[0]
        == 0
    )
    code, _, err = cli("item", "outcome", "1", "--root-cause", "环节多", *OFFICE)
    assert code == 1 and err.startswith("错误: ") and "问题已办结" in err
    assert cli("item", "fire", "1", "dismiss", "--reason", "经核实已整改", *OFFICE)[0] == 0
    code, out, _ = cli(
        "mechanism",
        "add",
        "--unit",
        HOUSING,
        "--title",
        "施工许可限时办结制度",
        "--kind",
        "制度",
        "--status",
        "已建立",
        "--date",
        today,
        "--item",
        "1",
        "--track",
        "construction",
        *BUREAU,
    )
    assert code == 0 and "已登记长效机制 1: 施工许可限时办结制度 (县住建局; 制度; 已建立" in out
    code, out, _ = cli(
        "item",
        "outcome",
        "1",
        "--root-cause",
        "审批环节过多",
        "--accountability",
        f"{NAMES[0]}|审批科科长|诫勉",
        "--accountability",
        f"{NAMES[1]}||criticism",
        "--mechanism",
        "1",
        *OFFICE,
    )
    assert (
        code == 0
        and f"{NAMES[0]} (审批科科长): 诫勉" in out
        and "共 2 人" in out
        and "1 施工许可限时办结制度" in out
    )
    code, out, _ = cli("item", "outcome", "1", *BUREAU)
    assert code == 0 and "不显示姓名" in out and not any(name in out for name in NAMES) and "诫勉" in out
    code, out, _ = cli("item", "outcome", "1", "--json", *BUREAU)
    assert json.loads(out)["named"] is False and json.loads(out)["people"] == 2
    code, _, err = cli("item", "outcome", "1", "--accountability", "张某|科长", *OFFICE)
    assert code == 1 and "姓名|职务|处理方式" in err
    code, _, err = cli("item", "publish", "1", "--where", "县纪委监委网站", "--on", today, *OFFICE)
    assert code == 1 and "未标记为典型案例" in err
    assert cli("item", "case", "1", "--note", "以案示警", *OFFICE)[0] == 0
    code, out, _ = cli("item", "publish", "1", "--where", "县纪委监委网站", "--on", today, *OFFICE)
    assert code == 0 and "在 县纪委监委网站 通报曝光" in out
    code, out, _ = cli("mechanism", "update", "1", "--status", "amended", "--date", today, *BUREAU)
    assert code == 0 and "已修订" in out
    code, out, _ = cli("mechanism", "list")
    assert code == 0 and "施工许可限时办结制度" in out and "已修订" in out and "工程领域专项整治" in out
    assert json.loads(cli("mechanism", "list", "--unit", COMMERCE, "--json")[1]) == []
    code, out, _ = cli("practice", "add", "--title", "拿地即开工", "--summary", "带方案出让", *BUREAU)
    assert code == 0 and "已报送典型做法 1: 拿地即开工 (县住建局)" in out
    code, _, err = cli("practice", "select", "1", *BUREAU)
    assert code == 1 and "无权操作" in err
    assert "已入选晒成效" in cli("practice", "select", "1", *PRESS)[1]
    assert "已入选" in cli("practice", "list", "--selected")[1]
    assert cli("practice", "list", "--not-selected")[1].strip() == "没有典型做法。"
    assert "已撤下" in cli("practice", "select", "1", "--undo", *PRESS)[1]
    code, out, _ = cli("outcomes")
    assert code == 0 and "五个一批" in out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.split()}
    assert rows["排查发现问题线索"] == ["1", "300", "0%"]
    assert rows["通报曝光典型案例"] == ["1", "10", "10%"]
    assert rows["警示教育党员干部"] == ["0", "60", "0%"]  # people held accountable are not 警示教育
    assert rows["解决难点堵点"] == ["0", "250", "0%"]
    assert rows["健全长效机制"] == ["1", "40", "2%"]
    assert "分专项" in out and "1/50" in out and "分单位" in out and not any(name in out for name in NAMES)
    data = json.loads(cli("outcomes", "--track", "construction", "--json")[1])
    assert next((t["key"], t["count"], t["target"]) for t in data["totals"]) == ("problems_found", 1, 50)
    code, _, err = cli("outcomes", "--unit", "nowhere")
    assert code == 1 and "未知单位「nowhere」" in err
    code, out, _ = cli("item", "show", "1")
    assert code == 0 and "记录办理结果" in out and not any(name in out for name in NAMES)
