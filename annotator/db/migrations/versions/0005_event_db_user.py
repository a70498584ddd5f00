"""The journal records the database login of each change (team mode on PostgreSQL).

On PostgreSQL ``event.db_user`` defaults to ``current_user``, so a change made through a person's
own connection names them whatever the application says; on SQLite it stays empty (the store
trusts ``--user``).

Revision ID: 0005_event_db_user
Revises: 0004_versions_suggestions
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_event_db_user"
down_revision = "0004_versions_suggestions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("event") as batch:
        batch.add_column(sa.Column("db_user", sa.String(100), nullable=True,
                                   server_default=sa.text("current_user") if postgres else None))


def downgrade() -> None:
    with op.batch_alter_table("event") as batch:
        batch.drop_column("db_user")
