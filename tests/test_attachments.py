"""佐证材料 (issue 17 point 5): files attached to measures, duty deliveries, verifications,
回头看 findings and reporters; their type decided by content (a renamed executable or zip is
refused), a size limit, one copy per content on disk, the SHA-256 in the audit event, another
unit refused, reporters' files hidden from units, the unit's export zip, both stores, the
definition's checks and the CLI. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import struct
import zipfile
import zlib
import zoneinfo
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as hs
from sqlalchemy import text
from zhenggai.engine import Actor, AttachmentRefused, Engine, PermissionDeniedError, Reporter, VirtualClock
from zhenggai.engine._file_types import sniff
from zhenggai.engine.checks import check_setup
from zhenggai.testing import items_only
from zhenggai.workflows import load_setup
from zhenggai.workflows.schema import ATTACHMENT_TYPES, AttachmentSpec, CampaignSetup

from tests.conftest import REPORTER_KEYS

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
UNIT = "housing_construction_bureau"
OTHER = "transport_bureau"
CLERK = Actor("李科长", "responsible", UNIT)
STRANGER = Actor("赵科长", "responsible", OTHER)
CUSTODIAN = Actor("保管员", "custodian", "discipline_commission")


# ------------------------------------------------------------------ small real files


def pdf_bytes(text_: str = "zhenggai") -> bytes:
    body = f"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj % {text_}"
    return b"%PDF-1.4\n" + body.encode() + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def png_bytes(seed: int = 0) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"\x00" + bytes([seed % 256, 0, 0])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("整改情况说明")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "整改台账"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bytes(names: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in names.items():
            archive.writestr(name, data)
    return out.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120 + b"This program cannot be run in DOS mode."
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 100
OLE2_DOC = (
    bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 200 + "WordDocument".encode("utf-16-le") + b"\x00" * 64
)
OLE2_XLS = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 200 + "Workbook".encode("utf-16-le") + b"\x00" * 64


def test_type_is_decided_by_content() -> None:
    assert sniff(pdf_bytes()) == "pdf"
    assert sniff(png_bytes()) == "png"
    assert sniff(b"\xff\xd8\xff\xe0" + b"\x00" * 20) == "jpeg"
    assert sniff(b"GIF89a" + b"\x00" * 20) == "gif"
    assert sniff(docx_bytes()) == "docx"
    assert sniff(xlsx_bytes()) == "xlsx"
    assert sniff(OLE2_DOC) == "doc"
    assert sniff(OLE2_XLS) == "xls"
    assert sniff(zip_bytes({"OFD.xml": b"<ofd/>"})) == "ofd"
    for junk in (EXE, ELF, zip_bytes({"a.txt": b"x"}), b"plain text", b"PK\x03\x04broken"):
        assert sniff(junk) is None
    # A zip bomb is judged by its central directory alone: nothing is decompressed.
    bomb = zip_bytes({"[Content_Types].xml": b"<x/>", "word/document.xml": b"\x00" * 10_000_000})
    assert len(bomb) < 100_000 and sniff(bomb) == "docx"


@given(hs.binary(max_size=300))
def test_sniff_never_raises(data: bytes) -> None:
    assert sniff(data) in {None, *ATTACHMENT_TYPES}


# ------------------------------------------------------------------ the engine


def at(day: str, hh: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hh, tzinfo=SHANGHAI)


def setup_with(**changes: Any) -> CampaignSetup:
    setup = items_only(load_setup("county_2023"))
    assert setup.attachments is not None
    return setup.model_copy(update={"attachments": setup.attachments.model_copy(update=changes)})


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "evidence"


@pytest.fixture
def eng(db_url: str, clock: VirtualClock, folder: Path) -> Any:
    engine = Engine(db_url, clock=clock, reporter_keys=REPORTER_KEYS, attachments=folder)
    try:
        yield engine
    finally:
        engine.dispose()


def item_with_measures(engine: Engine, clock: VirtualClock, n: int = 2) -> tuple[int, list[int]]:
    clock.set(at("2023-07-20"))
    item = engine.report(
        "test",
        OFFICE,
        title="施工许可审批超时",
        description="审批超过承诺时限",
        track="construction",
        channel="hotline",
        reporter=Reporter(name="张三", phone="13800000000"),
    ).id
    engine.assign(item, OFFICE, unit=UNIT, due="2023-08-15")
    return item, [engine.add_measure(item, CLERK, text=f"措施{k}").id for k in range(n)]


def files_on_disk(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def events(engine: Engine, trigger: str) -> list[dict[str, Any]]:
    with engine.store.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT data FROM zg_event WHERE trigger = :t ORDER BY seq"), {"t": trigger}
        ).all()
    return [json.loads(r[0]) for r in rows]


def count(engine: Engine, table: str) -> int:
    with engine.store.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def test_measure_evidence_stored_once_audited_and_listed(
    eng: Engine, clock: VirtualClock, folder: Path
) -> None:
    eng.start_campaign(setup_with(), key="test")
    item, (m1, m2) = item_with_measures(eng, clock)
    data = pdf_bytes()
    sha = hashlib.sha256(data).hexdigest()
    first = eng.attach("measure", m1, data, "../../整改报告.pdf", CLERK)
    assert (first.file_name, first.kind, first.media_type, first.size, first.sha256) == (
        "整改报告.pdf",
        "pdf",
        "application/pdf",
        len(data),
        sha,
    )
    assert first.unit == UNIT and first.item_id == item and first.subject_label == "整改措施"
    again = eng.attach("measure", m2, data, "同一份.pdf", CLERK)
    # One copy per content, at ab/cd/<sha256>.
    assert files_on_disk(folder) == [folder / sha[:2] / sha[2:4] / sha]
    assert (folder / sha[:2] / sha[2:4] / sha).read_bytes() == data
    attached = events(eng, "attach_file")
    assert [(e["attachment"], e["sha256"], e["subject_kind"]) for e in attached] == [
        (first.id, sha, "measure"),
        (again.id, sha, "measure"),
    ]
    assert [a.id for a in eng.attachments(item, CLERK)] == [first.id, again.id]
    assert eng.read_attachment(first.id, CLERK) == data
    assert eng.read_attachment(first.id, OFFICE) == data
    (row,) = eng.ledger("test")
    assert row.attachments == ("整改报告.pdf", "同一份.pdf")


def test_refusals_store_nothing(eng: Engine, clock: VirtualClock, folder: Path) -> None:
    eng.start_campaign(setup_with(max_bytes=2000, max_per_subject=1), key="test")
    item, (m1, _m2) = item_with_measures(eng, clock)
    for data, name, reason in (
        (EXE, "整改报告.pdf", "不是认可的类型"),
        (ELF, "photo.png", "不是认可的类型"),
        (zip_bytes({"a.txt": b"x"}), "材料.docx", "不是认可的类型"),
        (pdf_bytes("x" * 3000), "大文件.pdf", "超过上限"),
        (b"", "空.pdf", "文件为空"),
    ):
        with pytest.raises(AttachmentRefused) as refused:
            eng.attach("measure", m1, data, name, CLERK)
        assert reason in str(refused.value) and name in str(refused.value)
    with pytest.raises(PermissionDeniedError, match="责任单位"):
        eng.attach("measure", m1, pdf_bytes(), "a.pdf", STRANGER)
    with pytest.raises(PermissionDeniedError):
        eng.attach("verification", item, pdf_bytes(), "a.pdf", CLERK)
    assert (
        count(eng, "zg_attachment") == 0 and files_on_disk(folder) == [] and events(eng, "attach_file") == []
    )
    eng.attach("measure", m1, png_bytes(), "现场.png", CLERK)
    with pytest.raises(AttachmentRefused, match="至多 1 份"):
        eng.attach("measure", m1, png_bytes(1), "现场2.png", CLERK)
    assert count(eng, "zg_attachment") == 1 and len(files_on_disk(folder)) == 1


def test_type_not_in_the_definition_refused(eng: Engine, clock: VirtualClock) -> None:
    eng.start_campaign(setup_with(types=["pdf"]), key="test")
    _item, (m1, _) = item_with_measures(eng, clock)
    with pytest.raises(AttachmentRefused, match="不接收PNG 图片"):
        eng.attach("measure", m1, png_bytes(), "照片.pdf", CLERK)
    assert eng.attach("measure", m1, pdf_bytes(), "a.pdf", CLERK).kind == "pdf"


def test_other_units_and_reporter_files(eng: Engine, clock: VirtualClock) -> None:
    eng.start_campaign(setup_with(), key="test")
    item, (m1, _) = item_with_measures(eng, clock)
    mine = eng.attach("measure", m1, xlsx_bytes(), "台账.xlsx", CLERK)
    verified = eng.attach("verification", item, docx_bytes(), "验收意见.docx", OFFICE)
    secret = eng.attach("reporter", item, png_bytes(7), "举报人照片.png", CUSTODIAN)
    assert (mine.kind, verified.kind, secret.kind, secret.unit) == ("xlsx", "docx", "png", None)
    with pytest.raises(PermissionDeniedError):
        eng.attachments(item, STRANGER)
    with pytest.raises(PermissionDeniedError):
        eng.read_attachment(mine.id, STRANGER)
    # The unit sees its own files, never the reporter's (listed or read).
    assert {a.id for a in eng.attachments(item, CLERK)} == {mine.id, verified.id}
    with pytest.raises(PermissionDeniedError):
        eng.read_attachment(secret.id, CLERK)
    with pytest.raises(PermissionDeniedError):
        eng.read_attachment(secret.id, OFFICE)
    assert secret.id not in {a.id for a in eng.attachments(item, OFFICE)}
    assert secret.id in {a.id for a in eng.attachments(item, CUSTODIAN)}
    assert eng.read_attachment(secret.id, CUSTODIAN) == png_bytes(7)
    assert [e["attachment"] for e in events(eng, "read_attachment")] == [secret.id]  # audited
    assert eng.ledger("test")[0].attachments == ("台账.xlsx", "验收意见.docx")
    exported = {v.id for v, _ in eng.unit_attachments("test", UNIT, CLERK)}
    assert exported == {mine.id, verified.id}
    with pytest.raises(PermissionDeniedError):
        list(eng.unit_attachments("test", UNIT, STRANGER))


def test_database_store(eng: Engine, clock: VirtualClock, folder: Path) -> None:
    eng.start_campaign(setup_with(store="database"), key="test")
    _item, (m1, m2) = item_with_measures(eng, clock)
    a = eng.attach("measure", m1, pdf_bytes(), "a.pdf", CLERK)
    eng.attach("measure", m2, pdf_bytes(), "b.pdf", CLERK)
    assert files_on_disk(folder) == [] and count(eng, "zg_blob") == 1 and count(eng, "zg_attachment") == 2
    assert eng.read_attachment(a.id, CLERK) == pdf_bytes()


def test_duty_evidence(db_url: str, clock: VirtualClock, folder: Path) -> None:
    setup = load_setup("county_2023")
    with Engine(db_url, clock=clock, attachments=folder) as engine:
        engine.start_campaign(setup, key="test")
        duty = next(d for d in engine.duties("test", unit=UNIT))
        unit_actor = Actor("李科长", "responsible", duty.unit)
        view = engine.attach("duty", duty.id, pdf_bytes(), "一报告四清单.pdf", unit_actor)
        assert view.item_id is None and view.unit == duty.unit and view.subject_label == "职责报送"
        with pytest.raises(PermissionDeniedError):
            engine.attach("duty", duty.id, pdf_bytes(), "x.pdf", STRANGER)
        (event,) = events(engine, "attach_file")
        assert event["duty"] == duty.duty and event["sha256"] == view.sha256


def test_check_names_problems() -> None:
    setup = setup_with(types=["pdf", "pdf"], max_per_subject=0, store="database", max_bytes=500 * 1024 * 1024)
    problems = check_setup(setup)
    assert "attachments.types[1]: 文件类型 pdf 重复定义" in problems
    assert any(p.startswith("attachments.max_per_subject") for p in problems)
    assert any(p.startswith("attachments.max_bytes") for p in problems)
    assert check_setup(setup_with()) == check_setup(items_only(load_setup("county_2023")))
    assert AttachmentSpec().store == "folder"


def test_cli_round_trip(
    eng: Engine,
    clock: VirtualClock,
    db_url: str,
    folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from zhenggai.adapters.cli import main

    eng.start_campaign(setup_with(), key="test")
    item, (m1, _) = item_with_measures(eng, clock)
    other = eng.report(
        "test", OFFICE, title="道路破损", description="无人修", track="construction", channel="hotline"
    )
    eng.assign(other.id, OFFICE, unit=OTHER, due="2023-08-15")
    foreign = eng.attach(
        "measure", eng.add_measure(other.id, STRANGER, text="修路").id, png_bytes(3), "路.png", STRANGER
    )
    eng.attach("reporter", item, pdf_bytes("secret"), "举报材料.pdf", CUSTODIAN)
    monkeypatch.setenv("ZHENGGAI_ATTACHMENTS", str(folder))
    base = ["--db", db_url]
    unit = ["--actor", "李科长", "--role", "responsible", "--as-unit", UNIT]
    report = tmp_path / "整改报告.pdf"
    report.write_bytes(pdf_bytes("cli"))
    fake = tmp_path / "照片.png"
    fake.write_bytes(EXE)
    assert main([*base, "attachment", "add", "--measure", str(m1), str(report), *unit]) == 0
    out = capsys.readouterr().out
    assert "整改报告.pdf (pdf" in out and "整改措施" in out
    assert main([*base, "attachment", "add", "--measure", str(m1), str(fake), *unit]) != 0
    err = capsys.readouterr().err
    assert "佐证材料「照片.png」不予接收" in err and "不是认可的类型" in err
    office = ["--actor", "王主任", "--role", "leading_group_office", "--as-unit", "discipline_commission"]
    assert (
        main([*base, "attachment", "add", "--item", str(item), "--verification", str(report), *office]) == 0
    )
    capsys.readouterr()
    assert main([*base, "attachment", "list", str(item), "--json", *unit]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(a["file_name"], a["subject_kind"]) for a in listed] == [
        ("整改报告.pdf", "measure"),
        ("整改报告.pdf", "verification"),
    ]
    got = tmp_path / "got.pdf"
    assert main([*base, "attachment", "get", str(listed[0]["id"]), "--out", str(got), *unit]) == 0
    assert got.read_bytes() == pdf_bytes("cli")
    capsys.readouterr()
    assert main([*base, "attachment", "get", str(foreign.id), "--out", str(got), *unit]) != 0
    assert "无权操作" in capsys.readouterr().err
    zipped = tmp_path / "住建局.zip"
    assert main([*base, "attachment", "export", "--unit", "县住建局", "--out", str(zipped), *unit]) == 0
    assert "已导出 2 份" in capsys.readouterr().out
    number = eng.item(item).number
    with zipfile.ZipFile(zipped) as archive:
        names = sorted(archive.namelist())
        assert all(n.startswith(f"{number}/") for n in names) and len(names) == 2
        assert {archive.read(n) for n in names} == {pdf_bytes("cli")}
    assert (
        main(
            [
                *base,
                "attachment",
                "export",
                "--unit",
                UNIT,
                "--out",
                str(zipped),
                "--actor",
                "赵科长",
                "--role",
                "responsible",
                "--as-unit",
                OTHER,
            ]
        )
        != 0
    )
    assert "无权操作" in capsys.readouterr().err
