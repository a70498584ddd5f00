"""The article in an HTML page: its title and main text, extracted with trafilatura (menus,
footers, scripts and comments left out), never the markup as text.

    title, text = extract_article(html, path="page.html")
    # text: the title line, a blank line, then the article's paragraphs one per line
"""

from __future__ import annotations

import re

from annotator.core.errors import UserError, ValidationError

INSTALL_HINT = "HTML pages need trafilatura: pip install 'trafilatura>=2' lxml_html_clean"
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_BLANKS = re.compile(r"\n{3,}")


def extract_article(html: str, *, path: str) -> tuple[str, str]:
    """(title, text) of the page's main article. The text starts with the title line (unless the
    extracted body already does) and keeps one paragraph per line.

    Raises ValidationError when the page has no article text to extract."""
    try:
        import trafilatura
    except ImportError:
        raise UserError(INSTALL_HINT) from None
    found = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                        include_tables=False, favor_recall=True)
    body = (found.text or "").strip() if found is not None else ""
    if not body:
        raise ValidationError("an HTML page with no article text that could be extracted (a "
                              "menu or an empty page?)", path=path)
    title = ((found.title or "") if found is not None else "").strip() or _html_title(html)
    lines = [line.strip() for line in body.split("\n")]
    body = _BLANKS.sub("\n\n", "\n".join(lines)).strip()
    if title and not body.startswith(title):
        body = f"{title}\n\n{body}"
    return title or body.split("\n", 1)[0], body


def _html_title(html: str) -> str:
    match = _TITLE.search(html)
    if match is None:
        return ""
    from html import unescape

    return " ".join(unescape(match.group(1)).split())
