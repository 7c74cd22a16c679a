"""The engine: campaigns, items, measures, transitions, queries and the audit trail.

A transition is: load the item row → check the trigger, the actor's role and the guards (on
the lifecycle's one shared Machine) → write the new state with ``version + 1`` by
compare-and-set → append the audit event, outbox rows and step rows — all in one database
transaction. Anything refused raises before the first write, and any failure rolls the whole
transaction back, so nothing half-written survives.

Writes run on the DBAPI cursor with SQLAlchemy Core statements compiled once per dialect
(:mod:`zhenggai.engine._writes`); the ORM is not on them (it costs 10-14x the raw driver per
transition here, and Core's own per-execute work several times more: BENCHMARKS.md). Queries
for people (lists, ledger, audit) use Core on SQLAlchemy connections.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import random
import threading
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Self

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy import Engine as SAEngine
from zhenggai.workflows.schema import (
    CalendarSpec,
    CalendarYearSpec,
    CampaignSetup,
    LadderSpec,
    LifecycleSpec,
    RoleSpec,
    TransitionSpec,
)

from . import _outcomes, _reports, _roster
from ._calendar_years import CalendarStatements, load_year, read_loaded, year_view, year_views
from ._campaign_steps import arm_campaign_steps, campaign_steps, fire_campaign_steps
from ._documents import (
    DOCUMENT_SUBJECT,
    arm_document_steps,
    document_steps,
    document_view,
    fire_document_steps,
    transition_document,
)
from ._late_start import NOT_APPLICABLE, settle_before_start
from ._raw import Tx
from ._reports import GramCache, find_duplicates
from ._sealing import IDENTITY_FIELDS, ReporterKeys
from ._steps import (
    LATE_AFTER,
    SYSTEM,
    TIMER,
    SweepReport,
    Wanted,
    arm_awaiting,
    arm_duties,
    arm_item_steps,
    duty_steps,
    fire_duty_steps,
    fire_item_steps,
    item_steps,
    retime_steps,
    timer_steps,
)
from ._writes import (
    AWAITING,
    CAMPAIGN,
    CONTACT,
    DOCUMENT,
    DUPLICATE,
    DUTY,
    EVENT,
    HEAD,
    HEARTBEAT,
    ISSUE,
    ITEM,
    MEASURE,
    OUTBOX,
    REPORTER,
    STEP,
    TRACK,
    UNIT,
    WEEKDAYS,
    Campaign,
    Statements,
    Vouch,
    append_event,
    cas_update,
    item_number,
    item_units,
    queue_messages,
    transition_payload,
)
from .audit import (
    BIND,
    GENESIS,
    Anchor,
    AuditReport,
    Bindings,
    definition_digest,
    item_digest,
    rows_digest,
    verify_anchor,
    verify_chain,
)
from .calendar import LoadedYears, WorkingCalendar
from .checks import check_setup
from .clock import SystemClock
from .deadlines import add_days, next_workday, received_day, rule_for, working_days_between
from .errors import (
    CalendarError,
    CampaignNotFound,
    ConflictError,
    DefinitionError,
    DocumentNotFound,
    DuplicateNotFound,
    DutyNotFound,
    GuardFailedError,
    ImportRejected,
    InvalidInputError,
    ItemNotFound,
    MeasureNotFound,
    MechanismNotFound,
    MessageNotFound,
    PermissionDeniedError,
    PracticeNotFound,
    ReporterKeyError,
    StorageError,
    TrackNotFound,
    TransitionNotAllowedError,
    UnitNotFound,
    ZhenggaiError,
)
from .lifecycle import (
    COMMON_FIELDS,
    EFFECTS,
    GUARDS,
    CompiledLifecycle,
    TransitionContext,
)
from .migrate import upgrade
from .ports import Calendar, Clock
from .store import Store
from .views import (
    MECHANISM_STATUSES,
    AccountabilityEntry,
    Actor,
    CalendarYearView,
    CampaignView,
    ContactView,
    DocumentView,
    DuplicateView,
    DutyView,
    EventView,
    FiveOutcomes,
    HeartbeatView,
    ImportProblem,
    ImportResult,
    ItemView,
    LedgerRow,
    MeasureView,
    MechanismView,
    NewContact,
    NewItem,
    OutboxView,
    OutcomeView,
    PracticeView,
    ProgressReport,
    RecomputeView,
    RekeyReport,
    Reporter,
    ReporterView,
    StatusView,
    UnitRanking,
    UnreachableView,
)

__all__ = ["Engine"]

#: Severity vocabulary (问题程度) of campaigns started before definitions declared their own.
DEFAULT_SEVERITIES: Mapping[str, str] = {"normal": "一般", "serious": "较重", "critical": "严重"}

TEXT_LIMITS: Mapping[str, int] = {
    "title": 200,
    "doc_number": 100,
    "description": 5000,
    "text": 2000,
    "finding": 2000,
    "reason": 2000,
    "note": 2000,
    "leading_official": 100,
    "actor": 100,
}

class Engine:
    """The zhenggai engine on one database.

    ``db`` is a SQLAlchemy URL, a SQLite file path, or a SQLAlchemy ``Engine`` the host system
    already has. The schema is brought to the current revision on open (``migrate=False`` to
    skip, e.g. when the host runs migrations itself). ``clock`` defaults to the system clock.
    ``durability`` (SQLite): ``full`` by default, ``normal`` to trade the last commits before an
    OS crash for speed. ``origin`` (e.g. ``{"os_user": …, "host": …}``) is recorded in the data
    of every audit event this engine appends. ``reporter_keys`` seal reporters' identities
    (:class:`ReporterKeys`; the key is kept outside the database): without them an item cannot
    be reported with a reporter, nor a sealed identity read. Everything hangs off this object; two engines in one process do not share state.
    """

    def __init__(
        self,
        db: str | os.PathLike[str] | SAEngine,
        *,
        clock: Clock | None = None,
        calendar: Callable[[CalendarSpec], Calendar] | None = None,
        seed: int | None = None,
        migrate: bool = True,
        durability: str = "full",
        origin: Mapping[str, str] | None = None,
        reporter_keys: ReporterKeys | None = None,
    ) -> None:
        if reporter_keys is not None and not isinstance(reporter_keys, ReporterKeys):
            raise InvalidInputError("reporter_keys", "须为 ReporterKeys")
        #: The keys reporters' identities are sealed with (举报人信息加密保存); None: not configured.
        self._reporter_keys = reporter_keys
        self.clock: Clock = clock or SystemClock()
        #: The calendar years operators loaded into this database (``zhenggai calendar load``),
        #: read on first use and again by every sweep; every campaign calendar made by the
        #: default factory sees them.
        self._loaded_years = LoadedYears()
        #: Makes a campaign's working-day calendar from its definition's ``calendar`` section
        #: (default: the statutory calendar, with the years loaded into the database, plus the
        #: county's overrides).
        self.calendar_for: Callable[[CalendarSpec], Calendar] = calendar or self._working_calendar
        #: Seeds of the random draws (回头看 sample, supervision teams); each draw records its
        #: own seed in the audit trail. Fixed by ``seed`` for a reproducible run (simulate).
        self._seeds = random.Random(seed)
        #: SQLite only (PostgreSQL's is the server's ``synchronous_commit``): ``full`` (the
        #: default) keeps every commit through an OS crash or power loss; ``normal`` is faster and
        #: may lose the last commits then (never consistency).
        self._store = Store(db, durability=durability)
        if migrate:
            try:
                upgrade(self._store)
            except BaseException:
                self._store.dispose()  # do not leave a connection pool behind a failed open
                raise
        self._st = Statements(self._store.engine.dialect, row_locks=self._store.dialect.for_update)
        self._cal_st = CalendarStatements(self._store.engine.dialect)
        #: ``origin`` (e.g. the CLI's operating-system user and host) goes into every audit event.
        self._st.origin = dict(origin) if origin else None
        #: The loaded years' fingerprint the waiting steps were last armed for (None: not yet).
        self._armed_for: tuple[int, int] | None = None
        self._grams = GramCache()
        self._campaigns: dict[int, Campaign] = {}
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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()

    def _now(self) -> dt.datetime:
        """The clock's now, held to the Clock contract (aware, UTC) before anything is written."""
        now = self.clock.now()
        if not isinstance(now, dt.datetime) or now.tzinfo is None or now.utcoffset() is None:
            raise InvalidInputError("clock", "时钟返回的时间不带时区 (Clock.now() 须返回带时区的 UTC 时间)")
        return now.astimezone(dt.UTC)

    # ------------------------------------------------------------------------------ campaigns

    def start_campaign(self, setup: CampaignSetup, *, key: str | None = None) -> CampaignView:
        """Start a campaign from a setup (units, tracks, roles, lifecycle). Checks it first."""
        key = (key or setup.definition_id).strip()
        if not key or len(key) > 100:
            raise InvalidInputError("key", "专项行动标识须为 1-100 个字符")
        self._check_setup(setup)
        try:
            zoneinfo.ZoneInfo(setup.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as err:
            raise InvalidInputError("timezone", f"未知时区 {setup.timezone}") from err
        now = self._now()
        st = self._st
        with self._store.transaction() as tx:
            if tx.one(st.campaign_id_by_key, {"key": key}) is not None:
                raise InvalidInputError("key", f"专项行动 {key} 已存在")
            stored = _stored_definition(setup)
            cid = tx.scalar(
                st.campaign_insert,
                {
                    "key": key,
                    "title": setup.title,
                    "county": setup.county,
                    "definition_id": setup.definition_id,
                    "definition_version": setup.definition_version,
                    "timezone": setup.timezone,
                    "created_at": now,
                    **stored,
                },
            )
            for unit in setup.units:
                uid = tx.scalar(
                    st.unit_insert, {"campaign_id": cid, "key": unit.id, "name": unit.name, "kind": unit.kind}
                )
                _roster.seed_contacts(tx, st, uid, unit.contacts, now)  # the definition seeds the roster
            for track in setup.tracks:
                tx.run(
                    st.track_insert,
                    {"campaign_id": cid, "key": track.id, "name": track.name, "unit_keys_json": json.dumps(track.units)},
                )
            tx.run(st.head_insert, {"campaign_id": cid, "seq": 0, "hash": GENESIS})
            # Not cached until committed: a rolled-back start must leave no campaign behind.
            camp = self._load_campaign(tx, cid, cache=False)
            # Campaign steps first: a phase end due with a duty's chase at the same moment fires
            # first (steps of one moment go in id order), and its 挂牌督办 supersedes the chase.
            arm_campaign_steps(tx, st, camp, now)
            duties = arm_duties(tx, st, camp, now)
            # What fell due before the campaign existed never fires (no catch-up flood).
            not_applicable = settle_before_start(tx, st, camp, now)
            append_event(
                tx,
                st,
                cid,
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
                    "duties": duties,
                    "definition_sha256": definition_digest(stored),
                    "not_applicable": not_applicable,
                },
                roster=True,
            )
        self._remember(camp)
        return camp.view

    def migrate_campaign(self, campaign: str | int, setup: CampaignSetup, actor: Actor) -> CampaignView:
        """Move a running campaign to a new version of its definition (an explicit step: items
        otherwise keep the version they started with).

        Refused as a whole, with every problem listed (:class:`DefinitionError`), when the new
        version is not runnable, is another definition or the same version, or would strand
        an item: a state, track, channel or responsible unit some item has must still exist.
        Units and tracks the new version adds are created; names and unit lists are updated.
        The actor must have a role the new version's ``migrate_campaign`` operation allows.
        """
        self._check_setup(setup)
        now = self._now()
        st = self._st
        with self._store.write() as conn:
            tx = Tx.on(conn)
            camp = self._campaign(tx, campaign)
            if setup.definition_id != camp.view.definition_id:
                wrong = f"按实施方案 {camp.view.definition_id} 运行, 不能改用 {setup.definition_id}"
                raise DefinitionError([f"definition_id: 专项行动 {camp.key} {wrong}"])
            if setup.definition_version == camp.view.definition_version:
                raise DefinitionError([f"version: 专项行动 {camp.key} 已是版本 {setup.definition_version}"])
            self._check_actor_against(setup, actor)
            stranded = _stranded_items(conn, camp, setup)
            if stranded:
                raise DefinitionError(stranded)
            stored = _stored_definition(setup)
            conn.execute(
                CAMPAIGN.update()
                .where(CAMPAIGN.c.id == camp.id)
                .values(definition_version=setup.definition_version, title=setup.title, **stored)
            )
            added_units = [u for u in setup.units if u.id not in camp.unit_ids]
            for unit in setup.units:
                if unit.id in camp.unit_ids:
                    conn.execute(
                        UNIT.update().where(UNIT.c.id == camp.unit_ids[unit.id]).values(name=unit.name, kind=unit.kind)
                    )
                else:
                    tx.run(st.unit_insert, {"campaign_id": camp.id, "key": unit.id, "name": unit.name, "kind": unit.kind})
            for track in setup.tracks:
                values = {"name": track.name, "unit_keys_json": json.dumps(track.units)}
                if track.id in camp.tracks:
                    conn.execute(
                        TRACK.update().where(TRACK.c.campaign_id == camp.id, TRACK.c.key == track.id).values(**values)
                    )
                else:
                    tx.run(st.track_insert, {"campaign_id": camp.id, "key": track.id, **values})
            contacts_added = _roster.seed_new_version(conn, st, camp.id, setup, now)
            append_event(
                tx, st, camp.id, item_id=None, trigger="migrate_campaign", from_state=None, to_state=None,
                actor=actor, at=now,
                data={
                    "from_version": camp.view.definition_version,
                    "to_version": setup.definition_version,
                    "units_added": [u.id for u in added_units],
                    "tracks_added": [t.id for t in setup.tracks if t.id not in camp.tracks],
                    "contacts_added": contacts_added,
                    "definition_sha256": definition_digest(stored),
                },
                roster=True,
            )
            updated = self._load_campaign(tx, camp.id, cache=False)
        self._remember(updated)
        return updated.view

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

    def definition(self, campaign: str | int) -> CampaignSetup | None:
        """The whole definition the campaign runs on (the version it started with or was
        migrated to); None for a campaign started before definitions were kept whole."""
        with self._store.read() as conn:
            return self._campaign(conn, campaign).setup

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
        severity: str | None = None,
        reporter: Reporter | None = None,
    ) -> ItemView:
        """Register a problem item (问题线索) in the lifecycle's initial state.

        ``severity`` is one of the definition's severities (问题程度); None: its first.

        ``reporter`` (举报人) is stored apart, sealed with the engine's ``reporter_keys`` (refused
        with :class:`ReporterKeyError`, nothing written, when it has none), and never appears in
        what units see.
        """
        now = self._now()
        with self._store.transaction() as tx:
            camp = self._campaign(tx, campaign)
            self._check_actor(camp, actor)
            self._check_operation(camp, actor, "report", None)
            values = self._report_in(
                tx, camp, actor, now, title=title, description=description, track=track, channel=channel,
                severity=severity, reporter=reporter,
            )
        return self._view_from_row(camp, values)

    def _report_in(
        self, tx: Tx, camp: Campaign, actor: Actor, now: dt.datetime, *, title: str, description: str,
        track: str, channel: str, severity: str | None, reporter: Reporter | None, unit_id: int | None = None,
    ) -> dict[str, Any]:
        """Insert a reported item in ``tx`` (the actor and role already checked), its reporter,
        its 关联研判 flags (against the items of its track, and of ``unit_id`` when given) and its
        audit event; the row as written."""
        st = self._st
        values = {
            "campaign_id": camp.id,
            "title": _text("title", title),
            "description": _text("description", description),
            "track": _choice("track", track, camp.tracks, TrackNotFound),
            "channel": _choice("channel", channel, camp.channels),
            "severity": next(iter(camp.severities)) if severity is None
            else _choice("severity", severity, camp.severities),
            "state": camp.lifecycle.spec.initial,
            "responsible_unit_id": None,
            "leading_official": None,
            "due": None,
            "due_from": None,
            "due_days": None,
            "due_count": None,
            "paused_at": None,
            "paused_days": None,
            "state_since": now,
            "light": "green",
            "escalation_level": 0,
            "reopen_count": 0,
            "merged_into_id": None,
            "dismiss_reason": None,
            "last_finding": None,
            "has_reporter": reporter is not None,
            "created_by": actor.name,
            "created_at": now,
            "updated_at": now,
            "verified_at": None,
            "closed_at": None,
            "closed_by": None,
            "closed_by_unit": None,
            "case_note": None,
            "case_marked_at": None,
            "case_marked_by": None,
            "case_published_at": None,
            "case_published_where": None,
            "version": 1,
            "number": item_number(camp, tx.scalar(st.serial_next, {"cid": camp.id, "kind": "item"}), now),
        }
        reporter_values = _reporter_values(reporter) if reporter is not None else None
        keys = self._reporter_keys
        if reporter_values is not None and keys is None:
            raise ReporterKeyError.no_key("举报人信息须加密保存, 但未配置举报人密钥 (未登记任何内容)")
        item_id = tx.scalar(st.item_insert, values)
        if reporter_values is not None:
            assert keys is not None
            sealed, key_id = keys.seal(item_id, reporter_values)
            # Only the sealed identity: the plaintext columns are for rows from before 0011.
            tx.run(st.reporter_insert, {
                "item_id": item_id, **dict.fromkeys(IDENTITY_FIELDS), "sealed": sealed, "key_id": key_id,
            })
        # 关联研判: possible duplicates are flagged for a person (see :meth:`duplicates`),
        # named in the report's audit event, and never merged here.
        duplicates = find_duplicates(tx, st, camp, {**values, "id": item_id}, unit_id, self._grams)
        for other_id, score in duplicates:
            tx.scalar(st.duplicate_insert, {
                "campaign_id": camp.id, "item_id": item_id, "other_id": other_id, "score": round(score * 1000),
                "created_at": now, "resolved_at": None, "resolved_by": None, "resolution": None,
            })
        append_event(
            tx,
            st,
            camp.id,
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
                **({"possible_duplicates": [other for other, _ in duplicates]} if duplicates else {}),
            },
        )
        return {**values, "id": item_id}

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
        now = self._now()
        with self._store.transaction() as tx:
            camp, after = self._fire_in(tx, item_id, trigger, actor, expected_version, data, now)
        return self._view_from_row(camp, after)

    def _fire_in(
        self, tx: Tx, item_id: int, trigger: str, actor: Actor, expected_version: int | None,
        data: Mapping[str, Any], now: dt.datetime,
    ) -> tuple[Campaign, dict[str, Any]]:
        """:meth:`fire` in ``tx``: the campaign and the row as written."""
        row = self._load_item(tx, item_id)
        camp = self._campaign(tx, row["campaign_id"], row["campaign_version"])
        self._check_actor(camp, actor)
        _check_version(item_id, expected_version, row["version"])
        state = row["state"]
        lifecycle = camp.lifecycle
        spec = lifecycle.by_trigger_source.get((trigger, state))
        if spec is None:
            raise TransitionNotAllowedError(
                item_id, state, trigger, lifecycle.allowed_triggers(state), lifecycle.names
            )
        self._check_role(camp, actor, spec.trigger, spec.roles, row)
        inputs = self._trigger_inputs(tx, camp, spec, data, now)
        if "set_assignment" in spec.effects and inputs.get("due") is None and row["due"] is None:
            _due_by_rule(camp, row, inputs, now)
        after = self._transition(tx, camp, row, spec, actor, inputs, now)
        return camp, after

    def _transition(
        self, tx: Tx, camp: Campaign, row: dict[str, Any], spec: TransitionSpec, actor: Actor,
        inputs: dict[str, Any], now: dt.datetime,
    ) -> dict[str, Any]:
        """Fire ``spec`` on the loaded ``row`` in ``tx``, the role already checked: guards,
        effects, the compare-and-set write, the audit event, the messages, the steps. Returns the
        row as written; raises :class:`GuardFailedError` when a guard refuses."""
        st = self._st
        lifecycle = camp.lifecycle
        item_id, state, trigger = row["id"], row["state"], spec.trigger
        ctx = TransitionContext(
            item=row,
            actor_name=actor.name,
            actor_unit_id=camp.unit_ids.get(actor.unit) if actor.unit else None,
            actor_unit_key=actor.unit,
            now=now,
            data=inputs,
            today=now.astimezone(camp.tz).date(),
            final_states=lifecycle.final_states,
        )
        needs = lifecycle.needs[spec.trigger]
        if "measures" in needs:
            counts = tx.one(st.measure_counts, {"item_id": item_id})
            assert counts is not None
            ctx.measure_count, ctx.open_measure_count = counts["total"], counts["open"]
        if "survivor" in needs and inputs.get("survivor_id") is not None:
            ctx.survivor = tx.one(st.item_shared, {"id": inputs["survivor_id"]})
        new_state = lifecycle.fire(trigger, state, ctx)
        if new_state is None:
            assert ctx.failed_guard is not None
            raise GuardFailedError(item_id, trigger, ctx.failed_guard, ctx.failed_reason, lifecycle.names)
        changes: dict[str, Any] = {}
        for effect in spec.effects:
            changes.update(EFFECTS[effect].apply(ctx))
        if changes.get("due", row["due"]) != row["due"]:
            if row["paused_at"] is not None:
                raise GuardFailedError(item_id, trigger, "clock_running",
                                       "计时已暂停, 恢复计时后再调整整改时限", {**lifecycle.names, **CLOCK_NAMES})
            if row["light"] != "green":
                changes["light"] = "green"  # a new deadline starts with a green light
        if "due_basis" in inputs:  # counted by the definition's rule: kept for recomputing
            changes.update(inputs["due_basis"])
        elif "due" in changes and row["due_from"] is not None and changes["due"] != row["due"]:
            changes.update(due_from=None, due_days=None, due_count=None)  # a date a person chose
        if new_state in lifecycle.final_states and row["paused_at"] is not None:
            changes.update(paused_at=None, paused_days=None)  # nothing left to count
        # Every transition enters its destination, also one back into the same state (a new
        # dispatch): timed transitions count from here.
        changes.update(state=new_state, state_since=now, updated_at=now, version=row["version"] + 1)
        cas_update(tx, st, row, changes)
        event_data = _event_data(camp, inputs, row, changes)
        after = {**row, **changes}
        # The messages first: the event vouches for them (and for the item's row as written).
        queued = queue_messages(
            tx, st, camp, spec.notify, key=f"item:{item_id}:v{after['version']}:{spec.trigger}",
            payload=transition_payload(camp, spec, after, event_data), units=item_units(camp, row, after),
            item_id=item_id, now=now,
        )
        append_event(
            tx,
            st,
            camp.id,
            item_id=item_id,
            trigger=trigger,
            from_state=state,
            to_state=new_state,
            actor=actor,
            at=now,
            data=event_data,
            outbox=queued,
        )
        arm_item_steps(tx, st, camp, row, after, now)
        return after

    # Named operations: thin wrappers over fire(), so a host reads what it does.

    def assign(
        self,
        item_id: int,
        actor: Actor,
        *,
        unit: str,
        due: dt.date | str | None = None,
        leading_official: str | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> ItemView:
        """交办: hand the item to a responsible unit with a due date (and its 领衔领导). Without
        ``due`` the definition's rectification time for the item's track and severity applies."""
        return self.fire(
            item_id, "assign", actor, unit=unit, due=due, leading_official=leading_official, note=note,
            expected_version=expected_version,
        )

    def start_rectification(
        self, item_id: int, actor: Actor, *, note: str | None = None, expected_version: int | None = None
    ) -> ItemView:
        """开始整改 (needs at least one measure)."""
        return self.fire(item_id, "start_rectification", actor, note=note, expected_version=expected_version)

    def submit_for_verification(
        self, item_id: int, actor: Actor, *, note: str | None = None, expected_version: int | None = None
    ) -> ItemView:
        """提请验收 (every measure done)."""
        return self.fire(item_id, "submit_for_verification", actor, note=note, expected_version=expected_version)

    def verify(
        self, item_id: int, actor: Actor, *, note: str | None = None, expected_version: int | None = None
    ) -> ItemView:
        """验收通过 (by someone outside the responsible unit)."""
        return self.fire(item_id, "verify", actor, note=note, expected_version=expected_version)

    def return_for_rework(
        self, item_id: int, actor: Actor, *, reason: str, note: str | None = None,
        expected_version: int | None = None,
    ) -> ItemView:
        """退回重新整改, with the reason."""
        return self.fire(
            item_id, "return_for_rework", actor, reason=reason, note=note, expected_version=expected_version
        )

    def close(
        self, item_id: int, actor: Actor, *, note: str | None = None, expected_version: int | None = None
    ) -> ItemView:
        """销号: sign the item off (by someone outside the responsible unit)."""
        return self.fire(item_id, "close", actor, note=note, expected_version=expected_version)

    def follow_up_review(
        self,
        item_id: int,
        actor: Actor,
        *,
        finding: str,
        due: dt.date | str | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> ItemView:
        """回头看: reopen a closed item with the review's finding, and a new due date when the
        old one has passed (the standard lifecycle's ``due_not_passed`` guard)."""
        return self.fire(
            item_id, "follow_up_review", actor, finding=finding, due=due, note=note,
            expected_version=expected_version,
        )

    def reassign(
        self,
        item_id: int,
        actor: Actor,
        *,
        unit: str,
        due: dt.date | str | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> ItemView:
        """改派 to another unit (optionally with a new due date)."""
        return self.fire(
            item_id, "reassign", actor, unit=unit, due=due, note=note, expected_version=expected_version
        )

    def dismiss(
        self, item_id: int, actor: Actor, *, reason: str, note: str | None = None,
        expected_version: int | None = None,
    ) -> ItemView:
        """撤销: the lead was found untrue; terminal, with the reason."""
        return self.fire(item_id, "dismiss", actor, reason=reason, note=note, expected_version=expected_version)

    def merge(
        self, item_id: int, actor: Actor, *, survivor_id: int, note: str | None = None,
        expected_version: int | None = None,
    ) -> ItemView:
        """合并: the item duplicates ``survivor_id``, which must still be open."""
        return self.fire(
            item_id, "merge", actor, survivor_id=survivor_id, note=note, expected_version=expected_version
        )

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
        now = self._now()
        st = self._st
        with self._store.transaction() as tx:
            row = self._load_item(tx, item_id)
            camp = self._campaign(tx, row["campaign_id"], row["campaign_version"])
            self._check_actor(camp, actor)
            _check_version(item_id, expected_version, row["version"])
            self._check_measure_state(camp, row, "add_measure")
            self._check_operation(camp, actor, "add_measure", row)
            values = {
                "item_id": item_id,
                "text": _text("text", text),
                "due": None if due is None else _due(due, camp, now, "due"),
                "done_at": None,
                "done_by": None,
                "created_by": actor.name,
                "created_at": now,
            }
            measure_id = tx.scalar(st.measure_insert, values)
            cas_update(tx, st, row, {"version": row["version"] + 1, "updated_at": now})
            append_event(
                tx, st, camp.id, item_id=item_id, trigger="add_measure", from_state=row["state"],
                to_state=row["state"], actor=actor, at=now,
                data={"measure_id": measure_id, "text": values["text"], "due": values["due"]},
            )
        return _measure_view({**values, "id": measure_id})

    def complete_measure(
        self, measure_id: int, actor: Actor, *, expected_version: int | None = None
    ) -> MeasureView:
        """Mark a measure done. ``expected_version`` is the item's version."""
        now = self._now()
        st = self._st
        with self._store.transaction() as tx:
            if not isinstance(measure_id, int) or isinstance(measure_id, bool):
                raise InvalidInputError("measure_id", "整改措施编号须为整数")
            measure = tx.one(st.measure, {"id": measure_id})
            if measure is None:
                raise MeasureNotFound(measure_id)
            row = self._load_item(tx, measure["item_id"])
            camp = self._campaign(tx, row["campaign_id"], row["campaign_version"])
            self._check_actor(camp, actor)
            _check_version(row["id"], expected_version, row["version"])
            self._check_measure_state(camp, row, "complete_measure")
            self._check_operation(camp, actor, "complete_measure", row)
            if measure["done_at"] is not None:
                raise InvalidInputError("measure", f"整改措施 {measure_id} 已完成")
            tx.run(st.measure_done, {"id": measure_id, "done_at_v": now, "done_by_v": actor.name})
            cas_update(tx, st, row, {"version": row["version"] + 1, "updated_at": now})
            append_event(
                tx, st, camp.id, item_id=row["id"], trigger="complete_measure", from_state=row["state"],
                to_state=row["state"], actor=actor, at=now, data={"measure_id": measure_id},
            )
        return _measure_view({**measure, "done_at": now, "done_by": actor.name})

    # ---------------------------------------------------------------------- the deadline clock

    def pause_clock(
        self, item_id: int, actor: Actor, *, reason: str, expected_version: int | None = None
    ) -> ItemView:
        """暂停计时 / 中止: stop the item's deadline clock (e.g. while it waits on a court ruling),
        approved by a role the definition's ``operations.pause_clock`` names, with a reason. The
        working days left to the due date are kept (the day of pausing counts as used); its
        ladder steps stop (cancelled). An item past its due date cannot be paused: its time
        has run out already."""
        now = self._now()
        st = self._st
        with self._store.transaction() as tx:
            row, camp = self._item_operation(tx, item_id, actor, "pause_clock", expected_version)
            text = _text("reason", reason)
            ladder = camp.item_ladder
            running = row["due"] is not None and row["state"] not in camp.lifecycle.final_states and (
                ladder is None or row["state"] in ladder.states
            )
            if row["paused_at"] is not None:
                raise GuardFailedError(item_id, "pause_clock", "clock_running",
                                       f"计时已于 {_local_day(camp, row['paused_at'])} 暂停", CLOCK_NAMES)
            if not running:
                raise GuardFailedError(item_id, "pause_clock", "clock_running",
                                       "问题不在整改计时中 (未交办、未定整改时限或已办结)", CLOCK_NAMES)
            today = now.astimezone(camp.tz).date()
            if row["due"] < today:
                raise GuardFailedError(item_id, "pause_clock", "due_not_passed",
                                       f"整改时限 {row['due'].isoformat()} 已过, 不能暂停计时", CLOCK_NAMES)
            left = working_days_between(camp.calendar, today, row["due"])
            changes = {"paused_at": now, "paused_days": left, "updated_at": now, "version": row["version"] + 1}
            cas_update(tx, st, row, changes)
            after = {**row, **changes}
            append_event(tx, st, camp.id, item_id=item_id, trigger="pause_clock", from_state=row["state"],
                         to_state=row["state"], actor=actor, at=now,
                         data={"reason": text, "approved_by": actor.role, "due": row["due"].isoformat(),
                               "days_left": left})
            arm_item_steps(tx, st, camp, row, after, now)
        return self._view_from_row(camp, after)

    def resume_clock(
        self, item_id: int, actor: Actor, *, note: str | None = None, expected_version: int | None = None
    ) -> ItemView:
        """恢复计时: restart a paused clock. The new due date is the working days the item had
        left, counted from today (the day of pausing counted as used, the day of resuming does
        not, so pausing and resuming the same day changes nothing); the time consumed before the
        pause stays consumed; the ladder is armed for the new date and the light starts green."""
        now = self._now()
        st = self._st
        with self._store.transaction() as tx:
            row, camp = self._item_operation(tx, item_id, actor, "resume_clock", expected_version)
            if row["paused_at"] is None:
                raise GuardFailedError(item_id, "resume_clock", "clock_paused", "计时未暂停", CLOCK_NAMES)
            text = _text("note", note) if note is not None else None
            start = now.astimezone(camp.tz).date()  # the day of resuming does not count
            left = int(row["paused_days"] or 0)
            due = add_days(camp.calendar, start, left, "working")
            changes: dict[str, Any] = {
                "paused_at": None, "paused_days": None, "due": due, "due_from": start, "due_days": left,
                "due_count": "working", "updated_at": now, "version": row["version"] + 1,
            }
            if row["light"] != "green":
                changes["light"] = "green"  # a new deadline starts with a green light
            cas_update(tx, st, row, changes)
            after = {**row, **changes}
            data: dict[str, Any] = {"paused_since": row["paused_at"].isoformat(), "days_left": left,
                                    "old_due": row["due"].isoformat(), "due": due.isoformat(),
                                    "approved_by": actor.role}
            if text is not None:
                data["note"] = text
            append_event(tx, st, camp.id, item_id=item_id, trigger="resume_clock", from_state=row["state"],
                         to_state=row["state"], actor=actor, at=now, data=data)
            arm_item_steps(tx, st, camp, row, after, now)
        return self._view_from_row(camp, after)

    def recompute_deadlines(
        self, campaign: str | int, actor: Actor, *, progress: Callable[[int, int], None] | None = None
    ) -> RecomputeView:
        """Recompute every open deadline on the calendar as it is now, after a calendar change
        (a new year's holiday notice in the calendar data, a county override in a new definition
        version): due dates the definition's rule gave are counted again from their received
        day (due dates a person chose stay, and so do paused clocks' days left); every pending
        ladder and duty step is re-timed. One audited act (an event for the campaign, one per
        item whose due date moved); running it again changes nothing.

        ``progress(done, total)`` is called inside the transaction after each of the campaign's
        items and open duties (``total`` of them) is looked at; what it raises rolls all back."""
        self._refresh_years()  # a year loaded by another process since this engine read them
        now = self._now()
        st = self._st
        with self._store.transaction() as tx:
            camp = self._campaign(tx, campaign)
            self._check_actor(camp, actor)
            self._check_operation(camp, actor, "recompute_deadlines", None)
            moved: list[tuple[int, dt.date, dt.date]] = []
            retimed = 0
            rows = tx.all(st.items_of_campaign, {"cid": camp.id})
            duties = tx.all(st.duties_open, {"cid": camp.id})
            total = len(rows) + len(duties)
            for done, row in enumerate(rows, 1):
                if progress is not None:
                    progress(done - 1, total)
                if row["state"] in camp.lifecycle.final_states:
                    continue
                after = row
                if row["due"] is not None and row["due_from"] is not None and row["paused_at"] is None:
                    due = add_days(camp.calendar, row["due_from"], row["due_days"], row["due_count"])
                    if due != row["due"]:
                        changes: dict[str, Any] = {"due": due, "updated_at": now, "version": row["version"] + 1}
                        if row["light"] != "green":
                            changes["light"] = "green"
                        cas_update(tx, st, row, changes)
                        after = {**row, **changes}
                        moved.append((row["id"], row["due"], due))
                        append_event(tx, st, camp.id, item_id=row["id"], trigger="recompute_deadline",
                                     from_state=row["state"], to_state=row["state"], actor=actor, at=now,
                                     data={"old_due": row["due"].isoformat(), "due": due.isoformat()})
                        arm_item_steps(tx, st, camp, row, after, now)
                if after["due"] is not None or camp.lifecycle.timed:
                    wanted = {**item_steps(camp, after), **timer_steps(camp, after)}
                    retimed += retime_steps(tx, st, "item", row["id"], wanted)
            for done, duty in enumerate(duties, len(rows) + 1):
                if progress is not None:
                    progress(done - 1, total)
                spec = camp.duties.get(duty["duty_key"])
                if spec is not None:
                    retimed += retime_steps(tx, st, "duty", duty["id"], duty_steps(camp, spec, duty["due"]))
            if progress is not None:
                progress(total, total)
            data = {"moved": [{"item": i, "old_due": a.isoformat(), "due": b.isoformat()} for i, a, b in moved],
                    "retimed": retimed, "definition_version": camp.view.definition_version}
            append_event(tx, st, camp.id, item_id=None, trigger="recompute_deadlines", from_state=None,
                         to_state=None, actor=actor, at=now, data=data)
        self._arm_all_awaiting(now)  # steps that waited for a year the calendar now knows
        return RecomputeView(campaign=camp.key, moved=tuple(moved), retimed=retimed)

    # -------------------------------------------------------------- the calendar (节假日安排)

    def _check_setup(self, setup: CampaignSetup) -> None:
        """What ``zhenggai check`` refuses, on this database's calendar (with its loaded years)."""
        self._refresh_years()
        calendar = self.calendar_for(setup.calendar)
        problems = check_setup(setup, calendar=calendar if isinstance(calendar, WorkingCalendar) else None)
        if problems:
            raise DefinitionError(problems)

    def working_calendar(self, spec: CalendarSpec | None = None) -> WorkingCalendar:
        """The statutory calendar as this database has it now (the package's years and those
        loaded, read afresh) with the county overrides of ``spec``: what a campaign with that
        ``calendar`` section would count working days on (``zhenggai init`` checks a re-dated
        plan on it)."""
        self._refresh_years()
        return WorkingCalendar(spec, loaded=self._loaded_years)

    def _working_calendar(self, spec: CalendarSpec) -> Calendar:
        """The default calendar factory: the statutory base with the years loaded into this
        database, and the definition's county overrides."""
        return WorkingCalendar(spec, loaded=self._loaded_years)

    def load_calendar_year(
        self, spec: CalendarYearSpec, actor: Actor, *, replace: bool = False, sha256: str | None = None
    ) -> CalendarYearView:
        """Load a year's holiday notice (``zhenggai calendar load``): checked to decide every day
        of its year (:class:`DefinitionError` with every problem otherwise), stored with who
        loaded it and when, and recorded in the audit chain of every campaign on the statutory
        calendar. A year the package knows, or one loaded before, is replaced only with
        ``replace``. Steps that waited for the year (待日历) are armed at once; deadlines a rule
        counted move only when someone runs :meth:`recompute_deadlines`."""
        now = self._now()
        name = _text("actor", actor.name)
        digest = sha256 or hashlib.sha256(spec.model_dump_json().encode()).hexdigest()
        st = self._st
        with self._store.transaction() as tx:
            _, replaces = load_year(tx, self._cal_st, spec, sha256=digest, actor=name, replace=replace, now=now)
            read_loaded(tx, self._cal_st, self._loaded_years)
            data = {"year": spec.year, "source": spec.source, "notice": spec.notice, "sha256": digest,
                    "replaces": replaces, "holidays": len(spec.holidays),
                    "makeup_days": sum(len(h.makeup) for h in spec.holidays)}
            for cid in tx.all(self._cal_st.campaign_ids):
                camp = self._campaign(tx, cid["id"])
                if camp.setup is None or camp.setup.calendar.base == "cn_statutory":
                    append_event(tx, st, camp.id, item_id=None, trigger="calendar_loaded", from_state=None,
                                 to_state=None, actor=actor, at=now, data=data)
            rows = tx.all(self._cal_st.rows)
        self._arm_all_awaiting(now)
        view = year_view(rows, spec.year)
        assert view is not None
        return view

    def calendar_years(self) -> list[CalendarYearView]:
        """Every year the database can count working days in, by year: the package's and the
        loaded ones (a replaced package year and earlier loads of a year as history, not in force)."""
        with self._store.read() as conn:
            return year_views(Tx.on(conn).all(self._cal_st.rows))

    def calendar_year(self, year: int) -> CalendarYearView:
        """The arrangement in force for ``year``; :class:`CalendarError` for a year no source knows."""
        with self._store.read() as conn:
            rows = Tx.on(conn).all(self._cal_st.rows)
        view = year_view(rows, year)
        if view is None:
            covered = WorkingCalendar(CalendarSpec()).describe_coverage()
            loaded = sorted({r["year"] for r in rows})
            if loaded:
                covered += f", 另载入 {'、'.join(str(y) for y in loaded)} 年"
            raise CalendarError(dt.date(year, 1, 1), covered)
        return view

    def _calendar_changes(self, now: dt.datetime) -> int:
        """Read the loaded years again (another process may have loaded one); when they changed,
        or on this engine's first sweep (a package upgrade comes with a restart), arm the steps
        that waited for the calendar. Returns how many were armed."""
        changed = self._refresh_years()
        if not changed and self._armed_for == self._loaded_years.fingerprint:
            return 0
        self._armed_for = self._loaded_years.fingerprint
        return self._arm_all_awaiting(now)

    def _refresh_years(self) -> bool:
        """Read the loaded calendar years again if they changed (one small query otherwise)."""
        with self._store.read() as conn:
            return read_loaded(Tx.on(conn), self._cal_st, self._loaded_years)

    def _arm_all_awaiting(self, now: dt.datetime) -> int:
        with self._store.read() as conn:
            subjects = Tx.on(conn).all(self._st.awaiting_subjects)
        armed = 0
        for subject in subjects:
            with self._store.transaction() as tx:
                kind, sid = subject["subject_kind"], subject["subject_id"]
                armed += arm_awaiting(tx, self._st, kind, sid, self._moments(tx, kind, sid), now)
        return armed

    def _moments(self, tx: Tx, kind: str, sid: int) -> dict[str, Any]:
        """When each step a subject should have is due now (the calendar as it is now)."""
        wanted: Wanted
        if kind == "item":
            row = self._load_item(tx, sid)
            camp = self._campaign(tx, row["campaign_id"], row["campaign_version"])
            wanted = {**item_steps(camp, row), **timer_steps(camp, row)}
        elif kind == "document":
            document = self._load_document(tx, sid)
            wanted = document_steps(self._campaign(tx, document["campaign_id"]), document)
        elif kind == "duty":
            duty = tx.one(self._st.duty, {"id": sid})
            assert duty is not None, f"step of a missing duty {sid}"
            camp = self._campaign(tx, duty["campaign_id"], duty["campaign_version"])
            spec = camp.duties.get(duty["duty_key"])
            wanted = duty_steps(camp, spec, duty["due"]) if spec is not None and duty["status"] == "open" else {}
        else:
            return dict(campaign_steps(self._campaign(tx, sid)))
        return {key: when for key, (_, when) in wanted.items()}

    def _calendar_alerts(self, now: dt.datetime, report: SweepReport) -> None:
        """Once per campaign and missing year, when steps wait for that year past the earliest
        moment they could be due: a ``calendar_missing`` event, the campaign's
        ``calendar.alert`` messages, and a marker step (``calendar_missing@YEAR``) so it is said
        once, by whichever daemon gets there first."""
        waiting: dict[int, dict[int, tuple[int, dt.datetime]]] = {}
        with self._store.read() as conn:
            for row in Tx.on(conn).all(self._st.awaiting_due, {"now": now}):
                camp = self._campaign(conn, row["campaign_id"])
                for year in _missing_years(camp, row["due_at"], now):
                    steps, first = waiting.setdefault(camp.id, {}).get(year, (0, row["due_at"]))
                    waiting[camp.id][year] = (steps + row["steps"], min(first, row["due_at"]))
        st = self._st
        for cid, years in waiting.items():
            for year, (steps, first) in sorted(years.items()):
                key = f"calendar_missing@{year}"
                with self._store.transaction() as tx:
                    if not tx.run(st.step_insert_once, {
                        "campaign_id": cid, "subject_kind": "campaign", "subject_id": cid, "step_key": key,
                        "due_at": now, "status": "fired", "fired_at": now, "created_at": now,
                    }):
                        continue
                    camp = self._campaign(tx, cid)
                    data = {"year": year, "steps": steps, "first_due": first.isoformat()}
                    queued = None
                    if camp.setup is not None:
                        payload = {"campaign": camp.view.title, "year": year, "steps": steps,
                                   "first_due": _local_day(camp, first)}
                        queued = queue_messages(tx, st, camp, camp.setup.calendar.alert, key=f"campaign:{cid}:{key}",
                                                payload=payload, units={}, item_id=None, now=now)
                    append_event(tx, st, cid, item_id=None, trigger="calendar_missing", from_state=None,
                                 to_state=None, actor=SYSTEM, at=now, data=data, outbox=queued)
                    report.alerts += 1

    # --------------------------------------------------------------------------------- reading

    def item(self, item_id: int) -> ItemView:
        with self._store.read() as conn:
            row = self._load_item(conn, item_id)
            return self._view_from_row(self._campaign(conn, row["campaign_id"], row["campaign_version"]), row)

    def items(
        self,
        campaign: str | int | None = None,
        *,
        state: str | None = None,
        unit: str | None = None,
        track: str | None = None,
        number: str | None = None,
    ) -> list[ItemView]:
        """Items, oldest first, optionally filtered by campaign, state, unit key, track and
        问题编号 (``number``, case and surrounding blanks ignored)."""
        with self._store.read() as conn:
            query = select(ITEM).order_by(ITEM.c.id)
            camp = None
            if campaign is not None:
                camp = self._campaign(conn, campaign)
                query = query.where(ITEM.c.campaign_id == camp.id)
            if number is not None:
                query = query.where(ITEM.c.number == _item_number_key(number))
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
            camps: dict[int, Campaign] = {}
            for r in rows:
                if r["campaign_id"] not in camps:
                    camps[r["campaign_id"]] = self._campaign(conn, r["campaign_id"])
            return [self._view_from_row(camps[r["campaign_id"]], r) for r in rows]

    def item_by_number(self, campaign: str | int, number: str) -> ItemView:
        """The item a campaign numbered ``number`` (问题编号, e.g. ``ZG-2023-0001``; case and
        surrounding blanks ignored). Raises ``ItemNotFound`` if the campaign has none such."""
        found = self.items(campaign, number=number)
        if not found:
            raise ItemNotFound(_item_number_key(number))
        return found[0]

    def measures(self, item_id: int) -> list[MeasureView]:
        with self._store.read() as conn:
            self._load_item(conn, item_id)
            rows = conn.execute(
                select(MEASURE).where(MEASURE.c.item_id == item_id).order_by(MEASURE.c.id)
            ).mappings()
            return [_measure_view(r) for r in rows]

    def events(
        self, item_id: int | None = None, *, campaign: str | int | None = None, after: int | None = None
    ) -> list[EventView]:
        """Audit events of one item, or of one campaign, or all, in chain order; with ``after``,
        only those of a higher ``seq`` (a follower's cursor, with ``campaign``)."""
        with self._store.read() as conn:
            query = select(EVENT).order_by(EVENT.c.campaign_id, EVENT.c.seq)
            if after is not None:
                query = query.where(EVENT.c.seq > after)
            if item_id is not None:
                self._load_item(conn, item_id)
                query = query.where(EVENT.c.item_id == item_id)
            if campaign is not None:
                query = query.where(EVENT.c.campaign_id == self._campaign(conn, campaign).id)
            return [_event_view(r) for r in conn.execute(query).mappings()]

    def ledger(
        self, campaign: str | int, *, unit: str | None = None, track: str | None = None, after: int | None = None,
        limit: int | None = None,
    ) -> list[LedgerRow]:
        """The 整改台账: the campaign's items (of one unit / track when given) with their
        measures, by id, no reporter data. ``after`` and ``limit`` page through a large ledger
        (items with an id above ``after``, at most ``limit`` of them): see :meth:`ledger_pages`."""
        with self._store.read() as conn:
            camp = self._campaign(conn, campaign)
            query = select(ITEM).where(ITEM.c.campaign_id == camp.id).order_by(ITEM.c.id)
            if unit is not None:
                query = query.where(ITEM.c.responsible_unit_id == _unit_id(camp, unit))
            if track is not None:
                query = query.where(ITEM.c.track == _choice("track", track, camp.tracks, TrackNotFound))
            if after is not None:
                query = query.where(ITEM.c.id > after)
            if limit is not None:
                query = query.limit(limit)
            rows = conn.execute(query).mappings().all()
            if not rows:
                return []
            measures: dict[int, list[MeasureView]] = {}
            measure_query = (
                select(MEASURE)
                .join(ITEM, ITEM.c.id == MEASURE.c.item_id)
                .where(ITEM.c.campaign_id == camp.id, ITEM.c.id >= rows[0]["id"], ITEM.c.id <= rows[-1]["id"])
                .order_by(MEASURE.c.id)
            )
            for mr in conn.execute(measure_query).mappings():
                measures.setdefault(mr["item_id"], []).append(_measure_view(mr))
            return [
                LedgerRow(self._view_from_row(camp, r), tuple(measures.get(r["id"], ()))) for r in rows
            ]

    def count_items(self, campaign: str | int, *, unit: str | None = None, track: str | None = None) -> int:
        """How many items the campaign has (of one unit / track): one ``COUNT``, nothing loaded."""
        with self._store.read() as conn:
            camp = self._campaign(conn, campaign)
            query = select(func.count()).select_from(ITEM).where(ITEM.c.campaign_id == camp.id)
            if unit is not None:
                query = query.where(ITEM.c.responsible_unit_id == _unit_id(camp, unit))
            if track is not None:
                query = query.where(ITEM.c.track == _choice("track", track, camp.tracks, TrackNotFound))
            return int(conn.execute(query).scalar_one())

    def ledger_pages(
        self, campaign: str | int, *, unit: str | None = None, track: str | None = None, page: int = 500
    ) -> Iterator[LedgerRow]:
        """The ledger row by row, read ``page`` items at a time (each page its own short read),
        so an export of a large campaign holds one page in memory, not the whole ledger."""
        after: int | None = None
        while True:
            rows = self.ledger(campaign, unit=unit, track=track, after=after, limit=page)
            yield from rows
            if len(rows) < page:
                return
            after = rows[-1].item.id

    # ------------------------------------------------------- documents (规范性文件清理)

    def list_document(
        self, campaign: str | int, actor: Actor, *, unit: str, title: str, doc_number: str | None = None,
        note: str | None = None,
    ) -> DocumentView:
        """List a normative document of ``unit`` for re-study (规范性文件清理), in the document
        lifecycle's initial state; its decision is due by the definition's ``documents.due``
        (counted from today as an item's deadline is) and its ladder is armed. A role from the
        document lifecycle's ``operations.report``; a unit-bound role lists its own unit's."""
        now = self._now()
        st = self._st
        with self._store.transaction() as tx:
            camp = self._campaign(tx, campaign)
            lifecycle = _documents_of(camp)
            self._check_actor(camp, actor)
            unit_id = _unit_id(camp, unit)
            self._check_role(camp, actor, "report", lifecycle.spec.operations.get("report", []),
                             {"responsible_unit_id": unit_id})
            assert camp.setup is not None and camp.setup.documents is not None
            rule = camp.setup.documents.due
            received = received_day(camp.calendar, now, camp.tz, _cutoff(camp))
            values: dict[str, Any] = {
                "campaign_id": camp.id, "responsible_unit_id": unit_id, "title": _text("title", title),
                "doc_number": None if doc_number is None else _text("doc_number", doc_number),
                "note": None if note is None else _text("note", note), "state": lifecycle.spec.initial,
                "state_since": now, "due": add_days(camp.calendar, received, rule.days, rule.count),
                "light": "green", "escalation_level": 0, "decision_note": None, "decided_at": None,
                "created_by": actor.name, "created_at": now, "updated_at": now, "version": 1,
            }
            values["id"] = tx.scalar(st.document_insert, values)
            append_event(tx, st, camp.id, item_id=None, trigger="list_document", from_state=None,
                         to_state=lifecycle.spec.initial, actor=actor, at=now,
                         data={"document": values["id"], "title": values["title"], "unit": unit,
                               "due": values["due"].isoformat()})
            arm_document_steps(tx, st, camp, values, now)
        return document_view(camp, lifecycle, values)

    def fire_document(
        self, document_id: int, trigger: str, actor: Actor, *, reason: str | None = None, note: str | None = None,
        expected_version: int | None = None,
    ) -> DocumentView:
        """Fire a document-lifecycle ``trigger`` (e.g. 开始审查, 决定保留 / 修订 / 废止) as ``actor``;
        a transition into a final state records the decision and its date."""
        now = self._now()
        with self._store.transaction() as tx:
            row = self._load_document(tx, document_id)
            camp = self._campaign(tx, row["campaign_id"])
            lifecycle = _documents_of(camp)
            self._check_actor(camp, actor)
            if expected_version is not None and expected_version != row["version"]:
                raise ConflictError(document_id, expected_version, row["version"])
            spec = lifecycle.by_trigger_source.get((trigger, row["state"]))
            if spec is None:
                raise TransitionNotAllowedError(document_id, row["state"], trigger,
                                                lifecycle.allowed_triggers(row["state"]), lifecycle.names,
                                                subject=DOCUMENT_SUBJECT)
            self._check_role(camp, actor, spec.trigger, spec.roles, row)
            inputs = {k: _text(k, v) for k, v in (("reason", reason), ("note", note)) if v is not None}
            after = transition_document(tx, self._st, camp, row, spec, actor, inputs, now)
        return document_view(camp, lifecycle, after)

    def document(self, document_id: int) -> DocumentView:
        with self._store.read() as conn:
            row = self._load_document(Tx.on(conn), document_id)
            camp = self._campaign(conn, row["campaign_id"])
            return document_view(camp, _documents_of(camp), row)

    def documents(
        self, campaign: str | int, *, unit: str | None = None, state: str | None = None
    ) -> list[DocumentView]:
        """The campaign's documents under review, in the order they were listed."""
        with self._store.read() as conn:
            camp = self._campaign(conn, campaign)
            lifecycle = _documents_of(camp)
            query = select(DOCUMENT).where(DOCUMENT.c.campaign_id == camp.id).order_by(DOCUMENT.c.id)
            if unit is not None:
                query = query.where(DOCUMENT.c.responsible_unit_id == _unit_id(camp, unit))
            if state is not None:
                query = query.where(DOCUMENT.c.state == _choice("state", state, lifecycle.labels))
            return [document_view(camp, lifecycle, dict(r)) for r in conn.execute(query).mappings()]

    def document_events(self, document_id: int) -> list[EventView]:
        """A document's audit events (its id is in their data), in chain order."""
        with self._store.read() as conn:
            row = self._load_document(Tx.on(conn), document_id)
            query = (
                select(EVENT).where(EVENT.c.campaign_id == row["campaign_id"], EVENT.c.item_id.is_(None))
                .order_by(EVENT.c.seq)
            )
            events = [_event_view(r) for r in conn.execute(query).mappings()]
        return [e for e in events if e.data.get("document") == document_id]

    def _load_document(self, tx: Tx, document_id: int) -> dict[str, Any]:
        _check_id("document_id", document_id, "文件")
        row = tx.one(self._st.document, {"id": document_id})
        if row is None:
            raise DocumentNotFound(document_id)
        return row

    # ---------------------------------------------------------------- reports and intake

    def progress(self, campaign: str | int, *, unit: str | None = None, track: str | None = None) -> ProgressReport:
        """The numbers of a progress bulletin (工作进展通报) as of now: for the campaign, or one
        responsible unit or track of it (definitions in :mod:`zhenggai.engine._reports`)."""
        now = self._now()
        with self._store.read() as conn:
            camp = self._campaign(conn, campaign)
            unit_id = None if unit is None else _unit_id(camp, unit)
            if track is not None:
                _choice("track", track, camp.tracks, TrackNotFound)
            return _reports.progress(conn, camp, now, unit_id=unit_id, unit=unit, track=track)

    def ranking(self, campaign: str | int, *, track: str | None = None) -> list[UnitRanking]:
        """The responsible units best first, for the supervision teams: on-time rate, then
        fewest overdue, then fewest reopened after 回头看."""
        now = self._now()
        with self._store.read() as conn:
            camp = self._campaign(conn, campaign)
            if track is not None:
                _choice("track", track, camp.tracks, TrackNotFound)
            return _reports.ranking(conn, camp, now, track=track)

    def mark_case(self, item_id: int, actor: Actor, *, note: str, expected_version: int | None = None) -> ItemView:
        """典型案例: mark the item for the case bulletin, with the note it prints (what the case
        teaches); marking again replaces the note. A role from ``operations.mark_case``."""
        now = self._now()
        st = self._st
        with self._store.transaction() as tx:
            row, camp = self._item_operation(tx, item_id, actor, "mark_case", expected_version)
            text = _text("note", note)
            changes = {"case_note": text, "case_marked_at": now, "case_marked_by": actor.name,
                       "updated_at": now, "version": row["version"] + 1}
            cas_update(tx, st, row, changes)
            append_event(tx, st, camp.id, item_id=item_id, trigger="mark_case", from_state=row["state"],
                         to_state=row["state"], actor=actor, at=now, data={"note": text})
        return self._view_from_row(camp, {**row, **changes})

    def cases(self, campaign: str | int, *, unit: str | None = None, track: str | None = None) -> list[ItemView]:
        """The items marked as typical cases (典型案例), in the order they were marked."""
        with self._store.read() as conn:
            camp = self._campaign(conn, campaign)
            query = select(ITEM).where(ITEM.c.campaign_id == camp.id, ITEM.c.case_marked_at.is_not(None))
            if unit is not None:
                query = query.where(ITEM.c.responsible_unit_id == _unit_id(camp, unit))
            if track is not None:
                query = query.where(ITEM.c.track == _choice("track", track, camp.tracks, TrackNotFound))
            rows = conn.execute(query.order_by(ITEM.c.case_marked_at, ITEM.c.id)).mappings()
            return [self._view_from_row(camp, r) for r in rows]

    def issue_number(self, campaign: str | int, kind: str, as_of: dt.date, issued_by: str) -> int:
        """The 期数 of a numbered document (``kind``, e.g. ``progress_bulletin``: 工作进展通报
        第N期) of the campaign for the day ``as_of``: the next number of the campaign's ``kind``
        the first time, stored (``zg_issue``, with ``issued_by`` and the clock's now) in one
        transaction; the same number every later time for that day, so rendering a bulletin
        again gives it the number it was issued with. Numbers run 1, 2, … per campaign and kind
        without gaps (a writer that lost a race for the day rolls its counter back)."""
        kind = _text("kind", kind)
        if len(kind) > 40:
            raise InvalidInputError("kind", "不得超过 40 个字符")
        issued_by = _text("issued_by", issued_by)
        if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
            raise InvalidInputError("as_of", "须为日期")
        st = self._st
        while True:  # a lost race is followed by a read that sees the winner's number
            with self._store.read() as conn:
                camp = self._campaign(conn, campaign)
                number = conn.execute(select(ISSUE.c.number).where(
                    ISSUE.c.campaign_id == camp.id, ISSUE.c.kind == kind, ISSUE.c.as_of == as_of)).scalar()
            if number is not None:
                return int(number)
            now = self._now()
            try:
                with self._store.transaction() as tx:
                    number = tx.scalar(st.issue_number, {"cid": camp.id, "kind": kind, "as_of": as_of})
                    if number is not None:
                        return int(number)
                    serial = tx.scalar(st.serial_next, {"cid": camp.id, "kind": kind})
                    number = tx.scalar(st.issue_insert_once, {
                        "campaign_id": camp.id, "kind": kind, "number": serial, "as_of": as_of,
                        "issued_at": now, "issued_by": issued_by})
                    if number is None:
                        raise _IssueRace
                    return int(number)
            except _IssueRace:
                continue  # rolled back, counter included: read the winner's number

    def import_items(
        self, campaign: str | int, actor: Actor, entries: Sequence[NewItem], *,
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportResult:
        """Import problems (a spreadsheet's rows) all or nothing, in one transaction: each is
        reported and, when it names a unit, assigned to it by the lifecycle's assigning
        transition from the initial state (with its due date, or by the definition's rule).

        Every entry is checked first; :class:`ImportRejected` lists every problem (entry,
        field, reason) and nothing is written. Possible duplicates (关联研判: same track and
        unit, similar text, also among the imported rows) are flagged and returned, never merged.
        ``progress(done, total)`` is called inside the transaction after each entry is written
        (and with 0 before the first); what it raises rolls all back.
        """
        now = self._now()
        with self._store.transaction() as tx:
            camp = self._campaign(tx, campaign)
            self._check_actor(camp, actor)
            self._check_operation(camp, actor, "report", None)
            if self._reporter_keys is None and any(e.reporter is not None for e in entries):
                raise ReporterKeyError.no_key("导入的问题有举报人信息, 须加密保存, 但未配置举报人密钥 (未导入任何问题)")
            assign = self._assigning_transition(camp)
            problems = [p for i, e in enumerate(entries) for p in _entry_problems(camp, i, e, assign, now)]
            if not entries:
                problems.append(ImportProblem(0, "title", "没有要导入的问题"))
            if problems:
                raise ImportRejected(problems)
            if assign is not None and any(e.unit is not None for e in entries):
                self._check_role(camp, actor, assign.trigger, assign.roles, None)
            rows: list[dict[str, Any]] = []
            for i, e in enumerate(entries):
                if progress is not None:
                    progress(i, len(entries))
                try:
                    row = self._report_in(
                        tx, camp, actor, now, title=e.title, description=e.description, track=e.track,
                        channel=e.channel, severity=e.severity, reporter=e.reporter,
                        unit_id=None if e.unit is None else camp.unit_ids[e.unit],
                    )
                    if e.unit is not None and assign is not None:
                        data = {"unit": e.unit, "due": e.due, "leading_official": e.leading_official}
                        _, row = self._fire_in(tx, row["id"], assign.trigger, actor, None, data, now)
                except ZhenggaiError as err:
                    raise ImportRejected([ImportProblem(i, getattr(err, "field", "title"), str(err))]) from err
                rows.append(row)
            if progress is not None:
                progress(len(entries), len(entries))
            ids = {r["id"] for r in rows}
            flags = [f for f in tx.all(self._st.duplicates_from, {"cid": camp.id, "first": min(ids)})
                     if f["item_id"] in ids]
            titles = self._titles(tx, flags)
        items = tuple(self._view_from_row(camp, r) for r in rows)
        return ImportResult(items, tuple(_duplicate_view(camp, f, titles) for f in flags))

    def duplicates(self, campaign: str | int, *, unresolved: bool = True) -> list[DuplicateView]:
        """关联研判 flags of the campaign, oldest first: only those still to judge, or all."""
        with self._store.read() as conn:
            camp = self._campaign(conn, campaign)
            query = select(DUPLICATE).where(DUPLICATE.c.campaign_id == camp.id).order_by(DUPLICATE.c.id)
            if unresolved:
                query = query.where(DUPLICATE.c.resolved_at.is_(None))
            flags = [dict(r) for r in conn.execute(query).mappings()]
            titles = self._titles(conn, flags)
            return [_duplicate_view(camp, f, titles) for f in flags]

    def resolve_duplicate(
        self, flag_id: int, actor: Actor, *, merge: bool, note: str | None = None
    ) -> DuplicateView:
        """Judge a 关联研判 flag: ``merge`` fires the lifecycle's merging transition (the one
        with the ``record_merge`` effect) on the flagged item, into the one it looks like, which
        must be open (resolution ``same``); else the two are recorded as ``distinct``.
        A role from ``operations.resolve_duplicate``; audited on the flagged item."""
        now = self._now()
        st = self._st
        with self._store.transaction() as tx:
            flag = tx.one(st.duplicate, {"id": flag_id})
            if flag is None:
                raise DuplicateNotFound(flag_id)
            row, camp = self._item_operation(tx, flag["item_id"], actor, "resolve_duplicate", None)
            if flag["resolved_at"] is not None:
                raise GuardFailedError(flag["item_id"], "resolve_duplicate", "unresolved",
                                       f"该疑似重复已于 {_local_day(camp, flag['resolved_at'])} 研判", DUPLICATE_NAMES)
            resolution = "same" if merge else "distinct"
            data: dict[str, Any] = {"flag": flag_id, "other": flag["other_id"], "resolution": resolution}
            if note is not None:
                data["note"] = _text("note", note)
            if merge:
                spec = next((t for t in camp.lifecycle.spec.transitions
                             if "record_merge" in t.effects and row["state"] in t.source), None)
                if spec is None:
                    raise TransitionNotAllowedError(row["id"], row["state"], "resolve_duplicate",
                                                    camp.lifecycle.allowed_triggers(row["state"]),
                                                    camp.lifecycle.names)
                self._fire_in(tx, flag["item_id"], spec.trigger, actor, None,
                              {"survivor_id": flag["other_id"], "note": note}, now)
            else:
                cas_update(tx, st, row, {"updated_at": now, "version": row["version"] + 1})
                append_event(tx, st, camp.id, item_id=row["id"], trigger="resolve_duplicate",
                             from_state=row["state"], to_state=row["state"], actor=actor, at=now, data=data)
            tx.run(st.duplicate_resolve, {"id": flag_id, "resolved_at": now, "resolved_by": actor.name,
                                          "resolution": resolution})
            flag = tx.one(st.duplicate, {"id": flag_id})
            assert flag is not None
            view = _duplicate_view(camp, flag, self._titles(tx, [flag]))
        return view

    def _assigning_transition(self, camp: Campaign) -> TransitionSpec | None:
        """The transition from the initial state that assigns a unit (``set_assignment``)."""
        initial = camp.lifecycle.spec.initial
        for t in camp.lifecycle.spec.transitions:
            if initial in t.source and "set_assignment" in t.effects:
                return t
        return None

    def _titles(self, db: Tx | Connection, flags: Sequence[Mapping[str, Any]]) -> dict[int, str]:
        ids = sorted({f["item_id"] for f in flags} | {f["other_id"] for f in flags})
        if not ids:
            return {}
        if isinstance(db, Tx):
            return {i: db.scalar(self._st.item_title, {"id": i}) for i in ids}
        return {r.id: r.title for r in db.execute(select(ITEM.c.id, ITEM.c.title).where(ITEM.c.id.in_(ids)))}

    # ------------------------------------------------------------------- outcomes (五个一批)

    def record_outcome(
        self, item_id: int, actor: Actor, *, root_cause: str | None = None,
        accountability: Sequence[AccountabilityEntry | Sequence[str | None]] = (),
        mechanisms: Sequence[int] = (), expected_version: int | None = None,
    ) -> OutcomeView:
        """What came of a closed or dismissed item (the item must be in a final state): the root
        cause (根源分析), the people held accountable with an outcome of the definition's
        vocabulary (``outcomes.accountability``: 诫勉, 组织处理 …), the long-term mechanisms it led
        to. Recording again replaces the whole record. A role from ``operations.record_outcome``.

        The people's names and positions are personal data, kept in a table of their own: the
        audit event keeps only how many people and which outcomes, never who."""
        now = self._now()
        st = self._st
        with self._store.write() as conn:
            tx = Tx.on(conn)
            row, camp = self._item_operation(tx, item_id, actor, "record_outcome", expected_version)
            if row["state"] not in camp.lifecycle.final_states:
                raise GuardFailedError(item_id, "record_outcome", "item_finished",
                                       f"问题处于「{camp.lifecycle.labels.get(row['state'], row['state'])}」, 办结后才能记录",
                                       _outcomes.OUTCOME_NAMES)
            cause = None if root_cause is None else _text("root_cause", root_cause)
            people = _outcomes.accountability_values(camp, accountability)
            linked = self._mechanism_ids(conn, camp, mechanisms)
            if cause is None and not people and not linked:
                raise InvalidInputError("outcome", "办理结果为空: 须填写根源分析、问责处理或长效机制")
            replaced = conn.execute(
                select(_outcomes.OUTCOME.c.item_id).where(_outcomes.OUTCOME.c.item_id == item_id)
            ).first() is not None
            for table in (_outcomes.ACCOUNTABILITY, _outcomes.OUTCOME_MECHANISM, _outcomes.OUTCOME):
                conn.execute(table.delete().where(table.c.item_id == item_id))
            conn.execute(_outcomes.OUTCOME.insert().values(
                item_id=item_id, root_cause=cause, recorded_by=actor.name, recorded_at=now))
            if people:
                conn.execute(_outcomes.ACCOUNTABILITY.insert(), [
                    {"item_id": item_id, "ordinal": k, "person": person, "position": position, "outcome": outcome}
                    for k, (person, position, outcome) in enumerate(people)
                ])
            if linked:
                conn.execute(_outcomes.OUTCOME_MECHANISM.insert(),
                             [{"item_id": item_id, "mechanism_id": mid} for mid in linked])
            cas_update(tx, st, row, {"updated_at": now, "version": row["version"] + 1})
            outcomes = Counter(outcome for _, _, outcome in people)
            data: dict[str, Any] = {
                "people": _outcomes.people_count((p, q) for p, q, _ in people),
                "accountability": {k: outcomes[k] for k in _outcomes.accountability_labels(camp) if outcomes[k]},
                "mechanisms": list(linked), "replaced": replaced,
            }
            if cause is not None:
                data["root_cause"] = cause
            append_event(tx, st, camp.id, item_id=item_id, trigger="record_outcome", from_state=row["state"],
                         to_state=row["state"], actor=actor, at=now, data=data)
            named = self._may_read_people(camp, actor, row)
            view = _outcomes.outcome_views(conn, camp, [item_id], named)[0]
        return view

    def outcome(self, item_id: int, actor: Actor) -> OutcomeView | None:
        """What came of the item (None: nothing recorded). The people held accountable are named
        only for a role from ``operations.read_named_people`` (a unit-bound one: for its own
        unit's items), and each such read is audited; any other reader gets the entries with
        the outcomes and the count but no names (``named`` False)."""
        with self._store.read() as conn:
            row = self._load_item(conn, item_id)
            camp = self._campaign(conn, row["campaign_id"], row["campaign_version"])
            self._check_actor(camp, actor)
            named = self._may_read_people(camp, actor, row)
            views = _outcomes.outcome_views(conn, camp, [item_id], named)
        view = views[0] if views else None
        if view is not None and named and view.people:
            self._audit_people_read(camp, actor, [view], item_id=item_id)
        return view

    def outcomes(
        self, campaign: str | int, actor: Actor, *, unit: str | None = None, track: str | None = None
    ) -> list[OutcomeView]:
        """The recorded outcomes of the campaign's items (of one responsible unit or track), by
        item id; people named as :meth:`outcome` says (one audit event per read that names)."""
        with self._store.read() as conn:
            camp = self._campaign(conn, campaign)
            self._check_actor(camp, actor)
            query = select(ITEM.c.id, ITEM.c.responsible_unit_id).where(ITEM.c.campaign_id == camp.id)
            if unit is not None:
                query = query.where(ITEM.c.responsible_unit_id == _unit_id(camp, unit))
            if track is not None:
                query = query.where(ITEM.c.track == _choice("track", track, camp.tracks, TrackNotFound))
            rows = conn.execute(query).mappings().all()
            named = {r["id"]: self._may_read_people(camp, actor, dict(r)) for r in rows}
            views = _outcomes.outcome_views(conn, camp, list(named), named)
        shown = [v for v in views if v.named and v.people]
        if shown:
            self._audit_people_read(camp, actor, shown, item_id=None)
        return views

    def publish_case(self, item_id: int, actor: Actor, *, where: str, on: dt.date,
                     expected_version: int | None = None) -> ItemView:
        """通报曝光: record where and when a typical case (marked by :meth:`mark_case`) was
        published; publishing again replaces the record. ``on`` may not be after today. A role
        from ``operations.publish_case``."""
        now = self._now()
        st = self._st
        with self._store.transaction() as tx:
            row, camp = self._item_operation(tx, item_id, actor, "publish_case", expected_version)
            if row["case_marked_at"] is None:
                raise GuardFailedError(item_id, "publish_case", "marked_case", "问题未标记为典型案例", _outcomes.OUTCOME_NAMES)
            place = _text("where", where)
            if len(place) > 200:
                raise InvalidInputError("where", f"过长 ({len(place)} 字, 最多 200 字)")
            day = _outcomes.past_day("on", on, camp, now)
            changes = {"case_published_at": day, "case_published_where": place, "updated_at": now,
                       "version": row["version"] + 1}
            cas_update(tx, st, row, changes)
            append_event(tx, st, camp.id, item_id=item_id, trigger="publish_case", from_state=row["state"],
                         to_state=row["state"], actor=actor, at=now, data={"where": place, "on": day.isoformat()})
        return self._view_from_row(camp, {**row, **changes})

    def register_mechanism(
        self, campaign: str | int, actor: Actor, *, unit: str, title: str, kind: str, status: str,
        date: dt.date, items: Sequence[int] = (), track: str | None = None, note: str | None = None,
    ) -> MechanismView:
        """Register a long-term mechanism (长效机制) ``unit`` established, revised or is drafting
        because of the campaign: a ``kind`` of the definition's ``outcomes.mechanism_kinds``, a
        status (drafting / established / revised / abolished) as of ``date`` (not after today),
        the campaign's items that led to it. A role from ``operations.register_mechanism``; a
        unit-bound role registers its own unit's."""
        now = self._now()
        st = self._st
        with self._store.write() as conn:
            tx = Tx.on(conn)
            camp = self._campaign(tx, campaign)
            self._check_actor(camp, actor)
            unit_id = _unit_id(camp, unit)
            self._check_role(camp, actor, "register_mechanism", camp.operations.get("register_mechanism", frozenset()),
                             {"responsible_unit_id": unit_id})
            values: dict[str, Any] = {
                "campaign_id": camp.id, "unit_id": unit_id,
                "track": None if track is None else _choice("track", track, camp.tracks, TrackNotFound),
                "title": _text("title", title),
                "kind": _choice("kind", kind, _outcomes.mechanism_kinds(camp)),
                "status": _choice("status", status, MECHANISM_STATUSES),
                "date": _outcomes.past_day("date", date, camp, now),
                "note": None if note is None else _text("note", note),
                "created_by": actor.name, "created_at": now, "updated_by": actor.name, "updated_at": now,
            }
            item_ids = self._campaign_item_ids(conn, camp, items)
            mechanism_id = conn.execute(
                _outcomes.MECHANISM.insert().values(**values).returning(_outcomes.MECHANISM.c.id)
            ).scalar_one()
            if item_ids:
                conn.execute(_outcomes.MECHANISM_ITEM.insert(),
                             [{"mechanism_id": mechanism_id, "item_id": i} for i in item_ids])
            append_event(tx, st, camp.id, item_id=None, trigger="register_mechanism", from_state=None,
                         to_state=None, actor=actor, at=now,
                         data={"mechanism": mechanism_id, "unit": unit, "title": values["title"],
                               "kind": values["kind"], "status": values["status"],
                               "date": values["date"].isoformat(), "items": list(item_ids),
                               **({"track": values["track"]} if values["track"] else {})})
            view = _outcomes.mechanism_views(conn, camp, ids=[mechanism_id])[0]
        return view

    def update_mechanism(
        self, mechanism_id: int, actor: Actor, *, status: str, date: dt.date, note: str | None = None
    ) -> MechanismView:
        """A mechanism's new status (e.g. drafting → established, established → revised or
        abolished) as of ``date``: not after today, not before its last status date. A role
        from ``operations.register_mechanism``; a unit-bound role for its own unit's only."""
        now = self._now()
        st = self._st
        with self._store.write() as conn:
            tx = Tx.on(conn)
            row = self._load_mechanism(conn, mechanism_id)
            camp = self._campaign(tx, row["campaign_id"])
            self._check_actor(camp, actor)
            self._check_role(camp, actor, "register_mechanism", camp.operations.get("register_mechanism", frozenset()),
                             {"responsible_unit_id": row["unit_id"]})
            new_status = _choice("status", status, MECHANISM_STATUSES)
            day = _outcomes.past_day("date", date, camp, now)
            if day < row["date"]:
                raise InvalidInputError("date", f"日期 {day.isoformat()} 早于上次状态日期 {row['date'].isoformat()}")
            values: dict[str, Any] = {"status": new_status, "date": day, "updated_by": actor.name, "updated_at": now}
            if note is not None:
                values["note"] = _text("note", note)
            conn.execute(_outcomes.MECHANISM.update().where(_outcomes.MECHANISM.c.id == mechanism_id).values(**values))
            data: dict[str, Any] = {"mechanism": mechanism_id, "from_status": row["status"], "status": new_status,
                                    "date": day.isoformat()}
            if note is not None:
                data["note"] = values["note"]
            append_event(tx, st, camp.id, item_id=None, trigger="update_mechanism", from_state=None, to_state=None,
                         actor=actor, at=now, data=data)
            view = _outcomes.mechanism_views(conn, camp, ids=[mechanism_id])[0]
        return view

    def mechanisms(
        self, campaign: str | int, *, unit: str | None = None, track: str | None = None
    ) -> list[MechanismView]:
        """The campaign's long-term mechanisms (长效机制台账), in the order they were registered:
        all, or one unit's, or those registered for one track."""
        with self._store.read() as conn:
            camp = self._campaign(conn, campaign)
            unit_id = None if unit is None else _unit_id(camp, unit)
            if track is not None:
                _choice("track", track, camp.tracks, TrackNotFound)
            return _outcomes.mechanism_views(conn, camp, unit_id=unit_id, track=track)

    def submit_practice(
        self, campaign: str | int, actor: Actor, *, title: str, summary: str, track: str | None = None
    ) -> PracticeView:
        """A unit submits a good practice or innovative case (典型做法和创新案例, 五、(三)): the
        actor's unit is the practice's. A role from ``operations.submit_practice``."""
        now = self._now()
        st = self._st
        with self._store.write() as conn:
            tx = Tx.on(conn)
            camp = self._campaign(tx, campaign)
            self._check_actor(camp, actor)
            self._check_operation(camp, actor, "submit_practice", None)
            if actor.unit is None:
                raise InvalidInputError("actor.unit", "报送典型做法须指明报送单位")
            values: dict[str, Any] = {
                "campaign_id": camp.id, "unit_id": camp.unit_ids[actor.unit],
                "track": None if track is None else _choice("track", track, camp.tracks, TrackNotFound),
                "title": _text("title", title), "summary": _text("summary", summary),
                "submitted_by": actor.name, "submitted_at": now, "selected": False, "selected_by": None,
                "selected_at": None,
            }
            values["id"] = conn.execute(
                _outcomes.PRACTICE.insert().values(**values).returning(_outcomes.PRACTICE.c.id)
            ).scalar_one()
            append_event(tx, st, camp.id, item_id=None, trigger="submit_practice", from_state=None, to_state=None,
                         actor=actor, at=now,
                         data={"practice": values["id"], "unit": actor.unit, "title": values["title"],
                               **({"track": values["track"]} if values["track"] else {})})
        return _outcomes.practice_view(camp, values)

    def select_practice(self, practice_id: int, actor: Actor, *, selected: bool) -> PracticeView:
        """Select a practice for the public digest's 晒成效 column (``selected`` True), or take it
        out again. A role from ``operations.select_practice`` (the publicity department)."""
        now = self._now()
        st = self._st
        if not isinstance(selected, bool):
            raise InvalidInputError("selected", "须为 True 或 False")
        with self._store.write() as conn:
            tx = Tx.on(conn)
            row = self._load_practice(conn, practice_id)
            camp = self._campaign(tx, row["campaign_id"])
            self._check_actor(camp, actor)
            self._check_operation(camp, actor, "select_practice", None)
            values: dict[str, Any] = {"selected": selected, "selected_by": actor.name if selected else None,
                                      "selected_at": now if selected else None}
            conn.execute(_outcomes.PRACTICE.update().where(_outcomes.PRACTICE.c.id == practice_id).values(**values))
            append_event(tx, st, camp.id, item_id=None, trigger="select_practice", from_state=None, to_state=None,
                         actor=actor, at=now, data={"practice": practice_id, "selected": selected,
                                                    "was_selected": bool(row["selected"])})
        return _outcomes.practice_view(camp, {**row, **values})

    def practices(
        self, campaign: str | int, *, selected: bool | None = None, unit: str | None = None
    ) -> list[PracticeView]:
        """The practices units submitted, in the order submitted: all, or only the selected (or
        not selected) ones, of one unit."""
        with self._store.read() as conn:
            camp = self._campaign(conn, campaign)
            query = select(_outcomes.PRACTICE).where(_outcomes.PRACTICE.c.campaign_id == camp.id)
            if selected is not None:
                query = query.where(_outcomes.PRACTICE.c.selected == bool(selected))
            if unit is not None:
                query = query.where(_outcomes.PRACTICE.c.unit_id == _unit_id(camp, unit))
            rows = conn.execute(query.order_by(_outcomes.PRACTICE.c.id)).mappings()
            return [_outcomes.practice_view(camp, dict(r)) for r in rows]

    def five_outcomes(
        self, campaign: str | int, *, unit: str | None = None, track: str | None = None
    ) -> FiveOutcomes:
        """The 五个一批 dashboard as of now: the plan's five outcomes counted from the records,
        against the definition's targets (definitions in :mod:`zhenggai.engine._outcomes`)."""
        now = self._now()
        with self._store.read() as conn:
            camp = self._campaign(conn, campaign)
            unit_id = None if unit is None else _unit_id(camp, unit)
            if track is not None:
                _choice("track", track, camp.tracks, TrackNotFound)
            return _outcomes.five_outcomes(conn, camp, now, unit_id=unit_id, unit=unit, track=track)

    def _may_read_people(self, camp: Campaign, actor: Actor, row: Mapping[str, Any]) -> bool:
        """Whether ``actor`` may see who was held accountable for the item ``row``."""
        try:
            self._check_operation(camp, actor, "read_named_people", row)
        except PermissionDeniedError:
            return False
        return True

    def _audit_people_read(
        self, camp: Campaign, actor: Actor, views: Sequence[OutcomeView], *, item_id: int | None
    ) -> None:
        """One audit event for a read that named people: whose items, how many people."""
        now = self._now()
        with self._store.transaction() as tx:
            append_event(tx, self._st, camp.id, item_id=item_id, trigger="read_named_people", from_state=None,
                         to_state=None, actor=actor, at=now,
                         data={"items": [v.item_id for v in views], "people": sum(v.people for v in views)})

    def _mechanism_ids(self, conn: Connection, camp: Campaign, ids: Sequence[int]) -> list[int]:
        """``ids`` as the campaign's mechanisms, each once, in order; MechanismNotFound else."""
        wanted = _outcomes.id_list("mechanisms", ids)
        if not wanted:
            return []
        found = set(conn.execute(
            select(_outcomes.MECHANISM.c.id)
            .where(_outcomes.MECHANISM.c.campaign_id == camp.id, _outcomes.MECHANISM.c.id.in_(wanted))
        ).scalars())
        for mid in wanted:
            if mid not in found:
                raise MechanismNotFound(mid)
        return wanted

    def _campaign_item_ids(self, conn: Connection, camp: Campaign, ids: Sequence[int]) -> list[int]:
        """``ids`` as the campaign's items, each once, in order; ItemNotFound else."""
        wanted = _outcomes.id_list("items", ids)
        if not wanted:
            return []
        found = set(conn.execute(
            select(ITEM.c.id).where(ITEM.c.campaign_id == camp.id, ITEM.c.id.in_(wanted))
        ).scalars())
        for item_id in wanted:
            if item_id not in found:
                raise ItemNotFound(item_id)
        return wanted

    def _load_mechanism(self, conn: Connection, mechanism_id: int) -> dict[str, Any]:
        return _load_by_id(conn, _outcomes.MECHANISM, mechanism_id, "mechanism_id", "长效机制", MechanismNotFound)

    def _load_practice(self, conn: Connection, practice_id: int) -> dict[str, Any]:
        return _load_by_id(conn, _outcomes.PRACTICE, practice_id, "practice_id", "典型做法", PracticeNotFound)

    def outbox(self, campaign: str | int | None = None, *, status: str | None = None) -> list[OutboxView]:
        """Queued messages, oldest first: of one campaign, with one status (``pending``,
        ``sending``, ``sent``, ``dead``)."""
        with self._store.read() as conn:
            query = select(OUTBOX).order_by(OUTBOX.c.id)
            if campaign is not None:
                query = query.where(OUTBOX.c.campaign_id == self._campaign(conn, campaign).id)
            if status is not None:
                query = query.where(OUTBOX.c.status == status)
            return [_outbox_view(r) for r in conn.execute(query).mappings()]

    def outbox_message(self, outbox_id: int) -> OutboxView:
        """One queued message by id."""
        with self._store.read() as conn:
            row = Tx.on(conn).one(self._st.outbox_row, {"id": outbox_id})
        if row is None:
            raise MessageNotFound(outbox_id)
        return _outbox_view(row)

    # -------------------------------------------------------------------- the dispatcher's side

    def outbox_claim(self, *, limit: int = 50, lease: float = 300.0) -> list[OutboxView]:
        """Claim up to ``limit`` messages due by now for sending: each becomes ``sending`` until
        ``lease`` seconds from now and counts an attempt. A message whose dispatcher died after
        sending but before recording it comes due again when the lease runs out, so it is sent
        at most once more (email keeps its Message-ID). On PostgreSQL rows another dispatcher
        holds are skipped, not waited for."""
        now = self._now()
        st = self._st
        until = now + dt.timedelta(seconds=lease)
        claimed = []
        with self._store.transaction() as tx:
            for row in tx.all(st.outbox_due, {"now": now, "limit": limit}):
                if tx.run(st.outbox_claim, {"id": row["id"], "now": now, "lease": until}) == 1:
                    claimed.append({**row, "status": "sending", "attempts": row["attempts"] + 1, "next_try_at": until})
        return [_outbox_view(r) for r in claimed]

    def outbox_sent(self, outbox_id: int) -> bool:
        """Record a claimed message as sent; False when it was not (or no longer) claimed."""
        now = self._now()
        return self._outbox_settle(outbox_id, status="sent", next_try_at=now, error=None, sent_at=now, counted=0)

    def outbox_failed(self, outbox_id: int, reason: str, *, retry_at: dt.datetime | None) -> bool:
        """Record a failed attempt: due again at ``retry_at``, or dead-lettered (``retry_at``
        None) with ``reason``, which must carry no secret."""
        now = self._now()
        return self._outbox_settle(outbox_id, status="dead" if retry_at is None else "pending",
                                   next_try_at=retry_at or now, error=reason[:2000], sent_at=None, counted=0)

    def outbox_defer(self, outbox_id: int, until: dt.datetime, reason: str) -> bool:
        """Put a claimed message back until ``until`` without counting the attempt (quiet hours,
        a channel's rate limit): deferred, not lost."""
        return self._outbox_settle(outbox_id, status="pending", next_try_at=until, error=reason[:2000],
                                   sent_at=None, counted=-1)

    def outbox_retry(self, outbox_ids: Iterable[int] | None = None, *, campaign: str | int | None = None) -> list[int]:
        """Re-queue dead letters (those named, or every dead letter of ``campaign``, or all):
        due at once (from the time they were first queued), attempts from zero. Returns the ids re-queued; a message that is not dead is
        left alone. A letter nobody could receive (``unrouted``) is routed again against the
        roster as it is now: it goes to the contacts added since, or stays dead (:func:`_roster.requeue`)."""
        ids = list(outbox_ids) if outbox_ids is not None else [m.id for m in self.outbox(campaign, status="dead")]
        now = self._now()
        done = []
        with self._store.transaction() as tx:
            vouches: dict[int, Vouch] = {}
            for outbox_id in ids:
                if _roster.requeue(self, tx, outbox_id, now, vouches):
                    done.append(outbox_id)
            for cid, vouch in vouches.items():
                if vouch.digests:  # dead letters routed again: the chain vouches for their new rows
                    append_event(tx, self._st, cid, item_id=None, trigger="reroute_messages", from_state=None,
                                 to_state=None, actor=SYSTEM, at=now, data={"messages": len(vouch.digests)},
                                 outbox=vouch)
        return done

    def _outbox_settle(self, outbox_id: int, **values: Any) -> bool:
        with self._store.transaction() as tx:
            return tx.run(self._st.outbox_settle, {"id": outbox_id, **values}) == 1

    def read_reporter(self, item_id: int, actor: Actor) -> ReporterView | None:
        """The reporter's identity, for the custodian role only; every read is audited (also one
        that then fails to open). A sealed identity opens with the engine's ``reporter_keys``;
        :class:`ReporterKeyError` when none are configured, when the key that sealed it is not
        among them (lost), or when the stored value is altered or belongs to another item."""
        now = self._now()
        st = self._st
        with self._store.transaction() as tx:
            row = self._load_item(tx, item_id)
            camp = self._campaign(tx, row["campaign_id"], row["campaign_version"])
            self._check_actor(camp, actor)
            self._check_operation(camp, actor, "read_reporter", None)
            rep = tx.one(st.reporter, {"item_id": item_id})
            append_event(
                tx, st, camp.id, item_id=item_id, trigger="read_reporter", from_state=row["state"],
                to_state=row["state"], actor=actor, at=now, data={"found": rep is not None},
            )
        if rep is None:
            return None
        if rep["sealed"] is None:  # stored before sealing existed (revision 0011), until rekeyed
            return ReporterView(item_id=item_id, **{name: rep[name] for name in IDENTITY_FIELDS})
        if self._reporter_keys is None:
            raise ReporterKeyError.no_key(f"问题 {item_id} 的举报人信息已加密保存, 但未配置举报人密钥", item_id)
        return ReporterView(item_id=item_id, **self._reporter_keys.open(item_id, rep["sealed"], rep["key_id"]))

    def rekey_reporters(self, campaign: str | int | None, actor: Actor) -> RekeyReport:
        """Re-seal with the current reporter key every identity (of ``campaign``, or of every
        campaign when None) that is not sealed with it: those sealed with a previous key of the
        ring (key rotation: afterwards the previous keys can be dropped), and those stored in
        plain text before sealing existed (sealed, their plain text cleared).

        One transaction, by a role the campaigns' ``operations.read_reporter`` allows (the
        custodian), audited on each campaign with counts only. Refused whole, nothing changed,
        with every identity that does not open listed (:class:`ReporterKeyError`). Then the
        database is rewritten so that what was replaced is not left readable in its files
        (:meth:`Store.scrub`; ``RekeyReport.scrubbed``)."""
        keys = self._reporter_keys
        if keys is None:
            raise ReporterKeyError.no_key("重新加密举报人信息须有举报人密钥, 但未配置")
        now = self._now()
        st = self._st
        current = keys.current_id
        with self._store.write() as conn:
            tx = Tx.on(conn)
            if campaign is None:
                ids = list(conn.execute(select(CAMPAIGN.c.id).order_by(CAMPAIGN.c.id)).scalars())
            else:
                ids = [self._campaign(tx, campaign).id]
            camps = [self._campaign(tx, cid) for cid in ids]
            for camp in camps:  # the role that reads identities (the custodian) re-seals them
                self._check_actor(camp, actor)
                self._check_role(camp, actor, "rekey_reporters", camp.operations.get("read_reporter", frozenset()), None)
            rows = conn.execute(
                select(REPORTER, ITEM.c.campaign_id).join(ITEM, ITEM.c.id == REPORTER.c.item_id)
                .where(ITEM.c.campaign_id.in_(ids)).order_by(REPORTER.c.item_id)
            ).mappings().all()
            counts = {cid: Counter[str]() for cid in ids}
            updates: list[dict[str, Any]] = []
            problems: list[ReporterKeyError] = []
            for row in rows:
                item_id = row["item_id"]
                if row["sealed"] is not None and row["key_id"] == current:
                    counts[row["campaign_id"]]["unchanged"] += 1
                    continue
                if row["sealed"] is None:
                    identity: Mapping[str, str | None] = {name: row[name] for name in IDENTITY_FIELDS}
                    counted = "sealed_plaintext"
                else:
                    try:
                        identity = keys.open(item_id, row["sealed"], row["key_id"])
                    except ReporterKeyError as err:
                        problems.append(err)
                        continue
                    counted = "resealed"
                sealed, key_id = keys.seal(item_id, identity)
                updates.append({"b_item_id": item_id, "b_sealed": sealed, "b_key_id": key_id})
                counts[row["campaign_id"]][counted] += 1
            if problems:
                raise ReporterKeyError.several(problems, "重新加密举报人信息")
            if updates:
                conn.execute(
                    REPORTER.update().where(REPORTER.c.item_id == bindparam("b_item_id")).values(
                        sealed=bindparam("b_sealed"), key_id=bindparam("b_key_id"),
                        **dict.fromkeys(IDENTITY_FIELDS),
                    ),
                    updates,
                )
            for camp in camps:
                tally = counts[camp.id]
                append_event(
                    tx, st, camp.id, item_id=None, trigger="rekey_reporters", from_state=None, to_state=None,
                    actor=actor, at=now,
                    data={"key_id": current, "resealed": tally["resealed"],
                          "sealed_plaintext": tally["sealed_plaintext"], "unchanged": tally["unchanged"]},
                )
        scrubbed = self._store.scrub([REPORTER.name]) if updates else False
        total = Counter[str]()
        for tally in counts.values():
            total.update(tally)
        return RekeyReport(
            key_id=current, campaigns=tuple(camp.key for camp in camps), resealed=total["resealed"],
            sealed_plaintext=total["sealed_plaintext"], unchanged=total["unchanged"], scrubbed=scrubbed,
        )

    def audit_anchors(self, campaign: str | int | None = None) -> list[Anchor]:
        """Every campaign's (or one's) audit chain head now, to keep outside the database
        (``zhenggai audit anchor``; the daemon, daily): :meth:`verify_audit` with them finds a
        chain cut short, rewritten or deleted since."""
        now = self._now()
        with self._store.read() as conn:
            query = select(CAMPAIGN.c.id, CAMPAIGN.c.key, HEAD.c.seq, HEAD.c.hash).join(
                HEAD, HEAD.c.campaign_id == CAMPAIGN.c.id
            ).order_by(CAMPAIGN.c.id)
            if campaign is not None:
                query = query.where(CAMPAIGN.c.id == self._campaign(conn, campaign).id)
            return [
                Anchor(campaign_id=r["id"], campaign=r["key"], seq=r["seq"], hash=r["hash"], anchored_at=now)
                for r in conn.execute(query).mappings()
            ]

    def verify_audit(self, campaign: str | int | None = None, *, anchors: Iterable[Anchor] = ()) -> AuditReport:
        """Re-check every audit chain (or one campaign's): altered, inserted or deleted events,
        and the rows the events vouch for (items and their measures, documents, the roster,
        queued messages, the stored definition); against ``anchors`` (of :meth:`audit_anchors`,
        kept outside the database, those of other campaigns ignored when ``campaign`` is
        given), a chain cut short, rewritten or deleted."""
        with self._store.read() as conn:
            if campaign is None:
                ids = conn.execute(select(CAMPAIGN.c.id).order_by(CAMPAIGN.c.id)).scalars().all()
            else:
                ref = Tx.on(conn).one(self._st.campaign_ref_by_key, {"key": campaign}) if isinstance(campaign, str) \
                    else {"id": campaign}
                if ref is None:
                    raise CampaignNotFound(campaign)
                ids = [ref["id"]]
            total = 0
            problems: list[str] = []
            for cid in ids:
                head = conn.execute(
                    select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.campaign_id == cid)
                ).mappings().first()
                stored = dict(conn.execute(select(CAMPAIGN).where(CAMPAIGN.c.id == cid)).mappings().one())
                bindings = Bindings(f"专项行动 {cid}")
                rows = conn.execute(
                    select(EVENT).where(EVENT.c.campaign_id == cid).order_by(EVENT.c.seq, EVENT.c.id)
                ).mappings()
                count, found = verify_chain(cid, _feeding(rows, bindings.add), head)
                total += count
                problems.extend(found)
                problems.extend(bindings.problems(**_bound_rows(conn, cid)))
                recorded = _recorded_digest(Tx.on(conn).one(self._st.definition_event, {"cid": cid}))
                if recorded is not None and recorded != definition_digest(stored):
                    problems.append(f"专项行动 {stored['key']}: 存储的实施方案与审计记录中的哈希不符 (实施方案被改动)")
            checked = 0
            for anchor in anchors:
                if campaign is not None and anchor.campaign_id not in ids:
                    continue
                checked += 1
                key = conn.execute(select(CAMPAIGN.c.key).where(CAMPAIGN.c.id == anchor.campaign_id)).scalar()
                head_seq = conn.execute(select(HEAD.c.seq).where(HEAD.c.campaign_id == anchor.campaign_id)).scalar()
                at_seq = conn.execute(select(EVENT.c.hash).where(
                    EVENT.c.campaign_id == anchor.campaign_id, EVENT.c.seq == anchor.seq)).scalar()
                found_problem = verify_anchor(anchor, key, head_seq or 0, at_seq)
                if found_problem is not None:
                    problems.append(found_problem)
            return AuditReport(events=total, campaigns=len(ids), problems=problems, anchors=checked)

    # ------------------------------------------------------------------- the roster (通讯录)

    def add_contact(self, campaign: str | int, actor: Actor, contact: NewContact) -> ContactView:
        """Add a person to the campaign's roster (:mod:`zhenggai.engine._roster`): checked
        (unit, role, an address, mobile and email shape, channels, dates, not already there),
        by a role of ``operations.manage_contacts``; audited without personal data."""
        return _roster.add_contact(self, campaign, actor, contact)

    def update_contact(self, contact_id: int, actor: Actor, **changes: object) -> ContactView:
        """Change fields of a contact (``unit``, ``name``, ``role``, ``mobile``, ``email``,
        ``wecom_id``, ``dingtalk_id``, ``channels``, ``active_from``, ``active_to``; None clears an
        optional one); the audit event names the fields changed, not their values."""
        return _roster.update_contact(self, contact_id, actor, changes)

    def remove_contact(self, contact_id: int, actor: Actor) -> ContactView:
        """Remove a contact from the roster (kept with ``removed_at``; it receives nothing more)."""
        return _roster.remove_contact(self, contact_id, actor)

    def contact(self, contact_id: int) -> ContactView:
        """One contact of a roster by id (also a removed one)."""
        return _roster.contact(self, contact_id)

    def contacts(
        self, campaign: str | int, *, unit: str | None = None, role: str | None = None, include_removed: bool = False
    ) -> list[ContactView]:
        """The campaign's roster, by id: of one unit, of one role, with removed contacts or not."""
        return _roster.contacts(self, campaign, unit=unit, role=role, include_removed=include_removed)

    def check_contacts(self, campaign: str | int, entries: Sequence[NewContact]) -> list[ImportProblem]:
        """Every problem :meth:`import_contacts` would refuse ``entries`` for, writing nothing."""
        return _roster.check_contacts(self, campaign, entries)

    def import_contacts(self, campaign: str | int, actor: Actor, entries: Sequence[NewContact]) -> list[ContactView]:
        """Add many contacts all or nothing, in one transaction: every entry is checked first and
        :class:`ImportRejected` lists every problem (entry, field, reason); one audit event."""
        return _roster.import_contacts(self, campaign, actor, entries)

    def unreachable(self, campaign: str | int) -> UnreachableView:
        """The units (all) and roles (those the definition sends messages to) with no contact
        that could receive a message today: their messages would be dead letters."""
        return _roster.unreachable(self, campaign)

    # ---------------------------------------------------------------------------------- duties

    def duties(
        self, campaign: str | int, *, unit: str | None = None, status: str | None = None,
        due_by: dt.date | None = None,
    ) -> list[DutyView]:
        """The campaign's duty occurrences, by due date then unit: of one unit, with one status
        (``open``, ``done``, or ``not_applicable``: due before the campaign was created), due on
        or before a day."""
        with self._store.read() as conn:
            camp = self._campaign(conn, campaign)
            query = select(DUTY).where(DUTY.c.campaign_id == camp.id)
            if unit is not None:
                if unit not in camp.unit_ids:
                    raise UnitNotFound(unit)
                query = query.where(DUTY.c.unit_id == camp.unit_ids[unit])
            if status is not None:
                query = query.where(DUTY.c.status == status)
            if due_by is not None:
                query = query.where(DUTY.c.due <= due_by)
            rows = conn.execute(query.order_by(DUTY.c.due, DUTY.c.unit_id, DUTY.c.id)).mappings().all()
        return [self._duty_view(camp, r) for r in rows]

    def complete_duty(self, duty_id: int, actor: Actor, *, note: str | None = None) -> DutyView:
        """The unit has discharged a duty occurrence (e.g. handed in its 一报告四清单): its
        reminder and escalation steps are cancelled, and the act is audited. Done by someone of
        the unit (a unit-bound role acting for it) or by its receiver (the duty's ``to``: that
        role, or someone of that unit)."""
        now = self._now()
        st = self._st
        with self._store.transaction() as tx:
            if not isinstance(duty_id, int) or isinstance(duty_id, bool):
                raise InvalidInputError("duty_id", "职责编号须为整数")
            row = tx.one(st.duty, {"id": duty_id})
            if row is None:
                raise DutyNotFound(duty_id)
            camp = self._campaign(tx, row["campaign_id"], row["campaign_version"])
            self._check_actor(camp, actor)
            spec = camp.duties.get(row["duty_key"])
            unit_key = camp.unit_keys[row["unit_id"]]
            own = camp.roles[actor.role].unit_bound and actor.unit == unit_key
            receiver = spec is not None and spec.to in (actor.role, actor.unit)
            if not (own or receiver):
                raise PermissionDeniedError(actor.name, actor.role, "complete_duty", "须为本单位或接收方")
            if row["status"] == NOT_APPLICABLE:
                raise InvalidInputError("duty_id", f"职责 {duty_id} 在专项行动启动前已到期, 不适用")
            if row["status"] != "open":
                raise InvalidInputError("duty_id", f"职责 {duty_id} 已于 {row['done_at']:%Y-%m-%d} 完成")
            text = _text("note", note) if note is not None else None
            tx.run(st.duty_complete, {"id": duty_id, "done_at": now, "done_by": actor.name})
            tx.run(st.duty_steps_cancel, {"duty_id": duty_id, "now": now})
            data: dict[str, Any] = {"duty": row["duty_key"], "unit": unit_key, "due": row["due"].isoformat()}
            if text is not None:
                data["note"] = text
            append_event(tx, st, camp.id, item_id=None, trigger="complete_duty", from_state=None, to_state=None,
                         actor=actor, at=now, data=data)
            done = tx.one(st.duty, {"id": duty_id})
            assert done is not None
        return self._duty_view(camp, done)

    def _duty_view(self, camp: Campaign, r: Mapping[Any, Any]) -> DutyView:
        spec = camp.duties.get(r["duty_key"])
        return DutyView(
            id=r["id"], campaign=camp.key, duty=r["duty_key"], label=spec.label if spec else r["duty_key"],
            deliverable=(spec.deliverable or spec.label) if spec else r["duty_key"],
            unit=camp.unit_keys[r["unit_id"]], unit_name=camp.unit_names[r["unit_id"]], due=r["due"],
            status=r["status"], light=r["light"], escalation_level=r["escalation_level"], done_at=r["done_at"],
            done_by=r["done_by"],
        )

    # ---------------------------------------------------------------------------------- sweeps

    def sweep(self, *, batch: int = 200) -> SweepReport:
        """Fire every step that is due by now (the clock's), each once, and return what was done.

        Steps are taken a subject (an item) at a time, in order of the earliest due step: the
        subject's due steps are claimed (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so a subject
        another engine is sweeping is skipped; a conditional update on SQLite, where writers
        are serialised) and settled in the same transaction as their effects (light, escalation
        level, audit event, messages). A second sweep at the same time finds nothing to do.
        """
        now = self._now()
        report = SweepReport()
        seen: set[tuple[str, int]] = set()
        st = self._st
        report.armed = self._calendar_changes(now)
        while True:
            with self._store.read() as conn:
                due = Tx.on(conn).all(st.due_steps, {"now": now, "limit": batch})
            fresh = list(dict.fromkeys((r["subject_kind"], r["subject_id"]) for r in due))
            fresh = [s for s in fresh if s not in seen]
            if not fresh:
                self._calendar_alerts(now, report)
                return report
            for kind, sid in fresh:
                seen.add((kind, sid))
                mark = report.mark()
                try:
                    self._sweep_subject(kind, sid, now, report)
                except CalendarError:
                    report.rollback(mark)
                    # A year the calendar does not know: this subject's due steps wait for it
                    # (待日历) and every other subject is swept on; one alert per campaign and year.
                    with self._store.transaction() as tx:
                        for row in tx.all(st.claim_steps, {"now": now, "kind": kind, "sid": sid}):
                            report.awaiting += tx.run(st.steps_await, {"id": row["id"]})

    def _sweep_subject(self, kind: str, sid: int, now: dt.datetime, report: SweepReport) -> None:
        """Claim and settle one subject's due steps, in one transaction."""
        st = self._st
        with self._store.transaction() as tx:
            claimed = tx.all(st.claim_steps, {"now": now, "kind": kind, "sid": sid})
            if not claimed:
                report.skipped += 1
                return
            report.subjects += 1
            if kind == "campaign":
                camp = self._campaign(tx, sid)
                with self._lock:
                    fire_campaign_steps(tx, st, camp, claimed, now, report, self._seeds)
            elif kind == "item":
                row = self._load_item(tx, sid)
                camp = self._campaign(tx, row["campaign_id"], row["campaign_version"])
                rungs = [r for r in claimed if not r["step_key"].startswith(TIMER)]
                timers = [r for r in claimed if r["step_key"].startswith(TIMER)]
                if rungs:  # lateness up to now first, then what the timers change
                    fire_item_steps(tx, st, camp, row, rungs, now, report)
                if timers:
                    self._fire_timers(tx, camp, self._load_item(tx, sid), timers, now, report)
            elif kind == "document":
                document = self._load_document(tx, sid)
                camp = self._campaign(tx, document["campaign_id"])
                fire_document_steps(tx, st, camp, document, claimed, now, report)
            else:
                duty = tx.one(st.duty, {"id": sid})
                assert duty is not None, f"step of a missing duty {sid}"
                camp = self._campaign(tx, duty["campaign_id"], duty["campaign_version"])
                fire_duty_steps(tx, st, camp, duty, claimed, now, report)

    def _fire_timers(
        self, tx: Tx, camp: Campaign, row: dict[str, Any], claimed: list[dict[str, Any]], now: dt.datetime,
        report: SweepReport,
    ) -> None:
        """Fire the item's due timed transitions as the system, each once (also late). One whose
        guard refuses is recorded (``timer_refused``, the step ``missed``), not retried: the item
        stays for a person to move. A timer of a state the item has left is void."""
        st = self._st
        for step in claimed:
            wanted = timer_steps(camp, row)
            trigger = step["step_key"][len(TIMER):].partition("@")[0]
            spec = camp.lifecycle.by_trigger_source.get((trigger, row["state"]))
            if step["step_key"] not in wanted or spec is None or spec.after is None:
                if tx.run(st.step_settle, {"id": step["id"], "status": "void", "now": now}):
                    report.void += 1
                continue
            inputs: dict[str, Any] = {
                "timer": f"{spec.after.days} 个{'工作日' if spec.after.count == 'working' else '自然日'}"}
            if now - step["due_at"] >= LATE_AFTER:
                inputs["late"] = True
            if "set_assignment" in spec.effects and row["due"] is None:
                _due_by_rule(camp, row, inputs, now)
            if not tx.run(st.step_settle, {"id": step["id"], "status": "fired", "now": now}):
                continue
            try:
                after = self._transition(tx, camp, row, spec, SYSTEM, inputs, now)
            except GuardFailedError as err:  # refused before anything was written
                tx.run(st.step_mark, {"id": step["id"], "status": "missed"})
                report.missed += 1
                append_event(tx, st, camp.id, item_id=row["id"], trigger="timer_refused", from_state=row["state"],
                             to_state=row["state"], actor=SYSTEM, at=now,
                             data={"timer": trigger, "guard": err.guard, "reason": str(err)})
                continue
            report.fired += 1
            report.events.append(f"item:{row['id']}:{trigger}")
            row = after

    def oldest_pending_step(self) -> dt.datetime | None:
        """When the longest-waiting pending step fell (or falls) due, for ``zhenggai status``."""
        with self._store.read() as conn:
            value = Tx.on(conn).scalar(self._st.oldest_pending)
        return None if value is None else value

    # -------------------------------------------------------------------------------- daemons

    def heartbeat(
        self, name: str, *, host: str, pid: int, started_at: dt.datetime, interval: float = 60.0, fired: int = 0,
        stopped: bool = False,
    ) -> None:
        """Record that the daemon ``name`` (``host:pid``) is alive, after a sweep that fired
        ``fired`` steps; ``stopped`` when it stops cleanly."""
        now = self._now()
        with self._store.write() as conn:
            row = conn.execute(select(HEARTBEAT).where(HEARTBEAT.c.name == name)).mappings().first()
            if row is None:
                conn.execute(HEARTBEAT.insert().values(
                    name=name, host=host, pid=pid, started_at=started_at, beat_at=now, interval=interval,
                    stopped_at=now if stopped else None, sweeps=0 if stopped else 1, fired=fired,
                ))
            else:
                conn.execute(HEARTBEAT.update().where(HEARTBEAT.c.id == row["id"]).values(
                    beat_at=now, stopped_at=now if stopped else None,
                    sweeps=row["sweeps"] + (0 if stopped else 1), fired=row["fired"] + fired,
                ))

    def status(self) -> StatusView:
        """The daemons' heartbeats (newest first), the steps waiting, the outbox by status."""
        now = self._now()
        with self._store.read() as conn:
            beats = conn.execute(select(HEARTBEAT).order_by(HEARTBEAT.c.beat_at.desc())).mappings().all()
            pending = conn.execute(
                select(func.count(), func.min(STEP.c.due_at)).where(STEP.c.status == "pending")
            ).one()
            due = conn.execute(
                select(func.count()).where(STEP.c.status == "pending", STEP.c.due_at <= now)
            ).scalar_one()
            outbox: dict[str, int] = {
                str(k): int(v) for k, v in conn.execute(select(OUTBOX.c.status, func.count()).group_by(OUTBOX.c.status))
            }
            awaiting = conn.execute(select(func.count()).where(STEP.c.status == AWAITING)).scalar_one()
            past = Tx.on(conn).all(self._st.awaiting_due, {"now": now}) if awaiting else []
            years: set[int] = set()
            waiting = conn.execute(
                select(STEP.c.campaign_id, STEP.c.due_at).where(STEP.c.status == AWAITING).distinct()
            ).all() if awaiting else []
            for cid, due_at in waiting:
                years.update(_missing_years(self._campaign(conn, cid), due_at, now))
        return StatusView(
            now=now,
            daemons=tuple(
                HeartbeatView(**{f.name: r[f.name] for f in dataclasses.fields(HeartbeatView)}) for r in beats
            ),
            pending_steps=pending[0],
            due_steps=due,
            oldest_due=pending[1],
            outbox=outbox,
            awaiting_calendar=awaiting,
            awaiting_due=sum(r["steps"] for r in past),
            awaiting_years=tuple(sorted(years)),
        )

    # -------------------------------------------------------------------------------- internals

    def _campaign(self, db: Tx | Connection, key: str | int, version: str | None = None) -> Campaign:
        """A campaign by key or id, as of its current definition version.

        The cache holds one entry per campaign; it is used only while the database still has
        the version it was read at (``version`` when the caller already read it, e.g. joined
        to the item row), so a campaign another process moved to a new definition version
        (:meth:`migrate_campaign`) is read afresh."""
        tx = db if isinstance(db, Tx) else Tx.on(db)
        if isinstance(key, str):
            ref = tx.one(self._st.campaign_ref_by_key, {"key": key})
            if ref is None:
                raise CampaignNotFound(key)
            cid, version = ref["id"], ref["definition_version"]
        else:
            cid = key
            if version is None:
                version = tx.scalar(self._st.campaign_version, {"id": cid})
                if version is None:
                    raise CampaignNotFound(cid)
        camp = self._campaigns.get(cid)
        if camp is not None and camp.view.definition_version == version:
            return camp
        return self._load_campaign(tx, cid)

    def _load_campaign(self, tx: Tx, cid: int, *, cache: bool = True) -> Campaign:
        st = self._st
        if self._loaded_years.fingerprint is None:  # the loaded calendar years, read on first use
            read_loaded(tx, self._cal_st, self._loaded_years)
        row = tx.one(st.campaign, {"id": cid})
        if row is None:
            raise CampaignNotFound(cid)
        recorded = _recorded_digest(tx.one(st.definition_event, {"cid": cid}))
        # (A row without its whole definition is a database from step 1: it keeps running on its
        # columns; `audit verify` reports it when the chain says it had one.)
        if recorded is not None and row["definition_json"] is not None and recorded != definition_digest(row):
            # The stored definition is what decides who may do what: one edited behind the
            # engine's back (a unit allowed to close its own items) is never obeyed.
            raise StorageError(f"专项行动 {row['key']} 存储的实施方案与审计记录中的哈希不符 (已被改动), 拒绝按其运行;"
                               " 请用 zhenggai audit verify 核查并从备份恢复")
        lifecycle = self._compiled(row["lifecycle_json"])
        roles = {r["id"]: RoleSpec(**r) for r in json.loads(row["roles_json"])}
        stored = row["definition_json"]
        setup = CampaignSetup.model_validate_json(stored) if stored is not None else None
        units = tx.all(st.units, {"cid": cid})
        tracks = tx.all(st.tracks, {"cid": cid})
        camp = Campaign(
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
            severities={s.id: s.label for s in setup.severities} if setup else DEFAULT_SEVERITIES,
            setup=setup,
            calendar=self.calendar_for(setup.calendar if setup else CalendarSpec()),
            item_ladder=_item_ladder(setup),
            lead_units={t.id: t.units[0] for t in setup.tracks} if setup else {},
            duties={d.id: d for d in setup.duties} if setup else {},
            ladders={x.id: x for x in setup.ladders} if setup else {},
            unit_ids={u["key"]: u["id"] for u in units},
            unit_keys={u["id"]: u["key"] for u in units},
            unit_names={u["id"]: u["name"] for u in units},
            tracks={t["key"]: t["name"] for t in tracks},
            documents=self._compiled(setup.documents.lifecycle.model_dump_json())
            if setup is not None and setup.documents is not None else None,
            document_ladder=next((x for x in setup.ladders if x.id == setup.documents.ladder), None)
            if setup is not None and setup.documents is not None else None,
        )
        if cache:
            self._remember(camp)
        return camp

    def _remember(self, camp: Campaign) -> None:
        """Cache a campaign read from committed data (keyed by id; see :meth:`_campaign`)."""
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

    def _load_item(self, db: Tx | Connection, item_id: int) -> dict[str, Any]:
        _check_id("item_id", item_id, "问题")
        tx = db if isinstance(db, Tx) else Tx.on(db)
        row = tx.one(self._st.item, {"id": item_id})
        if row is None:
            raise ItemNotFound(item_id)
        return row

    def _check_actor_against(self, setup: CampaignSetup, actor: Actor) -> None:
        """An administrative act under a definition: the actor's role must be allowed the
        ``migrate_campaign`` operation there."""
        if not isinstance(actor, Actor):
            raise InvalidInputError("actor", "须为 Actor")
        _text("actor", actor.name)
        if actor.role not in setup.lifecycle.operations.get("migrate_campaign", []):
            raise PermissionDeniedError(actor.name, actor.role, "migrate_campaign")

    def _check_actor(self, camp: Campaign, actor: Actor) -> None:
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
        self, camp: Campaign, actor: Actor, action: str, roles: Iterable[str], row: Mapping[str, Any] | None
    ) -> None:
        if actor.role not in roles:
            raise PermissionDeniedError(actor.name, actor.role, action, labels=camp.lifecycle.names)
        own_unit = row is None or (
            row["responsible_unit_id"] is not None
            and camp.unit_ids.get(actor.unit or "") == row["responsible_unit_id"]
        )
        if camp.roles[actor.role].unit_bound and not own_unit:
            raise PermissionDeniedError(actor.name, actor.role, action, "只能办理本单位负责的问题", camp.lifecycle.names)

    def _item_operation(
        self, tx: Tx, item_id: int, actor: Actor, op: str, expected_version: int | None
    ) -> tuple[dict[str, Any], Campaign]:
        """The item and its campaign for operation ``op`` by ``actor``: known actor, expected
        version, a role the definition allows."""
        row = self._load_item(tx, item_id)
        camp = self._campaign(tx, row["campaign_id"], row["campaign_version"])
        self._check_actor(camp, actor)
        _check_version(item_id, expected_version, row["version"])
        self._check_operation(camp, actor, op, row)
        return row, camp

    def _check_operation(self, camp: Campaign, actor: Actor, op: str, row: Mapping[str, Any] | None) -> None:
        self._check_role(camp, actor, op, camp.operations.get(op, frozenset()), row)

    def _check_measure_state(self, camp: Campaign, row: Mapping[str, Any], op: str) -> None:
        state = row["state"]
        allowed = camp.lifecycle.spec.measure_states
        if (
            state in camp.lifecycle.final_states
            or row["responsible_unit_id"] is None
            or (allowed and state not in allowed)
        ):
            raise TransitionNotAllowedError(
                row["id"], state, op, camp.lifecycle.allowed_triggers(state), camp.lifecycle.names
            )

    def _trigger_inputs(
        self, tx: Tx, camp: Campaign, spec: TransitionSpec, data: Mapping[str, Any], now: dt.datetime
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
        for name in sorted(set(data) - accepted):
            raise InvalidInputError(name, f"{spec.trigger} 不接受此项 (可填: {', '.join(sorted(accepted))})")
        given = {k: v for k, v in data.items() if v is not None}
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
            if tx.one(self._st.item_exists, {"id": survivor}) is None:
                raise ItemNotFound(survivor)
            out["survivor_id"] = survivor
        elif "survivor_id" in required:
            raise InvalidInputError("survivor_id", "未指定保留的问题")
        return out

    def _view_from_row(self, camp: Campaign, r: Mapping[Any, Any]) -> ItemView:
        uid = r["responsible_unit_id"]
        return ItemView(
            id=r["id"], campaign=camp.key, track=r["track"], track_name=camp.tracks.get(r["track"], r["track"]),
            channel=r["channel"], title=r["title"], description=r["description"], severity=r["severity"],
            state=r["state"], state_label=camp.lifecycle.labels.get(r["state"], r["state"]),
            unit=None if uid is None else camp.unit_keys[uid],
            unit_name=None if uid is None else camp.unit_names[uid],
            leading_official=r["leading_official"], due=r["due"], light=r["light"],
            escalation_level=r["escalation_level"], reopen_count=r["reopen_count"],
            paused_at=r["paused_at"], paused_days=r["paused_days"], merged_into=r["merged_into_id"], dismiss_reason=r["dismiss_reason"],
            last_finding=r["last_finding"], created_by=r["created_by"], created_at=r["created_at"],
            updated_at=r["updated_at"], verified_at=r["verified_at"], closed_at=r["closed_at"],
            closed_by=r["closed_by"], version=r["version"], case_note=r["case_note"],
            case_marked_at=r["case_marked_at"], case_published_at=r["case_published_at"],
            case_published_where=r["case_published_where"], number=r["number"],
        )

# ----------------------------------------------------------------------------------- helpers


def _item_number_key(number: str) -> str:
    """问题编号 as stored: upper case, no surrounding blanks."""
    if not isinstance(number, str) or not number.strip():
        raise InvalidInputError("number", "须为问题编号, 如 ZG-2023-0001")
    return number.strip().upper()


def _outbox_view(r: Mapping[Any, Any]) -> OutboxView:
    return OutboxView(
        id=r["id"], item_id=r["item_id"], kind=r["kind"], channel=r["channel"], recipient=r["recipient"],
        idempotency_key=r["idempotency_key"], payload=json.loads(r["payload"]), status=r["status"],
        attempts=r["attempts"], last_error=r["last_error"], campaign_id=r["campaign_id"],
        next_try_at=r["next_try_at"], created_at=r["created_at"], sent_at=r["sent_at"],
    )


def _stranded_items(conn: Connection, camp: Campaign, setup: CampaignSetup) -> list[str]:
    """What the campaign's items use that ``setup`` no longer has: states, tracks, channels,
    severities, responsible units. One line per missing thing, with a count and the first item."""
    states = {s.id for s in setup.lifecycle.states}
    tracks = {t.id for t in setup.tracks}
    channels = {c.id for c in setup.channels}
    severities = {s.id for s in setup.severities}
    units = {u.id for u in setup.units}
    problems: list[str] = []
    checks = (
        (ITEM.c.state, states, "lifecycle.states", "状态"),
        (ITEM.c.track, tracks, "tracks", "专项"),
        (ITEM.c.channel, channels, "channels", "来源渠道"),
        (ITEM.c.severity, severities, "severities", "问题程度"),
    )
    for column, known, path, label in checks:
        rows = conn.execute(
            select(column, func.count(), func.min(ITEM.c.id))
            .where(ITEM.c.campaign_id == camp.id)
            .group_by(column)
            .order_by(column)
        ).all()
        for value, count, first in rows:
            if value not in known:
                problems.append(f"{path}: 新版本没有{label} {value}, 仍有 {count} 个问题使用 (如问题 {first})")
    rows = conn.execute(
        select(ITEM.c.responsible_unit_id, func.count(), func.min(ITEM.c.id))
        .where(ITEM.c.campaign_id == camp.id, ITEM.c.responsible_unit_id.is_not(None))
        .group_by(ITEM.c.responsible_unit_id)
    ).all()
    for unit_id, count, first in rows:
        if camp.unit_keys[unit_id] not in units:
            problems.append(
                f"units: 新版本没有单位 {camp.unit_keys[unit_id]}, 仍有 {count} 个问题由其负责 (如问题 {first})"
            )
    return problems


#: Names of the 关联研判 operation and its condition, for refusals officials read.
DUPLICATE_NAMES = {"resolve_duplicate": "关联研判", "unresolved": "尚未研判"}

#: Names of the deadline clock's operations and conditions, for refusals officials read.
CLOCK_NAMES = {
    "pause_clock": "暂停计时",
    "resume_clock": "恢复计时",
    "clock_running": "计时进行中",
    "clock_paused": "计时已暂停",
    "due_not_passed": "整改时限未过",
}


def _stored_definition(setup: CampaignSetup) -> dict[str, str]:
    """The columns of a campaign row that hold its definition, as stored and hashed."""
    return {
        "lifecycle_json": setup.lifecycle.model_dump_json(),
        "roles_json": json.dumps([r.model_dump() for r in setup.roles], ensure_ascii=False),
        "channels_json": json.dumps([c.id for c in setup.channels]),
        "definition_json": setup.model_dump_json(),
    }


def _feeding(rows: Iterable[Mapping[Any, Any]], take: Callable[[Mapping[Any, Any]], None]) -> Iterator[Mapping[Any, Any]]:
    """``rows`` as they are, each handed to ``take`` on the way."""
    for row in rows:
        take(row)
        yield row


def _bound_rows(conn: Connection, cid: int) -> dict[str, Any]:
    """What :meth:`Bindings.problems` compares a campaign's chain with: the current digests of
    its items (row and measures) and documents, of its roster, and its outbox rows."""
    measures: dict[int, list[Mapping[Any, Any]]] = {}
    for m in conn.execute(
        select(MEASURE).join(ITEM, ITEM.c.id == MEASURE.c.item_id).where(ITEM.c.campaign_id == cid)
        .order_by(MEASURE.c.id)
    ).mappings():
        measures.setdefault(m["item_id"], []).append(m)
    items = {
        row["id"]: item_digest(row, measures.get(row["id"], ()))
        for row in conn.execute(select(ITEM).where(ITEM.c.campaign_id == cid)).mappings()
    }
    documents = {
        row["id"]: rows_digest([row])
        for row in conn.execute(select(DOCUMENT).where(DOCUMENT.c.campaign_id == cid)).mappings()
    }
    roster = rows_digest(conn.execute(
        select(CONTACT).join(UNIT, UNIT.c.id == CONTACT.c.unit_id).where(UNIT.c.campaign_id == cid)
        .order_by(CONTACT.c.id)
    ).mappings())
    outbox = conn.execute(select(OUTBOX).where(OUTBOX.c.campaign_id == cid).order_by(OUTBOX.c.id)).mappings()
    return {"items": items, "documents": documents, "roster": roster, "outbox": outbox}


def _recorded_digest(event: Mapping[str, Any] | None) -> str | None:
    """The definition hash the newest start or migrate event recorded (None for campaigns
    started before step 8 recorded it)."""
    if event is None:
        return None
    value = json.loads(event["data"]).get("definition_sha256")
    return str(value) if value is not None else None


def _missing_years(camp: Campaign, due_at: dt.datetime, now: dt.datetime) -> list[int]:
    """The years from a waiting step's moment to now the campaign's calendar does not know."""
    first, last = due_at.astimezone(camp.tz).year, now.astimezone(camp.tz).year
    return [year for year in range(first, max(first, last) + 1) if not camp.calendar.covers(year)]


def _local_day(camp: Campaign, at: dt.datetime) -> str:
    return at.astimezone(camp.tz).date().isoformat()


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


def _unit_id(camp: Campaign, key: object) -> int:
    return camp.unit_ids[_choice("unit", key, camp.unit_ids, UnitNotFound)]


def _due(value: object, camp: Campaign, now: dt.datetime, field: str) -> dt.date:
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
    try:
        if camp.calendar.is_workday(value):
            return value
    except CalendarError:
        return value  # a year the calendar does not know yet: the date stands, as given
    label = f"{value.isoformat()} ({WEEKDAYS[value.weekday()]})"
    try:
        after = next_workday(camp.calendar, value)
        hint = f"; 请改为下一个工作日 {after.isoformat()} ({WEEKDAYS[after.weekday()]})"
    except CalendarError:
        hint = ""
    raise InvalidInputError(field, f"整改时限 {label} 是节假日或休息日, 期限不落在休息日{hint}")


def _entry_problems(
    camp: Campaign, index: int, entry: NewItem, assign: TransitionSpec | None, now: dt.datetime
) -> list[ImportProblem]:
    """Every problem of one import entry, each as (entry, field, reason)."""
    if not isinstance(entry, NewItem):
        return [ImportProblem(index, "title", "须为 NewItem")]
    checks: list[tuple[str, Callable[[], object]]] = [
        ("title", lambda: _text("title", entry.title)),
        ("description", lambda: _text("description", entry.description)),
        ("track", lambda: _known("track", entry.track, camp.tracks, "专项整治领域")),
        ("channel", lambda: _known("channel", entry.channel, camp.channels, "来源渠道")),
    ]
    if entry.severity is not None:
        checks.append(("severity", lambda: _known("severity", entry.severity, camp.severities, "问题程度")))
    if entry.unit is not None:
        checks.append(("unit", lambda: _known("unit", entry.unit, camp.unit_ids, "单位")))
    if entry.due is not None:
        checks.append(("due", lambda: _due(entry.due, camp, now, "due")))
    if entry.leading_official is not None:
        checks.append(("leading_official", lambda: _text("leading_official", entry.leading_official)))
    if entry.reporter is not None:
        checks.append(("reporter", lambda: _reporter_values(entry.reporter)))  # type: ignore[arg-type]
    problems = []
    for field, check in checks:
        try:
            check()
        except InvalidInputError as err:
            problems.append(ImportProblem(index, field, err.reason))
    if entry.unit is None and (entry.due is not None or entry.leading_official is not None):
        problems.append(ImportProblem(index, "unit", "给出整改时限或牵头领导时须同时给出责任单位"))
    if entry.unit is not None and assign is None:
        problems.append(ImportProblem(index, "unit", "该实施方案没有从初始状态交办的流转, 不能导入时交办"))
    return problems


def _check_id(field: str, value: object, what: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInputError(field, f"{what}编号须为整数")


def _load_by_id(
    conn: Connection, table: Any, row_id: int, field: str, what: str, not_found: Callable[[object], Exception]
) -> dict[str, Any]:
    """The row of ``table`` with ``row_id`` (a people-facing query), or ``not_found``."""
    _check_id(field, row_id, what)
    row = conn.execute(select(table).where(table.c.id == row_id)).mappings().first()
    if row is None:
        raise not_found(row_id)
    return dict(row)


def _documents_of(camp: Campaign) -> CompiledLifecycle:
    """The campaign's document lifecycle, or a clear refusal when its definition has none."""
    if camp.documents is None:
        raise DefinitionError([f"专项行动 {camp.key} 的实施方案没有规范性文件清理 (documents)"])
    return camp.documents


def _cutoff(camp: Campaign) -> dt.time:
    """The time of day after which something received counts from the next working day."""
    if camp.setup is not None and camp.setup.deadlines is not None:
        return camp.setup.deadlines.cutoff
    return dt.time(17, 30)


def _known(field: str, value: object, allowed: Mapping[str, object] | frozenset[str], what: str) -> str:
    """``value`` if ``allowed`` has it; else a short error (an import lists many at once)."""
    if not isinstance(value, str) or value not in allowed:
        raise InvalidInputError(field, f"未知{what} {value!r}")
    return value


def _duplicate_view(camp: Campaign, r: Mapping[str, Any], titles: Mapping[int, str]) -> DuplicateView:
    return DuplicateView(
        id=r["id"], campaign=camp.key, item_id=r["item_id"], other_id=r["other_id"], score=r["score"] / 1000,
        item_title=titles.get(r["item_id"], ""), other_title=titles.get(r["other_id"], ""),
        created_at=r["created_at"], resolved_at=r["resolved_at"], resolved_by=r["resolved_by"],
        resolution=r["resolution"],
    )


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


def _item_ladder(setup: CampaignSetup | None) -> LadderSpec | None:
    """The escalation ladder a definition's items run on (``deadlines.ladder``)."""
    if setup is None or setup.deadlines is None or setup.deadlines.ladder is None:
        return None
    return next(ladder for ladder in setup.ladders if ladder.id == setup.deadlines.ladder)


def _due_by_rule(camp: Campaign, row: Mapping[str, Any], inputs: dict[str, Any], now: dt.datetime) -> None:
    """An item assigned without a due date gets the definition's rectification time (整改时限)
    for its track and severity, counted from now (:mod:`zhenggai.engine.deadlines`); the rule
    is kept in the audit event. Without deadline rules the due date stays missing (and a
    ``has_due`` guard refuses)."""
    deadlines = camp.setup.deadlines if camp.setup is not None else None
    if deadlines is None:
        return
    rule = rule_for(deadlines, row["track"], row["severity"])
    start = received_day(camp.calendar, now, camp.tz, deadlines.cutoff)
    inputs["due"] = add_days(camp.calendar, start, rule.days, rule.count)
    inputs["due_basis"] = {"due_from": start, "due_days": rule.days, "due_count": rule.count}
    inputs["due_rule"] = f"{rule.days} 个{'工作日' if rule.count == 'working' else '自然日'}"


def _event_data(
    camp: Campaign, inputs: Mapping[str, Any], before: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in ("unit", "finding", "reason", "note", "leading_official", "survivor_id", "timer", "late"):
        if name in inputs:
            data[name] = inputs[name]
    if "due" in inputs:
        data["due"] = inputs["due"].isoformat()
    if "due_rule" in inputs:
        data["due_rule"] = inputs["due_rule"]
    if "responsible_unit_id" in changes and before["responsible_unit_id"] not in (None, changes["responsible_unit_id"]):
        data["from_unit"] = camp.unit_keys[before["responsible_unit_id"]]
    return data


def _measure_view(r: Mapping[Any, Any]) -> MeasureView:
    return MeasureView(
        id=r["id"], item_id=r["item_id"], text=r["text"], due=r["due"], done_at=r["done_at"],
        done_by=r["done_by"], created_by=r["created_by"], created_at=r["created_at"],
    )


def _event_view(r: Mapping[Any, Any]) -> EventView:
    """An event as readers see it: its data without ``bind`` (what the chain vouches for is
    ``audit verify``'s business, not the event's content)."""
    data = json.loads(r["data"])
    data.pop(BIND, None)
    return EventView(
        id=r["id"], campaign_id=r["campaign_id"], seq=r["seq"], item_id=r["item_id"], trigger=r["trigger"],
        from_state=r["from_state"], to_state=r["to_state"], actor=r["actor"], role=r["role"], unit=r["unit"],
        at=r["at"], data=data, hash=r["hash"],
    )


class _IssueRace(Exception):
    """Inside :meth:`Engine.issue_number`: another writer numbered the day first (roll back)."""
