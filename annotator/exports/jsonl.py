"""Native JSONL: one line per document and annotation set (DESIGN section 4).

    {"doc_id": "seed-000", "title": "...", "text": "...", "sha256": "…", "annotator": "gold", "status": "done",
     "spans": [{"id": "s1", "start": 0, "end": 5, "label": "actor", "text": "فرنسا", "attributes": {}}], "relations": [], "meta": {}}

Offsets are code points, end exclusive. ``annotator`` is the set's owner (``gold`` and ``suggestions``
are reserved) or null for a document with no set. Span ids are written ``s1, s2, ...`` in span order
(start, end, label), so the same store always gives the same file.

A span that came from a suggester (the ``suggestions`` set's spans, and the spans an annotator
accepted from them) has ``"origin": "suggested"`` and ``"source": {"suggester": "quotes",
"confidence": 0.9}``; other spans have neither (an import makes them ``imported``), so that
export -> import -> export gives the same bytes. ``origin``, when given, must be ``suggested``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.core.errors import ValidationError
from annotator.core.label_map import name_list
from annotator.core.model import AnnotationSet, Document, Origin, Provenance, SetStatus, Span
from annotator.core.schema import Schema
from annotator.core.text import sha256_text, unstorable
from annotator.exports.atomic import atomic_text_writer
from annotator.exports.base import (
    ExportItem,
    ExportOptions,
    ExportReport,
    Format,
    ImportContext,
    ReadItem,
    counting_documents,
)

FIELDS = ("doc_id", "title", "text", "sha256", "annotator", "status", "spans", "relations", "meta")


def format_line(document: Document, aset: AnnotationSet | None) -> str:
    """The JSONL line (without newline) for ``document`` and one of its sets (or None).

    ``aset.spans`` must be in span order (start, end, label), as the store returns them.
    """
    text = document.text
    spans: list[dict[str, Any]] = []
    number_of: dict[int | None, int] = {}
    for number, span in enumerate(aset.spans if aset else (), start=1):
        if text[span.start:span.end] != span.text:
            raise ValueError(f"document {document.external_id}: span {span.start}-{span.end} "
                             f"does not match the text")
        number_of[span.id] = number
        item: dict[str, Any] = {"id": f"s{number}", "start": span.start, "end": span.end,
                                "label": span.label, "text": span.text,
                                "attributes": span.attributes}
        if span.note:
            item["note"] = span.note
        if span.provenance is not None:
            item["provenance"] = span.provenance.to_json()
        if span.origin == Origin.SUGGESTED:
            item["origin"] = Origin.SUGGESTED.value
            if span.source is not None:
                item["source"] = dict(span.source)
        spans.append(item)
    relations = [{"type": kind, "head": f"s{head}", "tail": f"s{tail}"} for kind, head, tail in
                 sorted((r.type, number_of[r.head], number_of[r.tail]) for r in aset.relations)] \
        if aset else []
    record = {
        "doc_id": document.external_id, "title": document.title, "text": text,
        "sha256": document.sha256,
        "annotator": aset.owner if aset else None,
        "status": aset.status.value if aset else None,
        "spans": spans, "relations": relations, "meta": document.meta,
    }
    return json.dumps(record, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class RelationDraft:
    type: str
    head: int  # index into JsonlRecord.spans
    tail: int


@dataclass(frozen=True, slots=True)
class JsonlRecord:
    """One validated line: a document and, unless ``annotator`` is None, one of its sets."""

    line: int
    doc_id: str
    title: str
    text: str
    sha256: str
    meta: Mapping[str, Any]
    annotator: str | None
    status: SetStatus
    spans: tuple[Span, ...]
    relations: tuple[RelationDraft, ...]


def parse_line(raw: str, *, path: str, line: int, schema: Schema) -> JsonlRecord | None:
    """Validate one line; None for a blank line. Raises ValidationError naming path, line, field."""
    obj = decode_line(raw, path=path, line=line)
    return None if obj is None else parse_record(obj, path=path, line=line, schema=schema)


def decode_line(raw: str, *, path: str, line: int) -> dict[str, Any] | None:
    """The JSON object of one line; None for a blank line.

    Refused with the line named: JSON that does not parse, nests too deep, holds an integer of
    more than 4,300 digits, a lone surrogate escape (not Unicode text) or a NUL character
    (PostgreSQL stores neither)."""
    if not raw.strip():
        return None
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"not valid JSON ({exc.msg} at column {exc.colno})", path=path,
                              line=line) from exc
    except RecursionError:
        raise ValidationError("JSON nested too deep to read", path=path, line=line) from None
    except ValueError as exc:      # an integer of more than 4,300 digits
        raise ValidationError(f"not readable JSON: {exc}".split(";")[0], path=path,
                              line=line) from None
    if not isinstance(obj, dict):
        raise ValidationError("each line must be a JSON object", path=path, line=line)
    if _RISKY_ESCAPE.search(raw):
        _check_unicode(obj, path=path, line=line)
    return obj


_RISKY_ESCAPE = re.compile(r"\\u(?:[dD][89a-fA-F]|0000)")


def _check_unicode(obj: dict[str, Any], *, path: str, line: int) -> None:
    """Every string (keys too) encodes as UTF-8 and holds no NUL (walked without recursion)."""
    stack: list[Any] = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            if "\x00" in item:
                raise ValidationError("a NUL character (\\u0000): not allowed in text",
                                      path=path, line=line)
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise ValidationError("a lone surrogate escape (\\ud800-\\udfff not in a "
                                      "pair): not Unicode text", path=path, line=line) from None


class NotNativeLine(ValidationError):
    """A line without a doc_id: some other shape of JSON lines (the importer tells a file of
    such lines how to import it)."""


def parse_record(obj: dict[str, Any], *, path: str, line: int, schema: Schema) -> JsonlRecord:
    """Validate one native record (from this format or converted from another by its reader)."""

    def fail(message: str, field: str | None = None) -> ValidationError:
        return ValidationError(message, path=path, line=line, field=field)
    if "doc_id" not in obj:   # (another format's reader always gives one)
        keys = ", ".join(list(obj)[:8]) + (", ..." if len(obj) > 8 else "")
        raise NotNativeLine("missing: not a line of annotator's native JSONL (the line's "
                            f"keys: {keys or 'none'})", path=path, line=line, field="doc_id")
    doc_id = obj.get("doc_id")
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise fail("must be a non-empty string", "doc_id")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        raise fail("must be a non-empty string", "text")
    why = unstorable(text)
    if why is not None:
        raise fail(f"{why}: not allowed in text", "text")
    digest = sha256_text(text)
    sha = obj.get("sha256", digest)
    if sha != digest:
        raise fail(f"does not match the text (the text hashes to {digest})", "sha256")
    title = obj.get("title")
    if title is None:
        title = next((ln.strip() for ln in text.splitlines() if ln.strip()), doc_id)
    if not isinstance(title, str):
        raise fail("must be a string", "title")
    meta = obj.get("meta", {})
    if not isinstance(meta, dict):
        raise fail("must be an object", "meta")
    annotator = obj.get("annotator")
    if annotator is not None and (not isinstance(annotator, str) or not annotator.strip()):
        raise fail("must be a non-empty string or null", "annotator")
    status_raw = obj.get("status") or "todo"
    try:
        status = SetStatus(status_raw)
    except ValueError:
        raise fail(f"must be one of {[s.value for s in SetStatus]}, not {status_raw!r}", "status") \
            from None
    spans, index_of = _parse_spans(obj.get("spans", []), text, schema, fail)
    relations = _parse_relations(obj.get("relations", []), spans, index_of, schema, fail)
    if annotator is None and (spans or relations):
        raise fail("spans or relations need an annotator (the set's owner)", "annotator")
    return JsonlRecord(line=line, doc_id=doc_id, title=title, text=text, sha256=digest, meta=meta,
                       annotator=annotator, status=status, spans=tuple(spans),
                       relations=tuple(relations))


class _Rules:
    """What checking records needs of a schema, looked up once: label names, each label's
    attributes and their values, each relation type's ends."""

    __slots__ = ("attributes", "labels", "relations", "schema")

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.labels = frozenset(lb.name for lb in schema.labels)
        self.attributes: dict[str, dict[str, tuple[str, ...]]] = {
            lb.name: {a.name: a.values for a in schema.attributes_of(lb.name)}
            for lb in schema.labels}
        self.relations = {r.name: (r.head, r.tail) for r in schema.relations}


_rules_seen: list[_Rules] = []


def _rules(schema: Schema) -> _Rules:
    """The rules of ``schema`` (the last schema's are kept: an import checks every record of a
    file against the same one)."""
    if _rules_seen and _rules_seen[0].schema is schema:
        return _rules_seen[0]
    rules = _Rules(schema)
    _rules_seen[:] = [rules]
    return rules


def _fits(known: dict[str, tuple[str, ...]] | None, attributes: dict[str, Any]) -> bool:
    """Whether every attribute is one of the label's, with one of its values."""
    if known is None:
        return False
    for key, value in attributes.items():
        values = known.get(key)
        if values is None or value not in values:
            return False
    return True


def _parse_spans(items: Any, text: str, schema: Schema, fail: Any) -> tuple[list[Span], dict[str, int]]:
    """The spans of a record. A span is checked the quick way first (the usual span: an
    object with a string id, integer offsets inside the text, a known label, fitting
    attributes); any other goes through every check in turn, which names what is wrong."""
    if not isinstance(items, list):
        raise fail("must be a list", "spans")
    rules = _rules(schema)
    labels, label_attributes = rules.labels, rules.attributes
    size = len(text)
    spans: list[Span] = []
    index_of: dict[str, int] = {}
    seen: set[tuple[int, int, str]] = set()
    imported = Origin.IMPORTED
    for i, item in enumerate(items):
        if type(item) is dict and "origin" not in item and "source" not in item \
                and item.get("provenance") is None:
            key = item.get("id", f"#{i}")
            start, end, label = item.get("start"), item.get("end"), item.get("label")
            attributes = item.get("attributes", {})
            note = item.get("note", "")
            if type(key) is str and key not in index_of and type(start) is int \
                    and type(end) is int and 0 <= start < end <= size and type(label) is str \
                    and label in labels and type(attributes) is dict and type(note) is str \
                    and (not attributes or _fits(label_attributes.get(label), attributes)) \
                    and (start, end, label) not in seen:
                cut = text[start:end]
                if "text" not in item or item["text"] == cut:
                    seen.add((start, end, label))
                    index_of[key] = len(spans)
                    spans.append(Span(start, end, label, cut, None, attributes, note, imported))
                    continue
        key, span = _checked_span(i, item, text, schema, fail, index_of, seen)
        seen.add((span.start, span.end, span.label))
        index_of[key] = len(spans)
        spans.append(span)
    return spans, index_of


def _checked_span(i: int, item: Any, text: str, schema: Schema, fail: Any,
                  index_of: dict[str, int], seen: set[tuple[int, int, str]]) -> tuple[str, Span]:
    """Span ``i`` of a record, through every check in turn: the first that fails is raised."""
    where = f"spans[{i}]"
    if not isinstance(item, dict):
        raise fail("must be an object", where)
    key = item.get("id", f"#{i}")
    if not isinstance(key, (str, int)) or isinstance(key, bool):
        raise fail("must be a string or an integer", f"{where}.id")
    key = str(key)
    if key in index_of:
        raise fail(f"span id {key!r} is used twice", f"{where}.id")
    start, end = item.get("start"), item.get("end")
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise fail("must be an integer", f"{where}.{name}")
    if not 0 <= start < end:
        raise fail(f"span {start}-{end} must have 0 <= start < end", where)
    if end > len(text):
        raise fail(f"span {start}-{end} is outside the text ({len(text)} characters)", where)
    label = item.get("label")
    if not isinstance(label, str) or not schema.has_label(label):
        known = name_list([lb.name for lb in schema.labels])
        raise fail(f"unknown label {label!r} (the schema has {known}; --map maps it onto "
                   "one of them, --add-labels adds it)", f"{where}.label")
    cut = text[start:end]
    if "text" in item and item["text"] != cut:
        raise fail(f"is {item['text']!r} but the text at {start}-{end} is {cut!r}", f"{where}.text")
    attributes = item.get("attributes", {})
    if not isinstance(attributes, dict):
        raise fail("must be an object", f"{where}.attributes")
    problem = schema.check_attributes(label, attributes)
    if problem:
        raise fail(problem, f"{where}.attributes")
    note = item.get("note", "")
    if not isinstance(note, str):
        raise fail("must be a string", f"{where}.note")
    if (start, end, label) in seen:
        raise fail(f"the same span {start}-{end} {label!r} appears twice", where)
    provenance = None
    if item.get("provenance") is not None:
        try:
            provenance = Provenance.from_json(item["provenance"])
        except ValueError as exc:
            raise fail(str(exc), f"{where}.provenance") from None
    origin, source = _parse_origin(item, where, fail)
    return key, Span(start=start, end=end, label=label, text=cut, attributes=attributes,
                     note=note, origin=origin, provenance=provenance, source=source)


def _parse_origin(item: dict[str, Any], where: str, fail: Any
                  ) -> tuple[Origin, dict[str, Any] | None]:
    """A span's ``origin`` (only ``suggested`` is written; left out: imported) and ``source``
    (with ``suggested`` only: ``{"suggester": NAME, "confidence": 0..1}``)."""
    origin = item.get("origin")
    source = item.get("source")
    if origin is None:
        if source is not None:
            raise fail('is only for a span with "origin": "suggested"', f"{where}.source")
        return Origin.IMPORTED, None
    if origin != Origin.SUGGESTED.value:
        raise fail(f'must be "suggested" or left out (other spans are imported), not {origin!r}',
                   f"{where}.origin")
    if source is None:
        return Origin.SUGGESTED, None
    if not isinstance(source, dict) or set(source) != {"suggester", "confidence"}:
        raise fail('must be {"suggester": NAME, "confidence": NUMBER}', f"{where}.source")
    suggester, confidence = source["suggester"], source["confidence"]
    if not isinstance(suggester, str) or not suggester.strip() or len(suggester) > 40:
        raise fail("must be a non-empty name of at most 40 characters",
                   f"{where}.source.suggester")
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) \
            or not 0 <= confidence <= 1:
        raise fail(f"must be a number from 0 to 1, not {confidence!r}",
                   f"{where}.source.confidence")
    return Origin.SUGGESTED, {"suggester": suggester, "confidence": confidence}


def _parse_relations(items: Any, spans: list[Span], index_of: dict[str, int], schema: Schema,
                     fail: Any) -> list[RelationDraft]:
    """The relations of a record: the usual one (string ends naming two spans of the types the
    relation links) the quick way, any other through every check in turn."""
    if not isinstance(items, list):
        raise fail("must be a list", "relations")
    ends_of = _rules(schema).relations
    drafts: list[RelationDraft] = []
    seen: set[tuple[str, int, int]] = set()
    for i, item in enumerate(items):
        if type(item) is dict:
            rtype, head_ref, tail_ref = item.get("type"), item.get("head"), item.get("tail")
            if type(rtype) is str and type(head_ref) is str and type(tail_ref) is str:
                ends = ends_of.get(rtype)
                head, tail = index_of.get(head_ref), index_of.get(tail_ref)
                if ends is not None and head is not None and tail is not None and head != tail \
                        and spans[head].label == ends[0] and spans[tail].label == ends[1] \
                        and (rtype, head, tail) not in seen:
                    seen.add((rtype, head, tail))
                    drafts.append(RelationDraft(rtype, head, tail))
                    continue
        draft = _checked_relation(i, item, spans, index_of, schema, fail, seen)
        seen.add((draft.type, draft.head, draft.tail))
        drafts.append(draft)
    return drafts


def _checked_relation(i: int, item: Any, spans: list[Span], index_of: dict[str, int],
                      schema: Schema, fail: Any, seen: set[tuple[str, int, int]]
                      ) -> RelationDraft:
    """Relation ``i`` of a record, through every check in turn: the first that fails is raised."""
    where = f"relations[{i}]"
    if not isinstance(item, dict):
        raise fail("must be an object", where)
    rtype = item.get("type")
    if not isinstance(rtype, str) or not schema.has_relation(rtype):
        known = ", ".join(r.name for r in schema.relations)
        raise fail(f"unknown relation type {rtype!r} (the schema has {known})", f"{where}.type")
    ends: list[int] = []
    for name in ("head", "tail"):
        ref = item.get(name)
        if isinstance(ref, bool) or not isinstance(ref, (str, int)) or str(ref) not in index_of:
            raise fail(f"refers to a missing span {ref!r}", f"{where}.{name}")
        ends.append(index_of[str(ref)])
    head, tail = ends
    if head == tail:
        raise fail("a relation cannot link a span to itself", where)
    kind = schema.relation(rtype)
    if spans[head].label != kind.head or spans[tail].label != kind.tail:
        raise fail(f"{rtype} links a {kind.head} to a {kind.tail}, not a {spans[head].label} "
                   f"to a {spans[tail].label}", where)
    if (rtype, head, tail) in seen:
        raise fail("the same relation appears twice", where)
    return RelationDraft(type=rtype, head=head, tail=tail)


def write(items: Iterable[ExportItem], out: Path, options: ExportOptions) -> ExportReport:
    """Write the native JSONL file atomically, one line per (document, set)."""
    report = ExportReport(path=str(out))
    with atomic_text_writer(out) as handle:
        for document, aset in counting_documents(items, report):
            handle.write(format_line(document, aset))
            handle.write("\n")
            report.items += 1
            if aset is not None:
                report.spans += len(aset.spans)
                report.relations += len(aset.relations)
    return report


def json_objects(path: Path, *, encoding: str | None = None
                 ) -> Iterator[tuple[int, dict[str, Any] | ValidationError]]:
    """(line number, object) for each non-blank line of a JSON Lines file, decoded a line at a
    time: strict UTF-8 (a BOM allowed), or ``encoding`` when given. A line that cannot be
    decoded or read as a JSON object gives (line number, ValidationError), and reading goes on."""
    codec = encoding or "utf-8"
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ValidationError(f"cannot read: {exc.strerror}", path=str(path)) from exc
    with handle:
        for number, data in enumerate(handle, start=1):
            if number == 1 and encoding is None and data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                yield number, ValidationError(
                    f"not valid {codec} (byte 0x{data[exc.start]:02x} at column {exc.start + 1})",
                    path=str(path), line=number)
                continue
            except LookupError as exc:
                raise ValidationError(f"unknown encoding {codec!r}", path=str(path)) from exc
            try:
                obj = decode_line(text.rstrip("\r\n"), path=str(path), line=number)
            except ValidationError as exc:
                yield number, exc
                continue
            if obj is not None:
                yield number, obj


def read(path: Path, context: ImportContext) -> Iterator[tuple[int, ReadItem]]:
    """The records of a native JSONL file, a line at a time."""
    yield from json_objects(path, encoding=context.encoding)


FORMAT = Format(name="jsonl", description="native JSONL: one line per document and set",
                suffix=".jsonl", write=write, read=read)
