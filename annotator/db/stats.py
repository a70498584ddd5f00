"""The whole store's counts (annotator stats)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from annotator.core.model import Role
from annotator.db.models import (
    AnnotationSetRow,
    AnnotatorRow,
    DocumentRow,
    EventRow,
    RelationRow,
    SpanRow,
)
from annotator.db.repository_base import _Repository


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
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def collect(self) -> StoreStats:
        s = self.connection
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
