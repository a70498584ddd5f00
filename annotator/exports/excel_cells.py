"""What the Excel writer and reader share: the workbook's font and limits, the column headers,
and a cell's text (what a cell can hold) and attributes (``kind=direct; other=x``, or a JSON
object when that would be ambiguous)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FONT = "Arial"                 # renders Arabic in Excel, LibreOffice and Numbers
CELL_LIMIT = 32_767            # Excel's longest cell text
MAX_ROWS = 1_048_576           # Excel's rows per sheet; more go on "Spans (2)", ...
FORMULA_START = frozenset("=+-@\t\r")
UNWRITABLE = re.compile(ILLEGAL_CHARACTERS_RE.pattern + r"|[\ud800-\udfff\ufffe\uffff]")

# Column headers, shared by the writer and the reader.
DOCUMENT, SET, TITLE, STATUS = "document", "set", "title", "status"
LABEL, START, END, TEXT = "label", "start (code point)", "end (code point)", "text"
BEFORE, AFTER, ATTRIBUTES, NOTE, SPAN_ID = ("context before", "context after", "attributes",
                                            "note", "span id")
TYPE, HEAD, HEAD_TEXT, TAIL, TAIL_TEXT = ("type", "head span id", "head text", "tail span id",
                                          "tail text")


def cell_text(value: str) -> tuple[str, int, bool]:
    """What a cell can hold of ``value``: (text, characters removed, cut at CELL_LIMIT)."""
    cleaned, removed = UNWRITABLE.subn("", value)
    if len(cleaned) > CELL_LIMIT:
        return cleaned[:CELL_LIMIT], removed, True
    return cleaned, removed, False


def format_attributes(attributes: Mapping[str, Any]) -> str | None:
    """``kind=direct; other=x`` (sorted by key), or a JSON object when that would be ambiguous."""
    if not attributes:
        return None
    items = sorted(attributes.items())
    if all(_plain_key(k) and isinstance(v, str) and ";" not in v and v == v.strip()
           for k, v in items):
        return "; ".join(f"{k}={v}" for k, v in items)
    return json.dumps(dict(items), ensure_ascii=False)


def _plain_key(key: str) -> bool:
    return bool(key) and key == key.strip() and not any(c in key for c in "=;{")


def parse_attributes(text: str | None) -> dict[str, Any]:
    """The inverse of format_attributes. Raises ValueError with a message for the user."""
    if text is None or not text.strip():
        return {}
    if text.lstrip().startswith("{"):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not a valid JSON object ({exc.msg})") from None
        if not isinstance(value, dict):
            raise ValueError("must be key=value pairs or a JSON object")
        return value
    result: dict[str, Any] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"expected key=value pairs separated by ';' (like kind=direct), "
                             f"not {part.strip()!r}")
        result[key.strip()] = value.strip()
    return result
