"""zhenggai.workflows: workflow definitions (实施方案) as YAML files, their loader and checks,
and the built-in ones.

A definition file reads into a :class:`zhenggai.engine.CampaignSetup` (the schema lives with
the engine, which interprets it; this package holds the file format). Every error is reported
as ``file:line: path: message``, all of a file's errors at once.
"""

from ._loader import BUILTINS, CheckedDefinition, builtin_path, check_definition, load_setup
from ._templates import template_environment, template_problems

__all__ = [
    "BUILTINS",
    "CheckedDefinition",
    "builtin_path",
    "check_definition",
    "load_setup",
    "template_environment",
    "template_problems",
]
