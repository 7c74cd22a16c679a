"""The engine's 佐证材料 methods (issue 17, 5), a part of :class:`~.service.Engine`; the work
is in :mod:`._attachments`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from . import _attachments
from ._attachment_stores import FolderStore
from ._attachment_views import AttachmentView
from ._runtime import Runtime
from .errors import InvalidInputError
from .ports import AttachmentStore
from .views import Actor

__all__ = ["AttachmentOperations", "attachment_store_of"]


def attachment_store_of(value: str | os.PathLike[str] | AttachmentStore | None) -> AttachmentStore | None:
    """The engine's ``attachments`` option as a store: a folder path, a store of the host's own
    (:class:`~.ports.AttachmentStore`), or None (beside a SQLite database file)."""
    if value is None:
        return None
    if isinstance(value, str | os.PathLike):
        return FolderStore(Path(value).expanduser())
    if isinstance(value, AttachmentStore):
        return value
    raise InvalidInputError("attachments", "须为目录路径或 AttachmentStore")


class AttachmentOperations:
    """佐证材料: attach, list, read and export evidence files."""

    _rt: Runtime

    def attach(self, kind: str, subject_id: int, data: bytes, file_name: str, actor: Actor) -> AttachmentView:
        """Attach a file to ``kind`` ``subject_id``: ``measure`` (a measure's id; the item's
        unit), ``duty`` (a duty occurrence's id; the duty's unit), ``verification`` (an item's
        id; a role that verifies, from outside the unit), ``review`` (a 回头看 task's id; its
        role) or ``reporter`` (an item's id; the roles that read reporters). Refused with one
        Chinese reason and nothing stored (:class:`AttachmentRefused`) when the file is empty,
        too big or, by its content, not of a type the definition's ``attachments`` accepts,
        or the subject has its ``max_per_subject`` files. The bytes are kept once per content
        (SHA-256), the row and an audit event naming the SHA-256 in one transaction."""
        return _attachments.attach(
            self._rt, actor, kind=kind, subject_id=subject_id, data=data, file_name=file_name
        )

    def attachments(self, item_id: int, actor: Actor) -> list[AttachmentView]:
        """An item's files, oldest first: a unit's actor sees its own unit's (another unit is
        refused); a reporter's files only the roles that read reporters."""
        return _attachments.attachments(self._rt, item_id, actor)

    def read_attachment(self, attachment_id: int, actor: Actor) -> bytes:
        """A file's bytes (checked against its SHA-256); refused to an actor of another unit,
        and a reporter's to anyone who may not read the reporter (that read is audited)."""
        return _attachments.read_attachment(self._rt, attachment_id, actor)[1]

    def attachment(self, attachment_id: int, actor: Actor) -> tuple[AttachmentView, bytes]:
        """A file with its bytes, on the rules of :meth:`read_attachment`."""
        return _attachments.read_attachment(self._rt, attachment_id, actor)

    def unit_attachments(
        self, campaign: str | int, unit: str, actor: Actor
    ) -> Iterator[tuple[AttachmentView, bytes]]:
        """Every file answerable to ``unit`` with its bytes, never a reporter's (for its 佐证材料
        zip); an actor of another unit is refused."""
        return _attachments.unit_attachments(self._rt, campaign, unit, actor)
