"""Reads of the journal (the ``event`` table): a batch's events, events of some actions, batches by
id prefix, later events touching some documents or sets (annotator.services.history)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from annotator.db.models import EventRow
from annotator.db.repository_base import _chunks, _Repository


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One journal row."""

    id: int
    at: Any
    actor: str
    batch: str
    action: str
    entity: str
    entity_id: int | None
    document_id: int | None
    set_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


_EVENT_COLUMNS = (EventRow.id, EventRow.at, EventRow.actor, EventRow.batch, EventRow.action,
                  EventRow.entity, EventRow.entity_id, EventRow.document_id, EventRow.set_id,
                  EventRow.before, EventRow.after)


class EventRepository(_Repository):
    """Reads of the journal (``event``); writes go through ``UnitOfWork.record``."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def _records(self, query: Any) -> list[EventRecord]:
        return [EventRecord(*row) for row in self._execute(query)]

    def of_batch(self, batch: str) -> list[EventRecord]:
        return self._records(select(*_EVENT_COLUMNS).where(EventRow.batch == batch)
                             .order_by(EventRow.id))

    def with_actions(self, actions: Collection[str], *, entity: str | None = None
                     ) -> list[EventRecord]:
        """Every event of one of ``actions`` (on ``entity``), in journal order."""
        query = select(*_EVENT_COLUMNS).where(EventRow.action.in_(sorted(actions)))
        if entity is not None:
            query = query.where(EventRow.entity == entity)
        return self._records(query.order_by(EventRow.id))

    def batches_starting(self, prefix: str, *, action: str) -> list[str]:
        """The batches whose id starts with ``prefix`` and that hold an ``action`` event."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return list(self._execute(
            select(EventRow.batch).where(EventRow.batch.like(escaped + "%", escape="\\"),
                                         EventRow.action == action)
            .distinct().order_by(EventRow.batch)).scalars())

    def touching(self, *, since: int, document_ids: Collection[int], set_ids: Collection[int],
                 exclude_batch: str, limit: int = 5) -> tuple[int, list[EventRecord]]:
        """(how many, the first ``limit``) events after event ``since``, of another batch, on
        one of ``document_ids`` or ``set_ids``."""
        found: dict[int, EventRecord] = {}
        for column, values in ((EventRow.document_id, sorted(document_ids)),
                               (EventRow.set_id, sorted(set_ids))):
            for chunk in _chunks(values):
                for record in self._records(
                        select(*_EVENT_COLUMNS).where(EventRow.id > since,
                                                      EventRow.batch != exclude_batch,
                                                      column.in_(chunk))):
                    found[record.id] = record
        ordered = [found[k] for k in sorted(found)]
        return len(ordered), ordered[:limit]
