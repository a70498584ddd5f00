"""Tags -> spans, for the CoNLL reader: pure logic. :func:`decode` reads tag columns back into
spans with one tolerant reading for every scheme: ``B-`` starts a span, ``I-`` continues a span
of the same label or else starts one (an ``I-`` with no ``B-``, as IOB1 writes), ``E-``/``L-``
ends one (or is a one-token span when none is open), ``S-``/``U-`` is a one-token span, ``O`` is
outside. A tag it cannot read raises :class:`TagError` with the token's index, for the reader to
name the line. The schemes' prefixes are :mod:`annotator.exports.tokens`'."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from annotator.exports.tokens import ALLOWED_PREFIXES, ANY_PREFIX, LABEL, SCHEME_PREFIXES


class TagError(ValueError):
    """A tag with no clear reading; ``index`` is the token's index in the sentence given."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


def split_tag(tag: str, scheme: str | None = None) -> tuple[str, str]:
    """``("B", "LOC")`` for ``B-LOC``, ``("O", "")`` for ``O``; ValueError with a message for a
    tag that is neither, or whose prefix ``scheme`` (None: any) does not write."""
    if tag == "O":
        return "O", ""
    prefix, dash, label = tag.partition("-")
    if not dash or not label:
        raise ValueError(f"tag {tag!r} is not O nor PREFIX-LABEL (like B-LOC)")
    if prefix not in ANY_PREFIX:
        raise ValueError(f"tag {tag!r} has an unknown prefix {prefix + '-'!r} "
                         "(known: B- I- E- S- L- U-)")
    if scheme is not None and prefix not in ALLOWED_PREFIXES[scheme]:
        known = " ".join(f"{x}-" for x in dict.fromkeys(SCHEME_PREFIXES[scheme]))
        raise ValueError(f"tag {tag!r} is not a {scheme} tag ({known} or O)")
    if not LABEL.match(label):
        raise ValueError(f"tag {tag!r}: the label {label!r} must be ASCII letters, digits, _ . "
                         "and inner hyphens, starting with a letter")
    return prefix, label


def detect_scheme(tags: Iterable[str]) -> str:
    """``bilou`` when any tag is L- or U-, else ``bioes`` when any is E- or S-, else ``iob2``."""
    prefixes = {tag[0] for tag in tags if len(tag) > 1 and tag[1] == "-"}
    if prefixes & {"L", "U"}:
        return "bilou"
    if prefixes & {"E", "S"}:
        return "bioes"
    return "iob2"


def decode(tags: Sequence[Sequence[str]], *, scheme: str | None = None
           ) -> list[tuple[int, int, str, int]]:
    """Spans ``(first, last, label, column)`` (token indexes, inclusive) of one sentence given
    each token's tag columns (a missing column is O). ``scheme`` restricts the prefixes to that
    scheme's; None accepts them all. Raises TagError for a tag with no clear reading."""
    width = max((len(t) for t in tags), default=0)
    parsed: dict[str, tuple[str, str]] = {}
    spans: list[tuple[int, int, str, int]] = []
    for column in range(width):
        open_label: str | None = None
        open_first = 0
        for index, columns in enumerate(tags):
            tag = columns[column] if column < len(columns) else "O"
            try:
                prefix, label = parsed[tag] if tag in parsed else parsed.setdefault(
                    tag, split_tag(tag, scheme))
            except ValueError as exc:
                raise TagError(index, str(exc)) from None
            if prefix in ("I", "E", "L") and open_label == label:
                if prefix != "I":
                    spans.append((open_first, index, label, column))
                    open_label = None
                continue
            if open_label is not None:
                spans.append((open_first, index - 1, open_label, column))
                open_label = None
            if prefix in ("B", "I"):
                open_label, open_first = label, index
            elif prefix != "O":       # S U, or an E/L with nothing open: a one-token span
                spans.append((index, index, label, column))
        if open_label is not None:
            spans.append((open_first, len(tags) - 1, open_label, column))
    return spans
