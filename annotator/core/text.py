"""Canonical text, hashes, UTF-16 <-> code point offsets and grapheme boundaries.

Offsets everywhere are Unicode code points into the canonical text, end exclusive (DESIGN
invariant 2). Qt counts UTF-16 code units; :class:`Utf16Map` converts at that boundary only.

Grapheme boundaries follow a simplified UAX #29 (extended grapheme clusters): a letter is never
split from its combining marks (harakat included), nor an emoji from its variation selector,
skin-tone modifier or ZWJ continuation, nor a regional-indicator pair (a flag). Hangul syllable
rules and Prepend characters are not modelled; they do not occur in the texts this tool handles.
One deliberate difference: whitespace always stands alone (a haraka after a space is a cluster of
its own, not part of the space), so that tokens, which never hold whitespace, end on boundaries.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

BOM = "\ufeff"
ZWJ = "\u200d"
ZWNJ = "\u200c"

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def canonicalize(raw: str, *, nfc: bool = False) -> tuple[str, tuple[str, ...]]:
    """Return the canonical form of an imported text and the steps that changed it.

    Steps, in order and only when they changed something: ``strip-bom`` (a leading U+FEFF),
    ``crlf-to-lf`` (CRLF pairs), ``cr-to-lf`` (lone CRs), ``nfc`` (Unicode NFC, only if asked).
    """
    steps: list[str] = []
    text = raw
    if text.startswith(BOM):
        text = text[1:]
        steps.append("strip-bom")
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
        steps.append("crlf-to-lf")
    if "\r" in text:
        text = text.replace("\r", "\n")
        steps.append("cr-to-lf")
    if nfc:
        composed = unicodedata.normalize("NFC", text)
        if composed != text:
            text = composed
            steps.append("nfc")
    return text, tuple(steps)


@dataclass(frozen=True, slots=True)
class CanonicalText:
    """A text canonicalized as :func:`canonicalize` does (without NFC), and where each offset
    into the raw text went: the BOM and the CR of each CRLF are removed, a lone CR becomes LF."""

    text: str
    steps: tuple[str, ...]
    removed: tuple[int, ...]     # raw offsets of the removed characters, ascending

    def offset(self, raw: int) -> int:
        """The canonical offset of the raw offset ``raw`` (0 <= raw <= len(raw text)): a removed
        character's offset goes to the character after it."""
        return raw - bisect_left(self.removed, raw)


_CRLF = re.compile("\r\n")


def canonical_text(raw: str) -> CanonicalText:
    """``canonicalize(raw)`` with the map of offsets (for a file's spans on its raw text)."""
    text, steps = canonicalize(raw)
    removed: list[int] = [0] if raw.startswith(BOM) else []
    if "crlf-to-lf" in steps:
        removed += [m.start() for m in _CRLF.finditer(raw)]
    return CanonicalText(text, steps, tuple(removed))


def needs_canonical(raw: str) -> bool:
    """Whether :func:`canonicalize` would change ``raw`` (a BOM, or a CR anywhere)."""
    return raw.startswith(BOM) or "\r" in raw


#: what no store can hold: NUL (PostgreSQL refuses it in text) and lone surrogates (not Unicode
#: scalar values: they cannot be encoded as UTF-8)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> str | None:
    """Why ``text`` cannot be stored (its first NUL or lone surrogate and where), else None."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    what = "a NUL character (U+0000)" if found.group() == "\x00" else \
        f"a lone surrogate (U+{ord(found.group()):04X}, half of a UTF-16 pair: not Unicode text)"
    return f"{what} at character {found.start()}"


def unstorable_value(value: Any) -> str | None:
    """Why a JSON value (metadata, attributes) cannot be stored: a string (or key) that
    :func:`unstorable` refuses, or a number that is not finite (NaN, Infinity: JSON has none,
    PostgreSQL refuses them). Walked without recursion, so any depth is fine."""
    for item in _json_leaves(value):
        if isinstance(item, str):
            why = unstorable(item)
            if why is not None:
                return why
        elif isinstance(item, float) and not math.isfinite(item):
            return f"the number {item} (JSON numbers are finite)"
    return None


def _json_leaves(value: Any) -> Iterator[Any]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        else:
            yield item


def sha256_text(text: str) -> str:
    """Hex SHA-256 of the text's UTF-8 bytes (the hash stored with every document)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Utf16Map:
    """Converts offsets between code points and UTF-16 code units for one text.

    Built once per text (one regex scan for characters outside the BMP); each conversion is a
    bisection over their sorted positions, O(log k) for k such characters.
    """

    __slots__ = ("_astral_cp", "_astral_u16", "_length", "_utf16_length")

    def __init__(self, text: str) -> None:
        self._astral_cp: tuple[int, ...] = tuple(m.start() for m in _ASTRAL.finditer(text))
        # UTF-16 position of the high surrogate of the k-th astral character.
        self._astral_u16: tuple[int, ...] = tuple(
            cp + k for k, cp in enumerate(self._astral_cp)
        )
        self._length = len(text)
        self._utf16_length = len(text) + len(self._astral_cp)

    @property
    def utf16_length(self) -> int:
        return self._utf16_length

    @property
    def length(self) -> int:
        """The text's length in code points."""
        return self._length

    def to_utf16(self, cp: int) -> int:
        """UTF-16 code-unit offset of code-point offset ``cp`` (0 <= cp <= len(text))."""
        if not 0 <= cp <= self._length:
            raise ValueError(f"code-point offset {cp} is outside 0..{self._length}")
        return cp + bisect_left(self._astral_cp, cp)

    def to_codepoint(self, u16: int) -> int:
        """Code-point offset of UTF-16 offset ``u16``; ValueError inside a surrogate pair."""
        if not 0 <= u16 <= self._utf16_length:
            raise ValueError(f"UTF-16 offset {u16} is outside 0..{self._utf16_length}")
        before = bisect_left(self._astral_u16, u16)
        if before and self._astral_u16[before - 1] + 1 == u16:
            raise ValueError(f"UTF-16 offset {u16} falls inside a surrogate pair")
        return u16 - before


def _mark_ranges() -> str:
    """Regex class body for every combining mark (Mn, Mc, Me) up to plane 1, plus tag chars."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0x300, 0x20000):
        if unicodedata.category(chr(cp)) in ("Mn", "Mc", "Me"):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    ranges.append((0xE0020, 0xE007F))  # emoji tag sequences
    ranges.append((0xE0100, 0xE01EF))  # variation selectors supplement
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


#: Regex character-class body (without brackets) of characters that extend the grapheme before
#: them: combining marks (harakat among them), ZWNJ/ZWJ, variation selectors, skin-tone modifiers.
EXTEND_CLASS = _mark_ranges() + "\u200c\u200d\ufe00-\ufe0f\U0001f3fb-\U0001f3ff"
_EXTEND = re.compile(f"[{EXTEND_CLASS}]")


def is_extend(ch: str) -> bool:
    """True for a character that never starts a grapheme cluster (it attaches to the one before)."""
    return _EXTEND.match(ch) is not None


def _is_control(ch: str) -> bool:
    if ch in (ZWJ, ZWNJ):
        return False
    cat = unicodedata.category(ch)
    if cat == "Cf":
        return not is_extend(ch)
    return cat in ("Cc", "Zl", "Zp")


def _is_regional(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


def _regional_run_before(text: str, i: int) -> int:
    n = 0
    while i - n - 1 >= 0 and _is_regional(text[i - n - 1]):
        n += 1
    return n


def is_grapheme_boundary(text: str, i: int) -> bool:
    """Whether offset ``i`` lies between two grapheme clusters. 0 and len(text) always do."""
    if i < 0 or i > len(text):
        raise ValueError(f"offset {i} is outside 0..{len(text)}")
    if i == 0 or i == len(text):
        return True
    prev, nxt = text[i - 1], text[i]
    if prev == "\r" and nxt == "\n":
        return False
    if _is_control(prev) or _is_control(nxt) or prev.isspace() or nxt.isspace():
        return True
    if is_extend(nxt):
        return False
    if prev == ZWJ:
        return False
    if _is_regional(prev) and _is_regional(nxt):
        return _regional_run_before(text, i) % 2 == 0
    return True


def _clamp(text: str, i: int) -> int:
    return max(0, min(i, len(text)))


def grapheme_start(text: str, i: int) -> int:
    """The nearest grapheme boundary at or before ``i`` (``i`` is clamped to the text)."""
    i = _clamp(text, i)
    while not is_grapheme_boundary(text, i):
        i -= 1
    return i


def grapheme_end(text: str, i: int) -> int:
    """The nearest grapheme boundary at or after ``i`` (``i`` is clamped to the text)."""
    i = _clamp(text, i)
    while not is_grapheme_boundary(text, i):
        i += 1
    return i
