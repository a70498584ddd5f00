"""The spans of the open set, sorted for fast lookups by offset (bisect), with nesting layers;
and how far back such a lookup must reach among sorted keys with a few long ones (Reach)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from operator import itemgetter

from annotator.core.model import Span


def _key(span: Span) -> tuple[int, int, str, int]:
    return (span.start, -span.end, span.label, span.id or 0)


class SpanIndex:
    """Spans by id, and sorted by (start, longest first) so the spans near an offset are found by
    bisecting, not by scanning: a 505k-character book with 20,000 spans stays fast."""

    #: spans longer than this (long quotes) are also kept apart: a lookup bisects back by the
    #: longest short span, and by the longest long one only among the few long ones
    LONG = 64

    def __init__(self, spans: Iterable[Span] = ()) -> None:
        self._by_id: dict[int, Span] = {}
        self._sorted: list[tuple[tuple[int, int, str, int], Span]] = []
        for span in spans:
            self._by_id[span.id or 0] = span
        # keys built inline (a call per span was a fifth of opening a book's 20,000 spans)
        self._sorted = sorted((((s.start, -s.end, s.label, s.id or 0), s)
                               for s in self._by_id.values()), key=itemgetter(0))
        self._starts = [k[0] for k, _ in self._sorted]
        lengths = [s.end - s.start for s in self._by_id.values()]
        self._max_short = max((n for n in lengths if n <= self.LONG), default=0)
        self._long: list[tuple[tuple[int, int, str, int], Span]] = [
            pair for pair in self._sorted if pair[1].end - pair[1].start > self.LONG]
        self._long_starts = [k[0] for k, _ in self._long]
        self._max_long = max((s.end - s.start for _, s in self._long), default=0)

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, span_id: object) -> bool:
        return span_id in self._by_id

    def get(self, span_id: int) -> Span | None:
        return self._by_id.get(span_id)

    def add(self, span: Span) -> None:
        if span.id in self._by_id:
            self.remove(span.id or 0)
        self._by_id[span.id or 0] = span
        key = _key(span)
        index = self._index_for(key)
        self._sorted.insert(index, (key, span))
        self._starts.insert(index, span.start)
        length = span.end - span.start
        if length <= self.LONG:
            self._max_short = max(self._max_short, length)
        else:
            at = bisect_left(self._long, key, key=itemgetter(0))
            self._long.insert(at, (key, span))
            self._long_starts.insert(at, span.start)
            self._max_long = max(self._max_long, length)

    def remove(self, span_id: int) -> Span | None:
        span = self._by_id.pop(span_id, None)
        if span is None:
            return None
        key = _key(span)
        index = self._index_for(key)
        del self._sorted[index]
        del self._starts[index]
        if span.end - span.start > self.LONG:
            at = bisect_left(self._long, key, key=itemgetter(0))
            del self._long[at], self._long_starts[at]
            self._max_long = max((s.end - s.start for _, s in self._long), default=0)
        return span

    def _index_for(self, key: tuple[int, int, str, int]) -> int:
        lo = bisect_left(self._starts, key[0])
        hi = bisect_right(self._starts, key[0])
        while lo < hi and self._sorted[lo][0] < key:
            lo += 1
        return lo

    def id_of(self, start: int, end: int, label: str) -> int | None:
        """The id of the span (start, end, label) if the index holds it (a set has at most one
        span of a key): found among the few spans that start there, not by a pass over all."""
        lo = bisect_left(self._starts, start)
        hi = bisect_right(self._starts, start)
        for key, span in self._sorted[lo:hi]:
            if key[1] == -end and key[2] == label:
                return span.id or 0
        return None

    def all(self) -> list[Span]:
        """Every span, in text order (start, then longest first)."""
        return [s for _, s in self._sorted]

    def keyed(self) -> list[tuple[tuple[int, int, str, int], Span]]:
        """(key, span) of every span in text order; the key is (start, -end, label, id)."""
        return list(self._sorted)

    def overlapping(self, start: int, end: int) -> list[Span]:
        """Spans that share at least one character with [start, end), in text order."""
        near = start - self._max_short   # no short span starting before this reaches start
        lo = bisect_left(self._starts, near)
        hi = bisect_left(self._starts, end)
        found = [s for _, s in self._sorted[lo:hi] if s.end > start]
        if self._long and self._long_starts[0] < near:
            # long spans starting before the short ones' reach: they come first in text order
            far = [s for _, s in self._long[bisect_left(self._long_starts, start - self._max_long):
                                           bisect_left(self._long_starts, near)]
                   if s.end > start]
            if far:
                return far + found
        return found

    def at(self, offset: int) -> list[Span]:
        """Spans covering the character at ``offset``, outermost first."""
        return self.overlapping(offset, offset + 1)

    def layers(self, spans: list[Span]) -> dict[int, int]:
        """Nesting depth of each of ``spans`` among themselves: 0 for a span no earlier span
        covers (drawn as a fill), 1+ for a span inside or across another (drawn as an underline)."""
        depth: dict[int, int] = {}
        open_spans: list[Span] = []
        for span in sorted(spans, key=_key):
            open_spans = [o for o in open_spans if o.end > span.start]
            depth[span.id or 0] = len(open_spans)
            open_spans.append(span)
        return depth


class Reach:
    """How far back a lookup by offset must bisect among a review's candidates (sorted keys):
    by the longest short one, and among the few long ones (quotes) by the longest of those (one
    long candidate made every paragraph's lookup scan back its length of candidates)."""

    LONG = 64

    def __init__(self, keys: list[tuple[int, int, str]]) -> None:
        lengths = [end - start for start, end, _ in keys]
        self.short = max((n for n in lengths if n <= self.LONG), default=0)
        self._long = [i for i, n in enumerate(lengths) if n > self.LONG]   # in key order
        self._long_starts = [keys[i][0] for i in self._long]
        self._long_reach = max((lengths[i] for i in self._long), default=0)

    def long_before(self, start: int, near: int) -> list[int]:
        """The long candidates starting before ``near`` that may reach ``start``, in key order
        (they come before the short ones' range)."""
        if not self._long or self._long_starts[0] >= near:
            return []
        return self._long[bisect_left(self._long_starts, start - self._long_reach):
                          bisect_left(self._long_starts, near)]


class SpanKeys(Mapping[tuple[int, int, str], int]):
    """The ids of an index's spans by (start, end, label), looked up in the index when asked
    instead of copied: accepting a suggestion asks about its own key and its partners' (a book
    has 20,000 spans; a dict of all their keys cost milliseconds at every Enter)."""

    def __init__(self, index: SpanIndex) -> None:
        self.index = index

    def __getitem__(self, key: tuple[int, int, str]) -> int:
        found = self.index.id_of(*key) if isinstance(key, tuple) and len(key) == 3 else None
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and len(key) == 3 and self.index.id_of(*key) is not None

    def __iter__(self) -> Iterator[tuple[int, int, str]]:
        return ((s.start, s.end, s.label) for s in self.index.all())

    def __len__(self) -> int:
        return len(self.index)
