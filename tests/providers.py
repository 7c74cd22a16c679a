"""Local stand-ins for the SMS providers, on loopback: each verifies a request's signature the
way the provider documents it (recomputed here from the request as received, independently of
the channel's code path) and answers as the provider does — success, flow control, a bad
number, an unapproved template, a 5xx, or no answer at all — so the channels meet real HTTP,
real signatures and real failure shapes. Not a mock: a server that refuses what a provider
would refuse."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ALIYUN_KEY_ID, ALIYUN_SECRET = "LTAI-test-key", "aliyun-secret-never-shown"
TENCENT_ID, TENCENT_KEY = "AKID-test", "tencent-key-never-shown"
WECOM_KEY = "wecom-key-never-shown"
DINGTALK_TOKEN, DINGTALK_SECRET = "ding-token-never-shown", "SECding-secret-never-shown"
DINGTALK_KEYWORDS = ("督办", "交办", "提醒", "预警")

#: Numbers that make the servers answer a certain way.
OK = "13800000000"
RATE_LIMITED = "13900000001"
BAD_NUMBER = "13900000002"
SERVER_ERROR = "13900000003"
HANG = "13900000004"
TOO_MANY = "13900000005"  # HTTP 429 with Retry-After


@dataclasses.dataclass
class Received:
    """What a provider accepted (one entry per message sent)."""

    phone: str
    template: str
    params: Any
    sign_name: str


@dataclasses.dataclass
class Provider:
    url: str
    accepted: list[Received] = dataclasses.field(default_factory=list)
    refused: list[str] = dataclasses.field(default_factory=list)
    nonces: set[str] = dataclasses.field(default_factory=set)
    posts: list[Any] = dataclasses.field(default_factory=list)  # robot messages accepted
    times: list[float] = dataclasses.field(default_factory=list)  # when robot messages came
    #: The robots' clock for their 20-a-minute window (a test on a virtual clock passes its own).
    now: Any = time.monotonic
    #: The DingTalk robot's keyword security setting (empty: secured by signing only).
    keywords: tuple[str, ...] = DINGTALK_KEYWORDS


def _rfc3986(value: str) -> str:
    return urllib.parse.quote(value, safe="-_.~")


def _aliyun_answer(provider: Provider, query: str) -> tuple[int, dict[str, Any]]:
    params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    signature = params.pop("Signature", "")
    canonical = "&".join(f"{_rfc3986(k)}={_rfc3986(v)}" for k, v in sorted(params.items()))
    to_sign = "GET&%2F&" + _rfc3986(canonical)
    expected = base64.b64encode(
        hmac.new(f"{ALIYUN_SECRET}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    ).decode()
    if params.get("AccessKeyId") != ALIYUN_KEY_ID:
        return 200, {"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found."}
    if not hmac.compare_digest(signature, expected):
        return 200, {
            "Code": "SignatureDoesNotMatch",
            "Message": "Specified signature is not matched with our calculation.",
        }
    for name in ("Action", "Version", "SignatureMethod", "SignatureVersion", "Timestamp", "SignatureNonce"):
        if name not in params:
            return 200, {"Code": "MissingParameter", "Message": f"{name} is mandatory"}
    if (params["Action"], params["Version"], params["SignatureMethod"]) != (
        "SendSms",
        "2017-05-25",
        "HMAC-SHA1",
    ):
        return 200, {"Code": "InvalidParameter", "Message": "bad action, version or method"}
    stamp = dt.datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    if abs((dt.datetime.now(dt.UTC) - stamp).total_seconds()) > 900:
        return 200, {"Code": "InvalidTimeStamp.Expired", "Message": "timestamp expired"}
    if params["SignatureNonce"] in provider.nonces:
        return 200, {"Code": "SignatureNonceUsed", "Message": "Specified signature nonce was used already."}
    provider.nonces.add(params["SignatureNonce"])
    phone = params.get("PhoneNumbers", "")
    if phone == RATE_LIMITED:
        return 200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1"}
    if phone == BAD_NUMBER:
        return 200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}
    if phone == SERVER_ERROR:
        return 503, {
            "Code": "ServiceUnavailable",
            "Message": "The request has failed due to a temporary failure.",
        }
    if not params.get("TemplateCode", "").startswith("SMS_ZG"):
        return 200, {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "模板不合法(不存在或被拉黑)"}
    provider.accepted.append(
        Received(
            phone,
            params["TemplateCode"],
            json.loads(params.get("TemplateParam", "{}")),
            params.get("SignName", ""),
        )
    )
    return 200, {"Code": "OK", "Message": "OK", "BizId": f"biz{len(provider.accepted)}", "RequestId": "r"}


def _tencent_answer(provider: Provider, headers: Any, body: bytes) -> tuple[int, dict[str, Any]]:
    auth = headers.get("Authorization", "")
    timestamp = int(headers.get("X-TC-Timestamp", "0"))
    date = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
    signed_headers = f"content-type:{headers.get('Content-Type', '')}\nhost:{headers.get('Host', '')}\n"
    canonical = "\n".join(
        ["POST", "/", "", signed_headers, "content-type;host", hashlib.sha256(body).hexdigest()]
    )
    scope = f"{date}/sms/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = f"TC3{TENCENT_KEY}".encode()
    for part in (date, "sms", "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = (
        f"TC3-HMAC-SHA256 Credential={TENCENT_ID}/{scope}, SignedHeaders=content-type;host, "
        f"Signature={hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()}"
    )

    def error(code: str, message: str) -> tuple[int, dict[str, Any]]:
        return 200, {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "r"}}

    if not hmac.compare_digest(auth, expected):
        return error("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
    if abs(time.time() - timestamp) > 300:
        return error("AuthFailure.SignatureExpire", "Signature expired.")
    if (headers.get("X-TC-Action"), headers.get("X-TC-Version")) != ("SendSms", "2021-01-11"):
        return error("InvalidAction", "bad action or version")
    data = json.loads(body)
    phone = data["PhoneNumberSet"][0].removeprefix("+86")
    if phone == SERVER_ERROR:
        return 502, {"message": "bad gateway"}
    if phone == RATE_LIMITED:
        return error("RequestLimitExceeded", "请求的次数超过了频率限制。")

    def status(code: str, message: str) -> tuple[int, dict[str, Any]]:
        serial = f"2640:{len(provider.accepted)}" if code == "Ok" else ""
        return 200, {
            "Response": {
                "SendStatusSet": [
                    {
                        "SerialNo": serial,
                        "PhoneNumber": f"+86{phone}",
                        "Fee": 0,
                        "Code": code,
                        "Message": message,
                        "IsoCode": "CN",
                    }
                ],
                "RequestId": "r",
            }
        }

    if phone == BAD_NUMBER:
        return status("InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误")
    if not str(data.get("TemplateId", "")).startswith("SMS_ZG"):
        return status("FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批或内容不匹配")
    provider.accepted.append(Received(phone, data["TemplateId"], data["TemplateParamSet"], data["SignName"]))
    return status("Ok", "send success")  # the serial counts the accepted


def _over_rate(provider: Provider) -> bool:
    """More than 20 messages in the last minute (both robots' documented limit)."""
    now = provider.now()
    provider.times = [t for t in provider.times if now - t < 60] + [now]
    return len(provider.times) > 20


def _wecom_answer(provider: Provider, query: str, body: bytes) -> dict[str, Any]:
    key = dict(urllib.parse.parse_qsl(query)).get("key")
    if key != WECOM_KEY:
        return {"errcode": 93000, "errmsg": "invalid webhook url"}
    data = json.loads(body)
    if data.get("msgtype") not in ("text", "markdown") or not data.get(data.get("msgtype"), {}).get(
        "content"
    ):
        return {"errcode": 40008, "errmsg": "invalid message type"}
    if _over_rate(provider):
        return {"errcode": 45009, "errmsg": "api freq out of limit"}
    provider.posts.append(data)
    return {"errcode": 0, "errmsg": "ok"}


def _dingtalk_answer(provider: Provider, query: str, body: bytes) -> dict[str, Any]:
    params = dict(urllib.parse.parse_qsl(query))
    if params.get("access_token") != DINGTALK_TOKEN:
        return {"errcode": 300001, "errmsg": "token is not exist"}
    stamp = params.get("timestamp", "0")
    if abs(time.time() * 1000 - int(stamp)) > 3_600_000:
        return {"errcode": 310000, "errmsg": "invalid timestamp"}
    expected = base64.b64encode(
        hmac.new(DINGTALK_SECRET.encode(), f"{stamp}\n{DINGTALK_SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    if not hmac.compare_digest(params.get("sign", ""), expected):
        return {"errcode": 310000, "errmsg": "sign not match"}
    data = json.loads(body)
    content = data.get("text", {}).get("content", "")
    if provider.keywords and not any(k in content for k in provider.keywords):
        return {"errcode": 310000, "errmsg": "keywords not in content"}
    if _over_rate(provider):
        return {"errcode": 410100, "errmsg": "send too fast, exceed 20 times per minute"}
    provider.posts.append(data)
    return {"errcode": 0, "errmsg": "ok"}


@contextmanager
def serve(kind: str, now: Any = None) -> Iterator[Provider]:
    """Run the ``aliyun``, ``tencent``, ``wecom`` or ``dingtalk`` stand-in on 127.0.0.1 for the
    block (``now``: the robots' clock, in seconds)."""
    provider = Provider(url="")
    if now is not None:
        provider.now = now

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _reply(self, status: int, payload: dict[str, Any]) -> None:
            body = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(status)
            if status == 429:
                self.send_header("Retry-After", "30")
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            query = urllib.parse.urlsplit(self.path).query
            if HANG in query:
                time.sleep(3)
            if TOO_MANY in query:
                self._reply(
                    429,
                    {"Code": "Throttling.User", "Message": "Request was denied due to user flow control."},
                )
                return
            status, payload = _aliyun_answer(provider, query) if kind == "aliyun" else (405, {})
            if payload.get("Code") not in (None, "OK"):
                provider.refused.append(str(payload.get("Code")))
            self._reply(status, payload)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if HANG.encode() in body:
                time.sleep(3)
            query = urllib.parse.urlsplit(self.path).query
            if kind == "tencent":
                status, payload = _tencent_answer(provider, self.headers, body)
            elif kind == "wecom":
                status, payload = 200, _wecom_answer(provider, query, body)
            elif kind == "dingtalk":
                status, payload = 200, _dingtalk_answer(provider, query, body)
            else:
                status, payload = 405, {}
            self._reply(status, payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    provider.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
