"""问题编号 (issue 14): ``ItemView.number`` given at report time, unique per campaign under
concurrent reporters, searchable (``Engine.items(number=)``, ``Engine.item_by_number``, the CLI's
``item show ZG-2023-0001``), and given to older items by migration 0013 in id order.

Tests taking ``db_url`` / ``engine`` run on SQLite and PostgreSQL (conftest).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import sqlalchemy
from zhenggai.adapters.cli import main
from zhenggai.engine import Actor, CampaignView, Engine, ItemNotFound, VirtualClock, migrate
from zhenggai.workflows import load_setup

from .conftest import REPORTER_KEYS

OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")


def _report(engine: Engine, campaign: str = "test", title: str = "审批超时") -> int:
    return engine.report(
        campaign, OFFICE, title=title, description="施工许可审批超时", track="construction", channel="hotline"
    ).id


class _Runner(threading.Thread):
    """Runs ``call`` in a thread and keeps its exception."""

    def __init__(self, call: Callable[[], object]) -> None:
        super().__init__(daemon=True)
        self.call = call
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.call()
        except BaseException as err:  # noqa: BLE001 - handed to the test
            self.error = err


def test_reported_items_are_numbered_in_order_per_campaign(engine: Engine, campaign: CampaignView) -> None:
    """Each campaign numbers its items ZG-<start year>-0001, 0002, … on its own."""
    engine.start_campaign(load_setup("county_2023"), key="other")
    first, second = _report(engine), _report(engine)
    elsewhere = _report(engine, "other")
    assert [engine.item(i).number for i in (first, second)] == ["ZG-2023-0001", "ZG-2023-0002"]
    assert engine.item(elsewhere).number == "ZG-2023-0001"
    assert engine.item(first).to_dict()["number"] == "ZG-2023-0001"


def test_items_are_found_by_number(engine: Engine, campaign: CampaignView) -> None:
    """``items(number=)`` and ``item_by_number`` find an item by its 问题编号, case and blanks
    ignored; an unknown number is ItemNotFound (a LookupError)."""
    _report(engine)
    second = _report(engine)
    assert [i.id for i in engine.items("test", number="ZG-2023-0002")] == [second]
    assert engine.item_by_number("test", " zg-2023-0002 ").id == second
    assert engine.items(number="ZG-2023-0009") == []
    with pytest.raises(ItemNotFound, match="ZG-2023-0009"):
        engine.item_by_number("test", "ZG-2023-0009")
    with pytest.raises(LookupError):
        engine.item_by_number("test", "ZG-2023-0009")


def test_two_engines_reporting_at_once_never_share_a_number(db_url: str, clock: VirtualClock) -> None:
    """Two engines on one database, each in its own thread, report 15 items each: 30 distinct
    numbers, 0001 to 0030 with no gap (the counter row is taken under its lock)."""
    engines = [Engine(db_url, clock=clock, reporter_keys=REPORTER_KEYS) for _ in range(2)]
    try:
        engines[0].start_campaign(load_setup("county_2023"), key="test")
        runners = [_Runner(lambda e=e: [_report(e, title=f"问题{n}") for n in range(15)]) for e in engines]
        for r in runners:
            r.start()
        for r in runners:
            r.join(60)
        assert [r.error for r in runners] == [None, None]
        numbers = [i.number for i in engines[0].items("test")]
        assert sorted(numbers) == [f"ZG-2023-{n:04d}" for n in range(1, 31)]  # type: ignore[type-var]
        assert engines[1].verify_audit().ok
    finally:
        for e in engines:
            e.dispose()


def test_migration_numbers_older_items_in_id_order(db_url: str, clock: VirtualClock) -> None:
    """A database of revision 0012 (items without numbers) is upgraded on open: its items get
    ZG-2023-0001… in id order, per campaign, the audit chain still verifies, and the next report
    continues the series."""
    engine = Engine(db_url, clock=clock, reporter_keys=REPORTER_KEYS)
    try:
        engine.start_campaign(load_setup("county_2023"), key="test")
        engine.start_campaign(load_setup("county_2023"), key="other")
        ids = [_report(engine), _report(engine, "other"), _report(engine), _report(engine)]
        sqlite = engine.store.dialect.name == "sqlite"
    finally:
        engine.dispose()
    _downgrade(db_url, "0012_audit_binding", sqlite=sqlite)  # back to what step 8 left behind
    engine = Engine(db_url, clock=clock, reporter_keys=REPORTER_KEYS)
    try:
        with engine.store.read() as conn:
            assert migrate.current_revision(conn) == migrate.HEAD_REVISION
        assert [engine.item(i).number for i in ids] == [
            "ZG-2023-0001",
            "ZG-2023-0001",
            "ZG-2023-0002",
            "ZG-2023-0003",
        ]
        assert engine.verify_audit().ok
        assert engine.item(_report(engine)).number == "ZG-2023-0004"
        assert engine.item(_report(engine, "other")).number == "ZG-2023-0002"
    finally:
        engine.dispose()


def _downgrade(db_url: str, revision: str, *, sqlite: bool) -> None:
    """Downgrade the schema to ``revision``; on SQLite on a connection without foreign keys
    (dropping a column rebuilds zg_item, which other tables reference), as Alembic's batch
    mode expects."""
    from alembic import command

    cfg = migrate._config()
    if sqlite:
        plain = sqlalchemy.create_engine(db_url)
        try:
            with plain.begin() as conn:
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, revision)
        finally:
            plain.dispose()
        return
    engine = Engine(db_url)
    try:
        with engine.store.write() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, revision)
    finally:
        engine.dispose()


def test_cli_shows_an_item_by_number_and_lists_numbers(
    engine: Engine, campaign: CampaignView, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``item show ZG-2023-0002`` is the item numbered so, ``item show <id>`` still works, and
    ``item list`` has a 问题编号 column."""
    _report(engine)
    second = _report(engine)
    capsys.readouterr()
    assert main(["--db", db_url, "item", "show", "ZG-2023-0002"]) == 0
    by_number = capsys.readouterr().out
    assert by_number.startswith(f"问题 {second}: 审批超时\n  问题编号  ZG-2023-0002\n")
    assert main(["--db", db_url, "item", "show", str(second)]) == 0
    assert capsys.readouterr().out == by_number
    assert main(["--db", db_url, "item", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["编号", "问题编号"]
    assert lines[-2].split()[:2] == [str(second), "ZG-2023-0002"]


def test_cli_asks_for_the_campaign_when_a_number_is_in_two(
    engine: Engine, campaign: CampaignView, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A number two campaigns gave needs --campaign; with it, that campaign's item; unknown: an error."""
    _report(engine)
    engine.start_campaign(load_setup("county_2023"), key="other")
    other = _report(engine, "other")
    capsys.readouterr()
    assert main(["--db", db_url, "item", "show", "ZG-2023-0001"]) != 0
    assert "--campaign" in capsys.readouterr().err
    assert main(["--db", db_url, "item", "show", "ZG-2023-0001", "--campaign", "other"]) == 0
    assert capsys.readouterr().out.startswith(f"问题 {other}: 审批超时\n  问题编号  ZG-2023-0001\n")
    assert main(["--db", db_url, "item", "show", "ZG-2023-0077"]) != 0
    assert "ZG-2023-0077" in capsys.readouterr().err
