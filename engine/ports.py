"""Ports: the protocols the engine depends on and the adapters implement.

This is a leaf module: it imports nothing from zhenggai. Each docstring states the contract.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol, runtime_checkable

__all__ = ["Clock"]


@runtime_checkable
class Clock(Protocol):
    """Where "now" comes from. Every time the engine records or compares goes through here.

    Contract:
    - ``now()`` returns a timezone-aware datetime in UTC; it never returns a naive datetime.
    - Successive calls never go backwards (a virtual clock only moves forward).
    - It never raises and does no I/O beyond reading the system time.
    """

    def now(self) -> dt.datetime: ...
