"""What every operation runs on: the store, the compiled statements, the clock, and the campaign cache."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import random
import threading
import zoneinfo
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine as SAEngine
from zhenggai.workflows.schema import CalendarSpec, CampaignSetup, LadderSpec, LifecycleSpec, RoleSpec

from ._admin_statements import AdminStatements
from ._calendar_years import CalendarStatements, read_loaded
from ._inputs import check_id
from ._raw import Tx
from ._reports import GramCache
from ._rows import DocumentRow, DutyRow, ItemRow
from ._sealing import ReporterKeys
from ._statements import Statements
from ._writes import Campaign
from .audit import definition_digest
from .calendar import LoadedYears, WorkingCalendar
from .clock import SystemClock
from .errors import (
    CampaignNotFound,
    DocumentNotFound,
    DutyNotFound,
    InvalidInputError,
    ItemNotFound,
    StorageError,
)
from .lifecycle import CompiledLifecycle
from .migrate import upgrade
from .ports import AttachmentStore, Calendar, Clock
from .store import Store
from .views import CampaignView

#: Severity vocabulary (问题程度) of campaigns started before definitions declared their own.
DEFAULT_SEVERITIES: Mapping[str, str] = {"normal": "一般", "serious": "较重", "critical": "严重"}


def recorded_digest(event: Mapping[str, Any] | None) -> str | None:
    """The definition hash the newest start or migrate event recorded (None for campaigns
    started before step 8 recorded it)."""
    if event is None:
        return None
    value = json.loads(event["data"]).get("definition_sha256")
    return str(value) if value is not None else None


def _item_ladder(setup: CampaignSetup | None) -> LadderSpec | None:
    """The escalation ladder a definition's items run on (``deadlines.ladder``)."""
    if setup is None or setup.deadlines is None or setup.deadlines.ladder is None:
        return None
    return next(ladder for ladder in setup.ladders if ladder.id == setup.deadlines.ladder)


class Runtime:
    """One engine's state: its store and compiled statements, its clock and calendar factory,
    the reporter keys, the random draws' seeds, and the caches (campaigns by id, one compiled
    lifecycle per distinct lifecycle, the loaded calendar years, 关联研判's bigrams).

    Every operation module takes a Runtime as its first argument; :class:`~.service.Engine`
    holds one and delegates to them. Two engines in one process share nothing."""

    #: Where a folder store keeps evidence files (佐证材料), set by the engine from its
    #: ``attachments`` option; None: beside a SQLite database file (:mod:`._attachments`).
    attachment_store: AttachmentStore | None = None

    def __init__(
        self,
        db: str | os.PathLike[str] | SAEngine,
        *,
        clock: Clock | None,
        calendar: Callable[[CalendarSpec], Calendar] | None,
        seed: int | None,
        migrate: bool,
        durability: str,
        origin: Mapping[str, str] | None,
        reporter_keys: ReporterKeys | None,
        preload: bool = False,
    ) -> None:
        if reporter_keys is not None and not isinstance(reporter_keys, ReporterKeys):
            raise InvalidInputError("reporter_keys", "须为 ReporterKeys")
        #: The keys reporters' identities are sealed with (举报人信息加密保存); None: not configured.
        self.reporter_keys = reporter_keys
        self.clock: Clock = clock or SystemClock()
        #: The calendar years operators loaded into this database (``zhenggai calendar load``),
        #: read on first use and again by every sweep; every campaign calendar made by the
        #: default factory sees them.
        self.loaded_years = LoadedYears()
        #: Makes a campaign's working-day calendar from its definition's ``calendar`` section
        #: (default: the statutory calendar, with the years loaded into the database, plus the
        #: county's overrides).
        self.calendar_for: Callable[[CalendarSpec], Calendar] = calendar or self.default_calendar
        #: Seeds of the random draws (回头看 sample, supervision teams); each draw records its
        #: own seed in the audit trail. Fixed by ``seed`` for a reproducible run (simulate).
        self.seeds = random.Random(seed)
        #: SQLite only (PostgreSQL's is the server's ``synchronous_commit``): ``full`` (the
        #: default) keeps every commit through an OS crash or power loss; ``normal`` is faster and
        #: may lose the last commits then (never consistency).
        self.store = Store(db, durability=durability)
        self.st = Statements(self.store.engine.dialect, row_locks=self.store.dialect.for_update)
        self.cal_st = CalendarStatements(self.store.engine.dialect)
        #: ``origin`` (e.g. the CLI's operating-system user and host) goes into every audit event.
        self.st.origin = dict(origin) if origin else None
        #: The loaded years' fingerprint the waiting steps were last armed for (None: not yet).
        self.armed_for: tuple[int, int] | None = None
        self.grams = GramCache()
        self.campaigns: dict[int, Campaign] = {}
        self.lifecycles: dict[str, CompiledLifecycle] = {}
        self.lock = threading.Lock()
        if migrate:
            try:
                upgrade(self.store, at_head=self._preload if preload else None)
            except BaseException:
                self.store.dispose()  # do not leave a connection pool behind a failed open
                raise

    def _preload(self, conn: Connection) -> None:
        """Read every campaign into the cache (in the read that checked the schema)."""
        for cid in Tx.on(conn).all(self.cal_st.campaign_ids):
            self.campaign(conn, cid["id"])

    @functools.cached_property
    def admin(self) -> AdminStatements:
        """The administrative write paths' statements (roster, outcomes, migration, heartbeats),
        compiled on first use: most engines (a CLI command, a test) never need them."""
        return AdminStatements(self.store.engine.dialect)

    def now(self) -> dt.datetime:
        """The clock's now, held to the Clock contract (aware, UTC) before anything is written."""
        now = self.clock.now()
        if not isinstance(now, dt.datetime) or now.tzinfo is None or now.utcoffset() is None:
            raise InvalidInputError("clock", "时钟返回的时间不带时区 (Clock.now() 须返回带时区的 UTC 时间)")
        return now.astimezone(dt.UTC)

    def default_calendar(self, spec: CalendarSpec) -> Calendar:
        """The default calendar factory: the statutory base with the years loaded into this
        database, and the definition's county overrides."""
        return WorkingCalendar(spec, loaded=self.loaded_years)

    def refresh_years(self) -> bool:
        """Read the loaded calendar years again if they changed (one small query otherwise)."""
        with self.store.read() as conn:
            return read_loaded(Tx.on(conn), self.cal_st, self.loaded_years)

    def campaign(self, db: Tx | Connection, key: str | int, version: str | None = None) -> Campaign:
        """A campaign by key or id, as of its current definition version.

        The cache holds one entry per campaign; it is used only while the database still has
        the version it was read at (``version`` when the caller already read it, e.g. joined
        to the item row), so a campaign another process moved to a new definition version
        (``migrate_campaign``) is read afresh."""
        tx = db if isinstance(db, Tx) else Tx.on(db)
        if isinstance(key, str):
            ref = tx.one(self.st.campaign_ref_by_key, {"key": key})
            if ref is None:
                raise CampaignNotFound(key)
            cid, version = ref["id"], ref["definition_version"]
        else:
            cid = key
            if version is None:
                version = tx.scalar(self.st.campaign_version, {"id": cid})
                if version is None:
                    raise CampaignNotFound(cid)
        camp = self.campaigns.get(cid)
        if camp is not None and camp.view.definition_version == version:
            return camp
        return self.load_campaign(tx, cid)

    def load_campaign(self, tx: Tx, cid: int, *, cache: bool = True) -> Campaign:
        """The campaign ``cid`` read from the database (cached unless ``cache`` is False: a
        campaign written in a transaction not yet committed)."""
        st = self.st
        if self.loaded_years.fingerprint is None:  # the loaded calendar years, read on first use
            read_loaded(tx, self.cal_st, self.loaded_years)
        row = tx.one(st.campaign, {"id": cid})
        if row is None:
            raise CampaignNotFound(cid)
        recorded = recorded_digest(tx.one(st.definition_event, {"cid": cid}))
        # (A row without its whole definition is a database from step 1: it keeps running on its
        # columns; `audit verify` reports it when the chain says it had one.)
        if recorded is not None and row["definition_json"] is not None and recorded != definition_digest(row):
            # The stored definition is what decides who may do what: one edited behind the
            # engine's back (a unit allowed to close its own items) is never obeyed.
            raise StorageError(
                f"专项行动 {row['key']} 存储的实施方案与审计记录中的哈希不符 (已被改动), 拒绝按其运行;"
                " 请用 zhenggai audit verify 核查并从备份恢复"
            )
        lifecycle = self.compiled(row["lifecycle_json"])
        stored = row["definition_json"]
        setup = CampaignSetup.model_validate_json(stored) if stored is not None else None
        units = tx.all(st.units, {"cid": cid})
        camp = Campaign(
            id=cid,
            key=row["key"],
            view=CampaignView(
                id=cid,
                key=row["key"],
                title=row["title"],
                county=row["county"],
                definition_id=row["definition_id"],
                definition_version=row["definition_version"],
                timezone=row["timezone"],
            ),
            tz=zoneinfo.ZoneInfo(row["timezone"]),
            lifecycle=lifecycle,
            roles={r["id"]: RoleSpec(**r) for r in json.loads(row["roles_json"])},
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
            tracks={t["key"]: t["name"] for t in tx.all(st.tracks, {"cid": cid})},
            documents=self.compiled(setup.documents.lifecycle.model_dump_json())
            if setup is not None and setup.documents is not None
            else None,
            document_ladder=next((x for x in setup.ladders if x.id == setup.documents.ladder), None)
            if setup is not None and setup.documents is not None
            else None,
        )
        if cache:
            self.remember(camp)
        return camp

    def cached(self, key: str | int) -> Campaign | None:
        """The campaign as this engine last read it (by key or id), without reading the
        database; None when it has not read it."""
        if isinstance(key, int):
            return self.campaigns.get(key)
        return next((camp for camp in list(self.campaigns.values()) if camp.key == key), None)

    def remember(self, camp: Campaign) -> None:
        """Cache a campaign read from committed data (keyed by id; see :meth:`campaign`)."""
        with self.lock:
            self.campaigns[camp.id] = camp

    def compiled(self, lifecycle_json: str) -> CompiledLifecycle:
        """One CompiledLifecycle (one Machine) per distinct lifecycle, shared by all items."""
        with self.lock:
            compiled = self.lifecycles.get(lifecycle_json)
            if compiled is None:
                compiled = CompiledLifecycle(LifecycleSpec.model_validate_json(lifecycle_json))
                self.lifecycles[lifecycle_json] = compiled
            return compiled

    def load_item(self, db: Tx | Connection, item_id: int) -> ItemRow:
        """The item row ``item_id``; ItemNotFound else."""
        check_id("item_id", item_id, "问题")
        tx = db if isinstance(db, Tx) else Tx.on(db)
        row = tx.one(self.st.item, {"id": item_id})
        if row is None:
            raise ItemNotFound(item_id)
        return row

    def load_duty(self, tx: Tx, duty_id: int) -> DutyRow:
        """The duty occurrence ``duty_id``; DutyNotFound else."""
        check_id("duty_id", duty_id, "职责")
        row = tx.one(self.st.duty, {"id": duty_id})
        if row is None:
            raise DutyNotFound(duty_id)
        return row

    def load_document(self, tx: Tx, document_id: int) -> DocumentRow:
        """The document row ``document_id``; DocumentNotFound else."""
        check_id("document_id", document_id, "文件")
        row = tx.one(self.st.document, {"id": document_id})
        if row is None:
            raise DocumentNotFound(document_id)
        return row
