"""SQLite: never reuse a deleted span or relation id (AUTOINCREMENT).

Without it SQLite gives the highest deleted rowid to the next row, so undoing a delete could not
restore a span under its own id, and journal entries would point at two different spans.
PostgreSQL's sequences never reuse ids: nothing to do there.

Revision ID: 0002_sqlite_autoincrement
Revises: 0001_initial
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0002_sqlite_autoincrement"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

TABLES = ("span", "relation")


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        # recreate="always" copies the table into a new one created with the new option.
        with op.batch_alter_table(table, recreate="always",
                                  table_kwargs={"sqlite_autoincrement": autoincrement}):
            ...


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
