"""Moving a running campaign to a new version of its definition: explicit, checked, audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from zhenggai.adapters.cli import main
from zhenggai.engine import (
    Actor,
    CampaignSetup,
    CampaignView,
    DefinitionError,
    Engine,
    InvalidInputError,
    PermissionDeniedError,
    StateSpec,
    TrackSpec,
    UnitSpec,
    VirtualClock,
)
from zhenggai.workflows import load_setup
from zhenggai.workflows.schema import SeveritySpec

UNIT = "housing_construction_bureau"


def _item(engine: Engine, actors: type, state: str = "assigned") -> int:
    item = engine.report(
        "test",
        actors.office,
        title="审批超时",
        description="施工许可审批超时",
        track="construction",
        channel="hotline",
    ).id
    if state != "identified":
        engine.assign(item, actors.office, unit=UNIT, due="2023-08-15")
    return item


def _v2(**changes: object) -> CampaignSetup:
    base = load_setup("county_2023")
    return base.model_copy(update={"definition_version": "2023.2", **changes})


def test_new_version_adds_units_tracks_and_labels(
    engine: Engine, campaign: CampaignView, actors: type, db_url: str, clock: VirtualClock
) -> None:
    """A new version with a new unit, a new track and a relabelled state is taken over; items
    keep their states, the new unit can be assigned, another engine on the same database sees
    the new version, and the move is one audit event."""
    item = _item(engine, actors)
    other = Engine(db_url, clock=clock)
    try:
        assert other.item(item).state_label == "已交办"  # caches version 2023.1
        base = load_setup("county_2023")
        states = [
            s if s.id != "assigned" else StateSpec(id="assigned", label="已交办(待签收)")
            for s in base.lifecycle.states
        ]
        setup = _v2(
            units=[*base.units, UnitSpec(id="energy_bureau", name="县能源局")],
            tracks=[
                *base.tracks,
                TrackSpec(id="energy_supply", name="能源保障专项整治", units=["energy_bureau"]),
            ],
            lifecycle=base.lifecycle.model_copy(update={"states": states}),
        )
        view = engine.migrate_campaign("test", setup, actors.office)
        assert view.definition_version == "2023.2"
        assert other.item(item).state_label == "已交办(待签收)"
        assert other.campaign("test").definition_version == "2023.2"
        fresh = engine.report(
            "test",
            actors.office,
            title="供能不稳定",
            description="企业反映停电频繁",
            track="energy_supply",
            channel="hotline",
        ).id
        assigned = other.assign(fresh, actors.office, unit="energy_bureau", due="2023-08-31")
        assert (assigned.unit_name, assigned.track_name) == ("县能源局", "能源保障专项整治")
        moved = [e for e in engine.events(campaign="test") if e.trigger == "migrate_campaign"]
        assert len(moved) == 1 and moved[0].data["to_version"] == "2023.2"
        assert moved[0].data["units_added"] == ["energy_bureau"]
        assert engine.verify_audit("test").ok
    finally:
        other.dispose()


def test_version_that_strands_items_is_refused_whole(
    engine: Engine, campaign: CampaignView, actors: type
) -> None:
    """Dropping a state, a track and a unit that items still use: every problem listed, nothing changed."""
    _item(engine, actors)
    base = load_setup("county_2023")
    lifecycle = base.lifecycle
    slim = lifecycle.model_copy(
        update={
            "states": [s for s in lifecycle.states if s.id != "assigned"],
            "transitions": [
                t.model_copy(
                    update={
                        "source": [x for x in t.source if x != "assigned"] or ["identified"],
                        "dest": "rectifying" if t.dest == "assigned" else t.dest,
                    }
                )
                for t in lifecycle.transitions
            ],
            "measure_states": ["rectifying"],
        }
    )
    setup = _v2(
        lifecycle=slim,
        ladders=[
            ladder.model_copy(update={"states": [x for x in ladder.states if x != "assigned"]})
            for ladder in base.ladders
        ],
        units=[u for u in base.units if u.id != UNIT],
        # … and from where the unit is named besides its tracks (a key-project service unit).
        unit_groups=[
            g.model_copy(update={"units": [u for u in g.units if u != UNIT]}) for g in base.unit_groups
        ],
        channels=[
            c.model_copy(update={"source_units": [u for u in c.source_units if u != UNIT]})
            for c in base.channels
        ],
        duties=[d.model_copy(update={"units": [u for u in d.units if u != UNIT]}) for d in base.duties],
        tracks=[
            t.model_copy(update={"units": [u for u in t.units if u != UNIT]})
            for t in base.tracks
            if t.id != "construction"
        ],
        outcomes=_without_track_targets(base, "construction"),
    )
    before = (engine.campaign("test"), engine.items("test"), len(engine.events(campaign="test")))
    with pytest.raises(DefinitionError) as err:
        engine.migrate_campaign("test", setup, actors.office)
    text = "\n".join(err.value.problems)
    assert "新版本没有状态 assigned, 仍有 1 个问题使用" in text
    assert "新版本没有专项 construction" in text
    assert f"新版本没有单位 {UNIT}" in text
    assert (engine.campaign("test"), engine.items("test"), len(engine.events(campaign="test"))) == before


def test_severities_of_the_new_version(engine: Engine, campaign: CampaignView, actors: type) -> None:
    """A version that drops a severity items still have is refused; one that renames an unused
    severity and adds another is taken over, kept whole, and new items use its vocabulary."""
    item = _item(engine, actors)
    assert engine.item(item).severity == "normal"
    deadlines = load_setup("county_2023").deadlines
    assert deadlines is not None
    by_track = deadlines.model_copy(update={"rules": [r for r in deadlines.rules if r.severity is None]})
    with pytest.raises(DefinitionError) as err:
        engine.migrate_campaign(
            "test",
            _v2(severities=[SeveritySpec(id="grave", label="重大")], deadlines=by_track),
            actors.office,
        )
    assert err.value.problems == ("severities: 新版本没有问题程度 normal, 仍有 1 个问题使用 (如问题 1)",)
    setup = _v2(
        severities=[SeveritySpec(id="normal", label="一般"), SeveritySpec(id="grave", label="重大")],
        deadlines=by_track,
    )
    engine.migrate_campaign("test", setup, actors.office)
    assert engine.definition("test") == setup
    fresh = engine.report(
        "test",
        actors.office,
        title="拖欠工程款",
        description="拖欠中小企业工程款",
        track="legacy_commitments",
        channel="hotline",
        severity="grave",
    )
    assert fresh.severity == "grave"
    with pytest.raises(InvalidInputError, match="serious"):
        engine.report(
            "test",
            actors.office,
            title="拖欠工程款",
            description="拖欠中小企业工程款",
            track="legacy_commitments",
            channel="hotline",
            severity="serious",
        )


def test_same_version_other_definition_and_wrong_role_are_refused(
    engine: Engine, campaign: CampaignView, actors: type
) -> None:
    """The same version, another definition's file, or a role without migrate_campaign: refused."""
    with pytest.raises(DefinitionError, match=r"已是版本 2023\.1"):
        engine.migrate_campaign("test", load_setup("county_2023"), actors.office)
    with pytest.raises(DefinitionError, match="不能改用 hotline_2024"):
        engine.migrate_campaign("test", load_setup("hotline_2024"), actors.office)
    with pytest.raises(PermissionDeniedError):
        engine.migrate_campaign("test", _v2(), Actor("李科长", "responsible", UNIT))
    assert engine.campaign("test").definition_version == "2023.1"


def test_dropping_an_unused_state_is_allowed(engine: Engine, campaign: CampaignView, actors: type) -> None:
    """A state no item is in may go (here: merge is removed from the lifecycle)."""
    _item(engine, actors)
    lifecycle = load_setup("county_2023").lifecycle
    no_merge = lifecycle.model_copy(
        update={
            "states": [s for s in lifecycle.states if s.id != "merged"],
            "transitions": [t for t in lifecycle.transitions if t.trigger != "merge"],
        }
    )
    assert (
        engine.migrate_campaign("test", _v2(lifecycle=no_merge), actors.office).definition_version == "2023.2"
    )
    assert "merge" not in [t.trigger for t in engine.lifecycle("test").transitions]


def test_cli_campaign_migrate(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """zhenggai campaign migrate moves the campaign once (exit 0) and refuses a repeat (exit 1)."""
    from .test_cli import dated_now, weekends_plan

    text = Path(weekends_plan()).read_text(encoding="utf-8").replace('version: "2023.1"', 'version: "2023.2"')
    v2 = tmp_path / "v2.yaml"
    v2.write_text(text, encoding="utf-8")
    assert main(["--db", db_url, "init", *dated_now()]) == 0  # the plan re-dated to start today
    argv = [
        "--db",
        db_url,
        "campaign",
        "migrate",
        "--campaign",
        "county_2023",
        "--definition",
        str(v2),
        "--actor",
        "王主任",
        "--role",
        "leading_group_office",
    ]
    capsys.readouterr()
    assert main(argv) == 0
    assert "已改用实施方案 county_2023 版本 2023.2 (原版本 2023.1)" in capsys.readouterr().out
    assert main(argv) == 1
    assert "已是版本 2023.2" in capsys.readouterr().err


def _without_track_targets(base: CampaignSetup, track: str) -> object:
    """The plan's outcomes without the 五个一批 targets of ``track`` (a version without the
    track must not keep targets for it)."""
    assert base.outcomes is not None
    targets = base.outcomes.targets
    by_track = {k: v for k, v in targets.by_track.items() if k != track}
    return base.outcomes.model_copy(update={"targets": targets.model_copy(update={"by_track": by_track})})
