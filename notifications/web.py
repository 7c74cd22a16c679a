"""The one HTTP client of the providers' channels (SMS, group robots): the standard library's
(``http.client``), so no vendor SDK is needed, held on a short leash.

- A host must be on the configuration's allow-list (``HostPolicy.hosts``); a message cannot
  steer a request elsewhere.
- The host is resolved once; addresses that are loopback, private, link-local or otherwise not
  global are refused, unless the configuration names that host in ``HostPolicy.internal`` (the
  tests' local servers; an intranet gateway). The connection then goes to one of exactly those
  checked addresses, never to a second lookup's answer (no DNS rebinding between check and
  connect); HTTPS still sends the name for SNI and verifies the certificate against it, and the
  ``Host`` header carries the name.
- Redirects are not followed: a 3xx is a permanent failure. Proxies from the environment
  (``HTTPS_PROXY``…) are not used: the request goes straight to the checked address.
- Network trouble, timeouts, 429 and 5xx are transient :class:`DeliveryError`; other 4xx and a
  certificate that does not verify are permanent. Error texts name the host and the status, never
  the query (it may carry a signature) or a secret.
"""

from __future__ import annotations

import dataclasses
import http.client
import ipaddress
import json
import socket
import ssl
import urllib.parse
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
        """Refuse ``url`` unless its host is allowed and resolves only to allowed addresses."""
        self.resolve(url)

    def resolve(self, url: str) -> list[tuple[str, int]]:
        """The addresses (ip, port) of ``url``'s host, looked up once and checked: connect to
        these, not to the name (which could answer differently the next time)."""
        parts = urllib.parse.urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("https", "http") or not host:
            raise DeliveryError(f"地址无效: {parts.scheme}://{host}", permanent=True)
        if host not in self.hosts and host not in self.internal:
            raise DeliveryError(f"主机 {host} 不在配置的允许列表中", permanent=True)
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise DeliveryError(f"地址端口无效: {host}", permanent=True) from None
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:
            raise DeliveryError(f"无法解析主机 {host}", permanent=False) from None
        addresses: list[tuple[str, int]] = []
        for info in infos:
            ip = str(info[4][0])
            try:
                address = ipaddress.ip_address(ip)
            except ValueError:
                raise DeliveryError(f"主机 {host} 解析结果无效", permanent=True) from None
            if host not in self.internal and not address.is_global:
                raise DeliveryError(
                    f"主机 {host} 解析到内部地址 {address}, 拒绝连接 (须在配置中明确允许)", permanent=True
                )
            if (ip, port) not in addresses:
                addresses.append((ip, port))
        if not addresses:
            raise DeliveryError(f"无法解析主机 {host}", permanent=False)
        return addresses


def _open(addresses: list[tuple[str, int]], timeout: float | None) -> socket.socket:
    """A connection to the first of the checked ``addresses`` that answers."""
    error: OSError = OSError("no address")
    for address in addresses:
        try:
            return socket.create_connection(address, timeout)
        except OSError as err:
            error = err
    raise error


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to the host's checked addresses (the ``Host`` header keeps the name)."""

    def __init__(self, host: str, port: int, addresses: list[tuple[str, int]], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses

    def connect(self) -> None:
        self.sock = _open(self.addresses, self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """An HTTPS connection to the host's checked addresses; SNI, the certificate check and the
    ``Host`` header use the name."""

    def __init__(
        self, host: str, port: int, addresses: list[tuple[str, int]], timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self.addresses = addresses
        self.tls = context

    def connect(self) -> None:
        sock = _open(self.addresses, self.timeout)
        try:
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


@dataclasses.dataclass(frozen=True)
class Response:
    status: int
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise DeliveryError(f"服务商应答不是 JSON (HTTP {self.status})", permanent=False) from None


def request(
    method: str,
    url: str,
    *,
    policy: HostPolicy,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
    ssl_context: ssl.SSLContext | None = None,
) -> Response:
    """Send one request under ``policy``; a 2xx comes back, anything else is a DeliveryError."""
    addresses = policy.resolve(url)
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    port = addresses[0][1]
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = _PinnedHTTPS(host, port, addresses, timeout, ssl_context or ssl.create_default_context())
    else:
        connection = _PinnedHTTP(host, port, addresses, timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    sent = {"User-Agent": "zhenggai", "Connection": "close", **dict(headers or {})}
    try:
        connection.request(method, target, body=body, headers=sent)
        reply = connection.getresponse()
        status, data = reply.status, reply.read()
        retry_after = _retry_after(reply.getheader("Retry-After"))
    except ssl.SSLCertVerificationError as err:
        raise DeliveryError(f"{host} 的证书校验失败 ({err.verify_message})", permanent=True) from None
    except (OSError, http.client.HTTPException) as err:  # refused, reset, timed out, a broken reply
        raise DeliveryError(f"无法连接 {host} ({type(err).__name__})", permanent=False) from None
    finally:
        connection.close()
    if 200 <= status < 300:
        return Response(status, data)
    if 300 <= status < 400:
        raise DeliveryError(f"{host} 返回重定向 (HTTP {status}), 不跟随", permanent=True)
    transient = status == 429 or status >= 500
    raise DeliveryError(f"{host} 返回 HTTP {status}", permanent=not transient, retry_after=retry_after)


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
