"""Invisible bidi marks: count them, and strip them with a map that moves offsets along.

NewsFANE puts U+200F before nearly every token and ANERcorp has stray ones, so spans begin with a
character nobody can see. The marks handled here are the bidi formatting characters that carry no
letter: LRM U+200E, RLM U+200F, ALM U+061C, the embeddings and overrides U+202A-U+202E and the
isolates U+2066-U+2069. ZWJ / ZWNJ are not among them: they change how Arabic letters join.

    >>> stripped = strip_marks("\u200fقال \u200fالوزير")
    >>> stripped.text, stripped.new_offset(5), stripped.removed
    ('قال الوزير', 4, 2)
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass

#: the bidi marks --strip-marks removes, with the names messages use
BIDI_MARKS: dict[str, str] = {
    "\u200e": "LRM", "\u200f": "RLM", "\u061c": "ALM",
    "\u202a": "LRE", "\u202b": "RLE", "\u202c": "PDF", "\u202d": "LRO", "\u202e": "RLO",
    "\u2066": "LRI", "\u2067": "RLI", "\u2068": "FSI", "\u2069": "PDI",
}
_MARK = re.compile("[" + "".join(BIDI_MARKS) + "]")


def count_marks(text: str) -> Counter[str]:
    """How many of each bidi mark ``text`` holds (keyed by name: ``{"RLM": 12}``)."""
    found: Counter[str] = Counter()
    for match in _MARK.finditer(text):
        found[BIDI_MARKS[match.group()]] += 1
    return found


def describe_counts(counts: Counter[str]) -> str:
    """``'12,000 invisible marks (RLM 11,900, LRM 100)'``."""
    total = sum(counts.values())
    parts = ", ".join(f"{name} {n:,}" for name, n in counts.most_common())
    return f"{total:,} invisible mark{'s' if total != 1 else ''} ({parts})"


@dataclass(frozen=True, slots=True)
class Stripped:
    """A text without its bidi marks, and where the marks were in the original."""

    text: str
    positions: tuple[int, ...]    # offsets of the removed marks in the original text, sorted

    @property
    def removed(self) -> int:
        return len(self.positions)

    def new_offset(self, old: int) -> int:
        """The offset in the stripped text of original offset ``old``: ``old`` less the marks
        before it. A span ``[s, e)`` becomes ``[new_offset(s), new_offset(e))``; it keeps every
        character but the marks (a span of marks only becomes empty)."""
        return old - bisect_left(self.positions, old)


def strip_marks(text: str) -> Stripped:
    positions = tuple(m.start() for m in _MARK.finditer(text))
    if not positions:
        return Stripped(text, ())
    return Stripped(_MARK.sub("", text), positions)


def has_marks(text: str) -> bool:
    return _MARK.search(text) is not None


def remove_marks(text: str) -> str:
    """``text`` without its bidi marks (no offsets kept: for tokens)."""
    return _MARK.sub("", text)
