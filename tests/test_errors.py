"""Every refused operation raises the right ZhenggaiError with a clear Chinese message that
names what went wrong, and leaves the database exactly as it was (a full dump of every
``zg_*`` table before and after).

Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, inspect, select
from zhenggai.engine import (
    Actor,
    CampaignNotFound,
    CampaignView,
    ConflictError,
    Engine,
    InvalidInputError,
    ItemNotFound,
    MeasureNotFound,
    PermissionDeniedError,
    Reporter,
    TrackNotFound,
    TransitionNotAllowedError,
    UnitNotFound,
    VirtualClock,
    ZhenggaiError,
)
from zhenggai.engine.models import metadata as MODELS
from zhenggai.workflows import load_setup

UNIT = "housing_construction_bureau"
OTHER_UNIT = "natural_resources_bureau"
DUE = dt.date(2023, 8, 31)
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
BUREAU = Actor("李科长", "responsible", UNIT)
OTHER_BUREAU = Actor("周科长", "responsible", OTHER_UNIT)
CJK = re.compile(r"[\u4e00-\u9fff]")


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ``zg_*`` table in the database (tables the models do not know, such
    as ``zg_alembic_version`` or ones added later, are reflected)."""
    with engine.store.engine.connect() as conn:
        names = sorted(n for n in inspect(conn).get_table_names() if n.startswith("zg_"))
        tables = [
            MODELS.tables[n] if n in MODELS.tables else Table(n, MetaData(), autoload_with=conn)
            for n in names
        ]
        return {
            table.name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
            for table in tables
        }


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


@dataclass
class World:
    """Items in a few states: ``new`` (identified), ``work`` (rectifying, one open measure)."""

    new: int
    work: int
    measure: int
    done_measure: int
    extra: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def world(engine: Engine, campaign: CampaignView) -> World:
    def report() -> int:
        return engine.report(
            "test",
            OFFICE,
            title="审批超时",
            description="审批超过承诺时限",
            track="construction",
            channel="hotline",
        ).id

    new = report()
    work = report()
    engine.assign(work, OFFICE, unit=UNIT, due=DUE)
    done = engine.add_measure(work, BUREAU, text="第一项措施").id
    engine.start_rectification(work, BUREAU)
    engine.complete_measure(done, BUREAU)
    measure = engine.add_measure(work, BUREAU, text="第二项措施").id
    return World(new=new, work=work, measure=measure, done_measure=done)


def report_kwargs(**changes: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "title": "审批超时",
        "description": "审批超过承诺时限",
        "track": "construction",
        "channel": "hotline",
    }
    kwargs.update(changes)
    return kwargs


@dataclass(frozen=True)
class Case:
    id: str
    call: Callable[[Engine, World], object]
    error: type[ZhenggaiError]
    says: tuple[str, ...] = ()  # fragments the message must contain
    attrs: dict[str, Any] = field(default_factory=dict)


def _work_version(e: Engine, w: World) -> int:
    return e.item(w.work).version


CASES = [
    # ----------------------------------------------------------------------- unknown things
    Case(
        "unknown item id on fire",
        lambda e, w: e.fire(9999, "assign", OFFICE, unit=UNIT, due=DUE),
        ItemNotFound,
        ("问题不存在", "9999"),
        {"key": 9999},
    ),
    Case(
        "unknown item id on add_measure",
        lambda e, w: e.add_measure(9999, BUREAU, text="措施"),
        ItemNotFound,
        ("9999",),
    ),
    Case(
        "unknown item id on read_reporter",
        lambda e, w: e.read_reporter(9999, Actor("保管员", "custodian", "discipline_commission")),
        ItemNotFound,
        ("9999",),
    ),
    Case(
        "unknown measure id",
        lambda e, w: e.complete_measure(9999, BUREAU),
        MeasureNotFound,
        ("整改措施不存在", "9999"),
    ),
    Case(
        "item id of the wrong type",
        lambda e, w: e.fire("1", "assign", OFFICE),  # type: ignore[arg-type]
        InvalidInputError,
        ("item_id", "整数"),
        {"field": "item_id"},
    ),
    Case(
        "assign to unknown unit",
        lambda e, w: e.assign(w.new, OFFICE, unit="no_such_unit", due=DUE),
        UnitNotFound,
        ("单位不存在", "no_such_unit"),
    ),
    Case(
        "reassign to unknown unit",
        lambda e, w: e.reassign(w.work, OFFICE, unit="no_such_unit"),
        UnitNotFound,
        ("no_such_unit",),
    ),
    Case(
        "actor of unknown unit",
        lambda e, w: e.add_measure(w.work, Actor("某人", "responsible", "ghost_unit"), text="措施"),
        UnitNotFound,
        ("ghost_unit",),
    ),
    Case(
        "unknown track",
        lambda e, w: e.report("test", OFFICE, **report_kwargs(track="space")),
        TrackNotFound,
        ("专项整治不存在", "space"),
    ),
    Case(
        "unknown channel",
        lambda e, w: e.report("test", OFFICE, **report_kwargs(channel="pigeon")),
        InvalidInputError,
        ("channel", "pigeon", "未知取值"),
        {"field": "channel"},
    ),
    Case(
        "unknown severity",
        lambda e, w: e.report("test", OFFICE, **report_kwargs(severity="apocalyptic")),
        InvalidInputError,
        ("severity", "apocalyptic"),
        {"field": "severity"},
    ),
    Case(
        "unknown campaign key",
        lambda e, w: e.report("nope", OFFICE, **report_kwargs()),
        CampaignNotFound,
        ("专项行动不存在", "nope"),
    ),
    Case(
        "unknown campaign id",
        lambda e, w: e.report(4242, OFFICE, **report_kwargs()),
        CampaignNotFound,
        ("4242",),
    ),
    Case(
        "merge into unknown survivor",
        lambda e, w: e.merge(w.new, OFFICE, survivor_id=9999),
        ItemNotFound,
        ("9999",),
    ),
    # ---------------------------------------------------------------------------- wrong state
    Case(
        "trigger not allowed in state",
        lambda e, w: e.start_rectification(w.new, BUREAU),
        TransitionNotAllowedError,
        ("identified", "start_rectification", "assign", "dismiss", "merge"),
        {"state": "identified", "trigger": "start_rectification", "allowed": ("assign", "dismiss", "merge")},
    ),
    Case(
        "trigger the lifecycle does not know",
        lambda e, w: e.fire(w.new, "teleport", OFFICE),
        TransitionNotAllowedError,
        ("teleport", "identified"),
        {"state": "identified"},
    ),
    Case(
        "verify while rectifying",
        lambda e, w: e.verify(w.work, OFFICE),
        TransitionNotAllowedError,
        ("rectifying", "verify", "submit_for_verification", "reassign", "dismiss", "merge"),
        {"state": "rectifying", "allowed": ("submit_for_verification", "reassign", "dismiss", "merge")},
    ),
    Case(
        "measure on an item without unit",
        lambda e, w: e.add_measure(w.new, OFFICE, text="措施"),
        TransitionNotAllowedError,
        ("identified", "add_measure"),
        {"state": "identified"},
    ),
    # ----------------------------------------------------------------------------- wrong role
    Case(
        "role may not fire the trigger",
        lambda e, w: e.assign(w.new, BUREAU, unit=UNIT, due=DUE),
        PermissionDeniedError,
        ("无权操作", "李科长", "responsible", "assign"),
        {"actor": "李科长", "role": "responsible", "action": "assign"},
    ),
    Case(
        "dismiss by supervision team (office only)",
        lambda e, w: e.fire(w.work, "dismiss", Actor("督查一组", "supervision_team"), reason="不属实"),
        PermissionDeniedError,
        ("督查一组", "supervision_team"),
        {"role": "supervision_team"},
    ),
    Case(
        "unit-bound role acting for another unit's item",
        lambda e, w: e.submit_for_verification(w.work, OTHER_BUREAU),
        PermissionDeniedError,
        ("周科长", "responsible", "本单位"),
        {"actor": "周科长", "role": "responsible"},
    ),
    Case(
        "unit-bound role adding a measure to another unit's item",
        lambda e, w: e.add_measure(w.work, OTHER_BUREAU, text="措施"),
        PermissionDeniedError,
        ("周科长", "responsible", "add_measure"),
        {"action": "add_measure"},
    ),
    Case(
        "unit-bound role completing another unit's measure",
        lambda e, w: e.complete_measure(w.measure, OTHER_BUREAU),
        PermissionDeniedError,
        ("周科长", "complete_measure"),
    ),
    Case(
        "unit-bound role without a unit",
        lambda e, w: e.add_measure(w.work, Actor("无名", "responsible"), text="措施"),
        PermissionDeniedError,
        ("无名", "responsible", "单位"),
    ),
    Case(
        "role the campaign does not have",
        lambda e, w: e.assign(w.new, Actor("县长", "mayor"), unit=UNIT, due=DUE),
        PermissionDeniedError,
        ("县长", "mayor"),
        {"role": "mayor"},
    ),
    Case(
        "role may not report",
        lambda e, w: e.report(
            "test", Actor("保管员", "custodian", "discipline_commission"), **report_kwargs()
        ),
        PermissionDeniedError,
        ("保管员", "custodian", "report"),
    ),
    Case(
        "reporter identity read by non-custodian",
        lambda e, w: e.read_reporter(w.new, OFFICE),
        PermissionDeniedError,
        ("王主任", "leading_group_office", "read_reporter"),
    ),
    # -------------------------------------------------------------------------- stale version
    Case(
        "stale expected_version on fire",
        lambda e, w: e.dismiss(w.work, OFFICE, reason="不属实", expected_version=_work_version(e, w) - 1),
        ConflictError,
        ("已被他人修改", "第 5 版", "第 6 版"),
        {"expected": 5, "actual": 6},
    ),
    Case(
        "future expected_version on fire",
        lambda e, w: e.dismiss(w.new, OFFICE, reason="不属实", expected_version=2),
        ConflictError,
        ("第 2 版", "第 1 版"),
        {"expected": 2, "actual": 1},
    ),
    Case(
        "stale expected_version on add_measure",
        lambda e, w: e.add_measure(w.work, BUREAU, text="措施", expected_version=3),
        ConflictError,
        ("第 3 版", "第 6 版"),
        {"expected": 3, "actual": 6},
    ),
    Case(
        "stale expected_version on complete_measure",
        lambda e, w: e.complete_measure(w.measure, BUREAU, expected_version=5),
        ConflictError,
        ("第 5 版", "第 6 版"),
        {"expected": 5, "actual": 6},
    ),
    # ----------------------------------------------------------------------------------- text
    Case(
        "empty title",
        lambda e, w: e.report("test", OFFICE, **report_kwargs(title="")),
        InvalidInputError,
        ("title", "不能为空"),
        {"field": "title"},
    ),
    Case(
        "whitespace-only title",
        lambda e, w: e.report("test", OFFICE, **report_kwargs(title=" \t\u3000\n ")),
        InvalidInputError,
        ("title", "不能为空"),
        {"field": "title"},
    ),
    Case(
        "title over 200 characters",
        lambda e, w: e.report("test", OFFICE, **report_kwargs(title="超" * 201)),
        InvalidInputError,
        ("title", "过长", "201", "200"),
        {"field": "title"},
    ),
    Case(
        "empty description",
        lambda e, w: e.report("test", OFFICE, **report_kwargs(description="   ")),
        InvalidInputError,
        ("description", "不能为空"),
        {"field": "description"},
    ),
    Case(
        "description over 5000 characters",
        lambda e, w: e.report("test", OFFICE, **report_kwargs(description="长" * 5001)),
        InvalidInputError,
        ("description", "5000"),
        {"field": "description"},
    ),
    Case(
        "title that is not text",
        lambda e, w: e.report("test", OFFICE, **report_kwargs(title=42)),
        InvalidInputError,
        ("title", "文本"),
        {"field": "title"},
    ),
    Case(
        "empty measure text",
        lambda e, w: e.add_measure(w.work, BUREAU, text=""),
        InvalidInputError,
        ("text", "不能为空"),
        {"field": "text"},
    ),
    Case(
        "whitespace-only dismissal reason",
        lambda e, w: e.dismiss(w.new, OFFICE, reason="   "),
        InvalidInputError,
        ("reason", "不能为空"),
        {"field": "reason"},
    ),
    Case(
        "over-long reason",
        lambda e, w: e.dismiss(w.new, OFFICE, reason="很" * 2001),
        InvalidInputError,
        ("reason", "过长"),
        {"field": "reason"},
    ),
    Case(
        "free-text leading official (issue 16: only `item lead` names one)",
        lambda e, w: e.assign(w.new, OFFICE, unit=UNIT, due=DUE, leading_official="领" * 101),
        InvalidInputError,
        ("leading_official", "zhenggai item lead"),
        {"field": "leading_official"},
    ),
    Case(
        "empty actor name",
        lambda e, w: e.assign(w.new, Actor(" ", "leading_group_office"), unit=UNIT, due=DUE),
        InvalidInputError,
        ("actor", "不能为空"),
        {"field": "actor"},
    ),
    Case(
        "over-long reporter name",
        lambda e, w: e.report("test", OFFICE, reporter=Reporter(name="名" * 101), **report_kwargs()),
        InvalidInputError,
        ("reporter.name", "过长"),
        {"field": "reporter.name"},
    ),
    # ----------------------------------------------------------------------------------- dates
    Case(
        "due date in the past",
        lambda e, w: e.assign(w.new, OFFICE, unit=UNIT, due=dt.date(2023, 7, 2)),
        InvalidInputError,
        ("due", "2023-07-02", "早于"),
        {"field": "due"},
    ),
    Case(
        "due date badly formatted",
        lambda e, w: e.assign(w.new, OFFICE, unit=UNIT, due="2023/08/31"),
        InvalidInputError,
        ("due", "YYYY-MM-DD", "2023/08/31"),
        {"field": "due"},
    ),
    Case(
        "due date that does not exist",
        lambda e, w: e.assign(w.new, OFFICE, unit=UNIT, due="2023-02-30"),
        InvalidInputError,
        ("due", "2023-02-30"),
        {"field": "due"},
    ),
    Case(
        "due as a datetime",
        lambda e, w: e.assign(w.new, OFFICE, unit=UNIT, due=dt.datetime(2023, 8, 31, tzinfo=dt.UTC)),
        InvalidInputError,
        ("due", "日期"),
        {"field": "due"},
    ),
    Case(
        "due of the wrong type",
        lambda e, w: e.assign(w.new, OFFICE, unit=UNIT, due=20230831),  # type: ignore[arg-type]
        InvalidInputError,
        ("due", "日期"),
        {"field": "due"},
    ),
    Case(
        "measure due in the past",
        lambda e, w: e.add_measure(w.work, BUREAU, text="措施", due="2023-01-01"),
        InvalidInputError,
        ("due", "早于"),
        {"field": "due"},
    ),
    Case(
        "reassign with past due",
        lambda e, w: e.reassign(w.work, OFFICE, unit=OTHER_UNIT, due="2022-12-31"),
        InvalidInputError,
        ("due",),
        {"field": "due"},
    ),
    # ---------------------------------------------------------------------- unexpected inputs
    Case(
        "input field the trigger does not take",
        lambda e, w: e.fire(w.work, "submit_for_verification", BUREAU, reason="提前"),
        InvalidInputError,
        ("reason", "不接受"),
        {"field": "reason"},
    ),
    Case(
        "input field nobody takes",
        lambda e, w: e.fire(w.new, "assign", OFFICE, unit=UNIT, due=DUE, colour="red"),
        InvalidInputError,
        ("colour", "不接受", "unit", "due"),
        {"field": "colour"},
    ),
    Case(
        "survivor id of the wrong type",
        lambda e, w: e.fire(w.new, "merge", OFFICE, survivor_id="1"),
        InvalidInputError,
        ("survivor_id", "整数"),
        {"field": "survivor_id"},
    ),
    Case(
        "completing a measure twice",
        lambda e, w: e.complete_measure(w.done_measure, BUREAU),
        InvalidInputError,
        ("已完成",),
        {"field": "measure"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_refused_operation_explains_in_chinese_and_changes_nothing(
    engine: Engine, world: World, case: Case
) -> None:
    """The operation raises the expected error, its message is Chinese and names the facts,
    and not one row of any zg_* table changed."""
    before = dump(engine)
    with pytest.raises(case.error) as info:
        case.call(engine, world)
    err = info.value
    message = str(err)
    assert CJK.search(message), message
    for fragment in case.says:
        assert fragment in message, (fragment, message)
    for name, value in case.attrs.items():
        assert getattr(err, name) == value, (name, getattr(err, name))
    assert dump(engine) == before


def test_conflict_names_the_item_and_both_versions(engine: Engine, world: World) -> None:
    """ConflictError carries the item id and the expected and actual versions, also in words."""
    with pytest.raises(ConflictError) as info:
        engine.start_rectification(world.work, BUREAU, expected_version=4)
    assert (info.value.item_id, info.value.expected, info.value.actual) == (world.work, 4, 6)
    assert f"问题 {world.work} " in str(info.value)


def test_dump_sees_every_change(engine: Engine, world: World) -> None:
    """The snapshot helper itself notices a change (so 'unchanged' above means something)."""
    before = dump(engine)
    engine.complete_measure(world.measure, BUREAU)
    after = dump(engine)
    assert after != before
    assert {name for name in after if after[name] != before[name]} == {
        "zg_measure",
        "zg_item",
        "zg_event",
        "zg_audit_head",
    }


def test_text_at_the_limits_is_accepted(engine: Engine, campaign: CampaignView) -> None:
    """A 200-character title and a 5000-character description are still fine (limits inclusive),
    and surrounding whitespace is stripped."""
    item = engine.report(
        "test", OFFICE, **report_kwargs(title="题" * 200, description=" " + "述" * 5000 + " ")
    )
    assert (len(item.title), len(item.description)) == (200, 5000)


def test_due_today_is_accepted(engine: Engine, world: World) -> None:
    """A due date of today (in the campaign's timezone) is not in the past."""
    assert engine.assign(world.new, OFFICE, unit=UNIT, due="2023-07-03").due == dt.date(2023, 7, 3)


def test_every_error_is_a_zhenggai_error_and_a_builtin() -> None:
    """Hosts can catch the root or the matching builtin (LookupError, ValueError)."""
    assert issubclass(ItemNotFound, LookupError) and issubclass(ItemNotFound, ZhenggaiError)
    assert issubclass(UnitNotFound, LookupError)
    assert issubclass(InvalidInputError, ValueError)
    for err in (ConflictError, PermissionDeniedError, TransitionNotAllowedError):
        assert issubclass(err, ZhenggaiError)
