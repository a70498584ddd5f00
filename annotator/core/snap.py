"""Snap a raw selection (a drag, a click, a programmatic range) to a clean span.

Real drags end a character off, split a letter from its harakat or a surrogate pair, and catch
spaces, commas and quotation marks (DESIGN section 5). :func:`snap` turns any (start, end) into
whole words without surrounding punctuation, optionally leaving out a leading proclitic
(و ف ب ل ك and their combinations) for labels whose schema rule is ``clitics = "strip"``.

An empty selection — nothing left after trimming spaces and punctuation — gives ``None``; there is
no exception and no sentinel object, callers test ``is None``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

from annotator.core.arabic import (
    Token,
    has_article,
    is_proclitic,
    split_proclitics,
    strip_marks,
    token_at,
)
from annotator.core.search import normalize
from annotator.core.text import grapheme_end, grapheme_start

_EXPANDABLE = ("word", "number")


class KnownNames(frozenset[str]):
    """Names already normalized for :func:`snap` (build once, reuse for every selection)."""

    @classmethod
    def of(cls, names: Collection[str]) -> KnownNames:
        if isinstance(names, KnownNames):
            return names
        return cls(" ".join(normalize(name).split()) for name in names)


@dataclass(frozen=True, slots=True)
class SnapResult:
    """A snapped selection; ``text == source[start:end]``."""

    start: int
    end: int
    text: str


def snap(
    text: str,
    start: int,
    end: int,
    *,
    strip_clitics: bool,
    known_names: Collection[str] = (),
) -> SnapResult | None:
    """Snap ``text[start:end]`` to whole words; None when only spaces/punctuation are left.

    Steps: clamp to the text (a reversed range is swapped); widen to grapheme boundaries; trim
    spaces, punctuation, quotation marks and invisible format characters from both ends; widen a
    start or end inside a word (or number) to the word's edge — except a start that follows exactly
    a proclitic prefix the user left out on purpose (وروسيا selected from after the و). A start
    counts as such only where the prefix could really be dropped (what follows is a known name,
    has the article, or is لل's second ل): a drag that merely starts a letter late (لودريان from
    after its ل) is widened to the whole word.
    With ``strip_clitics``, the first word then loses its proclitics when they precede the article
    (بالقاهرة -> القاهرة), when they are ل before لل (للصحافيين -> لصحافيين), or when what
    follows them is in ``known_names`` (وروسيا -> روسيا), compared after search normalization.
    """
    start, end = _clamp(text, start, end)
    start, end = grapheme_start(text, start), grapheme_end(text, end)
    start, end = _trim(text, start, end)
    if start >= end:
        return None
    known = KnownNames.of(known_names)
    start, end = _expand(text, start, end, known)
    if strip_clitics:
        start = _strip_first_word(text, start, end, known)
    return SnapResult(start, end, text[start:end])


def _clamp(text: str, start: int, end: int) -> tuple[int, int]:
    if start > end:
        start, end = end, start
    return max(0, min(start, len(text))), max(0, min(end, len(text)))


def is_trimmable(ch: str) -> bool:
    """Spaces, punctuation (quotation marks included), controls, invisible format marks and
    combining marks with no letter (a grapheme that starts with a mark is an orphan haraka)."""
    category = unicodedata.category(ch)
    return ch.isspace() or category[0] in ("P", "Z", "M") or category in ("Cc", "Cf")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and is_trimmable(text[start]):
        start = grapheme_end(text, start + 1)
    while start < end:
        last = grapheme_start(text, end - 1)
        if not is_trimmable(text[last]):
            break
        end = last
    return start, max(start, end)


def _token_at(text: str, i: int) -> Token | None:
    """The word or number token containing offset ``i``."""
    token = token_at(text, i)
    return token if token is not None and token.kind in _EXPANDABLE else None


def _expand(text: str, start: int, end: int, known: frozenset[str]) -> tuple[int, int]:
    first = _token_at(text, start)
    after_proclitic = (
        first is not None and first.kind == "word" and is_proclitic(text[first.start:start])
        and _drops(text[first.start:start], text[start:first.end], "", known)
    )
    if first is not None and first.start < start and not after_proclitic:
        start = first.start
    last = _token_at(text, end - 1)
    if last is not None and last.end > end:
        end = last.end
    return start, end


def _strip_first_word(text: str, start: int, end: int, known: frozenset[str]) -> int:
    token = _token_at(text, start)
    if token is None or token.kind != "word":
        return start
    word_end = min(token.end, end)
    word, tail = text[start:word_end], text[word_end:end]
    if _is_known(word, known) or _is_known(word + tail, known):
        return start  # the word as written is a name (فرنسا): its first letter is no clitic
    for prefix, rest in reversed(split_proclitics(word)):
        if _drops(prefix, rest, tail, known):
            return start + len(prefix)
    return start


def _is_known(name: str, known: frozenset[str]) -> bool:
    return bool(known) and " ".join(normalize(name).split()) in known


def _drops(prefix: str, rest: str, tail: str, known: frozenset[str]) -> bool:
    """Whether a proclitic ``prefix`` is left out before ``rest`` (see :func:`snap`).

    ``tail`` is the rest of the selection after the first word, so that a multi-word name
    (وسان مارينو -> سان مارينو) is recognized too.
    """
    if has_article(rest):
        return True
    bare_prefix, bare_rest = strip_marks(prefix), strip_marks(rest)
    if bare_prefix.endswith("ل") and bare_rest.startswith("ل"):
        return True
    return _is_known(rest, known) or _is_known(rest + tail, known)
