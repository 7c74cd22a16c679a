"""佐证材料 (issue 17, 5): evidence files attached to a measure (by the item's unit), a duty
delivery (by the duty's unit), a verification (by a role that verifies, from outside the unit),
a 回头看 finding (by the review's role) or a reporter (by the custodian who reads reporters).

A file is refused, with one Chinese reason and nothing stored, when it is empty or larger than
``attachments.max_bytes``, when its content (never its name) is not one of ``attachments.types``
(:mod:`._file_types`), or when its subject already has ``max_per_subject`` files. Its bytes are
kept once per content by SHA-256 in the store the definition names (:mod:`._attachment_stores`),
then its row and an audit event of its item (or duty occurrence) naming the SHA-256, in one
transaction.

Reading: a unit-bound actor sees and reads only its own unit's files; a reporter's files only
the roles that may read the reporter (each read audited as ``read_reporter`` is), and they are
never listed for a unit nor exported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select
from zhenggai.workflows.schema import ATTACHMENT_TYPES, AttachmentSpec

from ._access import check_actor, check_operation
from ._admin_statements import ATTACHMENT
from ._attachment_stores import DatabaseStore, FolderStore, digest
from ._attachment_views import ATTACHMENT_SUBJECTS, AttachmentView
from ._file_types import MEDIA_TYPES, sniff
from ._inputs import check_id, unit_id_of
from ._raw import Tx
from ._runtime import Runtime
from ._statements import ITEM
from ._writes import Campaign, append_event
from .errors import (
    AttachmentNotFound,
    AttachmentRefused,
    InvalidInputError,
    MeasureNotFound,
    PermissionDeniedError,
    ReviewNotFound,
    StorageError,
)
from .ports import AttachmentStore
from .views import Actor

__all__ = [
    "attach",
    "attachment_names",
    "attachments",
    "default_folder",
    "read_attachment",
    "unit_attachments",
]

ATTACH = "attach_file"
READ = "read_attachment"
NAMES = {ATTACH: "上传佐证材料", READ: "查阅佐证材料"}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def default_folder(rt: Runtime) -> Path | None:
    """Where a folder store keeps files when the engine was given none: beside a SQLite database
    file, in ``<file>.attachments``; None for any other database."""
    url = rt.store.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if url.database.startswith("file:"):
        return None
    return Path(url.database).expanduser().resolve().with_name(Path(url.database).name + ".attachments")


def _spec(camp: Campaign, name: str) -> AttachmentSpec:
    spec = None if camp.setup is None else camp.setup.attachments
    if spec is None:
        raise AttachmentRefused(name, "实施方案没有规定佐证材料")
    return spec


def _store(rt: Runtime, spec: AttachmentSpec, name: str) -> AttachmentStore:
    if spec.store == "database":
        return DatabaseStore(rt.admin, rt.now())
    if rt.attachment_store is not None:
        return rt.attachment_store
    folder = default_folder(rt)
    if folder is None:
        raise AttachmentRefused(
            name, "未配置佐证材料存放目录 (Engine(attachments=…), --attachments 或 ZHENGGAI_ATTACHMENTS)"
        )
    return FolderStore(folder)


def safe_file_name(name: object) -> str:
    """The file name as given, without any folder part, control or reserved characters, at most
    200 characters (its extension kept)."""
    if not isinstance(name, str):
        raise InvalidInputError("file_name", "须为文本")
    base = re.split(r"[/\\]", name)[-1]
    clean = _UNSAFE.sub("_", base).strip().strip(".").strip()
    if not clean:
        raise InvalidInputError("file_name", "文件名不能为空")
    if len(clean) > 200:
        stem, dot, ext = clean.rpartition(".")
        clean = (stem[: 199 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else clean[:200]
    return clean


def _checked_content(spec: AttachmentSpec, name: str, data: object) -> tuple[str, bytes]:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidInputError("data", "须为文件内容 (bytes)")
    raw = bytes(data)
    if not raw:
        raise AttachmentRefused(name, "文件为空")
    if len(raw) > spec.max_bytes:
        raise AttachmentRefused(name, f"文件大小 {_size(len(raw))} 超过上限 {_size(spec.max_bytes)}")
    kind = sniff(raw)
    allowed = "、".join(ATTACHMENT_TYPES[t] for t in spec.types)
    if kind is None:
        raise AttachmentRefused(name, f"文件内容不是认可的类型 (按内容判断, 不看扩展名); 只接收: {allowed}")
    if kind not in spec.types:
        raise AttachmentRefused(name, f"实施方案不接收{ATTACHMENT_TYPES[kind]}; 只接收: {allowed}")
    return kind, raw


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} 字节"


def _refuse(actor: Actor, detail: str, action: str = ATTACH) -> PermissionDeniedError:
    return PermissionDeniedError(actor.name, actor.role, action, detail, NAMES)


def _own_unit(camp: Campaign, actor: Actor, unit_id: int | None) -> bool:
    return (
        camp.roles[actor.role].unit_bound
        and unit_id is not None
        and camp.unit_ids.get(actor.unit or "") == unit_id
    )


def _verifier_roles(camp: Campaign) -> frozenset[str]:
    """The roles that verify an item: those of the transitions recording a verification (the
    ``record_verification`` effect)."""
    spec = camp.lifecycle.spec
    return frozenset(r for t in spec.transitions if "record_verification" in t.effects for r in t.roles)


def _subject(
    rt: Runtime, tx: Tx, actor: Actor, kind: str, subject_id: int
) -> tuple[Campaign, Mapping[str, Any] | None, int | None, dict[str, Any], int | None]:
    """The campaign, item row, answerable unit, event data and duty id of the subject, once the
    actor is known to be the one who may attach to it."""
    if kind == "duty":
        duty = rt.load_duty(tx, subject_id)
        camp = rt.campaign(tx, duty["campaign_id"])
        check_actor(camp, actor)
        if not _own_unit(camp, actor, duty["unit_id"]):
            raise _refuse(actor, "只有该职责的责任单位可以上传报送材料")
        data = {
            "duty": duty["duty_key"],
            "unit": camp.unit_keys[duty["unit_id"]],
            "due": duty["due"].isoformat(),
        }
        return camp, None, duty["unit_id"], data, duty["id"]
    if kind == "measure":
        measure = tx.one(rt.st.measure, {"id": subject_id})
        if measure is None:
            raise MeasureNotFound(subject_id)
        item_id = measure["item_id"]
    elif kind == "review":
        review = tx.one(rt.st.review, {"id": subject_id})
        if review is None:
            raise ReviewNotFound(subject_id)
        item_id = review["item_id"]
    else:
        review = None
        item_id = subject_id
    row = rt.load_item(tx, item_id)
    camp = rt.campaign(tx, row["campaign_id"], row["campaign_version"])
    check_actor(camp, actor)
    unit = row["responsible_unit_id"]
    if kind == "measure" and not _own_unit(camp, actor, unit):
        raise _refuse(actor, "只有该问题的责任单位可以为整改措施上传佐证材料")
    if kind == "verification":
        if actor.role not in _verifier_roles(camp) or camp.roles[actor.role].unit_bound:
            raise _refuse(actor, "只有验收人员可以上传验收材料")
        if unit is not None and camp.unit_ids.get(actor.unit or "") == unit:
            raise _refuse(actor, "验收人员不能属于责任单位")
    if kind == "review" and review is not None and actor.role != review["role"]:
        raise _refuse(actor, "只有回头看人员可以上传回头看材料")
    if kind == "reporter":
        check_operation(camp, actor, "read_reporter", None)
        unit = None
    return camp, row, unit, {}, None


def attach(
    rt: Runtime, actor: Actor, *, kind: str, subject_id: int, data: bytes, file_name: str
) -> AttachmentView:
    if kind not in ATTACHMENT_SUBJECTS:
        raise InvalidInputError("kind", f"须为以下之一: {'、'.join(ATTACHMENT_SUBJECTS)}")
    check_id("subject_id", subject_id, ATTACHMENT_SUBJECTS[kind])
    name = safe_file_name(file_name)
    now = rt.now()
    with rt.store.transaction() as tx:
        camp, row, unit, subject_data, duty_id = _subject(rt, tx, actor, kind, subject_id)
        spec = _spec(camp, name)
        file_kind, raw = _checked_content(spec, name, data)
        if (
            len(tx.all(rt.admin.attachments_of_subject, {"kind": kind, "sid": subject_id}))
            >= spec.max_per_subject
        ):
            raise AttachmentRefused(name, f"每项至多 {spec.max_per_subject} 份佐证材料, 已满")
        sha = digest(raw)
        _store(rt, spec, name).put(sha, raw, tx)  # durable before the row that names it
        values: dict[str, Any] = {
            "campaign_id": camp.id,
            "item_id": None if row is None else row["id"],
            "subject_kind": kind,
            "subject_id": subject_id,
            "unit_id": unit,
            "file_name": name,
            "kind": file_kind,
            "media_type": MEDIA_TYPES[file_kind],
            "size": len(raw),
            "sha256": sha,
            "created_by": actor.name,
            "created_at": now,
        }
        values["id"] = tx.scalar(rt.admin.attachment_insert, values)
        state = None if row is None else row["state"]
        append_event(
            tx,
            rt.st,
            camp.id,
            item_id=values["item_id"],
            trigger=ATTACH,
            from_state=state,
            to_state=state,
            actor=actor,
            at=now,
            data={
                **subject_data,
                "attachment": values["id"],
                "subject_kind": kind,
                "subject_id": subject_id,
                "file_name": name,
                "kind": file_kind,
                "size": len(raw),
                "sha256": sha,
            },
            duty_id=duty_id,
        )
    return attachment_view(camp, values, None if row is None else row["number"])


def _may_see_reporters(camp: Campaign, actor: Actor) -> bool:
    return actor.role in camp.operations.get("read_reporter", frozenset())


def attachments(rt: Runtime, item_id: int, actor: Actor) -> list[AttachmentView]:
    """The files of one item, oldest first: a unit-bound actor of the item's unit sees its own
    unit's, another unit's is refused; a reporter's only by the roles that read reporters."""
    with rt.store.read() as conn:
        row = rt.load_item(conn, item_id)
        camp = rt.campaign(conn, row["campaign_id"], row["campaign_version"])
        check_actor(camp, actor)
        query = select(ATTACHMENT).where(ATTACHMENT.c.item_id == item_id)
        if camp.roles[actor.role].unit_bound:
            if not _own_unit(camp, actor, row["responsible_unit_id"]):
                raise _refuse(actor, "只能查阅本单位负责的问题的佐证材料", READ)
            query = query.where(ATTACHMENT.c.unit_id == camp.unit_ids[actor.unit or ""])
        if not _may_see_reporters(camp, actor):
            query = query.where(ATTACHMENT.c.subject_kind != "reporter")
        rows = conn.execute(query.order_by(ATTACHMENT.c.id)).mappings().all()
        return [attachment_view(camp, r, row["number"]) for r in rows]


def read_attachment(rt: Runtime, attachment_id: int, actor: Actor) -> tuple[AttachmentView, bytes]:
    """The file and its bytes, checked against its SHA-256. A reporter's file: only the roles
    that read reporters, and the read is audited; another unit's: refused."""
    check_id("attachment_id", attachment_id, "佐证材料")
    now = rt.now()
    with rt.store.transaction() as tx:
        att = tx.one(rt.admin.attachment, {"id": attachment_id})
        if att is None:
            raise AttachmentNotFound(attachment_id)
        camp = rt.campaign(tx, att["campaign_id"])
        check_actor(camp, actor)
        item = None if att["item_id"] is None else rt.load_item(tx, att["item_id"])
        if att["subject_kind"] == "reporter":
            check_operation(camp, actor, "read_reporter", None)
        elif camp.roles[actor.role].unit_bound and not _own_unit(camp, actor, att["unit_id"]):
            raise _refuse(actor, "只能查阅本单位的佐证材料", READ)
        spec = _spec(camp, att["file_name"])
        data = _store(rt, spec, att["file_name"]).get(att["sha256"], tx)
        if data is None or digest(data) != att["sha256"]:
            raise StorageError(f"佐证材料 {attachment_id} 的文件缺失或已被改动 (SHA-256 不符)")
        if att["subject_kind"] == "reporter" and item is not None:
            append_event(
                tx,
                rt.st,
                camp.id,
                item_id=item["id"],
                trigger=READ,
                from_state=item["state"],
                to_state=item["state"],
                actor=actor,
                at=now,
                data={"attachment": attachment_id, "sha256": att["sha256"]},
            )
    return attachment_view(camp, att, None if item is None else item["number"]), data


def unit_attachments(
    rt: Runtime, campaign: str | int, unit: str, actor: Actor
) -> Iterator[tuple[AttachmentView, bytes]]:
    """Every file answerable to ``unit`` (never a reporter's), oldest first, with its bytes;
    a unit-bound actor of another unit is refused."""
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        check_actor(camp, actor)
        uid = unit_id_of(camp, unit)
        if camp.roles[actor.role].unit_bound and not _own_unit(camp, actor, uid):
            raise _refuse(actor, "只能导出本单位的佐证材料", READ)
        query = (
            select(ATTACHMENT, ITEM.c.number)
            .outerjoin(ITEM, ITEM.c.id == ATTACHMENT.c.item_id)
            .where(
                ATTACHMENT.c.campaign_id == camp.id,
                ATTACHMENT.c.unit_id == uid,
                ATTACHMENT.c.subject_kind != "reporter",
            )
            .order_by(ATTACHMENT.c.id)
        )
        rows = conn.execute(query).mappings().all()
    spec = _spec(camp, unit)
    store = _store(rt, spec, unit)
    for r in rows:
        with rt.store.read() as conn:
            data = store.get(r["sha256"], Tx.on(conn))
        if data is None or digest(data) != r["sha256"]:
            raise StorageError(f"佐证材料 {r['id']} 的文件缺失或已被改动 (SHA-256 不符)")
        yield attachment_view(camp, r, r["number"]), data


def attachment_names(conn: Connection, camp_id: int, item_ids: Sequence[int]) -> dict[int, list[str]]:
    """The names of the files of the items ``item_ids`` (no reporter's), by item: looked up by
    those ids (``ix_zg_attachment_item``), not by a range of the campaign's ids."""
    if not item_ids:
        return {}
    query = (
        select(ATTACHMENT.c.item_id, ATTACHMENT.c.file_name)
        .where(
            ATTACHMENT.c.item_id.in_(list(item_ids)),  # the items are the campaign's (camp_id)
            ATTACHMENT.c.subject_kind != "reporter",
        )
        .order_by(ATTACHMENT.c.item_id, ATTACHMENT.c.id)  # each item's in id order, down the index
    )
    names: dict[int, list[str]] = {}
    for r in conn.execute(query).mappings():
        names.setdefault(r["item_id"], []).append(r["file_name"])
    return names


def attachment_view(camp: Campaign, r: Mapping[Any, Any], number: str | None) -> AttachmentView:
    unit = r["unit_id"]
    return AttachmentView(
        id=r["id"],
        campaign=camp.key,
        item_id=r["item_id"],
        item_number=number,
        subject_kind=r["subject_kind"],
        subject_label=ATTACHMENT_SUBJECTS[r["subject_kind"]],
        subject_id=r["subject_id"],
        unit=None if unit is None else camp.unit_keys[unit],
        unit_name=None if unit is None else camp.unit_names[unit],
        file_name=r["file_name"],
        kind=r["kind"],
        media_type=r["media_type"],
        size=r["size"],
        sha256=r["sha256"],
        created_by=r["created_by"],
        created_at=r["created_at"],
    )
