"""The built-in plan says what the county's plan says, in its words (issue 16, point 6, begun):
the text of the plan (``tests/data/plan_county_2023.txt``, a copy of the seed the built-in
definition encodes) is read, and the definition's names are looked up in it verbatim."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from zhenggai.workflows import load_setup

PLAN = (Path(__file__).parent / "data" / "plan_county_2023.txt").read_text(encoding="utf-8")
#: Where the county's plan lies beside a working copy (not in a clean checkout, hence the copy).
SEED = Path(__file__).parents[2] / "shared" / "seed" / "000_fe03aabdc4fbb555.txt"


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed lies beside a working copy only")
def test_the_copy_is_the_plan() -> None:
    """tests/data holds the seed as it is, so every test below reads the county's own words."""
    assert SEED.read_text(encoding="utf-8") == PLAN


def _track_headings() -> list[str]:
    """三、(一)…(六): the name each track heading gives after 开展, e.g. “股梗阻”专项整治."""
    return re.findall(r"^（?\(?[一二三四五六]\)?）?聚焦[^,，]+[,，]开展(.+?专项整治)。", PLAN, re.MULTILINE)


def test_the_plan_names_six_tracks() -> None:
    """(So the tests below can fail.) The headings are found, in the plan's order."""
    assert _track_headings() == [
        "“股梗阻”专项整治",
        "“新官不理旧账”专项整治",
        "工程领域专项整治",
        "要素保障专项整治",
        "政务服务专项整治",
        "法治保障专项整治",
    ]


@pytest.mark.parametrize("definition", ["county_2023"])
def test_every_track_is_named_as_the_plan_names_it(definition: str) -> None:
    setup = load_setup(definition)
    assert [t.name for t in setup.tracks] == _track_headings()
    for track in setup.tracks:
        assert track.group == f"{track.name}工作组"


def _phase_headings() -> list[tuple[str, tuple[int, int] | None, tuple[int, int]]]:
    """四、(一)…(四): each phase's name, and its first and last day as (month, day); the first
    phase gives only its last day (6月30日前)."""
    found = []
    for name, span in re.findall(r"^\([一二三四]\)(\S+?阶段)\((.+?)\)\s*$", PLAN, re.MULTILINE):
        days = [(int(m), int(d)) for m, d in re.findall(r"(\d+)月(\d+)日", span)]
        found.append((name, days[0] if len(days) == 2 else None, days[-1]))
    return found


def test_every_phase_is_named_and_dated_as_the_plan_says() -> None:
    headings = _phase_headings()
    assert [name for name, _, _ in headings] == [
        "动员部署阶段",
        "问题查摆阶段",
        "整改落实阶段",
        "巩固提升阶段",
    ]
    setup = load_setup("county_2023")
    assert [p.name for p in setup.phases] == [name for name, _, _ in headings]
    for phase, (_, first, last) in zip(setup.phases, headings, strict=True):
        assert (phase.end.month, phase.end.day) == last, phase.name
        if first is not None:
            assert (phase.start.month, phase.start.day) == first, phase.name


#: The plan's words for the definition's unit selectors.
SELECTOR_WORDS = {"all_units": "各地各单位", "county_units": "县直有关单位"}


def _track_units() -> list[list[str]]:
    """三、(一)…(六): each track's 〔责任单位:…〕, in the plan's order."""
    return [units.split("、") for units in re.findall(r"〔责任单位[:：](.+?)〕", PLAN)]


@pytest.mark.parametrize("definition", ["county_2023"])
def test_every_track_lists_its_units_as_the_plan_does(definition: str) -> None:
    """Each track's responsible units, named and ordered as the plan prints them (the first is
    the lead unit), 各地各单位 and 县直有关单位 included as the selectors they stand for."""
    setup = load_setup(definition)
    names = {u.id: u.name for u in setup.units} | SELECTOR_WORDS
    listed = _track_units()
    assert len(listed) == 6 and listed[0] == ["县纪委县监委", "县委办", "县政府办", "各地各单位"]
    assert [[names[u] for u in track.units] for track in setup.tracks] == listed


def test_the_named_units_outside_the_tracks_are_the_plans() -> None:
    """Units the plan names elsewhere: 二、(一) 部门联动's sources and where they are moved
    (移送), 五、(一) the office's seat, 五、(三) the publicity department, 五、(四) the units
    the supervision teams are drawn from and the one that leads them."""
    setup = load_setup("county_2023")
    names = {u.id: u.name for u in setup.units}
    referral = next(c for c in setup.channels if c.id == "department_referral")
    assert referral.transfer_to is not None
    assert f"并及时向{names[referral.transfer_to]}移送" in PLAN
    assert f"下设办公室(设在{names[setup.leading_group.office_unit]})" in PLAN
    rule = setup.supervision
    assert rule is not None
    assert f"由{names[rule.lead_unit]}牵头,从{'、'.join(names[u] for u in rule.drawn_from)}等单位抽调" in PLAN
    assert f"抽调{rule.members}人成立{rule.teams}个督查工作组" in PLAN


#: Channels the county adds that the plan does not name (县定): 领导批示交办, which issue 17 asks
#: for (items that start from a leader's instruction); they belong to none of its mechanisms.
COUNTY_CHANNELS = {"leader_instruction"}


def test_every_channel_and_mechanism_is_the_plans_words() -> None:
    """二、(一)(三), 四、(二), 五、(四): each intake channel's label, and each part of the mechanism
    it belongs to (信息收集机制·部门联动), appear in the plan as printed."""
    setup = load_setup("county_2023")
    for channel in setup.channels:
        if channel.id in COUNTY_CHANNELS:
            assert channel.label not in PLAN and channel.mechanism is None, channel.id
            continue
        assert channel.label in PLAN, channel.id
        assert channel.mechanism is not None, channel.id
        for part in channel.mechanism.split("·"):
            assert part in PLAN, (channel.id, part)
    mechanisms = {c.mechanism.split("·")[0] for c in setup.channels if c.mechanism}
    assert {"信息收集机制", "跟踪问效机制", "严格督查问效"} <= mechanisms
    for name in ("部门联动", "外部联络", "关联研判"):  # 实行“三联”制, 即: …
        assert any(c.mechanism == f"信息收集机制·{name}" for c in setup.channels), name
