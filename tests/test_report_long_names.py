"""Report file names are cut by bytes, not characters (issue 13, point 6): a unit named with
85 Chinese characters (255 bytes before the rest of the name) made ``zhenggai report all``
fail with ``OSError [Errno 36] File name too long``. Every file is now written, every name at
most 255 bytes of UTF-8, readable, and two long names that differ only past the cut stay
two files."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import docx
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from zhenggai.adapters.cli import main
from zhenggai.adapters.reports._files import MAX_NAME_BYTES, fit_name
from zhenggai.engine import Actor, Engine, VirtualClock
from zhenggai.testing import items_only
from zhenggai.workflows import builtin_path, load_setup

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
KEY = "long"
#: Two unit names of 85 characters that differ only in their last one (past any cut).
LONG_HOUSING = ("县" + "住房和城乡建设局城市更新与老旧小区改造工程项目审批服务保障" * 3)[:84] + "甲"
LONG_SERVICE = LONG_HOUSING[:84] + "乙"
#: A campaign title of 150 characters (the schema allows 200).
LONG_TITLE = "2023年持续深化作风整顿优化营商环境专项行动" * 6
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
HOUSING, SERVICE = "housing_construction_bureau", "government_service_center"


def test_names_are_long_enough_to_matter() -> None:
    assert len(LONG_HOUSING) == 85 and len(LONG_HOUSING.encode()) == 255
    assert len(LONG_TITLE) <= 200


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A campaign from a definition file whose two units have 85-character names, with one item
    assigned to each, on 2023-07-04."""
    folder = tmp_path_factory.mktemp("long")
    text = builtin_path("county_2023").read_text(encoding="utf-8")
    text = text.replace("name: 县住建局,", f"name: {LONG_HOUSING},").replace(
        "name: 县政务服务中心,", f"name: {LONG_SERVICE},"
    )
    text = text.replace("\ntitle: 2023年持续深化作风整顿优化营商环境专项行动\n", f"\ntitle: {LONG_TITLE}\n")
    definition = folder / "long.yaml"
    definition.write_text(text, encoding="utf-8")
    setup = load_setup(definition)
    assert {u.name for u in setup.units} >= {LONG_HOUSING, LONG_SERVICE} and setup.title == LONG_TITLE
    path = folder / "zhenggai.db"
    clock = VirtualClock(dt.datetime(2023, 7, 3, 9, tzinfo=SHANGHAI))
    engine = Engine(path, clock=clock)
    try:
        engine.start_campaign(items_only(setup), key=KEY)
        first = engine.report(
            KEY,
            OFFICE,
            title="竣工验收久拖不决",
            description="某安置房项目竣工验收拖延三个月。",
            track="construction",
            channel="department_referral",
        )
        second = engine.report(
            KEY,
            OFFICE,
            title="窗口一次性告知不落实",
            description="未一次性告知所需材料。",
            track="government_services",
            channel="undercover_check",
        )
        clock.set(dt.datetime(2023, 7, 4, 9, tzinfo=SHANGHAI))
        engine.preliminary_check(first.id, OFFICE, finding="初核属实")  # 部门联动: 移送初核 first
        engine.assign(first.id, OFFICE, unit=HOUSING, due=dt.date(2023, 8, 15))
        engine.assign(second.id, OFFICE, unit=SERVICE, due=dt.date(2023, 8, 23))
    finally:
        engine.dispose()
    return path


def _check_written(out: Path, printed: str) -> list[Path]:
    files = sorted(p for p in out.rglob("*") if p.is_file())
    assert files, printed
    for path in files:
        assert len(path.name.encode("utf-8")) <= MAX_NAME_BYTES, path.name
        assert str(path.resolve()) in printed  # listed as written
        if path.suffix == ".xlsx":
            assert openpyxl.load_workbook(path).sheetnames
        elif path.suffix == ".docx":
            assert docx.Document(str(path)).paragraphs
        else:
            assert path.read_text(encoding="utf-8")
    assert not [p for p in out.rglob(".*")]  # no staging folder or temporary file left behind
    return files


@pytest.mark.parametrize("scope", [[], ["--unit", HOUSING]])
def test_report_all_writes_every_file(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, scope: list[str]
) -> None:
    out = tmp_path / "报告"
    code = main(["--db", str(db), "report", "all", "--campaign", KEY, *scope, "--out", str(out)])
    printed, err = capsys.readouterr()
    assert code == 0, err
    files = _check_written(out, printed)
    names = [p.name for p in files]
    assert any(name.endswith("-整改台账.xlsx") for name in names)
    assert any(name.endswith("-成效台账.xlsx") for name in names)
    packs = sorted(p.name for p in files if p.parent.name == "一报告四清单")
    reports = [n for n in packs if n.endswith("-自查报告.docx")]
    assert len(reports) == (1 if scope else 2)  # the two long names stay two files
    assert all(n.startswith(LONG_HOUSING[:40]) for n in packs)
    assert len(packs) == 2 * len(reports)


@given(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=400),
    st.sampled_from(["-自查报告.docx", "-整改台账.xlsx", ".html", ""]),
)
def test_fit_name(stem: str, end: str) -> None:
    """At most 255 bytes, never a split character, unchanged when it fits, the end kept."""
    name = stem + end
    fitted = fit_name(name)
    assert len(fitted.encode("utf-8")) <= MAX_NAME_BYTES
    assert fit_name(fitted) == fitted and fit_name(name) == fitted
    if len(name.encode("utf-8")) <= MAX_NAME_BYTES:
        assert fitted == name
    elif end:
        assert fitted.endswith(end)


def test_fit_name_keeps_long_names_apart() -> None:
    first, second = fit_name(LONG_HOUSING + "-自查报告.docx"), fit_name(LONG_SERVICE + "-自查报告.docx")
    assert first != second
    assert first.endswith("-自查报告.docx") and first.startswith(LONG_HOUSING[:60])
