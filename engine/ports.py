"""Ports: the protocols the engine depends on and the adapters implement.

This is a leaf module: it imports nothing from zhenggai. Each docstring states the contract.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol, runtime_checkable

__all__ = ["Calendar", "Clock"]


@runtime_checkable
class Clock(Protocol):
    """Where "now" comes from. Every time the engine records or compares goes through here.

    Contract:
    - ``now()`` returns a timezone-aware datetime in UTC; it never returns a naive datetime.
    - Successive calls never go backwards (a virtual clock only moves forward).
    - It never raises and does no I/O beyond reading the system time.
    """

    def now(self) -> dt.datetime: ...


@runtime_checkable
class Calendar(Protocol):
    """Which days are working days (工作日), for deadlines counted in working days.

    Contract:
    - ``covers(year)`` tells whether the calendar knows that year's holidays and make-up
      working days (调休); ``is_workday`` of a day in a year it does not cover raises
      :class:`zhenggai.engine.errors.CalendarError`, it never guesses.
    - Answers depend only on the date: no I/O, no clock.
    """

    def covers(self, year: int) -> bool: ...

    def is_workday(self, day: dt.date) -> bool: ...
