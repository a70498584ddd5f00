"""Import text files and native JSONL into the store.

Every file is validated before anything is written, and each file is all-or-nothing: a bad file is
reported (file, line, field) and changes nothing, while the good files of the same call are kept.
Importing the same file twice adds nothing: a document with the same SHA-256 is the same document.
"""

from __future__ import annotations


from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from annotator.core.errors import UserError, ValidationError
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
from annotator.core.text import canonicalize, sha256_text
from annotator.db.store import Store, UnitOfWork
from annotator.exports.base import ImportContext
from annotator.exports.jsonl import JsonlRecord, json_objects, parse_record
from annotator.exports.registry import SUFFIXES, get_format
from annotator.services.decoding import decode_bytes
from annotator.services.project import project_schema
from annotator.services.team import identity

TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl",)
TEXT_BATCH = 200
TITLE_LIMIT = 200

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


@dataclass
class ImportReport:
    files: list[FileResult] = field(default_factory=list)

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


def discover(paths: Iterable[Path], suffixes: tuple[str, ...] = TEXT_SUFFIXES + JSONL_SUFFIXES
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
                 context: ImportContext | None = None) -> ImportReport:
    """Import every file of ``paths`` (folders recursively); see the module docstring.

    ``fmt`` names a format of annotator.exports (default: .txt files are text, .jsonl native
    JSONL, other suffixes as the registry maps them). ``add_labels`` adds labels the schema lacks
    (a new schema version, written with the file that needs it); ``replace`` replaces a set the
    store already has for the same owner instead of refusing the file.
    """
    if annotator is not None and fmt in (None, "text", "jsonl"):
        _check_owner_name(annotator)
    suffixes = TEXT_SUFFIXES + JSONL_SUFFIXES if fmt is None else \
        (TEXT_SUFFIXES if fmt == "text" else (get_format(fmt).suffix or ".txt",))
    if fmt is None and any(Path(p).is_dir() and (Path(p) / "annotation.conf").is_file()
                           for p in paths):
        fmt = "brat"  # a brat collection: its .txt files are the texts of its .ann files
    if fmt not in (None, "text") and get_format(fmt).suffix == "":
        files = [Path(p) for p in paths]  # a folder format: its reader takes each folder whole
        missing = [p for p in files if not p.exists()]
        if missing:
            raise UserError(f"{missing[0]}: no such file or folder")
    else:
        files = discover(paths, suffixes)
    report = ImportReport()
    texts = [p for p in files if _format_of(p, fmt) == "text"]
    others = [p for p in files if _format_of(p, fmt) != "text"]
    done = 0
    for start in range(0, len(texts), TEXT_BATCH):
        batch = texts[start:start + TEXT_BATCH]
        report.files.extend(_import_text_batch(store, batch, annotator=annotator, encoding=encoding,
                                               actor=actor))
        done += len(batch)
        if progress:
            progress(done, len(files))
    base = context or ImportContext()
    for path in others:
        name = _format_of(path, fmt)
        file_context = ImportContext(scheme=base.scheme, nested=base.nested,
                                     annotator=annotator if annotator is not None else base.annotator,
                                     document_text=_document_text(store),
                                     schema=project_schema(store), add_labels=add_labels)
        report.files.append(_import_records(store, path, fmt=name, annotator=annotator,
                                           encoding=encoding, actor=actor, add_labels=add_labels,
                                           replace=replace, context=file_context))
        done += 1
        if progress:
            progress(done, len(files))
    return report


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt is not None:
        return fmt
    if path.suffix.lower() in JSONL_SUFFIXES:
        return "jsonl"
    return SUFFIXES.get(path.suffix.lower(), "text")


def _document_text(store: Store) -> Callable[[str], str | None]:
    def lookup(external_id: str) -> str | None:
        with store.unit_of_work(write=False) as uow:
            document = uow.documents.by_external_id(external_id)
        return document.text if document is not None else None

    return lookup


def _check_owner_name(name: str) -> None:
    if not name.strip():
        raise UserError("--annotator needs a name")
    if name in RESERVED_OWNERS:
        raise UserError(f"{name!r} is reserved for the {name} set; choose another annotator name")


# -- text files -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _TextDraft:
    result: FileResult
    document: Document


def _read_text_file(path: Path, *, encoding: str | None) -> _TextDraft:
    result = FileResult(path=str(path), format="text")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"cannot read: {exc.strerror}", path=str(path)) from exc
    decoded = decode_bytes(data, path=str(path), encoding=encoding)
    text, steps = canonicalize(decoded.text)
    if not text.strip():
        raise ValidationError("the file has no text", path=str(path))
    result.encoding = decoded.encoding
    title = next(line.strip() for line in text.split("\n") if line.strip())
    if len(title) > TITLE_LIMIT:
        title = title[:TITLE_LIMIT - 1] + "…"
    source = str(path.resolve())
    meta = {"source_path": source, "encoding": decoded.encoding, "canonicalization": list(steps)}
    document = Document(external_id=path.stem, title=title, text=text, sha256=sha256_text(text),
                        source=source, meta=meta)
    return _TextDraft(result, document)


def _import_text_batch(store: Store, paths: Sequence[Path], *, annotator: str | None,
                       encoding: str | None, actor: str) -> list[FileResult]:
    results: list[FileResult] = []
    drafts: list[_TextDraft] = []
    for path in paths:
        try:
            drafts.append(_read_text_file(path, encoding=encoding))
        except ValidationError as exc:
            results.append(FileResult(path=str(path), format="text", error=str(exc)))
    if not drafts:
        return results
    with store.unit_of_work(actor=actor) as uow:
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
            doc = Document(external_id=external_id, title=draft.document.title,
                           text=draft.document.text, sha256=sha, source=draft.document.source,
                           meta=draft.document.meta)
            pending[sha] = draft
            new_docs.append(doc)
            draft.result.documents_added = 1
        for doc, new_id in zip(new_docs, uow.documents.add_many(new_docs)):
            doc_id_of[doc.sha256] = new_id
            uow.record("import", "document", entity_id=new_id, document_id=new_id,
                       after={"external_id": doc.external_id, "sha256": doc.sha256,
                              "title": doc.title, "length": len(doc.text), "source": doc.source,
                              "encoding": doc.meta.get("encoding")})
        if annotator is not None:
            if annotator != actor:
                require_lead(identity(uow, actor), f"give {annotator!r} documents to annotate")
            owner_id = uow.annotators.ensure(annotator)
            for draft in drafts:
                document_id = doc_id_of[draft.document.sha256]
                if uow.sets.find(document_id, owner_id, SetKind.ANNOTATION) is None:
                    set_id = uow.sets.create(document_id, owner_id, SetKind.ANNOTATION)
                    uow.record("assign", "annotation_set", entity_id=set_id, document_id=document_id,
                               set_id=set_id, after={"owner": annotator, "kind": "annotation",
                                                     "status": "todo"})
                    draft.result.sets_added += 1
                else:
                    draft.result.sets_existing += 1
    return results + [d.result for d in drafts]


# -- native JSONL -----------------------------------------------------------------------------


def _import_records(store: Store, path: Path, *, fmt: str, annotator: str | None,
                    encoding: str | None, actor: str, add_labels: bool, replace: bool,
                    context: ImportContext) -> FileResult:
    """A file of records (native JSONL or a format's reader): validated whole, then written in
    one transaction, or not at all."""
    result = FileResult(path=str(path), format=fmt)
    try:
        schema = project_schema(store)
        if fmt == "jsonl":
            result.encoding = encoding or "utf-8"
            objects = list(json_objects(path, encoding=encoding))
        else:
            reader = get_format(fmt).read
            if reader is None:
                raise UserError(f"the {fmt} format can be exported, not imported")
            objects = list(reader(path, context))
        extended = schema
        if add_labels:
            extended = with_labels(schema, _labels_in(objects))
        records = _validate(objects, path=path, schema=extended)
        with store.unit_of_work(actor=actor) as uow:
            if extended is not schema:
                _store_schema(uow, schema, extended, path=str(path))
            _write_jsonl(uow, records, path=str(path), annotator=annotator, result=result,
                         replace=replace)
    except ValidationError as exc:
        return FileResult(path=str(path), format=fmt, encoding=result.encoding, error=str(exc))
    return result


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
              schema: Schema) -> list[JsonlRecord]:
    records: list[JsonlRecord] = []
    texts: dict[str, tuple[str, int]] = {}
    sets: dict[tuple[str, str], int] = {}
    for number, obj in objects:
        record = parse_record(obj, path=str(path), line=number, schema=schema)
        first = texts.setdefault(record.doc_id, (record.sha256, number))
        if first[0] != record.sha256:
            raise ValidationError(f"doc_id {record.doc_id!r} has another text on line {first[1]}",
                                  path=str(path), line=number, field="text")
        if record.annotator is not None:
            key = (record.sha256, record.annotator)
            if key in sets:
                raise ValidationError(
                    f"a second set of {record.annotator!r} for {record.doc_id!r} (first on line "
                    f"{sets[key]})", path=str(path), line=number, field="annotator")
            sets[key] = number
        records.append(record)
    if not records:
        raise ValidationError("the file has no record to import", path=str(path))
    return records


def _write_jsonl(uow: UnitOfWork, records: list[JsonlRecord], *, path: str,
                 annotator: str | None, result: FileResult, replace: bool = False) -> None:
    """Resolve every record against the store (reads only), then write; one transaction."""
    plans: list[tuple[JsonlRecord, int | None, AnnotationSet | None]] = []
    who = identity(uow, uow.actor)
    for owner in dict.fromkeys(r.annotator if r.annotator is not None else annotator
                               for r in records):
        if owner is not None:
            try:
                require_import(who, owner=owner, kind=kind_for_owner(owner))
            except UserError as exc:
                raise ValidationError(str(exc), path=path) from None
    known = uow.documents.ids_by_sha({r.sha256 for r in records})
    taken = uow.documents.shas_by_external_id({r.doc_id for r in records})
    for record in records:
        if record.sha256 not in known and taken.get(record.doc_id, record.sha256) != record.sha256:
            raise ValidationError(f"doc_id {record.doc_id!r} is already another document in the "
                                  "store (its text differs)", path=path, line=record.line,
                                  field="doc_id")
        document_id = known[record.sha256][0] if record.sha256 in known else None
        owner = record.annotator if record.annotator is not None else annotator
        existing = None
        if document_id is not None and owner is not None:
            existing = _existing_set(uow, document_id, owner, record)
        if existing is not None and _set_signature(existing) != _record_signature(record) \
                and (existing.spans or existing.relations) and not replace:
            raise ValidationError(
                f"the store already has a different set of {owner!r} for {record.doc_id!r} "
                "(--replace replaces it); nothing from this file was imported", path=path,
                line=record.line,
                field="annotator")
        plans.append((record, document_id, existing))

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
        owner = record.annotator if record.annotator is not None else annotator
        if owner is None:
            continue
        if existing is not None and _set_signature(existing) == _record_signature(record):
            result.sets_existing += 1
            continue
        _write_set(uow, record, document_id, owner, existing, path=path, result=result)


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
    owner_id = uow.annotators.ensure(owner, role)
    if existing is not None and existing.id is not None:
        set_id = existing.id
        if existing.status != record.status:
            uow.sets.set_status(set_id, record.status)
        if existing.spans or existing.relations:  # --replace: the file's set replaces it
            uow.sets.delete_relations([r.id for r in existing.relations if r.id is not None])
            uow.sets.delete_spans([s.id for s in existing.spans if s.id is not None])
            uow.record("replace", "annotation_set", entity_id=set_id, document_id=document_id,
                       set_id=set_id, before={"status": str(existing.status),
                                              "spans": [_span_state(s) for s in existing.spans],
                                              "relations": [[r.type, r.head, r.tail]
                                                            for r in existing.relations]},
                       after=None)
    else:
        set_id = uow.sets.create(document_id, owner_id, kind, status=record.status)
    span_ids = uow.sets.add_spans(set_id, record.spans)
    relations = [Relation(type=r.type, head=span_ids[r.head], tail=span_ids[r.tail])
                 for r in record.relations]
    uow.sets.add_relations(set_id, relations)
    uow.record("import", "annotation_set", entity_id=set_id, document_id=document_id, set_id=set_id,
               before=None if existing is None else {"status": str(existing.status),
                                                     "spans": len(existing.spans)},
               after={"owner": owner, "kind": str(kind), "status": str(record.status),
                      "spans": len(span_ids), "relations": len(relations), "source": path,
                      "line": record.line})
    result.sets_added += 1
    result.spans_added += len(span_ids)


def _span_state(span: Span) -> dict[str, Any]:
    return {"id": span.id, "start": span.start, "end": span.end, "label": span.label,
            "attributes": dict(span.attributes), "note": span.note}


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
