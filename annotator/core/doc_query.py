"""Choosing documents on the command line (``--docs QUERY``).

A query is one or more terms separated by commas; a document is chosen when any term matches:

- ``sn_01_aawsat`` or ``sn_*`` or ``seed-00?``: its external id, exactly or as a shell-style
  pattern (``*``, ``?``, ``[...]``);
- ``title:موسكو``: its title contains the words, with hamza, harakat, ى/ي and ة/ه spellings
  ignored (the normalized search of the window).
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from annotator.core.errors import UserError
from annotator.core.search import normalize

TITLE = "title:"


@dataclass(frozen=True, slots=True)
class DocQuery:
    patterns: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()

    @classmethod
    def parse(cls, query: str | None) -> DocQuery:
        """``None`` or an empty query chooses every document."""
        if query is None:
            return cls()
        terms = [t.strip() for t in query.split(",") if t.strip()]
        if not terms:
            raise UserError(f"--docs {query!r}: give document ids, patterns (sn_*) or title:WORDS")
        patterns = tuple(t for t in terms if not t.startswith(TITLE))
        titles = tuple(normalize(t[len(TITLE):].strip()) for t in terms if t.startswith(TITLE))
        if any(not t for t in titles):
            raise UserError(f"--docs {query!r}: title: needs words after it")
        return cls(patterns, titles)

    @property
    def everything(self) -> bool:
        return not self.patterns and not self.titles

    def matches(self, external_id: str, title: str) -> bool:
        if self.everything:
            return True
        if any(fnmatchcase(external_id, p) for p in self.patterns):
            return True
        if self.titles:
            normalized = normalize(title)
            return any(t in normalized for t in self.titles)
        return False
