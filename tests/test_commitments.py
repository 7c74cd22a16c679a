"""践诺 (二、(二)): a unit's public commitments, due by a day, settled once as kept or broken,
flagged while still open after their due day, audited under their own subject."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select
from zhenggai.engine import (
    CampaignView,
    CommitmentNotFound,
    Engine,
    InvalidInputError,
    PermissionDeniedError,
    UnitNotFound,
    VirtualClock,
)
from zhenggai.engine._admin_statements import COMMITMENT
from zhenggai.engine._statements import EVENT

from tests.conftest import Actors

pytestmark = pytest.mark.storage

HOUSING = "housing_construction_bureau"
BUREAU = Actors.unit(HOUSING)


def _count(engine: Engine, table: object) -> int:
    with engine.store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def _events(engine: Engine) -> list[tuple[str, str, int, str | None]]:
    with engine.store.read() as conn:
        rows = conn.execute(
            select(EVENT.c.trigger, EVENT.c.subject_kind, EVENT.c.subject_id, EVENT.c.to_state)
            .where(EVENT.c.subject_kind == "commitment")
            .order_by(EVENT.c.id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_commitments_are_kept_or_broken_once_and_flagged_when_overdue(
    engine: Engine, campaign: CampaignView, clock: VirtualClock
) -> None:
    first = engine.add_commitment(
        campaign.key, BUREAU, unit=HOUSING, text="施工许可审批压缩至 15 个工作日", due=dt.date(2023, 7, 20)
    )
    second = engine.add_commitment(
        campaign.key,
        Actors.office,
        unit="market_regulation_bureau",
        text="企业开办一日办结",
        due="2023-07-10",
    )
    assert (first.state, first.state_label, first.overdue) == ("open", "践诺中", False)
    assert [c.id for c in engine.commitments(campaign.key)] == [second.id, first.id]  # by due day
    clock.advance(dt.timedelta(days=10))  # 2023-07-13: the second is overdue
    assert [c.id for c in engine.commitments(campaign.key, overdue=True)] == [second.id]
    assert engine.commitments(campaign.key, unit=HOUSING)[0].overdue is False

    kept = engine.settle_commitment(first.id, BUREAU, kept=True, note="已压缩至 12 个工作日")
    assert (kept.state, kept.state_label, kept.settled_on, kept.settled_by) == (
        "fulfilled",
        "已兑现",
        dt.date(2023, 7, 13),
        "李科长",
    )
    broken = engine.settle_commitment(
        second.id, Actors.office, kept=False, on="2023-07-12", note="系统未改造完成"
    )
    assert (broken.state, broken.overdue, broken.settle_note) == ("broken", False, "系统未改造完成")
    assert engine.commitments(campaign.key, overdue=True) == []
    assert [c.id for c in engine.commitments(campaign.key, state="fulfilled")] == [first.id]

    with pytest.raises(InvalidInputError, match="不能再次认定"):
        engine.settle_commitment(first.id, BUREAU, kept=False, note="改口")
    assert _events(engine) == [
        ("add_commitment", "commitment", first.id, "open"),
        ("add_commitment", "commitment", second.id, "open"),
        ("settle_commitment", "commitment", first.id, "fulfilled"),
        ("settle_commitment", "commitment", second.id, "broken"),
    ]
    assert engine.verify_audit(campaign.key).ok


@pytest.mark.parametrize(
    ("actor", "unit", "fields", "error"),
    [
        (BUREAU, "market_regulation_bureau", {}, PermissionDeniedError),
        (Actors.supervision, HOUSING, {}, PermissionDeniedError),
        (Actors.office, "nowhere", {}, UnitNotFound),
        (Actors.office, HOUSING, {"due": dt.date(2023, 7, 1)}, InvalidInputError),  # before today
        (Actors.office, HOUSING, {"due": "下月底"}, InvalidInputError),
        (Actors.office, HOUSING, {"text": ""}, InvalidInputError),
    ],
)
def test_bad_commitments_are_refused_and_nothing_is_written(
    engine: Engine, campaign: CampaignView, actor: object, unit: str, fields: dict[str, object], error: type
) -> None:
    given = {"text": "限时办结", "due": dt.date(2023, 7, 31), **fields}
    events = _count(engine, EVENT)
    with pytest.raises(error) as caught:
        engine.add_commitment(campaign.key, actor, unit=unit, **given)  # type: ignore[arg-type]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(caught.value))
    assert (_count(engine, COMMITMENT), _count(engine, EVENT)) == (0, events)


def test_bad_settlements_are_refused_and_the_commitment_stays_open(
    engine: Engine, campaign: CampaignView
) -> None:
    c = engine.add_commitment(campaign.key, BUREAU, unit=HOUSING, text="限时办结", due=dt.date(2023, 7, 31))
    other = Actors.unit("market_regulation_bureau")
    events = _count(engine, EVENT)
    for call, error in [
        (lambda: engine.settle_commitment(c.id, other, kept=True), PermissionDeniedError),
        (lambda: engine.settle_commitment(c.id, BUREAU, kept=False), InvalidInputError),  # no reason
        (lambda: engine.settle_commitment(c.id, BUREAU, kept="yes"), InvalidInputError),  # type: ignore[arg-type]
        (lambda: engine.settle_commitment(c.id, BUREAU, kept=True, on="2023-07-01"), InvalidInputError),
        (lambda: engine.settle_commitment(c.id, BUREAU, kept=True, on="2099-01-01"), InvalidInputError),
        (lambda: engine.settle_commitment(424242, BUREAU, kept=True), CommitmentNotFound),
    ]:
        with pytest.raises(error):
            call()
    assert engine.commitments(campaign.key)[0].state == "open"
    assert _count(engine, EVENT) == events


def test_the_public_digest_publishes_the_commitments(
    engine: Engine, campaign: CampaignView, clock: VirtualClock, tmp_path: Path
) -> None:
    from zhenggai.adapters.reports.digest import write_digest

    kept = engine.add_commitment(
        campaign.key, BUREAU, unit=HOUSING, text="审批压缩至15个工作日", due="2023-07-05"
    )
    engine.add_commitment(
        campaign.key,
        Actors.office,
        unit="market_regulation_bureau",
        text="企业开办一日办结",
        due="2023-07-06",
    )
    clock.advance(dt.timedelta(days=7))
    engine.settle_commitment(kept.id, Actors.office, kept=True, note="王主任核实")
    paths = write_digest(engine, campaign.key, tmp_path)
    md = next(p for p in paths if p.suffix == ".md").read_text(encoding="utf-8")
    html = next(p for p in paths if p.suffix == ".html").read_text(encoding="utf-8")
    assert "## 践诺 · 单位承诺 (2 项)" in md
    assert "县住建局: 审批压缩至15个工作日" in md and "已兑现" in md
    assert "县市场监管局: 企业开办一日办结" in md and "逾期未兑现" in md
    assert 'id="commitments"' in html and html.count("逾期未兑现") == 1
    assert "王主任" not in md and "王主任" not in html  # officials and settling notes are not published
