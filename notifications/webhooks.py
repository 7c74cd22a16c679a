"""The webhook channel: POSTs a relayed audit event (:mod:`zhenggai.engine._webhooks`) to its
subscription's URL, signed with the subscription's secret.

The request::

    POST <url>
    Content-Type: application/json
    X-Zhenggai-Event: <kind, the event's trigger>
    X-Zhenggai-Delivery: <the outbox id: the same on every retry, for the receiver to dedupe>
    X-Zhenggai-Timestamp: <Unix seconds, on the engine's clock>
    X-Zhenggai-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>

    <the payload as UTF-8 JSON>

A receiver recomputes the signature over the raw body it got (:func:`verify` does it, and
refuses a timestamp more than five minutes off its clock, so a captured request cannot be
replayed later). A 2xx answer is delivered; a 5xx, a 429 and a timeout are transient (retried by
the dispatcher with its backoff); any other 4xx and a redirect are permanent (dead-lettered).
The URL's host must be on the delivery configuration's allow-list (``[network] hosts``, or
``internal`` for an intranet address), as for every provider the channels call
(:mod:`.web`). A subscription disabled or removed since its message was queued is a permanent
failure. Errors name the host and the status, never the secret or the signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from zhenggai.engine import DeliveryError, Engine, OutgoingMessage, WebhookNotFound, Webhooks

from .web import HostPolicy, request

__all__ = ["SIGNATURE_HEADER", "WebhookChannel", "sign", "verify", "webhook_body"]

SIGNATURE_HEADER = "X-Zhenggai-Signature"
#: How far a request's timestamp may be from the receiver's clock (seconds).
TOLERANCE = 300


def webhook_body(payload: Mapping[str, Any]) -> str:
    """The JSON text a payload is sent as (compact, keys sorted, Chinese kept as is)."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``timestamp + "." + body`` under ``secret``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str, headers: Mapping[str, str], body: bytes, *, now: float, tolerance: float = TOLERANCE
) -> bool:
    """Whether a received request is genuine: its signature matches its timestamp and raw body,
    and its timestamp is within ``tolerance`` seconds of ``now`` (the receiver's Unix time)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    timestamp = lowered.get("x-zhenggai-timestamp", "")
    signature = lowered.get(SIGNATURE_HEADER.lower(), "")
    try:
        fresh = abs(now - int(timestamp)) <= tolerance
    except ValueError:
        return False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookChannel:
    """Delivers the outbox's ``webhook`` messages of ``engine``'s subscriptions."""

    name = "webhook"
    rate: int | None = None

    def __init__(self, engine: Engine, *, policy: HostPolicy, timeout: float = 10.0) -> None:
        self.engine = engine
        self.webhooks = Webhooks(engine)
        self.policy = policy
        self.timeout = timeout

    def __repr__(self) -> str:
        return "WebhookChannel()"

    def send(self, message: OutgoingMessage) -> str | None:
        prefix, _, number = message.recipient.partition(":")
        if prefix != "webhook" or not number.isdigit():
            raise DeliveryError(f"推送对象无效: {message.recipient}", permanent=True)
        try:
            target = self.webhooks.target(int(number))
        except WebhookNotFound:
            raise DeliveryError(f"推送订阅 {number} 不存在", permanent=True) from None
        if not target.active:
            raise DeliveryError(f"推送订阅 {number} 已停用", permanent=True)
        body = message.body.encode("utf-8")
        timestamp = str(int(self.engine.clock.now().timestamp()))
        headers = {
            "Content-Type": "application/json",
            "X-Zhenggai-Event": message.kind,
            "X-Zhenggai-Delivery": str(message.outbox_id),
            "X-Zhenggai-Timestamp": timestamp,
            SIGNATURE_HEADER: sign(target.secret, timestamp, body),
        }
        request("POST", target.url, policy=self.policy, body=body, headers=headers, timeout=self.timeout)
        return None
