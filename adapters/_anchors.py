"""Anchor files: audit chain heads kept outside the database (issue 13, point 12).

An anchor file holds one JSON line per campaign per anchoring (:class:`zhenggai.engine.Anchor`),
appended by ``zhenggai audit anchor --out FILE`` and by the daemon once a day
(``zhenggai run --anchor-file FILE``), and never rewritten: it belongs on storage the database's
holder cannot write (another host, a write-once share, a printed copy, a mail to the office).
``zhenggai audit verify --anchors FILE`` checks each chain against every anchor of it: a tail
cut and the head moved back, a chain rewritten (re-hashed) or deleted are found.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

from zhenggai.engine import Anchor, Engine

from ._errors import CliError

__all__ = ["ANCHOR_EVERY", "anchor_if_due", "read_anchors", "write_anchors"]

#: An anchor file larger than this is not read (a file of anchors grows by a line per campaign a day).
MAX_ANCHOR_BYTES = 64 * 1024 * 1024

#: How often the daemon (and ``run --once`` from cron) anchors the chain heads.
ANCHOR_EVERY = dt.timedelta(days=1)


def anchor_if_due(
    engine: Engine, path: str | os.PathLike[str], every: dt.timedelta = ANCHOR_EVERY
) -> list[Anchor] | None:
    """Anchor every chain head in ``path`` when its last anchor is ``every`` old or more (or it
    has none): the anchors written, or None when none were due."""
    last = last_anchored_at(path)
    if last is not None and engine.clock.now() - last < every:
        return None
    return write_anchors(engine, path)


def last_anchored_at(path: str | os.PathLike[str]) -> dt.datetime | None:
    """When the newest anchor of ``path`` was taken (its last line), or None: no file, no
    anchor, or a last line that is not one (anchoring again is harmless)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 8192))
            tail = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return None
    lines = [line for line in tail.splitlines() if line.strip()]
    if not lines:
        return None
    try:
        return Anchor.from_json(lines[-1]).anchored_at
    except ValueError:
        return None


def write_anchors(engine: Engine, path: str | os.PathLike[str], campaign: str | None = None) -> list[Anchor]:
    """Append the current chain heads (every campaign's, or one's) to ``path`` and make sure
    they are on disk before returning them."""
    anchors = engine.audit_anchors(campaign)
    target = Path(path)
    text = "".join(a.to_json() + "\n" for a in anchors)
    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as err:
        raise CliError(f"锚点文件 {target} 无法写入: {err.strerror or err}") from None
    return anchors


def read_anchors(path: str | os.PathLike[str]) -> list[Anchor]:
    """Every anchor of ``path``; one error naming ``file:line`` for the first line that is not
    an anchor (blank lines are skipped)."""
    source = Path(path)
    try:
        if source.stat().st_size > MAX_ANCHOR_BYTES:
            raise CliError(f"锚点文件 {source} 超过 {MAX_ANCHOR_BYTES // (1024 * 1024)} MB, 不予读取")
        raw = source.read_bytes()
    except FileNotFoundError:
        raise CliError(f"锚点文件不存在: {source}") from None
    except OSError as err:
        raise CliError(f"锚点文件 {source} 无法读取: {err.strerror or err}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        at = raw[: err.start].count(b"\n") + 1
        raise CliError(f"{source}:{at}: 不是 UTF-8 文本") from None
    anchors: list[Anchor] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            anchors.append(Anchor.from_json(line))
        except ValueError as err:
            raise CliError(f"{source}:{number}: {err}") from None
    return anchors


def summary(anchors: Sequence[Anchor]) -> str:
    """One line for an operator: how many chain heads were anchored, up to which events."""
    heads = ", ".join(f"{a.campaign} #{a.seq}" for a in anchors[:5]) + (" …" if len(anchors) > 5 else "")
    return f"已记录 {len(anchors)} 个专项行动的审计链锚点: {heads}" if anchors else "没有专项行动, 未记录锚点"
