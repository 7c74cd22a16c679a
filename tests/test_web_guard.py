"""The providers' HTTP client against DNS rebinding (issue 13, point 9): a host is resolved once,
its addresses checked, and the connection made to a checked address; a name that answers a public
address to the check and 127.0.0.1 afterwards never reaches 127.0.0.1. HTTPS keeps the name for
SNI and certificate verification while connecting to the checked address."""

from __future__ import annotations

import http.server
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from zhenggai.engine import DeliveryError
from zhenggai.notifications.web import HostPolicy, request

from . import providers as p
from .test_sms import aliyun, message

DATA = Path(__file__).parent / "data"
NAME = "sms.rebind.test"
PUBLIC = "8.8.8.8"

_real_getaddrinfo = socket.getaddrinfo
_real_create_connection = socket.create_connection


class Rebinding:
    """``socket.getaddrinfo`` answering ``answers`` in turn for ``NAME`` (the last one from then
    on), and ``socket.create_connection`` recording where it is asked to go: loopback is really
    connected, anything else refused at once (no traffic leaves the machine)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *answers: str) -> None:
        self.answers = list(answers)
        self.lookups = 0
        self.connects: list[str] = []
        monkeypatch.setattr(socket, "getaddrinfo", self.getaddrinfo)
        monkeypatch.setattr(socket, "create_connection", self.create_connection)

    def getaddrinfo(self, host: Any, port: Any, *args: Any, **kw: Any) -> Any:
        if host != NAME:
            return _real_getaddrinfo(host, port, *args, **kw)
        answer = self.answers[min(self.lookups, len(self.answers) - 1)]
        self.lookups += 1
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (answer, int(port or 0)))]

    def create_connection(self, address: tuple[str, int], *args: Any, **kw: Any) -> socket.socket:
        self.connects.append(str(address[0]))
        if address[0] == NAME:  # the old client: it resolves again here, for itself
            address = (self.getaddrinfo(NAME, address[1])[0][4][0], address[1])
        if address[0] != "127.0.0.1":
            raise ConnectionRefusedError(f"test: no traffic to {address[0]}")
        return _real_create_connection(address, *args, **kw)


def test_a_name_rebinding_to_loopback_after_the_check_never_reaches_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with p.serve("aliyun") as server:
        dns = Rebinding(monkeypatch, PUBLIC, "127.0.0.1")
        url = server.url.replace("127.0.0.1", NAME)
        with pytest.raises(DeliveryError) as err:
            aliyun(url, policy=HostPolicy(hosts=frozenset({NAME}))).send(message())
        assert not err.value.permanent and "无法连接" in str(err.value)
        assert server.accepted == [] and server.refused == []
        assert dns.lookups == 1 and dns.connects == [PUBLIC]


def test_a_name_resolving_to_loopback_first_is_refused_without_connecting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with p.serve("aliyun") as server:
        dns = Rebinding(monkeypatch, "127.0.0.1", PUBLIC)
        url = server.url.replace("127.0.0.1", NAME)
        with pytest.raises(DeliveryError, match="内部地址") as err:
            aliyun(url, policy=HostPolicy(hosts=frozenset({NAME}))).send(message())
        assert err.value.permanent and dns.connects == [] and server.accepted == []


def test_an_internal_name_is_resolved_once_and_reached_at_that_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with p.serve("aliyun") as server:
        dns = Rebinding(monkeypatch, "127.0.0.1", PUBLIC)
        url = server.url.replace("127.0.0.1", NAME)
        assert aliyun(url, policy=HostPolicy(internal=frozenset({NAME}))).send(message())
        assert len(server.accepted) == 1 and dns.lookups == 1 and dns.connects == ["127.0.0.1"]


@pytest.fixture
def https_server() -> Iterator[int]:
    """An HTTPS server on 127.0.0.1 with the tests' certificate for ``localhost``; answers 200."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            body = f'{{"host": "{self.headers.get("Host")}"}}'.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(DATA / "localhost.crt", DATA / "localhost.key")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_https_verifies_the_name_at_the_checked_address(
    https_server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = ssl.create_default_context(cafile=str(DATA / "localhost.crt"))
    reply = request(
        "GET",
        f"https://localhost:{https_server}/",
        policy=HostPolicy(internal=frozenset({"localhost"})),
        timeout=5.0,
        ssl_context=client,
    ).json()
    assert reply == {"host": f"localhost:{https_server}"}
    dns = Rebinding(monkeypatch, "127.0.0.1")
    with pytest.raises(DeliveryError) as err:  # the certificate is localhost's, not the name's
        request(
            "GET",
            f"https://{NAME}:{https_server}/",
            policy=HostPolicy(internal=frozenset({NAME})),
            timeout=5.0,
            ssl_context=client,
        )
    assert err.value.permanent and "证书" in str(err.value)
    assert dns.connects == ["127.0.0.1"]
