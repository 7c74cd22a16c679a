"""The commands of 佐证材料 (issue 17): ``zhenggai attachment add | list | get | export``
(``Engine.attach`` / ``attachments`` / ``attachment`` / ``unit_attachments``)."""

from __future__ import annotations

import argparse
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from zhenggai.engine import AttachmentView

from ._context import ActorTuple, _actor, _campaign_key, _print_json, open_engine
from ._errors import CliError
from ._tables import render_table

__all__ = ["ATTACHMENT_COMMANDS", "export_path"]


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KB"


def _said(view: AttachmentView) -> str:
    where = f"问题 {view.item_number or view.item_id}" if view.item_id is not None else "职责报送"
    return (
        f"佐证材料 {view.id}: {view.file_name} ({view.kind}, {_size(view.size)}), "
        f"{where} {view.subject_label}, SHA-256 {view.sha256[:16]}…"
    )


def _subject(args: argparse.Namespace) -> tuple[str, int]:
    if args.item is not None:
        if args.verification:
            return "verification", args.item
        if args.reporter:
            return "reporter", args.item
        raise CliError("--item 须与 --verification (验收材料) 或 --reporter (举报人材料) 同用")
    if args.verification or args.reporter:
        raise CliError("--verification / --reporter 须与 --item 同用")
    if args.measure is not None:
        return "measure", args.measure
    if args.duty is not None:
        return "duty", args.duty
    return "review", args.review


def cmd_attachment_add(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai attachment add (--measure ID | …) FILE: attach a file."""
    kind, subject_id = _subject(args)
    path = Path(args.file).expanduser()
    try:
        data = path.read_bytes()
    except OSError as err:
        raise CliError(f"无法读取文件 {path}: {err.strerror or err}") from err
    with open_engine(db, attachments=args.attachments) as engine:
        view = engine.attach(kind, subject_id, data, args.name or path.name, _actor(actor))
    _print_json(view.to_dict()) if args.json else print(_said(view))
    return 0


def cmd_attachment_list(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai attachment list ITEM: an item's files the actor may see."""
    with open_engine(db) as engine:
        views = engine.attachments(args.item_id, _actor(actor))
    if args.json:
        _print_json([v.to_dict() for v in views])
        return 0
    if not views:
        print(f"问题 {args.item_id} 没有佐证材料。")
        return 0
    rows = [
        [str(v.id), v.subject_label, v.file_name, v.kind, _size(v.size), v.created_by, v.sha256[:16]]
        for v in views
    ]
    print(render_table(["编号", "类别", "文件名", "类型", "大小", "上传人", "SHA-256"], rows))
    return 0


def _write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def cmd_attachment_get(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai attachment get ID --out FILE: write one file (its SHA-256 checked)."""
    with open_engine(db, attachments=args.attachments) as engine:
        view, data = engine.attachment(args.attachment_id, _actor(actor))
    out = Path(args.out).expanduser()
    if out.is_dir():
        out = out / view.file_name
    _write_atomically(out, lambda f: f.write(data))
    print(f"已写入 {out} ({view.file_name}, {_size(view.size)})")
    return 0


def export_path(view: AttachmentView) -> str:
    """Where a file goes in a unit's zip: a folder per item number (职责报送 for a duty's), the
    file's id before its name (two files may share a name)."""
    folder = view.item_number or (f"问题{view.item_id}" if view.item_id is not None else "职责报送")
    return f"{folder}/{view.subject_label}/{view.id}-{view.file_name}"


def cmd_attachment_export(args: argparse.Namespace, db: str, actor: ActorTuple | None) -> int:
    """zhenggai attachment export --unit U --out FILE.zip: one unit's evidence in one zip."""
    out = Path(args.out).expanduser()
    count = 0
    with open_engine(db, attachments=args.attachments) as engine:
        files = engine.unit_attachments(_campaign_key(engine, args.campaign), args.unit, _actor(actor))

        def write(stream: BinaryIO) -> None:
            nonlocal count
            with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for view, data in files:
                    archive.writestr(export_path(view), data)
                    count += 1

        _write_atomically(out, write)
    print(f"已导出 {count} 份佐证材料到 {out}")
    return 0


ATTACHMENT_COMMANDS = {
    "attachment_add": cmd_attachment_add,
    "attachment_list": cmd_attachment_list,
    "attachment_get": cmd_attachment_get,
    "attachment_export": cmd_attachment_export,
}
