"""Reading the audit chain back: anchors of its heads, and verification of every event and the rows it vouches for."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from sqlalchemy import Connection, select

from ._raw import Tx
from ._runtime import Runtime, recorded_digest
from ._statements import CAMPAIGN, CONTACT, DOCUMENT, DUTY, EVENT, HEAD, ITEM, MEASURE, OUTBOX, UNIT
from .audit import (
    Anchor,
    AuditReport,
    Bindings,
    definition_digest,
    item_digest,
    rows_digest,
    verify_anchor,
    verify_chain,
)
from .errors import CampaignNotFound


def audit_anchors(rt: Runtime, campaign: str | int | None = None) -> list[Anchor]:
    now = rt.now()
    with rt.store.read() as conn:
        query = (
            select(CAMPAIGN.c.id, CAMPAIGN.c.key, HEAD.c.seq, HEAD.c.hash)
            .join(HEAD, HEAD.c.campaign_id == CAMPAIGN.c.id)
            .order_by(CAMPAIGN.c.id)
        )
        if campaign is not None:
            query = query.where(CAMPAIGN.c.id == rt.campaign(conn, campaign).id)
        return [
            Anchor(campaign_id=r["id"], campaign=r["key"], seq=r["seq"], hash=r["hash"], anchored_at=now)
            for r in conn.execute(query).mappings()
        ]


def verify_audit(
    rt: Runtime, campaign: str | int | None = None, *, anchors: Iterable[Anchor] = ()
) -> AuditReport:
    with rt.store.read() as conn:
        if campaign is None:
            ids = conn.execute(select(CAMPAIGN.c.id).order_by(CAMPAIGN.c.id)).scalars().all()
        else:
            ref = (
                Tx.on(conn).one(rt.st.campaign_ref_by_key, {"key": campaign})
                if isinstance(campaign, str)
                else {"id": campaign}
            )
            if ref is None:
                raise CampaignNotFound(campaign)
            ids = [ref["id"]]
        total = 0
        problems: list[str] = []
        for cid in ids:
            head = (
                conn.execute(select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.campaign_id == cid))
                .mappings()
                .first()
            )
            stored = dict(conn.execute(select(CAMPAIGN).where(CAMPAIGN.c.id == cid)).mappings().one())
            bindings = Bindings(f"专项行动 {cid}", campaign_id=cid, duties=_duty_index(conn, cid))
            rows = conn.execute(
                select(EVENT).where(EVENT.c.campaign_id == cid).order_by(EVENT.c.seq, EVENT.c.id)
            ).mappings()
            count, found = verify_chain(cid, _feeding(rows, bindings.add), head)
            total += count
            problems.extend(found)
            problems.extend(bindings.problems(**_bound_rows(conn, cid)))
            recorded = recorded_digest(Tx.on(conn).one(rt.st.definition_event, {"cid": cid}))
            if recorded is not None and recorded != definition_digest(stored):
                problems.append(
                    f"专项行动 {stored['key']}: 存储的实施方案与审计记录中的哈希不符 (实施方案被改动)"
                )
        checked = 0
        for anchor in anchors:
            if campaign is not None and anchor.campaign_id not in ids:
                continue
            checked += 1
            key = conn.execute(select(CAMPAIGN.c.key).where(CAMPAIGN.c.id == anchor.campaign_id)).scalar()
            head_seq = conn.execute(
                select(HEAD.c.seq).where(HEAD.c.campaign_id == anchor.campaign_id)
            ).scalar()
            at_seq = conn.execute(
                select(EVENT.c.hash).where(
                    EVENT.c.campaign_id == anchor.campaign_id, EVENT.c.seq == anchor.seq
                )
            ).scalar()
            found_problem = verify_anchor(anchor, key, head_seq or 0, at_seq)
            if found_problem is not None:
                problems.append(found_problem)
        return AuditReport(events=total, campaigns=len(ids), problems=problems, anchors=checked)


def _feeding(
    rows: Iterable[Mapping[Any, Any]], take: Callable[[Mapping[Any, Any]], None]
) -> Iterator[Mapping[Any, Any]]:
    """``rows`` as they are, each handed to ``take`` on the way."""
    for row in rows:
        take(row)
        yield row


def _bound_rows(conn: Connection, cid: int) -> dict[str, Any]:
    """What :meth:`Bindings.problems` compares a campaign's chain with: the current digests of
    its items (row and measures) and documents, of its roster, and its outbox rows."""
    measures: dict[int, list[Mapping[Any, Any]]] = {}
    for m in conn.execute(
        select(MEASURE)
        .join(ITEM, ITEM.c.id == MEASURE.c.item_id)
        .where(ITEM.c.campaign_id == cid)
        .order_by(MEASURE.c.id)
    ).mappings():
        measures.setdefault(m["item_id"], []).append(m)
    items = {
        row["id"]: item_digest(row, measures.get(row["id"], ()))
        for row in conn.execute(select(ITEM).where(ITEM.c.campaign_id == cid)).mappings()
    }
    documents = {
        row["id"]: rows_digest([row])
        for row in conn.execute(select(DOCUMENT).where(DOCUMENT.c.campaign_id == cid)).mappings()
    }
    roster = rows_digest(
        conn.execute(
            select(CONTACT)
            .join(UNIT, UNIT.c.id == CONTACT.c.unit_id)
            .where(UNIT.c.campaign_id == cid)
            .order_by(CONTACT.c.id)
        ).mappings()
    )
    outbox = conn.execute(select(OUTBOX).where(OUTBOX.c.campaign_id == cid).order_by(OUTBOX.c.id)).mappings()
    return {"items": items, "documents": documents, "roster": roster, "outbox": outbox}


def _duty_index(conn: Connection, cid: int) -> dict[tuple[Any, Any, str], int]:
    """The campaign's duty occurrences by (duty key, unit key, due day), as events name them."""
    rows = conn.execute(
        select(DUTY.c.id, DUTY.c.duty_key, UNIT.c.key, DUTY.c.due)
        .join(UNIT, UNIT.c.id == DUTY.c.unit_id)
        .where(DUTY.c.campaign_id == cid)
    )
    return {(key, unit, str(due)): duty_id for duty_id, key, unit, due in rows}
