"""The suggestions offered on the open document (composed into the annotation view-model).

A suggestion is *offered* while the annotator's set has no span with its start, end and label
and they have not rejected it; the offered ones are drawn under the annotator's own spans, Tab
and Shift+Tab move between them in reading order, and the current one's relations are drawn
with it. No Qt here.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Collection

from annotator.core.link_ends import positions_by_end
from annotator.core.suggest import Suggestion
from annotator.services.suggesting import EMPTY, Key, Proposals

#: (start, end, label, role) of an offered suggestion as the highlighter draws it; role is
#: "current", "related" (linked to the current one by a suggested relation) or "".
Mark = tuple[int, int, str, str]


class SuggestionLayer:
    """Which suggestions are offered, and which one is current (an index into the spans)."""

    def __init__(self) -> None:
        self.reset(EMPTY, set())

    def reset(self, proposals: Proposals, have: Collection[Key]) -> None:
        self.proposals = proposals
        self.rejected: set[Key] = set(proposals.rejected)
        self.current: int | None = None
        spans = proposals.spans
        self._starts = [s.start for s in spans]
        self._longest = max((s.end - s.start for s in spans), default=0)
        self.hidden = [s.key in have or s.key in self.rejected for s in spans]
        # how many are offered up to each index (a Fenwick tree over "offered"): the status
        # bar says "suggestion 12/62,560" at every Tab, and counting them was a pass over all
        tree = [0] * (len(spans) + 1)
        for i, hidden in enumerate(self.hidden, start=1):
            if not hidden:
                tree[i] += 1
            parent = i + (i & -i)
            if parent <= len(spans):
                tree[parent] += tree[i]
        self._tree = tree
        self.count = len(spans) - sum(self.hidden)   # offered now
        # suggestion -> the positions of its relations
        self._relations_of = positions_by_end((r.head, r.tail)
                                              for r in proposals.suggestions.relations)

    # -- reading ------------------------------------------------------------------------------

    @property
    def spans(self) -> tuple[Suggestion, ...]:
        return self.proposals.spans

    def get(self, index: int | None) -> Suggestion | None:
        if index is None or not 0 <= index < len(self.spans):
            return None
        return self.spans[index]

    def offered(self) -> list[int]:
        return [i for i, hidden in enumerate(self.hidden) if not hidden]

    def rank(self, index: int) -> int:
        """How many suggestions up to ``index`` (included) are offered: the position of an
        offered one among them, from 1."""
        total, i, tree = 0, index + 1, self._tree
        while i > 0:
            total += tree[i]
            i -= i & -i
        return total

    def is_offered(self, index: int | None) -> bool:
        return index is not None and 0 <= index < len(self.hidden) and not self.hidden[index]

    def overlapping(self, start: int, end: int) -> list[int]:
        """Indexes of the suggestions (offered or not) sharing a character with [start, end)."""
        lo = bisect_left(self._starts, start - self._longest)
        hi = bisect_left(self._starts, end)
        return [i for i in range(lo, hi) if self.spans[i].end > start]

    def relations_of(self, index: int) -> list[int]:
        """The positions in the proposals' relations of those with suggestion ``index`` at an
        end."""
        return self._relations_of.get(index, [])

    def partners(self, index: int) -> list[tuple[str, int, bool]]:
        """(relation type, the other suggestion's index, outgoing) of suggestion ``index``."""
        relations = self.proposals.suggestions.relations
        found = []
        for n in self._relations_of.get(index, ()):
            r = relations[n]
            if r.head == index:
                found.append((r.type, r.tail, True))
            if r.tail == index:
                found.append((r.type, r.head, False))
        return found

    def marks(self, start: int, end: int) -> list[Mark]:
        """The offered suggestions sharing a character with [start, end), for the highlighter."""
        related = {other for _, other, _ in self.partners(self.current)} \
            if self.current is not None else set()
        found = []
        for i in self.overlapping(start, end):
            if not self.hidden[i]:
                s = self.spans[i]
                role = "current" if i == self.current else "related" if i in related else ""
                found.append((s.start, s.end, s.label, role))
        return found

    # -- changing -----------------------------------------------------------------------------

    def refresh(self, ranges: list[tuple[int, int]],
                keys_near: Callable[[int, int], Collection[Key]]) -> None:
        """The annotator's set (or their rejections) changed in ``ranges``: recompute which
        suggestions there are offered. ``keys_near(start, end)``: the set's span keys there."""
        for start, end in ranges:
            for i in self.overlapping(start, end):
                s = self.spans[i]
                self._hide(i, s.key in self.rejected or s.key in keys_near(s.start, s.end))

    def _hide(self, index: int, hidden: bool) -> None:
        if self.hidden[index] == hidden:
            return
        self.hidden[index] = hidden
        change = -1 if hidden else 1
        self.count += change
        i, tree = index + 1, self._tree
        while i < len(tree):
            tree[i] += change
            i += i & -i

    def step(self, step: int) -> int | None:
        """The offered suggestion after (step 1) or before (-1) the current one, cycling."""
        n = len(self.spans)
        if n == 0:
            return None
        here = self.current if self.current is not None else (-1 if step > 0 else n)
        for k in range(1, n + 1):
            i = (here + step * k) % n
            if not self.hidden[i]:
                return i
        return None

    def ranges_of(self, *indexes: int | None) -> list[tuple[int, int]]:
        """The ranges to redraw when ``indexes`` change (their partners too)."""
        found = []
        for index in indexes:
            s = self.get(index)
            if s is None or index is None:
                continue
            found.append((s.start, s.end))
            found += [(self.spans[o].start, self.spans[o].end) for _, o, _ in self.partners(index)]
        return found
