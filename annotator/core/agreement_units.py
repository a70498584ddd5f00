"""The units the kappa and alpha figures count: characters and tokens, and their categories.

A character unit is a code point of the text that is not whitespace (``str.isspace``); a token
unit is a token of :func:`annotator.core.arabic.tokenize`, located by its first code point. An
annotator's category for a unit is the label of the shortest of their spans covering it (the
earliest start on a tie, then the label first in alphabetical order), else ``O`` (code 0).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from annotator.core.arabic import tokenize

IntArray = npt.NDArray[np.int64]

#: Every code point for which ``str.isspace`` is true (a test checks it against all of Unicode).
WHITESPACE = np.array(
    [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680,
     *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000],
    dtype=np.uint32,
)

# Characters whose tokens need no regular expression: Arabic letters (hamza..ghain, feh..yeh)
# start a word token, which tatweel and the harakat fathatan..sukun continue; each of the common
# punctuation marks below is a token of its own (none is a letter, a digit, a mark or an emoji).
_OTHER, _SPACE, _LETTER, _FOLLOW, _PUNCT = range(5)
_TOP = 0x3001                      # code points from here on are all _OTHER (U+3000 is a space)
_CLASS = np.zeros(_TOP + 1, dtype=np.uint8)
_CLASS[0x0621:0x063B] = _LETTER
_CLASS[0x0641:0x064B] = _LETTER
_CLASS[0x0640] = _FOLLOW
_CLASS[0x064B:0x0653] = _FOLLOW
_CLASS[[ord(c) for c in ".,:;!?\"'()[]/-\u060c\u061b\u061f\u00ab\u00bb\u201c\u201d\u2018\u2019"
        "\u2026"]] = _PUNCT
_CLASS[WHITESPACE] = _SPACE
_JOINERS = re.compile("[\u200d\U0001f1e6-\U0001f1ff]")   # as annotator.core.arabic's


@dataclass(frozen=True, slots=True)
class TextUnits:
    """The unit offsets of one text."""

    chars: IntArray      # code points that are not whitespace
    tokens: IntArray     # first code point of each token


def text_units(text: str, *, tokens: bool = True) -> TextUnits:
    """Character units and (unless ``tokens=False``: empty) token units of ``text``."""
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    kind = _CLASS[np.minimum(cps, _TOP)]
    space = kind == _SPACE
    chars = np.flatnonzero(~space).astype(np.int64)
    starts = _token_starts(text, kind, space) if tokens else np.zeros(0, dtype=np.int64)
    return TextUnits(chars, starts)


def token_starts(text: str) -> IntArray:
    """``[t.start for t in tokenize(text)]``, computed faster (see _token_starts)."""
    return text_units(text).tokens


def _token_starts(text: str, kind: npt.NDArray[np.uint8], space: npt.NDArray[np.bool_]
                  ) -> IntArray:
    """Tokens never cross whitespace, so each whitespace-delimited run is tokenized on its own. In
    a run made only of Arabic letters, harakat and common punctuation, where every haraka follows
    a letter or a haraka (nearly every run of a news text), tokens start at each punctuation mark
    and at each letter that does not follow a letter or a haraka; other runs go to the tokenizer.
    """
    n = len(kind)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if _JOINERS.search(text):
        # tokenize() then merges tokens split inside a grapheme anywhere in the text.
        return np.array([tok.start for tok in tokenize(text)], dtype=np.int64)
    letter, follow, punct = kind == _LETTER, kind == _FOLLOW, kind == _PUNCT
    after_word = np.zeros(n, dtype=bool)
    after_word[1:] = letter[:-1] | follow[:-1]
    bad = ~(space | letter | punct | (follow & after_word))
    start = np.ones(n, dtype=bool)
    start[1:] = space[:-1]
    start &= ~space
    run_starts = np.flatnonzero(start)
    if len(run_starts) == 0:
        return np.zeros(0, dtype=np.int64)
    run = np.maximum(np.cumsum(start) - 1, 0)      # the run of each code point (spaces: any)
    complex_run = np.zeros(len(run_starts), dtype=bool)
    complex_run[run[bad]] = True
    simple = ~space & ~complex_run[run] & (punct | (letter & ~after_word))
    found = np.flatnonzero(simple)
    if not complex_run.any():
        return found.astype(np.int64)
    end = np.zeros(n, dtype=bool)
    end[:-1] = space[1:]
    end[-1] = True
    run_ends = np.flatnonzero(end & ~space) + 1
    extra: list[int] = []
    for s, e in zip(run_starts[complex_run].tolist(), run_ends[complex_run].tolist()):
        extra.extend(s + tok.start for tok in tokenize(text[s:e]))
    merged = np.concatenate([found, np.array(extra, dtype=np.int64)])
    merged.sort()
    return merged.astype(np.int64)


def categories(length: int, spans: Iterable[tuple[int, int, int]]) -> npt.NDArray[np.int16]:
    """Category code of each code point: the code (``>= 1``) of the shortest covering span of
    ``spans`` (start, end, code), the earliest start on a tie, then the smallest code; else 0.

    Codes are given in label order, so "smallest code" is "label first alphabetically".
    """
    out = np.zeros(length, dtype=np.int16)
    # Painted from the longest to the shortest: the span painted last wins each code point.
    for start, end, code in sorted(spans, key=lambda s: (s[0] - s[1], -s[0], -s[2])):
        out[start:end] = code
    return out
