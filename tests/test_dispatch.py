"""The outbox dispatcher against a real SMTP server on loopback (aiosmtpd: plain, STARTTLS with
AUTH, implicit TLS): each message delivered once, Chinese subjects and bodies as mail clients
read them, a stable Message-ID, transient failures retried with backoff, permanent ones and
exhausted retries dead-lettered with the reason and re-queueable, a crash between sending and
recording resent at most once, quiet hours and rate limits deferring without loss. The outbox
on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import socket
import ssl
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from zhenggai.engine import Actor, CampaignSetup, ContactSpec, Engine, VirtualClock
from zhenggai.notifications.dispatcher import Dispatcher
from zhenggai.notifications.mail import EmailChannel, message_id
from zhenggai.testing import RecordingChannel, items_only
from zhenggai.workflows import load_setup

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DATA = Path(__file__).parent / "data"
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
UNIT = "housing_construction_bureau"
USER, PASSWORD = "notice@example.gov.cn", "s3cret-do-not-leak"


def at(day: str, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hh, minute=mm, tzinfo=SHANGHAI)


def with_email_contacts(setup: CampaignSetup, channels: list[str] | None = None) -> CampaignSetup:
    """Every unit reached by email (or ``channels``) at ``<unit>@example.gov.cn``."""
    units = [
        u.model_copy(
            update={
                "contacts": [
                    ContactSpec(
                        name=f"{u.name}联络员",
                        email=f"{u.id}@example.gov.cn",
                        mobile="13800000000",
                        channels=channels or ["email"],
                    )
                ]
            }
        )
        for u in setup.units
    ]
    return setup.model_copy(update={"units": units})


class Recorder:
    """An aiosmtpd handler that keeps what it receives; ``rcpt_reply`` makes it refuse."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.rcpt_reply: str | None = None
        self.refuse: set[str] = set()  # addresses answered 550

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.rcpt_reply is not None:
            return self.rcpt_reply
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_context() -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(DATA / "localhost.crt", DATA / "localhost.key")
    return ctx


def client_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(DATA / "localhost.crt"))


@contextlib.contextmanager
def smtp_server(recorder: Recorder | None = None) -> Iterator[tuple[Recorder, int]]:
    """An aiosmtpd server on loopback: STARTTLS required, AUTH required (only over TLS);
    ``recorder`` (default a plain :class:`Recorder`) handles what it receives."""
    recorder = recorder or Recorder()
    port = free_port()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_context(),
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, int]]:
    with smtp_server() as server:
        yield server


def mail_channel(port: int, **kw: Any) -> EmailChannel:
    options: dict[str, Any] = {
        "host": "localhost",
        "port": port,
        "sender": USER,
        "security": "starttls",
        "username": USER,
        "password": PASSWORD,
        "sender_name": "县作风办",
        "ssl_context": client_context(),
        "timeout": 5.0,
    }
    options.update(kw)
    return EmailChannel(**options)


@pytest.fixture
def started(engine: Engine, clock: VirtualClock) -> Engine:
    return start_reached_by(engine, clock, ["email"])


def start_reached_by(engine: Engine, clock: VirtualClock, channels: list[str]) -> Engine:
    """The plan (without duties) started 2023-08-01 09:00, every unit reached by ``channels``."""
    clock.set(at("2023-08-01", 9))
    engine.start_campaign(with_email_contacts(items_only(load_setup("county_2023")), channels), key="test")
    return engine


def assigned(engine: Engine, title: str = "施工许可审批超时") -> int:
    item = engine.report(
        "test", OFFICE, title=title, description="审批超过承诺时限", track="construction", channel="hotline"
    ).id
    engine.assign(item, OFFICE, unit=UNIT, due="2023-08-31")
    return item


def test_a_message_is_delivered_once_by_starttls_with_auth(
    started: Engine, smtp: tuple[Recorder, int]
) -> None:
    recorder, port = smtp
    item = assigned(started)
    (row,) = started.outbox("test", status="pending")
    assert row.recipient == f"{UNIT}@example.gov.cn" and row.kind == "item_assigned"
    dispatcher = Dispatcher(started, [mail_channel(port)], seed=1)
    report = dispatcher.dispatch()
    assert (report.sent, report.retried, report.dead) == (1, 0, 0)
    (mail,) = recorder.messages
    assert mail["Subject"] == "【交办】施工许可审批超时"
    assert "=?utf-8?" in mail.as_string().split("Subject:")[1].splitlines()[0].lower()  # RFC 2047 on the wire
    assert mail["To"] == f"{UNIT}@example.gov.cn" and "县作风办" in str(mail["From"])
    assert mail["Message-ID"] == message_id(row.idempotency_key, "example.gov.cn")
    body = mail.get_content()
    assert "县住建局" in body and f"编号 {item}" in body and "2023-08-31 (星期四)" in body
    sent = started.outbox_message(row.id)
    assert sent.status == "sent" and sent.attempts == 1 and sent.sent_at is not None
    assert dispatcher.dispatch().handled == 0 and len(recorder.messages) == 1


# aiosmtpd cannot tell that an implicit-TLS socket is encrypted, so AUTH over it needs
# auth_require_tls=False, which it warns about (aio-libs/aiosmtpd#281).
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_implicit_tls(started: Engine) -> None:
    recorder = Recorder()
    port = free_port()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=port,
        ssl_context=server_context(),
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    try:
        assigned(started)
        report = Dispatcher(started, [mail_channel(port, security="ssl")]).dispatch()
        assert report.sent == 1 and recorder.messages[0]["Subject"] == "【交办】施工许可审批超时"
    finally:
        controller.stop()


def test_a_wrong_password_is_permanent_and_never_shown(started: Engine, smtp: tuple[Recorder, int]) -> None:
    recorder, port = smtp
    assigned(started)
    report = Dispatcher(started, [mail_channel(port, password="wrong-password")]).dispatch()
    assert report.dead == 1 and recorder.messages == []
    (dead,) = started.outbox("test", status="dead")
    assert dead.last_error is not None and "登录失败" in dead.last_error
    assert "wrong" not in dead.last_error and PASSWORD not in dead.last_error
    assert PASSWORD not in repr(mail_channel(port))


def test_a_non_ascii_password_is_refused_without_repeating_it(
    started: Engine, smtp: tuple[Recorder, int]
) -> None:
    _, port = smtp
    assigned(started)
    assert Dispatcher(started, [mail_channel(port, password="口令-不可外泄")]).dispatch().dead == 1
    (dead,) = started.outbox("test", status="dead")
    assert "非 ASCII" in (dead.last_error or "") and "不可外泄" not in (dead.last_error or "")


def test_a_refused_recipient_5xx_is_dead_at_once_4xx_is_retried(
    started: Engine, smtp: tuple[Recorder, int], clock: VirtualClock
) -> None:
    recorder, port = smtp
    assigned(started)
    dispatcher = Dispatcher(started, [mail_channel(port)], backoff=60, seed=3)
    recorder.rcpt_reply = "451 4.3.0 mailbox busy, try later"
    report = dispatcher.dispatch()
    assert report.retried == 1
    (row,) = started.outbox("test")
    assert row.status == "pending" and row.attempts == 1 and "451" in (row.last_error or "")
    assert 48 <= (row.next_try_at - clock.now()).total_seconds() <= 72
    assert dispatcher.dispatch().handled == 0  # not due yet
    recorder.rcpt_reply = "550 5.1.1 no such user"
    clock.advance(dt.timedelta(minutes=2))
    report = dispatcher.dispatch()
    assert report.dead == 1
    (row,) = started.outbox("test")
    assert row.status == "dead" and "550" in (row.last_error or "") and row.attempts == 2
    recorder.rcpt_reply = None
    assert started.outbox_retry() == [row.id]
    assert dispatcher.dispatch().sent == 1 and len(recorder.messages) == 1


def test_a_server_that_is_down_exhausts_the_retries_with_growing_waits(
    started: Engine, clock: VirtualClock
) -> None:
    assigned(started)
    dispatcher = Dispatcher(
        started, [mail_channel(free_port(), timeout=2.0)], max_attempts=4, backoff=60, seed=5
    )
    waits = []
    for _ in range(4):
        before = clock.now()
        report = dispatcher.dispatch()
        (row,) = started.outbox("test")
        if row.status == "dead":
            break
        assert report.retried == 1
        waits.append((row.next_try_at - before).total_seconds())
        clock.set(row.next_try_at)
    assert row.status == "dead" and row.attempts == 4
    assert "重试 4 次仍失败" in (row.last_error or "") and "无法连接" in (row.last_error or "")
    assert len(waits) == 3 and waits[0] < waits[1] < waits[2]  # 60, 120, 240 (±20 %)


def test_a_crash_between_sending_and_recording_resends_once_with_the_same_id(
    started: Engine, smtp: tuple[Recorder, int], clock: VirtualClock
) -> None:
    """The dispatcher claimed and sent, then died before recording: after the lease the message
    goes again, once, with the same Message-ID; then it is sent for good."""
    recorder, port = smtp
    assigned(started)
    channel = mail_channel(port)
    from zhenggai.notifications.dispatcher import render

    (claimed,) = started.outbox_claim(lease=300)
    channel.send(render(started.definition("test"), claimed))  # … and the process dies here
    assert Dispatcher(started, [channel]).dispatch().handled == 0  # still leased
    clock.advance(dt.timedelta(seconds=301))
    assert Dispatcher(started, [channel]).dispatch().sent == 1
    assert Dispatcher(started, [channel]).dispatch().handled == 0
    assert len(recorder.messages) == 2
    assert recorder.messages[0]["Message-ID"] == recorder.messages[1]["Message-ID"]
    assert started.outbox("test")[0].attempts == 2


def test_quiet_hours_defer_sms_until_morning(engine: Engine, clock: VirtualClock) -> None:
    """The plan's SMS quiet hours (21:00–08:00): a message queued at 22:30 waits, uncounted,
    until 08:00, then goes once."""
    clock.set(at("2023-08-01", 9))
    engine.start_campaign(with_email_contacts(items_only(load_setup("county_2023")), ["sms"]), key="test")
    clock.set(at("2023-08-01", 22, 30))
    assigned(engine)
    sms = RecordingChannel("sms")
    dispatcher = Dispatcher(engine, [sms])
    assert dispatcher.dispatch().deferred == 1
    (row,) = engine.outbox("test")
    assert row.status == "pending" and row.attempts == 0 and row.next_try_at == at("2023-08-02", 8, 0)
    clock.set(at("2023-08-02", 8, 0))
    assert dispatcher.dispatch().sent == 1
    (sent,) = sms.messages
    assert sent.recipient == "13800000000" and sent.sms_template == "SMS_ZG_0001"
    assert sent.sms_params == {"title": "施工许可审批超时", "due": "2023-08-31"}


def test_a_rate_limit_spaces_messages_out_without_losing_any(started: Engine, clock: VirtualClock) -> None:
    for n in range(5):
        assigned(started, title=f"问题 {n}")
    channel = RecordingChannel("email", rate=2)
    dispatcher = Dispatcher(started, [channel])
    report = dispatcher.dispatch()
    assert (report.sent, report.deferred) == (2, 3)
    assert all(r.attempts == 0 for r in started.outbox("test", status="pending"))
    clock.advance(dt.timedelta(seconds=61))
    assert dispatcher.dispatch().sent == 2
    clock.advance(dt.timedelta(seconds=61))
    assert dispatcher.dispatch().sent == 1
    assert sorted(m.subject for m in channel.messages) == [f"【交办】问题 {n}" for n in range(5)]


def test_header_injection_and_unconfigured_channels_are_dead_letters(started: Engine) -> None:
    assigned(started, title="正常标题\r\nBcc: victim@example.com")
    report = Dispatcher(started, [mail_channel(free_port())]).dispatch()
    assert report.dead == 1
    (row,) = started.outbox("test", status="dead")
    assert "换行符" in (row.last_error or "")
    assigned(started)
    assert Dispatcher(started, [RecordingChannel("sms")]).dispatch().dead == 1
    assert "未配置发送渠道 email" in (started.outbox("test", status="dead")[-1].last_error or "")


def test_the_definition_routes_contacts_without_a_preference(engine: Engine, clock: VirtualClock) -> None:
    """The plan routes a responsible unit by SMS then email: a contact with both and no
    preference of its own gets SMS; one with a preference keeps it; one with only an email
    address gets email."""
    clock.set(at("2023-08-01", 9))
    setup = items_only(load_setup("county_2023"))
    contacts = {
        UNIT: ContactSpec(name="甲", email="jia@example.gov.cn", mobile="13800000001"),
        "finance_bureau": ContactSpec(
            name="乙", email="yi@example.gov.cn", mobile="13800000002", channels=["email"]
        ),
        "commerce_bureau": ContactSpec(name="丙", email="bing@example.gov.cn"),
    }
    units = [
        u.model_copy(update={"contacts": [contacts[u.id]]}) if u.id in contacts else u for u in setup.units
    ]
    engine.start_campaign(setup.model_copy(update={"units": units}), key="test")
    for unit in contacts:
        item = engine.report(
            "test", OFFICE, title="t", description="d", track="construction", channel="hotline"
        ).id
        engine.assign(item, OFFICE, unit=unit, due="2023-08-31")
    routed = {(r.channel, r.recipient) for r in engine.outbox("test")}
    assert routed == {
        ("sms", "13800000001"),
        ("email", "yi@example.gov.cn"),
        ("email", "bing@example.gov.cn"),
    }


def test_two_dispatchers_share_the_outbox_without_sending_twice(
    db_url: str, started: Engine, clock: VirtualClock
) -> None:
    """Two dispatchers (two engines, as two daemons would have) work the same outbox at once:
    every message goes out once. On PostgreSQL rows one holds are skipped by the other
    (SKIP LOCKED); on SQLite the claims are serialised."""
    import threading

    for n in range(30):
        assigned(started, title=f"问题 {n}")
    other = Engine(db_url, clock=clock)
    try:
        channels = [RecordingChannel("email"), RecordingChannel("email")]
        dispatchers = [Dispatcher(e, [channels[k]], seed=k) for k, e in enumerate((started, other))]
        barrier = threading.Barrier(2)

        def work(d: Dispatcher) -> None:
            barrier.wait()
            while d.dispatch(limit=3).handled:
                pass

        threads = [threading.Thread(target=work, args=(d,)) for d in dispatchers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        other.dispose()
    keys = [m.idempotency_key for channel in channels for m in channel.messages]
    assert len(keys) == len(set(keys)) == 30
    assert {r.status for r in started.outbox("test")} == {"sent"}
