"""Importing corpora as people have them: ANERcorp with its defects (every bad line at once,
--skip-bad), a CoNLL .txt sniffed, --doc-size, tag maps, NewsFANE's invisible marks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.label_map import parse_map
from annotator.db.store import Store
from annotator.services.exporting import export
from annotator.services.importing import import_paths
from annotator.services.project import project_schema
from tests.services.helpers import snapshot

DATA = Path(__file__).resolve().parents[1] / "data"
ANER = DATA / "anercorp_excerpt.txt"
NEWSFANE = DATA / "newsfane_excerpt.txt"
ANER_MAP = parse_map("PERS=actor,ORG=actor,LOC=location")
ITE5TH = "ner/ANERCorp_ITE5th_test_conll.txt"

#: the three defects of the excerpt (tests/data/README.md), exactly as the import names them
ANER_BAD = [
    f"{ANER}:13: column 2: tag 'حسب' is not O nor PREFIX-LABEL (like B-LOC) (3 columns: is "
    "'بهاء حسب' one token with a space in it?)",
    f"{ANER}:16: tag '\\u200f' is not O nor PREFIX-LABEL (like B-LOC)",
    f"{ANER}:20: an empty token: the line is only the tag 'O'",
]


def _records(store: Store, tmp_path: Path) -> list[dict]:
    out = tmp_path / "all.jsonl"
    export(store, out)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_anercorp_bad_lines_are_all_reported_and_nothing_is_written(store: Store) -> None:
    before = snapshot(store)
    report = import_paths(store, [ANER], label_map=ANER_MAP)
    (result,) = report.files
    assert result.detected == "conll"
    assert result.problems == ANER_BAD
    assert result.error == (f"{ANER}: 3 bad lines; nothing imported from this file (--skip-bad "
                            "imports the good part)")
    assert snapshot(store) == before


def test_anercorp_imports_with_skip_bad_naming_exactly_the_bad_lines(store: Store,
                                                                      tmp_path: Path) -> None:
    report = import_paths(store, [ANER], label_map=ANER_MAP, skip_bad=True)
    (result,) = report.files
    assert (result.error, result.skipped, result.problems) == (None, 3, ANER_BAD)
    assert (result.documents_added, result.sets_added) == (1, 1)
    ((record),) = _records(store, tmp_path)
    tokens = record["text"].split(" ")
    assert "حسب" not in tokens and "الأدب" not in tokens     # the bad lines were left out
    assert [(s["label"], s["text"]) for s in record["spans"]] == [
        ("actor", "الله"), ("actor", "جامعة حلوان\u200f"), ("actor", "شمس الدين")]
    for span in record["spans"]:
        assert record["text"][span["start"]:span["end"]] == span["text"]


def test_bad_lines_and_unknown_tags_are_reported_together(store: Store) -> None:
    report = import_paths(store, [ANER])
    (result,) = report.files
    assert result.problems[:3] == ANER_BAD
    assert result.problems[3] == (
        f"{ANER}: labels the project does not have: PERS (2 spans, first on line 1), ORG (1 span, "
        "first on line 1); --map PERS=LABEL,ORG=LABEL maps them onto the project's labels "
        "(quote, actor, location, cue), --add-labels adds them")
    assert result.error == (f"{ANER}: 3 bad lines and labels the project does not have; nothing "
                            "imported from this file")


def test_strip_marks_drops_tokens_of_marks_only_and_moves_offsets(store: Store,
                                                                   tmp_path: Path) -> None:
    report = import_paths(store, [ANER], label_map=ANER_MAP, skip_bad=True, strip_marks=True)
    (result,) = report.files
    assert result.notes == [f"{ANER}: 2 tokens of invisible marks only left out by "
                            "--strip-marks (lines 3, 24)"]
    assert result.marks == {"RLM": 5} and result.marks_removed   # lines 3, 10 (two), 22, 24
    ((record),) = _records(store, tmp_path)
    assert "\u200f" not in record["text"]
    assert record["text"].startswith("هذا ما أثبتته")
    assert [s["text"] for s in record["spans"]] == ["الله", "جامعة حلوان", "شمس الدين"]


def test_the_real_anercorp_subset_is_sniffed_mapped_and_cut_into_documents(
        store: Store, corpora: Path) -> None:
    path = corpora / ITE5TH
    whole = import_paths(store, [path], label_map=ANER_MAP)
    (result,) = whole.files
    assert (result.detected, result.error, result.documents_added) == ("conll", None, 1)
    assert result.notes == [
        f"{path}: document ANERCorp_ITE5th_test_conll is one document of 109,619 characters "
        "(19,563 tokens, 708 sentences): the file has no -DOCSTART- or document breaks there; "
        "--doc-size 50 cuts it into documents of 50 sentences"]
    assert (dict(result.mapped), dict(result.dropped)) == (
        {"LOC": 617, "PERS": 483, "ORG": 272}, {"MISC": 171})
    assert result.spans_added == 617 + 483 + 272
    assert result.marks == {"RLM": 149}
    cut = import_paths(store, [path], label_map=ANER_MAP, doc_size=50)
    (result,) = cut.files
    assert (result.documents_added, result.sets_added, result.spans_added) == (15, 15, 1372)
    assert result.notes == []


def test_newsfane_marks_are_reported_then_stripped_with_a_map_file(store: Store,
                                                                    tmp_path: Path) -> None:
    mapping = parse_map((DATA / "newsfane.map").read_text(encoding="utf-8"),
                        source=str(DATA / "newsfane.map"))
    kept = import_paths(store, [NEWSFANE], label_map=mapping)
    (result,) = kept.files
    assert result.marks == {"RLM": 28} and not result.marks_removed
    assert dict(result.dropped) == {"Ministry": 1, "Nationality": 1}
    ((record),) = _records(store, tmp_path)
    assert all(s["text"].startswith("\u200f") for s in record["spans"])   # what it fixes
    other = tmp_path / "again"
    other.mkdir()
    copy = other / "newsfane_stripped.txt"   # another id: the first one is taken
    copy.write_bytes(NEWSFANE.read_bytes())
    import_paths(store, [copy], label_map=mapping, strip_marks=True)
    records = {r["meta"]["source_path"]: r for r in _records(store, tmp_path)}
    stripped = records[str(copy.resolve())]
    assert [(s["label"], s["text"]) for s in stripped["spans"]] == [
        ("actor", "جان إيف لودريان"), ("location", "باريس"), ("location", "فرنسا"),
        ("location", "روسيا"), ("actor", "الكرملين"), ("location", "موسكو")]
    assert stripped["text"].split("\n")[0].startswith("و قال وزير")   # clitics stay tokens


def test_a_map_onto_a_label_the_project_lacks_is_refused_before_reading(store: Store) -> None:
    with pytest.raises(Exception, match="person: not a label of the project"):
        import_paths(store, [ANER], label_map=parse_map("PERS=person"))


def test_map_with_add_labels_brings_in_the_target(store: Store) -> None:
    report = import_paths(store, [ANER], label_map=parse_map("PERS=person,ORG=org"),
                          add_labels=True, skip_bad=True)
    assert report.errors == [] and report.spans_added == 3
    assert [lb.name for lb in project_schema(store).labels][-2:] == ["person", "org"]
