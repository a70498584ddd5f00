"""The statements of the annotation hot path, built once with bound parameters.

Building a SQLAlchemy Core statement costs ~0.14 ms in Python (coercions, cache key), ten times
running a prepared one (~0.015 ms, measured on the book's store); an action runs about six."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from annotator.db.driver import driven, driven_insert
from annotator.db.models import AnnotationSetRow, AnnotatorRow, RelationRow, SpanRow

#: a span row as the repositories read it (annotator.db.set_records.SpanRecord)
SPAN_COLUMNS = (SpanRow.id, SpanRow.set_id, SpanRow.start, SpanRow.end, SpanRow.label,
                SpanRow.attributes, SpanRow.note, SpanRow.origin, SpanRow.created_at,
                SpanRow.updated_at, SpanRow.provenance, SpanRow.source, SpanRow.version,
                SpanRow.updated_by)


class Prepared:
    """The hot path's statements, each built on first use and kept."""

    @staticmethod
    @driven
    def info_and_role() -> Any:
        role = select(AnnotatorRow.role).where(
            AnnotatorRow.name == bindparam("person")).scalar_subquery()
        return (select(AnnotationSetRow.id, AnnotationSetRow.document_id, AnnotatorRow.name,
                       AnnotationSetRow.kind, AnnotationSetRow.status,
                       AnnotationSetRow.active_seconds, role)
                .join(AnnotatorRow, AnnotatorRow.id == AnnotationSetRow.owner_id)
                .where(AnnotationSetRow.id == bindparam("set_id")))

    @staticmethod
    @driven
    def existing_key() -> Any:
        return select(SpanRow.id).where(
            SpanRow.set_id == bindparam("set_id"), SpanRow.start == bindparam("start"),
            SpanRow.end == bindparam("end"), SpanRow.label == bindparam("label")).limit(1)

    @staticmethod
    @driven
    def spans_starting() -> Any:
        return select(SpanRow.id, SpanRow.start, SpanRow.end, SpanRow.label).where(
            SpanRow.set_id == bindparam("set_id"),
            SpanRow.start.in_(bindparam("starts", expanding=True)))

    @staticmethod
    @driven
    def existing_key_except() -> Any:
        return select(SpanRow.id).where(
            SpanRow.set_id == bindparam("set_id"), SpanRow.start == bindparam("start"),
            SpanRow.end == bindparam("end"), SpanRow.label == bindparam("label"),
            SpanRow.id != bindparam("exclude")).limit(1)

    @staticmethod
    @driven_insert("id")
    def insert_spans_keyed() -> Any:
        table = SpanRow.__table__
        return insert(table).returning(table.c.id, table.c.start, table.c.end, table.c.label)

    @staticmethod
    @driven_insert("id")
    def insert_spans_ordered() -> Any:
        table = SpanRow.__table__
        return insert(table).returning(table.c.id, sort_by_parameter_order=True)

    @staticmethod
    @driven_insert()
    def insert_span_rows() -> Any:
        return insert(SpanRow.__table__)

    @staticmethod
    @driven
    def span_records() -> Any:
        return select(*SPAN_COLUMNS).where(SpanRow.id.in_(bindparam("ids", expanding=True)))

    @staticmethod
    @driven
    def relations_of_spans() -> Any:
        ids = bindparam("ids", expanding=True)
        return (select(RelationRow.id, RelationRow.set_id, RelationRow.type,
                       RelationRow.head_id, RelationRow.tail_id)
                .where(RelationRow.head_id.in_(ids) | RelationRow.tail_id.in_(ids)))

    @staticmethod
    @driven
    def delete_span_version() -> Any:
        return delete(SpanRow).where(SpanRow.id == bindparam("span_id"),
                                     SpanRow.version == bindparam("version"))

    @staticmethod
    @driven
    def update_span() -> Any:
        return update(SpanRow).where(
            SpanRow.id == bindparam("span_id"), SpanRow.version == bindparam("old_version")
        ).values(start=bindparam("start"), end=bindparam("end"), label=bindparam("label"),
                 attributes=bindparam("attributes"), note=bindparam("note"),
                 provenance=bindparam("provenance"), version=bindparam("new_version"),
                 updated_by=bindparam("by"), updated_at=bindparam("now"))

    @staticmethod
    @driven
    def annotator_id() -> Any:
        return select(AnnotatorRow.id).where(AnnotatorRow.name == bindparam("name"))

    @staticmethod
    @driven
    def annotator_role() -> Any:
        return select(AnnotatorRow.role).where(AnnotatorRow.name == bindparam("name"))

    @staticmethod
    @driven
    def find_set() -> Any:
        return select(AnnotationSetRow.id).where(
            AnnotationSetRow.document_id == bindparam("document_id"),
            AnnotationSetRow.owner_id == bindparam("owner_id"),
            AnnotationSetRow.kind == bindparam("kind"))

    @staticmethod
    @driven
    def touch() -> Any:
        return update(AnnotationSetRow).where(AnnotationSetRow.id == bindparam("set_id")).values(
            updated_at=bindparam("now"))
