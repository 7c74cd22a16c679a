"""zhenggai.workflows: workflow definitions (实施方案): their schema, the YAML loader and checks,
and the built-in definitions.

- :mod:`zhenggai.workflows.schema` — the pydantic v2 models of a definition
  (:class:`~zhenggai.workflows.schema.CampaignSetup` and its parts). A leaf module: it imports
  nothing but pydantic, so the engine, which interprets a setup, depends on the schema only.
- :func:`load_setup` / :func:`check_definition` — read a file (or a built-in by name), every
  error as ``file:line: path: message``, all of a file's errors at once; warnings for legal but
  suspicious things. :func:`dump_setup` writes a setup back as a definition file.
- :func:`shift_setup` — the same definition re-dated to another start day or year (every date
  found in the models, checked again by the validator); :func:`dated_fields` lists the dates,
  :func:`shift_notes` what a move to another year cannot keep (29 February).
- :func:`load_calendar_year` — read a year's holiday notice file (``zhenggai calendar load``).
- :func:`template_environment` / :func:`template_problems` — the sandboxed Jinja2 environment
  message templates are checked and rendered in, and the checks of a template.

Names load on first use (PEP 562): ``import zhenggai.workflows.schema`` (as the engine does)
does not pull in the loader, ruamel.yaml or Jinja2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zhenggai.engine._lazy import lazy_exports

if TYPE_CHECKING:
    from ._calendar_file import CalendarYearFile, load_calendar_year
    from ._dump import dump_setup
    from ._loader import BUILTINS, CheckedDefinition, builtin_path, check_definition, load_setup
    from ._shift import dated_fields, shift_notes, shift_setup
    from ._templates import template_environment, template_problems

_EXPORTS: dict[str, str] = {
    "BUILTINS": "._loader",
    "CalendarYearFile": "._calendar_file",
    "CheckedDefinition": "._loader",
    "builtin_path": "._loader",
    "check_definition": "._loader",
    "dated_fields": "._shift",
    "dump_setup": "._dump",
    "load_calendar_year": "._calendar_file",
    "load_setup": "._loader",
    "shift_notes": "._shift",
    "shift_setup": "._shift",
    "template_environment": "._templates",
    "template_problems": "._templates",
}


__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)


__all__ = [
    "BUILTINS",
    "CalendarYearFile",
    "CheckedDefinition",
    "builtin_path",
    "check_definition",
    "dated_fields",
    "dump_setup",
    "load_calendar_year",
    "load_setup",
    "shift_notes",
    "shift_setup",
    "template_environment",
    "template_problems",
]
