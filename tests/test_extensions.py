"""延期申请 (issue 17 point 1): the responsible unit asks before the due date, the track's 组长
then the office approve in order, the last approval moves the due date and re-arms the ladder;
refusals change nothing; the definition's checks; a CLI round trip. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from zhenggai.engine import (
    Actor,
    CampaignView,
    Engine,
    ExtensionRefused,
    InvalidInputError,
    NewContact,
    PermissionDeniedError,
    VirtualClock,
)
from zhenggai.engine.checks import check_setup
from zhenggai.testing import items_only
from zhenggai.workflows import load_setup
from zhenggai.workflows.schema import ExtensionSpec

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
UNIT = "housing_construction_bureau"
REQUESTER = Actor("李科长", "responsible", UNIT)
LEADER = Actor("周组长", "track_group_leader")


def at(day: str, hh: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hh, tzinfo=SHANGHAI)


@pytest.fixture
def campaign(engine: Engine) -> CampaignView:
    return engine.start_campaign(items_only(load_setup("county_2023")), key="test")


def person(engine: Engine, unit: str, name: str, role: str, track: str | None = None) -> int:
    entry = NewContact(
        unit=unit, name=name, role=role, email=f"p{abs(hash(name)) % 10**8}@x.gov.cn", track=track
    )
    return engine.add_contact("test", OFFICE, entry).id


@pytest.fixture
def people(engine: Engine, campaign: CampaignView) -> dict[str, int]:
    return {
        "leader": person(engine, "government_office", "周组长", "track_group_leader", "construction"),
        "other_leader": person(engine, "government_office", "吴组长", "track_group_leader", "rule_of_law"),
        "office": person(engine, "discipline_commission", "王主任", "leading_group_office"),
        "unit": person(engine, UNIT, "住建局联络员", "contact"),
    }


def reached(engine: Engine, kind: str) -> set[int]:
    return {
        int(m.idempotency_key.rsplit(":contact:", 1)[1])
        for m in engine.outbox("test")
        if m.kind == kind and ":contact:" in m.idempotency_key
    }


def assigned_item(engine: Engine, clock: VirtualClock) -> int:
    clock.set(at("2023-07-20"))
    item = engine.report(
        "test",
        OFFICE,
        title="施工许可审批超时",
        description="审批超过承诺时限",
        track="construction",
        channel="hotline",
    ).id
    engine.assign(item, OFFICE, unit=UNIT, due="2023-08-15")
    return item


def test_built_in_definition_has_extensions() -> None:
    setup = load_setup("county_2023")
    assert setup.extensions is not None
    assert setup.extensions.approvers == ["track_group_leader", "leading_group_office"]
    assert setup.extensions.max_per_item == 2
    assert check_setup(setup) == []


def test_checks_name_unknown_roles_and_a_max_below_one() -> None:
    setup = load_setup("county_2023")
    bad = ExtensionSpec(approvers=["nobody", "responsible", "nobody"], max_per_item=0)
    problems = check_setup(setup.model_copy(update={"extensions": bad}))
    assert "extensions.approvers[0]: 未知角色 nobody" in problems
    assert any(p.startswith("extensions.approvers[1]:") and "属于单位" in p for p in problems)
    assert "extensions.approvers: 审批角色重复列出" in problems
    assert any(p.startswith("extensions.max_per_item:") for p in problems)


def test_approval_chain_moves_the_due_and_rearms_the_ladder(
    engine: Engine, people: dict[str, int], clock: VirtualClock
) -> None:
    item = assigned_item(engine, clock)
    clock.set(at("2023-08-01"))
    ext = engine.request_extension(
        item, REQUESTER, new_due="2023-08-31", reason="涉及多部门会商", progress="已完成现场核查"
    )
    assert (ext.state, ext.next_approver, ext.old_due) == (
        "pending",
        "track_group_leader",
        dt.date(2023, 8, 15),
    )
    # the item's track's 组长 only, not the other track's, nor the office
    assert reached(engine, "extension_requested") == {people["leader"]}
    told = next(m for m in engine.outbox("test") if m.kind == "extension_requested")
    assert told.payload["new_due"] == "2023-08-31" and told.payload["approver"] == "专项整治工作组组长"
    # the office cannot decide before the 组长; another track's 组长 cannot either
    with pytest.raises(PermissionDeniedError, match="专项整治工作组组长审批"):
        engine.decide_extension(ext.id, OFFICE, approve=True)
    with pytest.raises(PermissionDeniedError, match="工作组组长可以审批"):
        engine.decide_extension(ext.id, Actor("吴组长", "track_group_leader"), approve=True)
    step = engine.decide_extension(ext.id, LEADER, approve=True, note="同意")
    assert (step.state, step.stage, step.next_approver) == ("pending", 1, "leading_group_office")
    assert engine.item(item).due == dt.date(2023, 8, 15)  # not yet: the office decides last
    assert reached(engine, "extension_requested") == {people["leader"], people["office"]}
    done = engine.decide_extension(ext.id, OFFICE, approve=True)
    assert (done.state, done.decided_by, done.next_approver) == ("approved", "王主任", None)
    assert engine.item(item).due == dt.date(2023, 8, 31)
    assert reached(engine, "extension_decided") == {people["unit"]}
    outcome = next(m for m in engine.outbox("test") if m.kind == "extension_decided")
    assert outcome.payload["outcome"] == "已批准" and outcome.payload["due"] == "2023-08-31"
    triggers = [e.trigger for e in engine.events(item)]
    assert triggers.count("request_extension") == 1 and triggers.count("decide_extension") == 2
    last = [e for e in engine.events(item) if e.trigger == "decide_extension"][-1]
    assert last.data == {
        "extension": ext.id,
        "approver": "leading_group_office",
        "approve": True,
        "state": "approved",
        "old_due": "2023-08-15",
        "due": "2023-08-31",
    }
    # the old red day (8-16) passes quietly; the new one (9-01) fires
    clock.set(at("2023-08-17"))
    engine.sweep()
    assert engine.item(item).light == "green"
    clock.set(at("2023-09-01"))
    engine.sweep()
    assert engine.item(item).light == "red"
    assert engine.verify_audit("test").ok
    assert [e.id for e in engine.extensions("test", unit=UNIT, state="approved")] == [ext.id]
    assert engine.extensions("test", state="pending") == []


def test_refusal_ends_the_request_and_keeps_the_due(
    engine: Engine, people: dict[str, int], clock: VirtualClock
) -> None:
    item = assigned_item(engine, clock)
    clock.set(at("2023-08-01"))
    ext = engine.request_extension(item, REQUESTER, new_due="2023-08-31", reason="需要协调")
    with pytest.raises(InvalidInputError, match="理由"):
        engine.decide_extension(ext.id, LEADER, approve=False)
    refused = engine.decide_extension(ext.id, LEADER, approve=False, note="时限内可完成")
    assert (refused.state, refused.note) == ("refused", "时限内可完成")
    assert engine.item(item).due == dt.date(2023, 8, 15)
    assert reached(engine, "extension_decided") == {people["unit"]}
    with pytest.raises(ExtensionRefused, match="已审批完毕 \\(未批准\\)"):
        engine.decide_extension(ext.id, OFFICE, approve=True)
    # a new request may follow a refused one
    assert (
        engine.request_extension(item, REQUESTER, new_due="2023-08-25", reason="再次申请").state == "pending"
    )


def test_refusals_change_nothing(engine: Engine, people: dict[str, int], clock: VirtualClock) -> None:
    item = assigned_item(engine, clock)
    clock.set(at("2023-08-01"))
    version, outbox, events = engine.item(item).version, len(engine.outbox("test")), len(engine.events(item))

    def unchanged() -> None:
        assert engine.item(item).version == version and engine.item(item).due == dt.date(2023, 8, 15)
        assert len(engine.outbox("test")) == outbox and len(engine.events(item)) == events
        assert engine.extensions("test") == []

    with pytest.raises(PermissionDeniedError, match="责任单位"):
        engine.request_extension(item, OFFICE, new_due="2023-08-31", reason="x")
    with pytest.raises(PermissionDeniedError, match="责任单位"):
        engine.request_extension(
            item, Actor("某", "responsible", "finance_bureau"), new_due="2023-08-31", reason="x"
        )
    with pytest.raises(ExtensionRefused, match="须晚于现时限"):
        engine.request_extension(item, REQUESTER, new_due="2023-08-15", reason="x")
    with pytest.raises(InvalidInputError, match="YYYY-MM-DD"):
        engine.request_extension(item, REQUESTER, new_due="八月底", reason="x")
    with pytest.raises(InvalidInputError):
        engine.request_extension(item, REQUESTER, new_due="2023-08-31", reason="  ")
    clock.set(at("2023-08-15", 8))
    with pytest.raises(ExtensionRefused, match="已逾期, 不能申请延期"):
        engine.request_extension(item, REQUESTER, new_due="2023-08-31", reason="来不及")
    unchanged()


def test_one_pending_and_at_most_max_per_item(
    engine: Engine, people: dict[str, int], clock: VirtualClock
) -> None:
    item = assigned_item(engine, clock)
    clock.set(at("2023-08-01"))
    for k, new_due in enumerate(("2023-08-25", "2023-09-08")):
        ext = engine.request_extension(item, REQUESTER, new_due=new_due, reason=f"第{k + 1}次")
        with pytest.raises(ExtensionRefused, match="待审批"):
            engine.request_extension(item, REQUESTER, new_due="2023-09-28", reason="又一次")
        engine.decide_extension(ext.id, LEADER, approve=True)
        engine.decide_extension(ext.id, OFFICE, approve=True)
    assert engine.item(item).due == dt.date(2023, 9, 8)
    with pytest.raises(ExtensionRefused, match="至多延期 2 次"):
        engine.request_extension(item, REQUESTER, new_due="2023-09-28", reason="第3次")
    assert len(engine.extensions("test", unit=UNIT)) == 2


def test_cli_round_trip(
    engine: Engine,
    people: dict[str, int],
    clock: VirtualClock,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from zhenggai.adapters.cli import main

    # the CLI reads the system clock: an item due far ahead of it
    item = assigned_item(engine, clock)
    engine.extensions("test")  # none yet
    far = engine.request_extension(item, REQUESTER, new_due="2099-06-30", reason="先延至远期")
    engine.decide_extension(far.id, LEADER, approve=True)
    engine.decide_extension(far.id, OFFICE, approve=True)
    base = ["--db", db_url]
    unit = ["--actor", "李科长", "--role", "responsible", "--as-unit", UNIT]
    code = main([*base, "item", "extend", str(item), "--to", "2099-07-31", "--reason", "多部门会商", *unit])
    out, err = capsys.readouterr()
    assert code == 0 and "延期申请" in out and "2099-07-31" in out, err
    ext = engine.extensions("test", state="pending")[0]
    code = main([*base, "extension", "list", "--pending", "--campaign", "test"])
    out = capsys.readouterr().out
    assert code == 0 and str(ext.id) in out and "待审批" in out and "县住建局" in out
    code = main(
        [*base, "extension", "approve", str(ext.id), "--actor", "周组长", "--role", "track_group_leader"]
    )
    assert code == 0
    office = ["--actor", "王主任", "--role", "leading_group_office", "--as-unit", "discipline_commission"]
    code = main([*base, "extension", "approve", str(ext.id), "--note", "同意", *office])
    out = capsys.readouterr().out
    assert code == 0 and "已批准" in out
    assert engine.item(item).due == dt.date(2099, 7, 31)
    code = main([*base, "extension", "refuse", str(ext.id), "--note", "不同意", *office])
    captured = capsys.readouterr()
    assert code != 0 and "已审批完毕 (已批准)" in captured.err


def test_no_extension_while_a_send_back_stops_the_clock(
    engine: Engine, people: dict[str, int], clock: VirtualClock
) -> None:
    """While a 退单 awaits the office's ruling the item's clock is stopped and its due frozen: a
    request is refused, and so is the last approval of a request made before (found modelling
    it for the stateful test: approved while stopped, the new due was lost when the clock ran
    again). A refusal still ends a request; once the office has ruled, the unit asks again."""
    item = assigned_item(engine, clock)
    clock.set(at("2023-07-21"))
    ext = engine.request_extension(item, REQUESTER, new_due="2023-08-31", reason="涉及多部门会商")
    engine.decide_extension(ext.id, LEADER, approve=True)
    sb = engine.send_back(item, REQUESTER, reason="not_our_duty")
    stopped = engine.item(item)
    assert sb.clock_stopped and stopped.paused_at is not None, (sb, stopped)
    with pytest.raises(ExtensionRefused, match="计时已暂停"):
        engine.decide_extension(ext.id, OFFICE, approve=True)
    assert engine.item(item) == stopped and engine.extensions("test", item_id=item)[0].state == "pending"
    assert engine.decide_extension(ext.id, OFFICE, approve=False, note="退单待审定").state == "refused"
    events = len(engine.events(item))
    with pytest.raises(ExtensionRefused, match="计时已暂停"):
        engine.request_extension(item, REQUESTER, new_due="2023-08-31", reason="涉及多部门会商")
    assert len(engine.events(item)) == events and len(engine.extensions("test")) == 1
    engine.rule_send_back(sb.id, OFFICE, decision="insist")
    due = engine.item(item).due
    assert due is not None and engine.item(item).paused_at is None
    again = engine.request_extension(item, REQUESTER, new_due="2023-09-28", reason="涉及多部门会商")
    engine.decide_extension(again.id, LEADER, approve=True)
    engine.decide_extension(again.id, OFFICE, approve=True)
    assert engine.item(item).due == dt.date(2023, 9, 28)
