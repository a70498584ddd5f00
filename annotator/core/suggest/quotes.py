"""Quotations: text between quotation marks, and indirect speech after a verb of saying.

Marks: « », “ ” (and „ ‹ ›), straight " — paired by family; a mark's side comes from its
context (a space before and a letter after opens), so a text that writes ” for both sides still
pairs. «» and “” may run over paragraphs; straight quotes, often unbalanced, stay within one.
The span leaves out the marks and the spaces and punctuation just inside them.

A pair is a quotation when it has at least five words, or when speech is near: a verb of saying
earlier in the sentence, one just after the closing mark (“…”، قال), or a colon before the
opening mark. Shorter marked words with no speech near (“الإرهاب”, «ستاندارد أند بورز») are
scare quotes or names, not quotations.

Kind: ``direct`` when the quotation is the whole statement after the verb (no أن/إن between,
and a colon before it or the sentence ending with it), ``partial`` when it is a fragment of the
reporter's sentence (also right after a preposition: دعا إلى «…»), ``indirect`` for the clause after a verb of saying and أن/إن (وأوضح الوزير أن
…) up to the end of the sentence or the next verb of saying after a comma or as a participle
(، مؤكدا أن …). A clause that is all in quotation marks is the marked quotation only.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotator.core.search import normalize
from annotator.core.suggest.analysis import (
    CLOSING,
    COMPLEMENTIZERS,
    OPENING,
    Analysis,
    trim,
)
from annotator.core.suggest.cues import Cue

MIN_WORDS = 5  # a marked phrase this long is a quotation even with no verb of saying near
MAX_GAP = 12  # tokens between a verb of saying and its أن/إن or its quotation mark (direct)
MAX_MARKED = 5000  # characters: a longer «…» is an unbalanced mark, not a quotation
_FAMILY = {"«": "«", "»": "«", "‹": "‹", "›": "‹", "“": "“", "”": "“", "„": "“", "\"": "\""}
#: Words after which أن/إن starts no reported speech (بعد أن التقى، قبل أن، لا بد أن).
_NOT_SPEECH_BEFORE = frozenset(normalize(w) for w in (
    "بعد", "قبل", "منذ", "حتى", "دون", "بدون", "بد", "يجب", "يمكن", "ينبغي", "لابد", "ما",
    "يتوقع", "يفترض", "المفترض", "على", "إلا", "لو", "كما"))
_TERMINAL = ".!?؟…"
#: A quotation right after one of these is the object of the reporter's phrase (دعا إلى «…»).
_PREPOSITIONS = frozenset(normalize(w) for w in "إلى الى على عن من في حول بشأن ضد مع".split())


@dataclass(frozen=True, slots=True)
class Quote:
    start: int
    end: int
    kind: str
    cue: Cue | None
    confidence: float
    marked: bool


@dataclass(frozen=True, slots=True)
class _Mark:
    token: int
    offset: int
    family: str
    opens: bool | None


def find_quotes(analysis: Analysis, cues: list[Cue]) -> list[Quote]:
    """Marked quotations and indirect speech of ``analysis``, in text order."""
    cue_at = {cue.token: cue for cue in cues}
    quotes = [q for pair in _pairs(analysis) if (q := _marked(analysis, pair, cue_at)) is not None]
    marked = {q.start for q in quotes}
    for cue in cues:
        quote = _indirect(analysis, cue, cue_at)
        if quote is not None and quote.start not in marked:  # not a clause all in marks
            quotes.append(quote)
    quotes.sort(key=lambda q: (q.start, q.end))
    return quotes


# -- marks ---------------------------------------------------------------------------------


def _marks(analysis: Analysis) -> list[_Mark]:
    text = analysis.text
    marks: list[_Mark] = []
    for i, token in enumerate(analysis.tokens):
        ch = token.text[:1]
        family = _FAMILY.get(ch)
        if family is None or token.kind == "word":
            continue
        before = text[token.start - 1] if token.start > 0 else " "
        after = text[token.start + 1] if token.start + 1 < len(text) else " "
        open_ctx = (before.isspace() or before in "(:[،,؛" or before in OPENING) \
            and not after.isspace()
        close_ctx = not before.isspace() and (after.isspace() or not after.isalnum())
        opens: bool | None
        if open_ctx != close_ctx:
            opens = open_ctx
        elif ch in OPENING or ch in CLOSING:
            opens = ch in OPENING
        else:
            opens = None  # decided by what is open when it comes
        marks.append(_Mark(i, token.start, family, opens))
    return marks


def _pairs(analysis: Analysis) -> list[tuple[_Mark, _Mark]]:
    """Opening and closing marks paired within each family (a stack; straight quotes pair
    within a paragraph)."""
    text = analysis.text
    stacks: dict[str, list[_Mark]] = {}
    pairs: list[tuple[_Mark, _Mark]] = []
    for mark in _marks(analysis):
        stack = stacks.setdefault(mark.family, [])
        if mark.family == "\"" and stack and "\n" in text[stack[-1].offset:mark.offset]:
            stack.clear()
        opens = mark.opens if mark.opens is not None else not stack
        if opens:
            stack.append(mark)
        elif stack:
            opening = stack.pop()
            if mark.offset - opening.offset <= MAX_MARKED:
                pairs.append((opening, mark))
    return pairs


# -- marked quotations ---------------------------------------------------------------------


def _marked(analysis: Analysis, pair: tuple[_Mark, _Mark], cue_at: dict[int, Cue]) -> Quote | None:
    opening, closing = pair
    start, end = trim(analysis.text, opening.offset + 1, closing.offset)
    if start >= end:
        return None
    words = analysis.words_between(start, end)
    before = _cue_before(analysis, opening.token, cue_at)
    after = _cue_after(analysis, closing.token, cue_at)
    colon = _colon_before(analysis, opening.token)
    if words < MIN_WORDS and before is None and after is None and not colon:
        return None  # a scare quote or a name
    if words <= 2 and not colon and _after_preposition(analysis, opening.token):
        return None  # a name in marks: لـ"سبق"، إلى «زائد»
    cue = before if before is not None else after
    direct = (before is not None and not _complementizer_between(analysis, before.token,
                                                                  opening.token)
              and analysis.norms[opening.token - 1] not in _PREPOSITIONS
              and (colon or _ends_sentence(analysis, closing.token, cue_at))) \
        or (before is None and after is not None and _starts_sentence(analysis, opening.token)) \
        or (cue is None and colon)
    kind = "direct" if direct else "partial"
    confidence = 0.9 if direct else (0.75 if cue is not None else 0.55)
    return Quote(start, end, kind, cue, confidence, True)


def _cue_before(analysis: Analysis, token: int, cue_at: dict[int, Cue]) -> Cue | None:
    """The nearest verb of saying before ``token`` in its sentence."""
    sentence = analysis.sentence_of[token]
    i = token - 1
    while i >= 0 and analysis.sentence_of[i] == sentence:
        if i in cue_at:
            return cue_at[i]
        i -= 1
    return None


def _cue_after(analysis: Analysis, token: int, cue_at: dict[int, Cue]) -> Cue | None:
    """A verb of saying right after a closing mark (“…”، قال الوزير), with no و/ف and
    introducing nothing of its own (no أن/إن or quotation after it)."""
    i = _next_word(analysis, token + 1)
    cue = cue_at.get(i)
    if cue is None or cue.conjunction:
        return None
    sentence = analysis.sentence_of[i]
    for j in range(i + 1, min(i + 1 + MAX_GAP, len(analysis.tokens))):
        if analysis.sentence_of[j] != sentence:
            break
        if analysis.norms[j] in COMPLEMENTIZERS or analysis.tokens[j].text[:1] in OPENING:
            return None
    return cue


def _next_word(analysis: Analysis, i: int) -> int:
    while i < len(analysis.tokens) and analysis.tokens[i].kind == "punct" \
            and analysis.tokens[i].text[:1] not in _TERMINAL:
        i += 1
    return i


def _after_preposition(analysis: Analysis, token: int) -> bool:
    if token == 0 or analysis.tokens[token - 1].kind != "word":
        return False
    norm = analysis.norms[token - 1]
    return norm in _PREPOSITIONS or norm == "ل"


def _colon_before(analysis: Analysis, token: int) -> bool:
    return token > 0 and analysis.tokens[token - 1].text == ":"


def _complementizer_between(analysis: Analysis, lo: int, hi: int) -> bool:
    return hi - lo > MAX_GAP or any(analysis.norms[j] in COMPLEMENTIZERS for j in range(lo + 1, hi))


def _ends_sentence(analysis: Analysis, closing: int, cue_at: dict[int, Cue]) -> bool:
    """Whether only punctuation (or a trailing ، قال X) follows the closing mark in its line
    and sentence."""
    text, tokens = analysis.text, analysis.tokens
    i = closing + 1
    while i < len(tokens) and tokens[i].kind == "punct" and "\n" not in \
            text[tokens[i - 1].end:tokens[i].start]:
        if tokens[i].text in _TERMINAL:
            return True
        i += 1
    if i >= len(tokens) or "\n" in text[tokens[i - 1].end:tokens[i].start]:
        return True
    return _cue_after(analysis, closing, cue_at) is not None


def _starts_sentence(analysis: Analysis, opening: int) -> bool:
    if opening == 0:
        return True
    previous = analysis.tokens[opening - 1]
    return analysis.sentence_of[opening - 1] != analysis.sentence_of[opening] \
        or previous.text in (":", ".") or "\n" in analysis.text[previous.end:analysis.tokens[opening].start]


# -- indirect speech -----------------------------------------------------------------------


def _indirect(analysis: Analysis, cue: Cue, cue_at: dict[int, Cue]) -> Quote | None:
    """The clause after ``cue`` … أن/إن, to the end of the sentence or the next verb of saying."""
    tokens, norms = analysis.tokens, analysis.norms
    sentence = analysis.sentence_of[cue.token]
    complementizer = None
    for j in range(cue.token + 1, min(cue.token + 1 + MAX_GAP, len(tokens))):
        if analysis.sentence_of[j] != sentence or j in cue_at or analysis.is_mark(j):
            return None
        if norms[j] in COMPLEMENTIZERS and norms[j - 1] not in _NOT_SPEECH_BEFORE:
            complementizer = j
            break
    if complementizer is None:
        return None
    end_token = complementizer + 1
    while end_token < len(tokens) and analysis.sentence_of[end_token] == sentence:
        if end_token in cue_at and (cue_at[end_token].participle
                                    or tokens[end_token - 1].text in "،,؛"):
            break
        end_token += 1
    if end_token <= complementizer + 1:
        return None
    start, end = trim(analysis.text, tokens[complementizer].end, tokens[end_token - 1].end)
    if analysis.words_between(start, end) < 2:
        return None
    return Quote(start, end, "indirect", cue, 0.7, False)
