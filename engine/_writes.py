"""What every write does, on a :class:`~zhenggai.engine._raw.Tx`: the compare-and-set update
of an item, the hash-chained audit event, the outbox rows and the messages' payloads.

The statements they run are in :mod:`._statements`, compiled once per dialect.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from zhenggai.workflows.schema import (
    CampaignSetup,
    DutySpec,
    LadderSpec,
    NotifySpec,
    RoleSpec,
    TransitionSpec,
)

from ._concerns import Concerns, role_targets, unit_people
from ._raw import Tx
from ._rows import EventRow, ItemRow
from ._statements import Statements
from .audit import (
    BIND,
    canonical_json,
    event_hash,
    event_subject,
    item_digest,
    outbox_digest,
    outbox_row_digest,
    rows_digest,
)
from .errors import ConflictError
from .lifecycle import CompiledLifecycle
from .ports import Calendar
from .views import Actor, CampaignView

__all__ = [
    "WEEKDAYS",
    "Campaign",
    "Vouch",
    "append_event",
    "cas_update",
    "contact_address",
    "item_number",
    "item_payload",
    "item_units",
    "queue_messages",
    "read_head",
    "transition_payload",
]


@dataclass(frozen=True, slots=True)
class Campaign:
    """A started campaign as the engine runs it (immutable once started)."""

    id: int
    key: str
    view: CampaignView
    tz: zoneinfo.ZoneInfo
    lifecycle: CompiledLifecycle
    roles: Mapping[str, RoleSpec]
    operations: Mapping[str, frozenset[str]]
    channels: frozenset[str]
    severities: Mapping[str, str]
    #: The whole definition as stored (None for campaigns started before it was kept).
    setup: CampaignSetup | None
    #: Working days of the campaign: the statutory base and the definition's county overrides.
    calendar: Calendar
    #: The escalation ladder items run on (``deadlines.ladder``), if the definition has one.
    item_ladder: LadderSpec | None
    #: Each track's lead unit (牵头单位): the first unit it lists.
    lead_units: Mapping[str, str]
    #: The definition's duties and ladders by id (empty for campaigns started before step 2).
    duties: Mapping[str, DutySpec]
    ladders: Mapping[str, LadderSpec]
    unit_ids: Mapping[str, int]
    unit_keys: Mapping[int, str]
    unit_names: Mapping[int, str]
    tracks: Mapping[str, str]
    #: The document-review lifecycle (规范性文件清理) and its ladder, when the definition has one.
    documents: CompiledLifecycle | None = None
    document_ladder: LadderSpec | None = None


def cas_update(tx: Tx, st: Statements, row: Mapping[str, Any], changes: Mapping[str, Any]) -> None:
    """Write ``changes`` only if the item still has the version it was read with."""
    columns = tuple(sorted(changes))
    values = {f"v_{c}": changes[c] for c in columns}
    values["w_id"] = row["id"]
    values["w_version"] = row["version"]
    if tx.run(st.cas(columns), values) != 1:
        raise ConflictError(row["id"], row["version"], tx.scalar(st.item_version, {"id": row["id"]}))


def cas_write(tx: Tx, st: Statements, row: Mapping[str, Any], changes: Mapping[str, Any]) -> ItemRow:
    """:func:`cas_update`, returning the item's row as written (``UPDATE … RETURNING``): give
    it to :func:`append_event` as ``item_row`` when nothing else writes the item in between,
    and the event need not read it back."""
    columns = tuple(sorted(changes))
    values = {f"v_{c}": changes[c] for c in columns}
    values["w_id"] = row["id"]
    values["w_version"] = row["version"]
    written = tx.one(st.cas_returning(columns), values)
    if written is None:
        raise ConflictError(row["id"], row["version"], tx.scalar(st.item_version, {"id": row["id"]}))
    return written


@dataclass(slots=True)
class Vouch:
    """The messages :func:`queue_messages` wrote for the campaign's next audit event (``seq``)
    to vouch for: give it to that :func:`append_event` as ``outbox``."""

    campaign_id: int
    seq: int
    #: The hash of event ``seq - 1`` (the head, read and locked in this transaction), so the
    #: event need not read the head again; None: unknown, the event reads it.
    prev_hash: str | None = None
    digests: list[str] = field(default_factory=list)
    #: Rows an earlier event vouched for that this one changes (a dead letter routed again):
    #: that event's ``seq`` and the row's digest as it vouched for it.
    moved: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def next_event(cls, tx: Tx, st: Statements, campaign_id: int) -> Vouch:
        """For the campaign's next event (the head's ``seq`` + 1, read in this transaction)."""
        seq, prev = read_head(tx, st, campaign_id)
        return cls(campaign_id, seq + 1, prev)


def read_head(tx: Tx, st: Statements, campaign_id: int) -> tuple[int, str]:
    """The campaign's audit head, ``(seq, hash)``, read and locked in this transaction, or as
    this transaction last wrote it when it keeps its heads (:attr:`Tx.heads`: the head is
    locked by then, so no other transaction can have moved it)."""
    if tx.heads is not None and (known := tx.heads.get(campaign_id)) is not None:
        return known
    head = tx.one(st.head, {"cid": campaign_id})
    assert head is not None, "every campaign has an audit head"
    return head["seq"], head["hash"]


def append_event(
    tx: Tx,
    st: Statements,
    campaign_id: int,
    *,
    item_id: int | None,
    trigger: str,
    from_state: str | None,
    to_state: str | None,
    actor: Actor,
    at: dt.datetime,
    data: Mapping[str, Any],
    outbox: Vouch | None = None,
    roster: bool = False,
    duty_id: int | None = None,
    item_row: Mapping[str, Any] | None = None,
) -> EventRow:
    """Append one audit event to the campaign's hash chain and move the chain's head (with the
    engine's origin, when it has one, in the event's data).

    The event vouches (``bind``, :mod:`.audit`) for the rows as this transaction leaves them,
    so call it after writing them: the item's row and measures (``item_id``), the document's
    row (``data["document"]``), the roster (``roster``), the messages ``outbox`` queued.

    The event's subject (``subject_kind``, ``subject_id``) is what its content names
    (:func:`~.audit.event_subject`); an event about a duty occurrence gives its ``duty_id``
    (its data names the duty key, unit and due day, which ``audit verify`` looks up). Returns the
    event's row as written. ``item_row``: the item's row as this transaction left it (from
    :func:`cas_write`), so it is not read again."""
    if outbox is not None and outbox.prev_hash is not None and outbox.campaign_id == campaign_id:
        # The head as queue_messages read (and locked) it: an event appended in between would
        # make this seq a duplicate, refused by the chain's unique (campaign, seq).
        seq, prev = outbox.seq, outbox.prev_hash
    else:
        seq, prev = read_head(tx, st, campaign_id)
        seq += 1
    bind: dict[str, Any] = {}
    if item_id is not None:
        item = tx.one(st.bind_item, {"id": item_id}) if item_row is None else item_row
        assert item is not None and item["id"] == item_id, (
            f"an event about item {item_id} that does not exist"
        )
        bind["row"] = item_digest(item, tx.all(st.bind_measures, {"id": item_id}))
    elif isinstance(data.get("document"), int):
        document = tx.one(st.bind_document, {"id": data["document"]})
        assert document is not None, f"an event about document {data['document']} that does not exist"
        bind["row"] = rows_digest([document])
    if roster:
        bind["roster"] = rows_digest(tx.all(st.bind_roster, {"cid": campaign_id}))
    if outbox is not None and (outbox.digests or outbox.moved):
        assert (outbox.campaign_id, outbox.seq) == (campaign_id, seq), "messages vouched for by another event"
        bind["outbox"] = outbox_digest(outbox.digests)
        if outbox.moved:
            bind["moved"] = outbox.moved
    subject = ("duty", duty_id) if duty_id is not None else event_subject(campaign_id, item_id, data)
    data = {**data, BIND: bind}
    if st.origin:
        data["origin"] = dict(st.origin)
    text = canonical_json(data)
    digest = event_hash(
        campaign_id=campaign_id,
        seq=seq,
        item_id=item_id,
        trigger=trigger,
        from_state=from_state,
        to_state=to_state,
        actor=actor.name,
        role=actor.role,
        unit=actor.unit,
        at=at,
        data=text,
        prev_hash=prev,
    )
    row: dict[str, Any] = {
        "campaign_id": campaign_id,
        "seq": seq,
        "item_id": item_id,
        "trigger": trigger,
        "from_state": from_state,
        "to_state": to_state,
        "actor": actor.name,
        "role": actor.role,
        "unit": actor.unit,
        "at": at,
        "data": text,
        "prev_hash": prev,
        "hash": digest,
        "subject_kind": subject[0],
        "subject_id": subject[1],
    }
    row["id"] = tx.scalar(st.event_insert, row)
    tx.run(st.head_update, {"cid": campaign_id, "new_seq": seq, "new_hash": digest})
    if tx.heads is not None:
        tx.heads[campaign_id] = (seq, digest)
    return cast(EventRow, row)


def queue_messages(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    notify: Sequence[NotifySpec],
    *,
    key: str,
    payload: Mapping[str, Any],
    units: Mapping[str, int | None],
    item_id: int | None,
    now: dt.datetime,
    vouch: Vouch | None = None,
    team: int | None = None,
    concerns: Concerns | None = None,
) -> Vouch:
    """Outbox rows for a ``notify`` list, one per recipient contact, for the campaign's next
    audit event to vouch for: it returns them as a :class:`Vouch` (``vouch``, when given, with
    them added: several lists of one event) to give to that :func:`append_event`.

    ``key`` makes the idempotency keys unique per event (``item:5:v3:assign`` for a transition
    to version 3, ``item:5:step:item_overdue.red@2023-08-15`` for a ladder step). ``units``
    resolves the unit recipients the event knows (``responsible_unit``, ``previous_unit``,
    ``lead_unit``: a unit id, or None when there is none); any other recipient is a role,
    reached through its contacts, or ``all_units`` / ``lead_units`` (every unit, every track's
    lead unit). A unit with no contact still gets a row, dead-lettered with the reason, so an
    operator sees the message that could not be routed instead of it vanishing. A contact
    reached twice with the same message gets it once, and so does a recipient without contacts
    named twice (one dead letter, not a failed write). With ``team`` a role reaches only its
    contacts of that supervision team (督查工作组).

    ``concerns`` (what the message is about: :mod:`._concerns`) narrows a role recipient to the
    holders the item or duty concerns (its track's 组长, its 领衔领导, its unit's 一把手).
    """
    if not notify:
        return vouch if vouch is not None else Vouch(camp.id, 0)  # nothing to vouch for
    if vouch is None:
        vouch = Vouch.next_event(tx, st, camp.id)
    text = canonical_json(payload)
    queued: set[str] = set()
    routes = {r.to: r.delivery for r in camp.setup.notifications.routes} if camp.setup is not None else {}
    day = now.astimezone(camp.tz).date()  # contacts active on the message's day
    for n in notify:
        targets: list[tuple[list[dict[str, Any]], str]] = []
        if n.to in units:
            unit_id = units[n.to]
            if unit_id is None:
                continue
            targets.append(
                (
                    unit_people(camp, tx.all_once(st.contacts_of_unit, {"unit_id": unit_id, "day": day})),
                    f"unit:{camp.unit_keys[unit_id]}",
                )
            )
        elif n.to in ("all_units", "lead_units"):
            keys = camp.unit_ids if n.to == "all_units" else dict.fromkeys(camp.lead_units.values())
            for unit_key in keys:
                unit_id = camp.unit_ids[unit_key]
                contacts = tx.all_once(st.contacts_of_unit, {"unit_id": unit_id, "day": day})
                targets.append((unit_people(camp, contacts), f"unit:{unit_key}"))
        elif (scoped := role_targets(tx, st, camp, n.to, concerns, day)) is not None:
            targets.extend(scoped)
        else:
            contacts = tx.all_once(st.contacts_of_role, {"cid": camp.id, "role": n.to, "day": day})
            if team is not None:
                contacts = [c for c in contacts if c.get("team") == team]
            targets.append((contacts, f"role:{n.to}" if team is None else f"role:{n.to}:team:{team}"))
        key_base = f"{key}:{n.message}"
        row = {
            "campaign_id": camp.id,
            "item_id": item_id,
            "kind": n.message,
            "payload": text,
            "attempts": 0,
            "next_try_at": now,
            "created_at": now,
            "sent_at": None,
            "audit_seq": vouch.seq,
        }
        for contacts, fallback in targets:
            if not contacts:
                dead_key = f"{key_base}:{fallback}"
                if dead_key not in queued:
                    queued.add(dead_key)
                    dead = {
                        **row,
                        "channel": "unrouted",
                        "recipient": fallback,
                        "contact_id": None,
                        "idempotency_key": dead_key,
                        "status": "dead",
                        "last_error": "没有可接收消息的联系人",
                    }
                    tx.run(st.outbox_insert, dead)
                    vouch.digests.append(outbox_row_digest(dead))
                continue
            for contact in contacts:
                contact_key = f"{key_base}:contact:{contact['id']}"
                if contact_key in queued:
                    continue
                queued.add(contact_key)
                channel, address = _route(contact, routes.get(n.to))
                message = {
                    **row,
                    "channel": channel,
                    "recipient": address,
                    "contact_id": contact["id"],
                    "idempotency_key": contact_key,
                    "status": "pending" if address else "dead",
                    "last_error": None if address else "联系人没有可用的联系方式",
                }
                tx.run(st.outbox_insert, message)
                vouch.digests.append(outbox_row_digest(message))
    return vouch


def item_note(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    row: Mapping[str, Any],
    *,
    trigger: str,
    actor: Actor,
    now: dt.datetime,
    data: Mapping[str, Any],
    notify: Sequence[NotifySpec],
    key: str,
    payload: Mapping[str, Any],
    units: Mapping[str, int | None],
    concerns: Concerns | None = None,
) -> None:
    """An event ``trigger`` on the item ``row`` that leaves its state as it is (移送, 初核,
    领衔调研, 退单 …), with ``notify``'s messages queued under ``key`` for the event to vouch for."""
    queued = queue_messages(
        tx,
        st,
        camp,
        notify,
        key=key,
        payload=payload,
        units=units,
        item_id=row["id"],
        now=now,
        concerns=concerns,
    )
    append_event(
        tx,
        st,
        camp.id,
        item_id=row["id"],
        trigger=trigger,
        from_state=row["state"],
        to_state=row["state"],
        actor=actor,
        at=now,
        data=dict(data),
        outbox=queued,
    )


def item_number(camp: Campaign, serial: int, now: dt.datetime) -> str:
    """问题编号 ``ZG-<year the campaign starts>-<serial, four digits or more>`` (a campaign
    without its stored definition, or one without a start: the year it is reported in)."""
    start = camp.setup.start if camp.setup is not None else None
    year = start.year if start is not None else now.astimezone(camp.tz).year
    return f"ZG-{year}-{serial:04d}"


def item_units(camp: Campaign, before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, int | None]:
    """The unit recipients of a message about an item: its responsible unit (after the write),
    the previous one (when it changed), its track's lead unit."""
    now_unit, was_unit = after["responsible_unit_id"], before["responsible_unit_id"]
    lead = camp.lead_units.get(after["track"])
    return {
        "responsible_unit": now_unit,
        "previous_unit": was_unit if was_unit != now_unit else None,
        "lead_unit": camp.unit_ids.get(lead) if lead is not None else None,
    }


#: 星期一 … 星期日, by ``date.weekday()``.
WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def item_payload(camp: Campaign, after: Mapping[str, Any]) -> dict[str, Any]:
    """The variables every message about an item gets (``ITEM_VARIABLES`` of
    :mod:`zhenggai.engine.messages`). Never the reporter's identity."""
    uid = after["responsible_unit_id"]
    due = after["due"]
    return {
        "campaign": camp.view.title,
        "item_id": after["id"],
        "title": after["title"],
        "track": after["track"],
        "track_name": camp.tracks.get(after["track"], after["track"]),
        "state": after["state"],
        "state_label": camp.lifecycle.labels[after["state"]],
        "unit": None if uid is None else camp.unit_keys[uid],
        "unit_name": None if uid is None else camp.unit_names[uid],
        "due": None if due is None else due.isoformat(),
        "due_weekday": None if due is None else WEEKDAYS[due.weekday()],
    }


def transition_payload(
    camp: Campaign, spec: TransitionSpec, after: Mapping[str, Any], event_data: Mapping[str, Any]
) -> dict[str, Any]:
    """What a message queued by a transition gets: the item's variables, the trigger's, and the
    inputs its guards make sure are there (:func:`zhenggai.engine.messages.transition_variables`)."""
    return {
        **item_payload(camp, after),
        "trigger": spec.trigger,
        "trigger_label": spec.label,
        **{k: v for k, v in event_data.items() if k in ("reason", "finding", "from_unit")},
    }


def _route(contact: Mapping[str, Any], default: Sequence[str] | None = None) -> tuple[str, str]:
    """The channel and address a contact is reached by: the first of its own preferences that
    has an address; without preferences, the definition's route for the kind of recipient
    (``notifications.routes``, e.g. a responsible unit by SMS then email), else email then SMS."""
    prefs = (
        [c for c in (contact["channels"] or "").split(",") if c] or list(default or ()) or ["email", "sms"]
    )
    for channel in prefs:
        address = contact_address(contact, channel)
        if address:
            return channel, address
    return prefs[0], ""


def contact_address(contact: Mapping[str, Any], channel: str) -> str | None:
    """A contact's address on ``channel``: email → the mailbox; SMS → the mobile; the WeCom and
    DingTalk group robots → the contact's user id there (@-mentioned by id), else the mobile
    (@-mentioned by number)."""
    if channel == "email":
        return contact["email"] or None
    if channel in ("wecom", "dingtalk"):
        return contact.get(f"{channel}_id") or contact["mobile"] or None
    if channel == "sms":
        return contact["mobile"] or None
    return None
