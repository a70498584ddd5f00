"""spaCy DocBin export: spaCy loads it, texts and spans come back exactly, split parts load."""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import Any

import pytest

from annotator.core.errors import UserError
from annotator.db.store import Store
from annotator.exports import spacy_docbin, spacy_layout
from annotator.exports.base import ExportOptions
from annotator.services.exporting import Split, export
from annotator.services.importing import import_paths
from tests.conftest import SEED_ARTICLE
from tests.services.helpers import line, span

spacy = pytest.importorskip("spacy")
import itertools

from spacy.tokens import DocBin
from spacy.training import Example, offsets_to_biluo_tags

# An emoji with a skin tone, harakat and tatweel before the spans; "روسيا" without its و.
TEXT = "👍🏽 قالَ الوزيـرُ: «روسيا جاهزةٌ» 😀 وروسيا في موسكو."


def _spans(text: str) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    spans = [span(text, "قالَ", "cue", "c"),
             span(text, "الوزيـرُ", "actor", "a"),
             span(text, "روسيا جاهزةٌ", "quote", "q", attributes={"kind": "direct"}),
             span(text, "روسيا", "actor", "r1"),
             span(text, "روسيا", "actor", "r2", occurrence=1, note="بلا واو"),
             span(text, "موسكو", "location", "m")]
    relations = [{"type": "said_by", "head": "q", "tail": "a"},
                 {"type": "cue", "head": "q", "tail": "c"}]
    return spans, relations


def _seed_spans(text: str) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    quote_at = text.index("“اتفقنا") + 1
    quote = text[quote_at:text.index("”", quote_at)]
    spans = [span(text, "فرنسا", "actor", "fr"),
             span(text, "روسيا", "actor", "ru"),          # inside وروسيا
             span(text, "أعلن", "cue", "c1"),
             span(text, "وزير الدفاع الفرنسي جان إيف لودريان", "actor", "min"),
             span(text, "لودريان", "actor", "lud"),       # nested in the actor above
             span(text, "موسكو", "location", "mos"),
             span(text, "قال", "cue", "c2", occurrence=0),
             span(text, quote, "quote", "q", attributes={"kind": "direct"}),
             span(text, "لودريان", "actor", "lud2", occurrence=1)]
    relations = [{"type": "said_by", "head": "q", "tail": "lud2"},
                 {"type": "cue", "head": "q", "tail": "c2"}]
    return spans, relations


def _import(store: Store, tmp_path: Path, *lines: str) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert import_paths(store, [path]).errors == []


def _load(path: Path) -> list[Any]:
    """Every Doc of an export folder, shard by shard (each shard a DocBin file)."""
    nlp = spacy.blank("ar")
    shards = sorted(path.iterdir())
    assert shards and all(spacy_docbin.SHARD.fullmatch(p.name) for p in shards)
    return [doc for shard in shards for doc in DocBin().from_disk(shard).get_docs(nlp.vocab)]


def _exact(doc: Any) -> list[tuple[int, int, str]]:
    return [(s.start_char, s.end_char, s.label_) for s in doc.spans["sc"]]


def _expected(text: str, spans: list[dict[str, Any]]) -> list[tuple[int, int, str]]:
    return sorted((s["start"], s["end"], s["label"]) for s in spans)


@pytest.mark.parametrize("which", ["emoji", "seed"])
def test_spacy_loads_the_docbin_with_exact_text_and_spans(store: Store, tmp_path: Path,
                                                          which: str) -> None:
    text = TEXT if which == "emoji" else SEED_ARTICLE.read_text(encoding="utf-8")
    spans, relations = (_spans if which == "emoji" else _seed_spans)(text)
    _import(store, tmp_path, line(text, doc_id="d1", spans=spans, relations=relations))
    out = tmp_path / "out.spacy"
    (report,) = export(store, out, fmt="spacy", which="all")
    (doc,) = _load(out)
    assert doc.text == text
    assert _exact(doc) == _expected(text, spans)
    for ent in doc.ents:
        assert ent.text == text[ent.start_char:ent.end_char]
    for sc in doc.spans["sc"]:
        assert sc.text == text[sc.start_char:sc.end_char]
    # spaCy's own alignment: every entity sits on token boundaries ("-" would mark a misfit), and
    # an Example against spaCy's tokenization of the same text builds (what `spacy train` does)
    ent_offsets = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    assert "-" not in offsets_to_biluo_tags(doc, ent_offsets)
    example = Example(spacy.blank("ar").make_doc(doc.text), doc)
    assert example.predicted.text == example.reference.text == text
    # ents: the outermost spans only, non-overlapping
    ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(ents))
    assert report.counts.get("not-in-ents", 0) == len(spans) - len(ents)
    assert (report.documents, report.items, report.spans, report.relations) == \
        (1, 1, len(spans), 2)
    data = doc.user_data
    assert (data["doc_id"], data["annotator"], data["status"]) == ("d1", "mona", "done")
    by_index = [(s["start"], s["end"], s["label"]) for s in data["spans"]]
    assert by_index == _exact(doc)
    quote = next(i for i, s in enumerate(data["spans"]) if s["label"] == "quote")
    assert data["spans"][quote]["attributes"] == {"kind": "direct"}
    said_by = next(r for r in data["relations"] if r["type"] == "said_by")
    assert said_by["head"] == quote
    assert data["spans"][said_by["tail"]]["label"] == "actor"


def test_emoji_text_tokens_ents_and_reported_splits(store: Store, tmp_path: Path) -> None:
    spans, relations = _spans(TEXT)
    _import(store, tmp_path, line(TEXT, doc_id="d1", spans=spans, relations=relations))
    out = tmp_path / "out.spacy"
    (report,) = export(store, out, fmt="spacy")
    (doc,) = _load(out)
    at = TEXT.index
    assert [(e.start_char, e.end_char, e.label_, e.text) for e in doc.ents] == [
        (at("قالَ"), at("قالَ") + 4, "cue", "قالَ"),
        (at("الوزيـرُ"), at("الوزيـرُ") + 8, "actor", "الوزيـرُ"),
        (at("روسيا جاهزةٌ"), at("روسيا جاهزةٌ") + 12, "quote", "روسيا جاهزةٌ"),
        (at("وروسيا") + 1, at("وروسيا") + 6, "actor", "روسيا"),
        (at("موسكو"), at("موسكو") + 5, "location", "موسكو"),
    ]
    # «روسيا is one spaCy token? either way "وروسيا" is split at the clitic and reported
    assert "و" in [t.text for t in doc]
    assert any("'وروسيا' split at a span boundary" in p for p in report.problems)
    assert report.counts["not-in-ents"] == 1     # the روسيا inside the quote
    data = doc.user_data
    assert [s["note"] for s in data["spans"]] == ["", "", "", "", "بلا واو", ""]
    assert [s["attributes"] for s in data["spans"]] == [{}, {}, {}, {"kind": "direct"}, {}, {}]
    assert sorted((r["type"], data["spans"][r["head"]]["label"], data["spans"][r["tail"]]["label"])
                  for r in data["relations"]) == [("cue", "quote", "cue"),
                                                  ("said_by", "quote", "actor")]


def test_documents_without_sets_and_several_sets_each_give_a_doc(store: Store,
                                                                 tmp_path: Path) -> None:
    spans, relations = _spans(TEXT)
    _import(store, tmp_path, line(TEXT, doc_id="d1", spans=spans, relations=relations),
            line(TEXT, doc_id="d1", annotator="gold", spans=spans[:1]),
            line("نص بلا مجموعة 🙂", doc_id="d0", annotator=None, status=None))
    out = tmp_path / "out.spacy"
    (report,) = export(store, out, fmt="spacy", which="all")
    docs = _load(out)
    assert [(d.user_data["doc_id"], d.user_data["annotator"], len(d.spans["sc"])) for d in docs] \
        == [("d0", None, 0), ("d1", "mona", 6), ("d1", "gold", 1)]
    assert docs[0].text == "نص بلا مجموعة 🙂"
    assert (report.documents, report.items) == (2, 3)
    (gold,) = export(store, tmp_path / "gold.spacy", fmt="spacy", which="gold")
    assert [d.user_data["annotator"] for d in _load(tmp_path / "gold.spacy")] == ["gold"]
    assert gold.items == 1


def test_split_parts_each_load(store: Store, tmp_path: Path) -> None:
    spans, _ = _spans(TEXT)
    _import(store, tmp_path, *(line(f"{TEXT} {i}", doc_id=f"d{i:02d}", spans=spans)
                               for i in range(10)))
    out = tmp_path / "split"
    reports = export(store, out, fmt="spacy", split=Split.parse("60/20/20"), seed=3)
    assert [Path(r.path).name for r in reports] == ["train", "dev", "test"]
    loaded = {name: _load(out / name) for name in ("train", "dev", "test")}
    part_of = Split(60, 20, 20).assign([f"d{i:02d}" for i in range(10)], 3)
    assert {n: sorted(d.user_data["doc_id"] for d in loaded[n]) for n in loaded} == \
        {n: sorted(d for d, p in part_of.items() if p == n) for n in loaded}
    ids = sorted(d.user_data["doc_id"] for docs in loaded.values() for d in docs)
    assert ids == [f"d{i:02d}" for i in range(10)]
    for docs in loaded.values():
        for doc in docs:
            assert _exact(doc) == _expected(doc.text, spans)


def test_a_span_starting_on_whitespace_is_reported_not_dropped_silently(tmp_path: Path) -> None:
    from annotator.core.model import AnnotationSet, Document, SetKind, Span

    text = "قال الوزير"
    doc = Document(external_id="w", title=text, text=text, sha256="x", id=1)
    aset = AnnotationSet(document_id=1, owner="mona", kind=SetKind.ANNOTATION,
                         spans=(Span(3, 10, "actor", text[3:10], id=1),), id=1)
    report = spacy_docbin.write([(doc, aset)], tmp_path / "w", ExportOptions())
    assert report.counts["span-not-aligned"] == 1
    assert "document w: span 3-10 actor" in report.problems[0]
    (loaded,) = _load(tmp_path / "w")
    assert len(loaded.spans["sc"]) == 0


def test_token_pieces_split_only_inside_tokens() -> None:
    pieces, split = spacy_layout.token_pieces([(0, 6, True), (7, 10, False)], {0, 1, 6, 7, 9})
    assert pieces == [(0, 1, False), (1, 6, True), (7, 9, False), (9, 10, False)]
    assert split == [(0, 6), (7, 10)]


def test_without_spacy_the_error_says_how_to_install(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    real_import = builtins.__import__

    def no_spacy(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "spacy" or name.startswith("spacy."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_spacy)
    with pytest.raises(UserError, match=r"pip install 'spacy"):
        spacy_docbin.write([], tmp_path / "x.spacy", ExportOptions())
    assert not (tmp_path / "x.spacy").exists()


def test_the_module_does_not_import_spacy_at_import_time() -> None:
    import subprocess
    import sys

    code = ("import sys, annotator.exports.spacy_docbin, annotator.exports.registry as r; "
            "r.get_format('spacy'); print('spacy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"



def test_spacy_training_reads_the_shard_folder_with_exact_counts(store: Store,
                                                                 tmp_path: Path) -> None:
    """Five documents, two Docs a shard: three shards, which spaCy's training Corpus (what
    ``spacy train`` reads a folder with) gives back as five examples with every entity."""
    from spacy.training import Corpus

    spans, _ = _spans(TEXT)
    _import(store, tmp_path, *(line(f"{TEXT} {i}", doc_id=f"d{i}", spans=spans)
                               for i in range(5)))
    out = tmp_path / "corpus"
    (report,) = export(store, out, fmt="spacy", options=ExportOptions(shard_docs=2))
    assert sorted(p.name for p in out.iterdir()) == [
        "shard-00001.spacy", "shard-00002.spacy", "shard-00003.spacy"]
    per_shard = [len(DocBin().from_disk(p)) for p in sorted(out.iterdir())]
    assert per_shard == [2, 2, 1]
    examples = list(Corpus(out)(spacy.blank("ar")))
    assert len(examples) == 5 == report.items
    assert [e.reference.user_data["doc_id"] for e in examples] == [f"d{i}" for i in range(5)]
    assert [len(e.reference.ents) for e in examples] == [5] * 5      # the روسيا in the quote
    assert [len(e.reference.spans["sc"]) for e in examples] == [6] * 5  # is not an ent
    for e in examples:
        assert e.reference.text == e.predicted.text


def test_an_empty_export_writes_one_empty_shard(store: Store, tmp_path: Path) -> None:
    (report,) = export(store, tmp_path / "none", fmt="spacy", which="gold")
    assert (report.items, [p.name for p in (tmp_path / "none").iterdir()]) == \
        (0, ["shard-00001.spacy"])
    assert _load(tmp_path / "none") == []


def test_a_new_export_replaces_its_shards_never_a_file_or_another_folder(
        store: Store, tmp_path: Path) -> None:
    spans, _ = _spans(TEXT)
    _import(store, tmp_path, *(line(f"{TEXT} {i}", doc_id=f"d{i}", spans=spans)
                               for i in range(3)))
    out = tmp_path / "corpus"
    export(store, out, fmt="spacy", options=ExportOptions(shard_docs=1))
    assert len(list(out.iterdir())) == 3
    export(store, out, fmt="spacy")          # fewer, larger shards: the old ones are gone
    assert [p.name for p in out.iterdir()] == ["shard-00001.spacy"]
    assert len(_load(out)) == 3
    older = tmp_path / "old.spacy"
    older.write_bytes(b"a DocBin file of an older version")
    with pytest.raises(UserError, match="old.spacy: the spacy format writes a folder of .spacy "
                                        "shards; this is a file"):
        export(store, older, fmt="spacy")
    assert older.read_bytes() == b"a DocBin file of an older version"
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("عمل", encoding="utf-8")
    with pytest.raises(UserError, match="holds other files than the shards"):
        export(store, mine, fmt="spacy")
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())    # no staging left
