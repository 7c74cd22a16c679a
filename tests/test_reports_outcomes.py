"""五个一批 in the reports: the dashboard in the progress bulletin, the 成效台账 workbook, the
晒成效 section of the public digest, the simulated campaign's outcome records, and the privacy
of the people held accountable in every file a unit or the public gets.

One campaign for the module: the simulation (which records outcomes with made-up names,
registers mechanisms, submits and selects practices, publishes cases) into the consolidation
phase, plus records made here. Every file is read back (html.parser, python-docx, openpyxl, the
xlsx/docx XML) and compared with the engine's own queries.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zhenggai.adapters._simulate import ACCOUNTABLE, Simulation
from zhenggai.adapters._tables import format_date
from zhenggai.adapters.cli import main
from zhenggai.adapters.reports import ReportError, write_reports
from zhenggai.adapters.reports.bulletin import write_progress
from zhenggai.adapters.reports.charts import (
    OUTCOME_UNITS,
    cumulative_chart,
    five_outcomes_charts,
    outcome_summary,
    target_chart,
)
from zhenggai.adapters.reports.digest import write_digest
from zhenggai.adapters.reports.registers import (
    MECHANISM_COLUMNS,
    NAMES_COLUMN,
    OUTCOME_COLUMNS,
    PRACTICE_COLUMNS,
    SHEETS,
    accountability_summary,
    registers_name,
    write_registers,
)
from zhenggai.engine import Actor, Engine, FiveOutcomes, OutcomeView
from zhenggai.workflows import load_setup

from tests.conftest import DemoRun

from .test_reports_bulletin import PNG_SIGNATURE, Page, assert_self_contained, read_page, table_rows
from .test_reports_ledger import _every_text

KEY = "sim"
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
HOUSING = "housing_construction_bureau"
HOUSING_ACTOR = Actor("李科长", "responsible", HOUSING)
PUBLICITY = Actor("宣传部联络人", "publicity", "publicity_department")
#: A person named here by hand (a hypothetical deputy director): must reach only a permitted reader.
NAMED = ("欧阳明轩", "县住建局副局长")
FORMULA_TITLE = '=HYPERLINK("http://evil.example")审批制度'
UNSELECTED = "未选入的做法: 不应公开"


@dataclass
class Campaign:
    engine: Engine
    db: Path
    named_item: int


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Campaign]:
    folder = tmp_path_factory.mktemp("outcomes")
    setup = load_setup("county_2023")
    sim = Simulation(
        setup,
        items=180,
        start=dt.date(2023, 6, 1),
        until=dt.date(2023, 10, 20),
        seed=11,
        out=io.StringIO(),
        timeline=False,
    )
    db = folder / "outcomes.db"
    engine = Engine(f"sqlite:///{db}", clock=sim.clock, seed=11)
    try:
        sim.run(engine)
        closed = next(
            i
            for i in engine.items(KEY, unit=HOUSING)
            if i.closed_at is not None and engine.outcome(i.id, OFFICE) is None
        )
        engine.record_outcome(
            closed.id,
            OFFICE,
            root_cause="审批环节无时限约束",
            accountability=[(NAMED[0], NAMED[1], "admonishment"), ("司马昭华", None, "talk_reminder")],
        )
        today = engine.clock.now().date()
        engine.register_mechanism(
            KEY,
            OFFICE,
            unit=HOUSING,
            title=FORMULA_TITLE,
            kind="rule",
            status="drafting",
            date=today,
            items=(closed.id,),
            track="construction",
            note="=1+1",
        )
        engine.submit_practice(KEY, HOUSING_ACTOR, title=UNSELECTED, summary="仅供内部交流")
        yield Campaign(engine, db, closed.id)
    finally:
        engine.dispose()


def outcomes_for(campaign: Campaign, actor: Actor = OFFICE) -> list[OutcomeView]:
    return campaign.engine.outcomes(KEY, actor)


def accountable_names(campaign: Campaign) -> set[str]:
    """Everyone named in an accountability outcome (read as the office, which may)."""
    return {e.person for o in outcomes_for(campaign) for e in o.accountability}


# ------------------------------------------------------------------------------ the records


def test_the_simulation_left_records_for_every_outcome(campaign: Campaign) -> None:
    """Guard for what follows: outcomes with made-up names, mechanisms, practices (some
    selected), published cases."""
    engine = campaign.engine
    names = accountable_names(campaign)
    assert names & set(ACCOUNTABLE) and NAMED[0] in names
    assert len(engine.mechanisms(KEY)) >= 3
    practices = engine.practices(KEY)
    assert any(p.selected for p in practices) and any(not p.selected for p in practices)
    assert [c for c in engine.cases(KEY) if c.case_published_at is not None]
    five = engine.five_outcomes(KEY)
    assert all(t.count > 0 for t in five.totals), five.totals


def test_the_dashboard_counts_the_records(campaign: Campaign) -> None:
    """engine.five_outcomes against counting the views one by one, and the definition's targets."""
    engine = campaign.engine
    five = engine.five_outcomes(KEY)
    items = engine.items(KEY)
    final = engine.lifecycle(KEY).final_states
    counted = {
        "problems_found": len(items),
        "cases_published": sum(
            i.case_marked_at is not None and i.case_published_at is not None for i in items
        ),
        "people_educated": sum(e.attendees for e in engine.educations(KEY)),
        "problems_solved": sum(i.state in final and i.closed_at is not None for i in items),
        "mechanisms_established": sum(m.status in ("established", "amended") for m in engine.mechanisms(KEY)),
    }
    assert {t.key: t.count for t in five.totals} == counted
    setup = engine.definition(KEY)
    assert setup is not None and setup.outcomes is not None
    assert [t.target for t in five.totals] == [setup.outcomes.targets.target(t.key) for t in five.totals]
    for key, _, tallies in five.by_track:
        track_items = [i for i in items if i.track == key]
        assert tallies[0].count == len(track_items)
    assert sum(tallies[0].count for _, _, tallies in five.by_track) == counted["problems_found"]


# ------------------------------------------------------------------------------------ charts


def test_the_target_chart_is_a_deterministic_png() -> None:
    labels = ["排查发现问题线索", "通报曝光典型案例", "健全长效机制"]
    first = target_chart(
        "“五个一批”目标完成情况", labels, [120, 4, 12], [300, 10, None], units=["件", "起", "项"]
    )
    assert first == target_chart(
        "“五个一批”目标完成情况", labels, [120, 4, 12], [300, 10, None], units=["件", "起", "项"]
    )
    assert first.startswith(PNG_SIGNATURE) and b"tIME" not in first and b"matplotlib" not in first.lower()
    assert first != target_chart(
        "“五个一批”目标完成情况", labels, [121, 4, 12], [300, 10, None], units=["件", "起", "项"]
    )
    assert target_chart("空", [], [], []).startswith(PNG_SIGNATURE)
    with pytest.raises(ValueError):
        target_chart("x", ["甲"], [1, 2], [None])
    weeks = [dt.date(2023, 6, 5) + dt.timedelta(weeks=n) for n in range(3)]
    assert cumulative_chart("趋势", weeks, [("甲", [1, 2, 3])]).startswith(PNG_SIGNATURE)
    assert cumulative_chart("趋势", [], []).startswith(PNG_SIGNATURE)
    with pytest.raises(ValueError):
        cumulative_chart("趋势", weeks, [("甲", [1, 2])])


def test_the_five_outcome_charts_say_what_they_show(campaign: Campaign) -> None:
    five = campaign.engine.five_outcomes(KEY)
    charts = five_outcomes_charts(five)
    assert [c.key for c in charts] == ["five_outcomes", "five_outcomes_trend"]
    for tally in five.totals:
        assert outcome_summary(tally.key, tally.label, tally.count, tally.target) in charts[0].summary
    assert (
        outcome_summary("problems_found", "排查发现问题线索", 120, 300)
        == "排查发现问题线索 120/300 件 (40.0%)"
    )
    assert (
        outcome_summary("mechanisms_established", "健全长效机制", 7, None) == "健全长效机制 7 项 (未设目标)"
    )
    assert [c.png for c in charts] == [c.png for c in five_outcomes_charts(five)]
    last_week, last = five.trend[-1]
    assert last == tuple(t.count for t in five.totals)  # cumulative to now
    assert last_week.isoformat() in charts[1].summary


# ------------------------------------------------------------------------- progress bulletin


def five_rows(five: FiveOutcomes) -> list[list[str]]:
    return [
        [
            t.label,
            str(t.count),
            "未设" if t.target is None else str(t.target),
            "—" if not t.target else f"{t.count / t.target * 100:.1f}%",
        ]
        for t in five.totals
    ]


def cell(count: int, target: int | None) -> str:
    return str(count) if target is None else f"{count}/{target}"


def test_the_progress_bulletin_shows_the_dashboard_of_the_engine(campaign: Campaign, tmp_path: Path) -> None:
    engine = campaign.engine
    paths = write_progress(engine, KEY, tmp_path)
    five = engine.five_outcomes(KEY)
    page = read_page(next(p for p in paths if p.suffix == ".html"))
    pngs = assert_self_contained(page, images=7)
    assert pngs[5:] == [c.png for c in five_outcomes_charts(five)]
    assert page.tables["five-outcomes"][0] == ["成效", "数量", "目标", "完成率"]
    assert page.tables["five-outcomes"][1:] == five_rows(five)
    assert page.tables["five-by-track"][1:] == [
        [name, *(cell(t.count, t.target) for t in tallies)] for _, name, tallies in five.by_track
    ]
    assert page.tables["five-by-unit"][1:] == [
        [name, *(cell(t.count, t.target) for t in tallies)] for _, name, tallies in five.by_unit
    ]
    assert "“五个一批”：排查发现问题线索" in page.all_text
    assert ("figure", {"id": "chart-five_outcomes"}) in page.tags
    document = docx.Document(str(next(p for p in paths if p.suffix == ".docx")))
    tables = [table_rows(t) for t in document.tables]
    totals = next(t for t in tables if t[0] == ["成效", "数量", "目标", "完成率"])
    assert totals[1:] == five_rows(five)
    assert len(document.inline_shapes) == 7
    assert "七、“五个一批”成效" in [p.text for p in document.paragraphs]


@pytest.mark.parametrize("scope", [{"unit": HOUSING}, {"track": "construction"}])
def test_a_scoped_bulletin_shows_the_scoped_dashboard(
    campaign: Campaign, tmp_path: Path, scope: dict[str, str]
) -> None:
    engine = campaign.engine
    paths = write_progress(engine, KEY, tmp_path, **scope)
    five = engine.five_outcomes(KEY, **scope)
    assert five.totals != engine.five_outcomes(KEY).totals
    page = read_page(next(p for p in paths if p.suffix == ".html"))
    assert page.tables["five-outcomes"][1:] == five_rows(five)
    if "track" in scope:  # the track's own targets (by_track in the definition)
        assert page.tables["five-outcomes"][1][2] == "50"
    else:  # a unit has no targets
        assert {row[2] for row in page.tables["five-outcomes"][1:]} == {"未设"}


# ---------------------------------------------------------------------------------- registers


def sheet(path: Path, name: str) -> list[list[Any]]:
    workbook = openpyxl.load_workbook(path)
    rows = [list(r) for r in workbook[name].iter_rows(values_only=True)]
    return rows


def day(value: Any) -> dt.date:
    assert isinstance(value, dt.datetime)
    return value.date()


def test_the_registers_equal_the_engine(campaign: Campaign, tmp_path: Path) -> None:
    engine = campaign.engine
    tz = engine.campaign(KEY).timezone
    [path] = write_registers(engine, KEY, tmp_path)
    title = engine.campaign(KEY).title
    assert path.name == registers_name(title) == f"{title}-成效台账.xlsx"
    assert openpyxl.load_workbook(path).sheetnames == list(SHEETS)
    tracks = dict(engine.tracks(KEY))

    rows = sheet(path, "长效机制台账")
    assert rows[0][0] == f"{title}长效机制台账" and rows[2] == [c.heading for c in MECHANISM_COLUMNS]
    mechanisms = engine.mechanisms(KEY)
    numbers = {i.id: i.number for i in engine.items(KEY)}
    assert all(n.startswith("ZG-") for n in numbers.values())
    assert [[r[0], r[1], r[2], r[3], r[4], r[5], day(r[6]), r[7], r[8]] for r in rows[3:]] == [
        [
            n,
            m.unit_name,
            tracks[m.track] if m.track else None,
            m.title,
            m.kind_label,
            m.status_label,
            m.date,
            "、".join(numbers[i] for i in m.items) or None,
            m.note,
        ]
        if not m.title.startswith("=")
        else [
            n,
            m.unit_name,
            tracks[m.track] if m.track else None,
            "'" + m.title,
            m.kind_label,
            m.status_label,
            m.date,
            "、".join(numbers[i] for i in m.items),
            "'" + (m.note or ""),
        ]
        for n, m in enumerate(mechanisms, 1)
    ]
    assert f"共 {len(mechanisms)} 项" in rows[1][0]

    rows = sheet(path, "典型做法和创新案例")
    assert rows[2] == [c.heading for c in PRACTICE_COLUMNS]
    import zoneinfo

    practices = engine.practices(KEY)
    assert [[r[0], r[1], r[2], r[3], r[4], day(r[5]), r[6]] for r in rows[3:]] == [
        [
            n,
            p.unit_name,
            tracks[p.track] if p.track else None,
            p.title,
            p.summary,
            p.submitted_at.astimezone(zoneinfo.ZoneInfo(tz)).date(),
            "是" if p.selected else "否",
        ]
        for n, p in enumerate(practices, 1)
    ]
    assert f"选入晒成效 {sum(p.selected for p in practices)} 项" in rows[1][0]

    rows = sheet(path, "问责处理情况")
    assert rows[2] == [c.heading for c in OUTCOME_COLUMNS]
    held = [o for o in outcomes_for(campaign) if o.people]
    items = {i.id: i for i in engine.items(KEY)}
    assert [r for r in rows[3:]] == [
        [
            items[o.item_id].number,
            items[o.item_id].title,
            items[o.item_id].unit_name,
            accountability_summary(o),
            o.people,
        ]
        for o in held
    ]
    assert f"{sum(o.people for o in held)} 人" in rows[1][0]


def test_accountability_is_summed_up_by_kind() -> None:
    from zhenggai.engine import AccountabilityEntry

    outcome = OutcomeView(
        item_id=1,
        root_cause=None,
        people=3,
        mechanisms=(),
        recorded_by="x",
        recorded_at=dt.datetime(2023, 8, 1, tzinfo=dt.UTC),
        named=False,
        accountability=(
            AccountabilityEntry("", None, "admonishment", "诫勉"),
            AccountabilityEntry("", None, "criticism", "批评教育"),
            AccountabilityEntry("", None, "admonishment", "诫勉"),
        ),
    )
    assert accountability_summary(outcome) == "诫勉 2 人、批评教育 1 人"


def all_cells(path: Path) -> str:
    workbook = openpyxl.load_workbook(path)
    return "\n".join(str(v) for ws in workbook for row in ws.iter_rows(values_only=True) for v in row if v)


def test_the_registers_name_people_only_for_a_reader_who_may_read_them(
    campaign: Campaign, tmp_path: Path
) -> None:
    engine = campaign.engine
    names = accountable_names(campaign)
    events = len(engine.events(campaign=KEY))
    for n, reader in enumerate((None, HOUSING_ACTOR, PUBLICITY)):
        [path] = write_registers(engine, KEY, tmp_path / str(n), actor=reader)
        rows = sheet(path, "问责处理情况")
        assert rows[2] == [c.heading for c in OUTCOME_COLUMNS]
        text = "\n".join(text for _, text in _every_text(path.parent))
        assert not [name for name in names if name in text], reader
    assert len(engine.events(campaign=KEY)) == events  # nobody read the names: no read audited

    [path] = write_registers(engine, KEY, tmp_path / "office", actor=OFFICE)
    rows = sheet(path, "问责处理情况")
    assert rows[2] == [c.heading for c in (*OUTCOME_COLUMNS, NAMES_COLUMN)]
    assert "含被问责人员姓名" in rows[1][0]
    held = [o for o in outcomes_for(campaign) if o.people]
    assert [r[5] for r in rows[3:]] == [
        "\n".join(
            f"{e.person}" + (f" ({e.position})" if e.position else "") + f": {e.outcome_label}"
            for e in o.accountability
        )
        for o in held
    ]
    assert f"{NAMED[0]} ({NAMED[1]}): 诫勉" in all_cells(path)
    read = [e for e in engine.events(campaign=KEY)[events:] if e.trigger == "read_named_people"]
    assert read and read[-1].actor == OFFICE.name  # the read that named them is audited


def test_the_registers_for_one_unit_and_through_write_reports(campaign: Campaign, tmp_path: Path) -> None:
    engine = campaign.engine
    [path] = write_reports(engine, KEY, "registers", tmp_path, unit=HOUSING)
    unit_name = dict(engine.units(KEY))[HOUSING]
    assert path.name == f"{engine.campaign(KEY).title}-{unit_name}-成效台账.xlsx"
    assert {r[1] for r in sheet(path, "长效机制台账")[3:]} == {unit_name}
    assert {r[2] for r in sheet(path, "问责处理情况")[3:]} == {unit_name}
    assert len(sheet(path, "问责处理情况")[3:]) == len(
        [o for o in engine.outcomes(KEY, OFFICE, unit=HOUSING) if o.people]
    )
    [path] = write_reports(engine, KEY, "registers", tmp_path / "track", track="construction")
    assert {r[2] for r in sheet(path, "长效机制台账")[3:]} == {dict(engine.tracks(KEY))["construction"]}
    with pytest.raises(ReportError, match="只用于成效台账"):
        write_reports(engine, KEY, "ledger", tmp_path / "x", actor=OFFICE)
    assert not (tmp_path / "x").exists()


def test_the_cli_names_people_only_with_a_permitted_actor(campaign: Campaign, tmp_path: Path) -> None:
    def report(*extra: str) -> str:
        out = tmp_path / str(len(list(tmp_path.iterdir())))
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
            code = main(
                [
                    "--db",
                    str(campaign.db),
                    "report",
                    "registers",
                    "--campaign",
                    KEY,
                    "--out",
                    str(out),
                    *extra,
                ]
            )
        assert code == 0, err.getvalue()
        [path] = out.iterdir()
        return all_cells(path)

    assert NAMED[0] not in report()
    assert NAMED[0] not in report("--actor", "李科长", "--role", "responsible", "--as-unit", HOUSING)
    assert NAMED[0] in report(
        "--actor", OFFICE.name, "--role", OFFICE.role, "--as-unit", "discipline_commission"
    )
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
        code = main(
            [
                "--db",
                str(campaign.db),
                "report",
                "progress",
                "--out",
                str(tmp_path / "p"),
                "--actor",
                OFFICE.name,
                "--role",
                OFFICE.role,
            ]
        )
    assert code == 1 and "只用于成效台账" in err.getvalue()


# ------------------------------------------------------------------------------------- digest


def test_the_digest_shows_selected_practices_and_published_cases(
    campaign: Campaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = campaign.engine

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the digest read an outcome")

    monkeypatch.setattr(engine, "outcome", refuse)
    monkeypatch.setattr(engine, "outcomes", refuse)
    paths = write_digest(engine, KEY, tmp_path)
    page = read_page(next(p for p in paths if p.suffix == ".html"))
    md = next(p for p in paths if p.suffix == ".md").read_text(encoding="utf-8")
    assert_self_contained(page, images=0)
    tracks = dict(engine.tracks(KEY))
    selected = engine.practices(KEY, selected=True)
    assert page.tables["practices"][1:] == [
        [str(n), p.title, p.unit_name, tracks[p.track] if p.track else "", p.summary]
        for n, p in enumerate(selected, 1)
    ]
    published = sorted(
        (c for c in engine.cases(KEY) if c.case_published_at is not None),
        key=lambda c: (c.case_published_at, c.id),
    )
    assert page.tables["published-cases"][1:] == [
        [str(n), c.title, c.unit_name, c.case_published_where, format_date(c.case_published_at)]
        for n, c in enumerate(published, 1)
        if c.case_published_at is not None
    ]
    assert f"## 晒成效 · 典型做法和创新案例 ({len(selected)} 项)" in md
    assert f"## 晒成效 · 通报曝光典型案例 ({len(published)} 起)" in md
    text = page.all_text + md
    assert UNSELECTED not in text
    for practice in engine.practices(KEY):
        assert practice.submitted_by not in text
    monkeypatch.undo()
    assert not [name for name in accountable_names(campaign) if name in text]


def test_a_digest_without_outcomes_says_so(tmp_path: Path) -> None:
    from zhenggai.engine import VirtualClock
    from zhenggai.testing import items_only

    engine = Engine(
        f"sqlite:///{tmp_path / 'empty.db'}", clock=VirtualClock(dt.datetime(2023, 7, 3, 1, tzinfo=dt.UTC))
    )
    try:
        engine.start_campaign(items_only(load_setup("county_2023")), key="empty")
        paths = write_digest(engine, "empty", tmp_path / "out")
        page = read_page(next(p for p in paths if p.suffix == ".html"))
        assert "暂无选入晒成效的典型做法。" in page.all_text and "暂无已通报曝光的典型案例。" in page.all_text
        assert "practices" not in page.tables and "published-cases" not in page.tables
        registers = write_registers(engine, "empty", tmp_path / "out")
        assert [len(sheet(registers[0], name)) for name in SHEETS] == [3, 3, 3, 3]  # title, 截至, header
    finally:
        engine.dispose()


# ----------------------------------------------------------------------------------- privacy

#: Surnames and given-name characters no report text uses otherwise, so a name found is a leak.
SURNAMES = ("欧阳", "司马", "诸葛", "上官", "皇甫", "尉迟", "公孙", "慕容", "令狐", "端木")
GIVEN = "翀彧珣璟昶琰玥骞翊晞泓澍霈煜"
names = st.builds(
    lambda surname, given: surname + given,
    st.sampled_from(SURNAMES),
    st.text(alphabet=GIVEN, min_size=1, max_size=2),
)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    people=st.lists(
        st.tuples(
            names,
            st.sampled_from((None, "副局长", "股长")),
            st.sampled_from(("talk_reminder", "admonishment", "discipline")),
        ),
        min_size=1,
        max_size=3,
        unique_by=lambda p: p[0],
    )
)
def test_no_person_held_accountable_appears_in_any_unit_facing_or_public_output(
    campaign: Campaign, people: list[tuple[str, str | None, str]]
) -> None:
    """Generated names recorded as accountability entries reach no file of ``report all``
    written for no one (ledger, 一报告四清单, bulletins, ranking, digest, registers) and no audit
    event; the registers made for the office do name them (so the check can fail)."""
    engine = campaign.engine
    entries = [(name, f"县住建局{post}" if post else None, outcome) for name, post, outcome in people]
    engine.record_outcome(campaign.named_item, OFFICE, root_cause="制度缺失", accountability=entries)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        files = write_reports(engine, KEY, "all", out)
        assert {p.suffix for p in files} == {".xlsx", ".docx", ".html", ".md"}
        texts = list(_every_text(out))
        assert len(texts) > 50
        for where, text in texts:
            for name, _, _ in people:
                assert name not in text, (where, name)
        events = json.dumps([e.data for e in engine.events(campaign=KEY)], ensure_ascii=False)
        for name, _, _ in people:
            assert name not in events
        [named] = write_registers(engine, KEY, out / "office", actor=OFFICE)
        text = all_cells(named)
        assert all(name in text for name, _, _ in people)


# --------------------------------------------------------------------------------------- demo


def test_the_demo_shows_the_dashboard_and_the_digest_its_cases(demo: DemoRun) -> None:
    """`zhenggai demo --reports DIR`: the bulletin's 五个一批 computed from the simulated
    records, the registers workbook, and a digest with selected practices and published cases,
    none of the made-up people held accountable anywhere."""
    reports = demo.reports
    assert demo.code == 0, demo.err
    text = demo.out
    summary = text[text.index("【模拟汇总】") :]
    found = re.search(r"\n问题 (\d+) 件\n", summary)  # reported, and found by 督查 visits
    assert found is not None
    assert f"五个一批 (数量/目标): 排查发现问题线索 {found.group(1)}/300" in summary
    assert (
        "  长效机制 " in summary
        and "选入晒成效" in summary
        and "警示教育 " in summary
        and " 人次\n" in summary
    )
    assert "践诺承诺 " in summary and "逾期未兑现" in summary
    assert "成效台账.xlsx" in text

    bulletin = read_page(next(reports.glob("*工作进展通报*.html")))
    rows = bulletin.tables["five-outcomes"][1:]
    assert [r[0] for r in rows] == [
        "排查发现问题线索",
        "通报曝光典型案例",
        "警示教育党员干部",
        "解决难点堵点",
        "健全长效机制",
    ]
    assert all(int(r[1]) > 0 for r in rows), rows
    assert all(r[2] != "未设" for r in rows)
    assert len(bulletin.tables["five-by-unit"]) > 5
    registers = next(reports.glob("*成效台账.xlsx"))
    assert openpyxl.load_workbook(registers).sheetnames == list(SHEETS)
    assert all(len(sheet(registers, name)) > 3 for name in SHEETS)

    digest: Page = read_page(next(reports.glob("*践诺晒成效*.html")))
    assert len(digest.tables["practices"]) > 1 and len(digest.tables["published-cases"]) > 1
    for where, content in _every_text(reports):
        for name in ACCOUNTABLE:
            assert name not in content, (where, name)
    assert not [
        p for p in reports.rglob("*") if p.is_file() and p.suffix not in (".xlsx", ".docx", ".html", ".md")
    ]
    assert OUTCOME_UNITS["people_educated"] == "人"
