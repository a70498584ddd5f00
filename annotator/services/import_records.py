"""A file of records on its way into the store: each record, as it is read, canonicalized (BOM,
line breaks: its spans' offsets moved along), mapped onto the project's labels, stripped of
invisible marks, its labels checked (or added to the schema), and validated alone and against the
records before it, what no store can hold refused line by line; the good ones go to the writer
(annotator/services/import_writer.py)."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.core.errors import ValidationError
from annotator.core.label_map import MapResult, apply_map, name_list
from annotator.core.marks import count_marks, strip_marks
from annotator.core.model import RESERVED_OWNERS
from annotator.core.schema import Schema, with_labels
from annotator.core.text import (
    canonical_text,
    canonicalize,
    needs_canonical,
    sha256_text,
    unstorable,
    unstorable_value,
)
from annotator.db.store import UnitOfWork
from annotator.exports.base import ReadNote
from annotator.exports.jsonl import JsonlRecord, parse_record
from annotator.exports.tokens import LABEL as LABEL_NAME
from annotator.services.import_report import FileResult
from annotator.services.import_writer import _RecordWriter, _store_schema
from annotator.services.team import NAME_LIMIT

if TYPE_CHECKING:
    from annotator.services.import_files import _Importer

#: what the store's columns hold: document ids, annotator names, label names (characters)
DOC_ID_LIMIT = 255
LABEL_LIMIT = 64


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
