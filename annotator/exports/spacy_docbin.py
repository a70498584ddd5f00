"""spaCy DocBin (``.spacy``): one Doc per document and annotation set, for ``spacy train``.

    Doc("أعلن وزير الدفاع الفرنسي … وروسيا …")  tokens: أعلن | وزير | … | و | روسيا | …
      spans["sc"] = [(0, 4, 'cue'), (5, 40, 'actor'), …]   ents = outermost spans   user_data = {…}

Tokens are the token formats' (annotator/exports/tokens.py, ``--tokens whole`` or ``clitics``,
the same tokens as the CoNLL export; like ``spacy.blank("ar")`` they split punctuation, not
proclitics, DESIGN 5), with whatever lies between them (newlines, runs of spaces) as whitespace
tokens the way spaCy keeps it, and then split wherever a span starts or ends inside a token
(``وروسيا`` -> ``و`` + ``روسيا`` for an actor whose clitic was left out). So ``doc.text`` is the
document text exactly and every span goes in with ``Doc.char_span(start, end, label,
alignment_mode="strict")``, unchanged; each split token is reported (kind ``token-split``).
spaCy's own tokenizer is not used: it took more time than the whole CoNLL export, it refuses a
text over ``nlp.max_length``, and ``spacy train`` re-tokenizes each reference text with the
pipeline's tokenizer and aligns it by characters anyway. Building a Doc is linear in tokens plus
spans. The DocBin keeps the token attributes these Docs have (ORTH, ENT_IOB, ENT_TYPE; not the
twelve by default, which tripled its memory).

* ``doc.spans["sc"]`` holds every span of the set (overlaps allowed), in span order.
* ``doc.ents`` holds the outermost spans: longest first, then leftmost; a span overlapping one
  already kept is left out of ``ents`` (it stays in ``spans["sc"]``); counted as ``not-in-ents``.
* ``doc.user_data`` (saved: ``DocBin(store_user_data=True)``) holds ``doc_id``, ``title``,
  ``annotator`` (the set's owner, None for a document without sets), ``status``, ``spans``
  (``{"start", "end", "label", "attributes", "note"}`` in ``spans["sc"]`` order) and
  ``relations`` (``{"type", "head", "tail"}``, head/tail indexes into ``spans["sc"]``).

spaCy is imported inside :func:`write` only: the app starts without it.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from annotator.core.errors import UserError
from annotator.core.model import AnnotationSet, Document, Span
from annotator.exports.atomic import default_mode
from annotator.exports.base import (
    ExportItem,
    ExportOptions,
    ExportReport,
    Format,
    counting_documents,
)
from annotator.exports.tokens import document_sentences

#: the token attributes the exported Docs carry (DocBin keeps SPACY, the whitespace, anyway)
DOCBIN_ATTRS = ("ORTH", "ENT_IOB", "ENT_TYPE")
INSTALL_HINT = "the spacy format needs spaCy: pip install 'spacy>=3.8,<4'"


def _spacy() -> Any:
    try:
        import spacy
    except ImportError:
        raise UserError(INSTALL_HINT) from None
    return spacy


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
    own (a newline, the second of two spaces), as spaCy keeps whitespace."""
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


def _tiles(pieces: list[tuple[int, int, bool]], length: int) -> bool:
    """The tokens and their spaces cover the text exactly, in order (so ``doc.text`` is the
    text; checked here in one pass, as spaCy's ``doc.text`` would rebuild the whole string)."""
    pos = 0
    for start, end, space in pieces:
        if start != pos or end <= start:
            return False
        pos = end + space
    return pos == length


def make_doc(nlp: Any, document: Document, aset: AnnotationSet | None, report: ExportReport,
             *, tokens: str = "whole") -> Any:
    """The Doc of one document and set; spans that cannot be placed are reported."""
    return build_doc(nlp, document, aset, report, tokens=tokens)[0]


def build_doc(nlp: Any, document: Document, aset: AnnotationSet | None, report: ExportReport,
              *, tokens: str = "whole") -> tuple[Any, list[str]]:
    """:func:`make_doc`, and the Doc's words."""
    from spacy.tokens import Doc, SpanGroup

    text = document.text
    spans = list(aset.spans) if aset else []
    starts = sorted({s.start for s in spans})
    flat = [tok for sentence in document_sentences(document, tokens, starts) for tok in sentence]
    cuts = [s.start for s in spans] + [s.end for s in spans]
    pieces, split = token_pieces(spacy_tokens(text, flat), cuts)
    for start, end in split:
        report.problem("token-split", f"document {document.external_id}: token {start}-{end} "
                                      f"{text[start:end]!r} split at a span boundary")
    if not _tiles(pieces, len(text)):  # pragma: no cover - they do by construction
        raise ValueError(f"document {document.external_id}: the tokens do not tile the text")
    words = [text[a:b] for a, b, _ in pieces]
    doc = Doc(nlp.vocab, words=words, spaces=[space for _, _, space in pieces])
    placed: list[Any] = []
    kept: list[Span] = []
    for span in spans:
        found = doc.char_span(span.start, span.end, label=span.label, alignment_mode="strict")
        if found is None or found.text != span.text:  # a span on whitespace spaCy keeps apart
            report.problem("span-not-aligned", f"document {document.external_id}: span "
                                               f"{span.start}-{span.end} {span.label} left out")
            continue
        placed.append(found)
        kept.append(span)
    doc.spans["sc"] = SpanGroup(doc, name="sc", spans=placed)
    ents = outermost(kept)
    doc.ents = [doc.char_span(s.start, s.end, label=s.label, alignment_mode="strict") for s in ents]
    if len(ents) < len(kept):
        report.counts["not-in-ents"] = report.counts.get("not-in-ents", 0) + len(kept) - len(ents)
    doc.user_data.update(_user_data(document, aset, kept))
    lost = len(aset.relations) - len(doc.user_data["relations"]) if aset else 0
    if lost:
        report.problem("relation-left-out", f"document {document.external_id}: {lost} "
                                            "relation(s) to spans left out")
    return doc, words


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


def write(items: Iterable[ExportItem], out: Path, options: ExportOptions) -> ExportReport:
    """Write the DocBin atomically: one Doc per (document, set)."""
    spacy = _spacy()
    from spacy.tokens import DocBin

    nlp = spacy.blank("ar")
    report = ExportReport(path=str(out))
    docbin = DocBin(attrs=DOCBIN_ATTRS, store_user_data=True)
    with _entry_points_read_once():
        for document, aset in counting_documents(items, report):
            add_doc(docbin, *build_doc(nlp, document, aset, report, tokens=options.tokens))
            report.items += 1
            if aset is not None:
                report.spans += len(aset.spans)
                report.relations += len(aset.relations)
        data = docbin.to_bytes()
    _write_bytes(Path(out), data)
    return report


def add_doc(docbin: Any, doc: Any, words: list[str]) -> None:
    """``docbin.add(doc)`` for a Doc :func:`make_doc` built from ``words``, without spaCy's loop
    that reads nine strings off every token (text, tag, lemma, norm, morph, dep, three entity
    ids: half the export's time). These Docs carry words, entity types and span labels only,
    and those are the strings the DocBin needs to read its attributes (ORTH, ENT_IOB, ENT_TYPE)
    back. A DocBin of other attributes, or of another layout, gets ``DocBin.add``."""
    import numpy
    import srsly
    from spacy.attrs import ENT_IOB, ENT_TYPE, ORTH, SPACY

    layout = ("tokens", "spaces", "flags", "cats", "user_data", "span_groups", "strings")
    if sorted(docbin.attrs) != sorted((ORTH, ENT_IOB, ENT_TYPE)) or doc.cats or \
            not all(hasattr(docbin, name) for name in layout):
        docbin.add(doc)
        return
    array = doc.to_array(docbin.attrs)
    docbin.tokens.append(array.reshape((array.shape[0], len(docbin.attrs))))
    spaces = doc.to_array(SPACY)
    docbin.spaces.append(numpy.asarray(spaces.reshape((spaces.shape[0], 1)), dtype=bool))
    docbin.flags.append({"has_unknown_spaces": doc.has_unknown_spaces})
    docbin.strings.update(words)
    docbin.strings.add("")
    docbin.cats.append(doc.cats)
    if docbin.store_user_data:
        docbin.user_data.append(srsly.msgpack_dumps(doc.user_data))
    docbin.span_groups.append(doc.spans.to_bytes())
    for group in doc.spans.values():
        docbin.strings.update(span.label_ for span in group)


@contextmanager
def _entry_points_read_once() -> Iterator[None]:
    """srsly builds a msgpack Packer for every Doc's user data and span groups (three a Doc),
    and each one looks its encoders up again: it scans the installed packages' entry points and
    copies spaCy's whole registry, 2.8 s of a 3.5 s export of 1,000 documents. The encoders do
    not change during an export, so they are looked up once for it."""
    try:
        from srsly import msgpack
    except ImportError:  # pragma: no cover - spaCy depends on srsly
        yield
        return
    registries = [msgpack.msgpack_encoders, msgpack.msgpack_decoders]
    for registry in registries:
        found = registry.get_all()
        registry.get_all = lambda found=found: found   # shadows the method for the export
    try:
        yield
    finally:
        for registry in registries:
            vars(registry).pop("get_all", None)


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.fchmod(fd, default_mode())  # mkstemp makes it private; an export is an ordinary file
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


FORMAT = Format(name="spacy", description="spaCy DocBin: spans['sc'] and non-overlapping ents",
                suffix=".spacy", write=write, unit="doc")
