"""What the annotation service takes and gives: queue rows, an opened document, set headers, a
deleted span (enough to put it back), new spans and relations, rejected suggestions, and a
:class:`Change` with its exact inverse; and the journal's state of a span, relation or set."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from annotator.core.model import (
    AnnotationSet,
    Document,
    Origin,
    Provenance,
    Relation,
    SetKind,
    SetStatus,
    Span,
)
from annotator.db.repositories import SpanRecord


@dataclass(frozen=True, slots=True)
class QueueItem:
    document_id: int
    external_id: str
    title: str
    length: int
    status: SetStatus
    spans: int


@dataclass(frozen=True, slots=True)
class OpenDocument:
    document: Document
    set: AnnotationSet


@dataclass(frozen=True, slots=True)
class SetHeader:
    """A set of a document as a chooser lists it: whose it is, what kind, in what state."""

    set_id: int
    owner: str
    kind: SetKind
    status: SetStatus


@dataclass(frozen=True, slots=True)
class DeletedSpan:
    """What :meth:`AnnotationService.delete_span` removed, enough to put it back exactly.

    ``relations`` are the relations that went with the span; ``created_at``/``updated_at`` are the
    row's timestamps (None: a restore stamps it now).
    """

    span: Span
    set_id: int
    relations: tuple[Relation, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class NewSpan:
    """A span to add in :meth:`AnnotationService.change`."""

    start: int
    end: int
    label: str
    attributes: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""
    origin: Origin = Origin.MANUAL
    provenance: Provenance | None = None
    source: Mapping[str, Any] | None = None

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)


#: A relation end in :meth:`AnnotationService.change`: a stored span's id, or the (start, end,
#: label) of a span added by the same change.
SpanRef = int | tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class NewRelation:
    type: str
    head: SpanRef
    tail: SpanRef


@dataclass(frozen=True, slots=True)
class RejectedSuggestion:
    """A suggestion an annotator rejected in their set (``x`` in the window): hidden for them
    in that document, and remembered with the suggester that made it."""

    start: int
    end: int
    label: str
    suggester: str | None = None

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)


@dataclass(frozen=True, slots=True)
class Change:
    """What :meth:`AnnotationService.change` did; :meth:`inverse_of` undoes it exactly.

    ``removed``: spans deleted (with the relations that went with them); ``put``: spans added or
    restored; ``unlinked``: relations deleted on their own; ``linked``: relations added or restored
    on their own.
    """

    set_id: int
    removed: tuple[DeletedSpan, ...] = ()
    put: tuple[Span, ...] = ()
    unlinked: tuple[Relation, ...] = ()
    linked: tuple[Relation, ...] = ()
    rejected: tuple[tuple[int, int, str], ...] = ()     # review: candidates rejected
    unrejected: tuple[tuple[int, int, str], ...] = ()   # review: rejections taken back
    dismissed: tuple[RejectedSuggestion, ...] = ()      # annotation: suggestions rejected
    undismissed: tuple[RejectedSuggestion, ...] = ()    # annotation: those rejections taken back

    @property
    def empty(self) -> bool:
        return not (self.removed or self.put or self.unlinked or self.linked or self.rejected
                    or self.unrejected or self.dismissed or self.undismissed)


def span_of_record(record: SpanRecord, text: str) -> Span:
    return Span(start=record.start, end=record.end, label=record.label,
                text=text[record.start:record.end], id=record.id,
                attributes=dict(record.attributes), note=record.note, origin=Origin(record.origin),
                provenance=record.provenance, source=record.source, version=record.version)


def span_state(record: SpanRecord, text: str) -> dict[str, Any]:
    created = record.created_at
    state = {"start": record.start, "end": record.end, "label": record.label,
             "text": text[record.start:record.end], "attributes": dict(record.attributes),
             "note": record.note, "origin": record.origin,
             "created_at": created.isoformat() if isinstance(created, datetime) else created}
    if record.provenance is not None:
        state["provenance"] = record.provenance.to_json()
    if record.source is not None:
        state["source"] = dict(record.source)
    return state


def relation_state(relation: Relation) -> dict[str, Any]:
    return {"type": relation.type, "head": relation.head, "tail": relation.tail}


def set_state(status: SetStatus, active_seconds: float) -> dict[str, Any]:
    return {"status": str(status), "active_seconds": active_seconds}
