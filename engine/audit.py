"""The hash-chained audit trail.

Each campaign has one chain: events numbered ``seq`` = 1, 2, 3 …, each ``hash`` the SHA-256 of
its canonical content including ``prev_hash`` (the first event's ``prev_hash`` is
:data:`GENESIS`). ``zg_audit_head`` holds the last ``seq`` and ``hash``, written in the same
transaction as the event, so deleting the newest rows is caught as well as altering,
inserting or deleting any row in the middle.

The chain also vouches for the rows the engine obeys (``bind`` in an event's data, hashed with
it): an event about an item holds the digest of the item's row and its measures as the event
left them, an event about a document the document's row, an event that changed the roster the
whole roster's, and an event that queued messages the digest of those outbox rows (each row
names the event in ``audit_seq``). ``audit verify`` recomputes each subject's digest and
compares it with its last event's, so a row edited behind the engine's back is found.

What the database holder could still do unseen is rewrite the whole chain consistently, or cut
its tail and move the head back: anchors (:class:`Anchor`) of each chain's head, written
outside the database (``zhenggai audit anchor``, and the daemon once a day), catch both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BIND",
    "DEFINITION_EVENTS",
    "GENESIS",
    "OUTBOX_BOUND",
    "Anchor",
    "AuditReport",
    "Bindings",
    "canonical_json",
    "definition_digest",
    "event_hash",
    "event_subject",
    "item_digest",
    "outbox_digest",
    "outbox_row_digest",
    "rows_digest",
    "verify_anchor",
    "verify_chain",
]

#: The key of an event's data that holds what the event vouches for (see the module's doc).
BIND = "bind"

#: The outbox columns a message is vouched for by: who gets what, about what, since when (not
#: its delivery state, which the dispatcher changes after the event).
OUTBOX_BOUND = (
    "item_id",
    "kind",
    "channel",
    "recipient",
    "contact_id",
    "idempotency_key",
    "payload",
    "created_at",
)

#: The events that record which definition a campaign runs on (its SHA-256 in ``definition_sha256``).
DEFINITION_EVENTS = ("start_campaign", "migrate_campaign")

GENESIS = "0" * 64

#: Subject kinds an event names by id in its data (an item's events name it in ``item_id``).
DATA_SUBJECTS = (
    "document",
    "contact",
    "mechanism",
    "practice",
    "education",
    "commitment",
    "review",
    "supervision_visit",
    "callback",
)


def event_subject(
    campaign_id: int,
    item_id: int | None,
    data: Mapping[str, Any],
    duties: Mapping[tuple[Any, Any, str], int] | None = None,
) -> tuple[str, int]:
    """What an event is about, from what its hash covers: its item; else the document, contact,
    mechanism or practice its data names by id; else the duty occurrence its data names by duty
    key, unit key and due day (looked up in ``duties``); else its campaign."""
    if item_id is not None:
        return "item", item_id
    for kind in DATA_SUBJECTS:
        value = data.get(kind)
        if isinstance(value, int) and not isinstance(value, bool):
            return kind, value
    duty = (duties or {}).get((data.get("duty"), data.get("unit"), str(data.get("due"))))
    if duty is not None:
        return "duty", duty
    return "campaign", campaign_id


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


#: Value types :func:`_plain` leaves as they are (exactly these: a subclass takes the long way).
_AS_IS = frozenset({str, int, bool, float})


def _plain(value: object) -> object:
    """A column value in the one form its digest is taken of (times in UTC to the microsecond,
    whichever database and driver read it)."""
    if type(value) in _AS_IS:  # most columns: taken as they are
        return value
    if isinstance(value, dt.datetime):
        return _at_text(value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC))
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


#: Columns an event does not vouch for: ``zg_item.number`` (问题编号), a label given once and
#: kept unique by the database, also to items whose last event predates it (revision 0013).
UNBOUND_COLUMNS = frozenset({"number"})


def rows_digest(rows: Iterable[Mapping[Any, Any]]) -> str:
    """The SHA-256 of rows as the database holds them (the rows in the order given; each row's
    columns but :data:`UNBOUND_COLUMNS` and those that are NULL, so a column added later, NULL
    in the rows before it, leaves their digests as they were)."""
    plain = [
        {str(k): _plain(v) for k, v in row.items() if v is not None and k not in UNBOUND_COLUMNS}
        for row in rows
    ]
    return hashlib.sha256(canonical_json({"rows": plain}).encode("utf-8")).hexdigest()


def outbox_row_digest(row: Mapping[Any, Any]) -> str:
    """The SHA-256 of one queued message's :data:`OUTBOX_BOUND` columns."""
    return hashlib.sha256(
        canonical_json({k: _plain(row[k]) for k in OUTBOX_BOUND}).encode("utf-8")
    ).hexdigest()


def outbox_digest(digests: Iterable[str]) -> dict[str, Any]:
    """What an event records of the messages it queued: how many, and one SHA-256 over their
    digests (sorted, so the order they were written in does not matter)."""
    ordered = sorted(digests)
    return {"n": len(ordered), "sha256": hashlib.sha256("\n".join(ordered).encode("ascii")).hexdigest()}


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
    #: How many anchors (kept outside the database) the chains were checked against.
    anchors: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def item_digest(item: Mapping[Any, Any], measures: Iterable[Mapping[Any, Any]]) -> str:
    """The digest an event about an item records: its row and its measures' rows (by id)."""
    return rows_digest([item, *measures])


@dataclass(slots=True)
class Bindings:
    """What one campaign's chain vouches for, gathered while its events are read in order
    (:meth:`add`), then compared with the rows as they are (:meth:`problems`).

    A subject's entry is its last event's digest, or None when that event predates binding
    (written before revision 0012): such a subject is not compared until its next event.
    """

    label: str
    #: The campaign, and its duty occurrences by (duty key, unit key, due day): what an event's
    #: subject is derived from (:func:`event_subject`).
    campaign_id: int = 0
    duties: Mapping[tuple[Any, Any, str], int] = field(default_factory=dict)
    items: dict[int, str | None] = field(default_factory=dict)
    documents: dict[int, str | None] = field(default_factory=dict)
    roster: str | None = None
    outbox: dict[int, Mapping[str, Any]] = field(default_factory=dict)
    #: Rows a later event changed (a dead letter routed again), by the event that vouched for
    #: them first: their digests as that event saw them.
    moved: dict[int, list[str]] = field(default_factory=dict)
    #: When the first event with a ``bind`` was written: messages queued since then must be vouched.
    bound_since: dt.datetime | None = None
    #: Events whose stored subject is not the one their content names, by ``seq``.
    wrong_subjects: list[int] = field(default_factory=list)

    def add(self, event: Mapping[Any, Any]) -> None:
        """Take one event row (``seq``, ``item_id``, ``at``, ``data``) in chain order."""
        try:
            data = json.loads(event["data"])
        except (TypeError, ValueError):
            return  # the chain check reports an unreadable event already (its hash does not match)
        if not isinstance(data, dict):
            return
        if "subject_kind" in event:
            subject = event_subject(self.campaign_id, event["item_id"], data, self.duties)
            if (event["subject_kind"], event["subject_id"]) != subject:
                self.wrong_subjects.append(event["seq"])
        bind = data.get(BIND)
        if isinstance(bind, dict) and self.bound_since is None:
            self.bound_since = event["at"]
        bind = bind if isinstance(bind, dict) else {}
        if event["item_id"] is not None:
            self.items[event["item_id"]] = bind.get("row")
        elif isinstance(data.get("document"), int):
            self.documents[data["document"]] = bind.get("row")
        if "roster" in bind:
            self.roster = bind["roster"]
        if "outbox" in bind:
            self.outbox[event["seq"]] = bind["outbox"]
        for moved in bind.get("moved", ()):
            if isinstance(moved, dict) and isinstance(moved.get("seq"), int):
                self.moved.setdefault(moved["seq"], []).append(str(moved.get("row")))

    def problems(
        self,
        items: Mapping[int, str],
        documents: Mapping[int, str],
        roster: str,
        outbox: Iterable[Mapping[Any, Any]],
    ) -> list[str]:
        """Compare with the current digests of the campaign's items and documents (by id), of
        its roster, and with its outbox rows (``id``, ``audit_seq``, ``created_at`` and
        :data:`OUTBOX_BOUND`)."""
        found: list[str] = []
        if self.wrong_subjects:
            shown = ", ".join(f"#{seq}" for seq in self.wrong_subjects[:10]) + (
                " …" if len(self.wrong_subjects) > 10 else ""
            )
            found.append(f"{self.label} 审计记录 {shown}: 记录的所属对象与记录内容不符 (所属对象被改动)")
        found.extend(_subject_problems(self.label, "问题", self.items, items))
        found.extend(_subject_problems(self.label, "规范性文件", self.documents, documents))
        if self.roster is not None and self.roster != roster:
            found.append(f"{self.label}: 通讯录与最后一次变更它的审计记录不符 (联系人被改动、插入或删除)")
        groups: dict[int, list[str]] = {}
        unvouched: list[int] = []
        for row in outbox:
            if row["audit_seq"] is None:
                if self.bound_since is not None and row["created_at"] >= self.bound_since:
                    unvouched.append(row["id"])
                continue
            groups.setdefault(row["audit_seq"], []).append(outbox_row_digest(row))
        for seq in sorted(set(groups) | set(self.outbox)):
            recorded_outbox = self.outbox.get(seq)
            if recorded_outbox is None:
                found.append(
                    f"{self.label} 审计记录 #{seq}: 未记录发送消息, 消息队列中却有 {len(groups[seq])} 条以它为据 (消息被插入)"
                )
            elif dict(recorded_outbox) != outbox_digest([*groups.get(seq, ()), *self.moved.get(seq, ())]):
                found.append(
                    f"{self.label} 审计记录 #{seq}: 记录发送 {recorded_outbox.get('n')} 条消息, 消息队列中的"
                    f" {len(groups.get(seq, ()))} 条与之不符 (消息被改动、插入或删除)"
                )
        if unvouched:
            shown = ", ".join(str(i) for i in unvouched[:10]) + (" …" if len(unvouched) > 10 else "")
            found.append(f"{self.label}: 消息 {shown} 没有审计记录为其担保 (消息被插入)")
        return found


def _subject_problems(
    label: str, noun: str, recorded: Mapping[int, str | None], current: Mapping[int, str]
) -> list[str]:
    found = []
    for sid in sorted(set(recorded) | set(current)):
        if sid not in recorded:
            found.append(f"{label} {noun} {sid}: 没有审计记录 ({noun}记录被插入)")
        elif sid not in current:
            found.append(f"{label} {noun} {sid}: 有审计记录, 数据库中却没有 ({noun}记录被删除)")
        elif recorded[sid] is not None and recorded[sid] != current[sid]:
            found.append(f"{label} {noun} {sid}: 当前记录与其最后一条审计记录不符 ({noun}记录被改动)")
    return found


@dataclass(frozen=True, slots=True)
class Anchor:
    """A campaign's chain head as it was at ``anchored_at``, kept outside the database: the
    chain must still hold event ``seq`` with this ``hash`` (a cut tail, a rewritten or deleted
    chain does not). One JSON line in an anchor file (:meth:`to_json`, :meth:`from_json`)."""

    campaign_id: int
    campaign: str
    seq: int
    hash: str
    anchored_at: dt.datetime

    def to_json(self) -> str:
        return canonical_json(
            {
                "anchor": "zhenggai-audit-head",
                "campaign_id": self.campaign_id,
                "campaign": self.campaign,
                "seq": self.seq,
                "hash": self.hash,
                "anchored_at": _at_text(self.anchored_at),
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Anchor:
        """One anchor from its JSON line; :class:`ValueError` with the reason (in Chinese) when
        the line is not one."""
        try:
            data = json.loads(text)
        except ValueError:
            raise ValueError("不是 JSON") from None
        if not isinstance(data, dict) or data.get("anchor") != "zhenggai-audit-head":
            raise ValueError('不是审计链锚点 (缺少 "anchor": "zhenggai-audit-head")')
        try:
            anchor = cls(
                campaign_id=_int(data["campaign_id"]),
                campaign=str(data["campaign"]),
                seq=_int(data["seq"]),
                hash=str(data["hash"]),
                anchored_at=dt.datetime.fromisoformat(str(data["anchored_at"])),
            )
        except KeyError as missing:
            raise ValueError(f"缺少 {missing.args[0]}") from None
        except (TypeError, ValueError):
            raise ValueError("campaign_id、seq 须为整数, anchored_at 须为时间") from None
        if len(anchor.hash) != 64 or any(c not in "0123456789abcdef" for c in anchor.hash):
            raise ValueError("hash 须为 64 位十六进制 SHA-256")
        if anchor.seq < 0 or anchor.anchored_at.tzinfo is None:
            raise ValueError("seq 不能为负, anchored_at 须带时区")
        return anchor


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("not an integer")
    return value


def verify_anchor(
    anchor: Anchor, key: str | None, head_seq: int, event_hash_at_seq: str | None
) -> str | None:
    """What is wrong with a campaign's chain against one of its anchors, or None: ``key`` is
    the campaign's key (None: no campaign of that id any more), ``event_hash_at_seq`` the hash
    of its event ``anchor.seq`` (None: no such event)."""
    when = anchor.anchored_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    where = f"专项行动 {anchor.campaign_id} ({anchor.campaign}) 对照 {when} 的锚点"
    if key is None:
        return f"{where}: 数据库中已没有这个专项行动 (整条审计链被删除)"
    if key != anchor.campaign:
        return f"{where}: 数据库中这个编号的专项行动是 {key} (专项行动被替换)"
    if anchor.seq == 0:
        return None
    if head_seq < anchor.seq:
        return f"{where}: 审计链只有 {head_seq} 条, 锚点时已有 {anchor.seq} 条 (末尾记录被截去, 链头被回拨)"
    if event_hash_at_seq is None:
        return f"{where}: 审计记录 #{anchor.seq} 不存在 (记录被删除)"
    if event_hash_at_seq != anchor.hash:
        return f"{where}: 审计记录 #{anchor.seq} 的哈希与锚点不符 (审计链被改写)"
    return None


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
