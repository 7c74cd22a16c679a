"""Email over SMTP: implicit TLS (port 465), STARTTLS (587) or plain (a relay on the host),
with AUTH; UTF-8 subjects and bodies encoded as Chinese mail clients read them (RFC 2047
encoded-words in headers, base64 UTF-8 bodies); a stable Message-ID derived from the outbox
row's idempotency key, so a message resent after a crash is recognisable as the same one.

SMTP replies are classified: 4xx (and a lost connection, a timeout, a refused connection) are
transient; 5xx (a refused recipient, a rejected message) and a failed login are permanent.
The password never appears in an error or a log line.

Headers built from data (the subject a template rendered from an item's title, the recipient
from the roster) cannot add a header: any line break ``str.splitlines()`` knows (CR, LF, VT, FF,
FS, GS, RS, NEL, U+2028, U+2029) is refused, an RFC 2047 encoded-word look-alike (``=?``) in the
subject is neutralised (``=`` + zero-width space + ``?``: the mail library would otherwise decode
it, CR/LF and all, and fold the result into a header of its own), the recipient must be exactly
one bare address, and the message as it will go on the wire is read back: any header but the
channel's own, or a ``To`` that is not the recipient, refuses it. Each refusal is a permanent
:class:`DeliveryError` (a dead letter with the reason, never retried).
"""

from __future__ import annotations

import email.errors
import email.generator
import email.policy
import email.utils
import hashlib
import io
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP
from typing import Literal

from zhenggai.engine import ConfigError, DeliveryError, OutgoingMessage

from .channels import LINE_BREAKS, check_header_safe, neutralise_encoded_words

__all__ = ["HEADERS", "EmailChannel", "check_address", "message_id"]

Security = Literal["ssl", "starttls", "none"]

#: One bare address: no list separators (ASCII or full-width), no display name, no spaces.
_SEPARATORS = '\\s,;:<>()\\[\\]"\\\\，；、：＜＞（）'
_ADDRESS = re.compile(f"[^@{_SEPARATORS}]+@[^@{_SEPARATORS}]+")
#: The headers this channel writes (lower case), and nothing else may reach the wire.
HEADERS = frozenset(
    {
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
)


def check_address(field: str, value: str) -> None:
    """Refuse anything but exactly one bare email address (``a@x.cn``; not ``a@x.cn, b@y.cn``,
    not ``名字 <a@x.cn>``, no encoded word, no line break): a permanent :class:`DeliveryError`."""
    check_header_safe(field, value)
    if "=?" in value or not _ADDRESS.fullmatch(value):
        raise DeliveryError(
            f"{field}须为一个电子邮箱地址 (不能是多个地址或带名称): {value[:100]!r}", permanent=True
        )


def message_id(idempotency_key: str, domain: str) -> str:
    """The Message-ID of the message with this idempotency key: the same on every attempt."""
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:32]
    return f"<zg.{digest}@{domain}>"


class EmailChannel:
    """Sends each message as one email through an SMTP server."""

    name = "email"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        security: Security = "starttls",
        username: str | None = None,
        password: str | None = None,
        sender_name: str | None = None,
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
        rate: int | None = None,
    ) -> None:
        if security not in ("ssl", "starttls", "none"):
            raise ConfigError("email.security", f"须为 ssl、starttls 或 none, 收到 {security!r}")
        if (username is None) != (password is None):
            raise ConfigError("email.username/password", "用户名和密码须同时给出")
        for field, value in (
            ("email.sender", sender),
            ("email.sender_name", sender_name or ""),
            ("email.host", host),
        ):
            if not LINE_BREAKS.isdisjoint(value):
                raise ConfigError(field, "含换行符")
            if "=?" in value:
                raise ConfigError(field, "含 RFC 2047 编码字 (=?…?=) 样式的文字")
        if not _ADDRESS.fullmatch(sender):
            raise ConfigError("email.sender", f"须为一个电子邮箱地址, 收到 {sender!r}")
        self.host = host
        self.port = port
        self.sender = sender
        self.security: Security = security
        self.username = username
        self._password = password
        self.sender_name = sender_name
        self.timeout = timeout
        self.context = ssl_context or ssl.create_default_context()
        self.rate = rate
        self.domain = sender.rpartition("@")[2] or "zhenggai.local"

    def __repr__(self) -> str:  # never the password
        return f"EmailChannel(host={self.host!r}, port={self.port}, security={self.security!r}, sender={self.sender!r})"

    def build(self, message: OutgoingMessage) -> EmailMessage:
        """The email for ``message``: the recipient one bare address, no line break in a header,
        encoded-word look-alikes in the subject neutralised, and the result read back as it goes
        on the wire (see the module's doc); a permanent :class:`DeliveryError` otherwise."""
        check_address("收件地址", message.recipient)
        check_header_safe("主题", message.subject)
        check_header_safe("消息类别", message.kind)
        if "=?" in message.kind:
            raise DeliveryError("消息类别含编码字样式的文字, 拒绝发送", permanent=True)
        mail = EmailMessage(policy=SMTP)
        try:
            mail["From"] = (
                email.utils.formataddr((self.sender_name, self.sender)) if self.sender_name else self.sender
            )
            mail["To"] = message.recipient
            mail["Subject"] = neutralise_encoded_words(message.subject)
            mail["Date"] = email.utils.formatdate(localtime=False)
            mail["Message-ID"] = message_id(message.idempotency_key, self.domain)
            mail["X-Zhenggai-Kind"] = message.kind
            mail.set_content(message.body, charset="utf-8", cte="base64")
        except (ValueError, TypeError, email.errors.MessageError) as err:
            raise DeliveryError(f"邮件头无法生成 ({type(err).__name__}), 拒绝发送", permanent=True) from None
        self._read_back(mail, message.recipient)
        return mail

    def _read_back(self, mail: EmailMessage, recipient: str) -> None:
        """Serialise ``mail`` as :meth:`smtplib.SMTP.send_message` will and refuse it unless its
        header lines are exactly :data:`HEADERS` and its ``To`` is ``recipient`` alone (a last
        guard against whatever a Python version's header folding might still let through)."""
        international = not (self.sender + recipient).isascii()
        policy = SMTP.clone(utf8=True) if international else SMTP
        try:
            with io.BytesIO() as out:
                email.generator.BytesGenerator(out, policy=policy).flatten(mail, linesep="\r\n")
                raw = out.getvalue()
        except (ValueError, TypeError, UnicodeError, email.errors.MessageError) as err:
            raise DeliveryError(f"邮件无法生成 ({type(err).__name__}), 拒绝发送", permanent=True) from None
        head = raw.split(b"\r\n\r\n", 1)[0]
        names = [
            line.split(b":", 1)[0].strip().lower()
            for line in head.split(b"\r\n")
            if line[:1] not in (b" ", b"\t")
        ]
        if any(b"\n" in line or b"\r" in line for line in head.split(b"\r\n")) or sorted(names) != sorted(
            h.encode() for h in HEADERS
        ):
            raise DeliveryError("邮件头异常 (出现了渠道未写入的邮件头), 拒绝发送", permanent=True)
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        to = [a.addr_spec for a in getattr(parsed["To"], "addresses", ())]
        if to != [recipient] or any(parsed[h] is not None for h in ("Cc", "Bcc")):
            raise DeliveryError("邮件收件人异常, 拒绝发送", permanent=True)

    def send(self, message: OutgoingMessage) -> str | None:
        mail = self.build(message)
        try:
            with self._connect() as smtp:
                if self.username is not None and self._password is not None:
                    smtp.login(self.username, self._password)
                refused = smtp.send_message(mail, from_addr=self.sender, to_addrs=[message.recipient])
        except UnicodeEncodeError:  # smtplib's AUTH takes ASCII only; the value is not repeated
            raise DeliveryError("SMTP 用户名或密码含非 ASCII 字符, 无法登录", permanent=True) from None
        except smtplib.SMTPAuthenticationError as err:
            raise DeliveryError(f"SMTP 登录失败 ({err.smtp_code})", permanent=True) from None
        except smtplib.SMTPRecipientsRefused as err:
            code, text = next(iter(err.recipients.values()))
            raise DeliveryError(f"收件人被拒绝 ({code} {_text(text)})", permanent=code >= 500) from None
        except smtplib.SMTPSenderRefused as err:
            raise DeliveryError(
                f"发件人被拒绝 ({err.smtp_code} {_text(err.smtp_error)})", permanent=err.smtp_code >= 500
            ) from None
        except smtplib.SMTPResponseException as err:
            raise DeliveryError(
                f"SMTP 服务器拒绝 ({err.smtp_code} {_text(err.smtp_error)})", permanent=err.smtp_code >= 500
            ) from None
        except smtplib.SMTPNotSupportedError as err:
            raise DeliveryError(f"SMTP 服务器不支持所需功能 ({err})", permanent=True) from None
        except ssl.SSLCertVerificationError as err:
            raise DeliveryError(f"SMTP 服务器证书校验失败 ({err.verify_message})", permanent=True) from None
        except OSError as err:  # the rest of smtplib's, TLS and socket errors, timeouts included
            raise DeliveryError(
                f"无法连接 SMTP 服务器 {self.host}:{self.port} ({type(err).__name__})", permanent=False
            ) from None
        if refused:
            code, text = next(iter(refused.values()))
            raise DeliveryError(f"收件人被拒绝 ({code} {_text(text)})", permanent=code >= 500)
        return str(mail["Message-ID"])

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self.context)
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.security == "starttls":
                smtp.starttls(context=self.context)
        except BaseException:
            smtp.close()
            raise
        return smtp


def _text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return " ".join(text.split())[:200]
