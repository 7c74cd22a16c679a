"""Start-up of the CLI (issue 19, point 6): ``zhenggai --help`` builds the top-level parser only
and imports neither SQLAlchemy, pydantic, the engine nor the definitions; the parser ``main``
builds lazily is the same tree as the eager one; a listing command (``item list``, ``duty list``)
imports no templates, YAML, spreadsheets, migrations nor the web. Not timed: ``benchmarks/startup.py`` times."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from zhenggai.adapters.cli import build_parser

#: What ``zhenggai --help`` must not import (top-level packages or the zhenggai subpackages).
NOT_FOR_HELP = (
    "sqlalchemy",
    "sqlmodel",
    "pydantic",
    "ruamel",
    "zhenggai.engine",
    "zhenggai.workflows",
    "zhenggai.adapters.reports",
    "zhenggai.adapters.web",
)


def _helps(parser: argparse.ArgumentParser, path: tuple[str, ...], out: dict[tuple[str, ...], str]) -> None:
    out[path] = parser.format_help()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name in list(action.choices):
                _helps(action.choices[name], (*path, name), out)


def test_lazy_parser_is_the_eager_tree() -> None:
    """Every command's and sub-command's help is the same built lazily as built up front."""
    eager: dict[tuple[str, ...], str] = {}
    lazy: dict[tuple[str, ...], str] = {}
    _helps(build_parser(), (), eager)
    _helps(build_parser(lazy=True), (), lazy)
    assert len(eager) > 100 and ("item", "measure", "add") in eager
    assert lazy == eager


def test_lazy_parser_builds_only_the_named_command() -> None:
    parser = build_parser(lazy=True)
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert all(dict.__getitem__(commands.choices, name) is None for name in commands.choices)
    args = parser.parse_args(["item", "list", "--limit", "3"])
    assert (args.command, args.limit) == ("item_list", 3)
    built = [name for name in commands.choices if dict.__getitem__(commands.choices, name) is not None]
    assert built == ["item"]


def test_help_process_imports_neither_sqlalchemy_nor_pydantic_nor_the_engine() -> None:
    code = f"""
import contextlib, io, sys
from zhenggai.adapters.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    assert main(["--help"]) == 0
assert "关联研判" in out.getvalue() and "report" in out.getvalue()
print(sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in {NOT_FOR_HELP!r})))
"""
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


#: What a listing command (``zhenggai item list``, ``duty list``) must not import: it reads rows
#: through the engine and prints a table; no template, YAML, spreadsheet, Word, chart, migration
#: or web code, and no ORM: the tables are SQLAlchemy Core (engine/models.py). (It still imports
#: SQLAlchemy Core and pydantic: the engine reads through them; BENCHMARKS.md, section
#: benchmarks/startup.py, says what that costs.)
NOT_FOR_LISTING = (
    "sqlmodel",
    "sqlalchemy.orm",
    "jinja2",
    "ruamel",
    "yaml",
    "openpyxl",
    "xlsxwriter",
    "docx",
    "docxtpl",
    "matplotlib",
    "alembic",
    "fastapi",
    "starlette",
    "uvicorn",
    "zhenggai.adapters.reports",
    "zhenggai.adapters.web",
    "zhenggai.workflows._loader",
    "zhenggai.workflows._templates",
)


def test_listing_processes_import_no_orm_templates_yaml_reports_migrations_nor_web(tmp_path: Path) -> None:
    db = str(tmp_path / "zg.db")
    init = subprocess.run(
        [
            sys.executable,
            "-m",
            "zhenggai.adapters.cli",
            "--db",
            db,
            "init",
            "--to-year",
            str(time.localtime().tm_year),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert init.returncode == 0, init.stderr
    code = f"""
import contextlib, io, sys
from zhenggai.adapters.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    assert main(sys.argv[1:]) == 0
assert out.getvalue().strip()
print(sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in {NOT_FOR_LISTING!r})))
"""
    for argv in (["item", "list", "--limit", "30"], ["duty", "list"]):
        proc = subprocess.run(
            [sys.executable, "-c", code, "--db", db, *argv],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert proc.returncode == 0, (argv, proc.stderr)
        assert proc.stdout.strip() == "[]", argv
