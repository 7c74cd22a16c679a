"""主办/协办 (issue 17 point 3): the office names co-units of an item, each with its part; the lead
unit cannot 提请验收 while a part is open (one Chinese refusal naming the co-units, nothing
changed), and can once the parts are done or waived; a co-unit acts on its part only; a part's
ladder fires and stops when it is settled; messages reach the right units. The definition's
checks; a CLI round trip. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from zhenggai.engine import (
    Actor,
    CampaignView,
    Engine,
    GuardFailedError,
    InvalidInputError,
    NewContact,
    PartNotFound,
    PermissionDeniedError,
    UnitNotFound,
    VirtualClock,
)
from zhenggai.engine.checks import check_setup
from zhenggai.testing import items_only
from zhenggai.workflows import load_setup

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
HOUSING = "housing_construction_bureau"
NATURAL = "natural_resources_bureau"
LEAD = Actor("李科员", "responsible", HOUSING)
CO = Actor("周科员", "responsible", NATURAL)


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


def contact_id(engine: Engine, name: str) -> int:
    (found,) = [c.id for c in engine.contacts("test") if c.name == name]
    return found


def assigned_item(engine: Engine, clock: VirtualClock) -> int:
    clock.set(at("2023-07-20"))
    item = engine.report(
        "test",
        OFFICE,
        title="项目用地审批与施工许可衔接不畅",
        description="两部门相互推诿",
        track="construction",
        channel="hotline",
    ).id
    engine.assign(item, OFFICE, unit=HOUSING, due="2023-08-31")
    return item


def ready_to_submit(engine: Engine, item: int) -> None:
    measure = engine.add_measure(item, LEAD, text="建立并联审批机制")
    engine.start_rectification(item, LEAD)
    engine.complete_measure(measure.id, LEAD)


def snapshot(engine: Engine, item: int) -> tuple[object, ...]:
    view = engine.item(item)
    parts = [(p.id, p.state, p.light) for p in engine.parts("test")]
    return (view.version, view.state, parts, len(engine.events(item)), len(engine.outbox("test")))


def test_submit_waits_for_the_co_units_part(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    item = assigned_item(engine, clock)
    part = engine.add_co_unit(item, OFFICE, unit=NATURAL, part="核实用地审批手续", due="2023-08-15")
    assert (part.state, part.unit, part.lead_unit, part.due) == (
        "open",
        NATURAL,
        HOUSING,
        dt.date(2023, 8, 15),
    )
    ready_to_submit(engine, item)
    before = snapshot(engine, item)
    with pytest.raises(GuardFailedError) as refused:
        engine.submit_for_verification(item, LEAD)
    assert "协办单位县自然资源局的分工尚未完成" in str(refused.value)
    assert snapshot(engine, item) == before
    measure = engine.add_part_measure(part.id, CO, text="逐宗核查用地手续")
    done = engine.complete_part(part.id, CO, note="已核实完毕")
    assert (done.state, done.state_label, done.late, done.done_by) == ("done", "已完成", False, "周科员")
    (m,) = [x for x in engine.measures(item) if x.id == measure.id]
    assert m.done_at is not None  # the part's measures are done with it
    assert engine.submit_for_verification(item, LEAD).state == "submitted"
    triggers = [e.trigger for e in engine.events(item)]
    assert triggers.count("add_co_unit") == 1 and "complete_part" in triggers


def test_a_waived_part_lets_the_lead_submit(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    item = assigned_item(engine, clock)
    part = engine.add_co_unit(item, OFFICE, unit=NATURAL, part="配合现场核查")
    assert part.due == dt.date(2023, 8, 31)  # no part_due in the built-in plan: the item's due
    ready_to_submit(engine, item)
    before = snapshot(engine, item)
    with pytest.raises(PermissionDeniedError):
        engine.waive_part(part.id, CO, note="不想做")  # only the office waives
    with pytest.raises(InvalidInputError):
        engine.waive_part(part.id, OFFICE, note="  ")  # a waiver says why
    assert snapshot(engine, item) == before
    waived = engine.waive_part(part.id, OFFICE, note="经研究无需协办")
    assert (waived.state, waived.waived_by, waived.note) == ("waived", "王主任", "经研究无需协办")
    assert engine.submit_for_verification(item, LEAD).state == "submitted"
    told = [(m.kind, m.contact_id) for m in engine.outbox("test") if m.kind == "co_part_done"]
    assert sorted(told) == sorted(
        [("co_part_done", contact_id(engine, "李科员")), ("co_part_done", contact_id(engine, "周科员"))]
    )


def test_a_co_unit_acts_on_its_part_only(engine: Engine, campaign: CampaignView, clock: VirtualClock) -> None:
    item = assigned_item(engine, clock)
    part = engine.add_co_unit(item, OFFICE, unit=NATURAL, part="核实用地审批手续")
    before = snapshot(engine, item)
    with pytest.raises(PermissionDeniedError):
        engine.add_measure(item, CO, text="协办单位不能添加主办的措施")
    with pytest.raises(PermissionDeniedError):
        engine.start_rectification(item, CO)
    with pytest.raises(PermissionDeniedError, match="只有协办单位县自然资源局可以办理"):
        engine.complete_part(part.id, LEAD)  # the lead cannot report the co-unit's part
    with pytest.raises(PermissionDeniedError):
        engine.add_part_measure(part.id, LEAD, text="主办代办")
    with pytest.raises(PermissionDeniedError):
        engine.complete_part(part.id, OFFICE)
    assert snapshot(engine, item) == before
    # the co-unit sees the item in its own list, the lead too
    assert [v.id for v in engine.items("test", unit=NATURAL)] == [item]
    assert [v.id for v in engine.items("test", unit=HOUSING)] == [item]
    assert [v.id for v in engine.items(unit=NATURAL)] == [item]  # without the campaign
    for unit in (NATURAL, HOUSING):  # the ledger and its count, which read the ids from indexes
        assert [r.item.id for r in engine.ledger("test", unit=unit)] == [item]
        assert engine.count_items("test", unit=unit) == 1
    engine.complete_part(part.id, CO)
    with pytest.raises(InvalidInputError, match="已完成"):
        engine.complete_part(part.id, CO)
    with pytest.raises(PartNotFound):
        engine.complete_part(part.id + 1000, CO)


def test_refusals_change_nothing(engine: Engine, campaign: CampaignView, clock: VirtualClock) -> None:
    item = assigned_item(engine, clock)
    engine.add_co_unit(item, OFFICE, unit=NATURAL, part="核实用地审批手续")
    before = snapshot(engine, item)
    with pytest.raises(InvalidInputError, match="主办单位"):
        engine.add_co_unit(item, OFFICE, unit=HOUSING, part="自己协办自己")
    with pytest.raises(InvalidInputError, match="已是该问题的协办单位"):
        engine.add_co_unit(item, OFFICE, unit=NATURAL, part="再来一次")
    with pytest.raises(UnitNotFound):
        engine.add_co_unit(item, OFFICE, unit="no_such_unit", part="x")
    with pytest.raises(PermissionDeniedError):
        engine.add_co_unit(item, LEAD, unit="market_regulation_bureau", part="主办单位自行指定")
    with pytest.raises(InvalidInputError):
        engine.add_co_unit(item, OFFICE, unit="market_regulation_bureau", part="")
    assert snapshot(engine, item) == before
    reported = engine.report(
        "test", OFFICE, title="未交办的问题", description="尚未交办", track="construction", channel="hotline"
    ).id
    with pytest.raises(GuardFailedError, match="只能在交办后"):
        engine.add_co_unit(reported, OFFICE, unit=NATURAL, part="太早")
    assert engine.parts("test", item_id=reported) == []


def test_messages_reach_the_co_unit(engine: Engine, campaign: CampaignView, clock: VirtualClock) -> None:
    item = assigned_item(engine, clock)
    part = engine.add_co_unit(item, OFFICE, unit=NATURAL, part="核实用地审批手续", due="2023-08-15")
    (told,) = [m for m in engine.outbox("test") if m.kind == "co_unit_assigned"]
    assert told.contact_id == contact_id(engine, "周科员") and told.item_id == item
    assert told.payload["part"] == "核实用地审批手续" and told.payload["part_due"] == "2023-08-15"
    assert told.payload["unit_name"] == "县住建局" and told.payload["part_id"] == part.id
    engine.complete_part(part.id, CO)
    (done,) = [m for m in engine.outbox("test") if m.kind == "co_part_done"]
    assert done.contact_id == contact_id(engine, "李科员") and done.payload["part_state_label"] == "已完成"


def test_the_part_ladder_fires_and_stops(engine: Engine, campaign: CampaignView, clock: VirtualClock) -> None:
    item = assigned_item(engine, clock)
    part = engine.add_co_unit(item, OFFICE, unit=NATURAL, part="核实用地审批手续", due="2023-08-01")
    clock.set(at("2023-08-02", 10))  # 1 working day past its due: 催办
    engine.sweep()
    clock.set(at("2023-08-04", 10))  # 3 working days: 黄灯
    engine.sweep()
    steps = [e for e in engine.events(item) if e.trigger == "part_step"]
    assert [e.data["step"] for e in steps] == ["chase", "yellow"]
    assert all(e.data["part"] == part.id for e in steps)
    (view,) = engine.parts("test", unit=NATURAL, open_only=True)
    assert (view.light, view.late) == ("yellow", True)
    chased = [m for m in engine.outbox("test") if m.kind == "co_part_overdue"]
    assert {m.contact_id for m in chased} == {contact_id(engine, "周科员"), contact_id(engine, "李科员")}
    done = engine.complete_part(part.id, CO)
    assert done.late
    clock.set(at("2023-08-15", 10))
    engine.sweep()
    assert [e.data["step"] for e in engine.events(item) if e.trigger == "part_step"] == ["chase", "yellow"]
    assert engine.item(item).light == "green"  # a part's ladder does not colour the item


def test_check_names_bad_co_handling() -> None:
    setup = load_setup("county_2023")
    assert setup.co_handling is not None
    bad = setup.co_handling.model_copy(
        update={"decided_by": ["nobody"], "waived_by": ["responsible"], "ladder": "item_overdue"}
    )
    problems = check_setup(setup.model_copy(update={"co_handling": bad}))
    assert any("co_handling.decided_by" in p and "未知角色 nobody" in p for p in problems)
    assert any("co_handling.waived_by[0]" in p and "属于单位" in p for p in problems)
    assert any("co_handling.ladder" in p and "subject: part" in p for p in problems)
    assert any("须由 co_handling.ladder 引用" in p for p in problems)  # part_overdue unused now
    off = check_setup(setup.model_copy(update={"co_handling": None}))
    assert any("协办督办阶梯 part_overdue" in p for p in off)


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

    monkeypatch.setattr(_context, "Engine", lambda db, **kw: Engine(db, **{**kw, "clock": clock}))
    item = assigned_item(engine, clock)
    ready_to_submit(engine, item)
    base = ["--db", db_url]
    lead = ["--actor", "李科员", "--role", "responsible", "--as-unit", HOUSING]
    co = ["--actor", "周科员", "--role", "responsible", "--as-unit", NATURAL]
    office = ["--actor", "王主任", "--role", "leading_group_office", "--as-unit", "discipline_commission"]
    code = main(
        [
            *base,
            "item",
            "co-unit",
            str(item),
            "--unit",
            NATURAL,
            "--part",
            "核实用地",
            "--due",
            "2023-08-10",
            *office,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "已确定 县自然资源局 为问题" in out and "办理中" in out
    (part,) = engine.parts("test")
    code = main([*base, "item", "fire", str(item), "submit_for_verification", *lead])
    captured = capsys.readouterr()
    assert code != 0 and "县自然资源局" in captured.err + captured.out
    assert engine.item(item).state == "rectifying"
    code = main([*base, "part", "list", "--open", "--unit", NATURAL])
    out = capsys.readouterr().out
    assert code == 0 and "核实用地" in out and "县住建局" in out and "办理中 1 项" in out
    code = main([*base, "part", "measure", str(part.id), "--text", "逐宗核查", *co])
    assert code == 0 and "已为协办分工" in capsys.readouterr().out
    code = main([*base, "part", "done", str(part.id), "--note", "已核实", *co])
    out = capsys.readouterr().out
    assert code == 0 and "已完成" in out
    code = main([*base, "part", "waive", str(part.id), "--note", "迟了", *office])
    captured = capsys.readouterr()
    assert code == 1 and "已完成" in captured.err + captured.out
    code = main([*base, "part", "list", "--item", str(item), "--json"])
    assert code == 0 and '"state": "done"' in capsys.readouterr().out
    assert engine.submit_for_verification(item, LEAD).state == "submitted"


def test_ledger_and_ranking_show_co_units(
    engine: Engine, campaign: CampaignView, clock: VirtualClock, tmp_path: object
) -> None:
    from pathlib import Path

    from openpyxl import load_workbook
    from zhenggai.adapters.reports.ledger import write_ledger
    from zhenggai.adapters.reports.ranking import HEADERS, write_ranking

    item = assigned_item(engine, clock)
    part = engine.add_co_unit(item, OFFICE, unit=NATURAL, part="核实用地", due="2023-08-01")
    clock.set(at("2023-08-03"))
    engine.complete_part(part.id, CO)  # late
    out = Path(str(tmp_path))
    (ledger,) = write_ledger(engine, "test", out, unit=NATURAL)  # the co-unit's ledger has the item
    rows = list(load_workbook(ledger).active.iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "序号")
    lead = header.index("主办单位")
    assert header[lead : lead + 2] == ("主办单位", "协办单位")
    (row,) = [r for r in rows if r and r[0] == 1]
    assert row[lead : lead + 2] == ("县住建局", "县自然资源局: 核实用地【已完成, 逾期】")
    co = HEADERS.index("协办分工")
    assert HEADERS[co : co + 3] == ("协办分工", "协办按期完成", "协办逾期")
    paths = write_ranking(engine, "test", out)
    html = next(p for p in paths if p.suffix == ".html").read_text("utf-8")
    assert "协办逾期" in html
