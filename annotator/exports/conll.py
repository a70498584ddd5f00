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
``"tokenized": "conll"``, so exporting it again gives exactly the same tokens and lines.
``--doc-size N`` (``ImportContext.doc_size``) cuts every document into documents of N sentences;
without it, a document over 100,000 characters gets a note suggesting it. Ids are the file's
stem, numbered ``-1``, ``-2``, ... (zero-padded) when it has several documents. The set is
``ImportContext.annotator`` (``--annotator``), else ``gold``, status done; labels the schema
lacks need ``--add-labels`` (or ``--map``). Accepted as they are: a UTF-8 BOM, CRLF line ends,
tabs or runs of spaces between columns, several blank lines, invisible marks inside tokens (kept
exactly, unless ``--strip-marks``: then a token of marks only is left out, with a note), an
``I-`` with no ``B-`` (it starts a span), the E-/S- and L-/U- variants, a varying number of tag
columns (a missing column is O). The scheme is detected (L-/U- means bilou, E-/S- bioes, else
iob2) unless ``--scheme`` names it, in which case a tag of another scheme is an error.

Bad lines are each reported (and left out), naming the line: an empty token (a line that is
only a tag, as ANERcorp has), a token with no tag, a tag that is not O nor PREFIX-LABEL (a lone
U+200F, or the second word of a token with a space in it), an unknown prefix, a label that is not
a valid label name, bytes that are not UTF-8.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from annotator.core.errors import ValidationError
from annotator.core.marks import count_marks, has_marks, remove_marks
from annotator.exports.atomic import atomic_text_writer
from annotator.exports.base import (
    ExportItem,
    ExportOptions,
    ExportReport,
    Format,
    ImportContext,
    ReadItem,
    ReadNote,
    counting_documents,
)
from annotator.exports.tag_decode import TagError, decode, detect_scheme, split_tag
from annotator.exports.tokens import CONLL_TOKENIZED, TaggedTokens, tag_tokens

DOCSTART = "-DOCSTART-"
#: the document delimiter spaCy's converter splits on
#: (spacy/training/converters/conll_ner_to_docs.py)
DOCSTART_LINE = "-DOCSTART- -X- O O"
DEFAULT_OWNER = "gold"
TITLE_LIMIT = 80

_COLUMNS = re.compile(r"[ \t]+")
#: what a token line cannot hold: control characters (tab aside), the characters str.splitlines
#: breaks at (a token's text would become two lines) and lone surrogates
_ODD = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def write(items: Iterable[ExportItem], out: Path, options: ExportOptions) -> ExportReport:
    """Write the CoNLL file atomically: a ``-DOCSTART-`` block per (document, set)."""
    report = ExportReport(path=str(out))
    with atomic_text_writer(out) as handle:
        for document, aset in counting_documents(items, report):
            tagged = tag_tokens(document, aset, scheme=options.scheme, tokens=options.tokens,
                                nested=options.nested, report=report)
            lines = _token_lines(tagged)
            parts = [DOCSTART_LINE, "\n\n"]
            for a, b in pairwise(tagged.cut):
                parts.append("\n".join(lines[a:b]))
                parts.append("\n\n")
            handle.write("".join(parts))
            report.items += len(tagged.cut) - 1
            if aset is not None:
                report.spans += len(aset.spans)
    return report


def _token_lines(tagged: TaggedTokens) -> list[str]:
    """``token TAG [TAG2 ...]`` for each token: its tags up to the last that is not ``O``."""
    words, columns = tagged.words, tagged.columns
    if len(columns) == 1:
        return [f"{word} {tag}" for word, tag in zip(words, columns[0])]
    lines = []
    for word, tags in zip(words, zip(*columns)):
        width = len(tags)
        while width > 1 and tags[width - 1] == "O":
            width -= 1
        lines.append(f"{word} {' '.join(tags[:width])}")
    return lines


# -- import -------------------------------------------------------------------------------------


@dataclass
class _Doc:
    line: int                                   # the -DOCSTART- line, or the first token's
    sentences: list[list[tuple[int, str, list[str]]]] = field(default_factory=list)


#: a CoNLL document longer than this (characters), with no --doc-size, gets a note
LONG_DOCUMENT = 100_000


def read(path: Path, context: ImportContext) -> Iterator[tuple[int, ReadItem]]:
    """One native record per document of the CoNLL file (see the module docstring); a
    ValidationError for each line that had to be left out; notes on very long documents."""
    parsed = _Parsed(path, context)
    found = parsed.parse()
    for item in parsed.problems:
        yield item
    docs = [d for d in found if d.sentences]
    if context.doc_size:
        docs = _cut(docs, context.doc_size)
    if not docs:
        if not parsed.problems:
            raise ValidationError("the file has no token line to import", path=str(path))
        return
    width = len(str(len(docs)))
    for number, doc in enumerate(docs, start=1):
        doc_id = path.stem if len(docs) == 1 else f"{path.stem}-{number:0{width}d}"
        try:
            record = _record(doc, doc_id, path=path, context=context)
        except ValidationError as exc:
            yield doc.line, exc
            continue
        if context.doc_size is None and len(record["text"]) > LONG_DOCUMENT:
            yield doc.line, ReadNote(
                "long-document", f"{path}: document {doc_id} is one document of "
                f"{len(record['text']):,} characters ({sum(len(s) for s in doc.sentences):,} "
                f"tokens, {len(doc.sentences):,} sentences): the file has no -DOCSTART- or "
                "document breaks there; --doc-size 50 cuts it into documents of 50 sentences")
        yield doc.line, record


def _cut(docs: list[_Doc], size: int) -> list[_Doc]:
    """Every document cut into documents of ``size`` sentences (the last one shorter)."""
    out: list[_Doc] = []
    for doc in docs:
        for start in range(0, len(doc.sentences), size):
            chunk = doc.sentences[start:start + size]
            out.append(_Doc(line=doc.line if start == 0 else chunk[0][0][0], sentences=chunk))
    return out


class _Parsed:
    """The documents of a CoNLL file, and the lines left out (``problems``)."""

    def __init__(self, path: Path, context: ImportContext) -> None:
        self.path = path
        self.context = context
        self.problems: list[tuple[int, ValidationError | ReadNote]] = []
        self.tags: dict[str, str | None] = {}     # tag -> None if good, else why not
        self.mark_tokens: list[tuple[int, str]] = []   # (line, tags) of tokens of marks only
        self.marks_removed: Counter[str] = Counter()

    def bad(self, number: int, message: str) -> None:
        self.problems.append((number, ValidationError(message, path=str(self.path),
                                                      line=number)))

    def lines(self) -> Iterator[tuple[int, str]]:
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise ValidationError(f"cannot read: {exc.strerror}", path=str(self.path)) from exc
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        codec = self.context.encoding or "utf-8"
        for number, raw in enumerate(data.split(b"\n"), start=1):
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError as exc:
                shown = "UTF-8" if codec == "utf-8" else codec
                self.bad(number, f"not valid {shown} (byte 0x{raw[exc.start]:02x} at column "
                                 f"{exc.start + 1}); convert the file to UTF-8")
                continue
            except LookupError:
                raise ValidationError(f"unknown encoding {codec!r}", path=str(self.path)) \
                    from None
            yield number, text.rstrip("\r")

    def parse(self) -> list[_Doc]:
        docs: list[_Doc] = []
        current: _Doc | None = None
        sentence: list[tuple[int, str, list[str]]] = []
        strip = self.context.strip_marks
        for number, line in self.lines():
            body = line.strip(" \t")
            fields = _COLUMNS.split(body) if body else []
            if not fields or fields[0] == DOCSTART:
                if sentence and current is not None:
                    current.sentences.append(sentence)
                sentence = []
                if fields:
                    current = _Doc(line=number)
                    docs.append(current)
                continue
            if not self.good_line(number, line, fields):
                continue
            token = fields[0]
            if strip and has_marks(token):
                self.marks_removed.update(count_marks(token))
                token = remove_marks(token)
                if not token:
                    self.mark_tokens.append((number, " ".join(fields[1:])))
                    continue
            if current is None:
                current = _Doc(line=number)
                docs.append(current)
            sentence.append((number, token, fields[1:]))
        if sentence and current is not None:
            current.sentences.append(sentence)
        if self.mark_tokens:
            self.problems.append((self.mark_tokens[0][0], self.mark_note()))
        if self.marks_removed:
            self.problems.append((0, ReadNote("marks", "", counts=dict(self.marks_removed))))
        return docs

    def mark_note(self) -> ReadNote:
        lines = [str(n) for n, _ in self.mark_tokens]
        tagged = sum(1 for _, tags in self.mark_tokens if set(tags.split()) != {"O"})
        shown = ", ".join(lines[:8]) + (f" and {len(lines) - 8} more" if len(lines) > 8 else "")
        return ReadNote("mark-token", f"{self.path}: {len(lines)} token"
                        f"{'s' if len(lines) > 1 else ''} of invisible marks only left out by "
                        f"--strip-marks (line{'s' if len(lines) > 1 else ''} {shown})"
                        + (f"; {tagged} of them inside a span" if tagged else ""))

    def good_line(self, number: int, line: str, fields: list[str]) -> bool:
        """A token and its tags, or a problem (the line is then left out)."""
        odd = _ODD.search(line)
        if odd is not None:
            self.bad(number, f"U+{ord(odd.group()):04X} in the line (a line break, a control "
                             "character or half a surrogate pair): tokens and tags are "
                             "printable text, one line each")
            return False
        if len(fields) < 2:
            if line[:1] in (" ", "\t") and self.why(fields[0]) is None:
                self.bad(number, f"an empty token: the line is only the tag {fields[0]!r}")
            else:
                self.bad(number, f"the token {fields[0]!r} has no tag (expected 'token TAG', "
                                 "columns separated by spaces or tabs)")
            return False
        for column, tag in enumerate(fields[1:], start=2):
            why = self.why(tag)
            if why is None:
                continue
            if len(fields) == 3 and column == 2 and self.why(fields[2]) is None:
                why += f" (3 columns: is {fields[0] + ' ' + tag!r} one token with a space in it?)"
            self.bad(number, why if len(fields) == 2 else f"column {column}: {why}")
            return False
        return True

    def why(self, tag: str) -> str | None:
        if tag not in self.tags:
            try:
                split_tag(tag, self.context.scheme)
                self.tags[tag] = None
            except ValueError as exc:
                self.tags[tag] = str(exc)
        return self.tags[tag]


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
