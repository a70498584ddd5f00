"""Span JSONL of any shape (import only): a text field and a list of spans with start, end and
label under names the command line gives, instead of a conversion script per corpus.

    {"tweet_id": "1158…", "text": "#معهد_الاورام : يتم الان …", "location_mentions": [{"text": "معهد_الاورام", "type": "HPOI", "startIdx": 1, "endIdx": 13}]}

    annotator import dev.jsonl --format spans-jsonl --text-field text \\
        --spans-field location_mentions --start startIdx --end endIdx --label type --id-field tweet_id

Offsets are code points, end exclusive (IDRISI's, and Python's). A field name may be a dotted
path into nested objects (``data.text``). A span that carries a ``text`` of its own is checked
against the text at its offsets. The same span listed twice (IDRISI does it) is kept once, with a
note. The document id comes from ``--id-field``, else ``id`` or ``doc_id``, else the file's stem
and line; the other fields of the line are kept in the document's meta (``meta.fields``). The set
is ``--annotator``'s, else ``gold``, status done.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.core.errors import ValidationError
from annotator.exports.base import Format, ImportContext, ReadItem, ReadNote, SpanFields
from annotator.exports.jsonl import json_objects

DEFAULT_OWNER = "gold"
_MISSING = object()


def read(path: Path, context: ImportContext) -> Iterator[tuple[int, ReadItem]]:
    """One native record per line; a ValidationError for each bad line."""
    fields = context.span_fields
    twice: list[str] = []
    for number, obj in json_objects(path, encoding=context.encoding):
        if isinstance(obj, ValidationError):
            yield number, obj
            continue
        try:
            record, duplicates = line_record(obj, fields, path=path, line=number,
                                             context=context)
        except ValidationError as exc:
            yield number, exc
            continue
        twice += [f"line {number}: {d}" for d in duplicates]
        yield number, record
    if twice:
        shown = "; ".join(twice[:3]) + (f"; and {len(twice) - 3} more" if len(twice) > 3 else "")
        yield 0, ReadNote("duplicate-span", f"{path}: {len(twice)} span"
                          f"{'s' if len(twice) > 1 else ''} listed twice on a line, kept once "
                          f"({shown})")


def _get(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return _MISSING
        obj = obj[part]
    return obj


def line_record(obj: dict[str, Any], fields: SpanFields, *, path: Path, line: int,
                context: ImportContext) -> tuple[dict[str, Any], list[str]]:
    """The native record of one line, and the spans that were listed twice."""

    def fail(message: str, where: str | None = None) -> ValidationError:
        return ValidationError(message, path=str(path), line=line, field=where)

    text = _get(obj, fields.text)
    if text is _MISSING:
        raise fail(f"no {fields.text!r} field (the text; --text-field names it; the line has "
                   f"{', '.join(map(repr, list(obj)[:8]))})")
    if not isinstance(text, str) or not text:
        raise fail("must be a non-empty string (the text)", fields.text)
    items = _get(obj, fields.spans)
    if items is _MISSING:
        raise fail(f"no {fields.spans!r} field (the spans; --spans-field names it)")
    if not isinstance(items, list):
        raise fail("must be a list of spans", fields.spans)
    spans: list[dict[str, Any]] = []
    seen: dict[tuple[int, int, str], int] = {}
    duplicates: list[str] = []
    for i, item in enumerate(items):
        where = f"{fields.spans}[{i}]"
        if not isinstance(item, dict):
            raise fail("must be an object", where)
        start, end, label = (_get(item, fields.start), _get(item, fields.end),
                             _get(item, fields.label))
        for name, value in ((fields.start, start), (fields.end, end)):
            if not isinstance(value, int) or isinstance(value, bool):
                raise fail(f"must be an integer offset, not {_shown(value)}", f"{where}.{name}")
        if not isinstance(label, str) or not label:
            raise fail(f"must be a label name, not {_shown(label)}", f"{where}.{fields.label}")
        if not 0 <= start < end <= len(text):
            raise fail(f"span {start}-{end} is empty or outside the text ({len(text)} "
                       "characters; offsets are code points, end exclusive)", where)
        given = item.get("text")
        if isinstance(given, str) and given != text[start:end]:
            raise fail(f"is {given!r} but the text at {start}-{end} is {text[start:end]!r} "
                       "(offsets are code points, end exclusive)", f"{where}.text")
        key = (start, end, label)
        if key in seen:
            duplicates.append(f"{label} {start}-{end} {text[start:end]!r}")
            continue
        seen[key] = i
        spans.append({"id": str(i), "start": start, "end": end, "label": label})
    record: dict[str, Any] = {
        "doc_id": _doc_id(obj, fields, path=path, line=line), "text": text, "spans": spans,
        "relations": [], "annotator": context.annotator or DEFAULT_OWNER, "status": "done",
        "meta": {"source_path": str(path.resolve()),
                 "fields": {k: v for k, v in obj.items()
                            if k not in (fields.text.split(".")[0], fields.spans.split(".")[0])}},
    }
    title = obj.get("title")
    if isinstance(title, str) and title.strip():
        record["title"] = title
    return record, duplicates


def _doc_id(obj: dict[str, Any], fields: SpanFields, *, path: Path, line: int) -> str:
    names = [fields.id] if fields.id else ["id", "doc_id"]
    for name in names:
        value = _get(obj, name)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            return str(value)
        if fields.id:
            raise ValidationError(f"no usable {name!r} field (the document id; --id-field "
                                  "names it)", path=str(path), line=line, field=name)
    return f"{path.stem}-{line}"


def _shown(value: Any) -> str:
    return "nothing" if value is _MISSING else repr(value)


FORMAT = Format(name="spans-jsonl", description="span JSONL of any shape, code points (import)",
                suffix=".jsonl", write=None, read=read, unit="line")
