"""Moving one edge of a span by a word or a grapheme: the annotator's fix when snapping was wrong.

``grow`` moves the edge outwards (the start earlier, the end later), otherwise inwards. Words are
word or number tokens; punctuation and spaces between them are skipped, never included at an edge.
"""

from __future__ import annotations

import unicodedata

from annotator.core.arabic import token_at
from annotator.core.text import grapheme_end, grapheme_start

_WORDY = ("word", "number", "emoji")


def _is_gap(ch: str) -> bool:
    """Spaces and punctuation between words (not the harakat on a word's last letter)."""
    return ch.isspace() or unicodedata.category(ch)[0] in ("P", "Z") or unicodedata.category(ch) in ("Cc", "Cf")


def move_edge(text: str, start: int, end: int, *, edge: str, grow: bool,
              by_word: bool) -> tuple[int, int] | None:
    """The new (start, end), or None when the edge cannot move (text edge, or the span would vanish)."""
    if edge not in ("start", "end"):
        raise ValueError(f"edge must be 'start' or 'end', not {edge!r}")
    if edge == "start":
        new = _earlier(text, start, by_word) if grow else _later(text, start, end, by_word)
        moved = (new, end) if new is not None else None
    else:
        new = _later(text, end, len(text), by_word) if grow else _earlier_end(text, start, end, by_word)
        moved = (start, new) if new is not None else None
    if moved is None or not 0 <= moved[0] < moved[1] <= len(text) or moved == (start, end):
        return None
    return moved


def _word_start_before(text: str, i: int) -> int | None:
    """Start of the nearest word that ends at or before ``i``."""
    j = i - 1
    while j >= 0 and _is_gap(text[j]):
        j -= 1
    token = token_at(text, j) if j >= 0 else None
    while token is not None and token.kind not in _WORDY and token.start > 0:
        token = token_at(text, token.start - 1)
    return token.start if token is not None and token.kind in _WORDY else None


def _word_end_after(text: str, i: int, limit: int) -> int | None:
    """End of the nearest word that starts at or after ``i`` (not past ``limit``)."""
    j = i
    while j < limit and _is_gap(text[j]):
        j += 1
    token = token_at(text, j) if j < limit else None
    while token is not None and token.kind not in _WORDY and token.end < limit:
        token = token_at(text, token.end)
    return token.end if token is not None and token.kind in _WORDY and token.end <= limit else None


def _earlier(text: str, start: int, by_word: bool) -> int | None:
    if start == 0:
        return None
    return _word_start_before(text, start) if by_word else grapheme_start(text, start - 1)


def _later(text: str, i: int, limit: int, by_word: bool) -> int | None:
    """For a start moving in: the start of the next word; for an end moving out: the next word's end."""
    if i >= limit:
        return None
    if not by_word:
        return grapheme_end(text, i + 1)
    if limit == len(text):  # the end edge growing
        return _word_end_after(text, i, limit)
    token = token_at(text, i)
    j = token.end if token is not None else i
    while j < limit and _is_gap(text[j]):
        j += 1
    return j if j < limit else None


def _earlier_end(text: str, start: int, end: int, by_word: bool) -> int | None:
    if not by_word:
        return grapheme_start(text, end - 1)
    token = token_at(text, end - 1)
    j = token.start if token is not None else end - 1
    while j > start and _is_gap(text[j - 1]):
        j -= 1
    return j if j > start else None
