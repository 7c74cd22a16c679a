"""Email over SMTP: implicit TLS (port 465), STARTTLS (587) or plain (a relay on the host),
with AUTH; UTF-8 subjects and bodies encoded as Chinese mail clients read them (RFC 2047
encoded-words in headers, base64 UTF-8 bodies); a stable Message-ID derived from the outbox
row's idempotency key, so a message resent after a crash is recognisable as the same one.

SMTP replies are classified: 4xx (and a lost connection, a timeout, a refused connection) are
transient; 5xx (a refused recipient, a rejected message) and a failed login are permanent.
The password never appears in an error or a log line.
"""

from __future__ import annotations

import email.utils
import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP
from typing import Literal

from zhenggai.engine import ConfigError, DeliveryError, OutgoingMessage

from .channels import check_header_safe

__all__ = ["EmailChannel", "message_id"]

Security = Literal["ssl", "starttls", "none"]


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
        for field, value in (("email.sender", sender), ("email.sender_name", sender_name or ""), ("email.host", host)):
            if "\r" in value or "\n" in value:
                raise ConfigError(field, "含换行符")
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
        """The email for ``message`` (headers checked for CR/LF first)."""
        check_header_safe("收件人", message.recipient)
        check_header_safe("主题", message.subject)
        if "@" not in message.recipient:
            raise DeliveryError(f"收件地址无效: {message.recipient}", permanent=True)
        mail = EmailMessage(policy=SMTP)
        mail["From"] = email.utils.formataddr((self.sender_name, self.sender)) if self.sender_name else self.sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail["Date"] = email.utils.formatdate(localtime=False)
        mail["Message-ID"] = message_id(message.idempotency_key, self.domain)
        mail["X-Zhenggai-Kind"] = message.kind
        mail.set_content(message.body, charset="utf-8", cte="base64")
        return mail

    def send(self, message: OutgoingMessage) -> str | None:
        mail = self.build(message)
        try:
            with self._connect() as smtp:
                if self.username is not None and self._password is not None:
                    smtp.login(self.username, self._password)
                refused = smtp.send_message(mail)
        except UnicodeEncodeError:  # smtplib's AUTH takes ASCII only; the value is not repeated
            raise DeliveryError("SMTP 用户名或密码含非 ASCII 字符, 无法登录", permanent=True) from None
        except smtplib.SMTPAuthenticationError as err:
            raise DeliveryError(f"SMTP 登录失败 ({err.smtp_code})", permanent=True) from None
        except smtplib.SMTPRecipientsRefused as err:
            code, text = next(iter(err.recipients.values()))
            raise DeliveryError(f"收件人被拒绝 ({code} {_text(text)})", permanent=code >= 500) from None
        except smtplib.SMTPSenderRefused as err:
            raise DeliveryError(f"发件人被拒绝 ({err.smtp_code} {_text(err.smtp_error)})",
                                permanent=err.smtp_code >= 500) from None
        except smtplib.SMTPResponseException as err:
            raise DeliveryError(f"SMTP 服务器拒绝 ({err.smtp_code} {_text(err.smtp_error)})",
                                permanent=err.smtp_code >= 500) from None
        except smtplib.SMTPNotSupportedError as err:
            raise DeliveryError(f"SMTP 服务器不支持所需功能 ({err})", permanent=True) from None
        except ssl.SSLCertVerificationError as err:
            raise DeliveryError(f"SMTP 服务器证书校验失败 ({err.verify_message})", permanent=True) from None
        except OSError as err:  # the rest of smtplib's, TLS and socket errors, timeouts included
            raise DeliveryError(f"无法连接 SMTP 服务器 {self.host}:{self.port} ({type(err).__name__})",
                                permanent=False) from None
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
