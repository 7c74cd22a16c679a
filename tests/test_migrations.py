"""Migrations: the pinned head revision, and no Alembic import when nothing needs migrating."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from zhenggai.adapters.cli import main
from zhenggai.engine import Actor, Engine, InvalidInputError, VirtualClock, migrate
from zhenggai.testing import DEFAULT_START
from zhenggai.workflows import load_setup


def test_pinned_head_is_the_newest_script() -> None:
    """HEAD_REVISION (the fast path's constant) names the newest migration script."""
    assert migrate.head_revision() == migrate.HEAD_REVISION


def test_database_at_head_reports_its_revision(db_url: str) -> None:
    """After an Engine opens a database, its schema revision is the head."""
    engine = Engine(db_url)
    try:
        with engine.store.read() as conn:
            assert migrate.current_revision(conn) == migrate.HEAD_REVISION
    finally:
        engine.dispose()


def test_opening_a_migrated_database_does_not_import_alembic(tmp_path: Path) -> None:
    """A second open of an up-to-date database stays off Alembic (a fresh interpreter checks)."""
    db = tmp_path / "zg.db"
    Engine(db).dispose()
    code = (
        "import sys\n"
        "from zhenggai.engine import Engine\n"
        f"Engine({str(db)!r}).dispose()\n"
        "print('alembic' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_campaign_started_before_0002_keeps_running(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A database of step 1 (revision 0001, campaigns without their whole definition) is
    upgraded on open; its campaign runs on: the three standard severities, and the labels of
    the built-in definition of the same id and version in the CLI."""
    clock = VirtualClock(DEFAULT_START)
    office = Actor("王主任", "leading_group_office", "discipline_commission")
    engine = Engine(db_url, clock=clock)
    try:
        engine.start_campaign(load_setup("county_2023"), key="old")
        with engine.store.write() as conn:  # back to what step 1 left behind
            from alembic import command

            cfg = migrate._config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0001_baseline")
    finally:
        engine.dispose()
    engine = Engine(db_url, clock=clock)
    try:
        with engine.store.read() as conn:
            assert migrate.current_revision(conn) == migrate.HEAD_REVISION
        assert engine.definition("old") is None
        item = engine.report(
            "old",
            office,
            title="审批超时",
            description="施工许可审批超时",
            track="construction",
            channel="hotline",
        )
        assert item.severity == "normal"
        assert (
            engine.report(
                "old",
                office,
                title="审批超时",
                description="施工许可审批超时",
                track="construction",
                channel="hotline",
                severity="critical",
            ).severity
            == "critical"
        )
        with pytest.raises(InvalidInputError, match="severity"):
            engine.report(
                "old",
                office,
                title="审批超时",
                description="施工许可审批超时",
                track="construction",
                channel="hotline",
                severity="grave",
            )
    finally:
        engine.dispose()
    capsys.readouterr()
    assert main(["--db", db_url, "item", "show", str(item.id)]) == 0
    out = capsys.readouterr().out
    assert "来源渠道  公开举报电话" in out and "问题程度  一般" in out
