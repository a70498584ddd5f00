"""CoNLL token/tag columns (export and import), as spaCy's ``conll_ner_to_docs`` converter reads:

    -DOCSTART- -X- O O

    قال O
    وزير B-actor
    الدفاع I-actor

One ``-DOCSTART- -X- O O`` line and a blank line start each exported (document, set); then a
``token TAG [TAG2 ...]`` line per token (single spaces), and a blank line after each sentence.
Tokens, schemes (``--scheme iob2|bioes|bilou``), the clitic policy (``--tokens``), nesting
(``--nested outer|inner|layers``: ``layers`` writes a column per depth, outermost first, as Wojood
does) and every span that cannot be written as it is (reported, never silently changed): see
annotator/exports/tokens.py.

Import: one document per ``-DOCSTART-`` line (whatever its other columns: ANERcorp writes
``-DOCSTART- -X- -X- -X- O``), or one per file when there is none; the text is the tokens joined
by single spaces and the sentences by newlines, and the document's meta says
``"tokenized": "conll"``, so exporting it again gives exactly the same tokens and lines. Ids are
the file's stem, numbered ``-1``, ``-2``, ... (zero-padded) when it has several documents. The set
is ``ImportContext.annotator`` (``--annotator``), else ``gold``, status done; labels the schema
lacks need ``--add-labels``. Accepted as they are: a UTF-8 BOM, CRLF line ends, tabs or runs of
spaces between columns, several blank lines, invisible marks inside tokens (kept exactly), an
``I-`` with no ``B-`` (it starts a span), the E-/S- and L-/U- variants, a varying number of tag
columns (a missing column is O). The scheme is detected (L-/U- means bilou, E-/S- bioes, else
iob2) unless ``--scheme`` names it, in which case a tag of another scheme is an error. Errors
name the line: a token with no tag, a tag that is not O nor PREFIX-LABEL, an unknown prefix, a
label that is not a valid label name, bytes that are not UTF-8.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.core.errors import ValidationError
from annotator.exports.atomic import atomic_text_writer
from annotator.exports.base import (
    ExportItem,
    ExportOptions,
    ExportReport,
    Format,
    ImportContext,
    counting_documents,
)
from annotator.exports.tokens import CONLL_TOKENIZED, TagError, decode, detect_scheme, tag_document

DOCSTART = "-DOCSTART-"
#: the document delimiter spaCy's converter splits on
#: (spacy/training/converters/conll_ner_to_docs.py)
DOCSTART_LINE = "-DOCSTART- -X- O O"
DEFAULT_OWNER = "gold"
TITLE_LIMIT = 80

_COLUMNS = re.compile(r"[ \t]+")


def write(items: Iterable[ExportItem], out: Path, options: ExportOptions) -> ExportReport:
    """Write the CoNLL file atomically: a ``-DOCSTART-`` block per (document, set)."""
    report = ExportReport(path=str(out))
    with atomic_text_writer(out) as handle:
        for document, aset in counting_documents(items, report):
            sentences = tag_document(document, aset, scheme=options.scheme, tokens=options.tokens,
                                     nested=options.nested, report=report)
            parts = [DOCSTART_LINE, "\n\n"]
            join = " ".join
            for sentence in sentences:
                parts.append("\n".join([f"{token} {join(tags)}" for token, tags
                                        in zip(sentence.tokens, sentence.tags)]))
                parts.append("\n\n")
            handle.write("".join(parts))
            report.items += len(sentences)
            if aset is not None:
                report.spans += len(aset.spans)
    return report


# -- import -------------------------------------------------------------------------------------


@dataclass
class _Doc:
    line: int                                   # the -DOCSTART- line, or the first token's
    sentences: list[list[tuple[int, str, list[str]]]] = field(default_factory=list)


def read(path: Path, context: ImportContext) -> Iterator[tuple[int, dict[str, Any]]]:
    """One native record per document of the CoNLL file (see the module docstring)."""
    docs = [d for d in _parse(path) if d.sentences]
    if not docs:
        raise ValidationError("the file has no token line to import", path=str(path))
    width = len(str(len(docs)))
    for number, doc in enumerate(docs, start=1):
        doc_id = path.stem if len(docs) == 1 else f"{path.stem}-{number:0{width}d}"
        yield doc.line, _record(doc, doc_id, path=path, context=context)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"cannot read: {exc.strerror}", path=str(path)) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}); "
                "convert the file to UTF-8", path=str(path), line=number) from exc
        yield number, text.rstrip("\r")


def _parse(path: Path) -> list[_Doc]:
    docs: list[_Doc] = []
    current: _Doc | None = None
    sentence: list[tuple[int, str, list[str]]] = []
    for number, line in _lines(path):
        fields = _COLUMNS.split(line.strip(" \t")) if line.strip(" \t") else []
        if not fields or fields[0] == DOCSTART:
            if sentence and current is not None:
                current.sentences.append(sentence)
            sentence = []
            if fields:
                current = _Doc(line=number)
                docs.append(current)
            continue
        if len(fields) < 2:
            raise ValidationError(f"the token {fields[0]!r} has no tag (expected 'token TAG', "
                                  "columns separated by spaces or tabs)", path=str(path),
                                  line=number)
        if current is None:
            current = _Doc(line=number)
            docs.append(current)
        sentence.append((number, fields[0], fields[1:]))
    if sentence and current is not None:
        current.sentences.append(sentence)
    return docs


def _record(doc: _Doc, doc_id: str, *, path: Path, context: ImportContext) -> dict[str, Any]:
    scheme = context.scheme or detect_scheme(t for s in doc.sentences for _, _, tags in s
                                             for t in tags)
    lines: list[str] = []
    spans: list[tuple[int, int, int, str]] = []  # column, start, end, label
    offset = 0
    for sentence in doc.sentences:
        starts: list[int] = []
        for _, token, _ in sentence:
            starts.append(offset)
            offset += len(token) + 1
        try:
            decoded = decode([tags for _, _, tags in sentence], scheme=context.scheme)
        except TagError as exc:
            raise ValidationError(str(exc), path=str(path), line=sentence[exc.index][0]) from None
        for first, last, label, column in decoded:
            end = starts[last] + len(sentence[last][1])
            spans.append((column, starts[first], end, label))
        lines.append(" ".join(token for _, token, _ in sentence))
    text = "\n".join(lines)
    kept = _keep(spans, context.nested, path=path, line=doc.line)
    title = lines[0] if len(lines[0]) <= TITLE_LIMIT else lines[0][:TITLE_LIMIT - 1] + "…"
    return {
        "doc_id": doc_id, "title": title, "text": text,
        "annotator": context.annotator or DEFAULT_OWNER, "status": "done",
        "spans": [{"id": f"s{n}", "start": start, "end": end, "label": label}
                  for n, (_, start, end, label) in enumerate(kept, start=1)],
        "relations": [],
        "meta": {"tokenized": CONLL_TOKENIZED, "source_path": str(path.resolve()),
                 "conll": {"line": doc.line, "scheme": scheme}},
    }


def _keep(spans: list[tuple[int, int, int, str]], nested: str, *, path: Path, line: int
          ) -> list[tuple[int, int, int, str]]:
    """The spans in column order (so that spans of equal extent keep their columns' order when
    exported again); with ``outer``/``inner``, only the outermost/innermost ones."""
    ordered = sorted(spans)
    seen: dict[tuple[int, int, str], int] = {}
    for column, start, end, label in ordered:
        key = (start, end, label)
        if key in seen:
            raise ValidationError(f"the same {label} span ({start}-{end} in the document's text) "
                                  f"is tagged in columns {seen[key] + 1} and {column + 1}",
                                  path=str(path), line=line)
        seen[key] = column
    if nested == "layers":
        return ordered
    # by start, longest first, then column: a span's containers come before it, what it
    # contains after it (a span of equal extent in a later column counts as inside)
    by_extent = sorted(ordered, key=lambda s: (s[1], -s[2], s[0]))
    if nested == "outer":
        kept, reach = [], -1
        for span in by_extent:
            if span[2] > reach:
                kept.append(span)
            reach = max(reach, span[2])
        return sorted(kept)
    kept = []
    for p, span in enumerate(by_extent):
        q = p + 1
        while q < len(by_extent) and by_extent[q][1] < span[2] and by_extent[q][2] > span[2]:
            q += 1
        if not (q < len(by_extent) and by_extent[q][1] < span[2]):
            kept.append(span)
    return sorted(kept)


FORMAT = Format(name="conll", description="CoNLL token/tag columns (IOB2, BIOES, BILOU)",
                suffix=".conll", write=write, read=read, unit="sentence")
