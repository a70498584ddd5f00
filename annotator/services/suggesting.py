"""Suggestions: the reserved ``suggestions`` set of each document, what the window shows an
annotator, accepting and rejecting them, and how each suggester fares.

    report = suggest_documents(store, actor="lina", docs="sn_*")     # reviewers and leads
    service = SuggestionService(AnnotationService(store, schema, annotator="mona"))
    shown = service.proposals(document, set_id)            # computed now (or the stored set)
    change = service.accept(set_id, shown, [3], have=ids, links=set())   # one transaction
    annotation.change(set_id, **annotation.inverse_of(change))           # its undo

Rules:

- :func:`suggest_documents` replaces the contents of each chosen document's ``suggestions`` set
  in one transaction per document (journaled as one ``suggest`` event of the set, with the
  spans before and after); a document whose suggestions did not change is not written. Human
  sets are never touched. Only reviewers and leads run it: annotators read the suggestions
  (the window computes them for them, from their own work only).
- Propagation (``known``) uses the strings of the labels that strip clitics (names: actor,
  location): in :func:`suggest_documents` those of every human set (annotation and gold), the
  most frequent label of a string winning (then the first in name order); in the window, for
  an annotator, only their own sets (blind annotation), for a reviewer every human set.
- Suggestions keep only what the project's schema has: labels, attribute values, relation
  types with the right ends.
- The window computes the suggestions when a document opens (``compute=True``, the setting
  ``suggest_on_open``); otherwise it reads the stored ``suggestions`` set, less the propagated
  spans for an annotator (they come from other people's sets).
- An accepted span is a copy in the annotator's own set with origin ``suggested`` and the
  suggestion's ``source`` (suggester, confidence), with the suggested relations whose other end
  is in the set (the same start, end and label) or accepted with it. A rejection is a
  ``suggestion_rejection`` row of the annotator's set. Both go through
  :meth:`AnnotationService.change`, so they are one transaction and undo exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from annotator.core.doc_query import DocQuery
from annotator.core.errors import UserError
from annotator.core.model import (
    SUGGESTIONS,
    AnnotationSet,
    Document,
    Origin,
    Role,
    SetKind,
    SetStatus,
    Span,
)
from annotator.core.roles import require_review
from annotator.core.schema import Schema
from annotator.core.suggest import (
    SUGGESTERS,
    Resources,
    SuggestedRelation,
    Suggestion,
    Suggestions,
    default_resources,
    suggest,
)
from annotator.db.repositories import SetFilter
from annotator.db.store import Store, UnitOfWork
from annotator.services.annotate import (
    AnnotationService,
    Change,
    NewRelation,
    NewSpan,
    RejectedSuggestion,
    SpanRef,
)
from annotator.services.project import project_schema
from annotator.services.team import identity

Key = tuple[int, int, str]
PROPAGATE = "propagate"
PAGE = 200   # documents read per query by suggest_documents


# -- shared -------------------------------------------------------------------------------------


def parse_only(only: str | Collection[str] | None) -> tuple[str, ...] | None:
    """The suggesters of ``--only quotes,cues`` (None: all); UserError for an unknown one."""
    if only is None:
        return None
    names = [n.strip() for n in only.split(",")] if isinstance(only, str) else list(only)
    names = [n for n in names if n]
    if not names:
        raise UserError(f"--only: name one or more of {', '.join(SUGGESTERS)}")
    unknown = [n for n in names if n not in SUGGESTERS]
    if unknown:
        raise UserError(f"--only: unknown suggester {unknown[0]!r}; one of "
                        f"{', '.join(SUGGESTERS)}")
    return tuple(dict.fromkeys(names))


def name_labels(schema: Schema) -> list[str]:
    """The labels whose strings propagate: those that strip clitics (names)."""
    return [label.name for label in schema.labels if label.strips_clitics]


def known_strings(counts: Mapping[tuple[str, str], int]) -> dict[str, str]:
    """string -> label from (string, label) counts: the most frequent label, then by name."""
    best: dict[str, tuple[int, str]] = {}
    for (text, label), n in counts.items():
        old = best.get(text)
        if old is None or (-n, label) < (-old[0], old[1]):
            best[text] = (n, label)
    return {text: label for text, (_, label) in sorted(best.items())}


def fit_to_schema(found: Suggestions, schema: Schema) -> Suggestions:
    """``found`` less what the schema lacks: spans of unknown labels, attribute values it does
    not allow (the span stays without them), relations of unknown types or wrong ends."""
    keep: dict[int, int] = {}
    spans: list[Suggestion] = []
    for i, s in enumerate(found.spans):
        if not schema.has_label(s.label):
            continue
        attributes = {k: v for k, v in s.attributes.items()
                      if schema.check_attributes(s.label, {k: v}) is None}
        if attributes != dict(s.attributes):
            s = Suggestion(s.start, s.end, s.label, s.suggester, s.confidence,
                           MappingProxyType(attributes))
        keep[i] = len(spans)
        spans.append(s)
    relations = []
    for r in found.relations:
        if r.head not in keep or r.tail not in keep or not schema.has_relation(r.type):
            continue
        rule = schema.relation(r.type)
        if found.spans[r.head].label == rule.head and found.spans[r.tail].label == rule.tail:
            relations.append(SuggestedRelation(r.type, keep[r.head], keep[r.tail]))
    return Suggestions(tuple(spans), tuple(relations))


def source_of(suggestion: Suggestion) -> dict[str, Any]:
    return {"suggester": suggestion.suggester, "confidence": suggestion.confidence}


def from_set(aset: AnnotationSet) -> Suggestions:
    """A stored ``suggestions`` set as :class:`Suggestions` (relations by span index)."""
    index = {s.id: n for n, s in enumerate(aset.spans)}
    spans = tuple(Suggestion(s.start, s.end, s.label,
                             str((s.source or {}).get("suggester") or "unknown"),
                             float((s.source or {}).get("confidence") or 0.0),
                             MappingProxyType(dict(s.attributes))) for s in aset.spans)
    relations = tuple(SuggestedRelation(*r) for r in sorted(
        (r.type, index[r.head], index[r.tail]) for r in aset.relations
        if r.head in index and r.tail in index))
    return Suggestions(spans, relations)


def _signature(found: Suggestions) -> tuple[Any, ...]:
    keys = [s.key for s in found.spans]
    return (sorted((s.start, s.end, s.label, sorted(s.attributes.items()), s.suggester,
                    s.confidence) for s in found.spans),
            sorted((r.type, keys[r.head], keys[r.tail]) for r in found.relations))


# -- the suggestions sets (annotator suggest) ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentSuggestions:
    external_id: str
    spans: int
    relations: int
    by_suggester: Mapping[str, int]
    written: bool           # False: the stored set already held exactly these


@dataclass
class SuggestReport:
    documents: list[DocumentSuggestions] = field(default_factory=list)

    @property
    def spans(self) -> int:
        return sum(d.spans for d in self.documents)

    @property
    def relations(self) -> int:
        return sum(d.relations for d in self.documents)

    @property
    def written(self) -> int:
        return sum(1 for d in self.documents if d.written)


def suggest_documents(store: Store, *, actor: str, docs: str | None = None,
                      only: str | Collection[str] | None = None,
                      resources: Resources | None = None) -> SuggestReport:
    """Compute the suggestions of each chosen document (``docs``: a DocQuery; all by default)
    with the suggesters ``only`` (all by default) and make them its ``suggestions`` set: one
    transaction per document, so an interrupted run keeps the documents it finished."""
    chosen = parse_only(only)
    query = DocQuery.parse(docs)
    schema = project_schema(store)
    with store.unit_of_work(actor=actor) as uow:
        require_review(identity(uow, actor), "write the suggestions (annotator suggest)")
        ids = [(i, ext) for i, ext, title in uow.documents.index() if query.matches(ext, title)]
        known = known_strings(uow.suggestions.labeled_strings(name_labels(schema))) \
            if chosen is None or PROPAGATE in chosen else {}
    res = resources if resources is not None else default_resources()
    report = SuggestReport()
    for n in range(0, len(ids), PAGE):
        page = ids[n:n + PAGE]
        with store.unit_of_work(actor=actor) as uow:
            texts = {i: d.text for i, d in uow.documents.many([i for i, _ in page]).items()}
        for document_id, external_id in page:
            found = fit_to_schema(suggest(texts[document_id], only=chosen, known=known,
                                          resources=res), schema)
            with store.unit_of_work(actor=actor) as uow:
                written = _store(uow, document_id, texts[document_id], found)
            counts: dict[str, int] = defaultdict(int)
            for s in found.spans:
                counts[s.suggester] += 1
            report.documents.append(DocumentSuggestions(
                external_id, len(found.spans), len(found.relations), dict(sorted(counts.items())),
                written))
    return report


def _store(uow: UnitOfWork, document_id: int, text: str, found: Suggestions) -> bool:
    """Make ``found`` the document's suggestions set (created if missing); False when it
    already was exactly that (nothing written)."""
    owner_id = uow.annotators.ensure(SUGGESTIONS, Role.SYSTEM)
    set_id = uow.sets.find(document_id, owner_id, SetKind.SUGGESTIONS)
    before = None
    if set_id is not None:
        old = uow.sets.load(set_id, text)
        before = from_set(old)
        if _signature(before) == _signature(found):
            return False
    else:
        set_id = uow.sets.create(document_id, owner_id, SetKind.SUGGESTIONS,
                                 status=SetStatus.DONE)
        uow.record("create", "annotation_set", entity_id=set_id, document_id=document_id,
                   set_id=set_id, after={"owner": SUGGESTIONS, "kind": str(SetKind.SUGGESTIONS),
                                         "status": str(SetStatus.DONE)})
    spans = [Span(start=s.start, end=s.end, label=s.label, text=text[s.start:s.end],
                  attributes=dict(s.attributes), origin=Origin.SUGGESTED, source=source_of(s))
             for s in found.spans]
    uow.sets.replace_contents(set_id, spans, [(r.type, r.head, r.tail) for r in found.relations])
    uow.sets.touch(set_id)
    uow.record("suggest", "annotation_set", entity_id=set_id, document_id=document_id,
               set_id=set_id, before=None if before is None else _state(before),
               after=_state(found))
    return True


def _state(found: Suggestions) -> dict[str, Any]:
    return {"spans": [[s.start, s.end, s.label, s.suggester, s.confidence, dict(s.attributes)]
                      for s in found.spans],
            "relations": [[r.type, r.head, r.tail] for r in found.relations]}


# -- the window ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Proposals:
    """The suggestions of one document for one person, and the ones they rejected (by key)."""

    suggestions: Suggestions
    rejected: frozenset[Key] = frozenset()
    stored: bool = False        # read from the store's suggestions set, not computed on open

    @property
    def spans(self) -> tuple[Suggestion, ...]:
        return self.suggestions.spans


EMPTY = Proposals(Suggestions((), ()))


class SuggestionService:
    """Suggestions for one person in the window (see the module docstring for the rules).

    ``compute``: run the suggesters when a document opens (the resources are read once, here);
    else read the stored ``suggestions`` set."""

    def __init__(self, annotation: AnnotationService, *, compute: bool = True,
                 resources: Resources | None = None) -> None:
        self.annotation = annotation
        self.schema = annotation.schema
        self.compute = compute
        self.resources = resources if resources is not None or not compute \
            else default_resources()
        self._counts: dict[tuple[str, str], int] | None = None

    @property
    def store(self) -> Store:
        return self.annotation.store

    def proposals(self, document: Document, set_id: int | None) -> Proposals:
        """What to offer on ``document``: every suggestion (the window hides those the set
        already has) and the ones rejected in set ``set_id``."""
        found = self.prepare(document, set_id)
        return found if isinstance(found, Proposals) else found()

    def prepare(self, document: Document, set_id: int | None
                ) -> Proposals | Callable[[], Proposals]:
        """:meth:`proposals` in two steps: what it reads from the store, now (the stored set's
        proposals, or the rejections and the names to propagate), and what it computes from
        them: a function that touches neither the store nor this service's state, so that
        a window may run it on another thread (a book's suggestions take seconds)."""
        assert document.id is not None
        with self.store.unit_of_work(actor=self.annotation.annotator) as uow:
            who = identity(uow, self.annotation.annotator)
            found = uow.suggestions.suggestion_rejections([set_id]) if set_id is not None else {}
            rejected = frozenset(found.get(set_id, {})) if set_id is not None else frozenset()
            if self.compute:
                if self._counts is None:
                    self._counts = dict(uow.suggestions.labeled_strings(
                        name_labels(self.schema), owner=None if who.reviews else who.name))
                stored = None
            else:
                stored = uow.sets.for_documents({document.id: document.text},
                                                SetFilter(kind=SetKind.SUGGESTIONS))
        if stored is None:
            text, schema, resources = document.text, self.schema, self.resources
            known = known_strings(self._counts or {})   # a copy: learn() goes on meanwhile

            def compute() -> Proposals:
                found_now = suggest(text, known=known, resources=resources)
                return Proposals(fit_to_schema(found_now, schema), rejected, stored=False)

            return compute
        suggestions = from_set(stored[0]) if stored else Suggestions((), ())
        if not who.reviews:
            suggestions = _without(suggestions, PROPAGATE)
        return Proposals(fit_to_schema(suggestions, self.schema), rejected, stored=True)

    def learn(self, text: str, spans: Iterable[Span]) -> None:
        """Strings this person labeled (the document they leave): propagated from now on."""
        if self._counts is None:
            return   # read from the store, with these, on first use
        labels = set(name_labels(self.schema))
        for span in spans:
            if span.label in labels:
                key = (text[span.start:span.end], span.label)
                self._counts[key] = self._counts.get(key, 0) + 1

    def accept(self, set_id: int, proposals: Proposals, indexes: Sequence[int], *,
               have: Mapping[Key, int], links: Collection[tuple[str, Key, Key]],
               touching: Callable[[int], Iterable[int]] | None = None) -> Change:
        """Copy suggestions ``indexes`` into set ``set_id`` (origin suggested, their source),
        with the suggested relations whose ends are in the set (``have``: key -> span id) or
        accepted now, and that the set does not have yet (``links``: type, head key, tail key).
        One transaction. ``touching(i)``: the positions in the proposals' relations of those
        with suggestion ``i`` at an end (the window's index: a book has thousands of suggested
        relations, and one Enter looked at each); None: every relation is looked at."""
        spans = proposals.spans
        chosen = list(dict.fromkeys(indexes))
        for i in chosen:
            if not 0 <= i < len(spans):
                raise UserError(f"no suggestion {i}")
            if spans[i].key in have:
                s = spans[i]
                raise UserError(f"{s.label} {s.start}-{s.end} is already in your set")
        new = {spans[i].key for i in chosen}
        add = [NewSpan(spans[i].start, spans[i].end, spans[i].label,
                       attributes=dict(spans[i].attributes), origin=Origin.SUGGESTED,
                       source=source_of(spans[i])) for i in chosen]

        def ref(key: Key) -> SpanRef:
            return key if key in new else have[key]

        relate = []
        relations = proposals.suggestions.relations
        if touching is not None:   # the same relations, in the same order
            relations = tuple(relations[n] for n in sorted({n for i in chosen
                                                            for n in touching(i)}))
        for r in relations:
            head, tail = spans[r.head].key, spans[r.tail].key
            if (head in new or tail in new) and (head in new or head in have) \
                    and (tail in new or tail in have) and (r.type, head, tail) not in links:
                relate.append(NewRelation(r.type, ref(head), ref(tail)))
        return self.annotation.change(set_id, add=add, relate=relate)

    def reject(self, set_id: int, suggestion: Suggestion) -> Change:
        """Reject a suggestion: hidden for this person in this document, remembered."""
        return self.annotation.change(set_id, dismiss=[RejectedSuggestion(
            suggestion.start, suggestion.end, suggestion.label, suggestion.suggester)])


def _without(found: Suggestions, suggester: str) -> Suggestions:
    keep = {i: n for n, i in enumerate(i for i, s in enumerate(found.spans)
                                       if s.suggester != suggester)}
    return Suggestions(tuple(found.spans[i] for i in keep),
                       tuple(SuggestedRelation(r.type, keep[r.head], keep[r.tail])
                             for r in found.relations if r.head in keep and r.tail in keep))


# -- how the suggesters fare (annotator suggest --stats, the window's dialog) -------------------


@dataclass(frozen=True, slots=True)
class SuggesterStats:
    """Outcomes of one suggester's proposals in the annotators' sets.

    ``accepted``: accepted spans unchanged since; ``fixed``: accepted then edited (offsets,
    label or attributes differ from the state journaled when accepted); ``rejected``: rejected
    with ``x``; ``ignored``: in the stored suggestions set of a document whose annotation set
    is done, neither accepted nor rejected there (and not labeled the same by hand)."""

    suggester: str
    accepted: int = 0
    fixed: int = 0
    rejected: int = 0
    ignored: int = 0

    @property
    def total(self) -> int:
        return self.accepted + self.fixed + self.rejected + self.ignored

    @property
    def acceptance(self) -> float | None:
        """(accepted + fixed) / total; None without any outcome."""
        return (self.accepted + self.fixed) / self.total if self.total else None

    def to_json(self) -> dict[str, Any]:
        return {"suggester": self.suggester, "accepted": self.accepted, "fixed": self.fixed,
                "rejected": self.rejected, "ignored": self.ignored, "total": self.total,
                "acceptance": None if self.acceptance is None else round(self.acceptance, 4)}


@dataclass(frozen=True, slots=True)
class SuggestionStats:
    rows: tuple[SuggesterStats, ...]
    documents: int          # documents with an annotation set looked at
    sets: int               # annotation sets looked at

    @property
    def total(self) -> SuggesterStats:
        return SuggesterStats("all", *(sum(getattr(r, f) for r in self.rows)
                                       for f in ("accepted", "fixed", "rejected", "ignored")))

    def to_json(self) -> dict[str, Any]:
        return {"documents": self.documents, "sets": self.sets,
                "suggesters": [r.to_json() for r in self.rows], "all": self.total.to_json()}


def suggestion_stats(store: Store, *, actor: str, docs: str | None = None) -> SuggestionStats:
    """Per suggester, how the annotators' sets of the chosen documents took its proposals
    (reviewers and leads: it reads every annotator's set)."""
    query = DocQuery.parse(docs)
    with store.unit_of_work(actor=actor) as uow:
        require_review(identity(uow, actor), "see how the suggestions fare")
        chosen = {i for i, ext, title in uow.documents.index() if query.matches(ext, title)}
        headers = [h for h in uow.sets.headers(chosen)]
        human = [h for h in headers if h.kind == SetKind.ANNOTATION]
        stored = {h.document_id: h.id for h in headers if h.kind == SetKind.SUGGESTIONS}
        accepted = uow.suggestions.suggested_spans([h.id for h in human])
        at_accept = uow.suggestions.added_states([r.id for r in accepted])
        rejections = uow.suggestions.suggestion_rejections([h.id for h in human])
        done = [h for h in human if h.status == SetStatus.DONE and h.document_id in stored]
        keys = uow.suggestions.span_keys([h.id for h in done])
        proposed: dict[int, dict[Key, str]] = defaultdict(dict)   # suggestions set -> key
        for record in uow.suggestions.suggested_spans({stored[h.document_id] for h in done}):
            proposed[record.set_id][(record.start, record.end, record.label)] = \
                str((record.source or {}).get("suggester") or "unknown")
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    original: dict[int, set[Key]] = defaultdict(set)   # set id -> keys as accepted
    for record in accepted:
        name = str((record.source or {}).get("suggester") or "unknown")
        state = at_accept.get(record.id)
        now = (record.start, record.end, record.label, dict(record.attributes))
        then = now if state is None else (state.get("start"), state.get("end"),
                                          state.get("label"), state.get("attributes") or {})
        counts[name][0 if then == now else 1] += 1
        original[record.set_id].add((then[0], then[1], then[2]))  # type: ignore[arg-type]
    for rejected in rejections.values():
        for suggester in rejected.values():
            counts[str(suggester or "unknown")][2] += 1
    for h in done:
        taken = set(keys.get(h.id, [])) | original[h.id] | set(rejections.get(h.id, {}))
        for key, suggester in proposed[stored[h.document_id]].items():
            if key not in taken:
                counts[suggester][3] += 1
    order = {name: n for n, name in enumerate(SUGGESTERS)}
    rows = tuple(SuggesterStats(name, *values) for name, values in
                 sorted(counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))
    return SuggestionStats(rows, len({h.document_id for h in human}), len(human))
