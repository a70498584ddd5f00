"""`annotator db secure` and the logins of `team add`: team mode on PostgreSQL from the command
line, and the one-line refusals on SQLite."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from annotator.db.engine import HEAD_REVISION
from tests.cli._helpers import SEED_ID, ok, row_counts, run
from tests.conftest import PG_ENV, SEED_ARTICLE, _pg_database

SECURED = ("annotation_set, annotator, document, event, label_schema, relation, "
           "review_rejection, span, suggestion_rejection")


def test_db_secure_on_sqlite_is_a_one_line_error(capsys, tmp_path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    ok(capsys, "--db", url, "--user", "lina", "import", "-q", str(SEED_ARTICLE))
    before = row_counts(url)
    result = run(capsys, "--db", url, "db", "secure")
    assert (result.code, result.out) == (1, "")
    assert result.err == "annotator: row-level security needs PostgreSQL; SQLite trusts --user\n"
    assert row_counts(url) == before


def test_a_password_on_sqlite_is_refused(capsys, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret\n"))
    result = run(capsys, "--db", url, "--user", "lina", "team", "add", "mona", "--password")
    assert (result.code, result.out) == (1, "")
    assert result.err == ("annotator: a password is for a database login, and only PostgreSQL "
                          "has them (SQLite trusts --user)\n")
    assert ok(capsys, "--db", url, "team", "list").out.splitlines()[1:] == [
        "lina  lead          0     0"]


def test_db_help_explains_team_mode(capsys):  # type: ignore[no-untyped-def]
    out = ok(capsys, "db", "--help").out
    assert "{upgrade,current,secure,backup,restore,check}" in out
    assert "Team mode (PostgreSQL)" in out and "annotator_people" in out
    assert "SQLite has no logins: it\ntrusts --user." in out


def _a_migration_adds_a_table(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """The store goes back one revision; its next upgrade adds a table with a set_id."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0004_versions_suggestions'"))
    engine.dispose()

    def upgrade(target: Engine, revision: str = "head") -> None:
        with target.begin() as conn:
            conn.execute(text("CREATE TABLE set_note (id serial PRIMARY KEY, set_id integer NOT "
                              "NULL REFERENCES annotation_set (id), body text NOT NULL)"))
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": HEAD_REVISION})

    monkeypatch.setattr("annotator.db.engine.upgrade", upgrade)


@pytest.fixture
def pg_url() -> Iterator[str]:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set")
    yield from _pg_database(base)


def test_team_mode_from_the_command_line(capsys, monkeypatch, pg_url):  # type: ignore[no-untyped-def]
    run_id = uuid.uuid4().hex[:6]
    lead, mona, rana, huda = (f"{n}_{run_id}" for n in ("lina", "mona", "rana", "huda"))
    db = ("--db", pg_url)
    mine = ("--db", make_url(pg_url).set(username=mona).render_as_string(hide_password=False))
    try:
        ok(capsys, *db, "--user", lead, "import", "-q", str(SEED_ARTICLE))
        assert ok(capsys, *db, "--user", lead, "team", "add", mona).out == (
            f"added {mona} (annotator)\ndatabase login {mona}: created\n")
        ok(capsys, *db, "--user", lead, "team", "add", rana, "--role", "reviewer")
        monkeypatch.setattr("sys.stdin", io.StringIO("كلمة سر\n"))
        ok(capsys, *db, "--user", lead, "team", "add", huda, "--password")
        assert ok(capsys, *db, "db", "secure").out == (
            f"{pg_url}: row-level security on 9 tables ({SECURED}); group role annotator_people\n"
            + "".join(f"login {n}: already exists\n" for n in sorted([lead, mona, rana, huda])))
        assert ok(capsys, *db, "db", "current").out == (
            f"{pg_url}: revision {HEAD_REVISION}\nrow-level security: on\n")
        assert ok(capsys, *db, "db", "upgrade").out == (
            f"{pg_url}: revision {HEAD_REVISION}\nrow-level security: on\n")   # nothing to do
        ok(capsys, *db, "--user", lead, "assign", "--to", f"{mona},{huda}", "--per-doc", "2")
        _a_migration_adds_a_table(monkeypatch, pg_url)
        assert ok(capsys, *db, "db", "upgrade").out == (
            f"{pg_url}: revision {HEAD_REVISION}\nrow-level security: on, renewed on 10 tables\n")
        monkeypatch.undo()                      # the real migrations again
        engine = create_engine(pg_url)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO set_note (set_id, body) SELECT s.id, 'for ' || a.name "
                              "FROM annotation_set s JOIN annotator a ON a.id = s.owner_id"))
        engine.dispose()
        # mona's own connection
        docs = ok(capsys, *mine, "--user", mona, "docs").out.splitlines()
        assert docs[1].split()[:5] == [SEED_ID, "2793", mona, "todo", "0"]
        engine = create_engine(mine[1])
        try:
            with engine.connect() as conn:
                notes = conn.execute(text("SELECT body FROM set_note")).scalars().all()
        finally:
            engine.dispose()
        assert notes == [f"for {mona}"]         # the migration's table is covered
        refused = run(capsys, *mine, "--user", mona, "team", "add", f"x_{run_id}")
        assert (refused.code, refused.err) == (
            1, f"annotator: {mona!r} (annotator) cannot add people: only leads can\n")
        # mona's connection saying --user lina: the services believe it, the database does not
        posing = run(capsys, *mine, "--user", lead, "assign", "--to", f"{rana},{huda}",
                     "--per-doc", "2")
        assert (posing.code, posing.out) == (1, "")
        assert posing.err == (
            f"annotator: the database refused {mona!r}: new row violates row-level security "
            "policy for table \"annotation_set\" (team mode: a person acts under their login's "
            "name and writes only their own sets; reviewers write gold, leads everything)\n")
        assert ok(capsys, *db, "docs").out.splitlines()[1].count("todo") == 2   # as before
        secure = run(capsys, *mine, "db", "secure")
        assert (secure.code, secure.err) == (1, (
            "annotator: db secure must run as the owner of the store's tables ('postgres' owns "
            f"alembic_version) or a superuser, not as {mona!r}\n"))
        assert ok(capsys, *mine, "db", "upgrade").out.endswith(
            f"revision {HEAD_REVISION}\nrow-level security: on\n")       # nothing to migrate
    finally:
        admin = create_engine(os.environ[PG_ENV], isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            database = make_url(pg_url).database
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            for name in (lead, mona, rana, huda):
                conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
        admin.dispose()
