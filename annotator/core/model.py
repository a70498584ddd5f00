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
    ANNOTATOR = "annotator"
    REVIEWER = "reviewer"
    ADMIN = "admin"
    SYSTEM = "system"


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


@dataclass(frozen=True, slots=True)
class Relation:
    """A typed link between two spans of the same set (``head`` and ``tail`` are span ids)."""

    type: str
    head: int
    tail: int
    id: int | None = None


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
