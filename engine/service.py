"""The engine: campaigns, items, measures, transitions, queries and the audit trail.

A transition is: load the item row → check the trigger, the actor's role and the guards (on
the lifecycle's one shared Machine) → write the new state with ``version + 1`` by
compare-and-set → append the audit event, outbox rows and step rows — all in one database
transaction. Anything refused raises before the first write, and any failure rolls the whole
transaction back, so nothing half-written survives.

Hot paths (transitions, measures) use prebuilt SQLAlchemy Core statements; the ORM is not on
them (it costs 10-14x the raw driver per transition here).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, bindparam, func, insert, select, update
from sqlalchemy import Engine as SAEngine

from . import models as m
from .audit import GENESIS, AuditReport, canonical_json, event_hash, verify_chain
from .clock import SystemClock
from .errors import (
    CampaignNotFound,
    ConflictError,
    DefinitionError,
    GuardFailedError,
    InvalidInputError,
    ItemNotFound,
    MeasureNotFound,
    PermissionDeniedError,
    TrackNotFound,
    TransitionNotAllowedError,
    UnitNotFound,
)
from .lifecycle import (
    COMMON_FIELDS,
    EFFECTS,
    GUARDS,
    OPERATIONS,
    CompiledLifecycle,
    TransitionContext,
    check_lifecycle,
)
from .migrate import upgrade
from .ports import Clock
from .spec import CampaignSetup, LifecycleSpec, RoleSpec, TransitionSpec
from .store import Store
from .views import (
    Actor,
    CampaignView,
    EventView,
    ItemView,
    LedgerRow,
    MeasureView,
    OutboxView,
    Reporter,
    ReporterView,
)

__all__ = ["Engine"]

ITEM = m.Item.__table__  # type: ignore[attr-defined]
UNIT = m.Unit.__table__  # type: ignore[attr-defined]
TRACK = m.Track.__table__  # type: ignore[attr-defined]
CAMPAIGN = m.Campaign.__table__  # type: ignore[attr-defined]
CONTACT = m.Contact.__table__  # type: ignore[attr-defined]
MEASURE = m.Measure.__table__  # type: ignore[attr-defined]
EVENT = m.Event.__table__  # type: ignore[attr-defined]
HEAD = m.AuditHead.__table__  # type: ignore[attr-defined]
OUTBOX = m.Outbox.__table__  # type: ignore[attr-defined]
STEP = m.Step.__table__  # type: ignore[attr-defined]
REPORTER = m.ItemReporter.__table__  # type: ignore[attr-defined]

#: Severity vocabulary (问题程度) until definitions declare their own.
SEVERITIES: Mapping[str, str] = {"normal": "一般", "serious": "较重", "critical": "严重"}
#: Wildcards in a track's unit list: 各地各单位 and 县直有关单位.
UNIT_WILDCARDS: Mapping[str, str] = {"all_units": "各地各单位", "county_units": "县直有关单位"}

TEXT_LIMITS: Mapping[str, int] = {
    "title": 200,
    "description": 5000,
    "text": 2000,
    "finding": 2000,
    "reason": 2000,
    "note": 2000,
    "leading_official": 100,
    "actor": 100,
}

# Prebuilt statements for the hot paths.
_Q_ITEM = select(ITEM).where(ITEM.c.id == bindparam("id"))
# Another item a guard relies on (the survivor of a merge): share-locked where row locks exist,
# so it cannot change between the guard's check and the commit.
_Q_ITEM_SHARED = _Q_ITEM.with_for_update(read=True)
_Q_HEAD = select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.campaign_id == bindparam("cid"))
_Q_HEAD_LOCKED = _Q_HEAD.with_for_update()
_U_HEAD = (
    update(HEAD)
    .where(HEAD.c.campaign_id == bindparam("cid"))
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)
_I_EVENT = insert(EVENT)
_Q_MEASURE_COUNTS = select(
    func.count(MEASURE.c.id), func.count(MEASURE.c.id).filter(MEASURE.c.done_at.is_(None))
).where(MEASURE.c.item_id == bindparam("item_id"))


@dataclass(frozen=True, slots=True)
class _Campaign:
    """A started campaign as the engine runs it (immutable once started)."""

    id: int
    key: str
    view: CampaignView
    tz: zoneinfo.ZoneInfo
    lifecycle: CompiledLifecycle
    roles: Mapping[str, RoleSpec]
    operations: Mapping[str, frozenset[str]]
    channels: frozenset[str]
    unit_ids: Mapping[str, int]
    unit_keys: Mapping[int, str]
    unit_names: Mapping[int, str]
    tracks: Mapping[str, str]


class Engine:
    """The zhenggai engine on one database.

    ``db`` is a SQLAlchemy URL, a SQLite file path, or a SQLAlchemy ``Engine`` the host system
    already has. The schema is brought to the current revision on open (``migrate=False`` to
    skip, e.g. when the host runs migrations itself). ``clock`` defaults to the system clock.
    Everything hangs off this object; two engines in one process do not share state.
    """

    def __init__(
        self,
        db: str | os.PathLike[str] | SAEngine,
        *,
        clock: Clock | None = None,
        migrate: bool = True,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self._store = Store(db)
        if migrate:
            try:
                upgrade(self._store)
            except BaseException:
                self._store.dispose()  # do not leave a connection pool behind a failed open
                raise
        self._campaigns: dict[int, _Campaign] = {}
        self._campaign_ids: dict[str, int] = {}
        self._lifecycles: dict[str, CompiledLifecycle] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ lifecycle of the engine

    @property
    def store(self) -> Store:
        return self._store

    def dispose(self) -> None:
        """Release the database connections (a host's own SQLAlchemy engine is left open).

        (``close`` is 销号, the lifecycle operation.)"""
        self._store.dispose()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()

    # ------------------------------------------------------------------------------ campaigns

    def start_campaign(self, setup: CampaignSetup, *, key: str | None = None) -> CampaignView:
        """Start a campaign from a setup (units, tracks, roles, lifecycle). Checks it first."""
        key = (key or setup.definition_id).strip()
        if not key or len(key) > 100:
            raise InvalidInputError("key", "专项行动标识须为 1-100 个字符")
        _check_setup(setup)
        try:
            zoneinfo.ZoneInfo(setup.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as err:
            raise InvalidInputError("timezone", f"未知时区 {setup.timezone}") from err
        now = self.clock.now()
        with self._store.write() as conn:
            if conn.execute(select(CAMPAIGN.c.id).where(CAMPAIGN.c.key == key)).first():
                raise InvalidInputError("key", f"专项行动 {key} 已存在")
            cid = conn.execute(
                insert(CAMPAIGN).returning(CAMPAIGN.c.id),
                {
                    "key": key,
                    "title": setup.title,
                    "county": setup.county,
                    "definition_id": setup.definition_id,
                    "definition_version": setup.definition_version,
                    "timezone": setup.timezone,
                    "lifecycle_json": setup.lifecycle.model_dump_json(),
                    "roles_json": json.dumps([r.model_dump() for r in setup.roles], ensure_ascii=False),
                    "channels_json": json.dumps(setup.channels),
                    "created_at": now,
                },
            ).scalar_one()
            for unit in setup.units:
                uid = conn.execute(
                    insert(UNIT).returning(UNIT.c.id),
                    {"campaign_id": cid, "key": unit.id, "name": unit.name, "kind": unit.kind},
                ).scalar_one()
                for contact in unit.contacts:
                    conn.execute(
                        insert(CONTACT),
                        {
                            "unit_id": uid,
                            "name": contact.name,
                            "role": contact.role,
                            "email": contact.email,
                            "mobile": contact.mobile,
                            "channels": ",".join(contact.channels),
                        },
                    )
            for track in setup.tracks:
                conn.execute(
                    insert(TRACK),
                    {
                        "campaign_id": cid,
                        "key": track.id,
                        "name": track.name,
                        "unit_keys_json": json.dumps(track.units),
                    },
                )
            conn.execute(insert(HEAD), {"campaign_id": cid, "seq": 0, "hash": GENESIS})
            # Not cached until committed: a rolled-back start must leave no campaign behind.
            camp = self._load_campaign(conn, cid, cache=False)
            self._append_event(
                conn,
                camp,
                item_id=None,
                trigger="start_campaign",
                from_state=None,
                to_state=None,
                actor=Actor(setup.system_actor, "system"),
                at=now,
                data={
                    "definition_id": setup.definition_id,
                    "definition_version": setup.definition_version,
                    "units": len(setup.units),
                    "tracks": len(setup.tracks),
                },
            )
        self._remember(camp)
        return camp.view

    def campaign(self, key: str | int) -> CampaignView:
        """A campaign by key or id."""
        with self._store.read() as conn:
            return self._campaign(conn, key).view

    def campaigns(self) -> list[CampaignView]:
        with self._store.read() as conn:
            ids = conn.execute(select(CAMPAIGN.c.id).order_by(CAMPAIGN.c.id)).scalars().all()
            return [self._campaign(conn, cid).view for cid in ids]

    def units(self, campaign: str | int) -> list[tuple[str, str]]:
        """The campaign's units as (key, name), in the definition's order."""
        with self._store.read() as conn:
            camp = self._campaign(conn, campaign)
        return [(camp.unit_keys[uid], camp.unit_names[uid]) for uid in sorted(camp.unit_keys)]

    def tracks(self, campaign: str | int) -> list[tuple[str, str]]:
        with self._store.read() as conn:
            camp = self._campaign(conn, campaign)
        return list(camp.tracks.items())

    def lifecycle(self, campaign: str | int) -> LifecycleSpec:
        with self._store.read() as conn:
            return self._campaign(conn, campaign).lifecycle.spec

    # ---------------------------------------------------------------------------------- items

    def report(
        self,
        campaign: str | int,
        actor: Actor,
        *,
        title: str,
        description: str,
        track: str,
        channel: str,
        severity: str = "normal",
        reporter: Reporter | None = None,
    ) -> ItemView:
        """Register a problem item (问题线索) in the lifecycle's initial state.

        ``reporter`` (举报人) is stored apart and never appears in what units see.
        """
        now = self.clock.now()
        with self._store.write() as conn:
            camp = self._campaign(conn, campaign)
            self._check_actor(camp, actor)
            self._check_operation(camp, actor, "report", None)
            values = {
                "campaign_id": camp.id,
                "title": _text("title", title),
                "description": _text("description", description),
                "track": _choice("track", track, camp.tracks, TrackNotFound),
                "channel": _choice("channel", channel, camp.channels),
                "severity": _choice("severity", severity, SEVERITIES),
                "state": camp.lifecycle.spec.initial,
                "has_reporter": reporter is not None,
                "created_by": actor.name,
                "created_at": now,
                "updated_at": now,
                "version": 1,
                "light": "green",
                "escalation_level": 0,
                "reopen_count": 0,
            }
            reporter_values = _reporter_values(reporter) if reporter is not None else None
            item_id = conn.execute(insert(ITEM).returning(ITEM.c.id), values).scalar_one()
            if reporter_values is not None:
                conn.execute(insert(REPORTER), {"item_id": item_id, **reporter_values})
            self._append_event(
                conn,
                camp,
                item_id=item_id,
                trigger="report",
                from_state=None,
                to_state=camp.lifecycle.spec.initial,
                actor=actor,
                at=now,
                data={
                    "title": values["title"],
                    "track": values["track"],
                    "channel": values["channel"],
                    "severity": values["severity"],
                    "has_reporter": reporter is not None,
                },
            )
            return self._item_view(conn, camp, item_id)

    def fire(
        self,
        item_id: int,
        trigger: str,
        actor: Actor,
        *,
        expected_version: int | None = None,
        **data: Any,
    ) -> ItemView:
        """Fire ``trigger`` on an item as ``actor``. ``data`` holds the trigger's input
        (``unit``, ``due``, ``leading_official``, ``finding``, ``reason``, ``survivor_id``,
        ``note``). With ``expected_version`` the call fails with :class:`ConflictError` if the
        item has changed since the caller read it."""
        now = self.clock.now()
        with self._store.write() as conn:
            row = self._load_item(conn, item_id)
            camp = self._campaign(conn, row["campaign_id"])
            self._check_actor(camp, actor)
            _check_version(item_id, expected_version, row["version"])
            state = row["state"]
            lifecycle = camp.lifecycle
            spec = lifecycle.by_trigger_source.get((trigger, state))
            if spec is None:
                raise TransitionNotAllowedError(item_id, state, trigger, lifecycle.allowed_triggers(state))
            self._check_role(camp, actor, spec.trigger, spec.roles, row)
            inputs = self._trigger_inputs(conn, camp, spec, row, data, now)
            ctx = TransitionContext(
                item=row,
                actor_name=actor.name,
                actor_unit_id=camp.unit_ids.get(actor.unit) if actor.unit else None,
                actor_unit_key=actor.unit,
                now=now,
                data=inputs,
                final_states=lifecycle.final_states,
            )
            needs = set().union(*(GUARDS[g].needs for g in spec.guards)) if spec.guards else set()
            if "measures" in needs:
                ctx.measure_count, ctx.open_measure_count = conn.execute(
                    _Q_MEASURE_COUNTS, {"item_id": item_id}
                ).one()
            if "survivor" in needs and inputs.get("survivor_id") is not None:
                query = _Q_ITEM_SHARED if self._store.dialect.for_update else _Q_ITEM
                ctx.survivor = conn.execute(query, {"id": inputs["survivor_id"]}).mappings().first()
            new_state = lifecycle.fire(trigger, state, ctx)
            if new_state is None:
                assert ctx.failed_guard is not None
                raise GuardFailedError(item_id, trigger, ctx.failed_guard, ctx.failed_reason)
            changes: dict[str, Any] = {}
            for effect in spec.effects:
                changes.update(EFFECTS[effect].apply(ctx))
            changes.update(state=new_state, updated_at=now, version=row["version"] + 1)
            self._cas_update(conn, row, changes)
            event_data = _event_data(camp, inputs, row, changes)
            self._append_event(
                conn,
                camp,
                item_id=item_id,
                trigger=trigger,
                from_state=state,
                to_state=new_state,
                actor=actor,
                at=now,
                data=event_data,
            )
            after = {**row, **changes}
            self._queue_messages(conn, camp, spec, row, after, event_data, now)
            self._arm_steps(conn, camp, row, after, now)
            return self._item_view(conn, camp, item_id)

    # Named operations: thin wrappers over fire(), so a host reads what it does.

    def assign(
        self,
        item_id: int,
        actor: Actor,
        *,
        unit: str,
        due: dt.date | str,
        leading_official: str | None = None,
        expected_version: int | None = None,
    ) -> ItemView:
        """交办: hand the item to a responsible unit with a due date."""
        return self.fire(
            item_id, "assign", actor, unit=unit, due=due, leading_official=leading_official,
            expected_version=expected_version,
        )

    def start_rectification(self, item_id: int, actor: Actor, *, expected_version: int | None = None) -> ItemView:
        """开始整改 (needs at least one measure)."""
        return self.fire(item_id, "start_rectification", actor, expected_version=expected_version)

    def submit_for_verification(
        self, item_id: int, actor: Actor, *, expected_version: int | None = None
    ) -> ItemView:
        """提请验收."""
        return self.fire(item_id, "submit_for_verification", actor, expected_version=expected_version)

    def verify(self, item_id: int, actor: Actor, *, expected_version: int | None = None) -> ItemView:
        """验收通过."""
        return self.fire(item_id, "verify", actor, expected_version=expected_version)

    def return_for_rework(
        self, item_id: int, actor: Actor, *, reason: str, expected_version: int | None = None
    ) -> ItemView:
        """退回重新整改, with the reason."""
        return self.fire(item_id, "return_for_rework", actor, reason=reason, expected_version=expected_version)

    def close(self, item_id: int, actor: Actor, *, expected_version: int | None = None) -> ItemView:
        """销号: sign the item off (by someone outside the responsible unit)."""
        return self.fire(item_id, "close", actor, expected_version=expected_version)

    def follow_up_review(
        self, item_id: int, actor: Actor, *, finding: str, expected_version: int | None = None
    ) -> ItemView:
        """回头看: reopen a closed item with the review's finding."""
        return self.fire(item_id, "follow_up_review", actor, finding=finding, expected_version=expected_version)

    def reassign(
        self,
        item_id: int,
        actor: Actor,
        *,
        unit: str,
        due: dt.date | str | None = None,
        expected_version: int | None = None,
    ) -> ItemView:
        """改派 to another unit (optionally with a new due date)."""
        return self.fire(item_id, "reassign", actor, unit=unit, due=due, expected_version=expected_version)

    def dismiss(self, item_id: int, actor: Actor, *, reason: str, expected_version: int | None = None) -> ItemView:
        """撤销: the lead was found untrue; terminal, with the reason."""
        return self.fire(item_id, "dismiss", actor, reason=reason, expected_version=expected_version)

    def merge(
        self, item_id: int, actor: Actor, *, survivor_id: int, expected_version: int | None = None
    ) -> ItemView:
        """合并: the item duplicates ``survivor_id``, which must still be open."""
        return self.fire(item_id, "merge", actor, survivor_id=survivor_id, expected_version=expected_version)

    # -------------------------------------------------------------------------------- measures

    def add_measure(
        self,
        item_id: int,
        actor: Actor,
        *,
        text: str,
        due: dt.date | str | None = None,
        expected_version: int | None = None,
    ) -> MeasureView:
        """Add a rectification measure (整改措施) to an item with a responsible unit."""
        now = self.clock.now()
        with self._store.write() as conn:
            row = self._load_item(conn, item_id)
            camp = self._campaign(conn, row["campaign_id"])
            self._check_actor(camp, actor)
            _check_version(item_id, expected_version, row["version"])
            self._check_measure_state(camp, row, "add_measure")
            self._check_operation(camp, actor, "add_measure", row)
            values = {
                "item_id": item_id,
                "text": _text("text", text),
                "due": None if due is None else _due(due, camp, now, "due"),
                "created_by": actor.name,
                "created_at": now,
            }
            measure_id = conn.execute(insert(MEASURE).returning(MEASURE.c.id), values).scalar_one()
            self._cas_update(conn, row, {"version": row["version"] + 1, "updated_at": now})
            self._append_event(
                conn, camp, item_id=item_id, trigger="add_measure", from_state=row["state"],
                to_state=row["state"], actor=actor, at=now,
                data={"measure_id": measure_id, "text": values["text"], "due": values["due"]},
            )
            return self._measure(conn, measure_id)

    def complete_measure(
        self, measure_id: int, actor: Actor, *, expected_version: int | None = None
    ) -> MeasureView:
        """Mark a measure done. ``expected_version`` is the item's version."""
        now = self.clock.now()
        with self._store.write() as conn:
            measure = conn.execute(select(MEASURE).where(MEASURE.c.id == measure_id)).mappings().first()
            if measure is None:
                raise MeasureNotFound(measure_id)
            row = self._load_item(conn, measure["item_id"])
            camp = self._campaign(conn, row["campaign_id"])
            self._check_actor(camp, actor)
            _check_version(row["id"], expected_version, row["version"])
            self._check_measure_state(camp, row, "complete_measure")
            self._check_operation(camp, actor, "complete_measure", row)
            if measure["done_at"] is not None:
                raise InvalidInputError("measure", f"整改措施 {measure_id} 已完成")
            conn.execute(
                update(MEASURE).where(MEASURE.c.id == measure_id).values(done_at=now, done_by=actor.name)
            )
            self._cas_update(conn, row, {"version": row["version"] + 1, "updated_at": now})
            self._append_event(
                conn, camp, item_id=row["id"], trigger="complete_measure", from_state=row["state"],
                to_state=row["state"], actor=actor, at=now, data={"measure_id": measure_id},
            )
            return self._measure(conn, measure_id)

    # --------------------------------------------------------------------------------- reading

    def item(self, item_id: int) -> ItemView:
        with self._store.read() as conn:
            row = self._load_item(conn, item_id)
            return self._view_from_row(self._campaign(conn, row["campaign_id"]), row)

    def items(
        self,
        campaign: str | int | None = None,
        *,
        state: str | None = None,
        unit: str | None = None,
        track: str | None = None,
    ) -> list[ItemView]:
        """Items, oldest first, optionally filtered by campaign, state, unit key and track."""
        with self._store.read() as conn:
            query = select(ITEM).order_by(ITEM.c.id)
            camp = None
            if campaign is not None:
                camp = self._campaign(conn, campaign)
                query = query.where(ITEM.c.campaign_id == camp.id)
            if state is not None:
                query = query.where(ITEM.c.state == state)
            if track is not None:
                query = query.where(ITEM.c.track == track)
            if unit is not None:
                if camp is None:
                    unit_ids = conn.execute(select(UNIT.c.id).where(UNIT.c.key == unit)).scalars().all()
                    if not unit_ids:
                        raise UnitNotFound(unit)
                    query = query.where(ITEM.c.responsible_unit_id.in_(unit_ids))
                else:
                    query = query.where(ITEM.c.responsible_unit_id == _unit_id(camp, unit))
            rows = conn.execute(query).mappings().all()
            return [self._view_from_row(self._campaign(conn, r["campaign_id"]), r) for r in rows]

    def measures(self, item_id: int) -> list[MeasureView]:
        with self._store.read() as conn:
            self._load_item(conn, item_id)
            rows = conn.execute(
                select(MEASURE).where(MEASURE.c.item_id == item_id).order_by(MEASURE.c.id)
            ).mappings()
            return [_measure_view(r) for r in rows]

    def events(self, item_id: int | None = None, *, campaign: str | int | None = None) -> list[EventView]:
        """Audit events of one item, or of one campaign, or all, in chain order."""
        with self._store.read() as conn:
            query = select(EVENT).order_by(EVENT.c.campaign_id, EVENT.c.seq)
            if item_id is not None:
                self._load_item(conn, item_id)
                query = query.where(EVENT.c.item_id == item_id)
            if campaign is not None:
                query = query.where(EVENT.c.campaign_id == self._campaign(conn, campaign).id)
            return [_event_view(r) for r in conn.execute(query).mappings()]

    def ledger(self, campaign: str | int) -> list[LedgerRow]:
        """The 整改台账: every item of the campaign with its measures (no reporter data)."""
        with self._store.read() as conn:
            camp = self._campaign(conn, campaign)
            rows = conn.execute(
                select(ITEM).where(ITEM.c.campaign_id == camp.id).order_by(ITEM.c.id)
            ).mappings().all()
            measures: dict[int, list[MeasureView]] = {}
            query = (
                select(MEASURE)
                .join(ITEM, ITEM.c.id == MEASURE.c.item_id)
                .where(ITEM.c.campaign_id == camp.id)
                .order_by(MEASURE.c.id)
            )
            for mr in conn.execute(query).mappings():
                measures.setdefault(mr["item_id"], []).append(_measure_view(mr))
            return [
                LedgerRow(self._view_from_row(camp, r), tuple(measures.get(r["id"], ()))) for r in rows
            ]

    def outbox(self, campaign: str | int | None = None, *, status: str | None = None) -> list[OutboxView]:
        """Queued messages (sending them is the dispatcher's job, step 4)."""
        with self._store.read() as conn:
            query = select(OUTBOX).order_by(OUTBOX.c.id)
            if campaign is not None:
                query = query.where(OUTBOX.c.campaign_id == self._campaign(conn, campaign).id)
            if status is not None:
                query = query.where(OUTBOX.c.status == status)
            return [
                OutboxView(
                    id=r["id"], item_id=r["item_id"], kind=r["kind"], channel=r["channel"],
                    recipient=r["recipient"], idempotency_key=r["idempotency_key"],
                    payload=json.loads(r["payload"]), status=r["status"], attempts=r["attempts"],
                    last_error=r["last_error"],
                )
                for r in conn.execute(query).mappings()
            ]

    def read_reporter(self, item_id: int, actor: Actor) -> ReporterView | None:
        """The reporter's identity, for the custodian role only; every read is audited."""
        now = self.clock.now()
        with self._store.write() as conn:
            row = self._load_item(conn, item_id)
            camp = self._campaign(conn, row["campaign_id"])
            self._check_actor(camp, actor)
            self._check_operation(camp, actor, "read_reporter", None)
            rep = conn.execute(select(REPORTER).where(REPORTER.c.item_id == item_id)).mappings().first()
            self._append_event(
                conn, camp, item_id=item_id, trigger="read_reporter", from_state=row["state"],
                to_state=row["state"], actor=actor, at=now, data={"found": rep is not None},
            )
            if rep is None:
                return None
            return ReporterView(
                item_id=item_id, name=rep["name"], phone=rep["phone"], contact=rep["contact"], note=rep["note"]
            )

    def verify_audit(self, campaign: str | int | None = None) -> AuditReport:
        """Re-check every audit chain (or one campaign's): altered, inserted or deleted rows."""
        with self._store.read() as conn:
            if campaign is None:
                ids = conn.execute(select(CAMPAIGN.c.id).order_by(CAMPAIGN.c.id)).scalars().all()
            else:
                ids = [self._campaign(conn, campaign).id]
            total = 0
            problems: list[str] = []
            for cid in ids:
                head = conn.execute(_Q_HEAD, {"cid": cid}).mappings().first()
                rows = conn.execute(
                    select(EVENT).where(EVENT.c.campaign_id == cid).order_by(EVENT.c.seq, EVENT.c.id)
                ).mappings()
                count, found = verify_chain(cid, rows, head)
                total += count
                problems.extend(found)
            return AuditReport(events=total, campaigns=len(ids), problems=problems)

    # -------------------------------------------------------------------------------- internals

    def _campaign(self, conn: Connection, key: str | int) -> _Campaign:
        if isinstance(key, str):
            cid = self._campaign_ids.get(key)
            if cid is None:
                found = conn.execute(select(CAMPAIGN.c.id).where(CAMPAIGN.c.key == key)).scalar()
                if found is None:
                    raise CampaignNotFound(key)
                cid = found
        else:
            cid = key
        camp = self._campaigns.get(cid)
        return camp if camp is not None else self._load_campaign(conn, cid)

    def _load_campaign(self, conn: Connection, cid: int, *, cache: bool = True) -> _Campaign:
        row = conn.execute(select(CAMPAIGN).where(CAMPAIGN.c.id == cid)).mappings().first()
        if row is None:
            raise CampaignNotFound(cid)
        lifecycle = self._compiled(row["lifecycle_json"])
        roles = {r["id"]: RoleSpec(**r) for r in json.loads(row["roles_json"])}
        units = conn.execute(select(UNIT).where(UNIT.c.campaign_id == cid).order_by(UNIT.c.id)).mappings().all()
        tracks = conn.execute(select(TRACK).where(TRACK.c.campaign_id == cid).order_by(TRACK.c.id)).mappings()
        camp = _Campaign(
            id=cid,
            key=row["key"],
            view=CampaignView(
                id=cid, key=row["key"], title=row["title"], county=row["county"],
                definition_id=row["definition_id"], definition_version=row["definition_version"],
                timezone=row["timezone"],
            ),
            tz=zoneinfo.ZoneInfo(row["timezone"]),
            lifecycle=lifecycle,
            roles=roles,
            operations={op: frozenset(rs) for op, rs in lifecycle.spec.operations.items()},
            channels=frozenset(json.loads(row["channels_json"])),
            unit_ids={u["key"]: u["id"] for u in units},
            unit_keys={u["id"]: u["key"] for u in units},
            unit_names={u["id"]: u["name"] for u in units},
            tracks={t["key"]: t["name"] for t in tracks},
        )
        if cache:
            self._remember(camp)
        return camp

    def _remember(self, camp: _Campaign) -> None:
        """Cache a campaign read from committed data (campaigns never change once started)."""
        with self._lock:
            self._campaigns[camp.id] = camp
            self._campaign_ids[camp.key] = camp.id

    def _compiled(self, lifecycle_json: str) -> CompiledLifecycle:
        """One CompiledLifecycle (one Machine) per distinct lifecycle, shared by all items."""
        with self._lock:
            compiled = self._lifecycles.get(lifecycle_json)
            if compiled is None:
                compiled = CompiledLifecycle(LifecycleSpec.model_validate_json(lifecycle_json))
                self._lifecycles[lifecycle_json] = compiled
            return compiled

    def _load_item(self, conn: Connection, item_id: int) -> RowMapping:
        if not isinstance(item_id, int) or isinstance(item_id, bool):
            raise InvalidInputError("item_id", "问题编号须为整数")
        row = conn.execute(_Q_ITEM, {"id": item_id}).mappings().first()
        if row is None:
            raise ItemNotFound(item_id)
        return row

    def _check_actor(self, camp: _Campaign, actor: Actor) -> None:
        if not isinstance(actor, Actor):
            raise InvalidInputError("actor", "须为 Actor")
        _text("actor", actor.name)
        if actor.role not in camp.roles:
            raise PermissionDeniedError(actor.name, actor.role, "任何操作", "本专项行动没有该角色")
        if actor.unit is not None and actor.unit not in camp.unit_ids:
            raise UnitNotFound(actor.unit)
        if camp.roles[actor.role].unit_bound and actor.unit is None:
            raise PermissionDeniedError(actor.name, actor.role, "任何操作", "该角色须指明所属单位")

    def _check_role(
        self, camp: _Campaign, actor: Actor, action: str, roles: Iterable[str], row: Mapping[str, Any] | None
    ) -> None:
        if actor.role not in roles:
            raise PermissionDeniedError(actor.name, actor.role, action)
        if camp.roles[actor.role].unit_bound and row is not None:
            if row["responsible_unit_id"] is None or camp.unit_ids[actor.unit or ""] != row["responsible_unit_id"]:
                raise PermissionDeniedError(actor.name, actor.role, action, "只能办理本单位负责的问题")

    def _check_operation(self, camp: _Campaign, actor: Actor, op: str, row: Mapping[str, Any] | None) -> None:
        self._check_role(camp, actor, op, camp.operations.get(op, frozenset()), row)

    def _check_measure_state(self, camp: _Campaign, row: Mapping[str, Any], op: str) -> None:
        state = row["state"]
        if state in camp.lifecycle.final_states or row["responsible_unit_id"] is None:
            raise TransitionNotAllowedError(row["id"], state, op, camp.lifecycle.allowed_triggers(state))

    def _trigger_inputs(
        self,
        conn: Connection,
        camp: _Campaign,
        spec: TransitionSpec,
        row: Mapping[str, Any],
        data: Mapping[str, Any],
        now: dt.datetime,
    ) -> dict[str, Any]:
        accepted = set(COMMON_FIELDS)
        required: set[str] = set()
        guarded: set[str] = set()
        for g in spec.guards:
            accepted |= GUARDS[g].accepts
            guarded |= GUARDS[g].accepts
        for e in spec.effects:
            accepted |= EFFECTS[e].accepts
            required |= EFFECTS[e].required
        # A field one of this transition's guards checks is left to that guard (has_finding,
        # has_reason, has_open_survivor refuse when it is missing), so the refusal names the
        # guard (GuardFailedError) as the lifecycle declares it, instead of pre-empting it.
        required -= guarded
        given = {k: v for k, v in data.items() if v is not None}
        for name in sorted(set(given) - accepted):
            raise InvalidInputError(name, f"{spec.trigger} 不接受此项 (可填: {', '.join(sorted(accepted))})")
        out: dict[str, Any] = {}
        if "unit" in given:
            out["unit"] = given["unit"]
            out["unit_id"] = _unit_id(camp, given["unit"])
        if "due" in given:
            out["due"] = _due(given["due"], camp, now, "due")
        for name in ("finding", "reason", "note", "leading_official"):
            if name in given:
                out[name] = _text(name, given[name])
            elif name in required:
                raise InvalidInputError(name, "不能为空")
        if "survivor_id" in given:
            survivor = given["survivor_id"]
            if not isinstance(survivor, int) or isinstance(survivor, bool):
                raise InvalidInputError("survivor_id", "问题编号须为整数")
            if conn.execute(select(ITEM.c.id).where(ITEM.c.id == survivor)).first() is None:
                raise ItemNotFound(survivor)
            out["survivor_id"] = survivor
        elif "survivor_id" in required:
            raise InvalidInputError("survivor_id", "未指定保留的问题")
        return out

    def _cas_update(self, conn: Connection, row: Mapping[str, Any], changes: Mapping[str, Any]) -> None:
        result = conn.execute(
            update(ITEM)
            .where(and_(ITEM.c.id == row["id"], ITEM.c.version == row["version"]))
            .values(**changes)
        )
        if result.rowcount != 1:
            current = conn.execute(select(ITEM.c.version).where(ITEM.c.id == row["id"])).scalar()
            raise ConflictError(row["id"], row["version"], current)

    def _append_event(
        self,
        conn: Connection,
        camp: _Campaign,
        *,
        item_id: int | None,
        trigger: str,
        from_state: str | None,
        to_state: str | None,
        actor: Actor,
        at: dt.datetime,
        data: Mapping[str, Any],
    ) -> None:
        head_query = _Q_HEAD_LOCKED if self._store.dialect.for_update else _Q_HEAD
        seq, prev = conn.execute(head_query, {"cid": camp.id}).one()
        seq += 1
        text = canonical_json(data)
        digest = event_hash(
            campaign_id=camp.id, seq=seq, item_id=item_id, trigger=trigger, from_state=from_state,
            to_state=to_state, actor=actor.name, role=actor.role, unit=actor.unit, at=at, data=text,
            prev_hash=prev,
        )
        conn.execute(
            _I_EVENT,
            {
                "campaign_id": camp.id, "seq": seq, "item_id": item_id, "trigger": trigger,
                "from_state": from_state, "to_state": to_state, "actor": actor.name, "role": actor.role,
                "unit": actor.unit, "at": at, "data": text, "prev_hash": prev, "hash": digest,
            },
        )
        conn.execute(_U_HEAD, {"cid": camp.id, "new_seq": seq, "new_hash": digest})

    def _queue_messages(
        self,
        conn: Connection,
        camp: _Campaign,
        spec: TransitionSpec,
        before: Mapping[str, Any],
        after: Mapping[str, Any],
        event_data: Mapping[str, Any],
        now: dt.datetime,
    ) -> None:
        """Outbox rows for the transition's ``notify`` list, one per recipient contact.

        A unit with no contact still gets a row, dead-lettered with the reason, so an
        operator sees the message that could not be routed instead of it vanishing. A contact
        reached twice with the same message (e.g. as a member of the responsible unit and by
        role) gets it once.
        """
        if not spec.notify:
            return
        payload = _payload(camp, spec, after, event_data)
        queued: set[str] = set()
        for notify in spec.notify:
            contacts: Sequence[RowMapping]
            unit_id: int | None = None
            if notify.to == "responsible_unit":
                unit_id = after["responsible_unit_id"]
            elif notify.to == "previous_unit":
                unit_id = before["responsible_unit_id"]
                if unit_id == after["responsible_unit_id"]:
                    continue
            if notify.to in ("responsible_unit", "previous_unit"):
                if unit_id is None:
                    continue
                contacts = conn.execute(
                    select(CONTACT).where(CONTACT.c.unit_id == unit_id).order_by(CONTACT.c.id)
                ).mappings().all()
                fallback = f"unit:{camp.unit_keys[unit_id]}"
            else:
                contacts = conn.execute(
                    select(CONTACT)
                    .join(UNIT, UNIT.c.id == CONTACT.c.unit_id)
                    .where(UNIT.c.campaign_id == camp.id, CONTACT.c.role == notify.to)
                    .order_by(CONTACT.c.id)
                ).mappings().all()
                fallback = f"role:{notify.to}"
            key_base = f"item:{after['id']}:v{after['version']}:{spec.trigger}:{notify.message}"
            if not contacts:
                conn.execute(
                    insert(OUTBOX),
                    {
                        "campaign_id": camp.id, "item_id": after["id"], "kind": notify.message,
                        "channel": "unrouted", "recipient": fallback, "contact_id": None,
                        "idempotency_key": f"{key_base}:{fallback}", "payload": canonical_json(payload),
                        "status": "dead", "attempts": 0, "next_try_at": now,
                        "last_error": "没有可接收消息的联系人", "created_at": now,
                    },
                )
                continue
            for contact in contacts:
                key = f"{key_base}:contact:{contact['id']}"
                if key in queued:
                    continue
                queued.add(key)
                channel, address = _route(contact)
                conn.execute(
                    insert(OUTBOX),
                    {
                        "campaign_id": camp.id, "item_id": after["id"], "kind": notify.message,
                        "channel": channel, "recipient": address, "contact_id": contact["id"],
                        "idempotency_key": key,
                        "payload": canonical_json(payload), "status": "pending" if address else "dead",
                        "attempts": 0, "next_try_at": now,
                        "last_error": None if address else "联系人没有可用的联系方式", "created_at": now,
                    },
                )

    def _arm_steps(
        self, conn: Connection, camp: _Campaign, before: Mapping[str, Any], after: Mapping[str, Any], now: dt.datetime
    ) -> None:
        """Keep the item's deadline step in line with its due date and state (first form of
        the scheduler's steps: one ``due@DATE`` step; step 3 adds the ladder)."""
        pending = and_(
            STEP.c.subject_kind == "item", STEP.c.subject_id == after["id"], STEP.c.status == "pending"
        )
        if after["state"] in camp.lifecycle.final_states:
            conn.execute(update(STEP).where(pending).values(status="cancelled", fired_at=now))
            return
        due = after["due"]
        if due is None or (due == before["due"] and before["state"] not in camp.lifecycle.final_states):
            return
        key = f"due@{due.isoformat()}"
        conn.execute(update(STEP).where(pending, STEP.c.step_key != key).values(status="cancelled", fired_at=now))
        end_of_day = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(0), tzinfo=camp.tz)
        exists = conn.execute(
            select(STEP.c.id, STEP.c.status).where(
                STEP.c.subject_kind == "item", STEP.c.subject_id == after["id"], STEP.c.step_key == key
            )
        ).first()
        if exists is None:
            conn.execute(
                insert(STEP),
                {
                    "campaign_id": camp.id, "subject_kind": "item", "subject_id": after["id"],
                    "step_key": key, "due_at": end_of_day.astimezone(dt.UTC), "status": "pending",
                    "created_at": now,
                },
            )
        elif exists.status == "cancelled":
            conn.execute(update(STEP).where(STEP.c.id == exists.id).values(status="pending", fired_at=None))

    def _item_view(self, conn: Connection, camp: _Campaign, item_id: int) -> ItemView:
        return self._view_from_row(camp, self._load_item(conn, item_id))

    def _view_from_row(self, camp: _Campaign, r: Mapping[str, Any]) -> ItemView:
        uid = r["responsible_unit_id"]
        return ItemView(
            id=r["id"], campaign=camp.key, track=r["track"], track_name=camp.tracks.get(r["track"], r["track"]),
            channel=r["channel"], title=r["title"], description=r["description"], severity=r["severity"],
            state=r["state"], state_label=camp.lifecycle.labels.get(r["state"], r["state"]),
            unit=None if uid is None else camp.unit_keys[uid],
            unit_name=None if uid is None else camp.unit_names[uid],
            leading_official=r["leading_official"], due=r["due"], light=r["light"],
            escalation_level=r["escalation_level"], reopen_count=r["reopen_count"],
            merged_into=r["merged_into_id"], dismiss_reason=r["dismiss_reason"],
            last_finding=r["last_finding"], created_by=r["created_by"], created_at=r["created_at"],
            updated_at=r["updated_at"], verified_at=r["verified_at"], closed_at=r["closed_at"],
            closed_by=r["closed_by"], version=r["version"],
        )

    def _measure(self, conn: Connection, measure_id: int) -> MeasureView:
        return _measure_view(conn.execute(select(MEASURE).where(MEASURE.c.id == measure_id)).mappings().one())


# ----------------------------------------------------------------------------------- helpers


def _check_setup(setup: CampaignSetup) -> None:
    problems = check_lifecycle(setup.lifecycle, {r.id: r for r in setup.roles}, setup.lifecycle.operations)
    unit_ids = [u.id for u in setup.units]
    for dup in sorted({u for u in unit_ids if unit_ids.count(u) > 1}):
        problems.append(f"units: 单位 {dup} 重复定义")
    known = set(unit_ids) | set(UNIT_WILDCARDS)
    track_ids = [t.id for t in setup.tracks]
    for dup in sorted({t for t in track_ids if track_ids.count(t) > 1}):
        problems.append(f"tracks: 专项 {dup} 重复定义")
    for i, track in enumerate(setup.tracks):
        for unit in track.units:
            if unit not in known:
                problems.append(f"tracks[{i}] ({track.id}).units: 未知单位 {unit}")
        if track.units[0] in UNIT_WILDCARDS:
            problems.append(f"tracks[{i}] ({track.id}).units: 牵头单位须为具体单位, 不能是 {track.units[0]}")
    role_ids = [r.id for r in setup.roles]
    for dup in sorted({r for r in role_ids if role_ids.count(r) > 1}):
        problems.append(f"roles: 角色 {dup} 重复定义")
    if "system" in role_ids:
        problems.append("roles: 角色 system 为引擎保留")
    if problems:
        raise DefinitionError(problems)


def _check_version(item_id: int, expected: int | None, actual: int) -> None:
    if expected is not None and expected != actual:
        raise ConflictError(item_id, expected, actual)


def _text(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(field, "须为文本")
    stripped = value.strip()
    if not stripped:
        raise InvalidInputError(field, "不能为空")
    limit = TEXT_LIMITS.get(field, 2000)
    if len(stripped) > limit:
        raise InvalidInputError(field, f"过长 ({len(stripped)} 字, 最多 {limit} 字)")
    return stripped


def _choice(
    field: str,
    value: object,
    allowed: Mapping[str, object] | frozenset[str],
    not_found: Callable[[object], Exception] | None = None,
) -> str:
    """``value`` if it is one of ``allowed`` (a key of a mapping), else a clear error."""
    if not isinstance(value, str) or value not in allowed:
        if not_found is not None:
            raise not_found(value)
        raise InvalidInputError(field, f"未知取值 {value!r} (可用: {', '.join(sorted(allowed))})")
    return value


def _unit_id(camp: _Campaign, key: object) -> int:
    return camp.unit_ids[_choice("unit", key, camp.unit_ids, UnitNotFound)]


def _due(value: object, camp: _Campaign, now: dt.datetime, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise InvalidInputError(field, "整改时限须为日期, 不是时刻")
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError as err:
            raise InvalidInputError(field, f"日期格式应为 YYYY-MM-DD, 收到 {value!r}") from err
    if not isinstance(value, dt.date):
        raise InvalidInputError(field, "须为日期")
    today = now.astimezone(camp.tz).date()
    if value < today:
        raise InvalidInputError(field, f"整改时限 {value.isoformat()} 早于今天 {today.isoformat()}")
    return value


def _reporter_values(reporter: Reporter) -> dict[str, Any]:
    if not isinstance(reporter, Reporter):
        raise InvalidInputError("reporter", "须为 Reporter")
    limits = {"name": 100, "phone": 40, "contact": 200, "note": 2000}
    values: dict[str, Any] = {}
    for name, limit in limits.items():
        value = getattr(reporter, name)
        if value is not None:
            if not isinstance(value, str):
                raise InvalidInputError(f"reporter.{name}", "须为文本")
            value = value.strip() or None
            if value is not None and len(value) > limit:
                raise InvalidInputError(f"reporter.{name}", f"过长 (最多 {limit} 字)")
        values[name] = value
    return values


def _event_data(
    camp: _Campaign, inputs: Mapping[str, Any], before: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in ("unit", "finding", "reason", "note", "leading_official", "survivor_id"):
        if name in inputs:
            data[name] = inputs[name]
    if "due" in inputs:
        data["due"] = inputs["due"].isoformat()
    if "responsible_unit_id" in changes and before["responsible_unit_id"] not in (None, changes["responsible_unit_id"]):
        data["from_unit"] = camp.unit_keys[before["responsible_unit_id"]]
    return data


def _payload(
    camp: _Campaign, spec: TransitionSpec, after: Mapping[str, Any], event_data: Mapping[str, Any]
) -> dict[str, Any]:
    """The variables a message about an item may use. Never the reporter's identity."""
    uid = after["responsible_unit_id"]
    return {
        "campaign": camp.view.title,
        "item_id": after["id"],
        "title": after["title"],
        "track": after["track"],
        "track_name": camp.tracks.get(after["track"], after["track"]),
        "state": after["state"],
        "state_label": camp.lifecycle.labels[after["state"]],
        "trigger": spec.trigger,
        "trigger_label": spec.label,
        "unit": None if uid is None else camp.unit_keys[uid],
        "unit_name": None if uid is None else camp.unit_names[uid],
        "due": None if after["due"] is None else after["due"].isoformat(),
        **{k: v for k, v in event_data.items() if k in ("reason", "finding", "from_unit")},
    }


def _route(contact: Mapping[str, Any]) -> tuple[str, str]:
    """The contact's preferred channel and address (first preference that has an address)."""
    prefs = [c for c in (contact["channels"] or "").split(",") if c] or ["email", "sms"]
    for channel in prefs:
        if channel == "email" and contact["email"]:
            return "email", contact["email"]
        if channel in ("sms", "wecom", "dingtalk") and contact["mobile"]:
            return channel, contact["mobile"]
    return prefs[0], ""


def _measure_view(r: Mapping[str, Any]) -> MeasureView:
    return MeasureView(
        id=r["id"], item_id=r["item_id"], text=r["text"], due=r["due"], done_at=r["done_at"],
        done_by=r["done_by"], created_by=r["created_by"], created_at=r["created_at"],
    )


def _event_view(r: Mapping[str, Any]) -> EventView:
    return EventView(
        id=r["id"], campaign_id=r["campaign_id"], seq=r["seq"], item_id=r["item_id"], trigger=r["trigger"],
        from_state=r["from_state"], to_state=r["to_state"], actor=r["actor"], role=r["role"], unit=r["unit"],
        at=r["at"], data=json.loads(r["data"]), hash=r["hash"],
    )
