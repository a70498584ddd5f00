"""What the reads of sets return: which sets a read selects, a set's header, a row of an
annotator's queue, and a span row as stored (the queries: annotator.db.sets)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from annotator.core.model import Provenance, SetKind, SetStatus
from annotator.db.repository_base import _json, _provenance


@dataclass(frozen=True, slots=True)
class SetFilter:
    """Which sets a read selects: every set, or one kind, or one owner's annotation set."""

    kind: SetKind | None = None
    owner: str | None = None

    @property
    def is_all(self) -> bool:
        return self.kind is None and self.owner is None


@dataclass(frozen=True, slots=True)
class SetInfo:
    """An annotation set's header: whose it is, of which document, in what state."""

    id: int
    document_id: int
    owner: str
    kind: SetKind
    status: SetStatus
    active_seconds: float


@dataclass(frozen=True, slots=True)
class QueueRow:
    document_id: int
    external_id: str
    title: str
    length: int
    set_id: int | None
    status: SetStatus | None
    spans: int


@dataclass(frozen=True, slots=True)
class SpanRecord:
    """A span row exactly as stored (timestamps included), without its text."""

    id: int
    set_id: int
    start: int
    end: int
    label: str
    attributes: dict[str, Any]
    note: str
    origin: str
    created_at: Any
    updated_at: Any
    provenance: Provenance | None = None
    source: dict[str, Any] | None = None
    version: int = 1
    updated_by: str | None = None


def _span_record(row: Any) -> SpanRecord:
    return SpanRecord(id=row[0], set_id=row[1], start=row[2], end=row[3], label=row[4],
                      attributes=dict(row[5] or {}), note=row[6], origin=row[7],
                      created_at=row[8], updated_at=row[9], provenance=_provenance(row[10]),
                      source=_json(row[11]), version=row[12], updated_by=row[13])
