"""The view of a 佐证材料 (evidence file), and the names of its subjects' kinds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from ._item_views import _View

__all__ = ["ATTACHMENT_SUBJECTS", "AttachmentView"]

#: The kinds of subject a file is attached to, with the name officials know them by.
ATTACHMENT_SUBJECTS: Mapping[str, str] = {
    "measure": "整改措施",
    "duty": "职责报送",
    "verification": "验收",
    "review": "回头看",
    "reporter": "举报人材料",
}


@dataclass(frozen=True, slots=True)
class AttachmentView(_View):
    """An evidence file attached to ``subject_kind`` (measure / duty / verification / review /
    reporter) ``subject_id`` of item ``item_id`` (None for a duty's), answerable to ``unit``
    (None for a reporter's). ``kind`` (pdf, docx, png, …) and ``media_type`` were decided by
    the content; ``sha256`` addresses the bytes (:meth:`Engine.read_attachment`)."""

    id: int
    campaign: str
    item_id: int | None
    item_number: str | None
    subject_kind: str
    subject_label: str
    subject_id: int
    unit: str | None
    unit_name: str | None
    file_name: str
    kind: str
    media_type: str
    size: int
    sha256: str
    created_by: str
    created_at: dt.datetime
