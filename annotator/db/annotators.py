"""Annotators by name: ids (remembered for the unit of work), roles, creation."""

from __future__ import annotations

from sqlalchemy import Connection, func, insert, select, update

from annotator.core.model import Role
from annotator.db.models import AnnotatorRow
from annotator.db.repository_base import _Repository
from annotator.db.statements import Prepared


class AnnotatorRepository(_Repository):
    """Annotators by name. Ids found are remembered for the unit of work (annotators are never
    deleted or renamed), so a bulk import does not ask once per record."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._ids: dict[str, int] = {}

    def id_of(self, name: str) -> int | None:
        found = self._ids.get(name)
        if found is None:
            found = self._execute(Prepared.annotator_id(), {"name": name}).scalar()
            if found is not None:
                self._ids[name] = found
        return found

    def ensure(self, name: str, role: Role = Role.ANNOTATOR) -> int:
        """The id of annotator ``name``, created with ``role`` if new."""
        found = self.id_of(name)
        if found is not None:
            return found
        created = self._execute(
            insert(AnnotatorRow).values(name=name, role=str(role)).returning(AnnotatorRow.id)
        ).scalar_one()
        self._ids[name] = created
        return created

    def names(self) -> list[tuple[str, str]]:
        return list(self._execute(
            select(AnnotatorRow.name, AnnotatorRow.role).order_by(AnnotatorRow.name)))

    def role_of(self, name: str) -> Role | None:
        found = self._execute(Prepared.annotator_role(), {"name": name}).scalar()
        return Role(found) if found is not None else None

    def set_role(self, name: str, role: Role) -> None:
        self._execute(update(AnnotatorRow).where(AnnotatorRow.name == name)
                             .values(role=str(role)))

    def count_with_role(self, role: Role) -> int:
        return self._execute(select(func.count()).select_from(AnnotatorRow)
                                    .where(AnnotatorRow.role == str(role))).scalar_one()
