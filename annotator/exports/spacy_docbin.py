"""spaCy DocBin (``.spacy``): one Doc per document and annotation set, for ``spacy train``.

    Doc("أعلن وزير الدفاع الفرنسي … وروسيا …")  tokens: أعلن | وزير | … | و | روسيا | …
      spans["sc"] = [(0, 4, 'cue'), (5, 40, 'actor'), …]   ents = outermost spans   user_data = {…}

Tokens come from ``spacy.blank("ar")`` (it splits punctuation, not proclitics, DESIGN 5) and are
then split wherever a span starts or ends inside a token (``وروسيا`` -> ``و`` + ``روسيا`` for an
actor whose clitic was left out). So ``doc.text`` is the document text exactly and every span
goes in with ``Doc.char_span(start, end, label, alignment_mode="strict")``, unchanged; each split
token is reported (kind ``token-split``), since spaCy's own tokenizer will not make that cut.

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
from bisect import bisect_left, bisect_right
import tempfile
from collections.abc import Iterable
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


def make_doc(nlp: Any, document: Document, aset: AnnotationSet | None, report: ExportReport) -> Any:
    """The Doc of one document and set; spans that cannot be placed are reported."""
    from spacy.tokens import Doc, SpanGroup

    text = document.text
    base = nlp.tokenizer(text)  # not make_doc: it refuses a text over nlp.max_length (E088)
    tokens = [(t.idx, t.idx + len(t.text), bool(t.whitespace_)) for t in base]
    spans = list(aset.spans) if aset else []
    cuts = [s.start for s in spans] + [s.end for s in spans]
    pieces, split = token_pieces(tokens, cuts)
    for start, end in split:
        report.problem("token-split", f"document {document.external_id}: token {start}-{end} "
                                      f"{text[start:end]!r} split at a span boundary")
    doc = Doc(nlp.vocab, words=[text[a:b] for a, b, _ in pieces],
              spaces=[space for _, _, space in pieces])
    if doc.text != text:  # pragma: no cover - pieces tile the text by construction
        raise ValueError(f"document {document.external_id}: the Doc text differs from the text")
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


def write(items: Iterable[ExportItem], out: Path, options: ExportOptions) -> ExportReport:
    """Write the DocBin atomically: one Doc per (document, set)."""
    spacy = _spacy()
    from spacy.tokens import DocBin

    nlp = spacy.blank("ar")
    report = ExportReport(path=str(out))
    docbin = DocBin(store_user_data=True)
    for document, aset in counting_documents(items, report):
        docbin.add(make_doc(nlp, document, aset, report))
        report.items += 1
        if aset is not None:
            report.spans += len(aset.spans)
            report.relations += len(aset.relations)
    _write_bytes(Path(out), docbin.to_bytes())
    return report


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
