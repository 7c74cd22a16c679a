"""One write discipline: the engine writes only through statements compiled once per dialect.

Every INSERT, UPDATE and DELETE of :mod:`zhenggai.engine` is built in a statement module
(``_statements``, ``_admin_statements``, ``_calendar_years``), compiled there into a
:class:`~zhenggai.engine._raw.Prepared`, and run on a :class:`~zhenggai.engine._raw.Tx`
(``Store.transaction()``). Read by AST, no engine module may run one through a SQLAlchemy
connection (``conn.execute(TABLE.insert() …)``), nor build one anywhere else (a statement made in
an operation module and executed a few lines later is the same write by another road). The
schema migrations (``migrate.py``, ``_migrations``) are Alembic's and stay out of it.
"""

from __future__ import annotations

import ast

from tests._imports import modules

#: The modules that build (and compile) the engine's write statements.
STATEMENT_MODULES = frozenset(
    {
        "zhenggai.engine._statements",
        "zhenggai.engine._admin_statements",
        "zhenggai.engine._calendar_years",
        "zhenggai.engine._score_statements",
        "zhenggai.engine._account_statements",
        "zhenggai.engine._webhook_statements",
    }
)
#: Schema migrations run on an Alembic connection, outside the discipline.
EXEMPT = ("zhenggai.engine.migrate", "zhenggai.engine._migrations")

DML = frozenset({"insert", "update", "delete"})


def _dml_functions(tree: ast.AST) -> set[str]:
    """The local names of SQLAlchemy's ``insert`` / ``update`` / ``delete`` constructors
    (``from sqlalchemy import insert``, ``from sqlalchemy.dialects.postgresql import insert as pg_insert``)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            names |= {alias.asname or alias.name for alias in node.names if alias.name in DML}
    return names


def _builds_dml(node: ast.AST, functions: set[str]) -> bool:
    """``node`` builds an INSERT / UPDATE / DELETE: ``TABLE.insert()`` (a table's method takes no
    argument, unlike ``list.insert(i, x)`` or ``dict.update(d)``), ``sa.update(TABLE)``, or a
    constructor imported from SQLAlchemy (``insert(TABLE)``)."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name):
        return func.id in functions
    if isinstance(func, ast.Attribute) and func.attr in DML:
        bare = not node.args and not node.keywords
        return bare or (isinstance(func.value, ast.Name) and func.value.id in ("sa", "sqlalchemy"))
    return False


def violations(source: str, *, statement_module: bool = False) -> list[str]:
    """Where ``source`` breaks the discipline, as ``line: what``; a statement module may build
    write statements (to compile them), never execute one on a connection."""
    tree = ast.parse(source)
    functions = _dml_functions(tree)
    found: set[tuple[int, str]] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("execute", "executemany")
        ):
            arguments = [*node.args, *(k.value for k in node.keywords)]
            if any(_builds_dml(inner, functions) for arg in arguments for inner in ast.walk(arg)):
                found.add((node.lineno, "runs an INSERT/UPDATE/DELETE through a connection's execute()"))
        if not statement_module and _builds_dml(node, functions):
            found.add((node.lineno, "builds an INSERT/UPDATE/DELETE outside the statement modules"))
    return [f"{line}: {what}" for line, what in sorted(found)]


def engine_modules() -> dict[str, str]:
    """The engine's modules under the discipline: name → source."""
    return {
        name: path.read_text(encoding="utf-8")
        for name, path in modules().items()
        if name.startswith("zhenggai.engine") and not name.startswith(EXEMPT)
    }


def test_engine_writes_only_through_compiled_statements() -> None:
    """No engine module (migrations aside) runs a write on a SQLAlchemy connection or builds one
    outside the statement modules."""
    found = [
        f"{name}:{problem}"
        for name, source in sorted(engine_modules().items())
        for problem in violations(source, statement_module=name in STATEMENT_MODULES)
    ]
    assert found == [], "writes outside the compiled statements:\n" + "\n".join(found)


def test_the_check_reads_the_write_paths_not_the_migrations() -> None:
    """The check covers the operation and statement modules, and leaves the migrations out."""
    names = engine_modules()
    assert {"zhenggai.engine._roster", "zhenggai.engine._outcomes", "zhenggai.engine._sweep"} <= set(names)
    assert set(names) >= STATEMENT_MODULES
    assert "zhenggai.engine.migrate" not in names
    assert not any(name.startswith("zhenggai.engine._migrations") for name in names)


def test_the_check_finds_writes_on_a_connection() -> None:
    """Each way of writing around the compiled statements is found (so the test above can fail)."""
    offending = {
        "table method": "conn.execute(CONTACT.update().where(CONTACT.c.id == 1).values(name='x'))",
        "bulk insert": "conn.execute(OUTCOME_MECHANISM.insert(), [{'item_id': 1, 'mechanism_id': 2}])",
        "module table": "conn.execute(_outcomes.MECHANISM.insert().values(**values).returning(ID))",
        "delete": "for table in (A, B):\n    conn.execute(table.delete().where(table.c.item_id == 1))",
        "constructor": "from sqlalchemy import delete\nconn.execute(delete(OUTCOME).where(OUTCOME.c.item_id == 1))",
        "aliased constructor": (
            "from sqlalchemy.dialects.postgresql import insert as pg_insert\n"
            "conn.execute(pg_insert(STEP).on_conflict_do_nothing())"
        ),
        "built, then run": "stmt = HEARTBEAT.update().values(beat_at=now)\nconn.execute(stmt)",
    }
    for what, source in offending.items():
        assert violations(source), what
    # Executing one is refused in a statement module too; building one there is its job.
    assert violations(offending["table method"], statement_module=True)
    assert (
        violations(
            "stmt = p(update(STEP).values(status=1))\nfrom sqlalchemy import update", statement_module=True
        )
        == []
    )


def test_the_check_leaves_other_calls_alone() -> None:
    """Reads, prepared statements on a Tx and the builtins' own insert/update are not writes."""
    fine = (
        "rows = conn.execute(select(ITEM).where(ITEM.c.id == 1)).mappings().all()\n"
        "tx.run(rt.admin.contact_remove, {'id': 1})\n"
        "cursor.execute(stmt.sql, stmt.params(values))\n"
        "seen.update(ids)\nqueue.insert(0, item)\ncounts.update(kind=1)\n"
    )
    assert violations(fine) == []
