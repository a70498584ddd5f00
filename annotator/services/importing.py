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

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace
from pathlib import Path
from typing import Any

from annotator.core.errors import UserError, ValidationError
from annotator.core.label_map import LabelMap, MapResult, apply_map, check_targets, name_list
from annotator.core.marks import count_marks, describe_counts, strip_marks
from annotator.core.model import (
    RESERVED_OWNERS,
    AnnotationSet,
    Document,
    Relation,
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
        """A file of records: read whole (every bad line noted), validated, then written in one
        transaction, or not at all."""
        result = FileResult(path=str(path), format=fmt)
        if fmt == "conll" and _format_of(path, None) == "text":
            result.detected = "conll"
        try:
            schema = project_schema(self.store)
            objects, bad = self.read_records(path, fmt, schema, result)
            objects = _canonical_records(objects, path=path, bad=bad)
            objects = self.apply_label_map(objects, schema, result)
            objects = self.handle_marks(objects, result)
            extended = schema
            if self.add_labels:
                objects = _new_label_names(objects, schema, path=path, bad=bad)
                extended = with_labels(schema, _labels_in(objects))
            else:
                self.check_labels(objects, schema, path=path, bad=bad, result=result)
            records, invalid = _validate(objects, path=path, schema=extended)
            bad += invalid
            if not records and not bad:
                raise ValidationError("the file has no record to import", path=str(path))
            self.check_bad(bad, result, path=path, any_good=bool(records))
            with self.uow() as uow:
                if extended is not schema:
                    _store_schema(uow, schema, extended, path=str(path))
                self.write_records(uow, records, path=str(path), result=result)
        except ValidationError as exc:
            return FileResult(path=str(path), format=fmt, encoding=result.encoding,
                              error=str(exc), problems=result.problems, notes=result.notes,
                              detected=result.detected, marks=result.marks,
                              marks_removed=result.marks_removed, mapped=result.mapped,
                              dropped=result.dropped, merged=result.merged)
        return result

    def read_records(self, path: Path, fmt: str, schema: Schema, result: FileResult
                     ) -> tuple[list[tuple[int, dict[str, Any]]], list[ValidationError]]:
        objects: list[tuple[int, dict[str, Any]]] = []
        bad: list[ValidationError] = []
        if fmt == "jsonl":
            result.encoding = self.encoding or "utf-8"
            items: Iterable[tuple[int, Any]] = json_objects(path, encoding=self.encoding)
        else:
            reader = get_format(fmt).read
            if reader is None:
                raise UserError(f"the {fmt} format can be exported, not imported")
            context = dc_replace(self.context,
                                 annotator=self.annotator if self.annotator is not None
                                 else self.context.annotator,
                                 document_text=_document_text(self.store), schema=schema,
                                 add_labels=self.add_labels or self.label_map is not None)
            items = reader(path, context)
        for number, item in items:
            if isinstance(item, ValidationError):
                bad.append(item)
            elif isinstance(item, ReadNote) and item.kind == "marks":
                result.marks.update(item.counts or {})
                result.marks_removed = True
            elif isinstance(item, ReadNote):
                result.notes.append(item.message)
            else:
                objects.append((number, item))
        return objects, bad

    def apply_label_map(self, objects: list[tuple[int, dict[str, Any]]], schema: Schema,
                        result: FileResult) -> list[tuple[int, dict[str, Any]]]:
        if self.label_map is None:
            return objects
        known = frozenset(lb.name for lb in schema.labels)
        if self.add_labels:
            known = known | frozenset(self.label_map.pairs.values()) - {""}
        counts = MapResult()
        mapped = [(n, apply_map(obj, self.label_map, known, counts)) for n, obj in objects]
        result.mapped, result.dropped, result.merged = counts.mapped, counts.dropped, \
            counts.merged
        if counts.relations_dropped:
            result.notes.append(f"{result.path}: {counts.relations_dropped:,} relations to "
                                "dropped spans left out")
        return mapped

    def handle_marks(self, objects: list[tuple[int, dict[str, Any]]], result: FileResult
                     ) -> list[tuple[int, dict[str, Any]]]:
        """Count the invisible marks of the records' texts (each text once); with
        ``strip_marks``, remove them and move the spans' offsets along."""
        seen: set[str] = set()
        out: list[tuple[int, dict[str, Any]]] = []
        emptied = 0
        for number, obj in objects:
            text = obj.get("text")
            if not isinstance(text, str):
                out.append((number, obj))
                continue
            counts = count_marks(text)
            if counts and text not in seen:
                result.marks.update(counts)
            seen.add(text)
            if not counts or not self.strip_marks:
                out.append((number, obj))
                continue
            stripped, gone = _strip_record(obj, text)
            emptied += gone
            out.append((number, stripped))
        if self.strip_marks and result.marks:
            result.marks_removed = True
        if emptied:
            result.notes.append(f"{result.path}: {emptied:,} spans of invisible marks only "
                                "left out by --strip-marks")
        return out

    def check_labels(self, objects: list[tuple[int, dict[str, Any]]], schema: Schema, *,
                     path: Path, bad: list[ValidationError], result: FileResult) -> None:
        """Labels the schema lacks: one error for the file, naming a handful of them (after the
        file's bad lines, if it has some: all its errors at once)."""
        unknown: Counter[str] = Counter()
        first: dict[str, int] = {}
        for number, obj in objects:
            spans = obj.get("spans")
            if not isinstance(spans, list):
                continue
            for span in spans:
                label = span.get("label") if isinstance(span, dict) else None
                if isinstance(label, str) and label and not schema.has_label(label):
                    unknown[label] += 1
                    first.setdefault(label, number)
        if not unknown:
            return
        names = [name for name, _ in unknown.most_common()]
        shown = [f"{name} ({unknown[name]:,} span{'s' if unknown[name] != 1 else ''}, first on "
                 f"line {first[name]})" for name in names]
        example = ",".join(f"{name}=LABEL" for name in names[:2])
        them = "them" if len(names) > 1 else "it"
        error = ValidationError(
            f"{'labels' if len(names) > 1 else 'a label'} the project does not have: "
            f"{name_list(shown)}; --map {example} maps {them} onto the project's labels "
            f"({name_list([lb.name for lb in schema.labels])}), --add-labels adds {them}",
            path=str(path))
        if not bad:
            raise error
        result.problems = [str(e) for e in bad] + [str(error)]
        raise ValidationError(f"{len(bad):,} bad line{'s' if len(bad) != 1 else ''} and "
                              f"{'labels' if len(names) > 1 else 'a label'} the project does not "
                              "have; nothing imported from this file", path=str(path))

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

    def write_records(self, uow: UnitOfWork, records: list[JsonlRecord], *, path: str,
                      result: FileResult) -> None:
        """Resolve every record against the store (reads only), then write; one transaction."""
        plans: list[tuple[JsonlRecord, int | None, AnnotationSet | None]] = []
        conflicts: list[ValidationError] = []
        who = identity(uow, self.actor)
        for owner in dict.fromkeys(r.annotator if r.annotator is not None else self.annotator
                                   for r in records):
            if owner is not None:   # roles: one's own sets; gold for reviewers; leads anyone's
                try:
                    require_import(who, owner=owner, kind=kind_for_owner(owner))
                except UserError as exc:
                    raise ValidationError(str(exc), path=path) from None
        known = uow.documents.ids_by_sha({r.sha256 for r in records})
        taken = uow.documents.shas_by_external_id({r.doc_id for r in records})
        for record in records:
            try:
                plans.append(self.plan(uow, record, known, taken, path=path))
            except ValidationError as exc:
                conflicts.append(exc)
        if conflicts:
            if not self.skip_bad:
                raise conflicts[0] if len(conflicts) == 1 else ValidationError(
                    f"{len(conflicts)} records conflict with the store; nothing imported from "
                    f"this file: {'; '.join(e.detail for e in conflicts[:3])}"
                    + (" ..." if len(conflicts) > 3 else ""), path=path)
            result.problems += [str(e) for e in conflicts]
            result.skipped += len(conflicts)
        new_ids: dict[str, int] = {}
        counted: set[str] = set()
        for record, document_id, existing in plans:
            if document_id is None:
                document_id = new_ids.get(record.sha256)
            if document_id is None:
                doc = Document(external_id=record.doc_id, title=record.title, text=record.text,
                               sha256=record.sha256, source=record.meta.get("source_path"),
                               meta=record.meta)
                document_id = uow.documents.add_many([doc])[0]
                new_ids[record.sha256] = document_id
                result.documents_added += 1
                uow.record("import", "document", entity_id=document_id, document_id=document_id,
                           after={"external_id": doc.external_id, "sha256": doc.sha256,
                                  "title": doc.title, "length": len(doc.text), "source": path})
            elif record.sha256 not in new_ids and record.sha256 not in counted:
                result.documents_existing += 1
            counted.add(record.sha256)
            owner = record.annotator if record.annotator is not None else self.annotator
            if owner is None:
                continue
            if existing is not None and _set_signature(existing) == _record_signature(record):
                result.sets_existing += 1
                continue
            _write_set(uow, record, document_id, owner, existing, path=path, result=result)

    def plan(self, uow: UnitOfWork, record: JsonlRecord, known: dict[str, tuple[int, str]],
             taken: dict[str, str], *, path: str
             ) -> tuple[JsonlRecord, int | None, AnnotationSet | None]:
        if record.sha256 not in known and taken.get(record.doc_id, record.sha256) != record.sha256:
            raise ValidationError(f"doc_id {record.doc_id!r} is already another document in the "
                                  "store (its text differs)", path=path, line=record.line,
                                  field="doc_id")
        document_id = known[record.sha256][0] if record.sha256 in known else None
        owner = record.annotator if record.annotator is not None else self.annotator
        existing = None
        if document_id is not None and owner is not None:
            existing = _existing_set(uow, document_id, owner, record)
        if existing is not None and _set_signature(existing) != _record_signature(record) \
                and (existing.spans or existing.relations) and not self.replace:
            raise ValidationError(
                f"the store already has a different set of {owner!r} for {record.doc_id!r} "
                "(--replace replaces it); nothing from this file was imported", path=path,
                line=record.line, field="annotator")
        return record, document_id, existing


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


def _canonical_records(objects: list[tuple[int, dict[str, Any]]], *, path: Path,
                       bad: list[ValidationError]) -> list[tuple[int, dict[str, Any]]]:
    """Each record's text canonicalized as a text file's is (DESIGN invariant 1: BOM stripped,
    CRLF and CR -> LF, recorded in ``meta.canonicalization``), its spans' offsets moved along.
    A record whose span would be left empty (it covered only the CR of a CRLF, or the BOM) is
    refused (added to ``bad``). A record whose ``sha256`` does not hash its text as given is left
    as it is, for the validation to refuse."""
    out: list[tuple[int, dict[str, Any]]] = []
    for number, obj in objects:
        text = obj.get("text")
        if not isinstance(text, str) or not needs_canonical(text) or unstorable(text):
            out.append((number, obj))
            continue
        if "sha256" in obj and obj["sha256"] != sha256_text(text):
            out.append((number, obj))
            continue
        try:
            out.append((number, _canonical_record(obj, text)))
        except ValueError as exc:
            bad.append(ValidationError(str(exc), path=str(path), line=number, field="spans"))
    return out


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


def _new_label_names(objects: list[tuple[int, dict[str, Any]]], schema: Schema, *, path: Path,
                     bad: list[ValidationError]) -> list[tuple[int, dict[str, Any]]]:
    """With --add-labels: the records whose new labels can be label names (a letter, then
    letters, digits, ``_ . -``; at most LABEL_LIMIT characters); the others go to ``bad``."""
    out: list[tuple[int, dict[str, Any]]] = []
    for number, obj in objects:
        spans = obj.get("spans")
        wrong = next((s["label"] for s in spans if isinstance(s, dict)
                      and isinstance(s.get("label"), str) and s["label"]
                      and not schema.has_label(s["label"])
                      and (len(s["label"]) > LABEL_LIMIT or not LABEL_NAME.fullmatch(s["label"]))),
                     None) if isinstance(spans, list) else None
        if wrong is None:
            out.append((number, obj))
            continue
        shown = wrong if len(wrong) <= 40 else wrong[:40] + "…"
        bad.append(ValidationError(
            f"the label {shown!r} cannot be added to the schema: a label name is a letter, then "
            f"letters, digits, '_', '.' or '-', at most {LABEL_LIMIT} characters (--map renames "
            "it)", path=str(path), line=number, field="label"))
    return out


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
        why = unstorable(span.note) or unstorable_value(dict(span.attributes)) or \
            unstorable_value(dict(span.source) if span.source else None) or \
            unstorable_value(span.provenance.to_json() if span.provenance else None)
        if why is not None:
            raise fail(f"{why}: not allowed", f"spans[{i}]")


def _labels_in(objects: list[tuple[int, dict[str, Any]]]) -> list[str]:
    """The span labels of the records, in the order they first appear."""
    labels: dict[str, None] = {}
    for _, obj in objects:
        spans = obj.get("spans")
        if isinstance(spans, list):
            labels.update((s["label"], None) for s in spans
                          if isinstance(s, dict) and isinstance(s.get("label"), str) and s["label"])
    return list(labels)


def _store_schema(uow: UnitOfWork, old: Schema, new: Schema, *, path: str) -> None:
    uow.schemas.add(name=new.name, version=new.version, sha256=new.sha256, content=new.source_text)
    uow.record("extend", "label_schema", before={"version": old.version},
               after={"version": new.version, "source": path,
                      "added": [lb.name for lb in new.labels if not old.has_label(lb.name)]})


def _validate(objects: list[tuple[int, dict[str, Any]]], *, path: Path,
              schema: Schema) -> tuple[list[JsonlRecord], list[ValidationError]]:
    """The valid records, and an error for each invalid one (all of them, not the first)."""
    records: list[JsonlRecord] = []
    bad: list[ValidationError] = []
    texts: dict[str, tuple[str, int]] = {}
    sets: dict[tuple[str, str], int] = {}
    for number, obj in objects:
        try:
            record = parse_record(obj, path=str(path), line=number, schema=schema)
            _check_storable(record, path=str(path))
            first = texts.setdefault(record.doc_id, (record.sha256, number))
            if first[0] != record.sha256:
                raise ValidationError(f"doc_id {record.doc_id!r} has another text on line "
                                      f"{first[1]}", path=str(path), line=number, field="text")
            if record.annotator is not None:
                key = (record.sha256, record.annotator)
                if key in sets:
                    raise ValidationError(
                        f"a second set of {record.annotator!r} for {record.doc_id!r} (first on "
                        f"line {sets[key]})", path=str(path), line=number, field="annotator")
                sets[key] = number
        except ValidationError as exc:
            bad.append(exc)
            continue
        records.append(record)
    return records, bad


def _existing_set(uow: UnitOfWork, document_id: int, owner: str,
                  record: JsonlRecord) -> AnnotationSet | None:
    owner_id = uow.annotators.id_of(owner)
    if owner_id is None:
        return None
    set_id = uow.sets.find(document_id, owner_id, kind_for_owner(owner))
    return uow.sets.load(set_id, record.text) if set_id is not None else None


def _write_set(uow: UnitOfWork, record: JsonlRecord, document_id: int, owner: str,
               existing: AnnotationSet | None, *, path: str, result: FileResult) -> None:
    kind = kind_for_owner(owner)
    role = Role.SYSTEM if owner in RESERVED_OWNERS else Role.ANNOTATOR
    owner_id = _ensure_owner(uow, owner, role)
    if existing is not None and existing.id is not None:
        set_id = existing.id
        if existing.status != record.status:
            uow.sets.set_status(set_id, record.status)
        if existing.spans or existing.relations:  # --replace: the file's set replaces it
            records = uow.sets.span_records([s.id for s in existing.spans if s.id is not None])
            uow.sets.delete_relations([r.id for r in existing.relations if r.id is not None])
            uow.sets.delete_spans([s.id for s in existing.spans if s.id is not None])
            uow.record("replace", "annotation_set", entity_id=set_id, document_id=document_id,
                       set_id=set_id, before={"status": str(existing.status),
                                              "spans": [_span_record_state(r) for r in records],
                                              "relations": [[r.id, r.type, r.head, r.tail]
                                                            for r in existing.relations]},
                       after=None)
    else:
        set_id = uow.sets.create(document_id, owner_id, kind, status=record.status)
    span_ids = uow.sets.add_spans(set_id, record.spans, by=uow.actor)
    relations = [Relation(type=r.type, head=span_ids[r.head], tail=span_ids[r.tail])
                 for r in record.relations]
    uow.sets.add_relations(set_id, relations)
    after: dict[str, Any] = {"owner": owner, "kind": str(kind), "status": str(record.status),
                             "spans": len(span_ids), "relations": len(relations), "source": path,
                             "line": record.line}
    if existing is not None:
        after["span_ids"] = span_ids     # what an undo removes from a set that was there before
    uow.record("import", "annotation_set", entity_id=set_id, document_id=document_id, set_id=set_id,
               before=None if existing is None else {"status": str(existing.status),
                                                     "spans": len(existing.spans)},
               after=after)
    result.sets_added += 1
    result.spans_added += len(span_ids)


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
