"""Review: roles annotator / reviewer / lead, provenance of gold spans, rejected candidates.

Revision ID: 0003_review
Revises: 0002_sqlite_autoincrement
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003_review"
down_revision = "0002_sqlite_autoincrement"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.execute("UPDATE annotator SET role = 'lead' WHERE role = 'admin'")
    op.execute("UPDATE annotator SET role = 'annotator' "
               "WHERE role NOT IN ('annotator', 'reviewer', 'lead', 'system')")
    with op.batch_alter_table("annotator") as batch:
        batch.create_check_constraint("ck_annotator_role",
                                      "role IN ('annotator', 'reviewer', 'lead', 'system')")
    with op.batch_alter_table("span", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.add_column(sa.Column("provenance", Json, nullable=True))
    op.create_index("ix_event_action", "event", ["action"])
    op.create_table(
        "review_rejection",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("set_id", sa.Integer, sa.ForeignKey("annotation_set.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("set_id", "start", "end", "label", name="uq_review_rejection"),
        sa.CheckConstraint('0 <= start AND start < "end"', name="ck_review_rejection_offsets"),
    )


def downgrade() -> None:
    op.drop_table("review_rejection")
    op.drop_index("ix_event_action", "event")
    with op.batch_alter_table("span", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("provenance")
    with op.batch_alter_table("annotator") as batch:
        batch.drop_constraint("ck_annotator_role", type_="check")
    op.execute("UPDATE annotator SET role = 'admin' WHERE role = 'lead'")
