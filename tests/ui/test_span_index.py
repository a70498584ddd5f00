"""The open set's span index, and review's reach among its candidates: lookups by offset agree
with a scan of every span, long spans (quotes of thousands of characters) included, after any
sequence of adds and removes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.model import Span
from annotator.ui.viewmodels.spans import SpanIndex, SpanKeys, _key

TEXT_LENGTH = 3_000
TEXT = "ب" * TEXT_LENGTH


def span(start: int, length: int, label: str, span_id: int) -> Span:
    end = min(TEXT_LENGTH, start + length)
    return Span(start=start, end=end, label=label, text=TEXT[start:end], id=span_id)


spans = st.builds(span, st.integers(0, TEXT_LENGTH - 2),
                  st.one_of(st.integers(1, 20), st.integers(60, 70), st.integers(200, 2_500)),
                  st.sampled_from(["actor", "quote"]), st.integers(1, 10**6))


def scan(every: list[Span], start: int, end: int) -> list[Span]:
    return sorted((s for s in every if s.start < end and s.end > start), key=_key)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(first=st.lists(spans, max_size=40, unique_by=lambda s: s.id),
       later=st.lists(spans, max_size=20, unique_by=lambda s: s.id),
       removed=st.lists(st.integers(0, 59), max_size=15),
       queries=st.lists(st.tuples(st.integers(0, TEXT_LENGTH - 1), st.integers(1, 120)),
                        min_size=1, max_size=25))
def test_overlapping_is_a_scan_of_every_span_in_text_order(
        first: list[Span], later: list[Span], removed: list[int],
        queries: list[tuple[int, int]]) -> None:
    index = SpanIndex(first)
    for item in later:
        index.add(item)
    kept = {s.id: s for s in first}
    kept.update({s.id: s for s in later})
    ids = sorted(kept)
    for n in removed:
        if n < len(ids) and ids[n] in kept:
            index.remove(ids[n] or 0)
            del kept[ids[n]]
    every = list(kept.values())
    assert index.all() == sorted(every, key=_key)
    for start, width in queries:
        end = min(TEXT_LENGTH, start + width)
        assert index.overlapping(start, end) == scan(every, start, end)
        assert index.at(start) == scan(every, start, start + 1)
    # by key (a set holds one span of a key; here several may share one: any of them)
    keys = SpanKeys(index)
    by_key: dict[tuple[int, int, str], set[int]] = {}
    for s in every:
        by_key.setdefault((s.start, s.end, s.label), set()).add(s.id or 0)
    for key, found in by_key.items():
        assert key in keys and keys[key] in found and index.id_of(*key) in found
    for start, width in queries:                           # keys nobody has
        key = (start, start + width, "location")
        assert key not in keys and index.id_of(*key) is None
    assert len(keys) == len(every) and sorted(keys) == sorted(
        (s.start, s.end, s.label) for s in every)


def test_a_long_span_is_found_far_from_its_start_and_forgotten_when_removed() -> None:
    quote = span(10, 2_500, "quote", 1)
    word = span(2_000, 5, "actor", 2)
    index = SpanIndex([quote, word])
    assert index.overlapping(2_001, 2_003) == [quote, word]
    assert index.at(2_509) == [quote] and index.at(2_510) == []
    index.remove(1)
    assert index.overlapping(2_001, 2_003) == [word]
    index.add(span(1_000, 300, "quote", 3))
    assert [s.id for s in index.overlapping(1_250, 2_001)] == [3, 2]
    keys = SpanKeys(index)
    assert keys[(1_000, 1_300, "quote")] == 3 and keys.get((10, 2_510, "quote")) is None
    with pytest.raises(KeyError):
        keys[(2_000, 2_005, "quote")]                      # the actor's offsets, another label


@settings(max_examples=150, deadline=None, derandomize=True)
@given(found=st.lists(spans, max_size=60),
       queries=st.lists(st.tuples(st.integers(0, TEXT_LENGTH - 1), st.integers(1, 120)),
                        min_size=1, max_size=25))
def test_reviews_reach_finds_every_candidate_a_scan_finds(
        found: list[Span], queries: list[tuple[int, int]]) -> None:
    """ReviewViewModel.marks bisects the sorted candidate keys back by the reach, then adds
    the long candidates from before it: together, every key that overlaps, in key order."""
    from bisect import bisect_left

    from annotator.ui.viewmodels.spans import Reach

    keys = sorted({(s.start, s.end, s.label) for s in found})
    reach = Reach(keys)
    for start, width in queries:
        end = min(TEXT_LENGTH, start + width)
        near = start - reach.short
        candidates = [*reach.long_before(start, near),
                      *range(bisect_left(keys, (near,)), bisect_left(keys, (end,)))]
        assert [i for i in candidates if keys[i][1] > start] == \
            [i for i, (s, e, _) in enumerate(keys) if s < end and e > start]
