"""Report queries, 典型案例 marking, all-or-nothing import and 关联研判 in the engine, on SQLite
and PostgreSQL; the figures checked against a count of the items themselves, also over
generated histories (hypothesis)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zhenggai.engine import (
    CampaignView,
    DuplicateNotFound,
    Engine,
    GuardFailedError,
    ImportRejected,
    InvalidInputError,
    ItemView,
    NewItem,
    PermissionDeniedError,
    ProgressReport,
    Reporter,
    TrackNotFound,
    UnitNotFound,
    VirtualClock,
)
from zhenggai.engine.calendar import WorkingCalendar
from zhenggai.engine.deadlines import next_workday
from zhenggai.workflows import load_setup

from tests.conftest import Actors, due_in

pytestmark = pytest.mark.storage

HOUSING = "housing_construction_bureau"
COMMERCE = "commerce_bureau"


def _report(
    engine: Engine,
    campaign: CampaignView,
    title: str,
    *,
    track: str = "construction",
    description: str | None = None,
) -> ItemView:
    return engine.report(
        campaign.key,
        Actors.office,
        title=title,
        description=description or f"{title}的详细情况",
        track=track,
        channel="hotline",
    )


def _close(engine: Engine, item_id: int, unit: str) -> ItemView:
    bureau = Actors.unit(unit)
    measure = engine.add_measure(item_id, bureau, text="立行立改")
    engine.start_rectification(item_id, bureau)
    engine.complete_measure(measure.id, bureau)
    engine.submit_for_verification(item_id, bureau)
    engine.verify(item_id, Actors.office)
    return engine.close(item_id, Actors.office)


def _expected(engine: Engine, campaign: str, today: dt.date) -> dict[str, object]:
    """The figures counted from the items one by one, the slow and obvious way."""
    lifecycle = engine.lifecycle(campaign)
    final = {s.id for s in lifecycle.states if s.final}
    items = engine.items(campaign)
    clocked = {"assigned", "rectifying"}  # the built-in plan's item ladder states
    overdue = [
        i for i in items if i.state in clocked and i.due is not None and i.due < today and i.paused_at is None
    ]
    return {
        "total": len(items),
        "open": sum(i.state not in final for i in items),
        "overdue": len(overdue),
        "states": Counter(i.state for i in items),
        "tracks": Counter(i.track for i in items),
        "lights": Counter(i.light for i in items if i.state not in final),
        "units": Counter(i.unit for i in items if i.unit is not None),
        "overdue_units": Counter(i.unit for i in overdue),
        "reopened": Counter(i.unit for i in items if i.unit is not None and i.reopen_count > 0),
    }


def _check_against_items(engine: Engine, report: ProgressReport) -> None:
    want = _expected(engine, report.campaign.key, report.today)
    assert report.total == want["total"]
    assert report.open == want["open"] and report.closed == report.total - report.open
    assert report.overdue == want["overdue"]
    assert {t.key: t.count for t in report.by_state if t.count} == dict(want["states"])  # type: ignore[call-overload]
    assert {t.key: t.count for t in report.by_track if t.count} == dict(want["tracks"])  # type: ignore[call-overload]
    assert {t.key: t.count for t in report.by_light if t.count} == dict(want["lights"])  # type: ignore[call-overload]
    assert {u.unit: u.total for u in report.by_unit} == dict(want["units"])  # type: ignore[call-overload]
    assert {u.unit: u.overdue for u in report.by_unit if u.overdue} == dict(want["overdue_units"])  # type: ignore[call-overload]
    assert {u.unit: u.reopened for u in report.by_unit if u.reopened} == dict(want["reopened"])  # type: ignore[call-overload]
    for u in report.by_unit:
        assert u.open + u.closed == u.total and u.closed_on_time + u.closed_late <= u.closed
    if report.trend:
        assert sum(p.reported for p in report.trend) == report.total
        assert report.trend[-1].open == report.open
        assert (
            report.trend[-1].week_start <= report.today < report.trend[-1].week_start + dt.timedelta(days=7)
        )


def test_progress_counts_states_deadlines_and_weeks(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    on_time = _report(engine, campaign, "施工许可审批超时")
    engine.assign(on_time.id, Actors.office, unit=HOUSING, due=due_in(10))
    late = _report(engine, campaign, "招商引资奖励不兑现", track="legacy_commitments")
    engine.assign(late.id, Actors.office, unit=COMMERCE, due=due_in(3))
    overdue = _report(engine, campaign, "物业维修基金拖延拨付")
    engine.assign(overdue.id, Actors.office, unit=HOUSING, due=due_in(4))
    waiting = _report(engine, campaign, "窗口一次性告知未落实", track="government_services")
    _close(engine, on_time.id, HOUSING)  # 销号 on 07-03, due 07-13
    clock.advance(dt.timedelta(days=8))  # Tuesday 07-11
    _close(engine, late.id, COMMERCE)  # 销号 07-11, due 07-06

    report = engine.progress(campaign.key)
    assert report.today == dt.date(2023, 7, 11)
    assert (report.total, report.open, report.closed, report.overdue) == (4, 2, 2, 1)
    assert {t.key: t.count for t in report.by_track if t.count} == {
        "construction": 2,
        "legacy_commitments": 1,
        "government_services": 1,
    }
    assert [t.key for t in report.by_track] == [t for t, _ in engine.tracks(campaign.key)]
    units = {u.unit: u for u in report.by_unit}
    assert [u.unit for u in report.by_unit] == [k for k, _ in engine.units(campaign.key) if k in units]
    assert (
        units[HOUSING].total,
        units[HOUSING].closed,
        units[HOUSING].closed_on_time,
        units[HOUSING].overdue,
    ) == (2, 1, 1, 1)
    assert (units[COMMERCE].closed_on_time, units[COMMERCE].closed_late) == (0, 1)
    assert sum(u.total for u in report.by_unit) == 3  # the unassigned item is in no unit's figure
    assert waiting.unit is None
    assert [(p.week_start, p.reported, p.closed, p.open) for p in report.trend] == [
        (dt.date(2023, 7, 3), 4, 1, 3),
        (dt.date(2023, 7, 10), 0, 1, 2),
    ]
    _check_against_items(engine, report)

    housing = engine.progress(campaign.key, unit=HOUSING)
    assert (housing.total, housing.unit, [u.unit for u in housing.by_unit]) == (2, HOUSING, [HOUSING])
    construction = engine.progress(campaign.key, track="construction")
    assert construction.total == 2 and [t.key for t in construction.by_track] == ["construction"]
    with pytest.raises(UnitNotFound):
        engine.progress(campaign.key, unit="no_such_unit")
    with pytest.raises(TrackNotFound):
        engine.progress(campaign.key, track="no_such_track")

    ranking = engine.ranking(campaign.key)
    # 住建局: 1 on time of 2 tested (1 overdue) = 50%; 商务局: 0 of 1.
    assert [(r.rank, r.unit, r.on_time_rate) for r in ranking] == [(1, HOUSING, 0.5), (2, COMMERCE, 0.0)]


def test_ranking_puts_units_with_nothing_due_yet_last(engine: Engine, campaign: CampaignView) -> None:
    a = _report(engine, campaign, "审批材料重复提交")
    engine.assign(a.id, Actors.office, unit=COMMERCE, due=due_in(20))
    b = _report(engine, campaign, "工程款拖欠")
    engine.assign(b.id, Actors.office, unit=HOUSING, due=due_in(20))
    _close(engine, b.id, HOUSING)
    ranking = engine.ranking(campaign.key)
    assert [(r.unit, r.on_time_rate) for r in ranking] == [(HOUSING, 1.0), (COMMERCE, None)]


def test_mark_case_is_the_offices_audited_and_listed(engine: Engine, campaign: CampaignView) -> None:
    item = _report(engine, campaign, "违规收取保证金")
    engine.assign(item.id, Actors.office, unit=HOUSING, due=due_in(10))
    with pytest.raises(PermissionDeniedError):
        engine.mark_case(item.id, Actors.unit(HOUSING), note="自己标记")
    with pytest.raises(InvalidInputError):
        engine.mark_case(item.id, Actors.office, note="  ")
    assert engine.cases(campaign.key) == []
    marked = engine.mark_case(item.id, Actors.office, note="以案为鉴: 违规收取保证金")
    assert marked.case_note == "以案为鉴: 违规收取保证金" and marked.case_marked_at is not None
    assert marked.version == item.version + 2  # assign, then the marking
    assert [c.id for c in engine.cases(campaign.key)] == [item.id]
    assert engine.cases(campaign.key, unit=COMMERCE) == []
    assert engine.cases(campaign.key, track="legacy_commitments") == []
    assert engine.events(item.id)[-1].trigger == "mark_case"
    assert engine.verify_audit(campaign.key).ok


def test_import_refuses_every_bad_entry_and_writes_nothing(engine: Engine, campaign: CampaignView) -> None:
    before = (len(engine.items(campaign.key)), len(engine.events(campaign=campaign.key)))
    entries = [
        NewItem("审批超时", "某项目审批超时", "construction", "hotline", unit=HOUSING, due=due_in(5)),
        NewItem(" ", "描述", "no_track", "hotline"),
        NewItem(
            "标题",
            "描述",
            "construction",
            "no_channel",
            severity="huge",
            unit="nobody",
            due=dt.date(2023, 7, 2),
        ),
        NewItem("标题", "描述", "construction", "hotline", due=due_in(3)),
    ]
    with pytest.raises(ImportRejected) as caught:
        engine.import_items(campaign.key, Actors.office, entries)
    assert [(p.index, p.field) for p in caught.value.problems] == [
        (1, "title"),
        (1, "track"),
        (2, "channel"),
        (2, "severity"),
        (2, "unit"),
        (2, "due"),
        (3, "unit"),
    ]
    assert "未知单位 'nobody'" in [p.message for p in caught.value.problems]
    assert (len(engine.items(campaign.key)), len(engine.events(campaign=campaign.key))) == before
    with pytest.raises(ImportRejected):
        engine.import_items(campaign.key, Actors.office, [])
    with pytest.raises(PermissionDeniedError):
        engine.import_items(campaign.key, Actors.custodian, entries[:1])
    assert len(engine.items(campaign.key)) == before[0]


def test_import_reports_assigns_and_flags_duplicates_without_merging(
    engine: Engine, campaign: CampaignView
) -> None:
    existing = _report(
        engine, campaign, "施工许可审批超时", description="某楼盘施工许可审批超过承诺时限两个月"
    )
    engine.assign(existing.id, Actors.office, unit=HOUSING, due=due_in(10))
    result = engine.import_items(
        campaign.key,
        Actors.office,
        [
            NewItem(
                "施工许可审批超时问题",
                "某楼盘施工许可审批超过承诺时限两个月",
                "construction",
                "forum",
                unit=HOUSING,
                due=due_in(12),
                reporter=Reporter(name="举报人甲", phone="13800000000"),
            ),
            NewItem(
                "招商奖励政策未兑现",
                "承诺的奖励资金至今未拨付",
                "legacy_commitments",
                "hotline",
                unit=COMMERCE,
            ),
            NewItem("办事窗口态度生硬", "群众反映窗口人员态度生硬", "government_services", "hotline"),
        ],
    )
    first, second, third = result.items
    assert (first.state, first.unit, first.due, first.leading_official) == (
        "assigned",
        HOUSING,
        due_in(12),
        None,  # 领衔领导 only through lead_item (issue 16)
    )
    assert second.state == "assigned" and second.due is not None  # by the definition's rule
    assert third.state == "identified" and third.unit is None
    assert [(d.item_id, d.other_id) for d in result.duplicates] == [(first.id, existing.id)]
    assert result.duplicates[0].score >= 0.6 and result.duplicates[0].resolution is None
    assert engine.item(existing.id).state == "assigned"  # never merged by the engine
    assert engine.duplicates(campaign.key) == list(result.duplicates)
    report_event = engine.events(first.id)[0]
    assert report_event.data["possible_duplicates"] == [existing.id]
    assert "举报人甲" not in repr(result) and "13800000000" not in repr(engine.events(first.id))
    assert engine.verify_audit(campaign.key).ok


def test_reported_duplicates_are_judged_by_a_person(engine: Engine, campaign: CampaignView) -> None:
    a = _report(engine, campaign, "工程竣工验收推诿扯皮", description="多个部门相互推诿竣工验收")
    b = _report(engine, campaign, "竣工验收推诿扯皮", description="各部门相互推诿竣工验收")
    other_track = _report(
        engine,
        campaign,
        "工程竣工验收推诿扯皮",
        track="government_services",
        description="多个部门相互推诿竣工验收",
    )
    unlike = _report(engine, campaign, "征地补偿款未到位", description="村民反映补偿款拖欠")
    flags = engine.duplicates(campaign.key)
    assert [(f.item_id, f.other_id) for f in flags] == [(b.id, a.id)]  # same track only
    assert other_track.id not in {f.item_id for f in flags} and unlike.id not in {f.item_id for f in flags}
    with pytest.raises(PermissionDeniedError):
        engine.resolve_duplicate(flags[0].id, Actors.unit(HOUSING), merge=True)
    judged = engine.resolve_duplicate(flags[0].id, Actors.office, merge=True, note="同一问题")
    assert (judged.resolution, judged.resolved_by) == ("same", Actors.office.name)
    assert engine.item(b.id).state == "merged" and engine.item(b.id).merged_into == a.id
    assert (
        engine.duplicates(campaign.key) == [] and len(engine.duplicates(campaign.key, unresolved=False)) == 1
    )
    with pytest.raises(GuardFailedError):
        engine.resolve_duplicate(flags[0].id, Actors.office, merge=False)
    with pytest.raises(DuplicateNotFound):
        engine.resolve_duplicate(9999, Actors.office, merge=False)


def test_a_duplicate_of_a_finished_item_is_kept_distinct_not_merged(
    engine: Engine, campaign: CampaignView
) -> None:
    a = _report(engine, campaign, "停车场收费不规范")
    engine.assign(a.id, Actors.office, unit=HOUSING, due=due_in(10))
    _close(engine, a.id, HOUSING)
    b = _report(engine, campaign, "停车场收费不规范")
    (flag,) = engine.duplicates(campaign.key)
    with pytest.raises(GuardFailedError):  # the survivor must be open
        engine.resolve_duplicate(flag.id, Actors.office, merge=True)
    assert engine.duplicates(campaign.key) == [flag] and engine.item(b.id).state == "identified"
    distinct = engine.resolve_duplicate(flag.id, Actors.office, merge=False, note="回潮, 另行办理")
    assert distinct.resolution == "distinct" and engine.item(b.id).state == "identified"
    assert engine.events(b.id)[-1].trigger == "resolve_duplicate"


# --------------------------------------------------------------------- generated histories

TRACKS = ["construction", "legacy_commitments", "government_services"]
UNITS = [HOUSING, COMMERCE]
STEPS = ["assign", "start", "submit", "verify", "close", "days", "dismiss"]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    plan=st.lists(
        st.tuples(
            st.sampled_from(TRACKS),
            st.sampled_from(UNITS),
            st.integers(0, 12),
            st.lists(st.sampled_from(STEPS), max_size=8),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_progress_equals_the_items_over_generated_histories(
    plan: list[tuple[str, str, int, list[str]]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    clock = VirtualClock(dt.datetime(2023, 7, 3, 1, 0, tzinfo=dt.UTC))
    with Engine(tmp_path_factory.mktemp("gen") / "z.db", clock=clock) as engine:
        campaign = engine.start_campaign(load_setup("county_2023"), key="gen")
        for n, (track, unit, due_in, steps) in enumerate(plan):
            item = _report(engine, campaign, f"第{n}号问题 {track}", track=track)
            bureau = Actors.unit(unit)
            for step in steps:
                state = engine.item(item.id).state
                today = clock.now().astimezone(dt.timezone(dt.timedelta(hours=8))).date()
                if step == "days":
                    clock.advance(dt.timedelta(days=3))
                elif step == "assign" and state == "identified":
                    due = next_workday(WorkingCalendar(), today + dt.timedelta(days=due_in))
                    engine.assign(item.id, Actors.office, unit=unit, due=due)
                elif step == "start" and state == "assigned":
                    measure = engine.add_measure(item.id, bureau, text="立行立改")
                    engine.start_rectification(item.id, bureau)
                    engine.complete_measure(measure.id, bureau)
                elif step == "submit" and state == "rectifying":
                    engine.submit_for_verification(item.id, bureau)
                elif step == "verify" and state == "submitted":
                    engine.verify(item.id, Actors.office)
                elif step == "close" and state == "verified":
                    engine.close(item.id, Actors.office)
                elif step == "dismiss" and state == "identified":
                    engine.dismiss(item.id, Actors.office, reason="经核实不属实")
        engine.sweep()
        report = engine.progress(campaign.key)
        _check_against_items(engine, report)
        for track in TRACKS:
            assert (
                engine.progress(campaign.key, track=track).total
                == report.by_track[[t.key for t in report.by_track].index(track)].count
            )
        ranking = engine.ranking(campaign.key)
        assert sorted(r.unit for r in ranking) == sorted(u.unit for u in report.by_unit)
        rates = [r.on_time_rate for r in ranking]
        known = [r for r in rates if r is not None]
        assert known == sorted(known, reverse=True) and rates == known + [None] * (len(rates) - len(known))
