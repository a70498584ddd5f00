"""Export the store to native JSONL: streaming (a page of documents at a time) and atomic."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from annotator.core.errors import UserError
from annotator.core.model import GOLD, SUGGESTIONS, AnnotationSet, Document, SetKind
from annotator.db.repositories import SetFilter
from annotator.db.store import Store
from annotator.exports.atomic import atomic_text_writer
from annotator.exports.jsonl import format_line

PAGE = 200


@dataclass(frozen=True, slots=True)
class ExportReport:
    path: str
    documents: int
    lines: int
    spans: int
    relations: int


def set_filter(name: str) -> SetFilter:
    """``all``, ``gold``, ``suggestions`` or an annotator's name."""
    if name == "all":
        return SetFilter()
    if name == GOLD:
        return SetFilter(kind=SetKind.GOLD)
    if name == SUGGESTIONS:
        return SetFilter(kind=SetKind.SUGGESTIONS)
    return SetFilter(kind=SetKind.ANNOTATION, owner=name)


def iter_documents_with_sets(store: Store, which: SetFilter
                             ) -> Iterator[tuple[Document, list[AnnotationSet]]]:
    """Every document (by external id) with the sets ``which`` selects, a page at a time.

    With a filter other than ``all``, documents without such a set are left out.
    """
    after: str | None = None
    while True:
        with store.unit_of_work() as uow:
            page = uow.documents.page(after=after, limit=PAGE)
            if not page:
                return
            texts = {doc.id: doc.text for doc in page if doc.id is not None}
            sets = uow.sets.for_documents(texts, which)
        by_doc: dict[int, list[AnnotationSet]] = {}
        for aset in sets:
            by_doc.setdefault(aset.document_id, []).append(aset)
        for doc in page:
            found = by_doc.get(doc.id or -1, [])
            if found or which.is_all:
                yield doc, found
        after = page[-1].external_id


def export_jsonl(store: Store, out: Path, *, which: str = "all") -> ExportReport:
    """Write ``out`` atomically: one line per (document, set); with ``all``, also one line per
    document that has no set, with ``"annotator": null``."""
    selector = set_filter(which)
    if selector.owner is not None:
        with store.unit_of_work() as uow:
            if uow.annotators.id_of(selector.owner) is None:
                known = ", ".join(name for name, _ in uow.annotators.names()) or "none yet"
                raise UserError(f"--set {which}: no annotator of that name (annotators: {known})")
    documents = lines = spans = relations = 0
    with atomic_text_writer(out) as handle:
        for doc, sets in iter_documents_with_sets(store, selector):
            documents += 1
            for aset in sets or [None]:
                handle.write(format_line(doc, aset))
                handle.write("\n")
                lines += 1
                if aset is not None:
                    spans += len(aset.spans)
                    relations += len(aset.relations)
    return ExportReport(path=str(out), documents=documents, lines=lines, spans=spans,
                        relations=relations)
