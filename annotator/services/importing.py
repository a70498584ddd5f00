"""Import text files, HTML pages, native JSONL and the other formats' files into the store.

Every file is validated before anything is written, and each file is all-or-nothing: a bad file is
reported (file, line, field) and changes nothing, while the good files of the same call are kept.
Importing the same file twice adds nothing: a document with the same SHA-256 is the same document.

One import is one journaled batch (``event.batch``), whatever the number of files and
transactions, so that ``annotator history`` lists it and ``annotator import --undo`` removes it
(annotator/services/history.py).

What people really have:

* every bad line of a file is reported in one run (:attr:`FileResult.problems`); ``skip_bad``
  writes the good records and lists what it left out;
* a ``.txt`` file that is plainly CoNLL is imported as CoNLL (and said so), an HTML page (``.html``,
  ``.htm``, or a ``.txt`` holding one) as its article's title and text, and a PDF or Word file is
  refused with a one-line hint to convert it;
* ``label_map`` maps a corpus's tags onto the project's labels and drops (counting) the rest;
* invisible bidi marks are counted, and removed with ``strip_marks`` (offsets moved along);
* a record's text is canonicalized as a text file's is (BOM stripped, CRLF and CR -> LF,
  recorded in ``meta.canonicalization``), its spans' offsets moved along;
* what no store can hold is refused line by line, never left to the database: NUL and lone
  surrogates in any string, NaN and Infinity in metadata and attributes, ids and names longer
  than their columns, labels ``--add-labels`` cannot name.

This module is the entry (:func:`import_paths`, :func:`discover`); the parts live beside it:
annotator/services/import_report.py (the report and its lines), import_files.py (the importer of
one call: text files and HTML pages, and the dispatch of the others), import_records.py (a file of
records read and checked) and import_writer.py (the good records written and journaled).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace as dc_replace
from pathlib import Path

from annotator.core.errors import UserError
from annotator.core.label_map import LabelMap, check_targets
from annotator.core.model import RESERVED_OWNERS
from annotator.db.store import Store, new_batch_id
from annotator.exports.base import ImportContext
from annotator.exports.registry import get_format
from annotator.services.import_files import (
    HTML_SUFFIXES,
    JSONL_SUFFIXES,
    TEXT_BATCH,
    TEXT_SUFFIXES,
    TITLE_LIMIT,
    _Importer,
)
from annotator.services.import_records import DOC_ID_LIMIT, LABEL_LIMIT
from annotator.services.import_report import (
    SHOWN_PROBLEMS,
    FileResult,
    ImportInterrupted,
    ImportReport,
    Progress,
    describe_marks,
    problem_lines,
)
from annotator.services.import_writer import RECORD_BATCH, SPAN_BATCH
from annotator.services.project import project_schema

__all__ = [  # what the rest of the code and the tests import from here
    "DOC_ID_LIMIT", "HTML_SUFFIXES", "JSONL_SUFFIXES", "LABEL_LIMIT", "RECORD_BATCH",
    "SHOWN_PROBLEMS", "SPAN_BATCH", "TEXT_BATCH", "TEXT_SUFFIXES", "TITLE_LIMIT", "FileResult",
    "ImportInterrupted", "ImportReport", "Progress", "describe_marks", "discover", "import_paths",
    "problem_lines",
]


def discover(paths: Iterable[Path],
             suffixes: tuple[str, ...] = TEXT_SUFFIXES + JSONL_SUFFIXES + HTML_SUFFIXES
             ) -> list[Path]:
    """The files to import: each file named, and every file with one of ``suffixes`` below each
    folder (sorted)."""
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*")
                            if p.is_file() and p.suffix.lower() in suffixes)
            if not inside:
                raise UserError(f"{path}: no {' or '.join(suffixes)} file in this folder")
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            raise UserError(f"{path}: no such file or folder")
    return found


def import_paths(store: Store, paths: Sequence[Path], *, annotator: str | None = None,
                 encoding: str | None = None, actor: str = "system",
                 progress: Progress | None = None, fmt: str | None = None,
                 add_labels: bool = False, replace: bool = False,
                 context: ImportContext | None = None, skip_bad: bool = False,
                 strip_marks: bool = False, label_map: LabelMap | None = None,
                 doc_size: int | None = None, batch: str | None = None) -> ImportReport:
    """Import every file of ``paths`` (folders recursively); see the module docstring.

    ``fmt`` names a format of annotator.exports, or ``text`` / ``html`` (default: .txt files are
    text unless they are plainly CoNLL or HTML, .html pages HTML, .jsonl native JSONL, other
    suffixes as the registry maps them). ``add_labels`` adds labels the schema lacks (a new schema
    version, written with the file that needs it); ``replace`` replaces a set the store already
    has for the same owner instead of refusing the file. ``skip_bad`` writes a file's good records
    and reports the bad ones instead of refusing the file. ``label_map`` maps tags onto the
    project's labels; ``doc_size`` cuts CoNLL documents into documents of N sentences;
    ``strip_marks`` removes invisible bidi marks before the text is stored. Everything is journaled
    under ``batch`` (a new id when None), returned in the report.

    Ctrl-C raises :class:`ImportInterrupted` with what was committed before it.
    """
    if annotator is not None and fmt in (None, "text", "html", "jsonl"):
        _check_owner_name(annotator)
    if doc_size is not None and doc_size < 1:
        raise UserError(f"--doc-size {doc_size}: give a number of sentences, 1 or more")
    schema = project_schema(store)
    if label_map is not None and not add_labels:
        check_targets(label_map, [lb.name for lb in schema.labels])
    base = context or ImportContext()
    importer = _Importer(store, annotator=annotator, encoding=encoding, actor=actor,
                         add_labels=add_labels, replace=replace, skip_bad=skip_bad,
                         strip_marks=strip_marks, label_map=label_map,
                         batch=batch or new_batch_id(),
                         context=dc_replace(base, doc_size=doc_size or base.doc_size,
                                            strip_marks=strip_marks or base.strip_marks,
                                            encoding=encoding or base.encoding))
    files = _files(paths, fmt)
    report = ImportReport(batch=importer.batch)
    try:
        importer.run(files, fmt, report, progress)
    except KeyboardInterrupt:
        raise ImportInterrupted(report) from None
    return report


def _files(paths: Sequence[Path], fmt: str | None) -> list[Path]:
    if fmt is None:
        suffixes = TEXT_SUFFIXES + JSONL_SUFFIXES + HTML_SUFFIXES
    elif fmt == "text":
        suffixes = TEXT_SUFFIXES
    elif fmt == "html":
        suffixes = HTML_SUFFIXES
    else:
        suffixes = (get_format(fmt).suffix or ".txt",)
    if fmt is None and any(Path(p).is_dir() and (Path(p) / "annotation.conf").is_file()
                           for p in paths):
        fmt = "brat"  # a brat collection: its .txt files are the texts of its .ann files
    if fmt not in (None, "text", "html") and get_format(fmt).suffix == "":
        files = [Path(p) for p in paths]  # a folder format: its reader takes each folder whole
        missing = [p for p in files if not p.exists()]
        if missing:
            raise UserError(f"{missing[0]}: no such file or folder")
        return files
    return discover(paths, suffixes)


def _check_owner_name(name: str) -> None:
    if not name.strip():
        raise UserError("--annotator needs a name")
    if name in RESERVED_OWNERS:
        raise UserError(f"{name!r} is reserved for the {name} set; choose another annotator name")
