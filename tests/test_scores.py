"""考核 / 红黄牌 (issue 17 point 7): each term counted per unit and month from recorded events
(small campaigns, the clock moved day by day), the card thresholds, the notice to the carded
unit's 一把手 only, the month-end step and an idempotent recompute, the checks, the 考核表 xlsx
and the CLI; SQLite and PostgreSQL. A property: total = base + Σ count × points."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from zhenggai.engine import Actor, Engine, InvalidInputError, NewContact, PermissionDeniedError, VirtualClock
from zhenggai.engine._scores import card_of, total_of
from zhenggai.engine.checks import check_setup
from zhenggai.testing import items_only
from zhenggai.workflows import load_setup
from zhenggai.workflows.schema import SCORE_TERMS, CardThresholds, ScoringSpec

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
HOUSING = "housing_construction_bureau"
NATURAL = "natural_resources_bureau"
CLERK = Actor("李科员", "responsible", HOUSING)
OTHER_CLERK = Actor("周科员", "responsible", NATURAL)
LEADER = Actor("周组长", "track_group_leader")
SUPERVISION = Actor("督查一组", "supervision_team", "organization_department")


def at(day: str, hh: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hh, tzinfo=SHANGHAI)


#: The rule these tests count with (fixed here: the built-in plan's points are 县定 and tuned).
TEST_SCORING = ScoringSpec(
    base=100,
    terms={
        "closed_on_time": 1,
        "overdue_day": -0.5,
        "listed_supervision": -5,
        "accountability": -10,
        "extension": -1,
        "send_back_ruled_against": -2,
        "unsatisfied": -3,
        "part_late": -2,
    },
    cards=CardThresholds(yellow=80, red=60),
)


def setup_with(scoring: ScoringSpec | None = None):  # type: ignore[no-untyped-def]
    return items_only(load_setup("county_2023")).model_copy(update={"scoring": scoring or TEST_SCORING})


def person(engine: Engine, unit: str, name: str, role: str) -> int:
    entry = NewContact(unit=unit, name=name, role=role, email=f"p{abs(hash(name)) % 10**8}@x.gov.cn")
    return engine.add_contact("test", OFFICE, entry).id


@pytest.fixture
def people(engine: Engine, clock: VirtualClock) -> dict[str, int]:
    clock.set(at("2023-07-20"))
    engine.start_campaign(setup_with(), key="test")
    return {
        "principal": person(engine, HOUSING, "张局长", "unit_principal"),
        "clerk": person(engine, HOUSING, "李科员", "contact"),
        "other_principal": person(engine, NATURAL, "刘局长", "unit_principal"),
        "office": person(engine, "discipline_commission", "王主任", "leading_group_office"),
    }


def assigned(engine: Engine, unit: str, due: str, title: str = "施工许可审批超时") -> int:
    item = engine.report(
        "test", OFFICE, title=title, description="审批超过承诺时限", track="construction", channel="hotline"
    ).id
    engine.assign(item, OFFICE, unit=unit, due=due)
    return item


def close(engine: Engine, item: int, unit: str) -> None:
    actor = Actor("联络员", "responsible", unit)
    measure = engine.add_measure(item, actor, text="七个工作日内办结")
    engine.start_rectification(item, actor)
    engine.complete_measure(measure.id, actor)
    engine.submit_for_verification(item, actor)
    engine.verify(item, SUPERVISION)
    engine.close(item, OFFICE)


def days(first: str, last: str):  # type: ignore[no-untyped-def]
    day = dt.date.fromisoformat(first)
    while day <= dt.date.fromisoformat(last):
        yield day.isoformat()
        day += dt.timedelta(days=1)


def terms(row) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {t.term: t.count for t in row.terms}


def test_each_term_counted_from_recorded_events_and_the_month_end_step(
    engine: Engine, people: dict[str, int], clock: VirtualClock
) -> None:
    clock.set(at("2023-07-31"))
    on_time = assigned(engine, HOUSING, "2023-08-10")
    assigned(engine, HOUSING, "2023-08-10", "另一件")
    for day in days("2023-08-01", "2023-08-31"):  # the ladder fires on its days
        clock.set(at(day, 1))
        engine.sweep()
        if day == "2023-08-09":
            clock.set(at(day, 10))
            close(engine, on_time, HOUSING)
    clock.set(at("2023-08-31", 20))
    by_unit = {r.unit: r for r in engine.scores("test", "2023-08")}
    housing = by_unit[HOUSING]
    # overdue: 11, 14-18, 21-25, 28-31 August (working days after the 10th); 挂牌督办 on the 5th
    # working day after, 问责 on the 15th; the item closed on the 9th was on time
    assert terms(housing) == {
        "closed_on_time": 1,
        "overdue_day": 15,
        "listed_supervision": 1,
        "accountability": 1,
        "extension": 0,
        "send_back_ruled_against": 0,
        "unsatisfied": 0,
        "part_late": 0,
    }
    assert housing.total == 100 + 1 - 7.5 - 5 - 10 == 78.5
    assert (housing.card, housing.card_label, housing.rank) == ("yellow", "黄牌", len(by_unit))
    assert by_unit[NATURAL].total == 100 and by_unit[NATURAL].card is None
    assert not housing.stored and engine.stored_scores("test", month="2023-08") == []
    assert [m for m in engine.outbox("test") if m.kind == "score_card"] == []  # counting writes nothing
    # the month-end step: the first working day of September (a Friday)
    clock.set(at("2023-09-01", 1))
    report = engine.sweep()
    assert f"score_card:{HOUSING}" in report.events
    stored = {r.unit: r for r in engine.stored_scores("test", month="2023-08")}
    assert stored[HOUSING].total == 78.5 and stored[HOUSING].card == "yellow" and stored[HOUSING].stored
    assert terms(stored[HOUSING]) == terms(housing)
    notices = [m for m in engine.outbox("test") if m.kind == "score_card"]
    assert [m.contact_id for m in notices] == [people["principal"]]  # the 一把手 only
    assert notices[0].payload["card_label"] == "黄牌" and notices[0].payload["total"] == "78.5"
    (event,) = [
        e
        for e in engine.events(campaign="test")
        if e.trigger == "score_month" and e.data["month"] == "2023-08"
    ]
    assert event.data["cards"] == {HOUSING: "yellow"} and event.data["totals"][HOUSING] == 78.5
    # storing the month again changes nothing and tells nobody again
    again = engine.store_scores("test", OFFICE, "2023-08")
    assert {r.unit: r.total for r in again} == {u: r.total for u, r in stored.items()}
    assert len([m for m in engine.outbox("test") if m.kind == "score_card"]) == 1
    assert len([e for e in engine.events(campaign="test") if e.trigger == "score_month"]) == 2  # July, August


def test_extensions_and_insisted_send_backs_count_and_a_red_card(engine: Engine, clock: VirtualClock) -> None:
    scoring = ScoringSpec(
        terms={"extension": -30, "send_back_ruled_against": -25}, cards=CardThresholds(yellow=80, red=60)
    )
    clock.set(at("2023-07-20"))
    engine.start_campaign(setup_with(scoring), key="test")
    principal = person(engine, NATURAL, "刘局长", "unit_principal")
    person(engine, HOUSING, "张局长", "unit_principal")
    clock.set(at("2023-08-01"))
    extended = assigned(engine, NATURAL, "2023-08-21")
    sent = assigned(engine, NATURAL, "2023-08-31", "另一件")
    ext = engine.request_extension(extended, OTHER_CLERK, new_due="2023-09-15", reason="多部门会商")
    engine.decide_extension(ext.id, LEADER, approve=True)
    engine.decide_extension(ext.id, OFFICE, approve=True)
    back = engine.send_back(sent, OTHER_CLERK, reason="not_our_duty")
    engine.rule_send_back(back.id, OFFICE, decision="insist")
    refused = engine.request_extension(sent, OTHER_CLERK, new_due="2023-09-20", reason="再议")
    engine.decide_extension(refused.id, LEADER, approve=False, note="理由不充分")  # a refusal counts nothing
    clock.set(at("2023-09-04"))
    with pytest.raises(PermissionDeniedError):
        engine.store_scores("test", OTHER_CLERK, "2023-08")
    rows = {r.unit: r for r in engine.store_scores("test", OFFICE, "2023-08")}
    assert terms(rows[NATURAL]) == {"extension": 1, "send_back_ruled_against": 1}
    assert (rows[NATURAL].total, rows[NATURAL].card, rows[NATURAL].rank) == (45, "red", len(rows))
    assert rows[HOUSING].total == 100 and rows[HOUSING].rank == 1
    (notice,) = [m for m in engine.outbox("test") if m.kind == "score_card"]
    assert notice.contact_id == principal and notice.payload["card_label"] == "红牌"
    # July: nothing happened then
    assert {r.total for r in engine.scores("test", "2023-07")} == {100}


def test_bad_months_and_no_scoring_are_refused(engine: Engine, clock: VirtualClock) -> None:
    clock.set(at("2023-07-20"))
    engine.start_campaign(items_only(load_setup("county_2023")), key="test")
    with pytest.raises(InvalidInputError, match="考核"):
        engine.scores("test", "2023-07")
    engine.start_campaign(setup_with(), key="scored")
    for month, words in (("2023-13", "YYYY-MM"), ("2023-8", "YYYY-MM"), ("2023-09", "尚未开始")):
        with pytest.raises(InvalidInputError, match=words):
            engine.scores("scored", month)


def test_checks_name_unknown_terms_thresholds_out_of_order_and_a_county_role() -> None:
    setup = load_setup("county_2023")
    assert setup.scoring is not None and check_setup(setup) == []
    bad = ScoringSpec(
        terms={"closed_on_time": 1, "smiles": 2},
        caps={"overdue_day": 10, "closed_on_time": 0},
        cards=CardThresholds(yellow=60, red=70),
        to="leading_group_office",
        notify="no_such_message",
    )
    problems = check_setup(setup.model_copy(update={"scoring": bad}))
    assert any(p.startswith("scoring.terms.smiles: 未知考核项 smiles") for p in problems)
    assert any(p.startswith("scoring.cards: 红牌分数线 (70) 须低于黄牌分数线 (60)") for p in problems)
    assert any(p.startswith("scoring.to:") and "不属于单位" in p for p in problems)
    assert "scoring.caps.overdue_day: 考核项 overdue_day 未在 terms 中给出分值, 不能设上限" in problems
    assert "scoring.caps.closed_on_time: 上限须大于 0 (现为 0)" in problems
    unknown = check_setup(setup.model_copy(update={"scoring": bad.model_copy(update={"to": "nobody"})}))
    assert "scoring.to: 未知角色 nobody" in unknown


@given(
    base=st.integers(-100, 200),
    table=st.dictionaries(
        st.sampled_from(sorted(SCORE_TERMS)),
        st.tuples(
            st.integers(-40, 40).map(lambda n: n / 4), st.integers(0, 50), st.none() | st.integers(1, 30)
        ),
        min_size=1,
    ),
    floor=st.none() | st.integers(-50, 50),
)
def test_total_is_base_plus_counts_times_points(
    base: int, table: dict[str, tuple[float, int, int | None]], floor: int | None
) -> None:
    """total = max(floor, base + Σ count × points, each term within its cap either way)."""
    spec = ScoringSpec(
        base=base,
        terms={t: p for t, (p, _, _) in table.items()},
        caps={t: c for t, (_, _, c) in table.items() if c is not None},
        floor=floor,
        cards=CardThresholds(yellow=80, red=60),
    )
    counts = {t: n for t, (_, n, _) in table.items()}
    total = total_of(spec, counts)
    raw = base + sum(n * p if c is None else max(-c, min(c, n * p)) for p, n, c in table.values())
    assert total == pytest.approx(raw if floor is None else max(floor, raw), abs=0.005)
    assert card_of(spec, total) == ("red" if total < 60 else "yellow" if total < 80 else None)


def test_xlsx_and_cli(
    engine: Engine,
    people: dict[str, int],
    clock: VirtualClock,
    tmp_path: Path,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from zhenggai.adapters import _context
    from zhenggai.adapters.cli import main

    monkeypatch.setattr(_context, "Engine", lambda db, **kw: Engine(db, **{**kw, "clock": clock}))
    clock.set(at("2023-08-01"))
    assigned(engine, HOUSING, "2023-08-10")
    clock.set(at("2023-09-04"))
    base = ["--db", db_url]
    target = tmp_path / "考核表.xlsx"
    assert main([*base, "score", "month", "--month", "2023-08", "--xlsx", str(target)]) == 0
    out = capsys.readouterr().out
    assert "试算" in out and "92.5" in out and engine.stored_scores("test") == []
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    header = [c.value for c in sheet[3]]
    assert header[:2] == ["排名", "责任单位"] and header[-2:] == ["总分", "红黄牌"]
    assert "逾期工作日" in header and "逾期工作日得分" in header
    rows = {
        r[1]: r for r in ([c.value for c in line] for line in sheet.iter_rows(min_row=4)) if r[0] is not None
    }
    housing = next(r for name, r in rows.items() if "住" in str(name))
    assert housing[header.index("总分")] == 92.5 and housing[header.index("逾期工作日")] == 15
    assert housing[header.index("逾期工作日得分")] == -7.5 and housing[header.index("红黄牌")] == "无"
    assert len(rows) == len(engine.scores("test", "2023-08"))
    assert sheet.page_setup.orientation == "landscape" and sheet.freeze_panes == "A4"
    # storing needs a person of the office
    assert main([*base, "score", "month", "--month", "2023-08", "--store"]) == 1
    capsys.readouterr()
    office = ["--actor", "王主任", "--role", "leading_group_office", "--as-unit", "discipline_commission"]
    assert main([*base, "score", "month", "--month", "2023-08", "--store", *office]) == 0
    assert "已确定" in capsys.readouterr().out
    assert main([*base, "score", "list", "--unit", HOUSING]) == 0
    out = capsys.readouterr().out
    assert "2023-08" in out and "92.5" in out and "自然资源" not in out
    assert main([*base, "score", "month", "--month", "2023-13"]) == 1
    assert "YYYY-MM" in capsys.readouterr().err
    # the progress bulletin's 考核 section: the last stored month
    from zhenggai.adapters.reports.bulletin import write_progress

    html = next(p for p in write_progress(engine, "test", tmp_path / "通报") if p.suffix == ".html")
    text = html.read_text(encoding="utf-8")
    assert "、月度考核（红黄牌）" in text and "2023-08 月度考核" in text and "92.5" in text


def test_a_late_part_counts_against_the_co_unit_in_the_months_score(
    engine: Engine, people: dict[str, int], clock: VirtualClock
) -> None:
    """考核's ``part_late``: a part due in the month and not done by its due date (done late, or
    still open after it) counts against the co-unit, not the lead; a waived one does not."""
    clock.set(at("2023-07-20"))
    item = assigned(engine, HOUSING, "2023-08-31")
    late = engine.add_co_unit(item, OFFICE, unit=NATURAL, part="核实用地", due="2023-08-01")
    waived = engine.add_co_unit(item, OFFICE, unit="finance_bureau", part="核实资金", due="2023-08-02")
    engine.waive_part(waived.id, OFFICE, note="已由主办单位一并核实")
    clock.set(at("2023-08-03"))
    engine.complete_part(late.id, Actor("周科员", "responsible", NATURAL))  # two days late

    def part_late(month: str) -> dict[str, int]:
        rows = engine.scores("test", month)
        return {r.unit: t.count for r in rows for t in r.terms if t.term == "part_late" and t.count}

    assert part_late("2023-08") == {NATURAL: 1}
    assert part_late("2023-07") == {}
    (row,) = [r for r in engine.scores("test", "2023-08") if r.unit == NATURAL]
    (term,) = [t for t in row.terms if t.term == "part_late"]
    assert (term.label, term.points) == ("协办逾期", -2)
