"""Webhooks to county systems (issue 18): subscriptions, and the relay that turns committed
audit events into outbox messages.

A subscription (``zg_webhook``) belongs to one campaign: a ``name``, the ``url`` to POST to,
the ``kinds`` of audit event it wants (event triggers such as ``assign`` or ``close``, or
``*`` for all) and the ``secret`` its messages are signed with. The secret is stored as given
(or as generated, shown once), because signing needs it: the operator rotates it by adding a
new subscription and disabling the old one. A new subscription's cursor starts at the
campaign's current audit head: it hears of what happens from then on, not of the past.

The relay is not a hook inside every write: it reads the committed audit events (``zg_event``,
numbered ``seq`` per campaign) after each subscription's ``cursor``, queues one outbox row per
event whose trigger it wants (channel ``webhook``, recipient ``webhook:<id>``, idempotency key
``webhook:<id>:<seq>``), and moves the cursor, in one transaction. So only committed work is
ever announced (a rolled-back operation left no event), replaying the relay queues nothing
twice (the cursor moved, and the key is unique), and delivery, retries, backoff and dead
letters are the outbox's (:class:`~zhenggai.notifications.dispatcher.Dispatcher` with the
:class:`~zhenggai.notifications.webhooks.WebhookChannel`). Events of one campaign commit in
``seq`` order (each locks the campaign's audit head), and the relay holds the same lock while
it reads, so an event it has not seen cannot later appear below its cursor.

The rows it queues are vouched for like every outbox row: one audit event ``relay_webhooks``
per relay transaction that queued anything (data: how many messages). The relay never announces
its own ``relay_webhooks`` events.

What a message says (:func:`webhook_payload`): the event's id and ``seq``, the campaign, the
``kind`` (trigger), the subject, the item's id and number, from and to state, the acting unit,
the time, the actor's role, and the actor's name unless the actor was a reporter (举报人); a few
plain fields of the event's data (unit, due day, track, severity, channel, transfer), never its
free text, and nothing about the reporter (``has_reporter`` included).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._raw import Tx
from ._steps import SYSTEM
from ._webhook_statements import WebhookStatements, webhook_statements
from ._writes import Vouch, append_event
from .audit import outbox_row_digest
from .errors import CampaignNotFound, InvalidInputError, WebhookNotFound

if TYPE_CHECKING:
    from ._runtime import Runtime
    from .service import Engine

__all__ = ["RELAY_TRIGGER", "WEBHOOK_CHANNEL", "WebhookView", "Webhooks", "webhook_payload"]

#: The outbox channel of webhook messages.
WEBHOOK_CHANNEL = "webhook"
#: The audit event a relay appends to vouch for the messages it queued (never relayed itself).
RELAY_TRIGGER = "relay_webhooks"
#: Events read per subscription and transaction.
BATCH = 500
#: Roles whose acts never carry the actor's name out (a reporter's identity never leaves).
REPORTER_ROLES = frozenset({"reporter", "public"})
#: The plain fields of an event's data a message may carry (no free text, nothing reporter).
DATA_FIELDS = ("unit", "due", "track", "severity", "channel", "transfer_to", "transfer_due")
_KIND = re.compile(r"^[a-z][a-z0-9_.]{0,59}$")


@dataclass(frozen=True, slots=True)
class WebhookView:
    id: int
    campaign: str
    name: str
    url: str
    kinds: tuple[str, ...]
    cursor: int
    created_at: dt.datetime
    disabled: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "campaign": self.campaign,
            "name": self.name,
            "url": self.url,
            "kinds": list(self.kinds),
            "cursor": self.cursor,
            "created_at": self.created_at.isoformat(),
            "disabled": self.disabled,
        }


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """What the channel needs to deliver to a subscription (the secret never leaves it)."""

    id: int
    url: str
    secret: str
    active: bool


def webhook_payload(event: Mapping[str, Any], campaign: str) -> dict[str, Any]:
    """The JSON a subscriber receives for one audit event row (with the item's ``number``)."""
    try:
        data = json.loads(event["data"] or "{}")
    except ValueError:
        data = {}
    detail = {k: data[k] for k in DATA_FIELDS if isinstance(data.get(k), (str, int, float, bool))}
    at = event["at"]
    payload: dict[str, Any] = {
        "event_id": event["id"],
        "seq": event["seq"],
        "campaign": campaign,
        "kind": event["trigger"],
        "subject": {"kind": event["subject_kind"], "id": event["subject_id"]},
        "item": None if event["item_id"] is None else {"id": event["item_id"], "number": event["number"]},
        "from_state": event["from_state"],
        "to_state": event["to_state"],
        "unit": event["unit"],
        "role": event["role"],
        "at": at.astimezone(dt.UTC).isoformat() if isinstance(at, dt.datetime) else str(at),
        "detail": detail,
    }
    if event["role"] not in REPORTER_ROLES:
        payload["actor"] = event["actor"]
    return payload


def _checked_url(url: str) -> str:
    url = (url or "").strip()
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        raise InvalidInputError("url", "推送地址须为 http:// 或 https:// 开头的完整地址, 最多 500 字")
    if parts.username or parts.password:
        raise InvalidInputError("url", "推送地址不能包含用户名或密码 (签名密钥另行保存)")
    return url


def _checked_kinds(kinds: Sequence[str]) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(k.strip() for k in kinds if k and k.strip()))
    if not cleaned:
        raise InvalidInputError("kinds", "至少订阅一种事件 (或 * 表示全部)")
    if "*" in cleaned:
        return ("*",)
    for kind in cleaned:
        if not _KIND.match(kind):
            raise InvalidInputError("kinds", f"事件类别 {kind!r} 无效 (如 assign、close, 或 *)")
        if kind == RELAY_TRIGGER:
            raise InvalidInputError("kinds", f"{RELAY_TRIGGER} 是推送本身的记录, 不能订阅")
    return cleaned


class Webhooks:
    """The webhook subscriptions of the database ``engine`` runs on, and their relay."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._rt: Runtime = engine._rt

    @property
    def _ws(self) -> WebhookStatements:
        return webhook_statements(self._rt.st)

    def _campaign_id(self, tx: Tx, campaign: str | int) -> int:
        return self._rt.campaign(tx, campaign).id

    def _view(self, row: Mapping[str, Any], tx: Tx) -> WebhookView:
        return WebhookView(
            id=row["id"],
            campaign=self._rt.campaign(tx, row["campaign_id"]).key,
            name=row["name"],
            url=row["url"],
            kinds=tuple(json.loads(row["kinds"])),
            cursor=row["cursor"],
            created_at=row["created_at"],
            disabled=row["disabled_at"] is not None,
        )

    def _log(self, tx: Tx, kind: str, by: str, **detail: Any) -> None:
        tx.run(
            self._ws.log_insert,
            {
                "at": self._rt.now(),
                "kind": kind,
                "username": by[:100],
                "account_id": None,
                "token_id": None,
                "remote": None,
                "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True),
            },
        )

    # -- subscriptions -----------------------------------------------------------------------

    def add(
        self,
        campaign: str,
        name: str,
        url: str,
        kinds: Sequence[str] = ("*",),
        *,
        secret: str | None = None,
        by: str = "operator",
    ) -> tuple[WebhookView, str]:
        """Subscribe ``url`` to the campaign's events of ``kinds``; returns the subscription and
        its secret (the one given, or a generated one, to be handed over once)."""
        name = (name or "").strip()
        if not name or len(name) > 100:
            raise InvalidInputError("name", "订阅名称不能为空, 最多 100 字")
        url = _checked_url(url)
        wanted = _checked_kinds(kinds)
        if secret is None:
            secret = secrets.token_urlsafe(32)
        elif len(secret) < 16 or len(secret) > 200:
            raise InvalidInputError("secret", "签名密钥须为 16 至 200 个字符")
        now = self._rt.now()
        ws = self._ws
        with self._rt.store.transaction() as tx:
            cid = self._campaign_id(tx, campaign)
            if tx.one(ws.by_name, {"cid": cid, "name": name}) is not None:
                raise InvalidInputError("name", f"该活动已有名为 {name} 的推送订阅")
            head = tx.one(self._rt.st.head, {"cid": cid})
            values = {
                "campaign_id": cid,
                "name": name,
                "url": url,
                "secret": secret,
                "kinds": json.dumps(list(wanted)),
                "cursor": head["seq"] if head else 0,
                "created_at": now,
                "disabled_at": None,
            }
            new_id = tx.scalar(ws.insert, values)
            self._log(tx, "webhook_added", by, webhook=new_id, name=name, url=url, kinds=list(wanted))
            view = self._view({**values, "id": new_id}, tx)
        return view, secret

    def webhooks(self, campaign: str | None = None) -> list[WebhookView]:
        """Every subscription (of ``campaign``), disabled ones too, oldest first."""
        with self._rt.store.read() as conn:
            tx = Tx.on(conn)
            if campaign is None:
                rows = tx.all(self._ws.every)
            else:
                rows = tx.all(self._ws.of_campaign, {"cid": self._campaign_id(tx, campaign)})
            return [self._view(r, tx) for r in rows]

    def webhook(self, webhook_id: int) -> WebhookView:
        with self._rt.store.read() as conn:
            tx = Tx.on(conn)
            row = tx.one(self._ws.by_id, {"id": webhook_id})
            if row is None:
                raise WebhookNotFound(webhook_id)
            return self._view(row, tx)

    def target(self, webhook_id: int) -> WebhookTarget:
        """Where and how to deliver a message of subscription ``webhook_id`` (for the channel)."""
        with self._rt.store.read() as conn:
            row = Tx.on(conn).one(self._ws.by_id, {"id": webhook_id})
        if row is None:
            raise WebhookNotFound(webhook_id)
        return WebhookTarget(row["id"], row["url"], row["secret"], row["disabled_at"] is None)

    def disable(self, webhook_id: int, *, by: str = "operator") -> WebhookView:
        """Turn the subscription off: nothing more is queued for it, and what is queued is
        dead-lettered when its turn comes."""
        with self._rt.store.transaction() as tx:
            row = tx.one(self._ws.by_id, {"id": webhook_id})
            if row is None:
                raise WebhookNotFound(webhook_id)
            now = self._rt.now()
            if tx.run(self._ws.disable, {"id": webhook_id, "now": now}):
                self._log(tx, "webhook_disabled", by, webhook=webhook_id, name=row["name"])
                row = {**row, "disabled_at": now}
            return self._view(row, tx)

    # -- the relay ---------------------------------------------------------------------------

    def relay(self, campaign: str | None = None, *, batch: int = BATCH) -> int:
        """Queue the committed events after each active subscription's cursor (of ``campaign``,
        or of every campaign with one); returns how many messages were queued."""
        if campaign is not None:
            with self._rt.store.read() as conn:
                cids = [self._campaign_id(Tx.on(conn), campaign)]
        else:
            with self._rt.store.read() as conn:
                cids = [r["campaign_id"] for r in Tx.on(conn).all(self._ws.active_campaigns)]
        queued = 0
        for cid in sorted(cids):
            while True:
                count, more = self._relay_once(cid, batch)
                queued += count
                if not more:
                    break
        return queued

    def _relay_once(self, cid: int, batch: int) -> tuple[int, bool]:
        """One transaction for one campaign: at most ``batch`` events per subscription."""
        rt, ws = self._rt, self._ws
        now = rt.now()
        more = False
        with rt.store.transaction() as tx:
            head = tx.one(rt.st.head, {"cid": cid})  # locked: no event of the campaign commits meanwhile
            if head is None:
                raise CampaignNotFound(cid)
            key = rt.campaign(tx, cid).key
            vouch = Vouch(cid, head["seq"] + 1, head["hash"])
            for sub in tx.all(ws.active, {"cid": cid}):
                kinds = set(json.loads(sub["kinds"]))
                events = tx.all(ws.events_after, {"cid": cid, "after": sub["cursor"], "limit": batch})
                if not events:
                    continue
                more = more or len(events) == batch
                if tx.run(ws.advance, {"id": sub["id"], "old": sub["cursor"], "new": events[-1]["seq"]}) != 1:
                    continue  # another relay moved it first: its messages are queued
                for event in events:
                    if event["trigger"] == RELAY_TRIGGER or (
                        "*" not in kinds and event["trigger"] not in kinds
                    ):
                        continue
                    message = {
                        "campaign_id": cid,
                        "item_id": event["item_id"],
                        "kind": event["trigger"],
                        "channel": WEBHOOK_CHANNEL,
                        "recipient": f"webhook:{sub['id']}",
                        "contact_id": None,
                        "idempotency_key": f"webhook:{sub['id']}:{event['seq']}",
                        "payload": json.dumps(
                            webhook_payload(event, key), ensure_ascii=False, sort_keys=True
                        ),
                        "status": "pending",
                        "attempts": 0,
                        "next_try_at": now,
                        "last_error": None,
                        "created_at": now,
                        "sent_at": None,
                        "audit_seq": vouch.seq,
                    }
                    tx.run(rt.st.outbox_insert, message)
                    vouch.digests.append(outbox_row_digest(message))
            if vouch.digests:
                append_event(
                    tx,
                    rt.st,
                    cid,
                    item_id=None,
                    trigger=RELAY_TRIGGER,
                    from_state=None,
                    to_state=None,
                    actor=SYSTEM,
                    at=now,
                    data={"messages": len(vouch.digests)},
                    outbox=vouch,
                )
        return len(vouch.digests), more
