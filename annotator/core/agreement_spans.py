"""Matching two annotators' spans and relations (the counts behind the F1 figures).

A span is compared as its key (start, end, label code); a set holds each key once. A relation is
compared as (type, head key, tail key).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import numpy as np
import numpy.typing as npt

SpanKey = tuple[int, int, int]               # start, end (exclusive), label code (>= 1)
RelationKey = tuple[str, SpanKey, SpanKey]   # type, head, tail


def count_by_code(codes: Iterable[int], k: int) -> npt.NDArray[np.int64]:
    """How many of ``codes`` have each code 1..k (index 0 is code 1)."""
    return np.bincount(np.fromiter(codes, dtype=np.int64) - 1, minlength=k)[:k]


def exact_counts(a: Collection[SpanKey], b: Collection[SpanKey], *, k: int
                 ) -> npt.NDArray[np.int64]:
    """Per label code, the keys both sets hold."""
    return count_by_code((key[2] for key in set(a) & set(b)), k)


def overlap_matches(a: Collection[SpanKey], b: Collection[SpanKey]
                    ) -> list[tuple[SpanKey, SpanKey]]:
    """One-to-one matches of same-label overlapping spans (at least one shared code point).

    Greedy: candidate pairs are taken in order of the largest overlap first; on a tie, the pair
    whose boundaries are closest (|start difference| + |end difference|) first, then the pair
    whose ``a`` span comes first in (start, end) order, then whose ``b`` span does. A pair is
    taken when neither of its spans is matched yet. Equal spans therefore always match each
    other (no pair of theirs comes before), so they are matched first, without the search.
    """
    same = set(a) & set(b)
    matches = [(key, key) for key in sorted(same)]
    sa = sorted(set(a) - same)
    sb = sorted(set(b) - same)
    if not sa or not sb:
        return matches
    xa = np.array(sa, dtype=np.int64)
    xb = np.array(sb, dtype=np.int64)
    ia, ib = _overlapping_pairs(xa, xb)
    if len(ia) == 0:
        return matches
    overlap = np.minimum(xa[ia, 1], xb[ib, 1]) - np.maximum(xa[ia, 0], xb[ib, 0])
    distance = np.abs(xa[ia, 0] - xb[ib, 0]) + np.abs(xa[ia, 1] - xb[ib, 1])
    # Sorted keys make index order the same as (start, end, code) order.
    order = np.lexsort((ib, ia, distance, -overlap))
    used_a: set[int] = set()
    used_b: set[int] = set()
    for i, j in zip(ia[order].tolist(), ib[order].tolist()):
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        matches.append((sa[i], sb[j]))
    return matches


def _overlapping_pairs(xa: npt.NDArray[np.int64], xb: npt.NDArray[np.int64]
                       ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Index pairs (into the rows of ``xa`` and ``xb``, both sorted by start) of same-code spans
    sharing a code point. For each ``a`` span only the ``b`` spans that start in [its start -
    the longest ``b`` span, its end) can overlap it: found by binary search, so the work grows
    with the spans and their overlaps, not with their product (a book's 20,000 spans per
    annotator made a 20,000 x 20,000 matrix)."""
    found_a, found_b = [], []
    for code in np.intersect1d(xa[:, 2], xb[:, 2]):
        rows_a = np.flatnonzero(xa[:, 2] == code)
        rows_b = np.flatnonzero(xb[:, 2] == code)
        a, b = xa[rows_a], xb[rows_b]
        longest = int((b[:, 1] - b[:, 0]).max())
        lo = np.searchsorted(b[:, 0], a[:, 0] - longest, side="left")
        hi = np.searchsorted(b[:, 0], a[:, 1], side="left")
        count = np.maximum(hi - lo, 0)
        if not count.any():
            continue
        i = np.repeat(np.arange(len(a)), count)
        j = np.repeat(lo, count) + (np.arange(int(count.sum()))
                                    - np.repeat(np.cumsum(count) - count, count))
        keep = (np.minimum(a[i, 1], b[j, 1]) - np.maximum(a[i, 0], b[j, 0])) > 0
        found_a.append(rows_a[i[keep]])
        found_b.append(rows_b[j[keep]])
    if not found_a:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(found_a), np.concatenate(found_b)


def overlap_counts(a: Collection[SpanKey], b: Collection[SpanKey], *, k: int
                   ) -> npt.NDArray[np.int64]:
    """Per label code, the number of overlap matches."""
    return count_by_code((x[2] for x, _ in overlap_matches(a, b)), k)


def relation_counts(relations: Collection[RelationKey], k: int) -> npt.NDArray[np.int64]:
    """Per label code of the head span, the number of relations."""
    return count_by_code((head[2] for _, head, _ in relations), k)


def relation_matches(a: Collection[RelationKey], b: Collection[RelationKey], *, k: int
                     ) -> npt.NDArray[np.int64]:
    """Per label code of the head span, the relations both sets hold."""
    return relation_counts(set(a) & set(b), k)
