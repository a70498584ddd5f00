"""Krippendorff's unitizing alpha (alpha-u), as DKPro Agreement computes it.

Follows ``KrippendorffAlphaUnitizingAgreement`` of dkpro/dkpro-statistics (Krippendorff 1995,
"On the reliability of unitizing contiguous data"; Krippendorff 2004, Content Analysis, 2nd ed.,
p. 251-256). For one category ``c``, with ``R`` raters on a continuum of length ``L``:

* Each rater's units of ``c`` and the gaps between them tile the continuum. For two raters, the
  distance of a unit ``u`` of one and a unit ``v`` of the other that overlap is
  ``(start_u - start_v)^2 + (end_u - end_v)^2``; a unit lying inside a gap of the other rater
  (overlapping none of their units) costs its length squared; gaps against gaps cost nothing.
  ``D_o(c) = 2 * sum over rater pairs of those distances / (R (R - 1) L^2)``.
* ``D_e(c) = (2 / L) * sum over units u of c (all raters, N_c of them, length l) of
  [(N_c - 1) (2 l^3 - 3 l^2 + l) / 3 + l^2 * sum over gaps g (all raters) with g >= l of
  (g - l + 1)] / (R L (R L - 1) - sum over units of l (l - 1))``.
* ``alpha_u(c) = 1 - D_o(c) / D_e(c)``; the all-categories alpha_u is
  ``1 - mean_c D_o(c) / mean_c D_e(c)`` over the categories that have units.

Departures from DKPro, all where DKPro's figure is not a measurement: an alpha whose ``D_e`` is 0
(no units, say) is None where DKPro gives 0.0 or NaN; a rater's overlapping units of one category
(DKPro requires there are none) are merged into their union first.

Documents are laid end to end on one continuum, in the order given (a bootstrap resample in its
own order): a rater's trailing gap in one document and leading gap in the next are one gap. The
observed disagreement adds up per document; the expected one is assembled from per-document
statistics (unit-length histograms, interior gaps, leading and trailing gaps), so a resample
costs a few array sums.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
DocUnits = tuple[int, Sequence[Sequence[tuple[int, int, int]]]]   # length, per rater (s, e, code)


@dataclass(frozen=True, slots=True)
class CategoryStats:
    """Per-document sufficient statistics of one category (arrays over the documents)."""

    observed: FloatArray      # [n] sum over rater pairs of the distances
    units: FloatArray         # [n] number of units (all raters)
    cubic: FloatArray         # [n] sum of (2 l^3 - 3 l^2 + l) / 3
    squares: FloatArray       # [n] sum of l (l - 1)
    unit_lengths: IntArray    # [k] distinct unit lengths in any document, ascending
    weights: FloatArray       # [n, k] sum of l^2 over the units of each length
    inner: FloatArray         # [n, k] sum over interior gaps g of max(g - l + 1, 0)
    lead: IntArray            # [n, R] gap before the rater's first unit
    trail: IntArray           # [n, R] gap after the rater's last unit
    empty: npt.NDArray[np.bool_]  # [n, R] the rater has no unit of this category


@dataclass(frozen=True, slots=True)
class UnitizingStats:
    raters: int
    lengths: FloatArray                     # [n] document lengths
    categories: tuple[CategoryStats, ...]   # label code 1..K


@dataclass(frozen=True, slots=True)
class _Merged:
    code: IntArray
    rater: IntArray
    start: IntArray
    end: IntArray


def _merge(length: int, raters: int, units: Sequence[Sequence[tuple[int, int, int]]]) -> _Merged:
    """Each rater's units of each code, overlapping ones merged; sorted by (code, rater, start)."""
    rows = [(code, r, s, e) for r, spans in enumerate(units) for s, e, code in spans]
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return _Merged(empty, empty, empty, empty)
    a = np.array(rows, dtype=np.int64)
    group = a[:, 0] * raters + a[:, 1]
    shift = group * (length + 1)             # keeps groups apart on one line
    s, e = a[:, 2] + shift, a[:, 3] + shift
    order = np.lexsort((e, s))
    s, e, group, shift = s[order], e[order], group[order], shift[order]
    reach = np.maximum.accumulate(e)
    new = np.ones(len(s), dtype=bool)
    new[1:] = s[1:] >= reach[:-1]            # touching units stay apart
    first = np.flatnonzero(new)
    return _Merged(group[first] // raters, group[first] % raters, s[first] - shift[first],
                   np.maximum.reduceat(e, first) - shift[first])


def _observed(m: _Merged, raters: int, k: int) -> FloatArray:
    """Per code, the sum over rater pairs of the unit distances in one document.

    Each rater's units of a code are sorted and do not overlap (merged), so the units of rater
    b that overlap a unit [s, e) of rater a are a run found by two binary searches: linear in
    the units plus the overlapping pairs, where comparing every pair took memory quadratic in
    the units (26 GB for a book with 60,000 spans)."""
    result = np.zeros(k)
    if len(m.code) == 0:
        return result
    group = m.code * raters + m.rater          # sorted by (code, rater, start)
    bounds = np.searchsorted(group, np.arange(raters * (k + 1) + 1))
    for c in np.unique(m.code):
        starts = [m.start[bounds[c * raters + r]:bounds[c * raters + r + 1]]
                  for r in range(raters)]
        ends = [m.end[bounds[c * raters + r]:bounds[c * raters + r + 1]] for r in range(raters)]
        lonely = [np.zeros(len(x), dtype=np.int64) for x in starts]
        total = 0.0
        for a in range(raters):
            for b in range(raters):
                if a == b:
                    continue
                lo = np.searchsorted(ends[b], starts[a], side="right")
                hi = np.searchsorted(starts[b], ends[a], side="left")
                count = np.maximum(hi - lo, 0)
                lonely[a] += count == 0
                if a < b and count.any():
                    i = np.repeat(np.arange(len(count)), count)
                    offsets = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count,
                                                                       count)
                    j = np.repeat(lo, count) + offsets
                    total += float((((starts[a][i] - starts[b][j]) ** 2)
                                    + ((ends[a][i] - ends[b][j]) ** 2)).sum())
        # a unit overlapping none of another rater's units lies inside one of their gaps
        for r in range(raters):
            length = (ends[r] - starts[r]).astype(np.float64)
            total += float((length ** 2 * lonely[r]).sum())
        result[c - 1] = total
    return result


def unitizing_stats(docs: Sequence[DocUnits], *, raters: int, categories: int) -> UnitizingStats:
    """Statistics of documents given as (length, [each rater's (start, end, code) units])."""
    n, k = len(docs), categories
    merged = [_merge(length, raters, units) for length, units in docs]
    observed = np.array([_observed(m, raters, k) for m in merged]).reshape(n, k)
    doc = np.repeat(np.arange(n), [len(m.code) for m in merged])
    code, rater, start, end = (np.concatenate([np.zeros(0, dtype=np.int64),
                                               *(getattr(m, f) for m in merged)])
                               for f in ("code", "rater", "start", "end"))
    lengths = np.array([float(length) for length, _ in docs])
    cats = []
    for c in range(1, k + 1):
        mine = code == c            # still sorted by (document, rater, start)
        cats.append(_category(n, raters, lengths, doc[mine], rater[mine], start[mine], end[mine],
                              observed[:, c - 1]))
    return UnitizingStats(raters, lengths, tuple(cats))


def _inner(n: int, doc: IntArray, gaps: IntArray, lengths: IntArray) -> FloatArray:
    """[n, k]: per document, sum over its gaps g >= l of (g - l + 1), for each unit length l:
    (sum of those gaps) + (1 - l) * (their number), found by binary search in the gaps sorted
    by (document, length)."""
    top = int(gaps.max()) + 2 if len(gaps) else 2
    key = doc * top + gaps
    order = np.argsort(key, kind="stable")
    key = key[order]
    total = np.concatenate([[0], np.cumsum(gaps[order])]).astype(np.float64)
    base = (np.arange(n, dtype=np.int64) * top)[:, None]
    low = np.searchsorted(key, base + np.minimum(lengths, top - 1)[None, :])
    high = np.searchsorted(key, base + top)
    return (total[high] - total[low]) + (1 - lengths[None, :]) * (high - low)


def _category(n: int, raters: int, doc_lengths: FloatArray, doc: IntArray, rater: IntArray,
              s: IntArray, e: IntArray, observed: FloatArray) -> CategoryStats:
    ls = e - s
    x = ls.astype(np.float64)
    distinct = np.unique(ls)
    units = np.bincount(doc, minlength=n).astype(np.float64)
    cubic = np.bincount(doc, weights=(2 * x ** 3 - 3 * x ** 2 + x) / 3,
                        minlength=n).astype(np.float64)
    squares = np.bincount(doc, weights=x * (x - 1), minlength=n).astype(np.float64)
    weights = np.zeros((n, len(distinct)))
    np.add.at(weights, (doc, np.searchsorted(distinct, ls)), x ** 2)
    same = (doc[1:] == doc[:-1]) & (rater[1:] == rater[:-1])
    gaps, gap_doc = (s[1:] - e[:-1])[same], doc[1:][same]
    inner = _inner(n, gap_doc, gaps, distinct)
    firsts = np.flatnonzero(np.r_[True, ~same]) if len(s) else doc
    lasts = np.flatnonzero(np.r_[~same, True]) if len(s) else doc
    lead = np.zeros((n, raters), dtype=np.int64)
    trail = np.zeros((n, raters), dtype=np.int64)
    empty = np.ones((n, raters), dtype=bool)
    lead[doc[firsts], rater[firsts]] = s[firsts]
    trail[doc[lasts], rater[lasts]] = doc_lengths[doc[lasts]].astype(np.int64) - e[lasts]
    empty[doc[firsts], rater[firsts]] = False
    return CategoryStats(observed, units, cubic, squares, distinct, weights, inner, lead, trail,
                         empty)


@dataclass(frozen=True, slots=True)
class UnitizingFigures:
    """Disagreements and alphas of a batch of orderings (arrays over the batch)."""

    observed: FloatArray      # [B, K] D_o per category
    expected: FloatArray      # [B, K] D_e per category
    category_alpha: FloatArray  # [B, K], NaN where D_e is 0
    alpha: FloatArray         # [B], NaN where every D_e is 0


def evaluate(stats: UnitizingStats, orders: IntArray) -> UnitizingFigures:
    """alpha-u with the documents laid end to end in each row of ``orders`` ([B, m] indexes of
    documents, repeats allowed: a bootstrap resample)."""
    b = orders.shape[0]
    w = np.zeros((b, len(stats.lengths)))
    np.add.at(w, (np.repeat(np.arange(b), orders.shape[1]), orders.ravel()), 1.0)
    r = stats.raters
    total = w @ stats.lengths
    k = len(stats.categories)
    d_o: FloatArray = np.zeros((b, k))
    d_e: FloatArray = np.zeros((b, k))
    with np.errstate(divide="ignore", invalid="ignore"):
        for c, cat in enumerate(stats.categories):
            d_o[:, c] = 2 * (w @ cat.observed) / (r * (r - 1) * total ** 2)
            d_e[:, c] = _expected(cat, stats.lengths, w, orders, total, r)
        d_o = np.nan_to_num(d_o)
        d_e = np.nan_to_num(d_e)
        category_alpha = np.where(d_e > 0, 1 - d_o / d_e, np.nan)
        sum_e = d_e.sum(axis=1)
        alpha = np.where(sum_e > 0, 1 - d_o.sum(axis=1) / sum_e, np.nan)
    return UnitizingFigures(d_o, d_e, category_alpha, alpha)


def _expected(cat: CategoryStats, lengths: FloatArray, w: FloatArray, orders: IntArray,
              total: FloatArray, r: int) -> FloatArray:
    units = w @ cat.units
    hist = w @ cat.weights                                   # [B, k]
    numerator = (units - 1) * (w @ cat.cubic) + (hist * (w @ cat.inner)).sum(axis=1)
    zero = np.zeros((len(w), 1))
    c0: FloatArray = np.hstack([zero, np.cumsum(hist, axis=1)])
    c1: FloatArray = np.hstack([zero, np.cumsum(hist * cat.unit_lengths, axis=1)])
    for rater in range(r):
        gaps, keep = _joined_gaps(cat, lengths, orders, rater)
        at = np.searchsorted(cat.unit_lengths, gaps, side="right")
        value = (gaps + 1) * np.take_along_axis(c0, at, axis=1) \
            - np.take_along_axis(c1, at, axis=1)
        numerator += np.where(keep, value, 0.0).sum(axis=1)
    return (2 / total) * numerator / (r * total * (r * total - 1) - w @ cat.squares)


def _joined_gaps(cat: CategoryStats, lengths: FloatArray, orders: IntArray, rater: int
                 ) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """One rater's gaps at the document joins, for each ordering: the gap that ends at the first
    unit of each document that has units (it starts after the previous such document's last
    unit and spans every document without units in between), plus the gap after the last unit.
    Returns [B, m + 1] gap lengths and which of them exist."""
    b, m = orders.shape
    empty = cat.empty[orders, rater]
    lead = cat.lead[orders, rater].astype(np.float64)
    trail = cat.trail[orders, rater].astype(np.float64)
    spanned = np.cumsum(np.where(empty, lengths[orders], 0.0), axis=1)
    position = np.broadcast_to(np.arange(m), (b, m))
    last = np.maximum.accumulate(np.where(empty, -1, position), axis=1)
    at = np.maximum(last, 0)
    carried = np.take_along_axis(trail, at, axis=1) + spanned \
        - np.take_along_axis(spanned, at, axis=1)
    carried = np.where(last >= 0, carried, spanned)     # open gap after position k
    before = np.hstack([np.zeros((b, 1)), carried[:, :-1]])
    gaps = np.hstack([before + lead, carried[:, -1:]])
    keep = np.hstack([~empty, np.ones((b, 1), dtype=bool)])
    return gaps, keep


@dataclass(frozen=True, slots=True)
class UnitizingResult:
    """alpha-u of one study: per category and over all categories (None where undefined)."""

    observed: dict[str, float]
    expected: dict[str, float]
    category_alpha: dict[str, float | None]
    alpha: float | None


def alpha_unitizing(units: Sequence[tuple[int, int, int, str]], *, raters: int, length: int,
                    begin: int = 0) -> UnitizingResult:
    """alpha-u of one continuum ``[begin, begin + length)`` from units (rater index, begin,
    length, category), as DKPro's ``UnitizingAnnotationStudy.addUnit`` takes them."""
    if raters < 2:
        raise ValueError("alpha-u needs at least two raters")
    names = sorted({u[3] for u in units})
    code = {name: i + 1 for i, name in enumerate(names)}
    per_rater: list[list[tuple[int, int, int]]] = [[] for _ in range(raters)]
    for rater, start, size, category in units:
        if not (0 <= rater < raters and size > 0 and begin <= start
                and start + size <= begin + length):
            raise ValueError(f"unit ({rater}, {start}, {size}, {category!r}) is not a unit of "
                             f"rater 0..{raters - 1} inside [{begin}, {begin + length})")
        per_rater[rater].append((start - begin, start - begin + size, code[category]))
    stats = unitizing_stats([(length, per_rater)], raters=raters, categories=len(names))
    fig = evaluate(stats, np.zeros((1, 1), dtype=np.int64))
    return UnitizingResult(
        observed={n: float(fig.observed[0, i]) for i, n in enumerate(names)},
        expected={n: float(fig.expected[0, i]) for i, n in enumerate(names)},
        category_alpha={n: _defined(fig.category_alpha[0, i]) for i, n in enumerate(names)},
        alpha=_defined(fig.alpha[0]),
    )


def _defined(x: float) -> float | None:
    return None if np.isnan(x) else float(x)
