"""The built-in plan says what the county's plan says, in its words (issue 16, point 6, begun):
the text of the plan (``tests/data/plan_county_2023.txt``, a copy of the seed the built-in
definition encodes) is read, and the definition's names are looked up in it verbatim."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from zhenggai.workflows import load_setup

PLAN = (Path(__file__).parent / "data" / "plan_county_2023.txt").read_text(encoding="utf-8")


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
