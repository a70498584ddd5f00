"""Offline pre-annotators: quotations, speech cues, speakers, places and propagation (issue 10).

    >>> s = suggest("وقال الوزير: «لن نتراجع عن هذا القرار أبدا».")
    >>> [(x.label, x.suggester) for x in s.spans]
    [('cue', 'cues'), ('actor', 'speakers'), ('quote', 'quotes')]

Each suggester is a module: :mod:`.quotes`, :mod:`.cues`, :mod:`.speakers`, :mod:`.places`,
:mod:`.propagate`. :func:`suggest` runs the ones asked for over one :class:`.analysis.Analysis`
of the text and returns :class:`.model.Suggestions`: spans sorted by (start, end, label), each
(start, end, label) once (the most confident suggester wins), and relations between them
(``said_by`` quote -> actor, ``cue`` quote -> cue) when both ends were asked for.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from types import MappingProxyType

from annotator.core.suggest.analysis import Analysis, trim
from annotator.core.suggest.cues import find_cues
from annotator.core.suggest.model import (
    SUGGESTERS,
    SuggestedRelation,
    Suggestion,
    Suggestions,
)
from annotator.core.suggest.places import find_places
from annotator.core.suggest.propagate import find_known
from annotator.core.suggest.quotes import find_quotes
from annotator.core.suggest.resources import Resources, default_seeds, load_resources
from annotator.core.suggest.speakers import find_speakers
from annotator.core.text import is_grapheme_boundary

__all__ = ["SUGGESTERS", "Resources", "SuggestedRelation", "Suggestion", "Suggestions",
           "default_resources", "load_resources", "suggest"]

_Key = tuple[int, int, str]


def default_resources() -> Resources:
    """The resources shipped in the package's seeds (read once)."""
    return load_resources(default_seeds())


def suggest(text: str, *, only: Collection[str] | None = None,
            known: Mapping[str, str] | None = None,
            resources: Resources | None = None) -> Suggestions:
    """Suggestions for ``text`` from the suggesters named in ``only`` (all by default).

    ``known`` maps strings labeled in the project to their label, for ``propagate``.
    ValueError for a suggester name that does not exist.
    """
    chosen = set(SUGGESTERS) if only is None else set(only)
    unknown = sorted(chosen - set(SUGGESTERS))
    if unknown:
        raise ValueError(f"unknown suggester {unknown[0]!r}; one of {list(SUGGESTERS)}")
    res = default_resources() if resources is None else resources
    analysis = Analysis(text)
    out = _Collector(text)
    if chosen & {"quotes", "cues", "speakers"}:
        _speech(analysis, res, chosen, out)
    if "places" in chosen:
        for place in find_places(analysis, res.gazetteer, res.words):
            out.span(place.start, place.end, place.label, "places", place.confidence)
    if "propagate" in chosen and known:
        for hit in find_known(analysis, known, res.clitic_rules, res.words):
            out.span(hit.start, hit.end, hit.label, "propagate", 0.7)
    return out.result()


def _speech(analysis: Analysis, res: Resources, chosen: set[str], out: _Collector) -> None:
    cues = find_cues(analysis, res.cues)
    quotes = find_quotes(analysis, cues)
    quote_keys: list[_Key | None] = []
    for quote in quotes:
        key = out.span(quote.start, quote.end, "quote", "quotes", quote.confidence,
                       {"kind": quote.kind}) if "quotes" in chosen else None
        quote_keys.append(key)
        if "cues" in chosen and quote.cue is not None:
            cue_key = out.span(quote.cue.start, quote.cue.end, "cue", "cues", quote.confidence)
            out.relation("cue", key, cue_key)
    if "speakers" in chosen:
        speakers, attributions = find_speakers(analysis, quotes, cues, res.words)
        speaker_keys = [out.span(s.start, s.end, "actor", "speakers", s.confidence)
                        for s in speakers]
        for a in attributions:
            out.relation("said_by", quote_keys[a.quote], speaker_keys[a.speaker])


class _Collector:
    """Spans by key (the most confident kept) and relations by keys, checked and sorted."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: dict[_Key, Suggestion] = {}
        self.relations: set[tuple[str, _Key, _Key]] = set()

    def span(self, start: int, end: int, label: str, suggester: str, confidence: float,
             attributes: Mapping[str, str] | None = None) -> _Key | None:
        start, end = trim(self.text, start, end)
        if start >= end or not (is_grapheme_boundary(self.text, start)
                                and is_grapheme_boundary(self.text, end)):
            return None
        key = (start, end, label)
        old = self.spans.get(key)
        if old is None or confidence > old.confidence:
            self.spans[key] = Suggestion(start, end, label, suggester, round(confidence, 3),
                                         MappingProxyType(dict(attributes or {})))
        return key

    def relation(self, type: str, head: _Key | None, tail: _Key | None) -> None:
        if head is not None and tail is not None:
            self.relations.add((type, head, tail))

    def result(self) -> Suggestions:
        keys = sorted(self.spans)
        index = {key: n for n, key in enumerate(keys)}
        relations = [SuggestedRelation(type, head, tail) for type, head, tail in
                     sorted((type, index[head], index[tail]) for type, head, tail in self.relations)]
        return Suggestions(tuple(self.spans[k] for k in keys), tuple(relations))
