"""Items coming in by the batch: imports all or nothing, and the 关联研判 flags that reports raise."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, select
from zhenggai.workflows.schema import TransitionSpec

from ._access import check_actor, check_operation, check_role, item_operation
from ._inputs import LEADER_BY_LEAD, checked_due, checked_text, known_value, local_day, reporter_fields
from ._raw import Tx
from ._rows import ItemRow
from ._runtime import Runtime
from ._statements import DUPLICATE, ITEM
from ._transitions import fire_in, report_in
from ._viewing import item_view
from ._writes import Campaign, append_event, cas_update
from .errors import (
    DuplicateNotFound,
    GuardFailedError,
    ImportRejected,
    InvalidInputError,
    ReporterKeyError,
    TransitionNotAllowedError,
    ZhenggaiError,
)
from .views import Actor, DuplicateView, ImportProblem, ImportResult, NewItem


def import_items(
    rt: Runtime,
    campaign: str | int,
    actor: Actor,
    entries: Sequence[NewItem],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    now = rt.now()
    with rt.store.transaction() as tx:
        camp = rt.campaign(tx, campaign)
        check_actor(camp, actor)
        check_operation(camp, actor, "report", None)
        if rt.reporter_keys is None and any(e.reporter is not None for e in entries):
            raise ReporterKeyError.no_key(
                "导入的问题有举报人信息, 须加密保存, 但未配置举报人密钥 (未导入任何问题)"
            )
        assign = assigning_transition(camp)
        problems = [p for i, e in enumerate(entries) for p in _entry_problems(camp, i, e, assign, now)]
        if not entries:
            problems.append(ImportProblem(0, "title", "没有要导入的问题"))
        if problems:
            raise ImportRejected(problems)
        if assign is not None and any(e.unit is not None for e in entries):
            check_role(camp, actor, assign.trigger, assign.roles, None)
        rows: list[ItemRow] = []
        for i, e in enumerate(entries):
            if progress is not None:
                progress(i, len(entries))
            try:
                row = report_in(
                    rt,
                    tx,
                    camp,
                    actor,
                    now,
                    title=e.title,
                    description=e.description,
                    track=e.track,
                    channel=e.channel,
                    severity=e.severity,
                    reporter=e.reporter,
                    unit_id=None if e.unit is None else camp.unit_ids[e.unit],
                )
                if e.unit is not None and assign is not None:
                    data = {"unit": e.unit, "due": e.due}
                    _, row, _ = fire_in(rt, tx, row["id"], assign.trigger, actor, None, data, now)
            except ZhenggaiError as err:
                raise ImportRejected([ImportProblem(i, getattr(err, "field", "title"), str(err))]) from err
            rows.append(row)
        if progress is not None:
            progress(len(entries), len(entries))
        ids = {r["id"] for r in rows}
        flags = [
            f
            for f in tx.all(rt.st.duplicates_from, {"cid": camp.id, "first": min(ids)})
            if f["item_id"] in ids
        ]
        titles = item_titles(rt, tx, flags)
    items = tuple(item_view(camp, r) for r in rows)
    return ImportResult(items, tuple(duplicate_view(camp, f, titles) for f in flags))


def duplicates(rt: Runtime, campaign: str | int, *, unresolved: bool = True) -> list[DuplicateView]:
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
        query = select(DUPLICATE).where(DUPLICATE.c.campaign_id == camp.id).order_by(DUPLICATE.c.id)
        if unresolved:
            query = query.where(DUPLICATE.c.resolved_at.is_(None))
        flags = [dict(r) for r in conn.execute(query).mappings()]
        titles = item_titles(rt, conn, flags)
        return [duplicate_view(camp, f, titles) for f in flags]


def resolve_duplicate(
    rt: Runtime, flag_id: int, actor: Actor, *, merge: bool, note: str | None = None
) -> DuplicateView:
    now = rt.now()
    st = rt.st
    with rt.store.transaction() as tx:
        flag = tx.one(st.duplicate, {"id": flag_id})
        if flag is None:
            raise DuplicateNotFound(flag_id)
        row, camp = item_operation(rt, tx, flag["item_id"], actor, "resolve_duplicate", None)
        if flag["resolved_at"] is not None:
            raise GuardFailedError(
                flag["item_id"],
                "resolve_duplicate",
                "unresolved",
                f"该疑似重复已于 {local_day(camp, flag['resolved_at'])} 研判",
                DUPLICATE_NAMES,
            )
        resolution = "same" if merge else "distinct"
        data: dict[str, Any] = {"flag": flag_id, "other": flag["other_id"], "resolution": resolution}
        if note is not None:
            data["note"] = checked_text("note", note)
        if merge:
            spec = next(
                (
                    t
                    for t in camp.lifecycle.spec.transitions
                    if "record_merge" in t.effects and row["state"] in t.source
                ),
                None,
            )
            if spec is None:
                raise TransitionNotAllowedError(
                    row["id"],
                    row["state"],
                    "resolve_duplicate",
                    camp.lifecycle.allowed_triggers(row["state"]),
                    camp.lifecycle.names,
                )
            fire_in(
                rt,
                tx,
                flag["item_id"],
                spec.trigger,
                actor,
                None,
                {"survivor_id": flag["other_id"], "note": note},
                now,
            )
        else:
            cas_update(tx, st, row, {"updated_at": now, "version": row["version"] + 1})
            append_event(
                tx,
                st,
                camp.id,
                item_id=row["id"],
                trigger="resolve_duplicate",
                from_state=row["state"],
                to_state=row["state"],
                actor=actor,
                at=now,
                data=data,
            )
        tx.run(
            st.duplicate_resolve,
            {"id": flag_id, "resolved_at": now, "resolved_by": actor.name, "resolution": resolution},
        )
        flag = tx.one(st.duplicate, {"id": flag_id})
        assert flag is not None
        view = duplicate_view(camp, flag, item_titles(rt, tx, [flag]))
    return view


def assigning_transition(camp: Campaign) -> TransitionSpec | None:
    """The transition from the initial state that assigns a unit (``set_assignment``)."""
    initial = camp.lifecycle.spec.initial
    for t in camp.lifecycle.spec.transitions:
        if initial in t.source and "set_assignment" in t.effects:
            return t
    return None


def item_titles(rt: Runtime, db: Tx | Connection, flags: Sequence[Mapping[str, Any]]) -> dict[int, str]:
    ids = sorted({f["item_id"] for f in flags} | {f["other_id"] for f in flags})
    if not ids:
        return {}
    if isinstance(db, Tx):
        return {i: db.scalar(rt.st.item_title, {"id": i}) for i in ids}
    return {r.id: r.title for r in db.execute(select(ITEM.c.id, ITEM.c.title).where(ITEM.c.id.in_(ids)))}


#: Names of the 关联研判 operation and its condition, for refusals officials read.
DUPLICATE_NAMES = {"resolve_duplicate": "关联研判", "unresolved": "尚未研判"}


def _entry_problems(
    camp: Campaign, index: int, entry: NewItem, assign: TransitionSpec | None, now: dt.datetime
) -> list[ImportProblem]:
    """Every problem of one import entry, each as (entry, field, reason)."""
    if not isinstance(entry, NewItem):
        return [ImportProblem(index, "title", "须为 NewItem")]
    checks: list[tuple[str, Callable[[], object]]] = [
        ("title", lambda: checked_text("title", entry.title)),
        ("description", lambda: checked_text("description", entry.description)),
        ("track", lambda: known_value("track", entry.track, camp.tracks, "专项整治领域")),
        ("channel", lambda: known_value("channel", entry.channel, camp.channels, "来源渠道")),
    ]
    if entry.severity is not None:
        checks.append(
            ("severity", lambda: known_value("severity", entry.severity, camp.severities, "问题程度"))
        )
    if entry.unit is not None:
        checks.append(("unit", lambda: known_value("unit", entry.unit, camp.unit_ids, "单位")))
    if entry.due is not None:
        checks.append(("due", lambda: checked_due(entry.due, camp, now, "due")))
    if entry.reporter is not None:
        checks.append(("reporter", lambda: reporter_fields(entry.reporter)))  # type: ignore[arg-type]
    problems = []
    for field, check in checks:
        try:
            check()
        except InvalidInputError as err:
            problems.append(ImportProblem(index, field, err.reason))
    if entry.leading_official is not None:
        problems.append(ImportProblem(index, "leading_official", LEADER_BY_LEAD))
    if entry.unit is None and entry.due is not None:
        problems.append(ImportProblem(index, "unit", "给出整改时限时须同时给出责任单位"))
    if entry.unit is not None and assign is None:
        problems.append(ImportProblem(index, "unit", "该实施方案没有从初始状态交办的流转, 不能导入时交办"))
    return problems


def duplicate_view(camp: Campaign, r: Mapping[str, Any], titles: Mapping[int, str]) -> DuplicateView:
    return DuplicateView(
        id=r["id"],
        campaign=camp.key,
        item_id=r["item_id"],
        other_id=r["other_id"],
        score=r["score"] / 1000,
        item_title=titles.get(r["item_id"], ""),
        other_title=titles.get(r["other_id"], ""),
        created_at=r["created_at"],
        resolved_at=r["resolved_at"],
        resolved_by=r["resolved_by"],
        resolution=r["resolution"],
    )
