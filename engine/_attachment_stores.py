"""The two :class:`~.ports.AttachmentStore` implementations: files in a folder
(:class:`FolderStore`, the default) and a blob table in the engine's database
(:class:`DatabaseStore`, ``attachments.store: database``).

A folder keeps each content once at ``ab/cd/<sha256>`` (the first two pairs of hex digits as
sub-folders), written atomically: a temporary file in the same folder, flushed and fsynced,
renamed over the final name, and the folder fsynced. The file is written before the row that
names it, inside the row's transaction: a transaction that then fails leaves the file behind
(an orphan, harmless: the same content attached again finds it), never a row without its file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import tempfile
from pathlib import Path

from ._admin_statements import AdminStatements
from ._raw import Tx
from .errors import StorageError

__all__ = ["DatabaseStore", "FolderStore"]


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":  # a folder cannot be opened for fsync elsewhere
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FolderStore:
    """Files under ``root``, content-addressed by SHA-256 (``ab/cd/<sha256>``). ``sync=False``
    skips the fsyncs (a scratch database's, like the simulation's ``durability="normal"``)."""

    def __init__(self, root: str | os.PathLike[str], *, sync: bool = True) -> None:
        self.root = Path(root)
        self.sync = sync

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, sha256: str, data: bytes, tx: object) -> None:
        target = self.path(sha256)
        try:
            if target.exists() and target.stat().st_size == len(data):
                return  # one copy per content
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    if self.sync:
                        os.fsync(out.fileno())
                os.replace(temp, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise
            if self.sync:
                _fsync_dir(target.parent)
        except OSError as err:
            raise StorageError(f"佐证材料无法写入存放目录 {self.root}: {err.strerror or err}") from err

    def get(self, sha256: str, tx: object) -> bytes | None:
        target = self.path(sha256)
        try:
            return target.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as err:
            raise StorageError(f"佐证材料无法从存放目录 {self.root} 读取: {err.strerror or err}") from err


class DatabaseStore:
    """The bytes in ``zg_blob``, one row per content, written in the attachment's transaction."""

    def __init__(self, admin: AdminStatements, now: dt.datetime) -> None:
        self.admin = admin
        self.now = now

    def put(self, sha256: str, data: bytes, tx: object) -> None:
        assert isinstance(tx, Tx)
        if tx.one(self.admin.blob_exists, {"sha256": sha256}) is not None:
            return
        tx.run(
            self.admin.blob_insert,
            {"sha256": sha256, "size": len(data), "data": data, "created_at": self.now},
        )

    def get(self, sha256: str, tx: object) -> bytes | None:
        assert isinstance(tx, Tx)
        row = tx.one(self.admin.blob_data, {"sha256": sha256})
        return None if row is None else bytes(row["data"])


def digest(data: bytes) -> str:
    """The SHA-256 of ``data`` in lowercase hex (the attachment's address)."""
    return hashlib.sha256(data).hexdigest()
