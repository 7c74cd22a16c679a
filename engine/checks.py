"""Static analysis of a campaign setup: what keeps it from running (errors), and what is legal
but probably a mistake (warnings).

Every problem is a ``path: message`` line whose path points at the offending element
(``ladders[0].steps[2].offset``), so a loader can turn it into ``file:line`` (see
:func:`zhenggai.engine.lifecycle.split_problem`). The engine runs :func:`check_setup` before it
starts or migrates a campaign; ``zhenggai check`` adds template checks and the warnings.

This module is the public face of the checks: the errors are in ``_checks_setup`` (one function
per section of the definition), the warnings in ``_checks_warnings`` (a table of kinds), what
both share in ``_checks_common``; the lifecycle's own checks are
:func:`zhenggai.engine.lifecycle.check_lifecycle`.
"""

from __future__ import annotations

from ._checks_common import DUTY_UNIT_SELECTORS, LADDER_RECIPIENTS, PHASE_RECIPIENTS, notify_lists
from ._checks_setup import DOCUMENT_GUARDS, check_setup  # noqa: F401 (DOCUMENT_GUARDS: kept importable here)
from ._checks_warnings import setup_warnings

__all__ = ["DUTY_UNIT_SELECTORS", "LADDER_RECIPIENTS", "PHASE_RECIPIENTS", "check_setup", "setup_warnings"]

#: Every ``notify`` list of a setup with its path, under the name ``engine/_roster.py`` imports.
_notify_lists = notify_lists
