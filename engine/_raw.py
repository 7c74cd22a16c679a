"""The write path on the DBAPI cursor: SQLAlchemy Core statements compiled once per dialect.

Measured here (BENCHMARKS.md), SQLAlchemy's per-``execute`` machinery costs several times the
driver's own work on a transition. The hot paths therefore build their statements with Core
(one definition of the SQL, portable across dialects), compile each ONCE, and run the
compiled text on the raw cursor with SQLAlchemy's own bind and result processors, so values
are converted exactly as Core would convert them (UTC datetimes, dates, booleans).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Connection, Delete, Insert, Select, Update
from sqlalchemy.engine import Dialect

from .errors import StorageError

__all__ = ["Prepared", "Row", "Tx"]

#: A row of a statement without a typed row of its own.
Row = dict[str, Any]
#: The row type a statement gives (a TypedDict of :mod:`._rows`, or :data:`Row`).
R = TypeVar("R", bound=Mapping[str, Any])
R_co = TypeVar("R_co", bound=Mapping[str, Any], covariant=True)

Processor = Callable[[Any], Any] | None
Statement = Select[Any] | Insert | Update | Delete


class Prepared(Generic[R_co]):
    """One statement, compiled for one dialect, with its bind and result processors; its rows
    are of type ``R_co`` (what the statement selects, checked where it is declared).

    Compiled on first use, not when made: an engine prepares about a hundred statements and a
    command uses a few (compiling them all cost a listing command ~0.13 s of its start). The
    compiled parts are plain slots; until they are set, :meth:`__getattr__` compiles them (two
    threads compiling at once compute the same values, so either result is right).
    ``compile()`` compiles at once (tests compile every statement of every dialect)."""

    __slots__ = (
        "_dialect",
        "_stmt",
        "columns",
        "convert",
        "defaults",
        "names",
        "plan",
        "positional",
        "procs",
        "results",
        "sql",
    )

    def __init__(self, stmt: Statement, dialect: Dialect) -> None:
        self._stmt = stmt
        self._dialect = dialect

    def __getattr__(self, name: str) -> Any:
        # Called only for a slot not set yet: compile, then answer from the slot.
        if name in _COMPILED:
            self.compile()
            return object.__getattribute__(self, name)
        raise AttributeError(name)

    def compile(self) -> Prepared[R_co]:
        """Compile now (what first use would do); return self."""
        stmt, dialect = self._stmt, self._dialect
        compiled = stmt.compile(dialect=dialect)
        positional = bool(dialect.positional)
        binds = compiled.binds
        order = (compiled.positiontup or []) if positional else list(binds)
        names: tuple[str, ...] = tuple(order)
        procs: dict[str, Processor] = {
            name: binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in set(names)
        }
        # SELECT columns, or the RETURNING columns of an INSERT/UPDATE/DELETE (empty without).
        selected = stmt.selected_columns if isinstance(stmt, Select) else (stmt.exported_columns or None)
        columns: tuple[str, ...] = tuple(str(c.key) for c in selected) if selected is not None else ()
        results: tuple[Processor, ...] = (
            tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in selected)
            if selected is not None
            else ()
        )
        # Values fixed in the statement itself (literals): used when the caller gives none.
        self.defaults: dict[str, Any] = {name: bp.value for name, bp in binds.items() if not bp.required}
        self.positional = positional
        self.names = names
        self.procs = procs
        self.columns = columns
        self.results = results
        # Precomputed for the hot path: each bind with its processor, in order; and the result
        # columns that have a processor (the others are taken as the driver gives them).
        self.plan: tuple[tuple[str, Processor], ...] = tuple((name, procs[name]) for name in names)
        self.convert: tuple[tuple[str, int, Callable[[Any], Any]], ...] = tuple(
            (name, i, proc) for i, (name, proc) in enumerate(zip(columns, results, strict=True)) if proc
        )
        # The text last: a thread that sees it set finds every other part set too.
        self.sql: str = str(compiled)
        return self

    def params(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """The values as the driver takes them, each through its column's bind processor. A value
        the column refuses (a naive datetime) fails as a StorageError with the column's reason,
        as it does on a SQLAlchemy connection (its StatementError, translated by the store)."""
        if self.defaults:
            values = {**self.defaults, **values}
        try:
            if self.positional:
                out = []
                for name, proc in self.plan:
                    value = values[name]
                    out.append(value if proc is None or value is None else proc(value))
                return out
            converted = {}
            for name, proc in self.plan:
                value = values[name]
                converted[name] = value if proc is None or value is None else proc(value)
            return converted
        except (ValueError, TypeError, AttributeError) as err:
            raise StorageError((str(err).strip().splitlines() or [type(err).__name__])[0]) from err

    def row(self, raw: Sequence[Any]) -> R_co:
        out = dict(zip(self.columns, raw, strict=True))
        for name, i, proc in self.convert:
            out[name] = proc(raw[i])
        return cast(R_co, out)


#: The slots :meth:`Prepared.compile` sets.
_COMPILED = frozenset(
    {"columns", "convert", "defaults", "names", "plan", "positional", "procs", "results", "sql"}
)


class Tx:
    """A write transaction on a DBAPI cursor, running :class:`Prepared` statements."""

    __slots__ = ("cursor", "dialect_name", "heads", "once")

    def __init__(self, cursor: Any, dialect_name: str) -> None:
        self.cursor = cursor
        self.dialect_name = dialect_name
        #: Audit heads this transaction wrote, by campaign id: ``(seq, hash)``, so its next event
        #: of the campaign need not read the head again. None (the default): not kept. Only a
        #: transaction that writes every event through this one Tx may keep them (a sweep's
        #: batch), and it must forget them when it rolls back to a savepoint.
        self.heads: dict[int, tuple[int, str]] | None = None
        #: Reads :meth:`all_once` remembers for the rest of the transaction, by statement and
        #: values; None (the default): nothing is remembered.
        self.once: dict[tuple[Any, ...], list[Any]] | None = None

    @classmethod
    def on(cls, conn: Connection) -> Tx:
        """Run prepared statements inside a SQLAlchemy connection's current transaction."""
        return cls(conn.connection.cursor(), conn.dialect.name)

    def run(self, stmt: Prepared[Any], values: Mapping[str, Any] | None = None) -> int:
        """Execute; return the number of rows affected."""
        self.cursor.execute(stmt.sql, stmt.params(values or {}))
        return int(self.cursor.rowcount)

    def run_many(self, stmt: Prepared[Any], rows: Sequence[Mapping[str, Any]]) -> None:
        """Execute once per row of values, in one driver call (bulk inserts)."""
        if rows:
            self.cursor.executemany(stmt.sql, [stmt.params(values) for values in rows])

    def one(self, stmt: Prepared[R], values: Mapping[str, Any] | None = None) -> R | None:
        """Execute and return the first row as a dict, or None."""
        self.cursor.execute(stmt.sql, stmt.params(values or {}))
        raw = self.cursor.fetchone()
        return None if raw is None else stmt.row(raw)

    def all(self, stmt: Prepared[R], values: Mapping[str, Any] | None = None) -> list[R]:
        self.cursor.execute(stmt.sql, stmt.params(values or {}))
        return [stmt.row(raw) for raw in self.cursor.fetchall()]

    def column(self, stmt: Prepared[Any], values: Mapping[str, Any] | None = None) -> list[Any]:
        """Execute and return the first column of every row (ids, say), building no dicts."""
        self.cursor.execute(stmt.sql, stmt.params(values or {}))
        rows = self.cursor.fetchall()
        proc = stmt.results[0]
        return [raw[0] for raw in rows] if proc is None else [proc(raw[0]) for raw in rows]

    def all_once(self, stmt: Prepared[R], values: Mapping[str, Any]) -> list[R]:
        """:meth:`all`, remembered for the rest of the transaction when it keeps reads
        (:attr:`once`): for reads of what the transaction does not write (a sweep's batch asks
        for the same unit's contacts for subject after subject). The rows are shared: do not
        change them."""
        if self.once is None:
            return self.all(stmt, values)
        key = (stmt, *sorted(values.items()))
        found = self.once.get(key)
        if found is None:
            found = self.once[key] = self.all(stmt, values)
        return list(found)

    def scalar(self, stmt: Prepared[Any], values: Mapping[str, Any] | None = None) -> Any:
        self.cursor.execute(stmt.sql, stmt.params(values or {}))
        raw = self.cursor.fetchone()
        return None if raw is None else stmt.row(raw)[stmt.columns[0]]
