"""Where the data lives: the user data dir (platformdirs) and the database URL (--db, ANNOTATOR_DB)."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "annotator"
DB_ENV = "ANNOTATOR_DB"


def data_dir() -> Path:
    return user_data_path(APP_NAME, appauthor=False)


def default_db_url() -> str:
    return f"sqlite:///{data_dir() / 'annotator.sqlite3'}"


#: URL schemes that mean PostgreSQL (Heroku-style ``postgres://`` and the bare driverless one),
#: with the driver the project installs (psycopg 3)
POSTGRES_SCHEMES = ("postgres://", "postgresql://")
POSTGRES_DRIVER = "postgresql+psycopg://"


def resolve_db_url(cli_value: str | None) -> str:
    """``--db`` wins, then ``ANNOTATOR_DB``, then the SQLite file in the user data dir.

    A bare file path is accepted and turned into a SQLite URL; ``postgres://`` and
    ``postgresql://`` URLs get the psycopg driver (``postgresql+psycopg://``).
    """
    value = cli_value or os.environ.get(DB_ENV) or default_db_url()
    for scheme in POSTGRES_SCHEMES:
        if value.startswith(scheme):
            return POSTGRES_DRIVER + value[len(scheme):]
    if "://" not in value:
        value = f"sqlite:///{Path(value).expanduser().resolve()}"
    return value


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database, or an in-memory one)."""
    if not url.startswith("sqlite:///"):
        return None
    database = url[len("sqlite:///"):].split("?", 1)[0]
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def seeds_dir() -> Path:
    """The seeds: inside the wheel (``annotator/_seeds``) or beside the package in a checkout."""
    packaged = resources.files("annotator") / "_seeds"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "seeds"


def schema_path() -> Path:
    return seeds_dir() / "schema.toml"
