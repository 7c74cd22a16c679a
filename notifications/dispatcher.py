"""The outbox dispatcher: sends what transitions and sweeps queued, through the channels.

One pass (:meth:`Dispatcher.dispatch`) claims the messages due (``Engine.outbox_claim``, with a
lease: a dispatcher that dies after sending but before recording makes the message due again
when the lease ends, so it is sent at most once more, with the same Message-ID), renders each
with its campaign's templates in the sandbox ``zhenggai check`` validated them in, and hands it
to its channel:

- sent: recorded ``sent``;
- a transient failure (a busy server, a timeout, a rate limit): due again after an exponential
  backoff with jitter (``backoff`` × 2^(attempt−1), capped at ``max_backoff``, ±20 %; or what the
  provider asked for), until ``max_attempts``; then dead-lettered with the reason;
- a permanent failure (a bad address, a rejected template, a wrong key, no channel configured
  for it, no template): dead-lettered at once with the reason;
- a template that goes past the rendering bounds (:data:`~zhenggai.workflows._templates.MAX_OPERATIONS`
  operations, :data:`~zhenggai.workflows._templates.MAX_RENDER_SECONDS` seconds, or nests macro
  calls too deep): dead-lettered at once, ``模板渲染超出限制: …``, never tried again (it would
  hold the dispatcher again after its lease);
- inside the definition's quiet hours for its channel, or over the channel's rate (messages a
  minute): put back until the window ends or a slot frees, not counted as an attempt.

A pass stops claiming when its ``stop`` says so or its ``seconds`` are spent (the daemon gives it
part of its interval and its stop flag), so a slow pass delays neither the next sweep nor a
SIGTERM by more than one message. An operator re-queues dead letters (``zhenggai outbox retry``). Reasons never carry secrets: the
channels' contract forbids it, and what the dispatcher adds itself is the exception's type.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import random
import time
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jinja2 import TemplateError
from zhenggai.engine import (
    CalendarError,
    CampaignSetup,
    Channel,
    DeliveryError,
    Engine,
    OutboxView,
    OutgoingMessage,
)
from zhenggai.workflows._templates import RenderLimitError, render_budget, template_environment

__all__ = ["DispatchReport", "Dispatcher", "render"]

#: Payload keys that would identify a reporter. The engine never queues them; the dispatcher
#: refuses to render a message that has one, whatever a template asks for.
REPORTER_KEYS = frozenset(
    {"reporter", "reporter_name", "reporter_phone", "reporter_contact", "reporter_note"}
)


@dataclasses.dataclass
class DispatchReport:
    """What one pass did."""

    sent: int = 0
    retried: int = 0
    dead: int = 0
    deferred: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.dead + self.deferred


def render(setup: CampaignSetup | None, row: OutboxView, env: Any = None) -> OutgoingMessage:
    """The message ``row`` as its channel sends it, from its campaign's template. A missing
    template or a template that fails is a permanent :class:`DeliveryError`, and so is one past
    the rendering bounds (one budget of operations and time for the subject, body and SMS
    parameters together). A ``webhook`` row is no template's: its body is its payload as
    JSON (:mod:`.webhooks`)."""
    if row.channel == "webhook":
        return _webhook_message(row)
    if setup is None or row.kind not in setup.notifications.templates:
        raise DeliveryError(f"消息类别 {row.kind} 没有模板", permanent=True)
    leaked = REPORTER_KEYS & set(row.payload)
    if leaked:
        raise DeliveryError(f"消息含举报人信息字段 {', '.join(sorted(leaked))}, 拒绝发送", permanent=True)
    template = setup.notifications.templates[row.kind]
    env = env or template_environment()
    try:
        with render_budget():
            subject = env.from_string(template.subject).render(**row.payload)
            body = env.from_string(template.body).render(**row.payload)
            params = {
                name: str(env.from_string("{{ " + expr + " }}").render(**row.payload))
                for name, expr in template.sms_params.items()
            }
    except RenderLimitError as err:
        raise DeliveryError(f"{err.message} (模板 {row.kind})", permanent=True) from err
    except RecursionError as err:
        raise DeliveryError(f"模板渲染超出限制: 调用嵌套过深 (模板 {row.kind})", permanent=True) from err
    except TemplateError as err:
        raise DeliveryError(
            f"模板 {row.kind} 无法渲染: {err.message or type(err).__name__}", permanent=True
        ) from err
    return OutgoingMessage(
        outbox_id=row.id,
        idempotency_key=row.idempotency_key,
        channel=row.channel,
        recipient=row.recipient,
        kind=row.kind,
        subject=subject,
        body=body,
        attempt=row.attempts,
        sms_template=template.sms_template,
        sms_params=params,
    )


def _webhook_message(row: OutboxView) -> OutgoingMessage:
    """A relayed audit event as the webhook channel posts it (refused if it names a reporter)."""
    from .webhooks import webhook_body

    leaked = REPORTER_KEYS & set(row.payload)
    if leaked:
        raise DeliveryError(f"消息含举报人信息字段 {', '.join(sorted(leaked))}, 拒绝发送", permanent=True)
    return OutgoingMessage(
        outbox_id=row.id,
        idempotency_key=row.idempotency_key,
        channel=row.channel,
        recipient=row.recipient,
        kind=row.kind,
        subject=row.kind,
        body=webhook_body(row.payload),
        attempt=row.attempts,
    )


class _Window:
    """A channel's sends in the last minute, to keep under its rate."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.sent: collections.deque[dt.datetime] = collections.deque()

    def wait(self, now: dt.datetime) -> dt.datetime | None:
        """None when a message may go now (and it is counted); else when the next may."""
        while self.sent and now - self.sent[0] >= dt.timedelta(minutes=1):
            self.sent.popleft()
        if len(self.sent) >= self.rate:
            return self.sent[0] + dt.timedelta(minutes=1)
        self.sent.append(now)
        return None


class Dispatcher:
    """Sends the outbox of every campaign in ``engine`` through ``channels`` (one per delivery
    channel name). Keep one per process: it remembers each channel's sends of the last minute."""

    def __init__(
        self,
        engine: Engine,
        channels: Iterable[Channel],
        *,
        max_attempts: int = 6,
        backoff: float = 30.0,
        max_backoff: float = 3600.0,
        lease: float = 300.0,
        seed: int | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.engine = engine
        self.channels: Mapping[str, Channel] = {c.name: c for c in channels}
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.lease = lease
        self._rng = random.Random(seed)
        self._windows = {c.name: _Window(c.rate) for c in self.channels.values() if c.rate}
        self._setups: dict[int, CampaignSetup | None] = {}
        self._env = template_environment()

    def dispatch(
        self, *, limit: int = 100, seconds: float | None = None, stop: Callable[[], bool] | None = None
    ) -> DispatchReport:
        """One pass over the messages due now, at most ``limit``, claiming no more once
        ``seconds`` have passed or ``stop()`` is true. Each message is claimed just before it is
        sent, so its lease covers its own send, not a batch's: a slow channel never lets a lease
        run out while its holder is still sending (another dispatcher would take the message
        over and send it again)."""
        report = DispatchReport()
        self._setups.clear()  # a campaign may have moved to a new definition version since
        until = None if seconds is None else time.monotonic() + seconds
        for _ in range(limit):
            if (stop is not None and stop()) or (until is not None and time.monotonic() >= until):
                break
            claimed = self.engine.outbox_claim(limit=1, lease=self.lease)
            if not claimed:
                break
            self._one(claimed[0], report)
        return report

    def _one(self, row: OutboxView, report: DispatchReport) -> None:
        engine = self.engine
        now = engine.clock.now()
        channel = self.channels.get(row.channel)
        if channel is None:
            reason = (
                "没有可接收消息的联系人" if row.channel == "unrouted" else f"未配置发送渠道 {row.channel}"
            )
            engine.outbox_failed(row.id, reason, retry_at=None)
            report.dead += 1
            return
        setup = self._setup(row.campaign_id)
        quiet = _quiet_until(setup, row.channel, now, self._workday(setup))
        if quiet is not None:
            engine.outbox_defer(row.id, quiet, "免打扰时段, 顺延发送")
            report.deferred += 1
            return
        window = self._windows.get(row.channel)
        free = window.wait(now) if window is not None else None
        if free is not None:
            engine.outbox_defer(
                row.id,
                free,
                f"超过渠道 {row.channel} 每分钟 {window.rate if window else 0} 条的限制, 顺延发送",
            )
            report.deferred += 1
            return
        try:
            channel.send(render(setup, row, self._env))
        except DeliveryError as err:
            self._failed(
                row, err.reason, permanent=err.permanent, retry_after=err.retry_after, now=now, report=report
            )
        except Exception as err:  # noqa: BLE001 (a channel broke its contract: transient, named by type only)
            self._failed(
                row,
                f"渠道异常 {type(err).__name__}",
                permanent=False,
                retry_after=None,
                now=now,
                report=report,
            )
        else:
            engine.outbox_sent(row.id)
            report.sent += 1

    def _failed(
        self,
        row: OutboxView,
        reason: str,
        *,
        permanent: bool,
        retry_after: float | None,
        now: dt.datetime,
        report: DispatchReport,
    ) -> None:
        if permanent or row.attempts >= self.max_attempts:
            if not permanent:
                reason = f"重试 {row.attempts} 次仍失败: {reason}"
            self.engine.outbox_failed(row.id, reason, retry_at=None)
            report.dead += 1
            return
        delay = retry_after if retry_after is not None else self.delay(row.attempts)
        self.engine.outbox_failed(row.id, reason, retry_at=now + dt.timedelta(seconds=delay))
        report.retried += 1

    def delay(self, attempt: int) -> float:
        """Seconds before the next try after ``attempt`` failed: exponential, capped, ±20 %."""
        base = min(self.max_backoff, self.backoff * 2 ** max(0, attempt - 1))
        return float(base * self._rng.uniform(0.8, 1.2))

    def _workday(self, setup: CampaignSetup | None) -> Callable[[dt.date], bool] | None:
        """Whether a day is a working day on the campaign's calendar (a year it does not know:
        Monday to Friday), for quiet hours kept to working days; None when none is."""
        if setup is None or not any(w.working_days_only for w in setup.notifications.quiet_hours):
            return None
        calendar = self.engine.calendar_for(setup.calendar)

        def workday(day: dt.date) -> bool:
            try:
                return calendar.is_workday(day)
            except CalendarError:
                return day.weekday() < 5

        return workday

    def _setup(self, campaign_id: int) -> CampaignSetup | None:
        if campaign_id not in self._setups:
            self._setups[campaign_id] = self.engine.definition(campaign_id)
        return self._setups[campaign_id]


def _quiet_until(
    setup: CampaignSetup | None,
    channel: str,
    now: dt.datetime,
    workday: Callable[[dt.date], bool] | None = None,
) -> dt.datetime | None:
    """The end of the quiet hours ``now`` falls in for ``channel``, or None. A window with
    ``working_days_only`` (and ``workday``, the campaign's calendar) also covers every day that
    is not a working day, and ends at its ``end`` on the next working day."""
    if setup is None:
        return None
    tz = zoneinfo.ZoneInfo(setup.timezone)
    local = now.astimezone(tz)
    for window in setup.notifications.quiet_hours:
        if channel not in window.delivery:
            continue
        t = local.time()
        start, end = window.start, window.end
        inside = start <= t < end if start < end else (t >= start or t < end)
        day = local.date() if t < end else local.date() + dt.timedelta(days=1)
        if window.working_days_only and workday is not None:
            if not inside and workday(local.date()):
                continue
            for _ in range(60):  # the longest run of days off (春节 with weekends) is far shorter
                if workday(day):
                    break
                day += dt.timedelta(days=1)
            return dt.datetime.combine(day, end, tz)
        if inside:
            return dt.datetime.combine(day, end, tz)
    return None
