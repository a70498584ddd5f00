"""Candidates against gold (:mod:`annotator.core.adjudication`): each candidate's state
(``accepted``, ``rejected``, ``superseded`` or ``open``) and the relations to accept with their
ends. Pure: no Qt, no database."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet

from annotator.core.adjudication import Candidate, Key, RelationCandidate, Review, State


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
    """Every candidate's state (see :func:`candidate_state`); only the candidates of the regions
    a gold span overlaps, and the rejected ones, are read."""
    found = [State.OPEN] * len(review.keys)
    keys, firsts = review.keys, review.region_firsts
    for g_start, g_end, g_label in gold:
        for region in review.regions_overlapping(g_start, g_end):
            last = firsts[region + 1] if region + 1 < len(firsts) else len(keys)
            for j in range(firsts[region], last):
                start, end, label = keys[j]
                if start < g_end and end > g_start and (
                        label == g_label or (start, end) == (g_start, g_end)):
                    found[j] = State.SUPERSEDED
    for key, state in [(k, State.REJECTED) for k in rejected] + \
            [(k, State.ACCEPTED) for k in gold]:
        i = review.index_of(key)
        if i is not None:
            found[i] = state
    return found


def relations_to_accept(review: Review, gold: Collection[Key], *,
                        touching: Collection[Key] | None = None,
                        unanimous_only: bool = True) -> list[RelationCandidate]:
    """The relation candidates whose two ends are both in gold (keys: a set or a mapping is
    looked up, not copied), that everyone who has both ends links so (or, with
    ``unanimous_only=False``, that anyone links so); with ``touching``, only those with an end
    among these keys (found by key, not by reading every relation)."""
    present = gold if isinstance(gold, (AbstractSet, Mapping)) else set(gold)
    found = review.relations if touching is None else review.relations_touching(touching)
    return [r for r in found if r.head in present and r.tail in present
            and (r.unanimous or not unanimous_only)]
