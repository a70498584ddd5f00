"""Speech cues: verbs of saying (قال، أضاف، أوضح، موضحا ...) from a lexicon, the و/ف left out.

The lexicon (``seeds/speech_cues.lst``) lists each verb's inflections, then ``|`` and its
circumstantial participles (موضحا، مشيرا). :func:`find_cues` gives every token that is a form
of the lexicon; the quotes suggester keeps those that introduce speech (a quotation, a colon,
or أن/إن), and only those become cue suggestions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from annotator.core.arabic import strip_marks
from annotator.core.search import normalize
from annotator.core.suggest.analysis import Analysis

CONJUNCTIONS = ("و", "ف")


@dataclass(frozen=True, slots=True)
class CueForm:
    lemma: str  # the first form of its line, as written
    participle: bool


@dataclass(frozen=True, slots=True)
class Cue:
    """A token that is a verb of saying; ``start``-``end`` leave out a leading و/ف."""

    token: int
    start: int
    end: int
    lemma: str
    participle: bool
    conjunction: bool


def parse_cues(text: str, *, path: str = "<cues>") -> Mapping[str, CueForm]:
    """Read the lexicon format (see the module docstring); ValueError names the line."""
    forms: dict[str, CueForm] = {}
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        verbs, _, participles = line.partition("|")
        if line.count("|") > 1 or not verbs.split():
            raise ValueError(f"{path}:{number}: expected 'verb forms ... | participles ...'")
        lemma = verbs.split()[0]
        for words, participle in ((verbs.split(), False), (participles.split(), True)):
            for word in words:
                forms.setdefault(normalize(word), CueForm(lemma, participle))
    return MappingProxyType(forms)


def find_cues(analysis: Analysis, lexicon: Mapping[str, CueForm]) -> list[Cue]:
    """Every token that is a form of ``lexicon``, as written or after a leading و/ف."""
    cues: list[Cue] = []
    for i, token in enumerate(analysis.tokens):
        if token.kind != "word":
            continue
        norm = analysis.norms[i]
        form = lexicon.get(norm)
        skip = 0
        if form is None and norm[:1] in CONJUNCTIONS and len(norm) > 3:
            form = lexicon.get(norm[1:])
            skip = _first_letter_length(token.text)
        if form is not None:
            cues.append(Cue(i, token.start + skip, token.end, form.lemma, form.participle,
                            skip > 0))
    return cues


def _first_letter_length(word: str) -> int:
    """Length of the first letter with its harakat (وَقال -> 2)."""
    n = 1
    while n < len(word) and not strip_marks(word[n]):
        n += 1
    return n
