"""Multi-row INSERTs for the bulk writes of an import: rows sent to the driver a few hundred per
statement, each column's values bound as its type binds them (each distinct JSON object once)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import insert

#: rows per multi-row INSERT: 256, then the rest in powers of two, so that a connection's
#: statement cache holds a few small statements (one of 2,000 rows took 4 MB in SQLite)
_BULK_ROWS = 256
#: distinct JSON values a bulk insert remembers the encoding of (span attributes repeat)
_BULK_MEMO = 4_096
_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


class _Encoder:
    """One column's values as the driver takes them (the column type's bind processor for the
    dialect: JSON text, a timestamp's text on SQLite ...), each distinct JSON object encoded
    once."""

    def __init__(self, process: Any) -> None:
        self.process = process
        self.memo: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        if self.process is None:
            return value
        if type(value) is not dict and value is not None:
            return self.process(value)
        try:      # None, or a flat object of hashable values: its items (types too: 1, 1.0, True)
            key = value if value is None else tuple([(k, type(v), v) for k, v in value.items()])
            return self.memo[key]
        except KeyError:
            found = self.process(value)
            if len(self.memo) < _BULK_MEMO:
                self.memo[key] = found
            return found
        except TypeError:   # a list or an object inside: not hashable
            return self.process(value)


def _bulk_chunks(rows: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """``rows`` in chunks of _BULK_ROWS, the rest in chunks of decreasing powers of two."""
    start, size = 0, _BULK_ROWS
    while start < len(rows):
        while size > len(rows) - start:
            size //= 2
        yield rows[start:start + size]
        start += size


def _insert_rows(connection: Any, table: Any, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                 *, constants: Mapping[str, Any] | None = None,
                 returning: Sequence[str] = ()) -> list[tuple[Any, ...]]:
    """INSERT ``rows`` (values of ``columns``) and ``constants`` (the same in every row) into
    ``table`` in multi-row ``INSERT ... VALUES (...), (...)`` statements sent to the driver as
    they are: one statement per few hundred rows, values bound the way the columns' types bind
    them, without the per-row bookkeeping of an ORM or Core executemany (a third of the time of
    a big import). Returns the ``returning`` columns of the rows inserted, in no given order
    (SQLite does not promise one): callers map them back by a unique key."""
    if not rows:
        return []
    dialect = connection.dialect
    mark = _PLACEHOLDERS.get(dialect.paramstyle)
    constants = dict(constants or {})
    names = [*columns, *constants]
    if mark is None:     # a driver of another parameter style: SQLAlchemy's own executemany
        params = [dict(zip(names, (*row, *constants.values()))) for row in rows]
        statement = insert(table)
        if returning:
            return [tuple(r) for r in connection.execute(
                statement.returning(*(table.c[n] for n in returning)), params)]
        connection.execute(statement, params)
        return []

    def encoder(name: str) -> _Encoder:
        return _Encoder(table.c[name].type.dialect_impl(dialect).bind_processor(dialect))

    encoders = [(i, encoder(name)) for i, name in enumerate(columns)]
    encoders = [(i, e) for i, e in encoders if e.process is not None]
    fixed = tuple(encoder(name)(value) for name, value in constants.items())
    quote = dialect.identifier_preparer.quote
    head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) VALUES "
    tail = f" RETURNING {', '.join(quote(n) for n in returning)}" if returning else ""
    one = "(" + ", ".join([mark] * len(names)) + ")"
    found: list[tuple[Any, ...]] = []
    for chunk in _bulk_chunks(rows):
        values: list[Any] = []
        for row in chunk:
            if encoders:
                row = list(row)
                for i, encode in encoders:
                    row[i] = encode(row[i])
            values += row
            values += fixed
        result = connection.exec_driver_sql(head + ", ".join([one] * len(chunk)) + tail,
                                            tuple(values))
        if returning:
            found += result.fetchall()
    return found
