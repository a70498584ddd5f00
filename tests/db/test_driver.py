"""The hot path's statements on the driver's cursor (annotator.db.driver) write and read rows
exactly as Core does, raise what Core raises, and leave to Core what it does not take; units of
work of the opening thread share one kept connection."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from annotator.core.model import (
    Decision,
    Document,
    Origin,
    Provenance,
    SetKind,
    SetStatus,
    Span,
)
from annotator.core.text import sha256_text
from annotator.db import driver
from annotator.db.models import SpanRow
from annotator.db.statements import Prepared
from annotator.db.store import Store

TEXT = "😀 قال الوزيرُ إن روسيا “جاهزة”."


def _set(store: Store) -> int:
    with store.unit_of_work(actor="mona") as uow:
        (doc_id,) = uow.documents.add_many([Document(external_id="d1", title="t", text=TEXT,
                                                     sha256=sha256_text(TEXT))])
        owner = uow.annotators.ensure("mona")
        return uow.sets.create(doc_id, owner, SetKind.ANNOTATION, status=SetStatus.IN_PROGRESS)


def _row(start: int, set_id: int, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "set_id": set_id, "start": start, "end": start + 3, "label": "actor",
        "attributes": {"kind": "direct"}, "note": "نص", "origin": str(Origin.MANUAL),
        "provenance": None, "source": {"suggester": "x", "confidence": 0.5}, "version": 1,
        "updated_by": "mona", "created_at": None, "updated_at": None}
    row.update(changes)
    return row


def _stored(store: Store, span_id: int) -> tuple[Any, ...]:
    """The row as the database holds it (the text of dates and JSON on SQLite), without its id."""
    with store.engine.connect() as conn:
        row = conn.exec_driver_sql(
            'SELECT set_id, start, "end", label, CAST(attributes AS TEXT), note, origin, '
            "CAST(provenance AS TEXT), CAST(source AS TEXT), version, updated_by, "
            "CAST(created_at AS TEXT), CAST(updated_at AS TEXT) FROM span WHERE id = "
            f"{int(span_id)}").one()
    return tuple(row)


def test_a_driven_insert_writes_the_row_core_writes(store: Store) -> None:
    from annotator.db.models import utcnow

    set_id = _set(store)
    now = utcnow()
    provenance = Provenance("rana", Decision.ACCEPTED, ("mona", "omar")).to_json()
    with store.unit_of_work(actor="mona") as uow:
        by_driver = driver.run(uow.connection, Prepared.insert_spans_keyed(),
                               _row(2, set_id, created_at=now, updated_at=now,
                                    provenance=provenance))
        assert by_driver is not None   # the driver took it
        (driven_id, start, end, label), = list(by_driver)
        assert (start, end, label) == (2, 5, "actor")
        core_id = uow.connection.execute(
            Prepared.insert_spans_keyed(),
            [_row(6, set_id, created_at=now, updated_at=now, provenance=provenance)]
        ).all()[0][0]
    driven, core = _stored(store, driven_id), _stored(store, core_id)
    assert driven[1:3] == (2, 5) and core[1:3] == (6, 9)
    assert driven[:1] + driven[3:] == core[:1] + core[3:]   # every other column, as stored


def test_a_none_in_a_json_column_is_written_as_core_writes_it(store: Store) -> None:
    """JsonType writes None as JSON null (not SQL NULL): the driver path keeps that."""
    from annotator.db.models import utcnow

    set_id = _set(store)
    now = utcnow()
    with store.unit_of_work(actor="mona") as uow:
        rows = driver.run(uow.connection, Prepared.insert_spans_keyed(),
                          _row(2, set_id, source=None, created_at=now, updated_at=now))
        assert rows is not None
        driven_id = rows.first()[0]   # type: ignore[index]
        core_id = uow.connection.execute(
            Prepared.insert_spans_keyed(),
            [_row(6, set_id, source=None, created_at=now, updated_at=now)]).all()[0][0]
    assert _stored(store, driven_id)[8] == _stored(store, core_id)[8]


def test_a_driven_read_gives_back_what_core_gives(store: Store) -> None:
    """Dates come back as datetimes and JSON as dicts (the result processors), an IN list of
    any length included."""
    set_id = _set(store)
    with store.unit_of_work(actor="mona") as uow:
        ids = uow.sets.add_spans(set_id, [
            Span(start=2, end=5, label="actor", text=TEXT[2:5], attributes={"kind": "direct"}),
            Span(start=6, end=9, label="cue", text=TEXT[6:9], note="n")])
    with store.unit_of_work(write=False) as uow:
        for chosen in (ids[:1], ids, [*ids, 10_000]):
            driven = driver.run(uow.connection, Prepared.span_records(), {"ids": chosen})
            assert driven is not None
            core = uow.connection.execute(
                select(*Prepared.span_records().selected_columns)
                .where(SpanRow.id.in_(chosen))).all()
            assert sorted(driven) == sorted(tuple(r) for r in core)
            assert len(list(driven)) == len(ids[:len(chosen)])
        row = driver.run(uow.connection, Prepared.span_records(), {"ids": ids[:1]}).first()
        assert row is not None and row[5] == {"kind": "direct"}
        assert row[8].year >= 2026 and row[13] is None


def test_the_unique_key_refuses_through_the_driver_as_through_core(store: Store) -> None:
    set_id = _set(store)
    with pytest.raises(IntegrityError), store.unit_of_work(actor="mona") as uow:
        uow.sets.add_spans(set_id, [Span(start=2, end=5, label="actor", text=TEXT[2:5])])
        uow.sets.add_spans(set_id, [Span(start=2, end=5, label="actor", text=TEXT[2:5])])
    with store.unit_of_work(write=False) as uow:   # rolled back whole
        assert uow.sets.find_span(set_id, 2, 5, "actor") is None


def test_the_driver_leaves_to_core_what_it_does_not_take(store: Store) -> None:
    set_id = _set(store)
    with store.unit_of_work(actor="mona") as uow:
        # not a driven statement
        assert driver.run(uow.connection, select(SpanRow.id), {"x": 1}) is None
        # many parameter sets with RETURNING: Core's insertmanyvalues
        assert driver.run(uow.connection, Prepared.insert_spans_keyed(),
                          [_row(2, set_id), _row(6, set_id)]) is None
        # no parameter set at all
        assert driver.run(uow.connection, Prepared.touch(), []) is None


def test_a_limit_built_into_a_driven_statement_is_bound(store: Store) -> None:
    set_id = _set(store)
    with store.unit_of_work(actor="mona") as uow:
        (first, second) = uow.sets.add_spans(set_id, [
            Span(start=2, end=5, label="actor", text=TEXT[2:5]),
            Span(start=6, end=9, label="actor", text=TEXT[6:9])])
        assert uow.sets.find_span(set_id, 2, 5, "actor") == first
        assert uow.sets.find_span(set_id, 2, 5, "actor", exclude=first) is None
        assert uow.sets.find_span(set_id, 6, 9, "actor", exclude=first) == second


def test_units_of_work_of_the_opening_thread_share_one_connection(store: Store) -> None:
    with store.unit_of_work(write=False) as uow:
        first = uow.connection
    with store.unit_of_work(write=False) as uow:
        assert uow.connection is first   # kept, not taken from the pool again
        with store.unit_of_work(write=False) as inner:   # one inside another: its own
            assert inner.connection is not first
            inner_connection = inner.connection
        assert inner_connection.closed
    seen: list[Any] = []

    def other_thread() -> None:
        with store.unit_of_work(write=False) as uow:
            seen.append(uow.connection)
            uow.connection.execute(text("SELECT 1"))

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert seen and seen[0] is not first and seen[0].closed
    assert not first.closed and not first.in_transaction()   # nothing left open between
    store.close()
    assert first.closed


def test_a_failed_unit_of_work_leaves_the_kept_connection_usable(store: Store) -> None:
    set_id = _set(store)
    with pytest.raises(RuntimeError), store.unit_of_work(actor="mona") as uow:
        uow.sets.add_spans(set_id, [Span(start=2, end=5, label="actor", text=TEXT[2:5])])
        raise RuntimeError("boom")
    with store.unit_of_work(actor="mona") as uow:
        assert not uow.connection.invalidated
        assert uow.sets.find_span(set_id, 2, 5, "actor") is None   # rolled back
        uow.sets.add_spans(set_id, [Span(start=2, end=5, label="actor", text=TEXT[2:5])])
    with store.unit_of_work(write=False) as uow:
        assert uow.sets.find_span(set_id, 2, 5, "actor") is not None


def test_prepared_statements_leave_nothing_to_compile_for_the_windows_actions(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Store.prepare_writes compiles every driven statement with its parameters named as the
    repositories name them: adding, relabeling, deleting and restoring a span (an undo), and
    their journal, then compile nothing (the first span added compiled four)."""
    from annotator.services.annotate import AnnotationService
    from annotator.services.project import project_schema

    set_id = _set(store)
    service = AnnotationService(store, project_schema(store), annotator="mona")
    monkeypatch.setattr(driver, "_plans", {})
    monkeypatch.setattr(driver, "_prepared", set())
    compiled: list[str] = []
    compile_ = driver._compile

    def counted(statement: Any, dialect: Any, keys: tuple[str, ...]) -> Any:
        compiled.append(str(statement).split()[0] + " " + ",".join(sorted(keys)))
        return compile_(statement, dialect, keys)

    monkeypatch.setattr(driver, "_compile", counted)
    assert store.prepare_writes() == len(driver._BUILDERS) >= 16
    assert len(compiled) == len(driver._BUILDERS)
    assert store.prepare_writes() == len(driver._BUILDERS)   # once per database kind
    assert len(compiled) == len(driver._BUILDERS)
    compiled.clear()
    span = service.add_span(set_id, 2, 5, "actor")
    service.update_span(span.id or 0, label="location")
    (deleted,) = service.delete_spans([span.id or 0])
    restored = service.restore_span(deleted)
    assert (restored.start, restored.end, restored.label) == (2, 5, "location")
    assert compiled == []
    # a plan serves its parameters in any order (values are taken by name)
    from annotator.db.models import utcnow

    now = utcnow()
    row = _row(8, set_id, created_at=now, updated_at=now)
    with store.unit_of_work(actor="mona") as uow:
        reordered = dict(reversed(list(row.items())))
        rows = driver.run(uow.connection, Prepared.insert_spans_keyed(), reordered)
        assert rows is not None and [tuple(r)[1:] for r in rows] == [(8, 11, "actor")]
    assert compiled == []


def test_a_writer_held_off_past_the_busy_timeout_is_told_the_store_is_busy(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The write lock a unit of work takes as it begins (BEGIN IMMEDIATE, on the driver's
    cursor) is heard by the connection's listeners, and another process holding the lock past
    the busy timeout is the one-line StoreBusy, with nothing changed; once the lock is free,
    units of work go on."""
    import sqlite3

    from sqlalchemy import event

    from annotator.db import engine as engine_module
    from annotator.db.engine import StoreBusy

    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 150)
    path = tmp_path / "busy.sqlite3"
    store = Store.open(f"sqlite:///{path}")
    heard: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_rest: heard.append(statement))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreBusy, match=r"another process holds the store .*busy\.sqlite3"):
            with store.unit_of_work(actor="mona"):
                pytest.fail("the unit of work began without the write lock")
        assert heard == ["BEGIN IMMEDIATE"]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with store.unit_of_work(actor="mona") as uow:
        uow.connection.execute(text("SELECT 1"))
    assert heard[1:] == ["BEGIN IMMEDIATE", "SELECT 1"]
    store.close()
