"""Shared fixtures: a store on SQLite and, when ANNOTATOR_TEST_PG_URL is set, on PostgreSQL too."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SEED_ARTICLE = SEEDS / "000_53e7616c08ffaf74.txt"
CORPORA = REPO.parent / "shared" / "corpora"
PG_ENV = "ANNOTATOR_TEST_PG_URL"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the real user data dir or a store named in the environment."""
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("ANNOTATOR_DB", raising=False)
    # the CLI's default person (whoever creates a store is its lead): the same on every machine
    monkeypatch.setenv("ANNOTATOR_USER", "lina")


@pytest.fixture
def corpora() -> Path:
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora is absent")
    return CORPORA


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED_ARTICLE.read_text(encoding="utf-8")


def _pg_database(base_url: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"annotator_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        logins = _team_logins(url)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            for login in logins:  # team mode made them (cluster-wide): leave the cluster as found
                conn.execute(text('DROP ROLE IF EXISTS "{}"'.format(login.replace('"', '""'))))
        admin.dispose()


def _team_logins(url: str) -> list[str]:
    """The database logins that `team add` and the first lead created for the store at ``url``."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(
                "SELECT a.name FROM annotator a JOIN pg_roles r ON r.rolname = a.name "
                "JOIN pg_auth_members m ON m.member = r.oid JOIN pg_roles g ON g.oid = m.roleid "
                "WHERE g.rolname = 'annotator_people'")).scalars())
    except DBAPIError:  # no annotator table (a test that never opened the store)
        return []
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of a new, empty database: SQLite always, PostgreSQL when ANNOTATOR_TEST_PG_URL is set."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set")
    yield from _pg_database(base)


@pytest.fixture
def store(db_url: str):  # type: ignore[no-untyped-def]
    from annotator.services.project import open_project

    opened = open_project(db_url)
    yield opened
    opened.close()


@pytest.fixture
def other_store(db_url: str, tmp_path: Path, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """A second empty store of the same backend (for round trips)."""
    from annotator.services.project import open_project as open_store

    if db_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
        opened = open_store(url)
        yield opened
        opened.close()
        return
    gen = _pg_database(os.environ[PG_ENV])
    url = next(gen)
    opened = open_store(url)
    yield opened
    opened.close()
    gen.close()
