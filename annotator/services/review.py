"""The review use case: compare annotators' sets of a document and build its gold set.

    review = ReviewService(store, schema, reviewer="rana")       # a reviewer or a lead
    opened = review.open(document_id)                             # candidates, gold (created)
    change = review.accept(opened, (41, 46, "actor"))             # one transaction into gold
    review.gold.change(opened.gold_id, **review.gold.inverse_of(change))   # its undo

Every decision is one transaction into the document's gold set, journaled, with the provenance of
each gold span (who decided, how, from which annotators' versions), and undoable through the
:class:`~annotator.services.annotate.Change` it returns. The gold set's status is the document's
review status: no gold set or ``todo`` is *unreviewed*, ``in_progress`` *in review*, ``done``
*reviewed*.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from annotator.core.adjudication import Key, Review, State
from annotator.core.errors import UserError
from annotator.core.gold_states import relations_to_accept, states
from annotator.core.model import (
    AnnotationSet,
    Decision,
    Document,
    Provenance,
    SetKind,
    SetStatus,
)
from annotator.core.review_build import review_of_rows
from annotator.core.roles import require_review
from annotator.core.schema import Schema
from annotator.db.repositories import SetFilter
from annotator.db.store import Store
from annotator.services.annotate import AnnotationService, Change, NewRelation, NewSpan


class ReviewStatus(StrEnum):
    UNREVIEWED = "unreviewed"
    IN_REVIEW = "in review"
    REVIEWED = "reviewed"


def review_status(gold: SetStatus | None) -> ReviewStatus:
    if gold == SetStatus.DONE:
        return ReviewStatus.REVIEWED
    if gold in (SetStatus.IN_PROGRESS, SetStatus.SKIPPED):
        return ReviewStatus.IN_REVIEW
    return ReviewStatus.UNREVIEWED


@dataclass(frozen=True, slots=True)
class ReviewItem:
    document_id: int
    external_id: str
    title: str
    length: int
    annotators: tuple[tuple[str, SetStatus], ...]
    status: ReviewStatus
    agreement: float | None        # mean pairwise span F1 (exact); None with fewer than two sets


@dataclass(frozen=True, slots=True)
class ReviewDocument:
    document: Document
    gold: AnnotationSet
    review: Review
    rejected: frozenset[Key]
    sets: Mapping[str, AnnotationSet]      # each annotator's set, by name

    @property
    def gold_id(self) -> int | None:
        """The gold set's id; None until the first decision creates it."""
        return self.gold.id

    @property
    def document_id(self) -> int:
        assert self.document.id is not None
        return self.document.id

    def states(self) -> list[State]:
        return states(self.review, [(s.start, s.end, s.label) for s in self.gold.spans],
                      self.rejected)

    def gold_state(self) -> GoldState:
        return GoldState.of(self.gold, self.rejected)


class ReviewService:
    """The use cases of one reviewer (or lead); every method checks the role in the store."""

    def __init__(self, store: Store, schema: Schema, *, reviewer: str) -> None:
        self.store = store
        self.schema = schema
        self.reviewer = reviewer
        self.gold = AnnotationService(store, schema, annotator=reviewer, kind=SetKind.GOLD)

    # -- reading ------------------------------------------------------------------------------

    def queue(self, *, scores: bool = True) -> list[ReviewItem]:
        """The documents that have annotators' sets, with their annotators, review status and
        agreement; the worst agreement first (documents with one annotator last), then by id."""
        with self.store.unit_of_work(actor=self.reviewer, write=False) as uow:
            require_review(self.gold._identity(uow), "review")
            doc_ids = uow.sets.documents_with_sets(SetKind.ANNOTATION)
            headers = uow.sets.headers(doc_ids)
            documents = {d.id: d for d in (uow.documents.get(i) for i in doc_ids) if d is not None}
            loaded = uow.sets.for_documents({i: d.text for i, d in documents.items()},
                                            SetFilter(kind=SetKind.ANNOTATION)) if scores else []
        by_doc: dict[int, dict[str, AnnotationSet]] = {}
        for aset in loaded:
            by_doc.setdefault(aset.document_id, {})[aset.owner] = aset
        score_of = {}
        if scores:
            from annotator.core.agreement import DocumentSets, document_scores

            found = document_scores([DocumentSets(documents[i].external_id, documents[i].text, sets)
                                     for i, sets in by_doc.items()])
            score_of = {i: found.get(documents[i].external_id) for i in by_doc}
        items = []
        for doc_id, document in documents.items():
            mine = [h for h in headers if h.document_id == doc_id]
            annotators = tuple((h.owner, h.status) for h in mine if h.kind == SetKind.ANNOTATION)
            gold = next((h.status for h in mine if h.kind == SetKind.GOLD), None)
            score = score_of.get(doc_id)
            value = score.span_f1_exact if score is not None and len(annotators) > 1 else None
            items.append(ReviewItem(doc_id, document.external_id, document.title,
                                    len(document.text), annotators, review_status(gold), value))
        return sorted(items, key=lambda i: (i.agreement is None,
                                            i.agreement if i.agreement is not None else 0.0,
                                            i.external_id))

    def open(self, document_id: int) -> ReviewDocument:
        """The document, its gold set and its candidates. Opening writes nothing: a document
        without gold gets its gold set (todo) with the first decision."""
        opened = self.gold.open_document(document_id, create=False)
        text = opened.document.text
        with self.store.unit_of_work(actor=self.reviewer, write=False) as uow:
            rows = uow.review.annotation_rows(document_id)
            rejected = uow.review.rejections([opened.set.id]).get(opened.set.id, set()) \
                if opened.set.id is not None else set()
        names = [owner for _, owner in rows.sets]
        review = review_of_rows(text, names, rows.spans,
                                {owner: rows.relations.get(set_id, ())
                                 for set_id, owner in rows.sets}, decode=rows.decode)
        sets = _SetsOnDemand(names, lambda: self._annotation_sets(document_id, text))
        return ReviewDocument(opened.document, opened.set, review, frozenset(rejected), sets)

    def _annotation_sets(self, document_id: int, text: str) -> dict[str, AnnotationSet]:
        with self.store.unit_of_work(actor=self.reviewer, write=False) as uow:
            sets = uow.sets.for_documents({document_id: text}, SetFilter(kind=SetKind.ANNOTATION))
        return {s.owner: s for s in sets}

    def rejections(self, gold_id: int) -> set[Key]:
        """The candidates rejected in gold set ``gold_id`` (as the store has them now)."""
        with self.store.unit_of_work(actor=self.reviewer, write=False) as uow:
            require_review(self.gold._identity(uow), "review")
            return uow.review.rejections([gold_id]).get(gold_id, set())

    def figures(self, opened: ReviewDocument) -> dict[str, Any] | None:
        """The document's agreement figures (annotator.core.agreement), as JSON; None with
        fewer than two annotators."""
        if len(opened.sets) < 2:
            return None
        from annotator.core.agreement import DocumentSets, compute_agreement

        report = compute_agreement([DocumentSets(opened.document.external_id,
                                                 opened.document.text, opened.sets)])
        return report.to_json()

    # -- decisions (each one transaction into gold) ---------------------------------------------

    def accept(self, opened: ReviewDocument, key: Key, gold: GoldState) -> Change:
        """Accept candidate ``key`` into gold (provenance: accepted, from the annotators who
        have it), with the relations linking it to spans already in gold that everyone who has
        both ends agrees on. ``gold``: the gold set as the caller sees it (the store still
        refuses duplicates)."""
        candidate = opened.review.candidate(key)
        if candidate is None:
            raise UserError(f"no annotator has the span {key[0]}-{key[1]} {key[2]}")
        if key in gold.ids:
            raise UserError(f"{key[2]} {key[0]}-{key[1]} is already in gold")
        return self._accept(opened, [key], gold)

    def reject(self, opened: ReviewDocument, key: Key, gold: GoldState) -> Change:
        """Reject candidate ``key``: recorded, and taken out of gold if it was there."""
        if opened.review.candidate(key) is None:
            raise UserError(f"no annotator has the span {key[0]}-{key[1]} {key[2]}")
        if key in gold.rejected:
            raise UserError(f"{key[2]} {key[0]}-{key[1]} is already rejected")
        remove = [gold.ids[key]] if key in gold.ids else []
        return self.gold.change(gold.set_id or opened.gold_id, document_id=opened.document_id,
                                delete=remove,
                                reject=[key])

    def take_version(self, opened: ReviewDocument, annotator: str, region: int,
                     gold: GoldState) -> Change:
        """Make the gold of region ``region`` annotator ``annotator``'s version of it: gold spans
        overlapping the region that are not in that version go, the version's spans come (each
        accepted from every annotator who has it), the region's other candidates are rejected,
        and the version's relations whose ends are both in gold come too."""
        review = opened.review
        if annotator not in review.annotators:
            raise UserError(f"{annotator!r} has no set of this document")
        if not 0 <= region < len(review.regions):
            raise UserError(f"no region {region}")
        area = review.regions[region]
        version = review.version(annotator, region)
        wanted = {(s.start, s.end, s.label) for s in version.spans}
        remove = {key: gold.ids[key] for key in gold.keys_overlapping(area.start, area.end)
                  if key not in wanted}
        add = [self._new_span(opened, key) for key in sorted(wanted) if key not in gold.ids]
        others = {review.candidates[i].key for i in area.candidates} - wanted

        def after(key: Key) -> bool:   # in gold once this is done
            return key in wanted or (key in gold.ids and key not in remove)

        relate = [self._relation(kind, head, tail, gold.ids, remove)
                  for kind, head, tail in version.relations
                  if after(head) and after(tail) and (kind, head, tail) not in gold.relations]
        return self.gold.change(gold.set_id or opened.gold_id, document_id=opened.document_id,
                                delete=sorted(remove.values()), add=add,
                                relate=relate, reject=sorted(others - gold.rejected),
                                unreject=sorted(wanted & gold.rejected))

    def accept_unanimous(self, opened: ReviewDocument, gold: GoldState, *,
                         min_agree: int | None = None) -> Change:
        """Accept every open candidate that every annotator has (or, with ``min_agree``, that at
        least that many have and that no competing candidate, overlapping with the same label or
        on the same offsets, matches in number), with the relations everyone agrees on."""
        keys = self.unanimous_keys(opened, gold, min_agree=min_agree)
        if not keys:
            return Change(gold.set_id or opened.gold_id or 0)
        return self._accept(opened, keys, gold)

    def unanimous_keys(self, opened: ReviewDocument, gold: GoldState, *,
                       min_agree: int | None = None) -> list[Key]:
        review = opened.review
        need = len(review.annotators) if min_agree is None else min_agree
        if need < 1:
            raise UserError("--min-agree must be 1 or more")
        found = states(review, sorted(gold.ids), gold.rejected)
        every, holders, firsts = review.keys, review.holders, review.region_firsts
        keys = []
        for i, state in enumerate(found):
            count = len(holders[i])
            if state != State.OPEN or count < need:
                continue
            region = review.region_of[i]
            last = firsts[region + 1] if region + 1 < len(firsts) else len(every)
            key = every[i]
            if all(len(holders[j]) < count for j in range(firsts[region], last)
                   if j != i and _competes(key, every[j])):   # no rival as strong
                keys.append(key)
        return keys

    def mark_reviewed(self, opened: ReviewDocument, *, reviewed: bool = True
                      ) -> tuple[SetStatus, SetStatus]:
        """Mark the document reviewed (its gold set done), or back in review."""
        set_id = opened.gold_id
        if set_id is None:
            set_id = self.gold.change(None, document_id=opened.document_id).set_id
        return self.gold.set_status(set_id, SetStatus.DONE if reviewed else SetStatus.IN_PROGRESS)

    # -- internals ----------------------------------------------------------------------------

    def _new_span(self, opened: ReviewDocument, key: Key) -> NewSpan:
        candidate = opened.review.candidate(key)
        sources = candidate.annotators if candidate is not None else ()
        return NewSpan(key[0], key[1], key[2], attributes=self._attributes(opened, key),
                       provenance=Provenance(self.reviewer, Decision.ACCEPTED, tuple(sources)))

    @staticmethod
    def _attributes(opened: ReviewDocument, key: Key) -> dict[str, str]:
        """The attributes (quote kind ...) the candidate's annotators gave it: each attribute's
        most frequent value, the first in name order on a tie; left out when nobody gave one."""
        votes: dict[str, dict[str, int]] = {}
        for span in opened.review.spans_with_key(key):
            for name, value in span.attributes.items():
                counts = votes.setdefault(name, {})
                counts[value] = counts.get(value, 0) + 1
        return {name: min(counts, key=lambda v: (-counts[v], v))
                for name, counts in sorted(votes.items())}

    def _accept(self, opened: ReviewDocument, keys: Sequence[Key], gold: GoldState) -> Change:
        """``keys`` into gold, with the relation candidates touching them whose two ends are
        then in gold and that everyone who has both ends links so. Only the candidates' own
        relations are looked at, and the gold set is not copied: a decision costs the same
        with 10 or 10,000 spans in gold."""
        new = set(keys)
        after = ChainMap(dict.fromkeys(new), gold.ids)   # gold once this is done
        relate = [self._relation(r.type, r.head, r.tail, gold.ids, {})
                  for r in relations_to_accept(opened.review, after, touching=new)
                  if (r.type, r.head, r.tail) not in gold.relations]
        return self.gold.change(gold.set_id or opened.gold_id, document_id=opened.document_id,
                                add=[self._new_span(opened, k) for k in keys],
                                relate=relate, unreject=sorted(new & gold.rejected))

    @staticmethod
    def _relation(kind: str, head: Key, tail: Key, ids: Mapping[Key, int],
                  removed: Mapping[Key, int]) -> NewRelation:
        """A relation whose ends are stored gold spans (their ids) or spans added now (keys)."""
        def ref(key: Key) -> int | Key:
            return ids[key] if key in ids and key not in removed else key
        return NewRelation(kind, ref(head), ref(tail))


@dataclass(frozen=True, slots=True)
class GoldState:
    """The gold set as the reviewer's window holds it: span ids by key, relations by keys, the
    rejected candidates, and its id (once a decision made it: the document had none when it was
    opened; without it each decision looked the set up again)."""

    ids: Mapping[Key, int]
    relations: AbstractSet[tuple[str, Key, Key]] = frozenset()
    rejected: AbstractSet[Key] = frozenset()
    set_id: int | None = None
    #: the keys of the gold spans that share a character with [start, end) (the window's index
    #: of its spans); without it, every key is looked at
    overlapping: Callable[[int, int], Iterable[Key]] | None = None

    def keys_overlapping(self, start: int, end: int) -> list[Key]:
        if self.overlapping is not None:
            return list(self.overlapping(start, end))
        return [key for key in self.ids if key[0] < end and key[1] > start]

    @classmethod
    def of(cls, gold: AnnotationSet, rejected: Collection[Key] = ()) -> GoldState:
        ids = {(s.start, s.end, s.label): s.id for s in gold.spans if s.id is not None}
        keys = {s.id: (s.start, s.end, s.label) for s in gold.spans}
        relations = frozenset((r.type, keys[r.head], keys[r.tail]) for r in gold.relations
                              if r.head in keys and r.tail in keys)
        return cls(ids, relations, frozenset(rejected), gold.id)


class _SetsOnDemand(Mapping[str, AnnotationSet]):
    """The annotators' sets of a document by owner, read from the store the first time a set
    is asked for (the review itself needs only their keys; the agreement figures need the sets,
    after the document is shown)."""

    def __init__(self, owners: Sequence[str], load: Callable[[], dict[str, AnnotationSet]]
                 ) -> None:
        self._owners = tuple(owners)
        self._load = load
        self._sets: dict[str, AnnotationSet] | None = None

    def __getitem__(self, owner: str) -> AnnotationSet:
        if owner not in self._owners:
            raise KeyError(owner)
        if self._sets is None:
            self._sets = self._load()
        return self._sets[owner]

    def __iter__(self) -> Iterator[str]:
        return iter(self._owners)

    def __len__(self) -> int:
        return len(self._owners)


def _competes(a: Key, b: Key) -> bool:
    same_offsets = (a[0], a[1]) == (b[0], b[1])
    overlaps = a[0] < b[1] and b[0] < a[1]
    return same_offsets or (overlaps and a[2] == b[2])
