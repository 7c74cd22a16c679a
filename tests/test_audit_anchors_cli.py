"""Issue 13, point 12, as an operator meets it: ``zhenggai audit anchor`` writes the chain heads
to a file outside the database, ``zhenggai audit verify --anchors FILE`` finds a chain cut
short behind the engine's back, a bad anchor file is one located error, and the daemon (and
``run --once`` from cron) anchors once a day."""

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from zhenggai.adapters._anchors import anchor_if_due, read_anchors
from zhenggai.adapters._daemon import Daemon
from zhenggai.adapters.cli import main
from zhenggai.engine import Engine, VirtualClock
from zhenggai.testing import DEFAULT_START
from zhenggai.workflows import load_setup

from .test_cli import OFFICE, Run


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "ZHENGGAI_DB",
        "ZHENGGAI_ACTOR",
        "ZHENGGAI_ROLE",
        "ZHENGGAI_UNIT",
        "ZHENGGAI_CONFIG",
        "ZHENGGAI_ANCHOR_FILE",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    db = str(tmp_path / "zg.db")

    def run(*argv: str) -> Run:
        code = main(["--db", db, *argv])
        out = capsys.readouterr()
        return Run(code, out.out, out.err)

    assert run("init", "--start", "2026-06-01").code == 0
    for title in ("施工许可审批超时", "材料反复退回"):
        assert (
            run(
                "item",
                "add",
                "--title",
                title,
                "--description",
                "企业反映",
                "--track",
                "construction",
                "--channel",
                "hotline",
                *OFFICE,
            ).code
            == 0
        )
    run.db = db  # type: ignore[attr-defined]
    return run


def test_anchor_then_a_cut_tail_is_found(cli: Any, tmp_path: Path) -> None:
    anchors = tmp_path / "anchors.jsonl"
    result = cli("audit", "anchor", "--out", str(anchors))
    assert result.code == 0 and "已记录 1 个专项行动的审计链锚点: county_2023 #3" in result.out
    line = json.loads(anchors.read_text(encoding="utf-8"))
    assert (line["campaign"], line["seq"], len(line["hash"])) == ("county_2023", 3, 64)
    ok = cli("audit", "verify", "--anchors", str(anchors))
    assert ok.code == 0 and "对照 1 个库外锚点, 未发现改动、插入或删除" in ok.out
    with sqlite3.connect(cli.db) as conn:  # the holder cuts the last event and moves the head back
        prev = conn.execute("SELECT hash FROM zg_event WHERE seq = 2").fetchone()[0]
        conn.execute("DELETE FROM zg_event WHERE seq = 3")
        conn.execute("UPDATE zg_audit_head SET seq = 2, hash = ?", (prev,))
        conn.execute(
            "DELETE FROM zg_item WHERE id = (SELECT max(id) FROM zg_item)"
        )  # and the item it recorded
    assert cli("audit", "verify").code == 0  # consistent in itself: the database alone cannot tell
    found = cli("audit", "verify", "--anchors", str(anchors))
    assert found.code == 1
    assert "审计链只有 2 条, 锚点时已有 3 条 (末尾记录被截去, 链头被回拨)" in found.out
    as_json = cli("audit", "verify", "--anchors", str(anchors), "--json")
    assert as_json.code == 1 and as_json.json()["anchors"] == 1 and not as_json.json()["ok"]


def test_anchor_without_a_file_prints_the_heads(cli: Any) -> None:
    result = cli("audit", "anchor")
    assert result.code == 0
    lines = [json.loads(x) for x in result.out.splitlines()]
    assert [(x["anchor"], x["campaign"], x["seq"]) for x in lines] == [
        ("zhenggai-audit-head", "county_2023", 3)
    ]


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (None, "锚点文件不存在"),
        ('{"anchor": "zhenggai-audit-head"}\n', ":1: 缺少 campaign_id"),
        ("\nnot json\n", ":2: 不是 JSON"),
        ('{"a": 1}\n', ":1: 不是审计链锚点"),
        (
            '{"anchor":"zhenggai-audit-head","campaign_id":1,"campaign":"x","seq":"3","hash":"'
            + "0" * 64
            + '","anchored_at":"2026-12-07T00:00:00Z"}\n',
            ":1: campaign_id、seq 须为整数",
        ),
        (
            (
                '{"anchor":"zhenggai-audit-head","campaign_id":1,"campaign":"x","seq":3,"hash":"abc",'
                '"anchored_at":"2026-12-07T00:00:00Z"}\n'
            ),
            ":1: hash 须为 64 位十六进制 SHA-256",
        ),
        (b"\xff\xfe", ":1: 不是 UTF-8 文本"),
    ],
)
def test_a_bad_anchor_file_is_one_located_error(cli: Any, tmp_path: Path, content: Any, error: str) -> None:
    anchors = tmp_path / "anchors.jsonl"
    if isinstance(content, bytes):
        anchors.write_bytes(content)
    elif content is not None:
        anchors.write_text(content, encoding="utf-8")
    result = cli("audit", "verify", "--anchors", str(anchors))
    assert result.code != 0 and result.out == ""  # no verdict on the chains: the file itself is wrong
    assert (
        result.err.startswith("错误: ") and error in result.err and len(result.err.strip().splitlines()) == 1
    ), result.err
    assert "Traceback" not in result.err


def test_run_once_anchors_once_a_day(cli: Any, tmp_path: Path) -> None:
    anchors = tmp_path / "anchors.jsonl"
    assert cli("run", "--once", "--anchor-file", str(anchors)).code == 0
    assert cli("run", "--once", "--anchor-file", str(anchors)).code == 0  # the same day: not again
    assert len(read_anchors(anchors)) == 1


def test_the_daemon_anchors_when_a_day_has_passed(tmp_path: Path) -> None:
    clock = VirtualClock(DEFAULT_START)
    anchors = tmp_path / "anchors.jsonl"
    log = io.StringIO()
    with Engine(tmp_path / "zg.db", clock=clock) as engine:
        engine.start_campaign(load_setup("county_2023"), key="a")
        engine.start_campaign(load_setup("county_2023"), key="b")
        daemon = Daemon(engine, interval=60, log=log, anchor=lambda: anchor_if_due(engine, anchors))
        daemon.tick()
        clock.advance(dt.timedelta(hours=23))
        daemon.tick()
        assert [a.campaign for a in read_anchors(anchors)] == ["a", "b"]
        clock.advance(dt.timedelta(hours=1))
        daemon.tick()
        written = read_anchors(anchors)
        assert [a.campaign for a in written] == ["a", "b", "a", "b"]
        assert engine.verify_audit(anchors=written).ok
    events = [json.loads(x) for x in log.getvalue().splitlines()]
    assert [e["campaigns"] for e in events if e["event"] == "anchored"] == [2, 2]


def test_the_daemon_logs_an_anchor_file_it_cannot_write_and_goes_on(tmp_path: Path) -> None:
    log = io.StringIO()
    with Engine(tmp_path / "zg.db", clock=VirtualClock(DEFAULT_START)) as engine:
        engine.start_campaign(load_setup("county_2023"), key="a")
        daemon = Daemon(
            engine,
            interval=60,
            log=log,
            anchor=lambda: anchor_if_due(engine, tmp_path / "missing-dir" / "anchors.jsonl"),
        )
        daemon.tick()
        assert daemon.sweeps == 1
    failed = [json.loads(x) for x in log.getvalue().splitlines() if '"anchor_failed"' in x]
    assert failed and "无法写入" in failed[0]["error"]
