"""What a file given as text really is: CoNLL columns, an HTML page, or a PDF / Word / other
office document (by its first bytes), so that none is silently imported as an article.

    >>> looks_like_conll("-DOCSTART- -X- O O\\n\\nقال O\\nالوزير B-PERS\\n")
    True
    >>> binary_kind(b"%PDF-1.7 ...")
    'a PDF document'
"""

from __future__ import annotations

import re

#: first bytes -> what the file is (Office Open XML and OpenDocument are zip files: the member
#: names that follow the signature tell them apart)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a Word (.doc) or other old Office document"),
    (b"{\\rtf", "an RTF document"),
)
_ZIP_MEMBERS: tuple[tuple[bytes, str], ...] = (
    (b"word/", "a Word (.docx) document"),
    (b"xl/", "an Excel workbook"),
    (b"ppt/", "a PowerPoint presentation"),
    (b"application/vnd.oasis.opendocument", "an OpenDocument file"),
)
#: how to make text of each kind, for the message
CONVERT_HINT = {
    "a PDF document": "pdftotext -enc UTF-8 FILE.pdf FILE.txt",
    "a Word (.docx) document": "libreoffice --headless --convert-to txt:Text FILE.docx",
    "a Word (.doc) or other old Office document":
        "libreoffice --headless --convert-to txt:Text FILE.doc",
    "an RTF document": "libreoffice --headless --convert-to txt:Text FILE.rtf",
    "an OpenDocument file": "libreoffice --headless --convert-to txt:Text FILE.odt",
}

_TAG = re.compile(r"^(?:O|[BIESLU]-\S+)$")
_SPACE = re.compile(r"[ \t]+")
_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL)
_HTML_BODY = re.compile(r"<(?:body|head|title|p|div|article)[\s>]", re.IGNORECASE)
CONLL_SAMPLE = 400          # lines looked at
CONLL_SHARE = 0.8           # share of token lines that must end in tags


def binary_kind(data: bytes) -> str | None:
    """What a document format that is not text is, from its first bytes; None for anything
    else (text, or a binary this does not know)."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith(b"PK\x03\x04"):
        head = data[:4096]
        for member, kind in _ZIP_MEMBERS:
            if member in head:
                return kind
        return "a zip archive"
    return None


def looks_like_conll(text: str) -> bool:
    """A ``-DOCSTART-`` line, or (among the first lines that are not blank) at least three
    lines and 80% of them ``TOKEN TAG [TAG ...]`` with tags ``O`` or ``X-LABEL``."""
    token_lines = tagged = 0
    for line in text.split("\n", CONLL_SAMPLE)[:CONLL_SAMPLE]:
        fields = _SPACE.split(line.strip(" \t\r"))
        if fields == [""]:
            continue
        if fields[0] == "-DOCSTART-":
            return True
        token_lines += 1
        if 2 <= len(fields) <= 8 and all(_TAG.match(f) for f in fields[1:]):
            tagged += 1
        elif len(fields) > 8:
            return False          # prose
    return token_lines >= 3 and tagged >= CONLL_SHARE * token_lines


def looks_like_html(text: str) -> bool:
    """Starts (comments aside) with ``<!DOCTYPE html`` or ``<html``, or begins with a tag and
    has an HTML body, head or paragraph element in its first 4,000 characters."""
    if _HTML_START.match(text):
        return True
    head = text[:4000]
    return head.lstrip().startswith("<") and _HTML_BODY.search(head) is not None
