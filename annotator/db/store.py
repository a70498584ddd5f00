"""The store and its unit of work: one transaction per use case, with the event journal.

    store = Store.open("sqlite:///x.sqlite3")
    with store.unit_of_work(actor="mona") as uow:
        doc = uow.documents.by_sha(sha)

Leaving the ``with`` block commits; an exception rolls everything back.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Callable
from functools import cache
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, insert, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from annotator.db.decisions import ReviewRepository, SuggestionRepository
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


@cache
def _insert_event() -> Any:
    """The journal's insert, built once (a Core statement costs more to build than to run)."""
    return insert(EventRow.__table__)


def new_batch_id() -> str:
    """A new journal batch id (32 hex digits)."""
    return uuid.uuid4().hex


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # the journal batches this Store object wrote: a window tells its own changes from
        # other writers' (annotator.db.watch)
        self.own_batches: deque[str] = deque(maxlen=4096)

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
        return UnitOfWork(self._sessions(), actor=actor, write=write, batch=batch,
                          on_commit=self.own_batches.append)

    def close(self) -> None:
        self.engine.dispose()


class UnitOfWork:
    """One transaction. Repositories read and write through it; ``record`` journals each change."""

    def __init__(self, session: Session, *, actor: str, write: bool = True,
                 batch: str | None = None,
                 on_commit: Callable[[str], None] | None = None) -> None:
        self.session = session
        self.actor = actor
        self.write = write
        self.on_commit = on_commit
        self.batch = batch or new_batch_id()
        self.documents = DocumentRepository(session)
        self.annotators = AnnotatorRepository(session)
        self.sets = SetRepository(session)
        self.schemas = SchemaRepository(session)
        self.stats = StatsRepository(session)
        self.events = EventRepository(session)
        self.bulk = BulkRepository(session)
        self.review = ReviewRepository(session)
        self.suggestions = SuggestionRepository(session)
        self._events: list[dict[str, Any]] = []
        self._flushed = False     # events written before the commit (a long import's batches)

    def __enter__(self) -> UnitOfWork:
        self.session.begin()
        if self.write and self.session.get_bind().dialect.name == "sqlite":
            try:
                self.session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                self.session.close()
                raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if exc_type is None:
                wrote = bool(self._events) or self._flushed
                self.flush_events()
                self.session.commit()
                if wrote and self.on_commit is not None:
                    self.on_commit(self.batch)
            else:
                self.session.rollback()
        except DBAPIError as failed:
            self.session.rollback()
            self._refused(failed)
            raise
        finally:
            self.session.close()
        if isinstance(exc, DBAPIError):
            self._refused(exc)

    def _refused(self, error: DBAPIError) -> None:
        """Team mode on PostgreSQL: a statement the database refused (row-level security, no
        privilege) becomes the one-line error of a user's action; everything was rolled back."""
        bind = self.session.get_bind()
        if bind.dialect.name == "postgresql":
            from annotator.db.security import refusal

            refused = refusal(error, bind.url.username)
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
        if self.session.get_bind().dialect.name == "postgresql":
            key = int.from_bytes(name.encode("utf-8")[:8].ljust(8, b"\0"), "big", signed=True)
            self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    def flush_events(self) -> None:
        if self._events:
            if self.session.get_bind().dialect.name == "postgresql":
                # windows showing these sets hear of the change when it commits (LISTEN)
                for set_id in sorted({e["set_id"] for e in self._events if e["set_id"]}):
                    self.session.execute(text("SELECT pg_notify(:channel, :payload)"), {
                        "channel": CHANGES_CHANNEL, "payload": f"{set_id} {self.batch}"})
            # Core executemany (the ORM's bulk bookkeeping tripled the journal's cost), built once
            self.session.connection().execute(_insert_event(), self._events)
            self._events = []
            self._flushed = True
