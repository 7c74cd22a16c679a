"""Development channels: the console and a JSON-lines file. Each is a small class behind the
:class:`zhenggai.engine.Channel` port; a real delivery channel is another such class (email in
:mod:`zhenggai.notifications.mail`)."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import TextIO

from zhenggai.engine import DeliveryError, OutgoingMessage

__all__ = ["ConsoleChannel", "FileChannel", "check_header_safe"]


def check_header_safe(field: str, value: str) -> None:
    """Refuse CR or LF in anything that becomes a header or an address (no header injection):
    a permanent :class:`DeliveryError` before any connection is made."""
    if "\r" in value or "\n" in value:
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
            "outbox_id": message.outbox_id, "key": message.idempotency_key, "channel": message.channel,
            "to": message.recipient, "kind": message.kind, "subject": message.subject, "body": message.body,
            "sms_template": message.sms_template, "sms_params": dict(message.sms_params), "attempt": message.attempt,
        }
        try:
            with self._lock, self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        except OSError as err:
            raise DeliveryError(f"无法写入文件 {self.path.name}: {err.strerror}", permanent=False) from err
        return None
