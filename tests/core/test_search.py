"""Normalized search whose hits map back to code-point offsets of the original text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.search import SearchIndex, normalize
from annotator.core.text import is_grapheme_boundary

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_53e7616c08ffaf74.txt"
CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"
LONG = CORPORA / "long" / "0282AbuHanifaDinawari.AkhbarTiwal.Shamela0009760-ara1.txt"
DIACRITIZED = CORPORA / "diacritized" / "tashkeela_aljazeera-2016-12-29.b.txt"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("أإآٱا", "ااااا"),
        ("مستشفى", "مستشفي"),
        ("الدولة", "الدوله"),
        ("مؤتمر", "موتمر"),
        ("رئيس", "رييس"),
        ("مُحَمَّدٌ", "محمد"),
        ("وزيـــر", "وزير"),
        ("ٱلرَّحْمَٰن", "الرحمن"),
        ("\ufefb\ufef7\ufef5", "لالالا"),
        ("Paris PARIS", "paris paris"),
        ("ا\u0654", "ا"),  # decomposed hamza above is a mark too
        ("ء", "ء"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_index_maps_every_normalized_char_to_its_source() -> None:
    text = "😀 \ufefbمُحَمَّد"
    index = SearchIndex(text)
    assert index.normalized == "😀 لامحمد"
    sources = [index.source_offset(n) for n in range(len(index.normalized))]
    assert sources == [0, 1, 2, 2, 3, 5, 7, 10]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("اتفقنا", "اتفقنا"),
        ("الاسلامية", "الإسلامية"),
        ("الاسلاميه", "الإسلامية"),
        ("روسيا", "روسيا"),
        ("Related", "Related"),
        ("related POSTS", "Related posts"),
    ],
)
def test_find_on_the_seed(query: str, found: str) -> None:
    text = SEED.read_text(encoding="utf-8")
    hits = SearchIndex(text).find(query)
    assert hits
    assert text[slice(*hits[0])] == found
    assert hits[0][0] == text.find(found)


def test_find_every_hit_left_to_right() -> None:
    text = SEED.read_text(encoding="utf-8")
    hits = SearchIndex(text).find("موسكو")
    expected, i = [], text.find("موسكو")
    while i != -1:
        expected.append((i, i + 5))
        i = text.find("موسكو", i + 1)
    assert hits == expected and len(hits) >= 5


@pytest.mark.parametrize("prefix", ["", "😀 ", "👨‍👩‍👧 🇫🇷 "])
def test_find_extends_over_trailing_harakat_with_code_point_offsets(prefix: str) -> None:
    text = prefix + "قالَ مُحَمَّدٌ: إنَّ الأمرَ"
    index = SearchIndex(text)
    start = len(prefix)
    assert index.find("قال") == [(start, start + 4)]  # قالَ: 4 code points
    assert index.find("محمد") == [(start + 5, start + 14)]  # مُحَمَّدٌ: 9 code points
    assert index.find("ان الامر") == [(start + 16, start + 27)]
    assert text[start + 16:start + 27] == "إنَّ الأمرَ"


def test_find_covers_a_ligature_whole_and_never_half_of_it() -> None:
    text = "😀 \ufefb بد"  # ﻻ
    index = SearchIndex(text)
    assert index.find("لا") == [(2, 3)]
    assert index.find("ا") == []
    assert index.find("") == []
    assert index.find("َ") == []  # a query of harakat only normalizes to nothing


@given(
    st.text(alphabet=st.sampled_from("اأإآىيةهؤوئـَُِّْٰ\ufefb\ufef7 لمحدAaBb😀🏽"), max_size=50),
    st.text(alphabet=st.sampled_from("اأىةؤئـَلمحدaB"), min_size=1, max_size=4),
)
@settings(max_examples=300)
def test_every_hit_normalizes_to_the_query(text: str, query: str) -> None:
    index = SearchIndex(text)
    previous_end = 0
    for start, end in index.find(query):
        assert normalize(text[start:end]) == normalize(query)
        assert is_grapheme_boundary(text, start) and is_grapheme_boundary(text, end)
        assert start >= previous_end
        previous_end = end


@pytest.mark.corpora
def test_index_finds_every_hit_in_the_long_text() -> None:
    if not LONG.exists():
        pytest.skip("../shared/corpora is absent")
    text = LONG.read_text(encoding="utf-8")
    index = SearchIndex(text)  # its speed: benchmarks/bench_core.py
    hits = index.find("قال")
    assert len(hits) > 1500
    assert all(normalize(text[a:b]) == "قال" for a, b in hits)


@pytest.mark.corpora
def test_find_in_fully_vowelled_text_keeps_the_harakat_in_the_hit() -> None:
    if not DIACRITIZED.exists():
        pytest.skip("../shared/corpora is absent")
    text = DIACRITIZED.read_text(encoding="utf-8")
    hits = SearchIndex(text).find("الرئيس")
    assert hits
    for a, b in hits:
        assert normalize(text[a:b]) == "الرييس"
        assert text[a:b] != "الرئيس"  # the vowelled source, harakat included
        assert b == len(text) or normalize(text[b]) != ""
