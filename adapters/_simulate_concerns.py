"""The simulation's proof that 督办 notices reach only the people an item concerns (issue 16):
each 挂牌督办 and 问责 message about an item, by the kind of person it reached — the responsible
unit's people, its 一把手, the 组长 of the item's track, the item's 领衔领导 — and how many
reached anyone else (a 组长 of another track, another unit's 一把手, a 县领导 who does not lead
the item): none, when routing by concern works."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from zhenggai.engine import CampaignSetup, Engine

from ._simulate_cast import KEY

__all__ = ["concern_counts", "print_concerns"]

#: The 督办 notices the count looks at (the messages of the item ladder's escalations).
NOTICES = ("item_listed", "item_accountability")
#: The kinds of recipient, in the order they are printed.
KINDS = ("责任单位", "一把手", "本专项组长", "领衔领导", "牵头单位", "领导小组办公室等", "越界")


def concern_counts(engine: Engine, setup: CampaignSetup) -> Counter[str]:
    """The 督办 notices' recipients by kind (see :data:`KINDS`)."""
    leader_roles = {t.leader_role for t in setup.tracks if t.leader_role}
    lead_roles = set(setup.leadership.roles) if setup.leadership is not None else set()
    lead_units = {t.id: t.units[0] for t in setup.tracks}
    contacts = {c.id: c for c in engine.contacts(KEY, include_removed=True)}
    items = {i.id: i for i in engine.items(KEY)}
    counts: Counter[str] = Counter()
    for m in engine.outbox(KEY):
        if m.kind not in NOTICES or m.item_id is None or m.contact_id is None:
            continue
        contact, item = contacts[m.contact_id], items[m.item_id]
        if item.leader_contact_id == contact.id:
            counts["领衔领导"] += 1
        elif contact.role in leader_roles:
            counts["本专项组长" if contact.track == item.track else "越界"] += 1
        elif contact.role == "unit_principal":
            counts["一把手" if contact.unit == item.unit else "越界"] += 1
        elif contact.role in lead_roles:
            counts["越界"] += 1  # a leader who does not lead the item
        elif contact.unit == item.unit:
            counts["责任单位"] += 1
        elif contact.unit == lead_units.get(item.track):
            counts["牵头单位"] += 1
        else:
            counts["领导小组办公室等"] += 1
    return counts


def print_concerns(engine: Engine, setup: CampaignSetup, out: TextIO) -> None:
    counts = concern_counts(engine, setup)
    if not counts:
        return
    shown = " · ".join(f"{k} {counts[k]}" for k in KINDS)
    print(f"挂牌督办和提请问责通知 {sum(counts.values())} 条, 按接收人: {shown}", file=out)
