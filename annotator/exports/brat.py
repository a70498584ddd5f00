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

File and folder names are the document id and owner with ``%``, ``/``, ``\\``, control characters
and a leading ``.`` written as ``%XX`` (UTF-8), and decoded on import. A name that would be longer
than a file system allows (255 bytes; document ids hold up to 255 characters, Arabic ones two bytes
each) is cut to its first :data:`NAME_BYTES` bytes and ends with ``~`` and 16 hex digits of the
SHA-256 of the whole id; ``OUT/names.jsonl`` (written only then) gives each such name back its id
(``{"name": "...~1f2e...", "id": "..."}``), and the import reads it.

Offsets are code points into the ``.txt`` (brat's server reads it as strict UTF-8 into a Python
string and indexes that). The ``.txt`` is the document text byte for byte (UTF-8, no BOM, ``\\n``).
A span that covers a line break is written as brat writes it, in fragments cut at the line breaks,
with its text joined by spaces (``T1\tquote 5 9;10 14\tabcd efgh``); on import, fragments separated
only by line breaks are joined back into one span; other discontinuous spans are refused (our model
has none). Lines: ``T`` spans, ``R`` relations (``Arg1`` the head, ``Arg2`` the tail), ``A``
attributes (``A1\tkind T3 direct``), ``#`` notes (``#1\tAnnotatorNotes T1\tnote``). The title,
status and metadata of a document are not kept by brat.

Import takes a ``.txt`` (the ``.ann`` beside it), an ``.ann`` (the ``.txt`` beside it) or a
folder (an ``.ann`` there without its ``.txt`` is an error naming it, never skipped); the set's owner is ``--annotator`` if given, else the subfolder's name in this layout, else
``brat`` (none for an ``.ann`` without annotations at the top of this layout). Every line is
checked (offsets inside the text, the line's text equal to the text at its offsets, references to
existing ``T`` lines); an error names the ``.ann`` file and line.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.errors import UserError, ValidationError
from annotator.core.model import AnnotationSet, Document, Span
from annotator.core.schema import Schema
from annotator.core.text import canonicalize
from annotator.exports.atomic import default_mode
from annotator.exports.base import (
    ExportItem,
    ExportOptions,
    ExportReport,
    Format,
    ImportContext,
    ReadItem,
    counting_documents,
)

CONF = "annotation.conf"
NAMES = "names.jsonl"
#: the longest file or folder name written, in UTF-8 bytes (the limit of most file systems is
#: 255; ".txt" and the export's temporary names need a few more)
NAME_BYTES = 200
#: offsets longer than this many digits are refused before int() (Python refuses 4,300)
OFFSET_DIGITS = 15
MARKER = "# annotator brat export: one folder per annotation set, named after its owner"
DEFAULT_OWNER = "brat"
#: the characters str.splitlines breaks at: a span's fragments are cut there
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_UNSAFE = re.compile(r"[%/\\\x00-\x1f\x7f]|^\.")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_T_ID = re.compile(r"T\d+")
_ATTR_VALUE = re.compile(r"\S+")


# -- names ------------------------------------------------------------------------------------


def escape_name(name: str) -> str:
    """A file or folder name for a document id or owner (see the module docstring)."""
    return _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), name)


def file_name(name: str) -> str:
    """:func:`escape_name`, shortened when it would be longer than NAME_BYTES (see the module
    docstring)."""
    escaped = escape_name(name)
    if len(escaped.encode("utf-8")) <= NAME_BYTES:
        return escaped
    suffix = "~" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    room = NAME_BYTES - len(suffix)
    size, cut = 0, 0
    for cut, ch in enumerate(name):
        size += len(escape_name(ch).encode("utf-8", "surrogatepass"))
        if size > room:
            break
    return escape_name(name[:cut]) + suffix


def unescape_name(name: str) -> str:
    data = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), name)
    try:
        return data.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return data


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
    if any(out.iterdir()) and not _is_export(out):
        raise UserError(f"--out {out}: the folder is not empty and not a brat export of this "
                        "tool; choose a new or empty folder")


def _is_export(folder: Path) -> bool:
    try:
        with (folder / CONF).open(encoding="utf-8") as handle:
            return handle.readline().rstrip("\n") == MARKER
    except (OSError, UnicodeDecodeError):
        return False


def _swap_in(tmp: Path, out: Path) -> None:
    if not out.exists():
        os.replace(tmp, out)
        return
    old = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:8]}")
    os.replace(out, old)
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


# -- import -----------------------------------------------------------------------------------


def read(path: Path, context: ImportContext) -> Iterator[tuple[int, ReadItem]]:
    """Records from a ``.txt``, an ``.ann`` or a folder of them (see the module docstring)."""
    path = Path(path)
    if path.is_dir():
        files = [p for p in path.rglob("*") if p.suffix in (".txt", ".ann") and p.is_file()]
        txts = sorted({p.with_suffix(".txt") for p in files})
        if not txts:
            raise ValidationError("no .txt file in this folder", path=str(path))
        names: dict[Path, dict[str, str]] = {}
        for number, txt in enumerate(txts, start=1):
            try:
                yield number, read_pair(txt, context, names=_names_of(_root_of(txt), names))
            except ValidationError as exc:   # this pair is left out; the others are read
                yield number, exc
        return
    txt = path.with_suffix(".txt") if path.suffix == ".ann" else path
    yield 1, read_pair(txt, context, names=_names_of(_root_of(txt), {}))


def _root_of(txt: Path) -> Path | None:
    """The export folder of this tool a ``.txt`` is in (its folder or the one above), if any."""
    for folder in (txt.parent, txt.parent.parent):
        if _is_export(folder):
            return folder
    return None


def _names_of(root: Path | None, cache: dict[Path, dict[str, str]]) -> dict[str, str]:
    """The ids of the shortened names of an export (its names.jsonl), read once per export."""
    if root is None:
        return {}
    if root not in cache:
        cache[root] = _read_names(root / NAMES)
    return cache[root]


def _read_names(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    names: dict[str, str] = {}
    for number, line in enumerate(_read_utf8(path).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (ValueError, RecursionError):
            item = None
        if not (isinstance(item, dict) and isinstance(item.get("name"), str)
                and isinstance(item.get("id"), str)):
            raise ValidationError('expected {"name": FILE NAME, "id": DOCUMENT ID} on each line',
                                  path=str(path), line=number)
        names[item["name"]] = item["id"]
    return names


def read_pair(txt: Path, context: ImportContext, *,
              names: dict[str, str] | None = None) -> dict[str, Any]:
    """The native record of one ``.txt`` and the ``.ann`` beside it (none: no annotations);
    ``names`` gives the ids of shortened names back (names.jsonl)."""
    ann = txt.with_suffix(".ann")
    names = names or {}
    if not txt.is_file():
        raise ValidationError(f"no {txt.name} beside this .ann (brat pairs DOC.ann with DOC.txt)",
                              path=str(ann))
    raw = _read_utf8(txt)
    text, _ = canonicalize(raw)
    shift = 1 if raw.startswith("\ufeff") else 0   # brat counts a BOM; the stored text has none
    ann_text = canonicalize(_read_utf8(ann))[0] if ann.exists() else ""
    spans, relations = parse_ann(ann_text, text, path=str(ann), shift=shift)
    owner = context.annotator or _layout_owner(txt, names)
    if owner is None and (spans or not _is_export(txt.parent)):
        owner = DEFAULT_OWNER
    stem = txt.name[:-len(txt.suffix)]
    record: dict[str, Any] = {"doc_id": names.get(stem) or unescape_name(stem), "text": text,
                              "annotator": owner, "spans": spans, "relations": relations}
    if owner is None:
        record["status"] = None
    return record


def _layout_owner(txt: Path, names: dict[str, str]) -> str | None:
    folder = txt.parent
    if not (folder / CONF).exists() and _is_export(folder.parent):
        return names.get(folder.name) or unescape_name(folder.name)
    return None


def _read_utf8(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"cannot read: {exc.strerror}", path=str(path)) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset "
                              f"{exc.start})", path=str(path)) from exc


@dataclass
class _Parsed:
    spans: list[dict[str, Any]] = field(default_factory=list)
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: dict[tuple[int, int, str], int] = field(default_factory=dict)   # span -> its line
    relations: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    attached: list[tuple[int, str, str, Any]] = field(default_factory=list)  # line, kind, T, value


def parse_ann(ann_text: str, text: str, *, path: str, shift: int = 0
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Spans and relations (native-record shaped) of an ``.ann`` for ``text``; ValidationError
    naming ``path`` and the line for anything wrong."""
    parsed = _Parsed()
    for number, line in enumerate(ann_text.split("\n"), start=1):
        if not line.strip():
            continue

        def fail(message: str, number: int = number) -> ValidationError:
            return ValidationError(message, path=path, line=number)
        ann_id, tab, rest = line.partition("\t")
        kind = ann_id[:1]
        if not tab or not ann_id:
            raise fail("expected an id, a tab and the annotation (like 'T1\\tactor 0 5\\tنص')")
        if kind == "T":
            _parse_t(ann_id, rest, text, shift, parsed, fail, number)
        elif kind == "R":
            parts = rest.split(" ")
            if len(parts) != 3 or not parts[1].startswith("Arg1:") or \
                    not parts[2].startswith("Arg2:"):
                raise fail("a relation line is 'R1\\tTYPE Arg1:T1 Arg2:T2'")
            parsed.relations.append((number, {"type": parts[0], "head": parts[1][5:],
                                              "tail": parts[2][5:]}))
        elif kind in ("A", "M"):
            parts = rest.split(" ")
            if len(parts) not in (2, 3) or not parts[0]:
                raise fail("an attribute line is 'A1\\tNAME T1 VALUE' (or 'A1\\tNAME T1')")
            parsed.attached.append((number, parts[0], parts[1],
                                    parts[2] if len(parts) == 3 else True))
        elif kind == "#":
            head, tab, note = rest.partition("\t")
            parts = head.split(" ")
            if not tab or len(parts) != 2 or parts[0] != "AnnotatorNotes":
                raise fail("a note line is '#1\\tAnnotatorNotes T1\\tNOTE'")
            parsed.attached.append((number, "#", parts[1], note))
        else:
            raise fail(f"unknown or unsupported annotation line {_shown(ann_id)} (T, R, A, M and "
                       "# lines can be imported; events, normalizations and equivalences cannot)")
    return parsed.spans, _resolve(parsed, path)


def _parse_t(ann_id: str, rest: str, text: str, shift: int, parsed: _Parsed, fail: Any,
             number: int) -> None:
    if not _T_ID.fullmatch(ann_id):
        raise fail(f"a span id is T and a number, not {_shown(ann_id)}")
    if ann_id in parsed.by_id:
        raise fail(f"span id {ann_id} is used twice")
    head, tab, written = rest.partition("\t")
    label, _, offsets = head.partition(" ")
    if not tab or not label or not offsets:
        raise fail("a span line is 'T1\\tLABEL START END\\tTEXT'")
    parts: list[tuple[int, int]] = []
    for piece in offsets.split(";"):
        numbers = piece.split(" ")
        if len(numbers) != 2 or not all(n.isascii() and n.isdigit() for n in numbers):
            raise fail(f"offsets {_shown(offsets)}: expected 'START END' (or 'S1 E1;S2 E2')")
        if any(len(n) > OFFSET_DIGITS for n in numbers):
            raise fail(f"offsets {_shown(offsets)}: an offset of more than {OFFSET_DIGITS} "
                       "digits is outside any text")
        start, end = int(numbers[0]) - shift, int(numbers[1]) - shift
        if not 0 <= start < end:
            raise fail(f"span {start + shift}-{end + shift} must have 0 <= start < end")
        if end > len(text):
            raise fail(f"span {start + shift}-{end + shift} is outside the text "
                       f"({len(text) + shift} characters)")
        parts.append((start, end))
    for (_, end), (start, _) in itertools.pairwise(parts):
        gap = text[end:start]
        if not gap or any(ch not in LINE_BREAKS for ch in gap):
            raise fail(f"discontinuous span {_shown(offsets)}: only fragments separated by line breaks "
                       "can be imported (one span)")
    expected = " ".join(text[a:b] for a, b in parts)
    if written != expected:
        raise fail(f"the line's text {_shown(written)} differs from the text at {offsets}: "
                   f"{_shown(expected)}")
    start, end = parts[0][0], parts[-1][1]
    if (start, end, label) in parsed.keys:
        raise fail(f"the same span {start + shift}-{end + shift} {label!r} is on line "
                   f"{parsed.keys[(start, end, label)]} too")
    parsed.keys[(start, end, label)] = number
    item = {"id": ann_id, "start": start, "end": end, "label": label, "text": text[start:end],
            "attributes": {}}
    parsed.by_id[ann_id] = item
    parsed.spans.append(item)


def _shown(value: str, limit: int = 60) -> str:
    """``repr(value)``, cut to about ``limit`` characters (an error message stays one line)."""
    return repr(value) if len(value) <= limit else repr(value[:limit]) + f"... ({len(value):,} " \
        "characters)"


def _resolve(parsed: _Parsed, path: str) -> list[dict[str, Any]]:
    for number, kind, target, value in parsed.attached:
        item = parsed.by_id.get(target)
        if item is None:
            raise ValidationError(f"refers to a missing span {target!r}", path=path, line=number)
        if kind == "#":
            if item.get("note"):
                raise ValidationError(f"a second note for {target}", path=path, line=number)
            item["note"] = value
        elif kind in item["attributes"]:
            raise ValidationError(f"a second {kind!r} attribute for {target}", path=path,
                                  line=number)
        else:
            item["attributes"][kind] = value
    relations = []
    for number, relation in parsed.relations:
        for end in ("head", "tail"):
            if relation[end] not in parsed.by_id:
                raise ValidationError(f"refers to a missing span {relation[end]!r}", path=path,
                                      line=number)
        relations.append(relation)
    return relations


FORMAT = Format(name="brat", description="brat standoff folder: .txt, .ann, annotation.conf",
                suffix="", write=write, read=read, unit="document", check_target=_check_target)
