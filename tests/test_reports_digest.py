"""The public digest (践诺 / 晒成效): only publishable facts, redaction that holds, hostile text
neutralised, and the redaction file's errors in Chinese. Files are read back as text and with
html.parser."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zhenggai.adapters.reports._files import ReportError
from zhenggai.adapters.reports.digest import (
    NAME_MARK,
    SECRET_MARK,
    Redaction,
    Redactor,
    markdown_text,
    write_digest,
)
from zhenggai.engine import Actor, Engine, Reporter, ReporterKeys, VirtualClock
from zhenggai.testing import items_only
from zhenggai.workflows import load_setup
from zhenggai.workflows.schema import ContactSpec

from .test_reports_bulletin import (
    HOSTILE,
    OFFICE,
    Populated,
    assert_self_contained,
    finish_item,
    populate,
    read_page,
)

NAMED_TITLE = "孙领衔督办的审批超时问题, 联系电话 138-1234-5678"
NAMED_MEASURE = "由李科长负责整改, 邮箱 li.kezhang@example.gov.cn, 身份证 11010519491231002X"


@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Populated]:
    """The bulletin tests' campaign, plus one item whose texts name people and numbers."""
    result = populate(tmp_path_factory.mktemp("digest"))
    people = result.people
    finish_item(
        result.engine,
        result.key,
        title=NAMED_TITLE,
        description=f"{people.reporter}反映, 电话 {people.reporter_phone}",
        measures=[NAMED_MEASURE],
        leading_official=people.leading_official,
        unit_actor=people.unit_actor,
    )
    try:
        yield result
    finally:
        result.engine.dispose()


def digest_files(
    populated: Populated, out: Path, redaction: Redaction | None = None
) -> tuple[str, str, Path]:
    paths = write_digest(populated.engine, populated.key, out, redaction=redaction)
    html = next(p for p in paths if p.suffix == ".html")
    md = next(p for p in paths if p.suffix == ".md")
    title = populated.engine.campaign(populated.key).title
    assert html.stem == md.stem and html.stem.startswith(f"{title}-践诺晒成效-")
    return html.read_text(encoding="utf-8"), md.read_text(encoding="utf-8"), html


def closed_items(populated: Populated) -> list[int]:
    return [i.id for i in populated.engine.items(populated.key, state="closed")]


# ---------------------------------------------------------------------------- content


def test_digest_counts_come_from_the_engine_and_list_every_closed_item(
    populated: Populated, tmp_path: Path
) -> None:
    engine, key = populated.engine, populated.key
    report = engine.progress(key)
    _, md, path = digest_files(populated, tmp_path)
    page = read_page(path)
    assert_self_contained(page, images=0)
    closed = closed_items(populated)
    summary = (
        f"共收集问题 {report.total} 件, 已办结 {report.closed} 件 (办结率 {report.closed / report.total * 100:.1f}%),"
        f" 正在整改 {report.open} 件; 其中已整改到位并销号 {len(closed)} 件"
    )
    assert summary in page.all_text
    assert markdown_text(summary) in md
    assert [[r[0], int(r[1])] for r in page.tables["by-track"][1:]] == [
        [t.label, t.count] for t in report.by_track
    ]
    for track in report.by_track:
        assert f"| {markdown_text(track.label)} | {track.count} |" in md
    assert sum(1 for tag, _ in page.headings if tag == "h3") == len(closed)
    assert f"## 已销号问题 ({len(closed)} 件)" in md
    assert len(re.findall(r"^### \d+\\\. ", md, re.MULTILINE)) == len(closed)
    plain = next(engine.item(i) for i in closed if "模拟" in engine.item(i).title)
    assert plain.title in page.all_text and markdown_text(plain.title) in md
    assert plain.unit_name is not None and plain.unit_name in page.all_text
    assert plain.description not in page.all_text  # a complaint's details are not published


def test_digest_never_reads_reporters_nor_prints_people(
    populated: Populated, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the digest read a reporter")

    monkeypatch.setattr(populated.engine, "read_reporter", refuse)
    html, md, path = digest_files(populated, tmp_path)
    people = populated.people
    for secret in (
        people.leading_official,
        people.unit_actor,
        people.reporter,
        people.reporter_phone,
        "王主任",
        "138-1234-5678",
        "li.kezhang@example.gov.cn",
        "11010519491231002X",
        "1234-5678",
    ):
        assert secret not in html and secret not in md, secret
    text = read_page(path).all_text
    assert f"{NAME_MARK}督办的审批超时问题, 联系电话 {SECRET_MARK}" in text
    assert f"由{NAME_MARK}负责整改, 邮箱 {SECRET_MARK}, 身份证 {SECRET_MARK}" in text
    for unit_name in {i.unit_name for i in populated.engine.items(populated.key, state="closed")}:
        assert unit_name is not None and unit_name in text  # organisations stay named


def test_hostile_text_is_neutralised(populated: Populated, tmp_path: Path) -> None:
    """A title with a script, a Markdown link and a formula is text in both files."""
    html, md, path = digest_files(populated, tmp_path)
    page = read_page(path)
    assert f"审批超时 {HOSTILE}" in page.all_text
    assert "<script" not in html and "&lt;script&gt;" in html
    assert not re.search(r"(?<!\\)[<>\[\]]", md)  # no tag, no link or image can open
    assert markdown_text(f"审批超时 {HOSTILE}") in md
    assert r"\<script\>alert\('x'\)\</script\>\[点我\]\(http://evil.example\) =cmd\|' /C calc'\!A0" in md


def test_configured_words_and_patterns_are_removed(populated: Populated, tmp_path: Path) -> None:
    redaction = Redaction(words=("建立限时办结制度",), patterns=(r"模拟 \d+",))
    html, md, _ = digest_files(populated, tmp_path, redaction)
    assert "建立限时办结制度" not in html and "建立限时办结制度" not in md
    assert not re.search(r"模拟 \d+", html) and not re.search(r"模拟 \d+", md)
    assert "(" + SECRET_MARK + ")" in html


# -------------------------------------------------------------------------- redaction


@pytest.mark.parametrize(
    "text",
    [
        "13812345678",
        "+86 138 1234 5678",
        "86-138-1234-5678",
        "138-1234-5678",
        "0571-88881234",
        "(0571)8888-1234",
        "（010）12345678转123",
        "021 6123 4567",
        "8812345",
        "１３８１２３４５６７８",
        "110105194912310021",
        "11010519491231002x",
        "110105491231002",
        "zhang.san+x@mail.example.com",
        "lisi＠example.cn",
    ],
)
def test_numbers_and_addresses_always_go(text: str) -> None:
    redact = Redactor(())
    assert redact(f"联系{text}谢谢") == f"联系{SECRET_MARK}谢谢"


def test_names_become_a_comrade_and_short_numbers_stay() -> None:
    redact = Redactor(["张三", "张三丰", "Li Lei", "某同"])
    assert redact("张三丰和张三找li  lei, 某同 说整改3项, 2023年8月15日前完成, 共123万元") == (
        f"{NAME_MARK}和{NAME_MARK}找{NAME_MARK}, {SECRET_MARK} 说整改3项, 2023年8月15日前完成, 共123万元"
    )
    assert redact("张\u200b三") == NAME_MARK  # invisible characters do not hide a name


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "redact.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_redaction_file_loads(tmp_path: Path) -> None:
    path = write(tmp_path, "words = [\"某某建材有限公司\"]\npatterns = ['工号\\s*\\d+']\n")
    assert Redaction.load(path) == Redaction(words=("某某建材有限公司",), patterns=(r"工号\s*\d+",))
    assert Redaction.load(write(tmp_path, "")) == Redaction()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("words = [", "不是有效的 TOML"),
        ('names = ["x"]', "未知的键「names」"),
        ('words = "张三"', "键「words」应为字符串列表"),
        ("words = [1, 2]", "键「words」应为字符串列表"),
        ('words = ["  "]', "键「words」第 1 项为空"),
        ('patterns = ["ok", "(unclosed"]', "键「patterns」第 2 项「(unclosed」不是有效的正则表达式"),
        ('patterns = ["a*"]', "能匹配空字符串"),
    ],
)
def test_a_bad_redaction_file_is_one_chinese_error_naming_file_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ReportError) as caught:
        Redaction.load(path)
    assert str(caught.value).startswith(f"脱敏配置 {path}: ")
    assert message in str(caught.value)


def test_a_missing_or_binary_redaction_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="无法读取"):
        Redaction.load(tmp_path / "missing.toml")
    path = tmp_path / "binary.toml"
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ReportError, match="不是 UTF-8"):
        Redaction.load(path)
    with pytest.raises(ReportError, match="不是有效的正则表达式"):
        Redaction(patterns=("[",))


# ----------------------------------------------------------------------- property test

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张"
GIVEN = "伟芳娜敏静丽强磊洋艳勇军杰娟涛明超秀霞平刚桂英玉兰"
_setup = items_only(load_setup("county_2023"))
#: Text every digest of the plan prints anyway: a generated name found in it proves nothing.
_FIXED = " ".join(
    [
        _setup.title,
        _setup.county,
        *(u.name for u in _setup.units),
        *(t.name for t in _setup.tracks),
        (
            "践诺晒成效 截至 本次专项行动共收集问题 件已办结办结率正在整改其中已整改到位并销号列示如下 领域问题数"
            " 已销号问题 责任单位 销号日期 整改措施 发布材料已去除个人信息 生成于 星期一二三四五六日年月日"
        ),
    ]
)

names = st.builds(
    lambda s, g: s + g, st.sampled_from(SURNAMES), st.text(alphabet=GIVEN, min_size=1, max_size=2)
).filter(lambda n: n not in _FIXED)
mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
landlines = st.from_regex(r"0[1-9][0-9]{1,2}-?[2-9][0-9]{6,7}", fullmatch=True)
id_numbers = st.from_regex(r"[1-6][0-9]{16}[0-9X]", fullmatch=True)
emails = st.from_regex(r"[a-z][a-z0-9.]{1,8}@[a-z]{2,8}\.(com|cn|gov\.cn)", fullmatch=True)
filler = st.text(alphabet="审批事项企业反映整改 ,。-()0123456789abc", max_size=6)
_keys = itertools.count()


@pytest.fixture(scope="module")
def module_engine_for_digest(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    clock = VirtualClock(dt.datetime(2023, 7, 3, 1, tzinfo=dt.UTC))
    engine = Engine(
        f"sqlite:///{tmp_path_factory.mktemp('prop') / 'digest.db'}",
        clock=clock,
        reporter_keys=ReporterKeys.generate(),
    )
    try:
        yield engine
    finally:
        engine.dispose()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    people=st.lists(names, min_size=6, max_size=6, unique=True),
    numbers=st.tuples(mobiles, landlines, id_numbers, emails, mobiles),
    pads=st.lists(filler, min_size=8, max_size=8),
)
def test_no_known_name_or_number_survives_into_the_digest(
    module_engine_for_digest: Engine, people: list[str], numbers: tuple[str, ...], pads: list[str]
) -> None:
    """Names of the office, the unit's staff, the leading official, the verifier and a contact,
    and phone / ID / e-mail numbers, put into titles, descriptions and measures: none of them
    is in the html or the markdown; nor the reporter, whom the digest never reads."""
    engine = module_engine_for_digest
    office_name, unit_name, leader, verifier, contact, reporter = people
    mobile, landline, id_number, email, reporter_phone = numbers
    key = f"p{next(_keys)}"
    units = [
        u.model_copy(update={"contacts": [ContactSpec(name=contact, mobile="13700000000")]})
        if u.id == "taxation_bureau"
        else u
        for u in _setup.units
    ]
    engine.start_campaign(_setup.model_copy(update={"units": units}), key=key)
    p = pads
    finish_item(
        engine,
        key,
        title=f"{p[0]}{office_name}{p[1]}{mobile}{p[2]}{contact}{p[3]}",
        description=f"{unit_name}{p[4]}{landline}{reporter}",
        measures=[f"{p[5]}{leader}{p[6]}{email}", f"{verifier}{p[7]}{id_number}{landline}{unit_name}"],
        leading_official=leader,
        unit_actor=unit_name,
        office=Actor(office_name, OFFICE.role, OFFICE.unit),
        verifier=Actor(verifier, "supervision_team", "organization_department"),
        reporter=Reporter(name=reporter, phone=reporter_phone),
    )
    with tempfile.TemporaryDirectory() as folder:
        paths = write_digest(engine, key, Path(folder))
        texts = [path.read_text(encoding="utf-8") for path in paths]
    assert len(texts) == 2
    for text in texts:
        for secret in (*people[:5], mobile, landline, id_number, email, reporter_phone):
            assert secret not in text, secret
        assert NAME_MARK in text
    if reporter not in _FIXED:
        assert all(reporter not in text for text in texts)
