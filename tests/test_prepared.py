"""Prepared statements compile on first use (engine/_raw.py): every one of them still compiles,
on both dialects, and a lazily compiled statement is the eagerly compiled one."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from zhenggai.engine._account_statements import AccountStatements
from zhenggai.engine._admin_statements import AdminStatements
from zhenggai.engine._calendar_years import CalendarStatements
from zhenggai.engine._raw import _COMPILED, Prepared
from zhenggai.engine._score_statements import ScoreStatements
from zhenggai.engine._statements import ITEM, Statements
from zhenggai.engine._webhook_statements import WebhookStatements

DIALECTS = {"sqlite": sqlite.pysqlite.dialect(), "postgresql": postgresql.psycopg.dialect()}


def _prepared(holder: Any) -> dict[str, Prepared[Any]]:
    return {name: value for name, value in vars(holder).items() if isinstance(value, Prepared)}


@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_every_statement_compiles_on_both_dialects(name: str) -> None:
    dialect: Dialect = DIALECTS[name]
    st = Statements(dialect, row_locks=name == "postgresql")
    holders = [
        st,
        AdminStatements(dialect),
        AccountStatements(dialect),
        CalendarStatements(dialect),
        ScoreStatements(st),
        WebhookStatements(st),
    ]
    found = {f"{type(h).__name__}.{n}": p for h in holders for n, p in _prepared(h).items()}
    assert len(found) > 150, len(found)  # the engine's statements, not an empty scan
    for label, stmt in found.items():
        assert stmt.compile() is stmt, label
        assert stmt.sql.strip(), label
        assert len(stmt.plan) == len(stmt.names), label
    # The statements made on demand (one per set of columns or count of rows) compile too.
    for stmt in (
        st.cas(("state", "version")),
        st.cas_returning(("state",)),
        st.steps_insert(3),
        st.steps_rearm(2),
    ):
        assert stmt.compile().sql.strip()


def test_a_statement_compiles_on_first_use_and_as_if_at_once() -> None:
    dialect = DIALECTS["sqlite"]
    stmt = select(ITEM.c.id, ITEM.c.created_at).where(ITEM.c.id == bindparam("id"))
    lazy: Prepared[Any] = Prepared(stmt, dialect)
    assert not any(_set(lazy, n) for n in _COMPILED)  # nothing compiled yet
    eager: Prepared[Any] = Prepared(stmt, dialect).compile()
    assert lazy.plan == eager.plan  # first use compiles
    for n in ("sql", "names", "positional", "columns", "defaults"):
        assert getattr(lazy, n) == getattr(eager, n), n
    # Processors are closures made per compile: compare what they do.
    assert [c[:2] for c in lazy.convert] == [c[:2] for c in eager.convert] == [("created_at", 1)]
    raw = (7, "2023-08-21 01:00:00.000000")
    assert lazy.row(raw) == eager.row(raw)
    assert lazy.row(raw)["created_at"].utcoffset() is not None  # converted as Core would
    assert lazy.params({"id": 7}) == eager.params({"id": 7}) == [7]
    with pytest.raises(AttributeError):
        lazy.no_such_part  # noqa: B018 - an unknown name is still an AttributeError


def _set(obj: Any, name: str) -> bool:
    try:
        object.__getattribute__(obj, name)
    except AttributeError:
        return False
    return True


class _CountingCursor:
    """A sqlite3 cursor that counts the statements it runs."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor
        self.executed = 0

    def execute(self, sql: str, params: Any) -> Any:
        self.executed += 1
        return self._cursor.execute(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


def _items_tx() -> tuple[Any, _CountingCursor]:
    import sqlite3

    from zhenggai.engine._raw import Tx

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE zg_item (id INTEGER PRIMARY KEY, title TEXT)")
    conn.executemany("INSERT INTO zg_item (id, title) VALUES (?, ?)", [(1, "甲"), (2, "乙"), (3, "丙")])
    cursor = _CountingCursor(conn.cursor())
    return Tx(cursor, "sqlite"), cursor


def test_column_reads_the_first_column_of_every_row() -> None:
    tx, _ = _items_tx()
    ids = Prepared(
        select(ITEM.c.id).where(ITEM.c.id >= bindparam("low")).order_by(ITEM.c.id), DIALECTS["sqlite"]
    )
    assert tx.column(ids, {"low": 2}) == [2, 3]
    assert tx.column(ids, {"low": 9}) == []


def test_all_once_reads_once_per_values_only_when_the_transaction_keeps_reads() -> None:
    tx, cursor = _items_tx()
    titles = Prepared(
        select(ITEM.c.id, ITEM.c.title).where(ITEM.c.id >= bindparam("low")).order_by(ITEM.c.id),
        DIALECTS["sqlite"],
    )
    assert tx.all_once(titles, {"low": 2}) == tx.all_once(titles, {"low": 2})
    assert cursor.executed == 2  # not kept by default: every call reads
    tx.once = {}
    first = tx.all_once(titles, {"low": 2})
    first.append({"id": 9, "title": "changed by a caller"})
    again = tx.all_once(titles, {"low": 2})
    assert cursor.executed == 3  # kept: read once
    assert again == [{"id": 2, "title": "乙"}, {"id": 3, "title": "丙"}]  # the caller's list was a copy
    assert tx.all_once(titles, {"low": 3}) == [{"id": 3, "title": "丙"}]
    assert cursor.executed == 4  # other values: read
