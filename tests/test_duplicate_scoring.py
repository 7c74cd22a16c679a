"""关联研判's scoring loop (``_reports.score_candidates``, issue 19) against the plain definition:
the better of the titles' and the whole texts' Jaccard similarity of bigram sets, flagged at
:data:`DUPLICATE_THRESHOLD`, best first, at most :data:`DUPLICATE_FLAGS`. The loop skips a pair
whose sizes alone keep it under the threshold; these tests hold that the skip changes nothing,
float for float, on generated texts (small alphabets, so near and exact duplicates are common)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from zhenggai.engine._reports import (
    DUPLICATE_FLAGS,
    DUPLICATE_THRESHOLD,
    GramCache,
    _jaccard,
    score_candidates,
    texts_of,
)


def reference(new: tuple[str, str], others: list[tuple[int, tuple[str, str]]]) -> list[tuple[int, float]]:
    """Every pair scored in full, as 关联研判 was defined before the loop was made faster."""
    title, text = texts_of(*new)[:2]
    scored = []
    for cid, (other_title, other_description) in others:
        other_title_grams, other_text_grams = texts_of(other_title, other_description)[:2]
        score = max(_jaccard(title, other_title_grams), _jaccard(text, other_text_grams))
        if score >= DUPLICATE_THRESHOLD:
            scored.append((cid, round(score, 3)))
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    return scored[:DUPLICATE_FLAGS]


# Few characters (some of them noise the bigrams leave out), so texts often share most bigrams
# and their sizes often sit right at the threshold's ratio.
_text = st.text(alphabet="整改窗口审批超时a1 ，。", max_size=14)
_item = st.tuples(_text, _text)


@settings(max_examples=400, deadline=None)
@given(new=_item, others=st.lists(_item, max_size=12))
def test_scoring_is_the_full_jaccard_of_every_pair(
    new: tuple[str, str], others: list[tuple[str, str]]
) -> None:
    numbered = list(enumerate(others, 1))
    got = score_candidates(texts_of(*new), [(cid, texts_of(*pair)) for cid, pair in numbered])
    assert got == reference(new, numbered)


@settings(max_examples=300, deadline=None)
@given(new=_item, start=st.integers(0, 28), end=st.integers(0, 28), split=st.integers(0, 28))
def test_parts_of_a_text_score_as_in_full(new: tuple[str, str], start: int, end: int, split: int) -> None:
    """The other item's text a piece of the new one's (its bigrams a subset, so the score is
    the sizes' ratio), cut anywhere into title and description."""
    piece = (new[0] + new[1])[start:end]
    other = (piece[:split], piece[split:])
    assert score_candidates(texts_of(*new), [(1, texts_of(*other))]) == reference(new, [(1, other)])


@settings(max_examples=200, deadline=None)
@given(title=st.text(alphabet="整改窗口审批超时限", min_size=2, max_size=12), cut=st.integers(0, 12))
def test_sizes_at_the_threshold_are_not_skipped(title: str, cut: int) -> None:
    """A title and a shortened copy: their similarity is exactly their sizes' ratio, so whether
    the pair is flagged turns on the bound alone (the case where a strict or a loose
    comparison would differ)."""
    shorter = title[: max(len(title) - cut, 0)]
    # Descriptions with nothing in common, so the titles decide.
    new, other = (title, "甲乙丙丁戊己"), (shorter, "子丑寅卯辰巳")
    assert score_candidates(texts_of(*new), [(1, texts_of(*other))]) == reference(new, [(1, other)])


def test_a_pair_three_fifths_alike_is_flagged_and_one_less_is_not() -> None:
    # Titles of 5 bigrams against 3 of them: 3/5 = 0.6, at the threshold; 2 of them: 0.4. The
    # descriptions share nothing, so the whole texts stay far below and the titles decide.
    five = texts_of("一二三四五六", "甲乙丙丁戊己庚辛")
    assert score_candidates(five, [(7, texts_of("一二三四", "子丑寅卯辰巳午未"))]) == [(7, 0.6)]
    assert score_candidates(five, [(7, texts_of("一二三", "子丑寅卯辰巳午未"))]) == []
    # The same with the roles turned: the whole texts decide.
    # 甲乙 and 丙丁 share nothing; the texts share 9 of 13 bigrams (0.692), or 5 of 13 (0.385).
    body = texts_of("甲乙", "一二三四五六七八九十")
    assert score_candidates(body, [(7, texts_of("丙丁", "一二三四五六七八九十"))]) == [(7, 0.692)]
    assert score_candidates(body, [(7, texts_of("丙丁", "一二三四五六"))]) == []
    # Texts of 10 bigrams against 6 of them (a part of the first): 0.6, the sizes' ratio
    # exactly, while the titles share nothing.
    whole = texts_of("甲乙", "一二三四五六七八九")
    assert score_candidates(whole, [(7, texts_of("一二", "三四五六七"))]) == [(7, 0.6)]
    assert score_candidates(whole, [(7, texts_of("一二", "三四五六"))]) == []


def test_at_most_three_flags_best_first_then_by_id() -> None:
    new = texts_of("窗口审批超时限", "")
    same = texts_of("窗口审批超时限", "")
    near = texts_of("窗口审批超时", "")
    got = score_candidates(new, [(5, near), (9, same), (2, same), (4, same), (3, near)])
    assert got == [(2, 1.0), (4, 1.0), (9, 1.0)]


def test_the_cache_keeps_sizes_with_the_sets_and_forgets_when_full() -> None:
    cache = GramCache(size=2)
    texts = cache.put(1, "窗口审批", "超时")
    assert texts == texts_of("窗口审批", "超时")
    assert texts[2] == len(texts[0]) == 3 and texts[3] == len(texts[1]) == 5
    cache.put(2, "甲乙", "")
    cache.put(3, "丙丁", "")  # full: forgets what it held, keeps the newest
    assert cache.get(1) is None and cache.get(3) == texts_of("丙丁", "")
