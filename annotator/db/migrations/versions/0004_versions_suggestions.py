"""A set holds a span once (unique key), versions for concurrent edits, suggestion sources and
rejected suggestions.

- ``span``: unique (set_id, start, end, label) decided by the database (duplicates a racing
  writer stored before are merged into the oldest span, their relations moved to it); columns
  ``version`` (bumped by every change, named by every update), ``updated_by``, ``source``
  (suggester and confidence of a suggestion, kept when a suggestion is accepted).
- ``relation``: ``version``.
- ``suggestion_rejection``: suggestions an annotator rejected, per their set.

Revision ID: 0004_versions_suggestions
Revises: 0003_review
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004_versions_suggestions"
down_revision = "0003_review"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")


def _merge_duplicate_spans() -> None:
    """Keep the oldest of spans equal in (set, start, end, label); move relations to it."""
    bind = op.get_bind()
    groups = bind.execute(sa.text(
        'SELECT set_id, start, "end", label, MIN(id) FROM span '
        'GROUP BY set_id, start, "end", label HAVING COUNT(*) > 1')).all()
    for set_id, start, end, label, keep in groups:
        doubles = [row[0] for row in bind.execute(sa.text(
            'SELECT id FROM span WHERE set_id = :s AND start = :a AND "end" = :b '
            'AND label = :l AND id <> :k'), {"s": set_id, "a": start, "b": end, "l": label,
                                             "k": keep})]
        for double in doubles:
            for column in ("head_id", "tail_id"):
                for rel_id, kind, head, tail in bind.execute(sa.text(
                        f"SELECT id, type, head_id, tail_id FROM relation WHERE {column} = :d"),
                        {"d": double}).all():
                    new_head = keep if head == double else head
                    new_tail = keep if tail == double else tail
                    taken = bind.execute(sa.text(
                        "SELECT id FROM relation WHERE set_id = :s AND type = :t AND "
                        "head_id = :h AND tail_id = :tl"),
                        {"s": set_id, "t": kind, "h": new_head, "tl": new_tail}).first()
                    if taken is not None or new_head == new_tail:
                        bind.execute(sa.text("DELETE FROM relation WHERE id = :r"), {"r": rel_id})
                    else:
                        bind.execute(sa.text(
                            "UPDATE relation SET head_id = :h, tail_id = :tl WHERE id = :r"),
                            {"h": new_head, "tl": new_tail, "r": rel_id})
            bind.execute(sa.text("DELETE FROM span WHERE id = :d"), {"d": double})


def upgrade() -> None:
    _merge_duplicate_spans()
    with op.batch_alter_table("span", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.add_column(sa.Column("source", Json, nullable=True))
        batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("updated_by", sa.String(100), nullable=True))
        batch.drop_index("ix_span_set_start")
        batch.create_unique_constraint("uq_span_key", ["set_id", "start", "end", "label"])
    with op.batch_alter_table("relation", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    op.create_table(
        "suggestion_rejection",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("set_id", sa.Integer, sa.ForeignKey("annotation_set.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("suggester", sa.String(40), nullable=True),
        sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("set_id", "start", "end", "label", name="uq_suggestion_rejection"),
        sa.CheckConstraint('0 <= start AND start < "end"',
                           name="ck_suggestion_rejection_offsets"),
    )


def downgrade() -> None:
    op.drop_table("suggestion_rejection")
    with op.batch_alter_table("relation", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("version")
    with op.batch_alter_table("span", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_constraint("uq_span_key", type_="unique")
        batch.create_index("ix_span_set_start", ["set_id", "start"])
        batch.drop_column("updated_by")
        batch.drop_column("version")
        batch.drop_column("source")
