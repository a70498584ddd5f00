"""Arabic word frequencies: is what follows a leading letter a word of its own?

The list (``seeds/words_ar.lst``, built by ``tools/build_wordlist.py`` from wordfreq's Arabic
data, CC BY-SA 4.0) gives a Zipf frequency (log10 of occurrences per billion words) for about
27,000 word forms. Forms are keyed by :func:`word_key`: harakat and tatweel removed, alef forms
unified; teh marbuta and alef maqsura stay distinct so that بلدية and لديه never collide.

File format: ``@4.3`` starts the words of Zipf 4.3 (one decimal); then one word per line;
``#`` starts a comment line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from annotator.core.arabic import strip_marks

_ALEFS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})
#: Words below this Zipf frequency are not in the list; an absent word counts as just below it.
FLOOR = 3.5
#: How much more frequent the rest must be than the whole word for the first letter to be a clitic.
MARGIN = 0.5
#: The fewest letters the rest must keep (لي of ولي is no evidence).
MIN_REST = 3


#: Words of these letters alone are their own key (no mark, tatweel or alef form to change):
#: the word list's lines and most words of a text, keyed without the long mark class of
#: strip_marks (the window reads the list at start: 29,000 keys, 60 ms -> 15 ms).
_PLAIN = re.compile("[\u0621\u0624\u0626-\u063f\u0641-\u064a]*")


def word_key(word: str) -> str:
    """The key a word is listed under: no harakat or tatweel, alef forms as bare alef."""
    if _PLAIN.fullmatch(word):
        return word
    return strip_marks(word).translate(_ALEFS)


@dataclass(frozen=True, slots=True)
class WordFrequencies:
    """Zipf frequencies by :func:`word_key`; :meth:`zipf` of an unlisted word is 0."""

    zipfs: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    def __len__(self) -> int:
        return len(self.zipfs)

    def zipf(self, word: str) -> float:
        return self.zipfs.get(word_key(word), 0.0)

    def is_clitic(self, prefix: str, rest: str) -> bool:
        """Whether ``prefix`` + ``rest`` reads as a clitic before the word ``rest``.

        True when ``rest`` (at least three letters) is a listed word at least :data:`MARGIN`
        more frequent than the whole (an unlisted whole counts as :data:`FLOOR`): لوكالة ->
        وكالة, وشهود -> شهود; while لبنان, وزير and كمال keep their first letter.
        """
        if not self.zipfs or len(word_key(rest)) < MIN_REST:
            return False
        rest_zipf = self.zipf(rest)
        if rest_zipf == 0.0:
            return False
        return rest_zipf >= max(self.zipf(prefix + rest), FLOOR) + MARGIN


def parse_words(text: str, *, path: str = "<words>") -> WordFrequencies:
    """Read the word list format (see the module docstring); ValueError names the line."""
    zipfs: dict[str, float] = {}
    current: float | None = None
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            try:
                current = float(line[1:])
            except ValueError:
                raise ValueError(f"{path}:{number}: not a frequency: {line!r}") from None
            continue
        if current is None or " " in line:
            raise ValueError(f"{path}:{number}: expected '@<zipf>' before words, one word a line")
        zipfs[word_key(line)] = current
    return WordFrequencies(MappingProxyType(zipfs))
