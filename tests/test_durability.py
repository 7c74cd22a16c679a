"""SQLite durability (issue 13, point 13): every commit synced (synchronous=FULL) unless the
operator chooses NORMAL; the CLI reads ZHENGGAI_DURABILITY; a bad value is one clear error."""

from __future__ import annotations

from pathlib import Path

import pytest
from zhenggai.adapters import _commands
from zhenggai.adapters.cli import main
from zhenggai.engine import Engine, StorageError


def synchronous(engine: Engine) -> int:
    """The setting on the connections the engine writes with (0 OFF, 1 NORMAL, 2 FULL)."""
    with engine.store.transaction() as tx:
        tx.cursor.execute("PRAGMA synchronous")
        return int(tx.cursor.fetchone()[0])


def test_full_by_default_normal_when_chosen(tmp_path: Path) -> None:
    with Engine(tmp_path / "a.db") as engine:
        assert synchronous(engine) == 2
        with engine.store.read() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    with Engine(tmp_path / "b.db", durability="normal") as engine:
        assert synchronous(engine) == 1


def test_a_bad_setting_is_one_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(StorageError, match="持久性设置"):
        Engine(tmp_path / "c.db", durability="fast")
    Engine(tmp_path / "d.db").dispose()
    monkeypatch.setenv("ZHENGGAI_DURABILITY", "fast")
    assert main(["--db", str(tmp_path / "d.db"), "status"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误:") and "持久性设置" in err and len(err.strip().splitlines()) == 1


def test_the_cli_takes_the_operators_choice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Engine(tmp_path / "e.db").dispose()
    with _commands.open_engine(str(tmp_path / "e.db")) as engine:
        assert synchronous(engine) == 2
    monkeypatch.setenv("ZHENGGAI_DURABILITY", "normal")
    with _commands.open_engine(str(tmp_path / "e.db")) as engine:
        assert synchronous(engine) == 1
