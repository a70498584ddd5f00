"""Snapping raw selections to clean spans, on the real seed article.

Every case runs twice: on the text as it is, and with an emoji and a vowelled word put before it,
to show that offsets stay code points (DESIGN invariant 3).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.core.arabic import parse_gazetteer
from annotator.core.snap import SnapResult, snap
from annotator.core.text import Utf16Map, is_grapheme_boundary

ROOT = Path(__file__).resolve().parents[2]
SEED_TEXT = (ROOT / "seeds" / "000_53e7616c08ffaf74.txt").read_text(encoding="utf-8")
GAZETTEER = parse_gazetteer((ROOT / "seeds" / "gazetteer.lst").read_text(encoding="utf-8"))
EMOJI_PREFIX = "😀 كَتَبَ "
PREFIXES = pytest.mark.parametrize("prefix", ["", EMOJI_PREFIX], ids=["plain", "emoji"])

SEED = "seed"
ACTOR, QUOTE, CUE = "strip", "keep", "conj"  # the clitic rules the schema gives these labels

# (id, text, anchor, selection relative to the anchor, clitic rule, known_names,
#  expected span relative to the anchor, expected text)
CASES = [
    ("waw-before-known-name", SEED, "وروسيا", (0, 6), ACTOR, {"روسيا"}, (1, 6), "روسيا"),
    ("waw-before-name-in-gazetteer", SEED, "وروسيا", (0, 6), ACTOR, GAZETTEER, (1, 6), "روسيا"),
    ("feh-of-faransa-is-a-letter", SEED, "فرنسا", (0, 5), ACTOR, {"روسيا"}, (0, 5), "فرنسا"),
    ("faransa-with-gazetteer", SEED, "فرنسا", (0, 5), ACTOR, GAZETTEER, (0, 5), "فرنسا"),
    ("wazir-phrase-unchanged", SEED, "وزير الدفاع الفرنسي جان إيف لودريان", (0, 35), ACTOR,
     GAZETTEER, (0, 35), "وزير الدفاع الفرنسي جان إيف لودريان"),
    ("beh-before-article", "وصل الوزير بالقاهرة أمس", "بالقاهرة", (0, 8), ACTOR, (), (1, 8),
     "القاهرة"),
    ("waw-beh-before-article", "وصل الوزير وبالقاهرة أمس", "وبالقاهرة", (0, 9), ACTOR, (),
     (2, 9), "القاهرة"),
    ("waw-before-article", "قال والرئيس الروسي إن", "والرئيس الروسي", (0, 14), ACTOR, (),
     (1, 14), "الرئيس الروسي"),
    ("lam-lam-drops-one-lam", SEED, "للصحافيين", (0, 9), ACTOR, (), (1, 9), "لصحافيين"),
    ("quote-marks-trimmed", SEED, "“التفاصيل العسكرية”", (0, 19), QUOTE, (), (1, 18),
     "التفاصيل العسكرية"),
    ("quote-keeps-clitics", "وصل الوزير بالقاهرة أمس", "بالقاهرة", (0, 8), QUOTE, (), (0, 8),
     "بالقاهرة"),
    ("comma-and-space-trimmed", "قال لودريان، ثم غادر", "لودريان، ", (0, 9), ACTOR, (), (0, 7),
     "لودريان"),
    ("comma-after-location-trimmed", SEED, "سوريا، بينما", (0, 7), ACTOR, GAZETTEER, (0, 5),
     "سوريا"),
    ("end-inside-word-expands", SEED, "موسكو", (0, 4), ACTOR, GAZETTEER, (0, 5), "موسكو"),
    ("start-inside-word-expands", SEED, "لودريان أول", (2, 7), ACTOR, (), (0, 7), "لودريان"),
    ("start-between-letter-and-damma", "قال مُحَمَّد إن", "مُحَمَّد", (1, 8), ACTOR, (), (0, 8),
     "مُحَمَّد"),
    ("end-between-letter-and-shadda", "قال مُحَمَّد إن", "مُحَمَّد", (0, 5), ACTOR, (), (0, 8),
     "مُحَمَّد"),
    ("waw-before-two-word-name", "زار وسان مارينو أمس", "وسان مارينو", (0, 11), ACTOR, GAZETTEER,
     (1, 11), "سان مارينو"),
    ("known-name-with-hamza-and-harakat", "زار وَأَلمانيا أمس", "وَأَلمانيا", (0, 10), ACTOR,
     {"المانيا"}, (2, 10), "أَلمانيا"),
    ("start-after-waw-stays", SEED, "وروسيا", (1, 6), ACTOR, GAZETTEER, (1, 6), "روسيا"),
    ("start-after-waw-expands-for-quote", SEED, "وروسيا", (1, 6), QUOTE, GAZETTEER, (0, 6),
     "وروسيا"),
    ("start-after-beh-before-article-expands-for-quote", "وصل الوزير بالقاهرة أمس", "بالقاهرة",
     (1, 8), QUOTE, (), (0, 8), "بالقاهرة"),
    ("start-after-beh-before-article-stays-for-actor", "وصل الوزير بالقاهرة أمس", "بالقاهرة",
     (1, 8), ACTOR, (), (1, 8), "القاهرة"),
    # issue 10: a drag one letter late in للخطر is not a clitic for a quote
    ("quote-late-start-in-lil-snaps-back", SEED, "للخطر الإرهابي", (1, 14), QUOTE, GAZETTEER,
     (0, 14), "للخطر الإرهابي"),
    ("quote-late-start-in-lil-one-word", SEED, "للخطر", (1, 5), QUOTE, (), (0, 5), "للخطر"),
    # issue 10: cue leaves out the conjunction only
    ("cue-drops-waw", SEED, "وقال لودريان", (0, 4), CUE, GAZETTEER, (1, 4), "قال"),
    ("cue-drops-waw-of-adaf", SEED, "وأضاف أن", (0, 5), CUE, (), (1, 5), "أضاف"),
    ("cue-drops-feh", "ثم فأضاف الوزير", "فأضاف", (0, 5), CUE, (), (1, 5), "أضاف"),
    ("cue-start-after-waw-stays", SEED, "وقال لودريان", (1, 4), CUE, (), (1, 4), "قال"),
    ("cue-keeps-lam", "قال لمراسلنا", "لمراسلنا", (0, 8), CUE, (), (0, 8), "لمراسلنا"),
    ("cue-keeps-beh-before-article", "وصل الوزير بالقاهرة أمس", "بالقاهرة", (0, 8), CUE, (),
     (0, 8), "بالقاهرة"),
    ("cue-waw-of-a-two-letter-rest-is-a-root-letter", "وصف الوزير الوضع", "وصف", (0, 3), CUE, (),
     (0, 3), "وصف"),
    ("cue-wafaqa-is-a-word", "وافق الوزير", "وافق", (0, 4), CUE, (), (0, 4), "وافق"),
    ("cue-late-start-in-a-verb-expands", "ثم أوضح الوزير", "أوضح", (1, 4), CUE, (), (0, 4), "أوضح"),
    # issue 10: actors leave out a clitic before a word that is clearly a word of its own
    ("actor-lam-before-wakala", "قال مصدر لوكالة الصحافة الفرنسية إن", "لوكالة الصحافة الفرنسية",
     (0, 23), ACTOR, GAZETTEER, (1, 23), "وكالة الصحافة الفرنسية"),
    ("actor-waw-before-shuhud", "قال صحافيون وشهود فلسطينيون إن", "وشهود فلسطينيون", (0, 15), ACTOR,
     GAZETTEER, (1, 15), "شهود فلسطينيون"),
    ("actor-start-after-waw-of-shuhud-stays", "قال صحافيون وشهود فلسطينيون إن", "وشهود",
     (1, 5), ACTOR, (), (1, 5), "شهود"),
    ("actor-lubnan-keeps-lam", "زار الوزير لبنان أمس", "لبنان", (0, 5), ACTOR, (), (0, 5), "لبنان"),
    ("actor-wazir-keeps-waw", SEED, "وزير الدفاع", (0, 11), ACTOR, (), (0, 11), "وزير الدفاع"),
    ("actor-kamal-keeps-kaf", "قال كمال إن", "كمال", (0, 4), ACTOR, (), (0, 4), "كمال"),
    ("actor-wali-keeps-waw", "قال ولي العهد إن", "ولي العهد", (0, 9), ACTOR, (), (0, 9),
     "ولي العهد"),
    ("start-one-letter-late-in-a-name-expands", SEED, "لودريان أول", (1, 7), ACTOR, GAZETTEER,
     (0, 7), "لودريان"),
    ("start-after-waw-of-a-verb-expands", SEED, "وقال لودريان", (1, 4), QUOTE, GAZETTEER, (0, 4),
     "وقال"),
    ("title-two-words", SEED, "فرنسا وروسيا تعلنان", (0, 12), ACTOR, GAZETTEER, (0, 12),
     "فرنسا وروسيا"),
    ("reversed-drag-is-swapped", SEED, "موسكو", (5, 0), ACTOR, (), (0, 5), "موسكو"),
    ("number-expands", SEED, "130 شخصا", (1, 2), QUOTE, (), (0, 3), "130"),
]


def _locate(source: str, anchor: str, prefix: str) -> tuple[str, int]:
    text = prefix + (SEED_TEXT if source == SEED else source)
    at = text.find(anchor)
    assert at != -1, anchor
    return text, at


@PREFIXES
@pytest.mark.parametrize(
    ("source", "anchor", "selection", "rule", "known", "span", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_snap_table(
    prefix: str,
    source: str,
    anchor: str,
    selection: tuple[int, int],
    rule: str,
    known: set[str] | frozenset[str] | tuple[()],
    span: tuple[int, int],
    expected: str,
) -> None:
    text, at = _locate(source, anchor, prefix)
    result = snap(text, at + selection[0], at + selection[1], clitics=rule, known_names=known)
    assert result == SnapResult(at + span[0], at + span[1], expected)
    assert text[result.start:result.end] == expected


def test_seed_offsets_are_exact() -> None:
    """Absolute offsets in the seed, to catch any drift of the fixture itself."""
    text = SEED_TEXT
    result = snap(text, 6, 12, strip_clitics=True, known_names={"روسيا"})
    assert result == SnapResult(7, 12, "روسيا")
    assert snap(text, 0, 5, strip_clitics=True) == SnapResult(0, 5, "فرنسا")


@PREFIXES
def test_snap_offsets_are_code_points_not_utf16(prefix: str) -> None:
    text, at = _locate(SEED, "وروسيا", prefix)
    result = snap(text, at, at + 6, strip_clitics=True, known_names=GAZETTEER)
    assert result is not None and result.text == "روسيا"
    umap = Utf16Map(text)
    if prefix:
        assert umap.to_utf16(result.start) == result.start + 1  # one emoji before the span
    assert umap.to_codepoint(umap.to_utf16(result.start)) == result.start


@PREFIXES
@pytest.mark.parametrize(
    ("source", "anchor", "selection"),
    [
        (SEED, "من جهته، أوضح", (7, 9)),  # "، "
        (SEED, "” الجماعات", (0, 2)),  # a closing quote and a space
        (SEED, "(تنظيم", (0, 1)),
        (SEED, "وروسيا", (3, 3)),  # nothing selected
        ("قال « » ثم", "« »", (0, 3)),
        ("قال  ، ؛ ؟ ! . : “ ” \" ' ثم", "  ، ؛ ؟ ! . : “ ” \" '", (0, 21)),
    ],
)
def test_snap_of_only_spaces_or_punctuation_is_none(
    prefix: str, source: str, anchor: str, selection: tuple[int, int]
) -> None:
    text, at = _locate(source, anchor, prefix)
    for rule in ("strip", "conj", "keep"):
        assert snap(text, at + selection[0], at + selection[1], clitics=rule) is None


def test_snap_clamps_to_the_text() -> None:
    text = "😀 روسيا"
    assert snap(text, -10, 100, strip_clitics=False) == SnapResult(0, 7, "😀 روسيا")
    assert snap(text, 2, 100, strip_clitics=False) == SnapResult(2, 7, "روسيا")
    assert snap("", 0, 5, strip_clitics=True) is None


def test_snap_never_splits_an_emoji_cluster() -> None:
    text = "قال 👨‍👩‍👧 هنا"
    assert snap(text, 5, 7, strip_clitics=False) == SnapResult(4, 9, "👨‍👩‍👧")


@given(st.data())
def test_snap_result_is_consistent_on_the_seed(data: st.DataObject) -> None:
    text = EMOJI_PREFIX + SEED_TEXT[:400]
    start = data.draw(st.integers(-2, len(text) + 2))
    end = data.draw(st.integers(-2, len(text) + 2))
    rule = data.draw(st.sampled_from(["strip", "conj", "keep"]))
    result = snap(text, start, end, clitics=rule, known_names=GAZETTEER)
    if result is None:
        return
    assert 0 <= result.start < result.end <= len(text)
    assert text[result.start:result.end] == result.text
    assert result.text == result.text.strip()
    assert is_grapheme_boundary(text, result.start) and is_grapheme_boundary(text, result.end)
    again = snap(text, result.start, result.end, clitics=rule, known_names=GAZETTEER)
    assert again == result


def test_strip_clitics_keyword_still_means_strip_or_keep() -> None:
    text = "😀 وروسيا"
    assert snap(text, 2, 8, strip_clitics=True, known_names={"روسيا"}) == SnapResult(3, 8, "روسيا")
    assert snap(text, 2, 8, strip_clitics=False, known_names={"روسيا"}) == SnapResult(2, 8, "وروسيا")
    assert snap(text, 2, 8, strip_clitics=True, clitics="strip") == snap(text, 2, 8, clitics="strip")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"clitics": "drop"}, "clitics must be one of ['strip', 'conj', 'keep'], not 'drop'"),
    ({"clitics": "conj", "strip_clitics": True}, "strip_clitics=True contradicts clitics='conj'"),
])
def test_unknown_or_contradictory_rule_is_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as info:
        snap("😀 وقال", 2, 6, **kwargs)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_an_empty_word_list_strips_only_by_names_and_article() -> None:
    from annotator.core.suggest.words import WordFrequencies

    text = "😀 قال مصدر لوكالة الأنباء"
    at = text.index("لوكالة")
    assert snap(text, at, at + 6, clitics="strip", words=WordFrequencies()) == \
        SnapResult(at, at + 6, "لوكالة")
    assert snap(text, at, at + 6, clitics="strip") == SnapResult(at + 1, at + 6, "وكالة")


def test_default_schema_gives_cue_the_conjunction_rule() -> None:
    from annotator.core.errors import ValidationError
    from annotator.core.schema import CLITIC_RULES, load_schema, parse_schema

    schema = load_schema(ROOT / "seeds" / "schema.toml")
    rules = {label.name: label.clitic_rule for label in schema.labels}
    assert rules == {"quote": "keep", "actor": "strip", "location": "strip", "cue": "conj"}
    assert CLITIC_RULES == ("strip", "conj", "keep")
    assert not schema.label("cue").strips_clitics
    bad = schema.source_text.replace('clitics = "conj"', 'clitics = "conjunctions"')
    with pytest.raises(ValidationError, match="conjunctions"):
        parse_schema(bad)
