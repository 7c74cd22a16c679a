"""Word templates (issue 14, point 1): every .docx report is a docxtpl template filled in; the
built-in templates are written by ``zhenggai report templates`` and a county's own folder
(``--templates`` or ``[reports] templates``) replaces them kind by kind. Also the definition's
密级/紧急程度/主送 per kind of document (``reports:``).

Documents are read back with python-docx (the LibreOffice renders are in
``test_reports_rendered.py``)."""

from __future__ import annotations

import datetime as dt
import io
import json
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.shared import Cm
from zhenggai.adapters.reports import ReportError, write_reports
from zhenggai.adapters.reports._templates import TEMPLATE_FILES, builtin_template
from zhenggai.adapters.reports.bulletin import write_progress
from zhenggai.engine import Actor, ConfigError, DefinitionError, Engine, VirtualClock
from zhenggai.notifications.config import report_templates
from zhenggai.testing import items_only
from zhenggai.workflows import builtin_path, load_setup
from zhenggai.workflows.schema import DocumentMarksSpec, ReportsSpec

from tests.test_cli import Cli, cli, db, init  # noqa: F401  (fixtures)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
ISSUER = "XX县干部作风整顿领导小组办公室"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One SQLite campaign ``t`` with a few assigned items (reports are read-only on it), and a
    campaign ``marked`` whose definition sets 密级/紧急程度/主送 for the progress bulletin."""
    folder = tmp_path_factory.mktemp("templates")
    clock = VirtualClock(dt.datetime(2023, 7, 3, 9, tzinfo=SHANGHAI))
    eng = Engine(folder / "zg.db", clock=clock)
    setup = items_only(load_setup("county_2023"))
    eng.start_campaign(setup, key="t")
    marks = ReportsSpec(
        progress_bulletin=DocumentMarksSpec(
            classification="秘密", secrecy_term="1年", urgency="特急", recipients="各乡镇党委、县直各单位"
        )
    )
    eng.start_campaign(setup.model_copy(update={"reports": marks}), key="marked")
    for key in ("t", "marked"):
        for n, unit in enumerate(
            ("housing_construction_bureau", "housing_construction_bureau", "finance_bureau")
        ):
            item = eng.report(
                key,
                OFFICE,
                title=f"问题{n}",
                description="审批超时 <&> 未办结",
                track="construction",
                channel="hotline",
            )
            eng.fire(item.id, "assign", OFFICE, unit=unit, due=dt.date(2023, 8, 1))
    yield eng
    eng.dispose()


def paragraphs(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def docx_of(files: list[Path], word: str) -> Path:
    return next(f for f in files if f.suffix == ".docx" and word in f.name)


def county_template(path: Path, *, body_styles: bool = True, text: str = "XX县委督查室专用") -> Path:
    """A county's own template, as a clerk makes one in Word: fixed text, some fields, the body,
    a page of other margins; without the body's heading styles when ``body_styles`` is false."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(3.0)
    document.add_paragraph(text)
    document.add_paragraph("{{ issuer }}（{{ issue }}）")
    document.add_paragraph("{{ title }}")
    document.add_paragraph("{{ recipients }}：")
    document.add_paragraph("{{p body }}")
    document.add_paragraph("{{ issuer }}　{{ date }}")
    section.footer.paragraphs[0].text = "县委督查室印发"
    if not body_styles:
        styles = document.styles.element
        for style in list(styles):
            name = style.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}name")
            if name is not None and name.get(
                "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val"
            ) in ("heading 1", "heading 2"):
                styles.remove(style)
    document.save(str(path))
    return path


# ------------------------------------------------------------------------- built-in templates


def test_the_cli_writes_the_built_in_templates_and_their_fields(cli: Cli, tmp_path: Path) -> None:
    """``zhenggai report templates --out DIR``: the three templates and 模板说明.txt; each
    template carries the 公文 parts as fields; needs no database or actor."""
    result = cli("report", "templates", "--out", str(tmp_path / "模板"), "--json")
    assert result.code == 0, result.err
    files = [Path(f) for f in json.loads(result.out)["files"]]
    assert sorted(f.name for f in files) == sorted([*TEMPLATE_FILES.values(), "模板说明.txt"])
    text = {f.name: "\n".join(paragraphs(f)) for f in files if f.suffix == ".docx"}
    for name in ("工作进展通报.docx", "典型案例通报.docx"):
        for field in (
            "{%p if classification %}",
            "{{ urgency }}",
            "{{r masthead }}",
            "{{ issue }}",
            "{{ title }}",
            "{{ recipients }}：",
            "{{p body }}",
            "{{p signature }}",
        ):
            assert field in text[name], (name, field)
    assert "{{r masthead }}" not in text["自查报告.docx"] and "{{p signature }}" in text["自查报告.docx"]
    notes = (tmp_path / "模板" / "模板说明.txt").read_text(encoding="utf-8")
    assert "{{ classification }}" in notes and "[reports] templates" in notes
    refused = cli("report", "templates", "--out", str(tmp_path / "x"), "--unit", "县住建局")
    assert refused.code == 1 and "--unit" in refused.err


def test_the_exported_templates_give_the_same_documents_as_the_built_in_ones(
    engine: Engine, tmp_path: Path
) -> None:
    """The built-in templates are the templates: filling the exported files gives the same text."""
    folder = tmp_path / "模板"
    folder.mkdir()
    for kind, name in TEMPLATE_FILES.items():
        (folder / name).write_bytes(builtin_template(kind))
    plain = write_reports(engine, "t", "all", tmp_path / "a")
    county = write_reports(engine, "t", "all", tmp_path / "b", templates=folder)
    for word in ("工作进展通报", "典型案例通报", "自查报告"):
        assert paragraphs(docx_of(plain, word)) == paragraphs(docx_of(county, word)), word


def test_a_built_in_bulletin_is_filled_in_and_escaped(engine: Engine, tmp_path: Path) -> None:
    """No field is left unfilled; text with ``<&>`` arrives as text (the .docx opens); no
    classification → no empty lines above the 发文机关标志."""
    files = write_progress(engine, "t", tmp_path, issuer="A&B<县>办公室", recipients="甲&乙")
    text = paragraphs(docx_of(files, "工作进展通报"))
    joined = "\n".join(text)
    assert "{{" not in joined and "{%" not in joined
    assert text[0] == "A&B<县>办公室"  # the masthead is the first paragraph
    assert "甲&乙：" in text
    assert text[-2:] == ["A&B<县>办公室", "二〇二三年七月三日"]


# ------------------------------------------------------------------ 密级, 紧急程度, 主送


def test_the_definition_s_marks_are_printed_above_the_masthead(engine: Engine, tmp_path: Path) -> None:
    files = write_progress(engine, "marked", tmp_path)
    text = [t for t in paragraphs(docx_of(files, "工作进展通报")) if t]
    assert text[:3] == ["秘密★1年", "特急", ISSUER]
    assert "各乡镇党委、县直各单位：" in text
    # The case bulletin of the same campaign sets none: the default 主送, no marks.
    cases = write_reports(engine, "marked", "cases", tmp_path / "cases")
    case_text = [t for t in paragraphs(docx_of(cases, "典型案例通报")) if t]
    assert case_text[0] == ISSUER and "各成员单位：" in case_text


def test_the_self_check_report_is_addressed_to_the_office_and_signed_by_the_unit(
    engine: Engine, tmp_path: Path
) -> None:
    files = write_reports(engine, "t", "unit-pack", tmp_path, unit="housing_construction_bureau")
    text = [t for t in paragraphs(docx_of(files, "自查报告")) if t]
    assert text[0] == "县住建局关于2023年持续深化作风整顿优化营商环境专项行动的自查报告"
    assert text[1] == f"{ISSUER}："
    assert text[-2:] == ["县住建局", "二〇二三年七月三日"]
    assert "一、基本情况" in text and "四、下一步工作" in text


@pytest.mark.parametrize(
    "marks, message",
    [
        ("{classification: 秘密, secrecy_term: 1年, urgency: 紧急}", "urgency"),
        ("{classification: 保密}", "classification"),
        ("{secrecy_term: 1年}", "保密期限"),
        ("{classification: 内部, secrecy_term: 6个月}", "保密期限"),
        ("{recipients: 各单位, colour: red}", "colour"),
    ],
)
def test_bad_marks_in_a_definition_are_refused_at_their_line(
    tmp_path: Path, marks: str, message: str
) -> None:
    source = builtin_path("county_2023").read_text(encoding="utf-8")
    given = "  progress_bulletin: {recipients: 各成员单位}\n"
    assert source.count(given) == 1
    path = tmp_path / "plan.yaml"
    path.write_text(source.replace(given, f"  progress_bulletin: {marks}\n"), encoding="utf-8")
    line = source[: source.index(given)].count("\n") + 1
    with pytest.raises(DefinitionError) as caught:
        load_setup(path)
    problems = "\n".join(caught.value.problems)
    assert message in problems and f"plan.yaml:{line}" in problems


# ------------------------------------------------------------------------- county templates


def test_a_county_template_replaces_its_kind_and_the_others_stay_built_in(
    engine: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "模板"
    folder.mkdir()
    county_template(folder / "工作进展通报.docx")
    files = write_reports(engine, "t", "all", tmp_path / "out", templates=folder)
    progress = docx.Document(str(docx_of(files, "工作进展通报")))
    text = [p.text for p in progress.paragraphs]
    assert text[0] == "XX县委督查室专用"
    assert text[1] == f"{ISSUER}（第1期）"
    assert "各成员单位：" in text and "一、总体情况" in text
    assert progress.sections[-1].footer.paragraphs[0].text == "县委督查室印发"
    assert text[-1].startswith(ISSUER) and text[-1].endswith("二〇二三年七月三日")
    # Its page: a landscape table returns to the template's margins, not the built-in ones.
    orientations = [s.orientation for s in progress.sections]
    assert WD_ORIENT.LANDSCAPE in orientations
    for section in progress.sections:
        if section.orientation == WD_ORIENT.PORTRAIT:
            assert abs(section.left_margin - Cm(3.0)) < Cm(0.01)
    # The case bulletin had no county template: the built-in one, 内部 as county_2023 marks it.
    cases = [t for t in paragraphs(docx_of(files, "典型案例通报")) if t]
    assert cases[:2] == ["内部", ISSUER]


def test_a_county_template_without_the_heading_styles_gets_the_built_in_ones(
    engine: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "模板"
    folder.mkdir()
    county_template(folder / "自查报告.docx", body_styles=False)
    assert "Heading 1" not in docx.Document(str(folder / "自查报告.docx")).styles
    files = write_reports(
        engine, "t", "unit-pack", tmp_path / "out", templates=folder, unit="housing_construction_bureau"
    )
    report = docx.Document(str(docx_of(files, "自查报告")))
    headings = [p.text for p in report.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、基本情况", "二、存在的问题", "三、整改措施", "四、下一步工作"]


@pytest.mark.parametrize(
    "field, message",
    [
        ("{{ sender }}", "未知字段"),
        ("{% if title %}", "模板语法错误"),
        ("{{ title.__class__.__mro__ }}", "不允许"),
        ("{{ title.format.__globals__ }}", "不允许"),
    ],
)
def test_a_bad_county_template_is_refused_and_nothing_is_written(
    engine: Engine, tmp_path: Path, field: str, message: str
) -> None:
    """An unknown field, a syntax error or a reach into Python: one error naming the template,
    and not one report written (the ledger before it included)."""
    folder = tmp_path / "模板"
    folder.mkdir()
    county_template(folder / "工作进展通报.docx", text=field)
    out = tmp_path / "out"
    with pytest.raises(ReportError) as caught:
        write_reports(engine, "t", "all", out, templates=folder)
    assert "工作进展通报.docx" in str(caught.value) and message in str(caught.value)
    assert not out.exists()


def test_a_file_that_is_not_a_docx_an_oversized_one_and_a_missing_folder_are_refused(
    engine: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "模板"
    folder.mkdir()
    (folder / "典型案例通报.docx").write_text("不是 Word 文件", encoding="utf-8")
    with pytest.raises(ReportError, match=r"典型案例通报\.docx 不是有效的 \.docx"):
        write_reports(engine, "t", "cases", tmp_path / "out", templates=folder)
    with (folder / "典型案例通报.docx").open("r+b") as oversized:  # sparse: no 20 MB written
        oversized.truncate(20 * 1024 * 1024 + 1)
    with pytest.raises(ReportError, match=r"典型案例通报\.docx 超过 20 MB"):
        write_reports(engine, "t", "cases", tmp_path / "out", templates=folder)
    with pytest.raises(ReportError, match=r"模板目录 .* 不存在"):
        write_reports(engine, "t", "cases", tmp_path / "out", templates=tmp_path / "无此目录")
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------- the operations config


def test_the_config_names_the_template_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``[reports] templates``: relative to the config file; a missing folder or an unknown
    setting is a ConfigError naming the setting; no config, no folder."""
    monkeypatch.delenv("ZHENGGAI_CONFIG", raising=False)
    (tmp_path / "公文模板").mkdir()
    config = tmp_path / "zhenggai.toml"
    config.write_text('[reports]\ntemplates = "公文模板"\n', encoding="utf-8")
    assert report_templates(config) == tmp_path / "公文模板"
    assert report_templates(None) is None
    config.write_text('[reports]\ntemplates = "无此目录"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"reports\.templates"):
        report_templates(config)
    config.write_text('[reports]\ntemplate = "公文模板"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"reports\.template\b"):
        report_templates(config)
    config.write_text('[email]\nhost = "x"\n', encoding="utf-8")
    assert report_templates(config) is None


def test_the_report_command_takes_the_folder_from_the_config(cli: Cli, db: str, tmp_path: Path) -> None:
    """``zhenggai report progress --config FILE`` fills the county's template; ``--templates``
    wins over the config."""
    init(cli, db)
    county = tmp_path / "公文模板"
    county.mkdir()
    county_template(county / "工作进展通报.docx", text="配置文件中的模板")
    other = tmp_path / "另一套"
    other.mkdir()
    county_template(other / "工作进展通报.docx", text="命令行给出的模板")
    config = tmp_path / "zhenggai.toml"
    config.write_text(f'[reports]\ntemplates = "{county}"\n', encoding="utf-8")
    result = cli(
        "--db", db, "report", "progress", "--config", str(config), "--out", str(tmp_path / "a"), "--json"
    )
    assert result.code == 0, result.err
    first = paragraphs(docx_of([Path(f) for f in json.loads(result.out)["files"]], "工作进展通报"))
    assert first[0] == "配置文件中的模板"
    result = cli(
        "--db",
        db,
        "report",
        "progress",
        "--config",
        str(config),
        "--templates",
        str(other),
        "--out",
        str(tmp_path / "b"),
        "--json",
    )
    assert result.code == 0, result.err
    second = paragraphs(docx_of([Path(f) for f in json.loads(result.out)["files"]], "工作进展通报"))
    assert second[0] == "命令行给出的模板"
    bad = cli(
        "--db", db, "report", "progress", "--templates", str(tmp_path / "无"), "--out", str(tmp_path / "c")
    )
    assert bad.code == 1 and "模板目录" in bad.err and not (tmp_path / "c").exists()


def test_template_bytes_are_made_once() -> None:
    """The built-in templates are made on first use and reused (each a valid .docx)."""
    for kind in TEMPLATE_FILES:
        assert builtin_template(kind) is builtin_template(kind)
        docx.Document(io.BytesIO(builtin_template(kind)))
