"""回访/满意度 (issue 17 point 6): 销号 of an item with a reporter gives the reporter's custodian a
callback task (its ladder armed, the custodian told, never the unit); only the custodian records
满意 / 基本满意 / 不满意; 不满意 reopens the item or queues it for 回头看 as the definition says;
the unit learns the result, never the reporter or the note; satisfaction rates per unit; the
definition's checks; the CLI round trip. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from zhenggai.engine import (
    Actor,
    CallbackNotFound,
    CampaignView,
    Engine,
    InvalidInputError,
    NewContact,
    PermissionDeniedError,
    Reporter,
    VirtualClock,
)
from zhenggai.engine.checks import check_setup
from zhenggai.workflows import load_setup
from zhenggai.workflows.schema import CampaignSetup

from tests.test_campaign_steps import OFFICE, SUPERVISION, at, events, without_duties

pytestmark = pytest.mark.storage

HOUSING = "housing_construction_bureau"
FINANCE = "finance_bureau"
CUSTODIAN = Actor("赵保管", "custodian", "discipline_commission")
REPORTER_NAME = "钱举报"
REPORTER_PHONE = "13912345678"


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(at("2023-07-03", 9, 0))


def with_callbacks(setup: CampaignSetup, **changes: Any) -> CampaignSetup:
    assert setup.callbacks is not None
    return setup.model_copy(update={"callbacks": setup.callbacks.model_copy(update=changes)})


def start(engine: Engine, setup: CampaignSetup | None = None) -> CampaignView:
    camp = engine.start_campaign(setup or without_duties(load_setup("county_2023")), key="test")
    for unit, name, role, mobile in (
        ("discipline_commission", "王主任", "leading_group_office", "13800000001"),
        ("discipline_commission", "赵保管", "custodian", "13800000002"),
        (HOUSING, "李科员", "contact", "13800000003"),
        (FINANCE, "周科员", "contact", "13800000004"),
    ):
        engine.add_contact(camp.key, OFFICE, NewContact(unit=unit, name=name, role=role, mobile=mobile))
    return camp


@pytest.fixture
def campaign(engine: Engine) -> CampaignView:
    return start(engine)


def closed(engine: Engine, unit: str = HOUSING, *, reporter: bool = True) -> int:
    """An item of ``unit`` (with a reporter unless told) taken through to 销号."""
    actor = Actor("联络员", "responsible", unit)
    item = engine.report(
        "test",
        OFFICE,
        title="审批超时",
        description="施工许可审批超时",
        track="construction",
        channel="hotline",
        reporter=Reporter(name=REPORTER_NAME, phone=REPORTER_PHONE) if reporter else None,
    ).id
    engine.assign(item, OFFICE, unit=unit, due="2023-08-31")
    measure = engine.add_measure(item, actor, text="限期办结").id
    engine.start_rectification(item, actor)
    engine.complete_measure(measure, actor)
    engine.submit_for_verification(item, actor)
    engine.verify(item, SUPERVISION)
    engine.close(item, OFFICE)
    return item


def recipients(engine: Engine, kind: str) -> list[str]:
    return sorted(m.recipient for m in engine.outbox("test") if m.kind == kind)


def snapshot(engine: Engine) -> tuple[object, ...]:
    return (
        [(c.state, c.result) for c in engine.callbacks("test")],
        len(engine.events(campaign="test")),
        len(engine.outbox("test")),
    )


def test_closing_an_item_with_a_reporter_gives_the_custodian_a_callback(
    engine: Engine, campaign: CampaignView
) -> None:
    with_reporter = closed(engine)
    without = closed(engine, reporter=False)
    (cb,) = engine.callbacks("test")
    assert (cb.item_id, cb.unit, cb.role, cb.state, cb.result) == (
        with_reporter,
        HOUSING,
        "custodian",
        "open",
        None,
    )
    assert cb.due == dt.date(2023, 7, 10)  # 5 working days after Monday 07-03
    assert [c.item_id for c in engine.callbacks("test")] != [without]  # no reporter: nobody to call
    (requested,) = events(engine, "callback_requested")
    assert requested == {"callback": cb.id, "item": with_reporter, "role": "custodian", "due": "2023-07-10"}
    # The custodian is told, never the unit (nor the office).
    assert recipients(engine, "callback_requested") == ["13800000002"]
    # The callback's ladder is armed on its due date.
    with engine.store.read() as conn:
        from sqlalchemy import select
        from zhenggai.engine._statements import STEP

        keys = [
            r.step_key
            for r in conn.execute(select(STEP.c.step_key).where(STEP.c.subject_kind == "callback")).all()
        ]
    assert sorted(keys) == ["callback_overdue.chase@2023-07-10", "callback_overdue.yellow@2023-07-10"]


def test_only_the_custodian_records_a_callback(engine: Engine, campaign: CampaignView) -> None:
    closed(engine)
    (cb,) = engine.callbacks("test")
    before = snapshot(engine)
    for actor in (OFFICE, Actor("李科员", "responsible", HOUSING), SUPERVISION):
        with pytest.raises(PermissionDeniedError, match="举报信息保管人"):
            engine.record_callback(cb.id, actor, result="满意")
    with pytest.raises(InvalidInputError, match="未知回访结果"):
        engine.record_callback(cb.id, CUSTODIAN, result="很好")
    with pytest.raises(InvalidInputError, match="须说明原因"):
        engine.record_callback(cb.id, CUSTODIAN, result="不满意")
    with pytest.raises(CallbackNotFound):
        engine.record_callback(cb.id + 99, CUSTODIAN, result="满意")
    assert snapshot(engine) == before
    done = engine.record_callback(cb.id, CUSTODIAN, result="基本满意", note="办理较慢")
    assert (done.state, done.result, done.result_label, done.note, done.late) == (
        "done",
        "basically_satisfied",
        "基本满意",
        "办理较慢",
        False,
    )
    with pytest.raises(InvalidInputError, match="已于"):
        engine.record_callback(cb.id, CUSTODIAN, result="satisfied")
    (event,) = [e for e in engine.events(campaign="test") if e.trigger == "record_callback"]
    assert event.actor == CUSTODIAN.name
    assert event.data == {
        "callback": cb.id,
        "item": cb.item_id,
        "result": "basically_satisfied",
        "late": False,
        "note": "办理较慢",
    }


def test_the_unit_learns_the_result_never_the_reporter_or_the_note(
    engine: Engine, campaign: CampaignView
) -> None:
    closed(engine)
    (cb,) = engine.callbacks("test")
    engine.record_callback(cb.id, CUSTODIAN, result="satisfied", note=f"{REPORTER_NAME}表示认可")
    (told,) = [m for m in engine.outbox("test") if m.kind == "callback_recorded"]
    assert told.recipient == "13800000003"  # the housing bureau's contact
    assert told.payload["result_label"] == "满意"
    unit_messages = [m for m in engine.outbox("test") if m.recipient == "13800000003"]
    assert unit_messages
    for message in unit_messages:
        text = repr(message.payload)
        assert REPORTER_NAME not in text and REPORTER_PHONE not in text


def test_unsatisfied_reopens_the_item_and_it_goes_round_again(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    item = closed(engine)
    (cb,) = engine.callbacks("test")
    clock.advance(dt.timedelta(days=1))
    engine.record_callback(cb.id, CUSTODIAN, result="不满意", note="问题仍未解决")
    view = engine.item(item)
    assert view.state == "rectifying"
    (reopen,) = [e for e in engine.events(item) if e.trigger == "follow_up_review"]
    assert reopen.actor == CUSTODIAN.name
    assert (
        reopen.data["finding"] == f"举报人回访不满意 (回访任务 {cb.id})"
    )  # the note stays with the custodian
    (recorded,) = events(engine, "record_callback")
    assert (recorded["outcome"], recorded["reopened"], recorded["state"]) == ("reopen", True, "rectifying")
    # Rectified and closed again: a new callback.
    actor = Actor("联络员", "responsible", HOUSING)
    engine.submit_for_verification(item, actor)
    engine.verify(item, SUPERVISION)
    engine.close(item, OFFICE)
    assert [(c.item_id, c.state) for c in engine.callbacks("test")] == [(item, "done"), (item, "open")]


def test_unsatisfied_queues_for_follow_up_when_the_definition_says(engine: Engine) -> None:
    start(engine, with_callbacks(without_duties(load_setup("county_2023")), unsatisfied="follow_up"))
    item = closed(engine)
    (cb,) = engine.callbacks("test")
    engine.record_callback(cb.id, CUSTODIAN, result="unsatisfied", note="问题仍未解决")
    assert engine.item(item).state == "closed"  # not reopened: queued for 回头看
    (review,) = engine.follow_ups("test")
    assert (review.item_id, review.state, review.role) == (item, "open", "leading_group_office")
    assert review.due == dt.date(2023, 7, 31)  # follow_up.days (20 working days) from today
    (recorded,) = events(engine, "record_callback")
    assert (recorded["outcome"], recorded["review_task"]) == ("follow_up", review.id)


def test_the_ladder_fires_when_late_and_stops_when_done(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    closed(engine)
    closed(engine, FINANCE)
    first, second = engine.callbacks("test")
    clock.set(at("2023-07-11", 9, 0))  # one working day past 07-10: 催办
    engine.sweep()
    steps = events(engine, "callback_step")
    assert sorted((s["callback"], s["step"]) for s in steps) == [(first.id, "chase"), (second.id, "chase")]
    assert recipients(engine, "callback_overdue") == ["13800000002", "13800000002"]  # the custodian only
    engine.record_callback(first.id, CUSTODIAN, result="满意")
    assert engine.callbacks("test", state="done")[0].late is True
    clock.set(at("2023-07-14", 9, 0))  # three working days past: 黄灯 for the open one only
    engine.sweep()
    yellow = [s for s in events(engine, "callback_step") if s["step"] == "yellow"]
    assert [s["callback"] for s in yellow] == [second.id]
    assert {c.id: c.light for c in engine.callbacks("test")} == {first.id: "green", second.id: "yellow"}
    # The yellow step tells the custodian and the office, never the units.
    yellow_to = [m.recipient for m in engine.outbox("test") if "yellow" in m.idempotency_key]
    assert sorted(yellow_to) == ["13800000001", "13800000002"]
    assert not [
        m for m in engine.outbox("test") if m.kind == "callback_overdue" and m.recipient.endswith(("3", "4"))
    ]


def test_satisfaction_rates_per_unit(engine: Engine, campaign: CampaignView) -> None:
    for unit, results in ((HOUSING, ["满意", "基本满意", "不满意", None]), (FINANCE, ["满意"])):
        for result in results:
            closed(engine, unit)
            if result is not None:
                cb = engine.callbacks("test", state="open")[-1]
                engine.record_callback(cb.id, CUSTODIAN, result=result, note="原因")
    rows = {r.unit: r for r in engine.satisfaction("test")}
    housing, finance, total = rows[HOUSING], rows[FINANCE], rows[None]
    assert (housing.called, housing.satisfied, housing.basically, housing.unsatisfied, housing.open) == (
        3,
        1,
        1,
        1,
        1,
    )
    assert housing.rate == pytest.approx(2 / 3)
    assert (finance.called, finance.rate) == (1, 1.0)
    assert (total.unit_name, total.called, total.rate) == ("合计", 4, pytest.approx(3 / 4))
    (only,) = engine.satisfaction("test", unit=FINANCE)
    assert only.unit == FINANCE
    assert [c.unit for c in engine.callbacks("test", unit=FINANCE)] == [FINANCE]


def problems(setup: CampaignSetup) -> list[str]:
    return [p for p in check_setup(setup) if "callbacks" in p or "回访" in p]


def test_the_definition_block_is_checked() -> None:
    setup = load_setup("county_2023")
    assert problems(setup) == []
    assert any("未知角色 nobody" in p for p in problems(with_callbacks(setup, role="nobody")))
    assert any("属于单位" in p for p in problems(with_callbacks(setup, role="responsible")))
    assert any("不能查看举报人" in p for p in problems(with_callbacks(setup, role="leading_group_office")))
    assert any("未知督办阶梯" in p for p in problems(with_callbacks(setup, ladder="nope")))
    assert any("不是回访督办阶梯" in p for p in problems(with_callbacks(setup, ladder="review_overdue")))
    assert any("未知流转" in p for p in problems(with_callbacks(setup, trigger="nope")))
    assert any("不能从已销号状态" in p for p in problems(with_callbacks(setup, trigger="verify")))
    no_follow_up = with_callbacks(setup, unsatisfied="follow_up").model_copy(update={"follow_up": None})
    assert any("没有回头看" in p for p in problems(no_follow_up))
    # A callback ladder without callbacks; a callback ladder that tells the unit.
    assert any("不能有回访督办阶梯" in p for p in problems(setup.model_copy(update={"callbacks": None})))
    ladders = [
        x.model_copy(update={"steps": [s.model_copy(update={"notify": [*s.notify]}) for s in x.steps]})
        for x in setup.ladders
    ]
    (cb_ladder,) = [x for x in ladders if x.subject == "callback"]
    step = cb_ladder.steps[0]
    step.notify.append(step.notify[0].model_copy(update={"to": "responsible_unit"}))
    bad = setup.model_copy(update={"ladders": ladders})
    assert any("responsible_unit" in p for p in check_setup(bad))


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
    item = closed(engine)
    closed(engine, FINANCE)
    first, second = engine.callbacks("test")
    base = ["--db", db_url]
    custodian = ["--actor", "赵保管", "--role", "custodian", "--as-unit", "discipline_commission"]
    office = ["--actor", "王主任", "--role", "leading_group_office", "--as-unit", "discipline_commission"]
    assert main([*base, "callback", "list", "--open"]) == 0
    out = capsys.readouterr().out
    assert "待回访" in out and "县住建局" in out and "2023-07-10" in out
    code = main([*base, "callback", "record", str(first.id), "--result", "满意", *office])
    captured = capsys.readouterr()
    assert code != 0 and "举报信息保管人" in captured.err + captured.out
    code = main(
        [*base, "callback", "record", str(first.id), "--result", "不满意", "--note", "仍未解决", *custodian]
    )
    out = capsys.readouterr().out
    assert code == 0 and "不满意" in out and "整改中" in out
    assert engine.item(item).state == "rectifying"
    code = main([*base, "callback", "record", str(second.id), "--result", "basically_satisfied", *custodian])
    assert code == 0 and "基本满意" in capsys.readouterr().out
    assert main([*base, "callback", "list"]) == 0
    out = capsys.readouterr().out
    assert "满意率" in out and "已回访" in out
    assert "合计" in out and "50.0%" in out  # 1 of 2 basically satisfied
    assert main([*base, "callback", "list", "--open"]) == 0
    assert "没有回访任务" in capsys.readouterr().out


def test_rates_in_the_bulletin_and_the_ranking(engine: Engine, campaign: CampaignView, tmp_path: Any) -> None:
    from zhenggai.adapters.reports.bulletin import write_progress
    from zhenggai.adapters.reports.ranking import HEADERS, write_ranking

    closed(engine)
    closed(engine)
    first, _ = engine.callbacks("test")
    engine.record_callback(first.id, CUSTODIAN, result="满意")
    assert HEADERS[-2:] == ("回访数", "满意率")
    html = next(p for p in write_ranking(engine, "test", tmp_path) if p.suffix == ".html").read_text("utf-8")
    assert "满意率" in html and "100.0%" in html
    bulletin = next(p for p in write_progress(engine, "test", tmp_path) if p.suffix == ".html")
    text = bulletin.read_text("utf-8")
    assert "回访满意度" in text and "县住建局" in text and "100.0%" in text


def test_callback_events_name_their_subject(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    from sqlalchemy import select
    from zhenggai.engine._statements import EVENT

    closed(engine)
    (cb,) = engine.callbacks("test")
    clock.set(at("2023-07-11", 9, 0))
    engine.sweep()
    engine.record_callback(cb.id, CUSTODIAN, result="满意")
    with engine.store.read() as conn:
        rows = conn.execute(
            select(EVENT.c.trigger, EVENT.c.subject_kind, EVENT.c.subject_id).where(
                EVENT.c.trigger.in_(["callback_requested", "callback_step", "record_callback"])
            )
        ).all()
    assert sorted(rows) == sorted(
        [
            ("callback_requested", "callback", cb.id),
            ("callback_step", "callback", cb.id),
            ("record_callback", "callback", cb.id),
        ]
    )
    assert engine.verify_audit().ok


def test_unsatisfied_counts_against_the_unit_in_the_month_recorded(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    """考核's ``unsatisfied`` term counts 不满意 回访 by the month the custodian recorded them,
    against the unit answerable at 销号; 满意 and other units count nothing."""
    clock.set(at("2023-07-27", 9, 0))
    first, second = closed(engine), closed(engine)
    closed(engine, FINANCE)
    by_item = {c.item_id: c for c in engine.callbacks("test")}
    engine.record_callback(by_item[first].id, CUSTODIAN, result="不满意", note="仍未解决")
    engine.record_callback(by_item[second].id, CUSTODIAN, result="满意")
    clock.set(at("2023-08-01", 9, 0))
    finance = next(c for c in engine.callbacks("test", unit=FINANCE))
    engine.record_callback(finance.id, CUSTODIAN, result="不满意", note="态度差")

    def unsatisfied(month: str) -> dict[str, int]:
        rows = engine.scores("test", month)
        return {r.unit: n for r in rows for t in r.terms if t.term == "unsatisfied" and (n := t.count)}

    assert unsatisfied("2023-07") == {HOUSING: 1}
    assert unsatisfied("2023-08") == {FINANCE: 1}
    july = {r.unit: r for r in engine.scores("test", "2023-07")}
    (term,) = [t for t in july[HOUSING].terms if t.term == "unsatisfied"]
    assert term.points == -3 * 1
