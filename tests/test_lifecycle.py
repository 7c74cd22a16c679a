"""The standard lifecycle (workflows/definitions/county_2023.yaml): every trigger succeeds from
each of its source states, and every guard refuses with GuardFailedError naming it.

Runs on SQLite and PostgreSQL (one database per backend for the module, see below).
"""

from __future__ import annotations

import datetime as dt

import pytest
from zhenggai.engine import (
    Actor,
    CampaignView,
    Engine,
    GuardFailedError,
    ItemView,
    TransitionNotAllowedError,
    VirtualClock,
)
from zhenggai.testing import lead_by_name
from zhenggai.workflows import load_setup

UNIT = "housing_construction_bureau"
OTHER_UNIT = "natural_resources_bureau"
DUE = dt.date(2023, 8, 31)

OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
TRACK_LEADER = Actor("赵组长", "track_group_leader")
SUPERVISION = Actor("督查一组", "supervision_team", "organization_department")
BUREAU = Actor("李科长", "responsible", UNIT)


def unit_actor(unit: str) -> Actor:
    return Actor("联络员", "responsible", unit)


# --------------------------------------------------------------------------- item builders


def reported(engine: Engine, campaign: str = "test") -> ItemView:
    return engine.report(
        campaign,
        OFFICE,
        title="施工许可审批超时",
        description="某项目施工许可审批超过承诺时限",
        track="construction",
        channel="hotline",
    )


def assigned(engine: Engine, unit: str = UNIT, campaign: str = "test") -> ItemView:
    return engine.assign(reported(engine, campaign).id, OFFICE, unit=unit, due=DUE)


def rectifying(engine: Engine, unit: str = UNIT) -> ItemView:
    item = assigned(engine, unit)
    measure = engine.add_measure(item.id, unit_actor(unit), text="七个工作日内办结")
    engine.start_rectification(item.id, unit_actor(unit))
    engine.complete_measure(measure.id, unit_actor(unit))
    return engine.item(item.id)


def submitted(engine: Engine, unit: str = UNIT) -> ItemView:
    return engine.submit_for_verification(rectifying(engine, unit).id, unit_actor(unit))


def verified(engine: Engine, unit: str = UNIT) -> ItemView:
    return engine.verify(submitted(engine, unit).id, SUPERVISION)


def closed(engine: Engine, unit: str = UNIT) -> ItemView:
    return engine.close(verified(engine, unit).id, OFFICE)


BUILDERS = {
    "identified": reported,
    "assigned": assigned,
    "rectifying": rectifying,
    "submitted": submitted,
    "verified": verified,
    "closed": closed,
}


def refused_guard(
    engine: Engine, item: ItemView, trigger: str, actor: Actor, **data: object
) -> GuardFailedError:
    """Fire and expect a guard refusal that left the item as it was."""
    with pytest.raises(GuardFailedError) as info:
        engine.fire(item.id, trigger, actor, **data)
    assert engine.item(item.id) == item, "a refused transition changed the item"
    assert info.value.trigger == trigger
    assert info.value.item_id == item.id
    assert info.value.guard in str(info.value)
    return info.value


# One database per backend for the whole module: opening an engine runs the Alembic baseline,
# which on PostgreSQL costs more than the tests themselves. Tests make their own items, so
# they do not depend on each other. Same servers and skip rules as conftest's ``db_url``.


@pytest.fixture(scope="module")
def clock(module_clock: VirtualClock) -> VirtualClock:
    return module_clock


@pytest.fixture(scope="module")
def engine(module_engine: Engine) -> Engine:
    return module_engine


@pytest.fixture(scope="module")
def campaign(engine: Engine) -> CampaignView:
    """The built-in 2023 county plan, started once per module as campaign ``test``."""
    return engine.start_campaign(load_setup("county_2023"), key="test")


pytestmark = pytest.mark.usefixtures("campaign")


# ------------------------------------------------------------------------------------ report


def test_report_starts_in_initial_state_at_version_1(engine: Engine) -> None:
    """A reported item is in the lifecycle's initial state, version 1, with no unit."""
    item = reported(engine)
    assert (item.state, item.version, item.unit, item.due) == ("identified", 1, None, None)
    assert item.state_label == "已查摆"


# ------------------------------------------------------------------------------------ assign


def test_assign_sets_unit_due_and_leading_official(engine: Engine) -> None:
    """assign: identified → assigned, writes unit and due, version + 1; the 领衔领导 comes from
    ``lead_item`` (issue 16), one version more."""
    item = reported(engine)
    engine.assign(item.id, TRACK_LEADER, unit=UNIT, due="2023-08-31")
    after = lead_by_name(engine, item.id, "钱副县长")
    assert (after.state, after.unit, after.due, after.leading_official) == ("assigned", UNIT, DUE, "钱副县长")
    assert after.unit_name == "县住建局"
    assert after.version == item.version + 2


def test_assign_without_unit_fails_has_responsible_unit(engine: Engine) -> None:
    """assign with a due date but no unit is refused by has_responsible_unit."""
    err = refused_guard(engine, reported(engine), "assign", OFFICE, due=DUE)
    assert err.guard == "has_responsible_unit"


def test_assign_without_due_takes_the_definitions_rectification_time(
    engine: Engine, clock: VirtualClock
) -> None:
    """assign without a due date: the built-in plan's 15 working days (30 for 严重), counted from
    the next working day, with the rule in the audit event."""
    today = clock.now().astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    item = engine.assign(reported(engine).id, OFFICE, unit=UNIT)
    assert item.due is not None and item.due > today
    assert engine.events(item.id)[-1].data["due_rule"] == "15 个工作日"
    serious = engine.report(
        "test",
        OFFICE,
        title="拖欠工程款",
        description="拖欠中小企业工程款",
        track="construction",
        channel="hotline",
        severity="critical",
    )
    later = engine.assign(serious.id, OFFICE, unit=UNIT)
    assert later.due is not None and later.due > item.due
    assert engine.events(later.id)[-1].data["due_rule"] == "30 个工作日"
    given = engine.assign(reported(engine).id, OFFICE, unit=UNIT, due=DUE)
    assert given.due == DUE and "due_rule" not in engine.events(given.id)[-1].data


def test_assign_without_due_fails_has_due_when_the_definition_sets_no_time(engine: Engine) -> None:
    """Without deadline rules in the definition, assign with a unit but no due date is refused
    by has_due."""
    setup = load_setup("county_2023")
    engine.start_campaign(
        setup.model_copy(update={"deadlines": None, "ladders": setup.ladders}), key="no_times"
    )
    err = refused_guard(engine, reported(engine, "no_times"), "assign", OFFICE, unit=UNIT)
    assert err.guard == "has_due"


# ------------------------------------------------------------------------ start_rectification


def test_start_rectification_with_a_measure(engine: Engine) -> None:
    """start_rectification: assigned → rectifying once the unit has added a measure."""
    item = assigned(engine)
    engine.add_measure(item.id, BUREAU, text="整改措施")
    assert engine.start_rectification(item.id, BUREAU).state == "rectifying"


def test_start_rectification_without_measure_fails_has_measure(engine: Engine) -> None:
    """start_rectification with no measure is refused by has_measure."""
    err = refused_guard(engine, assigned(engine), "start_rectification", BUREAU)
    assert err.guard == "has_measure"


# -------------------------------------------------------------------- submit_for_verification


def test_submit_for_verification_when_all_measures_done(engine: Engine) -> None:
    """submit_for_verification: rectifying → submitted when every measure is done."""
    item = rectifying(engine)
    assert engine.submit_for_verification(item.id, BUREAU).state == "submitted"


def test_submit_with_an_open_measure_fails_all_measures_done(engine: Engine) -> None:
    """submit_for_verification with one measure still open is refused by all_measures_done."""
    item = rectifying(engine)
    engine.add_measure(item.id, BUREAU, text="第二项措施")
    err = refused_guard(engine, engine.item(item.id), "submit_for_verification", BUREAU)
    assert err.guard == "all_measures_done"


# -------------------------------------------------------------------------------------- verify


def test_verify_by_someone_outside_the_unit_records_time(engine: Engine, clock) -> None:
    """verify: submitted → verified by an outside actor, recording verified_at."""
    item = engine.verify(submitted(engine).id, SUPERVISION)
    assert item.state == "verified"
    assert item.verified_at == clock.now()


def test_verify_by_an_actor_of_the_responsible_unit_fails_actor_outside_unit(engine: Engine) -> None:
    """verify by a supervision team member from the responsible unit is refused by actor_outside_unit."""
    insider = Actor("督查员", "supervision_team", UNIT)
    err = refused_guard(engine, submitted(engine), "verify", insider)
    assert err.guard == "actor_outside_unit"


# --------------------------------------------------------------------------- return_for_rework


@pytest.mark.parametrize("source", ["submitted", "verified"])
def test_return_for_rework_goes_back_to_rectifying(engine: Engine, source: str) -> None:
    """return_for_rework from submitted and from verified → rectifying, verification cleared."""
    item = BUILDERS[source](engine)
    after = engine.return_for_rework(item.id, SUPERVISION, reason="措施未落实到位")
    assert (after.state, after.verified_at) == ("rectifying", None)


def test_return_for_rework_without_reason_fails_has_reason(engine: Engine) -> None:
    """return_for_rework with no reason is refused by has_reason."""
    err = refused_guard(engine, submitted(engine), "return_for_rework", SUPERVISION)
    assert err.guard == "has_reason"


# --------------------------------------------------------------------------------------- close


def test_close_by_office_outside_the_unit_records_sign_off(engine: Engine, clock) -> None:
    """close (销号): verified → closed, recording who signed off and when."""
    item = engine.close(verified(engine).id, OFFICE)
    assert (item.state, item.closed_by, item.closed_at) == ("closed", OFFICE.name, clock.now())


def test_close_by_office_of_the_responsible_unit_fails_actor_outside_unit(engine: Engine) -> None:
    """An office member whose unit is the responsible unit cannot sign the item off."""
    item = verified(engine, unit="discipline_commission")
    err = refused_guard(engine, item, "close", OFFICE)
    assert err.guard == "actor_outside_unit"


# ---------------------------------------------------------------------------- follow_up_review


def test_follow_up_review_reopens_a_closed_item_with_finding(engine: Engine) -> None:
    """follow_up_review (回头看): closed → rectifying, counts the reopen, keeps the finding."""
    item = engine.follow_up_review(closed(engine).id, SUPERVISION, finding="同类问题仍有发生")
    assert (item.state, item.reopen_count, item.last_finding) == ("rectifying", 1, "同类问题仍有发生")
    assert (item.closed_at, item.closed_by, item.verified_at) == (None, None, None)


def test_follow_up_review_without_finding_fails_has_finding(engine: Engine) -> None:
    """follow_up_review with no finding is refused by has_finding."""
    err = refused_guard(engine, closed(engine), "follow_up_review", OFFICE)
    assert err.guard == "has_finding"


def test_reopened_item_can_be_closed_again(engine: Engine) -> None:
    """report → … → close → 回头看 → … → close again: the full cycle of the issue."""
    item = engine.follow_up_review(closed(engine).id, OFFICE, finding="回头看发现反弹")
    engine.submit_for_verification(item.id, BUREAU)
    engine.verify(item.id, TRACK_LEADER)
    item = engine.close(item.id, OFFICE)
    assert (item.state, item.reopen_count) == ("closed", 1)


# ------------------------------------------------------------------------------------ reassign


@pytest.mark.parametrize("source", ["assigned", "rectifying"])
def test_reassign_moves_item_to_another_unit(engine: Engine, source: str) -> None:
    """reassign from assigned and from rectifying → assigned to the new unit, due kept."""
    item = BUILDERS[source](engine)
    after = engine.reassign(item.id, OFFICE, unit=OTHER_UNIT)
    assert (after.state, after.unit, after.due) == ("assigned", OTHER_UNIT, DUE)


def test_reassign_with_new_due_replaces_due(engine: Engine) -> None:
    """reassign with a due date writes the new due date."""
    after = engine.reassign(assigned(engine).id, OFFICE, unit=OTHER_UNIT, due="2023-09-15")
    assert after.due == dt.date(2023, 9, 15)


def test_reassign_to_the_same_unit_fails_unit_changes(engine: Engine) -> None:
    """reassign to the unit already responsible is refused by unit_changes."""
    err = refused_guard(engine, assigned(engine), "reassign", OFFICE, unit=UNIT)
    assert err.guard == "unit_changes"


def test_reassign_without_unit_fails_unit_changes(engine: Engine) -> None:
    """reassign naming no unit is refused by unit_changes."""
    err = refused_guard(engine, assigned(engine), "reassign", OFFICE)
    assert err.guard == "unit_changes"


# ------------------------------------------------------------------------------------- dismiss


@pytest.mark.parametrize("source", ["identified", "assigned", "rectifying", "submitted"])
def test_dismiss_with_reason_is_terminal(engine: Engine, source: str) -> None:
    """dismiss (撤销) from every open state → dismissed, keeping the reason."""
    item = BUILDERS[source](engine)
    after = engine.dismiss(item.id, OFFICE, reason="经核查不属实")
    assert (after.state, after.dismiss_reason) == ("dismissed", "经核查不属实")


def test_dismiss_without_reason_fails_has_reason(engine: Engine) -> None:
    """dismiss with no reason is refused by has_reason."""
    err = refused_guard(engine, reported(engine), "dismiss", OFFICE)
    assert err.guard == "has_reason"


# --------------------------------------------------------------------------------------- merge


@pytest.mark.parametrize("source", ["identified", "assigned", "rectifying", "submitted"])
def test_merge_into_open_survivor(engine: Engine, source: str) -> None:
    """merge from every open state → merged, pointing at the survivor."""
    survivor = reported(engine)
    item = BUILDERS[source](engine)
    after = engine.merge(item.id, OFFICE, survivor_id=survivor.id)
    assert (after.state, after.merged_into) == ("merged", survivor.id)


def test_merge_into_itself_fails_has_open_survivor(engine: Engine) -> None:
    """An item cannot be merged into itself."""
    item = reported(engine)
    err = refused_guard(engine, item, "merge", OFFICE, survivor_id=item.id)
    assert err.guard == "has_open_survivor"


@pytest.mark.parametrize("survivor_state", ["closed", "merged", "dismissed"])
def test_merge_into_finished_item_fails_has_open_survivor(engine: Engine, survivor_state: str) -> None:
    """The survivor must still be open: closed, merged or dismissed survivors are refused."""
    survivor = closed(engine) if survivor_state == "closed" else reported(engine)
    if survivor_state == "merged":
        survivor = engine.merge(survivor.id, OFFICE, survivor_id=reported(engine).id)
    elif survivor_state == "dismissed":
        survivor = engine.dismiss(survivor.id, OFFICE, reason="不属实")
    assert survivor.state == survivor_state
    err = refused_guard(engine, reported(engine), "merge", OFFICE, survivor_id=survivor.id)
    assert err.guard == "has_open_survivor"


def test_merge_into_item_of_another_campaign_fails_has_open_survivor(engine: Engine) -> None:
    """The survivor must belong to the same campaign."""
    engine.start_campaign(load_setup("county_2023"), key="other")
    foreign = reported(engine, campaign="other")
    err = refused_guard(engine, reported(engine), "merge", OFFICE, survivor_id=foreign.id)
    assert err.guard == "has_open_survivor"


def test_merge_without_survivor_fails_has_open_survivor(engine: Engine) -> None:
    """merge naming no survivor is refused by has_open_survivor."""
    err = refused_guard(engine, reported(engine), "merge", OFFICE)
    assert err.guard == "has_open_survivor"


# ------------------------------------------------------------------------------- state checks


@pytest.mark.parametrize(
    ("state", "allowed"), [("closed", ("follow_up_review",)), ("dismissed", ()), ("merged", ())]
)
def test_final_states_allow_only_what_the_lifecycle_says(
    engine: Engine, state: str, allowed: tuple[str, ...]
) -> None:
    """From closed only 回头看 may fire; dismissed and merged are dead ends for every trigger."""
    if state == "closed":
        item = closed(engine)
    elif state == "dismissed":
        item = engine.dismiss(reported(engine).id, OFFICE, reason="不属实")
    else:
        item = engine.merge(reported(engine).id, OFFICE, survivor_id=reported(engine).id)
    with pytest.raises(TransitionNotAllowedError) as info:
        engine.fire(item.id, "assign", OFFICE, unit=UNIT, due=DUE)
    assert (info.value.state, info.value.allowed) == (state, allowed)


def test_each_successful_trigger_adds_exactly_one_to_version(engine: Engine) -> None:
    """Walking the whole lifecycle, every change moves the version up by exactly one."""
    item = reported(engine)
    versions = [item.version]
    item_id = item.id
    measure_id: list[int] = []
    steps = [
        lambda: engine.assign(item_id, OFFICE, unit=UNIT, due=DUE),
        lambda: measure_id.append(engine.add_measure(item_id, BUREAU, text="措施").id),
        lambda: engine.start_rectification(item_id, BUREAU),
        lambda: engine.complete_measure(measure_id[0], BUREAU),
        lambda: engine.submit_for_verification(item_id, BUREAU),
        lambda: engine.verify(item_id, SUPERVISION),
        lambda: engine.return_for_rework(item_id, SUPERVISION, reason="复核不通过"),
        lambda: engine.submit_for_verification(item_id, BUREAU),
        lambda: engine.verify(item_id, SUPERVISION),
        lambda: engine.close(item_id, OFFICE),
        lambda: engine.follow_up_review(item_id, OFFICE, finding="反弹"),
        lambda: engine.reassign(item_id, OFFICE, unit=OTHER_UNIT),
    ]
    for step in steps:
        step()
        versions.append(engine.item(item_id).version)
    assert versions == list(range(1, len(steps) + 2))
