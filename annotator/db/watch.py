"""Noticing other writers: which annotation sets another window or process changed.

    watcher = ChangeWatcher(store)
    watcher.changed_sets()   # -> {set ids} changed by others since the last call (cheap)

SQLite: ``PRAGMA data_version`` on a connection of its own (it changes only when another
connection commits), then the journal rows written since, less the batches this ``Store`` object
wrote itself. PostgreSQL: ``LISTEN`` on the channel every writing transaction notifies
(``"<set id> <batch>"``, delivered on commit), read without blocking.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import func, select

from annotator.db.models import EventRow
from annotator.db.store import CHANGES_CHANNEL, Store


class ChangeWatcher:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.dialect = store.engine.dialect.name
        self._sqlite: sqlite3.Connection | None = None
        self._data_version: int | None = None
        self._last_event = 0
        self._pg: Any = None
        self._heard: list[tuple[int, str]] = []
        if self.dialect == "sqlite":
            database = store.engine.url.database or ""
            if database and database != ":memory:":
                self._sqlite = sqlite3.connect(f"file:{database}?mode=ro", uri=True,
                                               check_same_thread=False)
                self._data_version = self._version()
            with store.engine.connect() as conn:
                self._last_event = conn.execute(select(func.coalesce(func.max(EventRow.id), 0))
                                                ).scalar_one()
        elif self.dialect == "postgresql":
            import psycopg

            url = store.engine.url.set(drivername="postgresql")
            self._pg = psycopg.connect(url.render_as_string(hide_password=False),
                                       autocommit=True)
            self._pg.add_notify_handler(self._notified)
            self._pg.execute(f'LISTEN "{CHANGES_CHANNEL}"')

    def _version(self) -> int:
        assert self._sqlite is not None
        return int(self._sqlite.execute("PRAGMA data_version").fetchone()[0])

    def _notified(self, notify: Any) -> None:
        set_id, _, batch = notify.payload.partition(" ")
        if set_id.isdigit():
            self._heard.append((int(set_id), batch))

    def changed_sets(self) -> set[int]:
        """The sets that other writers changed since the last call."""
        own = set(self.store.own_batches)
        if self._pg is not None:
            self._pg.execute("SELECT 1")   # delivers the notifications that arrived meanwhile
            heard, self._heard = self._heard, []
            return {set_id for set_id, batch in heard if batch not in own}
        if self._sqlite is not None:
            version = self._version()
            if version == self._data_version:
                return set()
            self._data_version = version
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(EventRow.id, EventRow.set_id, EventRow.batch)
                                .where(EventRow.id > self._last_event)).all()
        if rows:
            self._last_event = max(r[0] for r in rows)
        return {set_id for _, set_id, batch in rows if set_id is not None and batch not in own}

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
        if self._pg is not None:
            self._pg.close()
            self._pg = None
