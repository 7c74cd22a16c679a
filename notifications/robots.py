"""Group robots: a WeCom (企业微信) group robot and a DingTalk (钉钉) custom robot post each
message into the county's working group, @-mentioning the recipient: by mobile number when the
outbox row's address is a mainland mobile, else by the user id the roster holds for the contact
(``wecom_id`` / ``dingtalk_id``: WeCom ``mentioned_list`` or ``<@id>`` in markdown, DingTalk
``atUserIds`` with ``@id`` in the text).

- **WeCom**: ``POST …/cgi-bin/webhook/send?key=KEY`` with ``{"msgtype": "text", "text":
  {"content": …, "mentioned_mobile_list": [mobile]}}`` (or ``markdown``). The key is the secret.
- **DingTalk**: ``POST …/robot/send?access_token=TOKEN&timestamp=MS&sign=SIGN`` where ``SIGN`` is
  base64(HMAC-SHA256(secret, ``f"{MS}\\n{secret}"``)), URL-encoded, when the robot is secured by
  signing; a robot secured by keywords only accepts a message containing one of them (the
  configured ``keywords`` are checked before sending, so a message is not silently refused).
  ``{"msgtype": "text", "text": {"content": …}, "at": {"atMobiles": [mobile]}}``.

Both allow 20 messages a minute per robot (``rate``, kept by the dispatcher; DingTalk silences
a robot for ten minutes when exceeded). Both answer HTTP 200 with ``errcode``: 0 is success; a
frequency limit is transient (retried after the window); a bad key, token, signature or
keyword is permanent. Error texts never carry the key, token or signature (they are in the URL).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import urllib.parse
from collections.abc import Callable, Sequence
from typing import Any

from zhenggai.engine import DeliveryError, OutgoingMessage

from .web import HostPolicy, request

__all__ = ["DingTalkRobot", "WeComRobot", "dingtalk_sign"]

#: errcodes meaning "too many, later": WeCom 45009 (API freq out of limit), 45033; DingTalk
#: 130101 (send too fast), 410100 (flow control), -1 (system busy).
TRANSIENT_ERRCODES = frozenset({45009, 45033, 130101, 410100, -1})
#: The robots' documented limit: 20 messages a minute.
ROBOT_RATE = 20


def _content(message: OutgoingMessage) -> str:
    return f"{message.subject}\n{message.body}".strip()


def _mobile(recipient: str) -> str | None:
    digits = recipient.removeprefix("+86").strip()
    return digits if digits.isdigit() and len(digits) == 11 else None


def _user_id(recipient: str) -> str | None:
    """The robot's user id of the recipient, when the address is not a mobile number."""
    text = recipient.strip()
    return text if text and _mobile(text) is None else None


def _answer(reply: Any, who: str) -> None:
    if not isinstance(reply, dict) or "errcode" not in reply:
        raise DeliveryError(f"{who}应答缺少 errcode", permanent=False)
    code = reply.get("errcode")
    if code == 0:
        return
    text = str(reply.get("errmsg", ""))[:200]
    transient = code in TRANSIENT_ERRCODES
    # DingTalk silences a robot for ten minutes once it is over its limit; WeCom's window is a minute.
    wait = 600.0 if code in (130101, 410100) else 60.0
    raise DeliveryError(
        f"{who}拒绝 (errcode {code}: {text})",
        permanent=not transient,
        retry_after=wait if transient else None,
    )


class WeComRobot:
    """A WeCom group robot (企业微信群机器人)."""

    name = "wecom"

    def __init__(
        self,
        *,
        key: str,
        policy: HostPolicy,
        endpoint: str = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
        markdown: bool = False,
        timeout: float = 10.0,
        rate: int = ROBOT_RATE,
    ) -> None:
        self._key = key
        self.policy = policy
        self.endpoint = endpoint
        self.markdown = markdown
        self.timeout = timeout
        self.rate: int | None = rate

    def __repr__(self) -> str:
        return f"WeComRobot(endpoint={self.endpoint!r})"

    def body(self, message: OutgoingMessage) -> dict[str, Any]:
        mobile, user = _mobile(message.recipient), _user_id(message.recipient)
        if self.markdown:
            mention = f"\n<@{user or mobile}>" if user or mobile else ""
            return {
                "msgtype": "markdown",
                "markdown": {"content": f"**{message.subject}**\n{message.body}{mention}"},
            }
        text: dict[str, Any] = {"content": _content(message)}
        if mobile:
            text["mentioned_mobile_list"] = [mobile]
        if user:
            text["mentioned_list"] = [user]
        return {"msgtype": "text", "text": text}

    def send(self, message: OutgoingMessage) -> str | None:
        payload = json.dumps(self.body(message), ensure_ascii=False).encode("utf-8")
        url = f"{self.endpoint}?{urllib.parse.urlencode({'key': self._key})}"
        reply = request(
            "POST",
            url,
            policy=self.policy,
            body=payload,
            timeout=self.timeout,
            headers={"Content-Type": "application/json; charset=utf-8"},
        ).json()
        _answer(reply, "企业微信机器人")
        return None


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's ``sign``: base64(HMAC-SHA256(secret, "{timestamp}\\n{secret}")) (before URL-encoding)."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class DingTalkRobot:
    """A DingTalk custom robot (钉钉自定义机器人), secured by signing and/or keywords."""

    name = "dingtalk"

    def __init__(
        self,
        *,
        access_token: str,
        policy: HostPolicy,
        secret: str | None = None,
        keywords: Sequence[str] = (),
        endpoint: str = "https://oapi.dingtalk.com/robot/send",
        timeout: float = 10.0,
        rate: int = ROBOT_RATE,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._token = access_token
        self._secret = secret
        self.keywords = tuple(keywords)
        self.policy = policy
        self.endpoint = endpoint
        self.timeout = timeout
        self.rate: int | None = rate
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    def __repr__(self) -> str:
        return f"DingTalkRobot(endpoint={self.endpoint!r}, keywords={self.keywords!r})"

    def body(self, message: OutgoingMessage) -> dict[str, Any]:
        content = _content(message)
        if self.keywords and not any(k in content for k in self.keywords):
            raise DeliveryError(
                f"消息不含钉钉机器人的关键词 ({'、'.join(self.keywords)}), 会被拒收", permanent=True
            )
        mobile, user = _mobile(message.recipient), _user_id(message.recipient)
        at: dict[str, Any] = {"atMobiles": [mobile] if mobile else [], "isAtAll": False}
        if user:
            at["atUserIds"] = [user]
        if mobile or user:
            content += f"\n@{mobile or user}"
        return {"msgtype": "text", "text": {"content": content}, "at": at}

    def url(self) -> str:
        query = {"access_token": self._token}
        if self._secret is not None:
            stamp = int(self._clock().timestamp() * 1000)
            query.update(timestamp=str(stamp), sign=dingtalk_sign(self._secret, stamp))
        return f"{self.endpoint}?{urllib.parse.urlencode(query)}"

    def send(self, message: OutgoingMessage) -> str | None:
        payload = json.dumps(self.body(message), ensure_ascii=False).encode("utf-8")
        reply = request(
            "POST",
            self.url(),
            policy=self.policy,
            body=payload,
            timeout=self.timeout,
            headers={"Content-Type": "application/json; charset=utf-8"},
        ).json()
        _answer(reply, "钉钉机器人")
        return None
