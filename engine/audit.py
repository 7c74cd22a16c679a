"""The hash-chained audit trail.

Each campaign has one chain: events numbered ``seq`` = 1, 2, 3 …, each ``hash`` the SHA-256 of
its canonical content including ``prev_hash`` (the first event's ``prev_hash`` is
:data:`GENESIS`). ``zg_audit_head`` holds the last ``seq`` and ``hash``, written in the same
transaction as the event, so deleting the newest rows is caught as well as altering,
inserting or deleting any row in the middle.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DEFINITION_EVENTS", "GENESIS", "AuditReport", "canonical_json", "definition_digest", "event_hash",
           "verify_chain"]

#: The events that record which definition a campaign runs on (its SHA-256 in ``definition_sha256``).
DEFINITION_EVENTS = ("start_campaign", "migrate_campaign")

GENESIS = "0" * 64


def definition_digest(row: Mapping[str, Any]) -> str:
    """The SHA-256 of everything of a definition a campaign row stores and the engine obeys
    (the whole definition, its lifecycle, roles and channels as stored): written into the audit
    chain when the campaign starts or migrates, and checked whenever the engine reads the row."""
    parts = [row.get("definition_json"), row["lifecycle_json"], row["roles_json"], row["channels_json"]]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


def canonical_json(data: Mapping[str, Any]) -> str:
    """The one JSON form used for event data: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def _default(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _at_text(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    *,
    campaign_id: int,
    seq: int,
    item_id: int | None,
    trigger: str,
    from_state: str | None,
    to_state: str | None,
    actor: str,
    role: str,
    unit: str | None,
    at: dt.datetime,
    data: str,
    prev_hash: str,
) -> str:
    """SHA-256 over every field of an event, ``prev_hash`` included."""
    content = "\x1f".join(
        [
            str(campaign_id),
            str(seq),
            "" if item_id is None else str(item_id),
            trigger,
            from_state or "",
            to_state or "",
            actor,
            role,
            unit or "",
            _at_text(at),
            data,
            prev_hash,
        ]
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditReport:
    """The result of verifying audit chains. ``ok`` when no problem was found."""

    events: int
    campaigns: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(
    campaign_id: int, rows: Iterable[Mapping[Any, Any]], head: Mapping[Any, Any] | None
) -> tuple[int, list[str]]:
    """Check one campaign's events (ordered by ``seq``) against each other and the head."""
    problems: list[str] = []
    prev = GENESIS
    expected_seq = 1
    count = 0
    for row in rows:
        count += 1
        seq = row["seq"]
        where = f"专项行动 {campaign_id} 审计记录 #{seq} (id {row['id']})"
        if seq != expected_seq:
            problems.append(f"{where}: 序号不连续, 应为 #{expected_seq} (记录被删除或插入)")
        if row["prev_hash"] != prev:
            problems.append(f"{where}: 前一哈希不符 (前面的记录被改动、删除或插入)")
        recomputed = event_hash(
            campaign_id=campaign_id,
            seq=seq,
            item_id=row["item_id"],
            trigger=row["trigger"],
            from_state=row["from_state"],
            to_state=row["to_state"],
            actor=row["actor"],
            role=row["role"],
            unit=row["unit"],
            at=row["at"],
            data=row["data"],
            prev_hash=row["prev_hash"],
        )
        if recomputed != row["hash"]:
            problems.append(f"{where}: 内容与哈希不符 (记录被改动)")
        prev = row["hash"]
        expected_seq = seq + 1
    head_seq = 0 if head is None else head["seq"]
    head_hash = GENESIS if head is None else head["hash"]
    if head_seq != count or head_hash != prev:
        problems.append(
            f"专项行动 {campaign_id}: 审计链末端不符 (登记 {head_seq} 条, 实有 {count} 条; 末尾记录被删除或改动)"
        )
    return count, problems
