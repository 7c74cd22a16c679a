"""Charts, the progress and case bulletins, and the unit ranking, read back from the files.

One campaign for the module: a small simulated county campaign (the simulation's items), plus
items made here with people's names, a reporter, hostile text, and three marked as typical
cases. Every file is read back (html.parser, python-docx, openpyxl) and compared with the
engine's own queries.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import numpy as np
import openpyxl
import pytest
from matplotlib import image as mpimg
from zhenggai.adapters._simulate import Simulation
from zhenggai.adapters.reports import charts
from zhenggai.adapters.reports.bulletin import write_cases, write_progress
from zhenggai.adapters.reports.charts import bar_chart, five_outcomes_charts, progress_charts, trend_chart
from zhenggai.adapters.reports.ranking import NO_RATE, co_tally, write_ranking
from zhenggai.engine import Actor, Engine, Reporter, ReporterKeys, UnitNotFound, VirtualClock
from zhenggai.engine.views import ItemView, ProgressReport
from zhenggai.testing import items_only, lead_by_name
from zhenggai.workflows import load_setup

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HOSTILE = "<script>alert('x')</script>[点我](http://evil.example) =cmd|' /C calc'!A0"
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")


@dataclass
class People:
    """The names and numbers put into the campaign by hand (none may reach a bulletin)."""

    leading_official: str = "孙领衔"
    unit_actor: str = "李科长"
    reporter: str = "周举报"
    reporter_phone: str = "13912345678"


@dataclass
class Populated:
    engine: Engine
    key: str
    people: People
    cases: list[int] = field(default_factory=list)


def finish_item(
    engine: Engine,
    key: str,
    *,
    title: str,
    description: str,
    measures: list[str],
    unit: str = "housing_construction_bureau",
    track: str = "construction",
    leading_official: str | None = None,
    unit_actor: str = "李科长",
    reporter: Reporter | None = None,
    office: Actor = OFFICE,
    verifier: Actor | None = None,
) -> ItemView:
    """Report an item and take it to 销号 on the built-in plan's lifecycle."""
    item = engine.report(
        key, office, title=title, description=description, track=track, channel="hotline", reporter=reporter
    )
    engine.assign(item.id, office, unit=unit)
    if leading_official is not None:  # 领衔: a roster person named by lead_item (issue 16)
        lead_by_name(engine, item.id, leading_official)
    actor = Actor(unit_actor, "responsible", unit)
    ids = [engine.add_measure(item.id, actor, text=text).id for text in measures]
    engine.start_rectification(item.id, actor)
    for measure_id in ids:
        engine.complete_measure(measure_id, actor)
    engine.submit_for_verification(item.id, actor)
    engine.verify(item.id, verifier or office)
    return engine.close(item.id, office)


def populate(folder: Path) -> Populated:
    """A simulated county campaign (80 items, June to mid-September 2023) and hand-made items
    (领衔 allowed after its phase: the hand-made items are led in September)."""
    plan = load_setup("county_2023")
    assert plan.leadership is not None
    setup = plan.model_copy(update={"leadership": plan.leadership.model_copy(update={"later": True})})
    sim = Simulation(
        setup,
        items=80,
        start=dt.date(2023, 6, 1),
        until=dt.date(2023, 9, 15),
        seed=11,
        out=io.StringIO(),
        timeline=False,
    )
    engine = Engine(
        f"sqlite:///{folder / 'reports.db'}", clock=sim.clock, seed=11, reporter_keys=ReporterKeys.generate()
    )
    sim.run(engine)
    key = "sim"
    people = People()
    populated = Populated(engine, key, people)
    hostile = finish_item(
        engine,
        key,
        title=f"审批超时 {HOSTILE}",
        description=f"群众反映审批超时, {HOSTILE}",
        measures=[f"整改措施 {HOSTILE}", "建立限时办结制度"],
        leading_official=people.leading_official,
        unit_actor=people.unit_actor,
        reporter=Reporter(name=people.reporter, phone=people.reporter_phone),
    )
    engine.mark_case(hostile.id, OFFICE, note=f"警示: {HOSTILE}")
    populated.cases.append(hostile.id)
    for item in [i for i in engine.items(key) if i.closed_at is not None][:2]:
        engine.mark_case(item.id, OFFICE, note=f"以案促改: {item.title}")
        populated.cases.append(item.id)
    return populated


@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Populated]:
    result = populate(tmp_path_factory.mktemp("reports"))
    try:
        yield result
    finally:
        result.engine.dispose()


# ------------------------------------------------------------------------------ reading


class Page(HTMLParser):
    """Everything a test checks in an HTML report: tags, attributes, text, tables by id."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.headings: list[tuple[str, str]] = []
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._heading: tuple[str, list[str]] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "table":
            self._table = attributes.get("id") or f"table{len(self.tables)}"
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag in ("h1", "h2", "h3"):
            self._heading = (tag, [])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag in ("h1", "h2", "h3") and self._heading is not None:
            self.headings.append((self._heading[0], "".join(self._heading[1]).strip()))
            self._heading = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._heading is not None:
            self._heading[1].append(data)

    @property
    def all_text(self) -> str:
        return "".join(self.text)


def read_page(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def assert_self_contained(page: Page, *, images: int) -> list[bytes]:
    """No script, no event handler, no link or source outside the page; ``images`` embedded
    PNGs that decode as PNGs. Returns their bytes."""
    assert page.tags[0][0] == "html" and page.tags[0][1].get("lang") == "zh-CN"
    assert ("meta", {"charset": "utf-8"}) in page.tags
    pngs: list[bytes] = []
    for tag, attributes in page.tags:
        assert tag not in ("script", "iframe", "object", "embed", "link", "base", "a"), tag
        assert not any(name.startswith("on") for name in attributes), (tag, attributes)
        assert "href" not in attributes and "style" not in attributes
        if tag == "img":
            src = attributes["src"] or ""
            assert src.startswith("data:image/png;base64,")
            png = base64.b64decode(src.removeprefix("data:image/png;base64,"), validate=True)
            assert png.startswith(PNG_SIGNATURE)
            assert mpimg.imread(io.BytesIO(png), format="png").shape[:2] == (450, 800)
            pngs.append(png)
        else:
            assert "src" not in attributes
    assert len(pngs) == images
    return pngs


def numbers(row: list[str]) -> list[int]:
    return [int(v) for v in row]


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def docx_text(document: Any) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def heading(paragraph: Any, level: int) -> bool:
    """Whether a docx paragraph is a heading of ``level`` (0: the title)."""
    style = paragraph.style
    return style is not None and style.name == ("Title" if level == 0 else f"Heading {level}")


def table_rows(table: Any) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


# ------------------------------------------------------------------------------- charts


def pixels(png: bytes) -> np.ndarray[Any, Any]:
    return np.asarray(mpimg.imread(io.BytesIO(png), format="png"))


def test_chinese_text_renders_as_glyphs_not_boxes() -> None:
    """Two titles of different Chinese characters draw different pixels (missing glyphs would
    all be the same box), in the title area, with no "Glyph missing" warning (warnings are
    errors here)."""
    first = pixels(bar_chart("问题按领域分布", ["破除隐性壁垒", "工程建设"], [3, 5]))
    second = pixels(bar_chart("整改销号情况", ["破除隐性壁垒", "工程建设"], [3, 5]))
    title_area = slice(0, 50)
    assert not np.array_equal(first[title_area], second[title_area])
    assert np.array_equal(first[200:330], second[200:330])  # the bars themselves are the same
    dark = first[title_area, :, :3].mean(axis=2) < 0.35
    assert dark.sum() > 300  # the title is drawn, in dark ink
    labels_a = pixels(bar_chart("标题", ["县教育局"], [4], horizontal=True))
    labels_b = pixels(bar_chart("标题", ["县民政局"], [4], horizontal=True))
    assert not np.array_equal(labels_a, labels_b)


def test_the_font_is_noto_sans_cjk() -> None:
    """The family the charts ask for resolves to a Noto Sans CJK file (the wheel's, unless the
    system has the same family installed)."""
    from matplotlib.font_manager import FontProperties, findfont

    bar_chart("注册字体", ["一"], [1])
    found = findfont(FontProperties(family=charts.CJK_FAMILY), fallback_to_default=False)
    assert Path(str(found)).name.startswith("NotoSansCJK")


def test_charts_can_be_drawn_from_several_threads() -> None:
    """No pyplot state: the same chart drawn in eight threads at once is the same PNG."""
    from concurrent.futures import ThreadPoolExecutor

    def draw(_: int) -> bytes:
        return bar_chart("问题按领域分布", ["破除隐性壁垒", "工程建设", "政务服务"], [3, 5, 2])

    expected = draw(0)
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(draw, range(16))) == {expected}


def test_charts_are_deterministic_pngs_without_dates(populated: Populated) -> None:
    report = populated.engine.progress(populated.key)
    first, second = progress_charts(report), progress_charts(report)
    assert [c.key for c in first] == ["by_track", "by_state", "by_light", "overdue_by_unit", "trend"]
    assert [c.png for c in first] == [c.png for c in second]
    for chart in first:
        assert chart.png.startswith(PNG_SIGNATURE)
        assert b"tIME" not in chart.png and b"matplotlib" not in chart.png.lower()


def test_the_light_chart_is_coloured_by_light() -> None:
    png = bar_chart(
        "预警",
        ["绿灯", "黄灯", "红灯"],
        [5, 3, 2],
        colours=[charts.LIGHT_COLOURS[k] for k in ("green", "yellow", "red")],
    )
    rgb = (pixels(png)[:, :, :3] * 255).round().astype(int).reshape(-1, 3)
    for colour in charts.LIGHT_COLOURS.values():
        wanted = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
        assert (np.abs(rgb - wanted).sum(axis=1) <= 3).sum() > 500, colour


def test_empty_charts_say_so() -> None:
    """No items yet: each chart is drawn with a note instead of bars or lines."""
    empty = bar_chart("问题按领域分布", [], [])
    nothing = bar_chart("问题按领域分布", ["甲"], [0])
    assert empty == nothing
    assert trend_chart("趋势", []).startswith(PNG_SIGNATURE)
    with pytest.raises(ValueError):
        bar_chart("x", ["甲", "乙"], [1])


# ------------------------------------------------------------------- progress bulletin


def test_progress_bulletin_html_is_self_contained_and_matches_the_engine(
    populated: Populated, tmp_path: Path
) -> None:
    engine, key = populated.engine, populated.key
    paths = write_progress(engine, key, tmp_path)
    report = engine.progress(key)
    html = next(p for p in paths if p.suffix == ".html")
    assert html.name == f"{report.campaign.title}-工作进展通报-{report.today:%Y%m%d}.html"
    page = read_page(html)
    pngs = assert_self_contained(page, images=7)  # five of progress, two of 五个一批
    assert pngs == [c.png for c in progress_charts(report)] + [
        c.png for c in five_outcomes_charts(engine.five_outcomes(key))
    ]
    assert "http" not in html.read_text(encoding="utf-8")
    assert page.tables["totals"][1] == [
        str(report.total),
        str(report.closed),
        str(report.open),
        str(report.overdue),
        percent(report.closed / report.total),
    ]
    assert [[r[0], int(r[1])] for r in page.tables["by-track"][1:]] == [
        [t.label, t.count] for t in report.by_track
    ]
    assert [[r[0], int(r[1])] for r in page.tables["by-state"][1:]] == [
        [t.label, t.count] for t in report.by_state
    ]
    assert [[r[0], int(r[1])] for r in page.tables["by-light"][1:]] == [
        [t.label, t.count] for t in report.by_light
    ]
    # 十、问题来源: every channel once, under the plan's mechanism it belongs to (named once).
    sources = page.tables["by-source"][1:]
    assert [[r[1], int(r[2])] for r in sources] == [[t.label, t.count] for t in report.by_source]
    assert sum(t.count for t in report.by_source) == report.total
    named = [r[0] for r in sources if r[0]]
    assert named == list(dict.fromkeys(t.mechanism or "其他" for t in report.by_source))
    assert [[r[0], *numbers(r[1:])] for r in page.tables["by-unit"][1:]] == [
        [
            u.unit_name,
            u.total,
            u.closed,
            u.open,
            u.overdue,
            u.red,
            u.yellow,
            u.supervised,
            u.closed_on_time,
            u.closed_late,
            u.reopened,
        ]
        for u in report.by_unit
    ]
    assert [[r[0], *numbers(r[1:])] for r in page.tables["trend"][1:]] == [
        [p.week_start.isoformat(), p.reported, p.closed, p.open] for p in report.trend
    ]
    assert f"共收集问题{report.total}件" in page.all_text
    assert [h for tag, h in page.headings if tag == "h2"] == [
        "一、总体情况",
        "二、分领域情况",
        "三、办理状态",
        "四、预警情况（未办结问题）",
        "五、各责任单位进展",
        "六、推进趋势（按周）",
        "七、“五个一批”成效",
        "八、“五个一批”分领域情况",
        "九、“五个一批”分单位情况",
        "十、问题来源（按工作机制）",
        "十一、督办情况（领导批示、延期、退单）",
        "十二、回访满意度（销号后回访举报人）",  # items with a reporter were closed (issue 17)
        "十三、月度考核（红黄牌）",
    ]
    # 督办情况 (issue 17): a line each for 延期申请 and 退单, the items with 领导批示 and their state
    extensions, backs = engine.extensions(key), engine.send_backs(key)
    approved = sum(e.state == "approved" for e in extensions)
    assert f"延期申请 {len(extensions)} 件 (待审批 " in page.all_text
    assert f"已批准 {approved} 件" in page.all_text
    insisted = sum(b.state == "insisted" for b in backs)
    assert f"退单 {len(backs)} 件 (" in page.all_text and f"坚持原交办 {insisted} 件" in page.all_text
    instructed = engine.instructions(key)
    assert instructed
    assert [[r[3], r[5], r[6]] for r in page.tables["supervision"][1:]] == [
        [i.leader, i.text, engine.item(i.item_id).state_label] for i in instructed
    ]


def test_progress_bulletin_docx_has_headings_tables_and_charts(populated: Populated, tmp_path: Path) -> None:
    engine, key = populated.engine, populated.key
    path = next(p for p in write_progress(engine, key, tmp_path) if p.suffix == ".docx")
    report = engine.progress(key)
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if heading(p, 1)]
    assert headings == [
        "一、总体情况",
        "二、分领域情况",
        "三、办理状态",
        "四、预警情况（未办结问题）",
        "五、各责任单位进展",
        "六、推进趋势（按周）",
        "七、“五个一批”成效",
        "八、“五个一批”分领域情况",
        "九、“五个一批”分单位情况",
        "十、问题来源（按工作机制）",
        "十一、督办情况（领导批示、延期、退单）",
        "十二、回访满意度（销号后回访举报人）",
        "十三、月度考核（红黄牌）",
    ]
    assert [p.text for p in document.paragraphs[:2]] == ["XX县干部作风整顿领导小组办公室", "第1期"]
    assert heading(document.paragraphs[2], 0)
    assert document.paragraphs[2].text == f"{report.campaign.title}工作进展通报"
    assert len(document.inline_shapes) == 7
    tables = [table_rows(t) for t in document.tables]
    assert tables[0][1] == [
        str(report.total),
        str(report.closed),
        str(report.open),
        str(report.overdue),
        percent(report.closed / report.total),
    ]
    by_unit = next(t for t in tables if t[0][0] == "责任单位")
    assert [[r[0], *numbers(r[1:])] for r in by_unit[1:]] == [
        [
            u.unit_name,
            u.total,
            u.closed,
            u.open,
            u.overdue,
            u.red,
            u.yellow,
            u.supervised,
            u.closed_on_time,
            u.closed_late,
            u.reopened,
        ]
        for u in report.by_unit
    ]
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert (
        fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋_GB2312"
    )


def test_progress_bulletin_for_one_unit_or_track(populated: Populated, tmp_path: Path) -> None:
    engine, key = populated.engine, populated.key
    report = engine.progress(key, unit="housing_construction_bureau")
    name = dict(engine.units(key))["housing_construction_bureau"]
    html = next(
        p
        for p in write_progress(engine, key, tmp_path, unit="housing_construction_bureau")
        if p.suffix == ".html"
    )
    assert html.name == f"{name}-工作进展通报-{report.today:%Y%m%d}.html"
    page = read_page(html)
    assert page.tables["totals"][1][:4] == [
        str(report.total),
        str(report.closed),
        str(report.open),
        str(report.overdue),
    ]
    assert [r[0] for r in page.tables["by-unit"][1:]] == [name]
    assert f"{name}共收集问题{report.total}件" in page.all_text
    by_track = engine.progress(key, track="construction")
    track_name = dict(engine.tracks(key))["construction"]
    html = next(p for p in write_progress(engine, key, tmp_path, track="construction") if p.suffix == ".html")
    assert html.name == f"{track_name}-工作进展通报-{report.today:%Y%m%d}.html"
    page = read_page(html)
    assert [[r[0], int(r[1])] for r in page.tables["by-track"][1:]] == [[track_name, by_track.total]]


def test_an_unknown_unit_writes_nothing(populated: Populated, tmp_path: Path) -> None:
    with pytest.raises(UnitNotFound):
        write_progress(populated.engine, populated.key, tmp_path / "out", unit="no_such_unit")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_progress_bulletin_of_a_campaign_without_items(tmp_path: Path) -> None:
    clock = VirtualClock(dt.datetime(2023, 7, 3, 1, tzinfo=dt.UTC))
    engine = Engine(f"sqlite:///{tmp_path / 'empty.db'}", clock=clock)
    try:
        engine.start_campaign(items_only(load_setup("county_2023")), key="empty")
        paths = write_progress(engine, "empty", tmp_path / "out")
        page = read_page(next(p for p in paths if p.suffix == ".html"))
        assert_self_contained(page, images=7)
        assert page.tables["totals"][1] == ["0", "0", "0", "0", "—"]
        assert "尚无交办到责任单位的问题。" in page.all_text
        assert len(docx.Document(str(next(p for p in paths if p.suffix == ".docx"))).inline_shapes) == 7
    finally:
        engine.dispose()


# ------------------------------------------------------------------------ case bulletin


def test_case_bulletin_prints_each_case_without_people(populated: Populated, tmp_path: Path) -> None:
    engine, key, people = populated.engine, populated.key, populated.people
    paths = write_cases(engine, key, tmp_path)
    cases = engine.cases(key)
    assert set(populated.cases) <= {c.id for c in cases} and len(cases) <= 10
    page = read_page(next(p for p in paths if p.suffix == ".html"))
    assert_self_contained(page, images=0)
    titles = [h for tag, h in page.headings if tag == "h2"]
    assert titles == [f"{n}、{c.title}" for n, c in zip("一二三四五六七八九十", cases, strict=False)]
    text = page.all_text
    for case in cases:
        assert case.unit_name is not None and case.unit_name in text
        assert case.track_name in text and case.description in text
        assert case.case_note is not None and case.case_note in text
        for measure in engine.measures(case.id):
            assert measure.text in text
    assert "已销号" in text and "案例点评" in text
    assert HOSTILE in text  # shown as text: the parser found no script tag above
    document = docx.Document(str(next(p for p in paths if p.suffix == ".docx")))
    assert [p.text for p in document.paragraphs if heading(p, 1)] == titles
    doc_text = docx_text(document)
    assert HOSTILE in doc_text
    for secret in (
        people.leading_official,
        people.reporter,
        people.reporter_phone,
        people.unit_actor,
        "王主任",
    ):
        assert secret not in text and secret not in doc_text


def test_case_bulletin_without_cases_says_so(populated: Populated, tmp_path: Path) -> None:
    engine, key = populated.engine, populated.key
    unit = next(u for u, _ in engine.units(key) if not engine.cases(key, unit=u))
    paths = write_cases(engine, key, tmp_path, unit=unit)
    page = read_page(next(p for p in paths if p.suffix == ".html"))
    assert "本期暂无典型案例" in page.all_text
    assert not [h for tag, h in page.headings if tag == "h2"]


# ------------------------------------------------------------------------------ ranking


def test_ranking_xlsx_and_html_follow_the_engine(populated: Populated, tmp_path: Path) -> None:
    engine, key = populated.engine, populated.key
    ranking = engine.ranking(key)
    paths = write_ranking(engine, key, tmp_path)
    xlsx = next(p for p in paths if p.suffix == ".xlsx")
    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet is not None
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A3:Q")
    assert [c.value for c in sheet[3]] == [
        "排名",
        "责任单位",
        "问题总数",
        "已办结",
        "按期销号",
        "按期办结率",
        "逾期未办结",
        "回头看重新整改",
        "挂牌督办",
        "协办分工",  # 主办/协办 (issue 17)
        "协办按期完成",
        "协办逾期",
        "延期次数",
        "退单次数",
        "退单被驳回",
        "回访数",  # 回访/满意度 (issue 17)
        "满意率",
    ]
    # issue 17: co-units' parts; approved extensions, send-backs and those ruled against the
    # unit; callbacks and the satisfaction rate, per unit
    co = co_tally(engine.parts(key))
    approved = Counter(e.unit for e in engine.extensions(key, state="approved"))
    backs = engine.send_backs(key)
    sent, insisted = Counter(b.unit for b in backs), Counter(b.unit for b in backs if b.state == "insisted")
    assert sum(approved.values()) > 0 and sum(sent.values()) > 0  # insisted: as the simulation drew
    satisfaction = {r.unit: r for r in engine.satisfaction(key)}
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert len(rows) == len(ranking)
    for row, unit in zip(rows, ranking, strict=True):
        rate = NO_RATE if unit.on_time_rate is None else pytest.approx(unit.on_time_rate)
        assert list(row) == [
            unit.rank,
            unit.unit_name,
            unit.total,
            unit.closed,
            unit.closed_on_time,
            rate,
            unit.overdue,
            unit.reopened,
            unit.supervised,
            *co.get(unit.unit, (0, 0, 0)),
            approved[unit.unit],
            sent[unit.unit],
            insisted[unit.unit],
            satisfaction[unit.unit].called if unit.unit in satisfaction else 0,
            "-"
            if satisfaction.get(unit.unit) is None or satisfaction[unit.unit].rate is None
            else pytest.approx(satisfaction[unit.unit].rate),
        ]
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    rates = [r.on_time_rate for r in ranking if r.on_time_rate is not None]
    assert rates == sorted(rates, reverse=True)
    assert sheet["F4"].number_format == "0.0%"
    page = read_page(next(p for p in paths if p.suffix == ".html"))
    assert_self_contained(page, images=0)
    assert page.tables["ranking"][1:] == [
        [
            str(u.rank),
            u.unit_name,
            str(u.total),
            str(u.closed),
            str(u.closed_on_time),
            percent(u.on_time_rate) if u.on_time_rate is not None else NO_RATE,
            str(u.overdue),
            str(u.reopened),
            str(u.supervised),
            *(str(n) for n in co.get(u.unit, (0, 0, 0))),
            str(approved[u.unit]),
            str(sent[u.unit]),
            str(insisted[u.unit]),
            str(satisfaction[u.unit].called if u.unit in satisfaction else 0),
            "-"
            if satisfaction.get(u.unit) is None or satisfaction[u.unit].rate is None
            else percent(satisfaction[u.unit].rate),
        ]
        for u in ranking
    ]


def test_ranking_neutralises_a_formula_looking_unit_name(tmp_path: Path) -> None:
    """A unit named like a formula stays text in the workbook, and plain text in the page."""
    hostile = '=HYPERLINK("http://evil.example","点我")'
    setup = items_only(load_setup("county_2023"))
    units = [
        u.model_copy(update={"name": hostile}) if u.id == "housing_construction_bureau" else u
        for u in setup.units
    ]
    clock = VirtualClock(dt.datetime(2023, 7, 3, 1, tzinfo=dt.UTC))
    engine = Engine(f"sqlite:///{tmp_path / 'hostile.db'}", clock=clock)
    try:
        engine.start_campaign(setup.model_copy(update={"units": units}), key="hostile")
        finish_item(engine, "hostile", title="审批超时", description="群众反映", measures=["限时办结"])
        paths = write_ranking(engine, "hostile", tmp_path / "out")
        sheet = openpyxl.load_workbook(next(p for p in paths if p.suffix == ".xlsx")).active
        assert sheet is not None
        cell = sheet["B4"]
        assert cell.data_type == "s" and cell.value == "'" + hostile
        page = read_page(next(p for p in paths if p.suffix == ".html"))
        assert_self_contained(page, images=0)
        assert page.tables["ranking"][1][1] == hostile
    finally:
        engine.dispose()


def test_file_names_from_hostile_titles_stay_in_the_folder(tmp_path: Path) -> None:
    setup = items_only(load_setup("county_2023")).model_copy(update={"title": "../../etc/passwd\x00 CON"})
    clock = VirtualClock(dt.datetime(2023, 7, 3, 1, tzinfo=dt.UTC))
    engine = Engine(f"sqlite:///{tmp_path / 'names.db'}", clock=clock)
    try:
        engine.start_campaign(setup, key="names")
        out = tmp_path / "out"
        paths = [
            *write_progress(engine, "names", out),
            *write_cases(engine, "names", out),
            *write_ranking(engine, "names", out),
        ]
        assert len(paths) == 6
        for path in paths:
            assert path.parent == out.resolve()
            assert "/" not in path.name and "\x00" not in path.name
        assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)
    finally:
        engine.dispose()


def test_report_pngs_match_what_the_chart_module_draws(populated: Populated) -> None:
    """The bulletin's numbers feed the charts: the by-track chart changes with the numbers."""
    report: ProgressReport = populated.engine.progress(populated.key)
    first = report.by_track[0]
    changed = dataclasses.replace(
        report, by_track=(dataclasses.replace(first, count=first.count + 7), *report.by_track[1:])
    )
    assert progress_charts(changed)[0].png != progress_charts(report)[0].png
    assert re.search(r"\d+ 件", progress_charts(report)[0].summary)
