"""Development channels: the console and a JSON-lines file. Each is a small class behind the
:class:`zhenggai.engine.Channel` port; a real delivery channel is another such class (email in
:mod:`zhenggai.notifications.mail`). Also the header guards every channel uses on what becomes
a header or an address (:func:`check_header_safe`, :func:`neutralise_encoded_words`)."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import TextIO

from zhenggai.engine import DeliveryError, OutgoingMessage

__all__ = ["LINE_BREAKS", "ConsoleChannel", "FileChannel", "check_header_safe", "neutralise_encoded_words"]

#: Every character :meth:`str.splitlines` breaks a line on: CR, LF, VT, FF, the file, group and
#: record separators, NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR. None may reach a header.
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def neutralise_encoded_words(value: str) -> str:
    """``value`` with every ``=?`` split by a zero-width space, so that no part of it can be read
    as an RFC 2047 encoded word (which a mail library would decode, CR/LF and all)."""
    return value.replace("=?", "=\u200b?")


def check_header_safe(field: str, value: str) -> None:
    """Refuse any line break (:data:`LINE_BREAKS`, not only CR and LF) in anything that becomes
    a header or an address (no header injection): a permanent :class:`DeliveryError` before any
    connection is made."""
    if not LINE_BREAKS.isdisjoint(value):
        raise DeliveryError(f"{field} 含换行符, 拒绝发送", permanent=True)


class ConsoleChannel:
    """Prints each message (for a developer's terminal); ``name`` may serve any delivery channel
    name, e.g. ``ConsoleChannel("sms")`` to watch SMS without a provider."""

    rate: int | None = None

    def __init__(self, name: str = "console", stream: TextIO | None = None) -> None:
        self.name = name
        self.stream = stream

    def send(self, message: OutgoingMessage) -> str | None:
        out = self.stream or sys.stdout
        print(f"[{self.name} → {message.recipient}] {message.subject}\n{message.body.rstrip()}\n", file=out)
        return None


class FileChannel:
    """Appends each message as one JSON line to ``path`` (for tests and dry runs)."""

    rate: int | None = None

    def __init__(self, path: str | Path, name: str = "file") -> None:
        self.name = name
        self.path = Path(path)
        self._lock = threading.Lock()

    def send(self, message: OutgoingMessage) -> str | None:
        record = {
            "outbox_id": message.outbox_id,
            "key": message.idempotency_key,
            "channel": message.channel,
            "to": message.recipient,
            "kind": message.kind,
            "subject": message.subject,
            "body": message.body,
            "sms_template": message.sms_template,
            "sms_params": dict(message.sms_params),
            "attempt": message.attempt,
        }
        try:
            with self._lock, self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        except OSError as err:
            raise DeliveryError(f"无法写入文件 {self.path.name}: {err.strerror}", permanent=False) from err
        return None
