"""Header injection through the email channel, end to end against aiosmtpd (issue 13, point 1):
an item title (or anything rendered into a header) carrying an RFC 2047 encoded-word look-alike
is neutralised, one carrying any line-break character ``str.splitlines()`` knows is refused as a
permanent failure (dead at once, with the reason); the delivered raw message has exactly the
headers the channel writes, on every Python. The outbox on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import email
import email.policy
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zhenggai.engine import DeliveryError, Engine, OutgoingMessage, VirtualClock
from zhenggai.notifications.channels import LINE_BREAKS, neutralise_encoded_words
from zhenggai.notifications.dispatcher import Dispatcher

from .test_dispatch import Recorder, assigned, mail_channel, smtp_server, start_reached_by

#: The headers the email channel writes, and nothing else.
EXPECTED = {
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "x-zhenggai-kind",
    "content-type",
    "content-transfer-encoding",
    "mime-version",
}
TO = "housing_construction_bureau@example.gov.cn"

#: Encoded words that decode to CR/LF + a header (the red team's inputs and variants).
ENCODED = [
    "=?utf-8?q?=0D=0ABcc:_injected@evil.test?=",
    "施工许可=?UTF-8?Q?=0ABcc:_injected@evil.test?=审批",
    "=?utf-8?b?DQpCY2M6IGluamVjdGVkQGV2aWwudGVzdA==?=",
    "=?iso-8859-1?q?=0D=0ABcc:_injected@evil.test?= =?utf-8?q?x?=",
    "=?utf-8?q?=E2=80=A8Bcc:_injected@evil.test?=",
]
#: Raw line-break characters (every separator of str.splitlines()).
BROKEN = [f"正常标题{c}Bcc: injected@evil.test" for c in sorted(LINE_BREAKS)]


class RawRecorder(Recorder):
    """Keeps the raw bytes and the envelope recipients as well."""

    def __init__(self) -> None:
        super().__init__()
        self.raw: list[bytes] = []
        self.rcpt: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.raw.append(bytes(envelope.content))
        self.rcpt.append(list(envelope.rcpt_tos))
        return await super().handle_DATA(server, session, envelope)


@contextlib.contextmanager
def raw_server() -> Iterator[tuple[RawRecorder, int]]:
    with smtp_server(RawRecorder()) as (recorder, port):
        assert isinstance(recorder, RawRecorder)
        yield recorder, port


def header_names(raw: bytes) -> list[str]:
    """The names of the raw message's headers, read line by line (not through a parser that could
    hide a folded or odd line): every line up to the blank one either continues a header
    (starts with a space or a tab) or is ``Name: value``."""
    head = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
    names = []
    for line in head.splitlines():
        if line[:1] in (b" ", b"\t"):
            continue
        names.append(line.split(b":", 1)[0].decode("ascii", "replace").lower())
    return names


def assert_clean(raw: bytes, rcpt: list[str]) -> None:
    names = header_names(raw)
    assert sorted(names) == sorted(EXPECTED), names
    assert rcpt == [TO]
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Bcc"] is None and parsed["Cc"] is None
    assert [str(a.addr_spec) for a in parsed["To"].addresses] == [TO]  # type: ignore[union-attr]


@pytest.fixture
def started(engine: Engine, clock: VirtualClock) -> Engine:
    return start_reached_by(engine, clock, ["email"])


@pytest.fixture
def raw_smtp() -> Iterator[tuple[RawRecorder, int]]:
    with raw_server() as server:
        yield server


@pytest.mark.parametrize("title", ENCODED)
def test_encoded_word_titles_are_neutralised_and_delivered(
    started: Engine, raw_smtp: tuple[RawRecorder, int], title: str
) -> None:
    recorder, port = raw_smtp
    assigned(started, title=title)
    report = Dispatcher(started, [mail_channel(port)]).dispatch()
    assert report.sent == 1, started.outbox("test")
    (raw,), (rcpt,) = recorder.raw, recorder.rcpt
    assert_clean(raw, rcpt)
    subject = str(email.message_from_bytes(raw, policy=email.policy.default)["Subject"])
    assert subject == "【交办】" + neutralise_encoded_words(title)
    assert "=?" not in subject and "\r" not in subject and "\n" not in subject


@pytest.mark.parametrize("title", BROKEN, ids=[f"U+{ord(c):04X}" for c in sorted(LINE_BREAKS)])
def test_line_breaks_in_a_title_are_a_permanent_dead_letter(
    started: Engine, raw_smtp: tuple[RawRecorder, int], title: str
) -> None:
    recorder, port = raw_smtp
    assigned(started, title=title)
    report = Dispatcher(started, [mail_channel(port)]).dispatch()
    assert report.dead == 1 and report.retried == 0
    (row,) = started.outbox("test", status="dead")
    assert row.attempts == 1 and "换行符" in (row.last_error or "")
    assert recorder.raw == []


def test_line_breaks_are_exactly_what_splitlines_breaks_on() -> None:
    splits = {chr(c) for c in range(0x110000) if len(f"a{chr(c)}b".splitlines()) > 1}
    assert frozenset(splits) == LINE_BREAKS


def message(subject: str, recipient: str = TO) -> OutgoingMessage:
    return OutgoingMessage(
        outbox_id=1,
        idempotency_key="item:1:v1:assign",
        channel="email",
        recipient=recipient,
        kind="item_assigned",
        subject=subject,
        body="正文",
        attempt=1,
    )


FRAGMENTS = st.sampled_from(
    [
        "=?",
        "?=",
        "utf-8",
        "UTF-8",
        "?q?",
        "?Q?",
        "?b?",
        "?B?",
        "=0D",
        "=0A",
        "=0D=0A",
        "_",
        "Bcc:",
        "Cc: ",
        "To:",
        "injected@evil.test",
        "DQpCY2M6IGluamVjdGVkQGV2aWwudGVzdA==",
        " ",
        "\t",
        "施工许可",
        "审批",
        "=",
        "?",
        "a",
        *sorted(LINE_BREAKS),
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRAGMENTS, min_size=1, max_size=12).map("".join))
def test_generated_titles_never_add_a_header(title: str) -> None:
    with raw_server() as (recorder, port):
        channel = mail_channel(port)
        if any(c in LINE_BREAKS for c in title):
            with pytest.raises(DeliveryError) as err:
                channel.send(message("【交办】" + title))
            assert err.value.permanent and "换行符" in err.value.reason
            assert recorder.raw == []
            return
        channel.send(message("【交办】" + title))
        (raw,), (rcpt,) = recorder.raw, recorder.rcpt
        assert_clean(raw, rcpt)


@pytest.mark.parametrize(
    "recipient",
    [
        "a@example.gov.cn, b@example.gov.cn",
        "a@example.gov.cn;b@example.gov.cn",
        "甲 <a@example.gov.cn>",
        "=?utf-8?q?x?= <a@example.gov.cn>",
        "a@example.gov.cn\u2028Bcc: b@example.gov.cn",
        "a@example.gov.cn b@x.cn",
        "a@example.gov.cn，b@example.gov.cn",
    ],
)
def test_the_channel_refuses_anything_but_one_bare_address(recipient: str) -> None:
    with smtp_server() as (recorder, port):
        with pytest.raises(DeliveryError) as err:
            mail_channel(port).send(message("【交办】标题", recipient))
        assert err.value.permanent
        assert recorder.messages == []
