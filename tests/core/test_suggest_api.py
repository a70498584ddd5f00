"""suggest(): the API the service calls, its invariants on real and generated text, and resources."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import annotator.core.suggest as suggest_module
from annotator.core.suggest import (
    SUGGESTERS,
    Suggestions,
    default_resources,
    load_resources,
    suggest,
)
from annotator.core.suggest.words import WordFrequencies, parse_words, word_key
from annotator.core.text import is_grapheme_boundary
from tests.core.suggest_helpers import PREFIX

ROOT = Path(__file__).resolve().parents[2]
SEED = (ROOT / "seeds" / "000_53e7616c08ffaf74.txt").read_text(encoding="utf-8")
BIDI = "\u200e\u200f\u061c\u202a\u202b\u202c\u2066\u2067\u2069"


def check_invariants(text: str, result: Suggestions) -> None:
    keys = [s.key for s in result.spans]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    for s in result.spans:
        assert 0 <= s.start < s.end <= len(text)
        assert is_grapheme_boundary(text, s.start) and is_grapheme_boundary(text, s.end)
        for edge in (text[s.start], text[s.end - 1]):
            assert not edge.isspace() and edge not in BIDI
        assert s.suggester in SUGGESTERS and 0.0 <= s.confidence <= 1.0
        assert s.label in ("quote", "actor", "location", "cue")
        if s.suggester == "quotes":
            assert s.attributes["kind"] in ("direct", "indirect", "partial")
        else:
            assert dict(s.attributes) == {}
    rels = [(r.type, r.head, r.tail) for r in result.relations]
    assert rels == sorted(set(rels))
    for r in result.relations:
        head, tail = result.spans[r.head], result.spans[r.tail]
        assert head.label == "quote"
        assert tail.label == {"said_by": "actor", "cue": "cue"}[r.type]


def test_docstring_example() -> None:
    assert doctest.testmod(suggest_module, raise_on_error=True).attempted == 2


def test_all_suggesters_on_the_seed_article() -> None:
    text = PREFIX + SEED
    result = suggest(text)
    check_invariants(text, result)
    by = {name: sum(1 for s in result.spans if s.suggester == name) for name in SUGGESTERS}
    assert by["quotes"] >= 15 and by["cues"] >= 10 and by["speakers"] >= 5 and by["places"] >= 15
    said = {text[result.spans[r.tail].start:result.spans[r.tail].end]
            for r in result.relations if r.type == "said_by"}
    assert {"لودريان", "شويغو", "بوتين", "هولاند"} <= said


def test_only_runs_the_named_suggesters() -> None:
    text = PREFIX + SEED
    every = suggest(text)
    for name in SUGGESTERS[:4]:
        alone = suggest(text, only=[name])
        assert {s.suggester for s in alone.spans} == {name}
        assert {s.key for s in alone.spans} <= {s.key for s in every.spans}
    assert suggest(text, only=[]).spans == ()


def test_relations_need_both_ends() -> None:
    text = PREFIX + "وقال الوزير: «لن نتراجع عن القرار»."
    assert suggest(text, only=["cues", "speakers"]).relations == ()
    both = suggest(text, only=["quotes", "cues"])
    assert [(r.type, both.spans[r.head].label, both.spans[r.tail].label)
            for r in both.relations] == [("cue", "quote", "cue")]


def test_the_most_confident_suggester_wins_a_shared_span() -> None:
    text = PREFIX + "وقال الوزير: «لن نتراجع»."
    result = suggest(text, only=["speakers", "propagate"], known={"الوزير": "actor"})
    (actor,) = result.spans
    assert (actor.suggester, actor.confidence) == ("speakers", 0.8)


def test_unknown_suggester_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^unknown suggester 'people'; one of \['quotes'"):
        suggest("قال", only=["quotes", "people"])


def test_empty_and_markless_texts() -> None:
    assert suggest("") == Suggestions((), ())
    assert suggest("😀 \u200f \n\n").spans == ()


_PIECES = st.sampled_from([
    "وقال", "الوزير", "لودريان", "إن", "أن", ":", "،", ".", "«", "»", "“", "”", "\"", " ", " ",
    "\n", "😀", "👨‍👩‍👧", "\u200f", "موسكو", "وروسيا", "في", "مدينة", "سنداغما", "موضحا", "قَالَ",
    "الإرهاب", "لن", "نتراجع", "أبدا", "ﻻ", "\u0651",
])


@settings(derandomize=True, max_examples=80, deadline=None)
@given(st.lists(_PIECES, max_size=40))
def test_invariants_hold_on_generated_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    check_invariants(text, suggest(text, known={"لودريان": "actor", "نتراجع": "quote"}))


def test_resources_are_read_once_and_missing_files_give_empty_ones(tmp_path: Path) -> None:
    assert load_resources(ROOT / "seeds") is default_resources() or \
        load_resources(ROOT / "seeds") is load_resources(ROOT / "seeds")
    empty = load_resources(tmp_path)
    assert len(empty.words) == 0 and len(empty.gazetteer) == 0 and not empty.cues
    assert empty.clitic_rules["cue"] == "conj"
    assert suggest("وقال الوزير: «لن نتراجع عن هذا القرار»", resources=empty).spans[0].label \
        == "quote"


def test_a_malformed_seed_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "gazetteer.lst").write_text("روسيا\n# kind: planet\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"gazetteer.lst:2: kind must be one of"):
        load_resources(tmp_path)


def test_word_list_format_and_clitic_decision() -> None:
    words = parse_words("# c\n@5.0\nوكالة\nقال\n@4.3\nلوكالة\n@3.2\nبنان\n@5.3\nلبنان\n")
    assert words.zipf("وَكالة") == 5.0 and words.zipf("غائب") == 0.0
    assert words.is_clitic("ل", "وكالة") and not words.is_clitic("ل", "بنان")
    assert not words.is_clitic("و", "لي")  # a rest under three letters is no evidence
    assert word_key("أَإِآ") == "ااا" and WordFrequencies().is_clitic("ل", "وكالة") is False
    with pytest.raises(ValueError, match=r"^w.lst:1: expected '@<zipf>' before words"):
        parse_words("وكالة\n", path="w.lst")
    with pytest.raises(ValueError, match=r"^w.lst:2: not a frequency: '@high'"):
        parse_words("# x\n@high\n", path="w.lst")


def test_shipped_word_list_is_small_and_decides_the_issue_cases() -> None:
    assert (ROOT / "seeds" / "words_ar.lst").stat().st_size < 400_000
    words = default_resources().words
    assert words.is_clitic("ل", "وكالة") and words.is_clitic("و", "شهود")
    assert not words.is_clitic("ل", "بنان") and not words.is_clitic("و", "زير")
