"""The one HTTP client of the providers' channels (SMS, group robots): the standard library's,
so no vendor SDK is needed, held on a short leash.

- A host must be on the configuration's allow-list (``HostPolicy.hosts``); a message cannot
  steer a request elsewhere.
- Addresses a host resolves to that are loopback, private, link-local or otherwise not global
  are refused, unless the configuration names that host in ``HostPolicy.internal`` (the tests'
  local servers; an intranet gateway).
- Redirects are not followed: a 3xx is a permanent failure.
- Network trouble, timeouts, 429 and 5xx are transient :class:`DeliveryError`; other 4xx are
  permanent. Error texts name the host and the status, never the query (it may carry a
  signature) or a secret.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from zhenggai.engine import DeliveryError

__all__ = ["HostPolicy", "Response", "request"]


@dataclasses.dataclass(frozen=True)
class HostPolicy:
    """Which hosts a channel may call: ``hosts`` (public ones), ``internal`` (hosts allowed to
    resolve to loopback or private addresses)."""

    hosts: frozenset[str] = frozenset()
    internal: frozenset[str] = frozenset()

    def check(self, url: str) -> None:
        parts = urllib.parse.urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("https", "http") or not host:
            raise DeliveryError(f"地址无效: {parts.scheme}://{host}", permanent=True)
        if host not in self.hosts and host not in self.internal:
            raise DeliveryError(f"主机 {host} 不在配置的允许列表中", permanent=True)
        if host in self.internal:
            return
        try:
            infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
        except OSError:
            raise DeliveryError(f"无法解析主机 {host}", permanent=False) from None
        for info in infos:
            address = ipaddress.ip_address(info[4][0])
            if not address.is_global:
                raise DeliveryError(f"主机 {host} 解析到内部地址 {address}, 拒绝连接 (须在配置中明确允许)",
                                    permanent=True)


@dataclasses.dataclass(frozen=True)
class Response:
    status: int
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise DeliveryError(f"服务商应答不是 JSON (HTTP {self.status})", permanent=False) from None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx then surfaces as an HTTPError


_OPENER = urllib.request.build_opener(_NoRedirect)


def request(
    method: str,
    url: str,
    *,
    policy: HostPolicy,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> Response:
    """Send one request under ``policy``; a 2xx comes back, anything else is a DeliveryError."""
    policy.check(url)
    host = urllib.parse.urlsplit(url).hostname
    req = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    try:
        with _OPENER.open(req, timeout=timeout) as reply:
            return Response(reply.status, reply.read())
    except urllib.error.HTTPError as err:
        err.close()  # it holds the connection
        status = err.code
        if 300 <= status < 400:
            raise DeliveryError(f"{host} 返回重定向 (HTTP {status}), 不跟随", permanent=True) from None
        retry_after = _retry_after(err.headers.get("Retry-After") if err.headers else None)
        transient = status == 429 or status >= 500
        raise DeliveryError(f"{host} 返回 HTTP {status}", permanent=not transient, retry_after=retry_after) from None
    except OSError as err:  # URLError, refused, reset, timed out
        reason = getattr(err, "reason", err)
        raise DeliveryError(f"无法连接 {host} ({type(reason).__name__})", permanent=False) from None


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
