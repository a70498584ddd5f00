"""Fuzz cases for every importer: valid sample files of each format, and mutations of them.

A :class:`Case` is a set of files (relative path -> bytes), the path the CLI imports and the extra
arguments it needs. :func:`make_case` draws one from a ``random.Random`` (Hypothesis hands one
in the tests, ``random.Random(seed)`` in benchmarks/bench_fuzz.py), so that the same generator
serves both: byte damage (flips, truncations, insertions of NUL, CR, BOMs, invalid UTF-8,
surrogates), and mutations that know the format (wrong types, huge or non-finite numbers, deep
nesting, lone surrogates, NUL and CR in texts, offsets out of range, damaged zip members and
sheet XML, missing ``.txt`` and ``.ann`` files, broken tag columns).

The samples are written by the exporters themselves (a first document with an emoji before its
spans, a second with a span over a line break), so a mutation that changes nothing imports.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from random import Random
from typing import Any

from annotator.core.model import AnnotationSet, Document, Relation, SetKind, SetStatus, Span
from annotator.core.text import sha256_text

FORMATS = ("text", "html", "jsonl", "excel", "conll", "brat", "labelstudio", "doccano",
           "spans-jsonl")

TEXT_1 = ("😀 قال وزير الدفاع الفرنسي جان إيف لودريان إن فرنسا وروسيا ستتعاونان في موسكو.\n"
          "وأضاف: «نحن جاهزون للعمل معاً».")
TEXT_2 = "🙂 أعلنت روسيا أن السفن ستصل إلى السواحل\nالسورية قريباً."


@dataclass(frozen=True)
class Case:
    format: str
    files: dict[str, bytes]          # relative path -> content ("" content-less folders aside)
    target: str                      # what the CLI imports, relative to the case folder
    args: tuple[str, ...] = ()       # --format and the like
    mutation: str = "none"
    folders: tuple[str, ...] = ()    # empty folders to create

    def write(self, root: Path) -> Path:
        """The files under ``root``; returns the path to import."""
        for name in self.folders:
            (root / name).mkdir(parents=True, exist_ok=True)
        for name, data in self.files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return root / self.target

    def argv(self, root: Path) -> list[str]:
        return ["import", "-q", str(root / self.target), *self.args]


# -- the samples ---------------------------------------------------------------------------------


def _span(text: str, word: str, label: str, span_id: int, *, nth: int = 0,
          **extra: Any) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return Span(start=start, end=start + len(word), label=label, text=word, id=span_id, **extra)


def sample_items() -> list[tuple[Document, AnnotationSet | None]]:
    """Two documents, three sets: gold and mona on the first, gold on the second (one span over
    a line break), spans with an attribute, a note, relations."""
    d1 = Document(external_id="fuzz-1", title="قال وزير الدفاع", text=TEXT_1,
                  sha256=sha256_text(TEXT_1), id=1, meta={"source": "fuzz"})
    d2 = Document(external_id="fuzz-2", title="أعلنت روسيا", text=TEXT_2,
                  sha256=sha256_text(TEXT_2), id=2)
    quote = _span(TEXT_1, "نحن جاهزون للعمل معاً", "quote", 4, attributes={"kind": "direct"})
    gold_1 = AnnotationSet(document_id=1, owner="gold", kind=SetKind.GOLD,
                           status=SetStatus.DONE, spans=tuple(sorted((
                               _span(TEXT_1, "قال", "cue", 1),
                               _span(TEXT_1, "وزير الدفاع الفرنسي جان إيف لودريان", "actor", 2,
                                     note="وزير"),
                               _span(TEXT_1, "موسكو", "location", 3), quote),
                               key=lambda s: (s.start, s.end, s.label))),
                           relations=(Relation(type="said_by", head=4, tail=2),
                                      Relation(type="cue", head=4, tail=1)))
    mona_1 = AnnotationSet(document_id=1, owner="mona", kind=SetKind.ANNOTATION,
                           status=SetStatus.IN_PROGRESS,
                           spans=(_span(TEXT_1, "فرنسا", "location", 11),
                                  _span(TEXT_1, "روسيا", "location", 12, nth=0)))
    gold_2 = AnnotationSet(document_id=2, owner="gold", kind=SetKind.GOLD, status=SetStatus.DONE,
                           spans=(_span(TEXT_2, "روسيا", "actor", 21),
                                  _span(TEXT_2, "السواحل\nالسورية", "location", 22)))
    return [(d1, gold_1), (d1, mona_1), (d2, gold_2)]


def documents_jsonl() -> bytes:
    """The two sample documents without sets: what an Excel import needs in the store first."""
    seen: dict[str, Document] = {}
    for document, _ in sample_items():
        seen.setdefault(document.external_id, document)
    return "".join(json.dumps({"doc_id": d.external_id, "title": d.title, "text": d.text},
                              ensure_ascii=False) + "\n" for d in seen.values()).encode("utf-8")


def _exported(fmt: str) -> dict[str, bytes]:
    """The files the exporter of ``fmt`` writes for the sample items (CoNLL: the gold sets only,
    since CoNLL has no owners and two sets of one document would be one document twice)."""
    from annotator.exports.base import ExportOptions
    from annotator.exports.registry import get_format

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        if fmt == "brat":
            out = Path(tmp) / "brat"
        else:
            out = out.with_suffix({"excel": ".xlsx", "conll": ".conll",
                                   "labelstudio": ".json"}.get(fmt, ".jsonl"))
        writer = get_format(fmt).write
        assert writer is not None
        items = sample_items()
        if fmt == "conll":
            items = [(d, s) for d, s in items if s is None or s.owner == "gold"]
        writer(items, out, ExportOptions())
        base = Path(tmp)
        return {str(p.relative_to(base)): p.read_bytes() for p in sorted(base.rglob("*"))
                if p.is_file() and not p.name.endswith(".config.xml")}


_HTML = ("<!DOCTYPE html>\n<html lang=\"ar\" dir=\"rtl\"><head><meta charset=\"utf-8\">"
         "<title>فرنسا وروسيا</title></head><body><nav><a href=\"/\">الرئيسية</a></nav>"
         "<article><h1>فرنسا وروسيا تبحثان التعاون</h1><p>" + TEXT_1.replace("\n", "</p><p>")
         + "</p><p>" + TEXT_2.replace("\n", " ") + "</p></article></body></html>\n")


@cache
def samples() -> dict[str, Case]:
    """One valid case per format."""
    spans_lines = []
    for document, aset in sample_items():
        if aset is None or aset.owner != "gold":
            continue
        spans_lines.append(json.dumps(
            {"id": document.external_id, "text": document.text, "source": "fuzz",
             "spans": [{"start": s.start, "end": s.end, "label": s.label, "text": s.text}
                       for s in aset.spans]}, ensure_ascii=False))
    brat = _exported("brat")
    return {
        "text": Case("text", {"doc.txt": (TEXT_1 + "\n\n" + TEXT_2 + "\n").encode("utf-8")},
                     "doc.txt"),
        "html": Case("html", {"page.html": _HTML.encode("utf-8")}, "page.html"),
        "jsonl": Case("jsonl", _exported("jsonl"), "out.jsonl"),
        "excel": Case("excel", _exported("excel"), "out.xlsx"),
        "conll": Case("conll", _exported("conll"), "out.conll"),
        "brat": Case("brat", brat, "brat", ("--format", "brat")),
        "labelstudio": Case("labelstudio", _exported("labelstudio"), "out.json",
                            ("--format", "labelstudio")),
        "doccano": Case("doccano", _exported("doccano"), "out.jsonl", ("--format", "doccano")),
        "spans-jsonl": Case("spans-jsonl",
                            {"spans.jsonl": "".join(ln + "\n" for ln in spans_lines)
                             .encode("utf-8")},
                            "spans.jsonl", ("--format", "spans-jsonl", "--id-field", "id")),
    }


# -- byte damage ---------------------------------------------------------------------------------

#: bytes that make trouble: NUL, CR, CRLF, BOMs, invalid UTF-8, an encoded surrogate, a tab
TROUBLE = (b"\x00", b"\r", b"\r\n", b"\xef\xbb\xbf", b"\xff\xfe", b"\xff", b"\xc3", b"\xed\xa0\x80",
           b"\t", b"\n", b"\x0b", b"\xe2\x80\xa8", b"\x1b", b"\"", b"\\", b"{", b"]", b"%PDF-",
           b"PK\x03\x04", b"<html>", b" ", b"-DOCSTART-")


def damage_bytes(rnd: Random, data: bytes) -> tuple[bytes, str]:
    """One random byte-level damage of ``data``."""
    n = len(data)
    kind = rnd.choice(("flip", "truncate", "insert", "delete", "duplicate", "empty", "repeat"))
    at = rnd.randrange(n + 1) if n else 0
    if kind == "flip" and n:
        buf = bytearray(data)
        for _ in range(rnd.randint(1, 4)):
            i = rnd.randrange(n)
            buf[i] ^= 1 << rnd.randrange(8)
        return bytes(buf), "flip"
    if kind == "truncate":
        return data[:at], f"truncate@{at}"
    if kind == "delete" and n:
        end = min(n, at + rnd.randint(1, 64))
        return data[:at] + data[end:], f"delete@{at}"
    if kind == "duplicate" and n:
        end = min(n, at + rnd.randint(1, 256))
        return data[:end] + data[at:end] + data[end:], f"duplicate@{at}"
    if kind == "empty":
        return rnd.choice((b"", b"\n", b" \n\n", b"\xef\xbb\xbf", b"\x00" * 8)), "empty"
    if kind == "repeat":
        return data * rnd.randint(2, 4), "repeat"
    piece = rnd.choice(TROUBLE) if rnd.random() < 0.8 else rnd.randbytes(rnd.randint(1, 8))
    return data[:at] + piece + data[at:], f"insert {piece!r}@{at}"


# -- JSON-aware damage ---------------------------------------------------------------------------

_MARK = "@@fuzz{}@@"


def _fragments(rnd: Random) -> dict[str, str]:
    """Raw JSON fragments Python's json.dumps cannot write, put in by marker."""
    depth = rnd.choice((50, 900, 1200, 5000, 100_000))
    return {
        "huge": "9" * rnd.choice((20, 400, 4300, 4301, 5000, 20_000)),
        "negative-huge": "-" + "9" * rnd.choice((30, 5000)),
        "deep-list": "[" * depth + "]" * depth,
        "deep-object": '{"a":' * depth + "1" + "}" * depth,
        "nan": "NaN", "infinity": "Infinity", "minus-infinity": "-Infinity", "big-float": "1e400",
        "lone-surrogate": '"a\\ud800b"', "low-surrogate": '"\\udfff"',
        "nul": '"a\\u0000b"', "bad-escape": '"\\x41"', "unclosed": '"abc',
        "control": '"a\\u0001\\u001fb"',
    }


VALUES: tuple[Any, ...] = (None, True, False, 0, -1, 1, 2**31, 2**63, 10**30, 1.5, -0.0, "", "x",
                           "0", "gold", "suggestions", "quote", "actor", "not-a-label", [], {},
                           [1, 2, "x"], {"a": 1}, "a\rb", "a\r\nb", "\ufeff", "😀", "\u200f",
                           "x" * 300, "ز" * 200, "a,b", "\t", "s1", "T1")


def _nodes(obj: Any, limit: int = 400) -> list[tuple[Any, ...]]:
    """Paths to the nodes of a JSON value (breadth first, at most ``limit``)."""
    paths: list[tuple[Any, ...]] = [()]
    queue: list[tuple[tuple[Any, ...], Any]] = [((), obj)]
    while queue and len(paths) < limit:
        path, node = queue.pop(0)
        items = node.items() if isinstance(node, dict) else enumerate(node) \
            if isinstance(node, list) else ()
        for key, value in items:
            paths.append((*path, key))
            queue.append(((*path, key), value))
    return paths


def _get(obj: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        obj = obj[key]
    return obj


def _set(obj: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    _get(obj, path[:-1])[path[-1]] = value
    return obj


def _texts(obj: Any) -> list[tuple[Any, ...]]:
    """Paths to the long Arabic strings (document texts) of a JSON value."""
    return [p for p in _nodes(obj, 2000) if isinstance(_get(obj, p), str)
            and len(_get(obj, p)) > 30 and not _get(obj, p).isascii()]


def mutate_json(rnd: Random, obj: Any) -> tuple[Any, dict[str, str], str]:
    """A structure-aware mutation of a parsed JSON value: (new value, fragments to put in by
    marker, what was done)."""
    obj = json.loads(json.dumps(obj))
    fragments: dict[str, str] = {}
    if rnd.random() < 0.4:          # a document the store does not have: all of it is written
        texts = _texts(obj)
        if texts:
            end = len(_get(obj, texts[0]))
            _insert_into_text(obj, texts[0], " .", end, shift=False)
    kind = rnd.choice(("value", "value", "fragment", "fragment", "delete", "add", "text",
                       "text", "offsets", "swap", "risky", "risky"))
    paths = _nodes(obj)
    depth = rnd.choice(sorted({len(p) for p in paths}))     # each depth as likely: the record's
    path = rnd.choice([p for p in paths if len(p) == depth])  # own fields as often as a span's
    if kind == "value":
        value = rnd.choice(VALUES)
        return _set(obj, path, value), fragments, f"value {path}={value!r}"[:120]
    if kind == "fragment":
        name = rnd.choice(sorted(_fragments(rnd)))
        marker = _MARK.format(len(fragments))
        fragments[marker] = _fragments(rnd)[name]
        return _set(obj, path, marker), fragments, f"fragment {path}={name}"
    if kind == "delete" and path:
        parent = _get(obj, path[:-1])
        del parent[path[-1]]
        return obj, fragments, f"delete {path}"
    if kind == "add":
        node = _get(obj, path)
        if isinstance(node, dict):
            node[rnd.choice(("extra", "start", "end", "label", "id", "sha256", "annotator"))] = \
                rnd.choice(VALUES)
        elif isinstance(node, list):
            node.insert(rnd.randint(0, len(node)), rnd.choice(VALUES + ({"start": 0},)))
        return obj, fragments, f"add at {path}"
    if kind == "risky":      # into some object (a meta, an attributes, a record): a value
        objects = [p for p in paths if isinstance(_get(obj, p), dict)]   # no store can hold
        where = rnd.choice(objects) if objects else ()
        name = rnd.choice(("nan", "infinity", "minus-infinity", "big-float", "lone-surrogate",
                           "low-surrogate", "nul", "huge", "deep-object", "deep-list",
                           "control"))
        marker = _MARK.format(len(fragments))
        fragments[marker] = _fragments(rnd)[name]
        if isinstance(_get(obj, where), dict):
            _get(obj, where)[rnd.choice(("fuzz", "kind", "note", "title", "doc_id"))] = marker
        return obj, fragments, f"risky {where}: {name}"
    if kind == "text":
        texts = _texts(obj)
        if texts:
            where = rnd.choice(texts)
            piece, at = _text_piece(rnd, _get(obj, where))
            _insert_into_text(obj, where, piece, at, shift=rnd.random() < 0.8)
            return obj, fragments, f"text {where} {piece!r}@{at}"
    if kind == "offsets":
        ints = [p for p in paths if isinstance(_get(obj, p), int)
                and not isinstance(_get(obj, p), bool)]
        if ints:
            where = rnd.choice(ints)
            value = _get(obj, where) + rnd.choice((-2, -1, 1, 2, 100, -100, 10**6))
            return _set(obj, where, value), fragments, f"offset {where}={value}"
    if kind == "swap":
        node = _get(obj, path)
        if isinstance(node, list) and len(node) > 1:
            i, j = rnd.sample(range(len(node)), 2)
            node[i], node[j] = node[j], node[i]
            return obj, fragments, f"swap {path}"
    return obj, fragments, "unchanged"


def _text_piece(rnd: Random, text: str) -> tuple[str, int]:
    """Something to put into a document text, and where."""
    piece = rnd.choice(("\r\n", "\r", "\r\n\r\n", "\x00", "\ufeff", "\ud800", "\n", "\u2028",
                        "\x85", "\x0c"))
    return piece, 0 if piece == "\ufeff" else rnd.randrange(len(text) + 1)


def _insert_into_text(obj: Any, where: tuple[Any, ...], piece: str, at: int, *,
                      shift: bool) -> None:
    """``piece`` put into the text at ``where``, its hash made right, and (``shift``) the spans
    after it moved along."""
    text = _get(obj, where)
    new = text[:at] + piece + text[at:]
    _set(obj, where, new)
    _fix_hashes(obj, text, new)
    if shift:
        _shift_offsets(obj, at, len(piece))
    for path in _nodes(obj, 5000):       # a new text is a new document: a new id (the samples'
        node = _get(obj, path)           # documents are in the store)
        for key in ("doc_id", "id"):
            if isinstance(node, dict) and isinstance(node.get(key), str) \
                    and node[key].startswith("fuzz-"):
                node[key] += f"-{ord(piece[0]):x}-{at}"


_STARTS = ("start", "start_offset", "startIdx")
_ENDS = ("end", "end_offset", "endIdx")


def _shift_offsets(obj: Any, at: int, size: int) -> None:
    """The offsets of spans after ``at`` moved by ``size`` (text put in there): a record that is
    valid but for what was put into its text. Every span of the value is moved, whichever text
    it is on: for the one-text records of the samples, that is the right one."""
    for path in _nodes(obj, 5000):
        node = _get(obj, path)
        if isinstance(node, dict):
            for key in _STARTS:
                if type(node.get(key)) is int and node[key] >= at:
                    node[key] += size
            for key in _ENDS:
                if type(node.get(key)) is int and node[key] > at:
                    node[key] += size
        elif isinstance(node, list) and len(node) == 3 and type(node[0]) is int \
                and type(node[1]) is int and isinstance(node[2], str):
            node[0] += size if node[0] >= at else 0
            node[1] += size if node[1] > at else 0


def _fix_hashes(obj: Any, old: str, new: str) -> None:
    """Where a ``sha256`` beside the text hashed the old text, it hashes the new one (usually):
    the record is then valid but for what was put into its text."""
    old_sha = sha256_text(old)
    try:
        new_sha = sha256_text(new)
    except UnicodeEncodeError:
        return
    for path in _nodes(obj, 2000):
        if path and path[-1] == "sha256" and _get(obj, path) == old_sha:
            _set(obj, path, new_sha)


def dump_json(rnd: Random, obj: Any, fragments: dict[str, str]) -> bytes:
    text = json.dumps(obj, ensure_ascii=rnd.random() < 0.3)
    for marker, fragment in fragments.items():
        text = text.replace(f'"{marker}"', fragment)
    return text.encode("utf-8", errors="surrogatepass")


def _text_on_every_line(rnd: Random, lines: list[bytes], i: int) -> tuple[bytes, str]:
    objects = {k: json.loads(ln) for k, ln in enumerate(lines) if ln.strip()}
    texts = _texts(objects[i])
    if not texts:
        return b"\n".join(lines), "no text"
    where = texts[0]
    text = _get(objects[i], where)
    piece, at = _text_piece(rnd, text)
    for k, obj in objects.items():
        try:
            same = _get(obj, where) == text
        except (KeyError, IndexError, TypeError):
            same = False
        if same:
            _insert_into_text(obj, where, piece, at, shift=True)
            lines[k] = dump_json(rnd, obj, {})
    return b"\n".join(lines), f"every line's text {where} {piece!r}@{at}"


def mutate_json_lines(rnd: Random, data: bytes) -> tuple[bytes, str]:
    """A JSON Lines file with one line mutated (structure-aware), or lines moved around."""
    lines = data.split(b"\n")
    body = [i for i, ln in enumerate(lines) if ln.strip()]
    if not body:
        return damage_bytes(rnd, data)
    choice = rnd.random()
    i = rnd.choice(body)
    if choice < 0.15:        # the same text changed on every line that has it: a valid file
        return _text_on_every_line(rnd, lines, i)   # but for what was put into the text
    if choice < 0.3:
        op = rnd.choice(("duplicate", "drop", "blank", "garbage", "array", "crlf"))
        if op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "drop":
            del lines[i]
        elif op == "blank":
            lines.insert(i, b"   ")
        elif op == "garbage":
            lines.insert(i, rnd.choice((b"[]", b"42", b"null", b"\"x\"", b"{", b"}{")))
        elif op == "array":
            lines[i] = b"[" + lines[i] + b"]"
        else:
            lines = [ln + b"\r" for ln in lines]
        return b"\n".join(lines), f"lines {op}@{i + 1}"
    obj = json.loads(lines[i])
    new, fragments, what = mutate_json(rnd, obj)
    lines[i] = dump_json(rnd, new, fragments)
    return b"\n".join(lines), f"line {i + 1}: {what}"


# -- per-format mutations ------------------------------------------------------------------------


def _one_file(rnd: Random, case: Case, name: str | None = None) -> tuple[str, bytes]:
    name = name or rnd.choice(sorted(case.files))
    return name, case.files[name]


def _with(case: Case, mutation: str, **files: bytes | None) -> Case:
    new = dict(case.files)
    for name, data in files.items():
        if data is None:
            new.pop(name, None)
        else:
            new[name] = data
    return replace(case, files=new, mutation=mutation)


def _bytes_case(rnd: Random, case: Case) -> Case:
    name, data = _one_file(rnd, case)
    damaged, what = damage_bytes(rnd, data)
    return _with(case, f"{name}: {what}", **{name: damaged})


def _json_lines_case(rnd: Random, case: Case) -> Case:
    name, data = _one_file(rnd, case, case.target)
    mutated, what = mutate_json_lines(rnd, data)
    return _with(case, f"{name}: {what}", **{name: mutated})


def _labelstudio_case(rnd: Random, case: Case) -> Case:
    name, data = _one_file(rnd, case, case.target)
    obj = json.loads(data)
    for _ in range(rnd.randint(1, 3)):
        obj, fragments, what = mutate_json(rnd, obj)
        if fragments:
            break
    return _with(case, f"{name}: {what}", **{name: dump_json(rnd, obj, fragments)})


def _text_case(rnd: Random, case: Case) -> Case:
    name, data = _one_file(rnd, case)
    if rnd.random() < 0.5:
        return _bytes_case(rnd, case)
    special = rnd.choice((
        b"\xff\xfe" + "قال الوزير".encode("utf-16-le") + b"\x00",          # odd UTF-16
        b"\xfe\xff" + "قال".encode("utf-16-be"),
        "قال الوزير".encode("utf-16-le"),                                   # no BOM
        "قال الوزير إن روسيا".encode("cp1256"),
        b"\r" * 50, b"\r\n".join([b"a"] * 20), b"   \n\t\n",
        data.replace(b"\n", b"\r\n"), data.replace(b"\n", b"\r"),
        b"<html><body>" + b"<div>" * 20_000 + data + b"</div>" * 20_000 + b"</body></html>",
        b"<html><body><p>" + data + b"\x00</p></body></html>",
        b"x" * 200_000, "ز".encode() * 100_000 + b"\n" + data,
        b"word B-actor\nother O\n\n" * 3, b"-DOCSTART- -X- O O\n\n" + data,
    ))
    return _with(case, f"{name}: special", **{name: special})


def _html_case(rnd: Random, case: Case) -> Case:
    name, data = _one_file(rnd, case)
    if rnd.random() < 0.6:
        return _bytes_case(rnd, case)
    depth = rnd.choice((100, 1000, 20_000))
    special = rnd.choice((
        b"<html><body>" + b"<div>" * depth + "<p>قال الوزير</p>".encode() + b"</div>" * depth
        + b"</body></html>",
        b"<html><head><title>" + b"x" * 10_000 + b"</title></head><body></body></html>",
        data.replace(b"<p>", b"<p>\x00", 1), data.replace(b"utf-8", b"x-unknown"),
        data.replace(b"utf-8", b"utf-16"), b"<html>", b"<", b"<!-- " + data,
        data.replace(b"</p>", b"\r</p>"), b"<html><body><script>" + data + b"</script></body>",
        data.replace(b"<title>", b"<title>\xed\xa0\x80"),
    ))
    return _with(case, f"{name}: special", **{name: special})


_CONLL_TAGS = ("O", "B-", "I-", "X-actor", "B-actor", "I-location", "E-cue", "S-quote", "L-cue",
               "U-actor", "B-unknownlabel", "B-a-b", "\u200f", "B-" + "x" * 80, "B-قول",
               "b-actor", "B_actor", "-", "O O O", "B-actor\tI-actor")


def _conll_case(rnd: Random, case: Case) -> Case:
    name, data = _one_file(rnd, case, case.target)
    if rnd.random() < 0.35:
        return _bytes_case(rnd, case)
    lines = data.decode("utf-8").split("\n")
    token_lines = [i for i, ln in enumerate(lines) if ln and not ln.startswith("-DOCSTART-")]
    i = rnd.choice(token_lines)
    token, _, tags = lines[i].partition(" ")
    op = rnd.choice(("tag", "token", "columns", "docstart", "blank", "long", "drop-tag", "crlf",
                     "doc-size"))
    if op == "tag":
        lines[i] = f"{token} {rnd.choice(_CONLL_TAGS)}"
    elif op == "token":
        lines[i] = f"{rnd.choice(('', ' ', 'a' + chr(13) + 'b', 'x' + chr(0), chr(0x200f), 'ز' * 5000, chr(0x2028), 'a' + chr(11)))} {tags}"
    elif op == "columns":
        lines[i] = f"{token} {tags} {' '.join(rnd.choice(_CONLL_TAGS) for _ in range(rnd.randint(1, 4)))}"
    elif op == "docstart":
        lines.insert(i, rnd.choice(("-DOCSTART- -X- O O", "-DOCSTART-", "-DOCSTART- B-actor")))
    elif op == "blank":
        lines[i:i] = [""] * rnd.randint(1, 5)
    elif op == "long":
        lines[i:i] = [f"tok{k} O" for k in range(rnd.choice((10, 5000)))]
    elif op == "drop-tag":
        lines[i] = token
    elif op == "crlf":
        lines = [ln + "\r" for ln in lines]
    else:
        return replace(case, mutation="doc-size", args=case.args + ("--doc-size", "1"))
    return _with(case, f"{name}: {op}@{i + 1}", **{name: "\n".join(lines).encode("utf-8")})


def _ann_line(rnd: Random, line: str) -> str:
    ann_id, _, rest = line.partition("\t")
    head, _, text = rest.partition("\t")
    parts = head.split(" ")
    choice = rnd.choice(("offset", "offset", "text", "id", "tab", "kind", "huge", "frag"))
    if choice == "offset" and len(parts) >= 3:
        parts[rnd.randrange(1, len(parts))] = str(rnd.choice((-1, 0, 1, 5, 10**6, 2**40)))
    elif choice == "huge" and len(parts) >= 3:
        parts[rnd.randrange(1, len(parts))] = "9" * rnd.choice((19, 4301, 6000))
    elif choice == "frag" and len(parts) >= 3:
        parts[-1] = parts[-1] + ";" + rnd.choice(("1 2", "x", "", "5 3"))
    elif choice == "text":
        text = rnd.choice(("", "x", text + " ", text + "\r", "\x00"))
    elif choice == "id":
        ann_id = rnd.choice(("T1", "X1", "", "T", "R1", "E1", "*", "#1", "T1a"))
    elif choice == "tab":
        return line.replace("\t", " ")
    elif choice == "kind":
        parts[0] = rnd.choice(("", "unknown", "quote", "said_by", "x y", "Arg1:T1", "kind"))
    return f"{ann_id}\t{' '.join(parts)}\t{text}" if text or "\t" in rest else \
        f"{ann_id}\t{' '.join(parts)}"


def _brat_case(rnd: Random, case: Case) -> Case:
    anns = sorted(n for n in case.files if n.endswith(".ann"))
    txts = sorted(n for n in case.files if n.endswith(".txt"))
    op = rnd.choice(("no-txt", "no-ann", "orphan-ann", "ann-line", "ann-line", "ann-line",
                     "txt-bytes", "ann-bytes", "conf", "txt-cr", "no-format"))
    if op == "no-txt":
        name = rnd.choice(txts)
        return _with(case, f"{name} removed", **{name: None})
    if op == "no-ann":
        name = rnd.choice(anns)
        return _with(case, f"{name} removed", **{name: None})
    if op == "orphan-ann":
        name = rnd.choice(anns)
        return _with(case, "orphan .ann", **{name.replace(".ann", "-orphan.ann"): case.files[name]})
    if op in ("ann-line", "ann-bytes"):
        name = rnd.choice([n for n in anns if case.files[n].strip()] or anns)
        data = case.files[name]
        if op == "ann-bytes" or not data.strip():
            damaged, what = damage_bytes(rnd, data)
            return _with(case, f"{name}: {what}", **{name: damaged})
        lines = data.decode("utf-8").split("\n")
        i = rnd.choice([k for k, ln in enumerate(lines) if ln])
        lines[i] = _ann_line(rnd, lines[i])
        return _with(case, f"{name}:{i + 1} changed",
                     **{name: "\n".join(lines).encode("utf-8", errors="surrogatepass")})
    if op in ("txt-bytes", "txt-cr"):
        name = rnd.choice(txts)
        data = case.files[name]
        if op == "txt-cr":
            at = rnd.randrange(len(data) + 1)
            while at and at < len(data) and (data[at] & 0xC0) == 0x80:
                at -= 1
            return _with(case, f"{name}: CR@{at}", **{name: data[:at] + b"\r" + data[at:]})
        damaged, what = damage_bytes(rnd, data)
        return _with(case, f"{name}: {what}", **{name: damaged})
    if op == "conf":
        name = next(n for n in case.files if n.endswith("annotation.conf"))
        damaged, what = damage_bytes(rnd, case.files[name])
        return _with(case, f"conf: {what}", **{name: damaged if rnd.random() < 0.7 else None})
    return replace(case, args=(), mutation="no --format")


_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"([^>]*)>(.*?)</c>', re.DOTALL)
_ROW = re.compile(rb'<row r="(\d+)"')


def _sheet_xml(rnd: Random, data: bytes) -> tuple[bytes, str]:
    cells = list(_CELL.finditer(data))
    rows = list(_ROW.finditer(data))
    op = rnd.choice(("value", "type", "row-number", "empty-rows", "bytes", "unclosed", "entity",
                     "formula", "shared", "dimension", "column", "many-columns"))
    if op == "value" and cells:
        m = rnd.choice(cells)
        value = rnd.choice((b"abc", b"1e400", b"NaN", b"-5", b"99999999999999999999",
                            b"1.5", b"", b"&#0;", b"\xed\xa0\x80", b"-0"))
        new = b'<c r="%s%s" t="n"><v>%s</v></c>' % (m.group(1), m.group(2), value)
        return data[:m.start()] + new + data[m.end():], f"value {value!r}"
    if op == "type" and cells:
        m = rnd.choice(cells)
        kind = rnd.choice((b"e", b"b", b"d", b"s", b"x", b"str", b"n"))
        value = rnd.choice((b"#N/A", b"1", b"2024-13-45", b"999", b"TRUE", b"x"))
        new = b'<c r="%s%s" t="%s"><v>%s</v></c>' % (m.group(1), m.group(2), kind, value)
        return data[:m.start()] + new + data[m.end():], f"type {kind!r}"
    if op == "row-number" and rows:
        m = rnd.choice(rows)
        number = rnd.choice((b"0", b"-1", b"1048577", b"1000000000", b"x", b"3"))
        return data[:m.start(1)] + number + data[m.end(1):], f"row {number!r}"
    if op == "empty-rows":
        count = rnd.choice((10, 1000, 30_000))
        last = int(rows[-1].group(1)) if rows else 1
        at = data.rfind(b"</sheetData>")
        if at < 0:
            return data, "no sheetData"
        blank = b"".join(b'<row r="%d"/>' % (last + k) for k in range(1, count + 1))
        tail = b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>fuzz-1</t></is></c></row>' % (
            last + count + 1, last + count + 1) if rnd.random() < 0.5 else b""
        return data[:at] + blank + tail + data[at:], f"{count} empty rows"
    if op == "unclosed":
        at = data.find(b"</sheetData>")
        return (data[:at] + data[at + 12:] if at >= 0 else data), "unclosed sheetData"
    if op == "entity" and cells:
        m = rnd.choice(cells)
        return data[:m.end()] + b'<c r="Z1" t="inlineStr"><is><t>&#0;&bogus;</t></is></c>' \
            + data[m.end():], "entity"
    if op == "formula" and cells:
        m = rnd.choice(cells)
        new = b'<c r="%s%s"><f>1+1</f><v>2</v></c>' % (m.group(1), m.group(2))
        return data[:m.start()] + new + data[m.end():], "formula"
    if op == "shared" and cells:
        m = rnd.choice(cells)
        new = b'<c r="%s%s" t="s"><v>%s</v></c>' % (m.group(1), m.group(2),
                                                     rnd.choice((b"0", b"9999", b"-1")))
        return data[:m.start()] + new + data[m.end():], "shared string"
    if op == "dimension":
        return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data) \
            if b"<dimension" in data else data.replace(
                b"<sheetData>", b'<dimension ref="A1:B2"/><sheetData>', 1), "dimension"
    if op == "column" and cells:
        m = rnd.choice(cells)
        column = rnd.choice((b"XFD", b"ZZZZ", b"a", b""))
        new = b'<c r="%s%s"%s>%s</c>' % (column, m.group(2), m.group(3), m.group(4))
        return data[:m.start()] + new + data[m.end():], f"column {column!r}"
    if op == "many-columns" and rows:
        m = rnd.choice(rows)
        close = data.find(b"</row>", m.end())
        extra = b"".join(b'<c r="%s%s" t="inlineStr"><is><t>x</t></is></c>' % (
            col, m.group(1)) for col in (b"AA", b"ZZ", b"XFD"))
        return data[:close] + extra + data[close:], "many columns"
    return damage_bytes(rnd, data)


def _excel_case(rnd: Random, case: Case) -> Case:
    name, data = _one_file(rnd, case, case.target)
    op = rnd.random()
    if op < 0.2:
        return _bytes_case(rnd, replace(case, files={name: data}))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    sheets = sorted(m for m in members if m.startswith("xl/worksheets/sheet"))
    if op < 0.75:
        member = rnd.choice(sheets[1:2] * 4 + sheets)  # the Spans sheet most often
        members[member], what = _sheet_xml(rnd, members[member])
    elif op < 0.85:
        member = rnd.choice(sorted(members))
        members[member], what = damage_bytes(rnd, members[member])
    else:
        member = rnd.choice(sorted(members))
        del members[member]
        what = "removed"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member_name, content in members.items():
            archive.writestr(member_name, content)
    return _with(case, f"{member}: {what}", **{name: out.getvalue()})


MUTATORS: dict[str, Callable[[Random, Case], Case]] = {
    "text": _text_case,
    "html": _html_case,
    "jsonl": lambda rnd, case: (_json_lines_case if rnd.random() < 0.75 else _bytes_case)(
        rnd, case),
    "excel": _excel_case,
    "conll": _conll_case,
    "brat": _brat_case,
    "labelstudio": lambda rnd, case: (_labelstudio_case if rnd.random() < 0.75 else _bytes_case)(
        rnd, case),
    "doccano": lambda rnd, case: (_json_lines_case if rnd.random() < 0.75 else _bytes_case)(
        rnd, case),
    "spans-jsonl": lambda rnd, case: (_json_lines_case if rnd.random() < 0.75 else _bytes_case)(
        rnd, case),
}

#: flags a case may add (each changes what the importer does with a bad file)
FLAGS: tuple[tuple[str, ...], ...] = (("--skip-bad",), ("--replace",), ("--add-labels",),
                                      ("--strip-marks",))


def make_case(rnd: Random, fmt: str) -> Case:
    """One case of ``fmt``: the sample (about 1 in 20), or one to three mutations of it; often
    for an annotator of its own (so that what a case imports is new to the store, and a bad case
    would have written something), sometimes with a flag."""
    case = samples()[fmt]
    if rnd.random() >= 0.05:
        for _ in range(1 if rnd.random() < 0.7 else rnd.randint(2, 3)):
            try:
                case = MUTATORS[fmt](rnd, case)
            except Exception:  # a file an earlier mutation damaged past parsing: bytes then
                case = _bytes_case(rnd, case)
    if rnd.random() < 0.4:
        case = replace(case, args=case.args + ("--annotator", f"fuzz{rnd.randrange(10**6)}"))
    if rnd.random() < 0.25:
        case = replace(case, args=case.args + rnd.choice(FLAGS))
    return case


@dataclass
class Tally:
    """What a run of cases found (benchmarks/bench_fuzz.py)."""

    cases: int = 0
    ok: int = 0
    rejected: int = 0
    tracebacks: list[str] = field(default_factory=list)
    partial_writes: list[str] = field(default_factory=list)
    bad_messages: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
