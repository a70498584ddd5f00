"""The formats by name. Modules load on first use, so the CLI does not import openpyxl or spaCy
to list documents."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from annotator.core.errors import UserError

if TYPE_CHECKING:   # the CLI's parser names the formats without loading any of them
    from annotator.exports.base import Format

#: name -> (module, one-line description)
FORMATS: dict[str, tuple[str, str]] = {
    "jsonl": ("annotator.exports.jsonl", "native JSONL (export, import)"),
    "excel": ("annotator.exports.excel", "Excel workbook: Documents, Spans, Relations (export, "
              "import of the Spans sheet)"),
    "conll": ("annotator.exports.conll", "CoNLL token/tag columns, IOB2/BIOES/BILOU (export, "
              "import)"),
    "hf": ("annotator.exports.hf", "Hugging Face token classification JSONL (export)"),
    "spacy": ("annotator.exports.spacy_docbin",
              "spaCy DocBin shards: a folder of .spacy files (export)"),
    "brat": ("annotator.exports.brat", "brat standoff folder: .txt, .ann, annotation.conf "
             "(export, import)"),
    "labelstudio": ("annotator.exports.labelstudio", "Label Studio tasks JSON (export, import)"),
    "doccano": ("annotator.exports.doccano", "doccano JSONL (export, import)"),
    "spans-jsonl": ("annotator.exports.spans_jsonl", "span JSONL of any shape, code points "
                    "(import: --text-field, --spans-field, --start, --end, --label)"),
}

#: the formats that import and that export, known without loading their modules (for --help)
IMPORTABLE = ("jsonl", "excel", "conll", "brat", "labelstudio", "doccano", "spans-jsonl")
EXPORTABLE = ("jsonl", "excel", "conll", "hf", "spacy", "brat", "labelstudio", "doccano")


#: file suffix -> format, for imports without --format (.txt is text, unless it is plainly CoNLL
#: or HTML; .jsonl native JSONL; .html and .htm pages are articles)
SUFFIXES: dict[str, str] = {".xlsx": "excel", ".conll": "conll", ".ann": "brat"}


def get_format(name: str) -> Format:
    try:
        module_name, _ = FORMATS[name]
    except KeyError:
        raise UserError(f"unknown format {name!r}; formats: {', '.join(FORMATS)}") from None
    module = importlib.import_module(module_name)
    fmt: Format = module.FORMAT
    return fmt


def readable() -> list[str]:
    return [name for name in FORMATS if get_format(name).read is not None]


def writable() -> list[str]:
    return [name for name in FORMATS if get_format(name).write is not None]
