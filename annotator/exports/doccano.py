"""doccano JSONL for sequence labeling: one line per document and set.

    {"text": "😀 قال الوزير", "label": [[7, 13, "actor"]], "doc_id": "d1", "title": "😀 قال الوزير", "annotator": "mona", "status": "done"}
    {"text": "...", "entities": [{"id": 1, "start_offset": 0, "end_offset": 5, "label": "actor"}, ...], "relations": [{"id": 1, "from_id": 2, "to_id": 1, "type": "said_by"}], "doc_id": "d2", ...}

Offsets count UTF-16 code units, as doccano's editor (v-annotator, JavaScript) does: doccano issue
#2290 shows ``firetrucks`` at 22-32 in ``"👨🏻‍🚒 firemen drive firetrucks"`` where Python says
19-29; the server stores whatever the browser sends. They are converted here, both ways (DESIGN
invariant 3). Projects with doccano's "count grapheme clusters as one character" option count
graphemes instead and are not supported.

Variant: a file is written with ``label`` lists, the format of doccano's sequence labeling
projects, unless some set in it has relations; then every line of the file uses the
``entities``/``relations`` variant of doccano's relation projects (entity ids 1, 2, ... per line in
span order; ``from_id`` is the head, ``to_id`` the tail), so that one file suits one doccano
project. ``doc_id``, ``title``, ``annotator``, ``status`` and ``meta`` (when not empty) are extra
keys that doccano keeps as the example's metadata. doccano has no span attributes or notes: each
span that carries some is named in the export report.

A line whose offsets look like code points rather than UTF-16 units is reported, never shifted
silently: a span that cuts a surrogate pair, or one that, read as UTF-16, starts or ends inside a
word or on a space while the same numbers read as code points fall on word edges (what emoji
before the span do).

Import accepts ``label``, ``labels`` or ``entities`` (lists ``[start, end, label]`` or objects with
``start_offset``/``end_offset``/``label``), ``relations`` between entity ids, and ``data`` for the
text as older doccano versions wrote it. ``doc_id`` comes from ``doc_id``, else ``id``, else the
file name and line; the set's owner is the import's annotator, else ``annotator``, else ``doccano``.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from annotator.core.errors import ValidationError
from annotator.core.model import AnnotationSet, Document
from annotator.core.text import Utf16Map
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
from annotator.exports.jsonl import json_objects

DEFAULT_OWNER = "doccano"
SPAN_KEYS = ("entities", "label", "labels")


# -- export -------------------------------------------------------------------------------------


def entities_line(document: Document, aset: AnnotationSet | None,
                  report: ExportReport | None = None) -> dict[str, Any]:
    """The entities/relations form of one line (UTF-16 offsets; spans in span order)."""
    text = document.text
    units = Utf16Map(text)
    entities: list[dict[str, Any]] = []
    number_of: dict[int | None, int] = {}
    for number, span in enumerate(aset.spans if aset else (), start=1):
        if text[span.start:span.end] != span.text:
            raise ValueError(f"document {document.external_id}: span {span.start}-{span.end} "
                             "does not match the text")
        number_of[span.id] = number
        entities.append({"id": number, "start_offset": units.to_utf16(span.start),
                         "end_offset": units.to_utf16(span.end), "label": span.label})
        if report is not None and aset is not None and (span.attributes or span.note):
            lost = ", ".join([f"{k}={v}" for k, v in span.attributes.items()]
                             + ([f"note {span.note!r}"] if span.note else []))
            report.problem("attributes", f"document {document.external_id} ({aset.owner}): span "
                           f"{span.start}-{span.end} {span.label} {span.text!r}: doccano keeps no "
                           f"attributes or notes ({lost})")
    relations = [{"id": i, "from_id": head, "to_id": tail, "type": kind}
                 for i, (kind, head, tail) in enumerate(sorted(
                     (r.type, number_of[r.head], number_of[r.tail])
                     for r in (aset.relations if aset else ())), start=1)]
    line: dict[str, Any] = {"text": text, "entities": entities, "relations": relations,
                            "doc_id": document.external_id, "title": document.title,
                            "annotator": aset.owner if aset else None,
                            "status": aset.status.value if aset else None}
    if document.meta:
        line["meta"] = dict(document.meta)
    return line


def as_label_lists(line: Mapping[str, Any]) -> dict[str, Any]:
    """The same line with ``label`` lists, for a file without relations."""
    out: dict[str, Any] = {"text": line["text"],
                           "label": [[e["start_offset"], e["end_offset"], e["label"]]
                                     for e in line["entities"]]}
    out.update((k, v) for k, v in line.items() if k not in ("text", "entities", "relations"))
    return out


def write(items: Iterable[ExportItem], out: Path, options: ExportOptions) -> ExportReport:
    """Write the JSONL file atomically; lines go to a spool first, since the variant of the whole
    file depends on whether any set has relations."""
    report = ExportReport(path=str(out))
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        for document, aset in counting_documents(items, report):
            spool.write(json.dumps(entities_line(document, aset, report), ensure_ascii=False))
            spool.write("\n")
            report.items += 1
            if aset is not None:
                report.spans += len(aset.spans)
                report.relations += len(aset.relations)
        spool.seek(0)
        with atomic_text_writer(out) as handle:
            for raw in spool:
                line = json.loads(raw)
                if not report.relations:
                    line = as_label_lists(line)
                handle.write(json.dumps(line, ensure_ascii=False))
                handle.write("\n")
    return report


# -- import -------------------------------------------------------------------------------------


def read(path: Path, context: ImportContext) -> Iterator[tuple[int, ReadItem]]:
    """Native records from a doccano JSONL file (strict UTF-8, a BOM allowed), a line at a time;
    a ValidationError for each bad line."""
    for number, obj in json_objects(path, encoding=context.encoding):
        if isinstance(obj, ValidationError):
            yield number, obj
            continue
        try:
            yield number, line_record(obj, path=path, line=number, context=context)
        except ValidationError as exc:
            yield number, exc


def line_record(obj: Mapping[str, Any], *, path: Path, line: int,
                context: ImportContext) -> dict[str, Any]:
    """The native record of one doccano line (offsets converted to code points)."""

    def fail(message: str, where: str | None = None) -> ValidationError:
        return ValidationError(message, path=str(path), line=line, field=where)

    text_key = "text" if "text" in obj else "data"
    text = obj.get(text_key)
    if not isinstance(text, str) or not text:
        raise fail("must be a non-empty string (the example's text)", text_key)
    if not any(k in obj for k in SPAN_KEYS):
        raise fail(f"no {', '.join(repr(k) for k in SPAN_KEYS)} key: not a doccano line "
                   "(an unlabeled example has \"label\": [])")
    found = [k for k in SPAN_KEYS if obj.get(k)]
    if len(found) > 1:
        raise fail(f"both {found[0]!r} and {found[1]!r} hold spans; keep one", found[1])
    key = found[0] if found else "label"
    items = obj.get(key) or []
    if not isinstance(items, list):
        raise fail("must be a list", key)
    units = Utf16Map(text)
    spans = [_span(item, i, units, text, key=key, fail=fail) for i, item in enumerate(items)]
    relations = _relations(obj.get("relations") or [], {s["id"] for s in spans},
                           with_ids=key == "entities", fail=fail)
    doc_id = obj.get("doc_id", obj.get("id"))
    doc_id = str(doc_id) if isinstance(doc_id, (str, int)) and not isinstance(doc_id, bool) \
        and str(doc_id).strip() else f"{path.stem}-{line}"
    record: dict[str, Any] = {"doc_id": doc_id, "text": text, "spans": spans,
                              "relations": relations, "annotator": _owner(obj, context, spans)}
    for name in ("title", "status"):
        if isinstance(obj.get(name), str):
            record[name] = obj[name]
    if isinstance(obj.get("meta"), dict):
        record["meta"] = obj["meta"]
    return record


def _owner(obj: Mapping[str, Any], context: ImportContext, spans: list[Any]) -> str | None:
    if context.annotator:
        return context.annotator
    if "annotator" in obj:
        name = obj["annotator"]
        if isinstance(name, str) and name.strip():
            return name
        if name is None and not spans:
            return None
    return DEFAULT_OWNER


def _span(item: Any, i: int, units: Utf16Map, text: str, *, key: str, fail: Any
          ) -> dict[str, Any]:
    where = f"{key}[{i}]"
    if isinstance(item, (list, tuple)) and len(item) == 3:
        start, end, label = item
        ident: Any = i
    elif isinstance(item, dict):
        start, end, label = item.get("start_offset"), item.get("end_offset"), item.get("label")
        ident = item.get("id", i)
    else:
        raise fail(f"must be [start, end, label] or an object with start_offset, end_offset and "
                   f"label, not {item!r}", where)
    for name, value in (("start_offset", start), ("end_offset", end)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise fail(f"{name} must be an integer, not {value!r}", where)
    if not isinstance(label, str) or not label:
        raise fail(f"the label must be a name, not {label!r} (export from doccano with label "
                   "names)", where)
    if not 0 <= start < end <= units.utf16_length:
        raise fail(f"span {start}-{end} is empty or outside the text ({units.utf16_length} UTF-16 "
                   "units)", where)
    try:
        cp_start, cp_end = units.to_codepoint(start), units.to_codepoint(end)
    except ValueError as exc:
        raise fail(f"span {start}-{end} {label}: {exc} when read as UTF-16 units (doccano's "
                   f"unit): {CODE_POINT_HINT}", where) from None
    shifted = _misplaced(text, cp_start, cp_end) if (cp_start, cp_end) != (start, end) \
        and end <= len(text) else None
    if shifted and not _misplaced(text, start, end):
        raise fail(f"span {start}-{end} {label}: read as UTF-16 units it is "
                   f"{text[cp_start:cp_end]!r}, which {shifted}, while read as code points it is "
                   f"{text[start:end]!r}: {CODE_POINT_HINT}", where)
    return {"id": str(ident), "start": cp_start, "end": cp_end, "label": label}


CODE_POINT_HINT = ("the offsets look like code points, not UTF-16 units; nothing was shifted "
                   "(fix the file, or import it with --format spans-jsonl, which reads code "
                   "points)")


def _misplaced(text: str, start: int, end: int) -> str | None:
    """How a span sits badly on the words (it starts or ends inside a word, or on a space: what
    emoji before it do to offsets counted in the other unit); None when it sits on word edges."""
    found = []
    if text[start].isspace():
        found.append("starts on a space")
    elif start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        found.append("starts inside a word")
    if text[end - 1].isspace():
        found.append("ends on a space")
    elif end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        found.append("ends inside a word")
    return " and ".join(found) or None


def _relations(items: Any, ids: set[str], *, with_ids: bool, fail: Any) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        raise fail("must be a list", "relations")
    if items and not with_ids:
        raise fail("relations need the \"entities\" variant (spans with ids)", "relations")
    out = []
    for i, item in enumerate(items):
        where = f"relations[{i}]"
        if not isinstance(item, dict):
            raise fail("must be an object with from_id, to_id and type", where)
        for name in ("from_id", "to_id"):
            ref = item.get(name)
            if isinstance(ref, bool) or not isinstance(ref, (str, int)) or str(ref) not in ids:
                raise fail(f"refers to a missing entity {ref!r}", f"{where}.{name}")
        out.append({"type": item.get("type"), "head": str(item["from_id"]),
                    "tail": str(item["to_id"])})
    return out


FORMAT = Format(name="doccano", description="doccano JSONL (sequence labeling, relations)",
                suffix=".jsonl", write=write, read=read, unit="line")
