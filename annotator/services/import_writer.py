"""Writing a file's good records, in batches within the file's one transaction: each batch resolved
against the store (documents by hash and by id, the sets there already, the importer's role for
each owner), written with a few multi-row statements a table, and journaled record by record;
with the helpers for owners, sets and their signatures that the writing uses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import TYPE_CHECKING, Any

from annotator.core.errors import UserError, ValidationError
from annotator.core.model import (
    RESERVED_OWNERS,
    AnnotationSet,
    Document,
    Role,
    SetStatus,
    Span,
    kind_for_owner,
)
from annotator.core.roles import require_import
from annotator.core.schema import Schema
from annotator.db.store import UnitOfWork
from annotator.exports.jsonl import JsonlRecord
from annotator.services.import_report import FileResult
from annotator.services.team import identity

if TYPE_CHECKING:
    from annotator.services.import_files import _Importer

#: a batch of records written together: this many records, or records with this many spans
RECORD_BATCH = 1_000
SPAN_BATCH = 20_000


@dataclass(slots=True)
class _Entry:
    """A record of a batch on its way into the store."""

    record: JsonlRecord
    document_id: int | None      # None: a document this file adds
    existing: AnnotationSet | None
    creates: bool = False        # the first record of a document this file adds
    owner: str | None = None
    owner_id: int | None = None
    owner_created: bool = False      # the first record of an owner this file adds
    same: bool = False           # the store has this very set already
    set_id: int | None = None
    replaced: dict[str, Any] | None = None     # --replace: what the set held before
    span_ids: list[int] = field(default_factory=list)


class _RecordWriter:
    """Writes a file's good records in batches, all in the file's one transaction.

    Each batch is resolved against the store (documents by hash and by id, the sets there
    already), checked (the importer's role for each owner, conflicts with the store), and
    written with a few multi-row statements per table; its journal events go out with it, in
    the order of the records. The first conflict stops the writing (unless ``skip_bad``), but
    the checks go on, so that the message counts them all."""

    def __init__(self, importer: _Importer, uow: UnitOfWork, *, path: str,
                 result: FileResult) -> None:
        self.imp = importer
        self.uow = uow
        self.path = path
        self.result = result
        self.who = identity(uow, importer.actor)
        self.owners: set[str] = set()                 # owners whose role was checked
        self.role_error: ValidationError | None = None
        self.conflicts: list[ValidationError] = []
        self.pending: list[JsonlRecord] = []
        self.pending_spans = 0
        self.new_ids: dict[str, int] = {}             # sha256 -> id of a document added
        self.counted: set[str] = set()                # documents counted (added or existing)

    def owner_of(self, record: JsonlRecord) -> str | None:
        return record.annotator if record.annotator is not None else self.imp.annotator

    def add(self, record: JsonlRecord) -> None:
        owner = self.owner_of(record)
        if owner is not None and owner not in self.owners:
            self.owners.add(owner)   # roles: one's own sets; gold for reviewers; leads anyone's
            try:
                require_import(self.who, owner=owner, kind=kind_for_owner(owner))
            except UserError as exc:
                if self.role_error is None:
                    self.role_error = ValidationError(str(exc), path=self.path)
        if self.role_error is not None:
            return
        self.pending.append(record)
        self.pending_spans += len(record.spans)
        if len(self.pending) >= RECORD_BATCH or self.pending_spans >= SPAN_BATCH:
            self.flush()

    def flush(self) -> None:
        batch, self.pending, self.pending_spans = self.pending, [], 0
        entries = self.plan(batch)
        if self.conflicts and not self.imp.skip_bad:
            return          # the file is refused: the other batches are only checked
        self.write(entries)
        self.uow.flush_events()

    def finish(self) -> None:
        if self.pending and self.role_error is None:
            self.flush()
        if self.role_error is not None:
            raise self.role_error
        conflicts = self.conflicts
        if not conflicts:
            return
        if not self.imp.skip_bad:
            raise conflicts[0] if len(conflicts) == 1 else ValidationError(
                f"{len(conflicts)} records conflict with the store; nothing imported from "
                f"this file: {'; '.join(e.detail for e in conflicts[:3])}"
                + (" ..." if len(conflicts) > 3 else ""), path=self.path)
        self.result.problems += [str(e) for e in conflicts]
        self.result.skipped += len(conflicts)

    def plan(self, batch: list[JsonlRecord]) -> list[_Entry]:
        """Each record against the store (reads only); conflicts are noted and left out."""
        uow = self.uow
        fresh = {r.sha256 for r in batch if r.sha256 not in self.new_ids}
        known = uow.documents.ids_by_sha(fresh)
        taken = uow.documents.shas_by_external_id(
            {r.doc_id for r in batch if r.sha256 in fresh and r.sha256 not in known})
        entries: list[_Entry] = []
        for record in batch:
            if record.sha256 not in fresh:          # a document of this file, added already
                entries.append(_Entry(record, None, None))
                continue
            try:
                entries.append(self.plan_one(record, known, taken))
            except ValidationError as exc:
                self.conflicts.append(exc)
        return entries

    def plan_one(self, record: JsonlRecord, known: dict[str, tuple[int, str]],
                 taken: dict[str, str]) -> _Entry:
        if record.sha256 not in known and taken.get(record.doc_id, record.sha256) != record.sha256:
            raise ValidationError(f"doc_id {record.doc_id!r} is already another document in the "
                                  "store (its text differs)", path=self.path, line=record.line,
                                  field="doc_id")
        document_id = known[record.sha256][0] if record.sha256 in known else None
        owner = self.owner_of(record)
        existing = None
        if document_id is not None and owner is not None:
            existing = _existing_set(self.uow, document_id, owner, record)
        if existing is not None and _set_signature(existing) != _record_signature(record) \
                and (existing.spans or existing.relations) and not self.imp.replace:
            raise ValidationError(
                f"the store already has a different set of {owner!r} for {record.doc_id!r} "
                "(--replace replaces it); nothing from this file was imported", path=self.path,
                line=record.line, field="annotator")
        return _Entry(record, document_id, existing)

    def write(self, entries: list[_Entry]) -> None:
        """Documents, owners, sets, spans, relations: a few statements for the whole batch;
        then the events, record by record."""
        uow = self.uow
        new_docs: list[Document] = []
        adding: set[str] = set()
        for entry in entries:
            record = entry.record
            if entry.document_id is None and record.sha256 not in self.new_ids \
                    and record.sha256 not in adding:
                entry.creates = True
                adding.add(record.sha256)
                new_docs.append(Document(external_id=record.doc_id, title=record.title,
                                         text=record.text, sha256=record.sha256,
                                         source=record.meta.get("source_path"),
                                         meta=record.meta))
        self.new_ids.update(zip((d.sha256 for d in new_docs), uow.documents.add_many(new_docs)))
        to_create: list[_Entry] = []
        for entry in entries:
            record = entry.record
            if entry.document_id is None:
                entry.document_id = self.new_ids[record.sha256]
            entry.owner = owner = self.owner_of(record)
            if owner is None:
                continue
            existing = entry.existing
            if existing is not None and _set_signature(existing) == _record_signature(record):
                entry.same = True
                continue
            entry.owner_id, entry.owner_created = _owner_id(uow, owner)
            if existing is not None and existing.id is not None:
                entry.set_id = existing.id
                entry.replaced = _clear_set(uow, existing, record)
            else:
                to_create.append(entry)
        ids = uow.sets.create_many([(e.document_id, e.owner_id, kind_for_owner(e.owner),
                                     e.record.status) for e in to_create
                                    if e.document_id is not None and e.owner is not None
                                    and e.owner_id is not None])
        for entry, set_id in zip(to_create, ids):
            entry.set_id = set_id
        writing = [(e, e.set_id) for e in entries if e.set_id is not None]
        spans: list[tuple[int, Span]] = []
        for entry, set_id in writing:
            spans += zip(repeat(set_id), entry.record.spans)
        span_ids = uow.sets.add_spans_many(spans, by=uow.actor)
        relations: list[tuple[int, str, int, int]] = []
        start = 0
        for entry, set_id in writing:
            end = start + len(entry.record.spans)
            entry.span_ids = ids_of = span_ids[start:end]
            start = end
            relations += [(set_id, r.type, ids_of[r.head], ids_of[r.tail])
                          for r in entry.record.relations]
        uow.sets.add_relations_many(relations)
        for entry in entries:
            self.journal(entry)

    def journal(self, entry: _Entry) -> None:
        """The events of one record, and its counts in the file's result."""
        uow, result, record = self.uow, self.result, entry.record
        document_id = entry.document_id
        if entry.creates:
            result.documents_added += 1
            uow.record("import", "document", entity_id=document_id, document_id=document_id,
                       after={"external_id": record.doc_id, "sha256": record.sha256,
                              "title": record.title, "length": len(record.text),
                              "source": self.path})
        elif record.sha256 not in self.new_ids and record.sha256 not in self.counted:
            result.documents_existing += 1
        self.counted.add(record.sha256)
        owner = entry.owner
        if owner is None:
            return
        if entry.same:
            result.sets_existing += 1
            return
        kind = kind_for_owner(owner)
        if entry.owner_created:
            uow.record("create", "annotator", entity_id=entry.owner_id,
                       after={"name": owner, "role": str(Role.SYSTEM if owner in RESERVED_OWNERS
                                                        else Role.ANNOTATOR)})
        existing, set_id = entry.existing, entry.set_id
        if entry.replaced is not None:
            uow.record("replace", "annotation_set", entity_id=set_id, document_id=document_id,
                       set_id=set_id, before=entry.replaced, after=None)
        after: dict[str, Any] = {"owner": owner, "kind": str(kind), "status": str(record.status),
                                 "spans": len(entry.span_ids),
                                 "relations": len(record.relations), "source": self.path,
                                 "line": record.line}
        if existing is not None:
            after["span_ids"] = entry.span_ids  # what an undo removes from a set there before
        uow.record("import", "annotation_set", entity_id=set_id, document_id=document_id,
                   set_id=set_id,
                   before=None if existing is None else {"status": str(existing.status),
                                                         "spans": len(existing.spans)},
                   after=after)
        result.sets_added += 1
        result.spans_added += len(entry.span_ids)


def _store_schema(uow: UnitOfWork, old: Schema, new: Schema, *, path: str) -> None:
    uow.schemas.add(name=new.name, version=new.version, sha256=new.sha256, content=new.source_text)
    uow.record("extend", "label_schema", before={"version": old.version},
               after={"version": new.version, "source": path,
                      "added": [lb.name for lb in new.labels if not old.has_label(lb.name)]})


def _existing_set(uow: UnitOfWork, document_id: int, owner: str,
                  record: JsonlRecord) -> AnnotationSet | None:
    owner_id = uow.annotators.id_of(owner)
    if owner_id is None:
        return None
    set_id = uow.sets.find(document_id, owner_id, kind_for_owner(owner))
    return uow.sets.load(set_id, record.text) if set_id is not None else None


def _clear_set(uow: UnitOfWork, existing: AnnotationSet, record: JsonlRecord
               ) -> dict[str, Any] | None:
    """--replace: the set takes the record's status and loses its spans and relations (the
    record's go in); returns what it held (the replace event's ``before``), or None if empty."""
    set_id = existing.id
    assert set_id is not None
    if existing.status != record.status:
        uow.sets.set_status(set_id, record.status)
    if not (existing.spans or existing.relations):
        return None
    records = uow.sets.span_records([s.id for s in existing.spans if s.id is not None])
    uow.sets.delete_relations([r.id for r in existing.relations if r.id is not None])
    uow.sets.delete_spans([s.id for s in existing.spans if s.id is not None])
    return {"status": str(existing.status), "spans": [_span_record_state(r) for r in records],
            "relations": [[r.id, r.type, r.head, r.tail] for r in existing.relations]}


def _owner_id(uow: UnitOfWork, name: str) -> tuple[int, bool]:
    """The id of the owner ``name`` (gold and suggestions are the system's), and whether it was
    created now (the caller journals it)."""
    found = uow.annotators.id_of(name)
    if found is not None:
        return found, False
    role = Role.SYSTEM if name in RESERVED_OWNERS else Role.ANNOTATOR
    return uow.annotators.ensure(name, role), True


def _span_record_state(record: Any) -> dict[str, Any]:
    return {"id": record.id, "start": record.start, "end": record.end, "label": record.label,
            "attributes": dict(record.attributes), "note": record.note, "origin": record.origin,
            "provenance": record.provenance.to_json() if record.provenance else None,
            "source": record.source,
            "created_at": record.created_at.isoformat() if record.created_at else None,
            "updated_at": record.updated_at.isoformat() if record.updated_at else None}


def _set_signature(aset: AnnotationSet) -> tuple[object, ...]:
    return _signature({s.id: s for s in aset.spans},
                      [(r.type, r.head, r.tail) for r in aset.relations], status=aset.status)


def _record_signature(record: JsonlRecord) -> tuple[object, ...]:
    return _signature(dict(enumerate(record.spans)),
                      [(r.type, r.head, r.tail) for r in record.relations], status=record.status)


def _signature(spans: dict[object, Span], relations: Sequence[tuple[str, object, object]], *,
               status: SetStatus) -> tuple[object, ...]:
    """What two sets must share to be the same: status, spans (with attributes, note), relations."""
    where = {key: (s.start, s.end, s.label) for key, s in spans.items()}
    span_part = sorted((s.start, s.end, s.label, sorted(s.attributes.items()), s.note,
                        (s.provenance.decided_by, s.provenance.how.value, s.provenance.sources)
                        if s.provenance else ()) for s in spans.values())
    rel_part = sorted((kind, where[head], where[tail]) for kind, head, tail in relations)
    return (str(status), span_part, rel_part)
