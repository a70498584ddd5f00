"""What the repositories share: Core statements run on the unit of work's connection, IN (...)
lists cut in chunks, JSON and provenance columns decoded (each distinct value once)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection

from annotator.core.model import Provenance
from annotator.db import driver

_IN_CHUNK = 500  # bound parameters per IN (...) query, well under every backend's limit


def _chunks(values: Sequence[Any], size: int = _IN_CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _provenance(raw: Any) -> Provenance | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = json.loads(raw)
        if raw is None:
            return None
    return Provenance.from_json(raw)


def _json(raw: Any) -> dict[str, Any] | None:
    """A JSON column's value (SQLite may hand back text)."""
    if isinstance(raw, str):
        raw = json.loads(raw)
    return dict(raw) if raw is not None else None


_NULLS = (None, "null")   # a JSON column's null, as SQL NULL or as JSON text


class _ProvenanceCache:
    """Decodes each distinct provenance once (a reviewer's decisions repeat a few values)."""

    def __init__(self) -> None:
        self._seen: dict[str, Provenance | None] = {}

    def load(self, raw: str) -> Provenance | None:
        if raw not in self._seen:
            self._seen[raw] = _provenance(raw)
        return self._seen[raw]


class _JsonCache:
    """Decodes JSON text once per distinct value (span attributes repeat: {}, {"kind": ...}).

    The decoded objects are shared between spans, so they must be treated as read-only (core
    objects are frozen; writers copy with ``dict(...)``)."""

    def __init__(self) -> None:
        self._seen: dict[str | None, dict[str, Any]] = {}

    def load(self, raw: str | None) -> dict[str, Any]:
        found = self._seen.get(raw)
        if found is None:
            found = json.loads(raw) if raw else {}
            self._seen[raw] = found
        return found


class _Repository:
    """Runs Core statements on the unit of work's connection: the ORM's per-statement
    bookkeeping is not needed by repositories that read and write rows, and skipping it halves
    the cost of each statement on the hot paths (an annotation action runs five)."""

    connection: Connection

    def _execute(self, statement: Any, parameters: Any = None) -> Any:
        connection = self.connection
        if parameters is not None:
            rows = driver.run(connection, statement, parameters)
            if rows is not None:
                return rows
        if parameters is None:
            return connection.execute(statement)
        return connection.execute(statement, parameters)
