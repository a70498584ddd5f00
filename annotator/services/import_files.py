"""The importer of one :func:`~annotator.services.importing.import_paths` call: the format of each
file; text files and HTML pages read, canonicalized and written in batches of documents (with the
sets of the annotator they are given to); every other file handed, one transaction each, to a run
of records (annotator/services/import_records.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from dataclasses import replace as dc_replace
from pathlib import Path
from typing import Any

from annotator.core.collector import cycle_collector_paused
from annotator.core.errors import UserError, ValidationError
from annotator.core.label_map import LabelMap
from annotator.core.marks import count_marks, strip_marks
from annotator.core.model import Document, Role, SetKind
from annotator.core.roles import require_lead
from annotator.core.schema import Schema
from annotator.core.sniff import CONVERT_HINT, binary_kind, looks_like_conll, looks_like_html
from annotator.core.text import canonicalize, sha256_text
from annotator.db.store import Store, UnitOfWork
from annotator.exports.base import ImportContext
from annotator.exports.jsonl import NotNativeLine, json_objects
from annotator.exports.registry import SUFFIXES, get_format
from annotator.services.decoding import decode_bytes
from annotator.services.import_records import _RecordsRun
from annotator.services.import_report import FileResult, ImportReport, Progress
from annotator.services.project import project_schema
from annotator.services.team import identity

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
TEXT_BATCH = 200
TITLE_LIMIT = 200


#: what to do with JSON lines that are not native JSONL
SPANS_JSONL_HINT = ("a file of texts with their spans imports with --format spans-jsonl and the "
                    "names of its fields (--text-field, --spans-field, --start, --end, --label: "
                    "annotator import --help)")


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
        # a stranger's JSON lines (a tweet and its spans ...) taken for native JSONL
        foreign = not any_good and all(isinstance(e, NotNativeLine) for e in bad)
        if not self.skip_bad and len(bad) == 1:
            if foreign:
                first = bad[0]
                raise ValidationError(f"{first.detail}; {SPANS_JSONL_HINT}", path=first.path,
                                      line=first.line, field=first.field)
            raise bad[0]          # one bad line: its own message is the one line to print
        result.problems = [str(e) for e in bad]
        if foreign:
            none = "not native JSONL" if lines == 1 else "none of them native JSONL"
            raise ValidationError(f"{what}, {none}; {SPANS_JSONL_HINT}", path=str(path))
        if not self.skip_bad:
            raise ValidationError(f"{what}; nothing imported from this file (--skip-bad imports "
                                  "the good part)", path=str(path))
        if not any_good:
            raise ValidationError(f"{what} and nothing good to import", path=str(path))
        result.skipped = lines


def _document_text(store: Store) -> Callable[[str], str | None]:
    def lookup(external_id: str) -> str | None:
        with store.unit_of_work(write=False) as uow:
            document = uow.documents.by_external_id(external_id)
        return document.text if document is not None else None

    return lookup


def _ensure_owner(uow: UnitOfWork, name: str, role: Role) -> int:
    """The annotator's id; one the import creates is journaled (an undo removes it again)."""
    found = uow.annotators.id_of(name)
    if found is not None:
        return found
    created = uow.annotators.ensure(name, role)
    uow.record("create", "annotator", entity_id=created, after={"name": name, "role": str(role)})
    return created
