"""The delivery configuration: which channels send, with which servers and secrets, and how the
dispatcher retries. A TOML file kept outside the definition (a definition says who hears
what; this file says how, and holds the secrets), given as ``--config`` or ``ZHENGGAI_CONFIG``::

    [dispatch]
    max_attempts = 6            # then dead-lettered
    backoff_seconds = 30        # doubled per attempt, ±20 %
    max_backoff_seconds = 3600
    lease_seconds = 300         # a dispatcher that died mid-send: due again after this

    [email]
    host = "smtp.example.gov.cn"
    port = 465
    security = "ssl"            # ssl | starttls | none
    username = "notice@example.gov.cn"
    password_env = "ZHENGGAI_SMTP_PASSWORD"   # or password_file = "/run/secrets/smtp"
    sender = "notice@example.gov.cn"
    sender_name = "县作风办"
    ca_file = "/etc/zhenggai/ca.pem"          # optional: a private CA

    [sms]
    provider = "aliyun"         # aliyun | tencent
    access_key_id = "LTAI…"     # tencent: secret_id, secret_key, sdk_app_id
    access_key_secret_env = "ZHENGGAI_SMS_SECRET"
    sign_name = "XX县作风办"
    endpoint = "https://dysmsapi.aliyuncs.com/"   # the default; tencent: https://sms.tencentcloudapi.com/
    rate_per_minute = 100

    [wecom]                     # the county's WeCom group robot
    key_env = "ZHENGGAI_WECOM_KEY"
    markdown = false

    [dingtalk]                  # a DingTalk custom robot (signed, and/or keywords)
    access_token_env = "ZHENGGAI_DINGTALK_TOKEN"
    secret_env = "ZHENGGAI_DINGTALK_SECRET"
    keywords = ["督办", "交办", "提醒", "预警"]

    [network]                   # which hosts the HTTP channels may call
    hosts = ["dysmsapi.aliyuncs.com"]
    internal = []               # hosts allowed to resolve to loopback/private addresses

    [console]                   # development: print these channels instead of sending
    channels = ["sms", "wecom", "dingtalk"]

    [file]                      # development: append these channels to a JSON-lines file
    path = "outbox.jsonl"
    channels = ["sms"]

    [reporter]                  # 举报人信息加密保存: the key that seals reporters' identities
    key_file = "/etc/zhenggai/reporter.key"            # or key_env = "ZHENGGAI_REPORTER_KEY"
    old_key_files = ["/etc/zhenggai/reporter-2025.key"]   # previous keys, after a rotation
    old_keys_env = ["ZHENGGAI_REPORTER_OLD_KEY"]           # or previous keys from the environment

    [reports]                   # the county's own Word templates (zhenggai report templates writes the built-in ones)
    templates = "/etc/zhenggai/公文模板"

A secret ``x`` is given as exactly one of ``x`` (in the file), ``x_file`` (a path, e.g. a
container secret) or ``x_env`` (an environment variable's name). Errors name the setting, never
the value.

``[reporter]`` is read by the commands that write or read a reporter's identity (``item add``
with ``--reporter-*``, ``item reporter``, ``reporter rekey``), not by the dispatcher: a key is
the base64 of 32 random bytes (``zhenggai reporter keygen --out FILE`` writes one, mode 0600),
kept outside the database and backed up apart from it. The current key seals and opens; the
previous keys (``old_key_files``, a list of paths; ``old_keys_env``, one or more environment
variables, each holding keys separated by commas or spaces) only open what they sealed, until
``zhenggai reporter rekey`` has re-sealed everything with the current key. A lost key cannot be
recovered: the identities it sealed stay unreadable (a clear error, never a crash).
"""

from __future__ import annotations

import dataclasses
import os
import ssl
import tomllib
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from zhenggai.engine import Channel, ConfigError, ReporterKeys

from .channels import ConsoleChannel, FileChannel
from .mail import EmailChannel
from .robots import DingTalkRobot, WeComRobot
from .sms import AliyunSms, TencentSms
from .web import HostPolicy

__all__ = ["DeliveryConfig", "load_config", "report_templates", "reporter_keys", "secret"]

ENV_CONFIG = "ZHENGGAI_CONFIG"


def _with_secrets(*names: str) -> frozenset[str]:
    return frozenset(f"{n}{suffix}" for n in names for suffix in ("", "_file", "_env"))


#: The settings each section takes: a misspelt one is an error, not silently ignored.
KEYS: dict[str, frozenset[str]] = {
    "dispatch": frozenset({"max_attempts", "backoff_seconds", "max_backoff_seconds", "lease_seconds"}),
    "email": frozenset(
        {
            "host",
            "port",
            "security",
            "username",
            "sender",
            "sender_name",
            "ca_file",
            "timeout_seconds",
            "rate_per_minute",
        }
    )
    | _with_secrets("password"),
    "sms": frozenset(
        {
            "provider",
            "access_key_id",
            "secret_id",
            "sdk_app_id",
            "sign_name",
            "endpoint",
            "timeout_seconds",
            "rate_per_minute",
        }
    )
    | _with_secrets("access_key_secret", "secret_key"),
    "wecom": frozenset({"endpoint", "markdown", "timeout_seconds"}) | _with_secrets("key"),
    "dingtalk": frozenset({"keywords", "endpoint", "timeout_seconds"})
    | _with_secrets("access_token", "secret"),
    "network": frozenset({"hosts", "internal"}),
    "console": frozenset({"channels"}),
    "file": frozenset({"path", "channels"}),
    "reporter": frozenset({"old_key_files", "old_keys_env"}) | _with_secrets("key"),
    "reports": frozenset({"templates"}),
    "webhook": frozenset({"timeout_seconds"}),
}
SECTIONS = frozenset(KEYS)


@dataclasses.dataclass
class DeliveryConfig:
    """What a dispatcher needs: its channels and its retry settings."""

    channels: list[Channel]
    max_attempts: int = 6
    backoff: float = 30.0
    max_backoff: float = 3600.0
    lease: float = 300.0
    source: str = ""
    #: The hosts channels may call (webhook URLs are checked against it too).
    policy: HostPolicy = dataclasses.field(default_factory=HostPolicy)
    #: Seconds a webhook POST may take (``[webhook] timeout_seconds``).
    webhook_timeout: float = 10.0

    def dispatcher_options(self) -> dict[str, Any]:
        return {
            "max_attempts": self.max_attempts,
            "backoff": self.backoff,
            "max_backoff": self.max_backoff,
            "lease": self.lease,
        }


def secret(section: Mapping[str, Any], name: str, where: str, *, required: bool = True) -> str | None:
    """The secret ``name`` of a config section: from the file, a ``_file`` path or an ``_env``
    variable, exactly one of them."""
    given = [k for k in (name, f"{name}_file", f"{name}_env") if k in section]
    if len(given) > 1:
        raise ConfigError(f"{where}.{name}", f"只能给出 {', '.join(given)} 之一")
    if not given:
        if required:
            raise ConfigError(f"{where}.{name}", f"缺少 (给出 {name}、{name}_file 或 {name}_env)")
        return None
    key = given[0]
    value = section[key]
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}.{key}", "须为非空文本")
    if key.endswith("_env"):
        found = os.environ.get(value)
        if not found:
            raise ConfigError(f"{where}.{key}", f"环境变量 {value} 未设置")
        return found
    if key.endswith("_file"):
        try:
            return Path(value).read_text(encoding="utf-8").strip()
        except OSError as err:
            raise ConfigError(f"{where}.{key}", f"无法读取 {value} ({err.strerror})") from None
    return value


def load_config(path: str | os.PathLike[str] | None = None) -> DeliveryConfig:
    """Read the configuration at ``path`` (or ``$ZHENGGAI_CONFIG``)."""
    path = path or os.environ.get(ENV_CONFIG)
    if not path:
        raise ConfigError("--config", f"未指定投递配置文件 (--config 或环境变量 {ENV_CONFIG})")
    data, source = _read(path)
    return _delivery(data, source)


def reporter_keys(path: str | os.PathLike[str] | None = None) -> ReporterKeys | None:
    """The reporter keys of the configuration at ``path`` (or ``$ZHENGGAI_CONFIG``): its
    ``[reporter]`` section. None when no configuration is named (the engine then refuses to
    seal or open an identity, saying how to configure one); a :class:`ConfigError` naming the
    setting (never a key) when the section is missing or a key cannot be read or is not a key."""
    path = path or os.environ.get(ENV_CONFIG)
    if not path:
        return None
    data, source = _read(path)
    section = data.get("reporter")
    if section is None:
        raise ConfigError(
            f"{source}: [reporter]",
            "缺少举报人密钥配置段 (key_file 或 key_env; zhenggai reporter keygen 生成密钥)",
        )
    given = [k for k in ("key", "key_file", "key_env") if k in section]
    current = secret(section, "key", "reporter") or ""
    previous: list[tuple[str, str]] = []
    files = section.get("old_key_files", [])
    if not isinstance(files, list) or not all(isinstance(f, str) and f for f in files):
        raise ConfigError("reporter.old_key_files", "须为密钥文件路径的列表")
    for index, name in enumerate(files):
        where = f"reporter.old_key_files[{index}]"
        try:
            previous.append((Path(name).expanduser().read_text(encoding="utf-8"), where))
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError(
                where, f"无法读取 {name} ({getattr(err, 'strerror', None) or '不是文本'})"
            ) from None
    names = section.get("old_keys_env", [])
    names = [names] if isinstance(names, str) else names
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise ConfigError("reporter.old_keys_env", "须为环境变量名或其列表")
    for name in names:
        value = os.environ.get(name)
        if not value:
            raise ConfigError("reporter.old_keys_env", f"环境变量 {name} 未设置")
        previous.extend((text, f"reporter.old_keys_env ({name})") for text in value.replace(",", " ").split())
    return ReporterKeys.from_text(current, previous, where=f"reporter.{given[0]}")


def report_templates(path: str | os.PathLike[str] | None = None) -> Path | None:
    """The folder of the county's Word templates named by ``[reports] templates`` of the
    configuration at ``path`` (or ``$ZHENGGAI_CONFIG``); None when no configuration is named or
    it names no folder. A relative folder is taken from the configuration file's folder."""
    path = path or os.environ.get(ENV_CONFIG)
    if not path:
        return None
    data, _ = _read(path)
    folder = data.get("reports", {}).get("templates")
    if folder is None:
        return None
    if not isinstance(folder, str) or not folder.strip():
        raise ConfigError("reports.templates", "须为模板目录的路径")
    found = Path(folder).expanduser()
    if not found.is_absolute():
        found = Path(path).expanduser().parent / found
    if not found.is_dir():
        raise ConfigError("reports.templates", f"模板目录 {found} 不存在或不是目录")
    return found


def _read(path: str | os.PathLike[str]) -> tuple[dict[str, Any], str]:
    """The configuration file's sections (each setting known), and its name for errors."""
    source = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(source, f"无法读取 ({err.strerror})") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(source, f"TOML 格式错误: {err}") from None
    unknown = sorted(set(data) - SECTIONS)
    if unknown:
        raise ConfigError(f"{source}: [{unknown[0]}]", f"未知的配置段 (可用: {', '.join(sorted(SECTIONS))})")
    for name, section in data.items():
        if not isinstance(section, dict):
            raise ConfigError(f"[{name}]", "须为配置段")
        extra = sorted(set(section) - KEYS[name])
        if extra:
            raise ConfigError(f"{name}.{extra[0]}", f"未知的设置 (可用: {', '.join(sorted(KEYS[name]))})")
    return data, source


def _delivery(data: dict[str, Any], source: str) -> DeliveryConfig:
    channels: dict[str, Channel] = {}
    if "email" in data:
        channels["email"] = _email(data["email"])
    policy = _policy(data.get("network", {}))
    if "sms" in data:
        channels["sms"] = _sms(data["sms"], policy)
    if "wecom" in data:
        channels["wecom"] = _wecom(data["wecom"], policy)
    if "dingtalk" in data:
        channels["dingtalk"] = _dingtalk(data["dingtalk"], policy)
    for name, make in (("console", _console), ("file", _file)):
        if name in data:
            for channel in make(data[name]):
                if channel.name in channels:
                    raise ConfigError(f"[{name}].channels", f"渠道 {channel.name} 已在别处配置")
                channels[channel.name] = channel
    dispatch = data.get("dispatch", {})
    options = {
        "max_attempts": _number(dispatch, "max_attempts", 6, "dispatch", integer=True),
        "backoff": _number(dispatch, "backoff_seconds", 30.0, "dispatch"),
        "max_backoff": _number(dispatch, "max_backoff_seconds", 3600.0, "dispatch"),
        "lease": _number(dispatch, "lease_seconds", 300.0, "dispatch"),
    }
    webhook_timeout = _number(data.get("webhook", {}), "timeout_seconds", 10.0, "webhook")
    return DeliveryConfig(
        channels=list(channels.values()),
        source=source,
        policy=policy,
        webhook_timeout=webhook_timeout,
        **options,
    )


def _number(
    section: Mapping[str, Any], key: str, default: float, where: str, *, integer: bool = False
) -> Any:
    value = section.get(key, default)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or value <= 0
        or (integer and not isinstance(value, int))
    ):
        raise ConfigError(f"{where}.{key}", "须为正数" + ("(整数)" if integer else ""))
    return value


def _email(section: Mapping[str, Any]) -> EmailChannel:
    for key in ("host", "sender"):
        if not isinstance(section.get(key), str) or not section[key]:
            raise ConfigError(f"email.{key}", "缺少或不是文本")
    port = section.get("port", 465 if section.get("security") == "ssl" else 587)
    if not isinstance(port, int) or not 0 < port < 65536:
        raise ConfigError("email.port", "须为端口号")
    username = section.get("username")
    password = secret(section, "password", "email", required=username is not None)
    context = ssl.create_default_context(cafile=section["ca_file"]) if "ca_file" in section else None
    rate = section.get("rate_per_minute")
    return EmailChannel(
        host=section["host"],
        port=port,
        sender=section["sender"],
        security=section.get("security", "starttls"),
        username=username,
        password=password,
        sender_name=section.get("sender_name"),
        timeout=float(section.get("timeout_seconds", 30)),
        ssl_context=context,
        rate=int(rate) if rate is not None else None,
    )


def _policy(section: Mapping[str, Any]) -> HostPolicy:
    lists = {}
    for key in ("hosts", "internal"):
        value = section.get(key, [])
        if not isinstance(value, list) or not all(isinstance(h, str) and h for h in value):
            raise ConfigError(f"network.{key}", "须为主机名列表")
        lists[key] = frozenset(h.lower() for h in value)
    return HostPolicy(hosts=lists["hosts"], internal=lists["internal"])


def _sms(section: Mapping[str, Any], policy: HostPolicy) -> Channel:
    provider = section.get("provider")
    defaults = {"aliyun": "https://dysmsapi.aliyuncs.com/", "tencent": "https://sms.tencentcloudapi.com/"}
    if provider not in defaults:
        raise ConfigError("sms.provider", "须为 aliyun 或 tencent")
    endpoint = _allowed(section.get("endpoint", defaults[provider]), policy, "sms")
    sign_name = section.get("sign_name")
    if not isinstance(sign_name, str) or not sign_name:
        raise ConfigError("sms.sign_name", "缺少短信签名")
    rate = section.get("rate_per_minute")
    common: dict[str, Any] = {
        "sign_name": sign_name,
        "policy": policy,
        "endpoint": endpoint,
        "timeout": float(section.get("timeout_seconds", 10)),
        "rate": int(rate) if rate is not None else None,
    }
    if provider == "aliyun":
        key_id = section.get("access_key_id")
        if not isinstance(key_id, str) or not key_id:
            raise ConfigError("sms.access_key_id", "缺少")
        return AliyunSms(
            access_key_id=key_id,
            access_key_secret=secret(section, "access_key_secret", "sms") or "",
            **common,
        )
    secret_id, app = section.get("secret_id"), section.get("sdk_app_id")
    if not isinstance(secret_id, str) or not secret_id or not isinstance(app, str) or not app:
        raise ConfigError("sms.secret_id/sdk_app_id", "缺少")
    return TencentSms(
        secret_id=secret_id, secret_key=secret(section, "secret_key", "sms") or "", sdk_app_id=app, **common
    )


def _allowed(endpoint: str, policy: HostPolicy, where: str) -> str:
    host = (urllib.parse.urlsplit(endpoint).hostname or "").lower()
    if host not in policy.hosts and host not in policy.internal:
        raise ConfigError(f"{where}.endpoint", f"主机 {host} 不在 [network] hosts 允许列表中")
    return endpoint


def _wecom(section: Mapping[str, Any], policy: HostPolicy) -> Channel:
    endpoint = _allowed(
        section.get("endpoint", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"), policy, "wecom"
    )
    return WeComRobot(
        key=secret(section, "key", "wecom") or "",
        policy=policy,
        endpoint=endpoint,
        markdown=bool(section.get("markdown", False)),
        timeout=float(section.get("timeout_seconds", 10)),
    )


def _dingtalk(section: Mapping[str, Any], policy: HostPolicy) -> Channel:
    endpoint = _allowed(section.get("endpoint", "https://oapi.dingtalk.com/robot/send"), policy, "dingtalk")
    keywords = section.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) and k for k in keywords):
        raise ConfigError("dingtalk.keywords", "须为关键词列表")
    robot_secret = secret(section, "secret", "dingtalk", required=False)
    if robot_secret is None and not keywords:
        raise ConfigError(
            "dingtalk", "须配置加签密钥 (secret) 或关键词 (keywords) 之一, 与机器人的安全设置一致"
        )
    return DingTalkRobot(
        access_token=secret(section, "access_token", "dingtalk") or "",
        secret=robot_secret,
        keywords=keywords,
        policy=policy,
        endpoint=endpoint,
        timeout=float(section.get("timeout_seconds", 10)),
    )


def _names(section: Mapping[str, Any], where: str) -> list[str]:
    names = section.get("channels", [])
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise ConfigError(f"{where}.channels", '须为渠道名称列表, 如 ["sms"]')
    return names


def _console(section: Mapping[str, Any]) -> list[Channel]:
    return [ConsoleChannel(name) for name in _names(section, "console")]


def _file(section: Mapping[str, Any]) -> list[Channel]:
    path = section.get("path")
    if not isinstance(path, str) or not path:
        raise ConfigError("file.path", "缺少文件路径")
    return [FileChannel(path, name=name) for name in _names(section, "file")]
