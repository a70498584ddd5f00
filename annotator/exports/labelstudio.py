"""Label Studio tasks JSON: a list of tasks, one per document, with one annotation per set.

    [{"id": 1, "data": {"text": "😀 قال الوزير", "doc_id": "d1", "title": "😀 قال الوزير"}, "annotations": [{"id": 1, "result": [{"id": "s1", "from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 6, "end": 12, "text": "الوزير", "labels": ["actor"]}}], "annotator": "mona", "status": "done", "ground_truth": false, "was_cancelled": false}]},
     {"id": 2, "data": {"text": "...", "doc_id": "d2", "title": "..."}, "annotations": [], "predictions": [{"id": 2, "model_version": "annotator", "result": [...], "annotator": "suggestions", "status": "todo"}]}]

Offsets are Unicode code points, end exclusive, exactly as here: Label Studio's Text tag counts
code points, not UTF-16 units (its own test "Should calculate offsets by code points in text":
``"🐱 Warning: This is a test text"`` gives ``test`` at 21-25, Python's index). The old UTF-16 shift
(label-studio issues #1008, #1347) was fixed in 2022. Results: a ``labels`` result per span (id
``s1, s2, ...`` in span order), a per-region ``choices`` result (same id) for each attribute, a
per-region ``textarea`` result named ``note`` for a note, and ``relation`` results (head ->
tail, direction ``right``). Tasks are numbered 1, 2, ... (``id``) and so are their annotations
across the file, as Label Studio's own converter (``label_studio_sdk.converter.Converter``, e.g. to
CONLL2003) needs; a task with no set has ``"annotations": []``. ``annotator`` and ``status`` are extra keys of ours that Label Studio
ignores; ``completed_by`` is not written, since Label Studio only accepts a user id or email there.
``ExportOptions.predictions`` writes every set as a prediction instead. The labeling config to paste
into Label Studio is written beside the tasks, as ``<stem>.config.xml``.

Import reads such a file (or Label Studio's own JSON export): each annotation (or, for a task with
none, each prediction) becomes a set, owned by the import's annotator, else our ``annotator`` key,
else ``completed_by`` (a name, an email, or ``labelstudio-<id>``), else ``labelstudio``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from annotator.core.errors import ValidationError
from annotator.core.model import GOLD, AnnotationSet, Document, SetStatus
from annotator.core.schema import EXTRA_COLORS, Schema, load_schema
from annotator.exports.atomic import atomic_text_writer
from annotator.exports.base import (
    ExportItem,
    ExportOptions,
    ExportReport,
    Format,
    ImportContext,
    ReadItem,
)

LABELS = "label"          # from_name of the Labels control
TEXT = "text"             # name of the Text object, and the data key holding the text
NOTE = "note"             # from_name of the per-region TextArea
MODEL_VERSION = "annotator"
DEFAULT_OWNER = "labelstudio"
RESERVED_NAMES = (LABELS, TEXT, NOTE)


# -- export -------------------------------------------------------------------------------------


@dataclass
class _Seen:
    """Labels, relation types and attribute values the tasks use (for the labeling config)."""

    labels: dict[str, None] = field(default_factory=dict)
    relations: dict[str, None] = field(default_factory=dict)
    attributes: dict[str, tuple[dict[str, None], dict[str, None]]] = field(default_factory=dict)

    def attribute(self, name: str, label: str, value: str) -> None:
        labels, values = self.attributes.setdefault(name, ({}, {}))
        labels[label] = None
        values[value] = None


def choice_name(attribute: str) -> str:
    """The Choices control of an attribute: its name, unless that is taken by another control."""
    return f"attr_{attribute}" if attribute in RESERVED_NAMES else attribute


def _attribute_of(from_name: str) -> str:
    if from_name.startswith("attr_") and from_name[5:] in RESERVED_NAMES:
        return from_name[5:]
    return from_name


def results_for(text: str, aset: AnnotationSet, seen: _Seen | None = None) -> list[dict[str, Any]]:
    """The Label Studio ``result`` list of one set (its spans must be in span order)."""
    results: list[dict[str, Any]] = []
    region_of: dict[int | None, str] = {}
    for number, span in enumerate(aset.spans, start=1):
        if text[span.start:span.end] != span.text:
            raise ValueError(f"span {span.start}-{span.end} does not match the text")
        rid = f"s{number}"
        region_of[span.id] = rid
        where = {"start": span.start, "end": span.end}
        results.append({"id": rid, "from_name": LABELS, "to_name": TEXT, "type": "labels",
                        "value": {**where, "text": span.text, "labels": [span.label]}})
        for name, value in span.attributes.items():
            results.append({"id": rid, "from_name": choice_name(name), "to_name": TEXT,
                            "type": "choices", "value": {**where, "choices": [value]}})
            if seen is not None:
                seen.attribute(name, span.label, str(value))
        if span.note:
            results.append({"id": rid, "from_name": NOTE, "to_name": TEXT, "type": "textarea",
                            "value": {**where, "text": [span.note]}})
        if seen is not None:
            seen.labels[span.label] = None
    number_of = {rid: int(rid[1:]) for rid in region_of.values()}
    relations = sorted((r.type, number_of[region_of[r.head]], number_of[region_of[r.tail]])
                       for r in aset.relations)
    for kind, head, tail in relations:
        results.append({"from_id": f"s{head}", "to_id": f"s{tail}", "type": "relation",
                        "direction": "right", "labels": [kind]})
        if seen is not None:
            seen.relations[kind] = None
    return results


def task_for(document: Document, sets: Iterable[AnnotationSet], *, predictions: bool = False,
             seen: _Seen | None = None, task_id: int = 1, first_item_id: int = 1
             ) -> dict[str, Any]:
    """One task: the document's text and one annotation (or prediction) per set.

    The task gets the id ``task_id`` and its annotations (predictions) the ids ``first_item_id``,
    ``first_item_id + 1`` ...: Label Studio's own converter (label_studio_sdk.converter) needs
    them, and a task always has an ``annotations`` list, empty when there is none."""
    task: dict[str, Any] = {"id": task_id,
                            "data": {TEXT: document.text, "doc_id": document.external_id,
                                     "title": document.title}}
    if document.meta:
        task["meta"] = dict(document.meta)
    items: list[dict[str, Any]] = []
    for number, aset in enumerate(sets, start=first_item_id):
        result = results_for(document.text, aset, seen)
        if predictions:
            items.append({"id": number, "model_version": MODEL_VERSION, "result": result,
                          "annotator": aset.owner, "status": aset.status.value})
        else:
            items.append({"id": number, "result": result, "annotator": aset.owner,
                          "status": aset.status.value, "ground_truth": aset.owner == GOLD,
                          "was_cancelled": aset.status is SetStatus.SKIPPED})
    task["annotations"] = [] if predictions else items
    if predictions and items:
        task["predictions"] = items
    return task


def labeling_config(schema: Schema | None, seen: _Seen | None = None) -> str:
    """The labeling config (XML) for tasks of ``schema``, plus whatever ``seen`` adds to it."""
    seen = seen or _Seen()
    colors = {lb.name: lb.color for lb in schema.labels} if schema else {}
    for name in seen.labels:
        colors.setdefault(name, EXTRA_COLORS[len(colors) % len(EXTRA_COLORS)])
    relations = dict.fromkeys([r.name for r in schema.relations] if schema else [])
    relations.update(seen.relations)
    choices: dict[str, tuple[dict[str, None], dict[str, None]]] = {}
    for attr in schema.attributes if schema else ():
        labels, values = choices.setdefault(attr.name, ({}, {}))
        labels[attr.label] = None
        values.update(dict.fromkeys(attr.values))
    for name, (labels, values) in seen.attributes.items():
        have_labels, have_values = choices.setdefault(name, ({}, {}))
        have_labels.update(labels)
        have_values.update(values)
    lines = ["<View>", f'  <Labels name="{LABELS}" toName="{TEXT}">']
    lines += [f"    <Label value={quoteattr(name)} background={quoteattr(color)}/>"
              for name, color in colors.items()]
    lines += ["  </Labels>", f'  <Text name="{TEXT}" value="${TEXT}"/>']
    if relations:
        lines += ["  <Relations>"] + [f"    <Relation value={quoteattr(name)}/>"
                                       for name in relations] + ["  </Relations>"]
    for name, (labels, values) in choices.items():
        lines.append(f"  <Choices name={quoteattr(choice_name(name))} toName=\"{TEXT}\" "
                     f"perRegion=\"true\" visibleWhen=\"region-selected\" "
                     f"whenLabelValue={quoteattr(','.join(labels))}>")
        lines += [f"    <Choice value={quoteattr(value)}/>" for value in values]
        lines.append("  </Choices>")
    lines += [f'  <TextArea name="{NOTE}" toName="{TEXT}" perRegion="true" editable="true"/>',
              "</View>"]
    return "\n".join(lines) + "\n"


def config_path(out: Path) -> Path:
    """Where the labeling config of the tasks file ``out`` goes: ``<stem>.config.xml`` beside it."""
    return Path(out).with_suffix(".config.xml")


def _default_schema() -> Schema:
    from annotator.config import schema_path

    return load_schema(schema_path())


def write(items: Iterable[ExportItem], out: Path, options: ExportOptions) -> ExportReport:
    """Write the tasks (a JSON list, one task per line) and the labeling config beside them.

    The config lists the project's schema (``options.schema``, which the export service fills in;
    else the default schema) and every label, relation type and attribute value the tasks use.
    """
    report = ExportReport(path=str(out))
    seen = _Seen()
    item_id = 1
    with atomic_text_writer(out) as handle:
        handle.write("[")
        for _, group in groupby(items, key=lambda item: item[0].external_id):
            pairs = list(group)
            document = pairs[0][0]
            sets = [aset for _, aset in pairs if aset is not None]
            task = task_for(document, sets, predictions=options.predictions, seen=seen,
                            task_id=report.items + 1, first_item_id=item_id)
            item_id += len(sets)
            handle.write(",\n" if report.items else "\n")
            handle.write(json.dumps(task, ensure_ascii=False))
            report.items += 1
            report.documents += 1
            report.spans += sum(len(s.spans) for s in sets)
            report.relations += sum(len(s.relations) for s in sets)
        handle.write("\n]\n")
    schema = options.schema or _default_schema()
    with atomic_text_writer(config_path(out)) as handle:
        handle.write(labeling_config(schema, seen))
    return report


# -- import -------------------------------------------------------------------------------------


def _load(path: Path) -> list[Any]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"cannot read: {exc.strerror}", path=str(path)) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset "
                              f"{exc.start})", path=str(path)) from exc
    try:
        tasks = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"not valid JSON ({exc.msg} at line {exc.lineno} column "
                              f"{exc.colno})", path=str(path), line=exc.lineno) from exc
    except RecursionError:
        raise ValidationError("JSON nested too deep to read", path=str(path)) from None
    except ValueError as exc:      # an integer of more than 4,300 digits
        raise ValidationError(f"not readable JSON: {exc}".split(";")[0], path=str(path)) \
            from None
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise ValidationError("expected a JSON list of Label Studio tasks", path=str(path))
    return tasks


def read(path: Path, context: ImportContext) -> Iterator[tuple[int, ReadItem]]:
    """Native records from a tasks file, numbered by task (1-based); see the module docstring.
    A bad task gives a ValidationError and reading goes on with the next."""
    for number, task in enumerate(_load(path), start=1):
        try:
            records = task_records(task, number=number, path=str(path), context=context)
        except ValidationError as exc:
            yield number, exc
            continue
        for record in records:
            yield number, record


def task_records(task: Any, *, number: int, path: str,
                 context: ImportContext) -> list[dict[str, Any]]:
    """The native records of one task: one per annotation (or prediction), or the document alone."""

    def fail(message: str, where: str | None = None) -> ValidationError:
        return ValidationError(f"task {number}: {message}", path=path, line=number, field=where)

    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        raise fail("a task must be an object with a \"data\" object", "data")
    data = task["data"]
    text = data.get(TEXT)
    if not isinstance(text, str) or not text:
        raise fail("the document text must be a non-empty string in data.text", "data.text")
    doc_id = data.get("doc_id", task.get("id"))
    doc_id = str(doc_id) if isinstance(doc_id, (str, int)) and not isinstance(doc_id, bool) \
        else f"{Path(path).stem}-{number}"
    base: dict[str, Any] = {"doc_id": doc_id, "text": text}
    if isinstance(data.get("title"), str):
        base["title"] = data["title"]
    if isinstance(task.get("meta"), dict):
        base["meta"] = task["meta"]
    key = "annotations" if task.get("annotations") else "predictions"
    items = task.get(key) or []
    if not isinstance(items, list):
        raise fail("must be a list", key)
    if not items:
        return [{**base, "annotator": None}]
    records = []
    for i, item in enumerate(items):
        where = f"{key}[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("result"), list):
            raise fail("must be an object with a \"result\" list", where)
        spans, relations = _regions(item["result"], text, where=where, fail=fail)
        records.append({**base, "annotator": _owner(item, context),
                        "status": _status(item, predicted=key == "predictions"),
                        "spans": spans, "relations": relations})
    return records


def _owner(item: Mapping[str, Any], context: ImportContext) -> str:
    if context.annotator:
        return context.annotator
    name = item.get("annotator")
    if isinstance(name, str) and name.strip():
        return name
    by = item.get("completed_by")
    if isinstance(by, dict):
        by = by.get("email") or by.get("id")
    if isinstance(by, str) and by.strip():
        return by
    if isinstance(by, int) and not isinstance(by, bool):
        return f"{DEFAULT_OWNER}-{by}"
    return DEFAULT_OWNER


def _status(item: Mapping[str, Any], *, predicted: bool) -> str:
    status = item.get("status")
    if isinstance(status, str):
        return status
    if item.get("was_cancelled"):
        return SetStatus.SKIPPED.value
    return SetStatus.TODO.value if predicted else SetStatus.DONE.value


def _as_shown(cut: str) -> str:
    """How Label Studio writes a region's text: line breaks as the two characters ``\\n``."""
    return cut.replace("\r", "\\n").replace("\n", "\\n")


def _regions(results: list[Any], text: str, *, where: str,
             fail: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    spans: dict[str, dict[str, Any]] = {}
    extras: list[tuple[int, dict[str, Any]]] = []
    relations: list[tuple[str, dict[str, Any]]] = []
    for j, result in enumerate(results):
        at = f"{where}.result[{j}]"
        if not isinstance(result, dict):
            raise fail("must be an object", at)
        kind = result.get("type")
        if kind == "labels":
            rid, span = _span(result, text, at=at, fail=fail)
            if rid in spans:
                raise fail(f"result {rid!r}: region id used by two labels results", f"{at}.id")
            spans[rid] = span
        elif kind in ("choices", "textarea"):
            extras.append((j, result))
        elif kind == "relation":
            relations.extend((at, r) for r in _relations(result, at=at, fail=fail))
        else:
            raise fail(f"result {result.get('id')!r}: type {kind!r} is not supported (only "
                       "labels, choices, textarea and relation results of a Text tag)", f"{at}.type")
    for j, result in extras:
        _attach(result, spans, at=f"{where}.result[{j}]", fail=fail)
    for at, relation in relations:
        for end in ("head", "tail"):
            if relation[end] not in spans:
                raise fail(f"relation {relation['head']!r} -> {relation['tail']!r} refers to a "
                           f"missing region {relation[end]!r}", at)
    return list(spans.values()), [relation for _, relation in relations]


def _span(result: Mapping[str, Any], text: str, *, at: str, fail: Any) -> tuple[str, dict[str, Any]]:
    rid = result.get("id")
    if not isinstance(rid, (str, int)) or isinstance(rid, bool):
        raise fail("a labels result needs an id", f"{at}.id")
    rid = str(rid)
    value = result.get("value")
    if not isinstance(value, dict):
        raise fail(f"result {rid!r}: value must be an object", f"{at}.value")
    start, end = value.get("start"), value.get("end")
    for name, offset in (("start", start), ("end", end)):
        if not isinstance(offset, int) or isinstance(offset, bool):
            raise fail(f"result {rid!r}: {name} must be an integer offset into data.text, not "
                       f"{offset!r}", f"{at}.value.{name}")
    if not 0 <= start < end <= len(text):
        raise fail(f"result {rid!r}: span {start}-{end} is outside the text ({len(text)} "
                   "characters) or empty", f"{at}.value")
    labels = value.get("labels")
    if not isinstance(labels, list) or len(labels) != 1 or not isinstance(labels[0], str):
        raise fail(f"result {rid!r}: needs exactly one label, not {labels!r}", f"{at}.value.labels")
    cut = text[start:end]
    given = value.get("text", cut)
    if given != cut and given != _as_shown(cut):
        raise fail(f"result {rid!r}: value.text is {given!r} but the text at {start}-{end} is "
                   f"{cut!r}", f"{at}.value.text")
    return rid, {"id": rid, "start": start, "end": end, "label": labels[0], "attributes": {}}


def _attach(result: Mapping[str, Any], spans: dict[str, dict[str, Any]], *, at: str,
            fail: Any) -> None:
    rid = result.get("id")
    kind = result.get("type")
    if str(rid) not in spans:
        raise fail(f"result {rid!r}: a per-region {kind} result for a missing region (results "
                   "for the whole task are not supported)", f"{at}.id")
    span = spans[str(rid)]
    value = result.get("value")
    if kind == "textarea":
        lines = value.get("text") if isinstance(value, dict) else None
        if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
            raise fail(f"result {rid!r}: value.text must be a list of strings", f"{at}.value.text")
        span["note"] = "\n".join(lines)
        return
    choices = value.get("choices") if isinstance(value, dict) else None
    if not isinstance(choices, list) or len(choices) != 1:
        raise fail(f"result {rid!r}: needs exactly one choice, not {choices!r}",
                   f"{at}.value.choices")
    name = result.get("from_name")
    if not isinstance(name, str) or not name:
        raise fail(f"result {rid!r}: from_name names the attribute", f"{at}.from_name")
    span["attributes"][_attribute_of(name)] = choices[0]


def _relations(result: Mapping[str, Any], *, at: str, fail: Any) -> list[dict[str, Any]]:
    ends = [result.get("from_id"), result.get("to_id")]
    if not all(isinstance(e, (str, int)) and not isinstance(e, bool) for e in ends):
        raise fail("a relation needs from_id and to_id", at)
    direction = result.get("direction", "right")
    if direction not in ("right", "left"):
        raise fail(f"relation direction {direction!r}: only right (from -> to) or left have one "
                   "reading", f"{at}.direction")
    head, tail = (str(ends[0]), str(ends[1])) if direction == "right" else \
        (str(ends[1]), str(ends[0]))
    labels = result.get("labels")
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
        raise fail(f"relation {ends[0]!r} -> {ends[1]!r} needs a label (its type)", f"{at}.labels")
    return [{"type": label, "head": head, "tail": tail} for label in labels]


FORMAT = Format(name="labelstudio", description="Label Studio tasks JSON, with the labeling config",
                suffix=".json", write=write, read=read, unit="task")
