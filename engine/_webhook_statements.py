"""The statements of webhook subscriptions (issue 18), compiled once per dialect: the
``zg_webhook`` rows, the audit events a relay reads after a subscription's cursor, the cursor's
compare-and-set move, and the access-log lines of subscription changes."""

from __future__ import annotations

import weakref
from typing import Any

from sqlalchemy import Integer, bindparam, select, update

from . import models as m
from ._raw import Prepared, Row
from ._statements import EVENT, ITEM, Statements, _insert

__all__ = ["WEBHOOK", "WebhookStatements", "webhook_statements"]

WEBHOOK = m.Webhook.__table__
ACCESS_LOG = m.AccessLog.__table__


class WebhookStatements:
    """Compiled for one dialect (that of ``st``)."""

    def __init__(self, st: Statements) -> None:
        def p(stmt: Any) -> Prepared[Row]:
            return Prepared(stmt, st.dialect)

        self.insert = p(_insert(WEBHOOK, returning=True))
        self.by_id = p(select(WEBHOOK).where(WEBHOOK.c.id == bindparam("id")))
        self.by_name = p(
            select(WEBHOOK.c.id).where(
                WEBHOOK.c.campaign_id == bindparam("cid"), WEBHOOK.c.name == bindparam("name")
            )
        )
        self.every = p(select(WEBHOOK).order_by(WEBHOOK.c.id))
        self.of_campaign = p(
            select(WEBHOOK).where(WEBHOOK.c.campaign_id == bindparam("cid")).order_by(WEBHOOK.c.id)
        )
        self.active = p(
            select(WEBHOOK)
            .where(WEBHOOK.c.campaign_id == bindparam("cid"), WEBHOOK.c.disabled_at.is_(None))
            .order_by(WEBHOOK.c.id)
        )
        self.active_campaigns = p(
            select(WEBHOOK.c.campaign_id).where(WEBHOOK.c.disabled_at.is_(None)).distinct()
        )
        self.disable = p(
            update(WEBHOOK)
            .where(WEBHOOK.c.id == bindparam("id"), WEBHOOK.c.disabled_at.is_(None))
            .values(disabled_at=bindparam("now", type_=m.UTCDateTime()))
        )
        # The cursor moves only from where this relay read it (a second relay finds it moved).
        self.advance = p(
            update(WEBHOOK)
            .where(WEBHOOK.c.id == bindparam("id"), WEBHOOK.c.cursor == bindparam("old", type_=Integer()))
            .values(cursor=bindparam("new", type_=Integer()))
        )
        # Committed events after a cursor, with their item's number (问题编号).
        self.events_after = p(
            select(
                EVENT.c.id,
                EVENT.c.seq,
                EVENT.c.item_id,
                EVENT.c.subject_kind,
                EVENT.c.subject_id,
                EVENT.c.trigger,
                EVENT.c.from_state,
                EVENT.c.to_state,
                EVENT.c.actor,
                EVENT.c.role,
                EVENT.c.unit,
                EVENT.c.at,
                EVENT.c.data,
                ITEM.c.number,
            )
            .select_from(EVENT.outerjoin(ITEM, ITEM.c.id == EVENT.c.item_id))
            .where(EVENT.c.campaign_id == bindparam("cid"), EVENT.c.seq > bindparam("after", type_=Integer()))
            .order_by(EVENT.c.seq)
            .limit(bindparam("limit", type_=Integer()))
        )
        self.log_insert = p(_insert(ACCESS_LOG))


_COMPILED: weakref.WeakKeyDictionary[Statements, WebhookStatements] = weakref.WeakKeyDictionary()


def webhook_statements(st: Statements) -> WebhookStatements:
    found = _COMPILED.get(st)
    if found is None:
        found = _COMPILED[st] = WebhookStatements(st)
    return found
