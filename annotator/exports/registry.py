"""The formats by name. Modules load on first use, so the CLI does not import openpyxl or spaCy
to list documents."""

from __future__ import annotations

import importlib

from annotator.core.errors import UserError
from annotator.exports.base import Format

#: name -> (module, one-line description)
FORMATS: dict[str, tuple[str, str]] = {
    "jsonl": ("annotator.exports.jsonl", "native JSONL (export, import)"),
    "excel": ("annotator.exports.excel", "Excel workbook: Documents, Spans, Relations (export, "
              "import of the Spans sheet)"),
    "conll": ("annotator.exports.conll", "CoNLL token/tag columns, IOB2/BIOES/BILOU (export, "
              "import)"),
    "hf": ("annotator.exports.hf", "Hugging Face token classification JSONL (export)"),
    "spacy": ("annotator.exports.spacy_docbin", "spaCy DocBin (.spacy) (export)"),
    "brat": ("annotator.exports.brat", "brat standoff folder: .txt, .ann, annotation.conf "
             "(export, import)"),
    "labelstudio": ("annotator.exports.labelstudio", "Label Studio tasks JSON (export, import)"),
    "doccano": ("annotator.exports.doccano", "doccano JSONL (export, import)"),
}


#: file suffix -> format, for imports without --format (.txt is text; .jsonl native JSONL)
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
