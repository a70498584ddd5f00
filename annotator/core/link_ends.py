"""Which links touch an item: of links given as (head, tail) pairs, the positions of those with
each item at either end, in order (a review's relation candidates by their ends' keys, a
document's suggested relations by their suggestions), so that what touches a few items is
looked up instead of found by a pass over every link. Pure: no Qt, no database."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

End = TypeVar("End", bound=Hashable)


def positions_by_end(pairs: Iterable[tuple[End, End]]) -> dict[End, list[int]]:
    """For each end, the positions (in ``pairs``) of the links with it at either end: once
    each (a link from an item to itself too), in order."""
    found: dict[End, list[int]] = {}
    for n, (head, tail) in enumerate(pairs):
        found.setdefault(head, []).append(n)
        if tail != head:
            found.setdefault(tail, []).append(n)
    return found


def positions_touching(index: Mapping[End, list[int]], items: Iterable[End]) -> list[int]:
    """The positions of the links with an end among ``items`` (``index`` from
    :func:`positions_by_end`), once each, in order."""
    return sorted({n for item in items for n in index.get(item, ())})
