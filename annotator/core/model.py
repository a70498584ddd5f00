"""The data model as frozen dataclasses: what the store returns and the exporters read.

Offsets are Unicode code points into ``Document.text``, end exclusive (DESIGN invariant 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Mapping

GOLD = "gold"
SUGGESTIONS = "suggestions"
RESERVED_OWNERS = frozenset({GOLD, SUGGESTIONS})


class SetKind(StrEnum):
    ANNOTATION = "annotation"
    GOLD = "gold"
    SUGGESTIONS = "suggestions"


class SetStatus(StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SKIPPED = "skipped"


class Origin(StrEnum):
    MANUAL = "manual"
    SUGGESTED = "suggested"
    IMPORTED = "imported"
    ADJUDICATED = "adjudicated"


class Role(StrEnum):
    """Who may do what (enforced by the services, see annotator/core/roles.py)."""

    ANNOTATOR = "annotator"
    REVIEWER = "reviewer"
    LEAD = "lead"
    SYSTEM = "system"   # the reserved owners (gold, suggestions) and internal jobs


#: The roles a person can have (``system`` is not one).
PERSON_ROLES = (Role.ANNOTATOR, Role.REVIEWER, Role.LEAD)


class Decision(StrEnum):
    """How a gold span came to be: a candidate accepted as it was, edited, or added by the reviewer."""

    ACCEPTED = "accepted"
    EDITED = "edited"
    ADDED = "added"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a gold span comes from: who decided, how, and from which annotators' versions."""

    decided_by: str
    how: Decision
    sources: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"decided_by": self.decided_by, "how": self.how.value, "from": list(self.sources)}

    @classmethod
    def from_json(cls, obj: Any) -> Provenance:
        """Parse what :meth:`to_json` wrote; raises ValueError with the field that is wrong."""
        if not isinstance(obj, Mapping):
            raise ValueError("provenance must be an object")
        by, how, sources = obj.get("decided_by"), obj.get("how"), obj.get("from", [])
        if not isinstance(by, str) or not by.strip():
            raise ValueError("provenance.decided_by must be a non-empty string")
        try:
            decision = Decision(how)
        except ValueError:
            raise ValueError(f"provenance.how must be one of {[d.value for d in Decision]}, "
                             f"not {how!r}") from None
        if not isinstance(sources, list) or not all(isinstance(x, str) and x for x in sources):
            raise ValueError("provenance.from must be a list of annotator names")
        return cls(decided_by=by, how=decision, sources=tuple(sources))


def kind_for_owner(owner: str) -> SetKind:
    """The set kind a native-JSONL ``annotator`` name denotes (``gold``/``suggestions`` are reserved)."""
    if owner == GOLD:
        return SetKind.GOLD
    if owner == SUGGESTIONS:
        return SetKind.SUGGESTIONS
    return SetKind.ANNOTATION


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    label: str
    text: str
    id: int | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""
    origin: Origin = Origin.MANUAL
    provenance: Provenance | None = None   # gold spans: who decided, how, from whose versions
    source: Mapping[str, Any] | None = None  # suggestions: {"suggester": ..., "confidence": ...}
    # the stored row's version when it was read (changes name it: a stale one is refused);
    # not part of a span's identity
    version: int = field(default=1, compare=False)

    def __post_init__(self) -> None:
        if not (0 <= self.start < self.end):
            raise ValueError(f"span {self.start}-{self.end}: needs 0 <= start < end")
        if len(self.text) != self.end - self.start:
            raise ValueError(
                f"span {self.start}-{self.end}: text has {len(self.text)} characters, "
                f"offsets say {self.end - self.start}"
            )

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)


_SPAN_FIELDS = ("start", "end", "label", "text", "id", "attributes", "note", "origin",
                "provenance", "source", "version")
_span_setters = tuple(getattr(Span, name).__set__ for name in _SPAN_FIELDS)


def stored_span(document_text: str, start: int, end: int, label: str, span_id: int,
                attributes: Mapping[str, Any], note: str, origin: Origin,
                provenance: Provenance | None, source: Mapping[str, Any] | None,
                version: int) -> Span:
    """The span a store row gives, its text cut from ``document_text``: the same object as
    ``Span(...)`` but built through its slots, without the frozen dataclass's ``__init__``
    (half the cost of reading a book's 20,000 spans). Offsets that do not fit the text go
    through ``Span(...)``, whose checks refuse them."""
    if not 0 <= start < end <= len(document_text):
        return Span(start=start, end=end, label=label, text=document_text[start:end],
                    id=span_id, attributes=attributes, note=note, origin=origin,
                    provenance=provenance, source=source, version=version)
    span = object.__new__(Span)
    (put_start, put_end, put_label, put_text, put_id, put_attributes, put_note, put_origin,
     put_provenance, put_source, put_version) = _span_setters
    put_start(span, start)
    put_end(span, end)
    put_label(span, label)
    put_text(span, document_text[start:end])
    put_id(span, span_id)
    put_attributes(span, attributes)
    put_note(span, note)
    put_origin(span, origin)
    put_provenance(span, provenance)
    put_source(span, source)
    put_version(span, version)
    return span


@dataclass(frozen=True, slots=True)
class Relation:
    """A typed link between two spans of the same set (``head`` and ``tail`` are span ids)."""

    type: str
    head: int
    tail: int
    id: int | None = None
    version: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class AnnotationSet:
    document_id: int
    owner: str
    kind: SetKind
    status: SetStatus = SetStatus.TODO
    spans: tuple[Span, ...] = ()
    relations: tuple[Relation, ...] = ()
    active_seconds: float = 0.0
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Document:
    external_id: str
    title: str
    text: str
    sha256: str
    source: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)
    id: int | None = None

    @property
    def length(self) -> int:
        return len(self.text)


def span_in_text(text: str, span: Span) -> bool:
    """DESIGN invariant 2: the span's text is exactly what its offsets select."""
    return span.end <= len(text) and text[span.start:span.end] == span.text
