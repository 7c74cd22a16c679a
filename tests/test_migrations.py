"""Migrations: the pinned head revision, and no Alembic import when nothing needs migrating."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from zhenggai.engine import Engine, migrate


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
