"""One pass over a text shared by the suggesters: tokens, their normalized forms, sentences.

Normalized forms are :func:`annotator.core.search.normalize` of each token (harakat, tanween and
tatweel removed; أ/إ/آ -> ا, ة -> ه, ى -> ي), so that lexicons match however a word is spelled.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache

from annotator.core.arabic import CLITIC_LETTERS, Token, sentences, split_proclitics, tokenize
from annotator.core.search import normalize
from annotator.core.text import grapheme_end, grapheme_start

#: Quotation marks: opening-only, closing-only, and the ones whose side depends on the context.
OPENING = "«“„‹"
CLOSING = "»”›"
EITHER = "\""
QUOTE_MARKS = OPENING + CLOSING + EITHER
COMPLEMENTIZERS = frozenset(normalize(w) for w in (
    "أن", "إن", "أنه", "إنه", "أنها", "إنها", "أنهم", "إنهم", "أنهما", "إنهما", "أننا", "إننا",
    "أنني", "إنني", "أنكم", "إنكم", "أنهن", "إنهن", "بأن", "بأنه", "بأنها", "بأنهم"))


class Analysis:
    """Tokens of a text with their normalized forms and sentence numbers."""

    __slots__ = ("_sentence_starts", "norms", "sentence_of", "sentences", "starts", "text",
                 "tokens")

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[Token] = tokenize(text)
        self.norms: list[str] = [normalize(t.text) if t.kind == "word" else t.text
                                 for t in self.tokens]
        self.starts = [t.start for t in self.tokens]
        self.sentences: list[tuple[int, int]] = sentences(text)
        self._sentence_starts = [s for s, _ in self.sentences]
        self.sentence_of: list[int] = [self.sentence_at(t.start) for t in self.tokens]

    def sentence_at(self, offset: int) -> int:
        """Number of the sentence holding ``offset`` (the one before it, between sentences)."""
        return max(0, bisect_right(self._sentence_starts, offset) - 1)

    def token_at_or_after(self, offset: int) -> int:
        """Index of the first token starting at or after ``offset`` (len(tokens) if none)."""
        i = bisect_right(self.starts, offset - 1)
        return i

    def is_word(self, i: int) -> bool:
        return 0 <= i < len(self.tokens) and self.tokens[i].kind == "word"

    def is_mark(self, i: int) -> bool:
        return 0 <= i < len(self.tokens) and self.tokens[i].text[:1] in QUOTE_MARKS

    def words_between(self, lo: int, hi: int) -> int:
        """How many word (or number) tokens lie in text[lo:hi]."""
        a, b = self.token_at_or_after(lo), self.token_at_or_after(hi)
        return sum(1 for t in self.tokens[a:b] if t.kind in ("word", "number"))


def is_trimmable(ch: str) -> bool:
    """Spaces, punctuation, controls, invisible format marks and lone combining marks (as
    :func:`annotator.core.snap.is_trimmable`, which this package cannot import: snap reads the
    word list through it)."""
    category = unicodedata.category(ch)
    return ch.isspace() or category[0] in ("P", "Z", "M") or category in ("Cc", "Cf")


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` without spaces, punctuation or invisible marks at either end."""
    start, end = grapheme_end(text, start), grapheme_start(text, end)
    while start < end and is_trimmable(text[start]):
        start = grapheme_end(text, start + 1)
    while start < end:
        last = grapheme_start(text, end - 1)
        if not is_trimmable(text[last]):
            break
        end = last
    return start, max(start, end)


@lru_cache(maxsize=1 << 17)
def clitic_readings(word: str) -> Sequence[tuple[int, str]]:
    """(length of the proclitic prefix in ``word``, normalized rest) for the word as written and
    each proclitic split: وبالقاهرة -> (0, وبالقاهره), (1, بالقاهره), (2, القاهره); a ل before
    a word starting with ل also reads as ل + ال (لليونان -> اليونان)."""
    readings = [(0, normalize(word))]
    if word[:1] not in CLITIC_LETTERS:
        return tuple(readings)
    for prefix, rest in split_proclitics(word):
        norm = normalize(rest)
        readings.append((len(prefix), norm))
        if normalize(prefix).endswith("ل") and norm.startswith("ل"):
            readings.append((len(prefix), "ا" + norm))
    return tuple(readings)
