"""The suggestions offered on the open document: the position of one among the offered ones and
how many are offered (the status bar's "suggestion 12/62,560") stay what counting them all says,
however the annotator's set and their rejections change. No Qt here."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.suggest import Suggestion, Suggestions
from annotator.services.suggesting import Proposals
from annotator.ui.viewmodels.suggestions import SuggestionLayer


def _layer(count: int, have: set[tuple[int, int, str]]) -> SuggestionLayer:
    spans = tuple(Suggestion(10 * i, 10 * i + 4, "actor", "propagate", 0.8) for i in range(count))
    layer = SuggestionLayer()
    layer.reset(Proposals(Suggestions(spans, ())), have)
    return layer


def _check(layer: SuggestionLayer) -> None:
    offered = layer.offered()
    assert layer.count == len(offered)
    for position, index in enumerate(offered, start=1):
        assert layer.rank(index) == position
    for index in range(len(layer.spans)):
        assert layer.rank(index) == sum(1 for i in offered if i <= index)


@settings(max_examples=120, derandomize=True)
@given(count=st.integers(0, 40), first=st.sets(st.integers(0, 39)),
       changes=st.lists(st.tuples(st.integers(0, 39), st.booleans()), max_size=30))
def test_rank_and_count_are_what_counting_the_offered_ones_says(
        count: int, first: set[int], changes: list[tuple[int, bool]]) -> None:
    have = {(10 * i, 10 * i + 4, "actor") for i in first}
    layer = _layer(count, have)
    _check(layer)
    for index, labeled in changes:
        if index >= count:
            continue
        key = (10 * index, 10 * index + 4, "actor")
        (have.add if labeled else have.discard)(key)
        # the set changed there: what refresh asks is what the set holds near the range
        layer.refresh([(10 * index, 10 * index + 4)],
                      lambda start, end: {k for k in have if k[0] < end and k[1] > start})
        assert layer.is_offered(index) == (not labeled)
        _check(layer)


def test_a_rejected_suggestion_leaves_the_count_and_the_ranks_after_it() -> None:
    layer = _layer(5, {(10, 14, "actor")})
    assert (layer.count, [layer.rank(i) for i in range(5)]) == (4, [1, 1, 2, 3, 4])
    layer.rejected.add((30, 34, "actor"))
    layer.refresh([(30, 34)], lambda _start, _end: set())
    assert (layer.count, [layer.rank(i) for i in range(5)]) == (3, [1, 1, 2, 2, 3])
