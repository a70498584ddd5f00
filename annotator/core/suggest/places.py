"""Places and states from the gazetteer, with clitics and spelling normalized.

``seeds/gazetteer.lst`` (built by ``tools/build_gazetteer.py`` from CLDR, ISO 3166 and GeoNames)
names states and places; ``# kind: state`` / ``# kind: place`` lines give the kind of the names
after them. A name matches after search normalization (أ/إ/ا, ة/ه, ى/ي, harakat) and after a
leading proclitic (وروسيا، بالقاهرة، لليونان), the longest name first; the clitic stays out of
the span.

A place is a ``location``. A state is a ``location`` where it names the place (after في، إلى، من،
داخل، وسط …, a place noun such as مدينة or عاصمة, or with ب: باليونان) and an ``actor`` where it
acts or takes part (مساعدة اليونان، بين اليونان والدائنين); a state joined by و to the one before
it takes that one's label. A rare word after a place noun (ميدان سنداغما، شارع «إيرمو») is a
location too, with a lower confidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from annotator.core.arabic import tokenize
from annotator.core.search import normalize
from annotator.core.suggest.analysis import CLOSING, OPENING, Analysis, clitic_readings
from annotator.core.suggest.words import WordFrequencies

KINDS = ("state", "place")
LOCATIVE = frozenset(normalize(w) for w in (
    "في إلى الى من داخل خارج نحو قرب شمال جنوب شرق غرب وسط شمالي جنوبي شرقي غربي أنحاء "
    "عبر أراضي باتجاه تجاه صوب مدن حدود أرجاء ربوع").split())
PLACE_NOUNS = frozenset(normalize(w) for w in (
    "مدينة مدينتي بلدة قرية محافظة منطقة ولاية إقليم جزيرة ميدان شارع ساحة حي مخيم سهل وادي "
    "جبل نهر العاصمة عاصمة ضاحية مركز مقاطعة").split())
RARE = 4.0  # Zipf below which a word after a place noun is taken for a name


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Names by their first normalized token: (normalized tokens, kind), longest first."""

    index: Mapping[str, tuple[tuple[tuple[str, ...], str], ...]]

    def __len__(self) -> int:
        return sum(len(v) for v in self.index.values())


@dataclass(frozen=True, slots=True)
class Place:
    start: int
    end: int
    label: str
    confidence: float


def parse_gazetteer_kinds(text: str, *, path: str = "<gazetteer>") -> Gazetteer:
    """Read the gazetteer with its kinds (names before any kind line are places)."""
    entries: dict[str, dict[tuple[str, ...], str]] = {}
    kind = "place"
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("# kind:"):
            kind = stripped.removeprefix("# kind:").strip()
            if kind not in KINDS:
                raise ValueError(f"{path}:{number}: kind must be one of {list(KINDS)}, not {kind!r}")
            continue
        name = line.split("#", 1)[0].strip()
        if not name:
            continue
        key = name_key(name)
        if key:
            entries.setdefault(key[0], {}).setdefault(key, kind)
    return Gazetteer(MappingProxyType({
        first: tuple(sorted(names.items(), key=lambda item: -len(item[0])))
        for first, names in entries.items()
    }))


def name_key(name: str) -> tuple[str, ...]:
    """The normalized tokens of a name (punctuation kept, so “إيرمو” differs from إيرمو)."""
    return tuple(normalize(t.text) for t in tokenize(name))


@dataclass(frozen=True, slots=True)
class Match:
    first: int  # token index
    last: int  # token index, inclusive
    prefix: int  # characters of proclitic left out of the first token
    value: str


def match_at(analysis: Analysis, i: int,
             index: Mapping[str, tuple[tuple[tuple[str, ...], str], ...]],
             words: WordFrequencies, prefixes: str = "all") -> Match | None:
    """The longest name of ``index`` starting at token ``i`` (after a clitic per ``prefixes``:
    ``all``, ``conj`` for و/ف only, ``none``). A clitic reading counts only where the word as
    written is no more frequent than its rest (كبيرا is no ك + بيرا)."""
    best: Match | None = None
    word = analysis.tokens[i].text
    for prefix, norm in clitic_readings(word):
        entries = index.get(norm)
        if not entries or (prefix and (prefixes == "none" or (
                prefixes == "conj" and normalize(word[:prefix]) not in ("و", "ف"))
                or words.zipf(word) > words.zipf(word[prefix:]))):
            continue
        for key, value in entries:
            last = i + len(key) - 1
            if last < len(analysis.norms) and all(
                    analysis.norms[i + k] == key[k] for k in range(1, len(key))):
                if best is None or (last, -prefix) > (best.last, -best.prefix):
                    best = Match(i, last, prefix, value)
                break  # longest first: the first that fits is the longest for this reading
    return best


def find_places(analysis: Analysis, gazetteer: Gazetteer, words: WordFrequencies) -> list[Place]:
    places: list[Place] = []
    previous: Match | None = None
    previous_label = ""
    i = 0
    tokens = analysis.tokens
    while i < len(tokens):
        if tokens[i].kind != "word":
            i += 1
            continue
        match = match_at(analysis, i, gazetteer.index, words)
        if match is None:
            place = _after_place_noun(analysis, i, words)
            if place is not None:
                places.append(place)
            i += 1
            continue
        label = _label(analysis, match, previous, previous_label)
        confidence = 0.85 if match.value == "place" else (0.75 if label == "location" else 0.6)
        places.append(Place(tokens[i].start + match.prefix, tokens[match.last].end, label,
                            confidence))
        previous, previous_label = match, label
        i = match.last + 1
    return places


def _label(analysis: Analysis, match: Match, previous: Match | None, previous_label: str) -> str:
    if match.value == "place":
        return "location"
    prefix = normalize(analysis.tokens[match.first].text[:match.prefix])
    if previous is not None and previous.last == match.first - 1 and prefix[:1] == "و" \
            and previous.value == "state":
        return previous_label
    if "ب" in prefix or _locative_before(analysis, match.first):
        return "location"
    return "actor"


def _locative_before(analysis: Analysis, i: int) -> bool:
    j = i - 1
    if j < 0 or analysis.tokens[j].kind != "word":
        return False
    return any(norm in LOCATIVE or norm in PLACE_NOUNS
               for _, norm in clitic_readings(analysis.tokens[j].text))


def _after_place_noun(analysis: Analysis, i: int, words: WordFrequencies) -> Place | None:
    """A rare word right after a place noun (ميدان سنداغما), or alone in quotation marks
    after one (شارع «إيرمو»)."""
    tokens = analysis.tokens
    noun = i - 1
    if noun >= 1 and tokens[noun].text[:1] in OPENING:
        if not (i + 1 < len(tokens) and tokens[i + 1].text[:1] in CLOSING + "\""):
            return None
        noun -= 1
    if noun < 0 or tokens[noun].kind != "word" or not any(
            norm in PLACE_NOUNS for _, norm in clitic_readings(tokens[noun].text)):
        return None
    norm = analysis.norms[i]
    if words.zipf(tokens[i].text) >= RARE or (not norm.startswith("ال") and (
            norm.endswith("يه") or norm.endswith("ي"))):
        return None  # a common word, or an adjective (مدينة يونانية)
    return Place(tokens[i].start, tokens[i].end, "location", 0.55)
