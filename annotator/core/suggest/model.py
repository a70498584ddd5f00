"""What the suggesters give: spans with their suggester and confidence, and relations between them.

Offsets are code points into the document's text, end exclusive (DESIGN invariant 2). Every
suggestion starts and ends on a grapheme boundary and never begins or ends with whitespace or an
invisible mark.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

SUGGESTERS = ("quotes", "cues", "speakers", "places", "propagate")

_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A suggested span: ``text[start:end]``, a label of the default schema and its provenance."""

    start: int
    end: int
    label: str
    suggester: str
    confidence: float
    attributes: Mapping[str, str] = field(default_factory=lambda: _EMPTY)

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)


@dataclass(frozen=True, slots=True)
class SuggestedRelation:
    """``said_by`` (quote -> actor) or ``cue`` (quote -> cue); head and tail index
    :attr:`Suggestions.spans`."""

    type: str
    head: int
    tail: int


@dataclass(frozen=True, slots=True)
class Suggestions:
    """Spans sorted by (start, end, label), none twice; relations sorted, none twice."""

    spans: tuple[Suggestion, ...]
    relations: tuple[SuggestedRelation, ...]
