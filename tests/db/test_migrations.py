"""The schema comes from Alembic migrations, matches the models, and SQLite gets its pragmas."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from annotator.config import resolve_db_url
from annotator.db.engine import HEAD_REVISION, MIGRATIONS, current_revision, make_engine, upgrade
from annotator.db.models import Base
from annotator.db.store import Store

TABLES = {"document", "annotator", "annotation_set", "span", "relation", "event", "label_schema",
          "review_rejection", "suggestion_rejection",
          "alembic_version"}


def test_head_revision_constant_matches_the_scripts() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION


def test_a_new_store_is_migrated_to_head_on_first_use(db_url: str) -> None:
    engine = make_engine(db_url)
    assert current_revision(engine) is None
    store = Store.open(db_url)
    assert current_revision(store.engine) == HEAD_REVISION
    assert set(inspect(store.engine).get_table_names()) == TABLES
    store.close()


def test_models_and_migrations_agree(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_downgrade_to_base_and_upgrade_again(store: Store) -> None:
    upgrade(store.engine, "head")
    from alembic import command

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert set(inspect(store.engine).get_table_names()) == {"alembic_version"}
    upgrade(store.engine)
    assert current_revision(store.engine) == HEAD_REVISION


def test_sqlite_has_foreign_keys_wal_and_busy_timeout(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
    store.close()


def test_default_store_is_in_the_user_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_db_url(None) == f"sqlite:///{tmp_path / 'xdg' / 'annotator' / 'annotator.sqlite3'}"
    monkeypatch.setenv("ANNOTATOR_DB", "postgresql+psycopg://u@h/db")
    assert resolve_db_url(None) == "postgresql+psycopg://u@h/db"
    assert resolve_db_url(str(tmp_path / "x.db")) == f"sqlite:///{tmp_path / 'x.db'}"


def _insert_document_and_set(conn) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    conn.execute(text("INSERT INTO document (external_id, title, text, sha256, meta, imported_at) "
                      "VALUES ('d', 't', 'نص', 'x', '{}', CURRENT_TIMESTAMP)"))
    conn.execute(text("INSERT INTO annotator (name, role) VALUES ('a', 'annotator')"))
    doc = conn.execute(text("SELECT id FROM document")).scalar()
    owner = conn.execute(text("SELECT id FROM annotator")).scalar()
    conn.execute(text("INSERT INTO annotation_set (document_id, owner_id, kind, status, "
                      "active_seconds, updated_at) VALUES (:d, :o, 'annotation', 'todo', 0, "
                      "CURRENT_TIMESTAMP)"), {"d": doc, "o": owner})
    set_id = conn.execute(text("SELECT id FROM annotation_set")).scalar()
    return doc, owner, set_id


def _insert_span(conn, set_id: int, start: int, end: int) -> int:  # type: ignore[no-untyped-def]
    conn.execute(text('INSERT INTO span (set_id, start, "end", label, attributes, note, origin, '
                      "created_at, updated_at) VALUES (:s, :a, :b, 'actor', '{}', '', 'manual', "
                      "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"s": set_id, "a": start, "b": end})
    return conn.execute(text("SELECT max(id) FROM span")).scalar()


@pytest.mark.parametrize(("start", "end"), [(2, 2), (3, 1), (-1, 1)])
def test_the_database_rejects_empty_or_reversed_spans(store: Store, start: int, end: int) -> None:
    with store.engine.begin() as conn:
        _, _, set_id = _insert_document_and_set(conn)
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        _insert_span(conn, set_id, start, end)


def test_a_relation_cannot_join_spans_of_two_sets(store: Store) -> None:
    with store.engine.begin() as conn:
        doc, _, set_a = _insert_document_and_set(conn)
        conn.execute(text("INSERT INTO annotator (name, role) VALUES ('b', 'annotator')"))
        owner_b = conn.execute(text("SELECT id FROM annotator WHERE name = 'b'")).scalar()
        conn.execute(text("INSERT INTO annotation_set (document_id, owner_id, kind, status, "
                          "active_seconds, updated_at) VALUES (:d, :o, 'annotation', 'todo', 0, "
                          "CURRENT_TIMESTAMP)"), {"d": doc, "o": owner_b})
        set_b = conn.execute(text("SELECT id FROM annotation_set WHERE owner_id = :o"),
                             {"o": owner_b}).scalar()
        head = _insert_span(conn, set_a, 0, 1)
        tail_same = _insert_span(conn, set_a, 1, 2)
        tail_other = _insert_span(conn, set_b, 1, 2)
        conn.execute(text("INSERT INTO relation (set_id, type, head_id, tail_id) "
                          "VALUES (:s, 'said_by', :h, :t)"), {"s": set_a, "h": head, "t": tail_same})
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(text("INSERT INTO relation (set_id, type, head_id, tail_id) "
                          "VALUES (:s, 'said_by', :h, :t)"), {"s": set_a, "h": head, "t": tail_other})


def test_the_autoincrement_migration_keeps_spans_and_relations(tmp_path: Path) -> None:
    """0001 -> 0002 rebuilds span and relation on SQLite: rows and links survive, and a deleted
    id is never handed out again."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine, "0001_initial")
    with engine.begin() as conn:
        _, _, set_id = _insert_document_and_set(conn)
        head = _insert_span(conn, set_id, 0, 1)
        tail = _insert_span(conn, set_id, 1, 2)
        extra = _insert_span(conn, set_id, 2, 3)
        conn.execute(text("INSERT INTO relation (set_id, type, head_id, tail_id) "
                          "VALUES (:s, 'said_by', :h, :t)"), {"s": set_id, "h": head, "t": tail})
    upgrade(engine)
    assert current_revision(engine) == HEAD_REVISION
    with engine.begin() as conn:
        assert conn.execute(text('SELECT id, start, "end" FROM span ORDER BY id')).all() == \
            [(head, 0, 1), (tail, 1, 2), (extra, 2, 3)]
        assert conn.execute(text("SELECT head_id, tail_id FROM relation")).all() == [(head, tail)]
        conn.execute(text("DELETE FROM span WHERE id = :i"), {"i": extra})
        again = _insert_span(conn, set_id, 2, 3)
    assert again == extra + 1
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_0004_merges_spans_stored_twice_and_moves_their_relations(db_url: str) -> None:
    """Before the unique key, racing writers could store a span twice: the migration keeps the
    oldest, moves the relations of the others to it, and drops relations that become doubles."""
    engine = make_engine(db_url)
    upgrade(engine, "0003_review")
    now = "2026-11-30 10:00:00+00:00"
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO document (id, external_id, title, text, sha256, meta, "
                          "imported_at) VALUES (1, 'd', 't', 'قال الوزير 😀 إن موسكو', 'x', "
                          "'{}', :now)"), {"now": now})
        conn.execute(text("INSERT INTO annotator (id, name, role) VALUES (1, 'mona', "
                          "'annotator')"))
        conn.execute(text("INSERT INTO annotation_set (id, document_id, owner_id, kind, status, "
                          "active_seconds, updated_at) VALUES (1, 1, 1, 'annotation', 'todo', 0, "
                          ":now)"), {"now": now})
        for span_id, start, end, label in ((1, 4, 10, "actor"), (2, 19, 24, "quote"),
                                           (3, 4, 10, "actor"), (4, 4, 10, "actor")):
            conn.execute(text('INSERT INTO span (id, set_id, start, "end", label, attributes, '
                              "note, origin, created_at, updated_at) VALUES (:i, 1, :s, :e, :l, "
                              "'{}', '', 'manual', :now, :now)"),
                         {"i": span_id, "s": start, "e": end, "l": label, "now": now})
        for rel_id, tail in ((1, 3), (2, 4)):   # both link the quote to a double of the actor
            conn.execute(text("INSERT INTO relation (id, set_id, type, head_id, tail_id) VALUES "
                              "(:r, 1, 'said_by', 2, :t)"), {"r": rel_id, "t": tail})
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text('SELECT id, start, "end", label, version FROM span '
                                 "ORDER BY id")).all() == [(1, 4, 10, "actor", 1),
                                                           (2, 19, 24, "quote", 1)]
        assert conn.execute(text("SELECT id, head_id, tail_id, version FROM relation")).all() \
            == [(1, 2, 1, 1)]
        with pytest.raises(IntegrityError):
            conn.execute(text('INSERT INTO span (set_id, start, "end", label, attributes, note, '
                              "origin, created_at, updated_at) VALUES (1, 4, 10, 'actor', '{}', "
                              "'', 'manual', :now, :now)"), {"now": now})
    engine.dispose()
