"""Annotation sets with their spans and relations: found, created, loaded whole (the hot path of
every export), their headers, queues and counts; spans and relations added (one at a time or many
at once for an import), changed, deleted and restored (the annotation use case and its undo)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    Text,
    case,
    cast,
    delete,
    func,
    insert,
    select,
    tuple_,
    update,
)

from annotator.core.model import (
    AnnotationSet,
    Origin,
    Provenance,
    Relation,
    Role,
    SetKind,
    SetStatus,
    Span,
    stored_span,
)
from annotator.db.bulk_insert import _insert_rows
from annotator.db.models import (
    AnnotationSetRow,
    AnnotatorRow,
    DocumentRow,
    EventRow,
    RelationRow,
    SpanRow,
    utcnow,
)
from annotator.db.repository_base import (
    _IN_CHUNK,
    _NULLS,
    _chunks,
    _JsonCache,
    _ProvenanceCache,
    _Repository,
)
from annotator.db.set_records import QueueRow, SetFilter, SetInfo, SpanRecord, _span_record
from annotator.db.statements import Prepared


class SetRepository(_Repository):
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def find(self, document_id: int, owner_id: int, kind: SetKind) -> int | None:
        return self._execute(Prepared.find_set(), {
            "document_id": document_id, "owner_id": owner_id, "kind": str(kind)}).scalar()

    def create(self, document_id: int, owner_id: int, kind: SetKind, *,
               status: SetStatus = SetStatus.TODO, active_seconds: float = 0.0) -> int:
        return self._execute(
            insert(AnnotationSetRow).values(document_id=document_id, owner_id=owner_id,
                                            kind=str(kind), status=str(status),
                                            active_seconds=active_seconds, updated_at=utcnow())
            .returning(AnnotationSetRow.id)).scalar_one()

    def set_status(self, set_id: int, status: SetStatus) -> None:
        self._execute(update(AnnotationSetRow).where(AnnotationSetRow.id == set_id)
                             .values(status=str(status), updated_at=utcnow()))

    def add_spans(self, set_id: int, spans: Sequence[Span], *, by: str | None = None,
                  now: Any = None) -> list[int]:
        """Insert spans of one set (version 1, written ``by``, stamped ``now``); returns their
        new ids in order. A span the set holds already raises IntegrityError (uq_span_key): the
        database decides."""
        if not spans:
            return []
        now = now or utcnow()
        rows = [{"set_id": set_id, "start": s.start, "end": s.end, "label": s.label,
                 "attributes": dict(s.attributes), "note": s.note, "origin": str(s.origin),
                 "provenance": s.provenance.to_json() if s.provenance else None,
                 "source": dict(s.source) if s.source is not None else None,
                 "version": 1, "updated_by": by,
                 "created_at": now, "updated_at": now} for s in spans]
        keys = [(s.start, s.end, s.label) for s in spans]
        if len(set(keys)) < len(keys):  # duplicates cannot be mapped back by value
            result = self._execute(Prepared.insert_spans_ordered(), rows)
            return list(result.scalars())
        ids = {(start, end, label): i for i, start, end, label in self._execute(
            Prepared.insert_spans_keyed(), rows)}
        return [ids[key] for key in keys]

    # -- bulk writes (imports) ------------------------------------------------------------------

    def create_many(self, sets: Sequence[tuple[int, int, SetKind, SetStatus]]) -> list[int]:
        """Insert sets ``(document id, owner id, kind, status)`` a few hundred per statement;
        returns their ids in order. A set the store has already raises IntegrityError."""
        rows = [(document_id, owner_id, str(kind), str(status), 0.0)
                for document_id, owner_id, kind, status in sets]
        found = _insert_rows(self.connection, AnnotationSetRow.__table__,
                             ("document_id", "owner_id", "kind", "status", "active_seconds"),
                             rows, constants={"updated_at": utcnow()},
                             returning=("id", "document_id", "owner_id", "kind"))
        ids = {(document_id, owner_id, kind): i for i, document_id, owner_id, kind in found}
        return [ids[(row[0], row[1], row[2])] for row in rows]

    def add_spans_many(self, spans: Sequence[tuple[int, Span]], *, by: str | None = None,
                       now: Any = None) -> list[int]:
        """Insert spans of many sets, ``(set id, span)``, a few hundred per statement, as
        :meth:`add_spans` does (version 1, written ``by``, stamped ``now``, provenance and source
        kept); returns their ids in order. A span twice, or one its set holds already, raises
        IntegrityError (uq_span_key): the database decides."""
        rows = [(set_id, s.start, s.end, s.label,
                 s.attributes if type(s.attributes) is dict else dict(s.attributes), s.note,
                 str(s.origin), s.provenance.to_json() if s.provenance else None,
                 None if s.source is None else dict(s.source)) for set_id, s in spans]
        now = now or utcnow()
        found = _insert_rows(
            self.connection, SpanRow.__table__,
            ("set_id", "start", "end", "label", "attributes", "note", "origin", "provenance",
             "source"), rows,
            constants={"version": 1, "updated_by": by, "created_at": now, "updated_at": now},
            returning=("id", "set_id", "start", "end", "label"))
        ids = {(set_id, start, end, label): i for i, set_id, start, end, label in found}
        return [ids[row[:4]] for row in rows]

    def add_relations_many(self, relations: Sequence[tuple[int, str, int, int]]) -> int:
        """Insert relations of many sets, ``(set id, type, head span id, tail span id)``, a few
        hundred per statement; returns how many. Both ends must be spans of the relation's set
        (the foreign keys)."""
        _insert_rows(self.connection, RelationRow.__table__,
                     ("set_id", "type", "head_id", "tail_id"), relations,
                     constants={"version": 1})
        return len(relations)

    def add_relations(self, set_id: int, relations: Sequence[Relation]) -> list[int]:
        if not relations:
            return []
        rows = [{"set_id": set_id, "type": r.type, "head_id": r.head, "tail_id": r.tail}
                for r in relations]
        table = RelationRow.__table__
        ids = {(kind, head, tail): i for i, kind, head, tail in self._execute(
            insert(table).returning(table.c.id, table.c.type, table.c.head_id, table.c.tail_id),
            rows)}  # (type, head, tail) is unique in a set (uq_relation)
        return [ids[(r.type, r.head, r.tail)] for r in relations]

    def load(self, set_id: int, text: str) -> AnnotationSet:
        """One set with its spans and relations; span texts are cut from the document ``text``."""
        sets = self._load_sets(select_where=AnnotationSetRow.id == set_id, texts={})
        found = sets.get(set_id)
        if found is None:
            raise KeyError(set_id)
        return self._fill([found], {found.document_id: text})[0]

    def for_documents(self, texts: dict[int, str], which: SetFilter) -> list[AnnotationSet]:
        """The sets of the given documents (id -> text) that ``which`` selects, spans sorted by
        (start, end, label, id) and relations by id; ordered by document then (kind, owner)."""
        if not texts:
            return []
        condition = AnnotationSetRow.document_id.in_(list(texts))
        if which.kind is not None:
            condition = condition & (AnnotationSetRow.kind == str(which.kind))
        if which.owner is not None:
            condition = condition & (AnnotatorRow.name == which.owner)
        heads = list(self._load_sets(select_where=condition, texts=texts).values())
        return self._fill(heads, texts)

    def _load_sets(self, *, select_where: Any, texts: dict[int, str]) -> dict[int, AnnotationSet]:
        rows = self._execute(
            select(AnnotationSetRow.id, AnnotationSetRow.document_id, AnnotatorRow.name,
                   AnnotationSetRow.kind, AnnotationSetRow.status, AnnotationSetRow.active_seconds)
            .join(AnnotatorRow, AnnotatorRow.id == AnnotationSetRow.owner_id)
            .where(select_where))
        return {set_id: AnnotationSet(id=set_id, document_id=doc_id, owner=owner, kind=SetKind(kind),
                                      status=SetStatus(status), active_seconds=seconds)
                for set_id, doc_id, owner, kind, status, seconds in rows}

    def _fill(self, sets: list[AnnotationSet], texts: dict[int, str]) -> list[AnnotationSet]:
        """Attach spans (sorted by start, end, label, id) and relations (by id) to ``sets``.

        The hot path of every export: rows are read through the Core connection (no ORM result
        wrapping), sorted by the database, and the few distinct attribute objects are decoded once.
        """
        set_ids = [s.id for s in sets if s.id is not None]
        spans: dict[int, list[Span]] = defaultdict(list)
        relations: dict[int, list[Relation]] = defaultdict(list)
        doc_of = {s.id: s.document_id for s in sets}
        connection = self.connection
        attributes = _JsonCache()
        provenances = _ProvenanceCache()
        origins = {o.value: o for o in Origin}
        for chunk in _chunks(set_ids):
            rows = connection.execute(
                select(SpanRow.set_id, SpanRow.id, SpanRow.start, SpanRow.end, SpanRow.label,
                       cast(SpanRow.attributes, Text), SpanRow.note, SpanRow.origin,
                       cast(SpanRow.provenance, Text), cast(SpanRow.source, Text),
                       SpanRow.version)
                .where(SpanRow.set_id.in_(chunk))
                .order_by(SpanRow.set_id, SpanRow.start, SpanRow.end, SpanRow.label, SpanRow.id))
            for sid, span_id, start, end, label, attrs, note, origin, provenance, source, \
                    version in rows.all():   # one fetchall: a fetch a row cost a third
                spans[sid].append(stored_span(
                    texts[doc_of[sid]], start, end, label, span_id, attributes.load(attrs), note,
                    origins[origin],
                    None if provenance in _NULLS else provenances.load(provenance),
                    None if source in _NULLS else attributes.load(source), version))
            for sid, rel_id, rtype, head, tail, version in connection.execute(
                    select(RelationRow.set_id, RelationRow.id, RelationRow.type, RelationRow.head_id,
                           RelationRow.tail_id, RelationRow.version)
                    .where(RelationRow.set_id.in_(chunk))
                    .order_by(RelationRow.set_id, RelationRow.id)):
                relations[sid].append(Relation(type=rtype, head=head, tail=tail, id=rel_id,
                                               version=version))
        kind_order = {SetKind.ANNOTATION: 0, SetKind.GOLD: 1, SetKind.SUGGESTIONS: 2}
        filled = [
            AnnotationSet(id=s.id, document_id=s.document_id, owner=s.owner, kind=s.kind,
                          status=s.status, active_seconds=s.active_seconds,
                          spans=tuple(spans[s.id]), relations=tuple(relations[s.id]))
            for s in sets
        ]
        filled.sort(key=lambda s: (s.document_id, kind_order[s.kind], s.owner))
        return filled

    # -- annotation use case (annotator.services.annotate) ----------------------------------

    def info(self, set_id: int) -> SetInfo | None:
        """The header of set ``set_id`` (owner name included), or None."""
        row = self._execute(
            select(AnnotationSetRow.id, AnnotationSetRow.document_id, AnnotatorRow.name,
                   AnnotationSetRow.kind, AnnotationSetRow.status, AnnotationSetRow.active_seconds)
            .join(AnnotatorRow, AnnotatorRow.id == AnnotationSetRow.owner_id)
            .where(AnnotationSetRow.id == set_id)).first()
        if row is None:
            return None
        return SetInfo(row[0], row[1], row[2], SetKind(row[3]), SetStatus(row[4]), float(row[5]))

    def info_and_role(self, set_id: int, person: str) -> tuple[SetInfo | None, Role | None]:
        """The header of set ``set_id`` and ``person``'s role, in one query (the hot path of
        every annotation action)."""
        row = self._execute(Prepared.info_and_role(),
                            {"set_id": set_id, "person": person}).first()
        if row is None:
            return None, None
        return (SetInfo(row[0], row[1], row[2], SetKind(row[3]), SetStatus(row[4]),
                        float(row[5])), Role(row[6]) if row[6] is not None else None)

    def existing_keys(self, set_id: int, keys: Collection[tuple[int, int, str]]
                      ) -> dict[tuple[int, int, str], int]:
        """Which of ``keys`` (start, end, label) set ``set_id`` has, with their span ids: one
        query per few hundred keys."""
        if len(keys) == 1:   # one user action: a prepared statement
            ((start, end, label),) = keys
            span_id = self._execute(Prepared.existing_key(), {
                "set_id": set_id, "start": start, "end": end, "label": label}).scalar()
            return {} if span_id is None else {(start, end, label): span_id}
        # by start only (a third of the bound parameters, and ints), the rest compared here
        wanted = set(keys)
        found: dict[tuple[int, int, str], int] = {}
        for chunk in _chunks(sorted({start for start, _, _ in wanted})):
            for span_id, start, end, label in self._execute(
                    Prepared.spans_starting(), {"set_id": set_id, "starts": list(chunk)}):
                if (start, end, label) in wanted:
                    found[(start, end, label)] = span_id
        return found

    def headers(self, document_ids: Collection[int]) -> list[SetInfo]:
        """The headers of every set of the given documents, by document, kind, owner."""
        found: list[SetInfo] = []
        for chunk in _chunks(sorted(document_ids)):
            rows = self._execute(
                select(AnnotationSetRow.id, AnnotationSetRow.document_id, AnnotatorRow.name,
                       AnnotationSetRow.kind, AnnotationSetRow.status,
                       AnnotationSetRow.active_seconds)
                .join(AnnotatorRow, AnnotatorRow.id == AnnotationSetRow.owner_id)
                .where(AnnotationSetRow.document_id.in_(chunk)))
            found.extend(SetInfo(r[0], r[1], r[2], SetKind(r[3]), SetStatus(r[4]), float(r[5]))
                         for r in rows)
        kind_order = {SetKind.ANNOTATION: 0, SetKind.GOLD: 1, SetKind.SUGGESTIONS: 2}
        return sorted(found, key=lambda i: (i.document_id, kind_order[i.kind], i.owner))

    def counts_by_owner(self, kind: SetKind) -> dict[str, tuple[int, int]]:
        """owner -> (sets of ``kind``, of which done)."""
        done = func.sum(case((AnnotationSetRow.status == str(SetStatus.DONE), 1), else_=0))
        return {name: (int(n), int(d or 0)) for name, n, d in self._execute(
            select(AnnotatorRow.name, func.count(), done)
            .join(AnnotatorRow, AnnotatorRow.id == AnnotationSetRow.owner_id)
            .where(AnnotationSetRow.kind == str(kind)).group_by(AnnotatorRow.name))}

    def documents_with_sets(self, kind: SetKind) -> list[int]:
        """Ids of the documents that have at least one set of ``kind``."""
        return list(self._execute(
            select(AnnotationSetRow.document_id).where(AnnotationSetRow.kind == str(kind))
            .distinct().order_by(AnnotationSetRow.document_id)).scalars())

    def replace_contents(self, set_id: int, spans: Sequence[Span],
                         relations: Sequence[tuple[str, int, int]]) -> list[int]:
        """Empty set ``set_id`` and fill it with ``spans`` and ``relations`` (type, head index,
        tail index into ``spans``); returns the new span ids in order."""
        self._execute(delete(RelationRow).where(RelationRow.set_id == set_id))
        self._execute(delete(SpanRow).where(SpanRow.set_id == set_id))
        ids = self.add_spans(set_id, spans)
        self.add_relations(set_id, [Relation(kind, ids[head], ids[tail])
                                    for kind, head, tail in relations])
        return ids


    def span_records(self, span_ids: Sequence[int]) -> list[SpanRecord]:
        """The stored rows of the given spans (missing ids are left out), in the order asked."""
        found: list[SpanRecord] = []
        for chunk in _chunks(list(span_ids)):
            found.extend(_span_record(row) for row in self._execute(
                Prepared.span_records(), {"ids": list(chunk)}))
        order = {span_id: i for i, span_id in enumerate(span_ids)}
        return sorted(found, key=lambda r: order[r.id])

    def relations_of_spans(self, span_ids: Sequence[int]) -> list[tuple[int, Relation]]:
        """(set_id, relation) of every relation whose head or tail is one of ``span_ids``, by id."""
        found: dict[int, tuple[int, Relation]] = {}
        for chunk in _chunks(list(span_ids)):
            for rel_id, set_id, rtype, head, tail in self._execute(
                    Prepared.relations_of_spans(), {"ids": list(chunk)}):
                found[rel_id] = (set_id, Relation(type=rtype, head=head, tail=tail, id=rel_id))
        return [found[k] for k in sorted(found)]

    def relation(self, relation_id: int) -> tuple[int, Relation] | None:
        """(set_id, relation) of relation ``relation_id``, or None."""
        row = self._execute(
            select(RelationRow.set_id, RelationRow.type, RelationRow.head_id, RelationRow.tail_id)
            .where(RelationRow.id == relation_id)).first()
        if row is None:
            return None
        return row[0], Relation(type=row[1], head=row[2], tail=row[3], id=relation_id)

    def find_span(self, set_id: int, start: int, end: int, label: str, *,
                  exclude: int | None = None) -> int | None:
        """The id of a span of ``set_id`` with exactly these offsets and label, or None."""
        parameters = {"set_id": set_id, "start": start, "end": end, "label": label}
        if exclude is None:
            return self._execute(Prepared.existing_key(), parameters).scalar()
        return self._execute(Prepared.existing_key_except(),
                             {**parameters, "exclude": exclude}).scalar()

    def find_relation(self, set_id: int, type_: str, head: int, tail: int) -> int | None:
        """The id of the relation ``type_`` from ``head`` to ``tail`` in ``set_id``, or None."""
        return self._execute(
            select(RelationRow.id).where(RelationRow.set_id == set_id, RelationRow.type == type_,
                                         RelationRow.head_id == head, RelationRow.tail_id == tail)
            .limit(1)).scalar()

    def delete_relations(self, relation_ids: Sequence[int]) -> int:
        removed = 0
        for chunk in _chunks(list(relation_ids)):
            removed += self._execute(
                delete(RelationRow).where(RelationRow.id.in_(chunk))).rowcount
        return removed

    def delete_spans(self, span_ids: Sequence[int],
                     versions: Mapping[int, int] | None = None) -> int:
        """Delete spans (those whose version is still the one in ``versions``, when given);
        returns how many went. Delete their relations first (:meth:`relations_of_spans`)."""
        removed = 0
        ids = list(span_ids)
        if versions is None:
            for chunk in _chunks(ids):
                removed += self._execute(
                    delete(SpanRow).where(SpanRow.id.in_(chunk))).rowcount
            return removed
        if len(ids) == 1:   # one user action: a prepared statement
            return self._execute(Prepared.delete_span_version(), {
                "span_id": ids[0], "version": versions[ids[0]]}).rowcount
        for chunk in _chunks(ids, _IN_CHUNK // 2):
            removed += self._execute(delete(SpanRow).where(
                tuple_(SpanRow.id, SpanRow.version).in_([(i, versions[i]) for i in chunk])
            )).rowcount
        return removed

    def last_change_by(self, entity: str, entity_id: int) -> str | None:
        """Who last changed the row (from the journal), for a conflict message."""
        return self._execute(
            select(EventRow.actor).where(EventRow.entity == entity,
                                         EventRow.entity_id == entity_id)
            .order_by(EventRow.id.desc()).limit(1)).scalar()

    def restore_span_records(self, records: Sequence[SpanRecord]) -> None:
        """Insert spans with their original ids and timestamps (the undo of a delete)."""
        if records:
            self._execute(Prepared.insert_span_rows(), [
                {"id": r.id, "set_id": r.set_id, "start": r.start, "end": r.end,
                 "label": r.label, "attributes": dict(r.attributes), "note": r.note,
                 "origin": r.origin,
                 "provenance": r.provenance.to_json() if r.provenance else None,
                 "source": dict(r.source) if r.source is not None else None,
                 "version": r.version, "updated_by": r.updated_by,
                 "created_at": r.created_at, "updated_at": r.updated_at}
                for r in records])

    def restore_relations(self, set_id: int, relations: Sequence[Relation]) -> None:
        """Insert relations with their original ids (the undo of a delete)."""
        if relations:
            self._execute(insert(RelationRow.__table__), [
                {"id": r.id, "set_id": set_id, "type": r.type, "head_id": r.head,
                 "tail_id": r.tail} for r in relations])

    def update_span(self, span_id: int, *, start: int, end: int, label: str,
                    attributes: dict[str, Any], note: str,
                    provenance: Provenance | None = None, version: int, by: str) -> bool:
        """Change a span if its version is still ``version`` (and bump it); False otherwise:
        someone changed or removed it since it was read."""
        return self._execute(Prepared.update_span(), {
            "span_id": span_id, "old_version": version, "start": start, "end": end,
            "label": label, "attributes": dict(attributes), "note": note,
            "provenance": provenance.to_json() if provenance else None,
            "new_version": version + 1, "by": by, "now": utcnow()}).rowcount == 1

    def touch(self, set_id: int) -> None:
        """Mark set ``set_id`` as changed now (its ``updated_at``)."""
        self._execute(Prepared.touch(), {"set_id": set_id, "now": utcnow()})

    def add_active_seconds(self, set_id: int, seconds: float) -> float:
        """Add ``seconds`` to the set's active time in one statement; returns the new total."""
        return float(self._execute(
            update(AnnotationSetRow).where(AnnotationSetRow.id == set_id)
            .values(active_seconds=AnnotationSetRow.active_seconds + seconds,
                    updated_at=utcnow())
            .returning(AnnotationSetRow.active_seconds)).scalar_one())

    def queue(self, owner: str) -> list[QueueRow]:
        """Every document by external id, with ``owner``'s annotation set (if any) and its span
        count. One query: documents LEFT JOIN the owner's sets LEFT JOIN their span counts."""
        owned = (select(AnnotationSetRow.id, AnnotationSetRow.document_id,
                        AnnotationSetRow.status)
                 .join(AnnotatorRow, AnnotatorRow.id == AnnotationSetRow.owner_id)
                 .where(AnnotatorRow.name == owner,
                        AnnotationSetRow.kind == str(SetKind.ANNOTATION))
                 .subquery())
        counts = (select(SpanRow.set_id, func.count().label("n"))
                  .join(owned, owned.c.id == SpanRow.set_id)
                  .group_by(SpanRow.set_id).subquery())
        rows = self._execute(
            select(DocumentRow.id, DocumentRow.external_id, DocumentRow.title,
                   func.length(DocumentRow.text), owned.c.id, owned.c.status,
                   func.coalesce(counts.c.n, 0))
            .outerjoin(owned, owned.c.document_id == DocumentRow.id)
            .outerjoin(counts, counts.c.set_id == owned.c.id)
            .order_by(DocumentRow.external_id))
        return [QueueRow(doc_id, ext, title, int(length), set_id,
                         SetStatus(status) if status is not None else None, int(n))
                for doc_id, ext, title, length, set_id, status, n in rows]

    def any_assigned(self) -> bool:
        """Has work ever been assigned in this store (``assign``, ``import --annotator``)?"""
        return self._execute(
            select(EventRow.id).where(EventRow.action == "assign").limit(1)).first() is not None
