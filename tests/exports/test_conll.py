"""CoNLL export and import: exact lines, the round trip, the three NER corpora line for line,
messy files, clear errors, and the real consumers (seqeval, spaCy's CoNLL converter)."""

from __future__ import annotations

from pathlib import Path

import pytest
from seqeval.metrics.sequence_labeling import classification_report, get_entities
from seqeval.scheme import BILOU, IOB2, IOBES, Entities

from annotator.db.store import Store
from annotator.exports import conll
from annotator.exports.base import ExportOptions, ImportContext
from annotator.services.exporting import export
from annotator.services.importing import import_paths
from tests.services.helpers import line, snapshot, span

TEXT = "😀 قالَ وزيرُ الدفاع إن «موسكو جاهزة». وأضاف"
DOCSTART = "-DOCSTART- -X- O O"
CORPORA = {  # file -> (scheme, documents, spans)
    "ANERCorp_ITE5th_test_conll.txt": ("iob2", 1, 1543),
    "wojood_sample_val.txt": ("iob2", 1, 470),
    "idrisi_ar_cairo_bombing_2019_dev_BILOU.txt": ("bilou", 1, 66),
}
SEQEVAL = {"iob2": IOB2, "bioes": IOBES, "bilou": BILOU}


def _spans() -> list[dict]:
    return [span(TEXT, "قالَ", "cue", "c"), span(TEXT, "وزيرُ الدفاع", "actor", "a"),
            span(TEXT, "موسكو جاهزة", "quote", "q"), span(TEXT, "موسكو", "location", "l"),
            span(TEXT, "أضاف", "cue", "c2")]


def _store_with(store: Store, tmp_path: Path, *lines: str) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert import_paths(store, [path]).errors == []


def _export(store: Store, out: Path, **options: str):
    (report,) = export(store, out, fmt="conll", options=ExportOptions(**options))
    return report


def _import(store: Store, path: Path, **context: str):
    report = import_paths(store, [path], fmt="conll", add_labels=True,
                          context=ImportContext(**context))
    return report


def _sentences(path: Path) -> list[list[list[str]]]:
    """Each sentence's lines split in columns (DOCSTART lines left out)."""
    out: list[list[list[str]]] = [[]]
    for raw in path.read_text(encoding="utf-8").split("\n"):
        if not raw.strip() or raw.startswith("-DOCSTART-"):
            if out[-1]:
                out.append([])
            continue
        out[-1].append(raw.split(" "))
    return [s for s in out if s]


def test_export_writes_the_documented_lines_exactly(store: Store, tmp_path: Path) -> None:
    _store_with(store, tmp_path, line(TEXT, doc_id="b", annotator="gold", spans=_spans()),
                line("نص بلا مجموعة.", doc_id="a", annotator=None, status=None))
    out = tmp_path / "out.conll"
    report = _export(store, out)
    assert out.read_text(encoding="utf-8") == (
        f"{DOCSTART}\n\nنص O\nبلا O\nمجموعة O\n. O\n\n"
        f"{DOCSTART}\n\n😀 O\nقالَ B-cue\nوزيرُ B-actor\nالدفاع I-actor\nإن O\n« O\n"
        "موسكو B-quote\nجاهزة I-quote\n» O\n. O\n\nوأضاف B-cue\n\n")
    assert (report.documents, report.items, report.spans) == (2, 3, 5)
    assert report.counts == {"nested": 1, "expanded": 1}
    assert report.problems == [
        ("document b (set gold): span 5 (cue 39-43 'أضاف') does not align with token boundaries; "
        "expanded to 'وأضاف'"),
        ("document b (set gold): span 4 (location 24-29 'موسكو') is inside span 3 (quote 24-35 "
        "'موسكو جاهزة'); --nested outer writes the outermost spans only")]


def test_clitic_tokens_layers_and_bioes(store: Store, tmp_path: Path) -> None:
    _store_with(store, tmp_path, line(TEXT, doc_id="b", annotator="gold", spans=_spans()))
    out = tmp_path / "out.conll"
    report = _export(store, out, scheme="bioes", tokens="clitics", nested="layers")
    assert out.read_text(encoding="utf-8") == (
        f"{DOCSTART}\n\n😀 O\nقالَ S-cue\nوزيرُ B-actor\nالدفاع E-actor\nإن O\n« O\n"
        "موسكو B-quote S-location\nجاهزة E-quote\n» O\n. O\n\nو O\nأضاف S-cue\n\n")
    assert report.problems == []


@pytest.mark.parametrize(("scheme", "tokens", "nested"), [
    ("iob2", "whole", "outer"), ("bioes", "clitics", "layers"), ("bilou", "clitics", "inner"),
    ("iob2", "whole", "layers"),
])
def test_round_trip_export_import_export_gives_the_same_file(
        store: Store, other_store: Store, tmp_path: Path, scheme: str, tokens: str,
        nested: str) -> None:
    _store_with(store, tmp_path, line(TEXT, doc_id="b", annotator="gold", spans=_spans()),
                line("😀😀 وبالقاهرة كيلو.", doc_id="c", annotator="gold",
                     spans=[span("😀😀 وبالقاهرة كيلو.", "القاهرة", "location", "x"),
                            span("😀😀 وبالقاهرة كيلو.", "كيلو", "cue", "y"),
                            span("😀😀 وبالقاهرة كيلو.", "كيلو", "actor", "z")]),
                line("نص بلا مجموعة.", doc_id="a", annotator=None, status=None))
    first, second = tmp_path / "first.conll", tmp_path / "second.conll"
    _export(store, first, scheme=scheme, tokens=tokens, nested=nested)
    imported = _import(other_store, first, nested=nested)
    assert imported.errors == [] and imported.documents_added == 3
    _export(other_store, second, scheme=scheme, tokens=tokens, nested=nested)
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
    with other_store.unit_of_work() as uow:
        doc = uow.documents.by_external_id("first-2")
        assert doc is not None and doc.meta["tokenized"] == "conll"
        assert doc.text == "😀 قالَ وزيرُ الدفاع إن « موسكو جاهزة » .\n" + \
            ("و أضاف" if tokens == "clitics" else "وأضاف")


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_corpora_import_and_export_again_line_for_line(store: Store, tmp_path: Path,
                                                       corpora: Path, name: str) -> None:
    """Byte-identical but for what is not content: ANERcorp's `-DOCSTART- -X- -X- -X- O` is
    written as spaCy's `-DOCSTART- -X- O O`; the files without a DOCSTART get one (one document
    per file), and Wojood's last sentence gets the blank line that ends every other one."""
    scheme, documents, spans = CORPORA[name]
    source = corpora / "ner" / name
    report = _import(store, source)
    assert report.errors == []
    assert (report.documents_added, report.spans_added) == (documents, spans)
    out = tmp_path / "out.conll"
    _export(store, out, scheme=scheme, nested="layers")
    original = source.read_text(encoding="utf-8")
    if original.startswith("-DOCSTART-"):
        first, rest = original.split("\n", 1)
        assert first == "-DOCSTART- -X- -X- -X- O"
        expected = f"{DOCSTART}\n{rest}"
    else:
        expected = f"{DOCSTART}\n\n{original}" + ("" if original.endswith("\n\n") else "\n")
    assert out.read_text(encoding="utf-8") == expected


def test_wojood_nested_columns_become_nested_spans(store: Store, corpora: Path) -> None:
    assert _import(store, corpora / "ner" / "wojood_sample_val.txt").errors == []
    with store.unit_of_work() as uow:
        doc = uow.documents.by_external_id("wojood_sample_val")
        assert doc is not None
        set_id = uow.sets.find(doc.id, uow.annotators.id_of("gold"), "gold")
        spans = uow.sets.load(set_id, doc.text).spans
    texts = {(s.label, s.text) for s in spans}
    assert {("OCC", "رئيس بلدية نابلس"), ("ORG", "بلدية نابلس"), ("GPE", "نابلس"),
            ("UNIT", "كيلو"), ("QUANTITY", "كيلو")} <= texts
    assert all(doc.text[s.start:s.end] == s.text for s in spans)


@pytest.mark.parametrize(("nested", "spans"), [("outer", 385), ("inner", 391), ("layers", 470)])
def test_import_nested_policy(store: Store, corpora: Path, nested: str, spans: int) -> None:
    """Wojood's sample has 470 spans: 385 in the first column (outermost), 391 with no span
    inside (innermost), as counted independently of the reader."""
    report = _import(store, corpora / "ner" / "wojood_sample_val.txt", nested=nested)
    assert report.errors == [] and report.spans_added == spans


def test_messy_file_is_read_with_its_tokens_kept_exactly(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "messy.conll"
    path.write_bytes(
        "\ufeffمن\u200f500\u200f\tO\r\nوزير  I-PERS\r\nالدفاع\tI-PERS \r\n\r\n\r\n"
        "\u200f O\r\nفي B-LOC I-X\r\nموسكو E-LOC\r\n".encode("utf-8"))
    report = _import(store, path)
    assert report.errors == []
    with store.unit_of_work() as uow:
        doc = uow.documents.by_external_id("messy")
        assert doc is not None
        assert doc.text == "من\u200f500\u200f وزير الدفاع\n\u200f في موسكو"
        assert doc.meta["conll"] == {"line": 1, "scheme": "bioes"}
        aset = uow.sets.load(uow.sets.find(doc.id, uow.annotators.id_of("gold"), "gold"), doc.text)
    assert [(s.label, s.text) for s in aset.spans] == [
        ("PERS", "وزير الدفاع"), ("X", "في"), ("LOC", "في موسكو")]


@pytest.mark.parametrize(("content", "context", "message"), [
    ("قال O\nوزير\n", {}, "messy.conll:2: the token 'وزير' has no tag (expected 'token TAG'"),
    ("قال O\n\nوزير Z-PERS\n", {}, "messy.conll:3: tag 'Z-PERS' has an unknown prefix 'Z-'"),
    ("قال O\nوزير PERS\n", {}, "messy.conll:2: tag 'PERS' is not O nor PREFIX-LABEL"),
    ("قال O\nوزير S-PERS\n", {"scheme": "iob2"},
     "messy.conll:2: tag 'S-PERS' is not a iob2 tag (B- I- or O)"),
    ("-DOCSTART- -X- O O\n\nقال B-X B-X\n", {},
     "messy.conll:1: the same X span (0-3 in the document's text) is tagged in columns 1 and 2"),
])
def test_bad_file_gives_one_clear_error_naming_the_line_and_changes_nothing(
        store: Store, tmp_path: Path, content: str, context: dict, message: str) -> None:
    path = tmp_path / "messy.conll"
    path.write_text(content, encoding="utf-8")
    before = snapshot(store)
    report = _import(store, path, **context)
    assert len(report.errors) == 1 and message in report.errors[0], report.errors
    assert snapshot(store) == before


def test_bad_utf8_names_the_line(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "legacy.conll"
    path.write_bytes("قال O\n".encode() + "وزير O\n".encode("cp1256"))
    (error,) = _import(store, path).errors
    assert "legacy.conll:2: not valid UTF-8 (byte 0xe6 at column 1)" in error


def test_several_docstarts_make_numbered_documents(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "two.conll"
    path.write_text(f"{DOCSTART}\n\nأ B-X\n\n{DOCSTART}\n\nب O\nج B-Y\n\n", encoding="utf-8")
    assert _import(store, path).errors == []
    with store.unit_of_work() as uow:
        texts = [(d.external_id, d.text) for d in uow.documents.page(after=None, limit=10)]
    assert texts == [("two-1", "أ"), ("two-2", "ب ج")]


# -- consumers ----------------------------------------------------------------------------------


def test_seqeval_reads_the_corpora_iob2_exports_with_no_scheme_violation(
        store: Store, tmp_path: Path, corpora: Path) -> None:
    for name in ("ANERCorp_ITE5th_test_conll.txt", "wojood_sample_val.txt"):
        assert _import(store, corpora / "ner" / name).errors == []
    out = tmp_path / "out.conll"
    report = _export(store, out, scheme="iob2", nested="outer")
    y = [[cols[1] for cols in sentence] for sentence in _sentences(out)]
    strict = {e.to_tuple() for sent in Entities(y, IOB2).entities for e in sent}
    lenient = get_entities(y)
    assert len(strict) == len(lenient) == report.spans - report.counts["nested"]
    classification_report(y, y, mode="strict", scheme=IOB2)


@pytest.mark.parametrize("scheme", ["iob2", "bioes", "bilou"])
def test_seqeval_strict_finds_every_exported_span(store: Store, tmp_path: Path,
                                                  scheme: str) -> None:
    _store_with(store, tmp_path, line(TEXT, doc_id="b", annotator="gold", spans=_spans()))
    out = tmp_path / "out.conll"
    _export(store, out, scheme=scheme, tokens="clitics", nested="inner")
    (first, second) = _sentences(out)
    y = [[cols[1] for cols in first], [cols[1] for cols in second]]
    entities = [(e.tag, e.start, e.end) for sent in Entities(y, SEQEVAL[scheme]).entities
                for e in sent]
    assert entities == [("cue", 1, 2), ("actor", 2, 4), ("location", 6, 7), ("cue", 1, 2)]


def test_spacy_conll_converter_reads_the_export(store: Store, tmp_path: Path) -> None:
    from spacy.training.converters import conll_ner_to_docs

    _store_with(store, tmp_path, line(TEXT, doc_id="b", annotator="gold", spans=_spans()),
                line("نص بلا مجموعة.", doc_id="a", annotator=None, status=None))
    out = tmp_path / "out.conll"
    _export(store, out)
    docs = list(conll_ner_to_docs(out.read_text(encoding="utf-8"), no_print=True))
    assert len(docs) == 2
    assert [(e.label_, e.text) for e in docs[1].ents] == [
        ("cue", "قالَ"), ("actor", "وزيرُ الدفاع"), ("quote", "موسكو جاهزة"), ("cue", "وأضاف")]
    assert [s.text for s in docs[1].sents][1] == "وأضاف"


def test_format_is_registered() -> None:
    assert (conll.FORMAT.name, conll.FORMAT.suffix, conll.FORMAT.unit) == \
        ("conll", ".conll", "sentence")
