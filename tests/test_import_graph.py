"""No import cycle among the modules of the installed ``zhenggai`` package.

The graph is read by AST (:mod:`tests._imports`), so it holds every import statement: at module
top, inside functions, and under ``if TYPE_CHECKING:``. Function-local imports count because
they only postpone a cycle to the first call, where it can still fail half-initialised. Imports
under ``TYPE_CHECKING`` count as well, by choice: such a cycle cannot fail at run time, but it
still ties a lower module to the one above it (mypy and a reader follow it both ways), and the
remedy is the same as for a real one: a leaf module both sides import, or a ``Protocol`` in
``engine/ports.py``. An edge from a module to its own parent package is left out (Python has
imported the parent before the module runs); an ``__init__`` importing its own submodule and
that submodule importing the ``__init__`` back is a cycle like any other.
"""

from __future__ import annotations

import itertools

from tests._imports import cycles, import_graph

#: Edges known to close a cycle (importer, imported), each with the reason it is tolerated; none today.
ALLOWED: frozenset[tuple[str, str]] = frozenset()


def test_the_graph_sees_every_kind_of_import() -> None:
    """The graph holds a function-local import, a TYPE_CHECKING one and a package's own submodule
    (so the test below can fail), and no edge to a module's own parent package."""
    graph = import_graph()
    assert "zhenggai.engine.errors" in graph and "zhenggai.adapters.reports.ledger" in graph
    assert "zhenggai.engine.views" in graph["zhenggai.engine.errors"]  # TYPE_CHECKING
    assert "zhenggai.adapters._commands" in graph["zhenggai.adapters.cli"]  # inside main()
    assert "zhenggai.adapters.reports.ledger" in graph["zhenggai.adapters.reports"]  # __init__ → submodule
    assert all(not name.startswith(f"{target}.") for name, edges in graph.items() for target in edges)


def test_allowed_edges_still_exist() -> None:
    """Every allowed edge is still in the graph: one that went away is struck from ALLOWED."""
    graph = import_graph()
    assert [edge for edge in sorted(ALLOWED) if edge[1] not in graph.get(edge[0], {})] == []


def test_no_import_cycle() -> None:
    """The zhenggai modules import each other without a cycle (ALLOWED edges aside)."""
    graph = import_graph()
    found = [
        " → ".join(f"{a}:{graph[a][b]}" for a, b in itertools.pairwise(cycle)) + f" → {cycle[-1]}"
        for cycle in cycles(graph, ALLOWED)
    ]
    assert found == [], "import cycles (importer:line → imported):\n" + "\n".join(found)
