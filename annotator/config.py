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


def resolve_db_url(cli_value: str | None) -> str:
    """``--db`` wins, then ``ANNOTATOR_DB``, then the SQLite file in the user data dir.

    A bare file path is accepted and turned into a SQLite URL.
    """
    value = cli_value or os.environ.get(DB_ENV) or default_db_url()
    if "://" not in value:
        value = f"sqlite:///{Path(value).expanduser().resolve()}"
    return value


def seeds_dir() -> Path:
    """The seeds: inside the wheel (``annotator/_seeds``) or beside the package in a checkout."""
    packaged = resources.files("annotator") / "_seeds"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "seeds"


def schema_path() -> Path:
    return seeds_dir() / "schema.toml"
