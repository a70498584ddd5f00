"""Canonical text, hashes, UTF-16 offsets and grapheme boundaries."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.core.text import (
    Utf16Map,
    canonicalize,
    grapheme_end,
    grapheme_start,
    is_grapheme_boundary,
    sha256_text,
)

CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"
LONG = CORPORA / "long" / "0282AbuHanifaDinawari.AkhbarTiwal.Shamela0009760-ara1.txt"
EMOJI_TEXT = "😀 قال مُحَمَّد 👍🏽 إن 🇫🇷 فرنسا 👨‍👩‍👧 و𝕏 روسيا ❤️ 1️⃣ end"


def _utf16(text: str, i: int) -> int:
    return len(text[:i].encode("utf-16-le")) // 2


@pytest.mark.parametrize(
    ("raw", "nfc", "text", "steps"),
    [
        ("\ufeffقال\r\nأن", False, "قال\nأن", ("strip-bom", "crlf-to-lf")),
        ("a\rb\r\nc", False, "a\nb\nc", ("crlf-to-lf", "cr-to-lf")),
        ("plain\n", False, "plain\n", ()),
        ("e\u0301", True, "\u00e9", ("nfc",)),
        ("e\u0301", False, "e\u0301", ()),
        ("already\u00e9", True, "already\u00e9", ()),
        ("x\ufeffy", False, "x\ufeffy", ()),  # only a leading BOM is stripped
    ],
)
def test_canonicalize_records_only_steps_that_changed_something(
    raw: str, nfc: bool, text: str, steps: tuple[str, ...]
) -> None:
    assert canonicalize(raw, nfc=nfc) == (text, steps)


def test_canonicalize_leaves_harakat_alone_without_nfc() -> None:
    raw = "مُحَمَّد"
    assert canonicalize(raw) == (raw, ())


def test_sha256_text_hashes_utf8_bytes() -> None:
    text = "فرنسا 😀"
    assert sha256_text(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_utf16_map_round_trips_every_offset_of_an_emoji_text() -> None:
    umap = Utf16Map(EMOJI_TEXT)
    assert umap.utf16_length == _utf16(EMOJI_TEXT, len(EMOJI_TEXT))
    for i in range(len(EMOJI_TEXT) + 1):
        u = umap.to_utf16(i)
        assert u == _utf16(EMOJI_TEXT, i)
        assert umap.to_codepoint(u) == i


def test_utf16_map_agrees_with_encoding_on_random_positions() -> None:
    rng = random.Random(7)
    alphabet = ["ا", "ب", "َ", " ", "😀", "🏽", "\u200d", "𝕏", "a"]
    text = "".join(rng.choice(alphabet) for _ in range(5000))
    umap = Utf16Map(text)
    for i in rng.sample(range(len(text) + 1), 500):
        assert umap.to_utf16(i) == _utf16(text, i)


def test_utf16_map_rejects_offsets_inside_a_surrogate_pair_or_out_of_range() -> None:
    umap = Utf16Map("a😀b")  # a=0, 😀=1..2 in UTF-16, b=3
    assert [umap.to_codepoint(u) for u in (0, 1, 3, 4)] == [0, 1, 2, 3]
    for bad in (2, -1, 5):
        with pytest.raises(ValueError):
            umap.to_codepoint(bad)
    for bad in (-1, 4):
        with pytest.raises(ValueError):
            umap.to_utf16(bad)


@given(st.text(alphabet=st.sampled_from("اب َ😀𝕏a\u200d"), max_size=60), st.data())
def test_utf16_map_matches_encoding_property(text: str, data: st.DataObject) -> None:
    umap = Utf16Map(text)
    i = data.draw(st.integers(0, len(text)))
    assert umap.to_utf16(i) == _utf16(text, i)
    assert umap.to_codepoint(umap.to_utf16(i)) == i


@pytest.mark.corpora
def test_utf16_map_on_the_long_corpus_text() -> None:
    if not LONG.exists():
        pytest.skip("../shared/corpora is absent")
    text = "😀" + LONG.read_text(encoding="utf-8") + "🇫🇷"
    umap = Utf16Map(text)  # its speed: benchmarks/bench_core.py
    for i in range(0, len(text), 9_973):
        assert umap.to_utf16(i) == _utf16(text, i)
    assert umap.to_utf16(len(text)) == _utf16(text, len(text))


@pytest.mark.parametrize(
    ("text", "inside"),
    [
        ("مُحَمَّد", (1, 3, 5, 6)),  # after م, ح, م, ّ: a haraka follows
        ("قالَ", (3,)),
        ("a\u0301b", (1,)),
        ("👍🏽", (1,)),  # skin-tone modifier
        ("❤️", (1,)),  # variation selector
        ("👨‍👩‍👧", (1, 2, 3, 4)),  # ZWJ joins both sides
        ("🇫🇷🇩🇪", (1, 3)),  # regional-indicator pairs
        ("x\r\ny", (2,)),
    ],
)
def test_grapheme_boundaries_never_split_a_cluster(text: str, inside: tuple[int, ...]) -> None:
    for i in range(len(text) + 1):
        assert is_grapheme_boundary(text, i) is (i not in inside), i


@pytest.mark.parametrize(
    ("text", "boundary"),
    [("🇫🇷🇩🇪", 2), ("قال مُحَمَّد", 4), ("ab", 1), ("\n\u064e", 1)],
)
def test_grapheme_boundary_between_clusters(text: str, boundary: int) -> None:
    assert is_grapheme_boundary(text, boundary)


def test_grapheme_start_and_end_move_to_the_nearest_boundary() -> None:
    text = "😀 مُحَمَّد"
    # م at 2, damma at 3, ح at 4, fatha 5, م 6, shadda 7, fatha 8, د 9
    assert grapheme_start(text, 3) == 2
    assert grapheme_end(text, 3) == 4
    assert grapheme_start(text, 8) == 6
    assert grapheme_end(text, 7) == 9
    assert grapheme_start(text, 4) == grapheme_end(text, 4) == 4
    assert grapheme_start(text, -5) == 0
    assert grapheme_end(text, 99) == len(text)


def test_is_grapheme_boundary_rejects_out_of_range() -> None:
    with pytest.raises(ValueError):
        is_grapheme_boundary("ab", 3)
    assert is_grapheme_boundary("", 0)


def test_the_stored_mark_ranges_are_the_scanned_ones() -> None:
    """The combining-mark class kept in the source (start-up need not scan 130,000 code points)
    is what scanning Python's Unicode data gives; another Unicode version scans."""
    import unicodedata

    from annotator.core import text

    assert text._mark_ranges() == text._scan_marks()
    if unicodedata.unidata_version == text._MARKS_UNIDATA:
        assert text._mark_ranges() is text._MARKS
    assert "\u064b-\u065f" in text._scan_marks()     # the Arabic harakat


def test_plain_says_where_no_character_is_outside_the_bmp() -> None:
    text = "قال 😀 في موسكو 👍🏽."
    umap = Utf16Map(text)
    emoji = text.index("😀")
    assert umap.plain(0, emoji) and not umap.plain(0, emoji + 1)
    assert umap.plain(emoji + 1, text.index("👍"))
    assert not umap.plain(emoji, emoji + 1) and umap.plain(len(text) - 1, len(text))
    # where plain, UTF-16 offsets are the code points shifted by the same number
    start = emoji + 1
    assert all(umap.to_utf16(x) - umap.to_utf16(start) == x - start
               for x in range(start, text.index("👍") + 1))
