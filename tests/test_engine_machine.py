"""One ``transitions.Machine`` per lifecycle, shared by every item of every campaign using it
(DESIGN "The item lifecycle"): the number of Machine objects does not grow with items."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
import transitions
from zhenggai.engine import Actor, CampaignSetup, Engine, VirtualClock
from zhenggai.testing import DEFAULT_START
from zhenggai.workflows import load_setup

UNIT = "housing_construction_bureau"
OFFICE = Actor("王主任", "leading_group_office", "discipline_commission")
BUREAU = Actor("李科长", "responsible", UNIT)


@pytest.fixture
def built() -> Iterator[list[transitions.Machine]]:
    """Every Machine constructed while the test runs (Machine.__init__ wrapped with a counter)."""
    machines: list[transitions.Machine] = []
    original = transitions.Machine.__init__

    def counting(self: transitions.Machine, *args: object, **kwargs: object) -> None:
        machines.append(self)
        original(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(transitions.Machine, "__init__", counting)
        yield machines


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = Engine(tmp_path / "zhenggai.db", clock=VirtualClock(DEFAULT_START))
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def setup() -> CampaignSetup:
    """The built-in plan with its item lifecycle only: its document review (规范性文件清理) is a
    second lifecycle with a Machine of its own (see the last test)."""
    full = load_setup("county_2023")
    return full.model_copy(
        update={"documents": None, "ladders": [x for x in full.ladders if x.subject != "document"]}
    )


def test_the_document_lifecycle_is_one_more_machine_shared_the_same_way(
    engine: Engine, built: list[transitions.Machine]
) -> None:
    """The full plan compiles two Machines, items' and documents', however many campaigns."""
    engine.start_campaign(load_setup("county_2023"), key="a")
    engine.start_campaign(load_setup("county_2023"), key="b")
    work_through(engine, "a")
    work_through(engine, "b")
    assert len(built) == 2 and all(m.models == [] for m in built)


def work_through(engine: Engine, campaign: str) -> None:
    """One item through assign, measures, rectification, verification, close and 回头看."""
    item = engine.report(
        campaign, OFFICE, title="审批超时", description="审批超时", track="construction", channel="hotline"
    ).id
    engine.assign(item, OFFICE, unit=UNIT, due="2023-08-31")
    measure = engine.add_measure(item, BUREAU, text="措施").id
    engine.start_rectification(item, BUREAU)
    engine.complete_measure(measure, BUREAU)
    engine.submit_for_verification(item, BUREAU)
    engine.verify(item, OFFICE)
    engine.close(item, OFFICE)
    engine.follow_up_review(item, OFFICE, finding="反弹")


def live_machines() -> int:
    gc.collect()
    return sum(isinstance(obj, transitions.Machine) for obj in gc.get_objects())


def test_machine_count_does_not_grow_with_items(
    engine: Engine, setup: CampaignSetup, built: list[transitions.Machine]
) -> None:
    """After 1 item and after 50 more, each fired through nine operations: still one Machine."""
    engine.start_campaign(setup, key="a")
    work_through(engine, "a")
    assert len(built) == 1
    alive = live_machines()
    for _ in range(50):
        work_through(engine, "a")
    assert len(built) == 1
    assert live_machines() == alive


def test_campaigns_with_the_same_lifecycle_share_one_machine(
    engine: Engine, setup: CampaignSetup, built: list[transitions.Machine]
) -> None:
    """Two campaigns started from the same lifecycle use the same Machine."""
    engine.start_campaign(setup, key="a")
    engine.start_campaign(setup, key="b")
    work_through(engine, "a")
    work_through(engine, "b")
    assert len(built) == 1


def test_a_different_lifecycle_gets_its_own_machine(
    engine: Engine, setup: CampaignSetup, built: list[transitions.Machine]
) -> None:
    """A campaign with a different lifecycle compiles a second Machine (one per lifecycle)."""
    engine.start_campaign(setup, key="a")
    data = setup.model_dump()
    data["lifecycle"]["id"] = "variant"
    data["lifecycle"]["states"][0]["label"] = "已发现"
    engine.start_campaign(CampaignSetup.model_validate(data), key="b")
    work_through(engine, "a")
    work_through(engine, "b")
    assert len(built) == 2


def test_machine_holds_no_items(
    engine: Engine, setup: CampaignSetup, built: list[transitions.Machine]
) -> None:
    """The shared Machine is built without models and never gets items added to it."""
    engine.start_campaign(setup, key="a")
    for _ in range(3):
        work_through(engine, "a")
    (machine,) = built
    assert machine.models == []


def test_two_engines_do_not_share_machines(
    tmp_path: Path, setup: CampaignSetup, built: list[transitions.Machine]
) -> None:
    """No module-level state: each Engine object compiles its own lifecycle once."""
    first = Engine(tmp_path / "a.db", clock=VirtualClock(DEFAULT_START))
    second = Engine(tmp_path / "b.db", clock=VirtualClock(DEFAULT_START))
    try:
        for eng in (first, second):
            eng.start_campaign(setup, key="a")
            work_through(eng, "a")
            work_through(eng, "a")
    finally:
        first.dispose()
        second.dispose()
    assert len(built) == 2 and built[0] is not built[1]
