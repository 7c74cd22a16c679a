"""What the reports show of 督办 beyond an item's own row (issue 17): its 领导批示, its approved
延期 (原时限 → 新时限) and its 退单 with their rulings, per item (the ledger); and per unit the
approved extensions, the send-backs and those ruled against it (the ranking, the bulletin).

Read once per report from the engine's views (``Engine.instructions``, ``extensions``,
``send_backs``), small beside the items; nothing about reporters."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    from zhenggai.engine import Engine, SendBackView

__all__ = [
    "INSTRUCTION_HEADERS",
    "ItemNotes",
    "UnitCounts",
    "item_notes",
    "send_back_text",
    "supervision_section",
    "unit_counts",
]


@dataclass(frozen=True)
class ItemNotes:
    """Per item id: its instructions, its approved extensions, its send-backs (one per line)."""

    instructions: Mapping[int, str]
    extensions: Mapping[int, str]
    send_backs: Mapping[int, str]


@dataclass(frozen=True)
class UnitCounts:
    """Per unit key: approved extensions, send-backs, send-backs ruled against it (坚持原交办)."""

    extensions: Mapping[str, int]
    sent_back: Mapping[str, int]
    insisted: Mapping[str, int]


def send_back_text(view: SendBackView) -> str:
    """``县住建局退单 (不属于本单位职责): 已改派 县商务局`` / ``…: 坚持原交办`` / ``…: 待审定``."""
    ruling = view.state_label + (f" {view.to_unit_name}" if view.to_unit_name else "")
    return f"{view.unit_name}退单 ({view.reason_label}): {ruling}"


def item_notes(engine: Engine, campaign: str) -> ItemNotes:
    instructions: dict[int, list[str]] = defaultdict(list)
    for i in engine.instructions(campaign):
        instructions[i.item_id].append(f"{i.leader} {i.given_on.isoformat()}: {i.text}")
    extensions: dict[int, list[str]] = defaultdict(list)
    for e in engine.extensions(campaign, state="approved"):
        extensions[e.item_id].append(f"{e.old_due.isoformat()} → {e.new_due.isoformat()}")
    send_backs: dict[int, list[str]] = defaultdict(list)
    for s in engine.send_backs(campaign):
        send_backs[s.item_id].append(send_back_text(s))
    return ItemNotes(
        *({k: "\n".join(v) for k, v in found.items()} for found in (instructions, extensions, send_backs))
    )


def unit_counts(engine: Engine, campaign: str, *, items: Collection[int] | None = None) -> UnitCounts:
    """The per-unit counts, of the items ``items`` only when given (a track's ranking)."""
    extensions = Counter(
        e.unit for e in engine.extensions(campaign, state="approved") if items is None or e.item_id in items
    )
    backs = [s for s in engine.send_backs(campaign) if items is None or s.item_id in items]
    return UnitCounts(
        extensions, Counter(s.unit for s in backs), Counter(s.unit for s in backs if s.state == "insisted")
    )


#: The progress bulletin's 督办 section: the items with 领导批示 and their state.
INSTRUCTION_HEADERS = ("问题编号", "问题", "责任单位", "批示领导", "批示日期", "批示内容", "状态")


def _tally(words: str, states: Counter[str], labels: Mapping[str, str]) -> str:
    parts = "、".join(f"{label} {states[state]} 件" for state, label in labels.items())
    return f"{words} {sum(states.values())} 件 ({parts})。"


def supervision_section(
    engine: Engine, campaign: str, *, unit: str | None = None, track: str | None = None
) -> dict[str, object]:
    """十一、督办情况: one line each for 延期申请 and 退单 (by their state), then the items with
    领导批示 and their state; only the items of ``unit`` / ``track`` when given."""
    from zhenggai.engine.views import EXTENSION_STATES, SEND_BACK_STATES

    items = {i.id: i for i in engine.items(campaign, unit=unit, track=track)}
    ext = Counter(e.state for e in engine.extensions(campaign) if e.item_id in items)
    backs = Counter(s.state for s in engine.send_backs(campaign) if s.item_id in items)
    rows = []
    for i in engine.instructions(campaign):
        item = items.get(i.item_id)
        if item is not None:
            given = i.given_on.isoformat()
            rows.append(
                (
                    item.number or "",
                    item.title,
                    item.unit_name or "未交办",
                    i.leader,
                    given,
                    i.text,
                    item.state_label,
                )
            )
    return {
        "id": "supervision",
        "heading": "十一、督办情况（领导批示、延期、退单）",
        "intro": _tally("延期申请", ext, EXTENSION_STATES) + _tally("退单", backs, SEND_BACK_STATES),
        "headers": INSTRUCTION_HEADERS,
        "rows": rows,
        "charts": [],
        "empty": "" if rows else "本期没有领导批示的问题。",
    }
