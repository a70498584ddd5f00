"""The speakers suggester: verb-subject order, titles with names, addressees and time words left
out, a subjectless verb taking the last explicit speaker (exact offsets after an emoji)."""

from __future__ import annotations

import pytest

from tests.core.suggest_helpers import located, run, spans_of

# (id, body, expected actor texts, [(quote text, speaker text)])
CASES = [
    ("name-then-addressee", "وقال لودريان للصحافيين “اتفقنا على تعزيز التعاون بيننا”.",
     ["لودريان"], [("اتفقنا على تعزيز التعاون بيننا", "لودريان")]),
    ("title-and-name-one-actor", "وقال وزير الدفاع الفرنسي جان إيف لودريان إن التعاون مستمر بيننا.",
     ["وزير الدفاع الفرنسي جان إيف لودريان"],
     [("التعاون مستمر بيننا", "وزير الدفاع الفرنسي جان إيف لودريان")]),
    ("time-word-ends-the-subject", "وقال المرصد السوري لحقوق الإنسان يوم الأربعاء إن القتال استمر.",
     ["المرصد السوري لحقوق الإنسان"], [("القتال استمر", "المرصد السوري لحقوق الإنسان")]),
    ("envoy-keeps-his-destination", "قال مبعوث الأمم المتحدة الى سوريا ستيفان دي ميستورا إن الغارات "
     "تسببت بدمار.", ["مبعوث الأمم المتحدة الى سوريا ستيفان دي ميستورا"],
     [("الغارات تسببت بدمار", "مبعوث الأمم المتحدة الى سوريا ستيفان دي ميستورا")]),
    ("bism-joins-the-title", "وأعلن متحدث باسم صندوق النقد الدولي أن الصندوق سيغير رئيس وفده.",
     ["متحدث باسم صندوق النقد الدولي"],
     [("الصندوق سيغير رئيس وفده", "متحدث باسم صندوق النقد الدولي")]),
    ("beh-phrase-ends-the-subject", "وقال تيم جونسون رئيس القسم بهيئة الطيران “لقد زاد الاهتمام كثيرا”.",
     ["تيم جونسون رئيس القسم"], [("لقد زاد الاهتمام كثيرا", "تيم جونسون رئيس القسم")]),
    ("name-starting-with-beh-stays", "وقال بوتين إن التحالف ضروري جدا.",
     ["بوتين"], [("التحالف ضروري جدا", "بوتين")]),
    ("relay-speaker-is-the-source", "ونقل دي ميستورا عن مصادر محلية قولها إن الجيش ألقى براميل.",
     ["مصادر محلية"], [("الجيش ألقى براميل", "مصادر محلية")]),
    ("subjectless-verb-takes-last-speaker",
     "وقال زوج المعلمة: \"زوجتي تعمل معلمة منذ عشرين عاما\". وأضاف: \"كانت تحرص على العمل دائما\".",
     ["زوج المعلمة"], [("زوجتي تعمل معلمة منذ عشرين عاما", "زوج المعلمة"),
                       ("كانت تحرص على العمل دائما", "زوج المعلمة")]),
    ("participle-takes-last-speaker", "وأوضح الوزير الفرنسي أن البلدين اتفقا، موضحا “هذا لا يعني تحالفا”.",
     ["الوزير الفرنسي"], [("البلدين اتفقا", "الوزير الفرنسي"),
                          ("هذا لا يعني تحالفا", "الوزير الفرنسي")]),
    ("no-speaker-yet", "وأضاف أن العمل مستمر في كل المدن.", [], []),
    ("lam-media-addressee", "وقال زوج المعلمة لـ \"سبق\": \"زوجتي تعمل معلمة منذ عشرين عاما\".",
     ["زوج المعلمة"], [("زوجتي تعمل معلمة منذ عشرين عاما", "زوج المعلمة")]),
]


@pytest.mark.parametrize(("body", "actors", "said"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_speakers_table(body: str, actors: list[str], said: list[tuple[str, str]]) -> None:
    text, result = run(body, ["quotes", "speakers"])
    assert spans_of(result, "actor") == [located(text, a) for a in actors]
    got = {((q := result.spans[r.head]).start, q.end, (a := result.spans[r.tail]).start, a.end)
           for r in result.relations if r.type == "said_by"}
    assert got == {(*located(text, quote), *located(text, actor)) for quote, actor in said}


def test_speakers_alone_give_actors_without_relations() -> None:
    text, result = run("وقال الوزير: «لن نتراجع».", ["speakers"])
    assert [(s.start, s.end, s.label, s.suggester) for s in result.spans] == \
        [(23, 29, "actor", "speakers")]
    assert text[23:29] == "الوزير" and result.relations == ()
