"""zhenggai.notifications: sending what the engine queued in its outbox.

- :mod:`~zhenggai.notifications.dispatcher` — the outbox dispatcher: claims due messages,
  renders them with the campaign's templates, hands each to its channel, retries or
  dead-letters;
- the delivery channels behind the :class:`zhenggai.engine.Channel` port: email
  (:mod:`~zhenggai.notifications.mail`), template SMS (:mod:`~zhenggai.notifications.sms`),
  WeCom and DingTalk group robots (:mod:`~zhenggai.notifications.robots`), the console and a
  JSON-lines file (:mod:`~zhenggai.notifications.channels`), over the one guarded HTTP client
  (:mod:`~zhenggai.notifications.web`);
- :mod:`~zhenggai.notifications.config` — the delivery configuration (servers, secrets, retries).

The templates themselves are checked and rendered in the sandbox of :mod:`zhenggai.workflows`.
"""

__all__: list[str] = []
