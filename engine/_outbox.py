"""The outbox: listing queued messages, and the dispatcher's claim, sent, failed, defer and retry."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select

from . import _roster
from ._raw import Tx
from ._runtime import Runtime
from ._statements import OUTBOX
from ._steps import SYSTEM
from ._writes import Vouch, append_event
from .errors import MessageNotFound
from .views import OutboxView


def outbox(rt: Runtime, campaign: str | int | None = None, *, status: str | None = None) -> list[OutboxView]:
    with rt.store.read() as conn:
        query = select(OUTBOX).order_by(OUTBOX.c.id)
        if campaign is not None:
            query = query.where(OUTBOX.c.campaign_id == rt.campaign(conn, campaign).id)
        if status is not None:
            query = query.where(OUTBOX.c.status == status)
        return [outbox_view(r) for r in conn.execute(query).mappings()]


def outbox_message(rt: Runtime, outbox_id: int) -> OutboxView:
    with rt.store.read() as conn:
        row = Tx.on(conn).one(rt.st.outbox_row, {"id": outbox_id})
    if row is None:
        raise MessageNotFound(outbox_id)
    return outbox_view(row)


def claim(rt: Runtime, *, limit: int = 50, lease: float = 300.0) -> list[OutboxView]:
    now = rt.now()
    st = rt.st
    until = now + dt.timedelta(seconds=lease)
    claimed = []
    with rt.store.transaction() as tx:
        for row in tx.all(st.outbox_due, {"now": now, "limit": limit}):
            if tx.run(st.outbox_claim, {"id": row["id"], "now": now, "lease": until}) == 1:
                claimed.append(
                    {**row, "status": "sending", "attempts": row["attempts"] + 1, "next_try_at": until}
                )
    return [outbox_view(r) for r in claimed]


def sent(rt: Runtime, outbox_id: int) -> bool:
    now = rt.now()
    return settle(rt, outbox_id, status="sent", next_try_at=now, error=None, sent_at=now, counted=0)


def failed(rt: Runtime, outbox_id: int, reason: str, *, retry_at: dt.datetime | None) -> bool:
    now = rt.now()
    return settle(
        rt,
        outbox_id,
        status="dead" if retry_at is None else "pending",
        next_try_at=retry_at or now,
        error=reason[:2000],
        sent_at=None,
        counted=0,
    )


def defer(rt: Runtime, outbox_id: int, until: dt.datetime, reason: str) -> bool:
    return settle(
        rt, outbox_id, status="pending", next_try_at=until, error=reason[:2000], sent_at=None, counted=-1
    )


def retry(
    rt: Runtime, outbox_ids: Iterable[int] | None = None, *, campaign: str | int | None = None
) -> list[int]:
    ids = list(outbox_ids) if outbox_ids is not None else [m.id for m in outbox(rt, campaign, status="dead")]
    now = rt.now()
    done = []
    with rt.store.transaction() as tx:
        vouches: dict[int, Vouch] = {}
        for outbox_id in ids:
            if _roster.requeue(rt, tx, outbox_id, now, vouches):
                done.append(outbox_id)
        for cid, vouch in vouches.items():
            if vouch.digests:  # dead letters routed again: the chain vouches for their new rows
                append_event(
                    tx,
                    rt.st,
                    cid,
                    item_id=None,
                    trigger="reroute_messages",
                    from_state=None,
                    to_state=None,
                    actor=SYSTEM,
                    at=now,
                    data={"messages": len(vouch.digests)},
                    outbox=vouch,
                )
    return done


def settle(rt: Runtime, outbox_id: int, **values: Any) -> bool:
    with rt.store.transaction() as tx:
        return tx.run(rt.st.outbox_settle, {"id": outbox_id, **values}) == 1


def outbox_view(r: Mapping[Any, Any]) -> OutboxView:
    return OutboxView(
        id=r["id"],
        item_id=r["item_id"],
        kind=r["kind"],
        channel=r["channel"],
        recipient=r["recipient"],
        idempotency_key=r["idempotency_key"],
        payload=json.loads(r["payload"]),
        status=r["status"],
        attempts=r["attempts"],
        last_error=r["last_error"],
        campaign_id=r["campaign_id"],
        next_try_at=r["next_try_at"],
        created_at=r["created_at"],
        sent_at=r["sent_at"],
        contact_id=r.get("contact_id"),
    )
