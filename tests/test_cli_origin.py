"""Issue 13: until sign-in (step 13), every CLI act records the operating-system user and host it
ran as in its audit event, inside the hash chain; a host's library use records nothing extra."""

from __future__ import annotations

import getpass
import socket
from pathlib import Path

import pytest
from zhenggai.adapters.cli import main
from zhenggai.engine import Engine
from zhenggai.testing import throwaway_engine

OFFICE = ["--actor", "王主任", "--role", "leading_group_office", "--as-unit", "discipline_commission"]


def test_every_cli_act_names_the_account_and_host(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "zg.db"
    with throwaway_engine(db=db) as sandbox:
        library = sandbox.engine.report(
            "test",
            sandbox.office,
            title="库调用",
            description="宿主系统登记",
            track="construction",
            channel="hotline",
        )
    assert (
        main(
            [
                "--db",
                str(db),
                "item",
                "add",
                "--title",
                "命令行登记",
                "--description",
                "命令行",
                "--track",
                "construction",
                "--channel",
                "hotline",
                *OFFICE,
            ]
        )
        == 0
    )
    capsys.readouterr()
    with Engine(db) as engine:
        events = engine.events(campaign="test")
        cli = [e for e in events if e.trigger == "report" and e.item_id != library.id]
        assert len(cli) == 1
        assert cli[0].data["origin"] == {"os_user": getpass.getuser(), "host": socket.gethostname()}
        assert all("origin" not in e.data for e in events if e.item_id == library.id)
        assert engine.verify_audit().ok  # the origin is inside the chain
