"""The quotations suggester: marks, scare quotes, kinds, indirect speech (exact offsets)."""

from __future__ import annotations

import pytest

from annotator.core.suggest.analysis import Analysis
from annotator.core.suggest.cues import find_cues
from annotator.core.suggest.quotes import find_quotes
from annotator.core.suggest import default_resources
from tests.core.suggest_helpers import PREFIX, located, run

# (id, body, [(expected quote text, kind)])
CASES = [
    ("guillemets-direct-after-colon", "وقال الوزير: «لن نتراجع عن القرار».",
     [("لن نتراجع عن القرار", "direct")]),
    ("curly-direct-after-participle", "وأكد الاتفاق، موضحا “هذا لا يعني تحالفا بل تنسيقا”.",
     [("هذا لا يعني تحالفا بل تنسيقا", "direct")]),
    ("straight-quotes-direct", "وأضاف: \"منذ أن التحقت بالمهنة كانت تحرص على العمل\".",
     [("منذ أن التحقت بالمهنة كانت تحرص على العمل", "direct")]),
    ("fragment-after-preposition-is-partial", "ودعا الاتحاد في بيان إلى «مواصلة النضال دون توقف».",
     [("مواصلة النضال دون توقف", "partial")]),
    ("fragment-with-reporter-words-after-is-partial",
     "وأشار الوزير إلى أن المحادثات تناولت “التفاصيل العسكرية” للنزاع.",
     [("المحادثات تناولت “التفاصيل العسكرية” للنزاع", "indirect"),
      ("التفاصيل العسكرية", "partial")]),
    ("scare-quote-one-word-no-verb", "وعبر الرئيس عن رغبته في مكافحة “الإرهاب” في المنطقة.", []),
    ("name-in-marks-no-verb", "ورفعت وكالة «ستاندارد أند بورز» تصنيف البلاد.", []),
    ("name-after-lam-with-verb-near", "وقال زوج المعلمة لـ \"سبق\": \"زوجتي تعمل معلمة منذ عشرين عاما\".",
     [("زوجتي تعمل معلمة منذ عشرين عاما", "direct")]),
    ("long-marked-words-without-verb-are-a-quote",
     "ورفعوا لافتات عليها «كسبنا عطلة الأحد عبر النضال ولن نخسرها».",
     [("كسبنا عطلة الأحد عبر النضال ولن نخسرها", "partial")]),
    ("indirect-after-inna", "وقال وزير المالية إنه لا بد من تمرير الإجراءات هذا الأسبوع. ثم غادر.",
     [("لا بد من تمرير الإجراءات هذا الأسبوع", "indirect")]),
    ("indirect-ends-at-next-participle",
     "وقال المدير إن الشرطة نجحت في تحديد الأشخاص، مؤكدا أن العمل جار لضبط آخرين.",
     [("الشرطة نجحت في تحديد الأشخاص", "indirect"), ("العمل جار لضبط آخرين", "indirect")]),
    ("baad-an-is-no-speech", "وقال لودريان بعد أن التقى نظيره الروسي كلمة قصيرة.", []),
    ("clause-all-in-marks-is-the-marked-quote",
     "وأورد التلفزيون الرسمي أن “وحدة من الجيش دمرت نفقا بطول سبعين مترا.”",
     [("وحدة من الجيش دمرت نفقا بطول سبعين مترا", "partial")]),
    ("cue-after-the-quote", "«سنواصل العمل حتى النهاية»، قال الوزير.",
     [("سنواصل العمل حتى النهاية", "direct")]),
    ("closing-mark-written-as-opening-one", "وقال المدير ” رحمه الله ” ثم سكت طويلا.", []),
    ("quote-over-two-paragraphs", "وقال الرئيس: «نحن هنا اليوم.\nوسنبقى هنا غدا».",
     [("نحن هنا اليوم.\nوسنبقى هنا غدا", "direct")]),
    ("unbalanced-straight-quote-stays-in-its-paragraph",
     "وقال الرئيس: \"نحن هنا اليوم.\nوسنبقى \"هنا\" غدا.", []),
]


@pytest.mark.parametrize(("body", "expected"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_quotes_table(body: str, expected: list[tuple[str, str]]) -> None:
    text, result = run(body, ["quotes"])
    got = [(s.start, s.end, s.attributes["kind"]) for s in result.spans]
    want = sorted((*located(text, part), kind) for part, kind in expected)
    assert got == want
    assert all(s.suggester == "quotes" and s.label == "quote" for s in result.spans)


def test_exact_offsets_after_an_emoji() -> None:
    text, result = run("وقال الوزير: «لن نتراجع».", ["quotes"])
    assert len(PREFIX) == 18 and text.index("«") == 31
    (quote,) = result.spans
    assert (quote.start, quote.end, text[quote.start:quote.end]) == (32, 41, "لن نتراجع")
    assert quote.confidence == 0.9


def test_find_quotes_links_each_quote_to_its_cue() -> None:
    text = PREFIX + "وأضاف أن ذلك “سيترجم بتقارب بين الأجهزة”."
    analysis = Analysis(text)
    cues = find_cues(analysis, default_resources().cues)
    quotes = find_quotes(analysis, cues)
    assert [(q.kind, text[q.start:q.end], text[q.cue.start:q.cue.end] if q.cue else None)
            for q in quotes] == [("indirect", "ذلك “سيترجم بتقارب بين الأجهزة", "أضاف"),
                                 ("partial", "سيترجم بتقارب بين الأجهزة", "أضاف")]
