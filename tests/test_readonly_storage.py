"""A read-only or unreadable database (issue 13, point 7): reads work on a database file that
cannot be written, writes are refused in one translated line, and an unopenable one is one
line too — never an internal error. The file is made immutable with chattr (root bypasses
permissions), so the tests run where chattr works and are skipped with the reason elsewhere."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from zhenggai.adapters.cli import main
from zhenggai.engine import Engine, StorageError
from zhenggai.testing import throwaway_engine

OFFICE = ["--actor", "王主任", "--role", "leading_group_office", "--as-unit", "discipline_commission"]


@contextlib.contextmanager
def immutable(*paths: Path) -> Iterator[None]:
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("chattr is not installed")
    done: list[Path] = []
    try:
        for path in paths:
            if subprocess.run([chattr, "+i", str(path)], capture_output=True, check=False).returncode != 0:
                pytest.skip(f"chattr +i is not supported on {path.parent}")
            done.append(path)
        yield
    finally:
        for path in done:
            subprocess.run([chattr, "-i", str(path)], capture_output=True, check=False)


@pytest.fixture
def database(tmp_path: Path) -> str:
    db = tmp_path / "zg.db"
    with throwaway_engine(db=db) as sandbox:
        sandbox.engine.report(
            "test",
            sandbox.office,
            title="审批超时",
            description="施工许可审批超时",
            track="construction",
            channel="hotline",
        )
    return str(db)


def test_reads_work_on_a_database_that_cannot_be_written(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with immutable(Path(database)):
        assert main(["--db", database, "item", "list"]) == 0
        assert "审批超时" in capsys.readouterr().out
        code = main(
            [
                "--db",
                database,
                "item",
                "add",
                "--title",
                "t",
                "--description",
                "d",
                "--track",
                "construction",
                "--channel",
                "hotline",
                *OFFICE,
            ]
        )
        err = capsys.readouterr().err
        assert code == 1 and err.startswith("错误: ") and "readonly" in err and "不可写" in err
        assert len(err.strip().splitlines()) == 1
        with Engine(database) as engine:
            assert len(engine.items("test")) == 1


def test_an_unopenable_database_is_one_line(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The folder cannot be written either: SQLite's WAL cannot even read; one line says why."""
    folder = Path(database).parent
    for extra in (Path(f"{database}-wal"), Path(f"{database}-shm")):
        extra.unlink(missing_ok=True)
    with immutable(Path(database), folder):
        assert main(["--db", database, "item", "list"]) == 1
        err = capsys.readouterr().err
        assert err.startswith("错误: ") and "内部错误" not in err and len(err.strip().splitlines()) == 1
        with pytest.raises(StorageError):
            Engine(database)
