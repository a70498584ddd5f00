"""Arabic tokens with code-point offsets, sentences, proclitics and the gazetteer format.

pyarabic's tokenizers drop offsets, punctuation and emoji (DESIGN section 5), so tokens come from
one compiled pattern here; pyarabic supplies the letter constants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyarabic import araby

from annotator.core.text import EXTEND_CLASS, is_grapheme_boundary

# Harakat, tatweel and every other combining mark / joiner that stays inside a word.
_MARKS = f"[{EXTEND_CLASS}\u0640]"
_LETTER = r"[^\W\d_]"  # any Unicode letter (tatweel, Lm, is one too)
_DIGIT = "[0-9\u0660-\u0669\u06f0-\u06f9]"
_NUM_SEP = "[.,\u066b\u066c]"
# Emoji that are pictographic by default, and text-default symbols (© ™ ↔ ...) which are emoji only
# with U+FE0F.
_PICTO = (
    "[\u231a\u231b\u23e9-\u23f3\u23f8-\u23fa\u2600-\u27bf\u2b1b\u2b1c\u2b50\u2b55"
    "\U0001f000-\U0001faff]"
)
_TEXT_PICTO = (
    "[\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u21aa\u2328\u23cf\u24c2\u25aa-\u25fe"
    "\u2934\u2935\u2b05-\u2b07\u3030\u303d\u3297\u3299]\ufe0f"
)
_EMOJI_EXT = "[\ufe0e\ufe0f\u20e3\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]"
_EMOJI_ATOM = f"(?:{_PICTO}|{_TEXT_PICTO}){_EMOJI_EXT}*"
_EMOJI = (
    f"(?P<emoji>[0-9#*]\ufe0f?\u20e3|[\U0001f1e6-\U0001f1ff]{{2}}"
    f"|{_EMOJI_ATOM}(?:\u200d{_EMOJI_ATOM})*){_MARKS}*"
)
_INVISIBLE = "[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"

_TOKEN = re.compile(
    "|".join(
        (
            _EMOJI,
            f"(?P<word>{_LETTER}(?:{_LETTER}|{_MARKS})*(?:_+(?:{_LETTER}|{_MARKS})+)*)",
            f"(?P<number>{_DIGIT}+(?:{_NUM_SEP}{_DIGIT}+)*{_MARKS}*)",
            f"(?P<other>{_INVISIBLE}+|{_MARKS}+|[\\d]{_MARKS}*)",
            f"(?P<punct>[^\\w\\s_]{_MARKS}*|_{_MARKS}*)",
            f"(?P<other2>\\S{_MARKS}*)",
        )
    )
)

TOKEN_KINDS = ("word", "number", "punct", "emoji", "other")


@dataclass(frozen=True, slots=True)
class Token:
    """A token; ``text == source[start:end]``. Whitespace is never part of a token."""

    start: int
    end: int
    kind: str
    text: str


def _token(m: re.Match[str]) -> Token:
    kind = m.lastgroup
    if kind is None or kind == "other2":
        kind = "other"
    return Token(m.start(), m.end(), kind, m.group())


def tokenize(text: str) -> list[Token]:
    """Tokens of ``text``; tokens plus the whitespace between them tile the text exactly.

    Every token starts and ends on a grapheme boundary: a ZWJ joins the characters on both of its
    sides (see :mod:`annotator.core.text`), so the rare token that ends in a ZWJ or splits a
    regional-indicator run is merged with the token it touches.
    """
    tokens = [_token(m) for m in _TOKEN.finditer(text)]
    if _JOINERS.search(text) is None:
        return tokens
    return _merge_split_graphemes(text, tokens)


_JOINERS = re.compile("[\u200d\U0001f1e6-\U0001f1ff]")


def _merge_split_graphemes(text: str, tokens: list[Token]) -> list[Token]:
    merged: list[Token] = []
    for tok in tokens:
        prev = merged[-1] if merged else None
        if prev is not None and prev.end == tok.start and not is_grapheme_boundary(text, tok.start):
            kind = "emoji" if "emoji" in (prev.kind, tok.kind) else prev.kind
            merged[-1] = Token(prev.start, tok.end, kind, text[prev.start:tok.end])
        else:
            merged.append(tok)
    return merged


def run_around(text: str, i: int) -> tuple[int, int, list[Token]]:
    """The run of non-whitespace characters around offset ``i`` as (start, end, its tokens with
    text offsets).

    Tokens never cross whitespace and whitespace is always a grapheme boundary, so these are the
    tokens :func:`tokenize` gives for that run of the whole text.
    """
    lo = i
    while lo > 0 and not text[lo - 1].isspace():
        lo -= 1
    hi = i
    while hi < len(text) and not text[hi].isspace():
        hi += 1
    return lo, hi, [Token(lo + t.start, lo + t.end, t.kind, t.text) for t in tokenize(text[lo:hi])]


def _tokens_around(text: str, i: int) -> list[Token]:
    """Tokens of the run of non-whitespace characters around offset ``i``, with text offsets."""
    return run_around(text, i)[2]


def token_at(text: str, i: int) -> Token | None:
    """The token containing offset ``i`` (start <= i < end); None at whitespace or out of range."""
    if not 0 <= i < len(text) or text[i].isspace():
        return None
    for tok in _tokens_around(text, i):
        if tok.start <= i < tok.end:
            return tok
    return None  # pragma: no cover - every non-space character is in a token


def word_at(text: str, i: int) -> tuple[int, int] | None:
    """The word token containing offset ``i``, else the one ending exactly at ``i``, else None."""
    if not 0 <= i <= len(text):
        return None
    touching: tuple[int, int] | None = None
    for tok in _tokens_around(text, i):
        if tok.kind != "word":
            continue
        if tok.start <= i < tok.end:
            return tok.start, tok.end
        if tok.end == i:
            touching = (tok.start, tok.end)
    return touching


_TERMINATOR = re.compile("[.!?\u061f\u2026\u06d4]+[\"'\u2019\u201d\u00bb)\\]]*(?=\\s|$)")


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence offsets: split after . ! ? ؟ … (before whitespace) and at newlines, trimmed."""
    result: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        line_end = line_start + len(line)
        cut = line_start
        for m in _TERMINATOR.finditer(text, line_start, line_end):
            _add_trimmed(text, cut, m.end(), result)
            cut = m.end()
        _add_trimmed(text, cut, line_end, result)
        line_start = line_end + 1
    return result


def _add_trimmed(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    """``text[start:end]`` without the whitespace at its ends, if anything is left (str.strip
    takes off exactly the characters ``str.isspace`` is true of)."""
    piece = text[start:end]
    kept = piece.strip()
    if kept:
        start += len(piece) - len(piece.lstrip())
        out.append((start, start + len(kept)))


# --- proclitics -----------------------------------------------------------------------------

CLITIC_LETTERS = "وفبلك"
CONJUNCTIONS = (araby.WAW, araby.FEH)
PREPOSITIONS = (araby.BEH, araby.LAM, araby.KAF)
#: Every proclitic combination: a conjunction (و ف) and/or a preposition (ب ل ك), in that order.
PROCLITICS: tuple[str, ...] = (*CONJUNCTIONS, *PREPOSITIONS) + tuple(
    c + p for c in CONJUNCTIONS for p in PREPOSITIONS
)
_ARTICLE = araby.ALEF + araby.LAM
_MARK_RE = re.compile(_MARKS)


def _letters(s: str) -> list[tuple[str, int]]:
    """(letter, end of the letter with its marks) for each letter of ``s``; marks attach left."""
    out: list[tuple[str, int]] = []
    for i, ch in enumerate(s):
        if _MARK_RE.match(ch):
            if out:
                out[-1] = (out[-1][0], i + 1)
            continue
        out.append((ch, i + 1))
    return out


def strip_marks(s: str) -> str:
    """``s`` without harakat, tatweel and other combining marks."""
    return _MARK_RE.sub("", s)


def is_proclitic(prefix: str) -> bool:
    """Whether ``prefix`` (harakat ignored) is exactly a proclitic combination like و or وب."""
    return strip_marks(prefix) in PROCLITICS


def split_proclitics(word: str) -> list[tuple[str, str]]:
    """Candidate (prefix, remainder) splits of ``word`` at a proclitic combination.

    The prefix keeps the harakat written on the clitics. Only splits that leave at least two
    letters are given, shortest prefix first:
    ``وبالقاهرة`` -> [("و", "بالقاهرة"), ("وب", "القاهرة")].
    """
    letters = _letters(word)
    splits: list[tuple[str, str]] = []
    for n in (1, 2):
        if len(letters) - n < 2:
            break
        if "".join(ch for ch, _ in letters[:n]) in PROCLITICS:
            cut = letters[n - 1][1]
            splits.append((word[:cut], word[cut:]))
    return splits


def has_article(word: str) -> bool:
    """Whether ``word`` starts with the article ال and has at least two letters after it."""
    bare = strip_marks(word)
    return bare.startswith(_ARTICLE) and len(bare) >= len(_ARTICLE) + 2


# --- gazetteer ------------------------------------------------------------------------------


def parse_gazetteer(text: str) -> frozenset[str]:
    """Names from a gazetteer file: one per line, ``#`` starts a comment, blank lines ignored."""
    names: set[str] = set()
    for line in text.lstrip("\ufeff").splitlines():
        name = line.split("#", 1)[0].strip()
        if name:
            names.add(" ".join(name.split()))
    return frozenset(names)
