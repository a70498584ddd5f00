"""The imports as journaled batches: list them (``annotator history``) and undo one
(``annotator import --undo BATCH``).

Every import writes its events under one batch id (annotator/services/importing.py). An undo
removes exactly what that batch added: the documents it created (with every set on them), the sets
it created on documents that were there before, the spans it added to sets that were there before
(and what ``--replace`` took out of them goes back), and the labels it added to the schema (when no
span uses them any more). It is refused, with what happened, when anything was annotated since on
what the batch added: an event of another batch on one of its documents or sets. The undo is one
transaction, journaled as a batch of its own (action ``undo``); undoing twice is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from annotator.core.errors import UserError, ValidationError
from annotator.core.label_map import name_list
from annotator.core.model import Provenance, Relation, SetStatus
from annotator.core.schema import Schema
from annotator.core.schema_edit import remove_labels
from annotator.db.repositories import EventRecord, SpanRecord
from annotator.db.store import Store, UnitOfWork
from annotator.services.project import project_schema

#: the shortest batch prefix ``--undo`` accepts
MIN_PREFIX = 4
_IMPORT_ACTIONS = ("import", "assign", "extend", "replace")


@dataclass(frozen=True, slots=True)
class BatchSummary:
    batch: str
    at: datetime
    actor: str
    files: tuple[str, ...]
    documents: int
    sets: int
    spans: int
    labels: tuple[str, ...]
    undone_at: datetime | None = None
    undone_by: str | None = None


@dataclass(frozen=True, slots=True)
class UndoReport:
    batch: str
    undo_batch: str
    documents: int
    sets: int
    spans: int
    spans_restored: int
    labels_removed: tuple[str, ...]
    labels_kept: tuple[str, ...]
    already_gone: int          # documents or sets of the batch removed since (docs rm)


def import_batches(store: Store) -> list[BatchSummary]:
    """Every import batch that added something, oldest first."""
    with store.unit_of_work() as uow:
        events = uow.events.with_actions(_IMPORT_ACTIONS)
        undos = uow.events.with_actions(("undo",), entity="batch")
    undone = {str((e.after or {}).get("batch")): e for e in undos}
    grouped: dict[str, list[EventRecord]] = {}
    for event in events:
        grouped.setdefault(event.batch, []).append(event)
    out: list[BatchSummary] = []
    for batch, items in grouped.items():
        if not any(e.action == "import" for e in items):
            continue          # a schema loaded or extended outside an import
        added = _added(items)
        files = tuple(dict.fromkeys(
            str((e.after or {})["source"]) for e in items
            if e.entity in ("document", "annotation_set") and (e.after or {}).get("source")))
        undo = undone.get(batch)
        out.append(BatchSummary(
            batch=batch, at=items[0].at, actor=items[0].actor, files=files,
            documents=len(added.documents),
            sets=sum(1 for e in items if e.entity == "annotation_set"
                     and e.action in ("import", "assign") and e.before is None),
            spans=sum(int((e.after or {}).get("spans", 0)) for e in items
                      if e.entity == "annotation_set" and e.action == "import"),
            labels=tuple(added.labels), undone_at=undo.at if undo else None,
            undone_by=undo.actor if undo else None))
    return out


@dataclass
class _Added:
    documents: dict[int, dict[str, Any]]        # document id -> its import event's after
    new_sets: set[int]                          # sets created on documents that were there
    grown: list[EventRecord]                    # imports into sets that were there before
    replaced: list[EventRecord]                 # --replace: what was taken out
    labels: list[str]
    schema_versions: list[int]
    annotators: set[int]                        # annotators the import created


def _added(events: list[EventRecord]) -> _Added:
    added = _Added({}, set(), [], [], [], [], set())
    for e in events:
        after = e.after or {}
        if e.entity == "annotator" and e.action == "create" and e.entity_id is not None:
            added.annotators.add(e.entity_id)
        elif e.entity == "document" and e.action == "import" and e.entity_id is not None:
            added.documents[e.entity_id] = after
        elif e.entity == "annotation_set" and e.set_id is not None:
            if e.action in ("import", "assign") and e.before is None:
                if e.document_id not in added.documents:
                    added.new_sets.add(e.set_id)
            elif e.action == "import":
                added.grown.append(e)
            elif e.action == "replace":
                added.replaced.append(e)
        elif e.entity == "label_schema" and e.action == "extend":
            added.labels += [str(x) for x in after.get("added", [])]
            added.schema_versions.append(int(after.get("version", 0)))
    return added


def resolve_batch(store: Store, prefix: str) -> str:
    """The import batch whose id starts with ``prefix`` (at least 4 characters)."""
    prefix = prefix.strip().lower()
    if len(prefix) < MIN_PREFIX:
        raise UserError(f"--undo {prefix!r}: give at least {MIN_PREFIX} characters of the batch id "
                        "(annotator history lists them)")
    with store.unit_of_work() as uow:
        found = uow.events.batches_starting(prefix, action="import")
    if not found:
        raise UserError(f"--undo {prefix}: no import batch with that id (annotator history lists "
                        "them)")
    if len(found) > 1:
        raise UserError(f"--undo {prefix}: {len(found)} batches start so ({name_list(found)}); "
                        "give more characters")
    return found[0]


def undo_import(store: Store, prefix: str, *, actor: str = "system") -> UndoReport:
    """Remove what the import batch ``prefix`` added (see the module docstring)."""
    batch = resolve_batch(store, prefix)
    schema = project_schema(store)
    with store.unit_of_work(actor=actor) as uow:
        events = uow.events.of_batch(batch)
        for undo in uow.events.with_actions(("undo",), entity="batch"):
            if (undo.after or {}).get("batch") == batch:
                raise UserError(f"batch {batch[:12]} was already undone on "
                                f"{_when(undo.at)} by {undo.actor}")
        added = _added(events)
        documents = uow.bulk.existing_documents(added.documents)
        touched_sets = added.new_sets | {e.set_id for e in added.grown + added.replaced
                                         if e.set_id is not None}
        live_sets = uow.bulk.existing_sets(touched_sets)
        gone = len(added.documents) - len(documents) + len(touched_sets) - len(live_sets)
        _refuse_if_touched(uow, batch, events[0].id, documents, live_sets)
        new_sets = added.new_sets & live_sets
        spans = uow.bulk.spans_in_documents(documents) + uow.bulk.span_count(new_sets)
        sets = len(new_sets) + sum(len(v) for v in uow.bulk.set_contents(documents).values())
        restored = 0
        for event in reversed(added.grown + added.replaced):
            if event.set_id not in live_sets or event.document_id in documents:
                continue
            if event.action == "import":
                spans += _shrink(uow, event)
            else:
                restored += _restore(uow, event)
        for set_id in sorted(new_sets):
            uow.record("delete", "annotation_set", entity_id=set_id, set_id=set_id,
                       before={"undo_of": batch})
        uow.bulk.delete_sets(new_sets)
        for doc_id, (external_id, title) in sorted(documents.items()):
            uow.record("delete", "document", entity_id=doc_id, document_id=doc_id,
                       before={"external_id": external_id, "title": title, "undo_of": batch,
                               "sha256": added.documents[doc_id].get("sha256")})
        uow.bulk.delete_documents(documents)
        removed, kept = _unextend(uow, schema, added.labels)
        owners = uow.bulk.delete_unused_annotators(added.annotators)
        uow.record("undo", "batch", after={
            "batch": batch, "documents": len(documents), "sets": sets, "spans": spans,
            "spans_restored": restored, "labels_removed": removed, "labels_kept": kept,
            "annotators_removed": owners})
        undo_batch = uow.batch
    return UndoReport(batch=batch, undo_batch=undo_batch, documents=len(documents),
                      sets=sets, spans=spans, spans_restored=restored,
                      labels_removed=tuple(removed), labels_kept=tuple(kept), already_gone=gone)


def _refuse_if_touched(uow: UnitOfWork, batch: str, since: int,
                       documents: dict[int, tuple[str, str]], sets: set[int]) -> None:
    count, first = uow.events.touching(since=since, document_ids=documents, set_ids=sets,
                                       exclude_batch=batch)
    if not count:
        return
    names = uow.bulk.existing_documents({e.document_id for e in first if e.document_id})
    described = "; ".join(
        f"{e.actor} {_verb(e)} in {names.get(e.document_id or -1, ('?',))[0]} on {_when(e.at)}"
        for e in first)
    more = f" and {count - len(first)} more" if count > len(first) else ""
    raise UserError(f"batch {batch[:12]} cannot be undone: {count} change{'s' if count > 1 else ''}"
                    f" since, on what it added ({described}{more}); nothing was removed "
                    "(annotator docs rm removes documents one by one)")


def _verb(event: EventRecord) -> str:
    words = {("add", "span"): "added a span", ("update", "span"): "changed a span",
             ("delete", "span"): "deleted a span", ("status", "annotation_set"): "set a status",
             ("time", "annotation_set"): "annotated (timer)",
             ("create", "annotation_set"): "created a set",
             ("assign", "annotation_set"): "was given a set",
             ("import", "annotation_set"): "imported a set"}
    return words.get((event.action, event.entity), f"{event.action} {event.entity}")


def _when(at: Any) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if isinstance(at, datetime) else str(at)


def _shrink(uow: UnitOfWork, event: EventRecord) -> int:
    """Take out of a set that was there before what the import added to it."""
    after, before = event.after or {}, event.before or {}
    span_ids = [int(x) for x in after.get("span_ids", [])]
    relations = uow.sets.relations_of_spans(span_ids)
    uow.sets.delete_relations([r.id for _, r in relations if r.id is not None])
    removed = uow.sets.delete_spans(span_ids)
    status = before.get("status")
    if status and status != after.get("status") and event.set_id is not None:
        uow.sets.set_status(event.set_id, SetStatus(status))
    uow.record("undo", "annotation_set", entity_id=event.set_id, document_id=event.document_id,
               set_id=event.set_id, before={"spans": len(span_ids), "status": after.get("status")},
               after={"status": status})
    return removed


def _restore(uow: UnitOfWork, event: EventRecord) -> int:
    """Put back what ``--replace`` took out of a set."""
    before = event.before or {}
    set_id = event.set_id
    assert set_id is not None
    records = [SpanRecord(id=s["id"], set_id=set_id, start=s["start"], end=s["end"],
                          label=s["label"], attributes=dict(s.get("attributes") or {}),
                          note=s.get("note", ""), origin=s.get("origin", "imported"),
                          created_at=_time(s.get("created_at")),
                          updated_at=_time(s.get("updated_at")),
                          provenance=Provenance.from_json(s["provenance"])
                          if s.get("provenance") else None,
                          source=s.get("source"), updated_by=uow.actor)
               for s in before.get("spans", []) if isinstance(s, dict) and "id" in s]
    uow.sets.restore_span_records(records)
    uow.sets.restore_relations(set_id, [Relation(type=r[1], head=r[2], tail=r[3], id=r[0])
                                        for r in before.get("relations", [])
                                        if isinstance(r, list) and len(r) == 4])
    status = before.get("status")
    if status:
        uow.sets.set_status(set_id, SetStatus(status))
    uow.record("restore", "annotation_set", entity_id=set_id, document_id=event.document_id,
               set_id=set_id, after={"spans": len(records), "status": status})
    return len(records)


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _unextend(uow: UnitOfWork, schema: Schema, labels: list[str]) -> tuple[list[str], list[str]]:
    """Remove from the schema the labels the batch added, unless a span still uses them (or a
    relation type links them); returns (removed, kept)."""
    if not labels:
        return [], []
    used = {c.label for c in uow.bulk.label_counts()}
    removed: list[str] = []
    kept: list[str] = []
    for name in labels:
        if not schema.has_label(name):
            continue          # removed since (annotator labels remove)
        linked = any(name in (r.head, r.tail) for r in schema.relations)
        (kept if name in used or linked else removed).append(name)
    if removed:
        try:
            current = remove_labels(schema, removed)
        except ValidationError:     # they are all the schema has
            return [], kept + removed
        uow.schemas.add(name=current.name, version=current.version, sha256=current.sha256,
                        content=current.source_text)
        uow.record("remove", "label_schema", before={"version": schema.version},
                   after={"version": current.version, "removed": removed})
    return removed, kept
