"""Native JSONL export: exact lines, set selection, atomic writes, and the round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.errors import UserError
from annotator.core.text import sha256_text
from annotator.db.store import Store
from annotator.exports import jsonl as jsonl_format
from annotator.services import exporting
from annotator.services.exporting import export_jsonl
from annotator.services.importing import import_paths
from annotator.services.project import open_project
from tests.services.helpers import line, span

TEXT = "😀 وقال الوزيرُ إن روسيا “جاهزة”."


def _import_lines(store: Store, tmp_path: Path, *lines: str, name: str = "in.jsonl") -> None:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_paths(store, [path])
    assert report.errors == []


def test_export_writes_the_documented_lines_exactly(store: Store, tmp_path: Path) -> None:
    spans = [span(TEXT, "جاهزة", "quote", "q", attributes={"kind": "direct"}),
             span(TEXT, "الوزيرُ", "actor", "a", note="وزير الخارجية")]
    _import_lines(store, tmp_path,
                  line(TEXT, doc_id="b", spans=spans,
                       relations=[{"type": "said_by", "head": "q", "tail": "a"}]),
                  line("نص بلا مجموعة", doc_id="a", annotator=None, status=None))
    out = tmp_path / "out.jsonl"
    report = export_jsonl(store, out, which="all")
    assert (report.documents, report.lines, report.spans, report.relations) == (2, 2, 2, 1)
    actor_at, quote_at = TEXT.index("الوزيرُ"), TEXT.index("جاهزة")
    expected = [
        {"doc_id": "a", "title": "نص بلا مجموعة", "text": "نص بلا مجموعة",
         "sha256": sha256_text("نص بلا مجموعة"), "annotator": None, "status": None, "spans": [],
         "relations": [], "meta": {}},
        {"doc_id": "b", "title": TEXT, "text": TEXT, "sha256": sha256_text(TEXT), "annotator": "mona",
         "status": "done",
         "spans": [{"id": "s1", "start": actor_at, "end": actor_at + 7, "label": "actor",
                    "text": "الوزيرُ", "attributes": {}, "note": "وزير الخارجية"},
                   {"id": "s2", "start": quote_at, "end": quote_at + 5, "label": "quote",
                    "text": "جاهزة", "attributes": {"kind": "direct"}}],
         "relations": [{"type": "said_by", "head": "s2", "tail": "s1"}], "meta": {}},
    ]
    assert out.read_text(encoding="utf-8") == "".join(
        json.dumps(obj, ensure_ascii=False) + "\n" for obj in expected)


def test_set_selection_by_gold_and_by_name(store: Store, tmp_path: Path) -> None:
    _import_lines(store, tmp_path, line(TEXT, doc_id="x"), line(TEXT, doc_id="x", annotator="gold"),
                  line("نص آخر", doc_id="y", annotator="sara"))
    for which, expected in (("gold", [("x", "gold")]), ("mona", [("x", "mona")]),
                            ("sara", [("y", "sara")]),
                            ("all", [("x", "mona"), ("x", "gold"), ("y", "sara")])):
        out = tmp_path / f"{which}.jsonl"
        export_jsonl(store, out, which=which)
        got = [json.loads(ln) for ln in out.read_text(encoding="utf-8").splitlines()]
        assert [(r["doc_id"], r["annotator"]) for r in got] == expected, which


def test_an_unknown_annotator_is_a_user_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no annotator of that name"):
        export_jsonl(store, tmp_path / "x.jsonl", which="nobody")
    assert not (tmp_path / "x.jsonl").exists()


def test_a_failed_export_leaves_the_old_file_and_no_temporary(store: Store, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _import_lines(store, tmp_path, line(TEXT, doc_id="a"), line(TEXT + "!", doc_id="b"))
    out = tmp_path / "out" / "data.jsonl"
    out.parent.mkdir()
    out.write_text("old content\n", encoding="utf-8")
    calls = []

    def failing(doc, aset):  # type: ignore[no-untyped-def]
        calls.append(doc.external_id)
        if len(calls) == 2:
            raise OSError("disk full")
        return "{}"

    monkeypatch.setattr(jsonl_format, "format_line", failing)
    with pytest.raises(OSError, match="disk full"):
        export_jsonl(store, out)
    assert out.read_text(encoding="utf-8") == "old content\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["data.jsonl"]


def test_export_reads_the_store_a_page_at_a_time(store: Store, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [line(f"نص رقم {i}", doc_id=f"d{i:02d}", annotator=None if i % 3 else "mona")
             for i in range(25)]
    _import_lines(store, tmp_path, *lines)
    full = tmp_path / "full.jsonl"
    export_jsonl(store, full)
    monkeypatch.setattr(exporting, "PAGE", 4)
    paged = tmp_path / "paged.jsonl"
    export_jsonl(store, paged)
    assert paged.read_bytes() == full.read_bytes()
    assert len(full.read_text(encoding="utf-8").splitlines()) == 25


def test_round_trip_through_an_empty_store_gives_the_same_file(store: Store, other_store: Store,
                                                               tmp_path: Path, corpora: Path) -> None:
    spans = [span(TEXT, "الوزيرُ", "actor", "a"), span(TEXT, "جاهزة", "quote", "q"),
             span(TEXT, "قال", "cue", "c")]
    _import_lines(store, tmp_path, line(TEXT, spans=spans, relations=[
        {"type": "said_by", "head": "q", "tail": "a"}, {"type": "cue", "head": "q", "tail": "c"}]))
    articles = [p for p in sorted(corpora.rglob("*.txt")) if p.parent.name != "ner"]  # not CoNLL
    assert import_paths(store, articles, annotator="mona").errors == []
    first = tmp_path / "first.jsonl"
    export_jsonl(store, first)
    assert import_paths(other_store, [first]).errors == []
    second = tmp_path / "second.jsonl"
    export_jsonl(other_store, second)
    assert second.read_bytes() == first.read_bytes()
    assert len(first.read_text(encoding="utf-8").splitlines()) == 10


# -- Hypothesis: random Arabic text with harakat and emoji, random spans ----------------------

LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئةى"
HARAKAT = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652"
EMOJI = ["😀", "👍🏽", "🇸🇦", "👨‍👩‍👧", "❤️"]
LABELS = ["quote", "actor", "location", "cue"]

pieces = st.one_of(st.sampled_from(list(LETTERS)),
                   st.tuples(st.sampled_from(list(LETTERS)), st.sampled_from(list(HARAKAT)))
                   .map("".join),
                   st.sampled_from(EMOJI), st.sampled_from([" ", " ", "\n", "،", "“", "”", "1", "A"]))
texts = st.lists(pieces, min_size=1, max_size=60).map("".join)


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str]]]:
    text = draw(texts)
    n = len(text)
    raw = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(1, n), st.sampled_from(LABELS)),
                        max_size=8))
    spans = sorted({(min(a, b - 1), max(a + 1, b), label) for a, b, label in raw})
    return text, [(s, e, lb) for s, e, lb in spans if 0 <= s < e <= n]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.lists(documents(), min_size=1, max_size=3, unique_by=lambda d: d[0]))
def test_hypothesis_round_trip_keeps_offsets_and_bytes(tmp_path_factory: pytest.TempPathFactory,
                                                       docs: list) -> None:
    folder = tmp_path_factory.mktemp("rt")
    lines = []
    for i, (text, spans) in enumerate(docs):
        items = [{"id": f"k{j}", "start": s, "end": e, "label": lb, "text": text[s:e], "attributes": {}}
                 for j, (s, e, lb) in enumerate(spans)]
        lines.append(line(text, doc_id=f"doc{i}", spans=items))
    source = folder / "source.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first_store = open_project(f"sqlite:///{folder / 'a.sqlite3'}")
    assert import_paths(first_store, [source]).errors == []
    first = folder / "first.jsonl"
    export_jsonl(first_store, first)
    second_store = open_project(f"sqlite:///{folder / 'b.sqlite3'}")
    assert import_paths(second_store, [first]).errors == []
    second = folder / "second.jsonl"
    export_jsonl(second_store, second)
    assert second.read_bytes() == first.read_bytes()
    for record in map(json.loads, first.read_text(encoding="utf-8").splitlines()):
        text = record["text"]
        original = docs[int(record["doc_id"][3:])]
        assert text == original[0]
        assert sorted((s["start"], s["end"], s["label"]) for s in record["spans"]) == original[1]
        assert all(text[s["start"]:s["end"]] == s["text"] for s in record["spans"])
    first_store.close()
    second_store.close()
