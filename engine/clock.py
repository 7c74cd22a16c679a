"""The two clocks: the system clock for production, a virtual clock for tests and simulation."""

from __future__ import annotations

import datetime as dt
import threading

from .errors import InvalidInputError

__all__ = ["SystemClock", "VirtualClock"]

UTC = dt.UTC


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(UTC)


class VirtualClock:
    """A clock that only moves when told to. Thread-safe; never goes backwards.

    >>> clock = VirtualClock(dt.datetime(2023, 7, 1, 1, 0, tzinfo=dt.UTC))
    >>> clock.advance(dt.timedelta(days=1)).isoformat()
    '2023-07-02T01:00:00+00:00'
    """

    def __init__(self, start: dt.datetime | None = None) -> None:
        start = start or dt.datetime(2023, 7, 1, 1, 0, tzinfo=UTC)
        self._now = _aware_utc(start, "start")
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            return self._now

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        """Move forward by ``delta`` (which must not be negative) and return the new now."""
        if delta < dt.timedelta(0):
            raise InvalidInputError("delta", "虚拟时钟不能倒退")
        with self._lock:
            self._now += delta
            return self._now

    def set(self, when: dt.datetime) -> dt.datetime:
        """Jump to ``when`` (not earlier than now)."""
        when = _aware_utc(when, "when")
        with self._lock:
            if when < self._now:
                raise InvalidInputError("when", "虚拟时钟不能倒退")
            self._now = when
            return self._now


def _aware_utc(value: dt.datetime, field: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInputError(field, "时间必须带时区")
    return value.astimezone(UTC)
