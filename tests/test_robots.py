"""WeCom and DingTalk group robots against local servers that check the key, the DingTalk
signature and keywords, and the 20-a-minute limit, answering with ``errcode`` as the robots do:
messages posted once with the recipient @-mentioned; the dispatcher keeps under the limit by
deferring, so the robot never refuses; bad keys and signatures permanent; secrets never shown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from zhenggai.engine import DeliveryError, Engine, OutgoingMessage, VirtualClock
from zhenggai.notifications.dispatcher import Dispatcher
from zhenggai.notifications.robots import DingTalkRobot, WeComRobot, dingtalk_sign
from zhenggai.notifications.web import HostPolicy

from . import providers as p
from .test_dispatch import assigned, start_reached_by

LOCAL = HostPolicy(internal=frozenset({"127.0.0.1"}))


def message(
    subject: str = "【督办】施工许可审批超时", n: int = 1, body: str = "县住建局: 问题已挂牌督办。"
) -> OutgoingMessage:
    return OutgoingMessage(
        outbox_id=n,
        idempotency_key=f"k{n}",
        channel="wecom",
        recipient="13800000000",
        kind="item_listed",
        subject=subject,
        body=body,
        attempt=1,
    )


@pytest.fixture
def wecom() -> Iterator[p.Provider]:
    with p.serve("wecom") as server:
        yield server


@pytest.fixture
def dingtalk() -> Iterator[p.Provider]:
    with p.serve("dingtalk") as server:
        yield server


def wecom_robot(server: p.Provider, **kw: Any) -> WeComRobot:
    return WeComRobot(
        key=kw.pop("key", p.WECOM_KEY), policy=LOCAL, endpoint=server.url + "cgi-bin/webhook/send", **kw
    )


def ding_robot(server: p.Provider, **kw: Any) -> DingTalkRobot:
    return DingTalkRobot(
        access_token=p.DINGTALK_TOKEN,
        secret=kw.pop("secret", p.DINGTALK_SECRET),
        keywords=kw.pop("keywords", p.DINGTALK_KEYWORDS),
        policy=LOCAL,
        endpoint=server.url + "robot/send",
        **kw,
    )


def test_wecom_posts_text_mentioning_the_recipient(wecom: p.Provider) -> None:
    wecom_robot(wecom).send(message())
    (post,) = wecom.posts
    assert post["msgtype"] == "text" and post["text"]["mentioned_mobile_list"] == ["13800000000"]
    assert post["text"]["content"].startswith("【督办】施工许可审批超时\n县住建局")
    wecom_robot(wecom, markdown=True).send(message())
    assert (
        wecom.posts[1]["msgtype"] == "markdown" and "<@13800000000>" in wecom.posts[1]["markdown"]["content"]
    )


def test_wecom_bad_key_is_permanent_and_never_shown(wecom: p.Provider) -> None:
    with pytest.raises(DeliveryError) as err:
        wecom_robot(wecom, key="wrong-key-value").send(message())
    assert err.value.permanent and "93000" in str(err.value) and "wrong-key-value" not in str(err.value)
    assert p.WECOM_KEY not in repr(wecom_robot(wecom))


@pytest.mark.parametrize(
    ("kind", "errcode", "wait"), [("wecom", "45009", 60.0), ("dingtalk", "410100", 600.0)]
)
def test_over_twenty_a_minute_is_refused_by_the_robot_as_transient(
    kind: str, errcode: str, wait: float
) -> None:
    """The robots' own limit, met without the dispatcher: a transient refusal, and DingTalk's
    wait is its ten-minute silence."""
    with p.serve(kind) as server:
        robot = wecom_robot(server) if kind == "wecom" else ding_robot(server)
        for n in range(20):
            robot.send(message(n=n))
        with pytest.raises(DeliveryError) as err:
            robot.send(message(n=21))
    assert not err.value.permanent and errcode in str(err.value) and err.value.retry_after == wait


def test_dingtalk_signs_each_request_and_checks_keywords(dingtalk: p.Provider) -> None:
    ding_robot(dingtalk).send(message())
    (post,) = dingtalk.posts
    assert (
        post["at"] == {"atMobiles": ["13800000000"], "isAtAll": False}
        and "@13800000000" in post["text"]["content"]
    )
    with pytest.raises(DeliveryError, match="关键词") as err:
        ding_robot(dingtalk).send(message(subject="【通知】会议安排", body="周五下午开会。"))
    assert err.value.permanent and len(dingtalk.posts) == 1  # refused before sending
    with pytest.raises(DeliveryError) as err:
        ding_robot(dingtalk, secret="SECwrong").send(message())
    assert err.value.permanent and "sign not match" in str(err.value) and "SECwrong" not in str(err.value)
    assert dingtalk_sign("SEC", 1700000000000) == dingtalk_sign("SEC", 1700000000000)


def test_the_dispatcher_keeps_the_robot_under_its_limit(
    engine: Engine, clock: VirtualClock, wecom: p.Provider
) -> None:
    """25 assignments for the WeCom group: 20 go in the first minute, 5 wait, uncounted, and go
    in the next; the robot never has to refuse one."""
    start_reached_by(engine, clock, ["wecom"])
    for n in range(25):
        assigned(engine, title=f"问题 {n}")
    dispatcher = Dispatcher(engine, [wecom_robot(wecom)])
    first = dispatcher.dispatch()
    assert (first.sent, first.deferred) == (20, 5)
    assert len(wecom.posts) == 20
    clock.advance(dt.timedelta(seconds=61))
    wecom.times.clear()  # the minute passes for the robot too (it counts real time)
    assert dispatcher.dispatch().sent == 5
    assert len(wecom.posts) == 25 and {r.status for r in engine.outbox("test")} == {"sent"}


def test_the_config_builds_both_robots(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, wecom: p.Provider, dingtalk: p.Provider
) -> None:
    from zhenggai.engine import ConfigError
    from zhenggai.notifications.config import load_config

    monkeypatch.setenv("WECOM_KEY", p.WECOM_KEY)
    monkeypatch.setenv("DING_TOKEN", p.DINGTALK_TOKEN)
    secret_file = tmp_path / "ding_secret"
    secret_file.write_text(p.DINGTALK_SECRET + "\n", encoding="utf-8")
    path = tmp_path / "d.toml"
    path.write_text(
        f"""
[wecom]
key_env = "WECOM_KEY"
endpoint = "{wecom.url}cgi-bin/webhook/send"

[dingtalk]
access_token_env = "DING_TOKEN"
secret_file = "{secret_file}"
keywords = ["督办"]
endpoint = "{dingtalk.url}robot/send"

[network]
internal = ["127.0.0.1"]
""",
        encoding="utf-8",
    )
    robots = {c.name: c for c in load_config(path).channels}
    robots["wecom"].send(message())
    robots["dingtalk"].send(message())
    assert len(wecom.posts) == len(dingtalk.posts) == 1
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("secret_file", "secret_fiel"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"dingtalk\.secret_fiel: 未知的设置"):
        load_config(path)
    path.write_text(
        "\n".join(line for line in text.splitlines() if not line.startswith(("secret_file", "keywords"))),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="加签密钥"):
        load_config(path)
