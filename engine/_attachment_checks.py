"""What ``zhenggai check`` says about 佐证材料 (``attachments``)."""

from __future__ import annotations

from zhenggai.workflows.schema import CampaignSetup

from ._checks_common import duplicates

__all__ = ["attachment_problems"]

#: A file kept in the database at most this big (a blob table is no place for video).
DATABASE_MAX_BYTES = 100 * 1024 * 1024


def attachment_problems(setup: CampaignSetup) -> list[str]:
    """``attachments``: types once each; at least one file per subject; a database store not
    asked to hold files past :data:`DATABASE_MAX_BYTES`."""
    spec = setup.attachments
    if spec is None:
        return []
    problems = duplicates("attachments.types", list(spec.types), "文件类型", with_id=False)
    if spec.max_per_subject < 1:
        problems.append(f"attachments.max_per_subject: 每项至多份数须至少为 1, 收到 {spec.max_per_subject}")
    if spec.store == "database" and spec.max_bytes > DATABASE_MAX_BYTES:
        problems.append(
            f"attachments.max_bytes: 存入数据库的佐证材料每份至多 {DATABASE_MAX_BYTES // 1024 // 1024} MB,"
            f" 收到 {spec.max_bytes} 字节 (大文件请用 store: folder)"
        )
    return problems
