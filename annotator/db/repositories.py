"""Repositories: the only code that speaks SQL. They take and return core objects."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, case, cast, delete, func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from annotator.core.model import (
    AnnotationSet,
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
from annotator.db.models import (
    AnnotationSetRow,
    AnnotatorRow,
    DocumentRow,
    EventRow,
    LabelSchemaRow,
    RelationRow,
    SpanRow,
    utcnow,
)
from annotator.db.statements import Prepared

_IN_CHUNK = 500  # bound parameters per IN (...) query, well under every backend's limit


def _chunks(values: Sequence[Any], size: int = _IN_CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


#: rows per multi-row INSERT: 256, then the rest in powers of two, so that a connection's
#: statement cache holds a few small statements (one of 2,000 rows took 4 MB in SQLite)
_BULK_ROWS = 256
#: distinct JSON values a bulk insert remembers the encoding of (span attributes repeat)
_BULK_MEMO = 4_096
_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


class _Encoder:
    """One column's values as the driver takes them (the column type's bind processor for the
    dialect: JSON text, a timestamp's text on SQLite ...), each distinct JSON object encoded
    once."""

    def __init__(self, process: Any) -> None:
        self.process = process
        self.memo: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        if self.process is None:
            return value
        if type(value) is not dict and value is not None:
            return self.process(value)
        try:      # None, or a flat object of hashable values: its items (types too: 1, 1.0, True)
            key = value if value is None else tuple([(k, type(v), v) for k, v in value.items()])
            return self.memo[key]
        except KeyError:
            found = self.process(value)
            if len(self.memo) < _BULK_MEMO:
                self.memo[key] = found
            return found
        except TypeError:   # a list or an object inside: not hashable
            return self.process(value)


def _bulk_chunks(rows: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """``rows`` in chunks of _BULK_ROWS, the rest in chunks of decreasing powers of two."""
    start, size = 0, _BULK_ROWS
    while start < len(rows):
        while size > len(rows) - start:
            size //= 2
        yield rows[start:start + size]
        start += size


def _insert_rows(connection: Any, table: Any, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                 *, constants: Mapping[str, Any] | None = None,
                 returning: Sequence[str] = ()) -> list[tuple[Any, ...]]:
    """INSERT ``rows`` (values of ``columns``) and ``constants`` (the same in every row) into
    ``table`` in multi-row ``INSERT ... VALUES (...), (...)`` statements sent to the driver as
    they are: one statement per few hundred rows, values bound the way the columns' types bind
    them, without the per-row bookkeeping of an ORM or Core executemany (a third of the time of
    a big import). Returns the ``returning`` columns of the rows inserted, in no given order
    (SQLite does not promise one): callers map them back by a unique key."""
    if not rows:
        return []
    dialect = connection.dialect
    mark = _PLACEHOLDERS.get(dialect.paramstyle)
    constants = dict(constants or {})
    names = [*columns, *constants]
    if mark is None:     # a driver of another parameter style: SQLAlchemy's own executemany
        params = [dict(zip(names, (*row, *constants.values()))) for row in rows]
        statement = insert(table)
        if returning:
            return [tuple(r) for r in connection.execute(
                statement.returning(*(table.c[n] for n in returning)), params)]
        connection.execute(statement, params)
        return []

    def encoder(name: str) -> _Encoder:
        return _Encoder(table.c[name].type.dialect_impl(dialect).bind_processor(dialect))

    encoders = [(i, encoder(name)) for i, name in enumerate(columns)]
    encoders = [(i, e) for i, e in encoders if e.process is not None]
    fixed = tuple(encoder(name)(value) for name, value in constants.items())
    quote = dialect.identifier_preparer.quote
    head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) VALUES "
    tail = f" RETURNING {', '.join(quote(n) for n in returning)}" if returning else ""
    one = "(" + ", ".join([mark] * len(names)) + ")"
    found: list[tuple[Any, ...]] = []
    for chunk in _bulk_chunks(rows):
        values: list[Any] = []
        for row in chunk:
            if encoders:
                row = list(row)
                for i, encode in encoders:
                    row[i] = encode(row[i])
            values += row
            values += fixed
        result = connection.exec_driver_sql(head + ", ".join([one] * len(chunk)) + tail,
                                            tuple(values))
        if returning:
            found += result.fetchall()
    return found


@dataclass(frozen=True, slots=True)
class SetSummary:
    set_id: int
    owner: str
    kind: SetKind
    status: SetStatus
    spans: int
    relations: int


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    id: int
    external_id: str
    title: str
    length: int
    sets: tuple[SetSummary, ...]


@dataclass(frozen=True, slots=True)
class SetFilter:
    """Which sets a read selects: every set, or one kind, or one owner's annotation set."""

    kind: SetKind | None = None
    owner: str | None = None

    @property
    def is_all(self) -> bool:
        return self.kind is None and self.owner is None


def _provenance(raw: Any) -> Provenance | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = json.loads(raw)
        if raw is None:
            return None
    return Provenance.from_json(raw)


def _json(raw: Any) -> dict[str, Any] | None:
    """A JSON column's value (SQLite may hand back text)."""
    if isinstance(raw, str):
        raw = json.loads(raw)
    return dict(raw) if raw is not None else None


_NULLS = (None, "null")   # a JSON column's null, as SQL NULL or as JSON text


class _ProvenanceCache:
    """Decodes each distinct provenance once (a reviewer's decisions repeat a few values)."""

    def __init__(self) -> None:
        self._seen: dict[str, Provenance | None] = {}

    def load(self, raw: str) -> Provenance | None:
        if raw not in self._seen:
            self._seen[raw] = _provenance(raw)
        return self._seen[raw]


class _JsonCache:
    """Decodes JSON text once per distinct value (span attributes repeat: {}, {"kind": ...}).

    The decoded objects are shared between spans, so they must be treated as read-only (core
    objects are frozen; writers copy with ``dict(...)``)."""

    def __init__(self) -> None:
        self._seen: dict[str | None, dict[str, Any]] = {}

    def load(self, raw: str | None) -> dict[str, Any]:
        found = self._seen.get(raw)
        if found is None:
            found = json.loads(raw) if raw else {}
            self._seen[raw] = found
        return found


def _document(row: Any) -> Document:
    return Document(id=row.id, external_id=row.external_id, title=row.title, text=row.text,
                    sha256=row.sha256, source=row.source, meta=row.meta or {})


class _Repository:
    """Runs Core statements on the unit of work's connection: the ORM's per-statement
    bookkeeping is not needed by repositories that read and write rows, and skipping it halves
    the cost of each statement on the hot paths (an annotation action runs five)."""

    session: Session

    def _execute(self, statement: Any, parameters: Any = None) -> Any:
        connection = self.session.connection()
        if parameters is None:
            return connection.execute(statement)
        return connection.execute(statement, parameters)


class DocumentRepository(_Repository):
    def __init__(self, session: Session) -> None:
        self.session = session

    _columns = (DocumentRow.id, DocumentRow.external_id, DocumentRow.title, DocumentRow.text,
                DocumentRow.sha256, DocumentRow.source, DocumentRow.meta)

    def get(self, document_id: int) -> Document | None:
        row = self._execute(select(*self._columns).where(DocumentRow.id == document_id)).first()
        return _document(row) if row else None

    def by_sha(self, sha256: str) -> Document | None:
        row = self._execute(select(*self._columns).where(DocumentRow.sha256 == sha256)).first()
        return _document(row) if row else None

    def by_external_id(self, external_id: str) -> Document | None:
        row = self._execute(
            select(*self._columns).where(DocumentRow.external_id == external_id)).first()
        return _document(row) if row else None

    def ids_by_sha(self, shas: Collection[str]) -> dict[str, tuple[int, str]]:
        """sha256 -> (id, external_id) for the documents the store already has."""
        found: dict[str, tuple[int, str]] = {}
        for chunk in _chunks(sorted(shas)):
            rows = self._execute(
                select(DocumentRow.sha256, DocumentRow.id, DocumentRow.external_id)
                .where(DocumentRow.sha256.in_(chunk)))
            found.update({sha: (doc_id, ext) for sha, doc_id, ext in rows})
        return found

    def shas_by_external_id(self, external_ids: Collection[str]) -> dict[str, str]:
        """external_id -> sha256 for the ids already taken."""
        found: dict[str, str] = {}
        for chunk in _chunks(sorted(external_ids)):
            rows = self._execute(
                select(DocumentRow.external_id, DocumentRow.sha256)
                .where(DocumentRow.external_id.in_(chunk)))
            found.update({ext: sha for ext, sha in rows})
        return found

    def add_many(self, documents: Sequence[Document]) -> list[int]:
        """Insert documents in one statement batch; returns their ids in order."""
        if not documents:
            return []
        rows = [(d.external_id, d.title, d.text, d.sha256, d.source, dict(d.meta))
                for d in documents]
        # multi-row INSERTs whose RETURNING rows come in no given order: sha256 is unique, so
        # each id maps back
        ids = {sha: i for i, sha in _insert_rows(
            self.session.connection(), DocumentRow.__table__,
            ("external_id", "title", "text", "sha256", "source", "meta"), rows,
            constants={"imported_at": utcnow()}, returning=("id", "sha256"))}
        return [ids[d.sha256] for d in documents]

    def page(self, *, after: str | None, limit: int) -> list[Document]:
        """Documents ordered by external id, the ``limit`` that come after ``after`` (keyset paging)."""
        query = select(*self._columns).order_by(DocumentRow.external_id).limit(limit)
        if after is not None:
            query = query.where(DocumentRow.external_id > after)
        return [_document(row) for row in self._execute(query)]

    def count(self) -> int:
        return self._execute(select(func.count()).select_from(DocumentRow)).scalar_one()

    def index(self) -> list[tuple[int, str, str]]:
        """(id, external id, title) of every document, by external id (no text read)."""
        return [tuple(r) for r in self._execute(  # type: ignore[misc]
            select(DocumentRow.id, DocumentRow.external_id, DocumentRow.title)
            .order_by(DocumentRow.external_id))]

    def many(self, document_ids: Collection[int]) -> dict[int, Document]:
        """The documents with the given ids (texts included), by id."""
        found: dict[int, Document] = {}
        for chunk in _chunks(sorted(document_ids), 100):
            for row in self._execute(select(*self._columns)
                                            .where(DocumentRow.id.in_(chunk))):
                found[row.id] = _document(row)
        return found

    def summaries(self) -> list[DocumentSummary]:
        """Every document with its length and its sets (owner, kind, status, counts)."""
        docs = self._execute(
            select(DocumentRow.id, DocumentRow.external_id, DocumentRow.title,
                   func.length(DocumentRow.text)).order_by(DocumentRow.external_id)).all()
        span_counts = dict(self._execute(
            select(SpanRow.set_id, func.count()).group_by(SpanRow.set_id)).all())
        rel_counts = dict(self._execute(
            select(RelationRow.set_id, func.count()).group_by(RelationRow.set_id)).all())
        sets: dict[int, list[SetSummary]] = defaultdict(list)
        rows = self._execute(
            select(AnnotationSetRow.id, AnnotationSetRow.document_id, AnnotatorRow.name,
                   AnnotationSetRow.kind, AnnotationSetRow.status)
            .join(AnnotatorRow, AnnotatorRow.id == AnnotationSetRow.owner_id)
            .order_by(AnnotationSetRow.kind, AnnotatorRow.name))
        for set_id, doc_id, owner, kind, status in rows:
            sets[doc_id].append(SetSummary(set_id, owner, SetKind(kind), SetStatus(status),
                                           span_counts.get(set_id, 0), rel_counts.get(set_id, 0)))
        return [DocumentSummary(i, ext, title, length, tuple(sets[i])) for i, ext, title, length in docs]


class AnnotatorRepository(_Repository):
    """Annotators by name. Ids found are remembered for the unit of work (annotators are never
    deleted or renamed), so a bulk import does not ask once per record."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._ids: dict[str, int] = {}

    def id_of(self, name: str) -> int | None:
        found = self._ids.get(name)
        if found is None:
            found = self._execute(Prepared.annotator_id(), {"name": name}).scalar()
            if found is not None:
                self._ids[name] = found
        return found

    def ensure(self, name: str, role: Role = Role.ANNOTATOR) -> int:
        """The id of annotator ``name``, created with ``role`` if new."""
        found = self.id_of(name)
        if found is not None:
            return found
        created = self._execute(
            insert(AnnotatorRow).values(name=name, role=str(role)).returning(AnnotatorRow.id)
        ).scalar_one()
        self._ids[name] = created
        return created

    def names(self) -> list[tuple[str, str]]:
        return list(self._execute(
            select(AnnotatorRow.name, AnnotatorRow.role).order_by(AnnotatorRow.name)))

    def role_of(self, name: str) -> Role | None:
        found = self._execute(Prepared.annotator_role(), {"name": name}).scalar()
        return Role(found) if found is not None else None

    def set_role(self, name: str, role: Role) -> None:
        self._execute(update(AnnotatorRow).where(AnnotatorRow.name == name)
                             .values(role=str(role)))

    def count_with_role(self, role: Role) -> int:
        return self._execute(select(func.count()).select_from(AnnotatorRow)
                                    .where(AnnotatorRow.role == str(role))).scalar_one()



class SetRepository(_Repository):
    def __init__(self, session: Session) -> None:
        self.session = session

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
        found = _insert_rows(self.session.connection(), AnnotationSetRow.__table__,
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
            self.session.connection(), SpanRow.__table__,
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
        _insert_rows(self.session.connection(), RelationRow.__table__,
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
        connection = self.session.connection()
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


class SchemaRepository(_Repository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def latest(self) -> tuple[int, str] | None:
        """(version, TOML text) of the schema loaded last, or None in a new store."""
        row = self._execute(select(LabelSchemaRow.version, LabelSchemaRow.content)
                                   .order_by(LabelSchemaRow.id.desc()).limit(1)).first()
        return (row[0], row[1]) if row else None

    def has(self, sha256: str) -> bool:
        return self._execute(
            select(LabelSchemaRow.id).where(LabelSchemaRow.sha256 == sha256)).first() is not None

    def add(self, *, name: str, version: int, sha256: str, content: str) -> int:
        return self._execute(
            insert(LabelSchemaRow).values(name=name, version=version, sha256=sha256, content=content,
                                          loaded_at=utcnow()).returning(LabelSchemaRow.id)
        ).scalar_one()


@dataclass(frozen=True, slots=True)
class StoreStats:
    documents: int
    characters: int
    annotators: int
    sets_by_kind_status: tuple[tuple[str, str, int], ...]
    spans_by_label: tuple[tuple[str, int], ...]
    relations_by_type: tuple[tuple[str, int], ...]
    events: int


class StatsRepository(_Repository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def collect(self) -> StoreStats:
        s = self.session
        documents, characters = s.execute(
            select(func.count(), func.coalesce(func.sum(func.length(DocumentRow.text)), 0))).one()
        annotators = s.execute(select(func.count()).select_from(AnnotatorRow)
                               .where(AnnotatorRow.role != str(Role.SYSTEM))).scalar_one()
        sets = s.execute(select(AnnotationSetRow.kind, AnnotationSetRow.status, func.count())
                         .group_by(AnnotationSetRow.kind, AnnotationSetRow.status)
                         .order_by(AnnotationSetRow.kind, AnnotationSetRow.status)).all()
        spans = s.execute(select(SpanRow.label, func.count()).group_by(SpanRow.label)
                          .order_by(SpanRow.label)).all()
        relations = s.execute(select(RelationRow.type, func.count()).group_by(RelationRow.type)
                              .order_by(RelationRow.type)).all()
        events = s.execute(select(func.count()).select_from(EventRow)).scalar_one()
        return StoreStats(documents=documents, characters=int(characters), annotators=annotators,
                          sets_by_kind_status=tuple(sets), spans_by_label=tuple(spans),
                          relations_by_type=tuple(relations), events=events)


# -- annotation use case (annotator.services.annotate) -----------------------------------------


@dataclass(frozen=True, slots=True)
class SetInfo:
    """An annotation set's header: whose it is, of which document, in what state."""

    id: int
    document_id: int
    owner: str
    kind: SetKind
    status: SetStatus
    active_seconds: float


@dataclass(frozen=True, slots=True)
class SpanRecord:
    """A span row exactly as stored (timestamps included), without its text."""

    id: int
    set_id: int
    start: int
    end: int
    label: str
    attributes: dict[str, Any]
    note: str
    origin: str
    created_at: Any
    updated_at: Any
    provenance: Provenance | None = None
    source: dict[str, Any] | None = None
    version: int = 1
    updated_by: str | None = None


@dataclass(frozen=True, slots=True)
class QueueRow:
    document_id: int
    external_id: str
    title: str
    length: int
    set_id: int | None
    status: SetStatus | None
    spans: int




def _span_record(row: Any) -> SpanRecord:
    return SpanRecord(id=row[0], set_id=row[1], start=row[2], end=row[3], label=row[4],
                      attributes=dict(row[5] or {}), note=row[6], origin=row[7],
                      created_at=row[8], updated_at=row[9], provenance=_provenance(row[10]),
                      source=_json(row[11]), version=row[12], updated_by=row[13])


# -- journal, bulk removal and relabeling (annotator.services.history / documents / labels) ----


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One journal row."""

    id: int
    at: Any
    actor: str
    batch: str
    action: str
    entity: str
    entity_id: int | None
    document_id: int | None
    set_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


_EVENT_COLUMNS = (EventRow.id, EventRow.at, EventRow.actor, EventRow.batch, EventRow.action,
                  EventRow.entity, EventRow.entity_id, EventRow.document_id, EventRow.set_id,
                  EventRow.before, EventRow.after)


class EventRepository(_Repository):
    """Reads of the journal (``event``); writes go through ``UnitOfWork.record``."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _records(self, query: Any) -> list[EventRecord]:
        return [EventRecord(*row) for row in self._execute(query)]

    def of_batch(self, batch: str) -> list[EventRecord]:
        return self._records(select(*_EVENT_COLUMNS).where(EventRow.batch == batch)
                             .order_by(EventRow.id))

    def with_actions(self, actions: Collection[str], *, entity: str | None = None
                     ) -> list[EventRecord]:
        """Every event of one of ``actions`` (on ``entity``), in journal order."""
        query = select(*_EVENT_COLUMNS).where(EventRow.action.in_(sorted(actions)))
        if entity is not None:
            query = query.where(EventRow.entity == entity)
        return self._records(query.order_by(EventRow.id))

    def batches_starting(self, prefix: str, *, action: str) -> list[str]:
        """The batches whose id starts with ``prefix`` and that hold an ``action`` event."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return list(self._execute(
            select(EventRow.batch).where(EventRow.batch.like(escaped + "%", escape="\\"),
                                         EventRow.action == action)
            .distinct().order_by(EventRow.batch)).scalars())

    def touching(self, *, since: int, document_ids: Collection[int], set_ids: Collection[int],
                 exclude_batch: str, limit: int = 5) -> tuple[int, list[EventRecord]]:
        """(how many, the first ``limit``) events after event ``since``, of another batch, on
        one of ``document_ids`` or ``set_ids``."""
        found: dict[int, EventRecord] = {}
        for column, values in ((EventRow.document_id, sorted(document_ids)),
                               (EventRow.set_id, sorted(set_ids))):
            for chunk in _chunks(values):
                for record in self._records(
                        select(*_EVENT_COLUMNS).where(EventRow.id > since,
                                                      EventRow.batch != exclude_batch,
                                                      column.in_(chunk))):
                    found[record.id] = record
        ordered = [found[k] for k in sorted(found)]
        return len(ordered), ordered[:limit]


@dataclass(frozen=True, slots=True)
class LabelCount:
    label: str
    spans: int
    sets: int
    documents: int


class BulkRepository(_Repository):
    """Changes of many rows at once: removing documents and sets, relabeling spans."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def existing_documents(self, document_ids: Collection[int]) -> dict[int, tuple[str, str]]:
        """id -> (external_id, title) of those of ``document_ids`` that still exist."""
        found: dict[int, tuple[str, str]] = {}
        for chunk in _chunks(sorted(document_ids)):
            found.update((i, (ext, title)) for i, ext, title in self._execute(
                select(DocumentRow.id, DocumentRow.external_id, DocumentRow.title)
                .where(DocumentRow.id.in_(chunk))))
        return found

    def documents_by_external_id(self, external_ids: Collection[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunks(sorted(external_ids)):
            found.update((ext, i) for ext, i in self._execute(
                select(DocumentRow.external_id, DocumentRow.id)
                .where(DocumentRow.external_id.in_(chunk))))
        return found

    def existing_sets(self, set_ids: Collection[int]) -> set[int]:
        found: set[int] = set()
        for chunk in _chunks(sorted(set_ids)):
            found.update(self._execute(
                select(AnnotationSetRow.id).where(AnnotationSetRow.id.in_(chunk))).scalars())
        return found

    def set_contents(self, document_ids: Collection[int]) -> dict[int, list[tuple[str, str, str, int, int]]]:
        """document id -> [(owner, kind, status, spans, relations)] of its sets."""
        out: dict[int, list[tuple[str, str, str, int, int]]] = defaultdict(list)
        for chunk in _chunks(sorted(document_ids)):
            sets = self._execute(
                select(AnnotationSetRow.id, AnnotationSetRow.document_id, AnnotatorRow.name,
                       AnnotationSetRow.kind, AnnotationSetRow.status)
                .join(AnnotatorRow, AnnotatorRow.id == AnnotationSetRow.owner_id)
                .where(AnnotationSetRow.document_id.in_(chunk))
                .order_by(AnnotationSetRow.document_id, AnnotationSetRow.kind,
                          AnnotatorRow.name)).all()
            ids = [row[0] for row in sets]
            spans = dict(self._execute(
                select(SpanRow.set_id, func.count()).where(SpanRow.set_id.in_(ids))
                .group_by(SpanRow.set_id)).all()) if ids else {}
            relations = dict(self._execute(
                select(RelationRow.set_id, func.count()).where(RelationRow.set_id.in_(ids))
                .group_by(RelationRow.set_id)).all()) if ids else {}
            for set_id, doc_id, owner, kind, status in sets:
                out[doc_id].append((owner, kind, status, spans.get(set_id, 0),
                                    relations.get(set_id, 0)))
        return out

    def span_count(self, set_ids: Collection[int]) -> int:
        total = 0
        for chunk in _chunks(sorted(set_ids)):
            total += self._execute(select(func.count()).select_from(SpanRow)
                                          .where(SpanRow.set_id.in_(chunk))).scalar_one()
        return total

    def spans_in_documents(self, document_ids: Collection[int]) -> int:
        total = 0
        for chunk in _chunks(sorted(document_ids)):
            total += self._execute(
                select(func.count()).select_from(SpanRow)
                .join(AnnotationSetRow, AnnotationSetRow.id == SpanRow.set_id)
                .where(AnnotationSetRow.document_id.in_(chunk))).scalar_one()
        return total

    def delete_documents(self, document_ids: Collection[int]) -> int:
        """Delete documents with their sets, spans and relations (relations and spans first, so
        that no backend depends on cascades)."""
        removed = 0
        for chunk in _chunks(sorted(document_ids)):
            set_ids = select(AnnotationSetRow.id).where(AnnotationSetRow.document_id.in_(chunk))
            self._execute(delete(RelationRow).where(RelationRow.set_id.in_(set_ids)))
            self._execute(delete(SpanRow).where(SpanRow.set_id.in_(set_ids)))
            self._execute(delete(AnnotationSetRow)
                                 .where(AnnotationSetRow.document_id.in_(chunk)))
            removed += self._execute(
                delete(DocumentRow).where(DocumentRow.id.in_(chunk))).rowcount
        return removed

    def delete_sets(self, set_ids: Collection[int]) -> int:
        removed = 0
        for chunk in _chunks(sorted(set_ids)):
            self._execute(delete(RelationRow).where(RelationRow.set_id.in_(chunk)))
            self._execute(delete(SpanRow).where(SpanRow.set_id.in_(chunk)))
            removed += self._execute(
                delete(AnnotationSetRow).where(AnnotationSetRow.id.in_(chunk))).rowcount
        return removed

    def label_counts(self) -> list[LabelCount]:
        """Per span label in the store: spans, sets and documents that use it."""
        rows = self._execute(
            select(SpanRow.label, func.count(), func.count(func.distinct(SpanRow.set_id)),
                   func.count(func.distinct(AnnotationSetRow.document_id)))
            .join(AnnotationSetRow, AnnotationSetRow.id == SpanRow.set_id)
            .group_by(SpanRow.label).order_by(SpanRow.label)).all()
        return [LabelCount(label, int(n), int(sets), int(docs)) for label, n, sets, docs in rows]

    def delete_unused_annotators(self, annotator_ids: Collection[int]) -> list[str]:
        """Delete those of ``annotator_ids`` that own no set; returns their names."""
        removed: list[str] = []
        for chunk in _chunks(sorted(annotator_ids)):
            owning = select(AnnotationSetRow.owner_id).where(AnnotationSetRow.owner_id.in_(chunk))
            names = list(self._execute(
                select(AnnotatorRow.name).where(AnnotatorRow.id.in_(chunk),
                                                AnnotatorRow.id.not_in(owning))).scalars())
            self._execute(delete(AnnotatorRow).where(AnnotatorRow.id.in_(chunk),
                                                            AnnotatorRow.id.not_in(owning)))
            removed += names
        return removed

    def relabel(self, old: str, new: str) -> int:
        """Every span labeled ``old`` gets ``new``; returns how many."""
        return self._execute(update(SpanRow).where(SpanRow.label == old)
                                    .values(label=new, version=SpanRow.version + 1,
                                            updated_at=utcnow())).rowcount
