"""Building a review (:class:`~annotator.core.adjudication.Review`) from the annotators'
spans of one document, in one pass over their rows sorted by key: candidates, who has each, the
regions, and the relation candidates with the candidates whose relations differ.

Pure: no Qt, no database. Offsets are code points, end exclusive.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from annotator.core.adjudication import (
    Agreement,
    Entry,
    Key,
    RelationCandidate,
    Review,
    Row,
    agreement_of,
)
from annotator.core.model import AnnotationSet


def build_review(text: str, sets: Mapping[str, AnnotationSet]) -> Review:
    """Merge the annotators' sets of one document (annotator name -> set) into candidates."""
    annotators = tuple(sorted(sets))
    rows: list[Row] = []
    relations: dict[str, list[tuple[str, int, int]]] = {}
    for n, name in enumerate(annotators):
        aset = sets[name]
        rows += [(s.start, s.end, s.label, n, s.id, s.attributes) for s in aset.spans]
        relations[name] = [(r.type, r.head, r.tail) for r in aset.relations]
    rows.sort(key=lambda r: r[:4])
    return review_of_rows(text, annotators, rows, relations)


def review_of_rows(text: str, annotators: Sequence[str], rows: Sequence[Row],
                   relations: Mapping[str, Sequence[tuple[str, int, int]]] | None = None, *,
                   decode: Callable[[Any], Mapping[str, Any]] | None = None) -> Review:
    """The review of one document from every annotator's span rows sorted by (start, end,
    label) (see :data:`Row`; rows out of that order are sorted first) and each annotator's
    relations (type, head span id, tail span id): candidates and regions in one pass.
    ``decode`` turns the rows' attributes into a mapping when a span is made (None: they are
    mappings already)."""
    annotators = tuple(annotators)
    total = len(annotators)
    keys: list[Key] = []
    masks: list[int] = []
    region_of: list[int] = []
    region_starts: list[int] = []
    region_ends: list[int] = []
    region_firsts: list[int] = []
    entries_of: dict[str, list[Entry]] = {name: [] for name in annotators}
    lists = [entries_of[name] for name in annotators]
    last_start, last_end, last_label = -1, -1, ""
    region_end = -1
    longest = 0
    bits = [1 << n for n in range(total)]
    region = -1
    for row in rows:       # one pass; the rows themselves are each annotator's entries
        start, end, label, n = row[0], row[1], row[2], row[3]
        lists[n].append(row)
        if start == last_start and end == last_end and label == last_label:
            masks[-1] |= bits[n]
            continue
        if start < last_start or (start == last_start and (end, label) < (last_end, last_label)):
            return review_of_rows(text, annotators, sorted(rows, key=lambda r: r[:4]),
                                  relations, decode=decode)    # not in key order after all
        last_start, last_end, last_label = start, end, label
        keys.append((start, end, label))
        masks.append(bits[n])
        longest = max(longest, end - start)
        if start >= region_end:          # a new region
            region += 1
            region_starts.append(start)
            region_firsts.append(len(keys) - 1)
            region_ends.append(end)
            region_end = end
        elif end > region_end:
            region_end = region_ends[-1] = end
        region_of.append(region)
    full = (1 << total) - 1
    shared: dict[int, tuple[str, ...]] = {}
    levels: dict[int, Agreement] = {}
    for mask in set(masks):
        shared[mask] = tuple(name for n, name in enumerate(annotators) if mask >> n & 1)
        levels[mask] = agreement_of(len(shared[mask]), total)
    relation_candidates, relations_of, differ_keys = _relations(
        annotators, entries_of, relations or {}, shared, keys, masks)
    differ = frozenset(i for i in (bisect_left(keys, k) for k in differ_keys)
                       if i < len(keys) and keys[i] in differ_keys)
    unanimous = [m == full for m in masks]
    for i in differ:
        unanimous[i] = False
    return Review(text=text, annotators=annotators, keys=keys, masks=masks,
                  holders=[shared[m] for m in masks], unanimous=unanimous, differ=differ,
                  region_of=region_of, region_starts=region_starts, region_ends=region_ends,
                  region_firsts=region_firsts, relations=relation_candidates,
                  entries_of=entries_of, relations_of=relations_of, longest=longest,
                  decode=decode, agreement_of=levels)


def _relations(annotators: tuple[str, ...], entries_of: Mapping[str, list[Entry]],
               relations: Mapping[str, Sequence[tuple[str, int, int]]],
               shared: Mapping[int, tuple[str, ...]], keys: list[Key], masks: list[int]
               ) -> tuple[tuple[RelationCandidate, ...], dict[str, tuple[tuple[str, Key, Key], ...]],
                          set[Key]]:
    """Relation candidates (who has each, and who has both of its ends), each annotator's
    relations by keys, and the candidates whose relations differ between those who have them."""
    relations_of: dict[str, tuple[tuple[str, Key, Key], ...]] = {}
    for name in annotators:
        mine = relations.get(name, ())
        if not mine:
            relations_of[name] = ()
            continue
        by_id = {e[4]: (e[0], e[1], e[2]) for e in entries_of[name]}
        relations_of[name] = tuple(sorted(
            (kind, by_id[head], by_id[tail]) for kind, head, tail in mine
            if head in by_id and tail in by_id))
    rel_holders: dict[tuple[str, Key, Key], list[str]] = defaultdict(list)
    for name in annotators:
        for relation in dict.fromkeys(relations_of[name]):
            rel_holders[relation].append(name)
    if not rel_holders:
        return (), relations_of, set()

    def holders_of(key: Key) -> tuple[str, ...]:
        i = bisect_left(keys, key)
        return shared[masks[i]] if i < len(keys) and keys[i] == key else ()

    found = tuple(RelationCandidate(
        kind, head, tail, tuple(names),
        tuple(n for n in annotators if n in holders_of(head) and n in holders_of(tail)))
        for (kind, head, tail), names in sorted(rel_holders.items()))
    links: dict[Key, dict[str, set[tuple[str, str, Key]]]] = defaultdict(lambda: defaultdict(set))
    for (kind, head, tail), names in rel_holders.items():
        for name in names:
            links[head][name].add((kind, "tail", tail))
            links[tail][name].add((kind, "head", head))
    differ = {key for key, by_name in links.items()
              if len({frozenset(by_name.get(n, ())) for n in holders_of(key)}) > 1}
    return found, relations_of, differ
