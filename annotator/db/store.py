"""The store and its unit of work: one transaction per use case, with the event journal.

    store = Store.open("sqlite:///x.sqlite3")
    with store.unit_of_work(actor="mona") as uow:
        doc = uow.documents.by_sha(sha)

Leaving the ``with`` block commits; an exception rolls everything back.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from collections import deque
from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, insert, text
from sqlalchemy.exc import DBAPIError

from annotator.db import driver
from annotator.db.decisions import ReviewRepository, SuggestionRepository
from annotator.db.driver import driven_insert
from annotator.db.engine import ensure_current, make_engine
from annotator.db.models import EventRow, utcnow
from annotator.db.repositories import (
    AnnotatorRepository,
    BulkRepository,
    DocumentRepository,
    EventRepository,
    SchemaRepository,
    SetRepository,
    StatsRepository,
)

#: PostgreSQL NOTIFY channel: "<set id> <batch>" for each set a transaction changed.
CHANGES_CHANNEL = "annotator_changes"


@driven_insert("id", "db_user")
def _insert_event() -> Any:
    """The journal's insert, built once (a Core statement costs more to build than to run) and
    run on the driver's cursor."""
    return insert(EventRow.__table__)


def new_batch_id() -> str:
    """A new journal batch id (32 hex digits)."""
    return uuid.uuid4().hex


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # the journal batches this Store object wrote: a window tells its own changes from
        # other writers' (annotator.db.watch)
        self.own_batches: deque[str] = deque(maxlen=4096)
        # the connection that the opening thread's units of work use one after another (the
        # window's actions): taken from the pool once, not at every action
        self._kept: list[Connection] = []   # none yet, or the one
        self._kept_thread = threading.get_ident()
        self._kept_busy = False
        # handed back to the pool when the store goes, or at exit: not left to the collector
        weakref.finalize(self, _close_kept, self._kept)

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Store:
        """Open the database at ``url``; a new or older database is migrated to the head revision."""
        engine = make_engine(url)
        if upgrade:
            ensure_current(engine)
        return cls(engine)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def unit_of_work(self, actor: str = "system", *, write: bool = True,
                     batch: str | None = None) -> UnitOfWork:
        """One transaction. ``write=False`` for reads only: on SQLite a writing unit of work
        takes the write lock when it begins (``BEGIN IMMEDIATE``), so that its reads and writes
        see one state of the store and a concurrent writer waits instead of failing; a reading
        one does not, so that reads go on while another process writes. Its events carry
        ``batch`` (a new id when None), so that several units of work of one user action (an
        import of many files) are journaled as one."""
        connection, kept = self._connection()
        return UnitOfWork(connection, actor=actor, write=write, batch=batch,
                          on_commit=self.own_batches.append,
                          on_close=self._release if kept else Connection.close)

    def _connection(self) -> tuple[Connection, bool]:
        """A connection for a unit of work, and whether it is the kept one: the opening
        thread's, when no unit of work of that thread holds it (one opened inside another, or
        in another thread, takes its own from the pool)."""
        if self._kept_busy or threading.get_ident() != self._kept_thread:
            return self.engine.connect(), False
        if not self._kept or self._kept[0].closed or self._kept[0].invalidated:
            _close_kept(self._kept)
            self._kept.append(self.engine.connect())
        self._kept_busy = True
        return self._kept[0], True

    def _release(self, connection: Connection) -> None:
        self._kept_busy = False
        if connection.invalidated:   # the server went away: the next unit of work reconnects
            _close_kept(self._kept)

    def prepare_writes(self) -> int:
        """Compile the statements the driver runs, for this database, before the first action
        needs them (:func:`annotator.db.driver.prepare`); returns how many."""
        return driver.prepare(self.engine.dialect)

    def close(self) -> None:
        _close_kept(self._kept)
        self.engine.dispose()


def _close_kept(kept: list[Connection]) -> None:
    while kept:
        kept.pop().close()


class UnitOfWork:
    """One transaction on one connection. Repositories read and write through it (Core
    statements; no ORM session: the repositories map rows themselves); ``record`` journals each
    change; ``on_close`` hands the connection back."""

    def __init__(self, connection: Connection, *, actor: str, write: bool = True,
                 batch: str | None = None,
                 on_commit: Callable[[str], None] | None = None,
                 on_close: Callable[[Connection], None] = Connection.close) -> None:
        self.connection = connection
        self.actor = actor
        self.write = write
        self.on_commit = on_commit
        self.on_close = on_close
        self.batch = batch or new_batch_id()
        self.documents = DocumentRepository(connection)
        self.annotators = AnnotatorRepository(connection)
        self.sets = SetRepository(connection)
        self.schemas = SchemaRepository(connection)
        self.stats = StatsRepository(connection)
        self.events = EventRepository(connection)
        self.bulk = BulkRepository(connection)
        self.review = ReviewRepository(connection)
        self.suggestions = SuggestionRepository(connection)
        self._events: list[dict[str, Any]] = []
        self._flushed = False     # events written before the commit (a long import's batches)
        self._transaction: Any = None

    def __enter__(self) -> UnitOfWork:
        try:
            self._transaction = self.connection.begin()
            if self.write and self.connection.dialect.name == "sqlite":
                driver.begin_immediate(self.connection)
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if exc_type is None:
                wrote = bool(self._events) or self._flushed
                self.flush_events()
                self._transaction.commit()
                if wrote and self.on_commit is not None:
                    self.on_commit(self.batch)
            else:
                self._transaction.rollback()
        except DBAPIError as failed:
            self._transaction.rollback()
            self._refused(failed)
            raise
        finally:
            self._close()
        if isinstance(exc, DBAPIError):
            self._refused(exc)

    def _close(self) -> None:
        """Leave no transaction open on the connection, then hand it back."""
        try:
            if self._transaction is not None and self._transaction.is_active:
                self._transaction.rollback()
            elif self.connection.in_transaction():
                self.connection.rollback()
        finally:
            self.on_close(self.connection)

    def _refused(self, error: DBAPIError) -> None:
        """Team mode on PostgreSQL: a statement the database refused (row-level security, no
        privilege) becomes the one-line error of a user's action; everything was rolled back."""
        bind = self.connection
        if bind.dialect.name == "postgresql":
            from annotator.db.security import refusal

            refused = refusal(error, bind.engine.url.username)
            if refused is not None:
                raise refused from error

    def record(self, action: str, entity: str, *, entity_id: int | None = None,
               document_id: int | None = None, set_id: int | None = None,
               before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> None:
        """Journal one change; written in the same transaction as the change itself."""
        self._events.append({
            "at": utcnow(), "actor": self.actor, "batch": self.batch, "action": action,
            "entity": entity, "entity_id": entity_id, "document_id": document_id,
            "set_id": set_id, "before": before, "after": after,
        })

    def lock(self, name: str) -> None:
        """Serialize a read-then-write decision (first lead, last lead) between processes: on
        PostgreSQL a transaction-level advisory lock; SQLite serializes writers itself (a writer
        that read a stale snapshot fails instead of overwriting)."""
        if self.connection.dialect.name == "postgresql":
            key = int.from_bytes(name.encode("utf-8")[:8].ljust(8, b"\0"), "big", signed=True)
            self.connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    def flush_events(self) -> None:
        if self._events:
            if self.connection.dialect.name == "postgresql":
                # windows showing these sets hear of the change when it commits (LISTEN)
                for set_id in sorted({e["set_id"] for e in self._events if e["set_id"]}):
                    self.connection.execute(text("SELECT pg_notify(:channel, :payload)"), {
                        "channel": CHANGES_CHANNEL, "payload": f"{set_id} {self.batch}"})
            # Core executemany (the ORM's bulk bookkeeping tripled the journal's cost), built once
            if driver.run(self.connection, _insert_event(), self._events) is None:
                self.connection.execute(_insert_event(), self._events)
            self._events = []
            self._flushed = True
