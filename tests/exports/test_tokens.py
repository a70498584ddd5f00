"""Token and tag logic shared by the token formats: tokens, clitic cuts, spans -> tags -> spans."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.arabic import tokenize
from annotator.core.model import AnnotationSet, Document, SetKind, Span
from annotator.exports.base import ExportReport
from annotator.exports.tag_decode import TagError, decode, detect_scheme, split_tag
from annotator.exports.tokens import (
    clitic_cuts,
    clitic_tokens,
    conll_sentences,
    tag_document,
    tag_sequence,
    whole_tokens,
)
from tests.conftest import SEED_ARTICLE

TEXT = "😀 قالَ وزيرُ الدفاع وبالقاهرة: «سنعود». وإسرائيل"


def _doc(text: str = TEXT, meta: dict | None = None) -> Document:
    return Document(external_id="d1", title="t", text=text, sha256="x", meta=meta or {})


def _span(word: str, label: str, span_id: int, text: str = TEXT, occurrence: int = 0) -> Span:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(word, start + 1)
    return Span(start, start + len(word), label, word, id=span_id)


def _set(*spans: Span) -> AnnotationSet:
    return AnnotationSet(document_id=1, owner="gold", kind=SetKind.GOLD, spans=spans)


def _rows(sentences) -> list[list[tuple[str, tuple[str, ...]]]]:
    return [list(zip(s.tokens, s.tags)) for s in sentences]


# -- tokens ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    TEXT,
    "👩‍👩‍👧 عائلة 🇸🇦 العلم! 1️⃣ أولاً، و٣٫٥ ملايين",
    "كَتَبَ الطالبُ الدرسَ ـــ جيداً؟ نعم… «قال» (هو) wordـ",
    "a\u200fb \u200fمن\u200f500\u200f  x_y __ ،، ...",
    "\u064e\u064f بداية بعلامة",
    "يري: «ـ، ات «ـقال» (ـهو).. ؟! \"نعم\"، [كلا]",   # a tatweel after « is the mark's
])
def test_whole_tokens_are_exactly_what_tokenize_gives(text: str) -> None:
    assert whole_tokens(text) == [(t.start, t.end) for t in tokenize(text)]


def test_whole_tokens_match_tokenize_on_the_seed_article() -> None:
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    assert whole_tokens(text) == [(t.start, t.end) for t in tokenize(text)]


@given(st.text(alphabet="ابتلكوفـَُِّ ،.:؟!()\"[]😀\u200d\u200f1٣ \n«»", max_size=40))
@settings(max_examples=200, deadline=None)
def test_whole_tokens_match_tokenize_on_any_text(text: str) -> None:
    assert whole_tokens(text) == [(t.start, t.end) for t in tokenize(text)]


@pytest.mark.parametrize(("word", "span_starts", "cuts"), [
    ("وبالقاهرة", (), [1, 2]),          # و + ب + القاهرة: the article rule
    ("والقاهرة", (), [1]),
    ("بالقاهرة", (), [1]),
    ("وَبِالقاهرة", (), [2, 4]),        # harakat stay on their clitic
    ("وزير", (), []),                   # root letters are not clitics
    ("فرنسا", (), []),
    ("للقاهرة", (), []),                # ل + ال with the alef dropped: left whole
    ("وإسرائيل", (), []),               # no article and no span start: whole
    ("وإسرائيل", (1,), [1]),            # a span starts after the clitic
    ("وبإسرائيل", (2,), [1, 2]),
    ("وإسرائيل", (3,), []),             # a span start that is not after a clitic cuts nothing
])
def test_clitic_cuts(word: str, span_starts: tuple[int, ...], cuts: list[int]) -> None:
    assert clitic_cuts(word, span_starts) == cuts


def test_conll_sentences_give_each_line_split_at_single_spaces() -> None:
    text = "\u200fمن\u200f O-like *\nb"
    assert [[text[s:e] for s, e in sent] for sent in conll_sentences(text)] == [
        ["\u200fمن\u200f", "O-like", "*"], ["b"]]


# -- spans -> tags ----------------------------------------------------------------------------


@pytest.mark.parametrize(("scheme", "n", "tags"), [
    ("iob2", 1, ["B-X"]), ("iob2", 3, ["B-X", "I-X", "I-X"]),
    ("bioes", 1, ["S-X"]), ("bioes", 3, ["B-X", "I-X", "E-X"]),
    ("bilou", 1, ["U-X"]), ("bilou", 2, ["B-X", "L-X"]),
])
def test_tag_sequence(scheme: str, n: int, tags: list[str]) -> None:
    assert tag_sequence(n, "X", scheme) == tags


SPANS = _set(_span("وزيرُ الدفاع", "actor", 1), _span("الدفاع", "location", 2),
             _span("القاهرة", "location", 3), _span("سنعود", "quote", 4),
             _span("إسرائيل", "location", 5))


def test_whole_tokens_expand_a_span_without_its_clitic_and_report_it() -> None:
    report = ExportReport(path="x")
    out = tag_document(_doc(), SPANS, scheme="iob2", tokens="whole", nested="outer", report=report)
    assert _rows(out) == [
        [("😀", ("O",)), ("قالَ", ("O",)), ("وزيرُ", ("B-actor",)), ("الدفاع", ("I-actor",)),
         ("وبالقاهرة", ("B-location",)), (":", ("O",)), ("«", ("O",)), ("سنعود", ("B-quote",)),
         ("»", ("O",)), (".", ("O",))],
        [("وإسرائيل", ("B-location",))]]
    assert report.counts == {"expanded": 2, "nested": 1}
    assert report.problems == [
        ("document d1 (set gold): span 3 (location 22-29 'القاهرة') does not align with token "
        "boundaries; expanded to 'وبالقاهرة'"),
        ("document d1 (set gold): span 5 (location 41-48 'إسرائيل') does not align with token "
        "boundaries; expanded to 'وإسرائيل'"),
        ("document d1 (set gold): span 2 (location 13-19 'الدفاع') is inside span 1 (actor 7-19 "
        "'وزيرُ الدفاع'); --nested outer writes the outermost spans only")]


def test_clitic_tokens_align_with_spans_that_leave_the_clitic_out() -> None:
    report = ExportReport(path="x")
    out = tag_document(_doc(), SPANS, scheme="bilou", tokens="clitics", nested="layers",
                       report=report)
    assert _rows(out) == [
        [("😀", ("O",)), ("قالَ", ("O",)), ("وزيرُ", ("B-actor",)),
         ("الدفاع", ("L-actor", "U-location")), ("و", ("O",)), ("ب", ("O",)),
         ("القاهرة", ("U-location",)), (":", ("O",)), ("«", ("O",)), ("سنعود", ("U-quote",)),
         ("»", ("O",)), (".", ("O",))],
        [("و", ("O",)), ("إسرائيل", ("U-location",))]]
    assert report.problems == [] and report.counts == {}


def test_inner_keeps_the_innermost_spans_and_reports_the_outer_ones() -> None:
    report = ExportReport(path="x")
    out = tag_document(_doc(), SPANS, scheme="bioes", tokens="clitics", nested="inner",
                       report=report)
    assert [t for s in out for t in s.tags][2:4] == [("O",), ("S-location",)]
    assert report.counts == {"nested": 1}
    assert "span 1 (actor 7-19 'وزيرُ الدفاع') has another span inside it" in report.problems[0]


def test_layers_write_wojood_columns_outermost_first_and_equal_extents_in_id_order() -> None:
    text = "مدينة الرملة كيلو"
    aset = _set(_span("مدينة الرملة", "FAC", 1, text), _span("الرملة", "GPE", 2, text),
                _span("كيلو", "UNIT", 3, text), _span("كيلو", "QUANTITY", 4, text))
    out = tag_document(_doc(text), aset, scheme="iob2", tokens="whole", nested="layers",
                       report=ExportReport(path="x"))
    assert _rows(out) == [[("مدينة", ("B-FAC",)), ("الرملة", ("I-FAC", "B-GPE")),
                           ("كيلو", ("B-UNIT", "B-QUANTITY"))]]


def test_crossing_duplicate_and_blank_spans_are_left_out_and_reported() -> None:
    text = "أ ب ج د"
    aset = _set(Span(0, 3, "X", "أ ب", id=1), Span(2, 5, "Y", "ب ج", id=2),
                Span(5, 7, "Z", " د", id=3), Span(6, 7, "Z", "د", id=4),
                Span(1, 2, "W", " ", id=5))
    report = ExportReport(path="x")
    out = tag_document(_doc(text), aset, scheme="iob2", tokens="whole", nested="layers",
                       report=report)
    assert _rows(out) == [[("أ", ("B-X",)), ("ب", ("I-X",)), ("ج", ("O",)), ("د", ("B-Z",))]]
    assert report.counts == {"no-token": 1, "expanded": 1, "duplicate": 1, "crossing": 1}
    assert report.problems == [
        "document d1 (set gold): span 5 (W 1-2 ' ') covers no token; left out",
        ("document d1 (set gold): span 3 (Z 5-7 ' د') does not align with token boundaries; "
        "expanded to 'د'"),
        ("document d1 (set gold): span 4 (Z 6-7 'د') covers the same tokens as span 3 "
         "(Z 5-7 ' د'); left out"),
        ("document d1 (set gold): span 2 (Y 2-5 'ب ج') overlaps span 1 (X 0-3 'أ ب') without "
        "nesting in it; left out")]


def test_a_span_across_a_sentence_end_joins_the_two_sentences() -> None:
    text = "قال. هو كذلك. ثم"
    aset = _set(_span("قال. هو", "quote", 1, text))
    report = ExportReport(path="x")
    out = tag_document(_doc(text), aset, scheme="iob2", tokens="whole", nested="outer",
                       report=report)
    assert [s.tokens for s in out] == [("قال", ".", "هو", "كذلك", "."), ("ثم",)]
    assert report.counts == {"sentences-joined": 1} and report.problems == []


def test_a_conll_document_keeps_its_own_tokens_whatever_the_policy() -> None:
    text = "وبالقاهرة «x» 😀\nب"
    doc = _doc(text, {"tokenized": "conll"})
    out = tag_document(doc, None, scheme="iob2", tokens="clitics", nested="outer",
                       report=ExportReport(path="x"))
    assert [s.tokens for s in out] == [("وبالقاهرة", "«x»", "😀"), ("ب",)]


# -- tags -> spans ----------------------------------------------------------------------------


def _cols(*tags: str) -> list[tuple[str, ...]]:
    return [tuple(t.split("|")) for t in tags]


@pytest.mark.parametrize(("tags", "spans"), [
    (("B-X", "I-X", "O", "B-Y"), [(0, 1, "X", 0), (3, 3, "Y", 0)]),
    (("I-X", "I-X", "O"), [(0, 1, "X", 0)]),                       # I- with no B-
    (("B-X", "I-Y"), [(0, 0, "X", 0), (1, 1, "Y", 0)]),            # I- of another label
    (("B-X", "B-X"), [(0, 0, "X", 0), (1, 1, "X", 0)]),
    (("B-X", "E-X", "S-X"), [(0, 1, "X", 0), (2, 2, "X", 0)]),
    (("B-X", "I-X", "L-X", "U-Y"), [(0, 2, "X", 0), (3, 3, "Y", 0)]),
    (("L-X", "E-Y"), [(0, 0, "X", 0), (1, 1, "Y", 0)]),            # an end with nothing open
    (("B-X", "I-X|B-Y", "I-X|I-Y|B-Z", "O"),
     [(0, 2, "X", 0), (1, 2, "Y", 1), (2, 2, "Z", 2)]),           # Wojood's varying columns
])
def test_decode_reads_every_scheme_tolerantly(tags: tuple[str, ...], spans: list) -> None:
    assert decode(_cols(*tags)) == spans


@pytest.mark.parametrize(("tags", "scheme", "index", "message"), [
    (("O", "PERS"), None, 1, "tag 'PERS' is not O nor PREFIX-LABEL (like B-LOC)"),
    (("X-PERS",), None, 0, "tag 'X-PERS' has an unknown prefix 'X-' (known: B- I- E- S- L- U-)"),
    (("B-",), None, 0, "tag 'B-' is not O nor PREFIX-LABEL (like B-LOC)"),
    (("O", "O", "S-LOC"), "iob2", 2, "tag 'S-LOC' is not a iob2 tag (B- I- or O)"),
    (("U-LOC",), "bioes", 0, "tag 'U-LOC' is not a bioes tag (B- I- E- S- or O)"),
    (("B-ب",), None, 0, "tag 'B-ب': the label 'ب' must be ASCII letters"),
])
def test_decode_names_the_token_of_a_tag_with_no_clear_reading(
        tags: tuple[str, ...], scheme: str | None, index: int, message: str) -> None:
    with pytest.raises(TagError) as caught:
        decode(_cols(*tags), scheme=scheme)
    assert caught.value.index == index
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(("tags", "scheme"), [
    (["O", "B-X", "I-X"], "iob2"), (["I-X"], "iob2"), (["S-X", "O"], "bioes"),
    (["B-X", "E-X"], "bioes"), (["U-X"], "bilou"), (["B-X", "L-X", "S-Y"], "bilou"),
])
def test_detect_scheme(tags: list[str], scheme: str) -> None:
    assert detect_scheme(tags) == scheme


def test_split_tag_keeps_hyphens_inside_labels() -> None:
    assert split_tag("B-PER-X") == ("B", "PER-X") and split_tag("O") == ("O", "")


@st.composite
def _laminar(draw: st.DrawFn) -> tuple[int, list[tuple[int, int, str]]]:
    """A token count and spans (first, last, label) that nest without crossing."""
    n = draw(st.integers(1, 12))
    spans: list[tuple[int, int, str]] = []
    for _ in range(draw(st.integers(0, 6))):
        a = draw(st.integers(0, n - 1))
        b = draw(st.integers(a, n - 1))
        label = draw(st.sampled_from(["X", "Y"]))
        crosses = any(s < a <= e < b or a < s <= b < e for s, e, _ in spans)
        if not crosses and (a, b, label) not in spans and not any((s, e) == (a, b)
                                                                  for s, e, _ in spans):
            spans.append((a, b, label))
    return n, spans


@given(_laminar(), st.sampled_from(["iob2", "bioes", "bilou"]))
@settings(max_examples=200, deadline=None)
def test_layers_then_decode_gives_back_the_same_spans(case, scheme: str) -> None:
    n, spans = case
    text = " ".join(f"w{i}" for i in range(n))
    starts = []
    pos = 0
    for i in range(n):
        starts.append(pos)
        pos += len(f"w{i}") + 1
    aset = _set(*(Span(starts[a], starts[b] + len(f"w{b}"), label,
                       text[starts[a]:starts[b] + len(f"w{b}")], id=k)
                  for k, (a, b, label) in enumerate(spans, start=1)))
    report = ExportReport(path="x")
    out = tag_document(_doc(text, {"tokenized": "conll"}), aset, scheme=scheme, tokens="whole",
                       nested="layers", report=report)
    assert report.problems == []
    (sentence,) = out
    assert sorted((a, b, label) for a, b, label, _ in decode(sentence.tags, scheme=scheme)) == \
        sorted(spans)


def test_clitic_tokens_quick_test_cuts_exactly_what_the_rule_cuts() -> None:
    """clitic_tokens skips split_proclitics for words that cannot be cut: the result is the same
    as asking clitic_cuts of every token."""
    text = SEED_ARTICLE.read_text(encoding="utf-8") + \
        " وَبِالْقاهرة فَالْأمر كَالعادة وّالقدس بالغ والدة للقاهرة"
    tokens = whole_tokens(text)
    expected = []
    for s, e in tokens:
        prev = s
        for cut in clitic_cuts(text[s:e]):
            expected.append((prev, s + cut))
            prev = s + cut
        expected.append((prev, e))
    assert clitic_tokens(text, tokens, []) == expected
    assert len(expected) > len(tokens)


def test_a_documents_sets_share_its_tokens_and_each_gets_its_own_list() -> None:
    """The whole tokens are computed once for consecutive sets of a document (the same text
    object); a caller changing its list changes nothing for the next, and another text gets
    its own tokens."""
    from annotator.exports.tokens import token_offsets

    first, other = _doc("😀 وزير الدفاع، في موسكو."), _doc("قال الوزير: نعم")
    expected = [(t.start, t.end) for t in tokenize(first.text)]
    mine = token_offsets(first, "whole")
    assert mine == expected
    mine.clear()
    assert token_offsets(first, "whole") == expected
    assert token_offsets(first, "clitics", [first.text.index("موسكو")]) == expected
    assert token_offsets(other, "whole") == [(t.start, t.end) for t in tokenize(other.text)]
    assert token_offsets(first, "whole") == expected
