"""What a CLI command costs the database: ``zhenggai item fire`` opens at most two transactions
(the schema check, then the write), whatever the trigger is called; the names it prints come
from the campaign the engine read in the write, not from more reads.

Every transaction and every read checks a connection out of the engine's pool, so counting
checkouts (SQLAlchemy's pool ``checkout`` event, on every pool of the process) counts them."""

from __future__ import annotations

import pytest

from tests.test_cli import FUTURE, OFFICE, Cli, add_item, cli, db, init  # noqa: F401  (fixtures)


@pytest.mark.parametrize("trigger", ["assign", "交办"])
def test_item_fire_costs_two_transactions(cli: Cli, db: str, checkouts: list[object], trigger: str) -> None:
    init(cli, db)
    item = add_item(cli, db)
    checkouts.clear()
    result = cli(
        "--db",
        db,
        "item",
        "fire",
        str(item),
        trigger,
        "--unit",
        "housing_construction_bureau",
        "--due",
        FUTURE,
        *OFFICE,
    )
    assert result.code == 0, result.err
    assert result.out.startswith(f"问题 {item} 交办: 已查摆 → 已交办"), result.out
    assert len(checkouts) <= 2, f"{len(checkouts)} transactions"


def test_the_count_sees_every_read(cli: Cli, db: str, checkouts: list[object]) -> None:
    """(So the test above can fail.) ``item show`` reads the item, its measures and events."""
    init(cli, db)
    item = add_item(cli, db)
    checkouts.clear()
    assert cli("--db", db, "item", "show", str(item)).code == 0
    assert len(checkouts) > 2
