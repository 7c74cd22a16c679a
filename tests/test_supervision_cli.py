"""Issue 17, done when: a unit's whole part (receive, send back or accept, measures with
evidence, extension, submit) and the office's (approve, rule, verify, call back, score) done
from the command line, refused where the rules say, on SQLite and PostgreSQL.

One campaign on the built-in plan (its duties left out) and a virtual clock the commands share;
each step is a ``zhenggai`` command as the person who would type it, its Chinese output read
back, and the engine's state checked after it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from zhenggai.engine import Actor, CampaignView, Engine, NewContact, Reporter, VirtualClock
from zhenggai.workflows import load_setup

from tests.test_campaign_steps import OFFICE, at, without_duties

pytestmark = pytest.mark.storage

HOUSING = "housing_construction_bureau"
FINANCE = "finance_bureau"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

OFFICE_CLI = ["--actor", "王主任", "--role", "leading_group_office", "--as-unit", "discipline_commission"]
CLERK = ["--actor", "李科员", "--role", "responsible", "--as-unit", HOUSING]
FINANCE_CLERK = ["--actor", "周科员", "--role", "responsible", "--as-unit", FINANCE]
LEADER = ["--actor", "周组长", "--role", "track_group_leader"]
SUPERVISOR = ["--actor", "督查一组", "--role", "supervision_team", "--as-unit", "organization_department"]
CUSTODIAN = ["--actor", "赵保管", "--role", "custodian", "--as-unit", "discipline_commission"]


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(at("2023-07-03", 9, 0))


@pytest.fixture
def campaign(engine: Engine) -> CampaignView:
    camp = engine.start_campaign(without_duties(load_setup("county_2023")), key="test")
    for unit, name, role, mobile, track in (
        ("discipline_commission", "王主任", "leading_group_office", "13800000001", None),
        ("discipline_commission", "赵保管", "custodian", "13800000002", None),
        ("government_office", "周组长", "track_group_leader", "13800000005", "construction"),
        (HOUSING, "李科员", "contact", "13800000003", None),
        (HOUSING, "陈局长", "unit_principal", "13800000006", None),
        (FINANCE, "周科员", "contact", "13800000004", None),
    ):
        engine.add_contact(
            camp.key, OFFICE, NewContact(unit=unit, name=name, role=role, mobile=mobile, track=track)
        )
    return camp


class Cli:
    """``zhenggai`` on the test's database and clock: returns (exit code, stdout + stderr)."""

    def __init__(self, db_url: str, files: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.base = ["--db", db_url]
        self.files = files
        self.capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str]:
        from zhenggai.adapters.cli import main

        self.capsys.readouterr()
        code = main([*self.base, *args])
        out, err = self.capsys.readouterr()
        return code, out + err

    def ok(self, *args: str) -> str:
        code, text = self(*args)
        assert code == 0, text
        return text

    def refused(self, *args: str) -> str:
        code, text = self(*args)
        assert code != 0, text
        assert "Traceback" not in text
        return text


@pytest.fixture
def cli(
    engine: Engine,
    campaign: CampaignView,
    clock: VirtualClock,
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Cli:
    from zhenggai.adapters import _context

    # every command runs on the test's clock, its evidence kept in the test's folder
    monkeypatch.setattr(_context, "Engine", lambda db, **kw: Engine(db, **{**kw, "clock": clock}))
    monkeypatch.setenv("ZHENGGAI_ATTACHMENTS", str(tmp_path / "evidence"))
    return Cli(db_url, tmp_path, capsys)


def snapshot(engine: Engine, item: int) -> tuple[Any, ...]:
    view = engine.item(item)
    return (view.state, view.unit, view.due, view.version, len(engine.events(item)))


def test_a_unit_and_the_office_run_an_item_from_the_command_line(
    engine: Engine, cli: Cli, clock: VirtualClock, tmp_path: Path
) -> None:
    # Two items reach the housing bureau on Thursday 20 July (one named by a reporter).
    clock.set(at("2023-07-20", 9, 0))
    item = engine.report(
        "test",
        OFFICE,
        title="施工许可审批超时",
        description="审批超过承诺时限",
        track="construction",
        channel="hotline",
        reporter=Reporter(name="钱举报", phone="13912345678"),
    ).id
    other = engine.report(
        "test",
        OFFICE,
        title="财政补贴拖欠",
        description="补贴迟迟不发",
        track="construction",
        channel="hotline",
    ).id
    for n in (item, other):
        cli.ok("item", "fire", str(n), "交办", "--unit", HOUSING, "--due", "2023-08-31", *OFFICE_CLI)

    # receive: the unit's list has both
    listed = cli.ok("item", "list", "--unit", HOUSING)
    assert "施工许可审批超时" in listed and "财政补贴拖欠" in listed

    # send back the one that is not its duty; the office rules: reassigned to the finance bureau
    clock.set(at("2023-07-21", 10, 0))
    out = cli.ok("item", "send-back", str(other), "--reason", "not_our_duty", "--note", "属财政职责", *CLERK)
    assert "已退单" in out
    (back,) = engine.send_backs("test")
    assert "不属于本单位职责" in cli.ok("sendback", "list", "--open")
    out = cli.ok("sendback", "rule", str(back.id), "--reassign", FINANCE, "--due", "2023-09-08", *OFFICE_CLI)
    assert "已改派" in out and engine.item(other).unit == FINANCE

    # accept the other: too late to send it back after 3 working days (Tue 25 July is the 3rd)
    clock.set(at("2023-07-26", 10, 0))
    before = snapshot(engine, item)
    assert "退单" in cli.refused("item", "send-back", str(item), "--reason", "other", *CLERK)
    assert snapshot(engine, item) == before

    # the office names a co-unit with its part
    out = cli.ok("item", "co-unit", str(item), "--unit", FINANCE, "--part", "核实补贴资金", *OFFICE_CLI)
    (part,) = engine.parts("test")
    assert part.unit == FINANCE and part.state == "open"

    # measures with evidence; another unit cannot attach to them, nor a file that lies
    cli.ok("item", "measure", "add", str(item), "--text", "限期完成审批", *CLERK)
    cli.ok("item", "fire", str(item), "开始整改", *CLERK)
    (measure,) = engine.measures(item)
    evidence = tmp_path / "审批记录.pdf"
    evidence.write_bytes(PDF)
    out = cli.ok("attachment", "add", "--measure", str(measure.id), str(evidence), *CLERK)
    assert "审批记录.pdf" in out
    cli.refused("attachment", "add", "--measure", str(measure.id), str(evidence), *FINANCE_CLERK)
    fake = tmp_path / "伪装.pdf"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 60)
    assert "不予接收" in cli.refused("attachment", "add", "--measure", str(measure.id), str(fake), *CLERK)
    assert [a.file_name for a in engine.attachments(item, Actor("李科员", "responsible", HOUSING))] == [
        "审批记录.pdf"
    ]

    # an extension: asked before the due date, approved by the track's 组长 then the office
    out = cli.ok(
        "item",
        "extend",
        str(item),
        "--to",
        "2023-09-15",
        "--reason",
        "需会商",
        "--progress",
        "已完成初审",
        *CLERK,
    )
    ext = engine.extensions("test", state="pending")[0]
    cli.refused("extension", "approve", str(ext.id), *OFFICE_CLI)  # not yet the office's turn
    cli.ok("extension", "approve", str(ext.id), *LEADER)
    assert "已批准" in cli.ok("extension", "approve", str(ext.id), "--note", "同意", *OFFICE_CLI)
    assert engine.item(item).due == dt.date(2023, 9, 15)

    # submit: refused while the co-unit's part is open; the co-unit finishes it; then accepted
    cli.ok("item", "measure", "done", str(measure.id), *CLERK)
    before = snapshot(engine, item)
    assert "县财政局" in cli.refused("item", "fire", str(item), "提请验收", *CLERK)
    assert snapshot(engine, item) == before
    cli.ok("part", "done", str(part.id), "--note", "资金已核实", *FINANCE_CLERK)
    cli.ok("item", "fire", str(item), "提请验收", *CLERK)

    # the office's part: verify, close; the custodian calls the reporter back
    clock.set(at("2023-08-10", 10, 0))
    cli.refused("item", "fire", str(item), "验收通过", *CLERK)  # not the unit's to verify
    cli.ok("item", "fire", str(item), "验收通过", *SUPERVISOR)
    cli.ok("item", "fire", str(item), "销号", *OFFICE_CLI)
    assert engine.item(item).state == "closed"
    (callback,) = engine.callbacks("test")
    assert "回访" in cli.ok("callback", "list", "--open")
    cli.refused("callback", "record", str(callback.id), "--result", "满意", *CLERK)  # only the custodian
    cli.ok("callback", "record", str(callback.id), "--result", "满意", *CUSTODIAN)
    assert engine.satisfaction("test", unit=HOUSING)[0].rate == 1.0

    # score the month: shown, then stored by the office (a clerk may not)
    clock.set(at("2023-09-04", 10, 0))
    shown = cli.ok("score", "month", "--month", "2023-08")
    assert "县住建局" in shown
    cli.refused("score", "month", "--month", "2023-08", "--store", *CLERK)
    cli.ok("score", "month", "--month", "2023-08", "--store", *OFFICE_CLI)
    stored = {r.unit: r for r in engine.stored_scores("test", month="2023-08")}
    housing = {t.term: t.count for t in stored[HOUSING].terms}
    assert housing["closed_on_time"] == 1 and housing["extension"] == 0
    july = {r.unit: r for r in engine.scores("test", "2023-07")}  # the extension was approved in July
    assert {t.term: t.count for t in july[HOUSING].terms}["extension"] == 1
    xlsx = tmp_path / "考核表.xlsx"
    cli.ok("score", "month", "--month", "2023-08", "--xlsx", str(xlsx))
    from openpyxl import load_workbook

    cells = [c for row in load_workbook(xlsx).active.iter_rows(values_only=True) for c in row]
    assert "县住建局" in cells
