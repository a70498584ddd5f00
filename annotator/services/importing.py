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
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace
from itertools import repeat
from pathlib import Path
from typing import Any

from annotator.core.collector import cycle_collector_paused
from annotator.core.errors import UserError, ValidationError
from annotator.core.label_map import LabelMap, MapResult, apply_map, check_targets, name_list
from annotator.core.marks import count_marks, describe_counts, strip_marks
from annotator.core.model import (
    RESERVED_OWNERS,
    AnnotationSet,
    Document,
    Role,
    SetKind,
    SetStatus,
    Span,
    kind_for_owner,
)
from annotator.core.roles import require_import, require_lead
from annotator.core.schema import Schema, with_labels
from annotator.core.sniff import CONVERT_HINT, binary_kind, looks_like_conll, looks_like_html
from annotator.core.text import (
    canonical_text,
    canonicalize,
    needs_canonical,
    sha256_text,
    unstorable,
    unstorable_value,
)
from annotator.db.store import Store, UnitOfWork, new_batch_id
from annotator.exports.base import ImportContext, ReadNote
from annotator.exports.jsonl import JsonlRecord, json_objects, parse_record
from annotator.exports.registry import SUFFIXES, get_format
from annotator.exports.tokens import LABEL as LABEL_NAME
from annotator.services.decoding import decode_bytes
from annotator.services.project import project_schema
from annotator.services.team import NAME_LIMIT, identity

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
TEXT_BATCH = 200
TITLE_LIMIT = 200
#: what the store's columns hold: document ids, annotator names, label names (characters)
DOC_ID_LIMIT = 255
LABEL_LIMIT = 64
#: how many bad lines messages show before "and N more"
SHOWN_PROBLEMS = 20

Progress = Callable[[int, int], None]


@dataclass
class FileResult:
    path: str
    format: str
    encoding: str | None = None
    documents_added: int = 0
    documents_existing: int = 0
    sets_added: int = 0
    sets_existing: int = 0
    spans_added: int = 0
    error: str | None = None
    problems: list[str] = field(default_factory=list)   # every bad line: "file:line: why"
    skipped: int = 0                                     # bad lines/records left out (skip_bad)
    notes: list[str] = field(default_factory=list)
    detected: str | None = None     # what a .txt turned out to be: "conll" or "html"
    marks: Counter[str] = field(default_factory=Counter)   # invisible marks found (or removed)
    marks_removed: bool = False
    mapped: Counter[str] = field(default_factory=Counter)  # tag -> spans relabeled by the map
    dropped: Counter[str] = field(default_factory=Counter)  # tag -> spans the map dropped
    merged: int = 0


@dataclass
class ImportReport:
    files: list[FileResult] = field(default_factory=list)
    batch: str = ""

    @property
    def errors(self) -> list[str]:
        return [f.error for f in self.files if f.error]

    @property
    def documents_added(self) -> int:
        return sum(f.documents_added for f in self.files)

    @property
    def documents_existing(self) -> int:
        return sum(f.documents_existing for f in self.files)

    @property
    def sets_added(self) -> int:
        return sum(f.sets_added for f in self.files)

    @property
    def spans_added(self) -> int:
        return sum(f.spans_added for f in self.files)

    @property
    def problems(self) -> list[str]:
        return [p for f in self.files for p in f.problems]

    @property
    def added_anything(self) -> bool:
        return bool(self.documents_added or self.sets_added or self.spans_added)


class ImportInterrupted(Exception):
    """Ctrl-C during an import: ``report`` holds what was committed before it."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("interrupted")
        self.report = report


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


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt is not None:
        if fmt == "text" and path.is_file() and path.suffix.lower() in HTML_SUFFIXES:
            return "html"
        return fmt
    if path.is_dir() and (path / "annotation.conf").is_file():
        return "brat"
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in HTML_SUFFIXES:
        return "html"
    return SUFFIXES.get(suffix, "text")


def _check_owner_name(name: str) -> None:
    if not name.strip():
        raise UserError("--annotator needs a name")
    if name in RESERVED_OWNERS:
        raise UserError(f"{name!r} is reserved for the {name} set; choose another annotator name")


def problem_lines(problems: Sequence[str], limit: int = SHOWN_PROBLEMS, *,
                  source: str | None = None) -> list[str]:
    """The first ``limit`` problems and a count of the others (naming ``source``, the file, when
    given: every line printed for a file starts with it)."""
    shown = list(problems[:limit])
    if len(problems) > limit:
        more = f"... and {len(problems) - limit:,} more"
        shown.append(f"{source}: {more}" if source else more)
    return shown


class _Reroute(Exception):
    """A file given as text that is another format (CoNLL)."""

    def __init__(self, fmt: str) -> None:
        super().__init__(fmt)
        self.fmt = fmt


@dataclass(frozen=True, slots=True)
class _TextDraft:
    result: FileResult
    document: Document


class _Importer:
    def __init__(self, store: Store, *, annotator: str | None, encoding: str | None, actor: str,
                 add_labels: bool, replace: bool, skip_bad: bool, strip_marks: bool,
                 label_map: LabelMap | None, batch: str, context: ImportContext) -> None:
        self.store = store
        self.annotator = annotator
        self.encoding = encoding
        self.actor = actor
        self.add_labels = add_labels
        self.replace = replace
        self.skip_bad = skip_bad
        self.strip_marks = strip_marks
        self.label_map = label_map
        self.batch = batch
        self.context = context

    def uow(self) -> UnitOfWork:
        return self.store.unit_of_work(actor=self.actor, batch=self.batch)

    def run(self, files: list[Path], fmt: str | None, report: ImportReport,
            progress: Progress | None) -> None:
        texts = [p for p in files if _format_of(p, fmt) in ("text", "html")]
        others = [(p, _format_of(p, fmt)) for p in files if _format_of(p, fmt) not in
                  ("text", "html")]
        done = 0
        for start in range(0, len(texts), TEXT_BATCH):
            chunk = texts[start:start + TEXT_BATCH]
            results, rerouted = self.text_batch(chunk, sniff=fmt is None)
            report.files.extend(results)
            others.extend(rerouted)
            done += len(chunk) - len(rerouted)
            if progress:
                progress(done, len(files))
        for path, name in others:
            report.files.append(self.records_file(path, name))
            done += 1
            if progress:
                progress(done, len(files))

    # -- text files and HTML pages --------------------------------------------------------------

    def text_batch(self, paths: Sequence[Path], *, sniff: bool
                   ) -> tuple[list[FileResult], list[tuple[Path, str]]]:
        results: list[FileResult] = []
        drafts: list[_TextDraft] = []
        rerouted: list[tuple[Path, str]] = []
        for path in paths:
            try:
                drafts.append(self.read_text_file(path, sniff=sniff))
            except _Reroute as found:
                rerouted.append((path, found.fmt))
            except ValidationError as exc:
                results.append(FileResult(path=str(path), format=_format_of(path, None),
                                          error=str(exc)))
        if drafts:
            with self.uow() as uow:
                self.write_texts(uow, drafts)
        return results + [d.result for d in drafts], rerouted

    def read_text_file(self, path: Path, *, sniff: bool) -> _TextDraft:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ValidationError(f"cannot read: {exc.strerror}", path=str(path)) from exc
        kind = binary_kind(data)
        if kind is not None:
            hint = CONVERT_HINT.get(kind)
            raise ValidationError(f"{kind}, not text: convert it to a UTF-8 .txt file first"
                                  + (f" (e.g. {hint})" if hint else ""), path=str(path))
        decoded = decode_bytes(data, path=str(path), encoding=self.encoding)
        text, steps = canonicalize(decoded.text)
        is_html = path.suffix.lower() in HTML_SUFFIXES
        if sniff and not is_html and looks_like_conll(text):
            raise _Reroute("conll")
        result = FileResult(path=str(path), format="text", encoding=decoded.encoding)
        title: str | None = None
        if is_html or (sniff and looks_like_html(text)):
            from annotator.services.html_text import extract_article

            title, text = extract_article(text, path=str(path))
            result.format = "html"
            result.detected = None if is_html else "html"
            steps = (*steps, "html-article")
        text, steps = self.marks_of_text(text, steps, result)
        if not text.strip():
            raise ValidationError("the file has no text", path=str(path))
        if title is None:
            title = next(line.strip() for line in text.split("\n") if line.strip())
        if len(title) > TITLE_LIMIT:
            title = title[:TITLE_LIMIT - 1] + "…"
        source = str(path.resolve())
        meta = {"source_path": source, "encoding": decoded.encoding,
                "canonicalization": list(steps)}
        document = Document(external_id=path.stem, title=title, text=text,
                            sha256=sha256_text(text), source=source, meta=meta)
        return _TextDraft(result, document)

    def marks_of_text(self, text: str, steps: tuple[str, ...], result: FileResult
                      ) -> tuple[str, tuple[str, ...]]:
        counts = count_marks(text)
        if not counts:
            return text, steps
        result.marks.update(counts)
        if not self.strip_marks:
            return text, steps
        result.marks_removed = True
        return strip_marks(text).text, (*steps, f"strip-marks: {sum(counts.values())}")

    def write_texts(self, uow: UnitOfWork, drafts: list[_TextDraft]) -> None:
        existing = uow.documents.ids_by_sha({d.document.sha256 for d in drafts})
        taken = set(uow.documents.shas_by_external_id({d.document.external_id for d in drafts}))
        new_docs: list[Document] = []
        doc_id_of: dict[str, int] = {sha: ids[0] for sha, ids in existing.items()}
        pending: dict[str, _TextDraft] = {}
        for draft in drafts:
            sha = draft.document.sha256
            if sha in doc_id_of or sha in pending:
                draft.result.documents_existing = 1
                continue
            external_id = draft.document.external_id
            if external_id in taken:
                external_id = f"{external_id}-{sha[:8]}"
            taken.add(external_id)
            new_docs.append(dc_replace(draft.document, external_id=external_id))
            pending[sha] = draft
            draft.result.documents_added = 1
        for doc, new_id in zip(new_docs, uow.documents.add_many(new_docs)):
            doc_id_of[doc.sha256] = new_id
            uow.record("import", "document", entity_id=new_id, document_id=new_id,
                       after={"external_id": doc.external_id, "sha256": doc.sha256,
                              "title": doc.title, "length": len(doc.text), "source": doc.source,
                              "encoding": doc.meta.get("encoding")})
        if self.annotator is None:
            return
        if self.annotator != self.actor:
            require_lead(identity(uow, self.actor), f"give {self.annotator!r} documents to "
                                                    "annotate")
        owner_id = _ensure_owner(uow, self.annotator, Role.ANNOTATOR)
        for draft in drafts:
            document_id = doc_id_of[draft.document.sha256]
            if uow.sets.find(document_id, owner_id, SetKind.ANNOTATION) is None:
                set_id = uow.sets.create(document_id, owner_id, SetKind.ANNOTATION)
                uow.record("assign", "annotation_set", entity_id=set_id, document_id=document_id,
                           set_id=set_id, after={"owner": self.annotator, "kind": "annotation",
                                                 "status": "todo",
                                                 "source": draft.document.source})
                draft.result.sets_added += 1
            else:
                draft.result.sets_existing += 1

    # -- files of records (native JSONL and the formats' readers) ----------------------------

    def records_file(self, path: Path, fmt: str) -> FileResult:
        """A file of records, streamed into one transaction: each record is checked as it is
        read and the good ones are written in batches while the file is good; every bad line is
        still noted to the end, and a bad file is rolled back whole (with ``skip_bad``, only its
        bad records are left out). What is kept of the lines already read is a few facts each
        (document id, hash, set owner), so memory does not grow with the file."""
        result = FileResult(path=str(path), format=fmt)
        if fmt == "conll" and _format_of(path, None) == "text":
            result.detected = "conll"
        try:
            schema = project_schema(self.store)
            items = self.read_items(path, fmt, schema, result)
            with self.uow() as uow, cycle_collector_paused():
                run = _RecordsRun(self, uow, path=path, schema=schema, result=result)
                for number, item in items:
                    run.take(number, item)
                run.finish()
        except ValidationError as exc:
            return FileResult(path=str(path), format=fmt, encoding=result.encoding,
                              error=str(exc), problems=result.problems, notes=result.notes,
                              detected=result.detected, marks=result.marks,
                              marks_removed=result.marks_removed, mapped=result.mapped,
                              dropped=result.dropped, merged=result.merged)
        return result

    def read_items(self, path: Path, fmt: str, schema: Schema, result: FileResult
                   ) -> Iterable[tuple[int, Any]]:
        """The file's items as its reader yields them, a line (or record) at a time."""
        if fmt == "jsonl":
            result.encoding = self.encoding or "utf-8"
            return json_objects(path, encoding=self.encoding)
        reader = get_format(fmt).read
        if reader is None:
            raise UserError(f"the {fmt} format can be exported, not imported")
        context = dc_replace(self.context,
                             annotator=self.annotator if self.annotator is not None
                             else self.context.annotator,
                             document_text=_document_text(self.store), schema=schema,
                             add_labels=self.add_labels or self.label_map is not None)
        return reader(path, context)

    def check_bad(self, bad: list[ValidationError], result: FileResult, *, path: Path,
                  any_good: bool) -> None:
        if not bad:
            return
        lines = len(bad)
        what = f"{lines:,} bad line{'s' if lines != 1 else ''}"
        if not self.skip_bad and len(bad) == 1:
            raise bad[0]          # one bad line: its own message is the one line to print
        result.problems = [str(e) for e in bad]
        if not self.skip_bad:
            raise ValidationError(f"{what}; nothing imported from this file (--skip-bad imports "
                                  "the good part)", path=str(path))
        if not any_good:
            raise ValidationError(f"{what} and nothing good to import", path=str(path))
        result.skipped = lines


#: a batch of records written together: this many records, or records with this many spans
RECORD_BATCH = 1_000
SPAN_BATCH = 20_000


class _RecordsRun:
    """One file of records on its way into the store (:meth:`_Importer.records_file`).

    Each record goes through the steps in turn as it is read: canonical text, label map,
    invisible marks, labels (unknown ones counted, or with ``add_labels`` the schema extended),
    validation against the records before it (a document id with two texts, a set twice); the
    good ones go to a :class:`_RecordWriter` while the file may still be written. ``finish``
    then decides, in the order the messages have always been given: labels the project lacks,
    an empty file, bad lines, roles, conflicts with the store."""

    def __init__(self, importer: _Importer, uow: UnitOfWork, *, path: Path, schema: Schema,
                 result: FileResult) -> None:
        self.imp = importer
        self.path = path
        self.where = str(path)
        self.schema = schema
        self.extended = schema            # with --add-labels: and the file's labels so far
        self.names = frozenset(lb.name for lb in schema.labels)
        self.result = result
        # bad lines, by the step that found them (the order they are reported in)
        self.read_bad: list[ValidationError] = []
        self.canon_bad: list[ValidationError] = []
        self.name_bad: list[ValidationError] = []
        self.invalid: list[ValidationError] = []
        self.unknown: Counter[str] = Counter()     # labels the project lacks: spans
        self.first: dict[str, int] = {}            # ... and the line each is first on
        self.labels: dict[str, None] = {}          # --add-labels: every label, in order
        self.texts: dict[str, tuple[str, int]] = {}       # doc_id -> (sha256, first line)
        self.sets: dict[tuple[str, str], int] = {}        # (sha256, owner) -> line
        self.good = 0
        # --add-labels: records whose label was refused, to be named with the final schema's
        # labels (index into ``invalid``, line, record)
        self.relabel: list[tuple[int, int, dict[str, Any]]] = []
        self.mapping = MapResult()
        known = self.names
        if importer.label_map is not None and importer.add_labels:
            known = known | frozenset(importer.label_map.pairs.values()) - {""}
        self.known = known
        self.marked: set[bytes] = set()     # digests of the texts whose marks were counted
        self.emptied = 0
        self.writer = _RecordWriter(importer, uow, path=self.where, result=result)

    def failed(self) -> bool:
        """Whether the file will be refused whatever comes next (nothing more is written)."""
        return bool(self.unknown) or (not self.imp.skip_bad and bool(
            self.read_bad or self.canon_bad or self.name_bad or self.invalid))

    def take(self, number: int, item: Any) -> None:
        if isinstance(item, ValidationError):
            self.read_bad.append(item)
            return
        if isinstance(item, ReadNote):
            if item.kind == "marks":
                self.result.marks.update(item.counts or {})
                self.result.marks_removed = True
            else:
                self.result.notes.append(item.message)
            return
        obj = self.canonical(number, item)
        if obj is None:
            return
        if self.imp.label_map is not None:
            obj = apply_map(obj, self.imp.label_map, self.known, self.mapping)
        obj = self.marks(obj)
        if not self.check_labels(number, obj) or self.unknown:
            return     # a file refused for its labels: only its labels are counted on
        record = self.validate(number, obj)
        if record is None:
            return
        self.good += 1
        if not self.failed():
            self.writer.add(record)

    def canonical(self, number: int, obj: dict[str, Any]) -> dict[str, Any] | None:
        """The record with its text canonicalized (see :func:`_canonical_record`); None, with
        the line noted, when a span would be left empty."""
        text = obj.get("text")
        if not isinstance(text, str) or not needs_canonical(text) or unstorable(text):
            return obj
        if "sha256" in obj and obj["sha256"] != sha256_text(text):
            return obj     # the validation refuses it
        try:
            return _canonical_record(obj, text)
        except ValueError as exc:
            self.canon_bad.append(ValidationError(str(exc), path=self.where, line=number,
                                                  field="spans"))
            return None

    def marks(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Count the invisible marks of the record's text (each text once); with
        ``strip_marks``, remove them and move the spans' offsets along."""
        text = obj.get("text")
        if not isinstance(text, str):
            return obj
        counts = count_marks(text)
        if not counts:
            return obj
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
        if digest not in self.marked:
            self.marked.add(digest)
            self.result.marks.update(counts)
        if not self.imp.strip_marks:
            return obj
        stripped, gone = _strip_record(obj, text)
        self.emptied += gone
        return stripped

    def check_labels(self, number: int, obj: dict[str, Any]) -> bool:
        """Labels the project lacks are counted (the file is then refused with one message);
        with ``add_labels`` they extend the schema the records are checked against, and a
        record with a label that cannot be a label name is a bad line (False)."""
        spans = obj.get("spans")
        if not isinstance(spans, list):
            return True
        names = self.names
        if not self.imp.add_labels:
            for span in spans:
                label = span.get("label") if isinstance(span, dict) else None
                if isinstance(label, str) and label and label not in names:
                    self.unknown[label] += 1
                    self.first.setdefault(label, number)
            return True
        found = [s["label"] for s in spans if isinstance(s, dict)
                 and isinstance(s.get("label"), str) and s["label"]]
        wrong = next((label for label in found if label not in names and (
            len(label) > LABEL_LIMIT or not LABEL_NAME.fullmatch(label))), None)
        if wrong is not None:
            shown = wrong if len(wrong) <= 40 else wrong[:40] + "…"
            self.name_bad.append(ValidationError(
                f"the label {shown!r} cannot be added to the schema: a label name is a letter, "
                f"then letters, digits, '_', '.' or '-', at most {LABEL_LIMIT} characters (--map "
                "renames it)", path=self.where, line=number, field="label"))
            return False
        new = [label for label in dict.fromkeys(found) if label not in self.labels]
        if new:
            self.labels.update(dict.fromkeys(new))
            if any(not self.extended.has_label(label) for label in new):
                self.extended = with_labels(self.schema, list(self.labels))
        return True

    def validate(self, number: int, obj: dict[str, Any]) -> JsonlRecord | None:
        """The record, checked alone and against the records before it; None if bad."""
        try:
            record = parse_record(obj, path=self.where, line=number, schema=self.extended)
            _check_storable(record, path=self.where)
            first = self.texts.setdefault(record.doc_id, (record.sha256, number))
            if first[0] != record.sha256:
                raise ValidationError(f"doc_id {record.doc_id!r} has another text on line "
                                      f"{first[1]}", path=self.where, line=number, field="text")
            if record.annotator is not None:
                key = (record.sha256, record.annotator)
                if key in self.sets:
                    raise ValidationError(
                        f"a second set of {record.annotator!r} for {record.doc_id!r} (first on "
                        f"line {self.sets[key]})", path=self.where, line=number,
                        field="annotator")
                self.sets[key] = number
        except ValidationError as exc:
            if self.extended is not self.schema and (exc.field or "").endswith(".label"):
                self.relabel.append((len(self.invalid), number, obj))
            self.invalid.append(exc)
            return None
        return record

    def finish(self) -> None:
        """Refuse the file (the transaction then rolls back) or write its last batch."""
        result = self.result
        if self.imp.label_map is not None:
            result.mapped, result.dropped = self.mapping.mapped, self.mapping.dropped
            result.merged = self.mapping.merged
            if self.mapping.relations_dropped:
                result.notes.append(f"{result.path}: {self.mapping.relations_dropped:,} "
                                    "relations to dropped spans left out")
        if self.imp.strip_marks and result.marks:
            result.marks_removed = True
        if self.emptied:
            result.notes.append(f"{result.path}: {self.emptied:,} spans of invisible marks only "
                                "left out by --strip-marks")
        if self.unknown:
            self.refuse_labels()
        for index, number, obj in self.relabel:   # the message lists the labels of the file
            try:
                parse_record(obj, path=self.where, line=number, schema=self.extended)
            except ValidationError as exc:
                self.invalid[index] = exc
        bad = self.read_bad + self.canon_bad + self.name_bad + self.invalid
        if not self.good and not bad:
            raise ValidationError("the file has no record to import", path=self.where)
        self.imp.check_bad(bad, result, path=self.path, any_good=bool(self.good))
        self.writer.finish()
        if self.extended is not self.schema:
            _store_schema(self.writer.uow, self.schema, self.extended, path=self.where)

    def refuse_labels(self) -> None:
        """Labels the schema lacks: one error for the file, naming a handful of them (after the
        file's bad lines, if it has some: all its errors at once)."""
        unknown, bad = self.unknown, self.read_bad + self.canon_bad
        names = [name for name, _ in unknown.most_common()]
        shown = [f"{name} ({unknown[name]:,} span{'s' if unknown[name] != 1 else ''}, first on "
                 f"line {self.first[name]})" for name in names]
        example = ",".join(f"{name}=LABEL" for name in names[:2])
        them = "them" if len(names) > 1 else "it"
        error = ValidationError(
            f"{'labels' if len(names) > 1 else 'a label'} the project does not have: "
            f"{name_list(shown)}; --map {example} maps {them} onto the project's labels "
            f"({name_list([lb.name for lb in self.schema.labels])}), --add-labels adds {them}",
            path=self.where)
        if not bad:
            raise error
        self.result.problems = [str(e) for e in bad] + [str(error)]
        raise ValidationError(f"{len(bad):,} bad line{'s' if len(bad) != 1 else ''} and "
                              f"{'labels' if len(names) > 1 else 'a label'} the project does not "
                              "have; nothing imported from this file", path=self.where)


@dataclass(slots=True)
class _Entry:
    """A record of a batch on its way into the store."""

    record: JsonlRecord
    document_id: int | None      # None: a document this file adds
    existing: AnnotationSet | None
    creates: bool = False        # the first record of a document this file adds
    owner: str | None = None
    owner_id: int | None = None
    owner_created: bool = False      # the first record of an owner this file adds
    same: bool = False           # the store has this very set already
    set_id: int | None = None
    replaced: dict[str, Any] | None = None     # --replace: what the set held before
    span_ids: list[int] = field(default_factory=list)


class _RecordWriter:
    """Writes a file's good records in batches, all in the file's one transaction.

    Each batch is resolved against the store (documents by hash and by id, the sets there
    already), checked (the importer's role for each owner, conflicts with the store), and
    written with a few multi-row statements per table; its journal events go out with it, in
    the order of the records. The first conflict stops the writing (unless ``skip_bad``), but
    the checks go on, so that the message counts them all."""

    def __init__(self, importer: _Importer, uow: UnitOfWork, *, path: str,
                 result: FileResult) -> None:
        self.imp = importer
        self.uow = uow
        self.path = path
        self.result = result
        self.who = identity(uow, importer.actor)
        self.owners: set[str] = set()                 # owners whose role was checked
        self.role_error: ValidationError | None = None
        self.conflicts: list[ValidationError] = []
        self.pending: list[JsonlRecord] = []
        self.pending_spans = 0
        self.new_ids: dict[str, int] = {}             # sha256 -> id of a document added
        self.counted: set[str] = set()                # documents counted (added or existing)

    def owner_of(self, record: JsonlRecord) -> str | None:
        return record.annotator if record.annotator is not None else self.imp.annotator

    def add(self, record: JsonlRecord) -> None:
        owner = self.owner_of(record)
        if owner is not None and owner not in self.owners:
            self.owners.add(owner)   # roles: one's own sets; gold for reviewers; leads anyone's
            try:
                require_import(self.who, owner=owner, kind=kind_for_owner(owner))
            except UserError as exc:
                if self.role_error is None:
                    self.role_error = ValidationError(str(exc), path=self.path)
        if self.role_error is not None:
            return
        self.pending.append(record)
        self.pending_spans += len(record.spans)
        if len(self.pending) >= RECORD_BATCH or self.pending_spans >= SPAN_BATCH:
            self.flush()

    def flush(self) -> None:
        batch, self.pending, self.pending_spans = self.pending, [], 0
        entries = self.plan(batch)
        if self.conflicts and not self.imp.skip_bad:
            return          # the file is refused: the other batches are only checked
        self.write(entries)
        self.uow.flush_events()

    def finish(self) -> None:
        if self.pending and self.role_error is None:
            self.flush()
        if self.role_error is not None:
            raise self.role_error
        conflicts = self.conflicts
        if not conflicts:
            return
        if not self.imp.skip_bad:
            raise conflicts[0] if len(conflicts) == 1 else ValidationError(
                f"{len(conflicts)} records conflict with the store; nothing imported from "
                f"this file: {'; '.join(e.detail for e in conflicts[:3])}"
                + (" ..." if len(conflicts) > 3 else ""), path=self.path)
        self.result.problems += [str(e) for e in conflicts]
        self.result.skipped += len(conflicts)

    def plan(self, batch: list[JsonlRecord]) -> list[_Entry]:
        """Each record against the store (reads only); conflicts are noted and left out."""
        uow = self.uow
        fresh = {r.sha256 for r in batch if r.sha256 not in self.new_ids}
        known = uow.documents.ids_by_sha(fresh)
        taken = uow.documents.shas_by_external_id(
            {r.doc_id for r in batch if r.sha256 in fresh and r.sha256 not in known})
        entries: list[_Entry] = []
        for record in batch:
            if record.sha256 not in fresh:          # a document of this file, added already
                entries.append(_Entry(record, None, None))
                continue
            try:
                entries.append(self.plan_one(record, known, taken))
            except ValidationError as exc:
                self.conflicts.append(exc)
        return entries

    def plan_one(self, record: JsonlRecord, known: dict[str, tuple[int, str]],
                 taken: dict[str, str]) -> _Entry:
        if record.sha256 not in known and taken.get(record.doc_id, record.sha256) != record.sha256:
            raise ValidationError(f"doc_id {record.doc_id!r} is already another document in the "
                                  "store (its text differs)", path=self.path, line=record.line,
                                  field="doc_id")
        document_id = known[record.sha256][0] if record.sha256 in known else None
        owner = self.owner_of(record)
        existing = None
        if document_id is not None and owner is not None:
            existing = _existing_set(self.uow, document_id, owner, record)
        if existing is not None and _set_signature(existing) != _record_signature(record) \
                and (existing.spans or existing.relations) and not self.imp.replace:
            raise ValidationError(
                f"the store already has a different set of {owner!r} for {record.doc_id!r} "
                "(--replace replaces it); nothing from this file was imported", path=self.path,
                line=record.line, field="annotator")
        return _Entry(record, document_id, existing)

    def write(self, entries: list[_Entry]) -> None:
        """Documents, owners, sets, spans, relations: a few statements for the whole batch;
        then the events, record by record."""
        uow = self.uow
        new_docs: list[Document] = []
        adding: set[str] = set()
        for entry in entries:
            record = entry.record
            if entry.document_id is None and record.sha256 not in self.new_ids \
                    and record.sha256 not in adding:
                entry.creates = True
                adding.add(record.sha256)
                new_docs.append(Document(external_id=record.doc_id, title=record.title,
                                         text=record.text, sha256=record.sha256,
                                         source=record.meta.get("source_path"),
                                         meta=record.meta))
        self.new_ids.update(zip((d.sha256 for d in new_docs), uow.documents.add_many(new_docs)))
        to_create: list[_Entry] = []
        for entry in entries:
            record = entry.record
            if entry.document_id is None:
                entry.document_id = self.new_ids[record.sha256]
            entry.owner = owner = self.owner_of(record)
            if owner is None:
                continue
            existing = entry.existing
            if existing is not None and _set_signature(existing) == _record_signature(record):
                entry.same = True
                continue
            entry.owner_id, entry.owner_created = _owner_id(uow, owner)
            if existing is not None and existing.id is not None:
                entry.set_id = existing.id
                entry.replaced = _clear_set(uow, existing, record)
            else:
                to_create.append(entry)
        ids = uow.sets.create_many([(e.document_id, e.owner_id, kind_for_owner(e.owner),
                                     e.record.status) for e in to_create
                                    if e.document_id is not None and e.owner is not None
                                    and e.owner_id is not None])
        for entry, set_id in zip(to_create, ids):
            entry.set_id = set_id
        writing = [(e, e.set_id) for e in entries if e.set_id is not None]
        spans: list[tuple[int, Span]] = []
        for entry, set_id in writing:
            spans += zip(repeat(set_id), entry.record.spans)
        span_ids = uow.sets.add_spans_many(spans, by=uow.actor)
        relations: list[tuple[int, str, int, int]] = []
        start = 0
        for entry, set_id in writing:
            end = start + len(entry.record.spans)
            entry.span_ids = ids_of = span_ids[start:end]
            start = end
            relations += [(set_id, r.type, ids_of[r.head], ids_of[r.tail])
                          for r in entry.record.relations]
        uow.sets.add_relations_many(relations)
        for entry in entries:
            self.journal(entry)

    def journal(self, entry: _Entry) -> None:
        """The events of one record, and its counts in the file's result."""
        uow, result, record = self.uow, self.result, entry.record
        document_id = entry.document_id
        if entry.creates:
            result.documents_added += 1
            uow.record("import", "document", entity_id=document_id, document_id=document_id,
                       after={"external_id": record.doc_id, "sha256": record.sha256,
                              "title": record.title, "length": len(record.text),
                              "source": self.path})
        elif record.sha256 not in self.new_ids and record.sha256 not in self.counted:
            result.documents_existing += 1
        self.counted.add(record.sha256)
        owner = entry.owner
        if owner is None:
            return
        if entry.same:
            result.sets_existing += 1
            return
        kind = kind_for_owner(owner)
        if entry.owner_created:
            uow.record("create", "annotator", entity_id=entry.owner_id,
                       after={"name": owner, "role": str(Role.SYSTEM if owner in RESERVED_OWNERS
                                                        else Role.ANNOTATOR)})
        existing, set_id = entry.existing, entry.set_id
        if entry.replaced is not None:
            uow.record("replace", "annotation_set", entity_id=set_id, document_id=document_id,
                       set_id=set_id, before=entry.replaced, after=None)
        after: dict[str, Any] = {"owner": owner, "kind": str(kind), "status": str(record.status),
                                 "spans": len(entry.span_ids),
                                 "relations": len(record.relations), "source": self.path,
                                 "line": record.line}
        if existing is not None:
            after["span_ids"] = entry.span_ids  # what an undo removes from a set there before
        uow.record("import", "annotation_set", entity_id=set_id, document_id=document_id,
                   set_id=set_id,
                   before=None if existing is None else {"status": str(existing.status),
                                                         "spans": len(existing.spans)},
                   after=after)
        result.sets_added += 1
        result.spans_added += len(entry.span_ids)


def _document_text(store: Store) -> Callable[[str], str | None]:
    def lookup(external_id: str) -> str | None:
        with store.unit_of_work(write=False) as uow:
            document = uow.documents.by_external_id(external_id)
        return document.text if document is not None else None

    return lookup


def _strip_record(obj: dict[str, Any], text: str) -> tuple[dict[str, Any], int]:
    """The record with its text's marks removed and its spans moved along; spans of marks only
    are left out (returned count), with the relations to them."""
    stripped = strip_marks(text)
    spans = obj.get("spans")
    new_spans: list[Any] = []
    gone: set[str] = set()
    if isinstance(spans, list):
        for i, span in enumerate(spans):
            if not (isinstance(span, dict) and isinstance(span.get("start"), int)
                    and isinstance(span.get("end"), int)):
                new_spans.append(span)
                continue
            start, end = stripped.new_offset(span["start"]), stripped.new_offset(span["end"])
            ident = str(span.get("id", f"#{i}"))
            if start >= end:
                gone.add(ident)
                continue
            moved = {k: v for k, v in span.items() if k != "text"}
            moved.update(start=start, end=end, id=ident)
            new_spans.append(moved)
    relations = obj.get("relations")
    if isinstance(relations, list) and gone:
        relations = [r for r in relations if not (isinstance(r, dict) and (
            str(r.get("head")) in gone or str(r.get("tail")) in gone))]
    new = {k: v for k, v in obj.items() if k != "sha256"}
    new.update(text=stripped.text, spans=new_spans if isinstance(spans, list) else spans)
    if relations is not None:
        new["relations"] = relations
    if isinstance(obj.get("title"), str):
        new["title"] = strip_marks(obj["title"]).text
    meta = dict(obj["meta"]) if isinstance(obj.get("meta"), dict) else {}
    meta["canonicalization"] = [*meta.get("canonicalization", []),
                                f"strip-marks: {stripped.removed}"]
    new["meta"] = meta
    return new, len(gone)


def _canonical_record(obj: dict[str, Any], raw: str) -> dict[str, Any]:
    canon = canonical_text(raw)
    new = {k: v for k, v in obj.items() if k != "sha256"}
    new["text"] = canon.text
    spans = obj.get("spans")
    if isinstance(spans, list):
        moved: list[Any] = []
        for span in spans:
            start, end = (span.get("start"), span.get("end")) if isinstance(span, dict) \
                else (None, None)
            if not (type(start) is int and type(end) is int and 0 <= start < end <= len(raw)):
                moved.append(span)     # the validation says what is wrong with it
                continue
            new_start, new_end = canon.offset(start), canon.offset(end)
            if new_start >= new_end:
                raise ValueError(f"span {start}-{end} is only {raw[start:end]!r}, which the "
                                 "import removes (a BOM, or the CR of a CRLF line break: texts "
                                 "are stored with LF line breaks)")
            span = {**span, "start": new_start, "end": new_end}
            if isinstance(span.get("text"), str):
                given = span.pop("text")
                if given != raw[start:end]:
                    span["text"] = canonicalize(given)[0]
            moved.append(span)
        new["spans"] = moved
    meta = dict(obj["meta"]) if isinstance(obj.get("meta"), dict) else {}
    meta["canonicalization"] = [*(meta.get("canonicalization") if isinstance(
        meta.get("canonicalization"), list) else []), *canon.steps]
    new["meta"] = meta
    return new


def _check_storable(record: JsonlRecord, *, path: str) -> None:
    """What the store cannot hold, refused with the line named: NUL characters and lone
    surrogates in any string (PostgreSQL refuses NUL; neither is Unicode text to keep), numbers
    that are not finite in metadata or attributes, ids and names longer than their columns."""

    def fail(message: str, field: str) -> ValidationError:
        return ValidationError(message, path=path, line=record.line, field=field)

    if len(record.doc_id) > DOC_ID_LIMIT:
        raise fail(f"is {len(record.doc_id):,} characters long; a document id has at most "
                   f"{DOC_ID_LIMIT}", "doc_id")
    owner = record.annotator
    if owner is not None and owner not in RESERVED_OWNERS:
        if len(owner) > NAME_LIMIT:
            raise fail(f"is {len(owner):,} characters long; an annotator's name has at most "
                       f"{NAME_LIMIT}", "annotator")
        if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in owner):
            raise fail(f"{owner!r}: a name cannot hold control characters", "annotator")
    for name, value in (("doc_id", record.doc_id), ("title", record.title),
                        ("text", record.text), ("annotator", owner or "")):
        why = unstorable(value)
        if why is not None:
            raise fail(f"{why}: not allowed in text", name)
    why = unstorable_value(dict(record.meta))
    if why is not None:
        raise fail(f"{why}: not allowed", "meta")
    for i, span in enumerate(record.spans):
        if not (span.note or span.source or span.provenance) and _flat_storable(span.attributes):
            continue      # the usual span: offsets, a label and an attribute or two
        why = unstorable(span.note) or unstorable_value(dict(span.attributes)) or \
            unstorable_value(dict(span.source) if span.source else None) or \
            unstorable_value(span.provenance.to_json() if span.provenance else None)
        if why is not None:
            raise fail(f"{why}: not allowed", f"spans[{i}]")


def _flat_storable(value: Any) -> bool:
    """Quickly: whether ``value`` is an object of strings that :func:`unstorable_value` lets
    through (False tells nothing: the full check then names what is wrong, if anything)."""
    if type(value) is not dict:
        return False
    parts: list[str] = []
    for key, item in value.items():
        if type(key) is not str or type(item) is not str:
            return False
        parts += (key, item)
    return not parts or unstorable("".join(parts)) is None


def _store_schema(uow: UnitOfWork, old: Schema, new: Schema, *, path: str) -> None:
    uow.schemas.add(name=new.name, version=new.version, sha256=new.sha256, content=new.source_text)
    uow.record("extend", "label_schema", before={"version": old.version},
               after={"version": new.version, "source": path,
                      "added": [lb.name for lb in new.labels if not old.has_label(lb.name)]})


def _existing_set(uow: UnitOfWork, document_id: int, owner: str,
                  record: JsonlRecord) -> AnnotationSet | None:
    owner_id = uow.annotators.id_of(owner)
    if owner_id is None:
        return None
    set_id = uow.sets.find(document_id, owner_id, kind_for_owner(owner))
    return uow.sets.load(set_id, record.text) if set_id is not None else None


def _clear_set(uow: UnitOfWork, existing: AnnotationSet, record: JsonlRecord
               ) -> dict[str, Any] | None:
    """--replace: the set takes the record's status and loses its spans and relations (the
    record's go in); returns what it held (the replace event's ``before``), or None if empty."""
    set_id = existing.id
    assert set_id is not None
    if existing.status != record.status:
        uow.sets.set_status(set_id, record.status)
    if not (existing.spans or existing.relations):
        return None
    records = uow.sets.span_records([s.id for s in existing.spans if s.id is not None])
    uow.sets.delete_relations([r.id for r in existing.relations if r.id is not None])
    uow.sets.delete_spans([s.id for s in existing.spans if s.id is not None])
    return {"status": str(existing.status), "spans": [_span_record_state(r) for r in records],
            "relations": [[r.id, r.type, r.head, r.tail] for r in existing.relations]}


def _owner_id(uow: UnitOfWork, name: str) -> tuple[int, bool]:
    """The id of the owner ``name`` (gold and suggestions are the system's), and whether it was
    created now (the caller journals it)."""
    found = uow.annotators.id_of(name)
    if found is not None:
        return found, False
    role = Role.SYSTEM if name in RESERVED_OWNERS else Role.ANNOTATOR
    return uow.annotators.ensure(name, role), True


def _ensure_owner(uow: UnitOfWork, name: str, role: Role) -> int:
    """The annotator's id; one the import creates is journaled (an undo removes it again)."""
    found = uow.annotators.id_of(name)
    if found is not None:
        return found
    created = uow.annotators.ensure(name, role)
    uow.record("create", "annotator", entity_id=created, after={"name": name, "role": str(role)})
    return created


def _span_record_state(record: Any) -> dict[str, Any]:
    return {"id": record.id, "start": record.start, "end": record.end, "label": record.label,
            "attributes": dict(record.attributes), "note": record.note, "origin": record.origin,
            "provenance": record.provenance.to_json() if record.provenance else None,
            "source": record.source,
            "created_at": record.created_at.isoformat() if record.created_at else None,
            "updated_at": record.updated_at.isoformat() if record.updated_at else None}


def _set_signature(aset: AnnotationSet) -> tuple[object, ...]:
    return _signature({s.id: s for s in aset.spans},
                      [(r.type, r.head, r.tail) for r in aset.relations], status=aset.status)


def _record_signature(record: JsonlRecord) -> tuple[object, ...]:
    return _signature(dict(enumerate(record.spans)),
                      [(r.type, r.head, r.tail) for r in record.relations], status=record.status)


def _signature(spans: dict[object, Span], relations: Sequence[tuple[str, object, object]], *,
               status: SetStatus) -> tuple[object, ...]:
    """What two sets must share to be the same: status, spans (with attributes, note), relations."""
    where = {key: (s.start, s.end, s.label) for key, s in spans.items()}
    span_part = sorted((s.start, s.end, s.label, sorted(s.attributes.items()), s.note,
                        (s.provenance.decided_by, s.provenance.how.value, s.provenance.sources)
                        if s.provenance else ()) for s in spans.values())
    rel_part = sorted((kind, where[head], where[tail]) for kind, head, tail in relations)
    return (str(status), span_part, rel_part)


def describe_marks(result: FileResult) -> str | None:
    """``'24 invisible marks (RLM 24) removed'`` / ``'...: --strip-marks removes them'``."""
    if not result.marks:
        return None
    what = describe_counts(result.marks)
    return f"{what} removed" if result.marks_removed else \
        f"{what} in the text (--strip-marks removes them)"
