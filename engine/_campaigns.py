"""Campaigns: starting one from a definition, moving it to a new version, and reading what it runs on."""

from __future__ import annotations

import json
import zoneinfo

from sqlalchemy import select
from zhenggai.workflows.schema import CampaignSetup, LifecycleSpec

from . import _roster
from ._access import check_actor_against
from ._admin_statements import STRANDED_COLUMNS
from ._campaign_steps import arm_campaign_steps
from ._duty_steps import arm_duties
from ._late_start import settle_before_start
from ._raw import Tx
from ._runtime import Runtime
from ._statements import CAMPAIGN
from ._timekeeping import check_definition
from ._writes import Campaign, append_event
from .audit import GENESIS, definition_digest
from .errors import DefinitionError, InvalidInputError
from .views import Actor, CampaignInfo, CampaignView


def start_campaign(rt: Runtime, setup: CampaignSetup, *, key: str | None = None) -> CampaignView:
    key = (key or setup.definition_id).strip()
    if not key or len(key) > 100:
        raise InvalidInputError("key", "专项行动标识须为 1-100 个字符")
    check_definition(rt, setup)
    try:
        zoneinfo.ZoneInfo(setup.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as err:
        raise InvalidInputError("timezone", f"未知时区 {setup.timezone}") from err
    now = rt.now()
    st = rt.st
    with rt.store.transaction() as tx:
        if tx.one(st.campaign_id_by_key, {"key": key}) is not None:
            raise InvalidInputError("key", f"专项行动 {key} 已存在")
        stored = stored_definition(setup)
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
                {
                    "campaign_id": cid,
                    "key": track.id,
                    "name": track.name,
                    "unit_keys_json": json.dumps(track.units),
                },
            )
        tx.run(st.head_insert, {"campaign_id": cid, "seq": 0, "hash": GENESIS})
        # Not cached until committed: a rolled-back start must leave no campaign behind.
        camp = rt.load_campaign(tx, cid, cache=False)
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
    rt.remember(camp)
    return camp.view


def migrate_campaign(rt: Runtime, campaign: str | int, setup: CampaignSetup, actor: Actor) -> CampaignView:
    check_definition(rt, setup)
    now = rt.now()
    st, ad = rt.st, rt.admin
    with rt.store.transaction() as tx:
        camp = rt.campaign(tx, campaign)
        if setup.definition_id != camp.view.definition_id:
            wrong = f"按实施方案 {camp.view.definition_id} 运行, 不能改用 {setup.definition_id}"
            raise DefinitionError([f"definition_id: 专项行动 {camp.key} {wrong}"])
        if setup.definition_version == camp.view.definition_version:
            raise DefinitionError([f"version: 专项行动 {camp.key} 已是版本 {setup.definition_version}"])
        check_actor_against(setup, actor)
        stranded = stranded_items(rt, tx, camp, setup)
        if stranded:
            raise DefinitionError(stranded)
        stored = stored_definition(setup)
        tx.run(
            ad.campaign_migrate,
            {"cid": camp.id, "definition_version": setup.definition_version, "title": setup.title, **stored},
        )
        added_units = [u for u in setup.units if u.id not in camp.unit_ids]
        for unit in setup.units:
            if unit.id in camp.unit_ids:
                tx.run(ad.unit_update, {"id": camp.unit_ids[unit.id], "name": unit.name, "kind": unit.kind})
            else:
                tx.run(
                    st.unit_insert,
                    {"campaign_id": camp.id, "key": unit.id, "name": unit.name, "kind": unit.kind},
                )
        for track in setup.tracks:
            values = {"name": track.name, "unit_keys_json": json.dumps(track.units)}
            if track.id in camp.tracks:
                tx.run(ad.track_update, {"cid": camp.id, "key": track.id, **values})
            else:
                tx.run(st.track_insert, {"campaign_id": camp.id, "key": track.id, **values})
        contacts_added = _roster.seed_new_version(tx, st, ad, camp.id, setup, now)
        append_event(
            tx,
            st,
            camp.id,
            item_id=None,
            trigger="migrate_campaign",
            from_state=None,
            to_state=None,
            actor=actor,
            at=now,
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
        updated = rt.load_campaign(tx, camp.id, cache=False)
    rt.remember(updated)
    return updated.view


def campaign(rt: Runtime, key: str | int) -> CampaignView:
    with rt.store.read() as conn:
        return rt.campaign(conn, key).view


def campaigns(rt: Runtime, *, cached: bool = False) -> list[CampaignView]:
    known = sorted(rt.campaigns.items()) if cached else []
    if known:
        return [camp.view for _, camp in known]
    with rt.store.read() as conn:
        ids = conn.execute(select(CAMPAIGN.c.id).order_by(CAMPAIGN.c.id)).scalars().all()
        return [rt.campaign(conn, cid).view for cid in ids]


def units(rt: Runtime, campaign: str | int) -> list[tuple[str, str]]:
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
    return _units_of(camp)


def _units_of(camp: Campaign) -> list[tuple[str, str]]:
    return [(camp.unit_keys[uid], camp.unit_names[uid]) for uid in sorted(camp.unit_keys)]


def campaign_info(rt: Runtime, campaign: str | int, *, cached: bool = False) -> CampaignInfo:
    camp = rt.cached(campaign) if cached else None
    if camp is None:
        with rt.store.read() as conn:
            camp = rt.campaign(conn, campaign)
    return CampaignInfo(
        view=camp.view,
        lifecycle=camp.lifecycle.spec,
        definition=camp.setup,
        units=tuple(_units_of(camp)),
        tracks=tuple(camp.tracks.items()),
    )


def tracks(rt: Runtime, campaign: str | int) -> list[tuple[str, str]]:
    with rt.store.read() as conn:
        camp = rt.campaign(conn, campaign)
    return list(camp.tracks.items())


def lifecycle(rt: Runtime, campaign: str | int) -> LifecycleSpec:
    with rt.store.read() as conn:
        return rt.campaign(conn, campaign).lifecycle.spec


def definition(rt: Runtime, campaign: str | int) -> CampaignSetup | None:
    with rt.store.read() as conn:
        return rt.campaign(conn, campaign).setup


def stranded_items(rt: Runtime, tx: Tx, camp: Campaign, setup: CampaignSetup) -> list[str]:
    """What the campaign's items use that ``setup`` no longer has: states, tracks, channels,
    severities, responsible units. One line per missing thing, with a count and the first item."""
    known_values = {
        "state": ({s.id for s in setup.lifecycle.states}, "lifecycle.states", "状态"),
        "track": ({t.id for t in setup.tracks}, "tracks", "专项"),
        "channel": ({c.id for c in setup.channels}, "channels", "来源渠道"),
        "severity": ({s.id for s in setup.severities}, "severities", "问题程度"),
    }
    units = {u.id for u in setup.units}
    problems: list[str] = []
    for column in STRANDED_COLUMNS:
        known, path, label = known_values[column]
        for r in tx.all(rt.admin.stranded[column], {"cid": camp.id}):
            if r["value"] not in known:
                problems.append(
                    f"{path}: 新版本没有{label} {r['value']}, 仍有 {r['count']} 个问题使用 (如问题 {r['first']})"
                )
    for r in tx.all(rt.admin.stranded_units, {"cid": camp.id}):
        unit_key = camp.unit_keys[r["value"]]
        if unit_key not in units:
            group = next((g for g in setup.unit_groups if g.id == unit_key), None)
            became = f" (新版本中 {unit_key} 是单位组「{group.name}」, 不是单位)" if group else ""
            problems.append(
                f"units: 新版本没有单位 {unit_key}{became}, 仍有 {r['count']} 个问题由其负责 (如问题 {r['first']}):"
                " 请先将这些问题改派给具体单位"
            )
    return problems


def stored_definition(setup: CampaignSetup) -> dict[str, str]:
    """The columns of a campaign row that hold its definition, as stored and hashed."""
    return {
        "lifecycle_json": setup.lifecycle.model_dump_json(),
        "roles_json": json.dumps([r.model_dump() for r in setup.roles], ensure_ascii=False),
        "channels_json": json.dumps([c.id for c in setup.channels]),
        "definition_json": setup.model_dump_json(),
    }
