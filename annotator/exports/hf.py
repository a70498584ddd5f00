"""Hugging Face token classification (export only): a JSONL row per sentence, and the tag names.

    {"id": "seed-000/gold/1", "tokens": ["قال", "وزير", "الدفاع"], "ner_tags": [0, 1, 2]}
    {"id": "seed-000/gold/2", "tokens": ["موسكو", "."], "ner_tags": [3, 0]}

``ner_tags`` are indexes into the tag names written beside the rows, in ``<out stem>.labels.json``
(``train.labels.json`` beside ``train.jsonl``): ``{"scheme": "iob2", "names": ["O", "B-actor",
"I-actor", ...]}``. The names are ``O`` then each label's tags in the scheme's order (iob2: B I;
bioes: B I E S; bilou: B I L U), labels sorted by name. They come from the project's labels when
the export passes them (``options.label_names``), so every part of a ``--split`` gets the same
list; otherwise from the labels of the spans written. The row id is ``doc_id/annotator/n`` (``-``
for a document with no set), n counting the document's sentences from 1. Tokens, schemes,
``--tokens`` and what cannot be written (reported): annotator/exports/tokens.py; ``--nested`` is
``outer`` or ``inner`` (one tag sequence per row: ``layers`` is refused).

Load it with its ClassLabel features::

    import json
    from datasets import ClassLabel, Features, Sequence, Value, load_dataset

    names = json.load(open("train.labels.json", encoding="utf-8"))["names"]
    features = Features({"id": Value("string"), "tokens": Sequence(Value("string")),
                         "ner_tags": Sequence(ClassLabel(names=names))})
    dataset = load_dataset("json", data_files={"train": "train.jsonl"}, features=features)
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from itertools import pairwise
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from typing import IO

from annotator.core.errors import UserError
from annotator.exports.atomic import atomic_text_writer
from annotator.exports.base import (
    ExportItem,
    ExportOptions,
    ExportReport,
    Format,
    counting_documents,
)
from annotator.exports.tokens import SCHEME_PREFIXES, tag_tokens


def labels_path(out: Path) -> Path:
    """Where the tag names of the rows file ``out`` go: ``<stem>.labels.json`` beside it."""
    return out.with_name(f"{out.stem}.labels.json")


def tag_names(labels: Iterable[str], scheme: str) -> list[str]:
    """``O`` then, for each label (sorted), its tags in the scheme's prefix order."""
    prefixes = list(dict.fromkeys(SCHEME_PREFIXES[scheme]))
    return ["O"] + [f"{p}-{label}" for label in sorted(set(labels)) for p in prefixes]


def write(items: Iterable[ExportItem], out: Path, options: ExportOptions) -> ExportReport:
    """Write the rows and the tag names, each file atomically. Without ``options.label_names``
    the rows go first to a temporary file (tags as names), as the names are known at the end."""
    if options.nested == "layers":
        raise UserError("--format hf writes one tag sequence per row: use --nested outer or inner, "
                        "not layers")
    report = ExportReport(path=str(out))
    given = tuple(options.label_names or ())
    if given:
        names = tag_names(given, options.scheme)
        with atomic_text_writer(out) as handle:
            _write_rows(items, handle, options, report, {n: i for i, n in enumerate(names)})
    else:
        with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
            seen = _write_rows(items, spool, options, report, None)
            names = tag_names(seen, options.scheme)
            index = {n: i for i, n in enumerate(names)}
            spool.seek(0)
            with atomic_text_writer(out) as handle:
                for line in spool:
                    row = json.loads(line)
                    row["ner_tags"] = [index[t] for t in row["ner_tags"]]
                    handle.write(json.dumps(row, ensure_ascii=False))
                    handle.write("\n")
    with atomic_text_writer(labels_path(out)) as handle:
        json.dump({"scheme": options.scheme, "names": names}, handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    return report


def _write_rows(items: Iterable[ExportItem], handle: IO[str], options: ExportOptions,
                report: ExportReport, index: dict[str, int] | None) -> set[str]:
    """Write a row per sentence, tags as ids (``index``) or, without it, as names; returns the
    labels seen (without ``index``: with it, every tag is known)."""
    seen: set[str] = set()
    quote = encode_basestring                   # a JSON string, as json.dumps(ensure_ascii=False)
    for document, aset in counting_documents(items, report):
        tagged = tag_tokens(document, aset, scheme=options.scheme, tokens=options.tokens,
                            nested=options.nested, report=report)
        tags = tagged.columns[0]                # --nested outer or inner: one column
        if index is not None:
            try:
                values = list(map(str, map(index.__getitem__, tags)))
            except KeyError as exc:
                raise UserError(f"document {document.external_id}: the tag {exc.args[0]!r} "
                                "is not among the labels exported") from None
        else:
            seen.update(tag.partition("-")[2] for tag in tags if tag != "O")
            values = list(map(quote, tags))
        words = list(map(quote, tagged.words))
        prefix = f"{document.external_id}/{aset.owner if aset is not None else '-'}/"
        # json.dumps({"id": ..., "tokens": [...], "ner_tags": [...]}, ensure_ascii=False), joined
        # by hand from the encoded strings (the tests check it byte for byte)
        handle.write("".join([
            f'{{"id": {quote(f"{prefix}{n}")}, "tokens": [{", ".join(words[a:b])}], '
            f'"ner_tags": [{", ".join(values[a:b])}]}}\n'
            for n, (a, b) in enumerate(pairwise(tagged.cut), start=1)]))
        report.items += len(tagged.cut) - 1
        if aset is not None:
            report.spans += len(aset.spans)
    return seen


FORMAT = Format(name="hf", description="Hugging Face token classification JSONL",
                suffix=".jsonl", write=write, unit="row")
