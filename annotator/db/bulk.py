"""Changes of many rows at once: documents and sets removed (with their spans and relations),
annotators no set needs removed, spans relabeled, and the counts those changes report
(annotator.services.documents, history and labels)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, select, update

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
class LabelCount:
    label: str
    spans: int
    sets: int
    documents: int


class BulkRepository(_Repository):
    """Changes of many rows at once: removing documents and sets, relabeling spans."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

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
