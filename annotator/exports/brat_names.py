"""What brat's writer and reader share: the export folder's marker and files, and the names of
its files and folders (document ids and owners escaped, long ones shortened; see
:mod:`annotator.exports.brat`)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

CONF = "annotation.conf"
NAMES = "names.jsonl"
#: the longest file or folder name written, in UTF-8 bytes (the limit of most file systems is
#: 255; ".txt" and the export's temporary names need a few more)
NAME_BYTES = 200
MARKER = "# annotator brat export: one folder per annotation set, named after its owner"
#: the characters str.splitlines breaks at: a span's fragments are cut there
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_UNSAFE = re.compile(r"[%/\\\x00-\x1f\x7f]|^\.")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")


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


def is_export(folder: Path) -> bool:
    """Whether ``folder`` is an export of this tool (its annotation.conf says so)."""
    try:
        with (folder / CONF).open(encoding="utf-8") as handle:
            return handle.readline().rstrip("\n") == MARKER
    except (OSError, UnicodeDecodeError):
        return False
