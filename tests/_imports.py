"""The import scanner the dependency tests share: every import statement of a module read by AST
(inside functions and under ``TYPE_CHECKING`` too), relative imports resolved, and the import
graph of the installed ``zhenggai`` package built from it."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

#: The subpackages of the ``zhenggai`` namespace (pyproject.toml maps one folder to each).
PACKAGES = ["engine", "workflows", "adapters", "notifications", "testing"]


@dataclass(frozen=True)
class Import:
    """One import statement: ``import module`` (``names`` empty) or ``from module import names``."""

    line: int
    module: str
    names: tuple[str, ...] = ()


def scan(path: Path, package: str) -> list[Import]:
    """Every import statement of the file ``path``, whose package (for a package's
    ``__init__.py``: the package itself) is the dotted ``package``; relative imports resolved."""
    parts = package.split(".")
    found: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [Import(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = parts[: len(parts) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.append(Import(node.lineno, module, tuple(alias.name for alias in node.names)))
    return found


def imported_names(path: Path, package: str) -> list[tuple[int, str]]:
    """(line, absolute name) of every import in ``path``: each module, and for ``from m import n``
    also ``m.n`` (a submodule or a name of ``m``; the caller need not know which)."""
    found: list[tuple[int, str]] = []
    for imp in scan(path, package):
        found.append((imp.line, imp.module))
        found += [(imp.line, f"{imp.module}.{name}") for name in imp.names]
    return found


def modules() -> dict[str, Path]:
    """Every module of the installed ``zhenggai`` package (packages as their ``__init__.py``)."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        pkg = importlib.import_module(f"zhenggai.{package}")
        assert pkg.__file__ is not None
        found[pkg.__name__] = Path(pkg.__file__)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{pkg.__name__}."):
            spec = importlib.util.find_spec(info.name)
            assert spec is not None and spec.origin is not None, info.name
            found[info.name] = Path(spec.origin)
    return found


def import_graph() -> dict[str, dict[str, int]]:
    """module → {imported zhenggai module: line of the first such import}.

    ``from pkg import name`` is an edge to ``pkg.name`` when that is a module, else to ``pkg``.
    An edge from a module to a package it lies in is left out: Python imports a module's parent
    packages before the module, so that import finds the package already loading. An edge from a
    package's ``__init__`` into its own submodule is kept."""
    known = modules()
    graph: dict[str, dict[str, int]] = {}
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges: dict[str, int] = {}
        for imp in scan(path, package):
            targets = [f"{imp.module}.{n}" if f"{imp.module}.{n}" in known else imp.module for n in imp.names]
            for target in targets or [imp.module]:
                if target in known and target != name and not name.startswith(f"{target}."):
                    edges.setdefault(target, imp.line)
        graph[name] = edges
    return graph


def cycles(
    graph: dict[str, dict[str, int]], ignore: AbstractSet[tuple[str, str]] = frozenset()
) -> list[list[str]]:
    """One cycle (its first module repeated at the end) in each strongly connected part of
    ``graph`` with more than one module, leaving out the ``ignore``d edges; empty when acyclic."""
    edges = {node: sorted(t for t in targets if (node, t) not in ignore) for node, targets in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    parts: list[set[str]] = []

    def connect(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges[node]:
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            part = set()
            while True:
                member = stack.pop()
                part.add(member)
                if member == node:
                    break
            if len(part) > 1:
                parts.append(part)

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return [_cycle_in(min(part), part, edges) for part in parts]


def _cycle_in(start: str, part: set[str], edges: dict[str, list[str]]) -> list[str]:
    """A shortest cycle through ``start`` inside the strongly connected ``part`` (breadth first)."""
    came_from: dict[str, str] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in edges[node]:
            if target == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if target in part and target not in came_from:
                came_from[target] = node
                queue.append(target)
    raise AssertionError(f"{start} is on no cycle of its part")
