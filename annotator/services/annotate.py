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
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from annotator.config import seeds_dir
from annotator.core.arabic import parse_gazetteer
from annotator.core.errors import UserError
from annotator.core.model import (
    RESERVED_OWNERS,
    AnnotationSet,
    Document,
    Origin,
    Relation,
    SetKind,
    SetStatus,
    Span,
)
from annotator.core.schema import Schema
from annotator.core.snap import KnownNames, SnapResult, snap
from annotator.core.text import is_grapheme_boundary
from annotator.db.models import utcnow
from annotator.db.repositories import SetInfo, SpanRecord
from annotator.db.store import Store, UnitOfWork

GAZETTEER = "gazetteer.lst"


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


class AnnotationService:
    """The use cases of one annotator (see the module docstring for the rules)."""

    def __init__(self, store: Store, schema: Schema, *, annotator: str) -> None:
        if not isinstance(annotator, str) or not annotator.strip():
            raise UserError("an annotator name is needed")
        if annotator in RESERVED_OWNERS:
            raise UserError(f"{annotator!r} is reserved for the {annotator} set; "
                            "annotate under your own name")
        self.store = store
        self.schema = schema
        self.annotator = annotator
        self._gazetteer: KnownNames | None = None
        self._known: KnownNames | None = None

    # -- reading ------------------------------------------------------------------------------

    def queue(self) -> list[QueueItem]:
        """Every document by external id, with this annotator's set status (todo without a set)
        and span count; one query whatever the number of documents."""
        with self._uow() as uow:
            rows = uow.sets.queue(self.annotator)
        return [QueueItem(r.document_id, r.external_id, r.title, r.length,
                          r.status if r.status is not None else SetStatus.TODO, r.spans)
                for r in rows]

    def load_set(self, set_id: int) -> AnnotationSet:
        """A set with its spans and relations (any owner's: reading is not writing)."""
        with self._uow() as uow:
            info = self._info(uow, set_id)
            return uow.sets.load(set_id, self._text(uow, info.document_id))

    def open_document(self, document_id: int) -> OpenDocument:
        """The document and this annotator's set of it, created (todo, journaled) if missing."""
        for attempt in (1, 2):
            try:
                with self._uow() as uow:
                    document = uow.documents.get(document_id)
                    if document is None:
                        raise UserError(f"document {document_id} does not exist")
                    owner_id = uow.annotators.ensure(self.annotator)
                    set_id = uow.sets.find(document_id, owner_id, SetKind.ANNOTATION)
                    if set_id is None:
                        set_id = uow.sets.create(document_id, owner_id, SetKind.ANNOTATION)
                        uow.record("create", "annotation_set", entity_id=set_id,
                                   document_id=document_id, set_id=set_id,
                                   after={"owner": self.annotator, "kind": "annotation",
                                          **_set_state(SetStatus.TODO, 0.0)})
                    return OpenDocument(document, uow.sets.load(set_id, document.text))
            except IntegrityError:
                if attempt == 2:  # pragma: no cover - needs a third racing writer
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    # -- spans --------------------------------------------------------------------------------

    def add_span(self, set_id: int, start: int, end: int, label: str, *,
                 attributes: Mapping[str, Any] | None = None, note: str = "",
                 origin: Origin | str = Origin.MANUAL) -> Span:
        """Add one span to this annotator's set ``set_id``."""
        with self._uow() as uow:
            info, text = self._owned(uow, set_id)
            (span,) = self._add(uow, info, text, [(start, end, label, attributes or {}, note,
                                                   origin)])
        self._remember([span])
        return span

    def add_spans(self, set_id: int, items: Sequence[tuple[int, int, str]]) -> list[Span]:
        """Add many spans (e.g. every search hit) in one transaction; all or nothing."""
        items = list(items)
        if not items:
            return []
        with self._uow() as uow:
            info, text = self._owned(uow, set_id)
            spans = self._add(uow, info, text, [(s, e, lb, {}, "", Origin.MANUAL)
                                                for s, e, lb in items])
        self._remember(spans)
        return spans

    def update_span(self, span_id: int, *, start: int | None = None, end: int | None = None,
                    label: str | None = None, attributes: Mapping[str, Any] | None = None,
                    note: str | None = None,
                    status: SetStatus | None = None) -> tuple[Span, Span]:
        """Change a span's offsets, label, attributes or note; returns (before, after).

        ``None`` keeps a value. A new label keeps only the attributes it also has unless
        ``attributes`` are given; it is refused while a relation of the span needs the old one.
        ``status`` (here and in the delete/restore methods) is for undo: the set's status to put
        back in the same transaction, instead of moving todo to in progress.
        """
        with self._uow() as uow:
            record = self._span_record(uow, span_id)
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
            if all(getattr(record, k) == v for k, v in new.items()):
                return before, before
            self._check_duplicate(uow, info.id, new["start"], new["end"], new["label"],
                                  exclude=span_id)
            if new_label != record.label:
                self._check_relabel(uow, record, new_label)
            uow.sets.update_span(span_id, **new)
            (stored,) = uow.sets.span_records([span_id])
            after = _span(stored, text)
            uow.record("update", "span", entity_id=span_id, document_id=info.document_id,
                       set_id=info.id, before=_span_state(record, text),
                       after=_span_state(stored, text))
            self._began(uow, info, status)
        self._remember([after])
        return before, after

    def delete_span(self, span_id: int, *, status: SetStatus | None = None) -> DeletedSpan:
        """Delete a span and its relations; the result restores both (:meth:`restore_span`)."""
        return self.delete_spans([span_id], status=status)[0]

    def delete_spans(self, span_ids: Iterable[int], *,
                     status: SetStatus | None = None) -> list[DeletedSpan]:
        """Delete spans (of this annotator's sets) and their relations in one transaction.

        A relation between two deleted spans goes with the first of them in ``span_ids``.
        """
        ids = list(dict.fromkeys(span_ids))
        if not ids:
            return []
        with self._uow() as uow:
            records = uow.sets.span_records(ids)
            missing = sorted(set(ids) - {r.id for r in records})
            if missing:
                raise UserError(f"span {missing[0]} does not exist (already deleted?)")
            owned = {sid: self._owned(uow, sid) for sid in dict.fromkeys(r.set_id for r in records)}
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
            uow.sets.delete_spans(ids)
            for deleted, record in zip(result, records):
                info, text = owned[record.set_id]
                for rel in deleted.relations:
                    uow.record("delete", "relation", entity_id=rel.id,
                               document_id=info.document_id, set_id=info.id,
                               before=_relation_state(rel))
                uow.record("delete", "span", entity_id=record.id, document_id=info.document_id,
                           set_id=info.id, before=_span_state(record, text))
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
            owned = {d.set_id: self._owned(uow, d.set_id)
                     for d in deleted}
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
                    created_at=d.created_at or utcnow(), updated_at=d.updated_at or utcnow()))
            relations = [(d.set_id, rel) for d in deleted for rel in d.relations]
            self._check_restorable_relations(uow, relations, restored={
                s_id: d.set_id for s_id, d in zip(ids, deleted) if s_id is not None})
            try:
                uow.sets.restore_span_records(records)
                for set_id in owned:
                    uow.sets.restore_relations(set_id, [r for sid, r in relations
                                                        if sid == set_id])
                uow.session.flush()
            except IntegrityError as exc:
                raise UserError(f"cannot restore the spans: {exc.orig}") from exc
            for record in records:
                info, text = owned[record.set_id]
                uow.record("restore", "span", entity_id=record.id, document_id=info.document_id,
                           set_id=info.id, after=_span_state(record, text))
            for set_id, rel in relations:
                info, _ = owned[set_id]
                uow.record("restore", "relation", entity_id=rel.id, document_id=info.document_id,
                           set_id=set_id, after=_relation_state(rel))
            for info, _ in owned.values():
                self._began(uow, info, status)
        spans = [d.span for d in deleted]
        self._remember(spans)
        return spans

    # -- relations ----------------------------------------------------------------------------

    def add_relation(self, set_id: int, type: str, head_span_id: int,  # noqa: A002
                     tail_span_id: int) -> Relation:
        """Link two spans of this annotator's set ``set_id`` with a relation of the schema."""
        with self._uow() as uow:
            info, _ = self._owned(uow, set_id)
            if not self.schema.has_relation(type):
                names = ", ".join(r.name for r in self.schema.relations)
                raise UserError(f"unknown relation type {type!r}; the schema has: {names}")
            rule = self.schema.relation(type)
            if head_span_id == tail_span_id:
                raise UserError(f"a {type} relation needs two different spans, not span "
                                f"{head_span_id} twice")
            found = {r.id: r for r in uow.sets.span_records([head_span_id, tail_span_id])}
            for span_id in (head_span_id, tail_span_id):
                if span_id not in found:
                    raise UserError(f"span {span_id} does not exist")
            head, tail = found[head_span_id], found[tail_span_id]
            if head.set_id != tail.set_id or head.set_id != set_id:
                raise UserError(
                    f"a relation links spans of one set: span {head.id} is in set {head.set_id}, "
                    f"span {tail.id} in set {tail.set_id}, the relation would be in set {set_id}")
            for end, record, wanted in (("head", head, rule.head), ("tail", tail, rule.tail)):
                if record.label != wanted:
                    raise UserError(f"the {end} of a {type} relation must be a {wanted} span; "
                                    f"span {record.id} is a {record.label}")
            existing = uow.sets.find_relation(set_id, type, head.id, tail.id)
            if existing is not None:
                raise UserError(f"span {head.id} is already linked to span {tail.id} by {type} "
                                f"(relation {existing})")
            (rel_id,) = uow.sets.add_relations(set_id, [Relation(type, head.id, tail.id)])
            relation = Relation(type=type, head=head.id, tail=tail.id, id=rel_id)
            uow.record("add", "relation", entity_id=rel_id, document_id=info.document_id,
                       set_id=set_id, after=_relation_state(relation))
            self._began(uow, info)
        return relation

    def delete_relation(self, relation_id: int, *, status: SetStatus | None = None) -> Relation:
        """Delete a relation; :meth:`restore_relation` puts it back with the same id."""
        with self._uow() as uow:
            found = uow.sets.relation(relation_id)
            if found is None:
                raise UserError(f"relation {relation_id} does not exist (already deleted?)")
            set_id, relation = found
            info, _ = self._owned(uow, set_id)
            uow.sets.delete_relations([relation_id])
            uow.record("delete", "relation", entity_id=relation_id, document_id=info.document_id,
                       set_id=set_id, before=_relation_state(relation))
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
            self._check_restorable_relations(uow, [(info.id, relation)], restored={})
            try:
                uow.sets.restore_relations(info.id, [relation])
                uow.session.flush()
            except IntegrityError as exc:
                raise UserError(f"cannot restore relation {relation.id}: {exc.orig}") from exc
            uow.record("restore", "relation", entity_id=relation.id, document_id=info.document_id,
                       set_id=info.id, after=_relation_state(relation))
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
        labels = [lb.name for lb in self.schema.labels if lb.strips_clitics]
        with self._uow() as uow:
            texts = uow.sets.span_texts(labels)
        self._known = KnownNames(self._gazetteer_names() | KnownNames.of(texts))
        return self._known

    def remember_name(self, text: str) -> KnownNames:
        """Add one name to the cached known names (no query once loaded); returns them."""
        known = self._known if self._known is not None else self.known_names()
        name = KnownNames.of([text])
        if not name <= known:
            known = self._known = KnownNames(known | name)
        return known

    def snap_selection(self, document: Document, start: int, end: int, label: str, *,
                       known: KnownNames | None = None) -> SnapResult | None:
        """Snap a raw selection for ``label`` (its clitic rule, the known names); None if empty."""
        self._check_label(label)
        if known is None:
            known = self._known if self._known is not None else self.known_names()
        return snap(document.text, start, end,
                    clitics=self.schema.label(label).clitic_rule, known_names=known)

    # -- internals ----------------------------------------------------------------------------

    def _uow(self) -> UnitOfWork:
        return self.store.unit_of_work(actor=self.annotator)

    def _gazetteer_names(self) -> KnownNames:
        if self._gazetteer is None:
            path = seeds_dir() / GAZETTEER
            try:
                names = parse_gazetteer(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                names = frozenset()
            except (OSError, UnicodeDecodeError) as exc:
                raise UserError(f"{path}: cannot read the gazetteer: {exc}") from exc
            self._gazetteer = KnownNames.of(names)
        return self._gazetteer

    def _remember(self, spans: Iterable[Span]) -> None:
        if self._known is None:
            return  # loaded (with these spans) on first use
        names = [s.text for s in spans if self.schema.has_label(s.label)
                 and self.schema.label(s.label).strips_clitics]
        if names:
            self._known = KnownNames(self._known | KnownNames.of(names))

    @staticmethod
    def _info(uow: UnitOfWork, set_id: int) -> SetInfo:
        info = uow.sets.info(set_id)
        if info is None:
            raise UserError(f"annotation set {set_id} does not exist")
        return info

    @staticmethod
    def _text(uow: UnitOfWork, document_id: int) -> str:
        document = uow.documents.get(document_id)
        if document is None:  # pragma: no cover - a set cannot outlive its document
            raise UserError(f"document {document_id} does not exist")
        return document.text

    def _owned(self, uow: UnitOfWork, set_id: int) -> tuple[SetInfo, str]:
        """The set's header and its document's text, if the set is this annotator's to write."""
        info = self._info(uow, set_id)
        if info.kind != SetKind.ANNOTATION or info.owner != self.annotator:
            what = f"the {info.kind} set" if info.kind != SetKind.ANNOTATION \
                else f"{info.owner!r}'s set"
            raise UserError(f"annotation set {set_id} is {what} of document {info.document_id}; "
                            f"{self.annotator!r} can change only their own sets")
        return info, self._text(uow, info.document_id)

    @staticmethod
    def _span_record(uow: UnitOfWork, span_id: int) -> SpanRecord:
        found = uow.sets.span_records([span_id])
        if not found:
            raise UserError(f"span {span_id} does not exist")
        return found[0]

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

    def _add(self, uow: UnitOfWork, info: SetInfo, text: str,
             items: Sequence[tuple[int, int, str, Mapping[str, Any], str, Origin | str]]
             ) -> list[Span]:
        drafts: list[Span] = []
        seen: set[tuple[int, int, str]] = set()
        for start, end, label, attributes, note, origin in items:
            self._check_span(text, start, end, label, attributes, note)
            try:
                origin = Origin(origin)
            except ValueError:
                names = ", ".join(o.value for o in Origin)
                raise UserError(f"unknown origin {origin!r}; one of: {names}") from None
            if (start, end, label) in seen:
                raise UserError(f"span {start}-{end} {label} is given twice")
            seen.add((start, end, label))
            self._check_duplicate(uow, info.id, start, end, label)
            drafts.append(Span(start=start, end=end, label=label, text=text[start:end],
                               attributes=dict(attributes), note=note, origin=origin))
        ids = uow.sets.add_spans(info.id, drafts)
        records = uow.sets.span_records(ids)
        for record in records:
            uow.record("add", "span", entity_id=record.id, document_id=info.document_id,
                       set_id=info.id, after=_span_state(record, text))
        self._began(uow, info)
        return [replace(draft, id=span_id) for draft, span_id in zip(drafts, ids)]

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
                attributes=dict(record.attributes), note=record.note, origin=Origin(record.origin))


def _span_state(record: SpanRecord, text: str) -> dict[str, Any]:
    created = record.created_at
    return {"start": record.start, "end": record.end, "label": record.label,
            "text": text[record.start:record.end], "attributes": dict(record.attributes),
            "note": record.note, "origin": record.origin,
            "created_at": created.isoformat() if isinstance(created, datetime) else created}


def _relation_state(relation: Relation) -> dict[str, Any]:
    return {"type": relation.type, "head": relation.head, "tail": relation.tail}


def _set_state(status: SetStatus, active_seconds: float) -> dict[str, Any]:
    return {"status": str(status), "active_seconds": active_seconds}
