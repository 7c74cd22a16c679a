"""Chinese names wherever the CLI takes a key (issue 14, point 5): one loose, exact resolver."""

from __future__ import annotations

import pytest
from zhenggai.adapters import _names

from tests.test_cli import FUTURE, Cli, add_item, cli, db, init  # noqa: F401  (fixtures)

#: The office, named in Chinese (role and unit by name, full-width spaces around).
OFFICE_NAMED = [
    "--actor",
    "王主任",
    "--role",
    "\u3000县干部作风整顿领导小组办公室 ",
    "--as-unit",
    "县纪委县监委",
]


def test_item_add_takes_track_channel_and_severity_by_name(cli: Cli, db: str) -> None:
    """``--track 政务服务专项整治 --channel 走访调研 --severity 较重`` store their keys."""
    init(cli, db)
    result = cli(
        "--db",
        db,
        "item",
        "add",
        "--title",
        "办事窗口推诿",
        "--description",
        "群众反映",
        "--track",
        "政务服务专项整治",
        "--channel",
        "走访调研",
        "--severity",
        "较重",
        *OFFICE_NAMED,
        "--json",
    )
    assert result.code == 0, result.err
    item = result.json()
    assert (item["track"], item["channel"], item["severity"]) == ("government_services", "visit", "serious")


def test_item_fire_and_list_take_trigger_unit_and_state_by_name(cli: Cli, db: str) -> None:
    """``item fire 1 交办 --unit 县住建局`` then ``item list --state 已交办 --unit 县住建局``."""
    init(cli, db)
    add_item(cli, db)
    fired = cli(
        "--db",
        db,
        "item",
        "fire",
        "1",
        "交办",
        "--unit",
        "县住建局",
        "--due",
        FUTURE,
        *OFFICE_NAMED,
        "--json",
    )
    assert fired.code == 0, fired.err
    assert fired.json()["unit"] == "housing_construction_bureau"
    listed = cli(
        "--db",
        db,
        "item",
        "list",
        "--state",
        "已交办",
        "--unit",
        "县住建局",
        "--track",
        "工程领域专项整治",
        "--json",
    )
    assert listed.code == 0, listed.err
    assert [i["id"] for i in listed.json()] == [1]


def test_names_compare_width_and_space_insensitively(cli: Cli, db: str) -> None:
    """Full-width letters and spaces inside a name do not matter; the key still works."""
    init(cli, db)
    add_item(cli, db)
    assert cli("--db", db, "item", "list", "--unit", "县 住建局", "--json").code == 0
    assert cli("--db", db, "item", "list", "--unit", "ｈｏｕｓｉｎｇ_construction_bureau", "--json").code == 0
    assert cli("--db", db, "item", "list", "--state", "identified", "--json").json()[0]["id"] == 1


def test_a_miss_names_the_nearest_units_with_their_keys(cli: Cli, db: str) -> None:
    """``县住房和城乡建设局`` is not guessed: one error line suggests 县住建局 (housing_construction_bureau)."""
    init(cli, db)
    result = cli("--db", db, "item", "list", "--unit", "县住房和城乡建设局")
    assert result.code == 1 and result.out == ""
    assert result.err.count("\n") == 1
    assert result.err.startswith("错误: 未知单位「县住房和城乡建设局」, 最接近的: ")
    assert "县住建局 (housing_construction_bureau)" in result.err


def test_a_part_of_a_name_is_not_accepted(cli: Cli, db: str) -> None:
    """``住建局`` is a part of 县住建局, not its name: refused, with 县住建局 suggested."""
    init(cli, db)
    result = cli("--db", db, "item", "list", "--unit", "住建局")
    assert result.code == 1
    assert "未知单位「住建局」" in result.err and "县住建局 (housing_construction_bureau)" in result.err


def test_report_takes_the_unit_by_name(cli: Cli, db: str, tmp_path: pytest.TempPathFactory) -> None:
    """``report ledger --unit 县住建局`` is accepted; a wrong name lists names beside keys."""
    init(cli, db)
    refused = cli("--db", db, "report", "ledger", "--out", str(tmp_path), "--unit", "住建")
    assert refused.code == 1 and "县住建局 (housing_construction_bureau)" in refused.err
    help_text = cli("report", "--help").out
    assert "县住建局" in help_text


def test_the_resolver_is_shared_with_import() -> None:
    """Import's lookups are the resolver's (one module)."""
    from zhenggai.adapters import _import

    assert _import.lookup is _names.lookup and _import._squash is _names.squash
    assert _names.find({"serious": "较重"}, " 较 重 ") == "serious"
    assert _names.find({"serious": "较重"}, "重") is None


def test_the_roster_takes_the_acting_role_by_name(cli: Cli, db: str) -> None:
    """``contact list`` by the office named in Chinese (role and unit) works like by key."""
    init(cli, db)
    result = cli(
        "--db",
        db,
        "contact",
        "add",
        "--unit",
        "县住建局",
        "--name",
        "张三",
        "--mobile",
        "13800000000",
        *OFFICE_NAMED,
    )
    assert result.code == 0, result.err
