"""Team mode on PostgreSQL: a database login for each person, and row-level security.

    annotator --db postgresql+psycopg://admin@host/news --user lina team add mona
    annotator --db postgresql+psycopg://admin@host/news db secure
    annotator --db postgresql+psycopg://mona@host/news --user mona gui

- Each person of the team gets a login role of the same name, a member of the group role
  ``annotator_people`` (:func:`ensure_login`; no password unless one is given, stored as a SCRAM
  hash computed on the client). The group holds the table privileges the application needs.
- :func:`install_row_security` (``annotator db secure``) enables row-level security on every table
  of the store's schema, with policies that read the connected person's application role from
  ``annotator`` (``role`` where ``name = current_user``) through one SECURITY DEFINER function:

  ================  ======================================================================
  annotation_set    annotators read their own annotation sets and the suggestions, and write
                    their own sets; reviewers read every set and write gold; leads everything
  any table with a  as its set: readable and writable when the set is (span, relation,
  ``set_id``        review_rejection, suggestion_rejection, and any such table a later
                    migration adds)
  event             append-only: a person inserts only rows with ``db_user`` (the column's
                    default) and ``actor`` equal to their login, so that their connection
                    acts under their own name whatever ``--user`` says; readable as the sets
                    are (and one's own changes); no UPDATE or DELETE for anyone of the team
  other tables      (document, annotator, label_schema, ...) the team reads, leads write
  ================  ======================================================================

- The owner of the tables (the role that runs the migrations, and any role holding its
  privileges) keeps every right; superusers bypass row-level security anyway. Row-level
  security is ENABLEd and FORCEd (so that the policies bind the owner too, and are the one
  place that decides) on every table but ``annotator``, which the SECURITY DEFINER function
  reads as its owner. Views get no privileges (a view would read its tables as their owner).

Everything :func:`secure` does is one transaction, idempotent: running it again after a migration
covers the tables the migration added. Login roles are cluster-wide in PostgreSQL: one person has
one login for every store of the cluster, and reads in each store what that store's team table
gives them (nothing if they are not in it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from annotator.core.errors import UserError
from annotator.core.roles import PermissionDenied

GROUP = "annotator_people"
POLICY_PREFIX = "annotator_"
NAME_BYTES = 63                   # PostgreSQL truncates longer identifiers (NAMEDATALEN - 1)
INSUFFICIENT_PRIVILEGE = "42501"  # also what a row-level security policy raises


class LoginState(StrEnum):
    """What :func:`ensure_login` found or did."""

    CREATED = "created"
    EXISTING = "already exists"
    OWN = "this connection's own role (no separate login)"
    NOT_ALLOWED = ("not created: this connection may not create roles (a superuser or a role "
                   "with CREATEROLE runs: annotator db secure)")


@dataclass(frozen=True, slots=True)
class SecureReport:
    tables: tuple[str, ...]                          # tables under row-level security
    logins: tuple[tuple[str, str], ...]              # (person, LoginState or why not)


# -- the connection ------------------------------------------------------------------------------


def _connection(bind: Connection | Session) -> Connection:
    return bind.connection() if isinstance(bind, Session) else bind


def _raw(conn: Connection) -> psycopg.Connection[Any]:
    raw = conn.connection.dbapi_connection
    assert isinstance(raw, psycopg.Connection), "team mode needs the psycopg driver"
    return raw


def _run(conn: Connection, statement: sql.Composable) -> None:
    """Execute a statement composed with psycopg.sql (identifiers and literals quoted by the
    driver): DDL takes no bound parameters."""
    with _raw(conn).cursor() as cursor:
        cursor.execute(statement)


@contextmanager
def _savepoint(bind: Connection | Session) -> Iterator[None]:
    """A failed statement inside rolls back to here, and the transaction goes on."""
    nested = bind.begin_nested()
    try:
        yield
    except BaseException:
        nested.rollback()
        raise
    nested.commit()


def _one_line(error: BaseException) -> str:
    orig = getattr(error, "orig", None) or error
    primary = getattr(getattr(orig, "diag", None), "message_primary", None)
    return primary or " ".join(str(orig).split())


def refusal(error: DBAPIError, login: str | None) -> UserError | None:
    """The one-line error for a statement the database refused for lack of privilege (a row-level
    security policy included), or None for any other error."""
    if getattr(error.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
        return None
    who = f" {login!r}" if login else ""
    return PermissionDenied(f"the database refused{who}: {_one_line(error)} (team mode: a "
                            "person acts under their login's name and writes only their own "
                            "sets; reviewers write gold, leads everything)")


# -- logins --------------------------------------------------------------------------------------


def login_problem(name: str) -> str | None:
    """Why ``name`` cannot be a PostgreSQL login role, or None."""
    size = len(name.encode("utf-8"))
    if size > NAME_BYTES:
        return f"a database login has at most {NAME_BYTES} bytes of UTF-8, {name!r} has {size}"
    if name.startswith("pg_"):
        return "PostgreSQL reserves role names starting with pg_"
    if name == GROUP:
        return f"{GROUP} is the team's group role"
    return None


def _role(conn: Connection, name: str) -> tuple[bool, bool]:
    """(the role exists, it is a member of the team's group)."""
    row = conn.execute(text(
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g "
        "ON g.oid = m.roleid WHERE g.rolname = :group AND m.member = r.oid) "
        "FROM pg_catalog.pg_roles r WHERE r.rolname = :name"), {"group": GROUP, "name": name}
    ).first()
    return (row is not None, bool(row and row[0]))


def _me(conn: Connection) -> tuple[str, bool]:
    """(current_user, whether it may create roles)."""
    row = conn.execute(text("SELECT rolname, rolsuper OR rolcreaterole FROM pg_catalog.pg_roles "
                            "WHERE rolname = current_user")).one()
    return str(row[0]), bool(row[1])


def _ensure_group(conn: Connection) -> None:
    if _role(conn, GROUP)[0]:
        return
    me, may_create = _me(conn)
    if not may_create:
        raise UserError(f"the group role {GROUP} does not exist and {me!r} may not create roles: "
                        "run this as a superuser or a role with CREATEROLE")
    _run(conn, sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(GROUP)))


def _password_clause(conn: Connection, name: str, password: str | None) -> sql.Composable:
    if password is None:
        return sql.SQL("")
    if not password or "\x00" in password:
        raise UserError("a password cannot be empty or hold a NUL character")
    # hashed here, so that the password itself never reaches the server's logs
    hashed = _raw(conn).pgconn.encrypt_password(password.encode("utf-8"), name.encode("utf-8"))
    return sql.SQL(" PASSWORD {}").format(sql.Literal(hashed.decode("ascii")))


def ensure_login(bind: Connection | Session, name: str, *,
                 password: str | None = None) -> LoginState:
    """The database login of person ``name``: created (LOGIN, in the group, no password unless
    ``password``) if missing. Raises :class:`UserError` when ``name`` cannot be one (too long, a
    reserved name, a role of the cluster that is not a team login) or the creation fails; a
    failure inside changes nothing (savepoint). A connection that may not create roles gets
    ``NOT_ALLOWED`` (the person stays without a login until an administrator runs db secure)."""
    conn = _connection(bind)
    me, may_create = _me(conn)
    exists, in_team = _role(conn, name)
    if name == me and not in_team:
        if password is not None:
            raise UserError(f"{name!r} is this connection's own role: change its password "
                            "with psql's \\password")
        return LoginState.OWN
    if exists and not in_team:
        raise UserError(f"the database cluster already has a role {name!r} that is not a team "
                        f"login; choose another name, or make it one: GRANT {GROUP} TO that role")
    if exists and password is None:
        return LoginState.EXISTING
    if not may_create:
        if password is not None:
            raise UserError(f"{me!r} may not create roles or set passwords: run this as a "
                            "superuser or a role with CREATEROLE")
        return LoginState.NOT_ALLOWED
    problem = login_problem(name)
    if problem is not None:
        raise UserError(f"cannot create the database login for {name!r}: {problem}")
    role = sql.Identifier(name)
    with _savepoint(bind):
        try:
            if exists:
                _run(conn, sql.SQL("ALTER ROLE {}{}").format(
                    role, _password_clause(conn, name, password)))
                return LoginState.EXISTING
            _ensure_group(conn)
            _run(conn, sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                               "NOBYPASSRLS INHERIT IN ROLE {}{}").format(
                role, sql.Identifier(GROUP), _password_clause(conn, name, password)))
        except psycopg.Error as exc:
            raise UserError(f"cannot create the database login for {name!r}: "
                            f"{_one_line(exc)}") from None
    return LoginState.CREATED


# -- row-level security --------------------------------------------------------------------------

R = "(SELECT {s}.annotator_role_of(current_user))"
ME = "(SELECT p.id FROM {s}.annotator p WHERE p.name = current_user::text)"
GOLD_ID = "(SELECT p.id FROM {s}.annotator p WHERE p.name = 'gold')"
LEADS = f"{R} IN ('owner', 'lead')"
READS_ALL = f"{R} IN ('owner', 'lead', 'reviewer')"
TEAM = f"{R} IN ('owner', 'annotator', 'reviewer', 'lead')"


def _writes(alias: str) -> str:
    """A non-lead may write set ``alias``: their own annotation set, or gold as a reviewer."""
    return (f"(({alias}.kind = 'annotation' AND {alias}.owner_id = {ME} "
            f"AND {R} IN ('annotator', 'reviewer')) "
            f"OR ({alias}.kind = 'gold' AND {alias}.owner_id = {GOLD_ID} AND {R} = 'reviewer'))")


def _set_is(condition: str | None = None) -> str:
    """The row's set (``{t}.set_id``) is visible to the caller (and meets ``condition``)."""
    also = f" AND {condition}" if condition else ""
    return f"EXISTS (SELECT 1 FROM {{s}}.annotation_set AS s WHERE s.id = {{t}}.set_id{also})"


SETS_READ = (f"{READS_ALL} OR ({R} = 'annotator' AND ({{t}}.kind = 'suggestions' OR "
             f"({{t}}.kind = 'annotation' AND {{t}}.owner_id = {ME})))")
SETS_WRITE = f"{LEADS} OR {_writes('{t}')}"
ROWS_READ = f"{READS_ALL} OR {_set_is()}"
ROWS_WRITE = f"{LEADS} OR {_set_is(_writes('s'))}"
JOURNAL_READ = (f"{READS_ALL} OR ({R} = 'annotator' AND ({{t}}.db_user = current_user::text "
                f"OR {_set_is()}))")
# a person journals under their own name: every change is journaled in its transaction, so a
# connection cannot act as someone else (--user) even where a write would pass unseen
JOURNAL_WRITE = (f"{R} = 'owner' OR ({R} IN ('annotator', 'reviewer', 'lead') "
                 f"AND {{t}}.db_user = current_user::text AND {{t}}.actor = current_user::text "
                 f"AND ({R} IN ('reviewer', 'lead') OR {{t}}.set_id IS NULL OR {_set_is()}))")
OWNER = f"{R} = 'owner'"

#: per kind of table: (privileges of the group, {command: (USING, WITH CHECK)}, FORCE)
RULES: dict[str, tuple[str, dict[str, tuple[str | None, str | None]], bool]] = {
    "sets": ("SELECT, INSERT, UPDATE, DELETE",
             {"read": (SETS_READ, None), "insert": (None, SETS_WRITE),
              "update": (SETS_WRITE, SETS_WRITE), "delete": (LEADS, None)}, True),
    "set rows": ("SELECT, INSERT, UPDATE, DELETE",
                 {"read": (ROWS_READ, None), "insert": (None, ROWS_WRITE),
                  "update": (ROWS_WRITE, ROWS_WRITE), "delete": (ROWS_WRITE, None)}, True),
    "journal": ("SELECT, INSERT",
                {"read": (JOURNAL_READ, None), "insert": (None, JOURNAL_WRITE),
                 "update": (OWNER, OWNER), "delete": (OWNER, None)}, True),
    "reference": ("SELECT, INSERT, UPDATE, DELETE",
                  {"read": (TEAM, None), "insert": (None, LEADS), "update": (LEADS, LEADS),
                   "delete": (LEADS, None)}, True),
    # the SECURITY DEFINER function reads it as the owner: not FORCEd, so no policy recursion
    "people": ("SELECT, INSERT, UPDATE, DELETE",
               {"read": (TEAM, None), "insert": (None, LEADS), "update": (LEADS, LEADS),
                "delete": (LEADS, None)}, False),
}
COMMANDS = {"read": "SELECT", "insert": "INSERT", "update": "UPDATE", "delete": "DELETE"}

# plpgsql: its plans are kept for the session (an SQL function's are made again at each call)
ROLE_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION {s}.annotator_role_of(who name) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
  IF pg_catalog.pg_has_role(who, (SELECT c.relowner FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = {schema} AND c.relname = 'annotator'), 'USAGE') THEN
    RETURN 'owner';
  END IF;
  RETURN (SELECT a.role::text FROM {s}.annotator a WHERE a.name = who::text);
END
$fn$
"""


def table_kind(name: str, columns: set[str]) -> str | None:
    """Which rule covers a table (None: ``alembic_version``, readable by all, no policies)."""
    if name == "alembic_version":
        return None
    if name == "annotation_set":
        return "sets"
    if name == "event":
        return "journal"
    if name == "annotator":
        return "people"
    return "set rows" if "set_id" in columns else "reference"


def _schema(conn: Connection) -> str:
    found = conn.execute(text(
        "SELECT n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
        "ON n.oid = c.relnamespace WHERE c.oid = to_regclass('annotation_set')")).scalar()
    if found is None:
        raise UserError("the store has no tables yet: annotator --db URL db upgrade creates them")
    return str(found)


def _tables(conn: Connection, schema: str) -> dict[str, set[str]]:
    """Every table of the schema with its columns."""
    found: dict[str, set[str]] = {}
    for table, column in conn.execute(text(
            "SELECT c.relname, a.attname FROM pg_catalog.pg_class c "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 "
            "AND NOT a.attisdropped WHERE n.nspname = :schema AND c.relkind IN ('r', 'p') "
            "ORDER BY c.relname, a.attnum"), {"schema": schema}):
        found.setdefault(table, set()).add(column)
    return found


def _require_owner(conn: Connection, schema: str) -> None:
    row = conn.execute(text(
        "SELECT c.relname, pg_catalog.pg_get_userbyid(c.relowner) FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :schema "
        "AND c.relkind IN ('r', 'p') AND NOT pg_catalog.pg_has_role(current_user, c.relowner, "
        "'USAGE') ORDER BY c.relname LIMIT 1"), {"schema": schema}).first()
    if row is not None:
        raise UserError(f"db secure must run as the owner of the store's tables ({row[1]!r} owns "
                        f"{row[0]}) or a superuser, not as {_me(conn)[0]!r}")


def _policy(template: str, schema: sql.Composable, table: sql.Composable) -> sql.Composable:
    return sql.SQL(template).format(s=schema, t=table)


def install_row_security(connection: Connection) -> tuple[str, ...]:
    """Grant the group what the application needs and put every table of the store's schema
    under row-level security (see the module docstring); returns the tables covered. Run it in
    a transaction, as the owner of the tables (or a superuser); running it again replaces the
    policies it made before."""
    conn = connection
    schema = _schema(conn)
    _require_owner(conn, schema)
    _ensure_group(conn)
    s, group = sql.Identifier(schema), sql.Identifier(GROUP)
    _run(conn, sql.SQL(ROLE_FUNCTION_SQL).format(s=s, schema=sql.Literal(schema)))
    function = sql.SQL("{}.annotator_role_of(name)").format(s)
    owner = conn.execute(text("SELECT pg_catalog.pg_get_userbyid(relowner) FROM pg_catalog.pg_class "
                              "WHERE oid = to_regclass('annotation_set')")).scalar_one()
    # the function runs with the rights of the tables' owner, not of whoever ran db secure
    _run(conn, sql.SQL("ALTER FUNCTION {} OWNER TO {}").format(function, sql.Identifier(owner)))
    _run(conn, sql.SQL("REVOKE ALL ON FUNCTION {} FROM PUBLIC").format(function))
    _run(conn, sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(function, group))
    if not conn.execute(text("SELECT pg_catalog.has_schema_privilege(:group, :schema, 'USAGE')"),
                        {"group": GROUP, "schema": schema}).scalar():
        _run(conn, sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(s, group))
    covered = []
    for name, columns in _tables(conn, schema).items():
        table = sql.Identifier(schema, name)
        _run(conn, sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(table, group))
        kind = table_kind(name, columns)
        if kind is None:
            _run(conn, sql.SQL("GRANT SELECT ON TABLE {} TO {}").format(table, group))
            continue
        privileges, policies, force = RULES[kind]
        _run(conn, sql.SQL("GRANT " + privileges + " ON TABLE {} TO {}").format(table, group))
        _run(conn, sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(table))
        _run(conn, sql.SQL("ALTER TABLE {} " + ("" if force else "NO ") + "FORCE ROW LEVEL SECURITY")
             .format(table))
        for (old,) in conn.execute(text(
                "SELECT policyname FROM pg_catalog.pg_policies WHERE schemaname = :schema "
                "AND tablename = :table AND starts_with(policyname, :prefix)"),
                {"schema": schema, "table": name, "prefix": POLICY_PREFIX}).all():
            _run(conn, sql.SQL("DROP POLICY {} ON {}").format(sql.Identifier(old), table))
        for command, (using, check) in policies.items():
            parts = [sql.SQL("CREATE POLICY {} ON {} FOR " + COMMANDS[command]).format(
                sql.Identifier(POLICY_PREFIX + command), table)]
            if using is not None:
                parts.append(sql.SQL("USING ({})").format(_policy(using, s, sql.Identifier(name))))
            if check is not None:
                parts.append(sql.SQL("WITH CHECK ({})").format(
                    _policy(check, s, sql.Identifier(name))))
            _run(conn, sql.SQL(" ").join(parts))
        for (sequence,) in conn.execute(text(
                "SELECT q.relname FROM pg_catalog.pg_class q JOIN pg_catalog.pg_depend d "
                "ON d.objid = q.oid AND d.deptype IN ('a', 'i') JOIN pg_catalog.pg_class t "
                "ON t.oid = d.refobjid JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace "
                "WHERE q.relkind = 'S' AND n.nspname = :schema AND t.relname = :table"),
                {"schema": schema, "table": name}).all():
            _run(conn, sql.SQL("GRANT USAGE, SELECT ON SEQUENCE {} TO {}").format(
                sql.Identifier(schema, sequence), group))
        covered.append(name)
    return tuple(covered)


def is_secured(bind: Connection | Engine) -> bool:
    """Has :func:`install_row_security` run on this store?"""
    query = text("SELECT COALESCE((SELECT relrowsecurity FROM pg_catalog.pg_class "
                 "WHERE oid = to_regclass('annotation_set')), false) "
                 "AND to_regprocedure('annotator_role_of(name)') IS NOT NULL")
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return bool(conn.execute(query).scalar())
    return bool(bind.execute(query).scalar())


def secure(engine: Engine, *, revision: str) -> SecureReport:
    """``annotator db secure``: row-level security on the store at ``engine`` (at the schema
    ``revision``), the reserved owners gold and suggestions, and a login for every person of the
    team who has none; one transaction, so an error changes nothing."""
    try:
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('annotator db secure'))"))
            _schema(conn)
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            if found != revision:
                raise UserError(f"the store is at revision {found}, not {revision}: "
                                "annotator --db URL db upgrade first")
            tables = install_row_security(conn)
            # a reviewer's first gold set needs its owner row, and only leads add people
            conn.execute(text("INSERT INTO annotator (name, role) VALUES ('gold', 'system'), "
                              "('suggestions', 'system') ON CONFLICT (name) DO NOTHING"))
            logins = []
            for (name,) in conn.execute(text("SELECT name FROM annotator WHERE role IN "
                                             "('annotator', 'reviewer', 'lead') ORDER BY name")
                                        ).all():
                try:
                    logins.append((name, str(ensure_login(conn, name))))
                except UserError as exc:
                    logins.append((name, f"no login: {exc}"))
    except (DBAPIError, psycopg.Error) as exc:
        raise UserError(f"db secure: {_one_line(exc)}; nothing was changed") from None
    return SecureReport(tables=tables, logins=tuple(logins))


def renew(engine: Engine) -> tuple[str, ...]:
    """Install row-level security again (after ``db upgrade`` on a secured store)."""
    try:
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('annotator db secure'))"))
            return install_row_security(conn)
    except (DBAPIError, psycopg.Error) as exc:
        raise UserError(f"renewing row-level security: {_one_line(exc)}") from None
