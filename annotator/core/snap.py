"""Snap a raw selection (a drag, a click, a programmatic range) to a clean span.

Real drags end a character off, split a letter from its harakat or a surrogate pair, and catch
spaces, commas and quotation marks (DESIGN section 5). :func:`snap` turns any (start, end) into
whole words without surrounding punctuation, then applies the label's clitic rule
(:data:`annotator.core.schema.CLITIC_RULES`):

- ``strip`` (actor, location): a leading proclitic (و ف ب ل ك and their combinations) is left
  out when what follows is a name, has the article, or is a more frequent word by itself
  (لوكالة -> وكالة; لبنان and وزير keep their first letter);
- ``conj`` (cue): only a leading conjunction و/ف is left out (وقال -> قال; وافق stays);
- ``keep`` (quote): the words as written; a start inside a word snaps back to the word's start.

An empty selection — nothing left after trimming spaces and punctuation — gives ``None``; there is
no exception and no sentinel object, callers test ``is None``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable, Set as AbstractSet
from dataclasses import dataclass

from annotator.core.arabic import (
    CONJUNCTIONS,
    Token,
    has_article,
    is_proclitic,
    run_around,
    split_proclitics,
    strip_marks,
)
from annotator.core.schema import CLITIC_RULES
from annotator.core.search import normalize
from annotator.core.suggest.resources import default_words
from annotator.core.suggest.words import MARGIN, WordFrequencies, word_key
from annotator.core.text import grapheme_end, grapheme_start

_EXPANDABLE = ("word", "number")


class KnownNames(set[str]):
    """Names already normalized for :func:`snap` (build once, reuse for every selection; a
    new name is added in place: copying a book's worth of names for each span cost 0.4 ms)."""

    @classmethod
    def of(cls, names: Collection[str]) -> KnownNames:
        if isinstance(names, KnownNames):
            return names
        return cls(_normalized(name) for name in names)

    def remember(self, names: Iterable[str]) -> None:
        """Add ``names`` (as typed: they are normalized here)."""
        self.update(_normalized(name) for name in names)


def _normalized(name: str) -> str:
    return " ".join(normalize(name).split())


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
    strip_clitics: bool | None = None,
    clitics: str | None = None,
    known_names: Collection[str] = (),
    words: WordFrequencies | None = None,
) -> SnapResult | None:
    """Snap ``text[start:end]`` to whole words; None when only spaces/punctuation are left.

    ``clitics`` is the label's rule (``strip``, ``conj`` or ``keep``); the older
    ``strip_clitics=True/False`` means ``strip``/``keep``. ``words`` are the word frequencies
    that tell a clitic from a first letter (the shipped list by default).

    Steps: clamp to the text (a reversed range is swapped); widen to grapheme boundaries; trim
    spaces, punctuation, quotation marks and invisible format characters from both ends; widen a
    start or end inside a word (or number) to the word's edge — except, under ``strip`` or
    ``conj``, a start that follows exactly a proclitic the rule would leave out anyway (وروسيا
    selected from after the و). A drag that merely starts a letter late (لودريان from after its
    ل, للخطر from after its first ل for a quote) is widened to the whole word.
    Under ``strip`` the first word then loses its proclitics when they precede the article
    (بالقاهرة -> القاهرة), when they are ل before لل (للصحافيين -> لصحافيين), when what follows
    them is in ``known_names`` (وروسيا -> روسيا, compared after search normalization), or when
    what follows is a word clearly more frequent on its own (لوكالة -> وكالة).
    """
    rule = _rule(strip_clitics, clitics)
    start, end = _clamp(text, start, end)
    start, end = grapheme_start(text, start), grapheme_end(text, end)
    start, end = _trim(text, start, end)
    if start >= end:
        return None
    known = KnownNames.of(known_names)
    freqs = default_words() if words is None else words
    start, end = _expand(text, start, end, _Context(rule, known, freqs))
    if rule == "strip":
        start = _strip_first_word(text, start, end, known, freqs)
    elif rule == "conj":
        start = _strip_conjunction(text, start, end, freqs)
    return SnapResult(start, end, text[start:end])


@dataclass(frozen=True, slots=True)
class _Context:
    rule: str
    known: AbstractSet[str]
    words: WordFrequencies


def _rule(strip_clitics: bool | None, clitics: str | None) -> str:
    if clitics is None:
        return "strip" if strip_clitics else "keep"
    if clitics not in CLITIC_RULES:
        raise ValueError(f"clitics must be one of {list(CLITIC_RULES)}, not {clitics!r}")
    if strip_clitics is not None and strip_clitics != (clitics == "strip"):
        raise ValueError(f"strip_clitics={strip_clitics} contradicts clitics={clitics!r}")
    return clitics


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


#: the last run of non-whitespace asked for: (its text, start, end, tokens). A snap asks for
#: the token at its start and at its end three times, mostly within one word; strings are
#: immutable, so the same text object and offsets give the same tokens.
_last_run: tuple[str, int, int, list[Token]] = ("", 0, 0, [])


def _token_at(text: str, i: int) -> Token | None:
    """The word or number token containing offset ``i``."""
    global _last_run
    if not 0 <= i < len(text) or text[i].isspace():
        return None
    cached, lo, hi, tokens = _last_run
    if not (cached is text and lo <= i < hi):
        lo, hi, tokens = run_around(text, i)
        _last_run = (text, lo, hi, tokens)
    for token in tokens:
        if token.start <= i < token.end:
            return token if token.kind in _EXPANDABLE else None
    return None  # pragma: no cover - every non-space character is in a token


def _expand(text: str, start: int, end: int, ctx: _Context) -> tuple[int, int]:
    first = _token_at(text, start)
    if first is not None and first.start < start and not _left_out_on_purpose(
        text[first.start:start], text[start:first.end], first.kind, ctx
    ):
        start = first.start
    last = _token_at(text, end - 1)
    if last is not None and last.end > end:
        end = last.end
    return start, end


def _left_out_on_purpose(prefix: str, rest: str, kind: str, ctx: _Context) -> bool:
    """Whether a start after ``prefix`` inside a word is a clitic the rule leaves out anyway."""
    if kind != "word":
        return False
    if ctx.rule == "strip":
        return is_proclitic(prefix) and _drops(prefix, rest, "", ctx.known, ctx.words)
    if ctx.rule == "conj":
        return strip_marks(prefix) in CONJUNCTIONS and _conjunction_drops(prefix, rest, ctx.words)
    return False


def _strip_first_word(text: str, start: int, end: int, known: AbstractSet[str],
                      words: WordFrequencies) -> int:
    token = _token_at(text, start)
    if token is None or token.kind != "word":
        return start
    word_end = min(token.end, end)
    word, tail = text[start:word_end], text[word_end:end]
    if _is_known(word, known) or _is_known(word + tail, known):
        return start  # the word as written is a name (فرنسا): its first letter is no clitic
    for prefix, rest in reversed(split_proclitics(word)):
        if _drops(prefix, rest, tail, known, words):
            return start + len(prefix)
    return start


def _strip_conjunction(text: str, start: int, end: int, words: WordFrequencies) -> int:
    token = _token_at(text, start)
    if token is None or token.kind != "word":
        return start
    word = text[start:min(token.end, end)]
    splits = split_proclitics(word)
    if splits and strip_marks(splits[0][0]) in CONJUNCTIONS:
        prefix, rest = splits[0]
        if _conjunction_drops(prefix, rest, words):
            return start + len(prefix)
    return start


def _conjunction_drops(prefix: str, rest: str, words: WordFrequencies) -> bool:
    """A leading و/ف is a conjunction unless the rest is under three letters (وصف, فسر) or the
    whole word is a clearly more frequent word of its own (وافق against افق). Conjunctions are
    so common that وأضاف outnumbers أضاف: the whole must lead by the margin to count."""
    if len(word_key(rest)) < 3:
        return False
    whole = words.zipf(prefix + rest)
    return not (whole > 0.0 and whole >= words.zipf(rest) + MARGIN)


def _is_known(name: str, known: AbstractSet[str]) -> bool:
    return bool(known) and " ".join(normalize(name).split()) in known


def _drops(prefix: str, rest: str, tail: str, known: AbstractSet[str],
           words: WordFrequencies) -> bool:
    """Whether a proclitic ``prefix`` is left out before ``rest`` (see :func:`snap`).

    ``tail`` is the rest of the selection after the first word, so that a multi-word name
    (وسان مارينو -> سان مارينو) is recognized too.
    """
    if has_article(rest):
        return True
    bare_prefix, bare_rest = strip_marks(prefix), strip_marks(rest)
    if bare_prefix.endswith("ل") and bare_rest.startswith("ل"):
        return True
    if _is_known(rest, known) or _is_known(rest + tail, known):
        return True
    return words.is_clitic(prefix, rest)
