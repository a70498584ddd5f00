"""Propagation: strings already labeled in the project, found again and proposed with their label.

Matching is the places matcher's: tokens compared after search normalization, the longest
string first, and a leading clitic allowed as the label's snapping rule allows it (``strip``:
و ف ب ل ك and combinations; ``conj``: و/ف; ``keep``: none). Strings with fewer than two letters
are not propagated. Propagated spans carry no attributes: the kind of a quote found again is
left to the annotator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from annotator.core.suggest.analysis import Analysis
from annotator.core.suggest.places import Match, match_at, name_key
from annotator.core.suggest.words import WordFrequencies

_PREFIXES = {"strip": "all", "conj": "conj", "keep": "none"}


@dataclass(frozen=True, slots=True)
class Known:
    start: int
    end: int
    label: str


def find_known(analysis: Analysis, known: Mapping[str, str], rules: Mapping[str, str],
               words: WordFrequencies) -> list[Known]:
    """Every occurrence of a string of ``known`` (string -> label); ``rules`` gives each label's
    clitic rule (labels it lacks keep clitics)."""
    indexes = _indexes(frozenset(known.items()), frozenset(rules.items()))
    found: list[Known] = []
    tokens = analysis.tokens
    for i in range(len(tokens)):
        for rule, index in indexes.items():
            match: Match | None = match_at(analysis, i, index, words,
                                                _PREFIXES.get(rule, "none"))
            if match is not None:
                found.append(Known(tokens[i].start + match.prefix, tokens[match.last].end,
                                   match.value))
    return found


_Index = dict[str, tuple[tuple[tuple[str, ...], str], ...]]


@lru_cache(maxsize=8)
def _indexes(known: frozenset[tuple[str, str]],
             rules: frozenset[tuple[str, str]]) -> dict[str, _Index]:
    """The known strings by clitic rule, then by first normalized token (longest first); built
    once for the same strings (the service passes the same mapping for every document)."""
    rule_of = dict(rules)
    by_rule: dict[str, dict[str, dict[tuple[str, ...], str]]] = {}
    for string, label in sorted(known):
        key = name_key(string)
        if not key or sum(len(part) for part in key) < 2:
            continue
        rule = rule_of.get(label, "keep")
        by_rule.setdefault(rule, {}).setdefault(key[0], {}).setdefault(key, label)
    return {rule: {first: tuple(sorted(names.items(), key=lambda item: -len(item[0])))
                   for first, names in entries.items()}
            for rule, entries in by_rule.items()}
