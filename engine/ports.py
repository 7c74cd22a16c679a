"""Ports: the protocols the engine depends on and the adapters implement.

This is a leaf module: it imports nothing from zhenggai. Each docstring states the contract.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

__all__ = ["AttachmentStore", "Calendar", "Channel", "Clock", "OutgoingMessage"]


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


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One message as a channel sends it: rendered, addressed, with the outbox row's identity.

    ``idempotency_key`` is stable across attempts (email derives its Message-ID from it, so a
    resend after a crash is recognisable as the same message). ``sms_template`` and
    ``sms_params`` are for template SMS (providers send only registered templates)."""

    outbox_id: int
    idempotency_key: str
    channel: str
    recipient: str
    kind: str
    subject: str
    body: str
    attempt: int
    sms_template: str | None = None
    sms_params: Mapping[str, str] = field(default_factory=dict)


@runtime_checkable
class Channel(Protocol):
    """A way to deliver messages (email, SMS, a group robot, the console).

    Contract:
    - ``name`` is the delivery channel it serves (``email``, ``sms``, ``wecom``, …).
    - ``send(message)`` delivers one message or raises
      :class:`zhenggai.engine.errors.DeliveryError` — ``permanent=True`` when retrying cannot
      help, else transient (with ``retry_after`` when the provider said how long to wait). It
      returns the provider's message id when there is one.
    - It translates its own errors (sockets, TLS, HTTP) into ``DeliveryError``, and never puts a
      secret (password, key, signature) into an error, a log line or its return value.
    - ``rate`` is how many messages it may send per minute (None: no limit); the dispatcher
      spaces messages out to respect it, it does not drop them.
    """

    name: str
    rate: int | None

    def send(self, message: OutgoingMessage) -> str | None: ...


@runtime_checkable
class AttachmentStore(Protocol):
    """Where the bytes of evidence files (佐证材料) are kept, content-addressed by SHA-256.

    Contract:
    - ``put(sha256, data, tx)`` keeps ``data`` (whose SHA-256 is ``sha256``, in lowercase hex)
      so that ``get`` gives it back; putting the same content again keeps one copy. It is
      called inside the database transaction ``tx`` that records the attachment, before the
      row is written: when it returns the bytes are durable (a store outside the database
      syncs them to disk), so a committed row always has its bytes. A store outside the
      database may keep bytes whose transaction then failed (an orphan, never a row without
      its bytes).
    - ``get(sha256, tx)`` returns the bytes or None when it has none; ``tx`` is a transaction
      or connection of the engine's database (a store outside the database ignores it).
    - Errors reading or writing are raised as :class:`zhenggai.engine.errors.StorageError`.
    """

    def put(self, sha256: str, data: bytes, tx: object) -> None: ...

    def get(self, sha256: str, tx: object) -> bytes | None: ...
