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
from annotator.exports.tokens import SCHEME_PREFIXES, tag_document


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
    encode = json.JSONEncoder(ensure_ascii=False).encode   # json.dumps(..., ensure_ascii=False)
    write = handle.write
    for document, aset in counting_documents(items, report):
        sentences = tag_document(document, aset, scheme=options.scheme, tokens=options.tokens,
                                 nested=options.nested, report=report)
        prefix = f"{document.external_id}/{aset.owner if aset is not None else '-'}/"
        for n, sentence in enumerate(sentences, start=1):
            tags = [columns[0] for columns in sentence.tags]
            if index is not None:
                try:
                    tag_ids: list[int] | list[str] = [index[t] for t in tags]
                except KeyError as exc:
                    raise UserError(f"document {document.external_id}: the tag {exc.args[0]!r} "
                                    "is not among the labels exported") from None
            else:
                seen.update(tag.partition("-")[2] for tag in tags if tag != "O")
                tag_ids = tags
            write(encode({"id": f"{prefix}{n}", "tokens": list(sentence.tokens),
                          "ner_tags": tag_ids}))
            write("\n")
        report.items += len(sentences)
        if aset is not None:
            report.spans += len(aset.spans)
    return seen


FORMAT = Format(name="hf", description="Hugging Face token classification JSONL",
                suffix=".jsonl", write=write, unit="row")
