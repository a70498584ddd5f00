"""The spans of the open set, sorted for fast lookups by offset (bisect), with nesting layers."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from operator import itemgetter
from typing import Iterable

from annotator.core.model import Span


def _key(span: Span) -> tuple[int, int, str, int]:
    return (span.start, -span.end, span.label, span.id or 0)


class SpanIndex:
    """Spans by id, and sorted by (start, longest first) so the spans near an offset are found by
    bisecting, not by scanning: a 505k-character book with 20,000 spans stays fast."""

    def __init__(self, spans: Iterable[Span] = ()) -> None:
        self._by_id: dict[int, Span] = {}
        self._sorted: list[tuple[tuple[int, int, str, int], Span]] = []
        self._max_length = 0
        for span in spans:
            self._by_id[span.id or 0] = span
        if self._by_id:
            self._max_length = max(s.end - s.start for s in self._by_id.values())
        # keys built inline (a call per span was a fifth of opening a book's 20,000 spans)
        self._sorted = sorted((((s.start, -s.end, s.label, s.id or 0), s)
                               for s in self._by_id.values()), key=itemgetter(0))
        self._starts = [k[0] for k, _ in self._sorted]

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
        self._max_length = max(self._max_length, span.end - span.start)

    def remove(self, span_id: int) -> Span | None:
        span = self._by_id.pop(span_id, None)
        if span is None:
            return None
        index = self._index_for(_key(span))
        del self._sorted[index]
        del self._starts[index]
        return span

    def _index_for(self, key: tuple[int, int, str, int]) -> int:
        lo = bisect_left(self._starts, key[0])
        hi = bisect_right(self._starts, key[0])
        while lo < hi and self._sorted[lo][0] < key:
            lo += 1
        return lo

    def all(self) -> list[Span]:
        """Every span, in text order (start, then longest first)."""
        return [s for _, s in self._sorted]

    def keyed(self) -> list[tuple[tuple[int, int, str, int], Span]]:
        """(key, span) of every span in text order; the key is (start, -end, label, id)."""
        return list(self._sorted)

    def overlapping(self, start: int, end: int) -> list[Span]:
        """Spans that share at least one character with [start, end), in text order."""
        lo = bisect_left(self._starts, start - self._max_length)
        hi = bisect_left(self._starts, end)
        return [s for _, s in self._sorted[lo:hi] if s.end > start]

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
