"""Speakers: the actor a quotation is said by, found after its verb of saying.

Arabic news is mostly verb-subject: the subject follows the verb (وقال لودريان للصحافيين “…”),
titles and names together (وقال وزير المالية اليوناني إنه …). The subject runs from the word
after the verb up to the first word that cannot belong to it: a preposition or time word
(في، من، يوم، أمس), a relative pronoun, أن/إن, an addressee (للصحافيين، لـ"سبق"), a ب-phrase
(بهيئة …; a name such as بوتين whose rest is no word stays), punctuation or a quotation mark.
An envoy's title keeps its إلى/لدى (مبعوث الأمم المتحدة إلى سوريا ستيفان دي ميستورا).
With نقل … عن X قوله the speaker is X. A verb with no explicit subject (وأضاف أن، موضحا)
takes the last explicit speaker.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotator.core.search import normalize
from annotator.core.suggest.analysis import COMPLEMENTIZERS, QUOTE_MARKS, Analysis
from annotator.core.suggest.cues import Cue
from annotator.core.suggest.quotes import Quote
from annotator.core.suggest.words import WordFrequencies

MAX_SUBJECT = 10  # words


def _norms(words: str) -> frozenset[str]:
    return frozenset(normalize(w) for w in words.split())


STOPS = _norms(
    "في من عن على إلى الى خلال بعد قبل أثناء اثناء حول مع أمام لدى منذ عبر حتى ضد نحو "
    "يوم أمس اليوم مساء صباح ظهر ليلة الليلة غدا فجر الاثنين الثلاثاء الأربعاء الخميس الجمعة "
    "السبت الأحد التي الذي الذين اللذين اللتين اللواتي اللاتي هو هي هم هما نحن أيضا كذلك إنما "
    "قد لقد ثم لكن لكنه حيث كما عندما بينما وفق وفقا ردا تعليقا له لها لهم لنا بدوره بدورها "
    "بدورهم إن أن وإن وأن ما لا لم لن كان كانت سابقا مؤخرا هذه هذا ذلك تلك هؤلاء "
    "النظر الانتباه عليه عليها عليهم فيه فيها منه منها عنه عنها إليه إليها"
) | COMPLEMENTIZERS
#: Titles that keep a إلى/لدى phrase (مبعوث الأمم المتحدة إلى سوريا).
ENVOYS = _norms("مبعوث المبعوث سفير السفير ممثل الممثل مندوب المندوب")
ENVOY_PREPOSITIONS = _norms("إلى الى لدى")
#: Addressees after ل: the subject stops before them (للصحافيين، لوكالة، لـ"سبق").
ADDRESSEES = _norms(
    "صحافيين صحفيين صحافي صحفي صحيفة جريدة وكالة قناة موقع تلفزيون إذاعة مراسل مراسلنا "
    "مراسلة مراسلي وسائل صحافة الصحافة اعلام صحفيين مجلة شبكة")
_FIRST = normalize("أول")
_DAY_BEFORE = _norms("أمس من")
SAYING = _norms("قوله قولها قولهم قولهما قولهن")
RELAY = _norms("نقل")


@dataclass(frozen=True, slots=True)
class Speaker:
    start: int
    end: int
    confidence: float


@dataclass(frozen=True, slots=True)
class Attribution:
    """Quote number ``quote`` (in the list given) is said by speaker number ``speaker``."""

    quote: int
    speaker: int
    confidence: float


def find_speakers(analysis: Analysis, quotes: list[Quote], cues: list[Cue],
                  words: WordFrequencies) -> tuple[list[Speaker], list[Attribution]]:
    """The speakers of ``quotes`` and which quote each says; quotes with no cue get none."""
    cue_tokens = {cue.token for cue in cues}
    speakers: list[Speaker] = []
    index_of: dict[tuple[int, int], int] = {}
    by_cue: dict[int, int | None] = {}
    attributions: list[Attribution] = []
    last: int | None = None
    for number, quote in sorted(enumerate(quotes), key=lambda item: _order(item[1])):
        cue = quote.cue
        if cue is None:
            continue
        if cue.token not in by_cue:
            span = _source(analysis, cue, cue_tokens, words)
            if span is None:
                by_cue[cue.token] = None
            else:
                if span not in index_of:
                    index_of[span] = len(speakers)
                    speakers.append(Speaker(span[0], span[1], 0.8))
                last = by_cue[cue.token] = index_of[span]
        explicit = by_cue[cue.token]
        if explicit is not None:
            attributions.append(Attribution(number, explicit, 0.8))
        elif last is not None and not _speaker_after(speakers[last], cue):
            attributions.append(Attribution(number, last, 0.6))
    return speakers, attributions


def _order(quote: Quote) -> tuple[int, int]:
    return (quote.cue.start if quote.cue is not None else quote.start, quote.start)


def _speaker_after(speaker: Speaker, cue: Cue) -> bool:
    return speaker.start > cue.start


def _source(analysis: Analysis, cue: Cue, cue_tokens: set[int],
            words: WordFrequencies) -> tuple[int, int] | None:
    subject = _phrase(analysis, cue.token + 1, cue_tokens, words)
    if normalize(cue.lemma) in RELAY:
        after = subject[1] if subject is not None else cue.token + 1
        relayed = _relayed(analysis, after, cue_tokens, words)
        if relayed is not None:
            return _offsets(analysis, relayed)
    return None if subject is None else _offsets(analysis, subject)


def _offsets(analysis: Analysis, tokens: tuple[int, int]) -> tuple[int, int]:
    return analysis.tokens[tokens[0]].start, analysis.tokens[tokens[1] - 1].end


def _phrase(analysis: Analysis, first: int, cue_tokens: set[int],
            words: WordFrequencies) -> tuple[int, int] | None:
    """Token range [first, end) of the subject that starts at ``first``, or None."""
    tokens, norms = analysis.tokens, analysis.norms
    i, taken = first, 0
    while i < len(tokens) and taken < MAX_SUBJECT:
        token, norm = tokens[i], norms[i]
        if token.kind not in ("word", "number") or token.text[:1] in QUOTE_MARKS \
                or i in cue_tokens or "\n" in analysis.text[tokens[i - 1].end:token.start]:
            break
        if norm in ENVOY_PREPOSITIONS and taken and norms[first] in ENVOYS \
                and analysis.is_word(i + 1) and norms[i + 1] not in STOPS:
            i, taken = i + 2, taken + 2
            continue
        if norm in STOPS or _is_addressee(norm) or _is_beh_phrase(token.text, norm, words) \
                or (norm == _FIRST and i + 1 < len(norms) and norms[i + 1] in _DAY_BEFORE):
            break  # ... or أول أمس, أول من أمس
        i, taken = i + 1, taken + 1
    return (first, i) if i > first else None


def _is_addressee(norm: str) -> bool:
    if not norm.startswith("ل"):
        return False
    rest = norm[1:]
    if rest.startswith("ل"):
        rest = "ا" + rest
    if rest.startswith("ال"):
        rest = rest[2:]
    return not rest or rest.strip("ـ") == "" or rest in ADDRESSEES


def _is_beh_phrase(word: str, norm: str, words: WordFrequencies) -> bool:
    """ب + a word (بهيئة، بالقاهرة، بشأن), not a name that starts with ب (بوتين، بشار)."""
    if not norm.startswith("ب") or norm == normalize("باسم"):
        return False
    return norm[1:].startswith("ال") or words.zipf(word[1:]) > 0.0


def _relayed(analysis: Analysis, i: int, cue_tokens: set[int],
             words: WordFrequencies) -> tuple[int, int] | None:
    """For نقل … عن X قوله: the tokens of X."""
    norms = analysis.norms
    if i >= len(norms) or norms[i] != normalize("عن"):
        return None
    for j in range(i + 2, min(i + 2 + MAX_SUBJECT, len(norms))):
        if norms[j] in SAYING:
            return (i + 1, j)
        if not analysis.is_word(j):
            return None
    return None
