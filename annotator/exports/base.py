"""What every export and import format shares: options, reports, the registry of formats.

A format module offers ``write(items, out, options) -> ExportReport`` and, where the format
allows, ``read(path, context) -> Iterator[tuple[int, ReadItem]]``: native-JSONL-shaped records
(see annotator/exports/jsonl.py) with the line or item number each came from. Every record an
importer yields goes through the same validation as native JSONL before anything is written.

A reader does not stop at the first bad line: it yields a :class:`ValidationError` for each line
(or item) it had to leave out and goes on, so that one run reports every bad line of a file; the
import service then refuses the file, or with ``--skip-bad`` writes the good records. A reader
raises only when it cannot go on at all (an unreadable file). It may also yield a
:class:`ReadNote`: something the user should know that is not an error (a very long document).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol

from annotator.core.errors import ValidationError
from annotator.core.model import AnnotationSet, Document, Span
from annotator.core.schema import Schema

ExportItem = tuple[Document, AnnotationSet | None]

SCHEMES = ("iob2", "bioes", "bilou")
TOKEN_POLICIES = ("whole", "clitics")
NESTED_POLICIES = ("outer", "inner", "layers")


@dataclass(frozen=True, slots=True)
class ExportOptions:
    scheme: str = "iob2"            # token formats: iob2 | bioes | bilou
    tokens: str = "whole"           # token formats: whole whitespace tokens | clitic-segmented
    nested: str = "outer"           # token formats: outer | inner | layers
    predictions: bool = False       # Label Studio: write spans as predictions, not annotations
    schema: Schema | None = None    # the project's label schema (filled in by the export service)
    label_names: tuple[str, ...] = ()   # the labels exported, in schema order (filled in too):
                                        # every part of a split gets the same tag list
    agreement: Any = None           # Excel: an AgreementReport for an Agreement sheet (the export
                                    # service computes it when several annotators are exported)
    shard_docs: int = 250           # spaCy: Docs per .spacy shard (memory stays flat: the
                                    # export holds about two shards, ~40 MB at 250 news Docs)


@dataclass
class ExportReport:
    path: str
    documents: int = 0
    items: int = 0                  # lines, rows, tasks, files ... in the format's own unit
    spans: int = 0
    relations: int = 0
    problems: list[str] = field(default_factory=list)   # e.g. spans that do not align with tokens
    counts: dict[str, int] = field(default_factory=dict)

    def problem(self, kind: str, message: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        self.problems.append(message)


@dataclass(frozen=True, slots=True)
class SpanFields:
    """Where a span JSONL file of another shape keeps things (``--format spans-jsonl``)."""

    text: str = "text"
    spans: str = "spans"
    start: str = "start"
    end: str = "end"
    label: str = "label"
    id: str | None = None            # the record's id field; None: "id" if present, else the line


@dataclass(frozen=True, slots=True)
class ImportContext:
    """What a reader may need besides the file: options, and the store's documents by id (for
    formats such as the Excel Spans sheet that carry offsets but not the whole text)."""

    scheme: str | None = None        # None: detect
    nested: str = "layers"
    annotator: str | None = None
    document_text: Callable[[str], str | None] = lambda _doc_id: None
    schema: Schema | None = None     # the project's label schema (filled in by the import service)
    add_labels: bool = False         # unknown labels will be added to the schema (--add-labels)
    doc_size: int | None = None      # CoNLL: cut documents into documents of N sentences
    strip_marks: bool = False        # remove bidi marks (token formats do it token by token)
    span_fields: SpanFields = SpanFields()
    encoding: str | None = None      # --encoding, for readers that decode text themselves


@dataclass(frozen=True, slots=True)
class ReadNote:
    """Something a reader tells about a file that is not an error (``kind`` groups them)."""

    kind: str
    message: str
    counts: dict[str, int] | None = None   # kind "marks": the bidi marks a reader removed


#: what a reader yields with each line number
ReadItem = dict[str, Any] | ValidationError | ReadNote


class Writer(Protocol):
    def __call__(self, items: Iterable[ExportItem], out: Path, options: ExportOptions) -> ExportReport:
        ...


class Reader(Protocol):
    def __call__(self, path: Path, context: ImportContext) -> Iterator[tuple[int, ReadItem]]:
        ...


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    description: str
    suffix: str                      # file suffix, or "" for a folder of files
    write: Writer | None             # None: import only
    read: Reader | None = None
    unit: str = "line"               # what ExportReport.items counts, for messages
    check_target: Callable[[Path], None] | None = None   # refuses an ``out`` it must not replace


def counting_documents(items: Iterable[ExportItem], report: ExportReport) -> Iterator[ExportItem]:
    """The items, counting each document once in ``report.documents`` (a document with several
    sets comes as consecutive items)."""
    last: object = object()
    for document, aset in items:
        if document.id != last:
            report.documents += 1
            last = document.id
        yield document, aset


def span_key(span: Span) -> tuple[int, int, str]:
    return (span.start, span.end, span.label)
