"""Decode text files the way DESIGN section 5 says: strict UTF-8 (BOM-aware), UTF-16 with a BOM,
then charset-normalizer restricted to the legacy Arabic code pages, and always say which was used."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from annotator.core.errors import ValidationError

LEGACY_ARABIC = ("cp1256", "iso8859_6")


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str


def decode_bytes(data: bytes, *, path: str, encoding: str | None = None) -> Decoded:
    """Decode ``data`` from ``path``; with ``encoding`` given, use exactly that one.

    Raises ValidationError naming the file and the line of the first undecodable byte.
    """
    if encoding is not None:
        return _decode_as(data, encoding, path=path)
    if data.startswith(codecs.BOM_UTF8):
        return _decode_as(data, "utf-8-sig", path=path)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_as(data, "utf-16", path=path)
    if b"\x00" in data:
        return _checked(_utf16_without_bom(data, path=path), path=path)
    try:
        return _checked(Decoded(data.decode("utf-8"), "utf-8"), path=path)
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if _mostly_utf8(data):
        raise ValidationError(f"not valid UTF-8 ({_describe(data, utf8_error)}); the rest of the "
                              "file is UTF-8, so this looks like a damaged byte",
                              path=path, line=_line_of(data, utf8_error.start))
    guess = _guess_legacy(data)
    if guess is None:
        raise ValidationError(
            f"not UTF-8 ({_describe(data, utf8_error)}) and not cp1256 or ISO-8859-6 either; "
            "give --encoding if you know it", path=path, line=_line_of(data, utf8_error.start))
    return _checked(_decode_as(data, guess, path=path), path=path)


_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _checked(decoded: Decoded, *, path: str) -> Decoded:
    """Text has no NUL or other control characters (tab, newlines and form feed aside): a file
    that decodes to them is binary, or in an encoding that was not recognized."""
    found = _CONTROL.search(decoded.text)
    if found is not None:
        line = decoded.text.count("\n", 0, found.start()) + 1
        raise ValidationError(
            f"control character U+{ord(found.group()):04X} in the {decoded.encoding} text: not a "
            "text file, or an encoding that was not recognized (give --encoding)", path=path,
            line=line)
    return decoded


def _utf16_without_bom(data: bytes, *, path: str) -> Decoded:
    """NUL bytes: UTF-16 without a byte-order mark, if one byte order reads as text. The high
    bytes vary little (0x00 for ASCII, 0x06 for Arabic), so the order whose odd bytes are the
    less varied is tried first."""
    little_first = len(set(data[1::2])) <= len(set(data[0::2]))
    for name in ("utf-16-le", "utf-16-be") if little_first else ("utf-16-be", "utf-16-le"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        if text and not _CONTROL.search(text) and \
                sum(c.isalpha() or c.isspace() for c in text) >= 0.6 * len(text):
            return Decoded(text, name)
    offset = data.index(b"\x00")
    raise ValidationError(f"a NUL byte at offset {offset}: a binary file, not text", path=path,
                          line=_line_of(data, offset))


def _mostly_utf8(data: bytes) -> bool:
    """Many valid multi-byte UTF-8 characters and few invalid bytes: a UTF-8 file with damage, not
    a legacy code page (cp1256 Arabic rarely forms valid UTF-8 sequences)."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for c in text if c > "\x7f" and c != "\ufffd")
    return good >= 20 and bad * 20 <= good


def _guess_legacy(data: bytes) -> str | None:
    """cp1256 or ISO-8859-6, whichever decodes strictly and reads as more Arabic.

    The two code pages put different letters on the same bytes, so a wrong guess corrupts the text
    silently. ISO-8859-6 leaves many bytes undefined (cp1256's غ ف ق ك among them), and cp1256 puts
    Latin letters (é, à, ç ...) where ISO-8859-6 has Arabic ones; the share of Arabic letters among
    the non-ASCII characters separates them. charset-normalizer breaks a tie.
    """
    scores: dict[str, float] = {}
    for name in LEGACY_ARABIC:
        try:
            scores[name] = _arabic_share(data.decode(name))
        except UnicodeDecodeError:
            continue
    if not scores:
        return None
    best = max(scores.values())
    leaders = [name for name, score in scores.items() if score == best]
    if len(leaders) == 1:
        return leaders[0]
    from charset_normalizer import from_bytes

    match = from_bytes(data, cp_isolation=list(LEGACY_ARABIC)).best()
    return codecs.lookup(match.encoding).name if match is not None else leaders[0]


def _arabic_share(text: str) -> float:
    non_ascii = [c for c in text if ord(c) > 0x7F]
    if not non_ascii:
        return 0.0
    return sum(1 for c in non_ascii if "\u0600" <= c <= "\u06ff") / len(non_ascii)


def _decode_as(data: bytes, encoding: str, *, path: str) -> Decoded:
    try:
        name = codecs.lookup(encoding).name
    except LookupError as exc:
        raise ValidationError(f"unknown encoding {encoding!r}", path=path) from exc
    try:
        text = data.decode(name)
    except UnicodeDecodeError as exc:
        raise ValidationError(f"cannot be decoded as {name} ({_describe(data, exc)})",
                              path=path, line=_line_of(data, exc.start)) from exc
    if name == "utf-8-sig":
        name = "utf-8"
    return _checked(Decoded(text, _report_name(name, data)), path=path)


def _report_name(name: str, data: bytes) -> str:
    if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    return name


def _describe(data: bytes, exc: UnicodeDecodeError) -> str:
    return f"byte 0x{data[exc.start]:02x} at offset {exc.start}"


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1
