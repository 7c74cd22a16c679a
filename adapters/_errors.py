"""The CLI's own error and the turning of any error into its one ``错误:`` line and exit code.

A leaf: it imports nothing from the adapters, so every adapter module imports
:class:`CliError` from here at module top. ::

    Exception
    └── CliError        a problem the CLI itself found: one 错误: line, exit 1
    (zhenggai.engine.ZhenggaiError and its tree: reported the same way)
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any

__all__ = ["ENV_DEBUG", "CliError", "exit_code", "report_error"]

ENV_DEBUG = "ZHENGGAI_DEBUG"


class CliError(Exception):
    """A problem the CLI itself found (no campaign yet, missing database file, …).

    Reported like a :class:`zhenggai.engine.ZhenggaiError`: one ``错误:`` line, exit 1.
    """


def report_error(err: Exception) -> int:
    """Print ``err`` as the one line an official reads (plus located problems of a definition)."""
    errors = sys.modules.get("zhenggai.engine.errors")  # loaded by then if the engine raised it
    root: Any = getattr(errors, "ZhenggaiError", None)
    definition_error: Any = getattr(errors, "DefinitionError", None)
    if definition_error is not None and isinstance(err, definition_error):
        problems = list(err.problems)
        print(f"错误: {getattr(err, 'what', '定义')}有误 ({len(problems)} 处)", file=sys.stderr)
        for problem in problems:
            print(f"  {_one_line(problem)}", file=sys.stderr)
        return 1
    if isinstance(err, CliError) or (root is not None and isinstance(err, root)):
        print(f"错误: {_one_line(str(err))}", file=sys.stderr)
        return 1
    if os.environ.get(ENV_DEBUG, "") not in ("", "0"):
        traceback.print_exc()
    print(f"内部错误: {type(err).__name__}: {_one_line(str(err))}", file=sys.stderr)
    return 1


def _one_line(text: str) -> str:
    return "; ".join(part.strip() for part in text.strip().splitlines() if part.strip())


def exit_code(code: object) -> int:
    """The exit code of a ``SystemExit(code)``: None is 0, a number itself, a text printed and 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
