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

    def plain(self, start: int, end: int) -> bool:
        """Whether no character outside the BMP lies in code points [start, end): there a
        UTF-16 offset is the code-point offset plus the same number (a paragraph's shift)."""
        return bisect_left(self._astral_cp, start) == bisect_left(self._astral_cp, end)

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


#: :func:`_mark_ranges` as computed with the Unicode data of Python 3.11 (``unicodedata``
#: 14.0.0): scanning 130,000 code points took 14 ms of every start.
_MARKS_UNIDATA = "14.0.0"
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1-\u05c2\u05c4-\u05c5\u05c7\u0610-"
    "\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7-\u06e8\u06ea-\u06ed\u0711"
    "\u0730-\u074a\u07a6-\u07b0\u07eb-\u07f3\u07fd\u0816-\u0819\u081b-\u0823\u0825-\u0827"
    "\u0829-\u082d\u0859-\u085b\u0898-\u089f\u08ca-\u08e1\u08e3-\u0903\u093a-\u093c\u093e-"
    "\u094f\u0951-\u0957\u0962-\u0963\u0981-\u0983\u09bc\u09be-\u09c4\u09c7-\u09c8\u09cb-"
    "\u09cd\u09d7\u09e2-\u09e3\u09fe\u0a01-\u0a03\u0a3c\u0a3e-\u0a42\u0a47-\u0a48\u0a4b-"
    "\u0a4d\u0a51\u0a70-\u0a71\u0a75\u0a81-\u0a83\u0abc\u0abe-\u0ac5\u0ac7-\u0ac9\u0acb-"
    "\u0acd\u0ae2-\u0ae3\u0afa-\u0aff\u0b01-\u0b03\u0b3c\u0b3e-\u0b44\u0b47-\u0b48\u0b4b-"
    "\u0b4d\u0b55-\u0b57\u0b62-\u0b63\u0b82\u0bbe-\u0bc2\u0bc6-\u0bc8\u0bca-\u0bcd\u0bd7"
    "\u0c00-\u0c04\u0c3c\u0c3e-\u0c44\u0c46-\u0c48\u0c4a-\u0c4d\u0c55-\u0c56\u0c62-\u0c63"
    "\u0c81-\u0c83\u0cbc\u0cbe-\u0cc4\u0cc6-\u0cc8\u0cca-\u0ccd\u0cd5-\u0cd6\u0ce2-\u0ce3"
    "\u0d00-\u0d03\u0d3b-\u0d3c\u0d3e-\u0d44\u0d46-\u0d48\u0d4a-\u0d4d\u0d57\u0d62-\u0d63"
    "\u0d81-\u0d83\u0dca\u0dcf-\u0dd4\u0dd6\u0dd8-\u0ddf\u0df2-\u0df3\u0e31\u0e34-\u0e3a"
    "\u0e47-\u0e4e\u0eb1\u0eb4-\u0ebc\u0ec8-\u0ecd\u0f18-\u0f19\u0f35\u0f37\u0f39\u0f3e-"
    "\u0f3f\u0f71-\u0f84\u0f86-\u0f87\u0f8d-\u0f97\u0f99-\u0fbc\u0fc6\u102b-\u103e\u1056-"
    "\u1059\u105e-\u1060\u1062-\u1064\u1067-\u106d\u1071-\u1074\u1082-\u108d\u108f\u109a-"
    "\u109d\u135d-\u135f\u1712-\u1715\u1732-\u1734\u1752-\u1753\u1772-\u1773\u17b4-\u17d3"
    "\u17dd\u180b-\u180d\u180f\u1885-\u1886\u18a9\u1920-\u192b\u1930-\u193b\u1a17-\u1a1b"
    "\u1a55-\u1a5e\u1a60-\u1a7c\u1a7f\u1ab0-\u1ace\u1b00-\u1b04\u1b34-\u1b44\u1b6b-\u1b73"
    "\u1b80-\u1b82\u1ba1-\u1bad\u1be6-\u1bf3\u1c24-\u1c37\u1cd0-\u1cd2\u1cd4-\u1ce8\u1ced"
    "\u1cf4\u1cf7-\u1cf9\u1dc0-\u1dff\u20d0-\u20f0\u2cef-\u2cf1\u2d7f\u2de0-\u2dff\u302a-"
    "\u302f\u3099-\u309a\ua66f-\ua672\ua674-\ua67d\ua69e-\ua69f\ua6f0-\ua6f1\ua802\ua806"
    "\ua80b\ua823-\ua827\ua82c\ua880-\ua881\ua8b4-\ua8c5\ua8e0-\ua8f1\ua8ff\ua926-\ua92d"
    "\ua947-\ua953\ua980-\ua983\ua9b3-\ua9c0\ua9e5\uaa29-\uaa36\uaa43\uaa4c-\uaa4d\uaa7b-"
    "\uaa7d\uaab0\uaab2-\uaab4\uaab7-\uaab8\uaabe-\uaabf\uaac1\uaaeb-\uaaef\uaaf5-\uaaf6"
    "\uabe3-\uabea\uabec-\uabed\ufb1e\ufe00-\ufe0f\ufe20-\ufe2f\U000101fd\U000102e0\U00010376"
    "-\U0001037a\U00010a01-\U00010a03\U00010a05-\U00010a06\U00010a0c-\U00010a0f\U00010a38-"
    "\U00010a3a\U00010a3f\U00010ae5-\U00010ae6\U00010d24-\U00010d27\U00010eab-\U00010eac"
    "\U00010f46-\U00010f50\U00010f82-\U00010f85\U00011000-\U00011002\U00011038-\U00011046"
    "\U00011070\U00011073-\U00011074\U0001107f-\U00011082\U000110b0-\U000110ba\U000110c2"
    "\U00011100-\U00011102\U00011127-\U00011134\U00011145-\U00011146\U00011173\U00011180-"
    "\U00011182\U000111b3-\U000111c0\U000111c9-\U000111cc\U000111ce-\U000111cf\U0001122c-"
    "\U00011237\U0001123e\U000112df-\U000112ea\U00011300-\U00011303\U0001133b-\U0001133c"
    "\U0001133e-\U00011344\U00011347-\U00011348\U0001134b-\U0001134d\U00011357\U00011362-"
    "\U00011363\U00011366-\U0001136c\U00011370-\U00011374\U00011435-\U00011446\U0001145e"
    "\U000114b0-\U000114c3\U000115af-\U000115b5\U000115b8-\U000115c0\U000115dc-\U000115dd"
    "\U00011630-\U00011640\U000116ab-\U000116b7\U0001171d-\U0001172b\U0001182c-\U0001183a"
    "\U00011930-\U00011935\U00011937-\U00011938\U0001193b-\U0001193e\U00011940\U00011942-"
    "\U00011943\U000119d1-\U000119d7\U000119da-\U000119e0\U000119e4\U00011a01-\U00011a0a"
    "\U00011a33-\U00011a39\U00011a3b-\U00011a3e\U00011a47\U00011a51-\U00011a5b\U00011a8a-"
    "\U00011a99\U00011c2f-\U00011c36\U00011c38-\U00011c3f\U00011c92-\U00011ca7\U00011ca9-"
    "\U00011cb6\U00011d31-\U00011d36\U00011d3a\U00011d3c-\U00011d3d\U00011d3f-\U00011d45"
    "\U00011d47\U00011d8a-\U00011d8e\U00011d90-\U00011d91\U00011d93-\U00011d97\U00011ef3-"
    "\U00011ef6\U00016af0-\U00016af4\U00016b30-\U00016b36\U00016f4f\U00016f51-\U00016f87"
    "\U00016f8f-\U00016f92\U00016fe4\U00016ff0-\U00016ff1\U0001bc9d-\U0001bc9e\U0001cf00-"
    "\U0001cf2d\U0001cf30-\U0001cf46\U0001d165-\U0001d169\U0001d16d-\U0001d172\U0001d17b-"
    "\U0001d182\U0001d185-\U0001d18b\U0001d1aa-\U0001d1ad\U0001d242-\U0001d244\U0001da00-"
    "\U0001da36\U0001da3b-\U0001da6c\U0001da75\U0001da84\U0001da9b-\U0001da9f\U0001daa1-"
    "\U0001daaf\U0001e000-\U0001e006\U0001e008-\U0001e018\U0001e01b-\U0001e021\U0001e023-"
    "\U0001e024\U0001e026-\U0001e02a\U0001e130-\U0001e136\U0001e2ae\U0001e2ec-\U0001e2ef"
    "\U0001e8d0-\U0001e8d6\U0001e944-\U0001e94a\U000e0020-\U000e007f\U000e0100-\U000e01ef"
)


def _mark_ranges() -> str:
    """Regex class body for every combining mark (Mn, Mc, Me) up to plane 1, plus tag chars."""
    if unicodedata.unidata_version == _MARKS_UNIDATA:
        return _MARKS
    return _scan_marks()


def _scan_marks() -> str:
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
