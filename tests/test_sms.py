"""Template SMS through Aliyun and Tencent Cloud, against local servers that check the
signatures as the providers document them (tests/providers.py): delivered once with the sign
name, template code and parameters; failures inside HTTP 200 read and classified; 5xx and a hung
server transient; hosts outside the allow-list and internal addresses refused; secrets never in
an error. Then through the dispatcher, with the outbox on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from zhenggai.engine import DeliveryError, Engine, OutgoingMessage, VirtualClock
from zhenggai.notifications.dispatcher import Dispatcher
from zhenggai.notifications.sms import AliyunSms, TencentSms, aliyun_signature, percent_encode
from zhenggai.notifications.web import HostPolicy

from . import providers as p
from .test_dispatch import assigned, at, start_reached_by

LOCAL = HostPolicy(internal=frozenset({"127.0.0.1"}))


def message(
    phone: str = p.OK, template: str | None = "SMS_ZG_0001", key: str = "item:1:v2:assign"
) -> OutgoingMessage:
    return OutgoingMessage(
        outbox_id=1,
        idempotency_key=key,
        channel="sms",
        recipient=phone,
        kind="item_assigned",
        subject="【交办】施工许可审批超时",
        body="…",
        attempt=1,
        sms_template=template,
        sms_params={"title": "施工许可审批超时", "due": "2023-08-31"},
    )


def aliyun(url: str, **kw: Any) -> AliyunSms:
    return AliyunSms(
        access_key_id=p.ALIYUN_KEY_ID,
        access_key_secret=kw.pop("secret", p.ALIYUN_SECRET),
        sign_name="XX县作风办",
        policy=kw.pop("policy", LOCAL),
        endpoint=url,
        timeout=kw.pop("timeout", 5.0),
        **kw,
    )


def tencent(url: str, **kw: Any) -> TencentSms:
    return TencentSms(
        secret_id=p.TENCENT_ID,
        secret_key=kw.pop("secret", p.TENCENT_KEY),
        sdk_app_id="1400000000",
        sign_name="XX县作风办",
        policy=kw.pop("policy", LOCAL),
        endpoint=url,
        timeout=kw.pop("timeout", 5.0),
        **kw,
    )


@pytest.fixture(params=["aliyun", "tencent"])
def provider(request: pytest.FixtureRequest) -> Iterator[tuple[str, p.Provider]]:
    with p.serve(request.param) as server:
        yield request.param, server


def channel(kind: str, url: str, **kw: Any) -> Any:
    return aliyun(url, **kw) if kind == "aliyun" else tencent(url, **kw)


def test_the_documented_percent_encoding_and_signature() -> None:
    """Aliyun's own worked rules: space as %20, * as %2A, ~ kept; the signature is stable."""
    assert percent_encode("a b*c~d/é") == "a%20b%2Ac~d%2F%C3%A9"
    params = {
        "AccessKeyId": "testid",
        "Action": "SendSms",
        "SignatureNonce": "n",
        "Timestamp": "2023-08-01T00:00:00Z",
    }
    assert aliyun_signature(params, "testsecret") == aliyun_signature(
        dict(reversed(params.items())), "testsecret"
    )
    assert aliyun_signature(params, "testsecret") != aliyun_signature(params, "other")


def test_a_message_is_accepted_with_sign_template_and_parameters(provider: tuple[str, p.Provider]) -> None:
    kind, server = provider
    reference = channel(kind, server.url).send(message())
    assert reference  # the provider's message id
    (got,) = server.accepted
    assert (got.phone, got.template, got.sign_name) == (p.OK, "SMS_ZG_0001", "XX县作风办")
    expected = {"title": "施工许可审批超时", "due": "2023-08-31"}
    assert got.params == (expected if kind == "aliyun" else list(expected.values()))


@pytest.mark.parametrize(
    ("phone", "template", "permanent", "says"),
    [
        (p.RATE_LIMITED, "SMS_ZG_0001", False, "LIMIT"),
        (p.BAD_NUMBER, "SMS_ZG_0001", True, ""),
        (p.OK, "SMS_UNAPPROVED", True, "TEMPLATE"),
        (p.SERVER_ERROR, "SMS_ZG_0001", False, "HTTP 50"),
    ],
)
def test_failures_inside_200_and_5xx_are_classified(
    provider: tuple[str, p.Provider], phone: str, template: str, permanent: bool, says: str
) -> None:
    kind, server = provider
    with pytest.raises(DeliveryError) as err:
        channel(kind, server.url).send(message(phone, template))
    assert err.value.permanent is permanent
    assert says.lower() in str(err.value).lower()
    assert server.accepted == []


def test_a_wrong_key_is_permanent_and_the_secret_is_never_shown(provider: tuple[str, p.Provider]) -> None:
    kind, server = provider
    with pytest.raises(DeliveryError) as err:
        channel(kind, server.url, secret="wrong-secret-value").send(message())
    assert err.value.permanent
    assert "Signature" in str(err.value) and "wrong-secret-value" not in str(err.value)
    assert p.ALIYUN_SECRET not in repr(channel(kind, server.url)) and p.TENCENT_KEY not in repr(
        channel(kind, server.url)
    )


def test_a_hung_server_times_out_as_transient(provider: tuple[str, p.Provider]) -> None:
    kind, server = provider
    with pytest.raises(DeliveryError) as err:
        channel(kind, server.url, timeout=0.5).send(message(p.HANG))
    assert not err.value.permanent and "无法连接" in str(err.value)


def test_hosts_outside_the_allow_list_and_internal_addresses_are_refused(
    provider: tuple[str, p.Provider],
) -> None:
    kind, server = provider
    with pytest.raises(DeliveryError, match="不在配置的允许列表中") as err:
        channel(kind, server.url, policy=HostPolicy()).send(message())
    assert err.value.permanent
    with pytest.raises(DeliveryError, match="内部地址"):
        channel(
            kind,
            server.url.replace("127.0.0.1", "localhost"),
            policy=HostPolicy(hosts=frozenset({"localhost"})),
        ).send(message())
    assert server.accepted == []


def test_a_bad_number_or_a_missing_template_never_reaches_the_provider(
    provider: tuple[str, p.Provider],
) -> None:
    kind, server = provider
    for bad in (message("12345"), message(template=None), message(p.OK + "\r\n")):
        with pytest.raises(DeliveryError) as err:
            channel(kind, server.url).send(bad)
        assert err.value.permanent
    assert server.accepted == [] and server.refused == []


def test_the_dispatcher_sends_each_sms_once(
    engine: Engine, clock: VirtualClock, provider: tuple[str, p.Provider]
) -> None:
    """Assignments, then the reminders and lights a sweep queues for SMS, reach the provider
    exactly once each."""
    kind, server = provider
    start_reached_by(engine, clock, ["sms"])
    for n in range(3):
        assigned(engine, title=f"问题 {n}")
    dispatcher = Dispatcher(engine, [channel(kind, server.url)], seed=2)
    assert dispatcher.dispatch().sent == 3
    clock.set(at("2023-08-25", 9))  # the reminders (5 working days before) and the yellow light
    engine.sweep()
    report = dispatcher.dispatch()
    assert report.sent == len([r for r in engine.outbox("test") if r.kind != "item_assigned"]) > 0
    assert dispatcher.dispatch().handled == 0
    assert len(server.accepted) == len(engine.outbox("test", status="sent"))
    keys = [r.idempotency_key for r in engine.outbox("test")]
    assert len(keys) == len(set(keys))


def test_the_config_builds_the_provider_and_guards_its_host(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zhenggai.engine import ConfigError
    from zhenggai.notifications.config import load_config

    monkeypatch.setenv("SMS_SECRET", p.ALIYUN_SECRET)
    with p.serve("aliyun") as server:
        path = tmp_path / "d.toml"
        path.write_text(
            f"""
[sms]
provider = "aliyun"
access_key_id = "{p.ALIYUN_KEY_ID}"
access_key_secret_env = "SMS_SECRET"
sign_name = "XX县作风办"
endpoint = "{server.url}"

[network]
internal = ["127.0.0.1"]
""",
            encoding="utf-8",
        )
        (sms,) = load_config(path).channels
        assert isinstance(sms, AliyunSms)
        assert sms.send(message()) and len(server.accepted) == 1
        path.write_text(
            path.read_text(encoding="utf-8").replace('internal = ["127.0.0.1"]', ""), encoding="utf-8"
        )
        with pytest.raises(ConfigError, match="不在 \\[network\\] hosts 允许列表中"):
            load_config(path)


def test_http_429_is_transient_with_the_provider_s_wait() -> None:
    with p.serve("aliyun") as server, pytest.raises(DeliveryError) as err:
        aliyun(server.url).send(message(p.TOO_MANY))
    assert not err.value.permanent and err.value.retry_after == 30.0 and "HTTP 429" in str(err.value)
