"""The hot path's statements on the database driver's own cursor.

A user's action in the window (add, relabel, delete, undo) runs five to eight statements, each
built once (:mod:`annotator.db.statements`). Run through Core, each still costs ~40 µs of Python
(execution context, cache lookups, result set-up) around the few µs SQLite needs, and after a
repaint, with the processor's caches cold, several times that. Here a statement is compiled once
per dialect and shape of parameters, and run on the connection's DBAPI cursor, in the unit of
work's transaction. Values go through SQLAlchemy's own bind and result processors (dates as
SQLite text, JSON), so rows are written and read back exactly as Core writes and reads them,
and a driver error is raised as Core raises it (an ``IntegrityError`` when the unique key
refuses a span twice).

Only statements marked :func:`driven` take this path, one parameter set at a time, or many
without RETURNING (Core batches those with "insertmanyvalues"). In the window, on the book's
store, the store's part of an add went from 0.68 to 0.54 ms with it (0.84 ms before units of
work kept their connection).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

from annotator.db.engine import raise_user_error

T = TypeVar("T")

_DRIVEN: set[int] = set()   # ids of the driven statements (each kept alive by its cache)
#: every driven statement's builder, for prepare(); for an insert, the columns it is not given
_BUILDERS: list[tuple[Callable[[], Any], tuple[str, ...] | None]] = []


def driven(build: Callable[[], T], *, _without: tuple[str, ...] | None = None
           ) -> Callable[[], T]:
    """A statement built on first use, kept, and run on the driver's cursor."""

    @functools.cache
    def once() -> T:
        statement = build()
        _DRIVEN.add(id(statement))
        return statement

    functools.update_wrapper(once, build)
    _BUILDERS.append((once, _without))
    return once


def driven_insert(*without: str) -> Callable[[Callable[[], T]], Callable[[], T]]:
    """A driven insert, given every column of its table but ``without`` (its key, a column
    the server fills): so :func:`prepare` knows the parameters it runs with."""
    return functools.partial(driven, _without=without)


@dataclass(slots=True)
class _Plan:
    """One statement compiled for one dialect and one set of parameter names."""

    compiled: Any                                    # the SQLCompiler
    sql: str | None                                  # None: expanded per execution (IN lists)
    names: tuple[str, ...]                           # bind names, in the driver's order
    positional: bool
    binds: Mapping[str, Callable[[Any], Any]]        # bind processors by name
    fixed: Mapping[str, Any]                         # values built into it (a LIMIT's)
    columns: tuple[Any, ...]                         # the columns it returns
    # the result processors, found at the first run: some depend on the type the driver
    # names in the cursor's description (a PostgreSQL float); () when none is needed
    results: tuple[Callable[[Any], Any] | None, ...] | None = None


_plans: dict[tuple[Any, ...], _Plan] = {}
_prepared: set[tuple[Any, ...]] = set()   # (statement, dialect) pairs prepare() compiled


def _plan(statement: Any, dialect: Dialect, keys: tuple[str, ...]) -> _Plan:
    # what its SQL depends on: the dialect's kind, paramstyle and server (RETURNING ...)
    key = (id(statement), type(dialect), dialect.paramstyle,
           getattr(dialect, "server_version_info", None), keys)
    plan = _plans.get(key)
    if plan is None:
        # the same names in another order share the plan (values are taken by name)
        loose = (*key[:4], frozenset(keys))
        plan = _plans.get(loose)
        if plan is None:
            plan = _plans[loose] = _compile(statement, dialect, keys)
        _plans[key] = plan
    return plan


def prepare(dialect: Dialect) -> int:
    """Compile every driven statement for ``dialect`` ahead of its first run (the first span
    added compiled four, 4 ms); returns how many. The parameters are named as the repositories
    name them: an insert's are its table's columns (but those :func:`driven_insert` names), the
    others' their binds."""
    for build, without in _BUILDERS:
        statement = build()
        done = (id(statement), type(dialect), dialect.paramstyle,
                getattr(dialect, "server_version_info", None))
        if done in _prepared:
            continue
        _prepared.add(done)
        if without is not None:
            keys = tuple(c.key for c in statement.table.columns if c.key not in without)
        else:
            keys = tuple(name for name, bind in statement.compile(dialect=dialect).binds.items()
                         if bind.required)
        _plan(statement, dialect, keys)
    return len(_BUILDERS)


def _compile(statement: Any, dialect: Dialect, keys: tuple[str, ...]) -> _Plan:
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    expanding = any(b.expanding for b in compiled.binds.values())
    state = compiled.construct_expanded_state({k: None for k in keys}) if not expanding else None
    returns = bool(statement.is_select or compiled.returning)
    return _Plan(
        compiled=compiled, sql=state.statement if state is not None else None,
        names=tuple(state.positiontup or state.parameters) if state is not None else (),
        positional=bool(compiled.positional),
        binds=_bind_processors(compiled, dialect),
        fixed={n: v for n, v in state.parameters.items() if n not in keys}
        if state is not None else {},
        columns=tuple(statement.exported_columns) if returns else ())


def _result_processors(plan: _Plan, dialect: Dialect, description: Sequence[Any]
                       ) -> tuple[Callable[[Any], Any] | None, ...]:
    if plan.results is None:
        found = tuple(column.type.dialect_impl(dialect).result_processor(dialect, described[1])
                      for column, described in zip(plan.columns, description, strict=True))
        plan.results = found if any(found) else ()
    return plan.results


def _bind_processors(compiled: Any, dialect: Dialect) -> dict[str, Callable[[Any], Any]]:
    """Each bind's processor, as Core applies it (a date as SQLite text, JSON as text)."""
    found = {}
    for name, bind in compiled.binds.items():
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            found[name] = processor
    return found


def _values(plan: _Plan, names: Sequence[str], processors: Mapping[str, Any],
            parameters: Mapping[str, Any]) -> Any:
    """The values as the driver takes them: processed as Core processes them (every value,
    None too: a JSON column writes None as JSON null), a tuple or a dict by paramstyle."""
    values = [processors[n](parameters[n]) if n in processors else parameters[n]
              for n in names]
    return tuple(values) if plan.positional else dict(zip(names, values, strict=True))


class Rows:
    """What the repositories take from a result: its rows and how many rows it changed."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[tuple[Any, ...]], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self._rows)

    def first(self) -> tuple[Any, ...] | None:
        return self._rows[0] if self._rows else None

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalars(self) -> list[Any]:
        return [row[0] for row in self._rows]


def run(connection: Connection, statement: Any,
        parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> Rows | None:
    """Run a driven statement on ``connection``'s driver cursor; None when it is not one for
    the driver (not driven; many parameter sets with RETURNING or an IN list): Core runs it
    then."""
    if id(statement) not in _DRIVEN:
        return None
    batch: Sequence[Mapping[str, Any]] = \
        [parameters] if isinstance(parameters, Mapping) else parameters
    if not batch:
        return None
    many = len(batch) > 1
    dialect = connection.dialect
    plan = _plan(statement, dialect, tuple(batch[0]))
    if many and (plan.columns or plan.sql is None):
        return None
    if plan.sql is not None:
        sql = plan.sql
        values = [_values(plan, plan.names, plan.binds, {**plan.fixed, **p} if plan.fixed else p)
                  for p in batch]
    else:   # IN (...) of as many values as given
        state = plan.compiled.construct_expanded_state(batch[0])
        sql = state.statement
        values = [_values(plan, tuple(state.positiontup or state.parameters),
                          {**plan.binds, **state.processors}, state.parameters)]
    dbapi = dialect.loaded_dbapi
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    sent = values if many else values[0]   # what the cursor is given, as listeners see it
    heard = connection.dispatch   # listeners of the statements run (tests count them)
    try:
        if heard.before_cursor_execute:
            heard.before_cursor_execute(connection, cursor, sql, sent, None, many)
        if many:
            cursor.executemany(sql, values)
        else:
            cursor.execute(sql, values[0])
        rows = cursor.fetchall() if plan.columns else []
        count = cursor.rowcount
        processors = _result_processors(plan, dialect, cursor.description) \
            if plan.columns else ()
        if heard.after_cursor_execute:
            heard.after_cursor_execute(connection, cursor, sql, sent, None, many)
    except dbapi.Error as error:
        raise_user_error(connection.engine, error)
        raise DBAPIError.instance(sql, sent, error, dbapi.Error,
                                  dialect=dialect) from error
    finally:
        cursor.close()
    if processors:
        rows = [tuple(p(v) if p is not None else v for p, v in zip(processors, row, strict=True))
                for row in rows]
    return Rows(rows, count)


def begin_immediate(connection: Connection) -> None:
    """SQLite's ``BEGIN IMMEDIATE`` (the write lock, taken at the start of a writing unit of
    work) on the driver's cursor, heard by the connection's listeners, a refusal raised as
    Core raises it (``StoreBusy`` when another process holds the lock past the busy timeout):
    through Core it cost as much as the span's insert."""
    sql = "BEGIN IMMEDIATE"
    dialect = connection.dialect
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    heard = connection.dispatch
    try:
        if heard.before_cursor_execute:
            heard.before_cursor_execute(connection, cursor, sql, (), None, False)
        cursor.execute(sql)
        if heard.after_cursor_execute:
            heard.after_cursor_execute(connection, cursor, sql, (), None, False)
    except dialect.loaded_dbapi.Error as error:
        raise_user_error(connection.engine, error)
        raise DBAPIError.instance(sql, (), error, dialect.loaded_dbapi.Error,
                                  dialect=dialect) from error
    finally:
        cursor.close()
