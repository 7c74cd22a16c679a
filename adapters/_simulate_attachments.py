"""The simulated 佐证材料 (issue 17): when a unit sets down a measure it attaches, about half the
time (:data:`SHARE`), a small generated PDF (a scan of its 整改方案) or PNG (a photo of the site):
a few hundred bytes with the right magic, so the engine takes them by their content. A simulation
on a SQLite file keeps them beside it unsynced; on another database in memory (:class:`MemoryStore`)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

from zhenggai.engine import AttachmentStore, Engine, FolderStore

__all__ = ["MemoryStore", "attach_evidence", "attachment_summary", "simulation_store"]

#: The share of measures a unit attaches evidence to.
SHARE = 0.5


class MemoryStore:
    """An :class:`~zhenggai.engine.AttachmentStore` in memory, for a throw-away simulation."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def put(self, sha256: str, data: bytes, tx: object) -> None:
        self.files.setdefault(sha256, data)

    def get(self, sha256: str, tx: object) -> bytes | None:
        return self.files.get(sha256)


def simulation_store(db: str) -> AttachmentStore:
    """Beside a SQLite file, as the engine's default folder but without fsyncs (a scratch
    database, like its ``durability="normal"``); a :class:`MemoryStore` for any other database."""
    if "://" in db and not db.startswith("sqlite:///"):
        return MemoryStore()
    path = Path(db.removeprefix("sqlite:///")).expanduser().resolve()
    return FolderStore(path.with_name(path.name + ".attachments"), sync=False)


def _pdf(text: str) -> bytes:
    body = f"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj % {text}"
    return b"%PDF-1.4\n" + body.encode("utf-8") + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _png(seed: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixel = bytes([0, seed % 256, (seed // 256) % 256, 128])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(pixel))
        + chunk(b"IEND", b"")
    )


def attach_evidence(sim: Any, engine: Engine, item_id: int, actor: Any, measure_id: int) -> None:
    """The unit attaches a scan or a photo to the measure it just set down, about half the time."""
    if sim.setup.attachments is None or sim.rng.random() >= SHARE:
        return
    if sim.rng.random() < 0.5:
        engine.attach(
            "measure", measure_id, _pdf(f"item {item_id} measure {measure_id}"), "整改方案.pdf", actor
        )
    else:
        engine.attach("measure", measure_id, _png(measure_id), "现场照片.png", actor)


def attachment_summary(engine: Engine, key: str) -> str | None:
    """The summary's 佐证材料 line: files attached, measures in all, and the share."""
    rows = engine.ledger(key)
    files = sum(len(r.attachments) for r in rows)
    measures = sum(len(r.measures) for r in rows)
    if not files:
        return None
    return f"  佐证材料 {files} 份 (整改措施 {measures} 项, 约 {round(100 * files / max(measures, 1))}% 附有佐证材料)"
