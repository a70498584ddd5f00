"""Links by their ends: the positions of the links touching some items are what a pass over
every link finds, once each and in order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.link_ends import positions_by_end, positions_touching


def test_each_link_is_listed_under_both_ends_once() -> None:
    links = [("q", "a"), ("q", "c"), ("b", "b"), ("a", "q")]
    index = positions_by_end(links)
    assert index == {"q": [0, 1, 3], "a": [0, 3], "c": [1], "b": [2]}
    assert positions_touching(index, ["a", "c"]) == [0, 1, 3]
    assert positions_touching(index, ["z"]) == []


@settings(max_examples=150, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=30),
       st.sets(st.integers(0, 11)))
def test_touching_is_a_pass_over_every_link(links: list[tuple[int, int]],
                                            items: set[int]) -> None:
    found = positions_touching(positions_by_end(links), items)
    assert found == [n for n, (head, tail) in enumerate(links) if head in items or tail in items]
