"""The label schema's versions as stored (the schema itself: annotator.core.schema)."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select

from annotator.db.models import LabelSchemaRow, utcnow
from annotator.db.repository_base import _Repository


class SchemaRepository(_Repository):
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def latest(self) -> tuple[int, str] | None:
        """(version, TOML text) of the schema loaded last, or None in a new store."""
        row = self._execute(select(LabelSchemaRow.version, LabelSchemaRow.content)
                                   .order_by(LabelSchemaRow.id.desc()).limit(1)).first()
        return (row[0], row[1]) if row else None

    def has(self, sha256: str) -> bool:
        return self._execute(
            select(LabelSchemaRow.id).where(LabelSchemaRow.sha256 == sha256)).first() is not None

    def add(self, *, name: str, version: int, sha256: str, content: str) -> int:
        return self._execute(
            insert(LabelSchemaRow).values(name=name, version=version, sha256=sha256, content=content,
                                          loaded_at=utcnow()).returning(LabelSchemaRow.id)
        ).scalar_one()
