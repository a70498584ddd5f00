"""The cue suggester: verbs of saying from the lexicon, و/ف left out, only where they introduce
speech (exact offsets after an emoji)."""

from __future__ import annotations

import pytest

from annotator.core.suggest import default_resources
from annotator.core.suggest.analysis import Analysis
from annotator.core.suggest.cues import CueForm, find_cues, parse_cues
from tests.core.suggest_helpers import PREFIX, located, run, spans_of

# (id, body, expected cue texts in order, the n-th occurrence each)
CASES = [
    ("qala-waw-left-out", "وقال الوزير: «لن نتراجع عن القرار».", [("قال", 1)]),
    ("adafa-feh-left-out", "ثم سكت، فأضاف: «ولن نقبل بأي شرط جديد».", [("أضاف", 1)]),
    ("participle-with-tanween", "وأكد ذلك، موضحًا أن العمل مستمر في المدينة.", [("موضحًا", 1)]),
    ("feminine-past", "وأوضحت الجامعة في الاستمارة أن الطالبة مقبولة مبدئيا.", [("أوضحت", 1)]),
    ("present-tense", "ويقول الخبراء إن الأسعار سترتفع كثيرا.", [("يقول", 1)]),
    ("with-harakat", "وَقَالَ الوَزِيرُ: «لَنْ نَتَرَاجَعَ أَبَدًا».", [("قَالَ", 1)]),
    ("verb-without-speech-is-no-cue", "وأعلنوا الإضراب عن العمل لمدة يوم كامل.", []),
    ("lubnan-is-no-cue", "وقال لبنان كلمة واحدة في الجلسة.", []),
]


@pytest.mark.parametrize(("body", "expected"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_cues_table(body: str, expected: list[tuple[str, int]]) -> None:
    text, result = run(body, ["cues"])
    assert spans_of(result, "cue") == [located(text, part, nth) for part, nth in expected]
    assert {s.suggester for s in result.spans} <= {"cues"}
    assert result.relations == ()  # cue relations need the quotes too


def test_exact_offsets_of_a_cue_after_an_emoji() -> None:
    text, result = run("وقال الوزير: «لن نتراجع».", ["cues"])
    (cue,) = result.spans
    assert (cue.start, cue.end, text[cue.start:cue.end]) == (19, 22, "قال")


def test_find_cues_reads_participles_and_conjunctions() -> None:
    analysis = Analysis(PREFIX + "فقال المدير مشيرا إلى أن الوضع مستقر.")
    cues = find_cues(analysis, default_resources().cues)
    assert [(analysis.text[c.start:c.end], c.lemma, c.participle, c.conjunction) for c in cues] \
        == [("قال", "قال", False, True), ("مشيرا", "أشار", True, False)]


def test_parse_cues_reads_lemma_forms_and_participles() -> None:
    lexicon = parse_cues("# comment\nقال قالت | قائلا\nأضاف\n")
    assert dict(lexicon) == {"قال": CueForm("قال", False), "قالت": CueForm("قال", False),
                             "قايلا": CueForm("قال", True), "اضاف": CueForm("أضاف", False)}


@pytest.mark.parametrize("bad", ["قال | قائلا | زائد\n", "| قائلا\n"])
def test_parse_cues_names_the_bad_line(bad: str) -> None:
    with pytest.raises(ValueError, match=r"^cues.lst:2: expected 'verb forms"):
        parse_cues("قال\n" + bad, path="cues.lst")


def test_shipped_lexicon_has_the_issue_verbs() -> None:
    lexicon = default_resources().cues
    for word in ("قال قالت يقول أضاف أوضح أكد أشار اعتبر صرح ذكر لفت شدد نفى تابع أعلن كشف "
                 "رأى موضحا مشيرا مؤكدا مضيفا").split():
        assert Analysis(word).norms[0] in lexicon, word
