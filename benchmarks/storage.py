#!/usr/bin/env python
"""Storage per item: where the bytes of an item's life go, table by table and index by index.

What is measured
----------------
A SQLite database (WAL, the engine's settings) with the built-in 2023 county plan started
(one contact per unit, so the notifying steps write real outbox rows), then ``--items`` items
each living the five-step life of the SpiffWorkflow side-by-side through the public API:
reported → assigned (due date: ladder rows armed) → a measure added and completed →
rectifying → submitted → verified, with the full audit trail (events, hash chain, outbox).

SQLite's ``dbstat`` table is read before the items and after them (both after ``VACUUM``, so
pages are packed alike): for every table and index, the **bytes of pages** (``pgsize``) and
the **bytes of content** (``payload``: records without page overhead and free space), per
item. Also per item: the rows each table gained, and the bytes of the columns a compact
format would shrink (hex hashes, event data, outbox payloads), with what a 32-byte binary hash
would save. Nothing here is timed.

Usage::

    python benchmarks/storage.py [--items N] [--smoke] [--json FILE]

``--smoke`` runs 10 items (tests/test_benchmark_smoke.py). The figures are for issue 19,
point 4 (≥ 3× less than SpiffWorkflow's 12.3 KB per item, with the full audit trail).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    # As a script, this folder heads sys.path, and its transitions.py would shadow the
    # ``transitions`` library the engine is built on. Take the folder off the path.
    _HERE = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from zhenggai.engine import Actor, CampaignSetup, ContactSpec, Engine, VirtualClock
from zhenggai.workflows import load_setup

START = dt.datetime(2023, 7, 3, 1, 0, tzinfo=dt.UTC)
DUE = dt.date(2023, 9, 28)  # a Thursday: a due date a person gives is a working day
ITEM_UNITS = (
    "housing_construction_bureau",
    "development_reform_commission",
    "public_resources_trading_center",
    "finance_bureau",
    "natural_resources_bureau",
    "transport_bureau",
)
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
SUPERVISION = Actor("督查一组", "supervision_team", "organization_department")
#: SpiffWorkflow 3's bytes per item for the same life (issue 19's side-by-side).
SPIFF_BYTES_PER_ITEM = 12_300
#: Columns whose bytes a compact format would shrink: (table, column, what).
COLUMNS = (
    ("zg_event", "hash", "hex SHA-256"),
    ("zg_event", "prev_hash", "hex SHA-256"),
    ("zg_event", "data", "event data (JSON)"),
    ("zg_outbox", "payload", "outbox payload (JSON)"),
    ("zg_outbox", "idempotency_key", "outbox key"),
    ("zg_audit_head", "hash", "hex SHA-256"),
)


def bench_setup() -> CampaignSetup:
    """The built-in plan with one contact per unit and an office contact (routable outbox rows),
    as benchmarks/transitions.py sets it up."""
    setup = load_setup("county_2023")
    units = []
    for unit in setup.units:
        contacts = [ContactSpec(name=f"{unit.name}联络员", email=f"{unit.id}@example.cn")]
        if unit.id == OFFICE.unit:
            contacts.append(
                ContactSpec(name="领导小组办公室", role="leading_group_office", email="office@example.cn")
            )
        units.append(unit.model_copy(update={"contacts": contacts}))
    return setup.model_copy(update={"units": units})


def live(engine: Engine, n_items: int) -> None:
    """``n_items`` items through the five-step life, through the public API."""
    for i in range(n_items):
        unit = ITEM_UNITS[i % len(ITEM_UNITS)]
        actor = Actor("责任单位联络员", "responsible", unit)
        item = engine.report(
            "bench",
            OFFICE,
            title=f"基准问题 {i}",
            description="审批环节要求企业重复提交材料",
            track="construction",
            channel="hotline",
        )
        engine.assign(item.id, OFFICE, unit=unit, due=DUE)
        measure = engine.add_measure(item.id, actor, text="精简材料清单")
        engine.complete_measure(measure.id, actor)
        engine.start_rectification(item.id, actor)
        engine.submit_for_verification(item.id, actor)
        engine.verify(item.id, SUPERVISION)


def snapshot(path: Path) -> dict[str, Any]:
    """Pages, content bytes and rows of every table and index, and the sizes of COLUMNS."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("VACUUM")
        objects = {
            name: {"type": kind, "table": table}
            for name, kind, table in conn.execute("SELECT name, type, tbl_name FROM sqlite_schema")
        }
        stats: dict[str, dict[str, Any]] = {}
        for name, pgsize, payload in conn.execute(
            "SELECT name, SUM(pgsize), SUM(payload) FROM dbstat GROUP BY name"
        ):
            info = objects.get(name, {"type": "table", "table": name})
            stats[name] = {"pgsize": pgsize, "payload": payload, **info}
        for name, info in stats.items():
            if info["type"] == "table" and not name.startswith("sqlite_"):
                info["rows"] = conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]
        columns = {}
        for table, column, _ in COLUMNS:
            try:
                (size,) = conn.execute(
                    f'SELECT COALESCE(SUM(LENGTH("{column}")), 0) FROM "{table}"'
                ).fetchone()
            except sqlite3.OperationalError:  # the column is not there (another format)
                continue
            columns[f"{table}.{column}"] = size
    finally:
        conn.close()
    return {"objects": stats, "columns": columns, "pages_bytes": sum(v["pgsize"] for v in stats.values())}


def run(items: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="zhenggai-storage-") as folder:
        path = Path(folder) / "storage.db"
        with Engine(f"sqlite:///{path}", clock=VirtualClock(START)) as engine:
            engine.start_campaign(bench_setup(), key="bench")
        before = snapshot(path)
        with Engine(f"sqlite:///{path}", clock=VirtualClock(START)) as engine:
            live(engine, items)
        after = snapshot(path)
    rows = []
    for name, a in after["objects"].items():
        b = before["objects"].get(name, {"pgsize": 0, "payload": 0, "rows": 0})
        rows.append(
            {
                "name": name,
                "type": a["type"],
                "table": a["table"],
                "bytes_per_item": (a["pgsize"] - b["pgsize"]) / items,
                "payload_per_item": (a["payload"] - b["payload"]) / items,
                "rows_per_item": None if "rows" not in a else (a["rows"] - b.get("rows", 0)) / items,
            }
        )
    rows.sort(key=lambda r: -r["bytes_per_item"])
    columns = {
        key: (after["columns"][key] - before["columns"].get(key, 0)) / items for key in after["columns"]
    }
    total = (after["pages_bytes"] - before["pages_bytes"]) / items
    content = sum(r["payload_per_item"] for r in rows)
    hex_hashes = sum(v for k, v in columns.items() if k.endswith("hash"))
    return {
        "benchmark": "storage",
        "items": items,
        "bytes_per_item": total,
        "content_bytes_per_item": content,
        "spiff_bytes_per_item": SPIFF_BYTES_PER_ITEM,
        "ratio_vs_spiff": SPIFF_BYTES_PER_ITEM / total if total else None,
        "target_bytes_per_item": SPIFF_BYTES_PER_ITEM / 3,
        "meets": total <= SPIFF_BYTES_PER_ITEM / 3,
        "objects": rows,
        "columns_per_item": columns,
        "hex_hash_bytes_per_item": hex_hashes,
        "binary_hash_saving_per_item": hex_hashes / 2,
        "sqlite": sqlite3.sqlite_version,
    }


def table(doc: dict[str, Any]) -> str:
    lines = [
        f"{doc['items']} items, five-step life: {doc['bytes_per_item']:.0f} bytes of pages per item "
        f"({doc['content_bytes_per_item']:.0f} of content) after VACUUM; SpiffWorkflow {doc['spiff_bytes_per_item']} → "
        f"{doc['ratio_vs_spiff']:.2f}× less; target ≥ 3× (≤ {doc['target_bytes_per_item']:.0f}): "
        + ("met" if doc["meets"] else "NOT met"),
        "",
        f"{'table / index':<44} {'pages B/item':>12} {'content B/item':>14} {'rows/item':>9}",
    ]
    for r in doc["objects"]:
        if abs(r["bytes_per_item"]) < 0.5 and not r["payload_per_item"]:
            continue
        name = r["name"] if r["type"] == "table" else f"  {r['name']} (index)"
        rows = "" if r["rows_per_item"] is None else f"{r['rows_per_item']:.1f}"
        lines.append(f"{name:<44} {r['bytes_per_item']:>12.0f} {r['payload_per_item']:>14.0f} {rows:>9}")
    lines.append("")
    lines.append("columns a compact format would shrink (bytes per item):")
    for key, size in doc["columns_per_item"].items():
        lines.append(f"  {key:<28} {size:>8.0f}")
    lines.append(
        f"  hex hashes {doc['hex_hash_bytes_per_item']:.0f} B/item; as 32-byte binary: "
        f"−{doc['binary_hash_saving_per_item']:.0f} B/item"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1000, help="items (default 1000)")
    parser.add_argument("--smoke", action="store_true", help="10 items: does it work")
    parser.add_argument("--json", metavar="FILE", help="write the results as JSON")
    ns = parser.parse_args(argv)
    doc = run(10 if ns.smoke else ns.items)
    doc["smoke"] = ns.smoke
    print(table(doc))
    if ns.json:
        Path(ns.json).write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
