"""Documents: read by id, hash, external id or page; added many at once; listed with their sets'
summaries (annotator docs)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from annotator.core.model import Document, SetKind, SetStatus
from annotator.db.bulk_insert import _insert_rows
from annotator.db.models import (
    AnnotationSetRow,
    AnnotatorRow,
    DocumentRow,
    RelationRow,
    SpanRow,
    utcnow,
)
from annotator.db.repository_base import _chunks, _Repository


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


def _document(row: Any) -> Document:
    return Document(id=row.id, external_id=row.external_id, title=row.title, text=row.text,
                    sha256=row.sha256, source=row.source, meta=row.meta or {})


class DocumentRepository(_Repository):
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

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
            self.connection, DocumentRow.__table__,
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
