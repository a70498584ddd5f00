"""brat standoff: a folder of ``<doc>.txt`` + ``<doc>.ann`` pairs and an ``annotation.conf``.

    T1	actor 5 10	روسيا
    R1	said_by Arg1:T3 Arg2:T1

Layout of an export (``--out OUT``), so that every annotation set is a brat collection of its own
and the owner survives a round trip:

* ``OUT/annotation.conf``: labels, relation types and attributes (brat finds it from the
  subfolders); its first line marks the folder as this tool's export.
* ``OUT/<owner>/<doc>.txt`` and ``OUT/<owner>/<doc>.ann``: one pair per document and set (the
  owner is an annotator's name, ``gold`` or ``suggestions``);
* ``OUT/<doc>.txt`` and an empty ``OUT/<doc>.ann`` for a document without a set (``--set all``).

File and folder names (:mod:`annotator.exports.brat_names`) are the document id and owner with
``%``, ``/``, ``\\``, control characters and a leading ``.`` written as ``%XX`` (UTF-8), and
decoded on import. A name that would be longer than a file system allows (255 bytes; document
ids hold up to 255 characters, Arabic ones two bytes each) is cut to its first ``NAME_BYTES``
bytes and ends with ``~`` and 16 hex digits of the SHA-256 of the whole id; ``OUT/names.jsonl`` (written only then) gives each such name back its id
(``{"name": "...~1f2e...", "id": "..."}``), and the import reads it.

Offsets are code points into the ``.txt`` (brat's server reads it as strict UTF-8 into a Python
string and indexes that). The ``.txt`` is the document text byte for byte (UTF-8, no BOM, ``\\n``).
A span that covers a line break is written as brat writes it, in fragments cut at the line breaks,
with its text joined by spaces (``T1\tquote 5 9;10 14\tabcd efgh``); on import, fragments separated
only by line breaks are joined back into one span; other discontinuous spans are refused (our model
has none). Lines: ``T`` spans, ``R`` relations (``Arg1`` the head, ``Arg2`` the tail), ``A``
attributes (``A1\tkind T3 direct``), ``#`` notes (``#1\tAnnotatorNotes T1\tnote``). The title,
status and metadata of a document are not kept by brat.

Import (:mod:`annotator.exports.brat_read`) takes a ``.txt`` (the ``.ann`` beside it), an ``.ann``
(the ``.txt`` beside it) or a folder (an ``.ann`` there without its ``.txt`` is an error naming
it, never skipped); the set's owner is ``--annotator`` if given, else the subfolder's name in
this layout, else ``brat`` (none for an ``.ann`` without annotations at the top of this
layout). Every line is checked (offsets inside the text, the line's text equal to the text at
its offsets, references to existing ``T`` lines); an error names the ``.ann`` file and line.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.errors import UserError, ValidationError
from annotator.core.model import AnnotationSet, Document, Span
from annotator.core.schema import Schema
from annotator.exports.atomic import default_mode
from annotator.exports.base import (
    ExportItem,
    ExportOptions,
    ExportReport,
    Format,
    counting_documents,
)
from annotator.exports.brat_names import (
    CONF,
    LINE_BREAKS,
    MARKER,
    NAMES,
    escape_name,
    file_name,
    is_export,
)
from annotator.exports.brat_read import read

_ATTR_VALUE = re.compile(r"\S+")

# -- export -----------------------------------------------------------------------------------


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]] | None:
    """The span cut at line breaks, as brat stores it; None when it starts or ends on one."""
    if text[start] in LINE_BREAKS or text[end - 1] in LINE_BREAKS:
        return None
    parts: list[tuple[int, int]] = []
    i = start
    while i < end:
        j = i
        while j < end and text[j] not in LINE_BREAKS:
            j += 1
        parts.append((i, j))
        while j < end and text[j] in LINE_BREAKS:
            j += 1
        i = j
    return parts


@dataclass
class _Seen:
    """Labels, relation argument types and attribute values met in the export (for the conf)."""

    labels: dict[str, None] = field(default_factory=dict)
    relations: dict[str, tuple[dict[str, None], dict[str, None]]] = field(default_factory=dict)
    attributes: dict[str, tuple[dict[str, None], dict[str, None]]] = field(default_factory=dict)


def ann_lines(document: Document, aset: AnnotationSet, report: ExportReport,
              seen: _Seen | None = None) -> list[str]:
    """The ``.ann`` lines of one set; what brat cannot hold is reported and left out."""
    seen = seen if seen is not None else _Seen()
    text, where = document.text, f"document {document.external_id}, set {aset.owner}"
    t_lines: list[str] = []
    a_lines: list[str] = []
    notes: list[str] = []
    t_of: dict[int | None, tuple[int, Span]] = {}
    for span in aset.spans:
        if text[span.start:span.end] != span.text:
            raise ValueError(f"{where}: span {span.start}-{span.end} does not match the text")
        parts = fragments(text, span.start, span.end)
        if parts is None:
            report.problem("span-not-written", f"{where}: span {span.start}-{span.end} "
                                               f"{span.label} starts or ends on a line break")
            continue
        n = len(t_lines) + 1
        t_of[span.id] = (n, span)
        seen.labels.setdefault(span.label)
        offsets = ";".join(f"{a} {b}" for a, b in parts)
        t_lines.append(f"T{n}\t{span.label} {offsets}\t{' '.join(text[a:b] for a, b in parts)}")
        for name, value in sorted(span.attributes.items()):
            line = _attribute_line(name, value, n)
            if line is None:
                report.problem("attribute-not-written", f"{where}: span {span.start}-{span.end}: "
                                                        f"attribute {name}={value!r}")
                continue
            a_lines.append(line)
            labels, values = seen.attributes.setdefault(name, ({}, {}))
            labels.setdefault(span.label)
            if value is not True:
                values.setdefault(str(value))
        if span.note:
            note = span.note
            if any(ch in LINE_BREAKS or ch == "\t" for ch in note):
                note = re.sub(f"[{LINE_BREAKS}\t]+", " ", note)
                report.problem("note-changed", f"{where}: span {span.start}-{span.end}: line "
                                               "breaks and tabs of its note written as spaces")
            notes.append(f"T{n}\t{note}")
    r_lines: list[str] = []
    for kind, head, tail in sorted((r.type, t_of[r.head][0], t_of[r.tail][0])
                                   for r in aset.relations if r.head in t_of and r.tail in t_of):
        r_lines.append(f"R{len(r_lines) + 1}\t{kind} Arg1:T{head} Arg2:T{tail}")
        heads, tails = seen.relations.setdefault(kind, ({}, {}))
        heads.setdefault(_label_of(t_of, head))
        tails.setdefault(_label_of(t_of, tail))
    lost = len(aset.relations) - len(r_lines)
    if lost:
        report.problem("relation-not-written", f"{where}: {lost} relation(s) to spans left out")
    a_lines = [f"A{i}\t{line}" for i, line in enumerate(a_lines, start=1)]
    notes = [f"#{i}\tAnnotatorNotes {note}" for i, note in enumerate(notes, start=1)]
    return t_lines + r_lines + a_lines + notes


def _label_of(t_of: dict[int | None, tuple[int, Span]], n: int) -> str:
    return next(span.label for number, span in t_of.values() if number == n)


def _attribute_line(name: str, value: Any, n: int) -> str | None:
    if not _ATTR_VALUE.fullmatch(name):
        return None
    if value is True:
        return f"{name} T{n}"
    if isinstance(value, str) and _ATTR_VALUE.fullmatch(value):
        return f"{name} T{n} {value}"
    return None


def conf_text(schema: Schema | None, seen: _Seen) -> str:
    """``annotation.conf``: the schema's labels, relations and attributes, then any more the
    export holds; nested and crossing spans are allowed (``<OVERLAP>``)."""
    labels = dict.fromkeys(lb.name for lb in schema.labels) if schema else {}
    labels.update(seen.labels)
    relations: dict[str, tuple[list[str], list[str]]] = {
        r.name: ([r.head], [r.tail]) for r in (schema.relations if schema else ())}
    for name, (heads, tails) in seen.relations.items():
        known = relations.setdefault(name, ([], []))
        known[0].extend(h for h in heads if h not in known[0])
        known[1].extend(t for t in tails if t not in known[1])
    attributes: dict[str, tuple[list[str], list[str]]] = {}
    for attr in schema.attributes if schema else ():
        known = attributes.setdefault(attr.name, ([], []))
        known[0].append(attr.label)
        known[1].extend(v for v in attr.values if v not in known[1])
    for name, (owners, values) in seen.attributes.items():
        known = attributes.setdefault(name, ([], []))
        known[0].extend(o for o in owners if o not in known[0])
        known[1].extend(v for v in values if v not in known[1])
    lines = [MARKER, "[entities]", *labels, "", "[relations]"]
    lines += [f"{name}\tArg1:{'|'.join(heads)}, Arg2:{'|'.join(tails)}"
              for name, (heads, tails) in relations.items()]
    lines += ["<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "", "[events]", "",
              "[attributes]"]
    for name, (owners, values) in attributes.items():
        lines.append(f"{name}\tArg:{'|'.join(owners)}" + (f", Value:{'|'.join(values)}"
                                                           if values else ""))
    return "\n".join(lines) + "\n"


def _default_schema(options: ExportOptions) -> Schema | None:
    schema = getattr(options, "schema", None)
    if isinstance(schema, Schema):
        return schema
    from annotator.config import schema_path
    from annotator.core.schema import load_schema

    try:
        return load_schema(schema_path())
    except ValidationError:  # pragma: no cover - the seeds are checked by their own tests
        return None


def write(items: Iterable[ExportItem], out: Path, options: ExportOptions) -> ExportReport:
    """Write the folder ``out`` (replacing an earlier brat export there, never another folder)."""
    out = Path(out)
    _check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    tmp.chmod(default_mode(folder=True))  # mkdtemp makes it private; an export is not
    report = ExportReport(path=str(out))
    seen = _Seen()
    long_names: dict[str, str] = {}

    def name_of(original: str) -> str:
        name = file_name(original)
        if name != escape_name(original):
            long_names[name] = original
        return name

    try:
        for document, aset in counting_documents(items, report):
            folder = tmp if aset is None else tmp / name_of(aset.owner)
            folder.mkdir(exist_ok=True)
            stem = name_of(document.external_id)
            (folder / f"{stem}.txt").write_bytes(document.text.encode("utf-8"))
            lines = ann_lines(document, aset, report, seen) if aset is not None else []
            (folder / f"{stem}.ann").write_bytes("".join(f"{ln}\n" for ln in lines).encode("utf-8"))
            report.items += 1
            if aset is not None:
                report.spans += len(aset.spans)
                report.relations += len(aset.relations)
        (tmp / CONF).write_text(conf_text(_default_schema(options), seen), encoding="utf-8")
        if long_names:
            (tmp / NAMES).write_text("".join(
                json.dumps({"name": name, "id": original}, ensure_ascii=False) + "\n"
                for name, original in sorted(long_names.items())), encoding="utf-8")
        os.chmod(tmp, 0o755)
        _swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return report


def _check_target(out: Path) -> None:
    if not out.exists():
        return
    if not out.is_dir():
        raise UserError(f"--out {out}: the brat format writes a folder; this is a file")
    if any(out.iterdir()) and not is_export(out):
        raise UserError(f"--out {out}: the folder is not empty and not a brat export of this "
                        "tool; choose a new or empty folder")


def _swap_in(tmp: Path, out: Path) -> None:
    if not out.exists():
        os.replace(tmp, out)
        return
    old = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:8]}")
    os.replace(out, old)
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


FORMAT = Format(name="brat", description="brat standoff folder: .txt, .ann, annotation.conf",
                suffix="", write=write, read=read, unit="document", check_target=_check_target)
