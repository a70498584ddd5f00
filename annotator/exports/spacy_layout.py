"""The spaCy Doc of one document and annotation set, as a layout (:class:`DocLayout`: words,
spaces, spans as token ranges, ents, user data; linear in tokens plus spans), and the Doc built
from it (:func:`make_doc`). Tokens are the token formats' with whatever lies between them as
whitespace tokens, split wherever a span starts or ends inside one, so every span fits exactly
(see :mod:`annotator.exports.spacy_docbin`, which writes the layouts into DocBin shards)."""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from annotator.core.model import AnnotationSet, Document, Span
from annotator.exports.base import ExportReport
from annotator.exports.tokens import token_offsets


def token_pieces(tokens: list[tuple[int, int, bool]], cuts: Iterable[int]
                 ) -> tuple[list[tuple[int, int, bool]], list[tuple[int, int]]]:
    """Split tokens ``(start, end, space_after)`` (in text order) at the offsets ``cuts`` that
    fall inside one. Linear in tokens plus cuts (a bisect per token).

    Returns the new tokens and the ``(start, end)`` of every token that was split.
    """
    ordered = sorted(set(cuts))
    pieces: list[tuple[int, int, bool]] = []
    split: list[tuple[int, int]] = []
    for start, end, space in tokens:
        lo = bisect_right(ordered, start)
        if lo == len(ordered) or ordered[lo] >= end:
            pieces.append((start, end, space))
            continue
        hi = bisect_left(ordered, end, lo)
        split.append((start, end))
        bounds = [start, *ordered[lo:hi], end]
        for a, b in itertools.pairwise(bounds):
            pieces.append((a, b, space and b == end))
    return pieces, split


def outermost(spans: Iterable[Span]) -> list[Span]:
    """Non-overlapping spans for ``doc.ents``: longest first, then leftmost (then label).

    The spans kept so far are disjoint, so they are kept sorted by start and a candidate only
    has to be checked against its two neighbours (a bisect): n log n, not n squared."""
    starts: list[int] = []
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start, s.label)):
        i = bisect_right(starts, span.start)
        if i > 0 and kept[i - 1].end > span.start:
            continue
        if i < len(kept) and kept[i].start < span.end:
            continue
        starts.insert(i, span.start)
        kept.insert(i, span)
    return kept


def spacy_tokens(text: str, offsets: Iterable[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """``(start, end, space_after)`` tiling ``text``: each token of ``offsets`` (in order), one
    following space as its ``space_after``, and any other text between tokens as a token of its
    own (a newline, the second of two spaces), as spaCy keeps whitespace. (The definition that
    :func:`tile_tokens`, which the export uses, is tested against.)"""
    out: list[tuple[int, int, bool]] = []
    pos = 0
    for start, end in offsets:
        if start > pos:
            _gap(text, pos, start, out)
        out.append((start, end, False))
        pos = end
    if pos < len(text):
        _gap(text, pos, len(text), out)
    return out


def _gap(text: str, start: int, end: int, out: list[tuple[int, int, bool]]) -> None:
    if out and text[start] == " " and not out[-1][2]:
        out[-1] = (out[-1][0], out[-1][1], True)
        start += 1
    if start < end:
        out.append((start, end, False))


def tile_tokens(text: str, offsets: list[tuple[int, int]], cuts: Iterable[int]
                ) -> tuple[list[int], list[int], list[bool], list[tuple[int, int]]]:
    """:func:`spacy_tokens` then :func:`token_pieces`, as parallel lists: the tokens' starts,
    ends and ``space_after``, and the ``(start, end)`` of every token split at a cut.

    ``offsets`` are tokens without whitespace in them (as :mod:`annotator.exports.tokens`
    gives), so a token is followed by a space exactly where the text has one after it; the
    whitespace tokens of the gaps that are more than that one space are spliced in afterwards,
    in one pass (a paragraph's newline, a second space), and only where a cut falls inside a
    token are the tokens cut, the few times it does."""
    import numpy

    length = len(text)
    starts = [s for s, _ in offsets]
    ends = [e for _, e in offsets]
    # with numpy: the character after each token (the text's code points, one more at the end)
    # is a space, and the gaps that hold more than that space
    after = numpy.frombuffer((text + "x").encode("utf-32-le"), dtype=numpy.uint32)
    end_at = numpy.array(ends, dtype=numpy.int64)
    space_at = after[end_at] == 32
    odd = numpy.flatnonzero(numpy.array(starts[1:], dtype=numpy.int64)
                            > end_at[:-1] + space_at[:-1]).tolist()
    spaces: list[bool] = space_at.tolist()
    lead = bool(starts) and starts[0] > 0
    tail = ends[-1] + spaces[-1] < length if ends else length > 0
    if odd or lead or tail:
        starts, ends, spaces = _with_gaps(length, starts, ends, spaces, odd, lead, tail)
    inside = False
    for cut in cuts:
        i = bisect_right(starts, cut) - 1
        if i >= 0 and cut < ends[i] and cut != starts[i]:
            inside = True
            break
    if not inside:
        return starts, ends, spaces, []
    pieces, split = token_pieces(list(zip(starts, ends, spaces)), cuts)
    return [p[0] for p in pieces], [p[1] for p in pieces], [p[2] for p in pieces], split


def _with_gaps(length: int, starts: list[int], ends: list[int], spaces: list[bool],
               odd: list[int], lead: bool, tail: bool
               ) -> tuple[list[int], list[int], list[bool]]:
    """The tokens with a whitespace token in each gap that holds more than the space after the
    token before it: before the first token (``lead``), after token ``i`` for each ``i`` of
    ``odd``, after the last token (``tail``; the whole text when there is no token)."""
    new_starts: list[int] = []
    new_ends: list[int] = []
    new_spaces: list[bool] = []
    if lead or not starts:
        new_starts.append(0)
        new_ends.append(starts[0] if starts else length)
        new_spaces.append(False)
    done = 0
    gaps = [(i, starts[i + 1]) for i in odd]
    if tail and starts:
        gaps.append((len(starts) - 1, length))
    for i, until in gaps:
        new_starts += starts[done:i + 1]
        new_ends += ends[done:i + 1]
        new_spaces += spaces[done:i + 1]
        new_starts.append(ends[i] + spaces[i])
        new_ends.append(until)
        new_spaces.append(False)
        done = i + 1
    new_starts += starts[done:]
    new_ends += ends[done:]
    new_spaces += spaces[done:]
    return new_starts, new_ends, new_spaces


@dataclass(frozen=True, slots=True)
class DocLayout:
    """What a Doc of one document and set holds, computed without spaCy: its words and their
    ``space_after``, the spans placed on them (``(first, end, label, start_char, end_char)``,
    token indexes end exclusive) in ``spans["sc"]`` order, which of those are ``ents`` (indexes
    into ``spans``, in text order) and the user data."""

    words: list[str]
    spaces: list[bool]
    spans: list[tuple[int, int, str, int, int]]
    ents: list[int]
    user_data: dict[str, Any]


def doc_layout(document: Document, aset: AnnotationSet | None, report: ExportReport,
               *, tokens: str = "whole") -> DocLayout:
    """The layout of the Doc of one document and set; spans that cannot be placed are
    reported."""
    text = document.text
    spans = list(aset.spans) if aset else []
    flat = token_offsets(document, tokens, sorted({s.start for s in spans}))
    starts, ends, spaces, split = tile_tokens(
        text, flat, [s.start for s in spans] + [s.end for s in spans])
    for start, end in split:
        report.problem("token-split", f"document {document.external_id}: token {start}-{end} "
                                      f"{text[start:end]!r} split at a span boundary")
    # Doc.char_span(alignment_mode="strict"), from the offsets at hand: the tokens tile the
    # text, so a span whose start is a token's start and whose end is a token's end has exactly
    # the span's text (a span starting or ending on a space after a token does not)
    n = len(starts)
    placed: list[tuple[int, int, str, int, int]] = []
    kept: list[Span] = []
    for span in spans:
        first = bisect_left(starts, span.start)
        last = bisect_left(ends, span.end, first)
        if first == n or last == n or starts[first] != span.start or ends[last] != span.end:
            report.problem("span-not-aligned", f"document {document.external_id}: span "
                                               f"{span.start}-{span.end} {span.label} left out")
            continue
        placed.append((first, last + 1, span.label, span.start, span.end))
        kept.append(span)
    index = {id(span): i for i, span in enumerate(kept)}
    ents = sorted(index[id(s)] for s in outermost(kept))
    if len(ents) < len(kept):
        report.counts["not-in-ents"] = report.counts.get("not-in-ents", 0) + len(kept) - len(ents)
    user_data = _user_data(document, aset, kept)
    lost = len(aset.relations) - len(user_data["relations"]) if aset else 0
    if lost:
        report.problem("relation-left-out", f"document {document.external_id}: {lost} "
                                            "relation(s) to spans left out")
    return DocLayout([text[a:b] for a, b in zip(starts, ends)], spaces, placed, ents, user_data)


def make_doc(nlp: Any, document: Document, aset: AnnotationSet | None, report: ExportReport,
             *, tokens: str = "whole") -> Any:
    """The Doc of one document and set; spans that cannot be placed are reported."""
    return build_doc(nlp, document, aset, report, tokens=tokens)[0]


def build_doc(nlp: Any, document: Document, aset: AnnotationSet | None, report: ExportReport,
              *, tokens: str = "whole") -> tuple[Any, DocLayout]:
    """:func:`make_doc`, and the layout it was built from."""
    layout = doc_layout(document, aset, report, tokens=tokens)
    return layout_doc(nlp, layout), layout


def layout_doc(nlp: Any, layout: DocLayout) -> Any:
    """The spaCy Doc of a layout (what :func:`add_layout` writes without building it)."""
    from spacy.tokens import Doc, SpanGroup
    from spacy.tokens import Span as SpacySpan

    doc = Doc(nlp.vocab, words=layout.words, spaces=layout.spaces)
    placed = [SpacySpan(doc, first, end, label=label) for first, end, label, _, _ in layout.spans]
    doc.spans["sc"] = SpanGroup(doc, name="sc", spans=placed)
    doc.ents = [placed[i] for i in layout.ents]
    doc.user_data.update(layout.user_data)
    return doc


def _user_data(document: Document, aset: AnnotationSet | None, spans: list[Span]) -> dict[str, Any]:
    index = {s.id: i for i, s in enumerate(spans)}
    relations = [{"type": r.type, "head": index[r.head], "tail": index[r.tail]}
                 for r in (aset.relations if aset else ()) if r.head in index and r.tail in index]
    relations.sort(key=lambda r: (r["type"], r["head"], r["tail"]))
    return {
        "doc_id": document.external_id, "title": document.title,
        "annotator": aset.owner if aset else None,
        "status": aset.status.value if aset else None,
        "spans": [{"start": s.start, "end": s.end, "label": s.label,
                   "attributes": dict(s.attributes), "note": s.note} for s in spans],
        "relations": relations,
    }
