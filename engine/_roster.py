"""The roster (通讯录): the people of a running campaign who receive its messages.

Contacts are data of the campaign, not of a definition version: the definition's
``units[].contacts`` only seed the roster (at start, and contacts a new version adds at
``migrate_campaign``); afterwards a county adds, changes, removes and imports its people here.
A removed contact stays (``removed_at``), so what it was sent keeps its recipient; removed
contacts and those outside their ``active_from``..``active_to`` days (in the campaign's
timezone) receive nothing (:func:`zhenggai.engine._writes.queue_messages`).

Who may change the roster: the roles of the definition's ``manage_contacts`` operation; a
definition without it falls back to the roles of ``recompute_deadlines``, then of
``migrate_campaign`` (the office that runs the campaign). A unit-bound role changes only its own
unit's contacts. Every change appends one audit event whose data holds ids, the unit key, the
role and the NAMES of the fields changed, never a person's name, number, mailbox or account.

A message queued for a recipient without contacts is a dead letter of channel ``unrouted``
(recipient ``unit:KEY`` or ``role:ROLE``); :func:`requeue` routes it again against the roster
as it is now (``zhenggai outbox retry``), so a contact added later still gets it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from zhenggai.workflows.schema import CampaignSetup, ContactSpec, NotifySpec

from ._access import check_actor
from ._admin_statements import AdminStatements
from ._concerns import scoped_contacts
from ._contact_fields import (
    CONTACT_CHANNELS,
    FIELDS,
    contact_view,
    entry_fields,
    field_problems,
    given_fields,
    row_values,
    same_person,
)
from ._raw import Tx
from ._runtime import Runtime
from ._statements import Statements
from ._writes import Campaign, Vouch, _route, append_event
from .audit import outbox_row_digest
from .checks import _notify_lists
from .errors import ContactNotFound, ImportRejected, InvalidInputError, PermissionDeniedError, UnitNotFound
from .views import Actor, ContactView, ImportProblem, NewContact, UnreachableView

__all__ = [
    "CONTACT_CHANNELS",
    "FIELDS",
    "add_contact",
    "check_contacts",
    "contact",
    "contacts",
    "import_contacts",
    "managers",
    "notified_roles",
    "remove_contact",
    "requeue",
    "seed_contacts",
    "seed_new_version",
    "unreachable",
    "update_contact",
]

UNIT_RECIPIENTS = frozenset({"responsible_unit", "previous_unit", "lead_unit", "all_units", "lead_units"})
OPERATION = "manage_contacts"
#: Who may change the roster when a definition has no ``manage_contacts``: these operations' roles.
FALLBACK_OPERATIONS = ("recompute_deadlines", "migrate_campaign")

# ------------------------------------------------------------------------------ reading


def _rows(rt: Runtime, tx: Tx, camp: Campaign) -> list[dict[str, Any]]:
    """The campaign's contacts, removed ones included, by id (the statement an audit event's
    ``roster`` binding reads)."""
    return tx.all(rt.st.bind_roster, {"cid": camp.id})


def contacts(
    rt: Runtime, campaign: str | int, *, unit: str | None, role: str | None, include_removed: bool
) -> list[ContactView]:
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        if unit is not None and unit not in camp.unit_ids:
            raise UnitNotFound(unit)
        rows = _rows(rt, Tx.on(conn), camp)
    return [
        contact_view(camp, r)
        for r in rows
        if (include_removed or r["removed_at"] is None)
        and (unit is None or camp.unit_keys[r["unit_id"]] == unit)
        and (role is None or r["role"] == role)
    ]


def contact(rt: Runtime, contact_id: int) -> ContactView:
    with rt.store.read() as conn:
        row, camp = _load(rt, Tx.on(conn), contact_id)
    return contact_view(camp, row)


def _today(camp: Campaign, now: dt.datetime) -> dt.date:
    return now.astimezone(camp.tz).date()


def notified_roles(setup: CampaignSetup | None, camp: Campaign) -> list[str]:
    """The roles the definition sends messages to, in the definition's order of roles: every
    ``notify`` list (transitions, phases, ladders, duties, the document lifecycle) and the
    roles ``notifications.routes`` names."""
    named: set[str] = set()
    for notify in _notify_specs(setup, camp):
        named.add(notify.to)
    if setup is not None:
        named |= {r.to for r in setup.notifications.routes}
    return [r for r in camp.roles if r in named]


def _notify_specs(setup: CampaignSetup | None, camp: Campaign) -> Iterator[NotifySpec]:
    if setup is None:
        for t in camp.lifecycle.spec.transitions:
            yield from t.notify
        return
    for _, notify in _notify_lists(setup):
        yield from notify
    if setup.documents is not None:
        for t in setup.documents.lifecycle.transitions:
            yield from t.notify


def unreachable(rt: Runtime, campaign: str | int) -> UnreachableView:
    now = rt.now()
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        rows = _rows(rt, Tx.on(conn), camp)
    day = _today(camp, now)
    routes = _routes(camp)
    unit_default = routes.get("responsible_unit")
    live = [r for r in rows if _active(r, day)]
    units = {r["unit_id"] for r in live if _route(r, unit_default)[1]}
    roles = {r["role"] for r in live if _route(r, routes.get(r["role"]))[1]}
    return UnreachableView(
        campaign=camp.key,
        day=day,
        units=tuple(
            (camp.unit_keys[u], camp.unit_names[u]) for u in sorted(camp.unit_keys) if u not in units
        ),
        roles=tuple((r, camp.roles[r].label) for r in notified_roles(camp.setup, camp) if r not in roles),
    )


def _active(row: Mapping[str, Any], day: dt.date) -> bool:
    return (
        row["removed_at"] is None
        and (row["active_from"] is None or row["active_from"] <= day)
        and (row["active_to"] is None or day <= row["active_to"])
    )


def _routes(camp: Campaign) -> dict[str, Sequence[str]]:
    return {r.to: r.delivery for r in camp.setup.notifications.routes} if camp.setup is not None else {}


# ------------------------------------------------------------------------------ writing


ACTION = f"维护通讯录 ({OPERATION})"


def managers(camp: Campaign) -> frozenset[str]:
    """The roles that may change the roster: ``manage_contacts``'s, else the fallback's."""
    if OPERATION in camp.operations:
        return camp.operations[OPERATION]
    return next((camp.operations[op] for op in FALLBACK_OPERATIONS if op in camp.operations), frozenset())


def _may_manage(rt: Runtime, camp: Campaign, actor: Actor) -> None:
    """The actor may change the roster."""
    check_actor(camp, actor)
    if actor.role not in managers(camp):
        raise PermissionDeniedError(actor.name, actor.role, ACTION)


def _own_units(camp: Campaign, actor: Actor, units: Sequence[str]) -> None:
    """A unit-bound role changes only its own unit's contacts."""
    if camp.roles[actor.role].unit_bound and any(u != actor.unit for u in units):
        raise PermissionDeniedError(actor.name, actor.role, ACTION, "只能维护本单位的联系人")


def _duplicates(
    rows: Sequence[Mapping[str, Any]], camp: Campaign, skip: int | None = None
) -> dict[tuple[str, str, str], int]:
    """(unit, name, role) → id of the contacts in the roster (not removed), but ``skip``."""
    return {
        (camp.unit_keys[r["unit_id"]], r["name"], r["role"]): r["id"]
        for r in rows
        if r["removed_at"] is None and r["id"] != skip
    }


def _refuse(problems: Sequence[tuple[str, str]]) -> None:
    if problems:
        field, reason = problems[0]
        more = f" (另有 {len(problems) - 1} 处问题)" if len(problems) > 1 else ""
        raise InvalidInputError(field, reason + more)


def _event(
    tx: Tx,
    st: Statements,
    camp: Campaign,
    actor: Actor,
    now: dt.datetime,
    trigger: str,
    data: Mapping[str, Any],
) -> None:
    append_event(
        tx,
        st,
        camp.id,
        item_id=None,
        trigger=trigger,
        from_state=None,
        to_state=None,
        actor=actor,
        at=now,
        data=data,
        roster=True,
    )


def _insert(
    rt: Runtime, tx: Tx, camp: Campaign, values: Mapping[str, Any], now: dt.datetime
) -> dict[str, Any]:
    row = {**row_values(values, camp), "created_at": now, "updated_at": now, "removed_at": None}
    return {**row, "id": tx.scalar(rt.admin.contact_insert, row)}


def add_contact(rt: Runtime, campaign: str | int, actor: Actor, entry: NewContact) -> ContactView:
    if not isinstance(entry, NewContact):
        raise InvalidInputError("contact", "须为 NewContact")
    now = rt.now()
    with rt.store.transaction() as tx:
        camp = rt.campaign(tx, campaign)
        _may_manage(rt, camp, actor)
        values, problems = field_problems(camp, entry_fields(entry))
        _refuse(problems)
        _own_units(camp, actor, [values["unit"]])
        known = _duplicates(_rows(rt, tx, camp), camp)
        if same_person(values) in known:
            raise InvalidInputError("name", f"通讯录中已有该联系人 (编号 {known[same_person(values)]})")
        row = _insert(rt, tx, camp, values, now)
        _event(
            tx,
            rt.st,
            camp,
            actor,
            now,
            "contact_added",
            {
                "contact": row["id"],
                "unit": values["unit"],
                "role": values["role"],
                "fields": sorted(n for n in FIELDS if n not in ("unit", "role") and values[n]),
            },
        )
        return contact_view(camp, row)


def _load(rt: Runtime, tx: Tx, contact_id: int) -> tuple[dict[str, Any], Campaign]:
    """The contact ``contact_id`` and its campaign; ContactNotFound else."""
    if not isinstance(contact_id, int) or isinstance(contact_id, bool):
        raise InvalidInputError("contact_id", "联系人编号须为整数")
    found = tx.one(rt.admin.contact, {"id": contact_id})
    if found is None:
        raise ContactNotFound(contact_id)
    row: dict[str, Any] = dict(found)
    return row, rt.campaign(tx, row.pop("campaign_id"))


def update_contact(rt: Runtime, contact_id: int, actor: Actor, changes: Mapping[str, object]) -> ContactView:
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise InvalidInputError(unknown[0], f"联系人没有此项 (可改: {', '.join(FIELDS)})")
    if not changes:
        raise InvalidInputError("contact", "没有要修改的内容")
    now = rt.now()
    with rt.store.transaction() as tx:
        row, camp = _load(rt, tx, contact_id)
        if row["removed_at"] is not None:
            raise InvalidInputError("contact_id", f"联系人 {contact_id} 已移除, 不能修改 (请重新添加)")
        _may_manage(rt, camp, actor)
        before = given_fields(row, camp)
        _own_units(camp, actor, [before["unit"]])
        values, problems = field_problems(camp, {**before, **changes})
        _refuse(problems)
        _own_units(camp, actor, [values["unit"]])
        changed = [n for n in FIELDS if values[n] != before[n]]
        if not changed:
            return contact_view(camp, row)
        known = _duplicates(_rows(rt, tx, camp), camp, skip=contact_id)
        if same_person(values) in known:
            raise InvalidInputError("name", f"通讯录中已有该联系人 (编号 {known[same_person(values)]})")
        new = {**row_values(values, camp), "updated_at": now}
        columns = tuple(sorted(new))
        tx.run(rt.admin.contact_update(columns), {"w_id": contact_id, **{f"v_{c}": new[c] for c in columns}})
        _event(
            tx,
            rt.st,
            camp,
            actor,
            now,
            "contact_updated",
            {"contact": contact_id, "unit": values["unit"], "role": values["role"], "changed": changed},
        )
        return contact_view(camp, {**row, **new})


def remove_contact(rt: Runtime, contact_id: int, actor: Actor) -> ContactView:
    now = rt.now()
    with rt.store.transaction() as tx:
        row, camp = _load(rt, tx, contact_id)
        unit = camp.unit_keys[row["unit_id"]]
        _may_manage(rt, camp, actor)
        _own_units(camp, actor, [unit])
        if row["removed_at"] is not None:
            raise InvalidInputError(
                "contact_id", f"联系人 {contact_id} 已于 {_today(camp, row['removed_at'])} 移除"
            )
        tx.run(rt.admin.contact_remove, {"id": contact_id, "removed_at": now, "updated_at": now})
        _event(
            tx,
            rt.st,
            camp,
            actor,
            now,
            "contact_removed",
            {"contact": contact_id, "unit": unit, "role": row["role"]},
        )
        return contact_view(camp, {**row, "removed_at": now, "updated_at": now})


def _entries_problems(
    camp: Campaign, rows: Sequence[Mapping[str, Any]], entries: Sequence[NewContact]
) -> tuple[list[dict[str, Any]], list[ImportProblem]]:
    known = _duplicates(rows, camp)
    seen: dict[tuple[str, str, str], int] = {}
    checked: list[dict[str, Any]] = []
    problems: list[ImportProblem] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, NewContact):
            problems.append(ImportProblem(i, "contact", "须为 NewContact"))
            continue
        values, found = field_problems(camp, entry_fields(entry))
        problems += [ImportProblem(i, field, reason) for field, reason in found]
        if found:
            continue
        person = same_person(values)
        if person in known:
            problems.append(ImportProblem(i, "name", f"通讯录中已有该联系人 (编号 {known[person]})"))
        elif person in seen:
            problems.append(ImportProblem(i, "name", f"与第 {seen[person] + 1} 条重复"))
        else:
            seen[person] = i
        checked.append(values)
    if not entries:
        problems.append(ImportProblem(0, "contact", "没有要导入的联系人"))
    return checked, problems


def check_contacts(rt: Runtime, campaign: str | int, entries: Sequence[NewContact]) -> list[ImportProblem]:
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        return _entries_problems(camp, _rows(rt, Tx.on(conn), camp), entries)[1]


def import_contacts(
    rt: Runtime, campaign: str | int, actor: Actor, entries: Sequence[NewContact]
) -> list[ContactView]:
    now = rt.now()
    with rt.store.transaction() as tx:
        camp = rt.campaign(tx, campaign)
        _may_manage(rt, camp, actor)
        checked, problems = _entries_problems(camp, _rows(rt, tx, camp), entries)
        if problems:
            raise ImportRejected(problems, "联系人")
        _own_units(camp, actor, sorted({v["unit"] for v in checked}))
        rows = [_insert(rt, tx, camp, values, now) for values in checked]
        _event(
            tx,
            rt.st,
            camp,
            actor,
            now,
            "contacts_imported",
            {
                "contacts": [r["id"] for r in rows],
                "units": sorted({v["unit"] for v in checked}),
                "roles": sorted({v["role"] for v in checked}),
            },
        )
        return [contact_view(camp, r) for r in rows]


# ------------------------------------------------------------------- the definition's contacts


def seed_contacts(
    tx: Tx,
    st: Statements,
    unit_id: int,
    specs: Sequence[ContactSpec],
    now: dt.datetime,
    present: set[tuple[int, str, str]] | None = None,
) -> int:
    """Put a definition's contacts of one unit into the roster, but those ``present`` (unit id,
    name, role); returns how many were added."""
    added = 0
    present = set() if present is None else present
    for contact in specs:
        person = (unit_id, contact.name, contact.role)
        if person in present:
            continue
        present.add(person)
        tx.run(
            st.contact_insert,
            {
                "unit_id": unit_id,
                "name": contact.name,
                "role": contact.role,
                "email": contact.email,
                "mobile": contact.mobile,
                "channels": ",".join(contact.channels),
                "wecom_id": None,
                "dingtalk_id": None,
                "active_from": None,
                "active_to": None,
                "team": contact.team,
                "track": contact.track,
                "created_at": now,
                "updated_at": now,
                "removed_at": None,
            },
        )
        added += 1
    return added


def seed_new_version(
    tx: Tx, st: Statements, ad: AdminStatements, campaign_id: int, setup: CampaignSetup, now: dt.datetime
) -> int:
    """At ``migrate_campaign``: the new version's contacts not yet in the roster (same unit, name
    and role, removed ones included: a county's removal stands) are added; none is removed."""
    unit_ids = {u["key"]: u["id"] for u in tx.all(st.units, {"cid": campaign_id})}
    present = {(r["unit_id"], r["name"], r["role"]) for r in tx.all(ad.roster_people, {"cid": campaign_id})}
    return sum(seed_contacts(tx, st, unit_ids[u.id], u.contacts, now, present) for u in setup.units)


# ------------------------------------------------------------------------------ dead letters


def _unit_route(camp: Campaign, kind: str) -> Sequence[str] | None:
    """The definition's route for the unit recipient a message of ``kind`` went to (the first
    notify of that message naming a unit recipient)."""
    routes = _routes(camp)
    for notify in _notify_specs(camp.setup, camp):
        if notify.message == kind and notify.to in UNIT_RECIPIENTS:
            return routes.get(notify.to)
    return None


def requeue(rt: Runtime, tx: Tx, outbox_id: int, now: dt.datetime, vouches: dict[int, Vouch]) -> bool:
    """Put a dead letter back in the queue; False when it is not dead (or still has nobody).

    A letter nobody could receive (channel ``unrouted``) is routed again against the roster as it
    is now (contacts active today): the row becomes the first contact's message (channel and
    address by its preferences or the definition's route, key ``…:contact:ID``) and every further
    contact gets a row of its own; a contact that already has the message (its key exists) is
    skipped. With still nobody, the letter stays dead with its reason. The rows routed are for
    the campaign's next audit event to vouch for (``vouches``, by campaign id)."""
    st = rt.st
    row = tx.one(st.outbox_row, {"id": outbox_id})
    if row is None or row["status"] != "dead":
        return False
    if row["channel"] != "unrouted":
        return tx.run(st.outbox_requeue, {"id": outbox_id}) == 1
    camp = rt.campaign(tx, row["campaign_id"])
    day = _today(camp, now)
    kind, _, who = row["recipient"].partition(":")
    found: list[dict[str, Any]] = []
    default: Sequence[str] | None = None
    if kind == "unit" and who in camp.unit_ids:
        found = tx.all(st.contacts_of_unit, {"unit_id": camp.unit_ids[who], "day": day})
        default = _unit_route(camp, row["kind"])
    elif kind == "role" and "@" in who:  # a track's group, a unit's holders (._concerns)
        found = scoped_contacts(tx, st, camp, who, day)
        default = _routes(camp).get(who.partition("@")[0])
    elif kind == "role":
        found = tx.all(st.contacts_of_role, {"cid": camp.id, "role": who, "day": day})
        default = _routes(camp).get(who)
    key_base = row["idempotency_key"].removesuffix(f":{row['recipient']}")
    first = True
    vouch = vouches.get(camp.id) or vouches.setdefault(camp.id, Vouch.next_event(tx, st, camp.id))
    for contact in found:
        key = f"{key_base}:contact:{contact['id']}"
        if tx.one(st.outbox_key_exists, {"key": key}) is not None:
            continue
        channel, address = _route(contact, default)
        status, error = ("pending", None) if address else ("dead", "联系人没有可用的联系方式")
        routed = {
            **row,
            "channel": channel,
            "recipient": address,
            "contact_id": contact["id"],
            "idempotency_key": key,
        }
        if first:
            first = False
            tx.run(
                st.outbox_reroute,
                {
                    "id": outbox_id,
                    "channel": channel,
                    "recipient": address,
                    "contact_id": contact["id"],
                    "key": key,
                    "status": status,
                    "error": error,
                    "audit_seq": vouch.seq,
                },
            )
            if row["audit_seq"] is not None:
                vouch.moved.append({"seq": row["audit_seq"], "row": outbox_row_digest(row)})
        else:
            tx.run(
                st.outbox_insert,
                {
                    "campaign_id": row["campaign_id"],
                    "item_id": row["item_id"],
                    "kind": row["kind"],
                    "payload": row["payload"],
                    "attempts": 0,
                    "next_try_at": row["created_at"],
                    "created_at": row["created_at"],
                    "sent_at": None,
                    "channel": channel,
                    "recipient": address,
                    "contact_id": contact["id"],
                    "idempotency_key": key,
                    "status": status,
                    "last_error": error,
                    "audit_seq": vouch.seq,
                },
            )
        vouch.digests.append(outbox_row_digest(routed))
    return not first
