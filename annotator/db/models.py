"""SQLAlchemy 2 typed models for the tables of DESIGN section 4.

Every schema change is an Alembic revision (``annotator/db/migrations``); a test checks that these
models and the migrated database agree.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class _Json(TypeDecorator[Any]):
    """JSON on SQLite, JSONB on PostgreSQL. The PostgreSQL type is looked up only when a
    PostgreSQL connection needs it: a command on a SQLite store does not import that dialect."""

    impl = JSON
    cache_ok = True

    def __init__(self, *, none_as_null: bool = False) -> None:
        super().__init__(none_as_null=none_as_null)
        self.none_as_null = none_as_null

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB(none_as_null=self.none_as_null))
        return dialect.type_descriptor(JSON(none_as_null=self.none_as_null))


JsonType = _Json()
#: JSON where None is SQL NULL (the journal's absent states), also in a Core executemany
NullableJsonType = _Json(none_as_null=True)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JsonType}


class DocumentRow(Base):
    __tablename__ = "document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(255), unique=True)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str | None] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AnnotatorRow(Base):
    __tablename__ = "annotator"
    __table_args__ = (
        CheckConstraint("role IN ('annotator', 'reviewer', 'lead', 'system')",
                        name="ck_annotator_role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20), default="annotator")


class AnnotationSetRow(Base):
    __tablename__ = "annotation_set"
    __table_args__ = (
        UniqueConstraint("document_id", "owner_id", "kind", name="uq_annotation_set_doc_owner_kind"),
        CheckConstraint("kind IN ('annotation', 'gold', 'suggestions')", name="ck_annotation_set_kind"),
        CheckConstraint("status IN ('todo', 'in_progress', 'done', 'skipped')",
                        name="ck_annotation_set_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("annotator.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="annotation")
    status: Mapped[str] = mapped_column(String(20), default="todo")
    active_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SpanRow(Base):
    __tablename__ = "span"
    __table_args__ = (
        CheckConstraint('0 <= start AND start < "end"', name="ck_span_offsets"),
        UniqueConstraint("set_id", "id", name="uq_span_set_id"),
        # a set holds a span once: the database decides between racing writers (migration 0004)
        UniqueConstraint("set_id", "start", "end", "label", name="uq_span_key"),
        {"sqlite_autoincrement": True},  # never reuse a deleted id (migration 0002)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("annotation_set.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(64))
    attributes: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(20), default="manual")
    # gold spans: {"decided_by": ..., "how": accepted|edited|added, "from": [annotators]}
    provenance: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    # suggestions (and spans accepted from them): {"suggester": ..., "confidence": ...}
    source: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    # optimistic concurrency: every change names the version it saw and bumps it (migration 0004)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RelationRow(Base):
    """Both ends are spans of the relation's own set: the composite foreign keys enforce it."""

    __tablename__ = "relation"
    __table_args__ = (
        ForeignKeyConstraint(["set_id", "head_id"], ["span.set_id", "span.id"], ondelete="CASCADE",
                             name="fk_relation_head_same_set"),
        ForeignKeyConstraint(["set_id", "tail_id"], ["span.set_id", "span.id"], ondelete="CASCADE",
                             name="fk_relation_tail_same_set"),
        UniqueConstraint("set_id", "type", "head_id", "tail_id", name="uq_relation"),
        CheckConstraint("head_id <> tail_id", name="ck_relation_not_self"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("annotation_set.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(64))
    head_id: Mapped[int] = mapped_column(Integer, index=True)
    tail_id: Mapped[int] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class RejectionRow(Base):
    """A candidate span a reviewer rejected while adjudicating: kept out of the document's gold
    set (``set_id``), and no longer shown as a disagreement to resolve."""

    __tablename__ = "review_rejection"
    __table_args__ = (
        UniqueConstraint("set_id", "start", "end", "label", name="uq_review_rejection"),
        CheckConstraint('0 <= start AND start < "end"', name="ck_review_rejection_offsets"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("annotation_set.id", ondelete="CASCADE"),
                                        index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(64))
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SuggestionRejectionRow(Base):
    """A suggestion an annotator rejected (x): hidden for them in that document, remembered.
    ``set_id`` is the annotator's own set of the document."""

    __tablename__ = "suggestion_rejection"
    __table_args__ = (
        UniqueConstraint("set_id", "start", "end", "label", name="uq_suggestion_rejection"),
        CheckConstraint('0 <= start AND start < "end"', name="ck_suggestion_rejection_offsets"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("annotation_set.id", ondelete="CASCADE"),
                                        index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(64))
    suggester: Mapped[str | None] = mapped_column(String(40), nullable=True)
    rejected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EventRow(Base):
    """The append-only journal: who changed what, when, with the state before and after."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    batch: Mapped[str] = mapped_column(String(32), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    document_id: Mapped[int | None] = mapped_column(Integer, index=True)
    set_id: Mapped[int | None] = mapped_column(Integer, index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(NullableJsonType)
    after: Mapped[dict[str, Any] | None] = mapped_column(NullableJsonType)
    # team mode: the database login that made the change (PostgreSQL fills it with current_user)
    db_user: Mapped[str | None] = mapped_column(String(100), nullable=True)


class LabelSchemaRow(Base):
    """The project's label schema, versioned: each distinct schema file loaded is kept."""

    __tablename__ = "label_schema"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    content: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
