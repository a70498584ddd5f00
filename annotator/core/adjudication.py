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

A candidate's **state** against the gold set: ``accepted`` (gold has it), ``rejected`` (the
reviewer rejected it), ``superseded`` (gold has another version of it: an overlapping span with the
same label, or the same offsets with another label), else ``open``.

Pure: no Qt, no database. Offsets are code points, end exclusive.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from annotator.core.model import AnnotationSet, Span

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


@dataclass(frozen=True, slots=True)
class Review:
    """Every candidate of a document, ordered by (start, end, label), with regions and relations."""

    text: str
    annotators: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    relations: tuple[RelationCandidate, ...]
    regions: tuple[Region, ...]
    spans_of: Mapping[str, tuple[Span, ...]]     # each annotator's spans, in span order
    relations_of: Mapping[str, tuple[tuple[str, Key, Key], ...]]
    offsets_of: Mapping[str, frozenset[tuple[int, int]]] = field(default_factory=dict, repr=False)
    overlaps: _Overlaps | None = field(default=None, repr=False, compare=False)
    _classes: dict[int, tuple[Disagreement, ...]] = field(default_factory=dict, repr=False,
                                                          compare=False)

    def disagreements(self, index: int) -> tuple[Disagreement, ...]:
        """How candidate ``index`` differs from the other annotators' versions (worked out on
        first use: a book has tens of thousands of candidates and a reviewer sees a few)."""
        found = self._classes.get(index)
        if found is None:
            candidate = self.candidates[index]
            kinds = _disagreements(candidate.key, candidate.annotators, self.annotators,
                                   self.offsets_of, self.overlaps) \
                if self.overlaps is not None and len(candidate.annotators) < candidate.total \
                else []
            if candidate.relations_differ:
                kinds.append(Disagreement.RELATION)
            found = self._classes[index] = tuple(kinds)
        return found

    def index_of(self, key: Key) -> int | None:
        i = bisect_left(self.candidates, key, key=lambda c: c.key)
        return i if i < len(self.candidates) and self.candidates[i].key == key else None

    def candidate(self, key: Key) -> Candidate | None:
        i = self.index_of(key)
        return None if i is None else self.candidates[i]

    def relations_touching(self, keys: Collection[Key]) -> list[RelationCandidate]:
        wanted = set(keys)
        return [r for r in self.relations if r.head in wanted or r.tail in wanted]

    def regions_overlapping(self, start: int, end: int) -> list[int]:
        """Indexes of the regions that share a character with [start, end)."""
        i = bisect_left(self.regions, start + 1, key=lambda r: r.end)
        found = []
        while i < len(self.regions) and self.regions[i].start < end:
            if self.regions[i].end > start:
                found.append(i)
            i += 1
        return found

    def version(self, annotator: str, region: int) -> Version:
        """``annotator``'s spans inside region ``region`` (those that are its candidates) and
        their relations that touch them."""
        area = self.regions[region]
        keys = {self.candidates[i].key for i in area.candidates
                if annotator in self.candidates[i].annotators}
        spans = tuple(s for s in self.spans_between(annotator, area.start, area.end)
                      if (s.start, s.end, s.label) in keys)
        relations = tuple(r for r in self.relations_of.get(annotator, ())
                          if r[1] in keys or r[2] in keys)
        return Version(annotator, spans, relations)

    def spans_between(self, annotator: str, start: int, end: int) -> tuple[Span, ...]:
        """``annotator``'s spans that start in [start, end) (bisected: spans are sorted)."""
        spans = self.spans_of.get(annotator, ())
        lo = bisect_left(spans, start, key=lambda s: s.start)
        hi = bisect_left(spans, end, key=lambda s: s.start)
        return spans[lo:hi]

    def spans_with_key(self, key: Key) -> list[Span]:
        """Every annotator's span equal to ``key`` (start, end, label)."""
        return [s for name in self.annotators for s in self.spans_between(name, key[0], key[0] + 1)
                if (s.start, s.end, s.label) == key]

    def counts(self) -> dict[Agreement, int]:
        found = {a: 0 for a in Agreement}
        for c in self.candidates:
            found[c.agreement] += 1
        return found


def build_review(text: str, sets: Mapping[str, AnnotationSet]) -> Review:
    """Merge the annotators' sets of one document (annotator name -> set) into candidates."""
    annotators = tuple(sorted(sets))
    total = len(annotators)
    holders: dict[Key, list[str]] = {}
    spans_of: dict[str, tuple[Span, ...]] = {}
    relations_of: dict[str, tuple[tuple[str, Key, Key], ...]] = {}
    offsets_of: dict[str, frozenset[tuple[int, int]]] = {}
    for name in annotators:
        aset = sets[name]
        spans = tuple(sorted(aset.spans, key=lambda s: (s.start, s.end, s.label)))
        spans_of[name] = spans
        keys = [(s.start, s.end, s.label) for s in spans]
        by_id = {s.id: key for s, key in zip(spans, keys)}
        for key in dict.fromkeys(keys):
            holders.setdefault(key, []).append(name)
        offsets_of[name] = frozenset((k[0], k[1]) for k in keys)
        relations_of[name] = tuple(sorted(
            (r.type, by_id[r.head], by_id[r.tail]) for r in aset.relations
            if r.head in by_id and r.tail in by_id))
    keys = sorted(holders)
    # relations: who has each, and who has both of its ends
    rel_holders: dict[tuple[str, Key, Key], list[str]] = defaultdict(list)
    for name in annotators:
        for relation in dict.fromkeys(relations_of[name]):
            rel_holders[relation].append(name)
    relations = tuple(RelationCandidate(
        kind, head, tail, tuple(names),
        tuple(n for n in annotators if n in holders[head] and n in holders[tail]))
        for (kind, head, tail), names in sorted(rel_holders.items()))
    links: dict[Key, dict[str, set[tuple[str, str, Key]]]] = defaultdict(lambda: defaultdict(set))
    for (kind, head, tail), names in rel_holders.items():
        for name in names:
            links[head][name].add((kind, "tail", tail))
            links[tail][name].add((kind, "head", head))
    index = _Overlaps([(s.start, s.end, s.label, name) for name in annotators
                       for s in spans_of[name]])
    regions, region_of = _regions(keys)
    candidates = []
    for key, region in zip(keys, region_of):
        names = tuple(holders[key])
        differ = key in links and len({frozenset(links[key].get(n, ())) for n in names}) > 1
        start, end, label = key
        candidates.append(Candidate(start, end, label, text[start:end], names, total, differ,
                                    region))
    return Review(text=text, annotators=annotators, candidates=tuple(candidates),
                  relations=relations, regions=regions, spans_of=spans_of,
                  relations_of=relations_of, offsets_of=offsets_of, overlaps=index)


_ORDER = tuple(Disagreement)


def _disagreements(key: Key, names: Sequence[str], annotators: Sequence[str],
                   offsets_of: Mapping[str, frozenset[tuple[int, int]]],
                   index: _Overlaps) -> list[Disagreement]:
    start, end, label = key
    found: set[Disagreement] = set()
    near: list[tuple[int, int, str, str]] | None = None
    for other in annotators:
        if other in names:
            continue
        if (start, end) in offsets_of[other]:
            found.add(Disagreement.LABEL)
            continue
        if near is None:
            near = index.overlapping(start, end)
        if any(a == other and lb == label for _, _, lb, a in near):
            found.add(Disagreement.BOUNDARIES)
        else:
            found.add(Disagreement.MISSING)
    return [d for d in _ORDER if d in found]


def _regions(keys: Sequence[Key]) -> tuple[tuple[Region, ...], list[int]]:
    """Group candidates that overlap (transitively) into regions, in text order; returns the
    regions and each key's region."""
    regions: list[Region] = []
    region_of: list[int] = []
    first = 0
    start = end = -1
    for i, (s, e, _) in enumerate(keys):
        if i and s >= end:
            regions.append(Region(start, end, tuple(range(first, i))))
            first = i
        if i == first:
            start, end = s, e
        elif e > end:
            end = e
        region_of.append(len(regions))
    if keys:
        regions.append(Region(start, end, tuple(range(first, len(keys)))))
    return tuple(regions), region_of


class _Overlaps:
    """Spans sorted by start, found by bisecting (bounded by the longest span)."""

    def __init__(self, items: Iterable[tuple[int, int, str, str]]) -> None:
        self.items = sorted(items)
        self.starts = [i[0] for i in self.items]
        self.longest = max((i[1] - i[0] for i in self.items), default=0)

    def overlapping(self, start: int, end: int) -> list[tuple[int, int, str, str]]:
        lo = bisect_left(self.starts, start - self.longest)
        hi = bisect_left(self.starts, end)
        return [i for i in self.items[lo:hi] if i[1] > start]


def candidate_state(candidate: Candidate, *, gold: Collection[Key], rejected: Collection[Key],
                    gold_overlapping: Callable[[int, int], Iterable[Key]]) -> State:
    """The candidate's state against the gold set (``gold``: its keys; ``gold_overlapping``:
    the keys of gold spans sharing a character with a range) and the rejected keys."""
    key = candidate.key
    if key in gold:
        return State.ACCEPTED
    if key in rejected:
        return State.REJECTED
    for start, end, label in gold_overlapping(candidate.start, candidate.end):
        if label == candidate.label or (start, end) == (candidate.start, candidate.end):
            return State.SUPERSEDED
    return State.OPEN


def states(review: Review, gold: Sequence[Key], rejected: Collection[Key]) -> list[State]:
    """Every candidate's state (see :func:`candidate_state`)."""
    index = _Overlaps([(s, e, lb, "") for s, e, lb in gold])
    gold_keys = set(gold)

    def overlapping(start: int, end: int) -> list[Key]:
        return [(s, e, lb) for s, e, lb, _ in index.overlapping(start, end)]

    return [candidate_state(c, gold=gold_keys, rejected=rejected, gold_overlapping=overlapping)
            for c in review.candidates]


def relations_to_accept(review: Review, gold: Collection[Key], *,
                        unanimous_only: bool = True) -> list[RelationCandidate]:
    """The relation candidates whose two ends are both in gold (keys), that everyone who has
    both ends links so (or, with ``unanimous_only=False``, that anyone links so)."""
    present = set(gold)
    return [r for r in review.relations if r.head in present and r.tail in present
            and (r.unanimous or not unanimous_only)]
