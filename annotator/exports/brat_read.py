"""brat standoff import: records from a ``.txt`` (the ``.ann`` beside it), an ``.ann`` (the
``.txt`` beside it) or a folder of them, every line checked (see :mod:`annotator.exports.brat`
for the layout and the rules)."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.errors import ValidationError
from annotator.core.text import canonicalize
from annotator.exports.base import ImportContext, ReadItem
from annotator.exports.brat_names import CONF, LINE_BREAKS, NAMES, is_export, unescape_name

#: offsets longer than this many digits are refused before int() (Python refuses 4,300)
OFFSET_DIGITS = 15
DEFAULT_OWNER = "brat"
_T_ID = re.compile(r"T\d+")


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
        if is_export(folder):
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
    if owner is None and (spans or not is_export(txt.parent)):
        owner = DEFAULT_OWNER
    stem = txt.name[:-len(txt.suffix)]
    record: dict[str, Any] = {"doc_id": names.get(stem) or unescape_name(stem), "text": text,
                              "annotator": owner, "spans": spans, "relations": relations}
    if owner is None:
        record["status"] = None
    return record


def _layout_owner(txt: Path, names: dict[str, str]) -> str | None:
    folder = txt.parent
    if not (folder / CONF).exists() and is_export(folder.parent):
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
