"""Template SMS through Chinese providers, as they require: a registered sign name (签名), a
template code and the template's parameters; signed requests over the plain HTTP client of
:mod:`zhenggai.notifications.web`, so no vendor SDK is needed.

- **Aliyun** (``dysmsapi`` ``SendSms``, version 2017-05-25): RPC style, signature version 1.0 —
  the parameters sorted, each name and value percent-encoded (RFC 3986: only ``A-Z a-z 0-9 - _
  . ~`` stay), ``GET&%2F&`` + the encoded query signed with HMAC-SHA1 under ``secret + "&"``,
  base64. Answers ``{"Code": "OK", "BizId": …}`` or a ``Code`` saying why not.
- **Tencent Cloud** (``sms`` ``SendSms``, version 2021-01-11): API 3.0, TC3-HMAC-SHA256 — a
  canonical request over the JSON body, the key derived from ``"TC3" + secret`` by date, service
  and ``tc3_request``. Answers HTTP 200 with either ``Response.Error`` or a per-number
  ``Response.SendStatusSet``.

Both answer HTTP 200 with failures inside; those are read and classified: rate limits and busy
servers are transient, a bad number, an unapproved template or sign, a wrong key are permanent.
Provider calls are not idempotent: the dispatcher's claim and lease make ours so.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import urllib.parse
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from zhenggai.engine import DeliveryError, OutgoingMessage

from .channels import check_header_safe
from .web import HostPolicy, request

__all__ = ["AliyunSms", "TencentSms", "aliyun_signature", "percent_encode", "tencent_authorization"]

#: Aliyun codes worth retrying (flow control, busy); every other non-OK code is permanent.
ALIYUN_TRANSIENT = frozenset(
    {
        "isv.BUSINESS_LIMIT_CONTROL",
        "isv.DAY_LIMIT_CONTROL",
        "Throttling",
        "Throttling.User",
        "ServiceUnavailable",
        "isp.SYSTEM_ERROR",
        "InternalError",
    }
)
#: Tencent error code prefixes worth retrying.
TENCENT_TRANSIENT = (
    "RequestLimitExceeded",
    "LimitExceeded",
    "InternalError",
    "FailedOperation.ContainSensitiveWord.Busy",
    "ResourceUnavailable",
    "UnknownError",
)


def percent_encode(value: str) -> str:
    """Aliyun's percent-encoding: RFC 3986 unreserved characters stay, the rest is %XY of UTF-8."""
    return urllib.parse.quote(value, safe="-_.~")


def aliyun_signature(params: Mapping[str, str], secret: str, method: str = "GET") -> str:
    """The ``Signature`` of an Aliyun RPC request with ``params`` (all but Signature)."""
    query = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(query)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _phone(recipient: str) -> str:
    check_header_safe("手机号", recipient)
    digits = recipient.removeprefix("+86").strip()
    if not (digits.isdigit() and len(digits) == 11 and digits.startswith("1")):
        raise DeliveryError(f"手机号无效: {recipient}", permanent=True)
    return digits


def _template(message: OutgoingMessage) -> str:
    if not message.sms_template:
        raise DeliveryError(f"消息 {message.kind} 没有短信模板编号 (sms_template)", permanent=True)
    return message.sms_template


class AliyunSms:
    """Aliyun SMS (阿里云短信服务)."""

    name = "sms"

    def __init__(
        self,
        *,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        policy: HostPolicy,
        endpoint: str = "https://dysmsapi.aliyuncs.com/",
        region: str = "cn-hangzhou",
        timeout: float = 10.0,
        rate: int | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        nonce: Callable[[], str] | None = None,
    ) -> None:
        self.access_key_id = access_key_id
        self._secret = access_key_secret
        self.sign_name = sign_name
        self.policy = policy
        self.endpoint = endpoint
        self.region = region
        self.timeout = timeout
        self.rate = rate
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._nonce = nonce or (lambda: str(uuid.uuid4()))

    def __repr__(self) -> str:
        return f"AliyunSms(endpoint={self.endpoint!r}, access_key_id={self.access_key_id!r}, sign_name={self.sign_name!r})"

    def params(self, message: OutgoingMessage) -> dict[str, str]:
        """The signed query parameters for ``message``."""
        params = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": self.region,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": self._nonce(),
            "SignatureVersion": "1.0",
            "Timestamp": self._clock().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
            "PhoneNumbers": _phone(message.recipient),
            "SignName": self.sign_name,
            "TemplateCode": _template(message),
            "TemplateParam": json.dumps(dict(message.sms_params), ensure_ascii=False, separators=(",", ":")),
            "OutId": hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:32],
        }
        params["Signature"] = aliyun_signature(params, self._secret)
        return params

    def send(self, message: OutgoingMessage) -> str | None:
        query = urllib.parse.urlencode(self.params(message), quote_via=urllib.parse.quote, safe="-_.~")
        reply = request("GET", f"{self.endpoint}?{query}", policy=self.policy, timeout=self.timeout).json()
        code = str(reply.get("Code", "")) if isinstance(reply, dict) else ""
        if code == "OK":
            return str(reply.get("BizId") or "") or None
        text = str(reply.get("Message", "")) if isinstance(reply, dict) else ""
        raise DeliveryError(
            f"阿里云短信失败 {code or '(无 Code)'}: {text[:200]}", permanent=code not in ALIYUN_TRANSIENT
        )


def tencent_authorization(
    *,
    secret_id: str,
    secret_key: str,
    host: str,
    payload: bytes,
    timestamp: int,
    service: str = "sms",
    content_type: str = "application/json; charset=utf-8",
) -> str:
    """The ``Authorization`` header of a Tencent Cloud API 3.0 POST (TC3-HMAC-SHA256)."""
    date = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{content_type}\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(payload).hexdigest(),
        ]
    )
    scope = f"{date}/{service}/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"

    def sign(key: bytes, text: str) -> bytes:
        return hmac.new(key, text.encode(), hashlib.sha256).digest()

    key = sign(sign(sign(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"


class TencentSms:
    """Tencent Cloud SMS (腾讯云短信). Its templates take positional parameters: the
    definition's ``sms_params`` in their written order."""

    name = "sms"
    CONTENT_TYPE = "application/json; charset=utf-8"

    def __init__(
        self,
        *,
        secret_id: str,
        secret_key: str,
        sdk_app_id: str,
        sign_name: str,
        policy: HostPolicy,
        endpoint: str = "https://sms.tencentcloudapi.com/",
        region: str = "ap-guangzhou",
        timeout: float = 10.0,
        rate: int | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.secret_id = secret_id
        self._secret = secret_key
        self.sdk_app_id = sdk_app_id
        self.sign_name = sign_name
        self.policy = policy
        self.endpoint = endpoint
        self.region = region
        self.timeout = timeout
        self.rate = rate
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    def __repr__(self) -> str:
        return f"TencentSms(endpoint={self.endpoint!r}, secret_id={self.secret_id!r}, sdk_app_id={self.sdk_app_id!r})"

    def request_parts(self, message: OutgoingMessage) -> tuple[bytes, dict[str, str]]:
        """The JSON body and the signed headers for ``message``."""
        body = json.dumps(
            {
                "PhoneNumberSet": [f"+86{_phone(message.recipient)}"],
                "SmsSdkAppId": self.sdk_app_id,
                "SignName": self.sign_name,
                "TemplateId": _template(message),
                "TemplateParamSet": [str(v) for v in message.sms_params.values()],
                "SessionContext": hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:32],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")
        host = urllib.parse.urlsplit(self.endpoint).netloc
        timestamp = int(self._clock().timestamp())
        headers = {
            "Content-Type": self.CONTENT_TYPE,
            "Host": host,
            "X-TC-Action": "SendSms",
            "X-TC-Version": "2021-01-11",
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": self.region,
            "Authorization": tencent_authorization(
                secret_id=self.secret_id,
                secret_key=self._secret,
                host=host,
                payload=body,
                timestamp=timestamp,
            ),
        }
        return body, headers

    def send(self, message: OutgoingMessage) -> str | None:
        body, headers = self.request_parts(message)
        reply = request(
            "POST", self.endpoint, policy=self.policy, body=body, headers=headers, timeout=self.timeout
        ).json()
        response: Any = reply.get("Response") if isinstance(reply, dict) else None
        if not isinstance(response, dict):
            raise DeliveryError("腾讯云短信应答缺少 Response", permanent=False)
        error = response.get("Error")
        if isinstance(error, dict):
            code = str(error.get("Code", ""))
            raise DeliveryError(
                f"腾讯云短信失败 {code}: {str(error.get('Message', ''))[:200]}",
                permanent=not code.startswith(TENCENT_TRANSIENT),
            )
        statuses = response.get("SendStatusSet") or []
        if not statuses or not isinstance(statuses[0], dict):
            raise DeliveryError("腾讯云短信应答缺少 SendStatusSet", permanent=False)
        status = statuses[0]
        code = str(status.get("Code", ""))
        if code == "Ok":
            return str(status.get("SerialNo") or "") or None
        raise DeliveryError(
            f"腾讯云短信失败 {code}: {str(status.get('Message', ''))[:200]}",
            permanent=not code.startswith(TENCENT_TRANSIENT),
        )
