"""Engine setup (SQLite pragmas, PostgreSQL) and migrations to the head revision."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, DBAPIError, NoSuchModuleError

from annotator.core.errors import UserError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: The newest Alembic revision; a test checks it against the migration scripts.
HEAD_REVISION = "0005_event_db_user"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for SQLite, creates the folder and sets foreign keys, WAL, busy timeout."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise UserError(f"not a database URL: {url!r}") from exc
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    try:
        engine = create_engine(parsed, **kwargs)
    except (NoSuchModuleError, ImportError) as exc:
        hint = " (install the postgres extra: pip install 'annotator[postgres]')" \
            if parsed.get_backend_name() == "postgresql" else ""
        raise UserError(f"cannot use database {parsed.render_as_string(hide_password=True)}: "
                        f"{exc}{hint}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "handle_error", _one_line_errors)
    return engine


class StoreBusy(UserError):
    """Another process has held the store's write lock for longer than the busy timeout."""


def _one_line_errors(context: Any) -> None:
    """Driver errors a person can act on become one-line UserErrors (DESIGN invariant 6)."""
    if context.engine is not None:
        raise_user_error(context.engine, context.original_exception)


def raise_user_error(engine: Engine, orig: BaseException) -> None:
    """Raise the one-line UserError that a driver error means to a person, if it means one
    (the store held by another process for longer than the busy timeout)."""
    message = " ".join(str(orig).split())
    if engine.dialect.name == "sqlite" and "database is locked" in message:
        raise StoreBusy(f"another process holds the store {engine.url.database} (it has "
                        f"been writing for more than {SQLITE_BUSY_TIMEOUT_MS // 1000} s); "
                        "nothing was changed, try again when it is done") from orig


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DatabaseError as exc:  # not a database, locked, refused, unreachable ...
        reason = " ".join(str(exc.orig).split())  # one line, whatever the driver printed
        raise UserError(f"cannot open database {engine.url.render_as_string(hide_password=True)}: "
                        f"{reason}") from exc


#: An advisory lock key (PostgreSQL) shared by every process that migrates a store.
MIGRATION_LOCK = 0x616E6E6F  # "anno"


def upgrade(engine: Engine, revision: str = "head", *, unless_current: bool = False) -> None:
    """Run the Alembic migrations up to ``revision`` on ``engine``, under a lock that every
    process migrating the same store takes: SQLite ``BEGIN EXCLUSIVE`` (the migration is one
    transaction; other openers wait for it, their busy timeout), PostgreSQL an advisory lock.
    With ``unless_current``, the revision is read again once the lock is held, and a store that
    another process brought to the head meanwhile is left alone."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        _upgrade(engine, config, revision, unless_current=unless_current)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != "42501":  # insufficient privilege
            raise
        # team mode: a person's own connection may not change the schema
        raise UserError(f"the store {engine.url.render_as_string(hide_password=True)} is at "
                        f"revision {current_revision(engine) or 'none'} and this program needs "
                        f"{HEAD_REVISION}, but {engine.url.username!r} may not change its schema: "
                        "its owner runs annotator --db URL db upgrade") from None


def _upgrade(engine: Engine, config: Any, revision: str, *, unless_current: bool) -> None:
    from alembic import command

    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # A table rebuild (batch mode) drops and renames tables; with foreign keys on, dropping
            # span would cascade into relation. SQLite only accepts this outside a transaction.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
            conn.exec_driver_sql("BEGIN EXCLUSIVE")
        else:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        try:
            if unless_current and _revision(conn) == HEAD_REVISION:
                conn.rollback()
                return
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
            if sqlite:
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left broken references: {broken[:5]}")
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()
            else:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                conn.commit()


def _revision(conn: Any) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def ensure_current(engine: Engine) -> None:
    """Upgrade a new or older database to the head revision (cheap when it is already there).
    Many processes may open a new store at once: one migrates, the others wait and find it done."""
    revision = current_revision(engine)
    if revision == HEAD_REVISION:
        return
    upgrade(engine, unless_current=True)
