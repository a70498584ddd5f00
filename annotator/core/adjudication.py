"""Adjudication: several annotators' sets of one document merged into candidates for a reviewer.

A **candidate** is one (start, end, label) with the annotators who have it. Its **agreement** is
``all`` (every annotator of the document has it), ``majority`` (more than half) or ``minority``.
Each candidate that not everyone shares, or whose relations differ between the annotators who
have it, is classed by what the others did instead (several classes can apply):

- ``missing``: an annotator has no span there with that label or those offsets;
- ``other label``: an annotator has the same offsets with another label;
- ``other boundaries``: an annotator has an overlapping span with the same label;
- ``other relation``: the annotators who have it link it differently (said_by / cue).

Candidates that overlap, directly or through others, form a **region**: the stretch of text whose
versions a reviewer compares side by side and can take whole from one annotator.

A candidate's **state** against the gold set (:mod:`annotator.core.gold_states`): ``accepted``
(gold has it), ``rejected`` (the reviewer rejected it), ``superseded`` (gold has another version
of it: an overlapping span with the same label, or the same offsets with another label), else
``open``.

A :class:`Review` is built from the annotators' spans by :mod:`annotator.core.review_build`.

Pure: no Qt, no database. Offsets are code points, end exclusive.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from operator import itemgetter
from typing import Any, overload

from annotator.core.link_ends import positions_by_end, positions_touching
from annotator.core.model import Span

Key = tuple[int, int, str]


class Agreement(StrEnum):
    ALL = "all"
    MAJORITY = "majority"
    MINORITY = "minority"


class Disagreement(StrEnum):
    MISSING = "missing"
    LABEL = "other label"
    BOUNDARIES = "other boundaries"
    RELATION = "other relation"


class State(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


def agreement_of(count: int, total: int) -> Agreement:
    if count >= total:
        return Agreement.ALL
    if 2 * count > total:
        return Agreement.MAJORITY
    return Agreement.MINORITY


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int
    end: int
    label: str
    text: str
    annotators: tuple[str, ...]          # who have it, sorted
    total: int                           # annotators of the document
    relations_differ: bool               # the annotators who have it link it differently
    region: int                          # index into Review.regions

    @property
    def key(self) -> Key:
        return (self.start, self.end, self.label)

    @property
    def agreement(self) -> Agreement:
        return agreement_of(len(self.annotators), self.total)

    @property
    def unanimous(self) -> bool:
        """Everyone has it and links it the same way: nothing to decide but accepting it."""
        return len(self.annotators) >= self.total and not self.relations_differ


@dataclass(frozen=True, slots=True)
class RelationCandidate:
    type: str
    head: Key
    tail: Key
    annotators: tuple[str, ...]          # who have the relation, sorted
    holders: tuple[str, ...]             # who have both of its ends, sorted

    @property
    def unanimous(self) -> bool:
        """Everyone who has both ends links them so."""
        return self.annotators == self.holders


@dataclass(frozen=True, slots=True)
class Region:
    start: int
    end: int
    candidates: tuple[int, ...]          # indexes into Review.candidates


@dataclass(frozen=True, slots=True)
class Version:
    """One annotator's spans and relations in a region."""

    annotator: str
    spans: tuple[Span, ...]
    relations: tuple[tuple[str, Key, Key], ...]   # (type, head key, tail key)


#: A span row of every annotator at once: (start, end, label, annotator number, span id,
#: attributes as given: see ``Review.decode``).
Row = tuple[int, int, str, int, int | None, Any]
#: One annotator's span as the review keeps it: its row, made into a :class:`Span` only when
#: asked for (a book has tens of thousands).
Entry = Row


class Candidates(Sequence[Candidate]):
    """The candidates of a review, kept as columns (key, who has it) and made into
    :class:`Candidate` objects only when one is asked for: a book has tens of thousands, a
    reviewer looks at a few (the last ones asked for are kept: the current candidate is asked
    for a dozen times a decision)."""

    __slots__ = ("_made", "_review")
    KEPT = 64

    def __init__(self, review: Review) -> None:
        self._review = review
        self._made: dict[int, Candidate] = {}

    def __len__(self) -> int:
        return len(self._review.keys)

    @overload
    def __getitem__(self, index: int) -> Candidate: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Candidate, ...]: ...

    def __getitem__(self, index: int | slice) -> Candidate | tuple[Candidate, ...]:
        if isinstance(index, slice):
            return tuple(self._make(i) for i in range(*index.indices(len(self))))
        n = len(self)
        if not -n <= index < n:
            raise IndexError(index)
        index %= n
        made = self._made.get(index)
        if made is None:
            if len(self._made) >= self.KEPT:
                self._made.clear()
            made = self._made[index] = self._make(index)
        return made

    def _make(self, i: int) -> Candidate:
        review = self._review
        start, end, label = review.keys[i]
        return Candidate(start, end, label, review.text[start:end], review.holders[i],
                         len(review.annotators), i in review.differ, review.region_of[i])

    def __iter__(self) -> Iterator[Candidate]:
        return (self._make(i) for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Candidates, tuple, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Candidates({len(self)})"


class Regions(Sequence[Region]):
    """The regions of a review, kept as columns (start, end, first candidate)."""

    __slots__ = ("_review",)

    def __init__(self, review: Review) -> None:
        self._review = review

    def __len__(self) -> int:
        return len(self._review.region_starts)

    @overload
    def __getitem__(self, index: int) -> Region: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Region, ...]: ...

    def __getitem__(self, index: int | slice) -> Region | tuple[Region, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        review = self._review
        n = len(self)
        if not -n <= index < n:
            raise IndexError(index)
        index %= n
        first = review.region_firsts[index]
        last = review.region_firsts[index + 1] if index + 1 < n else len(review.keys)
        return Region(review.region_starts[index], review.region_ends[index],
                      tuple(range(first, last)))

    def __iter__(self) -> Iterator[Region]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Regions, tuple, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Regions({len(self)})"


@dataclass(frozen=True, slots=True, eq=False)
class Review:
    """Every candidate of a document, ordered by (start, end, label), with regions and relations.

    Kept as columns, built in one pass over the annotators' spans sorted by key: ``keys`` (the
    candidates' (start, end, label)), ``masks`` (bit *i*: annotator *i* has it), ``holders``
    (who has it, one shared tuple per combination), ``unanimous``; the regions' starts, ends
    and first candidates; each annotator's spans as :data:`Entry` tuples. ``candidates`` and
    ``regions`` show them as :class:`Candidate` and :class:`Region` objects."""

    text: str
    annotators: tuple[str, ...]
    keys: list[Key]
    masks: list[int]
    holders: list[tuple[str, ...]]
    unanimous: list[bool]
    differ: frozenset[int]                       # candidates whose relations differ
    region_of: list[int]
    region_starts: list[int]
    region_ends: list[int]
    region_firsts: list[int]
    relations: tuple[RelationCandidate, ...]
    entries_of: Mapping[str, list[Entry]]        # each annotator's spans, in key order
    relations_of: Mapping[str, tuple[tuple[str, Key, Key], ...]]
    longest: int = 0                             # the longest candidate (for bisecting)
    decode: Callable[[Any], Mapping[str, Any]] | None = None   # attributes as given -> mapping
    agreement_of: Mapping[int, Agreement] = field(default_factory=dict, repr=False)
    _classes: dict[int, tuple[Disagreement, ...]] = field(default_factory=dict, repr=False)
    # the relations by the keys of their ends, made on first use: None for the candidates, an
    # annotator's name for theirs (a decision and a version read those of a few keys)
    _ends: dict[str | None, dict[Key, list[int]]] = field(default_factory=dict, repr=False)
    _views: dict[str, Any] = field(default_factory=dict, repr=False)   # made once, on first use

    @property
    def candidates(self) -> Candidates:
        found = self._views.get("candidates")
        if found is None:
            found = self._views["candidates"] = Candidates(self)
        return found  # type: ignore[return-value]

    @property
    def regions(self) -> Regions:
        return Regions(self)

    def agreement(self, index: int) -> Agreement:
        """Candidate ``index``'s agreement (without making the candidate)."""
        return self.agreement_of[self.masks[index]]

    def disagreements(self, index: int) -> tuple[Disagreement, ...]:
        """How candidate ``index`` differs from the other annotators' versions (worked out on
        first use: a book has tens of thousands of candidates and a reviewer sees a few). Every
        span overlapping a candidate is a candidate of its region: the region is all it reads."""
        found = self._classes.get(index)
        if found is None:
            kinds: set[Disagreement] = set()
            start, end, label = self.keys[index]
            mask = self.masks[index]
            region = self.region_of[index]
            first = self.region_firsts[region]
            last = self.region_firsts[region + 1] if region + 1 < len(self.region_firsts) \
                else len(self.keys)
            for bit in range(len(self.annotators)):
                if mask >> bit & 1:
                    continue
                other = 1 << bit
                same_offsets = boundaries = False
                for j in range(first, last):
                    if not self.masks[j] & other:
                        continue
                    s, e, lb = self.keys[j]
                    if (s, e) == (start, end):
                        same_offsets = True
                        break
                    if lb == label and s < end and e > start:
                        boundaries = True
                kinds.add(Disagreement.LABEL if same_offsets else
                          Disagreement.BOUNDARIES if boundaries else Disagreement.MISSING)
            if index in self.differ:
                kinds.add(Disagreement.RELATION)
            found = self._classes[index] = tuple(d for d in _ORDER if d in kinds)
        return found

    def index_of(self, key: Key) -> int | None:
        i = bisect_left(self.keys, key)
        return i if i < len(self.keys) and self.keys[i] == key else None

    def candidate(self, key: Key) -> Candidate | None:
        i = self.index_of(key)
        return None if i is None else self.candidates[i]

    def relations_touching(self, keys: Collection[Key]) -> list[RelationCandidate]:
        """The relation candidates with an end among ``keys``, in candidate order (looked up
        by key: a decision's cost does not grow with the document's relations)."""
        return [self.relations[i] for i in self._touching(None, self.relations, keys)]

    def _touching(self, owner: str | None, relations: Sequence[Any], keys: Collection[Key]
                  ) -> list[int]:
        """The positions in ``relations`` (the candidates', owner None, or an annotator's) of
        those with an end among ``keys``, in order."""
        ends = self._ends.get(owner)
        if ends is None:
            ends = self._ends[owner] = positions_by_end(
                (r.head, r.tail) if isinstance(r, RelationCandidate) else (r[1], r[2])
                for r in relations)
        return positions_touching(ends, keys)

    def regions_overlapping(self, start: int, end: int) -> list[int]:
        """Indexes of the regions that share a character with [start, end)."""
        i = bisect_left(self.region_ends, start + 1)
        found = []
        while i < len(self.region_starts) and self.region_starts[i] < end:
            if self.region_ends[i] > start:
                found.append(i)
            i += 1
        return found

    def candidates_between(self, start: int, end: int) -> range:
        """The indexes of the candidates that start in [start, end) (bisected)."""
        return range(bisect_left(self.keys, (start,)), bisect_left(self.keys, (end,)))

    def version(self, annotator: str, region: int) -> Version:
        """``annotator``'s spans inside region ``region`` (those that are its candidates) and
        their relations that touch them."""
        area = self.regions[region]
        if annotator not in self.annotators:
            return Version(annotator, (), ())
        bit = 1 << self.annotators.index(annotator)
        keys = {self.keys[i] for i in area.candidates if self.masks[i] & bit}
        spans = tuple(s for s in self.spans_between(annotator, area.start, area.end)
                      if (s.start, s.end, s.label) in keys)
        mine = self.relations_of.get(annotator, ())
        relations = tuple(mine[i] for i in self._touching(annotator, mine, keys)) if mine else ()
        return Version(annotator, spans, relations)

    def spans_between(self, annotator: str, start: int, end: int) -> tuple[Span, ...]:
        """``annotator``'s spans that start in [start, end) (bisected: spans are sorted)."""
        entries = self.entries_of.get(annotator, [])
        lo = bisect_left(entries, start, key=_first)
        hi = bisect_left(entries, end, key=_first)
        text, decode = self.text, self.decode
        return tuple(Span(start=s, end=e, label=lb, text=text[s:e], id=span_id,
                          attributes=decode(attributes) if decode is not None else attributes)
                     for s, e, lb, _, span_id, attributes in entries[lo:hi])

    def spans_with_key(self, key: Key) -> list[Span]:
        """Every annotator's span equal to ``key`` (start, end, label)."""
        return [s for name in self.annotators for s in self.spans_between(name, key[0], key[0] + 1)
                if (s.start, s.end, s.label) == key]

    def counts(self) -> dict[Agreement, int]:
        found = {a: 0 for a in Agreement}
        for mask in self.masks:
            found[self.agreement_of[mask]] += 1
        return found


_ORDER = tuple(Disagreement)
_first = itemgetter(0)
