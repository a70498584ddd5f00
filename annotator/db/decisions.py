"""The review's and the suggestions' own rows and questions: candidates a reviewer rejected
in a gold set, suggestions an annotator dismissed, and what the suggesters learn from the
human sets. (Sets, spans and relations themselves: :mod:`annotator.db.sets`.)"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, Text, case, cast, delete, func, insert, select

from annotator.core.model import Origin, SetKind
from annotator.db.models import (
    AnnotationSetRow,
    AnnotatorRow,
    DocumentRow,
    EventRow,
    RejectionRow,
    RelationRow,
    SpanRow,
    SuggestionRejectionRow,
    utcnow,
)
from annotator.db.repository_base import _chunks, _json, _JsonCache, _Repository
from annotator.db.set_records import SpanRecord, _span_record
from annotator.db.statements import SPAN_COLUMNS


class ReviewRepository(_Repository):
    """Candidates rejected in gold sets (annotator.services.review)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add_rejection(self, set_id: int, start: int, end: int, label: str, *,
                      decided_by: str) -> int:
        return self._execute(
            insert(RejectionRow).values(set_id=set_id, start=start, end=end, label=label,
                                        decided_by=decided_by, decided_at=utcnow())
            .returning(RejectionRow.id)).scalar_one()

    def delete_rejection(self, set_id: int, start: int, end: int, label: str) -> int:
        return self._execute(
            delete(RejectionRow).where(RejectionRow.set_id == set_id, RejectionRow.start == start,
                                       RejectionRow.end == end, RejectionRow.label == label)
        ).rowcount

    def rejections(self, set_ids: Collection[int]) -> dict[int, set[tuple[int, int, str]]]:
        """set id -> the (start, end, label) candidates rejected in it."""
        found: dict[int, set[tuple[int, int, str]]] = defaultdict(set)
        for chunk in _chunks(sorted(set_ids)):
            for set_id, start, end, label in self._execute(
                    select(RejectionRow.set_id, RejectionRow.start, RejectionRow.end,
                           RejectionRow.label).where(RejectionRow.set_id.in_(chunk))):
                found[set_id].add((start, end, label))
        return dict(found)


    def annotation_rows(self, document_id: int) -> ReviewRows:
        """What review reads of a document's annotation sets, as plain rows: the sets (id,
        owner) by owner; every span as (start, end, label, annotator number, span id, attributes
        as stored text) sorted by (start, end, label); each set's relations (type, head id, tail
        id). Rows come straight from the driver's cursor: a book's 60,000 spans cost a third
        less than through SQLAlchemy's rows, and no span object is made here."""
        connection = self.connection
        sets = [(set_id, owner) for set_id, owner in connection.execute(
            select(AnnotationSetRow.id, AnnotatorRow.name)
            .join(AnnotatorRow, AnnotatorRow.id == AnnotationSetRow.owner_id)
            .where(AnnotationSetRow.document_id == document_id,
                   AnnotationSetRow.kind == str(SetKind.ANNOTATION))
            .order_by(AnnotatorRow.name))]
        if not sets:
            return ReviewRows([], [], {}, _JsonCache().load)
        number = case(*[(SpanRow.set_id == set_id, n) for n, (set_id, _) in enumerate(sets)],
                      else_=-1)
        spans = _driver_rows(connection, select(    # (no attributes: NULL, not "{}" 60,000 times)
            SpanRow.start, SpanRow.end, SpanRow.label, number, SpanRow.id,
            func.nullif(cast(SpanRow.attributes, Text), "{}"))
            .join(AnnotationSetRow, AnnotationSetRow.id == SpanRow.set_id)
            .where(AnnotationSetRow.document_id == document_id,
                   AnnotationSetRow.kind == str(SetKind.ANNOTATION))
            .order_by(SpanRow.start, SpanRow.end, SpanRow.label, SpanRow.set_id))
        relations: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
        for set_id, kind, head, tail in connection.execute(
                select(RelationRow.set_id, RelationRow.type, RelationRow.head_id,
                       RelationRow.tail_id)
                .where(RelationRow.set_id.in_([set_id for set_id, _ in sets]))
                .order_by(RelationRow.set_id, RelationRow.id)):
            relations[set_id].append((kind, head, tail))
        return ReviewRows(sets, spans, dict(relations), _JsonCache().load)


@dataclass(frozen=True, slots=True)
class ReviewRows:
    """A document's annotation sets as review reads them (ReviewRepository.annotation_rows)."""

    sets: list[tuple[int, str]]                            # (set id, owner), by owner
    spans: list[tuple[int, int, str, int, int, str]]       # sorted by (start, end, label)
    relations: dict[int, list[tuple[str, int, int]]]       # set id -> (type, head, tail)
    decode: Callable[[str | None], dict[str, Any]]         # stored attributes -> a mapping


def _driver_rows(connection: Connection, statement: Select[Any]) -> list[tuple[Any, ...]]:
    """The rows of ``statement`` as the driver's tuples, through its cursor on the unit of
    work's own connection (the same transaction); for columns that need no conversion."""
    compiled = statement.compile(dialect=connection.dialect)
    params = compiled.params
    args: Any = tuple(params[name] for name in compiled.positiontup or ()) \
        if compiled.positional else params
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), args)
        return cursor.fetchall()
    finally:
        cursor.close()


class SuggestionRepository(_Repository):
    """Suggestions dismissed by their annotator, and what the suggesters learn from the human
    sets (annotator.services.suggesting; the known names of snapping too)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add_suggestion_rejection(self, set_id: int, start: int, end: int, label: str, *,
                                 suggester: str | None) -> int:
        """Record that the owner of annotation set ``set_id`` rejected a suggestion (unique per
        set, start, end, label: the database decides between two windows)."""
        return self._execute(
            insert(SuggestionRejectionRow).values(set_id=set_id, start=start, end=end,
                                                  label=label, suggester=suggester,
                                                  rejected_at=utcnow())
            .returning(SuggestionRejectionRow.id)).scalar_one()

    def delete_suggestion_rejection(self, set_id: int, start: int, end: int, label: str) -> int:
        return self._execute(
            delete(SuggestionRejectionRow).where(
                SuggestionRejectionRow.set_id == set_id, SuggestionRejectionRow.start == start,
                SuggestionRejectionRow.end == end, SuggestionRejectionRow.label == label)
        ).rowcount

    def suggestion_rejections(self, set_ids: Collection[int]
                              ) -> dict[int, dict[tuple[int, int, str], str | None]]:
        """set id -> {(start, end, label): suggester} of the suggestions rejected in it."""
        found: dict[int, dict[tuple[int, int, str], str | None]] = defaultdict(dict)
        for chunk in _chunks(sorted(set_ids)):
            for set_id, start, end, label, suggester in self._execute(
                    select(SuggestionRejectionRow.set_id, SuggestionRejectionRow.start,
                           SuggestionRejectionRow.end, SuggestionRejectionRow.label,
                           SuggestionRejectionRow.suggester)
                    .where(SuggestionRejectionRow.set_id.in_(chunk))):
                found[set_id][(start, end, label)] = suggester
        return dict(found)

    def labeled_strings(self, labels: Collection[str], *, owner: str | None = None
                        ) -> dict[tuple[str, str], int]:
        """(text, label) -> how many spans have it, for the spans with one of ``labels`` in
        the human sets (annotation and gold), or only in ``owner``'s annotation sets. Texts are
        cut in Python from each document's text, read once: SQLite's substr walks UTF-8 from
        the start of the text, so cutting 20,000 spans of a 505k-character book in SQL took 5 s."""
        if not labels:
            return {}
        offsets: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
        query = (select(AnnotationSetRow.document_id, SpanRow.start, SpanRow.end, SpanRow.label)
                 .join(AnnotationSetRow, AnnotationSetRow.id == SpanRow.set_id)
                 .where(SpanRow.label.in_(sorted(labels)),
                        AnnotationSetRow.kind != str(SetKind.SUGGESTIONS)))
        if owner is not None:
            query = query.join(AnnotatorRow, AnnotatorRow.id == AnnotationSetRow.owner_id).where(
                AnnotatorRow.name == owner, AnnotationSetRow.kind == str(SetKind.ANNOTATION))
        for document_id, start, end, label in self.connection.execute(query):
            offsets[document_id].append((start, end, label))
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for chunk in _chunks(sorted(offsets), 50):
            for document_id, text in self.connection.execute(
                    select(DocumentRow.id, DocumentRow.text).where(DocumentRow.id.in_(chunk))):
                for start, end, label in offsets[document_id]:
                    counts[(text[start:end], label)] += 1
        return dict(counts)

    def suggested_spans(self, set_ids: Collection[int]) -> list[SpanRecord]:
        """The spans of the given sets whose origin is ``suggested``, by id."""
        found: list[SpanRecord] = []
        for chunk in _chunks(sorted(set_ids)):
            found.extend(_span_record(row) for row in self._execute(
                select(*SPAN_COLUMNS).where(SpanRow.set_id.in_(chunk),
                                             SpanRow.origin == str(Origin.SUGGESTED))))
        return sorted(found, key=lambda r: r.id)

    def span_keys(self, set_ids: Collection[int]) -> dict[int, list[tuple[int, int, str]]]:
        """set id -> the (start, end, label) of its spans, sorted."""
        found: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
        for chunk in _chunks(sorted(set_ids)):
            for set_id, start, end, label in self._execute(
                    select(SpanRow.set_id, SpanRow.start, SpanRow.end, SpanRow.label)
                    .where(SpanRow.set_id.in_(chunk))
                    .order_by(SpanRow.set_id, SpanRow.start, SpanRow.end, SpanRow.label)):
                found[set_id].append((start, end, label))
        return dict(found)

    def added_states(self, span_ids: Collection[int]) -> dict[int, dict[str, Any]]:
        """span id -> the state journaled when it was added (the ``after`` of its ``add``
        event), for the spans that have one (ids are never reused)."""
        found: dict[int, dict[str, Any]] = {}
        for chunk in _chunks(sorted(span_ids)):
            for entity_id, after in self._execute(
                    select(EventRow.entity_id, EventRow.after)
                    .where(EventRow.entity == "span", EventRow.action == "add",
                           EventRow.entity_id.in_(chunk))):
                state = _json(after)
                if state is not None:
                    found[entity_id] = state
        return found

    def span_texts(self, labels: Collection[str], *, owner: str | None = None) -> set[str]:
        """The distinct texts of the spans with one of ``labels`` in the human sets (annotation
        and gold), or only in ``owner``'s annotation sets."""
        return {text for text, _ in self.labeled_strings(labels, owner=owner)}
