"""The annotation use case: one annotator's queue, their set per document, spans and relations.

    service = AnnotationService(store, project_schema(store), annotator="mona")
    opened = service.open_document(doc_id)                 # creates mona's set (todo) if missing
    span = service.add_span(opened.set.id, 41, 46, "actor")
    gone = service.delete_span(span.id); service.restore_span(gone)   # undo, same ids

Rules every method keeps:

- **One transaction per call.** A method that writes opens exactly one unit of work (actor = the
  annotator) and journals every row it changes (``event``: action, entity, before/after state).
  Actions: ``add`` / ``update`` / ``delete`` / ``restore`` of ``span``; ``add`` / ``delete`` /
  ``restore`` of ``relation``; ``create`` / ``status`` / ``time`` of ``annotation_set``.
  A call that would change nothing (same status, 0 seconds, an update to the same values, an
  empty batch) writes nothing and journals nothing.
- **Bad input is a UserError and changes nothing**: offsets outside the text, empty, or splitting
  a letter from its harakat / an emoji sequence (offsets must be grapheme boundaries); a label,
  attribute or relation type the schema does not have; relation ends with the wrong labels, in
  different sets, or the same span; a duplicate span (same start, end and label in the set) or
  duplicate relation; a set of someone else (DESIGN invariant 4: annotators write only their own
  annotation sets, never gold, suggestions or another annotator's).
- **todo -> in_progress.** The first change of a set's *annotations* (adding, updating, deleting
  or restoring a span or relation) moves a ``todo`` set to ``in_progress`` in the same transaction
  (journaled as a ``status`` event). :meth:`AnnotationService.set_status` sets whatever it is
  given, and :meth:`AnnotationService.add_active_seconds` (time spent looking) never moves it.
- **Relabeling** keeps the attributes the new label also has and drops the others (the returned
  ``before`` span has them, so an update back restores them); it is refused while a relation of
  the span needs the old label.
- **Known names** for clitic snapping: :meth:`AnnotationService.known_names` reads the store
  (gazetteer, read once per service, plus the text of every span whose label strips clitics, in
  every set and document) and caches the result; adding or changing such a span through this
  service extends the cache (:meth:`AnnotationService.remember_name`), so
  :meth:`AnnotationService.snap_selection` never queries the store after the first call. Call
  ``known_names()`` again to pick up other annotators' new names. Deleting a span does not forget
  its name.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from annotator.core.errors import ConflictError, UserError
from annotator.core.model import (
    GOLD,
    RESERVED_OWNERS,
    AnnotationSet,
    Decision,
    Document,
    Origin,
    Provenance,
    Relation,
    Role,
    SetKind,
    SetStatus,
    Span,
    stored_span,
)
from annotator.core.roles import (
    Identity,
    may_read,
    require_annotate,
    require_read,
    require_review,
)
from annotator.core.schema import Schema
from annotator.core.snap import KnownNames, SnapResult, snap
from annotator.core.text import is_grapheme_boundary
from annotator.db.models import utcnow
from annotator.db.repositories import SetInfo, SpanRecord
from annotator.db.store import Store, UnitOfWork
from annotator.services.snapping import SnapNames


@dataclass(frozen=True, slots=True)
class QueueItem:
    document_id: int
    external_id: str
    title: str
    length: int
    status: SetStatus
    spans: int


@dataclass(frozen=True, slots=True)
class OpenDocument:
    document: Document
    set: AnnotationSet


@dataclass(frozen=True, slots=True)
class SetHeader:
    """A set of a document as a chooser lists it: whose it is, what kind, in what state."""

    set_id: int
    owner: str
    kind: SetKind
    status: SetStatus


@dataclass(frozen=True, slots=True)
class DeletedSpan:
    """What :meth:`AnnotationService.delete_span` removed, enough to put it back exactly.

    ``relations`` are the relations that went with the span; ``created_at``/``updated_at`` are the
    row's timestamps (None: a restore stamps it now).
    """

    span: Span
    set_id: int
    relations: tuple[Relation, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class NewSpan:
    """A span to add in :meth:`AnnotationService.change`."""

    start: int
    end: int
    label: str
    attributes: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""
    origin: Origin = Origin.MANUAL
    provenance: Provenance | None = None
    source: Mapping[str, Any] | None = None

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)


#: A relation end in :meth:`AnnotationService.change`: a stored span's id, or the (start, end,
#: label) of a span added by the same change.
SpanRef = int | tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class NewRelation:
    type: str
    head: SpanRef
    tail: SpanRef


@dataclass(frozen=True, slots=True)
class RejectedSuggestion:
    """A suggestion an annotator rejected in their set (``x`` in the window): hidden for them
    in that document, and remembered with the suggester that made it."""

    start: int
    end: int
    label: str
    suggester: str | None = None

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)


@dataclass(frozen=True, slots=True)
class Change:
    """What :meth:`AnnotationService.change` did; :meth:`inverse_of` undoes it exactly.

    ``removed``: spans deleted (with the relations that went with them); ``put``: spans added or
    restored; ``unlinked``: relations deleted on their own; ``linked``: relations added or restored
    on their own.
    """

    set_id: int
    removed: tuple[DeletedSpan, ...] = ()
    put: tuple[Span, ...] = ()
    unlinked: tuple[Relation, ...] = ()
    linked: tuple[Relation, ...] = ()
    rejected: tuple[tuple[int, int, str], ...] = ()     # review: candidates rejected
    unrejected: tuple[tuple[int, int, str], ...] = ()   # review: rejections taken back
    dismissed: tuple[RejectedSuggestion, ...] = ()      # annotation: suggestions rejected
    undismissed: tuple[RejectedSuggestion, ...] = ()    # annotation: those rejections taken back

    @property
    def empty(self) -> bool:
        return not (self.removed or self.put or self.unlinked or self.linked or self.rejected
                    or self.unrejected or self.dismissed or self.undismissed)


class AnnotationService:
    """The use cases of one person on one kind of set (see the module docstring for the rules).

    ``kind=SetKind.ANNOTATION`` (the default): the annotator's own sets. ``kind=SetKind.GOLD``:
    a reviewer (or lead) editing the gold sets; every span written gets its provenance (who
    decided, how: added by hand or edited; accepted candidates come from the review service).
    """

    def __init__(self, store: Store, schema: Schema, *, annotator: str,
                 kind: SetKind = SetKind.ANNOTATION) -> None:
        if not isinstance(annotator, str) or not annotator.strip():
            raise UserError("an annotator name is needed")
        if annotator in RESERVED_OWNERS or annotator == "system":
            raise UserError(f"{annotator!r} is a reserved name; annotate under your own name")
        if kind == SetKind.SUGGESTIONS:
            raise UserError("suggestions are written by the suggest service, not by hand")
        self.store = store
        self.schema = schema
        self.annotator = annotator
        self.kind = kind
        self._names = SnapNames(schema)
        self._texts: dict[int, str] = {}

    # -- reading ------------------------------------------------------------------------------

    def watcher(self) -> Any:
        """A ChangeWatcher (annotator.db.watch) on this store: which sets others changed."""
        from annotator.db.watch import ChangeWatcher

        return ChangeWatcher(self.store)

    def identity(self) -> Identity:
        """This person and their role as the store has it now."""
        with self._uow(write=False) as uow:
            return self._identity(uow)

    def queue(self) -> list[QueueItem]:
        """The documents by external id, with this annotator's set status (todo without a set)
        and span count; one query whatever the number of documents. Once work has been assigned
        in the store (``annotator assign`` or ``import --annotator``), an annotator's queue holds
        only the documents assigned to them; before that, and for reviewers and leads, every
        document."""
        with self._uow(write=False) as uow:
            rows = uow.sets.queue(self.annotator)
            assigned_only = self._identity(uow).role == Role.ANNOTATOR and uow.sets.any_assigned()
        return [QueueItem(r.document_id, r.external_id, r.title, r.length,
                          r.status if r.status is not None else SetStatus.TODO, r.spans)
                for r in rows if not assigned_only or r.set_id is not None]

    def load_set(self, set_id: int) -> AnnotationSet:
        """A set with its spans and relations, if this person may read it (blind annotation:
        an annotator reads only their own sets and the suggestions)."""
        with self._uow(write=False) as uow:
            info = self._info(uow, set_id)
            require_read(self._identity(uow), owner=info.owner, kind=info.kind)
            return uow.sets.load(set_id, self._text(uow, info.document_id))

    def readable_sets(self, document_id: int) -> list[SetHeader]:
        """The sets of a document this person may read (blind annotation: an annotator reads
        their own sets and the suggestions; reviewers and leads every set), annotation sets
        first, then gold, then the suggestions, each by owner."""
        with self._uow(write=False) as uow:
            who = self._identity(uow)
            return [SetHeader(h.id, h.owner, h.kind, h.status)
                    for h in uow.sets.headers([document_id])
                    if may_read(who, owner=h.owner, kind=h.kind)]

    def open_document(self, document_id: int, *, create: bool = True) -> OpenDocument:
        """The document and this person's set of it (their annotation set, or the gold set for a
        reviewer), created (todo, journaled) if missing; with ``create=False`` nothing is
        written and a missing set comes back empty, with id None (:meth:`change` with
        ``set_id=None`` creates it with the first change)."""
        with self._uow(write=False) as uow:   # reading: another process may be writing
            document = uow.documents.get(document_id)
            if document is None:
                raise UserError(f"document {document_id} does not exist")
            self._texts[document_id] = document.text   # the first action need not read it again
            if self.kind == SetKind.GOLD:
                require_review(self._identity(uow), "open the gold set")
            owner = GOLD if self.kind == SetKind.GOLD else self.annotator
            owner_id = uow.annotators.id_of(owner)
            set_id = None if owner_id is None else uow.sets.find(document_id, owner_id, self.kind)
            if set_id is not None:
                return OpenDocument(document, uow.sets.load(set_id, document.text))
        if not create:
            return OpenDocument(document, AnnotationSet(document_id=document_id, owner=owner,
                                                        kind=self.kind))
        for attempt in (1, 2):
            try:
                with self._uow() as uow:
                    set_id = self._ensure_set(uow, document_id)
                    return OpenDocument(document, uow.sets.load(set_id, document.text))
            except IntegrityError:   # another window created it at the same moment: take it
                if attempt == 2:  # pragma: no cover - needs a third racing writer
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    # -- spans --------------------------------------------------------------------------------

    def add_span(self, set_id: int, start: int, end: int, label: str, *,
                 attributes: Mapping[str, Any] | None = None, note: str = "",
                 origin: Origin | str = Origin.MANUAL) -> Span:
        """Add one span to this person's set ``set_id``."""
        with self._uow() as uow:
            info, text = self._owned(uow, set_id)
            (span,) = self._add(uow, info, text, [NewSpan(start, end, label, attributes or {},
                                                          note, origin)])
        self._names.remember([span])
        return span

    def add_spans(self, set_id: int, items: Sequence[tuple[int, int, str]]) -> list[Span]:
        """Add many spans (e.g. every search hit) in one transaction; all or nothing."""
        items = list(items)
        if not items:
            return []
        with self._uow() as uow:
            info, text = self._owned(uow, set_id)
            spans = self._add(uow, info, text, [NewSpan(s, e, lb) for s, e, lb in items])
        self._names.remember(spans)
        return spans

    def change(self, set_id: int | None, *, document_id: int | None = None,
               delete: Sequence[int | Span] = (),
               restore: Sequence[DeletedSpan] = (), add: Sequence[NewSpan] = (),
               unrelate: Sequence[int] = (), relink: Sequence[Relation] = (),
               relate: Sequence[NewRelation] = (), reject: Sequence[tuple[int, int, str]] = (),
               unreject: Sequence[tuple[int, int, str]] = (),
               dismiss: Sequence[RejectedSuggestion] = (),
               undismiss: Sequence[RejectedSuggestion] = (),
               status: SetStatus | None = None) -> Change:
        """Several changes of one set in one transaction (one user action; all or nothing), in
        this order: relations ``unrelate`` deleted, spans ``delete`` deleted (with their
        relations), spans ``restore`` put back (with theirs), relations ``relink`` put back, spans
        ``add`` added, relations ``relate`` added (ends: stored span ids, or the keys of spans
        added here); in a gold set, candidates ``reject`` recorded as rejected and ``unreject``
        no longer; in an annotation set, suggestions ``dismiss`` recorded as rejected by its
        owner and ``undismiss`` no longer. ``inverse_of(result)`` gives the arguments that undo
        it exactly.
        ``set_id=None`` (with ``document_id``): this person's set of that document, created in
        the same transaction if missing."""
        with self._uow() as uow:
            if set_id is None:
                if document_id is None:
                    raise UserError("change() needs a set id or a document id")
                set_id = self._ensure_set(uow, document_id)
            info, text = self._owned(uow, set_id)
            if (reject or unreject) and info.kind != SetKind.GOLD:
                raise UserError("candidates are rejected in a gold set only")
            if (dismiss or undismiss) and info.kind != SetKind.ANNOTATION:
                raise UserError("suggestions are rejected in an annotator's own set only")
            dismissed = self._dismiss(uow, info, text, list(dict.fromkeys(dismiss)), True)
            undismissed = self._dismiss(uow, info, text, list(dict.fromkeys(undismiss)), False)
            rejected = self._reject(uow, info, text, list(dict.fromkeys(reject)), True)
            unrejected = self._reject(uow, info, text, list(dict.fromkeys(unreject)), False)
            unlinked = self._unlink(uow, info, unrelate)
            versions = {s.id: s.version for s in delete if isinstance(s, Span) and s.id}
            ids = list(dict.fromkeys(s.id if isinstance(s, Span) else s for s in delete))
            removed = self._delete(uow, {info.id: (info, text)}, [i for i in ids if i is not None],
                                   versions=versions or None)
            restored = self._restore(uow, {info.id: (info, text)}, list(restore)) \
                if restore else []
            relinked = self._relink(uow, info, list(relink))
            added = self._add(uow, info, text, list(add), began=False) if add else []
            linked = self._relate(uow, info, list(relate), added)
            result = Change(set_id, removed=tuple(removed), put=tuple(restored + added),
                            unlinked=tuple(unlinked), linked=tuple(relinked + linked),
                            rejected=tuple(rejected), unrejected=tuple(unrejected),
                            dismissed=tuple(dismissed), undismissed=tuple(undismissed))
            if not result.empty or status is not None:
                self._began(uow, info, status)
        self._names.remember(list(result.put))
        return result

    @staticmethod
    def inverse_of(change: Change) -> dict[str, Any]:
        """The keyword arguments of :meth:`change` that undo ``change`` (ids kept)."""
        return {"delete": [s for s in change.put if s.id is not None],
                "restore": list(change.removed),
                "unrelate": [r.id for r in change.linked if r.id is not None],
                "relink": list(change.unlinked),
                "reject": list(change.unrejected), "unreject": list(change.rejected),
                "dismiss": list(change.undismissed), "undismiss": list(change.dismissed)}

    def update_span(self, span_id: int, *, start: int | None = None, end: int | None = None,
                    label: str | None = None, attributes: Mapping[str, Any] | None = None,
                    note: str | None = None, status: SetStatus | None = None,
                    provenance: Provenance | None = None,
                    expected_version: int | None = None) -> tuple[Span, Span]:
        """Change a span's offsets, label, attributes or note; returns (before, after).

        ``None`` keeps a value. A new label keeps only the attributes it also has unless
        ``attributes`` are given; it is refused while a relation of the span needs the old one.
        ``status`` (here and in the delete/restore methods) is for undo: the set's status to put
        back in the same transaction, instead of moving todo to in progress. In a gold set the
        span's provenance becomes "edited by this reviewer" (keeping whose versions it came
        from), unless ``provenance`` is given (an undo putting the old one back).
        ``expected_version``: the version the caller saw; if someone changed or removed the span
        since, a ConflictError names them and nothing changes (the store checks it again when it
        writes, so a writer racing this one cannot be overwritten either).
        """
        with self._uow() as uow:
            record = self._span_record(uow, span_id, expected_version=expected_version)
            info, text = self._owned(uow, record.set_id)
            before = _span(record, text)
            new_label = record.label if label is None else label
            if attributes is None:
                attributes = record.attributes
                if new_label != record.label:
                    allowed = {a.name for a in self.schema.attributes_of(new_label)}
                    attributes = {k: v for k, v in attributes.items() if k in allowed}
            new = dict(start=record.start if start is None else start,
                       end=record.end if end is None else end, label=new_label,
                       attributes=dict(attributes), note=record.note if note is None else note)
            self._check_span(text, new["start"], new["end"], new["label"], new["attributes"],
                             new["note"])
            if all(getattr(record, k) == v for k, v in new.items()) \
                    and (provenance is None or provenance == record.provenance):
                return before, before
            self._check_duplicate(uow, info.id, new["start"], new["end"], new["label"],
                                  exclude=span_id)
            if new_label != record.label:
                self._check_relabel(uow, record, new_label)
            if provenance is None and info.kind == SetKind.GOLD:
                sources = record.provenance.sources if record.provenance else ()
                provenance = Provenance(self.annotator, Decision.EDITED, sources)
            try:
                written = uow.sets.update_span(span_id, provenance=provenance or record.provenance,
                                               version=record.version, by=self.annotator, **new)
            except IntegrityError:   # another writer gave a span these offsets and label
                raise UserError(f"span {new['start']}-{new['end']} is already a {new['label']}") \
                    from None
            if not written:
                raise self._conflict(uow, span_id, record)
            stored = replace(record, start=new["start"], end=new["end"], label=new["label"],
                             attributes=new["attributes"], note=new["note"],
                             provenance=provenance or record.provenance,
                             version=record.version + 1, updated_by=self.annotator)
            after = _span(stored, text)   # the row as written (no need to read it back)
            uow.record("update", "span", entity_id=span_id, document_id=info.document_id,
                       set_id=info.id, before=_span_state(record, text),
                       after=_span_state(stored, text))
            self._began(uow, info, status)
        self._names.remember([after])
        return before, after

    def delete_span(self, span_id: int, *, status: SetStatus | None = None) -> DeletedSpan:
        """Delete a span and its relations; the result restores both (:meth:`restore_span`)."""
        return self.delete_spans([span_id], status=status)[0]

    def delete_spans(self, span_ids: Iterable[int], *, status: SetStatus | None = None,
                     versions: Mapping[int, int] | None = None) -> list[DeletedSpan]:
        """Delete spans (of this person's sets) and their relations in one transaction.

        A relation between two deleted spans goes with the first of them in ``span_ids``.
        ``versions``: span id -> the version the caller saw (a ConflictError if one changed).
        """
        ids = list(dict.fromkeys(span_ids))
        if not ids:
            return []
        with self._uow() as uow:
            records = self._records(uow, ids, versions=versions)
            owned = {sid: self._owned(uow, sid) for sid in dict.fromkeys(r.set_id for r in records)}
            result = self._delete(uow, owned, ids, records=records, versions=versions)
            for info, _ in owned.values():
                self._began(uow, info, status)
        return result

    def restore_span(self, deleted: DeletedSpan, *, status: SetStatus | None = None) -> Span:
        """Put back a deleted span and its relations with their original ids and state."""
        return self.restore_spans([deleted], status=status)[0]

    def restore_spans(self, deleted: Sequence[DeletedSpan], *,
                      status: SetStatus | None = None) -> list[Span]:
        """Put back deleted spans (all spans first, then their relations) in one transaction."""
        deleted = list(deleted)
        if not deleted:
            return []
        with self._uow() as uow:
            owned = {d.set_id: self._owned(uow, d.set_id) for d in deleted}
            spans = self._restore(uow, owned, deleted)
            for info, _ in owned.values():
                self._began(uow, info, status)
        self._names.remember(spans)
        return spans

    # -- relations ----------------------------------------------------------------------------

    def add_relation(self, set_id: int, type: str, head_span_id: int,
                     tail_span_id: int) -> Relation:
        """Link two spans of this person's set ``set_id`` with a relation of the schema."""
        with self._uow() as uow:
            info, _ = self._owned(uow, set_id)
            (relation,) = self._relate(uow, info, [NewRelation(type, head_span_id, tail_span_id)],
                                       [])
            self._began(uow, info)
        return relation

    def delete_relation(self, relation_id: int, *, status: SetStatus | None = None) -> Relation:
        """Delete a relation; :meth:`restore_relation` puts it back with the same id."""
        with self._uow() as uow:
            found = uow.sets.relation(relation_id)
            if found is None:
                raise UserError(f"relation {relation_id} does not exist (already deleted?)")
            info, _ = self._owned(uow, found[0])
            (relation,) = self._unlink(uow, info, [relation_id])
            self._began(uow, info, status)
        return relation

    def restore_relation(self, relation: Relation, *,
                         status: SetStatus | None = None) -> Relation:
        """Put back a deleted relation with its original id (its spans must exist)."""
        if relation.id is None:
            raise UserError("only a deleted relation with its id can be restored")
        with self._uow() as uow:
            head = uow.sets.span_records([relation.head])
            if not head:
                raise UserError(f"cannot restore relation {relation.id}: span {relation.head} "
                                "does not exist")
            info, _ = self._owned(uow, head[0].set_id)
            self._relink(uow, info, [relation])
            self._began(uow, info, status)
        return relation

    # -- the set ------------------------------------------------------------------------------

    def set_status(self, set_id: int, status: SetStatus | str) -> tuple[SetStatus, SetStatus]:
        """Set the status of this annotator's set; returns (before, after)."""
        try:
            new = SetStatus(status)
        except ValueError:
            names = ", ".join(s.value for s in SetStatus)
            raise UserError(f"unknown status {status!r}; one of: {names}") from None
        with self._uow() as uow:
            info, _ = self._owned(uow, set_id)
            if info.status != new:
                uow.sets.set_status(set_id, new)
                uow.record("status", "annotation_set", entity_id=set_id,
                           document_id=info.document_id, set_id=set_id,
                           before=_set_state(info.status, info.active_seconds),
                           after=_set_state(new, info.active_seconds))
        return info.status, new

    def add_active_seconds(self, set_id: int, seconds: float) -> float:
        """Add time spent on the set; returns the new total. Does not change the status."""
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) \
                or not math.isfinite(seconds) or seconds < 0:
            raise UserError(f"active seconds must be a finite number >= 0, not {seconds!r}")
        with self._uow() as uow:
            info, _ = self._owned(uow, set_id)
            if seconds == 0:
                return info.active_seconds
            total = uow.sets.add_active_seconds(set_id, float(seconds))
            uow.record("time", "annotation_set", entity_id=set_id, document_id=info.document_id,
                       set_id=set_id, before=_set_state(info.status, info.active_seconds),
                       after=_set_state(info.status, total))
        return total

    # -- snapping -----------------------------------------------------------------------------

    def known_names(self) -> KnownNames:
        """Gazetteer names plus the text of every span whose label strips clitics, normalized.

        Reads the store each call (one query) and keeps the result for :meth:`snap_selection`.
        """
        with self._uow(write=False) as uow:
            # blind annotation: an annotator learns names from their own sets only
            owner = None if self._identity(uow).reviews else self.annotator
            texts = uow.suggestions.span_texts(self._names.labels(), owner=owner)
        return self._names.load(texts)

    def remember_name(self, text: str) -> KnownNames:
        """Add one name to the cached known names (no query once loaded); returns them."""
        known = self._names.known if self._names.known is not None else self.known_names()
        known.remember([text])
        return known

    def prepare_snapping(self) -> None:
        """Read what snapping needs (the known names from the store, the word frequencies)
        now, when a document opens, so that the first selection is as quick as the others."""
        from annotator.core.suggest.resources import default_words

        if self._names.known is None:
            self.known_names()
        default_words()

    def snap_selection(self, document: Document, start: int, end: int, label: str, *,
                       known: KnownNames | None = None) -> SnapResult | None:
        """Snap a raw selection for ``label`` (its clitic rule, the known names); None if empty."""
        self._check_label(label)
        if known is None:
            known = self._names.known if self._names.known is not None else self.known_names()
        return snap(document.text, start, end,
                    clitics=self.schema.label(label).clitic_rule, known_names=known)

    # -- internals ----------------------------------------------------------------------------

    def _uow(self, *, write: bool = True) -> UnitOfWork:
        return self.store.unit_of_work(actor=self.annotator, write=write)

    @staticmethod
    def _info(uow: UnitOfWork, set_id: int) -> SetInfo:
        info = uow.sets.info(set_id)
        if info is None:
            raise UserError(f"annotation set {set_id} does not exist")
        return info

    def _text(self, uow: UnitOfWork, document_id: int) -> str:
        """A document's text, read once: texts never change after import (DESIGN invariant 1),
        and re-reading a book's 505,000 characters for every action was most of its cost."""
        text = self._texts.get(document_id)
        if text is None:
            document = uow.documents.get(document_id)
            if document is None:  # pragma: no cover - a set cannot outlive its document
                raise UserError(f"document {document_id} does not exist")
            text = self._texts[document_id] = document.text
        return text

    def _ensure_set(self, uow: UnitOfWork, document_id: int) -> int:
        """This person's set (annotation, or gold for a reviewer) of the document: found, or
        created todo and journaled. The unique constraint decides a race (IntegrityError)."""
        if self.kind == SetKind.GOLD:
            require_review(self._identity(uow), "write gold")
            owner, role = GOLD, Role.SYSTEM
        else:
            owner, role = self.annotator, Role.ANNOTATOR
        owner_id = uow.annotators.ensure(owner, role)
        set_id = uow.sets.find(document_id, owner_id, self.kind)
        if set_id is None:
            if uow.documents.get(document_id) is None:
                raise UserError(f"document {document_id} does not exist")
            set_id = uow.sets.create(document_id, owner_id, self.kind)
            uow.record("create", "annotation_set", entity_id=set_id, document_id=document_id,
                       set_id=set_id, after={"owner": owner, "kind": str(self.kind),
                                             **_set_state(SetStatus.TODO, 0.0)})
        return set_id

    def _identity(self, uow: UnitOfWork) -> Identity:
        """This person with the role the store gives them (annotator if not in the store yet)."""
        return Identity(self.annotator, uow.annotators.role_of(self.annotator) or Role.ANNOTATOR)

    def _owned(self, uow: UnitOfWork, set_id: int) -> tuple[SetInfo, str]:
        """The set's header and its document's text, if this person may change the set (their
        own annotation set; gold for a reviewer)."""
        info, role = uow.sets.info_and_role(set_id, self.annotator)
        if info is None:
            raise UserError(f"annotation set {set_id} does not exist")
        try:
            require_annotate(Identity(self.annotator, role or Role.ANNOTATOR), owner=info.owner,
                             kind=info.kind)
        except UserError as exc:
            raise type(exc)(f"annotation set {set_id} (document {info.document_id}): {exc}") \
                from None
        return info, self._text(uow, info.document_id)

    def _span_record(self, uow: UnitOfWork, span_id: int, *,
                     expected_version: int | None = None) -> SpanRecord:
        found = uow.sets.span_records([span_id])
        if not found:
            if expected_version is not None:
                raise self._conflict(uow, span_id, None)
            raise UserError(f"span {span_id} does not exist")
        if expected_version is not None and found[0].version != expected_version:
            raise self._conflict(uow, span_id, found[0])
        return found[0]

    def _records(self, uow: UnitOfWork, ids: Sequence[int], *,
                 versions: Mapping[int, int] | None) -> list[SpanRecord]:
        """The stored rows of spans about to change; a missing one is a conflict when the
        caller named versions (someone deleted it since), else a plain error."""
        records = uow.sets.span_records(ids)
        missing = sorted(set(ids) - {r.id for r in records})
        if missing:
            if versions is not None:
                raise self._conflict(uow, missing[0], None)
            raise UserError(f"span {missing[0]} does not exist (already deleted?)")
        return records

    @staticmethod
    def _conflict(uow: UnitOfWork, span_id: int, record: SpanRecord | None) -> ConflictError:
        """The error for a span someone changed (``record``: as it is now) or removed since the
        caller read it, naming who."""
        if record is None:
            current = uow.sets.span_records([span_id])
            record = current[0] if current else None
        if record is None:
            by = uow.sets.last_change_by("span", span_id)
            return ConflictError(f"span {span_id} was deleted{f' by {by}' if by else ''} since "
                                 "you read it; nothing was changed")
        by = record.updated_by or uow.sets.last_change_by("span", span_id)
        return ConflictError(f"span {span_id} ({record.label} {record.start}-{record.end}) was "
                             f"changed{f' by {by}' if by else ''} since you read it (now "
                             f"version {record.version}); nothing was changed")

    def _began(self, uow: UnitOfWork, info: SetInfo, status: SetStatus | None = None) -> None:
        """A change of the set's annotations: todo -> in_progress (journaled), else touch it.

        ``status`` (an undo putting back the state before a first change) sets that status
        instead, in the same transaction as the change it goes with.
        """
        target = status if status is not None else (
            SetStatus.IN_PROGRESS if info.status == SetStatus.TODO else info.status)
        if target != info.status:
            uow.sets.set_status(info.id, target)
            uow.record("status", "annotation_set", entity_id=info.id,
                       document_id=info.document_id, set_id=info.id,
                       before=_set_state(info.status, info.active_seconds),
                       after=_set_state(target, info.active_seconds))
        else:
            uow.sets.touch(info.id)

    def _check_label(self, label: str) -> None:
        if not isinstance(label, str) or not self.schema.has_label(label):
            names = ", ".join(lb.name for lb in self.schema.labels)
            raise UserError(f"unknown label {label!r}; the schema has: {names}")

    def _check_span(self, text: str, start: int, end: int, label: str,
                    attributes: Mapping[str, Any], note: str) -> None:
        for name, value in (("start", start), ("end", end)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise UserError(f"span {name} must be a whole number, not {value!r}")
        if start >= end:
            raise UserError(f"span {start}-{end} is empty or ends before it starts")
        if start < 0 or end > len(text):
            raise UserError(f"span {start}-{end} is outside the text (0-{len(text)})")
        for offset in (start, end):
            if not is_grapheme_boundary(text, offset):
                raise UserError(f"span {start}-{end} cuts a character at offset {offset} (a "
                                "letter from its harakat, or an emoji sequence)")
        self._check_label(label)
        if not isinstance(attributes, Mapping):
            raise UserError(f"attributes must be a mapping, not {attributes!r}")
        problem = self.schema.check_attributes(label, attributes)
        if problem is not None:
            raise UserError(problem)
        if not isinstance(note, str):
            raise UserError(f"a note must be text, not {note!r}")

    @staticmethod
    def _check_duplicate(uow: UnitOfWork, set_id: int, start: int, end: int, label: str, *,
                         exclude: int | None = None) -> None:
        existing = uow.sets.find_span(set_id, start, end, label, exclude=exclude)
        if existing is not None:
            raise UserError(f"span {start}-{end} is already a {label} (span {existing})")

    def _add(self, uow: UnitOfWork, info: SetInfo, text: str, items: Sequence[NewSpan], *,
             began: bool = True) -> list[Span]:
        drafts: list[Span] = []
        seen: set[tuple[int, int, str]] = set()
        # one span (a user's action): the unique key decides in the insert below (no read
        # before the write); many: which exist is read first, to name them in the refusal
        existing = uow.sets.existing_keys(info.id, [i.key for i in items]) \
            if len(items) > 1 else {}
        for item in items:
            start, end, label = item.start, item.end, item.label
            self._check_span(text, start, end, label, item.attributes, item.note)
            try:
                origin = Origin(item.origin)
            except ValueError:
                names = ", ".join(o.value for o in Origin)
                raise UserError(f"unknown origin {item.origin!r}; one of: {names}") from None
            provenance = item.provenance
            if info.kind == SetKind.GOLD:
                origin = Origin.ADJUDICATED
                provenance = provenance or Provenance(self.annotator, Decision.ADDED)
            if (start, end, label) in seen:
                raise UserError(f"span {start}-{end} {label} is given twice")
            seen.add((start, end, label))
            if (start, end, label) in existing:
                raise UserError(f"span {start}-{end} is already a {label} "
                                f"(span {existing[(start, end, label)]})")
            drafts.append(Span(start=start, end=end, label=label, text=text[start:end],
                               attributes=dict(item.attributes), note=item.note, origin=origin,
                               provenance=provenance, source=item.source))
        now = utcnow()
        try:
            ids = uow.sets.add_spans(info.id, drafts, by=self.annotator, now=now)
        except IntegrityError:   # another writer added one of them just now: the database decides
            raise UserError("already labeled: " + ", ".join(
                f"span {d.start}-{d.end} is already a {d.label}" for d in drafts[:3])
                + (" …" if len(drafts) > 3 else "")) from None
        created = now.isoformat()
        added: list[Span] = []
        for draft, span_id in zip(drafts, ids):   # the rows as written (no need to read them)
            # the journal's state of each (what _span_state gives for the row), built directly:
            # label all hits journals a thousand at once
            state: dict[str, Any] = {
                "start": draft.start, "end": draft.end, "label": draft.label,
                "text": draft.text, "attributes": dict(draft.attributes), "note": draft.note,
                "origin": str(draft.origin), "created_at": created}
            if draft.provenance is not None:
                state["provenance"] = draft.provenance.to_json()
            if draft.source is not None:
                state["source"] = dict(draft.source)
            uow.record("add", "span", entity_id=span_id, document_id=info.document_id,
                       set_id=info.id, after=state)
            # the draft was checked: the stored span is it with its id (no second __init__)
            added.append(stored_span(text, draft.start, draft.end, draft.label, span_id,
                                     draft.attributes, draft.note, draft.origin,
                                     draft.provenance, draft.source, 1))
        if began:
            self._began(uow, info)
        return added

    def _delete(self, uow: UnitOfWork, owned: Mapping[int, tuple[SetInfo, str]],
                ids: Sequence[int], *, records: Sequence[SpanRecord] | None = None,
                versions: Mapping[int, int] | None = None) -> list[DeletedSpan]:
        """Delete spans of the ``owned`` sets with their relations (journaled); with
        ``versions``, only if each is still at the version given (else a ConflictError)."""
        if not ids:
            return []
        if records is None:
            records = self._records(uow, ids, versions=versions)
        for record in records:
            if versions is not None and record.id in versions \
                    and versions[record.id] != record.version:
                raise self._conflict(uow, record.id, record)
        for record in records:
            if record.set_id not in owned:
                raise UserError(f"span {record.id} is not in set {next(iter(owned))}")
        relations = uow.sets.relations_of_spans(ids)
        taken: set[int] = set()
        result: list[DeletedSpan] = []
        for record in records:
            info, text = owned[record.set_id]
            mine = tuple(rel for _, rel in relations if rel.id not in taken
                         and record.id in (rel.head, rel.tail))
            taken.update(rel.id for rel in mine if rel.id is not None)
            result.append(DeletedSpan(_span(record, text), record.set_id, mine,
                                      record.created_at, record.updated_at))
        uow.sets.delete_relations([rel.id for _, rel in relations if rel.id is not None])
        if uow.sets.delete_spans(ids, {r.id: r.version for r in records}) < len(ids):
            gone = {r.id for r in uow.sets.span_records(ids)}
            raise self._conflict(uow, next(i for i in ids if i in gone), None)
        for deleted, record in zip(result, records):
            info, text = owned[record.set_id]
            for rel in deleted.relations:
                uow.record("delete", "relation", entity_id=rel.id,
                           document_id=info.document_id, set_id=info.id,
                           before=_relation_state(rel))
            uow.record("delete", "span", entity_id=record.id, document_id=info.document_id,
                       set_id=info.id, before=_span_state(record, text))
        return result

    def _restore(self, uow: UnitOfWork, owned: Mapping[int, tuple[SetInfo, str]],
                 deleted: Sequence[DeletedSpan]) -> list[Span]:
        """Put back deleted spans of the ``owned`` sets, then their relations (journaled)."""
        if not deleted:
            return []
        for d in deleted:
            if d.set_id not in owned:
                raise UserError(f"span {d.span.id} was not in set {next(iter(owned))}")
        ids = [d.span.id for d in deleted]
        if any(i is None for i in ids) or len(set(ids)) != len(ids):
            raise UserError("only deleted spans with their ids can be restored, each once")
        taken = uow.sets.span_records([i for i in ids if i is not None])
        if taken:
            raise UserError(f"span {taken[0].id} exists already (restored twice, or its id "
                            "was reused); it was not restored")
        records = []
        for d in deleted:
            info, text = owned[d.set_id]
            s = d.span
            if s.end > len(text) or text[s.start:s.end] != s.text:
                raise UserError(f"span {s.id} ({s.start}-{s.end}) does not match the text of "
                                f"document {info.document_id}")
            assert s.id is not None
            records.append(SpanRecord(
                id=s.id, set_id=d.set_id, start=s.start, end=s.end, label=s.label,
                attributes=dict(s.attributes), note=s.note, origin=str(s.origin),
                created_at=d.created_at or utcnow(), updated_at=d.updated_at or utcnow(),
                provenance=s.provenance,
                source=dict(s.source) if s.source is not None else None,
                version=s.version + 1, updated_by=self.annotator))
        relations = [(d.set_id, rel) for d in deleted for rel in d.relations]
        self._check_restorable_relations(uow, relations, restored={
            s_id: d.set_id for s_id, d in zip(ids, deleted) if s_id is not None})
        for record in records:
            other = uow.sets.find_span(record.set_id, record.start, record.end, record.label)
            if other is not None:
                by = uow.sets.last_change_by("span", other)
                raise ConflictError(f"{record.label} {record.start}-{record.end} was labeled "
                                    f"again{f' by {by}' if by else ''} meanwhile (span {other}); "
                                    "nothing was changed")
        try:
            uow.sets.restore_span_records(records)
            for set_id in owned:
                uow.sets.restore_relations(set_id, [r for sid, r in relations if sid == set_id])
            uow.session.flush()
        except IntegrityError as exc:
            raise ConflictError(f"cannot restore the spans: another writer changed the set "
                                f"meanwhile ({' '.join(str(exc.orig).split())[:120]})") from exc
        for record in records:
            info, text = owned[record.set_id]
            uow.record("restore", "span", entity_id=record.id, document_id=info.document_id,
                       set_id=info.id, after=_span_state(record, text))
        for set_id, rel in relations:
            info, _ = owned[set_id]
            uow.record("restore", "relation", entity_id=rel.id, document_id=info.document_id,
                       set_id=set_id, after=_relation_state(rel))
        return [replace(d.span, version=d.span.version + 1) for d in deleted]

    def _reject(self, uow: UnitOfWork, info: SetInfo, text: str,
                keys: Sequence[tuple[int, int, str]], rejecting: bool
                ) -> list[tuple[int, int, str]]:
        """Record (or take back) rejected candidates of gold set ``info`` (journaled)."""
        for start, end, label in keys:
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end
                    <= len(text)):
                raise UserError(f"candidate {start}-{end} is outside the text")
            detail = {"start": start, "end": end, "label": label, "text": text[start:end]}
            if rejecting:
                try:  # the unique constraint decides (two reviewers at once)
                    uow.review.add_rejection(info.id, start, end, label, decided_by=self.annotator)
                except IntegrityError:
                    raise UserError(f"candidate {start}-{end} {label} is already rejected") \
                        from None
                uow.record("reject", "candidate", document_id=info.document_id, set_id=info.id,
                           after={**detail, "decided_by": self.annotator})
            else:
                if not uow.review.delete_rejection(info.id, start, end, label):
                    raise UserError(f"candidate {start}-{end} {label} is not rejected")
                uow.record("unreject", "candidate", document_id=info.document_id,
                           set_id=info.id, before=detail)
        return list(keys)

    def _dismiss(self, uow: UnitOfWork, info: SetInfo, text: str,
                 items: Sequence[RejectedSuggestion], rejecting: bool
                 ) -> list[RejectedSuggestion]:
        """Record (or take back) suggestions rejected by the owner of set ``info``
        (journaled: ``reject`` / ``unreject`` of a ``suggestion``)."""
        for item in items:
            start, end, label = item.start, item.end, item.label
            if isinstance(start, bool) or isinstance(end, bool) or not (
                    isinstance(start, int) and isinstance(end, int)
                    and 0 <= start < end <= len(text)):
                raise UserError(f"suggestion {start}-{end} is outside the text")
            detail = {"start": start, "end": end, "label": label, "text": text[start:end],
                      "suggester": item.suggester}
            if rejecting:
                try:  # the unique constraint decides (the same person in two windows)
                    uow.suggestions.add_suggestion_rejection(info.id, start, end, label,
                                                      suggester=item.suggester)
                except IntegrityError:
                    raise UserError(f"suggestion {start}-{end} {label} is already rejected") \
                        from None
                uow.record("reject", "suggestion", document_id=info.document_id,
                           set_id=info.id, after=detail)
            else:
                if not uow.suggestions.delete_suggestion_rejection(info.id, start, end, label):
                    raise UserError(f"suggestion {start}-{end} {label} is not rejected")
                uow.record("unreject", "suggestion", document_id=info.document_id,
                           set_id=info.id, before=detail)
        return list(items)

    def _unlink(self, uow: UnitOfWork, info: SetInfo, relation_ids: Sequence[int]
                ) -> list[Relation]:
        """Delete relations of set ``info`` (journaled); returns them."""
        found: list[Relation] = []
        for relation_id in dict.fromkeys(relation_ids):
            hit = uow.sets.relation(relation_id)
            if hit is None:
                by = uow.sets.last_change_by("relation", relation_id)
                raise ConflictError(f"relation {relation_id} was removed"
                                    f"{f' by {by}' if by else ''} (already deleted?); nothing "
                                    "was changed")
            if hit[0] != info.id:
                raise UserError(f"relation {relation_id} is not in set {info.id}")
            found.append(hit[1])
        uow.sets.delete_relations([r.id for r in found if r.id is not None])
        for relation in found:
            uow.record("delete", "relation", entity_id=relation.id,
                       document_id=info.document_id, set_id=info.id,
                       before=_relation_state(relation))
        return found

    def _relink(self, uow: UnitOfWork, info: SetInfo, relations: Sequence[Relation]
                ) -> list[Relation]:
        """Put back deleted relations of set ``info`` with their ids (journaled)."""
        if not relations:
            return []
        if any(r.id is None for r in relations):
            raise UserError("only a deleted relation with its id can be restored")
        self._check_restorable_relations(uow, [(info.id, r) for r in relations], restored={})
        try:
            uow.sets.restore_relations(info.id, relations)
            uow.session.flush()
        except IntegrityError as exc:
            raise UserError(f"cannot restore the relations: {exc.orig}") from exc
        for relation in relations:
            uow.record("restore", "relation", entity_id=relation.id,
                       document_id=info.document_id, set_id=info.id,
                       after=_relation_state(relation))
        return list(relations)

    def _relate(self, uow: UnitOfWork, info: SetInfo, items: Sequence[NewRelation],
                added: Sequence[Span]) -> list[Relation]:
        """Add relations to set ``info``; ends are span ids or keys of the ``added`` spans."""
        if not items:
            return []
        by_key = {(s.start, s.end, s.label): s for s in added}
        ids = [ref for item in items for ref in (item.head, item.tail) if isinstance(ref, int)]
        stored = {r.id: r for r in uow.sets.span_records(ids)}
        drafts: list[Relation] = []
        seen: set[tuple[str, int, int]] = set()
        for item in items:
            if not self.schema.has_relation(item.type):
                names = ", ".join(r.name for r in self.schema.relations)
                raise UserError(f"unknown relation type {item.type!r}; the schema has: {names}")
            rule = self.schema.relation(item.type)
            ends: list[tuple[int, int, str]] = []   # (id, set id, label)
            for ref in (item.head, item.tail):
                if isinstance(ref, int):
                    record = stored.get(ref)
                    if record is None:
                        raise UserError(f"span {ref} does not exist")
                    ends.append((record.id, record.set_id, record.label))
                else:
                    span = by_key.get(tuple(ref))  # type: ignore[arg-type]
                    if span is None or span.id is None:
                        raise UserError(f"span {ref} is not among the spans added")
                    ends.append((span.id, info.id, span.label))
            (head, head_set, head_label), (tail, tail_set, tail_label) = ends
            if head == tail:
                raise UserError(f"a {item.type} relation needs two different spans, not span "
                                f"{head} twice")
            if head_set != tail_set or head_set != info.id:
                raise UserError(
                    f"a relation links spans of one set: span {head} is in set {head_set}, "
                    f"span {tail} in set {tail_set}, the relation would be in set {info.id}")
            for end_name, span_id, label, wanted in (("head", head, head_label, rule.head),
                                                     ("tail", tail, tail_label, rule.tail)):
                if label != wanted:
                    raise UserError(f"the {end_name} of a {item.type} relation must be a {wanted} "
                                    f"span; span {span_id} is a {label}")
            existing = uow.sets.find_relation(info.id, item.type, head, tail)
            if existing is not None or (item.type, head, tail) in seen:
                raise UserError(f"span {head} is already linked to span {tail} by {item.type}"
                                + (f" (relation {existing})" if existing is not None else ""))
            seen.add((item.type, head, tail))
            drafts.append(Relation(item.type, head, tail))
        ids_added = uow.sets.add_relations(info.id, drafts)
        result = [replace(r, id=i) for r, i in zip(drafts, ids_added)]
        for relation in result:
            uow.record("add", "relation", entity_id=relation.id, document_id=info.document_id,
                       set_id=info.id, after=_relation_state(relation))
        return result

    def _check_relabel(self, uow: UnitOfWork, record: SpanRecord, label: str) -> None:
        for _, rel in uow.sets.relations_of_spans([record.id]):
            if not self.schema.has_relation(rel.type):
                continue
            rule = self.schema.relation(rel.type)
            for end, span_id, wanted in (("head", rel.head, rule.head),
                                         ("tail", rel.tail, rule.tail)):
                if span_id == record.id and wanted != label:
                    raise UserError(
                        f"span {record.id} is the {end} of {rel.type} relation {rel.id}, which "
                        f"needs a {wanted} there; remove the relation before making it a {label}")

    @staticmethod
    def _check_restorable_relations(uow: UnitOfWork, relations: Sequence[tuple[int, Relation]], *,
                                    restored: Mapping[int, int]) -> None:
        """Each relation has an id not in use, and both its spans (existing or being restored)
        in its set."""
        ids = [rel.id for _, rel in relations]
        if any(i is None for i in ids) or len(set(ids)) != len(ids):
            raise UserError("only deleted relations with their ids can be restored, each once")
        span_ids = sorted({s for _, rel in relations for s in (rel.head, rel.tail)}
                          - set(restored))
        where = {r.id: r.set_id for r in uow.sets.span_records(span_ids)}
        where.update(restored)
        for set_id, rel in relations:
            if rel.id is not None and uow.sets.relation(rel.id) is not None:
                raise UserError(f"relation {rel.id} exists already; it was not restored")
            for span_id in (rel.head, rel.tail):
                if where.get(span_id) != set_id:
                    raise UserError(f"cannot restore {rel.type} relation {rel.id}: span {span_id} "
                                    f"is not in set {set_id} (restore it first)")


def _span(record: SpanRecord, text: str) -> Span:
    return Span(start=record.start, end=record.end, label=record.label,
                text=text[record.start:record.end], id=record.id,
                attributes=dict(record.attributes), note=record.note, origin=Origin(record.origin),
                provenance=record.provenance, source=record.source, version=record.version)


def _span_state(record: SpanRecord, text: str) -> dict[str, Any]:
    created = record.created_at
    state = {"start": record.start, "end": record.end, "label": record.label,
             "text": text[record.start:record.end], "attributes": dict(record.attributes),
             "note": record.note, "origin": record.origin,
             "created_at": created.isoformat() if isinstance(created, datetime) else created}
    if record.provenance is not None:
        state["provenance"] = record.provenance.to_json()
    if record.source is not None:
        state["source"] = dict(record.source)
    return state


def _relation_state(relation: Relation) -> dict[str, Any]:
    return {"type": relation.type, "head": relation.head, "tail": relation.tail}


def _set_state(status: SetStatus, active_seconds: float) -> dict[str, Any]:
    return {"status": str(status), "active_seconds": active_seconds}
