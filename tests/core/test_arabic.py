"""Tokens with offsets, sentences, proclitics and the gazetteer."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.core.arabic import (
    CLITIC_LETTERS,
    PROCLITICS,
    Token,
    parse_gazetteer,
    sentences,
    split_proclitics,
    token_at,
    tokenize,
    word_at,
)
from annotator.core.text import is_grapheme_boundary

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_53e7616c08ffaf74.txt"
GAZETTEER = ROOT / "seeds" / "gazetteer.lst"
CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"
LONG = CORPORA / "long" / "0282AbuHanifaDinawari.AkhbarTiwal.Shamela0009760-ara1.txt"


def _corpus_texts() -> list[Path]:
    if not CORPORA.is_dir():
        return []
    return sorted(p for p in CORPORA.rglob("*") if p.is_file() and p.suffix in (".txt", ".jsonl"))


def _read(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1256")  # encodings/chardet__ude_1.txt is Windows-1256


def assert_tiles(text: str, tokens: list[Token]) -> None:
    """Tokens plus whitespace gaps rebuild the text; each token is its slice; none is empty."""
    pieces: list[str] = []
    pos = 0
    for tok in tokens:
        gap = text[pos:tok.start]
        assert gap.isspace() or gap == "", (pos, tok)
        assert tok.start < tok.end
        assert text[tok.start:tok.end] == tok.text
        assert not any(ch.isspace() for ch in tok.text), tok
        pieces += [gap, tok.text]
        pos = tok.end
    tail = text[pos:]
    assert tail.isspace() or tail == ""
    assert "".join(pieces) + tail == text


def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.text, t.kind) for t in tokenize(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("قال مُحَمَّد", [("قال", "word"), ("مُحَمَّد", "word")]),
        ("وزيـــر", [("وزيـــر", "word")]),
        ("#مصر_اليوم", [("#", "punct"), ("مصر_اليوم", "word")]),
        ("لودريان، “اتفقنا”", [("لودريان", "word"), ("،", "punct"), ("“", "punct"),
                                ("اتفقنا", "word"), ("”", "punct")]),
        ("«نعم»؟!", [("«", "punct"), ("نعم", "word"), ("»", "punct"), ("؟", "punct"),
                     ("!", "punct")]),
        ('"x" ؛ (y)', [('"', "punct"), ("x", "word"), ('"', "punct"), ("؛", "punct"),
                       ("(", "punct"), ("y", "word"), (")", "punct")]),
        ("130 ٣٬٥ ١٢٫٥ 1,000.5 ۱۲", [("130", "number"), ("٣٬٥", "number"),
                                      ("١٢٫٥", "number"), ("1,000.5", "number"),
                                      ("۱۲", "number")]),
        ("26 نونبر.", [("26", "number"), ("نونبر", "word"), (".", "punct")]),
        ("😀👍🏽", [("😀", "emoji"), ("👍🏽", "emoji")]),
        ("👨‍👩‍👧 🇫🇷🇩🇪 ❤️ 1️⃣", [("👨‍👩‍👧", "emoji"), ("🇫🇷", "emoji"), ("🇩🇪", "emoji"),
                                ("❤️", "emoji"), ("1️⃣", "emoji")]),
        ("Paris,France", [("Paris", "word"), (",", "punct"), ("France", "word")]),
        ("a\u200fb", [("a", "word"), ("\u200f", "other"), ("b", "word")]),
    ],
)
def test_tokenize_kinds(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected
    assert_tiles(text, tokenize(text))


def test_tokenize_offsets_are_code_points_after_an_emoji() -> None:
    text = "😀 قالَ فرنسا"
    tokens = tokenize(text)
    assert [(t.start, t.end, t.kind) for t in tokens] == [
        (0, 1, "emoji"), (2, 6, "word"), (7, 12, "word")
    ]


def test_tokenize_tiles_the_seed_article() -> None:
    text = SEED.read_text(encoding="utf-8")
    tokens = tokenize(text)
    assert_tiles(text, tokens)
    i = text.find("وروسيا")
    assert Token(i, i + 6, "word", "وروسيا") in tokens


@given(st.text(max_size=80))
def test_tokenize_tiles_any_text(text: str) -> None:
    assert_tiles(text, tokenize(text))


@given(st.text(alphabet=st.sampled_from("قالَُّـ 😀🏽\u200d\ufe0f🇫🇷،.«»12٣_a\n\u20e3"), max_size=60))
def test_tokens_start_and_end_on_grapheme_boundaries(text: str) -> None:
    for tok in tokenize(text):
        assert is_grapheme_boundary(text, tok.start) and is_grapheme_boundary(text, tok.end)


@pytest.mark.corpora
@pytest.mark.parametrize("path", _corpus_texts(), ids=lambda p: p.name)
def test_tokenize_tiles_every_corpus_file(path: Path) -> None:
    text = _read(path)
    assert_tiles(text, tokenize(text))


@pytest.mark.corpora
def test_corpora_present_or_skipped() -> None:
    if not _corpus_texts():
        pytest.skip("../shared/corpora is absent")


@pytest.mark.corpora
def test_tokenize_the_long_text() -> None:
    if not LONG.exists():
        pytest.skip("../shared/corpora is absent")
    text = LONG.read_text(encoding="utf-8")
    assert len(text) > 500_000
    tokens = tokenize(text)  # its speed: benchmarks/bench_core.py
    assert sum(t.text == "قال" for t in tokens) > 500


def test_token_at_and_word_at() -> None:
    text = "😀 وروسيا، قال"
    assert token_at(text, 3) == Token(2, 8, "word", "وروسيا")
    assert token_at(text, 8) == Token(8, 9, "punct", "،")
    assert token_at(text, 1) is None
    assert word_at(text, 2) == (2, 8)
    assert word_at(text, 7) == (2, 8)
    assert word_at(text, 8) == (2, 8)  # touching its end
    assert word_at(text, 9) is None
    assert word_at(text, 10) == (10, 13)
    assert word_at(text, 13) == (10, 13)
    assert word_at(text, 0) is None
    assert word_at(text, 99) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("أهلا. كيف حالك؟ بخير!", ["أهلا.", "كيف حالك؟", "بخير!"]),
        ("سطر أول\n\n  سطر ثان  ", ["سطر أول", "سطر ثان"]),
        ("الرقم 3.5 جيد… نعم", ["الرقم 3.5 جيد…", "نعم"]),
        ("قال “نعم.” ثم ذهب", ["قال “نعم.”", "ثم ذهب"]),
        ("  \n \n", []),
        ("", []),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert [text[a:b] for a, b in sentences(text)] == expected


def test_sentences_on_the_seed_start_with_the_title() -> None:
    text = SEED.read_text(encoding="utf-8")
    spans = sentences(text)
    assert text[slice(*spans[0])] == "فرنسا وروسيا تعلنان التعاون بشأن تنظيم الدولة"
    assert text[slice(*spans[-1])] == "Top"
    for a, b in spans:
        assert a < b and not text[a].isspace() and not text[b - 1].isspace()


def test_proclitic_combinations() -> None:
    assert CLITIC_LETTERS == "وفبلك"
    assert set(PROCLITICS) == {"و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك"}


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("وروسيا", [("و", "روسيا")]),
        ("وبالقاهرة", [("و", "بالقاهرة"), ("وب", "القاهرة")]),
        ("للصحافيين", [("ل", "لصحافيين")]),
        ("فرنسا", [("ف", "رنسا")]),
        ("وزير", [("و", "زير")]),
        ("وَروسيا", [("وَ", "روسيا")]),
        ("ول", []),
        ("وله", [("و", "له")]),
        ("قال", []),
        ("لبنان", [("ل", "بنان"), ]),
    ],
)
def test_split_proclitics(word: str, expected: list[tuple[str, str]]) -> None:
    assert split_proclitics(word) == expected


def test_parse_gazetteer_skips_comments_and_blank_lines() -> None:
    names = parse_gazetteer("\ufeff# countries\nروسيا\n\n  فرنسا  # France\nالولايات   المتحدة\n")
    assert names == frozenset({"روسيا", "فرنسا", "الولايات المتحدة"})


def test_seed_gazetteer_has_countries_and_capitals() -> None:
    names = parse_gazetteer(GAZETTEER.read_text(encoding="utf-8"))
    assert len(names) >= 200
    assert {"روسيا", "فرنسا", "سوريا", "موسكو", "باريس", "القاهرة", "ألمانيا"} <= names


@given(st.text(alphabet=st.sampled_from("وروسيا َ😀\u200d🇫،.1_"), max_size=30), st.data())
def test_token_at_agrees_with_tokenize(text: str, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(text)))
    containing = [t for t in tokenize(text) if t.start <= i < t.end]
    assert token_at(text, i) == (containing[0] if containing else None)
