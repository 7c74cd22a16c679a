"""规范性文件清理: documents on a lifecycle of their own, through the same state machine,
audit trail and scheduler as items (SQLite and PostgreSQL), and the definition checks of it."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zhenggai.engine import (
    Actor,
    CampaignView,
    ConflictError,
    DefinitionError,
    DocumentNotFound,
    Engine,
    GuardFailedError,
    PermissionDeniedError,
    TransitionNotAllowedError,
    VirtualClock,
)
from zhenggai.engine.checks import check_setup
from zhenggai.testing import advance_and_sweep
from zhenggai.workflows import load_setup

from tests.conftest import Actors
from tests.test_cli import Cli, cli, db, init  # noqa: F401  (fixtures)

pytestmark = pytest.mark.storage

HOUSING = "housing_construction_bureau"
BUREAU = Actors.unit(HOUSING)
TITLE = "县住建局关于工程建设项目招投标管理的若干规定"


def _list(
    engine: Engine, campaign: CampaignView, unit: str = HOUSING, actor: Actor = BUREAU, title: str = TITLE
):
    return engine.list_document(
        campaign.key, actor, unit=unit, title=title, doc_number="县住建发〔2019〕12号"
    )


def test_a_document_is_listed_reviewed_and_decided(engine: Engine, campaign: CampaignView) -> None:
    doc = _list(engine, campaign)
    # Monday 07-03 09:00, 20 working days: 07-31.
    assert (doc.state, doc.state_label, doc.due, doc.decided, doc.version) == (
        "to_review",
        "已列入清理",
        dt.date(2023, 7, 31),
        False,
        1,
    )
    with pytest.raises(
        TransitionNotAllowedError, match=r"规范性文件 1 不能执行「.+」\(.+\): 当前状态为「已列入清理」"
    ):
        engine.fire_document(doc.id, "revise", BUREAU, reason="x")
    with pytest.raises(PermissionDeniedError):
        engine.fire_document(doc.id, "start_review", Actors.unit("commerce_bureau"))
    reviewing = engine.fire_document(doc.id, "start_review", BUREAU)
    with pytest.raises(ConflictError):
        engine.fire_document(doc.id, "revise", BUREAU, reason="x", expected_version=doc.version)
    with pytest.raises(GuardFailedError, match="有理由"):
        engine.fire_document(doc.id, "revise", BUREAU)
    decided = engine.fire_document(
        doc.id,
        "revise",
        BUREAU,
        reason="与《优化营商环境条例》不符, 修订第五条",
        expected_version=reviewing.version,
    )
    assert (decided.state, decided.state_label, decided.decided) == ("revised", "修订", True)
    assert decided.decided_at is not None and decided.decision_note.startswith("与《优化营商环境条例》")
    assert engine.documents(campaign.key, state="revised") == [decided]
    assert engine.documents(campaign.key, unit="commerce_bureau") == []
    events = engine.document_events(doc.id)
    assert [(e.trigger, e.from_state, e.to_state) for e in events] == [
        ("list_document", None, "to_review"),
        ("start_review", "to_review", "reviewing"),
        ("revise", "reviewing", "revised"),
    ]
    assert all(e.item_id is None for e in events)
    # The decision was sent to the office, as the definition says.
    kinds = [m.kind for m in engine.outbox(campaign.key) if m.payload.get("document_id") == doc.id]
    assert kinds == ["document_decided"]
    assert engine.items(campaign.key) == [] and engine.ledger(campaign.key) == []  # not an item
    assert engine.verify_audit(campaign.key).ok


def test_who_may_list_documents(engine: Engine, campaign: CampaignView) -> None:
    with pytest.raises(PermissionDeniedError):  # a unit lists its own documents only
        _list(engine, campaign, unit="commerce_bureau")
    with pytest.raises(PermissionDeniedError):
        _list(engine, campaign, actor=Actors.custodian)
    assert _list(engine, campaign, unit="commerce_bureau", actor=Actors.office).unit == "commerce_bureau"
    with pytest.raises(DocumentNotFound):
        engine.document(999)


def test_the_ladder_escalates_an_undecided_document_once_and_stops_at_the_decision(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    late = _list(engine, campaign, title="招商引资优惠政策兑现办法")
    decided = _list(engine, campaign)
    engine.fire_document(decided.id, "start_review", BUREAU)
    engine.fire_document(decided.id, "retain", BUREAU, reason="符合现行规定")
    advance_and_sweep(engine, clock, dt.timedelta(days=40))  # down over the due date: the steps are caught up
    again = engine.sweep()
    assert not [e for e in again.events if e.startswith("document:")]  # a second sweep changes nothing
    after = engine.document(late.id)
    assert (after.light, after.escalation_level, after.version) == ("red", 1, 2)
    steps = [e for e in engine.document_events(late.id) if e.trigger == "document_step"]
    assert len(steps) == 1 and steps[0].data["caught_up"] == ["reminder", "red"] and steps[0].data["late"]
    assert [e.trigger for e in engine.document_events(decided.id)] == [
        "list_document",
        "start_review",
        "retain",
    ]
    sent = [m for m in engine.outbox(campaign.key) if m.payload.get("document_id") == late.id]
    assert {m.kind for m in sent} == {"document_overdue"}
    assert engine.documents(campaign.key, state="to_review")[0].light == "red"


def test_a_campaign_without_document_review_refuses_documents(engine: Engine) -> None:
    campaign = engine.start_campaign(load_setup("hotline_2024"), key="hotline")
    hotline = Actor("接线员", "hotline_center")
    with pytest.raises(DefinitionError, match="规范性文件清理"):
        engine.list_document(campaign.key, hotline, unit=engine.units(campaign.key)[0][0], title="某文件")


def _county_yaml_problems(mutate) -> list[str]:  # type: ignore[no-untyped-def]
    setup = load_setup("county_2023")
    data = setup.model_dump(mode="json")
    mutate(data)
    return check_setup(type(setup).model_validate(data))


def test_check_refuses_a_document_lifecycle_that_cannot_run() -> None:
    def bad_guard(d: dict) -> None:  # type: ignore[type-arg]
        d["documents"]["lifecycle"]["transitions"][1]["guards"] = ["has_measure"]
        d["documents"]["lifecycle"]["transitions"][2]["effects"] = ["record_close"]
        d["documents"]["lifecycle"]["operations"] = {}

    problems = _county_yaml_problems(bad_guard)
    assert any(
        p.startswith("documents.lifecycle.transitions[1].guards[0]:") and "has_measure" in p for p in problems
    )
    assert any(p.startswith("documents.lifecycle.transitions[2].effects[0]:") for p in problems)
    assert any(p.startswith("documents.lifecycle.operations.report:") for p in problems)

    def wrong_ladder(d: dict) -> None:  # type: ignore[type-arg]
        d["documents"]["ladder"] = "item_overdue"
        d["documents"]["lifecycle"]["states"][0]["id"] = "draft"

    problems = _county_yaml_problems(wrong_ladder)
    assert "documents.ladder: 督办阶梯 item_overdue 不是文件督办阶梯 (subject: document)" in problems
    assert any(p.startswith("documents.lifecycle.initial:") for p in problems)
    assert any("ladders[" in p and "未知状态 to_review" in p for p in problems)

    def no_documents(d: dict) -> None:  # type: ignore[type-arg]
        d["documents"] = None

    problems = _county_yaml_problems(no_documents)
    assert any(p.endswith("没有 documents (规范性文件清理), 不能有文件督办阶梯") for p in problems)
    assert check_setup(load_setup("county_2023")) == []


# ------------------------------------------------------------------- generated sequences

OPS = st.lists(
    st.sampled_from(["start_review", "retain", "revise", "abolish", "no_reason", "days", "sweep"]),
    max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plans=st.lists(OPS, min_size=1, max_size=4))
def test_documents_keep_their_invariants_over_generated_sequences(
    plans: list[list[str]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Whatever people and the scheduler do: only the definition's states; decided exactly in a
    final state, with its date; lights and levels only rise; no ladder step after the decision;
    every change one event; the audit chain holds."""
    clock = VirtualClock(dt.datetime(2023, 7, 3, 1, 0, tzinfo=dt.UTC))
    with Engine(tmp_path_factory.mktemp("docs") / "z.db", clock=clock) as engine:
        campaign = engine.start_campaign(load_setup("county_2023"), key="gen")
        lifecycle = load_setup("county_2023").documents
        assert lifecycle is not None
        final = lifecycle.lifecycle.final_states
        docs = [_list(engine, campaign, title=f"第{n}号规范性文件") for n in range(len(plans))]
        rank = {"green": 0, "yellow": 1, "red": 2}
        for step in range(max(len(p) for p in plans)):
            for doc, plan in zip(docs, plans, strict=True):
                if step >= len(plan):
                    continue
                before = engine.document(doc.id)
                op = plan[step]
                if op == "days":
                    clock.advance(dt.timedelta(days=4))
                elif op == "sweep":
                    engine.sweep()
                else:
                    trigger = "retain" if op == "no_reason" else op
                    allowed = (trigger == "start_review" and before.state == "to_review") or (
                        trigger != "start_review" and before.state == "reviewing" and op != "no_reason"
                    )
                    try:
                        engine.fire_document(
                            doc.id, trigger, BUREAU, reason=None if op == "no_reason" else "依规定"
                        )
                    except (TransitionNotAllowedError, GuardFailedError):
                        assert not allowed
                    else:
                        assert allowed
                after = engine.document(doc.id)
                assert after.state in {s.id for s in lifecycle.lifecycle.states}
                assert after.decided == (after.state in final) == (after.decided_at is not None)
                assert (
                    rank[after.light] >= rank[before.light]
                    and after.escalation_level >= before.escalation_level
                )
                if before.decided:
                    assert after == before
        engine.sweep()
        for doc in docs:
            events = engine.document_events(doc.id)
            decided_at = next(
                (e.seq for e in events if e.to_state in final and e.from_state != e.to_state), None
            )
            if decided_at is not None:
                assert not [e for e in events if e.trigger == "document_step" and e.seq > decided_at]
            assert (
                engine.document(doc.id).version
                == len(
                    [
                        e
                        for e in events
                        if e.trigger != "list_document"
                        and (e.from_state != e.to_state or "light" in e.data or "escalation_level" in e.data)
                    ]
                )
                + 1
            )
        assert engine.verify_audit(campaign.key).ok


def test_the_cli_lists_reviews_and_decides_documents(cli: Cli, db: str) -> None:
    """``zhenggai document add | list | fire`` end to end (Chinese trigger labels work too)."""
    unit = ["--actor", "李科长", "--role", "responsible", "--as-unit", HOUSING]
    init(cli, db)
    added = cli(
        "--db",
        db,
        "document",
        "add",
        "--unit",
        HOUSING,
        "--title",
        TITLE,
        "--doc-number",
        "县住建发〔2019〕12号",
        *unit,
    )
    assert added.code == 0, added.err
    assert added.out.startswith(f"已登记规范性文件 1: {TITLE} (县住建局; 状态: 已列入清理; 清理期限")
    started = cli("--db", db, "document", "fire", "1", "开始审查", *unit)
    assert started.code == 0 and started.out == "规范性文件 1 开始审查: 已列入清理 → 审查中 (第 2 版)\n"
    refused = cli("--db", db, "document", "fire", "1", "决定废止", *unit)
    assert refused.code == 1 and refused.err.startswith("错误: 规范性文件 1 不能执行「决定废止」")
    assert cli("--db", db, "document", "fire", "1", "abolish", "--reason", "上位法已废止", *unit).code == 0
    lines = cli("--db", db, "document", "list").out.splitlines()
    assert lines[0].split() == ["编号", "文件", "单位", "状态", "清理期限", "预警", "结论时间"]
    assert "废止" in lines[2] and "县住建发〔2019〕12号" in lines[2]
    listed = cli("--db", db, "document", "list", "--json").json()
    assert [(d["id"], d["state"], d["decision_note"]) for d in listed] == [(1, "abolished", "上位法已废止")]
    other = cli("--db", db, "document", "add", "--unit", "commerce_bureau", "--title", "x", *unit)
    assert other.code == 1 and "无权操作" in other.err


def test_the_registers_carry_the_document_review(
    engine: Engine, campaign: CampaignView, tmp_path: object
) -> None:
    """``report registers``: a 规范性文件清理台账 sheet with every listed document, read back."""
    from pathlib import Path

    import openpyxl
    from zhenggai.adapters.reports import write_reports

    decided = _list(engine, campaign)
    engine.fire_document(decided.id, "start_review", BUREAU)
    engine.fire_document(decided.id, "abolish", BUREAU, reason="上位法已废止")
    _list(engine, campaign, title='=HYPERLINK("http://x")招商办法')
    out = Path(str(tmp_path)) / "out"
    (path,) = write_reports(engine, campaign.key, "registers", out)
    sheet = openpyxl.load_workbook(path)["规范性文件清理台账"]
    rows = [r for r in sheet.iter_rows(values_only=True)]
    assert rows[1][0].endswith("共 2 份, 已作出结论 1 份")
    assert rows[2] == (
        "序号",
        "制定单位",
        "文件名称",
        "文号",
        "状态",
        "清理期限",
        "预警",
        "结论日期",
        "结论理由",
    )
    first, second = rows[3], rows[4]
    assert first[1:5] == ("县住建局", TITLE, "县住建发〔2019〕12号", "废止") and first[8] == "上位法已废止"
    assert first[5] == "2023-07-31 (周一)" and first[6] == "绿灯" and first[7] is not None
    assert (
        second[2] == '\'=HYPERLINK("http://x")招商办法'
        and second[4] == "已列入清理"
        and second[7] in (None, "")
    )
