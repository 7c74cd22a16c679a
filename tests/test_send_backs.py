"""退单 (issue 17 point 2): the responsible unit sends an item back within the definition's limit
(working days from 交办), the clock stops until the office's 审定, which reassigns (改派) or
insists (nothing restarts); repeated send-backs of one item are flagged; counted per unit.
Every refusal changes nothing. The built-in definition's checks; a CLI round trip. SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zhenggai.engine import (
    Actor,
    CampaignView,
    Engine,
    GuardFailedError,
    InvalidInputError,
    NewContact,
    PermissionDeniedError,
    VirtualClock,
)
from zhenggai.engine.checks import check_setup
from zhenggai.engine.errors import SendBackNotFound
from zhenggai.testing import items_only
from zhenggai.workflows import load_setup, template_problems

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
HOUSING = "housing_construction_bureau"
NATURAL = "natural_resources_bureau"
CLERK = Actor("李科员", "responsible", HOUSING)
OTHER_CLERK = Actor("周科员", "responsible", NATURAL)


def at(day: str, hh: int = 9, mm: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hh, minute=mm, tzinfo=SHANGHAI)


@pytest.fixture
def campaign(engine: Engine, clock: VirtualClock) -> CampaignView:
    clock.set(at("2023-07-19"))
    view = engine.start_campaign(items_only(load_setup("county_2023")), key="test")
    for unit, name, role in (
        ("discipline_commission", "王主任", "leading_group_office"),
        (HOUSING, "李科员", "contact"),
        (NATURAL, "周科员", "contact"),
    ):
        entry = NewContact(unit=unit, name=name, role=role, email=f"p{abs(hash(name)) % 10**8}@x.gov.cn")
        engine.add_contact("test", OFFICE, entry)
    return view


def assigned_item(
    engine: Engine, clock: VirtualClock, day: str = "2023-07-20", due: str = "2023-08-31"
) -> int:
    """An item assigned to the housing bureau on ``day`` (a Thursday by default) at 09:00, due
    on ``due``."""
    clock.set(at(day))
    item = engine.report(
        "test",
        OFFICE,
        title="施工许可审批超时",
        description="审批超过承诺时限",
        track="construction",
        channel="hotline",
    ).id
    engine.assign(item, OFFICE, unit=HOUSING, due=due)
    return item


def contact_id(engine: Engine, name: str) -> int:
    (found,) = [c.id for c in engine.contacts("test") if c.name == name]
    return found


def snapshot(engine: Engine, item: int) -> tuple[object, ...]:
    view = engine.item(item)
    return (view.version, view.due, view.paused_at, len(engine.events(item)), len(engine.outbox("test")))


def test_unit_sends_back_and_the_clock_stops(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    item = assigned_item(engine, clock)
    clock.set(at("2023-07-24"))  # Monday: 2 working days after 交办
    sb = engine.send_back(item, CLERK, reason="not_our_duty", note="属自然资源局职责")
    assert (sb.state, sb.unit, sb.reason_label, sb.clock_stopped) == (
        "open",
        HOUSING,
        "不属于本单位职责",
        True,
    )
    assert not sb.flagged and sb.item_send_backs == 1
    view = engine.item(item)
    assert view.paused_at is not None and view.paused_days is not None and view.state == "assigned"
    (event,) = [e for e in engine.events(item) if e.trigger == "send_back_request"]
    assert event.data["send_back_id"] == sb.id and event.data["reason"] == "not_our_duty"
    assert event.data["limit"] == "2023-07-25" and event.unit == HOUSING
    (told,) = [m for m in engine.outbox("test") if m.kind == "send_back_requested"]
    assert told.payload["reason_label"] == "不属于本单位职责" and told.contact_id == contact_id(
        engine, "王主任"
    )
    assert engine.send_backs("test", open_only=True) == [sb]


def test_limit_is_counted_in_working_days(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    first = assigned_item(engine, clock)  # Thu 2023-07-20: Fri, Mon, Tue → the limit is Tue 07-25
    late = assigned_item(engine, clock)
    clock.set(at("2023-07-25", 17))
    assert engine.send_back(first, CLERK, reason="unclear").state == "open"
    clock.set(at("2023-07-26"))
    before = snapshot(engine, late)
    with pytest.raises(GuardFailedError, match="2023-07-25"):
        engine.send_back(late, CLERK, reason="not_our_duty")
    assert snapshot(engine, late) == before and len(engine.send_backs("test")) == 1


def test_limit_skips_a_holiday(engine: Engine, campaign: CampaignView, clock: VirtualClock) -> None:
    # 国庆 2023: 09-29 to 10-06 off, 10-07 and 10-08 working days. Assigned Thu 09-28:
    # 3 working days are 10-07, 10-08 and 10-09.
    clock.set(at("2023-09-28"))
    item = engine.report(
        "test", OFFICE, title="窗口服务差", description="态度生硬", track="construction", channel="hotline"
    ).id
    engine.assign(item, OFFICE, unit=HOUSING, due="2023-11-30")
    clock.set(at("2023-10-09"))
    assert engine.send_back(item, CLERK, reason="other", note="非本单位窗口").state == "open"


def test_refusals_change_nothing(engine: Engine, campaign: CampaignView, clock: VirtualClock) -> None:
    item = assigned_item(engine, clock)
    before = snapshot(engine, item)
    with pytest.raises(PermissionDeniedError, match="责任单位"):
        engine.send_back(item, OTHER_CLERK, reason="not_our_duty")
    with pytest.raises(PermissionDeniedError):
        engine.send_back(item, OFFICE, reason="not_our_duty")
    with pytest.raises(InvalidInputError, match="reason"):
        engine.send_back(item, CLERK, reason="lazy")
    engine.add_measure(item, CLERK, text="核查")
    engine.start_rectification(item, CLERK)
    before = snapshot(engine, item)
    with pytest.raises(GuardFailedError, match="开始整改前"):
        engine.send_back(item, CLERK, reason="not_our_duty")
    assert snapshot(engine, item) == before and engine.send_backs("test") == []


def test_insist_resumes_the_clock_and_restarts_nothing(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    item = assigned_item(engine, clock)
    clock.set(at("2023-07-21"))
    sb = engine.send_back(item, CLERK, reason="not_our_duty")
    left = engine.item(item).paused_days
    clock.set(at("2023-07-28"))  # a week waiting for the ruling does not count
    with pytest.raises(PermissionDeniedError):
        engine.rule_send_back(sb.id, CLERK, decision="insist")
    with pytest.raises(InvalidInputError, match="decision"):
        engine.rule_send_back(sb.id, OFFICE, decision="maybe")
    ruled = engine.rule_send_back(sb.id, OFFICE, decision="insist", note="属你单位职责")
    assert (ruled.state, ruled.state_label, ruled.to_unit) == ("insisted", "坚持原交办", None)
    view = engine.item(item)
    assert view.unit == HOUSING and view.paused_at is None and view.state == "assigned"
    assert view.due is not None and view.due > dt.date(2023, 8, 31) and left is not None
    (told,) = [m for m in engine.outbox("test") if m.kind == "send_back_ruled"]
    assert told.payload["decision"] == "insist" and told.contact_id == contact_id(engine, "李科员")
    assert told.payload["from_unit"] == HOUSING and told.payload["ruling_note"] == "属你单位职责"
    # nothing restarts: the unit cannot send the same 交办 back again
    with pytest.raises(GuardFailedError, match="不能再次退单"):
        engine.send_back(item, CLERK, reason="other")
    with pytest.raises(InvalidInputError, match="不能再次审定"):
        engine.rule_send_back(sb.id, OFFICE, decision="insist")
    with pytest.raises(SendBackNotFound):
        engine.rule_send_back(9999, OFFICE, decision="insist")


def test_reassign_fires_the_reassignment_and_flags_repeats(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    item = assigned_item(engine, clock)
    clock.set(at("2023-07-21"))
    first = engine.send_back(item, CLERK, reason="not_our_duty")
    with pytest.raises(GuardFailedError, match="待审定"):
        engine.send_back(item, CLERK, reason="other")
    with pytest.raises(InvalidInputError, match="新的责任单位"):
        engine.rule_send_back(first.id, OFFICE, decision="reassign")
    before = snapshot(engine, item)
    with pytest.raises(GuardFailedError):  # 改派 to the same unit: refused, the clock still stopped
        engine.rule_send_back(first.id, OFFICE, decision="reassign", unit=HOUSING)
    with pytest.raises(InvalidInputError, match="坚持原交办"):
        engine.rule_send_back(first.id, OFFICE, decision="insist", unit=NATURAL)
    assert snapshot(engine, item) == before and engine.send_backs("test", open_only=True) == [first]
    ruled = engine.rule_send_back(first.id, OFFICE, decision="reassign", unit=NATURAL, due="2023-09-15")
    assert (ruled.state, ruled.to_unit) == ("reassigned", NATURAL)
    view = engine.item(item)
    assert (view.unit, view.due, view.state, view.paused_at) == (
        NATURAL,
        dt.date(2023, 9, 15),
        "assigned",
        None,
    )
    triggers = [e.trigger for e in engine.events(item)]
    assert triggers[-3:] == ["send_back_request", "reassign", "send_back_ruling"]
    kinds = [m.kind for m in engine.outbox("test")]
    assert "item_reassigned_away" in kinds and "send_back_ruled" in kinds
    # the new unit's own limit counts from the 改派; its send-back is the item's second: flagged
    clock.set(at("2023-07-25"))
    second = engine.send_back(item, OTHER_CLERK, reason="duplicate")
    assert second.flagged and second.item_send_backs == 2
    assert [v.flagged for v in engine.send_backs("test", item_id=item)] == [True, True]
    (event,) = [
        e
        for e in engine.events(item)
        if e.trigger == "send_back_request" and e.data["send_back_id"] == second.id
    ]
    assert event.data["flagged"] is True and event.data["count"] == 2
    tally = {t.unit: (t.sent, t.open, t.reassigned, t.insisted) for t in engine.send_back_tally("test")}
    assert tally == {HOUSING: (1, 0, 1, 0), NATURAL: (1, 1, 0, 0)}
    assert [v.id for v in engine.send_backs("test", unit=NATURAL)] == [second.id]


def test_clock_runs_when_the_definition_says(engine: Engine, clock: VirtualClock) -> None:
    setup = items_only(load_setup("county_2023"))
    assert setup.send_back is not None
    clock.set(at("2023-07-19"))
    engine.start_campaign(
        setup.model_copy(update={"send_back": setup.send_back.model_copy(update={"clock": "runs"})}),
        key="test",
    )
    item = assigned_item(engine, clock)
    sb = engine.send_back(item, CLERK, reason="not_our_duty")
    assert not sb.clock_stopped and engine.item(item).paused_at is None
    engine.rule_send_back(sb.id, OFFICE, decision="insist")
    assert engine.item(item).due == dt.date(2023, 8, 31)


def test_without_send_back_in_the_definition(engine: Engine, clock: VirtualClock) -> None:
    clock.set(at("2023-07-19"))
    engine.start_campaign(
        items_only(load_setup("county_2023")).model_copy(update={"send_back": None}), key="test"
    )
    item = assigned_item(engine, clock)
    with pytest.raises(GuardFailedError, match="没有规定退单"):
        engine.send_back(item, CLERK, reason="not_our_duty")


def _problems(**changes: object) -> list[str]:
    setup = load_setup("county_2023")
    assert setup.send_back is not None
    return check_setup(setup.model_copy(update={"send_back": setup.send_back.model_copy(update=changes)}))


def test_check_reports_send_back_problems() -> None:
    spec = load_setup("county_2023").send_back
    assert spec is not None and spec.within.days == 3 and spec.flag_after == 2 and spec.clock == "stops"
    assert [r.id for r in spec.reasons] == ["not_our_duty", "duplicate", "unclear", "other"]
    assert _problems() == []
    assert any("send_back.ruled_by[0]: 未知角色 nobody" in p for p in _problems(ruled_by=["nobody"]))
    assert any("属于单位" in p for p in _problems(ruled_by=["responsible"]))
    assert any("退单理由 other 重复" in p for p in _problems(reasons=[*spec.reasons, spec.reasons[-1]]))
    setup = load_setup("county_2023")
    assert setup.send_back is not None and template_problems(setup) == []
    renamed = setup.model_copy(update={"send_back": setup.send_back.model_copy(update={"requested": "nope"})})
    assert "send_back.requested: 消息 nope 没有模板 (notifications.templates.nope)" in template_problems(
        renamed
    )


def test_cli_round_trip(
    engine: Engine,
    campaign: CampaignView,
    clock: VirtualClock,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from zhenggai.adapters import _context
    from zhenggai.adapters.cli import main

    # the commands run on the test's virtual clock (the limit is counted from a 2023 交办)
    monkeypatch.setattr(_context, "Engine", lambda db, **kw: Engine(db, **{**kw, "clock": clock}))

    item = assigned_item(engine, clock)
    clock.set(at("2023-07-21"))
    base = ["--db", db_url]
    clerk = ["--actor", "李科员", "--role", "responsible", "--as-unit", HOUSING]
    office = ["--actor", "王主任", "--role", "leading_group_office", "--as-unit", "discipline_commission"]
    code = main(
        [*base, "item", "send-back", str(item), "--reason", "not_our_duty", "--note", "不归我们", *clerk]
    )
    out = capsys.readouterr().out
    assert code == 0 and "已退单" in out and "待审定" in out
    code = main([*base, "item", "send-back", str(item), "--reason", "other", *clerk])
    captured = capsys.readouterr()
    assert code == 1 and "待审定的退单" in captured.err + captured.out
    code = main([*base, "sendback", "list", "--open"])
    out = capsys.readouterr().out
    assert code == 0 and "不属于本单位职责" in out and "待审定" in out
    (sb,) = engine.send_backs("test")
    code = main(
        [*base, "sendback", "rule", str(sb.id), "--reassign", NATURAL, "--due", "2023-09-15", *office]
    )
    out = capsys.readouterr().out
    assert code == 0 and "已改派" in out
    assert engine.item(item).unit == NATURAL
    code = main([*base, "sendback", "rule", str(sb.id), "--insist", *office])
    captured = capsys.readouterr()
    assert code == 1 and "不能再次审定" in captured.err + captured.out
    code = main([*base, "sendback", "list"])
    assert "已改派" in capsys.readouterr().out
    main([*base, "item", "show", str(item)])
    out = capsys.readouterr().out
    assert "1 次; 最近: 县住建局 不属于本单位职责, 已改派" in out and "退单审定" in out
    assert "send_back" not in out  # the audit events by their Chinese names


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    assigned_after=st.integers(min_value=0, max_value=5 * 24 * 60),
    tried_after=st.integers(min_value=0, max_value=8 * 24 * 60),
)
def test_limit_property(
    engine: Engine, campaign: CampaignView, clock: VirtualClock, assigned_after: int, tried_after: int
) -> None:
    """Whenever an item is assigned and whenever its unit tries: accepted exactly up to the 3rd
    working day after the day it was received (after 17:30 or on a day off: the next working
    day), not on the days off after it; a refusal writes nothing."""
    from zhenggai.engine.calendar import WorkingCalendar
    from zhenggai.engine.deadlines import received_day, working_days_between

    cal = WorkingCalendar()
    clock.advance(dt.timedelta(minutes=assigned_after))
    item = engine.report(
        "test", OFFICE, title="窗口推诿", description="多次往返", track="construction", channel="hotline"
    ).id
    engine.assign(item, OFFICE, unit=HOUSING)  # due by the definition's rule
    received = received_day(cal, clock.now(), SHANGHAI, dt.time(17, 30))
    clock.advance(dt.timedelta(minutes=tried_after))
    today = clock.now().astimezone(SHANGHAI).date()
    used = working_days_between(cal, received, today)  # working days after the day received
    allowed = used < 3 or (used == 3 and cal.is_workday(today))  # the 3rd working day is the last
    before = snapshot(engine, item)
    try:
        engine.send_back(item, CLERK, reason="not_our_duty")
    except GuardFailedError:
        assert not allowed and snapshot(engine, item) == before
    else:
        assert allowed


def test_a_clock_resumed_on_a_day_off_with_no_day_left_is_due_the_next_working_day(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    """Sent back on its due day (no working day left), ruled on a Saturday: the clock runs
    again due on Monday, not on the Saturday (as the stateful model predicts)."""
    item = assigned_item(engine, clock, due="2023-07-21")
    clock.set(at("2023-07-21"))
    sb = engine.send_back(item, CLERK, reason="not_our_duty")
    assert sb.clock_stopped and engine.item(item).paused_days == 0
    clock.set(at("2023-07-22"))  # a Saturday
    engine.rule_send_back(sb.id, OFFICE, decision="insist")
    view = engine.item(item)
    assert view.paused_at is None and view.due == dt.date(2023, 7, 24)
