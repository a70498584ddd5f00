"""Write news_gold.jsonl from the readable annotations below (see GUIDELINES.md).

    python tests/data/gold/build_gold.py        # needs ../shared/corpora/news

Each span is (id, label, context, text, attributes): ``context`` occurs exactly once in the
article and ``text`` is found at its first place inside ``context``. Relations name span ids:
(quote, actor) for said_by, (quote, cue) for cue. The articles are from SaudiNewsNet
(CC BY-NC-SA 4.0); these annotations are shared under the same licence.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
NEWS = ROOT.parent / "shared" / "corpora" / "news"
OUT = HERE / "news_gold.jsonl"
sys.path.insert(0, str(ROOT))

from annotator.core.text import canonicalize, sha256_text  # noqa: E402

D, P, I = {"kind": "direct"}, {"kind": "partial"}, {"kind": "indirect"}

AAWSAT = {
    "file": "sn_01_aawsat.txt",
    "spans": [
        ("l1", "location", "الحاكم في اليونان بسبب", "اليونان", {}),
        ("l2", "location", "وسط أثينا عقبته", "أثينا", {}),
        ("a1", "actor", "تتضمن مساعدة اليونان بمبلغ", "اليونان", {}),
        ("c1", "cue", "ودعا اتحاد", "دعا", {}),
        ("a2", "actor", "ودعا اتحاد موظفي القطاع العام في بيان", "اتحاد موظفي القطاع العام", {}),
        ("q1", "quote", "«مواصلة النضال", "مواصلة النضال للحيلولة دون تمرير اتفاقية (بربرية) جديدة "
         "وحماية الاستقلال والديمقراطية وإرادة الشعب", P),
        ("l3", "location", "في سينداعما بانيبيستيميو", "سينداعما", {}),
        ("l4", "location", "في سينداعما بانيبيستيميو", "بانيبيستيميو", {}),
        ("c2", "cue", "البرلمان، وقال وزير", "قال", {}),
        ("a3", "actor", "وقال وزير المالية اليوناني إنه", "وزير المالية اليوناني", {}),
        ("q2", "quote", "إنه لا بد من", "لا بد من تمرير هذه الإجراءات حتى تبدأ المفاوضات هذا "
         "الأسبوع والتي يتوقع لها أن تستكمل حتى 20 أغسطس (آب) المقبل", I),
        ("a4", "actor", "لمنح اليونان مساعدة", "اليونان", {}),
        ("a5", "actor", "بين اليونان والجهات", "اليونان", {}),
        ("a6", "actor", "تصنيف اليونان نقطتين", "اليونان", {}),
        ("c3", "cue", "وأشارت الوكالة", "أشارت", {}),
        ("a7", "actor", "وأشارت الوكالة", "الوكالة", {}),
        ("q3", "quote", "إلى أن الاتفاق مع", "الاتفاق مع الجهات الدائنة قلل من مخاطر خروج اليونان "
         "من منطقة اليورو ولو أنه لا يزال قائما", I),
        ("a8", "actor", "خروج اليونان من", "اليونان", {}),
        ("a9", "actor", "أبدى رئيس الوزراء ألكسيس تسيبراس", "رئيس الوزراء ألكسيس تسيبراس", {}),
        ("c4", "cue", "المتطرف، وقال:", "قال", {}),
        ("q4", "quote", "«أرى الكثير", "أرى الكثير من التصريحات القوية، لكن دون تقديم أي اقتراح "
         "بديل", D),
        ("l5", "location", "الدولية إلى أثينا،", "أثينا", {}),
        ("c5", "cue", "وأعلن متحدث", "أعلن", {}),
        ("a10", "actor", "وأعلن متحدث باسم صندوق النقد الدولي", "متحدث باسم صندوق النقد الدولي", {}),
        ("q5", "quote", "أن الصندوق سيستبدل", "الصندوق سيستبدل رئيس وفده إلى اليونان ريشي غويال «بعد "
         "أكثر من عامين» على توليه مهامه، على أن تحل محله ديليا فيلكوشيسكو وهي خبيرة اقتصاد «عملت "
         "مع الفريق اليوناني في الماضي", I),
        ("l6", "location", "وفده إلى اليونان ريشي", "اليونان", {}),
        ("q6", "quote", "«بعد أكثر من عامين»", "بعد أكثر من عامين", P),
        ("q7", "quote", "«عملت مع الفريق", "عملت مع الفريق اليوناني في الماضي", P),
        ("l7", "location", "يسارية باليونان،", "اليونان", {}),
        ("l8", "location", "اليونانية أثينا، وفي", "أثينا", {}),
        ("a11", "actor", "وتجمع المحتجون", "المحتجون", {}),
        ("l9", "location", "«إيرمو»", "إيرمو", {}),
        ("l10", "location", "ميدان سنداغما", "سنداغما", {}),
        ("l11", "location", "بوسط أثينا، ورفعوا", "أثينا", {}),
        ("c6", "cue", "لافتات كتب عليها", "كتب", {}),
        ("q8", "quote", "«كسبنا عطلة", "كسبنا عطلة الأحد عبر النضال، ولن نخسرها", D),
        ("l12", "location", "الأحد في اليونان، ويجيز", "اليونان", {}),
    ],
    "relations": [
        ("said_by", "q1", "a2"), ("cue", "q1", "c1"),
        ("said_by", "q2", "a3"), ("cue", "q2", "c2"),
        ("said_by", "q3", "a7"), ("cue", "q3", "c3"),
        ("said_by", "q4", "a9"), ("cue", "q4", "c4"),
        ("said_by", "q5", "a10"), ("cue", "q5", "c5"),
        ("said_by", "q6", "a10"), ("cue", "q6", "c5"),
        ("said_by", "q7", "a10"), ("cue", "q7", "c5"),
        ("said_by", "q8", "a11"), ("cue", "q8", "c6"),
    ],
}

ALWEEAM = {
    "file": "sn_22_alweeam.txt",
    "spans": [
        ("c1", "cue", "– قال مبعوث", "قال", {}),
        ("a1", "actor", "قال مبعوث الأمم المتحدة الى سوريا ستيفان دي ميستورا إن",
         "مبعوث الأمم المتحدة الى سوريا ستيفان دي ميستورا", {}),
        ("l1", "location", "الى سوريا ستيفان", "سوريا", {}),
        ("q1", "quote", "إن الغارات التي", "الغارات التي تشنها قوات النظام السوري على مدينة الزبداني "
         "تسببت بدمار وأوقعت قتلى على نطاق واسع", I),
        ("l2", "location", "مدينة الزبداني تسببت", "الزبداني", {}),
        ("c2", "cue", "ونقل دي ميستورا", "نقل", {}),
        ("a2", "actor", "عن مصادر محلية قولها", "مصادر محلية", {}),
        ("q2", "quote", "قولها إن الجيش", "الجيش السوري ألقى عددا كبيرا من البراميل المتفجرة على "
         "الزبداني مما “أوقع دمارا بمستويات لم يسبق لها مثيل وعددا كبيرا من القتلى بين السكان "
         "المدنيين", I),
        ("l3", "location", "على الزبداني مما", "الزبداني", {}),
        ("q3", "quote", "“أوقع دمارا", "أوقع دمارا بمستويات لم يسبق لها مثيل وعددا كبيرا من القتلى "
         "بين السكان المدنيين", P),
        ("l4", "location", "العاصمة دمشق", "دمشق", {}),
        ("l5", "location", "بين سوريا ولبنان", "سوريا", {}),
        ("l6", "location", "بين سوريا ولبنان", "لبنان", {}),
        ("c3", "cue", "وقال المرصد", "قال", {}),
        ("a3", "actor", "وقال المرصد السوري لحقوق الإنسان يوم", "المرصد السوري لحقوق الإنسان", {}),
        ("q4", "quote", "إن الاشتباكات العنيفة", "الاشتباكات العنيفة استمرت مساء الثلاثاء في منطقة "
         "الزبداني وسط غارات جوية عنيفة داخل وحول المدينة وتقارير عن وقوع قتلى من الجانبين", I),
        ("l7", "location", "منطقة الزبداني وسط", "الزبداني", {}),
        ("c4", "cue", "وأورد التلفزيون", "أورد", {}),
        ("a4", "actor", "وأورد التلفزيون السوري الرسمي أن", "التلفزيون السوري الرسمي", {}),
        ("q5", "quote", "“وحدة من الجيش", "وحدة من الجيش والقوات المسلحة دمرت نفقا للتنظيمات "
         "الإرهابية بطول 70 مترا وعمق مترين يمتد من سهل الزبداني باتجاه مضايا كان يستخدمه "
         "الإرهابيون للتسلل ونقل الإمدادات", P),
        ("l8", "location", "سهل الزبداني باتجاه", "الزبداني", {}),
        ("l9", "location", "باتجاه مضايا", "مضايا", {}),
        ("c5", "cue", "وقال دي ميستورا إن سلاح", "قال", {}),
        ("a5", "actor", "وقال دي ميستورا إن سلاح", "دي ميستورا", {}),
        ("q6", "quote", "إن سلاح الجو", "سلاح الجو السوري قصف مناطق في الزبداني وحولها وان مقاتلي "
         "المعارضة السنة ردوا باطلاق الصواريخ وقذائف المورتر الثقيلة على قريتين قرب مدينة إدلب في "
         "الشمال", I),
        ("l10", "location", "في الزبداني وحولها", "الزبداني", {}),
        ("l11", "location", "مدينة إدلب", "إدلب", {}),
    ],
    "relations": [
        ("said_by", "q1", "a1"), ("cue", "q1", "c1"),
        ("said_by", "q2", "a2"), ("cue", "q2", "c2"),
        ("said_by", "q3", "a2"), ("cue", "q3", "c2"),
        ("said_by", "q4", "a3"), ("cue", "q4", "c3"),
        ("said_by", "q5", "a4"), ("cue", "q5", "c4"),
        ("said_by", "q6", "a5"), ("cue", "q6", "c5"),
    ],
}

ARTICLES = (AAWSAT, ALWEEAM)


def locate(text: str, context: str, span: str) -> tuple[int, int]:
    """Offsets of ``span``, which starts inside the one occurrence of ``context``."""
    at = text.find(context)
    if at == -1 or text.find(context, at + 1) != -1:
        raise SystemExit(f"context {context!r} must occur exactly once")
    start = text.find(span, at)
    if start == -1 or start >= at + len(context):
        raise SystemExit(f"{span!r} does not start inside {context!r}")
    return start, start + len(span)


def record(article: dict) -> dict:
    path = NEWS / article["file"]
    text, _ = canonicalize(path.read_text(encoding="utf-8"))
    located = []
    for key, label, context, span, attributes in article["spans"]:
        start, end = locate(text, context, span)
        assert text[start:end] == span, (key, text[start:end], span)
        located.append((start, end, label, key, attributes))
    located.sort()
    number = {key: f"s{n}" for n, (_, _, _, key, _) in enumerate(located, start=1)}
    spans = [{"id": number[key], "start": start, "end": end, "label": label,
              "attributes": attributes}
             for start, end, label, key, attributes in located]
    relations = [{"type": kind, "head": number[head], "tail": number[tail]}
                 for kind, head, tail in sorted(article["relations"])]
    # stand-off: offsets into the corpus file's canonical text, which is not copied here (the
    # corpora stay in ../shared); the test reads the text and checks it against sha256
    return {"doc_id": path.stem, "sha256": sha256_text(text),
            "annotator": "gold", "status": "done", "spans": spans, "relations": relations,
            "meta": {"source": f"shared/corpora/news/{article['file']} (SaudiNewsNet, "
                               "CC BY-NC-SA 4.0)", "guidelines": "tests/data/gold/GUIDELINES.md"}}


if __name__ == "__main__":
    lines = [json.dumps(record(a), ensure_ascii=False) for a in ARTICLES]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(lines)} documents")
