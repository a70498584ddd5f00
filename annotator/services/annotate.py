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
from dataclasses import replace
from typing import Any

from sqlalchemy.exc import IntegrityError

from annotator.core.errors import ConflictError, UserError
from annotator.core.model import (
    GOLD,
    RESERVED_OWNERS,
    AnnotationSet,
    Decision,
    Origin,
    Provenance,
    Relation,
    Role,
    SetKind,
    SetStatus,
    Span,
)
from annotator.core.roles import (
    Identity,
    may_read,
    require_annotate,
    require_read,
    require_review,
)
from annotator.core.schema import Schema
from annotator.db.repositories import SetInfo, SpanRecord
from annotator.db.store import Store, UnitOfWork
from annotator.services.annotation_changes import (
    Change,
    DeletedSpan,
    NewRelation,
    NewSpan,
    OpenDocument,
    QueueItem,
    RejectedSuggestion,
    SetHeader,
    SpanRef,
    set_state,
    span_of_record,
    span_state,
)
from annotator.services.set_changes import SetChanges
from annotator.services.set_writes import SetWrites
from annotator.services.snapping import SnapNames, SnapSelection

#: what other modules import from here (the service's records, writes, changes of several
#: kinds at once and snapping live in their own modules: annotation_changes, set_writes,
#: set_changes, snapping)
__all__ = ["AnnotationService", "Change", "DeletedSpan", "NewRelation", "NewSpan", "OpenDocument",
           "QueueItem", "RejectedSuggestion", "SetHeader", "SpanRef"]


class AnnotationService(SetWrites, SetChanges, SnapSelection):
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
            before = span_of_record(record, text)
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
            after = span_of_record(stored, text)   # the row as written (no need to read it back)
            uow.record("update", "span", entity_id=span_id, document_id=info.document_id,
                       set_id=info.id, before=span_state(record, text),
                       after=span_state(stored, text))
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
                           before=set_state(info.status, info.active_seconds),
                           after=set_state(new, info.active_seconds))
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
                       set_id=set_id, before=set_state(info.status, info.active_seconds),
                       after=set_state(info.status, total))
        return total

    def prepare_writes(self) -> None:
        """Compile the statements of an action now, as the window is built: the first span
        added compiled four (4 ms) and so took three times as long as the others."""
        self.store.prepare_writes()

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
                                             **set_state(SetStatus.TODO, 0.0)})
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
