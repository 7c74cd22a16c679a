"""The definition block of 佐证材料 (issue 17, 5): evidence files units attach to their measures
and duty deliveries, the office to its verifications and 回头看 findings
(:class:`AttachmentSpec`). :class:`~zhenggai.workflows.schema.CampaignSetup` names it and the
schema re-exports it.
"""

from __future__ import annotations

from typing import Literal, cast

from pydantic import Field

from ._spec import _Spec

__all__ = ["ATTACHMENT_TYPES", "AttachmentSpec"]

#: The file types the engine recognises by their content (never by the file name's extension),
#: with the name officials know them by.
ATTACHMENT_TYPES = {
    "pdf": "PDF 文件",
    "ofd": "OFD 版式文件",
    "docx": "Word 文档 (docx)",
    "xlsx": "Excel 表格 (xlsx)",
    "pptx": "PowerPoint 演示文稿 (pptx)",
    "doc": "Word 97-2003 文档 (doc, 含 WPS 文字)",
    "xls": "Excel 97-2003 表格 (xls, 含 WPS 表格)",
    "ppt": "PowerPoint 97-2003 演示文稿 (ppt)",
    "png": "PNG 图片",
    "jpeg": "JPEG 图片",
    "gif": "GIF 图片",
}

AttachmentType = Literal["pdf", "ofd", "docx", "xlsx", "pptx", "doc", "xls", "ppt", "png", "jpeg", "gif"]


class AttachmentSpec(_Spec):
    """佐证材料: files attached to measures, duty deliveries, verifications, 回头看 findings and
    reporters. ``store``: ``folder`` (content-addressed files in the folder the engine is given)
    or ``database`` (a blob table). A file larger than ``max_bytes`` or of a type not in
    ``types`` (decided by its content) is refused; at most ``max_per_subject`` files per measure,
    duty occurrence, verification, finding or reporter."""

    store: Literal["folder", "database"] = "folder"
    max_bytes: int = Field(default=20 * 1024 * 1024, ge=1, le=1024 * 1024 * 1024)
    types: list[AttachmentType] = Field(
        default_factory=lambda: cast("list[AttachmentType]", list(ATTACHMENT_TYPES)), min_length=1
    )
    max_per_subject: int = Field(default=20, le=1000)
