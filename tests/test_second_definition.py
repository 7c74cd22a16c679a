"""The second shipped definition (a year-round hotline, its own lifecycle, units and roles)
runs on the same engine: nothing is bound to the 2023 county plan."""

from __future__ import annotations

import datetime as dt

import pytest
from zhenggai.engine import (
    Actor,
    Engine,
    GuardFailedError,
    PermissionDeniedError,
    TransitionNotAllowedError,
    VirtualClock,
)
from zhenggai.workflows import load_setup

CENTER = Actor("热线值班员", "hotline_center", "complaint_center")
BUREAU = Actor("审批局联络员", "responsible", "approval_bureau")


@pytest.fixture
def hotline(engine: Engine) -> str:
    return engine.start_campaign(load_setup("hotline_2024"), key="hotline").key


def _complaint(engine: Engine, campaign: str, title: str = "施工许可迟迟不批") -> int:
    return engine.report(
        campaign,
        CENTER,
        title=title,
        description="企业来电反映审批超时",
        track="approvals",
        channel="hotline",
    ).id


def test_hotline_lifecycle_end_to_end(engine: Engine, hotline: str, clock: VirtualClock) -> None:
    """received → dispatched → handling → resolved → (回访不满意) handling → resolved, with the
    hotline's own labels, and the audit chain intact."""
    item = _complaint(engine, hotline)
    assert engine.item(item).state_label == "已受理"
    engine.fire(item, "dispatch", CENTER, unit="approval_bureau", due="2023-07-10")
    measure = engine.add_measure(item, BUREAU, text="三个工作日内办结")
    engine.fire(item, "accept", BUREAU)
    engine.complete_measure(measure.id, BUREAU)
    done = engine.fire(item, "resolve", CENTER)
    assert (done.state, done.state_label, done.closed_by) == ("resolved", "已办结", "热线值班员")
    clock.advance(dt.timedelta(days=20))
    with pytest.raises(GuardFailedError) as err:
        engine.fire(item, "reopen", CENTER, finding="回访不满意")
    assert err.value.guard == "due_not_passed"
    again = engine.fire(item, "reopen", CENTER, finding="回访不满意", due="2023-07-31")
    assert (again.state, again.reopen_count, again.due) == ("handling", 1, dt.date(2023, 7, 31))
    assert engine.fire(item, "resolve", CENTER).state == "resolved"
    assert [e.trigger for e in engine.events(item)] == [
        "report",
        "dispatch",
        "add_measure",
        "accept",
        "complete_measure",
        "resolve",
        "reopen",
        "resolve",
    ]
    assert engine.verify_audit(hotline).ok
    kinds = sorted({m.kind for m in engine.outbox(hotline)})
    assert kinds == ["complaint_dispatched", "complaint_reopened", "complaint_resolved"]


def test_hotline_roles_and_refusals(engine: Engine, hotline: str) -> None:
    """The unit may not resolve its own complaint (role), and the 2023 plan's triggers and
    roles do not exist here."""
    item = _complaint(engine, hotline)
    engine.fire(item, "dispatch", CENTER, unit="approval_bureau", due="2023-07-10")
    engine.add_measure(item, BUREAU, text="办结")
    engine.fire(item, "accept", BUREAU)
    with pytest.raises(PermissionDeniedError):
        engine.fire(item, "resolve", BUREAU)
    with pytest.raises(PermissionDeniedError):
        engine.report(
            hotline,
            Actor("王主任", "leading_group_office"),
            title="t",
            description="d",
            track="approvals",
            channel="hotline",
        )
    with pytest.raises(TransitionNotAllowedError) as err:
        engine.fire(item, "close", CENTER)
    assert "办结回访" in str(err.value)


def test_hotline_duplicates_and_rejections(engine: Engine, hotline: str) -> None:
    """A repeat call joins the first complaint; an out-of-scope one is not accepted, with a reason."""
    first = _complaint(engine, hotline)
    repeat = _complaint(engine, hotline, title="同一企业再次来电")
    other = _complaint(engine, hotline, title="咨询社保政策")
    assert engine.fire(repeat, "mark_duplicate", CENTER, survivor_id=first).merged_into == first
    rejected = engine.fire(other, "reject", CENTER, reason="不属于营商环境投诉范围, 已转12345")
    assert (rejected.state, rejected.state_label) == ("rejected", "不予受理")
