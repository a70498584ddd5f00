"""Initial tables: document, annotator, annotation_set, span, relation, event, label_schema.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "document",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("external_id", sa.String(255), nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("source", sa.Text, nullable=True),
        sa.Column("meta", Json, nullable=False),
        sa.Column("imported_at", Stamp, nullable=False),
    )
    op.create_table(
        "annotator",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
    )
    op.create_table(
        "annotation_set",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("document.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("annotator.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("active_seconds", sa.Float, nullable=False),
        sa.Column("updated_at", Stamp, nullable=False),
        sa.UniqueConstraint("document_id", "owner_id", "kind", name="uq_annotation_set_doc_owner_kind"),
        sa.CheckConstraint("kind IN ('annotation', 'gold', 'suggestions')", name="ck_annotation_set_kind"),
        sa.CheckConstraint("status IN ('todo', 'in_progress', 'done', 'skipped')",
                           name="ck_annotation_set_status"),
    )
    op.create_table(
        "span",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("set_id", sa.Integer, sa.ForeignKey("annotation_set.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("attributes", Json, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("updated_at", Stamp, nullable=False),
        sa.CheckConstraint('0 <= start AND start < "end"', name="ck_span_offsets"),
        sa.UniqueConstraint("set_id", "id", name="uq_span_set_id"),
    )
    op.create_index("ix_span_set_start", "span", ["set_id", "start"])
    op.create_table(
        "relation",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("set_id", sa.Integer, sa.ForeignKey("annotation_set.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("head_id", sa.Integer, nullable=False, index=True),
        sa.Column("tail_id", sa.Integer, nullable=False, index=True),
        sa.ForeignKeyConstraint(["set_id", "head_id"], ["span.set_id", "span.id"], ondelete="CASCADE",
                                name="fk_relation_head_same_set"),
        sa.ForeignKeyConstraint(["set_id", "tail_id"], ["span.set_id", "span.id"], ondelete="CASCADE",
                                name="fk_relation_tail_same_set"),
        sa.UniqueConstraint("set_id", "type", "head_id", "tail_id", name="uq_relation"),
        sa.CheckConstraint("head_id <> tail_id", name="ck_relation_not_self"),
    )
    op.create_table(
        "event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", Stamp, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("batch", sa.String(32), nullable=False, index=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("entity_id", sa.Integer, nullable=True),
        sa.Column("document_id", sa.Integer, nullable=True, index=True),
        sa.Column("set_id", sa.Integer, nullable=True, index=True),
        sa.Column("before", Json, nullable=True),
        sa.Column("after", Json, nullable=True),
    )
    op.create_table(
        "label_schema",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("loaded_at", Stamp, nullable=False),
    )


def downgrade() -> None:
    for table in ("label_schema", "event", "relation", "span", "annotation_set", "annotator", "document"):
        op.drop_table(table)
