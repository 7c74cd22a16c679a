"""Reporters' sealed identities: the custodian's audited read, and re-sealing them under a new key."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from ._access import check_actor, check_operation, check_role
from ._runtime import Runtime
from ._sealing import IDENTITY_FIELDS
from ._statements import REPORTER
from ._writes import append_event
from .errors import ReporterKeyError
from .views import Actor, RekeyReport, ReporterView


def read_reporter(rt: Runtime, item_id: int, actor: Actor) -> ReporterView | None:
    now = rt.now()
    st = rt.st
    with rt.store.transaction() as tx:
        row = rt.load_item(tx, item_id)
        camp = rt.campaign(tx, row["campaign_id"], row["campaign_version"])
        check_actor(camp, actor)
        check_operation(camp, actor, "read_reporter", None)
        rep = tx.one(st.reporter, {"item_id": item_id})
        append_event(
            tx,
            st,
            camp.id,
            item_id=item_id,
            trigger="read_reporter",
            from_state=row["state"],
            to_state=row["state"],
            actor=actor,
            at=now,
            data={"found": rep is not None},
        )
    if rep is None:
        return None
    if rep["sealed"] is None:  # stored before sealing existed (revision 0011), until rekeyed
        return ReporterView(item_id=item_id, **{name: rep[name] for name in IDENTITY_FIELDS})
    if rt.reporter_keys is None:
        raise ReporterKeyError.no_key(f"问题 {item_id} 的举报人信息已加密保存, 但未配置举报人密钥", item_id)
    return ReporterView(item_id=item_id, **rt.reporter_keys.open(item_id, rep["sealed"], rep["key_id"]))


def rekey_reporters(rt: Runtime, campaign: str | int | None, actor: Actor) -> RekeyReport:
    keys = rt.reporter_keys
    if keys is None:
        raise ReporterKeyError.no_key("重新加密举报人信息须有举报人密钥, 但未配置")
    now = rt.now()
    st = rt.st
    current = keys.current_id
    ad = rt.admin
    with rt.store.transaction() as tx:
        if campaign is None:
            ids = [r["id"] for r in tx.all(rt.cal_st.campaign_ids)]
        else:
            ids = [rt.campaign(tx, campaign).id]
        camps = [rt.campaign(tx, cid) for cid in ids]
        for camp in camps:  # the role that reads identities (the custodian) re-seals them
            check_actor(camp, actor)
            check_role(
                camp, actor, "rekey_reporters", camp.operations.get("read_reporter", frozenset()), None
            )
        # Every campaign's reporters, in item order (as one query over the campaigns would give them).
        rows = sorted(
            (row for cid in ids for row in tx.all(ad.reporters_of_campaign, {"cid": cid})),
            key=lambda row: row["item_id"],
        )
        counts = {cid: Counter[str]() for cid in ids}
        updates: list[dict[str, Any]] = []
        problems: list[ReporterKeyError] = []
        for row in rows:
            item_id = row["item_id"]
            if row["sealed"] is not None and row["key_id"] == current:
                counts[row["campaign_id"]]["unchanged"] += 1
                continue
            if row["sealed"] is None:
                identity: Mapping[str, str | None] = {name: row[name] for name in IDENTITY_FIELDS}
                counted = "sealed_plaintext"
            else:
                try:
                    identity = keys.open(item_id, row["sealed"], row["key_id"])
                except ReporterKeyError as err:
                    problems.append(err)
                    continue
                counted = "resealed"
            sealed, key_id = keys.seal(item_id, identity)
            updates.append({"b_item_id": item_id, "b_sealed": sealed, "b_key_id": key_id})
            counts[row["campaign_id"]][counted] += 1
        if problems:
            raise ReporterKeyError.several(problems, "重新加密举报人信息")
        tx.run_many(ad.reporter_reseal, updates)
        for camp in camps:
            tally = counts[camp.id]
            append_event(
                tx,
                st,
                camp.id,
                item_id=None,
                trigger="rekey_reporters",
                from_state=None,
                to_state=None,
                actor=actor,
                at=now,
                data={
                    "key_id": current,
                    "resealed": tally["resealed"],
                    "sealed_plaintext": tally["sealed_plaintext"],
                    "unchanged": tally["unchanged"],
                },
            )
    scrubbed = rt.store.scrub([REPORTER.name]) if updates else False
    total = Counter[str]()
    for tally in counts.values():
        total.update(tally)
    return RekeyReport(
        key_id=current,
        campaigns=tuple(camp.key for camp in camps),
        resealed=total["resealed"],
        sealed_plaintext=total["sealed_plaintext"],
        unchanged=total["unchanged"],
        scrubbed=scrubbed,
    )
