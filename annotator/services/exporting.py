"""Export the store in any format: set selection, a label filter, and a train/dev/test split by
document that is the same in every format for a given seed. Reads a page of documents at a time."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from annotator.core.errors import UserError
from annotator.core.model import GOLD, SUGGESTIONS, AnnotationSet, Document, SetKind
from annotator.db.repositories import SetFilter
from annotator.db.store import Store
from annotator.core.label_map import name_list
from annotator.exports.atomic import default_mode
from annotator.exports.base import ExportItem, ExportOptions, ExportReport, Format
from annotator.exports.registry import get_format

PAGE = 200
SPLIT_NAMES = ("train", "dev", "test")


@dataclass(frozen=True, slots=True)
class Split:
    """Percentages of documents for train / dev / test (they add up to 100)."""

    train: int
    dev: int
    test: int

    @classmethod
    def parse(cls, text: str) -> Split:
        try:
            parts = [int(p) for p in text.split("/")]
        except ValueError:
            parts = []
        if len(parts) != 3 or any(p < 0 for p in parts) or sum(parts) != 100:
            raise UserError(f"--split {text}: expected three percentages adding up to 100, "
                            "like 80/10/10")
        return cls(*parts)

    def assign(self, document_ids: Iterable[str], seed: int) -> dict[str, str]:
        """Which part each document goes to, decided by the document alone: a hash of the seed
        and its id, read as a number in [0, 100), falls in train, dev or test by percentage.
        So the split is the same in every format, whichever sets are exported, and adding
        documents to the store never moves the ones already split; a 0% part stays empty."""
        return {doc_id: self.part_of(doc_id, seed) for doc_id in document_ids}

    def part_of(self, document_id: str, seed: int) -> str:
        digest = hashlib.sha256(f"{seed}\x1f{document_id}".encode("utf-8")).digest()
        point = int.from_bytes(digest[:8], "big") / 2**64 * 100
        if point < self.train:
            return "train"
        return "dev" if point < self.train + self.dev else "test"


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
        with store.unit_of_work(write=False) as uow:
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


def keep_labels(aset: AnnotationSet, labels: frozenset[str]) -> AnnotationSet:
    """The set with only the spans of ``labels``, and only relations between those."""
    spans = tuple(s for s in aset.spans if s.label in labels)
    kept = {s.id for s in spans}
    relations = tuple(r for r in aset.relations if r.head in kept and r.tail in kept)
    return replace(aset, spans=spans, relations=relations)


def _items(store: Store, which: SetFilter, labels: frozenset[str] | None,
           part_of: dict[str, str] | None, part: str | None) -> Iterator[ExportItem]:
    for document, sets in iter_documents_with_sets(store, which):
        if part_of is not None and part_of.get(document.external_id) != part:
            continue
        if not sets:
            yield document, None
        for aset in sets:
            yield document, keep_labels(aset, labels) if labels is not None else aset


def _check_selection(store: Store, which: str, labels: Iterable[str] | None, *,
                     actor: str = "system") -> None:
    from annotator.core.roles import require_read
    from annotator.services.team import identity

    selector = set_filter(which)
    with store.unit_of_work(write=False) as uow:
        who = identity(uow, actor)
        if selector.is_all and not who.reviews:
            raise UserError(f"--set all: {who.describe()} can export only their own set "
                            f"(--set {actor}) and the suggestions; reviewers and leads export "
                            "every set")
        if selector.kind is not None:
            require_read(who, owner=selector.owner or str(selector.kind), kind=selector.kind)
        if selector.owner is not None and uow.annotators.id_of(selector.owner) is None:
            known = ", ".join(name for name, _ in uow.annotators.names()) or "none yet"
            raise UserError(f"--set {which}: no annotator of that name (annotators: {known})")
    if labels is not None:
        from annotator.services.project import project_schema

        schema = project_schema(store)
        unknown = [lb for lb in labels if not schema.has_label(lb)]
        if unknown:
            raise UserError(f"--labels: unknown label {unknown[0]!r} (the schema has "
                            f"{name_list([lb.name for lb in schema.labels])})")


def export(store: Store, out: Path, *, fmt: str = "jsonl", which: str = "all",
           labels: Iterable[str] | None = None, split: Split | None = None, seed: int = 0,
           options: ExportOptions | None = None, actor: str = "system") -> list[ExportReport]:
    """Export to ``out`` (one file or folder); with ``split``, ``out`` is a folder that gets one
    ``train``/``dev``/``test`` file (or folder) each, all three or none (they are written to a
    staging folder inside ``out`` and moved in place only when every part is written). Returns a
    report per file written. ``actor`` must be allowed to read the sets chosen (annotation is
    blind: an annotator exports their own set and the suggestions)."""
    writer = get_format(fmt)
    if writer.write is None:
        raise UserError(f"the {fmt} format can be imported, not exported")
    options = options or ExportOptions()
    if options.schema is None:
        from annotator.services.project import project_schema

        options = replace(options, schema=project_schema(store))
    _check_selection(store, which, labels, actor=actor)
    if not options.label_names and options.schema is not None:
        chosen = set(labels) if labels is not None else None
        options = replace(options, label_names=tuple(
            lb.name for lb in options.schema.labels if chosen is None or lb.name in chosen))
    selector = set_filter(which)
    wanted = frozenset(labels) if labels is not None else None
    if fmt == "excel" and selector.is_all and options.agreement is None:
        options = replace(options, agreement=_agreement_of_store(store, actor, labels))
    if split is None:
        if writer.suffix and not out.suffix and not out.is_dir():
            out = out.with_name(out.name + writer.suffix)  # data -> data.xlsx: tools go by suffix
        if out.is_dir() and writer.suffix:
            raise UserError(f"--out {out} is a folder; give a file name (or use --split)")
        return [writer.write(_items(store, selector, wanted, None, None), out, options)]
    ids = [doc.external_id for doc, _ in iter_documents_with_sets(store, selector)]
    part_of = split.assign(ids, seed)  # per document: the same for every --set and format
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: with --split, --out is a folder (it gets train, dev, test)")
    return _write_split(writer, out, lambda part: _items(store, selector, wanted, part_of, part),
                        options)


def _write_split(writer: Format, out: Path, items_of: Callable[[str], Iterable[ExportItem]],
                 options: ExportOptions) -> list[ExportReport]:
    """Write train, dev and test into a staging folder in ``out``, then move them in place:
    a failure in any part leaves ``out`` as it was."""
    assert writer.write is not None
    if writer.check_target is not None:
        for part in SPLIT_NAMES:
            writer.check_target(out / f"{part}{writer.suffix}")
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-", suffix=".tmp", dir=out))
    try:
        reports = [writer.write(items_of(part), staging / f"{part}{writer.suffix}", options)
                   for part in SPLIT_NAMES]
        for entry in sorted(staging.iterdir()):
            _move_in(entry, out / entry.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for report in reports:
        report.path = str(out / Path(report.path).name)
    return reports


def _agreement_of_store(store: Store, actor: str, labels: Iterable[str] | None) -> Any:
    """The agreement between the store's annotators, for the Excel export's Agreement sheet;
    None when fewer than two annotators have sets of a document."""
    from annotator.core.agreement import compute_agreement
    from annotator.services.agreement import load_document_sets

    with store.unit_of_work(actor=actor, write=False) as uow:   # set headers only: cheap
        with_sets = uow.sets.documents_with_sets(SetKind.ANNOTATION)
        per_document = Counter(info.document_id for info in uow.sets.headers(with_sets)
                               if info.kind == SetKind.ANNOTATION)
    if not any(n > 1 for n in per_document.values()):
        return None        # no document has two annotators: not worth loading every set
    found = load_document_sets(store, actor=actor)
    if not any(len(d.sets) > 1 for d in found):
        return None
    return compute_agreement(found, labels=list(labels) if labels is not None else None)


def _move_in(entry: Path, target: Path) -> None:
    folder = entry.is_dir()
    if folder and target.is_dir():
        old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(target, old)
        os.replace(entry, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(entry, target)
    if folder:
        os.chmod(target, default_mode(folder=True))


# -- native JSONL, kept for the callers of the first version --------------------------------------


@dataclass(frozen=True, slots=True)
class JsonlReport:
    path: str
    documents: int
    lines: int
    spans: int
    relations: int


def export_jsonl(store: Store, out: Path, *, which: str = "all") -> JsonlReport:
    """Write ``out`` atomically: one line per (document, set); with ``all``, also one line per
    document that has no set, with ``"annotator": null``."""
    (report,) = export(store, out, fmt="jsonl", which=which)
    return JsonlReport(path=report.path, documents=report.documents, lines=report.items,
                       spans=report.spans, relations=report.relations)
