"""What kind of file a 佐证材料 is, decided by its content (magic bytes), never by its name.

PDF (``%PDF-``), OFD and the OOXML formats (a zip whose central directory names
``[Content_Types].xml`` and ``word/`` / ``xl/`` / ``ppt/`` parts, or ``OFD.xml``), the OLE2
compound files of Office 97-2003 and WPS (``D0CF11E0``, told apart by the stream names in their
directory: ``WordDocument``, ``Workbook`` / ``Book``, ``PowerPoint Document``), PNG, JPEG and
GIF. A zip is only looked at through its central directory (the names of its members): nothing
is decompressed, so a zip bomb costs no more than its size. A pure module: no I/O.
"""

from __future__ import annotations

import io
import zipfile

__all__ = ["MEDIA_TYPES", "sniff"]

#: The media type of each kind.
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "ofd": "application/ofd",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
}

#: At most this many members in a zip's central directory (a document has tens).
MAX_ZIP_MEMBERS = 10_000

_OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")
_OLE2_STREAMS = (
    ("doc", "WordDocument"),
    ("xls", "Workbook"),
    ("ppt", "PowerPoint Document"),
    ("xls", "Book"),
)


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:  # reads the central directory only
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                return None
            names = {info.filename for info in infos}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if "OFD.xml" in names:
        return "ofd"
    if "[Content_Types].xml" not in names:
        return None
    for kind, part in (
        ("docx", "word/document.xml"),
        ("xlsx", "xl/workbook.xml"),
        ("pptx", "ppt/presentation.xml"),
    ):
        if part in names:
            return kind
    return None


def _ole2_kind(data: bytes) -> str | None:
    for kind, stream in _OLE2_STREAMS:
        if stream.encode("utf-16-le") in data:
            return kind
    return None


def sniff(data: bytes) -> str | None:
    """The kind of file ``data`` is (a key of :data:`MEDIA_TYPES`), or None when it is none of
    them (an executable, a plain zip, text, …)."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(_OLE2):
        return _ole2_kind(data)
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return None
