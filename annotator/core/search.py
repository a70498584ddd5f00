"""Accent- and spelling-tolerant search that maps every hit back to offsets in the original text.

Normalization (:func:`normalize`), character by character:

- alef forms أ إ آ ٱ -> ا; alef maqsura ى -> ي; teh marbuta ة -> ه;
- hamza on a carrier: ؤ -> و and ئ -> ي (the carrier is kept, the hamza dropped; a bare ء stays);
- harakat and other Arabic combining marks U+064B–U+065F and U+0670 are removed, and so is the
  tatweel U+0640 (U+0653–U+0655, madda/hamza marks, are among them, so a decomposed أ = ا + U+0654
  matches too);
- lam-alef ligatures U+FEF5–U+FEFC become ل + ا (both characters map back to the ligature);
- Latin (and Greek, Cyrillic) letters are case-folded.

The normalized text is derived, never stored in place of the text (DESIGN invariant 1).
"""

from __future__ import annotations

import re
from array import array

from pyarabic import araby

from annotator.core.text import grapheme_end, is_grapheme_boundary

_ALEF = araby.ALEF
_YEH = araby.YEH


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in (*range(0x0600), *range(0x1E00, 0x2000), *range(0xFB00, 0xFB07)):
        folded = chr(cp).casefold()
        if folded != chr(cp):
            table[cp] = folded
    for ch in (araby.ALEF_HAMZA_ABOVE, araby.ALEF_HAMZA_BELOW, araby.ALEF_MADDA, araby.ALEF_WASLA):
        table[ord(ch)] = _ALEF
    table[ord(araby.ALEF_MAKSURA)] = _YEH
    table[ord(araby.TEH_MARBUTA)] = araby.HEH
    table[ord(araby.WAW_HAMZA)] = araby.WAW
    table[ord(araby.YEH_HAMZA)] = _YEH
    for cp in (*range(0x064B, 0x0660), 0x0670, ord(araby.TATWEEL)):
        table[cp] = ""
    for cp in range(0xFEF5, 0xFEFD):
        table[cp] = araby.LAM + _ALEF
    return table


_TABLE = _build_table()
#: Characters whose normalized form is not exactly one character (removed or expanded).
_UNEVEN = re.compile(
    "[" + "".join(re.escape(chr(cp)) for cp, v in sorted(_TABLE.items()) if len(v) != 1) + "]"
)


def normalize(s: str) -> str:
    """The search form of ``s`` (see the module docstring)."""
    return s.translate(_TABLE)


def normalizes_to_nothing(ch: str) -> bool:
    """Whether ``ch`` disappears under :func:`normalize` (a haraka or the tatweel)."""
    return _TABLE.get(ord(ch)) == ""


class SearchIndex:
    """A normalized copy of a text plus, for each normalized character, its source offset.

    Built in one pass (``str.translate`` for the text, one regex scan for the characters that are
    removed or expanded, ranges for the rest). :meth:`find` maps hits back to code points.
    """

    __slots__ = ("_source", "normalized", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.normalized = normalize(text)
        source = array("q")
        pos = 0
        for m in _UNEVEN.finditer(text):
            i = m.start()
            source.extend(range(pos, i))
            source.extend([i] * len(_TABLE[ord(text[i])]))
            pos = i + 1
        source.extend(range(pos, len(text)))
        if len(source) != len(self.normalized):  # pragma: no cover - a table bug, never input
            raise AssertionError("search index out of step with the normalized text")
        self._source = source

    def source_offset(self, n: int) -> int:
        """Offset in the original text of the character at normalized offset ``n``."""
        return self._source[n]

    def find(self, query: str) -> list[tuple[int, int]]:
        """Every non-overlapping hit of ``query``, left to right, as original (start, end) offsets.

        A hit covers whole source characters and grapheme clusters: its end extends over the
        harakat, tatweel and other combining marks after its last letter. A match that would split
        a grapheme or a ligature in a way that changes what it says (e.g. only the alef of ﻻ) is
        not a hit. An empty query (after normalization) has no hits.
        """
        needle = normalize(query)
        if not needle:
            return []
        hits: list[tuple[int, int]] = []
        n = self.normalized.find(needle)
        while n != -1:
            hit = self._to_source(n, n + len(needle))
            if hit is not None and normalize(self.text[hit[0]:hit[1]]) == needle:
                hits.append(hit)
            n = self.normalized.find(needle, n + len(needle))
        return hits

    def _to_source(self, n_start: int, n_end: int) -> tuple[int, int] | None:
        text = self.text
        start = self._source[n_start]
        if not is_grapheme_boundary(text, start):
            return None
        end = grapheme_end(text, self._source[n_end - 1] + 1)
        while end < len(text) and normalizes_to_nothing(text[end]):
            end = grapheme_end(text, end + 1)
        return start, end
